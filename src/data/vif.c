/*
 * vif.c - connecting and disconnecting the data plane of one vif.
 *
 * Owns the queues of a connected vif: it sets the TAP's MTU to what the
 * frontend can take, opens one queue per netif queue (queue_open maps
 * the rings, binds the event channels and opens a TAP queue) and starts
 * their workers; on disconnect it stops every worker first and then
 * closes the queues. It is also where the control thread and the workers
 * meet: rate changes and request-multicast-control go down (queue_set_rate,
 * the multicast filter all queues share), and the queues' upcalls
 * come up here: a fatal frontend error (kept, and signalled through an
 * eventfd to the control loop) and a stalled RX ring (the TAP's carrier).
 * With a control ring it also owns the ring's worker (ctrlring.c) and the
 * receive-side scaling state its queues share (vif_rss.c), with the
 * kernel's steering of the TAP when the kernel takes it (tap_steer.c).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/frontend.h"
#include "util/log.h"
#include "util/loop.h"
#include "data/queue.h"
#include "data/shaper.h"
#include "data/tap.h"
#include "data/vif.h"
#include "data/vif_mcast.h"
#include "data/vif_rss.h"
#include "data/vswitch.h"
#include "data/tap_steer.h"
#include "data/ctrlring.h"
#include "core/featmask.h"

struct vif {
	char name[32];
	char ifname[IFNAMSIZ];
	struct xen_env *env;
	int upcall_fd;
	unsigned int nq;
	struct queue *q;		/* array of nq */
	unsigned int nopen;		/* q[0..nopen) are open */
	pthread_mutex_t lock;		/* fatal_reason */
	int fatal;			/* [atomic] */
	char fatal_reason[160];		/* [lock] */
	int stalled_queues;		/* [lock] */
	bool link_down;			/* [lock] vifd-link is down */
	bool carrier;			/* [lock] what the TAP was told */
	unsigned int max_mtu;		/* what the frontend can take */
	struct vif_mcast mcast;		/* shared by the queues */
	/* libvirt's limits are the interface's: one bucket per direction
	 * for all the queues (shaper.c says why a shared one). */
	struct shaper shape_out, shape_in;
	bool has_rss;			/* a control ring: rss is set up */
	struct vif_rss rss;		/* shared by the queues */
	struct ctrlring *ctrl;		/* its worker, or NULL */
	struct vsw_port *swport;	/* its switch port, or NULL */
};

/* Upcall of a worker (any thread): a rogue frontend, reported once. */
static void
vif_on_fatal(void *arg, const struct queue *q, const char *reason)
{
	struct vif *vif = arg;

	(void)q;
	pthread_mutex_lock(&vif->lock);
	if (!__atomic_load_n(&vif->fatal, __ATOMIC_RELAXED))
		snprintf(vif->fatal_reason, sizeof(vif->fatal_reason), "%s",
		    reason);
	__atomic_store_n(&vif->fatal, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&vif->lock);
	loop_event_signal(vif->upcall_fd);
}

/* Tells the TAP its carrier: off while any queue is stalled, as Linux
 * turns the vif's carrier off (it is per device, not per queue), and
 * while the admin has the link down. Under vif->lock: a worker's stall
 * and the control thread's link change must not overtake each other. */
static void
vif_carrier_locked(struct vif *vif)
{
	bool on = vif->stalled_queues == 0 && !vif->link_down;

	if (on != vif->carrier && vif->nopen > 0) {
		(void)tap_set_carrier(vif->q[0].tapfd, on);
		vif->carrier = on;
	}
}

/* Upcall of a worker: its queue stalled (true) or recovered (false). */
static void
vif_on_stalled(void *arg, const struct queue *q, bool stalled)
{
	struct vif *vif = arg;

	(void)q;
	pthread_mutex_lock(&vif->lock);
	vif->stalled_queues += stalled ? 1 : -1;
	vif_carrier_locked(vif);
	pthread_mutex_unlock(&vif->lock);
}

/* The control ring's worker found the frontend rogue. */
static void
vif_on_ctrl_fatal(void *arg, const char *reason)
{
	vif_on_fatal(arg, NULL, reason);
}

static const struct queue_upcalls vif_upcalls = {
	.fatal = vif_on_fatal,
	.stalled = vif_on_stalled,
};

/* What the frontend takes on guest RX (the mask already applied by
 * frontend_read_masked): its queues' view, and its switch port's. */
static void
vif_rx_features(const struct frontend_info *fi, struct vnet_features *fe)
{
	memset(fe, 0, sizeof(*fe));
	fe->csum_ipv4 = fi->csum_v4;
	fe->csum_ipv6 = fi->csum_v6;
	fe->gso_tcpv4 = fi->gso_tcpv4 && fi->sg;
	fe->gso_tcpv6 = fi->gso_tcpv6 && fi->sg;
	fe->sg = fi->sg;
}

