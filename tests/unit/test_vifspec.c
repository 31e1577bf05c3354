/*
 * test_vifspec.c - xl's vif= syntax: every key and flag, defaults, the
 * whitespace rules, malformed specs (the message must name the key and the
 * value), MAC generation from injected random bytes, the rate= table
 * (tools/xl/check-xl-vif-parse's vectors and libxlu_vif.c's quirks), the
 * xenstore node list, and, where Xen's libxlutil is installed, a
 * differential test of our rate parser against xlu_vif_parse_rate.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_XLUTIL
#include <libxlutil.h>
#endif

#include "cu_tap.h"
#include "core/vifspec.h"

/* ---- rate table --------------------------------------------------------- */

struct rate_case {
	const char *in;
	int rc;			/* 0, -EINVAL or -EOVERFLOW */
	uint64_t bytes;
	uint32_t usecs;
};

static const struct rate_case rate_cases[] = {
	/* tools/xl/check-xl-vif-parse: invalid units */
	{ "foo", -EINVAL, 0, 0 },
	{ "10MB", -EINVAL, 0, 0 },
	{ "10MB/m", -EINVAL, 0, 0 },
	{ "10ZB", -EINVAL, 0, 0 },
	{ "10ZB/s", -EINVAL, 0, 0 },
	{ "10ZB/m", -EINVAL, 0, 0 },
	/* b/s and B/s */
	{ "16000000b/s", 0, 100000, 50000 },
	{ "16000000b/s@50ms", 0, 100000, 50000 },
	{ "2000000B/s", 0, 100000, 50000 },
	{ "2000000B/s@50ms", 0, 100000, 50000 },
	/* K */
	{ "16Kb/s", 0, 100, 50000 },
	{ "16Kb/s@50ms", 0, 100, 50000 },
	{ "2KB/s", 0, 100, 50000 },
	{ "2KB/s@50ms", 0, 100, 50000 },
	/* M */
	{ "16Mb/s", 0, 100000, 50000 },
	{ "16Mb/s@50ms", 0, 100000, 50000 },
	{ "2MB/s", 0, 100000, 50000 },
	{ "2MB/s@50ms", 0, 100000, 50000 },
	/* G */
	{ "8Gb/s", 0, 50000000, 50000 },
	{ "8Gb/s@50ms", 0, 50000000, 50000 },
	{ "1GB/s", 0, 50000000, 50000 },
	{ "1GB/s@50ms", 0, 50000000, 50000 },
	/* rate overflow and underflow */
	{ "4294967296b/s", -EOVERFLOW, 0, 0 },
	{ "4294967296Kb/s", -EOVERFLOW, 0, 0 },
	{ "4294967296Mb/s", -EOVERFLOW, 0, 0 },
	{ "4294967296Gb/s", -EOVERFLOW, 0, 0 },
	{ "0B/s", -EOVERFLOW, 0, 0 },
	/* invalid interval */
	{ "10Mb/s@foo", -EINVAL, 0, 0 },
	{ "10Mb/s@10h", -EINVAL, 0, 0 },
	{ "10MB/s@foo", -EINVAL, 0, 0 },
	{ "10MB/s@10h", -EINVAL, 0, 0 },
	/* seconds */
	{ "80Mb/s@1s", 0, 10000000, 1000000 },
	{ "10MB/s@1s", 0, 10000000, 1000000 },
	/* interval overflow and underflow */
	{ "1B/s@4294967296us", -EOVERFLOW, 0, 0 },
	{ "1B/s@4294968ms", -EOVERFLOW, 0, 0 },
	{ "1B/s@4295s", -EOVERFLOW, 0, 0 },
	{ "1B/s@0us", -EOVERFLOW, 0, 0 },
	/* product overflow */
	{ "4294967295GB/s@5us", -EOVERFLOW, 0, 0 },
	{ "4296MB/s@4294s", -EOVERFLOW, 0, 0 },
	/* a lone '@' */
	{ "@", -EINVAL, 0, 0 },

	/* xl-network-configuration(5) examples */
	{ "10Mb/s", 0, 62500, 50000 },
	{ "250KB/s", 0, 12500, 50000 },
	{ "1MB/s@20ms", 0, 20000, 20000 },

	/* quirks: a bare interval is seconds; "m" and "u" without "s" */
	{ "1MB/s@2", 0, 2000000, 2000000 },
	{ "1MB/s@20m", 0, 20000, 20000 },
	{ "1MB/s@20000u", 0, 20000, 20000 },
	{ "1MB/s@20000us", 0, 20000, 20000 },
	{ "1MB/s@1ms", 0, 1000, 1000 },
	{ "1MB/s@1us", 0, 1, 1 },
	/* quirks: octal through strtoull(base 0) */
	{ "010B/s@1s", 0, 8, 1000000 },
	{ "017KB/s", 0, 750, 50000 },
	{ "08B/s", -EOVERFLOW, 0, 0 },		/* reads 0 */
	{ "09KB/s", -EOVERFLOW, 0, 0 },
	{ "018B/s@1s", 0, 1, 1000000 },		/* stops at 8: 1 B/s */
	{ "018KB/s@1s", 0, 1, 1000000 },	/* unit looked for at '8' */
	{ "018b/s@1s", 0, 0, 1000000 },		/* 'b' one place early */
	{ "0189b/s@1s", 0, 1, 1000000 },	/* ...or not found at all */
	{ "1MB/s@010ms", 0, 8000, 8000 },
	{ "1MB/s@018ms", 0, 1, 1 },		/* stops at 8: us */
	{ "1MB/s@019", 0, 1, 1 },
	{ "1MB/s@0", -EOVERFLOW, 0, 0 },
	{ "1MB/s@00ms", -EOVERFLOW, 0, 0 },
	/* quirks: truncation to 0 bytes per interval is accepted */
	{ "1B/s", 0, 0, 50000 },
	{ "7b/s@1s", 0, 0, 1000000 },
	{ "8b/s@1s", 0, 1, 1000000 },
	{ "1b/s@1us", 0, 0, 1 },
	/* the edges */
	{ "4294967295B/s@1s", 0, 4294967295ull, 1000000 },
	{ "4294967295GB/s@4us", 0, 17179869180000ull, 4 },
	{ "4295MB/s@4294s", 0, 18442730000000ull, 4294000000u },
	{ "1B/s@4294967295us", 0, 4294, 4294967295u },
	{ "1B/s@4294967ms", 0, 4294, 4294967000u },
	{ "1B/s@4294s", 0, 4294, 4294000000u },
	{ "99999999999999999999999B/s", -EOVERFLOW, 0, 0 },
	{ "1B/s@99999999999999999999999us", -EOVERFLOW, 0, 0 },
	/* syntax: nothing else is allowed */
	{ "", -EINVAL, 0, 0 },
	{ "@50ms", -EINVAL, 0, 0 },
	{ "1B/s@", -EINVAL, 0, 0 },
	{ "1B/s@1s@", -EINVAL, 0, 0 },
	{ "1B/s@@1s", -EINVAL, 0, 0 },
	{ " 1B/s", -EINVAL, 0, 0 },
	{ "1B/s ", -EINVAL, 0, 0 },
	{ "+1B/s", -EINVAL, 0, 0 },
	{ "-1B/s", -EINVAL, 0, 0 },
	{ "0x10B/s", -EINVAL, 0, 0 },
	{ "1kB/s", -EINVAL, 0, 0 },
	{ "1KKB/s", -EINVAL, 0, 0 },
	{ "1B/S", -EINVAL, 0, 0 },
	{ "1Bps", -EINVAL, 0, 0 },
	{ "1B/s@1 ms", -EINVAL, 0, 0 },
	{ "1B/s@1mus", -EINVAL, 0, 0 },
	{ "1B/s@1ss", -EINVAL, 0, 0 },
	{ "1B/s@1Ms", -EINVAL, 0, 0 },
	{ "1B/s@ms", -EINVAL, 0, 0 },
	{ "B/s", -EINVAL, 0, 0 },
	{ "1.5MB/s", -EINVAL, 0, 0 },
};

