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
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

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
	/* A frame came into an empty inbox and no signal has said so yet
	 * (set under lock, taken by inbox_signal): only that needs one. */
	bool owed;
};

/* An empty inbox, its memory and its eventfd. 0 or -errno (nothing to
 * undo). */
int inbox_init(struct inbox *in);
/* Frees the memory and closes the eventfd. No thread may push or pop
 * any more. */
void inbox_destroy(struct inbox *in);

/*
 * Copies hdr[0..hlen) + frame[0..len) into the inbox and signals its
 * eventfd if the inbox was empty (inbox_signal). 0, or -ENOBUFS (full):
 * the caller drops the frame and counts it. Any thread.
 */
int inbox_push(struct inbox *in, const void *hdr, size_t hlen,
    const uint8_t *frame, size_t len);

/*
 * One frame gathered from iov[0..niov) (what the pieces say, in order),
 * without signalling: a sender that pushes several frames at once (a
 * super-frame's segments) signals once after them with inbox_signal. 0
 * or -ENOBUFS, as inbox_push. Any thread.
 */
int inbox_pushv(struct inbox *in, const struct iovec *iov, unsigned int niov);
/*
 * Wakes the owner if a frame came into the inbox while it was empty and
 * no signal has said so since; a push to an inbox that holds frames
 * needs none. The owner's contract: it acks the eventfd before it pops,
 * and pops until the inbox is empty, or has a wake-up of its own for
 * what it leaves (a budget's self-signal, the guest's event channel for
 * a held frame, a timer): a push it has not seen then comes to an
 * inbox it will still pop, or to an empty one, which signals. One
 * eventfd write per burst rather than per frame (a system call each).
 */
void inbox_signal(struct inbox *in);

/* Whether the inbox holds no frame now. Any thread. */
bool inbox_empty(struct inbox *in);

/*
 * Takes the oldest frame into dst (cap bytes): returns its length (header
 * included), 0 if the inbox is empty, -1 if it did not fit (dropped).
 */
int inbox_pop(struct inbox *in, uint8_t *dst, size_t cap);

/*
 * The same, the frame's first hlen bytes (the header pushed with it)
 * into hdr and the rest into dst (cap bytes): what a TAP readv into two
 * pieces gives, with no copy to move the header out of the way. Returns
 * the length (header included), 0 if empty, -1 if the frame did not fit
 * or was shorter than hlen (dropped).
 */
int inbox_pop_split(struct inbox *in, void *hdr, size_t hlen, uint8_t *dst,
    size_t cap);

#endif
