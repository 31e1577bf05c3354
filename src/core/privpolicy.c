/*
 * privpolicy.c - the privileged part's rules for vifd proper's requests,
 * as pure functions of the request (privpolicy.h).
 *
 * Owns the allowlists: which interface ioctls, which shapes of rtnetlink
 * request, which programs. They are written against what vifd proper
 * sends (tap_linux.c, brport.c, hotplug_run.c, ovsport.c), nothing more,
 * so that a vifd proper taken over by a guest gains no more from the
 * privileged part than it could already do to its own TAPs.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "core/privpolicy.h"

static int
privpolicy_no(int err, char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return err;
}

int
privpolicy_ifreq(unsigned long req, char *why, size_t whylen)
{
	/* vif.c's live MTU (tap_set_mtu); the MAC, queue length and flags
	 * of a TAP are set when the part creates it. */
	if (req == SIOCSIFMTU)
		return 0;
	return privpolicy_no(-EPERM, why, whylen, "interface ioctl %#lx",
	    req);
}

/*
 * The attribute at buf[*off] of a region of `len` bytes, checked to lie
 * within it; *off moves past it. 1 with *a set, 0 at the end, or -EINVAL
 * with the reason in `why`.
 */
static int
privpolicy_attr(const void *buf, size_t len, size_t *off,
    const struct nlattr **a, char *why, size_t whylen)
{
	size_t alen;

	if (*off >= len)
		return 0;
	if (len - *off < NLA_HDRLEN)
		return privpolicy_no(-EINVAL, why, whylen, "a cut netlink "
		    "attribute");
	*a = (const struct nlattr *)((const char *)buf + *off);
	alen = (*a)->nla_len;
	if (alen < NLA_HDRLEN || alen > len - *off)
		return privpolicy_no(-EINVAL, why, whylen, "a netlink "
		    "attribute of length %zu", alen);
	*off += NLA_ALIGN(alen);
	return 1;
}

/*
 * The attributes nested in `a` (IFLA_PROTINFO or IFLA_AF_SPEC), as
 * brport.c sends them: IFLA_BRPORT_ISOLATED (a u8) alone in the one;
 * VLAN entries of the port itself in the other (PVID, untagged, ranges;
 * not BRIDGE_VLAN_INFO_MASTER, which reaches the bridge's own VLANs).
 */
static int
privpolicy_nested(const struct nlattr *a, char *why, size_t whylen)
{
	const uint16_t vlan_ok = BRIDGE_VLAN_INFO_PVID |
	    BRIDGE_VLAN_INFO_UNTAGGED | BRIDGE_VLAN_INFO_RANGE_BEGIN |
	    BRIDGE_VLAN_INFO_RANGE_END;
	const bool protinfo = (a->nla_type & NLA_TYPE_MASK) == IFLA_PROTINFO;
	size_t off = NLA_HDRLEN, alen;
	struct bridge_vlan_info vi;
	const struct nlattr *n;
	uint16_t type;
	int r;

	while ((r = privpolicy_attr(a, a->nla_len, &off, &n, why,
	    whylen)) > 0) {
		alen = n->nla_len;
		type = n->nla_type & NLA_TYPE_MASK;
		if (protinfo && type == IFLA_BRPORT_ISOLATED &&
		    alen == NLA_HDRLEN + 1)
			continue;
		if (!protinfo && type == IFLA_BRIDGE_VLAN_INFO &&
		    alen == NLA_HDRLEN + sizeof(vi)) {
			memcpy(&vi, (const char *)n + NLA_HDRLEN, sizeof(vi));
			if ((vi.flags & ~vlan_ok) == 0)
				continue;
			return privpolicy_no(-EPERM, why, whylen, "VLAN flags "
			    "%#x", vi.flags);
		}
		return privpolicy_no(-EPERM, why, whylen, "bridge port "
		    "attribute %u in %s", type, protinfo ? "IFLA_PROTINFO" :
		    "IFLA_AF_SPEC");
	}
	return r;
}