#define NRATE (sizeof(rate_cases) / sizeof(rate_cases[0]))

static void
test_rate_table(void)
{
	struct vifspec_rate r;
	char err[256];
	size_t i;
	int rc;

	for (i = 0; i < NRATE; i++) {
		const struct rate_case *c = &rate_cases[i];

		memset(&r, 0xa5, sizeof(r));
		err[0] = '\0';
		rc = vifspec_parse_rate(c->in, &r, err, sizeof(err));
		if (rc != c->rc || (rc == 0 && (r.bytes_per_interval !=
		    c->bytes || r.interval_usecs != c->usecs))) {
			printf("# rate '%s': rc %d (want %d) %llu,%u (want "
			    "%llu,%u) %s\n", c->in, rc, c->rc,
			    (unsigned long long)r.bytes_per_interval,
			    r.interval_usecs, (unsigned long long)c->bytes,
			    c->usecs, err);
			CU_FAIL("rate case");
		}
		/* A rejection always says why. */
		if (rc != 0)
			CU_ASSERT(err[0] != '\0');
	}
}

static void
test_rate_format(void)
{
	struct vifspec_rate r = { 62500, 50000 };
	char buf[32];

	CU_ASSERT_EQUAL(vifspec_rate_format(&r, buf, sizeof(buf)), 11);
	CU_ASSERT_STRING_EQUAL(buf, "62500,50000");
	r.bytes_per_interval = UINT64_MAX;
	r.interval_usecs = UINT32_MAX;
	CU_ASSERT_EQUAL(vifspec_rate_format(&r, buf, sizeof(buf)), 31);
	CU_ASSERT_STRING_EQUAL(buf, "18446744073709551615,4294967295");
	CU_ASSERT_EQUAL(vifspec_rate_format(&r, buf, 31), -ENOSPC);
}

/* ---- differential test against xl's own parser ------------------------- */

/* A small deterministic PRNG (xorshift64*): the same strings every run. */
static uint64_t prng_state = 0x9e3779b97f4a7c15ull;

