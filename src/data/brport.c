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
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "data/brport.h"

/* Sends `nlh` and waits for the kernel's ack. 0 or -errno. */
static int
brport_talk(struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	unsigned int portid, seq = (unsigned int)time(NULL);
	ssize_t n;
	int r;

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

int
brport_set_isolated(unsigned int ifindex, bool on)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *nest;
	int r;

	/* Not a bridge port: rtnl_bridge_setlink finds no master to hand
	 * the request to and answers EOPNOTSUPP. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_SETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	memset(ifi, 0, sizeof(*ifi));
	ifi->ifi_family = AF_BRIDGE;
	ifi->ifi_index = (int)ifindex;
	nest = mnl_attr_nest_start(nlh, IFLA_PROTINFO);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_ISOLATED, on ? 1 : 0);
	mnl_attr_nest_end(nlh, nest);
	r = brport_talk(nlh);
	return r;
}
