/*
 * vswitch_xsk.c - a vifd switch's AF_XDP uplink and the thread that
 * serves it (see vswitch_xsk.h).
 *
 * Owns the socket's memory (the UMEM: XSK_FRAMES frames of XSK_FRAME
 * bytes, the first half lent to the kernel through the fill ring for what
 * arrives, the second half a free list for what we send), its four rings,
 * and the loop: frames from the RX ring go to the switch as the uplink
 * port's (vsw_uplink_forward: one alone in its wakeup first to its guest's
 * ring by this thread's hand), their frames back to the fill ring at once
 * (the switch copied what it keeps); frames in the port's inbox are made
 * wire frames (core/wireframe.h) straight into free UMEM frames and put on
 * the TX ring, whose completions return them to the free list; a frame
 * alone in its sender's batch, when nothing waits in the inbox, is put on
 * the TX ring by that port's worker itself (vsw_xsk_write_now: the
 * hand-over to this thread, a wake-up, saved at light load). The rings
 * are the kernel's; libxdp's inline ring helpers (<xdp/xsk.h>) move their
 * indices with the barriers the AF_XDP ABI wants (acquire on the other
 * side's index, release on ours), on rings mapped here: vifd proper may
 * not create the socket (CAP_NET_RAW), so libxdp's socket constructors are
 * not used, only its ring code.
 *
 * The socket is bound with XDP_USE_NEED_WAKEUP: a zero-copy driver says
 * on each ring whether it needs a syscall to go on (sendto for TX,
 * recvfrom for the fill ring). In copy mode (veth, and NICs without
 * zero-copy) the kernel sends only inside sendto, so every batch makes
 * one or more. The rings are mapped before the bind: Linux 6.1 refuses
 * to map them on a bound socket. Per wakeup at most XSK_BUDGET frames
 * each way, so neither way starves the other.
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/if_xdp.h>
#include <xdp/xsk.h>

#include "core/wireframe.h"
#include "data/inbox.h"
#include "data/vswitch.h"
#include "data/vswitch_uplink.h"
#include "data/vswitch_xsk.h"
#include "data/xsk_prog.h"
#include "seam/xen_ops.h"
#include "util/log.h"
#include "util/loop.h"
#include "util/privsep.h"
#include "util/sandbox.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif
#ifndef AF_XDP
#define AF_XDP 44
#endif

/*
 * 2048-byte frames: a 1500-byte MTU's frame with VLAN tags fits, behind
 * the 256 bytes of headroom the kernel keeps in front of a received
 * frame (XDP_PACKET_HEADROOM); 2048 of them are 4 MiB, which the UMEM
 * registration locks in memory (RLIMIT_MEMLOCK, 8 MiB by default). Each
 * ring holds one half.
 */
#define XSK_FRAME	2048u
#define XSK_FRAMES	2048u
#define XSK_RING	(XSK_FRAMES / 2)
/* The fill ring holds every frame: the kernel publishes how far it read
 * the fill ring lazily, after it published what it received (6.1,
 * xsk_flush), so a ring the size of the receive half could look full to
 * us with all our frames back in hand. */
#define XSK_FILL	XSK_FRAMES
#define XSK_BUDGET	256u
/* Frames left on the TX ring after sendto (a busy or down NIC): tried
 * again this much later, since in copy mode nothing else sends them. */
#define XSK_RETRY_NS	(10u * 1000u * 1000u)
/* A frame from the inbox: up to a 64 KiB super-frame behind its
 * virtio-net header. */
#define XSK_BUF		(65536u + 512u)

#define XSK_STAT_ADD(x, field, n) \
	(void)__atomic_fetch_add(&(x)->st.field, (n), __ATOMIC_RELAXED)

