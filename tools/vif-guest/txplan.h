/*
 * txplan.h - how the simulated netfront lays a frame out on the TX ring.
 *
 * A frame to send is a list of pieces, each a run of bytes starting at
 * some offset in a run of consecutive pages (Linux: the skb's linear area
 * and its page fragments). txplan_build() turns it into the data slots
 * Linux netfront would put on the ring (xennet_start_xmit,
 * xennet_make_txreqs):
 *   - every piece is cut at page boundaries: one slot per page piece,
 *     pages before the piece's offset skipped;
 *   - a frame longer than XEN_NETIF_MAX_TX_SIZE (65535, the 16-bit size
 *     field) is dropped ("too big for wire format");
 *   - a layout needing more than TXPLAN_MAX_SLOTS slots (Linux:
 *     MAX_XEN_SKB_FRAGS + 1 = 65536 / 4096 + 2 = 18) is linearized: copied
 *     into fresh consecutive pages from offset 0, which needs at most 16;
 *   - a frame whose first slot would hold fewer than 14 (ETH_HLEN) bytes
 *     (Linux: a head with less room than that left in its page) is
 *     bounced to fresh pages too, so that the first slot carries the
 *     whole Ethernet header (netback drops shorter first slots);
 *   - a frame needing several slots is dropped when the backend did not
 *     advertise feature-sg.
 * txplan_to_ring() then writes the requests: the first slot has size =
 * the whole frame, the checksum flags, NETTXF_extra_info and
 * NETTXF_more_data; a GSO extra follows it directly; every data slot but
 * the last has NETTXF_more_data.
 *
 * Pure: no fd, no clock, no global state. txplan_to_ring() writes only the
 * ring memory it is given.
 */
#ifndef VIFD_TXPLAN_H
#define VIFD_TXPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ring.h"

/* Data slots a frame may use before it is linearized (see above). */
#define TXPLAN_MAX_SLOTS	18
/* Slots of a linearized frame: ceil(65535 / 4096). */
#define TXPLAN_LINEAR_SLOTS	16
/* Pieces a frame may be given in (Linux: MAX_SKB_FRAGS 17 + the head). */
#define TXPLAN_MAX_PIECES	64
/* Piece index of slots that refer to the linearized copy. */
#define TXPLAN_LINEAR		0xffffu
/* The shortest first slot a backend accepts (ETH_HLEN). */
#define TXPLAN_MIN_FIRST	14u

struct txplan_piece {
	uint32_t off;	/* from the start of the piece's first page; may
			 * exceed a page (whole pages are then skipped) */
	uint32_t len;
};

struct txplan_slot {
	uint16_t piece;		/* index into the pieces, or TXPLAN_LINEAR */
	uint16_t page;		/* page of that piece (or of the linear copy) */
	uint16_t offset;	/* within the page */
	uint16_t size;		/* data bytes in this slot */
};

struct txplan {
	uint32_t total;		/* frame length: the first slot's size */
	unsigned int nslots;	/* data slots (the GSO extra not counted) */
	unsigned int layout_slots; /* slots the given layout would need */
	bool linearized;	/* copy the frame into fresh pages first */
	bool bounced;		/* ... because of a short first piece */
	struct txplan_slot slots[TXPLAN_MAX_SLOTS];
};

/*
 * Plans the data slots of a frame given as npieces pieces (npieces <=
 * TXPLAN_MAX_PIECES; zero-length pieces take no slot). `sg`: the backend
 * advertised feature-sg.
 * Returns 0 and fills *p; when p->linearized, the caller copies the
 * frame into TXPLAN_LINEAR_SLOTS-at-most fresh pages, page k holding
 * bytes [4096 k, 4096 (k + 1)), and the slots refer to those pages.
 * Errors (the frame is dropped, as Linux netfront drops it):
 *  -EINVAL	no pieces, too many pieces, or a frame of 0 bytes;
 *  -EMSGSIZE	the frame is longer than XEN_NETIF_MAX_TX_SIZE;
 *  -EOPNOTSUPP	several slots are needed but the backend has no SG.
 */
int txplan_build(const struct txplan_piece *pieces, unsigned int npieces,
    bool sg, struct txplan *p);

/* Ring slots the frame takes: its data slots plus one per GSO extra. */
unsigned int txplan_ring_slots(const struct txplan *p, bool has_gso);

/*
 * Writes the frame's requests at ring->req_prod_pvt and advances it (the
 * caller pushes). refs[i] = { gref, id } of data slot i. csum_flags:
 * NETTXF_csum_blank / NETTXF_data_validated for the first slot. gso: the
 * GSO extra (type XEN_NETIF_EXTRA_TYPE_GSO) or NULL. The caller has
 * checked that txplan_ring_slots() requests are free. Returns the number
 * of ring slots written.
 */
struct txplan_ref {
	uint32_t gref;
	uint16_t id;
};
unsigned int txplan_to_ring(netif_tx_front_ring_t *ring,
    const struct txplan *p, const struct txplan_ref *refs,
    uint16_t csum_flags, const struct netif_extra_info *gso);

#endif
