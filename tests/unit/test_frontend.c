/*
 * test_frontend.c - the frontend key parsers against tables of key sets
 * (an in-memory key -> value map plays xenstore), the number, flag and MAC
 * parsers, and a seeded fuzz loop over random key values.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu_tap.h"
#include "core/featmask.h"
#include "core/frontend.h"
#include "core/netif_xdp.h"
#include "core/strparse.h"

#define MAXKV 64

struct kv {
	const char *k;
	const char *v;
};

/* The lookup callback's view of "xenstore". */
struct map {
	struct kv kv[MAXKV];
	const char *fail_key;	/* reading it fails with fail_errno */
	int fail_errno;
	unsigned int lookups;
};

static char *
map_get(void *arg, const char *key)
{
	struct map *m = arg;
	size_t i;

	m->lookups++;
	if (m->fail_key != NULL && strcmp(key, m->fail_key) == 0) {
		errno = m->fail_errno;
		return NULL;
	}
	for (i = 0; i < MAXKV && m->kv[i].k != NULL; i++)
		if (strcmp(m->kv[i].k, key) == 0)
			return strdup(m->kv[i].v);
	errno = ENOENT;
	return NULL;
}

/* Sets (or with v == NULL removes) a key. */
static void
map_set(struct map *m, const char *k, const char *v)
{
	size_t i, n;

	for (n = 0; n < MAXKV && m->kv[n].k != NULL; n++)
		;
	for (i = 0; i < n; i++)
		if (strcmp(m->kv[i].k, k) == 0)
			break;
	if (v == NULL) {
		if (i < n) {
			m->kv[i] = m->kv[n - 1];
			m->kv[n - 1].k = NULL;
		}
		return;
	}
	CU_ASSERT_FATAL(i < MAXKV - 1);
	m->kv[i].k = k;
	m->kv[i].v = v;
}

/* What Linux netfront writes for one queue with a shared event channel. */
static void
map_single(struct map *m)
{
	memset(m, 0, sizeof(*m));
	map_set(m, "tx-ring-ref", "8");
	map_set(m, "rx-ring-ref", "9");
	map_set(m, "event-channel", "17");
	map_set(m, "request-rx-copy", "1");
}

static void
map_multi(struct map *m, const char *nq, unsigned int n)
{
	static const char *keys[4][4] = {
		{ "queue-0/tx-ring-ref", "queue-0/rx-ring-ref",
		  "queue-0/event-channel-tx", "queue-0/event-channel-rx" },
		{ "queue-1/tx-ring-ref", "queue-1/rx-ring-ref",
		  "queue-1/event-channel-tx", "queue-1/event-channel-rx" },
		{ "queue-2/tx-ring-ref", "queue-2/rx-ring-ref",
		  "queue-2/event-channel-tx", "queue-2/event-channel-rx" },
		{ "queue-3/tx-ring-ref", "queue-3/rx-ring-ref",
		  "queue-3/event-channel-tx", "queue-3/event-channel-rx" },
	};
	static const char *vals[4][4] = {
		{ "100", "101", "10", "11" }, { "200", "201", "20", "21" },
		{ "300", "301", "30", "31" }, { "400", "401", "40", "41" },
	};
	unsigned int i, j;

	memset(m, 0, sizeof(*m));
	map_set(m, "multi-queue-num-queues", nq);
	map_set(m, "request-rx-copy", "1");
	for (i = 0; i < n && i < 4; i++)
		for (j = 0; j < 4; j++)
			map_set(m, keys[i][j], vals[i][j]);
}

static int
rd(struct map *m, struct frontend_info *fi, unsigned int maxq, char *err,
    size_t errlen)
{
	return frontend_read(fi, maxq, map_get, m, err, errlen);
}

