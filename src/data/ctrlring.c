/*
 * ctrlring.c - the worker that answers one vif's control ring.
 *
 * Owns the mapped ring page, the event-channel handle and bound port, the
 * thread and its loop (the event channel and a stop eventfd), the grant
 * copy that brings keys and mapping tables in, and the vif's hash state
 * between requests. What each request does is core/ctrl.c's; the result
 * is published to the queues through vif_rss. Events are unmasked only
 * after the ring is drained (the lateeoi rule the queues follow too), and
 * a pass answers at most CTRL_BUDGET requests before the loop turns, so
 * a flood is served at the worker's pace and holds no memory.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/ctrl.h"
#include "data/ctrlring.h"
#include "data/vif_rss.h"
#include "util/log.h"
#include "util/loop.h"
#include "util/sandbox.h"

struct ctrlring {
	char name[32];
	struct xen_env *env;
	uint16_t domid;
	unsigned int nq;
	struct vif_rss *rss;
	void (*fatal)(void *arg, const char *reason);
	void *arg;
	struct xen_gnttab *gnttab;
	struct xen_evtchn *evtchn;
	uint32_t port;
	void *map;
	xen_netif_ctrl_back_ring_t ring;	/* [worker] */
	struct ctrl_hash h;			/* [worker] */
	bool dead;				/* [worker] fatal seen */
	struct loop loop;
	struct loop_watch w_evtchn, w_stop;
	int stopfd;
	pthread_t thread;
	bool started;
	int stop;				/* [atomic] */
	uint64_t requests;			/* [atomic] */
};

/* ctrl_copy_fn: one grant copy from the start of the frontend's gref. */
static int
ctrlring_copy(void *arg, uint32_t gref, void *dst, uint32_t len)
{
	struct ctrlring *c = arg;
	struct xen_copy_seg seg;

	if (len == 0 || len > VIFD_PAGE_SIZE)
		return -EINVAL;
	memset(&seg, 0, sizeof(seg));
	seg.source.foreign.ref = gref;
	seg.source.foreign.offset = 0;
	seg.source.foreign.domid = c->domid;
	seg.dest.virt = dst;
	seg.len = (uint16_t)len;
	seg.flags = GNTCOPY_source_gref;
	seg.status = GNTST_general_error;
	if (c->env->ops->gnttab_grant_copy(c->gnttab, 1, &seg) < 0 ||
	    seg.status != GNTST_okay)
		return -EIO;
	return 0;
}

static void
ctrlring_on_evtchn(struct loop_watch *w, uint32_t events)
{
	struct ctrlring *c = w->arg;
	const struct xen_ops *ops = c->env->ops;
	struct ctrl_env env = { c->nq, ctrlring_copy, c };
	bool changed = false, notify = false, more = false;
	int p, n;

	(void)events;
	while ((p = ops->evtchn_pending(c->evtchn)) >= 0)
		;
	if (!c->dead) {
		n = ctrl_ring_serve(&c->ring, &c->h, &env, &changed, &notify,
		    &more);
		if (n < 0) {
			c->dead = true;
			log_warnx("%s: control ring: impossible request "
			    "producer; disabling the vif", c->name);
			c->fatal(c->arg, "control ring: impossible request "
			    "producer");
			return;		/* stays masked: we are done with it */
		}
		__atomic_add_fetch(&c->requests, (uint64_t)n,
		    __ATOMIC_RELAXED);
		if (changed)
			vif_rss_set(c->rss, &c->h);
		if (notify)
			(void)ops->evtchn_notify(c->evtchn, c->port);
		if (more)
			loop_event_signal(c->stopfd);	/* another pass */
	}
	(void)ops->evtchn_unmask(c->evtchn, c->port);
}

static void
ctrlring_on_stop(struct loop_watch *w, uint32_t events)
{
	struct ctrlring *c = w->arg;

	(void)events;
	loop_event_ack(c->stopfd);
	if (__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		loop_stop(&c->loop);
		return;
	}
	/* "More requests than one pass": serve on. */
	ctrlring_on_evtchn(&c->w_evtchn, EPOLLIN);
}

static void *
ctrlring_main(void *arg)
{
	struct ctrlring *c = arg;
	char comm[16];
	int r;

	snprintf(comm, sizeof(comm), "%.10s-ctrl", c->name);
	(void)pthread_setname_np(pthread_self(), comm);
	xen_env_thread_sandboxed(c->env);
	r = sandbox_enter_data(c->name, SANDBOX_KEEP_BPF);
	if (r < 0) {
		/* Never serve a guest unfiltered: the vif closes. */
		c->dead = true;
		log_warnx("%s: control ring: cannot enter the sandbox: %s",
		    c->name, strerror(-r));
		c->fatal(c->arg, "control ring: no sandbox");
		return NULL;
	}
	/* Requests sent before we listened are answered now. */
	ctrlring_on_evtchn(&c->w_evtchn, EPOLLIN);
	(void)loop_run(&c->loop);
	return NULL;
}

