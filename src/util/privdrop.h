/*
 * privdrop.h - what vifd proper gives up once the privileged part is
 * forked (privsep.h): capabilities, the means to regain them, and most
 * of the file system.
 */
#ifndef VIFD_PRIVDROP_H
#define VIFD_PRIVDROP_H

#include <stddef.h>

/*
 * For the calling process, which must still be single-threaded
 * (capabilities are per thread; -EBUSY otherwise):
 *  - a mount namespace of its own (private: nothing mounted later by the
 *    host appears in it) in which
 *     - /dev is an empty tmpfs with only the nodes vifd opens: null,
 *       zero, full, random, urandom, log, and Xen's gntdev, evtchn,
 *       xenbus and xenbus_backend (not privcmd, no disk);
 *     - /run, /tmp and /var/tmp are empty tmpfs but for the `nkeep`
 *       paths `keep` (xenstored's socket, sd_notify's, the log's) and
 *       the `nrw` directories `rw`: no other daemon's socket (systemd's,
 *       D-Bus', OVS') is reachable, since many trust any uid-0 peer;
 *     - every mount is read-only and nodev, but `rw` (made 0700 if
 *       missing) and the device nodes above: a uid-0 process without
 *       CAP_DAC_OVERRIDE still owns root's files.
 *    Paths must be canonical (realpath); a missing `keep` is skipped.
 *  - every capability dropped from the bounding, permitted, effective,
 *    inheritable and ambient sets, but CAP_BPF if it is held (bpf(2)
 *    wants it for the steering map's updates where unprivileged BPF is
 *    off); never CAP_SYS_ADMIN;
 *  - securebits locked so that uid 0 confers nothing at execve, and
 *    no_new_privs.
 * Returns 0, or -errno with what failed in `err`.
 */
int privdrop_apply(const char *const rw[], size_t nrw,
    const char *const keep[], size_t nkeep, char *err, size_t errlen);

#endif
