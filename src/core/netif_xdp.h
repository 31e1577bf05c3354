/*
 * netif_xdp.h - the part of netif's XDP headroom that Xen 4.17's
 * <xen/io/netif.h> lacks, named as Linux's copy of the header
 * (include/xen/interface/io/netif.h) names it. The one place vifd and
 * vif-guest get it from; each name only if the installed header does not
 * have it already.
 *
 * The frontend writes `xdp-headroom` (a decimal number of bytes, at most
 * XEN_NETIF_MAX_XDP_HEADROOM) when the backend offers
 * feature-xdp-headroom; while it is not 0, every received packet carries
 * an extra of type XEN_NETIF_EXTRA_TYPE_XDP whose u.xdp.headroom says at
 * which offset of its first page the data starts.
 *
 * Note: Linux's XEN_NETIF_EXTRA_TYPE_MAX is 6 (XDP included); the installed
 * header's is 5 and stays so: whoever checks an extra's type against MAX
 * decides which of the two it means (see tx.c and vif-guest's rxasm.c).
 */
#ifndef VIFD_NETIF_XDP_H
#define VIFD_NETIF_XDP_H

#include <stdint.h>

#include "core/ring.h"

#ifndef XEN_NETIF_EXTRA_TYPE_XDP
#define XEN_NETIF_EXTRA_TYPE_XDP	(5)
#endif

#ifndef XEN_NETIF_MAX_XDP_HEADROOM
#define XEN_NETIF_MAX_XDP_HEADROOM	0x7FFF
#endif

/*
 * The union member u.xdp (struct { uint16_t headroom; uint16_t pad[2]; })
 * is not in the installed struct netif_extra_info; headroom is its first
 * 16 bits, which u.pad[0] (present in every version of the header)
 * overlays. These two are the only accessors.
 */
static inline uint16_t
netif_extra_xdp_headroom(const struct netif_extra_info *ex)
{
	return ex->u.pad[0];
}

static inline void
netif_extra_set_xdp_headroom(struct netif_extra_info *ex, uint16_t headroom)
{
	ex->u.pad[0] = headroom;
	ex->u.pad[1] = 0;
	ex->u.pad[2] = 0;
}

#endif
