/*
 * vif-guest.h - the simulated Linux netfront: shared types of its control
 * half (gbus.c), queues and data path (gq.c), guest memory (galloc.c),
 * guest TAP (gtap.c), hostile modes (evil.c) and main.c.
 *
 * Threads: the main thread owns xenstore, signals, connecting and closing
 * (struct vg and everything in it not marked [q]). Each queue has a worker
 * thread while connected that owns its rings, buffers and TAP queue fd
 * ([q]). Counters ([q], struct gq_stats) are written by the worker and
 * read by anyone through relaxed atomics.
 */
#ifndef VIFD_VIF_GUEST_H
#define VIFD_VIF_GUEST_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_net.h>

#include "gframe.h"
#include "gopts.h"
#include "mclist.h"
#include "core/ring.h"
#include "rxasm.h"
#include "txplan.h"
#include "core/vnet_hdr.h"
#include "seam/xen_ops.h"
#include "xensim.h"

/* TX buffer pages per queue at most: one per TX ring slot, so a TX id
 * (the pool index) is always < the ring size, as netfront's ids are. */
#define GQ_TXPOOL_MAX		VIFD_TX_RING_SIZE
/* ... and at least: one 64 KiB frame (17 pages) plus room. */
#define GQ_TXPOOL_MIN		32u
/* Bytes of a frame buffer: a virtio header and the most an RX frame can
 * carry (RXASM_MAX_FRAGS full pages), which is also more than any TAP
 * read can give (65535 + the header). */
#define GQ_FRAME_BUF		(sizeof(struct virtio_net_hdr) + \
				 RXASM_MAX_FRAGS * VIFD_PAGE_SIZE)
/* TX answers an attack keeps for its report. */
#define GQ_REC_MAX		1024u
/* Frames moved per pass before pushing, notifying and polling again
 * (netfront's NAPI budget is 64). */
#define GQ_BUDGET		64u
/* TX: the ring is full when fewer than this many slots are free
 * (netfront_tx_slot_available: NR_SLOTS_MIN + 1 for the GSO extra). */
#define GQ_TX_STOP		(XEN_NETIF_NR_SLOTS_MIN + 1u)
/* RX: netfront pushes new buffers only when at least this many are
 * outstanding (NET_RX_SLOTS_MIN), unless fewer are wanted at all. */
#define GQ_RX_SLOTS_MIN		(XEN_NETIF_NR_SLOTS_MIN + 1u)
/* sink: a few frames (fewer than GQ_NOISE_FRAMES) followed by a pause of
 * GQ_IDLE_RESET_NS are background chatter (router solicitations, ARP)
 * that came before the measured flow: the measuring window restarts.
 * After a flow of more, such a pause ends the window: what trickles in
 * later is not measured either. */
#define GQ_NOISE_FRAMES		1000u
#define GQ_IDLE_RESET_NS	500000000ull
/* Offset of a frame's first byte in its first TX page (the skb
 * headroom Linux leaves in front of locally built packets). */
#define GQ_TX_HEADROOM		64u

