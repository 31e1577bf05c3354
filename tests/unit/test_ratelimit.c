/*
 * test_ratelimit.c - the TX credit scheduler with injected time: long-run
 * rate, bursts, large packets on small credit, clocks that go backwards,
 * overflow, live changes of the limit, extreme windows, and the parser of
 * the xenstore `rate` node.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cu_tap.h"
#include "core/ratelimit.h"

#define MS 1000000ull		/* ns */
#define SEC 1000000000ull	/* ns */
#define T0 (100000 * SEC)	/* an arbitrary CLOCK_MONOTONIC start */

/*
 * A queue worker with an always-full TX ring: sends packets whose sizes
 * cycle through `sizes` as fast as the limiter allows, sleeping until the
 * wake-up it is given and then calling ratelimit_refill() as the timerfd
 * handler would. Checks on the way that every wake-up lies in
 * (now, now + window], and that the bytes sent by any time t never exceed
 * the initial credit plus one credit per window elapsed.
 */
struct stream {
	uint64_t now;
	uint64_t sent;		/* bytes */
	uint64_t packets;
	uint64_t max_wait;	/* longest wait of one packet, ns */
	unsigned int bad_wake;	/* wake-ups outside (now, now + window] */
	unsigned int over;	/* times the credit bound was exceeded */
	unsigned int stuck;	/* packets given up after 10^7 refusals */
};

static void
stream_run(struct ratelimit *rl, struct stream *st, const uint32_t *sizes,
    size_t nsizes, uint64_t npackets, uint64_t credit, uint64_t window_ns)
{
	uint64_t t_start = st->now, wake, w2, arrive, i, tries;

	for (i = 0; i < npackets; i++) {
		uint32_t size = sizes[i % nsizes];

		arrive = st->now;
		tries = 0;
		while (ratelimit_consume(rl, size, st->now, &wake) != 0) {
			if (++tries > 10000000) {
				st->stuck++;
				return;
			}
			if (wake <= st->now || wake - st->now > window_ns)
				st->bad_wake++;
			st->now = wake;
			if (ratelimit_refill(rl, st->now, &w2) != 0)
				st->bad_wake++;
		}
		st->sent += size;
		st->packets++;
		if (st->now - arrive > st->max_wait)
			st->max_wait = st->now - arrive;
		if (st->sent > credit * (1 + (st->now - t_start) / window_ns))
			st->over++;
	}
}

/* Long-run rate of a stream over many windows, relative to the limit. */
static double
stream_ratio(uint64_t credit, uint64_t usec, const uint32_t *sizes,
    size_t nsizes, uint64_t windows)
{
	struct ratelimit rl;
	struct stream st = { .now = T0 };
	uint64_t window_ns = usec * 1000, avg = 0, npackets;
	double rate, limit;
	size_t i;

	for (i = 0; i < nsizes; i++)
		avg += sizes[i];
	avg /= nsizes;
	npackets = credit * windows / avg;

	ratelimit_init(&rl, T0);
	ratelimit_set(&rl, credit, usec, T0);
	stream_run(&rl, &st, sizes, nsizes, npackets, credit, window_ns);
	CU_ASSERT_EQUAL(st.bad_wake, 0);
	CU_ASSERT_EQUAL(st.over, 0);
	CU_ASSERT_EQUAL(st.stuck, 0);
	CU_ASSERT(st.now - T0 >= (windows / 2) * window_ns);
	rate = (double)st.sent / (double)(st.now - T0);
	limit = (double)credit / (double)window_ns;
	return rate / limit;
}

