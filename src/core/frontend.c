/*
 * frontend.c - reads and validates the frontend's xenstore keys at connect.
 *
 * Owns the rules for what a netfront may write (queue count, ring refs,
 * event channels, feature flags, control ring, XDP headroom) and the strict
 * number and flag parsers behind them (over strparse's). It does not own xenstore access
 * (the caller's lookup callback does that), watches, or what happens after
 * a refusal (the backend state machine writes our message to `error` and
 * closes the device). Everything read here is guest data: every value is
 * bounded, every failure is a message, never a crash.
 *
 * Where Linux netback is lenient we are strict, on purpose: Linux reads
 * numbers with sscanf("%u"), so "12abc" is 12, "-1" or "yes" silently take
 * the default, and a ref wider than 32 bits is truncated. A frontend that
 * writes such values is broken, and saying so in `error` beats guessing.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/featmask.h"
#include "core/frontend.h"
#include "core/netif_xdp.h"
#include "core/strparse.h"

/* "queue-4294967295/event-channel-ctrl" and the like. */
#define FRONTEND_KEY_MAX 64

int
frontend_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	return strparse_uint(s, max, out);
}

int
frontend_parse_bool(const char *s, bool *out)
{
	uint64_t v;
	int rc;

	if ((rc = frontend_parse_uint(s, UINT32_MAX, &v)) != 0)
		return rc == -ERANGE ? -EINVAL : rc;
	*out = v != 0;
	return 0;
}

static void
frontend_err_value(char *err, size_t errlen, const char *key, const char *val,
    const char *why)
{
	char q[48];

	if (errlen == 0)
		return;
	strparse_quote(val, q, sizeof(q));
	snprintf(err, errlen, "%s \"%s\": %s", key, q, why);
}

/*
 * Fetches `key`. Returns 1 with *val set (free it), 0 if absent, or -errno
 * with `err` set if the read failed.
 */
static int
frontend_get(frontend_get_fn get, void *arg, const char *key, char **val,
    char *err, size_t errlen)
{
	int e;

	errno = 0;
	*val = get(arg, key);
	if (*val != NULL)
		return 1;
	e = errno;
	if (e == 0 || e == ENOENT)
		return 0;
	if (errlen > 0)
		snprintf(err, errlen, "reading %s: error %d", key, e);
	return -e;
}

/*
 * Reads an unsigned number <= max. Returns 1 if present and valid, 0 if
 * absent, or -errno with `err` set.
 */
static int
frontend_get_uint(frontend_get_fn get, void *arg, const char *key,
    uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	char *val, why[64];
	int rc;

	if ((rc = frontend_get(get, arg, key, &val, err, errlen)) <= 0)
		return rc;
	rc = frontend_parse_uint(val, max, out);
	if (rc == -EINVAL) {
		frontend_err_value(err, errlen, key, val,
		    "not a decimal number");
	} else if (rc == -ERANGE) {
		snprintf(why, sizeof(why), "out of range (at most %llu)",
		    (unsigned long long)max);
		frontend_err_value(err, errlen, key, val, why);
		rc = -EINVAL;
	}
	free(val);
	return rc < 0 ? rc : 1;
}

/* As frontend_get_uint(), but absent is an error. */
static int
frontend_need_uint(frontend_get_fn get, void *arg, const char *key,
    uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	int rc = frontend_get_uint(get, arg, key, max, out, err, errlen);

	if (rc == 0) {
		if (errlen > 0)
			snprintf(err, errlen, "missing %s", key);
		return -EPROTO;
	}
	return rc < 0 ? rc : 0;
}

int
frontend_read_flag(frontend_get_fn get, void *arg, const char *key,
    bool dflt, bool *out, char *err, size_t errlen)
{
	char *val;
	int rc;

	if ((rc = frontend_get(get, arg, key, &val, err, errlen)) < 0)
		return rc;
	if (rc == 0) {
		*out = dflt;
		return 0;
	}
	rc = frontend_parse_bool(val, out);
	if (rc != 0)
		frontend_err_value(err, errlen, key, val,
		    "not a flag (a decimal number, 0 or 1)");
	free(val);
	return rc;
}

int
frontend_read_xdp_headroom(frontend_get_fn get, void *arg, uint16_t *out,
    char *err, size_t errlen)
{
	uint64_t v = 0;
	int rc;

	rc = frontend_get_uint(get, arg, "xdp-headroom",
	    XEN_NETIF_MAX_XDP_HEADROOM, &v, err, errlen);
	if (rc < 0)
		return rc;
	if (v >= VIFD_PAGE_SIZE) {
		/* The first data slot would hold nothing (and Linux's
		 * copies would run past the page). */
		if (errlen > 0)
			snprintf(err, errlen, "xdp-headroom \"%llu\": leaves "
			    "no room for data in a %u-byte page (at most %u)",
			    (unsigned long long)v, VIFD_PAGE_SIZE,
			    VIFD_PAGE_SIZE - 1);
		return -EINVAL;
	}
	*out = (uint16_t)v;	/* absent: 0 */
	return 0;
}

