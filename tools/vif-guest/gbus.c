/*
 * gbus.c - the control half of the simulated netfront: the xenbus
 * handshake with the backend as Linux netfront does it
 * (drivers/net/xen-netfront.c: xennet_create_dev, talk_to_netback,
 * setup_netfront, write_queue_xenstore_keys, xennet_connect,
 * netback_changed, xennet_bus_close). Owns every xenstore access, the
 * main thread's waits (watch events, signals) and bringing queues up and
 * down; the data path is gq.c's.
 *
 * Frontend state, as this file drives it:
 *
 *   Initialising --backend InitWait--> (keys, rings) --> Connected
 *   Connected --backend Closing/Closed--> Closed --> Initialising ...
 *   Connected --TERM/INT/HUP--> Closing --backend Closing--> Closed
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <xen/io/xenbus.h>

#include "util/log.h"
#include "util/loop.h"
#include "core/strparse.h"
#include "vif-guest.h"
#include "core/xenbus_state.h"

/* How long a close waits for each backend step (Linux: XENNET_TIMEOUT,
 * 5 s, retried forever; we give up after the --timeout bound). */
#define GBUS_CLOSE_STEP_MS	5000
/* Transaction retries before giving up (EAGAIN means "someone wrote
 * meanwhile"; a few are normal, hundreds are not). */
#define GBUS_TXN_RETRIES	100

const char *
gbus_state_str(int state)
{
	return state < 0 ? "absent" : xenbus_state_str(state, "invalid");
}

