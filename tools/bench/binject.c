/*
 * binject.c - pushes frames into a TAP from the host side, so that the
 * TAP's reader (vifd, or btap.c's baseline loop) gets a stream: an
 * AF_PACKET socket bound to the device, PACKET_QDISC_BYPASS (straight to
 * the driver's xmit, which for a TAP is its reader's queue), sendmmsg in
 * batches. Frames with offloads (the GSO super-frame) carry a virtio-net
 * header through PACKET_VNET_HDR, so the TAP, which advertises TSO, passes
 * them to the reader unsegmented. Owns its socket and its frames.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <sys/socket.h>

#include <linux/if_packet.h>
#include <net/ethernet.h>

#include "bench.h"

/* Frames per sendmmsg: 64 small ones (the batch size of the perf notes'
 * probes), 16 super-frames (1 MiB of payload per call). */
#define BINJECT_BATCH		64u
#define BINJECT_BATCH_BIG	16u

static void
binject_nap(unsigned int us)
{
	struct timespec ts;

	if (us == 0) {
		(void)sched_yield();
		return;
	}
	ts.tv_sec = 0;
	ts.tv_nsec = (long)us * 1000;
	(void)nanosleep(&ts, NULL);
}

static int
binject_socket(const char *ifname, bool vnet)
{
	struct sockaddr_ll sll;
	unsigned int ifindex;
	int s, one = 1;

	ifindex = if_nametoindex(ifname);
	if (ifindex == 0)
		return -errno;
	/* Protocol 0: this socket sends only, it never gets a copy of
	 * anything. */
	s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (setsockopt(s, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
	    sizeof(one)) < 0)
		goto fail;
	if (vnet && setsockopt(s, SOL_PACKET, PACKET_VNET_HDR, &one,
	    sizeof(one)) < 0)
		goto fail;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)ifindex;
	if (bind(s, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto fail;
	return s;
fail:
	{
		int e = errno;

		close(s);
		return -e;
	}
}

int
binject_run(const char *ifname, const struct binject_opts *o,
    volatile sig_atomic_t *stop, struct binject_result *r)
{
	struct bframe fr[BFRAME_MAX_FLOWS];
	struct mmsghdr msgs[BINJECT_BATCH];
	struct iovec iov[BINJECT_BATCH][2];
	unsigned int i, nfr = 0, batch;
	uint64_t start, deadline = 0, now;
	int s = -1, rc = 0, n;

	memset(r, 0, sizeof(*r));
	if (o->flows == 0 || o->flows > BFRAME_MAX_FLOWS)
		return -EINVAL;
	for (nfr = 0; nfr < o->flows; nfr++) {
		rc = bframe_make(o->kind, BFRAME_TO_GUEST, nfr, &fr[nfr]);
		if (rc != 0)
			goto out;
	}
	s = binject_socket(ifname, fr[0].offload);
	if (s < 0) {
		rc = s;
		goto out;
	}
	batch = fr[0].len > 4096 ? BINJECT_BATCH_BIG : BINJECT_BATCH;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < batch; i++) {
		struct bframe *f = &fr[i % o->flows];
		struct iovec *v = iov[i];

		/* With PACKET_VNET_HDR every frame starts with the header. */
		if (f->offload) {
			v->iov_base = &f->vh;
			v->iov_len = sizeof(f->vh);
			v++;
		}
		v->iov_base = f->buf;
		v->iov_len = f->len;
		msgs[i].msg_hdr.msg_iov = iov[i];
		msgs[i].msg_hdr.msg_iovlen = f->offload ? 2 : 1;
	}

	start = main_now_ns();
	if (o->seconds > 0)
		deadline = start + (uint64_t)(o->seconds * 1e9);
	now = start;
	while (!*stop && (deadline == 0 || now < deadline)) {
		n = sendmmsg(s, msgs, batch, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ENOBUFS && errno != EAGAIN) {
				rc = -errno;
				break;
			}
			n = 0;
		}
		r->frames += (uint64_t)n;
		r->bytes += (uint64_t)n * fr[0].len;
		if ((unsigned int)n < batch) {
			/* The TAP's queue is full (tun drops and says
			 * ENOBUFS): let its reader catch up rather than
			 * fight it for the CPU and the queue's lock. */
			r->refused++;
			binject_nap(o->backoff_us);
		}
		now = main_now_ns();
	}
	r->seconds = (double)(now - start) / 1e9;
out:
	if (s >= 0)
		close(s);
	for (i = 0; i < nfr; i++)
		bframe_free(&fr[i]);
	return rc;
}
