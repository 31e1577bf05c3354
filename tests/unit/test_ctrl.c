/*
 * test_ctrl.c - the control ring's core (core/ctrl.c): every request type
 * of netif.h with good and bad parameters, the state each leaves, and the
 * ring served in bounded passes with the test playing the frontend on an
 * in-memory ring (FRONT_RING over the same page): responses in order with
 * ids echoed, the budget, an impossible producer, a flood.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctrl.h"
#include "cu_tap.h"

/* The frontend's "grants": ref 1..3 are pages, anything else fails. */
static uint8_t pages[4][VIFD_PAGE_SIZE];
static unsigned int ncopies;

static int
fake_copy(void *arg, uint32_t gref, void *dst, uint32_t len)
{
	(void)arg;
	ncopies++;
	if (gref < 1 || gref > 3 || len > VIFD_PAGE_SIZE)
		return -EIO;
	memcpy(dst, pages[gref], len);
	return 0;
}

static const struct ctrl_env env4 = { 4, fake_copy, NULL };

static uint32_t
req(struct ctrl_hash *h, uint16_t type, uint32_t d0, uint32_t d1,
    uint32_t d2, uint32_t *data)
{
	struct xen_netif_ctrl_request rq = { .id = 0x1234, .type = type,
	    .data = { d0, d1, d2 } };
	struct xen_netif_ctrl_response rs;

	memset(&rs, 0xee, sizeof(rs));
	(void)ctrl_request(h, &env4, &rq, &rs);
	CU_ASSERT_EQUAL(rs.id, 0x1234);
	CU_ASSERT_EQUAL(rs.type, type);
	if (data != NULL)
		*data = rs.data;
	else
		CU_ASSERT_EQUAL(rs.data, 0);
	return rs.status;
}

static void
test_algorithm(void)
{
	struct ctrl_hash h;
	uint32_t d;

	ctrl_hash_init(&h);
	CU_ASSERT_FALSE(ctrl_hash_active(&h));
	/* Flags need an algorithm first. */
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS, 0, 0, 0,
	    &d), XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED);
	CU_ASSERT_EQUAL(d, 0);
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS,
	    XEN_NETIF_CTRL_HASH_TYPE_IPV4, 0, 0, NULL),
	    XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CU_ASSERT_EQUAL(h.flags, 0);
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM, 2, 0,
	    0, NULL), XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CU_ASSERT_EQUAL(h.alg, XEN_NETIF_CTRL_HASH_ALGORITHM_NONE);
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM,
	    XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ, 0, 0, NULL),
	    XEN_NETIF_CTRL_STATUS_SUCCESS);
	CU_ASSERT_TRUE(ctrl_hash_active(&h));
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS, 0, 0, 0,
	    &d), XEN_NETIF_CTRL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(d, HASH_TYPES_SUPPORTED);
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS,
	    HASH_TYPES_SUPPORTED, 0, 0, NULL), XEN_NETIF_CTRL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(h.flags, HASH_TYPES_SUPPORTED);
	/* A bit netif.h does not name: refused, flags as they were. */
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS, 1u << 4,
	    0, 0, NULL), XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CU_ASSERT_EQUAL(h.flags, HASH_TYPES_SUPPORTED);
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS, 0, 0, 0,
	    NULL), XEN_NETIF_CTRL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(h.flags, 0);
	/* Back to NONE: hashing off. */
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM,
	    XEN_NETIF_CTRL_HASH_ALGORITHM_NONE, 0, 0, NULL),
	    XEN_NETIF_CTRL_STATUS_SUCCESS);
	CU_ASSERT_FALSE(ctrl_hash_active(&h));
}

static void
test_key(void)
{
	struct ctrl_hash h;
	uint8_t zero[HASH_KEY_MAX];
	unsigned int i, before;

	ctrl_hash_init(&h);
	memset(zero, 0, sizeof(zero));
	for (i = 0; i < VIFD_PAGE_SIZE; i++)
		pages[1][i] = (uint8_t)(i + 1);
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, 1, 40, 0,
	    NULL), XEN_NETIF_CTRL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(memcmp(h.key, pages[1], 40), 0);
	/* A shorter key: the rest is zero. */
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, 1, 10, 0,
	    NULL), XEN_NETIF_CTRL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(memcmp(h.key, pages[1], 10), 0);
	CU_ASSERT_EQUAL(memcmp(h.key + 10, zero, 30), 0);
	/* Too long: BUFFER_OVERFLOW, nothing copied, key as it was. */
	before = ncopies;
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, 1, 41, 0,
	    NULL), XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, 1,
	    0xffffffffu, 0, NULL), XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
	CU_ASSERT_EQUAL(ncopies, before);
	CU_ASSERT_EQUAL(memcmp(h.key, pages[1], 10), 0);
	/* A grant that fails: INVALID_PARAMETER, key as it was. */
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, 99, 40, 0,
	    NULL), XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CU_ASSERT_EQUAL(memcmp(h.key, pages[1], 10), 0);
	/* Length 0 clears it without touching any grant. */
	before = ncopies;
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, 99, 0, 0,
	    NULL), XEN_NETIF_CTRL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(ncopies, before);
	CU_ASSERT_EQUAL(memcmp(h.key, zero, 40), 0);
}

