/*
 * vswitch_uplink.c - a vifd switch's TAP to the host and the thread that
 * serves it (see vswitch_uplink.h).
 *
 * Owns the TAP queue fd, the thread and its loop: frames read from the
 * TAP go to vsw_port_send as the uplink port's (one alone in its wakeup
 * first to its guest's ring by this thread's hand), frames in the uplink
 * port's inbox are written to the TAP (a guest's frame alone in its
 * batch may be written by the guest's worker instead, past an empty
 * inbox: vsw_uplink_write_now). The TAP takes checksum offload
 * but no TSO from the host (TUN_F_CSUM alone): the host's stack then
 * segments before it hands us a frame, so a guest that took no GSO
 * still gets the host's TCP; guests' GSO frames go to the TAP whole (a
 * TAP writer may always send GSO). The TAP has the MAC of every vifd
 * TAP, fe:ff:ff:ff:ff:ff (the privileged part sets no other, and the
 * vifs' TAPs never send on a switch, so it is the uplink's alone
 * there); an admin may give it another. Per wakeup at most
 * VSW_UPLINK_BUDGET frames each way, so neither starves the other.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/vnet_hdr.h"
#include "data/inbox.h"
#include "data/queue_direct.h"
#include "data/tap.h"
#include "data/vswitch.h"
#include "data/vswitch_uplink.h"
#include "seam/xen_ops.h"
#include "util/log.h"
#include "util/loop.h"
#include "util/sandbox.h"

#define VSW_UPLINK_BUDGET	256u
/* Unusable frames (a VLAN tag and nothing behind it) read in a row
 * before the loop lets the other side have a turn. */
#define VSW_UPLINK_SKIP		16u
/* A TAP frame: up to a 64 KiB one (the TAP's MTU may be that large),
 * plus its virtio-net header in front of it in the same buffer. */
#define VSW_UPLINK_BUF		(65536u + 512u)

struct vsw_uplink {
	char name[64];			/* "switch sw0 uplink", for logs */
	struct vsw_port *port;
	struct inbox *in;
	struct xen_env *env;
	/* The thread could not enter its sandbox and serves nothing: no
	 * frame is written past its inbox either. */
	bool dead;
	int tapfd;
	int stopfd;
	pthread_t thread;
	struct loop loop;
	struct loop_watch w_tap, w_in, w_stop;
	uint8_t *buf, *buf2;		/* [thread] VSW_UPLINK_BUF each */
	struct log_ratelimit rl;	/* [thread] write errors */
	/* Held by whoever takes a frame from the inbox and writes it to the
	 * TAP, or writes one past it (vsw_uplink_write_now): frames reach
	 * the TAP in the order they reached the switch. */
	pthread_mutex_t wlock;
};

int
vsw_uplink_untag(struct virtio_net_hdr *vh, uint8_t **f, size_t *len,
    uint16_t *vid)
{
	uint8_t *p = *f;

	*vid = 0;
	if (*len < 14 || p[12] != 0x81 || p[13] != 0x00)
		return 0;
	if (*len < 18)
		return -1;
	*vid = (uint16_t)((p[14] & 0x0f) << 8 | p[15]);
	memmove(p + 4, p, 12);
	*f = p + 4;
	*len -= 4;
	if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && vh->csum_start >= 4)
		vh->csum_start -= 4;
	if (vh->hdr_len >= 4)
		vh->hdr_len -= 4;
	return 0;
}

void
vsw_uplink_forward(struct vsw_port *port, const struct virtio_net_hdr *vh,
    const uint8_t *f, size_t len, uint16_t vid, bool alone, uint64_t now_ns)
{
	struct queue_held h = {
		.vh = vh, .frame = f, .len = (uint32_t)len, .now = now_ns,
	};
	struct vsw_direct fr = { .head = f, .hlen = len, .len = len };

	if (alone && vsw_port_send_direct(port, &fr, 1, vid, now_ns,
	    queue_direct_place_held, &h) == 1)
		return;
	(void)vsw_port_send(port, vh, f, len, vid, now_ns, NULL);
}

/* A frame read from the TAP: its header, and where it starts in its
 * buffer once a VLAN tag is out. */
struct vsw_uplink_frame {
	struct virtio_net_hdr vh;
	uint8_t *f;
	size_t len;
	uint16_t vid;
};

/* The next usable frame from the TAP into buf. Returns false when there
 * is none (EAGAIN, or an error: the fd's next event says), or after
 * VSW_UPLINK_SKIP unusable ones in a row (the fd stays readable). */
