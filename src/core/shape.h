/*
 * shape.h - average, peak and burst: libvirt's <bandwidth> as a two-rate
 * token bucket, with time passed in.
 *
 * The average part is netback's credit scheduler (ratelimit.h) with a wider
 * burst allowance: unused credit banks up to `burst` bytes. The peak part is
 * a second bucket that refills at `peak` bytes per second and holds
 * SHAPE_PEAK_DEPTH_NS of it (at least RATELIMIT_BURST_FLOOR bytes). A
 * packet goes when both have credit for it, so a saturating sender goes at
 * the peak for burst / (peak - average) seconds (it sends `burst` bytes more
 * than the average would in that time) and at the average after; idle time
 * refills the burst at the average. This is what libvirt asks of tc
 * (htb rate/ceil/burst) on a TAP, without a qdisc.
 *
 * One struct shape limits one direction of a whole vif: its queues share
 * it (src/data/shaper.c holds the lock). The module reads no clock.
 */
#ifndef VIFD_SHAPE_H
#define VIFD_SHAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ratelimit.h"

/* The peak bucket's depth in time: what a worker that wakes this late
 * still gets at the peak, and the most that goes faster than the peak
 * (10 ms of it, at least the burst floor, after an idle spell). */
#define SHAPE_PEAK_DEPTH_NS	10000000ull

/* Callers sharing one shape, numbered 0..SHAPE_MAX_WHO-1 (a vif's
 * queues: FRONTEND_MAX_QUEUES). */
#define SHAPE_MAX_WHO		32u
/* How long credit stays reserved for a refused packet whose caller does
 * not come back (its queue stopped, say) after its wake-up. */
#define SHAPE_CLAIM_NS		100000000ull

/* A shape as our backend keys state it, in bytes. */
struct shape_conf {
	uint64_t average;	/* bytes per second; 0: no shaping */
	uint64_t peak;		/* bytes per second; 0: no peak */
	uint64_t burst;		/* bytes; 0: netback's allowance */
};

/* All fields private to shape.c. */
struct shape {
	struct ratelimit avg;		/* the average: netback's scheduler */
	struct shape_conf conf;		/* in force */
	uint64_t window_ns;		/* the average's window */
	uint64_t peak_depth_ns;		/* the peak bucket's size, as time */
	uint64_t peak_empty_ns;		/* when the peak bucket was empty */
	/* The claim: credit reserved for one caller's refused packet, so
	 * that small packets of other callers cannot starve a big one. */
	int claim;			/* its caller, or -1 */
	uint64_t claim_until_ns;	/* it lapses then */
	uint32_t waiting;		/* callers with a refused packet */
	uint32_t want[SHAPE_MAX_WHO];	/* ... and its charge */
};

/* Initialises `s` as unlimited. */
void shape_init(struct shape *s, uint64_t now_ns);

/*
 * Applies a (new) shape, live; c->average 0 means unlimited. The average
 * becomes credit per window for ratelimit_set(): average/g bytes every
 * 1000000/g us, g the largest divisor of 10^6 up to 64 that divides the
 * average (so exact: every KiB/s value gets 15.625 ms windows). From
 * unlimited both buckets start full (a new tc class does too); a change
 * keeps what the buckets hold, up to their new sizes. Returns true if a
 * wait was ended (as ratelimit_set()): waiting callers retry now.
 */
bool shape_set(struct shape *s, const struct shape_conf *c, uint64_t now_ns);

/* Returns true if no shape is in force. */
bool shape_unlimited(const struct shape *s);

/*
 * Charges caller `who`'s packet of `size` bytes. Returns 0 if both buckets
 * had credit (both are charged), or -EAGAIN with *wake_ns, the time to
 * retry, in (now_ns, now_ns + max(window, peak depth)]; nothing is charged
 * then. A retry at or after *wake_ns refills on its own: there is no
 * separate timer call. Sizes beyond a bucket are charged as its size.
 * Several callers (< SHAPE_MAX_WHO) may share the shape, each retrying at
 * the time it was given; a refused packet claims the credit it needs, and
 * the others' packets go only out of credit beyond that claim until it is
 * served (then the claim passes to the next refused caller, round robin),
 * so no size waits forever however the others' sizes run: a 64 KiB GSO
 * frame beside a stream of small ones included.
 */
int shape_consume(struct shape *s, unsigned int who, uint32_t size,
    uint64_t now_ns, uint64_t *wake_ns);

/*
 * Builds a shape from AVERAGE[,PEAK[,BURST]]: decimal numbers in the
 * caller's units (rates in `rate_unit`, sizes in `size_unit`, each times
 * `scale` bytes: 1 for our keys, 1024 for libvirt's KiB), PEAK and BURST
 * may be empty (not given). Refused, with a one-line reason naming the
 * bad part in `err`: anything but digits and commas, more than three
 * fields, an average of 0, a peak below the average (0 included), a burst
 * of 0, a value whose bytes exceed 2^64-1. Returns 0 or -EINVAL (*c then
 * untouched).
 */
int shape_parse(const char *s, uint64_t scale, const char *rate_unit,
    const char *size_unit, struct shape_conf *c, char *err, size_t errlen);

/* "average,peak,burst" in bytes, empty fields for what is not given: the
 * value of our backend key, which shape_parse(.., 1, ..) reads back.
 * Returns the length, or -ENOSPC. */
int shape_format(const struct shape_conf *c, char *buf, size_t len);

#endif
