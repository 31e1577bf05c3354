/*
 * test_tap.c - the TAP routines vifd, vif-guest and the benchmark share
 * (src/data/tap_linux.c): the netif feature -> TUNSETOFFLOAD mapping (pure),
 * and, as root in a private network namespace, opening queues of a TAP
 * and setting its MAC, MTU, queue length and flags.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cu_tap.h"
#include "data/tap.h"
#include "core/vnet_hdr.h"

static void
test_tun_offload(void)
{
	static const struct {
		struct vnet_features f;
		unsigned int want;
	} t[] = {
		{ { 0 }, 0 },
		{ { .csum_ipv4 = true }, TUN_F_CSUM },
		{ { .csum_ipv6 = true }, TUN_F_CSUM },
		{ { .csum_ipv4 = true, .gso_tcpv4 = true }, TUN_F_CSUM },
		{ { .csum_ipv4 = true, .sg = true }, TUN_F_CSUM },
		{ { .csum_ipv4 = true, .gso_tcpv4 = true, .sg = true },
		  TUN_F_CSUM | TUN_F_TSO4 },
		{ { .csum_ipv4 = true, .gso_tcpv4 = true, .gso_tcpv6 = true,
		    .sg = true }, TUN_F_CSUM | TUN_F_TSO4 },
		{ { .csum_ipv6 = true, .gso_tcpv4 = true, .gso_tcpv6 = true,
		    .sg = true }, TUN_F_CSUM | TUN_F_TSO6 },
		{ { .gso_tcpv4 = true, .gso_tcpv6 = true, .sg = true }, 0 },
		{ { .csum_ipv4 = true, .csum_ipv6 = true, .gso_tcpv4 = true,
		    .gso_tcpv6 = true, .sg = true },
		  TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 },
	};
	size_t i;
	unsigned int got;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		got = tap_offload_flags(&t[i].f);
		CU_ASSERT_EQUAL(got, t[i].want);
		CU_ASSERT_EQUAL(got & (TUN_F_UFO | TUN_F_TSO_ECN), 0);
		/* The kernel refuses TSO bits without TUN_F_CSUM. */
		if (got & (TUN_F_TSO4 | TUN_F_TSO6))
			CU_ASSERT(got & TUN_F_CSUM);
	}
}

/* `ip -o link show dev <name>` has `want` in it: what the kernel says,
 * read another way than the code under test. */
static bool
ip_link_has(const char *name, const char *want)
{
	char cmd[96], buf[1024] = "";
	size_t n;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ip -o link show dev %s 2>&1", name);
	f = popen(cmd, "r");
	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	pclose(f);
	if (strstr(buf, want) == NULL) {
		printf("# no '%s' in: %s", want, buf);
		return false;
	}
	return true;
}

static void
test_open_queues(void)
{
	char name[IFNAMSIZ] = "", again[IFNAMSIZ] = "";
	struct ifreq ifr;
	int fd, fd2, hdrlen = 0;

	/* A pattern: the kernel names the device, the caller learns it. */
	fd = tap_open_queue("vtt%d", name);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(strncmp(name, "vtt", 3), 0);
	CU_ASSERT(strchr(name, '%') == NULL);
	CU_ASSERT(tap_exists(name));
	CU_ASSERT(fcntl(fd, F_GETFL) & O_NONBLOCK);
	CU_ASSERT(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	memset(&ifr, 0, sizeof(ifr));
	CU_ASSERT_EQUAL(ioctl(fd, TUNGETIFF, &ifr), 0);
	CU_ASSERT_EQUAL(ifr.ifr_flags & (IFF_TAP | IFF_TUN | IFF_NO_PI |
	    IFF_VNET_HDR | IFF_MULTI_QUEUE), IFF_TAP | IFF_NO_PI |
	    IFF_VNET_HDR | IFF_MULTI_QUEUE);
	CU_ASSERT_EQUAL(ioctl(fd, TUNGETVNETHDRSZ, &hdrlen), 0);
	CU_ASSERT_EQUAL(hdrlen, TAP_VNET_HDR_LEN);

	/* A second queue of the same device, by its name. */
	fd2 = tap_open_queue(name, again);
	CU_ASSERT(fd2 >= 0);
	CU_ASSERT_STRING_EQUAL(again, name);
	if (fd2 >= 0)
		close(fd2);

	close(fd);
	/* Not persistent: it went with its last queue. */
	CU_ASSERT(!tap_exists(name));
}

static void
test_other_kind_refused(void)
{
	struct ifreq ifr;
	int tun, fd;

	/* A TUN (not TAP) device of that name: not ours to take. */
	tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	CU_ASSERT_FATAL(tun >= 0);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "vtt-tun");
	CU_ASSERT_FATAL(ioctl(tun, TUNSETIFF, &ifr) == 0);
	fd = tap_open_queue("vtt-tun", NULL);
	CU_ASSERT_EQUAL(fd, -EEXIST);
	if (fd >= 0)
		close(fd);
	close(tun);
}

static void
test_configure(void)
{
	static const struct vnet_features all = {
		.csum_ipv4 = true, .csum_ipv6 = true,
		.gso_tcpv4 = true, .gso_tcpv6 = true, .sg = true,
	};
	static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	char name[IFNAMSIZ];
	int fd;

	fd = tap_open_queue("vtc%d", name);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(tap_set_offload(fd, &all), 0);
	CU_ASSERT_EQUAL(tap_set_mac(name, mac), 0);
	CU_ASSERT_EQUAL(tap_set_mtu(name, 9000), 0);
	CU_ASSERT_EQUAL(tap_get_mtu(name), 9000);
	CU_ASSERT_EQUAL(tap_set_txqlen(name, 123), 0);
	CU_ASSERT_EQUAL(tap_set_up(name), 0);

	CU_ASSERT(ip_link_has(name, "link/ether 02:11:22:33:44:55 "));
	CU_ASSERT(ip_link_has(name, " mtu 9000 "));
	CU_ASSERT(ip_link_has(name, " qlen 123"));
	CU_ASSERT(ip_link_has(name, ",UP"));
	close(fd);
}

static int
device_init(void)
{
	if (getuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		printf("# needs root and network namespaces\n");
		return -1;
	}
	return 0;
}

static CU_TestInfo offload_tests[] = {
	{ "TUNSETOFFLOAD bits", test_tun_offload },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo device_tests[] = {
	{ "queues of one TAP, named by a pattern", test_open_queues },
	{ "a device of another kind is refused", test_other_kind_refused },
	{ "offloads, MAC, MTU, queue length, up", test_configure },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "tap", NULL, NULL, NULL, NULL, offload_tests },
	{ "tap device", device_init, NULL, NULL, NULL, device_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
