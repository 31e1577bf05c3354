/*
 * evil.c - scripted hostile frontends: the bad-input list of the research
 * notes (§1.8 and the XSAs of §5) played against a backend. Each attack
 * runs once, right after connecting, then reports what the backend
 * answered on lines starting "result: " (stdout) so tests can grep them;
 * afterwards vif-guest carries on as a quiet guest (RX ring kept full,
 * nothing sent) unless the attack is about RX buffers, which it keeps
 * spoiling. Owns the attacks and their reports; the rings and keys are
 * gq.c's and gbus.c's, bent here and there through hooks.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/io/xenbus.h>

#include "util/log.h"
#include "util/loop.h"
#include "vif-guest.h"

enum evil_kind {
	EVIL_TX,	/* crafted TX requests, answers reported */
	EVIL_RX,	/* spoiled RX buffers, RX counters reported */
	EVIL_KEYS,	/* spoiled frontend keys, backend state reported */
	EVIL_FLOOD,	/* xenstore or event channel flood */
	EVIL_CTRL,	/* control-ring requests (evil_ctrl.c) */
	EVIL_XDP,	/* netfront's XDP handshake, bent */
	EVIL_LIVE,	/* a connected frontend undoes its own connection */
};

struct evil_attack {
	const char *name;
	enum evil_kind kind;
	const char *what;
};

static const struct evil_attack evil_attacks[] = {
	{ "slots19", EVIL_TX, "a packet of 19 slots (first + 18: legal)" },
	{ "slots20", EVIL_TX, "a packet of 20 slots" },
	{ "slots21", EVIL_TX, "a packet of 21 slots" },
	{ "slots22", EVIL_TX, "a packet of 22 slots" },
	{ "page-cross", EVIL_TX, "a later slot with offset + size > 4096" },
	{ "runt", EVIL_TX, "first slot < 14 bytes: alone, and followed by "
	    "more" },
	{ "oversize", EVIL_TX, "a later slot larger than the rest of the "
	    "packet" },
	{ "missing-extra", EVIL_TX, "NETTXF_extra_info on the last published "
	    "slot" },
	{ "extra-type", EVIL_TX, "an extra of type 0 (NONE)" },
	{ "extra-type-max", EVIL_TX, "an extra of type XEN_NETIF_EXTRA_TYPE_MAX"
	},
	{ "gso-size0", EVIL_TX, "a GSO extra with size 0" },
	{ "gso-type", EVIL_TX, "a GSO extra of an unknown type (3)" },
	{ "gso-tcpv4", EVIL_TX, "a valid TCPv4 GSO frame, whatever the "
	    "backend advertised" },
	{ "partial", EVIL_TX, "NETTXF_more_data on the last published slot" },
	{ "req-prod-jump", EVIL_TX, "req_prod 1000 requests ahead" },
	{ "zero-len", EVIL_TX, "every slot after the first zero-length "
	    "(XSA-448)" },
	{ "tiny-header", EVIL_TX, "a 14-byte first slot and 18 slots of 1-7 "
	    "bytes (XSA-423/432)" },
	{ "mcast-unicast", EVIL_TX, "an MCAST_ADD of a unicast address" },
	{ "mcast-overflow", EVIL_TX, "70 MCAST_ADDs of distinct groups (the "
	    "bound is 64)" },
	{ "mcast-del-absent", EVIL_TX, "an MCAST_DEL of a group never added" },
	{ "mcast-both", EVIL_TX, "MCAST_DEL and MCAST_ADD in one chain, then "
	    "the DEL alone" },
	{ "bad-gref", EVIL_TX, "TX grefs: ungranted, out of range, reserved, "
	    "granted to another domain, frame outside memory, bad in slot 2" },
	{ "bad-gref-long", EVIL_TX, "a 3000-byte frame whose second slot's "
	    "ref is ungranted (a switch's one copy fails mid-frame)" },
	{ "rx-bad-gref", EVIL_RX, "RX buffers with bad grefs (ungranted, out "
	    "of range, read-only, another domain's)" },
	{ "rx-starve", EVIL_RX, "no RX buffers at all (XSA-392)" },
	{ "rx-starve1", EVIL_RX, "exactly one RX buffer (XSA-392, "
	    "CVE-2021-28714)" },
	{ "state-flood", EVIL_FLOOD, "rewrite our state node for --wait "
	    "seconds (XSA-349)" },
	{ "evtchn-storm", EVIL_FLOOD, "notify with no work for --wait "
	    "seconds (XSA-332)" },
	{ "ctrl-bad", EVIL_CTRL, "control-ring requests of every type with "
	  "bad parameters and grants that fail" },
	{ "ctrl-flood", EVIL_CTRL, "control-ring requests for --wait seconds" },
	{ "ctrl-prod-jump", EVIL_CTRL, "control ring req_prod 1000 ahead" },
	{ "keys-nq0", EVIL_KEYS, "multi-queue-num-queues = 0" },
	{ "keys-nq-big", EVIL_KEYS, "multi-queue-num-queues = max + 1" },
	{ "keys-ref-nan", EVIL_KEYS, "tx-ring-ref = \"nan\"" },
	{ "keys-no-evtchn", EVIL_KEYS, "ring refs without event channels" },
	{ "keys-no-rx-copy", EVIL_KEYS, "no request-rx-copy" },
	{ "xdp-reconf-early", EVIL_XDP, "Reconfiguring (headroom 256) instead "
	    "of Connected, right after publishing the rings" },
	{ "xdp-reconf-twice", EVIL_XDP, "Reconfiguring twice in a row, the "
	    "headroom changed in between" },
	{ "xdp-reconf-close", EVIL_XDP, "Reconfiguring, then Closing instead "
	    "of Connected" },
	{ "xdp-headroom-big", EVIL_XDP, "xdp-headroom 32768 (over "
	    "XEN_NETIF_MAX_XDP_HEADROOM)" },
	{ "xdp-headroom-page", EVIL_XDP, "xdp-headroom 4096 (no room left for "
	    "data)" },
	{ "xdp-headroom-nan", EVIL_XDP, "xdp-headroom \"256B\"" },
	{ "ring-ref-rewrite", EVIL_LIVE, "once connected, tx-ring-ref and "
	    "rx-ring-ref rewritten to an ungranted ref" },
	{ "evtchn-unbind", EVIL_LIVE, "once connected, the event channels "
	    "unbound" },
};

