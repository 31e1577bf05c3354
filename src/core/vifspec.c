/*
 * vifspec.c - xl's vif= syntax (the rate= values are vifspec_rate.c's,
 * the xenstore nodes libxl writes vifspec_nodes.c's).
 *
 * Owns the grammar of a vif spec (what xl_parse.c's parse_nic_config
 * accepts, made stricter where xl lets garbage through), its messages,
 * and libxl's defaults for a NIC (libxl_nic.c), generated MACs included.
 * It does not talk to xenstore: vifctl writes the nodes, vifd reads them.
 * Pure: no fd, no clock, no allocation, no global mutable state.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vifspec.h"
#include "core/strparse.h"
#include "core/swspec.h"

/* Longest value quoted in an error message before it is cut. */
#define VIFSPEC_QUOTE_MAX	64u

/* ---- messages ----------------------------------------------------------- */

/*
 * Copies `n` bytes of `s` into out for a message: printable ASCII as is,
 * a backslash doubled, anything else as \xNN; cut with "..." past
 * VIFSPEC_QUOTE_MAX input bytes.
 */
static void
vifspec_quote(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	if (outlen == 0)
		return;
	for (i = 0; i < n && o + 5 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == VIFSPEC_QUOTE_MAX) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (c >= 0x20 && c < 0x7f) {
			out[o++] = (char)c;
		} else {
			snprintf(out + o, outlen - o, "\\x%02x", c);
			o += 4;
		}
	}
	out[o] = '\0';
}

/* Writes "KEY='VALUE': reason" (or "'ITEM': reason" when key is NULL). */
__attribute__((format(printf, 5, 6)))
static void
vifspec_err(char *err, size_t errlen, const char *key, const char *value,
    const char *fmt, ...)
{
	char qv[VIFSPEC_QUOTE_MAX * 4 + 8], reason[256];
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	vifspec_quote(value, strlen(value), qv, sizeof(qv));
	if (key != NULL)
		snprintf(err, errlen, "%s='%s': %s", key, qv, reason);
	else
		snprintf(err, errlen, "'%s': %s", qv, reason);
}

__attribute__((format(printf, 2, 3)))
static void
vifspec_warn(struct vifspec *vs, const char *fmt, ...)
{
	va_list ap;

	if (vs->n_warn >= VIFSPEC_MAX_WARN)
		return;
	va_start(ap, fmt);
	vsnprintf(vs->warn[vs->n_warn], VIFSPEC_WARN_LEN, fmt, ap);
	va_end(ap);
	vs->n_warn++;
}

/* ---- MAC ---------------------------------------------------------------- */

void
vifspec_mac_generate(enum vifspec_mac_mode mode, const uint8_t rnd[6],
    uint8_t mac[6])
{
	if (mode == VIFSPEC_MAC_LOCAL) {
		memcpy(mac, rnd, 6);
		/* bit 1: locally administered; bit 0: multicast. */
		mac[0] = (uint8_t)((mac[0] & 0xfcu) | 0x02u);
		return;
	}
	/* libxl__device_nic_setdefault: Xen's OUI, and the top bit of the
	 * fourth byte cleared. */
	mac[0] = 0x00;
	mac[1] = 0x16;
	mac[2] = 0x3e;
	mac[3] = rnd[0] & 0x7fu;
	mac[4] = rnd[1];
	mac[5] = rnd[2];
}

void
vifspec_format_mac(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
	    mac[2], mac[3], mac[4], mac[5]);
}

/* ---- value checks -------------------------------------------------------- */

