/*
 * vif.c - connecting and disconnecting the data plane of one vif.
 *
 * Owns the queues of a connected vif: for each netif queue it maps the TX
 * and RX rings, binds the event channel(s), opens a TAP queue fd with the
 * offloads the frontend negotiated, and starts the worker; on disconnect
 * it stops the workers first and then undoes the rest in reverse. It is
 * also where the control thread and the workers meet: rate changes go
 * down, fatal frontend errors come up (through an eventfd).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "frontend.h"
#include "log.h"
#include "loop.h"
#include "queue.h"
#include "ring.h"
#include "tap.h"
#include "vif.h"
#include "vnet_hdr.h"

struct vif {
	char name[32];
	char ifname[IFNAMSIZ];
	struct xen_env *env;
	uint32_t fe_domid;
	int upcall_fd;
	unsigned int nq;
	struct queue *q;		/* array of nq */
	pthread_mutex_t lock;		/* fatal_reason, queue rates */
	int fatal;			/* [atomic] */
	char fatal_reason[160];		/* [lock] */
	int stalled_queues;		/* [atomic] */
	unsigned int max_mtu;		/* what the frontend can take */
};

/* Called by a worker (any thread): report a rogue frontend once. */
void
vif_report_fatal(struct vif *vif, const char *reason)
{
	pthread_mutex_lock(&vif->lock);
	if (!__atomic_load_n(&vif->fatal, __ATOMIC_RELAXED))
		snprintf(vif->fatal_reason, sizeof(vif->fatal_reason), "%s",
		    reason);
	__atomic_store_n(&vif->fatal, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&vif->lock);
	loop_event_signal(vif->upcall_fd);
}

/* Called by a worker: its queue stalled (true) or recovered (false).
 * The TAP's carrier is off while any queue is stalled, as Linux turns
 * the vif's carrier off (it is per device, not per queue). */
void
vif_queue_stalled(struct vif *vif, int tapfd, bool stalled)
{
	int n;

	if (stalled) {
		n = __atomic_add_fetch(&vif->stalled_queues, 1, __ATOMIC_ACQ_REL);
		if (n == 1)
			(void)tap_set_carrier(tapfd, false);
	} else {
		n = __atomic_sub_fetch(&vif->stalled_queues, 1, __ATOMIC_ACQ_REL);
		if (n == 0)
			(void)tap_set_carrier(tapfd, true);
	}
}

static void
vif_queue_release(struct vif *vif, struct queue *q)
{
	const struct xen_ops *ops = vif->env->ops;

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
}

