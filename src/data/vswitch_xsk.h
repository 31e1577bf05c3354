/*
 * vswitch_xsk.h - a vifd switch's AF_XDP uplink (issue 20): an AF_XDP
 * socket on one RX/TX queue of a host NIC, served by a thread of its
 * own, that is one more port of the switch beside its TAP uplink. What
 * arrives on that queue is forwarded like a guest's frame (the NIC's
 * other queues, and frames the switch does not learn, still reach the
 * host's stack: the XDP program passes what has no socket); what the
 * switch sends the port goes out of the queue, segmented and with its
 * checksums finished (core/wireframe.h), since an AF_XDP ring carries no
 * offload. The port is a trunk, like the TAP uplink. The admin names it
 * with --switch-uplink SWITCH=IFNAME[@QUEUE] (core/swspec.h); the NIC
 * must not also be a port of a bridge the switch's TAP is on (a loop,
 * as with any two uplinks). Only vswitch.c uses this.
 */
#ifndef VIFD_VSWITCH_XSK_H
#define VIFD_VSWITCH_XSK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/swspec.h"

struct vsw_port;
struct vsw_xsk;
struct xen_env;

/*
 * The uplink's counters, beyond its switch port's ([atomic]); vifctl
 * stats shows them on each port of the switch as "switch_xsk_<name>":
 *   rx_frames  taken off the RX ring
 *   tx_frames  put on the TX ring (segments counted)
 *   tx_nobuf   lost: no free frame in the UMEM
 *   tx_unfit   lost: longer than a UMEM frame, or a GSO frame that
 *              cannot be cut
 *   tx_gone    lost: the NIC went away (the socket was unbound)
 */
#define VSW_XSK_STATS(X) \
	X(rx_frames) X(tx_frames) X(tx_nobuf) X(tx_unfit) X(tx_gone)
struct vsw_xsk_stats {
#define VSW_XSK_FIELD(n) uint64_t n;
	VSW_XSK_STATS(VSW_XSK_FIELD)
#undef VSW_XSK_FIELD
};

/*
 * Opens the AF_XDP socket of `up` (through the privileged part), sets up
 * its memory and rings, binds it (zero-copy where the driver can, else
 * copy mode), puts it in the XDP program's map and starts the thread
 * that joins it to `port` (which must outlive the uplink); env: the
 * vifs' Xen environment (NULL: none). 0, or -errno with the reason in
 * err.
 */
int vsw_xsk_start(const struct swspec_uplink *up, struct vsw_port *port,
    struct xen_env *env, struct vsw_xsk **out, char *err, size_t errlen);

/* A NIC that goes away (unregistered: ip link del, a driver unloaded)
 * ends its uplink: it is said once (by the thread, or by a port's worker
 * that sends to it first), nothing more is sent, and the thread counts
 * what the switch still sends it as tx_gone; the switch goes on with its
 * TAP, and vsw_tick makes a new uplink when a NIC of that name is back. */

/*
 * A frame alone in its sender's batch (light load), for the wire: `vh`,
 * then `f` of len bytes, untagged. Put on the TX ring by the calling
 * thread (a port's worker) and sent, if nothing waits in the uplink's
 * inbox, so that it goes in its turn: returns 1 (counted as the thread
 * would count it, lost ones included), else 0 and nothing done: the
 * frame goes to the inbox as any other.
 */
int vsw_xsk_write_now(struct vsw_xsk *x, const struct virtio_net_hdr *vh,
    const uint8_t *f, size_t len);

/* Stops the thread and closes the socket (which leaves the map); the
 * XDP program stays for vswitch.c to take off once no uplink uses the
 * NIC (vsw_xsk_detach). Logs the uplink's counters. */
void vsw_xsk_stop(struct vsw_xsk *x);

/* Takes vifd's XDP program off the NIC of `up`. */
void vsw_xsk_detach(const struct swspec_uplink *up);

void vsw_xsk_stats(const struct vsw_xsk *x, struct vsw_xsk_stats *out);

/* Whether the uplink's NIC went away (its socket unbound). Any thread. */
bool vsw_xsk_gone(const struct vsw_xsk *x);

#endif
