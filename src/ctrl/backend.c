/*
 * backend.c - one vif backend: its life, and carrying out what its
 * XenbusState machine decides.
 *
 * Owns, per backend directory: the struct's life (a directory appears,
 * is served, goes; a device made anew under the same name), the TAP
 * device's creation and removal, connecting and disconnecting the data
 * plane, and the coalesced processing of what happened to it: each
 * event becomes an input of xenbus_fsm() (src/core/xenbus_fsm.c, which
 * decides) and its actions are done here, in order. The xenstore nodes
 * are backend_xs.c's, the scripts backend_hotplug.c's, the watches
 * backend_watch.c's. Runs on the control thread only; workers report
 * back through backend_upcall().
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/backend_int.h"
#include "core/featmask.h"
#include "core/frontend.h"
#include "core/strparse.h"
#include "core/swspec.h"
#include "util/log.h"
#include "data/tap.h"
#include "data/vif.h"
#include "core/xenbus_state.h"
#include "ctrl/xsutil.h"

struct backend *
backend_find(struct vifd *vd, uint32_t domid, uint32_t devid)
{
	struct backend *be;

	for (be = TAILQ_FIRST(&vd->backends); be != NULL; be = TAILQ_NEXT(be, link))
		if (be->domid == domid && be->devid == devid)
			return be;
	return NULL;
}

/* ---- the data plane ---------------------------------------------------- */

static char *
backend_fe_get(void *arg, const char *key)
{
	struct backend *be = arg;

	return xsu_read_key(be->vd->env, be->vd->xs, XEN_TXN_NULL,
	    be->fe_path, key);
}

/*
 * The vifd switch the `bridge` key names (core/swspec.h) into
 * sw[SWSPEC_NAME_MAX + 1], and the `mac` key to pin on it (*has_mac).
 * Returns SWSPEC_SWITCH or SWSPEC_PEER for a port of a switch or a peer
 * link, 0 for a vif on a host bridge (or none), -EINVAL with a reason in
 * err for a bad name or, on a switch, a
 * `mac` that is there but not an address: a port that cannot pin its
 * guest's address would let others take it.
 */
static int
backend_switch_keys(struct backend *be, char *sw, uint8_t mac[6],
    bool *has_mac, char *err, size_t errlen)
{
	struct vifd *vd = be->vd;
	char *bridge, *m, q[160];
	int r, kind;

	*has_mac = false;
	bridge = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL, be->path,
	    "bridge");
	r = swspec_parse(bridge, sw, q, sizeof(q));
	free(bridge);
	if (r < 0)
		return strparse_fail(err, errlen, "bridge: %s", q);
	if (r == SWSPEC_NONE)
		return 0;
	kind = r;
	m = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL, be->path, "mac");
	if (m != NULL) {
		if (strparse_mac(m, 0, mac) < 0) {
			strparse_quote(m, q, sizeof(q));
			free(m);
			return strparse_fail(err, errlen, "mac '%s' is not a "
			    "MAC address", q);
		}
		*has_mac = true;
		free(m);
	}
	return kind;
}

