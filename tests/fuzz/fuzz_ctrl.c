/*
 * fuzz_ctrl.c - libFuzzer target: the control ring's requests (hash
 * algorithm, flags, key, mapping table) served by ctrl_ring_serve over
 * several passes, as src/data/ctrlring.c does, with the frontend's
 * granted key/table pages behind a fake grant copy.
 *
 * The input is the frontend: the ring's starting index, the vif's queue
 * count, the contents of its granted pages, then per pass how far it
 * moves req_prod (forwards, past the ring, or backwards) and the
 * 16-byte requests it writes into the slots it publishes. Invariants
 * beyond "no crash":
 *  - a pass answers exactly min(published, CTRL_BUDGET) requests, or is
 *    -EPROTO exactly when req_prod is impossible;
 *  - every consumed request gets exactly one response, in its own slot,
 *    with its id and type and a netif status, all pushed;
 *  - the hash state stays valid: a known algorithm, supported flags, a
 *    table no larger than HASH_MAPPING_MAX naming existing queues.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "core/ctrl.h"
#include "fuzz.h"

#define PAGE		4096u
#define PASSES		8
#define MEM_MAX		1024u

static uint8_t ring_page[PAGE] __attribute__((aligned(4096)));
static uint8_t mem[MEM_MAX];
static size_t memlen;

/* Grants 0..7 are the guest's pages (its bytes, repeated); others fail. */
static int
fake_copy(void *arg, uint32_t gref, void *dst, uint32_t len)
{
	uint32_t i;

	if (gref >= 8 || len > PAGE)
		return -EIO;
	for (i = 0; i < len; i++)
		((uint8_t *)dst)[i] = memlen == 0 ? 0 :
		    mem[(gref * 97u + i) % memlen];
	return 0;
}

static void
check_state(const struct ctrl_hash *h, unsigned int nqueues)
{
	uint32_t i;

	FZ_CHECK(h->alg == XEN_NETIF_CTRL_HASH_ALGORITHM_NONE ||
	    h->alg == XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ);
	FZ_CHECK((h->flags & ~(uint32_t)HASH_TYPES_SUPPORTED) == 0);
	FZ_CHECK(h->size <= HASH_MAPPING_MAX);
	for (i = 0; i < h->size; i++)
		FZ_CHECK(h->mapping[i] < nqueues);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xen_netif_ctrl_request sent[PAGE / 16];
	static struct ctrl_hash h;
	struct fz in = { data, size };
	xen_netif_ctrl_sring_t *sring = (xen_netif_ctrl_sring_t *)ring_page;
	xen_netif_ctrl_back_ring_t back;
	struct ctrl_env env;
	RING_IDX start, prod, i, before;
	unsigned int pass, rs;
	bool changed, notify, more;
	int r;

	start = fz_u32(&in);
	env.nqueues = 1 + fz_u8(&in) % 8;
	env.copy = fake_copy;
	env.arg = NULL;
	memlen = fz_u16(&in) % (MEM_MAX + 1);
	memlen = fz_bytes(&in, mem, memlen);
	memset(ring_page, 0xa5, sizeof(ring_page));
	SHARED_RING_INIT(sring);
	BACK_RING_INIT(&back, sring, PAGE);
	sring->req_prod = sring->rsp_prod = start;
	back.req_cons = back.rsp_prod_pvt = start;
	rs = RING_SIZE(&back);
	ctrl_hash_init(&h);
	prod = start;

	for (pass = 0; pass < PASSES && in.n > 0; pass++) {
		/* The frontend writes requests into the slots it publishes
		 * (at most a ring's worth) and moves req_prod. */
		int16_t move = (int16_t)fz_u16(&in);

		for (i = 0; (int)i < move && i < rs; i++) {
			struct xen_netif_ctrl_request *q =
			    RING_GET_REQUEST(&back, prod + i);

			fz_bytes(&in, q, sizeof(*q));
			sent[(prod + i) % rs] = *q;
		}
		prod += (RING_IDX)(int32_t)move;
		sring->req_prod = prod;
		before = back.req_cons;
		changed = false;
		r = ctrl_ring_serve(&back, &h, &env, &changed, &notify, &more);
		if (prod - back.rsp_prod_pvt > rs) {
			FZ_CHECK(r == -EPROTO && back.req_cons == before);
			break;
		}
		FZ_CHECK(r >= 0 && (unsigned int)r ==
		    (prod - before < CTRL_BUDGET ? prod - before : CTRL_BUDGET));
		FZ_CHECK(back.req_cons == before + (RING_IDX)r);
		FZ_CHECK(back.rsp_prod_pvt == back.req_cons &&
		    sring->rsp_prod == back.rsp_prod_pvt);
		FZ_CHECK(more == (back.req_cons != prod));
		for (i = before; i != back.req_cons; i++) {
			const struct xen_netif_ctrl_response *p =
			    RING_GET_RESPONSE(&back, i);

			FZ_CHECK(p->id == sent[i % rs].id &&
			    p->type == sent[i % rs].type);
			FZ_CHECK(p->status <= XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
		}
		check_state(&h, env.nqueues);
	}
	return 0;
}