#define EVIL_NATTACKS	(sizeof(evil_attacks) / sizeof(evil_attacks[0]))

static const struct evil_attack *
evil_find(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < EVIL_NATTACKS; i++)
		if (strcmp(evil_attacks[i].name, name) == 0)
			return &evil_attacks[i];
	return NULL;
}

int
evil_check(const char *name)
{
	size_t i;

	if (name != NULL && strcmp(name, "list") == 0) {
		for (i = 0; i < EVIL_NATTACKS; i++)
			printf("%-16s %s\n", evil_attacks[i].name,
			    evil_attacks[i].what);
		return 1;
	}
	return evil_find(name) != NULL ? 0 : -EINVAL;
}

static bool
evil_is(const struct vg *vg, const char *name)
{
	return !vg->evil_done && strcmp(vg->o.attack, name) == 0;
}

/* ---- hooks into connecting ----------------------------------------------- */

void
evil_pre_connect(struct vg *vg)
{
	static const struct {
		const char *name;
		enum gkeys_evil k;
	} keys[] = {
		{ "keys-nq0", GKEYS_NQ0 },
		{ "keys-nq-big", GKEYS_NQ_BIG },
		{ "keys-ref-nan", GKEYS_REF_NAN },
		{ "keys-no-evtchn", GKEYS_NO_EVTCHN },
		{ "keys-no-rx-copy", GKEYS_NO_RX_COPY },
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (evil_is(vg, keys[i].name))
			vg->keys_evil = keys[i].k;
	/* The ctrl-* attacks need a control ring. */
	if (strncmp(vg->o.attack, "ctrl-", 5) == 0)
		vg->o.rss = true;
	if (evil_is(vg, "xdp-reconf-early") && vg->bf.xdp_headroom) {
		/* The rings go out with headroom 256 and Reconfiguring. */
		vg->xdp_headroom = 256;
		vg->connect_state = XenbusStateReconfiguring;
	}
}

/* The domain an entry is granted to when it must be "someone else":
 * the highest ordinary domid, unless that is the backend. */
static uint32_t
evil_other_domid(const struct vg *vg)
{
	uint32_t d = DOMID_FIRST_RESERVED - 1;

	if (d == vg->be_domid || d == vg->o.domid)
		d--;
	if (d == vg->be_domid || d == vg->o.domid)
		d--;
	return d;
}

/* A ref of our slice granted as asked (or left ungranted: to_domid
 * UINT32_MAX), for `pfn`. Returns the ref or 0. The ref is leaked: an
 * attack runs once. */
static uint32_t
evil_make_ref(struct vg *vg, uint32_t to_domid, uint32_t pfn, bool readonly)
{
	int64_t ref = galloc_ref(&vg->ga);

	if (ref < 0)
		return 0;
	xensim_grant_end(vg->dom, (uint32_t)ref);	/* a clean entry */
	if (to_domid != UINT32_MAX &&
	    xensim_grant_access(vg->dom, (uint32_t)ref, to_domid, pfn,
	    readonly) != 0)
		return 0;
	return (uint32_t)ref;
}

void
evil_pre_rx(struct vg *vg, struct gq *q)
{
	if (evil_is(vg, "rx-starve"))
		q->rx_target = 0;
	else if (evil_is(vg, "rx-starve1"))
		q->rx_target = 1;
	else if (evil_is(vg, "rx-bad-gref")) {
		uint32_t bad[4];
		unsigned int i;

		/* Ungranted; beyond the table; read-only (the backend's
		 * copy into it must fail); granted to another domain. */
		bad[0] = evil_make_ref(vg, UINT32_MAX, 0, false);
		bad[1] = XENSIM_GRANT_ENTRIES + 7;
		bad[2] = evil_make_ref(vg, vg->be_domid, q->rxbuf[0].pfn, true);
		bad[3] = evil_make_ref(vg, evil_other_domid(vg),
		    q->rxbuf[1].pfn, false);
		for (i = 0; i < VIFD_RX_RING_SIZE; i++)
			q->rxbad_refs[i] = bad[i % 4];
		q->rxbad = GQ_RXBAD_REFS;
	}
}

/* ---- TX attacks ----------------------------------------------------------- */

#define EVIL_MAX_SLOTS	32
#define EVIL_MAX_PKTS	72	/* mcast-overflow's 70 */

/* One crafted packet: its data slots and how its first request lies. */
struct evil_pkt {
	const char *desc;
	unsigned int nslots;
	uint16_t off[EVIL_MAX_SLOTS];
	uint16_t size[EVIL_MAX_SLOTS];	/* the size field; slot 0: see below */
	uint32_t ref[EVIL_MAX_SLOTS];	/* 0: a page of our pool */
	uint32_t first_size;		/* slot 0's size field; 0: the sum */
	uint16_t first_flags;		/* csum flags */
	bool extra;			/* an extra slot after the first */
	struct netif_extra_info ex;
	bool extra2;			/* ... and a second one */
	struct netif_extra_info ex2;
	bool extra_flag_only;		/* extra_info set, no extra slot */
	bool last_more;			/* more_data on the last slot too */
	/* filled when pushed */
	RING_IDX first, end;
};

struct evil_run {
	struct vg *vg;
	struct gq *q;
	uint8_t frame[GFRAME_MAX_LEN];
	struct evil_pkt pkt[EVIL_MAX_PKTS];
	unsigned int npkt;
	bool ring_spoiled;	/* a probe would be read as garbage */
	char seen[256];		/* backend states seen while waiting */
	int last_seen;
};

static void
evil_addr(const struct vg *vg, struct gframe_addr *a)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->src_mac, vg->mac, 6);
	memcpy(a->dst_mac, vg->o.dst_mac, 6);
	memcpy(a->saddr, vg->o.src_ip, 4);
	memcpy(a->daddr, vg->o.dst_ip, 4);
	a->sport = 9999;
	a->dport = 9;
}

