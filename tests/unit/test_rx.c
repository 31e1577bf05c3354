/*
 * test_rx.c - the guest-RX core on an in-memory ring where the test is
 * the frontend: slot layouts (1 slot, 9000 bytes, 64 KiB GSO = 17 data
 * + 1 extra), too few requests, extra placement and content, responses
 * in the slot of their request with its id, copy failures, ring wrap at
 * 256 and at 2^32, req_event re-arming, stall test, batching, and an
 * end-to-end check that a simulated grant copy plus the frontend's
 * reassembly gives back the frame; with an XDP headroom: the first slot
 * at the headroom, the XDP extra after the GSO one, the size limits;
 * a frame mostly in another guest's grants (one copy, gref to gref).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cu_tap.h"
#include "frames.h"
#include "core/netif_xdp.h"
#include "core/rx.h"

#define DOMID		7
#define NGREFS		512
#define MAX_SEGS	64

struct fixture {
	netif_rx_sring_t *sring;
	netif_rx_front_ring_t front;
	netif_rx_back_ring_t back;
	uint8_t *guest;		/* NGREFS pages of "guest memory" */
	struct xen_copy_seg segs[MAX_SEGS];
	unsigned int nsegs;
};

static struct fixture fx;
static uint8_t frame[RX_MAX_FRAME_LEN + 1];

/* A shared ring page attached by both ends at index `start`. */
static void
fx_init(RING_IDX start)
{
	if (fx.sring == NULL) {
		CU_ASSERT_FATAL(posix_memalign((void **)&fx.sring, 4096,
		    4096) == 0);
		fx.guest = malloc((size_t)NGREFS * RX_PAGE_SIZE);
		CU_ASSERT_FATAL(fx.guest != NULL);
	}
	memset(fx.sring, 0xee, 4096);
	SHARED_RING_INIT(fx.sring);
	fx.sring->req_prod = fx.sring->rsp_prod = start;
	fx.sring->req_event = fx.sring->rsp_event = start + 1;
	FRONT_RING_ATTACH(&fx.front, fx.sring, start, 4096);
	BACK_RING_ATTACH(&fx.back, fx.sring, start, 4096);
	memset(fx.segs, 0, sizeof(fx.segs));
	fx.nsegs = 0;
}

static void
fx_fini(void)
{
	free(fx.sring);
	free(fx.guest);
	fx.sring = NULL;
	fx.guest = NULL;
}

/* The frontend posts n requests: id = id0 + 3 * i (mod 2^16, so ids
 * differ from ring positions), gref = gref0 + i. */
static void
post(unsigned int n, uint16_t id0, uint32_t gref0)
{
	netif_rx_request_t *req;
	unsigned int i;

	for (i = 0; i < n; i++) {
		req = RING_GET_REQUEST(&fx.front, fx.front.req_prod_pvt);
		req->id = (uint16_t)(id0 + 3 * i);
		req->pad = 0;
		req->gref = gref0 + i;
		fx.front.req_prod_pvt++;
	}
	RING_PUSH_REQUESTS(&fx.front);
}

static void
fill_frame(uint32_t len, uint8_t seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		frame[i] = (uint8_t)(i * 13 + seed + (i >> 12));
}

/* The grant copy, simulated: dest gref g is guest page g. */
static void
do_copy(unsigned int from, unsigned int to, int fail_at)
{
	struct xen_copy_seg *s;
	unsigned int i;

	for (i = from; i < to; i++) {
		s = &fx.segs[i];
		CU_ASSERT_EQUAL(s->flags, GNTCOPY_dest_gref);
		CU_ASSERT_EQUAL(s->dest.foreign.domid, DOMID);
		CU_ASSERT(s->len > 0 && s->dest.foreign.offset + s->len <=
		    RX_PAGE_SIZE);
		CU_ASSERT_FATAL(s->dest.foreign.ref < NGREFS);
		if ((int)i == fail_at) {
			s->status = GNTST_bad_gntref;
			continue;
		}
		memcpy(fx.guest + (size_t)s->dest.foreign.ref * RX_PAGE_SIZE +
		    s->dest.foreign.offset, s->source.virt, s->len);
		s->status = GNTST_okay;
	}
}

static int
plan(uint32_t len, uint16_t flags, bool gso, struct rx_pending *pend)
{
	struct rx_frame f = { .data = frame, .len = len, .flags = flags };

	if (gso) {
		f.has_gso = true;
		f.gso.type = XEN_NETIF_EXTRA_TYPE_GSO;
		f.gso.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
		f.gso.u.gso.size = 1448;
	}
	return rx_frame2slots(&f, &fx.back, fx.sring->req_prod, DOMID,
	    fx.segs, &fx.nsegs, MAX_SEGS, pend);
}

static const netif_rx_response_t *
rsp_at(RING_IDX i)
{
	return RING_GET_RESPONSE(&fx.front, i);
}

/*
 * Plays netfront for one frame starting at ring index `first` posted
 * with id0/gref0: checks the layout and reassembles the data from guest
 * pages. Returns the number of slots the frame used.
 */
