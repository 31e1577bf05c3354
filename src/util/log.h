/*
 * log.h - vifd's small logging API (OpenBSD style).
 *
 * log_warn appends strerror(errno); log_warnx does not. Messages about a
 * vif carry the vif's name as their first word ("vif3.0: ..."). Nothing on
 * the data path logs per packet: counters do that job. Messages a guest can
 * trigger go through log_ratelimit_ok().
 */
#ifndef VIFD_LOG_H
#define VIFD_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

enum log_level {
	LOG_LEVEL_WARN = 0,	/* always shown */
	LOG_LEVEL_INFO = 1,	/* shown with -v (the default for vifd -f) */
	LOG_LEVEL_DEBUG = 2,	/* shown with -d or -vv */
};

/*
 * Where messages go: LOG_TO_STDERR prints "ident: message" lines with a
 * timestamp; LOG_TO_SYSLOG uses syslog(3) with the daemon facility.
 */
enum log_target { LOG_TO_STDERR, LOG_TO_SYSLOG };

void log_init(const char *ident, enum log_target target, int verbosity);
void log_setverbose(int verbosity);
int log_getverbose(void);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
__attribute__((noreturn)) void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * A token bucket for messages a guest can provoke: at most `burst`
 * messages, refilled at one per `interval_ms`. Suppressed messages are
 * counted and reported with the next one that passes.
 */
struct log_ratelimit {
	uint32_t interval_ms;
	uint32_t burst;
	uint32_t tokens;
	uint32_t suppressed;
	uint64_t last_ms;
};

#define LOG_RATELIMIT_INIT(interval, b) \
	{ .interval_ms = (interval), .burst = (b), .tokens = (b) }

/* Returns true if the caller may log now. Thread-compatible, not safe:
 * each thread keeps its own struct. */
bool log_ratelimit_ok(struct log_ratelimit *rl);

#endif
