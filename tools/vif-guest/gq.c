/*
 * gq.c - one netfront queue of the simulated guest: its two rings, its
 * event channel(s), its granted RX buffers and TX page pool, and the
 * worker thread that moves frames while connected, as Linux netfront's
 * xennet_start_xmit / xennet_tx_buf_gc / xennet_poll /
 * xennet_alloc_rx_buffers do. The frame source and sink depend on the
 * mode: the guest TAP (tap), a prebuilt frame (gen), counters only (sink,
 * evil). Owns no xenstore traffic (gbus.c) and no attack (evil.c).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/csum.h"
#include "core/hdr.h"
#include "util/log.h"
#include "util/loop.h"
#include "vif-guest.h"

void
gq_peer_features(const struct vg *vg, struct vnet_features *f)
{
	/* A backend always takes IPv4 csum_blank (netif.h: checksum
	 * offload is the default); the rest it has to advertise. */
	f->csum_ipv4 = true;
	f->csum_ipv6 = vg->bf.ipv6_csum;
	f->gso_tcpv4 = vg->bf.gso_tcpv4;
	f->gso_tcpv6 = vg->bf.gso_tcpv6;
	f->sg = vg->bf.sg;
}

/* ---- setup and teardown ---------------------------------------------- */

/* gen: build the frame once, plan its layout, and put one copy of it in
 * each group of pool pages, so sending never copies or grants again. */
static int
gq_gen_prefill(struct gq *q)
{
	struct vg *vg = q->vg;
	struct gframe_addr a;
	struct txplan_piece pc[2];
	unsigned int n = 1, g, j;
	int rc;

	memset(&a, 0, sizeof(a));
	memcpy(a.src_mac, vg->mac, 6);
	memcpy(a.dst_mac, vg->o.dst_mac, 6);
	memcpy(a.saddr, vg->o.src_ip, 4);
	memcpy(a.daddr, vg->o.dst_ip, 4);
	a.sport = (uint16_t)(9000 + q->id);	/* one flow per queue */
	a.dport = 9;				/* discard */
	rc = gframe_build(vg->o.frame, &a, vg->o.csum_blank, q->txframe,
	    GQ_FRAME_BUF, &q->gen_frame);
	if (rc != 0)
		return rc;
	if (q->gen_frame.has_gso && !vg->bf.gso_tcpv4) {
		log_warnx("--frame %s: the backend does not advertise "
		    "feature-gso-tcpv4", gframe_kind_str(vg->o.frame));
		return -EOPNOTSUPP;
	}
	/* As a socket's skb: headers in the linear area, payload in
	 * page fragments. */
	pc[0].off = GQ_TX_HEADROOM;
	pc[0].len = (uint32_t)q->gen_frame.len;
	if (q->gen_frame.len + GQ_TX_HEADROOM > VIFD_PAGE_SIZE) {
		pc[0].len = (uint32_t)q->gen_frame.hdr_len;
		pc[1].off = 0;
		pc[1].len = (uint32_t)(q->gen_frame.len - q->gen_frame.hdr_len);
		n = 2;
	}
	rc = txplan_build(pc, n, vg->bf.sg, &q->gen_plan);
	if (rc != 0) {
		log_warnx("--frame %s: cannot be sent (%s)",
		    gframe_kind_str(vg->o.frame), rc == -EOPNOTSUPP ?
		    "the backend does not advertise feature-sg" :
		    strerror(-rc));
		return rc;
	}
	q->gen_pages = q->gen_plan.nslots;
	q->ngroups = q->ntx / q->gen_pages;
	for (g = 0; g < q->ngroups; g++) {
		const uint8_t *src = q->txframe;

		for (j = 0; j < q->gen_pages; j++) {
			const struct txplan_slot *s = &q->gen_plan.slots[j];
			struct gbuf *b = &q->txpool[g * q->gen_pages + j];

			memcpy(b->va + s->offset, src, s->size);
			src += s->size;
		}
		q->gfree[q->ngfree++] = (uint16_t)g;
	}
	return 0;
}

