/*
 * inbox.c - the bounded frame queues between worker threads (see
 * inbox.h for what uses them and what bounds them).
 *
 * Owns an inbox's memory, a byte ring whose frames are each contiguous
 * (a frame that does not fit before the end starts again at 0, and the
 * tail is left unused until the reader passes it), the frames' offsets
 * and the eventfd. A mutex, not a lock-free ring: the senders are
 * several threads. Copies in and out are made under it; each is one
 * frame, and the lock is the inbox's alone, so it serialises a sender
 * only with the one receiver and the other senders to that port.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/inbox.h"
#include "util/loop.h"

int
inbox_init(struct inbox *in)
{
	memset(in, 0, sizeof(*in));
	/* Touched only as frames come (malloc maps it lazily): an inbox
	 * nobody sends to costs its address space. */
	in->mem = malloc(INBOX_BYTES);
	if (in->mem == NULL) {
		in->evfd = -1;
		return -ENOMEM;
	}
	in->evfd = loop_event_new();
	if (in->evfd < 0) {
		free(in->mem);
		in->mem = NULL;
		return -EMFILE;
	}
	pthread_mutex_init(&in->lock, NULL);
	return 0;
}

void
inbox_destroy(struct inbox *in)
{
	if (in->evfd < 0)
		return;
	free(in->mem);
	in->mem = NULL;
	close(in->evfd);
	in->evfd = -1;
	pthread_mutex_destroy(&in->lock);
}

/* Where a frame of `need` bytes goes, or -1 if there is no room. */
static int64_t
inbox_place(const struct inbox *in, uint32_t need)
{
	if (in->n == 0)
		return 0;
	if (in->wr >= in->rd) {
		/* [rd, wr) in use: after it, else from 0 up to rd (a
		 * strict <, or wr would meet rd and look empty). */
		if (need <= INBOX_BYTES - in->wr)
			return in->wr;
		return need < in->rd ? 0 : -1;
	}
	/* Wrapped: [rd, end) + [0, wr) in use, room in [wr, rd). */
	return need < in->rd - in->wr ? (int64_t)in->wr : -1;
}

int
inbox_pushv(struct inbox *in, const struct iovec *iov, unsigned int niov)
{
	uint64_t total = 0;
	uint32_t need;
	int64_t off;
	unsigned int slot, i;

	for (i = 0; i < niov; i++)
		total += iov[i].iov_len;
	if (total > INBOX_BYTES)
		return -ENOBUFS;
	need = (uint32_t)total;
	pthread_mutex_lock(&in->lock);
	off = in->n == INBOX_FRAMES ? -1 : inbox_place(in, need);
	if (off < 0) {
		pthread_mutex_unlock(&in->lock);
		return -ENOBUFS;
	}
	for (total = 0, i = 0; i < niov; i++) {
		/* An empty piece may have no base (memcpy's arguments must
		 * not be NULL even for 0 bytes). */
		if (iov[i].iov_len > 0)
			memcpy(in->mem + off + total, iov[i].iov_base,
			    iov[i].iov_len);
		total += iov[i].iov_len;
	}
	slot = (in->head + in->n) % INBOX_FRAMES;
	in->f[slot].off = (uint32_t)off;
	in->f[slot].len = need;
	if (in->n == 0) {
		in->rd = (uint32_t)off;
		__atomic_store_n(&in->owed, true, __ATOMIC_RELAXED);
	}
	in->wr = (uint32_t)off + need;
	in->n++;
	pthread_mutex_unlock(&in->lock);
	return 0;
}

void
inbox_signal(struct inbox *in)
{
	/* Set under the lock before it is released (the pusher's own
	 * unlock orders it before this), taken once whoever comes first. */
	if (__atomic_exchange_n(&in->owed, false, __ATOMIC_ACQ_REL))
		loop_event_signal(in->evfd);
}

bool
inbox_empty(struct inbox *in)
{
	bool e;

	pthread_mutex_lock(&in->lock);
	e = in->n == 0;
	pthread_mutex_unlock(&in->lock);
	return e;
}

int
inbox_push(struct inbox *in, const void *hdr, size_t hlen,
    const uint8_t *frame, size_t len)
{
	/* The interface takes non-const pointers; they are only read. */
	struct iovec iov[2] = {
		{ .iov_base = (void *)(uintptr_t)hdr, .iov_len = hlen },
		{ .iov_base = (void *)(uintptr_t)frame, .iov_len = len },
	};
	int r = inbox_pushv(in, iov, 2);

	if (r == 0)
		inbox_signal(in);
	return r;
}

/*
 * Takes the oldest frame: its first hlen bytes into hdr, the rest into
 * dst (cap bytes). The length, 0 (empty) or -1 (did not fit: dropped).
 */
static int
inbox_take(struct inbox *in, void *hdr, size_t hlen, uint8_t *dst,
    size_t cap)
{
	uint32_t off, len;
	int ret;

	pthread_mutex_lock(&in->lock);
	if (in->n == 0) {
		pthread_mutex_unlock(&in->lock);
		return 0;
	}
	off = in->f[in->head].off;
	len = in->f[in->head].len;
	if (len < hlen || len - hlen > cap) {
		ret = -1;
	} else {
		if (hlen > 0)
			memcpy(hdr, in->mem + off, hlen);
		if (len > hlen)
			memcpy(dst, in->mem + off + hlen, len - hlen);
		ret = (int)len;
	}
	in->head = (in->head + 1) % INBOX_FRAMES;
	in->n--;
	if (in->n == 0)
		in->rd = in->wr = 0;
	else
		in->rd = in->f[in->head].off;
	pthread_mutex_unlock(&in->lock);
	return ret;
}

int
inbox_pop(struct inbox *in, uint8_t *dst, size_t cap)
{
	return inbox_take(in, NULL, 0, dst, cap);
}

int
inbox_pop_split(struct inbox *in, void *hdr, size_t hlen, uint8_t *dst,
    size_t cap)
{
	return inbox_take(in, hdr, hlen, dst, cap);
}