/* A valid frame of `len` bytes in r->frame (bytes past a short frame's
 * end are a pattern: some attacks claim more than a frame holds). */
static void
evil_frame(struct evil_run *r, uint8_t proto, size_t len, bool csum_blank)
{
	struct gframe_addr a;
	struct gframe f;
	size_t min = (proto == IPPROTO_TCP) ? 54 : 42, i;

	evil_addr(r->vg, &a);
	for (i = 0; i < sizeof(r->frame); i++)
		r->frame[i] = (uint8_t)(i * 13 + 1);
	if (len >= min)
		gframe_build_len(proto, len, &a, csum_blank, r->frame,
		    sizeof(r->frame), &f);
	else
		gframe_build_len(proto, min, &a, csum_blank, r->frame,
		    sizeof(r->frame), &f);
}

/* Writes an extra-info slot at req_prod_pvt. */
static void
evil_put_extra(struct gq *q, const struct netif_extra_info *ex)
{
	*(struct netif_extra_info *)RING_GET_REQUEST(&q->tx,
	    q->tx.req_prod_pvt) = *ex;
	q->tx.req_prod_pvt++;
}

/* Writes one crafted packet at req_prod_pvt. The data behind slot i is
 * the next piece of r->frame, as much as fits its page. */
static int
evil_put(struct evil_run *r, struct evil_pkt *p)
{
	struct gq *q = r->q;
	unsigned int i, need = p->nslots + (p->extra ? 1 : 0) +
	    (p->extra2 ? 1 : 0);
	size_t done = 0;
	uint32_t total = 0;

	if (p->nslots == 0 || p->nslots > EVIL_MAX_SLOTS ||
	    need > RING_FREE_REQUESTS(&q->tx) || p->nslots > q->ntxfree)
		return -ENOSPC;
	for (i = 0; i < p->nslots; i++)
		total += p->size[i];
	p->first = q->tx.req_prod_pvt;
	for (i = 0; i < p->nslots; i++) {
		netif_tx_request_t *tx;
		uint16_t id = q->txfree[--q->ntxfree];
		size_t room = VIFD_PAGE_SIZE - (p->off[i] % VIFD_PAGE_SIZE);
		size_t n = p->size[i] < room ? p->size[i] : room;

		if (n > sizeof(r->frame) - done)
			n = sizeof(r->frame) - done;
		memcpy(q->txpool[id].va + p->off[i] % VIFD_PAGE_SIZE,
		    r->frame + done, n);
		done += n;
		q->txbusy[id] = true;
		q->txfirst[id] = 0;

		tx = RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt);
		q->tx.req_prod_pvt++;
		tx->gref = p->ref[i] != 0 ? p->ref[i] : q->txpool[id].ref;
		tx->id = id;
		tx->offset = p->off[i];
		tx->size = p->size[i];
		tx->flags = 0;
		if (i + 1 < p->nslots || p->last_more)
			tx->flags |= NETTXF_more_data;
		if (i == 0) {
			tx->size = (uint16_t)(p->first_size != 0 ?
			    p->first_size : total);
			tx->flags |= p->first_flags;
			if (p->extra || p->extra_flag_only)
				tx->flags |= NETTXF_extra_info;
			if (p->extra)
				evil_put_extra(q, &p->ex);
			if (p->extra2)
				evil_put_extra(q, &p->ex2);
		}
	}
	p->end = q->tx.req_prod_pvt;
	return 0;
}

/* Remembers the backend's state transitions while an attack runs. */
static void
evil_note_state(struct evil_run *r)
{
	size_t n = strlen(r->seen);

	if (r->vg->be_state == r->last_seen)
		return;
	r->last_seen = r->vg->be_state;
	snprintf(r->seen + n, sizeof(r->seen) - n, "%s%s", n ? "," : "",
	    gbus_state_str(r->vg->be_state));
}

/* Runs the queue's data path from this thread until `until_ns`, or until
 * `want` TX answers were recorded (0: the whole time). */
static void
evil_wait(struct evil_run *r, uint64_t until_ns, unsigned int want)
{
	struct gq *q = r->q;

	for (;;) {
		uint64_t now;

		gq_evtchn_drain(q);
		gq_tx_gc(q);
		gq_rx_poll(q);
		evil_note_state(r);
		if (want > 0 && q->nrec >= want)
			return;
		if (r->vg->sig_term || r->vg->fe_gone)
			return;
		now = loop_now_ns();
		if (now >= until_ns)
			return;
		gq_final_check(q);
		gbus_poll(r->vg, (until_ns - now) / 1000000 < 20 ?
		    (int)((until_ns - now) / 1000000) + 1 : 20);
	}
}

static const char *
evil_status_str(int16_t st, char *buf, size_t len)
{
	switch (st) {
	case NETIF_RSP_OKAY:
		return "OKAY";
	case NETIF_RSP_NULL:
		return "NULL";
	case NETIF_RSP_ERROR:
		return "ERROR";
	case NETIF_RSP_DROPPED:
		return "DROPPED";
	default:
		snprintf(buf, len, "status%d", st);
		return buf;
	}
}

