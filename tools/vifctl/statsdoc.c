/*
 * statsdoc.c - parses a running vifd's `stats` answer into a statsdoc,
 * and computes per-second rates between two of them.
 *
 * Owns the reading of the control socket's line format (src/ctrl/ctl.h):
 * "<vif> <key> <value>", "<vif> total <counter> <value>" and
 * "<vif> q<N> <counter> <value>". The text comes from our own daemon,
 * but a parse error is still an error with the line quoted, never a
 * guess: a document that silently lost a vif would graph as a drop.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strparse.h"
#include "statsdoc.h"

const char *const statsdoc_counter_names[STATSDOC_NCOUNTERS] = {
#define STATSDOC_NAME(n) #n,
	QUEUE_STATS(STATSDOC_NAME)
#undef STATSDOC_NAME
};

const char *const statsdoc_switch_counter_names[STATSDOC_NSWCOUNTERS] = {
#define STATSDOC_SW_NAME(n) #n,
	VSW_PORT_STATS(STATSDOC_SW_NAME)
#undef STATSDOC_SW_NAME
};

const char *const statsdoc_xsk_counter_names[STATSDOC_NXSKCOUNTERS] = {
#define STATSDOC_XSK_NAME(n) #n,
	VSW_XSK_STATS(STATSDOC_XSK_NAME)
#undef STATSDOC_XSK_NAME
};

__attribute__((format(printf, 4, 5)))
static int
statsdoc_bad(char *err, size_t errlen, const char *line, const char *fmt,
    ...)
{
	char why[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "vifd's answer: %s: \"%.80s\"", why, line);
	return -EINVAL;
}

/* The index of `name` among the n `names`, or -1. */
static int
statsdoc_index(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

static int
statsdoc_counter(const char *name)
{
	return statsdoc_index(statsdoc_counter_names, STATSDOC_NCOUNTERS,
	    name);
}

/* "bytes,usec" as vifd prints a rate. */
static int
statsdoc_rate_value(const char *s, struct ratelimit_rate *r)
{
	char a[24], b[24];
	uint64_t x, y;
	size_t n = strcspn(s, ",");

	if (s[n] != ',' || n >= sizeof(a) || strlen(s + n + 1) >= sizeof(b))
		return -EINVAL;
	memcpy(a, s, n);
	a[n] = '\0';
	snprintf(b, sizeof(b), "%s", s + n + 1);
	if (strparse_uint(a, UINT64_MAX, &x) != 0 ||
	    strparse_uint(b, UINT64_MAX, &y) != 0)
		return -EINVAL;
	r->bytes = x;
	r->usec = y;
	return 0;
}

/* "average,peak,burst" as vifd prints a shape. */
static int
statsdoc_shape_value(const char *s, uint64_t out[3])
{
	char f[3][24];
	int i, n = 0;

	if (sscanf(s, "%23[0-9],%23[0-9],%23[0-9]%n", f[0], f[1], f[2],
	    &n) != 3 || s[n] != '\0')
		return -EINVAL;
	for (i = 0; i < 3; i++)
		if (strparse_uint(f[i], UINT64_MAX, &out[i]) != 0)
			return -EINVAL;
	return 0;
}

/* The vif a line is about: the last one if the name is the same, else a
 * new one at the end. NULL on -ENOMEM. */
static struct statsdoc_vif *
statsdoc_vif_for(struct statsdoc *doc, size_t *cap, const char *name)
{
	struct statsdoc_vif *v;

	if (doc->n > 0 && strcmp(doc->vifs[doc->n - 1].name, name) == 0)
		return &doc->vifs[doc->n - 1];
	if (doc->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;

		v = realloc(doc->vifs, ncap * sizeof(*v));
		if (v == NULL)
			return NULL;
		doc->vifs = v;
		*cap = ncap;
	}
	v = &doc->vifs[doc->n++];
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	return v;
}

/* A counter named `name` (the key without its prefix) among `names`:
 * its value into out[]; one a newer vifd has and this vifctl does not
 * know is skipped. */
static int
statsdoc_named(const char *key, const char *name,
    const char *const *names, size_t n, uint64_t *out, const char *val,
    const char *line, char *err, size_t errlen)
{
	int i = statsdoc_index(names, n, name);
	uint64_t x;

	if (i < 0)
		return 0;
	if (strparse_uint(val, UINT64_MAX, &x) != 0)
		return statsdoc_bad(err, errlen, line, "%s is not a number",
		    key);
	out[i] = x;
	return 0;
}

/* One "<key> <value>" of vif `v` (rest = after the vif's name). */
static int
statsdoc_key(struct statsdoc_vif *v, const char *key, const char *val,
    const char *line, char *err, size_t errlen)
{
	static const struct { const char *key; size_t off, len; } strs[] = {
#define STATSDOC_STR(k, f) \
		{ k, offsetof(struct statsdoc_vif, f), \
		  sizeof(((struct statsdoc_vif *)0)->f) }
		STATSDOC_STR("ifname", ifname),
		STATSDOC_STR("state", state),
		STATSDOC_STR("frontend_state", frontend_state),
		STATSDOC_STR("features", features),
		STATSDOC_STR("vlan", vlan),
		STATSDOC_STR("steering", steering),
		STATSDOC_STR("switch_uplink_xsk", sw_xsk),
#undef STATSDOC_STR
	};
	uint64_t x;
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if (strcmp(key, strs[i].key) != 0)
			continue;
		if (strlen(val) >= strs[i].len)
			return statsdoc_bad(err, errlen, line, "%s too long",
			    key);
		/* vifd writes "-" for no features, no VLAN. */
		snprintf((char *)v + strs[i].off, strs[i].len, "%s",
		    (strcmp(key, "features") == 0 || strcmp(key, "vlan") == 0)
		    && strcmp(val, "-") == 0 ? "" : val);
		return 0;
	}
	if (strcmp(key, "switch") == 0 || strcmp(key, "peer_link") == 0) {
		if (strlen(val) >= sizeof(v->sw))
			return statsdoc_bad(err, errlen, line, "%s too long",
			    key);
		snprintf(v->sw, sizeof(v->sw), "%s", val);
		v->sw_peer = key[0] == 'p';
		return 0;
	}
	if (strncmp(key, "switch_xsk_", 11) == 0)
		return statsdoc_named(key, key + 11,
		    statsdoc_xsk_counter_names, STATSDOC_NXSKCOUNTERS,
		    v->sw_xsk_counters, val, line, err, errlen);
	if (strncmp(key, "switch_", 7) == 0)
		return statsdoc_named(key, key + 7,
		    statsdoc_switch_counter_names, STATSDOC_NSWCOUNTERS,
		    v->sw_counters, val, line, err, errlen);
	if (strcmp(key, "link") == 0) {
		if (strcmp(val, "up") != 0 && strcmp(val, "down") != 0)
			return statsdoc_bad(err, errlen, line,
			    "link is not up or down");
		v->link_down = strcmp(val, "down") == 0;
		return 0;
	}
	if (strcmp(key, "shape_out") == 0 || strcmp(key, "shape_in") == 0) {
		if (statsdoc_shape_value(val, key[6] == 'o' ? v->shape_out :
		    v->shape_in) != 0)
			return statsdoc_bad(err, errlen, line,
			    "%s is not AVERAGE,PEAK,BURST", key);
		return 0;
	}
	if (strcmp(key, "rate_out") == 0 || strcmp(key, "rate_in") == 0) {
		if (statsdoc_rate_value(val, key[5] == 'o' ? &v->rate_out :
		    &v->rate_in) != 0)
			return statsdoc_bad(err, errlen, line,
			    "%s is not BYTES,USEC", key);
		return 0;
	}
	if (strcmp(key, "domid") != 0 && strcmp(key, "devid") != 0 &&
	    strcmp(key, "failed") != 0 && strcmp(key, "queues") != 0 &&
	    strcmp(key, "isolated") != 0)
		return 0;	/* a key of a newer vifd */
	if (strparse_uint(val, UINT32_MAX, &x) != 0)
		return statsdoc_bad(err, errlen, line, "%s is not a number",
		    key);
	if (strcmp(key, "domid") == 0)
		v->domid = (uint32_t)x;
	else if (strcmp(key, "devid") == 0)
		v->devid = (uint32_t)x;
	else if (strcmp(key, "failed") == 0)
		v->failed = x != 0;
	else if (strcmp(key, "isolated") == 0)
		v->isolated = x != 0;
	else if (x > STATSDOC_MAX_QUEUES)
		return statsdoc_bad(err, errlen, line, "more than %u queues",
		    STATSDOC_MAX_QUEUES);
	else
		v->nqueues = (unsigned int)x;
	return 0;
}