/* Reads the rings and event channels of queue `i` (of `n`); with
 * `no_split` (split event channels masked) only event-channel. */
static int
frontend_read_queue(struct frontend_queue *q, unsigned int i, unsigned int n,
    bool no_split, frontend_get_fn get, void *arg, char *err, size_t errlen)
{
	char prefix[24], key[FRONTEND_KEY_MAX], ktx[FRONTEND_KEY_MAX];
	uint64_t v, tx = 0, rx = 0;
	int rc, have_tx, have_rx;

	/* netif.h: one queue uses the top level, more use queue-N/. */
	if (n == 1)
		prefix[0] = '\0';
	else
		snprintf(prefix, sizeof(prefix), "queue-%u/", i);

	snprintf(key, sizeof(key), "%stx-ring-ref", prefix);
	if ((rc = frontend_need_uint(get, arg, key, UINT32_MAX, &v, err,
	    errlen)) != 0)
		return rc;
	q->tx_ring_ref = (grant_ref_t)v;
	snprintf(key, sizeof(key), "%srx-ring-ref", prefix);
	if ((rc = frontend_need_uint(get, arg, key, UINT32_MAX, &v, err,
	    errlen)) != 0)
		return rc;
	q->rx_ring_ref = (grant_ref_t)v;

	/* Split event channels first, then the shared one (Linux order).
	 * Masked, a split pair is not looked at: not offered, not taken. */
	if (no_split)
		goto shared;
	snprintf(ktx, sizeof(ktx), "%sevent-channel-tx", prefix);
	snprintf(key, sizeof(key), "%sevent-channel-rx", prefix);
	have_tx = frontend_get_uint(get, arg, ktx, UINT32_MAX, &tx, err,
	    errlen);
	if (have_tx < 0)
		return have_tx;
	have_rx = frontend_get_uint(get, arg, key, UINT32_MAX, &rx, err,
	    errlen);
	if (have_rx < 0)
		return have_rx;
	if (have_tx && have_rx) {
		if (tx == rx) {
			if (errlen > 0)
				snprintf(err, errlen, "%s and %s are both "
				    "port %llu", ktx, key,
				    (unsigned long long)tx);
			return -EPROTO;
		}
		q->evtchn_tx = (evtchn_port_t)tx;
		q->evtchn_rx = (evtchn_port_t)rx;
		q->split = true;
		return 0;
	}
	if (have_tx || have_rx) {
		if (errlen > 0)
			snprintf(err, errlen, "%s without %s",
			    have_tx ? ktx : key, have_tx ? key : ktx);
		return -EPROTO;
	}
shared:
	snprintf(key, sizeof(key), "%sevent-channel", prefix);
	rc = frontend_get_uint(get, arg, key, UINT32_MAX, &v, err, errlen);
	if (rc < 0)
		return rc;
	if (rc == 0 && no_split) {
		if (errlen > 0)
			snprintf(err, errlen, "missing %sevent-channel (split "
			    "event channels are masked on this vif: "
			    VIFD_FEATURES_OFF_KEY ")", prefix);
		return -EPROTO;
	}
	if (rc == 0) {
		if (errlen > 0)
			snprintf(err, errlen, "missing %sevent-channel "
			    "(or %sevent-channel-tx and -rx)", prefix, prefix);
		return -EPROTO;
	}
	q->evtchn_tx = q->evtchn_rx = (evtchn_port_t)v;
	q->split = false;
	return 0;
}

int
frontend_read(struct frontend_info *fi, unsigned int max_queues,
    frontend_get_fn get, void *arg, char *err, size_t errlen)
{
	return frontend_read_masked(fi, max_queues, 0, get, arg, err, errlen);
}

/* A masked feature reads as if the frontend had not asked for it. */
static void
frontend_apply_mask(struct frontend_info *fi, uint32_t off)
{
	if (off & FEATMASK_SG)
		fi->sg = false;
	if (off & FEATMASK_GSO_TCPV4)
		fi->gso_tcpv4 = fi->gso_tcpv4_prefix = false;
	if (off & FEATMASK_GSO_TCPV6)
		fi->gso_tcpv6 = false;
	/* As if feature-no-csum-offload = 1. */
	if (off & FEATMASK_IPV4_CSUM)
		fi->csum_v4 = false;
	if (off & FEATMASK_IPV6_CSUM)
		fi->csum_v6 = false;
	if (off & FEATMASK_MCAST_CTRL)
		fi->mcast_control = false;
}