int
gq_setup(struct vg *vg, struct gq *q, unsigned int id, unsigned int ntx)
{
	const struct xen_ops *ops = vg->ops;
	unsigned int i;
	int rc, port;

	memset(q, 0, sizeof(*q));
	q->vg = vg;
	q->id = id;
	q->tapfd = -1;
	q->evfd = -1;
	q->wakefd = -1;
	q->rx_target = vg->o.rx_bufs;
	if (ntx > GQ_TXPOOL_MAX)
		ntx = GQ_TXPOOL_MAX;

	/* The rings: one page each, granted read-write (xenbus_setup_ring). */
	if ((rc = galloc_grant(vg, &q->txr, false)) != 0 ||
	    (rc = galloc_grant(vg, &q->rxr, false)) != 0) {
		log_warnx("queue %u: cannot grant a ring page: %s", id,
		    strerror(-rc));
		goto fail;
	}
	memset(q->txr.va, 0, VIFD_PAGE_SIZE);
	memset(q->rxr.va, 0, VIFD_PAGE_SIZE);
	{
		netif_tx_sring_t *txs = (netif_tx_sring_t *)q->txr.va;
		netif_rx_sring_t *rxs = (netif_rx_sring_t *)q->rxr.va;

		SHARED_RING_INIT(txs);
		FRONT_RING_INIT(&q->tx, txs, VIFD_PAGE_SIZE);
		SHARED_RING_INIT(rxs);
		FRONT_RING_INIT(&q->rx, rxs, VIFD_PAGE_SIZE);
	}

	/* RX buffers: the backend writes them, so read-write grants. */
	for (i = 0; i < VIFD_RX_RING_SIZE; i++) {
		if ((rc = galloc_grant(vg, &q->rxbuf[i], false)) != 0) {
			log_warnx("queue %u: cannot grant RX buffer %u: %s",
			    id, i, strerror(-rc));
			goto fail;
		}
	}
	/* TX pages: the backend only reads them (netfront grants them
	 * GNTMAP_readonly). */
	for (i = 0; i < ntx; i++) {
		if ((rc = galloc_grant(vg, &q->txpool[i], true)) != 0) {
			log_warnx("queue %u: cannot grant TX page %u: %s",
			    id, i, strerror(-rc));
			goto fail;
		}
		q->ntx++;
		q->txfree[q->ntxfree++] = (uint16_t)(ntx - 1 - i);
	}

	q->txframe = malloc(GQ_FRAME_BUF);
	q->rxframe = malloc(GQ_FRAME_BUF);
	if (q->txframe == NULL || q->rxframe == NULL) {
		rc = -ENOMEM;
		log_warnx("queue %u: out of memory", id);
		goto fail;
	}
	if ((q->wakefd = loop_event_new()) < 0) {
		rc = q->wakefd;
		log_warnx("queue %u: eventfd: %s", id, strerror(-rc));
		goto fail;
	}

	/* Event channels: one handle per queue, so a worker only ever sees
	 * its own ports; split tx/rx when the backend offers it
	 * (setup_netfront_split), else one (setup_netfront_single). */
	q->evh = ops->evtchn_open(vg->env);
	if (q->evh == NULL) {
		rc = -errno;
		log_warn("queue %u: opening event channels", id);
		goto fail;
	}
	q->evfd = ops->evtchn_fd(q->evh);
	q->split = vg->bf.split && !vg->o.no_split;
	port = ops->evtchn_bind_unbound(q->evh, vg->be_domid);
	if (port < 0) {
		rc = port;
		log_warnx("queue %u: allocating an event channel: %s", id,
		    strerror(-rc));
		goto fail;
	}
	q->tx_port = q->rx_port = (uint32_t)port;
	if (q->split) {
		port = ops->evtchn_bind_unbound(q->evh, vg->be_domid);
		if (port < 0) {
			rc = port;
			log_warnx("queue %u: allocating an event channel: %s",
			    id, strerror(-rc));
			goto fail;
		}
		q->rx_port = (uint32_t)port;
	}

	if (vg->o.mode == GMODE_GEN) {
		if ((rc = gq_gen_prefill(q)) != 0)
			goto fail;
		q->gen_quota = UINT64_MAX;
		if (vg->o.count != 0)
			q->gen_quota = vg->o.count / vg->nq +
			    (id < vg->o.count % vg->nq ? 1 : 0);
	}
	if (vg->o.mode == GMODE_EVIL)
		evil_pre_rx(vg, q);
	return 0;

fail:
	gq_teardown(q);
	return rc;
}

/* What the queue holds of our own process: its wake eventfd and frame
 * buffers (teardown and abandon both let them go). */
