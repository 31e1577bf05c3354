/*
 * test_mcast.c - the multicast filter list (core/mcast.c): adding up to
 * the bound of 64 and refusing the 65th, refusing unicast addresses,
 * duplicates as Linux keeps them, deleting present and absent addresses,
 * matching, the per-request verdict, which destinations the filter
 * judges at all; and the shared wrapper (data/vif_mcast.c) switched on
 * and off, from several threads at once.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "core/mcast.h"
#include "core/ring.h"
#include "cu_tap.h"
#include "data/vif_mcast.h"

/* 01:00:5e:00:<hi>:<lo>: IPv4 group addresses, distinct per n. */
static void
group(unsigned int n, uint8_t a[6])
{
	a[0] = 0x01; a[1] = 0x00; a[2] = 0x5e; a[3] = 0x00;
	a[4] = (uint8_t)(n >> 8);
	a[5] = (uint8_t)n;
}

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t ucast[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x01 };
static const uint8_t v6all[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };

static void
test_addr_kinds(void)
{
	CU_ASSERT_TRUE(mcast_addr_is_group(v6all));
	CU_ASSERT_TRUE(mcast_addr_is_group(bcast));
	CU_ASSERT_FALSE(mcast_addr_is_group(ucast));
	CU_ASSERT_TRUE(mcast_addr_is_broadcast(bcast));
	CU_ASSERT_FALSE(mcast_addr_is_broadcast(v6all));
	/* Only group addresses other than broadcast need the list. */
	CU_ASSERT_TRUE(mcast_dst_filtered(v6all));
	CU_ASSERT_FALSE(mcast_dst_filtered(bcast));
	CU_ASSERT_FALSE(mcast_dst_filtered(ucast));
	/* The I/G bit alone decides: 03:... is a group address too. */
	CU_ASSERT_TRUE(mcast_dst_filtered((const uint8_t[6]){ 0x03, 0, 0, 0,
	    0, 0 }));
	CU_ASSERT_FALSE(mcast_dst_filtered((const uint8_t[6]){ 0x02, 0xff,
	    0xff, 0xff, 0xff, 0xff }));
}

static void
test_bound(void)
{
	struct mcast_list l;
	uint8_t a[6];
	unsigned int i;

	mcast_list_init(&l);
	CU_ASSERT_EQUAL(l.n, 0);
	for (i = 0; i < MCAST_LIST_MAX; i++) {
		group(i, a);
		CU_ASSERT_EQUAL(mcast_list_add(&l, a), 0);
	}
	CU_ASSERT_EQUAL(l.n, 64);
	group(64, a);
	CU_ASSERT_EQUAL(mcast_list_add(&l, a), -ENOSPC);
	CU_ASSERT_EQUAL(l.n, 64);
	CU_ASSERT_FALSE(mcast_list_match(&l, a));
	for (i = 0; i < MCAST_LIST_MAX; i++) {
		group(i, a);
		CU_ASSERT_TRUE(mcast_list_match(&l, a));
	}
	/* Room again after a DEL. */
	group(10, a);
	CU_ASSERT_TRUE(mcast_list_del(&l, a));
	CU_ASSERT_FALSE(mcast_list_match(&l, a));
	group(64, a);
	CU_ASSERT_EQUAL(mcast_list_add(&l, a), 0);
	CU_ASSERT_TRUE(mcast_list_match(&l, a));
	/* The others are still there after the hole was filled. */
	for (i = 0; i < 65; i++) {
		group(i, a);
		CU_ASSERT_EQUAL(mcast_list_match(&l, a), i != 10);
	}
}

static void
test_unicast_refused(void)
{
	struct mcast_list l;

	mcast_list_init(&l);
	CU_ASSERT_EQUAL(mcast_list_add(&l, ucast), -EINVAL);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_FALSE(mcast_list_match(&l, ucast));
	/* Broadcast is a group address: taken (harmless, it always
	 * passes anyway). */
	CU_ASSERT_EQUAL(mcast_list_add(&l, bcast), 0);
	CU_ASSERT_EQUAL(l.n, 1);
}

static void
test_duplicates_and_del(void)
{
	struct mcast_list l;

	mcast_list_init(&l);
	/* Linux appends twice; one DEL removes one of them. */
	CU_ASSERT_EQUAL(mcast_list_add(&l, v6all), 0);
	CU_ASSERT_EQUAL(mcast_list_add(&l, v6all), 0);
	CU_ASSERT_EQUAL(l.n, 2);
	CU_ASSERT_TRUE(mcast_list_del(&l, v6all));
	CU_ASSERT_TRUE(mcast_list_match(&l, v6all));
	CU_ASSERT_TRUE(mcast_list_del(&l, v6all));
	CU_ASSERT_FALSE(mcast_list_match(&l, v6all));
	CU_ASSERT_EQUAL(l.n, 0);
	/* Absent: nothing happens, no error. */
	CU_ASSERT_FALSE(mcast_list_del(&l, v6all));
	CU_ASSERT_FALSE(mcast_list_del(&l, ucast));
	CU_ASSERT_EQUAL(l.n, 0);
}

