/*
 * gso_seg.c - TCP segmentation in software (see gso_seg.h): plans how a
 * GSO super-frame is cut and builds each segment's headers.
 *
 * Owns the header rewrites a segment needs (IPv4 length, identification
 * and header checksum, IPv6 payload length, TCP sequence number and the
 * flags that belong to one end of the burst) and the partial TCP
 * checksum each segment carries. It does not own where segments go: the
 * switch (data/vswitch.c) hands them out. Headers are found by hdr.c,
 * which checked every offset against the frame.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <netinet/in.h>

#include "core/csum.h"
#include "core/gso_seg.h"

/* TCP header byte 13: the flags that belong to one end of a burst. */
#define TCP_FLAGS_OFF	13u
#define TCP_FIN		0x01u
#define TCP_PSH		0x08u
#define TCP_CWR		0x80u
#define TCP_CSUM_OFF	16u

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int
gso_seg_plan(const struct virtio_net_hdr *vh, const uint8_t *frame,
    size_t len, struct gso_seg_plan *p)
{
	uint8_t type = vh->gso_type;
	uint32_t n;

	memset(p, 0, sizeof(*p));
	if ((type != VIRTIO_NET_HDR_GSO_TCPV4 &&
	    type != VIRTIO_NET_HDR_GSO_TCPV6) || vh->gso_size == 0)
		return -EOPNOTSUPP;
	if (hdr_parse(frame, len, &p->info) < 0 ||
	    p->info.l3 != (type == VIRTIO_NET_HDR_GSO_TCPV4 ? HDR_L3_IPV4 :
	    HDR_L3_IPV6) || p->info.fragment ||
	    p->info.l4_proto != IPPROTO_TCP || p->info.l4_hdr_len == 0)
		return -EPROTO;
	p->hlen = p->info.l4_off + p->info.l4_hdr_len;
	if (p->hlen > GSO_SEG_HDR_MAX || p->hlen > p->info.l3_end)
		return -EPROTO;
	p->mss = vh->gso_size;
	p->payload = p->info.l3_end - p->hlen;
	/* A super-frame with no payload (a bare ACK sent as GSO) is one
	 * segment: itself. */
	n = p->payload == 0 ? 1 : (p->payload + p->mss - 1) / p->mss;
	if (n > GSO_SEG_MAX)
		return -E2BIG;
	p->nsegs = n;
	return 0;
}

uint32_t
gso_seg_build(const struct gso_seg_plan *p, const uint8_t *frame,
    unsigned int i, uint8_t *hdr, struct virtio_net_hdr *svh,
    uint32_t *pay_off, uint32_t *pay_len)
{
	const struct hdr_info *in = &p->info;
	uint8_t *ip = hdr + in->l3_off, *tcp = hdr + in->l4_off;
	uint32_t off = i * p->mss, plen, l4len, seq;
	uint16_t c;

	plen = p->payload - off;
	if (plen > p->mss)
		plen = p->mss;
	l4len = in->l4_hdr_len + plen;
	memcpy(hdr, frame, p->hlen);

	if (in->l3 == HDR_L3_IPV4) {
		uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4u;
		uint32_t id = (uint32_t)ip[4] << 8 | ip[5];

		put_be16(ip + 2, in->l4_off - in->l3_off + l4len);
		put_be16(ip + 4, (id + i) & 0xffffu);
		ip[10] = ip[11] = 0;
		c = csum_fold(csum_partial(ip, ihl, 0));
		memcpy(ip + 10, &c, 2);
	} else {
		/* Extension headers count in the payload length. */
		put_be16(ip + 4, in->l4_off - in->l3_off - 40u + l4len);
	}

	seq = get_be32(tcp + 4) + off;
	put_be32(tcp + 4, seq);
	if (i + 1 < p->nsegs)
		tcp[TCP_FLAGS_OFF] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (i > 0)
		tcp[TCP_FLAGS_OFF] &= (uint8_t)~TCP_CWR;
	/* Partial: the folded pseudo-header sum, uncomplemented (csum_fold
	 * complements), over this segment's TCP length. The addresses are
	 * the super-frame's. */
	c = (uint16_t)~csum_fold(csum_pseudo_frame(frame, in, l4len));
	memcpy(tcp + TCP_CSUM_OFF, &c, 2);

	memset(svh, 0, sizeof(*svh));
	svh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	svh->gso_type = VIRTIO_NET_HDR_GSO_NONE;
	svh->csum_start = (uint16_t)in->l4_off;
	svh->csum_offset = TCP_CSUM_OFF;
	*pay_off = p->hlen + off;
	*pay_len = plen;
	return p->hlen + plen;
}
