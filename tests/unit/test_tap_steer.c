/*
 * test_tap_steer.c - the kernel's steering of a TAP (src/data/tap_steer.c
 * and the BPF program src/bpf/steer.bpf.c it loads) against vifd's own
 * hash (src/core/hash.c), frame by frame.
 *
 * As root in a private network namespace: a TAP with 4 queues, the
 * program attached with TUNSETSTEERINGEBPF and given a key, hash types
 * and a mapping; frames sent into the TAP through a packet socket (so
 * they take the host's transmit path, tun_select_queue, as forwarded
 * traffic does) come out of one queue each. For every frame the queue the
 * kernel picked must be hash_queue(hash_frame(...)): IPv4 and IPv6, TCP,
 * UDP and other protocols, fragments, IPv6 extension headers, VLAN tags,
 * ARP, and frames with random header bytes or cut short, where both sides
 * must refuse alike. Settings change between rounds (types, mapping size
 * 0 and 128, hashing off, which detaches the program, and on again), as
 * a frontend changes them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cu_tap.h"
#include "frames.h"
#include "core/hash.h"
#include "data/tap.h"
#include "data/tap_steer.h"

#define NQ	4u

static int qfd[NQ] = { -1, -1, -1, -1 };
static int pkt = -1;
static int ifindex;
static struct tap_steer *steer;

/* What each round checked. */
struct agree {
	unsigned int sent, got, same, hashed, per_q[NQ];
};

/* Sends frame[0..len) into the TAP and returns the queue it came out
 * of, or -1 (not seen within a second). Frames of others (none are
 * expected: IPv6 is off and no address is set) are skipped. */
static int
send_and_find(const uint8_t *frame, size_t len)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET };
	uint8_t vh[TAP_VNET_HDR_LEN], buf[2048];
	struct iovec iov[2] = {
		{ vh, sizeof(vh) }, { buf, sizeof(buf) },
	};
	struct pollfd p[NQ];
	unsigned int q;
	ssize_t n;

	to.sll_ifindex = ifindex;
	to.sll_halen = 6;
	memcpy(to.sll_addr, frame, 6);
	if (sendto(pkt, frame, len, 0, (struct sockaddr *)&to,
	    sizeof(to)) != (ssize_t)len)
		return -1;
	for (;;) {
		for (q = 0; q < NQ; q++) {
			p[q].fd = qfd[q];
			p[q].events = POLLIN;
		}
		if (poll(p, NQ, 1000) <= 0)
			return -1;
		for (q = 0; q < NQ; q++) {
			if (!(p[q].revents & POLLIN))
				continue;
			n = readv(qfd[q], iov, 2);
			if (n == (ssize_t)(sizeof(vh) + len) &&
			    memcmp(buf, frame, len) == 0)
				return (int)q;
		}
	}
}

/* One round of `count` frames under the settings h. */
static void
round_run(const struct ctrl_hash *h, unsigned int count, uint64_t seed,
    struct agree *a)
{
	static const uint8_t l4s[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };
	uint8_t frame[1600];
	struct frame_layout lo;
	struct frame_spec fs;
	struct hash_result hr;
	unsigned int i, want, k;
	uint64_t r;
	int got;

	memset(a, 0, sizeof(*a));
	CU_ASSERT_EQUAL_FATAL(tap_steer_update(steer, h), 0);
	CU_ASSERT_FATAL(tap_steer_attached(steer));
	for (i = 0; i < count; i++) {
		r = prng_next(&seed);
		memset(&fs, 0, sizeof(fs));
		fs.ip = (r & 15) == 0 ? 0 : (r & 1) ? 4 : 6;
		fs.l4 = l4s[(r >> 4) % 3];
		fs.nvlan = (r >> 8) % 8 == 0 ? 1 : 0;
		fs.payload = (unsigned int)((r >> 12) % 200);
		fs.v6_ext = fs.ip == 6 ? (unsigned int)((r >> 20) % 4) : 0;
		fs.frag = (r >> 24) % 6 == 0;
		fs.tcp_opt = (unsigned int)((r >> 28) % 3) * 4;
		lo = frame_build(frame, sizeof(frame), &fs);
		CU_ASSERT_FATAL(lo.len >= 14);
		/* Addresses and ports of their own for every frame. */
		if (fs.ip != 0) {
			size_t at = lo.l3_off + (fs.ip == 4 ? 12 : 8);
			size_t n = fs.ip == 4 ? 8 : 32;

			for (k = 0; k < n; k++)
				frame[at + k] = (uint8_t)prng_next(&seed);
			if (lo.l4_hdr_len != 0)
				for (k = 0; k < 4; k++)
					frame[lo.l4_off + k] =
					    (uint8_t)prng_next(&seed);
		}
		/* A quarter get a random byte somewhere in their headers,
		 * an eighth are cut short: both sides must refuse alike. */
		if ((r >> 32) % 4 == 0) {
			size_t hend = lo.l4_off + 24 < lo.len ?
			    lo.l4_off + 24 : lo.len;

			frame[12 + prng_next(&seed) % (hend - 12)] =
			    (uint8_t)prng_next(&seed);
		}
		if ((r >> 36) % 8 == 0)
			lo.len = 14 + prng_next(&seed) % (lo.len - 13);
		hash_frame(h->key, HASH_KEY_MAX, h->flags, frame, lo.len, &hr);
		want = hash_queue(hr.value, h->mapping, h->size, NQ);
		got = send_and_find(frame, lo.len);
		a->sent++;
		if (got < 0)
			continue;
		a->got++;
		a->per_q[got]++;
		a->hashed += hr.valid;
		if ((unsigned int)got == want)
			a->same++;
		else
			printf("# frame %u (ip %d l4 %u vlan %u ext %u frag %d "
			    "len %zu): kernel queue %d, vifd queue %u\n", i,
			    fs.ip, fs.l4, fs.nvlan, fs.v6_ext, fs.frag,
			    lo.len, got, want);
	}
	printf("# %u frames sent, %u came out, %u hashed, %u on vifd's "
	    "queue; per queue %u %u %u %u\n", a->sent, a->got, a->hashed,
	    a->same, a->per_q[0], a->per_q[1], a->per_q[2], a->per_q[3]);
}

