/*
 * tx.c - the guest-TX pure core: parses the frontend's TX ring slots into
 * packets, turns packets into grant-copy segments and writes responses.
 *
 * It owns the TX wire-format rules (netif.h "Guest transmit") and the
 * line between a packet that is dropped (error responses, carry on) and a
 * frontend that is fatally broken (disable the vif), with Linux netback
 * (drivers/net/xen-netback/netback.c: xenvif_tx_build_gops,
 * xenvif_get_extras, xenvif_count_requests, xenvif_set_skb_gso,
 * _make_tx_response) as the baseline; where we differ the code says why.
 * It does not own the ring indices, barriers, notifications, the grant
 * copy itself, rate limiting or the TAP: the queue worker does.
 *
 * Every function works on local copies of the slots (tx_copy_slots reads
 * each shared slot once) and every loop is bounded by the number of
 * published slots or by the per-packet slot limits.
 */
#include "config.h"

#include <errno.h>
#include <net/ethernet.h>	/* ETHER_HDR_LEN */
#include <string.h>

#include "core/featmask.h"
#include "core/tx.h"

int
tx_ring_check(const netif_tx_back_ring_t *ring, RING_IDX req_prod)
{
	RING_IDX reqs = req_prod - ring->req_cons;
	RING_IDX rsp_room;

	/* Free-running u32 indices: the difference is right across 2^32. */
	if (reqs > RING_SIZE(ring))
		return -EPROTO;
	/*
	 * A request slot becomes a response slot once answered; never
	 * consume more than there is room to answer (the bound
	 * XEN_RING_NR_UNCONSUMED_REQUESTS also applies). With every
	 * consumed request answered in the same sweep this is RING_SIZE.
	 */
	rsp_room = RING_SIZE(ring) - (ring->req_cons - ring->rsp_prod_pvt);
	if (rsp_room > RING_SIZE(ring))	/* our own indices are corrupt */
		rsp_room = 0;
	return (int)(reqs < rsp_room ? reqs : rsp_room);
}

void
tx_copy_slots(const netif_tx_back_ring_t *ring, RING_IDX cons,
    unsigned int n, union tx_slot *out)
{
	unsigned int i;

	/* The whole 12-byte slot through a volatile access, once: the
	 * frontend may rewrite it meanwhile (XSA-155). An extra-info slot
	 * is read as the request it overlays. */
	for (i = 0; i < n; i++)
		RING_COPY_REQUEST(ring, cons + i, &out[i].req);
}

static int
tx_fail(int *fatal, int reason)
{
	*fatal = reason;
	return -EPROTO;
}

/*
 * Reads the extra-info chain that follows the first slot: slots[1..).
 * Returns the index of the slot after the chain, or -EPROTO.
 */
static int
tx_get_extras(const union tx_slot *slots, unsigned int avail,
    struct tx_pkt *pkt, int *fatal)
{
	bool add = false, del = false;
	struct netif_extra_info add_ex = { 0 }, del_ex = { 0 };
	struct netif_extra_info ex;
	unsigned int i = 1;

