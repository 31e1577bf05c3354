/*
 * fuzz_rate.c - libFuzzer target: rate limits as text, both forms: xl's
 * rate= (vifspec_parse_rate, an admin's vif= string) and the backend
 * `rate` node "bytes,usec" vifd reads from xenstore (ratelimit_parse),
 * then the credit scheduler charging packet sizes a guest chooses at
 * times the input chooses.
 *
 * The input is a selector, the text (to a NUL), then (size, time step)
 * pairs. Invariants beyond "no crash":
 *  - an accepted rate= has a non-zero interval, and the node text it
 *    becomes (vifspec_rate_format) is read back by ratelimit_parse as
 *    the same numbers whenever they are in the node's range;
 *  - an accepted node value, formatted again, parses to the same
 *    numbers; a refused one has a message and leaves the outputs
 *    untouched;
 *  - ratelimit_consume answers 0, or -EAGAIN with a wake-up time after
 *    now and at most one window later.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/ratelimit.h"
#include "core/vifspec.h"
#include "fuzz.h"

/* The window of a limit, in ns (ratelimit_set's clamp). */
static uint64_t
window_ns(uint64_t usec)
{
	return (usec > RATELIMIT_MAX_USEC ? RATELIMIT_MAX_USEC : usec) * 1000u;
}

/* Charges the input's packet sizes at its times against the limit. */
static void
run_scheduler(struct fz *in, uint64_t bytes, uint64_t usec)
{
	struct ratelimit rl;
	uint64_t now = fz_u32(in), wake = 0, window = window_ns(usec);
	unsigned int i;
	int r;

	ratelimit_init(&rl, now);
	ratelimit_set(&rl, bytes, usec, now);
	for (i = 0; i < 64 && in->n > 0; i++) {
		uint32_t sz = fz_u16(in);

		now += fz_u32(in);
		if (sz == 0xffff) {	/* a live change of the limit */
			bytes = fz_u32(in);
			usec = fz_u32(in);
			ratelimit_set(&rl, bytes, usec, now);
			window = window_ns(usec);
			continue;
		}
		r = ratelimit_consume(&rl, sz, now, &wake);
		if (r == 0)
			continue;
		FZ_CHECK(r == -EAGAIN && wake > now);
		FZ_CHECK(wake - now <= window);
		/* The clock is CLOCK_MONOTONIC's ns: a wait past 2^63 (a
		 * window of centuries) never ends in practice, and the
		 * core's contract stops at 2^64 - 1. */
		if (wake >= (1ull << 63))
			break;
		/* At the window's end the timer refills. */
		FZ_CHECK(ratelimit_refill(&rl, wake, &wake) == 0);
		now = wake;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = { data, size };
	struct vifspec_rate rate;
	uint64_t bytes = 7, usec = 9, b2, u2;
	char text[256], node[64], err[256];
	uint8_t sel = fz_u8(&in);
	int r;

	fz_str(&in, text, sizeof(text));
	err[0] = '\0';
	if (sel & 1) {
		r = vifspec_parse_rate(text, &rate, err, sizeof(err));
		if (r != 0) {
			FZ_CHECK((r == -EINVAL || r == -EOVERFLOW) &&
			    err[0] != '\0');
			return 0;
		}
		FZ_CHECK(rate.interval_usecs != 0);
		FZ_CHECK(vifspec_rate_format(&rate, node, sizeof(node)) > 0);
		r = ratelimit_parse(node, &bytes, &usec, err, sizeof(err));
		if (rate.bytes_per_interval > 0)
			FZ_CHECK(r == 0 && bytes == rate.bytes_per_interval &&
			    usec == rate.interval_usecs);
		else
			FZ_CHECK(r == -EINVAL);
	} else {
		r = ratelimit_parse(text, &bytes, &usec, err, sizeof(err));
		if (r != 0) {
			FZ_CHECK(r == -EINVAL && err[0] != '\0');
			FZ_CHECK(bytes == 7 && usec == 9);
			return 0;
		}
		FZ_CHECK(bytes > 0 && usec > 0 && usec <= RATELIMIT_MAX_USEC);
		snprintf(node, sizeof(node), "%" PRIu64 ",%" PRIu64, bytes,
		    usec);
		FZ_CHECK(ratelimit_parse(node, &b2, &u2, err, sizeof(err)) ==
		    0 && b2 == bytes && u2 == usec);
	}
	run_scheduler(&in, bytes, usec);
	return 0;
}
