/*
 * rx.c - the guest-RX pure core: frames read from the TAP become RX ring
 * slots, grant-copy segments and responses.
 *
 * Owns the RX wire layout (netif.h "Guest receive", Linux
 * drivers/net/xen-netback/rx.c: xenvif_rx_skb, xenvif_rx_data_slot,
 * xenvif_rx_extra_slot, xenvif_rx_copy_flush), the rule that a response
 * lands in the slot of its request, the "enough requests for the head
 * frame" test used for backpressure and stall detection, and the
 * req_event re-arm. It does not own the frame queue, its limits and
 * timeouts, the grant copy itself, pushing responses or notifying: the
 * queue worker does.
 *
 * Frames are laid out as Linux does since "always fully coalesce guest
 * Rx packets": every data slot full (4096 bytes at offset 0) but the
 * last, so a frame needs exactly ceil(len / 4096) data slots and the
 * count is known before anything is consumed. The frontend's XDP
 * headroom H only shortens the first slot (4096 - H bytes at offset H),
 * so the count stays exact: ceil((H + len) / 4096).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/netif_xdp.h"
#include "core/rx.h"

_Static_assert(sizeof(struct netif_extra_info) ==
    sizeof(netif_rx_response_t), "an extra-info overlays an RX response");
_Static_assert(RX_PAGE_SIZE <= INT16_MAX,
    "a full slot's byte count fits the 16-bit status");

/*
 * Bound of the req_event re-check loop. Linux loops for as long as
 * req_prod keeps moving; a hostile frontend could keep us there, so we
 * stop after a few rounds. Four is plenty: a real frontend pushes a
 * batch and stops.
 */
#define RX_WAIT_ROUNDS	4

/* Extras of `f`, in netif's order (GSO, HASH, then XDP: by type, as
 * Linux xenvif_rx_extra_slot walks them), into ex[]; their number. */
static unsigned int
rx_extras(const struct rx_frame *f, struct netif_extra_info *ex)
{
	unsigned int n = 0;

	if (f->has_gso)
		ex[n++] = f->gso;
	if (f->has_hash)
		ex[n++] = f->hash;
	if (f->xdp_headroom != 0) {
		memset(&ex[n], 0, sizeof(ex[n]));
		ex[n].type = XEN_NETIF_EXTRA_TYPE_XDP;
		netif_extra_set_xdp_headroom(&ex[n], f->xdp_headroom);
		n++;
	}
	return n;
}

/* Data slots of `f`: its headroom and bytes in full pages, at least 1.
 * 64-bit arithmetic: len close to 2^32 must not wrap to 1 slot; the
 * count is capped past RX_MAX_SLOTS (refused anyway; the sums stay
 * sane). */
static unsigned int
data_slots(const struct rx_frame *f)
{
	uint64_t n = ((uint64_t)f->xdp_headroom + f->len + RX_PAGE_SIZE - 1) /
	    RX_PAGE_SIZE;

	if (n == 0)
		n = 1;
	if (n > RX_MAX_SLOTS)
		n = RX_MAX_SLOTS + 1;
	return (unsigned int)n;
}

unsigned int
rx_slots_needed(const struct rx_frame *f)
{
	return data_slots(f) + (f->has_gso ? 1u : 0u) +
	    (f->has_hash ? 1u : 0u) + (f->xdp_headroom != 0 ? 1u : 0u);
}

int
rx_requests_available(const netif_rx_back_ring_t *ring, RING_IDX req_prod)
{
	/*
	 * Free-running u32 indices: differences are right across 2^32.
	 * Requests we consumed but have not answered yet still occupy their
	 * slots, so the frontend can have posted at most RING_SIZE beyond
	 * our private response producer.
	 */
	if (RING_REQUEST_PROD_OVERFLOW(ring, req_prod))
		return -EPROTO;
	/*
	 * A producer behind req_cons is impossible too: the frontend moved
	 * req_prod backwards over requests we consumed and have not
	 * answered yet (between our reads of it, e.g. in
	 * rx_ring_wait_slots). The check above lets that through (it
	 * measures from rsp_prod_pvt), and the difference would wrap to a
	 * negative count (found by tests/fuzz/fuzz_rx).
	 */
	if (req_prod - ring->req_cons > RING_SIZE(ring))
		return -EPROTO;
	return (int)(req_prod - ring->req_cons);
}

