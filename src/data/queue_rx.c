/*
 * queue_rx.c - guest RX in a queue's worker: the effects around the pure
 * RX core (rx.c), from the TAP to the shared ring.
 *
 * Owns a pass: read frames from the TAP (readv: virtio-net header and
 * frame), drop multicast the frontend did not ask for (vif_mcast), turn
 * each header into netif flags and a GSO extra (vnet_hdr_vhdr2netrx),
 * charge the inbound rate limit, take the frontend's XDP headroom as it
 * is now (the control thread changes it between frames), place the frame
 * in the guest's posted requests (rx_frame2slots) against the producer
 * index read once for the pass, one grant copy per batch, responses in
 * the requests' own slots (rx_slots2rsp), push, notify. A frame the guest
 * has no room for yet is held, and the TAP left unread, until the guest
 * posts (or the worker's drain timer drops it); that wait is what the
 * stall detection in queue.c measures.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include "util/log.h"
#include "data/queue_int.h"
#include "data/vif_mcast.h"

/* Reads one frame into rx_buf + off. Returns its length, 0 when the TAP is
 * empty, -1 if a frame was read and dropped. */
static int
queue_rx_read(struct queue *q, uint32_t off, struct rx_frame *f)
{
	struct virtio_net_hdr vh;
	struct iovec iov[2];
	uint8_t *buf = q->rx_buf + off;
	bool has_gso = false;
	uint16_t flags = 0;
	ssize_t n;
	size_t len;
	uint16_t headroom;

	iov[0].iov_base = &vh;
	iov[0].iov_len = sizeof(vh);
	iov[1].iov_base = buf;
	iov[1].iov_len = QUEUE_RX_BUF - off;
	n = readv(q->tapfd, iov, 2);
	if (n < 0)
		return 0;	/* EAGAIN; errors: retry on the next event */
	if ((size_t)n < sizeof(vh) + 14) {
		QUEUE_STAT_ADD(q, rx_drop_size, 1);
		return -1;
	}
	len = (size_t)n - sizeof(vh);
	if (__atomic_load_n(&q->link_down, __ATOMIC_RELAXED)) {
		/* The cable is pulled (vifd-link): the TAP's carrier is off,
		 * so the kernel sends it nothing new; what it had queued
		 * before goes nowhere either. */
		QUEUE_STAT_ADD(q, rx_drop_link, 1);
		return -1;
	}
	if (!vif_mcast_pass(q->mcast, buf)) {
		/* The frontend filters multicast and has not asked for this
		 * group (Linux xenvif_start_xmit drops it likewise). */
		QUEUE_STAT_ADD(q, rx_drop_mcast, 1);
		return -1;
	}
	/* One value per frame: it decides the slots, so the frame keeps it
	 * even if the frontend changes it while the frame waits. */
	headroom = (uint16_t)__atomic_load_n(&q->xdp_headroom,
	    __ATOMIC_RELAXED);
	if (len + headroom > q->max_rx_frame) {
		/* Bigger than the frontend can take (no SG, or more than
		 * netif's slots, both less the headroom in the first page):
		 * TUNSETOFFLOAD and the MTU should prevent it; a frame that
		 * still comes is dropped. */
		QUEUE_STAT_ADD(q, rx_drop_size, 1);
		return -1;
	}
	memset(f, 0, sizeof(*f));
	{
		uint64_t fix = q->vstats.csum_fixup;

		if (vnet_hdr_vhdr2netrx(&vh, buf, len, &q->fe, &flags, &has_gso,
		    &f->gso, &q->vstats) < 0) {
			QUEUE_STAT_ADD(q, rx_drop_hdr, 1);
			return -1;
		}
		if (q->vstats.csum_fixup != fix)
			QUEUE_STAT_ADD(q, rx_csum_fixup, 1);
	}
	f->data = buf;
	f->len = (uint32_t)len;
	f->flags = flags;
	f->has_gso = has_gso;
	f->xdp_headroom = headroom;
	return (int)len;
}

/* One grant copy for the batch, then the responses. */
static void
queue_rx_flush(struct queue *q, unsigned int npend, unsigned int nsegs)
{
	unsigned int i;
	int notify;

	if (npend == 0)
		return;
	if (nsegs > 0) {
		queue_grant_copy(q, q->rx_segs, nsegs);
		QUEUE_STAT_ADD(q, rx_copy_segs, nsegs);
		for (i = 0; i < nsegs; i++)
			if (q->rx_segs[i].status != GNTST_okay) {
				/* The guest's RX gref was bad: that slot's
				 * response carries the error (Linux writes
				 * the grant status there too). */
				QUEUE_STAT_ADD(q, rx_drop_copy, 1);
				break;
			}
	}
	for (i = 0; i < npend; i++)
		rx_slots2rsp(&q->rx_pend[i], q->rx_segs, &q->rx);
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&q->rx, notify);
	if (notify)
		queue_notify(q, q->port_rx);
	QUEUE_STAT_ADD(q, rx_batches, 1);
}

