/*
 * backend.c - the XenbusState machine of a vif backend, as Linux netback
 * and libxl expect it.
 *
 * Owns, per backend directory: reading and checking the toolstack's keys,
 * the TAP device's lifetime, feature advertisement, the walk between
 * XenbusStates (Linux's set_backend_state shortest-path table), the
 * deferral of Connected until the hotplug script says "connected", the
 * frontend watch with its XSA-349 cap, hotplug script runs, and
 * connecting and disconnecting the data plane. Runs on the control
 * thread only; workers report back through backend_upcall().
 *
 * States (ours), as in Linux xen-netback:
 *
 *   Initialising -> InitWait -> Connected -> Closing -> Closed
 *                      ^                                  |
 *                      +------------ (frontend reinit) ---+
 *
 * Frontend Initialising asks for InitWait, Initialised or Connected for
 * Connected, Closing for Closing, Closed for Closed (and removal when
 * `online` is 0), Unknown (its directory gone) for Closed.
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "frontend.h"
#include "hotplug.h"
#include "log.h"
#include "ratelimit.h"
#include "strparse.h"
#include "tap.h"
#include "vif.h"
#include "xenbus_state.h"
#include "xsutil.h"

#define BE_FE_TOKEN_PREFIX "vifd:fe:"

struct backend *
backend_find(struct vifd *vd, uint32_t domid, uint32_t devid)
{
	struct backend *be;

	for (be = TAILQ_FIRST(&vd->backends); be != NULL; be = TAILQ_NEXT(be, link))
		if (be->domid == domid && be->devid == devid)
			return be;
	return NULL;
}

/* ---- xenstore writes ------------------------------------------------- */

static int
backend_write_state(struct backend *be, enum xenbus_state s)
{
	struct vifd *vd = be->vd;
	int r;

	r = xsu_printf_key(vd->env, vd->xs, XEN_TXN_NULL, be->path, "state",
	    "%d", (int)s);
	if (r < 0) {
		errno = -r;
		log_warn("%s: cannot write state %s", be->name,
		    xenbus_state_str((int)s, "invalid"));
		return r;
	}
	be->written = s;
	log_info("%s: state %s", be->name,
	    xenbus_state_str((int)s, "invalid"));
	return 0;
}

/*
 * Records the state and writes it, except Connected while a hotplug
 * script has not yet said "connected": libxl writes an empty
 * hotplug-status "to force backend to wait for hotplug script execution
 * before switching to connected state", and Linux defers the write the
 * same way (backend_switch_state / hotplug_status_changed).
 */
static void
backend_switch_state(struct backend *be, enum xenbus_state s)
{
	be->state = s;
	if (s == XenbusStateConnected && be->hotplug_node && !be->hotplug_ok) {
		log_info("%s: Connected deferred until hotplug-status is "
		    "connected", be->name);
		return;
	}
	if (be->written != s)
		(void)backend_write_state(be, s);
}

/*
 * Reports a problem with this vif the way Linux's xenbus_dev_fatal does:
 * the message under error/backend/vif/<domid>/<devid>/error of our
 * domain, and the device to Closing. Other vifs are not affected.
 */
static void backend_set_state(struct backend *be, enum xenbus_state target);

