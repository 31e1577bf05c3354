/*
 * test_xensim_evtchn.c - event channels on the simulated Xen: binding
 * rules and error codes, notifications across processes (fork) in both
 * directions, masking and coalesced redelivery on unmask, unbind and
 * close making the other end unbound again, ports of a SIGKILLed process,
 * a full socket queue, and domain destroy.
 */
#include "config.h"

#include "test_xensim_fix.h"

#define GUEST	1u
#define OTHER	2u

static const struct xen_ops *o;
static struct xen_env *genv;	/* this process playing the guest */

static void
ev_setup(void)
{
	static const uint32_t doms[] = { GUEST, OTHER };
	char err[256];

	genv = NULL;
	fx_setup_domains(doms, 2);
	if (!fx_up)
		return;
	o = fx_env->ops;
	fx_env->domid = 0;
	if (xensim_env_open(fx_dir, &genv, err, sizeof(err)) != 0)
		genv = NULL;
	else
		genv->domid = GUEST;
}

static void
ev_teardown(void)
{
	if (genv != NULL)
		xen_env_close(genv);
	genv = NULL;
	fx_teardown();
}

#define EV_READY() do {							\
	CU_ASSERT_FATAL(fx_up);						\
	CU_ASSERT_PTR_NOT_NULL_FATAL(genv);				\
} while (0)

/* The next port with an event, waiting up to timeout_ms; -EAGAIN. */
static int
ev_wait(struct xen_evtchn *e, int timeout_ms)
{
	int p = o->evtchn_pending(e);

	if (p != -EAGAIN || timeout_ms == 0)
		return p;
	if (!fx_readable(o->evtchn_fd(e), timeout_ms))
		return -EAGAIN;
	return o->evtchn_pending(e);
}

/* No event within a short while. */
static bool
ev_quiet(struct xen_evtchn *e)
{
	return ev_wait(e, 100) == -EAGAIN;
}

/* Bound pair in this process: guest port gp (handle ge) and backend port
 * bp (handle be), the binder's initial event consumed. */
static void
ev_pair(struct xen_evtchn *ge, struct xen_evtchn *be, int *gp, int *bp)
{
	*gp = o->evtchn_bind_unbound(ge, 0);
	CU_ASSERT_FATAL(*gp > 0);
	*bp = o->evtchn_bind_interdomain(be, GUEST, (uint32_t)*gp);
	CU_ASSERT_FATAL(*bp > 0);
	/* Xen sets the new local port pending at bind. */
	CU_ASSERT_EQUAL(ev_wait(be, 1000), *bp);
	CU_ASSERT_EQUAL(o->evtchn_unmask(be, (uint32_t)*bp), 0);
	CU_ASSERT(ev_quiet(be));
	CU_ASSERT(ev_quiet(ge));
}

