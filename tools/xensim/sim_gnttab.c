/*
 * sim_gnttab.c - grant copy and grant map on the simulated machine.
 *
 * Both run inside the calling process, on the target domain's files
 * mapped once per (process, domain) by the environment's cache. A copy is
 * the checks Xen makes and a memcpy; a map is an mmap of the domain's
 * memory file at the granted frame, so the memory is really shared.
 *
 * The checks and their status codes are Xen's (xen/common/grant_table.c):
 *   - domain of a grant side does not exist: GNTST_bad_domain
 *     (gnttab_copy_lock_domain; map_grant_ref);
 *   - ref >= the number of entries: GNTST_bad_gntref
 *     (acquire_grant_for_copy; map_grant_ref);
 *   - entry already pinned by another domain, not GTF_permit_access,
 *     granted to another domid, or a write through a GTF_readonly grant:
 *     GNTST_general_error (acquire_grant_for_copy, _set_status_v1);
 *   - granted frame outside the domain's memory: GNTST_bad_page
 *     (get_paged_frame).
 * What Linux's gntdev (drivers/xen/gntdev.c, gntdev_grant_copy_seg)
 * rejects before Xen sees it fails the whole call with -EINVAL, as the
 * real libxengnttab does: a segment with no grant side, or whose grant
 * side has offset + len beyond the page. (Xen itself would answer
 * GNTST_bad_copy_arg per segment, but through gntdev it never gets the
 * chance.) A failed map gives NULL/EINVAL, as gntdev does; the status of
 * the failing ref is kept for xensim_gnttab_last_status().
 *
 * Maps pin their grants the way Xen does: GTF_reading (and GTF_writing
 * for writable maps) set in the shared entry while mapped, so a guest's
 * xensim_grant_end() sees the page is busy. Copies do not pin.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sim_priv.h"
#include "xensim.h"

/* Xen's union grant_combo: flags and domid read and swapped together. */
union sim_combo {
	uint32_t raw;
	struct {
		uint16_t flags;
		domid_t domid;
	} f;
};

struct sim_map {
	struct sim_map *next;
	uint8_t *addr;
	uint32_t count;
	bool writable;
	struct sim_dom *dom;
	uint32_t refs[];
};

struct xen_gnttab {
	struct sim_env *se;
	uint32_t domid;
	pthread_mutex_t lock;		/* maps */
	struct sim_map *maps;
	_Atomic int last_status;
};

static inline uint32_t *
sim_gt_combo_ptr(grant_entry_v1_t *e)
{
	return (uint32_t *)(void *)e;
}

/*
 * The checks of acquire_grant_for_copy() for a v1 entry, without the
 * pin. On success *page is the granted page in the domain's memory.
 */
static int16_t
sim_gt_acquire(const struct sim_dom *d, uint32_t ref, uint32_t ldomid,
    bool readonly, uint8_t **page)
{
	union sim_combo c;
	uint64_t act;
	uint32_t frame;

	if (ref >= d->hdr->nr_grants)
		return GNTST_bad_gntref;
	act = atomic_load_explicit(&d->active[ref], memory_order_relaxed);
	if ((SIM_ACT_RPINS(act) | SIM_ACT_WPINS(act)) &&
	    SIM_ACT_DOMID(act) != ldomid)
		return GNTST_general_error;
	c.raw = __atomic_load_n(sim_gt_combo_ptr(&d->grants[ref]),
	    __ATOMIC_ACQUIRE);
	if ((c.f.flags & GTF_type_mask) != GTF_permit_access ||
	    c.f.domid != ldomid)
		return GNTST_general_error;
	if (!readonly && (c.f.flags & GTF_readonly))
		return GNTST_general_error;
	frame = __atomic_load_n(&d->grants[ref].frame, __ATOMIC_ACQUIRE);
	if (frame >= d->npages)
		return GNTST_bad_page;
	*page = d->mem + (size_t)frame * XENSIM_PAGE_SIZE;
	return GNTST_okay;
}

