/*
 * vswitch.c - the switches inside vifd and their ports (see vswitch.h
 * for what a switch is and what bounds it).
 *
 * Owns the list of switches (by name, under one lock taken only to join
 * and leave), each switch's forwarding table (core/swfdb.c) and port
 * table (core/swfwd.c's view of it) under the switch's own lock, and
 * each port's inbox and counters. The decision is the pure core's; here
 * are its effects: a copy into each destination's inbox, the counters.
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/gso_seg.h"
#include "core/swfdb.h"
#include "core/swfwd.h"
#include "core/swspec.h"
#include "data/inbox.h"
#include "data/vswitch.h"
#include "data/vswitch_uplink.h"
#include "data/vswitch_xsk.h"
#include "util/log.h"
#include "util/loop.h"

/* Several ports' workers may count on one port at once (a flood). */
#define VSW_STAT_ADD(p, field, n) \
	(void)__atomic_fetch_add(&(p)->st.field, (n), __ATOMIC_RELAXED)

struct vsw;

struct vsw_port {
	struct vsw *sw;			/* [const] */
	uint16_t idx;			/* [const] its number on sw */
	char name[48];			/* [const] */
	struct inbox in;
	bool rx_any;			/* [const] takes any GSO (a TAP) */
	/* [sw->lock] The queue that delivers to the port's guest, which
	 * other ports' workers may place frames in (one copy), or NULL. */
	struct queue *direct;
	/* [sw->lock] The switch's TAP uplink, on its port: other ports'
	 * workers may write a frame alone in its batch to it themselves
	 * (vsw_uplink_write_now). NULL elsewhere. */
	struct vsw_uplink *tap;
	/* [sw->lock] The same for the switch's AF_XDP uplink, on its port
	 * (vsw_xsk_write_now). NULL elsewhere. */
	struct vsw_xsk *xsk;
	struct vnet_features rx;	/* [const] else what its guest takes */
	/* Added to by whichever port's worker forwards, read by anyone:
	 * relaxed atomics. */
	struct vsw_port_stats st;
};

struct vsw {
	struct vsw *next;		/* [vsw_list_lock] */
	char name[SWSPEC_NAME_MAX + 1];	/* [const] */
	bool peer;			/* [const] a peer link */
	unsigned int nports;		/* [vsw_list_lock] ports joined */
	/* The ports: read-locked by every worker that forwards, for the
	 * decision and the copies into the destinations' inboxes (workers
	 * forward side by side, a flood's copies included); write-locked
	 * to add or remove one. Writers first (glibc's readers-first
	 * default would let a flood of frames hold a join or a leave, and
	 * with it vifd's control thread, off for ever). */
	pthread_rwlock_t lock;
	struct swfwd_port ports[VSW_PORTS];	/* [lock] */
	struct vsw_port *port[VSW_PORTS];	/* [lock] */
	/* The forwarding table: learning writes it on every frame, so the
	 * decision holds this mutex, alone, briefly (no copy under it). */
	pthread_mutex_t fdb_lock;
	struct swfdb fdb;		/* [fdb_lock] */
	struct xen_env *env;		/* [const] its first port's */
	/* [vsw_list_lock] The uplink's thread and port (a switch's, when
	 * its TAP could be had), or NULL. */
	struct vsw_uplink *uplink;
	struct vsw_port *uplink_port;
	/* [vsw_list_lock] The admin's --switch-uplink for it (NULL: none),
	 * for the switch's life; its AF_XDP uplink and port, when the
	 * socket could be had, or NULL; and the NIC's interface index when
	 * the uplink was last made (0: there was no such NIC). A NIC with
	 * another index under that name is a new one (vsw_tick). */
	const struct swspec_uplink *xup;
	struct vsw_xsk *xsk;
	struct vsw_port *xsk_port;
	unsigned int xsk_ifindex;
	/* [vsw_list_lock] Make the uplink at the next tick whatever the
	 * index: the old one was just ended, or an attempt failed for want
	 * of memory (a closed socket gives its locked memory back late),
	 * which is tried up to VSW_XSK_TRIES times in a row (xsk_tries). */
	bool xsk_again;
	unsigned int xsk_tries;
};

#define VSW_XSK_TRIES	5u

static pthread_mutex_t vsw_list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vsw *vsw_list;		/* [vsw_list_lock] */
/* [const after start-up] The admin's AF_XDP uplinks (vsw_set_uplinks). */
static struct swspec_uplink vsw_xups[VSW_XSK_UPLINKS];
static unsigned int vsw_nxups;

