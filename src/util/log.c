/*
 * log.c - where vifd's messages go.
 *
 * Owns the process-wide log target (stderr or syslog) and verbosity. Each
 * message is formatted into one buffer and written with a single write(2),
 * so lines from worker threads never interleave. Nothing here allocates.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

static const char *log_ident = "vifd";
static enum log_target log_target = LOG_TO_STDERR;
/*
 * [atomic] The control thread changes it at run time (the control
 * socket's "verbose" command) while queue workers read it in every
 * log call; volatile alone left that a data race. Relaxed: a message
 * only needs some recent value, it orders nothing else.
 */
static int log_verbosity = LOG_LEVEL_INFO;

void
log_init(const char *ident, enum log_target target, int verbosity)
{
	log_ident = ident;
	log_target = target;
	__atomic_store_n(&log_verbosity, verbosity, __ATOMIC_RELAXED);
	if (target == LOG_TO_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setverbose(int verbosity)
{
	__atomic_store_n(&log_verbosity, verbosity, __ATOMIC_RELAXED);
}

int
log_getverbose(void)
{
	return __atomic_load_n(&log_verbosity, __ATOMIC_RELAXED);
}

static void
log_emit(enum log_level level, const char *suffix, const char *fmt, va_list ap)
{
	char msg[1024];
	int n;

	if ((int)level > __atomic_load_n(&log_verbosity, __ATOMIC_RELAXED))
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	if (suffix != NULL && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", suffix);

	if (log_target == LOG_TO_SYSLOG) {
		static const int prio[] = { LOG_WARNING, LOG_INFO, LOG_DEBUG };
		syslog(prio[level], "%s", msg);
	} else {
		char line[1200];
		struct timespec ts;
		struct tm tm;
		int len;

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		len = snprintf(line, sizeof(line), "%02d:%02d:%02d.%03ld %s[%d]: %s\n",
		    tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
		    log_ident, (int)getpid(), msg);
		if (len > (int)sizeof(line))
			len = sizeof(line);
		if (len > 0 && write(STDERR_FILENO, line, (size_t)len) < 0) {
			/* Nowhere left to report it. */
		}
	}
}

void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	log_emit(level, NULL, fmt, ap);
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_WARN, strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_WARN, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_WARN, strerror(saved), fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_WARN, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}

bool
log_ratelimit_ok(struct log_ratelimit *rl)
{
	struct timespec ts;
	uint64_t now, elapsed;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	if (rl->last_ms == 0)
		rl->last_ms = now;
	elapsed = now - rl->last_ms;
	if (rl->interval_ms > 0 && elapsed >= rl->interval_ms) {
		uint64_t add = elapsed / rl->interval_ms;

		rl->tokens = (uint32_t)(rl->tokens + add > rl->burst ?
		    rl->burst : rl->tokens + add);
		rl->last_ms = now;
	}
	if (rl->tokens == 0) {
		rl->suppressed++;
		return false;
	}
	rl->tokens--;
	if (rl->suppressed > 0) {
		log_warnx("(%u similar messages suppressed)", rl->suppressed);
		rl->suppressed = 0;
	}
	return true;
}