static uint32_t
prng(void)
{
	prng_state ^= prng_state >> 12;
	prng_state ^= prng_state << 25;
	prng_state ^= prng_state >> 27;
	return (uint32_t)((prng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static void
gen_number(char *buf, size_t *o, size_t cap)
{
	unsigned int len, i;

	/* Mostly short numbers, sometimes long ones that overflow. */
	switch (prng() % 6) {
	case 0:
		len = 1 + prng() % 20;
		break;
	case 1:
		len = 9 + prng() % 3;	/* around 2^32 */
		break;
	default:
		len = 1 + prng() % 5;
		break;
	}
	if (prng() % 4 == 0 && *o + 1 < cap)
		buf[(*o)++] = '0';	/* octal */
	for (i = 0; i < len && *o + 1 < cap; i++)
		buf[(*o)++] = (char)('0' + prng() % 10);
	if (len >= 10 && prng() % 2 == 0 && *o >= 10) {
		/* Land near the 32-bit edge: 4294967295 / 4294967296. */
		memcpy(buf + *o - 10, prng() % 2 ? "4294967295" : "4294967296",
		    10);
	}
}

static void
gen_pick(char *buf, size_t *o, size_t cap, const char *const *set, size_t n)
{
	const char *s = set[prng() % n];
	size_t l = strlen(s);

	if (*o + l < cap) {
		memcpy(buf + *o, s, l);
		*o += l;
	}
}

/* A string near the grammar, then possibly mutated. */
static void
gen_rate(char *buf, size_t cap)
{
	/* Mostly valid pieces, some invalid ones. */
	static const char *const units[] = { "", "", "K", "M", "G", "K",
	    "M", "G", "k", "KK", "T" };
	static const char *const bits[] = { "B/s", "b/s", "B/s", "b/s",
	    "B/s", "b/s", "B", "/s", "Bs", "b/S", "" };
	static const char *const suf[] = { "", "s", "ms", "us", "m", "u",
	    "ms", "us", "h", "sm", "mus" };
	static const char alphabet[] = "0123456789KMGBbmsu/@x -+.";
	size_t o = 0, n, k, pos;

	if (prng() % 50 == 0) {
		/* Pure noise from the grammar's alphabet. */
		n = prng() % 12;
		for (k = 0; k < n; k++)
			buf[o++] = alphabet[prng() % (sizeof(alphabet) - 1)];
		buf[o] = '\0';
		return;
	}
	if (prng() % 30 != 0)
		gen_number(buf, &o, cap);
	gen_pick(buf, &o, cap, units, sizeof(units) / sizeof(units[0]));
	gen_pick(buf, &o, cap, bits, sizeof(bits) / sizeof(bits[0]));
	if (prng() % 3 != 0 && o + 1 < cap) {
		buf[o++] = '@';
		if (prng() % 30 != 0)
			gen_number(buf, &o, cap);
		gen_pick(buf, &o, cap, suf, sizeof(suf) / sizeof(suf[0]));
	}
	buf[o] = '\0';
	/* Sometimes one mutation: replace, insert or delete a character. */
	if (o > 0 && prng() % 8 == 0) {
		pos = prng() % o;
		switch (prng() % 3) {
		case 0:
			buf[pos] = alphabet[prng() % (sizeof(alphabet) - 1)];
			break;
		case 1:
			if (o + 1 < cap) {
				memmove(buf + pos + 1, buf + pos, o - pos + 1);
				buf[pos] = alphabet[prng() %
				    (sizeof(alphabet) - 1)];
			}
			break;
		default:
			memmove(buf + pos, buf + pos + 1, o - pos);
			break;
		}
	}
}

#ifdef HAVE_XLUTIL
static XLU_Config *xlu_cfg;
static FILE *xlu_report;

static int
xlu_setup(void)
{
	xlu_report = fopen("/dev/null", "w");
	if (xlu_report == NULL)
		return -1;
	xlu_cfg = xlu_cfg_init(xlu_report, "test_vifspec");
	return xlu_cfg == NULL ? -1 : 0;
}

static int
xlu_teardown(void)
{
	if (xlu_cfg != NULL)
		xlu_cfg_destroy(xlu_cfg);
	if (xlu_report != NULL)
		fclose(xlu_report);
	return 0;
}

/* Runs both parsers on s; returns true if they agree. */
static bool
diff_one(const char *s, unsigned int *accepted)
{
	libxl_device_nic nic;
	struct vifspec_rate r = { 0, 0 };
	int ours, theirs;

	memset(&nic, 0, sizeof(nic));
	/* xl reads errno without clearing it (see vifspec.h). */
	errno = 0;
	theirs = xlu_vif_parse_rate(xlu_cfg, s, &nic);
	ours = vifspec_parse_rate(s, &r, NULL, 0);
	if (ours == 0 && theirs == 0) {
		(*accepted)++;
		if (r.bytes_per_interval == nic.rate_bytes_per_interval &&
		    r.interval_usecs == nic.rate_interval_usecs)
			return true;
	} else if (ours == -theirs) {
		return true;	/* both reject, for the same reason */
	}
	printf("# differ on '%s': xl rc %d %llu,%u; ours rc %d %llu,%u\n", s,
	    theirs, (unsigned long long)nic.rate_bytes_per_interval,
	    nic.rate_interval_usecs, -ours,
	    (unsigned long long)r.bytes_per_interval, r.interval_usecs);
	return false;
}

static void
test_rate_diff_table(void)
{
	unsigned int accepted = 0, bad = 0;
	size_t i;

	for (i = 0; i < NRATE; i++)
		if (!diff_one(rate_cases[i].in, &accepted))
			bad++;
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(accepted > 40);
}

/* Enough generated strings to cover every branch many times over. */
#define DIFF_N 50000u

static void
test_rate_diff_generated(void)
{
	unsigned int accepted = 0, bad = 0, i;
	char buf[96];

	for (i = 0; i < DIFF_N; i++) {
		gen_rate(buf, sizeof(buf));
		if (!diff_one(buf, &accepted) && ++bad > 20)
			break;
	}
	printf("# differential: %u generated rate strings, %u accepted by "
	    "both, %u disagreements\n", i, accepted, bad);
	CU_ASSERT_EQUAL(bad, 0);
	/* The generator must exercise both sides. */
	CU_ASSERT(accepted > DIFF_N / 10);
	CU_ASSERT(accepted < DIFF_N - DIFF_N / 10);
}
#endif

/* Without xl's parser: still run the generated strings for crashes. */
static void
test_rate_generated_robust(void)
{
	struct vifspec_rate r;
	char buf[96], err[256];
	unsigned int i, ok = 0;

	for (i = 0; i < 20000; i++) {
		gen_rate(buf, sizeof(buf));
		if (vifspec_parse_rate(buf, &r, err, sizeof(err)) == 0) {
			ok++;
			CU_ASSERT(r.interval_usecs >= 1);
		} else {
			CU_ASSERT(err[0] != '\0');
		}
	}
	CU_ASSERT(ok > 0 && ok < 20000);
}

/* ---- MAC ---------------------------------------------------------------- */

static void
test_mac_generate(void)
{
	uint8_t rnd[6], mac[6];
	char s[18];
	unsigned int b;

	memset(rnd, 0xff, sizeof(rnd));
	vifspec_mac_generate(VIFSPEC_MAC_XEN_OUI, rnd, mac);
	vifspec_format_mac(mac, s);
	CU_ASSERT_STRING_EQUAL(s, "00:16:3e:7f:ff:ff");
	vifspec_mac_generate(VIFSPEC_MAC_LOCAL, rnd, mac);
	vifspec_format_mac(mac, s);
	CU_ASSERT_STRING_EQUAL(s, "fe:ff:ff:ff:ff:ff");

	memcpy(rnd, "\x12\x34\x56\x78\x9a\xbc", 6);
	vifspec_mac_generate(VIFSPEC_MAC_XEN_OUI, rnd, mac);
	vifspec_format_mac(mac, s);
	CU_ASSERT_STRING_EQUAL(s, "00:16:3e:12:34:56");
	vifspec_mac_generate(VIFSPEC_MAC_LOCAL, rnd, mac);
	vifspec_format_mac(mac, s);
	CU_ASSERT_STRING_EQUAL(s, "12:34:56:78:9a:bc");

	/* Every first byte: OUI mode keeps the OUI and clears bit 7 of the
	 * fourth byte; local mode gives xxxxxx10 and keeps the other bits. */
	for (b = 0; b < 256; b++) {
		memset(rnd, 0x5a, sizeof(rnd));
		rnd[0] = (uint8_t)b;
		vifspec_mac_generate(VIFSPEC_MAC_XEN_OUI, rnd, mac);
		CU_ASSERT(mac[0] == 0x00 && mac[1] == 0x16 && mac[2] == 0x3e);
		CU_ASSERT_EQUAL(mac[3], b & 0x7f);
		CU_ASSERT(mac[4] == 0x5a && mac[5] == 0x5a);
		vifspec_mac_generate(VIFSPEC_MAC_LOCAL, rnd, mac);
		CU_ASSERT_EQUAL(mac[0] & 3u, 2u);
		CU_ASSERT_EQUAL(mac[0] & 0xfcu, b & 0xfcu);
		CU_ASSERT_EQUAL(memcmp(mac + 1, rnd + 1, 5), 0);
	}
}

/* ---- specs -------------------------------------------------------------- */

static struct vifspec vs;	/* 4 KiB+: keep it off the stack */
static char err[512];

static int
parse(const char *spec)
{
	struct vifspec_opts o = { .script_dir = NULL,
	    .mac_mode = VIFSPEC_MAC_XEN_OUI,
	    .random = { 0x81, 0x02, 0x03, 0x04, 0x05, 0x06 } };

	err[0] = '\0';
	return vifspec_parse(spec, &o, &vs, err, sizeof(err));
}

static void
mac_is(const char *want)
{
	char s[18];

	vifspec_format_mac(vs.mac, s);
	CU_ASSERT_STRING_EQUAL(s, want);
}

static void
test_spec_empty(void)
{
	CU_ASSERT_EQUAL_FATAL(parse(""), 0);
	CU_ASSERT(vs.mac_generated);
	mac_is("00:16:3e:01:02:03");	/* 0x81 & 0x7f */
	CU_ASSERT_STRING_EQUAL(vs.bridge, "xenbr0");
	CU_ASSERT_STRING_EQUAL(vs.script, "/etc/xen/scripts/vif-bridge");
	CU_ASSERT_EQUAL(vs.type, VIFSPEC_TYPE_VIF);
	CU_ASSERT_FALSE(vs.type_given);
	CU_ASSERT_EQUAL(vs.mtu, 1500);
	CU_ASSERT_FALSE(vs.mtu_given);
	CU_ASSERT(vs.trusted);
	CU_ASSERT_FALSE(vs.rate_given);
	CU_ASSERT_FALSE(vs.devid_given);
	CU_ASSERT_PTR_NULL(vs.backend);
	CU_ASSERT_PTR_NULL(vs.gatewaydev);
	CU_ASSERT_PTR_NULL(vs.vifname);
	CU_ASSERT_PTR_NULL(vs.ip);
	CU_ASSERT_PTR_NULL(vs.model);
	CU_ASSERT_PTR_NULL(vs.vlan);
	CU_ASSERT_EQUAL(vs.n_extra, 0);
	CU_ASSERT_EQUAL(vs.n_warn, 0);
	/* Only separators and spaces: still the empty spec. */
	CU_ASSERT_EQUAL(parse(",, ,  ,"), 0);
	CU_ASSERT(vs.mac_generated);
	CU_ASSERT_EQUAL(vs.n_warn, 0);
}

static void
test_spec_every_key(void)
{
	CU_ASSERT_EQUAL_FATAL(parse("mac=00:16:3E:74:3d:76,bridge=br1,"
	    "gatewaydev=eth0,type=ioemu,model=e1000,vifname=web0,"
	    "script=vif-route,ip=10.0.0.2 fd00::2/64,backend=3,"
	    "rate=10Mb/s@20ms,mtu=9000,devid=7,vlan=10p/20,"
	    "forwarddev=eth1,colo_sock_mirror_port=9000,untrusted"), 0);
	CU_ASSERT_FALSE(vs.mac_generated);
	mac_is("00:16:3e:74:3d:76");
	CU_ASSERT_STRING_EQUAL(vs.bridge, "br1");
	CU_ASSERT_STRING_EQUAL(vs.gatewaydev, "eth0");
	CU_ASSERT_EQUAL(vs.type, VIFSPEC_TYPE_IOEMU);
	CU_ASSERT(vs.type_given);
	CU_ASSERT_STRING_EQUAL(vs.model, "e1000");
	CU_ASSERT_STRING_EQUAL(vs.vifname, "web0");
	CU_ASSERT_STRING_EQUAL(vs.script, "/etc/xen/scripts/vif-route");
	CU_ASSERT_STRING_EQUAL(vs.ip, "10.0.0.2 fd00::2/64");
	CU_ASSERT_STRING_EQUAL(vs.backend, "3");
	CU_ASSERT(vs.backend_is_domid);
	CU_ASSERT_EQUAL(vs.backend_domid, 3);
	CU_ASSERT(vs.rate_given);
	CU_ASSERT_EQUAL(vs.rate.bytes_per_interval, 25000);
	CU_ASSERT_EQUAL(vs.rate.interval_usecs, 20000);
	CU_ASSERT_EQUAL(vs.mtu, 9000);
	CU_ASSERT(vs.mtu_given);
	CU_ASSERT(vs.devid_given);
	CU_ASSERT_EQUAL(vs.devid, 7);
	CU_ASSERT_STRING_EQUAL(vs.vlan, "10p/20");
	CU_ASSERT_EQUAL_FATAL(vs.n_extra, 2);
	CU_ASSERT_STRING_EQUAL(vs.extra[0].key, "forwarddev");
	CU_ASSERT_STRING_EQUAL(vs.extra[0].value, "eth1");
	CU_ASSERT_STRING_EQUAL(vs.extra[1].key, "colo_sock_mirror_port");
	CU_ASSERT_STRING_EQUAL(vs.extra[1].value, "9000");
	CU_ASSERT_FALSE(vs.trusted);
	CU_ASSERT_EQUAL(vs.n_warn, 0);

	CU_ASSERT_EQUAL(parse("type=vif,trusted,backend=drv-net"), 0);
	CU_ASSERT_EQUAL(vs.type, VIFSPEC_TYPE_VIF);
	CU_ASSERT(vs.trusted);
	CU_ASSERT_FALSE(vs.backend_is_domid);
	CU_ASSERT_STRING_EQUAL(vs.backend, "drv-net");
	/* An absolute script stays as it is; a relative one uses the
	 * directory the caller gave. */
	CU_ASSERT_EQUAL(parse("script=/usr/libexec/vifd/vif-bridge"), 0);
	CU_ASSERT_STRING_EQUAL(vs.script, "/usr/libexec/vifd/vif-bridge");
	{
		struct vifspec_opts o = { .script_dir = "/opt/s" };

		CU_ASSERT_EQUAL(vifspec_parse("script=vif-nat", &o, &vs, err,
		    sizeof(err)), 0);
		CU_ASSERT_STRING_EQUAL(vs.script, "/opt/s/vif-nat");
		CU_ASSERT_EQUAL(vifspec_parse("", &o, &vs, err, sizeof(err)),
		    0);
		CU_ASSERT_STRING_EQUAL(vs.script, "/opt/s/vif-bridge");
	}
	/* No options at all: defaults, and a MAC from zero bytes. */
	CU_ASSERT_EQUAL(vifspec_parse("", NULL, &vs, NULL, 0), 0);
	mac_is("00:16:3e:00:00:00");
}

static void
test_spec_values(void)
{
	CU_ASSERT_EQUAL(parse("mtu=68"), 0);
	CU_ASSERT_EQUAL(vs.mtu, 68);
	CU_ASSERT_EQUAL(parse("mtu=65535"), 0);
	CU_ASSERT_EQUAL(parse("mtu=01500"), 0);
	CU_ASSERT_EQUAL(vs.mtu, 1500);
	CU_ASSERT(vs.mtu_given);
	CU_ASSERT_EQUAL(parse("devid=0"), 0);
	CU_ASSERT(vs.devid_given);
	CU_ASSERT_EQUAL(parse("devid=2147483647"), 0);
	CU_ASSERT_EQUAL(vs.devid, 2147483647u);
	CU_ASSERT_EQUAL(parse("backend=0"), 0);
	CU_ASSERT_EQUAL(parse("backend=32751"), 0);
	CU_ASSERT_EQUAL(vs.backend_domid, 32751);
	/* The all-zero MAC means "generate one", as libxl. */
	CU_ASSERT_EQUAL(parse("mac=00:00:00:00:00:00"), 0);
	CU_ASSERT(vs.mac_generated);
	mac_is("00:16:3e:01:02:03");
	CU_ASSERT_EQUAL(parse("mac=02-00-00-00-00-01"), 0);
	mac_is("02:00:00:00:00:01");
	CU_ASSERT_EQUAL(parse("vifname=123456789012345"), 0);
	CU_ASSERT_EQUAL(parse("ip=192.168.1.1"), 0);
	CU_ASSERT_EQUAL(parse("ip=10.0.0.0/8  10.1.0.1 ::1"), 0);
	CU_ASSERT_EQUAL(parse("bridge=ovsbr0.10"), 0);
	CU_ASSERT_STRING_EQUAL(vs.bridge, "ovsbr0.10");
	CU_ASSERT_EQUAL(parse("bridge=ovsbr0:10:20"), 0);
	CU_ASSERT_STRING_EQUAL(vs.bridge, "ovsbr0:10:20");
	CU_ASSERT_EQUAL(parse("bridge=ovsbr0.10:20:4094"), 0);
	CU_ASSERT_EQUAL(parse("bridge=a23456789012345:1"), 0);
	CU_ASSERT_EQUAL(parse("vlan=10"), 0);
	CU_ASSERT_EQUAL(parse("vlan=10u"), 0);
	CU_ASSERT_EQUAL(parse("vlan=10p"), 0);
	CU_ASSERT_EQUAL(parse("vlan=10p/100+10x4"), 0);
	CU_ASSERT_EQUAL(parse("vlan=10p/20-30u/4094"), 0);
	CU_ASSERT_EQUAL(parse("model=virtio-net-pci"), 0);
	CU_ASSERT_EQUAL(parse("netdev=eth0"), 0);
	CU_ASSERT_STRING_EQUAL(vs.gatewaydev, "eth0");
	CU_ASSERT_EQUAL(vs.n_warn, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(vs.warn[0], "deprecated"));
	CU_ASSERT_EQUAL(parse("accel=netfront,bridge=br0"), 0);
	CU_ASSERT_EQUAL(vs.n_warn, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(vs.warn[0], "accel"));
	CU_ASSERT_STRING_EQUAL(vs.bridge, "br0");
}

static void
test_spec_whitespace(void)
{
	/* Leading spaces of an item are skipped, as xl does. */
	CU_ASSERT_EQUAL(parse("  bridge=br1,   mac=00:16:3e:00:00:01 ,"),
	    -EINVAL);
	/* ...but not trailing ones: "00:16:3e:00:00:01 " is no MAC. */
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "mac='00:16:3e:00:00:01 ':"));
	CU_ASSERT_EQUAL(parse("  bridge=br1,   mac=00:16:3e:00:00:01,  "), 0);
	CU_ASSERT_STRING_EQUAL(vs.bridge, "br1");
	mac_is("00:16:3e:00:00:01");
	/* Only ' ' is skipped: a tab starts an unknown key. */
	CU_ASSERT_EQUAL(parse("\tbridge=br1"), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "\\x09bridge=br1"));
	/* A space before '=' is part of the key. */
	CU_ASSERT_EQUAL(parse("bridge =br1"), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown key"));
	/* A trailing space in a name. */
	CU_ASSERT_EQUAL(parse("bridge=br1 "), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "bridge='br1 ':"));
	/* Flags with leading spaces. */
	CU_ASSERT_EQUAL(parse("bridge=br1, untrusted"), 0);
	CU_ASSERT_FALSE(vs.trusted);
}

