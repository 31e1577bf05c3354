/*
 * ready.h - vifd's readiness, to systemd (sd_notify) and in xenstore.
 */
#ifndef VIFD_READY_H
#define VIFD_READY_H

struct vifd;

/* Under /local/domain/<domid>/data: our directory and its key. */
#define READY_XS_DIR	"vifd"
#define READY_XS_KEY	"ready"

/* Before watching: removes a key a crashed vifd left (absent is fine). */
void ready_clear_stale(struct vifd *v);

/* Once watching: writes data/vifd/ready = "1" and sends READY=1. A
 * failure is logged; vifd serves vifs all the same. */
void ready_announce(struct vifd *v);

/* On the way out: sends STOPPING=1 and removes data/vifd. */
void ready_withdraw(struct vifd *v);

#endif
