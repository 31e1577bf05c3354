/*
 * fuzz_rx.c - libFuzzer target: frames from the TAP, with their
 * virtio-net headers, through the RX core into the requests a frontend
 * posted, as the queue worker drives it (src/data/queue_rx.c): the
 * header -> netif flags and GSO extra, rx_frame2slots per frame against
 * the producer read once, rx_ring_wait_slots when that is not enough,
 * a batch flushed when the segments run out, a fake grant copy and
 * rx_slots2rsp in order.
 *
 * The input plays the frontend and the host: the ring's starting index,
 * the features it negotiated, how many requests it posts and their raw
 * 8-byte bodies, and per frame: where it moves req_prod next (forwards,
 * or backwards, between the worker's two reads of it, as a hostile
 * frontend can), the virtio header, the frame's length and bytes, a
 * HASH extra and an XDP headroom. Invariants beyond "no crash":
 *  - req_prod checks answer 0..RING_SIZE, 1/0, or -EPROTO, and nothing
 *    else, whatever req_prod the frontend shows;
 *  - every copy writes inside one granted page (offset + len <= 4096),
 *    none is empty, and a frame's copies read it whole, in order;
 *  - a frame consumes exactly rx_slots_needed() requests, and every
 *    consumed request gets exactly one response, in its own slot: its
 *    id and the bytes copied (or the copy's error) for a data slot, an
 *    extra of the right type for the others;
 *  - a NEEDS_CSUM header that is accepted has its checksum inside the
 *    frame (or was completed here).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/rx.h"
#include "core/vnet_hdr.h"
#include "fuzz.h"

#define PAGE		4096u
#define DOMID		9
#define MAX_FRAMES	6
#define MAX_SEGS	64

static uint8_t ring_page[PAGE] __attribute__((aligned(4096)));
/* One byte more than a frame can be: read_frame takes lengths up to
 * RX_MAX_FRAME_LEN + 1, to see the core refuse them. */
static uint8_t frames[MAX_FRAMES][RX_MAX_FRAME_LEN + 1];
static netif_rx_request_t posted_req[VIFD_RX_RING_SIZE];

struct batch {
	netif_rx_back_ring_t back;
	struct xen_copy_seg segs[MAX_SEGS];
	unsigned int nsegs, npend, max_segs;
	struct rx_pending pend[MAX_FRAMES];
	RING_IDX start;
};

/* What a frame's consumed requests and segments must look like. */
static void
check_planned(const struct batch *b, const struct rx_frame *f,
    const struct rx_pending *p, unsigned int seg0, int r)
{
	uint32_t done = 0;
	unsigned int i;

	FZ_CHECK((unsigned int)r == rx_slots_needed(f) &&
	    p->nslots == (unsigned int)r);
	for (i = 0; i < p->nslots; i++) {
		const struct rx_slot *s = &p->slot[i];
		const struct xen_copy_seg *g;

		FZ_CHECK(s->id == posted_req[(p->first + i - b->start) %
		    VIFD_RX_RING_SIZE].id);
		if (s->extra)
			continue;
		FZ_CHECK(s->seg == seg0++ && s->seg < b->nsegs);
		g = &b->segs[s->seg];
		FZ_CHECK(g->flags == GNTCOPY_dest_gref && g->len > 0 &&
		    g->len == s->len);
		FZ_CHECK((uint32_t)g->dest.foreign.offset + g->len <= PAGE);
		FZ_CHECK(g->dest.foreign.domid == DOMID);
		FZ_CHECK((const uint8_t *)g->source.virt == f->data + done);
		done += g->len;
	}
	FZ_CHECK(seg0 == b->nsegs && done == f->len);
}

/* The grant copy (grefs with low byte 0xee fail) and the responses. */
static void
flush(struct batch *b)
{
	unsigned int i, k;

	for (i = 0; i < b->nsegs; i++)
		b->segs[i].status = (b->segs[i].dest.foreign.ref & 0xff) ==
		    0xee ? GNTST_bad_gntref : GNTST_okay;
	for (k = 0; k < b->npend; k++) {
		const struct rx_pending *p = &b->pend[k];

		rx_slots2rsp(p, b->segs, &b->back);
		for (i = 0; i < p->nslots; i++) {
			const netif_rx_response_t *rsp =
			    RING_GET_RESPONSE(&b->back, p->first + i);
			const struct netif_extra_info *ex =
			    (const struct netif_extra_info *)rsp;

			if (p->slot[i].extra) {
				FZ_CHECK(ex->type == p->extra[i - 1].type);
				continue;
			}
			FZ_CHECK(rsp->id == p->slot[i].id);
			FZ_CHECK(rsp->status < 0 ||
			    rsp->status == (int16_t)p->slot[i].len);
		}
	}
	FZ_CHECK(b->back.rsp_prod_pvt == b->back.req_cons);
	b->nsegs = b->npend = 0;
}

