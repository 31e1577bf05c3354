/*
 * test_gso_seg.c - TCP segmentation in software (core/gso_seg.c): every
 * segment of IPv4 and IPv6 super-frames (VLAN tags, TCP options, IPv6
 * extension headers, a sequence number about to wrap) is a well-formed
 * frame whose headers parse, whose IP lengths and IPv4 header checksum
 * are right, whose partial TCP checksum completes to one the naive
 * reference (frames.c) accepts, whose sequence numbers follow, whose
 * burst flags sit at the right end, and whose payloads put back together
 * are the super-frame's; and the refusals.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "core/csum.h"
#include "core/gso_seg.h"
#include "core/hdr.h"
#include "cu_tap.h"
#include "frames.h"

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static unsigned int
rd16(const uint8_t *p)
{
	return (unsigned int)(p[0] << 8 | p[1]);
}

static void
gso_hdr(struct virtio_net_hdr *vh, int ip, unsigned int mss)
{
	memset(vh, 0, sizeof(*vh));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = ip == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 :
	    VIRTIO_NET_HDR_GSO_TCPV6;
	vh->gso_size = (uint16_t)mss;
}

/* Segments `s` at `mss` and checks every segment. */
static void
check_segments(const struct frame_spec *s, unsigned int mss)
{
	static uint8_t f[70000], seg[70000], back[70000];
	struct frame_layout lo = frame_build(f, sizeof(f), s);
	struct virtio_net_hdr vh, svh;
	struct gso_seg_plan p;
	unsigned int i, want;
	uint32_t total = 0, seq0;
	uint8_t hdr[GSO_SEG_HDR_MAX];

	CU_ASSERT_FATAL(lo.len > 0);
	/* Every end-of-burst flag set on the super-frame, and a sequence
	 * number that wraps inside it. */
	f[lo.l4_off + 13] |= 0x80 | 0x08 | 0x01;	/* CWR PSH FIN */
	f[lo.l4_off + 4] = 0xff;
	f[lo.l4_off + 5] = 0xff;
	f[lo.l4_off + 6] = 0xf0;
	seq0 = rd32(f + lo.l4_off + 4);
	gso_hdr(&vh, s->ip, mss);
	CU_ASSERT_FATAL(gso_seg_plan(&vh, f, lo.len, &p) == 0);
	want = s->payload == 0 ? 1 : (s->payload + mss - 1) / mss;
	CU_ASSERT_EQUAL(p.nsegs, want);
	CU_ASSERT_EQUAL(p.hlen, lo.l4_off + lo.l4_hdr_len);
	for (i = 0; i < p.nsegs; i++) {
		struct frame_layout sl = lo;
		struct hdr_info hi;
		uint32_t off, plen, n;
		const uint8_t *tcp = seg + lo.l4_off;

		n = gso_seg_build(&p, f, i, hdr, &svh, &off, &plen);
		CU_ASSERT_EQUAL(n, p.hlen + plen);
		CU_ASSERT(plen <= mss);
		CU_ASSERT_EQUAL(off, p.hlen + total);
		memcpy(seg, hdr, p.hlen);
		memcpy(seg + p.hlen, f + off, plen);
		memcpy(back + total, f + off, plen);
		total += plen;

		/* A frame of its own: its headers parse, its lengths end
		 * where it ends. */
		CU_ASSERT_FATAL(hdr_parse(seg, n, &hi) == 0);
		CU_ASSERT_EQUAL(hi.l3_end, n);
		CU_ASSERT_EQUAL(hi.l4_off, lo.l4_off);
		if (s->ip == 4) {
			CU_ASSERT_EQUAL(ref_fold(ref_sum(seg + lo.l3_off, 20,
			    0)), 0);
			CU_ASSERT_EQUAL(rd16(seg + lo.l3_off + 4),
			    (0x1234 + i) & 0xffff);
		}
		/* The partial checksum completes to the right one. */
		CU_ASSERT_EQUAL(svh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
		CU_ASSERT_EQUAL(svh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		CU_ASSERT_FATAL(csum_complete_partial(seg, n, svh.csum_start,
		    svh.csum_offset) == 0);
		sl.len = sl.l3_end = n;
		CU_ASSERT_EQUAL(ref_l4_check(seg, &sl, s->ip, IPPROTO_TCP), 0);
		/* Sequence numbers follow; FIN and PSH end the burst, CWR
		 * starts it. */
		CU_ASSERT_EQUAL(rd32(tcp + 4), seq0 + i * mss);
		CU_ASSERT_EQUAL(!!(tcp[13] & 0x01), i + 1 == p.nsegs);
		CU_ASSERT_EQUAL(!!(tcp[13] & 0x08), i + 1 == p.nsegs);
		CU_ASSERT_EQUAL(!!(tcp[13] & 0x80), i == 0);
		CU_ASSERT(tcp[13] & 0x10);	/* ACK stays */
	}
	CU_ASSERT_EQUAL(total, s->payload);
	CU_ASSERT(memcmp(back, f + p.hlen, s->payload) == 0);
}

static void
test_ipv4(void)
{
	struct frame_spec s = { .ip = 4, .l4 = IPPROTO_TCP, .payload = 5000 };

	check_segments(&s, 1448);
	s.payload = 4 * 1448;		/* an exact multiple */
	check_segments(&s, 1448);
	s.nvlan = 1;
	s.tcp_opt = 12;			/* timestamps */
	s.pad = 0;
	s.payload = 65000 - 20 - 32;
	check_segments(&s, 1436);
	s.payload = 1;
	check_segments(&s, 1448);
}

static void
test_ipv6(void)
{
	struct frame_spec s = { .ip = 6, .l4 = IPPROTO_TCP, .payload = 9000 };

	check_segments(&s, 1428);
	s.v6_ext = 2;
	s.nvlan = 2;
	s.tcp_opt = 12;
	check_segments(&s, 1000);
	s.payload = 64000;
	check_segments(&s, 8948);	/* jumbo frames */
}

static void
test_padding_not_carried(void)
{
	struct frame_spec s = { .ip = 4, .l4 = IPPROTO_TCP, .payload = 3000,
	    .pad = 6 };

	check_segments(&s, 1448);
}

static void
test_no_payload(void)
{
	struct frame_spec s = { .ip = 4, .l4 = IPPROTO_TCP, .payload = 0 };

	check_segments(&s, 1448);
}

static void
test_refusals(void)
{
	static uint8_t f[70000];
	struct frame_spec s = { .ip = 4, .l4 = IPPROTO_TCP, .payload = 5000 };
	struct frame_layout lo = frame_build(f, sizeof(f), &s);
	struct virtio_net_hdr vh;
	struct gso_seg_plan p;

	gso_hdr(&vh, 4, 0);
	CU_ASSERT_EQUAL(gso_seg_plan(&vh, f, lo.len, &p), -EOPNOTSUPP);
	gso_hdr(&vh, 4, 1448);
	vh.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	CU_ASSERT_EQUAL(gso_seg_plan(&vh, f, lo.len, &p), -EOPNOTSUPP);
	gso_hdr(&vh, 4, 1448);
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	CU_ASSERT_EQUAL(gso_seg_plan(&vh, f, lo.len, &p), -EOPNOTSUPP);
	/* The wrong family. */
	gso_hdr(&vh, 6, 1448);
	CU_ASSERT_EQUAL(gso_seg_plan(&vh, f, lo.len, &p), -EPROTO);
	/* Truncated headers. */
	gso_hdr(&vh, 4, 1448);
	CU_ASSERT_EQUAL(gso_seg_plan(&vh, f, 40, &p), -EPROTO);
	/* Too many segments: 5000 bytes at 39 a piece is 129. */
	gso_hdr(&vh, 4, 39);
	CU_ASSERT_EQUAL(gso_seg_plan(&vh, f, lo.len, &p), -E2BIG);
	gso_hdr(&vh, 4, 40);	/* 125: taken */
	CU_ASSERT_EQUAL(gso_seg_plan(&vh, f, lo.len, &p), 0);
	CU_ASSERT_EQUAL(p.nsegs, 125);
	/* Not TCP. */
	s.l4 = IPPROTO_UDP;
	lo = frame_build(f, sizeof(f), &s);
	gso_hdr(&vh, 4, 1448);
	CU_ASSERT_EQUAL(gso_seg_plan(&vh, f, lo.len, &p), -EPROTO);
	/* A fragment. */
	s.l4 = IPPROTO_TCP;
	s.frag = true;
	lo = frame_build(f, sizeof(f), &s);
	CU_ASSERT_EQUAL(gso_seg_plan(&vh, f, lo.len, &p), -EPROTO);
}

static CU_TestInfo gso_seg_tests[] = {
	{ "IPv4 segments", test_ipv4 },
	{ "IPv6 segments", test_ipv6 },
	{ "Ethernet padding is not carried", test_padding_not_carried },
	{ "a super-frame without payload", test_no_payload },
	{ "refusals", test_refusals },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "gso_seg", NULL, NULL, NULL, NULL, gso_seg_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