/* "19 x OKAY, 1 x NULL" for the recorded answers with idx in [a, b). */
static void
evil_summary(const struct gq *q, RING_IDX a, RING_IDX b, char *out,
    size_t len)
{
	static const int16_t order[] = { NETIF_RSP_OKAY, NETIF_RSP_NULL,
	    NETIF_RSP_ERROR, NETIF_RSP_DROPPED };
	unsigned int i, k, cnt[4] = { 0 }, other = 0, n = 0;
	size_t o = 0;
	char tmp[16];
	int16_t other_st = 0;

	out[0] = '\0';
	for (i = 0; i < q->nrec; i++) {
		if ((RING_IDX)(q->rec[i].idx - a) >= (RING_IDX)(b - a))
			continue;
		n++;
		for (k = 0; k < 4; k++)
			if (q->rec[i].status == order[k])
				break;
		if (k < 4) {
			cnt[k]++;
		} else {
			other++;
			other_st = q->rec[i].status;
		}
	}
	if (n == 0) {
		snprintf(out, len, "none");
		return;
	}
	for (k = 0; k < 4; k++) {
		if (cnt[k] == 0)
			continue;
		o += (size_t)snprintf(out + o, len - o, "%s%u x %s",
		    o ? ", " : "", cnt[k], evil_status_str(order[k], tmp,
		    sizeof(tmp)));
		if (o >= len)
			return;
	}
	if (other > 0)
		snprintf(out + o, len - o, "%s%u x %s", o ? ", " : "", other,
		    evil_status_str(other_st, tmp, sizeof(tmp)));
}

/* One multicast dummy request: a first slot without data and an extra
 * of `type` for group 01:00:5e:7f:00:<low>, or for `addr` if not NULL. */
static void
evil_mcast_pkt(struct evil_pkt *p, const char *desc, uint8_t type,
    uint8_t low, const uint8_t *addr)
{
	static const uint8_t group[6] = { 0x01, 0x00, 0x5e, 0x7f, 0x00, 0 };

	p->desc = desc;
	p->nslots = 1;
	p->extra = true;
	p->ex.type = type;
	memcpy(p->ex.u.mcast.addr, addr != NULL ? addr : group, 6);
	if (addr == NULL)
		p->ex.u.mcast.addr[5] = low;
}

static void
evil_build_mcast(struct evil_run *r, const char *name)
{
	unsigned int i;

	if (strcmp(name, "mcast-unicast") == 0) {
		evil_mcast_pkt(&r->pkt[0], "MCAST_ADD 00:16:3e:7f:00:01",
		    XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0,
		    (const uint8_t[6]){ 0x00, 0x16, 0x3e, 0x7f, 0x00, 0x01 });
	} else if (strcmp(name, "mcast-overflow") == 0) {
		r->npkt = 70;
		for (i = 0; i < r->npkt; i++)
			evil_mcast_pkt(&r->pkt[i], "MCAST_ADD",
			    XEN_NETIF_EXTRA_TYPE_MCAST_ADD, (uint8_t)(i + 1),
			    NULL);
	} else if (strcmp(name, "mcast-del-absent") == 0) {
		evil_mcast_pkt(&r->pkt[0], "MCAST_DEL 01:00:5e:7f:00:01",
		    XEN_NETIF_EXTRA_TYPE_MCAST_DEL, 1, NULL);
	} else if (strcmp(name, "mcast-both") == 0) {
		/* Linux looks at ADD first and ignores the DEL beside it. */
		evil_mcast_pkt(&r->pkt[0], "MCAST_DEL + MCAST_ADD "
		    "01:00:5e:7f:00:01", XEN_NETIF_EXTRA_TYPE_MCAST_DEL, 1,
		    NULL);
		r->pkt[0].ex.flags = XEN_NETIF_EXTRA_FLAG_MORE;
		r->pkt[0].extra2 = true;
		r->pkt[0].ex2 = r->pkt[0].ex;
		r->pkt[0].ex2.type = XEN_NETIF_EXTRA_TYPE_MCAST_ADD;
		r->pkt[0].ex2.flags = 0;
		evil_mcast_pkt(&r->pkt[1], "MCAST_DEL 01:00:5e:7f:00:01",
		    XEN_NETIF_EXTRA_TYPE_MCAST_DEL, 1, NULL);
		r->npkt = 2;
	}
}

