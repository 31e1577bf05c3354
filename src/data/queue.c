/*
 * queue.c - the worker thread of one netif queue: its loop, event
 * sources, timers and life.
 *
 * Owns the worker of its queue: the thread, its epoll loop over the
 * event-channel fd, the TAP queue fd, a timerfd and a control eventfd,
 * and the per-queue buffers the TX and RX passes use. On an event-channel
 * event it runs guest TX (queue_tx.c: sweep the TX ring into the TAP) and
 * guest RX (queue_rx.c: fill posted RX buffers from the TAP), unmasking
 * the ports only after the work is done, and later still during an event
 * storm (XSA-332). Each wakeup drains until there is no more work or the
 * budget is spent, never one poll per packet. The timer serves the rate
 * limits' waits, the RX drain and stall timeouts and the deferred unmask;
 * the control eventfd carries stop requests and new rates. What it
 * reports (a rogue frontend, a stalled RX ring) goes through the owner's
 * upcalls.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/sandbox.h"
#include "data/queue_int.h"
#include "data/tapio.h"
#include "data/vif_rss.h"
#include "data/inbox.h"
#include "data/vswitch.h"

/* ---- small helpers ----------------------------------------------------- */

void
queue_fatal(struct queue *q, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (q->fatal)
		return;
	__atomic_store_n(&q->fatal, true, __ATOMIC_RELAXED);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s: %s; disabling the vif", q->name, msg);
	q->up->fatal(q->up_arg, q, msg);
	loop_mod(&q->loop, &q->w_tap, 0);
	q->tap_reading = false;
}

bool
queue_tap_error(struct queue *q, int err)
{
	if (err != EBADFD)
		return false;
	queue_fatal(q, "its TAP %s is gone (deleted by someone else?)",
	    q->ifname);
	return true;
}

uint64_t
queue_grant_copy(struct queue *q, struct xen_copy_seg *segs, unsigned int n)
{
	return queue_grant_copy_rl(q, &q->copy_rl, segs, n);
}

uint64_t
queue_grant_copy_rl(struct queue *q, struct log_ratelimit *rl,
    struct xen_copy_seg *segs, unsigned int n)
{
	unsigned int i, failed = 0;
	int16_t first = GNTST_okay;
	uint64_t bytes = 0;
	int r;

	r = q->env->ops->gnttab_grant_copy(q->gnttab, n, segs);
	for (i = 0; i < n; i++) {
		if (r < 0)
			segs[i].status = GNTST_general_error;
		if (segs[i].status == GNTST_okay)
			bytes += segs[i].len;
		else if (failed++ == 0)
			first = segs[i].status;
	}
	/* Counted per packet by the callers; said here too, rate-limited
	 * (a guest's bad grefs land here as well), so that a host whose
	 * grant copies fail shows in the log and not only in counters. */
	if (failed == 0 || !log_ratelimit_ok(rl))
		return bytes;
	if (r < 0)
		log_warnx("%s: grant copy of %u segments failed: %s", q->name,
		    n, strerror(-r));
	else
		log_warnx("%s: grant copy: %u of %u segments failed (first: "
		    "GNTST %d)", q->name, failed, n, first);
	return bytes;
}

void
queue_notify(struct queue *q, uint32_t port)
{
	int r = q->env->ops->evtchn_notify(q->evtchn, port);

	if (r < 0) {
		if (log_ratelimit_ok(&q->notify_rl))
			log_warnx("%s: notify port %u: %s", q->name, port,
			    strerror(-r));
	}
	QUEUE_STAT_ADD(q, notifies, 1);
}

void
queue_set_tap_reading(struct queue *q, bool on)
{
	/* A switch port's TAP carries nothing: were an admin to bring it
	 * up, the host's frames must not reach the guest around the
	 * switch's isolation (vswitch.h). */
	if (q->fatal || q->swport != NULL)
		on = false;
	if (q->tap_reading == on)
		return;
	if (loop_mod(&q->loop, &q->w_tap, on ? EPOLLIN : 0) == 0)
		q->tap_reading = on;
}


/* ---- timers -------------------------------------------------------------- */

static void queue_unmask(struct queue *q);

