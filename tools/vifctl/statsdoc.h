/*
 * statsdoc.h - a running vifd's `stats` answer as a structure, and what
 * vifctl makes of it: JSON, the Prometheus text format, per-second rates.
 *
 * vifd answers `stats` with "<vif> <key> <value>" lines (src/ctrl/ctl.h);
 * vifctl parses them once here and every output format is a function of
 * the parsed document, so the formats cannot disagree about a counter.
 * Everything here is pure: no socket, no clock (the rates take the
 * elapsed time as a parameter).
 */
#ifndef VIFD_STATSDOC_H
#define VIFD_STATSDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/ratelimit.h"
#include "data/queue_stats.h"
#include "data/vswitch.h"

/* The queue counters, in QUEUE_STATS order. */
enum {
#define STATSDOC_IDX(n) STATSDOC_##n,
	QUEUE_STATS(STATSDOC_IDX)
#undef STATSDOC_IDX
	STATSDOC_NCOUNTERS
};

/* The counter names, in QUEUE_STATS order. */
extern const char *const statsdoc_counter_names[STATSDOC_NCOUNTERS];

/* The counters of a port of a vifd switch or peer link, in
 * VSW_PORT_STATS order (vifd says each as "switch_<name>"). */
enum {
#define STATSDOC_SW_IDX(n) STATSDOC_SW_##n,
	VSW_PORT_STATS(STATSDOC_SW_IDX)
#undef STATSDOC_SW_IDX
	STATSDOC_NSWCOUNTERS
};
extern const char *const statsdoc_switch_counter_names[STATSDOC_NSWCOUNTERS];

/* The counters of a switch's AF_XDP uplink, in VSW_XSK_STATS order
 * (vifd says each as "switch_xsk_<name>", on each port of the switch). */
enum {
#define STATSDOC_XSK_IDX(n) STATSDOC_XSK_##n,
	VSW_XSK_STATS(STATSDOC_XSK_IDX)
#undef STATSDOC_XSK_IDX
	STATSDOC_NXSKCOUNTERS
};
extern const char *const statsdoc_xsk_counter_names[STATSDOC_NXSKCOUNTERS];

/* The most queues a document's vif may list (vifd's FRONTEND_MAX_QUEUES). */
#define STATSDOC_MAX_QUEUES 32u

struct statsdoc_vif {
	char name[32];			/* "vif1.0" */
	uint32_t domid, devid;
	char ifname[32];
	char state[24], frontend_state[24];
	bool failed;
	char features[160];		/* comma-separated, "" if none */
	bool link_down;			/* the admin's vifd-link */
	bool isolated;			/* the admin's vifd-isolated */
	char vlan[64];			/* the admin's vifd-vlan, "" if none */
	char steering[16];		/* RX steering: "none", "ebpf", "software" */
	/* The vifd switch or peer link the vif is a port of ("": none),
	 * which of the two, and the port's counters. */
	char sw[24];
	bool sw_peer;
	uint64_t sw_counters[STATSDOC_NSWCOUNTERS];
	/* That switch's AF_XDP uplink ("IFNAME@QUEUE", "": none) and its
	 * counters. */
	char sw_xsk[40];
	uint64_t sw_xsk_counters[STATSDOC_NXSKCOUNTERS];
	struct ratelimit_rate rate_out, rate_in;	/* usec 0: none */
	uint64_t shape_out[3], shape_in[3];	/* average, peak, burst;
						 * average 0: none */
	unsigned int nqueues;		/* queues of the connection now */
	uint64_t total[STATSDOC_NCOUNTERS];	/* over all connections */
	uint64_t queue[STATSDOC_MAX_QUEUES][STATSDOC_NCOUNTERS];
};

struct statsdoc {
	struct statsdoc_vif *vifs;	/* malloc'd array of n */
	size_t n;
};

/*
 * Parses vifd's `stats` answer (NUL-terminated text). A vif's lines come
 * together, starting with its own name; keys vifd may add later are
 * skipped, so an older vifctl reads a newer vifd. Returns 0, -ENOMEM, or
 * -EINVAL with `err` naming the line that is not "<vif> <key> <value>",
 * has a number that is not one, or names a queue out of range.
 * statsdoc_free() releases what a successful parse built.
 */
int statsdoc_parse(const char *text, struct statsdoc *doc, char *err,
    size_t errlen);
void statsdoc_free(struct statsdoc *doc);

/*
 * Writes the document as one JSON object (the schema is vifctl.8's):
 * {"vifs":[{"name","domid","devid","ifname","state","frontend_state",
 * "failed","features":[...],"link","isolated","vlan","steering",
 * "switch":null|{"name","kind":"switch"|"peer_link","counters":{...}},
 * "rate":{"outbound":{...},"inbound":{...}},
 * "num_queues","counters":{...},"queues":[{"queue",
 * "counters":{...}}]}]}. Returns 0, or -EIO if the stream failed.
 */
int statsdoc_json(FILE *f, const struct statsdoc *doc);

/*
 * Writes the document in the Prometheus text exposition format (0.0.4):
 * vifd_<counter>_total{domid,devid} over all of a vif's connections,
 * vifd_queue_<counter>_total{domid,devid,queue} for the connection now
 * (counters in nanoseconds become _seconds), and the gauges vifd_vif_info,
 * vifd_vif_up, vifd_vif_failed, vifd_vif_queues, vifd_vif_feature,
 * vifd_vif_link_up, vifd_vif_isolated and
 * vifd_vif_rate_limit_bytes_per_second, and for ports of a switch or
 * peer link vifd_switch_port_<counter>_total{domid,devid,switch,kind}.
 * Returns 0 or -EIO.
 */
int statsdoc_prom(FILE *f, const struct statsdoc *doc);

/* A counter's HELP text, or NULL if statsdoc_prom has none for it (then
 * it writes a generic one; a test keeps every counter described). */
const char *statsdoc_prom_help_of(const char *counter);

/* One vif's traffic per second between two documents. */
struct statsdoc_rate {
	double tx_pps, tx_bps;		/* from the guest (netif TX) */
	double rx_pps, rx_bps;		/* to the guest (netif RX) */
	double drops_ps;		/* every *_drop_* counter */
};

/*
 * The per-second rates of `cur`'s vif `i` since `prev` (the same vif by
 * domid/devid; none: since zero), over `elapsed_ns` (> 0). A counter
 * lower than before (a vifd restart) counts from zero. Bits per second
 * count the bytes netif carries (no Ethernet preamble or FCS).
 */
void statsdoc_rate(const struct statsdoc *prev, const struct statsdoc *cur,
    size_t i, uint64_t elapsed_ns, struct statsdoc_rate *out);

#endif
