/*
 * test_loop.c - the epoll loop: dispatch, timers, eventfds, and removing
 * a watch whose event is still pending in the batch being dispatched.
 */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "cu_tap.h"
#include "util/loop.h"

struct counter {
	struct loop_watch w;
	int calls;
	struct loop *l;
	struct counter *victim;	/* removed from inside our callback */
};

static void
count_cb(struct loop_watch *w, uint32_t events)
{
	struct counter *c = w->arg;

	(void)events;
	c->calls++;
	loop_event_ack(w->fd);
	if (c->victim != NULL)
		loop_del(c->l, &c->victim->w);
}

static void
test_event_dispatch(void)
{
	struct loop l;
	struct counter c = { 0 };
	int fd;

	CU_ASSERT_EQUAL_FATAL(loop_open(&l), 0);
	fd = loop_event_new();
	CU_ASSERT_FATAL(fd >= 0);
	loop_watch_init(&c.w, fd, EPOLLIN, count_cb, &c);
	CU_ASSERT_EQUAL(loop_add(&l, &c.w), 0);
	CU_ASSERT_EQUAL(loop_run_once(&l, 0), 0);	/* nothing yet */
	loop_event_signal(fd);
	loop_event_signal(fd);
	CU_ASSERT_EQUAL(loop_run_once(&l, 1000), 1);
	CU_ASSERT_EQUAL(c.calls, 1);
	CU_ASSERT_EQUAL(loop_run_once(&l, 0), 0);	/* acked: quiet */
	loop_del(&l, &c.w);
	loop_del(&l, &c.w);				/* idempotent */
	close(fd);
	loop_close(&l);
}

static void
test_del_pending_in_batch(void)
{
	struct loop l;
	struct counter a = { 0 }, b = { 0 };
	int fa, fb;

	CU_ASSERT_EQUAL_FATAL(loop_open(&l), 0);
	fa = loop_event_new();
	fb = loop_event_new();
	loop_watch_init(&a.w, fa, EPOLLIN, count_cb, &a);
	loop_watch_init(&b.w, fb, EPOLLIN, count_cb, &b);
	a.l = b.l = &l;
	a.victim = &b;	/* whichever runs first removes the other */
	b.victim = &a;
	CU_ASSERT_EQUAL(loop_add(&l, &a.w), 0);
	CU_ASSERT_EQUAL(loop_add(&l, &b.w), 0);
	loop_event_signal(fa);
	loop_event_signal(fb);
	CU_ASSERT_EQUAL(loop_run_once(&l, 1000), 2);
	/* Both were ready, but the second was removed before its turn. */
	CU_ASSERT_EQUAL(a.calls + b.calls, 1);
	close(fa);
	close(fb);
	loop_close(&l);
}

static void
test_timer(void)
{
	struct loop l;
	struct counter c = { 0 };
	uint64_t t0, t1;
	int fd;

	CU_ASSERT_EQUAL_FATAL(loop_open(&l), 0);
	fd = loop_timer_new();
	CU_ASSERT_FATAL(fd >= 0);
	loop_watch_init(&c.w, fd, EPOLLIN, count_cb, &c);
	CU_ASSERT_EQUAL(loop_add(&l, &c.w), 0);
	t0 = loop_now_ns();
	CU_ASSERT_EQUAL(loop_timer_arm(fd, 20 * 1000 * 1000), 0);
	CU_ASSERT_EQUAL(loop_run_once(&l, 2000), 1);
	t1 = loop_now_ns();
	CU_ASSERT(t1 - t0 >= 20 * 1000 * 1000);
	CU_ASSERT_EQUAL(c.calls, 1);
	/* Disarmed: nothing more. */
	CU_ASSERT_EQUAL(loop_timer_arm(fd, 0), 0);
	CU_ASSERT_EQUAL(loop_run_once(&l, 50), 0);
	close(fd);
	loop_close(&l);
}

static CU_TestInfo loop_tests[] = {
	{ "eventfd dispatch", test_event_dispatch },
	{ "delete a watch pending in the batch", test_del_pending_in_batch },
	{ "one-shot timer", test_timer },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "loop", NULL, NULL, NULL, NULL, loop_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
