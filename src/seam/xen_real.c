/*
 * xen_real.c - the hypervisor seam over the real Xen libraries.
 *
 * Implements struct xen_ops with libxengnttab, libxenevtchn and
 * libxenstore. This is the only vifd source that includes their headers;
 * everything above the seam sees opaque handles and 0/-errno returns. The
 * simulated Xen reuses the xenstore half of this table (it runs the real
 * xenstored), so those functions are written to work for both.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "seam/xen_ops.h"

/* Our segment must be theirs, byte for byte: grant copy passes it through. */
_Static_assert(sizeof(struct xen_copy_seg) ==
    sizeof(xengnttab_grant_copy_segment_t), "copy segment size");
_Static_assert(offsetof(struct xen_copy_seg, dest) ==
    offsetof(xengnttab_grant_copy_segment_t, dest), "copy segment dest");
_Static_assert(offsetof(struct xen_copy_seg, len) ==
    offsetof(xengnttab_grant_copy_segment_t, len), "copy segment len");
_Static_assert(offsetof(struct xen_copy_seg, flags) ==
    offsetof(xengnttab_grant_copy_segment_t, flags), "copy segment flags");
_Static_assert(offsetof(struct xen_copy_seg, status) ==
    offsetof(xengnttab_grant_copy_segment_t, status), "copy segment status");
_Static_assert(XEN_XS_PERM_READ == XS_PERM_READ &&
    XEN_XS_PERM_WRITE == XS_PERM_WRITE && XEN_XS_PERM_NONE == XS_PERM_NONE,
    "xenstore permission values");

static int
neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

/* ---- grant tables ------------------------------------------------------ */

static struct xen_gnttab *
real_gnttab_open(struct xen_env *env)
{
	(void)env;
	return (struct xen_gnttab *)xengnttab_open(NULL, 0);
}

static void
real_gnttab_close(struct xen_gnttab *g)
{
	if (g != NULL)
		xengnttab_close((xengnttab_handle *)g);
}

static void *
real_gnttab_map_refs(struct xen_gnttab *g, uint32_t count, uint32_t domid,
    const uint32_t *refs, int prot)
{
	/* libxengnttab does not write to refs; its prototype is not const. */
	return xengnttab_map_domain_grant_refs((xengnttab_handle *)g, count,
	    domid, (uint32_t *)(uintptr_t)refs, prot);
}

static int
real_gnttab_unmap(struct xen_gnttab *g, void *start, uint32_t count)
{
	return xengnttab_unmap((xengnttab_handle *)g, start, count) == 0 ?
	    0 : neg_errno();
}

static int
real_gnttab_grant_copy(struct xen_gnttab *g, uint32_t count,
    struct xen_copy_seg *segs)
{
	return xengnttab_grant_copy((xengnttab_handle *)g, count,
	    (xengnttab_grant_copy_segment_t *)(void *)segs) == 0 ?
	    0 : neg_errno();
}

/* ---- event channels ---------------------------------------------------- */

static struct xen_evtchn *
real_evtchn_open(struct xen_env *env)
{
	xenevtchn_handle *h;
	int fd, fl;

	(void)env;
	h = xenevtchn_open(NULL, 0);
	if (h == NULL)
		return NULL;
	/* pending() must never block the worker: it reads only after epoll
	 * said the fd is readable, but a spurious wakeup must give EAGAIN. */
	fd = xenevtchn_fd(h);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		int saved = errno;

		xenevtchn_close(h);
		errno = saved;
		return NULL;
	}
	return (struct xen_evtchn *)h;
}

static void
real_evtchn_close(struct xen_evtchn *e)
{
	if (e != NULL)
		xenevtchn_close((xenevtchn_handle *)e);
}

static int
real_evtchn_fd(struct xen_evtchn *e)
{
	return xenevtchn_fd((xenevtchn_handle *)e);
}

static int
real_evtchn_bind_unbound(struct xen_evtchn *e, uint32_t remote_domid)
{
	xenevtchn_port_or_error_t p;

	p = xenevtchn_bind_unbound_port((xenevtchn_handle *)e, remote_domid);
	return p < 0 ? neg_errno() : (int)p;
}

static int
real_evtchn_bind_interdomain(struct xen_evtchn *e, uint32_t remote_domid,
    uint32_t remote_port)
{
	xenevtchn_port_or_error_t p;

	p = xenevtchn_bind_interdomain((xenevtchn_handle *)e, remote_domid,
	    remote_port);
	return p < 0 ? neg_errno() : (int)p;
}

static int
real_evtchn_unbind(struct xen_evtchn *e, uint32_t port)
{
	return xenevtchn_unbind((xenevtchn_handle *)e, port) == 0 ?
	    0 : neg_errno();
}

static int
real_evtchn_notify(struct xen_evtchn *e, uint32_t port)
{
	return xenevtchn_notify((xenevtchn_handle *)e, port) == 0 ?
	    0 : neg_errno();
}

