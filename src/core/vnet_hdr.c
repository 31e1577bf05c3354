/*
 * vnet_hdr.c - netif checksum flags and GSO extras <-> struct
 * virtio_net_hdr.
 *
 * Owns the offload contract between a netif ring and an IFF_VNET_HDR
 * TAP: which checksum states and GSO types cross, where the checksum of
 * a netif packet is (netif does not say: we parse, as Linux netback's
 * checksum_setup does), when a partial checksum must be forced (GSO
 * without csum_blank, Linux rx_gso_checksum_fixup) or completed in
 * software (the receiver cannot take it). It owns neither the slots (tx.c,
 * rx.c) nor the TAP (tap_linux.c, which maps these features to its
 * TUNSETOFFLOAD bits).
 *
 * The two netif -> virtio directions share one core (netif2vhdr), the two
 * virtio -> netif directions another (vhdr2netif): backend and simulated
 * netfront apply the same rules with the TX and RX flag bits, which sit
 * at different positions.
 */
#include "config.h"

#include <errno.h>
#include <linux/if_ether.h>	/* ETH_HLEN */
#include <netinet/in.h>		/* IPPROTO_* */
#include <string.h>

#include "core/csum.h"
#include "core/featmask.h"
#include "core/hdr.h"
#include "core/vnet_hdr.h"

/* Checksum field offsets (RFC 9293 §3.1, RFC 768): what csum_offset
 * must be for the receiver to recognise a plain TCP/UDP checksum. */
#define TCP_CSUM_OFF	16
#define UDP_CSUM_OFF	6

_Static_assert(sizeof(struct netif_extra_info) == 8,
    "an extra-info overlays an 8-byte RX slot");

static const char *const drop_names[VNET_DROP_MAX] = {
	[VNET_DROP_NONE] = "none",
	[VNET_DROP_CSUM_PARSE] = "checksum offload without TCP/UDP header",
	[VNET_DROP_CSUM_RANGE] = "checksum start/offset outside the frame",
	[VNET_DROP_GSO_TYPE] = "gso type or size",
	[VNET_DROP_GSO_PARSE] = "gso frame is not TCP of its family",
	[VNET_DROP_GSO_FEATURE] = "gso not negotiated",
};

const char *
vnet_drop_str(int reason)
{
	if (reason < 0 || reason >= VNET_DROP_MAX)
		return "unknown";
	return drop_names[reason];
}

static int
drop(struct vnet_stats *st, enum vnet_drop why, int err)
{
	st->drops[why]++;
	return err;
}

/* Offset of the TCP/UDP checksum in a parsed frame, 0 if there is none
 * that checksum offload could mean (Linux skb_checksum_setup_ip). */
static uint32_t
l4_csum_off(const struct hdr_info *hi)
{
	if ((hi->l3 != HDR_L3_IPV4 && hi->l3 != HDR_L3_IPV6) ||
	    hi->fragment || hi->l4_hdr_len == 0)
		return 0;
	if (hi->l4_proto == IPPROTO_TCP)
		return TCP_CSUM_OFF;
	if (hi->l4_proto == IPPROTO_UDP)
		return UDP_CSUM_OFF;
	return 0;
}

bool
vnet_hdr_takes_gso(const struct vnet_features *f, uint8_t gso_type)
{
	switch (gso_type) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return f->gso_tcpv4 && f->sg && f->csum_ipv4;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return f->gso_tcpv6 && f->sg && f->csum_ipv6;
	default:
		return false;
	}
}

/*
 * netif -> virtio. csum_blank/validated: the packet's checksum flags
 * (TX or RX bits already decoded); gso: the GSO extra or NULL.
 */
static int
netif2vhdr(bool csum_blank, bool validated, const struct netif_extra_info *gso,
    uint8_t *frame, size_t len, struct virtio_net_hdr *vh,
    struct vnet_stats *st)
{
	struct hdr_info hi;
	uint32_t off, hdr_len;
	uint8_t want;

	memset(vh, 0, sizeof(*vh));
	if (gso != NULL && (gso->type != XEN_NETIF_EXTRA_TYPE_GSO ||
	    gso->u.gso.size == 0 ||
	    (gso->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
	     gso->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6)))
		return drop(st, VNET_DROP_GSO_TYPE, -EINVAL);

	if (!csum_blank && gso == NULL) {
		if (validated)
			vh->flags = VIRTIO_NET_HDR_F_DATA_VALID;
		return 0;
	}

