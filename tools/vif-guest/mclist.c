/*
 * mclist.c - vif-guest's multicast file (see mclist.h): its syntax, and
 * the ADD/DEL requests that move the backend's list from what we sent
 * before to what the file says now. Sending them is gq.c's, the file and
 * request-multicast-control gbus.c's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/ring.h"
#include "core/strparse.h"
#include "mclist.h"

int
mclist_parse(const char *text, struct mclist *out, char *err, size_t errlen)
{
	unsigned int line = 0;

	memset(out, 0, sizeof(*out));
	while (*text != '\0') {
		const char *end = strchr(text, '\n');
		size_t len = end != NULL ? (size_t)(end - text) : strlen(text);
		char buf[64];
		char *s, *e;

		line++;
		if (len >= sizeof(buf)) {
			snprintf(err, errlen, "line %u: too long", line);
			return -EINVAL;
		}
		memcpy(buf, text, len);
		buf[len] = '\0';
		text += len + (end != NULL ? 1 : 0);
		if ((s = strchr(buf, '#')) != NULL)
			*s = '\0';
		for (s = buf; *s == ' ' || *s == '\t'; s++)
			;
		for (e = s + strlen(s); e > s && (e[-1] == ' ' ||
		    e[-1] == '\t' || e[-1] == '\r'); e--)
			;
		*e = '\0';
		if (*s == '\0')
			continue;
		if (strcmp(s, "control on") == 0) {
			out->control = true;
		} else if (strcmp(s, "control off") == 0) {
			out->control = false;
		} else {
			if (out->n >= MCLIST_MAX)
				snprintf(err, errlen, "line %u: more than %u "
				    "addresses", line, MCLIST_MAX);
			else if (strparse_mac(s, STRPARSE_MAC_TWO_DIGITS,
			    out->addr[out->n]) != 0)
				snprintf(err, errlen, "line %u: '%.32s' is "
				    "neither 'control on|off' nor a MAC address",
				    line, s);
			else {
				out->n++;
				continue;
			}
			return -EINVAL;
		}
	}
	return 0;
}

/* Marks in used[] the entries of `b` matched one to one by entries of
 * `a`; writes an op of `type` for each entry of `a` left unmatched. */
static unsigned int
mclist_unmatched(const struct mclist *a, const struct mclist *b,
    uint8_t type, struct mclist_op *ops, unsigned int k, unsigned int max)
{
	bool used[MCLIST_MAX] = { false };
	unsigned int i, j;

	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n; j++)
			if (!used[j] && memcmp(a->addr[i], b->addr[j], 6) == 0)
				break;
		if (j < b->n) {
			used[j] = true;
			continue;
		}
		if (k < max) {
			ops[k].type = type;
			memcpy(ops[k].addr, a->addr[i], 6);
		}
		k++;
	}
	return k;
}

unsigned int
mclist_diff(const struct mclist *from, const struct mclist *to,
    struct mclist_op *ops, unsigned int max)
{
	unsigned int k;

	k = mclist_unmatched(from, to, XEN_NETIF_EXTRA_TYPE_MCAST_DEL, ops, 0,
	    max);
	return mclist_unmatched(to, from, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, ops,
	    k, max);
}