struct vsw_xsk {
	char name[80];			/* "switch sw0 uplink eth1@0" */
	struct swspec_uplink up;
	struct vsw_port *port;
	struct inbox *in;
	struct xen_env *env;		/* the vifs' (sandbox hook) */
	int fd;
	int stopfd;
	uint8_t *umem;			/* XSK_FRAMES * XSK_FRAME */
	void *map[4];			/* the rings' mappings */
	size_t maplen[4];
	struct xsk_ring_prod fill;	/* [thread] after start */
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;	/* [tlock] after start */
	struct xsk_ring_cons comp;
	/* Held by whoever puts frames on the TX ring: this thread, for what
	 * it takes from the inbox and its retries, or a port's worker
	 * (vsw_xsk_write_now). Frames reach the wire in the order they
	 * reached the switch. */
	pthread_mutex_t tlock;
	uint64_t free[XSK_RING];	/* [tlock] TX frames not in flight */
	unsigned int nfree;
	uint64_t back[XSK_RING];	/* [thread] RX frames for the fill ring */
	unsigned int nback;
	bool zerocopy;			/* [atomic] */
	bool bound;			/* [atomic] bound and in the map */
	bool gone;			/* [atomic] the NIC went away */
	int retryfd;			/* timerfd: TX frames left */
	pthread_mutex_t ready_lock;
	pthread_cond_t ready_cond;
	int ready;			/* [ready_lock] the thread in its
					 * sandbox: 1, or could not: -1 */
	pthread_t thread;
	struct loop loop;
	struct loop_watch w_sock, w_in, w_stop, w_retry;
	uint8_t *buf;			/* [thread] XSK_BUF */
	struct log_ratelimit rl;	/* [thread] recvfrom errors */
	struct log_ratelimit trl;	/* [tlock] sendto errors */
	struct vsw_xsk_stats st;
};

/* The ring the kernel lays out at `off` in mapping m. */
static void
vsw_xsk_ring(void *m, const struct xdp_ring_offset *off, uint32_t **prod,
    uint32_t **cons, void **ring, uint32_t **flags)
{
	*prod = (uint32_t *)((uint8_t *)m + off->producer);
	*cons = (uint32_t *)((uint8_t *)m + off->consumer);
	*ring = (uint8_t *)m + off->desc;
	*flags = (uint32_t *)((uint8_t *)m + off->flags);
}

/* Maps one ring: n entries of `esize` bytes at page offset `pgoff`. */
static int
vsw_xsk_map(struct vsw_xsk *x, unsigned int i,
    const struct xdp_ring_offset *off, uint32_t n, size_t esize,
    off_t pgoff)
{
	x->maplen[i] = off->desc + (size_t)n * esize;
	x->map[i] = mmap(NULL, x->maplen[i], PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_POPULATE, x->fd, pgoff);
	if (x->map[i] == MAP_FAILED) {
		x->map[i] = NULL;
		return -errno;
	}
	return 0;
}

/* The socket's memory and rings, the fill ring stocked: all but the
 * binding, which the privileged part does (xsk_prog.h). [control
 * thread] */
