/*
 * test_tapio.c - a queue's TAP I/O in batches (src/data/tapio.c), as root
 * in a private network namespace, on a real TAP: frames written through
 * the ring (and through plain writev) leave the TAP whole and in order,
 * each reported once; a queue longer than the ring flushes itself;
 * frames sent into the TAP come out of tapio_read whole and in order,
 * then EAGAIN (in batches where the kernel's TUN takes RWF_NOWAIT, one
 * readv each where it does not); and the ring refuses what its
 * restrictions forbid.
 * An AF_PACKET socket on the TAP is the other end.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cu_tap.h"
#include "data/tap.h"
#include "data/tapio.h"

#define FRAME_LEN 80
#define ETHERTYPE_TEST 0x88b5	/* IEEE local experimental */

static char tap_name[IFNAMSIZ];
static int tap_fd = -1, pkt_fd = -1;
static bool uring_ok;		/* this kernel gives us an io_uring */
static bool tun_nowait;		/* ... and its TUN takes RWF_NOWAIT reads */

/* Frame number `seq`: to a foreign unicast MAC, our test ethertype, the
 * number in every payload byte's low bits. */
static void
frame_fill(uint8_t *f, unsigned int seq)
{
	static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x09 };
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	unsigned int i;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = ETHERTYPE_TEST >> 8;
	f[13] = ETHERTYPE_TEST & 0xff;
	for (i = 14; i < FRAME_LEN; i++)
		f[i] = (uint8_t)(seq + i);
}

/* The next frame of ours the packet socket saw leave the TAP's stack
 * side (what vifd writes comes in there); -1 if none within 1 s. */
static int
pkt_next(uint8_t *buf, size_t cap)
{
	struct timeval tv = { .tv_sec = 1 };
	ssize_t n;

	(void)setsockopt(pkt_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		n = recv(pkt_fd, buf, cap, 0);
		if (n < 0)
			return -1;
		if (n >= 14 && buf[12] == (ETHERTYPE_TEST >> 8) &&
		    buf[13] == (ETHERTYPE_TEST & 0xff))
			return (int)n;
	}
}

struct done_log {
	unsigned int n;
	uint64_t cookie[TAPIO_DEPTH * 2];
	long res[TAPIO_DEPTH * 2];
};

static void
done_rec(void *arg, uint64_t cookie, long res)
{
	struct done_log *d = arg;

	if (d->n < TAPIO_DEPTH * 2) {
		d->cookie[d->n] = cookie;
		d->res[d->n] = res;
	}
	d->n++;
}

/* Writes `n` frames through a tapio (plain or not), flushing once at the
 * end; checks every outcome, in order, and every frame on the wire. */
static void
write_frames(bool plain, unsigned int n)
{
	static uint8_t frames[TAPIO_DEPTH * 2][FRAME_LEN];
	static struct done_log d;
	struct virtio_net_hdr vh;
	struct tapio t;
	uint8_t got[2048];
	unsigned int i;
	int len;

	CU_ASSERT_FATAL(n <= TAPIO_DEPTH * 2);
	memset(&d, 0, sizeof(d));
	memset(&vh, 0, sizeof(vh));
	tapio_force_plain(plain);
	CU_ASSERT_FATAL(tapio_open(&t, tap_fd, true) == 0);
	CU_ASSERT_EQUAL(t.ring != NULL, !plain && uring_ok);
	for (i = 0; i < n; i++) {
		frame_fill(frames[i], i);
		tapio_write(&t, &vh, frames[i], FRAME_LEN, 1000 + i, done_rec,
		    &d);
	}
	tapio_flush(&t, done_rec, &d);
	tapio_flush(&t, done_rec, &d);	/* nothing left: nothing reported */
	CU_ASSERT_EQUAL(d.n, n);
	for (i = 0; i < n && i < d.n; i++) {
		CU_ASSERT_EQUAL(d.cookie[i], 1000 + i);
		CU_ASSERT_EQUAL(d.res[i], (long)(sizeof(vh) + FRAME_LEN));
	}
	for (i = 0; i < n; i++) {
		len = pkt_next(got, sizeof(got));
		CU_ASSERT_EQUAL(len, FRAME_LEN);
		if (len != FRAME_LEN)
			break;
		CU_ASSERT(memcmp(got, frames[i], FRAME_LEN) == 0);
	}
	tapio_close(&t);
	tapio_force_plain(false);
}

static void
test_write_ring(void)
{
	write_frames(false, 40);
}

static void
test_write_ring_overflow(void)
{
	/* More than the ring holds before a flush: it flushes itself. */
	write_frames(false, TAPIO_DEPTH + 10);
}

static void
test_write_plain(void)
{
	write_frames(true, 40);
}

/* Sends `n` frames into the TAP (they come out of its fd), reads them
 * through a tapio, checks order and bytes, then EAGAIN. */
