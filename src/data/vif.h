/*
 * vif.h - the data plane of one connected vif: its queues and workers.
 *
 * The control thread calls vif_connect() when the frontend connects and
 * vif_disconnect() when it goes; in between each queue runs in its own
 * worker thread (src/data/queue.c). The control thread talks to workers only
 * through the functions here; the workers' reports come back through
 * the queues' upcalls, which vif.c serves.
 */
#ifndef VIFD_VIF_H
#define VIFD_VIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ratelimit.h"
#include "core/shape.h"
#include "seam/xen_ops.h"

struct frontend_info;
struct queue_stats;
struct vif;

/* Our backend key for the guest-inbound limit, "bytes,usec" as `rate`. */
#define VIF_INBOUND_RATE_KEY "vifd-inbound-rate"
/* Our backend keys for libvirt's <link state> and <port isolated>:
 * "up"/"down" and "0"/"1" (absent: up, not isolated). */
#define VIF_LINK_KEY "vifd-link"
#define VIF_ISOLATED_KEY "vifd-isolated"
/* ... and for <vlan>: src/core/vlanspec.h's grammar (absent: none). */
#define VIF_VLAN_KEY "vifd-vlan"
/* Our backend keys for libvirt's average, peak and burst of each
 * direction, "average,peak,burst" in bytes/s and bytes (shape_parse),
 * per vif; in force, one takes the place of its direction's rate key. */
#define VIF_OUTBOUND_SHAPE_KEY "vifd-outbound-shape"
#define VIF_INBOUND_SHAPE_KEY "vifd-inbound-shape"

struct vif_params {
	const char *name;		/* "vif1.0", for logs */
	const char *ifname;		/* the TAP */
	uint32_t fe_domid;
	unsigned int mtu;		/* the `mtu` key, 0 if absent */
	const struct frontend_info *fi;	/* read with feat_off applied */
	uint32_t feat_off;		/* FEATMASK_* masked on this vif */
	struct ratelimit_rate out;	/* guest -> host (`rate`) */
	struct ratelimit_rate in;	/* host -> guest (ours) */
	struct shape_conf shape_out;	/* per vif; average 0: none */
	struct shape_conf shape_in;
	int upcall_fd;			/* eventfd to signal the control loop */
	bool link_down;			/* vifd-link: start with the cable out */
	/* A port of the vifd switch or peer link of this name (the bridge
	 * key's "vifd:NAME" or "vifd-peer:NAME", core/swspec.h), or NULL: the TAP carries the
	 * frames. sw_mac: the guest's `mac`, pinned on the switch (NULL:
	 * none); sw_isolated: vifd-isolated at connect; sw_peer: `sw` is
	 * a peer link ("vifd-peer:NAME"), not a switch; sw_vlan: the
	 * port's access VLAN at connect (vifd-vlan's one ID; 0: none). */
	const char *sw;
	const uint8_t *sw_mac;
	bool sw_isolated;
	bool sw_peer;
	uint16_t sw_vlan;
};

/*
 * Maps the rings, binds the event channels, opens one TAP queue per netif
 * queue with the offloads the frontend negotiated, and starts a worker per
 * queue. Returns 0, or -errno with a one-line reason in err (nothing is
 * left behind).
 */
int vif_connect(struct xen_env *env, const struct vif_params *p,
    struct vif **out, char *err, size_t errlen);

/*
 * Holds the TAP's MTU to what the frontend can take (1500 without
 * feature-sg): a hotplug script may have raised it from the bridge or
 * the `mtu` key after we connected. Linux refuses such an MTU change on
 * its vif; a TAP cannot refuse it, so we undo it.
 */
void vif_clamp_mtu(struct vif *vif);

/* Stops the workers, then unbinds, unmaps and closes. */
void vif_disconnect(struct vif *vif);

/* The link as the admin sets it (VIF_LINK_KEY), live: down drops every
 * frame each way (counted) and turns the TAP's carrier off, as a pulled
 * cable; up undoes both (the carrier stays off while a queue stalls). */
void vif_set_link(struct vif *vif, bool up);

/* Applies new limits (live, while traffic flows): the rates to every
 * queue, the shapes to the vif's shared buckets; a shape in force takes
 * the place of its direction's rate. */
void vif_set_rate(struct vif *vif, const struct ratelimit_rate *out,
    const struct ratelimit_rate *in, const struct shape_conf *shape_out,
    const struct shape_conf *shape_in);

/* Switches multicast filtering towards the guest on or off (the
 * frontend's request-multicast-control, re-sampled on its watch). The
 * list is kept either way. */
void vif_set_mcast_control(struct vif *vif, bool on);
/* The frontend's XDP headroom (0..4095: frontend_read_xdp_headroom's
 * range), live: frames read from the TAP from now on are placed at it. */
void vif_set_xdp_headroom(struct vif *vif, uint16_t headroom);

/* True if a worker found the frontend rogue (fatal error). */
bool vif_has_fatal(const struct vif *vif);
/* If so, copies the worker's reason and returns true. */
bool vif_take_fatal(struct vif *vif, char *reason, size_t len);

/* How frames towards the guest are steered to the queue the frontend's
 * hash mapping names: "none" (no control ring, or hashing off), "ebpf"
 * (the kernel puts each on its TAP queue, tap_steer.h; the workers hand
 * over what still lands elsewhere) or "software" (the worker that read
 * a frame hands it to that queue). */
const char *vif_steering(struct vif *vif);

/* The vifd switch the vif is a port of (NULL: none), and the port's
 * counters (vswitch.h). */
const char *vif_switch(const struct vif *vif);
/* ... and whether that is a peer link rather than a switch. */
bool vif_switch_peer(const struct vif *vif);
/* The switch port's access VLAN, live (0: none). False if the vif is no
 * switch port. */
bool vif_switch_set_vlan(struct vif *vif, uint16_t vid);

/* A switch port's isolation, live (vifd-isolated); false if the vif is
 * no switch port (its isolation is its bridge port's). */
bool vif_switch_set_isolated(struct vif *vif, bool on);
struct vsw_port_stats;
void vif_switch_stats(const struct vif *vif, struct vsw_port_stats *out);
/* The AF_XDP uplink of the vif's switch (vsw_port_xsk): false if the vif
 * is no switch port or its switch has none. */
struct vsw_xsk_stats;
bool vif_switch_xsk(const struct vif *vif, char *name, size_t len,
    struct vsw_xsk_stats *out);

/* The number of queues, and the counters of queue `q` of them. */
unsigned int vif_nqueues(const struct vif *vif);
void vif_queue_stats(const struct vif *vif, unsigned int q,
    struct queue_stats *out);

#endif
