/*
 * backend_xs.c - the xenstore nodes of one vif backend.
 *
 * Owns what vifd reads from and writes to a backend directory and around
 * it: the toolstack's keys (checked, with their defaults), our state
 * node, the feature keys we advertise, the error node a failure leaves,
 * hotplug-status and the rate keys, the frontend's state node, and
 * whether a guest's domain is gone. Which state to write when is the
 * state machine's (xenbus_fsm.c); this file only reads and writes.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/backend_int.h"
#include "core/featmask.h"
#include "util/log.h"
#include "core/strparse.h"
#include "data/tap.h"
#include "core/xenbus_state.h"
#include "ctrl/xsutil.h"

/* ---- our own nodes -------------------------------------------------- */

int
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
	be->fsm.written = s;
	log_info("%s: state %s", be->name,
	    xenbus_state_str((int)s, "invalid"));
	return 0;
}

void
backend_report(struct backend *be, const char *fmt, ...)
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
}

/*
 * Removes DIR if it is empty, in a transaction, as another backend of the
 * same domain (ours or the kernel's) may be writing under it meanwhile; a
 * conflict leaves the empty directory for the next removal to take. Best
 * effort: nothing to report.
 */
static void
backend_prune_empty(struct vifd *vd, const char *dir)
{
	const struct xen_ops *o = vd->env->ops;
	unsigned int n;
	xen_txn_t t;
	char **ents;
	int tries;

	for (tries = 0; tries < 4; tries++) {
		if (o->xs_txn_start(vd->xs, &t) < 0)
			return;
		ents = o->xs_directory(vd->xs, t, dir, &n);
		if (ents == NULL || n != 0) {
			free(ents);
			(void)o->xs_txn_end(vd->xs, t, true);
			return;
		}
		free(ents);
		if (o->xs_rm(vd->xs, t, dir) < 0) {
			(void)o->xs_txn_end(vd->xs, t, true);
			return;
		}
		if (o->xs_txn_end(vd->xs, t, false) != -EAGAIN)
			return;
	}
}

/*
 * Removes the device's error directory, and its domain's (error/backend/
 * vif/<domid>) once nothing else is in it: left there, one directory per
 * guest that ever failed would add up for as long as vifd runs, and a
 * driver domain's xenstore quota counts every node (libxl prunes the
 * backend's <domid> directory for the same reason).
 */
void
backend_clear_error(struct backend *be)
{
	struct vifd *vd = be->vd;
	char dir[160];

	snprintf(dir, sizeof(dir), "/local/domain/%u/error/backend/vif/%u/%u",
	    vd->domid, be->domid, be->devid);
	(void)vd->env->ops->xs_rm(vd->xs, XEN_TXN_NULL, dir);
	*strrchr(dir, '/') = '\0';
	backend_prune_empty(vd, dir);
}

/*
 * Removes the backend directory, and its domain's (backend/vif/<domid>)
 * once empty: what xl devd does in a driver domain once a device it runs
 * the scripts of is closed and offline (libxl__device_destroy). dom0's
 * libxl waits for that (LIBXL_DESTROY_TIMEOUT, 10 s) and fails the
 * detach without it.
 */
void
backend_remove_dir(struct backend *be)
{
	struct vifd *vd = be->vd;
	char dir[160];

	if (vd->env->ops->xs_rm(vd->xs, XEN_TXN_NULL, be->path) < 0)
		log_warn("%s: removing %s", be->name, be->path);
	else
		log_info("%s: removed %s, as xl devd would", be->name,
		    be->path);
	snprintf(dir, sizeof(dir), "/local/domain/%u/backend/vif/%u",
	    vd->domid, be->domid);
	backend_prune_empty(vd, dir);
}

/*
 * Reads the admin's feature mask. Absent or empty: nothing masked. The
 * mask is logged whenever it masks something, with what it implies and
 * what this vifd does not offer anyway.
 */
