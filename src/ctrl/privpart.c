/*
 * privpart.c - vifd's privileged part (privsep.h): a process forked at
 * start-up that keeps root's capabilities, serves vifd proper's requests
 * one at a time, and does nothing else.
 *
 * Owns the checks that need the system, beyond privpolicy.c's pure ones:
 *  - an interface it touches is a persistent, multi-queue TAP with
 *    virtio-net headers (tap_is_ours), i.e. one of vifd's: not the
 *    uplink, not a bridge, not a VM's non-persistent QEMU TAP;
 *  - a bridge it makes a TAP join is a Linux bridge;
 *  - a program it starts is a regular file owned by root and writable by
 *    nobody else, in directories likewise (a sticky one is fine: nobody
 *    can replace root's entry in it), and not in a directory vifd proper
 *    can write; with privpolicy_args' arguments and environment, so that
 *    even a root-owned /bin/sh gets nothing to run but a file named
 *    "online" in "/", which vifd proper cannot create (its "/" is
 *    read-only);
 *  - ovs-vsctl acts only on the port of one of vifd's TAPs.
 * It also loads the TAP's steering program, which the verifier accepts
 * only with CAP_PERFMON besides CAP_BPF, and hands over its fds; and for
 * a switch's AF_XDP uplink on a NIC queue the admin named, attaches the
 * XDP program and opens the socket (CAP_NET_ADMIN, CAP_NET_RAW).
 * Then it does the act with the very function vifd proper would have
 * called (tap_create, brport_request, spawn_clean...), which act locally
 * here: privsep_active() is false in this process.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "core/privpolicy.h"
#include "data/brport.h"
#include "data/tap.h"
#include "data/tap_steer.h"
#include "data/vswitch.h"
#include "data/xsk_prog.h"
#include "ctrl/hotplug.h"
#include "ctrl/privpart.h"
#include "util/log.h"
#include "util/privsep.h"
#include "util/spawn.h"

/* The fd the channel is moved to in the part, all others closed. */
#define PRIVPART_FD 3
#define PRIVPART_RW_MAX 4
/* Children at once: hotplug scripts in flight (one per vif at a time)
 * and ovs-vsctl. */
#define PRIVPART_KIDS_MAX 1024

struct privpart {
	const char *rw[PRIVPART_RW_MAX];
	size_t nrw;
	struct privpolicy_env env;	/* what scripts' PATH etc. must be */
	pid_t kids[PRIVPART_KIDS_MAX];	/* started, not yet reaped (0: free) */
	struct log_ratelimit rl;
	char why[256];
};

static const char *
privpart_op_name(uint32_t op)
{
	switch (op) {
	case PRIVSEP_TAP_OPEN: return "tap-open";
	case PRIVSEP_TAP_CREATE: return "tap-create";
	case PRIVSEP_TAP_DESTROY: return "tap-destroy";
	case PRIVSEP_IFREQ: return "ifreq";
	case PRIVSEP_NETLINK: return "netlink";
	case PRIVSEP_SPAWN: return "spawn";
	case PRIVSEP_WAIT: return "wait";
	case PRIVSEP_STEER_LOAD: return "steer-load";
	case PRIVSEP_KILL: return "kill";
	case PRIVSEP_XSK_OPEN: return "xsk-open";
	case PRIVSEP_XSK_BIND: return "xsk-bind";
	case PRIVSEP_XSK_CLOSE: return "xsk-close";
	default: return "unknown";
	}
}

/* -EPERM (or `err`) with the reason, for the log. */
static int
privpart_refuse(struct privpart *p, int err, const char *fmt, const char *arg)
{
	snprintf(p->why, sizeof(p->why), fmt, arg);
	return err;
}

/* The interface must be one of vifd's TAPs. */
static int
privpart_our_tap(struct privpart *p, const char *name)
{
	if (tap_is_ours(name))
		return 0;
	return privpart_refuse(p, -EPERM, "%s is not one of vifd's TAPs",
	    name);
}

