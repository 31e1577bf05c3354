/*
 * xensim.h - the simulated Xen machine.
 *
 * A simulated machine lives in a directory shared by several processes,
 * each playing one domain, exactly as a backend and a guest are separate
 * domains on real Xen:
 *   - per domain, a memory file of pages and a grant table file of
 *     grant_entry_v1_t entries, both mapped MAP_SHARED by whoever uses them;
 *   - event channels: a shared port table per domain, notifications carried
 *     as datagrams on unix sockets (one socket, one pollable fd, per handle);
 *   - xenstore: the real C xenstored from xen-utils-4.17, run without Xen by
 *     a preloaded stand-in for the few hypervisor calls it makes.
 *
 * The machine API (create/destroy/domain_add/domain_destroy) is the
 * simulated toolstack; xensim_env_open() gives a process the struct xen_ops
 * seam vifd uses, with the machine's properties (no toolstack runs
 * hotplug scripts, xenstored sees every client as dom0, the machine's
 * directory holds every domain's runtime files); the guest API (xensim_dom_*, xensim_grant_*) is what a
 * simulated guest kernel does with its memory: fill its pages and grant
 * them. A guest process gets its event channels (bind_unbound for the
 * backend, notify, pending) and xenstore through the seam too, with an
 * environment whose domid is its domain. The command xensim(1) drives the
 * machine API from the shell.
 *
 * All functions return 0 (or a value) on success and -errno on failure;
 * those taking `err` also put a one-line reason there.
 */
#ifndef VIFD_XENSIM_H
#define VIFD_XENSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seam/xen_ops.h"

/* How --xen= names a simulated machine: the prefix, then its directory. */
#define XENSIM_SPEC_PREFIX	"sim:"
#define XENSIM_SPEC		XENSIM_SPEC_PREFIX "DIR"

#define XENSIM_PAGE_SIZE	4096u
/* Default memory per domain: 8192 pages (32 MiB, a sparse file). */
#define XENSIM_DEFAULT_PAGES	8192u
/* Grant table size: as Xen's default max_grant_frames (64) of v1 entries. */
#define XENSIM_GRANT_ENTRIES	(64u * (XENSIM_PAGE_SIZE / 8u))
/* Event channel ports per domain. */
#define XENSIM_EVTCHN_PORTS	1024u

/* ---- the machine (simulated toolstack) ------------------------------- */

/*
 * Creates a machine in `dir` (created if missing, must be empty or absent),
 * starts its xenstored (preloaded with the stand-in library) and adds
 * domain 0 with its /local/domain/0 nodes (domid "0", name "Domain-0").
 * Fails if the unix socket paths under `dir` would not fit in sun_path
 * (the absolute path of `dir` may have at most 82 bytes). On failure
 * nothing is left behind: no process, and `dir` as it was.
 *
 * xenstored is $XENSIM_XENSTORED, else XENSTORED_PATH_DEFAULT (configure
 * --with-xenstored). The stand-in library xensim-xsd.so is
 * $XENSIM_PRELOAD, else the one next to the running executable, else the
 * build tree's, else $(pkglibexecdir)'s. xenstored's output goes to
 * dir/xenstored.log. Not thread-safe (it sets XENSTORED_PATH briefly).
 */
int xensim_create(const char *dir, char *err, size_t errlen);

/*
 * Stops xenstored (SIGTERM, then SIGKILL; nothing is left running) and
 * removes `dir`. Works on a machine whose xenstored died; refuses a
 * directory without the machine marker.
 */
int xensim_destroy(const char *dir, char *err, size_t errlen);

/* 0 if `dir` holds a running simulated machine, -errno otherwise:
 * -ENOENT/-EINVAL not a machine, -ESRCH xenstored is not running,
 * -ECONNREFUSED xenstored does not answer, -ENAMETOOLONG path too long. */
int xensim_check(const char *dir, char *err, size_t errlen);

/* The pid of the machine's xenstored, or -errno (-ESRCH: not running). */
int xensim_xenstored_pid(const char *dir);

/*
 * Adds domain `domid` (1..DOMID_FIRST_RESERVED-1) with `pages` pages of
 * memory (0: the default; at most 2^20), its grant table and port table,
 * introduces it to xenstored (xs_introduce_domain: @introduceDomain
 * fires) and writes the nodes libxl__domain_make writes, with its
 * permissions: /local/domain/<domid> itself and its cpu, memory, device
 * and control directories owned by dom0 and readable by the domain
 * ("roperm"); control/shutdown, control/feature-*, control/sysrq,
 * device/suspend/event-channel, data, drivers, feature, attr and error
 * owned by the domain ("rwperm"); name ("xensim-<domid>") and domid
 * inheriting the domain directory's; /libxl/<domid> owned by dom0.
 * -EEXIST if the domain exists.
 */
