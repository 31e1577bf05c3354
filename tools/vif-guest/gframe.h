/*
 * gframe.h - the frames vif-guest's generator sends: valid Ethernet/IPv4
 * UDP or TCP frames built once, with correct checksums, or with a partial
 * checksum and a GSO extra for the 64 KiB TCP super-frame.
 *
 * Pure: writes only the buffer it is given.
 */
#ifndef VIFD_GFRAME_H
#define VIFD_GFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ring.h"

enum gframe_kind {
	GFRAME_UDP64,	/* 64-byte Ethernet/IPv4/UDP frame (no FCS) */
	GFRAME_F1514,	/* 1514-byte Ethernet/IPv4/UDP frame (MTU 1500) */
	GFRAME_GSO64K,	/* Ethernet/IPv4/TCP, 44 segments of MSS 1448,
			 * csum_blank + data_validated + GSO extra */
	GFRAME_MAX
};

/* MSS of the GSO frame: 1500 - 20 (IPv4) - 20 (TCP) - 12 (timestamps),
 * what Linux uses on a 1500-byte path. */
#define GFRAME_GSO_MSS		1448u
#define GFRAME_GSO_SEGS		44u
/* Bytes a buffer must hold for any frame kind. */
#define GFRAME_MAX_LEN		65535u

struct gframe_addr {
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint8_t saddr[4];	/* network order, as in the packet */
	uint8_t daddr[4];
	uint16_t sport;		/* host order */
	uint16_t dport;
};

struct gframe {
	size_t len;		/* frame bytes */
	size_t hdr_len;		/* Ethernet + IP + L4 header bytes */
	uint16_t txflags;	/* NETTXF_csum_blank | NETTXF_data_validated */
	bool has_gso;
	struct netif_extra_info gso;	/* type GSO when has_gso */
};

/* Parses "udp64", "f1514" or "gso64k": the kind, or -EINVAL. */
int gframe_parse_kind(const char *s);
/* The name of a kind; never NULL. */
const char *gframe_kind_str(int kind);

/*
 * Builds a frame of `kind` into buf (cap bytes). UDP frames carry a
 * complete checksum and no flags unless csum_blank is set, in which case
 * the checksum field holds the pseudo-header sum and the flags are
 * csum_blank | data_validated (Linux CHECKSUM_PARTIAL); the GSO frame is
 * always partial. The payload is a byte pattern. Returns 0, or -ENOSPC
 * if cap is too small, -EINVAL for an unknown kind.
 */
int gframe_build(int kind, const struct gframe_addr *a, bool csum_blank,
    uint8_t *buf, size_t cap, struct gframe *out);

/*
 * Builds an Ethernet/IPv4 frame of exactly `len` bytes with a UDP
 * (proto 17, len >= 42) or TCP (proto 6, len >= 54) header and a pattern
 * payload; checksums as gframe_build (csum_blank: partial). No GSO.
 * Returns 0, -ENOSPC (cap < len), -EINVAL (bad proto or len).
 */
int gframe_build_len(uint8_t proto, size_t len, const struct gframe_addr *a,
    bool csum_blank, uint8_t *buf, size_t cap, struct gframe *out);

#endif
