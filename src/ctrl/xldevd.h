/*
 * xldevd.h - is `xl devd` running in this domain.
 */
#ifndef VIFD_XLDEVD_H
#define VIFD_XLDEVD_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True if BUF (LEN bytes of a /proc/PID/cmdline: NUL-separated
 * arguments) is xl's devd command: argv[0] named "xl" (any directory),
 * its first argument that is not an option "devd".
 */
bool xldevd_cmdline_match(const char *buf, size_t len);

/*
 * True if xl devd runs here: ROOT/run/xldevd.pid or ROOT/var/run/xldevd.pid
 * names a live process, or a process in ROOT/proc runs xl devd. ROOT is
 * "" (NULL) on a real system, a test's directory otherwise.
 */
bool xldevd_running(const char *root);

#endif
