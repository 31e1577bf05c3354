/*
 * steer.bpf.c - the TAP's queue selection for receive-side scaling: a
 * socket-filter program that TUNSETSTEERINGEBPF attaches to a vif's TAP.
 *
 * Linux's tun driver runs it for every frame the host sends out of the
 * TAP and takes its return value modulo the number of queues as the TAP
 * queue the frame is read from (tun_ebpf_select_queue). vifd's queue i
 * reads TAP queue i, so returning the queue the frontend's mapping names
 * puts each frame where it belongs and the software hand-off between
 * queue workers (vif_rss.c) is left with nothing to do.
 *
 * It owns one thing: the same answer as core/hash.c's hash_frame and
 * hash_queue, computed in the kernel. The headers are checked as
 * core/hdr.c checks them (every length against the frame, IPv6 extension
 * headers walked with its bound), the flow input is the one
 * hash_flow_input builds, Toeplitz runs over it with the key, and the
 * mapping picks the queue. A frame core/hdr.c would refuse, or one that
 * no enabled type covers, hashes to 0, as in userspace. The settings
 * come from the one-entry array map that vifd rewrites whenever the
 * frontend changes them; a frame racing that write may be steered by a
 * mixture of old and new, which only means vifd's software path moves
 * it: nothing depends on this program for correctness.
 *
 * The verifier's rules shape the code: every loop has a constant bound,
 * every map and stack index is checked, and packet bytes are read only
 * through bpf_skb_load_bytes (which checks the frame's length itself).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "bpf/steer.h"

#define IPV4_MIN_HLEN	20
#define IPV6_HLEN	40
#define TCP_MIN_HLEN	20
#define UDP_HLEN	8
#define IPV6_FRAG_HLEN	8
#define IPV6_MAX_EXT	8	/* core/hdr.h HDR_MAX_IPV6_EXT */
#define INPUT_MAX	36	/* core/hash.h HASH_INPUT_MAX */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct steer_conf);
} steer_conf SEC(".maps");

/* What the header walk found (core/hdr.h's struct hdr_info, the part
 * the hash needs). */
struct steer_hdr {
	__u32 l3_off, end, l4_off;
	__u8 v6, proto, fragment, tcp_ok;
};

static __always_inline __u16
steer_rd16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

/* TCP or UDP header inside [.., end): hdr.c's parse_l4. 0 or -1. */
static __always_inline int
steer_l4(struct __sk_buff *skb, struct steer_hdr *h)
{
	__u8 doff;
	__u32 hlen;

	if (h->proto == IPPROTO_TCP) {
		if (h->end < TCP_MIN_HLEN || h->l4_off > h->end - TCP_MIN_HLEN)
			return -1;
		if (bpf_skb_load_bytes(skb, h->l4_off + 12, &doff, 1) < 0)
			return -1;
		hlen = (__u32)(doff >> 4) * 4;
		if (hlen < TCP_MIN_HLEN || h->l4_off > h->end - hlen)
			return -1;
		h->tcp_ok = 1;
	} else if (h->proto == IPPROTO_UDP) {
		if (h->end < UDP_HLEN || h->l4_off > h->end - UDP_HLEN)
			return -1;
	}
	return 0;
}

static __always_inline int
steer_ipv4(struct __sk_buff *skb, __u32 len, struct steer_hdr *h)
{
	__u8 ip[IPV4_MIN_HLEN];
	__u32 ihl, tot;

	if (len - h->l3_off < IPV4_MIN_HLEN ||
	    bpf_skb_load_bytes(skb, h->l3_off, ip, sizeof(ip)) < 0 ||
	    ip[0] >> 4 != 4)
		return -1;
	ihl = (__u32)(ip[0] & 0x0f) * 4;
	tot = steer_rd16(ip + 2);
	if (ihl < IPV4_MIN_HLEN || tot < ihl || tot > len - h->l3_off)
		return -1;
	h->end = h->l3_off + tot;
	h->proto = ip[9];
	h->l4_off = h->l3_off + ihl;
	if (steer_rd16(ip + 6) & 0x3fff) {
		h->fragment = 1;
		return 0;
	}
	return steer_l4(skb, h);
}

