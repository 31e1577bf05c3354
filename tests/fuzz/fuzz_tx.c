/*
 * fuzz_tx.c - libFuzzer target: the guest's TX ring through the whole TX
 * core, as the queue worker drives it (src/data/queue_tx.c): the
 * producer check, the slot copy, packets, the feature mask, grant-copy
 * segments, a fake grant copy, the virtio-net header for the TAP write
 * and the responses.
 *
 * The input is the frontend: where the ring's indices start (wrap-around
 * included), how far it moves req_prod (past RING_SIZE too), the vif's
 * feature mask, the raw 12-byte slots it publishes (the rest of the ring
 * holds stale bytes), then the contents of its granted pages; grants
 * whose low byte is 0xee fail to copy. Invariants checked beyond "no crash":
 *  - tx_ring_check: -EPROTO exactly when req_prod - req_cons > RING_SIZE;
 *  - every copy reads one granted page (offset + len <= 4096), none is
 *    empty, and an accepted packet's segments tile [0, len) in order,
 *    one per non-empty data slot of the packet (so a zero-length slot
 *    gets no copy), with that slot's gref and offset;
 *  - every consumed slot gets exactly one response, in its own ring
 *    position: its request's id for a data slot, NETIF_RSP_NULL for an
 *    extra; the response producer advances by what was consumed;
 *  - a NEEDS_CSUM header's checksum lies inside the frame, and the masked
 *    checksum completion never fails after it.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/featmask.h"
#include "core/mcast.h"
#include "core/tx.h"
#include "core/vnet_hdr.h"
#include "fuzz.h"

#define PAGE		4096u
#define DOMID		7

static uint8_t ring_page[PAGE] __attribute__((aligned(4096)));
static uint8_t pkt_buf[TX_MAX_PKT_LEN];

/* The guest's granted pages: grant g is page g % 16 of what is left of
 * the input after the slots (so the fuzzer writes the frames too), a
 * pattern where the input is shorter. */
static struct fz guest_mem;

static uint8_t
fake_byte(uint32_t gref, uint32_t b)
{
	size_t at = (size_t)(gref % 16) * PAGE + b;

	if (at < guest_mem.n)
		return guest_mem.p[at];
	return (uint8_t)(gref * 31 + b * 7 + (b >> 8));
}

/* The hypervisor's part: copies the segments from fake grants, refusing
 * grefs whose low byte is 0xee. */
static void
fake_copy(struct xen_copy_seg *segs, int n)
{
	int i;
	uint32_t b;

	for (i = 0; i < n; i++) {
		struct xen_copy_seg *s = &segs[i];

		if ((s->source.foreign.ref & 0xff) == 0xee) {
			s->status = GNTST_bad_gntref;
			continue;
		}
		for (b = 0; b < s->len; b++)
			((uint8_t *)s->dest.virt)[b] = fake_byte(
			    s->source.foreign.ref, s->source.foreign.offset + b);
		s->status = GNTST_okay;
	}
}

/* The packet against the raw slots it came from: data slot j is at
 * slots[0] (j = 0) or slots[nextras + j]; the first's bytes are the
 * total less the later ones'. */
static void
check_frags(const struct tx_pkt *pkt, const union tx_slot *slots)
{
	uint32_t later = 0, size, off = 0;
	unsigned int j, f = 0;

	FZ_CHECK(pkt->nslots == pkt->nextras + pkt->ndata);
	FZ_CHECK(pkt->ndata >= 1 && pkt->ndata <= TX_MAX_DATA_SLOTS);
	for (j = 1; j < pkt->ndata; j++)
		later += slots[pkt->nextras + j].req.size;
	for (j = 0; j < pkt->ndata; j++) {
		const netif_tx_request_t *r =
		    &slots[j == 0 ? 0 : pkt->nextras + j].req;

		FZ_CHECK(pkt->ids[j] == r->id);
		if (pkt->drop != TX_DROP_NONE || pkt->mcast)
			continue;
		size = j == 0 ? r->size - later : r->size;
		if (size == 0)
			continue;
		FZ_CHECK(f < pkt->nfrags);
		FZ_CHECK(pkt->frags[f].gref == r->gref);
		FZ_CHECK(pkt->frags[f].offset == r->offset);
		FZ_CHECK(pkt->frags[f].size == size);
		f++;
	}
	if (pkt->drop != TX_DROP_NONE || pkt->mcast)
		return;
	FZ_CHECK(f == pkt->nfrags);
	for (f = 0; f < pkt->nfrags; f++) {
		FZ_CHECK(pkt->frags[f].pkt_off == off);
		off += pkt->frags[f].size;
	}
	FZ_CHECK(off == pkt->len && pkt->len <= TX_MAX_PKT_LEN);
}

static void
check_segs(const struct tx_pkt *pkt, const struct xen_copy_seg *segs,
    int n)
{
	uint32_t off = 0;
	int i;

	FZ_CHECK(n == (int)pkt->nfrags);
	for (i = 0; i < n; i++) {
		const struct xen_copy_seg *s = &segs[i];

		FZ_CHECK(s->flags == GNTCOPY_source_gref);
		FZ_CHECK(s->status == GNTST_general_error);
		FZ_CHECK(s->len > 0);
		FZ_CHECK((uint32_t)s->source.foreign.offset + s->len <= PAGE);
		FZ_CHECK(s->source.foreign.domid == DOMID);
		FZ_CHECK((uint8_t *)s->dest.virt == pkt_buf + off);
		off += s->len;
	}
	FZ_CHECK(off == pkt->len);
}