/* Reads one frame and its header off the input; false to drop it. */
static bool
read_frame(struct fz *in, uint8_t *buf, const struct vnet_features *peer,
    struct rx_frame *f)
{
	struct virtio_net_hdr vh;
	struct vnet_stats st;
	uint8_t x = fz_u8(in);
	int r;

	memset(f, 0, sizeof(*f));
	memset(&st, 0, sizeof(st));
	fz_bytes(in, &vh, sizeof(vh));
	f->len = fz_u32(in) % (RX_MAX_FRAME_LEN + 2);
	f->xdp_headroom = x & 0x80 ? fz_u16(in) % 4100 : 0;
	fz_bytes(in, buf, f->len);
	f->data = buf;
	r = vnet_hdr_vhdr2netrx(&vh, buf, f->len, peer, &f->flags,
	    &f->has_gso, &f->gso, &st);
	if (r != 0)
		return false;
	if ((vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && st.csum_fixup == 0)
		FZ_CHECK((uint32_t)vh.csum_start + vh.csum_offset + 2 <= f->len);
	if (x & 0x40) {
		f->has_hash = true;
		f->hash.type = x & 0x20 ? XEN_NETIF_EXTRA_TYPE_GSO :
		    XEN_NETIF_EXTRA_TYPE_HASH;
		f->hash.u.hash.type = x & 7;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct batch b;
	struct fz in = { data, size };
	netif_rx_sring_t *sring = (netif_rx_sring_t *)ring_page;
	struct vnet_features peer;
	struct rx_frame f[MAX_FRAMES];
	uint8_t feat;
	unsigned int i, k, nposted;
	RING_IDX rp;
	int r;

	b.start = fz_u32(&in);
	feat = fz_u8(&in);
	peer.csum_ipv4 = feat & 1;
	peer.csum_ipv6 = feat & 2;
	peer.gso_tcpv4 = feat & 4;
	peer.gso_tcpv6 = feat & 8;
	peer.sg = feat & 16;
	b.max_segs = 1 + fz_u8(&in) % MAX_SEGS;
	nposted = fz_u16(&in) % (VIFD_RX_RING_SIZE + 1);
	memset(ring_page, 0xa5, sizeof(ring_page));
	SHARED_RING_INIT(sring);
	BACK_RING_INIT(&b.back, sring, PAGE);
	b.back.req_cons = b.back.rsp_prod_pvt = b.start;
	sring->rsp_prod = b.start;
	fz_bytes(&in, posted_req, sizeof(posted_req[0]) * nposted);
	for (i = 0; i < VIFD_RX_RING_SIZE; i++)
		*RING_GET_REQUEST(&b.back, b.start + i) = posted_req[i];
	sring->req_prod = b.start + nposted;
	b.nsegs = b.npend = 0;

	/* The worker's pass: req_prod read once, again only on -ENOSPC. */
	rp = ring_load_index(&sring->req_prod);
	for (k = 0; k < MAX_FRAMES && in.n > 0; k++) {
		/* The frontend moves req_prod, maybe backwards. */
		sring->req_prod += (RING_IDX)(int32_t)(int8_t)fz_u8(&in);
		if (!read_frame(&in, frames[k], &peer, &f[k]))
			continue;
		r = rx_requests_available(&b.back, rp);
		FZ_CHECK(r == -EPROTO ||
		    (r >= 0 && r <= (int)VIFD_RX_RING_SIZE));
		for (;;) {
			unsigned int seg0 = b.nsegs;

			r = rx_frame2slots(&f[k], &b.back, rp, DOMID, b.segs,
			    &b.nsegs, b.max_segs, &b.pend[b.npend]);
			if (r > 0) {
				check_planned(&b, &f[k], &b.pend[b.npend],
				    seg0, r);
				b.npend++;
				break;
			}
			FZ_CHECK(b.nsegs == seg0);
			if (r == -ENOBUFS && b.npend > 0) {
				flush(&b);
				continue;
			}
			if (r == -ENOSPC) {
				r = rx_ring_wait_slots(&b.back,
				    rx_slots_needed(&f[k]), &rp);
				FZ_CHECK(r == 1 || r == 0 || r == -EPROTO);
				if (r == 1)
					continue;
				FZ_CHECK(r == 0 || rx_requests_available(
				    &b.back, rp) == -EPROTO);
			}
			FZ_CHECK(r == 0 || r == -EPROTO || r == -ENOBUFS ||
			    r == -EMSGSIZE || r == -EINVAL);
			break;
		}
		if (r == -EPROTO || r == 0)
			break;	/* fatal, or waiting for the frontend */
	}
	flush(&b);
	return 0;
}