static int16_t
sim_gt_copy_one(struct xen_gnttab *g, struct xen_copy_seg *seg)
{
	struct sim_machine *m = g->se->machine;
	struct sim_dom *sd = NULL, *dd = NULL;
	uint8_t *src, *dst, *page;
	uint64_t nth;
	uint32_t domid;
	int16_t st;

	nth = atomic_load_explicit(&m->fault_copy_nth, memory_order_relaxed);
	if (__builtin_expect(nth != 0, 0) &&
	    atomic_fetch_add(&m->fault_copy_seen, 1) + 1 == nth)
		return (int16_t)atomic_load(&m->fault_copy_status);

	/* gnttab_copy_lock_domains: both domains first. */
	if (seg->flags & GNTCOPY_source_gref) {
		domid = seg->source.foreign.domid;
		sd = sim_env_dom(g->se, domid == DOMID_SELF ? g->domid : domid);
		if (sd == NULL)
			return GNTST_bad_domain;
	}
	if (seg->flags & GNTCOPY_dest_gref) {
		domid = seg->dest.foreign.domid;
		dd = sim_env_dom(g->se, domid == DOMID_SELF ? g->domid : domid);
		if (dd == NULL)
			return GNTST_bad_domain;
	}
	/* Then the source grant, then the destination grant. */
	if (sd != NULL) {
		st = sim_gt_acquire(sd, seg->source.foreign.ref, g->domid, true,
		    &page);
		if (st != GNTST_okay)
			return st;
		src = page + seg->source.foreign.offset;
	} else {
		src = seg->source.virt;
	}
	if (dd != NULL) {
		st = sim_gt_acquire(dd, seg->dest.foreign.ref, g->domid, false,
		    &page);
		if (st != GNTST_okay)
			return st;
		dst = page + seg->dest.foreign.offset;
	} else {
		dst = seg->dest.virt;
	}
	memmove(dst, src, seg->len);
	return GNTST_okay;
}

int
sim_gnttab_grant_copy(struct xen_gnttab *g, uint32_t count,
    struct xen_copy_seg *segs)
{
	uint32_t i;

	if (count != 0 && segs == NULL)
		return -EINVAL;
	/* What gntdev_grant_copy_seg() refuses, for the whole call. */
	for (i = 0; i < count; i++) {
		const struct xen_copy_seg *s = &segs[i];

		if (!(s->flags & (GNTCOPY_source_gref | GNTCOPY_dest_gref)))
			return -EINVAL;
		if ((s->flags & GNTCOPY_source_gref) &&
		    (uint32_t)s->source.foreign.offset + s->len >
		    XENSIM_PAGE_SIZE)
			return -EINVAL;
		if ((s->flags & GNTCOPY_dest_gref) &&
		    (uint32_t)s->dest.foreign.offset + s->len > XENSIM_PAGE_SIZE)
			return -EINVAL;
	}
	for (i = 0; i < count; i++)
		segs[i].status = sim_gt_copy_one(g, &segs[i]);
	return 0;
}

/* ---- map ---------------------------------------------------------------- */

static void
sim_gt_clear_flags(grant_entry_v1_t *e, uint16_t clear)
{
	if (clear != 0)
		__atomic_fetch_and(&e->flags, (uint16_t)~clear, __ATOMIC_SEQ_CST);
}

/*
 * Pins entry `ref` of `d` for a mapping by `ldomid` (map_grant_ref and
 * _set_status_v1), under the machine lock. On success *frame is the
 * granted frame.
 */
