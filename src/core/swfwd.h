/*
 * swfwd.h - where a vifd switch sends a frame (issue 20): the decision
 * of a learning L2 switch for one frame from one port, given the ports'
 * attributes and the forwarding table (core/swfdb.h). The frame's source
 * address is learned; a known unicast destination goes to its one port,
 * anything else (broadcast, multicast, unknown unicast) is flooded.
 *
 * As a Linux bridge does (net/bridge/br_forward.c, br_input.c):
 *  - never back out of the port it came in on;
 *  - a port's VLAN (0: untagged) is its broadcast domain: a frame reaches
 *    only ports of the same VLAN and the trunk (the uplink), and is
 *    learned in it (a bridge with vlan_filtering, access ports untagged
 *    in their PVID, the host's side a trunk);
 *  - isolated ports (BR_ISOLATED, `bridge link set ... isolated on`) do
 *    not reach each other, only non-isolated ports (the uplink);
 *  - a frame whose source address is a group or all-zero address, or is
 *    pinned to another port (spoofing), or shorter than an Ethernet
 *    header, is dropped; the verdict says why (the caller counts it; the
 *    forwarding table counts the bad and spoofed sources itself).
 *
 * Pure: the caller's port table and forwarding table, time as a
 * parameter; no allocation.
 */
#ifndef VIFD_SWFWD_H
#define VIFD_SWFWD_H

#include <stddef.h>
#include <stdint.h>

#include "core/swfdb.h"

/*
 * A port is an access port of one VLAN (`vlan`, 0: none; its guest's
 * frames are untagged and a tagged one is refused while it is in a VLAN)
 * or a trunk (the uplink: every VLAN, tagged on the wire but VLAN 0;
 * the caller strips the tag of a frame from it and gives its VID, and
 * tags what goes out on it).
 */
struct swfwd_port {
	uint8_t used;
	uint8_t isolated;
	uint8_t trunk;
	uint16_t vlan;		/* an access port's; 0: untagged */
};

enum swfwd_verdict {
	SWFWD_UNICAST,		/* to out[0] */
	SWFWD_FLOOD,		/* to out[0..n-1] (n may be 0) */
	SWFWD_DROP_RUNT,	/* shorter than an Ethernet header */
	SWFWD_DROP_SRC,		/* group source, or pinned to another port */
	SWFWD_DROP_LOCAL,	/* the destination is on the port it came from */
	SWFWD_DROP_ISOLATED,	/* isolated port to isolated port */
	SWFWD_DROP_PORT,	/* the input port is not in use */
	SWFWD_DROP_VLAN,	/* a tagged frame from an access port in a
				 * VLAN */
};

/*
 * One frame (`frame`, `len` bytes, starting at its Ethernet header) from
 * port `in` of `nports` ports (at most 65536: a port is a uint16_t in the
 * forwarding table) at `now_ns`, in VLAN `vid` if `in` is a trunk (the
 * tag the caller stripped; 0: untagged), else in the port's own VLAN:
 * learns its source in `fdb` in that VLAN, writes the output ports to
 * `out` (room for `nports`; *nout set), the frame's VLAN to *vlan (a
 * trunk output tags it when not 0) and returns the verdict. The output
 * never contains `in`.
 */
enum swfwd_verdict swfwd_decide(struct swfdb *fdb,
    const struct swfwd_port *ports, unsigned int nports, unsigned int in,
    uint16_t vid, const uint8_t *frame, size_t len, uint64_t now_ns,
    uint16_t *out, unsigned int *nout, uint16_t *vlan);

#endif