int
rx_ring_ready(const netif_rx_back_ring_t *ring, RING_IDX req_prod,
    unsigned int needed)
{
	int avail = rx_requests_available(ring, req_prod);

	if (avail < 0)
		return avail;
	return (unsigned int)avail >= needed ? 1 : 0;
}

int
rx_ring_wait_slots(netif_rx_back_ring_t *ring, unsigned int needed,
    RING_IDX *req_prod)
{
	RING_IDX prod, again;
	unsigned int round;
	int r = 0;

	prod = ring_load_index(&ring->sring->req_prod);
	for (round = 0; round < RX_WAIT_ROUNDS; round++) {
		r = rx_ring_ready(ring, prod, needed);
		if (r != 0)
			break;
		/*
		 * Ask for a notification on the next request pushed. The
		 * frontend compares req_event with the producer range it
		 * publishes (RING_PUSH_REQUESTS_AND_CHECK_NOTIFY), so any
		 * push after this store is seen, and a push that happened
		 * before it is caught by the re-read that follows the
		 * barrier.
		 */
		ring_set_event(&ring->sring->req_event, prod + 1);
		again = ring_load_index(&ring->sring->req_prod);
		if (again == prod)
			break;
		prod = again;
	}
	*req_prod = prod;
	return r;
}

/* Where the next bytes of a frame with foreign pieces come from: piece
 * `i` of f->src, `used` bytes of it already taken. */
struct rx_cursor {
	unsigned int i;
	uint32_t used;
};

/* Do f's foreign pieces add up to what is not local, each in its page? */
static bool
rx_src_ok(const struct rx_frame *f)
{
	uint64_t sum = 0;
	unsigned int i;

	if (f->nsrc == 0)
		return true;
	if (f->local > f->len || f->src == NULL)
		return false;
	for (i = 0; i < f->nsrc; i++) {
		if (f->src[i].len == 0 ||
		    (uint32_t)f->src[i].offset + f->src[i].len > RX_PAGE_SIZE)
			return false;
		sum += f->src[i].len;
	}
	return sum == f->len - f->local;
}

/*
 * The segments that bring bytes [from, from + n) of f to offset `doff`
 * of grant `gref` of domain `domid`: one from local memory, or, for a
 * frame with foreign pieces, one per piece those bytes lie in (`cur`
 * walks the pieces; slots are filled in order). Returns how many it
 * wrote to seg[].
 */
static unsigned int
rx_slot_segs(const struct rx_frame *f, uint32_t from, uint32_t n,
    grant_ref_t gref, uint16_t doff, uint16_t domid, struct rx_cursor *cur,
    struct xen_copy_seg *seg)
{
	unsigned int k = 0;
	uint32_t piece;

	while (n > 0) {
		struct xen_copy_seg *g = &seg[k++];

		memset(g, 0, sizeof(*g));
		g->dest.foreign.ref = gref;
		g->dest.foreign.offset = doff;
		g->dest.foreign.domid = domid;
		g->flags = GNTCOPY_dest_gref;
		g->status = GNTST_general_error;
		if (f->nsrc == 0 || from < f->local) {
			piece = f->nsrc == 0 ? n : f->local - from;
			if (piece > n)
				piece = n;
			/* The grant-copy interface takes a non-const
			 * source pointer; a local source is only read. */
			g->source.virt = (void *)(uintptr_t)(f->data + from);
		} else {
			const struct rx_src_frag *sf = &f->src[cur->i];

			piece = sf->len - cur->used;
			if (piece > n)
				piece = n;
			g->source.foreign.ref = sf->ref;
			g->source.foreign.offset =
			    (uint16_t)(sf->offset + cur->used);
			g->source.foreign.domid = f->src_domid;
			g->flags |= GNTCOPY_source_gref;
			cur->used += piece;
			if (cur->used == sf->len) {
				cur->i++;
				cur->used = 0;
			}
		}
		g->len = (uint16_t)piece;
		from += piece;
		doff = (uint16_t)(doff + piece);
		n -= piece;
	}
	return k;
}