int xensim_domain_add(const char *dir, uint32_t domid, uint32_t pages,
    char *err, size_t errlen);

/*
 * Destroys a domain as `xl destroy` would: marks it dying (every
 * process's cached mapping notices), makes every event channel bound to
 * it unbound on the other side, removes /local/domain/<domid> and
 * /libxl/<domid>, and signals xenstored's VIRQ_DOM_EXC so that its own
 * check releases the domain and fires @releaseDomain. Returns once
 * xenstored has released it, so the domid can be reused at once. Grant
 * mappings of its pages stay valid until unmapped, as on Xen.
 */
int xensim_domain_destroy(const char *dir, uint32_t domid, char *err,
    size_t errlen);

/*
 * Fault injection, machine-wide: the `nth` (1-based) grant copy segment /
 * grant map counted from now on, by any process, fails with GNTST status
 * `status` (GNTST_general_error .. GNTST_no_space); later ones succeed
 * again. nth 0 disarms. A failed map reports the status through
 * xensim_gnttab_last_status().
 */
enum xensim_fault { XENSIM_FAULT_COPY, XENSIM_FAULT_MAP };
int xensim_fault_set(const char *dir, enum xensim_fault kind, uint64_t nth,
    int16_t status, char *err, size_t errlen);

/* ---- the seam --------------------------------------------------------- */

/*
 * A struct xen_env over the machine in `dir`: gnttab and evtchn simulated,
 * xenstore through the real libxenstore to this machine's xenstored (it
 * sets XENSTORED_PATH for the process). Set env->domid before opening
 * grant or event channel handles (default 0); the domain must exist
 * (else the open fails with ESRCH). Close with xen_env_close() after
 * every handle opened from it.
 *
 * What differs from real Xen, on purpose or not:
 *   - grant copy: a segment without a grant side, or whose grant side has
 *     offset + len beyond the page, fails the whole call with -EINVAL, as
 *     Linux's gntdev does before Xen sees it. Other errors are per
 *     segment, with Xen's GNTST_* codes (see sim_gnttab.c). Copies do
 *     not set GTF_reading/GTF_writing in the entry while they run.
 *   - grant map: NULL/EINVAL on any failing ref, as gntdev; the GNTST
 *     code is in xensim_gnttab_last_status(). gnttab_close unmaps what is
 *     still mapped. The pins of a process killed while mapping are not
 *     dropped (the guest's xensim_grant_end stays -EBUSY for them).
 *   - event channels: after bind_interdomain the local port has one
 *     event pending, as on Xen. A port whose process died counts as
 *     closed when a bind needs it; notifying it is a no-op.
 * Handles are not meant to be shared between threads while one of them
 * binds or closes; notify, pending, unmask and grant copy on different
 * handles of one environment are thread-safe.
 */
int xensim_env_open(const char *dir, struct xen_env **out, char *err,
    size_t errlen);

/* If the --xen= value `spec` names a simulated machine (XENSIM_SPEC), its
 * directory (possibly empty, which names none); else NULL. */
const char *xensim_spec_dir(const char *spec);

/* The GNTST_* status of the last map on `g` (a handle of a simulated
 * environment only): GNTST_okay after a successful one. */
int16_t xensim_gnttab_last_status(struct xen_gnttab *g);

/* ---- the guest side ---------------------------------------------------- */

struct xensim_dom;

/* Maps domain `domid`'s memory and grant table into this process:
 * -ENOENT if the machine or the domain does not exist. */
int xensim_dom_open(const char *dir, uint32_t domid, struct xensim_dom **out);
void xensim_dom_close(struct xensim_dom *d);

uint32_t xensim_dom_npages(const struct xensim_dom *d);
/* Pointer to page `pfn` of the domain's memory, or NULL if out of range.
 * The memory is shared: a backend's grant copy or map sees it. */
void *xensim_dom_page(struct xensim_dom *d, uint32_t pfn);

/*
 * Grants `to_domid` access to page `pfn` through entry `ref` (as a guest
 * kernel's gnttab_grant_foreign_access_ref: frame and domid first, then a
 * write barrier, then the flags). Refs 0..7 are reserved as on Xen
 * (-EINVAL), as is a ref beyond the table; -EBUSY if the entry is mapped.
 * `pfn` is not checked, as a guest kernel's is not: a frame beyond the
 * domain's memory fails at use with GNTST_bad_page.
 */
int xensim_grant_access(struct xensim_dom *d, uint32_t ref,
    uint32_t to_domid, uint32_t pfn, bool readonly);
/* Revokes entry `ref`; -EBUSY if the page is currently mapped. */
int xensim_grant_end(struct xensim_dom *d, uint32_t ref);

#endif
