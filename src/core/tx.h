/*
 * tx.h - the guest-TX pure core: netif TX ring slots -> packets -> grant
 * copy segments -> responses.
 *
 * A queue worker drives it once per ring sweep:
 *
 *	req_prod = ring_load_index(&ring.sring->req_prod);	(once)
 *	n = tx_ring_check(&ring, req_prod);
 *	if (n < 0) -> fatal TX_FATAL_RING_OVERFLOW
 *	tx_copy_slots(&ring, ring.req_cons, n, slots);	(every slot read once)
 *	for (off = 0; off < n; off += r) {
 *		r = tx_ring2pkt(slots + off, n - off, ring.req_cons + off,
 *		    &pkt[k], &why);
 *		if (r < 0) -> fatal `why`: consume nothing more, disable vif
 *		nseg += tx_pkt2copyops(&pkt[k], domid, buf[k], segs + nseg, ..);
 *	}
 *	(stop between packets when a budget or the packet buffers run
 *	out: each accepted packet needs pkt.len bytes of its own)
 *	one grant copy over segs[0..nseg)
 *	per packet: tx_pkt_copy_status() -> write it to the TAP or not,
 *	tx_pkt2rsp(&pkt[k], &ring, status); advance req_cons by pkt.nslots
 *	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY
 *
 * Everything here is a function of its arguments: no fd, no clock, no
 * global state, no hypervisor. Names of protocol things (NETTXF_*,
 * NETIF_RSP_*, XEN_NETIF_EXTRA_*) are those of Xen's <xen/io/netif.h>;
 * Linux's private copy of that header spells them XEN_NETTXF_* etc.
 */
#ifndef VIFD_TX_H
#define VIFD_TX_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ring.h"	/* <xen/io/ring.h>, <xen/io/netif.h>, barriers */
#include "core/copy_seg.h"		/* struct xen_copy_seg */

/* Ring protocols always use 4 KiB pages, whatever the host's page size
 * (ring.h defines XEN_PAGE_SHIFT; the public headers have no size). */
#define TX_PAGE_SIZE		(1u << XEN_PAGE_SHIFT)

/*
 * Slot limits, as Linux netback counts them: slots *after* the first.
 *   first + up to TX_LEGACY_SLOTS more	accepted
 *   first + 19 or 20 more			dropped (every slot answered)
 *   needing a 21st more slot			fatal for the vif
 * 18 is XEN_NETIF_NR_SLOTS_MIN (netif.h: every backend must accept it;
 * Linux XEN_NETBK_LEGACY_SLOTS_MAX). 20 is Linux's fatal_skb_slots
 * default (netback.c FATAL_SKB_SLOTS_DEFAULT).
 */
#define TX_LEGACY_SLOTS		XEN_NETIF_NR_SLOTS_MIN
#define TX_FATAL_SLOTS		20

/* Data slots (first + later) of an accepted packet, hence fragments. */
#define TX_MAX_FRAGS		(1 + TX_LEGACY_SLOTS)
/* Data slots a (dropped) packet can consume and must answer. */
#define TX_MAX_DATA_SLOTS	(1 + TX_FATAL_SLOTS)

/*
 * The first slot's `size` is the whole packet and is 16 bits wide, and
 * every later slot must fit in what remains of it, so no accepted packet
 * exceeds 65535 bytes (netif.h XEN_NETIF_MAX_TX_SIZE). A buffer of this
 * size holds any packet tx_ring2pkt accepts.
 */
#define TX_MAX_PKT_LEN		XEN_NETIF_MAX_TX_SIZE

/*
 * Grant-copy segments per packet: one per non-empty data slot (the guest
 * side of a slot never crosses a page; the local side may, which the
 * grant-copy interface handles). A sweep therefore never needs more
 * segments than it consumes slots: RING_SIZE segments always suffice.
 */
#define TX_MAX_SEGS_PER_PKT	TX_MAX_FRAGS

/* Why a packet is dropped (answered NETIF_RSP_ERROR, not transmitted). */
enum tx_drop {
	TX_DROP_NONE = 0,
	TX_DROP_TOO_MANY_SLOTS,	/* first + 19 or 20 more slots */
	TX_DROP_OVERSIZE,	/* a later slot exceeds what remains of the
				 * total (frames >= 64 KiB wrap `size`) */
	TX_DROP_RUNT,		/* first fragment < 14 bytes (ETH_HLEN) */
	TX_DROP_MASKED,		/* uses a feature masked on this vif, which
				 * was therefore not advertised (see
				 * tx_pkt_apply_mask) */
	TX_DROP_GRANT_COPY,	/* not set here: for the worker's counters
				 * when tx_pkt_copy_status() fails */
	TX_DROP_MAX
};

