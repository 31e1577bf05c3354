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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/swfdb.h"
#include "core/swfwd.h"
#include "core/swspec.h"
#include "data/inbox.h"
#include "data/vswitch.h"
#include "util/log.h"
#include "util/loop.h"

#define VSW_STAT_ADD(p, field, n) \
	__atomic_store_n(&(p)->st.field, (p)->st.field + (n), \
	    __ATOMIC_RELAXED)

struct vsw;

struct vsw_port {
	struct vsw *sw;			/* [const] */
	uint16_t idx;			/* [const] its number on sw */
	char name[48];			/* [const] */
	struct inbox in;
	/* Written under sw->lock (by whichever port's worker forwards),
	 * read by anyone: relaxed atomic stores and loads. */
	struct vsw_port_stats st;
};

struct vsw {
	struct vsw *next;		/* [vsw_list_lock] */
	char name[SWSPEC_NAME_MAX + 1];	/* [const] */
	bool peer;			/* [const] a peer link */
	unsigned int nports;		/* [vsw_list_lock] ports joined */
	pthread_mutex_t lock;
	struct swfdb fdb;		/* [lock] */
	struct swfwd_port ports[VSW_PORTS];	/* [lock] */
	struct vsw_port *port[VSW_PORTS];	/* [lock] */
	uint16_t out[VSW_PORTS];	/* [lock] the decision's scratch */
};

static pthread_mutex_t vsw_list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vsw *vsw_list;		/* [vsw_list_lock] */

static const char *
vsw_kind(const struct vsw *sw)
{
	return sw->peer ? "peer link" : "switch";
}

/* The switch or peer link `name`, made if there is none; -EINVAL if
 * the name is the other kind's. [vsw_list_lock] */
static int
vsw_get(const char *name, bool peer, struct vsw **out)
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
	pthread_mutex_init(&sw->lock, NULL);
	sw->next = vsw_list;
	vsw_list = sw;
	log_info("%s %s: made", vsw_kind(sw), sw->name);
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
	swfdb_fini(&sw->fdb);
	pthread_mutex_destroy(&sw->lock);
	free(sw);
}

int
vsw_port_join(const struct vsw_port_params *p, struct vsw_port **out,
    char *err, size_t errlen)
{
	struct vsw_port *port;
	struct vsw *sw = NULL;
	unsigned int i;
	int r;

	port = calloc(1, sizeof(*port));
	if (port == NULL) {
		snprintf(err, errlen, "%s: out of memory", p->sw);
		return -ENOMEM;
	}
	r = inbox_init(&port->in);
	if (r < 0) {
		snprintf(err, errlen, "%s: no memory or eventfd for the port",
		    p->sw);
		free(port);
		return r;
	}
	snprintf(port->name, sizeof(port->name), "%s", p->name);
	pthread_mutex_lock(&vsw_list_lock);
	r = vsw_get(p->sw, p->peer, &sw);
	if (r < 0) {
		if (r == -EINVAL)
			snprintf(err, errlen, "%s is a %s already", p->sw,
			    p->peer ? "switch" : "peer link");
		else
			snprintf(err, errlen, "%s: out of memory", p->sw);
		sw = NULL;
		goto fail;
	}
	pthread_mutex_lock(&sw->lock);
	for (i = 0; i < VSW_PORTS && sw->ports[i].used; i++)
		;
	if (i == (sw->peer ? 2u : VSW_PORTS)) {
		pthread_mutex_unlock(&sw->lock);
		snprintf(err, errlen, "%s %s has %u ports already",
		    vsw_kind(sw), p->sw, sw->peer ? 2u : VSW_PORTS);
		r = -ENOSPC;
		goto fail;
	}
	if (p->mac != NULL && !sw->peer) {
		/* A pinned address was flushed with its port; one still
		 * here belongs to a live port: two vifs with one mac. */
		r = swfdb_pin(&sw->fdb, p->mac, 0, (uint16_t)i, loop_now_ns());
		if (r < 0) {
			pthread_mutex_unlock(&sw->lock);
			snprintf(err, errlen, "switch %s: mac %02x:%02x:%02x:"
			    "%02x:%02x:%02x: %s", p->sw, p->mac[0], p->mac[1],
			    p->mac[2], p->mac[3], p->mac[4], p->mac[5],
			    r == -EEXIST ? "another port has it" :
			    r == -EINVAL ? "not a station address" :
			    "no room in the forwarding table");
			goto fail;
		}
	}
	port->sw = sw;
	port->idx = (uint16_t)i;
	sw->ports[i].used = 1;
	sw->ports[i].isolated = p->isolated ? 1 : 0;
	sw->ports[i].vlan = 0;
	sw->port[i] = port;
	pthread_mutex_unlock(&sw->lock);
	sw->nports++;
	pthread_mutex_unlock(&vsw_list_lock);
	*out = port;
	return 0;
fail:
	if (sw != NULL && sw->nports == 0)
		vsw_put(sw);
	pthread_mutex_unlock(&vsw_list_lock);
	inbox_destroy(&port->in);
	free(port);
	return r;
}

