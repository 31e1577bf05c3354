/*
 * queue_tx.c - guest TX in a queue's worker: the effects around the pure
 * TX core (tx.c), from the shared ring to the TAP.
 *
 * Owns a sweep: read the frontend's producer once, copy every request
 * out of the shared ring once, parse packets (tx_ring2pkt) chunk by chunk
 * while the rate limit has credit, one grant copy per chunk, each packet
 * through its virtio-net header (vnet_hdr_nettx2vhdr) into a write on
 * the TAP (a chunk's writes in one system call, tapio.h), multicast
 * add/del requests applied to the vif's filter list, every slot answered
 * (tx_pkt2rsp), responses pushed, the frontend notified if the ring says
 * so. Sweeps repeat until the ring is
 * empty or the budget is spent; a fatal frontend error stops the queue
 * (queue_fatal) and nothing here exits on guest data.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "util/log.h"
#include "data/queue_int.h"
#include "data/vif_mcast.h"
#include "data/queue_direct.h"
#include "data/vswitch.h"
#include "data/tapio.h"

static void
queue_tx_count_drop(struct queue *q, int reason)
{
	switch (reason) {
	case TX_DROP_RUNT:
		QUEUE_STAT_ADD(q, tx_drop_runt, 1);
		break;
	case TX_DROP_TOO_MANY_SLOTS:
		QUEUE_STAT_ADD(q, tx_drop_slots, 1);
		break;
	case TX_DROP_MASKED:
		QUEUE_STAT_ADD(q, tx_drop_masked, 1);
		break;
	default:
		QUEUE_STAT_ADD(q, tx_drop_oversize, 1);
		break;
	}
}

/*
 * A multicast add/del request: applied to the vif's list, answered as
 * Linux answers it (xenvif_tx_build_gops): an ADD refused (list full, or
 * not a group address, see core/mcast.h) gets NETIF_RSP_ERROR, anything
 * else NETIF_RSP_OKAY, the extra slots NETIF_RSP_NULL. Counted, not
 * logged: the frontend decides how often this runs.
 */
static int16_t
queue_tx_mcast(struct queue *q, const struct tx_pkt *pkt)
{
	int r = -EINVAL;

	if (q->mcast != NULL)
		r = vif_mcast_apply(q->mcast, pkt->mcast_op, pkt->mcast_addr);
	if (r < 0) {
		QUEUE_STAT_ADD(q, tx_mcast_err, 1);
		return NETIF_RSP_ERROR;
	}
	if (pkt->mcast_op == XEN_NETIF_EXTRA_TYPE_MCAST_ADD)
		QUEUE_STAT_ADD(q, tx_mcast_add, 1);
	else
		QUEUE_STAT_ADD(q, tx_mcast_del, 1);
	return NETIF_RSP_OKAY;
}

/* A packet that left (to the TAP or the switch), counted. */
static void
queue_tx_count_sent(struct queue *q, uint32_t len, bool gso)
{
	QUEUE_STAT_ADD(q, tx_packets, 1);
	QUEUE_STAT_ADD(q, tx_bytes, len);
	if (gso)
		QUEUE_STAT_ADD(q, tx_gso_frames, 1);
}

/* A TAP write's cookie (tapio.h): the packet's length, and bit 32 for a
 * GSO packet. */
#define QUEUE_TX_GSO_BIT (UINT64_C(1) << 32)

/* The outcome of a TAP write (tapio_done_fn). */
static void
queue_tx_written(void *arg, uint64_t cookie, long res)
{
	struct queue *q = arg;

	if (res < 0) {
		/* EIO while the TAP is down, ENOBUFS under pressure: the
		 * packet is lost, as it would be on a full netdev queue;
		 * EBADFD: the TAP was deleted, the queue stops. */
		(void)queue_tap_error(q, (int)-res);
		QUEUE_STAT_ADD(q, tx_drop_tap, 1);
		return;
	}
	queue_tx_count_sent(q, (uint32_t)cookie,
	    (cookie & QUEUE_TX_GSO_BIT) != 0);
}

/* Sends one packet to the TAP (its write queued until the chunk's
 * tapio_flush, counted then) or to the vif's switch, which learns at
 * now_ns: the sweep's clock, read once, as a Xen PV dom0 has no vDSO
 * clock and each read is a system call. */
