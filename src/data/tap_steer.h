/*
 * tap_steer.h - the kernel steering a vif's TAP queues: vifd's BPF
 * program (bpf/steer.bpf.c) attached to the TAP with TUNSETSTEERINGEBPF,
 * and the map holding the frontend's hash settings it steers by.
 *
 * It is attached while the frontend has hashing on (tun's own flow table
 * spreads frames better than any hash the program could name when there
 * is no mapping to follow), detached while it is off. With it attached,
 * the tun driver puts each frame on the TAP queue the frontend's mapping
 * names, so the queue worker that reads it is the
 * one that delivers it. Without it (no root, a kernel or sandbox that
 * refuses BPF, or the software path forced), the queue workers hand
 * frames to one another (vif_rss.c); they do so with it too, for any
 * frame that still lands on another queue, so this is a speed-up only.
 */
#ifndef VIFD_TAP_STEER_H
#define VIFD_TAP_STEER_H

#include <stdbool.h>

#include "core/ctrl.h"

struct tap_steer;

/*
 * Forces the software path for every vif connected from now on (vifd
 * --steering=software). Process-wide; call before any vif connects.
 */
void tap_steer_force_software(bool on);

/*
 * Loads the program and its map (the map says "hashing off") for the TAP
 * that `tapfd` (any of its queues; it must stay open until
 * tap_steer_close) belongs to, with `nq` queues, and checks that the
 * kernel takes it there (attached and detached again: hashing is off).
 * Returns 0 with *out set, or -errno with *out NULL: -ENOTSUP when the
 * software path is forced, else why the load or the attach failed
 * (-EPERM without CAP_BPF/CAP_NET_ADMIN, -EINVAL from a kernel without
 * TUNSETSTEERINGEBPF, ...); `err` says which step.
 */
int tap_steer_open(int tapfd, unsigned int nq, struct tap_steer **out,
    char *err, size_t errlen);

/*
 * Loads vifd's steering program and its map, as fds of the caller's
 * (close-on-exec): what tap_steer_open does itself, or asks the
 * privileged part for (privsep.h). 0, or -errno with the step in `err`.
 */
int tap_steer_load(int *prog_fd, int *map_fd, char *err, size_t errlen);

/*
 * Writes the frontend's settings into the program's map, then attaches
 * the program if hashing is on and detaches it if off. 0 or -errno (a
 * failed write leaves the old settings, a failed attach the program
 * off; the software path covers both). Any thread, one at a time
 * (vif_rss_set holds its lock).
 */
int tap_steer_update(struct tap_steer *s, const struct ctrl_hash *h);

/* Is the program attached (the kernel steers)? Same lock as update. */
bool tap_steer_attached(const struct tap_steer *s);

/*
 * Detaches the program from the TAP and frees it. The TAP is
 * persistent, so it would otherwise keep steering by a map nobody
 * updates. NULL is a no-op.
 */
void tap_steer_close(struct tap_steer *s);

#endif
