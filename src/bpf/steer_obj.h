/*
 * steer_obj.h - steer.bpf.c compiled for the BPF target, embedded in
 * vifd: the build turns the ELF object into a C array (steer_obj.c,
 * generated) that data/tap_steer.c hands to libbpf, so vifd needs no
 * file at run time.
 */
#ifndef VIFD_BPF_STEER_OBJ_H
#define VIFD_BPF_STEER_OBJ_H

#include <stddef.h>

extern const unsigned char steer_obj[];
extern const size_t steer_obj_len;

#endif