static unsigned int
front_check(RING_IDX first, uint16_t id0, uint32_t gref0, uint32_t len,
    uint16_t csum, bool gso)
{
	const netif_rx_response_t *r;
	struct netif_extra_info ex;
	unsigned int i = 0, data = 0, ndata = (len + 4095) / 4096;
	uint8_t *out = malloc(len);
	uint32_t got = 0;

	CU_ASSERT_FATAL(out != NULL);
	if (gso) {
		/* The extra sits in the second slot, whatever follows. */
		memcpy(&ex, rsp_at(first + 1), sizeof(ex));
		CU_ASSERT_EQUAL(ex.type, XEN_NETIF_EXTRA_TYPE_GSO);
		CU_ASSERT_EQUAL(ex.flags, 0);
		CU_ASSERT_EQUAL(ex.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
		CU_ASSERT_EQUAL(ex.u.gso.size, 1448);
	}
	for (;;) {
		r = rsp_at(first + i);
		/* The response sits where its request was, with its id. */
		CU_ASSERT_EQUAL(r->id, (uint16_t)(id0 + 3 * i));
		CU_ASSERT_EQUAL(r->offset, 0);
		CU_ASSERT(r->status > 0 && r->status <= 4096);
		if (r->status <= 0)
			break;
		CU_ASSERT_EQUAL(r->status, data + 1 < ndata ? 4096 :
		    (int)(len - 4096 * (ndata - 1)));
		if (i == 0) {
			CU_ASSERT_EQUAL(r->flags & (NETRXF_csum_blank |
			    NETRXF_data_validated), csum);
			CU_ASSERT_EQUAL(!!(r->flags & NETRXF_extra_info), gso);
		} else {
			CU_ASSERT_EQUAL(r->flags & ~NETRXF_more_data, 0);
		}
		CU_ASSERT_EQUAL(!!(r->flags & NETRXF_more_data),
		    data + 1 < ndata);
		if (got + (uint32_t)r->status > len)
			break;
		memcpy(out + got, fx.guest + (size_t)(gref0 + i) *
		    RX_PAGE_SIZE, (size_t)r->status);
		got += (uint32_t)r->status;
		data++;
		i += gso && i == 0 ? 2 : 1;	/* step over the extra */
		if (!(r->flags & NETRXF_more_data))
			break;
		CU_ASSERT_FATAL(i < RX_MAX_SLOTS);
	}
	CU_ASSERT_EQUAL(got, len);
	CU_ASSERT_EQUAL(memcmp(out, frame, len), 0);
	free(out);
	return i;
}

/* Plan, copy, answer, push one frame; check everything. */
static void
one_frame(uint32_t len, bool gso, unsigned int want_slots)
{
	struct rx_pending pend;
	RING_IDX first = fx.back.req_cons;
	uint16_t csum = NETRXF_csum_blank | NETRXF_data_validated;
	int n;

	fill_frame(len, (uint8_t)len);
	fx.nsegs = 0;
	post(want_slots, 1000, 10);
	n = plan(len, csum | NETRXF_more_data, gso, &pend);
	CU_ASSERT_EQUAL_FATAL(n, (int)want_slots);
	CU_ASSERT_EQUAL(fx.back.req_cons, first + want_slots);
	CU_ASSERT_EQUAL(fx.nsegs, want_slots - (gso ? 1 : 0));
	do_copy(0, fx.nsegs, -1);
	rx_slots2rsp(&pend, fx.segs, &fx.back);
	CU_ASSERT_EQUAL(fx.back.rsp_prod_pvt, first + want_slots);
	RING_PUSH_RESPONSES(&fx.back);
	CU_ASSERT_EQUAL(front_check(first, 1000, 10, len, csum, gso),
	    want_slots);
}

static void
test_slots_needed(void)
{
	struct rx_frame f = { .data = frame };

	f.len = 0;
	CU_ASSERT_EQUAL(rx_slots_needed(&f), 1);
	f.len = 1;
	CU_ASSERT_EQUAL(rx_slots_needed(&f), 1);
	f.len = 4096;
	CU_ASSERT_EQUAL(rx_slots_needed(&f), 1);
	f.len = 4097;
	CU_ASSERT_EQUAL(rx_slots_needed(&f), 2);
	f.len = 9000;
	CU_ASSERT_EQUAL(rx_slots_needed(&f), 3);
	f.len = 65536 + 54;
	f.has_gso = true;
	CU_ASSERT_EQUAL(rx_slots_needed(&f), 17 + 1);
	f.len = 0xffffffffu;	/* no wrap to a small number */
	CU_ASSERT(rx_slots_needed(&f) > RX_MAX_SLOTS);
}

static void
test_one_slot(void)
{
	struct rx_pending pend;
	const netif_rx_response_t *r;
	struct xen_copy_seg *s;

	fx_init(0);
	fill_frame(60, 1);
	post(1, 10, 100);
	CU_ASSERT_EQUAL(plan(60, NETRXF_data_validated, false, &pend), 1);
	CU_ASSERT_EQUAL(fx.nsegs, 1);
	s = &fx.segs[0];
	CU_ASSERT_PTR_EQUAL(s->source.virt, frame);
	CU_ASSERT_EQUAL(s->dest.foreign.ref, 100);
	CU_ASSERT_EQUAL(s->dest.foreign.offset, 0);
	CU_ASSERT_EQUAL(s->dest.foreign.domid, DOMID);
	CU_ASSERT_EQUAL(s->len, 60);
	CU_ASSERT_EQUAL(s->flags, GNTCOPY_dest_gref);
	CU_ASSERT_EQUAL(s->status, GNTST_general_error);	/* preset */
	CU_ASSERT_EQUAL(fx.back.req_cons, 1);
	CU_ASSERT_EQUAL(fx.back.rsp_prod_pvt, 0);	/* not answered yet */
	do_copy(0, 1, -1);
	rx_slots2rsp(&pend, fx.segs, &fx.back);
	CU_ASSERT_EQUAL(fx.back.rsp_prod_pvt, 1);
	CU_ASSERT_EQUAL(fx.sring->rsp_prod, 0);	/* pushing is the caller's */
	RING_PUSH_RESPONSES(&fx.back);
	r = rsp_at(0);
	CU_ASSERT_EQUAL(r->id, 10);
	CU_ASSERT_EQUAL(r->offset, 0);
	CU_ASSERT_EQUAL(r->flags, NETRXF_data_validated);
	CU_ASSERT_EQUAL(r->status, 60);
	CU_ASSERT_EQUAL(memcmp(fx.guest + 100 * RX_PAGE_SIZE, frame, 60), 0);
	/* Exactly a page is still one slot. */
	one_frame(4096, false, 1);
}

static void
test_multi_slot(void)
{
	fx_init(0);
	one_frame(9000, false, 3);
	one_frame(4097, false, 2);
	one_frame(RX_MAX_FRAME_LEN, false, RX_MAX_DATA_SLOTS);
}

static void
test_gso_64k(void)
{
	struct rx_pending pend;

	fx_init(0);
	/* 64 KiB of payload + headers: 17 data slots + the extra. */
	one_frame(65536 + 54, true, 18);
	/* A GSO frame in one data slot: data, extra, no more_data. */
	one_frame(3000, true, 2);
	CU_ASSERT_EQUAL(rsp_at(fx.back.rsp_prod_pvt - 2)->flags,
	    NETRXF_csum_blank | NETRXF_data_validated | NETRXF_extra_info);
	/* The extra is 8 bytes in the second slot: type GSO first. */
	CU_ASSERT_EQUAL(((const uint8_t *)rsp_at(fx.back.rsp_prod_pvt -
	    1))[0], XEN_NETIF_EXTRA_TYPE_GSO);
	/* A wrong extra type is refused before anything is consumed. */
	{
		struct rx_frame f = { .data = frame, .len = 100,
		    .has_gso = true };
		RING_IDX cons = fx.back.req_cons;

		post(4, 1, 1);
		f.gso.type = XEN_NETIF_EXTRA_TYPE_HASH;
		CU_ASSERT_EQUAL(rx_frame2slots(&f, &fx.back,
		    fx.sring->req_prod, DOMID, fx.segs, &fx.nsegs, MAX_SEGS,
		    &pend), -EINVAL);
		CU_ASSERT_EQUAL(fx.back.req_cons, cons);
	}
}

static void
test_not_enough(void)
{
	struct rx_pending pend;
	unsigned int nsegs;

	fx_init(0);
	post(17, 1, 1);
	fill_frame(65536 + 54, 3);
	nsegs = fx.nsegs = 5;	/* segments of earlier frames */
	CU_ASSERT_EQUAL(plan(65536 + 54, 0, true, &pend), -ENOSPC);
	CU_ASSERT_EQUAL(fx.back.req_cons, 0);
	CU_ASSERT_EQUAL(fx.back.rsp_prod_pvt, 0);
	CU_ASSERT_EQUAL(fx.nsegs, nsegs);
	CU_ASSERT_EQUAL(rx_ring_ready(&fx.back, fx.sring->req_prod, 18), 0);
	/* One more request and it fits. */
	post(1, 1 + 3 * 17, 18);
	CU_ASSERT_EQUAL(rx_ring_ready(&fx.back, fx.sring->req_prod, 18), 1);
	CU_ASSERT_EQUAL(plan(65536 + 54, 0, true, &pend), 18);
	CU_ASSERT_EQUAL(fx.nsegs, nsegs + 17);

	/* Segment space is checked before anything is consumed. */
	fx_init(0);
	post(3, 1, 1);
	fx.nsegs = MAX_SEGS - 2;
	CU_ASSERT_EQUAL(plan(9000, 0, false, &pend), -ENOBUFS);
	CU_ASSERT_EQUAL(fx.back.req_cons, 0);
	CU_ASSERT_EQUAL(fx.nsegs, MAX_SEGS - 2);
	fx.nsegs = MAX_SEGS - 3;
	CU_ASSERT_EQUAL(plan(9000, 0, false, &pend), 3);
	CU_ASSERT_EQUAL(fx.nsegs, MAX_SEGS);

	/* Frames we cannot lay out at all. */
	fx_init(0);
	post(30, 1, 1);
	fx.nsegs = 0;
	CU_ASSERT_EQUAL(plan(0, 0, false, &pend), -EMSGSIZE);
	CU_ASSERT_EQUAL(plan(RX_MAX_FRAME_LEN + 1, 0, false, &pend),
	    -EMSGSIZE);
	CU_ASSERT_EQUAL(fx.back.req_cons, 0);
}

/* Responses land in the slots of their requests, ids echoed, across
 * several frames planned in one batch and answered after one copy. */
static void
test_batch_same_slot(void)
{
	struct rx_pending pend[3];
	static const uint32_t lens[3] = { 1500, 9000, 70 };
	uint8_t *frames[3];
	struct rx_frame f;
	unsigned int k, i, segs0[3], slot0[3];
	const netif_rx_response_t *r;

	fx_init(0);
	post(20, 500, 40);
	for (k = 0; k < 3; k++) {
		frames[k] = malloc(lens[k]);
		CU_ASSERT_FATAL(frames[k] != NULL);
		memset(frames[k], (int)(0x30 + k), lens[k]);
		memset(&f, 0, sizeof(f));
		f.data = frames[k];
		f.len = lens[k];
		segs0[k] = fx.nsegs;
		slot0[k] = fx.back.req_cons;
		CU_ASSERT(rx_frame2slots(&f, &fx.back, fx.sring->req_prod,
		    DOMID, fx.segs, &fx.nsegs, MAX_SEGS, &pend[k]) > 0);
		CU_ASSERT_EQUAL(pend[k].first, slot0[k]);
	}
	CU_ASSERT_EQUAL(fx.nsegs, 1 + 3 + 1);
	CU_ASSERT_EQUAL(segs0[2], 4);
	do_copy(0, fx.nsegs, 2);	/* frame 1's second slot fails */
	for (k = 0; k < 3; k++)
		rx_slots2rsp(&pend[k], fx.segs, &fx.back);
	RING_PUSH_RESPONSES(&fx.back);
	CU_ASSERT_EQUAL(fx.sring->rsp_prod, 5);
	for (i = 0; i < 5; i++) {
		r = rsp_at(i);
		CU_ASSERT_EQUAL(r->id, 500 + 3 * i);
		CU_ASSERT_EQUAL(r->offset, 0);
	}
	CU_ASSERT_EQUAL(rsp_at(0)->status, 1500);
	CU_ASSERT_EQUAL(rsp_at(1)->status, 4096);
	CU_ASSERT_EQUAL(rsp_at(2)->status, GNTST_bad_gntref);	/* < 0 */
	CU_ASSERT_EQUAL(rsp_at(2)->flags, NETRXF_more_data);
	CU_ASSERT_EQUAL(rsp_at(3)->status, 9000 - 8192);
	CU_ASSERT_EQUAL(rsp_at(4)->status, 70);
	for (k = 0; k < 3; k++)
		free(frames[k]);
}

/* Every slot's failure shows in that slot only. */
static void
test_copy_failure(void)
{
	struct rx_pending pend;
	unsigned int fail, i;

	for (fail = 0; fail < 3; fail++) {
		fx_init(0);
		post(4, 7, 20);
		fill_frame(10000, 9);
		CU_ASSERT_EQUAL(plan(10000, 0, false, &pend), 3);
		do_copy(0, 3, (int)fail);
		rx_slots2rsp(&pend, fx.segs, &fx.back);
		for (i = 0; i < 3; i++) {
			CU_ASSERT_EQUAL(rsp_at(i)->id, 7 + 3 * i);
			CU_ASSERT(i == fail ? rsp_at(i)->status ==
			    GNTST_bad_gntref : rsp_at(i)->status > 0);
		}
	}
	/* A copy that never ran keeps the preset error. */
	fx_init(0);
	post(1, 7, 20);
	CU_ASSERT_EQUAL(plan(100, 0, false, &pend), 1);
	rx_slots2rsp(&pend, fx.segs, &fx.back);
	CU_ASSERT_EQUAL(rsp_at(0)->status, GNTST_general_error);
}

static void
test_wrap(void)
{
	/* Physical wrap: slots 250..255 then 0..11. */
	fx_init(250);
	one_frame(65536 + 54, true, 18);
	CU_ASSERT_EQUAL(fx.back.req_cons, 250 + 18);
	one_frame(9000, false, 3);

	/* Index wrap at 2^32. */
	fx_init(0xfffffff8u);
	one_frame(65536 + 54, true, 18);
	CU_ASSERT_EQUAL(fx.back.req_cons, 0xfffffff8u + 18);
	CU_ASSERT_EQUAL(fx.back.rsp_prod_pvt, 10);
	CU_ASSERT_EQUAL(rx_requests_available(&fx.back, fx.sring->req_prod),
	    0);
	one_frame(100, false, 1);
	/* Many frames around the ring several times. */
	fx_init(0xffffff00u);
	{
		unsigned int k;

		for (k = 0; k < 200; k++)
			one_frame(1 + (k * 977) % 20000, k % 3 == 0,
			    (1 + (k * 977) % 20000 + 4095) / 4096 +
			    (k % 3 == 0));
		CU_ASSERT_EQUAL(fx.back.rsp_prod_pvt, fx.back.req_cons);
		CU_ASSERT(fx.back.req_cons < 0xffffff00u);	/* wrapped */
	}
}

static void
test_available_and_overflow(void)
{
	struct rx_pending pend;

	fx_init(0x7ffffff0u);
	CU_ASSERT_EQUAL(rx_requests_available(&fx.back, fx.sring->req_prod),
	    0);
	post(256, 1, 1);
	CU_ASSERT_EQUAL(rx_requests_available(&fx.back, fx.sring->req_prod),
	    256);
	/* An impossible producer: more than a ring beyond our responses. */
	CU_ASSERT_EQUAL(rx_requests_available(&fx.back,
	    fx.sring->req_prod + 1), -EPROTO);
	CU_ASSERT_EQUAL(rx_requests_available(&fx.back,
	    fx.sring->req_prod - 0x80000000u), -EPROTO);
	CU_ASSERT_EQUAL(rx_ring_ready(&fx.back, fx.sring->req_prod + 5, 1),
	    -EPROTO);
	CU_ASSERT_EQUAL(plan(100, 0, false, &pend), 1);
	/* Consumed but unanswered requests still hold their slots: the
	 * frontend cannot have reposted into them. */
	CU_ASSERT_EQUAL(rx_requests_available(&fx.back, fx.sring->req_prod),
	    255);
	CU_ASSERT_EQUAL(rx_requests_available(&fx.back,
	    fx.sring->req_prod + 1), -EPROTO);
	fx.nsegs = 0;
	do_copy(0, 1, -1);
	rx_slots2rsp(&pend, fx.segs, &fx.back);
	CU_ASSERT_EQUAL(rx_requests_available(&fx.back,
	    fx.sring->req_prod + 1), 256);
	/* A corrupt req_prod makes rx_frame2slots fatal, nothing consumed. */
	fx.sring->req_prod += 300;
	CU_ASSERT_EQUAL(plan(100, 0, false, &pend), -EPROTO);
	CU_ASSERT_EQUAL(fx.back.req_cons, 0x7ffffff0u + 1);
}

/*
 * A frontend that moves req_prod backwards, behind requests we consumed
 * and have not answered yet, between two of our reads (found by
 * tests/fuzz/fuzz_rx: the count went negative instead of -EPROTO).
 */
static void
test_req_prod_backwards(void)
{
	const RING_IDX s = 0xfffffffcu;
	struct rx_pending pend;
	RING_IDX rp;

	fx_init(s);
	post(4, 1, 1);
	fill_frame(3 * RX_PAGE_SIZE, 1);
	CU_ASSERT_EQUAL(plan(3 * RX_PAGE_SIZE, 0, false, &pend), 3);
	/* Three consumed, unanswered; req_prod goes back to s + 1, which
	 * is not past the responses we owe. */
	fx.sring->req_prod = s + 1;
	CU_ASSERT_EQUAL(rx_requests_available(&fx.back, fx.sring->req_prod),
	    -EPROTO);
	CU_ASSERT_EQUAL(rx_ring_ready(&fx.back, fx.sring->req_prod, 1),
	    -EPROTO);
	CU_ASSERT_EQUAL(rx_ring_wait_slots(&fx.back, 2, &rp), -EPROTO);
	CU_ASSERT_EQUAL(plan(100, 0, false, &pend), -EPROTO);
	CU_ASSERT_EQUAL(fx.back.req_cons, s + 3);
	/* Exactly at req_cons is fine: nothing more posted. */
	fx.sring->req_prod = s + 3;
	CU_ASSERT_EQUAL(rx_requests_available(&fx.back, fx.sring->req_prod),
	    0);
}

/* The frontend posts n requests and pushes them the way netfront does:
 * returns whether it would notify us. */
static int
post_notify(unsigned int n)
{
	netif_rx_request_t *req;
	unsigned int i;
	int notify;

	for (i = 0; i < n; i++) {
		req = RING_GET_REQUEST(&fx.front, fx.front.req_prod_pvt);
		req->id = (uint16_t)i;
		req->gref = i;
		fx.front.req_prod_pvt++;
	}
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&fx.front, notify);
	return notify;
}

