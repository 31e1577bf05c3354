/*
 * test_privpolicy.c - the privileged part's pure rules (src/core/
 * privpolicy.c): the requests vifd proper sends pass (each built as
 * brport.c and tap_linux.c build them), and everything one step beyond
 * them is refused with a reason: another ioctl, another netlink type,
 * family, flag or attribute, a cut or overlong attribute, a program in
 * PATH or in a directory vifd proper can write.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "cu_tap.h"
#include "core/privpolicy.h"

static char why[256];

/* A link message as brport_msg builds it. */
static struct nlmsghdr *
msg(char *buf, uint16_t type, unsigned char family, int ifindex)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	memset(buf, 0, 512);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = family;
	ifi->ifi_index = ifindex;
	return nlh;
}

static int
check(struct nlmsghdr *nlh, struct privpolicy_nl *nl)
{
	why[0] = '\0';
	return privpolicy_netlink(nlh, nlh->nlmsg_len, nl, why, sizeof(why));
}

static void
test_ifreq(void)
{
	CU_ASSERT_EQUAL(privpolicy_ifreq(SIOCSIFMTU, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(privpolicy_ifreq(SIOCSIFHWADDR, why, sizeof(why)),
	    -EPERM);
	CU_ASSERT_EQUAL(privpolicy_ifreq(SIOCSIFTXQLEN, why, sizeof(why)),
	    -EPERM);
	CU_ASSERT_EQUAL(privpolicy_ifreq(SIOCSIFFLAGS, why, sizeof(why)),
	    -EPERM);
	CU_ASSERT_EQUAL(privpolicy_ifreq(SIOCSIFNAME, why, sizeof(why)),
	    -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "ioctl"));
}

static void
test_netlink_ours(void)
{
	struct bridge_vlan_info vi = { .flags = 0, .vid = 10 };
	struct privpolicy_nl nl;
	struct nlattr *nest;
	struct nlmsghdr *nlh;
	char buf[512];

	/* brport_set_master */
	nlh = msg(buf, RTM_SETLINK, AF_UNSPEC, 7);
	mnl_attr_put_u32(nlh, IFLA_MASTER, 3);
	CU_ASSERT_EQUAL(check(nlh, &nl), 0);
	CU_ASSERT_EQUAL(nl.port, 7);
	CU_ASSERT_TRUE(nl.has_master);
	CU_ASSERT_EQUAL(nl.master, 3);
	/* ... and off a bridge */
	nlh = msg(buf, RTM_SETLINK, AF_UNSPEC, 7);
	mnl_attr_put_u32(nlh, IFLA_MASTER, 0);
	CU_ASSERT_EQUAL(check(nlh, &nl), 0);
	CU_ASSERT_EQUAL(nl.master, 0);
	/* brport_set_isolated */
	nlh = msg(buf, RTM_SETLINK, AF_BRIDGE, 7);
	nest = mnl_attr_nest_start(nlh, IFLA_PROTINFO);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_ISOLATED, 1);
	mnl_attr_nest_end(nlh, nest);
	CU_ASSERT_EQUAL(check(nlh, &nl), 0);
	CU_ASSERT_FALSE(nl.has_master);
	/* brport_set_vlans: the delete, then the set */
	nlh = msg(buf, RTM_DELLINK, AF_BRIDGE, 7);
	nest = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	mnl_attr_put(nlh, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi);
	mnl_attr_nest_end(nlh, nest);
	CU_ASSERT_EQUAL(check(nlh, &nl), 0);
	nlh = msg(buf, RTM_SETLINK, AF_BRIDGE, 7);
	nest = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	mnl_attr_put(nlh, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi);
	mnl_attr_nest_end(nlh, nest);
	CU_ASSERT_EQUAL(check(nlh, &nl), 0);
}