static void
backend_fail(struct backend *be, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
backend_fail(struct backend *be, const char *fmt, ...)
{
	struct vifd *vd = be->vd;
	char msg[256], dir[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("%s: %s", be->name, msg);
	snprintf(dir, sizeof(dir), "/local/domain/%u/error/backend/vif/%u/%u",
	    vd->domid, be->domid, be->devid);
	(void)xsu_write_key(vd->env, vd->xs, XEN_TXN_NULL, dir, "error", msg);
	be->failed = true;
	if (be->state != XenbusStateClosed)
		backend_set_state(be, XenbusStateClosing);
}

static void
backend_clear_error(struct backend *be)
{
	struct vifd *vd = be->vd;
	char dir[160];

	snprintf(dir, sizeof(dir), "/local/domain/%u/error/backend/vif/%u/%u",
	    vd->domid, be->domid, be->devid);
	(void)vd->env->ops->xs_rm(vd->xs, XEN_TXN_NULL, dir);
}

/*
 * Advertises what we support. The mandatory features go in one
 * transaction, retried on EAGAIN; the optional ones after it (Linux
 * netback_probe does the same split).
 */
static int
backend_advertise(struct backend *be)
{
	static const struct { const char *key, *val; } features[] = {
		{ "feature-sg", "1" },
		{ "feature-gso-tcpv4", "1" },
		{ "feature-gso-tcpv6", "1" },
		{ "feature-ipv6-csum-offload", "1" },
		{ "feature-rx-copy", "1" },
		{ "feature-rx-flip", "0" },
	};
	struct vifd *vd = be->vd;
	const char *what = "starting a transaction";
	xen_txn_t t;
	unsigned int i;
	int r, tries;

	for (tries = 0; tries < 16; tries++) {
		r = vd->env->ops->xs_txn_start(vd->xs, &t);
		if (r < 0)
			goto fail;
		for (i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
			r = xsu_write_key(vd->env, vd->xs, t, be->path,
			    features[i].key, features[i].val);
			if (r < 0) {
				what = features[i].key;
				(void)vd->env->ops->xs_txn_end(vd->xs, t, true);
				goto fail;
			}
		}
		r = vd->env->ops->xs_txn_end(vd->xs, t, false);
		if (r == 0)
			break;
		if (r != -EAGAIN) {
			what = "committing the transaction";
			goto fail;
		}
	}
	if (r < 0)
		goto fail;
	/* Optional features: a failure is only worth a debug line. */
	if (xsu_printf_key(vd->env, vd->xs, XEN_TXN_NULL, be->path,
	    "feature-split-event-channels", "%d",
	    vd->cfg.split_evtchn ? 1 : 0) < 0 ||
	    xsu_printf_key(vd->env, vd->xs, XEN_TXN_NULL, be->path,
	    "multi-queue-max-queues", "%u", vd->cfg.max_queues) < 0)
		log_debug("%s: cannot write an optional feature", be->name);
	return 0;
fail:
	errno = -r;
	log_warn("%s: advertising features (%s)", be->name, what);
	return r;
}

/* ---- hotplug ----------------------------------------------------------- */

static void backend_destroy_device_done(struct backend *be);
static void backend_free(struct backend *be);
static void backend_refresh_ifname(struct backend *be);

static void
backend_hotplug_done(void *arg, const struct hotplug_result *res)
{
	struct backend *be = arg;
	struct vifd *vd = be->vd;

	be->hp_run = NULL;
	if (be->life == BE_OFFLINE) {
		if (!hotplug_result_ok(res))
			log_warnx("%s: hotplug offline failed (%s); removing "
			    "the device anyway", be->name, res->reason);
		backend_destroy_device_done(be);
		if (be->dir_gone)
			backend_free(be);	/* it went while the script ran */
		else if (be->dirty & BE_DIRTY_RECHECK)
			backend_process_all(vd);
		return;
	}
	if (hotplug_result_ok(res)) {
		be->hp = HP_DONE;
		backend_refresh_ifname(be);
		if (be->vif != NULL)
			vif_clamp_mtu(be->vif);
		return;
	}
	be->hp = HP_FAILED;
	{
		char *herr = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL,
		    be->path, "hotplug-error");

		backend_fail(be, "hotplug script online failed: %s%s%s",
		    res->reason, herr ? ": " : "", herr ? herr : "");
		free(herr);
	}
}

static int
backend_hotplug_start(struct backend *be, enum hotplug_action action)
{
	struct vifd *vd = be->vd;
	struct hotplug_req req;
	const char *script, *gw;
	char abs[XSU_PATH_MAX];

	/* The keys as read when the device appeared: at `offline` time the
	 * toolstack may already have removed the directory. */
	script = be->script;
	gw = be->gatewaydev;
	memset(&req, 0, sizeof(req));
	req.action = action;
	req.script = script[0] != '\0' ? script : VIFD_DEFAULT_SCRIPT;
	req.script_dir = vd->cfg.script_dir;
	req.domid = be->domid;
	req.devid = be->devid;
	/* libxl passes XENBUS_PATH relative ("backend/vif/D/N"), which
	 * xenstore resolves under the caller's own domain. Where xenstored
	 * sees every client as dom0 (the simulated machine), a backend
	 * domain other than 0 needs the absolute path. */
	if (vd->domid != 0 && vd->env->xs_home_is_dom0) {
		snprintf(abs, sizeof(abs), "%s", be->path);
		req.backend_path = abs;
	}
	req.vif = be->ifname;
	req.netdev = gw[0] != '\0' ? gw : NULL;
	req.xenstored_path = vd->xenstored_path[0] ? vd->xenstored_path :
	    NULL;
	req.timeout_ms = vd->cfg.hotplug_timeout_s * 1000u;
	return hotplug_run(&vd->loop, &req, backend_hotplug_done, be,
	    &be->hp_run);
}

/* A hotplug script may have renamed the TAP (vifname): follow it. */
static void
backend_refresh_ifname(struct backend *be)
{
	char name[IFNAMSIZ];

	if (be->ifindex == 0 || tap_name_of(be->ifindex, name) < 0 ||
	    strcmp(name, be->ifname) == 0)
		return;
	log_info("%s: %s is now %s", be->name, be->ifname, name);
	snprintf(be->ifname, sizeof(be->ifname), "%s", name);
}

/* ---- the data plane ---------------------------------------------------- */

static char *
backend_fe_get(void *arg, const char *key)
{
	struct backend *be = arg;

	return xsu_read_key(be->vd->env, be->vd->xs, XEN_TXN_NULL,
	    be->fe_path, key);
}

/* InitWait -> Connected: read the frontend's keys and start the queues. */
static int
backend_connect(struct backend *be)
{
	struct vifd *vd = be->vd;
	struct frontend_info fi;
	struct vif_params p;
	char err[256];
	int r;

	if (be->failed)
		return -EPERM;
	backend_refresh_ifname(be);
	r = frontend_read(&fi, vd->cfg.max_queues, backend_fe_get, be, err,
	    sizeof(err));
	if (r < 0) {
		backend_fail(be, "frontend %s: %s", be->fe_path, err);
		return r;
	}
	memset(&p, 0, sizeof(p));
	p.name = be->name;
	p.ifname = be->ifname;
	p.fe_domid = be->domid;
	p.mtu = be->mtu;
	p.fi = &fi;
	p.out = be->rate_out;
	p.in = be->rate_in;
	p.upcall_fd = vd->upcall_fd;
	r = vif_connect(vd->env, &p, &be->vif, err, sizeof(err));
	if (r < 0) {
		backend_fail(be, "connecting: %s", err);
		return r;
	}
	log_info("%s: connected, %u queue%s%s", be->name, fi.num_queues,
	    fi.num_queues == 1 ? "" : "s",
	    fi.q[0].split ? ", split event channels" : "");
	return 0;
}

/* The vif's counters over all its connections: past ones plus now. */
void
backend_stats_total(const struct backend *be, struct queue_stats *out)
{
	struct queue_stats q;
	unsigned int i;

	*out = be->past;
	for (i = 0; be->vif != NULL && i < vif_nqueues(be->vif); i++) {
		vif_queue_stats(be->vif, i, &q);
#define BE_STATS_ADD(n) out->n += q.n;
		QUEUE_STATS(BE_STATS_ADD)
#undef BE_STATS_ADD
	}
}

static void
backend_disconnect(struct backend *be)
{
	if (be->vif == NULL)
		return;
	/* The workers are still running: what they count after this read
	 * is lost with them, which is at most one wakeup's worth. */
	backend_stats_total(be, &be->past);
	vif_disconnect(be->vif);
	be->vif = NULL;
	log_info("%s: disconnected", be->name);
}

/*
 * Walks to `target` along the shortest path, as Linux's
 * set_backend_state: connecting on InitWait -> Connected, disconnecting
 * on the way out of Connected.
 */
static void
backend_set_state(struct backend *be, enum xenbus_state target)
{
	int guard;

	for (guard = 0; be->state != target && guard < 8; guard++) {
		switch (be->state) {
		case XenbusStateUnknown:
		case XenbusStateInitialising:
			backend_switch_state(be, target == XenbusStateClosed ?
			    XenbusStateClosed : XenbusStateInitWait);
			break;
		case XenbusStateClosed:
			if (target == XenbusStateClosing)
				backend_switch_state(be, XenbusStateClosing);
			else {
				if (be->failed)
					return;	/* stays Closed */
				backend_switch_state(be, XenbusStateInitWait);
			}
			break;
		case XenbusStateInitWait:
			if (target == XenbusStateConnected) {
				if (backend_connect(be) < 0)
					return;	/* backend_fail moved us */
				backend_switch_state(be, XenbusStateConnected);
			} else
				backend_switch_state(be, XenbusStateClosing);
			break;
		case XenbusStateConnected:
			backend_disconnect(be);
			backend_switch_state(be, XenbusStateClosing);
			break;
		case XenbusStateClosing:
			backend_disconnect(be);
			backend_switch_state(be, XenbusStateClosed);
			break;
		default:
			/* Reconfiguring/Reconfigured are frontend states we
			 * answer but never sit in. */
			backend_switch_state(be, XenbusStateClosed);
			break;
		}
	}
}

/* ---- device lifetime ---------------------------------------------------- */

static void
backend_fe_watch(struct backend *be, bool on)
{
	struct vifd *vd = be->vd;
	char path[XSU_PATH_MAX];

	if (be->fe_watched == on)
		return;
	snprintf(path, sizeof(path), "%s/state", be->fe_path);
	if (on) {
		if (vd->env->ops->xs_watch(vd->xs, path, be->fe_token) == 0)
			be->fe_watched = true;
		else
			log_warn("%s: cannot watch %s", be->name, path);
	} else {
		(void)vd->env->ops->xs_unwatch(vd->xs, path, be->fe_token);
		be->fe_watched = false;
	}
}

/* The TAP is gone (or never was): nothing left but the struct. */
static void
backend_destroy_device_done(struct backend *be)
{
	struct backend *other;
	int r = 0;

	/* A new directory for the same device may have re-attached to the
	 * TAP while our offline script ran: then it is theirs now. */
	for (other = TAILQ_FIRST(&be->vd->backends); other != NULL; other = TAILQ_NEXT(other, link))
		if (other != be && other->life == BE_LIVE &&
		    strcmp(other->ifname, be->ifname) == 0)
			break;
	backend_refresh_ifname(be);
	if (other == NULL)
		r = tap_destroy(be->ifname);
	if (r < 0) {
		errno = -r;
		log_warn("%s: removing %s", be->name, be->ifname);
	} else
		log_info("%s: %s removed", be->name, be->ifname);
	backend_clear_error(be);
	be->life = BE_GONE;
}

static void
backend_free(struct backend *be)
{
	TAILQ_REMOVE(&be->vd->backends, be, link);
	be->vd->nbackends--;
	free(be);
}

/*
 * Removes the device: disconnect, `offline` script (if we run them), then
 * the TAP. The struct stays until the directory goes (the toolstack
 * removes it), so that late events find it.
 */
static void
backend_destroy_device(struct backend *be)
{
	if (be->life != BE_LIVE)
		return;
	backend_disconnect(be);
	backend_fe_watch(be, false);
	if (be->hp_run != NULL) {
		hotplug_cancel(be->hp_run);
		be->hp_run = NULL;
	}
	be->life = BE_OFFLINE;
	if (be->run_scripts && be->hp != HP_IDLE &&
	    backend_hotplug_start(be, HOTPLUG_OFFLINE) == 0)
		return;		/* backend_hotplug_done finishes */
	backend_destroy_device_done(be);
}

/* Reads a "bytes,usec" rate key; absent or malformed means unlimited. */
static void
backend_read_rate(struct backend *be, const char *key, struct ratelimit_rate *out)
{
	struct vifd *vd = be->vd;
	char *v, err[128];
	uint64_t bytes, usec;

	memset(out, 0, sizeof(*out));
	v = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL, be->path, key);
	if (v == NULL)
		return;
	if (ratelimit_parse(v, &bytes, &usec, err, sizeof(err)) < 0)
		/* Linux: "Failed to parse network rate limit. Traffic
		 * unlimited." */
		log_warnx("%s: %s '%s': %s; traffic unlimited", be->name, key,
		    v, err);
	else {
		out->bytes = bytes;
		out->usec = usec;
	}
	free(v);
}

