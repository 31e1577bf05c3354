/*
 * gframe.c - builds the generator's frames (see gframe.h): Ethernet,
 * IPv4 (no options, DF, TTL 64) and UDP or TCP, a byte-pattern payload,
 * and checksums either complete or left partial for the backend. Owns
 * only the frame bytes; the checksum arithmetic is csum.c's.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "core/csum.h"
#include "gframe.h"
#include "core/hdr.h"

#define ETH_LEN		14u
#define IP4_LEN		20u
#define UDP_LEN		8u
#define TCP_LEN		20u

static const char *const gframe_names[GFRAME_MAX] = {
	[GFRAME_UDP64] = "udp64",
	[GFRAME_F1514] = "f1514",
	[GFRAME_GSO64K] = "gso64k",
};

int
gframe_parse_kind(const char *s)
{
	int k;

	for (k = 0; k < GFRAME_MAX; k++)
		if (strcmp(s, gframe_names[k]) == 0)
			return k;
	return -EINVAL;
}

const char *
gframe_kind_str(int kind)
{
	if (kind < 0 || kind >= GFRAME_MAX)
		return "unknown";
	return gframe_names[kind];
}

static void
gframe_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
gframe_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int
gframe_build_len(uint8_t proto, size_t len, const struct gframe_addr *a,
    bool csum_blank, uint8_t *buf, size_t cap, struct gframe *out)
{
	size_t l4len, payload, i;
	uint8_t *ip, *l4;
	struct hdr_info info;
	uint16_t sum;

	memset(out, 0, sizeof(*out));
	if (proto == IPPROTO_UDP)
		l4len = UDP_LEN;
	else if (proto == IPPROTO_TCP)
		l4len = TCP_LEN;
	else
		return -EINVAL;
	if (len < ETH_LEN + IP4_LEN + l4len || len > GFRAME_MAX_LEN)
		return -EINVAL;
	if (cap < len)
		return -ENOSPC;
	payload = len - ETH_LEN - IP4_LEN - l4len;
	memset(buf, 0, ETH_LEN + IP4_LEN + l4len);

	memcpy(buf, a->dst_mac, 6);
	memcpy(buf + 6, a->src_mac, 6);
	gframe_put16(buf + 12, 0x0800);

	ip = buf + ETH_LEN;
	ip[0] = 0x45;
	gframe_put16(ip + 2, (uint16_t)(len - ETH_LEN));
	gframe_put16(ip + 4, 1);		/* identification */
	gframe_put16(ip + 6, 0x4000);		/* DF */
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, a->saddr, 4);
	memcpy(ip + 16, a->daddr, 4);
	sum = csum_fold(csum_partial(ip, IP4_LEN, 0));
	memcpy(ip + 10, &sum, 2);

	l4 = ip + IP4_LEN;
	gframe_put16(l4, a->sport);
	gframe_put16(l4 + 2, a->dport);
	if (proto == IPPROTO_UDP) {
		gframe_put16(l4 + 4, (uint16_t)(UDP_LEN + payload));
	} else {
		gframe_put32(l4 + 4, 1);		/* sequence */
		gframe_put32(l4 + 8, 1);		/* acknowledgement */
		l4[12] = (uint8_t)((TCP_LEN / 4) << 4);
		l4[13] = 0x18;			/* PSH | ACK */
		gframe_put16(l4 + 14, 65535);		/* window */
	}
	for (i = 0; i < payload; i++)
		l4[l4len + i] = (uint8_t)(i * 7 + 3);

	/* The partial checksum (pseudo-header sum) first; completed over
	 * the whole segment unless the backend is to finish it. */
	if (hdr_parse(buf, len, &info) != 0 || csum_set_partial(buf, &info))
		return -EINVAL;	/* cannot happen: we built it */
	if (csum_blank) {
		out->txflags = NETTXF_csum_blank | NETTXF_data_validated;
	} else if (csum_complete_partial(buf, len, info.l4_off,
	    proto == IPPROTO_UDP ? 6 : 16) != 0) {
		return -EINVAL;
	}
	out->len = len;
	out->hdr_len = ETH_LEN + IP4_LEN + l4len;
	return 0;
}

int
gframe_build(int kind, const struct gframe_addr *a, bool csum_blank,
    uint8_t *buf, size_t cap, struct gframe *out)
{
	int rc;

	switch (kind) {
	case GFRAME_UDP64:
		return gframe_build_len(IPPROTO_UDP, 64, a, csum_blank, buf,
		    cap, out);
	case GFRAME_F1514:
		return gframe_build_len(IPPROTO_UDP, 1514, a, csum_blank, buf,
		    cap, out);
	case GFRAME_GSO64K:
		/* A GSO frame is always CHECKSUM_PARTIAL. */
		rc = gframe_build_len(IPPROTO_TCP, ETH_LEN + IP4_LEN +
		    TCP_LEN + (size_t)GFRAME_GSO_MSS * GFRAME_GSO_SEGS, a, true,
		    buf, cap, out);
		if (rc != 0)
			return rc;
		out->has_gso = true;
		out->gso.type = XEN_NETIF_EXTRA_TYPE_GSO;
		out->gso.u.gso.size = GFRAME_GSO_MSS;
		out->gso.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
		return 0;
	default:
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
}
