/*
 * test_switch.c - the pure core of a vifd switch.
 * The forwarding table (core/swfdb.c): learning, refreshing and moving
 * addresses, per VLAN; ageing at the ageing time exactly; pinned addresses
 * that learning may not move, and the frames that try refused; group
 * source addresses refused; a flood of source addresses bounded by the
 * table's size, pinned entries and recently seen ones surviving it;
 * flushing a port; the size rules.
 * The forwarding decision (core/swfwd.c): flooding broadcast and unknown
 * unicast, then one port once learned; never back to the input; VLANs as
 * broadcast domains; isolated ports; runts, spoofed and group sources
 * dropped; a port that went away.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/swfdb.h"
#include "core/swfwd.h"
#include "core/swspec.h"
#include "cu_tap.h"

#define S	1000000000ull	/* ns per second */
#define SEED	0x5eed5eed12345678ull

/* 00:16:3e:<n>: a guest's address, distinct per n. */
static void
mac(unsigned int n, uint8_t a[6])
{
	a[0] = 0x00; a[1] = 0x16; a[2] = 0x3e;
	a[3] = (uint8_t)(n >> 16);
	a[4] = (uint8_t)(n >> 8);
	a[5] = (uint8_t)n;
}

static void
test_learn_lookup(void)
{
	struct swfdb f;
	uint8_t a[6], b[6];

	mac(1, a);
	mac(2, b);
	CU_ASSERT_EQUAL_FATAL(swfdb_init(&f, 64, 10 * S, SEED), 0);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, 0), -ENOENT);
	CU_ASSERT_EQUAL(swfdb_learn(&f, a, 0, 3, 1 * S), SWFDB_LEARNED);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, 2 * S), 3);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, b, 0, 2 * S), -ENOENT);
	/* Per VLAN: the same address in VLAN 10 is another entry. */
	CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 10, 2 * S), -ENOENT);
	CU_ASSERT_EQUAL(swfdb_learn(&f, a, 10, 4, 2 * S), SWFDB_LEARNED);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 10, 2 * S), 4);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, 2 * S), 3);
	/* Seen again on its port: refreshed; on another: moved. */
	CU_ASSERT_EQUAL(swfdb_learn(&f, a, 0, 3, 3 * S), SWFDB_KNOWN);
	CU_ASSERT_EQUAL(swfdb_learn(&f, a, 0, 5, 4 * S), SWFDB_MOVED);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, 4 * S), 5);
	CU_ASSERT_EQUAL(f.st.learned, 2);
	CU_ASSERT_EQUAL(f.st.moved, 1);
	CU_ASSERT_EQUAL(swfdb_count(&f), 2);
	swfdb_fini(&f);
}

static void
test_ageing(void)
{
	struct swfdb f;
	uint8_t a[6];

	mac(7, a);
	CU_ASSERT_EQUAL_FATAL(swfdb_init(&f, 16, 10 * S, SEED), 0);
	CU_ASSERT_EQUAL(swfdb_learn(&f, a, 0, 1, 100 * S), SWFDB_LEARNED);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, 110 * S - 1), 1);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, 110 * S), -ENOENT);
	/* A refresh restarts the clock. */
	CU_ASSERT_EQUAL(swfdb_learn(&f, a, 0, 1, 109 * S), SWFDB_KNOWN);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, 118 * S), 1);
	/* Aged out, then seen again: learned anew (on whatever port). */
	CU_ASSERT_EQUAL(swfdb_learn(&f, a, 0, 2, 200 * S), SWFDB_LEARNED);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, 200 * S), 2);
	CU_ASSERT_EQUAL(swfdb_expire(&f, 205 * S), 0);
	CU_ASSERT_EQUAL(swfdb_expire(&f, 210 * S), 1);
	CU_ASSERT_EQUAL(swfdb_count(&f), 0);
	/* A clock read before the entry was last seen (another thread's
	 * cached time): still live, not wrapped into "aged". */
	CU_ASSERT_EQUAL(swfdb_learn(&f, a, 0, 3, 500 * S), SWFDB_LEARNED);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, 499 * S), 3);
	CU_ASSERT_EQUAL(swfdb_expire(&f, 499 * S), 0);
	CU_ASSERT_EQUAL(swfdb_learn(&f, a, 0, 3, 499 * S), SWFDB_KNOWN);
	swfdb_fini(&f);
	/* 0: Linux bridge's default, 300 s. */
	CU_ASSERT_EQUAL_FATAL(swfdb_init(&f, 16, 0, SEED), 0);
	CU_ASSERT_EQUAL(f.age_ns, 300 * S);
	CU_ASSERT_EQUAL(swfdb_learn(&f, a, 0, 1, 0), SWFDB_LEARNED);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, 299 * S), 1);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, 300 * S), -ENOENT);
	swfdb_fini(&f);
}

