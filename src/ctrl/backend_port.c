/*
 * backend_port.c - a vif's link state and bridge port isolation, from
 * vifd's own backend keys (libvirt's <link state> and <port isolated>).
 *
 * Owns reading `vifd-link` ("up"/"down"), `vifd-isolated` ("0"/"1") and
 * `vifd-vlan` (vlanspec.h) and applying them: the link to the data plane
 * (vif_set_link: frames dropped each way, TAP carrier off), the isolation
 * and the VLANs to the TAP's Linux bridge port (brport.c). Both are applied at connect, when
 * the hotplug script has put the TAP on its bridge, after a vifd restart,
 * and live when a key changes. A malformed value is logged with the value
 * and changes nothing: the setting in force stays. A removed vifd-vlan
 * gives the port back the bridge's default VLAN. Also the TAP's Linux
 * bridge itself, watched once a second: deleted by the admin, said; made
 * again, the TAP rejoins it.
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctrl/backend.h"
#include "ctrl/backend_int.h"
#include "ctrl/vifd.h"
#include "ctrl/xsutil.h"
#include "core/vlanspec.h"
#include "ctrl/ovsport.h"
#include "data/brport.h"
#include "data/vif.h"
#include "util/log.h"

/* Reads a key whose value must be one of two words; absent is `dflt`.
 * Returns the value as a bool, or `cur` (and logs) when malformed;
 * *present says whether the key exists. */
static bool
backend_port_word(struct backend *be, const char *key, const char *on,
    const char *off, bool dflt, bool cur, bool *present)
{
	struct vifd *vd = be->vd;
	char *v;
	bool r = cur;

	v = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL, be->path, key);
	*present = v != NULL;
	if (v == NULL)
		r = errno == ENOENT ? dflt : cur;
	else if (strcmp(v, on) == 0)
		r = true;
	else if (strcmp(v, off) == 0)
		r = false;
	else
		log_warnx("%s: ignoring %s \"%.32s\" (not %s or %s); it stays "
		    "%s", be->name, key, v, on, off, cur ? on : off);
	free(v);
	return r;
}

/*
 * Sets Port columns of the TAP on Open vSwitch: `tag` alone is one
 * "COL=VALUE" (protected=...); with trunks and mode, the three VLAN
 * columns tag=, trunks= and vlan_mode= from vlanspec_ovs. 0 or -errno
 * (ovs-vsctl's complaint logged).
 */
static int
backend_port_ovs(struct backend *be, const char *tag, const char *trunks,
    const char *mode)
{
	char cols[3][VLANSPEC_MAX * 5 + 16], err[160];
	char *argv[4] = { cols[0], NULL, NULL, NULL };
	int r;

	if (trunks == NULL) {
		snprintf(cols[0], sizeof(cols[0]), "%s", tag);
	} else {
		snprintf(cols[0], sizeof(cols[0]), "tag=%s", tag);
		snprintf(cols[1], sizeof(cols[1]), "trunks=%s", trunks);
		snprintf(cols[2], sizeof(cols[2]), "vlan_mode=%s", mode);
		argv[1] = cols[1];
		argv[2] = cols[2];
	}
	r = ovsport_set(be->ifname, argv, err, sizeof(err));
	if (r == -EIO)
		log_warnx("%s: ovs-vsctl set port %s %s: %s", be->name,
		    be->ifname, cols[0], err);
	else if (r == 0)
		log_info("%s: Open vSwitch port %s: %s%s%s%s%s", be->name,
		    be->ifname, cols[0], argv[1] ? " " : "",
		    argv[1] ? cols[1] : "", argv[2] ? " " : "",
		    argv[2] ? cols[2] : "");
	return r;
}

/* The isolation onto the TAP's bridge port, if it has one, or onto the
 * vif's port of a switch inside vifd. */
static void
backend_port_isolate(struct backend *be)
{
	int r;

	if (be->vif != NULL && vif_switch_set_isolated(be->vif, be->isolated)) {
		be->isolation_set = be->isolated;
		be->isolation_err = 0;
		return;
	}
	/* Nothing asked and nothing to undo: leave the port alone (the
	 * admin may set the flag by other means). An explicit 0 is applied:
	 * it may undo what an earlier vifd set while this one was away. */
	if (be->ifindex == 0 || (!be->isolated && !be->isolation_set &&
	    !be->isolation_key))
		return;
	r = brport_set_isolated(be->ifindex, be->isolated);
	if (r == -EOPNOTSUPP && ovsport_is_port(be->ifname))
		r = backend_port_ovs(be, be->isolated ? "protected=true" :
		    "protected=false", NULL, NULL);
	if (r == 0) {
		be->isolation_set = be->isolated;
		be->isolation_err = 0;
	} else if (r != be->isolation_err) {
		errno = -r;
		if (r == -EOPNOTSUPP)
			log_warnx("%s: %s is not on a Linux or Open vSwitch "
			    "bridge; %s=%d not applied", be->name, be->ifname,
			    VIF_ISOLATED_KEY, be->isolated ? 1 : 0);
		else
			log_warn("%s: cannot set %s isolated %s", be->name,
			    be->ifname, be->isolated ? "on" : "off");
	}
	if (r != 0)
		be->isolation_err = r;
}

