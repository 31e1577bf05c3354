/*
 * test_bench_frame.c - the benchmark's frames (tools/bench/bframe.c):
 * sizes, addresses per direction and flow, valid checksums, the
 * virtio-net header vifd puts in front (none for UDP, NEEDS_CSUM + TCPV4
 * GSO for the super-frame), the TAP offloads, and refusals of bad input.
 * Checksums are verified here with an independent one's-complement sum.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <linux/if_tun.h>

#include "bench.h"
#include "cu_tap.h"

/* One's-complement sum of 16-bit big-endian words, unfolded. */
static uint32_t
sum16(const uint8_t *p, size_t len, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)(p[len - 1] << 8);
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static unsigned int
get16(const uint8_t *p)
{
	return (unsigned int)(p[0] << 8 | p[1]);
}

/* IPv4 header sum and the L4 sum with its pseudo-header, over the whole
 * frame: both fold to 0xffff when complete. */
static void
sums(const struct bframe *f, uint16_t *ip, uint16_t *l4)
{
	const uint8_t *iph = f->buf + 14;
	size_t l4len = f->len - 34;
	uint32_t s;

	*ip = fold(sum16(iph, 20, 0));
	s = sum16(iph + 12, 8, 0) + iph[9] + (uint32_t)l4len;
	*l4 = fold(sum16(iph + 20, l4len, s));
}

static void
test_sizes(void)
{
	static const struct { const char *name; size_t len; } k[] = {
		{ "udp64", 64 }, { "f1514", 1514 },
		/* 14 + 20 + 20 + 44 * 1448 (vif-guest(1)) */
		{ "gso64k", 63766 },
	};
	struct bframe f;
	unsigned int i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		int kind = bframe_kind(k[i].name);

		CU_ASSERT_FATAL(kind >= 0);
		CU_ASSERT_EQUAL_FATAL(bframe_make(kind, BFRAME_TO_HOST, 0, &f),
		    0);
		CU_ASSERT_EQUAL(f.len, k[i].len);
		/* Ethernet type IPv4, IP total length = frame - 14 */
		CU_ASSERT_EQUAL(get16(f.buf + 12), 0x0800);
		CU_ASSERT_EQUAL(get16(f.buf + 16), k[i].len - 14);
		bframe_free(&f);
		CU_ASSERT_PTR_NULL(f.buf);
	}
	CU_ASSERT(bframe_kind("udp65") < 0);
	CU_ASSERT(bframe_kind("") < 0);
}

