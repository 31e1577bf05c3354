/*
 * swfdb.c - a vifd switch's forwarding table: learning source addresses
 * per port, pinning a port's own address, ageing, and the lookup that
 * tells one port from "flood". Owns the table's rules and bounds only:
 * which frames are learned from, and what a flood reaches, are the
 * switch's business.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/swfdb.h"

/* 2^20 entries of 24 bytes: 24 MiB, far beyond any host's guests. */
#define SWFDB_MAX_ENTRIES	(1u << 20)

/*
 * The bucket of (mac, vlan): the 64-bit key XORed with the seed, through
 * splitmix64's finaliser (a bijection that spreads every input bit over
 * the output), top bits. Not a keyed PRF like SipHash: enough that a guest
 * that does not know the seed cannot choose addresses that share a bucket
 * with a given other one; at worst it churns learned entries, which only
 * costs floods.
 */
static uint32_t
swfdb_bucket(const struct swfdb *f, const uint8_t mac[SWFDB_MAC_LEN],
    uint16_t vlan)
{
	uint64_t z = (uint64_t)vlan << 48;
	unsigned int i;

	for (i = 0; i < SWFDB_MAC_LEN; i++)
		z |= (uint64_t)mac[i] << (8 * i);
	z ^= f->seed;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return (uint32_t)(z >> f->shift);
}

static bool
swfdb_is_group(const uint8_t mac[SWFDB_MAC_LEN])
{
	return (mac[0] & 0x01) != 0;
}

/* Not a station's address: a group one, or all zeroes (Linux bridge:
 * is_valid_ether_addr). */
static bool
swfdb_bad_station(const uint8_t mac[SWFDB_MAC_LEN])
{
	static const uint8_t zero[SWFDB_MAC_LEN];

	return swfdb_is_group(mac) || memcmp(mac, zero, SWFDB_MAC_LEN) == 0;
}

static bool
swfdb_live(const struct swfdb *f, const struct swfdb_entry *e,
    uint64_t now_ns)
{
	/* A clock read before the entry was seen (another thread's) is
	 * "just now", not a wrap to 2^64. */
	return e->used && (e->pinned || now_ns <= e->seen_ns ||
	    now_ns - e->seen_ns < f->age_ns);
}

/* The entry for (mac, vlan) in its bucket `b`, aged or not, or NULL. */
static struct swfdb_entry *
swfdb_find(struct swfdb_entry *b, const uint8_t mac[SWFDB_MAC_LEN],
    uint16_t vlan)
{
	unsigned int i;

	for (i = 0; i < SWFDB_WAYS; i++)
		if (b[i].used && b[i].vlan == vlan &&
		    memcmp(b[i].mac, mac, SWFDB_MAC_LEN) == 0)
			return &b[i];
	return NULL;
}

/* A slot for a new entry in bucket `b`: a free or aged one, else the
 * learned entry seen longest ago (*replaced set), else NULL (all pinned). */
static struct swfdb_entry *
swfdb_slot(const struct swfdb *f, struct swfdb_entry *b, uint64_t now_ns,
    bool *replaced)
{
	struct swfdb_entry *old = NULL;
	unsigned int i;

	*replaced = false;
	for (i = 0; i < SWFDB_WAYS; i++) {
		if (!swfdb_live(f, &b[i], now_ns))
			return &b[i];
		if (!b[i].pinned && (old == NULL ||
		    b[i].seen_ns < old->seen_ns))
			old = &b[i];
	}
	*replaced = old != NULL;
	return old;
}

static void
swfdb_fill(struct swfdb_entry *e, const uint8_t mac[SWFDB_MAC_LEN],
    uint16_t vlan, uint16_t port, bool pinned, uint64_t seen_ns)
{
	memcpy(e->mac, mac, SWFDB_MAC_LEN);
	e->vlan = vlan;
	e->port = port;
	e->used = 1;
	e->pinned = pinned;
	e->seen_ns = seen_ns;
}

int
swfdb_init(struct swfdb *f, uint32_t entries, uint64_t age_ns, uint64_t seed)
{
	uint32_t nb = 2;
	unsigned int bits = 1;

	memset(f, 0, sizeof(*f));
	if (entries == 0 || entries > SWFDB_MAX_ENTRIES)
		return -EINVAL;
	while (nb * SWFDB_WAYS < entries) {
		nb <<= 1;
		bits++;
	}
	f->e = calloc((size_t)nb * SWFDB_WAYS, sizeof(*f->e));
	if (f->e == NULL)
		return -ENOMEM;
	f->nbuckets = nb;
	f->shift = 64 - bits;
	f->seed = seed;
	f->age_ns = age_ns != 0 ? age_ns : SWFDB_AGE_DEFAULT_NS;
	return 0;
}