static void
test_pinned(void)
{
	struct swfdb f;
	uint8_t a[6], g[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

	mac(9, a);
	CU_ASSERT_EQUAL_FATAL(swfdb_init(&f, 16, 10 * S, SEED), 0);
	/* A learned entry becomes pinned to the toolstack's port. */
	CU_ASSERT_EQUAL(swfdb_learn(&f, a, 0, 6, 1 * S), SWFDB_LEARNED);
	CU_ASSERT_EQUAL(swfdb_pin(&f, a, 0, 2, 1 * S), 0);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, 1 * S), 2);
	/* Another port sending from it: refused, nothing moves. */
	CU_ASSERT_EQUAL(swfdb_learn(&f, a, 0, 6, 2 * S), SWFDB_REFUSED);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, 2 * S), 2);
	CU_ASSERT_EQUAL(f.st.refused, 1);
	/* Its own port: fine. Pinned entries never age. */
	CU_ASSERT_EQUAL(swfdb_learn(&f, a, 0, 2, 3 * S), SWFDB_KNOWN);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, 100000 * S), 2);
	CU_ASSERT_EQUAL(swfdb_expire(&f, 100000 * S), 0);
	/* Pinned to another port: refused; again to the same: fine. */
	CU_ASSERT_EQUAL(swfdb_pin(&f, a, 0, 3, 4 * S), -EEXIST);
	CU_ASSERT_EQUAL(swfdb_pin(&f, a, 0, 2, 4 * S), 0);
	/* Nor is all zeroes (Linux bridge: not a valid station address). */
	memset(g, 0, sizeof(g));
	CU_ASSERT_EQUAL(swfdb_pin(&f, g, 0, 2, 4 * S), -EINVAL);
	CU_ASSERT_EQUAL(swfdb_learn(&f, g, 0, 2, 4 * S), SWFDB_BAD_SRC);
	CU_ASSERT_EQUAL(f.st.bad_src, 1);
	g[0] = 0x01; g[2] = 0x5e; g[5] = 0x01;
	/* Group addresses are never a port's. */
	CU_ASSERT_EQUAL(swfdb_pin(&f, g, 0, 2, 4 * S), -EINVAL);
	CU_ASSERT_EQUAL(swfdb_learn(&f, g, 0, 2, 4 * S), SWFDB_BAD_SRC);
	CU_ASSERT_EQUAL(f.st.bad_src, 2);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, g, 0, 4 * S), -ENOENT);
	swfdb_fini(&f);
}

/*
 * A guest sends from 100000 source addresses into a table of 256
 * entries: the table stays at its size; the pinned addresses of the other
 * ports and an address seen after the flood are all still there.
 */