static void
test_spec_repeat(void)
{
	CU_ASSERT_EQUAL(parse("bridge=br1,bridge=br2"), 0);
	CU_ASSERT_STRING_EQUAL(vs.bridge, "br2");
	CU_ASSERT_EQUAL(vs.n_warn, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(vs.warn[0], "bridge="));
	CU_ASSERT_EQUAL(parse("untrusted,trusted"), 0);
	CU_ASSERT(vs.trusted);
	CU_ASSERT_EQUAL(parse("trusted,untrusted"), 0);
	CU_ASSERT_FALSE(vs.trusted);
	CU_ASSERT_EQUAL(parse("mac=00:16:3e:00:00:01,mac=00:00:00:00:00:00"),
	    0);
	CU_ASSERT(vs.mac_generated);
	CU_ASSERT_EQUAL(parse("forwarddev=a,forwarddev=b"), 0);
	CU_ASSERT_EQUAL_FATAL(vs.n_extra, 1);
	CU_ASSERT_STRING_EQUAL(vs.extra[0].value, "b");
	/* Warnings are bounded. */
	CU_ASSERT_EQUAL(parse("mtu=1500,mtu=1500,mtu=1500,mtu=1500,mtu=1500,"
	    "mtu=1500,mtu=1500,mtu=1500,mtu=1500,mtu=1500,mtu=1500,mtu=1500"),
	    0);
	CU_ASSERT_EQUAL(vs.n_warn, VIFSPEC_MAX_WARN);
}

