/*
 * test_csum.c - the internet checksum against RFC 1071's example and a
 * naive reference (tests/unit/frames.c): every length and alignment up
 * to 300 bytes, 64 KiB, pseudo-headers, completing a partial checksum
 * (must equal the full computation) and verification.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/csum.h"
#include "cu_tap.h"
#include "frames.h"
#include "core/hdr.h"

/* Our folded checksum as the two bytes it puts in a packet. */
static unsigned int
wire(uint16_t c)
{
	uint8_t b[2];

	memcpy(b, &c, 2);
	return (unsigned int)(b[0] << 8 | b[1]);
}

static void
test_rfc1071_example(void)
{
	/* RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2. */
	static const uint8_t d[8] = {
		0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7,
	};

	CU_ASSERT_EQUAL(wire(csum_fold(csum_partial(d, 8, 0))), 0x220d);
	CU_ASSERT_EQUAL(ref_fold(ref_sum(d, 8, 0)), 0x220d);
	/* Split at an even offset: the same. */
	CU_ASSERT_EQUAL(wire(csum_fold(csum_partial(d + 4, 4,
	    csum_partial(d, 4, 0)))), 0x220d);
}

static void
test_lengths_and_alignment(void)
{
	uint8_t raw[300 + 8];
	uint64_t seed = 42;
	size_t n, a, i;

	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)prng_next(&seed);
	for (a = 0; a < 8; a++)
		for (n = 0; n <= 300; n++)
			CU_ASSERT_EQUAL(wire(csum_fold(csum_partial(raw + a,
			    n, 0))), ref_fold(ref_sum(raw + a, n, 0)));
	/* All 0xff: the sum that needs every carry. */
	memset(raw, 0xff, sizeof(raw));
	for (n = 0; n <= 300; n++)
		CU_ASSERT_EQUAL(wire(csum_fold(csum_partial(raw, n, 0))),
		    ref_fold(ref_sum(raw, n, 0)));
	/* Zero-length adds nothing. */
	CU_ASSERT_EQUAL(csum_partial(raw, 0, 0x1234), 0x1234);
}

static void
test_64k(void)
{
	size_t sizes[] = { 65536, 65535, 65534, 65521 };
	uint64_t seed = 7;
	uint8_t *p = malloc(65536 + 1);
	size_t i, k;

	CU_ASSERT_FATAL(p != NULL);
	for (i = 0; i < 65537; i++)
		p[i] = (uint8_t)prng_next(&seed);
	for (k = 0; k < 4; k++) {
		CU_ASSERT_EQUAL(wire(csum_fold(csum_partial(p, sizes[k], 0))),
		    ref_fold(ref_sum(p, sizes[k], 0)));
		CU_ASSERT_EQUAL(wire(csum_fold(csum_partial(p + 1, sizes[k],
		    0))), ref_fold(ref_sum(p + 1, sizes[k], 0)));
	}
	memset(p, 0xff, 65536);
	CU_ASSERT_EQUAL(wire(csum_fold(csum_partial(p, 65536, 0))),
	    ref_fold(ref_sum(p, 65536, 0)));
	free(p);
}

static void
test_add_fold(void)
{
	CU_ASSERT_EQUAL(csum_add(0xffffffffu, 1), 1);
	CU_ASSERT_EQUAL(csum_add(0x80000000u, 0x80000000u), 1);
	CU_ASSERT_EQUAL(csum_add(5, 7), 12);
	CU_ASSERT_EQUAL(csum_fold(0), 0xffff);
	CU_ASSERT_EQUAL(csum_fold(0xffff), 0);
	CU_ASSERT_EQUAL(csum_fold(0x1fffe), 0);	/* 0xfffe + 1 */
	CU_ASSERT_EQUAL(csum_fold(0xffffffffu), 0);
}

static void
test_pseudo(void)
{
	static const uint8_t s4[4] = { 192, 0, 2, 1 }, d4[4] = { 198, 51,
	    100, 7 };
	uint8_t s6[16], d6[16], ph[40];
	uint32_t len;
	int i;

	for (len = 0; len < 70000; len += 997) {
		memcpy(ph, s4, 4);
		memcpy(ph + 4, d4, 4);
		ph[8] = 0;
		ph[9] = IPPROTO_TCP;
		ph[10] = (uint8_t)(len >> 8);
		ph[11] = (uint8_t)len;
		CU_ASSERT_EQUAL(wire(csum_fold(csum_pseudo_v4(s4, d4,
		    IPPROTO_TCP, len))), ref_fold(ref_sum(ph, 12, 0)));
	}
	for (i = 0; i < 16; i++) {
		s6[i] = (uint8_t)(0x20 + i * 3);
		d6[i] = (uint8_t)(0xfe - i * 5);
	}
	for (len = 0; len < 200000; len += 4099) {
		memcpy(ph, s6, 16);
		memcpy(ph + 16, d6, 16);
		ph[32] = (uint8_t)(len >> 24);
		ph[33] = (uint8_t)(len >> 16);
		ph[34] = (uint8_t)(len >> 8);
		ph[35] = (uint8_t)len;
		ph[36] = ph[37] = ph[38] = 0;
		ph[39] = IPPROTO_UDP;
		CU_ASSERT_EQUAL(wire(csum_fold(csum_pseudo_v6(s6, d6,
		    IPPROTO_UDP, len))), ref_fold(ref_sum(ph, 40, 0)));
	}
}

/* Partial + completion == the checksum the reference computed for the
 * whole segment, for every frame shape; and it verifies. */
