/*
 * xsk_prog.h - the privileged half of a vifd switch's AF_XDP uplink: the
 * XDP program on the NIC (bpf/xsk.bpf.c) and the AF_XDP socket, neither
 * of which vifd proper may make (an AF_XDP socket wants CAP_NET_RAW,
 * attaching XDP wants CAP_NET_ADMIN), nor put a socket in the program's
 * map, which decides whose frames the socket gets. The privileged part
 * runs these for it (privsep.h: PRIVSEP_XSK_OPEN, _BIND, _CLOSE) after
 * checking that the admin named that interface and queue
 * (--switch-uplink); with --privsep=off vifd runs them itself. Between
 * open and bind the socket's memory and rings are vifd's to set up
 * (data/vswitch_xsk.c): Linux 6.1 maps a socket's rings only before it
 * is bound, so the binding comes back here.
 *
 * What is left to vifd proper: for that moment it holds an unbound AF_XDP
 * socket, and binding one needs no privilege, so a vifd taken over could
 * bind it to another interface and send frames out of it (not receive:
 * only this side puts sockets in the XDP program's map, and only bound
 * to the admin's queue). vifd(8) says so.
 */
#ifndef VIFD_XSK_PROG_H
#define VIFD_XSK_PROG_H

#include <stddef.h>
#include <stdint.h>

/*
 * Makes sure interface `ifname` has vifd's XDP program attached (in the
 * driver's mode where it has one, else generic; an earlier vifd's
 * program is kept, another program is never replaced), then opens an
 * AF_XDP socket into *xsk_fd. Returns 0, or -errno with the reason in
 * err: -ENODEV (no such interface), -EBUSY (another XDP program is
 * attached), or what the kernel said.
 */
int xsk_prog_open(const char *ifname, int *xsk_fd, char *err, size_t errlen);

/*
 * Binds the AF_XDP socket fd, its memory and rings set up, to queue
 * `queue` of `ifname` (need_wakeup on) and puts it in vifd's XDP program
 * map there: from then on the queue's frames go to it. 0, or -errno
 * with the reason in err: -ENOTSOCK (fd is not an AF_XDP socket), -ENOENT
 * (vifd's program is no longer on the NIC), or what the kernel said (a
 * socket already bound: EBUSY or EINVAL).
 */
int xsk_prog_bind(const char *ifname, uint32_t queue, int fd, char *err,
    size_t errlen);

/*
 * Takes vifd's program off `ifname` (an admin's is left alone, as is an
 * interface with none). 0, or -errno with the reason in err.
 */
int xsk_prog_close(const char *ifname, char *err, size_t errlen);

#endif
