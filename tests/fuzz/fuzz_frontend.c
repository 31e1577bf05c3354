/*
 * fuzz_frontend.c - libFuzzer target: the frontend's xenstore keys as a
 * guest writes them, read the way the backend reads them at connect
 * (frontend_read_masked, hence frontend_read, the flags and the XDP
 * headroom) and formatted for the log (frontend_features_str).
 *
 * The input is the advertised queue maximum, a feature mask, then up to
 * 64 (key, value) pairs: a byte choosing one of the keys netfront writes
 * (plain, or under queue-N/) and a NUL-terminated value of any bytes;
 * a value starting 0xff makes the read fail (EIO). Invariants beyond "no
 * crash" and "no leak" (every value this module is handed it frees):
 *  - success: 1 <= num_queues <= the maximum, request-rx-copy on, each
 *    queue's ring refs and ports are the digits the guest wrote, a split
 *    pair names two ports and an unsplit one the same, masked features
 *    read off, xdp-headroom below a page;
 *  - failure: one of the documented errors, with a message.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/featmask.h"
#include "core/frontend.h"
#include "fuzz.h"

#define MAX_KV	64
#define VAL_MAX	96

static const char *const keys[] = {
	"tx-ring-ref", "rx-ring-ref", "event-channel", "event-channel-tx",
	"event-channel-rx", "request-rx-copy", "feature-rx-notify",
	"feature-sg", "feature-gso-tcpv4", "feature-gso-tcpv4-prefix",
	"feature-gso-tcpv6", "feature-no-csum-offload",
	"feature-ipv6-csum-offload", "request-multicast-control",
	"ctrl-ring-ref", "event-channel-ctrl", "multi-queue-num-queues",
	"xdp-headroom",
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

struct table {
	unsigned int n;
	char key[MAX_KV][48];
	char val[MAX_KV][VAL_MAX];
};

/* The lookup: the last pair written for the key wins. */
static char *
table_get(void *arg, const char *key)
{
	const struct table *t = arg;
	unsigned int i;

	for (i = t->n; i-- > 0;) {
		if (strcmp(t->key[i], key) != 0)
			continue;
		if ((uint8_t)t->val[i][0] == 0xff) {
			errno = EIO;
			return NULL;
		}
		return strdup(t->val[i]);
	}
	errno = ENOENT;
	return NULL;
}

/* The guest's value of `key`, as a number, if it wrote digits only. */
static void
check_number(struct table *t, const char *key, uint32_t got)
{
	char *v = table_get(t, key);

	FZ_CHECK(v != NULL && v[0] != '\0' &&
	    strspn(v, "0123456789") == strlen(v));
	FZ_CHECK(strtoull(v, NULL, 10) == got);
	free(v);
}

static void
check_queue(struct table *t, const struct frontend_info *fi, unsigned int q)
{
	const struct frontend_queue *fq = &fi->q[q];
	char k[48], pfx[16] = "";

	if (fi->num_queues > 1)
		snprintf(pfx, sizeof(pfx), "queue-%u/", q);
	snprintf(k, sizeof(k), "%stx-ring-ref", pfx);
	check_number(t, k, fq->tx_ring_ref);
	snprintf(k, sizeof(k), "%srx-ring-ref", pfx);
	check_number(t, k, fq->rx_ring_ref);
	if (fq->split) {
		FZ_CHECK(fq->evtchn_tx != fq->evtchn_rx);
		snprintf(k, sizeof(k), "%sevent-channel-tx", pfx);
		check_number(t, k, fq->evtchn_tx);
		snprintf(k, sizeof(k), "%sevent-channel-rx", pfx);
		check_number(t, k, fq->evtchn_rx);
	} else {
		FZ_CHECK(fq->evtchn_tx == fq->evtchn_rx);
		snprintf(k, sizeof(k), "%sevent-channel", pfx);
		check_number(t, k, fq->evtchn_tx);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct table t;
	struct fz in = { data, size };
	struct frontend_info fi;
	unsigned int maxq = fz_u8(&in) % (FRONTEND_MAX_QUEUES + 2), q;
	uint32_t off = featmask_closure(fz_u32(&in) & FEATMASK_ALL);
	char err[256], feats[64];
	int r;

	for (t.n = 0; t.n < MAX_KV && in.n > 0; t.n++) {
		uint8_t sel = fz_u8(&in);

		q = sel >> 5;
		if (q == 0)
			snprintf(t.key[t.n], sizeof(t.key[0]), "%s",
			    keys[(sel & 31) % NKEYS]);
		else
			snprintf(t.key[t.n], sizeof(t.key[0]), "queue-%u/%s",
			    q - 1, keys[(sel & 31) % NKEYS]);
		fz_str(&in, t.val[t.n], VAL_MAX);
	}
	err[0] = '\0';
	r = frontend_read_masked(&fi, maxq, off, table_get, &t, err,
	    sizeof(err));
	if (r != 0) {
		FZ_CHECK(r == -EINVAL || r == -EPROTO || r == -EIO);
		FZ_CHECK(err[0] != '\0' && strlen(err) < sizeof(err));
		return 0;
	}
	FZ_CHECK(fi.num_queues >= 1 && fi.num_queues <= FRONTEND_MAX_QUEUES);
	FZ_CHECK(fi.num_queues <= (maxq == 0 ? 1 : maxq));
	FZ_CHECK(fi.num_queues == 1 || !(off & FEATMASK_MULTI_QUEUE));
	FZ_CHECK(fi.rx_copy);
	FZ_CHECK(fi.xdp_headroom < 4096);
	FZ_CHECK(!(off & FEATMASK_SG) || !fi.sg);
	FZ_CHECK(!(off & FEATMASK_GSO_TCPV4) || !fi.gso_tcpv4);
	FZ_CHECK(!(off & FEATMASK_GSO_TCPV6) || !fi.gso_tcpv6);
	FZ_CHECK(!(off & FEATMASK_IPV4_CSUM) || !fi.csum_v4);
	FZ_CHECK(!(off & FEATMASK_IPV6_CSUM) || !fi.csum_v6);
	for (q = 0; q < fi.num_queues; q++)
		check_queue(&t, &fi, q);
	FZ_CHECK(frontend_features_str(&fi, feats, sizeof(feats)) > 0 &&
	    strlen(feats) < sizeof(feats));
	return 0;
}