/* Counters of one queue, printed as "q<N>.<name> <value>". */
#define GQ_STATS(X)							\
	X(tx_frames)		/* frames put on the TX ring */		\
	X(tx_bytes)							\
	X(tx_gso_frames)						\
	X(tx_slots)		/* data slots */			\
	X(tx_linearized)	/* frames copied to fresh pages first */	\
	X(tx_done)		/* frames answered OKAY (gen: every slot; \
				 * tap: the first) */			\
	X(tx_done_bytes)						\
	X(tx_done_err)		/* frames answered with an error */	\
	X(tx_rsp_okay)							\
	X(tx_rsp_error)							\
	X(tx_rsp_dropped)						\
	X(tx_rsp_null)		/* answers to extra slots */		\
	X(tx_rsp_other)		/* any other status */			\
	X(tx_rsp_bad_id)	/* answer for no request of ours */	\
	X(tx_drop_too_big)	/* > 65535 bytes: not sent */		\
	X(tx_drop_no_sg)	/* needs SG the backend lacks */	\
	X(tx_drop_vnet)		/* virtio header netif cannot carry */	\
	X(tx_drop_runt)		/* TAP frame shorter than Ethernet */	\
	X(tx_mcast_sent)	/* MCAST_ADD/DEL requests */		\
	X(tx_mcast_okay)	/* ... answered OKAY */			\
	X(tx_mcast_error)	/* ... answered otherwise */		\
	X(rx_frames)		/* frames received and accepted */	\
	X(rx_bytes)							\
	X(rx_gso_frames)						\
	X(rx_xdp_frames)	/* accepted frames with an XDP extra */	\
	X(rx_no_xdp_frames)	/* ... without one */			\
	X(rx_bad_offset)	/* data not where the extra (or 0) says */ \
	X(rx_csum_blank)						\
	X(rx_csum_checked)	/* tap: complete TCP/UDP checksums checked */ \
	X(rx_csum_bad)		/* ... and found wrong */		\
	X(rx_data_validated)						\
	X(rx_multi_slot)	/* frames of more than one data slot */	\
	X(rx_err_status)	/* frames with a data slot status < 0 */	\
	X(rx_status_error)	/* ... NETIF_RSP_ERROR */		\
	X(rx_status_dropped)	/* ... NETIF_RSP_DROPPED */		\
	X(rx_status_other)	/* ... other negative (a GNTST_*) */	\
	X(rx_err_bounds)						\
	X(rx_err_extra)		/* missing extra, or bad type */	\
	X(rx_err_more_slots)						\
	X(rx_err_too_many)						\
	X(rx_err_gso)							\
	X(rx_drop_vnet)		/* flags/GSO the guest stack refuses */	\
	X(rx_tap_err)		/* the TAP refused the write */		\
	X(rx_sg_unnegotiated)	/* multi-slot while we said no SG */	\
	X(rx_gso_unnegotiated)	/* GSO we did not ask for */		\
	X(rx_csum_unnegotiated)	/* csum_blank we refused */		\
	X(rx_hash_extra)	/* frames with a HASH extra */		\
	X(rx_hash_ok)		/* ... equal to our own Toeplitz */	\
	X(rx_hash_bad)		/* ... not equal (value or type) */	\
	X(rx_hash_missing)	/* hashable, hashing on, no extra */	\
	X(rx_rss_queue_ok)	/* on the queue our mapping names */	\
	X(rx_rss_queue_bad)	/* ... on another queue */		\
	X(rx_bufs_posted)						\
	X(rx_bad_prod)		/* rsp_prod ahead by more than a ring */\
	X(evtchn_events)						\
	X(notify_tx)							\
	X(notify_rx)							\
	X(notify_err)

struct gq_stats {
#define GQ_STAT_FIELD(n) uint64_t n;
	GQ_STATS(GQ_STAT_FIELD)
#undef GQ_STAT_FIELD
};

/* Counter updates: only the owning thread writes, others may read. */
#define GQ_ADD(q, f, n) __atomic_store_n(&(q)->st.f,			\
	__atomic_load_n(&(q)->st.f, __ATOMIC_RELAXED) + (uint64_t)(n),	\
	__ATOMIC_RELAXED)
#define GQ_GET(q, f) __atomic_load_n(&(q)->st.f, __ATOMIC_RELAXED)

/* A page of guest memory and the grant that gives it to the backend. */
struct gbuf {
	uint32_t pfn;
	uint32_t ref;		/* 0: not granted */
	uint8_t *va;
};

/* The guest's pages and grant refs available to this process: next-fit
 * over a bitmap each, so that a reconnect gets fresh refs. */
struct galloc {
	uint32_t page_base, page_count, page_next;
	uint32_t ref_base, ref_count, ref_next;
	uint8_t *page_used;	/* one byte per page of the slice */
	uint8_t *ref_used;
};

