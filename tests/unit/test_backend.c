/*
 * test_backend.c - the backend (src/backend*.c) carrying out its
 * XenbusState machine against a real xenstored, as a table of frontend
 * state sequences against the backend's expected xenstore writes. (The
 * machine's decisions alone are test_xenbus_fsm's table, without root.)
 *
 * The test plays the toolstack (it writes the device directories as libxl
 * would) and the frontend (it grants ring pages and allocates event
 * channels from domain 1 of a simulated machine, writes its keys and its
 * state), and drives vifd's own control thread (src/ctrl/daemon.c, in this
 * process) against the real xenstored. Each row of the table is one vif
 * of its own; after every step the backend's state node must become (and
 * stay) what the row says. Needs root (TAP devices; the test moves itself
 * into a private network namespace so that nothing shows on the host).
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctrl/backend.h"
#include "cu_tap.h"
#include "ctrl/daemon.h"
#include "util/loop.h"
#include "core/ring.h"
#include "ctrl/vifd.h"
#include "xensim.h"
#include "ctrl/xsutil.h"

#define GUEST 1u

static struct {
	char dir[64];
	struct vifd v;
	struct xen_env *genv;		/* domain 1's view */
	struct xen_evtchn *gev;
	struct xensim_dom *gdom;
	uint32_t next_pfn, next_ref;
	bool up;
} F;

enum op {
	OP_END,
	OP_KEYS,		/* valid frontend keys: rings + event channel */
	OP_BAD_KEYS,		/* multi-queue-num-queues = 0 */
	OP_FE,			/* the frontend writes state `arg` */
	OP_HOTPLUG_OK,		/* the hotplug script writes "connected" */
	OP_FE_RM,		/* the frontend directory disappears */
	OP_REMOVE,		/* the toolstack: online=0, state=5 */
};

/* What is checked after a step besides the state (struct step's `also`). */
enum {
	STAYS = 1,		/* the state keeps for a while (no transient) */
	ERROR_NODE = 2,		/* an error node must exist */
	TAP_GONE = 4,		/* the TAP must be gone */
};

/* After the step: `expect` -1 no check; else the backend state it must
 * reach, and the checks in `also`. */
struct step {
	enum op op;
	int arg;
	int expect;
	unsigned int also;
};

struct row {
	const char *name;
	bool hotplug_status;	/* the toolstack writes hotplug-status "" */
	struct step steps[10];	/* up to the first OP_END (all zero) */
};

static const struct row rows[] = {
	{ "InitWait, then Connected when the frontend connects", false, {
	    { OP_KEYS, 0, 2, 0 },
	    { OP_FE, 4, 4, 0 } } },
	{ "Connected waits for hotplug-status", true, {
	    { OP_KEYS, 0, 2, 0 },
	    { OP_FE, 4, 2, STAYS },
	    { OP_HOTPLUG_OK, 0, 4, 0 } } },
	{ "Initialised is enough to connect", false, {
	    { OP_KEYS, 0, 2, 0 },
	    { OP_FE, 3, 4, 0 } } },
	{ "close, then reconnect (guest reboot)", false, {
	    { OP_KEYS, 0, 2, 0 },
	    { OP_FE, 4, 4, 0 },
	    { OP_FE, 5, 5, 0 },
	    { OP_FE, 6, 6, STAYS },
	    { OP_FE, 1, 2, 0 },
	    { OP_KEYS, 0, 2, 0 },
	    { OP_FE, 4, 4, 0 } } },
	{ "malformed frontend keys fail the vif", false, {
	    { OP_BAD_KEYS, 0, 2, 0 },
	    { OP_FE, 4, 5, STAYS | ERROR_NODE } } },
	{ "an impossible frontend state fails the vif", false, {
	    { OP_KEYS, 0, 2, 0 },
	    { OP_FE, 4, 4, 0 },
	    { OP_FE, 42, 5, STAYS | ERROR_NODE } } },
	{ "the frontend directory vanishes", false, {
	    { OP_KEYS, 0, 2, 0 },
	    { OP_FE, 4, 4, 0 },
	    { OP_FE_RM, 0, 6, STAYS } } },
	{ "the toolstack removes the device", false, {
	    { OP_KEYS, 0, 2, 0 },
	    { OP_FE, 4, 4, 0 },
	    { OP_REMOVE, 0, 5, 0 },
	    { OP_FE, 6, 6, TAP_GONE } } },
	/* netfront's XDP handshake: Reconfigured is kept until the
	 * frontend is Connected again (it may look late), then Connected;
	 * and once more, so every handshake is answered. */
	{ "Reconfiguring is answered, kept, and the vif stays up", false, {
	    { OP_KEYS, 0, 2, 0 },
	    { OP_FE, 4, 4, 0 },
	    { OP_FE, 7, 8, STAYS },
	    { OP_FE, 4, 4, STAYS },
	    { OP_FE, 7, 8, STAYS },
	    { OP_FE, 4, 4, STAYS } } },
};