int
backend_read_featmask(struct backend *be, char *err, size_t errlen)
{
	struct vifd *vd = be->vd;
	char *v, names[200], implied[200], q[48];
	uint32_t m, all;
	int r;

	v = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL, be->path,
	    VIFD_FEATURES_OFF_KEY);
	r = featmask_parse(v, &m, err, errlen);
	if (r < 0) {
		strparse_quote(v, q, sizeof(q));
		log_warnx("%s: %s is \"%s\"", be->name, VIFD_FEATURES_OFF_KEY,
		    q);
		free(v);
		return r;
	}
	free(v);
	all = featmask_closure(m);
	if (all != 0 && (all != be->feat_off || !be->feat_read)) {
		(void)featmask_format(m, names, sizeof(names));
		(void)featmask_format(all & ~m, implied, sizeof(implied));
		log_info("%s: features off: %s%s%s%s", be->name, names,
		    implied[0] ? " (implied: " : "", implied,
		    implied[0] ? ")" : "");
		if (all & FEATMASK_NOT_OFFERED) {
			(void)featmask_format(all & FEATMASK_NOT_OFFERED,
			    names, sizeof(names));
			log_info("%s: not offered by this vifd anyway: %s",
			    be->name, names);
		}
	} else if (all == 0 && be->feat_off != 0)
		log_info("%s: features off: none", be->name);
	be->feat_off = all;
	be->feat_read = true;
	return 0;
}

/*
 * Advertises what we support, less what the admin masked (feat_off): a
 * masked feature's key is written "0", so that one advertised earlier
 * (before the mask) is withdrawn; a masked multi-queue removes
 * multi-queue-max-queues, which is how a backend says "one queue"
 * (netif.h). The mandatory features go in one transaction, retried on
 * EAGAIN; the optional ones after it (Linux netback_probe does the same
 * split). Multicast control is dynamic: request-multicast-control is
	    "feature-ctrl-ring", ctrl) < 0 ||
	    xsu_write_key(vd->env, vd->xs, XEN_TXN_NULL, be->path,
	    "feature-xdp-headroom", be->feat_off & FEATMASK_XDP_HEADROOM ?
	    "0" : "1") < 0)
 */
