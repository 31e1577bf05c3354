/*
 * lvplan.c - libvirt's <interface> elements into vifctl commands (see
 * lvplan.h), with Debian's libxml2.
 *
 * Owns the reading of the elements that mean something for a vif and
 * that libxl never sees: <bandwidth>, <link>, <port>, <vlan>, <driver>'s
 * offloads. The XML is
 * libvirt's own rendering of the domain, but a hand-edited definition
 * reaches us through it, so every value is checked as the vifctl command
 * it becomes would check it, and one bad value refuses the whole plan:
 * a domain half shaped, or in the wrong VLAN, is worse than one the hook
 * refuses to start.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "core/strparse.h"
#include "core/vlanspec.h"
#include "lvplan.h"

/* libvirt's limits on a bandwidth value: an unsigned long long of KiB/s;
 * ours is what fits vifd's bytes-per-second arithmetic with room. */
#define LVPLAN_RATE_MAX (UINT64_MAX / 1024u / 1000000u)

struct lvplan_ctx {
	struct lvplan *plan;
	unsigned int devid;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int
lvplan_bad(struct lvplan_ctx *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->err, x->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

__attribute__((format(printf, 2, 3)))
static void
lvplan_warn(struct lvplan_ctx *x, const char *fmt, ...)
{
	struct lvplan *p = x->plan;
	va_list ap;

	if (p->nwarn == sizeof(p->warn) / sizeof(p->warn[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(p->warn[p->nwarn++], sizeof(p->warn[0]), fmt, ap);
	va_end(ap);
}

/* The first child element of `n` named `name`, or NULL. */
static xmlNode *
lvplan_child(xmlNode *n, const char *name)
{
	for (n = n != NULL ? n->children : NULL; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, name) == 0)
			return n;
	return NULL;
}

/* An attribute's value into buf ("" if absent). -EINVAL if too long. */
static int
lvplan_attr(struct lvplan_ctx *x, xmlNode *n, const char *name, char *buf,
    size_t len)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	int r = 0;

	buf[0] = '\0';
	if (v == NULL)
		return 0;
	if (strlen((const char *)v) >= len)
		r = lvplan_bad(x, "interface %u: <%s %s='%.24s...'>: too long",
		    x->devid, (const char *)n->name, name, (const char *)v);
	else
		snprintf(buf, len, "%s", (const char *)v);
	xmlFree(v);
	return r;
}

/* A new command of the plan for this interface. */
static struct lvplan_cmd *
lvplan_cmd(struct lvplan_ctx *x, const char *sub)
{
	struct lvplan_cmd *c = &x->plan->cmds[x->plan->ncmds++];

	memset(c, 0, sizeof(*c));
	snprintf(c->argv[c->argc++], sizeof(c->argv[0]), "%s", sub);
	return c;
}

static void
lvplan_arg(struct lvplan_cmd *c, const char *fmt, const char *v)
{
	snprintf(c->argv[c->argc++], sizeof(c->argv[0]), fmt, v);
}

static void
lvplan_ids(struct lvplan_ctx *x, struct lvplan_cmd *c)
{
	snprintf(c->argv[c->argc++], sizeof(c->argv[0]), "%u",
	    x->plan->domid);
	snprintf(c->argv[c->argc++], sizeof(c->argv[0]), "%u", x->devid);
}

/* One direction of <bandwidth>: "AVERAGE[,PEAK[,BURST]]" into val, or ""
 * when the element is absent or has only a floor. */
static int
lvplan_dir(struct lvplan_ctx *x, xmlNode *bw, const char *dir, char *val,
    size_t len)
{
	static const char *const names[] = { "average", "peak", "burst" };
	char v[3][24], floor_[24];
	xmlNode *e = lvplan_child(bw, dir);
	uint64_t n;
	int i, r;

	val[0] = '\0';
	if (e == NULL)
		return 0;
	for (i = 0; i < 3; i++) {
		if ((r = lvplan_attr(x, e, names[i], v[i], sizeof(v[i]))) != 0)
			return r;
		if (v[i][0] != '\0' && (strparse_uint(v[i], LVPLAN_RATE_MAX,
		    &n) != 0 || n == 0))
			return lvplan_bad(x, "interface %u: <bandwidth><%s "
			    "%s='%s'>: not a number of %s in 1..%llu",
			    x->devid, dir, names[i], v[i],
			    i == 2 ? "KiB" : "KiB/s",
			    (unsigned long long)LVPLAN_RATE_MAX);
	}
	if ((r = lvplan_attr(x, e, "floor", floor_, sizeof(floor_))) != 0)
		return r;
	if (floor_[0] != '\0')
		lvplan_warn(x, "interface %u: <bandwidth><%s floor='%s'>: a "
		    "guaranteed minimum is not done by vifd; ignored",
		    x->devid, dir, floor_);
	if (v[0][0] == '\0') {
		if (v[1][0] != '\0' || v[2][0] != '\0')
			return lvplan_bad(x, "interface %u: <bandwidth><%s>: "
			    "peak or burst without an average", x->devid,
			    dir);
		return 0;
	}
	/* vifctl rate's AVERAGE[,PEAK[,BURST]]; a burst without a peak
	 * leaves PEAK empty (the burst then goes as fast as it comes). */
	snprintf(val, len, "%s%s%s%s%s", v[0], v[1][0] || v[2][0] ? "," : "",
	    v[1], v[2][0] ? "," : "", v[2]);
	return 0;
}

/* <vlan>: one <tag id> is an access port unless trunk='yes'; several
 * tags are a trunk; nativeMode='untagged'|'tagged' marks the native. */
static int
lvplan_vlan(struct lvplan_ctx *x, xmlNode *vl, char *val, size_t len)
{
	char trunk[8], id[16], mode[16], err[128];
	struct vlanspec vs;
	size_t used;
	xmlNode *t;
	unsigned int ntags = 0;
	int r;

	if ((r = lvplan_attr(x, vl, "trunk", trunk, sizeof(trunk))) != 0)
		return r;
	for (t = vl->children; t != NULL; t = t->next)
		if (t->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)t->name, "tag") == 0)
			ntags++;
	if (ntags == 0)
		return lvplan_bad(x, "interface %u: <vlan> without a <tag>",
		    x->devid);
	used = (size_t)snprintf(val, len, "%s", ntags > 1 ||
	    strcmp(trunk, "yes") == 0 ? "trunk:" : "");
	for (t = vl->children; t != NULL; t = t->next) {
		if (t->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)t->name, "tag") != 0)
			continue;
		if ((r = lvplan_attr(x, t, "id", id, sizeof(id))) != 0 ||
		    (r = lvplan_attr(x, t, "nativeMode", mode,
		    sizeof(mode))) != 0)
			return r;
		if (mode[0] != '\0' && strcmp(mode, "untagged") != 0 &&
		    strcmp(mode, "tagged") != 0)
			return lvplan_bad(x, "interface %u: <vlan><tag "
			    "nativeMode='%s'>: not tagged or untagged",
			    x->devid, mode);
		used += (size_t)snprintf(val + used, used < len ? len - used :
		    0, "%s%s%s%s", used == 0 || val[used - 1] == ':' ? "" :
		    ",", id, mode[0] ? "=native-" : "", mode);
		if (used >= len)
			return lvplan_bad(x, "interface %u: <vlan>: too many "
			    "tags", x->devid);
	}
	if (vlanspec_parse(val, &vs, err, sizeof(err)) < 0)
		return lvplan_bad(x, "interface %u: <vlan>: %s", x->devid,
		    err);
	return 0;
}