static int
vsw_xsk_setup(struct vsw_xsk *x, char *err, size_t errlen)
{
	struct xdp_umem_reg reg;
	struct xdp_mmap_offsets off;
	socklen_t len = sizeof(off);
	uint32_t n = XSK_RING, nf = XSK_FILL, idx, i, *pr, *co, *fl;
	void *ring;
	int r;

	x->umem = mmap(NULL, (size_t)XSK_FRAMES * XSK_FRAME,
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x->umem == MAP_FAILED) {
		x->umem = NULL;
		snprintf(err, errlen, "its memory: %s", strerror(errno));
		return -ENOMEM;
	}
	memset(&reg, 0, sizeof(reg));
	reg.addr = (uint64_t)(uintptr_t)x->umem;
	reg.len = (uint64_t)XSK_FRAMES * XSK_FRAME;
	reg.chunk_size = XSK_FRAME;
	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) < 0) {
		r = -errno;
		snprintf(err, errlen, "registering its %u KiB of memory: %s%s",
		    XSK_FRAMES * XSK_FRAME / 1024, strerror(-r), r == -ENOBUFS ?
		    " (RLIMIT_MEMLOCK too low?)" : "");
		return r;
	}
	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_FILL_RING, &nf,
	    sizeof(nf)) < 0 ||
	    setsockopt(x->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n,
	    sizeof(n)) < 0 ||
	    setsockopt(x->fd, SOL_XDP, XDP_RX_RING, &n, sizeof(n)) < 0 ||
	    setsockopt(x->fd, SOL_XDP, XDP_TX_RING, &n, sizeof(n)) < 0 ||
	    getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &len) < 0) {
		r = -errno;
		snprintf(err, errlen, "its rings: %s", strerror(-r));
		return r;
	}
	/* Before the bind: Linux 6.1 maps no ring of a bound socket. */
	if ((r = vsw_xsk_map(x, 0, &off.fr, nf, sizeof(uint64_t),
	    (off_t)XDP_UMEM_PGOFF_FILL_RING)) < 0 ||
	    (r = vsw_xsk_map(x, 1, &off.cr, n, sizeof(uint64_t),
	    (off_t)XDP_UMEM_PGOFF_COMPLETION_RING)) < 0 ||
	    (r = vsw_xsk_map(x, 2, &off.rx, n, sizeof(struct xdp_desc),
	    (off_t)XDP_PGOFF_RX_RING)) < 0 ||
	    (r = vsw_xsk_map(x, 3, &off.tx, n, sizeof(struct xdp_desc),
	    (off_t)XDP_PGOFF_TX_RING)) < 0) {
		snprintf(err, errlen, "mapping its rings: %s", strerror(-r));
		return r;
	}
	/* libxdp's ring state: a producer ring's cached_cons runs a ring
	 * ahead of the consumer index (<xdp/xsk.h>, xsk_prod_nb_free). */
	vsw_xsk_ring(x->map[0], &off.fr, &pr, &co, &ring, &fl);
	x->fill = (struct xsk_ring_prod){ .cached_prod = *pr,
	    .cached_cons = *co + nf, .mask = nf - 1, .size = nf,
	    .producer = pr, .consumer = co, .ring = ring, .flags = fl };
	vsw_xsk_ring(x->map[1], &off.cr, &pr, &co, &ring, &fl);
	x->comp = (struct xsk_ring_cons){ .cached_prod = *pr,
	    .cached_cons = *co, .mask = n - 1, .size = n, .producer = pr,
	    .consumer = co, .ring = ring, .flags = fl };
	vsw_xsk_ring(x->map[2], &off.rx, &pr, &co, &ring, &fl);
	x->rx = (struct xsk_ring_cons){ .cached_prod = *pr,
	    .cached_cons = *co, .mask = n - 1, .size = n, .producer = pr,
	    .consumer = co, .ring = ring, .flags = fl };
	vsw_xsk_ring(x->map[3], &off.tx, &pr, &co, &ring, &fl);
	x->tx = (struct xsk_ring_prod){ .cached_prod = *pr,
	    .cached_cons = *co + n, .mask = n - 1, .size = n, .producer = pr,
	    .consumer = co, .ring = ring, .flags = fl };

	/* Frames 0..n-1 receive, n..2n-1 send. */
	if (xsk_ring_prod__reserve(&x->fill, n, &idx) != n) {
		snprintf(err, errlen, "its fill ring is not empty");
		return -EPROTO;
	}
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&x->fill, idx + i) =
		    (uint64_t)i * XSK_FRAME;
	xsk_ring_prod__submit(&x->fill, n);
	for (i = 0; i < n; i++)
		x->free[i] = (uint64_t)(n + i) * XSK_FRAME;
	x->nfree = n;
	return 0;
}

/* Completed sends: their frames back to the free list. [tlock] */
static void
vsw_xsk_reap(struct vsw_xsk *x)
{
	uint32_t idx, n, i;

	n = xsk_ring_cons__peek(&x->comp, XSK_RING, &idx);
	for (i = 0; i < n && x->nfree < XSK_RING; i++)
		x->free[x->nfree++] = *xsk_ring_cons__comp_addr(&x->comp,
		    idx + i);
	if (n > 0)
		xsk_ring_cons__release(&x->comp, n);
}

