/*
 * sim_machine.c - the simulated toolstack: creating and destroying a
 * machine, its xenstored, and its domains.
 *
 * A machine is a directory (layout in sim_int.h). Creating it starts the
 * real C xenstored with our stand-in library preloaded (xsd_shim.c), so
 * that it runs without a hypervisor; adding a domain creates its memory,
 * grant table and port table files, introduces it to xenstored and
 * writes the /local/domain/<domid> nodes libxl__domain_make writes
 * (tools/libs/light/libxl_create.c); destroying one makes xenstored's own
 * VIRQ_DOM_EXC check notice it and fire @releaseDomain
 * (tools/xenstore/xenstored_domain.c: check_domains()).
 *
 * It does not own the grant and event channel rules (sim_gnttab.c,
 * sim_evtchn.c) nor the per-process mappings (sim_util.c).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim_priv.h"
#include "xensim.h"

#ifndef XENSIM_BUILD_SHIM
#define XENSIM_BUILD_SHIM ""
#endif
#ifndef XENSIM_INSTALLED_SHIM
#define XENSIM_INSTALLED_SHIM "/usr/local/libexec/vifd/xensim-xsd.so"
#endif
#define XENSIM_SHIM_NAME "xensim-xsd.so"

extern char **environ;

/* How long xenstored may take to start, stop, or notice a domain. */
#define SIM_XSD_START_MS	5000
#define SIM_XSD_STOP_MS		2000
#define SIM_RELEASE_MS		5000
/* Largest domain: 4 GiB of (sparse) memory. */
#define SIM_MAX_PAGES		(1u << 20)

static void
sim_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- small file helpers ------------------------------------------------ */

static int
sim_write_file(const char *path, const void *buf, size_t len)
{
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != (ssize_t)len)
		rc = errno ? -errno : -EIO;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

static int
sim_rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	if (remove(path) != 0 && errno != ENOENT)
		return -1;
	return 0;
}

/* Removes `path` and everything below it (no symlink is followed). */
static int
sim_rmtree(const char *path)
{
	if (nftw(path, sim_rm_cb, 16, FTW_DEPTH | FTW_PHYS) != 0 &&
	    errno != ENOENT)
		return -errno;
	return 0;
}

/* ---- xenstored ---------------------------------------------------------- */

/*
 * Finds the stand-in library: $XENSIM_PRELOAD, else next to the running
 * executable, else the build tree's, else the installed one.
 */
static int
sim_shim_path(char *out, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("XENSIM_PRELOAD");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env != NULL && env[0] != '\0') {
		if (access(env, R_OK) != 0) {
			sim_err(err, errlen, "XENSIM_PRELOAD=%s: %s", env,
			    strerror(errno));
			return -ENOENT;
		}
		return sim_fmt(out, len, "%s", env);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			if (sim_fmt(out, len, "%s/%s", exe, XENSIM_SHIM_NAME)
			    == 0 && access(out, R_OK) == 0)
				return 0;
		}
	}
	if (XENSIM_BUILD_SHIM[0] != '\0' && access(XENSIM_BUILD_SHIM, R_OK) == 0)
		return sim_fmt(out, len, "%s", XENSIM_BUILD_SHIM);
	if (access(XENSIM_INSTALLED_SHIM, R_OK) == 0)
		return sim_fmt(out, len, "%s", XENSIM_INSTALLED_SHIM);
	sim_err(err, errlen, "cannot find the xenstored stand-in %s (looked "
	    "next to the executable, in %s and %s; set XENSIM_PRELOAD)",
	    XENSIM_SHIM_NAME, XENSIM_BUILD_SHIM[0] ? XENSIM_BUILD_SHIM :
	    "the build tree", XENSIM_INSTALLED_SHIM);
	return -ENOENT;
}

static const char *
sim_xenstored_bin(void)
{
	const char *env = getenv("XENSIM_XENSTORED");

	return env != NULL && env[0] != '\0' ? env : XENSTORED_PATH_DEFAULT;
}

/* Reads /proc/PID/WHAT (at most len - 1 bytes) NUL-terminated into buf.
 * Returns the byte count, or -1 if there is none. */
