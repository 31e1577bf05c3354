/*
 * sim_evtchn.c - event channels of the simulated machine, with the
 * semantics a libxenevtchn user sees on Linux (drivers/xen/evtchn.c over
 * Xen's xen/common/event_channel.c).
 *
 * Each domain has a table of ports in its ctl file (struct sim_port),
 * shared by every process. Binding, unbinding and closing change a port
 * under the machine lock; delivery is lock-free. Each handle is one unix
 * datagram socket, DIR/ev/<pid>.<hid>; its fd is what evtchn_fd returns.
 *
 * Delivery protocol (the `state` word of the receiving port):
 *   notify: not MASKED -> set MASKED and send one datagram {port, gen} to
 *           the owning handle; MASKED -> set PENDING (coalesced).
 *   pending(): receives one datagram: the port stays MASKED.
 *   unmask: PENDING -> clear it, stay MASKED, send the datagram again
 *           (to ourselves); else clear MASKED.
 * So at most one datagram per port is in flight. The kernel's default
 * datagram queue is short (net.unix.max_dgram_qlen, 10), so a handle with
 * many ports can still find a queue full: the sender then marks the port
 * OWED and sends a payload-less nudge; the owner's next pending() re-posts
 * OWED ports to its own socket (a socket sending to itself is not subject
 * to the queue limit).
 *
 * Rules taken from Xen and Linux:
 *   - bind_interdomain: no such remote domain -ESRCH; remote port out of
 *     range, not unbound, or unbound for another domain -EINVAL; no free
 *     local port -ENOSPC (evtchn_bind_interdomain). Xen then sets the new
 *     local port pending ("we may have lost notifications on the remote
 *     unbound port"), so the binder gets one event at once.
 *   - closing an interdomain port makes the remote end unbound again, for
 *     the same remote domain (evtchn_close).
 *   - notify on an unbound port is silently dropped (evtchn_send).
 *   - notify/unbind of a port this handle did not bind: -ENOTCONN; unmask
 *     of one is ignored (Linux evtchn.c).
 * Ports of a process that died without closing are reclaimed lazily: a
 * port whose owner's socket no longer answers counts as closed when a
 * bind needs it (sim_owner_alive), and a notify to it is dropped.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sim_priv.h"
#include "xensim.h"

#define SIM_EV_WORDS	(XENSIM_EVTCHN_PORTS / 64u)
#define SIM_EV_NUDGE	UINT32_MAX
/* Datagrams one pending() call looks at before giving up (stale ones are
 * discarded; the queue is short). */
#define SIM_EV_RECV_MAX	256

struct sim_ev_msg {
	uint32_t port;
	uint32_t gen;
};

struct xen_evtchn {
	struct sim_env *se;
	uint32_t domid;
	int sock;
	int32_t pid;
	uint32_t hid;
	struct sockaddr_un self;
	socklen_t selflen;
	size_t prefix_len;		/* of "<dir>/ev/" in self.sun_path */
	pthread_mutex_t lock;		/* changes of `own` */
	_Atomic uint64_t own[SIM_EV_WORDS];
	_Atomic uint32_t nown;
};

static bool
sim_ev_own(struct xen_evtchn *e, uint32_t port)
{
	return (atomic_load_explicit(&e->own[port / 64], memory_order_relaxed)
	    >> (port % 64)) & 1u;
}

static void
sim_ev_own_set(struct xen_evtchn *e, uint32_t port, bool on)
{
	uint64_t bit = (uint64_t)1 << (port % 64);

	if (on) {
		atomic_fetch_or(&e->own[port / 64], bit);
		atomic_fetch_add(&e->nown, 1);
	} else {
		atomic_fetch_and(&e->own[port / 64], ~bit);
		atomic_fetch_sub(&e->nown, 1);
	}
}

/* Fills `sa` with the socket address of handle (pid, hid), reusing our
 * own "<dir>/ev/" prefix: this runs on every delivery. */
