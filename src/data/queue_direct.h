/*
 * queue_direct.h - one copy guest to guest: placing a frame from one
 * switch port's guest TX buffers straight into another's RX ring (see
 * queue_direct.c for when).
 */
#ifndef VIFD_QUEUE_DIRECT_H
#define VIFD_QUEUE_DIRECT_H

#include <stdint.h>

#include "core/tx.h"
#include "core/vnet_hdr.h"
#include "data/vswitch.h"

struct queue;

/*
 * Frames longer than this try the one copy: the sender's worker copies
 * their first QUEUE_DIRECT_HEAD bytes, decides, and places them in one
 * copy (the rest needs a second copy call into vifd only when the frame
 * cannot go so). Shorter ones are copied whole into vifd first, where
 * the head is most of them, and placed from there by the sender's
 * worker too (hlen == len below), a run of them to one guest in one
 * grant copy, with no hand-over to the receiver's worker (a copy into
 * its inbox and out, and a thread wake-up, which at light load is
 * latency: in the lab under TCG, vifd's guest-to-guest RTT was 1.6-1.8
 * times netback's with it). Measured with make switch-bench
 * (2026-12-05): with 2048 here, 1514-byte frames took 2.0 bytes copied
 * per byte delivered, with 1024 1.18, at the same 2.4-2.5 M frames/s.
 */
#define QUEUE_DIRECT_MIN	1024u
/* The head the sender reads first to decide where the frame goes: an
 * Ethernet header with VLAN tags, IP with options or extension headers
 * and TCP with options, as core/gso_seg.h bounds them. */
#define QUEUE_DIRECT_HEAD	256u

/* What the sending worker hands queue_direct_place: its frames in
 * order, each accepted (not dropped, not a multicast request), frame j
 * being pkt[j] with its head in fr[j] (fr[j].head: a buffer of
 * pkt[j].len bytes). */
struct queue_direct {
	struct queue *sq;		/* the sender's queue (its grant handle,
					 * its domid) */
	const struct tx_pkt *pkt;
	const struct vsw_direct *fr;
	uint64_t now;
	bool *failed;			/* out: failed[j], frame j's copy
					 * failed */
	bool stop;			/* out: one failed in one copy; no
					 * run is offered after its own */
};

/*
 * Places frames first..first+k-1 of d's in dq's RX ring, in one grant
 * copy (a second only when the receiver's batch is full), each gref to
 * gref past its first hlen bytes, which come from vifd's copy (all of it
 * when hlen == len, a short frame, counted as switched in rather than
 * direct), as long as dq can take them now as they are (queue_direct.c
 * says when). Returns how many, from the first, were placed (d->failed
 * for each: the copy failed, the receiver's slot carries the error);
 * the next one must take the two-copy path. For vsw_port_send_direct:
 * the switch is read-locked.
 */
unsigned int queue_direct_place(struct queue *dq, void *arg,
    unsigned int first, unsigned int k);

/* What a switch uplink's thread hands queue_direct_place_held: a frame
 * it holds in its own memory, from the host. */
struct queue_held {
	const struct virtio_net_hdr *vh;
	const uint8_t *frame;
	uint32_t len;
	uint64_t now;
	bool failed;			/* out: the copy failed */
};

/*
 * Places h's frame in dq's RX ring in one grant copy from h's memory,
 * counted as switched in and placed, if dq can take it now and as it is
 * (vnet_hdr_vhdr2netrx_as_is: no checksum to complete; the rest as for
 * queue_direct_place): the hand-over to dq's worker, a thread wake-up,
 * saved for a frame alone in its uplink's read (light load). h is one
 * frame (first 0, k 1). Returns 1 if placed (h->failed as above), 0 if
 * the frame must go the usual way (nothing done). For
 * vsw_port_send_direct: the switch is read-locked.
 */
unsigned int queue_direct_place_held(struct queue *dq, void *arg,
    unsigned int first, unsigned int k);

#endif
