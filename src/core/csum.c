/*
 * csum.c - the internet checksum (RFC 1071) and the TCP/UDP pieces built
 * on it: pseudo-header sums, finishing a partial checksum, verifying.
 *
 * Owns the arithmetic only; which frames need it and when is vnet_hdr.c's
 * business. It runs per packet whenever a checksum has to be completed
 * in software (up to 64 KiB), so the sum adds 32-bit loads into four
 * independent 64-bit accumulators: no carry chain, and the compiler is
 * free to vectorise. 2^16 = 1 (mod 2^16 - 1), so a 32-bit word weighs
 * the same as the two 16-bit words it holds, and folding a wide sum down
 * to 16 bits gives the RFC 1071 ones-complement sum.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>		/* IPPROTO_* */
#include <string.h>

#include "core/csum.h"

/*
 * Bytes summed between folds: 2^30 bytes are 2^28 32-bit loads per
 * accumulator at most, so no accumulator can overflow 64 bits. Frames
 * are at most 64 KiB; this only keeps the function right for any size_t.
 */
#define CSUM_BLOCK	((size_t)1 << 30)

static uint32_t
fold64(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

static uint64_t
sum_block(const uint8_t *p, size_t len)
{
	uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
	uint32_t w0, w1, w2, w3;
	uint16_t h;

	while (len >= 16) {
		memcpy(&w0, p, 4);
		memcpy(&w1, p + 4, 4);
		memcpy(&w2, p + 8, 4);
		memcpy(&w3, p + 12, 4);
		a0 += w0;
		a1 += w1;
		a2 += w2;
		a3 += w3;
		p += 16;
		len -= 16;
	}
	while (len >= 4) {
		memcpy(&w0, p, 4);
		a0 += w0;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		a1 += h;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		/* The odd byte is the first of a word whose second is 0. */
		const uint8_t last[2] = { p[0], 0 };

		memcpy(&h, last, 2);
		a2 += h;
	}
	/* Each accumulator is < 2^62: their sum fits. */
	return a0 + a1 + a2 + a3;
}

uint32_t
csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint32_t s = sum;
	size_t n;

	while (len > 0) {
		n = len < CSUM_BLOCK ? len : CSUM_BLOCK;
		s = csum_add(s, fold64(sum_block(p, n)));
		p += n;
		len -= n;
	}
	return s;
}

uint32_t
csum_add(uint32_t a, uint32_t b)
{
	uint32_t r = a + b;

	return r + (r < a);	/* end-around carry */
}

uint16_t
csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t
csum_pseudo_v4(const uint8_t saddr[4], const uint8_t daddr[4],
    uint8_t proto, uint32_t l4_len)
{
	uint8_t ph[12];

	/* RFC 793 §3.1: src, dst, zero, protocol, TCP/UDP length (16 bit). */
	memcpy(ph, saddr, 4);
	memcpy(ph + 4, daddr, 4);
	ph[8] = 0;
	ph[9] = proto;
	ph[10] = (uint8_t)(l4_len >> 8);
	ph[11] = (uint8_t)l4_len;
	return csum_partial(ph, sizeof(ph), 0);
}

uint32_t
csum_pseudo_v6(const uint8_t saddr[16], const uint8_t daddr[16],
    uint8_t proto, uint32_t l4_len)
{
	uint8_t ph[40];

	/* RFC 8200 §8.1: src, dst, 32-bit length, 3 zero bytes, next hdr. */
	memcpy(ph, saddr, 16);
	memcpy(ph + 16, daddr, 16);
	ph[32] = (uint8_t)(l4_len >> 24);
	ph[33] = (uint8_t)(l4_len >> 16);
	ph[34] = (uint8_t)(l4_len >> 8);
	ph[35] = (uint8_t)l4_len;
	ph[36] = ph[37] = ph[38] = 0;
	ph[39] = proto;
	return csum_partial(ph, sizeof(ph), 0);
}

uint32_t
csum_pseudo_frame(const uint8_t *frame, const struct hdr_info *info,
    uint32_t l4_len)
{
	const uint8_t *ip = frame + info->l3_off;

	if (info->l3 == HDR_L3_IPV4)
		return csum_pseudo_v4(ip + 12, ip + 16, info->l4_proto, l4_len);
	return csum_pseudo_v6(ip + 8, ip + 24, info->l4_proto, l4_len);
}

/* Offset of the checksum field in the L4 header, or 0 if none we know. */
static uint32_t
l4_csum_offset(const struct hdr_info *info)
{
	if ((info->l3 != HDR_L3_IPV4 && info->l3 != HDR_L3_IPV6) ||
	    info->fragment || info->l4_hdr_len == 0)
		return 0;
	if (info->l4_proto == IPPROTO_TCP)
		return 16;	/* RFC 9293 §3.1 */
	if (info->l4_proto == IPPROTO_UDP)
		return 6;	/* RFC 768 */
	return 0;
}

int
csum_complete_partial(uint8_t *frame, size_t len, size_t start,
    size_t offset)
{
	uint16_t c;

	if (start > len || offset > len - start || len - start - offset < 2)
		return -EINVAL;
	c = csum_fold(csum_partial(frame + start, len - start, 0));
	if (c == 0)
		c = 0xffff;
	memcpy(frame + start + offset, &c, 2);
	return 0;
}

int
csum_set_partial(uint8_t *frame, const struct hdr_info *info)
{
	uint32_t off = l4_csum_offset(info);
	uint16_t c;

	if (off == 0)
		return -EPROTO;
	c = (uint16_t)~csum_fold(csum_pseudo_frame(frame, info,
	    info->l3_end - info->l4_off));
	memcpy(frame + info->l4_off + off, &c, 2);
	return 0;
}

bool
csum_verify_l4(const uint8_t *frame, const struct hdr_info *info)
{
	uint32_t off = l4_csum_offset(info), sum;
	uint16_t field;

	if (off == 0)
		return false;
	memcpy(&field, frame + info->l4_off + off, 2);
	if (info->l4_proto == IPPROTO_UDP && info->l3 == HDR_L3_IPV4 &&
	    field == 0)
		return true;
	sum = csum_pseudo_frame(frame, info, info->l3_end - info->l4_off);
	sum = csum_partial(frame + info->l4_off,
	    info->l3_end - info->l4_off, sum);
	return csum_fold(sum) == 0;
}
