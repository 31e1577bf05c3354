/*
 * test_xenbus_fsm.c - the vif backend's XenbusState machine
 * (src/core/xenbus_fsm.c) as a table, in-process, without root or xenstore.
 *
 * Each row is one event: the machine before it, the event with the facts
 * it is judged by (the frontend's state, our node's, hotplug-status,
 * online, whether the data plane runs), the actions expected in order,
 * and the machine after. The rows cover every state netif uses, on both
 * sides: Initialising to Closed, Reconfiguring/Reconfigured (netfront's
 * XDP headroom change), a frontend going back to Initialising on a live
 * vif (netfront resuming), a restart of vifd under each state, values
 * that are no state. A sweep over every combination then checks the
 * invariants no row should have to spell out.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cu_tap.h"
#include "core/xenbus_fsm.h"
#include "core/xenbus_state.h"

#define S(x)		XenbusState##x
/* The machine: state, written, frontend, failed. */
#define M(st, wr, fe, f)	{ S(st), S(wr), S(fe), f }
#define ACT(op, st)	{ XB_ACT_##op, S(st) }
#define DO(op)		{ XB_ACT_##op, S(Unknown) }
#define WRITE(st)	ACT(WRITE, st)
#define NOTE_FE(st)	ACT(NOTE_FRONTEND, st)
#define GARBAGE		42

/* Facts; the event's own argument is set per row. */
#define ONLINE		.online = true
#define UP		.connected = true

struct row {
	const char *name;
	struct xenbus_fsm m;
	struct xenbus_fsm_in in;
	struct xenbus_fsm_action want[XENBUS_FSM_MAX_ACTIONS];	/* to NONE */
	struct xenbus_fsm next;
};

