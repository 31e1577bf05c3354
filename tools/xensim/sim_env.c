/*
 * sim_env.c - the hypervisor seam (struct xen_ops) over a simulated
 * machine.
 *
 * Owns the environment: which machine, the per-process cache of mapped
 * domains (struct sim_env), and the ops table, which is the simulated
 * grant tables and event channels (sim_gnttab.c, sim_evtchn.c) plus the
 * real libxenstore functions of xen_real_ops: the machine runs the real
 * xenstored, reached through XENSTORED_PATH.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_priv.h"
#include "xensim.h"

static struct xen_ops sim_ops;
static pthread_once_t sim_ops_once = PTHREAD_ONCE_INIT;

static void
sim_ops_init(void)
{
	/* The xenstore half is the real one; the rest is ours. */
	sim_ops = xen_real_ops;
	sim_ops.name = "sim";
	sim_ops.thread_sandboxed = sim_thread_sandboxed;
	sim_ops.gnttab_open = sim_gnttab_open;
	sim_ops.gnttab_close = sim_gnttab_close;
	sim_ops.gnttab_map_refs = sim_gnttab_map_refs;
	sim_ops.gnttab_unmap = sim_gnttab_unmap;
	sim_ops.gnttab_grant_copy = sim_gnttab_grant_copy;
	sim_ops.evtchn_open = sim_evtchn_open;
	sim_ops.evtchn_close = sim_evtchn_close;
	sim_ops.evtchn_fd = sim_evtchn_fd;
	sim_ops.evtchn_bind_unbound = sim_evtchn_bind_unbound;
	sim_ops.evtchn_bind_interdomain = sim_evtchn_bind_interdomain;
	sim_ops.evtchn_unbind = sim_evtchn_unbind;
	sim_ops.evtchn_notify = sim_evtchn_notify;
	sim_ops.evtchn_pending = sim_evtchn_pending;
	sim_ops.evtchn_pending_many = sim_evtchn_pending_many;
	sim_ops.evtchn_unmask = sim_evtchn_unmask;
}

static void
sim_env_destroy(struct xen_env *env)
{
	struct sim_env *se;
	struct sim_dom *d;
	uint32_t i;

	if (env == NULL)
		return;
	se = env->priv;
	if (se->doms != NULL) {
		for (i = 0; i < DOMID_FIRST_RESERVED; i++)
			sim_dom_unmap(atomic_load(&se->doms[i]));
		free(se->doms);
	}
	while ((d = se->retired) != NULL) {
		se->retired = d->retired_next;
		sim_dom_unmap(d);
	}
	sim_machine_unmap(se->machine);
	pthread_mutex_destroy(&se->lock);
	free(se);
}

const char *
xensim_spec_dir(const char *spec)
{
	size_t n = sizeof(XENSIM_SPEC_PREFIX) - 1;

	return spec != NULL && strncmp(spec, XENSIM_SPEC_PREFIX, n) == 0 ?
	    spec + n : NULL;
}

int
xensim_env_open(const char *dir, struct xen_env **out, char *err,
    size_t errlen)
{
	char sock[PATH_MAX];
	struct sim_env *se;
	int rc;

	pthread_once(&sim_ops_once, sim_ops_init);
	rc = xensim_check(dir, err, errlen);
	if (rc != 0)
		return rc;
	se = calloc(1, sizeof(*se));
	if (se == NULL) {
		sim_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&se->lock, NULL);
	rc = sim_dir_resolve(dir, se->dir, err, errlen);
	if (rc != 0)
		goto fail;
	rc = sim_machine_map(se->dir, &se->machine);
	if (rc != 0) {
		sim_err(err, errlen, "%s: bad machine file: %s", se->dir,
		    strerror(-rc));
		goto fail;
	}
	se->doms = calloc(DOMID_FIRST_RESERVED, sizeof(*se->doms));
	if (se->doms == NULL) {
		rc = -ENOMEM;
		sim_err(err, errlen, "out of memory");
		goto fail;
	}
	rc = sim_fmt(sock, sizeof(sock), "%s/%s", se->dir, SIM_XS_SOCKET);
	if (rc != 0 || setenv("XENSTORED_PATH", sock, 1) != 0) {
		rc = rc ? rc : -errno;
		sim_err(err, errlen, "setting XENSTORED_PATH: %s", strerror(-rc));
		goto fail;
	}
	se->env.ops = &sim_ops;
	se->env.domid = 0;
	se->env.domid_known = true;
	se->env.priv = se;
	se->env.destroy = sim_env_destroy;
	/* vifctl plays the toolstack and runs no scripts; the stand-in
	 * xenstored knows only dom0's connections; the machine is a
	 * directory every domain's process shares. */
	se->env.toolstack_hotplug = false;
	se->env.xs_home_is_dom0 = true;
	se->env.run_dir = se->dir;
	*out = &se->env;
	return 0;
fail:
	sim_env_destroy(&(struct xen_env){ .priv = se });
	return rc;
}