/* A malformed spec and what the message must contain (the item as
 * written, KEY=VALUE, and a reason). */
struct bad_case {
	const char *spec;
	const char *want;
};

static const struct bad_case bad_cases[] = {
	{ "foo=bar", "'foo=bar': unknown key" },
	{ "foo", "'foo': unknown flag" },
	{ "mac", "'mac': the mac key needs a value" },
	{ "=x", "'=x': unknown key" },
	{ "Mac=00:16:3e:00:00:01", "'Mac=00:16:3e:00:00:01': unknown key" },
	{ "trusted=1", "'trusted=1': unknown key" },
	{ "mac=", "mac='': not a MAC" },
	{ "mac=00:16:3e:00:00", "mac='00:16:3e:00:00': not a MAC" },
	{ "mac=00:16:3e:00:00:0g", "mac='00:16:3e:00:00:0g': not a MAC" },
	{ "mac=01:00:5e:00:00:01", "mac='01:00:5e:00:00:01': a multicast" },
	{ "bridge=", "bridge='': empty interface name" },
	{ "bridge=a234567890123456", "bridge='a234567890123456': interface "
	    "name longer" },
	{ "bridge=br/0", "bridge='br/0': interface names may not" },
	/* Xen's vif-openvswitch syntax: BRIDGE[.VLAN][:TRUNK...] */
	{ "bridge=br:0", "bridge='br:0': after BRIDGE: expected :TRUNK VLAN" },
	{ "bridge=br:", "bridge='br:': after BRIDGE: expected :TRUNK VLAN" },
	{ "bridge=br:10:", "bridge='br:10:': after BRIDGE: expected :TRUNK" },
	{ "bridge=br:10x", "bridge='br:10x': after BRIDGE: expected :TRUNK" },
	{ "bridge=br:4095", "bridge='br:4095': after BRIDGE: expected" },
	{ "bridge=:10", "bridge=':10': empty interface name" },
	{ "bridge=a234567890123456:10", "bridge='a234567890123456:10': "
	    "interface name longer" },
	{ "bridge=..", "bridge='..': not a valid interface name" },
	{ "bridge=br\x01", "bridge='br\\x01': control characters" },
	{ "bridge=br\xc3\xa9", "bridge='br\\xc3\\xa9': interface names" },
	{ "gatewaydev=eth 0", "gatewaydev='eth 0': interface names" },
	{ "netdev=", "netdev='': empty interface name" },
	{ "vifname=", "vifname='': empty" },
	{ "vifname=vif1.0.very.long", "vifname='vif1.0.very.long': interface "
	    "name longer" },
	{ "type=pv", "type='pv': expected vif or ioemu" },
	{ "type=", "type='': expected vif or ioemu" },
	{ "model=", "model='': expected a device model name" },
	{ "model=e1000 -x", "model='e1000 -x': a model name is" },
	{ "script=", "script='': empty script name" },
	{ "ip=", "ip='': no address" },
	{ "ip=10.0.0.256", "ip='10.0.0.256': expected IPv4 or IPv6" },
	{ "ip=host.example", "ip='host.example': expected IPv4" },
	{ "ip=10.0.0.1/33", "ip='10.0.0.1/33': bad prefix length" },
	{ "ip=10.0.0.1/", "ip='10.0.0.1/': bad prefix length" },
	{ "backend=", "backend='': empty backend domain" },
	{ "backend=32752", "backend='32752': a domain id is 0..32751" },
	{ "backend=a/b", "backend='a/b': expected a domain id or a domain "
	    "name" },
	{ "backend=-1", "backend='-1': expected a domain id" },
	{ "rate=", "rate='': no rate specified" },
	{ "rate=10ZB/s", "rate='10ZB/s': invalid rate" },
	{ "rate=0B/s", "rate='0B/s': rate overflow" },
	{ "rate=1MB/s@10h", "rate='1MB/s@10h': invalid replenishment "
	    "interval" },
	{ "rate=1MB/s@0ms", "rate='1MB/s@0ms': replenishment interval "
	    "overflow" },
	{ "mtu=", "mtu='': expected a decimal MTU" },
	{ "mtu=67", "mtu='67': expected a decimal MTU in 68..65535" },
	{ "mtu=65536", "mtu='65536': expected a decimal MTU" },
	{ "mtu=1500abc", "mtu='1500abc': expected a decimal MTU" },
	{ "mtu= 1500", "mtu=' 1500': expected a decimal MTU" },
	{ "mtu=-1", "mtu='-1': expected a decimal MTU" },
	{ "mtu=0", "mtu='0': expected a decimal MTU" },
	{ "devid=", "devid='': expected a decimal device id" },
	{ "devid=2147483648", "devid='2147483648': expected a decimal device" },
	{ "devid=0x1", "devid='0x1': expected a decimal device id" },
	{ "devid=99999999999999999999999", "devid='99999999999999999999999': "
	    "expected" },
	{ "vlan=", "vlan='': expected a VLAN ID" },
	{ "vlan=0", "vlan='0': VLAN IDs are 1..4094" },
	{ "vlan=4095", "vlan='4095': VLAN IDs are 1..4094" },
	{ "vlan=10/20", "vlan='10/20': one VLAN must be marked as the PVID" },
	{ "vlan=10p/20p", "vlan='10p/20p': more than one PVID" },
	{ "vlan=30-20", "vlan='30-20': a VLAN range must not go down" },
	{ "vlan=4000+100x2p", "vlan='4000+100x2p': the VLAN sequence goes "
	    "past" },
	{ "vlan=10+5y2", "vlan='10+5y2': expected VLAN+OFFSETxCOUNT" },
	{ "vlan=10p,", NULL },	/* valid: trailing comma */
	{ "vlan=10p//20", "vlan='10p//20': expected a VLAN ID" },
	{ "forwarddev=", "forwarddev='': empty value" },
	{ "colo_checkpoint_host=\x7f", "colo_checkpoint_host='\\x7f': "
	    "control characters" },
	{ "colo_nope=1", "'colo_nope=1': unknown key" },
};