static int
gbus_path(struct vg *vg, const char *path, char *buf, size_t len)
{
	int n;

	if (path[0] == '/')
		n = snprintf(buf, len, "%s", path);
	else
		n = snprintf(buf, len, "%s/%s", vg->fe, path);
	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

char *
gbus_read(struct vg *vg, const char *path)
{
	char full[512];
	unsigned int len;
	char *val;

	if (gbus_path(vg, path, full, sizeof(full)) != 0) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	val = vg->ops->xs_read(vg->xs, XEN_TXN_NULL, full, &len);
	/* A fresh allocation, not len's address: a cppcheck false alarm. */
	/* cppcheck-suppress returnDanglingLifetime */
	return val;
}

int
gbus_write(struct vg *vg, xen_txn_t t, const char *path, const char *val)
{
	char full[512];

	if (gbus_path(vg, path, full, sizeof(full)) != 0)
		return -ENAMETOOLONG;
	return vg->ops->xs_write(vg->xs, t, full, val, (unsigned int)strlen(val));
}

static int
gbus_writef(struct vg *vg, xen_txn_t t, const char *path, unsigned int v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", v);
	return gbus_write(vg, t, path, buf);
}

/* Strict unsigned decimal; `def` if the node is absent or malformed
 * (xenbus_read_unsigned does the same with its default). */
static unsigned long
gbus_read_uint(struct vg *vg, const char *path, unsigned long def)
{
	char *s = gbus_read(vg, path);
	uint64_t v;

	if (s == NULL)
		return def;
	if (strparse_uint(s, ULONG_MAX, &v) != 0)
		v = def;
	free(s);
	return (unsigned long)v;
}

static int
gbus_read_be_state(struct vg *vg)
{
	char path[300];

	if (vg->be[0] == '\0')
		return -1;
	snprintf(path, sizeof(path), "%s/state", vg->be);
	return (int)gbus_read_uint(vg, path, (unsigned long)-1);
}

int
gbus_switch_state(struct vg *vg, int state)
{
	char path[128];
	int tries, rc = 0;

	if (vg->fe_gone)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/state", vg->fe);
	/* As xenbus_switch_state: only rewrite a node that still exists,
	 * so a removed device is not brought back by our write. */
	for (tries = 0; tries < GBUS_TXN_RETRIES; tries++) {
		xen_txn_t t;
		unsigned int len;
		char *cur;

		if ((rc = vg->ops->xs_txn_start(vg->xs, &t)) != 0)
			break;
		cur = vg->ops->xs_read(vg->xs, t, path, &len);
		if (cur == NULL) {
			rc = -errno;
			vg->ops->xs_txn_end(vg->xs, t, true);
			break;
		}
		free(cur);
		if ((rc = gbus_writef(vg, t, path, (unsigned int)state)) != 0) {
			vg->ops->xs_txn_end(vg->xs, t, true);
			break;
		}
		rc = vg->ops->xs_txn_end(vg->xs, t, false);
		if (rc != -EAGAIN)
			break;
	}
	if (rc != 0) {
		log_warnx("writing %s = %d (%s): %s", path, state,
		    gbus_state_str(state), strerror(-rc));
		return rc;
	}
	if (vg->fe_state != state)
		log_info("state: %s", gbus_state_str(state));
	vg->fe_state = state;
	return 0;
}

/* ---- waiting: watch events and signals ----------------------------------- */

static void
gbus_watch_events(struct vg *vg)
{
	struct xen_watch_event *ev;
	bool be = false, fe = false;
	unsigned int n = 0;

	/* Bounded: a flood of events is read in batches of 1024, the
	 * states re-read once per batch (they are all we look at). */
	while (n++ < 1024 && vg->ops->xs_read_watch(vg->xs, &ev) == 0) {
		if (strcmp(ev->token, "be") == 0)
			be = true;
		else if (strcmp(ev->token, "fe") == 0)
			fe = true;
		free(ev);
	}
	if (fe && !vg->fe_gone) {
		char *s = gbus_read(vg, vg->fe);

		/* Gone only once it was there: we may start before the
		 * toolstack has written it. */
		if (s != NULL) {
			vg->fe_seen = true;
		} else if (errno == ENOENT && vg->fe_seen) {
			vg->fe_gone = true;
			log_info("frontend %s removed", vg->fe);
		}
		free(s);
	}
	if (be) {
		int st = gbus_read_be_state(vg);

		if (st != vg->be_state)
			log_info("backend state: %s", gbus_state_str(st));
		vg->be_state = st;
	}
}

static void
gbus_signals(struct vg *vg)
{
	struct signalfd_siginfo si;

	while (read(vg->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			if (!vg->sig_term)
				log_info("signal %s: closing", si.ssi_signo ==
				    SIGTERM ? "TERM" : "INT");
			vg->sig_term = true;
			break;
		case SIGHUP:
			log_info("signal HUP: guest reboot");
			vg->sig_hup = true;
			break;
		case SIGUSR1:
			gq_print_stats(vg);
			break;
		case SIGUSR2:
			vg->sig_usr2 = true;
			break;
		default:
			break;
		}
	}
}

int
gbus_poll(struct vg *vg, int timeout_ms)
{
	struct pollfd pfd[2];

	pfd[0].fd = vg->ops->xs_fileno(vg->xs);
	pfd[0].events = POLLIN;
	pfd[1].fd = vg->sigfd;
	pfd[1].events = POLLIN;
	if (poll(pfd, 2, timeout_ms) < 0) {
		if (errno == EINTR)
			return 0;
		return -errno;
	}
	if (pfd[0].revents)
		gbus_watch_events(vg);
	if (pfd[1].revents)
		gbus_signals(vg);
	return 0;
}

int
gbus_wait_be(struct vg *vg, unsigned int mask, int timeout_ms,
    bool interruptible)
{
	uint64_t end = loop_now_ns() + (uint64_t)timeout_ms * 1000000u;

	for (;;) {
		uint64_t now;
		int rc;

		if (vg->be_state >= 0 && vg->be_state < 32 &&
		    (mask & (1u << vg->be_state)))
			return vg->be_state;
		if (vg->be_state < 0 && (mask & (1u << XenbusStateUnknown)))
			return vg->be_state;
		if (vg->fe_gone)
			return -ENOENT;
		if (interruptible && vg->sig_term)
			return -EINTR;
		now = loop_now_ns();
		if (now >= end)
			return -ETIMEDOUT;
		rc = gbus_poll(vg, (int)((end - now + 999999) / 1000000));
		if (rc < 0)
			return rc;
	}
}

/* ---- bring-up ---------------------------------------------------------- */

/* Waits for the toolstack's frontend node and its backend key, then
 * watches the backend's state. */
static int
gbus_find_backend(struct vg *vg)
{
	uint64_t end = loop_now_ns() + (uint64_t)vg->o.timeout_s * 1000000000u;
	char *be = NULL, path[300];

	for (;;) {
		be = gbus_read(vg, "backend");
		if (be != NULL || vg->sig_term)
			break;
		if (loop_now_ns() >= end) {
			log_warnx("no %s/backend after %u s: has the toolstack "
			    "added the vif (vifctl attach)?", vg->fe,
			    vg->o.timeout_s);
			return -ETIMEDOUT;
		}
		gbus_poll(vg, 200);
	}
	if (be == NULL)
		return -EINTR;
	vg->fe_seen = true;
	if (strncmp(be, "/local/domain/", 14) != 0 ||
	    strlen(be) >= sizeof(vg->be) - 16) {
		log_warnx("%s/backend = '%.64s': not a backend path", vg->fe, be);
		free(be);
		return -EINVAL;
	}
	if (strcmp(be, vg->be) != 0) {
		if (vg->be_watched) {
			snprintf(path, sizeof(path), "%s/state", vg->be);
			vg->ops->xs_unwatch(vg->xs, path, "be");
		}
		snprintf(vg->be, sizeof(vg->be), "%s", be);
		snprintf(path, sizeof(path), "%s/state", vg->be);
		if (vg->ops->xs_watch(vg->xs, path, "be") != 0) {
			log_warn("watching %s", path);
			free(be);
			return -EIO;
		}
		vg->be_watched = true;
	}
	free(be);
	if (vg->o.backend_domid >= 0)
		vg->be_domid = (uint32_t)vg->o.backend_domid;
	else
		vg->be_domid = (uint32_t)gbus_read_uint(vg, "backend-id", 0);
	vg->be_state = gbus_read_be_state(vg);
	return 0;
}

static void
gbus_read_features(struct vg *vg)
{
	struct gbe_features *f = &vg->bf;
	char path[300];

#define BE_UINT(key, def) (snprintf(path, sizeof(path), "%s/%s", vg->be, \
	key), gbus_read_uint(vg, path, def))
	f->rx_copy = BE_UINT("feature-rx-copy", 0) != 0;
	f->sg = BE_UINT("feature-sg", 0) != 0;
	f->gso_tcpv4 = BE_UINT("feature-gso-tcpv4", 0) != 0;
	f->gso_tcpv6 = BE_UINT("feature-gso-tcpv6", 0) != 0;
	f->ipv6_csum = BE_UINT("feature-ipv6-csum-offload", 0) != 0;
	f->split = BE_UINT("feature-split-event-channels", 0) != 0;
	f->xdp_headroom = BE_UINT("feature-xdp-headroom", 0) != 0;
	f->ctrl_ring = BE_UINT("feature-ctrl-ring", 0) != 0;
	f->mcast = BE_UINT("feature-multicast-control", 0) != 0;
	f->mcast_dynamic = BE_UINT("feature-dynamic-multicast-control", 0) != 0;
	f->max_queues = (unsigned int)BE_UINT("multi-queue-max-queues", 0);
	f->has_max_queues = f->max_queues != 0 ||
	    BE_UINT("multi-queue-max-queues", 1) == 0;
	if (f->max_queues == 0)
		f->max_queues = 1;