/* "total <counter> <value>" or "q<N> <counter> <value>". */
static int
statsdoc_count(struct statsdoc_vif *v, const char *where, const char *rest,
    const char *line, char *err, size_t errlen)
{
	char name[48];
	const char *val;
	uint64_t x, q = 0;
	size_t n = strcspn(rest, " ");
	int c;

	val = rest + n;
	if (*val != ' ' || n >= sizeof(name))
		return statsdoc_bad(err, errlen, line, "no counter value");
	memcpy(name, rest, n);
	name[n] = '\0';
	val++;
	if (strparse_uint(val, UINT64_MAX, &x) != 0)
		return statsdoc_bad(err, errlen, line, "%s is not a number",
		    name);
	if (where[0] == 'q' && (strparse_uint(where + 1,
	    STATSDOC_MAX_QUEUES - 1, &q) != 0))
		return statsdoc_bad(err, errlen, line, "no such queue");
	c = statsdoc_counter(name);
	if (c < 0)
		return 0;	/* a counter of a newer vifd */
	if (where[0] == 'q')
		v->queue[q][c] = x;
	else
		v->total[c] = x;
	return 0;
}

int
statsdoc_parse(const char *text, struct statsdoc *doc, char *err,
    size_t errlen)
{
	char line[256], vifname[32], key[32];
	const char *p = text, *rest;
	struct statsdoc_vif *v;
	size_t cap = 0, n, a, b;
	int r = 0;

	doc->vifs = NULL;
	doc->n = 0;
	while (*p != '\0') {
		n = strcspn(p, "\n");
		if (n >= sizeof(line)) {
			snprintf(err, errlen, "vifd's answer: a line of %zu "
			    "bytes", n);
			r = -EINVAL;
			goto fail;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (p[n] == '\n');
		if (line[0] == '\0')
			continue;
		a = strcspn(line, " ");
		b = line[a] == ' ' ? strcspn(line + a + 1, " ") : 0;
		if (line[a] != ' ' || a >= sizeof(vifname) || b == 0 ||
		    b >= sizeof(key) || line[a + 1 + b] != ' ') {
			r = statsdoc_bad(err, errlen, line,
			    "not \"VIF KEY VALUE\"");
			goto fail;
		}
		memcpy(vifname, line, a);
		vifname[a] = '\0';
		memcpy(key, line + a + 1, b);
		key[b] = '\0';
		rest = line + a + 1 + b + 1;
		v = statsdoc_vif_for(doc, &cap, vifname);
		if (v == NULL) {
			snprintf(err, errlen, "out of memory");
			r = -ENOMEM;
			goto fail;
		}
		if (strcmp(key, "total") == 0 ||
		    (key[0] == 'q' && key[1] >= '0' && key[1] <= '9'))
			r = statsdoc_count(v, key, rest, line, err, errlen);
		else
			r = statsdoc_key(v, key, rest, line, err, errlen);
		if (r < 0)
			goto fail;
	}
	return 0;
fail:
	statsdoc_free(doc);
	return r;
}

void
statsdoc_free(struct statsdoc *doc)
{
	free(doc->vifs);
	doc->vifs = NULL;
	doc->n = 0;
}

/* cur - prev of a counter that only grows, or cur if it went back. */
static double
statsdoc_delta(uint64_t prev, uint64_t cur)
{
	return (double)(cur >= prev ? cur - prev : cur);
}

void
statsdoc_rate(const struct statsdoc *prev, const struct statsdoc *cur,
    size_t i, uint64_t elapsed_ns, struct statsdoc_rate *out)
{
	static const uint64_t zero[STATSDOC_NCOUNTERS];
	const struct statsdoc_vif *v = &cur->vifs[i];
	const uint64_t *was = zero;
	double s = (double)(elapsed_ns ? elapsed_ns : 1) / 1e9;
	double drops = 0;
	size_t j;
	int c;

	for (j = 0; prev != NULL && j < prev->n; j++)
		if (prev->vifs[j].domid == v->domid &&
		    prev->vifs[j].devid == v->devid)
			was = prev->vifs[j].total;
	out->tx_pps = statsdoc_delta(was[STATSDOC_tx_packets],
	    v->total[STATSDOC_tx_packets]) / s;
	out->tx_bps = statsdoc_delta(was[STATSDOC_tx_bytes],
	    v->total[STATSDOC_tx_bytes]) * 8 / s;
	out->rx_pps = statsdoc_delta(was[STATSDOC_rx_packets],
	    v->total[STATSDOC_rx_packets]) / s;
	out->rx_bps = statsdoc_delta(was[STATSDOC_rx_bytes],
	    v->total[STATSDOC_rx_bytes]) * 8 / s;
	for (c = 0; c < STATSDOC_NCOUNTERS; c++)
		if (strstr(statsdoc_counter_names[c], "_drop_") != NULL)
			drops += statsdoc_delta(was[c], v->total[c]);
	out->drops_ps = drops / s;
}