/* The NIC went away: the kernel unbound the socket (ENXIO from its
 * syscalls, Linux 6.1 xsk.c: the device's unregistration), for good.
 * Said once; what is on the TX ring stays there, unsent. */
static void
vsw_xsk_set_gone(struct vsw_xsk *x)
{
	/* The thread or a port's worker, whichever sees it first. */
	if (__atomic_exchange_n(&x->gone, true, __ATOMIC_RELAXED))
		return;
	log_warnx("%s: its NIC went away: this uplink takes no more frames "
	    "(counted as tx_gone); the switch goes on with its TAP, and gets "
	    "a new AF_XDP uplink when a NIC of that name is back", x->name);
}

/* A syscall for a ring the kernel does not serve by itself: the fill
 * ring when it says so (need_wakeup) [thread], and the TX ring
 * [tlock]. */
static void
vsw_xsk_kick(struct vsw_xsk *x, bool tx)
{
	unsigned int i;
	ssize_t r;

	if (__atomic_load_n(&x->gone, __ATOMIC_RELAXED))
		return;
	if (!tx) {
		r = recvfrom(x->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		if (r < 0 && errno == ENXIO)
			vsw_xsk_set_gone(x);
		else if (r < 0 && errno != EAGAIN && errno != EBUSY &&
		    errno != ENETDOWN && log_ratelimit_ok(&x->rl))
			log_warnx("%s: recvfrom: %s", x->name,
			    strerror(errno));
		return;
	}
	/* In copy mode each sendto sends at most 32 frames and says
	 * EAGAIN while more are on the ring (Linux 6.1, xsk.c's
	 * MAX_PER_SOCKET_BUDGET): call again until the kernel has taken
	 * them all, within a bound (a ring's worth). EBUSY, ENOBUFS: the
	 * driver is busy and goes on by itself; ENETDOWN: the NIC is down
	 * and the frames wait on the ring. */
	for (i = 0; i <= XSK_RING / 32; i++) {
		if (__atomic_load_n(x->tx.consumer, __ATOMIC_ACQUIRE) ==
		    *x->tx.producer)
			return;
		r = sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
		if (r >= 0 || errno == EAGAIN)
			continue;
		if (errno == ENXIO)
			vsw_xsk_set_gone(x);
		else if (errno != EBUSY && errno != ENOBUFS && errno != ENETDOWN &&
		    log_ratelimit_ok(&x->trl))
			log_warnx("%s: sendto: %s", x->name, strerror(errno));
		return;
	}
}

/* What arrived on the queue: each frame to the switch, its UMEM frame
 * back to the fill ring. */
static void
vsw_xsk_on_sock(struct loop_watch *w, uint32_t events)
{
	static const struct virtio_net_hdr none;
	struct vsw_xsk *x = w->arg;
	uint64_t now = loop_now_ns();
	uint32_t idx, fidx, n, i;

	(void)events;
	if (!__atomic_load_n(&x->bound, __ATOMIC_ACQUIRE))
		return;
	n = xsk_ring_cons__peek(&x->rx, XSK_BUDGET, &idx);
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&x->rx,
		    idx + i);
		uint8_t *f = xsk_umem__get_data(x->umem, d->addr);
		size_t len = d->len;
		struct virtio_net_hdr vh = none;
		uint16_t vid = 0;

		/* The frame's own UMEM frame: its start, whatever headroom
		 * the kernel kept in front of the data. There is room:
		 * at most the receive half is ever out. */
		if (x->nback < XSK_RING)
			x->back[x->nback++] = d->addr - d->addr % XSK_FRAME;
		if (d->addr % XSK_FRAME + len > XSK_FRAME)
			continue;	/* cannot be: the kernel checks */
		if (vsw_uplink_untag(&vh, &f, &len, &vid) < 0)
			continue;
		vsw_uplink_forward(x->port, &vh, f, len, vid, n == 1, now);
	}
	if (n > 0) {
		xsk_ring_cons__release(&x->rx, n);
		XSK_STAT_ADD(x, rx_frames, n);
	}
	/* Back to the fill ring, which has room for every frame
	 * (XSK_FILL); kept for the next round if it ever had not. */
	if (x->nback > 0 &&
	    xsk_ring_prod__reserve(&x->fill, x->nback, &fidx) == x->nback) {
		for (i = 0; i < x->nback; i++)
			*xsk_ring_prod__fill_addr(&x->fill, fidx + i) =
			    x->back[i];
		xsk_ring_prod__submit(&x->fill, x->nback);
		x->nback = 0;
	}
	if (n == 0)
		return;
	if (xsk_ring_prod__needs_wakeup(&x->fill))
		vsw_xsk_kick(x, false);
	if (n == XSK_BUDGET)
		loop_event_signal(x->in->evfd);	/* come back: see below */
}

