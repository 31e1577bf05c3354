/*
 * shaper.h - one direction of a vif's shape (core/shape.h), shared by the
 * worker threads of all the vif's queues.
 *
 * libvirt's <bandwidth> limits the interface, not each of its queues, so
 * one bucket serves every queue: each worker charges its packets here
 * under a mutex, and waits on its own timer when refused. The control
 * thread sets the shape (shaper_set) and then tells the workers through
 * queue_set_rate, so that a waiting worker retries under the new shape.
 */
#ifndef VIFD_SHAPER_H
#define VIFD_SHAPER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/shape.h"

struct shaper {
	pthread_mutex_t lock;
	struct shape s;			/* [lock] */
	int active;			/* [atomic] a shape is in force */
};

/* Initialises `sh` as unlimited; shaper_destroy() undoes it. */
void shaper_init(struct shaper *sh);
void shaper_destroy(struct shaper *sh);

/* Applies a (new) shape, live (c->average 0: none). Any thread. */
void shaper_set(struct shaper *sh, const struct shape_conf *c);

/* True if a shape is in force: one relaxed load, for the packet path. */
bool shaper_active(const struct shaper *sh);

/*
 * Charges queue `who`'s packet of `size` bytes to the shared bucket
 * (shape_consume, whose claim keeps one queue's big frames from being
 * starved by another's small ones),
 * reading the clock under the lock so that the times the bucket sees
 * never go backwards from one worker to the next. Returns 0, or -EAGAIN
 * with *wake_ns, when this worker should retry. *now_ns is the time used.
 */
int shaper_consume(struct shaper *sh, unsigned int who, uint32_t size,
    uint64_t *now_ns, uint64_t *wake_ns);

#endif