static ssize_t
sim_proc_read(pid_t pid, const char *what, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/*
 * Is `pid` the xenstored of machine `dir`? Its command line names the
 * machine's pid file, which no other process's does; a zombie is dead.
 */
static bool
sim_xsd_is_ours(const char *dir, pid_t pid)
{
	char buf[4096], want[PATH_MAX], *p;
	ssize_t n;

	if (pid <= 0 || sim_fmt(want, sizeof(want), "%s/%s", dir, SIM_XSD_PID))
		return false;
	if (sim_proc_read(pid, "stat", buf, sizeof(buf)) < 0)
		return false;
	p = strrchr(buf, ')');
	if (p == NULL || p[1] == '\0' || p[2] == 'Z' || p[2] == 'X')
		return false;
	n = sim_proc_read(pid, "cmdline", buf, sizeof(buf));
	if (n < 0)
		return false;
	/* Arguments are NUL-separated: look at each. */
	for (p = buf; p < buf + n; p += strlen(p) + 1)
		if (strcmp(p, want) == 0)
			return true;
	return false;
}

static int
sim_connect_path(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc;

	if (sim_fmt(sa.sun_path, sizeof(sa.sun_path), "%s", path) != 0)
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

/* The last line of xenstored's log, for an error message. */
static void
sim_log_tail(const char *dir, char *out, size_t len)
{
	char path[PATH_MAX], buf[1024], *p, *line;
	ssize_t n;
	off_t sz;
	int fd;

	out[0] = '\0';
	if (sim_fmt(path, sizeof(path), "%s/%s", dir, SIM_XSD_LOG) != 0)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	sz = lseek(fd, 0, SEEK_END);
	if (sz > (off_t)sizeof(buf) - 1)
		lseek(fd, sz - (off_t)sizeof(buf) + 1, SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	p = strrchr(buf, '\n');
	line = p != NULL ? p + 1 : buf;
	/* Truncation is fine: it is one line of a message. */
	n = (ssize_t)strlen(line);
	if ((size_t)n >= len)
		n = (ssize_t)len - 1;
	memcpy(out, line, (size_t)n);
	out[n] = '\0';
}

/* xenstored's environment: ours without preloads or xenstore variables,
 * plus what the stand-in and xenstored need. */
struct sim_envp {
	char **envp;
	char *extra[4];
};

static void
sim_envp_free(struct sim_envp *e)
{
	size_t i;

	for (i = 0; i < sizeof(e->extra) / sizeof(e->extra[0]); i++)
		free(e->extra[i]);
	free(e->envp);
}

static int
sim_envp_build(struct sim_envp *e, const char *dir, const char *shim)
{
	static const char *const drop[] = { "LD_PRELOAD=", SIM_ENV_DIR "=",
	    "XENSTORED_PATH=", "XENSTORED_RUNDIR=", "XENSTORED_ROOTDIR=" };
	const size_t nx = sizeof(e->extra) / sizeof(e->extra[0]);
	size_t n = 0, i, j, k = 0;
	bool skip;

	memset(e, 0, sizeof(*e));
	if (asprintf(&e->extra[0], "LD_PRELOAD=%s", shim) < 0)
		e->extra[0] = NULL;
	if (asprintf(&e->extra[1], "%s=%s", SIM_ENV_DIR, dir) < 0)
		e->extra[1] = NULL;
	if (asprintf(&e->extra[2], "XENSTORED_RUNDIR=%s", dir) < 0)
		e->extra[2] = NULL;
	if (asprintf(&e->extra[3], "XENSTORED_PATH=%s/%s", dir,
	    SIM_XS_SOCKET) < 0)
		e->extra[3] = NULL;
	while (environ[n] != NULL)
		n++;
	e->envp = calloc(n + nx + 1, sizeof(*e->envp));
	for (i = 0; i < nx; i++)
		if (e->extra[i] == NULL)
			goto fail;
	if (e->envp == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		skip = false;
		for (j = 0; j < sizeof(drop) / sizeof(drop[0]); j++)
			if (strncmp(environ[i], drop[j], strlen(drop[j])) == 0)
				skip = true;
		if (!skip)
			e->envp[k++] = environ[i];
	}
	for (i = 0; i < nx; i++)
		e->envp[k++] = e->extra[i];
	e->envp[k] = NULL;
	return 0;
fail:
	sim_envp_free(e);
	return -ENOMEM;
}

static bool
sim_pid_exists(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return access(path, F_OK) == 0;
}

/*
 * Stops xenstored of `dir` if it runs: SIGTERM, then SIGKILL. Reaps it
 * when it is our child.
 */
static void
sim_xsd_stop(const char *dir, pid_t pid)
{
	unsigned int waited = 0;
	bool killed = false;
	pid_t w;

	if (pid <= 0 || !sim_xsd_is_ours(dir, pid)) {
		if (pid > 0)
			waitpid(pid, NULL, WNOHANG);
		return;
	}
	kill(pid, SIGTERM);
	for (;;) {
		w = waitpid(pid, NULL, WNOHANG);
		if (w == pid)
			return;
		if (w == 0 && !sim_xsd_is_ours(dir, pid)) {
			/* Exited but not yet reaped (our child). */
			waitpid(pid, NULL, 0);
			return;
		}
		if (w < 0 && !sim_xsd_is_ours(dir, pid)) {
			/* Not our child: give its reaper a moment, so that no
			 * zombie shows once we return. */
			for (waited = 0; waited < SIM_XSD_STOP_MS &&
			    sim_pid_exists(pid); waited += 5)
				sim_sleep_ms(5);
			return;
		}
		if (waited >= SIM_XSD_STOP_MS) {
			if (killed)
				return;
			kill(pid, SIGKILL);
			killed = true;
			waited = 0;
		}
		sim_sleep_ms(5);
		waited += 5;
	}
}

static int
sim_xsd_start(const char *dir, pid_t *out, char *err, size_t errlen)
{
	char shim[PATH_MAX], pidfile[PATH_MAX], logf[PATH_MAX], sock[PATH_MAX];
	char tail[200];
	const char *bin = sim_xenstored_bin();
	char *argv[5];
	struct sim_envp env;
	unsigned int waited;
	int rc, status, logfd, nullfd;
	pid_t pid, w;

	if (access(bin, X_OK) != 0) {
		sim_err(err, errlen, "xenstored not found at %s (install "
		    "xen-utils-4.17, or set XENSIM_XENSTORED)", bin);
		return -ENOENT;
	}
	rc = sim_shim_path(shim, sizeof(shim), err, errlen);
	if (rc != 0)
		return rc;
	if (sim_fmt(pidfile, sizeof(pidfile), "%s/%s", dir, SIM_XSD_PID) ||
	    sim_fmt(logf, sizeof(logf), "%s/%s", dir, SIM_XSD_LOG) ||
	    sim_fmt(sock, sizeof(sock), "%s/%s", dir, SIM_XS_SOCKET))
		return -ENAMETOOLONG;
	rc = sim_envp_build(&env, dir, shim);
	if (rc != 0)
		return rc;
	logfd = open(logf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (logfd < 0 || nullfd < 0) {
		rc = -errno;
		sim_err(err, errlen, "%s: %s", logf, strerror(errno));
		goto out;
	}
	argv[0] = (char *)"xenstored";
	argv[1] = (char *)"-N";		/* we manage the process */
	argv[2] = (char *)"-F";
	argv[3] = pidfile;
	argv[4] = NULL;
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		sim_err(err, errlen, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		/* Only async-signal-safe calls from here on. Its own session:
		 * a ^C at the terminal that ran `xensim create` must not stop
		 * the machine. */
		setsid();
		dup2(nullfd, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		/* Nothing else of ours: a caller's pipe held open by a daemon
		 * would make whoever reads it wait forever. */
		close_range(3, ~0u, 0);
		execve(bin, argv, env.envp);
		_exit(127);
	}
	for (waited = 0; ; waited += 10) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			sim_log_tail(dir, tail, sizeof(tail));
			sim_err(err, errlen, "xenstored (%.200s) exited at "
			    "start%s%s", bin, tail[0] ? ": " : "", tail);
			rc = -ECHILD;
			goto out;
		}
		if (sim_connect_path(sock) == 0)
			break;
		if (waited >= SIM_XSD_START_MS) {
			sim_err(err, errlen, "xenstored did not open %s within "
			    "%u ms", sock, SIM_XSD_START_MS);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			rc = -ETIMEDOUT;
			goto out;
		}
		sim_sleep_ms(10);
	}
	*out = pid;
	rc = 0;
out:
	if (logfd >= 0)
		close(logfd);
	if (nullfd >= 0)
		close(nullfd);
	sim_envp_free(&env);
	return rc;
}

struct xen_xs *
sim_xs_open(const char *dir)
{
	char path[PATH_MAX], *old = NULL;
	const char *cur;
	struct xen_xs *xs;
	int saved;

	if (sim_fmt(path, sizeof(path), "%s/%s", dir, SIM_XS_SOCKET) != 0) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	/* libxenstore takes the socket path from the environment only. */
	cur = getenv("XENSTORED_PATH");
	if (cur != NULL && (old = strdup(cur)) == NULL)
		return NULL;
	setenv("XENSTORED_PATH", path, 1);
	xs = xen_real_ops.xs_open(NULL);
	saved = errno;
	if (old != NULL) {
		setenv("XENSTORED_PATH", old, 1);
		free(old);
	} else {
		unsetenv("XENSTORED_PATH");
	}
	errno = saved;
	return xs;
}

/* ---- domains ------------------------------------------------------------ */

static int
sim_dom_files_create(const char *dir, struct sim_machine *m, uint32_t domid,
    uint32_t pages, char *err, size_t errlen)
{
	char tmp[PATH_MAX], final[PATH_MAX], path[PATH_MAX];
	struct sim_dom_hdr *h;
	uint64_t size, grant_off, active_off, port_off;
	int fd = -1, rc;

	if (sim_fmt(tmp, sizeof(tmp), "%s/%s/.new-%u-%d", dir, SIM_DOM_DIR,
	    domid, (int)getpid()) ||
	    sim_fmt(final, sizeof(final), "%s/%s/%u", dir, SIM_DOM_DIR, domid))
		return -ENAMETOOLONG;
	if (access(final, F_OK) == 0) {
		sim_err(err, errlen, "domain %u exists", domid);
		return -EEXIST;
	}
	sim_rmtree(tmp);
	if (mkdir(tmp, 0777) != 0) {
		rc = -errno;
		sim_err(err, errlen, "%s: %s", tmp, strerror(errno));
		return rc;
	}
	grant_off = XENSIM_PAGE_SIZE;
	active_off = grant_off + (uint64_t)XENSIM_GRANT_ENTRIES *
	    sizeof(grant_entry_v1_t);
	port_off = active_off + (uint64_t)XENSIM_GRANT_ENTRIES * sizeof(uint64_t);
	size = port_off + (uint64_t)XENSIM_EVTCHN_PORTS * sizeof(struct sim_port);
	size = (size + XENSIM_PAGE_SIZE - 1) & ~(uint64_t)(XENSIM_PAGE_SIZE - 1);

	rc = sim_fmt(path, sizeof(path), "%s/%s", tmp, SIM_DOM_CTL);
	if (rc != 0)
		goto fail;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0 || ftruncate(fd, (off_t)size) != 0) {
		rc = -errno;
		goto fail_errno;
	}
	h = mmap(NULL, sizeof(*h), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED) {
		rc = -errno;
		goto fail_errno;
	}
	h->magic = SIM_DOM_MAGIC;
	h->version = SIM_LAYOUT_VERSION;
	h->domid = domid;
	h->npages = pages;
	h->gen = atomic_fetch_add(&m->next_gen, 1) + 1;
	atomic_store(&h->dying, 0);
	h->nr_grants = XENSIM_GRANT_ENTRIES;
	h->nr_ports = XENSIM_EVTCHN_PORTS;
	h->grant_off = grant_off;
	h->active_off = active_off;
	h->port_off = port_off;
	h->size = size;
	munmap(h, sizeof(*h));
	close(fd);

	rc = sim_fmt(path, sizeof(path), "%s/%s", tmp, SIM_DOM_MEM);
	if (rc != 0)
		goto fail;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0 || ftruncate(fd, (off_t)pages * XENSIM_PAGE_SIZE) != 0) {
		rc = -errno;
		goto fail_errno;
	}
	close(fd);
	fd = -1;
	/* Atomic appearance: a reader sees all of the domain or nothing. */
	if (rename(tmp, final) != 0) {
		rc = errno == ENOTEMPTY || errno == EEXIST ? -EEXIST : -errno;
		if (rc == -EEXIST)
			sim_err(err, errlen, "domain %u exists", domid);
		else
			sim_err(err, errlen, "%s: %s", final, strerror(-rc));
		goto fail;
	}
	return 0;
fail_errno:
	sim_err(err, errlen, "%s: %s", path, strerror(-rc));
fail:
	if (fd >= 0)
		close(fd);
	sim_rmtree(tmp);
	return rc;
}

struct sim_node {
	const char *path;	/* below /local/domain/<domid> */
	int perms;		/* 0: as libxl's roperm, 1: rwperm, 2: value only */
	const char *value;
};

/*
 * The subset of libxl__domain_make's nodes a network backend and its
 * tests care about. roperm: owned by dom0, readable by the domain;
 * rwperm: owned by the domain (dom0 has every right anyway).
 */
static const struct sim_node sim_dom_nodes[] = {
	{ "", 0, NULL },
	{ "cpu", 0, NULL },
	{ "memory", 0, NULL },
	{ "device", 0, NULL },
	{ "device/suspend/event-channel", 1, NULL },
	{ "control", 0, NULL },
	{ "control/shutdown", 1, NULL },
	{ "control/feature-poweroff", 1, NULL },
	{ "control/feature-reboot", 1, NULL },
	{ "control/feature-suspend", 1, NULL },
	{ "control/sysrq", 1, NULL },
	{ "control/platform-feature-multiprocessor-suspend", 2, "1" },
	{ "control/platform-feature-xs_reset_watches", 2, "1" },
	{ "data", 1, NULL },
	{ "drivers", 1, NULL },
	{ "feature", 1, NULL },
	{ "attr", 1, NULL },
	{ "error", 1, NULL },
};

static int
sim_dom_nodes_write(struct xen_xs *xs, uint32_t domid, char *err,
    size_t errlen)
{
	const struct xen_ops *o = &xen_real_ops;
	struct xen_xs_perm roperm[2] = { { 0, XEN_XS_PERM_NONE },
	    { domid, XEN_XS_PERM_READ } };
	struct xen_xs_perm rwperm[1] = { { domid, XEN_XS_PERM_NONE } };
	struct xen_xs_perm noperm[1] = { { 0, XEN_XS_PERM_NONE } };
	char base[64], path[256], val[32];
	const struct sim_node *n;
	unsigned int tries;
	xen_txn_t t;
	size_t i;
	int rc;

	snprintf(base, sizeof(base), "/local/domain/%u", domid);
	for (tries = 0; tries < 100; tries++) {
		rc = o->xs_txn_start(xs, &t);
		if (rc != 0)
			break;
		o->xs_rm(xs, t, base);
		for (i = 0; i < sizeof(sim_dom_nodes) / sizeof(*n); i++) {
			n = &sim_dom_nodes[i];
			snprintf(path, sizeof(path), "%s%s%s", base,
			    n->path[0] ? "/" : "", n->path);
			if (n->perms == 2) {
				rc = o->xs_write(xs, t, path, n->value,
				    (unsigned int)strlen(n->value));
			} else {
				rc = o->xs_mkdir(xs, t, path);
				if (rc == 0)
					rc = n->perms == 0 ?
					    o->xs_set_perms(xs, t, path, roperm, 2) :
					    o->xs_set_perms(xs, t, path, rwperm, 1);
			}
			if (rc != 0)
				goto abort;
		}
		/* name and domid inherit the domain directory's roperm, as
		 * libxl's xs_write of "name" does. */
		snprintf(path, sizeof(path), "%s/name", base);
		snprintf(val, sizeof(val), "xensim-%u", domid);
		rc = o->xs_write(xs, t, path, val, (unsigned int)strlen(val));
		if (rc != 0)
			goto abort;
		snprintf(path, sizeof(path), "%s/domid", base);
		snprintf(val, sizeof(val), "%u", domid);
		rc = o->xs_write(xs, t, path, val, (unsigned int)strlen(val));
		if (rc != 0)
			goto abort;
		/* libxl's private per-domain directory. */
		snprintf(path, sizeof(path), "/libxl/%u", domid);
		o->xs_rm(xs, t, path);
		rc = o->xs_mkdir(xs, t, path);
		if (rc == 0)
			rc = o->xs_set_perms(xs, t, path, noperm, 1);
		if (rc == 0) {
			snprintf(path, sizeof(path), "/libxl/%u/type", domid);
			rc = o->xs_write(xs, t, path, "pv", 2);
		}
		if (rc != 0)
			goto abort;
		rc = o->xs_txn_end(xs, t, false);
		if (rc != -EAGAIN)
			break;
		continue;
abort:
		o->xs_txn_end(xs, t, true);
		break;
	}
	if (rc != 0)
		sim_err(err, errlen, "writing /local/domain/%u: %s", domid,
		    strerror(-rc));
	return rc;
}

static int
sim_dom0_nodes_write(struct xen_xs *xs, char *err, size_t errlen)
{
	const struct xen_ops *o = &xen_real_ops;
	int rc;

	/* What xen-init-dom0 writes on a real host. */
	rc = o->xs_write(xs, XEN_TXN_NULL, "/local/domain/0/domid", "0", 1);
	if (rc == 0)
		rc = o->xs_write(xs, XEN_TXN_NULL, "/local/domain/0/name",
		    "Domain-0", 8);
	if (rc != 0)
		sim_err(err, errlen, "writing /local/domain/0: %s",
		    strerror(-rc));
	return rc;
}

/* Pokes the stand-in's VIRQ_DOM_EXC port so xenstored checks domains. */
static int
sim_virq_kick(const char *dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char b = 1;
	int fd, rc;

	if (sim_fmt(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir,
	    SIM_VIRQ_SOCKET) != 0)
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = sendto(fd, &b, 1, MSG_DONTWAIT, (struct sockaddr *)&sa,
	    sizeof(sa)) == 1 ? 0 : -errno;
	close(fd);
	/* A full queue means a check is pending anyway. */
	return rc == -EAGAIN ? 0 : rc;
}

/* ---- public API --------------------------------------------------------- */

/* 0 if `dir` is an empty directory, -ENOTEMPTY, or -errno. */
static int
sim_dir_empty(const char *dir)
{
	struct dirent *de;
	DIR *dp;
	int rc = 0;

	dp = opendir(dir);
	if (dp == NULL)
		return -errno;
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			rc = -ENOTEMPTY;
			break;
		}
	}
	closedir(dp);
	return rc;
}