static void vsw_uplink_add(struct vsw *sw);
static void vsw_xsk_remove(struct vsw *sw);
static void vsw_xsk_end(struct vsw *sw);
static void vsw_port_remove(struct vsw_port *port);

static const char *
vsw_kind(const struct vsw *sw)
{
	return sw->peer ? "peer link" : "switch";
}

/* The ports' lock, writers first (see struct vsw). */
static void
vsw_lock_init(pthread_rwlock_t *l)
{
	pthread_rwlockattr_t a;

	pthread_rwlockattr_init(&a);
	pthread_rwlockattr_setkind_np(&a,
	    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(l, &a);
	pthread_rwlockattr_destroy(&a);
}

/* The switch or peer link `name`, made if there is none; -EINVAL if
 * the name is the other kind's. [vsw_list_lock] */
static int
vsw_get(const char *name, bool peer, struct xen_env *env, struct vsw **out)
{
	struct vsw *sw;
	uint64_t seed = 0;
	int r;

	for (sw = vsw_list; sw != NULL; sw = sw->next)
		if (strcmp(sw->name, name) == 0) {
			if (sw->peer != peer)
				return -EINVAL;
			*out = sw;
			return 0;
		}
	sw = calloc(1, sizeof(*sw));
	if (sw == NULL)
		return -ENOMEM;
	/* The bucket hash's key: a guest must not be able to aim its
	 * source addresses at another port's bucket (swfdb.h). A short
	 * read leaves part of it zero, still unknown to the guest. */
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) < 0)
		seed = (uint64_t)(uintptr_t)sw ^ (uint64_t)loop_now_ns();
	r = swfdb_init(&sw->fdb, VSW_FDB_ENTRIES, 0, seed);
	if (r < 0) {
		free(sw);
		return r;
	}
	snprintf(sw->name, sizeof(sw->name), "%s", name);
	sw->peer = peer;
	sw->env = env;
	vsw_lock_init(&sw->lock);
	pthread_mutex_init(&sw->fdb_lock, NULL);
	sw->next = vsw_list;
	vsw_list = sw;
	log_info("%s %s: made", vsw_kind(sw), sw->name);
	if (!peer)
		vsw_uplink_add(sw);
	*out = sw;
	return 0;
}

/* Unlinks and frees a switch without ports. [vsw_list_lock] */
static void
vsw_put(struct vsw *sw)
{
	struct vsw **pp;

	for (pp = &vsw_list; *pp != NULL; pp = &(*pp)->next)
		if (*pp == sw) {
			*pp = sw->next;
			break;
		}
	log_info("%s %s: its last port left", vsw_kind(sw), sw->name);
	if (sw->uplink != NULL) {
		pthread_rwlock_wrlock(&sw->lock);
		sw->uplink_port->tap = NULL;
		pthread_rwlock_unlock(&sw->lock);
		vsw_uplink_stop(sw->uplink);
	}
	if (sw->uplink_port != NULL)
		vsw_port_remove(sw->uplink_port);
	vsw_xsk_remove(sw);
	swfdb_fini(&sw->fdb);
	pthread_rwlock_destroy(&sw->lock);
	pthread_mutex_destroy(&sw->fdb_lock);
	free(sw);
}

/*
 * A new port on `sw` (p's mac pinned, isolation): *out. Returns 0 or
 * -errno with the reason in err. [vsw_list_lock]
 */
static int
vsw_port_add(struct vsw *sw, const struct vsw_port_params *p,
    struct vsw_port **out, char *err, size_t errlen)
{
	struct vsw_port *port;
	unsigned int i, max = sw->peer ? 2u : VSW_PORTS;
	int r;

