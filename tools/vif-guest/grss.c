/*
 * grss.c - vif-guest's Windows-like receive-side scaling: what the
 * Windows PV drivers (XENVIF) do with netif's control ring, and the
 * checks a test needs of what the backend then delivers.
 *
 * Owns the control ring's page, event channel and request ids; the
 * settings we ask for (Toeplitz, a key of our own, all four hash types, a
 * 64-entry mapping of our own over the queues); and, for every frame the
 * queues accept, the comparison of its HASH extra with our own Toeplitz
 * of the frame (netif.h's reference implementation, XEN_NETIF_DEFINE_
 * TOEPLITZ, and a header walk of our own: nothing of vifd's hash.c) and of
 * the queue it came on with the one our mapping names. Requests are sent
 * one at a time from the main thread, each waited for, as XENVIF does.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#define XEN_NETIF_DEFINE_TOEPLITZ
#include "core/ring.h"
#include "util/log.h"
#include "util/loop.h"
#include "vif-guest.h"

/* Our own key: not Microsoft's sample key, so that a backend that
 * ignored SET_HASH_KEY would be caught. */
static const uint8_t grss_key[GRSS_KEY_LEN] = {
	0x3c, 0x91, 0x07, 0xe2, 0x5a, 0x18, 0xc4, 0x7d,
	0x0b, 0xf6, 0x23, 0x9e, 0x71, 0x4a, 0xd8, 0x35,
	0xa2, 0x6f, 0x1c, 0xe9, 0x57, 0x80, 0x3b, 0xc6,
	0x14, 0xdd, 0x62, 0x09, 0xfa, 0x4e, 0x97, 0x28,
	0x5d, 0xb3, 0x06, 0x71, 0xce, 0x2a, 0x85, 0x1f,
};

int
grss_setup(struct vg *vg)
{
	struct grss *r = &vg->rss;
	const struct xen_ops *ops = vg->ops;
	int rc, port;

	memset(r, 0, sizeof(*r));
	if ((rc = galloc_grant(vg, &r->ring, false)) != 0 ||
	    (rc = galloc_grant(vg, &r->key, true)) != 0 ||
	    (rc = galloc_grant(vg, &r->map, true)) != 0) {
		log_warnx("rss: granting the control ring: %s", strerror(-rc));
		goto fail;
	}
	SHARED_RING_INIT((xen_netif_ctrl_sring_t *)r->ring.va);
	FRONT_RING_INIT(&r->fr, (xen_netif_ctrl_sring_t *)r->ring.va,
	    VIFD_PAGE_SIZE);
	r->evh = ops->evtchn_open(vg->env);
	if (r->evh == NULL) {
		rc = -errno;
		log_warn("rss: opening an event channel");
		goto fail;
	}
	port = ops->evtchn_bind_unbound(r->evh, vg->be_domid);
	if (port < 0) {
		rc = port;
		log_warnx("rss: allocating an event channel: %s",
		    strerror(-rc));
		goto fail;
	}
	r->port = (uint32_t)port;
	r->set_up = true;
	return 0;
fail:
	grss_teardown(vg);
	return rc;
}

int
grss_keys(struct vg *vg, xen_txn_t t, const char **what)
{
	char v[16];
	int rc;

	*what = "ctrl-ring-ref";
	snprintf(v, sizeof(v), "%u", vg->rss.ring.ref);
	if ((rc = gbus_write(vg, t, "ctrl-ring-ref", v)) != 0)
		return rc;
	*what = "event-channel-ctrl";
	snprintf(v, sizeof(v), "%u", vg->rss.port);
	return gbus_write(vg, t, "event-channel-ctrl", v);
}

void
grss_teardown(struct vg *vg)
{
	struct grss *r = &vg->rss;

	__atomic_store_n(&r->ready, 0, __ATOMIC_RELEASE);
	if (r->evh != NULL)
		vg->ops->evtchn_close(r->evh);
	r->evh = NULL;
	if (r->ring.ref != 0)
		(void)galloc_ungrant(vg, &r->ring);
	if (r->key.ref != 0)
		(void)galloc_ungrant(vg, &r->key);
	if (r->map.ref != 0)
		(void)galloc_ungrant(vg, &r->map);
	r->set_up = false;
}

