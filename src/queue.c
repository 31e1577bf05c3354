/*
 * queue.c - the worker thread of one netif queue: the effects shell around
 * the pure TX and RX cores.
 *
 * Owns the ring indices of its queue, the TAP queue fd and its timer. On an
 * event-channel event it sweeps the TX ring (copy every request out once,
 * parse packets, one grant copy for the whole sweep, write each packet to
 * the TAP with its virtio-net header, respond, notify if the ring says so)
 * and fills posted RX buffers from the TAP (read frames while the guest has
 * room, one grant copy per batch, respond in the request's slot, notify).
 * Each wakeup drains until there is no more work or the budget is spent,
 * never one poll per packet. A rogue frontend is reported to the control
 * thread and this queue stops consuming; nothing here ever exits on guest
 * data.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "queue.h"

/* ---- small helpers ----------------------------------------------------- */

static void
queue_fatal(struct queue *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The frontend broke the protocol in a way Linux treats as fatal: stop
 * consuming (this queue only) and tell the control thread, which writes
 * the error to xenstore and closes the vif. We never touch the rings
 * again; the other vifs never notice.
 */
static void
queue_fatal(struct queue *q, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (q->fatal)
		return;
	q->fatal = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s: %s; disabling the vif", q->name, msg);
	vif_report_fatal(q->vif, msg);
	loop_mod(&q->loop, &q->w_tap, 0);
	q->tap_reading = false;
}

static void
queue_notify(struct queue *q, uint32_t port)
{
	int r = q->env->ops->evtchn_notify(q->evtchn, port);

	if (r < 0) {
		static struct log_ratelimit rl = LOG_RATELIMIT_INIT(1000, 3);

		if (log_ratelimit_ok(&rl))
			log_warnx("%s: notify port %u: %s", q->name, port,
			    strerror(-r));
	}
	QUEUE_STAT_ADD(q, notifies, 1);
}

static void
queue_set_tap_reading(struct queue *q, bool on)
{
	if (q->fatal)
		on = false;
	if (q->tap_reading == on)
		return;
	if (loop_mod(&q->loop, &q->w_tap, on ? EPOLLIN : 0) == 0)
		q->tap_reading = on;
}

/* ---- guest TX: ring -> TAP ---------------------------------------------- */

static void
queue_tx_count_drop(struct queue *q, int reason)
{
	switch (reason) {
	case TX_DROP_RUNT:
		QUEUE_STAT_ADD(q, tx_drop_runt, 1);
		break;
	case TX_DROP_TOO_MANY_SLOTS:
		QUEUE_STAT_ADD(q, tx_drop_slots, 1);
		break;
	default:
		QUEUE_STAT_ADD(q, tx_drop_oversize, 1);
		break;
	}
}

/* Writes one packet to the TAP. Returns true if it went out. */
static bool
queue_tx_send(struct queue *q, const struct tx_pkt *pkt, uint8_t *buf)
{
	struct virtio_net_hdr vh;
	struct iovec iov[2];
	uint64_t fix = q->vstats.gso_fixup;

	if (vnet_hdr_nettx2vhdr(pkt->flags, pkt->has_gso ? &pkt->gso : NULL,
	    buf, pkt->len, &vh, &q->vstats) < 0) {
		/* Linux drops a packet whose checksum cannot be set up
		 * after answering it OKAY (xenvif_tx_submit). */
		QUEUE_STAT_ADD(q, tx_drop_hdr, 1);
		return false;
	}
	if (q->vstats.gso_fixup != fix)
		QUEUE_STAT_ADD(q, tx_csum_fixup, 1);
	iov[0].iov_base = &vh;
	iov[0].iov_len = sizeof(vh);
	iov[1].iov_base = buf;
	iov[1].iov_len = pkt->len;
	if (writev(q->tapfd, iov, 2) < 0) {
		/* EIO while the TAP is down, ENOBUFS under pressure: the
		 * packet is lost, as it would be on a full netdev queue. */
		QUEUE_STAT_ADD(q, tx_drop_tap, 1);
		return false;
	}
	QUEUE_STAT_ADD(q, tx_packets, 1);
	QUEUE_STAT_ADD(q, tx_bytes, pkt->len);
	if (pkt->has_gso)
		QUEUE_STAT_ADD(q, tx_gso_frames, 1);
	return true;
}

/*
 * The effects of one chunk of parsed packets: one grant copy for all of
 * them, then each is written to the TAP (or dropped) and answered, and
 * the responses are pushed (the frontend may refill while we go on).
 */
static void
queue_tx_flush(struct queue *q, unsigned int npkts, unsigned int nsegs,
    const uint32_t *segidx)
{
	netif_tx_back_ring_t *ring = &q->tx;
	unsigned int i;
	int r, notify;

	if (nsegs > 0) {
		r = q->env->ops->gnttab_grant_copy(q->gnttab, nsegs, q->tx_segs);
		if (r < 0)
			for (i = 0; i < nsegs; i++)
				q->tx_segs[i].status = GNTST_general_error;
		QUEUE_STAT_ADD(q, tx_copy_segs, nsegs);
	}
	for (i = 0; i < npkts; i++) {
		struct tx_pkt *pkt = &q->tx_pkts[i];
		int16_t st = NETIF_RSP_OKAY;

		if (pkt->drop != TX_DROP_NONE) {
			queue_tx_count_drop(q, pkt->drop);
			st = NETIF_RSP_ERROR;
		} else if (pkt->mcast) {
			QUEUE_STAT_ADD(q, tx_mcast, 1);
		} else if (tx_pkt_copy_status(pkt, q->tx_segs + segidx[i]) !=
		    GNTST_okay) {
			/* XSA-362/367: a grant that fails to copy costs the
			 * packet, every slot answered exactly once. */
			QUEUE_STAT_ADD(q, tx_drop_copy, 1);
			st = NETIF_RSP_ERROR;
		} else if (pkt->len > 0)
			(void)queue_tx_send(q, pkt, q->tx_buf +
			    q->tx_pkt_off[i]);
		tx_pkt2rsp(pkt, ring, st);
	}
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(ring, notify);
	if (notify)
		queue_notify(q, q->port_tx);
}

/*
 * One sweep: copy the unconsumed requests out of the shared ring once,
 * then, chunk by chunk, parse packets until the ring, the rate limit or
 * the chunk runs out and flush the chunk. Returns the number of slots
 * consumed, 0 if there was nothing (or no credit), -EPROTO after a fatal
 * error.
 */
static int
queue_tx_sweep(struct queue *q)
{
	netif_tx_back_ring_t *ring = &q->tx;
	unsigned int n, off = 0;
	uint32_t segidx[VIFD_TX_RING_SIZE];
	uint64_t now;
	RING_IDX rp, base;
	int fatal = 0, r;

	rp = ring_load_index(&ring->sring->req_prod);
	r = tx_ring_check(ring, rp);
	if (r < 0) {
		queue_fatal(q, "tx: impossible number of requests (req_prod %u,"
		    " req_cons %u)", rp, ring->req_cons);
		return -EPROTO;
	}
	n = (unsigned int)r;	/* also bounded by free response slots */
	if (n == 0)
		return 0;
	base = ring->req_cons;
	tx_copy_slots(ring, base, n, q->tx_slots);

	now = loop_now_ns();
	while (off < n && !q->tx_blocked && !q->fatal) {
		unsigned int npkts = 0, nsegs = 0;
		uint32_t bufoff = 0;
		bool stop = false;

		while (off < n) {
			struct tx_pkt *pkt = &q->tx_pkts[npkts];
			uint64_t wake;

			/* Netback charges the first slot's size (the whole
			 * packet) before looking further; no credit: stop
			 * consuming, the request stays on the ring (delayed,
			 * not dropped). */
			if (!ratelimit_unlimited(&q->tx_rl) &&
			    ratelimit_consume(&q->tx_rl,
			    q->tx_slots[off].req.size, now, &wake) < 0) {
				q->tx_blocked = true;
				stop = true;
				break;
			}
			r = tx_ring2pkt(&q->tx_slots[off], n - off, base + off,
			    pkt, &fatal);
			if (r <= 0) {
				if (r < 0)
					queue_fatal(q, "tx: %s",
					    tx_fatal_str(fatal));
				stop = true;
				break;
			}
			segidx[npkts] = nsegs;
			q->tx_pkt_off[npkts] = bufoff;
			if (pkt->drop == TX_DROP_NONE && !pkt->mcast &&
			    pkt->len > 0) {
				int k = tx_pkt2copyops(pkt, q->domid,
				    q->tx_buf + bufoff, q->tx_segs + nsegs,
				    QUEUE_TX_SEGS - nsegs);

				if (k < 0)
					abort();	/* bounded below */
				nsegs += (unsigned int)k;
				bufoff += pkt->len;
			}
			npkts++;
			off += (unsigned int)r;
			/* Room for one more packet of the largest kind in
			 * this chunk? */
			if (bufoff >= QUEUE_CHUNK_BYTES ||
			    nsegs + TX_MAX_SEGS_PER_PKT > QUEUE_TX_SEGS)
				break;
		}
		ring->req_cons = base + off;
		queue_tx_flush(q, npkts, nsegs, segidx);
		if (stop)
			break;
	}
	QUEUE_STAT_ADD(q, tx_sweeps, 1);
	return q->fatal ? -EPROTO : (int)off;
}

/* Processes the TX ring until it is empty, blocked or the budget is
 * spent. Returns true if work is left for a later turn. */
static bool
queue_tx_work(struct queue *q)
{
	unsigned int sweeps;
	int r, more;

	for (sweeps = 0; sweeps < QUEUE_BUDGET; sweeps++) {
		if (q->tx_blocked || q->fatal)
			return false;
		r = queue_tx_sweep(q);
		if (r < 0 || q->tx_blocked)
			return false;
		if (r == 0) {
			/* Re-arm req_event, then look once more: a request
			 * published meanwhile would otherwise sleep. */
			RING_FINAL_CHECK_FOR_REQUESTS(&q->tx, more);
			if (!more)
				return false;
		}
	}
	return true;
}

/* ---- guest RX: TAP -> ring ---------------------------------------------- */

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
	if (len > q->max_rx_frame) {
		/* Bigger than the frontend can take (no SG, or more than
		 * netif's slots): TUNSETOFFLOAD and the MTU should prevent
		 * it; a frame that still comes is dropped. */
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
	return (int)len;
}

/* One grant copy for the batch, then the responses. */
static void
queue_rx_flush(struct queue *q, unsigned int npend, unsigned int nsegs)
{
	unsigned int i;
	int r, notify;

	if (npend == 0)
		return;
	if (nsegs > 0) {
		r = q->env->ops->gnttab_grant_copy(q->gnttab, nsegs, q->rx_segs);
		if (r < 0)
			for (i = 0; i < nsegs; i++)
				q->rx_segs[i].status = GNTST_general_error;
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
		vif_queue_stalled(q->vif, q->tapfd, false);
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
static bool
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

/* ---- timers -------------------------------------------------------------- */

static void queue_unmask(struct queue *q);

static void
queue_rearm_timer(struct queue *q)
{
	uint64_t now = loop_now_ns(), next = UINT64_MAX;

	if (q->tx_blocked && q->tx_rl.wake_ns < next)
		next = q->tx_rl.wake_ns;
	if (q->rx_blocked && q->rx_rl.wake_ns < next)
		next = q->rx_rl.wake_ns;
	if (q->rx_waiting) {
		uint64_t t = q->rx_head_since + QUEUE_RX_DRAIN_NS;

		if (t < next)
			next = t;
		if (!q->stalled && q->rx_head_since + QUEUE_RX_STALL_NS < next)
			next = q->rx_head_since + QUEUE_RX_STALL_NS;
		if (!q->rx_notify && now + QUEUE_RX_POLL_NS < next)
			next = now + QUEUE_RX_POLL_NS;
	}
	if (q->unmask_at != 0 && q->unmask_at < next)
		next = q->unmask_at;
	if (next == UINT64_MAX)
		(void)loop_timer_arm(q->timerfd, 0);
	else
		(void)loop_timer_arm(q->timerfd, next > now ? next - now : 1);
}

static void
queue_on_timer(struct loop_watch *w, uint32_t events)
{
	struct queue *q = w->arg;
	uint64_t now, wake;

	(void)events;
	loop_timer_ack(q->timerfd);
	now = loop_now_ns();
	if (q->unmask_at != 0 && now >= q->unmask_at)
		queue_unmask(q);
	if (q->tx_blocked && now >= q->tx_rl.wake_ns &&
	    ratelimit_refill(&q->tx_rl, now, &wake) == 0) {
		q->tx_blocked = false;
		if (queue_tx_work(q))
			loop_event_signal(q->ctlfd);
	}
	if (q->rx_blocked && now >= q->rx_rl.wake_ns &&
	    ratelimit_refill(&q->rx_rl, now, &wake) == 0)
		q->rx_blocked = false;
	if (q->rx_waiting && q->rx_head) {
		if (now - q->rx_head_since >= QUEUE_RX_DRAIN_NS) {
			/* Linux's rx_drain_timeout: a frame the guest has not
			 * taken in 10 s is dropped, so that a guest that
			 * stops reading cannot pin host memory (XSA-392). */
			QUEUE_STAT_ADD(q, rx_drop_drain, 1);
			q->rx_head = false;
			q->rx_waiting = false;
		} else if (!q->stalled &&
		    now - q->rx_head_since >= QUEUE_RX_STALL_NS) {
			q->stalled = true;
			QUEUE_STAT_ADD(q, rx_stalls, 1);
			vif_queue_stalled(q->vif, q->tapfd, true);
			log_warnx("%s: guest RX stalled: %u slots needed",
			    q->name, rx_slots_needed(&q->rx_head_frame));
		}
	}
	if (queue_rx_work(q))
		loop_event_signal(q->ctlfd);
	queue_rearm_timer(q);
}

/* ---- event sources ------------------------------------------------------- */

static void
queue_apply_rates(struct queue *q)
{
	struct vif_rate out, in;
	uint64_t now = loop_now_ns();

	vif_get_rates(q->vif, q, &out, &in);
	if (ratelimit_set(&q->tx_rl, out.usec ? out.bytes : 0, out.usec, now))
		q->tx_blocked = false;
	if (ratelimit_unlimited(&q->tx_rl))
		q->tx_blocked = false;
	if (ratelimit_set(&q->rx_rl, in.usec ? in.bytes : 0, in.usec, now))
		q->rx_blocked = false;
	if (ratelimit_unlimited(&q->rx_rl))
		q->rx_blocked = false;
}

static void
queue_sync_rate_stats(struct queue *q)
{
	struct ratelimit_stats ts, rs;
	uint64_t now = loop_now_ns();

	ratelimit_get_stats(&q->tx_rl, now, &ts);
	ratelimit_get_stats(&q->rx_rl, now, &rs);
	__atomic_store_n(&q->stats.tx_rate_delayed, ts.packets_delayed,
	    __ATOMIC_RELAXED);
	__atomic_store_n(&q->stats.tx_rate_delayed_bytes, ts.bytes_delayed,
	    __ATOMIC_RELAXED);
	__atomic_store_n(&q->stats.tx_throttled_ns, ts.throttled_ns,
	    __ATOMIC_RELAXED);
	__atomic_store_n(&q->stats.rx_rate_delayed, rs.packets_delayed,
	    __ATOMIC_RELAXED);
	__atomic_store_n(&q->stats.rx_rate_delayed_bytes, rs.bytes_delayed,
	    __ATOMIC_RELAXED);
	__atomic_store_n(&q->stats.rx_throttled_ns, rs.throttled_ns,
	    __ATOMIC_RELAXED);
}

static void
queue_work(struct queue *q, bool tx, bool rx)
{
	bool again = false;

	if (tx)
		again |= queue_tx_work(q);
	if (rx)
		again |= queue_rx_work(q);
	if (again)
		loop_event_signal(q->ctlfd);	/* come back after others */
	queue_sync_rate_stats(q);
	queue_rearm_timer(q);
}

/*
 * Unmasks the ports the last event batch came on. After a streak of
 * spurious events (no new requests, no posted buffers, nothing to send:
 * an event-channel storm, XSA-332) the unmask is delayed, 1 ms doubling
 * to 16 ms, as Linux's lateeoi delays the EOI of spurious interrupts: a
 * storm then costs this queue's worker a few wakeups a millisecond, not a
 * CPU. Any real work resets it.
 */
#define QUEUE_SPURIOUS_STREAK	32u
#define QUEUE_SPURIOUS_MIN_NS	1000000ull	/* 1 ms ... */
#define QUEUE_SPURIOUS_MAX_SHIFT	4u		/* ... to 16 ms */

static void
queue_unmask(struct queue *q)
{
	unsigned int i;

	for (i = 0; i < q->nmasked; i++)
		(void)q->env->ops->evtchn_unmask(q->evtchn, q->masked[i]);
	q->nmasked = 0;
	q->unmask_at = 0;
}

static void
queue_on_evtchn(struct loop_watch *w, uint32_t events)
{
	struct queue *q = w->arg;
	const struct xen_ops *ops = q->env->ops;
	bool tx = false, rx = false, work;
	unsigned int i;
	int p;

	(void)events;
	while ((p = ops->evtchn_pending(q->evtchn)) >= 0) {
		QUEUE_STAT_ADD(q, evtchn_events, 1);
		if ((uint32_t)p == q->port_tx)
			tx = true;
		if ((uint32_t)p == q->port_rx)
			rx = true;
		for (i = 0; i < q->nmasked; i++)
			if (q->masked[i] == (uint32_t)p)
				break;
		if (i == q->nmasked &&
		    q->nmasked < sizeof(q->masked) / sizeof(q->masked[0]))
			q->masked[q->nmasked++] = (uint32_t)p;
	}
	work = false;
	if (!q->fatal) {
		RING_IDX tc = q->tx.req_cons, rc = q->rx.rsp_prod_pvt;
		RING_IDX rp = ring_load_index(&q->rx.sring->req_prod);

		/* TX events mean requests; RX events mean posted buffers
		 * (and, on a shared channel, either). */
		queue_work(q, tx || rx, rx || tx);
		work = tc != q->tx.req_cons || rc != q->rx.rsp_prod_pvt ||
		    rp != q->rx_seen_req_prod;
		q->rx_seen_req_prod = rp;
	}
	if (work) {
		q->spurious = 0;
	} else {
		QUEUE_STAT_ADD(q, evtchn_spurious, 1);
		/* Capped where the delay stops growing: a storm of any
		 * length never wraps it back to "no streak". */
		if (q->spurious < QUEUE_SPURIOUS_STREAK + QUEUE_SPURIOUS_MAX_SHIFT)
			q->spurious++;
	}
	if (q->spurious >= QUEUE_SPURIOUS_STREAK) {
		q->unmask_at = loop_now_ns() + (QUEUE_SPURIOUS_MIN_NS <<
		    (q->spurious - QUEUE_SPURIOUS_STREAK));
		queue_rearm_timer(q);
		return;
	}
	/* Unmask only after the work is done (the userspace form of
	 * Linux's lateeoi): a storm costs one pass per event. */
	queue_unmask(q);
}

static void
queue_on_tap(struct loop_watch *w, uint32_t events)
{
	struct queue *q = w->arg;

	(void)events;
	queue_work(q, false, true);
}

static void
queue_on_ctl(struct loop_watch *w, uint32_t events)
{
	struct queue *q = w->arg;
	int gen;

	(void)events;
	loop_event_ack(q->ctlfd);
	if (__atomic_load_n(&q->stop, __ATOMIC_ACQUIRE)) {
		loop_stop(&q->loop);
		return;
	}
	gen = __atomic_load_n(&q->rate_gen, __ATOMIC_ACQUIRE);
	if (gen != q->seen_rate_gen) {
		q->seen_rate_gen = gen;
		queue_apply_rates(q);
	}
	/* Also the "budget spent, more to do" wakeup. */
	queue_work(q, true, true);
}

static void *
queue_main(void *arg)
{
	struct queue *q = arg;
	netif_tx_sring_t *ts = q->tx_map;
	netif_rx_sring_t *rs = q->rx_map;

	/*
	 * Attach where the responses stand (BACK_RING_ATTACH): after a
	 * vifd restart the frontend's ring carries on; requests taken but
	 * not answered by the previous run are seen again.
	 */
	BACK_RING_ATTACH(&q->tx, ts, ring_load_index(&ts->rsp_prod),
	    VIFD_PAGE_SIZE);
	BACK_RING_ATTACH(&q->rx, rs, ring_load_index(&rs->rsp_prod),
	    VIFD_PAGE_SIZE);
	ratelimit_init(&q->tx_rl, loop_now_ns());
	ratelimit_init(&q->rx_rl, loop_now_ns());
	q->seen_rate_gen = __atomic_load_n(&q->rate_gen, __ATOMIC_ACQUIRE);
	queue_apply_rates(q);

	q->tap_reading = true;	/* the watch was added with EPOLLIN */
	/* Whatever the frontend queued while nobody listened. */
	queue_work(q, true, true);
	(void)loop_run(&q->loop);
	if (q->stalled)
		vif_queue_stalled(q->vif, q->tapfd, false);
	return NULL;
}

static void
queue_free_buffers(struct queue *q)
{
	free(q->tx_slots);
	free(q->tx_pkts);
	free(q->tx_pkt_off);
	free(q->tx_segs);
	free(q->tx_buf);
	free(q->rx_segs);
	free(q->rx_pend);
	free(q->rx_buf);
	q->tx_slots = NULL;
	q->tx_pkts = NULL;
	q->tx_pkt_off = NULL;
	q->tx_segs = NULL;
	q->tx_buf = NULL;
	q->rx_segs = NULL;
	q->rx_pend = NULL;
	q->rx_buf = NULL;
}

int
queue_start(struct queue *q)
{
	int r;

	q->tx_slots = calloc(VIFD_TX_RING_SIZE, sizeof(*q->tx_slots));
	q->tx_pkts = calloc(VIFD_TX_RING_SIZE, sizeof(*q->tx_pkts));
	q->tx_pkt_off = calloc(VIFD_TX_RING_SIZE, sizeof(*q->tx_pkt_off));
	q->tx_segs = calloc(QUEUE_TX_SEGS, sizeof(*q->tx_segs));
	q->tx_buf = malloc(QUEUE_TX_BUF);
	q->rx_segs = calloc(QUEUE_RX_SEGS, sizeof(*q->rx_segs));
	q->rx_pend = calloc(QUEUE_RX_PEND, sizeof(*q->rx_pend));
	q->rx_buf = malloc(QUEUE_RX_BUF);
	q->timerfd = q->ctlfd = -1;
	if (q->tx_slots == NULL || q->tx_pkts == NULL || q->tx_pkt_off == NULL ||
	    q->tx_segs == NULL || q->tx_buf == NULL || q->rx_segs == NULL ||
	    q->rx_pend == NULL || q->rx_buf == NULL) {
		r = -ENOMEM;
		goto fail;
	}
	r = loop_open(&q->loop);
	if (r < 0)
		goto fail;
	q->timerfd = loop_timer_new();
	q->ctlfd = loop_event_new();
	if (q->timerfd < 0 || q->ctlfd < 0) {
		r = -EMFILE;
		goto fail_loop;
	}
	loop_watch_init(&q->w_evtchn, q->env->ops->evtchn_fd(q->evtchn),
	    EPOLLIN, queue_on_evtchn, q);
	loop_watch_init(&q->w_tap, q->tapfd, EPOLLIN, queue_on_tap, q);
	loop_watch_init(&q->w_timer, q->timerfd, EPOLLIN, queue_on_timer, q);
	loop_watch_init(&q->w_ctl, q->ctlfd, EPOLLIN, queue_on_ctl, q);
	if ((r = loop_add(&q->loop, &q->w_evtchn)) < 0 ||
	    (r = loop_add(&q->loop, &q->w_tap)) < 0 ||
	    (r = loop_add(&q->loop, &q->w_timer)) < 0 ||
	    (r = loop_add(&q->loop, &q->w_ctl)) < 0)
		goto fail_loop;
	r = -pthread_create(&q->thread, NULL, queue_main, q);
	if (r < 0)
		goto fail_loop;
	q->started = true;
	return 0;
fail_loop:
	if (q->timerfd >= 0)
		close(q->timerfd);
	if (q->ctlfd >= 0)
		close(q->ctlfd);
	q->timerfd = q->ctlfd = -1;
	loop_close(&q->loop);
fail:
	queue_free_buffers(q);
	return r;
}

void
queue_stop(struct queue *q)
{
	if (!q->started)
		return;
	__atomic_store_n(&q->stop, 1, __ATOMIC_RELEASE);
	loop_event_signal(q->ctlfd);
	pthread_join(q->thread, NULL);
	q->started = false;
	close(q->timerfd);
	close(q->ctlfd);
	q->timerfd = q->ctlfd = -1;
	loop_close(&q->loop);
	queue_free_buffers(q);
}

void
queue_kick_rate(struct queue *q)
{
	__atomic_add_fetch(&q->rate_gen, 1, __ATOMIC_RELEASE);
	if (q->started)
		loop_event_signal(q->ctlfd);
}

void
queue_get_stats(const struct queue *q, struct queue_stats *out)
{
#define QUEUE_STATS_COPY(n) \
	out->n = __atomic_load_n(&q->stats.n, __ATOMIC_RELAXED);
	QUEUE_STATS(QUEUE_STATS_COPY)
#undef QUEUE_STATS_COPY
}
