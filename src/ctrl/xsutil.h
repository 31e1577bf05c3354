/*
 * xsutil.h - small conveniences over the xenstore half of the seam:
 * formatted paths, reading numbers and states, writing strings.
 */
#ifndef VIFD_XSUTIL_H
#define VIFD_XSUTIL_H

#include <stdint.h>

#include "seam/xen_ops.h"

#define XSU_PATH_MAX 256

/* Reads `path` (malloc'd string) or NULL + errno (ENOENT if absent). */
char *xsu_read(struct xen_env *env, struct xen_xs *xs, xen_txn_t t,
    const char *path);
/* Reads `dir`/`key`. */
char *xsu_read_key(struct xen_env *env, struct xen_xs *xs, xen_txn_t t,
    const char *dir, const char *key);
/* Reads a strict decimal number <= max from `dir`/`key`: 0, -ENOENT, or
 * -EINVAL if it is not one. */
int xsu_read_uint(struct xen_env *env, struct xen_xs *xs, xen_txn_t t,
    const char *dir, const char *key, uint64_t max, uint64_t *out);
/* Writes a string to `dir`/`key`. 0 or -errno. */
int xsu_write_key(struct xen_env *env, struct xen_xs *xs, xen_txn_t t,
    const char *dir, const char *key, const char *val);
/* Writes a formatted value to `dir`/`key`. 0 or -errno. */
int xsu_printf_key(struct xen_env *env, struct xen_xs *xs, xen_txn_t t,
    const char *dir, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Removes `dir`/`key` (absent is fine). 0 or -errno. */
int xsu_rm_key(struct xen_env *env, struct xen_xs *xs, xen_txn_t t,
    const char *dir, const char *key);
/* Parses a strict decimal number (digits only) up to `max`. 0 or
 * -EINVAL. */
int xsu_parse_uint(const char *s, uint64_t max, uint64_t *out);

#endif
