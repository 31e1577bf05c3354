/*
 * mcast.c - a vif's multicast filter list: adding, removing and matching
 * the group addresses a frontend asked for with MCAST_ADD/DEL extras,
 * bounded as Linux netback bounds them. Owns the list's rules only; who
 * shares it between the queue workers is data/vif_mcast.c's business,
 * and parsing the extras is tx.c's.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "core/mcast.h"
#include "core/ring.h"	/* XEN_NETIF_EXTRA_TYPE_MCAST_* */

void
mcast_list_init(struct mcast_list *l)
{
	memset(l, 0, sizeof(*l));
}

bool
mcast_addr_is_group(const uint8_t addr[MCAST_ADDR_LEN])
{
	return (addr[0] & 0x01) != 0;
}

bool
mcast_addr_is_broadcast(const uint8_t addr[MCAST_ADDR_LEN])
{
	unsigned int i;

	for (i = 0; i < MCAST_ADDR_LEN; i++)
		if (addr[i] != 0xff)
			return false;
	return true;
}

int
mcast_list_add(struct mcast_list *l, const uint8_t addr[MCAST_ADDR_LEN])
{
	if (!mcast_addr_is_group(addr))
		return -EINVAL;
	if (l->n >= MCAST_LIST_MAX)
		return -ENOSPC;
	memcpy(l->addr[l->n++], addr, MCAST_ADDR_LEN);
	return 0;
}

bool
mcast_list_del(struct mcast_list *l, const uint8_t addr[MCAST_ADDR_LEN])
{
	unsigned int i;

	for (i = 0; i < l->n; i++) {
		if (memcmp(l->addr[i], addr, MCAST_ADDR_LEN) != 0)
			continue;
		/* Order is irrelevant to matching: the last entry fills
		 * the hole. */
		l->n--;
		if (i != l->n)
			memcpy(l->addr[i], l->addr[l->n], MCAST_ADDR_LEN);
		return true;
	}
	return false;
}

bool
mcast_list_match(const struct mcast_list *l,
    const uint8_t addr[MCAST_ADDR_LEN])
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (memcmp(l->addr[i], addr, MCAST_ADDR_LEN) == 0)
			return true;
	return false;
}

int
mcast_list_apply(struct mcast_list *l, unsigned int op,
    const uint8_t addr[MCAST_ADDR_LEN])
{
	switch (op) {
	case XEN_NETIF_EXTRA_TYPE_MCAST_ADD:
		return mcast_list_add(l, addr);
	case XEN_NETIF_EXTRA_TYPE_MCAST_DEL:
		(void)mcast_list_del(l, addr);
		return 0;
	default:
		return -EINVAL;
	}
}

bool
mcast_dst_filtered(const uint8_t dst[MCAST_ADDR_LEN])
{
	return mcast_addr_is_group(dst) && !mcast_addr_is_broadcast(dst);
}