static int
privpart_netlink(struct privpart *p, const void *data, size_t len)
{
	struct privpolicy_nl nl;
	char name[IFNAMSIZ];
	void *msg;
	int r;

	r = privpolicy_netlink(data, len, &nl, p->why, sizeof(p->why));
	if (r < 0)
		return r;
	if (if_indextoname(nl.port, name) == NULL)
		return -ENODEV;
	if ((r = privpart_our_tap(p, name)) < 0)
		return r;
	if (nl.has_master && nl.master != 0 &&
	    (if_indextoname(nl.master, name) == NULL ||
	    !brport_is_bridge(name)))
		return privpart_refuse(p, -EPERM, "master %s is not a Linux "
		    "bridge", if_indextoname(nl.master, name) ? name : "?");
	/* An aligned copy: the data follows a header of any size. */
	msg = malloc(len);
	if (msg == NULL)
		return -ENOMEM;
	memcpy(msg, data, len);
	r = brport_request(msg);
	free(msg);
	return r;
}

/* Root's and writable by root alone; a sticky directory may be more. */
static int
privpart_safe_inode(struct privpart *p, const char *path, bool dir)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (!dir && !S_ISREG(st.st_mode))
		return privpart_refuse(p, -EPERM, "%s is not a regular file",
		    path);
	if (st.st_uid != 0)
		return privpart_refuse(p, -EPERM, "%s is not root's", path);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
	    !(dir && (st.st_mode & S_ISVTX)))
		return privpart_refuse(p, -EPERM, "%s is writable by others "
		    "than root", path);
	return 0;
}

/* `path` (resolved) and each directory above it are safe to run as root. */
static int
privpart_safe_program(struct privpart *p, char *path)
{
	char *slash;
	int r;

	if ((r = privpart_safe_inode(p, path, false)) < 0)
		return r;
	while ((slash = strrchr(path, '/')) != NULL) {
		*slash = '\0';
		r = privpart_safe_inode(p, slash == path ? "/" : path, true);
		if (r < 0 || slash == path)
			break;
	}
	return r;
}

/* The slot of child `pid` (0: a free slot), or NULL. */
static pid_t *
privpart_kid(struct privpart *p, pid_t pid)
{
	size_t i;

	for (i = 0; i < PRIVPART_KIDS_MAX; i++)
		if (p->kids[i] == pid)
			return &p->kids[i];
	return NULL;
}

/* Splits `n` NUL-terminated strings off data[*off..len) into v[]. */
static int
privpart_strings(const char *data, size_t len, size_t *off, unsigned int n,
    char **v)
{
	unsigned int i;
	const char *end;

	for (i = 0; i < n; i++) {
		if (*off >= len)
			return -EPROTO;
		end = memchr(data + *off, '\0', len - *off);
		if (end == NULL)
			return -EPROTO;
		v[i] = (char *)data + *off;
		*off = (size_t)(end - data) + 1;
	}
	v[n] = NULL;
	return 0;
}

static int
privpart_spawn(struct privpart *p, const struct privsep_req *req,
    const char *data, size_t len, int outfd)
{
	char **argv = NULL, **envp = NULL, *pv[2], *path, real[PATH_MAX],
	    dup[PATH_MAX];
	bool search = req->arg & 1;
	const char *ifs[PRIVPOLICY_IFS];
	unsigned int i;
	struct stat st;
	pid_t *slot;
	size_t off = 0;
	pid_t pid;
	int r;

	if (outfd < 0)
		return -EBADF;
	argv = calloc((size_t)req->argc + 1, sizeof(*argv));
	envp = calloc((size_t)req->envc + 1, sizeof(*envp));
	if (argv == NULL || envp == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if ((r = privpart_strings(data, len, &off, 1, pv)) < 0 ||
	    (r = privpart_strings(data, len, &off, req->argc, argv)) < 0 ||
	    (r = privpart_strings(data, len, &off, req->envc, envp)) < 0)
		goto out;
	path = pv[0];
	if (off != len || req->argc == 0) {
		r = -EPROTO;
		goto out;
	}
	r = privpolicy_program(path, search, p->rw, p->nrw, p->why,
	    sizeof(p->why));
	if (r < 0 || (r = privpolicy_args(path, search, argv, req->argc,
	    req->arg & 2, envp, req->envc, &p->env, ifs, p->why,
	    sizeof(p->why))) < 0)
		goto out;
	for (i = 0; i < PRIVPOLICY_IFS; i++)
		if (ifs[i] != NULL && tap_exists(ifs[i]) &&
		    (r = privpart_our_tap(p, ifs[i])) < 0)
			goto out;
	if (!search) {
		/* What vifd proper would have checked itself, had it seen
		 * the script (hotplug_spawn_failed words these). */
		if (stat(path, &st) < 0) {
			r = -errno;
			goto out;
		}
		if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0) {
			r = S_ISREG(st.st_mode) ? -EACCES : -EISDIR;
			goto out;
		}
		/* What runs is what was checked: the resolved path. */
		if (realpath(path, real) == NULL) {
			r = -errno;
			goto out;
		}
		r = privpolicy_program(real, false, p->rw, p->nrw, p->why,
		    sizeof(p->why));
		snprintf(dup, sizeof(dup), "%s", real);
		if (r < 0 || (r = privpart_safe_program(p, dup)) < 0)
			goto out;
		path = real;
	}
	slot = privpart_kid(p, 0);
	if (slot == NULL) {
		r = privpart_refuse(p, -EAGAIN, "%s", "too many children");
		goto out;
	}
	r = spawn_clean(&pid, path, search, argv,
	    (req->arg & 2) ? envp : NULL, outfd);
	if (r == -ENOENT && !search)
		r = -ELIBBAD;	/* the script is there: its interpreter */
	if (r == 0) {
		*slot = pid;
		r = (int)pid;
	}
out:
	free(argv);
	free(envp);
	return r;
}

