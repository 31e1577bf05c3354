/*
 * cmd_attach.c - `vifctl attach`: what libxl does for `xl network-attach`
 * up to the hotplug script.
 *
 * Owns the attach sequence (libxl_device.c: libxl__device_add_async,
 * libxl__device_generic_add, libxl__wait_device_connection): pick the
 * devid, write the backend and frontend directories with libxl's
 * permissions in one transaction (retried on EAGAIN), then wait for the
 * backend to reach InitWait. Running the hotplug script is the backend's
 * business here (vifd does what `xl devd` does). On a timeout the nodes are
 * left in place, as libxl leaves them (device_hotplug_done only removes
 * nodes on a removal); `vifctl detach` removes them. libxl's private copy
 * under /libxl is not written: nothing of ours reads it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/io/xenbus.h>

#include "core/featmask.h"
#include "vifctl.h"

struct attach_args {
	bool devid_given;
	uint32_t devid;
	enum vifspec_mac_mode mac_mode;
	const char *script_dir;
	unsigned int timeout_ms;
	uint32_t features_off;		/* --features-off, FEATMASK_* */
	char features_value[200];	/* ... its canonical form */
};

enum { OPT_DEVID = 256, OPT_MAC_MODE, OPT_SCRIPT_DIR, OPT_TIMEOUT,
	OPT_FEATURES_OFF };

static int
attach_opt(struct vifctl *c, void *arg, int val, const char *optarg)
{
	struct attach_args *a = arg;

	(void)c;
	switch (val) {
	case OPT_DEVID:
		a->devid_given = true;
		return vifctl_parse_u32("--devid", optarg, VIFSPEC_DEVID_MAX,
		    &a->devid);
	case OPT_MAC_MODE:
		return vifctl_parse_mac_mode(optarg, &a->mac_mode);
	case OPT_SCRIPT_DIR:
		a->script_dir = optarg;
		return 0;
	case OPT_TIMEOUT:
		return vifctl_parse_timeout(optarg, &a->timeout_ms);
	case OPT_FEATURES_OFF:
		return vifctl_parse_featmask("attach: --features-off", optarg,
		    &a->features_off, a->features_value,
		    sizeof(a->features_value));
	default:
		return VIFCTL_USAGE;
	}
}

/* Raises *max to the largest devid named in directory `path`. */
static int
attach_scan(struct vifctl *c, xen_txn_t t, const char *path, int64_t *max)
{
	char **dir;
	unsigned int num, i;
	uint64_t v;

	dir = c->ops->xs_directory(c->xs, t, path, &num);
	if (dir == NULL)
		return errno == ENOENT || errno == EACCES ? 0 : -errno;
	for (i = 0; i < num; i++) {
		if (strparse_uint(dir[i], VIFSPEC_DEVID_MAX, &v) != 0)
			continue;	/* not a devid: not ours to judge */
		if ((int64_t)v > *max)
			*max = v;
	}
	free(dir);
	return 0;
}

/*
 * The next free devid: one past the largest in use by this guest in its
 * frontend dir, in libxl's private dir (libxl__device_nextid reads that
 * one) and in the backend dir, so that we never collide with any of them.
 */
static int
attach_next_devid(struct vifctl *c, xen_txn_t t, const struct vifspec_ids *ids,
    uint32_t *devid)
{
	char path[VIFSPEC_PATH_MAX];
	int64_t max = -1;
	int r;

	snprintf(path, sizeof(path), "/local/domain/%u/device/vif", ids->domid);
	if ((r = attach_scan(c, t, path, &max)) < 0)
		return r;
	snprintf(path, sizeof(path), "/libxl/%u/device/vif", ids->domid);
	if ((r = attach_scan(c, t, path, &max)) < 0)
		return r;
	snprintf(path, sizeof(path), "/local/domain/%u/backend/vif/%u",
	    ids->backend_domid, ids->domid);
	if ((r = attach_scan(c, t, path, &max)) < 0)
		return r;
	if (max >= (int64_t)VIFSPEC_DEVID_MAX)
		return -ENOSPC;
	*devid = (uint32_t)(max + 1);
	return 0;
}

/* Makes a directory and gives it `perms`. */
static int
attach_mkdir(struct vifctl *c, xen_txn_t t, const char *path,
    const struct xen_xs_perm perms[2])
{
	int r = c->ops->xs_mkdir(c->xs, t, path);

	return r < 0 ? r : c->ops->xs_set_perms(c->xs, t, path, perms, 2);
}

/* One attempt at the transaction. Returns 0, -EAGAIN (retry), -EEXIST,
 * or -errno with *what naming the step. */