static void
test_partial_completion(void)
{
	struct frame_spec specs[] = {
		{ .ip = 4, .l4 = IPPROTO_TCP, .payload = 1460 },
		{ .ip = 4, .l4 = IPPROTO_TCP, .payload = 63000, .tcp_opt = 12 },
		{ .ip = 4, .l4 = IPPROTO_UDP, .payload = 333, .nvlan = 1 },
		{ .ip = 6, .l4 = IPPROTO_TCP, .payload = 9001, .v6_ext = 2 },
		{ .ip = 6, .l4 = IPPROTO_UDP, .payload = 1, .nvlan = 2 },
		{ .ip = 6, .l4 = IPPROTO_UDP, .payload = 0 },
	};
	uint8_t *buf = malloc(70000);
	struct frame_layout lo;
	struct hdr_info hi;
	uint8_t want[2];
	size_t i, field;

	CU_ASSERT_FATAL(buf != NULL);
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		lo = frame_build(buf, 70000, &specs[i]);
		CU_ASSERT_FATAL(lo.len > 0);
		CU_ASSERT_FATAL(hdr_parse(buf, lo.len, &hi) == 0);
		field = lo.l4_off + ref_csum_field(specs[i].l4);
		memcpy(want, buf + field, 2);
		CU_ASSERT_TRUE(csum_verify_l4(buf, &hi));

		CU_ASSERT_EQUAL(csum_set_partial(buf, &hi), 0);
		CU_ASSERT_FALSE(csum_verify_l4(buf, &hi));
		CU_ASSERT_EQUAL(csum_complete_partial(buf, lo.len, lo.l4_off,
		    ref_csum_field(specs[i].l4)), 0);
		CU_ASSERT_EQUAL(memcmp(want, buf + field, 2), 0);
		CU_ASSERT_TRUE(csum_verify_l4(buf, &hi));
		CU_ASSERT_EQUAL(ref_l4_check(buf, &lo, specs[i].ip,
		    specs[i].l4), 0);

		/* One flipped payload bit is caught. */
		buf[lo.l3_end - 1] ^= 0x10;
		CU_ASSERT_FALSE(csum_verify_l4(buf, &hi));
	}
	free(buf);
}

static void
test_complete_edges(void)
{
	uint8_t b[8] = { 0xff, 0xff, 0, 0, 0, 0, 0, 0 };
	struct frame_spec s = { .ip = 4, .l4 = IPPROTO_UDP, .payload = 8 };
	struct frame_layout lo;
	struct hdr_info hi;
	uint8_t f[128];

	/* A sum of 0xffff complements to 0, which is sent as 0xffff. */
	CU_ASSERT_EQUAL(csum_complete_partial(b, 4, 0, 2), 0);
	CU_ASSERT_EQUAL(b[2], 0xff);
	CU_ASSERT_EQUAL(b[3], 0xff);
	/* The field must lie inside the frame. */
	CU_ASSERT_EQUAL(csum_complete_partial(b, 8, 0, 6), 0);
	CU_ASSERT_EQUAL(csum_complete_partial(b, 8, 0, 7), -EINVAL);
	CU_ASSERT_EQUAL(csum_complete_partial(b, 8, 7, 0), -EINVAL);
	CU_ASSERT_EQUAL(csum_complete_partial(b, 8, 9, 0), -EINVAL);
	CU_ASSERT_EQUAL(csum_complete_partial(b, 8, 2, (size_t)-1), -EINVAL);

	/* UDP over IPv4 with checksum 0: "no checksum", verifies. */
	lo = frame_build(f, sizeof(f), &s);
	CU_ASSERT_FATAL(hdr_parse(f, lo.len, &hi) == 0);
	f[lo.l4_off + 6] = f[lo.l4_off + 7] = 0;
	CU_ASSERT_TRUE(csum_verify_l4(f, &hi));
	/* Not over IPv6 (RFC 8200 §8.1). */
	s.ip = 6;
	lo = frame_build(f, sizeof(f), &s);
	CU_ASSERT_FATAL(hdr_parse(f, lo.len, &hi) == 0);
	f[lo.l4_off + 6] = f[lo.l4_off + 7] = 0;
	CU_ASSERT_FALSE(csum_verify_l4(f, &hi));

	/* Nothing to set or verify on ARP or a fragment. */
	s.ip = 0;
	lo = frame_build(f, sizeof(f), &s);
	CU_ASSERT_FATAL(hdr_parse(f, lo.len, &hi) == 0);
	CU_ASSERT_EQUAL(csum_set_partial(f, &hi), -EPROTO);
	CU_ASSERT_FALSE(csum_verify_l4(f, &hi));
	s.ip = 4;
	s.frag = true;
	lo = frame_build(f, sizeof(f), &s);
	CU_ASSERT_FATAL(hdr_parse(f, lo.len, &hi) == 0);
	CU_ASSERT_EQUAL(csum_set_partial(f, &hi), -EPROTO);
}

static CU_TestInfo csum_tests[] = {
	{ "RFC 1071 example", test_rfc1071_example },
	{ "every length and alignment to 300", test_lengths_and_alignment },
	{ "64 KiB", test_64k },
	{ "add and fold", test_add_fold },
	{ "IPv4 and IPv6 pseudo-headers", test_pseudo },
	{ "partial completion equals full computation",
	  test_partial_completion },
	{ "completion edges, UDP zero, no L4", test_complete_edges },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "csum", NULL, NULL, NULL, NULL, csum_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