	port = calloc(1, sizeof(*port));
	if (port == NULL) {
		snprintf(err, errlen, "%s: out of memory", sw->name);
		return -ENOMEM;
	}
	r = inbox_init(&port->in);
	if (r < 0) {
		snprintf(err, errlen, "%s: no memory or eventfd for the port",
		    sw->name);
		free(port);
		return r;
	}
	snprintf(port->name, sizeof(port->name), "%s", p->name);
	port->rx_any = p->rx == NULL;
	if (p->rx != NULL)
		port->rx = *p->rx;
	pthread_rwlock_wrlock(&sw->lock);
	pthread_mutex_lock(&sw->fdb_lock);
	for (i = 0; i < max && sw->ports[i].used; i++)
		;
	if (i == max) {
		snprintf(err, errlen, "%s %s has %u ports already",
		    vsw_kind(sw), sw->name, max);
		r = -ENOSPC;
		goto fail;
	}
	if (p->mac != NULL && !sw->peer) {
		uint64_t now = loop_now_ns();

		r = swfdb_pin(&sw->fdb, p->mac, 0, (uint16_t)i, now);
		if (r == -EEXIST) {
			/* A pinned address is flushed with its port; one
			 * still here is a live port's: two vifs with one
			 * mac, as a migration on this host has for a
			 * moment. The newer takes it (the toolstack wrote
			 * both macs; no guest chooses one): the address's
			 * frames go to it, and the older's from it are
			 * refused; the older has no pin left. */
			int old = swfdb_lookup(&sw->fdb, p->mac, 0, now);

			if (old >= 0 && sw->port[old] != NULL) {
				log_info("switch %s: %s takes the pinned mac "
				    "%02x:%02x:%02x:%02x:%02x:%02x from %s",
				    sw->name, p->name, p->mac[0], p->mac[1],
				    p->mac[2], p->mac[3], p->mac[4], p->mac[5],
				    sw->port[old]->name);
				(void)swfdb_flush_port(&sw->fdb, (uint16_t)old);
			}
			r = swfdb_pin(&sw->fdb, p->mac, 0, (uint16_t)i, now);
		}
		if (r < 0) {
			snprintf(err, errlen, "switch %s: mac %02x:%02x:%02x:"
			    "%02x:%02x:%02x: %s", sw->name, p->mac[0],
			    p->mac[1], p->mac[2], p->mac[3], p->mac[4],
			    p->mac[5], r == -EEXIST ? "another port has it" :
			    r == -EINVAL ? "not a station address" :
			    "no room in the forwarding table");
			goto fail;
		}
	}
	port->sw = sw;
	port->idx = (uint16_t)i;
	sw->ports[i].used = 1;
	sw->ports[i].isolated = p->isolated ? 1 : 0;
	sw->ports[i].trunk = p->trunk ? 1 : 0;
	sw->ports[i].vlan = p->trunk || sw->peer ? 0 : p->vlan;
	sw->port[i] = port;
	pthread_mutex_unlock(&sw->fdb_lock);
	pthread_rwlock_unlock(&sw->lock);
	*out = port;
	return 0;
fail:
	pthread_mutex_unlock(&sw->fdb_lock);
	pthread_rwlock_unlock(&sw->lock);
	inbox_destroy(&port->in);
	free(port);
	return r;
}

/* Takes `port` off its switch and frees it. No thread may pop its inbox
 * any more; other ports' threads may still forward (read-locking
 * sw->lock, from sw->port[], which no longer has it). */
static void
vsw_port_remove(struct vsw_port *port)
{
	struct vsw *sw = port->sw;

	pthread_rwlock_wrlock(&sw->lock);
	pthread_mutex_lock(&sw->fdb_lock);
	(void)swfdb_flush_port(&sw->fdb, port->idx);
	pthread_mutex_unlock(&sw->fdb_lock);
	memset(&sw->ports[port->idx], 0, sizeof(sw->ports[port->idx]));
	sw->port[port->idx] = NULL;
	pthread_rwlock_unlock(&sw->lock);
	inbox_destroy(&port->in);
	free(port);
}

/*
 * The switch's AF_XDP uplink on the NIC its name now has: a trunk port
 * like the TAP's, served by vswitch_xsk.c. Without it (no such NIC, its
 * queue, another XDP program there, no privilege) the switch carries on
 * with its TAP, and says so. [vsw_list_lock]
 */
