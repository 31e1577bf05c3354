/*
 * test_vif_guest_rxasm.c - the simulated netfront's RX response walk:
 * frames of one and many slots, extras and where the data slots are
 * after them, ring wrap, and each way a backend's answer is refused
 * (negative status, page overrun, missing or bad extras, more_data on
 * the last published response, too many slots, bad GSO); the XDP extra
 * and the first offset taken from it.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "cu_tap.h"
#include "rxasm.h"
#include "core/netif_xdp.h"

static union {
	netif_rx_sring_t s;
	uint8_t page[4096];
} sr;
static netif_rx_front_ring_t ring;

static void
ring_init(RING_IDX start)
{
	memset(&sr, 0x5a, sizeof(sr));
	SHARED_RING_INIT(&sr.s);
	FRONT_RING_ATTACH(&ring, &sr.s, start, sizeof(sr.page));
}

static void
rsp(RING_IDX idx, uint16_t offset, uint16_t flags, int16_t status)
{
	netif_rx_response_t *r = RING_GET_RESPONSE(&ring, idx);

	r->id = (uint16_t)(idx % 256);
	r->offset = offset;
	r->flags = flags;
	r->status = status;
}

static void
extra(RING_IDX idx, uint8_t type, uint8_t flags, uint16_t gso_size,
    uint8_t gso_type)
{
	struct netif_extra_info ex;

	memset(&ex, 0, sizeof(ex));
	ex.type = type;
	ex.flags = flags;
	ex.u.gso.size = gso_size;
	ex.u.gso.type = gso_type;
	memcpy(RING_GET_RESPONSE(&ring, idx), &ex, sizeof(ex));
}

static void
test_empty(void)
{
	struct rxasm_frame f;

	ring_init(7);
	CU_ASSERT_EQUAL(rxasm_next(&ring, 7, 7, &f), -EAGAIN);
}

static void
test_single(void)
{
	struct rxasm_frame f;

	ring_init(0);
	rsp(0, 0, NETRXF_data_validated, 60);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 1, &f), 0);
	CU_ASSERT_EQUAL(f.err, RXASM_OK);
	CU_ASSERT_EQUAL(f.consumed, 1);
	CU_ASSERT_EQUAL(f.nfrags, 1);
	CU_ASSERT_EQUAL(f.len, 60);
	CU_ASSERT_EQUAL(f.flags, NETRXF_data_validated);
	CU_ASSERT_FALSE(f.has_gso);
	CU_ASSERT_EQUAL(f.frags[0].idx, 0);
}

static void
test_multi_slot(void)
{
	struct rxasm_frame f;

	ring_init(10);
	rsp(10, 0, NETRXF_more_data, 4096);
	rsp(11, 0, NETRXF_more_data, 4096);
	rsp(12, 0, 0, 500);
	rsp(13, 0, 0, 99);	/* the next frame */
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 10, 14, &f), 0);
	CU_ASSERT_EQUAL(f.err, RXASM_OK);
	CU_ASSERT_EQUAL(f.consumed, 3);
	CU_ASSERT_EQUAL(f.nfrags, 3);
	CU_ASSERT_EQUAL(f.len, 4096 * 2 + 500);
	CU_ASSERT_EQUAL(f.frags[2].idx, 12);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 13, 14, &f), 0);
	CU_ASSERT_EQUAL(f.len, 99);
	CU_ASSERT_EQUAL(f.consumed, 1);
}

/* A GSO frame over the wrap: data, GSO extra, data, data. The extra's
 * slot holds no data, and the data after it is found by ring index. */
