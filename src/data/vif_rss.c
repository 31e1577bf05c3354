/*
 * vif_rss.c - a vif's shared hash settings and the inboxes of software
 * steering (see vif_rss.h for why they exist and what bounds them).
 *
 * Owns the lock and generation around struct ctrl_hash, and each queue's
 * inbox (inbox.c). Which queue a frame belongs to is core/hash.c's arithmetic,
 * done by the queue workers; the settings come from ctrlring.c and go
 * on to the kernel's steering map (tap_steer.c) when there is one.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "data/vif_rss.h"

int
vif_rss_init(struct vif_rss *r, unsigned int nq)
{
	unsigned int i;
	int ret;

	memset(r, 0, sizeof(*r));
	r->inbox = calloc(nq, sizeof(*r->inbox));
	if (r->inbox == NULL)
		return -ENOMEM;
	for (i = 0; i < nq; i++) {
		ret = inbox_init(&r->inbox[i]);
		if (ret < 0) {
			while (i-- > 0)
				inbox_destroy(&r->inbox[i]);
			free(r->inbox);
			r->inbox = NULL;
			return ret;
		}
	}
	r->nq = nq;
	pthread_mutex_init(&r->lock, NULL);
	ctrl_hash_init(&r->h);
	return 0;
}

void
vif_rss_destroy(struct vif_rss *r)
{
	unsigned int i;

	if (r->inbox == NULL)
		return;
	for (i = 0; i < r->nq; i++)
		inbox_destroy(&r->inbox[i]);
	free(r->inbox);
	r->inbox = NULL;
	pthread_mutex_destroy(&r->lock);
}

void
vif_rss_set(struct vif_rss *r, const struct ctrl_hash *h)
{
	pthread_mutex_lock(&r->lock);
	r->h = *h;
	__atomic_add_fetch(&r->gen, 1, __ATOMIC_RELEASE);
	/* A failed write (the map is ours and sized for any value: only
	 * memory pressure) leaves the kernel on the old settings, a failed
	 * attach leaves it off (vif_rss_kernel_steers says so); frames
	 * that land on the wrong queue are handed over like any other. */
	if (r->steer != NULL)
		(void)tap_steer_update(r->steer, h);
	pthread_mutex_unlock(&r->lock);
}

struct tap_steer *
vif_rss_set_steer(struct vif_rss *r, struct tap_steer *s)
{
	struct tap_steer *old;

	pthread_mutex_lock(&r->lock);
	old = r->steer;
	r->steer = s;
	if (s != NULL)
		(void)tap_steer_update(s, &r->h);
	pthread_mutex_unlock(&r->lock);
	return old;
}

bool
vif_rss_kernel_steers(struct vif_rss *r)
{
	bool on;

	pthread_mutex_lock(&r->lock);
	on = r->steer != NULL && tap_steer_attached(r->steer);
	pthread_mutex_unlock(&r->lock);
	return on;
}

int
vif_rss_gen(const struct vif_rss *r)
{
	return __atomic_load_n(&r->gen, __ATOMIC_ACQUIRE);
}

int
vif_rss_get(struct vif_rss *r, struct ctrl_hash *out)
{
	int gen;

	pthread_mutex_lock(&r->lock);
	*out = r->h;
	gen = __atomic_load_n(&r->gen, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&r->lock);
	return gen;
}

int
vif_rss_push(struct vif_rss *r, unsigned int to, const void *hdr,
    size_t hlen, const uint8_t *frame, size_t len)
{
	return inbox_push(&r->inbox[to], hdr, hlen, frame, len);
}

int
vif_rss_pop(struct vif_rss *r, unsigned int q, struct virtio_net_hdr *vh,
    uint8_t *dst, size_t cap)
{
	return inbox_pop_split(&r->inbox[q], vh, sizeof(*vh), dst, cap);
}
