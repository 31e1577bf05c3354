/*
 * vif_mcast.h - one vif's multicast filter, shared by its queues' workers
 * and switched on and off by the control thread.
 *
 * A frontend may send its MCAST_ADD/DEL requests on any queue's TX ring,
 * while every queue's RX path filters frames towards the guest against
 * the same list: each queue has its own worker thread, so TX on queue N
 * may change the list while RX on queue M reads it. The list is the pure
 * core's (core/mcast.h); this wraps it with the lock and the "enabled"
 * flag (request-multicast-control, sampled at connect and re-sampled on
 * its watch by the control thread).
 */
#ifndef VIFD_VIF_MCAST_H
#define VIFD_VIF_MCAST_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/mcast.h"

struct vif_mcast {
	pthread_mutex_t lock;
	struct mcast_list list;		/* [lock] */
	int enabled;			/* [atomic] filter RX frames */
};

/* An empty list, filtering on if `enabled`. */
void vif_mcast_init(struct vif_mcast *m, bool enabled);
void vif_mcast_destroy(struct vif_mcast *m);

/* The frontend's request-multicast-control, live. Any thread. */
void vif_mcast_set_enabled(struct vif_mcast *m, bool enabled);

/* One MCAST_ADD/DEL request (op: the extra's type): mcast_list_apply()
 * under the lock. 0 (answer OKAY) or -EINVAL/-ENOSPC (answer ERROR). */
int vif_mcast_apply(struct vif_mcast *m, unsigned int op,
    const uint8_t addr[MCAST_ADDR_LEN]);

/*
 * Does a frame with destination `dst` go to the guest? True when
 * filtering is off, for unicast and broadcast, and for group addresses
 * on the list. m may be NULL (no filter: a unit test's queue).
 */
bool vif_mcast_pass(struct vif_mcast *m, const uint8_t dst[MCAST_ADDR_LEN]);

#endif
