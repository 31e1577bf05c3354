/*
 * test_vif_guest_misc.c - vif-guest's frame builder (valid headers,
 * complete or partial checksums checked with the naive reference sum of
 * frames.c, the GSO extra) and its command line (defaults, every value's
 * syntax and range, the combinations that are refused).
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/csum.h"
#include "cu_tap.h"
#include "frames.h"
#include "gframe.h"
#include "gopts.h"
#include "mclist.h"

static uint8_t buf[GFRAME_MAX_LEN];

static const struct gframe_addr addr = {
	.src_mac = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x01 },
	.dst_mac = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff },
	.saddr = { 10, 0, 0, 2 },
	.daddr = { 10, 0, 0, 1 },
	.sport = 9000,
	.dport = 9,
};

static struct frame_layout
layout(const struct gframe *f)
{
	struct frame_layout lo = { 0 };

	lo.len = f->len;
	lo.l3_off = 14;
	lo.l4_off = 34;
	lo.l4_hdr_len = f->hdr_len - 34;
	lo.l3_end = f->len;
	return lo;
}

static void
check_common(const struct gframe *f, uint8_t proto)
{
	CU_ASSERT_EQUAL(memcmp(buf, addr.dst_mac, 6), 0);
	CU_ASSERT_EQUAL(memcmp(buf + 6, addr.src_mac, 6), 0);
	CU_ASSERT_EQUAL(buf[12], 0x08);
	CU_ASSERT_EQUAL(buf[13], 0x00);
	CU_ASSERT_EQUAL(buf[14], 0x45);
	CU_ASSERT_EQUAL(buf[23], proto);
	CU_ASSERT_EQUAL((size_t)(buf[16] << 8 | buf[17]), f->len - 14);
	/* the IPv4 header checksum verifies to 0 */
	CU_ASSERT_EQUAL(ref_fold(ref_sum(buf + 14, 20, 0)), 0);
}

static void
test_udp_frames(void)
{
	static const struct {
		int kind;
		size_t len;
	} t[] = { { GFRAME_UDP64, 64 }, { GFRAME_F1514, 1514 } };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct gframe f;
		struct frame_layout lo;

		CU_ASSERT_EQUAL_FATAL(gframe_build(t[i].kind, &addr, false, buf,
		    sizeof(buf), &f), 0);
		CU_ASSERT_EQUAL(f.len, t[i].len);
		CU_ASSERT_EQUAL(f.hdr_len, 42);
		CU_ASSERT_EQUAL(f.txflags, 0);
		CU_ASSERT_FALSE(f.has_gso);
		check_common(&f, IPPROTO_UDP);
		lo = layout(&f);
		CU_ASSERT_EQUAL(ref_l4_check(buf, &lo, 4, IPPROTO_UDP), 0);
		CU_ASSERT_EQUAL(buf[34] << 8 | buf[35], 9000);
		CU_ASSERT_EQUAL((size_t)(buf[38] << 8 | buf[39]), f.len - 34);
	}
}

/* A partial checksum is completed by the receiver: do it here and the
 * reference check must pass. */
static void
test_partial(void)
{
	struct gframe f;
	struct frame_layout lo;

	CU_ASSERT_EQUAL_FATAL(gframe_build(GFRAME_F1514, &addr, true, buf,
	    sizeof(buf), &f), 0);
	CU_ASSERT_EQUAL(f.txflags, NETTXF_csum_blank | NETTXF_data_validated);
	lo = layout(&f);
	CU_ASSERT_NOT_EQUAL(ref_l4_check(buf, &lo, 4, IPPROTO_UDP), 0);
	CU_ASSERT_EQUAL_FATAL(csum_complete_partial(buf, f.len, 34, 6), 0);
	CU_ASSERT_EQUAL(ref_l4_check(buf, &lo, 4, IPPROTO_UDP), 0);
}