static void
backend_read_hotplug_status(struct backend *be)
{
	struct vifd *vd = be->vd;
	char *v;

	v = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL, be->path,
	    "hotplug-status");
	be->hotplug_node = v != NULL;
	be->hotplug_ok = v != NULL && strcmp(v, "connected") == 0;
	if (v != NULL && strcmp(v, "error") == 0 && be->hp != HP_FAILED &&
	    !be->failed && be->life == BE_LIVE) {
		char *herr = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL,
		    be->path, "hotplug-error");

		backend_fail(be, "hotplug script reported an error%s%s",
		    herr ? ": " : "", herr ? herr : "");
		free(herr);
	}
	free(v);
}

/* Reads the toolstack's keys. Returns 0, or -EINVAL if the directory is
 * unusable (the reason is logged). */
static int
backend_read_keys(struct backend *be)
{
	struct vifd *vd = be->vd;
	uint64_t v;
	char *s;
	int r;

	r = xsu_read_uint(vd->env, vd->xs, XEN_TXN_NULL, be->path,
	    "frontend-id", 0x7fef, &v);
	if (r < 0 || v != be->domid) {
		log_warnx("%s: frontend-id is missing or not %u", be->name,
		    be->domid);
		return -EINVAL;
	}
	s = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL, be->path, "frontend");
	if (s == NULL || s[0] != '/' || strlen(s) >= sizeof(be->fe_path)) {
		log_warnx("%s: frontend path is missing or invalid", be->name);
		free(s);
		return -EINVAL;
	}
	snprintf(be->fe_path, sizeof(be->fe_path), "%s", s);
	free(s);

	be->online = xsu_read_uint(vd->env, vd->xs, XEN_TXN_NULL, be->path,
	    "online", 1, &v) == 0 && v == 1;

	/* Like Linux netback we create vif<domid>.<devid>; the hotplug
	 * script renames it to `vifname` (Xen's vif-common.sh refuses a
	 * name that already exists). A TAP already carrying the vifname is
	 * ours from before a restart. */
	s = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL, be->path, "vifname");
	if (s != NULL && *s != '\0') {
		if (tap_name_valid(s) == 0) {
			snprintf(be->vifname, sizeof(be->vifname), "%s", s);
			if (tap_exists(s))
				snprintf(be->ifname, sizeof(be->ifname), "%s",
				    s);
		} else
			log_warnx("%s: vifname '%s' is not a valid interface "
			    "name; ignoring it", be->name, s);
	}
	free(s);

	be->mtu = 0;
	r = xsu_read_uint(vd->env, vd->xs, XEN_TXN_NULL, be->path, "mtu",
	    65535, &v);
	if (r == 0 && v >= 68)
		be->mtu = (unsigned int)v;
	else if (r != -ENOENT)
		log_warnx("%s: ignoring invalid mtu", be->name);

	/* The guest's MAC is the guest's; we only check it (Linux parses
	 * it strictly, we warn and carry on: nothing here depends on it). */
	s = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL, be->path, "mac");
	if (s != NULL) {
		uint8_t mac[6];

		if (strparse_mac(s, 0, mac) < 0)
			log_warnx("%s: ignoring malformed mac '%s'", be->name,
			    s);
		free(s);
	}
	backend_read_rate(be, "rate", &be->rate_out);
	backend_read_rate(be, VIF_INBOUND_RATE_KEY, &be->rate_in);
	backend_read_hotplug_status(be);
	s = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL, be->path, "script");
	if (s != NULL && *s != '\0')
		snprintf(be->script, sizeof(be->script), "%s", s);
	free(s);
	s = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL, be->path,
	    "gatewaydev");
	if (s != NULL)
		snprintf(be->gatewaydev, sizeof(be->gatewaydev), "%s", s);
	free(s);
	return 0;
}

