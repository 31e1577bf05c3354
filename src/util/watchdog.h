/*
 * watchdog.h - a deadline on start-up: one line and exit 1 when it passes.
 */
#ifndef VIFD_WATCHDOG_H
#define VIFD_WATCHDOG_H

/*
 * In SECS seconds, unless disarmed, writes the formatted line to stderr
 * and _exits with 1 (SIGALRM; the process must not use it otherwise).
 * 0, or -1 with errno.
 */
int watchdog_arm(unsigned int secs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Stops the clock and returns the seconds left (alarms do not cross
 * fork(); the child resumes them). */
unsigned int watchdog_pause(void);
void watchdog_resume(unsigned int secs);

/* No deadline any more. */
void watchdog_disarm(void);

#endif
