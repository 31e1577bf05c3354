/*
 * test_tx.c - the guest-TX pure core against in-memory rings.
 *
 * The fixture is FreeBSD netback_unit_tests.c's idea: one page holds the
 * shared TX ring, initialised with SHARED_RING_INIT and seen through both
 * a front and a back ring. The test plays the frontend (RING_GET_REQUEST
 * on the front ring, RING_PUSH_REQUESTS), then runs the backend functions
 * the way the queue worker does: tx_ring_check, tx_copy_slots, then
 * tx_ring2pkt per packet, tx_pkt2copyops, a grant copy against fake guest
 * pages, tx_pkt_copy_status and tx_pkt2rsp.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu_tap.h"
#include "core/mcast.h"
#include "core/featmask.h"
#include "core/tx.h"

#define PAGE		4096u
#define DOMID		7
#define NGUEST_PAGES	32	/* fake guest grants 0..31 */
#define BAD_GREF	1000	/* a grant the fake copy refuses */

/* ---- fixture: one shared ring page, front and back views --------- */

static uint8_t *ring_page;
static netif_tx_sring_t *sring;
static netif_tx_front_ring_t front;
static netif_tx_back_ring_t back;
static uint8_t gpage[NGUEST_PAGES][PAGE];	/* the guest's granted pages */

static int
suite_init(void)
{
	ring_page = aligned_alloc(PAGE, PAGE);
	return ring_page == NULL ? -1 : 0;
}

static int
suite_fini(void)
{
	free(ring_page);
	ring_page = NULL;
	return 0;
}

/* A fresh ring whose indices all start at `start` (to test wrap-around). */
static void
ring_reset(RING_IDX start)
{
	unsigned int p, b;

	memset(ring_page, 0xa5, PAGE);	/* stale garbage in every slot */
	sring = (netif_tx_sring_t *)ring_page;
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&front, sring, PAGE);
	BACK_RING_INIT(&back, sring, PAGE);
	sring->req_prod = sring->rsp_prod = start;
	front.req_prod_pvt = front.rsp_cons = start;
	back.req_cons = back.rsp_prod_pvt = start;
	for (p = 0; p < NGUEST_PAGES; p++)
		for (b = 0; b < PAGE; b++)
			gpage[p][b] = (uint8_t)(p * 31 + b * 7 + (b >> 8));
}

static void
push_req(grant_ref_t gref, uint16_t offset, uint16_t flags, uint16_t id,
    uint16_t size)
{
	netif_tx_request_t *r = RING_GET_REQUEST(&front, front.req_prod_pvt);

	front.req_prod_pvt++;
	r->gref = gref;
	r->offset = offset;
	r->flags = flags;
	r->id = id;
	r->size = size;
}

static struct netif_extra_info *
push_extra(uint8_t type, uint8_t flags)
{
	struct netif_extra_info *e = (struct netif_extra_info *)
	    RING_GET_REQUEST(&front, front.req_prod_pvt);

	front.req_prod_pvt++;
	memset(e, 0, sizeof(union netif_tx_sring_entry));
	e->type = type;
	e->flags = flags;
	return e;
}

static void
push_gso(uint8_t flags, uint8_t gso_type, uint16_t mss)
{
	struct netif_extra_info *e = push_extra(XEN_NETIF_EXTRA_TYPE_GSO,
	    flags);

	e->u.gso.type = gso_type;
	e->u.gso.size = mss;
}

static void
publish(void)
{
	RING_PUSH_REQUESTS(&front);
}

/* ---- the backend side, as the worker runs it ---------------------- */

struct sweep {
	unsigned int avail;		/* tx_ring_check's answer */
	unsigned int npkts;
	unsigned int consumed;		/* slots */
	int fatal;			/* TX_FATAL_* that stopped it, or 0 */
	union tx_slot slots[256];
	struct tx_pkt pkts[256];
};

static struct sweep sw;

/*
 * Reads req_prod, checks it, copies the slots, parses every packet and
 * consumes them (req_cons) until the end or a fatal error. Returns
 * tx_ring_check's result.
 */
static int
sweep_run(void)
{
	RING_IDX req_prod = sring->req_prod;
	int n, r;

	xen_rmb();
	memset(&sw, 0, sizeof(sw));
	n = tx_ring_check(&back, req_prod);
	if (n < 0)
		return n;
	sw.avail = (unsigned int)n;
	tx_copy_slots(&back, back.req_cons, sw.avail, sw.slots);
	while (sw.consumed < sw.avail) {
		r = tx_ring2pkt(sw.slots + sw.consumed, sw.avail - sw.consumed,
		    back.req_cons + sw.consumed, &sw.pkts[sw.npkts], &sw.fatal);
		if (r < 0) {
			CU_ASSERT_EQUAL(r, -EPROTO);
			CU_ASSERT(sw.fatal > TX_FATAL_NONE &&
			    sw.fatal < TX_FATAL_MAX);
			break;
		}
		CU_ASSERT_EQUAL(sw.fatal, TX_FATAL_NONE);
		CU_ASSERT(r > 0);
		if (r <= 0)
			break;
		CU_ASSERT_EQUAL((unsigned int)r, sw.pkts[sw.npkts].nslots);
		sw.consumed += (unsigned int)r;
		sw.npkts++;
	}
	back.req_cons += sw.consumed;
	return n;
}

/* The fake hypervisor: grant copy from gpage[ref] into local memory. */
static void
fake_grant_copy(struct xen_copy_seg *segs, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		struct xen_copy_seg *s = &segs[k];

		CU_ASSERT_EQUAL(s->flags, GNTCOPY_source_gref);
		CU_ASSERT_EQUAL(s->source.foreign.domid, DOMID);
		if (s->source.foreign.ref >= NGUEST_PAGES) {
			s->status = GNTST_bad_gntref;
			continue;
		}
		if ((unsigned int)s->source.foreign.offset + s->len > PAGE) {
			s->status = GNTST_bad_copy_arg;
			continue;
		}
		memcpy(s->dest.virt, &gpage[s->source.foreign.ref]
		    [s->source.foreign.offset], s->len);
		s->status = GNTST_okay;
	}
}

/* Responses as the frontend will read them: from rsp_prod's old value. */
static netif_tx_response_t
rsp_at(RING_IDX idx)
{
	return *RING_GET_RESPONSE(&back, idx);
}

/* Answers every parsed packet with `status` (or its own verdict). */
static void
answer_all(int16_t status)
{
	unsigned int k;

	for (k = 0; k < sw.npkts; k++)
		tx_pkt2rsp(&sw.pkts[k], &back, sw.pkts[k].drop ?
		    NETIF_RSP_ERROR : status);
	RING_PUSH_RESPONSES(&back);
}

/* The bytes the guest put in a slot, for comparisons. */
static const uint8_t *
gbytes(grant_ref_t gref, uint16_t offset)
{
	return &gpage[gref][offset];
}

/* ---- ring level ---------------------------------------------------- */

static void
test_empty_ring(void)
{
	struct tx_pkt pkt;
	int fatal = 99;

	ring_reset(0);
	CU_ASSERT_EQUAL(sweep_run(), 0);
	CU_ASSERT_EQUAL(sw.npkts, 0);
	CU_ASSERT_EQUAL(tx_ring2pkt(sw.slots, 0, 0, &pkt, &fatal), 0);
	CU_ASSERT_EQUAL(fatal, TX_FATAL_NONE);
	CU_ASSERT_EQUAL(back.req_cons, 0);
}

static void
test_ring_check(void)
{
	static const RING_IDX starts[] = { 0, 100, 0xffffff00u, 0xfffffffeu };
	unsigned int k;

	for (k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
		RING_IDX s = starts[k];

		ring_reset(s);
		CU_ASSERT_EQUAL(RING_SIZE(&back), 256);
		CU_ASSERT_EQUAL(tx_ring_check(&back, s), 0);
		CU_ASSERT_EQUAL(tx_ring_check(&back, s + 1), 1);
		CU_ASSERT_EQUAL(tx_ring_check(&back, s + 256), 256);
		CU_ASSERT_EQUAL(tx_ring_check(&back, s + 257), -EPROTO);
		CU_ASSERT_EQUAL(tx_ring_check(&back, s - 1), -EPROTO);
		CU_ASSERT_EQUAL(tx_ring_check(&back, s + 0x80000000u),
		    -EPROTO);
		/* Consumed but not yet answered: fewer may be consumed. */
		back.req_cons = s + 10;
		CU_ASSERT_EQUAL(tx_ring_check(&back, s + 256), 246);
		CU_ASSERT_EQUAL(tx_ring_check(&back, s + 20), 10);
		/* More published than there is room to answer: clamped to
		 * the free response slots, as XEN_RING_NR_UNCONSUMED_REQUESTS
		 * does (Linux only calls req_prod - req_cons > RING_SIZE
		 * fatal). */
		CU_ASSERT_EQUAL(tx_ring_check(&back, s + 260), 246);
		CU_ASSERT_EQUAL(tx_ring_check(&back, s + 267), -EPROTO);
	}
	/* The whole sweep refuses to parse anything. */
	ring_reset(5);
	sring->req_prod = 5 + 300;
	CU_ASSERT_EQUAL(sweep_run(), -EPROTO);
	CU_ASSERT_EQUAL(back.req_cons, 5);
}

