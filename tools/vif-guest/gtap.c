/*
 * gtap.c - the guest's network interface in tap mode: a multi-queue TAP
 * with virtio headers standing for the netfront netdev, created in our
 * network namespace (where our xenstore and event channel sockets stay),
 * given the frontend's MAC and MTU and the offloads the backend allows,
 * then moved (and renamed) into the guest's namespace. Its queue fds keep
 * working after the move. Owns the device only; the frames are gq.c's.
 * The TAP itself is opened and configured as vifd's own (src/data/tap_linux.c:
 * the same flags, header and offload mapping), only not persistent: it
 * goes with its last fd.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/log.h"
#include "data/tap.h"
#include "vif-guest.h"

/* Netlink attribute append; false if it does not fit. */
static bool
gtap_nla(struct nlmsghdr *n, size_t cap, unsigned short type,
    const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(n->nlmsg_len);
	struct rtattr *rta = (struct rtattr *)((char *)n + off);

	if (off + RTA_SPACE(len) > cap)
		return false;
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	n->nlmsg_len = (uint32_t)(off + RTA_SPACE(len));
	return true;
}

/* `ip link set dev <ifindex> netns <nsfd> name <newname>` over rtnetlink
 * (RTM_NEWLINK on an existing index; the kernel renames during the move). */
static int
gtap_move(int ifindex, int nsfd, const char *newname)
{
	struct {
		struct nlmsghdr n;
		struct ifinfomsg i;
		char attrs[256];
	} req;
	char ans[1024];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	uint32_t fd = (uint32_t)nsfd;
	ssize_t r;
	int s, rc = 0;

	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.n.nlmsg_type = RTM_NEWLINK;
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.n.nlmsg_seq = 1;
	req.i.ifi_family = AF_UNSPEC;
	req.i.ifi_index = ifindex;
	if (!gtap_nla(&req.n, sizeof(req), IFLA_NET_NS_FD, &fd, sizeof(fd)) ||
	    !gtap_nla(&req.n, sizeof(req), IFLA_IFNAME, newname,
	    strlen(newname) + 1))
		return -E2BIG;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		return -errno;
	if (sendto(s, &req, req.n.nlmsg_len, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) < 0) {
		rc = -errno;
		goto out;
	}
	r = recv(s, ans, sizeof(ans), 0);
	if (r < 0) {
		rc = -errno;
		goto out;
	}
	if ((size_t)r >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)ans;

		if (h->nlmsg_type == NLMSG_ERROR &&
		    (size_t)r >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			rc = e->error;	/* 0 is the ACK */
		}
	}
out:
	close(s);
	return rc;
}

/* Bringing the link up inside the guest's namespace happens on a helper
 * thread: setns() changes only the calling thread's namespace, so the
 * rest of vif-guest stays where it is. */
struct gtap_upjob {
	int nsfd;
	const char *name;
	int rc;
};

static void *
gtap_up_thread(void *arg)
{
	struct gtap_upjob *j = arg;

	if (setns(j->nsfd, CLONE_NEWNET) < 0)
		j->rc = -errno;
	else
		j->rc = tap_set_up(j->name);
	return NULL;
}