int
grss_request(struct vg *vg, uint16_t type, uint32_t d0, uint32_t d1,
    uint32_t d2, uint32_t *data)
{
	struct grss *r = &vg->rss;
	const struct xen_ops *ops = vg->ops;
	struct xen_netif_ctrl_request *req;
	uint64_t end = loop_now_ns() + (uint64_t)vg->o.timeout_s * 1000000000ull;
	uint16_t id = r->next_id++;
	struct pollfd pfd;
	int notify, port;

	if (!r->set_up)
		return -ENOTCONN;
	req = RING_GET_REQUEST(&r->fr, r->fr.req_prod_pvt);
	req->id = id;
	req->type = type;
	req->data[0] = d0;
	req->data[1] = d1;
	req->data[2] = d2;
	r->fr.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&r->fr, notify);
	if (notify)
		(void)ops->evtchn_notify(r->evh, r->port);
	pfd.fd = ops->evtchn_fd(r->evh);
	pfd.events = POLLIN;
	while (loop_now_ns() < end) {
		RING_IDX prod = r->fr.sring->rsp_prod;

		xen_rmb();
		while (r->fr.rsp_cons != prod) {
			struct xen_netif_ctrl_response rsp =
			    *RING_GET_RESPONSE(&r->fr, r->fr.rsp_cons);

			r->fr.rsp_cons++;
			if (rsp.id != id)
				continue;	/* an earlier, abandoned one */
			if (data != NULL)
				*data = rsp.data;
			return (int)rsp.status;
		}
		r->fr.sring->rsp_event = r->fr.rsp_cons + 1;
		xen_mb();
		if (r->fr.sring->rsp_prod != prod)
			continue;
		(void)poll(&pfd, 1, 100);
		while ((port = ops->evtchn_pending(r->evh)) >= 0)
			(void)ops->evtchn_unmask(r->evh, (uint32_t)port);
	}
	return -ETIMEDOUT;
}

/* One request that must succeed; logs what it got otherwise. */
static int
grss_must(struct vg *vg, const char *what, uint16_t type, uint32_t d0,
    uint32_t d1, uint32_t d2, uint32_t *data)
{
	int st = grss_request(vg, type, d0, d1, d2, data);

	if (st == XEN_NETIF_CTRL_STATUS_SUCCESS)
		return 0;
	if (st < 0)
		log_warnx("rss: %s: no answer: %s", what, strerror(-st));
	else
		log_warnx("rss: %s: status %d", what, st);
	return st < 0 ? st : -EPROTO;
}

int
grss_configure(struct vg *vg)
{
	struct grss *r = &vg->rss;
	uint32_t flags = 0, max = 0, i;
	int rc;

	if (!r->set_up)
		return 0;
	memcpy(r->keyv, grss_key, sizeof(r->keyv));
	memcpy(r->key.va, r->keyv, sizeof(r->keyv));
	/* Our own table: not the modular one, so a backend that used
	 * hash % queues instead would be caught. */
	for (i = 0; i < GRSS_MAP_SIZE; i++)
		r->mapping[i] = (vg->nq - 1u) - ((i / 3u) % vg->nq);
	memcpy(r->map.va, r->mapping, sizeof(r->mapping));
	if ((rc = grss_must(vg, "SET_HASH_ALGORITHM",
	    XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM,
	    XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ, 0, 0, NULL)) != 0 ||
	    (rc = grss_must(vg, "GET_HASH_FLAGS",
	    XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS, 0, 0, 0, &flags)) != 0 ||
	    (rc = grss_must(vg, "SET_HASH_KEY", XEN_NETIF_CTRL_TYPE_SET_HASH_KEY,
	    r->key.ref, GRSS_KEY_LEN, 0, NULL)) != 0 ||
	    (rc = grss_must(vg, "GET_HASH_MAPPING_SIZE",
	    XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE, 0, 0, 0, &max)) != 0)
		return rc;
	if (max < GRSS_MAP_SIZE) {
		log_warnx("rss: the backend's table holds %u entries, we "
		    "want %u", max, GRSS_MAP_SIZE);
		return -EPROTO;
	}
	r->flags = flags & (XEN_NETIF_CTRL_HASH_TYPE_IPV4 |
	    XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP | XEN_NETIF_CTRL_HASH_TYPE_IPV6 |
	    XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP);
	if ((rc = grss_must(vg, "SET_HASH_FLAGS",
	    XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS, r->flags, 0, 0, NULL)) != 0 ||
	    (rc = grss_must(vg, "SET_HASH_MAPPING_SIZE",
	    XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE, GRSS_MAP_SIZE, 0, 0,
	    NULL)) != 0 ||
	    (rc = grss_must(vg, "SET_HASH_MAPPING",
	    XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, r->map.ref, GRSS_MAP_SIZE,
	    0, NULL)) != 0)
		return rc;
	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
	log_info("rss: ready: Toeplitz, flags 0x%x, %u-entry mapping over %u "
	    "queues", r->flags, GRSS_MAP_SIZE, vg->nq);
	return 0;
}