static int
xsw(const char *path, const char *val)
{
	return F.v.env->ops->xs_write(F.v.xs, XEN_TXN_NULL, path, val,
	    (unsigned int)strlen(val));
}

static void
paths(unsigned int devid, char *be, char *fe, size_t len)
{
	snprintf(be, len, "/local/domain/0/backend/vif/%u/%u", GUEST, devid);
	snprintf(fe, len, "/local/domain/%u/device/vif/%u", GUEST, devid);
}

/* Runs vifd's loop for `ms` milliseconds. */
static void
pump(unsigned int ms)
{
	uint64_t end = loop_now_ns() + (uint64_t)ms * 1000000u;

	while (loop_now_ns() < end)
		(void)loop_run_once(&F.v.loop, 10);
}

static int
be_state(unsigned int devid)
{
	char be[128], fe[128];
	uint64_t v;

	paths(devid, be, fe, sizeof(be));
	if (xsu_read_uint(F.v.env, F.v.xs, XEN_TXN_NULL, be, "state", 8,
	    &v) < 0)
		return -1;
	return (int)v;
}

/* Pumps until the backend state is `want` (true) or 3 s passed. */
static bool
wait_state(unsigned int devid, int want)
{
	uint64_t end = loop_now_ns() + 3000000000ull;

	while (loop_now_ns() < end) {
		if (be_state(devid) == want)
			return true;
		(void)loop_run_once(&F.v.loop, 10);
	}
	return be_state(devid) == want;
}

/* The toolstack's part of xl network-attach (libxl's nodes). */
static int
toolstack_attach(unsigned int devid, bool hotplug_status)
{
	char be[128], fe[128], p[192], v[128];
	static const char *const keys[][2] = {
		{ "online", "1" }, { "state", "1" },
		{ "mac", "00:16:3e:00:00:10" }, { "bridge", "xenbr0" },
		{ "script", "/bin/true" }, { "type", "vif" },
	};
	unsigned int i;
	xen_txn_t t;
	int r;

	paths(devid, be, fe, sizeof(be));
	r = F.v.env->ops->xs_txn_start(F.v.xs, &t);
	if (r < 0)
		return r;
#define W(dir, key, val) do { \
	snprintf(p, sizeof(p), "%s/%s", dir, key); \
	if ((r = F.v.env->ops->xs_write(F.v.xs, t, p, val, \
	    (unsigned int)strlen(val))) < 0) \
		goto abort; \
} while (0)
	W(be, "frontend", fe);
	snprintf(v, sizeof(v), "%u", GUEST);
	W(be, "frontend-id", v);
	snprintf(v, sizeof(v), "%u", devid);
	W(be, "handle", v);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		W(be, keys[i][0], keys[i][1]);
	if (hotplug_status)
		W(be, "hotplug-status", "");
	W(fe, "backend", be);
	W(fe, "backend-id", "0");
	W(fe, "state", "1");
	snprintf(v, sizeof(v), "%u", devid);
	W(fe, "handle", v);
#undef W
	return F.v.env->ops->xs_txn_end(F.v.xs, t, false);
abort:
	(void)F.v.env->ops->xs_txn_end(F.v.xs, t, true);
	return r;
}