/* One frame (vh, then f of flen bytes) onto the TX ring: its wire
 * frames, each in a free UMEM frame. Returns the descriptors it filled.
 * [tlock] */
static uint32_t
vsw_xsk_put(struct vsw_xsk *x, const struct virtio_net_hdr *vh,
    const uint8_t *f, size_t flen)
{
	struct wireframe_plan p;
	uint32_t idx, k = 0;
	unsigned int i;
	int n;

	if (wireframe_plan(vh, f, flen, &p) < 0) {
		XSK_STAT_ADD(x, tx_unfit, 1);
		return 0;
	}
	for (i = 0; i < p.nframes; i++) {
		uint64_t a;

		if (x->nfree == 0) {
			/* Copy mode completes frames inside sendto. */
			vsw_xsk_kick(x, true);
			vsw_xsk_reap(x);
			if (x->nfree == 0) {
				XSK_STAT_ADD(x, tx_nobuf, p.nframes - i);
				break;
			}
		}
		a = x->free[x->nfree - 1];
		n = wireframe_build(&p, f, flen, i, x->umem + a, XSK_FRAME);
		if (n < 0) {
			XSK_STAT_ADD(x, tx_unfit, 1);
			continue;
		}
		if (xsk_ring_prod__reserve(&x->tx, 1, &idx) != 1) {
			/* The kernel publishes how far it sent lazily:
			 * have it send, then look again. */
			vsw_xsk_kick(x, true);
			vsw_xsk_reap(x);
			if (xsk_ring_prod__reserve(&x->tx, 1, &idx) != 1) {
				XSK_STAT_ADD(x, tx_nobuf, p.nframes - i);
				break;
			}
		}
		x->nfree--;
		xsk_ring_prod__tx_desc(&x->tx, idx)->addr = a;
		xsk_ring_prod__tx_desc(&x->tx, idx)->len = (uint32_t)n;
		xsk_ring_prod__tx_desc(&x->tx, idx)->options = 0;
		xsk_ring_prod__submit(&x->tx, 1);
		k++;
	}
	return k;
}

/* Frames on the TX ring not yet taken by the kernel. */
static bool
vsw_xsk_tx_pending(const struct vsw_xsk *x)
{
	return __atomic_load_n(x->tx.consumer, __ATOMIC_ACQUIRE) !=
	    *x->tx.producer;
}

/* Has the kernel send what is on the TX ring: copy mode sends only in
 * sendto, a zero-copy driver says when it needs one. Frames still there
 * afterwards (a busy or down NIC) are tried again after XSK_RETRY_NS:
 * nothing else would send them while the switch sends nothing more.
 * [tlock] */
static void
vsw_xsk_push(struct vsw_xsk *x)
{
	if (__atomic_load_n(&x->gone, __ATOMIC_RELAXED) ||
	    !vsw_xsk_tx_pending(x))
		return;
	if (!__atomic_load_n(&x->zerocopy, __ATOMIC_RELAXED) ||
	    xsk_ring_prod__needs_wakeup(&x->tx))
		vsw_xsk_kick(x, true);
	vsw_xsk_reap(x);
	if (vsw_xsk_tx_pending(x))
		(void)loop_timer_arm(x->retryfd, XSK_RETRY_NS);
}