/* One request; the answer's ret. Fds to pass back land in out[]. */
static int
privpart_do(struct privpart *p, struct privsep_req *req, const char *data,
    int fd, struct privsep_rep *rep, int *out)
{
	char *name = req->name;
	bool created = false;
	pid_t *kid;
	int r, st = 0;

	name[IFNAMSIZ - 1] = '\0';
	p->why[0] = '\0';
	switch (req->op) {
	case PRIVSEP_TAP_OPEN:
		if ((r = privpart_our_tap(p, name)) < 0)
			return r;
		r = tap_open_queue(name, rep->name);
		if (r >= 0) {
			out[0] = r;
			r = 0;
		}
		return r;
	case PRIVSEP_STEER_LOAD:
		r = tap_steer_load(&out[0], &out[1], p->why, sizeof(p->why));
		p->why[0] = '\0';	/* a load failure is not a refusal */
		return r;
	case PRIVSEP_XSK_OPEN:
	case PRIVSEP_XSK_BIND:
	case PRIVSEP_XSK_CLOSE:
		/* Only a NIC queue the admin gave a switch: never another
		 * interface's traffic, nor XDP on it; a socket goes in the
		 * map only bound here, to that queue. */
		if (!vsw_uplink_allowed(name, req->arg))
			return privpart_refuse(p, -EPERM, "%s is not an "
			    "AF_XDP uplink given with --switch-uplink", name);
		if (req->op == PRIVSEP_XSK_CLOSE)
			r = xsk_prog_close(name, p->why, sizeof(p->why));
		else if (req->op == PRIVSEP_XSK_OPEN)
			r = xsk_prog_open(name, &out[0], p->why,
			    sizeof(p->why));
		else if (fd < 0)
			r = privpart_refuse(p, -EBADF, "%s", "xsk-bind "
			    "without a socket");
		else
			r = xsk_prog_bind(name, req->arg, fd, p->why,
			    sizeof(p->why));
		if (r < 0)
			log_warnx("privileged part: %s", p->why);
		p->why[0] = '\0';	/* a failure, not a refusal */
		return r;
	case PRIVSEP_TAP_CREATE:
		if (tap_name_valid(name) < 0)
			return privpart_refuse(p, -EINVAL, "'%s' is not an "
			    "interface name", name);
		if (tap_exists(name) && (r = privpart_our_tap(p, name)) < 0)
			return r;
		r = tap_create(name, req->arg, &created);
		rep->status = created;
		return r;
	case PRIVSEP_TAP_DESTROY:
		if ((r = privpart_our_tap(p, name)) < 0)
			return r;
		return tap_destroy(name);
	case PRIVSEP_IFREQ:
		r = privpolicy_ifreq(req->arg, p->why, sizeof(p->why));
		if (r < 0 || (r = privpart_our_tap(p, name)) < 0)
			return r;
		return tap_ifreq(name, req->arg, &req->ifr);
	case PRIVSEP_NETLINK:
		return privpart_netlink(p, data, req->len);
	case PRIVSEP_SPAWN:
		return privpart_spawn(p, req, data, req->len, fd);
	case PRIVSEP_WAIT:
		kid = req->pid > 0 ? privpart_kid(p, req->pid) : NULL;
		if (kid == NULL)
			return privpart_refuse(p, -ECHILD, "%s", "waiting for "
			    "no child of ours");
		r = (int)waitpid(req->pid, &st, (int)(req->arg & WNOHANG));
		if (r < 0)
			return -errno;
		if (r > 0)
			*kid = 0;
		rep->status = st;
		return r;
	case PRIVSEP_KILL:
		/* A child's group (its own session), and only to end it. */
		if (req->pid <= 0 || privpart_kid(p, req->pid) == NULL)
			return privpart_refuse(p, -EPERM, "%s", "a signal to "
			    "no child of ours");
		if (req->arg != SIGKILL && req->arg != SIGTERM)
			return privpart_refuse(p, -EPERM, "%s", "a signal other "
			    "than SIGKILL or SIGTERM");
		return killpg(req->pid, (int)req->arg) < 0 ? -errno : 0;
	default:
		return privpart_refuse(p, -EPROTO, "%s", "an unknown request");
	}
}