static void
test_unlimited(void)
{
	struct ratelimit rl;
	uint64_t wake = 0, w2 = 0;
	struct ratelimit_stats s;
	int i;

	ratelimit_init(&rl, T0);
	CU_ASSERT(ratelimit_unlimited(&rl));
	for (i = 0; i < 100000; i++)
		CU_ASSERT_EQUAL_FATAL(ratelimit_consume(&rl, 65535, T0, &wake), 0);
	CU_ASSERT(!ratelimit_waiting(&rl));
	CU_ASSERT_EQUAL(ratelimit_refill(&rl, T0, &w2), 0);
	ratelimit_get_stats(&rl, T0, &s);
	CU_ASSERT_EQUAL(s.packets_delayed, 0);
	CU_ASSERT_EQUAL(s.bytes_delayed, 0);
	CU_ASSERT_EQUAL(s.throttled_ns, 0);

	/* bytes == 0 or usec == 0 mean unlimited too. */
	ratelimit_set(&rl, 0, 50000, T0);
	CU_ASSERT(ratelimit_unlimited(&rl));
	ratelimit_set(&rl, 1000, 0, T0);
	CU_ASSERT(ratelimit_unlimited(&rl));
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 65535, T0, &wake), 0);
}

static void
test_steady_rate(void)
{
	static const uint32_t mtu[] = { 1514 };
	static const uint32_t gso[] = { 65535 };
	static const uint32_t mixed[] = { 1514, 65535, 60, 9000, 1514, 1514 };
	static const struct {
		uint64_t bytes, usec;
	} lim[] = {
		{ 62500, 50000 },	/* 10Mb/s@50ms */
		{ 20000, 20000 },	/* 1MB/s@20ms */
		{ 25000, 20000 },	/* 10Mb/s@20ms */
		{ 150000, 50000 },	/* 3MB/s */
		{ 100000, 50000 },	/* 16Mb/s, 2MB/s */
		{ 5000, 1000 },		/* 5 MB/s in 1 ms windows */
		{ 1000, 10000 },	/* 100 kB/s: every 64 KiB frame waits */
	};
	size_t i;
	double r;

	for (i = 0; i < sizeof(lim) / sizeof(lim[0]); i++) {
		/*
		 * Linux's cap, max(131072, bytes), discards each window the
		 * credit left over below the next packet when bytes exceeds
		 * 131072 - 65535: with 64 KiB frames the long-run rate may
		 * then fall short by up to 65535 / bytes. Below that, the
		 * rate is exact.
		 */
		bool tight = lim[i].bytes <= RATELIMIT_BURST_FLOOR - 65535;
		double lo = tight ? 0.99 : 1.0 - 65535.0 / lim[i].bytes - 0.01;

		r = stream_ratio(lim[i].bytes, lim[i].usec, mtu, 1, 2000);
		CU_ASSERT(r > 0.99 && r < 1.01);
		if (!(r > 0.99 && r < 1.01))
			printf("# %llu,%llu 1514 B: ratio %f\n",
			    (unsigned long long)lim[i].bytes,
			    (unsigned long long)lim[i].usec, r);
		r = stream_ratio(lim[i].bytes, lim[i].usec, gso, 1,
		    lim[i].bytes < 65535 ? 20000 : 2000);
		CU_ASSERT(r > lo && r < 1.01);
		if (!(r > lo && r < 1.01))
			printf("# %llu,%llu 64 KiB: ratio %f\n",
			    (unsigned long long)lim[i].bytes,
			    (unsigned long long)lim[i].usec, r);
		r = stream_ratio(lim[i].bytes, lim[i].usec, mixed, 6, 5000);
		CU_ASSERT(r > lo && r < 1.01);
		if (!(r > lo && r < 1.01))
			printf("# %llu,%llu mixed: ratio %f\n",
			    (unsigned long long)lim[i].bytes,
			    (unsigned long long)lim[i].usec, r);
	}
}