/* What netfront writes before Connected: fresh rings and a channel. */
static int
frontend_keys(unsigned int devid, bool bad)
{
	char be[128], fe[128], p[192], v[32];
	uint32_t pfn, ref;
	int port, i;

	paths(devid, be, fe, sizeof(be));
	for (i = 0; i < 2; i++) {
		void *page;

		pfn = F.next_pfn++;
		ref = F.next_ref++;
		page = xensim_dom_page(F.gdom, pfn);
		if (page == NULL)
			return -ENOSPC;
		memset(page, 0, VIFD_PAGE_SIZE);
		if (i == 0)
			SHARED_RING_INIT((netif_tx_sring_t *)page);
		else
			SHARED_RING_INIT((netif_rx_sring_t *)page);
		if (xensim_grant_access(F.gdom, ref, 0, pfn, false) < 0)
			return -EIO;
		snprintf(p, sizeof(p), "%s/%s", fe, i == 0 ? "tx-ring-ref" :
		    "rx-ring-ref");
		snprintf(v, sizeof(v), "%u", ref);
		if (xsw(p, v) < 0)
			return -EIO;
	}
	port = F.genv->ops->evtchn_bind_unbound(F.gev, 0);
	if (port < 0)
		return port;
	snprintf(p, sizeof(p), "%s/event-channel", fe);
	snprintf(v, sizeof(v), "%d", port);
	if (xsw(p, v) < 0)
		return -EIO;
	snprintf(p, sizeof(p), "%s/request-rx-copy", fe);
	if (xsw(p, "1") < 0)
		return -EIO;
	snprintf(p, sizeof(p), "%s/multi-queue-num-queues", fe);
	return xsw(p, bad ? "0" : "1");
}

static bool
has_error_node(unsigned int devid)
{
	char path[128];
	char *v;

	snprintf(path, sizeof(path), "/local/domain/0/error/backend/vif/%u/%u",
	    GUEST, devid);
	v = xsu_read_key(F.v.env, F.v.xs, XEN_TXN_NULL, path, "error");
	free(v);
	return v != NULL;
}

static void
run_row(unsigned int devid, const struct row *row)
{
	char be[128], fe[128], p[192], ifname[IFNAMSIZ];
	const struct step *s;
	int k;

	paths(devid, be, fe, sizeof(be));
	snprintf(ifname, sizeof(ifname), "vif%u.%u", GUEST, devid);
	CU_ASSERT_EQUAL_FATAL(toolstack_attach(devid, row->hotplug_status), 0);
	for (k = 0, s = row->steps; s->op != OP_END; s++, k++) {
		switch (s->op) {
		case OP_KEYS:
		case OP_BAD_KEYS:
			CU_ASSERT_EQUAL_FATAL(frontend_keys(devid,
			    s->op == OP_BAD_KEYS), 0);
			break;
		case OP_FE:
			snprintf(p, sizeof(p), "%s/state", fe);
			{
				char v[16];

				snprintf(v, sizeof(v), "%d", s->arg);
				CU_ASSERT_EQUAL_FATAL(xsw(p, v), 0);
			}
			break;
		case OP_HOTPLUG_OK:
			snprintf(p, sizeof(p), "%s/hotplug-status", be);
			CU_ASSERT_EQUAL_FATAL(xsw(p, "connected"), 0);
			break;
		case OP_FE_RM:
			CU_ASSERT_EQUAL_FATAL(F.v.env->ops->xs_rm(F.v.xs,
			    XEN_TXN_NULL, fe), 0);
			break;
		case OP_REMOVE:
			snprintf(p, sizeof(p), "%s/online", be);
			CU_ASSERT_EQUAL_FATAL(xsw(p, "0"), 0);
			snprintf(p, sizeof(p), "%s/state", be);
			CU_ASSERT_EQUAL_FATAL(xsw(p, "5"), 0);
			break;
		case OP_END:
			break;
		}
		if (s->expect >= 0) {
			bool reached = wait_state(devid, s->expect);

			if (!reached)
				printf("# %s: step %d: backend state %d, "
				    "expected %d\n", row->name, k,
				    be_state(devid), s->expect);
			CU_ASSERT(reached);
			if (reached && (s->also & STAYS)) {
				pump(500);
				CU_ASSERT_EQUAL(be_state(devid), s->expect);
			}
		}
		if (s->also & ERROR_NODE)
			CU_ASSERT(has_error_node(devid));
		if (s->also & TAP_GONE) {
			pump(200);
			CU_ASSERT(if_nametoindex(ifname) == 0);
		} else if (s->expect >= 0) {
			/* The TAP exists whenever the device does. */
			CU_ASSERT(if_nametoindex(ifname) != 0);
		}
	}
}