int
ctrlring_open(const struct ctrlring_params *p, struct ctrlring **out,
    char *err, size_t errlen)
{
	const struct xen_ops *ops = p->env->ops;
	struct ctrlring *c;
	xen_netif_ctrl_sring_t *s;
	uint32_t ref = p->ring_ref;
	int r;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errlen, "control ring: out of memory");
		return -ENOMEM;
	}
	snprintf(c->name, sizeof(c->name), "%s", p->name);
	c->env = p->env;
	c->domid = p->domid;
	c->nq = p->nqueues;
	c->rss = p->rss;
	c->fatal = p->fatal;
	c->arg = p->arg;
	c->stopfd = -1;
	c->loop.epfd = -1;
	ctrl_hash_init(&c->h);
	c->gnttab = ops->gnttab_open(c->env);
	if (c->gnttab == NULL) {
		r = -errno;
		snprintf(err, errlen, "control ring: opening the grant "
		    "table: %s", strerror(errno));
		goto fail;
	}
	c->map = ops->gnttab_map_refs(c->gnttab, 1, c->domid, &ref,
	    PROT_READ | PROT_WRITE);
	if (c->map == NULL) {
		r = -errno;
		snprintf(err, errlen, "mapping ctrl-ring-ref %u: %s", ref,
		    strerror(errno));
		goto fail;
	}
	s = c->map;
	/* Where the responses stand, as the data rings attach. */
	if (ring_load_index(&s->req_prod) - ring_load_index(&s->rsp_prod) >
	    __CONST_RING_SIZE(xen_netif_ctrl, VIFD_PAGE_SIZE)) {
		r = -EIO;
		snprintf(err, errlen, "control ring: impossible indices "
		    "(%u/%u)", s->req_prod, s->rsp_prod);
		goto fail;
	}
	BACK_RING_ATTACH(&c->ring, s, ring_load_index(&s->rsp_prod),
	    VIFD_PAGE_SIZE);
	c->evtchn = ops->evtchn_open(c->env);
	if (c->evtchn == NULL) {
		r = -errno;
		snprintf(err, errlen, "control ring: opening event channels: "
		    "%s", strerror(errno));
		goto fail;
	}
	r = ops->evtchn_bind_interdomain(c->evtchn, c->domid, p->evtchn);
	if (r < 0) {
		snprintf(err, errlen, "binding event-channel-ctrl %u: %s",
		    p->evtchn, strerror(-r));
		goto fail;
	}
	c->port = (uint32_t)r;
	r = loop_open(&c->loop);
	if (r < 0) {
		snprintf(err, errlen, "control ring: epoll: %s", strerror(-r));
		goto fail;
	}
	c->stopfd = loop_event_new();
	if (c->stopfd < 0) {
		r = -EMFILE;
		snprintf(err, errlen, "control ring: eventfd: %s",
		    strerror(-r));
		goto fail;
	}
	loop_watch_init(&c->w_evtchn, ops->evtchn_fd(c->evtchn), EPOLLIN,
	    ctrlring_on_evtchn, c);
	loop_watch_init(&c->w_stop, c->stopfd, EPOLLIN, ctrlring_on_stop, c);
	if ((r = loop_add(&c->loop, &c->w_evtchn)) < 0 ||
	    (r = loop_add(&c->loop, &c->w_stop)) < 0) {
		snprintf(err, errlen, "control ring: epoll: %s", strerror(-r));
		goto fail;
	}
	c->started = true;
	r = -pthread_create(&c->thread, NULL, ctrlring_main, c);
	if (r < 0) {
		c->started = false;
		snprintf(err, errlen, "control ring: thread: %s", strerror(-r));
		goto fail;
	}
	*out = c;
	return 0;
fail:
	ctrlring_close(c);
	return r;
}

void
ctrlring_close(struct ctrlring *c)
{
	const struct xen_ops *ops;

	if (c == NULL)
		return;
	ops = c->env->ops;
	if (c->started) {
		__atomic_store_n(&c->stop, 1, __ATOMIC_RELEASE);
		loop_event_signal(c->stopfd);
		pthread_join(c->thread, NULL);
	}
	if (c->stopfd >= 0)
		close(c->stopfd);
	if (c->loop.epfd >= 0)
		loop_close(&c->loop);
	if (c->evtchn != NULL) {
		if (c->port != 0)
			(void)ops->evtchn_unbind(c->evtchn, c->port);
		ops->evtchn_close(c->evtchn);
	}
	if (c->map != NULL)
		(void)ops->gnttab_unmap(c->gnttab, c->map, 1);
	if (c->gnttab != NULL)
		ops->gnttab_close(c->gnttab);
	free(c);
}

uint64_t
ctrlring_requests(const struct ctrlring *c)
{
	return __atomic_load_n(&c->requests, __ATOMIC_RELAXED);
}