/* Is `xl devd` running here (its pidfile names a live process)? */
static bool
backend_xl_devd_running(void)
{
	static const char *const pidfiles[] = {
		"/var/run/xldevd.pid", "/run/xldevd.pid",
	};
	unsigned int i;

	for (i = 0; i < sizeof(pidfiles) / sizeof(pidfiles[0]); i++) {
		FILE *f = fopen(pidfiles[i], "r");
		long pid = 0;
		int n;

		if (f == NULL)
			continue;
		n = fscanf(f, "%ld", &pid);
		fclose(f);
		if (n == 1 && pid > 0 && kill((pid_t)pid, 0) == 0)
			return true;
	}
	return false;
}

/*
 * Who runs this device's hotplug scripts? With --hotplug=auto: where a
 * toolstack may run them (real Xen: the environment says so), libxl runs
 * them for backends in its own domain (dom0) and xl devd in a driver
 * domain; both mark that with libxl/disable_udev = 1 under the domain
 * (libxl's DISABLE_UDEV_PATH). Running a script twice would race with
 * the toolstack's own run, so then we only wait for hotplug-status. With
 * nobody else (the simulated Xen, a driver domain without xl devd) we run
 * them, as xl devd would.
 */
static bool
backend_runs_scripts(struct backend *be)
{
	struct vifd *vd = be->vd;
	char dir[64], *v;
	bool toolstack;

	switch (vd->cfg.hotplug) {
	case VIFD_HOTPLUG_VIFD:
		return true;
	case VIFD_HOTPLUG_TOOLSTACK:
		return false;
	case VIFD_HOTPLUG_AUTO:
	default:
		break;
	}
	if (!vd->env->toolstack_hotplug)
		return true;
	snprintf(dir, sizeof(dir), "/local/domain/%u/libxl", vd->domid);
	v = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL, dir, "disable_udev");
	toolstack = (v != NULL && strcmp(v, "1") == 0) ||
	    backend_xl_devd_running();
	free(v);
	log_info("%s: hotplug scripts are run by %s", be->name,
	    toolstack ? "the toolstack (libxl or xl devd)" : "vifd");
	return !toolstack;
}

