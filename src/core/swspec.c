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

/* A switch's or peer link's name of n characters at s ("what" for the
 * message, q the value quoted): 0, or -EINVAL with the bad part. */
static int
swspec_name_check(const char *what, const char *s, size_t n, const char *q,
    char *err, size_t errlen)
{
	size_t i;

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
	return 0;
}

int
swspec_parse(const char *bridge, char *name, char *err, size_t errlen)
{
	const char *what, *s;
	size_t n;
	char q[48];
	int kind, r;

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
	if ((r = swspec_name_check(what, s, n, q, err, errlen)) < 0)
		return r;
	memcpy(name, s, n + 1);
	return kind;
}

int
swspec_uplink_parse(const char *s, struct swspec_uplink *out, char *err,
    size_t errlen)
{
	const char *eq, *ifn, *at;
	char q[48], qi[48];
	size_t n, i;
	uint64_t v;
	int r;

	memset(out, 0, sizeof(*out));
	strparse_quote(s, q, sizeof(q));
	eq = strchr(s, '=');
	if (eq == NULL)
		return strparse_fail(err, errlen, "uplink '%s': not "
		    "SWITCH=IFNAME[@QUEUE] (no '=')", q);
	n = (size_t)(eq - s);
	if (n == 0)
		return strparse_fail(err, errlen, "uplink '%s': no switch "
		    "name before '='", q);
	if (n > SWSPEC_NAME_MAX)
		return strparse_fail(err, errlen, "uplink '%s': the switch "
		    "name is longer than %u characters", q, SWSPEC_NAME_MAX);
	memcpy(out->sw, s, n);
	strparse_quote(out->sw, qi, sizeof(qi));
	if ((r = swspec_name_check("uplink's switch", s, n, qi, err,
	    errlen)) < 0)
		return r;
	ifn = eq + 1;
	at = strchr(ifn, '@');
	n = at != NULL ? (size_t)(at - ifn) : strlen(ifn);
	if (n == 0)
		return strparse_fail(err, errlen, "uplink '%s': no interface "
		    "name after '='", q);
	if (n > SWSPEC_NAME_MAX)
		return strparse_fail(err, errlen, "uplink '%s': the interface "
		    "name is longer than %u characters", q, SWSPEC_NAME_MAX);
	for (i = 0; i < n; i++)
		if (strchr("/:=@ \t\n\r\v\f", ifn[i]) != NULL ||
		    (unsigned char)ifn[i] < 0x20 || ifn[i] == 0x7f)
			return strparse_fail(err, errlen, "uplink '%s': "
			    "character %zu of the interface name cannot be "
			    "in one", q, i + 1);
	if ((n == 1 && ifn[0] == '.') || (n == 2 && ifn[0] == '.' &&
	    ifn[1] == '.'))
		return strparse_fail(err, errlen, "uplink '%s': '%.*s' is "
		    "not an interface name", q, (int)n, ifn);
	memcpy(out->ifname, ifn, n);
	if (at == NULL)
		return 0;
	r = strparse_uint(at + 1, SWSPEC_QUEUES - 1, &v);
	if (r < 0)
		return strparse_fail(err, errlen, "uplink '%s': the queue "
		    "after '@' is not a number from 0 to %u", q,
		    SWSPEC_QUEUES - 1);
	out->queue = (uint32_t)v;
	return 0;
}