/* Sets up one queue's handles. Returns 0 or -errno with a reason. */
static int
vif_queue_setup(struct vif *vif, struct queue *q,
    const struct frontend_info *fi, unsigned int mtu, char *err,
    size_t errlen)
{
	const struct xen_ops *ops = vif->env->ops;
	const struct frontend_queue *fq = &fi->q[q->id];
	uint32_t ref;
	int r;

	q->gnttab = ops->gnttab_open(vif->env);
	if (q->gnttab == NULL) {
		r = -errno;
		snprintf(err, errlen, "queue %u: opening the grant table: %s",
		    q->id, strerror(errno));
		return r;
	}
	ref = fq->tx_ring_ref;
	q->tx_map = ops->gnttab_map_refs(q->gnttab, 1, vif->fe_domid, &ref,
	    PROT_READ | PROT_WRITE);
	if (q->tx_map == NULL) {
		r = -errno;
		snprintf(err, errlen, "queue %u: mapping tx-ring-ref %u: %s",
		    q->id, ref, strerror(errno));
		return r;
	}
	ref = fq->rx_ring_ref;
	q->rx_map = ops->gnttab_map_refs(q->gnttab, 1, vif->fe_domid, &ref,
	    PROT_READ | PROT_WRITE);
	if (q->rx_map == NULL) {
		r = -errno;
		snprintf(err, errlen, "queue %u: mapping rx-ring-ref %u: %s",
		    q->id, ref, strerror(errno));
		return r;
	}
	/* §1.8 rule 1: a ring whose producer is impossibly far ahead of the
	 * responses is refused at attach (Linux: -EIO). */
	{
		const netif_tx_sring_t *ts = q->tx_map;
		const netif_rx_sring_t *rs = q->rx_map;
		RING_IDX tp = ring_load_index(&ts->req_prod);
		RING_IDX tr = ring_load_index(&ts->rsp_prod);
		RING_IDX rp = ring_load_index(&rs->req_prod);
		RING_IDX rr = ring_load_index(&rs->rsp_prod);

		if (tp - tr > VIFD_TX_RING_SIZE || rp - rr > VIFD_RX_RING_SIZE) {
			snprintf(err, errlen, "queue %u: impossible ring "
			    "indices (tx %u/%u, rx %u/%u)", q->id, tp, tr, rp,
			    rr);
			return -EIO;
		}
	}
	q->evtchn = ops->evtchn_open(vif->env);
	if (q->evtchn == NULL) {
		r = -errno;
		snprintf(err, errlen, "queue %u: opening event channels: %s",
		    q->id, strerror(errno));
		return r;
	}
	r = ops->evtchn_bind_interdomain(q->evtchn, vif->fe_domid,
	    fq->evtchn_tx);
	if (r < 0) {
		snprintf(err, errlen, "queue %u: binding event channel %u: %s",
		    q->id, fq->evtchn_tx, strerror(-r));
		return r;
	}
	q->port_tx = (uint32_t)r;
	if (fq->split) {
		r = ops->evtchn_bind_interdomain(q->evtchn, vif->fe_domid,
		    fq->evtchn_rx);
		if (r < 0) {
			snprintf(err, errlen, "queue %u: binding event channel "
			    "%u: %s", q->id, fq->evtchn_rx, strerror(-r));
			return r;
		}
		q->port_rx = (uint32_t)r;
	} else
		q->port_rx = q->port_tx;

	q->tapfd = tap_open_queue(vif->ifname, NULL);
	if (q->tapfd < 0) {
		r = q->tapfd;
		snprintf(err, errlen, "queue %u: opening a queue of %s: %s",
		    q->id, vif->ifname, strerror(-r));
		return r;
	}
	r = tap_set_offload(q->tapfd, &q->fe);
	if (r < 0) {
		snprintf(err, errlen, "queue %u: TUNSETOFFLOAD: %s", q->id,
		    strerror(-r));
		return r;
	}
	(void)mtu;
	return 0;
}

int
vif_connect(struct xen_env *env, const struct vif_params *p,
    struct vif **out, char *err, size_t errlen)
{
	const struct frontend_info *fi = p->fi;
	struct vif *vif;
	unsigned int i, mtu;
	int r;

