/*
 * test_inbox.c - the bounded frame queue between workers (data/inbox.c):
 * frames come out whole and in order across the byte ring's wrap, the
 * frame and byte bounds refuse rather than grow, a frame bigger than the
 * reader's buffer is dropped alone, the eventfd is signalled per push;
 * frames gathered from pieces (signalled once, when asked) and split into
 * header and frame on the way out.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "cu_tap.h"
#include "data/inbox.h"

static uint8_t frame[70000], out[70000];

/* A frame of `len` bytes whose content says `seq`. */
static void
fill(uint32_t seq, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		frame[i] = (uint8_t)(seq * 7u + i);
}

static int
same(uint32_t seq, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (uint8_t)(seq * 7u + i))
			return 0;
	return 1;
}

static void
test_order_and_wrap(void)
{
	struct inbox in;
	uint8_t hdr[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	uint32_t pushed = 0, popped = 0;
	unsigned int round;
	int r, bad = 0;

	CU_ASSERT_EQUAL_FATAL(inbox_init(&in), 0);
	CU_ASSERT_EQUAL(inbox_pop(&in, out, sizeof(out)), 0);
	/* Sizes that do not divide the ring: it wraps many times, with
	 * a tail left unused each time. */
	for (round = 0; round < 400; round++) {
		size_t len = 1000u + (round * 7919u) % 60000u;

		fill(pushed, len);
		while ((r = inbox_push(&in, hdr, sizeof(hdr), frame, len)) ==
		    -ENOBUFS) {
			/* Full: the reader catches up by one. */
			size_t want = 1000u + (popped * 7919u) % 60000u;

			r = inbox_pop(&in, out, sizeof(out));
			if (r != (int)(sizeof(hdr) + want) ||
			    memcmp(out, hdr, sizeof(hdr)) != 0 ||
			    !same(popped, out + sizeof(hdr), want))
				bad++;
			popped++;
		}
		CU_ASSERT_EQUAL(r, 0);
		pushed++;
	}
	while ((r = inbox_pop(&in, out, sizeof(out))) > 0) {
		size_t want = 1000u + (popped * 7919u) % 60000u;

		if (r != (int)(sizeof(hdr) + want) ||
		    !same(popped, out + sizeof(hdr), want))
			bad++;
		popped++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(popped, pushed);
	inbox_destroy(&in);
}

static void
test_bounds(void)
{
	struct inbox in;
	uint8_t hdr[10] = { 0 };
	unsigned int i, n = 0;
	uint64_t ev = 0;

	CU_ASSERT_EQUAL_FATAL(inbox_init(&in), 0);
	/* INBOX_FRAMES small frames, then no more. */
	fill(0, 60);
	for (i = 0; i < INBOX_FRAMES + 10; i++)
		if (inbox_push(&in, hdr, sizeof(hdr), frame, 60) == 0)
			n++;
	CU_ASSERT_EQUAL(n, INBOX_FRAMES);
	/* One eventfd count, for the first (test_signal_per_burst). */
	CU_ASSERT_EQUAL(read(in.evfd, &ev, sizeof(ev)), (ssize_t)sizeof(ev));
	CU_ASSERT_EQUAL(ev, 1);
	while (inbox_pop(&in, out, sizeof(out)) > 0)
		;
	/* The byte bound: 64 KiB frames fill INBOX_BYTES first. */
	n = 0;
	for (i = 0; i < 64; i++)
		if (inbox_push(&in, hdr, sizeof(hdr), frame, 65536) == 0)
			n++;
	CU_ASSERT_EQUAL(n, INBOX_BYTES / (65536u + 10u));
	/* A frame larger than the reader's buffer: dropped alone, the
	 * next one comes out. */
	CU_ASSERT_EQUAL(inbox_pop(&in, out, 100), -1);
	CU_ASSERT_EQUAL(inbox_pop(&in, out, sizeof(out)), 65546);
	/* Larger than the whole inbox: refused. */
	CU_ASSERT_EQUAL(inbox_push(&in, hdr, sizeof(hdr), frame,
	    INBOX_BYTES), -ENOBUFS);
	inbox_destroy(&in);
	inbox_destroy(&in);	/* twice is harmless */
}

static void
test_gather_and_split(void)
{
	struct inbox in;
	uint8_t hdr[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, mid[3] = {
	    0xa, 0xb, 0xc }, h[10];
	struct iovec iov[3] = {
		{ .iov_base = hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = mid, .iov_len = sizeof(mid) },
		{ .iov_base = frame, .iov_len = 500 },
	};
	uint64_t ev;

	CU_ASSERT_EQUAL_FATAL(inbox_init(&in), 0);
	fill(3, 500);
	/* Gathered from three pieces, without a signal ... */
	CU_ASSERT_EQUAL(inbox_pushv(&in, iov, 3), 0);
	CU_ASSERT_EQUAL(inbox_pushv(&in, iov, 3), 0);
	CU_ASSERT_EQUAL(read(in.evfd, &ev, sizeof(ev)), -1);
	/* ... until asked for, once. */
	inbox_signal(&in);
	CU_ASSERT_EQUAL(read(in.evfd, &ev, sizeof(ev)), (ssize_t)sizeof(ev));
	CU_ASSERT_EQUAL(ev, 1);
	/* Split on the way out: the header apart, the rest in one piece. */
	memset(h, 0, sizeof(h));
	CU_ASSERT_EQUAL(inbox_pop_split(&in, h, sizeof(h), out, sizeof(out)),
	    513);
	CU_ASSERT(memcmp(h, hdr, sizeof(hdr)) == 0);
	CU_ASSERT(memcmp(out, mid, sizeof(mid)) == 0);
	CU_ASSERT(same(3, out + sizeof(mid), 500));
	/* A frame whose rest does not fit the reader: dropped alone. */
	CU_ASSERT_EQUAL(inbox_pop_split(&in, h, sizeof(h), out, 502), -1);
	CU_ASSERT_EQUAL(inbox_pop_split(&in, h, sizeof(h), out, sizeof(out)),
	    0);
	/* Shorter than the header asked for: dropped too. */
	CU_ASSERT_EQUAL(inbox_push(&in, hdr, 4, NULL, 0), 0);
	CU_ASSERT_EQUAL(inbox_pop_split(&in, h, sizeof(h), out, sizeof(out)),
	    -1);
	inbox_destroy(&in);
}

/* A signal when a frame comes into an empty inbox, none for frames that
 * join others (the owner pops until empty), again once it was emptied. */
static void
test_signal_per_burst(void)
{
	struct inbox in;
	uint8_t hdr[4] = { 1, 2, 3, 4 };
	uint64_t ev;

	CU_ASSERT_EQUAL_FATAL(inbox_init(&in), 0);
	fill(5, 60);
	CU_ASSERT_EQUAL(inbox_push(&in, hdr, sizeof(hdr), frame, 60), 0);
	CU_ASSERT_EQUAL(read(in.evfd, &ev, sizeof(ev)), (ssize_t)sizeof(ev));
	CU_ASSERT_EQUAL(ev, 1);
	CU_ASSERT_EQUAL(inbox_push(&in, hdr, sizeof(hdr), frame, 60), 0);
	CU_ASSERT_EQUAL(inbox_push(&in, hdr, sizeof(hdr), frame, 60), 0);
	CU_ASSERT_EQUAL(read(in.evfd, &ev, sizeof(ev)), -1);
	CU_ASSERT_EQUAL(inbox_pop(&in, out, sizeof(out)), 64);
	CU_ASSERT_EQUAL(inbox_pop(&in, out, sizeof(out)), 64);
	/* not yet empty: still none */
	CU_ASSERT_EQUAL(inbox_push(&in, hdr, sizeof(hdr), frame, 60), 0);
	CU_ASSERT_EQUAL(read(in.evfd, &ev, sizeof(ev)), -1);
	CU_ASSERT_EQUAL(inbox_pop(&in, out, sizeof(out)), 64);
	CU_ASSERT_EQUAL(inbox_pop(&in, out, sizeof(out)), 64);
	CU_ASSERT_EQUAL(inbox_pop(&in, out, sizeof(out)), 0);
	/* empty again: the next frame signals */
	CU_ASSERT_EQUAL(inbox_push(&in, hdr, sizeof(hdr), frame, 60), 0);
	CU_ASSERT_EQUAL(read(in.evfd, &ev, sizeof(ev)), (ssize_t)sizeof(ev));
	CU_ASSERT_EQUAL(ev, 1);
	/* a signal asked for with none owed writes nothing */
	inbox_signal(&in);
	CU_ASSERT_EQUAL(read(in.evfd, &ev, sizeof(ev)), -1);
	inbox_destroy(&in);
}

static CU_TestInfo inbox_tests[] = {
	{ "in order and whole across the wrap", test_order_and_wrap },
	{ "frame and byte bounds, a frame too big for the reader",
	    test_bounds },
	{ "gathered in, split out, one signal", test_gather_and_split },
	{ "a signal per burst, not per frame", test_signal_per_burst },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "inbox", NULL, NULL, NULL, NULL, inbox_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
