/*
 * test_wireframe.c - switch frames made ready for a wire without
 * offloads (core/wireframe.c): a plain frame goes as it is; a partial
 * TCP or UDP checksum is finished to the one the naive reference
 * (frames.c) accepts, the rest of the bytes unchanged; a GSO super-frame
 * becomes segments that each parse, carry a right checksum and end where
 * their IP length says, and whose payloads put back together are the
 * super-frame's; a frame longer than the room, a checksum field outside
 * the frame and a super-frame that cannot be cut are refused.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "core/csum.h"
#include "core/hdr.h"
#include "core/wireframe.h"
#include "cu_tap.h"
#include "frames.h"

/* Room of one AF_XDP UMEM chunk, as the uplink gives it. */
#define ROOM	2048u

/* Turns a built frame's L4 checksum into a partial one, as a guest with
 * checksum offload sends it, and sets vh to say so. */
static void
make_partial(uint8_t *f, const struct frame_layout *lo, uint8_t proto,
    struct virtio_net_hdr *vh)
{
	struct hdr_info hi;

	CU_ASSERT_FATAL(hdr_parse(f, lo->len, &hi) == 0);
	CU_ASSERT_FATAL(csum_set_partial(f, &hi) == 0);
	memset(vh, 0, sizeof(*vh));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = (uint16_t)lo->l4_off;
	vh->csum_offset = (uint16_t)ref_csum_field(proto);
}

static void
test_plain(void)
{
	static uint8_t f[4096], out[4096];
	struct frame_spec s = { .ip = 4, .l4 = IPPROTO_UDP, .payload = 100 };
	struct frame_layout lo = frame_build(f, sizeof(f), &s);
	struct virtio_net_hdr vh;
	struct wireframe_plan p;

	memset(&vh, 0, sizeof(vh));
	CU_ASSERT_FATAL(wireframe_plan(&vh, f, lo.len, &p) == 0);
	CU_ASSERT_EQUAL(p.nframes, 1);
	CU_ASSERT_EQUAL(wireframe_build(&p, f, lo.len, 0, out, ROOM),
	    (int)lo.len);
	CU_ASSERT(memcmp(out, f, lo.len) == 0);
	/* No room: refused, not cut. */
	CU_ASSERT_EQUAL(wireframe_build(&p, f, lo.len, 0, out, lo.len - 1),
	    -EMSGSIZE);
}

static void
check_partial(const struct frame_spec *s)
{
	static uint8_t good[4096], f[4096], out[4096];
	struct frame_layout lo = frame_build(good, sizeof(good), s);
	struct virtio_net_hdr vh;
	struct wireframe_plan p;

	CU_ASSERT_FATAL(lo.len > 0);
	memcpy(f, good, lo.len);
	make_partial(f, &lo, s->l4, &vh);
	CU_ASSERT(memcmp(f, good, lo.len) != 0);	/* it was partial */
	CU_ASSERT_FATAL(wireframe_plan(&vh, f, lo.len, &p) == 0);
	CU_ASSERT_EQUAL(p.nframes, 1);
	CU_ASSERT_EQUAL(wireframe_build(&p, f, lo.len, 0, out, ROOM),
	    (int)lo.len);
	CU_ASSERT_EQUAL(ref_l4_check(out, &lo, s->ip, s->l4), 0);
	CU_ASSERT(memcmp(out, good, lo.len) == 0);
}

static void
test_partial(void)
{
	struct frame_spec s = { .ip = 4, .l4 = IPPROTO_TCP, .payload = 1000 };

	check_partial(&s);
	s.l4 = IPPROTO_UDP;
	check_partial(&s);
	s.ip = 6;
	s.nvlan = 1;
	check_partial(&s);
	s.l4 = IPPROTO_TCP;
	s.tcp_opt = 12;
	check_partial(&s);
}