/* The packets of each TX attack. */
static void
evil_build(struct evil_run *r, const char *name)
{
	struct evil_pkt *p = &r->pkt[0];
	unsigned int i;

	memset(r->pkt, 0, sizeof(r->pkt));
	r->npkt = 1;
	if (strncmp(name, "slots", 5) == 0) {
		unsigned int n = (unsigned int)atoi(name + 5);

		/* n slots of 60 bytes: every slot holds part of a valid
		 * UDP frame of 60 n bytes. */
		evil_frame(r, IPPROTO_UDP, 60u * n, false);
		p->desc = name;
		p->nslots = n;
		for (i = 0; i < n; i++)
			p->size[i] = 60;
	} else if (strcmp(name, "page-cross") == 0) {
		evil_frame(r, IPPROTO_UDP, 200, false);
		p->desc = "slot 2 at offset 4050, 100 bytes";
		p->nslots = 2;
		p->size[0] = 100;
		p->off[1] = 4050;
		p->size[1] = 100;
	} else if (strcmp(name, "runt") == 0) {
		evil_frame(r, IPPROTO_UDP, 60, false);
		p->desc = "one slot of 10 bytes";
		p->nslots = 1;
		p->size[0] = 10;
		p = &r->pkt[1];
		r->npkt = 2;
		p->desc = "first slot 10 bytes, then 50";
		p->nslots = 2;
		p->size[0] = 10;
		p->size[1] = 50;
	} else if (strcmp(name, "oversize") == 0) {
		evil_frame(r, IPPROTO_UDP, 100, false);
		p->desc = "size 100, slot 2 of 200 bytes";
		p->nslots = 2;
		p->size[0] = 100;
		p->size[1] = 200;
		p->first_size = 100;
	} else if (strcmp(name, "missing-extra") == 0) {
		evil_frame(r, IPPROTO_UDP, 60, false);
		p->desc = "extra_info, no extra published";
		p->nslots = 1;
		p->size[0] = 60;
		p->extra_flag_only = true;
		r->ring_spoiled = true;
	} else if (strcmp(name, "extra-type") == 0 ||
	    strcmp(name, "extra-type-max") == 0) {
		evil_frame(r, IPPROTO_UDP, 60, false);
		p->desc = name[10] ? "extra of type MAX" : "extra of type 0";
		p->nslots = 1;
		p->size[0] = 60;
		p->extra = true;
		p->ex.type = name[10] ? XEN_NETIF_EXTRA_TYPE_MAX :
		    XEN_NETIF_EXTRA_TYPE_NONE;
	} else if (strncmp(name, "gso-", 4) == 0) {
		bool size0 = strcmp(name, "gso-size0") == 0;
		bool valid = strcmp(name, "gso-tcpv4") == 0;

		evil_frame(r, IPPROTO_TCP, 1514, true);
		p->desc = size0 ? "GSO size 0" : valid ? "GSO TCPv4, MSS 1448" :
		    "GSO type 3";
		p->nslots = 1;
		p->size[0] = 1514;
		p->off[0] = GQ_TX_HEADROOM;
		p->first_flags = NETTXF_csum_blank | NETTXF_data_validated;
		p->extra = true;
		p->ex.type = XEN_NETIF_EXTRA_TYPE_GSO;
		p->ex.u.gso.size = size0 ? 0 : 1448;
		p->ex.u.gso.type = size0 || valid ? XEN_NETIF_GSO_TYPE_TCPV4 :
		    3;
	} else if (strcmp(name, "partial") == 0) {
		evil_frame(r, IPPROTO_UDP, 200, false);
		p->desc = "2 slots published, more_data on the second";
		p->nslots = 2;
		p->size[0] = 100;
		p->size[1] = 100;
		p->first_size = 300;
		p->last_more = true;
		r->ring_spoiled = true;
	} else if (strcmp(name, "zero-len") == 0) {
		evil_frame(r, IPPROTO_UDP, 60, false);
		p->desc = "60 bytes, then 5 empty slots";
		p->nslots = 6;
		p->size[0] = 60;
	} else if (strcmp(name, "tiny-header") == 0) {
		uint32_t total = 14;

		/* 18 slots of 1..7 bytes after a 14-byte Ethernet header:
		 * the IP and UDP headers cut at every odd place. */
		p->nslots = 19;
		p->size[0] = 14;
		for (i = 1; i < 19; i++) {
			p->size[i] = (uint16_t)(1 + (5 * (i - 1)) % 7);
			total += p->size[i];
		}
		evil_frame(r, IPPROTO_UDP, total, false);
		p->desc = "19 slots, 83 bytes";
	} else if (strncmp(name, "mcast-", 6) == 0) {
		evil_build_mcast(r, name);
	} else if (strcmp(name, "bad-gref-long") == 0) {
		/* The head (all a switch port reads before it decides) is
		 * good; the rest is not, so a one copy guest to guest
		 * fails in the middle. */
		evil_frame(r, IPPROTO_UDP, 3000, false);
		p->desc = "3000 bytes, slot 2 ungranted";
		p->nslots = 2;
		p->size[0] = 1500;
		p->size[1] = 1500;
		p->ref[1] = evil_make_ref(r->vg, UINT32_MAX, 0, true);
	} else if (strcmp(name, "bad-gref") == 0) {
		struct vg *vg = r->vg;
		uint32_t npages = xensim_dom_npages(vg->dom);
		static const char *const desc[] = {
			"ungranted ref", "ref beyond the table",
			"reserved ref 1", "ref granted to another domain",
			"ref of a frame outside memory",
			"good slot 1, ungranted ref in slot 2",
		};

		evil_frame(r, IPPROTO_UDP, 120, false);
		r->npkt = 6;
		for (i = 0; i < 6; i++) {
			r->pkt[i].desc = desc[i];
			r->pkt[i].nslots = 1;
			r->pkt[i].size[0] = 60;
		}
		r->pkt[0].ref[0] = evil_make_ref(vg, UINT32_MAX, 0, true);
		r->pkt[1].ref[0] = XENSIM_GRANT_ENTRIES + 7;
		r->pkt[3].ref[0] = evil_make_ref(vg, evil_other_domid(vg),
		    r->q->txpool[0].pfn, true);
		r->pkt[4].ref[0] = evil_make_ref(vg, vg->be_domid,
		    npages + 16, true);
		/* Refs 0..7 are reserved (GNTTAB_NR_RESERVED_ENTRIES), never
		 * granted; 0 means "a page of ours" to evil_put, so use 1. */
		r->pkt[2].ref[0] = 1;
		r->pkt[5].nslots = 2;
		r->pkt[5].size[1] = 60;
		r->pkt[5].ref[1] = evil_make_ref(vg, UINT32_MAX, 0, true);
	}
}