static void
queue_rx_unstall(struct queue *q)
{
	q->rx_waiting = false;
	if (q->stalled) {
		q->stalled = false;
		q->up->stalled(q->up_arg, q, false);
		log_info("%s: guest RX ring has room again", q->name);
	}
}

/*
 * Moves frames from the TAP to the guest while it has posted buffers for
 * them. A frame that cannot be placed yet (no credit, or fewer posted
 * requests than it needs) is held at the start of rx_buf and the TAP is
 * not read again until it is placed: the host's queue discipline sees the
 * backpressure, and our own memory never grows (XSA-392). Returns true if
 * work is left for a later turn.
 */
bool
queue_rx_work(struct queue *q)
{
	struct rx_frame *f = &q->rx_head_frame;
	unsigned int npend = 0, nsegs = 0, frames = 0;
	uint32_t bufoff;
	bool more = false;
	RING_IDX rp;

	if (q->fatal)
		return false;
	bufoff = q->rx_head ? f->len : 0;
	/* The frontend's producer, read once for the whole pass; read again
	 * only when it does not cover the head frame (rx_ring_wait_slots). */
	rp = ring_load_index(&q->rx.sring->req_prod);
	for (;;) {
		int r;

		if (!q->rx_head) {
			if (frames >= QUEUE_RX_BUDGET) {
				more = true;
				break;
			}
			if (bufoff >= QUEUE_CHUNK_BYTES ||
			    npend == QUEUE_RX_PEND ||
			    nsegs + RX_MAX_SLOTS > QUEUE_RX_SEGS) {
				queue_rx_flush(q, npend, nsegs);
				npend = nsegs = 0;
				bufoff = 0;
			}
			r = queue_rx_read(q, bufoff, f);
			if (r == 0)
				break;		/* the TAP is empty */
			frames++;
			if (r < 0)
				continue;	/* dropped, counted */
			q->rx_head = true;
			q->rx_head_charged = false;
			bufoff += f->len;
		}
		if (!q->rx_head_charged && !ratelimit_unlimited(&q->rx_rl)) {
			uint64_t wake;

			if (ratelimit_consume(&q->rx_rl, f->len, loop_now_ns(),
			    &wake) < 0) {
				q->rx_blocked = true;
				break;
			}
		}
		q->rx_head_charged = true;

		r = rx_frame2slots(f, &q->rx, rp, q->domid, q->rx_segs, &nsegs,
		    QUEUE_RX_SEGS, &q->rx_pend[npend]);
		if (r == -ENOBUFS) {
			/* The batch is full: flush it (the head stays where
			 * it is) and place the head in the next one. */
			queue_rx_flush(q, npend, nsegs);
			npend = nsegs = 0;
			continue;
		}
		if (r == -ENOSPC) {
			/* Fewer requests than the head needs, as far as rp
			 * says: arm req_event and look again. */
			r = rx_ring_wait_slots(&q->rx, rx_slots_needed(f), &rp);
			if (r > 0)
				continue;	/* posted meanwhile */
			if (r < 0) {
				queue_fatal(q, "rx: impossible number of "
				    "requests (req_cons %u)", q->rx.req_cons);
				break;
			}
			/* req_event is armed: the frontend notifies when it
			 * posts. Stall detection counts from now. */
			if (!q->rx_waiting) {
				q->rx_waiting = true;
				q->rx_head_since = loop_now_ns();
			}
			break;
		}
		if (r == -EPROTO) {
			queue_fatal(q, "rx: impossible number of requests "
			    "(req_prod %u, req_cons %u)", rp, q->rx.req_cons);
			break;
		}
		q->rx_head = false;
		if (r < 0) {
			QUEUE_STAT_ADD(q, rx_drop_size, 1);
			continue;
		}
		npend++;
		QUEUE_STAT_ADD(q, rx_packets, 1);
		QUEUE_STAT_ADD(q, rx_bytes, f->len);
		if (f->has_gso)
			QUEUE_STAT_ADD(q, rx_gso_frames, 1);
		if (f->xdp_headroom != 0)
			QUEUE_STAT_ADD(q, rx_xdp_frames, 1);
		if (q->rx_waiting)
			queue_rx_unstall(q);
	}
	queue_rx_flush(q, npend, nsegs);
	if (q->rx_head && f->data != q->rx_buf) {
		/* The batch is done with the buffer: keep the held frame at
		 * its start. */
		memmove(q->rx_buf, f->data, f->len);
		f->data = q->rx_buf;
	}
	queue_set_tap_reading(q, !q->rx_head && !more);
	return more;
}

