/*
 * strparse.h - the small text parsers every other module needs: strict
 * decimal numbers, hex digits, MAC addresses, and quoting untrusted text
 * for a message. Each exists once: vifd, vifctl and vif-guest parse
 * numbers and MACs here, with flags where their rules differ on purpose.
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

/* As strparse_uint, and at least min: -ERANGE below it too. */
int strparse_range(const char *s, uint64_t min, uint64_t max, uint64_t *out);

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

/* strparse_mac's rules, where callers differ on purpose. */
/* Exactly two hex digits an octet, as Linux's mac_pton (and so
 * netfront's xen_net_read_mac) reads one; else one or two. */
#define STRPARSE_MAC_TWO_DIGITS	0x1u
/* '-' may separate the octets instead of ':', all with the same one
 * (xl's vif= mac; xl takes any separator, we take these two). */
#define STRPARSE_MAC_DASH	0x2u

/*
 * A MAC address: six octets of hex digits (either case) separated by
 * ':' (or '-' with STRPARSE_MAC_DASH), nothing before or after. No flag:
 * one or two digits an octet, ':' only, which is the backend's `mac` key
 * rule (Linux's xen_net_read_mac also takes a "0x" prefix and longer
 * groups, keeping the low byte; we refuse those). Returns 0 or -EINVAL
 * (out untouched).
 */
int strparse_mac(const char *s, unsigned int flags, uint8_t out[6]);

/*
 * Copies at most 40 characters of untrusted `s` into `out` (outlen > 4)
 * for a log line or an error node: unprintable bytes as '?', "..." if
 * cut. Guests and toolstacks can write 4 KiB of binary into a key.
 */
void strparse_quote(const char *s, char *out, size_t outlen);

/*
 * Formats a message into err (errlen bytes; nothing if err is NULL or
 * errlen 0) and returns -EINVAL: how the parsers of admin and guest
 * values say what was wrong.
 */
int strparse_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