static void
test_spec_bad(void)
{
	size_t i;
	int rc;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];

		rc = parse(c->spec);
		if (c->want == NULL) {
			CU_ASSERT_EQUAL(rc, 0);
			continue;
		}
		if (rc != -EINVAL || strstr(err, c->want) == NULL) {
			printf("# spec '%s': rc %d, message '%s' (want '%s')\n",
			    c->spec, rc, err, c->want);
			CU_FAIL("bad spec");
		}
	}
	/* Good items before the bad one do not matter: the bad one is
	 * named. */
	CU_ASSERT_EQUAL(parse("bridge=br0,mac=00:16:3e:00:00:01,mtu=big"),
	    -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "mtu='big'"));
	CU_ASSERT_PTR_NULL(strstr(err, "bridge"));
}

static void
test_spec_limits(void)
{
	static char big[VIFSPEC_MAX_LEN + 2];
	size_t i;
	int n;

	/* The longest spec is accepted... */
	memset(big, ',', VIFSPEC_MAX_LEN);
	big[VIFSPEC_MAX_LEN] = '\0';
	CU_ASSERT_EQUAL(parse(big), 0);
	/* ...one byte more is not. */
	big[VIFSPEC_MAX_LEN] = ',';
	big[VIFSPEC_MAX_LEN + 1] = '\0';
	CU_ASSERT_EQUAL(parse(big), -E2BIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "4096"));
	/* A long bad value is cut in the message. */
	memcpy(big, "bridge=", 7);
	memset(big + 7, 'x', 3000);
	big[3007] = '\0';
	CU_ASSERT_EQUAL(parse(big), -EINVAL);
	CU_ASSERT(strlen(err) < 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "..."));
	/* A too long script path. */
	n = snprintf(big, sizeof(big), "script=/");
	for (i = 0; i < VIFSPEC_SCRIPT_MAX; i++)
		big[n++] = 'a';
	big[n] = '\0';
	CU_ASSERT_EQUAL(parse(big), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "too long"));
	/* A tiny error buffer is never overrun. */
	{
		char tiny[8];

		memset(tiny, 'Z', sizeof(tiny));
		CU_ASSERT_EQUAL(vifspec_parse("mtu=x", NULL, &vs, tiny, 4),
		    -EINVAL);
		CU_ASSERT_EQUAL(tiny[3], '\0');
		CU_ASSERT_EQUAL(tiny[4], 'Z');
	}
}