uint16_t
backend_port_switch_vid(const struct backend *be)
{
	if (!be->vlan_key || be->vlan.trunk || be->vlan.n != 1)
		return 0;
	return be->vlan.v[0].vid;
}

/*
 * The VLAN of a vifd switch's port: an access port, vifd-vlan's one ID
 * (0: none). A trunk is not what a switch port is (its guest's frames are
 * untagged; the uplink is the trunk): said once, and the port stays in
 * the VLAN it had.
 */
static void
backend_port_switch_vlan(struct backend *be)
{
	uint16_t vid = backend_port_switch_vid(be);

	if (be->vlan_key && be->vlan.trunk) {
		if (!be->sw_trunk_said)
			log_warnx("%s: %s \"%s\": a vifd switch's port is an "
			    "access port (one VLAN ID; the uplink is the "
			    "trunk); not applied", be->name, VIF_VLAN_KEY,
			    be->vlan_str);
		be->sw_trunk_said = true;
		return;
	}
	be->sw_trunk_said = false;
	if (vif_switch_set_vlan(be->vif, vid) && vid != be->sw_vlan)
		log_info("%s: switch port in VLAN %u%s", be->name, vid,
		    vid == 0 ? " (none)" : "");
	be->sw_vlan = vid;
	be->vlan_set = be->vlan_key;
}

/* The VLANs onto the TAP's bridge port, if it is on a Linux bridge; a
 * vifd switch's port takes its own. */
static void
backend_port_vlan(struct backend *be)
{
	char bridge[IFNAMSIZ];
	uint16_t dflt = 0;
	bool filtering = false;
	int r;

	if (be->vif != NULL && vif_switch(be->vif) != NULL) {
		backend_port_switch_vlan(be);
		return;
	}
	if (be->ifindex == 0 || (!be->vlan_key && !be->vlan_set))
		return;		/* nothing asked, nothing to undo */
	r = brport_bridge_of(be->ifname, bridge, sizeof(bridge), &filtering,
	    &dflt);
	if (r == 0)
		r = brport_set_vlans(be->ifindex, be->vlan_key ? &be->vlan :
		    NULL, dflt);
	else if (r == -EOPNOTSUPP && ovsport_is_port(be->ifname)) {
		char tag[8], trunks[VLANSPEC_MAX * 5 + 8];
		const char *mode;

		/* OVS filters by VLAN always: nothing to warn about. */
		filtering = true;
		r = vlanspec_ovs(be->vlan_key ? &be->vlan : NULL, tag,
		    sizeof(tag), trunks, sizeof(trunks), &mode);
		if (r == 0)
			r = backend_port_ovs(be, tag, trunks, mode);
	}
	if (r == 0) {
		be->vlan_set = be->vlan_key;
		if (be->vlan_key && !filtering)
			log_warnx("%s: bridge %s has VLAN filtering off: %s is "
			    "set on %s but filters nothing until it is on "
			    "(ip link set %s type bridge vlan_filtering 1)",
			    be->name, bridge, VIF_VLAN_KEY, be->ifname,
			    bridge);
	} else if (r == -EOPNOTSUPP) {
		log_warnx("%s: %s is not on a Linux bridge (or the kernel "
		    "has no VLAN filtering) nor on Open vSwitch; %s not "
		    "applied", be->name, be->ifname, VIF_VLAN_KEY);
	} else {
		errno = -r;
		log_warn("%s: cannot set the VLANs of %s", be->name,
		    be->ifname);
	}
}

/* vifd-vlan: absent is none; malformed keeps what is in force. */
static void
backend_port_read_vlan(struct backend *be)
{
	struct vifd *vd = be->vd;
	struct vlanspec vs;
	char *v, err[128];

	v = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL, be->path,
	    VIF_VLAN_KEY);
	if (v == NULL) {
		if (errno == ENOENT)
			be->vlan_key = false;
		return;
	}
	if (vlanspec_parse(v, &vs, err, sizeof(err)) < 0) {
		log_warnx("%s: ignoring %s \"%.64s\": %s; the VLANs in force "
		    "stay", be->name, VIF_VLAN_KEY, v, err);
	} else {
		be->vlan = vs;
		be->vlan_key = true;
		snprintf(be->vlan_str, sizeof(be->vlan_str), "%s", v);
	}
	free(v);
}

