/*
 * xenbus_fsm.c - the XenbusState machine of a vif backend, as a pure
 * function.
 *
 * Owns every decision about our state node: which state the frontend's
 * asks for, the shortest walk there (Linux's set_backend_state table),
 * where the data plane is connected and disconnected along it, when
 * Connected waits for the hotplug script, what a broken frontend or a
 * failure does, when the toolstack's Closing is taken, and when a closed,
 * offline device goes. It owns no effect: backend.c reads the facts,
 * calls xenbus_fsm() and carries the actions out.
 */
#include "config.h"

#include <stdlib.h>

#include "core/xenbus_fsm.h"

/* Bound of one walk: no path between two states is longer than four
 * steps; more means our own table is broken. */
#define FSM_WALK_MAX	8

/* One call's work: the machine as it goes, and what it asks for. */
struct fsm_run {
	const struct xenbus_fsm_in *in;
	struct xenbus_fsm_out *out;
	struct xenbus_fsm *m;		/* = &out->next */
};

static void
fsm_act(struct fsm_run *run, enum xenbus_fsm_op op, enum xenbus_state s)
{
	struct xenbus_fsm_out *out = run->out;

	if (out->n >= XENBUS_FSM_MAX_ACTIONS)
		abort();	/* our walk is bounded: see FSM_WALK_MAX */
	out->a[out->n].op = op;
	out->a[out->n].state = s;
	out->n++;
}

/* What our node shows for the machine's Connected: Reconfigured while
 * the frontend is Reconfiguring (netfront waits for it), else Connected. */
static enum xenbus_state
fsm_connected_node(const struct xenbus_fsm *m)
{
	return m->fe == XenbusStateReconfiguring ? XenbusStateReconfigured :
	    XenbusStateConnected;
}

/*
 * Records the state and writes it (Connected as fsm_connected_node
 * says), except Connected while a hotplug
 * script has not yet said "connected": libxl writes an empty
 * hotplug-status "to force backend to wait for hotplug script execution
 * before switching to connected state", and Linux defers the write the
 * same way (backend_switch_state / hotplug_status_changed).
 */
static void
fsm_switch(struct fsm_run *run, enum xenbus_state s)
{
	struct xenbus_fsm *m = run->m;
	enum xenbus_state node = s;

	m->state = s;
	if (s == XenbusStateConnected) {
		if (run->in->hotplug == XB_HOTPLUG_WAITING) {
			fsm_act(run, XB_ACT_WAIT_HOTPLUG, XenbusStateUnknown);
			return;
		}
		node = fsm_connected_node(m);
	}
	if (m->written != node) {
		fsm_act(run, XB_ACT_WRITE, node);
		m->written = node;
	}
}

/*
 * Walks to `target` along the shortest path, as Linux's
 * set_backend_state: disconnecting on the way out of Connected, and
 * stopping at InitWait with CONNECT on the way to Connected (the walk
 * goes on with XB_EV_CONNECTED once the data plane runs).
 */
static void
fsm_walk(struct fsm_run *run, enum xenbus_state target)
{
	struct xenbus_fsm *m = run->m;
	int guard;

	for (guard = 0; m->state != target && guard < FSM_WALK_MAX; guard++) {
		switch (m->state) {
		case XenbusStateUnknown:
		case XenbusStateInitialising:
			fsm_switch(run, target == XenbusStateClosed ?
			    XenbusStateClosed : XenbusStateInitWait);
			break;
		case XenbusStateClosed:
			if (target == XenbusStateClosing)
				fsm_switch(run, XenbusStateClosing);
			else if (m->failed)
				return;	/* stays Closed */
			else
				fsm_switch(run, XenbusStateInitWait);
			break;
		case XenbusStateInitWait:
			if (target != XenbusStateConnected) {
				fsm_switch(run, XenbusStateClosing);
				break;
			}
			if (!m->failed)
				fsm_act(run, XB_ACT_CONNECT,
				    XenbusStateUnknown);
			return;
		case XenbusStateConnected:
			fsm_act(run, XB_ACT_DISCONNECT, XenbusStateUnknown);
			fsm_switch(run, XenbusStateClosing);
			break;
		case XenbusStateClosing:
			fsm_act(run, XB_ACT_DISCONNECT, XenbusStateUnknown);
			fsm_switch(run, XenbusStateClosed);
			break;
		default:
			/* Reconfiguring/Reconfigured: only our node shows
			 * them (the machine is Connected); a machine told
			 * otherwise starts over. */
			fsm_switch(run, XenbusStateClosed);
			break;
		}
	}
}

