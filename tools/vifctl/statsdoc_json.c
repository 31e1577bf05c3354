/*
 * statsdoc_json.c - a statsdoc as JSON, for `vifctl stats --json`.
 *
 * Owns the JSON schema documented in vifctl.8. It is kept stable: fields
 * are only ever added. Counters are JSON numbers; a uint64 above 2^53
 * loses precision in parsers that read numbers as doubles (JavaScript,
 * jq), which takes 285 years at 1 Mpps, so they are not quoted.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "statsdoc.h"

/* A JSON string: quotes, backslashes and control bytes escaped. */
static void
statsdoc_json_str(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* "name":value,... of n counters (no braces) */
static void
statsdoc_json_named(FILE *f, const char *const *names, const uint64_t *c,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%s\"%s\":%llu", i ? "," : "", names[i],
		    (unsigned long long)c[i]);
}

static void
statsdoc_json_counters(FILE *f, const uint64_t *c)
{
	fputc('{', f);
	statsdoc_json_named(f, statsdoc_counter_names, c,
	    STATSDOC_NCOUNTERS);
	fputc('}', f);
}

/* {"limited":true,"bytes":B,"usec":U,"bytes_per_second":R,
 *  "shape":{"average":A,"peak":P,"burst":B}} (shape only when in force:
 *  then it, per vif, takes the place of the per-queue rate) */
static void
statsdoc_json_rate(FILE *f, const struct ratelimit_rate *r,
    const uint64_t shape[3])
{
	bool limited = r->usec != 0 && r->bytes != 0;

	fprintf(f, "{\"limited\":%s,\"bytes\":%llu,\"usec\":%llu",
	    limited ? "true" : "false", (unsigned long long)r->bytes,
	    (unsigned long long)r->usec);
	if (limited)
		fprintf(f, ",\"bytes_per_second\":%.0f",
		    (double)r->bytes * 1e6 / (double)r->usec);
	if (shape[0] != 0)
		fprintf(f, ",\"shape\":{\"average\":%llu,\"peak\":%llu,"
		    "\"burst\":%llu}", (unsigned long long)shape[0],
		    (unsigned long long)shape[1], (unsigned long long)shape[2]);
	fputc('}', f);
}

/* "sg,gso-tcpv4" as ["sg","gso-tcpv4"]. */
static void
statsdoc_json_features(FILE *f, const char *list)
{
	char name[sizeof(((struct statsdoc_vif *)0)->features)];
	const char *p = list;
	size_t n;
	bool first = true;

	fputc('[', f);
	while (*p != '\0') {
		n = strcspn(p, ",");
		if (n > 0) {
			memcpy(name, p, n);
			name[n] = '\0';
			if (!first)
				fputc(',', f);
			statsdoc_json_str(f, name);
			first = false;
		}
		p += n + (p[n] == ',');
	}
	fputc(']', f);
}

int
statsdoc_json(FILE *f, const struct statsdoc *doc)
{
	const struct statsdoc_vif *v;
	unsigned int q;
	size_t i;

	fputs("{\"vifs\":[", f);
	for (i = 0; i < doc->n; i++) {
		v = &doc->vifs[i];
		fprintf(f, "%s{\"name\":", i ? "," : "");
		statsdoc_json_str(f, v->name);
		fprintf(f, ",\"domid\":%u,\"devid\":%u,\"ifname\":", v->domid,
		    v->devid);
		statsdoc_json_str(f, v->ifname);
		fputs(",\"state\":", f);
		statsdoc_json_str(f, v->state);
		fputs(",\"frontend_state\":", f);
		statsdoc_json_str(f, v->frontend_state);
		fprintf(f, ",\"failed\":%s,\"features\":",
		    v->failed ? "true" : "false");
		statsdoc_json_features(f, v->features);
		fprintf(f, ",\"link\":\"%s\",\"isolated\":%s,\"vlan\":",
		    v->link_down ? "down" : "up",
		    v->isolated ? "true" : "false");
		if (v->vlan[0] != '\0')
			statsdoc_json_str(f, v->vlan);
		else
			fputs("null", f);
		/* An older vifd says nothing: "none". */
		fputs(",\"steering\":", f);
		statsdoc_json_str(f, v->steering[0] != '\0' ? v->steering :
		    "none");
		fputs(",\"switch\":", f);
		if (v->sw[0] != '\0') {
			fputs("{\"name\":", f);
			statsdoc_json_str(f, v->sw);
			fprintf(f, ",\"kind\":\"%s\",\"counters\":{",
			    v->sw_peer ? "peer_link" : "switch");
			statsdoc_json_named(f, statsdoc_switch_counter_names,
			    v->sw_counters, STATSDOC_NSWCOUNTERS);
			/* the switch's AF_XDP uplink, or null */
			fputs("},\"uplink_xsk\":", f);
			if (v->sw_xsk[0] != '\0') {
				fputs("{\"name\":", f);
				statsdoc_json_str(f, v->sw_xsk);
				fputs(",\"counters\":{", f);
				statsdoc_json_named(f,
				    statsdoc_xsk_counter_names,
				    v->sw_xsk_counters, STATSDOC_NXSKCOUNTERS);
				fputs("}}", f);
			} else
				fputs("null", f);
			fputc('}', f);
		} else
			fputs("null", f);
		fputs(",\"rate\":{\"outbound\":", f);
		statsdoc_json_rate(f, &v->rate_out, v->shape_out);
		fputs(",\"inbound\":", f);
		statsdoc_json_rate(f, &v->rate_in, v->shape_in);
		fprintf(f, "},\"num_queues\":%u,\"counters\":", v->nqueues);
		statsdoc_json_counters(f, v->total);
		fputs(",\"queues\":[", f);
		for (q = 0; q < v->nqueues; q++) {
			fprintf(f, "%s{\"queue\":%u,\"counters\":",
			    q ? "," : "", q);
			statsdoc_json_counters(f, v->queue[q]);
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fputs("]}\n", f);
	return ferror(f) ? -EIO : 0;
}