int
xensim_create(const char *dir, char *err, size_t errlen)
{
	char abs[SIM_DIR_MAX + 1], path[PATH_MAX];
	struct sim_machine *m = NULL;
	struct xen_xs *xs = NULL;
	bool created = false;
	pid_t xsd = 0;
	int fd, rc;

	if (mkdir(dir, 0777) == 0) {
		created = true;
	} else if (errno != EEXIST) {
		rc = -errno;
		sim_err(err, errlen, "%s: %s", dir, strerror(errno));
		return rc;
	} else {
		rc = sim_dir_empty(dir);
		if (rc != 0) {
			sim_err(err, errlen, "%s: %s", dir, rc == -ENOTEMPTY ?
			    "exists and is not empty" : strerror(-rc));
			return rc == -ENOTEMPTY ? -EEXIST : rc;
		}
	}
	rc = sim_dir_resolve(dir, abs, err, errlen);
	if (rc != 0)
		goto fail_dir;

	if ((rc = sim_fmt(path, sizeof(path), "%s/%s", abs, SIM_DOM_DIR)) ||
	    (mkdir(path, 0777) != 0 && (rc = -errno)) ||
	    (rc = sim_fmt(path, sizeof(path), "%s/%s", abs, SIM_EV_DIR)) ||
	    (mkdir(path, 0777) != 0 && (rc = -errno)) ||
	    (rc = sim_fmt(path, sizeof(path), "%s/%s", abs, SIM_LOCK_FILE)) ||
	    (rc = sim_write_file(path, "", 0)))
		goto fail_path;
	if ((rc = sim_fmt(path, sizeof(path), "%s/%s", abs, SIM_MACHINE_FILE)))
		goto fail_path;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0 || ftruncate(fd, XENSIM_PAGE_SIZE) != 0) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		goto fail_path;
	}
	m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		m = NULL;
		rc = -errno;
		goto fail_path;
	}
	m->magic = SIM_MACHINE_MAGIC;
	m->version = SIM_LAYOUT_VERSION;

	/* Domain 0 exists before xenstored starts: its stand-in asks. */
	rc = sim_dom_files_create(abs, m, 0, XENSIM_DEFAULT_PAGES, err, errlen);
	if (rc != 0)
		goto fail;
	rc = sim_xsd_start(abs, &xsd, err, errlen);
	if (rc != 0)
		goto fail;
	atomic_store(&m->xenstored_pid, (int32_t)xsd);
	xs = sim_xs_open(abs);
	if (xs == NULL) {
		rc = errno ? -errno : -EIO;
		sim_err(err, errlen, "cannot connect to xenstored: %s",
		    strerror(-rc));
		goto fail;
	}
	rc = sim_dom0_nodes_write(xs, err, errlen);
	if (rc != 0)
		goto fail;
	xen_real_ops.xs_close(xs);
	xs = NULL;
	/* Last: the machine exists once its marker does. */
	if ((rc = sim_fmt(path, sizeof(path), "%s/%s", abs, SIM_MARKER)) ||
	    (rc = sim_write_file(path, SIM_MARKER_TEXT,
	    strlen(SIM_MARKER_TEXT))))
		goto fail_path;
	sim_machine_unmap(m);
	return 0;

