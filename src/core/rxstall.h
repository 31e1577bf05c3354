/*
 * rxstall.h - when a queue's guest RX is stalled, ready again, or holds a
 * frame so long it must be dropped: a pure function of the clocks and the
 * ring, as Linux netback decides it (drivers/net/xen-netback/rx.c).
 */
#ifndef VIFD_RXSTALL_H
#define VIFD_RXSTALL_H

#include <stdbool.h>
#include <stdint.h>

/* A queue's two durations (Linux: rx_drain_timeout_msecs = 10000 and
 * rx_stall_timeout_msecs = 60000); both > 0. */
struct rxstall_cfg {
	uint64_t drain_ns;	/* a queued frame older than this is dropped */
	uint64_t stall_ns;	/* no progress this long, ring short: stalled */
};

/* What the worker knows at `now` (all times on one monotonic clock). */
struct rxstall_in {
	uint64_t now;
	/* The last time the backend made progress: a frame went into the
	 * guest's ring, or the queue was declared ready (Linux
	 * last_rx_time, set in xenvif_rx_skb and xenvif_queue_carrier_on),
	 * or the queue started. */
	uint64_t last_rx;
	bool stalled;		/* declared stalled, not yet ready */
	/* Slots the frame at the head needs (rx_slots_needed), 0 when no
	 * frame is held (Linux rx_slots_needed, 0 for an empty queue). */
	unsigned int needed;
	/* Requests the guest has posted and we have not consumed. */
	unsigned int posted;
	/* The head frame is queued for the guest (read and paid for: only
	 * the guest's ring holds it back) since queued_at, its enqueue
	 * time (Linux XENVIF_RX_CB(skb)->expires - drain timeout). */
	bool queued;
	uint64_t queued_at;
};

enum rxstall_verdict {
	RXSTALL_KEEP,		/* nothing changes */
	RXSTALL_STALL,		/* stalled now: carrier off */
	RXSTALL_READY,		/* ready again: carrier on, last_rx = now */
};

/*
 * Linux xenvif_rx_queue_stalled / xenvif_rx_queue_ready:
 *  STALL when not stalled, the ring holds fewer requests than the head
 *        frame needs (so a frame is held), and nothing has gone to the
 *        guest for stall_ns (now - last_rx >= stall_ns);
 *  READY when stalled and the ring holds at least what the head needs,
 *        which is always the case once no frame is held (needed 0);
 *  KEEP  otherwise.
 * Drained frames do not touch last_rx: a guest that takes nothing stalls
 * stall_ns after it last took a frame, however many were dropped since.
 */
enum rxstall_verdict rxstall_check(const struct rxstall_cfg *c,
    const struct rxstall_in *in);

/*
 * Linux xenvif_rx_queue_drop_expired: true if the queued head frame has
 * waited drain_ns since its enqueue time and is to be dropped (XSA-392:
 * a guest that takes nothing cannot pin the host's memory).
 */
bool rxstall_expired(const struct rxstall_cfg *c, const struct rxstall_in *in);

/*
 * When rxstall_check or rxstall_expired next changes its answer without
 * an event (the guest posting, a frame arriving): the queued frame's
 * expiry, and the stall deadline while the ring is short and the queue
 * not stalled. UINT64_MAX: only an event can change it. A time at or
 * before `now` means at once.
 */
uint64_t rxstall_next(const struct rxstall_cfg *c, const struct rxstall_in *in);

#endif
