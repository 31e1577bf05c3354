/*
 * statsdoc_prom.c - a statsdoc in Prometheus' text exposition format, for
 * `vifctl stats --prometheus` (node_exporter's textfile collector).
 *
 * Owns the metric names, their HELP and TYPE lines and their labels.
 * Names follow Prometheus' conventions: a vifd_ prefix, counters end in
 * _total, base units (the nanosecond counters are exported in seconds).
 * Each vif's counters appear twice on purpose: vifd_<c>_total is the
 * vif's over all its connections (it only resets when vifd restarts, so
 * rate() works across guest reboots), vifd_queue_<c>_total the
 * connection's own, per queue (it resets when the guest reconnects).
 * Labels are domid and devid (and queue): a vif's TAP name may change
 * (vifname, a script's rename), so it is a label of vifd_vif_info only.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "statsdoc.h"

/* What each counter counts, for HELP lines. Netif TX is the guest's
 * transmit side (frames from the guest), RX its receive side. */
static const struct {
	const char *name, *help;
} statsdoc_prom_help[] = {
	{ "tx_packets", "Frames from the guest passed to the TAP." },
	{ "tx_bytes", "Bytes of frames from the guest passed to the TAP." },
	{ "tx_gso_frames", "Frames from the guest carrying a GSO extra." },
	{ "tx_mcast_add", "Multicast addresses the guest added to its "
	  "filter." },
	{ "tx_mcast_del", "Multicast addresses the guest removed from its "
	  "filter." },
	{ "tx_mcast_err", "Multicast filter additions refused (list full, "
	  "not a multicast address)." },
	{ "tx_drop_runt", "Frames from the guest dropped as too short." },
	{ "tx_drop_slots", "Frames from the guest dropped for using too many "
	  "slots." },
	{ "tx_drop_oversize", "Frames from the guest dropped as too large." },
	{ "tx_drop_masked", "Frames from the guest using a feature its "
	  "feature mask switched off." },
	{ "tx_drop_copy", "Frames from the guest dropped because a grant copy "
	  "failed." },
	{ "tx_drop_hdr", "Frames from the guest dropped for bad offload "
	  "metadata." },
	{ "tx_drop_tap", "Frames from the guest the TAP refused." },
	{ "tx_drop_link", "Frames from the guest dropped while its link was "
	  "set down." },
	{ "tx_switched", "Frames from the guest its vifd switch took (to "
	  "one port or flooded)." },
	{ "tx_drop_switch", "Frames from the guest its vifd switch refused "
	  "(a bad or another port's source address, isolation)." },
	{ "tx_direct", "Frames from the guest its vifd switch placed in "
	  "another guest's RX ring in one grant copy." },
	{ "tx_placed", "Frames from the guest its worker delivered itself, "
	  "with no hand-over to another thread: placed in another guest's RX "
	  "ring on its vifd switch, written to the switch's uplink TAP, or "
	  "put on its AF_XDP uplink's TX ring." },
	{ "tx_csum_fixup", "Frames from the guest whose checksum metadata "
	  "vifd fixed." },
	{ "tx_sweeps", "Passes over the TX ring." },
	{ "tx_copy_calls", "Grant copy calls (hypercalls through gntdev) for "
	  "frames from the guest." },
	{ "tx_copy_segs", "Grant copy segments for frames from the guest." },
	{ "tx_copy_bytes", "Bytes grant-copied from the guest (segments that "
	  "succeeded)." },
	{ "tx_rate_delayed", "Frames from the guest that waited for rate "
	  "credit." },
	{ "tx_rate_delayed_bytes", "Bytes of frames from the guest that "
	  "waited for rate credit." },
	{ "tx_throttled_ns", "Time frames from the guest waited for rate "
	  "credit." },
	{ "rx_packets", "Frames to the guest placed on its RX ring." },
	{ "rx_bytes", "Bytes of frames to the guest placed on its RX ring." },
	{ "rx_gso_frames", "Frames to the guest carrying a GSO extra." },
	{ "rx_xdp_frames", "Frames to the guest carrying an XDP extra (data "
	  "at the frontend's xdp-headroom)." },
	{ "rx_drop_hdr", "Frames to the guest dropped for bad offload "
	  "metadata." },
	{ "rx_drop_copy", "Frames to the guest dropped because a grant copy "
	  "failed." },
	{ "rx_drop_size", "Frames to the guest dropped for their size." },
	{ "rx_drop_drain", "Frames to the guest dropped after waiting 10 s for "
	  "RX buffers." },
	{ "rx_drop_mcast", "Multicast frames to the guest dropped by its "
	  "multicast filter." },
	{ "rx_drop_link", "Frames to the guest dropped while its link was "
	  "set down." },
	{ "rx_drop_steer", "Frames to the guest dropped because the queue "
	  "the guest's hash mapping names had no room for them." },
	{ "rx_steered_out", "Frames to the guest this queue read and handed "
	  "to the queue the guest's hash mapping names." },
	{ "rx_steered_in", "Frames to the guest another queue handed to this "
	  "one by the guest's hash mapping." },
	{ "rx_switched_in", "Frames to the guest from another port of its "
	  "vifd switch." },
	{ "rx_direct", "Frames to the guest another port of its vifd "
	  "switch placed in its RX ring in one grant copy." },
	{ "rx_placed", "Frames to the guest another thread of its vifd switch "
	  "(a port's worker, an uplink's) placed in its RX ring itself, with "
	  "no hand-over to this queue's worker: those in one grant copy, "
	  "short frames from the sender's copy, and frames alone in an "
	  "uplink's read." },
	{ "rx_place_calls", "Grant copies that placed those frames "
	  "(rx_placed): a sender's run of frames to this guest shares one." },
	{ "rx_hash_extra", "Frames to the guest that carried a hash extra." },
	{ "rx_csum_fixup", "Frames to the guest whose checksum vifd filled "
	  "in." },
	{ "rx_stalls", "Times the guest stopped posting RX buffers for 60 s." },
	{ "rx_copy_calls", "Grant copy calls (hypercalls through gntdev) for "
	  "frames to the guest." },
	{ "rx_copy_segs", "Grant copy segments for frames to the guest." },
	{ "rx_copy_bytes", "Bytes grant-copied to the guest (segments that "
	  "succeeded)." },
	{ "rx_batches", "Batches of frames to the guest." },
	{ "rx_rate_delayed", "Frames to the guest that waited for rate "
	  "credit." },
	{ "rx_rate_delayed_bytes", "Bytes of frames to the guest that waited "
	  "for rate credit." },
	{ "rx_throttled_ns", "Time frames to the guest waited for rate "
	  "credit." },
	{ "evtchn_events", "Event channel notifications from the guest." },
	{ "evtchn_spurious", "Event channel notifications with no work." },
	{ "notifies", "Event channel notifications to the guest." },
};

