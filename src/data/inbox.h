/*
 * inbox.h - a bounded queue of frames handed to one queue worker by other
 * threads: another queue of the same vif (software steering, vif_rss.h)
 * or another port of a vifd switch (vswitch.h).
 *
 * Each frame is a copy, virtio-net header then the frame, exactly what a
 * TAP read gives, so the receiving worker treats it as one. The sender
 * signals an eventfd the receiver's loop watches. An inbox holds at most
 * INBOX_FRAMES frames and INBOX_BYTES bytes of them, in memory taken
 * once when it is made: a full one refuses (the sender drops and counts),
 * so memory stays bounded whatever a guest sends, no sender ever waits
 * for a receiver, and the workers never allocate: glibc's malloc may
 * open a /proc file the first time it gives a thread arena's memory
 * back, which the workers' sandbox forbids (seccomp killed vifd for it,
 * openat from a worker, when frames were malloc'd a copy).
 */
#ifndef VIFD_INBOX_H
#define VIFD_INBOX_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* Frames an inbox holds: a guest's RX ring's worth (256 requests). */
#define INBOX_FRAMES	256u
/* Bytes of frames: sixteen 64 KiB GSO frames, or 256 of 4 KiB. */
#define INBOX_BYTES	(1024u * 1024u)

struct inbox {
	pthread_mutex_t lock;
	uint8_t *mem;				/* INBOX_BYTES */
	uint32_t rd, wr;			/* [lock] bytes in use: [rd, wr),
						 * or [rd, end) + [0, wr) */
	unsigned int head, n;			/* [lock] */
	struct { uint32_t off, len; } f[INBOX_FRAMES];	/* [lock] */
	int evfd;				/* wakes the owner's worker */
};

/* An empty inbox, its memory and its eventfd. 0 or -errno (nothing to
 * undo). */
int inbox_init(struct inbox *in);
/* Frees the memory and closes the eventfd. No thread may push or pop
 * any more. */
void inbox_destroy(struct inbox *in);

/*
 * Copies hdr[0..hlen) + frame[0..len) into the inbox and signals its
 * eventfd. 0, or -ENOBUFS (full): the caller drops the frame and counts
 * it. Any thread.
 */
int inbox_push(struct inbox *in, const void *hdr, size_t hlen,
    const uint8_t *frame, size_t len);

/*
 * Takes the oldest frame into dst (cap bytes): returns its length (header
 * included), 0 if the inbox is empty, -1 if it did not fit (dropped).
 */
int inbox_pop(struct inbox *in, uint8_t *dst, size_t cap);

#endif
