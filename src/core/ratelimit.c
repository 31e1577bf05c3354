/*
 * ratelimit.c - the TX credit scheduler of Linux xen-netback, in userspace.
 *
 * Owns the arithmetic of xl's `rate=` limit for one queue: how much credit
 * is left, when the current window ends, when a refused packet may be
 * retried, the counters, and the parser of the xenstore node. It does not
 * own the timerfd, the ring or the clock: the queue worker passes `now` in,
 * arms the timer at the time it is given, and keeps refused packets on the
 * ring, which is how backpressure reaches the guest.
 *
 * The rules are Linux's (drivers/net/xen-netback/netback.c: tx_add_credit,
 * tx_credit_exceeded, xenvif_tx_credit_callback, the check in
 * xenvif_tx_build_gops; xenbus.c: xen_net_read_rate, xen_net_rate_changed):
 *  - a credit of `bytes` per window of `usec`; the packet's whole size is
 *    charged before it is processed;
 *  - credit is added one window's worth at a time, saturating, and capped
 *    at max(131072, bytes) so unused credit does not pile up beyond one
 *    window except for the floor that lets a 64 KiB frame through;
 *  - when the timer is armed, the window start moves to the window's end,
 *    so late timer wakeups do not make the windows drift;
 *  - a live change of the limit ends a pending wait at once, otherwise
 *    clamps the remaining credit to the new per-window credit.
 * Deliberate differences:
 *  - microsecond windows instead of jiffies (Linux truncates the window to
 *    whole milliseconds, so "1000,500" is unlimited there and 1 µs works
 *    here);
 *  - credit is owed for every window end that passed, not just one: a
 *    refill on the packet path (the window is over when a packet does not
 *    fit) adds a window's credit per window passed and keeps the windows
 *    on their schedule, where Linux adds one and restarts the window at
 *    `now`; a timer that fires late adds the windows it missed. Linux's
 *    timers fire on time and its packet path runs at once; a userspace
 *    worker on a busy host does neither (measured in the real-Xen lab
 *    under TCG: rate=1MB/s@20ms delivered 0.54-0.74 of the limit with
 *    Linux's rule). Everything stays under Linux's burst allowance
 *    max(131072, bytes), so after an idle spell a queue may send up to
 *    that at once where Linux would allow its leftover plus one window;
 *  - every returned wake-up lies within one window of `now`, even when the
 *    caller's clock went backwards, so a queue can never be parked for
 *    longer than one window;
 *  - re-applying the limit in force does not end a wait (a spurious watch
 *    event would otherwise hand out an extra window of credit);
 *  - counters of delayed packets and bytes and of the time spent waiting;
 *  - the parser is strict (Linux's simple_strtoul accepts "12abc,5"); a
 *    node with 0 bytes is refused (Linux would block all traffic with it);
 *  - a wider burst allowance, which only shaping (shape.c) sets: a limit
 *    set from `rate` alone keeps netback's max(131072, bytes).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/ratelimit.h"
#include "core/strparse.h"

static uint64_t
ratelimit_sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t
ratelimit_burst(const struct ratelimit *rl)
{
	uint64_t b = rl->credit_bytes > RATELIMIT_BURST_FLOOR ?
	    rl->credit_bytes : RATELIMIT_BURST_FLOOR;

	/* Only shaping sets an allowance: netback's rule is untouched. */
	return rl->allowance > b ? rl->allowance : b;
}

/*
 * The timer path: the window ended, so the wait does too. Linux adds one
 * window's credit however late its timer runs. A userspace wakeup can be
 * late by more than a window (a busy host, a 1 ms window); the queue was
 * backlogged all that time, so every window boundary passed since the
 * scheduled end is owed too (capped by the burst allowance, as any
 * credit). The window stays anchored on its schedule, so lateness never
 * accumulates into a lower rate. Measured in the real-Xen lab under TCG:
 * without this, rate=1MB/s@20ms delivered 0.74 of the limit.
 */
static void
ratelimit_timer_refill(struct ratelimit *rl, uint64_t now_ns)
{
	uint64_t late = 0, add, r, burst = ratelimit_burst(rl);

	if (rl->window_ns > 0 && now_ns > rl->window_start_ns)
		late = (now_ns - rl->window_start_ns) / rl->window_ns;
	/* (late + 1) windows of credit, saturating, then the cap. */
	add = rl->credit_bytes > UINT64_MAX / (late + 1) ? UINT64_MAX :
	    rl->credit_bytes * (late + 1);
	r = ratelimit_sat_add(rl->remaining, add);
	rl->remaining = r < burst ? r : burst;
	if (late > 0)
		rl->window_start_ns = ratelimit_sat_add(rl->window_start_ns,
		    late * rl->window_ns);
	rl->waiting = false;
}

/*
 * The wake-up may lie at most one window ahead of now_ns. It can only be
 * further if the caller's clock went backwards since it was computed; pull
 * it in so the queue is not parked for the size of the jump.
 */