static socklen_t
sim_ev_addr(const struct xen_evtchn *e, struct sockaddr_un *sa, int32_t pid,
    uint32_t hid)
{
	char tmp[24], *p;
	size_t n = e->prefix_len;
	uint32_t v;

	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, e->self.sun_path, n);
	p = tmp + sizeof(tmp);
	*--p = '\0';
	v = hid;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	*--p = '.';
	v = pid > 0 ? (uint32_t)pid : 0;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	memcpy(sa->sun_path + n, p, (size_t)(tmp + sizeof(tmp) - p));
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
	    (size_t)(tmp + sizeof(tmp) - p));
}

/*
 * Sends the delivery datagram of port `port` (of a domain whose port
 * entry is `p`) to its owner. Returns 0, or -EAGAIN if the owner's queue
 * was full (the caller marks the port OWED); a dead owner is not an
 * error (the event is dropped, as for a closed port).
 */
static int
sim_ev_send(struct xen_evtchn *e, struct sim_port *p, uint32_t port)
{
	struct sockaddr_un sa;
	struct sim_ev_msg msg;
	socklen_t len;
	ssize_t n;

	msg.port = port;
	msg.gen = atomic_load_explicit(&p->gen, memory_order_acquire);
	len = sim_ev_addr(e, &sa, atomic_load_explicit(&p->owner_pid,
	    memory_order_relaxed), atomic_load_explicit(&p->owner_hid,
	    memory_order_relaxed));
	do {
		n = sendto(e->sock, &msg, sizeof(msg), MSG_DONTWAIT | MSG_NOSIGNAL,
		    (struct sockaddr *)&sa, len);
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(msg))
		return 0;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == ENOBUFS)) {
		struct sim_ev_msg nudge = { SIM_EV_NUDGE, 0 };

		/* Marked first, nudged second: the owner either sees the mark
		 * in the pending() the nudge (or a full queue) causes. */
		atomic_fetch_or(&p->state, SIM_EV_OWED);
		(void)sendto(e->sock, &nudge, sizeof(nudge),
		    MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
		return -EAGAIN;
	}
	return 0;
}

/* Raises an event on port `port` of domain `d` (see the protocol above). */
static void
sim_ev_deliver(struct xen_evtchn *e, struct sim_dom *d, uint32_t port)
{
	struct sim_port *p = &d->ports[port];
	uint32_t s, ns;

	s = atomic_load_explicit(&p->state, memory_order_acquire);
	do {
		ns = (s & SIM_EV_MASKED) ? (s | SIM_EV_PENDING) :
		    (s | SIM_EV_MASKED);
		if (ns == s)
			return;		/* already pending: coalesced */
	} while (!atomic_compare_exchange_weak_explicit(&p->state, &s, ns,
	    memory_order_acq_rel, memory_order_acquire));
	if (!(s & SIM_EV_MASKED))
		sim_ev_send(e, p, port);
}

/* ---- control operations (under the machine lock) ----------------------- */

/*
 * Closes port `port` of `d` (FREE), making its interdomain peer unbound
 * again, as Xen's evtchn_close does. Under the machine lock.
 */
static void
sim_ev_close_port(struct sim_env *se, struct sim_dom *d, uint32_t port)
{
	struct sim_port *p = &d->ports[port], *rp;
	struct sim_dom *r;
	uint32_t rd, rport;

	if (atomic_load(&p->kind) == SIM_PORT_INTERDOMAIN) {
		rd = atomic_load(&p->remote_domid);
		rport = atomic_load(&p->remote_port);
		r = sim_env_dom(se, rd);
		if (r != NULL && rport < r->hdr->nr_ports) {
			rp = &r->ports[rport];
			if (atomic_load(&rp->kind) == SIM_PORT_INTERDOMAIN &&
			    atomic_load(&rp->remote_domid) == d->domid &&
			    atomic_load(&rp->remote_port) == port) {
				atomic_store(&rp->remote_port, 0);
				atomic_store(&rp->kind, SIM_PORT_UNBOUND);
			}
		}
	}
	/* FREE first: a concurrent notify stops looking at it. */
	atomic_store(&p->kind, SIM_PORT_FREE);
	atomic_fetch_add(&p->gen, 1);
	atomic_store(&p->remote_domid, 0);
	atomic_store(&p->remote_port, 0);
	atomic_store(&p->owner_pid, 0);
	atomic_store(&p->owner_hid, 0);
	atomic_store(&p->state, 0);
}