static void
vsw_xsk_on_retry(struct loop_watch *w, uint32_t events)
{
	struct vsw_xsk *x = w->arg;

	(void)events;
	loop_timer_ack(x->retryfd);
	pthread_mutex_lock(&x->tlock);
	vsw_xsk_push(x);
	pthread_mutex_unlock(&x->tlock);
}

/* The switch sent frames to the wire: each onto the TX ring. Also the
 * "budget spent" wakeup of the RX side, which then reads on. */
static void
vsw_xsk_on_inbox(struct loop_watch *w, uint32_t events)
{
	struct vsw_xsk *x = w->arg;
	unsigned int n;
	uint32_t sent = 0;
	int r;

	(void)events;
	loop_event_ack(x->in->evfd);
	if (!__atomic_load_n(&x->bound, __ATOMIC_ACQUIRE))
		return;		/* the frames wait: start signals again */
	pthread_mutex_lock(&x->tlock);
	vsw_xsk_reap(x);
	for (n = 0; n < XSK_BUDGET; n++) {
		r = inbox_pop(x->in, x->buf, XSK_BUF);
		if (r == 0)
			break;
		if (__atomic_load_n(&x->gone, __ATOMIC_RELAXED)) {
			XSK_STAT_ADD(x, tx_gone, 1);
			continue;
		}
		if (r < (int)sizeof(struct virtio_net_hdr))
			continue;	/* cannot be: the buffer takes any */
		sent += vsw_xsk_put(x, (const struct virtio_net_hdr *)x->buf,
		    x->buf + sizeof(struct virtio_net_hdr),
		    (size_t)r - sizeof(struct virtio_net_hdr));
	}
	if (sent > 0)
		XSK_STAT_ADD(x, tx_frames, sent);
	vsw_xsk_push(x);
	pthread_mutex_unlock(&x->tlock);
	if (n == XSK_BUDGET)
		loop_event_signal(x->in->evfd);
	vsw_xsk_on_sock(&x->w_sock, EPOLLIN);
}

int
vsw_xsk_write_now(struct vsw_xsk *x, const struct virtio_net_hdr *vh,
    const uint8_t *f, size_t len)
{
	uint32_t sent;
	int done = 0;

	if (!__atomic_load_n(&x->bound, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&x->gone, __ATOMIC_RELAXED))
		return 0;
	pthread_mutex_lock(&x->tlock);
	/* Nothing before it: else it waits its turn in the inbox. */
	if (inbox_empty(x->in)) {
		vsw_xsk_reap(x);
		sent = vsw_xsk_put(x, vh, f, len);
		if (sent > 0)
			XSK_STAT_ADD(x, tx_frames, sent);
		vsw_xsk_push(x);
		done = 1;
	}
	pthread_mutex_unlock(&x->tlock);
	return done;
}

static void
vsw_xsk_on_stop(struct loop_watch *w, uint32_t events)
{
	struct vsw_xsk *x = w->arg;

	(void)events;
	loop_stop(&x->loop);
}

static void *
vsw_xsk_main(void *arg)
{
	struct vsw_xsk *x = arg;
	int r;

	(void)pthread_setname_np(pthread_self(), "vifd-xsk");
	r = sandbox_enter_data(x->name, SANDBOX_NO_CAPS);
	/* The socket is bound, and takes the queue's frames, only once
	 * this thread serves it from its sandbox (vsw_xsk_start waits). */
	pthread_mutex_lock(&x->ready_lock);
	x->ready = r < 0 ? -1 : 1;
	pthread_cond_signal(&x->ready_cond);
	pthread_mutex_unlock(&x->ready_lock);
	if (r < 0) {
		/* Never serve the wire's frames unfiltered: no uplink. */
		log_warnx("%s: cannot enter the sandbox (%s): no uplink",
		    x->name, strerror(-r));
		return NULL;
	}
	/* It places frames in guests' rings (queue_direct_place_held):
	 * the environment must know it can open nothing now. */
	xen_env_thread_sandboxed(x->env);
	(void)loop_run(&x->loop);
	return NULL;
}