	if (hdr_parse(frame, len, &hi) < 0 || (off = l4_csum_off(&hi)) == 0)
		return drop(st, gso != NULL ? VNET_DROP_GSO_PARSE :
		    VNET_DROP_CSUM_PARSE, -EPROTO);
	/* l4_off + l4_hdr_len <= l3_end <= len; a 16-bit field must hold it
	 * (IPv6 extension chains are bounded, but check anyway). */
	hdr_len = hi.l4_off + hi.l4_hdr_len;
	if (hdr_len > UINT16_MAX)
		return drop(st, gso != NULL ? VNET_DROP_GSO_PARSE :
		    VNET_DROP_CSUM_PARSE, -EPROTO);

	if (gso != NULL) {
		want = gso->u.gso.type == XEN_NETIF_GSO_TYPE_TCPV4 ?
		    HDR_L3_IPV4 : HDR_L3_IPV6;
		if (hi.l4_proto != IPPROTO_TCP || hi.l3 != want)
			return drop(st, VNET_DROP_GSO_PARSE, -EPROTO);
		/*
		 * A GSO frame must be CHECKSUM_PARTIAL; some buggy frontends
		 * do not say so. Force it, as Linux does: the TCP checksum
		 * field must then hold the pseudo-header sum that segmentation
		 * adjusts per segment.
		 */
		if (!csum_blank) {
			(void)csum_set_partial(frame, &hi);
			st->gso_fixup++;
		}
		vh->gso_type = want == HDR_L3_IPV4 ? VIRTIO_NET_HDR_GSO_TCPV4 :
		    VIRTIO_NET_HDR_GSO_TCPV6;
		vh->gso_size = gso->u.gso.size;
	}
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = (uint16_t)hi.l4_off;
	vh->csum_offset = (uint16_t)off;
	/* Exact for GSO (the TAP copies this much into the linear part and
	 * segments after it); a hint otherwise. */
	vh->hdr_len = (uint16_t)hdr_len;
	return 0;
}

/*
 * True if a receiver with features `peer` finds this partial checksum by
 * itself, parsing as Linux's skb_checksum_setup does.
 */
static bool
peer_reparses(const struct hdr_info *hi, uint32_t start, uint32_t offset,
    const struct vnet_features *peer)
{
	uint32_t off = l4_csum_off(hi);

	if (off == 0 || hi->l3_off != ETH_HLEN || start != hi->l4_off ||
	    offset != off)
		return false;
	return hi->l3 == HDR_L3_IPV4 ? peer->csum_ipv4 : peer->csum_ipv6;
}

/* virtio -> netif; blank and validated receive the checksum flags.
 * as_is: frame is only read; where a byte would change (a checksum to
 * force or to complete), -EAGAIN instead. */
