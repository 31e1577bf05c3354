/*
 * test_hash.c - the Toeplitz hash and flow inputs (core/hash.c) against
 * the published RSS verification vectors (Microsoft's "Verifying the RSS
 * Hash Calculation": IPv4 and IPv6, with and without ports, under the
 * standard 40-byte key), both on the raw input and through frames built
 * here, so that the flow-input builder's byte order is checked too; which
 * type applies for which flags; frames that are not hashed; the mapping.
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "core/hash.h"
#include "cu_tap.h"

static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

struct vec {
	const char *src, *dst;
	uint16_t sport, dport;
	uint32_t l3, l4;	/* expected: addresses only; with ports */
};

static const struct vec v4[] = {
	{ "66.9.149.187", "161.142.100.80", 2794, 1766, 0x323e8fc2, 0x51ccc178 },
	{ "199.92.111.2", "65.69.140.83", 14230, 4739, 0xd718262a, 0xc626b0ea },
	{ "24.19.198.95", "12.22.207.184", 12898, 38024, 0xd2d0a5de, 0x5c2b394a },
	{ "38.27.205.30", "209.142.163.6", 48228, 2217, 0x82989176, 0xafc7327f },
	{ "153.39.163.191", "202.188.127.2", 44251, 1303, 0x5d1809c5, 0x10e828a2 },
};

static const struct vec v6[] = {
	{ "3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766,
	  0x2cc18cd5, 0x40207d3d },
	{ "3ffe:501:8::260:97ff:fe40:efab", "ff02::1", 14230, 4739,
	  0x0f0c461c, 0xdde51bbf },
	{ "3ffe:1900:4545:3:200:f8ff:fe21:67cf", "fe80::200:f8ff:fe21:67cf",
	  44251, 38024, 0x4b61e985, 0x02d1feef },
};

/* Builds an Ethernet + IP + TCP frame of the vector; returns its length. */
static size_t
build(uint8_t *f, int ip, const struct vec *v, uint8_t proto)
{
	size_t l3 = 14, l4;

	memset(f, 0, 128);
	f[12] = ip == 4 ? 0x08 : 0x86;
	f[13] = ip == 4 ? 0x00 : 0xdd;
	if (ip == 4) {
		f[l3] = 0x45;
		f[l3 + 3] = 40;			/* total length */
		f[l3 + 8] = 64;
		f[l3 + 9] = proto;
		inet_pton(AF_INET, v->src, f + l3 + 12);
		inet_pton(AF_INET, v->dst, f + l3 + 16);
		l4 = l3 + 20;
	} else {
		f[l3] = 0x60;
		f[l3 + 5] = 20;			/* payload length */
		f[l3 + 6] = proto;
		f[l3 + 7] = 64;
		inet_pton(AF_INET6, v->src, f + l3 + 8);
		inet_pton(AF_INET6, v->dst, f + l3 + 24);
		l4 = l3 + 40;
	}
	f[l4] = (uint8_t)(v->sport >> 8);
	f[l4 + 1] = (uint8_t)v->sport;
	f[l4 + 2] = (uint8_t)(v->dport >> 8);
	f[l4 + 3] = (uint8_t)v->dport;
	f[l4 + 12] = 0x50;			/* data offset 5 */
	return l4 + 20;
}

/* The raw input, laid out by hand: src, dst, sport, dport. */
static size_t
raw(uint8_t *in, int ip, const struct vec *v, bool ports)
{
	size_t a = ip == 4 ? 4 : 16;

	inet_pton(ip == 4 ? AF_INET : AF_INET6, v->src, in);
	inet_pton(ip == 4 ? AF_INET : AF_INET6, v->dst, in + a);
	if (!ports)
		return 2 * a;
	in[2 * a] = (uint8_t)(v->sport >> 8);
	in[2 * a + 1] = (uint8_t)v->sport;
	in[2 * a + 2] = (uint8_t)(v->dport >> 8);
	in[2 * a + 3] = (uint8_t)v->dport;
	return 2 * a + 4;
}

static void
check_vectors(int ip, const struct vec *vs, size_t n)
{
	uint32_t all = HASH_TYPES_SUPPORTED;
	uint32_t l3only = ip == 4 ? XEN_NETIF_CTRL_HASH_TYPE_IPV4 :
	    XEN_NETIF_CTRL_HASH_TYPE_IPV6;
	uint8_t in[HASH_INPUT_MAX], f[128];
	struct hash_result r;
	size_t i, len;

	for (i = 0; i < n; i++) {
		len = raw(in, ip, &vs[i], false);
		CU_ASSERT_EQUAL(hash_toeplitz(ms_key, 40, in, len), vs[i].l3);
		len = raw(in, ip, &vs[i], true);
		CU_ASSERT_EQUAL(hash_toeplitz(ms_key, 40, in, len), vs[i].l4);

		len = build(f, ip, &vs[i], 6);
		hash_frame(ms_key, 40, all, f, len, &r);
		CU_ASSERT_TRUE(r.valid);
		CU_ASSERT_EQUAL(r.value, vs[i].l4);
		CU_ASSERT_EQUAL(r.htype, ip == 4 ?
		    _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP :
		    _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP);
		/* Only the address type enabled: the ports are left out. */
		hash_frame(ms_key, 40, l3only, f, len, &r);
		CU_ASSERT_TRUE(r.valid);
		CU_ASSERT_EQUAL(r.value, vs[i].l3);
		CU_ASSERT_EQUAL(r.htype, ip == 4 ?
		    _XEN_NETIF_CTRL_HASH_TYPE_IPV4 :
		    _XEN_NETIF_CTRL_HASH_TYPE_IPV6);
		/* UDP: addresses only, even with the TCP type enabled. */
		len = build(f, ip, &vs[i], 17);
		f[ip == 4 ? 14 + 20 + 4 : 14 + 40 + 4] = 0;
		f[ip == 4 ? 14 + 20 + 5 : 14 + 40 + 5] = 20;	/* UDP len */
		hash_frame(ms_key, 40, all, f, len, &r);
		CU_ASSERT_TRUE(r.valid);
		CU_ASSERT_EQUAL(r.value, vs[i].l3);
	}
}