#undef BE_UINT
	log_info("backend %s (domain %u): rx-copy %d sg %d gso-tcpv4 %d "
	    "gso-tcpv6 %d ipv6-csum %d split %d max-queues %u%s", vg->be,
	    vg->be_domid, f->rx_copy, f->sg, f->gso_tcpv4, f->gso_tcpv6,
	    f->ipv6_csum, f->split, f->max_queues,
	    f->has_max_queues ? "" : " (no key)");
}

/*
 * What both ends offered, for tests to check: a feature is on if the
 * backend advertised it and we asked for it (TSO also needs sg and its
 * family's checksum offload, as netfront's feature fixing has it). IPv4
 * checksum offload has no backend key: it is what we asked for, and only
 * the backend's RX flags show whether it honours that.
 */
static void
gbus_log_negotiated(const struct vg *vg)
{
	const struct gbe_features *f = &vg->bf;
	const struct gopts *o = &vg->o;
	bool sg = f->sg && !o->no_sg;
	bool v6 = f->ipv6_csum && !o->no_ipv6_csum;

	log_info("negotiated: sg %d gso-tcpv4 %d gso-tcpv6 %d ipv4-csum %d "
	    "ipv6-csum %d multi-queue %d queues %u split-event-channels %d "
	    "ctrl-ring %d xdp-headroom %d", sg,
	    sg && f->gso_tcpv4 && !o->no_gso && !o->no_csum,
	    sg && v6 && f->gso_tcpv6 && !o->no_gso, !o->no_csum, v6,
	    f->has_max_queues, vg->nq, vg->q[0].split, f->ctrl_ring,
	    f->xdp_headroom);
}

