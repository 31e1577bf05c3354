/*
 * queue.h - one netif queue and the worker thread that moves its packets.
 *
 * A queue owns what it uses: it grant-maps its TX and RX rings, binds its
 * event channel(s) and opens its TAP queue fd (queue_open), runs a worker
 * thread with its own epoll loop, timerfd and control eventfd
 * (queue_start), and gives all of it back (queue_close). Only the worker
 * touches the ring indices. It reports to its owner through a table of
 * upcalls (a rogue frontend, a stalled RX ring) and takes new rate limits
 * through queue_set_rate; it knows nothing of the vif it belongs to.
 */
#ifndef VIFD_QUEUE_H
#define VIFD_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/log.h"
#include "util/loop.h"
#include "data/queue_stats.h"
#include "core/ratelimit.h"
#include "core/ring.h"
#include "data/shaper.h"
#include "core/rx.h"
#include "core/rxstall.h"
#include "core/frontend.h"
#include "core/tx.h"
#include "core/vnet_hdr.h"
#include "core/ctrl.h"
#include "seam/xen_ops.h"

struct queue;
struct vif_mcast;
struct vif_rss;
struct vsw_port;
struct inbox;

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
/* The defaults of a queue's RX drain and stall timeouts (queue_params
 * may set others, a unit test does). Linux: rx_drain_timeout_msecs =
 * 10000, rx_stall_timeout_msecs = 60000. */
#define QUEUE_RX_DRAIN_NS	(10ull * 1000000000ull)
#define QUEUE_RX_STALL_NS	(60ull * 1000000000ull)
/* Without feature-rx-notify the frontend never tells us it posted RX
 * buffers: re-check this often while waiting for them. */
#define QUEUE_RX_POLL_NS	(10ull * 1000000ull)

/*
 * What a queue reports, called on its worker thread (so the owner's
 * functions must be thread-safe), each with the owner's `arg`.
 */
struct queue_upcalls {
	/* The frontend broke the protocol in a way Linux treats as fatal;
	 * the queue has stopped consuming. Once per queue. */
	void (*fatal)(void *arg, const struct queue *q, const char *reason);
	/* The guest RX ring stalled (true: it has less room than the
	 * head frame needs and the guest has taken nothing for the stall
	 * timeout, drained frames notwithstanding) or is ready again
	 * (false: room for the head frame, or no frame held); also false
	 * when a stalled queue stops. See core/rxstall.h. */
	void (*stalled)(void *arg, const struct queue *q, bool stalled);
};

/* What queue_open needs; nothing of it is kept but copies. */
struct queue_params {
	struct xen_env *env;
	unsigned int id;		/* the netif queue's number */
	const char *name;		/* "vif1.0 q0", for logs */
	uint16_t domid;			/* the frontend's */
	struct frontend_queue fq;	/* its ring refs and ports */
	/* The TAP: a queue of `ifname` is opened, unless tapfd >= 0, which
	 * the queue then uses and owns instead (a unit test's socketpair). */
	const char *ifname;
	int tapfd;
	struct vnet_features fe;	/* what the frontend negotiated */
	uint32_t feat_off;		/* FEATMASK_* masked on this vif */
	bool rx_notify;			/* feature-rx-notify */
	unsigned int max_rx_frame;	/* bytes the frontend can take */
	uint16_t xdp_headroom;		/* the frontend's, at connect */
	struct ratelimit_rate out, in;	/* guest -> host, host -> guest */
	/* Guest RX drain and stall timeouts; 0: QUEUE_RX_DRAIN_NS,
	 * QUEUE_RX_STALL_NS. */
	uint64_t rx_drain_ns, rx_stall_ns;
	/* The vif's multicast filter, shared with its other queues (TX
	 * requests change it, RX frames are judged by it); NULL: none. */
	struct vif_mcast *mcast;
	/* The vif's shared shapes (NULL: none); they outlive the queue. */
	struct shaper *shape_out, *shape_in;
	/* The vif's receive-side scaling (hash settings, the queues'
	 * inboxes), shared by its queues; NULL: no control ring. */
	struct vif_rss *rss;
	/* The vif's port on a vifd switch (vswitch.h), or NULL: frames from
	 * the guest go to it instead of the TAP. `swin` is its inbox, for
	 * the one queue that delivers the switch's frames (NULL for the
	 * others). */
	struct vsw_port *swport;
	struct inbox *swin;
	const struct queue_upcalls *up;
	void *up_arg;
};