static void
test_req_event(void)
{
	const RING_IDX s = 0xfffffffeu;
	RING_IDX rp = 0;

	fx_init(s);
	/* Nothing posted: 0, and req_event armed at req_prod + 1. */
	fx.sring->req_event = 77;
	CU_ASSERT_EQUAL(rx_ring_wait_slots(&fx.back, 3, &rp), 0);
	CU_ASSERT_EQUAL(fx.sring->req_event, s + 1);
	CU_ASSERT_EQUAL(rp, s);		/* the producer it read, handed out */
	/* So the frontend's next push notifies us. */
	CU_ASSERT_EQUAL(post_notify(1), 1);
	/* One posted, three needed: re-armed past the new producer. */
	CU_ASSERT_EQUAL(rx_ring_wait_slots(&fx.back, 3, &rp), 0);
	CU_ASSERT_EQUAL(fx.sring->req_event, s + 2);
	CU_ASSERT_EQUAL(post_notify(1), 1);
	CU_ASSERT_EQUAL(rx_ring_wait_slots(&fx.back, 3, &rp), 0);
	CU_ASSERT_EQUAL(fx.sring->req_event, s + 3);	/* across 2^32 */
	CU_ASSERT_EQUAL(post_notify(1), 1);
	/* Enough now: 1, and req_event is left alone. */
	CU_ASSERT_EQUAL(rx_ring_wait_slots(&fx.back, 3, &rp), 1);
	CU_ASSERT_EQUAL(fx.sring->req_event, s + 3);
	CU_ASSERT_EQUAL(rp, s + 3);	/* for rx_frame2slots to use */
	/* Not re-armed, a push does not notify: the re-arm matters. */
	CU_ASSERT_EQUAL(post_notify(1), 0);
	CU_ASSERT_EQUAL(rx_ring_wait_slots(&fx.back, 4, &rp), 1);
	/* Impossible producer. */
	fx.sring->req_prod += 1000;
	CU_ASSERT_EQUAL(rx_ring_wait_slots(&fx.back, 1, &rp), -EPROTO);
}