static void
ratelimit_clamp_wake(struct ratelimit *rl, uint64_t now_ns)
{
	uint64_t limit = ratelimit_sat_add(now_ns, rl->window_ns);

	if (rl->wake_ns > limit) {
		rl->wake_ns = limit;
		rl->window_start_ns = limit;
	}
}

void
ratelimit_delay_note(struct ratelimit_delay *d, uint32_t size,
    uint64_t now_ns)
{
	if (d->head_delayed)
		return;
	d->head_delayed = true;
	d->delay_start_ns = now_ns;
	d->stats.packets_delayed++;
	d->stats.bytes_delayed += size;
}

void
ratelimit_delay_end(struct ratelimit_delay *d, uint64_t now_ns)
{
	if (!d->head_delayed)
		return;
	d->head_delayed = false;
	if (now_ns > d->delay_start_ns)
		d->stats.throttled_ns += now_ns - d->delay_start_ns;
}

void
ratelimit_delay_get(const struct ratelimit_delay *d, uint64_t now_ns,
    struct ratelimit_stats *st)
{
	*st = d->stats;
	if (d->head_delayed && now_ns > d->delay_start_ns)
		st->throttled_ns += now_ns - d->delay_start_ns;
}

void
ratelimit_init(struct ratelimit *rl, uint64_t now_ns)
{
	memset(rl, 0, sizeof(*rl));
	rl->credit_bytes = UINT64_MAX;
	rl->remaining = UINT64_MAX;
	rl->window_start_ns = now_ns;
}

bool
ratelimit_set(struct ratelimit *rl, uint64_t bytes, uint64_t usec,
    uint64_t now_ns)
{
	bool released = false;

	if (bytes == 0 || usec == 0) {
		bytes = UINT64_MAX;
		usec = 0;
	} else if (usec > RATELIMIT_MAX_USEC) {
		usec = RATELIMIT_MAX_USEC;
	}
	if (bytes == rl->credit_bytes && usec == rl->usec)
		return false;

	rl->credit_bytes = bytes;
	rl->usec = usec;
	rl->window_ns = usec * 1000u;	/* no overflow: usec <= MAX_USEC */

	if (usec == 0) {
		/* Unlimited: whatever waits goes now. */
		released = rl->waiting;
		rl->waiting = false;
		rl->allowance = 0;
		rl->remaining = UINT64_MAX;
		rl->window_start_ns = now_ns;
		return released;
	}
	if (rl->waiting) {
		/* Linux fires the pending timer now: one window's credit at
		 * the new rate. The new rate's first window starts now. */
		ratelimit_timer_refill(rl, now_ns);
		rl->window_start_ns = now_ns;
		return true;
	}
	if (rl->remaining == UINT64_MAX) {
		/* From unlimited: the first window starts now. */
		rl->window_start_ns = now_ns;
	}
	if (rl->remaining > rl->credit_bytes)
		rl->remaining = rl->credit_bytes;
	return false;
}

bool
ratelimit_unlimited(const struct ratelimit *rl)
{
	return rl->window_ns == 0;
}

bool
ratelimit_waiting(const struct ratelimit *rl)
{
	return rl->waiting;
}

/*
 * The packet path's refill, once a window is over (now_ns at least a
 * window after window_start_ns): a window's credit for every window end
 * passed since the window began (Linux adds one and restarts the window
 * at now; a userspace worker that runs late would lose the rest of the
 * windows it missed). The cap bounds what an idle spell can bank.
 */
static void
ratelimit_add_passed(struct ratelimit *rl, uint64_t now_ns)
{
	uint64_t passed = (now_ns - rl->window_start_ns) / rl->window_ns;
	uint64_t add, r, burst = ratelimit_burst(rl);

	add = rl->credit_bytes > UINT64_MAX / passed ? UINT64_MAX :
	    rl->credit_bytes * passed;
	r = ratelimit_sat_add(rl->remaining, add);
	rl->remaining = r < burst ? r : burst;
	rl->window_start_ns += passed * rl->window_ns;
}

void
ratelimit_catch_up(struct ratelimit *rl, uint64_t now_ns)
{
	if (ratelimit_unlimited(rl) || rl->waiting ||
	    now_ns < rl->window_start_ns ||
	    now_ns - rl->window_start_ns < rl->window_ns)
		return;
	ratelimit_add_passed(rl, now_ns);
}

int
ratelimit_consume(struct ratelimit *rl, uint32_t size, uint64_t now_ns,
    uint64_t *wake_ns)
{
	return ratelimit_consume_reserve(rl, size, 0, now_ns, wake_ns);
}

/* Room for `charge` with `reserve` left over (reserve 0: netback's test). */
static bool
ratelimit_fits(const struct ratelimit *rl, uint64_t charge, uint64_t reserve)
{
	return charge <= rl->remaining && reserve <= rl->remaining - charge;
}