/* A GSO super-frame at `mss` into wire frames of ROOM bytes at most. */
static void
check_gso(const struct frame_spec *s, unsigned int mss)
{
	static uint8_t f[70000], out[ROOM], back[70000];
	struct frame_layout lo = frame_build(f, sizeof(f), s);
	struct virtio_net_hdr vh;
	struct wireframe_plan p;
	unsigned int i;
	uint32_t total = 0, hlen = (uint32_t)(lo.l4_off + lo.l4_hdr_len);

	CU_ASSERT_FATAL(lo.len > 0);
	make_partial(f, &lo, IPPROTO_TCP, &vh);
	vh.gso_type = s->ip == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 :
	    VIRTIO_NET_HDR_GSO_TCPV6;
	vh.gso_size = (uint16_t)mss;
	vh.hdr_len = (uint16_t)hlen;
	CU_ASSERT_FATAL(wireframe_plan(&vh, f, lo.len, &p) == 0);
	CU_ASSERT_EQUAL(p.nframes, (s->payload + mss - 1) / mss);
	for (i = 0; i < p.nframes; i++) {
		struct frame_layout sl = lo;
		struct hdr_info hi;
		int n = wireframe_build(&p, f, lo.len, i, out, sizeof(out));

		CU_ASSERT_FATAL(n > (int)hlen);
		CU_ASSERT(n <= (int)(hlen + mss));
		CU_ASSERT_FATAL(hdr_parse(out, (size_t)n, &hi) == 0);
		CU_ASSERT_EQUAL(hi.l3_end, (size_t)n);
		sl.len = sl.l3_end = (size_t)n;
		CU_ASSERT_EQUAL(ref_l4_check(out, &sl, s->ip, IPPROTO_TCP), 0);
		memcpy(back + total, out + hlen, (size_t)n - hlen);
		total += (uint32_t)n - hlen;
	}
	CU_ASSERT_EQUAL(total, s->payload);
	CU_ASSERT(memcmp(back, f + hlen, s->payload) == 0);
}

static void
test_gso(void)
{
	struct frame_spec s = { .ip = 4, .l4 = IPPROTO_TCP,
	    .payload = 60000 };

	check_gso(&s, 1448);
	s.ip = 6;
	s.nvlan = 1;
	s.tcp_opt = 12;
	check_gso(&s, 1416);
	s.payload = 1;
	check_gso(&s, 1416);
}

static void
test_refusals(void)
{
	static uint8_t f[70000], out[ROOM];
	struct frame_spec s = { .ip = 4, .l4 = IPPROTO_TCP, .payload = 9000 };
	struct frame_layout lo = frame_build(f, sizeof(f), &s);
	struct virtio_net_hdr vh;
	struct wireframe_plan p;

	/* A segment (mss 4000) longer than the room. */
	make_partial(f, &lo, IPPROTO_TCP, &vh);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = 4000;
	CU_ASSERT_FATAL(wireframe_plan(&vh, f, lo.len, &p) == 0);
	CU_ASSERT_EQUAL(wireframe_build(&p, f, lo.len, 0, out, sizeof(out)),
	    -EMSGSIZE);
	/* A super-frame gso_seg cannot cut: its reason. */
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	CU_ASSERT_EQUAL(wireframe_plan(&vh, f, lo.len, &p), -EOPNOTSUPP);
	/* A checksum field past the frame's end. */
	lo = frame_build(f, sizeof(f), &(struct frame_spec){ .ip = 4,
	    .l4 = IPPROTO_UDP, .payload = 10 });
	memset(&vh, 0, sizeof(vh));
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.csum_start = (uint16_t)(lo.len - 1);
	vh.csum_offset = 6;
	CU_ASSERT_FATAL(wireframe_plan(&vh, f, lo.len, &p) == 0);
	CU_ASSERT_EQUAL(wireframe_build(&p, f, lo.len, 0, out, sizeof(out)),
	    -EINVAL);
}

static CU_TestInfo wireframe_tests[] = {
	{ "a plain frame goes as it is", test_plain },
	{ "a partial checksum is finished", test_partial },
	{ "a GSO super-frame becomes right segments", test_gso },
	{ "refusals: no room, cannot cut, field outside", test_refusals },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "wireframe", NULL, NULL, NULL, NULL, wireframe_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