/* The frontend's mac key, parsed as strictly as xen_net_read_mac. */
static int
gbus_read_mac(struct vg *vg)
{
	char *s = gbus_read(vg, "mac");
	int rc;

	if (s == NULL) {
		log_warnx("%s/mac: missing", vg->fe);
		return -ENOENT;
	}
	rc = strparse_mac(s, STRPARSE_MAC_TWO_DIGITS, vg->mac);
	if (rc != 0)
		log_warnx("%s/mac = '%.32s': not a MAC address", vg->fe, s);
	free(s);
	return rc;
}

/* Pages per queue we need besides the TX pool: two rings, 256 RX. */
#define GBUS_FIXED_PAGES	(2u + VIFD_RX_RING_SIZE)

static int
gbus_setup_queues(struct vg *vg)
{
	uint32_t pages = galloc_pages_free(&vg->ga);
	uint32_t refs = galloc_refs_free(&vg->ga);
	uint32_t have = pages < refs ? pages : refs;
	unsigned int i, ntx;
	int rc;

	/* --rss: the control ring and its key and mapping pages first. */
	if (vg->o.rss && vg->bf.ctrl_ring)
		have = have > GRSS_PAGES ? have - GRSS_PAGES : 0;
	ntx = GQ_TXPOOL_MAX;
	if (have / vg->nq < GBUS_FIXED_PAGES + GQ_TXPOOL_MIN) {
		log_warnx("domain %u: %u free pages and %u free grant refs "
		    "for devid %u; %u queues need %u: add the domain with "
		    "more pages, ask for fewer queues, or use --mem-base",
		    vg->o.domid, pages, refs, vg->o.devid, vg->nq,
		    (unsigned int)(vg->nq * (GBUS_FIXED_PAGES + GQ_TXPOOL_MIN)));
		return -ENOSPC;
	}
	if (have / vg->nq - GBUS_FIXED_PAGES < ntx)
		ntx = have / vg->nq - GBUS_FIXED_PAGES;

	vg->q = calloc(vg->nq, sizeof(*vg->q));
	if (vg->q == NULL)
		return -ENOMEM;
	for (i = 0; i < vg->nq; i++) {
		if ((rc = gq_setup(vg, &vg->q[i], i, ntx)) != 0) {
			while (i-- > 0)
				gq_teardown(&vg->q[i]);
			free(vg->q);
			vg->q = NULL;
			return rc;
		}
	}
	return 0;
}

/* Removes what an earlier frontend may have left that we might not
 * write now (other queue count, other options). */
