/*
 * strparse.c - strict number and MAC parsing and message quoting, shared
 * by the parsers of xenstore values (frontend keys, backend keys, `rate`),
 * of xl vif= specs, of watch paths and of command lines (vifd, vifctl,
 * vif-guest).
 *
 * Owns nothing but the rules: digits only, overflow detected rather than
 * wrapped, every loop bounded by the string (xenstore values are at most
 * 4 KiB), and untrusted text made harmless before it is printed.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

#include "core/strparse.h"

int
strparse_digits(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	bool range = false;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (range || v > (UINT64_MAX - d) / 10)
			range = true;
		else
			v = v * 10 + d;
	}
	*p = s;
	if (range)
		return -ERANGE;
	*out = v;
	return 0;
}

int
strparse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v;
	int r;

	r = strparse_digits(&s, &v);
	if (r == -EINVAL || *s != '\0')
		return -EINVAL;
	if (r == -ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int
strparse_range(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;
	int r;

	r = strparse_uint(s, max, &v);
	if (r == 0 && v < min)
		r = -ERANGE;
	if (r == 0)
		*out = v;
	return r;
}

int
strparse_id(const char *s, uint32_t *out)
{
	uint64_t v;
	int r;

	if (s[0] == '0' && s[1] != '\0')
		return -EINVAL;
	r = strparse_uint(s, UINT32_MAX, &v);
	if (r == 0)
		*out = (uint32_t)v;
	return r;
}

int
strparse_hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
strparse_mac(const char *s, unsigned int flags, uint8_t out[6])
{
	uint8_t m[6];
	char sep = ':';
	unsigned int i;
	int hi, lo;

	for (i = 0; i < 6; i++) {
		if (i > 0) {
			/* The first separator decides for all five. */
			if (i == 1 && (flags & STRPARSE_MAC_DASH) && *s == '-')
				sep = '-';
			if (*s++ != sep)
				return -EINVAL;
		}
		if ((hi = strparse_hexdigit(*s++)) < 0)
			return -EINVAL;
		if ((lo = strparse_hexdigit(*s)) >= 0) {
			m[i] = (uint8_t)(hi << 4 | lo);
			s++;
		} else if (flags & STRPARSE_MAC_TWO_DIGITS) {
			return -EINVAL;
		} else {
			m[i] = (uint8_t)hi;
		}
	}
	if (*s != '\0')
		return -EINVAL;
	memcpy(out, m, sizeof(m));
	return 0;
}

void
strparse_quote(const char *s, char *out, size_t outlen)
{
	size_t i, n = 0;

	for (i = 0; s[i] != '\0' && n + 4 < outlen; i++) {
		if (i == 40) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		out[n++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	}
	out[n] = '\0';
}

int
strparse_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}