static void
read_frames(bool plain, unsigned int n)
{
	struct sockaddr_ll sll;
	struct virtio_net_hdr vh;
	uint8_t f[FRAME_LEN], buf[70000], *data;
	struct tapio t;
	unsigned int i;
	bool batched;
	long r;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(tap_name);
	sll.sll_halen = 6;
	tapio_force_plain(plain);
	CU_ASSERT_FATAL(tapio_open(&t, tap_fd, true) == 0);
	CU_ASSERT(tapio_read_refills(&t) == (!plain && uring_ok));
	batched = !plain && uring_ok && tun_nowait;
	for (i = 0; i < n; i++) {
		frame_fill(f, 7 * i);
		CU_ASSERT_EQUAL(sendto(pkt_fd, f, FRAME_LEN, 0,
		    (struct sockaddr *)&sll, sizeof(sll)), FRAME_LEN);
	}
	for (i = 0; i < n; i++) {
		data = NULL;
		r = tapio_read(&t, &vh, buf, sizeof(buf), &data);
		CU_ASSERT_EQUAL(r, (long)(sizeof(vh) + FRAME_LEN));
		if (r != (long)(sizeof(vh) + FRAME_LEN))
			break;
		CU_ASSERT_FATAL(data != NULL);
		/* Plain: into the caller's buffer; batched: a slot. */
		CU_ASSERT_EQUAL(data == buf, !batched);
		frame_fill(f, 7 * i);
		CU_ASSERT(memcmp(data, f, FRAME_LEN) == 0);
	}
	errno = 0;
	r = tapio_read(&t, &vh, buf, sizeof(buf), &data);
	CU_ASSERT_EQUAL(r, -1);
	CU_ASSERT_EQUAL(errno, EAGAIN);
	CU_ASSERT_EQUAL(tapio_read_refills(&t), batched);
	tapio_close(&t);
	tapio_force_plain(false);
}

static void
test_read_ring(void)
{
	/* More than a batch takes: several batches, in order. */
	read_frames(false, 3 * TAPIO_RX_SLOTS + 5);
}

static void
test_read_ring_one(void)
{
	read_frames(false, 1);
}

static void
test_read_plain(void)
{
	read_frames(true, 10);
}

/* What the ring's restrictions forbid: any other operation, and the TAP
 * by its plain fd number rather than as the registered file. */
static void
test_restricted(void)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct iovec iov = { .iov_base = &iov, .iov_len = 1 };
	struct tapio t;
	int i, res[2];

	if (!uring_ok)
		return;
	CU_ASSERT_FATAL(tapio_open(&t, tap_fd, true) == 0);
	CU_ASSERT_FATAL(t.ring != NULL);
	/* One at a time: a refused operation ends its submission call. */
	for (i = 0; i < 2; i++) {
		sqe = io_uring_get_sqe(t.ring);
		CU_ASSERT_FATAL(sqe != NULL);
		if (i == 0) {
			io_uring_prep_nop(sqe);
			sqe->flags |= IOSQE_FIXED_FILE;
		} else {
			io_uring_prep_writev(sqe, tap_fd, &iov, 1, 0);
		}
		CU_ASSERT_EQUAL(io_uring_submit(t.ring), 1);
		CU_ASSERT_FATAL(io_uring_wait_cqe(t.ring, &cqe) == 0);
		res[i] = cqe->res;
		io_uring_cqe_seen(t.ring, cqe);
	}
	CU_ASSERT_EQUAL(res[0], -EACCES);
	CU_ASSERT_EQUAL(res[1], -EACCES);
	tapio_close(&t);
}

static int
device_init(void)
{
	struct sockaddr_ll sll;
	struct io_uring probe;
	int r;

	if (getuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		printf("# needs root and network namespaces\n");
		return -1;
	}
	tap_fd = tap_open_queue("vtio%d", tap_name);
	if (tap_fd < 0 || tap_set_up(tap_name) < 0)
		return -1;
	pkt_fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (pkt_fd < 0)
		return -1;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(tap_name);
	if (bind(pkt_fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -1;
	/* Whether this kernel gives io_uring at all: where it does not,
	 * tapio must fall back (and the tests check that it did). */
	r = io_uring_queue_init(1, &probe, 0);
	uring_ok = r == 0;
	if (!uring_ok) {
		printf("# io_uring refused here (%s): the plain path only\n",
		    strerror(-r));
		return 0;
	}
	/* And whether its TUN answers an RWF_NOWAIT read (EAGAIN on the
	 * empty TAP) or refuses the flag (Debian 12's Linux 6.1 does):
	 * tapio then reads one readv each. */
	{
		struct io_uring_sqe *sqe = io_uring_get_sqe(&probe);
		struct io_uring_cqe *cqe;
		static uint8_t b[64];
		struct iovec iov = { .iov_base = b, .iov_len = sizeof(b) };

		io_uring_prep_readv(sqe, tap_fd, &iov, 1, 0);
		sqe->rw_flags = RWF_NOWAIT;
		r = io_uring_submit(&probe);
		if (r == 1 && io_uring_wait_cqe(&probe, &cqe) == 0) {
			tun_nowait = cqe->res == -EAGAIN;
			if (!tun_nowait)
				printf("# this TUN refuses RWF_NOWAIT (%d): "
				    "reads one readv each\n", cqe->res);
			io_uring_cqe_seen(&probe, cqe);
		}
	}
	io_uring_queue_exit(&probe);
	return 0;
}

static int
device_fini(void)
{
	if (pkt_fd >= 0)
		close(pkt_fd);
	if (tap_fd >= 0)
		close(tap_fd);
	return 0;
}

static CU_TestInfo tapio_tests[] = {
	{ "writes through the ring, in order", test_write_ring },
	{ "more writes than the ring holds", test_write_ring_overflow },
	{ "writes one writev each (plain)", test_write_plain },
	{ "reads in batches, in order, then EAGAIN", test_read_ring },
	{ "one frame read through the ring", test_read_ring_one },
	{ "reads one readv each (plain)", test_read_plain },
	{ "the ring's restrictions hold", test_restricted },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "tapio", device_init, device_fini, NULL, NULL, tapio_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