struct vg;

/* Evil attack hooks into the normal data path. */
enum gq_rxbad {
	GQ_RXBAD_NONE = 0,
	GQ_RXBAD_REFS,		/* post RX requests with bad grefs */
};

struct gq {
	struct vg *vg;
	unsigned int id;
	struct gbuf txr, rxr;			/* ring pages */
	netif_tx_front_ring_t tx;		/* [q] */
	netif_rx_front_ring_t rx;		/* [q] */
	struct xen_evtchn *evh;
	int evfd;
	uint32_t tx_port, rx_port;		/* equal when not split */
	bool split;

	/* TX buffers: pool index = request id. */
	struct gbuf txpool[GQ_TXPOOL_MAX];
	unsigned int ntx;
	uint16_t txfree[GQ_TXPOOL_MAX];		/* [q] stack (tap mode) */
	unsigned int ntxfree;			/* [q] */
	bool txbusy[GQ_TXPOOL_MAX];		/* [q] in flight */
	uint32_t txfirst[GQ_TXPOOL_MAX];	/* [q] frame length if the
						 * slot is a frame's first */
	bool txmcast[GQ_TXPOOL_MAX];		/* [q] a multicast request */
	/* evil: every TX answer, in order, while recording */
	bool recording;
	unsigned int nrec;
	struct gq_rec {
		RING_IDX idx;
		uint16_t id;
		int16_t status;
	} rec[GQ_REC_MAX];
	/* gen mode: the pool in groups of gen_pages pages, each holding
	 * one copy of the frame, laid out by gen_plan. */
	struct txplan gen_plan;
	struct gframe gen_frame;
	unsigned int gen_pages, ngroups;
	uint16_t gfree[GQ_TXPOOL_MAX];		/* [q] free groups */
	unsigned int ngfree;			/* [q] */
	uint16_t gpending[GQ_TXPOOL_MAX];	/* [q] slots in flight */
	bool gerr[GQ_TXPOOL_MAX];		/* [q] a slot was refused */
	uint64_t gen_quota, gen_sent;		/* [q] */
	uint64_t t_first_ns, t_last_ns;		/* [q] first / last frame */
	uint64_t win_frames, win_bytes;		/* [q] sink: since t_first */
	uint64_t t_prev_ns;			/* [q] sink: last frame */
	bool win_closed;			/* [q] sink: the flow ended */

	/* RX buffers: the one for ring index i is rxbuf[i % 256]. */
	struct gbuf rxbuf[VIFD_RX_RING_SIZE];
	unsigned int rx_target;			/* buffers kept posted */
	enum gq_rxbad rxbad;
	uint32_t rxbad_refs[VIFD_RX_RING_SIZE];

	int tapfd;				/* tap mode, else -1 */
	uint8_t *txframe, *rxframe;		/* [q] GQ_FRAME_BUF each */
	struct vnet_stats vst;			/* [q] */

	pthread_t thr;
	bool running;
	int wakefd;
	int stop;				/* atomic */
	int done;				/* atomic: gen finished */
	struct gq_stats st;
};

/* --rss: the Windows-like profile's control ring and hash settings. */
#define GRSS_KEY_LEN		40u
#define GRSS_MAP_SIZE		64u
#define GRSS_PAGES		3u	/* ring, key, mapping */
struct grss {
	struct gbuf ring;		/* the control ring page */
	struct gbuf key, map;		/* pages the backend copies from */
	xen_netif_ctrl_front_ring_t fr;
	struct xen_evtchn *evh;
	uint32_t port;
	uint16_t next_id;
	uint8_t keyv[GRSS_KEY_LEN];
	uint32_t flags;
	uint32_t mapping[GRSS_MAP_SIZE];
	int ready;			/* [atomic] settings acknowledged */
	bool set_up;
};

