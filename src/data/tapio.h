/*
 * tapio.h - a queue's writes to its TAP and reads from it, many per
 * system call.
 *
 * Each frame a guest sends is one write(2) on the TAP, each frame the
 * host sends it one read(2): the kernel has no batched call for a TUN
 * queue. Through io_uring, vifd queues a sweep's frames and submits
 * them in one io_uring_enter; the TUN driver takes each inline (its fd is
 * non-blocking), in order, so the frames leave as they would one writev
 * at a time, for one system call instead of one each. Where the kernel refuses io_uring (too old, disabled by sysctl,
 * a seccomp profile of the host's), or with --tap-io=plain, each write
 * is a writev at once and each read a readv: same results, reported the
 * same way. Reads are batched alike, up to TAPIO_RX_SLOTS in one call,
 * where the kernel's TUN takes RWF_NOWAIT (Linux 6.18 does, Debian 12's
 * 6.1 does not: there reads stay one readv each).
 *
 * The ring is restricted before it is enabled (IORING_REGISTER_
 * RESTRICTIONS): it can only write or read vectors, and only on the one
 * TAP fd registered with it, so the worker's seccomp filter, which
 * io_uring's operations bypass, loses nothing.
 */
#ifndef VIFD_TAPIO_H
#define VIFD_TAPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/virtio_net.h>

/* Writes queued at most before they are submitted (a chunk of 256 small
 * packets is then four calls), and the ring's size. A ring's memory
 * counts against its user's locked memory (RLIMIT_MEMLOCK) when the
 * process lacks CAP_IPC_LOCK, as vifd's main part does: measured on
 * Linux 6.18, about 28 KiB for 256 entries, under 16 KiB for 64, and the
 * AF_XDP uplinks' 4 MiB each count against the same limit. */
#define TAPIO_DEPTH 64

/* Reads in one batch at most, and the bytes each takes (a frame, the
 * header aside): the largest a TAP of vifd's hands out, 64 KiB of GSO
 * payload and its headers, as QUEUE_RX_BUF's. A slot is demand-paged: a
 * 64-byte frame touches one page of it. */
#define TAPIO_RX_SLOTS	16u
#define TAPIO_RX_CAP	66048u

struct io_uring;

struct tapio {
	struct io_uring *ring;		/* NULL: one writev/readv per frame */
	int fd;
	unsigned int n;			/* writes queued */
	struct virtio_net_hdr vh[TAPIO_DEPTH];
	struct iovec iov[TAPIO_DEPTH][2];
	uint64_t cookie[TAPIO_DEPTH];
	/* Reads (with a ring): a batch of up to TAPIO_RX_SLOTS, handed out
	 * in order from `rnext` to `rn`; rwant adapts the next batch to
	 * what the last one found. */
	bool rplain;			/* the kernel's TUN lacks RWF_NOWAIT */
	uint8_t *rbuf;			/* TAPIO_RX_SLOTS x TAPIO_RX_CAP,
					 * mapped: given back whole */
	unsigned int rnext, rn, rwant;
	struct virtio_net_hdr rvh[TAPIO_RX_SLOTS];
	struct iovec riov[TAPIO_RX_SLOTS][2];
	long rres[TAPIO_RX_SLOTS];
};

/* A write's outcome: `res` is the bytes written or -errno; `cookie` is
 * the caller's, given with the write. */
typedef void tapio_done_fn(void *arg, uint64_t cookie, long res);

/* --tap-io=plain (true): every tapio opened afterwards writes one frame
 * per writev. Process-wide, set before any queue opens. */
void tapio_force_plain(bool plain);

/*
 * Sets up `t` to write to and read from `fd` (which stays the caller's):
 * an io_uring restricted to that fd where the kernel allows, else plain
 * calls; t->ring tells which. The first refusal is logged once per
 * process, with the kernel's reason. `batch` false: plain calls, no
 * ring (a switch port's TAP, which carries no frames: a ring there would
 * only take locked memory). Returns 0, or -ENOMEM when our own
 * allocations fail.
 */
int tapio_open(struct tapio *t, int fd, bool batch);

/* Undoes tapio_open, dropping writes not yet submitted (not reported). */
void tapio_close(struct tapio *t);

/*
 * One frame, `vh` then `len` bytes at `buf`, to the TAP. With a ring it
 * is queued (vh copied; buf must stay as it is until tapio_flush), and
 * a full queue is flushed first; without one it is written now. Either
 * way `done` learns its outcome exactly once, in the order of writes.
 */
void tapio_write(struct tapio *t, const struct virtio_net_hdr *vh,
    const void *buf, size_t len, uint64_t cookie, tapio_done_fn *done,
    void *arg);

/*
 * Submits the queued writes in one system call, waits for all of them
 * (the TUN driver completes them inline) and reports each to `done` in
 * order. Nothing queued: nothing done.
 */
void tapio_flush(struct tapio *t, tapio_done_fn *done, void *arg);

/*
 * The next frame from the TAP: its virtio-net header into *vh and its
 * bytes at *data. Without a ring it is one readv into `buf` (`cap` bytes)
 * and *data is `buf`. With one, a batch of reads (one system call, each
 * RWF_NOWAIT: an empty TAP answers at once) fills the slots when the
 * last batch is used up, and *data points into a slot, valid until the
 * next batch: see tapio_read_refills. Returns the bytes of header and
 * frame, or -1 with errno (EAGAIN: nothing to read), as readv does.
 */
long tapio_read(struct tapio *t, struct virtio_net_hdr *vh, uint8_t *buf,
    size_t cap, uint8_t **data);

/* True if the next tapio_read reads a new batch into the slots, which
 * frames handed out earlier point into: their user must be done. */
bool tapio_read_refills(const struct tapio *t);

#endif