static void
test_burst_at_start(void)
{
	struct ratelimit rl;
	uint64_t wake = 0, sent = 0;

	ratelimit_init(&rl, T0);
	ratelimit_set(&rl, 10000, 20000, T0);
	/* Exactly one window's credit passes at once (Linux: remaining =
	 * credit_bytes at connect), then the queue waits for the window. */
	while (ratelimit_consume(&rl, 100, T0, &wake) == 0)
		sent += 100;
	CU_ASSERT_EQUAL(sent, 10000);
	CU_ASSERT_EQUAL(wake, T0 + 20 * MS);
	CU_ASSERT(ratelimit_waiting(&rl));
	/* Still waiting a bit later: the same wake-up. */
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 100, T0 + MS, &wake), -EAGAIN);
	CU_ASSERT_EQUAL(wake, T0 + 20 * MS);

	/* After an idle hour, no more than what was left plus the burst
	 * allowance goes at once (max(131072, bytes), Linux's cap on any
	 * credit): unused credit does not pile up beyond it. The windows
	 * stay on their schedule. */
	ratelimit_init(&rl, T0);
	ratelimit_set(&rl, 10000, 20000, T0);
	sent = 0;
	while (ratelimit_consume(&rl, 100, T0 + 3600 * SEC, &wake) == 0)
		sent += 100;
	CU_ASSERT_EQUAL(sent, 10000 + RATELIMIT_BURST_FLOOR / 100 * 100);
	CU_ASSERT_EQUAL(wake, T0 + 3600 * SEC + 20 * MS);
	/* Two and a half windows idle: two windows' credit is owed. */
	ratelimit_init(&rl, T0);
	ratelimit_set(&rl, 10000, 20000, T0);
	sent = 0;
	while (ratelimit_consume(&rl, 100, T0, &wake) == 0)
		sent += 100;
	while (ratelimit_consume(&rl, 100, T0 + 50 * MS, &wake) == 0)
		sent += 100;
	CU_ASSERT_EQUAL(sent, 10000 + 20000);
	CU_ASSERT_EQUAL(wake, T0 + 60 * MS);
}

static void
test_large_packet_small_credit(void)
{
	static const uint32_t sizes[] = { 65535, 131072, 200000, UINT32_MAX };
	struct ratelimit rl;
	struct stream st = { .now = T0 };
	uint64_t window = 1 * MS;
	size_t i;

	ratelimit_init(&rl, T0);
	ratelimit_set(&rl, 1000, 1000, T0);
	/* 64 KiB on 1000 B per window: passes after ceil(65535/1000) windows
	 * at most, again and again. */
	stream_run(&rl, &st, sizes, 1, 50, 1000, window);
	CU_ASSERT_EQUAL(st.packets, 50);
	CU_ASSERT_EQUAL(st.stuck, 0);
	CU_ASSERT_EQUAL(st.bad_wake, 0);
	CU_ASSERT_EQUAL(st.over, 0);
	CU_ASSERT(st.max_wait <= 66 * window);
	CU_ASSERT(st.max_wait >= 64 * window);

	/* Sizes netif cannot produce are charged as the burst: they pass. */
	for (i = 1; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(&st, 0, sizeof(st));
		st.now = T0;
		ratelimit_init(&rl, T0);
		ratelimit_set(&rl, 1000, 1000, T0);
		stream_run(&rl, &st, &sizes[i], 1, 3, 1000, window);
		CU_ASSERT_EQUAL(st.packets, 3);
		CU_ASSERT(st.max_wait <= 132 * window);
	}
}

/* Retrying at the wake-up without calling ratelimit_refill() works too. */
static void
test_retry_without_refill(void)
{
	struct ratelimit rl;
	uint64_t now = T0, wake = 0, sent = 0;
	int n = 0;

	ratelimit_init(&rl, T0);
	ratelimit_set(&rl, 3000, 1000, T0);
	while (now < T0 + 1000 * MS && n++ < 100000) {
		if (ratelimit_consume(&rl, 1514, now, &wake) == 0)
			sent += 1514;
		else
			now = wake;
	}
	CU_ASSERT(now >= T0 + 1000 * MS);
	/* 1000 windows of 3000 B (+ the first) */
	CU_ASSERT(sent <= 1001 * 3000);
	CU_ASSERT(sent >= 990 * 3000);
}