static void
queue_rearm_timer(struct queue *q)
{
	uint64_t now = loop_now_ns(), next = UINT64_MAX, t;

	if (q->txl.blocked && q->txl.wake_ns < next)
		next = q->txl.wake_ns;
	if (q->rxl.blocked && q->rxl.wake_ns < next)
		next = q->rxl.wake_ns;
	t = queue_rx_deadline(q, now);
	if (t < next)
		next = t;
	if (q->rx_waiting && !q->rx_notify && now + QUEUE_RX_POLL_NS < next)
		next = now + QUEUE_RX_POLL_NS;
	if (q->unmask_at != 0 && q->unmask_at < next)
		next = q->unmask_at;
	if (next == q->timer_at)
		return;
	/* A refused call leaves the deadline unknown (0): the next pass
	 * sets it again. */
	q->timer_at = loop_timer_arm(q->timerfd, next == UINT64_MAX ? 0 :
	    next > now ? next - now : 1) == 0 ? next : 0;
}

static void
queue_on_timer(struct loop_watch *w, uint32_t events)
{
	struct queue *q = w->arg;
	uint64_t now;

	(void)events;
	loop_timer_ack(q->timerfd);
	q->timer_at = UINT64_MAX;	/* it expired: set no more */
	now = loop_now_ns();
	if (q->unmask_at != 0 && now >= q->unmask_at)
		queue_unmask(q);
	if (queue_limit_due(&q->txl, now) && queue_tx_work(q))
		loop_event_signal(q->ctlfd);
	(void)queue_limit_due(&q->rxl, now);
	/* As Linux's guest-RX thread: deliver what fits and judge the
	 * stall (both in queue_rx_work), then drop an expired frame, then
	 * go on with the next one (which also judges readiness again: with
	 * no frame held the queue is ready). */
	if (queue_rx_work(q))
		loop_event_signal(q->ctlfd);
	if (queue_rx_drain(q, loop_now_ns()) && queue_rx_work(q))
		loop_event_signal(q->ctlfd);
	queue_rearm_timer(q);
}

/* ---- event sources ------------------------------------------------------- */

static void
queue_apply_rates(struct queue *q)
{
	struct ratelimit_rate out, in;
	uint64_t now = loop_now_ns();

	pthread_mutex_lock(&q->rate_lock);
	out = q->rate_out;
	in = q->rate_in;
	pthread_mutex_unlock(&q->rate_lock);
	queue_limit_apply(&q->txl, &out, now);
	queue_limit_apply(&q->rxl, &in, now);
	__atomic_store_n(&q->rx_limited, in.usec != 0 ? 1 : 0,
	    __ATOMIC_RELAXED);
}