int
backend_advertise(struct backend *be)
{
	static const struct {
		const char *key, *val;
		uint32_t bit;		/* masked: "0" */
	} features[] = {
		{ "feature-sg", "1", FEATMASK_SG },
		{ "feature-gso-tcpv4", "1", FEATMASK_GSO_TCPV4 },
		{ "feature-gso-tcpv6", "1", FEATMASK_GSO_TCPV6 },
		{ "feature-ipv6-csum-offload", "1", FEATMASK_IPV6_CSUM },
		{ "feature-rx-copy", "1", 0 },
		{ "feature-rx-flip", "0", 0 },
	};
	struct vifd *vd = be->vd;
	const char *what = "starting a transaction";
	const char *mcast = be->feat_off & FEATMASK_MCAST_CTRL ? "0" : "1";
	const char *ctrl = be->feat_off & FEATMASK_CTRL_RING ? "0" : "1";
	xen_txn_t t;
	unsigned int i;
	int r, tries;

	for (tries = 0; tries < 16; tries++) {
		r = vd->env->ops->xs_txn_start(vd->xs, &t);
		if (r < 0)
			goto fail;
		for (i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
			r = xsu_write_key(vd->env, vd->xs, t, be->path,
			    features[i].key, (be->feat_off & features[i].bit) ?
			    "0" : features[i].val);
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
	/* Optional features: a failure is only worth a debug line. There
	 * is no backend key for IPv4 checksum offload: a masked ipv4-csum
	 * shows only in what vifd does (see frontend_read_masked). */
	if (xsu_printf_key(vd->env, vd->xs, XEN_TXN_NULL, be->path,
	    "feature-split-event-channels", "%d", vd->cfg.split_evtchn &&
	    !(be->feat_off & FEATMASK_SPLIT_EVTCHN) ? 1 : 0) < 0 ||
	    ((be->feat_off & FEATMASK_MULTI_QUEUE) ?
	    xsu_rm_key(vd->env, vd->xs, XEN_TXN_NULL, be->path,
	    "multi-queue-max-queues") : xsu_printf_key(vd->env, vd->xs,
	    XEN_TXN_NULL, be->path, "multi-queue-max-queues", "%u",
	    vd->cfg.max_queues)) < 0 ||
	    xsu_write_key(vd->env, vd->xs, XEN_TXN_NULL, be->path,
	    "feature-multicast-control", mcast) < 0 ||
	    xsu_write_key(vd->env, vd->xs, XEN_TXN_NULL, be->path,
	    "feature-dynamic-multicast-control", mcast) < 0 ||
	    xsu_write_key(vd->env, vd->xs, XEN_TXN_NULL, be->path,
	    "feature-ctrl-ring", ctrl) < 0 ||
	    xsu_write_key(vd->env, vd->xs, XEN_TXN_NULL, be->path,
	    "feature-xdp-headroom", be->feat_off & FEATMASK_XDP_HEADROOM ?
	    "0" : "1") < 0)
		log_debug("%s: cannot write an optional feature", be->name);
	return 0;
fail:
	errno = -r;
	log_warn("%s: advertising features (%s)", be->name, what);
	return r;
}

/* ---- the toolstack's keys ------------------------------------------ */

/* Reads the toolstack's keys. Returns 0, or -EINVAL if the directory is
 * unusable (the reason is logged). */
int
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
	backend_read_limits(be);
	backend_port_read(be);
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

/* Reads a "bytes,usec" rate key; absent or malformed means unlimited. */
static void
backend_read_rate(struct backend *be, const char *key,
    struct ratelimit_rate *out)
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

/*
 * Reads a shape key, "average,peak,burst" in bytes; absent or malformed
 * means none (a malformed one is ignored with a warning, as netback
 * ignores a malformed `rate`: the direction's rate key, if any, then
 * applies).
 */
static void
backend_read_shape(struct backend *be, const char *key, struct shape_conf *out)
{
	struct vifd *vd = be->vd;
	char *v, err[192];

	memset(out, 0, sizeof(*out));
	v = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL, be->path, key);
	if (v == NULL)
		return;
	if (shape_parse(v, 1, "B/s", "bytes", out, err, sizeof(err)) < 0)
		log_warnx("%s: %s %s; ignored", be->name, key, err);
	free(v);
}

void
backend_read_limits(struct backend *be)
{
	backend_read_rate(be, "rate", &be->rate_out);
	backend_read_rate(be, VIF_INBOUND_RATE_KEY, &be->rate_in);
	backend_read_shape(be, VIF_OUTBOUND_SHAPE_KEY, &be->shape_out);
	backend_read_shape(be, VIF_INBOUND_SHAPE_KEY, &be->shape_in);
}

void
backend_read_hotplug_status(struct backend *be)
{
	struct vifd *vd = be->vd;
	char *v;

	v = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL, be->path,
	    "hotplug-status");
	be->hotplug_node = v != NULL;
	be->hotplug_ok = v != NULL && strcmp(v, "connected") == 0;
	if (v != NULL && strcmp(v, "error") == 0 && be->hp != HP_FAILED &&
	    !be->fsm.failed && be->life == BE_LIVE) {
		char *herr = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL,
		    be->path, "hotplug-error");

		backend_fail(be, "hotplug script reported an error%s%s",
		    herr ? ": " : "", herr ? herr : "");
		free(herr);
	}
	free(v);
}

/* ---- the frontend ---------------------------------------------------- */

enum xenbus_state
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
 * Does our guest's domain exist? 1: xenstored knows it. 0: it does not,
 * and /local/domain/<domid>/domid is gone too (xenstored removes a dead
 * domain's own nodes and the toolstack its directory; libxl writes `domid`
 * before it introduces a domain, and adds its vifs after). -1: we may
 * not tell: a driver domain may not ask xenstored (the answer is then
 * "no"), nor read a guest's directory (EACCES whether it exists or not:
 * xenstored does not say whether a node it hides exists).
 */
int
backend_domain_known(struct backend *be)
{
	struct vifd *vd = be->vd;
	char path[64];
	char *v;

	if (vd->env->ops->xs_is_introduced(vd->xs, be->domid) > 0)
		return 1;
	snprintf(path, sizeof(path), "/local/domain/%u", be->domid);
	v = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL, path, "domid");
	if (v == NULL && errno == ENOENT)
		return 0;
	free(v);
	return -1;
}

/*
 * After @releaseDomain (and at a restart's first scan): is our guest gone?
 * Where backend_domain_known() cannot tell, the frontend's directory, which
 * the backend may read, decides. Taking EACCES for "gone" closed every
 * live vif of a driver domain's vifd after a restart (the lab's netdd,
 * scenario 20).
 */
bool
backend_domain_dead(struct backend *be)
{
	int known = backend_domain_known(be);

	if (known >= 0)
		return known == 0;
	return backend_read_fe_state(be) == XenbusStateUnknown;
}