static void
gq_free_local(struct gq *q)
{
	if (q->wakefd >= 0)
		close(q->wakefd);
	q->wakefd = -1;
	free(q->txframe);
	free(q->rxframe);
	q->txframe = q->rxframe = NULL;
}

void
gq_teardown(struct gq *q)
{
	struct vg *vg = q->vg;
	unsigned int i, busy = 0;

	if (vg == NULL)
		return;
	/* Keep the counters across reconnects. */
	if (q->id < sizeof(vg->hist) / sizeof(vg->hist[0])) {
		uint64_t *h = (uint64_t *)&vg->hist[q->id];
		const uint64_t *v = (const uint64_t *)&q->st;

		for (i = 0; i < sizeof(q->st) / sizeof(uint64_t); i++)
			h[i] += v[i];
		memset(&q->st, 0, sizeof(q->st));
		if (q->id + 1 > vg->hist_nq)
			vg->hist_nq = q->id + 1;
	}
	if (q->evh != NULL) {
		/* Closing the handle unbinds its ports: the backend's ends
		 * become unbound (evtchn_close). */
		vg->ops->evtchn_close(q->evh);
		q->evh = NULL;
	}
	/* Rings last: the backend may still look at them until it closes. */
	for (i = 0; i < q->ntx; i++)
		busy += galloc_ungrant(vg, &q->txpool[i]) == -EBUSY;
	for (i = 0; i < VIFD_RX_RING_SIZE; i++)
		busy += galloc_ungrant(vg, &q->rxbuf[i]) == -EBUSY;
	busy += galloc_ungrant(vg, &q->txr) == -EBUSY;
	busy += galloc_ungrant(vg, &q->rxr) == -EBUSY;
	if (busy > 0)
		log_warnx("queue %u: %u grants still mapped by the backend: "
		    "left granted, never reused", q->id, busy);
	gq_free_local(q);
	q->ntx = 0;
}

void
gq_abandon(struct gq *q)
{
	if (q->vg == NULL)
		return;
	/* The ports would be closed by our exit anyway (the simulated
	 * machine counts a dead process's ports as closed). */
	if (q->evh != NULL)
		q->vg->ops->evtchn_close(q->evh);
	q->evh = NULL;
	gq_free_local(q);
}

/* ---- the data path ------------------------------------------------------ */

static void
gq_notify(struct gq *q, uint32_t port, bool tx)
{
	if (q->vg->ops->evtchn_notify(q->evh, port) != 0)
		GQ_ADD(q, notify_err, 1);
	else if (tx)
		GQ_ADD(q, notify_tx, 1);
	else
		GQ_ADD(q, notify_rx, 1);
}

void
gq_tx_push(struct gq *q)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->tx, notify);
	if (notify)
		gq_notify(q, q->tx_port, true);
}

bool
gq_final_check(struct gq *q)
{
	int tx_work, rx_work;

	RING_FINAL_CHECK_FOR_RESPONSES(&q->tx, tx_work);
	RING_FINAL_CHECK_FOR_RESPONSES(&q->rx, rx_work);
	return tx_work || rx_work;
}

unsigned int
gq_evtchn_drain(struct gq *q)
{
	const struct xen_ops *ops = q->vg->ops;
	unsigned int n = 0;
	int port;

	/* Unmask before looking at the rings: an event that arrives while
	 * we work is then delivered again, never lost. Bounded: each port
	 * is delivered at most once until unmasked again. */
	while (n < 64 && (port = ops->evtchn_pending(q->evh)) >= 0) {
		ops->evtchn_unmask(q->evh, (uint32_t)port);
		n++;
	}
	if (n > 0)
		GQ_ADD(q, evtchn_events, n);
	return n;
}

