/*
 * backend_watch.c - the events that reach the backends: changes below a
 * backend directory (from xswatch), the frontends' state nodes, and the
 * once-a-second tick.
 *
 * Owns the frontend state watch of each backend and, while connected, its
 * request-multicast-control and xdp-headroom watches, with the XSA-349
 * cap (a frontend that
 * rewrites them faster than VIFD_FE_EVENTS_PER_SEC is not listened to for
 * a second), and turns every event into a dirty
 * bit: the work is done once per loop iteration, coalesced, by
 * backend_process_all().
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ctrl/backend_int.h"
#include "core/featmask.h"
#include "util/log.h"
#include "ctrl/xsutil.h"

/* Watches (or stops watching) the frontend's node `key`; *watched says
 * which it is now. Both of a backend's watches share its token: the
 * event's path tells them apart. */
static void
backend_watch_node(struct backend *be, const char *key, bool on,
    bool *watched)
{
	struct vifd *vd = be->vd;
	char path[XSU_PATH_MAX];

	if (*watched == on)
		return;
	snprintf(path, sizeof(path), "%s/%s", be->fe_path, key);
	if (on) {
		if (vd->env->ops->xs_watch(vd->xs, path, be->fe_token) == 0)
			*watched = true;
		else
			log_warn("%s: cannot watch %s", be->name, path);
	} else {
		(void)vd->env->ops->xs_unwatch(vd->xs, path, be->fe_token);
		*watched = false;
	}
}

void
backend_fe_watch(struct backend *be, bool on)
{
	backend_watch_node(be, "state", on, &be->fe_watched);
}

void
backend_mc_watch(struct backend *be, bool on)
{
	backend_watch_node(be, BE_MC_KEY, on, &be->mc_watched);
}

void
backend_xdp_watch(struct backend *be, bool on)
{
	backend_watch_node(be, BE_XDP_KEY, on, &be->xdp_watched);
}

/* Is `path` the frontend's node `key`? */
static bool
backend_is_fe_key(const struct backend *be, const char *path,
    const char *key)
{
	size_t n = strlen(be->fe_path);

	return strncmp(path, be->fe_path, n) == 0 && path[n] == '/' &&
	    strcmp(path + n + 1, key) == 0;
}

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
	    strcmp(key, VIF_INBOUND_RATE_KEY) == 0 ||
	    strcmp(key, VIF_OUTBOUND_SHAPE_KEY) == 0 ||
	    strcmp(key, VIF_INBOUND_SHAPE_KEY) == 0)
		be->dirty |= BE_DIRTY_RATE;
	else if (strcmp(key, VIF_LINK_KEY) == 0 ||
	    strcmp(key, VIF_ISOLATED_KEY) == 0 ||
	    strcmp(key, VIF_VLAN_KEY) == 0)
		be->dirty |= BE_DIRTY_PORT;
}

bool
backend_watch_event(struct vifd *vd, const char *path, const char *token)
{
	struct backend *be;
	unsigned int domid, devid;
	unsigned int dirty = BE_DIRTY_FE_STATE;
	int n = 0;

	if (strncmp(token, BE_FE_TOKEN_PREFIX,
	    sizeof(BE_FE_TOKEN_PREFIX) - 1) != 0)
		return false;
	if (sscanf(token + sizeof(BE_FE_TOKEN_PREFIX) - 1, "%u:%u%n", &domid,
	    &devid, &n) != 2 || token[sizeof(BE_FE_TOKEN_PREFIX) - 1 + n])
		return true;
	be = backend_find(vd, domid, devid);
	if (be == NULL)
		return true;
	if (backend_is_fe_key(be, path, BE_MC_KEY)) {
		if (!be->mc_watched)
			return true;	/* stale */
		dirty = BE_DIRTY_MCAST;
	} else if (backend_is_fe_key(be, path, BE_XDP_KEY)) {
		if (!be->xdp_watched)
			return true;	/* stale */
		dirty = BE_DIRTY_XDP;
	} else if (!be->fe_watched)
		return true;	/* a stale event for a watch we dropped */
	/* The frontend's nodes count against one cap. */
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
		backend_mc_watch(be, false);
		backend_xdp_watch(be, false);
		be->fe_suspended = true;
	}
	be->dirty |= dirty;
	return true;
}

void
backend_tick(struct vifd *vd)
{
	struct backend *be;

	for (be = TAILQ_FIRST(&vd->backends); be != NULL; be = TAILQ_NEXT(be, link)) {
		be->fe_events = 0;
		if (be->fe_suspended && be->life == BE_LIVE) {
			be->fe_suspended = false;
			/* Each watch fires once when set: nothing missed. */
			backend_fe_watch(be, true);
			if (be->vif != NULL)
				backend_mc_watch(be, true);
			if (be->vif != NULL &&
			    !(be->feat_off & FEATMASK_XDP_HEADROOM))
				backend_xdp_watch(be, true);
		}
		if (be->life == BE_LIVE)
			backend_port_check(be);
		backend_hotplug_overdue(be);
	}
}