/* Stall detection compares with what the head frame needs, not 1. */
static void
test_stall_head_needs(void)
{
	struct rx_frame f = { .data = frame, .len = 65536 + 54,
	    .has_gso = true };
	unsigned int need = rx_slots_needed(&f);

	fx_init(0);
	post(5, 1, 1);
	CU_ASSERT_EQUAL(rx_ring_ready(&fx.back, fx.sring->req_prod, 1), 1);
	CU_ASSERT_EQUAL(rx_ring_ready(&fx.back, fx.sring->req_prod, need), 0);
	post(need - 5, 1, 1);
	CU_ASSERT_EQUAL(rx_ring_ready(&fx.back, fx.sring->req_prod, need), 1);
}

static int
suite_clean(void)
{
	fx_fini();
	return 0;
}

/* A GSO and a HASH extra: data 1, GSO (FLAG_MORE), HASH (last), data
 * 2..n; a HASH extra alone on a one-slot frame. */
static void
test_hash_extra(void)
{
	struct rx_pending pend;
	struct rx_frame f = { .data = frame, .len = 9000, .flags = 0,
	    .has_gso = true, .has_hash = true };
	struct netif_extra_info ex;
	RING_IDX first;
	int n;

	fx_init(0);
	fill_frame(9000, 3);
	f.gso.type = XEN_NETIF_EXTRA_TYPE_GSO;
	f.gso.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
	f.gso.u.gso.size = 1448;
	f.hash.type = XEN_NETIF_EXTRA_TYPE_HASH;
	f.hash.u.hash.type = _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP;
	f.hash.u.hash.algorithm = XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ;
	f.hash.u.hash.value[0] = 0x78;
	f.hash.u.hash.value[3] = 0x51;
	CU_ASSERT_EQUAL(rx_slots_needed(&f), 5);
	post(5, 10, 1);
	first = fx.back.req_cons;
	fx.nsegs = 0;
	n = rx_frame2slots(&f, &fx.back, fx.sring->req_prod, DOMID, fx.segs,
	    &fx.nsegs, MAX_SEGS, &pend);
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_EQUAL(fx.nsegs, 3);
	do_copy(0, fx.nsegs, -1);
	rx_slots2rsp(&pend, fx.segs, &fx.back);
	CU_ASSERT_EQUAL(rsp_at(first)->flags, NETRXF_extra_info |
	    NETRXF_more_data);
	CU_ASSERT_EQUAL(rsp_at(first)->status, 4096);
	memcpy(&ex, rsp_at(first + 1), sizeof(ex));
	CU_ASSERT_EQUAL(ex.type, XEN_NETIF_EXTRA_TYPE_GSO);
	CU_ASSERT_EQUAL(ex.flags, XEN_NETIF_EXTRA_FLAG_MORE);
	memcpy(&ex, rsp_at(first + 2), sizeof(ex));
	CU_ASSERT_EQUAL(ex.type, XEN_NETIF_EXTRA_TYPE_HASH);
	CU_ASSERT_EQUAL(ex.flags, 0);
	CU_ASSERT_EQUAL(ex.u.hash.type, _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP);
	CU_ASSERT_EQUAL(ex.u.hash.value[0], 0x78);
	CU_ASSERT_EQUAL(ex.u.hash.value[3], 0x51);
	CU_ASSERT_EQUAL(rsp_at(first + 3)->flags, NETRXF_more_data);
	CU_ASSERT_EQUAL(rsp_at(first + 3)->id, 10 + 3 * 3);
	CU_ASSERT_EQUAL(rsp_at(first + 4)->flags, 0);
	CU_ASSERT_EQUAL(rsp_at(first + 4)->status, 9000 - 2 * 4096);
	/* Data slot 2 went to the 4th request's gref (1 + 3). */
	CU_ASSERT_EQUAL(memcmp(fx.guest + 4 * RX_PAGE_SIZE, frame + 4096,
	    4096), 0);

	/* HASH alone, one data slot: data (extra_info, no more_data), HASH. */
	f.len = 60;
	f.has_gso = false;
	post(2, 50, 6);
	first = fx.back.req_cons;
	fx.nsegs = 0;
	CU_ASSERT_EQUAL(rx_frame2slots(&f, &fx.back, fx.sring->req_prod,
	    DOMID, fx.segs, &fx.nsegs, MAX_SEGS, &pend), 2);
	do_copy(0, fx.nsegs, -1);
	rx_slots2rsp(&pend, fx.segs, &fx.back);
	CU_ASSERT_EQUAL(rsp_at(first)->flags, NETRXF_extra_info);
	CU_ASSERT_EQUAL(rsp_at(first)->status, 60);
	memcpy(&ex, rsp_at(first + 1), sizeof(ex));
	CU_ASSERT_EQUAL(ex.type, XEN_NETIF_EXTRA_TYPE_HASH);
	CU_ASSERT_EQUAL(ex.flags, 0);
	/* A HASH extra of the wrong type is refused. */
	f.hash.type = XEN_NETIF_EXTRA_TYPE_GSO;
	post(2, 60, 8);
	CU_ASSERT_EQUAL(rx_frame2slots(&f, &fx.back, fx.sring->req_prod,
	    DOMID, fx.segs, &fx.nsegs, MAX_SEGS, &pend), -EINVAL);
}