static int
attach_txn(struct vifctl *c, const struct vifspec *vs,
    const struct attach_args *a, struct vifspec_ids *ids, const char **what)
{
	static struct vifspec_node nodes[VIFSPEC_MAX_NODES];
	char be[VIFSPEC_PATH_MAX], fe[VIFSPEC_PATH_MAX];
	struct xen_xs_perm perms[2];
	const char *v;
	xen_txn_t t;
	int r, n, i;

	*what = "starting a transaction";
	r = c->ops->xs_txn_start(c->xs, &t);
	if (r < 0)
		return r;
	if (!a->devid_given && !vs->devid_given) {
		*what = "looking for a free devid";
		r = attach_next_devid(c, t, ids, &ids->devid);
		if (r < 0)
			goto abort;
	}
	vifspec_backend_dir(ids, be, sizeof(be));
	vifspec_frontend_dir(ids, fe, sizeof(fe));
	*what = "checking the device is new";
	if ((r = vifctl_exists(c, t, be)) != 0 ||
	    (r = vifctl_exists(c, t, fe)) != 0) {
		/* Reads inside a xenstored transaction see what others
		 * committed meanwhile: a devid we found free and now see
		 * taken means a concurrent attach won, and the commit
		 * would fail anyway. Retry with a fresh scan. */
		if (r > 0)
			r = a->devid_given || vs->devid_given ? -EEXIST :
			    -EAGAIN;
		goto abort;
	}
	*what = "listing the nodes";
	n = vifspec_nodes(vs, ids, nodes, VIFSPEC_MAX_NODES);
	if (n < 0) {
		r = n;
		goto abort;
	}
	/* libxl__device_generic_add: each directory first, with its owner,
	 * then its nodes, each with the permissions of its kind. */
	*what = be;
	vifctl_node_perms(VIFSPEC_PERM_BACKEND, ids, perms);
	if ((r = attach_mkdir(c, t, be, perms)) < 0)
		goto abort;
	*what = fe;
	vifctl_node_perms(VIFSPEC_PERM_FRONTEND, ids, perms);
	if ((r = attach_mkdir(c, t, fe, perms)) < 0)
		goto abort;
	for (i = 0; i < n; i++) {
		*what = nodes[i].path;
		v = vifspec_node_value(&nodes[i]);
		r = c->ops->xs_write(c->xs, t, nodes[i].path, v,
		    (unsigned int)strlen(v));
		if (r < 0)
			goto abort;
		vifctl_node_perms(nodes[i].perm, ids, perms);
		r = c->ops->xs_set_perms(c->xs, t, nodes[i].path, perms, 2);
		if (r < 0)
			goto abort;
	}
	/* Ours, with the device: vifd's first advertisement honours it. */
	if (a->features_off != 0) {
		char path[VIFSPEC_PATH_MAX + 32];

		snprintf(path, sizeof(path), "%s/%s", be,
		    VIFD_FEATURES_OFF_KEY);
		*what = path;
		r = c->ops->xs_write(c->xs, t, path, a->features_value,
		    (unsigned int)strlen(a->features_value));
		vifctl_node_perms(VIFSPEC_PERM_BACKEND, ids, perms);
		if (r == 0)
			r = c->ops->xs_set_perms(c->xs, t, path, perms, 2);
		if (r < 0)
			goto abort;
	}
	*what = "committing the transaction";
	return c->ops->xs_txn_end(c->xs, t, false);
abort:
	c->ops->xs_txn_end(c->xs, t, true);
	return r;
}

