/*
 * test_xensim_gnttab.c - grant copy and grant map on the simulated Xen:
 * every check Xen makes with the GNTST_* code it returns, what gntdev
 * refuses for the whole call, shared memory across processes (fork),
 * readonly maps, pins seen by the guest, domain re-creation, and fault
 * injection.
 */
#include "config.h"

#include <pthread.h>

#include <sys/mman.h>

#include "test_xensim_fix.h"

#define GUEST	1u	/* the domain that grants */
#define OTHER	2u	/* a second guest */

static const struct xen_ops *o;
static struct xen_gnttab *gt;
static struct xensim_dom *guest;

static void
gt_setup(void)
{
	static const uint32_t doms[] = { GUEST, OTHER };

	gt = NULL;
	guest = NULL;
	fx_setup_domains(doms, 2);
	if (!fx_up)
		return;
	o = fx_env->ops;
	fx_env->domid = 0;
	gt = o->gnttab_open(fx_env);
	if (xensim_dom_open(fx_dir, GUEST, &guest) != 0)
		guest = NULL;
}

static void
gt_teardown(void)
{
	if (gt != NULL)
		o->gnttab_close(gt);
	gt = NULL;
	xensim_dom_close(guest);
	guest = NULL;
	fx_teardown();
}

#define GT_READY() do {							\
	CU_ASSERT_FATAL(fx_up);						\
	CU_ASSERT_PTR_NOT_NULL_FATAL(gt);				\
	CU_ASSERT_PTR_NOT_NULL_FATAL(guest);				\
} while (0)

/* Guest page `pfn` filled with `byte`, granted to dom0 through `ref`. */
static void
gt_grant(uint32_t ref, uint32_t pfn, uint8_t byte, bool ro)
{
	uint8_t *p = xensim_dom_page(guest, pfn);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(p, byte, XENSIM_PAGE_SIZE);
	CU_ASSERT_EQUAL_FATAL(xensim_grant_access(guest, ref, 0, pfn, ro), 0);
}

static struct xen_copy_seg
gt_from(uint32_t domid, uint32_t ref, uint16_t off, void *dst, uint16_t len)
{
	struct xen_copy_seg s;

	memset(&s, 0, sizeof(s));
	s.source.foreign.domid = (uint16_t)domid;
	s.source.foreign.ref = ref;
	s.source.foreign.offset = off;
	s.dest.virt = dst;
	s.len = len;
	s.flags = GNTCOPY_source_gref;
	s.status = 99;
	return s;
}

static struct xen_copy_seg
gt_to(uint32_t domid, uint32_t ref, uint16_t off, void *src, uint16_t len)
{
	struct xen_copy_seg s;

	memset(&s, 0, sizeof(s));
	s.dest.foreign.domid = (uint16_t)domid;
	s.dest.foreign.ref = ref;
	s.dest.foreign.offset = off;
	s.source.virt = src;
	s.len = len;
	s.flags = GNTCOPY_dest_gref;
	s.status = 99;
	return s;
}

static int16_t
gt_copy1(struct xen_copy_seg s)
{
	CU_ASSERT_EQUAL(o->gnttab_grant_copy(gt, 1, &s), 0);
	return s.status;
}

/* ---- copy ----------------------------------------------------------------- */

