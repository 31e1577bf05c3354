/*
 * loop.c - the epoll loop, timerfds and eventfds every thread runs on.
 *
 * Owns the dispatch of ready fds to their watches. It takes no locks: a
 * loop belongs to exactly one thread, and other threads reach it only
 * through an eventfd. EINTR is the only tolerated epoll_wait error.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "util/loop.h"

int
loop_open(struct loop *l)
{
	memset(l, 0, sizeof(*l));
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? -errno : 0;
}

void
loop_close(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

void
loop_watch_init(struct loop_watch *w, int fd, uint32_t events, loop_cb cb,
    void *arg)
{
	w->fd = fd;
	w->events = events;
	w->cb = cb;
	w->arg = arg;
	w->added = false;
}

int
loop_add(struct loop *l, struct loop_watch *w)
{
	struct epoll_event ev = { .events = w->events, .data.ptr = w };

	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, w->fd, &ev) < 0)
		return -errno;
	w->added = true;
	return 0;
}

int
loop_mod(struct loop *l, struct loop_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (w->events == events)
		return 0;
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
		return -errno;
	w->events = events;
	return 0;
}

void
loop_del(struct loop *l, struct loop_watch *w)
{
	int i;

	if (!w->added)
		return;
	/* The fd may already be closed by its owner; that removed it too. */
	(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->added = false;
	for (i = l->cur; i < l->nev; i++)
		if (l->ev[i].data.ptr == w)
			l->ev[i].data.ptr = NULL;
}

int
loop_run_once(struct loop *l, int timeout_ms)
{
	int n;

	n = epoll_wait(l->epfd, l->ev, LOOP_MAX_EVENTS, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	l->nev = n;
	for (l->cur = 0; l->cur < l->nev; ) {
		struct loop_watch *w = l->ev[l->cur].data.ptr;
		uint32_t events = l->ev[l->cur].events;

		l->cur++;
		if (w != NULL)
			w->cb(w, events);
	}
	l->nev = 0;
	l->cur = 0;
	return n;
}

int
loop_run(struct loop *l)
{
	int r;

	l->stop = false;
	while (!l->stop) {
		r = loop_run_once(l, -1);
		if (r < 0)
			return r;
	}
	return 0;
}

void
loop_stop(struct loop *l)
{
	l->stop = true;
}

int
loop_timer_new(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int
loop_timer_set(int fd, uint64_t first_ns, uint64_t period_ns)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(first_ns / 1000000000u);
	its.it_value.tv_nsec = (long)(first_ns % 1000000000u);
	its.it_interval.tv_sec = (time_t)(period_ns / 1000000000u);
	its.it_interval.tv_nsec = (long)(period_ns % 1000000000u);
	return timerfd_settime(fd, 0, &its, NULL) < 0 ? -errno : 0;
}

int
loop_timer_arm(int fd, uint64_t ns)
{
	return loop_timer_set(fd, ns, 0);
}

int
loop_timer_periodic(int fd, uint64_t ns)
{
	return loop_timer_set(fd, ns, ns);
}

uint64_t
loop_timer_ack(int fd)
{
	uint64_t n = 0;

	if (read(fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return 0;
	return n;
}

int
loop_event_new(void)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

void
loop_event_signal(int fd)
{
	uint64_t one = 1;

	/* EAGAIN means the counter is saturated: the reader wakes anyway. */
	if (write(fd, &one, sizeof(one)) < 0) {
		/* nothing to do */
	}
}

uint64_t
loop_event_ack(int fd)
{
	uint64_t n = 0;

	if (read(fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return 0;
	return n;
}

uint64_t
loop_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