static int
gbus_clear_keys(struct vg *vg, xen_txn_t t)
{
	static const char *const keys[] = {
		"multi-queue-num-queues", "tx-ring-ref", "rx-ring-ref",
		"event-channel", "event-channel-tx", "event-channel-rx",
		"request-rx-copy", "feature-rx-notify", "feature-sg",
		"feature-gso-tcpv4", "feature-gso-tcpv6",
		"feature-ipv6-csum-offload", "feature-no-csum-offload",
		"request-multicast-control",
	};
	char path[512];
	char **dir;
	unsigned int i, n = 0;
	int rc;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (gbus_path(vg, keys[i], path, sizeof(path)) != 0)
			return -ENAMETOOLONG;
		rc = vg->ops->xs_rm(vg->xs, t, path);
		if (rc != 0 && rc != -ENOENT)
			return rc;
	}
	dir = vg->ops->xs_directory(vg->xs, t, vg->fe, &n);
	for (i = 0; dir != NULL && i < n; i++) {
		if (strncmp(dir[i], "queue-", 6) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", vg->fe, dir[i]);
		rc = vg->ops->xs_rm(vg->xs, t, path);
		if (rc != 0 && rc != -ENOENT) {
			free(dir);
			return rc;
		}
	}
	free(dir);
	return 0;
}

/* write_queue_xenstore_keys: flat for one queue, queue-N/ otherwise. */
static int
gbus_queue_keys(struct vg *vg, xen_txn_t t, const struct gq *q,
    bool hierarchical, const char **what)
{
	char pre[32], path[64];
	int rc;

	if (hierarchical)
		snprintf(pre, sizeof(pre), "queue-%u/", q->id);
	else
		pre[0] = '\0';

	snprintf(path, sizeof(path), "%stx-ring-ref", pre);
	*what = "tx-ring-ref";
	if (vg->keys_evil == GKEYS_REF_NAN)
		rc = gbus_write(vg, t, path, "nan");
	else
		rc = gbus_writef(vg, t, path, q->txr.ref);
	if (rc != 0)
		return rc;
	snprintf(path, sizeof(path), "%srx-ring-ref", pre);
	*what = "rx-ring-ref";
	if ((rc = gbus_writef(vg, t, path, q->rxr.ref)) != 0)
		return rc;
	if (vg->keys_evil == GKEYS_NO_EVTCHN)
		return 0;
	if (!q->split) {
		snprintf(path, sizeof(path), "%sevent-channel", pre);
		*what = "event-channel";
		return gbus_writef(vg, t, path, q->tx_port);
	}
	snprintf(path, sizeof(path), "%sevent-channel-tx", pre);
	*what = "event-channel-tx";
	if ((rc = gbus_writef(vg, t, path, q->tx_port)) != 0)
		return rc;
	snprintf(path, sizeof(path), "%sevent-channel-rx", pre);
	*what = "event-channel-rx";
	return gbus_writef(vg, t, path, q->rx_port);
}

/* talk_to_netback's transaction: queue count, per-queue keys, then the
 * feature keys, in Linux's order. */