static void
test_flood_bounded(void)
{
	struct swfdb f;
	uint8_t a[6];
	bool pin_ok[64];
	unsigned int i, pinned = 0;
	uint64_t t = 1 * S;
	int r;

	CU_ASSERT_EQUAL_FATAL(swfdb_init(&f, 256, 300 * S, SEED), 0);
	CU_ASSERT_EQUAL(f.nbuckets * SWFDB_WAYS, 256);
	/* 64 ports' own addresses over 64 buckets of 4: one that hashes
	 * into a bucket already holding 4 pins is refused (-ENOSPC). */
	for (i = 0; i < 64; i++) {
		mac(0x100000 + i, a);
		r = swfdb_pin(&f, a, 0, (uint16_t)(1 + i), t);
		CU_ASSERT(r == 0 || r == -ENOSPC);
		pin_ok[i] = r == 0;
		pinned += pin_ok[i];
	}
	CU_ASSERT(pinned >= 56);
	for (i = 0; i < 100000; i++) {
		mac(i, a);
		t += 1000;
		(void)swfdb_learn(&f, a, 0, 99, t);
	}
	/* Full, never more. */
	CU_ASSERT_EQUAL(swfdb_count(&f), 256);
	CU_ASSERT(f.st.replaced > 90000);
	for (i = 0; i < 64; i++) {
		if (!pin_ok[i])
			continue;
		mac(0x100000 + i, a);
		CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, t), (int)(1 + i));
		/* ... and the flooding port cannot take them. */
		CU_ASSERT_EQUAL(swfdb_learn(&f, a, 0, 99, t), SWFDB_REFUSED);
	}
	/* A guest that sends after the flood is learned and found: the
	 * first of a few addresses whose bucket is not all pins (at most 8
	 * of 64 buckets could be, with 56 or more of 64 pins placed). */
	for (i = 0; i < 16; i++) {
		mac(0x200000 + i, a);
		t += 1000;
		if (swfdb_learn(&f, a, 0, 70, t) == SWFDB_LEARNED)
			break;
	}
	CU_ASSERT(i < 16);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, t), 70);
	swfdb_fini(&f);
}

/* A bucket of pinned entries: learning there is counted, not done. */
static void
test_bucket_of_pins(void)
{
	struct swfdb f;
	uint8_t a[6];
	unsigned int i, pins = 0, notlearned = 0;

	/* 2 buckets of 4: the smallest table. */
	CU_ASSERT_EQUAL_FATAL(swfdb_init(&f, 1, 10 * S, SEED), 0);
	CU_ASSERT_EQUAL(f.nbuckets, 2);
	for (i = 0; i < 64; i++) {
		mac(i, a);
		if (swfdb_pin(&f, a, 0, 1, 0) == 0)
			pins++;
		else
			CU_ASSERT_EQUAL(swfdb_pin(&f, a, 0, 1, 0), -ENOSPC);
	}
	CU_ASSERT_EQUAL(pins, 8);
	for (i = 100; i < 110; i++) {
		mac(i, a);
		if (swfdb_learn(&f, a, 0, 2, 1) == SWFDB_NOT_LEARNED)
			notlearned++;
		CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, 1), -ENOENT);
	}
	CU_ASSERT_EQUAL(notlearned, 10);
	CU_ASSERT_EQUAL(f.st.full, 10);
	swfdb_fini(&f);
}

static void
test_flush_port(void)
{
	struct swfdb f;
	uint8_t a[6];
	unsigned int i;

	CU_ASSERT_EQUAL_FATAL(swfdb_init(&f, 1024, 10 * S, SEED), 0);
	for (i = 0; i < 30; i++) {
		mac(i, a);
		CU_ASSERT_EQUAL(swfdb_learn(&f, a, 0, (uint16_t)(i % 3), 1),
		    SWFDB_LEARNED);
	}
	mac(1000, a);
	CU_ASSERT_EQUAL(swfdb_pin(&f, a, 0, 1, 1), 0);
	CU_ASSERT_EQUAL(swfdb_flush_port(&f, 1), 11);
	CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, 1), -ENOENT);
	for (i = 0; i < 30; i++) {
		mac(i, a);
		CU_ASSERT_EQUAL(swfdb_lookup(&f, a, 0, 1),
		    i % 3 == 1 ? -ENOENT : (int)(i % 3));
	}
	CU_ASSERT_EQUAL(swfdb_count(&f), 20);
	swfdb_fini(&f);
}