static void
vsw_xsk_make(struct vsw *sw)
{
	struct vsw_port_params xp = {
		.sw = sw->name, .trunk = true,
	};
	char name[2 * SWSPEC_NAME_MAX + 16], err[200];
	unsigned int idx;
	int r;

	idx = if_nametoindex(sw->xup->ifname);
	if (idx != sw->xsk_ifindex)
		sw->xsk_tries = 0;
	sw->xsk_ifindex = idx;
	sw->xsk_again = false;
	snprintf(name, sizeof(name), "xdp:%s@%u", sw->xup->ifname,
	    sw->xup->queue);
	xp.name = name;
	r = vsw_port_add(sw, &xp, &sw->xsk_port, err, sizeof(err));
	if (r == 0)
		r = vsw_xsk_start(sw->xup, sw->xsk_port, sw->env, &sw->xsk,
		    err, sizeof(err));
	if (r == 0) {
		pthread_rwlock_wrlock(&sw->lock);
		sw->xsk_port->xsk = sw->xsk;
		pthread_rwlock_unlock(&sw->lock);
	}
	if (r < 0) {
		log_warnx("switch %s: no AF_XDP uplink on %s: %s", sw->name,
		    sw->xup->ifname, err);
		vsw_xsk_end(sw);
		/* Locked memory a closed socket has not given back yet
		 * (a deferred work): again at the next tick, a few times. */
		if ((r == -ENOBUFS || r == -ENOMEM || r == -EAGAIN) &&
		    ++sw->xsk_tries < VSW_XSK_TRIES)
			sw->xsk_again = true;
	} else {
		sw->xsk_tries = 0;
	}
}

/* The switch's AF_XDP uplink, when the admin gave it one. [vsw_list_lock] */
static void
vsw_xsk_add(struct vsw *sw)
{
	unsigned int i;

	for (i = 0; i < vsw_nxups; i++)
		if (strcmp(vsw_xups[i].sw, sw->name) == 0) {
			sw->xup = &vsw_xups[i];
			vsw_xsk_make(sw);
			return;
		}
}

/* The AF_XDP uplink's end (the switch's, or its NIC's): the XDP program
 * leaves the NIC once no other switch's uplink is on it. [vsw_list_lock] */
static void
vsw_xsk_end(struct vsw *sw)
{
	const struct vsw *o;

	if (sw->xsk_port != NULL) {
		/* No worker writes to the socket from now on. */
		pthread_rwlock_wrlock(&sw->lock);
		sw->xsk_port->xsk = NULL;
		pthread_rwlock_unlock(&sw->lock);
	}
	if (sw->xsk != NULL)
		vsw_xsk_stop(sw->xsk);
	if (sw->xsk_port != NULL)
		vsw_port_remove(sw->xsk_port);
	sw->xsk = NULL;
	sw->xsk_port = NULL;
	for (o = vsw_list; o != NULL; o = o->next)
		if (o != sw && o->xsk != NULL &&
		    strcmp(o->xup->ifname, sw->xup->ifname) == 0)
			break;
	if (o == NULL)
		vsw_xsk_detach(sw->xup);
}

/* The AF_XDP uplink's end with its switch's. [vsw_list_lock] */
static void
vsw_xsk_remove(struct vsw *sw)
{
	if (sw->xup == NULL)
		return;
	vsw_xsk_end(sw);
	sw->xup = NULL;
}

void
vsw_tick(void)
{
	struct vsw *sw;
	unsigned int idx;

	pthread_mutex_lock(&vsw_list_lock);
	for (sw = vsw_list; sw != NULL; sw = sw->next) {
		if (sw->xup == NULL)
			continue;
		idx = if_nametoindex(sw->xup->ifname);
		if (idx == 0)
			continue;
		if (sw->xsk != NULL) {
			/* A NIC under another index is a new one; one under
			 * the same index whose socket was unbound went and
			 * came back with it (moved to another namespace and
			 * back). The new uplink at the next tick: the kernel
			 * gives the old one's locked memory back after its
			 * socket closes (a deferred work), and with
			 * RLIMIT_MEMLOCK tight the new one would not get its
			 * own before (seen in the rig: ENOBUFS when made at
			 * once). */
			if (idx == sw->xsk_ifindex && !vsw_xsk_gone(sw->xsk))
				continue;
			log_info("switch %s: %s is a new NIC or came back "
			    "(interface index %u, was %u): its old AF_XDP "
			    "uplink stops, a new one follows", sw->name,
			    sw->xup->ifname, idx, sw->xsk_ifindex);
			vsw_xsk_end(sw);
			sw->xsk_again = true;
			continue;
		}
		if (idx == sw->xsk_ifindex && !sw->xsk_again)
			continue;
		log_info("switch %s: NIC %s (interface index %u): a new "
		    "AF_XDP uplink on it", sw->name, sw->xup->ifname, idx);
		vsw_xsk_make(sw);
	}
	pthread_mutex_unlock(&vsw_list_lock);
}

