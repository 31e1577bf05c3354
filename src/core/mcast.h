/*
 * mcast.h - a vif's multicast filter list (netif.h "multicast control"):
 * what the frontend asked for with XEN_NETIF_EXTRA_TYPE_MCAST_ADD/DEL
 * extras on its TX ring, and the verdict on each frame towards the guest.
 *
 * Linux netback (drivers/net/xen-netback/netback.c: xenvif_mcast_add,
 * xenvif_mcast_del, xenvif_mcast_match; interface.c xenvif_start_xmit) is
 * the baseline:
 *  - at most MCAST_LIST_MAX (64, Linux XEN_NETBK_MCAST_MAX) entries; an
 *    ADD when full is refused (the request is answered NETIF_RSP_ERROR);
 *  - an address added twice takes two entries and one DEL removes one of
 *    them (Linux appends without looking; a DEL removes the first match);
 *  - a DEL of an address not on the list is no error (answered OKAY);
 *  - frames are filtered only while the frontend's
 *    request-multicast-control is set, but the list may change at any
 *    time (netif.h), and lives as long as the connection.
 * One difference: an ADD of an address without the group bit (a unicast
 * address, which no filtered frame can ever match) is refused with
 * -EINVAL and answered NETIF_RSP_ERROR; Linux takes it and so lets a
 * frontend fill its list with entries that do nothing.
 *
 * Pure: a fixed-size array, no allocation, no lock (the caller shares it
 * between threads, see data/vif_mcast.c), no clock.
 */
#ifndef VIFD_MCAST_H
#define VIFD_MCAST_H

#include <stdbool.h>
#include <stdint.h>

/* Entries a list holds (Linux XEN_NETBK_MCAST_MAX). */
#define MCAST_LIST_MAX	64u
#define MCAST_ADDR_LEN	6u

struct mcast_list {
	unsigned int n;
	uint8_t addr[MCAST_LIST_MAX][MCAST_ADDR_LEN];
};

/* An empty list. */
void mcast_list_init(struct mcast_list *l);

/* True for a group address (the I/G bit, broadcast included). */
bool mcast_addr_is_group(const uint8_t addr[MCAST_ADDR_LEN]);
/* True for ff:ff:ff:ff:ff:ff. */
bool mcast_addr_is_broadcast(const uint8_t addr[MCAST_ADDR_LEN]);

/*
 * Appends `addr`. Returns 0, -EINVAL if it is not a group address, or
 * -ENOSPC if the list already holds MCAST_LIST_MAX entries. The list is
 * unchanged on error.
 */
int mcast_list_add(struct mcast_list *l, const uint8_t addr[MCAST_ADDR_LEN]);

/* Removes the first entry equal to `addr`. Returns true if there was one
 * (false is no error: Linux ignores such a DEL). */
bool mcast_list_del(struct mcast_list *l, const uint8_t addr[MCAST_ADDR_LEN]);

/* True if `addr` is on the list. */
bool mcast_list_match(const struct mcast_list *l,
    const uint8_t addr[MCAST_ADDR_LEN]);

/*
 * One request from the TX ring: `op` is the extra's type,
 * XEN_NETIF_EXTRA_TYPE_MCAST_ADD or _DEL (what tx_ring2pkt put in
 * pkt->mcast_op). Returns 0 if the request is to be answered
 * NETIF_RSP_OKAY (an ADD done; any DEL, present or not), or the ADD's
 * -EINVAL / -ENOSPC, answered NETIF_RSP_ERROR. Any other op is -EINVAL.
 */
int mcast_list_apply(struct mcast_list *l, unsigned int op,
    const uint8_t addr[MCAST_ADDR_LEN]);

/*
 * Does a frame with destination `dst` need the list to pass? True only
 * for group addresses other than broadcast: unicast and broadcast frames
 * always pass (Linux filters only skbs of PACKET_MULTICAST, which
 * eth_type_trans gives to group addresses other than broadcast).
 */
bool mcast_dst_filtered(const uint8_t dst[MCAST_ADDR_LEN]);

#endif
