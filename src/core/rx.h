/*
 * rx.h - the guest-RX pure core: a frame read from the TAP -> RX ring
 * slots -> grant-copy segments -> responses.
 *
 * A queue worker drives it per batch:
 *
 *	req_prod = ring_load_index(&sring->req_prod);	(once per batch)
 *	while (frames queued) {
 *		f = head frame (flags/GSO from vnet_hdr_vhdr2netrx)
 *		r = rx_frame2slots(&f, &ring, req_prod, domid, segs, &nsegs,
 *		    max_segs, &pend[k]);
 *		if (r == -ENOSPC)		(fewer requests than f needs)
 *			r = rx_ring_wait_slots(&ring, rx_slots_needed(&f),
 *			    &req_prod);	(re-arms req_event, reads again)
 *			1: go on with the fresh req_prod; 0: keep the frame
 *			and sleep on the event channel; -EPROTO: fatal
 *		if (r == -ENOBUFS) flush the batch first, then retry f
 *		if (r == -EPROTO) fatal: impossible req_prod
 *		if (r < 0) drop the frame, count it
 *		k++
 *	}
 *	one grant copy over segs[0..nsegs)
 *	for each pend[i] in order: rx_slots2rsp(&pend[i], segs, &ring)
 *	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY, notify
 * so a frame's free slots are checked once (in rx_frame2slots), and the
 * producer is read again only when that check says "not enough".
 *
 * Stall detection (XSA-392, CVE-2021-28714) compares what the frontend
 * posted with rx_slots_needed() of the head frame, never with 1:
 * rx_ring_ready(). The timing is the worker's.
 *
 * Layout of one frame in the ring (netif.h "Guest receive"; Linux
 * xenvif_rx_skb): data slot 1 (flags: checksum bits, extra_info if an
 * extra follows, more_data if more data slots follow), then the extras in
 * netif's order (GSO, HASH, then XDP; each but the last with
 * XEN_NETIF_EXTRA_FLAG_MORE), then data slots 2..n (more_data on all but
 * the last). Without XDP headroom every data slot holds 4096 bytes at
 * offset 0 but the last. With the frontend's xdp-headroom H (1..4095):
 * data slot 1 holds up to 4096 - H bytes at offset H (response offset H,
 * status its byte count), later slots 4096 bytes at offset 0 as before,
 * and every frame carries an XEN_NETIF_EXTRA_TYPE_XDP extra with
 * headroom H (Linux netfront takes the first slot's offset from it).
 * Each response is written into the ring slot of the request it answers:
 * Linux netfront ignores RX response ids because extras overlay them
 * (netif.h NOTE).
 *
 * No fd, no clock, no hypervisor: the ring memory is the only shared
 * state touched, and only through the ring macros and ring.h barriers.
 */
#ifndef VIFD_RX_H
#define VIFD_RX_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ring.h"
#include "core/copy_seg.h"		/* struct xen_copy_seg */

/* Ring protocols use 4 KiB pages whatever the host's page size. */
#define RX_PAGE_SIZE		(1u << XEN_PAGE_SHIFT)

/*
 * Data slots per frame. Linux netfront refuses a packet of more than
 * XEN_NETIF_NR_SLOTS_MIN (18) data slots ("Too many slots",
 * xennet_get_responses; 19 only when the first slot holds <= 256 bytes,
 * which we never count on). 18 pages hold 73728 bytes, less the XDP
 * headroom in the first: any 64 KiB GSO frame plus its headers, with any
 * headroom that leaves room for data.
 */
#define RX_MAX_DATA_SLOTS	XEN_NETIF_NR_SLOTS_MIN
#define RX_MAX_FRAME_LEN	(RX_MAX_DATA_SLOTS * RX_PAGE_SIZE)
/* Extras a frame can carry: GSO, HASH and XDP. */
#define RX_MAX_EXTRAS		3
#define RX_MAX_SLOTS		(RX_MAX_DATA_SLOTS + RX_MAX_EXTRAS)

