/*
 * vnet_hdr.h - netif checksum flags and GSO extras <-> struct
 * virtio_net_hdr (the header in front of every frame on an IFF_VNET_HDR
 * TAP).
 *
 * Four directions. The backend (vifd) uses the first two, the simulated
 * netfront (vif-guest) the last two:
 *
 *   vnet_hdr_nettx2vhdr	guest TX request   -> header for a TAP write
 *   vnet_hdr_vhdr2netrx	header of a TAP read -> guest RX response
 *   vnet_hdr_vhdr2nettx	guest TAP read     -> TX request (netfront)
 *   vnet_hdr_nettx2netrx	guest TX request   -> guest RX response, the
 *				frame untouched (one copy, vifd switch)
 *   vnet_hdr_netrx2vhdr	RX response        -> guest TAP write (netfront)
 *
 * netif carries neither csum_start/csum_offset nor a header length, so
 * the netif -> virtio directions parse the frame (hdr.c); the virtio ->
 * netif directions check that the receiving side can find the checksum
 * again by parsing, and finish the checksum in software when it cannot.
 *
 * Mapping (research notes §1.9; Linux netback xenvif_tx_submit/
 * checksum_setup/xenvif_rx_data_slot, netfront xennet_start_xmit/
 * xennet_poll/checksum_setup, include/linux/virtio_net.h):
 *   NETTXF_csum_blank / NETRXF_csum_blank  <-> VIRTIO_NET_HDR_F_NEEDS_CSUM
 *   NETTXF_data_validated alone             -> VIRTIO_NET_HDR_F_DATA_VALID
 *   NEEDS_CSUM                              -> csum_blank | data_validated
 *   DATA_VALID                              -> data_validated
 *   GSO extra TCPV4/TCPV6 + size           <-> gso_type TCPV4/TCPV6,
 *                                              gso_size, hdr_len
 * netif has no UDP or ECN GSO: such virtio headers are refused.
 *
 * The 16-bit virtio_net_hdr fields are in host byte order: the legacy TAP
 * header is native-endian unless TUNSETVNETLE/BE is used, and we do not.
 * All functions are pure: they read and, where documented, write the
 * frame buffer and the stats they are given, and nothing else.
 */
#ifndef VIFD_VNET_HDR_H
#define VIFD_VNET_HDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_net.h>
#include <xen/xen.h>
#include <xen/io/netif.h>

/*
 * What the receiving end of a netif direction accepts.
 *  - For the backend's RX path: the frontend's keys. csum_ipv4 is on
 *    unless feature-no-csum-offload = 1; csum_ipv6 is off unless
 *    feature-ipv6-csum-offload = 1; gso_tcpv4/gso_tcpv6 from
 *    feature-gso-tcpv4/6; sg from feature-sg.
 *  - For the simulated netfront's TX path: the backend's keys (a backend
 *    always accepts IPv4 csum_blank, so csum_ipv4 = true).
 * A GSO type counts only together with sg and the checksum offload of its
 * family, as Linux's netdev_fix_features drops TSO without SG or without
 * a checksum feature (see vnet_hdr_takes_gso).
 */
struct vnet_features {
	bool csum_ipv4;
	bool csum_ipv6;
	bool gso_tcpv4;
	bool gso_tcpv6;
	bool sg;
};

/* Why a frame was refused (the function returned an error). */
enum vnet_drop {
	VNET_DROP_NONE = 0,
	VNET_DROP_CSUM_PARSE,	/* checksum offload on a frame without a
				 * findable TCP/UDP header: not IP, other
				 * L4, fragment, truncated headers */
	VNET_DROP_CSUM_RANGE,	/* NEEDS_CSUM start/offset outside the frame */
	VNET_DROP_GSO_TYPE,	/* GSO type netif cannot carry (UDP, ECN,
				 * unknown) or GSO size 0 */
	VNET_DROP_GSO_PARSE,	/* GSO frame that is not TCP of the GSO's
				 * family, or whose checksum is not at the
				 * TCP checksum */
	VNET_DROP_GSO_FEATURE,	/* GSO the receiving side did not negotiate */
	VNET_DROP_MAX
};

/* Per-queue counters, written by the queue's own thread only. */
struct vnet_stats {
	uint64_t csum_fixup;	/* checksums completed in software because
				 * the receiver could not take them */
	uint64_t gso_fixup;	/* GSO frames that came without csum_blank /
				 * NEEDS_CSUM: partial checksum forced, as
				 * Linux counts rx_gso_checksum_fixup */
	uint64_t drops[VNET_DROP_MAX];
};

