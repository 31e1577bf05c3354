/*
 * tapio.c - a queue's TAP writes and reads through a restricted
 * io_uring, or one writev or readv each where io_uring is refused
 * (tapio.h).
 *
 * Owns the ring's set-up (disabled, the TAP fd registered, restricted to
 * vectored reads and writes on registered files, then enabled), the
 * queue of writes with their virtio-net headers, their submission and
 * the reporting of every outcome in order, and the batches of reads into
 * the read slots, handed out in order. Why: on this project's 2-core
 * machine (a VM whose kernel isolates its page tables, so every system
 * call switches them) a writev of a 64-byte frame to a TAP costs
 * 1.8-2.4 us, and 32 of them in one io_uring_enter cost 0.33-0.45 us
 * each (2.2-3.6 M frames/s against 0.42-0.60 M, a throw-away loop on
 * 2026-12-04); in a PV dom0 every system call is a trip through Xen.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <liburing.h>

#include "util/log.h"
#include "data/tapio.h"

/* Reads in a first batch; later ones follow what the last one found. */
#define TAPIO_RX_WANT0	4u

static bool tapio_plain;
static bool tapio_refusal_said;
static bool tapio_rx_refusal_said;

#define TAPIO_RBUF_BYTES ((size_t)TAPIO_RX_SLOTS * TAPIO_RX_CAP)

/* The read slots, given back. */
static void
tapio_rbuf_free(struct tapio *t)
{
	if (t->rbuf != NULL)
		(void)munmap(t->rbuf, TAPIO_RBUF_BYTES);
	t->rbuf = NULL;
}

void
tapio_force_plain(bool plain)
{
	tapio_plain = plain;
}

/*
 * The ring for `fd`: created disabled, so that nothing runs on it before
 * its restrictions hold; the fd registered (index 0); only READV and
 * WRITEV, only on registered files; then enabled. Returns 0 or -errno
 * (`what` names the step that failed).
 */
static int
tapio_ring_setup(struct io_uring *ring, int fd, const char **what)
{
	struct io_uring_restriction res[3];
	struct io_uring_params p;
	int r;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_R_DISABLED;
	*what = "io_uring_setup";
	r = io_uring_queue_init_params(TAPIO_DEPTH, ring, &p);
	if (r < 0)
		return r;
	memset(res, 0, sizeof(res));
	res[0].opcode = IORING_RESTRICTION_SQE_OP;
	res[0].sqe_op = IORING_OP_WRITEV;
	res[1].opcode = IORING_RESTRICTION_SQE_OP;
	res[1].sqe_op = IORING_OP_READV;
	res[2].opcode = IORING_RESTRICTION_SQE_FLAGS_REQUIRED;
	res[2].sqe_flags = IOSQE_FIXED_FILE;
	*what = "registering the TAP";
	if ((r = io_uring_register_files(ring, &fd, 1)) < 0)
		goto fail;
	/* Debian 12's liburing 2.3 declares io_uring_register_restrictions
	 * and io_uring_enable_rings but does not export them: the plain
	 * register call does the same. */
	*what = "restricting the ring";
	if ((r = io_uring_register((unsigned int)ring->ring_fd,
	    IORING_REGISTER_RESTRICTIONS, res, 3)) < 0)
		goto fail;
	*what = "enabling the ring";
	if ((r = io_uring_register((unsigned int)ring->ring_fd,
	    IORING_REGISTER_ENABLE_RINGS, NULL, 0)) < 0)
		goto fail;
	return 0;
fail:
	io_uring_queue_exit(ring);
	return r;
}