static int
vhdr2netif(const struct virtio_net_hdr *vh, uint8_t *frame, size_t len,
    const struct vnet_features *peer, bool *blank, bool *validated,
    bool *has_gso, struct netif_extra_info *gso, struct vnet_stats *st,
    bool as_is)
{
	struct hdr_info hi;
	uint8_t want;
	int r;

	*blank = *validated = *has_gso = false;
	memset(gso, 0, sizeof(*gso));

	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		/* UDP (UFO), UDP_L4 (USO) and the ECN bit have no netif
		 * equivalent: XEN_NETIF_GSO_TYPE_* knows TCPV4 and TCPV6. */
		if (vh->gso_type != VIRTIO_NET_HDR_GSO_TCPV4 &&
		    vh->gso_type != VIRTIO_NET_HDR_GSO_TCPV6)
			return drop(st, VNET_DROP_GSO_TYPE, -EOPNOTSUPP);
		if (vh->gso_size == 0)
			return drop(st, VNET_DROP_GSO_TYPE, -EINVAL);
		if (!vnet_hdr_takes_gso(peer, vh->gso_type))
			return drop(st, VNET_DROP_GSO_FEATURE, -EOPNOTSUPP);
		want = vh->gso_type == VIRTIO_NET_HDR_GSO_TCPV4 ?
		    HDR_L3_IPV4 : HDR_L3_IPV6;
		if (hdr_parse(frame, len, &hi) < 0 ||
		    l4_csum_off(&hi) != TCP_CSUM_OFF || hi.l3 != want)
			return drop(st, VNET_DROP_GSO_PARSE, -EPROTO);
		if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
			if (vh->csum_start != hi.l4_off ||
			    vh->csum_offset != TCP_CSUM_OFF)
				return drop(st, VNET_DROP_GSO_PARSE, -EPROTO);
		} else if (as_is) {
			return -EAGAIN;
		} else {
			(void)csum_set_partial(frame, &hi);
			st->gso_fixup++;
		}
		/*
		 * XXX A GSO frame with a VLAN tag passes: Linux netfront
		 * cannot parse it and drops it (as it would behind Linux
		 * netback); other frontends may cope. Completing it would
		 * need software segmentation.
		 */
		*blank = *validated = true;
		*has_gso = true;
		gso->type = XEN_NETIF_EXTRA_TYPE_GSO;
		gso->flags = 0;
		gso->u.gso.size = vh->gso_size;
		gso->u.gso.type = want == HDR_L3_IPV4 ?
		    XEN_NETIF_GSO_TYPE_TCPV4 : XEN_NETIF_GSO_TYPE_TCPV6;
		gso->u.gso.pad = 0;
		gso->u.gso.features = 0;
		return 0;
	}

	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if ((size_t)vh->csum_start + vh->csum_offset + 2 > len)
			return drop(st, VNET_DROP_CSUM_RANGE, -EINVAL);
		if (hdr_parse(frame, len, &hi) == 0 &&
		    peer_reparses(&hi, vh->csum_start, vh->csum_offset, peer)) {
			*blank = *validated = true;
			return 0;
		}
		if (as_is)
			return -EAGAIN;
		r = csum_complete_partial(frame, len, vh->csum_start,
		    vh->csum_offset);
		if (r < 0)	/* range checked above; cannot happen */
			return drop(st, VNET_DROP_CSUM_RANGE, r);
		st->csum_fixup++;
		*validated = true;
		return 0;
	}

	if (vh->flags & VIRTIO_NET_HDR_F_DATA_VALID)
		*validated = true;
	return 0;
}

int
vnet_hdr_nettx2vhdr(uint16_t txflags, const struct netif_extra_info *gso,
    uint8_t *frame, size_t len, struct virtio_net_hdr *vh,
    struct vnet_stats *st)
{
	return netif2vhdr(txflags & NETTXF_csum_blank,
	    txflags & NETTXF_data_validated, gso, frame, len, vh, st);
}