/* Unmaps and closes what `x` holds; frees it. */
static void
vsw_xsk_free(struct vsw_xsk *x)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (x->map[i] != NULL)
			munmap(x->map[i], x->maplen[i]);
	if (x->fd >= 0)
		close(x->fd);
	if (x->stopfd >= 0)
		close(x->stopfd);
	if (x->retryfd >= 0)
		close(x->retryfd);
	pthread_mutex_destroy(&x->ready_lock);
	pthread_cond_destroy(&x->ready_cond);
	pthread_mutex_destroy(&x->tlock);
	if (x->umem != NULL)
		munmap(x->umem, (size_t)XSK_FRAMES * XSK_FRAME);
	free(x->buf);
	free(x);
}

/* Opens the socket: through the privileged part, or here with
 * --privsep=off. */
static int
vsw_xsk_open(struct vsw_xsk *x, char *err, size_t errlen)
{
	int r;

	if (!privsep_active())
		return xsk_prog_open(x->up.ifname, &x->fd, err, errlen);
	r = privsep_xsk_open(x->up.ifname, x->up.queue, &x->fd);
	if (r < 0)
		snprintf(err, errlen, "%s (the privileged part's line says "
		    "why)", strerror(-r));
	return r;
}

/* Binds the socket and puts it in the XDP map, the same way. */
static int
vsw_xsk_bind(struct vsw_xsk *x, char *err, size_t errlen)
{
	int r;

	if (!privsep_active())
		return xsk_prog_bind(x->up.ifname, x->up.queue, x->fd, err,
		    errlen);
	r = privsep_xsk_bind(x->up.ifname, x->up.queue, x->fd);
	if (r < 0)
		snprintf(err, errlen, "%s (the privileged part's line says "
		    "why)", strerror(-r));
	return r;
}

/* Stops the thread (started, whatever it did since). */
static void
vsw_xsk_join(struct vsw_xsk *x)
{
	loop_event_signal(x->stopfd);
	(void)pthread_join(x->thread, NULL);
}

int
vsw_xsk_start(const struct swspec_uplink *up, struct vsw_port *port,
    struct xen_env *env, struct vsw_xsk **out, char *err, size_t errlen)
{
	struct xdp_options opts;
	socklen_t len = sizeof(opts);
	struct vsw_xsk *x;
	int r;

