/*
 * ratelimit.h - netback's credit scheduler for guest TX, with time passed in.
 *
 * One struct ratelimit per queue (Linux limits each queue separately, so a
 * vif with N queues may send up to N times the configured rate). The queue
 * worker charges every packet's size before it processes the packet; when
 * the credit is short the worker stops consuming the TX ring (the packet
 * waits on the ring, it is not dropped) and arms its timerfd at the time
 * ratelimit_consume() returns. Time is CLOCK_MONOTONIC nanoseconds supplied
 * by the caller; the module reads no clock and touches no fd.
 *
 * The limit is xenstore's backend node `rate` = "<bytes>,<usec>": a credit
 * of `bytes` per window of `usec` microseconds (see ratelimit_parse()).
 */
#ifndef VIFD_RATELIMIT_H
#define VIFD_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Linux's burst floor (netback.c tx_add_credit: "a burst big enough to
 * transmit a jumbo packet of up to 128kB"): unused credit accumulates up to
 * max(RATELIMIT_BURST_FLOOR, bytes per window), so a 64 KiB GSO frame
 * (XEN_NETIF_MAX_TX_SIZE) always passes eventually, however small the
 * per-window credit.
 */
#define RATELIMIT_BURST_FLOOR 131072u

/* The longest window ratelimit_set() and ratelimit_parse() accept: the
 * largest whole number of microseconds whose nanoseconds fit in 64 bits
 * (about 584 years). */
#define RATELIMIT_MAX_USEC (UINT64_MAX / 1000u)

/* A limit as the `rate` node states it: a credit of `bytes` per `usec`
 * microseconds; usec 0 means unlimited. */
struct ratelimit_rate {
	uint64_t bytes;
	uint64_t usec;
};

struct ratelimit_stats {
	uint64_t bytes_delayed;		/* sizes of packets that had to wait */
	uint64_t packets_delayed;	/* packets that had to wait (once each) */
	uint64_t throttled_ns;		/* time a packet was waiting for credit */
};

/*
 * The counters of one waiting packet at a time: a packet refused several
 * times counts once, and its wait ends when it is accepted. Embedded in
 * struct ratelimit; a queue sharing a per-vif limiter (shape.h) keeps its
 * own, since the shared limiter's waits are several queues'.
 */
struct ratelimit_delay {
	bool head_delayed;		/* the packet being retried was refused */
	uint64_t delay_start_ns;	/* when head_delayed was set */
	struct ratelimit_stats stats;
};

/*
 * All fields are private to ratelimit.c; one queue worker owns the struct
 * ([q] in vifd's ownership tags). A new limit from the control thread reaches
 * the worker as a message and is applied there with ratelimit_set().
 */
struct ratelimit {
	uint64_t credit_bytes;		/* per window; UINT64_MAX if unlimited */
	uint64_t window_ns;		/* 0 if unlimited */
	uint64_t usec;			/* the window as configured */
	uint64_t remaining;		/* credit left */
	uint64_t window_start_ns;	/* start of the current window */
	uint64_t wake_ns;		/* while waiting: when the window ends */
	bool waiting;			/* the caller's timer is armed */
	uint64_t allowance;		/* shaping's burst; 0: netback's only */
	struct ratelimit_delay delay;
};

/* Initialises `rl` as unlimited. */
void ratelimit_init(struct ratelimit *rl, uint64_t now_ns);

/*
 * Applies a (new) limit: `bytes` of credit per window of `usec` µs;
 * bytes == 0 or usec == 0 means unlimited, usec above RATELIMIT_MAX_USEC is
 * clamped to it. A live change follows Linux xen_net_rate_changed(): if the
 * queue is waiting for credit the wait ends now (a window's credit at the new
 * rate is added and a new window starts at now_ns); otherwise the remaining
 * credit is clamped to the new per-window credit. Setting the limit already
 * in force changes nothing (Linux would end a pending wait early).
 * Returns true if a wait was ended: the caller disarms its timer and resumes
 * consuming the ring.
 */
bool ratelimit_set(struct ratelimit *rl, uint64_t bytes, uint64_t usec,
    uint64_t now_ns);

/* Returns true if no limit is in force. */
bool ratelimit_unlimited(const struct ratelimit *rl);

/* Returns true while the queue waits for credit (its timer is armed). */
bool ratelimit_waiting(const struct ratelimit *rl);

