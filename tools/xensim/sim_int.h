/*
 * sim_int.h - the on-disk (and in-memory, MAP_SHARED) layout of a
 * simulated machine, shared by libxensim and the xenstored stand-in.
 *
 * DIR/
 *   xensim            marker ("xensim machine 1"), written last at create
 *   machine           struct sim_machine (fault knobs, xenstored pid)
 *   lock              flock(2)ed around control operations
 *   xs                xenstored's socket (XENSTORED_PATH of clients)
 *   virq              the stand-in's VIRQ_DOM_EXC socket (domain destroy)
 *   xenstored.pid/log xenstored's pid file and its stdout/stderr
 *   dom/<domid>/ctl   struct sim_dom_hdr, grant table, active grant
 *                     entries, event channel ports
 *   dom/<domid>/mem   the domain's memory, npages * 4096 bytes (sparse)
 *   ev/<pid>.<hid>    one unix datagram socket per event channel handle
 *
 * Everything here is plain data: no function, no libc beyond the types,
 * so the stand-in library (built without sanitizers) can include it.
 */
#ifndef VIFD_SIM_INT_H
#define VIFD_SIM_INT_H

#include <stdatomic.h>
#include <stdint.h>

#define SIM_MARKER		"xensim"
#define SIM_MARKER_TEXT		"xensim machine 1\n"
#define SIM_MACHINE_FILE	"machine"
#define SIM_LOCK_FILE		"lock"
#define SIM_XS_SOCKET		"xs"
#define SIM_VIRQ_SOCKET		"virq"
#define SIM_XSD_PID		"xenstored.pid"
#define SIM_XSD_LOG		"xenstored.log"
#define SIM_DOM_DIR		"dom"
#define SIM_EV_DIR		"ev"
#define SIM_DOM_CTL		"ctl"
#define SIM_DOM_MEM		"mem"

/* Environment of xenstored: the machine directory for the stand-in. */
#define SIM_ENV_DIR		"XENSIM_DIR"

/*
 * The longest socket name below DIR: "/ev/" + a 10-digit pid + "." + a
 * 10-digit handle number. DIR itself must leave room for it in sun_path.
 */
#define SIM_SOCKNAME_MAX	25u

#define SIM_MACHINE_MAGIC	0x4d4d5358u	/* "XSMM" */
#define SIM_DOM_MAGIC		0x4d445358u	/* "XSDM" */
#define SIM_LAYOUT_VERSION	1u

struct sim_machine {
	uint32_t magic;
	uint32_t version;
	_Atomic int32_t xenstored_pid;
	_Atomic uint32_t next_gen;		/* domain generations */
	/* Fault injection: the nth segment/map after arming fails. */
	_Atomic uint64_t fault_copy_nth;	/* 0: off */
	_Atomic uint64_t fault_copy_seen;
	_Atomic int32_t fault_copy_status;
	_Atomic int32_t pad0;
	_Atomic uint64_t fault_map_nth;
	_Atomic uint64_t fault_map_seen;
	_Atomic int32_t fault_map_status;
	_Atomic int32_t pad1;
};

/*
 * One event channel port. `kind` and the binding fields change only under
 * the machine lock; `state` is the lock-free delivery word (see
 * sim_evtchn.c for the mask/pending protocol).
 */
enum sim_port_kind {
	SIM_PORT_FREE = 0,
	SIM_PORT_UNBOUND = 1,		/* remote_domid may bind to it */
	SIM_PORT_INTERDOMAIN = 2,	/* bound to remote_domid:remote_port */
};

#define SIM_EV_PENDING	1u	/* an event arrived while masked */
#define SIM_EV_MASKED	2u	/* delivered, not yet unmasked */
#define SIM_EV_OWED	4u	/* delivery lost to a full socket queue */

struct sim_port {
	_Atomic uint32_t state;
	_Atomic uint32_t kind;
	_Atomic uint32_t remote_domid;
	_Atomic uint32_t remote_port;
	_Atomic int32_t owner_pid;	/* process of the owning handle */
	_Atomic uint32_t owner_hid;	/* handle number in that process */
	_Atomic uint32_t gen;		/* bumped at every bind and close */
	uint32_t pad;
};

/*
 * Active grant entry (Xen's struct active_grant_entry, reduced): pin
 * counts of read-only and writable mappings and the mapping domain,
 * packed in one word. Changed only under the machine lock.
 */
#define SIM_ACT_RPINS(a)	((uint32_t)((a) & 0xffffu))
#define SIM_ACT_WPINS(a)	((uint32_t)(((a) >> 16) & 0xffffu))
#define SIM_ACT_DOMID(a)	((uint32_t)(((a) >> 32) & 0xffffu))
#define SIM_ACT_MAKE(r, w, d)	((uint64_t)(r) | ((uint64_t)(w) << 16) | \
				 ((uint64_t)(d) << 32))

struct sim_dom_hdr {
	uint32_t magic;
	uint32_t version;
	uint32_t domid;
	uint32_t npages;
	uint32_t gen;
	_Atomic uint32_t dying;
	uint32_t nr_grants;
	uint32_t nr_ports;
	uint64_t grant_off;		/* grant_entry_v1_t[nr_grants] */
	uint64_t active_off;		/* uint64_t[nr_grants] */
	uint64_t port_off;		/* struct sim_port[nr_ports] */
	uint64_t size;			/* of the ctl file */
};

#endif