static void
test_gso_wrap(void)
{
	struct rxasm_frame f;

	ring_init(254);
	rsp(254, 0, NETRXF_csum_blank | NETRXF_data_validated |
	    NETRXF_extra_info | NETRXF_more_data, 4096);
	extra(255, XEN_NETIF_EXTRA_TYPE_GSO, 0, 1448,
	    XEN_NETIF_GSO_TYPE_TCPV6);
	rsp(256, 0, NETRXF_more_data, 4096);
	rsp(257, 0, 0, 1000);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 254, 258, &f), 0);
	CU_ASSERT_EQUAL(f.err, RXASM_OK);
	CU_ASSERT_EQUAL(f.consumed, 4);
	CU_ASSERT_EQUAL(f.data_slots, 3);
	CU_ASSERT_EQUAL_FATAL(f.nfrags, 3);
	CU_ASSERT_EQUAL(f.frags[0].idx, 254);
	CU_ASSERT_EQUAL(f.frags[1].idx, 256);
	CU_ASSERT_EQUAL(f.frags[2].idx, 257);
	CU_ASSERT_EQUAL(f.len, 4096 * 2 + 1000);
	CU_ASSERT_TRUE(f.has_gso);
	CU_ASSERT_EQUAL(f.gso.u.gso.size, 1448);
	CU_ASSERT_EQUAL(f.gso.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV6);
	/* index 256 is entry 0 of the ring */
	CU_ASSERT_EQUAL(sr.s.ring[0].rsp.status, 4096);
}

/* Extras chained with FLAG_MORE: all consumed, the GSO one kept. */
static void
test_extra_chain(void)
{
	struct rxasm_frame f;

	ring_init(0);
	rsp(0, 0, NETRXF_extra_info, 1514);
	extra(1, XEN_NETIF_EXTRA_TYPE_HASH, XEN_NETIF_EXTRA_FLAG_MORE, 0, 0);
	extra(2, XEN_NETIF_EXTRA_TYPE_GSO, 0, 1448, XEN_NETIF_GSO_TYPE_TCPV4);
	rsp(3, 0, 0, 1);	/* next frame, untouched */
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 4, &f), 0);
	CU_ASSERT_EQUAL(f.err, RXASM_OK);
	CU_ASSERT_EQUAL(f.consumed, 3);
	CU_ASSERT_EQUAL(f.nfrags, 1);
	CU_ASSERT_TRUE(f.has_gso);
	CU_ASSERT_EQUAL(f.len, 1514);
}

static void
xdp_extra(RING_IDX idx, uint8_t flags, uint16_t headroom)
{
	struct netif_extra_info ex;

	memset(&ex, 0, sizeof(ex));
	ex.type = XEN_NETIF_EXTRA_TYPE_XDP;
	ex.flags = flags;
	netif_extra_set_xdp_headroom(&ex, headroom);
	memcpy(RING_GET_RESPONSE(&ring, idx), &ex, sizeof(ex));
}

/* The XDP extra: the first offset comes from it (as netfront), and an
 * offset a correct backend would not give is noted, not dropped. */
