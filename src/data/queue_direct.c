/*
 * queue_direct.c - one copy guest to guest (issue 20): a vifd switch
 * port's worker places a frame from its guest's TX buffers straight into
 * another port's guest RX ring, gref to gref, in one grant copy - where
 * the two-copy path would copy it into vifd, hand it to the other port's
 * inbox and let that port's worker copy it out again. A short frame
 * alone in its sender's batch is placed the same way from vifd's copy of
 * it (two copies, no hand-over: queue_direct.h).
 *
 * Owns when a frame may go this way and the placement. The sending
 * worker has read the frame's head (to decide where it goes); the rest
 * stays in the sender's grants. The frame goes in one copy only when
 * nothing on the way would touch its bytes or hold it, so that what the
 * receiver gets is what the two-copy path gives it:
 *  - the receiver takes its offloads as they are (vnet_hdr_nettx2netrx:
 *    no checksum to complete, no GSO to force or to segment);
 *  - no inbound rate or shape on the receiver (those hold frames), its
 *    link is up, it is not stalled, and it holds no frame and has none
 *    waiting in its inbox (a frame must not overtake another);
 *  - its frontend has posted the requests the frame needs, now: the
 *    sender never waits for them (it takes the two-copy path instead,
 *    whose bounded inbox does the waiting);
 *  - no receive-side hash to compute (RSS), and the frame fits the
 *    receiver's largest frame with its XDP headroom.
 * The placement runs under the receiver's rx_lock, the lock its own
 * worker holds for a pass, with the switch read-locked, so the ring and
 * its buffers stay while it is used (vsw_port_set_direct). The grant copy
 * goes through the sender's own handle; the receiver's frontend is
 * notified through the receiver's event channel (a notify is a single
 * ioctl, safe from any thread).
 */
#include "config.h"

#include <string.h>

#include "core/featmask.h"
#include "core/vnet_hdr.h"
#include "data/inbox.h"
#include "data/queue_direct.h"
#include "data/queue_int.h"
#include "data/shaper.h"
#include "data/vif_mcast.h"

/* Can dq take a frame by another worker's hand now? [dq->rx_lock] */
static bool
queue_direct_open(const struct queue *dq)
{
	return !__atomic_load_n(&dq->fatal, __ATOMIC_RELAXED) &&
	    !dq->rx_head && !dq->stalled &&
	    (dq->rss == NULL || !ctrl_hash_active(&dq->rss_h)) &&
	    (dq->swin == NULL || inbox_empty(dq->swin));
}

/* The pieces of the packet past its head, in the sender's grants. */
static unsigned int
queue_direct_pieces(const struct tx_pkt *pkt, uint32_t hlen,
    struct rx_src_frag *src)
{
	unsigned int i, n = 0;
	uint32_t a, b;

	for (i = 0; i < pkt->nfrags; i++) {
		const struct tx_frag *fr = &pkt->frags[i];

		if (!tx_frag_clip(fr, hlen, pkt->len, &a, &b))
			continue;
		src[n].ref = fr->gref;
		src[n].offset = (uint16_t)(fr->offset + (a - fr->pkt_off));
		src[n].len = (uint16_t)(b - a);
		n++;
	}
	return n;
}

/*
 * Can dq take a frame of len bytes from another thread, before its lock?
 * What the usual way would hold or drop: a multicast frame the
 * receiver's filter drops (a peer link sends it any frame), an inbound
 * rate or shape, the link down. Fills f's headroom.
 */
static bool
queue_direct_fits(struct queue *dq, const uint8_t *frame, uint32_t len,
    struct rx_frame *f)
{
	if (!vif_mcast_pass(dq->mcast, frame) ||
	    __atomic_load_n(&dq->rx_limited, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&dq->link_down, __ATOMIC_RELAXED) ||
	    (dq->rxl.shaper != NULL && shaper_active(dq->rxl.shaper)))
		return false;
	f->xdp_headroom = (uint16_t)__atomic_load_n(&dq->xdp_headroom,
	    __ATOMIC_RELAXED);
	return len + f->xdp_headroom <= dq->max_rx_frame;
}

/*
 * Places f in dq's ring now, if dq is open to it, in one grant copy
 * through cq's handle (rl: the limiter of its log lines, one thread's).
 * Counts it on dq: placed, switched in when f is all local (vifd's copy)
 * or direct when its bytes come from the sender's grants. Returns 1 if
 * placed (*failed: the copy failed, the receiver's slot carries the
 * error), else 0 with nothing done.
 */
static int
queue_direct_put(struct queue *dq, const struct rx_frame *f,
    struct queue *cq, struct log_ratelimit *rl, uint64_t now, bool *failed)
{
	struct rx_pending *pend;
	unsigned int nsegs = 0;
	uint64_t bytes;
	int notify = 0, placed = 0;