static void
test_copy_slots(void)
{
	union tx_slot out[6];
	struct netif_extra_info *e;
	unsigned int k;

	ring_reset(0xfffffffdu);	/* crosses 2^32 and slot 255 -> 0 */
	for (k = 0; k < 3; k++)
		push_req(k, (uint16_t)(k * 10), NETTXF_more_data,
		    (uint16_t)(100 + k), (uint16_t)(k + 1));
	e = push_extra(XEN_NETIF_EXTRA_TYPE_HASH, 0);
	e->u.hash.value[0] = 0x42;
	push_req(9, 9, 0, 109, 9);
	push_req(10, 10, 0, 110, 10);
	publish();
	CU_ASSERT_EQUAL(tx_ring_check(&back, sring->req_prod), 6);
	tx_copy_slots(&back, back.req_cons, 6, out);
	for (k = 0; k < 3; k++) {
		CU_ASSERT_EQUAL(out[k].req.gref, k);
		CU_ASSERT_EQUAL(out[k].req.offset, k * 10);
		CU_ASSERT_EQUAL(out[k].req.id, 100 + k);
		CU_ASSERT_EQUAL(out[k].req.size, k + 1);
	}
	CU_ASSERT_EQUAL(out[3].extra.type, XEN_NETIF_EXTRA_TYPE_HASH);
	CU_ASSERT_EQUAL(out[3].extra.u.hash.value[0], 0x42);
	CU_ASSERT_EQUAL(out[4].req.id, 109);
	CU_ASSERT_EQUAL(out[5].req.id, 110);
	/* A local copy: the frontend rewriting the ring changes nothing. */
	RING_GET_REQUEST(&front, 0xfffffffdu)->size = 999;
	CU_ASSERT_EQUAL(out[0].req.size, 1);
	CU_ASSERT_EQUAL(sizeof(union tx_slot), 12);
}

/* ---- simple packets -------------------------------------------------- */

static void
test_one_slot(void)
{
	struct xen_copy_seg segs[4];
	uint8_t buf[TX_MAX_PKT_LEN];
	struct tx_pkt *p;

	ring_reset(0);
	push_req(3, 100, NETTXF_csum_blank, 7, 60);
	publish();
	CU_ASSERT_EQUAL(sweep_run(), 1);
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 1);
	p = &sw.pkts[0];
	CU_ASSERT_EQUAL(p->start, 0);
	CU_ASSERT_EQUAL(p->nslots, 1);
	CU_ASSERT_EQUAL(p->ndata, 1);
	CU_ASSERT_EQUAL(p->nextras, 0);
	CU_ASSERT_EQUAL(p->flags, NETTXF_csum_blank);
	CU_ASSERT_EQUAL(p->len, 60);
	CU_ASSERT_EQUAL(p->drop, TX_DROP_NONE);
	CU_ASSERT_FALSE(p->mcast);
	CU_ASSERT_FALSE(p->has_gso);
	CU_ASSERT_EQUAL_FATAL(p->nfrags, 1);
	CU_ASSERT_EQUAL(p->frags[0].gref, 3);
	CU_ASSERT_EQUAL(p->frags[0].offset, 100);
	CU_ASSERT_EQUAL(p->frags[0].size, 60);
	CU_ASSERT_EQUAL(p->frags[0].pkt_off, 0);
	CU_ASSERT_EQUAL(tx_pkt2copyops(p, DOMID, buf, segs, 4), 1);
	fake_grant_copy(segs, 1);
	CU_ASSERT_EQUAL(tx_pkt_copy_status(p, segs), GNTST_okay);
	CU_ASSERT_EQUAL(memcmp(buf, gbytes(3, 100), 60), 0);
	answer_all(NETIF_RSP_OKAY);
	CU_ASSERT_EQUAL(back.rsp_prod_pvt, 1);
	CU_ASSERT_EQUAL(sring->rsp_prod, 1);
	CU_ASSERT_EQUAL(rsp_at(0).id, 7);
	CU_ASSERT_EQUAL(rsp_at(0).status, NETIF_RSP_OKAY);
	CU_ASSERT_EQUAL(back.req_cons, 1);
}

static void
test_two_slots(void)
{
	struct xen_copy_seg segs[4];
	uint8_t buf[TX_MAX_PKT_LEN];
	struct tx_pkt *p;

	ring_reset(0);
	push_req(1, 0, NETTXF_more_data, 11, 1000);	/* total 1000 */
	push_req(2, 50, 0, 12, 400);
	publish();
	sweep_run();
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 1);
	p = &sw.pkts[0];
	CU_ASSERT_EQUAL(p->nslots, 2);
	CU_ASSERT_EQUAL(p->len, 1000);
	CU_ASSERT_EQUAL_FATAL(p->nfrags, 2);
	CU_ASSERT_EQUAL(p->frags[0].size, 600);
	CU_ASSERT_EQUAL(p->frags[1].size, 400);
	CU_ASSERT_EQUAL(p->frags[1].pkt_off, 600);
	CU_ASSERT_EQUAL(tx_pkt2copyops(p, DOMID, buf, segs, 4), 2);
	fake_grant_copy(segs, 2);
	CU_ASSERT_EQUAL(tx_pkt_copy_status(p, segs), 0);
	CU_ASSERT_EQUAL(memcmp(buf, gbytes(1, 0), 600), 0);
	CU_ASSERT_EQUAL(memcmp(buf + 600, gbytes(2, 50), 400), 0);
	answer_all(NETIF_RSP_OKAY);
	CU_ASSERT_EQUAL(back.rsp_prod_pvt, 2);
	CU_ASSERT_EQUAL(rsp_at(0).id, 11);
	CU_ASSERT_EQUAL(rsp_at(1).id, 12);
	CU_ASSERT_EQUAL(rsp_at(1).status, NETIF_RSP_OKAY);
}

/* One packet of three slots: 1000 bytes at offset 3000 of gref 4, 4000
 * at offset 96 of gref 5 (ending at 4096), an empty tail slot. */
static struct tx_pkt *
three_slot_pkt(void)
{
	ring_reset(0);
	push_req(4, 3000, NETTXF_more_data, 1, 5000);	/* first frag 1000 */
	push_req(5, 96, NETTXF_more_data, 2, 4000);	/* ends at 4096 */
	push_req(6, 0, 0, 3, 0);			/* empty tail */
	publish();
	sweep_run();
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 1);
	return &sw.pkts[0];
}

/* A packet's head, then its rest: the two ranges make the whole packet,
 * each fragment cut where the ranges meet. */
static void
test_copyops_range(void)
{
	struct xen_copy_seg segs[8];
	static uint8_t buf[TX_MAX_PKT_LEN];
	struct tx_pkt *p;

	p = three_slot_pkt();
	memset(buf, 0, sizeof(buf));
	/* The head inside the first fragment: one segment. */
	CU_ASSERT_EQUAL(tx_pkt2copyops_range(p, DOMID, buf, 0, 256, segs, 8),
	    1);
	CU_ASSERT_EQUAL(segs[0].len, 256);
	CU_ASSERT_EQUAL(segs[0].source.foreign.offset, 3000);
	fake_grant_copy(segs, 1);
	/* The rest: the first fragment's tail and the second whole. */
	CU_ASSERT_EQUAL(tx_pkt2copyops_range(p, DOMID, buf, 256, p->len, segs,
	    1), -ENOSPC);
	CU_ASSERT_EQUAL(tx_pkt2copyops_range(p, DOMID, buf, 256, p->len, segs,
	    8), 2);
	CU_ASSERT_EQUAL(segs[0].source.foreign.ref, 4);
	CU_ASSERT_EQUAL(segs[0].source.foreign.offset, 3256);
	CU_ASSERT_EQUAL(segs[0].len, 744);
	CU_ASSERT_PTR_EQUAL(segs[0].dest.virt, buf + 256);
	CU_ASSERT_EQUAL(segs[1].source.foreign.offset, 96);
	CU_ASSERT_EQUAL(segs[1].len, 4000);
	CU_ASSERT_PTR_EQUAL(segs[1].dest.virt, buf + 1000);
	fake_grant_copy(segs, 2);
	CU_ASSERT_EQUAL(memcmp(buf, gbytes(4, 3000), 1000), 0);
	CU_ASSERT_EQUAL(memcmp(buf + 1000, gbytes(5, 96), 4000), 0);
	/* A range across the boundary, past the end, and empty. */
	CU_ASSERT_EQUAL(tx_pkt2copyops_range(p, DOMID, buf, 900, 1100, segs,
	    8), 2);
	CU_ASSERT(segs[0].len == 100 && segs[1].len == 100);
	CU_ASSERT_EQUAL(segs[1].source.foreign.offset, 96);
	CU_ASSERT_EQUAL(tx_pkt2copyops_range(p, DOMID, buf, 4000, 99999, segs,
	    8), 1);
	CU_ASSERT_EQUAL(segs[0].len, 1000);
	CU_ASSERT_EQUAL(tx_pkt2copyops_range(p, DOMID, buf, 5000, 99999, segs,
	    8), 0);
	answer_all(NETIF_RSP_OKAY);
}

static void
test_three_slots_copyops(void)
{
	struct xen_copy_seg segs[8];
	uint8_t buf[TX_MAX_PKT_LEN];
	struct tx_pkt *p;
	int k;

	p = three_slot_pkt();
	CU_ASSERT_EQUAL(p->nslots, 3);
	CU_ASSERT_EQUAL(p->ndata, 3);
	CU_ASSERT_EQUAL_FATAL(p->nfrags, 2);
	/* Too few segments: nothing written. */
	memset(segs, 0, sizeof(segs));
	CU_ASSERT_EQUAL(tx_pkt2copyops(p, DOMID, buf, segs, 1), -ENOSPC);
	CU_ASSERT_EQUAL(segs[0].len, 0);
	CU_ASSERT_EQUAL(tx_pkt2copyops(p, DOMID, buf, segs, 2), 2);
	CU_ASSERT_EQUAL(segs[0].source.foreign.ref, 4);
	CU_ASSERT_EQUAL(segs[0].source.foreign.offset, 3000);
	CU_ASSERT_EQUAL(segs[0].source.foreign.domid, DOMID);
	CU_ASSERT_EQUAL(segs[0].len, 1000);
	CU_ASSERT_PTR_EQUAL(segs[0].dest.virt, buf);
	CU_ASSERT_EQUAL(segs[0].flags, GNTCOPY_source_gref);
	CU_ASSERT_EQUAL(segs[0].status, GNTST_general_error);
	CU_ASSERT_EQUAL(segs[1].source.foreign.ref, 5);
	CU_ASSERT_EQUAL(segs[1].source.foreign.offset, 96);
	CU_ASSERT_EQUAL(segs[1].len, 4000);
	CU_ASSERT_PTR_EQUAL(segs[1].dest.virt, buf + 1000);
	/* Not yet copied: the preset status is an error. */
	CU_ASSERT_EQUAL(tx_pkt_copy_status(p, segs), GNTST_general_error);
	fake_grant_copy(segs, 2);
	CU_ASSERT_EQUAL(tx_pkt_copy_status(p, segs), GNTST_okay);
	CU_ASSERT_EQUAL(memcmp(buf, gbytes(4, 3000), 1000), 0);
	CU_ASSERT_EQUAL(memcmp(buf + 1000, gbytes(5, 96), 4000), 0);
	answer_all(NETIF_RSP_OKAY);
	for (k = 0; k < 3; k++) {
		CU_ASSERT_EQUAL(rsp_at((RING_IDX)k).id, k + 1);
		CU_ASSERT_EQUAL(rsp_at((RING_IDX)k).status, NETIF_RSP_OKAY);
	}
}