fail_path:
	sim_err(err, errlen, "%s: %s", path, strerror(-rc));
fail:
	if (xs != NULL)
		xen_real_ops.xs_close(xs);
	sim_xsd_stop(abs, xsd);
	sim_machine_unmap(m);
fail_dir:
	/* Leave nothing behind: remove what we created. */
	if (created) {
		sim_rmtree(dir);
	} else {
		static const char *const names[] = { SIM_MARKER, SIM_MACHINE_FILE,
		    SIM_LOCK_FILE, SIM_XS_SOCKET, SIM_VIRQ_SOCKET, SIM_XSD_PID,
		    SIM_XSD_LOG, SIM_DOM_DIR, SIM_EV_DIR };
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (sim_fmt(path, sizeof(path), "%s/%s", dir,
			    names[i]) == 0)
				sim_rmtree(path);
	}
	return rc;
}

int
xensim_check(const char *dir, char *err, size_t errlen)
{
	char abs[SIM_DIR_MAX + 1], sock[PATH_MAX];
	struct sim_machine *m;
	pid_t pid;
	int rc;

	rc = sim_dir_resolve(dir, abs, err, errlen);
	if (rc != 0)
		return rc;
	rc = sim_marker_check(abs, err, errlen);
	if (rc != 0)
		return rc;
	rc = sim_machine_map(abs, &m);
	if (rc != 0) {
		sim_err(err, errlen, "%s: bad machine file: %s", abs,
		    strerror(-rc));
		return rc;
	}
	pid = atomic_load(&m->xenstored_pid);
	sim_machine_unmap(m);
	if (!sim_xsd_is_ours(abs, pid)) {
		sim_err(err, errlen, "%s: xenstored (pid %d) is not running",
		    abs, (int)pid);
		return -ESRCH;
	}
	if (sim_fmt(sock, sizeof(sock), "%s/%s", abs, SIM_XS_SOCKET) != 0)
		return -ENAMETOOLONG;
	rc = sim_connect_path(sock);
	if (rc != 0) {
		sim_err(err, errlen, "%s: xenstored does not answer on %s: %s",
		    abs, sock, strerror(-rc));
		return rc;
	}
	return 0;
}