static void
test_udp_complete(void)
{
	struct bframe f;
	uint16_t ip, l4;
	int kind;

	for (kind = bframe_kind("udp64"); kind <= bframe_kind("f1514");
	    kind++) {
		CU_ASSERT_EQUAL_FATAL(bframe_make(kind, BFRAME_TO_GUEST, 0, &f),
		    0);
		CU_ASSERT_EQUAL(f.buf[23], 17);		/* UDP */
		sums(&f, &ip, &l4);
		CU_ASSERT_EQUAL(ip, 0xffff);
		CU_ASSERT_EQUAL(l4, 0xffff);
		/* vif-guest gen's default: no offload, a zero header. */
		CU_ASSERT_FALSE(f.offload);
		CU_ASSERT_EQUAL(f.vh.flags, 0);
		CU_ASSERT_EQUAL(f.vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		bframe_free(&f);
	}
}

static void
test_gso_header(void)
{
	struct bframe f;
	uint16_t ip, l4;
	uint32_t s;
	const uint8_t *iph;

	CU_ASSERT_EQUAL_FATAL(bframe_make(bframe_kind("gso64k"),
	    BFRAME_TO_HOST, 0, &f), 0);
	CU_ASSERT_TRUE(f.offload);
	CU_ASSERT_EQUAL(f.vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CU_ASSERT_EQUAL(f.vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	CU_ASSERT_EQUAL(f.vh.gso_size, 1448);
	CU_ASSERT_EQUAL(f.vh.csum_start, 34);
	CU_ASSERT_EQUAL(f.vh.csum_offset, 16);
	CU_ASSERT_EQUAL(f.vh.hdr_len, 54);
	iph = f.buf + 14;
	CU_ASSERT_EQUAL(iph[9], 6);			/* TCP */
	sums(&f, &ip, &l4);
	CU_ASSERT_EQUAL(ip, 0xffff);
	/* Partial: the TCP checksum field holds the pseudo-header sum
	 * (not complemented), which segmentation completes per segment. */
	s = sum16(iph + 12, 8, 0) + 6 + (uint32_t)(f.len - 34);
	CU_ASSERT_EQUAL(get16(iph + 20 + 16), fold(s));
	bframe_free(&f);
}

static void
test_addresses(void)
{
	static const uint8_t guest[6] = BFRAME_GUEST_MAC;
	static const uint8_t host[6] = BFRAME_HOST_MAC;
	static const uint8_t other[6] = BFRAME_OTHER_MAC;
	struct bframe f, g;
	uint16_t ip, l4;

	CU_ASSERT_EQUAL_FATAL(bframe_make(0, BFRAME_TO_HOST, 0, &f), 0);
	/* A foreign unicast MAC: the host drops the frame as OTHERHOST. */
	CU_ASSERT_EQUAL(memcmp(f.buf, other, 6), 0);
	CU_ASSERT_EQUAL(f.buf[0] & 1, 0);
	CU_ASSERT_NOT_EQUAL(memcmp(f.buf, host, 6), 0);
	CU_ASSERT_EQUAL(memcmp(f.buf + 6, guest, 6), 0);
	CU_ASSERT_EQUAL(f.buf[14 + 16 + 3], 1);		/* to 10.0.0.1 */
	CU_ASSERT_EQUAL(get16(f.buf + 34), 9000);
	CU_ASSERT_EQUAL(get16(f.buf + 36), 9);
	bframe_free(&f);

	CU_ASSERT_EQUAL_FATAL(bframe_make(0, BFRAME_TO_GUEST, 5, &g), 0);
	CU_ASSERT_EQUAL(memcmp(g.buf, guest, 6), 0);
	CU_ASSERT_EQUAL(memcmp(g.buf + 6, host, 6), 0);
	CU_ASSERT_EQUAL(g.buf[14 + 16 + 3], 2);		/* to 10.0.0.2 */
	CU_ASSERT_EQUAL(get16(g.buf + 34), 9005);
	sums(&g, &ip, &l4);
	CU_ASSERT_EQUAL(l4, 0xffff);	/* per-flow checksum redone */
	bframe_free(&g);
}

static void
test_refusals(void)
{
	struct bframe f;

	CU_ASSERT_EQUAL(bframe_make(3, BFRAME_TO_HOST, 0, &f), -EINVAL);
	CU_ASSERT_PTR_NULL(f.buf);
	CU_ASSERT_EQUAL(bframe_make(-1, BFRAME_TO_HOST, 0, &f), -EINVAL);
	CU_ASSERT_EQUAL(bframe_make(0, BFRAME_TO_HOST, BFRAME_MAX_FLOWS, &f),
	    -EINVAL);
	CU_ASSERT_EQUAL(bframe_make(0, (enum bframe_dir)7, 0, &f), -EINVAL);
	CU_ASSERT_PTR_NULL(f.buf);
}

static void
test_offload_bits(void)
{
	/* What vifd sets on a TAP for vif-guest's default features. */
	CU_ASSERT_EQUAL(bframe_tun_offload(),
	    TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);
}

static CU_TestInfo bench_frame_tests[] = {
	{ "frame sizes and kinds", test_sizes },
	{ "UDP frames: complete checksums, no header", test_udp_complete },
	{ "gso64k: NEEDS_CSUM + TCPV4 header, partial sum", test_gso_header },
	{ "addresses per direction and flow", test_addresses },
	{ "bad kind, flow or direction refused", test_refusals },
	{ "TAP offloads as vifd's", test_offload_bits },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "bench_frame", NULL, NULL, NULL, NULL, bench_frame_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
