/*
 * test_featmask.c - the per-vif feature mask's parser (src/core/featmask.c):
 * every name, blanks, the canonical form and its round trip, what a mask
 * implies, and bad values (unknown names, empty names, duplicates, blanks
 * inside a name, overlong values), each refused with a message that names
 * the bad part.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cu_tap.h"
#include "core/featmask.h"

static void
test_each_name(void)
{
	static const struct {
		const char *s;
		uint32_t bit;
	} names[] = {
		{ "sg", FEATMASK_SG },
		{ "gso-tcpv4", FEATMASK_GSO_TCPV4 },
		{ "gso-tcpv6", FEATMASK_GSO_TCPV6 },
		{ "ipv4-csum", FEATMASK_IPV4_CSUM },
		{ "ipv6-csum", FEATMASK_IPV6_CSUM },
		{ "multi-queue", FEATMASK_MULTI_QUEUE },
		{ "split-event-channels", FEATMASK_SPLIT_EVTCHN },
		{ "ctrl-ring", FEATMASK_CTRL_RING },
		{ "multicast-control", FEATMASK_MCAST_CTRL },
		{ "xdp-headroom", FEATMASK_XDP_HEADROOM },
	};
	uint32_t m, all = 0;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		m = 12345;
		CU_ASSERT_EQUAL(featmask_parse(names[i].s, &m, err,
		    sizeof(err)), 0);
		CU_ASSERT_EQUAL(m, names[i].bit);
		CU_ASSERT_STRING_EQUAL(featmask_name(names[i].bit),
		    names[i].s);
		CU_ASSERT_EQUAL(all & names[i].bit, 0);	/* one bit each */
		all |= names[i].bit;
	}
	CU_ASSERT_EQUAL(all, FEATMASK_ALL);
	CU_ASSERT_PTR_NULL(featmask_name(0));
	CU_ASSERT_PTR_NULL(featmask_name(FEATMASK_SG | FEATMASK_GSO_TCPV4));
	CU_ASSERT_PTR_NULL(featmask_name(1u << 10));
}

