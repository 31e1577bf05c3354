/*
 * xsk_prog.c - the XDP program and the AF_XDP socket of a switch's AF_XDP
 * uplink, made with privilege (see xsk_prog.h).
 *
 * Owns the program's life on a NIC: loaded from vifd's own memory
 * (bpf/xsk_obj.h), attached once per NIC and shared by every uplink on
 * it (one socket map, indexed by RX queue), recognised by its name, and
 * detached on request only while it is still vifd's: an admin's XDP
 * program is never replaced or removed. The attachment is the netlink
 * kind, which outlives vifd: a NIC whose vifd died keeps passing its
 * frames to the host's stack (the map is emptied as sockets close), and
 * the next vifd finds its program there and uses it again.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>

#include "bpf/xsk_obj.h"
#include "data/xsk_prog.h"
#include "util/bpfobj.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif

#define XSK_PROG_NAME	"vifd_xsk"
#define XSK_MAP_NAME	"vifd_xsks"

/* The program attached to ifindex: its fd (-1: none) and the mode flag
 * to detach it with. 0, or -errno. */
static int
xsk_prog_attached(int ifindex, int *prog_fd, uint32_t *mode, char *name,
    size_t namelen)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int r;

	*prog_fd = -1;
	name[0] = '\0';
	r = bpf_xdp_query(ifindex, 0, &q);
	if (r < 0)
		return r;
	if (q.prog_id == 0)
		return 0;
	*mode = q.attach_mode == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE :
	    q.attach_mode == XDP_ATTACHED_HW ? XDP_FLAGS_HW_MODE :
	    XDP_FLAGS_DRV_MODE;
	*prog_fd = bpf_prog_get_fd_by_id(q.prog_id);
	if (*prog_fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	r = bpf_obj_get_info_by_fd(*prog_fd, &info, &len);
	if (r < 0) {
		r = -errno;
		close(*prog_fd);
		*prog_fd = -1;
		return r;
	}
	snprintf(name, namelen, "%s", info.name);
	return 0;
}

/* The socket map of vifd's program prog_fd, as a new fd. */
static int
xsk_prog_map(int prog_fd)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), ids[4];
	int fd;

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 4;
	info.map_ids = (uint64_t)(uintptr_t)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) < 0)
		return -errno;
	if (info.nr_map_ids != 1)
		return -ENOENT;		/* not the program we built */
	fd = bpf_map_get_fd_by_id(ids[0]);
	return fd < 0 ? -errno : fd;
}

/* Loads the program and attaches it to ifindex; *map_fd its map. */
static int
xsk_prog_load(int ifindex, const char *ifname, int *map_fd, char *err,
    size_t errlen)
{
	int prog_fd, r;

	r = bpfobj_load(xsk_obj, xsk_obj_len, XSK_PROG_NAME, XSK_MAP_NAME,
	    &prog_fd, map_fd, err, errlen);
	if (r < 0)
		return r;
	/* The driver's mode where the NIC has one, else generic (the
	 * kernel's choice with no mode flag); never over another program
	 * (UPDATE_IF_NOEXIST: a race with an admin's attach loses here).
	 * The attachment holds the program from then on. */
	r = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_UPDATE_IF_NOEXIST,
	    NULL);
	close(prog_fd);
	if (r < 0) {
		snprintf(err, errlen, "attaching the XDP program to %s: %s",
		    ifname, strerror(-r));
		close(*map_fd);
		*map_fd = -1;
	}
	return r;
}

/* vifd's program on ifindex: 0 with its fd in *prog_fd and its mode
 * flag in *mode, -ENOENT (no program), -EBUSY (another one, said in
 * err), or -errno (said in err). */
static int
xsk_prog_vifd(int ifindex, const char *ifname, int *prog_fd, uint32_t *mode,
    char *err, size_t errlen)
{
	char name[BPF_OBJ_NAME_LEN];
	int r;

	r = xsk_prog_attached(ifindex, prog_fd, mode, name, sizeof(name));
	if (r < 0) {
		snprintf(err, errlen, "asking %s for its XDP program: %s",
		    ifname, strerror(-r));
		return r;
	}
	if (*prog_fd < 0)
		return -ENOENT;
	if (strcmp(name, XSK_PROG_NAME) != 0) {
		close(*prog_fd);
		*prog_fd = -1;
		snprintf(err, errlen, "%s has another XDP program attached "
		    "(%s): vifd does not replace it", ifname,
		    name[0] != '\0' ? name : "unnamed");
		return -EBUSY;
	}
	return 0;
}