static int
gbus_write_keys(struct vg *vg)
{
	const struct gopts *o = &vg->o;
	const char *what = "starting the transaction";
	unsigned int tries, i;
	int rc = 0;

	for (tries = 0; tries < GBUS_TXN_RETRIES; tries++) {
		xen_txn_t t;

		if ((rc = vg->ops->xs_txn_start(vg->xs, &t)) != 0)
			break;
		what = "clearing old keys";
		if ((rc = gbus_clear_keys(vg, t)) != 0)
			goto abort;
		if (vg->bf.has_max_queues || vg->keys_evil == GKEYS_NQ0 ||
		    vg->keys_evil == GKEYS_NQ_BIG) {
			unsigned int nq = vg->nq;

			if (vg->keys_evil == GKEYS_NQ0)
				nq = 0;
			else if (vg->keys_evil == GKEYS_NQ_BIG)
				nq = vg->bf.max_queues + 1;
			what = "multi-queue-num-queues";
			rc = gbus_writef(vg, t, "multi-queue-num-queues", nq);
			if (rc != 0)
				goto abort;
		}
		for (i = 0; i < vg->nq; i++) {
			bool hier = vg->nq > 1 || vg->keys_evil == GKEYS_NQ_BIG;

			rc = gbus_queue_keys(vg, t, &vg->q[i], hier, &what);
			if (rc != 0)
				goto abort;
		}
#define FE_KEY(cond, key)						\
		if (cond) {						\
			what = key;					\
			if ((rc = gbus_write(vg, t, key, "1")) != 0)	\
				goto abort;				\
		}
		FE_KEY(vg->keys_evil != GKEYS_NO_RX_COPY, "request-rx-copy")
		FE_KEY(!o->no_rx_notify, "feature-rx-notify")
		FE_KEY(!o->no_sg, "feature-sg")
		FE_KEY(!o->no_gso, "feature-gso-tcpv4")
		FE_KEY(!o->no_gso, "feature-gso-tcpv6")
		FE_KEY(!o->no_ipv6_csum, "feature-ipv6-csum-offload")
		FE_KEY(o->no_csum, "feature-no-csum-offload")
		FE_KEY(vg->mc_control, "request-multicast-control")
#undef FE_KEY
		if (vg->rss.set_up && (rc = grss_keys(vg, t, &what)) != 0)
			goto abort;
		rc = vg->ops->xs_txn_end(vg->xs, t, false);
		if (rc == -EAGAIN)
			continue;
		what = "completing the transaction";
		break;
abort:
		vg->ops->xs_txn_end(vg->xs, t, true);
		break;
	}
	if (rc != 0)
		log_warnx("writing the frontend keys (%s): %s", what,
		    strerror(-rc));
	return rc;
}

static void
gbus_teardown(struct vg *vg)
{
	unsigned int i;

	if (vg->q == NULL)
		return;
	for (i = 0; i < vg->nq; i++)
		gq_stop(&vg->q[i]);
	for (i = 0; i < vg->nq; i++)
		gq_teardown(&vg->q[i]);
	grss_teardown(vg);
	free(vg->q);
	vg->q = NULL;
	vg->connected = false;
}