/* One TX answer: free its page (or its group's), count it. */
static void
gq_tx_answer(struct gq *q, RING_IDX idx, const netif_tx_response_t *rsp)
{
	uint16_t id = rsp->id;

	if (q->recording && q->nrec < GQ_REC_MAX) {
		q->rec[q->nrec].idx = idx;
		q->rec[q->nrec].id = id;
		q->rec[q->nrec].status = rsp->status;
		q->nrec++;
	}
	switch (rsp->status) {
	case NETIF_RSP_NULL:
		GQ_ADD(q, tx_rsp_null, 1);
		return;	/* the answer to an extra: no id, no page */
	case NETIF_RSP_OKAY:
		GQ_ADD(q, tx_rsp_okay, 1);
		break;
	case NETIF_RSP_ERROR:
		GQ_ADD(q, tx_rsp_error, 1);
		break;
	case NETIF_RSP_DROPPED:
		GQ_ADD(q, tx_rsp_dropped, 1);
		break;
	default:
		GQ_ADD(q, tx_rsp_other, 1);
		break;
	}
	if (id >= q->ntx || !q->txbusy[id]) {
		/* Linux netfront marks itself broken here; we count it. */
		GQ_ADD(q, tx_rsp_bad_id, 1);
		return;
	}
	q->txbusy[id] = false;
	if (q->txmcast[id]) {
		q->txmcast[id] = false;
		if (rsp->status == NETIF_RSP_OKAY)
			GQ_ADD(q, tx_mcast_okay, 1);
		else
			GQ_ADD(q, tx_mcast_error, 1);
		q->txfree[q->ntxfree++] = id;
		return;
	}
	if (q->vg->o.mode == GMODE_GEN && q->gen_pages > 0) {
		unsigned int g = id / q->gen_pages;

		if (rsp->status != NETIF_RSP_OKAY)
			q->gerr[g] = true;
		if (--q->gpending[g] == 0) {
			q->gfree[q->ngfree++] = (uint16_t)g;
			if (q->gerr[g]) {
				GQ_ADD(q, tx_done_err, 1);
			} else {
				GQ_ADD(q, tx_done, 1);
				GQ_ADD(q, tx_done_bytes, q->gen_frame.len);
			}
			q->gerr[g] = false;
			q->t_last_ns = loop_now_ns();
		}
		return;
	}
	if (q->txfirst[id] != 0) {
		if (rsp->status == NETIF_RSP_OKAY) {
			GQ_ADD(q, tx_done, 1);
			GQ_ADD(q, tx_done_bytes, q->txfirst[id]);
		} else {
			GQ_ADD(q, tx_done_err, 1);
		}
		q->txfirst[id] = 0;
	}
	q->txfree[q->ntxfree++] = id;
}

unsigned int
gq_tx_gc(struct gq *q)
{
	RING_IDX cons, prod;
	unsigned int n = 0;

	prod = q->tx.sring->rsp_prod;
	if (RING_RESPONSE_PROD_OVERFLOW(&q->tx, prod)) {
		/* "Illegal number of responses": consume nothing. */
		GQ_ADD(q, rx_bad_prod, 1);
		return 0;
	}
	xen_rmb();	/* the responses before rsp_prod are visible */
	for (cons = q->tx.rsp_cons; cons != prod; cons++) {
		netif_tx_response_t rsp;

		RING_COPY_RESPONSE(&q->tx, cons, &rsp);
		gq_tx_answer(q, cons, &rsp);
		n++;
	}
	q->tx.rsp_cons = prod;
	return n;
}

unsigned int
gq_mc_tx(struct gq *q)
{
	struct vg *vg = q->vg;
	unsigned int n = 0, i;

	pthread_mutex_lock(&vg->mc_lock);
	/* A dummy request (netif.h: MCAST_{ADD,DEL} "dummy transmit
	 * requests"): a first slot carrying no data, then the extra. Its id
	 * is a pool page's, so that the answer finds its way back. */
	while (n < vg->mc_nops && RING_FREE_REQUESTS(&q->tx) >= 2 &&
	    q->ntxfree > 0) {
		const struct mclist_op *op = &vg->mc_ops[n];
		uint16_t id = q->txfree[--q->ntxfree];
		netif_tx_request_t *tx = RING_GET_REQUEST(&q->tx,
		    q->tx.req_prod_pvt++);
		struct netif_extra_info *ex = (struct netif_extra_info *)
		    RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt++);

		q->txbusy[id] = true;
		q->txfirst[id] = 0;
		q->txmcast[id] = true;
		tx->gref = q->txpool[id].ref;
		tx->offset = 0;
		tx->flags = NETTXF_extra_info;
		tx->id = id;
		tx->size = 0;
		memset(ex, 0, sizeof(union netif_tx_sring_entry));
		ex->type = op->type;
		memcpy(ex->u.mcast.addr, op->addr, 6);
		n++;
	}
	vg->mc_nops -= n;
	for (i = 0; i < vg->mc_nops; i++)
		vg->mc_ops[i] = vg->mc_ops[i + n];
	pthread_mutex_unlock(&vg->mc_lock);
	if (n > 0) {
		GQ_ADD(q, tx_mcast_sent, n);
		gq_tx_push(q);
	}
	return n;
}