/*
 * <driver><host .../><guest .../></driver>: offloads switched off become
 * vifd's feature mask. The mask is per feature and holds both ways (a
 * feature netif negotiates is one the frontend and the backend share),
 * so host or guest off masks it: csum the checksum offloads (and with
 * them TSO), tso4/tso6 the GSO types, host gso both GSO types. ecn and
 * ufo netif never offers; mrg_rxbuf is virtio's: nothing to mask.
 */
static int
lvplan_driver(struct lvplan_ctx *x, xmlNode *drv, char *val, size_t len)
{
	/* vifd's mask names, and which of them each attribute masks. */
	static const char *const names[] = {
		"ipv4-csum", "ipv6-csum", "gso-tcpv4", "gso-tcpv6",
	};
	static const struct { const char *attr; unsigned int bits; } map[] = {
		{ "csum", 0x3 }, { "tso4", 0x4 }, { "tso6", 0x8 },
		{ "gso", 0xc },
	};
	static const char *const sides[] = { "host", "guest" };
	unsigned int off = 0;
	char v[8];
	xmlNode *e;
	size_t i, s, used = 0;
	int r;

	val[0] = '\0';
	for (s = 0; s < 2; s++) {
		if ((e = lvplan_child(drv, sides[s])) == NULL)
			continue;
		for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
			if ((r = lvplan_attr(x, e, map[i].attr, v,
			    sizeof(v))) != 0)
				return r;
			if (v[0] != '\0' && strcmp(v, "on") != 0 &&
			    strcmp(v, "off") != 0)
				return lvplan_bad(x, "interface %u: <driver><%s "
				    "%s='%s'>: not on or off", x->devid,
				    sides[s], map[i].attr, v);
			if (strcmp(v, "off") == 0)
				off |= map[i].bits;
		}
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (off & (1u << i))
			used += (size_t)snprintf(val + used, len - used, "%s%s",
			    used ? "," : "", names[i]);
	return 0;
}

