/*
 * tap.h - the host side of a vif: a persistent, multi-queue TAP device
 * carrying virtio-net headers.
 *
 * The device is created persistent (TUNSETPERSIST) so that it, and its
 * place on a bridge, survive a vifd crash: a restarted vifd re-attaches
 * queues to it by name. Each netif queue gets its own TAP queue fd.
 */
#ifndef VIFD_TAP_H
#define VIFD_TAP_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>

/* The MAC of every vif TAP, as Linux netback's vif netdev: the guest's
 * MAC is the guest's, never ours (Qubes #5013). */
#define TAP_MAC { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff }

/* Returns 0 if `name` is usable as an interface name we create. */
int tap_name_valid(const char *name);

/*
 * Creates the persistent TAP `name` (IFF_TAP|IFF_NO_PI|IFF_VNET_HDR|
 * IFF_MULTI_QUEUE) or re-attaches to an existing one of that kind, and
 * sets its MAC, MTU and queue length. *created tells which happened.
 * Returns 0, or -errno (-EEXIST: a device of that name that is not our
 * kind of TAP).
 */
int tap_create(const char *name, unsigned int mtu, bool *created);

/* Opens one more queue of the TAP: a non-blocking fd. Returns it or -errno. */
int tap_open_queue(const char *name);

/* TUNSETOFFLOAD: what the reader of the fd (us) accepts (TUN_F_*). */
int tap_set_offload(int fd, unsigned int tun_flags);

/* TUNSETCARRIER where the kernel has it (-ENOTTY otherwise). */
int tap_set_carrier(int fd, bool on);

/* Sets the MTU of `name`. */
int tap_set_mtu(const char *name, unsigned int mtu);
/* The MTU of `name`, or -errno. */
int tap_get_mtu(const char *name);

/* The current name of interface `ifindex` into name[IFNAMSIZ]: 0 or
 * -errno (-ENODEV if it is gone). Hotplug scripts may rename a TAP. */
int tap_name_of(unsigned int ifindex, char *name);

/* True if an interface `name` exists. */
bool tap_exists(const char *name);

/* Ends persistence; the device disappears when its last fd closes.
 * Returns 0 (also if it was already gone) or -errno. */
int tap_destroy(const char *name);

/* Size of the virtio-net header on our TAP fds (struct virtio_net_hdr). */
#define TAP_VNET_HDR_LEN 10

#endif