int
xensim_xenstored_pid(const char *dir)
{
	char abs[SIM_DIR_MAX + 1];
	struct sim_machine *m;
	pid_t pid;
	int rc;

	rc = sim_dir_resolve(dir, abs, NULL, 0);
	if (rc == 0)
		rc = sim_marker_check(abs, NULL, 0);
	if (rc == 0)
		rc = sim_machine_map(abs, &m);
	if (rc != 0)
		return rc;
	pid = atomic_load(&m->xenstored_pid);
	sim_machine_unmap(m);
	return sim_xsd_is_ours(abs, pid) ? (int)pid : -ESRCH;
}

int
xensim_destroy(const char *dir, char *err, size_t errlen)
{
	char abs[SIM_DIR_MAX + 1];
	struct sim_machine *m;
	int rc;

	rc = sim_dir_resolve(dir, abs, err, errlen);
	if (rc != 0)
		return rc;
	/* A machine whose xenstored died can still be destroyed, but a
	 * directory that never was one is left alone. */
	rc = sim_marker_check(abs, err, errlen);
	if (rc != 0)
		return rc;
	if (sim_machine_map(abs, &m) == 0) {
		sim_xsd_stop(abs, (pid_t)atomic_load(&m->xenstored_pid));
		atomic_store(&m->xenstored_pid, 0);
		sim_machine_unmap(m);
	}
	rc = sim_rmtree(abs);
	if (rc != 0)
		sim_err(err, errlen, "removing %s: %s", abs, strerror(-rc));
	return rc;
}

