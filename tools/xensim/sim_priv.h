/*
 * sim_priv.h - what the parts of libxensim share with each other.
 *
 * sim_util.c: paths, the machine lock, mapping a domain's files, the
 * per-environment domain cache; sim_machine.c: the toolstack side;
 * sim_gnttab.c, sim_evtchn.c: the seam's grant and event channel halves;
 * sim_env.c: the seam itself; sim_guest.c: the guest API.
 */
#ifndef VIFD_SIM_PRIV_H
#define VIFD_SIM_PRIV_H

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "seam/xen_ops.h"	/* <xen/xen.h>, <xen/grant_table.h> */
#include "sim_int.h"

/* sun_path of struct sockaddr_un, including its terminating NUL. */
#define SIM_SUN_PATH	108u
/* The longest machine directory path whose sockets still fit. */
#define SIM_DIR_MAX	(SIM_SUN_PATH - 1u - SIM_SOCKNAME_MAX)

/* One domain's files mapped into this process. */
struct sim_dom {
	struct sim_dom_hdr *hdr;
	grant_entry_v1_t *grants;
	_Atomic uint64_t *active;
	struct sim_port *ports;
	uint8_t *mem;
	size_t ctl_size;
	size_t mem_size;
	int mem_fd;		/* kept for grant-map mmaps */
	uint32_t domid;
	uint32_t npages;
	struct sim_dom *retired_next;
};

/* A process's view of a machine: env->priv of a simulated xen_env. */
struct sim_env {
	struct xen_env env;
	char dir[SIM_DIR_MAX + 1];
	struct sim_machine *machine;
	pthread_mutex_t lock;			/* slow path of the cache */
	_Atomic(struct sim_dom *) *doms;	/* [DOMID_FIRST_RESERVED] */
	struct sim_dom *retired;		/* replaced, unmapped at close */
};

/* ---- sim_util.c -------------------------------------------------------- */

/* snprintf into buf; -ENAMETOOLONG if it does not fit. */
int sim_fmt(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The one-line reason of a failed call, into err (may be NULL). */
void sim_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Canonical absolute path of an existing directory `dir` into out
 * (SIM_DIR_MAX + 1 bytes); -ENAMETOOLONG if the machine's socket paths
 * would not fit in sun_path.
 */
int sim_dir_resolve(const char *dir, char *out, char *err, size_t errlen);
/* 0 if `dir` (resolved) carries the machine marker, -errno otherwise. */
int sim_marker_check(const char *dir, char *err, size_t errlen);

/* Takes the machine lock (blocking): an fd to pass to sim_unlock. */
int sim_lock(const char *dir);
void sim_unlock(int fd);

int sim_machine_map(const char *dir, struct sim_machine **out);
void sim_machine_unmap(struct sim_machine *m);

/* Maps domain `domid`'s files; -ENOENT if there is no such domain. */
int sim_dom_map(const char *dir, uint32_t domid, struct sim_dom **out);
void sim_dom_unmap(struct sim_dom *d);
/* Domain ids present in dir/dom, ascending; returns the count. */
int sim_dom_list(const char *dir, uint32_t *ids, int max);

/*
 * The live mapping of `domid` through the environment's cache, or NULL
 * if there is no such domain (now). Lock-free when cached and alive.
 */
struct sim_dom *sim_env_dom(struct sim_env *se, uint32_t domid);

/*
 * xen_ops.thread_sandboxed: from now on sim_env_dom, in this thread,
 * never maps a domain (vifd's queue workers have no open(2)); a domain
 * not mapped, or dying, is then gone for it (NULL), and the
 * connection's control thread, which maps, sets things right.
 */
void sim_thread_sandboxed(struct xen_env *env);

/* Is the process/handle that owns an event channel port alive? */
bool sim_owner_alive(const char *dir, int32_t pid, uint32_t hid);
/* The socket path of handle (pid, hid). */
int sim_ev_path(char *buf, size_t len, const char *dir, int32_t pid,
    uint32_t hid);

/* ---- sim_evtchn.c ------------------------------------------------------ */

/*
 * Under the machine lock: every port of `d` bound to `gone` becomes
 * unbound (for remote `gone`), as when Xen destroys a domain.
 */
void sim_evtchn_domain_gone(struct sim_dom *d, uint32_t gone);

struct xen_evtchn *sim_evtchn_open(struct xen_env *env);
void sim_evtchn_close(struct xen_evtchn *e);
int sim_evtchn_fd(struct xen_evtchn *e);
int sim_evtchn_bind_unbound(struct xen_evtchn *e, uint32_t remote_domid);
int sim_evtchn_bind_interdomain(struct xen_evtchn *e, uint32_t remote_domid,
    uint32_t remote_port);
int sim_evtchn_unbind(struct xen_evtchn *e, uint32_t port);
int sim_evtchn_notify(struct xen_evtchn *e, uint32_t port);
int sim_evtchn_pending(struct xen_evtchn *e);
int sim_evtchn_pending_many(struct xen_evtchn *e, uint32_t *ports,
    unsigned int max);
int sim_evtchn_unmask(struct xen_evtchn *e, uint32_t port);

/* ---- sim_gnttab.c ------------------------------------------------------ */

struct xen_gnttab *sim_gnttab_open(struct xen_env *env);
void sim_gnttab_close(struct xen_gnttab *g);
void *sim_gnttab_map_refs(struct xen_gnttab *g, uint32_t count,
    uint32_t domid, const uint32_t *refs, int prot);
int sim_gnttab_unmap(struct xen_gnttab *g, void *start, uint32_t count);
int sim_gnttab_grant_copy(struct xen_gnttab *g, uint32_t count,
    struct xen_copy_seg *segs);

/* ---- sim_machine.c ----------------------------------------------------- */

/*
 * A libxenstore connection to the machine's xenstored (the real seam
 * functions over XENSTORED_PATH, which is restored afterwards).
 */
struct xen_xs *sim_xs_open(const char *dir);

#endif