static void
test_copy_both_ways(void)
{
	uint8_t buf[200], out[100];
	struct xen_copy_seg s[2];
	uint8_t *page;

	GT_READY();
	gt_grant(10, 3, 0xab, false);
	memset(buf, 0, sizeof(buf));
	s[0] = gt_from(GUEST, 10, 4000, buf, 96);
	memset(out, 0x5c, sizeof(out));
	s[1] = gt_to(GUEST, 10, 100, out, 50);
	CU_ASSERT_EQUAL(o->gnttab_grant_copy(gt, 2, s), 0);
	CU_ASSERT_EQUAL(s[0].status, GNTST_okay);
	CU_ASSERT_EQUAL(s[1].status, GNTST_okay);
	CU_ASSERT_EQUAL(buf[0], 0xab);
	CU_ASSERT_EQUAL(buf[95], 0xab);
	CU_ASSERT_EQUAL(buf[96], 0);
	page = xensim_dom_page(guest, 3);
	CU_ASSERT_EQUAL(page[99], 0xab);
	CU_ASSERT_EQUAL(page[100], 0x5c);
	CU_ASSERT_EQUAL(page[149], 0x5c);
	CU_ASSERT_EQUAL(page[150], 0xab);
	/* DOMID_SELF on a grant side is our own domain (0): no grant there. */
	CU_ASSERT_EQUAL(gt_copy1(gt_from(DOMID_SELF, 10, 0, buf, 1)),
	    GNTST_general_error);
}