/*
 * Plays Linux netfront (xennet_get_responses) for a frame planned with
 * XDP headroom `h` (and a GSO extra if `gso`) at ring index `first`,
 * posted with id0/gref0: the extras chained after the first slot (GSO
 * then XDP), the first slot's data at the headroom the XDP extra names
 * and at its response's offset, later slots at 0, every slot full but
 * the last, and the data intact. Returns the slots the frame used.
 */
static unsigned int
front_check_xdp(RING_IDX first, uint16_t id0, uint32_t gref0, uint32_t len,
    uint16_t h, bool gso)
{
	const netif_rx_response_t *r = rsp_at(first);
	struct netif_extra_info ex;
	unsigned int i = 1, nex = 0, data = 0;
	uint16_t off;
	uint8_t *out = malloc(len);
	uint32_t got = 0;

	CU_ASSERT_FATAL(out != NULL);
	CU_ASSERT(r->flags & NETRXF_extra_info);
	do {
		memcpy(&ex, rsp_at(first + i), sizeof(ex));
		if (nex == 0 && gso) {
			CU_ASSERT_EQUAL(ex.type, XEN_NETIF_EXTRA_TYPE_GSO);
			CU_ASSERT_EQUAL(ex.u.gso.size, 1448);
			CU_ASSERT_EQUAL(ex.flags, XEN_NETIF_EXTRA_FLAG_MORE);
		} else {
			CU_ASSERT_EQUAL(ex.type, XEN_NETIF_EXTRA_TYPE_XDP);
			CU_ASSERT_EQUAL(netif_extra_xdp_headroom(&ex), h);
			CU_ASSERT_EQUAL(ex.u.pad[1], 0);
			CU_ASSERT_EQUAL(ex.flags, 0);
		}
		nex++;
		i++;
	} while ((ex.flags & XEN_NETIF_EXTRA_FLAG_MORE) && nex < 4);
	CU_ASSERT_EQUAL(nex, gso ? 2u : 1u);
	for (;;) {
		unsigned int slot = data == 0 ? 0 : i++;
		uint32_t room;

		r = rsp_at(first + slot);
		CU_ASSERT_EQUAL(r->id, (uint16_t)(id0 + 3 * slot));
		/* netfront takes the first offset from the XDP extra; ours
		 * says the same in the response. */
		off = data == 0 ? h : 0;
		CU_ASSERT_EQUAL(r->offset, off);
		room = RX_PAGE_SIZE - off;
		CU_ASSERT(r->status > 0);
		if (r->status <= 0 || got + (uint32_t)r->status > len)
			break;
		CU_ASSERT_EQUAL((uint32_t)r->status, len - got < room ?
		    len - got : room);
		CU_ASSERT_EQUAL(!!(r->flags & NETRXF_more_data),
		    got + (uint32_t)r->status < len);
		memcpy(out + got, fx.guest + (size_t)(gref0 + slot) *
		    RX_PAGE_SIZE + off, (size_t)r->status);
		got += (uint32_t)r->status;
		data++;
		if (!(r->flags & NETRXF_more_data))
			break;
		CU_ASSERT_FATAL(i < RX_MAX_SLOTS);
	}
	CU_ASSERT(data <= RX_MAX_DATA_SLOTS);	/* netfront's limit */
	CU_ASSERT_EQUAL(got, len);
	CU_ASSERT_EQUAL(memcmp(out, frame, len), 0);
	free(out);
	return data == 1 ? 1 + nex : i;
}