static void
queue_tx_send(struct queue *q, const struct tx_pkt *pkt, uint8_t *buf,
    bool alone, uint64_t now_ns)
{
	struct virtio_net_hdr vh;
	bool wrote;
	uint64_t fix = q->vstats.gso_fixup + q->vstats.csum_fixup;

	if (__atomic_load_n(&q->link_down, __ATOMIC_RELAXED)) {
		/* The cable is pulled (vifd-link): answered OKAY and lost,
		 * as a NIC without a link loses what its driver sends; a
		 * TAP would still hand it to the host's stack. */
		QUEUE_STAT_ADD(q, tx_drop_link, 1);
		return;
	}
	if (vnet_hdr_nettx2vhdr(pkt->flags, pkt->has_gso ? &pkt->gso : NULL,
	    buf, pkt->len, &vh, &q->vstats) < 0 ||
	    vnet_hdr_tx_masked_csum(&vh, buf, pkt->len, q->feat_off,
	    &q->vstats) < 0) {
		/* Linux drops a packet whose checksum cannot be set up
		 * after answering it OKAY (xenvif_tx_submit). */
		QUEUE_STAT_ADD(q, tx_drop_hdr, 1);
		return;
	}
	if (q->vstats.gso_fixup + q->vstats.csum_fixup != fix)
		QUEUE_STAT_ADD(q, tx_csum_fixup, 1);
	if (q->swport != NULL) {
		/* A port of a vifd switch: the frame goes to the other
		 * ports, not to the TAP (vswitch.h). */
		if (vsw_port_send(q->swport, &vh, buf, pkt->len, 0, now_ns,
		    alone ? &wrote : NULL) < 0) {
			QUEUE_STAT_ADD(q, tx_drop_switch, 1);
			return;
		}
		QUEUE_STAT_ADD(q, tx_switched, 1);
		if (alone && wrote)
			QUEUE_STAT_ADD(q, tx_placed, 1);
		queue_tx_count_sent(q, pkt->len, pkt->has_gso);
		return;
	}
	tapio_write(q->tio, &vh, buf, pkt->len,
	    pkt->len | (pkt->has_gso ? QUEUE_TX_GSO_BIT : 0),
	    queue_tx_written, q);
}

/*
 * Where a chunk's packets stand between its grant copies. A switch
 * port's long packet has only its head copied at first (`head`): it goes
 * to another guest in one copy if it can (queue_direct.c), else its rest
 * is copied by a second call (`rest`, `nrest` segments at `restidx`) and
 * it goes the usual way. Once one has to wait for its rest, every later
 * packet of the chunk waits too (`later`), so that none overtakes it.
 * The packets offered to other guests by this worker's hand are gathered
 * once (`fr`, up to `run_end`), however many runs they make.
 */
struct queue_tx_chunk {
	unsigned int npkts, nsegs;
	const uint32_t *segidx;		/* first segment of packet i */
	const bool *head;		/* packet i has only its head */
	bool later[VIFD_TX_RING_SIZE];	/* packet i waits for the rest */
	uint32_t restidx[VIFD_TX_RING_SIZE];
	uint8_t nrest[VIFD_TX_RING_SIZE];
	unsigned int run_end;		/* fr[] gathered before it */
	struct vsw_direct fr[VIFD_TX_RING_SIZE];
	bool failed[VIFD_TX_RING_SIZE];	/* its one copy failed */
};

/* Segments of packet i in the chunk's first copy. */
static unsigned int
queue_tx_nsegs(const struct queue_tx_chunk *c, unsigned int i)
{
	return (i + 1 < c->npkts ? c->segidx[i + 1] : c->nsegs) -
	    c->segidx[i];
}

/* A packet that has all its bytes (and all went well): out it goes.
 * alone: the only one of its chunk (light load: vsw_port_send may have
 * this worker write it to the switch's TAP or AF_XDP uplink itself). */
static void
queue_tx_deliver(struct queue *q, struct tx_pkt *pkt, unsigned int i,
    int16_t copy_st, bool alone, uint64_t now_ns)
{
	int16_t st = NETIF_RSP_OKAY;

	if (copy_st != GNTST_okay) {
		/* XSA-362/367: a grant that fails to copy costs the packet,
		 * every slot answered exactly once. */
		QUEUE_STAT_ADD(q, tx_drop_copy, 1);
		st = NETIF_RSP_ERROR;
	} else if (pkt->len > 0) {
		queue_tx_send(q, pkt, q->tx_buf + q->tx_pkt_off[i], alone,
		    now_ns);
	}
	tx_pkt2rsp(pkt, &q->tx, st);
}

