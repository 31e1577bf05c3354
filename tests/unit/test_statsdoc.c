/*
 * test_statsdoc.c - vifctl's reading of vifd's `stats` answer and what it
 * makes of it (tools/vifctl/statsdoc*.c): the parse and its refusals, the
 * JSON's escaping and shape, the Prometheus names and units, and the
 * per-second rates, with the answers written by the test.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu_tap.h"
#include "statsdoc.h"

static const char answer[] =
	"vif1.0 domid 1\n"
	"vif1.0 devid 0\n"
	"vif1.0 ifname vif1.0\n"
	"vif1.0 state Connected\n"
	"vif1.0 frontend_state Connected\n"
	"vif1.0 failed 0\n"
	"vif1.0 features rx-copy,sg,multi-queue\n"
	"vif1.0 link down\n"
	"vif1.0 isolated 1\n"
	"vif1.0 vlan trunk:10,20\n"
	"vif1.0 rate_out 1250,1000\n"
	"vif1.0 rate_in 0,0\n"
	"vif1.0 shape_out 0,0,0\n"
	"vif1.0 shape_in 1048576,4194304,0\n"
	"vif1.0 queues 2\n"
	"vif1.0 steering software\n"
	"vif1.0 switch sw0\n"
	"vif1.0 switch_in_frames 5\n"
	"vif1.0 switch_drop_full 2\n"
	"vif1.0 switch_a_newer_counter 4\n"
	"vif1.0 a_key_of_a_newer_vifd 7\n"
	"vif1.0 total tx_packets 30\n"
	"vif1.0 total tx_throttled_ns 1500000001\n"
	"vif1.0 total a_newer_counter 9\n"
	"vif1.0 q0 tx_packets 10\n"
	"vif1.0 q1 tx_packets 20\n"
	"vif1.0 q1 rx_drop_size 3\n"
	"vif2.1 domid 2\n"
	"vif2.1 devid 1\n"
	"vif2.1 ifname we\"ird\\\n"
	"vif2.1 state InitWait\n"
	"vif2.1 features -\n"
	"vif2.1 vlan -\n"
	"vif2.1 peer_link p0\n"
	"vif2.1 queues 0\n";

static char *
render(int (*fn)(FILE *, const struct statsdoc *), const struct statsdoc *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fn(f, d), 0);
	fclose(f);
	return buf;
}

static void
test_parse(void)
{
	struct statsdoc d;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(statsdoc_parse(answer, &d, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(d.n, 2);
	CU_ASSERT_STRING_EQUAL(d.vifs[0].name, "vif1.0");
	CU_ASSERT_EQUAL(d.vifs[0].domid, 1);
	CU_ASSERT_EQUAL(d.vifs[0].nqueues, 2);
	CU_ASSERT_EQUAL(d.vifs[0].rate_out.bytes, 1250);
	CU_ASSERT_EQUAL(d.vifs[0].rate_out.usec, 1000);
	CU_ASSERT_EQUAL(d.vifs[0].total[STATSDOC_tx_packets], 30);
	CU_ASSERT_EQUAL(d.vifs[0].queue[1][STATSDOC_tx_packets], 20);
	CU_ASSERT_EQUAL(d.vifs[0].queue[1][STATSDOC_rx_drop_size], 3);
	CU_ASSERT_STRING_EQUAL(d.vifs[0].features, "rx-copy,sg,multi-queue");
	CU_ASSERT_TRUE(d.vifs[0].link_down);
	CU_ASSERT_TRUE(d.vifs[0].isolated);
	CU_ASSERT_FALSE(d.vifs[1].link_down);
	CU_ASSERT_FALSE(d.vifs[1].isolated);
	CU_ASSERT_EQUAL(d.vifs[1].domid, 2);
	CU_ASSERT_EQUAL(d.vifs[1].devid, 1);
	CU_ASSERT_STRING_EQUAL(d.vifs[1].features, "");
	CU_ASSERT_STRING_EQUAL(d.vifs[0].steering, "software");
	CU_ASSERT_STRING_EQUAL(d.vifs[1].steering, "");	/* not said */
	CU_ASSERT_STRING_EQUAL(d.vifs[1].ifname, "we\"ird\\");
	statsdoc_free(&d);

	CU_ASSERT_EQUAL(statsdoc_parse("", &d, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(d.n, 0);
	statsdoc_free(&d);
}

static void
test_parse_refused(void)
{
	static const struct { const char *text, *why; } bad[] = {
		{ "vif1.0\n", "not \"VIF KEY VALUE\"" },
		{ "vif1.0 domid\n", "not \"VIF KEY VALUE\"" },
		{ "vif1.0 domid x1\n", "domid is not a number" },
		{ "vif1.0 queues 33\n", "more than 32 queues" },
		{ "vif1.0 link sideways\n", "link is not up or down" },
		{ "vif1.0 rate_out 12\n", "rate_out is not BYTES,USEC" },
		{ "vif1.0 rate_in 1,2,3\n", "rate_in is not BYTES,USEC" },
		{ "vif1.0 shape_in 1,2\n", "shape_in is not AVERAGE,PEAK,BURST" },
		{ "vif1.0 shape_out 1,2,3x\n",
		  "shape_out is not AVERAGE,PEAK,BURST" },
		{ "vif1.0 total tx_packets -1\n", "tx_packets is not a number" },
		{ "vif1.0 total tx_packets\n", "no counter value" },
		{ "vif1.0 q32 tx_packets 1\n", "no such queue" },
		{ "vif1.0 q1x tx_packets 1\n", "no such queue" },
		{ "vif1.0 ifname 0123456789012345678901234567890123\n",
		  "ifname too long" },
	};
	struct statsdoc d;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(statsdoc_parse(bad[i].text, &d, err,
		    sizeof(err)), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].why));
		if (strstr(err, bad[i].why) == NULL)
			printf("# %zu: \"%s\"\n", i, err);
		CU_ASSERT_PTR_NULL(d.vifs);
	}
}