/*
 * The switch's uplink, made with the switch: the TAP named like it
 * (vswitch_uplink.c). Without one (a name taken by an interface that is
 * not a vifd TAP, no privilege) the switch carries on among its guests,
 * and says so. [vsw_list_lock]
 */
static void
vsw_uplink_add(struct vsw *sw)
{
	struct vsw_port_params up = {
		.sw = sw->name, .name = sw->name, .trunk = true,
	};
	char err[160];
	int r;

	r = vsw_port_add(sw, &up, &sw->uplink_port, err, sizeof(err));
	if (r == 0)
		r = vsw_uplink_start(sw->name, sw->uplink_port, sw->env,
		    &sw->uplink, err, sizeof(err));
	if (r < 0) {
		log_warnx("switch %s: no uplink to the host: %s", sw->name,
		    err);
		if (sw->uplink_port != NULL)
			vsw_port_remove(sw->uplink_port);
		sw->uplink_port = NULL;
	} else {
		pthread_rwlock_wrlock(&sw->lock);
		sw->uplink_port->tap = sw->uplink;
		pthread_rwlock_unlock(&sw->lock);
	}
	vsw_xsk_add(sw);
}

int
vsw_port_join(const struct vsw_port_params *p, struct vsw_port **out,
    char *err, size_t errlen)
{
	struct vsw *sw = NULL;
	int r;

	pthread_mutex_lock(&vsw_list_lock);
	r = vsw_get(p->sw, p->peer, p->env, &sw);
	if (r < 0) {
		if (r == -EINVAL)
			snprintf(err, errlen, "%s is a %s already", p->sw,
			    p->peer ? "switch" : "peer link");
		else
			snprintf(err, errlen, "%s: out of memory", p->sw);
		pthread_mutex_unlock(&vsw_list_lock);
		return r;
	}
	r = vsw_port_add(sw, p, out, err, errlen);
	if (r == 0)
		sw->nports++;
	else if (sw->nports == 0)
		vsw_put(sw);
	pthread_mutex_unlock(&vsw_list_lock);
	return r;
}

void
vsw_port_leave(struct vsw_port *port)
{
	struct vsw *sw = port->sw;

	pthread_mutex_lock(&vsw_list_lock);
	vsw_port_remove(port);
	if (--sw->nports == 0)
		vsw_put(sw);
	pthread_mutex_unlock(&vsw_list_lock);
}

struct inbox *
vsw_port_inbox(struct vsw_port *port)
{
	return &port->in;
}

const char *
vsw_port_switch(const struct vsw_port *port)
{
	return port->sw->name;
}

bool
vsw_port_peer(const struct vsw_port *port)
{
	return port->sw->peer;
}

bool
vsw_port_xsk(const struct vsw_port *port, char *name, size_t len,
    struct vsw_xsk_stats *out)
{
	const struct vsw *sw = port->sw;
	bool on;

	pthread_mutex_lock(&vsw_list_lock);
	on = sw->xsk != NULL;
	if (on) {
		snprintf(name, len, "%s@%u", sw->xup->ifname, sw->xup->queue);
		vsw_xsk_stats(sw->xsk, out);
	}
	pthread_mutex_unlock(&vsw_list_lock);
	return on;
}

/*
 * A GSO super-frame for a port whose guest did not negotiate its GSO:
 * cut in software (core/gso_seg.h), as the kernel would behind a bridge,
 * every segment into the port's inbox and its worker woken once. The
 * plan is made once per frame, by the first such port (*planned: 0 not
 * yet, 1 made, -1 the frame cannot be cut). Segments the inbox has no
 * room for are dropped (drop_full), the others go; a frame that cannot
 * be cut (not TCP, ECN, headers too long, too many segments) is lost
 * for this port (drop_gso). Returns 1 if any segment went, else 0.
 */
