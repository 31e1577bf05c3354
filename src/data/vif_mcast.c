/*
 * vif_mcast.c - one vif's multicast filter shared between threads: the
 * pure list (core/mcast.c) behind a mutex, and the enabled flag.
 *
 * Why a plain mutex: Linux keeps the list under RCU because its match
 * runs in start_xmit for every multicast skb; we have no RCU, and what
 * the lock guards is small and rare. Writers are MCAST_ADD/DEL requests
 * (a frontend sends a few when its group memberships change); readers are
 * RX frames whose destination is a group address other than broadcast,
 * and only while filtering is on. Unicast and broadcast frames, and
 * everything while filtering is off, never take the lock. The critical
 * section is at most 64 six-byte compares, with nothing in it that can
 * block, so a queue contends only with the other queues of its own vif,
 * and a frontend that floods ADDs costs itself, never another vif.
 */
#include "config.h"

#include <errno.h>

#include "data/vif_mcast.h"

void
vif_mcast_init(struct vif_mcast *m, bool enabled)
{
	pthread_mutex_init(&m->lock, NULL);
	mcast_list_init(&m->list);
	__atomic_store_n(&m->enabled, enabled ? 1 : 0, __ATOMIC_RELAXED);
}

void
vif_mcast_destroy(struct vif_mcast *m)
{
	pthread_mutex_destroy(&m->lock);
}

void
vif_mcast_set_enabled(struct vif_mcast *m, bool enabled)
{
	/* Relaxed: the flag orders nothing else; a frame read just before
	 * the switch is judged the old way, as in Linux. */
	__atomic_store_n(&m->enabled, enabled ? 1 : 0, __ATOMIC_RELAXED);
}

int
vif_mcast_apply(struct vif_mcast *m, unsigned int op,
    const uint8_t addr[MCAST_ADDR_LEN])
{
	int r;

	pthread_mutex_lock(&m->lock);
	r = mcast_list_apply(&m->list, op, addr);
	pthread_mutex_unlock(&m->lock);
	return r;
}

bool
vif_mcast_pass(struct vif_mcast *m, const uint8_t dst[MCAST_ADDR_LEN])
{
	bool ok;

	if (m == NULL || !__atomic_load_n(&m->enabled, __ATOMIC_RELAXED) ||
	    !mcast_dst_filtered(dst))
		return true;
	pthread_mutex_lock(&m->lock);
	ok = mcast_list_match(&m->list, dst);
	pthread_mutex_unlock(&m->lock);
	return ok;
}