static int16_t
sim_gt_pin(struct sim_dom *d, uint32_t ref, uint32_t ldomid, bool writable,
    uint32_t *frame)
{
	grant_entry_v1_t *e;
	union sim_combo c, n;
	uint32_t rp, wp, f;
	uint16_t set, added;
	uint64_t act;
	int retries;

	if (ref >= d->hdr->nr_grants)
		return GNTST_bad_gntref;
	e = &d->grants[ref];
	act = atomic_load(&d->active[ref]);
	rp = SIM_ACT_RPINS(act);
	wp = SIM_ACT_WPINS(act);
	/* Already pinned: by us only, and no counter overflow. */
	if ((rp | wp) && (SIM_ACT_DOMID(act) != ldomid || rp >= 0x7fff ||
	    wp >= 0x7fff))
		return GNTST_general_error;
	added = 0;
	if (!(rp | wp) || (writable && wp == 0)) {
		set = GTF_reading | (writable ? GTF_writing : 0);
		c.raw = __atomic_load_n(sim_gt_combo_ptr(e), __ATOMIC_ACQUIRE);
		for (retries = 0; ; retries++) {
			if (!(rp | wp) && ((c.f.flags & (GTF_type_mask |
			    GTF_sub_page)) != GTF_permit_access ||
			    c.f.domid != ldomid))
				return GNTST_general_error;
			if (writable && (c.f.flags & GTF_readonly))
				return GNTST_general_error;
			n = c;
			n.f.flags |= set;
			if (__atomic_compare_exchange_n(sim_gt_combo_ptr(e),
			    &c.raw, n.raw, false, __ATOMIC_ACQ_REL,
			    __ATOMIC_ACQUIRE))
				break;
			/* The guest keeps changing it: Xen gives up too. */
			if (retries == 4)
				return GNTST_general_error;
		}
		added = set & (uint16_t)~c.f.flags;
	}
	f = __atomic_load_n(&e->frame, __ATOMIC_ACQUIRE);
	if (f >= d->npages) {
		sim_gt_clear_flags(e, added);
		return GNTST_bad_page;
	}
	if (writable)
		wp++;
	else
		rp++;
	atomic_store(&d->active[ref], SIM_ACT_MAKE(rp, wp, ldomid));
	*frame = f;
	return GNTST_okay;
}

static void
sim_gt_unpin(struct sim_dom *d, uint32_t ref, bool writable)
{
	uint64_t act = atomic_load(&d->active[ref]);
	uint32_t rp = SIM_ACT_RPINS(act), wp = SIM_ACT_WPINS(act);
	uint16_t clear = 0;

	if (writable && wp > 0)
		wp--;
	else if (!writable && rp > 0)
		rp--;
	if (writable && wp == 0)
		clear |= GTF_writing;
	if (rp == 0 && wp == 0)
		clear |= GTF_reading;
	atomic_store(&d->active[ref], (rp | wp) ?
	    SIM_ACT_MAKE(rp, wp, SIM_ACT_DOMID(act)) : 0);
	sim_gt_clear_flags(&d->grants[ref], clear);
}

static void
sim_gt_unpin_all(struct xen_gnttab *g, struct sim_dom *d,
    const uint32_t *refs, uint32_t n, bool writable)
{
	uint32_t i;
	int lock;

	lock = sim_lock(g->se->dir);
	for (i = 0; i < n; i++)
		sim_gt_unpin(d, refs[i], writable);
	sim_unlock(lock);
}

struct xen_gnttab *
sim_gnttab_open(struct xen_env *env)
{
	struct sim_env *se = env->priv;
	struct xen_gnttab *g;

	if (sim_env_dom(se, env->domid) == NULL) {
		errno = ESRCH;
		return NULL;
	}
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return NULL;
	g->se = se;
	g->domid = env->domid;
	pthread_mutex_init(&g->lock, NULL);
	atomic_store(&g->last_status, GNTST_okay);
	return g;
}

static void
sim_gt_map_free(struct xen_gnttab *g, struct sim_map *mp)
{
	munmap(mp->addr, (size_t)mp->count * XENSIM_PAGE_SIZE);
	sim_gt_unpin_all(g, mp->dom, mp->refs, mp->count, mp->writable);
	free(mp);
}

void
sim_gnttab_close(struct xen_gnttab *g)
{
	struct sim_map *mp;

	if (g == NULL)
		return;
	/* Unlike gntdev, closing the handle unmaps what is still mapped:
	 * the pins must not outlive the handle. */
	while ((mp = g->maps) != NULL) {
		g->maps = mp->next;
		sim_gt_map_free(g, mp);
	}
	pthread_mutex_destroy(&g->lock);
	free(g);
}