/* What the backend advertised. */
struct gbe_features {
	bool rx_copy;
	bool sg, gso_tcpv4, gso_tcpv6, ipv6_csum;
	bool split;
	bool has_max_queues;
	unsigned int max_queues;	/* 1 if the key is absent */
	bool xdp_headroom;
	bool ctrl_ring;
	bool mcast;			/* feature-multicast-control */
	bool mcast_dynamic;		/* feature-dynamic-multicast-control */
};

/* Evil control-half attacks: how the frontend keys are spoiled. */
enum gkeys_evil {
	GKEYS_OK = 0,
	GKEYS_NQ0,		/* multi-queue-num-queues = 0 */
	GKEYS_NQ_BIG,		/* multi-queue-num-queues = max + 1 */
	GKEYS_REF_NAN,		/* tx-ring-ref is not a number */
	GKEYS_NO_EVTCHN,	/* ring refs but no event channel key */
	GKEYS_NO_RX_COPY,	/* request-rx-copy missing */
};

struct vg {
	struct gopts o;
	struct xen_env *env;
	const struct xen_ops *ops;
	struct xen_xs *xs;
	struct xensim_dom *dom;
	struct galloc ga;
	uint32_t be_domid;
	char fe[96];			/* /local/domain/D/device/vif/N */
	char be[256];			/* the backend key's value */
	int fe_state;			/* what we last wrote */
	int be_state;			/* last read; -1: absent */
	bool fe_seen;			/* our frontend directory existed */
	bool fe_gone;			/* ... and vanished since */
	bool be_watched;
	struct gbe_features bf;
	uint8_t mac[6];
	unsigned int mtu;
	unsigned int nq;
	struct gq *q;			/* nq of them, while set up */
	bool connected;			/* keys written, state Connected */
	enum gkeys_evil keys_evil;	/* applied to the next key write */
	int connect_state;		/* what connecting ends with: Connected,
					 * or evil's early Reconfiguring */

	/* --xdp-cycles: netfront's XDP handshake (gxdp.c) */
	unsigned int xdp_headroom;	/* what our xdp-headroom key says */
	unsigned int xdp_steps;		/* attaches and removes done */
	uint64_t xdp_next_ns;		/* when the next one is due */
	bool xdp_failed;		/* a step was not answered: exit 1 */
	bool evil_done;			/* the attack has run */

	/* tap mode: the TAP, created at the first connect */
	int *tapfds;
	unsigned int ntapfds;

	/* counters of queues torn down (reconnects), by queue index */
	struct gq_stats hist[64];
	unsigned int hist_nq;

	/* --mcast: what the backend's list holds as far as we know (what we
	 * asked for since connecting), and the requests queue 0's worker
	 * is still to send, handed over under mc_lock. */
	struct mclist mc_sent;
	bool mc_control;		/* request-multicast-control written */
	pthread_mutex_t mc_lock;
	struct mclist_op mc_ops[2 * MCLIST_MAX];	/* [mc_lock] */
	unsigned int mc_nops;				/* [mc_lock] */

	struct grss rss;		/* --rss */

	/* signals and events seen by the main thread */
	int sigfd;
	int donefd;			/* a gen worker finished */
	bool sig_term, sig_hup, sig_usr2;
	uint64_t start_ns;		/* of the data phase */
};

/* ---- galloc.c ---------------------------------------------------------- */

/* Sets up the slice of pages and refs this process uses (see the
 * man page: by devid, or --mem-base/--ref-base). Returns 0 or -errno
 * with a reason in err. */
int galloc_init(struct galloc *ga, uint32_t npages, uint32_t devid,
    int64_t mem_base, int64_t ref_base, char *err, size_t errlen);
