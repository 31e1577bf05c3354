/*
 * queue_tx.c - guest TX in a queue's worker: the effects around the pure
 * TX core (tx.c), from the shared ring to the TAP.
 *
 * Owns a sweep: read the frontend's producer once, copy every request
 * out of the shared ring once, parse packets (tx_ring2pkt) chunk by chunk
 * while the rate limit has credit, one grant copy per chunk, each packet
 * through its virtio-net header (vnet_hdr_nettx2vhdr) into one writev on
 * the TAP, multicast add/del requests applied to the vif's filter list,
 * every slot answered (tx_pkt2rsp), responses pushed, the
 * frontend notified if the ring says so. Sweeps repeat until the ring is
 * empty or the budget is spent; a fatal frontend error stops the queue
 * (queue_fatal) and nothing here exits on guest data.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/uio.h>

#include "data/queue_int.h"
#include "data/vif_mcast.h"
#include "data/vswitch.h"

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

/* Writes one packet to the TAP (or the vif's switch, which learns at
 * now_ns: the sweep's clock, read once, as a Xen PV dom0 has no vDSO
 * clock and each read is a system call). Returns true if it went out. */
static bool
queue_tx_send(struct queue *q, const struct tx_pkt *pkt, uint8_t *buf,
    uint64_t now_ns)
{
	struct virtio_net_hdr vh;
	struct iovec iov[2];
	uint64_t fix = q->vstats.gso_fixup + q->vstats.csum_fixup;

	if (__atomic_load_n(&q->link_down, __ATOMIC_RELAXED)) {
		/* The cable is pulled (vifd-link): answered OKAY and lost,
		 * as a NIC without a link loses what its driver sends; a
		 * TAP would still hand it to the host's stack. */
		QUEUE_STAT_ADD(q, tx_drop_link, 1);
		return false;
	}
	if (vnet_hdr_nettx2vhdr(pkt->flags, pkt->has_gso ? &pkt->gso : NULL,
	    buf, pkt->len, &vh, &q->vstats) < 0 ||
	    vnet_hdr_tx_masked_csum(&vh, buf, pkt->len, q->feat_off,
	    &q->vstats) < 0) {
		/* Linux drops a packet whose checksum cannot be set up
		 * after answering it OKAY (xenvif_tx_submit). */
		QUEUE_STAT_ADD(q, tx_drop_hdr, 1);
		return false;
	}
	if (q->vstats.gso_fixup + q->vstats.csum_fixup != fix)
		QUEUE_STAT_ADD(q, tx_csum_fixup, 1);
	if (q->swport != NULL) {
		/* A port of a vifd switch: the frame goes to the other
		 * ports, not to the TAP (vswitch.h). */
		if (vsw_port_send(q->swport, &vh, buf, pkt->len, 0, now_ns) < 0) {
			QUEUE_STAT_ADD(q, tx_drop_switch, 1);
			return false;
		}
		QUEUE_STAT_ADD(q, tx_switched, 1);
		goto sent;
	}
	iov[0].iov_base = &vh;
	iov[0].iov_len = sizeof(vh);
	iov[1].iov_base = buf;
	iov[1].iov_len = pkt->len;
	if (writev(q->tapfd, iov, 2) < 0) {
		/* EIO while the TAP is down, ENOBUFS under pressure: the
		 * packet is lost, as it would be on a full netdev queue;
		 * EBADFD: the TAP was deleted, the queue stops. */
		(void)queue_tap_error(q, errno);
		QUEUE_STAT_ADD(q, tx_drop_tap, 1);
		return false;
	}
sent:
	QUEUE_STAT_ADD(q, tx_packets, 1);
	QUEUE_STAT_ADD(q, tx_bytes, pkt->len);
	if (pkt->has_gso)
		QUEUE_STAT_ADD(q, tx_gso_frames, 1);
	return true;
}

/*
 * The effects of one chunk of parsed packets: one grant copy for all of
 * them, then each is written to the TAP (or dropped) and answered, and
 * the responses are pushed (the frontend may refill while we go on).
 */
static void
queue_tx_flush(struct queue *q, unsigned int npkts, unsigned int nsegs,
    const uint32_t *segidx, uint64_t now_ns)
{
	netif_tx_back_ring_t *ring = &q->tx;
	unsigned int i;
	int notify;

	if (nsegs > 0) {
		QUEUE_STAT_ADD(q, tx_copy_bytes,
		    queue_grant_copy(q, q->tx_segs, nsegs));
		QUEUE_STAT_ADD(q, tx_copy_calls, 1);
		QUEUE_STAT_ADD(q, tx_copy_segs, nsegs);
	}
	for (i = 0; i < npkts; i++) {
		struct tx_pkt *pkt = &q->tx_pkts[i];
		int16_t st = NETIF_RSP_OKAY;

		if (pkt->drop != TX_DROP_NONE) {
			queue_tx_count_drop(q, pkt->drop);
			st = NETIF_RSP_ERROR;
		} else if (pkt->mcast) {
			st = queue_tx_mcast(q, pkt);
		} else if (tx_pkt_copy_status(pkt, q->tx_segs + segidx[i]) !=
		    GNTST_okay) {
			/* XSA-362/367: a grant that fails to copy costs the
			 * packet, every slot answered exactly once. */
			QUEUE_STAT_ADD(q, tx_drop_copy, 1);
			st = NETIF_RSP_ERROR;
		} else if (pkt->len > 0)
			(void)queue_tx_send(q, pkt, q->tx_buf +
			    q->tx_pkt_off[i], now_ns);
		tx_pkt2rsp(pkt, ring, st);
	}
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

	now = loop_now_ns();
	while (off < n && !q->txl.blocked && !q->fatal) {
		unsigned int npkts = 0, nsegs = 0;
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
			q->tx_pkt_off[npkts] = bufoff;
			if (pkt->drop == TX_DROP_NONE && !pkt->mcast &&
			    pkt->len > 0) {
				int k = tx_pkt2copyops(pkt, q->domid,
				    q->tx_buf + bufoff, q->tx_segs + nsegs,
				    QUEUE_TX_SEGS - nsegs);

				if (k < 0)
					abort();	/* bounded below */
				nsegs += (unsigned int)k;
				bufoff += pkt->len;
			}
			npkts++;
			off += (unsigned int)r;
			/* Room for one more packet of the largest kind in
			 * this chunk? */
			if (bufoff >= QUEUE_CHUNK_BYTES ||
			    nsegs + TX_MAX_SEGS_PER_PKT > QUEUE_TX_SEGS)
				break;
		}
		ring->req_cons = base + off;
		queue_tx_flush(q, npkts, nsegs, segidx, now);
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

