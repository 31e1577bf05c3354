/*
 * test_rxstall.c - the guest-RX stall and drain rules (src/core/rxstall.c)
 * against Linux netback's: a table of clocks and ring states with the
 * verdict, the drain and the next deadline each must give, and a replay
 * of steady traffic towards a guest that takes nothing, where the drain
 * keeps dropping frames and the stall still comes stall_ns after the
 * guest's last frame.
 */
#include "config.h"

#include <stdio.h>

#include "cu_tap.h"
#include "core/rxstall.h"

#define S	1000000000ull		/* one second in ns */
#define NEVER	UINT64_MAX

static const struct rxstall_cfg linux_cfg = { 10 * S, 60 * S };

static void
test_table(void)
{
	static const struct {
		const char *what;
		struct rxstall_in in;
		enum rxstall_verdict verdict;
		bool expired;
		uint64_t next;
	} t[] = {
		{ "idle: no frame, no buffers, long ago",
		    { 500 * S, 0, false, 0, 0, false, 0 },
		    RXSTALL_KEEP, false, NEVER },
		{ "a frame that fits is not a stall",
		    { 500 * S, 0, false, 2, 2, true, 495 * S },
		    RXSTALL_KEEP, false, 505 * S },
		{ "short, 59 s since the last frame taken",
		    { 59 * S, 0, false, 1, 0, true, 55 * S },
		    RXSTALL_KEEP, false, 60 * S },
		{ "short, 60 s since the last frame taken",
		    { 60 * S, 0, false, 1, 0, true, 55 * S },
		    RXSTALL_STALL, false, 60 * S },
		{ "a fresh frame after drains: the clock is the guest's",
		    { 65 * S, 0, false, 1, 0, true, 61 * S },
		    RXSTALL_STALL, false, 60 * S },
		{ "some buffers but fewer than the head needs (XSA-392)",
		    { 61 * S, 0, false, 3, 2, true, 58 * S },
		    RXSTALL_STALL, false, 60 * S },
		{ "a frame taken recently resets the clock",
		    { 100 * S, 90 * S, false, 1, 0, true, 95 * S },
		    RXSTALL_KEEP, false, 105 * S },
		{ "stalled and still short: no stall deadline, the drain's",
		    { 70 * S, 0, true, 1, 0, true, 65 * S },
		    RXSTALL_KEEP, false, 75 * S },
		{ "stalled, room for the head: ready",
		    { 70 * S, 0, true, 2, 2, true, 65 * S },
		    RXSTALL_READY, false, 75 * S },
		{ "stalled, no frame held: ready (empty queue)",
		    { 70 * S, 0, true, 0, 0, false, 0 },
		    RXSTALL_READY, false, NEVER },
		{ "held for credit, not queued: stalls, never drained",
		    { 600 * S, 0, false, 1, 0, false, 1 * S },
		    RXSTALL_STALL, false, 60 * S },
		{ "drain: 10 s after its enqueue time, not before",
		    { 20 * S, 15 * S, false, 1, 0, true, 10 * S },
		    RXSTALL_KEEP, true, 20 * S },
		{ "drain: 1 ns short of 10 s",
		    { 20 * S - 1, 15 * S, false, 1, 0, true, 10 * S },
		    RXSTALL_KEEP, false, 20 * S },
		{ "deadlines at the clock's end saturate",
		    { NEVER - 1, NEVER - 2, false, 1, 0, true, NEVER - 3 },
		    RXSTALL_KEEP, false, NEVER },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum rxstall_verdict v = rxstall_check(&linux_cfg, &t[i].in);
		bool e = rxstall_expired(&linux_cfg, &t[i].in);
		uint64_t n = rxstall_next(&linux_cfg, &t[i].in);

		if (v != t[i].verdict || e != t[i].expired || n != t[i].next)
			printf("# %s: verdict %d expired %d next %llu\n",
			    t[i].what, (int)v, (int)e, (unsigned long long)n);
		CU_ASSERT_EQUAL(v, t[i].verdict);
		CU_ASSERT_EQUAL(e, t[i].expired);
		CU_ASSERT_EQUAL(n, t[i].next);
	}
}

/*
 * A worker driven by the rules alone: a frame always waiting behind the
 * one held (steady traffic), a guest that took its last frame at t = 0
 * and posts nothing. The worker wakes only at rxstall_next, judges the
 * stall, drops an expired frame and queues the next at once (the order
 * of Linux's guest-RX thread). The frames are dropped at 10, 20, ... s;
 * the stall comes at 60 s all the same, and once the guest posts, the
 * queue is ready and the clock restarts.
 */
static void
test_steady_traffic(void)
{
	struct rxstall_in in = { 0, 0, false, 1, 0, true, 0 };
	unsigned int drains = 0, wakeups = 0;
	uint64_t stalled_at = 0;

	while (!in.stalled && wakeups < 100) {
		in.now = rxstall_next(&linux_cfg, &in);
		wakeups++;
		if (rxstall_check(&linux_cfg, &in) == RXSTALL_STALL) {
			in.stalled = true;
			stalled_at = in.now;
		}
		if (rxstall_expired(&linux_cfg, &in)) {
			drains++;
			in.queued_at = in.now;	/* the next frame */
		}
	}
	CU_ASSERT(in.stalled);
	CU_ASSERT_EQUAL(stalled_at, 60 * S);
	CU_ASSERT_EQUAL(drains, 6);		/* at 10 .. 60 s */
	CU_ASSERT_EQUAL(wakeups, 6);
	/* Stalled: the drain goes on, nothing else is due. */
	CU_ASSERT_EQUAL(rxstall_next(&linux_cfg, &in), 70 * S);
	/* The guest posts one buffer: ready, and the clock restarts. */
	in.now = 64 * S;
	in.posted = 1;
	CU_ASSERT_EQUAL(rxstall_check(&linux_cfg, &in), RXSTALL_READY);
	in.stalled = false;
	in.last_rx = in.now;
	in.posted = 0;
	CU_ASSERT_EQUAL(rxstall_check(&linux_cfg, &in), RXSTALL_KEEP);
	CU_ASSERT_EQUAL(rxstall_next(&linux_cfg, &in), 70 * S);
	in.queued_at = 70 * S;
	CU_ASSERT_EQUAL(rxstall_next(&linux_cfg, &in), 80 * S);
	in.queued_at = 120 * S;
	CU_ASSERT_EQUAL(rxstall_next(&linux_cfg, &in), 124 * S);
}

static CU_TestInfo rxstall_tests[] = {
	{ "verdicts, drains and deadlines", test_table },
	{ "steady traffic, no buffers: drains, then the stall at 60 s",
	    test_steady_traffic },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "rxstall", NULL, NULL, NULL, NULL, rxstall_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