static void
settings(struct ctrl_hash *h, uint32_t flags, uint32_t size, uint64_t seed)
{
	unsigned int i;

	ctrl_hash_init(h);
	h->alg = XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ;
	h->flags = flags;
	for (i = 0; i < HASH_KEY_MAX; i++)
		h->key[i] = (uint8_t)prng_next(&seed);
	h->size = size;
	for (i = 0; i < size; i++)
		h->mapping[i] = (uint32_t)(prng_next(&seed) % NQ);
}

static void
test_agree(void)
{
	static const struct {
		uint32_t flags, size;
	} rounds[] = {
		{ HASH_TYPES_SUPPORTED, 64 },
		{ XEN_NETIF_CTRL_HASH_TYPE_IPV4 | XEN_NETIF_CTRL_HASH_TYPE_IPV6,
		  0 },
		{ XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP |
		  XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP, HASH_MAPPING_MAX },
		{ XEN_NETIF_CTRL_HASH_TYPE_IPV4 |
		  XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP, 7 },
	};
	struct ctrl_hash h;
	struct agree a;
	unsigned int i, used, q;

	for (i = 0; i < sizeof(rounds) / sizeof(rounds[0]); i++) {
		settings(&h, rounds[i].flags, rounds[i].size, 0x5eed + i);
		round_run(&h, 400, 0xf00d + i, &a);
		CU_ASSERT_EQUAL(a.got, a.sent);
		CU_ASSERT_EQUAL(a.same, a.got);
		/* Not a program that sends everything to one queue, nor
		 * rounds where nothing hashes (a mapping of 7 random
		 * entries may leave a queue out; the TCP-only round
		 * hashes its TCP frames alone). */
		for (used = 0, q = 0; q < NQ; q++)
			used += a.per_q[q] > 0;
		CU_ASSERT(used >= 3);
		CU_ASSERT(a.hashed >= 50);
	}
}

/* Hashing off detaches the program (tun's own spreading returns), on
 * again attaches it with the new settings. */
static void
test_off_on(void)
{
	struct ctrl_hash h;
	struct agree a;

	ctrl_hash_init(&h);
	CU_ASSERT_EQUAL(tap_steer_update(steer, &h), 0);
	CU_ASSERT(!tap_steer_attached(steer));
	settings(&h, HASH_TYPES_SUPPORTED, 32, 0xbeef);
	round_run(&h, 200, 0xcafe, &a);
	CU_ASSERT_EQUAL(a.got, a.sent);
	CU_ASSERT_EQUAL(a.same, a.got);
}

static int
device_init(void)
{
	static const char *const off[] = {
		"/proc/sys/net/ipv6/conf/default/disable_ipv6",
		"/proc/sys/net/ipv6/conf/all/disable_ipv6",
	};
	char name[IFNAMSIZ], err[160];
	unsigned int i;
	int fd, r;

	if (getuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		printf("# needs root and network namespaces\n");
		return -1;
	}
	/* No IPv6 of the kernel's own (router solicitations, MLD) on the
	 * TAP: only our frames come out of it. */
	for (i = 0; i < 2; i++) {
		fd = open(off[i], O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			(void)!write(fd, "1", 1);
			close(fd);
		}
	}
	qfd[0] = tap_open_queue("vts%d", name);
	if (qfd[0] < 0)
		return -1;
	for (i = 1; i < NQ; i++) {
		qfd[i] = tap_open_queue(name, NULL);
		if (qfd[i] < 0)
			return -1;
	}
	if (tap_set_up(name) < 0)
		return -1;
	ifindex = (int)if_nametoindex(name);
	pkt = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (pkt < 0)
		return -1;
	r = tap_steer_open(qfd[0], NQ, &steer, err, sizeof(err));
	if (r < 0) {
		printf("# attaching the steering program: %s\n", err);
		return -1;
	}
	return 0;
}

static int
device_fini(void)
{
	unsigned int i;

	tap_steer_close(steer);
	for (i = 0; i < NQ; i++)
		if (qfd[i] >= 0)
			close(qfd[i]);
	if (pkt >= 0)
		close(pkt);
	return 0;
}

static void
test_forced_software(void)
{
	struct tap_steer *s;
	char err[160];

	tap_steer_force_software(true);
	CU_ASSERT_EQUAL(tap_steer_open(qfd[1], NQ, &s, err, sizeof(err)),
	    -ENOTSUP);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT(strstr(err, "forced") != NULL);
	tap_steer_force_software(false);
}

static CU_TestInfo steer_tests[] = {
	{ "the kernel's queue is vifd's, frame by frame", test_agree },
	{ "hashing off detaches, on attaches again", test_off_on },
	{ "--steering=software loads nothing", test_forced_software },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "tap steering", device_init, device_fini, NULL, NULL, steer_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