	x = calloc(1, sizeof(*x));
	if (x == NULL || (x->buf = malloc(XSK_BUF)) == NULL) {
		free(x);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	x->up = *up;
	snprintf(x->name, sizeof(x->name), "switch %s uplink %s@%u", up->sw,
	    up->ifname, up->queue);
	x->port = port;
	x->env = env;
	x->in = vsw_port_inbox(port);
	x->fd = x->stopfd = x->retryfd = -1;
	x->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(1000, 5);
	x->trl = (struct log_ratelimit)LOG_RATELIMIT_INIT(1000, 5);
	pthread_mutex_init(&x->ready_lock, NULL);
	pthread_mutex_init(&x->tlock, NULL);
	pthread_cond_init(&x->ready_cond, NULL);
	if ((r = vsw_xsk_open(x, err, errlen)) < 0 ||
	    (r = vsw_xsk_setup(x, err, errlen)) < 0)
		goto fail;
	r = loop_open(&x->loop);
	if (r < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(-r));
		goto fail;
	}
	x->stopfd = loop_event_new();
	x->retryfd = loop_timer_new();
	if (x->stopfd < 0 || x->retryfd < 0) {
		r = -EMFILE;
		snprintf(err, errlen, "eventfd or timerfd: %s",
		    strerror(EMFILE));
		goto fail_loop;
	}
	loop_watch_init(&x->w_sock, x->fd, EPOLLIN, vsw_xsk_on_sock, x);
	loop_watch_init(&x->w_in, x->in->evfd, EPOLLIN, vsw_xsk_on_inbox, x);
	loop_watch_init(&x->w_stop, x->stopfd, EPOLLIN, vsw_xsk_on_stop, x);
	loop_watch_init(&x->w_retry, x->retryfd, EPOLLIN, vsw_xsk_on_retry,
	    x);
	if ((r = loop_add(&x->loop, &x->w_sock)) < 0 ||
	    (r = loop_add(&x->loop, &x->w_in)) < 0 ||
	    (r = loop_add(&x->loop, &x->w_stop)) < 0 ||
	    (r = loop_add(&x->loop, &x->w_retry)) < 0 ||
	    (r = -pthread_create(&x->thread, NULL, vsw_xsk_main, x)) < 0) {
		snprintf(err, errlen, "its thread: %s", strerror(-r));
		goto fail_loop;
	}
	pthread_mutex_lock(&x->ready_lock);
	while (x->ready == 0)
		pthread_cond_wait(&x->ready_cond, &x->ready_lock);
	r = x->ready;
	pthread_mutex_unlock(&x->ready_lock);
	if (r < 0) {
		r = -EPERM;
		snprintf(err, errlen, "its thread could not enter the sandbox");
		goto fail_thread;
	}
	if ((r = vsw_xsk_bind(x, err, errlen)) < 0)
		goto fail_thread;
	if (getsockopt(x->fd, SOL_XDP, XDP_OPTIONS, &opts, &len) == 0)
		__atomic_store_n(&x->zerocopy,
		    (opts.flags & XDP_OPTIONS_ZEROCOPY) != 0, __ATOMIC_RELAXED);
	__atomic_store_n(&x->bound, true, __ATOMIC_RELEASE);
	loop_event_signal(x->in->evfd);	/* what waited in the inbox */
	log_info("%s: AF_XDP socket bound (%s mode)", x->name,
	    x->zerocopy ? "zero-copy" : "copy");
	*out = x;
	return 0;
fail_thread:
	vsw_xsk_join(x);
fail_loop:
	loop_close(&x->loop);
fail:
	vsw_xsk_free(x);
	return r;
}

void
vsw_xsk_stats(const struct vsw_xsk *x, struct vsw_xsk_stats *out)
{
#define XSK_STAT_LOAD(n) out->n = __atomic_load_n(&x->st.n, __ATOMIC_RELAXED);
	VSW_XSK_STATS(XSK_STAT_LOAD)
#undef XSK_STAT_LOAD
}

bool
vsw_xsk_gone(const struct vsw_xsk *x)
{
	return __atomic_load_n(&x->gone, __ATOMIC_RELAXED);
}

void
vsw_xsk_stop(struct vsw_xsk *x)
{
	struct vsw_xsk_stats st;

	vsw_xsk_join(x);
	loop_close(&x->loop);
	vsw_xsk_stats(x, &st);
	log_info("%s: stopped: %llu frames in, %llu out, %llu lost for want "
	    "of a frame, %llu that could not go out, %llu after its NIC went "
	    "away", x->name,
	    (unsigned long long)st.rx_frames, (unsigned long long)st.tx_frames,
	    (unsigned long long)st.tx_nobuf, (unsigned long long)st.tx_unfit,
	    (unsigned long long)st.tx_gone);
	vsw_xsk_free(x);
}

void
vsw_xsk_detach(const struct swspec_uplink *up)
{
	char err[160];
	int r;

	if (privsep_active())
		r = privsep_xsk_close(up->ifname, up->queue);
	else
		r = xsk_prog_close(up->ifname, err, sizeof(err));
	if (r < 0)
		log_warnx("switch %s: taking the XDP program off %s: %s",
		    up->sw, up->ifname, privsep_active() ? strerror(-r) : err);
}
