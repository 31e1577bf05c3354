/*
 * frames.c - test frame builder and reference checksum (see frames.h).
 */
#include "config.h"

#include <netinet/in.h>
#include <string.h>

#include "frames.h"

static void
wr16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

uint32_t
ref_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (n & 1) {
		sum += (uint32_t)p[n - 1] << 8;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return sum;
}

uint16_t
ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t
ref_csum_field(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 16 : 6;
}

static uint32_t
ref_pseudo(const uint8_t *buf, const struct frame_layout *lo, int ip,
    uint8_t proto)
{
	uint32_t l4len = (uint32_t)(lo->l3_end - lo->l4_off), s;

	if (ip == 4) {
		s = ref_sum(buf + lo->l3_off + 12, 8, 0);
		s += proto;
		s += l4len;
	} else {
		s = ref_sum(buf + lo->l3_off + 8, 32, 0);
		s += proto;
		s += l4len >> 16;
		s += l4len & 0xffff;
	}
	return s;
}

uint16_t
ref_l4_check(const uint8_t *buf, const struct frame_layout *lo, int ip,
    uint8_t proto)
{
	uint32_t s = ref_pseudo(buf, lo, ip, proto);

	return ref_fold(ref_sum(buf + lo->l4_off, lo->l3_end - lo->l4_off, s));
}

struct frame_layout
frame_build(uint8_t *buf, size_t cap, const struct frame_spec *s)
{
	struct frame_layout lo = { 0 };
	size_t off = 12, l4hl = 0, need, i, ipl;
	uint8_t *ip, *l4;
	unsigned int v;
	uint8_t next;
	uint16_t c;

	if (s->l4 == IPPROTO_TCP)
		l4hl = 20 + s->tcp_opt;
	else if (s->l4 == IPPROTO_UDP)
		l4hl = 8;
	need = 14 + 4 * s->nvlan + (s->ip == 6 ? 40 + 8 * s->v6_ext +
	    (s->frag ? 8 : 0) : 20) + l4hl + s->payload + s->pad + 28;
	if (need > cap)
		return lo;
	memset(buf, 0, need);
	/* dst 02:00:00:00:00:02, src 02:00:00:00:00:01 */
	buf[0] = 2; buf[5] = 2;
	buf[6] = 2; buf[11] = 1;
	for (v = 0; v < s->nvlan; v++) {
		wr16(buf + off, v == 0 && s->nvlan == 2 ? 0x88a8 : 0x8100);
		wr16(buf + off + 2, 100 + v);	/* TCI */
		off += 4;
	}
	if (s->ip == 0) {
		wr16(buf + off, 0x0806);	/* ARP, 28 bytes */
		off += 2;
		wr16(buf + off, 1);
		wr16(buf + off + 2, 0x0800);
		buf[off + 4] = 6;
		buf[off + 5] = 4;
		wr16(buf + off + 6, 1);
		lo.l3_off = off;
		lo.len = off + 28;
		lo.l3_end = lo.len;
		return lo;
	}
	wr16(buf + off, s->ip == 4 ? 0x0800 : 0x86dd);
	off += 2;
	lo.l3_off = off;
	ip = buf + off;
	if (s->ip == 4) {
		ip[0] = 0x45;
		ip[1] = 0;
		wr16(ip + 2, (unsigned int)(20 + l4hl + s->payload));
		wr16(ip + 4, 0x1234);
		wr16(ip + 6, s->frag ? 0x2000 : 0x4000);	/* MF or DF */
		ip[8] = 64;
		ip[9] = s->l4;
		ip[12] = 192; ip[13] = 0; ip[14] = 2; ip[15] = 1;
		ip[16] = 198; ip[17] = 51; ip[18] = 100; ip[19] = 7;
		wr16(ip + 10, ref_fold(ref_sum(ip, 20, 0)));
		off += 20;
	} else {
		ipl = 8 * s->v6_ext + (s->frag ? 8 : 0) + l4hl + s->payload;
		ip[0] = 0x60;
		wr16(ip + 4, (unsigned int)ipl);
		ip[7] = 64;
		ip[8] = 0x20; ip[9] = 0x01; ip[10] = 0x0d; ip[11] = 0xb8;
		ip[23] = 1;
		ip[24] = 0x20; ip[25] = 0x01; ip[26] = 0x0d; ip[27] = 0xb8;
		ip[38] = 0xab; ip[39] = 0xcd;
		off += 40;
		next = s->v6_ext > 0 ? IPPROTO_DSTOPTS :
		    s->frag ? IPPROTO_FRAGMENT : s->l4;
		ip[6] = next;
		for (v = 0; v < s->v6_ext; v++) {
			buf[off] = v + 1 < s->v6_ext ? IPPROTO_DSTOPTS :
			    s->frag ? IPPROTO_FRAGMENT : s->l4;
			buf[off + 1] = 0;	/* 8 bytes */
			buf[off + 2] = 1;	/* PadN, 4 bytes of padding */
			buf[off + 3] = 4;
			off += 8;
		}
		if (s->frag) {
			buf[off] = s->l4;
			wr16(buf + off + 2, 0x0001);	/* offset 0, M */
			off += 8;
		}
	}
	lo.l4_off = off;
	l4 = buf + off;
	if (s->l4 == IPPROTO_TCP) {
		wr16(l4, 40000);
		wr16(l4 + 2, 80);
		l4[12] = (uint8_t)(((20 + s->tcp_opt) / 4) << 4);
		l4[13] = 0x18;	/* PSH ACK */
		wr16(l4 + 14, 65535);
		for (i = 0; i < s->tcp_opt; i++)
			l4[20 + i] = 1;	/* NOP */
		lo.l4_hdr_len = l4hl;
	} else if (s->l4 == IPPROTO_UDP) {
		wr16(l4, 5353);
		wr16(l4 + 2, 53);
		wr16(l4 + 4, (unsigned int)(8 + s->payload));
		lo.l4_hdr_len = 8;
	}
	off += l4hl;
	for (i = 0; i < s->payload; i++)
		buf[off + i] = (uint8_t)(i * 7 + 3);
	off += s->payload;
	lo.l3_end = off;
	for (i = 0; i < s->pad; i++)
		buf[off + i] = 0;
	off += s->pad;
	lo.len = off;
	if ((s->l4 == IPPROTO_TCP || s->l4 == IPPROTO_UDP) && !s->frag) {
		c = ref_l4_check(buf, &lo, s->ip, s->l4);
		if (s->l4 == IPPROTO_UDP && c == 0)
			c = 0xffff;
		wr16(l4 + ref_csum_field(s->l4), c);
	}
	return lo;
}

uint64_t
prng_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}
