/*
 * fuzz_csum.c - libFuzzer target: the internet checksum (csum.c) against
 * the naive RFC 1071 reference of the unit tests (tests/unit/frames.c:
 * byte pairs, big-endian words, no shared code), on any bytes and on
 * the TCP/UDP checksums of frames that parse.
 *
 * The input is a split point then the bytes. Differential checks:
 *  - csum_partial over the bytes, whole and in two pieces split at an
 *    even offset, folds to the reference's checksum (stored the way
 *    csum.h says: a plain 16-bit store gives network order);
 *  - on a frame hdr_parse accepts as unfragmented TCP/UDP: csum_verify_l4
 *    agrees with the reference's L4 checksum (UDP over IPv4's 0 meaning
 *    "none"); after csum_set_partial + csum_complete_partial (what a
 *    NEEDS_CSUM frame goes through) the reference finds the checksum
 *    right and csum_verify_l4 says so (summing to the datagram's end:
 *    csum_complete_partial sums to whatever end it is given, as
 *    virtio's NEEDS_CSUM does).
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/csum.h"
#include "core/hdr.h"
#include "frames.h"
#include "fuzz.h"

/* csum_fold's result as the two bytes it becomes in the packet. */
static uint16_t
as_network(uint16_t stored)
{
	uint8_t b[2];

	memcpy(b, &stored, 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

static void
check_l4(uint8_t *frame, size_t len, const struct hdr_info *hi)
{
	struct frame_layout lo = {
		.len = len, .l3_off = hi->l3_off, .l4_off = hi->l4_off,
		.l4_hdr_len = hi->l4_hdr_len, .l3_end = hi->l3_end,
	};
	int ip = hi->l3 == HDR_L3_IPV4 ? 4 : 6;
	size_t field = hi->l4_off + ref_csum_field(hi->l4_proto);
	bool none = hi->l4_proto == IPPROTO_UDP && ip == 4 &&
	    frame[field] == 0 && frame[field + 1] == 0;

	FZ_CHECK(csum_verify_l4(frame, hi) ==
	    (none || ref_l4_check(frame, &lo, ip, hi->l4_proto) == 0));
	FZ_CHECK(csum_set_partial(frame, hi) == 0);
	/* It sums to the end it is given (virtio's NEEDS_CSUM covers the
	 * rest of the frame): here the datagram's, so that Ethernet padding
	 * after it does not count, as it does not for the reference. */
	FZ_CHECK(csum_complete_partial(frame, hi->l3_end, hi->l4_off,
	    ref_csum_field(hi->l4_proto)) == 0);
	FZ_CHECK(ref_l4_check(frame, &lo, ip, hi->l4_proto) == 0);
	FZ_CHECK(csum_verify_l4(frame, hi));
	/* 0 is sent as 0xffff (RFC 768). */
	FZ_CHECK(frame[field] != 0 || frame[field + 1] != 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = { data, size };
	struct hdr_info hi;
	size_t split = fz_u16(&in), len = in.n;
	uint8_t *buf = malloc(len + 1);	/* exact size for ASan */
	uint16_t whole, ref;

	if (buf == NULL)
		return 0;
	memcpy(buf, in.p, len);
	split = len == 0 ? 0 : (split % (len + 1)) & ~(size_t)1;
	whole = csum_fold(csum_partial(buf, len, 0));
	ref = ref_fold(ref_sum(buf, len, 0));
	FZ_CHECK(as_network(whole) == ref);
	FZ_CHECK(csum_fold(csum_partial(buf + split, len - split,
	    csum_partial(buf, split, 0))) == whole);
	FZ_CHECK(csum_fold(csum_add(csum_partial(buf, split, 0),
	    csum_partial(buf + split, len - split, 0))) == whole);

	if (hdr_parse(buf, len, &hi) == 0 && hi.l3 != HDR_L3_NONE &&
	    !hi.fragment && hi.l4_hdr_len > 0)
		check_l4(buf, len, &hi);
	free(buf);
	return 0;
}