/* Printable ASCII without space: 0x21..0x7e. */
static bool
vifspec_graph(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* No control characters (space allowed). */
static bool
vifspec_print(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return false;
	return true;
}

/*
 * A Linux interface name (net/core/dev.c: dev_valid_name): 1..15 bytes,
 * not "." or "..", no '/', ':' or white space. We also want printable
 * ASCII, since the name ends up in scripts' command lines.
 */
static const char *
vifspec_check_ifname(const char *v)
{
	size_t n = strlen(v);

	if (n == 0)
		return "empty interface name";
	if (n > VIFSPEC_IFNAME_MAX)
		return "interface name longer than 15 characters (IFNAMSIZ)";
	if (strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
		return "not a valid interface name";
	if (!vifspec_graph(v) || strchr(v, '/') != NULL ||
	    strchr(v, ':') != NULL)
		return "interface names may not contain '/', ':', spaces or "
		    "control characters";
	return NULL;
}

/* ip=: space-separated IPv4/IPv6 addresses, each with an optional
 * /prefix. */
static const char *
vifspec_check_ip(const char *v)
{
	char tok[64], *slash;
	const char *p = v, *e;
	unsigned char addr[16];
	uint64_t plen;
	int fam, count = 0;
	size_t n;

	while (*p != '\0') {
		if (*p == ' ') {
			p++;
			continue;
		}
		e = strchr(p, ' ');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n >= sizeof(tok))
			return "an address is too long";
		memcpy(tok, p, n);
		tok[n] = '\0';
		p += n;
		slash = strchr(tok, '/');
		if (slash != NULL)
			*slash++ = '\0';
		if (inet_pton(AF_INET, tok, addr) == 1)
			fam = 4;
		else if (inet_pton(AF_INET6, tok, addr) == 1)
			fam = 6;
		else
			return "expected IPv4 or IPv6 addresses separated by "
			    "spaces, each with an optional /prefix";
		if (slash != NULL &&
		    strparse_uint(slash, fam == 4 ? 32 : 128, &plen) < 0)
			return "bad prefix length";
		count++;
	}
	return count == 0 ? "no address" : NULL;
}

/* One VLAN ID: 1..4094 (IEEE 802.1Q reserves 0 and 4095). */
static const char *
vifspec_vlan_id(const char **pp, unsigned int *out)
{
	const char *p = *pp;
	unsigned int v = 0;
	size_t n = strspn(p, "0123456789");

	if (n == 0 || n > 4)
		return "expected a VLAN ID";
	for (; n > 0; n--, p++)
		v = v * 10u + (unsigned int)(*p - '0');
	if (v < 1 || v > 4094)
		return "VLAN IDs are 1..4094";
	*out = v;
	*pp = p;
	return NULL;
}

/*
 * bridge=: an interface name, a switch inside vifd (vifd:NAME,
 * core/swspec.h), or Xen's vif-openvswitch syntax
 * BRIDGE[.VLAN][:TRUNK[:TRUNK]...]. The part before the first ':' is an
 * interface name (a Linux bridge may have a '.' in its name, so ".VLAN"
 * is the hotplug script's to judge); each trunk after it is a VLAN ID.
 * A switch's bad name is said in `swerr`, which the returned reason
 * points to.
 */
static const char *
vifspec_check_bridge(const char *v, char *swerr, size_t swerrlen)
{
	char head[VIFSPEC_IFNAME_MAX + 2], sw[SWSPEC_NAME_MAX + 1];
	const char *colon = strchr(v, ':'), *p, *why;
	size_t n = colon != NULL ? (size_t)(colon - v) : strlen(v);
	unsigned int id;
	int r;

	r = swspec_parse(v, sw, swerr, swerrlen);
	if (r != 0)
		return r > 0 ? NULL : swerr;

	if (n > VIFSPEC_IFNAME_MAX)
		return "interface name longer than 15 characters (IFNAMSIZ)";
	memcpy(head, v, n);
	head[n] = '\0';
	if ((why = vifspec_check_ifname(head)) != NULL)
		return why;
	/* p is at a ':' (or NULL, or the end) each time round. */
	for (p = colon; p != NULL && *p != '\0';) {
		p++;
		if (vifspec_vlan_id(&p, &id) != NULL ||
		    (*p != '\0' && *p != ':'))
			return "after BRIDGE: expected :TRUNK VLAN IDs "
			    "(1..4094), as in ovsbr0:10:20";
	}
	return NULL;
}

/*
 * vlan= (xl-network-configuration(5)): terms separated by '/', each
 * VLAN[p|u], VLAN1-VLAN2[u] or VLAN+OFFSETxCOUNT[u]; exactly one VLAN is
 * the PVID (p), which may be left out when the whole value is one VLAN.
 */
static const char *
vifspec_check_vlan(const char *v)
{
	const char *p = v, *why;
	unsigned int a, b, off, cnt, terms = 0, pvids = 0;
	bool single = false;

	for (;;) {
		why = vifspec_vlan_id(&p, &a);
		if (why != NULL)
			return why;
		terms++;
		single = false;
		if (*p == '-') {
			p++;
			if ((why = vifspec_vlan_id(&p, &b)) != NULL)
				return why;
			if (b < a)
				return "a VLAN range must not go down";
			if (*p == 'u')
				p++;
		} else if (*p == '+') {
			p++;
			if ((why = vifspec_vlan_id(&p, &off)) != NULL)
				return why;
			if (*p++ != 'x')
				return "expected VLAN+OFFSETxCOUNT";
			if ((why = vifspec_vlan_id(&p, &cnt)) != NULL)
				return why;
			if (a + (uint64_t)off * cnt > 4094)
				return "the VLAN sequence goes past 4094";
			if (*p == 'u')
				p++;
		} else if (*p == 'p') {
			pvids++;
			p++;
		} else {
			single = true;
			if (*p == 'u')
				p++;
		}
		if (*p == '\0')
			break;
		if (*p++ != '/')
			return "expected VLAN terms separated by '/'";
	}
	if (pvids > 1)
		return "more than one PVID (p)";
	if (pvids == 0 && !(terms == 1 && single))
		return "one VLAN must be marked as the PVID with p";
	return NULL;
}

/* backend= by name: letters, digits, '_', '.', '-' (not first), 1..64. */
static bool
vifspec_domain_name(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > 64 || v[0] == '-')
		return false;
	for (; *v != '\0'; v++)
		if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
		    (*v >= '0' && *v <= '9') || *v == '-' || *v == '_' ||
		    *v == '.'))
			return false;
	return true;
}