/* A piece of a frame that is in another domain's grant: one copy from
 * that guest's TX buffer straight into this guest's RX buffer (a vifd
 * switch, data/vswitch.h). */
struct rx_src_frag {
	grant_ref_t ref;
	uint16_t offset;	/* in the granted page; offset + len <= 4096 */
	uint16_t len;		/* > 0 */
};

/* A frame to deliver. data/len: the frame in local memory (it stays
 * there until the batch's grant copy has run); or, when nsrc > 0, only
 * its first `local` bytes are at data and the rest, len - local bytes,
 * are src[0..nsrc) in the grants of domain src_domid, in order. */
struct rx_frame {
	const uint8_t *data;
	uint32_t len;
	uint32_t local;
	uint16_t src_domid;
	unsigned int nsrc;
	const struct rx_src_frag *src;
	uint16_t flags;		/* NETRXF_csum_blank / NETRXF_data_validated;
				 * other bits are ignored */
	bool has_gso;
	struct netif_extra_info gso;	/* XEN_NETIF_EXTRA_TYPE_GSO */
	bool has_hash;
	struct netif_extra_info hash;	/* XEN_NETIF_EXTRA_TYPE_HASH */
	uint16_t xdp_headroom;	/* the frontend's xdp-headroom when the
				 * frame was read: 0 (none) or 1..4095 */
};

/* One consumed ring slot of a frame. */
struct rx_slot {
	uint16_t id;		/* the request's id, echoed */
	uint16_t len;		/* data bytes (1..4096); 0 for an extra */
	bool extra;		/* an extra-info slot */
	uint32_t seg;		/* data slots: index of its first copy in
				 * segs[] */
	uint32_t nseg;		/* its copies: 1 for a local frame; a frame
				 * from another guest's grants may need
				 * more (a slot is filled from several) */
};

/*
 * What rx_frame2slots consumed for one frame and rx_slots2rsp answers.
 * Owned by the queue worker between the two calls.
 */
struct rx_pending {
	RING_IDX first;		/* ring index of the first slot */
	unsigned int nslots;	/* slots consumed (data + extras) */
	uint16_t flags;		/* checksum bits for the first data slot */
	uint16_t offset;	/* of the first data slot: the XDP headroom */
	unsigned int nextra;	/* extras, in slots 1..nextra */
	struct netif_extra_info extra[RX_MAX_EXTRAS];	/* in ring order */
	struct rx_slot slot[RX_MAX_SLOTS];
};

/*
 * Ring slots `f` needs: its data slots (ceil((xdp_headroom + len) /
 * 4096), at least 1: the first slot holds 4096 - xdp_headroom bytes) plus
 * one per extra: GSO, HASH, and XDP while xdp_headroom != 0 (Linux
 * xenvif_update_needed_slots). May exceed RX_MAX_SLOTS for an oversized
 * frame, which rx_frame2slots refuses.
 */
unsigned int rx_slots_needed(const struct rx_frame *f);

/*
 * Requests the frontend has posted and we have not consumed: req_prod -
 * req_cons, where req_prod is the value the caller read from the shared
 * ring with ring_load_index (which orders the request reads after it). Returns
 * 0..RING_SIZE, or -EPROTO if req_prod is impossible: more requests than
 * the ring has room for beside the responses we still owe
 * (RING_REQUEST_PROD_OVERFLOW), or behind req_cons (a producer moved
 * backwards), which is fatal for the vif.
 */
int rx_requests_available(const netif_rx_back_ring_t *ring,
    RING_IDX req_prod);

/*
 * Is the ring ready for a frame that needs `needed` slots? 1 if at least
 * that many requests are posted, 0 if not, -EPROTO as
 * rx_requests_available. This is the stall test: a frontend that posts
 * some requests, but fewer than the head frame needs, is as stalled as
 * one that posts none (CVE-2021-28714).
 */
int rx_ring_ready(const netif_rx_back_ring_t *ring, RING_IDX req_prod,
    unsigned int needed);

