/*
 * queue_rx.c - guest RX in a queue's worker: the effects around the pure
 * RX core (rx.c), from the TAP to the shared ring.
 *
 * Owns a pass: read frames from the TAP (virtio-net header and frame, a
 * batch per system call: tapio.h), drop multicast the frontend did not
 * ask for (vif_mcast), turn each header into netif flags and a GSO extra
 * (vnet_hdr_vhdr2netrx), charge the inbound rate limit, take the
 * frontend's XDP headroom as it is now (the control thread changes it
 * between frames), place the frame
 * in the guest's posted requests (rx_frame2slots) against the producer
 * index read once for the pass, one grant copy per batch, responses in
 * the requests' own slots (rx_slots2rsp), push, notify. A frame the guest
 * has no room for yet is held, and the TAP left unread, until the guest
 * posts (or the worker's drain timer drops it). After each pass it
 * applies the stall rules (core/rxstall.h): the vif's carrier goes off
 * when the guest has taken nothing for the stall timeout while a frame
 * waits for room, and back on once the head frame fits or none is held.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "util/log.h"
#include "data/inbox.h"
#include "data/queue_int.h"
#include "data/vif_mcast.h"
#include "data/vif_rss.h"
#include "data/tapio.h"

/*
 * The next frame for this queue: first what other queues steered to us,
 * then what the vif's switch ports sent it, then the TAP. Header into
 * *vh, frame at *data: buf (cap bytes), or a slot of the TAP's last
 * batch of reads (tapio.h). Returns the bytes read (header included), 0
 * when all are empty, -1 when the TAP read failed (EAGAIN: empty), -2
 * for an inbox frame that could not be taken (dropped, counted).
 * *steered: it came from the steering inbox (it is ours already); a
 * switch's frame is not, RSS may steer it on.
 */
static ssize_t
queue_rx_next(struct queue *q, struct virtio_net_hdr *vh, uint8_t *buf,
    size_t cap, bool *steered, uint8_t **data)
{
	int r;

	*steered = false;
	*data = buf;
	if (q->rss != NULL) {
		r = vif_rss_pop(q->rss, q->id, vh, buf, cap);
		if (r < 0) {
			QUEUE_STAT_ADD(q, rx_drop_steer, 1);
			return -2;
		}
		if (r > 0) {
			*steered = true;
			QUEUE_STAT_ADD(q, rx_steered_in, 1);
			return r;
		}
	}
	if (q->swin != NULL) {
		r = inbox_pop_split(q->swin, vh, sizeof(*vh), buf, cap);
		if (r < 0) {
			QUEUE_STAT_ADD(q, rx_drop_size, 1);
			return -2;
		}
		if (r > 0) {
			QUEUE_STAT_ADD(q, rx_switched_in, 1);
			return r;
		}
		/* Its TAP is not read (queue_set_tap_reading). */
		errno = EAGAIN;
		return -1;
	}
	return tapio_read(q->tio, vh, buf, cap, data);
}

/*
 * Receive-side scaling for a frame of ours: its hash under the
 * frontend's settings (our copy, refreshed once per pass) and, when the
 * frontend's mapping names another queue, a hand-over to that queue's
 * inbox. Returns true if the frame was handed over (or dropped for a
 * full inbox): it is not ours to deliver.
 */
static bool
queue_rx_rss(struct queue *q, const struct virtio_net_hdr *vh,
    const uint8_t *buf, size_t len, bool steered, struct rx_frame *f)
{
	struct hash_result hr;
	unsigned int to;

	if (q->rss == NULL || !ctrl_hash_active(&q->rss_h))
		return false;
	hash_frame(q->rss_h.key, HASH_KEY_MAX, q->rss_h.flags, buf, len, &hr);
	if (!steered && q->rss->nq > 1) {
		/* No hash: value 0, as Linux's xenvif_select_queue. */
		to = hash_queue(hr.value, q->rss_h.mapping, q->rss_h.size,
		    q->rss->nq);
		if (to != q->id) {
			if (vif_rss_push(q->rss, to, vh, sizeof(*vh), buf,
			    len) < 0)
				QUEUE_STAT_ADD(q, rx_drop_steer, 1);
			else
				QUEUE_STAT_ADD(q, rx_steered_out, 1);
			return true;
		}
	}
	if (hr.valid) {
		/* netif.h: htype, algorithm, the value LSB first. */
		f->has_hash = true;
		f->hash.type = XEN_NETIF_EXTRA_TYPE_HASH;
		f->hash.u.hash.type = hr.htype;
		f->hash.u.hash.algorithm = XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ;
		f->hash.u.hash.value[0] = (uint8_t)hr.value;
		f->hash.u.hash.value[1] = (uint8_t)(hr.value >> 8);
		f->hash.u.hash.value[2] = (uint8_t)(hr.value >> 16);
		f->hash.u.hash.value[3] = (uint8_t)(hr.value >> 24);
	}
	return false;
}