bool
gq_tx_room(const struct gq *q)
{
	return RING_FREE_REQUESTS(&q->tx) >= GQ_TX_STOP &&
	    q->ntxfree >= TXPLAN_MAX_SLOTS;
}

int
gq_tx_frame(struct gq *q, const uint8_t *frame, size_t len, size_t head,
    uint16_t txflags, const struct netif_extra_info *gso)
{
	struct txplan_piece pc[2];
	struct txplan_ref refs[TXPLAN_MAX_SLOTS];
	struct txplan plan;
	unsigned int n = 1, i;
	size_t done = 0;
	int rc;

	if (len > UINT32_MAX)
		len = UINT32_MAX;	/* txplan refuses it below */
	pc[0].off = GQ_TX_HEADROOM;
	pc[0].len = (uint32_t)len;
	if (len + GQ_TX_HEADROOM > VIFD_PAGE_SIZE) {
		if (head == 0 || head > len)
			head = len < 128 ? len : 128;
		pc[0].len = (uint32_t)head;
		pc[1].off = 0;
		pc[1].len = (uint32_t)(len - head);
		n = 2;
	}
	rc = txplan_build(pc, n, q->vg->bf.sg, &plan);
	if (rc == -EMSGSIZE) {
		GQ_ADD(q, tx_drop_too_big, 1);
		return rc;
	}
	if (rc == -EOPNOTSUPP) {
		GQ_ADD(q, tx_drop_no_sg, 1);
		return rc;
	}
	if (rc != 0)
		return rc;
	if (plan.nslots > q->ntxfree ||
	    txplan_ring_slots(&plan, gso != NULL) > RING_FREE_REQUESTS(&q->tx))
		return -EAGAIN;
	for (i = 0; i < plan.nslots; i++) {
		const struct txplan_slot *s = &plan.slots[i];
		uint16_t id = q->txfree[--q->ntxfree];

		memcpy(q->txpool[id].va + s->offset, frame + done, s->size);
		done += s->size;
		refs[i].gref = q->txpool[id].ref;
		refs[i].id = id;
		q->txbusy[id] = true;
		q->txfirst[id] = (i == 0) ? plan.total : 0;
	}
	txplan_to_ring(&q->tx, &plan, refs, txflags, gso);
	GQ_ADD(q, tx_frames, 1);
	GQ_ADD(q, tx_bytes, plan.total);
	GQ_ADD(q, tx_slots, plan.nslots);
	if (plan.linearized)
		GQ_ADD(q, tx_linearized, 1);
	if (gso != NULL)
		GQ_ADD(q, tx_gso_frames, 1);
	return 0;
}

/* tap: TAP reads -> TX ring, one push per batch. */
static unsigned int
gq_tap_tx(struct gq *q)
{
	struct vnet_features peer;
	unsigned int n = 0;

	gq_peer_features(q->vg, &peer);
	while (n < GQ_BUDGET && gq_tx_room(q)) {
		struct virtio_net_hdr vh;
		struct netif_extra_info gso;
		uint16_t txflags;
		bool has_gso;
		ssize_t r;
		size_t len;

		r = read(q->tapfd, q->txframe, GQ_FRAME_BUF);
		if (r < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("queue %u: reading the TAP", q->id);
			break;
		}
		n++;
		if ((size_t)r < sizeof(vh) + 14) {
			GQ_ADD(q, tx_drop_runt, 1);
			continue;
		}
		memcpy(&vh, q->txframe, sizeof(vh));
		len = (size_t)r - sizeof(vh);
		if (vnet_hdr_vhdr2nettx(&vh, q->txframe + sizeof(vh), len,
		    &peer, &txflags, &has_gso, &gso, &q->vst) != 0) {
			GQ_ADD(q, tx_drop_vnet, 1);
			continue;
		}
		(void)gq_tx_frame(q, q->txframe + sizeof(vh), len, vh.hdr_len,
		    txflags, has_gso ? &gso : NULL);
	}
	if (n > 0)
		gq_tx_push(q);
	return n;
}