static void
test_xdp(void)
{
	struct rxasm_frame f;

	ring_init(0);
	rsp(0, 256, NETRXF_extra_info, 60);
	xdp_extra(1, 0, 256);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 2, &f), 0);
	CU_ASSERT_EQUAL(f.err, RXASM_OK);
	CU_ASSERT_TRUE(f.has_xdp);
	CU_ASSERT_EQUAL(f.xdp_headroom, 256);
	CU_ASSERT_EQUAL(f.frags[0].offset, 256);
	CU_ASSERT_EQUAL(f.len, 60);
	CU_ASSERT_FALSE(f.bad_offset);
	CU_ASSERT_EQUAL(f.consumed, 2);

	/* Linux netback's quirk (offset 0, status headroom + len): the
	 * offset is still the extra's, and the answer is noted. */
	rsp(0, 0, NETRXF_extra_info, 316);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 2, &f), 0);
	CU_ASSERT_EQUAL(f.frags[0].offset, 256);
	CU_ASSERT_TRUE(f.bad_offset);

	/* GSO then XDP, data after both: 3840 at 256, then 4096 at 0. */
	rsp(0, 256, NETRXF_extra_info | NETRXF_more_data, 3840);
	extra(1, XEN_NETIF_EXTRA_TYPE_GSO, XEN_NETIF_EXTRA_FLAG_MORE, 1448,
	    XEN_NETIF_GSO_TYPE_TCPV4);
	xdp_extra(2, 0, 256);
	rsp(3, 0, NETRXF_more_data, 4096);
	rsp(4, 0, 0, 100);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 5, &f), 0);
	CU_ASSERT_EQUAL(f.err, RXASM_OK);
	CU_ASSERT_TRUE(f.has_gso && f.has_xdp);
	CU_ASSERT_EQUAL(f.nfrags, 3);
	CU_ASSERT_EQUAL(f.frags[1].idx, 3);
	CU_ASSERT_EQUAL(f.frags[1].offset, 0);
	CU_ASSERT_EQUAL(f.len, 3840 + 4096 + 100);
	CU_ASSERT_FALSE(f.bad_offset);
	/* A later slot not at 0 is noted too. */
	rsp(3, 256, NETRXF_more_data, 3840);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 5, &f), 0);
	CU_ASSERT_TRUE(f.bad_offset);

	/* Without the extra the first data is at 0. */
	rsp(0, 256, 0, 60);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 1, &f), 0);
	CU_ASSERT_FALSE(f.has_xdp);
	CU_ASSERT_TRUE(f.bad_offset);

	/* The headroom counts in netfront's bounds check. */
	rsp(0, 256, NETRXF_extra_info, 3841);
	xdp_extra(1, 0, 256);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 2, &f), 0);
	CU_ASSERT_EQUAL(f.err, RXASM_ERR_BOUNDS);
}

/* Table of refused answers: what is reported, what is consumed. */
static void
test_errors(void)
{
	struct rxasm_frame f;

	/* missing extra: extra_info on the last published response */
	ring_init(0);
	rsp(0, 0, NETRXF_extra_info, 100);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 1, &f), 0);
	CU_ASSERT_EQUAL(f.err, RXASM_ERR_EXTRA_MISSING);
	CU_ASSERT_EQUAL(f.consumed, 1);

	/* extra type 0 and Linux's MAX (6, one past XDP) */
	rsp(0, 0, NETRXF_extra_info, 100);
	extra(1, XEN_NETIF_EXTRA_TYPE_NONE, 0, 0, 0);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 2, &f), 0);
	CU_ASSERT_EQUAL(f.err, RXASM_ERR_EXTRA_TYPE);
	CU_ASSERT_EQUAL(f.consumed, 2);
	extra(1, XEN_NETIF_EXTRA_TYPE_XDP + 1, 0, 0, 0);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 2, &f), 0);
	CU_ASSERT_EQUAL(f.err, RXASM_ERR_EXTRA_TYPE);

	/* negative status in a later slot: the whole frame is consumed */
	rsp(0, 0, NETRXF_more_data, 4096);
	rsp(1, 0, NETRXF_more_data, NETIF_RSP_ERROR);
	rsp(2, 0, 0, 100);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 3, &f), 0);
	CU_ASSERT_EQUAL(f.err, RXASM_ERR_STATUS);
	CU_ASSERT_EQUAL(f.bad_status, NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(f.consumed, 3);

	/* a grant-copy error code in the status */
	rsp(0, 0, 0, -3);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 1, &f), 0);
	CU_ASSERT_EQUAL(f.err, RXASM_ERR_STATUS);
	CU_ASSERT_EQUAL(f.bad_status, -3);

	/* offset + status beyond the page */
	rsp(0, 4000, 0, 100);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 1, &f), 0);
	CU_ASSERT_EQUAL(f.err, RXASM_ERR_BOUNDS);
	rsp(0, 4000, 0, 96);	/* exactly to the end: fine */
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 1, &f), 0);
	CU_ASSERT_EQUAL(f.err, RXASM_OK);

	/* more_data on the last published response */
	rsp(0, 0, NETRXF_more_data, 4096);
	rsp(1, 0, NETRXF_more_data, 4096);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 2, &f), 0);
	CU_ASSERT_EQUAL(f.err, RXASM_ERR_MORE_SLOTS);
	CU_ASSERT_EQUAL(f.consumed, 2);

	/* GSO extra of size 0, and of an unknown type */
	rsp(0, 0, NETRXF_extra_info, 1514);
	extra(1, XEN_NETIF_EXTRA_TYPE_GSO, 0, 0, XEN_NETIF_GSO_TYPE_TCPV4);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 2, &f), 0);
	CU_ASSERT_EQUAL(f.err, RXASM_ERR_GSO);
	extra(1, XEN_NETIF_EXTRA_TYPE_GSO, 0, 1448, 3);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 2, &f), 0);
	CU_ASSERT_EQUAL(f.err, RXASM_ERR_GSO);
	CU_ASSERT_STRING_EQUAL(rxasm_err_str(RXASM_ERR_GSO), "gso");
	CU_ASSERT_STRING_EQUAL(rxasm_err_str(99), "unknown");
}

