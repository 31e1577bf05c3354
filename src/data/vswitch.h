/*
 * vswitch.h - switches inside vifd (issue 20): the vifs whose bridge key
 * says "vifd:NAME" (core/swspec.h) are the ports of one learning L2
 * switch NAME, which vifd makes when its first port connects and
 * forgets when its last one goes. A guest's frame goes from its TX ring
 * to the other guests' RX rings without the host's stack: the sender's
 * worker decides where it goes (core/swfwd.h: learning, flooding,
 * isolation, pinned addresses) and hands a copy to each destination
 * port's inbox (inbox.h), whose worker places it on its guest's RX ring
 * as it would a frame read from its TAP. That is two copies a frame
 * (grant copy into vifd, grant copy out of it), both counted; a full
 * inbox drops the frame for that port only, so a guest that posts no RX
 * buffers stalls nothing but what is queued for it, never the sender.
 *
 * A peer link ("vifd-peer:NAME") is the same machinery with two ports at
 * most and no decision: every frame of one goes to the other, whatever
 * its addresses (no learning, no flooding, nothing pinned).
 *
 * A port may be in a VLAN (vifd-vlan with one ID: an access port, its
 * guest's frames untagged): it reaches the ports of that VLAN alone and
 * the uplink, which is a trunk (frames of a VLAN leave it tagged, and a
 * tagged frame from the host goes to that VLAN's ports untagged).
 *
 * A port's own `mac` is pinned: another port sending from it is refused,
 * so a guest cannot steal a pinned guest's traffic. The port's
 * vifd-isolated is taken at connect and changed live.
 *
 * Thread-safety: join and leave from the control thread; send and the
 * inbox from the ports' workers (and the uplink's thread). The ports'
 * table is read-locked while a frame is decided and handed over, so
 * ports forward side by side; the forwarding table has a mutex of its
 * own, held for the decision alone.
 */
#ifndef VIFD_VSWITCH_H
#define VIFD_VSWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_net.h>

#include "core/swspec.h"
#include "core/vnet_hdr.h"
#include "data/vswitch_xsk.h"

struct inbox;
struct queue;
struct vsw_port;
struct xen_env;

/* Ports of one switch, and entries of its forwarding table. */
#define VSW_PORTS	128u
#define VSW_FDB_ENTRIES	4096u

/* A port's counters ([atomic]; `vifctl stats` prints them as
 * switch_<name>). */
#define VSW_PORT_STATS(X) \
	X(in_frames) X(in_bytes) X(out_frames) X(out_bytes) \
	X(unicast) X(flooded) X(direct) \
	X(drop_src) X(drop_isolated) X(drop_local) X(drop_runt) \
	X(drop_vlan) X(segmented) X(drop_gso) X(drop_full)

struct vsw_port_stats {
#define VSW_PORT_STATS_FIELD(n) uint64_t n;
	VSW_PORT_STATS(VSW_PORT_STATS_FIELD)
#undef VSW_PORT_STATS_FIELD
};

struct vsw_port_params {
	const char *sw;			/* the switch's name (swspec_parse) */
	const char *name;		/* the port: "vif1.0", for logs */
	const uint8_t *mac;		/* the guest's, pinned; NULL: none */
	bool isolated;
	bool peer;			/* a peer link, not a switch */
	uint16_t vlan;			/* an access port's VLAN, 1..4094;
					 * 0: none */
	bool trunk;			/* every VLAN, tagged (the uplink) */
	/* What the port's guest takes (its frontend's features, the
	 * vif's mask applied); NULL: anything (a TAP). A GSO frame it
	 * cannot take is segmented for it in software (core/gso_seg.h). */
	const struct vnet_features *rx;
	/* The Xen environment of the vifs, kept by the switch its first
	 * port makes: its uplinks' threads place frames in guests' rings
	 * through it, and say so when they enter their sandbox. */
	struct xen_env *env;
};

/*
 * Makes `p->name` a port of switch `p->sw` (made if it is the first):
 * *out gets the port. A switch and a peer link may not share a name.
 * Returns 0, or -errno with a reason in err: -ENOSPC (VSW_PORTS in use,
 * or a peer link's two, or the mac's bucket full of pinned addresses),
 * -EINVAL (the name is the other kind's, or the mac is a group
 * address), -ENOMEM, -EMFILE. A mac another port has pinned moves to
 * the new port (said in a line), and the other port has no pin left.
 */
int vsw_port_join(const struct vsw_port_params *p, struct vsw_port **out,
    char *err, size_t errlen);

/* Takes the port out of its switch (its addresses forgotten, frames still
 * in its inbox freed) and frees it; the last port frees the switch. No
 * worker of the port may run; other ports' workers may. */
void vsw_port_leave(struct vsw_port *port);

/* The port's inbox: frames from the other ports, for its guest. */
struct inbox *vsw_port_inbox(struct vsw_port *port);