static void
test_netlink_refused(void)
{
	struct bridge_vlan_info vi = { .flags = 0, .vid = 10 };
	struct privpolicy_nl nl;
	struct nlmsghdr *nlh;
	struct nlattr *a, *nest;
	char buf[512];

	/* deleting the interface itself */
	nlh = msg(buf, RTM_DELLINK, AF_UNSPEC, 7);
	CU_ASSERT_EQUAL(check(nlh, &nl), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "deleting"));
	/* making one */
	nlh = msg(buf, RTM_NEWLINK, AF_UNSPEC, 0);
	CU_ASSERT_EQUAL(check(nlh, &nl), -EPERM);
	/* renaming, or moving to another namespace */
	nlh = msg(buf, RTM_SETLINK, AF_UNSPEC, 7);
	mnl_attr_put_u32(nlh, IFLA_MASTER, 3);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	CU_ASSERT_EQUAL(check(nlh, &nl), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "attribute"));
	nlh = msg(buf, RTM_SETLINK, AF_UNSPEC, 7);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_PID, 1);
	CU_ASSERT_EQUAL(check(nlh, &nl), -EPERM);
	/* two masters */
	nlh = msg(buf, RTM_SETLINK, AF_UNSPEC, 7);
	mnl_attr_put_u32(nlh, IFLA_MASTER, 3);
	mnl_attr_put_u32(nlh, IFLA_MASTER, 4);
	CU_ASSERT_EQUAL(check(nlh, &nl), -EPERM);
	/* a link request without a master */
	nlh = msg(buf, RTM_SETLINK, AF_UNSPEC, 7);
	CU_ASSERT_EQUAL(check(nlh, &nl), -EPERM);
	/* bringing it down through the header */
	nlh = msg(buf, RTM_SETLINK, AF_UNSPEC, 7);
	((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_change = IFF_UP;
	mnl_attr_put_u32(nlh, IFLA_MASTER, 3);
	CU_ASSERT_EQUAL(check(nlh, &nl), -EPERM);
	/* other flags: NLM_F_CREATE, a dump */
	nlh = msg(buf, RTM_SETLINK, AF_UNSPEC, 7);
	nlh->nlmsg_flags |= NLM_F_CREATE;
	mnl_attr_put_u32(nlh, IFLA_MASTER, 3);
	CU_ASSERT_EQUAL(check(nlh, &nl), -EPERM);
	/* another family, no interface */
	nlh = msg(buf, RTM_SETLINK, AF_INET, 7);
	CU_ASSERT_EQUAL(check(nlh, &nl), -EPERM);
	nlh = msg(buf, RTM_SETLINK, AF_BRIDGE, 0);
	CU_ASSERT_EQUAL(check(nlh, &nl), -EPERM);
	/* a bridge attribute on a delete */
	nlh = msg(buf, RTM_DELLINK, AF_BRIDGE, 7);
	mnl_attr_put_u8(nlh, IFLA_PROTINFO, 0);
	CU_ASSERT_EQUAL(check(nlh, &nl), -EPERM);
	/* lengths: the header's against the buffer's, an attribute past
	 * the end, one shorter than its own header */
	nlh = msg(buf, RTM_SETLINK, AF_UNSPEC, 7);
	mnl_attr_put_u32(nlh, IFLA_MASTER, 3);
	CU_ASSERT_EQUAL(privpolicy_netlink(nlh, nlh->nlmsg_len + 4, &nl, why,
	    sizeof(why)), -EINVAL);
	CU_ASSERT_EQUAL(privpolicy_netlink(nlh, 8, &nl, why, sizeof(why)),
	    -EINVAL);
	a = (struct nlattr *)((char *)nlh + NLMSG_LENGTH(
	    sizeof(struct ifinfomsg)));
	a->nla_len = 200;
	CU_ASSERT_EQUAL(check(nlh, &nl), -EINVAL);
	a->nla_len = 2;
	CU_ASSERT_EQUAL(check(nlh, &nl), -EINVAL);
	/* a master of the wrong size */
	nlh = msg(buf, RTM_SETLINK, AF_UNSPEC, 7);
	mnl_attr_put_u16(nlh, IFLA_MASTER, 3);
	CU_ASSERT_EQUAL(check(nlh, &nl), -EPERM);
	/* nested: the bridge's own VLANs (MASTER), another port flag, a
	 * VLAN entry of the wrong size */
	nlh = msg(buf, RTM_SETLINK, AF_BRIDGE, 7);
	nest = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	vi.flags = BRIDGE_VLAN_INFO_MASTER;
	mnl_attr_put(nlh, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi);
	mnl_attr_nest_end(nlh, nest);
	CU_ASSERT_EQUAL(check(nlh, &nl), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "VLAN flags"));
	nlh = msg(buf, RTM_DELLINK, AF_BRIDGE, 7);
	nest = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	mnl_attr_put(nlh, IFLA_BRIDGE_VLAN_INFO, sizeof(vi), &vi);
	mnl_attr_nest_end(nlh, nest);
	CU_ASSERT_EQUAL(check(nlh, &nl), -EPERM);
	nlh = msg(buf, RTM_SETLINK, AF_BRIDGE, 7);
	nest = mnl_attr_nest_start(nlh, IFLA_PROTINFO);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_MULTICAST_ROUTER, 2);
	mnl_attr_nest_end(nlh, nest);
	CU_ASSERT_EQUAL(check(nlh, &nl), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "IFLA_PROTINFO"));
	nlh = msg(buf, RTM_SETLINK, AF_BRIDGE, 7);
	nest = mnl_attr_nest_start(nlh, IFLA_PROTINFO);
	mnl_attr_put_u32(nlh, IFLA_BRPORT_ISOLATED, 1);
	mnl_attr_nest_end(nlh, nest);
	CU_ASSERT_EQUAL(check(nlh, &nl), -EPERM);
	nlh = msg(buf, RTM_SETLINK, AF_BRIDGE, 7);
	nest = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	mnl_attr_put_u16(nlh, IFLA_BRIDGE_VLAN_INFO, 10);
	mnl_attr_nest_end(nlh, nest);
	CU_ASSERT_EQUAL(check(nlh, &nl), -EPERM);
	nlh = msg(buf, RTM_SETLINK, AF_BRIDGE, 7);
	nest = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	mnl_attr_put_u16(nlh, IFLA_BRIDGE_MRP, 1);
	mnl_attr_nest_end(nlh, nest);
	CU_ASSERT_EQUAL(check(nlh, &nl), -EPERM);
}

