/*
 * fuzz_hdr.c - libFuzzer target: the L2/L3/L4 header parser (hdr.c)
 * and the RSS flow input built on it (hash.c), on frames a guest sends
 * or the host delivers.
 *
 * The input is a hash-type byte then the frame. Invariants beyond "no
 * crash" (and ASan's "no read outside the frame", which runs on an
 * exactly sized copy):
 *  - an accepted IP frame's datagram lies inside the frame: l3_off is
 *    past the Ethernet header and its tags, l3_end <= len;
 *  - a parsed L4 header lies inside its datagram: l4_off + l4_hdr_len <=
 *    l3_end, with TCP's length a multiple of 4 (>= 20) and UDP's 8, and
 *    only for unfragmented TCP/UDP;
 *  - the hash input has one of the lengths netif's hash types give, and
 *    starts with the IP addresses of the frame the parser found.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/hdr.h"
#include "fuzz.h"

static void
check_info(const struct hdr_info *hi, size_t len)
{
	FZ_CHECK(hi->nvlan <= HDR_MAX_VLAN_TAGS);
	if (hi->l3 == HDR_L3_NONE)
		return;
	FZ_CHECK(hi->l3 == HDR_L3_IPV4 || hi->l3 == HDR_L3_IPV6);
	FZ_CHECK(hi->l3_off == 14u + 4u * hi->nvlan);
	FZ_CHECK(hi->l3_end <= len);
	FZ_CHECK(hi->l4_off >= hi->l3_off +
	    (hi->l3 == HDR_L3_IPV4 ? 20u : 40u));
	FZ_CHECK(hi->l4_off <= hi->l3_end);
	if (hi->l4_hdr_len == 0)
		return;
	FZ_CHECK(!hi->fragment);
	FZ_CHECK((uint64_t)hi->l4_off + hi->l4_hdr_len <= hi->l3_end);
	if (hi->l4_proto == IPPROTO_TCP)
		FZ_CHECK(hi->l4_hdr_len >= 20 && hi->l4_hdr_len % 4 == 0 &&
		    hi->l4_hdr_len <= 60);
	else
		FZ_CHECK(hi->l4_proto == IPPROTO_UDP && hi->l4_hdr_len == 8);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = { data, size };
	struct hdr_info hi;
	uint8_t types = fz_u8(&in), input[HASH_INPUT_MAX], htype;
	uint8_t *frame = malloc(in.n + 1);	/* exact size for ASan */
	size_t n;
	int r;

	if (frame == NULL)
		return 0;
	memcpy(frame, in.p, in.n);
	r = hdr_parse(frame, in.n, &hi);
	if (r == 0)
		check_info(&hi, in.n);

	n = hash_flow_input(frame, in.n, types & HASH_TYPES_SUPPORTED, input,
	    &htype);
	FZ_CHECK(n == 0 || n == 8 || n == 12 || n == 32 || n == 36);
	if (n > 0) {
		/* Only untagged IP is hashed, from a frame that parses. */
		FZ_CHECK(r == 0 && hi.nvlan == 0 && hi.l3 != HDR_L3_NONE);
		FZ_CHECK(memcmp(input, frame + hi.l3_off +
		    (hi.l3 == HDR_L3_IPV4 ? 12 : 8), n >= 32 ? 32 : 8) == 0);
		FZ_CHECK(n == 8 || n == 32 || (!hi.fragment &&
		    hi.l4_hdr_len > 0));
	}
	free(frame);
	return 0;
}
