/*
 * queue_open.c - the handles one netif queue holds: its grant-mapped
 * rings, its event-channel handle and bound ports, its TAP queue fd.
 *
 * Owns their acquisition and their release, in reverse and from any
 * point of a failed set-up, and the check Linux makes when it attaches
 * to a frontend's rings. The worker that uses them is queue.c's; the
 * vif that owns the queues is vif.c's and is not known here.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "data/queue_int.h"
#include "data/tap.h"
#include "data/tapio.h"

/* Maps one ring page of the frontend's; 0 or -errno with a reason. */
static int
queue_map_ring(struct queue *q, const char *key, uint32_t ref, void **map,
    char *err, size_t errlen)
{
	const struct xen_ops *ops = q->env->ops;
	int r;

	*map = ops->gnttab_map_refs(q->gnttab, 1, q->domid, &ref,
	    PROT_READ | PROT_WRITE);
	if (*map == NULL) {
		r = -errno;
		snprintf(err, errlen, "queue %u: mapping %s %u: %s", q->id, key,
		    ref, strerror(errno));
		return r;
	}
	return 0;
}

/*
 * §1.8 rule 1: a ring whose producer is impossibly far ahead of the
 * responses is refused at attach (Linux: -EIO).
 */
static int
queue_check_rings(struct queue *q, char *err, size_t errlen)
{
	const netif_tx_sring_t *ts = q->tx_map;
	const netif_rx_sring_t *rs = q->rx_map;
	RING_IDX tp = ring_load_index(&ts->req_prod);
	RING_IDX tr = ring_load_index(&ts->rsp_prod);
	RING_IDX rp = ring_load_index(&rs->req_prod);
	RING_IDX rr = ring_load_index(&rs->rsp_prod);

	if (tp - tr > VIFD_TX_RING_SIZE || rp - rr > VIFD_RX_RING_SIZE) {
		snprintf(err, errlen, "queue %u: impossible ring indices "
		    "(tx %u/%u, rx %u/%u)", q->id, tp, tr, rp, rr);
		return -EIO;
	}
	return 0;
}

/* Binds the frontend's port `remote` into *local; 0 or -errno with a
 * reason. */
static int
queue_bind_port(struct queue *q, uint32_t remote, uint32_t *local,
    char *err, size_t errlen)
{
	int r;

	r = q->env->ops->evtchn_bind_interdomain(q->evtchn, q->domid, remote);
	if (r < 0) {
		snprintf(err, errlen, "queue %u: binding event channel %u: %s",
		    q->id, remote, strerror(-r));
		return r;
	}
	*local = (uint32_t)r;
	return 0;
}

/* Binds the frontend's port(s); 0 or -errno with a reason. */
static int
queue_bind(struct queue *q, const struct queue_params *p, char *err,
    size_t errlen)
{
	int r;

	q->evtchn = q->env->ops->evtchn_open(q->env);
	if (q->evtchn == NULL) {
		r = -errno;
		snprintf(err, errlen, "queue %u: opening event channels: %s",
		    q->id, strerror(errno));
		return r;
	}
	r = queue_bind_port(q, p->fq.evtchn_tx, &q->port_tx, err, errlen);
	if (r < 0)
		return r;
	if (!p->fq.split) {
		q->port_rx = q->port_tx;
		return 0;
	}
	return queue_bind_port(q, p->fq.evtchn_rx, &q->port_rx, err, errlen);
}

/* A queue of the TAP with the frontend's offloads; 0 or -errno. */
static int
queue_open_tap(struct queue *q, const char *ifname, char *err,
    size_t errlen)
{
	int r;

	q->tapfd = tap_open_queue(ifname, NULL);
	if (q->tapfd < 0) {
		r = q->tapfd;
		snprintf(err, errlen, "queue %u: opening a queue of %s: %s",
		    q->id, ifname, strerror(-r));
		return r;
	}
	r = tap_set_offload(q->tapfd, &q->fe);
	if (r < 0) {
		snprintf(err, errlen, "queue %u: TUNSETOFFLOAD: %s", q->id,
		    strerror(-r));
		return r;
	}
	return 0;
}