static int
attach_run(struct vifctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "devid", required_argument, NULL, OPT_DEVID },
		{ "mac-mode", required_argument, NULL, OPT_MAC_MODE },
		{ "script-dir", required_argument, NULL, OPT_SCRIPT_DIR },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "features-off", required_argument, NULL, OPT_FEATURES_OFF },
		{ NULL, 0, NULL, 0 },
	};
	static struct vifspec vs;
	struct attach_args a = { .timeout_ms = VIFCTL_TIMEOUT_MS_DEFAULT };
	struct vifspec_ids ids = { 0 };
	char path[VIFSPEC_PATH_MAX];
	const char *what = "";
	int first, r, tries, last;

	r = vifctl_getopt(c, &vifctl_cmd_attach, argc, argv, opts, attach_opt,
	    &a, &first);
	if (r != 0)
		return r == VIFCTL_DONE ? VIFCTL_OK : r;
	if (argc - first != 2) {
		vifctl_err("attach: expected DOMID and a vif spec, got %d "
		    "arguments (see vifctl attach --help)", argc - first);
		return VIFCTL_USAGE;
	}
	r = vifctl_parse_u32("DOMID", argv[first], VIFSPEC_DOMID_MAX,
	    &ids.domid);
	if (r != 0)
		return r;
	r = vifctl_spec_parse(argv[first + 1], a.mac_mode, a.script_dir, &vs);
	if (r != 0)
		return r;
	if (a.devid_given)
		ids.devid = a.devid;
	else if (vs.devid_given)
		ids.devid = vs.devid;

	if ((r = vifctl_xs_open(c)) != 0)
		return r;
	if (c->backend_domid >= 0) {
		ids.backend_domid = (uint32_t)c->backend_domid;
	} else if (vs.backend != NULL && vs.backend_is_domid) {
		ids.backend_domid = vs.backend_domid;
	} else if (vs.backend != NULL) {
		r = vifctl_domain_by_name(c, vs.backend, &ids.backend_domid);
		if (r < 0) {
			vifctl_err("attach: backend=%s: %s", vs.backend,
			    r == -ENOENT ? "no domain has that name" :
			    strerror(-r));
			return r == -ENOENT ? VIFCTL_USAGE : VIFCTL_FAIL;
		}
	}

	/* Both domains must exist (libxl would not find them otherwise). */
	snprintf(path, sizeof(path), "/local/domain/%u", ids.domid);
	if (vifctl_exists(c, XEN_TXN_NULL, path) != 1) {
		vifctl_err("attach: domain %u does not exist (no %s)",
		    ids.domid, path);
		return VIFCTL_FAIL;
	}
	snprintf(path, sizeof(path), "/local/domain/%u", ids.backend_domid);
	if (vifctl_exists(c, XEN_TXN_NULL, path) != 1) {
		vifctl_err("attach: backend domain %u does not exist (no %s)",
		    ids.backend_domid, path);
		return VIFCTL_FAIL;
	}

	for (tries = 0; tries < VIFCTL_TXN_RETRIES; tries++) {
		r = attach_txn(c, &vs, &a, &ids, &what);
		if (r != -EAGAIN)
			break;
	}
	if (r == -EEXIST) {
		vifctl_err("attach: vif %u/%u already exists (detach it first, "
		    "or pick another devid)", ids.domid, ids.devid);
		return VIFCTL_FAIL;
	}
	if (r == -ENOSPC && strcmp(what, "looking for a free devid") == 0) {
		vifctl_err("attach: domain %u has no free devid", ids.domid);
		return VIFCTL_FAIL;
	}
	if (r < 0) {
		vifctl_err("attach: vif %u/%u: %s: %s", ids.domid, ids.devid,
		    what, r == -EAGAIN ? "the transaction kept conflicting" :
		    strerror(-r));
		return VIFCTL_FAIL;
	}

	/* libxl__wait_device_connection: the backend must reach InitWait
	 * within LIBXL_INIT_TIMEOUT. We also take Initialised and Connected,
	 * which a fast backend may reach before we look. */
	vifspec_backend_dir(&ids, path, sizeof(path));
	strcat(path, "/state");
	r = vifctl_wait_state(c, path, XenbusStateInitWait,
	    XenbusStateConnected, XenbusStateClosing, false, a.timeout_ms,
	    &last);
	if (r == -ETIMEDOUT) {
		vifctl_err("attach: vif %u/%u: the backend (domain %u) did not "
		    "reach InitWait within %u.%03u s (state %d, %s); its nodes "
		    "stay in xenstore, as libxl leaves them: 'vifctl detach "
		    "%u %u' removes them", ids.domid, ids.devid,
		    ids.backend_domid, a.timeout_ms / 1000u,
		    a.timeout_ms % 1000u, last, xenbus_state_str(last, "?"),
		    ids.domid, ids.devid);
		return VIFCTL_FAIL;
	}
	if (r == -ECONNREFUSED) {
		vifctl_err("attach: vif %u/%u: the backend went to state %d "
		    "(%s) instead of InitWait", ids.domid, ids.devid, last,
		    xenbus_state_str(last, "?"));
		return VIFCTL_FAIL;
	}
	if (r == -ENOENT) {
		vifctl_err("attach: vif %u/%u: the backend directory was "
		    "removed while we waited", ids.domid, ids.devid);
		return VIFCTL_FAIL;
	}
	if (r < 0) {
		vifctl_err("attach: vif %u/%u: waiting for InitWait: %s",
		    ids.domid, ids.devid, strerror(-r));
		return VIFCTL_FAIL;
	}
	printf("%u\n", ids.devid);
	return VIFCTL_OK;
}

const struct vifctl_cmd vifctl_cmd_attach = {
	.name = "attach",
	.synopsis = "[--devid=N] [--timeout=SECONDS] DOMID 'SPEC'",
	.summary = "write a vif's nodes as libxl does, wait for the backend's "
	    "InitWait, print the devid",
	.options =
	    "  --devid=N          the device id (default: the spec's devid=, "
	    "else the next\n"
	    "                     free one)\n"
	    "  --timeout=SECONDS  how long to wait for InitWait (default 10, "
	    "as libxl)\n"
	    "  --mac-mode=xen|local  how a missing mac= is made (default xen: "
	    "00:16:3e)\n"
	    "  --script-dir=DIR   where a relative script= lives (default "
	    "/etc/xen/scripts)\n"
	    "  --features-off=LIST  netif features vifd leaves off for this "
	    "vif, written\n"
	    "                     with the device (see vifctl features "
	    "--help)\n",
	.run = attach_run,
};