/* InitWait -> Connected: read the frontend's keys and start the queues. */
static int
backend_connect(struct backend *be)
{
	struct vifd *vd = be->vd;
	struct frontend_info fi;
	struct vif_params p;
	char err[256], sw[SWSPEC_NAME_MAX + 1];
	uint8_t mac[6];
	bool has_mac;
	int r;

	backend_refresh_ifname(be);
	/* The mask advertised with InitWait; read now only if vifd
	 * restarted under a frontend that had already seen it. */
	if (!be->feat_read &&
	    backend_read_featmask(be, err, sizeof(err)) < 0) {
		backend_fail(be, VIFD_FEATURES_OFF_KEY ": %s", err);
		return -EINVAL;
	}
	r = frontend_read_masked(&fi, vd->cfg.max_queues, be->feat_off,
	    backend_fe_get, be, err, sizeof(err));
	if (r < 0) {
		backend_fail(be, "frontend %s: %s", be->fe_path, err);
		return r;
	}
	/* A TAP deleted under us (the queues disabled the vif for it)
	 * must not come back as the bare, bridgeless TAP that opening a
	 * queue of a missing name would create. */
	if (be->ifindex != 0 && if_nametoindex(be->ifname) != be->ifindex) {
		backend_fail(be, "its TAP %s is gone; detach and attach the "
		    "vif again", be->ifname);
		return -ENODEV;
	}
	r = backend_switch_keys(be, sw, mac, &has_mac, err, sizeof(err));
	if (r < 0) {
		backend_fail(be, "%s", err);
		return r;
	}
	memset(&p, 0, sizeof(p));
	if (r > 0) {
		p.sw = sw;
		p.sw_mac = has_mac ? mac : NULL;
		p.sw_isolated = be->isolated;
		p.sw_peer = r == SWSPEC_PEER;
		p.sw_vlan = backend_port_switch_vid(be);
		be->sw_vlan = p.sw_vlan;
	}
	p.name = be->name;
	p.ifname = be->ifname;
	p.fe_domid = be->domid;
	p.mtu = be->mtu;
	p.fi = &fi;
	p.feat_off = be->feat_off;
	p.out = be->rate_out;
	p.in = be->rate_in;
	p.shape_out = be->shape_out;
	p.shape_in = be->shape_in;
	p.upcall_fd = vd->upcall_fd;
	p.link_down = be->link_down;
	r = vif_connect(vd->env, &p, &be->vif, err, sizeof(err));
	if (r < 0) {
		backend_fail(be, "connecting: %s", err);
		return r;
	}
	frontend_features_str(&fi, be->features, sizeof(be->features));
	be->mcast_control = fi.mcast_control;
	be->xdp_headroom = fi.xdp_headroom;
	log_info("%s: connected, %u queue%s%s%s", be->name, fi.num_queues,
	    fi.num_queues == 1 ? "" : "s",
	    fi.q[0].split ? ", split event channels" : "",
	    fi.mcast_control ? ", multicast control on" : "");
	/* We offer feature-dynamic-multicast-control: the frontend may
	 * switch filtering at any time (netif.h; Linux
	 * xen_register_mcast_ctrl_watch, at connect). */
	backend_mc_watch(be, true);
	/* netfront writes xdp-headroom just after Reconfiguring, so our
	 * read on Reconfiguring may come first: the key's own watch
	 * catches the write (backend_process). */
	if (!(be->feat_off & FEATMASK_XDP_HEADROOM))
		backend_xdp_watch(be, true);
	return 0;
}

/*
 * The request-multicast-control watch fired: re-sample it, as Linux
 * xen_mcast_ctrl_changed does. A value that is no flag counts as off,
 * Linux's default for what xenbus_read_unsigned cannot parse (at connect
 * the same value fails the vif: there frontend_read is strict).
 */
static void
backend_mcast_sample(struct backend *be)
{
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(1000, 5);
	char err[160];
	bool on;

	if (be->vif == NULL)
		return;
	if (frontend_read_flag(backend_fe_get, be, "request-multicast-control",
	    false, &on, err, sizeof(err)) != 0) {
		if (log_ratelimit_ok(&rl))
			log_warnx("%s: frontend %s: %s; multicast control "
			    "off", be->name, be->fe_path, err);
		on = false;
	}
	if (be->feat_off & FEATMASK_MCAST_CTRL)
		on = false;	/* masked: the frontend's request is ignored */
	vif_set_mcast_control(be->vif, on);
	if (on != be->mcast_control)
		log_info("%s: multicast control %s", be->name,
		    on ? "on" : "off");
	be->mcast_control = on;
}

/*
 * RECONFIGURE: the frontend went Reconfiguring, or came back from it
 * (netfront attaching or removing an XDP program): its xdp-headroom as it
 * is now, applied to the running vif (frames read from the TAP from now
 * on). Masked, the key is not read (we advertised 0) and stays 0. A bad
 * value fails the vif with the error node naming it: the frontend
 * waits for Reconfigured without a timeout and gets Closing instead,
 * which netfront's wait does not see but the guest's admin will. 0, or
 * -EINVAL after backend_fail.
 */