	/* Bounded by avail: each round consumes one published slot. */
	do {
		if (i >= avail)
			return tx_fail(fatal, TX_FATAL_MISSING_EXTRA);
		ex = slots[i++].extra;
		/*
		 * Linux's netif.h also has XEN_NETIF_EXTRA_TYPE_XDP (5, an
		 * RX-only headroom hint, core/netif_xdp.h) and MAX 6, so
		 * Linux netback (xenvif_get_extras) accepts and ignores a
		 * type-5 extra on TX. Xen's header (ours) ends at MAX 5; no
		 * frontend sends XDP on TX (netfront never does), and we
		 * follow Xen's definition of a valid TX type. Deliberate.
		 */
		if (ex.type == XEN_NETIF_EXTRA_TYPE_NONE ||
		    ex.type >= XEN_NETIF_EXTRA_TYPE_MAX)
			return tx_fail(fatal, TX_FATAL_EXTRA_TYPE);
		switch (ex.type) {
		case XEN_NETIF_EXTRA_TYPE_GSO:
			pkt->has_gso = true;
			pkt->gso = ex;
			break;
		case XEN_NETIF_EXTRA_TYPE_MCAST_ADD:
			add = true;
			add_ex = ex;
			break;
		case XEN_NETIF_EXTRA_TYPE_MCAST_DEL:
			del = true;
			del_ex = ex;
			break;
		case XEN_NETIF_EXTRA_TYPE_HASH:
			/* The frontend's flow hash. Linux stores it as the
			 * skb hash; a TAP has no place for it, so it is kept
			 * in pkt->hash and otherwise ignored. */
			pkt->has_hash = true;
			pkt->hash = ex;
			break;
		}
	} while (ex.flags & XEN_NETIF_EXTRA_FLAG_MORE);

	if (add || del) {
		pkt->mcast = true;
		pkt->mcast_op = add ? XEN_NETIF_EXTRA_TYPE_MCAST_ADD :
		    XEN_NETIF_EXTRA_TYPE_MCAST_DEL;
		memcpy(pkt->mcast_addr, add ? add_ex.u.mcast.addr :
		    del_ex.u.mcast.addr, sizeof(pkt->mcast_addr));
	}
	return (int)i;
}

int
tx_ring2pkt(const union tx_slot *slots, unsigned int avail, RING_IDX cons,
    struct tx_pkt *pkt, int *fatal)
{
	netif_tx_request_t first, txp;
	/* Later non-empty slots, before the first fragment's size (and so
	 * every pkt_off) is known: frags[1..nlater]. */
	unsigned int nlater = 0, later = 0, i = 1, f;
	uint32_t remaining, off;
	int drop = TX_DROP_NONE;
	int r;

	*fatal = TX_FATAL_NONE;
	if (avail == 0)
		return 0;

	memset(pkt, 0, sizeof(*pkt));
	first = slots[0].req;
	pkt->start = cons;
	pkt->flags = first.flags;
	pkt->ids[0] = first.id;
	pkt->ndata = 1;

	if (first.flags & NETTXF_extra_info) {
		r = tx_get_extras(slots, avail, pkt, fatal);
		if (r < 0)
			return r;
		i = (unsigned int)r;
		pkt->nextras = i - 1;
	}

	/*
	 * A multicast add/del request is a dummy: answered at once, no data
	 * slots taken and the first slot's size and offset not looked at
	 * (Linux answers before xenvif_count_requests; a more_data flag on
	 * it is not followed, so further slots are parsed as new packets).
	 * The caller applies pkt->mcast_op/mcast_addr to the vif's list
	 * (mcast_list_apply, core/mcast.h), which says whether the request
	 * is answered OKAY or ERROR; its extra slots are answered NULL.
	 */
	if (pkt->mcast) {
		pkt->nslots = i;
		return (int)i;
	}

