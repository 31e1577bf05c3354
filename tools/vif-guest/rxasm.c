/*
 * rxasm.c - the simulated netfront's RX response walk: which ring slots
 * make up the next frame, its flags and GSO extra, and whether Linux
 * netfront would drop it (see rxasm.h for the rules and their source).
 * Owns only the walk over the responses; the RX buffers behind the slots,
 * and what is done with the frame, are the caller's.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "rxasm.h"
#include "core/netif_xdp.h"

static const char *const rxasm_err_names[RXASM_ERR_MAX] = {
	[RXASM_OK] = "ok",
	[RXASM_ERR_STATUS] = "status",
	[RXASM_ERR_BOUNDS] = "bounds",
	[RXASM_ERR_EXTRA_MISSING] = "extra_missing",
	[RXASM_ERR_EXTRA_TYPE] = "extra_type",
	[RXASM_ERR_MORE_SLOTS] = "more_slots",
	[RXASM_ERR_TOO_MANY] = "too_many_slots",
	[RXASM_ERR_GSO] = "gso",
};

const char *
rxasm_err_str(int err)
{
	if (err < 0 || err >= RXASM_ERR_MAX)
		return "unknown";
	return rxasm_err_names[err];
}

static void
rxasm_fail(struct rxasm_frame *f, int err)
{
	if (f->err == RXASM_OK)
		f->err = err;
}

/* One copy of a response slot (RING_COPY_RESPONSE: the backend may
 * rewrite it while we look, so it is read exactly once). */
static netif_rx_response_t
rxasm_copy(const netif_rx_front_ring_t *ring, RING_IDX idx)
{
	netif_rx_response_t r;

	RING_COPY_RESPONSE(ring, idx, &r);
	return r;
}

int
rxasm_next(const netif_rx_front_ring_t *ring, RING_IDX cons, RING_IDX prod,
    struct rxasm_frame *f)
{
	netif_rx_response_t rsp;
	RING_IDX i = cons;
	unsigned int max;
	uint16_t offset;

	memset(f, 0, sizeof(*f));
	if (cons == prod)
		return -EAGAIN;

	rsp = rxasm_copy(ring, i);
	f->flags = rsp.flags;
	max = XEN_NETIF_NR_SLOTS_MIN +
	    (rsp.status <= RXASM_COPY_THRESHOLD ? 1u : 0u);

	/* Extras follow the first response; each takes a ring slot. The
	 * walk never passes prod, so it is bounded by the ring size. */
	if (rsp.flags & NETRXF_extra_info) {
		struct netif_extra_info ex;

		do {
			netif_rx_response_t raw;

			if (i + 1 == prod) {
				rxasm_fail(f, RXASM_ERR_EXTRA_MISSING);
				break;
			}
			raw = rxasm_copy(ring, ++i);
			/* The extra overlays the 8-byte response slot. */
			memcpy(&ex, &raw, sizeof(ex));
			/* Linux's MAX is one past XDP. */
			if (ex.type == XEN_NETIF_EXTRA_TYPE_NONE ||
			    ex.type > XEN_NETIF_EXTRA_TYPE_XDP) {
				rxasm_fail(f, RXASM_ERR_EXTRA_TYPE);
			} else if (ex.type == XEN_NETIF_EXTRA_TYPE_GSO) {
				f->has_gso = true;
				f->gso = ex;
			} else if (ex.type == XEN_NETIF_EXTRA_TYPE_HASH) {
				f->has_hash = true;
				f->hash = ex;
			} else if (ex.type == XEN_NETIF_EXTRA_TYPE_XDP) {
				f->has_xdp = true;
				f->xdp_headroom =
				    netif_extra_xdp_headroom(&ex);
			}
		} while (ex.flags & XEN_NETIF_EXTRA_FLAG_MORE);
	}

	/* Data slots: the first response, then one per more_data. */
	for (;;) {
		f->data_slots++;
		/* netfront: rx->offset = xdp->u.xdp.headroom. */
		offset = rsp.offset;
		if (f->data_slots == 1 && f->has_xdp)
			offset = f->xdp_headroom;
		if (rsp.offset != (f->data_slots == 1 && f->has_xdp ?
		    f->xdp_headroom : 0))
			f->bad_offset = true;
		if (rsp.status < 0) {
			if (f->bad_status == 0)
				f->bad_status = rsp.status;
			rxasm_fail(f, RXASM_ERR_STATUS);
		} else if ((uint32_t)offset + (uint32_t)rsp.status >
		    VIFD_PAGE_SIZE) {
			rxasm_fail(f, RXASM_ERR_BOUNDS);
		} else if (f->nfrags < RXASM_MAX_FRAGS) {
			struct rxasm_frag *fr = &f->frags[f->nfrags++];

			/* The first data slot is the first response, the
			 * later ones follow the extras. */
			fr->idx = (f->data_slots == 1) ? cons : i;
			fr->offset = offset;
			fr->len = (uint16_t)rsp.status;
			f->len += fr->len;
		}
		if (!(rsp.flags & NETRXF_more_data))
			break;
		if (i + 1 == prod) {
			rxasm_fail(f, RXASM_ERR_MORE_SLOTS);
			break;
		}
		rsp = rxasm_copy(ring, ++i);
	}
	if (f->data_slots > max)
		rxasm_fail(f, RXASM_ERR_TOO_MANY);

	if (f->has_gso && (f->gso.u.gso.size == 0 ||
	    (f->gso.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
	    f->gso.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6)))
		rxasm_fail(f, RXASM_ERR_GSO);

	f->consumed = (unsigned int)(i - cons + 1);
	return 0;
}