void galloc_free(struct galloc *ga);
/* Pages and refs still free. */
uint32_t galloc_pages_free(const struct galloc *ga);
uint32_t galloc_refs_free(const struct galloc *ga);
/* A free page / ref, or -ENOSPC. */
int64_t galloc_page(struct galloc *ga);
int64_t galloc_ref(struct galloc *ga);
void galloc_page_put(struct galloc *ga, uint32_t pfn);
void galloc_ref_put(struct galloc *ga, uint32_t ref);
/* Allocates a page and a ref and grants the page to `domid`. */
int galloc_grant(struct vg *vg, struct gbuf *b, bool readonly);
/* Ends the grant and frees page and ref. A grant the backend still has
 * mapped (-EBUSY) is left granted and its page and ref are never reused
 * (as Linux defers such pages); returns -EBUSY then. */
int galloc_ungrant(struct vg *vg, struct gbuf *b);

/* ---- gbus.c: the control half -------------------------------------------- */

const char *gbus_state_str(int state);
/* Reads `path` (relative to the frontend dir if not absolute): malloc'd
 * value or NULL. */
char *gbus_read(struct vg *vg, const char *path);
/* Writes `val` at `path` (relative to the frontend dir if not
 * absolute). 0 or -errno. */
int gbus_write(struct vg *vg, xen_txn_t t, const char *path,
    const char *val);
/* Writes our state node and logs the change. */
int gbus_switch_state(struct vg *vg, int state);
/* Handles what the main thread's fds have: watch events (updates
 * be_state / fe_gone) and signals (sets sig_* flags, prints counters on
 * USR1). Waits up to timeout_ms. Returns 0 or -errno. */
int gbus_poll(struct vg *vg, int timeout_ms);
/* Waits until the backend state is in `mask` (1 << XenbusState*) or the
 * frontend directory goes, up to timeout_ms; stops early on TERM/INT
 * when `interruptible`. Returns the state, -ETIMEDOUT, -EINTR, -ENOENT. */
int gbus_wait_be(struct vg *vg, unsigned int mask, int timeout_ms,
    bool interruptible);
/* The whole bring-up: Initialising, wait InitWait, features, queues,
 * TAP (first time), keys, RX buffers, Connected. Returns 0, -EINTR (a
 * signal asked us to stop), -ENOENT (device removed) or -errno with a
 * message logged. */
int gbus_connect(struct vg *vg);
/* Closes as netfront does on removal: Closing, wait for the backend,
 * Closed, wait; then tears the queues down. */
void gbus_close(struct vg *vg);
/* The backend went Closing/Closed under us: Closed, wait, tear down. */
void gbus_backend_closed(struct vg *vg);
/* --mcast: reads the file; writes request-multicast-control when it
 * changed (unless `connecting`: the key goes with the others) and hands
 * the ADD/DEL requests that bring the backend's list to the file's to
 * queue 0. Returns 0 or -errno (message logged, nothing changed). */
int gbus_mcast_load(struct vg *vg, bool connecting);

/* ---- gxdp.c: the XDP headroom handshake ------------------------------------ */

/* Netfront's xennet_xdp_set, once: Reconfiguring, xdp-headroom = `h`,
 * wait for the backend's Reconfigured (bounded by --timeout: netfront
 * has no bound, so a miss is reported as the hang it would be),
 * Connected, wait for the backend's Connected. Prints one line.
 * Returns 0, -ETIMEDOUT (reported), -EINTR, -ENOENT or -errno. */
int gxdp_handshake(struct vg *vg, unsigned int h, const char *what);
/* --xdp-cycles: does the next attach or remove if it is due (`now`);
 * returns the milliseconds until the one after (-1: none left), or
 * -errno if a step failed (vg->xdp_failed is set then). */
int gxdp_tick(struct vg *vg, uint64_t now);

/* ---- gq.c: queues and the data path --------------------------------------- */

/* Allocates, grants and binds one queue's rings, its RX buffers and a
 * pool of ntx TX pages (gen mode: prefilled with the frame). Returns 0
 * or -errno with the reason logged; a failed setup is torn down. */
int gq_setup(struct vg *vg, struct gq *q, unsigned int id, unsigned int ntx);
/* Ends grants, unbinds, frees (the worker must be stopped). */
void gq_teardown(struct gq *q);
/* --abandon: frees our memory and closes the event channel handle but
 * leaves every grant in place, as a crashed guest would. */