/*
 * One direction's limit as a queue's worker sees it: the vif's shared
 * shape while one is in force (libvirt's average, peak and burst, per
 * vif), else this queue's own credit scheduler (xl's rate=, per queue as
 * in netback). [worker], but for the [const] shaper pointer.
 */
struct queue_limit {
	struct ratelimit rl;		/* `rate` / vifd-inbound-rate */
	struct shaper *shaper;		/* [const] the vif's, or NULL */
	unsigned int who;		/* [const] the queue's id, to it */
	struct ratelimit_delay shaped;	/* this queue's waits on the shaper */
	uint64_t wake_ns;		/* while blocked: when to retry */
	bool blocked;			/* waiting for credit */
};

struct queue {
	/* [const after open] */
	unsigned int id;
	char name[48];			/* "vif1.0 q0" */
	char ifname[16];		/* its TAP's name (IFNAMSIZ), for logs */
	struct xen_env *env;
	uint16_t domid;			/* the frontend's */
	const struct queue_upcalls *up;
	void *up_arg;
	struct xen_gnttab *gnttab;
	struct xen_evtchn *evtchn;
	uint32_t port_tx, port_rx;	/* local ports; equal if shared */
	void *tx_map, *rx_map;
	int tapfd;
	struct tapio *tio;		/* the TAP's writes (tapio.h) */
	struct vnet_features fe;
	uint32_t feat_off;		/* FEATMASK_* masked on this vif */
	bool rx_notify;			/* feature-rx-notify */
	unsigned int max_rx_frame;	/* bytes the frontend can take */
	struct rxstall_cfg rx_times;	/* drain and stall timeouts */
	struct vif_mcast *mcast;	/* shared, thread-safe; or NULL */
	struct vif_rss *rss;		/* shared, thread-safe; or NULL */
	struct vsw_port *swport;	/* shared, thread-safe; or NULL */
	struct inbox *swin;		/* the port's inbox, or NULL */

