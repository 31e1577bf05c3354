/*
 * frames.h - builds Ethernet frames for the hdr, csum, vnet_hdr and rx
 * tests, and checks checksums with a deliberately naive RFC 1071
 * implementation (byte pairs, 32-bit accumulator) that shares no code
 * with src/core/csum.c.
 */
#ifndef VIFD_TEST_FRAMES_H
#define VIFD_TEST_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct frame_spec {
	int ip;			/* 4, 6, or 0 for an ARP frame */
	uint8_t l4;		/* IPPROTO_TCP, IPPROTO_UDP, or another */
	unsigned int nvlan;	/* VLAN tags (0x8100, or 0x88a8 + 0x8100) */
	unsigned int payload;	/* L4 payload bytes */
	unsigned int v6_ext;	/* IPv6 destination-options headers */
	bool frag;		/* IPv4 MF / IPv6 fragment header with MF */
	unsigned int tcp_opt;	/* TCP option bytes (multiple of 4) */
	unsigned int pad;	/* bytes after the IP datagram (Ethernet pad) */
};

struct frame_layout {
	size_t len;		/* whole frame */
	size_t l3_off;
	size_t l4_off;
	size_t l4_hdr_len;	/* 0 for other L4 protocols */
	size_t l3_end;
};

/* Writes the frame into buf (cap bytes) with a correct L4 checksum.
 * Returns the layout; len 0 if it did not fit. */
struct frame_layout frame_build(uint8_t *buf, size_t cap,
    const struct frame_spec *s);

/* Naive RFC 1071 sum of p[0..n) in network order (big-endian words). */
uint32_t ref_sum(const uint8_t *p, size_t n, uint32_t sum);
/* Folded, complemented, network order. */
uint16_t ref_fold(uint32_t sum);

/* Reference checksum of the L4 part of a built frame (field included),
 * 0 when the checksum is right. */
uint16_t ref_l4_check(const uint8_t *buf, const struct frame_layout *lo,
    int ip, uint8_t proto);

/* Offset of the TCP/UDP checksum field in the L4 header. */
size_t ref_csum_field(uint8_t proto);

/* Deterministic PRNG for the fuzz loops (xorshift64*). */
uint64_t prng_next(uint64_t *state);

#endif