static bool
vsw_uplink_read(struct vsw_uplink *u, uint8_t *buf,
    struct vsw_uplink_frame *fr)
{
	struct iovec iov[2];
	unsigned int i;
	ssize_t r;

	iov[0].iov_base = &fr->vh;
	iov[0].iov_len = sizeof(fr->vh);
	iov[1].iov_base = buf;
	iov[1].iov_len = VSW_UPLINK_BUF;
	for (i = 0; i < VSW_UPLINK_SKIP; i++) {
		r = readv(u->tapfd, iov, 2);
		if (r < (ssize_t)sizeof(fr->vh))
			return false;	/* EAGAIN, or nothing usable */
		fr->f = buf;
		fr->len = (size_t)r - sizeof(fr->vh);
		if (vsw_uplink_untag(&fr->vh, &fr->f, &fr->len, &fr->vid) == 0)
			return true;
		/* a tag with no frame behind it: the next */
	}
	return false;
}

/*
 * The host sent frames: each to the switch (vsw_uplink_forward). A frame
 * is alone in its wakeup when the read after it finds nothing (light
 * load, a ping, an ACK); frames of a burst take the hand-over, which
 * batches their grant copies. Hence one frame read ahead, in the second
 * buffer.
 */
static void
vsw_uplink_on_tap(struct loop_watch *w, uint32_t events)
{
	struct vsw_uplink *u = w->arg;
	struct vsw_uplink_frame fr[2];
	uint8_t *buf[2] = { u->buf, u->buf2 };
	uint64_t now = loop_now_ns();	/* once a wakeup, as a queue's sweep */
	unsigned int n, cur = 0;
	bool more;

	(void)events;
	if (!vsw_uplink_read(u, buf[0], &fr[0]))
		return;
	for (n = 1;; n++) {
		struct vsw_uplink_frame *c = &fr[cur];

		more = n < VSW_UPLINK_BUDGET &&
		    vsw_uplink_read(u, buf[cur ^ 1u], &fr[cur ^ 1u]);
		vsw_uplink_forward(u->port, &c->vh, c->f, c->len, c->vid,
		    n == 1 && !more, now);
		if (!more)
			break;
		cur ^= 1u;
	}
	if (n == VSW_UPLINK_BUDGET)
		loop_event_signal(u->in->evfd);	/* come back: see below */
}

/* The switch sent frames to the host: each to the TAP. Also the "budget
 * spent" wakeup of the TAP side, which then reads on. */
static void
vsw_uplink_on_inbox(struct loop_watch *w, uint32_t events)
{
	struct vsw_uplink *u = w->arg;
	unsigned int n;
	int r;

	(void)events;
	loop_event_ack(u->in->evfd);
	for (n = 0; n < VSW_UPLINK_BUDGET; n++) {
		int err = 0;

		pthread_mutex_lock(&u->wlock);
		r = inbox_pop(u->in, u->buf, VSW_UPLINK_BUF);
		/* The TAP down (EIO) or its queue full: the frame is lost,
		 * as on a host bridge's port that is down. (A frame shorter
		 * than a header cannot be: the buffer takes any.) */
		if (r >= (int)sizeof(struct virtio_net_hdr) &&
		    write(u->tapfd, u->buf, (size_t)r) < 0)
			err = errno;
		pthread_mutex_unlock(&u->wlock);
		if (r == 0)
			break;
		if (err != 0 && err != EIO && log_ratelimit_ok(&u->rl))
			log_warnx("%s: writing to the TAP: %s", u->name,
			    strerror(err));
	}
	if (n == VSW_UPLINK_BUDGET)
		loop_event_signal(u->in->evfd);
	vsw_uplink_on_tap(&u->w_tap, EPOLLIN);
}