	vif = calloc(1, sizeof(*vif));
	if (vif == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(vif->name, sizeof(vif->name), "%s", p->name);
	snprintf(vif->ifname, sizeof(vif->ifname), "%s", p->ifname);
	vif->env = env;
	vif->fe_domid = p->fe_domid;
	vif->upcall_fd = p->upcall_fd;
	pthread_mutex_init(&vif->lock, NULL);
	vif->nq = fi->num_queues;
	vif->q = calloc(vif->nq, sizeof(*vif->q));
	if (vif->q == NULL) {
		free(vif);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}

	/*
	 * MTU: without scatter-gather every frame to the guest must fit one
	 * page, so the TAP may not exceed 1500 (netif.h, Linux
	 * xenvif_change_mtu); with SG up to 65535 - VLAN_ETH_HLEN.
	 */
	vif->max_mtu = fi->sg ? 65535 - 18 : 1500;
	mtu = p->mtu ? p->mtu : 1500;
	if (mtu > vif->max_mtu)
		mtu = vif->max_mtu;
	r = tap_set_mtu(p->ifname, mtu);
	if (r < 0)
		log_warnx("%s: cannot set MTU %u on %s: %s", p->name, mtu,
		    p->ifname, strerror(-r));

	for (i = 0; i < vif->nq; i++) {
		struct queue *q = &vif->q[i];

		q->vif = vif;
		q->id = i;
		q->env = env;
		q->domid = (uint16_t)p->fe_domid;
		q->tapfd = -1;
		snprintf(q->name, sizeof(q->name), "%s q%u", p->name, i);
		q->fe.csum_ipv4 = fi->csum_v4;
		q->fe.csum_ipv6 = fi->csum_v6;
		q->fe.gso_tcpv4 = fi->gso_tcpv4 && fi->sg;
		q->fe.gso_tcpv6 = fi->gso_tcpv6 && fi->sg;
		q->fe.sg = fi->sg;
		q->sg = fi->sg;
		q->rx_notify = fi->rx_notify;
		/* The largest frame the frontend can receive: one page
		 * without SG, else as many pages as netif allows. */
		q->max_rx_frame = fi->sg ? RX_MAX_FRAME_LEN : VIFD_PAGE_SIZE;
		q->rate_out = p->out;
		q->rate_in = p->in;
		r = vif_queue_setup(vif, q, fi, mtu, err, errlen);
		if (r < 0)
			goto fail;
	}
	for (i = 0; i < vif->nq; i++) {
		r = queue_start(&vif->q[i]);
		if (r < 0) {
			snprintf(err, errlen, "queue %u: starting its worker: %s",
			    i, strerror(-r));
			goto fail;
		}
	}
	*out = vif;
	return 0;
fail:
	vif_disconnect(vif);
	return r;
}

void
vif_clamp_mtu(struct vif *vif)
{
	int mtu = tap_get_mtu(vif->ifname);

	if (mtu > 0 && (unsigned int)mtu > vif->max_mtu) {
		log_info("%s: MTU %d on %s is more than the frontend takes; "
		    "%u", vif->name, mtu, vif->ifname, vif->max_mtu);
		(void)tap_set_mtu(vif->ifname, vif->max_mtu);
	}
}

void
vif_disconnect(struct vif *vif)
{
	unsigned int i;

	if (vif == NULL)
		return;
	/* Workers first: nothing may touch a ring we unmap. */
	for (i = 0; i < vif->nq; i++)
		if (vif->q[i].started)
			queue_stop(&vif->q[i]);
	for (i = 0; i < vif->nq; i++)
		vif_queue_release(vif, &vif->q[i]);
	pthread_mutex_destroy(&vif->lock);
	free(vif->q);
	free(vif);
}

void
vif_set_rate(struct vif *vif, const struct vif_rate *out,
    const struct vif_rate *in)
{
	unsigned int i;

	pthread_mutex_lock(&vif->lock);
	for (i = 0; i < vif->nq; i++) {
		vif->q[i].rate_out = *out;
		vif->q[i].rate_in = *in;
	}
	pthread_mutex_unlock(&vif->lock);
	for (i = 0; i < vif->nq; i++)
		queue_kick_rate(&vif->q[i]);
}

/* Worker side of vif_set_rate: the queue's current limits. */
void
vif_get_rates(struct vif *vif, const struct queue *q,
    struct vif_rate *out, struct vif_rate *in)
{
	pthread_mutex_lock(&vif->lock);
	*out = q->rate_out;
	*in = q->rate_in;
	pthread_mutex_unlock(&vif->lock);
}

bool
vif_has_fatal(const struct vif *vif)
{
	return __atomic_load_n(&vif->fatal, __ATOMIC_ACQUIRE) != 0;
}

bool
vif_take_fatal(struct vif *vif, char *reason, size_t len)
{
	if (!vif_has_fatal(vif))
		return false;
	pthread_mutex_lock(&vif->lock);
	snprintf(reason, len, "%s", vif->fatal_reason);
	pthread_mutex_unlock(&vif->lock);
	return true;
}

unsigned int
vif_nqueues(const struct vif *vif)
{
	return vif->nq;
}

void
vif_queue_stats(const struct vif *vif, unsigned int q,
    struct queue_stats *out)
{
	queue_get_stats(&vif->q[q], out);
}
