/*
 * test_vif_guest_txplan.c - the simulated netfront's TX layout: frame
 * pieces -> data slots (page cuts, the 18-slot limit and linearizing,
 * bouncing a short head, SG, the 64 KiB limit) and the requests written
 * to a ring (first slot size = total, GSO extra right after the first,
 * more_data chain, ring wrap).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cu_tap.h"
#include "frames.h"
#include "txplan.h"

/* Checks what every successful plan must satisfy. */
static void
check_invariants(const struct txplan *p)
{
	uint32_t sum = 0;
	unsigned int i;

	CU_ASSERT(p->nslots >= 1 && p->nslots <= TXPLAN_MAX_SLOTS);
	for (i = 0; i < p->nslots; i++) {
		const struct txplan_slot *s = &p->slots[i];

		CU_ASSERT(s->offset + s->size <= 4096);
		CU_ASSERT(s->size > 0);
		sum += s->size;
		if (p->linearized) {
			CU_ASSERT_EQUAL(s->piece, TXPLAN_LINEAR);
			CU_ASSERT_EQUAL(s->page, i);
			CU_ASSERT_EQUAL(s->offset, 0);
		}
	}
	CU_ASSERT_EQUAL(sum, p->total);
	CU_ASSERT(p->slots[0].size >= (p->total < 14 ? p->total : 14));
}

static void
test_single_piece(void)
{
	struct txplan_piece pc = { .off = 64, .len = 1514 };
	struct txplan p;

	CU_ASSERT_EQUAL_FATAL(txplan_build(&pc, 1, false, &p), 0);
	CU_ASSERT_EQUAL(p.nslots, 1);
	CU_ASSERT_EQUAL(p.total, 1514);
	CU_ASSERT_EQUAL(p.slots[0].offset, 64);
	CU_ASSERT_EQUAL(p.slots[0].size, 1514);
	CU_ASSERT_EQUAL(p.slots[0].page, 0);
	CU_ASSERT_FALSE(p.linearized);
	check_invariants(&p);
}

/* A piece crossing a page boundary takes one slot per page piece, and an
 * offset beyond the first page skips whole pages (xennet_make_txreqs). */
static void
test_page_cuts(void)
{
	struct txplan_piece pc[2] = {
		{ .off = 4000, .len = 200 },
		{ .off = 8192 + 10, .len = 5000 },
	};
	struct txplan p;

	CU_ASSERT_EQUAL_FATAL(txplan_build(pc, 2, true, &p), 0);
	CU_ASSERT_EQUAL_FATAL(p.nslots, 4);
	CU_ASSERT_EQUAL(p.slots[0].offset, 4000);
	CU_ASSERT_EQUAL(p.slots[0].size, 96);
	CU_ASSERT_EQUAL(p.slots[1].page, 1);
	CU_ASSERT_EQUAL(p.slots[1].offset, 0);
	CU_ASSERT_EQUAL(p.slots[1].size, 104);
	CU_ASSERT_EQUAL(p.slots[2].piece, 1);
	CU_ASSERT_EQUAL(p.slots[2].page, 2);
	CU_ASSERT_EQUAL(p.slots[2].offset, 10);
	CU_ASSERT_EQUAL(p.slots[2].size, 4086);
	CU_ASSERT_EQUAL(p.slots[3].page, 3);
	CU_ASSERT_EQUAL(p.slots[3].size, 914);
	CU_ASSERT_EQUAL(p.total, 5200);
	check_invariants(&p);
}

static void
test_empty_pieces(void)
{
	struct txplan_piece pc[3] = {
		{ .off = 0, .len = 0 }, { .off = 100, .len = 60 },
		{ .off = 0, .len = 0 },
	};
	struct txplan p;

	CU_ASSERT_EQUAL_FATAL(txplan_build(pc, 3, false, &p), 0);
	CU_ASSERT_EQUAL(p.nslots, 1);
	CU_ASSERT_EQUAL(p.slots[0].piece, 1);
	CU_ASSERT_EQUAL(p.slots[0].offset, 100);
}

/* The usual TSO skb: headers in the head, 64 KiB of payload in pages. */
static void
test_gso_layout(void)
{
	struct txplan_piece pc[2] = {
		{ .off = 64, .len = 54 }, { .off = 0, .len = 44 * 1448 },
	};
	struct txplan p;

	CU_ASSERT_EQUAL_FATAL(txplan_build(pc, 2, true, &p), 0);
	CU_ASSERT_EQUAL(p.nslots, 17);
	CU_ASSERT_EQUAL(p.total, 54 + 44 * 1448);
	CU_ASSERT_FALSE(p.linearized);
	check_invariants(&p);
	/* Without SG the same frame cannot go. */
	CU_ASSERT_EQUAL(txplan_build(pc, 2, false, &p), -EOPNOTSUPP);
}

