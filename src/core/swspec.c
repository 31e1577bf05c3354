/*
 * swspec.c - the "vifd:NAME" and "vifd-peer:NAME" values of a vif's
 * bridge key (see swspec.h).
 *
 * Owns the grammar of a switch's or a peer link's name and nothing
 * else: which switch exists, and what a port is, is vswitch.c's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/strparse.h"
#include "core/swspec.h"

int
swspec_parse(const char *bridge, char *name, char *err, size_t errlen)
{
	const char *what, *s;
	size_t n, i;
	char q[48];
	int kind;

	name[0] = '\0';
	if (bridge == NULL)
		return SWSPEC_NONE;
	if (strncmp(bridge, SWSPEC_PREFIX, strlen(SWSPEC_PREFIX)) == 0) {
		kind = SWSPEC_SWITCH;
		what = "switch";
		s = bridge + strlen(SWSPEC_PREFIX);
	} else if (strncmp(bridge, SWSPEC_PEER_PREFIX,
	    strlen(SWSPEC_PEER_PREFIX)) == 0) {
		kind = SWSPEC_PEER;
		what = "peer link";
		s = bridge + strlen(SWSPEC_PEER_PREFIX);
	} else
		return SWSPEC_NONE;
	strparse_quote(s, q, sizeof(q));
	n = strlen(s);
	if (n > 0 && strspn(s, "0123456789:") == n)
		return SWSPEC_NONE;	/* Open vSwitch's BRIDGE:TRUNK... */
	if (n == 0)
		return strparse_fail(err, errlen, "no %s name after '%.*s'",
		    what, (int)(s - bridge), bridge);
	if (n > SWSPEC_NAME_MAX)
		return strparse_fail(err, errlen, "%s name '%s': more than "
		    "%u characters", what, q, SWSPEC_NAME_MAX);
	for (i = 0; i < n; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			continue;
		if (i > 0 && ((c >= '0' && c <= '9') || c == '_' || c == '-'))
			continue;
		if (i == 0)
			return strparse_fail(err, errlen, "%s name '%s': the "
			    "first character is not a letter", what, q);
		return strparse_fail(err, errlen, "%s name '%s': character "
		    "%zu is not one of A-Z a-z 0-9 _ -", what, q, i + 1);
	}
	memcpy(name, s, n + 1);
	return kind;
}