static void
test_clock_backwards(void)
{
	struct ratelimit rl;
	uint64_t wake = 0, w2 = 0, now, window = 20 * MS, x = 1;
	int i, rc;

	ratelimit_init(&rl, T0);
	ratelimit_set(&rl, 20000, 20000, T0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 20000, T0, &wake), 0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1514, T0, &wake), -EAGAIN);
	CU_ASSERT_EQUAL(wake, T0 + window);

	/* The clock jumps back 100 s while waiting: the wake-up is pulled in
	 * to one window from the new now, not 100 s away. */
	now = T0 - 100 * SEC;
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1514, now, &wake), -EAGAIN);
	CU_ASSERT(wake > now && wake <= now + window);
	CU_ASSERT_EQUAL(ratelimit_refill(&rl, now + 1, &w2), -EAGAIN);
	CU_ASSERT(w2 > now && w2 <= now + window);
	CU_ASSERT_EQUAL(ratelimit_refill(&rl, w2, &w2), 0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1514, w2, &wake), 0);
	CU_ASSERT(rl.remaining <= 20000);

	/* Not waiting, window start now in the "future": same bound. */
	ratelimit_init(&rl, T0);
	ratelimit_set(&rl, 1000, 20000, T0);
	now = T0 - 3600 * SEC;
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1514, now, &wake), -EAGAIN);
	CU_ASSERT(wake > now && wake <= now + window);

	/* A clock that wanders back and forth: no crash, credit never above
	 * the burst cap, every wake-up within one window, and the queue keeps
	 * moving. */
	ratelimit_init(&rl, T0);
	ratelimit_set(&rl, 5000, 20000, T0);
	now = T0;
	for (i = 0; i < 200000; i++) {
		uint64_t r;

		x = x * 6364136223846793005ull + 1442695040888963407ull;
		r = x >> 16;
		if (r % 7 == 0)
			now -= r % (20 * MS);	/* back by up to 20 ms */
		else if (r % 1001 == 0)
			now -= r % SEC;	/* rarely, by up to 1 s */
		else
			now += r % (5 * MS);
		rc = ratelimit_consume(&rl, (uint32_t)(1 + (r >> 5) % 65535), now,
		    &wake);
		if (rc != 0) {
			CU_ASSERT_FATAL(rc == -EAGAIN);
			CU_ASSERT_FATAL(wake > now && wake <= now + window);
			if (r % 3 == 0)
				ratelimit_refill(&rl, now, &w2);
		}
		CU_ASSERT_FATAL(rl.remaining <= RATELIMIT_BURST_FLOOR);
	}
	/* With a sane clock again, a 64 KiB frame passes within 14 windows. */
	for (i = 0; i < 20 && ratelimit_consume(&rl, 65535, now, &wake) != 0;
	    i++) {
		now = wake;
		ratelimit_refill(&rl, now, &w2);
	}
	CU_ASSERT(i <= 14);
	CU_ASSERT(!ratelimit_waiting(&rl));
}