/* One CUnit test per row (CUnit tests take no arguments). */
static void
test_row(unsigned int i)
{
	CU_ASSERT_FATAL(F.up);
	printf("# row %u: %s\n", i, rows[i].name);
	run_row(i, &rows[i]);
}

#define ROW(n) static void test_row##n(void) { test_row(n); }
ROW(0) ROW(1) ROW(2) ROW(3) ROW(4) ROW(5) ROW(6) ROW(7) ROW(8)
#undef ROW
_Static_assert(sizeof(rows) / sizeof(rows[0]) == 9, "one test per row");

static void
test_whole(void)
{
	/* Every vif failed or was served on its own: vifd is whole and
	 * still knows each of them. */
	CU_ASSERT_EQUAL(F.v.nbackends, sizeof(rows) / sizeof(rows[0]));
}

static int
suite_init(void)
{
	char err[256];
	int r;

	if (getuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		printf("# needs root and network namespaces\n");
		return -1;
	}
	snprintf(F.dir, sizeof(F.dir), "/tmp/tbe%d", (int)getpid());
	if (xensim_create(F.dir, err, sizeof(err)) < 0 ||
	    xensim_domain_add(F.dir, GUEST, 0, err, sizeof(err)) < 0 ||
	    xensim_env_open(F.dir, &F.v.env, err, sizeof(err)) < 0 ||
	    xensim_env_open(F.dir, &F.genv, err, sizeof(err)) < 0) {
		printf("# simulated machine: %s\n", err);
		return -1;
	}
	F.genv->domid = GUEST;
	F.genv->domid_known = true;
	F.gev = F.genv->ops->evtchn_open(F.genv);
	if (F.gev == NULL || xensim_dom_open(F.dir, GUEST, &F.gdom) < 0)
		return -1;
	F.next_pfn = 16;
	F.next_ref = 64;
	F.v.env->domid = 0;
	F.v.env->domid_known = true;
	F.v.xs = F.v.env->ops->xs_open(F.v.env);
	if (F.v.xs == NULL)
		return -1;
	F.v.domid = 0;
	F.v.cfg.max_queues = 2;
	F.v.cfg.split_evtchn = true;
	/* The toolstack (this test) owns hotplug-status. */
	F.v.cfg.hotplug = VIFD_HOTPLUG_TOOLSTACK;
	F.v.cfg.hotplug_timeout_s = 40;
	F.v.cfg.script_dir = "/nonexistent";
	r = vifd_control_init(&F.v);
	if (r < 0) {
		printf("# vifd_control_init: %s\n", strerror(-r));
		return -1;
	}
	pump(100);
	F.up = true;
	return 0;
}

static int
suite_fini(void)
{
	char err[256];

	if (F.up)
		vifd_control_fini(&F.v);
	if (F.v.xs != NULL)
		F.v.env->ops->xs_close(F.v.xs);
	if (F.gev != NULL)
		F.genv->ops->evtchn_close(F.gev);
	if (F.gdom != NULL)
		xensim_dom_close(F.gdom);
	xen_env_close(F.genv);
	xen_env_close(F.v.env);
	(void)xensim_destroy(F.dir, err, sizeof(err));
	return 0;
}

static CU_TestInfo backend_tests[] = {
	/* A row's test is named after the row, by main(). */
	{ "", test_row0 }, { "", test_row1 }, { "", test_row2 },
	{ "", test_row3 }, { "", test_row4 }, { "", test_row5 },
	{ "", test_row6 }, { "", test_row7 }, { "", test_row8 },
	{ "every other vif unaffected", test_whole },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "backend", suite_init, suite_fini, NULL, NULL, backend_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		backend_tests[i].pName = rows[i].name;
	return cu_tap_run(suites);
}