/* A plain 60-byte frame; prints whether the backend still answers. */
static void
evil_probe(struct evil_run *r)
{
	struct gq *q = r->q;
	struct evil_pkt p;
	char sum[128];
	uint64_t until = loop_now_ns() +
	    (uint64_t)(r->vg->o.wait_s * 1e9);
	unsigned int before = q->nrec;

	if (r->ring_spoiled) {
		printf("result: probe: skipped (ring left inconsistent)\n");
		return;
	}
	if (r->vg->be_state != XenbusStateConnected) {
		printf("result: probe: skipped (backend %s)\n",
		    gbus_state_str(r->vg->be_state));
		return;
	}
	memset(&p, 0, sizeof(p));
	evil_frame(r, IPPROTO_UDP, 60, false);
	p.nslots = 1;
	p.size[0] = 60;
	if (evil_put(r, &p) != 0) {
		printf("result: probe: skipped (no room on the ring)\n");
		return;
	}
	gq_tx_push(q);
	evil_wait(r, until, before + 1);
	evil_summary(q, p.first, p.end, sum, sizeof(sum));
	printf("result: probe: %s\n", strcmp(sum, "none") == 0 ?
	    "no response" : sum);
}

/* After an attack: the rings kept moving for `wait_ns`, then the
 * backend's state, the states it went through, and a probe. */
static void
evil_judge(struct evil_run *r, uint64_t wait_ns)
{
	struct gq *q = r->q;

	evil_wait(r, loop_now_ns() + wait_ns, 0);
	printf("result: backend state: %s\n",
	    gbus_state_str(r->vg->be_state));
	printf("result: backend states seen: %s\n",
	    r->seen[0] ? r->seen : "(no change)");
	q->recording = true;
	q->nrec = 0;
	evil_probe(r);
	q->recording = false;
}

static void
evil_tx(struct evil_run *r, const char *name)
{
	struct gq *q = r->q;
	uint64_t until;
	unsigned int i, pushed = 0;
	char sum[256];

	evil_build(r, name);
	q->recording = true;
	q->nrec = 0;
	if (strcmp(name, "req-prod-jump") == 0) {
		/* Publish an index far beyond anything written. */
		RING_IDX fake = q->tx.req_prod_pvt + 1000;

		xen_wmb();
		q->tx.sring->req_prod = fake;
		xen_mb();
		r->vg->ops->evtchn_notify(q->evh, q->tx_port);
		r->ring_spoiled = true;
		printf("result: sent: req_prod = %u (req_prod_pvt %u, ring "
		    "size %u)\n", fake, q->tx.req_prod_pvt,
		    (unsigned int)RING_SIZE(&q->tx));
		r->npkt = 0;
	}
	for (i = 0; i < r->npkt; i++) {
		struct evil_pkt *p = &r->pkt[i];

		if (evil_put(r, p) != 0) {
			printf("result: packet %u (%s): not sent (no room)\n",
			    i + 1, p->desc);
			continue;
		}
		pushed += p->end - p->first;
		printf("result: sent: packet %u (%s): %u ring slot%s\n", i + 1,
		    p->desc, p->end - p->first,
		    p->end - p->first == 1 ? "" : "s");
	}
	if (r->npkt > 0)
		gq_tx_push(q);
	/* Missing-extra and partial leave requests the backend cannot
	 * finish: it may answer nothing; wait the whole time then. */
	until = loop_now_ns() + (uint64_t)(r->vg->o.wait_s * 1e9);
	evil_wait(r, until, r->ring_spoiled ? 0 : pushed);
	if (!r->ring_spoiled && q->nrec >= pushed) {
		/* All answered: give a fatal reaction a moment to show. */
		evil_wait(r, loop_now_ns() + 200000000u, 0);
	}
	for (i = 0; i < r->npkt; i++) {
		evil_summary(q, r->pkt[i].first, r->pkt[i].end, sum,
		    sizeof(sum));
		printf("result: packet %u: %s\n", i + 1, sum);
	}
	if (r->npkt > 0) {
		evil_summary(q, r->pkt[0].first, r->pkt[r->npkt - 1].end, sum,
		    sizeof(sum));
		printf("result: responses: %s\n", sum);
	} else {
		printf("result: responses: %s\n", q->nrec ? "some" : "none");
	}
	printf("result: backend state: %s\n",
	    gbus_state_str(r->vg->be_state));
	printf("result: backend states seen: %s\n",
	    r->seen[0] ? r->seen : "(no change)");
	evil_probe(r);
	q->recording = false;
}

static void
evil_rx(struct evil_run *r, const char *name)
{
	struct vg *vg = r->vg;
	uint64_t until = loop_now_ns() + (uint64_t)(vg->o.wait_s * 1e9);
	uint64_t frames = 0, errs = 0, serr = 0, sdrop = 0, sother = 0,
	    posted = 0;
	unsigned int i;

	printf("result: rx buffers: %s\n", strcmp(name, "rx-starve") == 0 ?
	    "none posted" : strcmp(name, "rx-starve1") == 0 ?
	    "1 posted per queue" : "256 bad grefs per queue");
	fflush(stdout);
	/* Every queue is watched from here for --wait: the workers start
	 * afterwards and keep the same behaviour. */
	while (loop_now_ns() < until && !vg->sig_term && !vg->fe_gone) {
		for (i = 0; i < vg->nq; i++) {
			gq_evtchn_drain(&vg->q[i]);
			gq_tx_gc(&vg->q[i]);
			gq_rx_poll(&vg->q[i]);
			gq_final_check(&vg->q[i]);
		}
		evil_note_state(r);
		gbus_poll(vg, 20);
	}
	for (i = 0; i < vg->nq; i++) {
		struct gq *q = &vg->q[i];

		frames += GQ_GET(q, rx_frames);
		errs += GQ_GET(q, rx_err_status);
		serr += GQ_GET(q, rx_status_error);
		sdrop += GQ_GET(q, rx_status_dropped);
		sother += GQ_GET(q, rx_status_other);
		posted += GQ_GET(q, rx_bufs_posted);
	}
	printf("result: rx: frames %llu errors %llu (ERROR %llu DROPPED %llu "
	    "other %llu) buffers posted %llu\n", (unsigned long long)frames,
	    (unsigned long long)errs, (unsigned long long)serr,
	    (unsigned long long)sdrop, (unsigned long long)sother,
	    (unsigned long long)posted);
	printf("result: backend state: %s\n", gbus_state_str(vg->be_state));
	printf("result: backend states seen: %s\n",
	    r->seen[0] ? r->seen : "(no change)");
}