static void
test_max_packet(void)
{
	static uint8_t buf[TX_MAX_PKT_LEN];
	struct xen_copy_seg segs[TX_MAX_SEGS_PER_PKT];
	struct tx_pkt *p;
	unsigned int k;
	int n;

	/* 65535 = 4095 + 15 * 4096: the largest packet netif can express. */
	ring_reset(0);
	push_req(0, 1, NETTXF_more_data, 0, 65535);
	for (k = 1; k <= 15; k++)
		push_req(k, 0, k < 15 ? NETTXF_more_data : 0, (uint16_t)k,
		    4096);
	publish();
	sweep_run();
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 1);
	p = &sw.pkts[0];
	CU_ASSERT_EQUAL(p->drop, TX_DROP_NONE);
	CU_ASSERT_EQUAL(p->len, 65535);
	CU_ASSERT_EQUAL(p->nfrags, 16);
	n = tx_pkt2copyops(p, DOMID, buf, segs, TX_MAX_SEGS_PER_PKT);
	CU_ASSERT_EQUAL_FATAL(n, 16);
	fake_grant_copy(segs, (unsigned int)n);
	CU_ASSERT_EQUAL(tx_pkt_copy_status(p, segs), 0);
	CU_ASSERT_EQUAL(memcmp(buf, gbytes(0, 1), 4095), 0);
	for (k = 1; k <= 15; k++)
		CU_ASSERT_EQUAL(memcmp(buf + 4095 + (k - 1) * 4096,
		    gbytes(k, 0), 4096), 0);
}

/* ---- extras ---------------------------------------------------------- */

static void
test_gso_v4_v6(void)
{
	static const uint8_t types[] = { XEN_NETIF_GSO_TYPE_TCPV4,
	    XEN_NETIF_GSO_TYPE_TCPV6 };
	unsigned int k;

	for (k = 0; k < 2; k++) {
		struct tx_pkt *p;

		ring_reset(0);
		push_req(1, 0, NETTXF_extra_info | NETTXF_csum_blank |
		    NETTXF_more_data, 21, 3000);
		push_gso(0, types[k], 1448);
		push_req(2, 0, 0, 22, 1500);
		publish();
		sweep_run();
		CU_ASSERT_EQUAL_FATAL(sw.npkts, 1);
		p = &sw.pkts[0];
		CU_ASSERT_EQUAL(p->nslots, 3);
		CU_ASSERT_EQUAL(p->nextras, 1);
		CU_ASSERT_EQUAL(p->ndata, 2);
		CU_ASSERT_TRUE(p->has_gso);
		CU_ASSERT_EQUAL(p->gso.u.gso.type, types[k]);
		CU_ASSERT_EQUAL(p->gso.u.gso.size, 1448);
		CU_ASSERT_EQUAL(p->len, 3000);
		CU_ASSERT_EQUAL(p->nfrags, 2);
		CU_ASSERT_EQUAL(p->frags[0].size, 1500);
		answer_all(NETIF_RSP_OKAY);
		CU_ASSERT_EQUAL(back.rsp_prod_pvt, 3);
		CU_ASSERT_EQUAL(rsp_at(0).id, 21);
		CU_ASSERT_EQUAL(rsp_at(0).status, NETIF_RSP_OKAY);
		CU_ASSERT_EQUAL(rsp_at(1).status, NETIF_RSP_NULL);
		CU_ASSERT_EQUAL(rsp_at(2).id, 22);
		CU_ASSERT_EQUAL(rsp_at(2).status, NETIF_RSP_OKAY);
	}
}

/* One packet: first slot + the extras the caller pushed + nothing. */
static void
expect_fatal(int reason)
{
	RING_IDX cons = back.req_cons;

	sweep_run();
	CU_ASSERT_EQUAL(sw.fatal, reason);
	CU_ASSERT_EQUAL(sw.npkts, 0);
	CU_ASSERT_EQUAL(back.req_cons, cons);	/* nothing consumed */
}

static void
test_extra_bad_type(void)
{
	static const uint8_t bad[] = { XEN_NETIF_EXTRA_TYPE_NONE,
	    XEN_NETIF_EXTRA_TYPE_MAX, XEN_NETIF_EXTRA_TYPE_MAX + 1, 255 };
	unsigned int k;

	for (k = 0; k < sizeof(bad); k++) {
		ring_reset(0);
		push_req(1, 0, NETTXF_extra_info, 1, 60);
		push_extra(bad[k], 0);
		publish();
		expect_fatal(TX_FATAL_EXTRA_TYPE);
	}
	/* A bad type later in a chain is just as fatal. */
	ring_reset(0);
	push_req(1, 0, NETTXF_extra_info, 1, 60);
	push_gso(XEN_NETIF_EXTRA_FLAG_MORE, XEN_NETIF_GSO_TYPE_TCPV4, 1448);
	push_extra(0, 0);
	publish();
	expect_fatal(TX_FATAL_EXTRA_TYPE);
}

static void
test_gso_bad(void)
{
	/* MSS 0. */
	ring_reset(0);
	push_req(1, 0, NETTXF_extra_info, 1, 60);
	push_gso(0, XEN_NETIF_GSO_TYPE_TCPV4, 0);
	publish();
	expect_fatal(TX_FATAL_GSO_SIZE);
	/* GSO type NONE and an unknown one. */
	ring_reset(0);
	push_req(1, 0, NETTXF_extra_info, 1, 60);
	push_gso(0, XEN_NETIF_GSO_TYPE_NONE, 1448);
	publish();
	expect_fatal(TX_FATAL_GSO_TYPE);
	ring_reset(0);
	push_req(1, 0, NETTXF_extra_info, 1, 60);
	push_gso(0, 3, 1448);
	publish();
	expect_fatal(TX_FATAL_GSO_TYPE);
	/* As in Linux, a packet dropped first never gets to the GSO check:
	 * a runt with a bad GSO extra is a drop, not fatal. */
	ring_reset(0);
	push_req(1, 0, NETTXF_extra_info, 1, 10);
	push_gso(0, 3, 0);
	publish();
	sweep_run();
	CU_ASSERT_EQUAL(sw.fatal, TX_FATAL_NONE);
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 1);
	CU_ASSERT_EQUAL(sw.pkts[0].drop, TX_DROP_RUNT);
	CU_ASSERT_EQUAL(sw.pkts[0].nslots, 2);
}

static void
test_extra_missing(void)
{
	/* extra_info with nothing published after the first slot. */
	ring_reset(0);
	push_req(1, 0, NETTXF_extra_info, 1, 60);
	publish();
	expect_fatal(TX_FATAL_MISSING_EXTRA);
	/* A chain whose last published extra says MORE. */
	ring_reset(250);
	push_req(1, 0, NETTXF_extra_info | NETTXF_more_data, 1, 60);
	push_gso(XEN_NETIF_EXTRA_FLAG_MORE, XEN_NETIF_GSO_TYPE_TCPV4, 1448);
	push_extra(XEN_NETIF_EXTRA_TYPE_HASH, XEN_NETIF_EXTRA_FLAG_MORE);
	publish();
	expect_fatal(TX_FATAL_MISSING_EXTRA);
}

static void
test_extra_chain(void)
{
	struct netif_extra_info *h;
	struct tx_pkt *p;

	ring_reset(0);
	push_req(1, 0, NETTXF_extra_info | NETTXF_more_data, 31, 200);
	push_gso(XEN_NETIF_EXTRA_FLAG_MORE, XEN_NETIF_GSO_TYPE_TCPV6, 1000);
	h = push_extra(XEN_NETIF_EXTRA_TYPE_HASH, XEN_NETIF_EXTRA_FLAG_MORE);
	h->u.hash.value[3] = 0x77;
	/* A repeated type: the last one wins (Linux). */
	push_gso(0, XEN_NETIF_GSO_TYPE_TCPV4, 1200);
	push_req(2, 0, 0, 32, 100);
	push_req(3, 0, 0, 33, 60);			/* next packet */
	publish();
	sweep_run();
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 2);
	p = &sw.pkts[0];
	CU_ASSERT_EQUAL(p->nextras, 3);
	CU_ASSERT_EQUAL(p->nslots, 5);
	CU_ASSERT_TRUE(p->has_gso);
	CU_ASSERT_EQUAL(p->gso.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
	CU_ASSERT_EQUAL(p->gso.u.gso.size, 1200);
	CU_ASSERT_TRUE(p->has_hash);
	CU_ASSERT_EQUAL(p->hash.u.hash.value[3], 0x77);
	CU_ASSERT_EQUAL(p->len, 200);
	CU_ASSERT_EQUAL(sw.pkts[1].start, 5);
	answer_all(NETIF_RSP_OKAY);
	CU_ASSERT_EQUAL(back.rsp_prod_pvt, 6);
	CU_ASSERT_EQUAL(rsp_at(0).id, 31);
	CU_ASSERT_EQUAL(rsp_at(1).status, NETIF_RSP_NULL);
	CU_ASSERT_EQUAL(rsp_at(2).status, NETIF_RSP_NULL);
	CU_ASSERT_EQUAL(rsp_at(3).status, NETIF_RSP_NULL);
	CU_ASSERT_EQUAL(rsp_at(4).id, 32);
	CU_ASSERT_EQUAL(rsp_at(4).status, NETIF_RSP_OKAY);
	CU_ASSERT_EQUAL(rsp_at(5).id, 33);
}

