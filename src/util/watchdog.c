/*
 * watchdog.c - a deadline on vifd's start-up.
 *
 * Owns one SIGALRM: armed before vifd first speaks to xenstore and
 * disarmed once it is watching. A dom0 whose xenstored is not running
 * still has /dev/xen/xenbus, and libxenstore then waits for an answer
 * forever; so does a domain whose xenstore ring is dead. Without a
 * deadline vifd would hang there silently (and systemd would only say
 * "timeout" after TimeoutStartSec). With one, it prints one line naming
 * what did not answer and exits 1. The line is formatted when armed:
 * the handler may only write(2) and _exit(2).
 */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/watchdog.h"

static char watchdog_msg[512];
static size_t watchdog_len;

static void
watchdog_fire(int sig)
{
	ssize_t w;

	(void)sig;
	w = write(STDERR_FILENO, watchdog_msg, watchdog_len);
	(void)w;
	_exit(1);
}

int
watchdog_arm(unsigned int secs, const char *fmt, ...)
{
	struct sigaction sa;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(watchdog_msg, sizeof(watchdog_msg) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(watchdog_msg) - 2)
		n = (int)sizeof(watchdog_msg) - 2;
	watchdog_msg[n] = '\n';
	watchdog_len = (size_t)n + 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watchdog_fire;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) < 0)
		return -1;
	alarm(secs);
	return 0;
}

unsigned int
watchdog_pause(void)
{
	return alarm(0);
}

void
watchdog_resume(unsigned int secs)
{
	if (secs > 0)
		alarm(secs);
}

void
watchdog_disarm(void)
{
	alarm(0);
	signal(SIGALRM, SIG_DFL);
}
