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
 * seam vifd uses; the guest API (xensim_dom_*) is what a simulated guest
 * kernel does: grant its pages, allocate unbound event channels.
 *
 * All functions return 0 (or a value) on success and -errno on failure;
 * those taking `err` also put a one-line reason there.
 */
#ifndef VIFD_XENSIM_H
#define VIFD_XENSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xen_ops.h"

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
 * domain 0 with its /local/domain/0 nodes. Fails if the unix socket paths
 * under `dir` would not fit in sun_path.
 */
int xensim_create(const char *dir, char *err, size_t errlen);

/* Stops xenstored (nothing is left running) and removes `dir`. */
int xensim_destroy(const char *dir, char *err, size_t errlen);

/* 0 if `dir` holds a running simulated machine, -errno otherwise. */
int xensim_check(const char *dir, char *err, size_t errlen);

/*
 * Adds domain `domid` with `pages` pages of memory (0: the default), its
 * grant table and port table, introduces it to xenstored and writes the
 * /local/domain/<domid> nodes with libxl's permissions (name, domid,
 * device/, the domain dir owned by dom0 and readable by the domain, the
 * device dir owned by the domain).
 */
int xensim_domain_add(const char *dir, uint32_t domid, uint32_t pages,
    char *err, size_t errlen);

/*
 * Destroys a domain as `xl destroy` would: marks it dying (xenstored sees
 * it through its VIRQ_DOM_EXC stand-in and fires @releaseDomain), removes
 * /local/domain/<domid> and its files. Event channels bound to it become
 * unbound on the other side.
 */
int xensim_domain_destroy(const char *dir, uint32_t domid, char *err,
    size_t errlen);

/* Fault injection: fail the `nth` (1-based) grant copy segment / grant map
 * from now on with GNTST status `status`; nth 0 clears it. */
enum xensim_fault { XENSIM_FAULT_COPY, XENSIM_FAULT_MAP };
int xensim_fault_set(const char *dir, enum xensim_fault kind, uint64_t nth,
    int16_t status, char *err, size_t errlen);

/* ---- the seam --------------------------------------------------------- */

/*
 * A struct xen_env over the machine in `dir`: gnttab and evtchn simulated,
 * xenstore through the real libxenstore to this machine's xenstored (it
 * sets XENSTORED_PATH for the process). Set env->domid before opening
 * grant or event channel handles (default 0).
 */
int xensim_env_open(const char *dir, struct xen_env **out, char *err,
    size_t errlen);

/* ---- the guest side ---------------------------------------------------- */

struct xensim_dom;

/* Maps domain `domid`'s memory and grant table into this process. */
int xensim_dom_open(const char *dir, uint32_t domid, struct xensim_dom **out);
void xensim_dom_close(struct xensim_dom *d);

uint32_t xensim_dom_npages(const struct xensim_dom *d);
/* Pointer to page `pfn` of the domain's memory, or NULL if out of range. */
void *xensim_dom_page(struct xensim_dom *d, uint32_t pfn);

/*
 * Grants `to_domid` access to page `pfn` through entry `ref` (as a guest
 * kernel's gnttab_grant_foreign_access_ref: frame and domid first, then a
 * write barrier, then the flags). Refs 0..7 are reserved as on Xen.
 */
int xensim_grant_access(struct xensim_dom *d, uint32_t ref,
    uint32_t to_domid, uint32_t pfn, bool readonly);
/* Revokes entry `ref`; -EBUSY if the page is currently mapped. */
int xensim_grant_end(struct xensim_dom *d, uint32_t ref);

#endif
