/*
 * hash.h - receive-side scaling's hash: Toeplitz over the flow input of a
 * frame, as netif.h's "Hash types" and "Hash algorithms" define them.
 *
 * netif.h names four hash types; each hashes a fixed buffer built from
 * the frame's headers (network byte order, as on the wire):
 *   IPV4      src addr, dst addr                           8 bytes
 *   IPV4_TCP  src addr, dst addr, src port, dst port      12 bytes
 *   IPV6      src addr, dst addr                          32 bytes
 *   IPV6_TCP  src addr, dst addr, src port, dst port      36 bytes
 * The "maximal" enabled type applies (a TCP segment hashes with its ports
 * when IPV4_TCP/IPV6_TCP is enabled, else by addresses alone if IPV4/IPV6
 * is). Pure: no state, no fd.
 */
#ifndef VIFD_HASH_H
#define VIFD_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ring.h"		/* <xen/io/netif.h> */

/* The longest key we take (Linux XEN_NETBK_MAX_HASH_KEY_SIZE). */
#define HASH_KEY_MAX		40u
/* The largest mapping table (Linux XEN_NETBK_MAX_HASH_MAPPING_SIZE). */
#define HASH_MAPPING_MAX	128u
/* The longest flow input (IPV6_TCP). */
#define HASH_INPUT_MAX		36u
/* The hash types we compute: all four netif.h names. */
#define HASH_TYPES_SUPPORTED	(XEN_NETIF_CTRL_HASH_TYPE_IPV4 | \
				 XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP | \
				 XEN_NETIF_CTRL_HASH_TYPE_IPV6 | \
				 XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP)

/*
 * The Toeplitz hash of data[0..data_len) under key[0..key_len): for every
 * bit of the data, MSB of data[0] first, that is set, the 32 key bits
 * starting at that bit position are XORed into the result. Key bits past
 * key_len are zero (netif.h: "Any key octets not specified are assumed
 * to be zero"). key may be NULL when key_len is 0.
 */
uint32_t hash_toeplitz(const uint8_t *key, size_t key_len,
    const uint8_t *data, size_t data_len);

/*
 * Builds the flow input of the Ethernet frame frame[0..len) for the
 * maximal type enabled in `flags` (XEN_NETIF_CTRL_HASH_TYPE_* bits).
 * Returns the input's length (8, 12, 32 or 36) with out[] filled and
 * *htype the type's bit number (_XEN_NETIF_CTRL_HASH_TYPE_*, what the
 * HASH extra carries), or 0 when no enabled type applies: not IPv4/IPv6
 * at the outermost ethertype (a VLAN-tagged frame is not hashed, as
 * Linux hashes by skb->protocol), headers truncated or inconsistent, or
 * only a TCP type enabled for a frame that is not an unfragmented TCP
 * segment.
 */
size_t hash_flow_input(const uint8_t *frame, size_t len, uint32_t flags,
    uint8_t out[HASH_INPUT_MAX], uint8_t *htype);

/* What hash_frame found for a frame. */
struct hash_result {
	bool valid;		/* a type applied; else value 0 */
	uint8_t htype;		/* _XEN_NETIF_CTRL_HASH_TYPE_* */
	uint32_t value;
};

/* hash_flow_input, then hash_toeplitz over it. */
void hash_frame(const uint8_t *key, size_t key_len, uint32_t flags,
    const uint8_t *frame, size_t len, struct hash_result *out);

/*
 * The queue a hash value names: mapping[value % size] when a table is
 * set (size > 0), else value % nqueues (netif.h: "hash mapping should be
 * done using modular arithmetic"). A table entry >= nqueues (never
 * accepted by ctrl.c) gives queue 0. nqueues must be > 0.
 */
unsigned int hash_queue(uint32_t value, const uint32_t *mapping,
    unsigned int size, unsigned int nqueues);

#endif