static const struct row rows[] = {
	/* ---- a new device, and vifd restarting under an old one ---------- */
	{ "start: a new device advertises its features",
	  M(Initialising, Initialising, Unknown, false),
	  { .ev = XB_EV_START, ONLINE },
	  { DO(ADVERTISE) },
	  M(Initialising, Initialising, Unknown, false) },
	{ "start: a restart in InitWait advertises again",
	  M(InitWait, InitWait, Unknown, false),
	  { .ev = XB_EV_START, ONLINE },
	  { DO(ADVERTISE) },
	  M(InitWait, InitWait, Unknown, false) },
	{ "start: a restart under Connected waits for the frontend",
	  M(Connected, Connected, Unknown, false),
	  { .ev = XB_EV_START, ONLINE },
	  { { 0 } },
	  M(Connected, Connected, Unknown, false) },
	{ "advertised: InitWait is written",
	  M(Initialising, Initialising, Unknown, false),
	  { .ev = XB_EV_ADVERTISED, ONLINE },
	  { WRITE(InitWait) },
	  M(InitWait, InitWait, Unknown, false) },
	{ "advertised after a restart in InitWait: nothing to write",
	  M(InitWait, InitWait, Unknown, false),
	  { .ev = XB_EV_ADVERTISED, ONLINE },
	  { { 0 } },
	  M(InitWait, InitWait, Unknown, false) },

	/* ---- the handshake ----------------------------------------------- */
	{ "frontend Initialising: we are in InitWait already",
	  M(InitWait, InitWait, Unknown, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Initialising), ONLINE },
	  { NOTE_FE(Initialising) },
	  M(InitWait, InitWait, Initialising, false) },
	{ "frontend Initialising before we advertised: InitWait",
	  M(Initialising, Initialising, Unknown, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Initialising), ONLINE },
	  { NOTE_FE(Initialising), WRITE(InitWait) },
	  M(InitWait, InitWait, Initialising, false) },
	{ "frontend InitWait: nothing to do",
	  M(InitWait, InitWait, Initialising, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(InitWait), ONLINE },
	  { NOTE_FE(InitWait) },
	  M(InitWait, InitWait, InitWait, false) },
	{ "frontend Initialised: connect",
	  M(InitWait, InitWait, Initialising, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Initialised), ONLINE },
	  { NOTE_FE(Initialised), DO(CONNECT) },
	  M(InitWait, InitWait, Initialised, false) },
	{ "frontend Connected: connect",
	  M(InitWait, InitWait, Initialising, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Connected), ONLINE },
	  { NOTE_FE(Connected), DO(CONNECT) },
	  M(InitWait, InitWait, Connected, false) },
	{ "frontend Connected on a failed vif: no connect",
	  M(Closing, Closing, Initialising, true),
	  { .ev = XB_EV_FRONTEND, .fe = S(Connected), ONLINE },
	  { NOTE_FE(Connected), DO(DISCONNECT), WRITE(Closed) },
	  M(Closed, Closed, Connected, true) },
	{ "connected: Connected is written",
	  M(InitWait, InitWait, Connected, false),
	  { .ev = XB_EV_CONNECTED, ONLINE, UP },
	  { WRITE(Connected) },
	  M(Connected, Connected, Connected, false) },
	{ "connected, hotplug-status empty: Connected waits",
	  M(InitWait, InitWait, Connected, false),
	  { .ev = XB_EV_CONNECTED, .hotplug = XB_HOTPLUG_WAITING, ONLINE, UP },
	  { DO(WAIT_HOTPLUG) },
	  M(Connected, InitWait, Connected, false) },
	{ "hotplug-status connected: the deferred Connected is written",
	  M(Connected, InitWait, Connected, false),
	  { .ev = XB_EV_HOTPLUG, .hotplug = XB_HOTPLUG_CONNECTED, ONLINE, UP },
	  { DO(NOTE_HOTPLUG_OK), WRITE(Connected) },
	  M(Connected, Connected, Connected, false) },
	{ "hotplug-status connected again: nothing",
	  M(Connected, Connected, Connected, false),
	  { .ev = XB_EV_HOTPLUG, .hotplug = XB_HOTPLUG_CONNECTED, ONLINE, UP },
	  { { 0 } },
	  M(Connected, Connected, Connected, false) },
	{ "hotplug-status still empty: Connected still waits",
	  M(Connected, InitWait, Connected, false),
	  { .ev = XB_EV_HOTPLUG, .hotplug = XB_HOTPLUG_WAITING, ONLINE, UP },
	  { { 0 } },
	  M(Connected, InitWait, Connected, false) },
	{ "hotplug-status connected before we are: nothing yet",
	  M(InitWait, InitWait, Initialising, false),
	  { .ev = XB_EV_HOTPLUG, .hotplug = XB_HOTPLUG_CONNECTED, ONLINE },
	  { { 0 } },
	  M(InitWait, InitWait, Initialising, false) },
	{ "frontend Connected again: nothing new",
	  M(Connected, Connected, Connected, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Connected), ONLINE, UP },
	  { { 0 } },
	  M(Connected, Connected, Connected, false) },

	/* ---- vifd restarted under a connected frontend ------------------- */
	{ "restart: the frontend shows Connected: attach again",
	  M(Connected, Connected, Unknown, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Connected), ONLINE },
	  { NOTE_FE(Connected), DO(CONNECT) },
	  M(InitWait, Connected, Connected, false) },
	{ "restart: the same Connected, data plane down: attach again",
	  M(Connected, Connected, Connected, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Connected), ONLINE },
	  { NOTE_FE(Connected), DO(CONNECT) },
	  M(InitWait, Connected, Connected, false) },
	{ "restart: attached again, Connected needs no write",
	  M(InitWait, Connected, Connected, false),
	  { .ev = XB_EV_CONNECTED, ONLINE, UP },
	  { { 0 } },
	  M(Connected, Connected, Connected, false) },
	{ "restart under Closing: the frontend's Closed closes",
	  M(Closing, Closing, Unknown, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Closed), ONLINE },
	  { NOTE_FE(Closed), DO(DISCONNECT), WRITE(Closed) },
	  M(Closed, Closed, Closed, false) },
	{ "a machine told Reconfigured (no longer ours): starts over",
	  M(Reconfigured, Reconfigured, Unknown, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Connected), ONLINE },
	  { NOTE_FE(Connected), WRITE(Closed), WRITE(InitWait),
	    DO(CONNECT) },
	  M(InitWait, InitWait, Connected, false) },
	{ "restart, node left at Reconfigured, frontend Connected: attach",
	  M(Connected, Reconfigured, Unknown, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Connected), ONLINE },
	  { NOTE_FE(Connected), DO(CONNECT) },
	  M(InitWait, Reconfigured, Connected, false) },
	{ "... attached: Connected replaces Reconfigured",
	  M(InitWait, Reconfigured, Connected, false),
	  { .ev = XB_EV_CONNECTED, ONLINE, UP },
	  { WRITE(Connected) },
	  M(Connected, Connected, Connected, false) },
	{ "restart, frontend still Reconfiguring: attach, Reconfigured stays",
	  M(Connected, Reconfigured, Unknown, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Reconfiguring), ONLINE },
	  { NOTE_FE(Reconfiguring), DO(CONNECT) },
	  M(InitWait, Reconfigured, Reconfiguring, false) },
	{ "... attached: nothing to write, the frontend reads Reconfigured",
	  M(InitWait, Reconfigured, Reconfiguring, false),
	  { .ev = XB_EV_CONNECTED, ONLINE, UP },
	  { { 0 } },
	  M(Connected, Reconfigured, Reconfiguring, false) },

	/* ---- Reconfiguring (netfront's XDP headroom) --------------------- */
	{ "frontend Reconfiguring: re-read the headroom first",
	  M(Connected, Connected, Connected, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Reconfiguring), ONLINE, UP },
	  { NOTE_FE(Reconfiguring), DO(RECONFIGURE) },
	  M(Connected, Connected, Reconfiguring, false) },
	{ "reconfigured: Reconfigured is written, and stays",
	  M(Connected, Connected, Reconfiguring, false),
	  { .ev = XB_EV_RECONFIGURED, ONLINE, UP },
	  { WRITE(Reconfigured) },
	  M(Connected, Reconfigured, Reconfiguring, false) },
	{ "our Reconfigured seen again: nothing (no Connected behind it)",
	  M(Connected, Reconfigured, Reconfiguring, false),
	  { .ev = XB_EV_STATE_NODE, .node = S(Reconfigured), ONLINE, UP },
	  { { 0 } },
	  M(Connected, Reconfigured, Reconfiguring, false) },
	{ "hotplug-status again while Reconfigured: it stays",
	  M(Connected, Reconfigured, Reconfiguring, false),
	  { .ev = XB_EV_HOTPLUG, .hotplug = XB_HOTPLUG_CONNECTED, ONLINE, UP },
	  { { 0 } },
	  M(Connected, Reconfigured, Reconfiguring, false) },
	{ "frontend Reconfiguring twice in a row: nothing new",
	  M(Connected, Reconfigured, Reconfiguring, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Reconfiguring), ONLINE, UP },
	  { { 0 } },
	  M(Connected, Reconfigured, Reconfiguring, false) },
	{ "frontend Connected after Reconfiguring: read the headroom again",
	  M(Connected, Reconfigured, Reconfiguring, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Connected), ONLINE, UP },
	  { NOTE_FE(Connected), DO(RECONFIGURE) },
	  M(Connected, Reconfigured, Connected, false) },
	{ "... then Connected again: the next handshake is ours too",
	  M(Connected, Reconfigured, Connected, false),
	  { .ev = XB_EV_RECONFIGURED, ONLINE, UP },
	  { WRITE(Connected) },
	  M(Connected, Connected, Connected, false) },
	{ "a bad headroom: failed, the vif closes",
	  M(Connected, Connected, Reconfiguring, false),
	  { .ev = XB_EV_FAILED, ONLINE, UP },
	  { DO(DISCONNECT), WRITE(Closing) },
	  M(Closing, Closing, Reconfiguring, true) },
	{ "reconfigured on a vif that failed meanwhile: nothing",
	  M(Closing, Closing, Reconfiguring, true),
	  { .ev = XB_EV_RECONFIGURED, ONLINE },
	  { { 0 } },
	  M(Closing, Closing, Reconfiguring, true) },
	{ "Reconfiguring before we connected: connect first",
	  M(InitWait, InitWait, Initialising, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Reconfiguring), ONLINE },
	  { NOTE_FE(Reconfiguring), DO(CONNECT) },
	  M(InitWait, InitWait, Reconfiguring, false) },
	{ "... connected while the frontend waits: Reconfigured, not "
	  "Connected",
	  M(InitWait, InitWait, Reconfiguring, false),
	  { .ev = XB_EV_CONNECTED, ONLINE, UP },
	  { WRITE(Reconfigured) },
	  M(Connected, Reconfigured, Reconfiguring, false) },
	{ "... hotplug-status empty: Reconfigured waits as Connected would",
	  M(InitWait, InitWait, Reconfiguring, false),
	  { .ev = XB_EV_CONNECTED, .hotplug = XB_HOTPLUG_WAITING, ONLINE, UP },
	  { DO(WAIT_HOTPLUG) },
	  M(Connected, InitWait, Reconfiguring, false) },
	{ "... hotplug-status connected: Reconfigured is written",
	  M(Connected, InitWait, Reconfiguring, false),
	  { .ev = XB_EV_HOTPLUG, .hotplug = XB_HOTPLUG_CONNECTED, ONLINE, UP },
	  { DO(NOTE_HOTPLUG_OK), WRITE(Reconfigured) },
	  M(Connected, Reconfigured, Reconfiguring, false) },
	{ "Reconfiguring on a failed vif: no connect, no answer",
	  M(Closing, Closing, Connected, true),
	  { .ev = XB_EV_FRONTEND, .fe = S(Reconfiguring), ONLINE },
	  { NOTE_FE(Reconfiguring), DO(DISCONNECT), WRITE(Closed) },
	  M(Closed, Closed, Reconfiguring, true) },
	{ "Reconfiguring then Closing: close as ever",
	  M(Connected, Reconfigured, Reconfiguring, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Closing), ONLINE, UP },
	  { NOTE_FE(Closing), DO(DISCONNECT), WRITE(Closing) },
	  M(Closing, Closing, Closing, false) },
	{ "frontend Reconfigured (a backend's state): broken frontend",
	  M(Connected, Connected, Reconfiguring, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Reconfigured), ONLINE, UP },
	  { NOTE_FE(Reconfigured), ACT(BAD_FRONTEND, Reconfigured),
	    DO(DISCONNECT), WRITE(Closing) },
	  M(Closing, Closing, Reconfigured, true) },

	/* ---- the frontend starts over ------------------------------------ */
	{ "frontend Initialising on a live vif (netfront resume)",
	  M(Connected, Connected, Connected, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Initialising), ONLINE, UP },
	  { NOTE_FE(Initialising), DO(DISCONNECT), WRITE(Closing),
	    DO(DISCONNECT), WRITE(Closed), WRITE(InitWait) },
	  M(InitWait, InitWait, Initialising, false) },
	{ "frontend Initialising after Closed (guest reboot)",
	  M(Closed, Closed, Closed, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Initialising), ONLINE },
	  { NOTE_FE(Initialising), WRITE(InitWait) },
	  M(InitWait, InitWait, Initialising, false) },
	{ "a failed frontend's restart gets a fresh start",
	  M(Closed, Closed, Closed, true),
	  { .ev = XB_EV_FRONTEND, .fe = S(Initialising), ONLINE },
	  { NOTE_FE(Initialising), WRITE(InitWait) },
	  M(InitWait, InitWait, Initialising, false) },
	{ "a failed hotplug script gets none: the vif stays Closed",
	  M(Closed, Closed, Closed, true),
	  { .ev = XB_EV_FRONTEND, .fe = S(Initialising), ONLINE,
	    .host_failed = true },
	  { NOTE_FE(Initialising) },
	  M(Closed, Closed, Initialising, true) },
	{ "a failed vif not yet Closed stays failed on Initialising",
	  M(Closing, Closing, Connected, true),
	  { .ev = XB_EV_FRONTEND, .fe = S(Initialising), ONLINE },
	  { NOTE_FE(Initialising), DO(DISCONNECT), WRITE(Closed) },
	  M(Closed, Closed, Initialising, true) },

	/* ---- closing ----------------------------------------------------- */
	{ "frontend Closing: disconnect, Closing",
	  M(Connected, Connected, Connected, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Closing), ONLINE, UP },
	  { NOTE_FE(Closing), DO(DISCONNECT), WRITE(Closing) },
	  M(Closing, Closing, Closing, false) },
	{ "frontend Closed, online: Closed, the device stays",
	  M(Closing, Closing, Closing, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Closed), ONLINE },
	  { NOTE_FE(Closed), DO(DISCONNECT), WRITE(Closed) },
	  M(Closed, Closed, Closed, false) },
	{ "frontend Closed, offline: Closed and the device goes",
	  M(Closing, Closing, Closing, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Closed) },
	  { NOTE_FE(Closed), DO(DISCONNECT), WRITE(Closed),
	    DO(DESTROY) },
	  M(Closed, Closed, Closed, false) },
	{ "frontend directory gone (Unknown): close without waiting",
	  M(Connected, Connected, Connected, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Unknown), ONLINE, UP },
	  { NOTE_FE(Unknown), DO(DISCONNECT), WRITE(Closing),
	    DO(DISCONNECT), WRITE(Closed) },
	  M(Closed, Closed, Unknown, false) },
	{ "frontend gone, offline: and the device goes",
	  M(InitWait, InitWait, Initialising, false),
	  { .ev = XB_EV_FRONTEND, .fe = S(Unknown) },
	  { NOTE_FE(Unknown), WRITE(Closing), DO(DISCONNECT), WRITE(Closed),
	    DO(DESTROY) },
	  M(Closed, Closed, Unknown, false) },

	/* ---- values that are no state ------------------------------------ */
	{ "frontend state 42: reported, the vif closes",
	  M(Connected, Connected, Connected, false),
	  { .ev = XB_EV_FRONTEND, .fe = GARBAGE, ONLINE, UP },
	  { { XB_ACT_NOTE_FRONTEND, GARBAGE },
	    { XB_ACT_BAD_FRONTEND, GARBAGE }, DO(DISCONNECT), WRITE(Closing) },
	  { S(Closing), S(Closing), GARBAGE, true } },
	{ "frontend state 255 (no number) while Closed: reported only",
	  M(Closed, Closed, Closed, false),
	  { .ev = XB_EV_FRONTEND, .fe = 255, ONLINE },
	  { { XB_ACT_NOTE_FRONTEND, 255 }, { XB_ACT_BAD_FRONTEND, 255 } },
	  { S(Closed), S(Closed), 255, true } },

	/* ---- failures ---------------------------------------------------- */
	{ "failed in InitWait (bad frontend keys): Closing",
	  M(InitWait, InitWait, Connected, false),
	  { .ev = XB_EV_FAILED, ONLINE },
	  { WRITE(Closing) },
	  M(Closing, Closing, Connected, true) },
	{ "failed while Connected (a rogue frontend): disconnect, Closing",
	  M(Connected, Connected, Connected, false),
	  { .ev = XB_EV_FAILED, ONLINE, UP },
	  { DO(DISCONNECT), WRITE(Closing) },
	  M(Closing, Closing, Connected, true) },
	{ "failed before InitWait (no TAP): through InitWait to Closing",
	  M(Initialising, Initialising, Unknown, false),
	  { .ev = XB_EV_FAILED, ONLINE },
	  { WRITE(InitWait), WRITE(Closing) },
	  M(Closing, Closing, Unknown, true) },
	{ "failed while Closed: nothing to walk",
	  M(Closed, Closed, Closed, false),
	  { .ev = XB_EV_FAILED, ONLINE },
	  { { 0 } },
	  M(Closed, Closed, Closed, true) },

	/* ---- the toolstack writes our node ------------------------------- */
	{ "toolstack Closing under a connected frontend: Closing",
	  M(Connected, Connected, Connected, false),
	  { .ev = XB_EV_STATE_NODE, .node = S(Closing), UP },
	  { DO(NOTE_TOOLSTACK_CLOSE), DO(DISCONNECT) },
	  M(Closing, Closing, Connected, false) },
	{ "toolstack Closing, frontend not up: on to Closed",
	  M(InitWait, InitWait, Initialising, false),
	  { .ev = XB_EV_STATE_NODE, .node = S(Closing) },
	  { DO(NOTE_TOOLSTACK_CLOSE), DO(DISCONNECT),
	    WRITE(Closed) },
	  M(Closed, Closed, Initialising, false) },
	{ "toolstack Closing when Closed: Closed said again",
	  M(Closed, Closed, Closed, false),
	  { .ev = XB_EV_STATE_NODE, .node = S(Closing) },
	  { DO(NOTE_TOOLSTACK_CLOSE), WRITE(Closed) },
	  M(Closed, Closed, Closed, false) },
	{ "our own write seen again: nothing",
	  M(Connected, Connected, Connected, false),
	  { .ev = XB_EV_STATE_NODE, .node = S(Connected), ONLINE, UP },
	  { { 0 } },
	  M(Connected, Connected, Connected, false) },
	{ "the toolstack writes Closed: not a request",
	  M(Connected, Connected, Connected, false),
	  { .ev = XB_EV_STATE_NODE, .node = S(Closed), ONLINE, UP },
	  { { 0 } },
	  M(Connected, Connected, Connected, false) },
	{ "our node unreadable: nothing",
	  M(Connected, Connected, Connected, false),
	  { .ev = XB_EV_STATE_NODE, .node = -1, ONLINE, UP },
	  { { 0 } },
	  M(Connected, Connected, Connected, false) },

	/* ---- the guest's domain dies, and the device goes ---------------- */
	{ "domain gone, online: Closed",
	  M(Connected, Connected, Connected, false),
	  { .ev = XB_EV_DOMAIN_GONE, ONLINE, UP },
	  { DO(DISCONNECT), WRITE(Closing), DO(DISCONNECT), WRITE(Closed) },
	  M(Closed, Closed, Unknown, false) },
	{ "domain gone, offline: Closed and the device goes",
	  M(Connected, Connected, Connected, false),
	  { .ev = XB_EV_DOMAIN_GONE, UP },
	  { DO(DISCONNECT), WRITE(Closing), DO(DISCONNECT), WRITE(Closed),
	    DO(DESTROY) },
	  M(Closed, Closed, Unknown, false) },
	{ "settle: closed, offline, frontend closed: the device goes",
	  M(Closed, Closed, Closed, false),
	  { .ev = XB_EV_SETTLE },
	  { DO(DESTROY) },
	  M(Closed, Closed, Closed, false) },
	{ "settle: closed, offline, frontend gone: the device goes",
	  M(Closed, Closed, Unknown, false),
	  { .ev = XB_EV_SETTLE },
	  { DO(DESTROY) },
	  M(Closed, Closed, Unknown, false) },
	{ "settle: closed but online: the device stays",
	  M(Closed, Closed, Closed, false),
	  { .ev = XB_EV_SETTLE, ONLINE },
	  { { 0 } },
	  M(Closed, Closed, Closed, false) },
	{ "settle: offline, frontend still connected: not yet",
	  M(Closed, Closed, Connected, false),
	  { .ev = XB_EV_SETTLE },
	  { { 0 } },
	  M(Closed, Closed, Connected, false) },
	{ "settle: offline, frontend closed, we are Closing: not yet",
	  M(Closing, Closing, Closed, false),
	  { .ev = XB_EV_SETTLE },
	  { { 0 } },
	  M(Closing, Closing, Closed, false) },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