void
backend_port_read(struct backend *be)
{
	bool present;

	be->link_down = !backend_port_word(be, VIF_LINK_KEY, "up", "down",
	    true, !be->link_down, &present);
	be->isolated = backend_port_word(be, VIF_ISOLATED_KEY, "1", "0",
	    false, be->isolated, &be->isolation_key);
	backend_port_read_vlan(be);
}

void
backend_port_apply(struct backend *be)
{
	if (be->vif != NULL)
		vif_set_link(be->vif, !be->link_down);
	/* Before the script (ours or the toolstack's) said connected, the
	 * TAP is on no bridge yet. */
	if (be->hotplug_ok) {
		backend_port_isolate(be);
		backend_port_vlan(be);
	}
}

/* The Linux bridge `name` exists (its ifindex), or 0. */
static unsigned int
backend_port_bridge_index(const char *name)
{
	return brport_is_bridge(name) ? if_nametoindex(name) : 0;
}

/* The Linux bridge `ifname` is a port of, into `bridge` (sysfs: its
 * master link, and that master a bridge). 0, or -EOPNOTSUPP if none. Not
 * brport_bridge_of: that one needs the kernel's VLAN filtering too. */
static int
backend_port_master(const char *ifname, char *bridge, size_t len)
{
	char path[64 + IFNAMSIZ], target[256];
	const char *slash;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/master", ifname);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -EOPNOTSUPP;
	target[n] = '\0';
	slash = strrchr(target, '/');
	snprintf(bridge, len, "%.*s", IFNAMSIZ - 1, slash != NULL ?
	    slash + 1 : target);
	return backend_port_bridge_index(bridge) != 0 ? 0 : -EOPNOTSUPP;
}

/*
 * The admin deleting the TAP's bridge (`ip link del xenbr0`) leaves the
 * vif connected and its traffic going nowhere, and nothing tells vifd: so
 * the tick looks (sysfs, a few syscalls a vif). A TAP taken off a bridge
 * that still exists was moved on purpose: said, and left alone. A bridge
 * that vanished: said, and when a bridge of that name is made again the
 * TAP is put back on it, isolation and VLANs too (the script is not run
 * again: it did its work on the TAP, which is still there).
 */
void
backend_port_check(struct backend *be)
{
	char bridge[IFNAMSIZ];
	unsigned int br;
	int r;

	if (!be->hotplug_ok || be->ifindex == 0 ||
	    be->fsm.state != XenbusStateConnected)
		return;
	r = backend_port_master(be->ifname, bridge, sizeof(bridge));
	if (r == 0) {
		if (be->port_orphan)
			log_info("%s: %s is a port of %s again", be->name,
			    be->ifname, bridge);
		be->port_orphan = false;
		snprintf(be->port_bridge, sizeof(be->port_bridge), "%s",
		    bridge);
		return;
	}
	if (r != -EOPNOTSUPP || be->port_bridge[0] == '\0')
		return;		/* never on a Linux bridge (OVS, routed) */
	if (if_nametoindex(be->ifname) != be->ifindex)
		return;		/* the TAP itself is gone: the queues say so */
	br = backend_port_bridge_index(be->port_bridge);
	if (!be->port_orphan) {
		if (br != 0) {
			log_info("%s: %s was taken off %s; vifd leaves it so",
			    be->name, be->ifname, be->port_bridge);
			be->port_bridge[0] = '\0';
			return;
		}
		log_warnx("%s: its TAP %s is no longer a port of %s: the "
		    "bridge is gone; its traffic goes nowhere until a bridge "
		    "%s is made again", be->name, be->ifname, be->port_bridge,
		    be->port_bridge);
		be->port_orphan = true;
		return;
	}
	if (br == 0)
		return;
	r = brport_set_master(be->ifindex, br);
	if (r < 0) {
		errno = -r;
		log_warn("%s: %s is back but %s cannot join it", be->name,
		    be->port_bridge, be->ifname);
		be->port_orphan = false;
		be->port_bridge[0] = '\0';
		return;
	}
	log_info("%s: %s is back: %s is its port again", be->name,
	    be->port_bridge, be->ifname);
	be->port_orphan = false;
	be->isolation_set = false;
	be->vlan_set = false;
	backend_port_apply(be);
}
