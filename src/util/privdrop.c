/*
 * privdrop.c - vifd proper giving up root's powers once the privileged
 * part has been forked (privdrop.h).
 *
 * Owns the order of the steps, which matters: the mount namespace needs
 * CAP_SYS_ADMIN, the securebits and the bounding set CAP_SETPCAP, so the
 * file system view comes first, the capability sets last. vifd proper
 * keeps uid 0: Xen's device nodes (/dev/xen/gntdev, evtchn, xenbus) are
 * root's, mode 0600, and each queue opens its own handles as guests
 * connect. What uid 0 still gives without capabilities (owning root's
 * files, opening root's device nodes, being trusted by daemons that
 * trust any uid-0 peer on their socket) the file system view takes away:
 * read-only, nodev, and /dev, /run and /tmp emptied but for what vifd
 * uses.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/securebits.h>
#include <sys/capability.h>

#include "util/privdrop.h"
#include "util/sandbox.h"

static int
privdrop_fail(int err, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	n = strlen(buf);
	if (n < len)
		snprintf(buf + n, len - n, ": %s", strerror(-err));
	return err;
}

/* The number of threads of this process, from /proc, or -errno. */
static int
privdrop_threads(void)
{
	char buf[4096], *p;
	ssize_t n;
	int fd, t = -ENOENT;

	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	p = strstr(buf, "\nThreads:");
	if (p != NULL)
		t = (int)strtol(p + 9, NULL, 10);
	return t;
}

/* Directories whose contents vifd proper does not see: an empty tmpfs
 * each, with what it needs put back. */
static const char *const privdrop_masked[] = { "/dev", "/run", "/tmp",
    "/var/tmp" };

/* The device nodes vifd proper opens (libxengnttab, libxenevtchn,
 * libxenstore without a xenstored socket, syslog, the C library). */
static const char *const privdrop_devs[] = { "/dev/null", "/dev/zero",
    "/dev/full", "/dev/random", "/dev/urandom", "/dev/log",
    "/dev/xen/gntdev", "/dev/xen/evtchn", "/dev/xen/xenbus",
    "/dev/xen/xenbus_backend" };

#define PRIVDROP_MAX 32

/* One path put back into a masked directory. */
struct privdrop_put {
	char path[PATH_MAX];
	char link[PATH_MAX];	/* a symlink's target ("" if none) */
	int tree;		/* the detached bind mount, or -1 */
	bool dir, dev, rw;
};

/* True if `path` lies in one of the masked directories. */
static bool
privdrop_in_masked(const char *path)
{
	size_t i, n;

	for (i = 0; i < sizeof(privdrop_masked) / sizeof(*privdrop_masked);
	    i++) {
		n = strlen(privdrop_masked[i]);
		if (strncmp(path, privdrop_masked[i], n) == 0 &&
		    (path[n] == '/' || path[n] == '\0'))
			return true;
	}
	return false;
}

/* Records `path` (canonical) to put back; skipped if missing or not in a
 * masked directory. A symlink is put back as one, its target too. */
static int
privdrop_add(struct privdrop_put *p, size_t *n, const char *path, bool rw,
    char *err, size_t errlen)
{
	struct privdrop_put *e;
	struct stat st;
	char real[PATH_MAX];
	ssize_t l;

	size_t i, l0;

	if (!privdrop_in_masked(path) || lstat(path, &st) < 0)
		return 0;
	/* Inside a directory already put back: it comes with it. */
	for (i = 0; i < *n; i++) {
		l0 = strlen(p[i].path);
		if (p[i].dir && strncmp(path, p[i].path, l0) == 0 &&
		    (path[l0] == '/' || path[l0] == '\0'))
			return 0;
	}
	if (*n == PRIVDROP_MAX)
		return privdrop_fail(-E2BIG, err, errlen, "too many paths");
	e = &p[(*n)++];
	memset(e, 0, sizeof(*e));
	e->tree = -1;
	e->rw = rw;
	snprintf(e->path, sizeof(e->path), "%s", path);
	if (S_ISLNK(st.st_mode)) {
		l = readlink(path, e->link, sizeof(e->link) - 1);
		if (l <= 0)
			return privdrop_fail(-errno, err, errlen, "readlink %s",
			    path);
		e->link[l] = '\0';
		if (realpath(path, real) == NULL)
			return 0;	/* dangling: the link alone */
		return privdrop_add(p, n, real, rw, err, errlen);
	}
	e->dir = S_ISDIR(st.st_mode);
	e->dev = S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode);
	e->tree = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
	    (e->dir ? AT_RECURSIVE : 0));
	if (e->tree < 0)
		return privdrop_fail(-errno, err, errlen, "open_tree %s", path);
	return 0;
}