static void
test_extra_chain_long(void)
{
	unsigned int k;

	/* Linux bounds an extra chain only by what is published; so do we.
	 * 250 extras + first + 1 data slot fill 252 of 256 slots. */
	ring_reset(0xffffff80u);
	push_req(1, 0, NETTXF_extra_info | NETTXF_more_data, 61, 100);
	for (k = 0; k < 250; k++)
		push_extra(XEN_NETIF_EXTRA_TYPE_HASH, k < 249 ?
		    XEN_NETIF_EXTRA_FLAG_MORE : 0);
	push_req(2, 0, 0, 62, 50);
	publish();
	sweep_run();
	CU_ASSERT_EQUAL(sw.fatal, TX_FATAL_NONE);
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 1);
	CU_ASSERT_EQUAL(sw.pkts[0].nextras, 250);
	CU_ASSERT_EQUAL(sw.pkts[0].nslots, 252);
	CU_ASSERT_EQUAL(sw.pkts[0].len, 100);
	answer_all(NETIF_RSP_OKAY);
	CU_ASSERT_EQUAL(back.rsp_prod_pvt, 0xffffff80u + 252);
	CU_ASSERT_EQUAL(rsp_at(0xffffff80u).id, 61);
	for (k = 1; k <= 250; k++)
		CU_ASSERT_EQUAL(rsp_at(0xffffff80u + k).status,
		    NETIF_RSP_NULL);
	CU_ASSERT_EQUAL(rsp_at(0xffffff80u + 251).id, 62);

	/* A whole ring of extras, every one saying MORE: fatal, not a
	 * read past the published slots. */
	ring_reset(7);
	push_req(1, 0, NETTXF_extra_info, 1, 60);
	for (k = 0; k < 255; k++)
		push_extra(XEN_NETIF_EXTRA_TYPE_HASH,
		    XEN_NETIF_EXTRA_FLAG_MORE);
	publish();
	expect_fatal(TX_FATAL_MISSING_EXTRA);
}

static void
test_mcast(void)
{
	static const uint8_t addr[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	struct xen_copy_seg segs[4];
	uint8_t buf[64];
	struct netif_extra_info *e;
	struct tx_pkt *p;

	ring_reset(0);
	/* A dummy request: size 0 would be a runt, but it is never looked
	 * at. A more_data flag on it is not followed (Linux). */
	push_req(0, 0, NETTXF_extra_info | NETTXF_more_data, 41, 0);
	e = push_extra(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0);
	memcpy(e->u.mcast.addr, addr, 6);
	push_req(1, 0, 0, 42, 60);		/* parsed as its own packet */
	push_req(0, 0, NETTXF_extra_info, 43, 0);
	push_extra(XEN_NETIF_EXTRA_TYPE_MCAST_DEL, XEN_NETIF_EXTRA_FLAG_MORE);
	push_gso(0, 0, 0);	/* never validated on an mcast request */
	publish();
	sweep_run();
	CU_ASSERT_EQUAL(sw.fatal, TX_FATAL_NONE);
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 3);
	p = &sw.pkts[0];
	CU_ASSERT_TRUE(p->mcast);
	CU_ASSERT_EQUAL(p->mcast_op, XEN_NETIF_EXTRA_TYPE_MCAST_ADD);
	CU_ASSERT_EQUAL(memcmp(p->mcast_addr, addr, 6), 0);
	CU_ASSERT_EQUAL(p->nslots, 2);
	CU_ASSERT_EQUAL(p->len, 0);
	CU_ASSERT_EQUAL(p->nfrags, 0);
	CU_ASSERT_EQUAL(p->drop, TX_DROP_NONE);
	CU_ASSERT_EQUAL(tx_pkt2copyops(p, DOMID, buf, segs, 4), 0);
	CU_ASSERT_EQUAL(tx_pkt_copy_status(p, segs), 0);
	CU_ASSERT_FALSE(sw.pkts[1].mcast);
	CU_ASSERT_EQUAL(sw.pkts[1].len, 60);
	CU_ASSERT_TRUE(sw.pkts[2].mcast);
	CU_ASSERT_EQUAL(sw.pkts[2].mcast_op, XEN_NETIF_EXTRA_TYPE_MCAST_DEL);
	CU_ASSERT_EQUAL(sw.pkts[2].nslots, 3);
	answer_all(NETIF_RSP_OKAY);
	CU_ASSERT_EQUAL(back.rsp_prod_pvt, 6);
	CU_ASSERT_EQUAL(rsp_at(0).id, 41);
	CU_ASSERT_EQUAL(rsp_at(0).status, NETIF_RSP_OKAY);
	CU_ASSERT_EQUAL(rsp_at(1).status, NETIF_RSP_NULL);
	CU_ASSERT_EQUAL(rsp_at(2).id, 42);
	CU_ASSERT_EQUAL(rsp_at(3).id, 43);
	CU_ASSERT_EQUAL(rsp_at(4).status, NETIF_RSP_NULL);
	CU_ASSERT_EQUAL(rsp_at(5).status, NETIF_RSP_NULL);

	/* ADD wins over DEL when both are in one chain (Linux order). */
	ring_reset(0);
	push_req(0, 0, NETTXF_extra_info, 44, 0);
	push_extra(XEN_NETIF_EXTRA_TYPE_MCAST_DEL, XEN_NETIF_EXTRA_FLAG_MORE);
	push_extra(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0);
	publish();
	sweep_run();
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 1);
	CU_ASSERT_EQUAL(sw.pkts[0].mcast_op, XEN_NETIF_EXTRA_TYPE_MCAST_ADD);
}

/*
 * The dummies against a vif's list, as the queue worker answers them:
 * mcast_list_apply() == 0 -> OKAY, else ERROR; extra slots NULL. 70 ADDs
 * of distinct groups (64 OKAY, then ERROR), an ADD of a unicast address
 * (ERROR), a DEL of an absent group and of a present one (OKAY), and an
 * ADD that fits again after the DEL.
 */
static void
push_mcast(uint8_t type, uint16_t id, const uint8_t addr[6])
{
	struct netif_extra_info *e;

	push_req(0, 0, NETTXF_extra_info, id, 0);
	e = push_extra(type, 0);
	memcpy(e->u.mcast.addr, addr, 6);
}

static void
test_mcast_list(void)
{
	static const uint8_t ucast[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x09 };
	struct mcast_list l;
	uint8_t a[6] = { 0x01, 0x00, 0x5e, 0x01, 0x00, 0x00 };
	unsigned int k;

	mcast_list_init(&l);
	ring_reset(0xfffffff0u);	/* across the 2^32 wrap too */
	for (k = 0; k < 70; k++) {
		a[5] = (uint8_t)k;
		push_mcast(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, (uint16_t)k, a);
	}
	push_mcast(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 70, ucast);
	a[5] = 200;
	push_mcast(XEN_NETIF_EXTRA_TYPE_MCAST_DEL, 71, a);	/* absent */
	a[5] = 3;
	push_mcast(XEN_NETIF_EXTRA_TYPE_MCAST_DEL, 72, a);	/* present */
	a[5] = 69;
	push_mcast(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 73, a);	/* fits again */
	publish();
	sweep_run();
	CU_ASSERT_EQUAL(sw.fatal, TX_FATAL_NONE);
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 74);
	for (k = 0; k < sw.npkts; k++) {
		const struct tx_pkt *p = &sw.pkts[k];

		CU_ASSERT_TRUE(p->mcast);
		tx_pkt2rsp(p, &back, mcast_list_apply(&l, p->mcast_op,
		    p->mcast_addr) == 0 ? NETIF_RSP_OKAY : NETIF_RSP_ERROR);
	}
	RING_PUSH_RESPONSES(&back);
	CU_ASSERT_EQUAL(back.rsp_prod_pvt, 0xfffffff0u + 148);
	/* One response per request slot, one NULL per extra slot. */
	for (k = 0; k < 74; k++) {
		netif_tx_response_t r = rsp_at(0xfffffff0u + 2 * k);
		int16_t want = (k < 64 || k >= 71) ? NETIF_RSP_OKAY :
		    NETIF_RSP_ERROR;

		CU_ASSERT_EQUAL(r.id, k);
		CU_ASSERT_EQUAL(r.status, want);
		CU_ASSERT_EQUAL(rsp_at(0xfffffff0u + 2 * k + 1).status,
		    NETIF_RSP_NULL);
	}
	CU_ASSERT_EQUAL(l.n, 64);
	a[5] = 3;
	CU_ASSERT_FALSE(mcast_list_match(&l, a));
	a[5] = 69;
	CU_ASSERT_TRUE(mcast_list_match(&l, a));
	a[5] = 64;
	CU_ASSERT_FALSE(mcast_list_match(&l, a));
	CU_ASSERT_FALSE(mcast_list_match(&l, ucast));
}

/* ---- partial packets, slot limits ---------------------------------- */

static void
test_partial(void)
{
	/* more_data on the only slot. */
	ring_reset(0);
	push_req(1, 0, NETTXF_more_data, 1, 100);
	publish();
	expect_fatal(TX_FATAL_MISSING_SLOTS);
	/* ... and on the last of three, after a good packet. */
	ring_reset(0);
	push_req(1, 0, 0, 1, 60);
	push_req(1, 0, NETTXF_more_data, 2, 300);
	push_req(2, 0, NETTXF_more_data, 3, 100);
	push_req(3, 0, NETTXF_more_data, 4, 100);
	publish();
	sweep_run();
	CU_ASSERT_EQUAL(sw.npkts, 1);
	CU_ASSERT_EQUAL(sw.fatal, TX_FATAL_MISSING_SLOTS);
	CU_ASSERT_EQUAL(back.req_cons, 1);	/* only the good packet */
	/* Extras present, data missing. */
	ring_reset(0);
	push_req(1, 0, NETTXF_more_data | NETTXF_extra_info, 1, 100);
	push_gso(0, XEN_NETIF_GSO_TYPE_TCPV4, 1448);
	publish();
	expect_fatal(TX_FATAL_MISSING_SLOTS);
}