static void
test_sizes(void)
{
	struct swfdb f;

	CU_ASSERT_EQUAL(swfdb_init(&f, 0, 0, SEED), -EINVAL);
	CU_ASSERT_EQUAL(swfdb_init(&f, (1u << 20) + 1, 0, SEED), -EINVAL);
	CU_ASSERT_EQUAL_FATAL(swfdb_init(&f, 1000, 0, SEED), 0);
	CU_ASSERT_EQUAL(f.nbuckets, 256);	/* 1024 entries */
	swfdb_fini(&f);
	CU_ASSERT_EQUAL_FATAL(swfdb_init(&f, 1u << 20, 0, SEED), 0);
	CU_ASSERT_EQUAL(f.nbuckets * SWFDB_WAYS, 1u << 20);
	swfdb_fini(&f);
}

/* A frame from guest `src` to `dst` (mac() numbers; dst 0: broadcast). */
static void
frame(unsigned int dst, unsigned int src, uint8_t f[60])
{
	memset(f, 0, 60);
	if (dst == 0)
		memset(f, 0xff, 6);
	else
		mac(dst, f);
	mac(src, f + 6);
	f[12] = 0x08;	/* IPv4 */
}

/* Is port p in out[0..n-1]? */
static int
has(const uint16_t *out, unsigned int n, unsigned int p)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (out[i] == p)
			return 1;
	return 0;
}

/* Ports 0 (uplink), 1, 2, 3 untagged, 1 and 2 isolated; 4 and 5 in VLAN
 * 10; 6 unused. */
static const struct swfwd_port ports7[7] = {
	{ .used = 1 }, { .used = 1, .isolated = 1 },
	{ .used = 1, .isolated = 1 }, { .used = 1 },
	{ .used = 1, .vlan = 10 }, { .used = 1, .vlan = 10 }, { .used = 0 },
};
/* The frame's VLAN as swfwd_decide says it. */
static uint16_t vl;

static void
test_fwd_flood_then_unicast(void)
{
	struct swfdb f;
	uint8_t fr[60];
	uint16_t out[7];
	unsigned int n;

	CU_ASSERT_EQUAL_FATAL(swfdb_init(&f, 64, 10 * S, SEED), 0);
	/* Guest 3 (port 3) broadcasts: every untagged port but its own. */
	frame(0, 3, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, ports7, 7, 3, 0, fr,
	    60, 1, out, &n, &vl),
	    SWFWD_FLOOD);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT(has(out, n, 0) && has(out, n, 1) && has(out, n, 2));
	/* Port 0 to guest 3, now learned: port 3 alone. */
	frame(3, 100, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, ports7, 7, 0, 0, fr,
	    60, 2, out, &n, &vl),
	    SWFWD_UNICAST);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(out[0], 3);
	/* To an unknown address: flooded. */
	frame(55, 100, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, ports7, 7, 0, 0, fr,
	    60, 3, out, &n, &vl),
	    SWFWD_FLOOD);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT(has(out, n, 1) && has(out, n, 2) && has(out, n, 3));
	/* Multicast: flooded too. */
	frame(3, 100, fr);
	fr[0] = 0x01; fr[1] = 0x00; fr[2] = 0x5e;
	CU_ASSERT_EQUAL(swfwd_decide(&f, ports7, 7, 0, 0, fr,
	    60, 4, out, &n, &vl),
	    SWFWD_FLOOD);
	/* Guest 3 aged out: flooded again. */
	frame(3, 100, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, ports7, 7, 0, 0, fr,
	    60, 20 * S, out, &n, &vl), SWFWD_FLOOD);
	/* To the port it came from (guest 100 is on port 0): dropped. */
	frame(100, 3, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, ports7, 7, 0, 0, fr,
	    60, 20 * S, out, &n, &vl), SWFWD_DROP_LOCAL);
	CU_ASSERT_EQUAL(n, 0);
	swfdb_fini(&f);
}