int
queue_open(struct queue *q, const struct queue_params *p, char *err,
    size_t errlen)
{
	int r;

	memset(q, 0, sizeof(*q));
	q->id = p->id;
	snprintf(q->name, sizeof(q->name), "%s", p->name);
	snprintf(q->ifname, sizeof(q->ifname), "%s", p->ifname != NULL ?
	    p->ifname : "?");
	q->copy_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(1000, 3);
	q->place_rl = q->copy_rl;
	q->notify_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(1000, 3);
	q->env = p->env;
	q->domid = p->domid;
	q->up = p->up;
	q->up_arg = p->up_arg;
	q->fe = p->fe;
	q->feat_off = p->feat_off;
	q->rx_notify = p->rx_notify;
	q->max_rx_frame = p->max_rx_frame;
	q->rx_times.drain_ns = p->rx_drain_ns != 0 ? p->rx_drain_ns :
	    QUEUE_RX_DRAIN_NS;
	q->rx_times.stall_ns = p->rx_stall_ns != 0 ? p->rx_stall_ns :
	    QUEUE_RX_STALL_NS;
	q->xdp_headroom = p->xdp_headroom;
	q->mcast = p->mcast;
	q->rss = p->rss;
	q->swport = p->swport;
	q->swin = p->swin;
	q->rate_out = p->out;
	q->rate_in = p->in;
	q->txl.shaper = p->shape_out;
	q->rxl.shaper = p->shape_in;
	q->txl.who = q->rxl.who = p->id;
	q->tapfd = p->tapfd;	/* ours from here on, also on failure */
	q->timerfd = q->ctlfd = -1;
	pthread_mutex_init(&q->rate_lock, NULL);
	pthread_mutex_init(&q->rx_lock, NULL);

	q->gnttab = q->env->ops->gnttab_open(q->env);
	if (q->gnttab == NULL) {
		r = -errno;
		snprintf(err, errlen, "queue %u: opening the grant table: %s",
		    q->id, strerror(errno));
		goto fail;
	}
	if ((r = queue_map_ring(q, "tx-ring-ref", p->fq.tx_ring_ref, &q->tx_map,
	    err, errlen)) < 0 ||
	    (r = queue_map_ring(q, "rx-ring-ref", p->fq.rx_ring_ref, &q->rx_map,
	    err, errlen)) < 0 ||
	    (r = queue_check_rings(q, err, errlen)) < 0 ||
	    (r = queue_bind(q, p, err, errlen)) < 0)
		goto fail;
	if (q->tapfd < 0 && (r = queue_open_tap(q, p->ifname, err,
	    errlen)) < 0)
		goto fail;
	q->tio = malloc(sizeof(*q->tio));
	if (q->tio == NULL ||
	    (r = tapio_open(q->tio, q->tapfd, q->swport == NULL)) < 0) {
		free(q->tio);
		q->tio = NULL;
		r = -ENOMEM;
		snprintf(err, errlen, "queue %u: the TAP's writes: %s", q->id,
		    strerror(-r));
		goto fail;
	}
	return 0;
fail:
	queue_close(q);
	return r;
}

void
queue_close(struct queue *q)
{
	const struct xen_ops *ops = q->env->ops;

	/* The worker first: nothing may touch a ring we unmap. */
	queue_stop(q);
	if (q->tio != NULL) {
		tapio_close(q->tio);
		free(q->tio);
		q->tio = NULL;
	}
	if (q->tapfd >= 0)
		close(q->tapfd);
	if (q->evtchn != NULL) {
		if (q->port_tx != 0)
			(void)ops->evtchn_unbind(q->evtchn, q->port_tx);
		if (q->port_rx != 0 && q->port_rx != q->port_tx)
			(void)ops->evtchn_unbind(q->evtchn, q->port_rx);
		ops->evtchn_close(q->evtchn);
	}
	if (q->gnttab != NULL) {
		if (q->tx_map != NULL)
			(void)ops->gnttab_unmap(q->gnttab, q->tx_map, 1);
		if (q->rx_map != NULL)
			(void)ops->gnttab_unmap(q->gnttab, q->rx_map, 1);
		ops->gnttab_close(q->gnttab);
	}
	q->tapfd = -1;
	q->evtchn = NULL;
	q->gnttab = NULL;
	q->tx_map = q->rx_map = NULL;
	pthread_mutex_destroy(&q->rate_lock);
	pthread_mutex_destroy(&q->rx_lock);
}