int
privpolicy_netlink(const void *msg, size_t len, struct privpolicy_nl *nl,
    char *why, size_t whylen)
{
	const struct nlmsghdr *nlh = msg;
	const struct ifinfomsg *ifi;
	const struct nlattr *a;
	size_t off, alen;
	uint16_t type;
	bool bridge;
	int r;

	memset(nl, 0, sizeof(*nl));
	if (len < NLMSG_LENGTH(sizeof(*ifi)) || nlh->nlmsg_len != len)
		return privpolicy_no(-EINVAL, why, whylen, "a netlink "
		    "request of %zu bytes that is not one message", len);
	if (nlh->nlmsg_type != RTM_SETLINK && nlh->nlmsg_type != RTM_DELLINK)
		return privpolicy_no(-EPERM, why, whylen, "netlink message "
		    "type %u", nlh->nlmsg_type);
	if (nlh->nlmsg_flags != (NLM_F_REQUEST | NLM_F_ACK))
		return privpolicy_no(-EPERM, why, whylen, "netlink flags "
		    "%#x", nlh->nlmsg_flags);
	ifi = (const struct ifinfomsg *)NLMSG_DATA(nlh);
	if (ifi->ifi_index <= 0)
		return privpolicy_no(-EPERM, why, whylen, "interface index "
		    "%d", ifi->ifi_index);
	if (ifi->ifi_flags != 0 || ifi->ifi_change != 0)
		return privpolicy_no(-EPERM, why, whylen, "an interface flag "
		    "change");
	if (ifi->ifi_family != AF_BRIDGE && ifi->ifi_family != AF_UNSPEC)
		return privpolicy_no(-EPERM, why, whylen, "netlink family %u",
		    ifi->ifi_family);
	bridge = ifi->ifi_family == AF_BRIDGE;
	if (!bridge && nlh->nlmsg_type == RTM_DELLINK)
		return privpolicy_no(-EPERM, why, whylen, "deleting an "
		    "interface");
	nl->port = (unsigned int)ifi->ifi_index;
	/* The attributes: each within the message, each one we send. */
	off = NLMSG_LENGTH(sizeof(*ifi));
	while ((r = privpolicy_attr(msg, len, &off, &a, why, whylen)) > 0) {
		alen = a->nla_len;
		type = a->nla_type & NLA_TYPE_MASK;
		if (!bridge && type == IFLA_MASTER &&
		    alen == NLA_HDRLEN + sizeof(uint32_t) && !nl->has_master) {
			memcpy(&nl->master, (const char *)a + NLA_HDRLEN,
			    sizeof(uint32_t));
			nl->has_master = true;
			continue;
		}
		if (bridge && (type == IFLA_AF_SPEC ||
		    (type == IFLA_PROTINFO &&
		    nlh->nlmsg_type == RTM_SETLINK))) {
			if ((r = privpolicy_nested(a, why, whylen)) < 0)
				return r;
			continue;
		}
		return privpolicy_no(-EPERM, why, whylen, "netlink attribute "
		    "%u in a %s %s request", type, bridge ? "bridge" : "link",
		    nlh->nlmsg_type == RTM_SETLINK ? "set" : "delete");
	}
	if (r < 0)
		return r;
	if (!bridge && !nl->has_master)
		return privpolicy_no(-EPERM, why, whylen, "a link request "
		    "that sets no master");
	return 0;
}

/* True if `path` is `dir` or inside it. */
static bool
privpolicy_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (strncmp(path, dir, n) != 0)
		return false;
	return path[n] == '\0' || path[n] == '/' || (n == 1 && dir[0] == '/');
}

int
privpolicy_program(const char *path, bool search, const char *const rw[],
    size_t nrw, char *why, size_t whylen)
{
	const char *p;
	size_t i, n;

	if (search) {
		if (strcmp(path, "ovs-vsctl") == 0)
			return 0;
		return privpolicy_no(-EPERM, why, whylen, "program '%s' "
		    "looked up in PATH", path);
	}
	if (path[0] != '/')
		return privpolicy_no(-EPERM, why, whylen, "'%s' is not an "
		    "absolute path", path);
	for (p = path; *p != '\0'; p += n) {
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return privpolicy_no(-EPERM, why, whylen, "'%s' has a "
			    "'.' or '..' component", path);
	}
	for (i = 0; i < nrw; i++)
		if (privpolicy_under(path, rw[i]))
			return privpolicy_no(-EPERM, why, whylen, "'%s' is in "
			    "%s, which vifd can write", path, rw[i]);
	return 0;
}