static void
test_overflow(void)
{
	struct ratelimit rl;
	uint64_t wake = 0, w2 = 0, now;
	int i;

	/* Huge credit: the saturating add never wraps to a small value. */
	ratelimit_init(&rl, T0);
	ratelimit_set(&rl, UINT64_MAX - 1, 1000, T0);
	CU_ASSERT(!ratelimit_unlimited(&rl));
	for (i = 0; i < 1000; i++)
		CU_ASSERT_EQUAL_FATAL(ratelimit_consume(&rl, 65535, T0, &wake), 0);
	CU_ASSERT(rl.remaining > UINT64_MAX / 2);
	ratelimit_set(&rl, UINT64_MAX - 1, 1000, T0);	/* same: no change */
	rl.remaining = UINT64_MAX - 10;
	rl.waiting = true;
	rl.wake_ns = T0;
	CU_ASSERT_EQUAL(ratelimit_refill(&rl, T0, &w2), 0);
	CU_ASSERT_EQUAL(rl.remaining, UINT64_MAX - 1);	/* capped, not wrapped */

	/* Huge windows: 2^64-1 us is clamped to what fits in ns. */
	ratelimit_init(&rl, T0);
	ratelimit_set(&rl, 1000, UINT64_MAX, T0);
	CU_ASSERT_EQUAL(rl.usec, RATELIMIT_MAX_USEC);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1000, T0, &wake), 0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1000, T0, &wake), -EAGAIN);
	CU_ASSERT_EQUAL(wake, UINT64_MAX);	/* T0 + window saturates */
	/* ... and the wake-up saturates near the end of time. */
	now = UINT64_MAX - 5;
	ratelimit_init(&rl, now);
	ratelimit_set(&rl, 1000, RATELIMIT_MAX_USEC, now);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1000, now, &wake), 0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1000, now, &wake), -EAGAIN);
	CU_ASSERT_EQUAL(wake, UINT64_MAX);
	CU_ASSERT_EQUAL(ratelimit_refill(&rl, UINT64_MAX, &w2), 0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1000, UINT64_MAX, &wake), 0);

	/* Both at 2^64-1. */
	ratelimit_init(&rl, T0);
	ratelimit_set(&rl, UINT64_MAX, UINT64_MAX, T0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, UINT32_MAX, T0, &wake), 0);
}

static void
test_change_mid_window(void)
{
	struct ratelimit rl;
	uint64_t wake = 0;

	/* Waiting: the new limit releases the queue now. */
	ratelimit_init(&rl, T0);
	ratelimit_set(&rl, 1000, 50000, T0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1514, T0, &wake), -EAGAIN);
	CU_ASSERT(ratelimit_waiting(&rl));
	/* The same limit again (a spurious watch event) changes nothing. */
	CU_ASSERT_FALSE(ratelimit_set(&rl, 1000, 50000, T0 + MS));
	CU_ASSERT(ratelimit_waiting(&rl));
	CU_ASSERT_TRUE(ratelimit_set(&rl, 100000, 50000, T0 + 2 * MS));
	CU_ASSERT(!ratelimit_waiting(&rl));
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1514, T0 + 2 * MS, &wake), 0);
	/* The new window started at the change. */
	while (ratelimit_consume(&rl, 1514, T0 + 2 * MS, &wake) == 0)
		;
	CU_ASSERT_EQUAL(wake, T0 + 52 * MS);

	/* Not waiting: the remaining credit is clamped to the new credit. */
	ratelimit_init(&rl, T0);
	ratelimit_set(&rl, 10000, 50000, T0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1000, T0, &wake), 0);
	CU_ASSERT_FALSE(ratelimit_set(&rl, 5000, 50000, T0 + MS));
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 5000, T0 + MS, &wake), 0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1, T0 + MS, &wake), -EAGAIN);
	/* A higher limit does not raise what is left of this window. */
	ratelimit_init(&rl, T0);
	ratelimit_set(&rl, 10000, 50000, T0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 4000, T0, &wake), 0);
	ratelimit_set(&rl, 20000, 50000, T0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 6000, T0, &wake), 0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1, T0, &wake), -EAGAIN);

	/* Waiting, then unlimited: released. */
	CU_ASSERT_TRUE(ratelimit_set(&rl, 0, 0, T0 + MS));
	CU_ASSERT(ratelimit_unlimited(&rl));
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 65535, T0 + MS, &wake), 0);
	/* Unlimited, then limited: one window's credit. */
	CU_ASSERT_FALSE(ratelimit_set(&rl, 3000, 1000, T0 + 2 * MS));
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 3000, T0 + 2 * MS, &wake), 0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1, T0 + 2 * MS, &wake), -EAGAIN);
}