static void
test_fwd_vlan_isolation(void)
{
	struct swfdb f;
	uint8_t fr[60];
	uint16_t out[7];
	unsigned int n;

	CU_ASSERT_EQUAL_FATAL(swfdb_init(&f, 64, 10 * S, SEED), 0);
	/* VLAN 10's broadcast reaches VLAN 10 alone. */
	frame(0, 4, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, ports7, 7, 4, 0, fr,
	    60, 1, out, &n, &vl),
	    SWFWD_FLOOD);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(out[0], 5);
	/* Guest 4 is known in VLAN 10 only: from untagged port 3 it is
	 * unknown (flooded in VLAN 0, not sent to port 4). */
	frame(4, 3, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, ports7, 7, 3, 0, fr,
	    60, 2, out, &n, &vl),
	    SWFWD_FLOOD);
	CU_ASSERT_FALSE(has(out, n, 4));
	CU_ASSERT_FALSE(has(out, n, 5));
	/* Isolated port 1 broadcasts: the uplink and port 3, not port 2. */
	frame(0, 1, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, ports7, 7, 1, 0, fr,
	    60, 3, out, &n, &vl),
	    SWFWD_FLOOD);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT(has(out, n, 0) && has(out, n, 3));
	/* ... and guest 2 (isolated port 2), once learned, is not reached
	 * from port 1, but is from port 3. */
	frame(0, 2, fr);
	(void)swfwd_decide(&f, ports7, 7, 2, 0, fr, 60, 4, out, &n, &vl);
	frame(2, 1, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, ports7, 7, 1, 0, fr,
	    60, 5, out, &n, &vl),
	    SWFWD_DROP_ISOLATED);
	CU_ASSERT_EQUAL(n, 0);
	frame(2, 3, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, ports7, 7, 3, 0, fr,
	    60, 5, out, &n, &vl),
	    SWFWD_UNICAST);
	CU_ASSERT_EQUAL(out[0], 2);
	swfdb_fini(&f);
}

/* Port 0 the trunk (the uplink), 1 and 2 in VLAN 10, 3 in VLAN 20, 4
 * untagged. */
