/*
 * wireframe.c - a switch frame made ready for a wire without offloads
 * (see wireframe.h): segments cut, partial checksums finished.
 *
 * Owns only the assembly into the caller's buffer: segmentation is
 * gso_seg.c's, the checksum arithmetic csum.c's.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "core/csum.h"
#include "core/wireframe.h"

int
wireframe_plan(const struct virtio_net_hdr *vh, const uint8_t *frame,
    size_t len, struct wireframe_plan *p)
{
	int r;

	memset(p, 0, sizeof(*p));
	p->vh = *vh;
	p->nframes = 1;
	if (vh->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return 0;
	r = gso_seg_plan(vh, frame, len, &p->seg);
	if (r < 0)
		return r;
	p->nframes = p->seg.nsegs;
	return 0;
}

int
wireframe_build(const struct wireframe_plan *p, const uint8_t *frame,
    size_t len, unsigned int i, uint8_t *dst, size_t cap)
{
	struct virtio_net_hdr vh = p->vh;
	uint32_t off, plen, n;

	if (p->vh.gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		if (len > cap)
			return -EMSGSIZE;
		memcpy(dst, frame, len);
		n = (uint32_t)len;
	} else {
		/* The segment's length first, so that nothing is written
		 * past cap: headers, then at most mss of payload. */
		off = i * p->seg.mss;
		plen = p->seg.payload - off;
		if (plen > p->seg.mss)
			plen = p->seg.mss;
		if (p->seg.hlen + plen > cap)
			return -EMSGSIZE;
		/* gso_seg_build writes the hlen header bytes alone. */
		n = gso_seg_build(&p->seg, frame, i, dst, &vh, &off, &plen);
		memcpy(dst + p->seg.hlen, frame + off, plen);
	}
	if ((vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    csum_complete_partial(dst, n, vh.csum_start, vh.csum_offset) < 0)
		return -EINVAL;
	return (int)n;
}