/* mkdir -p of the directories above `path`. */
static int
privdrop_parents(const char *path)
{
	char buf[PATH_MAX], *s;

	snprintf(buf, sizeof(buf), "%s", path);
	for (s = strchr(buf + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

/* Puts one recorded path back, on the fresh tmpfs. */
static int
privdrop_put_back(struct privdrop_put *e, char *err, size_t errlen)
{
	int fd, r;

	if ((r = privdrop_parents(e->path)) < 0)
		return privdrop_fail(r, err, errlen, "mkdir above %s", e->path);
	if (e->link[0] != '\0') {
		if (symlink(e->link, e->path) < 0 && errno != EEXIST)
			return privdrop_fail(-errno, err, errlen, "symlink %s",
			    e->path);
		return 0;
	}
	if (e->dir) {
		if (mkdir(e->path, 0755) < 0 && errno != EEXIST)
			return privdrop_fail(-errno, err, errlen, "mkdir %s",
			    e->path);
	} else {
		fd = open(e->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return privdrop_fail(-errno, err, errlen, "creating %s",
			    e->path);
		close(fd);
	}
	if (move_mount(e->tree, "", AT_FDCWD, e->path,
	    MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return privdrop_fail(-errno, err, errlen, "move_mount %s",
		    e->path);
	return 0;
}

/* The namespace, the masks, and every mount read-only and nodev but the
 * writable directories and the device nodes. */
static int
privdrop_fs(const char *const rw[], size_t nrw, const char *const keep[],
    size_t nkeep, char *err, size_t errlen)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY |
	    MOUNT_ATTR_NODEV };
	struct mount_attr wr = { .attr_clr = MOUNT_ATTR_RDONLY };
	struct mount_attr dev = { .attr_clr = MOUNT_ATTR_NODEV };
	struct privdrop_put *p;
	struct stat st;
	size_t i, n = 0;
	int r = 0;

	p = calloc(PRIVDROP_MAX, sizeof(*p));
	if (p == NULL)
		return privdrop_fail(-ENOMEM, err, errlen, "calloc");
	if (unshare(CLONE_NEWNS) < 0) {
		r = privdrop_fail(-errno, err, errlen, "unshare(mount "
		    "namespace)");
		goto out;
	}
	/* Private: a mount the host makes later (a binfmt_misc, a disk)
	 * never appears here, writable or not. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		r = privdrop_fail(-errno, err, errlen, "making / private");
		goto out;
	}
	for (i = 0; i < nrw && r == 0; i++) {
		if (mkdir(rw[i], 0700) < 0 && errno != EEXIST)
			r = privdrop_fail(-errno, err, errlen, "mkdir %s",
			    rw[i]);
		else
			r = privdrop_add(p, &n, rw[i], true, err, errlen);
	}
	for (i = 0; i < nkeep && r == 0; i++)
		r = privdrop_add(p, &n, keep[i], false, err, errlen);
	for (i = 0; i < sizeof(privdrop_devs) / sizeof(*privdrop_devs) &&
	    r == 0; i++)
		r = privdrop_add(p, &n, privdrop_devs[i], false, err, errlen);
	if (r < 0)
		goto out;
	for (i = 0; i < sizeof(privdrop_masked) / sizeof(*privdrop_masked);
	    i++) {
		if (lstat(privdrop_masked[i], &st) < 0 || !S_ISDIR(st.st_mode))
			continue;	/* absent, or a symlink to /run */
		if (mount("tmpfs", privdrop_masked[i], "tmpfs", MS_NOSUID |
		    MS_NOEXEC, "mode=0755,size=64k") < 0) {
			r = privdrop_fail(-errno, err, errlen, "a tmpfs on %s",
			    privdrop_masked[i]);
			goto out;
		}
	}
	for (i = 0; i < n && r == 0; i++)
		r = privdrop_put_back(&p[i], err, errlen);
	if (r < 0)
		goto out;
	if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof(ro)) < 0) {
		r = privdrop_fail(-errno, err, errlen, "making every mount "
		    "read-only");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (p[i].link[0] != '\0' || !(p[i].rw || p[i].dev))
			continue;
		if (mount_setattr(AT_FDCWD, p[i].path, p[i].rw ? AT_RECURSIVE :
		    0, p[i].rw ? &wr : &dev, sizeof(wr)) < 0) {
			r = privdrop_fail(-errno, err, errlen, "making %s %s",
			    p[i].path, p[i].rw ? "writable" : "a device");
			goto out;
		}
	}
	/* A writable directory outside the masks: not put back, so only
	 * the read-only flag is to clear. */
	for (i = 0; i < nrw; i++)
		if (!privdrop_in_masked(rw[i]) &&
		    (mount(rw[i], rw[i], NULL, MS_BIND | MS_REC, NULL) < 0 ||
		    mount_setattr(AT_FDCWD, rw[i], AT_RECURSIVE, &wr,
		    sizeof(wr)) < 0)) {
			r = privdrop_fail(-errno, err, errlen, "making %s "
			    "writable", rw[i]);
			goto out;
		}
out:
	for (i = 0; i < n; i++)
		if (p[i].tree >= 0)
			close(p[i].tree);
	free(p);
	return r;
}

/* Every capability but `keep` (-1: none), for good. */
static int
privdrop_caps(cap_value_t keep, char *err, size_t errlen)
{
	const unsigned int bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
	    SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
	    SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
	    SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	cap_value_t v;
	cap_t c;
	int r = 0;

	if (cap_set_secbits(bits) < 0)
		return privdrop_fail(-errno, err, errlen, "securebits");
	for (v = 0; v < (cap_value_t)cap_max_bits(); v++)
		if (v != keep && cap_drop_bound(v) < 0)
			return privdrop_fail(-errno, err, errlen, "dropping "
			    "capability %d from the bounding set", (int)v);
	if (cap_reset_ambient() < 0)
		return privdrop_fail(-errno, err, errlen, "ambient "
		    "capabilities");
	c = cap_init();
	if (c == NULL)
		return privdrop_fail(-errno, err, errlen, "cap_init");
	if (keep >= 0 &&
	    (cap_set_flag(c, CAP_EFFECTIVE, 1, &keep, CAP_SET) < 0 ||
	    cap_set_flag(c, CAP_PERMITTED, 1, &keep, CAP_SET) < 0))
		r = privdrop_fail(-errno, err, errlen, "cap_set_flag");
	else if (cap_set_proc(c) < 0)
		r = privdrop_fail(-errno, err, errlen, "cap_set_proc");
	cap_free(c);
	if (r == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		r = privdrop_fail(-errno, err, errlen, "no_new_privs");
	return r;
}

int
privdrop_apply(const char *const rw[], size_t nrw, const char *const keep[],
    size_t nkeep, char *err, size_t errlen)
{
	int r, t;

	t = privdrop_threads();
	if (t != 1)
		return privdrop_fail(t < 0 ? t : -EBUSY, err, errlen,
		    "%d threads before the drop (capabilities are per "
		    "thread)", t);
	r = privdrop_fs(rw, nrw, keep, nkeep, err, errlen);
	if (r < 0)
		return r;
	/* CAP_BPF or nothing: CAP_SYS_ADMIN (what bpf(2) takes on kernels
	 * before 5.8) would undo the rest; steering is then software. */
	return privdrop_caps(sandbox_bpf_cap() == CAP_BPF ? CAP_BPF : -1,
	    err, errlen);
}