/* The slot limit: XEN_NETIF_NR_SLOTS_MIN (18) data slots, one more when
 * the first slot holds at most 256 bytes (netfront's max). */
static void
test_slot_limit(void)
{
	static const struct {
		unsigned int slots;
		int16_t first;
		int err;
	} t[] = {
		{ 18, 4096, RXASM_OK },
		{ 19, 4096, RXASM_ERR_TOO_MANY },
		{ 19, 256, RXASM_OK },
		{ 19, 257, RXASM_ERR_TOO_MANY },
		{ 20, 100, RXASM_ERR_TOO_MANY },
		{ 40, 4096, RXASM_ERR_TOO_MANY },
	};
	unsigned int i, k;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct rxasm_frame f;

		ring_init(100);
		for (k = 0; k < t[i].slots; k++)
			rsp(100 + k, 0, k + 1 < t[i].slots ? NETRXF_more_data :
			    0, k == 0 ? t[i].first : 4096);
		CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 100, 100 + t[i].slots,
		    &f), 0);
		CU_ASSERT_EQUAL(f.err, t[i].err);
		CU_ASSERT_EQUAL(f.consumed, t[i].slots);
		CU_ASSERT_EQUAL(f.data_slots, t[i].slots);
		CU_ASSERT(f.nfrags <= RXASM_MAX_FRAGS);
	}
}

/* A ring full of more_data: the walk stops at prod, never beyond. */
static void
test_bounded_walk(void)
{
	struct rxasm_frame f;
	unsigned int k;

	ring_init(0);
	for (k = 0; k < 256; k++)
		rsp(k, 0, NETRXF_more_data | NETRXF_extra_info, 4096);
	/* every "extra" has FLAG_MORE set too */
	for (k = 1; k < 256; k++)
		extra(k, XEN_NETIF_EXTRA_TYPE_HASH, XEN_NETIF_EXTRA_FLAG_MORE,
		    0, 0);
	CU_ASSERT_EQUAL_FATAL(rxasm_next(&ring, 0, 256, &f), 0);
	CU_ASSERT_EQUAL(f.err, RXASM_ERR_EXTRA_MISSING);
	CU_ASSERT_EQUAL(f.consumed, 256);
}

static CU_TestInfo tests[] = {
	{ "nothing published", test_empty },
	{ "single slot", test_single },
	{ "multi-slot frames back to back", test_multi_slot },
	{ "GSO extra across the wrap", test_gso_wrap },
	{ "chained extras", test_extra_chain },
	{ "refused answers", test_errors },
	{ "XDP extra and the first offset", test_xdp },
	{ "slot limit", test_slot_limit },
	{ "walk bounded by prod", test_bounded_walk },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "rxasm", NULL, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return cu_tap_run(suites);
}
