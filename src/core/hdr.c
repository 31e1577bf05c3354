/*
 * hdr.c - finds the L2/L3/L4 headers of an Ethernet frame.
 *
 * Owns the header walk that turns a frame into offsets: Ethernet, VLAN
 * tags, IPv4 (IHL, total length, fragments), IPv6 and the extension
 * headers Linux's skb_checksum_setup_ipv6 walks (hop-by-hop, routing,
 * destination options, fragment, AH), TCP and UDP. It does not decide
 * what to do with a frame (vnet_hdr.c does) and does not touch
 * checksums (csum.c does). Every read is checked against the frame
 * length first, and every loop has a fixed bound: the frame comes from a
 * guest or from the host stack and is trusted for nothing.
 */
#include "config.h"

#include <errno.h>
#include <linux/if_ether.h>	/* ETH_HLEN, ETH_P_* */
#include <netinet/in.h>		/* IPPROTO_* */
#include <string.h>

#include "core/hdr.h"

#define IPV4_MIN_HLEN	20	/* RFC 791: IHL >= 5 */
#define IPV6_HLEN	40	/* RFC 8200 §3 */
#define VLAN_HLEN	4	/* TCI + inner ethertype */
#define TCP_MIN_HLEN	20	/* RFC 9293: data offset >= 5 */
#define UDP_HLEN	8
#define IPV6_FRAG_HLEN	8	/* RFC 8200 §4.5 */

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* TCP or UDP header at l4_off, inside the datagram [.., end). */
static int
parse_l4(const uint8_t *frame, uint32_t end, struct hdr_info *info)
{
	uint32_t off = info->l4_off, hlen;

	switch (info->l4_proto) {
	case IPPROTO_TCP:
		if (end < TCP_MIN_HLEN || off > end - TCP_MIN_HLEN)
			return -EPROTO;
		hlen = (uint32_t)(frame[off + 12] >> 4) * 4;
		/* end < hlen first: end - hlen must not wrap (a short
		 * datagram with a long data offset; found by fuzz_hdr). */
		if (hlen < TCP_MIN_HLEN || end < hlen || off > end - hlen)
			return -EPROTO;
		info->l4_hdr_len = hlen;
		return 0;
	case IPPROTO_UDP:
		if (end < UDP_HLEN || off > end - UDP_HLEN)
			return -EPROTO;
		info->l4_hdr_len = UDP_HLEN;
		return 0;
	default:
		return 0;	/* something else: nothing to measure */
	}
}

static int
parse_ipv4(const uint8_t *frame, size_t len, struct hdr_info *info)
{
	const uint8_t *ip = frame + info->l3_off;
	uint32_t ihl, tot;

	if (len - info->l3_off < IPV4_MIN_HLEN || ip[0] >> 4 != 4)
		return -EPROTO;
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	tot = rd16(ip + 2);
	if (ihl < IPV4_MIN_HLEN || tot < ihl || tot > len - info->l3_off)
		return -EPROTO;
	info->l3_end = info->l3_off + tot;
	info->l4_proto = ip[9];
	info->l4_off = info->l3_off + ihl;
	/* Flags/fragment offset: MF (0x2000) or a non-zero offset. */
	if (rd16(ip + 6) & 0x3fff) {
		info->fragment = true;
		return 0;
	}
	return parse_l4(frame, info->l3_end, info);
}

static int
parse_ipv6(const uint8_t *frame, size_t len, struct hdr_info *info)
{
	const uint8_t *ip = frame + info->l3_off;
	uint32_t off, end, plen, hlen;
	uint8_t next;
	unsigned int n;

	if (len - info->l3_off < IPV6_HLEN || ip[0] >> 4 != 6)
		return -EPROTO;
	plen = rd16(ip + 4);
	/*
	 * Payload length 0 means a jumbogram (RFC 2675, BIG TCP): not
	 * something a 16-bit netif or virtio size can carry. An empty
	 * payload would have next header 59 and no use for us either.
	 */
	if (plen == 0 || plen > len - info->l3_off - IPV6_HLEN)
		return -EPROTO;
	end = info->l3_off + IPV6_HLEN + plen;
	info->l3_end = end;
	next = ip[6];
	off = info->l3_off + IPV6_HLEN;

	for (n = 0;; n++) {
		info->l4_proto = next;
		info->l4_off = off;
		switch (next) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			/* Next header, length in 8-octet units beyond the
			 * first 8 (RFC 8200 §4.3-4.6). */
			if (end - off < 2)
				return -EPROTO;
			hlen = ((uint32_t)frame[off + 1] + 1) * 8;
			break;
		case IPPROTO_AH:
			/* Length in 4-octet units minus 2 (RFC 4302 §2.2). */
			if (end - off < 2)
				return -EPROTO;
			hlen = ((uint32_t)frame[off + 1] + 2) * 4;
			break;
		case IPPROTO_FRAGMENT:
			if (end - off < IPV6_FRAG_HLEN)
				return -EPROTO;
			hlen = IPV6_FRAG_HLEN;
			/* Offset (13 bits) and M flag; offset 0 without M
			 * is an atomic fragment (RFC 6946): a whole packet. */
			if (rd16(frame + off + 2) & 0xfff9)
				info->fragment = true;
			break;
		default:
			return parse_l4(frame, end, info);
		}
		if (n == HDR_MAX_IPV6_EXT)
			return -EPROTO;
		if (hlen > end - off)
			return -EPROTO;
		next = frame[off];
		off += hlen;
		if (info->fragment) {
			info->l4_proto = next;
			info->l4_off = off;
			return 0;
		}
	}
}

int
hdr_parse(const uint8_t *frame, size_t len, struct hdr_info *info)
{
	uint32_t off = ETH_HLEN;
	uint16_t type;

	memset(info, 0, sizeof(*info));
	if (len < ETH_HLEN)
		return -EPROTO;
	/* Offsets are 32-bit; nothing that large reaches us, but be sure. */
	if (len > UINT32_MAX / 2)
		return -EPROTO;
	type = rd16(frame + 12);
	while (type == ETH_P_8021Q || type == ETH_P_8021AD) {
		if (info->nvlan == HDR_MAX_VLAN_TAGS || len - off < VLAN_HLEN)
			return -EPROTO;
		info->nvlan++;
		type = rd16(frame + off + 2);
		off += VLAN_HLEN;
	}
	info->ethertype = type;
	info->l3_off = off;
	switch (type) {
	case ETH_P_IP:
		info->l3 = HDR_L3_IPV4;
		return parse_ipv4(frame, len, info);
	case ETH_P_IPV6:
		info->l3 = HDR_L3_IPV6;
		return parse_ipv6(frame, len, info);
	default:
		return 0;
	}
}
