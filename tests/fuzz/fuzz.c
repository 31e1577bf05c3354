/*
 * fuzz.c - the input reader and invariant check the targets share
 * (fuzz.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

size_t
fz_bytes(struct fz *in, void *out, size_t len)
{
	size_t k = len < in->n ? len : in->n;

	if (k > 0)
		memcpy(out, in->p, k);
	memset((uint8_t *)out + k, 0, len - k);
	in->p += k;
	in->n -= k;
	return k;
}

uint32_t
fz_uint(struct fz *in, size_t nbytes)
{
	uint8_t b[4];
	uint32_t v = 0;
	size_t i;

	fz_bytes(in, b, nbytes);
	for (i = nbytes; i-- > 0;)
		v = v << 8 | b[i];
	return v;
}

void
fz_str(struct fz *in, char *out, size_t cap)
{
	const uint8_t *nul = memchr(in->p, 0, in->n);
	size_t len = nul != NULL ? (size_t)(nul - in->p) : in->n;
	size_t take = len < cap - 1 ? len : cap - 1;

	memcpy(out, in->p, take);
	out[take] = '\0';
	/* Skip the whole string and its NUL, even what did not fit. */
	len += nul != NULL ? 1 : 0;
	in->p += len;
	in->n -= len;
}

void
fz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}