/* Pushes one packet of `total` slots, each later slot 10 bytes. */
static void
push_n_slots(unsigned int total, uint16_t first_id)
{
	unsigned int k;

	push_req(0, 0, total > 1 ? NETTXF_more_data : 0, first_id,
	    (uint16_t)(100 + 10 * (total - 1)));
	for (k = 1; k < total; k++)
		push_req(k % NGUEST_PAGES, (uint16_t)(k * 8),
		    k + 1 < total ? NETTXF_more_data : 0,
		    (uint16_t)(first_id + k), 10);
}

static void
test_slot_limits(void)
{
	unsigned int total, k;

	for (total = 18; total <= 22; total++) {
		struct tx_pkt *p;

		ring_reset(0);
		push_n_slots(total, 100);
		push_req(1, 0, 0, 500, 60);	/* a good packet behind it */
		publish();
		sweep_run();
		if (total == 22) {
			/* Needs a 21st slot after the first: fatal. */
			CU_ASSERT_EQUAL(sw.fatal, TX_FATAL_TOO_MANY_SLOTS);
			CU_ASSERT_EQUAL(sw.npkts, 0);
			CU_ASSERT_EQUAL(back.req_cons, 0);
			continue;
		}
		CU_ASSERT_EQUAL(sw.fatal, TX_FATAL_NONE);
		CU_ASSERT_EQUAL_FATAL(sw.npkts, 2);
		p = &sw.pkts[0];
		CU_ASSERT_EQUAL(p->nslots, total);
		CU_ASSERT_EQUAL(p->ndata, total);
		CU_ASSERT_EQUAL(sw.pkts[1].start, total);
		CU_ASSERT_EQUAL(sw.pkts[1].len, 60);
		if (total <= 19) {
			CU_ASSERT_EQUAL(p->drop, TX_DROP_NONE);
			CU_ASSERT_EQUAL(p->nfrags, total);
			CU_ASSERT_EQUAL(p->len, 100 + 10 * (total - 1));
		} else {
			/* First + 19 or 20 more: consumed, answered, dropped. */
			CU_ASSERT_EQUAL(p->drop, TX_DROP_TOO_MANY_SLOTS);
			CU_ASSERT_EQUAL(p->nfrags, 0);
			CU_ASSERT_EQUAL(p->len, 0);
		}
		answer_all(NETIF_RSP_OKAY);
		CU_ASSERT_EQUAL(back.rsp_prod_pvt, total + 1);
		for (k = 0; k < total; k++) {
			CU_ASSERT_EQUAL(rsp_at(k).id, 100 + k);
			CU_ASSERT_EQUAL(rsp_at(k).status, total <= 19 ?
			    NETIF_RSP_OKAY : NETIF_RSP_ERROR);
		}
		CU_ASSERT_EQUAL(rsp_at(total).id, 500);
		CU_ASSERT_EQUAL(rsp_at(total).status, NETIF_RSP_OKAY);
	}
}

static void
test_wrap(void)
{
	static const RING_IDX starts[] = { 250, 0xfffffffau, 0xffffff00u - 3 };
	static uint8_t buf[TX_MAX_PKT_LEN];
	struct xen_copy_seg segs[TX_MAX_SEGS_PER_PKT];
	unsigned int k, round;

	for (k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
		RING_IDX s = starts[k];
		unsigned int j;

		ring_reset(s);
		/* Several sweeps, so indices travel past 255 and 2^32. */
		for (round = 0; round < 40; round++) {
			RING_IDX rsp0 = back.rsp_prod_pvt;

			push_n_slots(10, (uint16_t)(round * 16));
			push_req(2, 0, NETTXF_extra_info, 1000, 80);
			push_gso(0, XEN_NETIF_GSO_TYPE_TCPV4, 536);
			publish();
			sweep_run();
			CU_ASSERT_EQUAL(sw.fatal, TX_FATAL_NONE);
			CU_ASSERT_EQUAL_FATAL(sw.npkts, 2);
			CU_ASSERT_EQUAL(sw.pkts[0].start, rsp0);
			CU_ASSERT_EQUAL(sw.pkts[0].len, 190);
			CU_ASSERT_EQUAL(sw.pkts[0].nfrags, 10);
			CU_ASSERT_EQUAL(sw.pkts[1].start, rsp0 + 10);
			CU_ASSERT_TRUE(sw.pkts[1].has_gso);
			CU_ASSERT_EQUAL(tx_pkt2copyops(&sw.pkts[0], DOMID, buf,
			    segs, TX_MAX_SEGS_PER_PKT), 10);
			fake_grant_copy(segs, 10);
			CU_ASSERT_EQUAL(tx_pkt_copy_status(&sw.pkts[0], segs),
			    0);
			CU_ASSERT_EQUAL(memcmp(buf + 100, gbytes(1, 8), 10), 0);
			answer_all(NETIF_RSP_OKAY);
			CU_ASSERT_EQUAL(back.rsp_prod_pvt, rsp0 + 12);
			CU_ASSERT_EQUAL(back.req_cons, rsp0 + 12);
			for (j = 0; j < 10; j++)
				CU_ASSERT_EQUAL(rsp_at(rsp0 + j).id,
				    round * 16 + j);
			CU_ASSERT_EQUAL(rsp_at(rsp0 + 10).id, 1000);
			CU_ASSERT_EQUAL(rsp_at(rsp0 + 11).status,
			    NETIF_RSP_NULL);
			/* The frontend takes its responses. */
			front.rsp_cons = sring->rsp_prod;
		}
		CU_ASSERT_EQUAL(back.req_cons, s + 40 * 12);
	}
}

/* ---- sizes and offsets ------------------------------------------- */

static void
test_zero_length_slots(void)
{
	static uint8_t buf[TX_MAX_PKT_LEN];
	struct xen_copy_seg segs[TX_MAX_SEGS_PER_PKT];
	struct tx_pkt *p;
	unsigned int k;

	ring_reset(0);
	push_req(1, 0, NETTXF_more_data, 1, 150);	/* first frag 100 */
	push_req(2, 0, NETTXF_more_data, 2, 0);
	push_req(3, 4096 - 50, NETTXF_more_data, 3, 50);
	push_req(4, 4096, 0, 4, 0);	/* offset 4096 + size 0 is legal */
	/* A packet whose later slots are all empty. */
	push_req(5, 0, NETTXF_more_data, 5, 60);
	for (k = 0; k < 18; k++)
		push_req(BAD_GREF, 0, k < 17 ? NETTXF_more_data : 0,
		    (uint16_t)(6 + k), 0);
	publish();
	sweep_run();
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 2);
	p = &sw.pkts[0];
	CU_ASSERT_EQUAL(p->drop, TX_DROP_NONE);
	CU_ASSERT_EQUAL(p->ndata, 4);
	CU_ASSERT_EQUAL_FATAL(p->nfrags, 2);
	CU_ASSERT_EQUAL(p->frags[1].gref, 3);
	CU_ASSERT_EQUAL(p->frags[1].pkt_off, 100);
	CU_ASSERT_EQUAL(tx_pkt2copyops(p, DOMID, buf, segs,
	    TX_MAX_SEGS_PER_PKT), 2);
	for (k = 0; k < 2; k++)
		CU_ASSERT(segs[k].len > 0);
	p = &sw.pkts[1];
	CU_ASSERT_EQUAL(p->drop, TX_DROP_NONE);
	CU_ASSERT_EQUAL(p->ndata, 19);
	CU_ASSERT_EQUAL(p->nfrags, 1);
	/* No segment ever names the empty slots' (bad) grant. */
	CU_ASSERT_EQUAL(tx_pkt2copyops(p, DOMID, buf, segs,
	    TX_MAX_SEGS_PER_PKT), 1);
	CU_ASSERT_EQUAL(segs[0].source.foreign.ref, 5);
	fake_grant_copy(segs, 1);
	CU_ASSERT_EQUAL(tx_pkt_copy_status(p, segs), 0);
	answer_all(NETIF_RSP_OKAY);
	CU_ASSERT_EQUAL(back.rsp_prod_pvt, 4 + 19);
	for (k = 0; k < 4 + 19; k++) {
		CU_ASSERT_EQUAL(rsp_at(k).id, k + 1);
		CU_ASSERT_EQUAL(rsp_at(k).status, NETIF_RSP_OKAY);
	}
}

/* Runs the whole chain for the single packet on the ring; returns the
 * copy status and leaves the bytes in buf. */
static int
deliver_one(uint8_t *buf)
{
	struct xen_copy_seg segs[TX_MAX_SEGS_PER_PKT];
	int n;

	sweep_run();
	CU_ASSERT_EQUAL(sw.fatal, TX_FATAL_NONE);
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 1);
	n = tx_pkt2copyops(&sw.pkts[0], DOMID, buf, segs,
	    TX_MAX_SEGS_PER_PKT);
	CU_ASSERT_FATAL(n >= 0);
	fake_grant_copy(segs, (unsigned int)n);
	return tx_pkt_copy_status(&sw.pkts[0], segs);
}