static int
backend_reconfigure(struct backend *be)
{
	char err[200];
	uint16_t h = 0;

	if (be->vif == NULL)
		return 0;	/* the machine asks only when up */
	if (!(be->feat_off & FEATMASK_XDP_HEADROOM) &&
	    frontend_read_xdp_headroom(backend_fe_get, be, &h, err,
	    sizeof(err)) < 0) {
		backend_fail(be, "frontend %s: %s", be->fe_path, err);
		return -EINVAL;
	}
	vif_set_xdp_headroom(be->vif, h);
	if (h != be->xdp_headroom)
		log_info("%s: XDP headroom %u", be->name, h);
	be->xdp_headroom = h;
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

const char *
backend_switch_total(const struct backend *be, struct vsw_port_stats *out,
    bool *peer)
{
	const char *now = be->vif != NULL ? vif_switch(be->vif) : NULL;
	struct vsw_port_stats cur;

	*out = be->sw_past;
	*peer = be->sw_last_peer;
	if (now == NULL)
		return be->sw_last[0] != '\0' ? be->sw_last : NULL;
	vif_switch_stats(be->vif, &cur);
#define BE_SW_ADD(n) out->n += cur.n;
	VSW_PORT_STATS(BE_SW_ADD)
#undef BE_SW_ADD
	*peer = vif_switch_peer(be->vif);
	return now;
}

static void
backend_disconnect(struct backend *be)
{
	const char *sw;
	if (be->vif == NULL)
		return;
	backend_mc_watch(be, false);
	backend_xdp_watch(be, false);
	/* The workers are still running: what they count after this read
	 * is lost with them, which is at most one wakeup's worth. */
	backend_stats_total(be, &be->past);
	sw = backend_switch_total(be, &be->sw_past, &be->sw_last_peer);
	if (sw != NULL && sw != be->sw_last)
		snprintf(be->sw_last, sizeof(be->sw_last), "%s", sw);
	vif_disconnect(be->vif);
	be->vif = NULL;
	be->features[0] = '\0';
	be->xdp_headroom = 0;
	log_info("%s: disconnected", be->name);
}

/* ---- the state machine's actions ----------------------------------------- */

static int backend_run(struct backend *be, enum xenbus_fsm_event ev,
    int arg);

void
backend_fail(struct backend *be, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	backend_report(be, "%s", msg);
	(void)backend_run(be, XB_EV_FAILED, 0);
}

/*
 * ADVERTISE, and before every later InitWait (a frontend starting over):
 * the admin's feature mask as it is now, then the keys that follow from
 * it, so that a changed mask takes effect at the vif's next connect. A
 * malformed mask fails the vif (error node naming the bad part) rather
 * than advertise what the admin may have wanted off. Returns 0, or -1
 * after backend_fail.
 */
static int
backend_features(struct backend *be)
{
	char err[200];

	if (backend_read_featmask(be, err, sizeof(err)) < 0) {
		backend_fail(be, VIFD_FEATURES_OFF_KEY ": %s", err);
		return -1;
	}
	if (backend_advertise(be) < 0) {
		backend_fail(be, "cannot advertise features");
		return -1;
	}
	return 0;
}

/* CONNECT: the data plane, then the machine goes on (or fails). */
static void
backend_do_connect(struct backend *be)
{
	if (backend_connect(be) == 0)
		(void)backend_run(be, XB_EV_CONNECTED, 0);
	/* else backend_fail told the machine */
}

/*
 * Judges one event (`arg`: the frontend's state for XB_EV_FRONTEND, our
 * node's for XB_EV_STATE_NODE) with what we know of the device, and
 * carries out the actions in order. The machine plans as if every write
 * landed; what our node holds (fsm.written) follows the writes that did.
 * Returns 0, or -1 if advertising the features failed (the vif failed).
 */
static int
backend_run(struct backend *be, enum xenbus_fsm_event ev, int arg)
{
	struct xenbus_fsm_in in;
	struct xenbus_fsm_out out;
	enum xenbus_state old_fe = be->fsm.fe, written = be->fsm.written;
	unsigned int i;

	memset(&in, 0, sizeof(in));
	in.ev = ev;
	in.fe = ev == XB_EV_FRONTEND ? arg : 0;
	in.node = ev == XB_EV_STATE_NODE ? arg : -1;
	in.hotplug = !be->hotplug_node ? XB_HOTPLUG_NONE : be->hotplug_ok ?
	    XB_HOTPLUG_CONNECTED : XB_HOTPLUG_WAITING;
	in.online = be->online;
	in.connected = be->vif != NULL;
	in.host_failed = be->hp == HP_FAILED;
	xenbus_fsm(&be->fsm, &in, &out);
	be->fsm = out.next;
	be->fsm.written = written;	/* until the writes land */

	for (i = 0; i < out.n; i++) {
		const struct xenbus_fsm_action *a = &out.a[i];

		switch (a->op) {
		case XB_ACT_NOTE_FRONTEND:
			log_debug("%s: frontend %s -> %s", be->name,
			    xenbus_state_str((int)old_fe, "invalid"),
			    xenbus_state_str((int)a->state, "invalid"));
			break;
		case XB_ACT_NOTE_TOOLSTACK_CLOSE:
			log_info("%s: the toolstack asks for Closing",
			    be->name);
			be->fsm.written = XenbusStateClosing;
			break;
		case XB_ACT_NOTE_HOTPLUG_OK:
			log_info("%s: hotplug-status connected", be->name);
			break;
		case XB_ACT_WAIT_HOTPLUG:
			log_info("%s: Connected deferred until hotplug-status "
			    "is connected", be->name);
			break;
		case XB_ACT_WRITE:
			/* Not on a failed vif's way to Closing. */
			if (a->state == XenbusStateInitWait) {
				if (!be->adv_fresh && !be->fsm.failed &&
				    backend_features(be) < 0)
					return -1;
				be->adv_fresh = false;
			}
			(void)backend_write_state(be, a->state);
			break;
		case XB_ACT_DISCONNECT:
			backend_disconnect(be);
			break;
		case XB_ACT_BAD_FRONTEND:
			backend_report(be, "saw state %d at frontend",
			    (int)a->state);
			break;
		case XB_ACT_ADVERTISE:
			if (backend_features(be) < 0)
				return -1;
			be->adv_fresh = true;
			return backend_run(be, XB_EV_ADVERTISED, 0);
		case XB_ACT_CONNECT:
			backend_do_connect(be);
			break;
		case XB_ACT_RECONFIGURE:
			if (backend_reconfigure(be) == 0)
				(void)backend_run(be, XB_EV_RECONFIGURED, 0);
			break;
		case XB_ACT_DESTROY:
			backend_destroy_device(be);
			break;
		case XB_ACT_NONE:
			break;
		}
	}
	return 0;
}

/* ---- device lifetime ---------------------------------------------------- */

/* The TAP is gone (or never was): nothing left but the struct. */
void
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
	/* A driver domain where we run the scripts has no xl devd: its
	 * other half, removing the closed device's directory, is ours too.
	 * (Not when the directory went first, nor on the simulated Xen,
	 * whose toolstack removes its own.) */
	if (be->run_scripts && !be->dir_gone && be->vd->domid != 0 &&
	    be->vd->env->toolstack_hotplug)
		backend_remove_dir(be);
}