static void
test_bind_rules(void)
{
	struct xen_evtchn *ge, *be, *oe;
	int gp, gp2, bp;

	EV_READY();
	ge = o->evtchn_open(genv);
	be = o->evtchn_open(fx_env);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ge);
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	CU_ASSERT(o->evtchn_fd(ge) >= 0);
	CU_ASSERT_EQUAL(o->evtchn_pending(ge), -EAGAIN);
	gp = o->evtchn_bind_unbound(ge, 0);
	gp2 = o->evtchn_bind_unbound(ge, 0);
	CU_ASSERT(gp > 0);		/* port 0 is never handed out */
	CU_ASSERT(gp2 > 0 && gp2 != gp);
	/* A third domain may not bind a port meant for dom0. */
	genv->domid = OTHER;
	oe = o->evtchn_open(genv);
	genv->domid = GUEST;
	CU_ASSERT_PTR_NOT_NULL_FATAL(oe);
	CU_ASSERT_EQUAL(o->evtchn_bind_interdomain(oe, GUEST, (uint32_t)gp),
	    -EINVAL);
	/* No such domain, ports out of range or not allocated. */
	CU_ASSERT_EQUAL(o->evtchn_bind_interdomain(be, 9, (uint32_t)gp), -ESRCH);
	CU_ASSERT_EQUAL(o->evtchn_bind_interdomain(be, GUEST,
	    XENSIM_EVTCHN_PORTS), -EINVAL);
	CU_ASSERT_EQUAL(o->evtchn_bind_interdomain(be, GUEST, 0), -EINVAL);
	CU_ASSERT_EQUAL(o->evtchn_bind_interdomain(be, GUEST, 900), -EINVAL);
	/* The right one binds, once. */
	bp = o->evtchn_bind_interdomain(be, GUEST, (uint32_t)gp);
	CU_ASSERT(bp > 0);
	CU_ASSERT_EQUAL(o->evtchn_bind_interdomain(be, GUEST, (uint32_t)gp),
	    -EINVAL);
	/* Ports this handle does not own. */
	CU_ASSERT_EQUAL(o->evtchn_notify(be, (uint32_t)gp2), -ENOTCONN);
	CU_ASSERT_EQUAL(o->evtchn_notify(oe, (uint32_t)bp), -ENOTCONN);
	CU_ASSERT_EQUAL(o->evtchn_unbind(oe, (uint32_t)gp), -ENOTCONN);
	CU_ASSERT_EQUAL(o->evtchn_notify(be, XENSIM_EVTCHN_PORTS), -EINVAL);
	CU_ASSERT_EQUAL(o->evtchn_unbind(be, XENSIM_EVTCHN_PORTS), -EINVAL);
	CU_ASSERT_EQUAL(o->evtchn_unmask(oe, (uint32_t)bp), 0);	/* ignored */
	/* Notify on a still-unbound port is dropped, not an error. */
	CU_ASSERT_EQUAL(o->evtchn_notify(ge, (uint32_t)gp2), 0);
	o->evtchn_close(oe);
	o->evtchn_close(be);
	o->evtchn_close(ge);
	/* No handle for a domain that does not exist. */
	genv->domid = 9;
	CU_ASSERT_PTR_NULL(o->evtchn_open(genv));
	CU_ASSERT_EQUAL(errno, ESRCH);
	genv->domid = GUEST;
}