static void
test_program(void)
{
	const char *rw[] = { "/run/vifd", "/tmp/vr12/" };

	CU_ASSERT_EQUAL(privpolicy_program("ovs-vsctl", true, rw, 2, why,
	    sizeof(why)), 0);
	CU_ASSERT_EQUAL(privpolicy_program("sh", true, rw, 2, why,
	    sizeof(why)), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "PATH"));
	CU_ASSERT_EQUAL(privpolicy_program("/etc/xen/scripts/vif-bridge",
	    false, rw, 2, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(privpolicy_program("vif-bridge", false, rw, 2, why,
	    sizeof(why)), -EPERM);
	CU_ASSERT_EQUAL(privpolicy_program("/etc/xen/scripts/../../bin/sh",
	    false, rw, 2, why, sizeof(why)), -EPERM);
	CU_ASSERT_EQUAL(privpolicy_program("/etc/./x", false, rw, 2, why,
	    sizeof(why)), -EPERM);
	/* in a directory vifd proper writes, at any depth */
	CU_ASSERT_EQUAL(privpolicy_program("/run/vifd/x", false, rw, 2, why,
	    sizeof(why)), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "/run/vifd"));
	CU_ASSERT_EQUAL(privpolicy_program("/tmp/vr12/a/b", false, rw, 2, why,
	    sizeof(why)), -EPERM);
	CU_ASSERT_EQUAL(privpolicy_program("/tmp/vr12", false, rw, 2, why,
	    sizeof(why)), -EPERM);
	/* a neighbour whose name merely starts the same is not inside */
	CU_ASSERT_EQUAL(privpolicy_program("/tmp/vr12.scripts/vif-bridge",
	    false, rw, 2, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(privpolicy_program("/run/vifdx/s", false, rw, 2, why,
	    sizeof(why)), 0);
	/* "..." and ".x" are names, not "." or ".." */
	CU_ASSERT_EQUAL(privpolicy_program("/opt/.../.x", false, rw, 2, why,
	    sizeof(why)), 0);
}

static int
args(const char *path, bool search, const char **argv, bool has_env,
    const char **envp, const char **ifs)
{
	static const struct privpolicy_env e = { "/usr/bin:/bin",
	    "/tmp/vr1/xenstored.sock" };
	unsigned int argc = 0, envc = 0;

	while (argv[argc] != NULL)
		argc++;
	while (envp != NULL && envp[envc] != NULL)
		envc++;
	why[0] = '\0';
	return privpolicy_args(path, search, (char *const *)argv, argc, has_env,
	    (char *const *)envp, envc,
	    &e, ifs, why, sizeof(why));
}

static void
test_args(void)
{
	const char *vb = "/etc/xen/scripts/vif-bridge";
	const char *ok_argv[] = { vb, "online", "type_if=vif", NULL };
	const char *ok_env[] = { "script=/etc/xen/scripts/vif-bridge",
	    "XENBUS_TYPE=vif", "XENBUS_PATH=backend/vif/1/0",
	    "XENBUS_BASE_PATH=backend", "netdev=", "vif=vif1.0",
	    "PATH=/usr/bin:/bin", "LANG=POSIX",
	    "XENSTORED_PATH=/tmp/vr1/xenstored.sock", NULL };
	const char *tap_argv[] = { vb, "add", "type_if=tap", NULL };
	const char *tap_env[] = { "INTERFACE=vif1.0-emu", "PATH=/usr/bin:/bin",
	    NULL };
	const char *sh_c[] = { "/bin/sh", "-c", "id", NULL };
	const char *verb[] = { vb, "start", "type_if=vif", NULL };
	const char *more[] = { vb, "online", "type_if=vif", "x", NULL };
	const char *arg0[] = { "/bin/true", "online", "type_if=vif", NULL };
	const char *ld[] = { "LD_PRELOAD=/tmp/x.so", NULL };
	const char *bash_env[] = { "BASH_ENV=/tmp/x", NULL };
	const char *path[] = { "PATH=/run/vifd:/usr/bin", NULL };
	const char *lang[] = { "LANG=C.UTF-8", NULL };
	const char *xsp[] = { "XENSTORED_PATH=/run/vifd/fake", NULL };
	const char *script[] = { "script=/bin/sh", NULL };
	const char *noeq[] = { "PATH", NULL };
	const char *ovs_q[] = { "ovs-vsctl", "--timeout=5", "port-to-br", "vif1.0",
	    NULL };
	const char *ovs_set[] = { "ovs-vsctl", "--timeout=5", "set", "port",
	    "vif1.0", "tag=10", "trunks=[]", "vlan_mode=access", NULL };
	const char *ovs_prot[] = { "ovs-vsctl", "--timeout=5", "set", "port",
	    "vif1.0", "protected=true", NULL };
	const char *ovs_col[] = { "ovs-vsctl", "--timeout=5", "set", "port",
	    "vif1.0", "other_config:x=1", NULL };
	const char *ovs_del[] = { "ovs-vsctl", "--timeout=5", "del-br", "br0",
	    NULL };
	const char *ovs_if[] = { "ovs-vsctl", "--timeout=5", "set", "interface",
	    "eth0", "tag=1", NULL };
	const char *ovs_opt[] = { "ovs-vsctl", "--db=unix:/run/x", "port-to-br",
	    "vif1.0", NULL };
	const char *ovs_t[] = { "ovs-vsctl", "--timeout=", "port-to-br", "vif1.0",
	    NULL };
	const char *xbp[] = { "XENBUS_PATH=/local/domain/0/backend/vif/1/0",
	    NULL };
	const char *xbp_bad[] = { "XENBUS_PATH=backend/vbd/1/51712", NULL };
	const char *xbp_bad2[] = { "XENBUS_PATH=backend/vif/1/0/../..", NULL };
	const char *xbt[] = { "XENBUS_TYPE=vbd", NULL };
	const char *two_vifs[] = { "vif=vif1.0", "vif=eth0", "INTERFACE=x",
	    NULL };
	const char *port[PRIVPOLICY_IFS];

	CU_ASSERT_EQUAL(args(vb, false, ok_argv, true, ok_env, port), 0);
	/* the interface the script acts on, for the part to check */
	CU_ASSERT_PTR_NOT_NULL_FATAL(port[0]);
	CU_ASSERT_STRING_EQUAL(port[0], "vif1.0");
	CU_ASSERT_PTR_NULL(port[1]);
	CU_ASSERT_EQUAL(args(vb, false, ok_argv, true, xbp, port), 0);
	CU_ASSERT_EQUAL(args(vb, false, ok_argv, true, xbp_bad, port), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "XENBUS_PATH"));
	CU_ASSERT_EQUAL(args(vb, false, ok_argv, true, xbp_bad2, port), -EPERM);
	CU_ASSERT_EQUAL(args(vb, false, ok_argv, true, xbt, port), -EPERM);
	CU_ASSERT_EQUAL(args(vb, false, ok_argv, true, two_vifs, port),
	    -EPERM);
	CU_ASSERT_EQUAL(args(vb, false, tap_argv, true, tap_env, port), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(port[0]);
	CU_ASSERT_STRING_EQUAL(port[0], "vif1.0-emu");
	/* the shapes of argv */
	CU_ASSERT_EQUAL(args("/bin/sh", false, sh_c, true, ok_env, port),
	    -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "libxl"));
	CU_ASSERT_EQUAL(args(vb, false, verb, true, ok_env, port), -EPERM);
	CU_ASSERT_EQUAL(args(vb, false, more, true, ok_env, port), -EPERM);
	CU_ASSERT_EQUAL(args(vb, false, arg0, true, ok_env, port), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "argv[0]"));
	CU_ASSERT_EQUAL(args(vb, false, ok_argv, false, NULL, port), -EPERM);
	/* the environment: names, and our values for PATH, LANG,
	 * XENSTORED_PATH and script */
	CU_ASSERT_EQUAL(args(vb, false, ok_argv, true, ld, port), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "LD_PRELOAD"));
	CU_ASSERT_EQUAL(args(vb, false, ok_argv, true, bash_env, port),
	    -EPERM);
	CU_ASSERT_EQUAL(args(vb, false, ok_argv, true, path, port), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "PATH other than"));
	CU_ASSERT_EQUAL(args(vb, false, ok_argv, true, lang, port), -EPERM);
	CU_ASSERT_EQUAL(args(vb, false, ok_argv, true, xsp, port), -EPERM);
	CU_ASSERT_EQUAL(args(vb, false, ok_argv, true, script, port), -EPERM);
	CU_ASSERT_EQUAL(args(vb, false, ok_argv, true, noeq, port), -EPERM);
	/* ovs-vsctl: its two shapes, our columns, the port handed back */
	CU_ASSERT_EQUAL(args("ovs-vsctl", true, ovs_q, false, NULL, port), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(port[0]);
	CU_ASSERT_STRING_EQUAL(port[0], "vif1.0");
	CU_ASSERT_EQUAL(args("ovs-vsctl", true, ovs_set, false, NULL, port),
	    0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(port[0]);
	CU_ASSERT_STRING_EQUAL(port[0], "vif1.0");
	CU_ASSERT_EQUAL(args("ovs-vsctl", true, ovs_prot, false, NULL, port),
	    0);
	CU_ASSERT_EQUAL(args("ovs-vsctl", true, ovs_col, false, NULL, port),
	    -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "other_config:x"));
	CU_ASSERT_EQUAL(args("ovs-vsctl", true, ovs_del, false, NULL, port),
	    -EPERM);
	CU_ASSERT_EQUAL(args("ovs-vsctl", true, ovs_if, false, NULL, port),
	    -EPERM);
	CU_ASSERT_EQUAL(args("ovs-vsctl", true, ovs_opt, false, NULL, port),
	    -EPERM);
	CU_ASSERT_EQUAL(args("ovs-vsctl", true, ovs_t, false, NULL, port),
	    -EPERM);
	CU_ASSERT_EQUAL(args("ovs-vsctl", true, ovs_q, true, ok_env, port),
	    -EPERM);
}

static CU_TestInfo privpolicy_tests[] = {
	{ "interface ioctls: the MTU alone", test_ifreq },
	{ "netlink: the four requests brport.c sends pass", test_netlink_ours },
	{ "netlink: anything else is refused", test_netlink_refused },
	{ "programs: ovs-vsctl in PATH, else absolute, outside rw dirs",
	    test_program },
	{ "arguments and environment: libxl's and ovsport's shapes only",
	    test_args },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "privpolicy", NULL, NULL, NULL, NULL, privpolicy_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