/* Plan, copy, answer, push one frame with headroom h; check it all. */
static void
one_frame_xdp(uint32_t len, uint16_t h, bool gso, unsigned int want_slots)
{
	struct rx_frame f = { .data = frame, .len = len,
	    .flags = NETRXF_data_validated, .xdp_headroom = h };
	struct rx_pending pend;
	RING_IDX first = fx.back.req_cons;
	int n;

	if (gso) {
		f.has_gso = true;
		f.gso.type = XEN_NETIF_EXTRA_TYPE_GSO;
		f.gso.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
		f.gso.u.gso.size = 1448;
	}
	CU_ASSERT_EQUAL(rx_slots_needed(&f), want_slots);
	fill_frame(len, (uint8_t)(len + h));
	fx.nsegs = 0;
	post(want_slots, 2000, 10);
	n = rx_frame2slots(&f, &fx.back, fx.sring->req_prod, DOMID, fx.segs,
	    &fx.nsegs, MAX_SEGS, &pend);
	CU_ASSERT_EQUAL_FATAL(n, (int)want_slots);
	CU_ASSERT_EQUAL(fx.nsegs, want_slots - (gso ? 2 : 1));
	/* The first copy lands at the headroom, the others at 0. */
	CU_ASSERT_EQUAL(fx.segs[0].dest.foreign.offset, h);
	if (fx.nsegs > 1)
		CU_ASSERT_EQUAL(fx.segs[1].dest.foreign.offset, 0);
	do_copy(0, fx.nsegs, -1);
	rx_slots2rsp(&pend, fx.segs, &fx.back);
	RING_PUSH_RESPONSES(&fx.back);
	CU_ASSERT_EQUAL(fx.back.rsp_prod_pvt, first + want_slots);
	CU_ASSERT_EQUAL(front_check_xdp(first, 2000, 10, len, h, gso),
	    want_slots);
}

