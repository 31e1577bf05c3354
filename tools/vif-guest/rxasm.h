/*
 * rxasm.h - the simulated netfront's RX side: published RX responses ->
 * one frame (which slots hold its data, its flags and GSO extra), with the
 * checks Linux netfront makes (drivers/net/xen-netfront.c: xennet_poll,
 * xennet_get_responses, xennet_get_extras, xennet_set_skb_gso):
 *   - a response is written in the ring slot of the request it consumes,
 *     so data is found by ring index, never by the response's id;
 *   - NETRXF_extra_info on the first response: extras follow it, chained
 *     by XEN_NETIF_EXTRA_FLAG_MORE; a missing one, type 0 or type >=
 *     Linux's MAX (6: XEN_NETIF_EXTRA_TYPE_XDP included, see
 *     core/netif_xdp.h) is an error;
 *   - an XDP extra gives the first data slot's offset (its headroom), as
 *     netfront takes it (the response's own offset is not used for it);
 *   - NETRXF_more_data: the next response holds more of the frame; one
 *     that is not published yet is an error ("Need more slots");
 *   - status < 0, or offset + status > 4096: an error;
 *   - more than XEN_NETIF_NR_SLOTS_MIN data slots (one more if the first
 *     holds <= 256 bytes, RX_COPY_THRESHOLD) is an error ("Too many
 *     slots");
 *   - a GSO extra with size 0 or a type other than TCPV4/TCPV6 is an
 *     error.
 * On an error the frame is dropped but every slot it used is consumed, as
 * Linux does. Beyond netfront, the walk notes offsets a correct backend
 * never gives (bad_offset): a first response whose offset is not the
 * XDP headroom (0 without the extra), or a later one not at 0.
 * Pure: reads the ring it is given, nothing else.
 */
#ifndef VIFD_RXASM_H
#define VIFD_RXASM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ring.h"

/* Data slots accepted in one frame: XEN_NETIF_NR_SLOTS_MIN, plus one
 * when the first slot is small (Linux RX_COPY_THRESHOLD). */
#define RXASM_MAX_FRAGS		(XEN_NETIF_NR_SLOTS_MIN + 1)
#define RXASM_COPY_THRESHOLD	256

enum rxasm_err {
	RXASM_OK = 0,
	RXASM_ERR_STATUS,	/* a data response with status < 0 */
	RXASM_ERR_BOUNDS,	/* offset + status beyond the page */
	RXASM_ERR_EXTRA_MISSING,/* extra_info / FLAG_MORE, none published */
	RXASM_ERR_EXTRA_TYPE,	/* extra of type 0 or >= MAX */
	RXASM_ERR_MORE_SLOTS,	/* more_data on the last published response */
	RXASM_ERR_TOO_MANY,	/* more data slots than RXASM_MAX_FRAGS */
	RXASM_ERR_GSO,		/* GSO extra with size 0 or a bad type */
	RXASM_ERR_MAX
};

/* Short text for an RXASM_ERR_* ("status", ...); never NULL. */
const char *rxasm_err_str(int err);

struct rxasm_frag {
	RING_IDX idx;		/* ring index of the response (and request) */
	uint16_t offset;
	uint16_t len;
};

struct rxasm_frame {
	uint16_t flags;		/* the first response's NETRXF_* */
	bool has_gso;
	struct netif_extra_info gso;	/* valid when has_gso */
	bool has_hash;
	struct netif_extra_info hash;	/* valid when has_hash */
	bool has_xdp;			/* an XDP extra came ... */
	uint16_t xdp_headroom;		/* ... with this headroom */
	bool bad_offset;		/* see above; not a drop */
	uint32_t len;		/* sum of the data slots kept */
	unsigned int nfrags;	/* data slots kept in frags[] */
	struct rxasm_frag frags[RXASM_MAX_FRAGS];
	unsigned int consumed;	/* ring slots used: data + extras */
	unsigned int data_slots;/* data slots seen (may exceed nfrags) */
	int err;		/* RXASM_ERR_*: drop the frame */
	int16_t bad_status;	/* the first negative status, if any */
};

/*
 * Reads the frame starting at ring index `cons`, with responses published
 * up to `prod` (the caller read rsp_prod, checked it with
 * RING_RESPONSE_PROD_OVERFLOW and issued a read barrier). Each response
 * is copied out of the ring once.
 * Returns 0 with *f filled (f->err tells whether to drop it; either way
 * f->consumed slots are used up, at least 1), or -EAGAIN if cons == prod.
 */
int rxasm_next(const netif_rx_front_ring_t *ring, RING_IDX cons,
    RING_IDX prod, struct rxasm_frame *f);

#endif
