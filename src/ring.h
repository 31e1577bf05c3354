/*
 * ring.h - the Xen shared-ring headers with the barriers they need.
 *
 * <xen/io/ring.h> leaves xen_mb/xen_rmb/xen_wmb to its includer. Every vifd
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

#define xen_mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/io/ring.h>
#include <xen/io/netif.h>

#endif
