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

/*
 * Sets or clears the bridge port flag `isolated` of interface `ifindex`
 * (Linux 4.18+, IFLA_BRPORT_ISOLATED: isolated ports forward only to
 * ports that are not isolated; `bridge link set dev X isolated on`).
 * Returns 0, -EOPNOTSUPP if the interface is not a Linux bridge's port,
 * or another -errno from the kernel.
 */
int brport_set_isolated(unsigned int ifindex, bool on);

#endif
