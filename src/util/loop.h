/*
 * loop.h - a minimal epoll event loop, one per thread.
 *
 * The control thread and every queue worker own one loop each. A watch is
 * embedded in its owner's struct (no allocation); its callback gets the
 * ready events. A watch may be removed, and its owner freed, from inside
 * any callback: the loop forgets events still pending for it.
 */
#ifndef VIFD_LOOP_H
#define VIFD_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

struct loop_watch;
typedef void (*loop_cb)(struct loop_watch *w, uint32_t events);

struct loop_watch {
	int fd;
	uint32_t events;	/* EPOLLIN, EPOLLOUT, ... */
	loop_cb cb;
	void *arg;		/* for the callback */
	bool added;
};

#define LOOP_MAX_EVENTS 64

struct loop {
	int epfd;
	bool stop;
	/* The batch being dispatched, so loop_del can cancel its events. */
	struct epoll_event ev[LOOP_MAX_EVENTS];
	int nev;
	int cur;
};

int loop_open(struct loop *l);
void loop_close(struct loop *l);

/* Fills a watch; does not add it. */
void loop_watch_init(struct loop_watch *w, int fd, uint32_t events,
    loop_cb cb, void *arg);
int loop_add(struct loop *l, struct loop_watch *w);
int loop_mod(struct loop *l, struct loop_watch *w, uint32_t events);
/* Removes the watch if added (idempotent). The fd is not closed. */
void loop_del(struct loop *l, struct loop_watch *w);

/*
 * Waits up to timeout_ms (-1: forever) and dispatches one batch. Returns
 * the number of events dispatched, or -errno (EINTR is returned as 0).
 */
int loop_run_once(struct loop *l, int timeout_ms);
/* Dispatches until loop_stop(). Returns 0 or -errno. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);

/* timerfd helpers (CLOCK_MONOTONIC). */
int loop_timer_new(void);
/* Arms `fd` to fire once after `ns` nanoseconds (0 disarms). */
int loop_timer_arm(int fd, uint64_t ns);
/* Arms `fd` to fire every `ns` nanoseconds, starting after `ns`. */
int loop_timer_periodic(int fd, uint64_t ns);
/* Reads the expiry count so the fd stops being readable. */
uint64_t loop_timer_ack(int fd);

/* eventfd helpers, for waking a loop from another thread. */
int loop_event_new(void);
void loop_event_signal(int fd);
uint64_t loop_event_ack(int fd);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t loop_now_ns(void);

#endif