static void
test_single_queue(void)
{
	struct frontend_info fi;
	struct map m;
	char err[256];

	map_single(&m);
	CU_ASSERT_EQUAL(rd(&m, &fi, 8, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(fi.num_queues, 1);
	CU_ASSERT_FALSE(fi.num_queues_written);
	CU_ASSERT_EQUAL(fi.q[0].tx_ring_ref, 8);
	CU_ASSERT_EQUAL(fi.q[0].rx_ring_ref, 9);
	CU_ASSERT_EQUAL(fi.q[0].evtchn_tx, 17);
	CU_ASSERT_EQUAL(fi.q[0].evtchn_rx, 17);
	CU_ASSERT_FALSE(fi.q[0].split);
	CU_ASSERT_TRUE(fi.rx_copy);
	/* netif.h defaults */
	CU_ASSERT_TRUE(fi.csum_v4);
	CU_ASSERT_FALSE(fi.csum_v6);
	CU_ASSERT_FALSE(fi.sg);
	CU_ASSERT_FALSE(fi.gso_tcpv4);
	CU_ASSERT_FALSE(fi.gso_tcpv6);
	CU_ASSERT_FALSE(fi.gso_tcpv4_prefix);
	CU_ASSERT_FALSE(fi.rx_notify);
	CU_ASSERT_FALSE(fi.mcast_control);
	CU_ASSERT_FALSE(fi.has_ctrl_ring);
	CU_ASSERT_EQUAL(fi.xdp_headroom, 0);

	/* Split, as Linux netfront writes it (num-queues "1" and flat keys);
	 * split wins over a stray shared key. */
	map_set(&m, "multi-queue-num-queues", "1");
	map_set(&m, "event-channel-tx", "21");
	map_set(&m, "event-channel-rx", "22");
	CU_ASSERT_EQUAL(rd(&m, &fi, 8, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(fi.num_queues, 1);
	CU_ASSERT_TRUE(fi.num_queues_written);
	CU_ASSERT_TRUE(fi.q[0].split);
	CU_ASSERT_EQUAL(fi.q[0].evtchn_tx, 21);
	CU_ASSERT_EQUAL(fi.q[0].evtchn_rx, 22);

	/* Limits of the types: 2^32-1 is a valid ref and port. */
	map_set(&m, "tx-ring-ref", "4294967295");
	map_set(&m, "event-channel-rx", "4294967295");
	CU_ASSERT_EQUAL(rd(&m, &fi, 8, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(fi.q[0].tx_ring_ref, UINT32_MAX);
	CU_ASSERT_EQUAL(fi.q[0].evtchn_rx, UINT32_MAX);
}

static void
test_multi_queue(void)
{
	struct frontend_info fi;
	struct map m;
	char err[256];
	unsigned int i;

	map_multi(&m, "2", 2);
	CU_ASSERT_EQUAL(rd(&m, &fi, 8, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(fi.num_queues, 2);
	CU_ASSERT_EQUAL(fi.q[1].tx_ring_ref, 200);
	CU_ASSERT_EQUAL(fi.q[1].rx_ring_ref, 201);
	CU_ASSERT_EQUAL(fi.q[1].evtchn_tx, 20);
	CU_ASSERT_EQUAL(fi.q[1].evtchn_rx, 21);

	map_multi(&m, "4", 4);
	CU_ASSERT_EQUAL(rd(&m, &fi, 4, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(fi.num_queues, 4);
	for (i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(fi.q[i].tx_ring_ref, (i + 1) * 100);
		CU_ASSERT_EQUAL(fi.q[i].rx_ring_ref, (i + 1) * 100 + 1);
		CU_ASSERT_EQUAL(fi.q[i].evtchn_tx, (i + 1) * 10);
		CU_ASSERT_EQUAL(fi.q[i].evtchn_rx, (i + 1) * 10 + 1);
		CU_ASSERT_TRUE(fi.q[i].split);
	}
	/* Mixed: queue 2 uses one shared channel. */
	map_set(&m, "queue-2/event-channel-tx", NULL);
	map_set(&m, "queue-2/event-channel-rx", NULL);
	map_set(&m, "queue-2/event-channel", "33");
	CU_ASSERT_EQUAL(rd(&m, &fi, 4, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(fi.q[2].split);
	CU_ASSERT_EQUAL(fi.q[2].evtchn_tx, 33);
	CU_ASSERT_EQUAL(fi.q[2].evtchn_rx, 33);

	/* Top-level keys do not stand in for queue-N/ ones with 2+ queues. */
	map_multi(&m, "2", 1);
	map_set(&m, "tx-ring-ref", "8");
	map_set(&m, "rx-ring-ref", "9");
	map_set(&m, "event-channel", "17");
	CU_ASSERT_EQUAL(rd(&m, &fi, 8, err, sizeof(err)), -EPROTO);
	CU_ASSERT_STRING_EQUAL(err, "missing queue-1/tx-ring-ref");

	/* ... nor queue-0/ keys for the top level with one queue. */
	map_multi(&m, "1", 1);
	CU_ASSERT_EQUAL(rd(&m, &fi, 8, err, sizeof(err)), -EPROTO);
	CU_ASSERT_STRING_EQUAL(err, "missing tx-ring-ref");

	/* max_queues beyond FRONTEND_MAX_QUEUES is clamped, 0 means 1. */
	map_multi(&m, "33", 0);
	CU_ASSERT_EQUAL(rd(&m, &fi, 1000, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "must be 1 to 32"));
	map_multi(&m, "2", 2);
	CU_ASSERT_EQUAL(rd(&m, &fi, 0, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "must be 1 to 1"));
}

/* One row: a base key set, changes to it, and what must come out. */
struct row {
	const char *name;
	int base;		/* 1: single queue, 2/4: that many queues */
	struct kv set[6];	/* v == NULL removes the key */
	unsigned int maxq;
	int rc;
	const char *msg;	/* substring of err */
};

static const struct row rows[] = {
	{ "num-queues 0", 2, { { "multi-queue-num-queues", "0" } }, 8,
	  -EINVAL, "multi-queue-num-queues \"0\": must be 1 to 8" },
	{ "num-queues > max", 4, { { NULL, NULL } }, 2, -EINVAL,
	  "multi-queue-num-queues \"4\": must be 1 to 2" },
	{ "num-queues huge", 2,
	  { { "multi-queue-num-queues", "99999999999999999999999" } }, 8,
	  -EINVAL, "multi-queue-num-queues \"99999999999999999999999\": "
	  "out of range" },
	{ "num-queues 2^32", 2,
	  { { "multi-queue-num-queues", "4294967296" } }, 8, -EINVAL,
	  "out of range" },
	{ "num-queues non-numeric", 2,
	  { { "multi-queue-num-queues", "two" } }, 8, -EINVAL,
	  "multi-queue-num-queues \"two\": not a decimal number" },
	{ "num-queues negative", 2, { { "multi-queue-num-queues", "-2" } }, 8,
	  -EINVAL, "not a decimal number" },
	{ "non-numeric ref", 1, { { "tx-ring-ref", "12x" } }, 8, -EINVAL,
	  "tx-ring-ref \"12x\": not a decimal number" },
	{ "hex ref", 1, { { "rx-ring-ref", "0x10" } }, 8, -EINVAL,
	  "rx-ring-ref \"0x10\": not a decimal number" },
	{ "empty ref", 1, { { "rx-ring-ref", "" } }, 8, -EINVAL,
	  "rx-ring-ref \"\": not a decimal number" },
	{ "negative ref", 1, { { "tx-ring-ref", "-1" } }, 8, -EINVAL,
	  "tx-ring-ref \"-1\": not a decimal number" },
	{ "ref with a space", 1, { { "tx-ring-ref", " 8" } }, 8, -EINVAL,
	  "not a decimal number" },
	{ "ref with a trailing space", 1, { { "tx-ring-ref", "8 " } }, 8,
	  -EINVAL, "not a decimal number" },
	{ "ref with a newline", 1, { { "tx-ring-ref", "8\n" } }, 8, -EINVAL,
	  "not a decimal number" },
	{ "ref with a sign", 1, { { "tx-ring-ref", "+8" } }, 8, -EINVAL,
	  "not a decimal number" },
	{ "ref overflows 32 bits", 1, { { "tx-ring-ref", "4294967296" } }, 8,
	  -EINVAL, "tx-ring-ref \"4294967296\": out of range (at most "
	  "4294967295)" },
	{ "ref overflows 64 bits", 1,
	  { { "tx-ring-ref", "18446744073709551616" } }, 8, -EINVAL,
	  "out of range" },
	{ "missing tx-ring-ref", 1, { { "tx-ring-ref", NULL } }, 8, -EPROTO,
	  "missing tx-ring-ref" },
	{ "missing rx-ring-ref", 1, { { "rx-ring-ref", NULL } }, 8, -EPROTO,
	  "missing rx-ring-ref" },
	{ "missing queue-1/rx-ring-ref", 2,
	  { { "queue-1/rx-ring-ref", NULL } }, 8, -EPROTO,
	  "missing queue-1/rx-ring-ref" },
	{ "ring refs without event channel", 1, { { "event-channel", NULL } },
	  8, -EPROTO, "missing event-channel" },
	{ "queue-3 without event channel", 4,
	  { { "queue-3/event-channel-tx", NULL },
	    { "queue-3/event-channel-rx", NULL } }, 8, -EPROTO,
	  "missing queue-3/event-channel" },
	{ "tx channel without rx", 1,
	  { { "event-channel", NULL }, { "event-channel-tx", "5" } }, 8,
	  -EPROTO, "event-channel-tx without event-channel-rx" },
	{ "rx channel without tx, shared one present", 1,
	  { { "event-channel-rx", "5" } }, 8, -EPROTO,
	  "event-channel-rx without event-channel-tx" },
	{ "split pair naming one port", 1,
	  { { "event-channel-tx", "5" }, { "event-channel-rx", "5" } }, 8,
	  -EPROTO, "event-channel-tx and event-channel-rx are both port 5" },
	{ "bad split channel", 2, { { "queue-1/event-channel-rx", "x" } }, 8,
	  -EINVAL, "queue-1/event-channel-rx \"x\": not a decimal number" },
	{ "bad shared channel", 1, { { "event-channel", "1.5" } }, 8, -EINVAL,
	  "event-channel \"1.5\": not a decimal number" },
	{ "missing request-rx-copy", 1, { { "request-rx-copy", NULL } }, 8,
	  -EPROTO, "missing request-rx-copy" },
	{ "request-rx-copy 0", 1, { { "request-rx-copy", "0" } }, 8, -EPROTO,
	  "request-rx-copy \"0\": vifd supports only the copying receive" },
	{ "request-rx-copy yes", 1, { { "request-rx-copy", "yes" } }, 8,
	  -EINVAL, "request-rx-copy \"yes\": not a flag" },
	{ "feature flag yes", 1, { { "feature-sg", "yes" } }, 8, -EINVAL,
	  "feature-sg \"yes\": not a flag" },
	{ "feature flag empty", 1, { { "feature-gso-tcpv6", "" } }, 8,
	  -EINVAL, "feature-gso-tcpv6 \"\": not a flag" },
	{ "feature flag negative", 1, { { "feature-no-csum-offload", "-1" } },
	  8, -EINVAL, "feature-no-csum-offload \"-1\": not a flag" },
	{ "feature flag beyond 32 bits", 1,
	  { { "feature-rx-notify", "4294967296" } }, 8, -EINVAL,
	  "feature-rx-notify \"4294967296\": not a flag" },
	{ "mcast flag bad", 1, { { "request-multicast-control", "on" } }, 8,
	  -EINVAL, "request-multicast-control \"on\": not a flag" },
	{ "ctrl ring without event channel", 1,
	  { { "ctrl-ring-ref", "50" } }, 8, -EPROTO,
	  "ctrl-ring-ref without event-channel-ctrl" },
	{ "ctrl ring ref bad", 1,
	  { { "ctrl-ring-ref", "fifty" }, { "event-channel-ctrl", "7" } }, 8,
	  -EINVAL, "ctrl-ring-ref \"fifty\": not a decimal number" },
	{ "ctrl event channel bad", 1,
	  { { "ctrl-ring-ref", "50" }, { "event-channel-ctrl", "-7" } }, 8,
	  -EINVAL, "event-channel-ctrl \"-7\": not a decimal number" },
	{ "xdp-headroom too big", 1, { { "xdp-headroom", "32768" } }, 8,
	  -EINVAL, "xdp-headroom \"32768\": out of range (at most 32767)" },
	{ "xdp-headroom at the limit but no data room", 1,
	  { { "xdp-headroom", "32767" } }, 8, -EINVAL,
	  "xdp-headroom \"32767\": leaves no room for data in a 4096-byte "
	  "page (at most 4095)" },
	{ "xdp-headroom a page", 1, { { "xdp-headroom", "4096" } }, 8,
	  -EINVAL, "xdp-headroom \"4096\": leaves no room" },
	{ "xdp-headroom bad", 1, { { "xdp-headroom", "256B" } }, 8, -EINVAL,
	  "xdp-headroom \"256B\": not a decimal number" },
	{ "long binary value", 1,
	  { { "tx-ring-ref", "\x01\x02\xff" "0123456789012345678901234567890"
	      "123456789012345678901234567890" } }, 8, -EINVAL,
	  "tx-ring-ref \"???0123456789012345678901234567890123456...\"" },
	/* Accepted corner cases. */
	{ "leading zeros are decimal", 1,
	  { { "tx-ring-ref", "010" }, { "event-channel", "0009" } }, 8, 0, "" },
	{ "num-queues 1 explicit", 1, { { "multi-queue-num-queues", "1" } }, 8,
	  0, "" },
	{ "num-queues = max", 4, { { NULL, NULL } }, 4, 0, "" },
	{ "ctrl ring with event channel", 1,
	  { { "ctrl-ring-ref", "50" }, { "event-channel-ctrl", "7" } }, 8, 0,
	  "" },
	{ "event-channel-ctrl alone is ignored", 1,
	  { { "event-channel-ctrl", "junk" } }, 8, 0, "" },
	{ "xdp-headroom max that leaves data room", 1,
	  { { "xdp-headroom", "4095" } }, 8, 0, "" },
};

static void
test_table(void)
{
	struct frontend_info fi;
	struct map m;
	char err[256];
	size_t i, j;
	int rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];

		if (r->base == 1)
			map_single(&m);
		else
			map_multi(&m, r->base == 2 ? "2" : "4", (unsigned)r->base);
		for (j = 0; j < 6 && r->set[j].k != NULL; j++)
			map_set(&m, r->set[j].k, r->set[j].v);
		memset(err, 'x', sizeof(err));
		rc = rd(&m, &fi, r->maxq, err, sizeof(err));
		CU_ASSERT_EQUAL(rc, r->rc);
		CU_ASSERT_PTR_NOT_NULL(memchr(err, '\0', sizeof(err)));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, r->msg));
		if (r->rc != 0)
			CU_ASSERT_NOT_EQUAL(err[0], '\0');
		if (rc != r->rc || strstr(err, r->msg) == NULL)
			printf("# %s: rc %d, err \"%s\"\n", r->name, rc, err);
	}
}

static void
test_flags(void)
{
	static const struct {
		const char *key;
		size_t off;
		bool dflt;	/* the field when the key is absent */
		bool invert;	/* "1" turns the field off */
	} f[] = {
		{ "feature-sg", offsetof(struct frontend_info, sg), false, false },
		{ "feature-gso-tcpv4", offsetof(struct frontend_info, gso_tcpv4),
		  false, false },
		{ "feature-gso-tcpv6", offsetof(struct frontend_info, gso_tcpv6),
		  false, false },
		{ "feature-gso-tcpv4-prefix",
		  offsetof(struct frontend_info, gso_tcpv4_prefix), false, false },
		{ "feature-no-csum-offload",
		  offsetof(struct frontend_info, csum_v4), true, true },
		{ "feature-ipv6-csum-offload",
		  offsetof(struct frontend_info, csum_v6), false, false },
		{ "feature-rx-notify", offsetof(struct frontend_info, rx_notify),
		  false, false },
		{ "request-multicast-control",
		  offsetof(struct frontend_info, mcast_control), false, false },
	};
	struct frontend_info fi;
	struct map m;
	char err[256];
	size_t i;
	bool *field;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		field = (bool *)((char *)&fi + f[i].off);
		map_single(&m);
		CU_ASSERT_EQUAL_FATAL(rd(&m, &fi, 8, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(*field, f[i].dflt);
		map_set(&m, f[i].key, "1");
		CU_ASSERT_EQUAL_FATAL(rd(&m, &fi, 8, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(*field, !f[i].invert);
		map_set(&m, f[i].key, "0");
		CU_ASSERT_EQUAL_FATAL(rd(&m, &fi, 8, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(*field, f[i].invert);
		/* Linux's !!xenbus_read_unsigned(): any nonzero number is on. */
		map_set(&m, f[i].key, "2");
		CU_ASSERT_EQUAL_FATAL(rd(&m, &fi, 8, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(*field, !f[i].invert);
	}
	/* All of them as Linux netfront writes them. */
	map_single(&m);
	map_set(&m, "feature-rx-notify", "1");
	map_set(&m, "feature-sg", "1");
	map_set(&m, "feature-gso-tcpv4", "1");
	map_set(&m, "feature-gso-tcpv6", "1");
	map_set(&m, "feature-ipv6-csum-offload", "1");
	map_set(&m, "xdp-headroom", "256");
	CU_ASSERT_EQUAL(rd(&m, &fi, 8, err, sizeof(err)), 0);
	CU_ASSERT(fi.rx_notify && fi.sg && fi.gso_tcpv4 && fi.gso_tcpv6 &&
	    fi.csum_v4 && fi.csum_v6 && !fi.mcast_control &&
	    !fi.gso_tcpv4_prefix);
	CU_ASSERT_EQUAL(fi.xdp_headroom, 256);
}

static void
test_ctrl_ring(void)
{
	struct frontend_info fi;
	struct map m;
	char err[256];

	map_single(&m);
	map_set(&m, "ctrl-ring-ref", "50");
	map_set(&m, "event-channel-ctrl", "7");
	CU_ASSERT_EQUAL(rd(&m, &fi, 8, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(fi.has_ctrl_ring);
	CU_ASSERT_EQUAL(fi.ctrl_ring_ref, 50);
	CU_ASSERT_EQUAL(fi.ctrl_evtchn, 7);
	map_set(&m, "event-channel-ctrl", NULL);
	CU_ASSERT_EQUAL(rd(&m, &fi, 8, err, sizeof(err)), -EPROTO);
	map_set(&m, "ctrl-ring-ref", NULL);
	CU_ASSERT_EQUAL(rd(&m, &fi, 8, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(fi.has_ctrl_ring);
}

static void
test_read_errors(void)
{
	struct frontend_info fi;
	struct map m;
	char err[256], tiny[6];
	bool b = false;
	uint16_t h = 1;

	/* A failed read (not "absent") is reported with its errno. */
	map_single(&m);
	m.fail_key = "rx-ring-ref";
	m.fail_errno = EACCES;
	CU_ASSERT_EQUAL(rd(&m, &fi, 8, err, sizeof(err)), -EACCES);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "reading rx-ring-ref"));
	m.fail_key = "feature-sg";
	m.fail_errno = EIO;
	CU_ASSERT_EQUAL(rd(&m, &fi, 8, err, sizeof(err)), -EIO);
	/* ENOENT is "absent": the default. */
	m.fail_errno = ENOENT;
	CU_ASSERT_EQUAL(rd(&m, &fi, 8, err, sizeof(err)), 0);

	/* Small or no message buffers. */
	map_single(&m);
	map_set(&m, "tx-ring-ref", "nope");
	CU_ASSERT_EQUAL(rd(&m, &fi, 8, tiny, sizeof(tiny)), -EINVAL);
	CU_ASSERT_EQUAL(strlen(tiny), sizeof(tiny) - 1);
	CU_ASSERT_EQUAL(rd(&m, &fi, 8, NULL, 0), -EINVAL);
	map_set(&m, "tx-ring-ref", NULL);
	CU_ASSERT_EQUAL(rd(&m, &fi, 8, NULL, 0), -EPROTO);

	/* The single-key readers. */
	map_single(&m);
	CU_ASSERT_EQUAL(frontend_read_flag(map_get, &m,
	    "request-multicast-control", true, &b, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(b);
	map_set(&m, "request-multicast-control", "0");
	CU_ASSERT_EQUAL(frontend_read_flag(map_get, &m,
	    "request-multicast-control", true, &b, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(b);
	CU_ASSERT_EQUAL(frontend_read_xdp_headroom(map_get, &m, &h, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(h, 0);
	map_set(&m, "xdp-headroom", "99999");
	CU_ASSERT_EQUAL(frontend_read_xdp_headroom(map_get, &m, &h, err,
	    sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(h, 0);
}

static void
test_parse_uint(void)
{
	static const struct {
		const char *s;
		uint64_t max;
		int rc;
		uint64_t v;
	} c[] = {
		{ "0", 10, 0, 0 }, { "10", 10, 0, 10 }, { "11", 10, -ERANGE, 0 },
		{ "007", 10, 0, 7 },
		{ "18446744073709551615", UINT64_MAX, 0, UINT64_MAX },
		{ "18446744073709551616", UINT64_MAX, -ERANGE, 0 },
		{ "99999999999999999999999999999", UINT64_MAX, -ERANGE, 0 },
		{ "4294967295", UINT32_MAX, 0, UINT32_MAX },
		{ "4294967296", UINT32_MAX, -ERANGE, 0 },
		{ "", 10, -EINVAL, 0 }, { " 1", 10, -EINVAL, 0 },
		{ "1 ", 10, -EINVAL, 0 }, { "-1", 10, -EINVAL, 0 },
		{ "+1", 10, -EINVAL, 0 }, { "0x1", 10, -EINVAL, 0 },
		{ "1e3", 10000, -EINVAL, 0 }, { "1.0", 10, -EINVAL, 0 },
		{ "99999999999999999999999x", UINT64_MAX, -EINVAL, 0 },
	};
	uint64_t v;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		v = 4242;
		rc = frontend_parse_uint(c[i].s, c[i].max, &v);
		CU_ASSERT_EQUAL(rc, c[i].rc);
		CU_ASSERT_EQUAL(v, rc == 0 ? c[i].v : 4242);
	}
}

static void
test_parse_bool(void)
{
	bool b;

	CU_ASSERT_EQUAL(frontend_parse_bool("1", &b), 0);
	CU_ASSERT_TRUE(b);
	CU_ASSERT_EQUAL(frontend_parse_bool("0", &b), 0);
	CU_ASSERT_FALSE(b);
	CU_ASSERT_EQUAL(frontend_parse_bool("00", &b), 0);
	CU_ASSERT_FALSE(b);
	CU_ASSERT_EQUAL(frontend_parse_bool("4294967295", &b), 0);
	CU_ASSERT_TRUE(b);
	CU_ASSERT_EQUAL(frontend_parse_bool("4294967296", &b), -EINVAL);
	CU_ASSERT_EQUAL(frontend_parse_bool("true", &b), -EINVAL);
	CU_ASSERT_EQUAL(frontend_parse_bool("", &b), -EINVAL);
	CU_ASSERT_EQUAL(frontend_parse_bool("1\n", &b), -EINVAL);
}

/* A reference for frontend_parse_uint, built on strtoull. */
static int
ref_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static uint64_t fuzz_state = 0x9e3779b97f4a7c15ull;

static uint32_t
fuzz_rand(void)
{
	/* xorshift64*, seeded: every run tests the same inputs. */
	fuzz_state ^= fuzz_state >> 12;
	fuzz_state ^= fuzz_state << 25;
	fuzz_state ^= fuzz_state >> 27;
	return (uint32_t)((fuzz_state * 2685821657736338717ull) >> 32);
}

/* A random value: mostly plausible numbers, sometimes junk. */
static void
fuzz_value(char *buf, size_t buflen)
{
	static const char *edge[] = {
		"0", "1", "2", "4", "8", "9", "32", "33", "4294967295",
		"4294967296", "18446744073709551615", "18446744073709551616",
		"-1", "+1", " 1", "1 ", "", "0x10", "yes", "007", "32767",
		"32768", "1\n",
	};
	static const char alpha[] = "0123456789 -+x:\n\t";
	size_t len, i;

	switch (fuzz_rand() % 4) {
	case 0:
		snprintf(buf, buflen, "%s",
		    edge[fuzz_rand() % (sizeof(edge) / sizeof(edge[0]))]);
		break;
	case 1:
		snprintf(buf, buflen, "%u", fuzz_rand() % 1000);
		break;
	case 2:
		len = fuzz_rand() % 24;
		for (i = 0; i < len && i + 1 < buflen; i++)
			buf[i] = alpha[fuzz_rand() % (sizeof(alpha) - 1)];
		buf[i] = '\0';
		break;
	default:
		/* Any bytes but NUL, up to 300 of them. */
		len = fuzz_rand() % 300;
		for (i = 0; i < len && i + 1 < buflen; i++)
			buf[i] = (char)(1 + fuzz_rand() % 255);
		buf[i] = '\0';
		break;
	}
}

static void
test_fuzz(void)
{
	static const char *keys[] = {
		"multi-queue-num-queues", "tx-ring-ref", "rx-ring-ref",
		"event-channel", "event-channel-tx", "event-channel-rx",
		"request-rx-copy", "feature-rx-notify", "feature-sg",
		"feature-gso-tcpv4", "feature-gso-tcpv6",
		"feature-gso-tcpv4-prefix", "feature-no-csum-offload",
		"feature-ipv6-csum-offload", "request-multicast-control",
		"ctrl-ring-ref", "event-channel-ctrl", "xdp-headroom",
		"queue-0/tx-ring-ref", "queue-0/rx-ring-ref",
		"queue-0/event-channel", "queue-0/event-channel-tx",
		"queue-0/event-channel-rx", "queue-1/tx-ring-ref",
		"queue-1/rx-ring-ref", "queue-1/event-channel",
		"queue-1/event-channel-tx", "queue-1/event-channel-rx",
	};
	enum { NKEYS = sizeof(keys) / sizeof(keys[0]) };
	static char vals[NKEYS][320];
	struct frontend_info fi;
	struct map m;
	char err[128], s[64];
	unsigned int iter, i, accepted = 0, maxq, lookups_max = 0;
	uint64_t a, b;
	uint8_t mac[6];
	int rc, rr;
	bool flag;

	for (iter = 0; iter < 20000; iter++) {
		memset(&m, 0, sizeof(m));
		/* Start from a valid set half of the time, then mutate. */
		if (fuzz_rand() % 2)
			map_single(&m);
		else
			map_multi(&m, "2", 2);
		for (i = 0; i < NKEYS; i++) {
			switch (fuzz_rand() % 8) {
			case 0:
				fuzz_value(vals[i], sizeof(vals[i]));
				map_set(&m, keys[i], vals[i]);
				break;
			case 1:
				map_set(&m, keys[i], NULL);
				break;
			default:
				break;
			}
		}
		maxq = fuzz_rand() % 40;
		memset(err, 0x7f, sizeof(err));
		rc = rd(&m, &fi, maxq, err, sizeof(err));
		CU_ASSERT_FATAL(memchr(err, '\0', sizeof(err)) != NULL);
		if (m.lookups > lookups_max)
			lookups_max = m.lookups;
		if (rc == 0) {
			accepted++;
			CU_ASSERT_FATAL(err[0] == '\0');
			CU_ASSERT_FATAL(fi.num_queues >= 1);
			CU_ASSERT_FATAL(fi.num_queues <= (maxq < 1 ? 1 : maxq));
			CU_ASSERT_FATAL(fi.num_queues <= FRONTEND_MAX_QUEUES);
			CU_ASSERT_FATAL(fi.rx_copy);
			CU_ASSERT_FATAL(fi.xdp_headroom < VIFD_PAGE_SIZE);
			for (i = 0; i < fi.num_queues; i++)
				CU_ASSERT_FATAL(fi.q[i].split ?
				    fi.q[i].evtchn_tx != fi.q[i].evtchn_rx :
				    fi.q[i].evtchn_tx == fi.q[i].evtchn_rx);
		} else {
			CU_ASSERT_FATAL(rc == -EINVAL || rc == -EPROTO);
			CU_ASSERT_FATAL(err[0] != '\0');
			CU_ASSERT_FATAL(strlen(err) < sizeof(err));
		}

		/* The parsers alone, against a strtoull reference. */
		fuzz_value(s, sizeof(s));
		a = b = 1;
		rc = frontend_parse_uint(s, UINT32_MAX, &a);
		rr = ref_parse_uint(s, UINT32_MAX, &b);
		CU_ASSERT_FATAL(rc == rr);
		CU_ASSERT_FATAL(rc != 0 || a == b);
		rc = frontend_parse_bool(s, &flag);
		CU_ASSERT_FATAL(rc == (rr == 0 ? 0 : -EINVAL));
		CU_ASSERT_FATAL(rc != 0 || flag == (b != 0));
		rc = strparse_mac(s, 0, mac);	/* the backend's `mac` rule */
		CU_ASSERT_FATAL(rc == 0 || rc == -EINVAL);
		CU_ASSERT_FATAL(rc != 0 || strlen(s) >= 11);
	}
	/* The mutations must reach both outcomes, and the number of lookups
	 * stays bounded (no loop over guest data runs away). */
	CU_ASSERT(accepted > 1000);
	CU_ASSERT(accepted < 19000);
	CU_ASSERT(lookups_max <= 4 + 5 * FRONTEND_MAX_QUEUES + 12);
}

/* A frontend that asks for everything, as a greedy one would. */
static void
map_greedy(struct map *m)
{
	map_single(m);
	map_set(m, "event-channel", NULL);
	map_set(m, "event-channel-tx", "17");
	map_set(m, "event-channel-rx", "18");
	map_set(m, "feature-sg", "1");
	map_set(m, "feature-gso-tcpv4", "1");
	map_set(m, "feature-gso-tcpv4-prefix", "1");
	map_set(m, "feature-gso-tcpv6", "1");
	map_set(m, "feature-ipv6-csum-offload", "1");
	map_set(m, "request-multicast-control", "1");
	map_set(m, "ctrl-ring-ref", "50");
	map_set(m, "event-channel-ctrl", "7");
	map_set(m, "xdp-headroom", "256");
}

/* Each mask bit: that request is ignored, every other one taken. */
static void
test_mask(void)
{
	struct frontend_info fi, all;
	struct map m;
	char err[256];
	unsigned int b;

	map_greedy(&m);
	CU_ASSERT_EQUAL_FATAL(rd(&m, &all, 8, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(all.sg && all.gso_tcpv4 && all.gso_tcpv4_prefix &&
	    all.gso_tcpv6 && all.csum_v4 && all.csum_v6 &&
	    all.mcast_control && all.has_ctrl_ring && all.q[0].split);
	CU_ASSERT_EQUAL(all.xdp_headroom, 256);
	/* Mask 0 is frontend_read. */
	CU_ASSERT_EQUAL_FATAL(frontend_read_masked(&fi, 8, 0, map_get, &m,
	    err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(memcmp(&fi, &all, sizeof(fi)), 0);

	for (b = 1; b <= FEATMASK_ALL; b <<= 1) {
		uint32_t off = featmask_closure(b);
		int rc;

		rc = frontend_read_masked(&fi, 8, b, map_get, &m, err,
		    sizeof(err));
		if (b == FEATMASK_SPLIT_EVTCHN) {
			/* Only the split pair was written: refused, and the
			 * message says why. */
			CU_ASSERT_EQUAL(rc, -EPROTO);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "missing "
			    "event-channel (split event channels are masked"));
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(rc, 0);
		CU_ASSERT_EQUAL(fi.sg, !(off & FEATMASK_SG));
		CU_ASSERT_EQUAL(fi.gso_tcpv4, !(off & FEATMASK_GSO_TCPV4));
		CU_ASSERT_EQUAL(fi.gso_tcpv4_prefix,
		    !(off & FEATMASK_GSO_TCPV4));
		CU_ASSERT_EQUAL(fi.gso_tcpv6, !(off & FEATMASK_GSO_TCPV6));
		CU_ASSERT_EQUAL(fi.csum_v4, !(off & FEATMASK_IPV4_CSUM));
		CU_ASSERT_EQUAL(fi.csum_v6, !(off & FEATMASK_IPV6_CSUM));
		CU_ASSERT_EQUAL(fi.mcast_control, !(off & FEATMASK_MCAST_CTRL));
		CU_ASSERT_EQUAL(fi.has_ctrl_ring, !(off & FEATMASK_CTRL_RING));
		CU_ASSERT_EQUAL(fi.xdp_headroom,
		    (off & FEATMASK_XDP_HEADROOM) ? 0 : 256);
		CU_ASSERT_TRUE(fi.q[0].split);
		CU_ASSERT_TRUE(fi.rx_copy);
	}

	/* Split masked, both kinds written: the shared channel is taken. */
	map_set(&m, "event-channel", "19");
	CU_ASSERT_EQUAL_FATAL(frontend_read_masked(&fi, 8,
	    FEATMASK_SPLIT_EVTCHN, map_get, &m, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(fi.q[0].split);
	CU_ASSERT_EQUAL(fi.q[0].evtchn_tx, 19);
	CU_ASSERT_EQUAL(fi.q[0].evtchn_rx, 19);
	/* Masked ctrl ring: even a broken ref is not looked at. */
	map_set(&m, "ctrl-ring-ref", "bad");
	map_set(&m, "xdp-headroom", "99999999");
	CU_ASSERT_EQUAL(frontend_read(&fi, 8, map_get, &m, err, sizeof(err)),
	    -EINVAL);
	CU_ASSERT_EQUAL(frontend_read_masked(&fi, 8, FEATMASK_CTRL_RING |
	    FEATMASK_XDP_HEADROOM, map_get, &m, err, sizeof(err)), 0);

	/* Multi-queue masked: at most one queue, whatever we were told. */
	map_multi(&m, "2", 2);
	CU_ASSERT_EQUAL(rd(&m, &fi, 8, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(fi.num_queues, 2);
	CU_ASSERT_EQUAL(frontend_read_masked(&fi, 8, FEATMASK_MULTI_QUEUE,
	    map_get, &m, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "must be 1 to 1"));
	map_multi(&m, "1", 0);
	map_set(&m, "tx-ring-ref", "8");
	map_set(&m, "rx-ring-ref", "9");
	map_set(&m, "event-channel", "17");
	CU_ASSERT_EQUAL(frontend_read_masked(&fi, 8, FEATMASK_MULTI_QUEUE,
	    map_get, &m, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(fi.num_queues, 1);
}

static CU_TestInfo frontend_tests[] = {
	{ "feature mask: masked requests ignored", test_mask },
	{ "single queue, shared and split", test_single_queue },
	{ "multi-queue 2 and 4", test_multi_queue },
	{ "table of bad and corner key sets", test_table },
	{ "feature flag defaults and values", test_flags },
	{ "control ring", test_ctrl_ring },
	{ "read errors and message buffers", test_read_errors },
	{ "parse_uint", test_parse_uint },
	{ "parse_bool", test_parse_bool },
	{ "seeded fuzz of key values", test_fuzz },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "frontend", NULL, NULL, NULL, NULL, frontend_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
