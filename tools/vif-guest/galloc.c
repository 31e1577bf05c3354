/*
 * galloc.c - the simulated guest kernel's memory: which pages of the
 * domain and which grant table entries this vif-guest may use, and
 * granting them to the backend as Linux's gnttab_grant_foreign_access
 * does (through xensim_grant_access).
 *
 * Several vif-guest processes may serve one domain (one per vif), so each
 * takes a slice: by default a quarter of the domain's pages and of the
 * grant table for devids 0..3, or what --mem-base/--ref-base say. Inside
 * its slice it allocates next-fit, so a reconnect gets fresh refs, as a
 * real guest's would be.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "vif-guest.h"

/* Devids that get a default slice. */
#define GALLOC_SLICES	4u

int
galloc_init(struct galloc *ga, uint32_t npages, uint32_t devid,
    int64_t mem_base, int64_t ref_base, char *err, size_t errlen)
{
	uint32_t nrefs = XENSIM_GRANT_ENTRIES - GNTTAB_NR_RESERVED_ENTRIES;

	memset(ga, 0, sizeof(*ga));
	if ((mem_base < 0 || ref_base < 0) && devid >= GALLOC_SLICES) {
		snprintf(err, errlen, "devid %u has no default share of the "
		    "guest's memory: give --mem-base and --ref-base", devid);
		return -EINVAL;
	}
	if (mem_base >= 0) {
		if ((uint64_t)mem_base >= npages) {
			snprintf(err, errlen, "--mem-base %lld: the domain has "
			    "%u pages", (long long)mem_base, npages);
			return -EINVAL;
		}
		ga->page_base = (uint32_t)mem_base;
		ga->page_count = npages - (uint32_t)mem_base;
	} else {
		ga->page_count = npages / GALLOC_SLICES;
		ga->page_base = devid * ga->page_count;
	}
	if (ref_base >= 0) {
		if ((uint64_t)ref_base >= XENSIM_GRANT_ENTRIES) {
			snprintf(err, errlen, "--ref-base %lld: the grant table "
			    "has %u entries", (long long)ref_base,
			    XENSIM_GRANT_ENTRIES);
			return -EINVAL;
		}
		ga->ref_base = (uint32_t)ref_base;
		ga->ref_count = XENSIM_GRANT_ENTRIES - (uint32_t)ref_base;
	} else {
		ga->ref_count = nrefs / GALLOC_SLICES;
		ga->ref_base = GNTTAB_NR_RESERVED_ENTRIES +
		    devid * ga->ref_count;
	}
	ga->page_used = calloc(ga->page_count ? ga->page_count : 1, 1);
	ga->ref_used = calloc(ga->ref_count ? ga->ref_count : 1, 1);
	if (ga->page_used == NULL || ga->ref_used == NULL) {
		galloc_free(ga);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

void
galloc_free(struct galloc *ga)
{
	free(ga->page_used);
	free(ga->ref_used);
	ga->page_used = ga->ref_used = NULL;
}

static uint32_t
galloc_count_free(const uint8_t *used, uint32_t n)
{
	uint32_t i, c = 0;

	for (i = 0; i < n; i++)
		c += used[i] == 0;
	return c;
}

uint32_t
galloc_pages_free(const struct galloc *ga)
{
	return galloc_count_free(ga->page_used, ga->page_count);
}

uint32_t
galloc_refs_free(const struct galloc *ga)
{
	return galloc_count_free(ga->ref_used, ga->ref_count);
}

static int64_t
galloc_take(uint8_t *used, uint32_t n, uint32_t *next)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint32_t k = (*next + i) % n;

		if (!used[k]) {
			used[k] = 1;
			*next = (k + 1) % n;
			return k;
		}
	}
	return -ENOSPC;
}

int64_t
galloc_page(struct galloc *ga)
{
	int64_t k = galloc_take(ga->page_used, ga->page_count, &ga->page_next);

	return k < 0 ? k : (int64_t)ga->page_base + k;
}

int64_t
galloc_ref(struct galloc *ga)
{
	int64_t k = galloc_take(ga->ref_used, ga->ref_count, &ga->ref_next);

	return k < 0 ? k : (int64_t)ga->ref_base + k;
}

void
galloc_page_put(struct galloc *ga, uint32_t pfn)
{
	if (pfn - ga->page_base < ga->page_count)
		ga->page_used[pfn - ga->page_base] = 0;
}

void
galloc_ref_put(struct galloc *ga, uint32_t ref)
{
	if (ref - ga->ref_base < ga->ref_count)
		ga->ref_used[ref - ga->ref_base] = 0;
}

int
galloc_grant(struct vg *vg, struct gbuf *b, bool readonly)
{
	int64_t pfn, ref;
	int rc;

	memset(b, 0, sizeof(*b));
	pfn = galloc_page(&vg->ga);
	if (pfn < 0)
		return (int)pfn;
	ref = galloc_ref(&vg->ga);
	if (ref < 0) {
		galloc_page_put(&vg->ga, (uint32_t)pfn);
		return (int)ref;
	}
	b->va = xensim_dom_page(vg->dom, (uint32_t)pfn);
	if (b->va == NULL) {
		galloc_page_put(&vg->ga, (uint32_t)pfn);
		galloc_ref_put(&vg->ga, (uint32_t)ref);
		return -EFAULT;
	}
	rc = xensim_grant_access(vg->dom, (uint32_t)ref, vg->be_domid,
	    (uint32_t)pfn, readonly);
	if (rc != 0) {
		galloc_page_put(&vg->ga, (uint32_t)pfn);
		galloc_ref_put(&vg->ga, (uint32_t)ref);
		b->va = NULL;
		return rc;
	}
	b->pfn = (uint32_t)pfn;
	b->ref = (uint32_t)ref;
	return 0;
}

int
galloc_ungrant(struct vg *vg, struct gbuf *b)
{
	int rc;

	if (b->va == NULL)
		return 0;
	if (b->ref != 0) {
		rc = xensim_grant_end(vg->dom, b->ref);
		if (rc == -EBUSY) {
			/* The backend still maps it: leak page and ref
			 * rather than hand out a page it can write. */
			b->va = NULL;
			return rc;
		}
		galloc_ref_put(&vg->ga, b->ref);
	}
	galloc_page_put(&vg->ga, b->pfn);
	memset(b, 0, sizeof(*b));
	return 0;
}