/* gen: prefilled groups -> TX ring, one push per batch. */
static unsigned int
gq_gen_tx(struct gq *q)
{
	const struct netif_extra_info *gso =
	    q->gen_frame.has_gso ? &q->gen_frame.gso : NULL;
	unsigned int need = txplan_ring_slots(&q->gen_plan, gso != NULL);
	unsigned int n = 0;

	while (n < GQ_BUDGET && q->gen_sent < q->gen_quota &&
	    q->ngfree > 0 && RING_FREE_REQUESTS(&q->tx) >= need) {
		struct txplan_ref refs[TXPLAN_MAX_SLOTS];
		unsigned int g = q->gfree[--q->ngfree], j;

		for (j = 0; j < q->gen_pages; j++) {
			uint16_t id = (uint16_t)(g * q->gen_pages + j);

			refs[j].gref = q->txpool[id].ref;
			refs[j].id = id;
			q->txbusy[id] = true;
		}
		q->gpending[g] = (uint16_t)q->gen_pages;
		txplan_to_ring(&q->tx, &q->gen_plan, refs,
		    q->gen_frame.txflags, gso);
		q->gen_sent++;
		n++;
	}
	if (n > 0) {
		if (q->t_first_ns == 0)
			q->t_first_ns = loop_now_ns();
		GQ_ADD(q, tx_frames, n);
		GQ_ADD(q, tx_bytes, (uint64_t)n * q->gen_frame.len);
		GQ_ADD(q, tx_slots, (uint64_t)n * q->gen_pages);
		if (gso != NULL)
			GQ_ADD(q, tx_gso_frames, n);
		gq_tx_push(q);
	}
	return n;
}

/*
 * tap: a frame whose checksum the backend did not leave blank must carry
 * a right one, data_validated or not (netfront hands data_validated
 * frames up as CHECKSUM_UNNECESSARY, so nobody else would look): check
 * every unfragmented TCP/UDP one, as a tcpdump -vv would.
 */
static void
gq_rx_check_csum(struct gq *q, const struct rxasm_frame *f,
    const uint8_t *frame, size_t len)
{
	struct hdr_info hi;

	if ((f->flags & NETRXF_csum_blank) || hdr_parse(frame, len, &hi) < 0 ||
	    (hi.l3 != HDR_L3_IPV4 && hi.l3 != HDR_L3_IPV6) ||
	    hi.l4_hdr_len == 0)
		return;
	GQ_ADD(q, rx_csum_checked, 1);
	if (!csum_verify_l4(frame, &hi))
		GQ_ADD(q, rx_csum_bad, 1);
}

/* tap: an accepted RX frame -> the guest TAP. */
static void
gq_tap_rx(struct gq *q, const struct rxasm_frame *f)
{
	uint8_t *frame = q->rxframe + sizeof(struct virtio_net_hdr);
	struct virtio_net_hdr vh;
	size_t off = 0;
	unsigned int i;
	ssize_t w;

	for (i = 0; i < f->nfrags; i++) {
		const struct rxasm_frag *fr = &f->frags[i];
		const struct gbuf *b = &q->rxbuf[fr->idx % VIFD_RX_RING_SIZE];

		memcpy(frame + off, b->va + fr->offset, fr->len);
		off += fr->len;
	}
	gq_rx_check_csum(q, f, frame, off);
	if (vnet_hdr_netrx2vhdr(f->flags, f->has_gso ? &f->gso : NULL, frame,
	    off, &vh, &q->vst) != 0) {
		GQ_ADD(q, rx_drop_vnet, 1);
		return;
	}
	memcpy(q->rxframe, &vh, sizeof(vh));
	w = write(q->tapfd, q->rxframe, sizeof(vh) + off);
	if (w < 0)
		GQ_ADD(q, rx_tap_err, 1);
}