static int
vsw_segment(struct vsw_port *to, const struct virtio_net_hdr *vh,
    const uint8_t *frame, size_t len, struct gso_seg_plan *plan,
    int *planned)
{
	uint8_t hdr[GSO_SEG_HDR_MAX];
	struct virtio_net_hdr svh;
	struct iovec iov[3];
	uint32_t off, plen, n;
	unsigned int i, went = 0;
	uint64_t bytes = 0;

	if (*planned == 0)
		*planned = gso_seg_plan(vh, frame, len, plan) == 0 ? 1 : -1;
	if (*planned < 0) {
		VSW_STAT_ADD(to, drop_gso, 1);
		return 0;
	}
	for (i = 0; i < plan->nsegs; i++) {
		n = gso_seg_build(plan, frame, i, hdr, &svh, &off, &plen);
		iov[0].iov_base = &svh;
		iov[0].iov_len = sizeof(svh);
		iov[1].iov_base = hdr;
		iov[1].iov_len = plan->hlen;
		/* Only read: the interface's pointer is not const. */
		iov[2].iov_base = (void *)(uintptr_t)(frame + off);
		iov[2].iov_len = plen;
		if (inbox_pushv(&to->in, iov, 3) < 0) {
			/* Full: the rest would not fit either. */
			VSW_STAT_ADD(to, drop_full, 1);
			break;
		}
		went++;
		bytes += n;
	}
	VSW_STAT_ADD(to, segmented, 1);
	if (went == 0)
		return 0;
	VSW_STAT_ADD(to, out_frames, went);
	VSW_STAT_ADD(to, out_bytes, bytes);
	inbox_signal(&to->in);
	return 1;
}

/*
 * A frame for a trunk (the uplink) as iov[0..4) points to it: its
 * virtio header (in *tvh), then the frame, of VLAN `vlan` (0: none) with
 * an 802.1Q tag (in tag) after its addresses and the header's offsets
 * moved past it. Returns the pieces used.
 */