int
gtap_create(struct vg *vg, unsigned int nq)
{
	const struct gopts *o = &vg->o;
	struct vnet_features peer;
	char tmpname[IFNAMSIZ];
	const char *name;
	unsigned int i, tun_flags;
	int rc, nsfd = -1, ifindex;

	/* In the guest's namespace the TAP has its final name; here it gets
	 * a unique one, so that two vif-guests making "eth0" at once never
	 * attach to each other's device. */
	if (o->netns != NULL) {
		snprintf(tmpname, sizeof(tmpname), "vgt%d.%u", (int)getpid(),
		    o->devid % 1000);
		name = tmpname;
		nsfd = open("/run/netns", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (nsfd >= 0) {
			int d = nsfd;

			nsfd = openat(d, o->netns, O_RDONLY | O_CLOEXEC);
			close(d);
		}
		if (nsfd < 0) {
			log_warn("network namespace '%s' (/run/netns/%s)",
			    o->netns, o->netns);
			return -ENOENT;
		}
	} else {
		name = o->tap;
	}
	if (if_nametoindex(name) != 0) {
		log_warnx("interface %s already exists", name);
		rc = -EEXIST;
		goto fail;
	}

	vg->tapfds = calloc(nq, sizeof(int));
	if (vg->tapfds == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < nq; i++) {
		int fd = tap_open_queue(name, NULL);

		if (fd < 0) {
			rc = fd;
			log_warnx("opening queue %u of %s: %s", i, name,
			    strerror(-rc));
			goto fail;
		}
		vg->tapfds[vg->ntapfds++] = fd;
	}

	/* The guest stack may hand us what the backend takes: checksum
	 * offload, and TSO where the backend has GSO and SG
	 * (xennet_fix_features). */
	gq_peer_features(vg, &peer);
	tun_flags = tap_offload_flags(&peer);
	for (i = 0; i < vg->ntapfds; i++) {
		if ((rc = tap_set_offload(vg->tapfds[i], &peer)) != 0) {
			log_warnx("TUNSETOFFLOAD %#x on %s: %s", tun_flags,
			    name, strerror(-rc));
			goto fail;
		}
	}

	if ((rc = tap_set_mac(name, vg->mac)) != 0) {
		log_warnx("setting the MAC of %s: %s", name, strerror(-rc));
		goto fail;
	}
	if ((rc = tap_set_mtu(name, vg->mtu)) != 0) {
		log_warnx("setting MTU %u on %s: %s", vg->mtu, name,
		    strerror(-rc));
		goto fail;
	}

	if (o->netns != NULL) {
		pthread_t t;
		struct gtap_upjob j = { .nsfd = nsfd, .name = o->tap };

		ifindex = (int)if_nametoindex(name);
		if (ifindex == 0) {
			rc = -errno;
			log_warn("%s vanished", name);
			goto fail;
		}
		rc = gtap_move(ifindex, nsfd, o->tap);
		if (rc != 0) {
			log_warnx("moving %s into netns %s as %s: %s", name,
			    o->netns, o->tap, strerror(-rc));
			goto fail;
		}
		if (!o->no_up) {
			rc = pthread_create(&t, NULL, gtap_up_thread, &j);
			if (rc == 0) {
				pthread_join(t, NULL);
				rc = j.rc;
			} else {
				rc = -rc;
			}
			if (rc != 0) {
				log_warnx("bringing %s up in netns %s: %s",
				    o->tap, o->netns, strerror(-rc));
				goto fail;
			}
		}
		close(nsfd);
		nsfd = -1;
	} else if (!o->no_up && (rc = tap_set_up(name)) != 0) {
		log_warnx("bringing %s up: %s", name, strerror(-rc));
		goto fail;
	}
	log_info("tap %s: %u queue%s, mac %02x:%02x:%02x:%02x:%02x:%02x, "
	    "mtu %u, offload %#x%s%s", o->tap, nq, nq == 1 ? "" : "s",
	    vg->mac[0], vg->mac[1], vg->mac[2], vg->mac[3], vg->mac[4],
	    vg->mac[5], vg->mtu, tun_flags, o->netns ? ", netns " : "",
	    o->netns ? o->netns : "");
	return 0;

fail:
	if (nsfd >= 0)
		close(nsfd);
	gtap_close(vg);
	return rc;
}

void
gtap_close(struct vg *vg)
{
	unsigned int i;

	/* The TAP is not persistent: it goes with its last fd. */
	for (i = 0; i < vg->ntapfds; i++)
		close(vg->tapfds[i]);
	free(vg->tapfds);
	vg->tapfds = NULL;
	vg->ntapfds = 0;
}