static int
sim_domid_check(uint32_t domid, char *err, size_t errlen)
{
	if (domid == 0) {
		sim_err(err, errlen, "domain 0 belongs to the machine (it is "
		    "created and destroyed with it)");
		return -EINVAL;
	}
	if (domid >= DOMID_FIRST_RESERVED) {
		sim_err(err, errlen, "bad domid %u (guests are 1..%u)", domid,
		    DOMID_FIRST_RESERVED - 1);
		return -EINVAL;
	}
	return 0;
}

int
xensim_domain_add(const char *dir, uint32_t domid, uint32_t pages,
    char *err, size_t errlen)
{
	char abs[SIM_DIR_MAX + 1], path[PATH_MAX];
	struct sim_machine *m = NULL;
	struct xen_xs *xs = NULL;
	int lock = -1, rc;
	bool files = false, introduced = false;

	rc = sim_domid_check(domid, err, errlen);
	if (rc != 0)
		return rc;
	if (pages == 0)
		pages = XENSIM_DEFAULT_PAGES;
	if (pages > SIM_MAX_PAGES) {
		sim_err(err, errlen, "too many pages: %u (at most %u)", pages,
		    SIM_MAX_PAGES);
		return -EINVAL;
	}
	rc = xensim_check(dir, err, errlen);
	if (rc != 0)
		return rc;
	rc = sim_dir_resolve(dir, abs, err, errlen);
	if (rc != 0)
		return rc;
	rc = sim_machine_map(abs, &m);
	if (rc != 0)
		return rc;
	lock = sim_lock(abs);
	if (lock < 0) {
		rc = lock;
		sim_err(err, errlen, "%s: lock: %s", abs, strerror(-rc));
		goto out;
	}
	rc = sim_dom_files_create(abs, m, domid, pages, err, errlen);
	if (rc != 0)
		goto out;
	files = true;
	xs = sim_xs_open(abs);
	if (xs == NULL) {
		rc = errno ? -errno : -EIO;
		sim_err(err, errlen, "cannot connect to xenstored: %s",
		    strerror(-rc));
		goto out;
	}
	/*
	 * xenstored maps the domain's xenstore page and binds its store
	 * port through the stand-in; the port number is only recorded
	 * (do_introduce wants it positive), the gfn is ignored.
	 */
	rc = xen_real_ops.xs_introduce(xs, domid, 0, 1);
	if (rc != 0) {
		sim_err(err, errlen, "introducing domain %u to xenstored: %s",
		    domid, strerror(-rc));
		goto out;
	}
	introduced = true;
	rc = sim_dom_nodes_write(xs, domid, err, errlen);
out:
	if (rc != 0 && files) {
		if (introduced)
			xen_real_ops.xs_release(xs, domid);
		if (xs != NULL) {
			snprintf(path, sizeof(path), "/local/domain/%u", domid);
			xen_real_ops.xs_rm(xs, XEN_TXN_NULL, path);
			snprintf(path, sizeof(path), "/libxl/%u", domid);
			xen_real_ops.xs_rm(xs, XEN_TXN_NULL, path);
		}
		if (sim_fmt(path, sizeof(path), "%s/%s/%u", abs, SIM_DOM_DIR,
		    domid) == 0)
			sim_rmtree(path);
	}
	if (xs != NULL)
		xen_real_ops.xs_close(xs);
	sim_unlock(lock);
	sim_machine_unmap(m);
	return rc;
}

