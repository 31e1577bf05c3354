/*
 * brport.c - bridge port settings of a TAP over rtnetlink (libmnl).
 *
 * Owns one request/ack exchange per setting on a short-lived NETLINK_ROUTE
 * socket: RTM_SETLINK of family AF_BRIDGE on the port with a nested
 * IFLA_PROTINFO, as iproute2's `bridge link set` sends it. Called from the
 * control thread only, rarely (a key change, a hotplug script done), so a
 * socket per call costs nothing worth keeping one open for.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <stdint.h>
#include <string.h>
#include <net/if.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/vlanspec.h"
#include "data/brport.h"
#include "util/privsep.h"

/* libmnl's MNL_SOCKET_BUFFER_SIZE is min(page size, 8192) computed at run
 * time (a variable-length array here); 8192 bytes hold any request and
 * ack of ours. */
#define BRPORT_BUF 8192

int
brport_request(struct nlmsghdr *nlh)
{
	char buf[BRPORT_BUF];
	struct mnl_socket *nl;
	unsigned int portid, seq = (unsigned int)time(NULL);
	ssize_t n;
	int r;

	if (privsep_active())
		return privsep_netlink(nlh, nlh->nlmsg_len);
	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (nl == NULL)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		r = -errno;
		goto out;
	}
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0) {
		r = -errno;
		goto out;
	}
	/* The ack is an NLMSG_ERROR with error 0; mnl_cb_run turns a
	 * non-zero one into -1 with errno set. */
	r = mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL) < 0 ?
	    -errno : 0;
out:
	mnl_socket_close(nl);
	return r;
}

/* An AF_BRIDGE link message for the port `ifindex` in buf. */
static struct nlmsghdr *
brport_msg(char *buf, uint16_t type, unsigned int ifindex)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	memset(ifi, 0, sizeof(*ifi));
	ifi->ifi_family = AF_BRIDGE;
	ifi->ifi_index = (int)ifindex;
	return nlh;
}

static void
brport_put_vid(struct nlmsghdr *nlh, uint16_t flags, uint16_t vid)
{
	struct bridge_vlan_info vi = { .flags = flags, .vid = vid };

	mnl_attr_put(nlh, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi);
}

int
brport_set_vlans(unsigned int ifindex, const struct vlanspec *vs,
    uint16_t default_pvid)
{
	char buf[BRPORT_BUF];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	unsigned int i;
	uint16_t f;
	int r;

	/* Every VLAN of the port goes first (a range over all ids: the
	 * kernel skips those the port does not have), so that what is left
	 * is exactly the spec, the bridge's default PVID included. */
	nlh = brport_msg(buf, RTM_DELLINK, ifindex);
	nest = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	brport_put_vid(nlh, BRIDGE_VLAN_INFO_RANGE_BEGIN, 1);
	brport_put_vid(nlh, BRIDGE_VLAN_INFO_RANGE_END, VLANSPEC_VID_MAX);
	mnl_attr_nest_end(nlh, nest);
	if ((r = brport_request(nlh)) < 0)
		return r;
	if (vs == NULL && default_pvid == 0)
		return 0;
	nlh = brport_msg(buf, RTM_SETLINK, ifindex);
	nest = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	if (vs == NULL) {
		brport_put_vid(nlh, BRIDGE_VLAN_INFO_PVID |
		    BRIDGE_VLAN_INFO_UNTAGGED, default_pvid);
	} else {
		for (i = 0; i < vs->n; i++) {
			f = (vs->v[i].pvid ? BRIDGE_VLAN_INFO_PVID : 0) |
			    (vs->v[i].untagged ? BRIDGE_VLAN_INFO_UNTAGGED : 0);
			brport_put_vid(nlh, f, vs->v[i].vid);
		}
	}
	mnl_attr_nest_end(nlh, nest);
	return brport_request(nlh);
}

int
brport_set_isolated(unsigned int ifindex, bool on)
{
	char buf[BRPORT_BUF];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int r;

	/* Not a bridge port: rtnl_bridge_setlink finds no master to hand
	 * the request to and answers EOPNOTSUPP. */
	nlh = brport_msg(buf, RTM_SETLINK, ifindex);
	nest = mnl_attr_nest_start(nlh, IFLA_PROTINFO);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_ISOLATED, on ? 1 : 0);
	mnl_attr_nest_end(nlh, nest);
	r = brport_request(nlh);
	return r;
}

int
brport_set_master(unsigned int ifindex, unsigned int master)
{
	char buf[BRPORT_BUF];
	struct nlmsghdr *nlh;

	/* Not an AF_BRIDGE message: the master is a link attribute. */
	nlh = brport_msg(buf, RTM_SETLINK, ifindex);
	((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_family =
	    AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_MASTER, master);
	return brport_request(nlh);
}

/* A small sysfs number, or -errno. */
static long
brport_sysfs_num(const char *path)
{
	char buf[32];
	FILE *f = fopen(path, "re");
	long v;
	int r;

	if (f == NULL)
		return -errno;
	r = fgets(buf, sizeof(buf), f) != NULL ? 0 : -EIO;
	fclose(f);
	if (r < 0)
		return r;
	v = strtol(buf, NULL, 10);
	return v < 0 ? -EINVAL : v;
}

int
brport_bridge_of(const char *ifname, char *bridge, size_t len,
    bool *filtering, uint16_t *default_pvid)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *slash;
	ssize_t n;
	long v;

	snprintf(path, sizeof(path), "/sys/class/net/%s/master", ifname);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return errno == ENOENT ? -EOPNOTSUPP : -errno;
	target[n] = '\0';
	slash = strrchr(target, '/');
	snprintf(bridge, len, "%s", slash != NULL ? slash + 1 : target);
	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge/vlan_filtering",
	    bridge);
	v = brport_sysfs_num(path);
	if (v < 0)
		return v == -ENOENT ? -EOPNOTSUPP : (int)v;	/* not a bridge */
	*filtering = v != 0;
	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge/default_pvid",
	    bridge);
	v = brport_sysfs_num(path);
	*default_pvid = v > 0 && v <= 4094 ? (uint16_t)v : 0;
	return 0;
}

bool
brport_is_bridge(const char *name)
{
	char path[64];

	if (strchr(name, '/') != NULL || strlen(name) >= IFNAMSIZ)
		return false;
	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", name);
	return access(path, F_OK) == 0;
}