/* True if `s` is one of the NULL-terminated `set`. */
static bool
privpolicy_one_of(const char *s, const char *const set[])
{
	for (; *set != NULL; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

/* ovs-vsctl's arguments, as ovsport.c builds them. */
static int
privpolicy_ovs(char *const argv[], unsigned int argc, const char **ifs,
    char *why, size_t whylen)
{
	static const char *const cols[] = { "protected", "tag", "trunks",
	    "vlan_mode", NULL };
	const char *t;
	char key[16];
	unsigned int i;
	size_t n;

	if (argc < 2 || strncmp(argv[1], "--timeout=", 10) != 0)
		goto bad;
	for (t = argv[1] + 10; *t >= '0' && *t <= '9'; t++)
		;
	if (t == argv[1] + 10 || *t != '\0')
		goto bad;
	if (argc == 4 && strcmp(argv[2], "port-to-br") == 0) {
		ifs[0] = argv[3];
		return 0;
	}
	if (argc < 6 || strcmp(argv[2], "set") != 0 ||
	    strcmp(argv[3], "port") != 0)
		goto bad;
	for (i = 5; i < argc; i++) {
		n = strcspn(argv[i], "=");
		if (argv[i][n] != '=' || n >= sizeof(key))
			goto bad;
		memcpy(key, argv[i], n);
		key[n] = '\0';
		if (!privpolicy_one_of(key, cols))
			return privpolicy_no(-EPERM, why, whylen, "ovs-vsctl "
			    "column '%s'", key);
	}
	ifs[0] = argv[4];
	return 0;
bad:
	return privpolicy_no(-EPERM, why, whylen, "ovs-vsctl arguments other "
	    "than vifd's");
}

/* Skips digits at *p; false if there were none. */
static bool
privpolicy_digits(const char **p)
{
	const char *s = *p;

	while (**p >= '0' && **p <= '9')
		(*p)++;
	return *p != s;
}

/* "[/local/domain/D/]backend/vif/D/D": a vif backend's directory. */
static bool
privpolicy_backend_path(const char *v)
{
	if (strncmp(v, "/local/domain/", 14) == 0) {
		v += 14;
		if (!privpolicy_digits(&v) || *v++ != '/')
			return false;
	}
	if (strncmp(v, "backend/vif/", 12) != 0)
		return false;
	v += 12;
	return privpolicy_digits(&v) && *v++ == '/' &&
	    privpolicy_digits(&v) && *v == '\0';
}

/* A hotplug script's environment: the contract's names, our values. */
static int
privpolicy_script_env(const char *path, char *const envp[],
    unsigned int envc, const struct privpolicy_env *e, const char **ifs,
    char *why, size_t whylen)
{
	static const char *const free_vars[] = { "netdev", NULL };
	const char *v, *want;
	char key[32];
	unsigned int i;
	size_t n;

	for (i = 0; i < envc; i++) {
		n = strcspn(envp[i], "=");
		if (envp[i][n] != '=' || n >= sizeof(key))
			return privpolicy_no(-EPERM, why, whylen, "an "
			    "environment entry that is not NAME=VALUE");
		memcpy(key, envp[i], n);
		key[n] = '\0';
		v = envp[i] + n + 1;
		if (privpolicy_one_of(key, free_vars))
			continue;
		if (strcmp(key, "vif") == 0 || strcmp(key, "INTERFACE") == 0) {
			*ifs++ = v;	/* one of vifd's TAPs, or none */
			continue;
		}
		if (strcmp(key, "XENBUS_PATH") == 0) {
			if (privpolicy_backend_path(v))
				continue;
			return privpolicy_no(-EPERM, why, whylen, "XENBUS_PATH "
			    "'%s' is not a vif backend's", v);
		}
		want = strcmp(key, "PATH") == 0 ? e->path :
		    strcmp(key, "LANG") == 0 ? "POSIX" :
		    strcmp(key, "XENBUS_TYPE") == 0 ? "vif" :
		    strcmp(key, "XENBUS_BASE_PATH") == 0 ? "backend" :
		    strcmp(key, "script") == 0 ? path :
		    strcmp(key, "XENSTORED_PATH") == 0 ? e->xenstored : NULL;
		if (want == NULL)
			return privpolicy_no(-EPERM, why, whylen, "environment "
			    "variable %s", key);
		if (strcmp(v, want) != 0)
			return privpolicy_no(-EPERM, why, whylen, "%s other than "
			    "vifd's", key);
	}
	return 0;
}

int
privpolicy_args(const char *path, bool search, char *const argv[],
    unsigned int argc, bool has_env, char *const envp[], unsigned int envc,
    const struct privpolicy_env *e, const char *ifs[PRIVPOLICY_IFS],
    char *why, size_t whylen)
{
	static const char *const verbs[] = { "online", "offline", "add",
	    "remove", NULL };
	static const char *const types[] = { "type_if=vif", "type_if=tap",
	    NULL };

	unsigned int i, nif = 0;
	int r;

	for (i = 0; i < PRIVPOLICY_IFS; i++)
		ifs[i] = NULL;
	if (argc == 0 || strcmp(argv[0], path) != 0)
		return privpolicy_no(-EPERM, why, whylen, "argv[0] other than "
		    "the program");
	if (search) {
		if (has_env)
			return privpolicy_no(-EPERM, why, whylen, "an "
			    "environment for ovs-vsctl");
		return privpolicy_ovs(argv, argc, ifs, why, whylen);
	}
	if (argc != 3 || !privpolicy_one_of(argv[1], verbs) ||
	    !privpolicy_one_of(argv[2], types))
		return privpolicy_no(-EPERM, why, whylen, "script arguments "
		    "other than libxl's");
	if (!has_env)
		return privpolicy_no(-EPERM, why, whylen, "a script without "
		    "its environment");
	/* vif= and INTERFACE= at most once each: two slots. */
	for (i = 0; i < envc; i++)
		if (strncmp(envp[i], "vif=", 4) == 0 ||
		    strncmp(envp[i], "INTERFACE=", 10) == 0)
			nif++;
	if (nif > PRIVPOLICY_IFS)
		return privpolicy_no(-EPERM, why, whylen, "%s", "vif= or "
		    "INTERFACE= twice");
	r = privpolicy_script_env(path, envp, envc, e, ifs, why, whylen);
	return r;
}
