/*
 * queue_limit.c - which limiter a queue's packet is charged to, and the
 * queue's side of waiting for it.
 *
 * Owns the choice, per packet, between the vif's shared shape (libvirt's
 * average/peak/burst for the whole interface, src/data/shaper.c) and the
 * queue's own credit scheduler (xl's rate=, per queue as netback has it):
 * a shape in force takes the place of the rate in its direction. Also the
 * blocked flag and wake-up time the worker's timer serves, and the delay
 * counters, which stay this queue's even when the bucket is shared.
 */
#include "config.h"

#include <errno.h>

#include "data/queue_int.h"

static bool
queue_limit_shaped(const struct queue_limit *l)
{
	return l->shaper != NULL && shaper_active(l->shaper);
}

int
queue_limit_consume(struct queue_limit *l, uint32_t size, uint64_t now_ns)
{
	uint64_t wake;

	if (queue_limit_shaped(l)) {
		if (shaper_consume(l->shaper, l->who, size, &now_ns,
		    &wake) == 0) {
			ratelimit_delay_end(&l->shaped, now_ns);
			return 0;
		}
		ratelimit_delay_note(&l->shaped, size, now_ns);
	} else if (ratelimit_unlimited(&l->rl) ||
	    ratelimit_consume(&l->rl, size, now_ns, &wake) == 0) {
		return 0;
	}
	l->blocked = true;
	l->wake_ns = wake;
	return -EAGAIN;
}

bool
queue_limit_due(struct queue_limit *l, uint64_t now_ns)
{
	uint64_t wake;

	if (!l->blocked || now_ns < l->wake_ns)
		return false;
	/* A shared bucket refills when it is next charged; our own is
	 * refilled here, as netback's timer callback does. */
	if (!queue_limit_shaped(l) &&
	    ratelimit_refill(&l->rl, now_ns, &wake) < 0) {
		l->wake_ns = wake;
		return false;
	}
	l->blocked = false;
	return true;
}

void
queue_limit_apply(struct queue_limit *l, const struct ratelimit_rate *r,
    uint64_t now_ns)
{
	(void)ratelimit_set(&l->rl, r->usec ? r->bytes : 0, r->usec, now_ns);
	/* Retrying is always safe: a packet still short of credit is
	 * refused again with its wake-up; the shared shaper may have
	 * changed too, and only a retry sees that. */
	l->blocked = false;
	if (!queue_limit_shaped(l))
		ratelimit_delay_end(&l->shaped, now_ns);
}

void
queue_limit_stats(const struct queue_limit *l, uint64_t now_ns,
    struct ratelimit_stats *st)
{
	struct ratelimit_stats sh;

	ratelimit_get_stats(&l->rl, now_ns, st);
	ratelimit_delay_get(&l->shaped, now_ns, &sh);
	st->packets_delayed += sh.packets_delayed;
	st->bytes_delayed += sh.bytes_delayed;
	st->throttled_ns += sh.throttled_ns;
}