/* model=: a QEMU device name, so nothing that could become an option. */
static const char *
vifspec_check_model(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > 64)
		return "expected a device model name (1..64 characters)";
	for (; *v != '\0'; v++)
		if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
		    (*v >= '0' && *v <= '9') || *v == '-' || *v == '_' ||
		    *v == '.'))
			return "a model name is letters, digits, '-', '_' "
			    "and '.'";
	return NULL;
}

/* ---- keys --------------------------------------------------------------- */

enum vifspec_key {
	K_MAC, K_BRIDGE, K_GATEWAYDEV, K_TYPE, K_MODEL, K_VIFNAME, K_SCRIPT,
	K_IP, K_BACKEND, K_RATE, K_MTU, K_DEVID, K_VLAN, K_ACCEL, K_EXTRA,
	K_NKEYS
};

static const struct vifspec_keydef {
	const char *name;
	enum vifspec_key key;
} vifspec_keys[] = {
	{ "mac", K_MAC },
	{ "bridge", K_BRIDGE },
	{ "gatewaydev", K_GATEWAYDEV },
	{ "netdev", K_GATEWAYDEV },	/* deprecated alias */
	{ "type", K_TYPE },
	{ "model", K_MODEL },
	{ "vifname", K_VIFNAME },
	{ "script", K_SCRIPT },
	{ "ip", K_IP },
	{ "backend", K_BACKEND },
	{ "rate", K_RATE },
	{ "mtu", K_MTU },
	{ "devid", K_DEVID },
	{ "vlan", K_VLAN },
	{ "accel", K_ACCEL },
	/* COLO and its forwarding device: libxl writes them to the backend
	 * as they are (libxl_nic.c, MAYBE_ADD_COLO_ARGS). */
	{ "forwarddev", K_EXTRA },
	{ "colo_sock_mirror_id", K_EXTRA },
	{ "colo_sock_mirror_ip", K_EXTRA },
	{ "colo_sock_mirror_port", K_EXTRA },
	{ "colo_sock_compare_pri_in_id", K_EXTRA },
	{ "colo_sock_compare_pri_in_ip", K_EXTRA },
	{ "colo_sock_compare_pri_in_port", K_EXTRA },
	{ "colo_sock_compare_sec_in_id", K_EXTRA },
	{ "colo_sock_compare_sec_in_ip", K_EXTRA },
	{ "colo_sock_compare_sec_in_port", K_EXTRA },
	{ "colo_sock_compare_notify_id", K_EXTRA },
	{ "colo_sock_compare_notify_ip", K_EXTRA },
	{ "colo_sock_compare_notify_port", K_EXTRA },
	{ "colo_sock_redirector0_id", K_EXTRA },
	{ "colo_sock_redirector0_ip", K_EXTRA },
	{ "colo_sock_redirector0_port", K_EXTRA },
	{ "colo_sock_redirector1_id", K_EXTRA },
	{ "colo_sock_redirector1_ip", K_EXTRA },
	{ "colo_sock_redirector1_port", K_EXTRA },
	{ "colo_sock_redirector2_id", K_EXTRA },
	{ "colo_sock_redirector2_ip", K_EXTRA },
	{ "colo_sock_redirector2_port", K_EXTRA },
	{ "colo_filter_mirror_queue", K_EXTRA },
	{ "colo_filter_mirror_outdev", K_EXTRA },
	{ "colo_filter_redirector0_queue", K_EXTRA },
	{ "colo_filter_redirector0_indev", K_EXTRA },
	{ "colo_filter_redirector0_outdev", K_EXTRA },
	{ "colo_filter_redirector1_queue", K_EXTRA },
	{ "colo_filter_redirector1_indev", K_EXTRA },
	{ "colo_filter_redirector1_outdev", K_EXTRA },
	{ "colo_compare_pri_in", K_EXTRA },
	{ "colo_compare_sec_in", K_EXTRA },
	{ "colo_compare_out", K_EXTRA },
	{ "colo_compare_notify_dev", K_EXTRA },
	{ "colo_sock_sec_redirector0_id", K_EXTRA },
	{ "colo_sock_sec_redirector0_ip", K_EXTRA },
	{ "colo_sock_sec_redirector0_port", K_EXTRA },
	{ "colo_sock_sec_redirector1_id", K_EXTRA },
	{ "colo_sock_sec_redirector1_ip", K_EXTRA },
	{ "colo_sock_sec_redirector1_port", K_EXTRA },
	{ "colo_filter_sec_redirector0_queue", K_EXTRA },
	{ "colo_filter_sec_redirector0_indev", K_EXTRA },
	{ "colo_filter_sec_redirector0_outdev", K_EXTRA },
	{ "colo_filter_sec_redirector1_queue", K_EXTRA },
	{ "colo_filter_sec_redirector1_indev", K_EXTRA },
	{ "colo_filter_sec_redirector1_outdev", K_EXTRA },
	{ "colo_filter_sec_rewriter0_queue", K_EXTRA },
	{ "colo_checkpoint_host", K_EXTRA },
	{ "colo_checkpoint_port", K_EXTRA },
};