void
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
void
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
	TAILQ_INSERT_TAIL(&vd->backends, be, link);
	vd->nbackends++;

	r = xsu_read_uint(vd->env, vd->xs, XEN_TXN_NULL, be->path, "state", 8,
	    &st);
	xenbus_fsm_init(&be->fsm, r == 0 ? (int)st : -1);
	if (r == -ENOENT) {
		/* libxl writes a device's nodes in one transaction, `state`
		 * among them; a toolstack that writes them one by one writes
		 * `state` last (Xen's own scripts and xenbus' probe both wait
		 * for it). Until then the keys we read (script, vifname, ...)
		 * may not be there yet: not usable, looked at again when
		 * the directory changes. */
		be->life = BE_GONE;
		return be;
	}
	if (backend_read_keys(be) < 0) {
		/* Not usable: nothing created. It may become usable when the
		 * toolstack finishes writing it. */
		be->life = BE_GONE;
		return be;
	}
	if (be->fsm.state == XenbusStateClosed && !be->online) {
		/* A device on its way out (vifd restarted mid-removal). */
		be->life = BE_GONE;
		return be;
	}

	if (if_nametoindex(be->ifname) == 0 && backend_domain_known(be) == 0) {
		/* A toolstack wrote a device for a domain that does not
		 * exist (or died before we looked): nothing of ours is made
		 * for it. The directory is the toolstack's to remove; a new
		 * one (state Initialising, online 1 written again) is looked
		 * at afresh (backend_recheck), and served once the domain
		 * exists. A domain introduced later under the same directory
		 * without such a write is not noticed: no toolstack does that
		 * (libxl introduces a domain before it adds its devices). A
		 * TAP of that name (a restart's) is taken over below and goes
		 * with the domain's release. */
		log_warnx("%s: domain %u does not exist: nothing created for "
		    "its backend directory %s", be->name, be->domid, be->path);
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
	    xenbus_state_str((int)be->fsm.state, "invalid"));

	/* Features and InitWait, unless vifd restarted under a later
	 * state: then the frontend's (read when its watch fires) decides
	 * what follows. */
	if (backend_run(be, XB_EV_START, 0) < 0)
		return be;
	/* Scripts run once per device: not again after a restart if the
	 * first run already said connected. */
	be->run_scripts = backend_runs_scripts(be);
	if (be->run_scripts && !be->hotplug_ok && be->fsm.state ==
	    XenbusStateInitWait) {
		if (backend_hotplug_start(be, HOTPLUG_ONLINE) == 0)
			be->hp = HP_ONLINE;
		else
			backend_fail(be, "cannot run the hotplug script");
	} else if (be->run_scripts && be->hotplug_ok)
		be->hp = HP_DONE;
	/* A restarted vifd finds the TAP on its bridge already. */
	backend_port_apply(be);
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

