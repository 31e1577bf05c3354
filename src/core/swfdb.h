/*
 * swfdb.h - the forwarding table of a switch inside vifd (issue 20): which
 * port a MAC address (in a VLAN) was last seen on, learned from the
 * source addresses of the frames the ports send, forgotten after an
 * ageing time, as a Linux bridge's FDB (net/bridge/br_fdb.c: ageing
 * 300 s by default, BR_DEFAULT_AGEING_TIME) and Open vSwitch's MAC
 * learning do.
 *
 * Bounded against hostile guests: a fixed number of buckets of
 * SWFDB_WAYS entries each, allocated once. Learning into a full bucket
 * replaces the entry seen longest ago; a guest that sends from a flood
 * of source addresses only churns learned entries, whose owners' frames
 * are then flooded until they send again (never lost). The bucket of an
 * address is chosen by a hash keyed with a seed the caller draws at
 * random, so a guest cannot aim its addresses at another port's bucket.
 * Pinned entries (a port's own mac=, given by the toolstack) never age,
 * are never replaced by learning, and a frame from another port with a
 * pinned source address is refused rather than moving it: a guest cannot
 * steal a pinned guest's traffic.
 *
 * Pure: no clock (time is a parameter, in ns), no lock, no allocation
 * after swfdb_init().
 */
#ifndef VIFD_SWFDB_H
#define VIFD_SWFDB_H

#include <stdbool.h>
#include <stdint.h>

#define SWFDB_MAC_LEN	6u
/* Entries per bucket: 4 keeps a lookup within one or two cache lines. */
#define SWFDB_WAYS	4u
/* Linux bridge's default ageing time (BR_DEFAULT_AGEING_TIME, 300 s). */
#define SWFDB_AGE_DEFAULT_NS	(300ull * 1000000000ull)

struct swfdb_entry {
	uint8_t mac[SWFDB_MAC_LEN];
	uint16_t vlan;		/* 0: untagged */
	uint16_t port;
	uint8_t used;
	uint8_t pinned;
	uint64_t seen_ns;	/* learned: when last seen */
};

struct swfdb_stats {
	uint64_t learned;	/* new addresses */
	uint64_t moved;		/* a learned address seen on another port */
	uint64_t replaced;	/* learned entries pushed out of a full bucket */
	uint64_t refused;	/* frames from another port with a pinned
				 * address */
	uint64_t full;		/* not learned: a bucket of pinned entries */
	uint64_t bad_src;	/* group or all-zero source addresses */
};

struct swfdb {
	struct swfdb_entry *e;	/* nbuckets * SWFDB_WAYS */
	uint32_t nbuckets;	/* a power of two */
	unsigned int shift;	/* 64 - log2(nbuckets) */
	uint64_t seed;
	uint64_t age_ns;
	struct swfdb_stats st;
};

/* What swfdb_learn() did with a frame's source address. */
enum swfdb_learn_result {
	SWFDB_KNOWN,		/* already there, on this port: refreshed */
	SWFDB_LEARNED,		/* new */
	SWFDB_MOVED,		/* learned on another port before: moved here */
	SWFDB_NOT_LEARNED,	/* no room (a bucket of pinned entries) */
	SWFDB_REFUSED,		/* pinned to another port: drop the frame */
	SWFDB_BAD_SRC,		/* a group or all-zero source: drop the frame */
};

/*
 * A table of at least `entries` entries (rounded up to whole buckets of a
 * power-of-two count, at most 2^20 entries), ageing learned entries after
 * `age_ns` (0: SWFDB_AGE_DEFAULT_NS); `seed` keys the bucket hash (draw it
 * at random). Returns 0, -EINVAL for 0 or too many entries, -ENOMEM.
 */
int swfdb_init(struct swfdb *f, uint32_t entries, uint64_t age_ns,
    uint64_t seed);
void swfdb_fini(struct swfdb *f);

/*
 * Pins `mac` in `vlan` to `port` at `now_ns`: a port's own address,
 * which learning may not move. Takes over a learned entry for it, else a
 * free or aged slot, else the bucket's learned entry seen longest ago.
 * Returns 0, -EINVAL for a group or all-zero address, -EEXIST if it is
 * pinned to another port already, -ENOSPC if its bucket holds only pinned
 * entries.
 */
int swfdb_pin(struct swfdb *f, const uint8_t mac[SWFDB_MAC_LEN],
    uint16_t vlan, uint16_t port, uint64_t now_ns);

/*
 * Learns a frame's source address `mac` in `vlan`, seen on `port` at
 * `now_ns`. See enum swfdb_learn_result; SWFDB_REFUSED and SWFDB_BAD_SRC
 * mean the caller drops the frame. Counted in f->st.
 */
enum swfdb_learn_result swfdb_learn(struct swfdb *f,
    const uint8_t mac[SWFDB_MAC_LEN], uint16_t vlan, uint16_t port,
    uint64_t now_ns);

/*
 * The port `mac` in `vlan` was learned or pinned on, or -ENOENT (unknown,
 * or learned longer than the ageing time before `now_ns`): the caller
 * floods. Group addresses are never in the table.
 */
int swfdb_lookup(const struct swfdb *f, const uint8_t mac[SWFDB_MAC_LEN],
    uint16_t vlan, uint64_t now_ns);

/* Forgets every entry of `port`, pinned ones too (the port went away).
 * Returns how many. */
unsigned int swfdb_flush_port(struct swfdb *f, uint16_t port);

/* Forgets the learned entries older than the ageing time at `now_ns`.
 * Returns how many. (Lookups already ignore them; this frees the slots and
 * gives a count.) */
unsigned int swfdb_expire(struct swfdb *f, uint64_t now_ns);

/* Entries in use (pinned and learned, aged or not). */
unsigned int swfdb_count(const struct swfdb *f);

#endif
