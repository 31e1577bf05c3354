/*
 * xenbus_fsm.h - the XenbusState machine of a vif backend, as a pure
 * function: (where the machine is, what happened, what the frontend,
 * hotplug script and toolstack say) -> (where it goes, what to do).
 *
 * Linux netback's set_backend_state and frontend_changed are the model:
 * the backend walks the shortest path to the state the frontend asks for,
 * connecting on InitWait -> Connected and disconnecting on the way out of
 * Connected, and libxl's empty hotplug-status holds the Connected write
 * back until the script says "connected".
 *
 *   Initialising -> InitWait -> Connected -> Closing -> Closed
 *                      ^                                  |
 *                      +------------ (frontend reinit) ---+
 *
 * Frontend Initialising asks for InitWait (from a live vif too: netfront
 * resuming after a migration walks through Closing and Closed),
 * Initialised or Connected for Connected, Closing for Closing, Closed for
 * Closed (and the device's removal when `online` is 0), Unknown (its
 * directory gone) for Closed. Any other value, Reconfigured included, is
 * a broken frontend (Linux: "saw state %d at frontend").
 *
 * Reconfiguring is netfront changing its XDP headroom (xennet_xdp_set):
 * it writes Reconfiguring, then xdp-headroom, waits - with no timeout,
 * holding the RTNL lock - until our node reads Reconfigured, and goes
 * back to Connected. On a connected vif we re-read the headroom
 * (RECONFIGURE) and write Reconfigured, and STAY there until the
 * frontend is Connected again: a Reconfigured that is overwritten at once
 * may never be seen, and the guest's networking would hang for good.
 * Then we read the headroom once more (it was written before that
 * Connected) and write Connected, so that the next attach or detach is
 * synchronised too (Linux's netback stays in Reconfigured, so only the
 * first is). Reconfigured is what our node shows in place of Connected
 * while the frontend is Reconfiguring: it waits for the hotplug script
 * as Connected does, and a frontend that asks before it is connected
 * (rings published, netfront attaching XDP the moment it connected) is
 * connected first, its headroom read with the rest, and answered so.
 *
 * The machine decides; the caller (backend.c) carries the actions out in
 * order, and reports the outcome of the two that can fail (ADVERTISE,
 * CONNECT) back as events. No xenstore, no fd, no clock.
 */
#ifndef VIFD_XENBUS_FSM_H
#define VIFD_XENBUS_FSM_H

#include <stdbool.h>

#include <xen/io/xenbus.h>

/* What the machine remembers between events. */
struct xenbus_fsm {
	enum xenbus_state state;	/* where the machine is */
	enum xenbus_state written;	/* what our state node holds, as far
					 * as we know (Connected may lag) */
	enum xenbus_state fe;		/* the frontend's, as last seen (may
					 * be a value that is no state) */
	bool failed;			/* an error was reported: no connect
					 * until the frontend starts over */
};

enum xenbus_fsm_event {
	/* The device's TAP exists: start the handshake (advertise and go to
	 * InitWait), unless vifd restarted under a later state. */
	XB_EV_START,
	/* ADVERTISE succeeded. */
	XB_EV_ADVERTISED,
	/* The frontend's state node changed: in->fe. */
	XB_EV_FRONTEND,
	/* CONNECT succeeded: the data plane runs. */
	XB_EV_CONNECTED,
	/* RECONFIGURE succeeded: the data plane has the frontend's XDP
	 * headroom. */
	XB_EV_RECONFIGURED,
	/* An error was reported for this vif (a failed ADVERTISE or
	 * CONNECT, a rogue frontend, a failed hotplug script, ...). */
	XB_EV_FAILED,
	/* Someone wrote our state node: in->node (libxl writes Closing to
	 * ask for removal). */
	XB_EV_STATE_NODE,
	/* hotplug-status changed: in->hotplug. */
	XB_EV_HOTPLUG,
	/* The frontend's domain is gone. */
	XB_EV_DOMAIN_GONE,
	/* A batch of events was handled: remove the device if it is closed,
	 * offline and its frontend is closed or gone. */
	XB_EV_SETTLE,
};