	*failed = false;
	pthread_mutex_lock(&dq->rx_lock);
	if (!queue_direct_open(dq))
		goto out;
	pend = &dq->rx_pend[0];
	/* Not enough requests posted (-ENOSPC), or anything odd about the
	 * ring, which the receiver's own worker judges: the usual way. */
	if (rx_frame2slots(f, &dq->rx,
	    ring_load_index(&dq->rx.sring->req_prod), dq->domid, dq->rx_segs,
	    &nsegs, QUEUE_RX_SEGS, pend) < 0)
		goto out;
	bytes = queue_grant_copy_rl(cq, rl, dq->rx_segs, nsegs);
	*failed = copy_seg_status(dq->rx_segs, nsegs) != GNTST_okay;
	rx_slots2rsp(pend, dq->rx_segs, &dq->rx);
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&dq->rx, notify);
	QUEUE_STAT_ADD(dq, rx_placed, 1);
	if (f->local == f->len)
		QUEUE_STAT_ADD(dq, rx_switched_in, 1);
	QUEUE_STAT_ADD(dq, rx_copy_calls, 1);
	QUEUE_STAT_ADD(dq, rx_copy_segs, nsegs);
	QUEUE_STAT_ADD(dq, rx_copy_bytes, bytes);
	if (*failed) {
		/* A bad grant on one side or the other (the status does not
		 * say which): the receiver's slot carries the error (its
		 * frontend drops the frame, as for a bad grant of its own);
		 * a sending guest stops using the one copy (queue_tx.c), so
		 * that a sender revoking its grants costs another guest one
		 * frame, not a stream of them. */
		QUEUE_STAT_ADD(dq, rx_drop_copy, 1);
	} else {
		QUEUE_STAT_ADD(dq, rx_packets, 1);
		QUEUE_STAT_ADD(dq, rx_bytes, f->len);
		if (f->local < f->len)
			QUEUE_STAT_ADD(dq, rx_direct, 1);
		if (f->has_gso)
			QUEUE_STAT_ADD(dq, rx_gso_frames, 1);
		if (f->xdp_headroom != 0)
			QUEUE_STAT_ADD(dq, rx_xdp_frames, 1);
		dq->rx_last = now;
	}
	placed = 1;
out:
	pthread_mutex_unlock(&dq->rx_lock);
	if (notify)
		(void)dq->env->ops->evtchn_notify(dq->evtchn, dq->port_rx);
	return placed;
}

int
queue_direct_place(struct queue *dq, void *arg)
{
	struct queue_direct *d = arg;
	const struct tx_pkt *pkt = d->pkt;
	struct rx_src_frag src[TX_MAX_FRAGS];
	struct rx_frame f;
	bool has_gso;

	/* What the usual way would change: a checksum the sender's
	 * feature mask has vifd complete (vnet_hdr_tx_masked_csum). */
	if ((d->sq->feat_off & (FEATMASK_IPV4_CSUM | FEATMASK_IPV6_CSUM)) &&
	    (pkt->flags & NETTXF_csum_blank) && !pkt->has_gso)
		return 0;
	memset(&f, 0, sizeof(f));
	if (dq == d->sq || d->hlen > pkt->len ||
	    !queue_direct_fits(dq, d->head, pkt->len, &f))
		return 0;
	if (vnet_hdr_nettx2netrx(pkt->flags, pkt->has_gso ? &pkt->gso : NULL,
	    d->head, d->hlen, pkt->len, &dq->fe, &f.flags, &has_gso,
	    &f.gso) < 0)
		return 0;
	f.has_gso = has_gso;
	f.data = d->head;
	f.len = pkt->len;
	f.local = d->hlen;
	f.src_domid = d->sq->domid;
	f.src = src;
	f.nsrc = queue_direct_pieces(pkt, d->hlen, src);
	return queue_direct_put(dq, &f, d->sq, &d->sq->copy_rl, d->now,
	    &d->failed);
}

int
queue_direct_place_held(struct queue *dq, void *arg)
{
	struct queue_held *h = arg;
	struct rx_frame f;
	bool has_gso;

	memset(&f, 0, sizeof(f));
	if (h->len < 14 || !queue_direct_fits(dq, h->frame, h->len, &f) ||
	    vnet_hdr_vhdr2netrx_as_is(h->vh, h->frame, h->len, &dq->fe,
	    &f.flags, &has_gso, &f.gso) < 0)
		return 0;
	f.has_gso = has_gso;
	f.data = h->frame;
	f.len = h->len;
	f.local = h->len;
	/* The copy goes through the receiver's own handle (a grant copy is
	 * one ioctl, safe beside its worker's), its log lines through the
	 * limiter its rx_lock guards. */
	return queue_direct_put(dq, &f, dq, &dq->place_rl, h->now,
	    &h->failed);
}
