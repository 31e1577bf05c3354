/*
 * daemon.h - the control thread of vifd, without the process around it.
 */
#ifndef VIFD_DAEMON_H
#define VIFD_DAEMON_H

struct vifd;

/*
 * Given v->cfg, v->env, v->xs and v->domid: opens the control loop (with
 * the upcall eventfd and the tick timer), polls xenstore, watches
 * @releaseDomain and our backend/vif directory. The caller may add more
 * fds to v->loop and then runs it. Returns 0 or -errno (everything undone).
 */
int vifd_control_init(struct vifd *v);

/* Stops every vif's workers (TAPs and xenstore stay as they are), drops
 * the watches and closes the loop. */
void vifd_control_fini(struct vifd *v);

#endif
