/*
 * test_vlanspec.c - the `vifd-vlan` grammar (src/core/vlanspec.c): access
 * ports, trunks with and without a native VLAN, and every refusal with
 * the part it names.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cu_tap.h"
#include "core/vlanspec.h"

static void
test_access(void)
{
	struct vlanspec vs;
	char err[128];

	CU_ASSERT_EQUAL_FATAL(vlanspec_parse("10", &vs, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(vs.trunk);
	CU_ASSERT_EQUAL(vs.n, 1);
	CU_ASSERT_EQUAL(vs.v[0].vid, 10);
	CU_ASSERT_TRUE(vs.v[0].pvid);
	CU_ASSERT_TRUE(vs.v[0].untagged);
	CU_ASSERT_EQUAL(vlanspec_parse("1", &vs, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(vlanspec_parse("4094", &vs, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(vs.v[0].vid, 4094);
}

static void
test_trunk(void)
{
	struct vlanspec vs;
	char err[128];

	CU_ASSERT_EQUAL_FATAL(vlanspec_parse("trunk:10,20", &vs, err,
	    sizeof(err)), 0);
	CU_ASSERT_TRUE(vs.trunk);
	CU_ASSERT_EQUAL(vs.n, 2);
	CU_ASSERT_EQUAL(vs.v[1].vid, 20);
	CU_ASSERT_FALSE(vs.v[0].pvid || vs.v[0].untagged);
	CU_ASSERT_FALSE(vs.v[1].pvid || vs.v[1].untagged);
	CU_ASSERT_EQUAL_FATAL(vlanspec_parse("trunk:10,20=native-untagged,30",
	    &vs, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(vs.n, 3);
	CU_ASSERT_TRUE(vs.v[1].pvid && vs.v[1].untagged);
	CU_ASSERT_FALSE(vs.v[2].pvid);
	CU_ASSERT_EQUAL_FATAL(vlanspec_parse("trunk:7=native-tagged", &vs, err,
	    sizeof(err)), 0);
	CU_ASSERT_TRUE(vs.v[0].pvid);
	CU_ASSERT_FALSE(vs.v[0].untagged);
}

static void
test_refused(void)
{
	static const struct { const char *s, *why; } bad[] = {
		{ "", "an empty VLAN id" },
		{ "0", "VLAN '0' is not in 1..4094" },
		{ "4095", "VLAN '4095' is not in 1..4094" },
		{ "10x", "VLAN '10x' is not in" },
		{ " 10", "VLAN ' 10' is not in" },
		{ "-1", "VLAN '-1' is not in" },
		{ "010000000", "VLAN '010000000' is not in" },
		{ "10,20", "VLAN '10,20' is not in" },
		{ "trunk:", "an empty VLAN id" },
		{ "trunk:10,", "an empty VLAN id" },
		{ "trunk:,10", "an empty VLAN id" },
		{ "trunk:10,10", "VLAN 10 twice" },
		{ "trunk:10=native", "'native': not native-untagged" },
		{ "trunk:10=native-untagged,20=native-tagged",
		  "more than one native VLAN" },
		{ "trunk:5000", "VLAN '5000' is not in" },
		{ "Trunk:10", "VLAN 'Trunk:10' is not in" },
	};
	struct vlanspec vs;
	char err[128], many[1024];
	size_t i, n = 0;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(vlanspec_parse(bad[i].s, &vs, err, sizeof(err)),
		    -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].why));
		if (strstr(err, bad[i].why) == NULL)
			printf("# \"%s\": \"%s\"\n", bad[i].s, err);
	}
	/* VLANSPEC_MAX VLANs pass, one more does not. */
	n = (size_t)snprintf(many, sizeof(many), "trunk:");
	for (i = 1; i <= VLANSPEC_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%s%zu",
		    i > 1 ? "," : "", i);
	CU_ASSERT_EQUAL(vlanspec_parse(many, &vs, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(vs.n, VLANSPEC_MAX);
	snprintf(many + n, sizeof(many) - n, ",100");
	CU_ASSERT_EQUAL(vlanspec_parse(many, &vs, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than 64 VLANs"));
}

static void
test_ovs(void)
{
	static const struct { const char *spec, *tag, *trunks, *mode; } t[] = {
		{ "10", "10", "[]", "access" },
		{ "trunk:10,20", "[]", "10,20", "trunk" },
		{ "trunk:10,20=native-untagged", "20", "10,20",
		  "native-untagged" },
		{ "trunk:7=native-tagged,8", "7", "7,8", "native-tagged" },
	};
	struct vlanspec vs;
	char err[128], tag[8], trunks[VLANSPEC_MAX * 5];
	const char *mode;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(vlanspec_parse(t[i].spec, &vs, err,
		    sizeof(err)), 0);
		CU_ASSERT_EQUAL(vlanspec_ovs(&vs, tag, sizeof(tag), trunks,
		    sizeof(trunks), &mode), 0);
		CU_ASSERT_STRING_EQUAL(tag, t[i].tag);
		CU_ASSERT_STRING_EQUAL(trunks, t[i].trunks);
		CU_ASSERT_STRING_EQUAL(mode, t[i].mode);
	}
	CU_ASSERT_EQUAL(vlanspec_ovs(NULL, tag, sizeof(tag), trunks,
	    sizeof(trunks), &mode), 0);
	CU_ASSERT_STRING_EQUAL(tag, "[]");
	CU_ASSERT_STRING_EQUAL(trunks, "[]");
	CU_ASSERT_STRING_EQUAL(mode, "[]");
	CU_ASSERT_EQUAL_FATAL(vlanspec_parse("trunk:1000,2000,3000", &vs, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(vlanspec_ovs(&vs, tag, sizeof(tag), trunks, 10, &mode),
	    -ENOSPC);
}

static CU_TestInfo vlanspec_tests[] = {
	{ "as Open vSwitch's Port columns", test_ovs },
	{ "an access port", test_access },
	{ "trunks and the native VLAN", test_trunk },
	{ "refusals name the bad part", test_refused },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "vlanspec", NULL, NULL, NULL, NULL, vlanspec_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
