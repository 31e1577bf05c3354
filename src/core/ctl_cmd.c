/*
 * ctl_cmd.c - parses the control socket's request line.
 *
 * Owns the request grammar of ctl.h (list, stats [DOMID DEVID], verbose
 * N) and its canonical text. The socket (src/ctrl/ctl.c) reads at most a
 * line from a client and dispatches on what this returns; keeping the
 * parse here, away from the socket and the daemon's state, lets the
 * fuzzer and the unit tests drive it directly. The client is root, but
 * its bytes are still untrusted: a strict grammar (digits only, one
 * space) and a quoted echo, so a line of control characters never comes
 * back raw.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/ctl_cmd.h"
#include "core/strparse.h"

#define CTL_CMD_USAGE	"(list, stats [DOMID DEVID], verbose N)"

/* Reads " NUMBER" at *p into *out (at most max), advancing *p. */
static bool
ctl_cmd_number(const char **p, uint64_t max, uint64_t *out)
{
	const char *s = *p;

	if (*s != ' ')
		return false;
	s++;
	if (strparse_digits(&s, out) != 0 || *out > max)
		return false;
	*p = s;
	return true;
}

int
ctl_cmd_parse(const char *line, struct ctl_cmd *cmd, char *err,
    size_t errlen)
{
	char text[CTL_CMD_MAX + 1], q[48];
	const char *p;
	size_t n = strcspn(line, "\r\n");
	uint64_t a, b;

	if (n > CTL_CMD_MAX)
		n = CTL_CMD_MAX;
	memcpy(text, line, n);
	text[n] = '\0';
	memset(cmd, 0, sizeof(*cmd));
	if (strcmp(text, "list") == 0) {
		cmd->kind = CTL_CMD_LIST;
		return 0;
	}
	if (strcmp(text, "stats") == 0) {
		cmd->kind = CTL_CMD_STATS_ALL;
		return 0;
	}
	strparse_quote(text, q, sizeof(q));
	if (strncmp(text, "stats ", 6) == 0) {
		p = text + 5;
		if (!ctl_cmd_number(&p, UINT32_MAX, &a) ||
		    !ctl_cmd_number(&p, UINT32_MAX, &b) || *p != '\0')
			return strparse_fail(err, errlen, "'%s': stats takes "
			    "DOMID DEVID, two decimal numbers", q);
		cmd->kind = CTL_CMD_STATS_ONE;
		cmd->domid = (uint32_t)a;
		cmd->devid = (uint32_t)b;
		return 0;
	}
	if (strncmp(text, "verbose ", 8) == 0) {
		p = text + 7;
		if (!ctl_cmd_number(&p, CTL_CMD_VERBOSE_MAX, &a) || *p != '\0')
			return strparse_fail(err, errlen, "'%s': verbose takes "
			    "a number 0..%u", q, CTL_CMD_VERBOSE_MAX);
		cmd->kind = CTL_CMD_VERBOSE;
		cmd->verbose = (unsigned int)a;
		return 0;
	}
	return strparse_fail(err, errlen, "unknown command '%s' "
	    CTL_CMD_USAGE, q);
}

int
ctl_cmd_format(const struct ctl_cmd *cmd, char *buf, size_t len)
{
	int n;

	switch (cmd->kind) {
	case CTL_CMD_LIST:
		n = snprintf(buf, len, "list");
		break;
	case CTL_CMD_STATS_ALL:
		n = snprintf(buf, len, "stats");
		break;
	case CTL_CMD_STATS_ONE:
		n = snprintf(buf, len, "stats %u %u", cmd->domid, cmd->devid);
		break;
	case CTL_CMD_VERBOSE:
		n = snprintf(buf, len, "verbose %u", cmd->verbose);
		break;
	default:
		return -EINVAL;
	}
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}
