/*
 * daemon.c - the control thread's wiring: the loop, the xenstore watches
 * and their dispatch, the worker upcalls and the once-a-second tick.
 *
 * Owns what connects xenstore events to the backend module: backend
 * directories appearing, going and changing (xswatch), frontend state
 * watches, @releaseDomain, and the coalesced processing after each drain.
 * main.c adds the process around it (options, signals, the control
 * socket, daemon()); the unit tests drive the same wiring directly.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctrl/backend.h"
#include "ctrl/daemon.h"
#include "ctrl/netback.h"
#include "data/vswitch.h"
#include "util/log.h"
#include "util/loop.h"
#include "ctrl/vifd.h"
#include "ctrl/xswatch.h"

#define RELEASE_TOKEN "vifd:release"

static void
vifd_dev_added(void *arg, uint32_t domid, uint32_t devid)
{
	struct vifd *v = arg;

	log_info("vif%u.%u: backend directory appeared", domid, devid);
	/* Never race the kernel's netback for a device (netback.c). */
	if (netback_claims(v->cfg.sysfs_root, domid, devid))
		return;
	(void)backend_add(v, domid, devid);
}

static void
vifd_dev_removed(void *arg, uint32_t domid, uint32_t devid)
{
	struct vifd *v = arg;
	struct backend *be = backend_find(v, domid, devid);

	if (be != NULL && !be->dir_gone)
		backend_remove(be);
}

static void
vifd_dev_changed(void *arg, uint32_t domid, uint32_t devid, const char *key)
{
	struct vifd *v = arg;
	struct backend *be = backend_find(v, domid, devid);

	if (be != NULL && !be->dir_gone)
		backend_key_changed(be, key);
}

static const struct xswatch_ops vifd_xswatch_ops = {
	.added = vifd_dev_added,
	.removed = vifd_dev_removed,
	.changed = vifd_dev_changed,
};

/*
 * The xenstore fd is readable: drain every queued watch event, then do
 * the work they asked for once per backend (coalescing bursts: a frontend
 * that rewrites its state a thousand times costs one read).
 */
static void
vifd_xs_ready(struct loop_watch *w, uint32_t events)
{
	struct vifd *v = w->arg;
	struct xen_watch_event *ev;
	unsigned int n = 0;
	int r;

	(void)events;
	for (;;) {
		r = v->env->ops->xs_read_watch(v->xs, &ev);
		if (r == -EAGAIN)
			break;
		if (r < 0) {
			errno = -r;
			log_warn("lost the connection to xenstored");
			v->exit_code = 1;
			loop_stop(&v->loop);
			return;
		}
		n++;
		if (strcmp(ev->token, RELEASE_TOKEN) == 0)
			backend_release_domain(v);
		else if (!backend_watch_event(v, ev->path, ev->token) &&
		    xswatch_event(&v->xsw, ev->path, ev->token) < 0)
			log_warnx("cannot rescan %s", v->root);
		free(ev);
		/* Keep the other fds served under a flood; the rest of the
		 * events stay queued and the fd stays readable. */
		if (n >= 4096)
			break;
	}
	backend_process_all(v);
}

static void
vifd_upcall(struct loop_watch *w, uint32_t events)
{
	struct vifd *v = w->arg;

	(void)events;
	loop_event_ack(v->upcall_fd);
	backend_upcall(v);
}

static void
vifd_tick(struct loop_watch *w, uint32_t events)
{
	struct vifd *v = w->arg;

	(void)events;
	loop_timer_ack(v->tick_fd);
	backend_tick(v);
	vsw_tick();
	backend_process_all(v);
}

static int
vifd_setup_loop(struct vifd *v)
{
	int r;

	r = loop_open(&v->loop);
	if (r < 0)
		return r;
	v->upcall_fd = loop_event_new();
	v->tick_fd = loop_timer_new();
	if (v->upcall_fd < 0 || v->tick_fd < 0)
		return -EMFILE;
	loop_watch_init(&v->upcall_watch, v->upcall_fd, EPOLLIN, vifd_upcall,
	    v);
	loop_watch_init(&v->tick_watch, v->tick_fd, EPOLLIN, vifd_tick, v);
	if ((r = loop_add(&v->loop, &v->upcall_watch)) < 0 ||
	    (r = loop_add(&v->loop, &v->tick_watch)) < 0)
		return r;
	return loop_timer_periodic(v->tick_fd, 1000000000ull);
}

int
vifd_control_init(struct vifd *v)
{
	int r;

	v->upcall_fd = v->tick_fd = -1;
	TAILQ_INIT(&v->backends);
	snprintf(v->root, sizeof(v->root), "/local/domain/%u/backend/vif",
	    v->domid);
	r = vifd_setup_loop(v);
	if (r < 0)
		goto fail;
	loop_watch_init(&v->xs_watch, v->env->ops->xs_fileno(v->xs), EPOLLIN,
	    vifd_xs_ready, v);
	r = loop_add(&v->loop, &v->xs_watch);
	if (r < 0)
		goto fail;
	r = v->env->ops->xs_watch(v->xs, "@releaseDomain", RELEASE_TOKEN);
	if (r < 0) {
		errno = -r;
		log_warn("cannot watch @releaseDomain");
	}
	/* The first watch event scans what exists: devices left by a
	 * previous vifd are taken over in whatever state they are. */
	r = xswatch_init(&v->xsw, v->env, v->xs, v->root, &vifd_xswatch_ops, v);
	if (r < 0) {
		errno = -r;
		log_warn("cannot watch %s", v->root);
		goto fail;
	}
	return 0;
fail:
	vifd_control_fini(v);
	return r;
}

void
vifd_control_fini(struct vifd *v)
{
	backend_shutdown_all(v);
	if (v->xsw.root != NULL) {
		xswatch_fini(&v->xsw);
		(void)v->env->ops->xs_unwatch(v->xs, "@releaseDomain",
		    RELEASE_TOKEN);
	}
	if (v->upcall_fd >= 0)
		close(v->upcall_fd);
	if (v->tick_fd >= 0)
		close(v->tick_fd);
	v->upcall_fd = v->tick_fd = -1;
	loop_close(&v->loop);
}