#define VIFSPEC_NKEYDEFS (sizeof(vifspec_keys) / sizeof(vifspec_keys[0]))

static const struct vifspec_keydef *
vifspec_find_key(const char *name)
{
	size_t i;

	for (i = 0; i < VIFSPEC_NKEYDEFS; i++)
		if (strcmp(vifspec_keys[i].name, name) == 0)
			return &vifspec_keys[i];
	return NULL;
}

/* Resolves script= as libxl__abs_path does. */
static int
vifspec_set_script(struct vifspec *vs, const struct vifspec_opts *opts,
    const char *script)
{
	const char *dir = opts != NULL && opts->script_dir != NULL ?
	    opts->script_dir : VIFSPEC_SCRIPT_DIR_DEFAULT;
	int n;

	if (script[0] == '/')
		n = snprintf(vs->script, sizeof(vs->script), "%s", script);
	else
		n = snprintf(vs->script, sizeof(vs->script), "%s/%s", dir,
		    script);
	return n < 0 || (size_t)n >= sizeof(vs->script) ? -ENAMETOOLONG : 0;
}

/* One key=value item; `key` and `v` are NUL-terminated inside vs->buf. */
static int
vifspec_item(struct vifspec *vs, const struct vifspec_opts *opts,
    const struct vifspec_keydef *kd, const char *key, char *v, char *err,
    size_t errlen)
{
	const char *why = NULL;
	char swerr[128];
	uint64_t x;
	unsigned int i;
	int r;

	/* Every value we keep is text for xenstore or a command line. */
	if (!vifspec_print(v)) {
		vifspec_err(err, errlen, key, v, "control characters are not "
		    "allowed");
		return -EINVAL;
	}
	switch (kd->key) {
	case K_MAC:
		if (strparse_mac(v, STRPARSE_MAC_DASH, vs->mac) < 0) {
			why = "not a MAC address (six hex bytes separated by "
			    "':', e.g. 00:16:3e:12:34:56)";
			break;
		}
		if ((vs->mac[0] & 1u) != 0) {
			why = "a multicast MAC address (the first byte is odd) "
			    "cannot be a NIC's address";
			break;
		}
		/* libxl__mac_is_default: all zeros means "generate one". */
		vs->mac_generated = memcmp(vs->mac, "\0\0\0\0\0\0", 6) == 0;
		break;
	case K_BRIDGE:
		if ((why = vifspec_check_bridge(v, swerr,
		    sizeof(swerr))) == NULL)
			vs->bridge = v;
		break;
	case K_GATEWAYDEV:
		if (strcmp(key, "netdev") == 0)
			vifspec_warn(vs, "netdev= is deprecated, use "
			    "gatewaydev=");
		if ((why = vifspec_check_ifname(v)) == NULL)
			vs->gatewaydev = v;
		break;
	case K_TYPE:
		if (strcmp(v, "vif") == 0)
			vs->type = VIFSPEC_TYPE_VIF;
		else if (strcmp(v, "ioemu") == 0)
			vs->type = VIFSPEC_TYPE_IOEMU;
		else
			why = "expected vif or ioemu";
		vs->type_given = true;
		break;
	case K_MODEL:
		if ((why = vifspec_check_model(v)) == NULL)
			vs->model = v;
		break;
	case K_VIFNAME:
		if ((why = vifspec_check_ifname(v)) == NULL)
			vs->vifname = v;
		break;
	case K_SCRIPT:
		if (v[0] == '\0')
			why = "empty script name";
		else if (vifspec_set_script(vs, opts, v) < 0)
			why = "the script path is too long";
		break;
	case K_IP:
		if ((why = vifspec_check_ip(v)) == NULL)
			vs->ip = v;
		break;
	case K_BACKEND:
		if (v[0] == '\0') {
			why = "empty backend domain";
		} else if (strspn(v, "0123456789") == strlen(v)) {
			/* libxl_domain_qualifier_to_domid: all digits is a
			 * domid, anything else a domain name. */
			if (strparse_uint(v, VIFSPEC_DOMID_MAX, &x) < 0) {
				why = "a domain id is 0..32751";
				break;
			}
			vs->backend_is_domid = true;
			vs->backend_domid = (uint32_t)x;
			vs->backend = v;
		} else if (!vifspec_domain_name(v)) {
			why = "expected a domain id or a domain name (letters, "
			    "digits, '_', '.' and '-', not first; at most 64 "
			    "characters)";
		} else {
			vs->backend_is_domid = false;
			vs->backend = v;
		}
		break;
	case K_RATE: {
		char rerr[160];

		r = vifspec_parse_rate(v, &vs->rate, rerr, sizeof(rerr));
		if (r < 0) {
			vifspec_err(err, errlen, key, v, "%s", rerr);
			return -EINVAL;
		}
		vs->rate_given = true;
		break;
	}
	case K_MTU:
		r = strparse_uint(v, VIFSPEC_MTU_MAX, &x);
		if (r < 0 || x < VIFSPEC_MTU_MIN) {
			why = "expected a decimal MTU in 68..65535";
			break;
		}
		vs->mtu = (uint32_t)x;
		vs->mtu_given = true;
		break;
	case K_DEVID:
		if (strparse_uint(v, VIFSPEC_DEVID_MAX, &x) < 0) {
			why = "expected a decimal device id in 0..2147483647";
			break;
		}
		vs->devid = (uint32_t)x;
		vs->devid_given = true;
		break;
	case K_VLAN:
		if ((why = vifspec_check_vlan(v)) == NULL)
			vs->vlan = v;
		break;
	case K_ACCEL:
		/* xl prints "not supported" and goes on; old xm configs may
		 * still carry it, and it changes nothing. */
		vifspec_warn(vs, "accel= is not supported, ignored");
		break;
	case K_EXTRA:
		if (v[0] == '\0') {
			why = "empty value";
			break;
		}
		for (i = 0; i < vs->n_extra; i++)
			if (strcmp(vs->extra[i].key, key) == 0)
				break;
		if (i == VIFSPEC_MAX_EXTRA) {
			why = "too many keys";
			break;
		}
		vs->extra[i].key = key;
		vs->extra[i].value = v;
		if (i == vs->n_extra)
			vs->n_extra++;
		break;
	case K_NKEYS:
		abort();
	}
	if (why != NULL) {
		vifspec_err(err, errlen, key, v, "%s", why);
		return -EINVAL;
	}
	return 0;
}