int
gbus_connect(struct vg *vg)
{
	const struct gopts *o = &vg->o;
	unsigned int want, i;
	long ncpu;
	int rc;

	if ((rc = gbus_find_backend(vg)) != 0)
		return rc;
	/* xennet_create_dev: Initialising, then wait for the backend. */
	if ((rc = gbus_switch_state(vg, XenbusStateInitialising)) != 0)
		return rc;
	if (vg->be_state != XenbusStateInitWait)
		log_info("waiting for backend %s to reach InitWait (now %s)",
		    vg->be, gbus_state_str(vg->be_state));
	rc = gbus_wait_be(vg, 1u << XenbusStateInitWait,
	    (int)o->timeout_s * 1000, true);
	if (rc == -ETIMEDOUT) {
		log_warnx("backend %s did not reach InitWait within %u s "
		    "(state %s)", vg->be, o->timeout_s,
		    gbus_state_str(vg->be_state));
		return rc;
	}
	if (rc < 0)
		return rc;

	gbus_read_features(vg);
	if (!vg->bf.rx_copy) {
		/* xennet_connect: "backend does not support copying
		 * receive path" */
		log_warnx("backend %s does not support copying receive path "
		    "(feature-rx-copy)", vg->be);
		return -EOPNOTSUPP;
	}
	if ((rc = gbus_read_mac(vg)) != 0)
		return rc;
	vg->mtu = o->mtu;
	if (vg->mtu == 0) {
		vg->mtu = (unsigned int)gbus_read_uint(vg, "mtu", 1500);
		if (vg->mtu < 68 || vg->mtu > 65535)
			vg->mtu = 1500;
	}
	if (!vg->bf.sg && vg->mtu > 1500) {
		/* xennet_set_features: no SG, no MTU above ETH_DATA_LEN. */
		log_info("mtu %u reduced to 1500: the backend has no "
		    "feature-sg", vg->mtu);
		vg->mtu = 1500;
	}
	if (o->mode == GMODE_EVIL)
		evil_pre_connect(vg);
	if (vg->bf.xdp_headroom) {
		/* talk_to_netback_xdp: the headroom of the program attached
		 * now (none: 0). */
		if ((rc = gbus_writef(vg, XEN_TXN_NULL, "xdp-headroom",
		    vg->xdp_headroom)))
			log_warnx("writing xdp-headroom: %s", strerror(-rc));
	} else {
		vg->xdp_headroom = 0;	/* nothing to attach to */
	}

	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	want = o->queues;
	if (want == 0)
		want = (ncpu > 0 && ncpu < (long)GOPTS_MAX_QUEUES) ?
		    (unsigned int)ncpu : GOPTS_MAX_QUEUES;
	vg->nq = want < vg->bf.max_queues ? want : vg->bf.max_queues;

	if ((rc = gbus_setup_queues(vg)) != 0)
		return rc;
	if (o->mode == GMODE_TAP) {
		if (vg->tapfds == NULL && (rc = gtap_create(vg, vg->nq)) != 0)
			goto fail;
		if (vg->ntapfds != vg->nq)
			log_warnx("the TAP has %u queues, the vif now %u: "
			    "sharing them", vg->ntapfds, vg->nq);
		for (i = 0; i < vg->nq; i++)
			vg->q[i].tapfd = vg->tapfds[i % vg->ntapfds];
	}
	if (o->mcast_file != NULL && (rc = gbus_mcast_load(vg, true)) != 0)
		goto fail;
	if (o->rss && !vg->bf.ctrl_ring)
		log_info("rss: the backend offers no control ring; none used");
	if (o->rss && vg->bf.ctrl_ring && (rc = grss_setup(vg)) != 0)
		goto fail;
	if ((rc = gbus_write_keys(vg)) != 0)
		goto fail;
	vg->keys_evil = GKEYS_OK;
	log_info("%u queue%s, %s event channels, rings granted to domain %u",
	    vg->nq, vg->nq == 1 ? "" : "s",
	    vg->q[0].split ? "split" : "shared", vg->be_domid);
	gbus_log_negotiated(vg);

	/* xennet_connect: kick the backend on every channel, then fill
	 * the RX rings. */
	for (i = 0; i < vg->nq; i++) {
		struct gq *q = &vg->q[i];

		vg->ops->evtchn_notify(q->evh, q->tx_port);
		if (q->rx_port != q->tx_port)
			vg->ops->evtchn_notify(q->evh, q->rx_port);
		gq_rx_refill(q);
	}
	/* Connected; evil's xdp-reconf-early: Reconfiguring, this once. */
	rc = gbus_switch_state(vg, vg->connect_state != 0 ?
	    vg->connect_state : XenbusStateConnected);
	vg->connect_state = XenbusStateConnected;
	if (rc != 0)
		goto fail;
	vg->connected = true;
	vg->xdp_next_ns = loop_now_ns() + (uint64_t)(o->xdp_interval * 1e9);
	return 0;

fail:
	gbus_teardown(vg);
	return rc;
}

/* ---- multicast control --------------------------------------------------- */