static void
test_one_us_window(void)
{
	static const uint32_t mtu[] = { 1514 };
	struct ratelimit rl;
	uint64_t wake = 0;
	double r;

	/* "1,1": 1 MB/s in 1 us windows; Linux would make it unlimited. */
	ratelimit_init(&rl, T0);
	ratelimit_set(&rl, 1, 1, T0);
	CU_ASSERT(!ratelimit_unlimited(&rl));
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1514, T0, &wake), -EAGAIN);
	CU_ASSERT_EQUAL(wake, T0 + 1000);
	r = stream_ratio(1, 1, mtu, 1, 200000);
	CU_ASSERT(r > 0.99 && r < 1.01);
	r = stream_ratio(100, 1, mtu, 1, 20000);	/* 100 MB/s */
	CU_ASSERT(r > 0.99 && r < 1.01);
}

static void
test_hours_window(void)
{
	static const uint32_t gso[] = { 65535 };
	struct ratelimit rl;
	uint64_t wake = 0, hour = 3600 * SEC;
	double r;

	/* 1 GB per hour. */
	ratelimit_init(&rl, T0);
	ratelimit_set(&rl, 1000000000, 3600000000ull, T0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1000000000 - 10, T0, &wake), 0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1514, T0, &wake), -EAGAIN);
	CU_ASSERT_EQUAL(wake, T0 + hour);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1514, T0 + hour - 1, &wake),
	    -EAGAIN);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1514, T0 + hour, &wake), 0);
	r = stream_ratio(1000000000, 3600000000ull, gso, 1, 200);
	CU_ASSERT(r > 0.99 && r < 1.01);
	/* Ten days per window. */
	r = stream_ratio(60000, 864000000000ull, gso, 1, 200);
	CU_ASSERT(r > 0.99 && r < 1.01);
}

static void
test_stats(void)
{
	struct ratelimit rl;
	struct ratelimit_stats s;
	uint64_t wake = 0, w2 = 0;

	ratelimit_init(&rl, T0);
	ratelimit_set(&rl, 1000, 1000, T0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1000, T0, &wake), 0);
	/* One packet refused three times counts once. */
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1500, T0, &wake), -EAGAIN);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1500, T0 + 10, &wake), -EAGAIN);
	ratelimit_get_stats(&rl, T0 + 500000, &s);
	CU_ASSERT_EQUAL(s.packets_delayed, 1);
	CU_ASSERT_EQUAL(s.bytes_delayed, 1500);
	CU_ASSERT_EQUAL(s.throttled_ns, 500000);	/* still waiting */
	CU_ASSERT_EQUAL(ratelimit_refill(&rl, wake, &w2), 0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1500, wake, &wake), -EAGAIN);
	CU_ASSERT_EQUAL(ratelimit_refill(&rl, wake, &w2), 0);
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 1500, wake, &w2), 0);
	ratelimit_get_stats(&rl, wake + 12345, &s);
	CU_ASSERT_EQUAL(s.packets_delayed, 1);
	CU_ASSERT_EQUAL(s.bytes_delayed, 1500);
	CU_ASSERT_EQUAL(s.throttled_ns, 2 * MS);
	/* A second delayed packet adds to the counters. */
	CU_ASSERT_EQUAL(ratelimit_consume(&rl, 900, wake, &w2), -EAGAIN);
	ratelimit_get_stats(&rl, wake, &s);
	CU_ASSERT_EQUAL(s.packets_delayed, 2);
	CU_ASSERT_EQUAL(s.bytes_delayed, 2400);
}

struct parse_case {
	const char *s;
	int rc;
	uint64_t bytes, usec;
	const char *why;	/* substring of the message on error */
};

