/*
 * featmask.h - the per-vif feature mask: the netif features an admin
 * switches off for one vif (a backend key of ours, VIFD_FEATURES_OFF_KEY).
 *
 * The key holds feature names separated by commas ("sg,gso-tcpv4"); blanks
 * around a name are ignored, an empty value masks nothing. A masked
 * feature is off for that vif in both directions: vifd does not advertise
 * it, and ignores the frontend's request for it. The mask is one bit set
 * that every feature checks; features this vifd does not offer yet
 * (FEATMASK_NOT_OFFERED) are parsed and reported, and masking them changes
 * nothing until they are offered.
 *
 * Pure: no xenstore, no global state. vifd reads the key when it
 * advertises its features (the vif's next connect); vifctl checks a mask
 * with the same parser before it writes one.
 */
#ifndef VIFD_FEATMASK_H
#define VIFD_FEATMASK_H

#include <stddef.h>
#include <stdint.h>

/* The backend key (ours: no toolstack or netback knows it). */
#define VIFD_FEATURES_OFF_KEY	"vifd-features-off"

/* One bit per feature; the names are featmask_name()'s. */
enum featmask_bit {
	FEATMASK_SG		= 1u << 0,	/* feature-sg */
	FEATMASK_GSO_TCPV4	= 1u << 1,	/* feature-gso-tcpv4 */
	FEATMASK_GSO_TCPV6	= 1u << 2,	/* feature-gso-tcpv6 */
	FEATMASK_IPV4_CSUM	= 1u << 3,	/* IPv4 TCP/UDP csum offload */
	FEATMASK_IPV6_CSUM	= 1u << 4,	/* feature-ipv6-csum-offload */
	FEATMASK_MULTI_QUEUE	= 1u << 5,	/* multi-queue-max-queues */
	FEATMASK_SPLIT_EVTCHN	= 1u << 6,	/* feature-split-event-channels */
	FEATMASK_CTRL_RING	= 1u << 7,	/* feature-ctrl-ring */
	FEATMASK_MCAST_CTRL	= 1u << 8,	/* feature-multicast-control */
	FEATMASK_XDP_HEADROOM	= 1u << 9,	/* feature-xdp-headroom */
};
#define FEATMASK_ALL		((1u << 10) - 1)

/* What this vifd does not advertise at all yet: masking it is a no-op. */
/* What this vifd does not advertise at all: masking it is a no-op. Every
 * feature is offered now; the set stays for the parser and the report. */
#define FEATMASK_NOT_OFFERED	0u

/* Longest value taken (every name once, with blanks, fits in 200). */
#define FEATMASK_VALUE_MAX	256u

/*
 * Parses a mask value. Returns 0 with *out set (0 for an empty or all-blank
 * value), or -EINVAL with *out 0 and a message in `err` naming the bad
 * part: an unknown name (quoted, with the list of known ones), an empty
 * name between commas or at either end, a name given twice, or a value
 * longer than FEATMASK_VALUE_MAX bytes. `s` may be NULL (absent key: 0).
 */
int featmask_parse(const char *s, uint32_t *out, char *err, size_t errlen);

/*
 * The mask with what it implies: TSO needs scatter-gather and the checksum
 * offload of its family (Linux's netdev_fix_features drops it otherwise,
 * and virtio forbids HOST_TSO4 without CSUM), so masking sg masks both GSO
 * features, ipv4-csum masks gso-tcpv4 and ipv6-csum gso-tcpv6.
 */
uint32_t featmask_closure(uint32_t mask);

/* The name of one bit ("sg", ...), or NULL if `bit` is not exactly one. */
const char *featmask_name(uint32_t bit);

/*
 * The canonical form of a mask: its names in bit order, comma-separated,
 * "" for 0. Returns the length, or -ENOSPC if `len` is too small (buf then
 * holds a truncated string). 200 bytes always suffice.
 */
int featmask_format(uint32_t mask, char *buf, size_t len);

#endif
