/*
 * csum.h - the internet checksum (RFC 1071): sums, pseudo-headers,
 * completing a partial checksum and verifying one.
 *
 * Representation: every 32-bit "partial sum" here is the ones-complement
 * sum of 16-bit words *as they are loaded from memory* in host byte
 * order. RFC 1071 §2(B) shows the sum is byte-order independent, so the
 * folded 16-bit result is stored back into the packet with a plain
 * (host-order) 16-bit store and ends up in network order. Callers never
 * swap bytes; they only memcpy 16-bit checksum fields in and out.
 */
#ifndef VIFD_CSUM_H
#define VIFD_CSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hdr.h"

/*
 * Adds buf[0..len) to `sum` and returns the new, unfolded partial sum.
 * buf may have any alignment and any length; an odd final byte is padded
 * with a zero byte. It must start at an even offset of the checksummed
 * stream (sum odd-length pieces only as the last piece).
 */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);

/* Ones-complement addition of two partial sums. */
uint32_t csum_add(uint32_t a, uint32_t b);

/* Folds a partial sum to 16 bits and complements it: the value to store
 * in a checksum field (0 when the data including a correct checksum
 * field is summed). */
uint16_t csum_fold(uint32_t sum);

/*
 * Partial sums of the TCP/UDP pseudo-headers: IPv4 (RFC 793 §3.1,
 * RFC 768) and IPv6 (RFC 8200 §8.1). Addresses are in network order as
 * in the packet; proto and l4_len are host-order numbers.
 */
uint32_t csum_pseudo_v4(const uint8_t saddr[4], const uint8_t daddr[4],
    uint8_t proto, uint32_t l4_len);
uint32_t csum_pseudo_v6(const uint8_t saddr[16], const uint8_t daddr[16],
    uint8_t proto, uint32_t l4_len);

/*
 * The pseudo-header sum of a parsed IP frame (info from hdr_parse, l3
 * IPv4 or IPv6), for protocol info->l4_proto and an L4 length of
 * l4_len bytes. The frame must be the one info was parsed from.
 */
uint32_t csum_pseudo_frame(const uint8_t *frame, const struct hdr_info *info,
    uint32_t l4_len);

/*
 * Finishes a partial checksum (CHECKSUM_PARTIAL / VIRTIO_NET_HDR_F_
 * NEEDS_CSUM): the 16-bit field at start + offset holds the folded,
 * uncomplemented pseudo-header sum; sums frame[start..len) and stores the
 * result in that field. A result of 0 is stored as 0xffff (the same value
 * in ones complement, and the only way to send it in UDP, RFC 768), as
 * Linux skb_checksum_help does. Returns 0, or -EINVAL if the field does
 * not lie inside the frame (start + offset + 2 > len).
 */
int csum_complete_partial(uint8_t *frame, size_t len, size_t start,
    size_t offset);

/*
 * Writes the partial checksum a GSO or CHECKSUM_PARTIAL frame must carry
 * into its TCP/UDP checksum field: the folded, uncomplemented pseudo-
 * header sum over the L4 length l3_end - l4_off (what Linux writes with
 * ~csum_tcpudp_magic / ~csum_ipv6_magic). info: an unfragmented TCP or
 * UDP frame from hdr_parse. Returns 0, or -EPROTO if info is not one.
 */
int csum_set_partial(uint8_t *frame, const struct hdr_info *info);

/*
 * Verifies the TCP or UDP checksum of a parsed frame over the L4 bytes
 * [l4_off, l3_end). A UDP-over-IPv4 checksum of 0 means "none" (RFC 768)
 * and verifies. Returns false for anything but an unfragmented TCP/UDP
 * frame.
 */
bool csum_verify_l4(const uint8_t *frame, const struct hdr_info *info);

#endif