static void
test_fwd_trunk(void)
{
	static const struct swfwd_port p[5] = {
		{ .used = 1, .trunk = 1 }, { .used = 1, .vlan = 10 },
		{ .used = 1, .vlan = 10 }, { .used = 1, .vlan = 20 },
		{ .used = 1 },
	};
	struct swfdb f;
	uint8_t fr[60];
	uint16_t out[5];
	unsigned int n;

	CU_ASSERT_EQUAL_FATAL(swfdb_init(&f, 64, 10 * S, SEED), 0);
	/* VLAN 10's broadcast: its other port and the trunk, in VLAN 10. */
	frame(0, 1, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, p, 5, 1, 0, fr, 60, 1, out, &n, &vl),
	    SWFWD_FLOOD);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT(has(out, n, 0) && has(out, n, 2));
	CU_ASSERT_EQUAL(vl, 10);
	/* From the trunk, tagged 20: VLAN 20's port alone; untagged: the
	 * untagged port alone. The VID given for an access port is not
	 * its VLAN: ignored. */
	frame(0, 100, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, p, 5, 0, 20, fr, 60, 2, out, &n, &vl),
	    SWFWD_FLOOD);
	CU_ASSERT(n == 1 && out[0] == 3 && vl == 20);
	frame(0, 101, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, p, 5, 0, 0, fr, 60, 2, out, &n, &vl),
	    SWFWD_FLOOD);
	CU_ASSERT(n == 1 && out[0] == 4 && vl == 0);
	frame(0, 3, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, p, 5, 3, 10, fr, 60, 2, out, &n, &vl),
	    SWFWD_FLOOD);
	CU_ASSERT(n == 1 && out[0] == 0 && vl == 20);
	/* Guest 1 learned in VLAN 10: reached from the trunk in VLAN 10,
	 * unknown in VLAN 20 (flooded there, not to port 1). */
	frame(1, 102, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, p, 5, 0, 10, fr, 60, 3, out, &n, &vl),
	    SWFWD_UNICAST);
	CU_ASSERT_EQUAL(out[0], 1);
	frame(1, 103, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, p, 5, 0, 20, fr, 60, 3, out, &n, &vl),
	    SWFWD_FLOOD);
	CU_ASSERT_FALSE(has(out, n, 1));
	/* The host's address learned on the trunk in VLAN 20: port 3's
	 * unicast to it goes there. */
	frame(100, 3, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, p, 5, 3, 0, fr, 60, 4, out, &n, &vl),
	    SWFWD_UNICAST);
	CU_ASSERT_EQUAL(out[0], 0);
	/* A guest in VLAN 10 sending a tagged frame: refused. An untagged
	 * port's guest may (it is in no VLAN: the tag is its business). */
	frame(0, 1, fr);
	fr[12] = 0x81;
	fr[13] = 0x00;
	CU_ASSERT_EQUAL(swfwd_decide(&f, p, 5, 1, 0, fr, 60, 5, out, &n, &vl),
	    SWFWD_DROP_VLAN);
	CU_ASSERT_EQUAL(n, 0);
	fr[12] = 0x88;
	fr[13] = 0xa8;
	CU_ASSERT_EQUAL(swfwd_decide(&f, p, 5, 2, 0, fr, 60, 5, out, &n, &vl),
	    SWFWD_DROP_VLAN);
	frame(0, 4, fr);
	fr[12] = 0x81;
	fr[13] = 0x00;
	CU_ASSERT_EQUAL(swfwd_decide(&f, p, 5, 4, 0, fr, 60, 5, out, &n, &vl),
	    SWFWD_FLOOD);
	CU_ASSERT(n == 1 && out[0] == 0 && vl == 0);
	swfdb_fini(&f);
}

static void
test_fwd_bad_frames(void)
{
	struct swfdb f;
	struct swfwd_port p[7];
	uint8_t fr[60];
	uint16_t out[7];
	unsigned int n;

	memcpy(p, ports7, sizeof(p));
	CU_ASSERT_EQUAL_FATAL(swfdb_init(&f, 64, 10 * S, SEED), 0);
	frame(0, 3, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, p, 7, 3, 0, fr, 13, 1, out, &n, &vl),
	    SWFWD_DROP_RUNT);
	CU_ASSERT_EQUAL(swfdb_count(&f), 0);
	/* Unused or out-of-range input port. */
	CU_ASSERT_EQUAL(swfwd_decide(&f, p, 7, 6, 0, fr, 60, 1, out, &n, &vl),
	    SWFWD_DROP_PORT);
	CU_ASSERT_EQUAL(swfwd_decide(&f, p, 7, 7, 0, fr, 60, 1, out, &n, &vl),
	    SWFWD_DROP_PORT);
	/* A group source address. */
	frame(0, 3, fr);
	fr[6] |= 0x01;
	CU_ASSERT_EQUAL(swfwd_decide(&f, p, 7, 3, 0, fr, 60, 1, out, &n, &vl),
	    SWFWD_DROP_SRC);
	/* Guest 1's address pinned to port 1; port 3 sending from it is
	 * dropped, and frames to it still go to port 1. */
	mac(1, fr);
	CU_ASSERT_EQUAL(swfdb_pin(&f, fr, 0, 1, 1), 0);
	frame(0, 1, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, p, 7, 3, 0, fr, 60, 2, out, &n, &vl),
	    SWFWD_DROP_SRC);
	frame(1, 100, fr);
	CU_ASSERT_EQUAL(swfwd_decide(&f, p, 7, 0, 0, fr, 60, 3, out, &n, &vl),
	    SWFWD_UNICAST);
	CU_ASSERT_EQUAL(out[0], 1);
	/* Port 1 goes away before its entries are flushed: flooded to the
	 * ports that remain, not sent to it. */
	p[1].used = 0;
	CU_ASSERT_EQUAL(swfwd_decide(&f, p, 7, 0, 0, fr, 60, 4, out, &n, &vl),
	    SWFWD_FLOOD);
	CU_ASSERT_FALSE(has(out, n, 1));
	CU_ASSERT(has(out, n, 2) && has(out, n, 3));
	swfdb_fini(&f);
}