int
vifspec_parse(const char *spec, const struct vifspec_opts *opts,
    struct vifspec *vs, char *err, size_t errlen)
{
	static const uint8_t zero[6];
	bool seen[K_NKEYS] = { false };
	const struct vifspec_keydef *kd;
	char *p, *item, *eq, dummy[1];
	size_t n;
	int r;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	memset(vs, 0, sizeof(*vs));
	vs->bridge = VIFSPEC_BRIDGE_DEFAULT;
	vs->mtu = VIFSPEC_MTU_DEFAULT;
	vs->trusted = true;
	vs->mac_generated = true;
	if (vifspec_set_script(vs, opts, VIFSPEC_SCRIPT_DEFAULT) < 0) {
		snprintf(err, errlen, "the script directory is too long");
		return -EINVAL;
	}

	n = strlen(spec);
	if (n > VIFSPEC_MAX_LEN) {
		snprintf(err, errlen, "the vif spec is %zu bytes long, more "
		    "than %u", n, VIFSPEC_MAX_LEN);
		return -E2BIG;
	}
	memcpy(vs->buf, spec, n + 1);

	/* Split on ',' as xl's strtok does: empty items vanish. */
	for (p = vs->buf; p != NULL; ) {
		item = p;
		p = strchr(p, ',');
		if (p != NULL)
			*p++ = '\0';
		while (*item == ' ')
			item++;
		if (*item == '\0')
			continue;

		eq = strchr(item, '=');
		if (eq == NULL) {
			if (strcmp(item, "trusted") == 0) {
				vs->trusted = true;
			} else if (strcmp(item, "untrusted") == 0) {
				vs->trusted = false;
			} else if (vifspec_find_key(item) != NULL) {
				vifspec_err(err, errlen, NULL, item, "the %s "
				    "key needs a value (%s=...)", item, item);
				return -EINVAL;
			} else {
				vifspec_err(err, errlen, NULL, item, "unknown "
				    "flag (the flags are trusted and "
				    "untrusted; other items are key=value)");
				return -EINVAL;
			}
			continue;
		}
		*eq = '\0';
		kd = vifspec_find_key(item);
		if (kd == NULL) {
			*eq = '=';
			vifspec_err(err, errlen, NULL, item, "unknown key "
			    "(known: mac, bridge, gatewaydev, type, model, "
			    "vifname, script, ip, backend, rate, mtu, devid, "
			    "vlan, forwarddev, colo_*; flags: trusted, "
			    "untrusted)");
			return -EINVAL;
		}
		if (kd->key != K_EXTRA && kd->key != K_ACCEL) {
			if (seen[kd->key])
				vifspec_warn(vs, "%s= given more than once, "
				    "the last one wins", item);
			seen[kd->key] = true;
		}
		r = vifspec_item(vs, opts, kd, item, eq + 1, err, errlen);
		if (r < 0)
			return r;
	}

	if (vs->mac_generated)
		vifspec_mac_generate(opts != NULL ? opts->mac_mode :
		    VIFSPEC_MAC_XEN_OUI, opts != NULL ? opts->random : zero,
		    vs->mac);
	return 0;
}

