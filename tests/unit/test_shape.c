/*
 * test_shape.c - the two-rate bucket of libvirt's average, peak and burst
 * with injected time: the average alone, the peak capping a burst, the
 * burst spent and refilled at the average, live changes, several queues
 * sharing one bucket, huge values and overflow, frames up to and beyond
 * 64 KiB, clocks going backwards, and the parser of our keys and of
 * vifctl's KiB form.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cu_tap.h"
#include "core/shape.h"

#define MS 1000000ull		/* ns */
#define SEC 1000000000ull	/* ns */
#define T0 (100000 * SEC)	/* an arbitrary CLOCK_MONOTONIC start */
#define KIB 1024ull

/* The longest wait shape_consume may ask for: a window (at most 1 s) or
 * the peak bucket's depth. */
static uint64_t
max_wait_ns(const struct shape_conf *c)
{
	uint64_t d = c->peak ? RATELIMIT_BURST_FLOOR * SEC / c->peak + 1 : 0;

	if (d < SHAPE_PEAK_DEPTH_NS)
		d = SHAPE_PEAK_DEPTH_NS;
	return d > SEC ? d : SEC;
}

/*
 * A sender with an endless backlog of `size`-byte frames, sending as fast
 * as the shape allows from *now until `end`: bytes sent, with every
 * wake-up checked to lie in (now, now + max_wait_ns].
 */
static unsigned int bad_wakes;

static uint64_t
saturate(struct shape *s, const struct shape_conf *c, uint32_t size,
    uint64_t *now, uint64_t end)
{
	uint64_t sent = 0, wake;

	while (*now < end) {
		if (shape_consume(s, 0, size, *now, &wake) == 0) {
			sent += size;
			continue;
		}
		if (wake <= *now || wake - *now > max_wait_ns(c))
			bad_wakes++;
		*now = wake;
	}
	return sent;
}

/* Spends what the buckets hold at `now`, `size` bytes at a time. */
static void
drain(struct shape *s, uint32_t size, uint64_t now)
{
	uint64_t wake;

	while (shape_consume(s, 0, size, now, &wake) == 0)
		;
}

/* No shape: everything goes, at once. */
static void
test_unlimited(void)
{
	struct shape s;
	uint64_t wake = 7;
	int i;

	shape_init(&s, T0);
	CU_ASSERT(shape_unlimited(&s));
	for (i = 0; i < 1000; i++)
		CU_ASSERT_EQUAL(shape_consume(&s, 0, 65536, T0, &wake), 0);
	CU_ASSERT_EQUAL(wake, 7);
}

/* Only an average (and netback's allowance): the long-run rate is the
 * average, to the byte over whole windows, for KiB values and odd ones. */
static void
test_average_only(void)
{
	static const uint64_t avgs[] = { 1000 * KIB, 1250000, 999999, 64 };
	struct shape_conf c = { 0, 0, 0 };
	struct shape s;
	uint64_t now, sent, start;
	size_t i;
	double r;

	for (i = 0; i < sizeof(avgs) / sizeof(avgs[0]); i++) {
		c.average = avgs[i];
		shape_init(&s, T0);
		shape_set(&s, &c, T0);
		now = T0;
		bad_wakes = 0;
		/* Spend what the new limit starts with, then measure. */
		drain(&s, 1, now);
		start = now;
		sent = saturate(&s, &c, avgs[i] > 100000 ? 1514 : 1, &now,
		    start + 200 * SEC);
		r = (double)sent / ((double)(now - start) / 1e9) /
		    (double)avgs[i];
		CU_ASSERT(r > 0.99 && r < 1.01);
		if (!(r > 0.99 && r < 1.01))
			printf("# average %llu: %.4f\n",
			    (unsigned long long)avgs[i], r);
		CU_ASSERT_EQUAL(bad_wakes, 0);
	}
}

/*
 * Average 1 MiB/s, peak 4 MiB/s, burst 6 MiB from a full bucket: the
 * first 2 s (burst / (peak - average)) go at the peak, then the average;
 * over any 100 ms of the burst no more than the peak's worth plus the
 * peak bucket; the bytes above the average come to the burst.
 */