/* Why the frontend is disabled (nothing of the packet is consumed). */
enum tx_fatal {
	TX_FATAL_NONE = 0,
	TX_FATAL_RING_OVERFLOW,	/* req_prod - req_cons > RING_SIZE */
	TX_FATAL_MISSING_SLOTS,	/* more_data on the last published slot */
	TX_FATAL_TOO_MANY_SLOTS,/* needs a 21st slot after the first */
	TX_FATAL_PAGE_CROSS,	/* offset + size > 4096 in some slot */
	TX_FATAL_MISSING_EXTRA,	/* extra_info/EXTRA_FLAG_MORE, none published */
	TX_FATAL_EXTRA_TYPE,	/* extra type 0 or >= XEN_NETIF_EXTRA_TYPE_MAX */
	TX_FATAL_GSO_SIZE,	/* GSO extra with size (MSS) 0 */
	TX_FATAL_GSO_TYPE,	/* GSO type other than TCPV4 / TCPV6 */
	TX_FATAL_MAX
};

/*
 * A local copy of one TX ring slot (12 bytes). An extra-info slot
 * overlays a request slot, so the whole slot is copied and read through
 * whichever member its position calls for.
 */
union tx_slot {
	netif_tx_request_t req;
	struct netif_extra_info extra;
};

/* One non-empty data slot of an accepted packet. */
struct tx_frag {
	grant_ref_t gref;
	uint16_t offset;	/* in the granted page; offset + size <= 4096 */
	uint16_t size;		/* > 0 */
	uint32_t pkt_off;	/* where it lands in the packet */
};

/*
 * The part of fragment fr that holds the packet's bytes [from, to): true,
 * with those bytes' packet offsets [*a, *b), when there is one. Its place
 * in the granted page is fr->offset + (*a - fr->pkt_off).
 */
static inline bool
tx_frag_clip(const struct tx_frag *fr, uint32_t from, uint32_t to,
    uint32_t *a, uint32_t *b)
{
	*a = fr->pkt_off > from ? fr->pkt_off : from;
	*b = fr->pkt_off + fr->size < to ? fr->pkt_off + fr->size : to;
	return *a < *b;
}

/*
 * A parsed packet. Slot layout in the ring, from `start`:
 *   [first] [nextras extra-info slots] [ndata - 1 later data slots]
 * so nslots == nextras + ndata.
 */
struct tx_pkt {
	RING_IDX start;		/* ring index of the first slot */
	unsigned int nslots;	/* slots consumed */
	unsigned int nextras;	/* extra-info slots (answered NETIF_RSP_NULL) */
	unsigned int ndata;	/* data slots, first included (>= 1) */
	uint16_t ids[TX_MAX_DATA_SLOTS];	/* request ids of the data slots,
						 * in ring order */
	uint16_t flags;		/* NETTXF_* of the first slot */
	uint32_t len;		/* packet bytes; 0 if dropped or mcast */

	/* Extras; when a type repeats in one chain, the last one wins (as
	 * Linux xenvif_get_extras overwrites its per-type array). */
	bool has_gso;
	struct netif_extra_info gso;	/* validated: size > 0, TCPV4/6 */
	bool has_hash;
	struct netif_extra_info hash;	/* accepted, not interpreted */
	/* An MCAST_ADD/MCAST_DEL request is a "dummy": it carries no data
	 * and is answered, not transmitted. mcast_op is the extra type
	 * (ADD wins over DEL when both are present, as in Linux). */
	bool mcast;
	uint8_t mcast_op;
	uint8_t mcast_addr[6];

	unsigned int nfrags;	/* non-empty data slots; 0 unless accepted */
	struct tx_frag frags[TX_MAX_FRAGS];

	int drop;		/* TX_DROP_NONE or the reason to drop */
};

/*
 * Checks the frontend's producer index before a sweep. `req_prod` is the
 * value the caller read once from ring->sring->req_prod with
 * ring_load_index (which orders the slot reads after it). Returns the
 * number of requests that may be consumed now (0..RING_SIZE; also bounded
 * by the response slots still free, as XEN_RING_NR_UNCONSUMED_REQUESTS),
 * or -EPROTO if req_prod - req_cons > RING_SIZE: an impossible number of
 * requests, fatal for the vif (TX_FATAL_RING_OVERFLOW; Linux "Impossible
 * number of requests").
 */
int tx_ring_check(const netif_tx_back_ring_t *ring, RING_IDX req_prod);

/*
 * Copies the n slots starting at ring index `cons` out of the shared ring
 * into out[0..n), each slot read exactly once through a volatile access
 * (RING_COPY_REQUEST; the double-fetch class is XSA-155). Indices are
 * free-running and wrap at 2^32. Precondition: n <= RING_SIZE (what
 * tx_ring_check returned); out holds n slots.
 */
void tx_copy_slots(const netif_tx_back_ring_t *ring, RING_IDX cons,
    unsigned int n, union tx_slot *out);

