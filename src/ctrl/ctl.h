/*
 * ctl.h - vifd's control socket: counters and state for vifctl.
 *
 * A unix stream socket (mode 0600). A client sends one command line and
 * reads the answer until EOF:
 *   list                      one line per vif: name, TAP, states, queues
 *   stats [DOMID DEVID]       "<vif> <key> <value>" (domid, devid, ifname,
 *                             state, frontend_state, failed, features,
 *                             link, isolated, vlan, rate_out, rate_in,
 *                             shape_out, shape_in, queues),
 *                             "<vif> total <counter> <value>" (over all its
 *                             connections) and "<vif> q<N> <counter> <value>"
 *                             (the current one) lines
 *   verbose N                 sets the log verbosity (0 warn, 1 info, 2 debug)
 * Errors come back as one line starting with "error: ".
 */
#ifndef VIFD_CTL_H
#define VIFD_CTL_H

#include <stddef.h>
#include <stdint.h>

#define CTL_DEFAULT_PATH "/run/vifd/vifd.sock"

struct vifd;
struct ctl;

struct xen_env;

/*
 * The control socket of the vifd serving domain `domid` of the machine
 * `env`: <run_dir>/vifd-<domid>.sock where the machine's domains share a
 * run directory (xen_env.run_dir), else CTL_DEFAULT_PATH. 0, or
 * -ENAMETOOLONG if it does not fit `len`.
 */
int ctl_socket_path(const struct xen_env *env, uint32_t domid, char *buf,
    size_t len);

/* Listens on `path` (replacing a stale socket). 0 or -errno. */
int ctl_open(struct vifd *vd, const char *path, struct ctl **out);
void ctl_close(struct ctl *c);

/* Answers one request line (parsed by ctl_cmd_parse) into buf (pure
 * formatting over the daemon's state; used by the socket and by tests). Returns the length the whole
 * answer takes, as snprintf: if that is len or more, buf holds only the
 * whole lines that fitted (NUL-terminated) and a larger buf is needed. */
size_t ctl_answer(struct vifd *vd, const char *line, char *buf, size_t len);

#endif
