/*
 * shape.c - the two-rate token bucket behind libvirt's average, peak and
 * burst, for one direction of a vif.
 *
 * Owns the arithmetic of a shape: the average's credit scheduler (netback's,
 * from ratelimit.c, so that the average means what xl's rate= means, with
 * the burst as its allowance), the peak bucket, their live changes, and the
 * text of our backend keys (vifd-outbound-shape, vifd-inbound-shape) and of
 * vifctl's AVERAGE,PEAK,BURST. It does not own the clock, the lock the
 * queues share it under (src/data/shaper.c) or the timers.
 *
 * A shape shared by several callers (a vif's queues, each on its own
 * thread) keeps one claim: the caller whose packet was refused first has
 * its packet's charge reserved in both buckets, and the others go only
 * on credit beyond it. Without it, a queue of 64 KiB frames would wait
 * for ever beside a queue of small ones that always takes the credit
 * before it adds up (netback's queues never share credit, so it has no
 * such case).
 *
 * The peak bucket is kept as the time at which it was (virtually) empty:
 * it holds (now - empty) * peak bytes, at most its depth, so a charge is
 * one comparison and one addition with no refill step, and it never loses
 * a byte to rounding between refills (a charge rounds up by under 1 ns).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/shape.h"
#include "core/strparse.h"

#define SHAPE_NS_PER_SEC 1000000000ull

static uint64_t
shape_sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* ceil(bytes * 10^9 / peak) ns: the time `bytes` take at the peak.
 * bytes <= RATELIMIT_BURST_FLOOR, so the product fits in 64 bits. */
static uint64_t
shape_peak_ns(uint64_t bytes, uint64_t peak)
{
	uint64_t p = bytes * SHAPE_NS_PER_SEC;

	return p / peak + (p % peak != 0);
}

/* What the peak bucket holds now, as its empty time (at most its depth). */
static uint64_t
shape_peak_empty(const struct shape *s, uint64_t now_ns)
{
	uint64_t full = now_ns > s->peak_depth_ns ? now_ns - s->peak_depth_ns :
	    0, e = s->peak_empty_ns;

	if (e < full)
		e = full;
	/* Only a clock that went backwards puts it after now: the bucket
	 * is then empty, not owed for the size of the jump. */
	if (e > now_ns)
		e = now_ns;
	return e;
}

/* The average as credit per window: exact, windows from 15.625 ms (any
 * multiple of 64 bytes/s) up to 1 s (an odd average). */
static void
shape_window(uint64_t average, uint64_t *bytes, uint64_t *usec)
{
	static const uint64_t g[] = { 64, 50, 40, 32, 25, 20, 16, 10, 8, 5, 4,
	    2, 1 };
	size_t i;

	for (i = 0; average % g[i] != 0; i++)
		;	/* g[] ends with 1 */
	*bytes = average / g[i];
	*usec = 1000000u / g[i];
}

void
shape_init(struct shape *s, uint64_t now_ns)
{
	memset(s, 0, sizeof(*s));
	ratelimit_init(&s->avg, now_ns);
	s->claim = -1;
}

/* The longest a caller may be told to wait: a window or the peak depth. */
static uint64_t
shape_max_wait(const struct shape *s)
{
	uint64_t w = s->window_ns;

	return s->conf.peak != 0 && s->peak_depth_ns > w ? s->peak_depth_ns :
	    w;
}

/* The claim passes to the next waiting caller after `from`, round robin,
 * or lapses if none waits. */
static void
shape_claim_next(struct shape *s, unsigned int from, uint64_t now_ns)
{
	unsigned int i, w;

	s->claim = -1;
	for (i = 1; i <= SHAPE_MAX_WHO; i++) {
		w = (from + i) % SHAPE_MAX_WHO;
		if (s->waiting & (1u << w)) {
			s->claim = (int)w;
			/* It retries within a wait of its refusal. */
			s->claim_until_ns = shape_sat_add(now_ns,
			    shape_max_wait(s) + SHAPE_CLAIM_NS);
			return;
		}
	}
}

