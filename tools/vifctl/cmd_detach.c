/*
 * cmd_detach.c - `vifctl detach`: what `xl network-detach` does.
 *
 * Owns the removal sequence of libxl_device.c
 * (libxl__initiate_device_generic_remove, device_backend_callback,
 * device_hotplug_done, libxl__device_destroy):
 *   1. in one transaction: online=0, and state=5 (Closing) unless the
 *      backend is already Closed; if the backend's state node is gone, the
 *      backend is gone: clean up the frontend only;
 *   2. wait up to the timeout (LIBXL_DESTROY_TIMEOUT, 10 s) for Closed;
 *   3. on a timeout, libxl's "forced" round: remove the frontend directory,
 *      write online=0 and Closing again, wait once more;
 *   4. in any case, remove the frontend and backend directories and every
 *      ancestor they leave empty (libxl__xs_path_cleanup).
 * The exit status is 1 if the backend never reached Closed, even though
 * the nodes are gone, as libxl reports an error then.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/io/xenbus.h>

#include "vifctl.h"

enum { OPT_TIMEOUT = 256 };

static int
detach_opt(struct vifctl *c, void *arg, int val, const char *optarg)
{
	(void)c;
	if (val == OPT_TIMEOUT)
		return vifctl_parse_timeout(optarg, arg);
	return VIFCTL_USAGE;
}

/*
 * Step 1 (and 3, with force): returns 0, -ENOENT when the backend is
 * already gone, or -errno.
 */
static int
detach_request(struct vifctl *c, const char *be, const char *fe, bool force)
{
	char path[VIFSPEC_PATH_MAX + 16];
	xen_txn_t t;
	int r, tries, state;

	for (tries = 0; tries < VIFCTL_TXN_RETRIES; tries++) {
		r = c->ops->xs_txn_start(c->xs, &t);
		if (r < 0)
			return r;
		if (force && (r = vifctl_rm_cleanup(c, t, fe)) < 0)
			goto abort;
		snprintf(path, sizeof(path), "%s/state", be);
		r = vifctl_read_state(c, t, path, &state);
		if (r == -ENOENT)
			goto abort;
		if (r == -EINVAL)
			state = -1;	/* garbage: Closing overwrites it */
		else if (r < 0)
			goto abort;
		snprintf(path, sizeof(path), "%s/online", be);
		if ((r = c->ops->xs_write(c->xs, t, path, "0", 1)) < 0)
			goto abort;
		if (state != XenbusStateClosed) {
			snprintf(path, sizeof(path), "%s/state", be);
			if ((r = c->ops->xs_write(c->xs, t, path, "5", 1)) < 0)
				goto abort;
		}
		r = c->ops->xs_txn_end(c->xs, t, false);
		if (r != -EAGAIN)
			return r;
	}
	return -EAGAIN;
abort:
	c->ops->xs_txn_end(c->xs, t, true);
	return r;
}

/* Step 4. */
static int
detach_destroy(struct vifctl *c, const char *be, const char *fe)
{
	xen_txn_t t;
	int r, tries;

	for (tries = 0; tries < VIFCTL_TXN_RETRIES; tries++) {
		r = c->ops->xs_txn_start(c->xs, &t);
		if (r < 0)
			return r;
		if ((r = vifctl_rm_cleanup(c, t, fe)) < 0 ||
		    (r = vifctl_rm_cleanup(c, t, be)) < 0) {
			c->ops->xs_txn_end(c->xs, t, true);
			return r;
		}
		r = c->ops->xs_txn_end(c->xs, t, false);
		if (r != -EAGAIN)
			return r;
	}
	return -EAGAIN;
}

static int
detach_run(struct vifctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ NULL, 0, NULL, 0 },
	};
	struct vifspec_ids ids = { 0 };
	unsigned int timeout_ms = VIFCTL_TIMEOUT_MS_DEFAULT;
	char be[VIFSPEC_PATH_MAX], fe[VIFSPEC_PATH_MAX];
	char state_path[VIFSPEC_PATH_MAX + 8];
	int r, last = -1, round;
	bool closed = false;

	r = vifctl_vif_start(c, &vifctl_cmd_detach, argc, argv, opts,
	    detach_opt, &timeout_ms, &ids, be, sizeof(be));
	if (r != 0)
		return r == VIFCTL_DONE ? VIFCTL_OK : r;
	vifspec_frontend_dir(&ids, fe, sizeof(fe));
	snprintf(state_path, sizeof(state_path), "%s/state", be);
	if (vifctl_exists(c, XEN_TXN_NULL, be) != 1 &&
	    vifctl_exists(c, XEN_TXN_NULL, fe) != 1) {
		vifctl_err("detach: no vif %u/%u (neither %s nor %s exists)",
		    ids.domid, ids.devid, be, fe);
		return VIFCTL_FAIL;
	}

	for (round = 0; round < 2 && !closed; round++) {
		r = detach_request(c, be, fe, round == 1);
		if (r == -ENOENT) {
			/* No backend state: the backend is gone already. */
			closed = true;
			break;
		}
		if (r < 0) {
			vifctl_err("detach: vif %u/%u: cannot ask the backend "
			    "to close: %s", ids.domid, ids.devid, strerror(-r));
			return VIFCTL_FAIL;
		}
		r = vifctl_wait_state(c, state_path, XenbusStateClosed,
		    XenbusStateClosed, 256, true, timeout_ms, &last);
		if (r == 0)
			closed = true;
		else if (r != -ETIMEDOUT) {
			vifctl_err("detach: vif %u/%u: waiting for Closed: %s",
			    ids.domid, ids.devid, strerror(-r));
			return VIFCTL_FAIL;
		}
	}

	r = detach_destroy(c, be, fe);
	if (r < 0) {
		vifctl_err("detach: vif %u/%u: removing %s and %s: %s",
		    ids.domid, ids.devid, be, fe, strerror(-r));
		return VIFCTL_FAIL;
	}
	if (!closed) {
		vifctl_err("detach: vif %u/%u: the backend (domain %u) did not "
		    "reach Closed within %u.%03u s, twice (state %d, %s); its "
		    "nodes were removed anyway, as libxl does", ids.domid,
		    ids.devid, ids.backend_domid, timeout_ms / 1000u,
		    timeout_ms % 1000u, last, xenbus_state_str(last, "?"));
		return VIFCTL_FAIL;
	}
	return VIFCTL_OK;
}

const struct vifctl_cmd vifctl_cmd_detach = {
	.name = "detach",
	.synopsis = "[--timeout=SECONDS] DOMID DEVID",
	.summary = "close a vif as xl network-detach does, then remove its "
	    "nodes",
	.options =
	    "  --timeout=SECONDS  how long to wait for the backend's Closed "
	    "(default 10,\n"
	    "                     as libxl; on a timeout libxl's forced round "
	    "waits as long\n"
	    "                     again)\n",
	.run = detach_run,
};