static void
queue_sync_rate_stats(struct queue *q)
{
	struct ratelimit_stats ts, rs;
	uint64_t now = loop_now_ns();

	queue_limit_stats(&q->txl, now, &ts);
	queue_limit_stats(&q->rxl, now, &rs);
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
	uint32_t ports[2];
	unsigned int i;
	int k, n;

	(void)events;
	/* A port read here stays masked until we unmask it (Linux's evtchn
	 * device, as the simulated one), so the handle's ports (one, or TX's
	 * and RX's when split) are all there is to read: one read for both
	 * (on a real host one system call, where reading one port at a time
	 * until EAGAIN made two or three). The fd is level-triggered: what
	 * comes meanwhile wakes us again. */
	n = ops->evtchn_pending_many(q->evtchn, ports, 2);
	for (k = 0; k < n; k++) {
		uint32_t p = ports[k];

		QUEUE_STAT_ADD(q, evtchn_events, 1);
		if (p == q->port_tx)
			tx = true;
		if (p == q->port_rx)
			rx = true;
		for (i = 0; i < q->nmasked; i++)
			if (q->masked[i] == p)
				break;
		if (i == q->nmasked &&
		    q->nmasked < sizeof(q->masked) / sizeof(q->masked[0]))
			q->masked[q->nmasked++] = p;
	}
	work = false;
	if (!q->fatal) {
		RING_IDX tc = q->tx.req_cons, rc, rp, rc2;

		/* The RX side's indices are read under its lock: another
		 * switch port's worker may be placing a frame there. */
		pthread_mutex_lock(&q->rx_lock);
		rc = q->rx.rsp_prod_pvt;
		rp = ring_load_index(&q->rx.sring->req_prod);
		pthread_mutex_unlock(&q->rx_lock);
		/* TX events mean requests; RX events mean posted buffers
		 * (and, on a shared channel, either). */
		queue_work(q, tx || rx, rx || tx);
		pthread_mutex_lock(&q->rx_lock);
		rc2 = q->rx.rsp_prod_pvt;
		pthread_mutex_unlock(&q->rx_lock);
		work = tc != q->tx.req_cons || rc != rc2 ||
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

/* Another queue's worker steered frames to us (vif_rss.h). */
static void
queue_on_steer(struct loop_watch *w, uint32_t events)
{
	struct queue *q = w->arg;

	(void)events;
	loop_event_ack(q->rss->inbox[q->id].evfd);
	queue_work(q, false, true);
}

/* Other ports of the vif's switch handed frames to us (vswitch.h). */
static void
queue_on_switch(struct loop_watch *w, uint32_t events)
{
	struct queue *q = w->arg;

	(void)events;
	loop_event_ack(q->swin->evfd);
	queue_work(q, false, true);
}

static void *
queue_main(void *arg)
{
	struct queue *q = arg;
	netif_tx_sring_t *ts = q->tx_map;
	netif_rx_sring_t *rs = q->rx_map;
	char comm[16], *sp;
	int r;

	/* The thread's name (its comm, at most 15 bytes): "vif1.0-q0", no
	 * space, which the audit log would print in hex. */
	snprintf(comm, sizeof(comm), "%.15s", q->name);
	while ((sp = strchr(comm, ' ')) != NULL)
		*sp = '-';
	(void)pthread_setname_np(pthread_self(), comm);
	xen_env_thread_sandboxed(q->env);
	r = sandbox_enter_data(q->name, SANDBOX_NO_CAPS);
	if (r < 0) {
		/* Never serve a guest unfiltered: the vif closes. */
		queue_fatal(q, "cannot enter the sandbox: %s", strerror(-r));
		return NULL;
	}
	/*
	 * Attach where the responses stand (BACK_RING_ATTACH): after a
	 * vifd restart the frontend's ring carries on; requests taken but
	 * not answered by the previous run are seen again.
	 */
	BACK_RING_ATTACH(&q->tx, ts, ring_load_index(&ts->rsp_prod),
	    VIFD_PAGE_SIZE);
	BACK_RING_ATTACH(&q->rx, rs, ring_load_index(&rs->rsp_prod),
	    VIFD_PAGE_SIZE);
	ratelimit_init(&q->txl.rl, loop_now_ns());
	ratelimit_init(&q->rxl.rl, loop_now_ns());
	q->seen_rate_gen = __atomic_load_n(&q->rate_gen, __ATOMIC_ACQUIRE);
	queue_apply_rates(q);

	/* The watch was added with EPOLLIN, but a switch port's. */
	q->tap_reading = q->swport == NULL;
	/* The ring is attached: other ports' workers may place frames in
	 * it from now on (one copy; taken back in queue_stop). */
	if (q->swin != NULL)
		vsw_port_set_direct(q->swport, q);
	/* Whatever the frontend queued while nobody listened. */
	queue_work(q, true, true);
	(void)loop_run(&q->loop);
	if (q->stalled)
		q->up->stalled(q->up_arg, q, false);
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

#ifdef VIFD_TEST_HOOKS
/*
 * The test hook of a --enable-test-hooks build: with $VIFD_TEST_PREFAULT
 * set, every page of the queue's data buffers is written once at start.
 * They are demand-paged (QUEUE_TX_BUF + QUEUE_RX_BUF, some 708 KiB a
 * queue, and the TAP's read slots, 1 MiB, where reads are batched), and
 * traffic touches deeper into them only when a pass fills a bigger chunk
 * than before: a long soak saw vifd's anonymous RSS creep by ~1 MiB/min
 * for minutes that way, bounded by the buffers' size but hiding any real
 * growth. tests/soak/soak.sh sets it, so that its
 * flatness check measures everything else. Not memset(0): the compiler
 * may fold malloc + memset 0 into calloc, which touches nothing.
 */
static void
queue_test_prefault(struct queue *q)
{
	if (getenv("VIFD_TEST_PREFAULT") == NULL)
		return;
	memset(q->tx_buf, 0x5a, QUEUE_TX_BUF);
	memset(q->rx_buf, 0x5a, QUEUE_RX_BUF);
	/* And the TAP's read slots (tapio.h), as demand-paged. */
	if (q->tio != NULL && q->tio->rbuf != NULL)
		memset(q->tio->rbuf, 0x5a, (size_t)TAPIO_RX_SLOTS *
		    TAPIO_RX_CAP);
}
#endif

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
#ifdef VIFD_TEST_HOOKS
	queue_test_prefault(q);
#endif
	r = loop_open(&q->loop);
	if (r < 0)
		goto fail;
	q->timerfd = loop_timer_new();
	q->timer_at = UINT64_MAX;
	q->ctlfd = loop_event_new();
	if (q->timerfd < 0 || q->ctlfd < 0) {
		r = -EMFILE;
		goto fail_loop;
	}
	loop_watch_init(&q->w_evtchn, q->env->ops->evtchn_fd(q->evtchn),
	    EPOLLIN, queue_on_evtchn, q);
	loop_watch_init(&q->w_tap, q->tapfd, q->swport != NULL ? 0 : EPOLLIN,
	    queue_on_tap, q);
	loop_watch_init(&q->w_timer, q->timerfd, EPOLLIN, queue_on_timer, q);
	loop_watch_init(&q->w_ctl, q->ctlfd, EPOLLIN, queue_on_ctl, q);
	if ((r = loop_add(&q->loop, &q->w_evtchn)) < 0 ||
	    (r = loop_add(&q->loop, &q->w_tap)) < 0 ||
	    (r = loop_add(&q->loop, &q->w_timer)) < 0 ||
	    (r = loop_add(&q->loop, &q->w_ctl)) < 0)
		goto fail_loop;
	if (q->rss != NULL) {
		/* The inbox's eventfd is the vif's: it outlives this worker,
		 * so a sibling may still signal it while we stop. */
		loop_watch_init(&q->w_steer, q->rss->inbox[q->id].evfd,
		    EPOLLIN, queue_on_steer, q);
		if ((r = loop_add(&q->loop, &q->w_steer)) < 0)
			goto fail_loop;
	}
	if (q->swin != NULL) {
		/* The port's inbox outlives the worker too (the vif leaves
		 * the switch after its queues stop). */
		loop_watch_init(&q->w_switch, q->swin->evfd, EPOLLIN,
		    queue_on_switch, q);
		if ((r = loop_add(&q->loop, &q->w_switch)) < 0)
			goto fail_loop;
	}
	q->rx_last = loop_now_ns();	/* the stall clock starts */
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
	/* No other port's worker places frames in our ring, nor uses our
	 * RX buffers, once this returns (it waits for one doing so). */
	if (q->swin != NULL)
		vsw_port_set_direct(q->swport, NULL);
	close(q->timerfd);
	close(q->ctlfd);
	q->timerfd = q->ctlfd = -1;
	loop_close(&q->loop);
	queue_free_buffers(q);
}

void
queue_set_rate(struct queue *q, const struct ratelimit_rate *out,
    const struct ratelimit_rate *in)
{
	pthread_mutex_lock(&q->rate_lock);
	q->rate_out = *out;
	q->rate_in = *in;
	pthread_mutex_unlock(&q->rate_lock);
	__atomic_add_fetch(&q->rate_gen, 1, __ATOMIC_RELEASE);
	if (q->started)
		loop_event_signal(q->ctlfd);
}

void
queue_set_link(struct queue *q, bool up)
{
	__atomic_store_n(&q->link_down, up ? 0 : 1, __ATOMIC_RELAXED);
}

void
queue_set_xdp_headroom(struct queue *q, uint16_t headroom)
{
	__atomic_store_n(&q->xdp_headroom, (int)headroom, __ATOMIC_RELAXED);
}

void
queue_get_stats(const struct queue *q, struct queue_stats *out)
{
#define QUEUE_STATS_COPY(n) \
	out->n = __atomic_load_n(&q->stats.n, __ATOMIC_RELAXED);
	QUEUE_STATS(QUEUE_STATS_COPY)
#undef QUEUE_STATS_COPY
	/* Every notification to the guest, its worker's and placements'. */
	out->notifies += __atomic_load_n(&q->place_notifies,
	    __ATOMIC_RELAXED);
}