/* Every byte string of a small alphabet up to length 4 after a key:
 * nothing crashes, and every rejection has a message. */
static void
test_spec_exhaustive_short(void)
{
	static const char alpha[] = "a0:=,@ x/\x01";
	static const char *const keys[] = { "mac=", "bridge=", "rate=",
	    "mtu=", "ip=", "vlan=", "backend=", "" };
	char spec[32];
	size_t k, len, i, na = sizeof(alpha) - 1;
	unsigned long idx, total;
	int rc;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		for (len = 0; len <= 4; len++) {
			total = 1;
			for (i = 0; i < len; i++)
				total *= na;
			for (idx = 0; idx < total; idx++) {
				unsigned long x = idx;
				size_t o = strlen(keys[k]);

				memcpy(spec, keys[k], o);
				for (i = 0; i < len; i++, x /= na)
					spec[o++] = alpha[x % na];
				spec[o] = '\0';
				rc = parse(spec);
				if (rc != 0 && err[0] == '\0')
					CU_FAIL("rejection without message");
			}
		}
	}
}

/* ---- nodes -------------------------------------------------------------- */

struct want_node {
	const char *path;
	const char *value;
	enum vifspec_perm perm;
};

static void
check_nodes(const struct vifspec_ids *ids, const struct want_node *want,
    size_t nwant)
{
	static struct vifspec_node nodes[VIFSPEC_MAX_NODES];
	int n, i;

	n = vifspec_nodes(&vs, ids, nodes, VIFSPEC_MAX_NODES);
	CU_ASSERT_EQUAL_FATAL(n, (int)nwant);
	for (i = 0; i < n; i++) {
		if (strcmp(nodes[i].path, want[i].path) != 0 ||
		    strcmp(vifspec_node_value(&nodes[i]), want[i].value) != 0 ||
		    nodes[i].perm != want[i].perm) {
			printf("# node %d: %s = \"%s\" (%d), want %s = \"%s\" "
			    "(%d)\n", i, nodes[i].path,
			    vifspec_node_value(&nodes[i]), nodes[i].perm,
			    want[i].path, want[i].value, want[i].perm);
			CU_FAIL("node");
		}
		if (i > 0)
			CU_ASSERT(strcmp(nodes[i - 1].path, nodes[i].path) < 0);
	}
}

#define B VIFSPEC_PERM_BACKEND
#define F VIFSPEC_PERM_FRONTEND
#define R VIFSPEC_PERM_FRONTEND_RO

static void
test_nodes_default(void)
{
	static const struct want_node want[] = {
		{ "/local/domain/0/backend/vif/5/0/bridge", "xenbr0", B },
		{ "/local/domain/0/backend/vif/5/0/frontend",
		    "/local/domain/5/device/vif/0", B },
		{ "/local/domain/0/backend/vif/5/0/frontend-id", "5", B },
		{ "/local/domain/0/backend/vif/5/0/handle", "0", B },
		{ "/local/domain/0/backend/vif/5/0/hotplug-status", "", B },
		{ "/local/domain/0/backend/vif/5/0/mac", "00:16:3e:01:02:03",
		    B },
		{ "/local/domain/0/backend/vif/5/0/online", "1", B },
		{ "/local/domain/0/backend/vif/5/0/script",
		    "/etc/xen/scripts/vif-bridge", B },
		{ "/local/domain/0/backend/vif/5/0/state", "1", B },
		{ "/local/domain/0/backend/vif/5/0/type", "vif", B },
		{ "/local/domain/5/device/vif/0/backend",
		    "/local/domain/0/backend/vif/5/0", F },
		{ "/local/domain/5/device/vif/0/backend-id", "0", F },
		{ "/local/domain/5/device/vif/0/handle", "0", F },
		{ "/local/domain/5/device/vif/0/mac", "00:16:3e:01:02:03", F },
		{ "/local/domain/5/device/vif/0/mtu", "1500", R },
		{ "/local/domain/5/device/vif/0/state", "1", F },
		{ "/local/domain/5/device/vif/0/trusted", "1", F },
	};
	struct vifspec_ids ids = { .domid = 5, .devid = 0, .backend_domid = 0 };

	CU_ASSERT_EQUAL_FATAL(parse(""), 0);
	check_nodes(&ids, want, sizeof(want) / sizeof(want[0]));
}

