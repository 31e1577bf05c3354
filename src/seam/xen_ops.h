/*
 * xen_ops.h - the hypervisor seam.
 *
 * Everything vifd asks of Xen goes through one table of function pointers
 * shaped like the libxen* APIs (libxengnttab, libxenevtchn, libxenstore), as
 * QEMU's xen_backend_ops.h does. Two implementations exist:
 *   - src/seam/xen_real.c, the real libraries. It is the only file of vifd
 *     that includes <xenstore.h>, <xengnttab.h> or <xenevtchn.h>.
 *   - tools/xensim, a simulated machine in a directory, shared by several
 *     processes (grant tables and memory in files, event channels over unix
 *     datagram sockets, the real xenstored).
 * Nothing else in vifd knows which one it runs on: where the two machines
 * differ beyond these operations, the difference is a property of struct
 * xen_env that each implementation sets (who may run hotplug scripts,
 * how relative xenstore paths resolve, where runtime files go).
 *
 * Conventions: functions returning int give 0 (or a count/port) on success
 * and -errno on failure; functions returning pointers give NULL and set
 * errno. Handles are opaque.
 */
#ifndef VIFD_XEN_OPS_H
#define VIFD_XEN_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/grant_table.h>	/* GNTST_*, GNTCOPY_*, grant_entry_v1_t */

#include "core/copy_seg.h"		/* struct xen_copy_seg */

struct xen_env;
struct xen_gnttab;
struct xen_evtchn;
struct xen_xs;

/* A xenstore transaction; XEN_TXN_NULL means "no transaction". */
typedef uint32_t xen_txn_t;
#define XEN_TXN_NULL ((xen_txn_t)0)

/* xenstore permissions, values as libxenstore's XS_PERM_*. */
#define XEN_XS_PERM_NONE	0u
#define XEN_XS_PERM_READ	1u
#define XEN_XS_PERM_WRITE	2u
#define XEN_XS_PERM_OWNER	8u	/* internal to libxenstore's parser */
struct xen_xs_perm {
	uint32_t id;		/* domid; the first entry is the owner */
	uint32_t perms;		/* XEN_XS_PERM_* for that domain (first: everyone else) */
};

/* A fired watch: one allocation, free() it once. */
struct xen_watch_event {
	char *path;
	char *token;
	char buf[];
};

struct xen_ops {
	const char *name;	/* for messages only ("real", "sim") */

	/* The calling thread is about to enter the data plane's sandbox,
	 * which has no open(2): from now on it must not map anything new
	 * (the simulated machine maps a domain's files lazily; Xen's
	 * libraries need nothing). NULL: nothing to do. */
	void (*thread_sandboxed)(struct xen_env *env);

	/* ---- grant tables (libxengnttab) ---------------------------- */
	struct xen_gnttab *(*gnttab_open)(struct xen_env *env);
	void (*gnttab_close)(struct xen_gnttab *g);
	/* Maps `count` grants of `domid` contiguously; prot is PROT_READ and/or
	 * PROT_WRITE. NULL + errno on failure (no partial mapping is left). */
	void *(*gnttab_map_refs)(struct xen_gnttab *g, uint32_t count,
	    uint32_t domid, const uint32_t *refs, int prot);
	int (*gnttab_unmap)(struct xen_gnttab *g, void *start, uint32_t count);
	/* Runs every segment; returns 0 if the batch was submitted (look at
	 * each status), -errno if it could not be submitted at all. */
	int (*gnttab_grant_copy)(struct xen_gnttab *g, uint32_t count,
	    struct xen_copy_seg *segs);

	/* ---- event channels (libxenevtchn) -------------------------- */
	struct xen_evtchn *(*evtchn_open)(struct xen_env *env);
	void (*evtchn_close)(struct xen_evtchn *e);	/* unbinds all its ports */
	int (*evtchn_fd)(struct xen_evtchn *e);		/* pollable for pending() */
	/* Allocates a port that `remote_domid` may bind to: the local port. */
	int (*evtchn_bind_unbound)(struct xen_evtchn *e, uint32_t remote_domid);
	/* Binds to an unbound port of another domain: the local port. */
	int (*evtchn_bind_interdomain)(struct xen_evtchn *e,
	    uint32_t remote_domid, uint32_t remote_port);
	int (*evtchn_unbind)(struct xen_evtchn *e, uint32_t port);
	int (*evtchn_notify)(struct xen_evtchn *e, uint32_t port);
	/* Next port with an event, or -EAGAIN. The port stays masked until
	 * unmask(); events that arrive meanwhile are delivered once then. */
	int (*evtchn_pending)(struct xen_evtchn *e);
	/* Up to `max` such ports in one go (Linux's evtchn device gives
	 * them in one read): their count, or -EAGAIN (or -errno). Fewer
	 * than max: no other port had an event then. */
	int (*evtchn_pending_many)(struct xen_evtchn *e, uint32_t *ports,
	    unsigned int max);
	int (*evtchn_unmask)(struct xen_evtchn *e, uint32_t port);

