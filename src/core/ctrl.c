/*
 * ctrl.c - the control ring's requests (netif.h "Control messages") and
 * the hash state they set, for one vif.
 *
 * Owns what each XEN_NETIF_CTRL_TYPE_* request does to a struct
 * ctrl_hash and what it answers (the table in ctrl.h), and serving a
 * ring of them in bounded passes. Keys and mapping tables come through
 * the caller's copy function into buffers of ours, are checked there and
 * only then replace the old ones, so a bad or failed request leaves the
 * state as it was (Linux double-buffers the table for the same reason).
 * It does not own the ring page, the event channel or the thread: the
 * worker in src/data/ctrlring.c does.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "core/ctrl.h"

void
ctrl_hash_init(struct ctrl_hash *h)
{
	memset(h, 0, sizeof(*h));
	h->alg = XEN_NETIF_CTRL_HASH_ALGORITHM_NONE;
}

static uint32_t
ctrl_set_alg(struct ctrl_hash *h, uint32_t alg)
{
	if (alg != XEN_NETIF_CTRL_HASH_ALGORITHM_NONE &&
	    alg != XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ)
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	h->alg = alg;
	return XEN_NETIF_CTRL_STATUS_SUCCESS;
}

static uint32_t
ctrl_set_flags(struct ctrl_hash *h, uint32_t flags)
{
	if ((flags & ~HASH_TYPES_SUPPORTED) != 0 ||
	    h->alg == XEN_NETIF_CTRL_HASH_ALGORITHM_NONE)
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	h->flags = flags;
	return XEN_NETIF_CTRL_STATUS_SUCCESS;
}

static uint32_t
ctrl_set_key(struct ctrl_hash *h, const struct ctrl_env *env, uint32_t gref,
    uint32_t len)
{
	uint8_t key[HASH_KEY_MAX];

	if (len > HASH_KEY_MAX)
		return XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW;
	memset(key, 0, sizeof(key));
	if (len != 0 && env->copy(env->arg, gref, key, len) != 0)
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	memcpy(h->key, key, sizeof(key));
	return XEN_NETIF_CTRL_STATUS_SUCCESS;
}

static uint32_t
ctrl_set_mapping_size(struct ctrl_hash *h, uint32_t size)
{
	if (size > HASH_MAPPING_MAX)
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	h->size = size;
	memset(h->mapping, 0, sizeof(h->mapping));
	return XEN_NETIF_CTRL_STATUS_SUCCESS;
}

static uint32_t
ctrl_set_mapping(struct ctrl_hash *h, const struct ctrl_env *env,
    uint32_t gref, uint32_t len, uint32_t off)
{
	uint32_t part[HASH_MAPPING_MAX];
	uint32_t i;

	if (len > HASH_MAPPING_MAX)
		return XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW;
	/* len <= 128: off + len wraps only for off near 2^32. */
	if (off > h->size || len > h->size - off)
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	if (len == 0)
		return XEN_NETIF_CTRL_STATUS_SUCCESS;
	if (env->copy(env->arg, gref, part, len * (uint32_t)sizeof(part[0]))
	    != 0)
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	/* Checked in our copy: the frontend cannot change it meanwhile. */
	for (i = 0; i < len; i++)
		if (part[i] >= env->nqueues)
			return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	memcpy(&h->mapping[off], part, len * sizeof(part[0]));
	return XEN_NETIF_CTRL_STATUS_SUCCESS;
}

bool
ctrl_request(struct ctrl_hash *h, const struct ctrl_env *env,
    const struct xen_netif_ctrl_request *req,
    struct xen_netif_ctrl_response *rsp)
{
	uint32_t st = XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED, data = 0;
	bool changes = false;

	switch (req->type) {
	case XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM:
		st = ctrl_set_alg(h, req->data[0]);
		changes = true;
		break;
	case XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS:
		if (h->alg != XEN_NETIF_CTRL_HASH_ALGORITHM_NONE) {
			st = XEN_NETIF_CTRL_STATUS_SUCCESS;
			data = HASH_TYPES_SUPPORTED;
		}
		break;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS:
		st = ctrl_set_flags(h, req->data[0]);
		changes = true;
		break;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_KEY:
		st = ctrl_set_key(h, env, req->data[0], req->data[1]);
		changes = true;
		break;
	case XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE:
		st = XEN_NETIF_CTRL_STATUS_SUCCESS;
		data = HASH_MAPPING_MAX;
		break;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE:
		st = ctrl_set_mapping_size(h, req->data[0]);
		changes = true;
		break;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING:
		st = ctrl_set_mapping(h, env, req->data[0], req->data[1],
		    req->data[2]);
		changes = true;
		break;
	default:
		/* INVALID, the static-grant requests, unknown types. */
		break;
	}
	memset(rsp, 0, sizeof(*rsp));
	rsp->id = req->id;
	rsp->type = req->type;
	rsp->status = st;
	rsp->data = data;
	return changes && st == XEN_NETIF_CTRL_STATUS_SUCCESS;
}

int
ctrl_ring_serve(xen_netif_ctrl_back_ring_t *ring, struct ctrl_hash *h,
    const struct ctrl_env *env, bool *changed, bool *notify, bool *more)
{
	struct xen_netif_ctrl_request req;
	struct xen_netif_ctrl_response rsp;
	RING_IDX prod;
	unsigned int n = 0;
	int work = 0, nt = 0;

	*notify = false;
	*more = false;
	prod = ring_load_index(&ring->sring->req_prod);
	if (RING_REQUEST_PROD_OVERFLOW(ring, prod))
		return -EPROTO;
	while (ring->req_cons != prod && n < CTRL_BUDGET) {
		/* Once, through a volatile access (XSA-155). */
		RING_COPY_REQUEST(ring, ring->req_cons, &req);
		ring->req_cons++;
		if (ctrl_request(h, env, &req, &rsp))
			*changed = true;
		*RING_GET_RESPONSE(ring, ring->rsp_prod_pvt) = rsp;
		ring->rsp_prod_pvt++;
		n++;
	}
	if (n > 0) {
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(ring, nt);
		*notify = nt != 0;
	}
	if (ring->req_cons != prod)
		*more = true;
	else {
		RING_FINAL_CHECK_FOR_REQUESTS(ring, work);
		*more = work != 0;
	}
	return (int)n;
}