/* Table: the 18-slot boundary (Linux MAX_XEN_SKB_FRAGS + 1). */
static void
test_slot_limit(void)
{
	static const struct {
		unsigned int pieces;	/* pieces of `len` bytes each */
		uint32_t len;
		bool linearized;
		unsigned int nslots;
	} t[] = {
		{ 17, 100, false, 17 },
		{ 18, 100, false, 18 },
		{ 19, 100, true, 1 },		/* 1900 bytes: one page */
		{ 40, 100, true, 1 },
		{ 18, 4096, false, 18 },	/* 73728 bytes: too big */
		{ 19, 3000, true, 14 },		/* 57000 bytes */
		{ 64, 1000, true, 16 },		/* 64000 bytes */
	};
	struct txplan_piece pc[TXPLAN_MAX_PIECES];
	unsigned int i, k;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct txplan p;
		int rc;

		for (k = 0; k < t[i].pieces; k++) {
			pc[k].off = 0;
			pc[k].len = t[i].len;
		}
		rc = txplan_build(pc, t[i].pieces, true, &p);
		if ((uint64_t)t[i].pieces * t[i].len > 65535) {
			CU_ASSERT_EQUAL(rc, -EMSGSIZE);
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(rc, 0);
		CU_ASSERT_EQUAL(p.linearized, t[i].linearized);
		CU_ASSERT_EQUAL(p.nslots, t[i].nslots);
		CU_ASSERT_EQUAL(p.layout_slots, t[i].pieces);
		check_invariants(&p);
	}
}

static void
test_size_limit(void)
{
	struct txplan_piece pc = { .off = 0, .len = 65535 };
	struct txplan p;

	CU_ASSERT_EQUAL_FATAL(txplan_build(&pc, 1, true, &p), 0);
	CU_ASSERT_EQUAL(p.nslots, 16);
	CU_ASSERT_EQUAL(p.slots[15].size, 65535 - 15 * 4096);
	check_invariants(&p);
	pc.len = 65536;
	CU_ASSERT_EQUAL(txplan_build(&pc, 1, true, &p), -EMSGSIZE);
	/* Also when only the sum of the pieces is too big. */
	{
		struct txplan_piece two[2] = { { 0, 40000 }, { 0, 30000 } };

		CU_ASSERT_EQUAL(txplan_build(two, 2, true, &p), -EMSGSIZE);
	}
}

static void
test_bad_input(void)
{
	struct txplan_piece pc[TXPLAN_MAX_PIECES + 1];
	struct txplan p;

	memset(pc, 0, sizeof(pc));
	CU_ASSERT_EQUAL(txplan_build(pc, 0, true, &p), -EINVAL);
	CU_ASSERT_EQUAL(txplan_build(pc, 2, true, &p), -EINVAL); /* 0 bytes */
	pc[0].len = 60;
	CU_ASSERT_EQUAL(txplan_build(pc, TXPLAN_MAX_PIECES + 1, true, &p),
	    -EINVAL);
}

/* A head with less than ETH_HLEN left in its page is bounced. */
static void
test_bounce(void)
{
	struct txplan_piece pc[2] = {
		{ .off = 4090, .len = 100 }, { .off = 0, .len = 100 },
	};
	struct txplan p;

	CU_ASSERT_EQUAL_FATAL(txplan_build(pc, 2, true, &p), 0);
	CU_ASSERT_TRUE(p.bounced);
	CU_ASSERT_TRUE(p.linearized);
	CU_ASSERT_EQUAL(p.nslots, 1);
	CU_ASSERT_EQUAL(p.slots[0].size, 200);
	check_invariants(&p);
	/* Bounced without SG still fits one page: allowed. */
	CU_ASSERT_EQUAL(txplan_build(pc, 2, false, &p), 0);
	/* A 14-byte room is enough. */
	pc[0].off = 4096 - 14;
	CU_ASSERT_EQUAL_FATAL(txplan_build(pc, 2, true, &p), 0);
	CU_ASSERT_FALSE(p.bounced);
	CU_ASSERT_EQUAL(p.slots[0].size, 14);
	/* A short head piece of its own is bounced too. */
	pc[0].off = 0;
	pc[0].len = 10;
	CU_ASSERT_EQUAL_FATAL(txplan_build(pc, 2, true, &p), 0);
	CU_ASSERT_TRUE(p.bounced);
	CU_ASSERT_EQUAL(p.slots[0].size, 110);
	/* A frame shorter than 14 bytes is what it is. */
	pc[0].len = 10;
	CU_ASSERT_EQUAL_FATAL(txplan_build(pc, 1, true, &p), 0);
	CU_ASSERT_FALSE(p.bounced);
	CU_ASSERT_EQUAL(p.total, 10);
}