static void
test_gso_frame(void)
{
	struct gframe f;
	struct frame_layout lo;

	CU_ASSERT_EQUAL_FATAL(gframe_build(GFRAME_GSO64K, &addr, false, buf,
	    sizeof(buf), &f), 0);
	CU_ASSERT_EQUAL(f.len, 54 + GFRAME_GSO_MSS * GFRAME_GSO_SEGS);
	CU_ASSERT(f.len <= 65535);
	CU_ASSERT_EQUAL(f.hdr_len, 54);
	CU_ASSERT_EQUAL(f.txflags, NETTXF_csum_blank | NETTXF_data_validated);
	CU_ASSERT_TRUE(f.has_gso);
	CU_ASSERT_EQUAL(f.gso.type, XEN_NETIF_EXTRA_TYPE_GSO);
	CU_ASSERT_EQUAL(f.gso.u.gso.size, GFRAME_GSO_MSS);
	CU_ASSERT_EQUAL(f.gso.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
	check_common(&f, IPPROTO_TCP);
	CU_ASSERT_EQUAL(buf[46] >> 4, 5);	/* TCP data offset */
	lo = layout(&f);
	CU_ASSERT_EQUAL_FATAL(csum_complete_partial(buf, f.len, 34, 16), 0);
	CU_ASSERT_EQUAL(ref_l4_check(buf, &lo, 4, IPPROTO_TCP), 0);
}

static void
test_build_len(void)
{
	struct gframe f;
	struct frame_layout lo;

	CU_ASSERT_EQUAL_FATAL(gframe_build_len(IPPROTO_TCP, 83, &addr, false,
	    buf, sizeof(buf), &f), 0);
	lo = layout(&f);
	CU_ASSERT_EQUAL(ref_l4_check(buf, &lo, 4, IPPROTO_TCP), 0);
	CU_ASSERT_EQUAL(gframe_build_len(IPPROTO_UDP, 41, &addr, false, buf,
	    sizeof(buf), &f), -EINVAL);
	CU_ASSERT_EQUAL(gframe_build_len(IPPROTO_TCP, 53, &addr, false, buf,
	    sizeof(buf), &f), -EINVAL);
	CU_ASSERT_EQUAL(gframe_build_len(IPPROTO_ICMP, 100, &addr, false, buf,
	    sizeof(buf), &f), -EINVAL);
	CU_ASSERT_EQUAL(gframe_build_len(IPPROTO_UDP, 100, &addr, false, buf,
	    99, &f), -ENOSPC);
	CU_ASSERT_EQUAL(gframe_build(GFRAME_MAX, &addr, false, buf,
	    sizeof(buf), &f), -EINVAL);
	CU_ASSERT_EQUAL(gframe_parse_kind("gso64k"), GFRAME_GSO64K);
	CU_ASSERT_EQUAL(gframe_parse_kind("udp"), -EINVAL);
	CU_ASSERT_STRING_EQUAL(gframe_kind_str(GFRAME_F1514), "f1514");
}

/* ---- command line ----------------------------------------------------- */

static int
parse(struct gopts *o, char *err, const char *const *args)
{
	char *argv[40];
	int argc = 0;

	argv[argc++] = (char *)"vif-guest";
	while (*args != NULL && argc < 39)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	err[0] = '\0';
	return gopts_parse(argc, argv, o, err, 256);
}

static void
test_opts_defaults(void)
{
	static const char *const a[] = { "--xen=sim:/tmp/m", "--domid", "3",
	    NULL };
	struct gopts o;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(parse(&o, err, a), 0);
	CU_ASSERT_STRING_EQUAL(o.simdir, "/tmp/m");
	CU_ASSERT_EQUAL(o.domid, 3);
	CU_ASSERT_EQUAL(o.devid, 0);
	CU_ASSERT_EQUAL(o.mode, GMODE_TAP);
	CU_ASSERT_STRING_EQUAL(o.tap, "eth0");
	CU_ASSERT_EQUAL(o.backend_domid, -1);
	CU_ASSERT_EQUAL(o.queues, 0);
	CU_ASSERT_EQUAL(o.rx_bufs, 256);
	CU_ASSERT_EQUAL(o.timeout_s, GOPTS_DEFAULT_TIMEOUT);
	CU_ASSERT_FALSE(o.no_sg);
	CU_ASSERT_EQUAL(o.xdp_cycles, 0);
	CU_ASSERT_EQUAL(o.xdp_headroom, 256);
}

static void
test_opts_xdp(void)
{
	static const char *const a[] = { "--xen=sim:d", "--domid=2",
	    "--xdp-cycles", "3", "--xdp-headroom=128", "--xdp-interval",
	    "0.5", NULL };
	static const char *const big[] = { "--xen=sim:d", "--domid=2",
	    "--xdp-headroom=4096", NULL };
	static const char *const zero[] = { "--xen=sim:d", "--domid=2",
	    "--xdp-cycles=0", NULL };
	static const char *const evil[] = { "--xen=sim:d", "--domid=2",
	    "--mode=evil", "--attack=slots20", "--xdp-cycles=1", NULL };
	struct gopts o;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(parse(&o, err, a), 0);
	CU_ASSERT_EQUAL(o.xdp_cycles, 3);
	CU_ASSERT_EQUAL(o.xdp_headroom, 128);
	CU_ASSERT_DOUBLE_EQUAL(o.xdp_interval, 0.5, 1e-9);
	CU_ASSERT_EQUAL(parse(&o, err, big), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--xdp-headroom='4096'"));
	CU_ASSERT_EQUAL(parse(&o, err, zero), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--xdp-cycles"));
	CU_ASSERT_EQUAL(parse(&o, err, evil), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not for --mode evil"));
}

static void
test_opts_full(void)
{
	static const char *const gen[] = { "--xen", "sim:d", "--domid=7",
	    "--devid", "2", "--queues", "4", "--mode", "gen", "--frame",
	    "gso64k", "--seconds", "2.5", "--no-split", "--no-gso",
	    "--no-csum-offload", "--dst-mac", "02:00:00:00:00:AA",
	    "--src-ip", "192.168.7.9", "--per-queue", "-v", NULL };
	static const char *const evil[] = { "--xen=sim:d", "--domid=7",
	    "--mode=evil", "--attack", "slots20", "--wait", "0.5",
	    "--rx-bufs", "1", "--exit-on-close", NULL };
	struct gopts o;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(parse(&o, err, gen), 0);
	CU_ASSERT_EQUAL(o.mode, GMODE_GEN);
	CU_ASSERT_EQUAL(o.frame, GFRAME_GSO64K);
	CU_ASSERT_EQUAL(o.queues, 4);
	CU_ASSERT_EQUAL(o.devid, 2);
	CU_ASSERT(o.seconds > 2.49 && o.seconds < 2.51);
	CU_ASSERT_TRUE(o.no_split && o.no_gso && o.no_csum && o.per_queue);
	CU_ASSERT_EQUAL(o.dst_mac[5], 0xaa);
	CU_ASSERT_EQUAL(o.src_ip[0], 192);
	CU_ASSERT_EQUAL(o.src_ip[3], 9);
	CU_ASSERT_EQUAL(o.verbosity, 2);

	CU_ASSERT_EQUAL_FATAL(parse(&o, err, evil), 0);
	CU_ASSERT_STRING_EQUAL(o.attack, "slots20");
	CU_ASSERT_EQUAL(o.rx_bufs, 1);
	CU_ASSERT_TRUE(o.exit_on_close);
}

/* Table of refused command lines and a word their message must hold. */
static void
test_opts_bad(void)
{
	static const struct {
		const char *args[8];
		const char *word;
	} t[] = {
		{ { "--domid", "1", NULL }, "--xen" },
		{ { "--xen=sim:d", NULL }, "--domid" },
		{ { "--xen=real", "--domid", "1", NULL }, "simulated" },
		{ { "--xen=sim:", "--domid", "1", NULL }, "simulated" },
		{ { "--xen=sim:d", "--domid", "0", NULL }, "--domid" },
		{ { "--xen=sim:d", "--domid", "32752", NULL }, "--domid" },
		{ { "--xen=sim:d", "--domid", "1x", NULL }, "--domid" },
		{ { "--xen=sim:d", "--domid", "", NULL }, "--domid" },
		{ { "--xen=sim:d", "--domid", NULL }, "needs a value" },
		{ { "--xen=sim:d", "--domid=1", "--queues=0", NULL }, "--queues" },
		{ { "--xen=sim:d", "--domid=1", "--mode=fast", NULL }, "--mode" },
		{ { "--xen=sim:d", "--domid=1", "--bogus", NULL }, "unknown" },
		{ { "--xen=sim:d", "--domid=1", "extra", NULL }, "unexpected" },
		{ { "--xen=sim:d", "--domid=1", "--no-sg=1", NULL }, "no value" },
		{ { "--xen=sim:d", "--domid=1", "--mode=gen", NULL }, "--frame" },
		{ { "--xen=sim:d", "--domid=1", "--mode=gen", "--frame=udp64",
		    NULL }, "--count" },
		{ { "--xen=sim:d", "--domid=1", "--mode=gen", "--frame=udp64",
		    "--count=5", "--seconds=1", NULL }, "exclude" },
		{ { "--xen=sim:d", "--domid=1", "--mode=sink", NULL },
		    "--seconds" },
		{ { "--xen=sim:d", "--domid=1", "--mode=evil", NULL },
		    "--attack" },
		{ { "--xen=sim:d", "--domid=1", "--attack=x", NULL },
		    "--attack" },
		{ { "--xen=sim:d", "--domid=1", "--frame=f1514", NULL },
		    "--frame" },
		{ { "--xen=sim:d", "--domid=1", "--mode=sink", "--seconds=1",
		    "--netns=g", NULL }, "--netns" },
		{ { "--xen=sim:d", "--domid=1", "--mode=gen", "--frame=udp64",
		    "--count=5", "--mcast=f", NULL }, "--mcast" },
		{ { "--xen=sim:d", "--domid=1", "--mcast=", NULL }, "--mcast" },
		{ { "--xen=sim:d", "--domid=1", "--seconds=-1", NULL },
		    "--seconds" },
		{ { "--xen=sim:d", "--domid=1", "--seconds=nan", NULL },
		    "--seconds" },
		{ { "--xen=sim:d", "--domid=1", "--tap=a/b", NULL }, "--tap" },
		{ { "--xen=sim:d", "--domid=1", "--tap=0123456789abcdef",
		    NULL }, "--tap" },
		{ { "--xen=sim:d", "--domid=1", "--netns=../x", NULL },
		    "--netns" },
		{ { "--xen=sim:d", "--domid=1", "--mtu=67", NULL }, "--mtu" },
		{ { "--xen=sim:d", "--domid=1", "--mtu=65536", NULL }, "--mtu" },
		{ { "--xen=sim:d", "--domid=1", "--dst-mac=02:00:00:00:00",
		    NULL }, "--dst-mac" },
		{ { "--xen=sim:d", "--domid=1", "--dst-mac=02-00-00-00-00-01",
		    NULL }, "--dst-mac" },
		{ { "--xen=sim:d", "--domid=1", "--dst-mac=02:00:00:00:00:0g",
		    NULL }, "--dst-mac" },
		{ { "--xen=sim:d", "--domid=1", "--dst-mac=2:0:0:0:0:1:0:0:0",
		    NULL }, "--dst-mac" },
		{ { "--xen=sim:d", "--domid=1", "--src-ip=10.0.0.256", NULL },
		    "--src-ip" },
		{ { "--xen=sim:d", "--domid=1", "--dst-ip=10.0.0", NULL },
		    "--dst-ip" },
		{ { "--xen=sim:d", "--domid=1", "--rx-bufs=257", NULL },
		    "--rx-bufs" },
		{ { "--xen=sim:d", "--domid=1", "--ref-base=7", NULL },
		    "--ref-base" },
		{ { "--xen=sim:d", "--domid=1", "--timeout=0", NULL },
		    "--timeout" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct gopts o;
		char err[256];
		int rc = parse(&o, err, t[i].args);

		CU_ASSERT_EQUAL(rc, -EINVAL);
		if (rc == -EINVAL && strstr(err, t[i].word) == NULL)
			CU_FAIL("message lacks the expected word");
	}
}

static void
test_opts_help(void)
{
	static const char *const a[] = { "--xen=sim:d", "--help", NULL };
	struct gopts o;
	char err[256];

	CU_ASSERT_EQUAL(parse(&o, err, a), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(gopts_usage, "--mode"));
	CU_ASSERT_STRING_EQUAL(gopts_mode_str(GMODE_SINK), "sink");
}

/* ---- the --mcast file ------------------------------------------------- */

static void
test_mclist_parse(void)
{
	struct mclist l;
	char err[128];

	CU_ASSERT_EQUAL(mclist_parse("", &l, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(l.control);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_EQUAL(mclist_parse("# groups\ncontrol on\n\n"
	    "  01:00:5e:01:02:03  # A\r\n33:33:00:00:00:01", &l, err,
	    sizeof(err)), 0);
	CU_ASSERT_TRUE(l.control);
	CU_ASSERT_EQUAL_FATAL(l.n, 2);
	CU_ASSERT_EQUAL(l.addr[0][5], 0x03);
	CU_ASSERT_EQUAL(l.addr[1][0], 0x33);
	/* The last control line wins; a unicast address is the guest's
	 * business (the backend refuses it). */
	CU_ASSERT_EQUAL(mclist_parse("control on\ncontrol off\n"
	    "00:16:3e:00:00:01\n", &l, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(l.control);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT_EQUAL(mclist_parse("control maybe\n", &l, err,
	    sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "line 1"));
	CU_ASSERT_EQUAL(mclist_parse("\n01:00:5e:1:2:3\n", &l, err,
	    sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "line 2"));
}

static void
test_mclist_bounds_and_diff(void)
{
	struct mclist a, b;
	struct mclist_op ops[8];
	char text[MCLIST_MAX * 20 + 64], err[128];
	size_t o = 0;
	unsigned int i, n;

	for (i = 0; i <= MCLIST_MAX; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
		    "01:00:5e:00:%02x:%02x\n", i >> 8, i & 0xff);
	CU_ASSERT_EQUAL(mclist_parse(text, &a, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than"));

	/* {X, X, Y} -> {X, Z}: DEL X (one of two), DEL Y, ADD Z. */
	CU_ASSERT_EQUAL(mclist_parse("01:00:5e:00:00:01\n01:00:5e:00:00:01\n"
	    "01:00:5e:00:00:02\n", &a, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(mclist_parse("01:00:5e:00:00:01\n01:00:5e:00:00:03\n",
	    &b, err, sizeof(err)), 0);
	n = mclist_diff(&a, &b, ops, 8);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_EQUAL(ops[0].type, XEN_NETIF_EXTRA_TYPE_MCAST_DEL);
	CU_ASSERT_EQUAL(ops[0].addr[5], 1);
	CU_ASSERT_EQUAL(ops[1].type, XEN_NETIF_EXTRA_TYPE_MCAST_DEL);
	CU_ASSERT_EQUAL(ops[1].addr[5], 2);
	CU_ASSERT_EQUAL(ops[2].type, XEN_NETIF_EXTRA_TYPE_MCAST_ADD);
	CU_ASSERT_EQUAL(ops[2].addr[5], 3);
	/* Nothing to do between equal lists; a short ops array still gets
	 * the count. */
	CU_ASSERT_EQUAL(mclist_diff(&b, &b, ops, 8), 0);
	CU_ASSERT_EQUAL(mclist_diff(&a, &b, ops, 1), 3);
}

static CU_TestInfo mclist_tests[] = {
	{ "parse", test_mclist_parse },
	{ "bound and diff", test_mclist_bounds_and_diff },
	CU_TEST_INFO_NULL
};

static CU_TestInfo frame_tests[] = {
	{ "UDP frames with full checksums", test_udp_frames },
	{ "partial UDP checksum", test_partial },
	{ "64 KiB GSO frame", test_gso_frame },
	{ "custom lengths and bad input", test_build_len },
	CU_TEST_INFO_NULL
};

static CU_TestInfo opts_tests[] = {
	{ "defaults", test_opts_defaults },
	{ "command line: the XDP handshake options", test_opts_xdp },
	{ "every option", test_opts_full },
	{ "refused command lines", test_opts_bad },
	{ "help", test_opts_help },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ "gframe", NULL, NULL, NULL, NULL, frame_tests },
	{ "gopts", NULL, NULL, NULL, NULL, opts_tests },
	{ "mclist", NULL, NULL, NULL, NULL, mclist_tests },
	CU_SUITE_INFO_NULL
};

int
main(void)
{
	return cu_tap_run(suites);
}