bool
shape_unlimited(const struct shape *s)
{
	return s->conf.average == 0;
}

bool
shape_set(struct shape *s, const struct shape_conf *c, uint64_t now_ns)
{
	bool was_unlimited = shape_unlimited(s), released;
	uint64_t bytes, usec, credit, depth;

	if (c->average == 0) {
		released = ratelimit_set(&s->avg, 0, 0, now_ns);
		memset(&s->conf, 0, sizeof(s->conf));
		return released;
	}
	/* Credit banked under the old shape carries over, up to the new
	 * burst (ratelimit_set alone would cut it to one window). */
	credit = was_unlimited ? UINT64_MAX : ratelimit_credit(&s->avg);
	shape_window(c->average, &bytes, &usec);
	s->window_ns = usec * 1000u;
	released = ratelimit_set(&s->avg, bytes, usec, now_ns);
	if (released)
		credit = ratelimit_credit(&s->avg);
	ratelimit_set_allowance(&s->avg, c->burst, credit);

	if (c->peak != 0) {
		depth = shape_peak_ns(RATELIMIT_BURST_FLOOR, c->peak);
		if (depth < SHAPE_PEAK_DEPTH_NS)
			depth = SHAPE_PEAK_DEPTH_NS;
		if (was_unlimited || s->conf.peak == 0) {
			/* A new peak bucket starts full. */
			s->peak_depth_ns = depth;
			s->peak_empty_ns = 0;
		} else {
			/* A new peak keeps the time's worth the bucket holds,
			 * up to the new depth: a change can add no more than
			 * one bucket at the new peak. */
			uint64_t held = now_ns - shape_peak_empty(s, now_ns);

			s->peak_depth_ns = depth;
			if (held > depth)
				held = depth;
			s->peak_empty_ns = now_ns - held;
		}
	}
	s->conf = *c;
	/* Every waiting caller retries under the new shape. */
	s->claim = -1;
	s->waiting = 0;
	return released;
}

int
shape_consume(struct shape *s, unsigned int who, uint32_t size,
    uint64_t now_ns, uint64_t *wake_ns)
{
	uint64_t e = 0, need = 0, reserve = 0, rsv_ns = 0, charge;
	int r;

	if (shape_unlimited(s))
		return 0;
	who %= SHAPE_MAX_WHO;
	/* A token bucket caps the credit as time passes, not when it runs
	 * short (ratelimit_catch_up says why). */
	ratelimit_catch_up(&s->avg, now_ns);
	charge = size < RATELIMIT_BURST_FLOOR ? size : RATELIMIT_BURST_FLOOR;
	if (s->claim >= 0 && now_ns >= s->claim_until_ns)
		shape_claim_next(s, (unsigned int)s->claim, now_ns);
	if (s->claim >= 0 && s->claim != (int)who) {
		reserve = s->want[s->claim];
		if (s->conf.peak != 0)
			rsv_ns = shape_peak_ns(reserve, s->conf.peak);
	}
	if (s->conf.peak != 0) {
		/* The peak bucket first: a refusal here charges nothing. */
		need = shape_peak_ns(charge, s->conf.peak);
		e = shape_peak_empty(s, now_ns);
		if (shape_sat_add(e, need + rsv_ns) > now_ns) {
			/* Within a bucket's time of now, even with a claim
			 * to wait behind (an early retry is only refused). */
			*wake_ns = shape_sat_add(e, need + rsv_ns);
			if (*wake_ns - now_ns > s->peak_depth_ns)
				*wake_ns = now_ns + s->peak_depth_ns;
			r = -EAGAIN;
			goto refused;
		}
	}
	r = ratelimit_consume_reserve(&s->avg, size, reserve, now_ns, wake_ns);
	if (r < 0)
		goto refused;
	if (s->conf.peak != 0)
		s->peak_empty_ns = shape_sat_add(e, need);
	s->waiting &= ~(1u << who);
	if (s->claim == (int)who)
		shape_claim_next(s, who, now_ns);
	return 0;

refused:
	s->waiting |= 1u << who;
	s->want[who] = (uint32_t)charge;
	if (s->claim < 0 || s->claim == (int)who) {
		s->claim = (int)who;
		s->claim_until_ns = shape_sat_add(*wake_ns, SHAPE_CLAIM_NS);
	}
	return r;
}