static void
test_peak_and_burst(void)
{
	const uint64_t A = 1024 * KIB, P = 4096 * KIB, B = 6144 * KIB;
	struct shape_conf c = { A, P, B };
	struct shape s;
	uint64_t now = T0, t, sent = 0, chunk, over;
	double r;

	shape_init(&s, T0);
	shape_set(&s, &c, T0);
	bad_wakes = 0;
	/* 100 ms slices through the burst: each at the peak. */
	for (t = 0; t < 19; t++) {
		chunk = saturate(&s, &c, 1514, &now, T0 + (t + 1) * 100 * MS);
		sent += chunk;
		if (t == 0)
			continue;	/* includes the full peak bucket */
		r = (double)chunk / 0.1 / (double)P;
		CU_ASSERT(r > 0.97 && r < 1.03);
		if (!(r > 0.97 && r < 1.03))
			printf("# slice %llu: %.3f of the peak\n",
			    (unsigned long long)t, r);
	}
	/* Until 10 s: the rest of the burst, then the average. */
	sent += saturate(&s, &c, 1514, &now, T0 + 10 * SEC);
	over = sent - A * (now - T0) / SEC;
	r = (double)over / (double)B;
	CU_ASSERT(r > 0.98 && r < 1.03);
	printf("# above the average in 10 s: %.4f of the burst\n", r);
	/* After the burst: the average. */
	t = now;
	chunk = saturate(&s, &c, 1514, &now, t + 5 * SEC);
	r = (double)chunk / ((double)(now - t) / 1e9) / (double)A;
	CU_ASSERT(r > 0.99 && r < 1.01);
	CU_ASSERT_EQUAL(bad_wakes, 0);
}

/* An idle spell refills the burst at the average: 3 s idle after the
 * burst is spent gives back 3 MiB, 10 s all of it (and no more); idle
 * time on a full bucket banks nothing. */
static void
test_burst_refill(void)
{
	const uint64_t A = 1024 * KIB, P = 8192 * KIB, B = 4096 * KIB;
	struct shape_conf c = { A, P, B };
	struct shape s;
	uint64_t now = T0, t, sent;
	double r;

	shape_init(&s, T0);
	shape_set(&s, &c, T0);
	/* Idle 5 s on a full bucket banks nothing more: one burst. */
	now += 5 * SEC;
	t = now;
	sent = saturate(&s, &c, 1514, &now, t + 5 * SEC);
	r = (double)(sent - 5 * A) / (double)B;
	CU_ASSERT(r > 0.98 && r < 1.02);
	printf("# after idling full: %.4f of the burst above the average\n", r);
	/* Idle 3 s: 3 MiB of burst back. */
	now += 3 * SEC;
	t = now;
	sent = saturate(&s, &c, 1514, &now, t + 3 * SEC);
	r = (double)(sent - 3 * A) / (double)(3 * A);
	CU_ASSERT(r > 0.95 && r < 1.05);
	printf("# after 3 s idle: %.3f of 3 s of average above the average\n",
	    r);
	/* Idle 10 s: the whole burst, capped. */
	now += 10 * SEC;
	t = now;
	sent = saturate(&s, &c, 1514, &now, t + 4 * SEC);
	r = (double)(sent - 4 * A) / (double)B;
	CU_ASSERT(r > 0.97 && r < 1.03);
}

/* A peak equal to the average: no burst goes faster than the average. */
static void
test_peak_equals_average(void)
{
	const uint64_t A = 2048 * KIB;
	struct shape_conf c = { A, A, 8192 * KIB };
	struct shape s;
	uint64_t now = T0, sent;
	double r;

	shape_init(&s, T0);
	shape_set(&s, &c, T0);
	drain(&s, 1514, now);
	sent = saturate(&s, &c, 1514, &now, now + 2 * SEC);
	r = (double)sent / 2.0 / (double)A;
	CU_ASSERT(r > 0.98 && r < 1.02);
}

