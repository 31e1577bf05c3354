/*
 * swspec.h - how a vif names a switch or a peer link inside vifd (issue
 * 20): its `bridge` key (xl's bridge=) is "vifd:NAME" for a port of the
 * switch NAME, "vifd-peer:NAME" for one end of the point-to-point link
 * NAME (QNX's `peer` is the model: two vifs joined, no learning). Any
 * other value is a bridge of the host's (Linux or Open vSwitch), served
 * by the hotplug script as before.
 *
 * NAME is 1 to SWSPEC_NAME_MAX characters of [A-Za-z0-9_-], the first
 * a letter: an interface name's rules without '.', so that the name can
 * be the switch's uplink interface later and never reads as Open
 * vSwitch's BRIDGE.VLAN syntax. A prefix followed by digits and colons
 * only is that syntax's BRIDGE:TRUNK (an Open vSwitch bridge named
 * "vifd" or "vifd-peer"), not ours: the leading letter keeps the two
 * apart. Pure.
 */
#ifndef VIFD_SWSPEC_H
#define VIFD_SWSPEC_H

#include <stddef.h>
#include <stdint.h>

#define SWSPEC_PREFIX		"vifd:"
#define SWSPEC_PEER_PREFIX	"vifd-peer:"
/* IFNAMSIZ - 1. */
#define SWSPEC_NAME_MAX	15u

enum swspec_kind {
	SWSPEC_NONE = 0,	/* a host bridge, or no key */
	SWSPEC_SWITCH = 1,	/* vifd:NAME */
	SWSPEC_PEER = 2,	/* vifd-peer:NAME */
};

/*
 * `bridge` (may be NULL: no key) -> its kind, with the name in
 * name[SWSPEC_NAME_MAX + 1] ("" for SWSPEC_NONE), or -EINVAL with a
 * message in `err` naming the bad part ("switch name 'sw.0': character
 * 3 ...") if it starts with one of the prefixes but the name is not
 * valid.
 */
int swspec_parse(const char *bridge, char *name, char *err, size_t errlen);

/*
 * A switch's AF_XDP uplink, as the admin gives it to vifd
 * (--switch-uplink SWITCH=IFNAME[@QUEUE]): the switch's frames for the
 * wire go out of RX/TX queue QUEUE (default 0, below SWSPEC_QUEUES) of
 * the host's interface IFNAME, and what arrives on that queue comes in.
 * SWITCH has a switch name's rules; IFNAME an interface name's (1 to 15
 * characters, none of them '/', ':', '=', '@' or white space, and not
 * "." or "..").
 */
#define SWSPEC_QUEUES	64u

struct swspec_uplink {
	char sw[SWSPEC_NAME_MAX + 1];
	char ifname[SWSPEC_NAME_MAX + 1];
	uint32_t queue;
};

/* Parses `s` into *out. 0, or -EINVAL with a message in err naming the
 * bad part. */
int swspec_uplink_parse(const char *s, struct swspec_uplink *out, char *err,
    size_t errlen);

#endif