const char *
statsdoc_prom_help_of(const char *counter)
{
	size_t i;

	for (i = 0; i < sizeof(statsdoc_prom_help) /
	    sizeof(statsdoc_prom_help[0]); i++)
		if (strcmp(statsdoc_prom_help[i].name, counter) == 0)
			return statsdoc_prom_help[i].help;
	return NULL;
}

/* The metric's base name for a counter: "_ns" becomes "_seconds". */
static void
statsdoc_prom_name(const char *counter, char *buf, size_t len, bool *ns)
{
	size_t n = strlen(counter);

	*ns = n > 3 && strcmp(counter + n - 3, "_ns") == 0;
	if (*ns)
		snprintf(buf, len, "%.*s_seconds", (int)(n - 3), counter);
	else
		snprintf(buf, len, "%s", counter);
}

static void
statsdoc_prom_value(FILE *f, uint64_t v, bool ns)
{
	if (ns)
		fprintf(f, "%llu.%09llu\n", (unsigned long long)(v / 1000000000u),
		    (unsigned long long)(v % 1000000000u));
	else
		fprintf(f, "%llu\n", (unsigned long long)v);
}

/* A label value: backslash, double quote and newline escaped. */
static void
statsdoc_prom_label(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void
statsdoc_prom_head(FILE *f, const char *name, const char *type,
    const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static unsigned int
statsdoc_prom_up(const struct statsdoc_vif *v)
{
	return strcmp(v->state, "Connected") == 0;
}

static unsigned int
statsdoc_prom_failed(const struct statsdoc_vif *v)
{
	return v->failed;
}

static unsigned int
statsdoc_prom_link_up(const struct statsdoc_vif *v)
{
	return !v->link_down;
}

static unsigned int
statsdoc_prom_isolated(const struct statsdoc_vif *v)
{
	return v->isolated;
}

static unsigned int
statsdoc_prom_queues(const struct statsdoc_vif *v)
{
	return v->nqueues;
}

/* The gauges of one number a vif. */
static const struct {
	const char *name, *help;
	unsigned int (*value)(const struct statsdoc_vif *v);
} statsdoc_prom_gauge[] = {
	{ "vifd_vif_up", "1 while the vif's backend is Connected.",
	  statsdoc_prom_up },
	{ "vifd_vif_failed", "1 if vifd closed the vif for an error (see its "
	  "xenstore error node).", statsdoc_prom_failed },
	{ "vifd_vif_link_up", "0 while the admin has the vif's link down "
	  "(vifd-link).", statsdoc_prom_link_up },
	{ "vifd_vif_isolated", "1 if the vif's bridge port is to be isolated "
	  "(vifd-isolated).", statsdoc_prom_isolated },
	{ "vifd_vif_queues", "Netif queues of the vif's connection (0 while "
	  "not connected).", statsdoc_prom_queues },
};

/* The gauges describing each vif. */
static void
statsdoc_prom_gauges(FILE *f, const struct statsdoc *doc)
{
	const struct statsdoc_vif *v;
	const char *p;
	size_t i, n, g;

	statsdoc_prom_head(f, "vifd_vif_info", "gauge",
	    "A vif vifd serves (always 1), with its TAP and XenbusStates.");
	for (i = 0; i < doc->n; i++) {
		v = &doc->vifs[i];
		fprintf(f, "vifd_vif_info{domid=\"%u\",devid=\"%u\",ifname=\"",
		    v->domid, v->devid);
		statsdoc_prom_label(f, v->ifname);
		fputs("\",state=\"", f);
		statsdoc_prom_label(f, v->state);
		fputs("\",frontend_state=\"", f);
		statsdoc_prom_label(f, v->frontend_state);
		fputs("\"} 1\n", f);
	}
	for (g = 0; g < sizeof(statsdoc_prom_gauge) /
	    sizeof(statsdoc_prom_gauge[0]); g++) {
		statsdoc_prom_head(f, statsdoc_prom_gauge[g].name, "gauge",
		    statsdoc_prom_gauge[g].help);
		for (i = 0; i < doc->n; i++)
			fprintf(f, "%s{domid=\"%u\",devid=\"%u\"} %u\n",
			    statsdoc_prom_gauge[g].name, doc->vifs[i].domid,
			    doc->vifs[i].devid,
			    statsdoc_prom_gauge[g].value(&doc->vifs[i]));
	}
	statsdoc_prom_head(f, "vifd_vif_feature", "gauge",
	    "A feature the vif's connection negotiated (always 1).");
	for (i = 0; i < doc->n; i++) {
		v = &doc->vifs[i];
		for (p = v->features; *p != '\0'; p += n + (p[n] == ',')) {
			n = strcspn(p, ",");
			fprintf(f, "vifd_vif_feature{domid=\"%u\",devid=\"%u\","
			    "feature=\"%.*s\"} 1\n", v->domid, v->devid,
			    (int)n, p);
		}
	}
	statsdoc_prom_head(f, "vifd_vif_rate_limit_bytes_per_second", "gauge",
	    "The vif's rate limit per queue, by direction (absent: none).");
	for (i = 0; i < doc->n; i++) {
		const struct ratelimit_rate *r[2] = { &doc->vifs[i].rate_out,
		    &doc->vifs[i].rate_in };
		static const char *const dir[2] = { "outbound", "inbound" };
		int d;

		for (d = 0; d < 2; d++)
			if (r[d]->usec != 0 && r[d]->bytes != 0)
				fprintf(f, "vifd_vif_rate_limit_bytes_per_second"
				    "{domid=\"%u\",devid=\"%u\",direction=\"%s\"}"
				    " %.0f\n", doc->vifs[i].domid,
				    doc->vifs[i].devid, dir[d],
				    (double)r[d]->bytes * 1e6 /
				    (double)r[d]->usec);
	}
}

/* What each switch port counter counts (VSW_PORT_STATS order). */
static const char *const statsdoc_prom_switch_help[] = {
	"Frames the switch took from the port's guest.",
	"Bytes of frames the switch took from the port's guest.",
	"Frames the switch handed to the port's guest.",
	"Bytes of frames the switch handed to the port's guest.",
	"Frames from the port's guest sent to the one port their "
	"destination was learned on.",
	"Frames from the port's guest flooded (broadcast, multicast, "
	"unknown).",
	"Frames for the port's guest placed in its RX ring in one grant "
	"copy, from the sending guest's TX buffers.",
	"Frames from the port's guest refused for their source address "
	"(another port's pinned one, a group or all-zero one).",
	"Frames from the port's guest refused: isolated port to isolated "
	"port.",
	"Frames from the port's guest to an address on the same port.",
	"Frames from the port's guest shorter than an Ethernet header.",
	"Tagged frames from the port's guest refused: its port is in a "
	"VLAN (access ports take untagged frames).",
	"GSO frames cut into segments in software for the port's guest, "
	"which did not negotiate that GSO.",
	"GSO frames for the port's guest dropped: not segmentable (not TCP, "
	"ECN, headers too long, too many segments).",
	"Frames for the port's guest dropped: its inbox was full.",
};
_Static_assert(sizeof(statsdoc_prom_switch_help) /
    sizeof(statsdoc_prom_switch_help[0]) == STATSDOC_NSWCOUNTERS,
    "one help line per switch port counter");

/* The head of counter family <prefix><counter>_total, its name into
 * name[len]. */
static void
statsdoc_prom_family(FILE *f, char *name, size_t len, const char *prefix,
    const char *counter, const char *help)
{
	snprintf(name, len, "%s%s_total", prefix, counter);
	statsdoc_prom_head(f, name, "counter", help);
}

/* vifd_switch_port_<counter>_total{domid,devid,switch,kind}: the
 * counters of the vifs that are ports of a switch or peer link. */
static void
statsdoc_prom_switch(FILE *f, const struct statsdoc *doc)
{
	const struct statsdoc_vif *v;
	char name[96];
	size_t i;
	int c;

	for (c = 0; c < STATSDOC_NSWCOUNTERS; c++) {
		statsdoc_prom_family(f, name, sizeof(name), "vifd_switch_port_",
		    statsdoc_switch_counter_names[c],
		    statsdoc_prom_switch_help[c]);
		for (i = 0; i < doc->n; i++) {
			v = &doc->vifs[i];
			if (v->sw[0] == '\0')
				continue;
			fprintf(f, "%s{domid=\"%u\",devid=\"%u\",switch=\"",
			    name, v->domid, v->devid);
			statsdoc_prom_label(f, v->sw);
			fprintf(f, "\",kind=\"%s\"} %llu\n", v->sw_peer ?
			    "peer_link" : "switch",
			    (unsigned long long)v->sw_counters[c]);
		}
	}
}

/* What each AF_XDP uplink counter counts (VSW_XSK_STATS order). */
static const char *const statsdoc_prom_xsk_help[] = {
	"Frames the switch's AF_XDP uplink took off its RX ring (from the "
	"NIC's queue).",
	"Frames the switch's AF_XDP uplink put on its TX ring (segments "
	"counted).",
	"Frames for the AF_XDP uplink lost: no free frame in its UMEM.",
	"Frames for the AF_XDP uplink lost: longer than a UMEM frame, or a "
	"GSO frame that cannot be cut.",
	"Frames for the AF_XDP uplink lost: its NIC went away.",
};
_Static_assert(sizeof(statsdoc_prom_xsk_help) /
    sizeof(statsdoc_prom_xsk_help[0]) == STATSDOC_NXSKCOUNTERS,
    "one help line per AF_XDP uplink counter");

/* vifd_switch_xsk_<counter>_total{switch,uplink}: the AF_XDP uplinks'
 * counters, once a switch (every port of a switch says them). */
static void
statsdoc_prom_xsk(FILE *f, const struct statsdoc *doc)
{
	const struct statsdoc_vif *v;
	char name[96];
	size_t i, j;
	int c;

	for (c = 0; c < STATSDOC_NXSKCOUNTERS; c++) {
		statsdoc_prom_family(f, name, sizeof(name), "vifd_switch_xsk_",
		    statsdoc_xsk_counter_names[c], statsdoc_prom_xsk_help[c]);
		for (i = 0; i < doc->n; i++) {
			v = &doc->vifs[i];
			if (v->sw_xsk[0] == '\0')
				continue;
			for (j = 0; j < i; j++)
				if (doc->vifs[j].sw_xsk[0] != '\0' &&
				    strcmp(doc->vifs[j].sw, v->sw) == 0)
					break;
			if (j < i)
				continue;	/* said with an earlier port */
			fputs(name, f);
			fputs("{switch=\"", f);
			statsdoc_prom_label(f, v->sw);
			fputs("\",uplink=\"", f);
			statsdoc_prom_label(f, v->sw_xsk);
			fprintf(f, "\"} %llu\n",
			    (unsigned long long)v->sw_xsk_counters[c]);
		}
	}
}

int
statsdoc_prom(FILE *f, const struct statsdoc *doc)
{
	const struct statsdoc_vif *v;
	const char *help;
	char base[64], name[96], qhelp[192];
	unsigned int q;
	size_t i;
	bool ns;
	int c;

	statsdoc_prom_gauges(f, doc);
	statsdoc_prom_switch(f, doc);
	statsdoc_prom_xsk(f, doc);
	for (c = 0; c < STATSDOC_NCOUNTERS; c++) {
		statsdoc_prom_name(statsdoc_counter_names[c], base,
		    sizeof(base), &ns);
		help = statsdoc_prom_help_of(statsdoc_counter_names[c]);
		if (help == NULL)
			help = "A vifd counter.";
		snprintf(name, sizeof(name), "vifd_%s_total", base);
		statsdoc_prom_head(f, name, "counter", help);
		for (i = 0; i < doc->n; i++) {
			v = &doc->vifs[i];
			fprintf(f, "%s{domid=\"%u\",devid=\"%u\"} ", name,
			    v->domid, v->devid);
			statsdoc_prom_value(f, v->total[c], ns);
		}
		snprintf(name, sizeof(name), "vifd_queue_%s_total", base);
		snprintf(qhelp, sizeof(qhelp), "%.150s Per queue, this "
		    "connection.", help);
		statsdoc_prom_head(f, name, "counter", qhelp);
		for (i = 0; i < doc->n; i++) {
			v = &doc->vifs[i];
			for (q = 0; q < v->nqueues; q++) {
				fprintf(f, "%s{domid=\"%u\",devid=\"%u\","
				    "queue=\"%u\"} ", name, v->domid, v->devid,
				    q);
				statsdoc_prom_value(f, v->queue[q][c], ns);
			}
		}
	}
	return ferror(f) ? -EIO : 0;
}
