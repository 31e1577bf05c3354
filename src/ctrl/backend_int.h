/*
 * backend_int.h - what the files of the backend module share: backend.c
 * (life, and the XenbusState machine's actions), backend_xs.c (the
 * xenstore nodes), backend_hotplug.c (scripts) and backend_watch.c
 * (events). Nothing else includes it.
 */
#ifndef VIFD_BACKEND_INT_H
#define VIFD_BACKEND_INT_H

#include <stdbool.h>

#include "ctrl/backend.h"
#include "ctrl/hotplug.h"

/* Watch tokens of the frontends' state nodes: this, then "<domid>:<devid>". */
#define BE_FE_TOKEN_PREFIX "vifd:fe:"
/* The frontend key that switches multicast filtering (netif.h). */
#define BE_MC_KEY "request-multicast-control"
/* The frontend key of its XDP headroom (Linux's netif.h). */
#define BE_XDP_KEY "xdp-headroom"

/* ---- backend.c ---------------------------------------------------------- */

/*
 * Reports a problem with this vif the way Linux's xenbus_dev_fatal does
 * (backend_report), and tells the state machine, which closes the vif.
 * Other vifs are not affected.
 */
void backend_fail(struct backend *be, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Removes the device: disconnect, `offline` script (if we run them),
 * then the TAP. The struct stays until the directory goes. */
void backend_destroy_device(struct backend *be);
/* The TAP is gone (or never was): nothing left but the struct. */
void backend_destroy_device_done(struct backend *be);
/* Unlinks and frees the struct. */
void backend_free(struct backend *be);

/* ---- backend_xs.c ------------------------------------------------------- */

/* Writes our state node; on success the machine knows it is written.
 * 0 or -errno (logged). */
int backend_write_state(struct backend *be, enum xenbus_state s);
/* The message under error/backend/vif/<domid>/<devid>/error of our
 * domain, and in the log. */
void backend_report(struct backend *be, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Removes that error node (the device goes). */
void backend_clear_error(struct backend *be);
/* Removes the backend directory and its domain's once empty (xl devd's
 * job, when nobody runs xl devd here). */
void backend_remove_dir(struct backend *be);
/* Reads VIFD_FEATURES_OFF_KEY into feat_off. 0, or -EINVAL with the
 * key and the bad part in `err`. */
int backend_read_featmask(struct backend *be, char *err, size_t errlen);
/* The feature keys we support, less feat_off. 0 or -errno (logged). */
int backend_advertise(struct backend *be);
/* Reads the toolstack's keys. 0, or -EINVAL if the directory is
 * unusable (the reason is logged). */
int backend_read_keys(struct backend *be);
/* Reads vifd-link and vifd-isolated (backend_port.c); a malformed value
 * is logged and leaves the setting as it was. */
void backend_port_read(struct backend *be);
/* Applies them: the link to the vif if connected, the isolation to the
 * TAP's bridge port once the hotplug script has put it on one. */
void backend_port_apply(struct backend *be);

/* The access VLAN vifd-vlan gives a vifd switch's port: its one ID, or 0
 * (no key, or a trunk, which a switch port is not). */
uint16_t backend_port_switch_vid(const struct backend *be);
/* Once a second while connected: notices (and logs) the TAP leaving its
 * Linux bridge, and puts it back if the bridge was deleted and is made
 * again (backend_port.c). */
void backend_port_check(struct backend *be);

/* Reads the limit keys: `rate`, vifd-inbound-rate ("bytes,usec") and
 * the shapes vifd-outbound-shape, vifd-inbound-shape; an absent or
 * malformed one (said in a warning) is none. */
void backend_read_limits(struct backend *be);
/* Reads hotplug-status (and fails the vif on "error"). */
void backend_read_hotplug_status(struct backend *be);
/* The frontend's state node: Unknown if its directory is gone, 255 for
 * a value that is no number. */
enum xenbus_state backend_read_fe_state(struct backend *be);
/* Does our guest's domain exist? 1 yes, 0 no, -1 we may not tell (a
 * driver domain). Not a 0/-errno: three answers, none an error. */
int backend_domain_known(struct backend *be);
/* After @releaseDomain: is our guest gone? (-1 above: the frontend's
 * directory decides.) */
bool backend_domain_dead(struct backend *be);

/* ---- backend_hotplug.c -------------------------------------------------- */

/* Who runs this device's hotplug scripts: true if vifd does. */
bool backend_runs_scripts(struct backend *be);
/* Starts `action`'s script. 0 or -errno. */
int backend_hotplug_start(struct backend *be, enum hotplug_action action);
/* Once a second: says when the toolstack's script is long overdue. */
void backend_hotplug_overdue(struct backend *be);
/* A hotplug script may have renamed the TAP (vifname): follow it. */
void backend_refresh_ifname(struct backend *be);

/* ---- backend_watch.c ---------------------------------------------------- */

/* Watches (or stops watching) the frontend's state node. */
void backend_fe_watch(struct backend *be, bool on);
/* ... and its request-multicast-control, while connected. */
void backend_mc_watch(struct backend *be, bool on);
/* ... and its xdp-headroom, while connected (unless masked). */
void backend_xdp_watch(struct backend *be, bool on);

#endif