int
ratelimit_consume_reserve(struct ratelimit *rl, uint32_t size,
    uint64_t reserve, uint64_t now_ns, uint64_t *wake_ns)
{
	uint64_t charge, next;

	if (ratelimit_unlimited(rl)) {
		ratelimit_delay_end(&rl->delay, now_ns);
		return 0;
	}
	charge = size;
	if (charge > ratelimit_burst(rl))
		charge = ratelimit_burst(rl);

	if (rl->waiting) {
		/* At or past the window's end, the timer event is merely not
		 * handled yet: refill as it would. */
		if (now_ns >= rl->wake_ns)
			ratelimit_timer_refill(rl, now_ns);
		else
			ratelimit_clamp_wake(rl, now_ns);
	}
	if (ratelimit_fits(rl, charge, reserve))
		goto ok;
	if (rl->waiting) {
		/* Linux: "Timer could already be pending". */
		ratelimit_delay_note(&rl->delay, size, now_ns);
		*wake_ns = rl->wake_ns;
		return -EAGAIN;
	}

	/* Where the window ends, at most one window from now (a window
	 * start beyond now_ns means the clock went backwards). */
	next = ratelimit_sat_add(rl->window_start_ns, rl->window_ns);
	if (next > ratelimit_sat_add(now_ns, rl->window_ns))
		next = ratelimit_sat_add(now_ns, rl->window_ns);
	if (now_ns >= next) {
		ratelimit_add_passed(rl, now_ns);
		if (ratelimit_fits(rl, charge, reserve))
			goto ok;
		next = ratelimit_sat_add(rl->window_start_ns, rl->window_ns);
	}
	/*
	 * Still short: wait for the window's end. The next window starts
	 * there, whenever the timer actually fires. next > now_ns holds: either
	 * now_ns < next already, or next = now_ns + window_ns with
	 * window_ns >= 1000 (saturation at UINT64_MAX would need a clock
	 * 584 years old).
	 */
	rl->window_start_ns = next;
	rl->wake_ns = next;
	rl->waiting = true;
	ratelimit_delay_note(&rl->delay, size, now_ns);
	*wake_ns = next;
	return -EAGAIN;

ok:
	rl->remaining -= charge;
	ratelimit_delay_end(&rl->delay, now_ns);
	return 0;
}

int
ratelimit_refill(struct ratelimit *rl, uint64_t now_ns, uint64_t *wake_ns)
{
	if (!rl->waiting)
		return 0;
	if (now_ns < rl->wake_ns) {
		ratelimit_clamp_wake(rl, now_ns);
		*wake_ns = rl->wake_ns;
		return -EAGAIN;
	}
	ratelimit_timer_refill(rl, now_ns);
	return 0;
}

void
ratelimit_get_stats(const struct ratelimit *rl, uint64_t now_ns,
    struct ratelimit_stats *st)
{
	ratelimit_delay_get(&rl->delay, now_ns, st);
}

void
ratelimit_set_allowance(struct ratelimit *rl, uint64_t allowance,
    uint64_t credit)
{
	uint64_t burst;

	rl->allowance = allowance;
	if (ratelimit_unlimited(rl))
		return;
	burst = ratelimit_burst(rl);
	rl->remaining = credit < burst ? credit : burst;
}

uint64_t
ratelimit_credit(const struct ratelimit *rl)
{
	return rl->remaining;
}

int
ratelimit_parse(const char *s, uint64_t *bytes, uint64_t *usec,
    char *err, size_t errlen)
{
	char q[48];
	const char *p = s, *why;
	uint64_t b, u;
	int rc;

	if ((rc = strparse_digits(&p, &b)) != 0) {
		why = rc == -ERANGE ? "bytes per interval beyond 2^64-1" :
		    "expected \"<bytes>,<usec>\" in decimal";
		goto fail;
	}
	if (*p != ',') {
		why = *p == '\0' ? "missing \",<usec>\"" :
		    "expected \"<bytes>,<usec>\" in decimal";
		goto fail;
	}
	p++;
	if ((rc = strparse_digits(&p, &u)) != 0) {
		why = rc == -ERANGE ? "interval beyond 2^64-1 us" :
		    "expected \"<bytes>,<usec>\" in decimal";
		goto fail;
	}
	if (*p != '\0') {
		why = "trailing text after the interval";
		goto fail;
	}
	if (b == 0) {
		why = "zero bytes per interval";
		goto fail;
	}
	if (u == 0) {
		why = "zero interval";
		goto fail;
	}
	if (u > RATELIMIT_MAX_USEC) {
		why = "interval too long (more than 584 years)";
		goto fail;
	}
	*bytes = b;
	*usec = u;
	if (errlen > 0)
		err[0] = '\0';
	return 0;

fail:
	strparse_quote(s, q, sizeof(q));
	if (errlen > 0)
		snprintf(err, errlen, "rate \"%s\": %s", q, why);
	return -EINVAL;
}
