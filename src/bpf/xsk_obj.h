/*
 * xsk_obj.h - xsk.bpf.c compiled for the BPF target, embedded in vifd
 * (the build makes xsk_obj.c from the ELF object, as for steer_obj.h):
 * the privileged part hands it to libbpf when an AF_XDP uplink starts.
 */
#ifndef VIFD_BPF_XSK_OBJ_H
#define VIFD_BPF_XSK_OBJ_H

#include <stddef.h>

extern const unsigned char xsk_obj[];
extern const size_t xsk_obj_len;

#endif
