/*
 * brport.h - a TAP's settings as a port of a Linux bridge, over rtnetlink.
 *
 * vifd owns these settings of its TAPs (from backend keys of its own), not
 * the hotplug scripts: Xen's own vif-bridge runs unchanged, and a change
 * applies live. The bridge itself is the admin's.
 */
#ifndef VIFD_BRPORT_H
#define VIFD_BRPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Sets or clears the bridge port flag `isolated` of interface `ifindex`
 * (Linux 4.18+, IFLA_BRPORT_ISOLATED: isolated ports forward only to
 * ports that are not isolated; `bridge link set dev X isolated on`).
 * Returns 0, -EOPNOTSUPP if the interface is not a Linux bridge's port,
 * or another -errno from the kernel.
 */
int brport_set_isolated(unsigned int ifindex, bool on);

/*
 * Makes interface `ifindex` a port of the bridge `master` (an ifindex),
 * as `ip link set dev X master BR`. Returns 0 or -errno from the kernel.
 */
int brport_set_master(unsigned int ifindex, unsigned int master);

struct vlanspec;
struct nlmsghdr;

/*
 * Sends the rtnetlink request `nlh` (what the functions here build) and
 * waits for the kernel's ack, through the privileged part when there is
 * one (privsep.h), which carries it out with this same call. 0 or -errno.
 */
int brport_request(struct nlmsghdr *nlh);

/*
 * Makes the VLANs of bridge port `ifindex` exactly `vs` (see vlanspec.h),
 * or with `vs` NULL the bridge's default: `default_pvid` as PVID and
 * untagged (0: none), as a port has when it joins a VLAN-filtering
 * bridge. The bridge filters by them only while its vlan_filtering is on.
 * Returns 0, -EOPNOTSUPP if the interface is not a bridge port (or the
 * kernel has no VLAN filtering), or another -errno.
 */
int brport_set_vlans(unsigned int ifindex, const struct vlanspec *vs,
    uint16_t default_pvid);

/*
 * The Linux bridge `ifname` is a port of (its name into `bridge`), whether
 * it filters by VLAN and its default PVID (0: none), from sysfs. Returns
 * 0, -EOPNOTSUPP if `ifname` is no Linux bridge's port (on none, or on an
 * Open vSwitch datapath), or another -errno.
 */
int brport_bridge_of(const char *ifname, char *bridge, size_t len,
    bool *filtering, uint16_t *default_pvid);

/* True if `name` is a Linux bridge (its sysfs "bridge" directory). */
bool brport_is_bridge(const char *name);

#endif