/* What queue i of this vif is opened with. */
static void
vif_queue_params(struct vif *vif, const struct vif_params *p,
    unsigned int i, char *name, size_t namelen, struct queue_params *qp)
{
	const struct frontend_info *fi = p->fi;

	snprintf(name, namelen, "%s q%u", p->name, i);
	memset(qp, 0, sizeof(*qp));
	qp->env = vif->env;
	qp->id = i;
	qp->name = name;
	qp->domid = (uint16_t)p->fe_domid;
	qp->fq = fi->q[i];
	qp->ifname = vif->ifname;
	qp->tapfd = -1;
	vif_rx_features(fi, &qp->fe);
	qp->feat_off = p->feat_off;
	qp->rx_notify = fi->rx_notify;
	/* The largest frame the frontend can receive: one page without SG,
	 * else as many pages as netif allows. */
	qp->max_rx_frame = fi->sg ? RX_MAX_FRAME_LEN : VIFD_PAGE_SIZE;
	qp->xdp_headroom = fi->xdp_headroom;
	qp->out = p->out;
	qp->in = p->in;
	qp->mcast = &vif->mcast;
	qp->shape_out = &vif->shape_out;
	qp->shape_in = &vif->shape_in;
	qp->rss = vif->has_rss ? &vif->rss : NULL;
	/* Every queue sends into the switch; the first delivers from it
	 * (RSS spreads those frames over the queues like the TAP's). */
	qp->swport = vif->swport;
	qp->swin = vif->swport != NULL && i == 0 ?
	    vsw_port_inbox(vif->swport) : NULL;
	qp->up = &vif_upcalls;
	qp->up_arg = vif;
}

/*
 * The kernel steers this vif's TAP if it takes our BPF program; else the
 * software path alone does (said once, at info level: a sandbox or a
 * kernel without BPF is not an error).
 */