static void
test_tiny_header_slots(void)
{
	/* XSA-423/432: head + 18 slots of 1..7 bytes, total < 128. */
	uint8_t expect[128], buf[128];
	unsigned int k, total = 14, off;

	ring_reset(0);
	for (k = 1; k <= 18; k++)
		total += 1 + (k * 5) % 7;
	CU_ASSERT_FATAL(total < 128);
	push_req(0, 4096 - 14, NETTXF_more_data, 0, (uint16_t)total);
	memcpy(expect, gbytes(0, 4096 - 14), 14);
	off = 14;
	for (k = 1; k <= 18; k++) {
		uint16_t sz = (uint16_t)(1 + (k * 5) % 7);

		push_req(k, (uint16_t)(4096 - sz), k < 18 ?
		    NETTXF_more_data : 0, (uint16_t)k, sz);
		memcpy(expect + off, gbytes(k, (uint16_t)(4096 - sz)), sz);
		off += sz;
	}
	publish();
	CU_ASSERT_EQUAL(deliver_one(buf), 0);
	CU_ASSERT_EQUAL(sw.pkts[0].nslots, 19);
	CU_ASSERT_EQUAL(sw.pkts[0].nfrags, 19);
	CU_ASSERT_EQUAL(sw.pkts[0].len, total);
	CU_ASSERT_EQUAL(memcmp(buf, expect, total), 0);
}

static void
test_every_split(void)
{
	/* A 60-byte frame split into 2 and 3 slots at every point. */
	uint8_t frame[60], buf[60];
	unsigned int a, b, c, k;

	for (k = 0; k < 60; k++)
		frame[k] = (uint8_t)(k * 13 + 1);
	for (a = 0; a <= 60; a++) {
		for (b = 0; a + b <= 60; b++) {
			c = 60 - a - b;
			ring_reset(0);
			/* Guest pages 1..3 hold the three pieces. */
			memcpy(&gpage[1][500], frame, a);
			memcpy(&gpage[2][0], frame + a, b);
			memcpy(&gpage[3][4096 - c], frame + a + b, c);
			push_req(1, 500, NETTXF_more_data, 1, 60);
			push_req(2, 0, c ? NETTXF_more_data : 0, 2,
			    (uint16_t)b);
			if (c)
				push_req(3, (uint16_t)(4096 - c), 0, 3,
				    (uint16_t)c);
			publish();
			memset(buf, 0, sizeof(buf));
			if (a < 14) {
				sweep_run();
				CU_ASSERT_EQUAL(sw.npkts, 1);
				CU_ASSERT_EQUAL(sw.pkts[0].drop, TX_DROP_RUNT);
				CU_ASSERT_EQUAL(sw.pkts[0].nslots, c ? 3 : 2);
				continue;
			}
			CU_ASSERT_EQUAL(deliver_one(buf), 0);
			CU_ASSERT_EQUAL(sw.pkts[0].len, 60);
			CU_ASSERT_EQUAL(sw.pkts[0].nfrags,
			    1 + (b > 0) + (c > 0));
			CU_ASSERT_EQUAL(memcmp(buf, frame, 60), 0);
		}
	}
}

static void
test_page_cross(void)
{
	/* Single slot: exactly to the end is fine, one byte more is not. */
	ring_reset(0);
	push_req(1, 4000, 0, 1, 96);
	publish();
	sweep_run();
	CU_ASSERT_EQUAL(sw.npkts, 1);
	CU_ASSERT_EQUAL(sw.pkts[0].drop, TX_DROP_NONE);
	ring_reset(0);
	push_req(1, 4000, 0, 1, 97);
	publish();
	expect_fatal(TX_FATAL_PAGE_CROSS);
	/* The first slot of a multi-slot packet is judged by its own
	 * fragment (total - rest), not by the total. */
	ring_reset(0);
	push_req(1, 4000, NETTXF_more_data, 1, 96 + 3000);
	push_req(2, 0, 0, 2, 3000);
	publish();
	sweep_run();
	CU_ASSERT_EQUAL(sw.pkts[0].drop, TX_DROP_NONE);
	CU_ASSERT_EQUAL(sw.pkts[0].len, 3096);
	ring_reset(0);
	push_req(1, 4000, NETTXF_more_data, 1, 97 + 3000);
	push_req(2, 0, 0, 2, 3000);
	publish();
	expect_fatal(TX_FATAL_PAGE_CROSS);
	/* A later slot. */
	ring_reset(0);
	push_req(1, 0, NETTXF_more_data, 1, 200);
	push_req(2, 4090, 0, 2, 10);
	publish();
	expect_fatal(TX_FATAL_PAGE_CROSS);
	/* Offset beyond the page with size 0: offset + size > 4096. */
	ring_reset(0);
	push_req(1, 0, NETTXF_more_data, 1, 200);
	push_req(2, 5000, 0, 2, 0);
	publish();
	expect_fatal(TX_FATAL_PAGE_CROSS);
	/* Even in a packet already being dropped (Linux checks every
	 * slot it reads). */
	ring_reset(0);
	push_req(1, 0, NETTXF_more_data, 1, 100);
	push_req(2, 0, NETTXF_more_data, 2, 200);	/* oversize: drop */
	push_req(3, 65535, 0, 3, 2);
	publish();
	expect_fatal(TX_FATAL_PAGE_CROSS);
}

static void
test_oversize_later_slot(void)
{
	unsigned int k;

	ring_reset(0);
	push_req(1, 0, NETTXF_more_data, 1, 100);
	push_req(2, 0, NETTXF_more_data, 2, 200);
	push_req(3, 0, 0, 3, 10);
	push_req(4, 0, 0, 4, 60);
	publish();
	sweep_run();
	CU_ASSERT_EQUAL(sw.fatal, TX_FATAL_NONE);
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 2);
	CU_ASSERT_EQUAL(sw.pkts[0].drop, TX_DROP_OVERSIZE);
	CU_ASSERT_EQUAL(sw.pkts[0].nslots, 3);
	CU_ASSERT_EQUAL(sw.pkts[0].nfrags, 0);
	CU_ASSERT_EQUAL(sw.pkts[1].drop, TX_DROP_NONE);
	answer_all(NETIF_RSP_OKAY);
	for (k = 0; k < 3; k++)
		CU_ASSERT_EQUAL(rsp_at(k).status, NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rsp_at(3).status, NETIF_RSP_OKAY);

	/* A 70000-byte frame: the first size wraps to 70000 - 65536. */
	ring_reset(0);
	push_req(0, 0, NETTXF_more_data, 0, (uint16_t)(70000 - 65536));
	for (k = 1; k <= 17; k++)
		push_req(k, 0, k < 17 ? NETTXF_more_data : 0, (uint16_t)k,
		    k < 17 ? 4096 : 70000 - 4096 * 16 - 1000);
	publish();
	sweep_run();
	CU_ASSERT_EQUAL(sw.fatal, TX_FATAL_NONE);
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 1);
	CU_ASSERT_EQUAL(sw.pkts[0].drop, TX_DROP_OVERSIZE);
	CU_ASSERT_EQUAL(sw.pkts[0].nslots, 18);

	/* Later slots that use up the whole total leave a 0-byte first
	 * fragment: a runt. */
	ring_reset(0);
	push_req(1, 0, NETTXF_more_data, 1, 100);
	push_req(2, 0, 0, 2, 100);
	publish();
	sweep_run();
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 1);
	CU_ASSERT_EQUAL(sw.pkts[0].drop, TX_DROP_RUNT);
}

static void
test_runt(void)
{
	ring_reset(0);
	push_req(1, 0, 0, 1, 13);
	push_req(1, 0, 0, 2, 14);
	push_req(1, 0, 0, 3, 0);
	push_req(1, 0, NETTXF_more_data, 4, 13 + 50);	/* first frag 13 */
	push_req(2, 0, 0, 5, 50);
	push_req(1, 0, NETTXF_more_data, 6, 14 + 50);	/* first frag 14 */
	push_req(2, 0, 0, 7, 50);
	publish();
	sweep_run();
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 5);
	CU_ASSERT_EQUAL(sw.pkts[0].drop, TX_DROP_RUNT);
	CU_ASSERT_EQUAL(sw.pkts[1].drop, TX_DROP_NONE);
	CU_ASSERT_EQUAL(sw.pkts[1].len, 14);
	CU_ASSERT_EQUAL(sw.pkts[2].drop, TX_DROP_RUNT);
	CU_ASSERT_EQUAL(sw.pkts[3].drop, TX_DROP_RUNT);
	CU_ASSERT_EQUAL(sw.pkts[3].nslots, 2);
	CU_ASSERT_EQUAL(sw.pkts[4].drop, TX_DROP_NONE);
	answer_all(NETIF_RSP_OKAY);
	CU_ASSERT_EQUAL(rsp_at(0).status, NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rsp_at(1).status, NETIF_RSP_OKAY);
	CU_ASSERT_EQUAL(rsp_at(2).status, NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rsp_at(3).status, NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rsp_at(4).status, NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rsp_at(4).id, 5);
	CU_ASSERT_EQUAL(rsp_at(5).status, NETIF_RSP_OKAY);
}

/* ---- copy failures, several packets -------------------------------- */

static void
test_copy_failure(void)
{
	struct xen_copy_seg segs[TX_MAX_SEGS_PER_PKT];
	uint8_t buf[TX_MAX_PKT_LEN];
	struct tx_pkt *p;
	int n, st;

	ring_reset(0);
	push_req(1, 0, NETTXF_extra_info | NETTXF_more_data, 51, 300);
	push_gso(0, XEN_NETIF_GSO_TYPE_TCPV4, 1448);
	push_req(BAD_GREF, 0, NETTXF_more_data, 52, 100);
	push_req(3, 0, NETTXF_more_data, 53, 0);
	push_req(4, 0, 0, 54, 100);
	publish();
	sweep_run();
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 1);
	p = &sw.pkts[0];
	n = tx_pkt2copyops(p, DOMID, buf, segs, TX_MAX_SEGS_PER_PKT);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	fake_grant_copy(segs, 3);
	CU_ASSERT_EQUAL(segs[0].status, GNTST_okay);
	CU_ASSERT_EQUAL(segs[1].status, GNTST_bad_gntref);
	st = tx_pkt_copy_status(p, segs);
	CU_ASSERT_EQUAL(st, GNTST_bad_gntref);
	/* An injected failure on the last segment is found as well. */
	segs[1].status = GNTST_okay;
	segs[2].status = GNTST_permission_denied;
	CU_ASSERT_EQUAL(tx_pkt_copy_status(p, segs), GNTST_permission_denied);
	tx_pkt2rsp(p, &back, st == 0 ? NETIF_RSP_OKAY : NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(back.rsp_prod_pvt, 5);
	CU_ASSERT_EQUAL(rsp_at(0).id, 51);
	CU_ASSERT_EQUAL(rsp_at(0).status, NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rsp_at(1).status, NETIF_RSP_NULL);
	CU_ASSERT_EQUAL(rsp_at(2).id, 52);
	CU_ASSERT_EQUAL(rsp_at(2).status, NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rsp_at(3).id, 53);
	CU_ASSERT_EQUAL(rsp_at(3).status, NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rsp_at(4).id, 54);
	CU_ASSERT_EQUAL(rsp_at(4).status, NETIF_RSP_ERROR);
}