int
tapio_open(struct tapio *t, int fd, bool batch)
{
	const char *what = NULL;
	int r;

	memset(t, 0, sizeof(*t));
	t->fd = fd;
	if (tapio_plain || !batch)
		return 0;
	t->ring = calloc(1, sizeof(*t->ring));
	if (t->ring == NULL)
		return -ENOMEM;
	r = tapio_ring_setup(t->ring, fd, &what);
	if (r == 0) {
		/* Mapped, not malloc'ed: demand-paged, and given back to the
		 * kernel at close (a heap or ASan's quarantine would keep
		 * the pages a closed queue's reads touched). */
		t->rwant = TAPIO_RX_WANT0;
		t->rbuf = mmap(NULL, TAPIO_RBUF_BYTES, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (t->rbuf == MAP_FAILED) {
			t->rbuf = NULL;
			tapio_close(t);
			return -ENOMEM;
		}
	}
	if (r < 0) {
		/* Not an error, ENOMEM included (a kernel before 5.12
		 * charges rings to RLIMIT_MEMLOCK): the frames go one
		 * system call each, as before. Said once, as every queue
		 * would meet the same kernel. */
		free(t->ring);
		t->ring = NULL;
		if (!__atomic_exchange_n(&tapio_refusal_said, true,
		    __ATOMIC_RELAXED))
			log_info("TAP I/O one system call per frame: %s: %s",
			    what, strerror(-r));
	}
	return 0;
}

void
tapio_close(struct tapio *t)
{
	if (t->ring != NULL) {
		io_uring_queue_exit(t->ring);
		free(t->ring);
	}
	tapio_rbuf_free(t);
	t->ring = NULL;
	t->n = t->rnext = t->rn = 0;
}

void
tapio_write(struct tapio *t, const struct virtio_net_hdr *vh,
    const void *buf, size_t len, uint64_t cookie, tapio_done_fn *done,
    void *arg)
{
	struct io_uring_sqe *sqe;
	struct iovec *iov;
	ssize_t r;

	if (t->ring == NULL) {
		struct iovec v[2] = {
			{ .iov_base = (void *)vh, .iov_len = sizeof(*vh) },
			{ .iov_base = (void *)buf, .iov_len = len },
		};

		r = writev(t->fd, v, 2);
		done(arg, cookie, r < 0 ? -errno : (long)r);
		return;
	}
	if (t->n == TAPIO_DEPTH)
		tapio_flush(t, done, arg);
	sqe = io_uring_get_sqe(t->ring);
	if (sqe == NULL)
		abort();	/* the SQ has TAPIO_DEPTH entries, all free */
	t->vh[t->n] = *vh;
	iov = t->iov[t->n];
	iov[0].iov_base = &t->vh[t->n];
	iov[0].iov_len = sizeof(*vh);
	iov[1].iov_base = (void *)buf;
	iov[1].iov_len = len;
	io_uring_prep_writev(sqe, 0, iov, 2, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, t->n);
	t->cookie[t->n] = cookie;
	t->n++;
}

/* The ring failed us (the kernel refused a submission, or would not give
 * a completion): frames go one system call each from now on, said once. */
static void
tapio_drop_ring(struct tapio *t, int err)
{
	io_uring_queue_exit(t->ring);
	free(t->ring);
	t->ring = NULL;
	if (!__atomic_exchange_n(&tapio_refusal_said, true, __ATOMIC_RELAXED))
		log_info("TAP I/O one system call per frame from now: "
		    "io_uring_enter: %s", strerror(-err));
}

/*
 * Submits the n operations queued on the ring (user_data 0..n-1) and
 * reaps them: res[i] gets operation i's result, -EIO if it was submitted
 * but its completion could not be had. The TUN driver carries out each
 * inline, in order, during the submission, so the completions are in
 * when it returns and reaping them costs no further system call. Returns
 * how many were submitted; if fewer than n, or a completion was missing,
 * the ring is gone (what stayed queued went with it, and a completion
 * left behind would be taken for the next batch's).
 */
static unsigned int
tapio_run(struct tapio *t, unsigned int n, long *res)
{
	struct io_uring_cqe *cqe;
	unsigned int got, sent = 0;
	int r = 0;

	while (sent < n) {
		r = io_uring_submit(t->ring);
		if (r == -EINTR)
			continue;
		if (r <= 0)
			break;
		sent += (unsigned int)r;
	}
	for (got = 0; got < sent; got++) {
		do
			r = io_uring_wait_cqe(t->ring, &cqe);
		while (r == -EINTR);
		if (r < 0)
			break;
		if (cqe->user_data < n)
			res[cqe->user_data] = cqe->res;
		io_uring_cqe_seen(t->ring, cqe);
	}
	if (got < sent || sent < n)
		tapio_drop_ring(t, r < 0 ? r : -EAGAIN);
	return sent;
}

void
tapio_flush(struct tapio *t, tapio_done_fn *done, void *arg)
{
	long res[TAPIO_DEPTH];
	unsigned int i, sent, n = t->n;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		res[i] = -EIO;
	t->n = 0;
	sent = tapio_run(t, n, res);
	/* Writes the ring never took: written here, in their order. */
	for (i = sent; i < n; i++) {
		ssize_t w = writev(t->fd, t->iov[i], 2);

		res[i] = w < 0 ? -errno : (long)w;
	}
	for (i = 0; i < n; i++)
		done(arg, t->cookie[i], res[i]);
}

bool
tapio_read_refills(const struct tapio *t)
{
	return t->ring != NULL && !t->rplain && t->rnext == t->rn;
}

/*
 * A batch of t->rwant reads into the slots, each RWF_NOWAIT: the TUN
 * driver answers EAGAIN at once when it has nothing (without the flag an
 * io_uring read on an empty TAP waits for a frame, since Linux marks TUN
 * files as able to wait). Results in rres, in order; the next batch asks
 * for twice as many if this one came back full, else one more than it
 * found. If the ring failed, what it read is kept and it is gone.
 */
static void
tapio_read_batch(struct tapio *t)
{
	struct io_uring_sqe *sqe;
	unsigned int i, full = 0, want = t->rwant;

	for (i = 0; i < want; i++) {
		struct iovec *iov = t->riov[i];

		sqe = io_uring_get_sqe(t->ring);
		if (sqe == NULL)
			abort();	/* the writes are flushed: all free */
		iov[0].iov_base = &t->rvh[i];
		iov[0].iov_len = sizeof(t->rvh[i]);
		iov[1].iov_base = t->rbuf + (size_t)i * TAPIO_RX_CAP;
		iov[1].iov_len = TAPIO_RX_CAP;
		io_uring_prep_readv(sqe, 0, iov, 2, 0);
		sqe->flags |= IOSQE_FIXED_FILE;
		sqe->rw_flags = RWF_NOWAIT;
		io_uring_sqe_set_data64(sqe, i);
		t->rres[i] = -EAGAIN;
	}
	t->rnext = 0;
	t->rn = tapio_run(t, want, t->rres);
	for (i = 0; i < t->rn; i++)
		if (t->rres[i] > 0)
			full++;
	t->rwant = full == want ? (want * 2 > TAPIO_RX_SLOTS ? TAPIO_RX_SLOTS :
	    want * 2) : full + 1;
}

long
tapio_read(struct tapio *t, struct virtio_net_hdr *vh, uint8_t *buf,
    size_t cap, uint8_t **data)
{
	struct iovec v[2] = {
		{ .iov_base = vh, .iov_len = sizeof(*vh) },
		{ .iov_base = buf, .iov_len = cap },
	};

	if (tapio_read_refills(t)) {
		tapio_read_batch(t);
		if (t->rn > 0 && t->rres[0] == -EOPNOTSUPP) {
			/* A TUN without FMODE_NOWAIT refuses RWF_NOWAIT, and
			 * without it a read on an empty TAP would wait in
			 * the ring for a frame: reads go plain. */
			t->rplain = true;
			t->rnext = t->rn = 0;
			tapio_rbuf_free(t);
			if (!__atomic_exchange_n(&tapio_rx_refusal_said, true,
			    __ATOMIC_RELAXED))
				log_info("TAP reads one system call each: the "
				    "kernel's TUN refuses RWF_NOWAIT");
		}
	}
	/* What the last batch read, in order. */
	while (t->rnext < t->rn) {
		unsigned int i = t->rnext++;
		long res = t->rres[i];

		if (res == -EAGAIN)
			continue;	/* a later read may have found one */
		if (res < 0) {
			errno = (int)-res;
			return -1;
		}
		*vh = t->rvh[i];
		*data = t->rbuf + (size_t)i * TAPIO_RX_CAP;
		return res;
	}
	if (t->ring != NULL && !t->rplain) {
		/* The batch found the TAP empty (its reads all EAGAIN):
		 * the worker waits for EPOLLIN, level-triggered. */
		errno = EAGAIN;
		return -1;
	}
	*data = buf;
	return readv(t->fd, v, 2);
}