void
swfdb_fini(struct swfdb *f)
{
	free(f->e);
	memset(f, 0, sizeof(*f));
}

int
swfdb_pin(struct swfdb *f, const uint8_t mac[SWFDB_MAC_LEN], uint16_t vlan,
    uint16_t port, uint64_t now_ns)
{
	struct swfdb_entry *b, *e;
	bool replaced;

	if (swfdb_bad_station(mac))
		return -EINVAL;
	b = &f->e[(size_t)swfdb_bucket(f, mac, vlan) * SWFDB_WAYS];
	e = swfdb_find(b, mac, vlan);
	if (e != NULL && e->pinned && e->port != port)
		return -EEXIST;
	if (e == NULL) {
		/* Pinning is the toolstack's word: it may push out a learned
		 * entry, never a pinned one. */
		e = swfdb_slot(f, b, now_ns, &replaced);
		if (e == NULL)
			return -ENOSPC;
		if (replaced)
			f->st.replaced++;
	}
	swfdb_fill(e, mac, vlan, port, true, 0);
	return 0;
}

enum swfdb_learn_result
swfdb_learn(struct swfdb *f, const uint8_t mac[SWFDB_MAC_LEN], uint16_t vlan,
    uint16_t port, uint64_t now_ns)
{
	struct swfdb_entry *b, *e;
	bool replaced;

	if (swfdb_bad_station(mac)) {
		f->st.bad_src++;
		return SWFDB_BAD_SRC;
	}
	b = &f->e[(size_t)swfdb_bucket(f, mac, vlan) * SWFDB_WAYS];
	e = swfdb_find(b, mac, vlan);
	if (e != NULL && e->pinned) {
		if (e->port == port)
			return SWFDB_KNOWN;
		f->st.refused++;
		return SWFDB_REFUSED;
	}
	if (e != NULL && swfdb_live(f, e, now_ns)) {
		if (now_ns > e->seen_ns)
			e->seen_ns = now_ns;
		if (e->port == port)
			return SWFDB_KNOWN;
		e->port = port;
		f->st.moved++;
		return SWFDB_MOVED;
	}
	if (e == NULL) {
		e = swfdb_slot(f, b, now_ns, &replaced);
		if (e == NULL) {
			f->st.full++;
			return SWFDB_NOT_LEARNED;
		}
		if (replaced)
			f->st.replaced++;
	}
	swfdb_fill(e, mac, vlan, port, false, now_ns);
	f->st.learned++;
	return SWFDB_LEARNED;
}

int
swfdb_lookup(const struct swfdb *f, const uint8_t mac[SWFDB_MAC_LEN],
    uint16_t vlan, uint64_t now_ns)
{
	const struct swfdb_entry *e;

	if (swfdb_is_group(mac))
		return -ENOENT;
	e = swfdb_find(&f->e[(size_t)swfdb_bucket(f, mac, vlan) * SWFDB_WAYS],
	    mac, vlan);
	if (e == NULL || !swfdb_live(f, e, now_ns))
		return -ENOENT;
	return e->port;
}

unsigned int
swfdb_flush_port(struct swfdb *f, uint16_t port)
{
	size_t i, n = (size_t)f->nbuckets * SWFDB_WAYS;
	unsigned int k = 0;

	for (i = 0; i < n; i++)
		if (f->e[i].used && f->e[i].port == port) {
			memset(&f->e[i], 0, sizeof(f->e[i]));
			k++;
		}
	return k;
}

unsigned int
swfdb_expire(struct swfdb *f, uint64_t now_ns)
{
	size_t i, n = (size_t)f->nbuckets * SWFDB_WAYS;
	unsigned int k = 0;

	for (i = 0; i < n; i++)
		if (f->e[i].used && !swfdb_live(f, &f->e[i], now_ns)) {
			memset(&f->e[i], 0, sizeof(f->e[i]));
			k++;
		}
	return k;
}

unsigned int
swfdb_count(const struct swfdb *f)
{
	size_t i, n = (size_t)f->nbuckets * SWFDB_WAYS;
	unsigned int k = 0;

	for (i = 0; i < n; i++)
		k += f->e[i].used;
	return k;
}
