/*
 * rxstall.c - the guest-RX stall and drain decisions, pure.
 *
 * Owns the rules by which a queue's to-guest direction is declared
 * stalled (its vif's carrier goes off), ready again (the carrier may come
 * back) and by which a frame held for the guest too long is dropped, and
 * the time at which any of these answers can next change. They are Linux
 * netback's (drivers/net/xen-netback/rx.c, xenvif_rx_queue_stalled,
 * xenvif_rx_queue_ready, xenvif_rx_queue_drop_expired, with last_rx_time
 * set in xenvif_rx_skb and xenvif_queue_carrier_on): the stall clock runs
 * from the backend's last progress, not from the arrival of whichever
 * frame is waiting now, so steady traffic towards a guest that posts no
 * buffers stalls even while the drain keeps dropping frames; each frame's
 * drain clock runs from its own enqueue time. The queue worker
 * (data/queue.c, data/queue_rx.c) owns the clock, the frame and the
 * carrier and applies the answers.
 */
#include "config.h"

#include "core/rxstall.h"

/* Deadlines near the clock's end saturate rather than wrap. */
static uint64_t
rxstall_add(uint64_t t, uint64_t d)
{
	return t > UINT64_MAX - d ? UINT64_MAX : t + d;
}

/* The ring cannot take the head frame (false when none is held). */
static bool
rxstall_short(const struct rxstall_in *in)
{
	return in->posted < in->needed;
}

enum rxstall_verdict
rxstall_check(const struct rxstall_cfg *c, const struct rxstall_in *in)
{
	if (in->stalled)
		return rxstall_short(in) ? RXSTALL_KEEP : RXSTALL_READY;
	if (rxstall_short(in) &&
	    in->now >= rxstall_add(in->last_rx, c->stall_ns))
		return RXSTALL_STALL;
	return RXSTALL_KEEP;
}

bool
rxstall_expired(const struct rxstall_cfg *c, const struct rxstall_in *in)
{
	return in->queued && in->now >= rxstall_add(in->queued_at, c->drain_ns);
}

uint64_t
rxstall_next(const struct rxstall_cfg *c, const struct rxstall_in *in)
{
	uint64_t next = UINT64_MAX, t;

	if (in->queued)
		next = rxstall_add(in->queued_at, c->drain_ns);
	if (!in->stalled && rxstall_short(in)) {
		t = rxstall_add(in->last_rx, c->stall_ns);
		if (t < next)
			next = t;
	}
	return next;
}