static int
vsw_trunk_iov(const struct virtio_net_hdr *vh, const uint8_t *frame,
    size_t len, uint16_t vlan, struct virtio_net_hdr *tvh, uint8_t tag[4],
    struct iovec iov[4])
{
	*tvh = *vh;
	iov[0].iov_base = tvh;
	iov[0].iov_len = sizeof(*tvh);
	/* Only read: the interface's pointers are not const. */
	iov[1].iov_base = (void *)(uintptr_t)frame;
	if (vlan == 0) {
		iov[1].iov_len = len;
		return 2;
	}
	if (tvh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		tvh->csum_start += 4;
	if (tvh->hdr_len != 0)
		tvh->hdr_len += 4;
	tag[0] = 0x81;
	tag[1] = 0x00;
	tag[2] = (uint8_t)(vlan >> 8);
	tag[3] = (uint8_t)vlan;
	iov[1].iov_len = 12;
	iov[2].iov_base = tag;
	iov[2].iov_len = 4;
	iov[3].iov_base = (void *)(uintptr_t)(frame + 12);
	iov[3].iov_len = len - 12;
	return 4;
}

/*
 * A frame for a trunk, tagged for VLAN `vlan` (0: untagged): written to
 * the TAP uplink by this thread when *wrote is asked for and the uplink
 * takes it (vsw_uplink_write_now: *wrote then true), or put on the
 * AF_XDP uplink's TX ring so when untagged (vsw_xsk_write_now), else to
 * the port's inbox. Returns 1 if it went, 0 if the inbox was full (drop_full).
 */
static int
vsw_to_trunk(struct vsw_port *to, const struct virtio_net_hdr *vh,
    const uint8_t *frame, size_t len, uint16_t vlan, bool *wrote)
{
	struct virtio_net_hdr tvh;
	uint8_t tag[4];
	struct iovec iov[4];
	int n;

	n = vsw_trunk_iov(vh, frame, len, vlan, &tvh, tag, iov);
	if (wrote != NULL && to->tap != NULL &&
	    vsw_uplink_write_now(to->tap, iov, n) == 1) {
		*wrote = true;
	} else if (wrote != NULL && to->xsk != NULL && vlan == 0 &&
	    vsw_xsk_write_now(to->xsk, vh, frame, len) == 1) {
		*wrote = true;
	} else if (inbox_pushv(&to->in, iov, (unsigned int)n) < 0) {
		VSW_STAT_ADD(to, drop_full, 1);
		return 0;
	} else {
		inbox_signal(&to->in);
	}
	VSW_STAT_ADD(to, out_frames, 1);
	VSW_STAT_ADD(to, out_bytes, len + (vlan != 0 ? 4u : 0u));
	return 1;
}

int
vsw_port_send(struct vsw_port *port, const struct virtio_net_hdr *vh,
    const uint8_t *frame, size_t len, uint16_t vid, uint64_t now_ns,
    bool *wrote)
{
	struct vsw *sw = port->sw;
	enum swfwd_verdict v;
	uint16_t out[VSW_PORTS];
	unsigned int nout = 0, i;
	struct gso_seg_plan plan;
	int sent = 0, planned = 0;
	uint16_t vlan = 0;

	if (wrote != NULL)
		*wrote = false;

	pthread_rwlock_rdlock(&sw->lock);
	if (sw->peer) {
		/* A peer link: the other end, if it is there; no
		 * decision (an empty flood when it is not). */
		struct vsw_port *o = sw->port[port->idx ^ 1u];

		v = o != NULL ? SWFWD_UNICAST : SWFWD_FLOOD;
		if (o != NULL)
			out[nout++] = o->idx;
	} else {
		pthread_mutex_lock(&sw->fdb_lock);
		v = swfwd_decide(&sw->fdb, sw->ports, VSW_PORTS, port->idx,
		    vid, frame, len, now_ns, out, &nout, &vlan);
		pthread_mutex_unlock(&sw->fdb_lock);
	}
	switch (v) {
	case SWFWD_UNICAST:
		VSW_STAT_ADD(port, unicast, 1);
		break;
	case SWFWD_FLOOD:
		VSW_STAT_ADD(port, flooded, 1);
		break;
	case SWFWD_DROP_SRC:
		VSW_STAT_ADD(port, drop_src, 1);
		break;
	case SWFWD_DROP_ISOLATED:
		VSW_STAT_ADD(port, drop_isolated, 1);
		break;
	case SWFWD_DROP_LOCAL:
		VSW_STAT_ADD(port, drop_local, 1);
		break;
	case SWFWD_DROP_VLAN:
		VSW_STAT_ADD(port, drop_vlan, 1);
		break;
	case SWFWD_DROP_RUNT:
	case SWFWD_DROP_PORT:
		VSW_STAT_ADD(port, drop_runt, 1);
		break;
	}
	if (v != SWFWD_UNICAST && v != SWFWD_FLOOD) {
		pthread_rwlock_unlock(&sw->lock);
		return -EPERM;
	}
	VSW_STAT_ADD(port, in_frames, 1);
	VSW_STAT_ADD(port, in_bytes, len);
	for (i = 0; i < nout; i++) {
		struct vsw_port *to = sw->port[out[i]];

		if (to == NULL)
			continue;	/* cannot be: used ports have one */
		if (sw->ports[out[i]].trunk &&
		    (vlan != 0 || (nout == 1 && wrote != NULL))) {
			sent += vsw_to_trunk(to, vh, frame, len, vlan,
			    nout == 1 ? wrote : NULL);
			continue;
		}
		if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE && !to->rx_any &&
		    !vnet_hdr_takes_gso(&to->rx, vh->gso_type)) {
			sent += vsw_segment(to, vh, frame, len, &plan,
			    &planned);
			continue;
		}
		/* A destination without room loses this frame, alone:
		 * the sender goes on (its guest's TX is never held). */
		if (inbox_push(&to->in, vh, sizeof(*vh), frame, len) < 0) {
			VSW_STAT_ADD(to, drop_full, 1);
			continue;
		}
		VSW_STAT_ADD(to, out_frames, 1);
		VSW_STAT_ADD(to, out_bytes, len);
		sent++;
	}
	pthread_rwlock_unlock(&sw->lock);
	return sent;
}

void
vsw_port_set_isolated(struct vsw_port *port, bool on)
{
	struct vsw *sw = port->sw;

	pthread_rwlock_wrlock(&sw->lock);
	if (!sw->peer)
		sw->ports[port->idx].isolated = on ? 1 : 0;
	pthread_rwlock_unlock(&sw->lock);
}

void
vsw_port_set_direct(struct vsw_port *port, struct queue *dq)
{
	struct vsw *sw = port->sw;

	pthread_rwlock_wrlock(&sw->lock);
	port->direct = dq;
	pthread_rwlock_unlock(&sw->lock);
}

/* Where a frame offered for one copy goes: the one guest port it goes
 * to, if it goes to exactly one and that port has a direct queue, else
 * NULL. [sw->lock read] */