/*
 * Parses one packet from local slot copies. slots[0] is the slot at ring
 * index `cons`; slots[0..avail) must be *everything* the frontend has
 * published (a packet whose more_data runs past slots[avail-1] is fatal,
 * as in Linux, so never pass a budget-truncated count: stop between
 * packets instead).
 *
 * Returns:
 *  - 0 if avail == 0;
 *  - the number of slots the packet consumes (> 0, <= avail), with pkt
 *    filled. pkt->drop != 0: answer every data slot NETIF_RSP_ERROR and
 *    transmit nothing. pkt->mcast: apply mcast_op/mcast_addr to the
 *    vif's list (mcast_list_apply) and answer with the status it gives,
 *    transmit nothing. Otherwise pkt->frags describe pkt->len bytes to
 *    transmit;
 *  - -EPROTO if the frontend broke the protocol in a way Linux treats as
 *    fatal: *fatal is set to a TX_FATAL_* reason, nothing is consumed,
 *    the vif must be disabled. pkt is then unspecified.
 * *fatal is TX_FATAL_NONE whenever the return value is >= 0.
 *
 * For rate limiting, slots[0].req.size is the size Linux charges before
 * parsing (the claimed total).
 */
int tx_ring2pkt(const union tx_slot *slots, unsigned int avail,
    RING_IDX cons, struct tx_pkt *pkt, int *fatal);

/*
 * The per-vif feature mask on guest TX: `off` is the vif's FEATMASK_* set
 * (closure taken, src/core/featmask.h). A packet that uses what was not
 * advertised is dropped (pkt->drop = TX_DROP_MASKED: every data slot
 * answered NETIF_RSP_ERROR, nothing transmitted), the vif stays up:
 *  - more than one data slot (empty ones included) with sg masked:
 *    netif.h, a frontend may chain slots only if feature-sg;
 *  - a GSO extra of a type whose gso-tcpv4/gso-tcpv6 is masked.
 * Linux netback always advertises both and has no such check; dropping
 * one packet, as for its other per-packet errors, harms no one but the
 * frontend that broke the rule. Already dropped and multicast-control
 * packets are left alone. Checksum offload is no reason to drop:
 * frontends may always send IPv4 partial checksums (see
 * vnet_hdr_tx_masked_csum).
 */
void tx_pkt_apply_mask(struct tx_pkt *pkt, uint32_t off);

/*
 * Appends to segs[] the grant-copy segments that bring an accepted
 * packet's bytes from domain `domid` into buf[0..pkt->len) (buf must hold
 * pkt->len bytes, e.g. TX_MAX_PKT_LEN). Source: the guest's grant
 * {gref, offset, domid} with GNTCOPY_source_gref; destination: the local
 * address buf + frag.pkt_off. Each segment's status is preset to
 * GNTST_general_error, so a segment the copy never ran cannot look
 * successful. Returns the number of segments written (pkt->nfrags; 0 for
 * dropped and mcast packets), or -ENOSPC if max_segs is smaller (nothing
 * written).
 */
int tx_pkt2copyops(const struct tx_pkt *pkt, uint16_t domid, uint8_t *buf,
    struct xen_copy_seg *segs, unsigned int max_segs);

/*
 * The same for the packet's bytes [from, to) only (to is capped at
 * pkt->len), each to buf + its offset in the packet: one segment per
 * fragment those bytes lie in, cut at from and to. A vifd switch port
 * first reads a large packet's head (to decide where it goes) and only
 * the rest when it cannot go guest to guest in one copy. Returns the
 * number of segments (0 for dropped and mcast packets, or an empty
 * range), or -ENOSPC if max_segs is smaller (nothing written).
 */
int tx_pkt2copyops_range(const struct tx_pkt *pkt, uint16_t domid,
    uint8_t *buf, uint32_t from, uint32_t to, struct xen_copy_seg *segs,
    unsigned int max_segs);

/*
 * After the grant copy: segs points at the segments tx_pkt2copyops wrote
 * for this packet. Returns 0 (GNTST_okay) if every one succeeded, else
 * the first GNTST_* error (negative). 0 for packets without segments.
 */
int tx_pkt_copy_status(const struct tx_pkt *pkt,
    const struct xen_copy_seg *segs);

/*
 * Writes one response per consumed slot at ring->rsp_prod_pvt, in ring
 * order, and advances rsp_prod_pvt by pkt->nslots: data slots get their
 * id and `status` (NETIF_RSP_OKAY, _ERROR or _DROPPED), extra-info slots
 * NETIF_RSP_NULL (with id 0: the frontend ignores ids of NULL responses).
 * Does not push: the caller publishes with RING_PUSH_RESPONSES*.
 *
 * Every data slot of the packet gets the same status. Linux answers a
 * copy/map failure per slot (a slot whose own copy worked gets OKAY);
 * we answer ERROR for all, as our protocol notes (§1.8) ask. Linux
 * netfront skips NULL responses and otherwise only uses the id to release
 * the request; it marks itself broken on an id >= RING_SIZE or for a
 * request that is not pending, so each data slot is answered exactly once.
 */
void tx_pkt2rsp(const struct tx_pkt *pkt, netif_tx_back_ring_t *ring,
    int16_t status);

/* Short human-readable reasons ("too many slots", ...); never NULL. */
const char *tx_drop_str(int reason);
const char *tx_fatal_str(int reason);

#endif
