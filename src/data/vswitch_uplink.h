/*
 * vswitch_uplink.h - a vifd switch's uplink to the host (issue 20): a
 * TAP named like the switch, served by a thread of its own, that is one
 * more port of the switch. What the host's stack sends on the TAP is
 * forwarded like a guest's frame; what the switch sends the uplink's
 * port is written to the TAP. The TAP is vifd's kind (persistent,
 * virtio-net headers) and left as the admin sets it: it is made down,
 * and the host reaches the guests once it is brought up (an address on
 * it, or a port of a host bridge). Only vswitch.c uses this.
 */
#ifndef VIFD_VSWITCH_UPLINK_H
#define VIFD_VSWITCH_UPLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_net.h>

struct vsw_port;
struct vsw_uplink;
struct xen_env;

/*
 * Makes (or finds) the TAP `name`, opens a queue of it and starts the
 * thread that joins it to `port` (the switch's port for it, which must
 * outlive the uplink); env: the vifs' Xen environment (NULL: none). 0,
 * or -errno with the reason in err.
 */
int vsw_uplink_start(const char *name, struct vsw_port *port,
    struct xen_env *env, struct vsw_uplink **out, char *err,
    size_t errlen);

/*
 * A frame for the host (iov: its virtio header, then the frame, tagged
 * as the trunk takes it) written to the TAP by the calling thread - a
 * guest's worker with a frame alone in its batch, which saves the
 * uplink's thread a wake-up - if nothing is in the uplink port's inbox
 * or being written by the uplink's thread, so that it overtakes no
 * frame. Returns 1 if written, 0 if not (the caller hands it to the
 * inbox: a failed write is the uplink thread's to say). Any thread, with
 * the switch read-locked (the uplink stays).
 */
struct iovec;
int vsw_uplink_write_now(struct vsw_uplink *u, const struct iovec *iov,
    int niov);

/* Stops the thread and closes the queue; the TAP stays. */
void vsw_uplink_stop(struct vsw_uplink *u);

/*
 * An uplink is the switch's trunk: a frame the host tagged 802.1Q (a
 * VLAN interface on the uplink TAP, or a tagged frame on the AF_XDP
 * uplink's wire) belongs to that VLAN's ports, which take it untagged.
 * Strips the tag in place (the addresses move up over it: *f then starts
 * 4 bytes on), moves the virtio header's offsets with it and gives the
 * VID (0: untagged, or a priority tag). Returns 0, or -1 for a tagged
 * frame too short to hold an Ethernet header after the tag.
 */
int vsw_uplink_untag(struct virtio_net_hdr *vh, uint8_t **f, size_t *len,
    uint16_t *vid);

/*
 * A frame from the wire or the host (an uplink `port`'s, untagged, of
 * VLAN vid) to the switch at now_ns. One alone in its uplink's read or
 * wake-up (light load) is first offered to its guest's ring, placed by
 * the calling thread (queue_direct_place_held): the hand-over to that
 * guest's worker is a thread wake-up, and latency. Otherwise, or if the
 * guest cannot take it so, vsw_port_send.
 */
void vsw_uplink_forward(struct vsw_port *port,
    const struct virtio_net_hdr *vh, const uint8_t *f, size_t len,
    uint16_t vid, bool alone, uint64_t now_ns);

#endif