/* Live changes: waits end, banked credit carries over (up to the new
 * burst), to unlimited lets everything through, back starts full. */
static void
test_live_change(void)
{
	const uint64_t A = 1024 * KIB;
	struct shape_conf c = { A, 4 * A, 4 * A }, none = { 0, 0, 0 };
	struct shape s;
	uint64_t now = T0, wake, sent;
	double r;

	shape_init(&s, T0);
	shape_set(&s, &c, now);
	/* Spend half the burst. */
	(void)saturate(&s, &c, 1514, &now, T0 + 666 * MS);
	/* A bigger burst and peak: what is banked (about 2 MiB) stays. */
	c.peak = 16 * A;
	c.burst = 16 * A;
	CU_ASSERT_FALSE(shape_set(&s, &c, now));
	sent = saturate(&s, &c, 1514, &now, now + 2 * SEC);
	r = (double)(sent - 2 * A) / (double)(2 * A);
	CU_ASSERT(r > 0.85 && r < 1.15);
	printf("# banked credit carried over: %.3f of 2 MiB\n", r);
	/* While waiting, a change ends the wait (ratelimit_set's rule). */
	c.peak = 0;
	c.burst = 0;
	shape_set(&s, &c, now);
	drain(&s, 1514, now);
	c.average = 2 * A;
	CU_ASSERT(shape_set(&s, &c, now));
	CU_ASSERT_EQUAL(shape_consume(&s, 0, 1514, now, &wake), 0);
	/* To unlimited: anything, at once. */
	(void)shape_set(&s, &none, now);
	CU_ASSERT(shape_unlimited(&s));
	CU_ASSERT_EQUAL(shape_consume(&s, 0, 65536, now, &wake), 0);
	/* Back to a shape: the buckets start full. */
	c.average = A;
	c.peak = 4 * A;
	c.burst = 8 * A;
	shape_set(&s, &c, now);
	sent = saturate(&s, &c, 1514, &now, now + 4 * SEC);
	r = (double)(sent - 4 * A) / (double)(8 * A);
	CU_ASSERT(r > 0.97 && r < 1.03);
	/* A smaller burst cuts what is banked. */
	now += 100 * SEC;
	c.burst = 1 * A;
	shape_set(&s, &c, now);
	sent = saturate(&s, &c, 1514, &now, now + 2 * SEC);
	r = (double)(sent - 2 * A) / (double)A;
	CU_ASSERT(r > 0.9 && r < 1.1);
}

/* Two queues' workers charge one bucket in turn, each retrying at its
 * own wake-up: together they get the average (not twice it), and the
 * queue of 64 KiB frames is not starved by the one of small frames that
 * always comes first (the claim): each of its frames waits a bounded
 * time and it gets a fair part of the bytes. */
static void
test_shared_by_queues(void)
{
	const uint64_t A = 1024 * KIB;
	static const uint32_t size[2] = { 1514, 65535 };
	struct shape_conf c = { A, 2 * A, 512 * KIB };
	struct shape s;
	uint64_t now = T0, wake[2] = { T0, T0 }, sent[2] = { 0, 0 }, w;
	uint64_t since[2] = { T0, T0 }, longest[2] = { 0, 0 };
	uint64_t end = T0 + 20 * SEC, t;
	unsigned int q;
	double r;

	shape_init(&s, T0);
	shape_set(&s, &c, T0);
	while (now < end) {
		/* The worker due first runs; ties: the small frames. */
		q = wake[1] < wake[0];
		now = wake[q];
		if (shape_consume(&s, q, size[q], now, &w) == 0) {
			sent[q] += size[q];
			if (now - since[q] > longest[q])
				longest[q] = now - since[q];
			since[q] = now;
		} else {
			CU_ASSERT_FATAL(w > now);
			wake[q] = w;
		}
	}
	t = sent[0] + sent[1] - 512 * KIB;
	r = (double)t / 20.0 / (double)A;
	CU_ASSERT(r > 0.98 && r < 1.02);
	CU_ASSERT(sent[0] > 2 * A && sent[1] > 2 * A);
	CU_ASSERT(longest[1] < 200 * MS);
	printf("# two queues: %.4f of the average, %llu + %llu bytes, longest "
	    "wait of a 64 KiB frame %.1f ms\n", r, (unsigned long long)sent[0],
	    (unsigned long long)sent[1], (double)longest[1] / 1e6);
}