static void
vif_steer_attach(struct vif *vif)
{
	struct tap_steer *s;
	char why[128];
	int r;

	r = tap_steer_open(vif->q[0].tapfd, vif->nq, &s, why, sizeof(why));
	if (r < 0) {
		log_info("%s: software steering only: %s", vif->name, why);
		return;
	}
	(void)vif_rss_set_steer(&vif->rss, s);
	log_info("%s: the kernel steers the TAP to the frontend's queues "
	    "while it hashes (BPF program for %s)", vif->name, vif->ifname);
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
	vif->upcall_fd = p->upcall_fd;
	pthread_mutex_init(&vif->lock, NULL);
	shaper_init(&vif->shape_out);
	shaper_init(&vif->shape_in);
	shaper_set(&vif->shape_out, &p->shape_out);
	shaper_set(&vif->shape_in, &p->shape_in);
	vif->nq = fi->num_queues;
	vif->q = calloc(vif->nq, sizeof(*vif->q));
	if (vif->q == NULL) {
		shaper_destroy(&vif->shape_out);
		shaper_destroy(&vif->shape_in);
		pthread_mutex_destroy(&vif->lock);
		free(vif);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* A new connection starts with an empty list (Linux frees it at
	 * disconnect, xenvif_mcast_addr_list_free). */
	vif_mcast_init(&vif->mcast, fi->mcast_control);

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

	/* The control ring (feature-ctrl-ring; frontend_read_masked left
	 * has_ctrl_ring false if the admin masked it). */
	if (fi->has_ctrl_ring && !(p->feat_off & FEATMASK_CTRL_RING)) {
		r = vif_rss_init(&vif->rss, vif->nq);
		if (r < 0) {
			snprintf(err, errlen, "control ring: %s", strerror(-r));
			goto fail;
		}
		vif->has_rss = true;
	}
	if (p->sw != NULL) {
		struct vnet_features rx;
		struct vsw_port_params sp = {
			.sw = p->sw, .name = p->name, .mac = p->sw_mac,
			.isolated = p->sw_isolated, .peer = p->sw_peer,
			.vlan = p->sw_vlan, .rx = &rx, .env = vif->env,
		};

		vif_rx_features(fi, &rx);

		r = vsw_port_join(&sp, &vif->swport, err, errlen);
		if (r < 0)
			goto fail;
		log_info("%s: a port of %s %s%s", vif->name, p->sw_peer ?
		    "peer link" : "switch", p->sw, p->sw_isolated &&
		    !p->sw_peer ? ", isolated" : "");
		if (p->sw_vlan != 0 && !p->sw_peer)
			log_info("%s: in VLAN %u on switch %s", vif->name,
			    p->sw_vlan, p->sw);
	}
	for (i = 0; i < vif->nq; i++) {
		struct queue_params qp;
		char qname[48];

		vif_queue_params(vif, p, i, qname, sizeof(qname), &qp);
		r = queue_open(&vif->q[i], &qp, err, errlen);
		if (r < 0)
			goto fail;
		vif->nopen++;
	}
	if (vif->has_rss) {
		struct ctrlring_params cp = {
			.env = env, .name = vif->name,
			.domid = (uint16_t)p->fe_domid,
			.ring_ref = fi->ctrl_ring_ref, .evtchn = fi->ctrl_evtchn,
			.nqueues = vif->nq, .rss = &vif->rss,
			.fatal = vif_on_ctrl_fatal, .arg = vif,
		};

		r = ctrlring_open(&cp, &vif->ctrl, err, errlen);
		if (r < 0)
			goto fail;
		vif_steer_attach(vif);
	}
	/* The carrier as this connection starts: an earlier one may have
	 * left it off (a stall, the link down), so it is told either way. */
	vif->carrier = p->link_down;
	vif_set_link(vif, !p->link_down);
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
	/* Every worker first, then the handles: while one queue's rings
	 * go, no other queue's worker still runs (nor steers frames to
	 * it); the inboxes go last. */
	ctrlring_close(vif->ctrl);
	for (i = 0; i < vif->nopen; i++)
		queue_stop(&vif->q[i]);
	if (vif->has_rss)
		tap_steer_close(vif_rss_set_steer(&vif->rss, NULL));
	for (i = 0; i < vif->nopen; i++)
		queue_close(&vif->q[i]);
	if (vif->has_rss)
		vif_rss_destroy(&vif->rss);
	/* No worker of ours runs: the port may go (other ports' workers
	 * stop handing it frames under the switch's lock). */
	if (vif->swport != NULL)
		vsw_port_leave(vif->swport);
	vif_mcast_destroy(&vif->mcast);
	pthread_mutex_destroy(&vif->lock);
	shaper_destroy(&vif->shape_out);
	shaper_destroy(&vif->shape_in);
	free(vif->q);
	free(vif);
}

void
vif_set_link(struct vif *vif, bool up)
{
	unsigned int i;

	pthread_mutex_lock(&vif->lock);
	vif->link_down = !up;
	for (i = 0; i < vif->nopen; i++)
		queue_set_link(&vif->q[i], up);
	vif_carrier_locked(vif);
	pthread_mutex_unlock(&vif->lock);
}

void
vif_set_rate(struct vif *vif, const struct ratelimit_rate *out,
    const struct ratelimit_rate *in, const struct shape_conf *shape_out,
    const struct shape_conf *shape_in)
{
	unsigned int i;

	/* The shapes first: the queues' wake-up below makes every waiting
	 * worker retry, under whichever limit is now in force. */
	shaper_set(&vif->shape_out, shape_out);
	shaper_set(&vif->shape_in, shape_in);
	for (i = 0; i < vif->nopen; i++)
		queue_set_rate(&vif->q[i], out, in);
}

void
vif_set_xdp_headroom(struct vif *vif, uint16_t headroom)
{
	unsigned int i;

	for (i = 0; i < vif->nopen; i++)
		queue_set_xdp_headroom(&vif->q[i], headroom);
}

void
vif_set_mcast_control(struct vif *vif, bool on)
{
	vif_mcast_set_enabled(&vif->mcast, on);
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

const char *
vif_steering(struct vif *vif)
{
	struct ctrl_hash h;

	if (!vif->has_rss)
		return "none";
	if (vif_rss_kernel_steers(&vif->rss))
		return "ebpf";
	(void)vif_rss_get(&vif->rss, &h);
	return ctrl_hash_active(&h) ? "software" : "none";
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

const char *
vif_switch(const struct vif *vif)
{
	return vif->swport != NULL ? vsw_port_switch(vif->swport) : NULL;
}

void
vif_switch_stats(const struct vif *vif, struct vsw_port_stats *out)
{
	if (vif->swport == NULL) {
		memset(out, 0, sizeof(*out));
		return;
	}
	vsw_port_stats(vif->swport, out);
}

bool
vif_switch_xsk(const struct vif *vif, char *name, size_t len,
    struct vsw_xsk_stats *out)
{
	return vif->swport != NULL &&
	    vsw_port_xsk(vif->swport, name, len, out);
}

bool
vif_switch_peer(const struct vif *vif)
{
	return vif->swport != NULL && vsw_port_peer(vif->swport);
}

bool
vif_switch_set_vlan(struct vif *vif, uint16_t vid)
{
	if (vif->swport == NULL)
		return false;
	vsw_port_set_vlan(vif->swport, vid);
	return true;
}

bool
vif_switch_set_isolated(struct vif *vif, bool on)
{
	if (vif->swport == NULL)
		return false;
	vsw_port_set_isolated(vif->swport, on);
	return true;
}