int
vsw_uplink_write_now(struct vsw_uplink *u, const struct iovec *iov,
    int niov)
{
	int done = 0;

	if (__atomic_load_n(&u->dead, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&u->wlock);
	/* A TAP that is down (EIO: vifd makes it so) loses the frame here,
	 * as the uplink's thread would: one failed call, not two and a
	 * wake-up. */
	if (inbox_empty(u->in) &&
	    (writev(u->tapfd, iov, niov) >= 0 || errno == EIO))
		done = 1;
	pthread_mutex_unlock(&u->wlock);
	return done;
}

static void
vsw_uplink_on_stop(struct loop_watch *w, uint32_t events)
{
	struct vsw_uplink *u = w->arg;

	(void)events;
	loop_stop(&u->loop);
}

static void *
vsw_uplink_main(void *arg)
{
	struct vsw_uplink *u = arg;
	int r;

	(void)pthread_setname_np(pthread_self(), "vifd-uplink");
	r = sandbox_enter_data(u->name, SANDBOX_NO_CAPS);
	if (r < 0) {
		/* Never serve the host's frames unfiltered: no uplink. */
		log_warnx("%s: cannot enter the sandbox (%s): the uplink "
		    "stops", u->name, strerror(-r));
		__atomic_store_n(&u->dead, true, __ATOMIC_RELEASE);
		return NULL;
	}
	/* It places frames in guests' rings (queue_direct_place_held):
	 * the environment must know it can open nothing now. */
	xen_env_thread_sandboxed(u->env);
	(void)loop_run(&u->loop);
	return NULL;
}

/* Frees u's buffers, lock and u; its fds are the caller's. */
static void
vsw_uplink_free(struct vsw_uplink *u)
{
	free(u->buf);
	free(u->buf2);
	pthread_mutex_destroy(&u->wlock);
	free(u);
}

int
vsw_uplink_start(const char *name, struct vsw_port *port,
    struct xen_env *env, struct vsw_uplink **out, char *err,
    size_t errlen)
{
	struct vnet_features fe = { .csum_ipv4 = true, .csum_ipv6 = true };
	struct vsw_uplink *u;
	bool created;
	int r;

	u = calloc(1, sizeof(*u));
	if (u == NULL || (u->buf = malloc(VSW_UPLINK_BUF)) == NULL ||
	    (u->buf2 = malloc(VSW_UPLINK_BUF)) == NULL) {
		if (u != NULL)
			free(u->buf);
		free(u);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(u->name, sizeof(u->name), "switch %s uplink", name);
	u->port = port;
	u->in = vsw_port_inbox(port);
	u->env = env;
	u->tapfd = u->stopfd = -1;
	u->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(1000, 5);
	pthread_mutex_init(&u->wlock, NULL);
	r = tap_create(name, 1500, &created);
	if (r < 0) {
		snprintf(err, errlen, "TAP %s: %s", name, r == -EEXIST ?
		    "an interface of that name is not a vifd TAP" :
		    strerror(-r));
		goto fail;
	}
	u->tapfd = tap_open_queue(name, NULL);
	if (u->tapfd < 0) {
		r = u->tapfd;
		snprintf(err, errlen, "a queue of TAP %s: %s", name,
		    strerror(-r));
		goto fail;
	}
	r = tap_set_offload(u->tapfd, &fe);
	if (r < 0) {
		snprintf(err, errlen, "TAP %s's offloads: %s", name,
		    strerror(-r));
		goto fail;
	}
	r = loop_open(&u->loop);
	if (r < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(-r));
		goto fail;
	}
	u->stopfd = loop_event_new();
	if (u->stopfd < 0) {
		r = -EMFILE;
		snprintf(err, errlen, "eventfd: %s", strerror(EMFILE));
		goto fail_loop;
	}
	loop_watch_init(&u->w_tap, u->tapfd, EPOLLIN, vsw_uplink_on_tap, u);
	loop_watch_init(&u->w_in, u->in->evfd, EPOLLIN, vsw_uplink_on_inbox,
	    u);
	loop_watch_init(&u->w_stop, u->stopfd, EPOLLIN, vsw_uplink_on_stop,
	    u);
	if ((r = loop_add(&u->loop, &u->w_tap)) < 0 ||
	    (r = loop_add(&u->loop, &u->w_in)) < 0 ||
	    (r = loop_add(&u->loop, &u->w_stop)) < 0 ||
	    (r = -pthread_create(&u->thread, NULL, vsw_uplink_main, u)) < 0) {
		snprintf(err, errlen, "its thread: %s", strerror(-r));
		goto fail_loop;
	}
	log_info("switch %s: uplink TAP %s%s", name, name, created ?
	    " made (down: bring it up to reach the guests)" : "");
	*out = u;
	return 0;
fail_loop:
	loop_close(&u->loop);
fail:
	if (u->stopfd >= 0)
		close(u->stopfd);
	if (u->tapfd >= 0)
		close(u->tapfd);
	vsw_uplink_free(u);
	return r;
}

void
vsw_uplink_stop(struct vsw_uplink *u)
{
	loop_event_signal(u->stopfd);
	(void)pthread_join(u->thread, NULL);
	loop_close(&u->loop);
	close(u->stopfd);
	close(u->tapfd);
	vsw_uplink_free(u);
}
