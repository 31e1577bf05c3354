/*
 * featmask.c - the per-vif feature mask's names, parser and closure.
 *
 * Owns the syntax of the VIFD_FEATURES_OFF_KEY value and the one table of
 * feature names, shared by vifd (which reads the key) and vifctl (which
 * refuses a bad mask before writing it). What a masked feature means for
 * the advertisement, the frontend's keys and the data path is the
 * backend's, frontend.c's and the queues' business; this file only turns
 * text into bits and back. The value comes from an admin (or whoever may
 * write the backend directory): every failure is a message naming the bad
 * part, never a guess, because a mistyped name silently ignored would
 * leave on a feature the admin wanted off.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/featmask.h"
#include "core/strparse.h"

static const struct {
	const char *name;
	uint32_t bit;
} featmask_names[] = {
	{ "sg", FEATMASK_SG },
	{ "gso-tcpv4", FEATMASK_GSO_TCPV4 },
	{ "gso-tcpv6", FEATMASK_GSO_TCPV6 },
	{ "ipv4-csum", FEATMASK_IPV4_CSUM },
	{ "ipv6-csum", FEATMASK_IPV6_CSUM },
	{ "multi-queue", FEATMASK_MULTI_QUEUE },
	{ "split-event-channels", FEATMASK_SPLIT_EVTCHN },
	{ "ctrl-ring", FEATMASK_CTRL_RING },
	{ "multicast-control", FEATMASK_MCAST_CTRL },
	{ "xdp-headroom", FEATMASK_XDP_HEADROOM },
};
#define FEATMASK_NNAMES (sizeof(featmask_names) / sizeof(featmask_names[0]))

const char *
featmask_name(uint32_t bit)
{
	size_t i;

	for (i = 0; i < FEATMASK_NNAMES; i++)
		if (featmask_names[i].bit == bit)
			return featmask_names[i].name;
	return NULL;
}

int
featmask_format(uint32_t mask, char *buf, size_t len)
{
	size_t i, n = 0;
	int w;

	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	for (i = 0; i < FEATMASK_NNAMES; i++) {
		if (!(mask & featmask_names[i].bit))
			continue;
		w = snprintf(buf + n, len - n, "%s%s", n > 0 ? "," : "",
		    featmask_names[i].name);
		if (w < 0 || (size_t)w >= len - n)
			return -ENOSPC;
		n += (size_t)w;
	}
	return (int)n;
}

uint32_t
featmask_closure(uint32_t mask)
{
	if (mask & FEATMASK_SG)
		mask |= FEATMASK_GSO_TCPV4 | FEATMASK_GSO_TCPV6;
	if (mask & FEATMASK_IPV4_CSUM)
		mask |= FEATMASK_GSO_TCPV4;
	if (mask & FEATMASK_IPV6_CSUM)
		mask |= FEATMASK_GSO_TCPV6;
	return mask;
}

static bool
featmask_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The bit of the name s[0..n), or 0. */
static uint32_t
featmask_lookup(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < FEATMASK_NNAMES; i++)
		if (strlen(featmask_names[i].name) == n &&
		    memcmp(featmask_names[i].name, s, n) == 0)
			return featmask_names[i].bit;
	return 0;
}

/* "unknown feature "NAME" (known: sg, ...)" for the name s[0..n). */
static void
featmask_err_unknown(const char *s, size_t n, char *err, size_t errlen)
{
	char tok[48], q[48];
	size_t i, o;

	/* strparse_quote cuts at 40 characters; copy a little more. */
	if (n >= sizeof(tok))
		n = sizeof(tok) - 1;
	memcpy(tok, s, n);
	tok[n] = '\0';
	strparse_quote(tok, q, sizeof(q));
	o = (size_t)snprintf(err, errlen, "unknown feature \"%s\" (known:", q);
	for (i = 0; i < FEATMASK_NNAMES && o < errlen; i++)
		o += (size_t)snprintf(err + o, errlen - o, "%s %s",
		    i > 0 ? "," : "", featmask_names[i].name);
	if (o < errlen)
		snprintf(err + o, errlen - o, ")");
}

int
featmask_parse(const char *s, uint32_t *out, char *err, size_t errlen)
{
	size_t len, start, end, next, i;
	uint32_t mask = 0, bit;

	*out = 0;
	if (errlen > 0)
		err[0] = '\0';
	if (s == NULL)
		return 0;
	len = strnlen(s, FEATMASK_VALUE_MAX + 1);
	if (len > FEATMASK_VALUE_MAX) {
		if (errlen > 0)
			snprintf(err, errlen, "longer than %u bytes",
			    FEATMASK_VALUE_MAX);
		return -EINVAL;
	}
	for (i = 0; i < len && featmask_blank(s[i]); i++)
		;
	if (i == len)
		return 0;	/* empty or blank: nothing masked */

	/* One name per round; `next` moves past a comma each time, so the
	 * loop ends within len + 1 rounds. */
	for (start = 0; start <= len; start = next) {
		const char *comma = memchr(s + start, ',', len - start);

		end = comma != NULL ? (size_t)(comma - s) : len;
		next = end + 1;
		while (start < end && featmask_blank(s[start]))
			start++;
		while (end > start && featmask_blank(s[end - 1]))
			end--;
		if (start == end) {
			if (errlen == 0)
				return -EINVAL;
			if (comma != NULL)
				snprintf(err, errlen, "empty name before the "
				    "comma at offset %zu", (size_t)(comma - s));
			else
				snprintf(err, errlen, "empty name after the "
				    "last comma");
			return -EINVAL;
		}
		bit = featmask_lookup(s + start, end - start);
		if (bit == 0) {
			if (errlen > 0)
				featmask_err_unknown(s + start, end - start,
				    err, errlen);
			return -EINVAL;
		}
		if (mask & bit) {
			if (errlen > 0)
				snprintf(err, errlen, "\"%s\" given twice",
				    featmask_name(bit));
			return -EINVAL;
		}
		mask |= bit;
	}
	*out = mask;
	return 0;
}
