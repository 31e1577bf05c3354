/*
 * gso_seg.h - TCP segmentation in software: a GSO super-frame (virtio-net
 * header with gso_type TCPV4 or TCPV6) cut into the frames a receiver
 * without that GSO feature can take, as Linux's software GSO
 * (tcp_gso_segment) does for a device without TSO.
 *
 * Used where a vifd switch hands a guest's super-frame to a port whose
 * guest did not negotiate GSO of that family (feature-gso-tcpv4/v6, or the
 * admin masked it): behind a Linux bridge the kernel would segment it, so
 * a port must not simply lose it.
 *
 * Each segment is the super-frame's headers, adjusted, followed by up to
 * gso_size bytes of its TCP payload:
 *  - IPv4: total length, identification (the first segment's + i, as
 *    Linux without SKB_GSO_TCP_FIXEDID), header checksum recomputed;
 *  - IPv6: payload length (extension headers included);
 *  - TCP: sequence number + i * gso_size; FIN and PSH only on the last
 *    segment, CWR only on the first (RFC 3168 §6.1.2: CWR once);
 *  - the TCP checksum left partial (the folded pseudo-header sum over the
 *    segment's TCP length), the segment's virtio header saying
 *    NEEDS_CSUM at it: the receiving path finishes it, or hands it to a
 *    frontend that finishes it, as for any partial checksum.
 * Ethernet padding after the IP datagram is not carried.
 *
 * Pure: reads the frame, writes the caller's header buffer; no state.
 */
#ifndef VIFD_GSO_SEG_H
#define VIFD_GSO_SEG_H

#include <stdint.h>

#include <linux/virtio_net.h>

#include "core/hdr.h"

/*
 * Bounds, each a refusal rather than unbounded work for a guest's frame:
 * headers (Ethernet, VLAN tags, IP with its options or extension headers,
 * TCP with options) above GSO_SEG_HDR_MAX bytes, and super-frames that
 * would make more than GSO_SEG_MAX segments. 128 segments cover any 64 KiB
 * frame down to an MSS of 512 (IPv4's minimum reassembly size 576 less
 * 40 bytes of headers gives 536); smaller sizes are a guest's own choice
 * and cost it the frame.
 */
#define GSO_SEG_HDR_MAX		256u
#define GSO_SEG_MAX		128u

/* A super-frame's segmentation, from gso_seg_plan. */
struct gso_seg_plan {
	struct hdr_info info;	/* the super-frame's headers */
	uint32_t hlen;		/* header bytes copied into every segment */
	uint32_t mss;		/* payload bytes per segment (the last: the
				 * rest) */
	uint32_t payload;	/* TCP payload bytes of the super-frame */
	unsigned int nsegs;	/* >= 1 */
};

/*
 * Plans the segmentation of frame[0..len) under its virtio header `vh`.
 * Returns 0 with *p filled, or:
 *  -EOPNOTSUPP	gso_type is not TCPV4 or TCPV6 (ECN included: netif
 *		carries none), or gso_size is 0;
 *  -EPROTO	the frame is not an unfragmented TCP segment of that
 *		family (hdr_parse), or its headers are longer than
 *		GSO_SEG_HDR_MAX;
 *  -E2BIG	more than GSO_SEG_MAX segments.
 */
int gso_seg_plan(const struct virtio_net_hdr *vh, const uint8_t *frame,
    size_t len, struct gso_seg_plan *p);

/*
 * Segment i (0 <= i < p->nsegs) of the frame p was planned from: its
 * headers into hdr[0..p->hlen) (hdr holds GSO_SEG_HDR_MAX bytes), its
 * payload as frame[*pay_off .. *pay_off + *pay_len), its virtio header
 * into *svh (NEEDS_CSUM at the TCP checksum, no GSO). The segment is hdr
 * then that payload. Returns the segment's length.
 */
uint32_t gso_seg_build(const struct gso_seg_plan *p, const uint8_t *frame,
    unsigned int i, uint8_t *hdr, struct virtio_net_hdr *svh,
    uint32_t *pay_off, uint32_t *pay_len);

#endif