/* The bridge key: "vifd:NAME" names a switch, anything else does not. */
static void
test_spec(void)
{
	char name[SWSPEC_NAME_MAX + 1], err[160];

	CU_ASSERT_EQUAL(swspec_parse("vifd:sw0", name, err, sizeof(err)),
	    SWSPEC_SWITCH);
	CU_ASSERT_STRING_EQUAL(name, "sw0");
	CU_ASSERT_EQUAL(swspec_parse("vifd-peer:link1", name, err,
	    sizeof(err)), SWSPEC_PEER);
	CU_ASSERT_STRING_EQUAL(name, "link1");
	CU_ASSERT_EQUAL(swspec_parse("vifd-peer:10", name, err, sizeof(err)),
	    SWSPEC_NONE);
	CU_ASSERT_EQUAL(swspec_parse("vifd-peer:", name, err, sizeof(err)),
	    -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no peer link name after "
	    "'vifd-peer:'"));
	CU_ASSERT_EQUAL(swspec_parse("vifd-peer:a.b", name, err, sizeof(err)),
	    -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "peer link name 'a.b': character 2"));
	CU_ASSERT_EQUAL(swspec_parse("vifd:A-b_9abcdefghij", name, err,
	    sizeof(err)), SWSPEC_SWITCH);
	CU_ASSERT_STRING_EQUAL(name, "A-b_9abcdefghij");
	/* Host bridges, Open vSwitch specs, no key at all. */
	CU_ASSERT_EQUAL(swspec_parse("xenbr0", name, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(name, "");
	CU_ASSERT_EQUAL(swspec_parse("ovsbr.10:20", name, err, sizeof(err)),
	    0);
	CU_ASSERT_EQUAL(swspec_parse("vifd", name, err, sizeof(err)), 0);
	/* Open vSwitch's BRIDGE:TRUNK on a bridge named vifd. */
	CU_ASSERT_EQUAL(swspec_parse("vifd:10", name, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(swspec_parse("vifd:10:20", name, err, sizeof(err)),
	    0);
	CU_ASSERT_EQUAL(swspec_parse(NULL, name, err, sizeof(err)), 0);
	/* Bad names: refused, naming the part. */
	CU_ASSERT_EQUAL(swspec_parse("vifd:", name, err, sizeof(err)),
	    -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no switch name"));
	CU_ASSERT_EQUAL(swspec_parse("vifd:abcdefghijklmnop", name, err,
	    sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than 15"));
	CU_ASSERT_EQUAL(swspec_parse("vifd:sw.10", name, err, sizeof(err)),
	    -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "character 3"));
	CU_ASSERT_EQUAL(swspec_parse("vifd:a b", name, err, sizeof(err)),
	    -EINVAL);
	CU_ASSERT_EQUAL(swspec_parse("vifd:1sw", name, err, sizeof(err)),
	    -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a letter"));
	CU_ASSERT_EQUAL(swspec_parse("vifd:-x", name, err, sizeof(err)),
	    -EINVAL);
	CU_ASSERT_EQUAL(swspec_parse("vifd:sw/0", name, err, sizeof(err)),
	    -EINVAL);
	CU_ASSERT_STRING_EQUAL(name, "");
}

/* --switch-uplink SWITCH=IFNAME[@QUEUE]: what it gives, what it
 * refuses, naming the bad part. */
static void
test_uplink_spec(void)
{
	struct swspec_uplink u;
	char err[160];
	static const struct { const char *s, *why; } bad[] = {
		{ "sw0", "no '='" },
		{ "=eth0", "no switch name" },
		{ "0sw=eth0", "first character is not a letter" },
		{ "s.w=eth0", "character 2 is not one of" },
		{ "abcdefghijklmnop=eth0", "switch name is longer than 15" },
		{ "sw0=", "no interface name" },
		{ "sw0=@1", "no interface name" },
		{ "sw0=eth 0", "character 4 of the interface name" },
		{ "sw0=a:b", "character 2 of the interface name" },
		{ "sw0=.", "'.' is not an interface name" },
		{ "sw0=..", "'..' is not an interface name" },
		{ "sw0=abcdefghijklmnop", "longer than 15" },
		{ "sw0=eth0@", "the queue after '@'" },
		{ "sw0=eth0@64", "from 0 to 63" },
		{ "sw0=eth0@-1", "the queue after '@'" },
		{ "sw0=eth0@1@2", "the queue after '@'" },
	};
	size_t i;

	CU_ASSERT_EQUAL(swspec_uplink_parse("sw0=eth1", &u, err, sizeof(err)),
	    0);
	CU_ASSERT_STRING_EQUAL(u.sw, "sw0");
	CU_ASSERT_STRING_EQUAL(u.ifname, "eth1");
	CU_ASSERT_EQUAL(u.queue, 0);
	CU_ASSERT_EQUAL(swspec_uplink_parse("A-b_9abcdefghij=enp3s0f1.100@63",
	    &u, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(u.sw, "A-b_9abcdefghij");
	CU_ASSERT_STRING_EQUAL(u.ifname, "enp3s0f1.100");
	CU_ASSERT_EQUAL(u.queue, 63);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(swspec_uplink_parse(bad[i].s, &u, err,
		    sizeof(err)), -EINVAL);
		if (strstr(err, bad[i].why) == NULL)
			fprintf(stderr, "'%s': said '%s', not '%s'\n",
			    bad[i].s, err, bad[i].why);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].why));
	}
}

static CU_TestInfo spec_tests[] = {
	{ "vifd:NAME and vifd-peer:NAME in the bridge key", test_spec },
	{ "--switch-uplink SWITCH=IFNAME[@QUEUE]", test_uplink_spec },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo fwd_tests[] = {
	{ "flood, then one port; never back; ageing", test_fwd_flood_then_unicast },
	{ "VLANs and isolated ports", test_fwd_vlan_isolation },
	{ "access VLANs and the trunk", test_fwd_trunk },
	{ "runts, bad ports, group and spoofed sources, a gone port",
	    test_fwd_bad_frames },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo fdb_tests[] = {
	{ "learn, look up, refresh, move, per VLAN", test_learn_lookup },
	{ "ageing at the ageing time; the default", test_ageing },
	{ "pinned: not moved, never aged, spoofers refused", test_pinned },
	{ "a flood of sources: bounded, pins and newcomers kept",
	    test_flood_bounded },
	{ "a bucket of pins: not learned, counted", test_bucket_of_pins },
	{ "flush a port", test_flush_port },
	{ "sizes", test_sizes },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "switch forwarding table", NULL, NULL, NULL, NULL, fdb_tests },
	{ "switch forwarding decision", NULL, NULL, NULL, NULL, fwd_tests },
	{ "switch name", NULL, NULL, NULL, NULL, spec_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