int
rx_frame2slots(const struct rx_frame *f, netif_rx_back_ring_t *ring,
    RING_IDX req_prod, uint16_t domid, struct xen_copy_seg *segs,
    unsigned int *nsegs, unsigned int max_segs, struct rx_pending *pend)
{
	netif_rx_request_t req;
	struct rx_cursor cur = { 0, 0 };
	unsigned int ndata, nslots, i, k, maxk;
	uint32_t done, chunk, room;
	int avail;

	if (f->xdp_headroom >= RX_PAGE_SIZE ||
	    (f->has_gso && f->gso.type != XEN_NETIF_EXTRA_TYPE_GSO) ||
	    (f->has_hash && f->hash.type != XEN_NETIF_EXTRA_TYPE_HASH) ||
	    !rx_src_ok(f))
		return -EINVAL;
	if (f->len == 0 ||
	    f->len > RX_MAX_FRAME_LEN - (uint32_t)f->xdp_headroom)
		return -EMSGSIZE;
	avail = rx_requests_available(ring, req_prod);
	if (avail < 0)
		return avail;
	ndata = data_slots(f);
	nslots = rx_slots_needed(f);
	if ((unsigned int)avail < nslots)
		return -ENOSPC;
	/* Each piece boundary can split a slot once more. */
	maxk = ndata + (f->nsrc > 0 ? f->nsrc + 1 : 0);
	if (*nsegs > max_segs || max_segs - *nsegs < maxk)
		return -ENOBUFS;

	memset(pend, 0, sizeof(*pend));
	pend->first = ring->req_cons;
	pend->nslots = nslots;
	pend->flags = f->flags & (NETRXF_csum_blank | NETRXF_data_validated);
	pend->offset = f->xdp_headroom;
	pend->nextra = rx_extras(f, pend->extra);

	done = 0;
	for (i = 0, k = 0; i < nslots; i++) {
		/* Once, through a volatile access: the frontend may rewrite
		 * the slot meanwhile (XSA-155). */
		RING_COPY_REQUEST(ring, ring->req_cons + i, &req);
		pend->slot[i].id = req.id;
		/* The extras go right after the first data slot. */
		if (i >= 1 && i <= pend->nextra) {
			pend->slot[i].extra = true;
			continue;
		}
		/* The first slot starts at the headroom, the others at 0. */
		room = RX_PAGE_SIZE - (i == 0 ? pend->offset : 0u);
		chunk = f->len - done;
		if (chunk > room)
			chunk = room;
		pend->slot[i].len = (uint16_t)chunk;
		pend->slot[i].seg = *nsegs + k;
		pend->slot[i].nseg = rx_slot_segs(f, done, chunk, req.gref,
		    i == 0 ? pend->offset : 0, domid, &cur, &segs[*nsegs + k]);
		k += pend->slot[i].nseg;
		done += chunk;
	}
	ring->req_cons += nslots;
	*nsegs += k;
	return (int)nslots;
}

void
rx_slots2rsp(const struct rx_pending *pend, const struct xen_copy_seg *segs,
    netif_rx_back_ring_t *ring)
{
	netif_rx_response_t rsp;
	struct netif_extra_info extra;
	unsigned int i, last_data;
	int16_t st;

	/* Responses are produced in ring order, frame after frame. */
	if (pend->first != ring->rsp_prod_pvt || pend->nslots == 0 ||
	    pend->nslots > RX_MAX_SLOTS || pend->nextra > RX_MAX_EXTRAS ||
	    pend->nextra >= pend->nslots)
		abort();

	/* One data slot: the first is the last, whatever extras follow. */
	last_data = pend->nslots - 1;
	if (last_data == pend->nextra)
		last_data = 0;

	for (i = 0; i < pend->nslots; i++) {
		if (pend->slot[i].extra) {
			extra = pend->extra[i - 1];
			extra.flags = i < pend->nextra ?
			    XEN_NETIF_EXTRA_FLAG_MORE : 0;
			memcpy(RING_GET_RESPONSE(ring, pend->first + i),
			    &extra, sizeof(extra));
			continue;
		}
		memset(&rsp, 0, sizeof(rsp));
		rsp.id = pend->slot[i].id;
		rsp.offset = i == 0 ? pend->offset : 0;
		if (i != last_data)
			rsp.flags |= NETRXF_more_data;
		if (i == 0) {
			rsp.flags |= pend->flags;
			if (pend->nextra > 0)
				rsp.flags |= NETRXF_extra_info;
		}
		st = copy_seg_status(segs + pend->slot[i].seg, pend->slot[i].nseg);
		/* GNTST_* errors are negative: the frontend sees an error
		 * status for that slot (and drops the packet). */
		if (st == GNTST_okay)
			rsp.status = (int16_t)pend->slot[i].len;
		else
			rsp.status = st < 0 ? st : NETIF_RSP_ERROR;
		*RING_GET_RESPONSE(ring, pend->first + i) = rsp;
	}
	ring->rsp_prod_pvt = pend->first + pend->nslots;
}
