/*
 * queue.h - one netif queue and the worker thread that moves its packets.
 *
 * A queue owns a TX ring and an RX ring (grant-mapped), one event-channel
 * handle with its port(s), one TAP queue fd, a timerfd and a control
 * eventfd, all in the worker's own epoll loop. Only the worker touches the
 * ring indices; the control thread starts and stops it, changes its rate
 * and reads its counters.
 */
#ifndef VIFD_QUEUE_H
#define VIFD_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "loop.h"
#include "ratelimit.h"
#include "ring.h"
#include "rx.h"
#include "tx.h"
#include "vif.h"
#include "vnet_hdr.h"
#include "xen_ops.h"

/* Counters, written by the worker only (relaxed atomic stores), read by
 * anyone. Names are what `vifctl stats` prints. */
#define QUEUE_STATS(X) \
	X(tx_packets) X(tx_bytes) X(tx_gso_frames) X(tx_mcast) \
	X(tx_drop_runt) X(tx_drop_slots) X(tx_drop_oversize) \
	X(tx_drop_copy) X(tx_drop_hdr) X(tx_drop_tap) \
	X(tx_csum_fixup) X(tx_sweeps) X(tx_copy_segs) \
	X(tx_rate_delayed) X(tx_rate_delayed_bytes) X(tx_throttled_ns) \
	X(rx_packets) X(rx_bytes) X(rx_gso_frames) \
	X(rx_drop_hdr) X(rx_drop_copy) X(rx_drop_size) X(rx_drop_drain) \
	X(rx_csum_fixup) X(rx_stalls) X(rx_copy_segs) X(rx_batches) \
	X(rx_rate_delayed) X(rx_rate_delayed_bytes) X(rx_throttled_ns) \
	X(evtchn_events) X(evtchn_spurious) X(notifies)

struct queue_stats {
#define QUEUE_STATS_FIELD(n) uint64_t n;
	QUEUE_STATS(QUEUE_STATS_FIELD)
#undef QUEUE_STATS_FIELD
};

#define QUEUE_STAT_ADD(q, field, n) \
	__atomic_store_n(&(q)->stats.field, (q)->stats.field + (n), \
	    __ATOMIC_RELAXED)

/*
 * Budgets and bounds, per queue. A TX chunk or an RX batch holds at most
 * 256 KiB of packet data (and 256 copy segments): the data then still
 * sits in L2 when the TAP syscall copies it again, and the frontend gets
 * its responses (and refills) sooner. Measured with tools/bench, 64 KiB
 * GSO frames, guest TX: copying a whole ring sweep (~1 MiB, 14
 * super-frames) before the first writev cost 10.2 us a frame, 8.8 us in
 * chunks (0.30 -> 0.46 of the bare TAP loop's frame rate); a chunk of 64
 * segments made small frames 8% dearer (more pushes), hence bytes.
 */
#define QUEUE_CHUNK_BYTES	(256u * 1024u)
#define QUEUE_TX_SEGS	256u			/* copy segments per TX chunk */
#define QUEUE_TX_BUF	(QUEUE_CHUNK_BYTES + 65536u)
#define QUEUE_RX_SEGS	256u			/* copy segments per RX batch */
#define QUEUE_RX_PEND	128u			/* frames per RX batch */
#define QUEUE_RX_BUF	(QUEUE_CHUNK_BYTES + 2u * 66048u)
/* The largest frame a TAP read can return: a 64 KiB GSO frame plus
 * headers the kernel may prepend. */
#define QUEUE_RX_FRAME_MAX	(65536u + 512u)
/* Frames read from the TAP per wakeup before yielding. */
#define QUEUE_RX_BUDGET	512u
/* TX chunks per wakeup before yielding to the other direction. */
#define QUEUE_BUDGET	32u
/* Linux: rx_drain_timeout_msecs = 10000, rx_stall_timeout_msecs = 60000. */
#define QUEUE_RX_DRAIN_NS	(10ull * 1000000000ull)
#define QUEUE_RX_STALL_NS	(60ull * 1000000000ull)
/* Without feature-rx-notify the frontend never tells us it posted RX
 * buffers: re-check this often while waiting for them. */
#define QUEUE_RX_POLL_NS	(10ull * 1000000ull)

struct queue {
	struct vif *vif;
	unsigned int id;
	char name[48];			/* "vif1.0 q0" */
	struct xen_env *env;
	uint16_t domid;			/* the frontend's */

	/* [const after start] */
	struct xen_gnttab *gnttab;
	struct xen_evtchn *evtchn;
	uint32_t port_tx, port_rx;	/* local ports; equal if shared */
	void *tx_map, *rx_map;
	int tapfd;
	struct vnet_features fe;
	bool rx_notify;			/* feature-rx-notify */
	bool sg;
	unsigned int max_rx_frame;	/* bytes the frontend can take */

	/* [worker] */
	pthread_t thread;
	bool started;
	struct loop loop;
	int timerfd;
	int ctlfd;			/* control thread -> worker */
	struct loop_watch w_evtchn, w_tap, w_timer, w_ctl;
	netif_tx_back_ring_t tx;
	netif_rx_back_ring_t rx;
	union tx_slot *tx_slots;
	struct tx_pkt *tx_pkts;
	uint32_t *tx_pkt_off;
	struct xen_copy_seg *tx_segs;
	uint8_t *tx_buf;
	struct ratelimit tx_rl;
	bool tx_blocked;		/* waiting for credit */
	struct xen_copy_seg *rx_segs;
	struct rx_pending *rx_pend;
	uint8_t *rx_buf;
	struct ratelimit rx_rl;
	bool rx_blocked;		/* waiting for credit */
	bool rx_waiting;		/* head frame needs more RX slots */
	bool tap_reading;		/* EPOLLIN on the TAP is armed */
	bool rx_head;			/* a frame is held (rx_head_frame) */
	bool rx_head_charged;		/* its inbound credit is paid */
	struct rx_frame rx_head_frame;
	uint64_t rx_head_since;		/* when it started waiting for slots */
	bool stalled;
	bool fatal;
	uint32_t masked[2];		/* ports of the last events, masked */
	unsigned int nmasked;
	uint64_t unmask_at;		/* deferred unmask (a storm), or 0 */
	unsigned int spurious;		/* consecutive events without work */
	RING_IDX rx_seen_req_prod;	/* RX req_prod at the last event */
	struct vnet_stats vstats;

	/* [atomic] control thread -> worker */
	int stop;
	int rate_gen;			/* bumped when rates change */
	struct vif_rate rate_out, rate_in;	/* [under vif->lock] */
	int seen_rate_gen;		/* [worker] */

	struct queue_stats stats;
};

/* Provided by vif.c for its workers. */
/* Reports a rogue frontend (once) and wakes the control thread. */
void vif_report_fatal(struct vif *vif, const char *reason);
/* This queue stalled (or recovered): the TAP's carrier follows. */
void vif_queue_stalled(struct vif *vif, int tapfd, bool stalled);
/* The limits the control thread last set for this queue. */
void vif_get_rates(struct vif *vif, const struct queue *q,
    struct vif_rate *out, struct vif_rate *in);

/* Starts the worker of a queue whose handles are set up. 0 or -errno. */
int queue_start(struct queue *q);
/* Asks the worker to stop and joins it. */
void queue_stop(struct queue *q);
/* Tells the worker that q->rate_* changed. */
void queue_kick_rate(struct queue *q);
/* Copies the counters. */
void queue_get_stats(const struct queue *q, struct queue_stats *out);

#endif