static void
evil_flood(struct evil_run *r, const char *name)
{
	struct vg *vg = r->vg;
	struct gq *q = r->q;
	uint64_t until = loop_now_ns() + (uint64_t)(vg->o.wait_s * 1e9);
	uint64_t n = 0, errs = 0;
	char path[128];

	snprintf(path, sizeof(path), "%s/state", vg->fe);
	while (!vg->sig_term && !vg->fe_gone) {
		int rc;

		if ((n & 255) == 0) {
			if (loop_now_ns() >= until)
				break;
			/* Keep our own fds drained meanwhile. */
			gq_evtchn_drain(q);
			gq_tx_gc(q);
			gq_rx_poll(q);
			gbus_poll(vg, 0);
			evil_note_state(r);
		}
		if (strcmp(name, "state-flood") == 0) {
			/* The same value each time: a watch fires anyway. */
			rc = vg->ops->xs_write(vg->xs, XEN_TXN_NULL, path, "4",
			    1);
		} else {
			rc = vg->ops->evtchn_notify(q->evh, q->tx_port);
			if (rc == 0 && q->rx_port != q->tx_port)
				rc = vg->ops->evtchn_notify(q->evh,
				    q->rx_port);
		}
		if (rc != 0)
			errs++;
		n++;
	}
	printf("result: %s: %llu %s in %.1f s (%llu failed)\n", name,
	    (unsigned long long)n, strcmp(name, "state-flood") == 0 ?
	    "state writes" : "notifications", vg->o.wait_s,
	    (unsigned long long)errs);
	/* Let the backend catch up before judging it. */
	evil_judge(r, 500000000u);
}

/*
 * A connected frontend undoes its own connection (issue 15's faults):
 * rewrites queue 0's ring refs to a ref it never granted, or unbinds
 * queue 0's event channels. Linux's netback reads the refs and binds the
 * ports only at connect, so neither is seen at once; what is reported is
 * the backend's state after --wait and whether TX is still answered.
 */
static void
evil_live(struct evil_run *r, const char *name)
{
	struct vg *vg = r->vg;
	struct gq *q = r->q;
	const char *pre = vg->nq > 1 ? "queue-0/" : "";
	char path[64], val[16];
	int rc = 0;

	if (strcmp(name, "ring-ref-rewrite") == 0) {
		uint32_t bad = evil_make_ref(vg, UINT32_MAX, 0, false);

		snprintf(val, sizeof(val), "%u", bad);
		snprintf(path, sizeof(path), "%stx-ring-ref", pre);
		rc = gbus_write(vg, XEN_TXN_NULL, path, val);
		snprintf(path, sizeof(path), "%srx-ring-ref", pre);
		if (rc == 0)
			rc = gbus_write(vg, XEN_TXN_NULL, path, val);
		printf("result: ring refs rewritten to %u: %s\n", bad,
		    rc == 0 ? "done" : strerror(-rc));
	} else {
		rc = vg->ops->evtchn_unbind(q->evh, q->tx_port);
		if (rc == 0 && q->rx_port != q->tx_port)
			rc = vg->ops->evtchn_unbind(q->evh, q->rx_port);
		printf("result: event channels unbound: %s\n",
		    rc == 0 ? "done" : strerror(-rc));
	}
	fflush(stdout);
	evil_judge(r, (uint64_t)(vg->o.wait_s * 1e9));
}

/* The backend's verdict, after --wait: its state, the states it went
 * through, its error node. */
static void
evil_verdict(struct evil_run *r)
{
	struct vg *vg = r->vg;
	uint64_t until = loop_now_ns() + (uint64_t)(vg->o.wait_s * 1e9);
	const char *rel;
	char *err;
	char path[600];

	while (loop_now_ns() < until && !vg->sig_term && !vg->fe_gone) {
		gbus_poll(vg, 20);
		evil_note_state(r);
	}
	printf("result: backend state: %s\n", gbus_state_str(vg->be_state));
	printf("result: backend states seen: %s\n",
	    r->seen[0] ? r->seen : "(no change)");
	/* xenbus_dev_fatal's node: <backend's home>/error/<device path
	 * relative to that home>/error. */
	rel = strchr(vg->be + strlen("/local/domain/"), '/');
	err = NULL;
	if (rel != NULL) {
		snprintf(path, sizeof(path), "%.*s/error%s/error",
		    (int)(rel - vg->be), vg->be, rel);
		err = gbus_read(vg, path);
	}
	if (err == NULL) {
		snprintf(path, sizeof(path), "%s/error", vg->be);
		err = gbus_read(vg, path);
	}
	printf("result: backend error: %s\n", err != NULL ? err : "(none)");
	free(err);
}

/* Spoiled keys: the verdict is all there is to see. */
static void
evil_keys(struct evil_run *r)
{
	evil_verdict(r);
}

/* Waits up to --timeout for the backend's state to be in `mask`, the
 * queue's rings kept moving; the state then, or -ETIMEDOUT. */
