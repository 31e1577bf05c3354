/*
 * txplan.c - the simulated netfront's TX slot layout: frame pieces ->
 * data slots -> TX ring requests, as Linux netfront lays them out
 * (drivers/net/xen-netfront.c: xennet_start_xmit, xennet_count_skb_slots,
 * xennet_make_first_txreq, xennet_make_txreqs). Owns the layout rules
 * only; which pages and grants back the slots is the caller's business.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "txplan.h"

/* Slots a piece takes: one per page it touches (gnttab_count_grant). */
static unsigned int
txplan_piece_slots(const struct txplan_piece *pc)
{
	uint32_t off = pc->off % VIFD_PAGE_SIZE;

	if (pc->len == 0)
		return 0;
	return (unsigned int)((off + (uint64_t)pc->len + VIFD_PAGE_SIZE - 1) /
	    VIFD_PAGE_SIZE);
}

/* Cuts one piece at page boundaries into p->slots[p->nslots...]. The
 * caller has checked that the slots fit. */
static void
txplan_cut(struct txplan *p, uint16_t piece, uint32_t off, uint32_t len)
{
	uint32_t page = off / VIFD_PAGE_SIZE;

	off %= VIFD_PAGE_SIZE;
	while (len > 0) {
		uint32_t n = VIFD_PAGE_SIZE - off;
		struct txplan_slot *s = &p->slots[p->nslots++];

		if (n > len)
			n = len;
		s->piece = piece;
		s->page = (uint16_t)page;
		s->offset = (uint16_t)off;
		s->size = (uint16_t)n;
		len -= n;
		off = 0;
		page++;
	}
}

int
txplan_build(const struct txplan_piece *pieces, unsigned int npieces,
    bool sg, struct txplan *p)
{
	uint64_t total = 0;
	unsigned int i, slots = 0;
	uint32_t first;

	memset(p, 0, sizeof(*p));
	if (npieces == 0 || npieces > TXPLAN_MAX_PIECES)
		return -EINVAL;
	for (i = 0; i < npieces; i++) {
		total += pieces[i].len;
		slots += txplan_piece_slots(&pieces[i]);
	}
	if (total == 0)
		return -EINVAL;
	/* netif's size field is 16 bits: Linux drops the frame. */
	if (total > XEN_NETIF_MAX_TX_SIZE)
		return -EMSGSIZE;
	p->total = (uint32_t)total;
	p->layout_slots = slots;

	/*
	 * Linux bounces the frame to fresh pages when the head leaves fewer
	 * than ETH_HLEN bytes in its page (its linear area always holds the
	 * Ethernet header, so that is the only way its first slot can be
	 * short), and linearizes it when it needs more than
	 * MAX_XEN_SKB_FRAGS + 1 slots. Both end up as one run of pages from
	 * offset 0. Our head is the first non-empty piece, which may be
	 * short itself: bounce then too, so the first slot never is.
	 */
	for (i = 0; i < npieces && pieces[i].len == 0; i++)
		;
	first = VIFD_PAGE_SIZE - pieces[i].off % VIFD_PAGE_SIZE;
	if (first > pieces[i].len)
		first = pieces[i].len;
	if (first < TXPLAN_MIN_FIRST && first < total)
		p->bounced = true;
	if (slots > TXPLAN_MAX_SLOTS || p->bounced) {
		p->linearized = true;
		slots = (unsigned int)((total + VIFD_PAGE_SIZE - 1) /
		    VIFD_PAGE_SIZE);
	}
	/* Without feature-sg every frame must fit one slot. */
	if (slots > 1 && !sg)
		return -EOPNOTSUPP;

	if (p->linearized) {
		txplan_cut(p, TXPLAN_LINEAR, 0, p->total);
		return 0;
	}
	for (i = 0; i < npieces; i++)
		txplan_cut(p, (uint16_t)i, pieces[i].off, pieces[i].len);
	return 0;
}

unsigned int
txplan_ring_slots(const struct txplan *p, bool has_gso)
{
	return p->nslots + (has_gso ? 1u : 0u);
}

unsigned int
txplan_to_ring(netif_tx_front_ring_t *ring, const struct txplan *p,
    const struct txplan_ref *refs, uint16_t csum_flags,
    const struct netif_extra_info *gso)
{
	RING_IDX start = ring->req_prod_pvt;
	netif_tx_request_t *first;
	unsigned int i;

	/* The first request: size is the whole frame, not the slot. */
	first = RING_GET_REQUEST(ring, ring->req_prod_pvt);
	ring->req_prod_pvt++;
	first->gref = refs[0].gref;
	first->id = refs[0].id;
	first->offset = p->slots[0].offset;
	first->size = (uint16_t)p->total;
	first->flags = csum_flags & (NETTXF_csum_blank | NETTXF_data_validated);
	if (p->nslots > 1)
		first->flags |= NETTXF_more_data;

	/* The GSO extra goes directly after the first request. */
	if (gso != NULL) {
		struct netif_extra_info *ex = (struct netif_extra_info *)
		    RING_GET_REQUEST(ring, ring->req_prod_pvt);

		ring->req_prod_pvt++;
		memset(ex, 0, sizeof(*ex));
		ex->type = XEN_NETIF_EXTRA_TYPE_GSO;
		ex->flags = 0;
		ex->u.gso.size = gso->u.gso.size;
		ex->u.gso.type = gso->u.gso.type;
		first->flags |= NETTXF_extra_info;
	}

	for (i = 1; i < p->nslots; i++) {
		netif_tx_request_t *tx = RING_GET_REQUEST(ring,
		    ring->req_prod_pvt);

		ring->req_prod_pvt++;
		tx->gref = refs[i].gref;
		tx->id = refs[i].id;
		tx->offset = p->slots[i].offset;
		tx->size = p->slots[i].size;
		tx->flags = (i + 1 < p->nslots) ? NETTXF_more_data : 0;
	}
	return (unsigned int)(ring->req_prod_pvt - start);
}