/* One field of AVERAGE,PEAK,BURST at *p, up to the next comma or the
 * end: empty (given = false), or digits within 2^64-1 bytes once scaled. */
static int
shape_field(const char **p, uint64_t scale, bool *given, uint64_t *bytes,
    const char **why)
{
	uint64_t v;
	int r;

	*given = false;
	if (**p == ',' || **p == '\0')
		return 0;
	r = strparse_digits(p, &v);
	if (r == -EINVAL || (**p != ',' && **p != '\0')) {
		*why = "is not a whole decimal number";
		return -EINVAL;
	}
	if (r == -ERANGE || v > UINT64_MAX / scale) {
		*why = "is too large (beyond 2^64-1 bytes)";
		return -EINVAL;
	}
	*given = true;
	*bytes = v * scale;
	return 0;
}

int
shape_parse(const char *s, uint64_t scale, const char *rate_unit,
    const char *size_unit, struct shape_conf *c, char *err, size_t errlen)
{
	static const char *const names[3] = { "average", "peak", "burst" };
	const char *p = s, *why = NULL, *start;
	char q[48];
	uint64_t v[3] = { 0, 0, 0 };
	bool given[3] = { false, false, false };
	unsigned int i;

	strparse_quote(s, q, sizeof(q));
	for (i = 0; i < 3; i++) {
		start = p;
		if (shape_field(&p, scale, &given[i], &v[i], &why) < 0) {
			const char *end = strchr(start, ',');
			int n = end ? (int)(end - start) : (int)strlen(start);
			char fq[48], f[48];

			snprintf(f, sizeof(f), "%.*s", n < 40 ? n : 40, start);
			strparse_quote(f, fq, sizeof(fq));
			snprintf(err, errlen, "\"%s\": %s \"%s\" %s", q,
			    names[i], fq, why);
			return -EINVAL;
		}
		if (*p == '\0')
			break;
		p++;	/* the comma */
		if (i == 2) {
			snprintf(err, errlen, "\"%s\": more than three fields "
			    "(AVERAGE,PEAK,BURST)", q);
			return -EINVAL;
		}
	}
	if (!given[0]) {
		snprintf(err, errlen, "\"%s\": no average (AVERAGE[,PEAK"
		    "[,BURST]])", q);
		return -EINVAL;
	}
	if (v[0] == 0) {
		snprintf(err, errlen, "\"%s\": average 0 (to remove the limit, "
		    "remove the key, or vifctl's none)", q);
		return -EINVAL;
	}
	if (given[1] && v[1] < v[0]) {
		snprintf(err, errlen, "\"%s\": peak %llu %s is below the "
		    "average %llu %s", q, (unsigned long long)(v[1] / scale),
		    rate_unit, (unsigned long long)(v[0] / scale), rate_unit);
		return -EINVAL;
	}
	if (given[2] && v[2] == 0) {
		snprintf(err, errlen, "\"%s\": burst 0 %s (leave BURST out for "
		    "the default)", q, size_unit);
		return -EINVAL;
	}
	c->average = v[0];
	c->peak = given[1] ? v[1] : 0;
	c->burst = given[2] ? v[2] : 0;
	if (errlen > 0)
		err[0] = '\0';
	return 0;
}

int
shape_format(const struct shape_conf *c, char *buf, size_t len)
{
	char p[24] = "", b[24] = "";
	int n;

	if (c->peak != 0)
		snprintf(p, sizeof(p), "%llu", (unsigned long long)c->peak);
	if (c->burst != 0)
		snprintf(b, sizeof(b), "%llu", (unsigned long long)c->burst);
	n = snprintf(buf, len, "%llu,%s,%s", (unsigned long long)c->average,
	    p, b);
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}
