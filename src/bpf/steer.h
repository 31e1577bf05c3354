/*
 * steer.h - what vifd's TAP steering program (steer.bpf.c) and its loader
 * (data/tap_steer.c) share: the one value of its BPF array map.
 *
 * The program is compiled for the BPF target, where <xen/io/netif.h>
 * cannot be included (its arch headers know no BPF), so the hash types
 * travel as bits of our own, STEER_*; the loader translates netif.h's
 * XEN_NETIF_CTRL_HASH_TYPE_* into them. Only <linux/types.h> types here.
 */
#ifndef VIFD_BPF_STEER_H
#define VIFD_BPF_STEER_H

#include <linux/types.h>

/* The key and mapping limits; the loader checks they equal hash.h's
 * HASH_KEY_MAX and HASH_MAPPING_MAX. */
#define STEER_KEY_LEN		40
#define STEER_MAPPING_MAX	128

/* Hash types the frontend enabled (netif.h's four, our bit numbers). */
#define STEER_IPV4		0x1u
#define STEER_IPV4_TCP		0x2u
#define STEER_IPV6		0x4u
#define STEER_IPV6_TCP		0x8u

struct steer_conf {
	__u32 active;		/* Toeplitz on: steer by it; else the
				 * kernel's own flow hash */
	__u32 flags;		/* STEER_* */
	__u32 nq;		/* the vif's queues (> 0 when active) */
	__u32 size;		/* mapping entries; 0: value % nq */
	__u8 key[STEER_KEY_LEN];	/* zero past what the frontend set */
	__u32 mapping[STEER_MAPPING_MAX];
};

#endif