static void
test_xdp_layout(void)
{
	const netif_rx_response_t *r;
	struct netif_extra_info ex;

	fx_init(0);
	/* One slot: data at 256, then the XDP extra. */
	one_frame_xdp(60, 256, false, 2);
	r = rsp_at(0);
	CU_ASSERT_EQUAL(r->offset, 256);
	CU_ASSERT_EQUAL(r->status, 60);
	CU_ASSERT_EQUAL(r->flags, NETRXF_data_validated | NETRXF_extra_info);
	memcpy(&ex, rsp_at(1), sizeof(ex));
	CU_ASSERT_EQUAL(ex.type, XEN_NETIF_EXTRA_TYPE_XDP);
	CU_ASSERT_EQUAL(ex.u.pad[0], 256);
	CU_ASSERT_EQUAL(memcmp(fx.guest + 10 * RX_PAGE_SIZE + 256, frame, 60),
	    0);
	/* The first slot is full at 4096 - H bytes. */
	one_frame_xdp(4096 - 256, 256, false, 2);
	one_frame_xdp(4096 - 256 + 1, 256, false, 3);
	/* 9000 bytes: 3840 + 4096 + 1064. */
	one_frame_xdp(9000, 256, false, 4);
	/* GSO and XDP: data, GSO extra (MORE), XDP extra, data... */
	one_frame_xdp(3000, 256, true, 3);
	one_frame_xdp(65536 + 54, 256, true, 17 + 2);
	/* Odd headrooms, the largest that leaves room included. */
	one_frame_xdp(1500, 1, false, 2);
	one_frame_xdp(1500, 4095, false, 3);
	one_frame_xdp(9000, 4095, true, 4 + 2);
}

static void
test_xdp_limits(void)
{
	struct rx_frame f = { .data = frame };
	struct rx_pending pend;
	RING_IDX cons;

	fx_init(0);
	/* 18 data slots at most, the first shortened by the headroom. */
	/* 18 data slots, GSO and XDP extras (no HASH: RX_MAX_SLOTS has
	 * room for one more). */
	one_frame_xdp(RX_MAX_FRAME_LEN - 256, 256, true, RX_MAX_DATA_SLOTS + 2);
	f.len = RX_MAX_FRAME_LEN - 256 + 1;
	f.xdp_headroom = 256;
	CU_ASSERT(rx_slots_needed(&f) > RX_MAX_DATA_SLOTS + 1);
	post(RX_MAX_SLOTS + 2, 1, 1);
	cons = fx.back.req_cons;
	fx.nsegs = 0;
	CU_ASSERT_EQUAL(rx_frame2slots(&f, &fx.back, fx.sring->req_prod,
	    DOMID, fx.segs, &fx.nsegs, MAX_SEGS, &pend), -EMSGSIZE);
	/* No room for data at all: our caller's bug, refused. */
	f.len = 60;
	f.xdp_headroom = RX_PAGE_SIZE;
	CU_ASSERT_EQUAL(rx_frame2slots(&f, &fx.back, fx.sring->req_prod,
	    DOMID, fx.segs, &fx.nsegs, MAX_SEGS, &pend), -EINVAL);
	CU_ASSERT_EQUAL(fx.back.req_cons, cons);
	CU_ASSERT_EQUAL(fx.nsegs, 0);
	/* The stall test counts the XDP extra and the shorter first slot:
	 * one request short of that is not ready. */
	f.len = 4096;
	f.xdp_headroom = 256;
	CU_ASSERT_EQUAL(rx_slots_needed(&f), 3);
	fx_init(0);
	post(2, 1, 1);
	CU_ASSERT_EQUAL(rx_ring_ready(&fx.back, fx.sring->req_prod,
	    rx_slots_needed(&f)), 0);
	CU_ASSERT_EQUAL(rx_frame2slots(&f, &fx.back, fx.sring->req_prod,
	    DOMID, fx.segs, &fx.nsegs, MAX_SEGS, &pend), -ENOSPC);
	post(1, 4, 3);
	CU_ASSERT_EQUAL(rx_ring_ready(&fx.back, fx.sring->req_prod,
	    rx_slots_needed(&f)), 1);
	CU_ASSERT_EQUAL(rx_frame2slots(&f, &fx.back, fx.sring->req_prod,
	    DOMID, fx.segs, &fx.nsegs, MAX_SEGS, &pend), 3);
}

/* The sender's grants for the one-copy test: source gref g is page g. */
static uint8_t *src_pages;

/* The grant copy with foreign sources: local or gref to gref. */
static void
do_copy_foreign(unsigned int from, unsigned int to, int fail_at)
{
	struct xen_copy_seg *s;
	const uint8_t *src;
	unsigned int i;

	for (i = from; i < to; i++) {
		s = &fx.segs[i];
		CU_ASSERT(s->flags & GNTCOPY_dest_gref);
		CU_ASSERT_FATAL(s->dest.foreign.ref < NGREFS);
		CU_ASSERT(s->len > 0 && s->dest.foreign.offset + s->len <=
		    RX_PAGE_SIZE);
		if (s->flags & GNTCOPY_source_gref) {
			CU_ASSERT_EQUAL(s->source.foreign.domid, 9);
			CU_ASSERT_FATAL(s->source.foreign.ref < 8);
			CU_ASSERT(s->source.foreign.offset + s->len <=
			    RX_PAGE_SIZE);
			src = src_pages + (size_t)s->source.foreign.ref *
			    RX_PAGE_SIZE + s->source.foreign.offset;
		} else {
			src = s->source.virt;
		}
		if ((int)i == fail_at) {
			s->status = GNTST_bad_gntref;
			continue;
		}
		memcpy(fx.guest + (size_t)s->dest.foreign.ref * RX_PAGE_SIZE +
		    s->dest.foreign.offset, src, s->len);
		s->status = GNTST_okay;
	}
}

/*
 * One copy guest to guest: a 9000-byte frame whose first 128 bytes are
 * local (the head vifd read to decide where it goes) and whose rest is
 * in three of another guest's grants at odd offsets, as netfront's TX
 * slots leave it. Slots are filled across the pieces' boundaries (more
 * than one segment a slot), the frame comes out whole, a failed piece
 * fails its slot, and pieces that do not add up are refused.
 */