/* Is a switch port's packet i of the chunk, copied so far with status
 * cst, one to offer another guest by this worker's hand (a long one's
 * head or a short one whole: queue_direct.h)? */
static bool
queue_tx_direct_ok(const struct queue *q, unsigned int i, int16_t cst)
{
	const struct tx_pkt *pkt = &q->tx_pkts[i];

	return cst == GNTST_okay && pkt->drop == TX_DROP_NONE &&
	    !pkt->mcast && pkt->len > 0;
}

/*
 * The switch port's packets from i on, as long as each is one to offer
 * (queue_tx_direct_ok): to other guests by this worker's hand (in one
 * copy each for long ones, one grant copy for a run to the same guest),
 * and answered, as far as they can go so. Returns how many, from i,
 * went (0 when packet i is not one to offer); the next one goes the
 * usual way.
 */
static unsigned int
queue_tx_direct(struct queue *q, struct queue_tx_chunk *c, unsigned int i,
    uint64_t now_ns)
{
	const struct vsw_direct *fr = &c->fr[i];
	const bool *failed = &c->failed[i];
	struct queue_direct d = {
		.sq = q, .pkt = &q->tx_pkts[i], .fr = fr, .now = now_ns,
		.failed = &c->failed[i],
	};
	unsigned int j, p;

	/* The cable pulled: the usual way counts the loss. */
	if (q->direct_off || __atomic_load_n(&q->link_down, __ATOMIC_RELAXED))
		return 0;
	/* Gathered once a chunk: a packet that did not go is not looked at
	 * again by the next run. */
	if (i >= c->run_end) {
		for (j = i; j < c->npkts; j++) {
			const struct tx_pkt *pkt = &q->tx_pkts[j];

			if (!queue_tx_direct_ok(q, j,
			    copy_seg_status(q->tx_segs + c->segidx[j],
			    queue_tx_nsegs(c, j))))
				break;
			c->fr[j].head = q->tx_buf + q->tx_pkt_off[j];
			c->fr[j].hlen = c->head[j] ? QUEUE_DIRECT_HEAD :
			    pkt->len;
			c->fr[j].len = pkt->len;
		}
		c->run_end = j;
	}
	p = vsw_port_send_direct(q->swport, fr, c->run_end - i, 0, now_ns,
	    queue_direct_place, &d);
	for (j = 0; j < p; j++) {
		struct tx_pkt *pkt = &q->tx_pkts[i + j];

		/* A short frame went whole from vifd's copy: a failed copy
		 * is the receiver's grant, counted there (rx_drop_copy) as
		 * on the usual way, and the frame left this guest. */
		if (failed[j] && fr[j].hlen < fr[j].len) {
			/* Lost on the way (a bad grant here or there: the
			 * copy's status does not say which). The frame left
			 * this guest: answered OKAY, as netback answers a
			 * frame the receiver failed to take; counted; and no
			 * more one copy from this queue (no more runs in
			 * this chunk: queue_direct_place), so a guest that
			 * revokes its grants in flight costs other guests
			 * the frames of one copy call only. */
			QUEUE_STAT_ADD(q, tx_drop_copy, 1);
			if (!q->direct_off)
				log_warnx("%s: a grant copy to another guest "
				    "failed; this queue's frames take two "
				    "copies from now on", q->name);
			q->direct_off = true;
		} else {
			QUEUE_STAT_ADD(q, tx_switched, 1);
			QUEUE_STAT_ADD(q, tx_placed, 1);
			if (fr[j].hlen < fr[j].len)
				QUEUE_STAT_ADD(q, tx_direct, 1);
			queue_tx_count_sent(q, pkt->len, pkt->has_gso);
		}
		tx_pkt2rsp(pkt, &q->tx, NETIF_RSP_OKAY);
	}
	return p;
}

/* The rest of a long packet whose head alone is in, into the chunk's
 * second copy. */
static void
queue_tx_plan_rest(struct queue *q, struct queue_tx_chunk *c,
    unsigned int i, unsigned int *rsegs)
{
	struct tx_pkt *pkt = &q->tx_pkts[i];
	int k;

	k = tx_pkt2copyops_range(pkt, q->domid, q->tx_buf + q->tx_pkt_off[i],
	    QUEUE_DIRECT_HEAD, pkt->len, q->tx_segs + *rsegs,
	    QUEUE_TX_SEGS - *rsegs);
	if (k < 0)
		abort();	/* room was kept for it when it was parsed */
	c->restidx[i] = *rsegs;
	c->nrest[i] = (uint8_t)k;
	*rsegs += (unsigned int)k;
}