static void __attribute__((noreturn))
privpart_serve(struct privpart *p, int sock)
{
	struct privsep_rep rep;
	struct privsep_req req;
	int fds[PRIVSEP_FDS_MAX], out[PRIVSEP_FDS_MAX];
	unsigned int nout, k;
	char *buf;
	ssize_t n;

	buf = malloc(PRIVSEP_MSG_MAX);
	if (buf == NULL)
		_exit(1);
	for (;;) {
		n = privsep_recv(sock, buf, PRIVSEP_MSG_MAX, fds);
		if (n == -EPIPE || n == -ECONNRESET)
			break;		/* vifd proper has gone */
		memset(&rep, 0, sizeof(rep));
		out[0] = out[1] = -1;
		p->why[0] = '\0';
		if (n < (ssize_t)sizeof(req)) {
			rep.ret = n < 0 ? (int)n : -EPROTO;
		} else {
			memcpy(&req, buf, sizeof(req));
			if (req.len != (size_t)n - sizeof(req) || fds[1] >= 0)
				rep.ret = -EPROTO;
			else
				rep.ret = privpart_do(p, &req,
				    buf + sizeof(req), fds[0], &rep, out);
			if (rep.ret < 0 && p->why[0] != '\0' &&
			    log_ratelimit_ok(&p->rl))
				log_warnx("privileged part: refused %s: %s",
				    privpart_op_name(req.op), p->why);
		}
		for (k = 0; k < PRIVSEP_FDS_MAX; k++)
			if (fds[k] >= 0)
				close(fds[k]);
		nout = out[0] < 0 ? 0 : out[1] < 0 ? 1 : 2;
		if (privsep_send(sock, &rep, sizeof(rep), out, nout) < 0)
			break;
		for (k = 0; k < PRIVSEP_FDS_MAX; k++)
			if (out[k] >= 0)
				close(out[k]);
	}
	/* _exit: the heap is vifd proper's copy, not ours to check. */
	_exit(0);
}

int
privpart_start(const char *const rw[], size_t nrw, char *err, size_t errlen)
{
	struct privpart p;
	int sv[2], e;
	pid_t pid, parent = getpid();
	size_t i;

	if (nrw > PRIVPART_RW_MAX) {
		snprintf(err, errlen, "too many writable directories");
		return -E2BIG;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		e = errno;
		snprintf(err, errlen, "socketpair: %s", strerror(e));
		return -e;
	}
	pid = fork();
	if (pid < 0) {
		e = errno;
		snprintf(err, errlen, "fork: %s", strerror(e));
		close(sv[0]);
		close(sv[1]);
		return -e;
	}
	if (pid > 0) {
		close(sv[1]);
		privsep_client_init(sv[0], pid);
		return 0;
	}
	/* The privileged part. */
	memset(&p, 0, sizeof(p));
	for (i = 0; i < nrw; i++)
		p.rw[i] = rw[i];
	p.nrw = nrw;
	p.env.path = HOTPLUG_PATH;
	p.env.xenstored = getenv("XENSTORED_PATH");
	p.rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(1000, 10);
	(void)prctl(PR_SET_NAME, "vifd-priv", 0, 0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 ||
	    getppid() != parent)
		_exit(1);	/* vifd proper has already gone */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	/* Nothing of vifd proper's: xenstore, the Xen devices, syslog.
	 * closelog first, or glibc would later write its messages to
	 * whatever reuses the syslog socket's fd number. */
	closelog();
	if (dup2(sv[1], PRIVPART_FD) < 0 ||
	    fcntl(PRIVPART_FD, F_SETFD, FD_CLOEXEC) < 0)
		_exit(1);
	close_range(PRIVPART_FD + 1, ~0u, 0);
	privpart_serve(&p, PRIVPART_FD);
}