/* Reads one frame into rx_buf + off, or takes it where the TAP's batch of
 * reads put it (f->data tells). Returns its length, 0 when there is
 * nothing to read, -1 if a frame was read and dropped or handed to
 * another queue. */
static int
queue_rx_read(struct queue *q, uint32_t off, struct rx_frame *f)
{
	struct virtio_net_hdr vh;
	struct rx_frame rss;
	uint8_t *buf = q->rx_buf + off;
	bool has_gso = false, steered;
	uint16_t flags = 0;
	ssize_t n;
	size_t len;
	uint16_t headroom;

	n = queue_rx_next(q, &vh, buf, QUEUE_RX_BUF - off, &steered, &buf);
	if (n == -2)
		return -1;	/* a steered frame dropped */
	if (n < 0 && queue_tap_error(q, errno))
		return 0;	/* the TAP is gone: the queue stopped */
	if (n <= 0)
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
	memset(&rss, 0, sizeof(rss));
	if (queue_rx_rss(q, &vh, buf, len, steered, &rss))
		return -1;
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
	f->has_hash = rss.has_hash;
	f->hash = rss.hash;
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
		QUEUE_STAT_ADD(q, rx_copy_bytes,
		    queue_grant_copy(q, q->rx_segs, nsegs));
		QUEUE_STAT_ADD(q, rx_copy_calls, 1);
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

/* The stall rules' view of this queue at `now`. */
static void
queue_rx_state(const struct queue *q, uint64_t now, struct rxstall_in *in)
{
	int avail = rx_requests_available(&q->rx,
	    ring_load_index(&q->rx.sring->req_prod));

	in->now = now;
	in->last_rx = q->rx_last;
	in->stalled = q->stalled;
	in->needed = q->rx_head ? rx_slots_needed(&q->rx_head_frame) : 0;
	/* An impossible producer is fatal at the next placement; until
	 * then it counts as no room. */
	in->posted = avail > 0 ? (unsigned int)avail : 0;
	in->queued = q->rx_head && q->rx_head_charged;
	in->queued_at = q->rx_head_since;
}

/*
 * Declares the queue stalled or ready again (Linux xenvif_queue_carrier_off
 * and xenvif_queue_carrier_on, through the owner's upcall) as the rules
 * say after a pass. Being ready again restarts the stall clock.
 */
static void
queue_rx_watch(struct queue *q, uint64_t now)
{
	struct rxstall_in in;

	queue_rx_state(q, now, &in);
	switch (rxstall_check(&q->rx_times, &in)) {
	case RXSTALL_STALL:
		q->stalled = true;
		QUEUE_STAT_ADD(q, rx_stalls, 1);
		q->up->stalled(q->up_arg, q, true);
		log_warnx("%s: guest RX stalled: %u slots needed, %u posted, "
		    "nothing taken for %llu ms", q->name, in.needed, in.posted,
		    (unsigned long long)((now - q->rx_last) / 1000000u));
		break;
	case RXSTALL_READY:
		q->stalled = false;
		q->rx_last = now;
		q->up->stalled(q->up_arg, q, false);
		log_info("%s: guest RX ready again", q->name);
		break;
	case RXSTALL_KEEP:
		break;
	}
}

uint64_t
queue_rx_deadline(struct queue *q, uint64_t now)
{
	struct rxstall_in in;

	if (q->fatal)
		return UINT64_MAX;
	pthread_mutex_lock(&q->rx_lock);
	queue_rx_state(q, now, &in);
	pthread_mutex_unlock(&q->rx_lock);
	return rxstall_next(&q->rx_times, &in);
}

bool
queue_rx_drain(struct queue *q, uint64_t now)
{
	struct rxstall_in in;
	bool expired;

	if (q->fatal)
		return false;
	pthread_mutex_lock(&q->rx_lock);
	queue_rx_state(q, now, &in);
	expired = rxstall_expired(&q->rx_times, &in);
	if (expired) {
		/* Linux's rx_drain_timeout: a frame the guest has not taken
		 * in time is dropped, so that a guest that stops reading
		 * cannot pin host memory (XSA-392). The stall clock goes
		 * on. */
		QUEUE_STAT_ADD(q, rx_drop_drain, 1);
		q->rx_head = false;
		q->rx_waiting = false;
	}
	pthread_mutex_unlock(&q->rx_lock);
	return expired;
}

/*
 * Moves frames from the TAP to the guest while it has posted buffers for
 * them. A frame that cannot be placed yet (no credit, or fewer posted
 * requests than it needs) is held at the start of rx_buf and the TAP is
 * not read again until it is placed: the host's queue discipline sees the
 * backpressure, and our own memory never grows (XSA-392). Returns true if
 * work is left for a later turn.
 */
static bool queue_rx_pass(struct queue *q);

bool
queue_rx_work(struct queue *q)
{
	bool more;

	pthread_mutex_lock(&q->rx_lock);
	more = queue_rx_pass(q);
	pthread_mutex_unlock(&q->rx_lock);
	return more;
}

/* One pass of queue_rx_work, under rx_lock. */
static bool
queue_rx_pass(struct queue *q)
{
	struct rx_frame *f = &q->rx_head_frame;
	unsigned int npend = 0, nsegs = 0, frames = 0, placed = 0;
	uint32_t bufoff;
	bool more = false;
	RING_IDX rp;

	if (q->fatal)
		return false;
	if (q->rss != NULL && vif_rss_gen(q->rss) != q->rss_gen)
		q->rss_gen = vif_rss_get(q->rss, &q->rss_h);
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
			/* Full, or the next batch of TAP reads would reuse
			 * the slots pending frames may be in: flush. */
			if (bufoff >= QUEUE_CHUNK_BYTES ||
			    npend == QUEUE_RX_PEND ||
			    nsegs + RX_MAX_SLOTS > QUEUE_RX_SEGS ||
			    (npend > 0 && tapio_read_refills(q->tio))) {
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
			if (f->data == q->rx_buf + bufoff)
				bufoff += f->len;	/* not in a slot */
		}
		if (!q->rx_head_charged) {
			uint64_t now = loop_now_ns();

			if (queue_limit_consume(&q->rxl, f->len, now) < 0)
				break;
			/* Paid for: from now only the guest's ring holds
			 * it back, and its drain clock runs. */
			q->rx_head_charged = true;
			q->rx_head_since = now;
		}

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
			 * posts. */
			q->rx_waiting = true;
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
		if (f->has_hash)
			QUEUE_STAT_ADD(q, rx_hash_extra, 1);
		QUEUE_STAT_ADD(q, rx_packets, 1);
		QUEUE_STAT_ADD(q, rx_bytes, f->len);
		if (f->has_gso)
			QUEUE_STAT_ADD(q, rx_gso_frames, 1);
		if (f->xdp_headroom != 0)
			QUEUE_STAT_ADD(q, rx_xdp_frames, 1);
		q->rx_waiting = false;
		placed++;
	}
	queue_rx_flush(q, npend, nsegs);
	if (!q->fatal) {
		uint64_t now = loop_now_ns();

		/* Progress (Linux sets last_rx_time per frame given to the
		 * guest; once per pass is the same to a 60 s clock). */
		if (placed > 0)
			q->rx_last = now;
		queue_rx_watch(q, now);
	}
	if (q->rx_head && f->data != q->rx_buf) {
		/* The batch is done with the buffer: keep the held frame at
		 * its start. */
		memmove(q->rx_buf, f->data, f->len);
		f->data = q->rx_buf;
	}
	queue_set_tap_reading(q, !q->rx_head && !more);
	return more;
}