	/* ---- xenstore (libxenstore) --------------------------------- */
	struct xen_xs *(*xs_open)(struct xen_env *env);
	void (*xs_close)(struct xen_xs *xs);
	int (*xs_fileno)(struct xen_xs *xs);	/* readable when a watch fired */
	/* Value (NUL-terminated, malloc'd) and its length, or NULL + errno. */
	char *(*xs_read)(struct xen_xs *xs, xen_txn_t t, const char *path,
	    unsigned int *len);
	int (*xs_write)(struct xen_xs *xs, xen_txn_t t, const char *path,
	    const void *data, unsigned int len);
	int (*xs_mkdir)(struct xen_xs *xs, xen_txn_t t, const char *path);
	int (*xs_rm)(struct xen_xs *xs, xen_txn_t t, const char *path);
	/* Child names, one malloc block (free the array), or NULL + errno. */
	char **(*xs_directory)(struct xen_xs *xs, xen_txn_t t,
	    const char *path, unsigned int *num);
	/* Permissions, one malloc block, or NULL + errno. */
	struct xen_xs_perm *(*xs_get_perms)(struct xen_xs *xs, xen_txn_t t,
	    const char *path, unsigned int *num);
	int (*xs_set_perms)(struct xen_xs *xs, xen_txn_t t, const char *path,
	    const struct xen_xs_perm *perms, unsigned int num);
	int (*xs_watch)(struct xen_xs *xs, const char *path, const char *token);
	int (*xs_unwatch)(struct xen_xs *xs, const char *path,
	    const char *token);
	/* Non-blocking: 0 and an event, or -EAGAIN when none is queued. */
	int (*xs_read_watch)(struct xen_xs *xs, struct xen_watch_event **ev);
	int (*xs_txn_start)(struct xen_xs *xs, xen_txn_t *t);
	/* 0 on commit, -EAGAIN if it must be retried, -errno otherwise. */
	int (*xs_txn_end)(struct xen_xs *xs, xen_txn_t t, bool abort);
	/* "/local/domain/<domid>", malloc'd, or NULL + errno. */
	char *(*xs_domain_path)(struct xen_xs *xs, uint32_t domid);
	/* Toolstack operations (the simulated toolstack uses them). */
	int (*xs_introduce)(struct xen_xs *xs, uint32_t domid,
	    unsigned long mfn, uint32_t port);
	int (*xs_release)(struct xen_xs *xs, uint32_t domid);
	/* 1 if xenstored knows the domain, 0 if not, -errno. */
	int (*xs_is_introduced)(struct xen_xs *xs, uint32_t domid);
};

/*
 * A process's view of one Xen machine: which implementation and, for the
 * simulation, which machine and as which domain. `domid` is the domain
 * this process runs in; for the simulation it must be set before any
 * gnttab/evtchn handle is opened (the real one knows it from the kernel).
 */
struct xen_env {
	const struct xen_ops *ops;
	uint32_t domid;
	bool domid_known;
	void *priv;		/* implementation data */
	void (*destroy)(struct xen_env *env);

	/* Properties of the machine, set by the implementation's open. */
	/* A toolstack may run the vif hotplug scripts here (libxl in dom0,
	 * xl devd in a driver domain), so --hotplug=auto looks for one.
	 * False: nothing but vifd ever runs them (the simulated machine,
	 * whose toolstack is vifctl). */
	bool toolstack_hotplug;
	/* xenstored treats every client as domain 0, so a relative path
	 * resolves under /local/domain/0 whatever our own domid: paths
	 * handed to other processes (a hotplug script's XENBUS_PATH) must
	 * be absolute. */
	bool xs_home_is_dom0;
	/* A directory all domains of the machine share for their runtime
	 * files, named per domain (vifd's control socket), or NULL: the
	 * host's own (/run), one backend domain per host. */
	const char *run_dir;
};

/* --xen= for the real machine (the default). */
#define XEN_REAL_SPEC	"real"

/*
 * Opens an environment from a --xen= value (xen_env_syntax()). Returns 0
 * or -errno, with a one-line reason in `err` (of size errlen) on failure.
 */
int xen_env_open(const char *spec, struct xen_env **out, char *err,
    size_t errlen);
void xen_env_close(struct xen_env *env);

/*
 * Tells env (NULL: none) that the calling thread runs, or is about to
 * run, under vifd's data-plane sandbox (xen_ops.thread_sandboxed), where
 * the implementation has it. Inline: the data plane's users link no
 * implementation (a unit test's fake environment is its own).
 */
static inline void
xen_env_thread_sandboxed(struct xen_env *env)
{
	if (env != NULL && env->ops->thread_sandboxed != NULL)
		env->ops->thread_sandboxed(env);
}

/*
 * Checks a --xen= value's syntax without opening anything (a command
 * line's usage error comes before any machine is looked for). Returns 0,
 * or -EINVAL with "expected ..." in `err`.
 */
int xen_env_check(const char *spec, char *err, size_t errlen);

/* The --xen= values the implementations take, "a|b:ARG", for usage
 * texts. */
const char *xen_env_syntax(void);

/* The real libraries (src/seam/xen_real.c). */
extern const struct xen_ops xen_real_ops;
int xen_real_env_open(struct xen_env **out, char *err, size_t errlen);

#endif
