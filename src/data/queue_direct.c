/*
 * queue_direct.c - one copy guest to guest (issue 20): a vifd switch
 * port's worker places a frame from its guest's TX buffers straight into
 * another port's guest RX ring, gref to gref, in one grant copy - where
 * the two-copy path would copy it into vifd, hand it to the other port's
 * inbox and let that port's worker copy it out again. A short frame is
 * placed the same way from vifd's copy of it (two copies, no hand-over:
 * queue_direct.h). A run of frames to one receiver is placed in one
 * grant copy, with one notification.
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
 * worker holds for a pass (a run's frames all under one hold, so none
 * of the receiver's own comes between them), with the switch
 * read-locked, so the ring and
 * its buffers stay while it is used (vsw_port_set_direct). The grant copy
 * goes through the sender's own handle; the receiver's frontend is
 * notified through the receiver's event channel (a notify is a single
 * ioctl, safe from any thread).
 */
#include "config.h"

#include <errno.h>
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
 * Can dq take a frame of len bytes from another thread? What the usual
 * way would hold or drop: a multicast frame the
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

/* What a placed frame's counters need once its copy ran. */
struct queue_direct_meta {
	uint32_t len;
	uint32_t seg0;			/* its first segment */
	bool direct, gso, xdp;
};

/*
 * Builds frame j of those offered into *f (its pieces past vifd's copy
 * in src[TX_MAX_FRAGS]), if dq can take it as it is; false if not.
 */
typedef bool (*queue_direct_frame_fn)(struct queue *dq, void *arg,
    unsigned int j, struct rx_frame *f, struct rx_src_frag *src);

/*
 * The grant copy for the npend frames planned in dq's ring (segments
 * 0..nsegs of rx_segs), through cq's handle, then their responses, in
 * ring order; failed[i]: frame i's copy failed. Counted on dq. Returns
 * whether the frontend wants a notification. [dq->rx_lock]
 */
static int
queue_direct_flush(struct queue *dq, struct queue *cq,
    struct log_ratelimit *rl, const struct queue_direct_meta *m,
    unsigned int npend, unsigned int nsegs, uint64_t now, bool *failed)
{
	unsigned int i, end;
	int notify = 0;

	QUEUE_STAT_ADD(dq, rx_copy_bytes,
	    queue_grant_copy_rl(cq, rl, dq->rx_segs, nsegs));
	QUEUE_STAT_ADD(dq, rx_copy_calls, 1);
	QUEUE_STAT_ADD(dq, rx_place_calls, 1);
	QUEUE_STAT_ADD(dq, rx_copy_segs, nsegs);
	for (i = 0; i < npend; i++) {
		end = i + 1 < npend ? m[i + 1].seg0 : nsegs;
		failed[i] = copy_seg_status(dq->rx_segs + m[i].seg0,
		    end - m[i].seg0) != GNTST_okay;
		rx_slots2rsp(&dq->rx_pend[i], dq->rx_segs, &dq->rx);
		QUEUE_STAT_ADD(dq, rx_placed, 1);
		if (!m[i].direct)
			QUEUE_STAT_ADD(dq, rx_switched_in, 1);
		if (failed[i]) {
			/* A bad grant on one side or the other (the status
			 * does not say which): the receiver's slot carries
			 * the error (its frontend drops the frame, as for a
			 * bad grant of its own); a sending guest stops using
			 * the one copy (queue_tx.c), so that a sender
			 * revoking its grants costs other guests the
			 * frames of one copy call, not a stream of them. */
			QUEUE_STAT_ADD(dq, rx_drop_copy, 1);
			continue;
		}
		QUEUE_STAT_ADD(dq, rx_packets, 1);
		QUEUE_STAT_ADD(dq, rx_bytes, m[i].len);
		if (m[i].direct)
			QUEUE_STAT_ADD(dq, rx_direct, 1);
		if (m[i].gso)
			QUEUE_STAT_ADD(dq, rx_gso_frames, 1);
		if (m[i].xdp)
			QUEUE_STAT_ADD(dq, rx_xdp_frames, 1);
		dq->rx_last = now;
	}
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&dq->rx, notify);
	return notify;
}

/*
 * Places up to k frames (built by `build`, in order) in dq's ring now,
 * if dq is open to them: all planned under one hold of its rx_lock and
 * copied in one grant copy through cq's handle (a second one only when
 * a batch's segments or frames run out), its frontend notified once (rl:
 * the limiter of the log lines, one thread's or one lock's). Stops at
 * the first frame dq cannot take as it is or has no requests posted for.
 * Returns how many were placed, a prefix: failed[j] for each of them
 * (the copy failed, the receiver's slot carries the error).
 */
static unsigned int
queue_direct_put(struct queue *dq, unsigned int k,
    queue_direct_frame_fn build, void *arg, struct queue *cq,
    struct log_ratelimit *rl, uint64_t now, bool *failed)
{
	struct queue_direct_meta m[QUEUE_RX_PEND];
	struct rx_src_frag src[TX_MAX_FRAGS];
	struct rx_frame f;
	unsigned int j, npend = 0, nsegs = 0, placed = 0;
	RING_IDX req_prod;
	int notify = 0, r;