int
frontend_read_masked(struct frontend_info *fi, unsigned int max_queues,
    uint32_t off, frontend_get_fn get, void *arg, char *err, size_t errlen)
{
	/* Defaults from netif.h, as Linux read_xenbus_vif_flags. */
	const struct {
		const char *key;
		bool *dst;
		bool invert;	/* the key turns the feature off */
	} flags[] = {
		{ "feature-rx-notify", &fi->rx_notify, false },
		{ "feature-sg", &fi->sg, false },
		{ "feature-gso-tcpv4", &fi->gso_tcpv4, false },
		{ "feature-gso-tcpv6", &fi->gso_tcpv6, false },
		{ "feature-gso-tcpv4-prefix", &fi->gso_tcpv4_prefix, false },
		/* "If it is missing then the feature is assumed to be on." */
		{ "feature-no-csum-offload", &fi->csum_v4, true },
		{ "feature-ipv6-csum-offload", &fi->csum_v6, false },
		{ "request-multicast-control", &fi->mcast_control, false },
	};
	uint64_t v;
	unsigned int i, n;
	char *val;
	bool b;
	int rc;

	memset(fi, 0, sizeof(*fi));
	if (errlen > 0)
		err[0] = '\0';
	off = featmask_closure(off);
	if (max_queues < 1 || (off & FEATMASK_MULTI_QUEUE))
		max_queues = 1;
	if (max_queues > FRONTEND_MAX_QUEUES)
		max_queues = FRONTEND_MAX_QUEUES;

	rc = frontend_get_uint(get, arg, "multi-queue-num-queues", UINT32_MAX,
	    &v, err, errlen);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		n = 1;
	} else {
		if (v < 1 || v > max_queues) {
			if (errlen > 0)
				snprintf(err, errlen, "multi-queue-num-queues "
				    "\"%llu\": must be 1 to %u",
				    (unsigned long long)v, max_queues);
			return -EINVAL;
		}
		n = (unsigned int)v;
		fi->num_queues_written = true;
	}
	fi->num_queues = n;
	for (i = 0; i < n; i++)
		if ((rc = frontend_read_queue(&fi->q[i], i, n,
		    (off & FEATMASK_SPLIT_EVTCHN) != 0, get, arg, err,
		    errlen)) != 0)
			return rc;

	/* vifd has no page-flipping receive path (obsolete, netif.h). */
	rc = frontend_get(get, arg, "request-rx-copy", &val, err, errlen);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		if (errlen > 0)
			snprintf(err, errlen, "missing request-rx-copy: vifd "
			    "supports only the copying receive path");
		return -EPROTO;
	}
	rc = frontend_parse_bool(val, &b);
	if (rc != 0 || !b)
		frontend_err_value(err, errlen, "request-rx-copy", val,
		    rc != 0 ? "not a flag (a decimal number, 0 or 1)" :
		    "vifd supports only the copying receive path");
	free(val);
	if (rc != 0)
		return rc;
	if (!b)
		return -EPROTO;
	fi->rx_copy = true;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		rc = frontend_read_flag(get, arg, flags[i].key, false, &b, err,
		    errlen);
		if (rc != 0)
			return rc;
		*flags[i].dst = flags[i].invert ? !b : b;
	}
	frontend_apply_mask(fi, off);

	/* Masked: the keys are not even read (not offered, not taken). */
	rc = 0;
	if (!(off & FEATMASK_CTRL_RING))
		rc = frontend_get_uint(get, arg, "ctrl-ring-ref", UINT32_MAX,
		    &v, err, errlen);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		fi->has_ctrl_ring = true;
		fi->ctrl_ring_ref = (grant_ref_t)v;
		rc = frontend_get_uint(get, arg, "event-channel-ctrl",
		    UINT32_MAX, &v, err, errlen);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			if (errlen > 0)
				snprintf(err, errlen, "ctrl-ring-ref without "
				    "event-channel-ctrl");
			return -EPROTO;
		}
		fi->ctrl_evtchn = (evtchn_port_t)v;
	}

	if (off & FEATMASK_XDP_HEADROOM)
		return 0;	/* xdp_headroom stays 0 */
	return frontend_read_xdp_headroom(get, arg, &fi->xdp_headroom, err,
	    errlen);
}

size_t
frontend_features_str(const struct frontend_info *fi, char *buf, size_t len)
{
	const struct { const char *name; bool on; } f[] = {
		{ "rx-copy", fi->rx_copy },
		{ "rx-notify", fi->rx_notify },
		{ "sg", fi->sg },
		{ "gso-tcpv4", fi->sg && fi->gso_tcpv4 },
		{ "gso-tcpv6", fi->sg && fi->gso_tcpv6 },
		{ "ipv4-csum", fi->csum_v4 },
		{ "ipv6-csum", fi->csum_v6 },
		{ "split-event-channels", fi->num_queues > 0 && fi->q[0].split },
		{ "multi-queue", fi->num_queues > 1 },
		{ "ctrl-ring", fi->has_ctrl_ring },
	};
	size_t used = 0, n, i;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (!f[i].on)
			continue;
		n = strlen(f[i].name) + (used > 0);
		if (used + n >= len)
			continue;
		snprintf(buf + used, len - used, "%s%s", used > 0 ? "," : "",
		    f[i].name);
		used += n;
	}
	return used;
}