static void
test_good(void)
{
	static const struct {
		const char *s;
		uint32_t m;
	} good[] = {
		{ "", 0 },
		{ "   ", 0 },
		{ "\t", 0 },
		{ "sg,gso-tcpv4", FEATMASK_SG | FEATMASK_GSO_TCPV4 },
		{ "gso-tcpv4,sg", FEATMASK_SG | FEATMASK_GSO_TCPV4 },
		{ " sg , ipv4-csum\t", FEATMASK_SG | FEATMASK_IPV4_CSUM },
		{ "multi-queue,split-event-channels",
		  FEATMASK_MULTI_QUEUE | FEATMASK_SPLIT_EVTCHN },
		{ "sg,gso-tcpv4,gso-tcpv6,ipv4-csum,ipv6-csum,multi-queue,"
		  "split-event-channels,ctrl-ring,multicast-control,"
		  "xdp-headroom", FEATMASK_ALL },
	};
	char err[256];
	uint32_t m;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		m = 12345;
		err[0] = 'x';
		CU_ASSERT_EQUAL(featmask_parse(good[i].s, &m, err,
		    sizeof(err)), 0);
		CU_ASSERT_EQUAL(m, good[i].m);
		CU_ASSERT_EQUAL(err[0], '\0');
		if (m != good[i].m)
			printf("# \"%s\" gave %#x\n", good[i].s, m);
	}
	/* An absent key masks nothing. */
	m = 7;
	CU_ASSERT_EQUAL(featmask_parse(NULL, &m, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(m, 0);
}

static void
test_bad(void)
{
	static char longval[FEATMASK_VALUE_MAX + 2];
	static const struct {
		const char *s;
		const char *says;	/* the message must contain this */
	} bad[] = {
		{ "foo", "unknown feature \"foo\"" },
		{ "sg,foo", "unknown feature \"foo\"" },
		{ "SG", "unknown feature \"SG\"" },
		{ "feature-sg", "unknown feature \"feature-sg\"" },
		{ "gso tcpv4", "unknown feature \"gso tcpv4\"" },
		{ "sg;gso-tcpv4", "unknown feature \"sg;gso-tcpv4\"" },
		{ "sg\n", "unknown feature \"sg?\"" },
		{ "none", "unknown feature \"none\"" },
		{ "sg,", "empty name after the last comma" },
		{ ",sg", "empty name before the comma at offset 0" },
		{ "sg,,gso-tcpv4", "empty name before the comma at offset 3" },
		{ "sg, ,gso-tcpv4", "empty name before the comma at offset 4" },
		{ ",", "empty name before the comma at offset 0" },
		{ "sg,sg", "\"sg\" given twice" },
		{ "sg,ipv4-csum, sg", "\"sg\" given twice" },
		{ "xdp-headroom,ctrl-ring,xdp-headroom",
		  "\"xdp-headroom\" given twice" },
	};
	char err[256];
	uint32_t m;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = 12345;
		CU_ASSERT_EQUAL(featmask_parse(bad[i].s, &m, err,
		    sizeof(err)), -EINVAL);
		CU_ASSERT_EQUAL(m, 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].says));
		if (strstr(err, bad[i].says) == NULL)
			printf("# \"%s\": got \"%s\"\n", bad[i].s, err);
	}
	/* An unknown name's message lists the known ones. */
	CU_ASSERT_EQUAL(featmask_parse("tso4", &m, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "known: sg, gso-tcpv4"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "xdp-headroom)"));

	/* Overlong: refused before any name is looked at, even if every
	 * byte is a blank. */
	memset(longval, ' ', sizeof(longval) - 1);
	CU_ASSERT_EQUAL(featmask_parse(longval, &m, err, sizeof(err)),
	    -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "longer than 256 bytes"));
	/* Exactly the limit is taken. */
	longval[FEATMASK_VALUE_MAX] = '\0';
	memcpy(longval, "sg", 2);
	CU_ASSERT_EQUAL(featmask_parse(longval, &m, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(m, FEATMASK_SG);

	/* A long unknown name is quoted cut, the message stays bounded. */
	memset(longval, 'a', FEATMASK_VALUE_MAX);
	longval[FEATMASK_VALUE_MAX] = '\0';
	CU_ASSERT_EQUAL(featmask_parse(longval, &m, err, sizeof(err)),
	    -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "...\""));
	CU_ASSERT(strlen(err) < sizeof(err));

	/* Small or no message buffers: still refused, never overrun. */
	CU_ASSERT_EQUAL(featmask_parse("foo", &m, err, 8), -EINVAL);
	CU_ASSERT(strlen(err) < 8);
	CU_ASSERT_EQUAL(featmask_parse("sg,,", &m, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(featmask_parse("foo", &m, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(featmask_parse("sg,sg", &m, NULL, 0), -EINVAL);
}

static void
test_closure(void)
{
	CU_ASSERT_EQUAL(featmask_closure(0), 0);
	CU_ASSERT_EQUAL(featmask_closure(FEATMASK_SG), FEATMASK_SG |
	    FEATMASK_GSO_TCPV4 | FEATMASK_GSO_TCPV6);
	CU_ASSERT_EQUAL(featmask_closure(FEATMASK_IPV4_CSUM),
	    FEATMASK_IPV4_CSUM | FEATMASK_GSO_TCPV4);
	CU_ASSERT_EQUAL(featmask_closure(FEATMASK_IPV6_CSUM),
	    FEATMASK_IPV6_CSUM | FEATMASK_GSO_TCPV6);
	/* GSO alone implies nothing else; nor do the others. */
	CU_ASSERT_EQUAL(featmask_closure(FEATMASK_GSO_TCPV4),
	    FEATMASK_GSO_TCPV4);
	CU_ASSERT_EQUAL(featmask_closure(FEATMASK_MULTI_QUEUE |
	    FEATMASK_SPLIT_EVTCHN | FEATMASK_NOT_OFFERED),
	    FEATMASK_MULTI_QUEUE | FEATMASK_SPLIT_EVTCHN |
	    FEATMASK_NOT_OFFERED);
	CU_ASSERT_EQUAL(featmask_closure(FEATMASK_ALL), FEATMASK_ALL);
}

static void
test_format(void)
{
	char buf[200], err[256];
	uint32_t m, back;

	CU_ASSERT_EQUAL(featmask_format(0, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
	CU_ASSERT_EQUAL(featmask_format(FEATMASK_GSO_TCPV6 | FEATMASK_SG, buf,
	    sizeof(buf)), 12);
	CU_ASSERT_STRING_EQUAL(buf, "sg,gso-tcpv6");
	CU_ASSERT(featmask_format(FEATMASK_ALL, buf, sizeof(buf)) > 0);
	CU_ASSERT_EQUAL(featmask_format(FEATMASK_ALL, buf, 10), -ENOSPC);
	CU_ASSERT(strlen(buf) < 10);
	CU_ASSERT_EQUAL(featmask_format(FEATMASK_SG, buf, 0), -ENOSPC);
	/* Every mask: the canonical form parses back to itself. */
	for (m = 0; m <= FEATMASK_ALL; m++) {
		CU_ASSERT_FATAL(featmask_format(m, buf, sizeof(buf)) >= 0);
		CU_ASSERT_FATAL(featmask_parse(buf, &back, err,
		    sizeof(err)) == 0);
		CU_ASSERT_FATAL(back == m);
	}
}

static CU_TestInfo featmask_tests[] = {
	{ "every name, one bit each", test_each_name },
	{ "good values", test_good },
	{ "bad values name the bad part", test_bad },
	{ "what a mask implies", test_closure },
	{ "canonical form and round trip", test_format },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "featmask", NULL, NULL, NULL, NULL, featmask_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