int
vnet_hdr_tx_masked_csum(struct virtio_net_hdr *vh, uint8_t *frame,
    size_t len, uint32_t off, struct vnet_stats *st)
{
	struct hdr_info hi;
	uint32_t bit;
	int r;

	if (!(off & (FEATMASK_IPV4_CSUM | FEATMASK_IPV6_CSUM)) ||
	    !(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
	    vh->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return 0;
	/* nettx2vhdr parsed it already; NEEDS_CSUM means it parsed. */
	if (hdr_parse(frame, len, &hi) < 0)
		return 0;
	bit = hi.l3 == HDR_L3_IPV4 ? FEATMASK_IPV4_CSUM :
	    hi.l3 == HDR_L3_IPV6 ? FEATMASK_IPV6_CSUM : 0;
	if (!(off & bit))
		return 0;
	r = csum_complete_partial(frame, len, vh->csum_start,
	    vh->csum_offset);
	if (r < 0)
		return r;
	vh->flags = VIRTIO_NET_HDR_F_DATA_VALID;
	vh->csum_start = vh->csum_offset = 0;
	st->csum_fixup++;
	return 0;
}

int
vnet_hdr_netrx2vhdr(uint16_t rxflags, const struct netif_extra_info *gso,
    uint8_t *frame, size_t len, struct virtio_net_hdr *vh,
    struct vnet_stats *st)
{
	/* netfront: csum_blank means CHECKSUM_PARTIAL whatever
	 * data_validated says (xennet_poll). */
	return netif2vhdr(rxflags & NETRXF_csum_blank,
	    rxflags & NETRXF_data_validated, gso, frame, len, vh, st);
}

int
vnet_hdr_vhdr2netrx(const struct virtio_net_hdr *vh, uint8_t *frame,
    size_t len, const struct vnet_features *peer, uint16_t *rxflags,
    bool *has_gso, struct netif_extra_info *gso, struct vnet_stats *st)
{
	bool blank, validated;
	int r;

	*rxflags = 0;
	r = vhdr2netif(vh, frame, len, peer, &blank, &validated, has_gso, gso,
	    st, false);
	if (r < 0)
		return r;
	/* Linux netback marks CHECKSUM_PARTIAL with both bits
	 * (xenvif_rx_data_slot). */
	if (blank)
		*rxflags |= NETRXF_csum_blank;
	if (validated)
		*rxflags |= NETRXF_data_validated;
	return 0;
}

int
vnet_hdr_vhdr2netrx_as_is(const struct virtio_net_hdr *vh,
    const uint8_t *frame, size_t len, const struct vnet_features *peer,
    uint16_t *rxflags, bool *has_gso, struct netif_extra_info *gso)
{
	struct vnet_stats scratch;
	bool blank, validated;

	*rxflags = 0;
	memset(&scratch, 0, sizeof(scratch));
	/* as_is: nothing is written through the pointer. */
	if (vhdr2netif(vh, (uint8_t *)(uintptr_t)frame, len, peer, &blank,
	    &validated, has_gso, gso, &scratch, true) < 0)
		return -EAGAIN;
	if (blank)
		*rxflags |= NETRXF_csum_blank;
	if (validated)
		*rxflags |= NETRXF_data_validated;
	return 0;
}

int
vnet_hdr_vhdr2nettx(const struct virtio_net_hdr *vh, uint8_t *frame,
    size_t len, const struct vnet_features *peer, uint16_t *txflags,
    bool *has_gso, struct netif_extra_info *gso, struct vnet_stats *st)
{
	bool blank, validated;
	int r;

	*txflags = 0;
	r = vhdr2netif(vh, frame, len, peer, &blank, &validated, has_gso, gso,
	    st, false);
	if (r < 0)
		return r;
	/* xennet_start_xmit: CHECKSUM_PARTIAL -> both bits. */
	if (blank)
		*txflags |= NETTXF_csum_blank;
	if (validated)
		*txflags |= NETTXF_data_validated;
	return 0;
}

int
vnet_hdr_nettx2netrx(uint16_t txflags, const struct netif_extra_info *gso,
    const uint8_t *head, size_t hlen, size_t len,
    const struct vnet_features *peer, uint16_t *rxflags, bool *has_gso,
    struct netif_extra_info *rxgso)
{
	struct hdr_info hi;
	uint32_t off;
	uint8_t want, vtype;

	*rxflags = 0;
	*has_gso = false;
	memset(rxgso, 0, sizeof(*rxgso));
	if (!(txflags & NETTXF_csum_blank) && gso == NULL) {
		if (txflags & NETTXF_data_validated)
			*rxflags = NETRXF_data_validated;
		return 0;
	}
	if (!(txflags & NETTXF_csum_blank))
		return -EAGAIN;		/* a GSO checksum to force */
	/* hdr_parse reads only headers: if they end within the head, every
	 * byte it read was the frame's. */
	if (hlen > len || hdr_parse(head, len, &hi) < 0 ||
	    (off = l4_csum_off(&hi)) == 0 ||
	    (size_t)hi.l4_off + hi.l4_hdr_len > hlen)
		return -EAGAIN;
	if (gso != NULL) {
		if (gso->type != XEN_NETIF_EXTRA_TYPE_GSO ||
		    gso->u.gso.size == 0 ||
		    (gso->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
		     gso->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6))
			return -EAGAIN;
		want = gso->u.gso.type == XEN_NETIF_GSO_TYPE_TCPV4 ?
		    HDR_L3_IPV4 : HDR_L3_IPV6;
		vtype = want == HDR_L3_IPV4 ? VIRTIO_NET_HDR_GSO_TCPV4 :
		    VIRTIO_NET_HDR_GSO_TCPV6;
		if (hi.l4_proto != IPPROTO_TCP || hi.l3 != want ||
		    !vnet_hdr_takes_gso(peer, vtype))
			return -EAGAIN;
		*has_gso = true;
		rxgso->type = XEN_NETIF_EXTRA_TYPE_GSO;
		rxgso->u.gso.size = gso->u.gso.size;
		rxgso->u.gso.type = gso->u.gso.type;
	} else if (!peer_reparses(&hi, hi.l4_off, off, peer)) {
		return -EAGAIN;		/* to be completed in software */
	}
	*rxflags = NETRXF_csum_blank | NETRXF_data_validated;
	return 0;
}
