/*
 * backend.h - one vif backend directory: the effects around its
 * XenbusState machine.
 *
 * A struct backend exists for every <domid>/<devid> directory under our
 * backend/vif. It owns the TAP device's lifetime, the xenstore nodes of
 * the handshake with the frontend, the hotplug script runs and the
 * connect/disconnect of the data plane (struct vif); which state comes
 * next and what that takes is decided by xenbus_fsm (pure), and carried
 * out here. Everything here runs on the control thread. The code is in
 * backend.c (life and the machine's actions), backend_xs.c (the nodes),
 * backend_hotplug.c (scripts) and backend_watch.c (events).
 */
#ifndef VIFD_BACKEND_H
#define VIFD_BACKEND_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <xen/io/xenbus.h>

#include "data/queue_stats.h"
#include "core/ratelimit.h"
#include "core/vlanspec.h"
#include "data/vif.h"
#include "data/vswitch.h"
#include "core/swspec.h"
#include "ctrl/vifd.h"
#include "core/xenbus_fsm.h"

struct hotplug_run;

/* Work a watch event asks for; done once per loop iteration (coalesced). */
#define BE_DIRTY_FE_STATE	0x01u	/* the frontend's state node */
#define BE_DIRTY_STATE		0x02u	/* our state node (toolstack writes 5) */
#define BE_DIRTY_ONLINE		0x04u
#define BE_DIRTY_HOTPLUG	0x08u	/* hotplug-status */
#define BE_DIRTY_RATE		0x10u	/* rate, vifd-inbound-rate, shapes */
#define BE_DIRTY_FATAL		0x20u	/* a worker found the frontend rogue */
#define BE_DIRTY_RELEASE	0x40u	/* a domain died: is ours alive? */
#define BE_DIRTY_RECHECK	0x80u	/* our dir may have been made anew */
#define BE_DIRTY_MCAST		0x100u	/* request-multicast-control */
#define BE_DIRTY_PORT		0x200u	/* vifd-link, vifd-isolated, vifd-vlan */
#define BE_DIRTY_XDP		0x400u	/* the frontend's xdp-headroom */

enum backend_life {
	BE_LIVE,		/* TAP exists, handshake running */
	BE_OFFLINE,		/* offline script running, then the TAP goes */
	BE_GONE,		/* device removed; waiting for the dir to go */
};

enum backend_hotplug {
	HP_IDLE,		/* nothing ran (or the toolstack runs scripts) */
	HP_ONLINE,		/* `online` running */
	HP_DONE,		/* `online` succeeded */
	HP_FAILED,		/* `online` failed: the vif is failed */
};

struct backend {
	TAILQ_ENTRY(backend) link;
	struct vifd *vd;
	uint32_t domid;			/* the guest (frontend-id) */
	uint32_t devid;
	char name[32];			/* "vif<domid>.<devid>", for logs */
	char ifname[IFNAMSIZ];		/* the TAP's current name */
	unsigned int ifindex;		/* ... which a script may change */
	char vifname[IFNAMSIZ];		/* the `vifname` key, if any */
	char path[160];			/* our backend dir */
	char fe_path[128];		/* the frontend dir */
	char fe_token[48];		/* watch token of the frontend state */
	char script[256];		/* `script`, "" for the default */
	char gatewaydev[IFNAMSIZ];	/* `gatewaydev` (env netdev) */