void
sim_evtchn_domain_gone(struct sim_dom *d, uint32_t gone)
{
	uint32_t i;

	for (i = 1; i < d->hdr->nr_ports; i++) {
		struct sim_port *p = &d->ports[i];

		if (atomic_load(&p->kind) == SIM_PORT_INTERDOMAIN &&
		    atomic_load(&p->remote_domid) == gone) {
			atomic_store(&p->remote_port, 0);
			atomic_store(&p->kind, SIM_PORT_UNBOUND);
		}
	}
}

/* A bound port whose owner is gone counts as closed: close it now. */
static bool
sim_ev_reclaim(struct sim_env *se, struct sim_dom *d, uint32_t port)
{
	struct sim_port *p = &d->ports[port];

	if (atomic_load(&p->kind) == SIM_PORT_FREE)
		return true;
	if (sim_owner_alive(se->dir, atomic_load(&p->owner_pid),
	    atomic_load(&p->owner_hid)))
		return false;
	sim_ev_close_port(se, d, port);
	return true;
}

/* A free port of `d` (port 0 is never used, as on Xen), or -ENOSPC. */
static int
sim_ev_alloc(struct sim_env *se, struct sim_dom *d)
{
	uint32_t i;

	for (i = 1; i < d->hdr->nr_ports; i++)
		if (atomic_load(&d->ports[i].kind) == SIM_PORT_FREE)
			return (int)i;
	for (i = 1; i < d->hdr->nr_ports; i++)
		if (sim_ev_reclaim(se, d, i))
			return (int)i;
	return -ENOSPC;
}

static void
sim_ev_claim(struct xen_evtchn *e, struct sim_port *p, uint32_t kind,
    uint32_t rdomid, uint32_t rport)
{
	atomic_store(&p->state, 0);
	atomic_store(&p->remote_domid, rdomid);
	atomic_store(&p->remote_port, rport);
	atomic_store(&p->owner_pid, e->pid);
	atomic_store(&p->owner_hid, e->hid);
	atomic_fetch_add(&p->gen, 1);
	atomic_store(&p->kind, kind);
}

/* ---- the seam ----------------------------------------------------------- */

