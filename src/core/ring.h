/*
 * ring.h - the Xen shared-ring headers with the barriers they need.
 *
 * <xen/io/ring.h> leaves the memory barriers to its includer. Every vifd
 * file that touches a netif ring includes this header instead of the Xen
 * ones directly, so the barriers are defined once and the same everywhere.
 *
 * The other end of a ring is another domain, i.e. another CPU: C11 fences
 * give the ordering ring.h's comments ask for on any architecture. On
 * x86-64 (TSO) the read and write barriers compile to nothing but a
 * compiler barrier and the full barrier to a locked instruction, which is
 * what Xen's own xenctrl.h uses.
 */
#ifndef VIFD_RING_H
#define VIFD_RING_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Without __XEN_TOOLS__ the headers use the legacy interface version, for
 * which <xen/io/ring.h> defines xen_mb/xen_rmb/xen_wmb as mb/rmb/wmb: those
 * are what we provide.
 */
#ifndef mb
#define mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
#ifndef rmb
#define rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#endif
#ifndef wmb
#define wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)
#endif

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/io/ring.h>
#include <xen/io/netif.h>

/* A Xen page; grant copies and ring slots never cross one. */
#define VIFD_PAGE_SIZE		4096u
/* Entries in one-page netif rings: 256 each (netif.h has no name for
 * them; Linux calls them NET_TX_RING_SIZE / NET_RX_RING_SIZE). */
#define VIFD_TX_RING_SIZE	__CONST_RING_SIZE(netif_tx, VIFD_PAGE_SIZE)
#define VIFD_RX_RING_SIZE	__CONST_RING_SIZE(netif_rx, VIFD_PAGE_SIZE)

/*
 * The two ways vifd touches an index of a shared ring outside the
 * RING_* macros. Every read of the frontend's producer goes through the
 * first, once: the value is then handed to the code that uses it (the
 * TX sweep, the RX batch), so that one decision never mixes two readings.
 */

/*
 * Reads an index the other domain writes (req_prod of our back rings,
 * or rsp_prod when we attach to a ring a previous run answered on).
 * Acquire: the slots that index covers are read after it, which is the
 * "read barrier after reading the producer" <xen/io/ring.h> asks of its
 * consumers (on x86-64 a plain load and a compiler barrier).
 */
static inline RING_IDX
ring_load_index(const RING_IDX *idx)
{
	return __atomic_load_n(idx, __ATOMIC_ACQUIRE);
}

/*
 * Sets an event index (req_event) so that the other domain notifies us
 * once its producer passes `ev`, then a full barrier: a producer read
 * after this (ring_load_index) sees every push made before the other
 * side could see the new event index, so no push goes unnoticed between
 * "not enough yet" and sleeping on the event channel. (A C11 fence, not
 * xen_mb(): under the default interface version <xen/io/ring.h> turns
 * that into our mb() anyway.)
 */
static inline void
ring_set_event(RING_IDX *event, RING_IDX ev)
{
	__atomic_store_n(event, ev, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#endif
