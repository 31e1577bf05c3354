/*
 * ctl_cmd.h - the control socket's request line, parsed (ctl.h lists the
 * commands). Pure: a local user's bytes in, a command or a reason out;
 * src/ctrl/ctl.c reads the socket and answers.
 */
#ifndef VIFD_CTL_CMD_H
#define VIFD_CTL_CMD_H

#include <stddef.h>
#include <stdint.h>

/* Longest request line read from a client, newline excluded. */
#define CTL_CMD_MAX	127u
/* Highest log verbosity `verbose N` sets (log.h: 0 warn .. 3). */
#define CTL_CMD_VERBOSE_MAX	3u

enum ctl_cmd_kind {
	CTL_CMD_LIST = 0,	/* list */
	CTL_CMD_STATS_ALL,	/* stats */
	CTL_CMD_STATS_ONE,	/* stats DOMID DEVID */
	CTL_CMD_VERBOSE,	/* verbose N */
};

struct ctl_cmd {
	enum ctl_cmd_kind kind;
	uint32_t domid, devid;		/* CTL_CMD_STATS_ONE */
	unsigned int verbose;		/* CTL_CMD_VERBOSE: 0..3 */
};

/*
 * Parses the request in `line` (NUL-terminated; it ends at the first '\r'
 * or '\n', what follows is ignored). Words are separated by one space;
 * numbers are decimal digits only (no sign, no space), DOMID and DEVID
 * 32 bits, N 0..CTL_CMD_VERBOSE_MAX. Returns 0 with *cmd set, or -EINVAL
 * with a one-line reason quoting the bad part in err (always
 * NUL-terminated when errlen > 0).
 */
int ctl_cmd_parse(const char *line, struct ctl_cmd *cmd, char *err,
    size_t errlen);

/* The canonical text of *cmd ("stats 1 0"); its length, or -ENOSPC. */
int ctl_cmd_format(const struct ctl_cmd *cmd, char *buf, size_t len);

#endif