static void
test_sweep_many(void)
{
	static uint8_t bufs[6][2048];
	struct xen_copy_seg segs[256];
	unsigned int nseg = 0, first_seg[8], k;
	int n;

	ring_reset(0xffffffffu);
	push_req(1, 10, 0, 1, 60);				/* A: 1 slot */
	push_req(2, 0, NETTXF_extra_info | NETTXF_more_data, 2, 1500);
	push_gso(0, XEN_NETIF_GSO_TYPE_TCPV6, 1440);
	push_req(3, 0, NETTXF_more_data, 3, 500);
	push_req(4, 0, 0, 4, 500);				/* B: 4 slots */
	push_req(0, 0, NETTXF_extra_info, 5, 0);
	push_extra(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0);		/* C: mcast */
	push_req(5, 0, 0, 6, 5);				/* D: runt */
	push_req(BAD_GREF, 0, NETTXF_more_data, 7, 100);
	push_req(6, 0, 0, 8, 40);				/* E: bad gref */
	push_req(7, 7, 0, 9, 1000);				/* F */
	publish();
	sweep_run();
	CU_ASSERT_EQUAL(sw.avail, 11);
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 6);
	CU_ASSERT_EQUAL(sw.consumed, 11);
	for (k = 0; k < sw.npkts; k++) {
		first_seg[k] = nseg;
		n = tx_pkt2copyops(&sw.pkts[k], DOMID, bufs[k], segs + nseg,
		    256 - nseg);
		CU_ASSERT_FATAL(n >= 0);
		nseg += (unsigned int)n;
	}
	CU_ASSERT_EQUAL(nseg, 1 + 3 + 0 + 0 + 2 + 1);
	fake_grant_copy(segs, nseg);	/* one copy for the sweep */
	for (k = 0; k < sw.npkts; k++) {
		struct tx_pkt *p = &sw.pkts[k];
		int st = tx_pkt_copy_status(p, segs + first_seg[k]);

		if (p->drop)
			tx_pkt2rsp(p, &back, NETIF_RSP_ERROR);
		else
			tx_pkt2rsp(p, &back, st ? NETIF_RSP_ERROR :
			    NETIF_RSP_OKAY);
	}
	RING_PUSH_RESPONSES(&back);
	CU_ASSERT_EQUAL(back.rsp_prod_pvt, 0xffffffffu + 11);
	CU_ASSERT_EQUAL(memcmp(bufs[5], gbytes(7, 7), 1000), 0);
	CU_ASSERT_EQUAL(memcmp(bufs[0], gbytes(1, 10), 60), 0);
	CU_ASSERT_EQUAL(memcmp(bufs[1] + 500, gbytes(3, 0), 500), 0);
	{
		static const struct {
			uint16_t id;
			int16_t status;
		} want[11] = {
			{ 1, NETIF_RSP_OKAY },
			{ 2, NETIF_RSP_OKAY }, { 0, NETIF_RSP_NULL },
			{ 3, NETIF_RSP_OKAY }, { 4, NETIF_RSP_OKAY },
			{ 5, NETIF_RSP_OKAY }, { 0, NETIF_RSP_NULL },
			{ 6, NETIF_RSP_ERROR },
			{ 7, NETIF_RSP_ERROR }, { 8, NETIF_RSP_ERROR },
			{ 9, NETIF_RSP_OKAY },
		};

		for (k = 0; k < 11; k++) {
			netif_tx_response_t r = rsp_at(0xffffffffu + k);

			CU_ASSERT_EQUAL(r.status, want[k].status);
			if (want[k].status != NETIF_RSP_NULL)
				CU_ASSERT_EQUAL(r.id, want[k].id);
		}
	}
}

/*
 * The feature mask on TX: one ring of a 1-slot frame, a 2-slot frame, an
 * empty-slot chain, a TCPv4 and a TCPv6 GSO frame (one slot each) and a
 * multicast dummy, judged under each mask. Dropped ones are answered
 * ERROR on every data slot, the rest as before.
 */
static void
test_mask(void)
{
	static const struct {
		uint32_t off;
		bool drop[6];
	} c[] = {
		{ 0, { 0, 0, 0, 0, 0, 0 } },
		{ FEATMASK_SG, { 0, 1, 1, 0, 0, 0 } },
		{ FEATMASK_GSO_TCPV4, { 0, 0, 0, 1, 0, 0 } },
		{ FEATMASK_GSO_TCPV6, { 0, 0, 0, 0, 1, 0 } },
		/* Checksums, queues, channels: no reason to drop. */
		{ FEATMASK_IPV4_CSUM | FEATMASK_IPV6_CSUM |
		  FEATMASK_MULTI_QUEUE | FEATMASK_SPLIT_EVTCHN |
		  FEATMASK_NOT_OFFERED, { 0, 0, 0, 0, 0, 0 } },
		{ FEATMASK_SG | FEATMASK_GSO_TCPV4 | FEATMASK_GSO_TCPV6,
		  { 0, 1, 1, 1, 1, 0 } },
	};
	unsigned int k, i;

	for (k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		ring_reset(0);
		push_req(1, 0, 0, 1, 60);
		push_req(2, 0, NETTXF_more_data, 2, 200);
		push_req(3, 0, 0, 3, 140);
		push_req(4, 0, NETTXF_more_data, 4, 60);
		push_req(5, 0, 0, 5, 0);
		push_req(6, 0, NETTXF_extra_info | NETTXF_csum_blank, 6, 1514);
		push_gso(0, XEN_NETIF_GSO_TYPE_TCPV4, 1448);
		push_req(7, 0, NETTXF_extra_info | NETTXF_csum_blank, 7, 1514);
		push_gso(0, XEN_NETIF_GSO_TYPE_TCPV6, 1428);
		push_req(0, 0, NETTXF_extra_info, 8, 0);
		push_extra(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0);
		publish();
		sweep_run();
		CU_ASSERT_EQUAL_FATAL(sw.npkts, 6);
		CU_ASSERT_TRUE(sw.pkts[5].mcast);
		for (i = 0; i < 6; i++) {
			tx_pkt_apply_mask(&sw.pkts[i], c[k].off);
			CU_ASSERT_EQUAL(sw.pkts[i].drop, c[k].drop[i] ?
			    TX_DROP_MASKED : TX_DROP_NONE);
		}
		answer_all(NETIF_RSP_OKAY);
		/* Responses in ring order: ids 1, 2 3, 4 5, 6 NULL, 7 NULL,
		 * 8 NULL. */
		CU_ASSERT_EQUAL(rsp_at(0).status, NETIF_RSP_OKAY);
		CU_ASSERT_EQUAL(rsp_at(1).status, c[k].drop[1] ?
		    NETIF_RSP_ERROR : NETIF_RSP_OKAY);
		CU_ASSERT_EQUAL(rsp_at(2).status, rsp_at(1).status);
		CU_ASSERT_EQUAL(rsp_at(3).status, c[k].drop[2] ?
		    NETIF_RSP_ERROR : NETIF_RSP_OKAY);
		CU_ASSERT_EQUAL(rsp_at(4).status, rsp_at(3).status);
		CU_ASSERT_EQUAL(rsp_at(5).id, 6);
		CU_ASSERT_EQUAL(rsp_at(5).status, c[k].drop[3] ?
		    NETIF_RSP_ERROR : NETIF_RSP_OKAY);
		CU_ASSERT_EQUAL(rsp_at(6).status, NETIF_RSP_NULL);
		CU_ASSERT_EQUAL(rsp_at(7).status, c[k].drop[4] ?
		    NETIF_RSP_ERROR : NETIF_RSP_OKAY);
		CU_ASSERT_EQUAL(rsp_at(9).id, 8);
		CU_ASSERT_EQUAL(rsp_at(9).status, NETIF_RSP_OKAY);
		/* A dropped packet costs no grant copy. */
		for (i = 0; i < 6; i++) {
			struct xen_copy_seg segs[TX_MAX_SEGS_PER_PKT];
			uint8_t pbuf[2048];

			if (sw.pkts[i].drop != TX_DROP_NONE)
				CU_ASSERT_EQUAL(tx_pkt2copyops(&sw.pkts[i],
				    DOMID, pbuf, segs,
				    TX_MAX_SEGS_PER_PKT), 0);
		}
	}
	/* An already dropped packet keeps its own reason. */
	ring_reset(0);
	push_req(1, 0, NETTXF_more_data, 1, 60);
	push_req(2, 0, 0, 2, 50);
	publish();
	sweep_run();
	CU_ASSERT_EQUAL_FATAL(sw.npkts, 1);
	CU_ASSERT_EQUAL(sw.pkts[0].drop, TX_DROP_RUNT);
	tx_pkt_apply_mask(&sw.pkts[0], FEATMASK_ALL);
	CU_ASSERT_EQUAL(sw.pkts[0].drop, TX_DROP_RUNT);
}

