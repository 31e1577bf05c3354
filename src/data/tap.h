/*
 * tap.h - the host side of a vif: a persistent, multi-queue TAP device
 * carrying virtio-net headers.
 *
 * The device is created persistent (TUNSETPERSIST) so that it, and its
 * place on a bridge, survive a vifd crash: a restarted vifd re-attaches
 * queues to it by name. Each netif queue gets its own TAP queue fd.
 * vif-guest (its guest-side netdev) and the benchmark (its baseline TAP)
 * open and configure their TAPs through the same functions.
 */
#ifndef VIFD_TAP_H
#define VIFD_TAP_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>

/* The MAC of every vif TAP, as Linux netback's vif netdev: the guest's
 * MAC is the guest's, never ours (Qubes #5013). */
#define TAP_MAC { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff }

struct vnet_features;

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

/*
 * Opens one queue of the TAP `name` (IFF_TAP|IFF_NO_PI|IFF_VNET_HDR|
 * IFF_MULTI_QUEUE, a TAP_VNET_HDR_LEN header): a non-blocking fd. The
 * one way vifd, vif-guest and the benchmark open a TAP. If no device of
 * that name exists the kernel makes one, which lives as long as its
 * queues (unless made persistent); a name with "%d" is a pattern the
 * kernel completes. `actual` (IFNAMSIZ bytes, may be NULL) gets the
 * device's name. Returns the fd, or -errno (-EEXIST: a device of that
 * name that is not this kind of TAP).
 */
int tap_open_queue(const char *name, char *actual);

/*
 * The TUNSETOFFLOAD bits (TUN_F_*) for a TAP queue whose reader accepts
 * what `f` says: on vifd's TAP the frontend's features (what vifd, the
 * reader, can pass on to the frontend's RX ring); on vif-guest's the
 * backend's.
 *  - TUN_F_CSUM if the reader takes IPv4 or IPv6 checksum offload.
 *    The kernel turns TUN_F_CSUM into NETIF_F_HW_CSUM: partial checksums
 *    of any family and protocol, one bit for all. So when a frontend
 *    takes only IPv4 offload (the default: feature-ipv6-csum-offload is
 *    opt-in), IPv6 frames still arrive with NEEDS_CSUM and
 *    vnet_hdr_vhdr2netrx completes them in software. The alternative,
 *    no TUN_F_CSUM, would make the host stack checksum IPv4 too and would
 *    forbid TSO altogether.
 *  - TUN_F_TSO4 / TUN_F_TSO6 when vnet_hdr_takes_gso() for that family
 *    (GSO feature + feature-sg + that family's checksum offload; the
 *    kernel rejects TSO bits without TUN_F_CSUM).
 *  - never TUN_F_UFO or TUN_F_TSO_ECN: netif has no GSO type for them.
 * Pure.
 */
unsigned int tap_offload_flags(const struct vnet_features *f);

/* TUNSETOFFLOAD with tap_offload_flags(f) on a queue fd. 0 or -errno. */
int tap_set_offload(int fd, const struct vnet_features *f);

/* TUNSETCARRIER where the kernel has it (-ENOTTY otherwise). */
int tap_set_carrier(int fd, bool on);

/*
 * One interface ioctl `req` on `name` with `ifr` (its name filled in
 * here): what tap_set_mtu and the rest are made of, and what the
 * privileged part carries out for them (privsep.h). 0 or -errno.
 */
struct ifreq;
int tap_ifreq(const char *name, unsigned long req, struct ifreq *ifr);

/* True if `name` is a TAP of vifd's kind (persistent, multi-queue,
 * virtio-net headers, no packet information), from its sysfs tun_flags:
 * the privileged part acts on no other interface. QEMU's TAPs have the
 * same flags but are not persistent. */
bool tap_is_ours(const char *name);

/* Sets the MTU of `name`. 0 or -errno. */
int tap_set_mtu(const char *name, unsigned int mtu);
/* The MTU of `name`, or -errno. */
int tap_get_mtu(const char *name);
/* Sets the MAC of `name`. 0 or -errno. */
int tap_set_mac(const char *name, const uint8_t mac[6]);
/* Sets the queue length of `name`'s qdisc. 0 or -errno. */
int tap_set_txqlen(const char *name, unsigned int qlen);
/* Brings `name` up. 0 or -errno. */
int tap_set_up(const char *name);

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
