/*
 * wireframe.h - a switch frame made ready for a wire that takes no
 * offload: what a vifd switch's AF_XDP uplink (data/vswitch_xsk.c) puts on
 * a NIC's queue. A frame in a switch carries a virtio-net header (a
 * guest's partial checksum, a GSO super-frame); a frame on an AF_XDP TX
 * ring is the bytes on the wire, nothing more. So:
 *  - a GSO super-frame is cut into its segments (core/gso_seg.h), as
 *    Linux's software GSO does for a device without TSO;
 *  - a partial checksum (NEEDS_CSUM, a segment's included) is finished;
 *  - a frame longer than the room the caller has (its UMEM chunk) is
 *    refused rather than cut: the wire's MTU is the admin's business, as
 *    it is for a host bridge whose port has a smaller MTU.
 *
 * Pure: reads the frame, writes the caller's buffer; no state.
 */
#ifndef VIFD_WIREFRAME_H
#define VIFD_WIREFRAME_H

#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_net.h>

#include "core/gso_seg.h"

/* A frame's way to the wire, from wireframe_plan. */
struct wireframe_plan {
	struct virtio_net_hdr vh;	/* the frame's header */
	struct gso_seg_plan seg;	/* when vh is GSO */
	unsigned int nframes;		/* wire frames it makes, >= 1 */
};

/*
 * Plans frame[0..len) under its virtio header `vh`. Returns 0 with *p
 * filled, or the reason it cannot go out: gso_seg_plan's for a GSO frame
 * that cannot be cut (-EOPNOTSUPP, -EPROTO, -E2BIG).
 */
int wireframe_plan(const struct virtio_net_hdr *vh, const uint8_t *frame,
    size_t len, struct wireframe_plan *p);

/*
 * Wire frame i (0 <= i < p->nframes) of the frame p was planned from,
 * written to dst[0..cap) with its checksum finished. Returns its length,
 * or -EMSGSIZE if it is longer than cap, or -EINVAL if a partial
 * checksum's field lies outside the frame (nothing meaningful written
 * either way).
 */
int wireframe_build(const struct wireframe_plan *p, const uint8_t *frame,
    size_t len, unsigned int i, uint8_t *dst, size_t cap);

#endif