struct backend *
backend_add(struct vifd *vd, uint32_t domid, uint32_t devid)
{
	struct backend *be;
	bool created;
	uint64_t st;
	int r;

	be = calloc(1, sizeof(*be));
	if (be == NULL) {
		log_warn("vif%u.%u: out of memory", domid, devid);
		return NULL;
	}
	be->vd = vd;
	be->domid = domid;
	be->devid = devid;
	snprintf(be->name, sizeof(be->name), "vif%u.%u", domid, devid);
	snprintf(be->ifname, sizeof(be->ifname), "vif%u.%u", domid, devid);
	snprintf(be->path, sizeof(be->path), "%s/%u/%u", vd->root, domid,
	    devid);
	snprintf(be->fe_token, sizeof(be->fe_token), BE_FE_TOKEN_PREFIX
	    "%u:%u", domid, devid);
	be->fe_state = XenbusStateUnknown;
	TAILQ_INSERT_TAIL(&vd->backends, be, link);
	vd->nbackends++;

	r = xsu_read_uint(vd->env, vd->xs, XEN_TXN_NULL, be->path, "state", 8,
	    &st);
	be->state = r == 0 ? (enum xenbus_state)st : XenbusStateInitialising;
	be->written = be->state;
	if (backend_read_keys(be) < 0) {
		/* Not usable: nothing created. It may become usable when the
		 * toolstack finishes writing it. */
		be->life = BE_GONE;
		return be;
	}
	if (be->state == XenbusStateClosed && !be->online) {
		/* A device on its way out (vifd restarted mid-removal). */
		be->life = BE_GONE;
		return be;
	}

	/* The TAP must exist before InitWait: the toolstack runs the
	 * hotplug script as soon as it sees InitWait (Qubes #4446). */
	r = tap_create(be->ifname, be->mtu, &created);
	if (r < 0) {
		be->life = BE_GONE;
		errno = -r;
		backend_fail(be, "cannot create %s: %s", be->ifname,
		    r == -EEXIST ? "an interface of that name exists and "
		    "is not a vifd TAP" : strerror(-r));
		return be;
	}
	be->ifindex = if_nametoindex(be->ifname);
	be->life = BE_LIVE;
	log_info("%s: %s %s (state %s)", be->name, created ? "created" :
	    "re-attached", be->ifname,
	    xenbus_state_str((int)be->state, "invalid"));

	switch (be->state) {
	case XenbusStateUnknown:
	case XenbusStateInitialising:
	case XenbusStateInitWait:
		if (backend_advertise(be) < 0) {
			backend_fail(be, "cannot advertise features");
			return be;
		}
		be->state = XenbusStateInitialising;
		backend_set_state(be, XenbusStateInitWait);
		break;
	default:
		/* Connected, Closing, Closed: a restart. The frontend's
		 * state (read when its watch fires) decides what follows;
		 * a Connected frontend gets its queues back. */
		break;
	}
	/* Scripts run once per device: not again after a restart if the
	 * first run already said connected. */
	be->run_scripts = backend_runs_scripts(be);
	if (be->run_scripts && !be->hotplug_ok && be->state ==
	    XenbusStateInitWait) {
		if (backend_hotplug_start(be, HOTPLUG_ONLINE) == 0)
			be->hp = HP_ONLINE;
		else
			backend_fail(be, "cannot run the hotplug script");
	} else if (be->run_scripts && be->hotplug_ok)
		be->hp = HP_DONE;
	backend_fe_watch(be, true);
	return be;
}