	/* [worker] */
	pthread_t thread;
	bool started;
	struct loop loop;
	int timerfd;
	/* When timerfd is set to expire (ns, loop_now_ns), or UINT64_MAX:
	 * not set. A pass that would set it as it is makes no call (a
	 * system call each pass, a hypervisor round trip in a PV dom0). */
	uint64_t timer_at;
	int ctlfd;			/* control thread -> worker */
	struct loop_watch w_evtchn, w_tap, w_timer, w_ctl, w_steer, w_switch;
	struct log_ratelimit copy_rl;	/* "grant copy failed" lines */
	/* [rx_lock] the same lines for frames an uplink's thread places in
	 * this queue's ring (queue_direct_place_held) */
	struct log_ratelimit place_rl;
	struct log_ratelimit notify_rl;	/* "notify port" lines (a limiter
					 * is one thread's, log.h) */
	struct ctrl_hash rss_h;		/* our copy of rss's settings */
	int rss_gen;			/* ... as of this generation */
	netif_tx_back_ring_t tx;
	netif_rx_back_ring_t rx;
	union tx_slot *tx_slots;
	struct tx_pkt *tx_pkts;
	uint32_t *tx_pkt_off;
	struct xen_copy_seg *tx_segs;
	uint8_t *tx_buf;
	struct queue_limit txl;		/* guest -> host */
	struct xen_copy_seg *rx_segs;
	struct rx_pending *rx_pend;
	uint8_t *rx_buf;
	struct queue_limit rxl;		/* host -> guest */
	/* Guest RX (the ring's request and response indices, rx_segs and
	 * rx_pend, the held frame, the stall state, the rx_* counters) is
	 * the worker's, under this lock for each pass: another switch
	 * port's worker takes it to place a frame straight into this ring
	 * (one copy, queue_direct.c). */
	pthread_mutex_t rx_lock;
	bool rx_waiting;		/* head frame needs more RX slots */
	bool tap_reading;		/* EPOLLIN on the TAP is armed */
	bool rx_head;			/* a frame is held (rx_head_frame) */
	bool rx_head_charged;		/* its inbound credit is paid */
	struct rx_frame rx_head_frame;
	uint64_t rx_head_since;		/* when it was paid for: its enqueue
					 * time, the drain counts from it */
	uint64_t rx_last;		/* last frame given to the guest, or
					 * ready again, or the start: the
					 * stall counts from it */
	/* Notifications other threads' placements sent (queue_direct.c):
	 * stats.notifies is the worker's alone, so they are counted here,
	 * under the lock, and added to it when the stats are read. */
	uint64_t place_notifies;
	bool stalled;
	bool fatal;			/* written atomically: other ports'
					 * workers read it (queue_direct.c) */
	bool direct_off;		/* a one copy to another guest failed:
					 * this queue's frames go the two-copy
					 * way from then on */
	uint32_t masked[2];		/* ports of the last events, masked */
	unsigned int nmasked;
	uint64_t unmask_at;		/* deferred unmask (a storm), or 0 */
	unsigned int spurious;		/* consecutive events without work */
	RING_IDX rx_seen_req_prod;	/* RX req_prod at the last event */
	struct vnet_stats vstats;
	int seen_rate_gen;

	/* control thread -> worker */
	int stop;			/* [atomic] */
	int rate_gen;			/* [atomic] bumped when rates change */
	pthread_mutex_t rate_lock;
	struct ratelimit_rate rate_out, rate_in;	/* [rate_lock] */
	int link_down;			/* [atomic] vifd-link is down */
	int xdp_headroom;		/* [atomic] the frontend's xdp-headroom
					 * (0..4095), taken per frame read */
	int rx_limited;			/* [atomic] an inbound rate is set
					 * (the worker's, for other ports'
					 * workers: no one copy then) */

	struct queue_stats stats;
};

/*
 * Sets up a queue from `p`: grant-maps the rings (refusing, as Linux at
 * attach, producers impossibly far ahead of the responses), opens an
 * event-channel handle and binds the frontend's port(s), opens a TAP
 * queue (or adopts p->tapfd) with the offloads the frontend negotiated.
 * Returns 0, or -errno with a one-line reason in err; on failure nothing
 * is left open (p->tapfd too is closed). queue_close() undoes it.
 */
int queue_open(struct queue *q, const struct queue_params *p, char *err,
    size_t errlen);

/* Stops the worker if it runs, then unbinds, unmaps and closes. */
void queue_close(struct queue *q);

/* Starts the worker of an open queue. 0 or -errno. */
int queue_start(struct queue *q);
/* Asks the worker to stop and joins it (a no-op if it is not running). */
void queue_stop(struct queue *q);

/* New limits, applied by the worker at once (live, while traffic
 * flows). Any thread. */
void queue_set_rate(struct queue *q, const struct ratelimit_rate *out,
    const struct ratelimit_rate *in);

/* The link as an admin sets it (vifd-link): while down, frames each way
 * are dropped and counted (tx_drop_link, rx_drop_link). Any thread; the
 * worker sees it at its next frame. */
void queue_set_link(struct queue *q, bool up);
/* The frontend's XDP headroom (0..4095, validated by the caller), from
 * the next frame read from the TAP on; frames already read keep the one
 * they were read with. */
void queue_set_xdp_headroom(struct queue *q, uint16_t headroom);

/* Copies the counters. Any thread. */
void queue_get_stats(const struct queue *q, struct queue_stats *out);

#endif