/* An error was reported: no connect until a fresh start, and Closing
 * (as Linux's xenbus_dev_fatal). */
static void
fsm_fail(struct fsm_run *run)
{
	run->m->failed = true;
	if (run->m->state != XenbusStateClosed)
		fsm_walk(run, XenbusStateClosing);
}

/* A closed device whose `online` is 0 goes once its frontend is closed
 * or gone. */
static bool
fsm_removable(const struct fsm_run *run)
{
	const struct xenbus_fsm *m = run->m;

	return !run->in->online && m->state == XenbusStateClosed &&
	    (m->fe == XenbusStateClosed || m->fe == XenbusStateUnknown);
}

/* Linux's frontend_changed(). */
static void
fsm_frontend(struct fsm_run *run)
{
	const struct xenbus_fsm_in *in = run->in;
	struct xenbus_fsm *m = run->m;
	bool up = m->state == XenbusStateConnected && in->connected &&
	    !m->failed;
	bool reattach = (in->fe == XenbusStateConnected ||
	    in->fe == XenbusStateReconfiguring) &&
	    m->state == XenbusStateConnected && !in->connected && !m->failed;
	bool was_reconf = m->fe == XenbusStateReconfiguring;

	/* The same state again is nothing new, except a Connected frontend
	 * under a vifd that restarted: its rings wait to be attached. */
	if (in->fe == (int)m->fe && !reattach)
		return;
	fsm_act(run, XB_ACT_NOTE_FRONTEND, (enum xenbus_state)in->fe);
	m->fe = (enum xenbus_state)in->fe;
	switch (in->fe) {
	case XenbusStateInitialising:
		/* A guest reboot, a driver reload, netfront resuming: ready
		 * again. A frontend problem gets a fresh start too, as
		 * Linux's would; a failed hotplug script does not: the host
		 * side was never set up. (The error node stays, as history,
		 * until the device goes.) */
		if (m->failed && m->state == XenbusStateClosed &&
		    !in->host_failed)
			m->failed = false;
		fsm_walk(run, XenbusStateInitWait);
		break;
	case XenbusStateInitWait:
		break;
	case XenbusStateReconfiguring:
		/* Netfront's XDP handshake. Connected: the new headroom,
		 * then Reconfigured (XB_EV_RECONFIGURED), kept until the
		 * frontend is Connected again. Not yet connected: as a
		 * Connected frontend (below), answered Reconfigured once the
		 * data plane runs (fsm_connected_node). */
		if (up) {
			fsm_act(run, XB_ACT_RECONFIGURE, XenbusStateUnknown);
			break;
		}
		/* FALLTHROUGH */
	case XenbusStateInitialised:
		/* Linux netfront goes straight to Connected; FreeBSD and
		 * MirageOS backends accept Initialised too, and so do we. */
	case XenbusStateConnected:
		if (up && was_reconf) {
			/* Back from Reconfiguring: its xdp-headroom was
			 * written before this Connected; read it again
			 * (the first read may have come before the write),
			 * then Connected (XB_EV_RECONFIGURED). */
			fsm_act(run, XB_ACT_RECONFIGURE, XenbusStateUnknown);
			break;
		}
		if (reattach) {
			/* vifd restarted under a connected frontend: its
			 * rings are where it left them; attach again. */
			m->state = XenbusStateInitWait;
		}
		fsm_walk(run, XenbusStateConnected);
		break;
	case XenbusStateClosing:
		fsm_walk(run, XenbusStateClosing);
		break;
	case XenbusStateClosed:
	case XenbusStateUnknown:
		/* Unknown: the frontend directory went away (guest
		 * destroyed, or the toolstack removing the device): close
		 * without waiting. */
		fsm_walk(run, XenbusStateClosed);
		if (!in->online)
			fsm_act(run, XB_ACT_DESTROY, XenbusStateUnknown);
		break;
	default:
		fsm_act(run, XB_ACT_BAD_FRONTEND, m->fe);
		fsm_fail(run);
		break;
	}
}

/* Someone else wrote our state node: libxl (xl network-detach, domain
 * destroy) writes Closing to ask for removal. */
