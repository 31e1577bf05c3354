/*
 * vif_rss.h - one vif's receive-side scaling: the hash settings the
 * frontend made on its control ring, shared with the queue workers that
 * steer and hash frames towards the guest, and the per-queue inboxes the
 * software steering path hands frames through.
 *
 * Settings: the control-ring worker (ctrlring.c) publishes a new copy of
 * struct ctrl_hash under the lock and bumps a generation; each queue
 * worker compares the generation once per RX pass (one relaxed load) and
 * copies the settings only when it moved, so the hot path takes no lock.
 *
 * Steering: the TAP spreads frames over its queues by the kernel's own
 * flow hash, not the frontend's mapping. The worker that read a frame
 * computes the frontend's queue for it and, when that is another queue,
 * puts a copy in that queue's inbox and wakes its worker (an eventfd),
 * which delivers it as if its TAP queue had given it. The inboxes are
 * bounded (inbox.h): a full one drops (counted).
 *
 * When the kernel steers (tap_steer.h: a BPF program on the TAP), the
 * settings are also written into its map, by vif_rss_set under the same
 * lock, so the kernel and the workers follow the same changes; the
 * hand-off stays for what the kernel still puts elsewhere.
 */
#ifndef VIFD_VIF_RSS_H
#define VIFD_VIF_RSS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_net.h>

#include "core/ctrl.h"
#include "data/inbox.h"
#include "data/tap_steer.h"

struct vif_rss {
	pthread_mutex_t lock;
	struct ctrl_hash h;		/* [lock] */
	int gen;			/* [atomic] bumped on each change */
	unsigned int nq;
	struct inbox *inbox;		/* nq of them: frames other queues'
					 * workers steered to each */
	struct tap_steer *steer;	/* [lock] the kernel steers, or NULL */
};

/* Hashing off, nq empty inboxes. 0 or -errno (nothing to destroy). */
int vif_rss_init(struct vif_rss *r, unsigned int nq);
/* Frees every frame still held. No worker may run. */
void vif_rss_destroy(struct vif_rss *r);

/* Publishes new settings (the control-ring worker), to the kernel's
 * steering map too when there is one. Any thread. */
void vif_rss_set(struct vif_rss *r, const struct ctrl_hash *h);
/*
 * Hands the kernel's steering to r (NULL: none) and writes the current
 * settings into its map; returns the steering r had, for the caller to
 * detach. Any thread.
 */
struct tap_steer *vif_rss_set_steer(struct vif_rss *r, struct tap_steer *s);
/* Does the kernel steer (the program attached: hashing on)? */
bool vif_rss_kernel_steers(struct vif_rss *r);
/* The generation now; a queue copies the settings when it moved. */
int vif_rss_gen(const struct vif_rss *r);
/* Copies the settings and returns their generation. Any thread. */
int vif_rss_get(struct vif_rss *r, struct ctrl_hash *out);

/*
 * Hands hdr[0..hlen) + frame[0..len) to queue `to`'s inbox and wakes its
 * worker. 0, -ENOBUFS (the inbox is full): the caller drops
 * the frame and counts it.
 */
int vif_rss_push(struct vif_rss *r, unsigned int to, const void *hdr,
    size_t hlen, const uint8_t *frame, size_t len);
/*
 * Takes the oldest frame of queue `q`'s inbox: its virtio-net header into
 * *vh, the frame into dst (cap bytes). Returns its length (header
 * included), 0 if the inbox is empty, -1 if the frame did not fit
 * (dropped).
 */
int vif_rss_pop(struct vif_rss *r, unsigned int q, struct virtio_net_hdr *vh,
    uint8_t *dst, size_t cap);

#endif