static void
test_parse(void)
{
	static const struct parse_case cases[] = {
		{ "62500,50000", 0, 62500, 50000, NULL },
		{ "20000,20000", 0, 20000, 20000, NULL },
		{ "1,1", 0, 1, 1, NULL },
		{ "007,010", 0, 7, 10, NULL },	/* decimal, not octal */
		{ "18446744073709551615,18446744073709551", 0, UINT64_MAX,
		    RATELIMIT_MAX_USEC, NULL },
		{ "", -EINVAL, 0, 0, "decimal" },
		{ ",", -EINVAL, 0, 0, "decimal" },
		{ "1,", -EINVAL, 0, 0, "decimal" },
		{ ",1", -EINVAL, 0, 0, "decimal" },
		{ "1", -EINVAL, 0, 0, "missing" },
		{ " 1,1", -EINVAL, 0, 0, "decimal" },
		{ "1 ,1", -EINVAL, 0, 0, "decimal" },
		{ "1, 1", -EINVAL, 0, 0, "decimal" },
		{ "1,1 ", -EINVAL, 0, 0, "trailing" },
		{ "1,1\n", -EINVAL, 0, 0, "trailing" },
		{ "+1,1", -EINVAL, 0, 0, "decimal" },
		{ "-1,1", -EINVAL, 0, 0, "decimal" },
		{ "1,-1", -EINVAL, 0, 0, "decimal" },
		{ "1,+1", -EINVAL, 0, 0, "decimal" },
		{ "1;1", -EINVAL, 0, 0, "decimal" },
		{ "1,1,1", -EINVAL, 0, 0, "trailing" },
		{ "1,1x", -EINVAL, 0, 0, "trailing" },
		{ "0x10,1", -EINVAL, 0, 0, "decimal" },
		{ "10MB/s,1", -EINVAL, 0, 0, "decimal" },
		{ "1,0", -EINVAL, 0, 0, "zero interval" },
		{ "1,000", -EINVAL, 0, 0, "zero interval" },
		{ "0,50000", -EINVAL, 0, 0, "zero bytes" },
		{ "18446744073709551616,1", -EINVAL, 0, 0, "2^64" },
		{ "99999999999999999999999999,1", -EINVAL, 0, 0, "2^64" },
		{ "1,18446744073709551616", -EINVAL, 0, 0, "2^64" },
		{ "1,18446744073709552", -EINVAL, 0, 0, "too long" },
		{ "1,18446744073709551615", -EINVAL, 0, 0, "too long" },
	};
	char err[128];
	uint64_t b, u;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b = u = 42;
		memset(err, 'x', sizeof(err));
		rc = ratelimit_parse(cases[i].s, &b, &u, err, sizeof(err));
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (rc != cases[i].rc)
			printf("# \"%s\": rc %d (%s)\n", cases[i].s, rc, err);
		if (cases[i].rc == 0) {
			CU_ASSERT_EQUAL(b, cases[i].bytes);
			CU_ASSERT_EQUAL(u, cases[i].usec);
			CU_ASSERT_EQUAL(err[0], '\0');
		} else {
			/* Untouched, so the caller keeps its old limit. */
			CU_ASSERT_EQUAL(b, 42);
			CU_ASSERT_EQUAL(u, 42);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, cases[i].why));
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "rate \""));
			if (strstr(err, cases[i].why) == NULL)
				printf("# \"%s\": %s\n", cases[i].s, err);
		}
	}
}