static void
gq_rx_count(struct gq *q, const struct rxasm_frame *f)
{
	const struct gopts *o = &q->vg->o;

	switch (f->err) {
	case RXASM_OK:
		break;
	case RXASM_ERR_STATUS:
		GQ_ADD(q, rx_err_status, 1);
		if (f->bad_status == NETIF_RSP_ERROR)
			GQ_ADD(q, rx_status_error, 1);
		else if (f->bad_status == NETIF_RSP_DROPPED)
			GQ_ADD(q, rx_status_dropped, 1);
		else
			GQ_ADD(q, rx_status_other, 1);
		return;
	case RXASM_ERR_BOUNDS:
		GQ_ADD(q, rx_err_bounds, 1);
		return;
	case RXASM_ERR_EXTRA_MISSING:
	case RXASM_ERR_EXTRA_TYPE:
		GQ_ADD(q, rx_err_extra, 1);
		return;
	case RXASM_ERR_MORE_SLOTS:
		GQ_ADD(q, rx_err_more_slots, 1);
		return;
	case RXASM_ERR_TOO_MANY:
		GQ_ADD(q, rx_err_too_many, 1);
		return;
	default:
		GQ_ADD(q, rx_err_gso, 1);
		return;
	}
	GQ_ADD(q, rx_frames, 1);
	GQ_ADD(q, rx_bytes, f->len);
	if (q->vg->o.mode == GMODE_SINK) {
		uint64_t now = loop_now_ns();

		if (q->t_prev_ns != 0 && now - q->t_prev_ns > GQ_IDLE_RESET_NS) {
			if (q->win_frames < GQ_NOISE_FRAMES) {
				q->t_first_ns = 0;
				q->win_frames = q->win_bytes = 0;
			} else {
				q->win_closed = true;
			}
		}
		q->t_prev_ns = now;
		if (!q->win_closed) {
			if (q->t_first_ns == 0)
				q->t_first_ns = now;
			q->t_last_ns = now;
			q->win_frames++;
			q->win_bytes += f->len;
		}
	}
	/* Where the data is: the XDP extra's headroom, or 0 (rxasm.c). */
	GQ_ADD(q, rx_xdp_frames, f->has_xdp ? 1 : 0);
	GQ_ADD(q, rx_no_xdp_frames, f->has_xdp ? 0 : 1);
	if (f->bad_offset)
		GQ_ADD(q, rx_bad_offset, 1);
	if (f->has_gso) {
		GQ_ADD(q, rx_gso_frames, 1);
		if (o->no_gso || o->no_sg)
			GQ_ADD(q, rx_gso_unnegotiated, 1);
	}
	if (f->flags & NETRXF_csum_blank) {
		GQ_ADD(q, rx_csum_blank, 1);
		if (o->no_csum)
			GQ_ADD(q, rx_csum_unnegotiated, 1);
	}
	if (f->flags & NETRXF_data_validated)
		GQ_ADD(q, rx_data_validated, 1);
	if (f->data_slots > 1) {
		GQ_ADD(q, rx_multi_slot, 1);
		if (o->no_sg)
			GQ_ADD(q, rx_sg_unnegotiated, 1);
	}
}

unsigned int
gq_rx_poll(struct gq *q)
{
	RING_IDX cons, prod;
	unsigned int n = 0;

	prod = q->rx.sring->rsp_prod;
	if (RING_RESPONSE_PROD_OVERFLOW(&q->rx, prod)) {
		GQ_ADD(q, rx_bad_prod, 1);
		return 0;
	}
	xen_rmb();	/* the responses before rsp_prod are visible */
	cons = q->rx.rsp_cons;
	while (cons != prod && n < GQ_BUDGET) {
		struct rxasm_frame f;

		if (rxasm_next(&q->rx, cons, prod, &f) != 0)
			break;
		gq_rx_count(q, &f);
		if (f.err == RXASM_OK)
			grss_check(q, &f);
		if (f.err == RXASM_OK && q->tapfd >= 0)
			gq_tap_rx(q, &f);
		cons += f.consumed;
		n++;
	}
	q->rx.rsp_cons = cons;
	gq_rx_refill(q);
	return n;
}

void
gq_rx_refill(struct gq *q)
{
	RING_IDX prod = q->rx.req_prod_pvt;
	unsigned int added = 0;
	int notify;

	/* Every slot whose response was consumed gets its buffer back: the
	 * buffer of ring index i is rxbuf[i % 256], and at most 256
	 * requests are outstanding, so it is always the one just freed. */
	while (prod - q->rx.rsp_cons < q->rx_target) {
		netif_rx_request_t *req = RING_GET_REQUEST(&q->rx, prod);
		unsigned int slot = prod % VIFD_RX_RING_SIZE;

		req->id = (uint16_t)slot;
		req->gref = (q->rxbad == GQ_RXBAD_REFS) ?
		    q->rxbad_refs[slot] : q->rxbuf[slot].ref;
		prod++;
		added++;
	}
	if (added == 0)
		return;
	q->rx.req_prod_pvt = prod;
	GQ_ADD(q, rx_bufs_posted, added);
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->rx, notify);
	if (notify)
		gq_notify(q, q->rx_port, false);
}