static void
test_ipv4_vectors(void)
{
	check_vectors(4, v4, sizeof(v4) / sizeof(v4[0]));
}

static void
test_ipv6_vectors(void)
{
	check_vectors(6, v6, sizeof(v6) / sizeof(v6[0]));
}

static void
test_not_hashed(void)
{
	uint8_t f[128];
	struct hash_result r;
	size_t len;

	/* Only the TCP type of IPv4 enabled: UDP gets no hash. */
	len = build(f, 4, &v4[0], 17);
	f[14 + 20 + 5] = 20;
	hash_frame(ms_key, 40, XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP, f, len, &r);
	CU_ASSERT_FALSE(r.valid);
	CU_ASSERT_EQUAL(r.value, 0);
	/* IPv6 types only: an IPv4 frame gets none. */
	len = build(f, 4, &v4[0], 6);
	hash_frame(ms_key, 40, XEN_NETIF_CTRL_HASH_TYPE_IPV6 |
	    XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP, f, len, &r);
	CU_ASSERT_FALSE(r.valid);
	/* No flags at all. */
	hash_frame(ms_key, 40, 0, f, len, &r);
	CU_ASSERT_FALSE(r.valid);
	/* An IPv4 fragment: addresses only. */
	f[14 + 6] = 0x20;	/* MF */
	hash_frame(ms_key, 40, HASH_TYPES_SUPPORTED, f, len, &r);
	CU_ASSERT_TRUE(r.valid);
	CU_ASSERT_EQUAL(r.value, v4[0].l3);
	f[14 + 6] = 0;
	/* Truncated: no hash, nothing read past the end (ASan). */
	hash_frame(ms_key, 40, HASH_TYPES_SUPPORTED, f, 14 + 19, &r);
	CU_ASSERT_FALSE(r.valid);
	/* ARP. */
	f[12] = 0x08; f[13] = 0x06;
	hash_frame(ms_key, 40, HASH_TYPES_SUPPORTED, f, len, &r);
	CU_ASSERT_FALSE(r.valid);
	/* A VLAN-tagged frame is not hashed (Linux: skb->protocol). */
	memmove(f + 16, f + 12, len - 12);
	f[12] = 0x81; f[13] = 0x00; f[14] = 0; f[15] = 5;
	f[16] = 0x08; f[17] = 0x00;
	hash_frame(ms_key, 40, HASH_TYPES_SUPPORTED, f, len + 4, &r);
	CU_ASSERT_FALSE(r.valid);
}

static void
test_short_key(void)
{
	uint8_t in[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	uint8_t k[40];

	/* Octets past the key are zero: a 16-byte key equals the same 16
	 * bytes padded to 40 with zeros; no key hashes to 0. */
	memset(k, 0, sizeof(k));
	memcpy(k, ms_key, 16);
	CU_ASSERT_EQUAL(hash_toeplitz(ms_key, 16, in, 12),
	    hash_toeplitz(k, 40, in, 12));
	CU_ASSERT_EQUAL(hash_toeplitz(NULL, 0, in, 12), 0);
	CU_ASSERT_EQUAL(hash_toeplitz(ms_key, 40, in, 0), 0);
	/* One bit of data takes the first 32 key bits. */
	in[0] = 0x80;
	CU_ASSERT_EQUAL(hash_toeplitz(ms_key, 40, in, 1), 0x6d5a56da);
	in[0] = 0x01;	/* bit 7: key bits 7..38 */
	CU_ASSERT_EQUAL(hash_toeplitz(ms_key, 40, in, 1),
	    (uint32_t)(((0x6d5a56da25ull << 7) >> 8) & 0xffffffffu));
}

static void
test_queue(void)
{
	uint32_t map[4] = { 3, 1, 2, 0 };

	CU_ASSERT_EQUAL(hash_queue(5, NULL, 0, 4), 1);	/* modular */
	CU_ASSERT_EQUAL(hash_queue(7, NULL, 0, 1), 0);
	CU_ASSERT_EQUAL(hash_queue(4, map, 4, 4), 3);	/* 4 % 4 = 0 */
	CU_ASSERT_EQUAL(hash_queue(6, map, 4, 4), 2);
	CU_ASSERT_EQUAL(hash_queue(0xffffffffu, map, 4, 4), 0);
	/* An entry out of range (never accepted) falls back to 0. */
	map[1] = 9;
	CU_ASSERT_EQUAL(hash_queue(1, map, 4, 4), 0);
}

static CU_TestInfo hash_tests[] = {
	{ "Toeplitz: IPv4 vectors, with and without ports", test_ipv4_vectors },
	{ "Toeplitz: IPv6 vectors, with and without ports", test_ipv6_vectors },
	{ "frames that get no hash (types, fragments, ARP, VLAN, short)",
	  test_not_hashed },
	{ "short and empty keys, single bits", test_short_key },
	{ "hash -> queue through the mapping", test_queue },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "hash", NULL, NULL, NULL, NULL, hash_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