	enum backend_life life;
	struct xenbus_fsm fsm;		/* state, written, fe, failed */
	bool online;
	bool dir_gone;			/* our directory was removed */
	bool hotplug_node;		/* hotplug-status exists */
	bool hotplug_ok;		/* ... and says "connected" */
	enum backend_hotplug hp;
	bool run_scripts;		/* we run this device's scripts */
	/* Seconds in InitWait waiting for the toolstack's hotplug-status. */
	unsigned int toolstack_wait_s;
	struct hotplug_run *hp_run;
	unsigned int mtu;
	/* VIFD_FEATURES_OFF_KEY as last read (closure taken): what was
	 * left out of the advertisement and is ignored at connect. */
	uint32_t feat_off;
	bool feat_read;			/* ... read since vifd started */
	bool adv_fresh;			/* advertised, InitWait not written */
	struct ratelimit_rate rate_out, rate_in;
	bool link_down;			/* vifd-link = down */
	bool isolated;			/* vifd-isolated = 1 */
	bool isolation_key;		/* the key exists */
	bool isolation_set;		/* ... and the bridge port has it */
	int isolation_err;		/* last -errno applying it, or 0 */
	bool vlan_key;			/* vifd-vlan holds a good value: */
	struct vlanspec vlan;		/* ... this, */
	char vlan_str[VLANSPEC_STR_MAX];	/* ... as written */
	bool vlan_set;			/* the port has it */
	/* The Linux bridge the TAP was last seen a port of ("": none),
	 * and whether that bridge vanished under it (backend_port_check). */
	char port_bridge[16];
	bool port_orphan;
	struct shape_conf shape_out, shape_in;	/* average 0: none */
	struct vif *vif;		/* data plane, while connected */
	char features[160];		/* ... and what it negotiated
					 * (frontend_features_str), else "" */
	/* Counters of earlier connections, so that a vif's history survives
	 * guest reboots (as a netdev's counters do). */
	struct queue_stats past;
	/* Likewise the counters of its switch ports, and the switch (or
	 * peer link) it was last a port of: "" if never. */
	struct vsw_port_stats sw_past;
	char sw_last[SWSPEC_NAME_MAX + 1];
	bool sw_last_peer;
	uint16_t sw_vlan;		/* the switch port's VLAN in force */
	bool sw_trunk_said;		/* a trunk vifd-vlan refused, said */

	unsigned int dirty;		/* BE_DIRTY_* */
	bool fe_watched;
	unsigned int fe_events;		/* this second (XSA-349 cap) */
	bool fe_suspended;		/* watch dropped for flooding */
	/* The frontend's request-multicast-control, watched while the vif
	 * is connected (we offer feature-dynamic-multicast-control). */
	bool mc_watched;
	bool xdp_watched;
	bool mcast_control;		/* what the vif filters by now */
	uint16_t xdp_headroom;		/* what the vif's RX places data at
					 * now (0: none) */
};

/* Creates the backend for a directory that appeared (or that existed when
 * vifd started): reads its keys, creates or re-attaches the TAP, and
 * takes the state machine to where the directory says it is. */
struct backend *backend_add(struct vifd *vd, uint32_t domid, uint32_t devid);

/* The directory went away: tear everything down (offline script, TAP). */
void backend_remove(struct backend *be);

/* A key below our directory changed (from xswatch). */
void backend_key_changed(struct backend *be, const char *key);

/* A watch token we own fired: returns true if it was a frontend's. */
bool backend_watch_event(struct vifd *vd, const char *path, const char *token);

/* Runs the coalesced work of every backend marked dirty. */
void backend_process_all(struct vifd *vd);

/* Once a second: lifts XSA-349 suspensions, counts. */
void backend_tick(struct vifd *vd);

/* A worker reported something: mark backends to look at their vifs. */
void backend_upcall(struct vifd *vd);

/* @releaseDomain fired. */
void backend_release_domain(struct vifd *vd);

/* vifd is exiting: stop the data plane and scripts but leave the TAPs
 * and xenstore as they are, so that a restarted vifd carries on. */
void backend_shutdown_all(struct vifd *vd);

/* The vif's counters over all its connections so far. */
void backend_stats_total(const struct backend *be, struct queue_stats *out);

/* Its switch port's counters over all its connections so far into *out,
 * and the name of the switch it is (or was last) a port of, *peer if a
 * peer link; NULL (and *out zero) if it never was one. */
const char *backend_switch_total(const struct backend *be,
    struct vsw_port_stats *out, bool *peer);

struct backend *backend_find(struct vifd *vd, uint32_t domid,
    uint32_t devid);

#endif