void
vsw_port_leave(struct vsw_port *port)
{
	struct vsw *sw = port->sw;

	pthread_mutex_lock(&vsw_list_lock);
	pthread_mutex_lock(&sw->lock);
	(void)swfdb_flush_port(&sw->fdb, port->idx);
	memset(&sw->ports[port->idx], 0, sizeof(sw->ports[port->idx]));
	sw->port[port->idx] = NULL;
	pthread_mutex_unlock(&sw->lock);
	/* From here no worker hands it anything: every push is made under
	 * sw->lock from sw->port[]. */
	if (--sw->nports == 0)
		vsw_put(sw);
	pthread_mutex_unlock(&vsw_list_lock);
	inbox_destroy(&port->in);
	free(port);
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

int
vsw_port_send(struct vsw_port *port, const struct virtio_net_hdr *vh,
    const uint8_t *frame, size_t len, uint64_t now_ns)
{
	struct vsw *sw = port->sw;
	enum swfwd_verdict v;
	unsigned int nout = 0, i;
	int sent = 0;

	pthread_mutex_lock(&sw->lock);
	if (sw->peer) {
		/* A peer link: the other end, if it is there; no
		 * decision (an empty flood when it is not). */
		struct vsw_port *o = sw->port[port->idx ^ 1u];

		v = o != NULL ? SWFWD_UNICAST : SWFWD_FLOOD;
		if (o != NULL)
			sw->out[nout++] = o->idx;
	} else
		v = swfwd_decide(&sw->fdb, sw->ports, VSW_PORTS, port->idx,
		    frame, len, now_ns, sw->out, &nout);
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
	case SWFWD_DROP_RUNT:
	case SWFWD_DROP_PORT:
		VSW_STAT_ADD(port, drop_runt, 1);
		break;
	}
	if (v != SWFWD_UNICAST && v != SWFWD_FLOOD) {
		pthread_mutex_unlock(&sw->lock);
		return -EPERM;
	}
	VSW_STAT_ADD(port, in_frames, 1);
	VSW_STAT_ADD(port, in_bytes, len);
	for (i = 0; i < nout; i++) {
		struct vsw_port *to = sw->port[sw->out[i]];

		if (to == NULL)
			continue;	/* cannot be: used ports have one */
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
	pthread_mutex_unlock(&sw->lock);
	return sent;
}

void
vsw_port_stats(const struct vsw_port *port, struct vsw_port_stats *out)
{
#define VSW_STAT_LOAD(n) \
	out->n = __atomic_load_n(&port->st.n, __ATOMIC_RELAXED);
	VSW_PORT_STATS(VSW_STAT_LOAD)
#undef VSW_STAT_LOAD
}
