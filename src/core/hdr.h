/*
 * hdr.h - finds the L2/L3/L4 headers of an Ethernet frame.
 *
 * netif carries no csum_start/csum_offset and no header length, so the
 * backend has to find them itself (as Linux does with
 * skb_checksum_setup): this parser walks Ethernet, up to two VLAN tags,
 * IPv4 or IPv6 (with its extension headers) and TCP or UDP, checking every
 * offset against the frame length. It reads the frame and nothing else.
 */
#ifndef VIFD_HDR_H
#define VIFD_HDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 802.1Q / 802.1ad tags accepted in front of L3 (one QinQ stack). */
#define HDR_MAX_VLAN_TAGS	2

/*
 * IPv6 extension headers walked before giving up. RFC 8200 §4.1 lists at
 * most seven in a packet (destination options may appear twice); one
 * spare for leniency. A longer chain is refused: nothing legitimate needs
 * it and a guest could otherwise make us walk a 64 KiB chain per packet.
 */
#define HDR_MAX_IPV6_EXT	8

enum hdr_l3 {
	HDR_L3_NONE = 0,	/* not IP (ARP, LLDP, ...): l3/l4 fields unset */
	HDR_L3_IPV4,
	HDR_L3_IPV6,
};

struct hdr_info {
	uint16_t ethertype;	/* after the VLAN tags, host order */
	uint8_t nvlan;		/* VLAN tags skipped */
	uint8_t l3;		/* enum hdr_l3 */
	uint32_t l3_off;	/* start of the IP header (14 + 4 * nvlan) */
	uint32_t l3_end;	/* end of the IP datagram by its own length
				 * field (<= frame length; padding follows) */
	uint8_t l4_proto;	/* IPPROTO_* after the IP (extension) headers */
	bool fragment;		/* IPv4 MF/offset or an IPv6 fragment header
				 * with MF/offset: L4 is not parsed */
	uint32_t l4_off;	/* start of the L4 header */
	uint32_t l4_hdr_len;	/* TCP: data offset * 4; UDP: 8; else 0 */
};

/*
 * Parses the headers of the frame frame[0..len). Never reads outside it.
 *
 * Returns 0 when every header it recognised is complete and consistent:
 *  - l3 == HDR_L3_NONE for a non-IP ethertype;
 *  - for IP, l4_proto/l4_off always; l4_hdr_len only for an unfragmented
 *    TCP or UDP packet (0 for other protocols and for fragments).
 * Returns -EPROTO for a frame shorter than an Ethernet header, more than
 * HDR_MAX_VLAN_TAGS tags, a truncated or inconsistent IPv4/IPv6/extension
 * /TCP/UDP header (bad version, IHL < 5, total length shorter than the
 * header or longer than the frame, IPv6 payload length 0 (jumbogram),
 * TCP data offset < 5 or past the datagram), or more than
 * HDR_MAX_IPV6_EXT extension headers. `info` then holds what was found
 * before the problem.
 */
int hdr_parse(const uint8_t *frame, size_t len, struct hdr_info *info);

#endif
