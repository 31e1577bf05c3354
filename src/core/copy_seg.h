/*
 * copy_seg.h - one grant-copy segment: what the pure TX and RX cores
 * produce and the hypervisor seam's gnttab_grant_copy consumes.
 *
 * A header of its own so that the pure cores (tx, rx) describe copies
 * without including the seam's table of operations (xen_ops.h).
 */
#ifndef VIFD_COPY_SEG_H
#define VIFD_COPY_SEG_H

#include <stdint.h>

#include <xen/xen.h>
#include <xen/grant_table.h>	/* GNTCOPY_*, GNTST_* */

/*
 * One grant-copy segment. The layout is that of libxengnttab's
 * xengnttab_grant_copy_segment_t (checked by static asserts in xen_real.c),
 * so the real implementation passes the array through untouched.
 * flags: GNTCOPY_source_gref and/or GNTCOPY_dest_gref say which side is a
 * foreign grant; the other side is a local virtual address, which may cross
 * a page boundary. On a grant side offset + len must stay within one page.
 * status: GNTST_okay or a GNTST_* error, per segment.
 */
struct xen_copy_seg {
	union xen_copy_ptr {
		void *virt;
		struct {
			uint32_t ref;
			uint16_t offset;
			uint16_t domid;
		} foreign;
	} source, dest;
	uint16_t len;
	uint16_t flags;
	int16_t status;
};

/*
 * The status of a run of segments after the copy: the first failed
 * segment's among segs[0..n), else GNTST_okay. One failed segment fails
 * the packet, slot or frame they carry.
 */
static inline int16_t
copy_seg_status(const struct xen_copy_seg *segs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (segs[i].status != GNTST_okay)
			return segs[i].status;
	return GNTST_okay;
}

#endif