struct xen_evtchn *
sim_evtchn_open(struct xen_env *env)
{
	struct sim_env *se = env->priv;
	struct xen_evtchn *e;
	int saved;

	if (sim_env_dom(se, env->domid) == NULL) {
		errno = ESRCH;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->se = se;
	e->domid = env->domid;
	e->pid = (int32_t)getpid();
	pthread_mutex_init(&e->lock, NULL);
	/* A random handle number: a socket left by a dead process whose pid
	 * we now have cannot be mistaken for ours. */
	do {
		if (getrandom(&e->hid, sizeof(e->hid), 0) != sizeof(e->hid))
			e->hid = (uint32_t)rand();
	} while (e->hid == 0);
	e->self.sun_family = AF_UNIX;
	if (sim_fmt(e->self.sun_path, sizeof(e->self.sun_path), "%s/%s/",
	    se->dir, SIM_EV_DIR) != 0) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	e->prefix_len = strlen(e->self.sun_path);
	e->selflen = sim_ev_addr(e, &e->self, e->pid, e->hid);
	e->sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (e->sock < 0)
		goto fail;
	unlink(e->self.sun_path);
	if (bind(e->sock, (struct sockaddr *)&e->self, e->selflen) != 0) {
		saved = errno;
		close(e->sock);
		errno = saved;
		goto fail;
	}
	return e;
fail:
	saved = errno;
	pthread_mutex_destroy(&e->lock);
	free(e);
	errno = saved;
	return NULL;
}

void
sim_evtchn_close(struct xen_evtchn *e)
{
	struct sim_dom *d;
	uint32_t w, b, port;
	int lock;

	if (e == NULL)
		return;
	if (atomic_load(&e->nown) != 0) {
		lock = sim_lock(e->se->dir);
		d = sim_env_dom(e->se, e->domid);
		for (w = 0; w < SIM_EV_WORDS; w++) {
			for (b = 0; b < 64; b++) {
				port = w * 64 + b;
				if (!sim_ev_own(e, port))
					continue;
				/* Only if still ours: a dead-owner reclaim
				 * cannot have taken it (we are alive), but
				 * the domain may have been re-created. */
				if (d != NULL && atomic_load(&d->ports[port].
				    owner_hid) == e->hid && atomic_load(
				    &d->ports[port].owner_pid) == e->pid)
					sim_ev_close_port(e->se, d, port);
				sim_ev_own_set(e, port, false);
			}
		}
		sim_unlock(lock);
	}
	close(e->sock);
	unlink(e->self.sun_path);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

int
sim_evtchn_fd(struct xen_evtchn *e)
{
	return e->sock;
}

int
sim_evtchn_bind_unbound(struct xen_evtchn *e, uint32_t remote_domid)
{
	struct sim_dom *d;
	int lock, port;

	if (remote_domid == DOMID_SELF)
		remote_domid = e->domid;
	lock = sim_lock(e->se->dir);
	if (lock < 0)
		return lock;
	pthread_mutex_lock(&e->lock);
	d = sim_env_dom(e->se, e->domid);
	if (d == NULL) {
		port = -ESRCH;
		goto out;
	}
	port = sim_ev_alloc(e->se, d);
	if (port < 0)
		goto out;
	sim_ev_claim(e, &d->ports[port], SIM_PORT_UNBOUND, remote_domid, 0);
	sim_ev_own_set(e, (uint32_t)port, true);
out:
	pthread_mutex_unlock(&e->lock);
	sim_unlock(lock);
	return port;
}

int
sim_evtchn_bind_interdomain(struct xen_evtchn *e, uint32_t remote_domid,
    uint32_t remote_port)
{
	struct sim_dom *d, *r;
	struct sim_port *rp;
	uint32_t peer;
	int lock, port;

	if (remote_domid == DOMID_SELF)
		remote_domid = e->domid;
	lock = sim_lock(e->se->dir);
	if (lock < 0)
		return lock;
	pthread_mutex_lock(&e->lock);
	d = sim_env_dom(e->se, e->domid);
	r = sim_env_dom(e->se, remote_domid);
	if (d == NULL || r == NULL) {
		port = -ESRCH;
		goto out;
	}
	if (remote_port == 0 || remote_port >= r->hdr->nr_ports) {
		port = -EINVAL;
		goto out;
	}
	rp = &r->ports[remote_port];
	/* The remote port's own process died: it is closed. */
	if (atomic_load(&rp->kind) != SIM_PORT_FREE)
		sim_ev_reclaim(e->se, r, remote_port);
	/* Bound to one of our ports whose owner died (a backend killed
	 * before it could unbind): that port is closed, which makes the
	 * remote one unbound again for us. */
	if (atomic_load(&rp->kind) == SIM_PORT_INTERDOMAIN &&
	    atomic_load(&rp->remote_domid) == d->domid) {
		peer = atomic_load(&rp->remote_port);
		if (peer != 0 && peer < d->hdr->nr_ports &&
		    atomic_load(&d->ports[peer].kind) == SIM_PORT_INTERDOMAIN &&
		    atomic_load(&d->ports[peer].remote_domid) == r->domid &&
		    atomic_load(&d->ports[peer].remote_port) == remote_port)
			sim_ev_reclaim(e->se, d, peer);
	}
	if (atomic_load(&rp->kind) != SIM_PORT_UNBOUND ||
	    atomic_load(&rp->remote_domid) != d->domid) {
		port = -EINVAL;
		goto out;
	}
	port = sim_ev_alloc(e->se, d);
	if (port < 0)
		goto out;
	/* sim_ev_alloc may have reclaimed ports: look again. */
	if (atomic_load(&rp->kind) != SIM_PORT_UNBOUND ||
	    atomic_load(&rp->remote_domid) != d->domid) {
		port = -EINVAL;
		goto out;
	}
	sim_ev_claim(e, &d->ports[port], SIM_PORT_INTERDOMAIN, r->domid,
	    remote_port);
	atomic_store(&rp->remote_port, (uint32_t)port);
	atomic_store(&rp->kind, SIM_PORT_INTERDOMAIN);
	sim_ev_own_set(e, (uint32_t)port, true);
	/* As Xen: the new local port starts pending. */
	sim_ev_deliver(e, d, (uint32_t)port);
out:
	pthread_mutex_unlock(&e->lock);
	sim_unlock(lock);
	return port;
}

int
sim_evtchn_unbind(struct xen_evtchn *e, uint32_t port)
{
	struct sim_dom *d;
	int lock;

	if (port >= XENSIM_EVTCHN_PORTS)
		return -EINVAL;
	if (!sim_ev_own(e, port))
		return -ENOTCONN;
	lock = sim_lock(e->se->dir);
	if (lock < 0)
		return lock;
	pthread_mutex_lock(&e->lock);
	if (sim_ev_own(e, port)) {
		d = sim_env_dom(e->se, e->domid);
		if (d != NULL)
			sim_ev_close_port(e->se, d, port);
		sim_ev_own_set(e, port, false);
	}
	pthread_mutex_unlock(&e->lock);
	sim_unlock(lock);
	return 0;
}

int
sim_evtchn_notify(struct xen_evtchn *e, uint32_t port)
{
	struct sim_dom *d, *r;
	struct sim_port *p, *rp;
	uint32_t rd, rport;

	if (port >= XENSIM_EVTCHN_PORTS)
		return -EINVAL;
	if (!sim_ev_own(e, port))
		return -ENOTCONN;
	d = sim_env_dom(e->se, e->domid);
	if (d == NULL)
		return 0;
	p = &d->ports[port];
	if (atomic_load_explicit(&p->kind, memory_order_acquire) !=
	    SIM_PORT_INTERDOMAIN)
		return 0;	/* unbound: dropped, as Xen does */
	rd = atomic_load_explicit(&p->remote_domid, memory_order_relaxed);
	rport = atomic_load_explicit(&p->remote_port, memory_order_relaxed);
	r = sim_env_dom(e->se, rd);
	if (r == NULL || rport >= r->hdr->nr_ports)
		return 0;
	rp = &r->ports[rport];
	/* Both ends must still point at each other: a racing close or a
	 * reclaim of either end drops the event. */
	if (atomic_load_explicit(&rp->kind, memory_order_acquire) !=
	    SIM_PORT_INTERDOMAIN ||
	    atomic_load_explicit(&rp->remote_domid, memory_order_relaxed) !=
	    d->domid ||
	    atomic_load_explicit(&rp->remote_port, memory_order_relaxed) != port)
		return 0;
	sim_ev_deliver(e, r, rport);
	return 0;
}

/* Re-posts our OWED ports to our own socket (exempt from the queue
 * limit), so that they are received like any delivery. */
static void
sim_ev_repost_owed(struct xen_evtchn *e, struct sim_dom *d)
{
	struct sim_ev_msg msg;
	uint64_t bits;
	uint32_t w, port, s;
	ssize_t n;

	for (w = 0; w < SIM_EV_WORDS; w++) {
		bits = atomic_load_explicit(&e->own[w], memory_order_relaxed);
		while (bits != 0) {
			port = w * 64 + (uint32_t)__builtin_ctzll(bits);
			bits &= bits - 1;
			s = atomic_load_explicit(&d->ports[port].state,
			    memory_order_acquire);
			if (!(s & SIM_EV_OWED))
				continue;
			if (!(atomic_fetch_and(&d->ports[port].state,
			    ~SIM_EV_OWED) & SIM_EV_OWED))
				continue;	/* someone else took it */
			msg.port = port;
			msg.gen = atomic_load(&d->ports[port].gen);
			n = sendto(e->sock, &msg, sizeof(msg),
			    MSG_DONTWAIT | MSG_NOSIGNAL,
			    (struct sockaddr *)&e->self, e->selflen);
			if (n != (ssize_t)sizeof(msg)) {
				atomic_fetch_or(&d->ports[port].state,
				    SIM_EV_OWED);
				return;
			}
		}
	}
}

int
sim_evtchn_pending(struct xen_evtchn *e)
{
	struct sim_ev_msg msg;
	struct sim_dom *d;
	bool rescan = true;
	ssize_t n;
	int i;

	d = sim_env_dom(e->se, e->domid);
	for (i = 0; i < SIM_EV_RECV_MAX; i++) {
		if (rescan && d != NULL &&
		    atomic_load_explicit(&e->nown, memory_order_relaxed) != 0)
			sim_ev_repost_owed(e, d);
		rescan = false;
		n = recv(e->sock, &msg, sizeof(msg), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ?
			    -EAGAIN : -errno;
		}
		if (n != (ssize_t)sizeof(msg))
			continue;
		if (msg.port == SIM_EV_NUDGE) {
			rescan = true;
			continue;
		}
		/* Stale: the port was closed (and maybe rebound) since. */
		if (msg.port >= XENSIM_EVTCHN_PORTS || !sim_ev_own(e, msg.port) ||
		    d == NULL || atomic_load_explicit(&d->ports[msg.port].gen,
		    memory_order_acquire) != msg.gen)
			continue;
		return (int)msg.port;
	}
	return -EAGAIN;
}

/* One datagram a port here: as many receives as ports, and one more to
 * hear EAGAIN when fewer than max were pending (the device's one read is
 * what vifd saves on a real host; here the answer is the same). */
int
sim_evtchn_pending_many(struct xen_evtchn *e, uint32_t *ports,
    unsigned int max)
{
	unsigned int n = 0;
	int p = 0;

	while (n < max && (p = sim_evtchn_pending(e)) >= 0)
		ports[n++] = (uint32_t)p;
	if (n > 0)
		return (int)n;
	return p < 0 ? p : -EAGAIN;
}

int
sim_evtchn_unmask(struct xen_evtchn *e, uint32_t port)
{
	struct sim_dom *d;
	struct sim_port *p;
	uint32_t s, ns;

	if (port >= XENSIM_EVTCHN_PORTS || !sim_ev_own(e, port))
		return 0;	/* as Linux: not ours, ignored */
	d = sim_env_dom(e->se, e->domid);
	if (d == NULL)
		return 0;
	p = &d->ports[port];
	s = atomic_load_explicit(&p->state, memory_order_acquire);
	do {
		ns = (s & SIM_EV_PENDING) ? ((s & ~SIM_EV_PENDING) |
		    SIM_EV_MASKED) : (s & ~SIM_EV_MASKED);
		if (ns == s)
			return 0;
	} while (!atomic_compare_exchange_weak_explicit(&p->state, &s, ns,
	    memory_order_acq_rel, memory_order_acquire));
	/* Events came while masked: deliver them, once, now. */
	if (s & SIM_EV_PENDING)
		sim_ev_send(e, p, port);
	return 0;
}