static void
test_json(void)
{
	struct statsdoc d;
	char err[256], *j;

	CU_ASSERT_EQUAL_FATAL(statsdoc_parse(answer, &d, err, sizeof(err)), 0);
	j = render(statsdoc_json, &d);
	CU_ASSERT_EQUAL(strncmp(j, "{\"vifs\":[{\"name\":\"vif1.0\",\"domid\":1,"
	    "\"devid\":0,\"ifname\":\"vif1.0\",\"state\":\"Connected\"", 75),
	    0);
	CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"features\":[\"rx-copy\",\"sg\","
	    "\"multi-queue\"],\"link\":\"down\",\"isolated\":true,"
	    "\"vlan\":\"trunk:10,20\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"isolated\":false,\"vlan\":null,"
	    "\"steering\":\"none\",\"switch\":{"));
	CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"vlan\":\"trunk:10,20\","
	    "\"steering\":\"software\",\"switch\":{\"name\":\"sw0\","
	    "\"kind\":\"switch\",\"counters\":{\"in_frames\":5,\"in_bytes\":0,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"drop_full\":2},\"uplink_xsk\":null},"
	    "\"rate\":"));
	CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"switch\":{\"name\":\"p0\","
	    "\"kind\":\"peer_link\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"rate\":{\"outbound\":{\"limited\":"
	    "true,\"bytes\":1250,\"usec\":1000,\"bytes_per_second\":1250000},"
	    "\"inbound\":{\"limited\":false,\"bytes\":0,\"usec\":0,"
	    "\"shape\":{\"average\":1048576,\"peak\":4194304,\"burst\":0}}}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"queues\":[{\"queue\":0,"
	    "\"counters\":{\"tx_packets\":10,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"ifname\":\"we\\\"ird\\\\\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"features\":[],"));
	CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"num_queues\":0,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"queues\":[]}]}\n"));
	CU_ASSERT_PTR_NULL(strstr(j, "newer"));
	free(j);
	statsdoc_free(&d);
}

