/*
 * sim_guest.c - the guest kernel's side of the simulated machine: its
 * own memory, and the grant table entries it writes.
 *
 * A simulated guest (the netfront simulator, tests) maps its domain's
 * memory and grant table with xensim_dom_open(), puts data in its pages
 * through xensim_dom_page(), and grants them to the backend the way
 * Linux's gnttab_grant_foreign_access_ref() and
 * gnttab_end_foreign_access_ref() do (drivers/xen/grant-table.c, v1
 * entries). Event channels it gets through the seam like any process
 * (xensim_env_open with env->domid set to its domain).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "sim_priv.h"
#include "xensim.h"

struct xensim_dom {
	struct sim_dom *d;
};

int
xensim_dom_open(const char *dir, uint32_t domid, struct xensim_dom **out)
{
	char abs[SIM_DIR_MAX + 1];
	struct xensim_dom *g;
	int rc;

	rc = sim_dir_resolve(dir, abs, NULL, 0);
	if (rc == 0)
		rc = sim_marker_check(abs, NULL, 0);
	if (rc != 0)
		return rc;
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	rc = sim_dom_map(abs, domid, &g->d);
	if (rc == 0 && atomic_load(&g->d->hdr->dying)) {
		sim_dom_unmap(g->d);
		rc = -ENOENT;
	}
	if (rc != 0) {
		free(g);
		return rc;
	}
	*out = g;
	return 0;
}

void
xensim_dom_close(struct xensim_dom *g)
{
	if (g == NULL)
		return;
	sim_dom_unmap(g->d);
	free(g);
}

uint32_t
xensim_dom_npages(const struct xensim_dom *g)
{
	return g->d->npages;
}

void *
xensim_dom_page(struct xensim_dom *g, uint32_t pfn)
{
	if (pfn >= g->d->npages)
		return NULL;
	return g->d->mem + (size_t)pfn * XENSIM_PAGE_SIZE;
}

int
xensim_grant_access(struct xensim_dom *g, uint32_t ref, uint32_t to_domid,
    uint32_t pfn, bool readonly)
{
	grant_entry_v1_t *e;
	uint16_t flags;

	if (ref < GNTTAB_NR_RESERVED_ENTRIES || ref >= g->d->hdr->nr_grants ||
	    to_domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	e = &g->d->grants[ref];
	flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
	if (flags & (GTF_reading | GTF_writing))
		return -EBUSY;
	/* Frame and domid first; the flags that make the entry valid only
	 * after a write barrier, so a backend never sees a half entry. */
	__atomic_store_n(&e->frame, pfn, __ATOMIC_RELAXED);
	__atomic_store_n(&e->domid, (domid_t)to_domid, __ATOMIC_RELAXED);
	__atomic_store_n(&e->flags, (uint16_t)(GTF_permit_access |
	    (readonly ? GTF_readonly : 0)), __ATOMIC_RELEASE);
	return 0;
}

int
xensim_grant_end(struct xensim_dom *g, uint32_t ref)
{
	grant_entry_v1_t *e;
	uint16_t flags;

	if (ref < GNTTAB_NR_RESERVED_ENTRIES || ref >= g->d->hdr->nr_grants)
		return -EINVAL;
	e = &g->d->grants[ref];
	/* As gnttab_end_foreign_access_ref_v1: clear the flags only if
	 * Xen has not marked the entry in use by a mapping. */
	flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
	do {
		if (flags & (GTF_reading | GTF_writing))
			return -EBUSY;
	} while (!__atomic_compare_exchange_n(&e->flags, &flags, 0, false,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	return 0;
}
