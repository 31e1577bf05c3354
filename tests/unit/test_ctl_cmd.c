/*
 * test_ctl_cmd.c - the control socket's request grammar
 * (src/core/ctl_cmd.c): the four commands, line ends, the strict numbers
 * and spacing, the quoted error echo, and the canonical text.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "cu_tap.h"
#include "core/ctl_cmd.h"

static void
test_good(void)
{
	struct ctl_cmd c;
	char err[128];

	CU_ASSERT_EQUAL(ctl_cmd_parse("list", &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.kind, CTL_CMD_LIST);
	CU_ASSERT_EQUAL(ctl_cmd_parse("stats\r\n", &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.kind, CTL_CMD_STATS_ALL);
	CU_ASSERT_EQUAL(ctl_cmd_parse("stats 5 0\nignored", &c, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.kind, CTL_CMD_STATS_ONE);
	CU_ASSERT_EQUAL(c.domid, 5);
	CU_ASSERT_EQUAL(c.devid, 0);
	CU_ASSERT_EQUAL(ctl_cmd_parse("stats 4294967295 007", &c, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.domid, 4294967295u);
	CU_ASSERT_EQUAL(c.devid, 7);
	CU_ASSERT_EQUAL(ctl_cmd_parse("verbose 3", &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.kind, CTL_CMD_VERBOSE);
	CU_ASSERT_EQUAL(c.verbose, 3);
}

/* What sscanf("%u") took and the grammar does not: signs, spaces, junk,
 * out-of-range numbers. */
static void
test_bad(void)
{
	static const char *bad[] = {
		"", "lis", "list ", " list", "stats ", "stats 1", "stats 1 ",
		"stats 1  2", "stats  1 2", "stats -1 0", "stats +1 0",
		"stats 1 2 3", "stats 4294967296 0", "stats 1 x", "verbose",
		"verbose 4", "verbose -4294967295", "verbose 1x", "LIST",
	};
	struct ctl_cmd c;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(ctl_cmd_parse(bad[i], &c, err, sizeof(err)),
		    -EINVAL);
		CU_ASSERT(err[0] != '\0');
	}
	ctl_cmd_parse("stats 1 x", &c, err, sizeof(err));
	CU_ASSERT_STRING_EQUAL(err, "'stats 1 x': stats takes DOMID DEVID, "
	    "two decimal numbers");
	/* Control characters are not echoed back raw. */
	ctl_cmd_parse("\x1b[2Jboom", &c, err, sizeof(err));
	CU_ASSERT_PTR_NULL(strchr(err, '\x1b'));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "'?[2Jboom'"));
}

static void
test_format(void)
{
	struct ctl_cmd c = { .kind = CTL_CMD_STATS_ONE, .domid = 12,
	    .devid = 3 };
	char buf[32];

	CU_ASSERT_EQUAL(ctl_cmd_format(&c, buf, sizeof(buf)), 10);
	CU_ASSERT_STRING_EQUAL(buf, "stats 12 3");
	CU_ASSERT_EQUAL(ctl_cmd_format(&c, buf, 10), -ENOSPC);
	c.kind = CTL_CMD_VERBOSE;
	c.verbose = 2;
	CU_ASSERT_EQUAL(ctl_cmd_format(&c, buf, sizeof(buf)), 9);
	CU_ASSERT_STRING_EQUAL(buf, "verbose 2");
}

static CU_TestInfo ctl_cmd_tests[] = {
	{ "the four commands", test_good },
	{ "malformed requests refused, quoted", test_bad },
	{ "canonical text", test_format },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "ctl_cmd", NULL, NULL, NULL, NULL, ctl_cmd_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
