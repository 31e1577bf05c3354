/*
 * evil_ctrl.c - vif-guest's hostile control-ring requests (--mode evil,
 * the ctrl-* attacks): what a frontend can send on netif's control ring
 * that a backend must answer with an error status, or survive by
 * disabling this vif alone. Each request's status is printed as a
 * "result:" line for the rig test to judge; the backend state follows.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/ring.h"
#include "util/log.h"
#include "util/loop.h"
#include "vif-guest.h"

/* Prints "result: NAME: status S" (or "no answer"). */
static void
evil_ctrl_one(struct vg *vg, const char *name, uint16_t type, uint32_t d0,
    uint32_t d1, uint32_t d2)
{
	int st = grss_request(vg, type, d0, d1, d2, NULL);

	if (st < 0)
		printf("result: %s: no answer\n", name);
	else
		printf("result: %s: status %d\n", name, st);
	fflush(stdout);
}

/* ctrl-bad: every request with parameters out of bounds or grants that
 * fail, then a good one (the ring still works). */
static void
evil_ctrl_bad(struct vg *vg)
{
	struct grss *r = &vg->rss;
	uint32_t *map = (uint32_t *)(void *)r->map.va;
	unsigned int i;

	evil_ctrl_one(vg, "type 200", 200, 0, 0, 0);
	evil_ctrl_one(vg, "type 0", XEN_NETIF_CTRL_TYPE_INVALID, 0, 0, 0);
	evil_ctrl_one(vg, "add-gref-mapping",
	    XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING, r->key.ref, 1, 0);
	evil_ctrl_one(vg, "algorithm 9",
	    XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM, 9, 0, 0);
	evil_ctrl_one(vg, "flags before algorithm",
	    XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS, 1, 0, 0);
	evil_ctrl_one(vg, "algorithm toeplitz",
	    XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM,
	    XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ, 0, 0);
	evil_ctrl_one(vg, "flags 0x10", XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS,
	    0x10, 0, 0);
	evil_ctrl_one(vg, "key 41 bytes", XEN_NETIF_CTRL_TYPE_SET_HASH_KEY,
	    r->key.ref, 41, 0);
	evil_ctrl_one(vg, "key 4 GiB", XEN_NETIF_CTRL_TYPE_SET_HASH_KEY,
	    r->key.ref, 0xffffffffu, 0);
	evil_ctrl_one(vg, "key bad gref", XEN_NETIF_CTRL_TYPE_SET_HASH_KEY,
	    0xfffffff0u, 40, 0);
	evil_ctrl_one(vg, "mapping size 129",
	    XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE, 129, 0, 0);
	evil_ctrl_one(vg, "mapping size 8",
	    XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE, 8, 0, 0);
	for (i = 0; i < 8; i++)
		map[i] = 0;
	map[3] = vg->nq;	/* a queue that does not exist */
	evil_ctrl_one(vg, "mapping queue nq", XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING,
	    r->map.ref, 8, 0);
	evil_ctrl_one(vg, "mapping past size",
	    XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, r->map.ref, 4, 6);
	evil_ctrl_one(vg, "mapping offset wraps",
	    XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, r->map.ref, 4, 0xfffffffeu);
	evil_ctrl_one(vg, "mapping 1024 entries",
	    XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, r->map.ref, 1024, 0);
	evil_ctrl_one(vg, "mapping bad gref",
	    XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, 0xfffffff0u, 8, 0);
	evil_ctrl_one(vg, "probe get-flags", XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS,
	    0, 0, 0);
}

/* ctrl-flood: --wait seconds of requests as fast as the answers come. */
static void
evil_ctrl_flood(struct vg *vg)
{
	uint64_t until = loop_now_ns() + (uint64_t)(vg->o.wait_s * 1e9);
	unsigned long n = 0, lost = 0;
	int st;

	while (loop_now_ns() < until) {
		st = grss_request(vg, (uint16_t)(n % 12), 0xfffffff0u,
		    (uint32_t)n, 0, NULL);
		if (st < 0)
			lost++;
		n++;
	}
	printf("result: ctrl-flood: %lu requests, %lu unanswered\n", n, lost);
	evil_ctrl_one(vg, "probe get-flags", XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS,
	    0, 0, 0);
}

/* ctrl-prod-jump: req_prod far beyond the ring: the vif is disabled. */
static void
evil_ctrl_prod_jump(struct vg *vg)
{
	struct grss *r = &vg->rss;

	r->fr.sring->req_prod = r->fr.req_prod_pvt + 1000;
	xen_wmb();
	(void)vg->ops->evtchn_notify(r->evh, r->port);
	printf("result: ctrl-prod-jump: req_prod 1000 ahead\n");
}

void
evil_ctrl(struct vg *vg, const char *name)
{
	uint64_t until;

	if (!vg->rss.set_up) {
		printf("result: no control ring (feature-ctrl-ring %d)\n",
		    vg->bf.ctrl_ring ? 1 : 0);
		return;
	}
	if (strcmp(name, "ctrl-bad") == 0)
		evil_ctrl_bad(vg);
	else if (strcmp(name, "ctrl-flood") == 0)
		evil_ctrl_flood(vg);
	else
		evil_ctrl_prod_jump(vg);
	/* The backend's verdict: its state after a moment. */
	until = loop_now_ns() + 1000000000ull;
	while (loop_now_ns() < until && !vg->sig_term && !vg->fe_gone)
		gbus_poll(vg, 20);
	printf("result: backend state: %s\n", gbus_state_str(vg->be_state));
	fflush(stdout);
}
