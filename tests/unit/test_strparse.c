/*
 * test_strparse.c - the one parser of decimal numbers and of MAC
 * addresses every module uses (src/core/strparse.c), under each of the rules
 * its callers choose: the backend's `mac` key, xl's vif= mac, and the
 * strict two-digit form of vif-guest.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cu_tap.h"
#include "core/strparse.h"

/* The backend's `mac` key: one or two digits a group, ':' only. */
static void
test_mac_backend(void)
{
	static const char *bad[] = {
		"", "00:16:3e:01:02", "00:16:3e:01:02:03:", "00:16:3e:01:02:03:04",
		"00-16-3e-01-02-03", "0016.3e01.0203", "001:16:3e:01:02:03",
		"00:16:3e:01:02:003", "0x0:16:3e:01:02:03", "00:16:3e:01:02:0g",
		" 00:16:3e:01:02:03", "00:16:3e:01:02:03 ", "00:16:3e:01:02:03\n",
		"00::3e:01:02:03", ":00:16:3e:01:02", "00:16:3e:01:02:-1",
		"00:16:3e:01:02:+1", "g0:16:3e:01:02:03",
	};
	uint8_t mac[6];
	size_t i;

	CU_ASSERT_EQUAL(strparse_mac("00:16:3e:01:02:03", 0, mac), 0);
	CU_ASSERT_EQUAL(memcmp(mac, "\x00\x16\x3e\x01\x02\x03", 6), 0);
	CU_ASSERT_EQUAL(strparse_mac("FE:ff:Ab:cD:EF:99", 0, mac), 0);
	CU_ASSERT_EQUAL(memcmp(mac, "\xfe\xff\xab\xcd\xef\x99", 6), 0);
	/* One digit per group, as Linux's strtoul takes it. */
	CU_ASSERT_EQUAL(strparse_mac("0:16:3e:1:2:f", 0, mac), 0);
	CU_ASSERT_EQUAL(memcmp(mac, "\x00\x16\x3e\x01\x02\x0f", 6), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(mac, 0x55, sizeof(mac));
		CU_ASSERT_EQUAL(strparse_mac(bad[i], 0, mac), -EINVAL);
		CU_ASSERT_EQUAL(memcmp(mac, "\x55\x55\x55\x55\x55\x55", 6), 0);
		if (strparse_mac(bad[i], 0, mac) != -EINVAL)
			printf("# accepted \"%s\"\n", bad[i]);
	}
}

/* xl's vif= mac: one or two digits a group, ':' or '-' throughout. */
static void
test_mac_xl(void)
{
	static const char *const good[] = {
		"00:16:3e:12:34:56", "00:16:3E:12:34:56", "0:16:3e:1:2:3",
		"00-16-3e-12-34-56", "fe:ff:ff:ff:ff:ff",
	};
	static const char *const bad[] = {
		"", "00:16:3e:12:34", "00:16:3e:12:34:56:78",
		"00:16:3e:12:34:56 ", " 00:16:3e:12:34:56", "00:16-3e:12:34:56",
		"00:16:3e:12:34:5g", "000:16:3e:12:34:56", "00::3e:12:34:56",
		"00.16.3e.12.34.56", "0x0:16:3e:12:34:56", "00:16:3e:12:34:",
		"001122334455", "00:16:3e:12:34:+5",
	};
	uint8_t mac[6];
	size_t i;

	CU_ASSERT_EQUAL(strparse_mac("00:16:3E:0a:B0:1", STRPARSE_MAC_DASH,
	    mac), 0);
	CU_ASSERT_EQUAL(memcmp(mac, "\x00\x16\x3e\x0a\xb0\x01", 6), 0);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CU_ASSERT_EQUAL(strparse_mac(good[i], STRPARSE_MAC_DASH, mac),
		    0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (strparse_mac(bad[i], STRPARSE_MAC_DASH, mac) != -EINVAL) {
			printf("# accepted bad mac '%s'\n", bad[i]);
			CU_FAIL("bad mac accepted");
		}
	}
}