	/* A frame waiting in the inbox: refused below anyway, so not worth
	 * waiting for the lock, which the receiver's worker may hold for a
	 * pass (bounded by its budget: the sender may wait that long, never
	 * for the receiving guest). */
	if (dq->swin != NULL && !inbox_empty(dq->swin))
		return 0;
	pthread_mutex_lock(&dq->rx_lock);
	if (!queue_direct_open(dq))
		goto out;
	req_prod = ring_load_index(&dq->rx.sring->req_prod);
	for (j = 0; j < k; j++) {
		memset(&f, 0, sizeof(f));
		if (!build(dq, arg, j, &f, src))
			break;
		m[npend].seg0 = nsegs;
		/* Not enough requests posted (-ENOSPC), or anything odd
		 * about the ring, which the receiver's own worker judges:
		 * the usual way. */
		r = rx_frame2slots(&f, &dq->rx, req_prod, dq->domid,
		    dq->rx_segs, &nsegs, QUEUE_RX_SEGS, &dq->rx_pend[npend]);
		if (r == -ENOBUFS && npend > 0) {
			notify |= queue_direct_flush(dq, cq, rl, m, npend,
			    nsegs, now, failed + placed);
			placed += npend;
			npend = nsegs = 0;
			m[0].seg0 = 0;
			r = rx_frame2slots(&f, &dq->rx, req_prod, dq->domid,
			    dq->rx_segs, &nsegs, QUEUE_RX_SEGS,
			    &dq->rx_pend[0]);
		}
		if (r < 0)
			break;
		m[npend].len = f.len;
		m[npend].direct = f.local < f.len;
		m[npend].gso = f.has_gso;
		m[npend].xdp = f.xdp_headroom != 0;
		if (++npend == QUEUE_RX_PEND) {
			notify |= queue_direct_flush(dq, cq, rl, m, npend,
			    nsegs, now, failed + placed);
			placed += npend;
			npend = nsegs = 0;
		}
	}
	if (npend > 0) {
		notify |= queue_direct_flush(dq, cq, rl, m, npend, nsegs,
		    now, failed + placed);
		placed += npend;
	}
	if (notify)
		__atomic_store_n(&dq->place_notifies, dq->place_notifies + 1,
		    __ATOMIC_RELAXED);
out:
	pthread_mutex_unlock(&dq->rx_lock);
	if (notify)
		(void)dq->env->ops->evtchn_notify(dq->evtchn, dq->port_rx);
	return placed;
}

/* Frame j of a sender's run (queue_direct_frame_fn). */
static bool
queue_direct_tx_frame(struct queue *dq, void *arg, unsigned int j,
    struct rx_frame *f, struct rx_src_frag *src)
{
	const struct queue_direct *d = arg;
	const struct tx_pkt *pkt = &d->pkt[j];
	const struct vsw_direct *fr = &d->fr[j];
	bool has_gso;

	/* What the usual way would change: a checksum the sender's
	 * feature mask has vifd complete (vnet_hdr_tx_masked_csum). */
	if ((d->sq->feat_off & (FEATMASK_IPV4_CSUM | FEATMASK_IPV6_CSUM)) &&
	    (pkt->flags & NETTXF_csum_blank) && !pkt->has_gso)
		return false;
	if (dq == d->sq || fr->hlen > pkt->len ||
	    !queue_direct_fits(dq, fr->head, pkt->len, f))
		return false;
	if (vnet_hdr_nettx2netrx(pkt->flags, pkt->has_gso ? &pkt->gso : NULL,
	    fr->head, (uint32_t)fr->hlen, pkt->len, &dq->fe, &f->flags,
	    &has_gso, &f->gso) < 0)
		return false;
	f->has_gso = has_gso;
	f->data = fr->head;
	f->len = pkt->len;
	f->local = (uint32_t)fr->hlen;
	f->src_domid = d->sq->domid;
	f->src = src;
	f->nsrc = queue_direct_pieces(pkt, (uint32_t)fr->hlen, src);
	return true;
}

unsigned int
queue_direct_place(struct queue *dq, void *arg, unsigned int first,
    unsigned int k)
{
	struct queue_direct *d = arg;
	struct queue_direct run = *d;
	unsigned int j, p;

	/* A frame of an earlier run failed in one copy: the sender's
	 * grants are not to be trusted, no more runs (queue_tx.c). */
	if (d->stop)
		return 0;
	run.pkt += first;
	run.fr += first;
	p = queue_direct_put(dq, k, queue_direct_tx_frame, &run, d->sq,
	    &d->sq->copy_rl, d->now, d->failed + first);
	for (j = first; j < first + p; j++)
		if (d->failed[j] && d->fr[j].hlen < d->fr[j].len)
			d->stop = true;
	return p;
}

/* The one frame an uplink's thread holds (queue_direct_frame_fn). */
static bool
queue_direct_held_frame(struct queue *dq, void *arg, unsigned int j,
    struct rx_frame *f, struct rx_src_frag *src)
{
	const struct queue_held *h = arg;
	bool has_gso;

	(void)j;
	(void)src;
	if (h->len < 14 || !queue_direct_fits(dq, h->frame, h->len, f) ||
	    vnet_hdr_vhdr2netrx_as_is(h->vh, h->frame, h->len, &dq->fe,
	    &f->flags, &has_gso, &f->gso) < 0)
		return false;
	f->has_gso = has_gso;
	f->data = h->frame;
	f->len = h->len;
	f->local = h->len;
	return true;
}

unsigned int
queue_direct_place_held(struct queue *dq, void *arg, unsigned int first,
    unsigned int k)
{
	struct queue_held *h = arg;

	/* One frame: the copy goes through the receiver's own handle (a
	 * grant copy is one ioctl, safe beside its worker's), its log lines
	 * through the limiter its rx_lock guards. */
	if (first != 0 || k != 1)
		return 0;
	return queue_direct_put(dq, 1, queue_direct_held_frame, h, dq,
	    &dq->place_rl, h->now, &h->failed);
}