static struct vsw_port *
vsw_direct_to(struct vsw *sw, const struct vsw_port *port,
    const struct vsw_direct *fr, uint16_t vid, uint64_t now_ns)
{
	struct vsw_port *to = NULL;
	uint16_t out[VSW_PORTS], vlan = 0;
	unsigned int nout = 0;
	enum swfwd_verdict v;

	if (fr->hlen < 14)
		return NULL;
	if (sw->peer) {
		to = sw->port[port->idx ^ 1u];
	} else {
		pthread_mutex_lock(&sw->fdb_lock);
		v = swfwd_decide(&sw->fdb, sw->ports, VSW_PORTS, port->idx,
		    vid, fr->head, fr->hlen, now_ns, out, &nout, &vlan);
		pthread_mutex_unlock(&sw->fdb_lock);
		/* One guest's port; the uplink (a trunk) has no ring. */
		if (v == SWFWD_UNICAST && !sw->ports[out[0]].trunk)
			to = sw->port[out[0]];
	}
	return to != NULL && to->direct != NULL ? to : NULL;
}

unsigned int
vsw_port_send_direct(struct vsw_port *port, const struct vsw_direct *fr,
    unsigned int n, uint16_t vid, uint64_t now_ns,
    unsigned int (*place)(struct queue *dq, void *arg, unsigned int first,
    unsigned int k), void *arg)
{
	struct vsw *sw = port->sw;
	struct vsw_port *to, *next = NULL;
	unsigned int first = 0, k, p, j;

	if (n == 0)
		return 0;
	pthread_rwlock_rdlock(&sw->lock);
	to = vsw_direct_to(sw, port, &fr[0], vid, now_ns);
	while (to != NULL) {
		/* The run of frames to the same port: one placement, one
		 * grant copy for all of them (issue 20's "batched per
		 * sweep"). The frame that ends it is decided once. */
		for (k = 1; first + k < n; k++) {
			next = vsw_direct_to(sw, port, &fr[first + k], vid,
			    now_ns);
			if (next != to)
				break;
		}
		p = place(to->direct, arg, first, k);
		if (p > k)
			abort();	/* place's contract */
		for (j = first; j < first + p; j++) {
			VSW_STAT_ADD(port, in_frames, 1);
			VSW_STAT_ADD(port, in_bytes, fr[j].len);
			VSW_STAT_ADD(port, unicast, 1);
			VSW_STAT_ADD(to, out_frames, 1);
			VSW_STAT_ADD(to, out_bytes, fr[j].len);
			if (fr[j].hlen < fr[j].len)
				VSW_STAT_ADD(to, direct, 1);
		}
		first += p;
		if (p < k || first == n)
			break;
		to = next;
	}
	pthread_rwlock_unlock(&sw->lock);
	return first;
}

void
vsw_port_set_vlan(struct vsw_port *port, uint16_t vid)
{
	struct vsw *sw = port->sw;

	pthread_rwlock_wrlock(&sw->lock);
	if (!sw->peer && !sw->ports[port->idx].trunk)
		sw->ports[port->idx].vlan = vid;
	pthread_rwlock_unlock(&sw->lock);
}

void
vsw_port_stats(const struct vsw_port *port, struct vsw_port_stats *out)
{
#define VSW_STAT_LOAD(n) \
	out->n = __atomic_load_n(&port->st.n, __ATOMIC_RELAXED);
	VSW_PORT_STATS(VSW_STAT_LOAD)
#undef VSW_STAT_LOAD
}

int
vsw_set_uplinks(const struct swspec_uplink *up, unsigned int n, char *err,
    size_t errlen)
{
	unsigned int i, j;

	if (n > VSW_XSK_UPLINKS) {
		snprintf(err, errlen, "more than %u AF_XDP uplinks",
		    VSW_XSK_UPLINKS);
		return -EINVAL;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++) {
			if (strcmp(up[i].sw, up[j].sw) == 0) {
				snprintf(err, errlen, "switch %s is given two "
				    "AF_XDP uplinks", up[i].sw);
				return -EINVAL;
			}
			if (strcmp(up[i].ifname, up[j].ifname) == 0 &&
			    up[i].queue == up[j].queue) {
				snprintf(err, errlen, "%s queue %u is given to "
				    "two switches", up[i].ifname, up[i].queue);
				return -EINVAL;
			}
		}
	memcpy(vsw_xups, up, n * sizeof(*up));
	vsw_nxups = n;
	return 0;
}

bool
vsw_uplink_allowed(const char *ifname, uint32_t queue)
{
	unsigned int i;

	for (i = 0; i < vsw_nxups; i++)
		if (strcmp(vsw_xups[i].ifname, ifname) == 0 &&
		    vsw_xups[i].queue == queue)
			return true;
	return false;
}