static void
test_notify_across_processes(void)
{
	int to_child[2], to_parent[2], bp, p;
	struct xen_evtchn *be;
	uint32_t gp;
	pid_t pid;

	EV_READY();
	CU_ASSERT_FATAL(pipe(to_child) == 0 && pipe(to_parent) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		/* The guest, in its own process and environment. */
		struct xen_env *env;
		struct xen_evtchn *e;
		char err[256];
		uint32_t m;
		int port, got;

		if (xensim_env_open(fx_dir, &env, err, sizeof(err)) != 0)
			_exit(2);
		env->domid = GUEST;
		e = env->ops->evtchn_open(env);
		port = e ? env->ops->evtchn_bind_unbound(e, 0) : -1;
		if (port <= 0)
			_exit(3);
		fx_put(to_parent[1], (uint32_t)port);
		/* Backend -> guest. */
		if (!fx_readable(env->ops->evtchn_fd(e), 5000))
			_exit(4);
		got = env->ops->evtchn_pending(e);
		if (got != port)
			_exit(5);
		env->ops->evtchn_unmask(e, (uint32_t)port);
		/* Guest -> backend. */
		if (env->ops->evtchn_notify(e, (uint32_t)port) != 0)
			_exit(6);
		if (fx_get(to_child[0], &m) != 0)
			_exit(7);
		env->ops->evtchn_close(e);
		xen_env_close(env);
		_exit(0);
	}
	CU_ASSERT_EQUAL_FATAL(fx_get(to_parent[0], &gp), 0);
	be = o->evtchn_open(fx_env);
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	bp = o->evtchn_bind_interdomain(be, GUEST, gp);
	CU_ASSERT_FATAL(bp > 0);
	CU_ASSERT_EQUAL(ev_wait(be, 1000), bp);		/* the bind's event */
	CU_ASSERT_EQUAL(o->evtchn_unmask(be, (uint32_t)bp), 0);
	CU_ASSERT_EQUAL(o->evtchn_notify(be, (uint32_t)bp), 0);
	p = ev_wait(be, 5000);
	CU_ASSERT_EQUAL(p, bp);
	fx_put(to_child[1], 1);
	CU_ASSERT_EQUAL(fx_wait(pid), 0);
	/* The guest closed its handle: our end is unbound, notify drops. */
	CU_ASSERT_EQUAL(o->evtchn_notify(be, (uint32_t)bp), 0);
	o->evtchn_close(be);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

static void
test_mask_and_coalesce(void)
{
	struct xen_evtchn *ge, *be;
	int gp, bp;

	EV_READY();
	ge = o->evtchn_open(genv);
	be = o->evtchn_open(fx_env);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ge);
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	ev_pair(ge, be, &gp, &bp);
	/* One notify, one event; the fd polls readable. */
	CU_ASSERT_EQUAL(o->evtchn_notify(be, (uint32_t)bp), 0);
	CU_ASSERT(fx_readable(o->evtchn_fd(ge), 1000));
	CU_ASSERT_EQUAL(o->evtchn_pending(ge), gp);
	CU_ASSERT_EQUAL(o->evtchn_pending(ge), -EAGAIN);
	/* Masked until unmask: three more notifies deliver nothing now... */
	CU_ASSERT_EQUAL(o->evtchn_notify(be, (uint32_t)bp), 0);
	CU_ASSERT_EQUAL(o->evtchn_notify(be, (uint32_t)bp), 0);
	CU_ASSERT_EQUAL(o->evtchn_notify(be, (uint32_t)bp), 0);
	CU_ASSERT(ev_quiet(ge));
	/* ...and exactly one at unmask. */
	CU_ASSERT_EQUAL(o->evtchn_unmask(ge, (uint32_t)gp), 0);
	CU_ASSERT_EQUAL(ev_wait(ge, 1000), gp);
	CU_ASSERT(ev_quiet(ge));
	/* Unmasked with nothing pending: quiet, and the next notify is
	 * delivered straight away. */
	CU_ASSERT_EQUAL(o->evtchn_unmask(ge, (uint32_t)gp), 0);
	CU_ASSERT(ev_quiet(ge));
	CU_ASSERT_EQUAL(o->evtchn_notify(be, (uint32_t)bp), 0);
	CU_ASSERT_EQUAL(ev_wait(ge, 1000), gp);
	/* The other direction is independent. */
	CU_ASSERT_EQUAL(o->evtchn_notify(ge, (uint32_t)gp), 0);
	CU_ASSERT_EQUAL(ev_wait(be, 1000), bp);
	o->evtchn_close(be);
	o->evtchn_close(ge);
}

static void
test_unbind_makes_peer_unbound(void)
{
	struct xen_evtchn *ge, *be;
	int gp, bp, bp2;

	EV_READY();
	ge = o->evtchn_open(genv);
	be = o->evtchn_open(fx_env);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ge);
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	ev_pair(ge, be, &gp, &bp);
	CU_ASSERT_EQUAL(o->evtchn_unbind(be, (uint32_t)bp), 0);
	CU_ASSERT_EQUAL(o->evtchn_unbind(be, (uint32_t)bp), -ENOTCONN);
	CU_ASSERT_EQUAL(o->evtchn_notify(be, (uint32_t)bp), -ENOTCONN);
	/* The guest's end is unbound again (for dom0): notify drops... */
	CU_ASSERT_EQUAL(o->evtchn_notify(ge, (uint32_t)gp), 0);
	CU_ASSERT(ev_quiet(be));
	/* ...and dom0 may bind it again, as a restarted backend does. */
	bp2 = o->evtchn_bind_interdomain(be, GUEST, (uint32_t)gp);
	CU_ASSERT_FATAL(bp2 > 0);
	CU_ASSERT_EQUAL(ev_wait(be, 1000), bp2);
	CU_ASSERT_EQUAL(o->evtchn_unmask(be, (uint32_t)bp2), 0);
	CU_ASSERT_EQUAL(o->evtchn_notify(ge, (uint32_t)gp), 0);
	CU_ASSERT_EQUAL(ev_wait(be, 1000), bp2);
	/* Closing the backend's handle also frees the guest's end. */
	o->evtchn_close(be);
	be = o->evtchn_open(fx_env);
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	bp = o->evtchn_bind_interdomain(be, GUEST, (uint32_t)gp);
	CU_ASSERT(bp > 0);
	/* The guest unbinding its end: ours becomes unbound for it. */
	CU_ASSERT_EQUAL(o->evtchn_unbind(ge, (uint32_t)gp), 0);
	CU_ASSERT_EQUAL(o->evtchn_notify(be, (uint32_t)bp), 0);
	CU_ASSERT(ev_quiet(ge));
	o->evtchn_close(be);
	o->evtchn_close(ge);
}