/* ---- the worker thread ---------------------------------------------------- */

static bool
gq_stopping(struct gq *q)
{
	return __atomic_load_n(&q->stop, __ATOMIC_ACQUIRE) != 0;
}

static void
gq_check_done(struct gq *q)
{
	if (q->vg->o.mode != GMODE_GEN || q->gen_sent < q->gen_quota ||
	    q->ngfree < q->ngroups || __atomic_load_n(&q->done,
	    __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&q->done, 1, __ATOMIC_RELEASE);
	loop_event_signal(q->vg->donefd);
}

static void *
gq_worker(void *arg)
{
	struct gq *q = arg;
	enum gmode mode = q->vg->o.mode;

	while (!gq_stopping(q)) {
		struct pollfd pfd[3];
		unsigned int work, n = 0;

		work = gq_tx_gc(q);
		work += gq_rx_poll(q);
		if (mode == GMODE_TAP)
			work += gq_tap_tx(q);
		else if (mode == GMODE_GEN)
			work += gq_gen_tx(q);
		if (q->id == 0 && q->vg->o.mcast_file != NULL)
			work += gq_mc_tx(q);
		gq_check_done(q);
		if (work > 0 || gq_final_check(q))
			continue;

		pfd[n].fd = q->evfd;
		pfd[n++].events = POLLIN;
		pfd[n].fd = q->wakefd;
		pfd[n++].events = POLLIN;
		if (mode == GMODE_TAP && q->tapfd >= 0 && gq_tx_room(q)) {
			pfd[n].fd = q->tapfd;
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, n, -1) < 0 && errno != EINTR) {
			log_warn("queue %u: poll", q->id);
			break;
		}
		if (pfd[0].revents)
			gq_evtchn_drain(q);
		if (pfd[1].revents)
			loop_event_ack(q->wakefd);
	}
	return NULL;
}

int
gq_start(struct gq *q)
{
	int rc;

	__atomic_store_n(&q->stop, 0, __ATOMIC_RELEASE);
	rc = pthread_create(&q->thr, NULL, gq_worker, q);
	if (rc != 0) {
		log_warnx("queue %u: cannot start its thread: %s", q->id,
		    strerror(rc));
		return -rc;
	}
	q->running = true;
	return 0;
}

void
gq_stop(struct gq *q)
{
	if (!q->running)
		return;
	__atomic_store_n(&q->stop, 1, __ATOMIC_RELEASE);
	loop_event_signal(q->wakefd);
	pthread_join(q->thr, NULL);
	q->running = false;
}

/* ---- counters ----------------------------------------------------------- */

void
gq_print_stats(struct vg *vg)
{
	static const char *const names[] = {
#define GQ_STAT_NAME(n) #n,
		GQ_STATS(GQ_STAT_NAME)
#undef GQ_STAT_NAME
	};
	enum { NSTATS = sizeof(names) / sizeof(names[0]) };
	uint64_t tot[NSTATS];
	unsigned int i, k;

	unsigned int nq = vg->q != NULL ? vg->nq : 0;

	if (vg->hist_nq > nq)
		nq = vg->hist_nq;
	memset(tot, 0, sizeof(tot));
	for (i = 0; i < nq; i++) {
		const uint64_t *v = NULL;
		const uint64_t *h = (i < vg->hist_nq) ?
		    (const uint64_t *)&vg->hist[i] : NULL;

		if (vg->q != NULL && i < vg->nq)
			v = (const uint64_t *)&vg->q[i].st;
		for (k = 0; k < NSTATS; k++) {
			uint64_t x = 0;

			if (v != NULL)
				x += __atomic_load_n(&v[k], __ATOMIC_RELAXED);
			if (h != NULL)
				x += h[k];

			printf("q%u.%s %" PRIu64 "\n", i, names[k], x);
			tot[k] += x;
		}
	}
	printf("queues %u\n", nq);
	for (k = 0; k < NSTATS; k++)
		printf("%s %" PRIu64 "\n", names[k], tot[k]);
	fflush(stdout);
}