/*
 * Charges `size` bytes (the first slot's txreq.size, i.e. the whole packet)
 * before the packet is processed. Returns 0 if there was credit.
 * Otherwise returns -EAGAIN and sets *wake_ns to the absolute time at which
 * the caller should retry, always with now_ns < *wake_ns <= now_ns + the
 * window (also when the clock went backwards; for now_ns < 2^64-1): the
 * caller leaves the packet on the ring, stops consuming and arms its
 * timerfd; when it fires it calls ratelimit_refill() (or simply retries: a
 * retry at or after *wake_ns does the refill itself) and consumes again.
 * A refused packet waits at most ceil(size / bytes) windows. Sizes above
 * the burst allowance (only possible for size > 131072, which netif cannot
 * produce) are charged as the burst, so no size waits forever.
 * A packet that is refused several times counts once in the statistics, and
 * its wait ends when it is accepted.
 */
int ratelimit_consume(struct ratelimit *rl, uint32_t size, uint64_t now_ns,
    uint64_t *wake_ns);

/*
 * As ratelimit_consume(), but the packet fits only if `reserve` bytes of
 * credit are left after it: what a limiter shared by several queues keeps
 * for a packet another queue had refused (shape.c). reserve 0 is exactly
 * ratelimit_consume().
 */
int ratelimit_consume_reserve(struct ratelimit *rl, uint32_t size,
    uint64_t reserve, uint64_t now_ns, uint64_t *wake_ns);

/*
 * The caller's timer fired (Linux's xenvif_tx_credit_callback): adds a
 * window's credit and ends the wait. Returns 0 if the queue may consume
 * again (also when no wait was pending: a stale timer event adds nothing).
 * Returns -EAGAIN with *wake_ns set if called before the window's end (an
 * early or stale event, or a clock that went backwards): the caller re-arms
 * its timer at *wake_ns, which again lies within one window of now_ns.
 */
int ratelimit_refill(struct ratelimit *rl, uint64_t now_ns, uint64_t *wake_ns);

/* Copies the counters; throttled_ns includes a wait still in progress. */
void ratelimit_get_stats(const struct ratelimit *rl, uint64_t now_ns,
    struct ratelimit_stats *st);

/*
 * Shaping (shape.h) widens the credit a limit may bank: the burst
 * allowance becomes max(allowance, netback's max(131072, bytes)), and the
 * credit left becomes min(credit, that allowance) (UINT64_MAX: a full
 * bucket). allowance 0 restores netback's rule, which is what a limit set
 * only through ratelimit_set() has. No effect while unlimited.
 */
void ratelimit_set_allowance(struct ratelimit *rl, uint64_t allowance,
    uint64_t credit);

/*
 * Adds the credit of the windows passed since the last refill now, as the
 * packet path does only when a packet is short (unless a wait is
 * pending: the timer path owes those). netback's lazy refill caps the
 * bank only when it refills, so credit of windows that passed while the
 * bank was full comes back at the next shortfall: up to one allowance
 * more than a token bucket would give, negligible with netback's 128 KiB
 * but a whole second burst with shaping's. shape.c calls this before
 * every charge; a limit from `rate` alone never does.
 */
void ratelimit_catch_up(struct ratelimit *rl, uint64_t now_ns);

/* The credit left now (UINT64_MAX while unlimited). */
uint64_t ratelimit_credit(const struct ratelimit *rl);

/* A refused packet starts (or continues) its wait; an accepted one ends
 * it. Counted once per packet. */
void ratelimit_delay_note(struct ratelimit_delay *d, uint32_t size,
    uint64_t now_ns);
void ratelimit_delay_end(struct ratelimit_delay *d, uint64_t now_ns);
/* The counters, throttled_ns including a wait in progress. */
void ratelimit_delay_get(const struct ratelimit_delay *d, uint64_t now_ns,
    struct ratelimit_stats *st);

/*
 * Strict parser for the backend node `rate` = "<bytes>,<usec>": two decimal
 * numbers (digits only: no sign, space, prefix or trailing text) separated by
 * one comma, bytes in 1..2^64-1, usec in 1..RATELIMIT_MAX_USEC. Returns 0, or
 * -EINVAL with a one-line reason quoting the value in `err` (always
 * NUL-terminated if errlen > 0). On error *bytes and *usec are untouched, so
 * the caller keeps its previous limit (or unlimited at connect: Linux logs
 * "Failed to parse network rate limit. Traffic unlimited.").
 */
int ratelimit_parse(const char *s, uint64_t *bytes, uint64_t *usec,
    char *err, size_t errlen);

#endif
