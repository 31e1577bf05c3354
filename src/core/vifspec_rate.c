/*
 * vifspec_rate.c - xl's rate= values: what xlu_vif_parse_rate
 * (tools/libs/util/libxlu_vif.c) accepts, quirks included, and the
 * "bytes,usec" form libxl writes to the backend's `rate` node.
 *
 * Owns the rate grammar only (see vifspec.h for its rules); the vif=
 * spec around it is vifspec.c's. Pure: no fd, no clock, no allocation.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/vifspec.h"

/*
 * Reads a number the way strtoull(s, &end, 0) does, for a string that
 * starts with a decimal digit: a leading 0 makes it octal, which stops at
 * the first 8 or 9. (No "0x": the callers' syntax checks leave no 'x'.)
 * Saturates at UINT64_MAX, where strtoull returns ULLONG_MAX.
 */
static uint64_t
vifspec_strtou(const char *s, const char **end)
{
	unsigned int base = s[0] == '0' ? 8u : 10u;
	uint64_t v = 0;
	bool sat = false;

	for (; *s >= '0' && (unsigned int)(*s - '0') < base; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (sat || v > (UINT64_MAX - d) / base)
			sat = true;
		else
			v = v * base + d;
	}
	*end = s;
	return sat ? UINT64_MAX : v;
}

/* The bytes-per-second half: [0-9]+[GMK]?[Bb]/s, whole string. */
static int
vifspec_rate_bps(const char *s, uint64_t *bps, char *err, size_t errlen)
{
	size_t n = strspn(s, "0123456789");
	const char *p = s + n, *q;
	uint64_t v;

	if (n == 0)
		goto syntax;
	if (*p == 'G' || *p == 'M' || *p == 'K')
		p++;
	if ((*p != 'B' && *p != 'b') || strcmp(p + 1, "/s") != 0)
		goto syntax;

	v = vifspec_strtou(s, &q);
	/* xl's bounds apply to the number before its unit. */
	if (v == 0 || v > UINT32_MAX) {
		snprintf(err, errlen, "rate overflow: the number must be "
		    "1..4294967295 (read as C does: a leading 0 means octal)");
		return -EOVERFLOW;
	}
	/* q is where the number stopped: the unit, or a stray 8/9 after an
	 * octal prefix, in which case xl finds no multiplier and looks for
	 * the 'b' one place too early; we do the same. */
	if (*q == 'G')
		v *= 1000u * 1000u * 1000u;
	else if (*q == 'M')
		v *= 1000u * 1000u;
	else if (*q == 'K')
		v *= 1000u;
	if (*q == 'b' || q[1] == 'b')
		v /= 8u;
	*bps = v;
	return 0;
syntax:
	snprintf(err, errlen, "invalid rate (expected a number, an optional "
	    "K, M or G, then B/s for bytes or b/s for bits)");
	return -EINVAL;
}

/* The interval half: [0-9]+[mu]?s?, whole string. */
static int
vifspec_rate_interval(const char *s, uint32_t *usecs, char *err, size_t errlen)
{
	size_t n = strspn(s, "0123456789");
	const char *p = s + n, *q;
	uint64_t v;

	if (n == 0)
		goto syntax;
	if (*p == 'm' || *p == 'u')
		p++;
	if (*p == 's')
		p++;
	if (*p != '\0')
		goto syntax;

	v = vifspec_strtou(s, &q);
	if (v == 0 || v > UINT32_MAX) {
		snprintf(err, errlen, "replenishment interval overflow: the "
		    "number must be 1..4294967295");
		return -EOVERFLOW;
	}
	/* A bare number is seconds; "u" (or a stray octal 8/9) is us. */
	if (*q == 's' || *q == '\0')
		v *= 1000000u;
	else if (*q == 'm')
		v *= 1000u;
	if (v > UINT32_MAX) {
		snprintf(err, errlen, "replenishment interval overflow: at "
		    "most 4294967295 us (about 71 minutes)");
		return -EOVERFLOW;
	}
	*usecs = (uint32_t)v;
	return 0;
syntax:
	snprintf(err, errlen, "invalid replenishment interval (expected a "
	    "number then s, ms or us; a bare number is seconds)");
	return -EINVAL;
}

int
vifspec_parse_rate(const char *s, struct vifspec_rate *out, char *err,
    size_t errlen)
{
	char rate[VIFSPEC_MAX_LEN + 1];
	const char *at;
	uint64_t bps = 0;
	uint32_t usecs = VIFSPEC_RATE_INTERVAL_DEFAULT;
	char dummy[1];
	size_t n;
	int r;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	n = strlen(s);
	if (n > VIFSPEC_MAX_LEN) {
		snprintf(err, errlen, "too long");
		return -EINVAL;
	}
	at = strchr(s, '@');
	if (at != NULL)
		n = (size_t)(at - s);
	memcpy(rate, s, n);
	rate[n] = '\0';
	if (n == 0) {
		snprintf(err, errlen, "no rate specified");
		return -EINVAL;
	}
	r = vifspec_rate_bps(rate, &bps, err, errlen);
	if (r < 0)
		return r;
	if (at != NULL) {
		r = vifspec_rate_interval(at + 1, &usecs, err, errlen);
		if (r < 0)
			return r;
	}
	if (bps > UINT64_MAX / usecs) {
		snprintf(err, errlen, "rate overflow: bytes per second times "
		    "the interval does not fit in 64 bits");
		return -EOVERFLOW;
	}
	out->bytes_per_interval = bps * usecs / 1000000u;
	out->interval_usecs = usecs;
	return 0;
}

int
vifspec_rate_format(const struct vifspec_rate *r, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%llu,%u",
	    (unsigned long long)r->bytes_per_interval, r->interval_usecs);

	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

