/*
 * bpfobj.h - a BPF object vifd carries in its own memory (bpf/NAME_obj.h),
 * loaded with libbpf: the TAP's steering program (data/tap_steer.c) and
 * the AF_XDP uplink's XDP program (data/xsk_prog.c). libbpf's own
 * messages become vifd's debug lines (a refused load is reported once by
 * the caller, with the reason), never libbpf's default of stderr.
 */
#ifndef VIFD_BPFOBJ_H
#define VIFD_BPFOBJ_H

#include <stddef.h>

/*
 * Loads the object img[0..len) and gives its program `prog` and its map
 * `map` as fds of the caller's own (close-on-exec; the object itself is
 * closed: the program and the map live as long as these fds, or an
 * attachment, hold them). 0, or -errno with the reason in err (both fds
 * -1).
 */
int bpfobj_load(const unsigned char *img, size_t len, const char *prog,
    const char *map, int *prog_fd, int *map_fd, char *err, size_t errlen);

#endif