/*
 * Reads req_prod from the shared ring (ring_load_index) and, if fewer
 * than `needed` requests are posted, sets req_event = req_prod + 1 so
 * that the frontend's next RING_PUSH_REQUESTS_AND_CHECK_NOTIFY notifies
 * us, then re-reads req_prod after a full barrier (ring_set_event) in
 * case requests arrived before the frontend could see req_event (Linux
 * xenvif_rx_ring_slots_available). *req_prod gets the value it read
 * last, for the rx_frame2slots calls that follow. Returns 1 (enough
 * requests: go on), 0 (not enough, req_event armed: sleep on the event
 * channel) or -EPROTO (impossible req_prod). The re-check loop is
 * bounded: a frontend that keeps moving req_prod only delays its own
 * queue (it gets 0 and must notify).
 */
int rx_ring_wait_slots(netif_rx_back_ring_t *ring, unsigned int needed,
    RING_IDX *req_prod);

/*
 * Consumes the requests for one frame and plans its copy.
 *  - Checks req_prod (-EPROTO as rx_requests_available) and that
 *    rx_slots_needed(f) requests are posted (-ENOSPC otherwise).
 *  - Copies each request out of the shared ring exactly once
 *    (RING_COPY_REQUEST; XSA-155) and advances ring->req_cons.
 *  - Appends one grant-copy segment per data slot to segs[*nsegs..]:
 *    the first covers f->data[0 .. 4096 - H) to offset H of its
 *    request's gref (H = f->xdp_headroom, usually 0), each later one the
 *    next 4096 bytes (local, may cross a page) to offset 0, all in
 *    domain `domid` (GNTCOPY_dest_gref); status preset to
 *    GNTST_general_error so a segment the copy never ran cannot look
 *    successful. *nsegs grows. A frame with foreign pieces (f->nsrc >
 *    0) gets, per data slot, a segment for each piece the slot's bytes
 *    come from: local bytes as above, foreign ones gref to gref
 *    (GNTCOPY_source_gref too), at most ndata + nsrc + 1 in all.
 *  - Records in *pend what rx_slots2rsp needs.
 * Returns the number of slots consumed (> 0), or, with nothing consumed
 * and nothing appended: -ENOSPC (not enough requests yet), -ENOBUFS
 * (fewer than the frame's segments left in segs: flush the batch and
 * retry), -EMSGSIZE (len 0, or H + len more than RX_MAX_FRAME_LEN: drop
 * it), -EINVAL (has_gso without a GSO extra type, has_hash without a
 * HASH one, H >= 4096, or foreign pieces that do not add up to
 * len - local or leave their page),
 * -EPROTO (fatal).
 * Frames must be planned and answered in ring order.
 */
int rx_frame2slots(const struct rx_frame *f, netif_rx_back_ring_t *ring,
    RING_IDX req_prod, uint16_t domid, struct xen_copy_seg *segs,
    unsigned int *nsegs, unsigned int max_segs, struct rx_pending *pend);

/*
 * After the batch's grant copy: writes one response per consumed slot
 * into the very ring slot its request came from, and advances
 * ring->rsp_prod_pvt past them. Data slots: id = the request's id,
 * offset 0 (the first: the XDP headroom), status = bytes copied, or the
 * GNTST_* error (negative) of the slot's first segment that failed (as
 * Linux xenvif_rx_copy_flush); NETRXF_more_data on every data slot but the
 * last; the first data slot also carries pend->flags and
 * NETRXF_extra_info when extras follow. The extra slots get the extras
 * in order, XEN_NETIF_EXTRA_FLAG_MORE on all but the last. (Linux
 * netback answers offset 0 and status headroom + len on the first slot
 * and puts every slot at the headroom; netfront reads the first offset
 * from the XDP extra and the length from the status, so our layout is
 * what it expects, and what netif.h says.) Does not push; the caller
 * publishes with RING_PUSH_RESPONSES*.
 * Pendings must be answered in the order they were planned (abort() on
 * our own broken invariant otherwise).
 */
void rx_slots2rsp(const struct rx_pending *pend,
    const struct xen_copy_seg *segs, netif_rx_back_ring_t *ring);

#endif