void
backend_remove(struct backend *be)
{
	log_info("%s: backend directory removed", be->name);
	be->dir_gone = true;
	backend_destroy_device(be);
	if (be->life == BE_OFFLINE)
		return;	/* freed when the offline script is done */
	backend_free(be);
}

/* ---- events -------------------------------------------------------------- */

void
backend_key_changed(struct backend *be, const char *key)
{
	if (be->life != BE_LIVE && (key[0] == '\0' ||
	    strcmp(key, "state") == 0 || strcmp(key, "online") == 0))
		be->dirty |= BE_DIRTY_RECHECK;
	if (strcmp(key, "state") == 0)
		be->dirty |= BE_DIRTY_STATE;
	else if (strcmp(key, "online") == 0)
		be->dirty |= BE_DIRTY_ONLINE;
	else if (strcmp(key, "hotplug-status") == 0)
		be->dirty |= BE_DIRTY_HOTPLUG;
	else if (strcmp(key, "rate") == 0 ||
	    strcmp(key, VIF_INBOUND_RATE_KEY) == 0)
		be->dirty |= BE_DIRTY_RATE;
}

bool
backend_watch_event(struct vifd *vd, const char *path, const char *token)
{
	struct backend *be;
	unsigned int domid, devid;
	int n = 0;

	(void)path;
	if (strncmp(token, BE_FE_TOKEN_PREFIX,
	    sizeof(BE_FE_TOKEN_PREFIX) - 1) != 0)
		return false;
	if (sscanf(token + sizeof(BE_FE_TOKEN_PREFIX) - 1, "%u:%u%n", &domid,
	    &devid, &n) != 2 || token[sizeof(BE_FE_TOKEN_PREFIX) - 1 + n])
		return true;
	be = backend_find(vd, domid, devid);
	if (be == NULL || !be->fe_watched)
		return true;	/* a stale event for a watch we dropped */
	be->fe_events++;
	if (be->fe_events > VIFD_FE_EVENTS_PER_SEC && !be->fe_suspended) {
		/* XSA-349: a frontend rewriting its state in a loop costs us
		 * one event each. Stop listening for a second; the watch
		 * fires once on re-registration, so nothing is lost. */
		static struct log_ratelimit rl = LOG_RATELIMIT_INIT(1000, 5);

		if (log_ratelimit_ok(&rl))
			log_warnx("%s: frontend state changes too fast; "
			    "ignoring it for a second", be->name);
		backend_fe_watch(be, false);
		be->fe_suspended = true;
	}
	be->dirty |= BE_DIRTY_FE_STATE;
	return true;
}

static enum xenbus_state
backend_read_fe_state(struct backend *be)
{
	struct vifd *vd = be->vd;
	uint64_t v;
	int r;

	r = xsu_read_uint(vd->env, vd->xs, XEN_TXN_NULL, be->fe_path, "state",
	    255, &v);
	if (r == -ENOENT)
		return XenbusStateUnknown;	/* the frontend dir is gone */
	if (r < 0)
		return (enum xenbus_state)255;	/* garbage: handled below */
	return (enum xenbus_state)v;
}

/*
 * We removed this device (online 0, frontend closed) and its directory
 * is still there: the toolstack may have removed it and made a new one
 * for the same device between two scans. A fresh directory says
 * Initialising with online 1; then the old struct goes and a new backend
 * starts from scratch.
 */