void gq_abandon(struct gq *q);
int gq_start(struct gq *q);
void gq_stop(struct gq *q);
/* Data path steps, also used by evil.c before the workers start. */
unsigned int gq_tx_gc(struct gq *q);
unsigned int gq_rx_poll(struct gq *q);
void gq_rx_refill(struct gq *q);
void gq_tx_push(struct gq *q);
/* Re-arms rsp_event on both rings: true if there is work already. */
bool gq_final_check(struct gq *q);
/* Drains pending event channel ports; returns how many. */
unsigned int gq_evtchn_drain(struct gq *q);
/*
 * Puts one frame on the TX ring (not pushed), laid out as a TAP-built
 * skb: `head` bytes in a first page after GQ_TX_HEADROOM, the rest in
 * fresh pages from offset 0. Returns 0, -EAGAIN (no room: the caller
 * checks first), or the txplan_build error (counted as a drop).
 */
int gq_tx_frame(struct gq *q, const uint8_t *frame, size_t len, size_t head,
    uint16_t txflags, const struct netif_extra_info *gso);
/* Puts the pending multicast requests (vg->mc_ops) on the TX ring as
 * netif's dummy requests, as room allows, and pushes. Returns how many. */
unsigned int gq_mc_tx(struct gq *q);
/* True if a frame of up to TXPLAN_MAX_SLOTS slots fits now. */
bool gq_tx_room(const struct gq *q);
/* Prints the counters as "key value" lines (per queue and totals). */
void gq_print_stats(struct vg *vg);
/* The features the backend offers, as vnet_hdr wants them. */
void gq_peer_features(const struct vg *vg, struct vnet_features *f);

/* ---- grss.c: the Windows-like profile's RSS ------------------------------- */

/* Grants the control ring and binds its event channel (before the keys
 * are written). 0 or -errno (logged). */
int grss_setup(struct vg *vg);
/* Writes ctrl-ring-ref and event-channel-ctrl in transaction t. */
int grss_keys(struct vg *vg, xen_txn_t t, const char **what);
/* After Connected: algorithm, key, flags, mapping over the control ring,
 * each answer checked; then frames are checked (grss_check). 0 or
 * -errno (logged). */
int grss_configure(struct vg *vg);
/* Ends the grants and closes the channel. */
void grss_teardown(struct vg *vg);
/* One accepted RX frame of queue q: its HASH extra against our own
 * Toeplitz, and the queue against our mapping (counters). */
void grss_check(struct gq *q, const struct rxasm_frame *f);
/* evil: sends one request and waits for its answer: the status, or
 * -errno (no answer within the timeout). *data gets the answer's data. */
int grss_request(struct vg *vg, uint16_t type, uint32_t d0, uint32_t d1,
    uint32_t d2, uint32_t *data);

/* ---- evil_ctrl.c ---------------------------------------------------------- */

/* The ctrl-* attacks (the control ring is set up): result lines. */
void evil_ctrl(struct vg *vg, const char *name);

/* ---- gtap.c ------------------------------------------------------------- */

/* Creates the TAP with `nq` queues, sets offloads, MAC, MTU, moves it to
 * the netns and brings it up. Returns 0 or -errno (message logged). */
int gtap_create(struct vg *vg, unsigned int nq);
void gtap_close(struct vg *vg);

/* ---- evil.c -------------------------------------------------------------- */

/* Checks an attack name before anything starts: 0 or -EINVAL. "list"
 * prints the names and returns 1. */
int evil_check(const char *name);
/* Hooks applied while connecting (key spoiling, RX buffer choice). */
void evil_pre_connect(struct vg *vg);
void evil_pre_rx(struct vg *vg, struct gq *q);
/* Runs the attack once connected (workers not started yet), prints its
 * result lines. */
void evil_run(struct vg *vg);

#endif