/* Random layouts: every plan keeps the invariants, or is refused for a
 * documented reason. */
static void
test_random_layouts(void)
{
	uint64_t seed = 0x5eed1234abcdULL;
	unsigned int iter, ok = 0;

	for (iter = 0; iter < 20000; iter++) {
		struct txplan_piece pc[TXPLAN_MAX_PIECES];
		unsigned int n = 1 + (unsigned int)(prng_next(&seed) % 30), k;
		uint64_t total = 0;
		struct txplan p;
		bool sg = prng_next(&seed) & 1;
		int rc;

		for (k = 0; k < n; k++) {
			pc[k].off = (uint32_t)(prng_next(&seed) % 12000);
			pc[k].len = (uint32_t)(prng_next(&seed) %
			    ((prng_next(&seed) & 3) ? 200 : 9000));
			total += pc[k].len;
		}
		rc = txplan_build(pc, n, sg, &p);
		if (total == 0) {
			CU_ASSERT_EQUAL(rc, -EINVAL);
		} else if (total > 65535) {
			CU_ASSERT_EQUAL(rc, -EMSGSIZE);
		} else if (rc == -EOPNOTSUPP) {
			CU_ASSERT_FALSE(sg);
		} else {
			CU_ASSERT_EQUAL_FATAL(rc, 0);
			check_invariants(&p);
			CU_ASSERT(sg || p.nslots == 1);
			CU_ASSERT_EQUAL(p.linearized,
			    p.layout_slots > TXPLAN_MAX_SLOTS || p.bounced);
			ok++;
		}
	}
	CU_ASSERT(ok > 1000);
}

/* ---- requests on the ring ---------------------------------------------- */

struct test_ring {
	union {
		netif_tx_sring_t s;
		uint8_t page[4096];
	} u;
	netif_tx_front_ring_t fr;
};

static void
ring_init(struct test_ring *r, RING_IDX start)
{
	memset(r, 0xa5, sizeof(*r));
	SHARED_RING_INIT(&r->u.s);
	FRONT_RING_ATTACH(&r->fr, &r->u.s, start, sizeof(r->u.page));
	r->u.s.req_prod = start;
	r->u.s.rsp_prod = start;
}