/* vif-guest's --dst-mac and the frontend's mac key it reads: exactly
 * two digits a group, as Linux's mac_pton. */
static void
test_mac_strict(void)
{
	static const char *const bad[] = {
		"0:16:3e:01:02:03", "00:16:3e:1:02:03", "00:16:3e:01:02:3",
		"00-16-3e-01-02-03", "00:16:3e:01:02:03:", "00:16:3e:01:02",
		"000:16:3e:01:02:03", "00:16:3e:01:02:0g", " 00:16:3e:01:02:03",
		"00:16:3e:01:02:03 ", "", "001122334455",
	};
	uint8_t mac[6];
	size_t i;

	CU_ASSERT_EQUAL(strparse_mac("00:16:3E:0a:B0:ff",
	    STRPARSE_MAC_TWO_DIGITS, mac), 0);
	CU_ASSERT_EQUAL(memcmp(mac, "\x00\x16\x3e\x0a\xb0\xff", 6), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(mac, 0x55, sizeof(mac));
		if (strparse_mac(bad[i], STRPARSE_MAC_TWO_DIGITS, mac) !=
		    -EINVAL) {
			printf("# accepted bad mac '%s'\n", bad[i]);
			CU_FAIL("bad mac accepted");
		}
		CU_ASSERT_EQUAL(memcmp(mac, "\x55\x55\x55\x55\x55\x55", 6), 0);
	}
	/* The dash flag combines with it. */
	CU_ASSERT_EQUAL(strparse_mac("00-16-3e-01-02-03",
	    STRPARSE_MAC_TWO_DIGITS | STRPARSE_MAC_DASH, mac), 0);
	CU_ASSERT_EQUAL(strparse_mac("00-16-3e-1-02-03",
	    STRPARSE_MAC_TWO_DIGITS | STRPARSE_MAC_DASH, mac), -EINVAL);
}

static void
test_uint(void)
{
	uint64_t v = 7;

	CU_ASSERT_EQUAL(strparse_uint("0", 10, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(strparse_uint("0010", 10, &v), 0);	/* decimal */
	CU_ASSERT_EQUAL(v, 10);
	CU_ASSERT_EQUAL(strparse_uint("18446744073709551615", UINT64_MAX,
	    &v), 0);
	CU_ASSERT_EQUAL(v, UINT64_MAX);
	v = 7;
	CU_ASSERT_EQUAL(strparse_uint("18446744073709551616", UINT64_MAX,
	    &v), -ERANGE);
	CU_ASSERT_EQUAL(strparse_uint("11", 10, &v), -ERANGE);
	CU_ASSERT_EQUAL(strparse_uint("", 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(strparse_uint("+1", 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(strparse_uint("-1", 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(strparse_uint(" 1", 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(strparse_uint("1 ", 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(strparse_uint("0x1", 10, &v), -EINVAL);
	CU_ASSERT_EQUAL(v, 7);	/* untouched on failure */
}

static void
test_range(void)
{
	uint64_t v = 7;

	CU_ASSERT_EQUAL(strparse_range("1", 1, 3600, &v), 0);
	CU_ASSERT_EQUAL(v, 1);
	CU_ASSERT_EQUAL(strparse_range("3600", 1, 3600, &v), 0);
	CU_ASSERT_EQUAL(v, 3600);
	v = 7;
	CU_ASSERT_EQUAL(strparse_range("0", 1, 3600, &v), -ERANGE);
	CU_ASSERT_EQUAL(strparse_range("3601", 1, 3600, &v), -ERANGE);
	CU_ASSERT_EQUAL(strparse_range("1s", 1, 3600, &v), -EINVAL);
	CU_ASSERT_EQUAL(v, 7);
}

static CU_TestInfo strparse_tests[] = {
	{ "mac: the backend's rule", test_mac_backend },
	{ "mac: xl's vif= rule", test_mac_xl },
	{ "mac: two digits a group", test_mac_strict },
	{ "decimal numbers", test_uint },
	{ "decimal numbers in a range", test_range },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "strparse", NULL, NULL, NULL, NULL, strparse_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