/* Reads the --mcast file (at most 16 KiB) into *out. 0 or -errno. */
static int
gbus_mcast_read(struct vg *vg, struct mclist *out)
{
	char text[16384], err[128];
	FILE *f = fopen(vg->o.mcast_file, "r");
	size_t n;
	int rc;

	if (f == NULL) {
		rc = -errno;
		log_warn("--mcast %s", vg->o.mcast_file);
		return rc;
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	rc = mclist_parse(text, out, err, sizeof(err));
	if (rc != 0)
		log_warnx("--mcast %s: %s", vg->o.mcast_file, err);
	return rc;
}

int
gbus_mcast_load(struct vg *vg, bool connecting)
{
	struct mclist want;
	struct mclist_op ops[2 * MCLIST_MAX];
	unsigned int n, i;
	int rc;

	if ((rc = gbus_mcast_read(vg, &want)) != 0)
		return rc;
	if (!vg->bf.mcast) {
		log_warnx("--mcast: the backend does not advertise "
		    "feature-multicast-control; not asking for it");
		return 0;
	}
	if (connecting) {
		/* A new connection: the backend's list starts empty (Linux
		 * frees it at disconnect); the key goes with the others. */
		vg->mc_sent.n = 0;
		vg->mc_control = want.control;
	} else if (want.control != vg->mc_control) {
		if (!vg->bf.mcast_dynamic)
			log_warnx("--mcast: no feature-dynamic-multicast-"
			    "control: 'control %s' counts from the next "
			    "connect only", want.control ? "on" : "off");
		rc = gbus_write(vg, XEN_TXN_NULL, "request-multicast-control",
		    want.control ? "1" : "0");
		if (rc != 0) {
			log_warnx("writing request-multicast-control: %s",
			    strerror(-rc));
			return rc;
		}
		vg->mc_control = want.control;
		log_info("request-multicast-control %d", want.control ? 1 : 0);
	}
	n = mclist_diff(&vg->mc_sent, &want, ops, 2 * MCLIST_MAX);
	pthread_mutex_lock(&vg->mc_lock);
	for (i = 0; i < n && vg->mc_nops < 2 * MCLIST_MAX; i++)
		vg->mc_ops[vg->mc_nops++] = ops[i];
	pthread_mutex_unlock(&vg->mc_lock);
	vg->mc_sent = want;
	log_info("multicast: %u address%s, %u request%s to send", want.n,
	    want.n == 1 ? "" : "es", n, n == 1 ? "" : "s");
	if (n > 0 && vg->q != NULL && vg->q[0].wakefd >= 0)
		loop_event_signal(vg->q[0].wakefd);
	return 0;
}

/* ---- bring-down ---------------------------------------------------------- */

static int
gbus_close_wait_ms(const struct vg *vg)
{
	int ms = (int)vg->o.timeout_s * 1000;

	return ms < GBUS_CLOSE_STEP_MS ? ms : GBUS_CLOSE_STEP_MS;
}

void
gbus_close(struct vg *vg)
{
	const unsigned int closing = 1u << XenbusStateClosing |
	    1u << XenbusStateClosed | 1u << XenbusStateUnknown;
	unsigned int i;
	int rc;

	if (vg->fe_gone) {
		gbus_teardown(vg);
		return;
	}
	/* xennet_bus_close: Closing, wait for the backend to follow,
	 * then Closed (unless the backend is already Closed). */
	if (gbus_switch_state(vg, XenbusStateClosing) == 0) {
		rc = gbus_wait_be(vg, closing, gbus_close_wait_ms(vg), false);
		if (rc == -ETIMEDOUT)
			log_warnx("backend did not follow to Closing (state "
			    "%s)", gbus_state_str(vg->be_state));
	}
	for (i = 0; vg->q != NULL && i < vg->nq; i++)
		gq_stop(&vg->q[i]);
	if (gbus_switch_state(vg, XenbusStateClosed) == 0) {
		rc = gbus_wait_be(vg, 1u << XenbusStateClosed |
		    1u << XenbusStateUnknown | 1u << XenbusStateInitWait,
		    gbus_close_wait_ms(vg), false);
		if (rc == -ETIMEDOUT)
			log_warnx("backend did not reach Closed (state %s)",
			    gbus_state_str(vg->be_state));
	}
	gbus_teardown(vg);
}

void
gbus_backend_closed(struct vg *vg)
{
	unsigned int i;
	int rc;

	for (i = 0; vg->q != NULL && i < vg->nq; i++)
		gq_stop(&vg->q[i]);
	/* netback_changed(Closing): xenbus_frontend_closed, i.e. straight
	 * to Closed; the backend then reaches Closed too. */
	if (gbus_switch_state(vg, XenbusStateClosed) == 0) {
		rc = gbus_wait_be(vg, 1u << XenbusStateClosed |
		    1u << XenbusStateUnknown | 1u << XenbusStateInitWait,
		    gbus_close_wait_ms(vg), false);
		if (rc == -ETIMEDOUT)
			log_warnx("backend did not reach Closed (state %s)",
			    gbus_state_str(vg->be_state));
	}
	gbus_teardown(vg);
}