/* The header for the TAP write of an accepted, copied packet. */
static void
check_vhdr(const struct tx_pkt *pkt, uint32_t mask)
{
	struct virtio_net_hdr vh;
	struct vnet_stats st;

	memset(&st, 0, sizeof(st));
	if (vnet_hdr_nettx2vhdr(pkt->flags, pkt->has_gso ? &pkt->gso : NULL,
	    pkt_buf, pkt->len, &vh, &st) != 0)
		return;
	if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		FZ_CHECK((uint32_t)vh.csum_start + vh.csum_offset + 2 <=
		    pkt->len);
	FZ_CHECK(vh.hdr_len <= pkt->len);
	if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		FZ_CHECK(vh.gso_size > 0 &&
		    (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM));
	FZ_CHECK(vnet_hdr_tx_masked_csum(&vh, pkt_buf, pkt->len, mask,
	    &st) == 0);
}

/* What the worker answers for one packet (queue_tx.c). */
static int16_t
serve_pkt(struct tx_pkt *pkt, struct mcast_list *ml, uint32_t mask)
{
	struct xen_copy_seg segs[TX_MAX_SEGS_PER_PKT];
	int n;

	if (pkt->drop != TX_DROP_NONE)
		return NETIF_RSP_ERROR;
	if (pkt->mcast)
		return mcast_list_apply(ml, pkt->mcast_op, pkt->mcast_addr) == 0 ?
		    NETIF_RSP_OKAY : NETIF_RSP_ERROR;
	n = tx_pkt2copyops(pkt, DOMID, pkt_buf, segs, TX_MAX_SEGS_PER_PKT);
	check_segs(pkt, segs, n);
	fake_copy(segs, n);
	if (tx_pkt_copy_status(pkt, segs) != GNTST_okay)
		return NETIF_RSP_ERROR;
	check_vhdr(pkt, mask);
	return NETIF_RSP_OKAY;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static union tx_slot slots[VIFD_TX_RING_SIZE];
	static union tx_slot raw[VIFD_TX_RING_SIZE];
	static bool is_extra[VIFD_TX_RING_SIZE];
	struct fz in = { data, size };
	netif_tx_sring_t *sring = (netif_tx_sring_t *)ring_page;
	netif_tx_back_ring_t back;
	struct mcast_list ml;
	struct tx_pkt pkt;
	RING_IDX start, req_prod;
	unsigned int i, off, posted;
	uint32_t mask;
	int n, r, fatal;

	/* The frontend's part: indices, the slots it writes, req_prod. */
	start = fz_u32(&in);
	posted = fz_u16(&in) % (2 * VIFD_TX_RING_SIZE);
	mask = featmask_closure(fz_u32(&in) & FEATMASK_ALL);
	memset(ring_page, 0xa5, sizeof(ring_page));
	SHARED_RING_INIT(sring);
	BACK_RING_INIT(&back, sring, PAGE);
	sring->req_prod = sring->rsp_prod = start;
	back.req_cons = back.rsp_prod_pvt = start;
	memset(raw, 0xa5, sizeof(raw));
	fz_bytes(&in, raw, sizeof(raw[0]) *
	    (posted < VIFD_TX_RING_SIZE ? posted : VIFD_TX_RING_SIZE));
	guest_mem = in;
	for (i = 0; i < VIFD_TX_RING_SIZE; i++)
		memcpy(RING_GET_REQUEST(&back, start + i), &raw[i],
		    sizeof(raw[i]));
	req_prod = start + posted;
	sring->req_prod = req_prod;
	mcast_list_init(&ml);

	/* The worker's sweep. */
	n = tx_ring_check(&back, ring_load_index(&sring->req_prod));
	FZ_CHECK((n == -EPROTO) == (posted > VIFD_TX_RING_SIZE));
	if (n < 0)
		return 0;
	FZ_CHECK((unsigned int)n == posted);
	tx_copy_slots(&back, back.req_cons, (unsigned int)n, slots);
	for (off = 0; off < (unsigned int)n; off += (unsigned int)r) {
		r = tx_ring2pkt(slots + off, (unsigned int)n - off,
		    back.req_cons, &pkt, &fatal);
		if (r < 0) {
			FZ_CHECK(r == -EPROTO && fatal != TX_FATAL_NONE);
			break;
		}
		FZ_CHECK(fatal == TX_FATAL_NONE);
		FZ_CHECK(r > 0 && (unsigned int)r <= (unsigned int)n - off);
		FZ_CHECK(pkt.start == back.req_cons &&
		    pkt.nslots == (unsigned int)r);
		check_frags(&pkt, slots + off);
		for (i = 0; i < pkt.nslots; i++)
			is_extra[off + i] = i >= 1 && i <= pkt.nextras;
		tx_pkt_apply_mask(&pkt, mask);
		tx_pkt2rsp(&pkt, &back, serve_pkt(&pkt, &ml, mask));
		back.req_cons += pkt.nslots;
		FZ_CHECK(back.rsp_prod_pvt == back.req_cons);
	}

	/* One response per consumed slot, in its own position. */
	for (i = 0; i < back.req_cons - start; i++) {
		const netif_tx_response_t *rsp =
		    RING_GET_RESPONSE(&back, start + i);

		if (is_extra[i]) {
			FZ_CHECK(rsp->status == NETIF_RSP_NULL);
			continue;
		}
		FZ_CHECK(rsp->id == raw[i].req.id);
		FZ_CHECK(rsp->status == NETIF_RSP_OKAY ||
		    rsp->status == NETIF_RSP_ERROR);
	}
	return 0;
}