static void
backend_recheck(struct backend *be)
{
	struct vifd *vd = be->vd;
	uint32_t domid = be->domid, devid = be->devid;
	uint64_t st, on;

	if (xsu_read_uint(vd->env, vd->xs, XEN_TXN_NULL, be->path, "state", 8,
	    &st) < 0 || st != XenbusStateInitialising ||
	    xsu_read_uint(vd->env, vd->xs, XEN_TXN_NULL, be->path, "online", 1,
	    &on) < 0 || on != 1)
		return;
	log_info("%s: the backend directory was made anew", be->name);
	backend_free(be);
	(void)backend_add(vd, domid, devid);
}

/* Linux's frontend_changed(). */
static void
backend_frontend_changed(struct backend *be)
{
	enum xenbus_state fs = backend_read_fe_state(be);

	if (fs == be->fe_state && !(fs == XenbusStateConnected &&
	    be->state == XenbusStateConnected && be->vif == NULL &&
	    !be->failed))
		return;
	log_debug("%s: frontend %s -> %s", be->name,
	    xenbus_state_str((int)be->fe_state, "invalid"),
	    xenbus_state_str((int)fs, "invalid"));
	be->fe_state = fs;
	switch (fs) {
	case XenbusStateInitialising:
		/* A guest reboot or driver reload: ready again. A failed
		 * vif gets a fresh start too, as Linux's would. */
		/* A frontend problem gets a fresh start; a failed hotplug
		 * script does not: the host side was never set up. The
		 * error node stays, as history, until the device goes. */
		if (be->failed && be->state == XenbusStateClosed &&
		    be->hp != HP_FAILED)
			be->failed = false;
		backend_set_state(be, XenbusStateInitWait);
		break;
	case XenbusStateInitWait:
		break;
	case XenbusStateInitialised:
		/* Linux netfront goes straight to Connected; FreeBSD and
		 * MirageOS backends accept Initialised too, and so do we. */
	case XenbusStateConnected:
		if (be->state == XenbusStateConnected && be->vif == NULL &&
		    !be->failed) {
			/* vifd restarted under a connected frontend: its
			 * rings are where it left them; attach again. */
			be->state = XenbusStateInitWait;
		}
		backend_set_state(be, XenbusStateConnected);
		break;
	case XenbusStateReconfiguring:
		/* Only for xdp-headroom, which we do not offer: answer so
		 * that the frontend carries on. */
		(void)backend_write_state(be, XenbusStateReconfigured);
		(void)backend_write_state(be, be->state);
		break;
	case XenbusStateClosing:
		backend_set_state(be, XenbusStateClosing);
		break;
	case XenbusStateClosed:
		backend_set_state(be, XenbusStateClosed);
		if (!be->online)
			backend_destroy_device(be);
		break;
	case XenbusStateUnknown:
		/* The frontend directory went away (guest destroyed, or the
		 * toolstack removing the device): close without waiting. */
		backend_set_state(be, XenbusStateClosed);
		if (!be->online)
			backend_destroy_device(be);
		break;
	default:
		backend_fail(be, "saw state %d at frontend", (int)fs);
		break;
	}
}

/*
 * After @releaseDomain: is our guest gone? xenstored no longer knows it
 * and its nodes are gone (xenstored removes a dead domain's own nodes and
 * the toolstack its domain directory). Both, because a driver domain may
 * not be allowed to ask xenstored (the answer is then "no").
 */
static bool
backend_domain_dead(struct backend *be)
{
	struct vifd *vd = be->vd;
	char path[64];
	char *v;

	if (vd->env->ops->xs_is_introduced(vd->xs, be->domid) > 0)
		return false;
	snprintf(path, sizeof(path), "/local/domain/%u", be->domid);
	v = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL, path, "domid");
	if (v != NULL) {
		free(v);
		return backend_read_fe_state(be) == XenbusStateUnknown;
	}
	return true;
}