/* Short text for a VNET_DROP_* ("gso type", ...); never NULL. */
const char *vnet_drop_str(int reason);

/* True if `f` accepts GSO frames of virtio gso_type TCPV4 or TCPV6:
 * the GSO feature of that family plus sg plus that family's checksum. */
bool vnet_hdr_takes_gso(const struct vnet_features *f, uint8_t gso_type);

/*
 * Backend TX: the first TX slot's flags (NETTXF_*), the packet's GSO
 * extra (NULL if none; if given, its type must be XEN_NETIF_EXTRA_TYPE_
 * GSO) and the assembled frame -> *vh for the TAP write.
 *  - no csum_blank, no GSO: DATA_VALID if NETTXF_data_validated, else
 *    nothing; the frame is not parsed.
 *  - csum_blank: NEEDS_CSUM with csum_start/csum_offset of the TCP or UDP
 *    checksum found by parsing; hdr_len = L2+L3+L4 header length.
 *  - GSO: gso_type TCPV4/TCPV6, gso_size = extra size, and NEEDS_CSUM as
 *    above. A GSO frame without csum_blank (a buggy frontend) gets its
 *    partial checksum forced: the pseudo-header sum is written into the
 *    TCP checksum field (frame is modified) and st->gso_fixup counted,
 *    as Linux netback's checksum_setup does.
 * Returns 0, or (frame to be dropped; *vh zeroed; st->drops[] counted):
 *  -EPROTO	csum_blank/GSO on a frame that is not TCP/UDP over IPv4/IPv6,
 *		a fragment, truncated headers, or GSO not over TCP of the
 *		GSO's family (Linux: skb_checksum_setup failure -> drop);
 *  -EINVAL	GSO extra with size 0 or a type other than TCPV4/TCPV6.
 */
int vnet_hdr_nettx2vhdr(uint16_t txflags, const struct netif_extra_info *gso,
    uint8_t *frame, size_t len, struct virtio_net_hdr *vh,
    struct vnet_stats *st);

/*
 * Backend TX under a per-vif feature mask (`off`, FEATMASK_* bits): a
 * frame vnet_hdr_nettx2vhdr() made NEEDS_CSUM without GSO, of a family
 * whose checksum offload is masked (ipv4-csum, ipv6-csum), gets its
 * checksum completed here (frame modified) and *vh becomes DATA_VALID,
 * st->csum_fixup counted: no partial checksum of that family reaches the
 * host. netif.h gives a backend no way to refuse IPv4 csum_blank (there is
 * no backend key for it, and Linux netback sets NETIF_F_RXCSUM
 * unconditionally for that reason), and a frontend that sends IPv6 ones
 * unasked is served the same way rather than dropped. Anything else is
 * left as it is. Returns 0, or -EINVAL if vh's checksum range is outside
 * the frame (cannot happen after vnet_hdr_nettx2vhdr).
 */
int vnet_hdr_tx_masked_csum(struct virtio_net_hdr *vh, uint8_t *frame,
    size_t len, uint32_t off, struct vnet_stats *st);

/*
 * Backend RX: the virtio header of a TAP read and the frame, plus what
 * the frontend negotiated -> the first RX slot's checksum flags
 * (NETRXF_csum_blank and/or NETRXF_data_validated) and an optional GSO
 * extra (*has_gso, *gso fully initialised either way).
 *  - NEEDS_CSUM: csum_blank | data_validated when the frontend can find
 *    the checksum itself (see below); otherwise the checksum is completed
 *    here at csum_start/csum_offset (frame modified), st->csum_fixup is
 *    counted and only data_validated is set.
 *  - DATA_VALID: data_validated.
 *  - GSO TCPV4/TCPV6: a GSO extra {size = gso_size}, flags csum_blank |
 *    data_validated. Without NEEDS_CSUM the partial checksum is forced
 *    (st->gso_fixup).
 * "Can find it itself" means what Linux netfront's checksum_setup
 * (skb_checksum_setup) can do: the checksum is the TCP (offset 16) or UDP
 * (offset 6) checksum of an unfragmented IPv4/IPv6 packet directly after
 * the Ethernet header (netfront parses no VLAN tag) starting at
 * csum_start, and the frontend negotiated checksum offload for that
 * family. Anything else (IPv6 without feature-ipv6-csum-offload, a VLAN
 * tag, an unusual csum_start) is completed in software: TUN_F_CSUM cannot
 * be split per family (see tap_offload_flags in tap.h).
 * Returns 0, or (drop; st->drops[] counted):
 *  -EOPNOTSUPP	GSO type UDP, UDP_L4, ECN or unknown, or a GSO type the
 *		frontend did not negotiate (the TAP's TUNSETOFFLOAD comes from
 *		the same features, so this should not happen);
 *  -EINVAL	GSO size 0, or csum_start + csum_offset + 2 > len;
 *  -EPROTO	a GSO frame that is not TCP of its family, or whose
 *		csum_start/csum_offset is not that TCP checksum.
 */