/* Frames of any size pass eventually, however small the limits: a
 * 64 KiB GSO frame, an RX frame of 66048, even 4 GiB (charged as the
 * bucket). */
static void
test_big_frames(void)
{
	static const uint32_t sizes[] = { 65535, 66048, 200000, UINT32_MAX };
	struct shape_conf c = { 64, 64, 1 };
	struct shape s;
	uint64_t now = T0, wake, tries;
	size_t i;

	shape_init(&s, T0);
	shape_set(&s, &c, T0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (tries = 0; tries < 10000000; tries++) {
			if (shape_consume(&s, 0, sizes[i], now, &wake) == 0)
				break;
			CU_ASSERT_FATAL(wake > now &&
			    wake - now <= max_wait_ns(&c));
			now = wake;
		}
		CU_ASSERT(tries < 10000000);
	}
}

/* Huge values: no overflow, nothing waits (or for no more than a wait's
 * bound), and the arithmetic near the end of time stays sane. */
static void
test_huge(void)
{
	struct shape_conf c = { UINT64_MAX, UINT64_MAX, UINT64_MAX };
	struct shape s;
	uint64_t now = T0, wake, i, late = UINT64_MAX - 10 * SEC;

	shape_init(&s, T0);
	shape_set(&s, &c, T0);
	for (i = 0; i < 100000; i++)
		CU_ASSERT_FATAL(shape_consume(&s, 0, 65535, now, &wake) == 0);
	/* A peak of 2^64-1 bytes/s with a tiny average. */
	c.average = 1;
	c.burst = 0;
	shape_set(&s, &c, now);
	CU_ASSERT_EQUAL(shape_consume(&s, 0, 1, now, &wake), 0);
	/* A clock near 2^64: wake-ups stay after now and bounded. */
	shape_init(&s, late);
	c.average = 1000;
	c.peak = 2000;
	c.burst = 1;
	shape_set(&s, &c, late);
	now = late;
	for (i = 0; i < 1000 && now < UINT64_MAX - 2 * SEC; i++) {
		if (shape_consume(&s, 0, 1514, now, &wake) == 0)
			continue;
		CU_ASSERT_FATAL(wake > now && wake - now <= max_wait_ns(&c));
		now = wake;
	}
}

/* A clock that jumps back: the next wake-up is still within a wait's
 * bound of the new now, not parked for the size of the jump. */
static void
test_clock_backwards(void)
{
	const uint64_t A = 1024 * KIB;
	struct shape_conf c = { A, 2 * A, 256 * KIB };
	struct shape s;
	uint64_t now = T0, wake;

	shape_init(&s, T0);
	shape_set(&s, &c, T0);
	bad_wakes = 0;
	(void)saturate(&s, &c, 1514, &now, T0 + 3 * SEC);
	now -= 3600 * SEC;
	drain(&s, 1514, now);
	CU_ASSERT(shape_consume(&s, 0, 1514, now, &wake) == -EAGAIN);
	CU_ASSERT(wake > now && wake - now <= max_wait_ns(&c));
	CU_ASSERT_EQUAL(bad_wakes, 0);
}