/* The commands of one interface. */
static int
lvplan_iface(struct lvplan_ctx *x, xmlNode *ifc)
{
	char out[80], in[80], link[16], iso[16], vlan[96], feat[96];
	struct lvplan_cmd *c;
	xmlNode *e;
	int r;

	e = lvplan_child(ifc, "bandwidth");
	if ((r = lvplan_dir(x, e, "outbound", out, sizeof(out))) != 0 ||
	    (r = lvplan_dir(x, e, "inbound", in, sizeof(in))) != 0)
		return r;
	if (out[0] != '\0' || in[0] != '\0') {
		c = lvplan_cmd(x, "rate");
		if (out[0] != '\0')
			lvplan_arg(c, "--outbound=%s", out);
		if (in[0] != '\0')
			lvplan_arg(c, "--inbound=%s", in);
		lvplan_ids(x, c);
	}
	link[0] = iso[0] = vlan[0] = '\0';
	if ((e = lvplan_child(ifc, "link")) != NULL &&
	    (r = lvplan_attr(x, e, "state", link, sizeof(link))) != 0)
		return r;
	if (e != NULL && strcmp(link, "up") != 0 && strcmp(link, "down") != 0)
		return lvplan_bad(x, "interface %u: <link state='%s'>: not up "
		    "or down", x->devid, link);
	if ((e = lvplan_child(ifc, "port")) != NULL &&
	    (r = lvplan_attr(x, e, "isolated", iso, sizeof(iso))) != 0)
		return r;
	if (iso[0] != '\0' && strcmp(iso, "yes") != 0 && strcmp(iso, "no") != 0)
		return lvplan_bad(x, "interface %u: <port isolated='%s'>: not "
		    "yes or no", x->devid, iso);
	if ((e = lvplan_child(ifc, "vlan")) != NULL &&
	    (r = lvplan_vlan(x, e, vlan, sizeof(vlan))) != 0)
		return r;
	feat[0] = '\0';
	if ((e = lvplan_child(ifc, "driver")) != NULL &&
	    (r = lvplan_driver(x, e, feat, sizeof(feat))) != 0)
		return r;
	if (feat[0] != '\0') {
		c = lvplan_cmd(x, "features");
		lvplan_arg(c, "--off=%s", feat);
		lvplan_ids(x, c);
	}
	if (link[0] == '\0' && iso[0] == '\0' && vlan[0] == '\0')
		return 0;
	c = lvplan_cmd(x, "port");
	if (link[0] != '\0')
		lvplan_arg(c, "--link=%s", link);
	if (iso[0] != '\0')
		lvplan_arg(c, "--isolated=%s", iso);
	if (vlan[0] != '\0')
		lvplan_arg(c, "--vlan=%s", vlan);
	lvplan_ids(x, c);
	return 0;
}

int
lvplan_build(const char *xml, size_t len, struct lvplan *plan, char *err,
    size_t errlen)
{
	struct lvplan_ctx x = { plan, 0, err, errlen };
	char id[16], type[24];
	xmlDoc *doc;
	xmlNode *root, *devs, *n;
	uint64_t v;
	int r = 0;

	memset(plan, 0, sizeof(*plan));
	if (len > (size_t)INT32_MAX)
		return lvplan_bad(&x, "the domain XML is too large");
	/* No network, no entity expansion from outside: the document is
	 * all there is. */
	doc = xmlReadMemory(xml, (int)len, "domain.xml", NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
		return lvplan_bad(&x, "the domain XML does not parse");
	root = xmlDocGetRootElement(doc);
	if (root == NULL || strcmp((const char *)root->name, "domain") != 0) {
		r = lvplan_bad(&x, "not a libvirt domain (no <domain>)");
		goto out;
	}
	if ((r = lvplan_attr(&x, root, "id", id, sizeof(id))) != 0)
		goto out;
	if (strparse_uint(id, UINT32_MAX - 1, &v) != 0) {
		r = lvplan_bad(&x, "<domain id='%s'>: no domain id (the hook "
		    "acts once the domain exists)", id);
		goto out;
	}
	plan->domid = (uint32_t)v;
	devs = lvplan_child(root, "devices");
	for (n = devs != NULL ? devs->children : NULL; n != NULL;
	    n = n->next) {
		if (n->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)n->name, "interface") != 0)
			continue;
		if ((r = lvplan_attr(&x, n, "type", type, sizeof(type))) != 0)
			goto out;
		if (strcmp(type, "hostdev") == 0)
			continue;	/* a passed-through NIC: no vif */
		if (x.devid == LVPLAN_MAX_IFACES) {
			r = lvplan_bad(&x, "more than %u interfaces",
			    LVPLAN_MAX_IFACES);
			goto out;
		}
		if ((r = lvplan_iface(&x, n)) != 0)
			goto out;
		x.devid++;
	}
out:
	xmlFreeDoc(doc);
	if (r != 0)
		plan->ncmds = 0;
	return r;
}