static void
test_killed_owner(void)
{
	int to_parent[2], gp, bp, st;
	struct xen_evtchn *ge, *be;
	uint32_t v;
	pid_t pid;

	EV_READY();
	ge = o->evtchn_open(genv);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ge);
	gp = o->evtchn_bind_unbound(ge, 0);
	CU_ASSERT_FATAL(gp > 0);
	CU_ASSERT_FATAL(pipe(to_parent) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		/* A backend that binds and is killed without closing. */
		struct xen_env *env;
		struct xen_evtchn *e;
		char err[256];
		int p;

		if (xensim_env_open(fx_dir, &env, err, sizeof(err)) != 0)
			_exit(2);
		env->domid = 0;
		e = env->ops->evtchn_open(env);
		p = e ? env->ops->evtchn_bind_interdomain(e, GUEST,
		    (uint32_t)gp) : -1;
		fx_put(to_parent[1], p > 0 ? (uint32_t)p : 0);
		for (;;)
			pause();
	}
	CU_ASSERT_EQUAL_FATAL(fx_get(to_parent[0], &v), 0);
	CU_ASSERT_FATAL(v > 0);
	be = o->evtchn_open(fx_env);
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	/* While it lives, the guest's port is taken. */
	CU_ASSERT_EQUAL(o->evtchn_bind_interdomain(be, GUEST, (uint32_t)gp),
	    -EINVAL);
	kill(pid, SIGKILL);
	st = fx_wait(pid);
	CU_ASSERT_EQUAL(st, 128 + SIGKILL);
	/* The guest notifying its dead peer does not fail... */
	CU_ASSERT_EQUAL(o->evtchn_notify(ge, (uint32_t)gp), 0);
	CU_ASSERT_EQUAL(o->evtchn_notify(ge, (uint32_t)gp), 0);
	/* ...and a new backend can bind the guest's port. */
	bp = o->evtchn_bind_interdomain(be, GUEST, (uint32_t)gp);
	CU_ASSERT_FATAL(bp > 0);
	CU_ASSERT_EQUAL(ev_wait(be, 1000), bp);
	CU_ASSERT_EQUAL(o->evtchn_unmask(be, (uint32_t)bp), 0);
	CU_ASSERT_EQUAL(o->evtchn_notify(ge, (uint32_t)gp), 0);
	CU_ASSERT_EQUAL(ev_wait(be, 1000), bp);
	CU_ASSERT_EQUAL(o->evtchn_notify(be, (uint32_t)bp), 0);
	CU_ASSERT_EQUAL(ev_wait(ge, 1000), gp);
	o->evtchn_close(be);
	o->evtchn_close(ge);
	close(to_parent[0]);
	close(to_parent[1]);
}