/*
 * The effects of one chunk of parsed packets: one grant copy for all of
 * them (a switch port's long packets: their heads), then each is written
 * to the TAP or the switch (or placed in another guest's ring, or
 * dropped) and answered; packets that waited for their rest go after a
 * second copy, in order. The responses are pushed (the frontend may
 * refill while we go on).
 */
static void
queue_tx_flush(struct queue *q, struct queue_tx_chunk *c, uint64_t now_ns)
{
	netif_tx_back_ring_t *ring = &q->tx;
	unsigned int i, p, tried = 0, rsegs = c->nsegs;
	bool waiting = false;
	int notify;

	c->run_end = 0;
	if (c->nsegs > 0) {
		QUEUE_STAT_ADD(q, tx_copy_bytes,
		    queue_grant_copy(q, q->tx_segs, c->nsegs));
		QUEUE_STAT_ADD(q, tx_copy_calls, 1);
		QUEUE_STAT_ADD(q, tx_copy_segs, c->nsegs);
	}
	for (i = 0; i < c->npkts; i++) {
		struct tx_pkt *pkt = &q->tx_pkts[i];
		int16_t st = NETIF_RSP_OKAY, cst;

		c->later[i] = false;
		/* A run of packets for other guests by this worker's hand
		 * (none when packet i is not one to offer); the first that
		 * could not go (tried) takes the usual way. */
		if (!waiting && i >= tried && q->swport != NULL) {
			p = queue_tx_direct(q, c, i, now_ns);
			tried = i + p + 1;
			if (p > 0) {
				for (; p > 1; p--)
					c->later[++i] = false;
				continue;	/* placed and answered */
			}
		}
		if (pkt->drop != TX_DROP_NONE) {
			queue_tx_count_drop(q, pkt->drop);
			st = NETIF_RSP_ERROR;
		} else if (pkt->mcast) {
			st = queue_tx_mcast(q, pkt);
		} else {
			cst = copy_seg_status(q->tx_segs + c->segidx[i],
			    queue_tx_nsegs(c, i));
			if (cst != GNTST_okay || (!c->head[i] && !waiting)) {
				/* Whole (or failed): out now, in order. */
				queue_tx_deliver(q, pkt, i, cst,
				    c->npkts == 1, now_ns);
				continue;
			}
			/* Its rest to come, or an earlier packet's: it
			 * waits for the second copy, as all after it. */
			if (c->head[i])
				queue_tx_plan_rest(q, c, i, &rsegs);
			c->later[i] = true;
			waiting = true;
			continue;
		}
		tx_pkt2rsp(pkt, ring, st);
	}
	if (waiting) {
		if (rsegs > c->nsegs) {
			QUEUE_STAT_ADD(q, tx_copy_bytes, queue_grant_copy(q,
			    q->tx_segs + c->nsegs, rsegs - c->nsegs));
			QUEUE_STAT_ADD(q, tx_copy_calls, 1);
			QUEUE_STAT_ADD(q, tx_copy_segs, rsegs - c->nsegs);
		}
		for (i = 0; i < c->npkts; i++) {
			int16_t cst;

			if (!c->later[i])
				continue;
			cst = copy_seg_status(q->tx_segs + c->segidx[i],
			    queue_tx_nsegs(c, i));
			if (cst == GNTST_okay && c->head[i])
				cst = copy_seg_status(q->tx_segs +
				    c->restidx[i], c->nrest[i]);
			queue_tx_deliver(q, &q->tx_pkts[i], i, cst,
			    c->npkts == 1, now_ns);
		}
	}
	/* The chunk's TAP writes, in one system call where io_uring is
	 * had, before the next chunk's copy overwrites tx_buf. */
	tapio_flush(q->tio, queue_tx_written, q);
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(ring, notify);
	if (notify)
		queue_notify(q, q->port_tx);
}

/*
 * One sweep: copy the unconsumed requests out of the shared ring once,
 * then, chunk by chunk, parse packets until the ring, the rate limit or
 * the chunk runs out and flush the chunk. Returns the number of slots
 * consumed, 0 if there was nothing (or no credit), -EPROTO after a fatal
 * error.
 */