static void
test_foreign_pieces(void)
{
	static const struct rx_src_frag src[3] = {
		{ .ref = 0, .offset = 128, .len = 3968 },
		{ .ref = 1, .offset = 100, .len = 1000 },
		{ .ref = 2, .offset = 0, .len = 3904 },
	};
	struct rx_frame f = { .data = frame, .len = 9000, .local = 128,
	    .src_domid = 9, .nsrc = 3, .src = src,
	    .flags = NETRXF_data_validated };
	struct rx_frame bad;
	struct rx_src_frag bsrc[3];
	struct rx_pending pend;
	uint32_t off = 128;
	unsigned int i, j, n;
	RING_IDX first;

	src_pages = calloc(8, RX_PAGE_SIZE);
	CU_ASSERT_FATAL(src_pages != NULL);
	fill_frame(9000, 5);
	for (i = 0; i < 3; i++) {
		memcpy(src_pages + (size_t)src[i].ref * RX_PAGE_SIZE +
		    src[i].offset, frame + off, src[i].len);
		off += src[i].len;
	}
	fx_init(0);
	first = fx.back.req_cons;
	post(3, 50, 20);
	n = (unsigned int)rx_frame2slots(&f, &fx.back, fx.sring->req_prod,
	    DOMID, fx.segs, &fx.nsegs, MAX_SEGS, &pend);
	CU_ASSERT_EQUAL(n, 3);
	/* Slot 1: head + piece 0; slot 2: piece 1 + 3096 of piece 2;
	 * slot 3: the last 808 of piece 2. */
	CU_ASSERT_EQUAL(fx.nsegs, 5);
	CU_ASSERT_EQUAL(pend.slot[0].nseg, 2);
	CU_ASSERT_EQUAL(pend.slot[1].nseg, 2);
	CU_ASSERT_EQUAL(pend.slot[2].nseg, 1);
	CU_ASSERT_FALSE(fx.segs[0].flags & GNTCOPY_source_gref);
	for (j = 1; j < fx.nsegs; j++)
		CU_ASSERT(fx.segs[j].flags & GNTCOPY_source_gref);
	do_copy_foreign(0, fx.nsegs, -1);
	rx_slots2rsp(&pend, fx.segs, &fx.back);
	RING_PUSH_RESPONSES(&fx.back);
	CU_ASSERT_EQUAL(front_check(first, 50, 20, 9000,
	    NETRXF_data_validated, false), 3);

	/* A piece that fails to copy fails its slot, alone. */
	fx_init(0);
	post(3, 50, 20);
	CU_ASSERT_EQUAL(rx_frame2slots(&f, &fx.back, fx.sring->req_prod,
	    DOMID, fx.segs, &fx.nsegs, MAX_SEGS, &pend), 3);
	do_copy_foreign(0, fx.nsegs, 3);	/* slot 2's second segment */
	rx_slots2rsp(&pend, fx.segs, &fx.back);
	CU_ASSERT(rsp_at(0)->status > 0);
	CU_ASSERT_EQUAL(rsp_at(1)->status, GNTST_bad_gntref);
	CU_ASSERT(rsp_at(2)->status > 0);

	/* Room for the data slots but not for the pieces' segments. */
	fx_init(0);
	post(3, 50, 20);
	fx.nsegs = MAX_SEGS - 6;
	CU_ASSERT_EQUAL(rx_frame2slots(&f, &fx.back, fx.sring->req_prod,
	    DOMID, fx.segs, &fx.nsegs, MAX_SEGS, &pend), -ENOBUFS);
	CU_ASSERT_EQUAL(fx.back.req_cons, 0);

	/* Pieces that do not add up, or leave their page: refused. */
	fx_init(0);
	post(3, 50, 20);
	memcpy(bsrc, src, sizeof(bsrc));
	bad = f;
	bad.src = bsrc;
	bsrc[2].len = 3903;
	CU_ASSERT_EQUAL(rx_frame2slots(&bad, &fx.back, fx.sring->req_prod,
	    DOMID, fx.segs, &fx.nsegs, MAX_SEGS, &pend), -EINVAL);
	bsrc[2].len = 3904;
	bsrc[1].offset = 3200;
	CU_ASSERT_EQUAL(rx_frame2slots(&bad, &fx.back, fx.sring->req_prod,
	    DOMID, fx.segs, &fx.nsegs, MAX_SEGS, &pend), -EINVAL);
	bsrc[1].offset = 100;
	bad.local = 9001;
	CU_ASSERT_EQUAL(rx_frame2slots(&bad, &fx.back, fx.sring->req_prod,
	    DOMID, fx.segs, &fx.nsegs, MAX_SEGS, &pend), -EINVAL);
	CU_ASSERT_EQUAL(fx.back.req_cons, 0);
	CU_ASSERT_EQUAL(fx.nsegs, 0);
	free(src_pages);
	src_pages = NULL;
}

static CU_TestInfo rx_tests[] = {
	{ "slots needed", test_slots_needed },
	{ "one slot", test_one_slot },
	{ "multi-slot frames", test_multi_slot },
	{ "64 KiB GSO: 17 data + 1 extra", test_gso_64k },
	{ "GSO and HASH extras chained; HASH alone", test_hash_extra },
	{ "not enough requests or segments", test_not_enough },
	{ "batch: same slot, ids, copy status", test_batch_same_slot },
	{ "copy failure per slot", test_copy_failure },
	{ "ring wrap at 256 and 2^32", test_wrap },
	{ "available requests and overflow", test_available_and_overflow },
	{ "req_event re-arm", test_req_event },
	{ "req_prod moved backwards: fatal", test_req_prod_backwards },
	{ "stall test uses the head frame's needs", test_stall_head_needs },
	{ "XDP headroom: layout, offsets, extras", test_xdp_layout },
	{ "XDP headroom: size limits and stall test", test_xdp_limits },
	{ "one copy: foreign pieces, gref to gref", test_foreign_pieces },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "rx", NULL, suite_clean, NULL, NULL, rx_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