static void
test_apply(void)
{
	struct mcast_list l;
	uint8_t a[6];
	unsigned int i;

	mcast_list_init(&l);
	CU_ASSERT_EQUAL(mcast_list_apply(&l, XEN_NETIF_EXTRA_TYPE_MCAST_ADD,
	    v6all), 0);
	CU_ASSERT_EQUAL(mcast_list_apply(&l, XEN_NETIF_EXTRA_TYPE_MCAST_ADD,
	    ucast), -EINVAL);
	CU_ASSERT_EQUAL(mcast_list_apply(&l, XEN_NETIF_EXTRA_TYPE_MCAST_DEL,
	    v6all), 0);
	CU_ASSERT_EQUAL(l.n, 0);
	/* DEL of an absent address is answered OKAY (Linux). */
	CU_ASSERT_EQUAL(mcast_list_apply(&l, XEN_NETIF_EXTRA_TYPE_MCAST_DEL,
	    v6all), 0);
	/* Not an mcast op at all. */
	CU_ASSERT_EQUAL(mcast_list_apply(&l, XEN_NETIF_EXTRA_TYPE_GSO, v6all),
	    -EINVAL);
	CU_ASSERT_EQUAL(mcast_list_apply(&l, XEN_NETIF_EXTRA_TYPE_HASH,
	    v6all), -EINVAL);
	CU_ASSERT_EQUAL(l.n, 0);
	for (i = 0; i < 64; i++) {
		group(i, a);
		CU_ASSERT_EQUAL(mcast_list_apply(&l,
		    XEN_NETIF_EXTRA_TYPE_MCAST_ADD, a), 0);
	}
	group(99, a);
	CU_ASSERT_EQUAL(mcast_list_apply(&l, XEN_NETIF_EXTRA_TYPE_MCAST_ADD,
	    a), -ENOSPC);
}

static void
test_shared_filter(void)
{
	struct vif_mcast m;
	uint8_t a[6], b[6];

	group(1, a);
	group(2, b);
	/* Off: everything passes, the list is kept meanwhile (netif.h:
	 * "the filter list may be amended even if ... not set"). */
	vif_mcast_init(&m, false);
	CU_ASSERT_EQUAL(vif_mcast_apply(&m, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, a),
	    0);
	CU_ASSERT_TRUE(vif_mcast_pass(&m, a));
	CU_ASSERT_TRUE(vif_mcast_pass(&m, b));
	vif_mcast_set_enabled(&m, true);
	CU_ASSERT_TRUE(vif_mcast_pass(&m, a));
	CU_ASSERT_FALSE(vif_mcast_pass(&m, b));
	CU_ASSERT_TRUE(vif_mcast_pass(&m, bcast));
	CU_ASSERT_TRUE(vif_mcast_pass(&m, ucast));
	CU_ASSERT_EQUAL(vif_mcast_apply(&m, XEN_NETIF_EXTRA_TYPE_MCAST_DEL, a),
	    0);
	CU_ASSERT_FALSE(vif_mcast_pass(&m, a));
	CU_ASSERT_EQUAL(vif_mcast_apply(&m, XEN_NETIF_EXTRA_TYPE_MCAST_ADD,
	    ucast), -EINVAL);
	vif_mcast_set_enabled(&m, false);
	CU_ASSERT_TRUE(vif_mcast_pass(&m, a));
	vif_mcast_destroy(&m);
	/* No filter at all (a queue without a vif). */
	CU_ASSERT_TRUE(vif_mcast_pass(NULL, b));
}

/* Two writers (queues' TX) and a reader (another queue's RX) at once:
 * ASan/TSan-clean, and the list ends as the writers left it. */
static struct vif_mcast shared;

static void *
writer(void *arg)
{
	unsigned int base = *(const unsigned int *)arg, i, k;
	uint8_t a[6];

	for (k = 0; k < 2000; k++)
		for (i = 0; i < 16; i++) {
			group(base + i, a);
			(void)vif_mcast_apply(&shared, k % 2 == 0 ?
			    XEN_NETIF_EXTRA_TYPE_MCAST_ADD :
			    XEN_NETIF_EXTRA_TYPE_MCAST_DEL, a);
		}
	return NULL;
}

static void *
reader(void *arg)
{
	unsigned int *hits = arg, k;
	uint8_t a[6];

	for (k = 0; k < 50000; k++) {
		group(k % 64, a);
		*hits += vif_mcast_pass(&shared, a);
	}
	return NULL;
}

static void
test_threads(void)
{
	pthread_t t[3];
	unsigned int base0 = 0, base1 = 100, hits = 0, i;
	/* hits: how many frames the reader let through; any number is
	 * right while the writers run, the point is that it runs. */
	uint8_t a[6];

	vif_mcast_init(&shared, true);
	pthread_create(&t[0], NULL, writer, &base0);
	pthread_create(&t[1], NULL, writer, &base1);
	pthread_create(&t[2], NULL, reader, &hits);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	/* 2000 rounds end with a DEL round: the list is empty again. */
	CU_ASSERT_EQUAL(shared.list.n, 0);
	for (i = 0; i < 16; i++) {
		group(i, a);
		CU_ASSERT_FALSE(vif_mcast_pass(&shared, a));
	}
	vif_mcast_destroy(&shared);
}

static CU_TestInfo list_tests[] = {
	{ "address kinds: group, broadcast, filtered", test_addr_kinds },
	{ "64 entries, the 65th refused", test_bound },
	{ "unicast ADD refused", test_unicast_refused },
	{ "duplicates and DEL (present, absent)", test_duplicates_and_del },
	{ "per-request verdict (mcast_list_apply)", test_apply },
	{ "shared filter on/off (vif_mcast)", test_shared_filter },
	{ "shared filter from three threads", test_threads },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "mcast list", NULL, NULL, NULL, NULL, list_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
