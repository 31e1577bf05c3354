/*
 * backend_hotplug.c - the hotplug scripts of one vif backend.
 *
 * Owns deciding who runs a device's scripts (vifd, or a toolstack that
 * may: libxl in dom0, xl devd in a driver domain), the request for its
 * `online` and `offline` runs (hotplug_run.c runs them), what their outcome
 * means for the device (a failed `online` fails the vif; `offline` ends
 * the device's removal), and following a TAP a script renamed.
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/backend_int.h"
#include "util/log.h"
#include "data/tap.h"
#include "data/vif.h"
#include "ctrl/xsutil.h"
#include "ctrl/xldevd.h"

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

int
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

void
backend_refresh_ifname(struct backend *be)
{
	char name[IFNAMSIZ];

	if (be->ifindex == 0 || tap_name_of(be->ifindex, name) < 0 ||
	    strcmp(name, be->ifname) == 0)
		return;
	log_info("%s: %s is now %s", be->name, be->ifname, name);
	snprintf(be->ifname, sizeof(be->ifname), "%s", name);
}

/*
 * Who runs this device's hotplug scripts? With --hotplug=auto: where a
 * toolstack may run them (real Xen: the environment says so), libxl runs
 * them for backends in its own domain and xl devd in a driver domain.
 * Since Xen 4.6 libxl always does (the libxl/disable_udev switch went with
 * its udev rules; older ones wrote libxl/disable_udev = 1 under the domain
 * when they did), so in dom0 the toolstack runs them; in a driver domain,
 * only if xl devd runs there (xldevd.c). Running a script twice races with
 * the toolstack's own run (the lab's dom0 did, before this knew about Xen
 * 4.6), so then we only wait for hotplug-status. With nobody else (the
 * simulated Xen, a driver domain without xl devd) we run them, as xl devd
 * would.
 */
bool
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
	toolstack = vd->domid == 0;
	if (!toolstack) {
		snprintf(dir, sizeof(dir), "/local/domain/%u/libxl", vd->domid);
		v = xsu_read_key(vd->env, vd->xs, XEN_TXN_NULL, dir,
		    "disable_udev");
		toolstack = (v != NULL && strcmp(v, "1") == 0) ||
		    xldevd_running(NULL);
		free(v);
	}
	log_info("%s: hotplug scripts are run by %s", be->name,
	    toolstack ? (vd->domid == 0 ? "the toolstack (libxl)" :
	    "the toolstack (xl devd)") : "vifd");
	return !toolstack;
}

/*
 * Once a second: a device whose scripts the toolstack runs (libxl, xl
 * devd) has its hotplug-status "connected" within libxl's window after
 * InitWait: the 10 s libxl waits for InitWait (LIBXL_INIT_TIMEOUT) and the
 * script's own limit, libxl's LIBXL_HOTPLUG_TIMEOUT of 40 s (some
 * distributions patch it to 120 or 180 s: --hotplug-timeout, when larger,
 * stands for theirs; a smaller one, meant for vifd's own scripts, does not
 * shorten libxl's). Past that it most likely never will: xl devd gives a
 * device up for good when it was not in InitWait within those 10 s of its
 * creation (the lab's netdd: a vif attached while vifd was stopped,
 * scenario 19), and the device waits at InitWait for ever, as it would
 * behind Linux netback. Said once, with the way out; nothing else changes
 * (a late hotplug-status still connects the vif).
 */
static unsigned int
backend_toolstack_window_s(const struct vifd *vd)
{
#ifdef VIFD_TEST_HOOKS
	/* The rig's hook: the window in seconds, so that a test need not
	 * wait 50 s (three times over: plain, ASan and TSan builds). */
	const char *t = getenv("VIFD_TEST_TOOLSTACK_WINDOW_S");

	if (t != NULL && atoi(t) > 0)
		return (unsigned int)atoi(t);
#endif
	return (vd->cfg.hotplug_timeout_s > VIFD_HOTPLUG_TIMEOUT_S ?
	    vd->cfg.hotplug_timeout_s : VIFD_HOTPLUG_TIMEOUT_S) + 10u;
}

void
backend_hotplug_overdue(struct backend *be)
{
	/* InitWait as the toolstack sees it: the machine may be Connected
	 * already, its write deferred (the frontend connected). */
	bool waiting = be->life == BE_LIVE && !be->run_scripts &&
	    !be->hotplug_ok && !be->fsm.failed &&
	    be->fsm.written == XenbusStateInitWait;

	if (!waiting) {
		be->toolstack_wait_s = 0;
		return;
	}
	if (++be->toolstack_wait_s != backend_toolstack_window_s(be->vd))
		return;
	log_warnx("%s: no hotplug-status 'connected' from the toolstack %u s "
	    "after InitWait, past libxl's window: its script failed silently "
	    "or never ran (xl devd gives a device up when it is not in "
	    "InitWait within 10 s, as when vifd was not running); the vif "
	    "waits in InitWait until it comes: detach it (xl network-detach) "
	    "and attach it again", be->name, be->toolstack_wait_s);
}