static int
real_evtchn_pending(struct xen_evtchn *e)
{
	xenevtchn_port_or_error_t p;

	p = xenevtchn_pending((xenevtchn_handle *)e);
	if (p < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : neg_errno();
	return (int)p;
}

/* The device's read gives as many pending ports as asked for and has
 * (Linux drivers/xen/evtchn.c: an array of evtchn_port_t, up to the
 * count, EAGAIN on a non-blocking fd with none); libxenevtchn reads one
 * at a time, so this reads its fd itself: one system call where a queue
 * with split channels made two or three, the last to hear EAGAIN. */
_Static_assert(sizeof(evtchn_port_t) == sizeof(uint32_t),
    "the device's ports are read into uint32_t");

static int
real_evtchn_pending_many(struct xen_evtchn *e, uint32_t *ports,
    unsigned int max)
{
	ssize_t n;

	n = read(xenevtchn_fd((xenevtchn_handle *)e), ports,
	    (size_t)max * sizeof(*ports));
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : neg_errno();
	n /= (ssize_t)sizeof(*ports);
	return n == 0 ? -EAGAIN : (int)n;
}

static int
real_evtchn_unmask(struct xen_evtchn *e, uint32_t port)
{
	return xenevtchn_unmask((xenevtchn_handle *)e, port) == 0 ?
	    0 : neg_errno();
}

/* ---- xenstore ---------------------------------------------------------- */

static struct xen_xs *
real_xs_open(struct xen_env *env)
{
	(void)env;
	return (struct xen_xs *)xs_open(0);
}

static void
real_xs_close(struct xen_xs *xs)
{
	if (xs != NULL)
		xs_close((struct xs_handle *)xs);
}

static int
real_xs_fileno(struct xen_xs *xs)
{
	return xs_fileno((struct xs_handle *)xs);
}

static char *
real_xs_read(struct xen_xs *xs, xen_txn_t t, const char *path,
    unsigned int *len)
{
	unsigned int n = 0;
	char *v = xs_read((struct xs_handle *)xs, t, path, &n);

	if (len != NULL)
		*len = n;
	return v;
}

static int
real_xs_write(struct xen_xs *xs, xen_txn_t t, const char *path,
    const void *data, unsigned int len)
{
	return xs_write((struct xs_handle *)xs, t, path, data, len) ?
	    0 : neg_errno();
}

static int
real_xs_mkdir(struct xen_xs *xs, xen_txn_t t, const char *path)
{
	return xs_mkdir((struct xs_handle *)xs, t, path) ? 0 : neg_errno();
}

static int
real_xs_rm(struct xen_xs *xs, xen_txn_t t, const char *path)
{
	return xs_rm((struct xs_handle *)xs, t, path) ? 0 : neg_errno();
}

static char **
real_xs_directory(struct xen_xs *xs, xen_txn_t t, const char *path,
    unsigned int *num)
{
	return xs_directory((struct xs_handle *)xs, t, path, num);
}

static struct xen_xs_perm *
real_xs_get_perms(struct xen_xs *xs, xen_txn_t t, const char *path,
    unsigned int *num)
{
	struct xs_permissions *p;
	struct xen_xs_perm *out;
	unsigned int i, n = 0;

	p = xs_get_permissions((struct xs_handle *)xs, t, path, &n);
	if (p == NULL)
		return NULL;
	out = calloc(n ? n : 1, sizeof(*out));
	if (out == NULL) {
		free(p);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		out[i].id = p[i].id;
		out[i].perms = p[i].perms &
		    (XEN_XS_PERM_READ | XEN_XS_PERM_WRITE);
	}
	free(p);
	*num = n;
	return out;
}

static int
real_xs_set_perms(struct xen_xs *xs, xen_txn_t t, const char *path,
    const struct xen_xs_perm *perms, unsigned int num)
{
	struct xs_permissions p[16];
	unsigned int i;

	if (num == 0 || num > sizeof(p) / sizeof(p[0]))
		return -EINVAL;
	for (i = 0; i < num; i++) {
		p[i].id = perms[i].id;
		p[i].perms = perms[i].perms;
	}
	return xs_set_permissions((struct xs_handle *)xs, t, path, p, num) ?
	    0 : neg_errno();
}

static int
real_xs_watch(struct xen_xs *xs, const char *path, const char *token)
{
	return xs_watch((struct xs_handle *)xs, path, token) ? 0 : neg_errno();
}

static int
real_xs_unwatch(struct xen_xs *xs, const char *path, const char *token)
{
	return xs_unwatch((struct xs_handle *)xs, path, token) ?
	    0 : neg_errno();
}

static int
real_xs_read_watch(struct xen_xs *xs, struct xen_watch_event **out)
{
	struct xen_watch_event *ev;
	size_t lp, lt;
	char **vec;

	vec = xs_check_watch((struct xs_handle *)xs);
	if (vec == NULL)
		return errno == EAGAIN || errno == 0 ? -EAGAIN : neg_errno();
	lp = strlen(vec[XS_WATCH_PATH]);
	lt = strlen(vec[XS_WATCH_TOKEN]);
	ev = malloc(sizeof(*ev) + lp + lt + 2);
	if (ev == NULL) {
		free(vec);
		return -ENOMEM;
	}
	ev->path = ev->buf;
	memcpy(ev->path, vec[XS_WATCH_PATH], lp + 1);
	ev->token = ev->buf + lp + 1;
	memcpy(ev->token, vec[XS_WATCH_TOKEN], lt + 1);
	free(vec);
	*out = ev;
	return 0;
}

static int
real_xs_txn_start(struct xen_xs *xs, xen_txn_t *t)
{
	xs_transaction_t x = xs_transaction_start((struct xs_handle *)xs);

	if (x == XBT_NULL)
		return neg_errno();
	*t = x;
	return 0;
}

static int
real_xs_txn_end(struct xen_xs *xs, xen_txn_t t, bool abort)
{
	return xs_transaction_end((struct xs_handle *)xs, t, abort) ?
	    0 : neg_errno();
}

static char *
real_xs_domain_path(struct xen_xs *xs, uint32_t domid)
{
	return xs_get_domain_path((struct xs_handle *)xs, domid);
}

static int
real_xs_introduce(struct xen_xs *xs, uint32_t domid, unsigned long mfn,
    uint32_t port)
{
	return xs_introduce_domain((struct xs_handle *)xs, domid, mfn, port) ?
	    0 : neg_errno();
}

static int
real_xs_release(struct xen_xs *xs, uint32_t domid)
{
	return xs_release_domain((struct xs_handle *)xs, domid) ?
	    0 : neg_errno();
}

static int
real_xs_is_introduced(struct xen_xs *xs, uint32_t domid)
{
	return xs_is_domain_introduced((struct xs_handle *)xs, domid) ? 1 : 0;
}

const struct xen_ops xen_real_ops = {
	.name = "real",
	.gnttab_open = real_gnttab_open,
	.gnttab_close = real_gnttab_close,
	.gnttab_map_refs = real_gnttab_map_refs,
	.gnttab_unmap = real_gnttab_unmap,
	.gnttab_grant_copy = real_gnttab_grant_copy,
	.evtchn_open = real_evtchn_open,
	.evtchn_close = real_evtchn_close,
	.evtchn_fd = real_evtchn_fd,
	.evtchn_bind_unbound = real_evtchn_bind_unbound,
	.evtchn_bind_interdomain = real_evtchn_bind_interdomain,
	.evtchn_unbind = real_evtchn_unbind,
	.evtchn_notify = real_evtchn_notify,
	.evtchn_pending = real_evtchn_pending,
	.evtchn_pending_many = real_evtchn_pending_many,
	.evtchn_unmask = real_evtchn_unmask,
	.xs_open = real_xs_open,
	.xs_close = real_xs_close,
	.xs_fileno = real_xs_fileno,
	.xs_read = real_xs_read,
	.xs_write = real_xs_write,
	.xs_mkdir = real_xs_mkdir,
	.xs_rm = real_xs_rm,
	.xs_directory = real_xs_directory,
	.xs_get_perms = real_xs_get_perms,
	.xs_set_perms = real_xs_set_perms,
	.xs_watch = real_xs_watch,
	.xs_unwatch = real_xs_unwatch,
	.xs_read_watch = real_xs_read_watch,
	.xs_txn_start = real_xs_txn_start,
	.xs_txn_end = real_xs_txn_end,
	.xs_domain_path = real_xs_domain_path,
	.xs_introduce = real_xs_introduce,
	.xs_release = real_xs_release,
	.xs_is_introduced = real_xs_is_introduced,
};

static void
real_env_destroy(struct xen_env *env)
{
	free(env);
}

int
xen_real_env_open(struct xen_env **out, char *err, size_t errlen)
{
	struct xen_env *env;

	if (access("/dev/xen/evtchn", F_OK) != 0 &&
	    access("/proc/xen/capabilities", F_OK) != 0) {
		snprintf(err, errlen, "this machine does not run on Xen "
		    "(no /dev/xen/evtchn); use --xen=sim:DIR for a simulated one");
		return -ENODEV;
	}
	env = calloc(1, sizeof(*env));
	if (env == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	env->ops = &xen_real_ops;
	env->destroy = real_env_destroy;
	/* libxl (dom0) or xl devd (a driver domain) may run the scripts;
	 * each domain reaches xenstored as itself; runtime files in /run. */
	env->toolstack_hotplug = true;
	env->xs_home_is_dom0 = false;
	env->run_dir = NULL;
	*out = env;
	return 0;
}