static void
test_strings(void)
{
	int k, j;

	for (k = 0; k < TX_DROP_MAX; k++) {
		CU_ASSERT_PTR_NOT_NULL(tx_drop_str(k));
		for (j = 0; j < k; j++)
			CU_ASSERT(strcmp(tx_drop_str(k), tx_drop_str(j)) != 0);
	}
	for (k = 0; k < TX_FATAL_MAX; k++) {
		CU_ASSERT_PTR_NOT_NULL(tx_fatal_str(k));
		for (j = 0; j < k; j++)
			CU_ASSERT(strcmp(tx_fatal_str(k), tx_fatal_str(j)) !=
			    0);
	}
	CU_ASSERT_STRING_EQUAL(tx_drop_str(TX_DROP_MAX), "unknown drop reason");
	CU_ASSERT_STRING_EQUAL(tx_fatal_str(-1), "unknown fatal reason");
}

/* ---- deterministic fuzz -------------------------------------------- */

static uint64_t fz_state;

static uint32_t
fz_rand(void)
{
	/* xorshift64*: deterministic, seeded below. */
	fz_state ^= fz_state >> 12;
	fz_state ^= fz_state << 25;
	fz_state ^= fz_state >> 27;
	return (uint32_t)((fz_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static uint16_t
fz_size(void)
{
	switch (fz_rand() % 6) {
	case 0:
		return 0;
	case 1:
		return (uint16_t)(fz_rand() % 16);
	case 2:
		return (uint16_t)(fz_rand() % 200);
	case 3:
		return (uint16_t)(4096 - fz_rand() % 4);
	case 4:
		return (uint16_t)(fz_rand() % 4097);
	default:
		return (uint16_t)fz_rand();
	}
}

static void
fz_fill(union tx_slot *s, unsigned int n)
{
	unsigned int k, b;
	bool garbage = fz_rand() % 8 == 0;

	for (k = 0; k < n; k++) {
		if (garbage) {
			for (b = 0; b < sizeof(s[k]); b++)
				((uint8_t *)&s[k])[b] = (uint8_t)fz_rand();
			continue;
		}
		memset(&s[k], 0, sizeof(s[k]));
		if (fz_rand() % 5 == 0) {
			/* Something shaped like an extra. */
			s[k].extra.type = (uint8_t)(fz_rand() % 7);
			s[k].extra.flags = (uint8_t)(fz_rand() % 3 == 0 ?
			    XEN_NETIF_EXTRA_FLAG_MORE : 0);
			s[k].extra.u.gso.size = (uint16_t)(fz_rand() % 3 ?
			    1448 : 0);
			s[k].extra.u.gso.type = (uint8_t)(fz_rand() % 4);
			continue;
		}
		s[k].req.gref = fz_rand() % NGUEST_PAGES;
		s[k].req.offset = (uint16_t)(fz_rand() % 3 ? fz_rand() % 64 :
		    fz_rand() % 4200);
		s[k].req.flags = (uint16_t)((fz_rand() % 4 ? NETTXF_more_data :
		    0) | (fz_rand() % 6 == 0 ? NETTXF_extra_info : 0) |
		    (fz_rand() % 4));
		s[k].req.id = (uint16_t)k;
		s[k].req.size = fz_size();
	}
}

#define FZ_CHECK(c) do {						\
	if (!(c)) {							\
		if (fz_bad++ == 0)					\
			printf("# fuzz iteration %u: %s (line %d)\n",	\
			    it, #c, __LINE__);				\
	}								\
} while (0)

static void
test_fuzz(void)
{
	static union tx_slot slots[64];
	static uint8_t buf[TX_MAX_PKT_LEN];
	static uint8_t rsp_page[PAGE] __attribute__((aligned(4096)));
	struct xen_copy_seg segs[TX_MAX_SEGS_PER_PKT];
	netif_tx_sring_t *rs = (netif_tx_sring_t *)rsp_page;
	netif_tx_back_ring_t rb;
	struct tx_pkt pkt;
	unsigned int it, fz_bad = 0, accepted = 0, dropped = 0, fatals = 0;
	unsigned int mcasts = 0;

	fz_state = 0x9e3779b97f4a7c15ULL;
	SHARED_RING_INIT(rs);
	BACK_RING_INIT(&rb, rs, PAGE);
	for (it = 0; it < 100000; it++) {
		unsigned int avail = fz_rand() % 41, off = 0;
		RING_IDX cons = fz_rand();

		fz_fill(slots, avail);
		while (off < avail) {
			int fatal = -1, r, n, k;
			uint32_t sum = 0;
			RING_IDX rsp0;

			r = tx_ring2pkt(slots + off, avail - off, cons + off,
			    &pkt, &fatal);
			if (r < 0) {
				FZ_CHECK(r == -EPROTO);
				FZ_CHECK(fatal > TX_FATAL_NONE &&
				    fatal < TX_FATAL_MAX);
				fatals++;
				break;
			}
			FZ_CHECK(fatal == TX_FATAL_NONE);
			FZ_CHECK(r > 0 && (unsigned int)r <= avail - off);
			if (r <= 0 || (unsigned int)r > avail - off)
				break;
			FZ_CHECK(pkt.start == cons + off);
			FZ_CHECK(pkt.nslots == (unsigned int)r);
			FZ_CHECK(pkt.nslots == pkt.nextras + pkt.ndata);
			FZ_CHECK(pkt.ndata >= 1 &&
			    pkt.ndata <= TX_MAX_DATA_SLOTS);
			FZ_CHECK(pkt.nfrags <= TX_MAX_FRAGS);
			FZ_CHECK(pkt.drop >= TX_DROP_NONE &&
			    pkt.drop < TX_DROP_MAX);
			n = tx_pkt2copyops(&pkt, DOMID, buf, segs,
			    TX_MAX_SEGS_PER_PKT);
			if (pkt.drop || pkt.mcast) {
				FZ_CHECK(n == 0);
				FZ_CHECK(pkt.nfrags == 0 && pkt.len == 0);
				if (pkt.drop)
					dropped++;
				else
					mcasts++;
			} else {
				accepted++;
				FZ_CHECK(n == (int)pkt.nfrags && n >= 1);
				FZ_CHECK(pkt.ndata <= TX_MAX_FRAGS);
				FZ_CHECK(pkt.len >= 14 &&
				    pkt.len <= TX_MAX_PKT_LEN);
				for (k = 0; k < n; k++) {
					const struct xen_copy_seg *s = &segs[k];
					const uint8_t *d = s->dest.virt;

					FZ_CHECK(s->len > 0);
					FZ_CHECK(s->flags ==
					    GNTCOPY_source_gref);
					FZ_CHECK((uint32_t)
					    s->source.foreign.offset + s->len <=
					    PAGE);
					FZ_CHECK(d >= buf && d + s->len <=
					    buf + pkt.len);
					/* Contiguous, in packet order. */
					FZ_CHECK(d == buf + sum);
					sum += s->len;
				}
				FZ_CHECK(sum == pkt.len);
			}
			/* Responses: exactly nslots, NULL for the extras. */
			rsp0 = rb.rsp_prod_pvt;
			tx_pkt2rsp(&pkt, &rb, NETIF_RSP_OKAY);
			FZ_CHECK(rb.rsp_prod_pvt - rsp0 == pkt.nslots);
			for (k = 0; k < (int)pkt.nslots; k++) {
				netif_tx_response_t *rp =
				    RING_GET_RESPONSE(&rb, rsp0 + (RING_IDX)k);
				bool extra = k >= 1 &&
				    k <= (int)pkt.nextras;

				FZ_CHECK(rp->status == (extra ?
				    NETIF_RSP_NULL : NETIF_RSP_OKAY));
			}
			off += (unsigned int)r;
		}
		FZ_CHECK(off <= avail);
	}
	printf("# fuzz: %u accepted, %u dropped, %u mcast, %u fatal\n",
	    accepted, dropped, mcasts, fatals);
	CU_ASSERT_EQUAL(fz_bad, 0);
	/* The generator must reach every outcome, or it tests little. */
	CU_ASSERT(accepted > 1000);
	CU_ASSERT(dropped > 1000);
	CU_ASSERT(mcasts > 100);
	CU_ASSERT(fatals > 1000);
}

static CU_TestInfo ring_tests[] = {
	{ "empty ring", test_empty_ring },
	{ "req_prod sanity (tx_ring_check)", test_ring_check },
	{ "slots copied once, across the 2^32 wrap", test_copy_slots },
	{ "ring wrap: 256 slots and 2^32 indices", test_wrap },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo pkt_tests[] = {
	{ "1-slot packet", test_one_slot },
	{ "2-slot packet", test_two_slots },
	{ "3-slot packet and its copy segments", test_three_slots_copyops },
	{ "copy ops of a range: the head, then the rest", test_copyops_range },
	{ "65535-byte packet", test_max_packet },
	{ "GSO extra v4/v6", test_gso_v4_v6 },
	{ "bad extra type is fatal", test_extra_bad_type },
	{ "bad GSO size/type is fatal", test_gso_bad },
	{ "missing extra is fatal", test_extra_missing },
	{ "chained extras (MORE)", test_extra_chain },
	{ "extra chain bounded by the published slots",
	    test_extra_chain_long },
	{ "multicast add/del dummies", test_mcast },
	{ "multicast dummies against the list (64, unicast, DEL)",
	    test_mcast_list },
	{ "partial packet is fatal", test_partial },
	{ "18..22-slot boundaries", test_slot_limits },
	{ "zero-length slots (XSA-448)", test_zero_length_slots },
	{ "header over 18 tiny slots (XSA-423/432)", test_tiny_header_slots },
	{ "every split of a 60-byte frame", test_every_split },
	{ "page crossing is fatal", test_page_cross },
	{ "oversize later slot is a drop", test_oversize_later_slot },
	{ "runt first fragment is a drop", test_runt },
	{ "grant copy failure", test_copy_failure },
	{ "feature mask: masked sg and GSO dropped", test_mask },
	{ "several packets in one sweep", test_sweep_many },
	{ "reason strings", test_strings },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo fuzz_tests[] = {
	{ "100k random slot arrays", test_fuzz },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "tx ring", suite_init, suite_fini, NULL, NULL, ring_tests },
	{ "tx packets", suite_init, suite_fini, NULL, NULL, pkt_tests },
	{ "tx fuzz", NULL, NULL, NULL, NULL, fuzz_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
