/*
 * ctrlring.h - a vif's control ring (netif.h "Control ring"): the mapped
 * page, its event channel and the small worker thread that answers it.
 *
 * Why a thread of its own: the control thread serves every vif and all of
 * xenstore and never touches ring indices (DESIGN.md); the queue workers
 * carry traffic. A frontend that floods its control ring, or whose key
 * grant copy is slow, then costs its own ctrl worker and nothing else. The
 * worker is idle (blocked in epoll) but for the handful of requests a
 * frontend sends when it sets RSS up.
 */
#ifndef VIFD_CTRLRING_H
#define VIFD_CTRLRING_H

#include <stddef.h>
#include <stdint.h>

#include "seam/xen_ops.h"

struct ctrlring;
struct vif_rss;

struct ctrlring_params {
	struct xen_env *env;
	const char *name;		/* "vif1.0", for logs */
	uint16_t domid;			/* the frontend's */
	uint32_t ring_ref;		/* ctrl-ring-ref */
	uint32_t evtchn;		/* event-channel-ctrl */
	unsigned int nqueues;
	struct vif_rss *rss;		/* where the settings are published */
	/* The frontend broke the ring protocol (an impossible producer):
	 * called once, on the worker thread; the vif is disabled. */
	void (*fatal)(void *arg, const char *reason);
	void *arg;
};

/*
 * Maps the ring, binds the event channel and starts the worker. 0, or
 * -errno with a one-line reason in err (nothing left behind).
 */
int ctrlring_open(const struct ctrlring_params *p, struct ctrlring **out,
    char *err, size_t errlen);
/* Stops the worker, unbinds, unmaps. NULL is fine. */
void ctrlring_close(struct ctrlring *c);
/* Requests answered so far (any thread). */
uint64_t ctrlring_requests(const struct ctrlring *c);

#endif