static void
put_map(int page, const uint32_t *e, unsigned int n)
{
	memcpy(pages[page], e, n * sizeof(*e));
}

static void
test_mapping(void)
{
	struct ctrl_hash h;
	uint32_t d, e[HASH_MAPPING_MAX + 1];
	unsigned int i;

	ctrl_hash_init(&h);
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE, 0,
	    0, 0, &d), XEN_NETIF_CTRL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(d, 128);
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE, 129,
	    0, 0, NULL), XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CU_ASSERT_EQUAL(h.size, 0);
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE, 8,
	    0, 0, NULL), XEN_NETIF_CTRL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(h.size, 8);
	for (i = 0; i < 8; i++)
		e[i] = (i * 3) % 4;
	put_map(2, e, 8);
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, 2, 8, 0,
	    NULL), XEN_NETIF_CTRL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(memcmp(h.mapping, e, 8 * sizeof(e[0])), 0);
	/* A sub-table at an offset leaves the rest alone. */
	e[0] = 3; e[1] = 3;
	put_map(3, e, 2);
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, 3, 2, 6,
	    NULL), XEN_NETIF_CTRL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(h.mapping[5], (5 * 3) % 4);
	CU_ASSERT_EQUAL(h.mapping[6], 3);
	CU_ASSERT_EQUAL(h.mapping[7], 3);
	/* Beyond the size, wrapping offsets: refused. */
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, 3, 2, 7,
	    NULL), XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, 3, 2,
	    0xffffffffu, NULL), XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, 3, 129,
	    0, NULL), XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, 3,
	    0xffffffffu, 1, NULL), XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
	/* An entry naming queue 4 of 4: refused, the table unchanged. */
	for (i = 0; i < 8; i++)
		e[i] = 1;
	e[5] = 4;
	put_map(2, e, 8);
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, 2, 8, 0,
	    NULL), XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CU_ASSERT_EQUAL(h.mapping[0], 0);
	CU_ASSERT_EQUAL(h.mapping[6], 3);
	/* A grant that fails. */
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, 77, 8, 0,
	    NULL), XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CU_ASSERT_EQUAL(h.mapping[6], 3);
	/* Length 0 within the size: nothing to do, success. */
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, 77, 0, 8,
	    NULL), XEN_NETIF_CTRL_STATUS_SUCCESS);
	/* A new size zero-fills; the full 128 entries in one request. */
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE, 128,
	    0, 0, NULL), XEN_NETIF_CTRL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(h.mapping[6], 0);
	for (i = 0; i < 128; i++)
		e[i] = i % 4;
	put_map(1, e, 128);
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, 1, 128,
	    0, NULL), XEN_NETIF_CTRL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(memcmp(h.mapping, e, 128 * sizeof(e[0])), 0);
	/* Size 0: modular again. */
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE, 0,
	    0, 0, NULL), XEN_NETIF_CTRL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(h.size, 0);
	CU_ASSERT_EQUAL(req(&h, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, 1, 1, 0,
	    NULL), XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
}

static void
test_unsupported(void)
{
	struct ctrl_hash h, before;
	uint16_t t[] = { XEN_NETIF_CTRL_TYPE_INVALID,
	    XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE,
	    XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING,
	    XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING, 11, 0xffff };
	unsigned int i;

	ctrl_hash_init(&h);
	before = h;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		CU_ASSERT_EQUAL(req(&h, t[i], 1, 2, 3, NULL),
		    XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED);
	CU_ASSERT_EQUAL(memcmp(&h, &before, sizeof(h)), 0);
}

/* A ring page shared by the test (front) and the core (back). */
struct rings {
	void *page;
	xen_netif_ctrl_front_ring_t fr;
	xen_netif_ctrl_back_ring_t br;
};