static void
test_parse_hostile(void)
{
	char big[5000], err[64], small[8];
	uint64_t b = 7, u = 7;
	uint32_t x = 12345;
	size_t i, j, len;
	int rc;

	/* A long value is cut in the message; unprintables become '?'. */
	memset(big, '9', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_EQUAL(ratelimit_parse(big, &b, &u, err, sizeof(err)), -EINVAL);
	CU_ASSERT(strlen(err) < sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "..."));
	CU_ASSERT_EQUAL(ratelimit_parse("1,\x01\x7f", &b, &u, err, sizeof(err)),
	    -EINVAL);
	CU_ASSERT_PTR_NULL(strchr(err, '\x01'));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "1,??"));
	/* Tiny or no error buffer. */
	CU_ASSERT_EQUAL(ratelimit_parse("x", &b, &u, small, sizeof(small)),
	    -EINVAL);
	CU_ASSERT_EQUAL(strlen(small), sizeof(small) - 1);
	CU_ASSERT_EQUAL(ratelimit_parse("x", &b, &u, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(ratelimit_parse("5,6", &b, &u, NULL, 0), 0);
	CU_ASSERT_EQUAL(b, 5);

	/* Random strings over an alphabet that hits every branch: whatever
	 * is accepted is exactly "<digits>,<digits>". */
	for (i = 0; i < 20000; i++) {
		static const char alpha[] = "0123456789,, -+x\n";
		char s[32];

		len = (x >> 3) % 30;
		for (j = 0; j < len; j++) {
			x = x * 1103515245u + 12345u;
			s[j] = alpha[(x >> 16) % (sizeof(alpha) - 1)];
		}
		s[len] = '\0';
		x = x * 1103515245u + 12345u;
		rc = ratelimit_parse(s, &b, &u, err, sizeof(err));
		if (rc == 0) {
			unsigned long long bb, uu;
			int n = -1;

			CU_ASSERT_FATAL(strspn(s, "0123456789,") == len);
			CU_ASSERT_FATAL(sscanf(s, "%llu,%llu%n", &bb, &uu, &n) == 2);
			CU_ASSERT_FATAL(n == (int)len);
			CU_ASSERT_FATAL(bb == b && uu == u && b > 0 && u > 0);
		} else {
			CU_ASSERT_FATAL(rc == -EINVAL);
			CU_ASSERT_FATAL(err[0] != '\0');
		}
	}
}

/*
 * A backlogged queue whose timer always fires late (by 1.5 windows, as a
 * busy host's userspace wakeups can): the windows that passed meanwhile
 * are owed, so the long-run rate stays the limit instead of dropping to a
 * fraction of it. Also: no more than the burst allowance at once.
 */
static void
test_late_timer(void)
{
	struct ratelimit rl;
	const uint64_t credit = 20000, window_ns = 20000000ull;	/* 1MB/s@20ms */
	uint64_t now = T0, wake, w2, sent = 0, end;
	double rate;

	ratelimit_init(&rl, now);
	ratelimit_set(&rl, credit, window_ns / 1000, now);
	end = now + 200 * window_ns;
	while (now < end) {
		if (ratelimit_consume(&rl, 1514, now, &wake) == 0) {
			sent += 1514;
			continue;
		}
		/* The timer is due at `wake`; it runs 30 ms late. */
		now = wake + 3 * window_ns / 2;
		CU_ASSERT_EQUAL_FATAL(ratelimit_refill(&rl, now, &w2), 0);
		CU_ASSERT(rl.remaining <= RATELIMIT_BURST_FLOOR);
	}
	rate = (double)sent / (double)(now - T0) * 1e9;
	CU_ASSERT(rate > 0.97e6 && rate < 1.03e6);
}

static CU_TestInfo ratelimit_tests[] = {
	{ "a timer that fires late still gives the rate", test_late_timer },
	{ "unlimited", test_unlimited },
	{ "steady state long-run rate", test_steady_rate },
	{ "burst at start and after idle", test_burst_at_start },
	{ "packet larger than a window's credit", test_large_packet_small_credit },
	{ "retry at the wake-up without refill", test_retry_without_refill },
	{ "clock going backwards", test_clock_backwards },
	{ "overflow of credit and window", test_overflow },
	{ "rate change mid-window", test_change_mid_window },
	{ "1 us window", test_one_us_window },
	{ "window of hours", test_hours_window },
	{ "statistics", test_stats },
	{ "parser table", test_parse },
	{ "parser hostile input", test_parse_hostile },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "ratelimit", NULL, NULL, NULL, NULL, ratelimit_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