static void
test_killed_guest_port_closed(void)
{
	int to_parent[2];
	struct xen_evtchn *be;
	uint32_t gp;
	pid_t pid;

	EV_READY();
	CU_ASSERT_FATAL(pipe(to_parent) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		struct xen_env *env;
		struct xen_evtchn *e;
		char err[256];
		int p;

		if (xensim_env_open(fx_dir, &env, err, sizeof(err)) != 0)
			_exit(2);
		env->domid = GUEST;
		e = env->ops->evtchn_open(env);
		p = e ? env->ops->evtchn_bind_unbound(e, 0) : -1;
		fx_put(to_parent[1], p > 0 ? (uint32_t)p : 0);
		for (;;)
			pause();
	}
	CU_ASSERT_EQUAL_FATAL(fx_get(to_parent[0], &gp), 0);
	CU_ASSERT_FATAL(gp > 0);
	kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(fx_wait(pid), 128 + SIGKILL);
	/* The guest's process died: its port is closed, as its kernel's
	 * would be. */
	be = o->evtchn_open(fx_env);
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	CU_ASSERT_EQUAL(o->evtchn_bind_interdomain(be, GUEST, gp), -EINVAL);
	o->evtchn_close(be);
	close(to_parent[0]);
	close(to_parent[1]);
}

static void
test_full_queue(void)
{
	enum { N = 24 };	/* more than net.unix.max_dgram_qlen (10) */
	struct xen_evtchn *ge, *be;
	int gp[N], bp[N], i, p, n;
	bool seen[N];

	EV_READY();
	ge = o->evtchn_open(genv);
	be = o->evtchn_open(fx_env);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ge);
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	for (i = 0; i < N; i++)
		ev_pair(ge, be, &gp[i], &bp[i]);
	/* All at once, while nobody reads: every one delivered exactly once. */
	for (i = 0; i < N; i++)
		CU_ASSERT_EQUAL(o->evtchn_notify(be, (uint32_t)bp[i]), 0);
	memset(seen, 0, sizeof(seen));
	for (n = 0; n < N + 5; n++) {
		p = ev_wait(ge, 500);
		if (p < 0)
			break;
		for (i = 0; i < N; i++) {
			if (gp[i] == p) {
				CU_ASSERT(!seen[i]);
				seen[i] = true;
			}
		}
	}
	CU_ASSERT_EQUAL(n, N);
	for (i = 0; i < N; i++)
		CU_ASSERT(seen[i]);
	o->evtchn_close(be);
	o->evtchn_close(ge);
}

static void
test_domain_destroy_unbinds(void)
{
	struct xen_evtchn *ge, *be;
	char err[256];
	int gp, bp;

	EV_READY();
	ge = o->evtchn_open(genv);
	be = o->evtchn_open(fx_env);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ge);
	CU_ASSERT_PTR_NOT_NULL_FATAL(be);
	ev_pair(ge, be, &gp, &bp);
	CU_ASSERT_EQUAL_FATAL(xensim_domain_destroy(fx_dir, GUEST, err,
	    sizeof(err)), 0);
	/* Our end is unbound: notify drops, the domain is gone. */
	CU_ASSERT_EQUAL(o->evtchn_notify(be, (uint32_t)bp), 0);
	CU_ASSERT_EQUAL(o->evtchn_bind_interdomain(be, GUEST, (uint32_t)gp),
	    -ESRCH);
	/* Re-created: a new, empty port table. */
	CU_ASSERT_EQUAL_FATAL(xensim_domain_add(fx_dir, GUEST, 16, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(o->evtchn_bind_interdomain(be, GUEST, (uint32_t)gp),
	    -EINVAL);
	o->evtchn_close(be);
	o->evtchn_close(ge);
}

static CU_TestInfo ev_tests[] = {
	{ "bind rules and error codes", test_bind_rules },
	{ "notify both ways across processes (fork)",
	    test_notify_across_processes },
	{ "masked until unmask, coalesced redelivery", test_mask_and_coalesce },
	{ "unbind makes the peer unbound and re-bindable",
	    test_unbind_makes_peer_unbound },
	{ "SIGKILLed backend: port re-bindable, notify ok", test_killed_owner },
	{ "SIGKILLed guest: its port is closed", test_killed_guest_port_closed },
	{ "more ports than the socket queue", test_full_queue },
	{ "domain destroy unbinds its peers", test_domain_destroy_unbinds },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo end_tests[] = {
	{ "no xenstored left running", fx_test_nothing_left },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "xensim event channels", NULL, NULL, ev_setup, ev_teardown, ev_tests },
	{ "xensim cleanup", NULL, NULL, NULL, NULL, end_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
