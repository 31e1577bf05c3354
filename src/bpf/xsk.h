/*
 * xsk.h - what xsk.bpf.c (the AF_XDP uplink's XDP program) and vifd
 * share: the number of a NIC's RX queues its socket map covers. A
 * queue past it cannot have a vifd uplink (vifd refuses it when parsing
 * --switch-uplink).
 */
#ifndef VIFD_BPF_XSK_H
#define VIFD_BPF_XSK_H

#define XSK_PROG_QUEUES	64

#endif