int
xensim_domain_destroy(const char *dir, uint32_t domid, char *err,
    size_t errlen)
{
	char abs[SIM_DIR_MAX + 1], path[PATH_MAX], dead[PATH_MAX];
	uint32_t ids[DOMID_FIRST_RESERVED > 4096 ? 4096 : DOMID_FIRST_RESERVED];
	struct sim_dom *d = NULL, *o;
	struct xen_xs *xs = NULL;
	unsigned int waited;
	int lock = -1, rc, n, i;

	rc = sim_domid_check(domid, err, errlen);
	if (rc != 0)
		return rc;
	rc = xensim_check(dir, err, errlen);
	if (rc != 0)
		return rc;
	rc = sim_dir_resolve(dir, abs, err, errlen);
	if (rc != 0)
		return rc;
	lock = sim_lock(abs);
	if (lock < 0) {
		rc = lock;
		sim_err(err, errlen, "%s: lock: %s", abs, strerror(-rc));
		return rc;
	}
	rc = sim_dom_map(abs, domid, &d);
	if (rc != 0) {
		sim_err(err, errlen, "no domain %u", domid);
		rc = -ENOENT;
		goto out;
	}
	/* Dying first: every process's cached mapping notices it. */
	atomic_store(&d->hdr->dying, 1);
	n = sim_dom_list(abs, ids, (int)(sizeof(ids) / sizeof(ids[0])));
	for (i = 0; i < n; i++) {
		if (ids[i] == domid || sim_dom_map(abs, ids[i], &o) != 0)
			continue;
		sim_evtchn_domain_gone(o, domid);
		sim_dom_unmap(o);
	}
	if (sim_fmt(path, sizeof(path), "%s/%s/%u", abs, SIM_DOM_DIR, domid) ||
	    sim_fmt(dead, sizeof(dead), "%s/%s/.dead-%u-%u", abs, SIM_DOM_DIR,
	    domid, d->hdr->gen)) {
		rc = -ENAMETOOLONG;
		goto out;
	}
	if (rename(path, dead) != 0) {
		rc = -errno;
		sim_err(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	xs = sim_xs_open(abs);
	if (xs == NULL) {
		rc = errno ? -errno : -EIO;
		sim_err(err, errlen, "cannot connect to xenstored: %s",
		    strerror(-rc));
		goto out_files;
	}
	/* As libxl does after destroying a domain. */
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	xen_real_ops.xs_rm(xs, XEN_TXN_NULL, path);
	snprintf(path, sizeof(path), "/libxl/%u", domid);
	xen_real_ops.xs_rm(xs, XEN_TXN_NULL, path);
	/*
	 * The domain is gone from the stand-in's xc_domain_getinfo(); the
	 * VIRQ makes xenstored look (check_domains), drop the connection
	 * and fire @releaseDomain. Wait for it, so that the domid can be
	 * reused at once.
	 */
	rc = sim_virq_kick(abs);
	if (rc != 0) {
		sim_err(err, errlen, "cannot signal xenstored: %s",
		    strerror(-rc));
		goto out_files;
	}
	for (waited = 0; ; waited += 5) {
		rc = xen_real_ops.xs_is_introduced(xs, domid);
		if (rc == 0)
			break;
		if (waited >= SIM_RELEASE_MS) {
			sim_err(err, errlen, "xenstored did not release domain "
			    "%u within %u ms", domid, SIM_RELEASE_MS);
			rc = -ETIMEDOUT;
			goto out_files;
		}
		sim_sleep_ms(5);
	}
out_files:
	sim_rmtree(dead);
out:
	if (xs != NULL)
		xen_real_ops.xs_close(xs);
	sim_dom_unmap(d);
	sim_unlock(lock);
	return rc;
}

int
xensim_fault_set(const char *dir, enum xensim_fault kind, uint64_t nth,
    int16_t status, char *err, size_t errlen)
{
	char abs[SIM_DIR_MAX + 1];
	struct sim_machine *m;
	int rc;

	if (kind != XENSIM_FAULT_COPY && kind != XENSIM_FAULT_MAP) {
		sim_err(err, errlen, "unknown fault kind %d", (int)kind);
		return -EINVAL;
	}
	if (nth != 0 && (status >= GNTST_okay || status < GNTST_no_space)) {
		sim_err(err, errlen, "fault status %d is not a GNTST_* error "
		    "(%d..%d)", status, GNTST_no_space, GNTST_general_error);
		return -EINVAL;
	}
	rc = sim_dir_resolve(dir, abs, err, errlen);
	if (rc == 0)
		rc = sim_marker_check(abs, err, errlen);
	if (rc != 0)
		return rc;
	rc = sim_machine_map(abs, &m);
	if (rc != 0) {
		sim_err(err, errlen, "%s: bad machine file: %s", abs,
		    strerror(-rc));
		return rc;
	}
	/* Disarm, reset the count, set the status, then arm. */
	if (kind == XENSIM_FAULT_COPY) {
		atomic_store(&m->fault_copy_nth, 0);
		atomic_store(&m->fault_copy_seen, 0);
		atomic_store(&m->fault_copy_status, status);
		atomic_store(&m->fault_copy_nth, nth);
	} else {
		atomic_store(&m->fault_map_nth, 0);
		atomic_store(&m->fault_map_seen, 0);
		atomic_store(&m->fault_map_status, status);
		atomic_store(&m->fault_map_nth, nth);
	}
	sim_machine_unmap(m);
	return 0;
}
