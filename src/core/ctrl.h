/*
 * ctrl.h - the control ring's pure core: a vif's hash state and the
 * answer to each request netif.h defines for it (xen_netif_ctrl_request
 * -> xen_netif_ctrl_response).
 *
 * Limits and status codes are netif.h's where it states them and Linux
 * netback's (drivers/net/xen-netback/hash.c) where it does not:
 *   SET_HASH_ALGORITHM    NONE or TOEPLITZ, else INVALID_PARAMETER
 *   GET_HASH_FLAGS        NOT_SUPPORTED while the algorithm is NONE, else
 *                         the four hash types
 *   SET_HASH_FLAGS        unknown bits or algorithm NONE:
 *                         INVALID_PARAMETER
 *   SET_HASH_KEY          longer than HASH_KEY_MAX: BUFFER_OVERFLOW
 *                         (netif.h; Linux says INVALID_PARAMETER); a copy
 *                         that fails: INVALID_PARAMETER, key unchanged;
 *                         octets past the length are zero
 *   GET_HASH_MAPPING_SIZE HASH_MAPPING_MAX
 *   SET_HASH_MAPPING_SIZE more than HASH_MAPPING_MAX: INVALID_PARAMETER;
 *                         the table is zero-filled (0: modular)
 *   SET_HASH_MAPPING      more entries than HASH_MAPPING_MAX:
 *                         BUFFER_OVERFLOW; offset + length beyond the
 *                         size (or wrapping), a failed copy or an entry
 *                         naming a queue that does not exist:
 *                         INVALID_PARAMETER, the table unchanged
 *   anything else         NOT_SUPPORTED (the static-grant requests, 0
 *                         and unknown types)
 * Keys and tables are copied in by the caller's copy function (a grant
 * copy from the frontend's page) into our own memory and checked there,
 * never read in place.
 *
 * Pure: the ring memory, the state and the copy callback are all it
 * touches; the worker in src/data/ctrlring.c owns the effects.
 */
#ifndef VIFD_CTRL_H
#define VIFD_CTRL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/hash.h"
#include "core/ring.h"

/* A vif's hash settings as the frontend made them. */
struct ctrl_hash {
	uint32_t alg;			/* XEN_NETIF_CTRL_HASH_ALGORITHM_* */
	uint32_t flags;			/* XEN_NETIF_CTRL_HASH_TYPE_* */
	uint8_t key[HASH_KEY_MAX];	/* zero past what was set */
	uint32_t size;			/* mapping entries; 0: modular */
	uint32_t mapping[HASH_MAPPING_MAX];
};

/*
 * Copies `len` bytes from the start of the frontend's grant `gref` into
 * dst (our memory). 0, or -errno (-EIO for a grant the hypervisor
 * refused).
 */
typedef int (*ctrl_copy_fn)(void *arg, uint32_t gref, void *dst,
    uint32_t len);

struct ctrl_env {
	unsigned int nqueues;		/* the vif's, > 0 */
	ctrl_copy_fn copy;
	void *arg;
};

/* Requests answered per ctrl_ring_serve call before it yields. */
#define CTRL_BUDGET	64u

/* The state a connection starts with: algorithm NONE, no flags, an
 * all-zero key, no table. */
void ctrl_hash_init(struct ctrl_hash *h);

/*
 * Answers `req` into *rsp (id and type echoed, status, data) and updates
 * *h. Returns true if *h changed.
 */
bool ctrl_request(struct ctrl_hash *h, const struct ctrl_env *env,
    const struct xen_netif_ctrl_request *req,
    struct xen_netif_ctrl_response *rsp);

/*
 * Serves the ring: copies each request out once (RING_COPY_REQUEST),
 * answers it in the next response slot, up to CTRL_BUDGET requests, then
 * pushes the responses. *notify: the frontend wants an event; *changed:
 * *h changed (left alone otherwise). Returns the number of requests
 * answered, with *more true if requests remain (budget spent, or more
 * arrived: RING_FINAL_CHECK_FOR_REQUESTS), or -EPROTO if req_prod is
 * impossible (more requests than the ring holds beside our unanswered
 * ones), which disables the vif.
 */
int ctrl_ring_serve(xen_netif_ctrl_back_ring_t *ring, struct ctrl_hash *h,
    const struct ctrl_env *env, bool *changed, bool *notify, bool *more);

/* Is hashing on (the queues steer by it and send HASH extras)? */
static inline bool
ctrl_hash_active(const struct ctrl_hash *h)
{
	return h->alg == XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ;
}

#endif