static int
evil_wait_be(struct evil_run *r, unsigned int mask)
{
	struct vg *vg = r->vg;
	uint64_t until = loop_now_ns() + (uint64_t)vg->o.timeout_s *
	    1000000000u;

	for (;;) {
		evil_note_state(r);
		if (vg->be_state >= 0 && (mask & (1u << vg->be_state)))
			return vg->be_state;
		if (vg->sig_term || vg->fe_gone || loop_now_ns() >= until)
			return -ETIMEDOUT;
		gq_evtchn_drain(r->q);
		gq_rx_poll(r->q);
		gbus_poll(vg, 20);
	}
}

/* Our state node, rewritten even if it holds that value already (a
 * watch fires anyway). */
static void
evil_state(struct evil_run *r, int state)
{
	char path[128], val[8];

	snprintf(path, sizeof(path), "%s/state", r->vg->fe);
	snprintf(val, sizeof(val), "%d", state);
	if (r->vg->ops->xs_write(r->vg->xs, XEN_TXN_NULL, path, val,
	    (unsigned int)strlen(val)) != 0)
		log_warn("evil: writing %s", path);
	r->vg->fe_state = state;
}

/* netfront's xennet_xdp_set, bent by the attack `name`. */
static void
evil_xdp(struct evil_run *r, const char *name)
{
	static const struct {
		const char *name, *headroom;
	} bad[] = {
		{ "xdp-headroom-big", "32768" },
		{ "xdp-headroom-page", "4096" },
		{ "xdp-headroom-nan", "256B" },
		{ "xdp-reconf-twice", "256" },
		{ "xdp-reconf-close", "256" },
	};
	const unsigned int answer = (1u << XenbusStateReconfigured) |
	    (1u << XenbusStateClosing) | (1u << XenbusStateClosed);
	struct vg *vg = r->vg;
	const char *h = NULL;
	size_t i;
	int rc;

	if (!vg->bf.xdp_headroom) {
		printf("result: feature-xdp-headroom not offered\n");
		evil_verdict(r);
		return;
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strcmp(name, bad[i].name) == 0)
			h = bad[i].headroom;
	if (h != NULL) {
		rc = evil_wait_be(r, 1u << XenbusStateConnected);
		if (rc < 0) {
			printf("result: backend state: %s (never Connected)\n",
			    gbus_state_str(vg->be_state));
			return;
		}
		/* netfront's order: the state first, then the key. */
		evil_state(r, XenbusStateReconfiguring);
		if (gbus_write(vg, XEN_TXN_NULL, "xdp-headroom", h) != 0)
			log_warnx("evil: writing xdp-headroom");
	}
	/* xdp-reconf-early: Reconfiguring is what connecting wrote. */
	rc = evil_wait_be(r, answer);
	printf("result: answer to Reconfiguring: %s\n", rc < 0 ?
	    "none" : gbus_state_str(rc));
	if (strcmp(name, "xdp-reconf-twice") == 0 &&
	    rc == XenbusStateReconfigured) {
		evil_state(r, XenbusStateReconfiguring);
		if (gbus_write(vg, XEN_TXN_NULL, "xdp-headroom", "0") != 0)
			log_warnx("evil: writing xdp-headroom");
		evil_wait(r, loop_now_ns() + 500000000u, 0);
		printf("result: after Reconfiguring again: %s\n",
		    gbus_state_str(vg->be_state));
	}
	if (strcmp(name, "xdp-reconf-close") == 0) {
		evil_state(r, XenbusStateClosing);
		rc = evil_wait_be(r, (1u << XenbusStateClosing) |
		    (1u << XenbusStateClosed));
		printf("result: after Closing: %s\n", rc < 0 ? "no answer" :
		    gbus_state_str(rc));
		evil_verdict(r);
		return;
	}
	if (rc == XenbusStateReconfigured) {
		/* netfront: the program is in place; back to Connected. */
		evil_state(r, XenbusStateConnected);
		rc = evil_wait_be(r, 1u << XenbusStateConnected);
		printf("result: after Connected: %s\n", rc < 0 ? "no answer" :
		    gbus_state_str(rc));
	}
	evil_verdict(r);
	if (vg->be_state == XenbusStateConnected) {
		r->q->recording = true;
		r->q->nrec = 0;
		evil_probe(r);
		r->q->recording = false;
	}
}

void
evil_run(struct vg *vg)
{
	const struct evil_attack *a = evil_find(vg->o.attack);
	struct evil_run *r;
	int rc;

	if (a == NULL || vg->evil_done || vg->q == NULL)
		return;
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		log_warnx("evil: out of memory");
		return;
	}
	r->vg = vg;
	r->q = &vg->q[0];
	r->last_seen = vg->be_state;
	printf("result: attack: %s (%s)\n", a->name, a->what);
	fflush(stdout);

	if (a->kind == EVIL_TX || a->kind == EVIL_FLOOD ||
	    a->kind == EVIL_CTRL || a->kind == EVIL_LIVE) {
		/* Requests only get answers from a connected backend. */
		rc = gbus_wait_be(vg, 1u << XenbusStateConnected,
		    (int)vg->o.timeout_s * 1000, true);
		if (rc < 0) {
			printf("result: backend state: %s (never Connected)\n",
			    gbus_state_str(vg->be_state));
			goto out;
		}
		r->last_seen = vg->be_state;
	}
	switch (a->kind) {
	case EVIL_TX:
		evil_tx(r, a->name);
		break;
	case EVIL_RX:
		evil_rx(r, a->name);
		break;
	case EVIL_FLOOD:
		evil_flood(r, a->name);
		break;
	case EVIL_KEYS:
		evil_keys(r);
		break;
	case EVIL_CTRL:
		evil_ctrl(vg, a->name);
		break;
	case EVIL_XDP:
		evil_xdp(r, a->name);
		break;
	case EVIL_LIVE:
		evil_live(r, a->name);
		break;
	}
out:
	printf("result: done\n");
	fflush(stdout);
	vg->evil_done = true;
	free(r);
}