static void
test_prom(void)
{
	struct statsdoc d;
	char err[256], *p;
	int c;

	CU_ASSERT_EQUAL_FATAL(statsdoc_parse(answer, &d, err, sizeof(err)), 0);
	p = render(statsdoc_prom, &d);
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "# TYPE vifd_tx_packets_total "
	    "counter\nvifd_tx_packets_total{domid=\"1\",devid=\"0\"} 30\n"
	    "vifd_tx_packets_total{domid=\"2\",devid=\"1\"} 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "vifd_queue_tx_packets_total{domid="
	    "\"1\",devid=\"0\",queue=\"1\"} 20\n"));
	/* Nanoseconds become seconds, exactly. */
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "vifd_tx_throttled_seconds_total{"
	    "domid=\"1\",devid=\"0\"} 1.500000001\n"));
	CU_ASSERT_PTR_NULL(strstr(p, "_ns"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "ifname=\"we\\\"ird\\\\\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "vifd_vif_feature{domid=\"1\","
	    "devid=\"0\",feature=\"multi-queue\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "vifd_vif_rate_limit_bytes_per_second"
	    "{domid=\"1\",devid=\"0\",direction=\"outbound\"} 1250000\n"));
	CU_ASSERT_PTR_NULL(strstr(p, "direction=\"inbound\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "vifd_vif_up{domid=\"2\",devid=\"1\"}"
	    " 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "vifd_vif_link_up{domid=\"1\","
	    "devid=\"0\"} 0\nvifd_vif_link_up{domid=\"2\",devid=\"1\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "vifd_vif_isolated{domid=\"1\","
	    "devid=\"0\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "# TYPE vifd_switch_port_drop_full_total"
	    " counter\nvifd_switch_port_drop_full_total{domid=\"1\",devid=\"0\","
	    "switch=\"sw0\",kind=\"switch\"} 2\nvifd_switch_port_drop_full_total"
	    "{domid=\"2\",devid=\"1\",switch=\"p0\",kind=\"peer_link\"} 0\n"));
	free(p);
	statsdoc_free(&d);
	/* Every counter vifd has is described. */
	for (c = 0; c < STATSDOC_NCOUNTERS; c++) {
		CU_ASSERT_PTR_NOT_NULL(statsdoc_prom_help_of(
		    statsdoc_counter_names[c]));
		if (statsdoc_prom_help_of(statsdoc_counter_names[c]) == NULL)
			printf("# no HELP for %s\n", statsdoc_counter_names[c]);
	}
}

static void
test_rate(void)
{
	static const char a[] =
		"vif1.0 domid 1\nvif1.0 total tx_packets 100\n"
		"vif1.0 total tx_bytes 1000\nvif1.0 total rx_packets 50\n"
		"vif1.0 total rx_drop_size 4\nvif1.0 total tx_drop_tap 1\n";
	static const char b[] =
		"vif1.0 domid 1\nvif1.0 total tx_packets 300\n"
		"vif1.0 total tx_bytes 3000\nvif1.0 total rx_packets 20\n"
		"vif1.0 total rx_drop_size 10\nvif1.0 total tx_drop_tap 3\n"
		"vif3.0 domid 3\nvif3.0 total rx_packets 8\n";
	struct statsdoc da, db;
	struct statsdoc_rate r;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(statsdoc_parse(a, &da, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(statsdoc_parse(b, &db, err, sizeof(err)), 0);
	statsdoc_rate(&da, &db, 0, 2000000000u, &r);
	CU_ASSERT_DOUBLE_EQUAL(r.tx_pps, 100, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(r.tx_bps, 8000, 1e-9);
	/* rx_packets went back (a vifd restart): counted from zero. */
	CU_ASSERT_DOUBLE_EQUAL(r.rx_pps, 10, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(r.drops_ps, 4, 1e-9);
	/* A vif that was not there: since zero. */
	statsdoc_rate(&da, &db, 1, 2000000000u, &r);
	CU_ASSERT_DOUBLE_EQUAL(r.rx_pps, 4, 1e-9);
	statsdoc_rate(NULL, &db, 0, 1000000000u, &r);
	CU_ASSERT_DOUBLE_EQUAL(r.tx_pps, 300, 1e-9);
	statsdoc_free(&da);
	statsdoc_free(&db);
}

/* A switch's AF_XDP uplink, said on each of its ports: parsed on each,
 * in JSON on each, in Prometheus once a switch. */
static void
test_xsk(void)
{
	static const char a[] =
		"vif1.0 domid 1\nvif1.0 switch sw0\n"
		"vif1.0 switch_uplink_xsk xu0@3\n"
		"vif1.0 switch_xsk_rx_frames 7\n"
		"vif1.0 switch_xsk_tx_nobuf 2\n"
		"vif1.0 switch_xsk_a_newer_counter 9\n"
		"vif2.0 domid 2\nvif2.0 switch sw0\n"
		"vif2.0 switch_uplink_xsk xu0@3\n"
		"vif2.0 switch_xsk_rx_frames 7\n"
		"vif2.0 switch_xsk_tx_nobuf 2\n"
		"vif3.0 domid 3\nvif3.0 switch sw1\n";
	struct statsdoc d;
	char err[256], *j, *p, *first;

	CU_ASSERT_EQUAL_FATAL(statsdoc_parse(a, &d, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(d.n, 3);
	CU_ASSERT_STRING_EQUAL(d.vifs[0].sw_xsk, "xu0@3");
	CU_ASSERT_EQUAL(d.vifs[0].sw_xsk_counters[STATSDOC_XSK_rx_frames], 7);
	CU_ASSERT_EQUAL(d.vifs[0].sw_xsk_counters[STATSDOC_XSK_tx_nobuf], 2);
	CU_ASSERT_EQUAL(d.vifs[0].sw_xsk_counters[STATSDOC_XSK_tx_frames], 0);
	CU_ASSERT_STRING_EQUAL(d.vifs[2].sw_xsk, "");
	j = render(statsdoc_json, &d);
	CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"uplink_xsk\":{\"name\":\"xu0@3\","
	    "\"counters\":{\"rx_frames\":7,\"tx_frames\":0,\"tx_nobuf\":2,"
	    "\"tx_unfit\":0,\"tx_gone\":0}}}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"name\":\"sw1\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"uplink_xsk\":null}"));
	CU_ASSERT_PTR_NULL(strstr(j, "newer"));
	free(j);
	p = render(statsdoc_prom, &d);
	first = strstr(p, "vifd_switch_xsk_rx_frames_total{switch=\"sw0\","
	    "uplink=\"xu0@3\"} 7\n");
	CU_ASSERT_PTR_NOT_NULL(first);
	/* once, though two ports said it */
	if (first != NULL)
		CU_ASSERT_PTR_NULL(strstr(first + 1, "vifd_switch_xsk_rx_frames"
		    "_total{"));
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "# TYPE vifd_switch_xsk_tx_unfit_total"
	    " counter\n"));
	CU_ASSERT_PTR_NULL(strstr(p, "switch=\"sw1\",uplink"));
	free(p);
	statsdoc_free(&d);
	CU_ASSERT_EQUAL(statsdoc_parse("vif1.0 switch_xsk_tx_frames x\n", &d,
	    err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "switch_xsk_tx_frames is not a "
	    "number"));
}

static CU_TestInfo statsdoc_tests[] = {
	{ "parse vifd's answer", test_parse },
	{ "refuse what is not an answer", test_parse_refused },
	{ "JSON", test_json },
	{ "Prometheus text format", test_prom },
	{ "per-second rates", test_rate },
	{ "a switch's AF_XDP uplink", test_xsk },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "statsdoc", NULL, NULL, NULL, NULL, statsdoc_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