static void
print_actions(const char *what, const struct xenbus_fsm_action *a,
    unsigned int n)
{
	unsigned int i;

	printf("#   %s:", what);
	for (i = 0; i < n; i++)
		printf(" %s(%d)", xenbus_fsm_op_str(a[i].op), (int)a[i].state);
	printf("\n");
}

static bool
fsm_equal(const struct xenbus_fsm *a, const struct xenbus_fsm *b)
{
	return a->state == b->state && a->written == b->written &&
	    a->fe == b->fe && a->failed == b->failed;
}

static void
test_rows(void)
{
	unsigned int r, n, i, bad = 0;

	for (r = 0; r < NROWS; r++) {
		const struct row *row = &rows[r];
		struct xenbus_fsm_out out;
		bool ok;

		memset(&out, 0xa5, sizeof(out));
		xenbus_fsm(&row->m, &row->in, &out);
		for (n = 0; n < XENBUS_FSM_MAX_ACTIONS &&
		    row->want[n].op != XB_ACT_NONE; n++)
			;
		ok = out.n == n && fsm_equal(&out.next, &row->next);
		for (i = 0; ok && i < n; i++)
			ok = out.a[i].op == row->want[i].op &&
			    out.a[i].state == row->want[i].state;
		if (!ok) {
			bad++;
			printf("# row %u: %s\n", r, row->name);
			print_actions("want", row->want, n);
			print_actions("got ", out.a, out.n);
			printf("#   next: want %d/%d/%d/%d, got %d/%d/%d/%d\n",
			    row->next.state, row->next.written, row->next.fe,
			    row->next.failed, out.next.state, out.next.written,
			    out.next.fe, out.next.failed);
		}
		CU_ASSERT(ok);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* Every frontend state netif defines appears in some FRONTEND row, and
 * every event in some row. */
static void
test_coverage(void)
{
	bool fe_seen[XenbusStateReconfigured + 1] = { false };
	bool ev_seen[XB_EV_SETTLE + 1] = { false };
	unsigned int r, s;

	for (r = 0; r < NROWS; r++) {
		ev_seen[rows[r].in.ev] = true;
		if (rows[r].in.ev == XB_EV_FRONTEND && rows[r].in.fe >= 0 &&
		    rows[r].in.fe <= XenbusStateReconfigured)
			fe_seen[rows[r].in.fe] = true;
	}
	for (s = 0; s <= XenbusStateReconfigured; s++) {
		if (!fe_seen[s])
			printf("# no row for frontend state %s\n",
			    xenbus_state_str((int)s, "?"));
		CU_ASSERT(fe_seen[s]);
	}
	for (s = 0; s <= XB_EV_SETTLE; s++)
		CU_ASSERT(ev_seen[s]);
}

/* The invariants, over every machine and every event. */
static unsigned int sweep_violations;

static void
violation(const struct xenbus_fsm *m, const struct xenbus_fsm_in *in,
    const char *what)
{
	if (sweep_violations++ < 5)
		printf("# %s: machine %d/%d/%d/%d, event %d fe %d node %d "
		    "hotplug %d online %d up %d host_failed %d\n", what,
		    m->state, m->written, m->fe, m->failed, in->ev, in->fe,
		    in->node, in->hotplug, in->online, in->connected,
		    in->host_failed);
}

static void
check_one(const struct xenbus_fsm *m, const struct xenbus_fsm_in *in)
{
	struct xenbus_fsm_out out, again;
	unsigned int i, last_write = XENBUS_FSM_MAX_ACTIONS;
	bool disconnect = false;

	xenbus_fsm(m, in, &out);
	xenbus_fsm(m, in, &again);
	if (again.n != out.n || memcmp(again.a, out.a, out.n *
	    sizeof(out.a[0])) != 0 || !fsm_equal(&again.next, &out.next))
		violation(m, in, "not a function of its inputs");
	for (i = 0; i < out.n; i++) {
		const struct xenbus_fsm_action *a = &out.a[i];
		bool last = i + 1 == out.n;

		switch (a->op) {
		case XB_ACT_CONNECT:
			if (!last || out.next.failed ||
			    out.next.state != XenbusStateInitWait)
				violation(m, in, "CONNECT not last, or failed");
			break;
		case XB_ACT_RECONFIGURE:
			if (!last || !in->connected || out.next.failed ||
			    out.next.state != XenbusStateConnected)
				violation(m, in, "RECONFIGURE not last, or on "
				    "a vif that is not up");
			break;
		case XB_ACT_ADVERTISE:
			if (!last || in->ev != XB_EV_START)
				violation(m, in, "ADVERTISE out of START");
			break;
		case XB_ACT_DESTROY:
			if (!last || in->online ||
			    out.next.state != XenbusStateClosed)
				violation(m, in, "DESTROY of an online or "
				    "unclosed device");
			break;
		case XB_ACT_WRITE:
			if ((unsigned int)a->state > XenbusStateReconfigured)
				violation(m, in, "WRITE of no state");
			if ((a->state == XenbusStateConnected ||
			    a->state == XenbusStateReconfigured) &&
			    in->hotplug == XB_HOTPLUG_WAITING)
				violation(m, in, "Connected or Reconfigured "
				    "written while hotplug-status waits");
			/* Reconfigured is only ever shown to a frontend
			 * that waits for it, on a machine that is up. */
			if (a->state == XenbusStateReconfigured &&
			    (out.next.fe != XenbusStateReconfiguring ||
			    out.next.state != XenbusStateConnected))
				violation(m, in, "Reconfigured written to no "
				    "Reconfiguring frontend");
			last_write = i;
			break;
		case XB_ACT_DISCONNECT:
			disconnect = true;
			break;
		case XB_ACT_NONE:
			violation(m, in, "NONE in the list");
			break;
		default:
			break;
		}
	}
	if (last_write < out.n &&
	    out.next.written != out.a[last_write].state)
		violation(m, in, "written is not the last WRITE");
	if (m->state == XenbusStateConnected &&
	    out.next.state != XenbusStateConnected &&
	    out.next.state != XenbusStateInitWait && !disconnect)
		violation(m, in, "left Connected without DISCONNECT");
	if (!m->failed && out.next.failed && in->ev != XB_EV_FAILED &&
	    (in->ev != XB_EV_FRONTEND || (in->fe >= XenbusStateUnknown &&
	    in->fe <= XenbusStateReconfiguring)))
		violation(m, in, "failed without a failure");
}

static void
test_sweep(void)
{
	/* 0..8 are XenbusStates, 9 stands for a value that is none. */
	static const int vals[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 42 };
	struct xenbus_fsm m;
	struct xenbus_fsm_in in;
	unsigned int s, w, f, fl, ev, arg, hp, bits;
	unsigned long runs = 0;

	sweep_violations = 0;
	for (s = 0; s < 9; s++)	/* the machine holds only states */
	for (w = 0; w < 2; w++)
	for (f = 0; f < 10; f++)
	for (fl = 0; fl < 2; fl++)
	for (ev = 0; ev <= XB_EV_SETTLE; ev++)
	for (arg = 0; arg < 11; arg++)
	for (hp = 0; hp < 3; hp++)
	for (bits = 0; bits < 8; bits++) {
		m.state = (enum xenbus_state)vals[s];
		m.written = w ? XenbusStateInitWait : m.state;
		m.fe = (enum xenbus_state)vals[f];
		m.failed = fl;
		memset(&in, 0, sizeof(in));
		in.ev = ev;
		in.fe = arg < 10 ? vals[arg] : 255;
		in.node = arg < 10 ? vals[arg] : -1;
		in.hotplug = hp;
		in.online = bits & 1;
		in.connected = (bits & 2) != 0;
		in.host_failed = (bits & 4) != 0;
		check_one(&m, &in);
		runs++;
	}
	printf("# %lu events judged\n", runs);
	CU_ASSERT_EQUAL(sweep_violations, 0);
}

static void
test_init(void)
{
	struct xenbus_fsm m;

	xenbus_fsm_init(&m, -1);
	CU_ASSERT_EQUAL(m.state, XenbusStateInitialising);
	CU_ASSERT_EQUAL(m.written, XenbusStateInitialising);
	CU_ASSERT_EQUAL(m.fe, XenbusStateUnknown);
	CU_ASSERT(!m.failed);
	xenbus_fsm_init(&m, XenbusStateConnected);
	CU_ASSERT_EQUAL(m.state, XenbusStateConnected);
	CU_ASSERT_EQUAL(m.written, XenbusStateConnected);
	/* Left at Reconfigured: a Connected machine showing it. */
	xenbus_fsm_init(&m, XenbusStateReconfigured);
	CU_ASSERT_EQUAL(m.state, XenbusStateConnected);
	CU_ASSERT_EQUAL(m.written, XenbusStateReconfigured);
	xenbus_fsm_init(&m, 9);		/* no state: as Initialising */
	CU_ASSERT_EQUAL(m.state, XenbusStateInitialising);
}

static void
test_state_names(void)
{
	CU_ASSERT_STRING_EQUAL(xenbus_state_str(XenbusStateUnknown, "?"),
	    "Unknown");
	CU_ASSERT_STRING_EQUAL(xenbus_state_str(XenbusStateInitWait, "?"),
	    "InitWait");
	CU_ASSERT_STRING_EQUAL(xenbus_state_str(XenbusStateConnected, "?"),
	    "Connected");
	CU_ASSERT_STRING_EQUAL(xenbus_state_str(XenbusStateReconfigured,
	    "?"), "Reconfigured");
	CU_ASSERT_STRING_EQUAL(xenbus_state_str(9, "invalid"), "invalid");
	CU_ASSERT_STRING_EQUAL(xenbus_state_str(-1, "absent"), "absent");
	CU_ASSERT_STRING_EQUAL(xenbus_fsm_op_str(XB_ACT_CONNECT), "CONNECT");
	CU_ASSERT_STRING_EQUAL(xenbus_fsm_op_str(XB_ACT_RECONFIGURE),
	    "RECONFIGURE");
	CU_ASSERT_STRING_EQUAL(xenbus_fsm_op_str((enum xenbus_fsm_op)99), "?");
}

static CU_TestInfo fsm_tests[] = {
	{ "the table: one event a row", test_rows },
	{ "every netif state and every event has a row", test_coverage },
	{ "invariants over every machine and event", test_sweep },
	{ "a device found as its node says", test_init },
	{ "state and action names", test_state_names },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "xenbus fsm", NULL, NULL, NULL, NULL, fsm_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