static void
test_copy_local_side_crosses_pages(void)
{
	uint8_t *two, *page;

	GT_READY();
	gt_grant(11, 4, 0x11, false);
	two = mmap(NULL, 2 * XENSIM_PAGE_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(two != MAP_FAILED);
	CU_ASSERT_EQUAL(gt_copy1(gt_from(GUEST, 11, 0, two +
	    XENSIM_PAGE_SIZE - 100, 300)), GNTST_okay);
	CU_ASSERT_EQUAL(two[XENSIM_PAGE_SIZE - 101], 0);
	CU_ASSERT_EQUAL(two[XENSIM_PAGE_SIZE - 100], 0x11);
	CU_ASSERT_EQUAL(two[XENSIM_PAGE_SIZE + 199], 0x11);
	CU_ASSERT_EQUAL(two[XENSIM_PAGE_SIZE + 200], 0);
	memset(two, 0x22, 2 * XENSIM_PAGE_SIZE);
	CU_ASSERT_EQUAL(gt_copy1(gt_to(GUEST, 11, 0, two +
	    XENSIM_PAGE_SIZE - 1, 4096)), GNTST_okay);
	page = xensim_dom_page(guest, 4);
	CU_ASSERT_EQUAL(page[0], 0x22);
	CU_ASSERT_EQUAL(page[4095], 0x22);
	munmap(two, 2 * XENSIM_PAGE_SIZE);
}

static void
test_copy_bad_gntref(void)
{
	uint8_t buf[8];

	GT_READY();
	CU_ASSERT_EQUAL(gt_copy1(gt_from(GUEST, XENSIM_GRANT_ENTRIES, 0, buf, 8)),
	    GNTST_bad_gntref);
	CU_ASSERT_EQUAL(gt_copy1(gt_to(GUEST, 0xffffffffu, 0, buf, 8)),
	    GNTST_bad_gntref);
}

static void
test_copy_not_permitted(void)
{
	uint8_t buf[8];

	GT_READY();
	/* Never granted. */
	CU_ASSERT_EQUAL(gt_copy1(gt_from(GUEST, 20, 0, buf, 8)),
	    GNTST_general_error);
	/* Granted, then revoked. */
	gt_grant(21, 5, 1, false);
	CU_ASSERT_EQUAL(gt_copy1(gt_from(GUEST, 21, 0, buf, 8)), GNTST_okay);
	CU_ASSERT_EQUAL(xensim_grant_end(guest, 21), 0);
	CU_ASSERT_EQUAL(gt_copy1(gt_from(GUEST, 21, 0, buf, 8)),
	    GNTST_general_error);
	CU_ASSERT_EQUAL(gt_copy1(gt_to(GUEST, 21, 0, buf, 8)),
	    GNTST_general_error);
}

static void
test_copy_other_domid(void)
{
	uint8_t buf[8];

	GT_READY();
	memset(xensim_dom_page(guest, 6), 7, XENSIM_PAGE_SIZE);
	CU_ASSERT_EQUAL(xensim_grant_access(guest, 22, OTHER, 6, false), 0);
	CU_ASSERT_EQUAL(gt_copy1(gt_from(GUEST, 22, 0, buf, 8)),
	    GNTST_general_error);
	CU_ASSERT_EQUAL(gt_copy1(gt_to(GUEST, 22, 0, buf, 8)),
	    GNTST_general_error);
}

static void
test_copy_readonly(void)
{
	uint8_t buf[8] = { 0 };

	GT_READY();
	gt_grant(23, 7, 0x33, true);
	CU_ASSERT_EQUAL(gt_copy1(gt_from(GUEST, 23, 0, buf, 8)), GNTST_okay);
	CU_ASSERT_EQUAL(buf[7], 0x33);
	memset(buf, 0x44, sizeof(buf));
	CU_ASSERT_EQUAL(gt_copy1(gt_to(GUEST, 23, 0, buf, 8)),
	    GNTST_general_error);
	CU_ASSERT_EQUAL(((uint8_t *)xensim_dom_page(guest, 7))[0], 0x33);
}

static void
test_copy_bad_domain(void)
{
	uint8_t buf[8];

	GT_READY();
	CU_ASSERT_EQUAL(gt_copy1(gt_from(9, 10, 0, buf, 8)), GNTST_bad_domain);
	CU_ASSERT_EQUAL(gt_copy1(gt_to(DOMID_FIRST_RESERVED + 1, 10, 0, buf, 8)),
	    GNTST_bad_domain);
	/* Domains are checked before grants (gnttab_copy_lock_domains). */
	CU_ASSERT_EQUAL(gt_copy1(gt_from(9, XENSIM_GRANT_ENTRIES, 0, buf, 8)),
	    GNTST_bad_domain);
}

static void
test_copy_bad_page(void)
{
	uint8_t buf[8];

	GT_READY();
	/* The guest may write any frame number; Xen checks it at use. */
	CU_ASSERT_EQUAL(xensim_grant_access(guest, 24, 0,
	    xensim_dom_npages(guest), false), 0);
	CU_ASSERT_EQUAL(gt_copy1(gt_from(GUEST, 24, 0, buf, 8)), GNTST_bad_page);
}

static void
test_copy_whole_call_einval(void)
{
	uint8_t buf[64], local[64];
	struct xen_copy_seg s[2];

	GT_READY();
	gt_grant(25, 8, 0x55, false);
	memset(buf, 0, sizeof(buf));
	/* offset + len beyond the page on a grant side: gntdev refuses the
	 * whole call, the good segment included. */
	s[0] = gt_from(GUEST, 25, 0, buf, 8);
	s[1] = gt_from(GUEST, 25, 4090, buf + 8, 8);
	CU_ASSERT_EQUAL(o->gnttab_grant_copy(gt, 2, s), -EINVAL);
	CU_ASSERT_EQUAL(s[0].status, 99);
	CU_ASSERT_EQUAL(buf[0], 0);
	s[1] = gt_to(GUEST, 25, 4000, buf, 97);
	CU_ASSERT_EQUAL(o->gnttab_grant_copy(gt, 2, s), -EINVAL);
	/* No grant side at all (local to local). */
	s[1] = gt_from(GUEST, 25, 0, buf, 8);
	s[1].flags = 0;
	s[1].source.virt = local;
	CU_ASSERT_EQUAL(o->gnttab_grant_copy(gt, 2, s), -EINVAL);
	/* Exactly to the end of the page is fine. */
	s[1] = gt_from(GUEST, 25, 4088, buf + 8, 8);
	CU_ASSERT_EQUAL(o->gnttab_grant_copy(gt, 2, s), 0);
	CU_ASSERT_EQUAL(s[0].status, GNTST_okay);
	CU_ASSERT_EQUAL(s[1].status, GNTST_okay);
	CU_ASSERT_EQUAL(buf[15], 0x55);
}

static void
test_copy_statuses_per_segment(void)
{
	uint8_t a[4] = { 0 }, b[4] = { 0 }, c[4] = { 0 };
	struct xen_copy_seg s[3];

	GT_READY();
	gt_grant(26, 9, 0x66, false);
	s[0] = gt_from(GUEST, 26, 0, a, 4);
	s[1] = gt_from(GUEST, 27, 0, b, 4);	/* not granted */
	s[2] = gt_from(GUEST, 26, 8, c, 4);
	CU_ASSERT_EQUAL(o->gnttab_grant_copy(gt, 3, s), 0);
	CU_ASSERT_EQUAL(s[0].status, GNTST_okay);
	CU_ASSERT_EQUAL(s[1].status, GNTST_general_error);
	CU_ASSERT_EQUAL(s[2].status, GNTST_okay);
	CU_ASSERT_EQUAL(a[0], 0x66);
	CU_ASSERT_EQUAL(b[0], 0);
	CU_ASSERT_EQUAL(c[3], 0x66);
}

static void
test_copy_across_processes(void)
{
	int to_child[2], to_parent[2];
	uint8_t buf[64], v = 0x77;
	uint32_t msg;
	pid_t pid;

	GT_READY();
	CU_ASSERT_FATAL(pipe(to_child) == 0 && pipe(to_parent) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		/* The guest: its own mapping of its memory and grant table. */
		struct xensim_dom *g;
		uint8_t *p;
		int bad = 0;

		if (xensim_dom_open(fx_dir, GUEST, &g) != 0)
			_exit(2);
		p = xensim_dom_page(g, 12);
		memset(p, 0x99, XENSIM_PAGE_SIZE);
		if (xensim_grant_access(g, 40, 0, 12, false) != 0)
			_exit(3);
		fx_put(to_parent[1], 40);
		if (fx_get(to_child[0], &msg) != 0)
			_exit(4);
		/* The backend wrote through the grant: we see it. */
		bad = p[500] != 0x77 || p[501] != 0x99;
		xensim_dom_close(g);
		_exit(bad ? 5 : 0);
	}
	CU_ASSERT_EQUAL_FATAL(fx_get(to_parent[0], &msg), 0);
	memset(buf, 0, sizeof(buf));
	CU_ASSERT_EQUAL(gt_copy1(gt_from(GUEST, msg, 0, buf, 64)), GNTST_okay);
	CU_ASSERT_EQUAL(buf[63], 0x99);
	CU_ASSERT_EQUAL(gt_copy1(gt_to(GUEST, msg, 500, &v, 1)), GNTST_okay);
	fx_put(to_child[1], 1);
	CU_ASSERT_EQUAL(fx_wait(pid), 0);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

static void
test_copy_domain_recreated(void)
{
	char err[256];
	uint8_t buf[4];

	GT_READY();
	gt_grant(30, 2, 0x01, false);
	CU_ASSERT_EQUAL(gt_copy1(gt_from(GUEST, 30, 0, buf, 4)), GNTST_okay);
	CU_ASSERT_EQUAL(buf[0], 0x01);
	xensim_dom_close(guest);
	guest = NULL;
	CU_ASSERT_EQUAL_FATAL(xensim_domain_destroy(fx_dir, GUEST, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(gt_copy1(gt_from(GUEST, 30, 0, buf, 4)),
	    GNTST_bad_domain);
	CU_ASSERT_EQUAL_FATAL(xensim_domain_add(fx_dir, GUEST, 64, err,
	    sizeof(err)), 0);
	/* A new domain: fresh (empty) grant table, noticed by the cache. */
	CU_ASSERT_EQUAL(gt_copy1(gt_from(GUEST, 30, 0, buf, 4)),
	    GNTST_general_error);
	CU_ASSERT_EQUAL_FATAL(xensim_dom_open(fx_dir, GUEST, &guest), 0);
	gt_grant(30, 2, 0x02, false);
	CU_ASSERT_EQUAL(gt_copy1(gt_from(GUEST, 30, 0, buf, 4)), GNTST_okay);
	CU_ASSERT_EQUAL(buf[0], 0x02);
}

/* A thread that said it is sandboxed (xen_ops.thread_sandboxed, as vifd's
 * queue workers do) never maps a domain: it has no open(2). */
struct sandboxed_copy {
	int16_t before;
};

static void *
sandboxed_copier(void *arg)
{
	struct sandboxed_copy *c = arg;
	uint8_t buf[4];
	struct xen_copy_seg seg = gt_from(GUEST, 31, 0, buf, 4);

	o->thread_sandboxed(fx_env);
	CU_ASSERT_EQUAL(o->gnttab_grant_copy(gt, 1, &seg), 0);
	c->before = seg.status;
	return NULL;
}

static void
test_copy_sandboxed_thread(void)
{
	struct sandboxed_copy c = { 1 };
	char err[256];
	uint8_t buf[4];
	pthread_t t;

	GT_READY();
	CU_ASSERT_PTR_NOT_NULL_FATAL(o->thread_sandboxed);
	gt_grant(31, 2, 0x03, false);
	CU_ASSERT_EQUAL(gt_copy1(gt_from(GUEST, 31, 0, buf, 4)), GNTST_okay);
	/* The guest destroyed and re-added: the cache holds the dying one. */
	xensim_dom_close(guest);
	guest = NULL;
	CU_ASSERT_EQUAL_FATAL(xensim_domain_destroy(fx_dir, GUEST, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(xensim_domain_add(fx_dir, GUEST, 64, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(xensim_dom_open(fx_dir, GUEST, &guest), 0);
	gt_grant(31, 2, 0x04, false);
	/* The sandboxed thread: the domain is gone for it... */
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, sandboxed_copier, &c),
	    0);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(c.before, GNTST_bad_domain);
	/* ...until a thread that may map (vifd's control thread) does. */
	CU_ASSERT_EQUAL(gt_copy1(gt_from(GUEST, 31, 0, buf, 4)), GNTST_okay);
	CU_ASSERT_EQUAL(buf[0], 0x04);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, sandboxed_copier, &c),
	    0);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(c.before, GNTST_okay);
}

static void
test_copy_fault_injection(void)
{
	struct xen_copy_seg s[4];
	uint8_t buf[4][4];
	char err[256];
	int i;

	GT_READY();
	gt_grant(31, 13, 0x31, false);
	CU_ASSERT_EQUAL(xensim_fault_set(fx_dir, XENSIM_FAULT_COPY, 2,
	    GNTST_bad_page, err, sizeof(err)), 0);
	for (i = 0; i < 4; i++)
		s[i] = gt_from(GUEST, 31, 0, buf[i], 4);
	CU_ASSERT_EQUAL(o->gnttab_grant_copy(gt, 4, s), 0);
	CU_ASSERT_EQUAL(s[0].status, GNTST_okay);
	CU_ASSERT_EQUAL(s[1].status, GNTST_bad_page);
	CU_ASSERT_EQUAL(s[2].status, GNTST_okay);
	CU_ASSERT_EQUAL(s[3].status, GNTST_okay);
	/* Then it succeeds again. */
	for (i = 0; i < 4; i++)
		s[i] = gt_from(GUEST, 31, 0, buf[i], 4);
	CU_ASSERT_EQUAL(o->gnttab_grant_copy(gt, 4, s), 0);
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(s[i].status, GNTST_okay);
	/* Status must be an error; 0 disarms. */
	CU_ASSERT_EQUAL(xensim_fault_set(fx_dir, XENSIM_FAULT_COPY, 1,
	    GNTST_okay, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(xensim_fault_set(fx_dir, XENSIM_FAULT_COPY, 1,
	    GNTST_eagain, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(xensim_fault_set(fx_dir, XENSIM_FAULT_COPY, 0, 0, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(gt_copy1(gt_from(GUEST, 31, 0, buf[0], 4)), GNTST_okay);
}

/* ---- map ------------------------------------------------------------------ */

static void
test_map_shared_and_pinned(void)
{
	uint32_t refs[3] = { 50, 51, 52 };
	uint8_t *m, *p;
	int i;

	GT_READY();
	for (i = 0; i < 3; i++)
		gt_grant(refs[i], 20 + (uint32_t)i, (uint8_t)(0xa0 + i), false);
	m = o->gnttab_map_refs(gt, 3, GUEST, refs, PROT_READ | PROT_WRITE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(xensim_gnttab_last_status(gt), GNTST_okay);
	/* Contiguous, in ref order. */
	CU_ASSERT_EQUAL(m[0], 0xa0);
	CU_ASSERT_EQUAL(m[XENSIM_PAGE_SIZE], 0xa1);
	CU_ASSERT_EQUAL(m[2 * XENSIM_PAGE_SIZE + 4095], 0xa2);
	/* Really shared, both ways. */
	m[XENSIM_PAGE_SIZE + 7] = 0x5a;
	p = xensim_dom_page(guest, 21);
	CU_ASSERT_EQUAL(p[7], 0x5a);
	p[8] = 0x6b;
	CU_ASSERT_EQUAL(m[XENSIM_PAGE_SIZE + 8], 0x6b);
	/* Mapped: the guest cannot revoke or re-grant it. */
	CU_ASSERT_EQUAL(xensim_grant_end(guest, 51), -EBUSY);
	CU_ASSERT_EQUAL(xensim_grant_access(guest, 51, 0, 21, false), -EBUSY);
	/* Unmap: wrong start or count is refused, the right one works. */
	CU_ASSERT_EQUAL(o->gnttab_unmap(gt, m + XENSIM_PAGE_SIZE, 2), -EINVAL);
	CU_ASSERT_EQUAL(o->gnttab_unmap(gt, m, 2), -EINVAL);
	CU_ASSERT_EQUAL(o->gnttab_unmap(gt, m, 3), 0);
	CU_ASSERT_EQUAL(o->gnttab_unmap(gt, m, 3), -EINVAL);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(xensim_grant_end(guest, refs[i]), 0);
}

static void
test_map_readonly(void)
{
	uint32_t ref = 53;
	uint8_t *m;
	pid_t pid;

	GT_READY();
	gt_grant(ref, 23, 0x3c, true);
	/* A write mapping of a readonly grant fails (_set_status_v1). */
	CU_ASSERT_PTR_NULL(o->gnttab_map_refs(gt, 1, GUEST, &ref,
	    PROT_READ | PROT_WRITE));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(xensim_gnttab_last_status(gt), GNTST_general_error);
	/* A read mapping works, and is not writable. */
	m = o->gnttab_map_refs(gt, 1, GUEST, &ref, PROT_READ);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m[100], 0x3c);
	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		m[100] = 0;
		_exit(0);
	}
	CU_ASSERT_EQUAL(fx_wait(pid), 128 + SIGSEGV);
	CU_ASSERT_EQUAL(m[100], 0x3c);
	/* A read-only pin sets GTF_reading only, but still blocks revoking. */
	CU_ASSERT_EQUAL(xensim_grant_end(guest, ref), -EBUSY);
	CU_ASSERT_EQUAL(o->gnttab_unmap(gt, m, 1), 0);
	CU_ASSERT_EQUAL(xensim_grant_end(guest, ref), 0);
}

static void
test_map_errors(void)
{
	uint32_t refs[2];
	void *m;

	GT_READY();
	gt_grant(60, 30, 1, false);
	refs[0] = 60;
	/* No such domain. */
	CU_ASSERT_PTR_NULL(o->gnttab_map_refs(gt, 1, 9, refs, PROT_READ));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(xensim_gnttab_last_status(gt), GNTST_bad_domain);
	/* Ref out of range. */
	refs[1] = XENSIM_GRANT_ENTRIES;
	CU_ASSERT_PTR_NULL(o->gnttab_map_refs(gt, 2, GUEST, refs, PROT_READ));
	CU_ASSERT_EQUAL(xensim_gnttab_last_status(gt), GNTST_bad_gntref);
	/* Not granted. */
	refs[1] = 61;
	CU_ASSERT_PTR_NULL(o->gnttab_map_refs(gt, 2, GUEST, refs, PROT_READ));
	CU_ASSERT_EQUAL(xensim_gnttab_last_status(gt), GNTST_general_error);
	/* Granted to another domain. */
	CU_ASSERT_EQUAL(xensim_grant_access(guest, 61, OTHER, 31, false), 0);
	CU_ASSERT_PTR_NULL(o->gnttab_map_refs(gt, 2, GUEST, refs, PROT_READ));
	CU_ASSERT_EQUAL(xensim_gnttab_last_status(gt), GNTST_general_error);
	/* Frame outside the domain's memory. */
	CU_ASSERT_EQUAL(xensim_grant_end(guest, 61), 0);
	CU_ASSERT_EQUAL(xensim_grant_access(guest, 61, 0, 1u << 30, false), 0);
	CU_ASSERT_PTR_NULL(o->gnttab_map_refs(gt, 2, GUEST, refs, PROT_READ));
	CU_ASSERT_EQUAL(xensim_gnttab_last_status(gt), GNTST_bad_page);
	/* Every failure above left no pin on ref 60 behind. */
	CU_ASSERT_EQUAL(xensim_grant_end(guest, 60), 0);
	/* Bad arguments. */
	CU_ASSERT_PTR_NULL(o->gnttab_map_refs(gt, 0, GUEST, refs, PROT_READ));
	CU_ASSERT_PTR_NULL(o->gnttab_map_refs(gt, 1, GUEST, refs, PROT_NONE));
	/* Now a good one works on the same handle. */
	gt_grant(62, 32, 2, false);
	refs[0] = 62;
	m = o->gnttab_map_refs(gt, 1, GUEST, refs, PROT_READ);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(xensim_gnttab_last_status(gt), GNTST_okay);
	CU_ASSERT_EQUAL(o->gnttab_unmap(gt, m, 1), 0);
}

static void
test_map_across_processes(void)
{
	int to_parent[2];
	uint32_t ref = 63;
	uint8_t *p;
	pid_t pid;

	GT_READY();
	gt_grant(ref, 33, 0, false);
	CU_ASSERT_FATAL(pipe(to_parent) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		/* A backend in another process, with its own environment. */
		struct xen_env *env;
		struct xen_gnttab *g;
		char err[256];
		uint8_t *m;

		if (xensim_env_open(fx_dir, &env, err, sizeof(err)) != 0)
			_exit(2);
		env->domid = 0;
		g = env->ops->gnttab_open(env);
		if (g == NULL)
			_exit(3);
		m = env->ops->gnttab_map_refs(g, 1, GUEST, &ref,
		    PROT_READ | PROT_WRITE);
		if (m == NULL)
			_exit(4);
		m[0] = 0xe1;
		fx_put(to_parent[1], 1);
		usleep(100000);
		env->ops->gnttab_close(g);	/* unmaps, unpins */
		xen_env_close(env);
		_exit(0);
	}
	CU_ASSERT_EQUAL_FATAL(fx_get(to_parent[0], &ref), 0);
	p = xensim_dom_page(guest, 33);
	CU_ASSERT_EQUAL(p[0], 0xe1);
	CU_ASSERT_EQUAL(fx_wait(pid), 0);
	CU_ASSERT_EQUAL(xensim_grant_end(guest, 63), 0);
	close(to_parent[0]);
	close(to_parent[1]);
}

static void
test_map_fault_injection(void)
{
	uint32_t ref = 64;
	char err[256];
	void *m;

	GT_READY();
	gt_grant(ref, 34, 4, false);
	CU_ASSERT_EQUAL(xensim_fault_set(fx_dir, XENSIM_FAULT_MAP, 1,
	    GNTST_no_device_space, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(o->gnttab_map_refs(gt, 1, GUEST, &ref, PROT_READ));
	CU_ASSERT_EQUAL(xensim_gnttab_last_status(gt), GNTST_no_device_space);
	CU_ASSERT_EQUAL(xensim_grant_end(guest, ref), 0);	/* no pin left */
	gt_grant(ref, 34, 4, false);
	m = o->gnttab_map_refs(gt, 1, GUEST, &ref, PROT_READ);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(o->gnttab_unmap(gt, m, 1), 0);
}

static void
test_guest_api(void)
{
	GT_READY();
	CU_ASSERT_EQUAL(xensim_dom_npages(guest), 64);
	CU_ASSERT_PTR_NOT_NULL(xensim_dom_page(guest, 63));
	CU_ASSERT_PTR_NULL(xensim_dom_page(guest, 64));
	/* Reserved refs (0..7) and refs beyond the table. */
	CU_ASSERT_EQUAL(xensim_grant_access(guest, 7, 0, 1, false), -EINVAL);
	CU_ASSERT_EQUAL(xensim_grant_access(guest, XENSIM_GRANT_ENTRIES, 0, 1,
	    false), -EINVAL);
	CU_ASSERT_EQUAL(xensim_grant_end(guest, 3), -EINVAL);
	CU_ASSERT_EQUAL(xensim_grant_access(guest, 8, DOMID_FIRST_RESERVED, 1,
	    false), -EINVAL);
	CU_ASSERT_EQUAL(xensim_grant_access(guest, 8, 0, 1, false), 0);
	CU_ASSERT_EQUAL(xensim_grant_end(guest, 8), 0);
	CU_ASSERT_EQUAL(xensim_dom_open(fx_dir, 9, &(struct xensim_dom *){ 0 }),
	    -ENOENT);
	CU_ASSERT_EQUAL(xensim_dom_open("/tmp", GUEST,
	    &(struct xensim_dom *){ 0 }), -ENOENT);
	/* A handle for a domain that does not exist cannot be opened. */
	fx_env->domid = 9;
	CU_ASSERT_PTR_NULL(o->gnttab_open(fx_env));
	CU_ASSERT_EQUAL(errno, ESRCH);
	fx_env->domid = 0;
}

static CU_TestInfo copy_tests[] = {
	{ "copy from and into a guest", test_copy_both_ways },
	{ "local side crossing a page boundary", test_copy_local_side_crosses_pages },
	{ "ref out of range: GNTST_bad_gntref", test_copy_bad_gntref },
	{ "not GTF_permit_access: GNTST_general_error", test_copy_not_permitted },
	{ "granted to another domid: GNTST_general_error", test_copy_other_domid },
	{ "write to a readonly grant: GNTST_general_error", test_copy_readonly },
	{ "no such domain: GNTST_bad_domain", test_copy_bad_domain },
	{ "frame outside memory: GNTST_bad_page", test_copy_bad_page },
	{ "beyond the page or no grant side: -EINVAL", test_copy_whole_call_einval },
	{ "statuses per segment", test_copy_statuses_per_segment },
	{ "across processes (fork)", test_copy_across_processes },
	{ "domain destroyed and re-added", test_copy_domain_recreated },
	{ "a sandboxed thread never maps a domain", test_copy_sandboxed_thread },
	{ "fault injection: nth segment", test_copy_fault_injection },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo map_tests[] = {
	{ "shared, contiguous, pinned, unmapped", test_map_shared_and_pinned },
	{ "readonly map is not writable", test_map_readonly },
	{ "GNTST errors leave no pin", test_map_errors },
	{ "map in another process (fork)", test_map_across_processes },
	{ "fault injection: nth map", test_map_fault_injection },
	{ "guest API bounds", test_guest_api },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo end_tests[] = {
	{ "no xenstored left running", fx_test_nothing_left },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "xensim grant copy", NULL, NULL, gt_setup, gt_teardown, copy_tests },
	{ "xensim grant map", NULL, NULL, gt_setup, gt_teardown, map_tests },
	{ "xensim cleanup", NULL, NULL, NULL, NULL, end_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