/* The socket map of vifd's program on ifindex, as a new fd: 0 with *map
 * set, -EBUSY (another program), -ENOENT (none), or -errno. */
static int
xsk_prog_ours(int ifindex, const char *ifname, int *map, char *err,
    size_t errlen)
{
	uint32_t mode = 0;
	int prog_fd, r;

	*map = -1;
	r = xsk_prog_vifd(ifindex, ifname, &prog_fd, &mode, err, errlen);
	if (r < 0)
		return r;
	r = xsk_prog_map(prog_fd);
	close(prog_fd);
	if (r < 0) {
		snprintf(err, errlen, "the socket map of the XDP program on "
		    "%s: %s", ifname, strerror(-r));
		return r;
	}
	*map = r;
	return 0;
}

/* The interface's index into *ifindex, and xsk_prog_ours on it. */
static int
xsk_prog_find(const char *ifname, int *ifindex, int *map, char *err,
    size_t errlen)
{
	*map = -1;
	*ifindex = (int)if_nametoindex(ifname);
	if (*ifindex == 0) {
		snprintf(err, errlen, "no interface %s", ifname);
		return -ENODEV;
	}
	return xsk_prog_ours(*ifindex, ifname, map, err, errlen);
}

int
xsk_prog_open(const char *ifname, int *xsk_fd, char *err, size_t errlen)
{
	int ifindex, map = -1, r;

	*xsk_fd = -1;
	/* Ours already (another uplink on this NIC, or an earlier vifd's):
	 * kept; none: loaded and attached. */
	r = xsk_prog_find(ifname, &ifindex, &map, err, errlen);
	if (r == -ENOENT)
		r = xsk_prog_load(ifindex, ifname, &map, err, errlen);
	if (r < 0)
		return r;
	close(map);
	*xsk_fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (*xsk_fd < 0) {
		r = -errno;
		snprintf(err, errlen, "an AF_XDP socket: %s", strerror(-r));
		return r;
	}
	return 0;
}

int
xsk_prog_bind(const char *ifname, uint32_t queue, int fd, char *err,
    size_t errlen)
{
	struct sockaddr_xdp sa;
	socklen_t len = sizeof(int);
	int dom = 0, ifindex, map = -1, r;

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len) < 0 ||
	    dom != AF_XDP) {
		snprintf(err, errlen, "not an AF_XDP socket");
		return -ENOTSOCK;
	}
	r = xsk_prog_find(ifname, &ifindex, &map, err, errlen);
	if (r == -ENOENT)
		snprintf(err, errlen, "vifd's XDP program is no longer on %s",
		    ifname);
	if (r < 0)
		return r;
	/* No copy mode forced: zero-copy where the driver has it. */
	memset(&sa, 0, sizeof(sa));
	sa.sxdp_family = AF_XDP;
	sa.sxdp_ifindex = (uint32_t)ifindex;
	sa.sxdp_queue_id = queue;
	sa.sxdp_flags = XDP_USE_NEED_WAKEUP;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		snprintf(err, errlen, "binding to %s queue %u: %s%s", ifname,
		    queue, strerror(-r), r == -EINVAL ?
		    " (no such queue, or bound already?)" : "");
		goto out;
	}
	if (bpf_map_update_elem(map, &queue, &fd, BPF_ANY) < 0) {
		r = -errno;
		snprintf(err, errlen, "putting the socket in the XDP program's "
		    "map: %s", strerror(-r));
	}
out:
	close(map);
	return r;
}

int
xsk_prog_close(const char *ifname, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o);
	int ifindex, prog_fd, r;
	uint32_t mode = 0;

	ifindex = (int)if_nametoindex(ifname);
	if (ifindex == 0)
		return 0;	/* gone, and its program with it */
	r = xsk_prog_vifd(ifindex, ifname, &prog_fd, &mode, err, errlen);
	if (r == -ENOENT || r == -EBUSY)
		return 0;	/* none, or an admin's, put there since */
	if (r < 0)
		return r;
	/* REPLACE with the old program: detached only if it is still
	 * that one when the kernel looks. */
	o.old_prog_fd = prog_fd;
	r = bpf_xdp_detach(ifindex, mode | XDP_FLAGS_REPLACE, &o);
	close(prog_fd);
	if (r < 0)
		snprintf(err, errlen, "detaching the XDP program from %s: %s",
		    ifname, strerror(-r));
	return r;
}