void *
sim_gnttab_map_refs(struct xen_gnttab *g, uint32_t count, uint32_t domid,
    const uint32_t *refs, int prot)
{
	struct sim_machine *m = g->se->machine;
	struct sim_map *mp = NULL;
	struct sim_dom *d;
	uint32_t *frames = NULL, i, pinned = 0;
	bool writable = (prot & PROT_WRITE) != 0;
	uint64_t nth;
	int16_t st = GNTST_okay;
	uint8_t *addr, *p;
	int lock, err = EINVAL;

	if (count == 0 || count > XENSIM_GRANT_ENTRIES || refs == NULL ||
	    !(prot & (PROT_READ | PROT_WRITE))) {
		errno = EINVAL;
		return NULL;
	}
	if (domid == DOMID_SELF)
		domid = g->domid;
	mp = calloc(1, sizeof(*mp) + (size_t)count * sizeof(uint32_t));
	frames = calloc(count, sizeof(*frames));
	if (mp == NULL || frames == NULL) {
		free(mp);
		free(frames);
		errno = ENOMEM;
		return NULL;
	}
	lock = sim_lock(g->se->dir);
	if (lock < 0) {
		err = -lock;
		goto fail;
	}
	nth = atomic_load(&m->fault_map_nth);
	if (nth != 0 && atomic_fetch_add(&m->fault_map_seen, 1) + 1 == nth) {
		st = (int16_t)atomic_load(&m->fault_map_status);
		goto fail_unlock;
	}
	d = sim_env_dom(g->se, domid);
	if (d == NULL) {
		st = GNTST_bad_domain;
		goto fail_unlock;
	}
	for (i = 0; i < count; i++) {
		st = sim_gt_pin(d, refs[i], g->domid, writable, &frames[i]);
		if (st != GNTST_okay)
			goto fail_unpin;
		pinned++;
	}
	sim_unlock(lock);
	lock = -1;

	/* Reserve the range, then map each granted page into it. */
	addr = mmap(NULL, (size_t)count * XENSIM_PAGE_SIZE, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (addr == MAP_FAILED) {
		err = errno;
		goto fail_pins;
	}
	for (i = 0; i < count; i++) {
		p = mmap(addr + (size_t)i * XENSIM_PAGE_SIZE, XENSIM_PAGE_SIZE,
		    writable ? PROT_READ | PROT_WRITE : PROT_READ,
		    MAP_SHARED | MAP_FIXED, d->mem_fd,
		    (off_t)frames[i] * XENSIM_PAGE_SIZE);
		if (p == MAP_FAILED) {
			err = errno;
			munmap(addr, (size_t)count * XENSIM_PAGE_SIZE);
			goto fail_pins;
		}
	}
	mp->addr = addr;
	mp->count = count;
	mp->writable = writable;
	mp->dom = d;
	memcpy(mp->refs, refs, (size_t)count * sizeof(uint32_t));
	pthread_mutex_lock(&g->lock);
	mp->next = g->maps;
	g->maps = mp;
	pthread_mutex_unlock(&g->lock);
	atomic_store(&g->last_status, GNTST_okay);
	free(frames);
	return addr;

fail_unpin:
	for (i = 0; i < pinned; i++)
		sim_gt_unpin(d, refs[i], writable);
fail_unlock:
	sim_unlock(lock);
	atomic_store(&g->last_status, st);
	goto fail;
fail_pins:
	sim_gt_unpin_all(g, d, refs, pinned, writable);
	atomic_store(&g->last_status, GNTST_general_error);
fail:
	free(mp);
	free(frames);
	errno = err;
	return NULL;
}

int
sim_gnttab_unmap(struct xen_gnttab *g, void *start, uint32_t count)
{
	struct sim_map **pp, *mp;

	pthread_mutex_lock(&g->lock);
	for (pp = &g->maps; (mp = *pp) != NULL; pp = &mp->next)
		if (mp->addr == start && mp->count == count)
			break;
	if (mp != NULL)
		*pp = mp->next;
	pthread_mutex_unlock(&g->lock);
	if (mp == NULL)
		return -EINVAL;
	sim_gt_map_free(g, mp);
	return 0;
}

int16_t
xensim_gnttab_last_status(struct xen_gnttab *g)
{
	return (int16_t)atomic_load(&g->last_status);
}