static int
queue_tx_sweep(struct queue *q)
{
	netif_tx_back_ring_t *ring = &q->tx;
	unsigned int n, off = 0;
	uint32_t segidx[VIFD_TX_RING_SIZE];
	bool head[VIFD_TX_RING_SIZE];
	struct queue_tx_chunk c;
	uint64_t now;
	RING_IDX rp, base;
	int fatal = 0, r;

	rp = ring_load_index(&ring->sring->req_prod);
	r = tx_ring_check(ring, rp);
	if (r < 0) {
		queue_fatal(q, "tx: impossible number of requests (req_prod %u,"
		    " req_cons %u)", rp, ring->req_cons);
		return -EPROTO;
	}
	n = (unsigned int)r;	/* also bounded by free response slots */
	if (n == 0)
		return 0;
	base = ring->req_cons;
	tx_copy_slots(ring, base, n, q->tx_slots);
	c.segidx = segidx;
	c.head = head;

	now = loop_now_ns();
	while (off < n && !q->txl.blocked && !q->fatal) {
		unsigned int npkts = 0, nsegs = 0, budget = 0;
		uint32_t bufoff = 0;
		bool stop = false;

		while (off < n) {
			struct tx_pkt *pkt = &q->tx_pkts[npkts];

			/* Netback charges the first slot's size (the whole
			 * packet) before looking further; no credit: stop
			 * consuming, the request stays on the ring (delayed,
			 * not dropped). */
			if (queue_limit_consume(&q->txl,
			    q->tx_slots[off].req.size, now) < 0) {
				stop = true;
				break;
			}
			r = tx_ring2pkt(&q->tx_slots[off], n - off, base + off,
			    pkt, &fatal);
			if (r <= 0) {
				if (r < 0)
					queue_fatal(q, "tx: %s",
					    tx_fatal_str(fatal));
				stop = true;
				break;
			}
			tx_pkt_apply_mask(pkt, q->feat_off);
			segidx[npkts] = nsegs;
			head[npkts] = false;
			q->tx_pkt_off[npkts] = bufoff;
			if (pkt->drop == TX_DROP_NONE && !pkt->mcast &&
			    pkt->len > 0) {
				uint32_t to = pkt->len;
				int k;

				/* A switch port's long packet: its head
				 * first, to decide (queue_direct.h); room is
				 * kept for its rest, one segment more (a
				 * fragment cut in two). */
				if (q->swport != NULL &&
				    pkt->len > QUEUE_DIRECT_MIN) {
					to = QUEUE_DIRECT_HEAD;
					head[npkts] = true;
				}
				k = tx_pkt2copyops_range(pkt, q->domid,
				    q->tx_buf + bufoff, 0, to,
				    q->tx_segs + nsegs, QUEUE_TX_SEGS - budget);
				if (k < 0)
					abort();	/* bounded below */
				nsegs += (unsigned int)k;
				budget += head[npkts] ? pkt->nfrags + 1u :
				    (unsigned int)k;
				bufoff += pkt->len;
			}
			npkts++;
			off += (unsigned int)r;
			/* Room for one more packet of the largest kind in
			 * this chunk? */
			if (bufoff >= QUEUE_CHUNK_BYTES ||
			    budget + TX_MAX_SEGS_PER_PKT + 1u > QUEUE_TX_SEGS)
				break;
		}
		ring->req_cons = base + off;
		c.npkts = npkts;
		c.nsegs = nsegs;
		queue_tx_flush(q, &c, now);
		if (stop)
			break;
	}
	QUEUE_STAT_ADD(q, tx_sweeps, 1);
	return q->fatal ? -EPROTO : (int)off;
}

bool
queue_tx_work(struct queue *q)
{
	unsigned int sweeps;
	int r, more;

	for (sweeps = 0; sweeps < QUEUE_BUDGET; sweeps++) {
		if (q->txl.blocked || q->fatal)
			return false;
		r = queue_tx_sweep(q);
		if (r < 0 || q->txl.blocked)
			return false;
		if (r == 0) {
			/* Re-arm req_event, then look once more: a request
			 * published meanwhile would otherwise sleep. */
			RING_FINAL_CHECK_FOR_REQUESTS(&q->tx, more);
			if (!more)
				return false;
		}
	}
	return true;
}