/* One line for the limits in force, after a change. */
static void
backend_log_limits(const struct backend *be)
{
	const struct ratelimit_rate *r[2] = { &be->rate_out, &be->rate_in };
	const struct shape_conf *sc[2] = { &be->shape_out, &be->shape_in };
	char say[2][96];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (sc[i]->average != 0)
			snprintf(say[i], sizeof(say[i]), "shape %llu,%llu,%llu "
			    "per vif", (unsigned long long)sc[i]->average,
			    (unsigned long long)sc[i]->peak,
			    (unsigned long long)sc[i]->burst);
		else if (r[i]->usec != 0)
			snprintf(say[i], sizeof(say[i]), "%llu,%llu",
			    (unsigned long long)r[i]->bytes,
			    (unsigned long long)r[i]->usec);
		else
			snprintf(say[i], sizeof(say[i]), "unlimited");
	}
	log_info("%s: rate out %s in %s", be->name, say[0], say[1]);
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
		backend_read_limits(be);
		if (be->vif != NULL)
			vif_set_rate(be->vif, &be->rate_out, &be->rate_in,
			    &be->shape_out, &be->shape_in);
		backend_log_limits(be);
	}
	if (dirty & BE_DIRTY_HOTPLUG) {
		backend_read_hotplug_status(be);
		if (be->life == BE_LIVE)
			(void)backend_run(be, XB_EV_HOTPLUG, 0);
		/* The script may have set the MTU (bridge, `mtu` key). */
		if (be->hotplug_ok && be->vif != NULL)
			vif_clamp_mtu(be->vif);
		/* ... and put the TAP on its bridge. */
		if (be->hotplug_ok)
			backend_port_apply(be);
	}
	if (dirty & BE_DIRTY_PORT) {
		backend_port_read(be);
		backend_port_apply(be);
	}
	if (dirty & BE_DIRTY_MCAST)
		backend_mcast_sample(be);
	/* The headroom written during netfront's handshake (before its
	 * state's change is judged below): taken at once. Outside the
	 * handshake it waits for the next Reconfiguring, as in Linux. */
	if ((dirty & BE_DIRTY_XDP) && be->life == BE_LIVE && be->vif != NULL &&
	    be->fsm.fe == XenbusStateReconfiguring && !be->fsm.failed)
		(void)backend_reconfigure(be);
	if (dirty & BE_DIRTY_ONLINE)
		be->online = xsu_read_uint(vd->env, vd->xs, XEN_TXN_NULL,
		    be->path, "online", 1, &v) == 0 && v == 1;
	if (dirty & BE_DIRTY_STATE && be->life == BE_LIVE)
		(void)backend_run(be, XB_EV_STATE_NODE, xsu_read_uint(vd->env,
		    vd->xs, XEN_TXN_NULL, be->path, "state", 8, &v) == 0 ?
		    (int)v : -1);
	if ((dirty & (BE_DIRTY_FE_STATE | BE_DIRTY_RELEASE)) &&
	    be->life == BE_LIVE) {
		if (dirty & BE_DIRTY_RELEASE && backend_domain_dead(be)) {
			log_info("%s: domain %u is gone", be->name, be->domid);
			(void)backend_run(be, XB_EV_DOMAIN_GONE, 0);
		} else
			(void)backend_run(be, XB_EV_FRONTEND,
			    (int)backend_read_fe_state(be));
	}
	/* A closed, offline device goes whenever the last piece arrives. */
	if (be->life == BE_LIVE)
		(void)backend_run(be, XB_EV_SETTLE, 0);
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
		backend_mc_watch(be, false);
		backend_xdp_watch(be, false);
		backend_fe_watch(be, false);
		TAILQ_REMOVE(&vd->backends, be, link);
		free(be);
	}
	vd->nbackends = 0;
}