/* What hotplug-status says. */
enum xenbus_fsm_hotplug {
	XB_HOTPLUG_NONE,	/* no node: nothing to wait for */
	XB_HOTPLUG_WAITING,	/* present, not "connected" (libxl writes ""
				 * before it runs the script) */
	XB_HOTPLUG_CONNECTED,	/* "connected" */
};

/* One event and the facts it is judged by. */
struct xenbus_fsm_in {
	enum xenbus_fsm_event ev;
	int fe;			/* FRONTEND: the frontend's state node
				 * (XenbusStateUnknown if its directory is
				 * gone; any other number as read) */
	int node;		/* STATE_NODE: our node's value, -1 if it
				 * could not be read */
	enum xenbus_fsm_hotplug hotplug;
	bool online;		/* the backend's `online` key is 1 */
	bool connected;		/* the data plane runs (it does not after a
				 * vifd restart, whatever the states say) */
	bool host_failed;	/* our `online` hotplug script failed: the
				 * host side was never set up */
};

enum xenbus_fsm_op {
	XB_ACT_NONE = 0,
	/* Write the feature keys; then XB_EV_ADVERTISED or XB_EV_FAILED. */
	XB_ACT_ADVERTISE,
	/* Read the frontend's keys and start the data plane; then
	 * XB_EV_CONNECTED or XB_EV_FAILED. Always the last action. */
	XB_ACT_CONNECT,
	/* Stop the data plane (nothing if it does not run). */
	XB_ACT_DISCONNECT,
	/* Write `state` to our state node. */
	XB_ACT_WRITE,
	/* Connected is reached but not written until hotplug-status says
	 * "connected" (say so). */
	XB_ACT_WAIT_HOTPLUG,
	/* Report the frontend's state `state` as broken (the error node);
	 * the actions that follow close the vif. */
	XB_ACT_BAD_FRONTEND,
	/* Remove the device (offline script, TAP). Always the last. */
	XB_ACT_DESTROY,
	/* Re-read the frontend's xdp-headroom and apply it to the running
	 * data plane; then XB_EV_RECONFIGURED or XB_EV_FAILED (a headroom
	 * that is no number, over the limit or leaving no data room).
	 * Always the last action. */
	XB_ACT_RECONFIGURE,
	/* Say what was seen: the frontend moved to `state`; the toolstack
	 * asked for Closing; hotplug-status said "connected". */
	XB_ACT_NOTE_FRONTEND,
	XB_ACT_NOTE_TOOLSTACK_CLOSE,
	XB_ACT_NOTE_HOTPLUG_OK,
};

struct xenbus_fsm_action {
	enum xenbus_fsm_op op;
	/* WRITE, BAD_FRONTEND, NOTE_FRONTEND: the state; else Unknown. */
	enum xenbus_state state;
};

/* A walk takes at most 8 steps of at most two actions each (a real one,
 * Connected back to InitWait, takes three steps); with a note, a report
 * and a DESTROY no event can need more than 19. */
#define XENBUS_FSM_MAX_ACTIONS	20

struct xenbus_fsm_out {
	struct xenbus_fsm next;		/* the machine once all is done */
	unsigned int n;
	struct xenbus_fsm_action a[XENBUS_FSM_MAX_ACTIONS];
};

/*
 * The machine of a device whose state node holds `node` when vifd finds
 * it (-1, no such node, or no XenbusState: as Initialising). Nothing
 * written yet: written is what the node holds. The machine never holds a
 * value that is no XenbusState (the frontend's `fe` may). A node left at
 * Reconfigured (vifd stopped in the middle of netfront's handshake) is a
 * Connected vif showing Reconfigured.
 */
void xenbus_fsm_init(struct xenbus_fsm *m, int node);

/*
 * Judges one event: fills out->next and out->a[0..out->n) (ordered; at
 * most XENBUS_FSM_MAX_ACTIONS, abort() past it, our own invariant).
 * out->next assumes every action succeeds and every WRITE lands; a
 * failed CONNECT, RECONFIGURE or ADVERTISE comes back as XB_EV_FAILED.
 */
void xenbus_fsm(const struct xenbus_fsm *m, const struct xenbus_fsm_in *in,
    struct xenbus_fsm_out *out);

/* "CONNECT", "WRITE", ...: an action's name, for messages and tests. */
const char *xenbus_fsm_op_str(enum xenbus_fsm_op op);

#endif
