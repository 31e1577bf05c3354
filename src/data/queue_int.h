/*
 * queue_int.h - what the files of one queue's worker share: queue.c (the
 * thread, its events and timers), queue_tx.c (guest TX), queue_rx.c
 * (guest RX) and queue_open.c (the handles). Nothing else includes it.
 */
#ifndef VIFD_QUEUE_INT_H
#define VIFD_QUEUE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "data/queue.h"

/*
 * The frontend broke the protocol in a way Linux treats as fatal: stop
 * consuming (this queue only) and tell the owner (upcall `fatal`), which
 * writes the error to xenstore and closes the vif. We never touch the
 * rings again; the other vifs never notice. Only the first call counts.
 */
void queue_fatal(struct queue *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One grant copy of segs[0..n) (n > 0). A batch that could not be
 * submitted at all fails every segment (GNTST_general_error), so each
 * is answered as a failed copy. Returns the bytes copied (the segments
 * that succeeded). */
uint64_t queue_grant_copy(struct queue *q, struct xen_copy_seg *segs,
    unsigned int n);
/* The same, its failures logged under limiter rl (one thread's, or one
 * lock's) rather than q's worker's. */
uint64_t queue_grant_copy_rl(struct queue *q, struct log_ratelimit *rl,
    struct xen_copy_seg *segs, unsigned int n);

/*
 * A read or write on the TAP failed with `err` (an errno). EBADFD means
 * the TAP is gone under us (an admin's `ip link del`): the fd stays
 * readable (EPOLLERR) forever, so the queue stops with queue_fatal and
 * the vif is disabled with a line saying so. Anything else is a lost
 * frame, counted by the caller. Returns true if the queue stopped.
 */
bool queue_tap_error(struct queue *q, int err);

/* Notifies the frontend on `port` (a failure is logged, rate-limited). */
void queue_notify(struct queue *q, uint32_t port);

/* Arms or disarms EPOLLIN on the TAP (never again after a fatal error). */
void queue_set_tap_reading(struct queue *q, bool on);

/*
 * Charges a packet of `size` bytes to limit `l` at now_ns (the shared
 * shaper reads its own clock). Returns 0, or -EAGAIN after marking `l`
 * blocked with its wake-up time: the caller stops, leaves the packet
 * where it is and retries once queue_limit_due() says so.
 */
int queue_limit_consume(struct queue_limit *l, uint32_t size,
    uint64_t now_ns);

/* The timer fired: true (and `l` unblocked) if `l` was blocked and may
 * retry now. */
bool queue_limit_due(struct queue_limit *l, uint64_t now_ns);

/* A new per-queue rate (the shaper is set by its owner): applied, and
 * any wait ends, so the next pass retries under the new limits. */
void queue_limit_apply(struct queue_limit *l, const struct ratelimit_rate *r,
    uint64_t now_ns);

/* The limit's counters: this queue's waits, on either limiter. */
void queue_limit_stats(const struct queue_limit *l, uint64_t now_ns,
    struct ratelimit_stats *st);

/* Processes the TX ring until it is empty, blocked or the budget is
 * spent. Returns true if work is left for a later turn. */
bool queue_tx_work(struct queue *q);

/* Moves frames from the TAP to the guest while it has posted buffers
 * (see queue_rx.c). Returns true if work is left for a later turn. */
bool queue_rx_work(struct queue *q);

/* When the RX drain or stall rules next need the worker without an
 * event (core/rxstall.h rxstall_next); UINT64_MAX: never. */
uint64_t queue_rx_deadline(struct queue *q, uint64_t now);

/* Drops the held frame if it has waited for the guest longer than the
 * drain timeout. Returns true if it did (the TAP may be read again). */
bool queue_rx_drain(struct queue *q, uint64_t now);

#endif
