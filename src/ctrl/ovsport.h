/*
 * ovsport.h - a TAP's settings as an Open vSwitch port (VLANs, isolation),
 * with ovs-vsctl, for vifd's port keys on a bridge that is not Linux's.
 */
#ifndef VIFD_OVSPORT_H
#define VIFD_OVSPORT_H

#include <stddef.h>

/* 1 if `ifname` is a port of an Open vSwitch bridge (ovs-vsctl
 * port-to-br), 0 if not or if there is no ovs-vsctl or no OVS. */
int ovsport_is_port(const char *ifname);

/*
 * `ovs-vsctl set port IFNAME COL=VALUE...` (cols: NULL-terminated). Returns
 * 0, or -EIO with ovs-vsctl's first line of output in err, or -errno.
 */
int ovsport_set(const char *ifname, char *const cols[], char *err,
    size_t errlen);

#endif
