/*
 * xsk_prog.h - the privileged half of a vifd switch's AF_XDP uplink: the
 * XDP program on the NIC (bpf/xsk.bpf.c) and the AF_XDP socket, neither
 * of which vifd proper may make (an AF_XDP socket wants CAP_NET_RAW,
 * attaching XDP wants CAP_NET_ADMIN). The privileged part runs these
 * for it (privsep.h: PRIVSEP_XSK_OPEN, PRIVSEP_XSK_CLOSE) after checking
 * that the admin named that interface and queue (--switch-uplink); with
 * --privsep=off vifd runs them itself. Everything after the socket (its
 * memory, rings and binding) is vifd's own (data/vswitch_xsk.c).
 */
#ifndef VIFD_XSK_PROG_H
#define VIFD_XSK_PROG_H

#include <stddef.h>
#include <stdint.h>

/*
 * Makes sure interface `ifname` has vifd's XDP program attached (in the
 * driver's mode where it has one, else generic; an earlier vifd's
 * program is kept, another program is never replaced), then opens an
 * AF_XDP socket. *xsk_fd gets the socket, *map_fd the program's socket
 * map, where vifd puts the socket at its queue's index once it is bound.
 * Returns 0, or -errno with the reason in err: -ENODEV (no such
 * interface), -EBUSY (another XDP program is attached), or what the
 * kernel said.
 */
int xsk_prog_open(const char *ifname, int *xsk_fd, int *map_fd, char *err,
    size_t errlen);

/*
 * Takes vifd's program off `ifname` (an admin's is left alone, as is an
 * interface with none). 0, or -errno with the reason in err.
 */
int xsk_prog_close(const char *ifname, char *err, size_t errlen);

#endif
