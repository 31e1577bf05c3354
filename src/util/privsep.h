/*
 * privsep.h - vifd's two parts: the privileged part, a small process that
 * keeps root's capabilities, and vifd proper, which gives them up.
 *
 * vifd forks the privileged part at start-up, before any thread, then
 * drops every capability but CAP_BPF (privdrop.h). From then on, each act
 * that needs privilege is one request over a socketpair, answered by the
 * privileged part after its own checks (privpolicy.h):
 *  - open a queue of a TAP, create a persistent TAP, destroy one;
 *  - set a TAP's MTU (its MAC, queue length and flags are set at creation);
 *  - one rtnetlink request on a TAP's bridge port (master, isolation,
 *    VLANs);
 *  - start a hotplug script (or ovs-vsctl) as root, signal its process
 *    group, and reap it;
 *  - load the TAP's steering program (which wants CAP_PERFMON);
 *  - for a switch's AF_XDP uplink on a NIC queue the admin named: attach
 *    the XDP program and open the AF_XDP socket; bind it to that queue
 *    and put it in the program's map; detach the program.
 * The functions that do these (tap_linux.c, brport.c, spawn.c) call the
 * client below when privsep_active(), and act themselves otherwise: in
 * the privileged part, in vif-guest and the benchmark, with --privsep=off.
 */
#ifndef VIFD_PRIVSEP_H
#define VIFD_PRIVSEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <net/if.h>

enum privsep_op {
	PRIVSEP_TAP_OPEN = 1,	/* name -> a queue fd, the device's name */
	PRIVSEP_TAP_CREATE,	/* name, arg = MTU -> status = created */
	PRIVSEP_TAP_DESTROY,	/* name */
	PRIVSEP_IFREQ,		/* name, arg = ioctl request, ifr */
	PRIVSEP_NETLINK,	/* data: one rtnetlink request */
	PRIVSEP_SPAWN,		/* arg = search, data: path, argv, envp;
				 * the output fd passed -> ret = pid */
	PRIVSEP_WAIT,		/* pid, arg = waitpid flags -> status */
	PRIVSEP_STEER_LOAD,	/* -> the steering program's fd, its map's */
	PRIVSEP_KILL,		/* pid (a child's group), arg = signal */
	PRIVSEP_XSK_OPEN,	/* name = a NIC, arg = its queue -> an AF_XDP
				 * socket's fd */
	PRIVSEP_XSK_BIND,	/* name, arg as above, the socket passed:
				 * bound there and put in the XDP map */
	PRIVSEP_XSK_CLOSE,	/* name = a NIC, arg = its queue */
};

/* File descriptors passed with one message, at most. */
#define PRIVSEP_FDS_MAX 2

/* A request: this header, then `len` bytes of data. */
struct privsep_req {
	uint32_t op;
	uint32_t arg;
	int32_t pid;
	uint16_t argc;		/* PRIVSEP_SPAWN: strings of argv */
	uint16_t envc;		/* PRIVSEP_SPAWN: strings of envp */
	uint32_t len;
	char name[IFNAMSIZ];
	struct ifreq ifr;
};

struct privsep_rep {
	int32_t ret;		/* 0, a count or a pid, or -errno */
	int32_t status;
	char name[IFNAMSIZ];
};

/* The largest request, data included: a hotplug script's argv and
 * environment are well under 4 KiB; a netlink request of ours, 8 KiB. */
#define PRIVSEP_MSG_MAX 65536

/* True once privsep_client_init has run (in vifd proper). */
bool privsep_active(void);

/* Makes `fd` (one end of the socketpair, the privileged part `pid` at the
 * other) the channel of every request from now on. */
void privsep_client_init(int fd, pid_t pid);

/* The channel, for a watch on its hang-up; -1 before init. */
int privsep_client_fd(void);

/* The privileged part's pid; -1 before init. */
pid_t privsep_client_pid(void);

/*
 * One request and its answer, serialised against other threads. `data`
 * (len bytes) follows the header; `fd_in` (-1: none) goes with it; the
 * fds in the answer land in fds_out[PRIVSEP_FDS_MAX] (-1 where none;
 * NULL: closed). Returns the answer's ret, or -errno of the channel
 * (-EPIPE: the privileged part is gone).
 */
int privsep_call(struct privsep_req *req, const void *data, size_t len,
    int fd_in, struct privsep_rep *rep, int *fds_out);

/* The requests, with the contract of the function each stands for. */
int privsep_tap_open(const char *name, char *actual);
int privsep_tap_create(const char *name, unsigned int mtu, bool *created);
int privsep_tap_destroy(const char *name);
int privsep_ifreq(const char *name, unsigned long req, struct ifreq *ifr);
int privsep_netlink(const void *msg, size_t len);
int privsep_spawn(pid_t *pid, const char *path, int search,
    char *const argv[], char *const envp[], int outfd);
/* As waitpid(): the pid, 0 (WNOHANG, still running), or -1 and errno. */
int privsep_wait(pid_t pid, int *status, int flags);
int privsep_steer_load(int *prog_fd, int *map_fd);
int privsep_kill(pid_t pid, int sig);
int privsep_xsk_open(const char *ifname, uint32_t queue, int *xsk_fd);
int privsep_xsk_bind(const char *ifname, uint32_t queue, int fd);
int privsep_xsk_close(const char *ifname, uint32_t queue);

/*
 * Sends `nfds` fds (at most PRIVSEP_FDS_MAX) with `len` bytes; receives
 * up to `cap` bytes and the fds that came with them into
 * fds[PRIVSEP_FDS_MAX] (-1 where none; NULL: closed). 0 / a count, or
 * -errno. Shared by the client and the privileged part.
 */
int privsep_send(int sock, const void *buf, size_t len, const int *fds,
    unsigned int nfds);
ssize_t privsep_recv(int sock, void *buf, size_t cap, int *fds);

#endif