static void
rings_init(struct rings *r)
{
	r->page = aligned_alloc(VIFD_PAGE_SIZE, VIFD_PAGE_SIZE);
	SHARED_RING_INIT((xen_netif_ctrl_sring_t *)r->page);
	FRONT_RING_INIT(&r->fr, (xen_netif_ctrl_sring_t *)r->page,
	    VIFD_PAGE_SIZE);
	BACK_RING_INIT(&r->br, (xen_netif_ctrl_sring_t *)r->page,
	    VIFD_PAGE_SIZE);
}

static void
front_put(struct rings *r, uint16_t id, uint16_t type, uint32_t d0)
{
	struct xen_netif_ctrl_request *q =
	    RING_GET_REQUEST(&r->fr, r->fr.req_prod_pvt);

	memset(q, 0, sizeof(*q));
	q->id = id;
	q->type = type;
	q->data[0] = d0;
	r->fr.req_prod_pvt++;
}

static void
test_ring(void)
{
	struct rings r;
	struct ctrl_hash h;
	bool changed = false, notify, more;
	int n, push;
	unsigned int i;
	RING_IDX c;

	rings_init(&r);
	ctrl_hash_init(&h);
	front_put(&r, 7, XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM,
	    XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ);
	front_put(&r, 8, XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS, 0);
	front_put(&r, 9, 200, 0);
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&r.fr, push);
	CU_ASSERT_TRUE(push);
	n = ctrl_ring_serve(&r.br, &h, &env4, &changed, &notify, &more);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_TRUE(changed);
	CU_ASSERT_TRUE(notify);
	CU_ASSERT_FALSE(more);
	/* The frontend reads the answers in order. */
	CU_ASSERT_EQUAL(r.page == NULL, 0);
	c = r.fr.rsp_cons;
	CU_ASSERT_EQUAL(RING_GET_RESPONSE(&r.fr, c)->id, 7);
	CU_ASSERT_EQUAL(RING_GET_RESPONSE(&r.fr, c)->status, 0);
	CU_ASSERT_EQUAL(RING_GET_RESPONSE(&r.fr, c + 1)->id, 8);
	CU_ASSERT_EQUAL(RING_GET_RESPONSE(&r.fr, c + 1)->data,
	    HASH_TYPES_SUPPORTED);
	CU_ASSERT_EQUAL(RING_GET_RESPONSE(&r.fr, c + 2)->id, 9);
	CU_ASSERT_EQUAL(RING_GET_RESPONSE(&r.fr, c + 2)->status,
	    XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED);
	r.fr.rsp_cons += 3;

	/* Nothing new: 0 answered, nothing to notify. */
	changed = false;
	n = ctrl_ring_serve(&r.br, &h, &env4, &changed, &notify, &more);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_FALSE(changed);
	CU_ASSERT_FALSE(notify);
	CU_ASSERT_FALSE(more);

	/* A flood: a full ring of requests, served CTRL_BUDGET at a time. */
	for (i = 0; i < RING_SIZE(&r.fr); i++)
		front_put(&r, (uint16_t)i, XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS,
		    0);
	RING_PUSH_REQUESTS(&r.fr);
	n = ctrl_ring_serve(&r.br, &h, &env4, &changed, &notify, &more);
	CU_ASSERT_EQUAL(n, (int)CTRL_BUDGET);
	CU_ASSERT_TRUE(more || RING_SIZE(&r.fr) == CTRL_BUDGET);
	while (more)
		CU_ASSERT_TRUE(ctrl_ring_serve(&r.br, &h, &env4, &changed,
		    &notify, &more) > 0);
	CU_ASSERT_EQUAL(r.br.rsp_prod_pvt - c, 3 + RING_SIZE(&r.fr));
	r.fr.rsp_cons = r.br.rsp_prod_pvt;

	/* An impossible producer (more than a ring ahead): -EPROTO. */
	r.br.sring->req_prod = r.br.req_cons + RING_SIZE(&r.br) + 1;
	CU_ASSERT_EQUAL(ctrl_ring_serve(&r.br, &h, &env4, &changed, &notify,
	    &more), -EPROTO);
	free(r.page);
}

static CU_TestInfo ctrl_tests[] = {
	{ "SET_HASH_ALGORITHM, GET/SET_HASH_FLAGS", test_algorithm },
	{ "SET_HASH_KEY: sizes, failed grant, clearing", test_key },
	{ "GET/SET_HASH_MAPPING_SIZE, SET_HASH_MAPPING", test_mapping },
	{ "unknown and static-grant types: NOT_SUPPORTED", test_unsupported },
	{ "the ring: order, ids, budget, flood, bad producer", test_ring },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "ctrl", NULL, NULL, NULL, NULL, ctrl_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
