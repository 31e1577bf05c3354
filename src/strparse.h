/*
 * strparse.h - the small text parsers every other module needs: strict
 * decimal numbers, hex digits, strict MAC addresses, and quoting untrusted text for a message.
 * Pure: libc only.
 */
#ifndef VIFD_STRPARSE_H
#define VIFD_STRPARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * A whole string of decimal digits (no sign, space or prefix; leading
 * zeros allowed, as strtoul takes them) in [0, max]. Returns 0, -EINVAL
 * if it is not one, -ERANGE if it is one but above max (or 2^64-1).
 */
int strparse_uint(const char *s, uint64_t max, uint64_t *out);

/*
 * The run of decimal digits at *p, advancing *p past it. Returns 0,
 * -EINVAL if there is no digit, -ERANGE if it exceeds 2^64-1 (*p then
 * stands after the digits too).
 */
int strparse_digits(const char **p, uint64_t *out);

/* A canonical id (a path component such as a domid): as strparse_uint
 * into 32 bits, but no leading zeros ("0" itself is fine). */
int strparse_id(const char *s, uint32_t *out);

/* The value of hex digit c, or -1. */
int strparse_hexdigit(char c);

/* A MAC address as Linux's mac_pton reads one (and so netfront's
 * xen_net_read_mac): exactly xx:xx:xx:xx:xx:xx, two hex digits a byte.
 * Returns 0 or -EINVAL (out untouched). */
int strparse_mac_strict(const char *s, uint8_t out[6]);

/*
 * Copies at most 40 characters of untrusted `s` into `out` (outlen > 4)
 * for a log line or an error node: unprintable bytes as '?', "..." if
 * cut. Guests and toolstacks can write 4 KiB of binary into a key.
 */
void strparse_quote(const char *s, char *out, size_t outlen);

#endif