/* A 17-slot GSO frame written across the ring's wrap point. */
static void
test_ring_gso_wrap(void)
{
	static struct test_ring r;
	struct txplan_piece pc[2] = {
		{ .off = 64, .len = 54 }, { .off = 0, .len = 44 * 1448 },
	};
	struct txplan_ref refs[TXPLAN_MAX_SLOTS];
	struct netif_extra_info gso;
	struct txplan p;
	const netif_tx_request_t *tx;
	const struct netif_extra_info *ex;
	unsigned int i, n;
	RING_IDX start = 250;

	ring_init(&r, start);
	CU_ASSERT_EQUAL_FATAL(RING_SIZE(&r.fr), 256);
	CU_ASSERT_EQUAL_FATAL(txplan_build(pc, 2, true, &p), 0);
	for (i = 0; i < p.nslots; i++) {
		refs[i].gref = 1000 + i;
		refs[i].id = (uint16_t)(200 + i);
	}
	memset(&gso, 0, sizeof(gso));
	gso.type = XEN_NETIF_EXTRA_TYPE_GSO;
	gso.u.gso.size = 1448;
	gso.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
	CU_ASSERT_EQUAL(txplan_ring_slots(&p, true), 18);
	n = txplan_to_ring(&r.fr, &p, refs,
	    NETTXF_csum_blank | NETTXF_data_validated, &gso);
	CU_ASSERT_EQUAL(n, 18);
	CU_ASSERT_EQUAL(r.fr.req_prod_pvt, start + 18);
	CU_ASSERT_EQUAL(r.u.s.req_prod, start);	/* not pushed */

	tx = RING_GET_REQUEST(&r.fr, start);
	CU_ASSERT_EQUAL(tx->size, p.total);
	CU_ASSERT_EQUAL(tx->offset, 64);
	CU_ASSERT_EQUAL(tx->gref, 1000);
	CU_ASSERT_EQUAL(tx->id, 200);
	CU_ASSERT_EQUAL(tx->flags, NETTXF_csum_blank | NETTXF_data_validated |
	    NETTXF_more_data | NETTXF_extra_info);

	ex = (const struct netif_extra_info *)RING_GET_REQUEST(&r.fr,
	    start + 1);
	CU_ASSERT_EQUAL(ex->type, XEN_NETIF_EXTRA_TYPE_GSO);
	CU_ASSERT_EQUAL(ex->flags, 0);
	CU_ASSERT_EQUAL(ex->u.gso.size, 1448);
	CU_ASSERT_EQUAL(ex->u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
	CU_ASSERT_EQUAL(ex->u.gso.pad, 0);
	CU_ASSERT_EQUAL(ex->u.gso.features, 0);

	for (i = 1; i < p.nslots; i++) {
		/* Slots 252.. wrap to ring entries 0.. after 255. */
		tx = RING_GET_REQUEST(&r.fr, start + 1 + i);
		CU_ASSERT_EQUAL(tx->gref, 1000 + i);
		CU_ASSERT_EQUAL(tx->id, 200 + i);
		CU_ASSERT_EQUAL(tx->size, p.slots[i].size);
		CU_ASSERT_EQUAL(tx->offset, p.slots[i].offset);
		CU_ASSERT_EQUAL(tx->flags, i + 1 < p.nslots ?
		    NETTXF_more_data : 0);
	}
	/* The wrapped ones really are at the start of the ring. */
	CU_ASSERT_EQUAL(r.u.s.ring[0].req.gref, 1000 + 5);
}

static void
test_ring_single(void)
{
	static struct test_ring r;
	struct txplan_piece pc = { .off = 128, .len = 60 };
	struct txplan_ref ref = { .gref = 77, .id = 3 };
	struct txplan p;
	const netif_tx_request_t *tx;

	ring_init(&r, 0);
	CU_ASSERT_EQUAL_FATAL(txplan_build(&pc, 1, false, &p), 0);
	CU_ASSERT_EQUAL(txplan_ring_slots(&p, false), 1);
	/* Only checksum flags are taken from the caller. */
	CU_ASSERT_EQUAL(txplan_to_ring(&r.fr, &p, &ref,
	    NETTXF_data_validated | NETTXF_more_data, NULL), 1);
	tx = RING_GET_REQUEST(&r.fr, 0);
	CU_ASSERT_EQUAL(tx->flags, NETTXF_data_validated);
	CU_ASSERT_EQUAL(tx->size, 60);
	CU_ASSERT_EQUAL(tx->offset, 128);
	CU_ASSERT_EQUAL(tx->gref, 77);
	CU_ASSERT_EQUAL(tx->id, 3);
}

/* A linearized frame's slots go out in page order from offset 0. */
static void
test_ring_linearized(void)
{
	static struct test_ring r;
	struct txplan_piece pc[30];
	struct txplan_ref refs[TXPLAN_MAX_SLOTS];
	struct txplan p;
	unsigned int i;
	uint32_t sum = 0;

	for (i = 0; i < 30; i++) {
		pc[i].off = 100;
		pc[i].len = 500;
	}
	ring_init(&r, 0);
	CU_ASSERT_EQUAL_FATAL(txplan_build(pc, 30, true, &p), 0);
	CU_ASSERT_TRUE(p.linearized);
	CU_ASSERT_EQUAL_FATAL(p.nslots, 4);	/* 15000 bytes */
	for (i = 0; i < p.nslots; i++)
		refs[i] = (struct txplan_ref){ .gref = 10 + i,
		    .id = (uint16_t)i };
	CU_ASSERT_EQUAL(txplan_to_ring(&r.fr, &p, refs, 0, NULL), 4);
	for (i = 1; i < 4; i++) {
		const netif_tx_request_t *tx = RING_GET_REQUEST(&r.fr, i);

		CU_ASSERT_EQUAL(tx->offset, 0);
		sum += tx->size;
	}
	CU_ASSERT_EQUAL(RING_GET_REQUEST(&r.fr, 0)->size, 15000);
	/* first slot data = total - the rest, as netback computes it */
	CU_ASSERT_EQUAL(15000 - sum, 4096);
}

static CU_TestInfo plan_tests[] = {
	{ "single piece", test_single_piece },
	{ "page cuts and skipped pages", test_page_cuts },
	{ "empty pieces take no slot", test_empty_pieces },
	{ "64 KiB GSO layout", test_gso_layout },
	{ "18-slot limit, linearize", test_slot_limit },
	{ "65535-byte limit", test_size_limit },
	{ "bad input", test_bad_input },
	{ "short head is bounced", test_bounce },
	{ "random layouts keep the invariants", test_random_layouts },
	CU_TEST_INFO_NULL
};

static CU_TestInfo ring_tests[] = {
	{ "GSO frame across the wrap", test_ring_gso_wrap },
	{ "single slot", test_ring_single },
	{ "linearized frame", test_ring_linearized },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "txplan", NULL, NULL, NULL, NULL, plan_tests },
	{ "txplan ring", NULL, NULL, NULL, NULL, ring_tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return cu_tap_run(suites);
}