static __always_inline int
steer_ipv6(struct __sk_buff *skb, __u32 len, struct steer_hdr *h)
{
	__u8 ip[8], ext[IPV6_FRAG_HLEN];
	__u32 off, plen, hlen, n;
	__u8 next;

	if (len - h->l3_off < IPV6_HLEN ||
	    bpf_skb_load_bytes(skb, h->l3_off, ip, sizeof(ip)) < 0 ||
	    ip[0] >> 4 != 6)
		return -1;
	plen = steer_rd16(ip + 4);
	if (plen == 0 || plen > len - h->l3_off - IPV6_HLEN)
		return -1;
	h->end = h->l3_off + IPV6_HLEN + plen;
	next = ip[6];
	off = h->l3_off + IPV6_HLEN;
	/* n == IPV6_MAX_EXT with one more extension header is refused,
	 * so at most IPV6_MAX_EXT + 1 rounds. */
	for (n = 0; n <= IPV6_MAX_EXT; n++) {
		h->proto = next;
		h->l4_off = off;
		switch (next) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_AH:
			if (h->end - off < 2 ||
			    bpf_skb_load_bytes(skb, off, ext, 2) < 0)
				return -1;
			/* AH: 4-octet units minus 2 (RFC 4302 §2.2); the
			 * others: 8-octet units beyond the first 8. */
			hlen = next == IPPROTO_AH ? ((__u32)ext[1] + 2) * 4 :
			    ((__u32)ext[1] + 1) * 8;
			break;
		case IPPROTO_FRAGMENT:
			if (h->end - off < IPV6_FRAG_HLEN ||
			    bpf_skb_load_bytes(skb, off, ext, 8) < 0)
				return -1;
			hlen = IPV6_FRAG_HLEN;
			if (steer_rd16(ext + 2) & 0xfff9)
				h->fragment = 1;
			break;
		default:
			return steer_l4(skb, h);
		}
		if (n == IPV6_MAX_EXT || hlen > h->end - off)
			return -1;
		next = ext[0];
		off += hlen;
		if (h->fragment) {
			h->proto = next;
			h->l4_off = off;
			return 0;
		}
	}
	return -1;
}

/*
 * hash_flow_input: the flow input of the frame for the maximal enabled
 * type into in[], its length, or 0 (not hashed).
 */
static __always_inline __u32
steer_input(struct __sk_buff *skb, __u32 flags, __u8 in[INPUT_MAX])
{
	struct steer_hdr h = { .l3_off = ETH_HLEN };
	__u32 len = skb->len;
	__u8 type[2];
	__u32 alen, t_l4, t_l3;
	__u16 et;
	int v6, tcp;

	/* A tag the kernel holds outside the frame is put back into it
	 * before vifd reads it: a tagged frame, not hashed (hash.c). */
	if (skb->vlan_present || len < ETH_HLEN ||
	    bpf_skb_load_bytes(skb, 12, type, 2) < 0)
		return 0;
	et = steer_rd16(type);
	if (et == ETH_P_IP) {
		if (steer_ipv4(skb, len, &h) < 0)
			return 0;
		v6 = 0;
	} else if (et == ETH_P_IPV6) {
		if (steer_ipv6(skb, len, &h) < 0)
			return 0;
		v6 = 1;
	} else
		return 0;	/* other ethertypes, VLAN tags among them */
	tcp = h.proto == IPPROTO_TCP && !h.fragment && h.tcp_ok;
	/* Addresses: IPv4's at 12, IPv6's at 8; the ports after them. */
	alen = v6 ? 16 : 4;
	t_l4 = v6 ? STEER_IPV6_TCP : STEER_IPV4_TCP;
	t_l3 = v6 ? STEER_IPV6 : STEER_IPV4;
	if (bpf_skb_load_bytes(skb, h.l3_off + (v6 ? 8 : 12), in, 2 * alen) < 0)
		return 0;
	if (tcp && (flags & t_l4))
		return bpf_skb_load_bytes(skb, h.l4_off, in + 2 * alen, 4) < 0 ?
		    0 : 2 * alen + 4;
	return (flags & t_l3) ? 2 * alen : 0;
}

/* hash_toeplitz with a STEER_KEY_LEN key, branch-free per bit. */
static __always_inline __u32
steer_toeplitz(const __u8 *key, const __u8 *in, __u32 n)
{
	__u64 window = 0;
	__u32 result = 0, i, bit, next;
	__u8 b;

	for (next = 0; next < 8; next++)
		window = (window << 8) | key[next];
	for (i = 0; i < INPUT_MAX; i++) {
		if (i >= n)
			break;
		b = in[i];
		for (bit = 0; bit < 8; bit++) {
			result ^= (__u32)(window >> 32) &
			    -(__u32)((b >> (7 - bit)) & 1);
			window <<= 1;
		}
		if (next < STEER_KEY_LEN)
			window |= key[next];
		next++;
	}
	return result;
}

SEC("socket")
int
vifd_steer(struct __sk_buff *skb)
{
	__u8 in[INPUT_MAX];
	struct steer_conf *c;
	__u32 zero = 0, n, value = 0, idx, q;

	c = bpf_map_lookup_elem(&steer_conf, &zero);
	if (c == NULL)
		return 0;
	if (!c->active || c->nq == 0)
		return skb->hash;	/* no RSS: spread by the kernel's hash */
	n = steer_input(skb, c->flags, in);
	if (n != 0)
		value = steer_toeplitz(c->key, in, n);
	/* hash_queue: no hash is value 0, as Linux's xenvif_select_queue. */
	if (c->size == 0)
		return value % c->nq;
	if (c->size > STEER_MAPPING_MAX)
		return 0;
	idx = value % c->size;
	/* The compiler knows idx < size <= STEER_MAPPING_MAX and would
	 * drop the check; the verifier does not know it (it does not
	 * follow the modulo), so hide idx from the compiler. */
	asm volatile("" : "+r"(idx));
	if (idx >= STEER_MAPPING_MAX)
		return 0;
	q = c->mapping[idx];
	return q < c->nq ? q : 0;
}

char LICENSE[] SEC("license") = "GPL";