/*
 * Our own flow input (netif.h "Hash types"): Ethernet without tags, IPv4
 * or IPv6 without extension headers, TCP ports for an unfragmented
 * segment when the TCP type is on. Returns its length and *htype, or 0.
 */
static size_t
grss_input(const uint8_t *p, size_t len, uint32_t flags, uint8_t *in,
    uint8_t *htype)
{
	size_t l4;
	bool tcp;

	if (len < 14)
		return 0;
	if (p[12] == 0x08 && p[13] == 0x00 && len >= 14 + 20 &&
	    (p[14] >> 4) == 4) {
		l4 = 14 + (size_t)(p[14] & 0xf) * 4;
		tcp = p[14 + 9] == 6 && (p[14 + 6] & 0x3f) == 0 &&
		    p[14 + 7] == 0 && len >= l4 + 20;
		memcpy(in, p + 14 + 12, 8);
		if (tcp && (flags & XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP)) {
			memcpy(in + 8, p + l4, 4);
			*htype = _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP;
			return 12;
		}
		if (flags & XEN_NETIF_CTRL_HASH_TYPE_IPV4) {
			*htype = _XEN_NETIF_CTRL_HASH_TYPE_IPV4;
			return 8;
		}
		return 0;
	}
	if (p[12] == 0x86 && p[13] == 0xdd && len >= 14 + 40 &&
	    (p[14] >> 4) == 6) {
		tcp = p[14 + 6] == 6 && len >= 14 + 40 + 20;
		memcpy(in, p + 14 + 8, 32);
		if (tcp && (flags & XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP)) {
			memcpy(in + 32, p + 14 + 40, 4);
			*htype = _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP;
			return 36;
		}
		/* Extension headers: leave it to a fuller parser. */
		if (p[14 + 6] != 6 && p[14 + 6] != 17 && p[14 + 6] != 58)
			return 0;
		if (flags & XEN_NETIF_CTRL_HASH_TYPE_IPV6) {
			*htype = _XEN_NETIF_CTRL_HASH_TYPE_IPV6;
			return 32;
		}
	}
	return 0;
}

void
grss_check(struct gq *q, const struct rxasm_frame *f)
{
	struct grss *r = &q->vg->rss;
	const struct rxasm_frag *fr = &f->frags[0];
	const uint8_t *p;
	uint8_t in[36], htype = 0;
	uint32_t want, got;
	unsigned int queue;
	size_t n;

	if (!__atomic_load_n(&r->ready, __ATOMIC_ACQUIRE) || f->nfrags == 0)
		return;
	if (f->has_hash)
		GQ_ADD(q, rx_hash_extra, 1);
	/* The headers are in the first data slot (a full page but the
	 * last, so any header fits). */
	p = q->rxbuf[fr->idx % VIFD_RX_RING_SIZE].va + fr->offset;
	n = grss_input(p, fr->len, r->flags, in, &htype);
	if (n == 0)
		return;		/* not a frame we hash: nothing to check */
	if (!f->has_hash) {
		GQ_ADD(q, rx_hash_missing, 1);
		return;
	}
	want = xen_netif_toeplitz_hash(r->keyv, GRSS_KEY_LEN, in,
	    (unsigned int)n);
	got = (uint32_t)f->hash.u.hash.value[0] |
	    (uint32_t)f->hash.u.hash.value[1] << 8 |
	    (uint32_t)f->hash.u.hash.value[2] << 16 |
	    (uint32_t)f->hash.u.hash.value[3] << 24;
	if (got == want && f->hash.u.hash.type == htype &&
	    f->hash.u.hash.algorithm == XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ)
		GQ_ADD(q, rx_hash_ok, 1);
	else
		GQ_ADD(q, rx_hash_bad, 1);
	queue = r->mapping[want % GRSS_MAP_SIZE];
	if (queue == q->id)
		GQ_ADD(q, rx_rss_queue_ok, 1);
	else
		GQ_ADD(q, rx_rss_queue_bad, 1);
}