int vnet_hdr_vhdr2netrx(const struct virtio_net_hdr *vh, uint8_t *frame,
    size_t len, const struct vnet_features *peer, uint16_t *rxflags,
    bool *has_gso, struct netif_extra_info *gso, struct vnet_stats *st);

/*
 * A frame vifd holds (a switch uplink's, from the host) straight into a
 * guest's RX ring by another thread: vnet_hdr_vhdr2netrx's flags and GSO
 * extra when that call would change no byte of the frame and not refuse
 * it. Returns 0, or -EAGAIN when it would (a checksum to complete or to
 * force, a frame to drop): the usual way then does that work and counts
 * it. Reads the frame only; counts nothing.
 */
int vnet_hdr_vhdr2netrx_as_is(const struct virtio_net_hdr *vh,
    const uint8_t *frame, size_t len, const struct vnet_features *peer,
    uint16_t *rxflags, bool *has_gso, struct netif_extra_info *gso);

/*
 * Guest TX straight to guest RX (a vifd switch's one copy, gref to gref):
 * the RX flags and GSO extra for a frame of `len` bytes sent with TX
 * flags `txflags` and GSO extra `gso` (NULL: none), when receiver `peer`
 * can take it with its bytes untouched - the same flags the two-copy
 * path (vnet_hdr_nettx2vhdr, then vnet_hdr_vhdr2netrx) gives it when
 * that path changes no byte. `head` is a buffer of len bytes whose first
 * hlen hold the frame (the rest need not be read yet: only a header
 * parse that stays within hlen counts).
 * Returns 0 with *rxflags, *has_gso and *rxgso set, or -EAGAIN when the
 * frame needs the two-copy path's work on its bytes or more than its
 * head to decide: a partial checksum the receiver cannot find itself (to
 * be completed), a GSO the receiver did not negotiate (to be segmented)
 * or without csum_blank (its checksum to be forced), headers past hlen,
 * a GSO extra netif does not know. Counts nothing.
 */
int vnet_hdr_nettx2netrx(uint16_t txflags, const struct netif_extra_info *gso,
    const uint8_t *head, size_t hlen, size_t len,
    const struct vnet_features *peer, uint16_t *rxflags, bool *has_gso,
    struct netif_extra_info *rxgso);

/*
 * Simulated netfront TX: the virtio header of a read from the guest's TAP
 * -> the first TX slot's flags (NETTXF_csum_blank | NETTXF_data_validated
 * for NEEDS_CSUM, NETTXF_data_validated for DATA_VALID, as Linux
 * netfront's xennet_start_xmit) and an optional GSO extra. `peer` is what
 * the backend advertised. Same rules, software completion and errors as
 * vnet_hdr_vhdr2netrx, with NETTXF_* bits: Linux netfront only offloads
 * checksums its stack hands it for NETIF_F_IP_CSUM/IPV6_CSUM, i.e. plain
 * TCP/UDP, so a guest TAP (which offers NETIF_F_HW_CSUM) may produce
 * partial checksums a real netfront would never send.
 */
int vnet_hdr_vhdr2nettx(const struct virtio_net_hdr *vh, uint8_t *frame,
    size_t len, const struct vnet_features *peer, uint16_t *txflags,
    bool *has_gso, struct netif_extra_info *gso, struct vnet_stats *st);

/*
 * Simulated netfront RX: the first RX response's flags (NETRXF_*), the
 * GSO extra (NULL if none) and the frame -> *vh for a write to the
 * guest's TAP, as Linux netfront (xennet_poll, checksum_setup,
 * xennet_set_skb_gso): csum_blank -> NEEDS_CSUM at the parsed TCP/UDP
 * checksum (data_validated is then irrelevant); data_validated alone ->
 * DATA_VALID; GSO extra -> gso fields, forcing the partial checksum when
 * csum_blank is missing (st->gso_fixup). Errors as vnet_hdr_nettx2vhdr.
 * Unlike Linux netfront, VLAN-tagged frames are parsed.
 */
int vnet_hdr_netrx2vhdr(uint16_t rxflags, const struct netif_extra_info *gso,
    uint8_t *frame, size_t len, struct virtio_net_hdr *vh,
    struct vnet_stats *st);

#endif
