/*
 * shaper.c - a vif's shared shape: the lock around core/shape.c and the
 * clock it is read with.
 *
 * Owns the mutex of one direction's bucket. Why a mutex per packet: the
 * queues of a vif run on their own threads and libvirt's limit is the
 * sum of them; an uncontended lock costs tens of nanoseconds, a packet's
 * grant copy and TAP syscall microseconds, and a vif without a shape
 * never takes it (shaper_active is checked first). Splitting the credit
 * into per-queue slices instead would either strand credit on an idle
 * queue or need the same lock to rebalance it.
 */
#include "config.h"

#include <errno.h>

#include "util/loop.h"
#include "data/shaper.h"

void
shaper_init(struct shaper *sh)
{
	pthread_mutex_init(&sh->lock, NULL);
	shape_init(&sh->s, loop_now_ns());
	sh->active = 0;
}

void
shaper_destroy(struct shaper *sh)
{
	pthread_mutex_destroy(&sh->lock);
}

void
shaper_set(struct shaper *sh, const struct shape_conf *c)
{
	pthread_mutex_lock(&sh->lock);
	(void)shape_set(&sh->s, c, loop_now_ns());
	__atomic_store_n(&sh->active, !shape_unlimited(&sh->s),
	    __ATOMIC_RELEASE);
	pthread_mutex_unlock(&sh->lock);
}

bool
shaper_active(const struct shaper *sh)
{
	return __atomic_load_n(&sh->active, __ATOMIC_RELAXED) != 0;
}

int
shaper_consume(struct shaper *sh, unsigned int who, uint32_t size,
    uint64_t *now_ns, uint64_t *wake_ns)
{
	int r;

	pthread_mutex_lock(&sh->lock);
	*now_ns = loop_now_ns();
	r = shape_consume(&sh->s, who, size, *now_ns, wake_ns);
	pthread_mutex_unlock(&sh->lock);
	return r;
}