static void
parse_ok(const char *in, uint64_t scale, uint64_t a, uint64_t p, uint64_t b,
    const char *key)
{
	struct shape_conf c;
	char err[192], buf[96];

	CU_ASSERT_EQUAL_FATAL(shape_parse(in, scale, "KiB/s", "KiB", &c, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.average, a);
	CU_ASSERT_EQUAL(c.peak, p);
	CU_ASSERT_EQUAL(c.burst, b);
	CU_ASSERT(shape_format(&c, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, key);
}

static void
parse_bad(const char *in, uint64_t scale, const char *want)
{
	struct shape_conf c = { 7, 8, 9 };
	char err[192];

	CU_ASSERT_EQUAL(shape_parse(in, scale, "KiB/s", "KiB", &c, err,
	    sizeof(err)), -EINVAL);
	CU_ASSERT(strstr(err, want) != NULL);
	if (strstr(err, want) == NULL)
		printf("# \"%s\": got \"%s\", want \"%s\"\n", in, err, want);
	CU_ASSERT(c.average == 7 && c.peak == 8 && c.burst == 9);
}

static void
test_parse(void)
{
	char buf[8];
	struct shape_conf c = { 1, 2, 3 };

	parse_ok("1000", 1024, 1024000, 0, 0, "1024000,,");
	parse_ok("1000,4000,2048", 1024, 1024000, 4096000, 2097152,
	    "1024000,4096000,2097152");
	parse_ok("1000,,64", 1024, 1024000, 0, 65536, "1024000,,65536");
	parse_ok("1000,1000", 1024, 1024000, 1024000, 0, "1024000,1024000,");
	parse_ok("1000,4000,", 1024, 1024000, 4096000, 0, "1024000,4096000,");
	parse_ok("1250000,2500000,131072", 1, 1250000, 2500000, 131072,
	    "1250000,2500000,131072");
	parse_ok("18446744073709551615,18446744073709551615,1", 1, UINT64_MAX,
	    UINT64_MAX, 1, "18446744073709551615,18446744073709551615,1");
	parse_ok("18014398509481983", 1024, 18014398509481983ull * 1024, 0, 0,
	    "18446744073709550592,,");

	parse_bad("1000,500", 1024, "peak 500 KiB/s is below the average "
	    "1000 KiB/s");
	parse_bad("1000,0", 1024, "peak 0 KiB/s is below");
	parse_bad("1000,2000,0", 1024, "burst 0 KiB");
	parse_bad("0,2000", 1024, "average 0");
	parse_bad("0", 1024, "average 0");
	parse_bad("", 1024, "no average");
	parse_bad(",2000,5", 1024, "no average");
	parse_bad("1000,2000,5,6", 1024, "more than three fields");
	parse_bad("1000,2k00,5", 1024, "peak \"2k00\" is not a whole decimal");
	parse_bad("1000,2000,-5", 1024, "burst \"-5\" is not");
	parse_bad(" 1000", 1024, "average \" 1000\" is not");
	parse_bad("1000 ", 1024, "average \"1000 \" is not");
	parse_bad("10Mb/s", 1024, "average \"10Mb/s\" is not");
	parse_bad("18014398509481984", 1024, "average \"18014398509481984\" "
	    "is too large");
	parse_bad("1,99999999999999999999", 1, "peak \"99999999999999999999\" "
	    "is too large");
	parse_bad("1,2,\x01\xff", 1, "burst \"??\" is not");
	CU_ASSERT_EQUAL(shape_format(&c, buf, sizeof(buf)), 5);
	c.average = 123456;
	CU_ASSERT_EQUAL(shape_format(&c, buf, sizeof(buf)), -ENOSPC);
}

static CU_TestInfo shape_tests[] = {
	{ "unlimited", test_unlimited },
	{ "the average alone", test_average_only },
	{ "peak caps the burst, the burst above the average",
	    test_peak_and_burst },
	{ "an idle spell refills the burst at the average", test_burst_refill },
	{ "a peak equal to the average", test_peak_equals_average },
	{ "live changes", test_live_change },
	{ "two queues share one bucket", test_shared_by_queues },
	{ "frames of 64 KiB and beyond pass eventually", test_big_frames },
	{ "huge values and the end of time", test_huge },
	{ "clock going backwards", test_clock_backwards },
	{ "parser and format", test_parse },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "shape", NULL, NULL, NULL, NULL, shape_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