/*
 * One frame from the port's guest (`vh`, then `frame` of `len` bytes,
 * as it would go to a TAP) at `now_ns`, in VLAN `vid` if the port is a
 * trunk (its tag, stripped; 0 untagged; ignored for other ports): to the
 * port its destination was learned on, or flooded, within its VLAN; a
 * trunk gets it tagged with its VLAN (untagged for VLAN 0). Returns the number of ports it was handed to
 * (0: none, a flood with nowhere to go included), or -EPERM when the
 * switch refused it (a bad or stolen source address, isolation, a
 * runt): counted on the port either way. wrote: NULL, or the frame is
 * alone in its sender's batch (light load) and, when its one destination
 * is an uplink, may be written to the TAP or put on the AF_XDP socket's
 * TX ring by the calling thread (vsw_uplink_write_now, vsw_xsk_write_now;
 * *wrote then true) rather than handed to the uplink's thread.
 */
int vsw_port_send(struct vsw_port *port, const struct virtio_net_hdr *vh,
    const uint8_t *frame, size_t len, uint16_t vid, uint64_t now_ns,
    bool *wrote);

/*
 * One copy guest to guest. `dq` is the queue that delivers the switch's
 * frames to the port's guest, NULL to take it back: while it is set,
 * another port's worker may place a frame straight into that queue's RX
 * ring (queue_direct.c). Set by the queue's worker once its ring is
 * attached; taken back after the worker stopped and before the queue's
 * buffers go: this waits for a worker placing a frame there.
 */
void vsw_port_set_direct(struct vsw_port *port, struct queue *dq);

/* A frame offered for one copy (vsw_port_send_direct): `len` bytes, of
 * which the first hlen (at least an Ethernet header; all of it for a
 * short frame) are at `head`. */
struct vsw_direct {
	const uint8_t *head;
	size_t hlen;
	size_t len;
};

/*
 * n frames from the port's guest, in order (from an uplink: whole, in
 * VLAN `vid` as for vsw_port_send; a guest's port gives 0), for one copy
 * guest to guest. Each is decided in turn; a run of consecutive frames
 * that all go to exactly one port with a direct queue dq is offered to
 * place(dq, arg, first, k): frames first..first+k-1 into that queue's
 * RX ring by this worker's hand (in one copy when hlen < len), with the
 * switch read-locked (the queue stays). place returns how many of them,
 * from the first, it put there. Stops at the first frame that was not
 * placed, or that goes anywhere else (a flood, the uplink, a port
 * without a direct queue, a refusal). Returns the number placed, a
 * prefix of fr[] (counted on both ports; switch_direct when in one
 * copy): the caller copies the rest of the next frame, if any, and sends
 * it and those after it with vsw_port_send, which decides, refuses or
 * floods each and counts it, as for any frame.
 */
unsigned int vsw_port_send_direct(struct vsw_port *port,
    const struct vsw_direct *fr, unsigned int n, uint16_t vid,
    uint64_t now_ns,
    unsigned int (*place)(struct queue *dq, void *arg, unsigned int first,
    unsigned int k), void *arg);

/* The port's isolation, live (vifd-isolated changed while connected):
 * from the next frame on. No effect on a peer link's end. Any thread. */
void vsw_port_set_isolated(struct vsw_port *port, bool on);

/* The port's access VLAN, live (vifd-vlan changed while connected):
 * 1..4094, or 0 for none. No effect on a peer link's end or a trunk.
 * Any thread. */
void vsw_port_set_vlan(struct vsw_port *port, uint16_t vid);

/* AF_XDP uplinks an admin may give (--switch-uplink), at most. */
#define VSW_XSK_UPLINKS	8u

/*
 * The switches' AF_XDP uplinks (vswitch_xsk.h), at start-up, before any
 * port joins: a switch named in `up` gets its uplink when it is made.
 * One uplink a switch, one switch a NIC queue. 0, or -EINVAL with the
 * reason in err.
 */
int vsw_set_uplinks(const struct swspec_uplink *up, unsigned int n,
    char *err, size_t errlen);

/*
 * Once a second, from the control thread: a switch whose AF_XDP uplink's
 * NIC is a new one (its name now has another interface index: the NIC
 * went away and came back, or was not there when the switch was made;
 * or the same index, but the uplink's socket was unbound: moved to
 * another namespace and back) gets a new uplink on it: the old one (if
 * any) is stopped at once, the new one made at the next tick (the old
 * one's locked memory given back by then). A refusal for want of memory
 * is tried again at the next ticks, a few times; a NIC that did not
 * change is not tried again otherwise: an uplink refused on it (another
 * XDP program, no such queue) stays refused until it does.
 */
void vsw_tick(void);

/* Whether the admin gave a switch an AF_XDP uplink on that NIC queue:
 * the privileged part's check (forked after vsw_set_uplinks, it keeps
 * its own copy). */
bool vsw_uplink_allowed(const char *ifname, uint32_t queue);

/* The port's counters. Any thread. */
void vsw_port_stats(const struct vsw_port *port, struct vsw_port_stats *out);
/* The switch (or peer link) the port is on, and which of the two. */
const char *vsw_port_switch(const struct vsw_port *port);
bool vsw_port_peer(const struct vsw_port *port);
/* The AF_XDP uplink of the switch the port is on: true with its name
 * ("IFNAME@QUEUE") in `name` and its counters, false when that switch
 * has none running. Any thread. */
bool vsw_port_xsk(const struct vsw_port *port, char *name, size_t len,
    struct vsw_xsk_stats *out);

#endif