	remaining = first.size;
	if (first.flags & NETTXF_more_data) {
		/* Bounded by avail and by TX_FATAL_SLOTS: `later` grows by
		 * one per round. */
		do {
			/* Linux: "Asked for %d slots but exceeds this limit".
			 * A frontend publishes whole packets; a partial one is
			 * treated as broken, not as still arriving. */
			if (i >= avail)
				return tx_fail(fatal, TX_FATAL_MISSING_SLOTS);
			if (later >= TX_FATAL_SLOTS)
				return tx_fail(fatal, TX_FATAL_TOO_MANY_SLOTS);
			/* More than the 18 slots every backend must take,
			 * less than malicious: consume, answer, drop. */
			if (drop == TX_DROP_NONE && later >= TX_LEGACY_SLOTS)
				drop = TX_DROP_TOO_MANY_SLOTS;

			txp = slots[i++].req;
			later++;
			/*
			 * A frame of 64 KiB or more wraps the first slot's
			 * 16-bit size, so later slots look larger than what is
			 * left. Not fatal: there are buggy frontends that do
			 * this (Linux). Consume every slot and drop.
			 */
			if (drop == TX_DROP_NONE && txp.size > remaining)
				drop = TX_DROP_OVERSIZE;
			if (drop == TX_DROP_NONE)
				remaining -= txp.size;
			/* Checked even while dropping, as Linux does. */
			if ((uint32_t)txp.offset + txp.size > TX_PAGE_SIZE)
				return tx_fail(fatal, TX_FATAL_PAGE_CROSS);
			pkt->ids[pkt->ndata++] = txp.id;
			/* Empty slots get a response but no grant op and no
			 * fragment (XSA-448). */
			if (drop == TX_DROP_NONE && txp.size != 0) {
				nlater++;
				pkt->frags[nlater].gref = txp.gref;
				pkt->frags[nlater].offset = txp.offset;
				pkt->frags[nlater].size = txp.size;
			}
		} while (txp.flags & NETTXF_more_data);
	}
	pkt->nslots = i;

	if (drop != TX_DROP_NONE) {
		pkt->drop = drop;
		return (int)i;
	}

	/* What is left of the total is the first fragment's size. Linux,
	 * QEMU and NetBSD all refuse a first fragment shorter than an
	 * Ethernet header. */
	if (remaining < ETHER_HDR_LEN) {
		pkt->drop = TX_DROP_RUNT;
		return (int)i;
	}
	if ((uint32_t)first.offset + remaining > TX_PAGE_SIZE)
		return tx_fail(fatal, TX_FATAL_PAGE_CROSS);

	/* Linux xenvif_set_skb_gso: both fatal, checked only for packets
	 * that are otherwise accepted. */
	if (pkt->has_gso) {
		if (pkt->gso.u.gso.size == 0)
			return tx_fail(fatal, TX_FATAL_GSO_SIZE);
		if (pkt->gso.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
		    pkt->gso.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6)
			return tx_fail(fatal, TX_FATAL_GSO_TYPE);
	}

	pkt->frags[0].gref = first.gref;
	pkt->frags[0].offset = first.offset;
	pkt->frags[0].size = (uint16_t)remaining;
	pkt->nfrags = 1 + nlater;
	off = 0;
	for (f = 0; f < pkt->nfrags; f++) {
		pkt->frags[f].pkt_off = off;
		off += pkt->frags[f].size;
	}
	/* The fragments add up to the first slot's size by construction. */
	pkt->len = first.size;
	return (int)i;
}

void
tx_pkt_apply_mask(struct tx_pkt *pkt, uint32_t off)
{
	uint32_t gso_bit;

	if (pkt->drop != TX_DROP_NONE || pkt->mcast || off == 0)
		return;
	if ((off & FEATMASK_SG) && pkt->ndata > 1) {
		pkt->drop = TX_DROP_MASKED;
		return;
	}
	if (!pkt->has_gso)
		return;
	/* tx_ring2pkt let only TCPV4 and TCPV6 through. */
	gso_bit = pkt->gso.u.gso.type == XEN_NETIF_GSO_TYPE_TCPV4 ?
	    FEATMASK_GSO_TCPV4 : FEATMASK_GSO_TCPV6;
	if (off & gso_bit)
		pkt->drop = TX_DROP_MASKED;
}

