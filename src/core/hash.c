/*
 * hash.c - the Toeplitz hash and the flow inputs netif.h's hash types
 * name, for receive-side scaling towards the guest.
 *
 * Owns the arithmetic: which bytes of a frame a hash type covers, the
 * Toeplitz function itself, and how a hash value picks a queue through
 * the frontend's mapping table. It does not own the table, the key or the
 * enabled types (ctrl.c keeps them per vif) nor where frames go (the
 * queue workers). The headers are found by hdr.c, the same parser the
 * checksum code trusts, so a frame that parser refuses is not hashed.
 */
#include "config.h"

#include <string.h>

#include "core/hash.h"
#include "core/hdr.h"

uint32_t
hash_toeplitz(const uint8_t *key, size_t key_len, const uint8_t *data,
    size_t data_len)
{
	uint64_t window = 0;	/* key bits [i, i + 64) for data bit i */
	uint32_t result = 0;
	size_t next = 0, i;
	unsigned int bit;

	/* The first 8 key bytes; bits past the key are zero. */
	for (next = 0; next < 8; next++)
		window = (window << 8) | (next < key_len ? key[next] : 0);
	for (i = 0; i < data_len; i++) {
		for (bit = 0; bit < 8; bit++) {
			if (data[i] & (0x80u >> bit))
				result ^= (uint32_t)(window >> 32);
			window <<= 1;
		}
		/* Eight bits shifted out: the next key byte comes in at
		 * the bottom. */
		window |= next < key_len ? key[next] : 0;
		next++;
	}
	return result;
}

size_t
hash_flow_input(const uint8_t *frame, size_t len, uint32_t flags,
    uint8_t out[HASH_INPUT_MAX], uint8_t *htype)
{
	struct hdr_info h;
	bool tcp;
	size_t alen;
	uint32_t t_l4, t_l3;
	uint8_t b_l4, b_l3;

	if (hdr_parse(frame, len, &h) < 0 || h.nvlan != 0)
		return 0;
	if (h.l3 == HDR_L3_IPV4) {
		alen = 4;
		t_l4 = XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP;
		b_l4 = _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP;
		t_l3 = XEN_NETIF_CTRL_HASH_TYPE_IPV4;
		b_l3 = _XEN_NETIF_CTRL_HASH_TYPE_IPV4;
	} else if (h.l3 == HDR_L3_IPV6) {
		alen = 16;
		t_l4 = XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP;
		b_l4 = _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP;
		t_l3 = XEN_NETIF_CTRL_HASH_TYPE_IPV6;
		b_l3 = _XEN_NETIF_CTRL_HASH_TYPE_IPV6;
	} else
		return 0;
	/* Addresses: IPv4 at 12 (src) and 16 (dst), IPv6 at 8 and 24;
	 * hdr_parse checked both headers are within the frame. */
	memcpy(out, frame + h.l3_off + (alen == 4 ? 12 : 8), 2 * alen);
	/* Ports: an unfragmented TCP segment whose header hdr_parse found
	 * whole (Linux: FLOW_DIS_IS_FRAGMENT excludes fragments). */
	tcp = h.l4_proto == 6 && !h.fragment && h.l4_hdr_len != 0;
	if (tcp && (flags & t_l4)) {
		memcpy(out + 2 * alen, frame + h.l4_off, 4);
		*htype = b_l4;
		return 2 * alen + 4;
	}
	if (flags & t_l3) {
		*htype = b_l3;
		return 2 * alen;
	}
	return 0;
}

void
hash_frame(const uint8_t *key, size_t key_len, uint32_t flags,
    const uint8_t *frame, size_t len, struct hash_result *out)
{
	uint8_t in[HASH_INPUT_MAX];
	size_t n;

	memset(out, 0, sizeof(*out));
	n = hash_flow_input(frame, len, flags, in, &out->htype);
	if (n == 0)
		return;
	out->valid = true;
	out->value = hash_toeplitz(key, key_len, in, n);
}

unsigned int
hash_queue(uint32_t value, const uint32_t *mapping, unsigned int size,
    unsigned int nqueues)
{
	unsigned int q;

	if (size == 0)
		return value % nqueues;
	q = mapping[value % size];
	return q < nqueues ? q : 0;
}
