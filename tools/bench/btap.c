/*
 * btap.c - the syscall bound vifd's data path is measured against: a TAP
 * of vifd's kind (flags, header size, MAC, offloads, queue length), and
 * the two loops vifd's queue threads cannot beat, one writev({header,
 * frame}) per frame (guest TX) and readv until EAGAIN then poll (guest
 * RX, fed by a forked injector as vifd's TAP is fed in the benchmark).
 * Owns its TAP (non-persistent: it goes away with the fd), the injector
 * child and the pipe that brings back the child's counts.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "bench.h"
#include "data/tap.h"

/* Frames between two looks at the clock: a few per cent of a 0.4 us
 * syscall at most. */
#define BTAP_CLOCK_EVERY	32u
/* How long the reader waits for the injector's first frame. */
#define BTAP_FIRST_MS		5000
/* Room for the largest frame a TAP with TSO hands out (64 KiB + L2). */
#define BTAP_RXBUF		(65536u + 64u)

int
btap_create(const char *pattern, unsigned int txqlen, char *name)
{
	static const uint8_t mac[6] = TAP_MAC;
	int fd, r;

	if (strlen(pattern) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	/* vifd's own TAP open (src/data/tap_linux.c): one queue of a
	 * multi-queue TAP, the same flags and header size. */
	fd = tap_open_queue(pattern, name);
	if (fd < 0)
		return fd;
	/* The MAC vifd gives every vif TAP, so that the host sees the same
	 * device (the frames themselves go to another MAC, see bench.h). */
	if ((r = tap_set_offload(fd, &bframe_features)) < 0 ||
	    (r = tap_set_mac(name, mac)) < 0 ||
	    (r = tap_set_txqlen(name, txqlen)) < 0 ||
	    (r = tap_set_up(name)) < 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return r;
}

int
btap_write_run(const struct btap_opts *o)
{
	char name[IFNAMSIZ];
	struct bframe f;
	struct iovec iov[2];
	uint64_t frames = 0, errors = 0, start, deadline, now;
	double cpu0;
	unsigned int i;
	int fd, r;

	r = bframe_make(o->kind, BFRAME_TO_HOST, 0, &f);
	if (r != 0)
		return r;
	fd = btap_create(o->name, o->txqlen, name);
	if (fd < 0) {
		bframe_free(&f);
		return fd;
	}
	iov[0].iov_base = &f.vh;
	iov[0].iov_len = sizeof(f.vh);
	iov[1].iov_base = f.buf;
	iov[1].iov_len = f.len;

	cpu0 = main_cpu_s();
	start = now = main_now_ns();
	deadline = start + (uint64_t)(o->seconds * 1e9);
	while (now < deadline) {
		for (i = 0; i < BTAP_CLOCK_EVERY; i++) {
			/* vifd counts a failed write as tx_drop_tap and goes
			 * on; so do we (there should be none). */
			if (writev(fd, iov, 2) < 0)
				errors++;
			else
				frames++;
		}
		now = main_now_ns();
	}
	printf("tap %s\nerrors %" PRIu64 "\ncpu_s %.3f\n", name, errors,
	    main_cpu_s() - cpu0);
	main_print_result(frames, frames * f.len, (double)(now - start) / 1e9);
	close(fd);
	bframe_free(&f);
	return 0;
}

static volatile sig_atomic_t btap_child_stop;

static void
btap_child_onterm(int sig)
{
	(void)sig;
	btap_child_stop = 1;
}

/* The injector child: feeds `name` until SIGTERM, then sends its counts
 * up the pipe. Never returns. */
static void
btap_child(const char *name, const struct btap_opts *o, int wfd,
    pid_t parent)
{
	struct binject_opts io;
	struct binject_result res;
	struct sigaction sa;
	int rc;

	/* Dies with the reader, whatever happens to it. */
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(1);
	/* On a CPU of its own: left to the scheduler, the injector's wake-ups
	 * pull the reader onto its CPU now and then (wake-affine), and the
	 * two share one CPU at half the rate. */
	if (o->inject_cpu >= 0 && main_pin(o->inject_cpu) < 0)
		_exit(1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = btap_child_onterm;	/* no SA_RESTART: EINTR */
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);

	memset(&io, 0, sizeof(io));
	io.kind = o->kind;
	io.seconds = o->seconds + 30;	/* a bound should SIGTERM get lost */
	io.flows = 1;
	io.backoff_us = o->backoff_us;
	rc = binject_run(name, &io, &btap_child_stop, &res);
	if (write(wfd, &res, sizeof(res)) != (ssize_t)sizeof(res))
		_exit(1);
	_exit(rc == 0 ? 0 : 1);
}

int
btap_read_run(const struct btap_opts *o)
{
	char name[IFNAMSIZ];
	struct virtio_net_hdr vh;
	struct binject_result res;
	struct bframe f;
	struct iovec iov[2];
	struct pollfd pfd[2];
	size_t want;
	uint8_t *buf = NULL;
	uint64_t frames = 0, bytes = 0, other = 0, first = 0, now = 0, end;
	double cpu0 = 0, cpu1 = 0;
	unsigned int k = 0;
	int fd, p[2] = { -1, -1 }, r = 0, status;
	pid_t pid = -1, self;
	ssize_t n;

	memset(&res, 0, sizeof(res));
	r = bframe_make(o->kind, BFRAME_TO_GUEST, 0, &f);
	if (r != 0)
		return r;
	want = f.len;
	bframe_free(&f);
	fd = btap_create(o->name, o->txqlen, name);
	if (fd < 0)
		return fd;
	buf = malloc(BTAP_RXBUF);
	if (buf == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	fflush(stdout);
	self = getpid();
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto out;
	}
	if (pid == 0) {
		close(fd);
		close(p[0]);
		btap_child(name, o, p[1], self);
	}
	close(p[1]);
	p[1] = -1;

	iov[0].iov_base = &vh;
	iov[0].iov_len = sizeof(vh);
	iov[1].iov_base = buf;
	iov[1].iov_len = BTAP_RXBUF;
	pfd[0].fd = fd;
	pfd[0].events = POLLIN;
	/* The pipe says when the injector ended early (it writes only at
	 * its end, and its end of the pipe closes). */
	pfd[1].fd = p[0];
	pfd[1].events = POLLIN;
	end = 0;
	cpu0 = main_cpu_s();
	for (;;) {
		n = readv(fd, iov, 2);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN) {
				r = -errno;
				break;
			}
			/* Drained: wait, as vifd's epoll loop does. */
			if (poll(pfd, 2, first == 0 ? BTAP_FIRST_MS : 10) == 0 &&
			    first == 0) {
				r = -ETIMEDOUT;
				break;
			}
			if (pfd[1].revents != 0) {
				r = -ECHILD;	/* the injector failed */
				break;
			}
			now = main_now_ns();
			if (first != 0 && now >= end)
				break;
			continue;
		}
		if ((size_t)n - sizeof(vh) != want) {
			/* Not the injector's frame (the host's own chatter,
			 * if any): counted apart, as the sink ignores noise. */
			other++;
			continue;
		}
		if (first == 0) {
			first = main_now_ns();
			end = first + (uint64_t)(o->seconds * 1e9);
		}
		frames++;
		bytes += (uint64_t)n - sizeof(vh);
		if (++k == BTAP_CLOCK_EVERY) {
			k = 0;
			now = main_now_ns();
			if (now >= end)
				break;
		}
	}
	cpu1 = main_cpu_s();
out:
	if (pid > 0) {
		struct binject_result cr;

		(void)kill(pid, SIGTERM);
		if (read(p[0], &cr, sizeof(cr)) == (ssize_t)sizeof(cr))
			res = cr;
		else
			memset(&res, 0, sizeof(res));
		(void)waitpid(pid, &status, 0);
	}
	if (r == 0 || r == -ETIMEDOUT || r == -ECHILD) {
		printf("tap %s\ninject_frames %" PRIu64 " inject_bytes %" PRIu64
		    " inject_refused %" PRIu64 " inject_seconds %.3f\n"
		    "other_frames %" PRIu64 "\ncpu_s %.3f\n", name, res.frames,
		    res.bytes, res.refused, res.seconds, other, cpu1 - cpu0);
		if (r == 0)
			main_print_result(frames, bytes,
			    (double)(now - first) / 1e9);
	}
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	free(buf);
	close(fd);
	return r;
}
