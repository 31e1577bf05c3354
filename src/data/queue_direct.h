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
 * Frames longer than this try the one copy; shorter ones are copied
 * whole into vifd first. A frame placed by the sender's worker costs a
 * grant-copy call of its own (a frame handed to the receiver's worker
 * shares its call with a batch), which pays for throughput only where
 * the bytes are many: GSO super-frames and jumbo frames. A short frame
 * alone in its batch (light load: a ping, an ACK) is placed by the
 * sender's worker too, from vifd's copy (hlen == len below): its call is
 * its own either way, and the hand-over to the receiver's worker, a
 * thread wake-up, is latency (in the lab under TCG, vifd's guest-to-
 * guest RTT was 1.6-1.8 times netback's with it).
 */
#define QUEUE_DIRECT_MIN	2048u
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