static void
test_nodes_full(void)
{
	static const struct want_node want[] = {
		{ "/local/domain/2/backend/vif/7/3/bridge", "br1", B },
		{ "/local/domain/2/backend/vif/7/3/colo_checkpoint_port",
		    "8000", B },
		{ "/local/domain/2/backend/vif/7/3/forwarddev", "eth1", B },
		{ "/local/domain/2/backend/vif/7/3/frontend",
		    "/local/domain/7/device/vif/3", B },
		{ "/local/domain/2/backend/vif/7/3/frontend-id", "7", B },
		{ "/local/domain/2/backend/vif/7/3/gatewaydev", "eth0", B },
		{ "/local/domain/2/backend/vif/7/3/handle", "3", B },
		{ "/local/domain/2/backend/vif/7/3/hotplug-status", "", B },
		{ "/local/domain/2/backend/vif/7/3/ip", "10.0.0.7", B },
		{ "/local/domain/2/backend/vif/7/3/mac", "00:16:3e:aa:bb:cc",
		    B },
		{ "/local/domain/2/backend/vif/7/3/mtu", "9000", B },
		{ "/local/domain/2/backend/vif/7/3/online", "1", B },
		{ "/local/domain/2/backend/vif/7/3/rate", "62500,50000", B },
		{ "/local/domain/2/backend/vif/7/3/script", "/s/vif-route", B },
		{ "/local/domain/2/backend/vif/7/3/state", "1", B },
		{ "/local/domain/2/backend/vif/7/3/type", "vif_ioemu", B },
		{ "/local/domain/2/backend/vif/7/3/vifname", "web0", B },
		{ "/local/domain/2/backend/vif/7/3/vlan", "10", B },
		{ "/local/domain/7/device/vif/3/backend",
		    "/local/domain/2/backend/vif/7/3", F },
		{ "/local/domain/7/device/vif/3/backend-id", "2", F },
		{ "/local/domain/7/device/vif/3/handle", "3", F },
		{ "/local/domain/7/device/vif/3/mac", "00:16:3e:aa:bb:cc", F },
		{ "/local/domain/7/device/vif/3/mtu", "9000", R },
		{ "/local/domain/7/device/vif/3/state", "1", F },
		{ "/local/domain/7/device/vif/3/trusted", "0", F },
	};
	/* ids win over the spec's devid= and backend=. */
	struct vifspec_ids ids = { .domid = 7, .devid = 3, .backend_domid = 2 };

	CU_ASSERT_EQUAL_FATAL(parse("mac=00:16:3e:aa:bb:cc,bridge=br1,"
	    "gatewaydev=eth0,type=ioemu,model=e1000,vifname=web0,"
	    "script=/s/vif-route,ip=10.0.0.7,backend=9,rate=10Mb/s,mtu=9000,"
	    "devid=1,vlan=10,forwarddev=eth1,colo_checkpoint_port=8000,"
	    "untrusted"), 0);
	check_nodes(&ids, want, sizeof(want) / sizeof(want[0]));
}

static void
test_nodes_limits(void)
{
	static struct vifspec_node nodes[VIFSPEC_MAX_NODES];
	struct vifspec_ids ids = { .domid = 32751, .devid = 2147483647u,
	    .backend_domid = 32751 };
	char buf[VIFSPEC_PATH_MAX];

	CU_ASSERT_EQUAL_FATAL(parse(""), 0);
	CU_ASSERT_EQUAL(vifspec_nodes(&vs, &ids, nodes, VIFSPEC_MAX_NODES), 17);
	CU_ASSERT_EQUAL(vifspec_nodes(&vs, &ids, nodes, 16), -ENOSPC);
	ids.domid = 32752;
	CU_ASSERT_EQUAL(vifspec_nodes(&vs, &ids, nodes, VIFSPEC_MAX_NODES),
	    -EINVAL);
	ids.domid = 1;
	ids.backend_domid = 40000;
	CU_ASSERT_EQUAL(vifspec_nodes(&vs, &ids, nodes, VIFSPEC_MAX_NODES),
	    -EINVAL);
	ids.backend_domid = 0;
	ids.devid = 2;
	CU_ASSERT(vifspec_backend_dir(&ids, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "/local/domain/0/backend/vif/1/2");
	CU_ASSERT(vifspec_frontend_dir(&ids, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "/local/domain/1/device/vif/2");
	CU_ASSERT_EQUAL(vifspec_frontend_dir(&ids, buf, 10), -ENOSPC);
}

/* Every COLO key at once still fits, and each is written. */
static void
test_nodes_all_extras(void)
{
	static const char *const colo[] = { "forwarddev",
	    "colo_sock_mirror_id", "colo_sock_mirror_ip",
	    "colo_sock_mirror_port", "colo_sock_compare_pri_in_id",
	    "colo_filter_sec_redirector1_outdev",
	    "colo_filter_sec_rewriter0_queue", "colo_checkpoint_host",
	    "colo_checkpoint_port" };
	static struct vifspec_node nodes[VIFSPEC_MAX_NODES];
	static char spec[2048];
	struct vifspec_ids ids = { .domid = 1 };
	size_t i, o = 0;
	int n;

	for (i = 0; i < sizeof(colo) / sizeof(colo[0]); i++)
		o += (size_t)snprintf(spec + o, sizeof(spec) - o, "%s=v%zu,",
		    colo[i], i);
	CU_ASSERT_EQUAL_FATAL(parse(spec), 0);
	CU_ASSERT_EQUAL(vs.n_extra, sizeof(colo) / sizeof(colo[0]));
	n = vifspec_nodes(&vs, &ids, nodes, VIFSPEC_MAX_NODES);
	CU_ASSERT_EQUAL(n, 17 + (int)(sizeof(colo) / sizeof(colo[0])));
}

static CU_TestInfo rate_tests[] = {
	{ "check-xl-vif-parse vectors and quirks", test_rate_table },
	{ "bytes,usec format", test_rate_format },
	{ "generated strings: no crash, messages",
	    test_rate_generated_robust },
	CU_TEST_INFO_NULL,
};

#ifdef HAVE_XLUTIL
static CU_TestInfo xlu_tests[] = {
	{ "table agrees with xlu_vif_parse_rate", test_rate_diff_table },
	{ "50000 generated strings agree with xlu_vif_parse_rate",
	    test_rate_diff_generated },
	CU_TEST_INFO_NULL,
};
#endif

static CU_TestInfo mac_tests[] = {
	{ "generate: Xen OUI and locally administered", test_mac_generate },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo spec_tests[] = {
	{ "empty spec: libxl's defaults", test_spec_empty },
	{ "every key and flag", test_spec_every_key },
	{ "values at their limits", test_spec_values },
	{ "whitespace as xl", test_spec_whitespace },
	{ "repeated keys: the last wins", test_spec_repeat },
	{ "malformed: the message names key and value", test_spec_bad },
	{ "length limits", test_spec_limits },
	{ "exhaustive short values", test_spec_exhaustive_short },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo node_tests[] = {
	{ "default vif", test_nodes_default },
	{ "every key", test_nodes_full },
	{ "id limits and small arrays", test_nodes_limits },
	{ "colo pass-through keys", test_nodes_all_extras },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "rate", NULL, NULL, NULL, NULL, rate_tests },
#ifdef HAVE_XLUTIL
	{ "rate vs xlutil", xlu_setup, xlu_teardown, NULL, NULL, xlu_tests },
#endif
	{ "mac", NULL, NULL, NULL, NULL, mac_tests },
	{ "spec", NULL, NULL, NULL, NULL, spec_tests },
	{ "nodes", NULL, NULL, NULL, NULL, node_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