int
tx_pkt2copyops_range(const struct tx_pkt *pkt, uint16_t domid, uint8_t *buf,
    uint32_t from, uint32_t to, struct xen_copy_seg *segs,
    unsigned int max_segs)
{
	unsigned int f, k = 0;
	uint32_t a, b;

	if (pkt->drop != TX_DROP_NONE || pkt->mcast)
		return 0;
	if (to > pkt->len)
		to = pkt->len;
	for (f = 0; f < pkt->nfrags; f++)
		if (tx_frag_clip(&pkt->frags[f], from, to, &a, &b))
			k++;
	if (k > max_segs)
		return -ENOSPC;
	for (k = 0, f = 0; f < pkt->nfrags; f++) {
		const struct tx_frag *fr = &pkt->frags[f];
		struct xen_copy_seg *s;

		if (!tx_frag_clip(fr, from, to, &a, &b))
			continue;
		s = &segs[k++];
		memset(s, 0, sizeof(*s));
		s->source.foreign.ref = fr->gref;
		s->source.foreign.offset =
		    (uint16_t)(fr->offset + (a - fr->pkt_off));
		s->source.foreign.domid = domid;
		s->dest.virt = buf + a;
		s->len = (uint16_t)(b - a);
		s->flags = GNTCOPY_source_gref;
		s->status = GNTST_general_error;
	}
	return (int)k;
}

int
tx_pkt2copyops(const struct tx_pkt *pkt, uint16_t domid, uint8_t *buf,
    struct xen_copy_seg *segs, unsigned int max_segs)
{
	return tx_pkt2copyops_range(pkt, domid, buf, 0, pkt->len, segs,
	    max_segs);
}

int
tx_pkt_copy_status(const struct tx_pkt *pkt, const struct xen_copy_seg *segs)
{
	if (pkt->drop != TX_DROP_NONE || pkt->mcast)
		return GNTST_okay;
	return copy_seg_status(segs, pkt->nfrags);
}

static void
tx_put_rsp(netif_tx_back_ring_t *ring, RING_IDX idx, uint16_t id,
    int16_t status)
{
	netif_tx_response_t *rsp = RING_GET_RESPONSE(ring, idx);

	rsp->id = id;
	rsp->status = status;
}

void
tx_pkt2rsp(const struct tx_pkt *pkt, netif_tx_back_ring_t *ring,
    int16_t status)
{
	RING_IDX idx = ring->rsp_prod_pvt;
	unsigned int k;

	tx_put_rsp(ring, idx++, pkt->ids[0], status);
	for (k = 0; k < pkt->nextras; k++)
		tx_put_rsp(ring, idx++, 0, NETIF_RSP_NULL);
	for (k = 1; k < pkt->ndata; k++)
		tx_put_rsp(ring, idx++, pkt->ids[k], status);
	ring->rsp_prod_pvt = idx;
}

const char *
tx_drop_str(int reason)
{
	switch (reason) {
	case TX_DROP_NONE:
		return "not dropped";
	case TX_DROP_TOO_MANY_SLOTS:
		return "too many slots";
	case TX_DROP_OVERSIZE:
		return "slot larger than the rest of the packet";
	case TX_DROP_RUNT:
		return "first fragment shorter than an Ethernet header";
	case TX_DROP_MASKED:
		return "uses a feature masked on this vif";
	case TX_DROP_GRANT_COPY:
		return "grant copy failed";
	}
	return "unknown drop reason";
}

const char *
tx_fatal_str(int reason)
{
	switch (reason) {
	case TX_FATAL_NONE:
		return "no error";
	case TX_FATAL_RING_OVERFLOW:
		return "impossible number of requests";
	case TX_FATAL_MISSING_SLOTS:
		return "packet claims more slots than published";
	case TX_FATAL_TOO_MANY_SLOTS:
		return "malicious number of slots";
	case TX_FATAL_PAGE_CROSS:
		return "slot crosses a page boundary";
	case TX_FATAL_MISSING_EXTRA:
		return "missing extra info";
	case TX_FATAL_EXTRA_TYPE:
		return "invalid extra info type";
	case TX_FATAL_GSO_SIZE:
		return "GSO size is zero";
	case TX_FATAL_GSO_TYPE:
		return "bad GSO type";
	}
	return "unknown fatal reason";
}