static void
backend_process(struct backend *be)
{
	struct vifd *vd = be->vd;
	unsigned int dirty = be->dirty;
	char reason[160];
	uint64_t v;

	be->dirty = 0;
	if (be->life == BE_GONE && (dirty & BE_DIRTY_RECHECK)) {
		backend_recheck(be);
		return;
	}
	if (be->life != BE_LIVE) {
		be->dirty = dirty & BE_DIRTY_RECHECK;	/* after offline */
		return;
	}
	if (dirty & BE_DIRTY_FATAL) {
		if (be->vif != NULL && vif_take_fatal(be->vif, reason,
		    sizeof(reason)))
			backend_fail(be, "%s", reason);
	}
	if (dirty & BE_DIRTY_RATE) {
		backend_read_rate(be, "rate", &be->rate_out);
		backend_read_rate(be, VIF_INBOUND_RATE_KEY, &be->rate_in);
		if (be->vif != NULL)
			vif_set_rate(be->vif, &be->rate_out, &be->rate_in);
		log_info("%s: rate out %s%llu,%llu in %s%llu,%llu", be->name,
		    be->rate_out.usec ? "" : "unlimited ",
		    (unsigned long long)be->rate_out.bytes,
		    (unsigned long long)be->rate_out.usec,
		    be->rate_in.usec ? "" : "unlimited ",
		    (unsigned long long)be->rate_in.bytes,
		    (unsigned long long)be->rate_in.usec);
	}
	if (dirty & BE_DIRTY_HOTPLUG) {
		backend_read_hotplug_status(be);
		if (be->life == BE_LIVE && be->hotplug_ok &&
		    be->state == XenbusStateConnected &&
		    be->written != XenbusStateConnected) {
			log_info("%s: hotplug-status connected", be->name);
			(void)backend_write_state(be, XenbusStateConnected);
		}
		/* The script may have set the MTU (bridge, `mtu` key). */
		if (be->hotplug_ok && be->vif != NULL)
			vif_clamp_mtu(be->vif);
	}
	if (dirty & BE_DIRTY_ONLINE)
		be->online = xsu_read_uint(vd->env, vd->xs, XEN_TXN_NULL,
		    be->path, "online", 1, &v) == 0 && v == 1;
	if (dirty & BE_DIRTY_STATE && be->life == BE_LIVE) {
		/* Someone else wrote our state: libxl (xl network-detach,
		 * domain destroy) writes Closing to ask for removal. */
		if (xsu_read_uint(vd->env, vd->xs, XEN_TXN_NULL, be->path,
		    "state", 8, &v) == 0 && (enum xenbus_state)v != be->written &&
		    v == XenbusStateClosing) {
			log_info("%s: the toolstack asks for Closing", be->name);
			be->written = XenbusStateClosing;
			if (be->state == XenbusStateClosed)
				/* Already there (the frontend went first): the
				 * toolstack waits for Closed; say it again. */
				(void)backend_write_state(be, XenbusStateClosed);
			else {
				backend_set_state(be, XenbusStateClosing);
				if (be->fe_state != XenbusStateConnected &&
				    be->fe_state != XenbusStateClosing)
					backend_set_state(be,
					    XenbusStateClosed);
			}
		}
	}
	if ((dirty & (BE_DIRTY_FE_STATE | BE_DIRTY_RELEASE)) &&
	    be->life == BE_LIVE) {
		if (dirty & BE_DIRTY_RELEASE && backend_domain_dead(be)) {
			log_info("%s: domain %u is gone", be->name, be->domid);
			be->fe_state = XenbusStateUnknown;
			backend_set_state(be, XenbusStateClosed);
			if (!be->online)
				backend_destroy_device(be);
		} else
			backend_frontend_changed(be);
	}
	/* A closed, offline device goes whenever the last piece arrives. */
	if (be->life == BE_LIVE && !be->online &&
	    be->state == XenbusStateClosed &&
	    (be->fe_state == XenbusStateClosed ||
	    be->fe_state == XenbusStateUnknown))
		backend_destroy_device(be);
}

void
backend_process_all(struct vifd *vd)
{
	struct backend *be, *next;

	if (vd->release_pending) {
		vd->release_pending = false;
		for (be = TAILQ_FIRST(&vd->backends); be != NULL; be = TAILQ_NEXT(be, link))
			be->dirty |= BE_DIRTY_RELEASE;
	}
	for (be = TAILQ_FIRST(&vd->backends); be != NULL; be = next) {
		next = TAILQ_NEXT(be, link);
		if (be->dirty != 0)
			backend_process(be);
	}
}

void
backend_tick(struct vifd *vd)
{
	struct backend *be;

	for (be = TAILQ_FIRST(&vd->backends); be != NULL; be = TAILQ_NEXT(be, link)) {
		be->fe_events = 0;
		if (be->fe_suspended && be->life == BE_LIVE) {
			be->fe_suspended = false;
			backend_fe_watch(be, true);
		}
	}
}

void
backend_upcall(struct vifd *vd)
{
	struct backend *be;

	for (be = TAILQ_FIRST(&vd->backends); be != NULL; be = TAILQ_NEXT(be, link))
		if (be->vif != NULL && vif_has_fatal(be->vif))
			be->dirty |= BE_DIRTY_FATAL;
	backend_process_all(vd);
}

void
backend_release_domain(struct vifd *vd)
{
	vd->release_pending = true;
}

void
backend_shutdown_all(struct vifd *vd)
{
	struct backend *be;

	while ((be = TAILQ_FIRST(&vd->backends)) != NULL) {
		if (be->hp_run != NULL)
			hotplug_cancel(be->hp_run);
		if (be->vif != NULL)
			vif_disconnect(be->vif);
		backend_fe_watch(be, false);
		TAILQ_REMOVE(&vd->backends, be, link);
		free(be);
	}
	vd->nbackends = 0;
}