static void
fsm_state_node(struct fsm_run *run)
{
	const struct xenbus_fsm_in *in = run->in;
	struct xenbus_fsm *m = run->m;

	if (in->node < 0 || in->node == (int)m->written ||
	    in->node != XenbusStateClosing)
		return;
	fsm_act(run, XB_ACT_NOTE_TOOLSTACK_CLOSE, XenbusStateUnknown);
	m->written = XenbusStateClosing;
	if (m->state == XenbusStateClosed) {
		/* Already there (the frontend went first): the toolstack
		 * waits for Closed; say it again. */
		fsm_act(run, XB_ACT_WRITE, XenbusStateClosed);
		m->written = XenbusStateClosed;
		return;
	}
	fsm_walk(run, XenbusStateClosing);
	if (m->fe != XenbusStateConnected && m->fe != XenbusStateClosing)
		fsm_walk(run, XenbusStateClosed);
}

void
xenbus_fsm_init(struct xenbus_fsm *m, int node)
{
	m->state = node >= 0 && node <= XenbusStateReconfigured ?
	    (enum xenbus_state)node : XenbusStateInitialising;
	m->written = m->state;
	/* Our node shows Reconfigured only for a Connected machine. */
	if (m->state == XenbusStateReconfigured)
		m->state = XenbusStateConnected;
	m->fe = XenbusStateUnknown;
	m->failed = false;
}

void
xenbus_fsm(const struct xenbus_fsm *m, const struct xenbus_fsm_in *in,
    struct xenbus_fsm_out *out)
{
	struct fsm_run run;

	out->next = *m;
	out->n = 0;
	run.in = in;
	run.out = out;
	run.m = &out->next;
	switch (in->ev) {
	case XB_EV_START:
		/* Connected, Closing, Closed: a restart. The frontend's state
		 * (read when its watch fires) decides what follows; a
		 * Connected frontend gets its queues back. */
		if (m->state == XenbusStateUnknown ||
		    m->state == XenbusStateInitialising ||
		    m->state == XenbusStateInitWait)
			fsm_act(&run, XB_ACT_ADVERTISE, XenbusStateUnknown);
		break;
	case XB_EV_ADVERTISED:
		run.m->state = XenbusStateInitialising;
		fsm_walk(&run, XenbusStateInitWait);
		break;
	case XB_EV_FRONTEND:
		fsm_frontend(&run);
		break;
	case XB_EV_CONNECTED:
		fsm_switch(&run, XenbusStateConnected);
		break;
	case XB_EV_RECONFIGURED:
		/* Reconfigured or Connected, as the frontend now is. */
		if (m->state == XenbusStateConnected && !m->failed)
			fsm_switch(&run, XenbusStateConnected);
		break;
	case XB_EV_FAILED:
		fsm_fail(&run);
		break;
	case XB_EV_STATE_NODE:
		fsm_state_node(&run);
		break;
	case XB_EV_HOTPLUG:
		if (in->hotplug == XB_HOTPLUG_CONNECTED &&
		    m->state == XenbusStateConnected &&
		    m->written != fsm_connected_node(m)) {
			fsm_act(&run, XB_ACT_NOTE_HOTPLUG_OK,
			    XenbusStateUnknown);
			fsm_switch(&run, XenbusStateConnected);
		}
		break;
	case XB_EV_DOMAIN_GONE:
		run.m->fe = XenbusStateUnknown;
		fsm_walk(&run, XenbusStateClosed);
		if (!in->online)
			fsm_act(&run, XB_ACT_DESTROY, XenbusStateUnknown);
		break;
	case XB_EV_SETTLE:
		if (fsm_removable(&run))
			fsm_act(&run, XB_ACT_DESTROY, XenbusStateUnknown);
		break;
	}
}

const char *
xenbus_fsm_op_str(enum xenbus_fsm_op op)
{
	static const char *const names[] = {
		[XB_ACT_NONE] = "NONE",
		[XB_ACT_ADVERTISE] = "ADVERTISE",
		[XB_ACT_CONNECT] = "CONNECT",
		[XB_ACT_DISCONNECT] = "DISCONNECT",
		[XB_ACT_WRITE] = "WRITE",
		[XB_ACT_WAIT_HOTPLUG] = "WAIT_HOTPLUG",
		[XB_ACT_BAD_FRONTEND] = "BAD_FRONTEND",
		[XB_ACT_DESTROY] = "DESTROY",
		[XB_ACT_RECONFIGURE] = "RECONFIGURE",
		[XB_ACT_NOTE_FRONTEND] = "NOTE_FRONTEND",
		[XB_ACT_NOTE_TOOLSTACK_CLOSE] = "NOTE_TOOLSTACK_CLOSE",
		[XB_ACT_NOTE_HOTPLUG_OK] = "NOTE_HOTPLUG_OK",
	};

	return (unsigned int)op < sizeof(names) / sizeof(names[0]) &&
	    names[op] != NULL ? names[op] : "?";
}
