/*
 * xsutil.c - formatted xenstore reads and writes for the control thread.
 *
 * Owns nothing: thin helpers that build "<dir>/<key>" paths and parse
 * numbers strictly, so the state machine reads like the protocol.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strparse.h"
#include "ctrl/xsutil.h"

int
xsu_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	return strparse_uint(s, max, out) == 0 ? 0 : -EINVAL;
}

char *
xsu_read(struct xen_env *env, struct xen_xs *xs, xen_txn_t t,
    const char *path)
{
	return env->ops->xs_read(xs, t, path, NULL);
}

static int
xsu_path(char *buf, const char *dir, const char *key)
{
	int n = snprintf(buf, XSU_PATH_MAX, "%s/%s", dir, key);

	return n < 0 || n >= XSU_PATH_MAX ? -ENAMETOOLONG : 0;
}

char *
xsu_read_key(struct xen_env *env, struct xen_xs *xs, xen_txn_t t,
    const char *dir, const char *key)
{
	char path[XSU_PATH_MAX];

	if (xsu_path(path, dir, key) < 0) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return xsu_read(env, xs, t, path);
}

int
xsu_read_uint(struct xen_env *env, struct xen_xs *xs, xen_txn_t t,
    const char *dir, const char *key, uint64_t max, uint64_t *out)
{
	char *v;
	int r;

	v = xsu_read_key(env, xs, t, dir, key);
	if (v == NULL)
		return errno == ENOENT ? -ENOENT : -errno;
	r = xsu_parse_uint(v, max, out);
	free(v);
	return r;
}

int
xsu_write_key(struct xen_env *env, struct xen_xs *xs, xen_txn_t t,
    const char *dir, const char *key, const char *val)
{
	char path[XSU_PATH_MAX];

	if (xsu_path(path, dir, key) < 0)
		return -ENAMETOOLONG;
	return env->ops->xs_write(xs, t, path, val, (unsigned int)strlen(val));
}

int
xsu_printf_key(struct xen_env *env, struct xen_xs *xs, xen_txn_t t,
    const char *dir, const char *key, const char *fmt, ...)
{
	char val[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(val))
		return -EOVERFLOW;
	return xsu_write_key(env, xs, t, dir, key, val);
}

int
xsu_rm_key(struct xen_env *env, struct xen_xs *xs, xen_txn_t t,
    const char *dir, const char *key)
{
	char path[XSU_PATH_MAX];
	int r;

	if (xsu_path(path, dir, key) < 0)
		return -ENAMETOOLONG;
	r = env->ops->xs_rm(xs, t, path);
	return r == -ENOENT ? 0 : r;
}
