/*
 * vifspec_nodes.c - the xenstore nodes libxl writes for a vif
 * (libxl__device_add_async, libxl__set_xenstore_nic,
 * libxl__device_generic_add): paths, values and owners, sorted.
 *
 * Owns the list only: vifctl writes it, vifd reads what it says. Pure:
 * no fd, no clock, no allocation.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/io/xenbus.h>

#include "core/vifspec.h"

int
vifspec_backend_dir(const struct vifspec_ids *ids, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/local/domain/%u/backend/vif/%u/%u",
	    ids->backend_domid, ids->domid, ids->devid);

	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

int
vifspec_frontend_dir(const struct vifspec_ids *ids, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/local/domain/%u/device/vif/%u",
	    ids->domid, ids->devid);

	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

struct vifspec_nodelist {
	struct vifspec_node *v;
	size_t n, max;
	int err;
};

/* Appends DIR/KEY; returns the node, or NULL (and sets ns->err). */
static struct vifspec_node *
vifspec_node_new(struct vifspec_nodelist *ns, const char *dir, const char *key,
    enum vifspec_perm perm)
{
	struct vifspec_node *nd;
	int n;

	if (ns->err != 0)
		return NULL;
	if (ns->n == ns->max) {
		ns->err = -ENOSPC;
		return NULL;
	}
	nd = &ns->v[ns->n];
	memset(nd, 0, sizeof(*nd));
	n = snprintf(nd->path, sizeof(nd->path), "%s/%s", dir, key);
	if (n < 0 || (size_t)n >= sizeof(nd->path)) {
		ns->err = -ENOSPC;
		return NULL;
	}
	nd->perm = perm;
	ns->n++;
	return nd;
}

/* A node whose value is kept by reference (it outlives the list). */
static void
vifspec_node_ref(struct vifspec_nodelist *ns, const char *dir, const char *key,
    enum vifspec_perm perm, const char *value)
{
	struct vifspec_node *nd = vifspec_node_new(ns, dir, key, perm);

	if (nd != NULL)
		nd->ext = value;
}

/* A node whose value is formatted into the node. */
__attribute__((format(printf, 5, 6)))
static void
vifspec_node_fmt(struct vifspec_nodelist *ns, const char *dir, const char *key,
    enum vifspec_perm perm, const char *fmt, ...)
{
	struct vifspec_node *nd = vifspec_node_new(ns, dir, key, perm);
	va_list ap;
	int n;

	if (nd == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(nd->vbuf, sizeof(nd->vbuf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(nd->vbuf))
		ns->err = -ENOSPC;
}

static int
vifspec_node_cmp(const void *a, const void *b)
{
	const struct vifspec_node *x = a, *y = b;

	return strcmp(x->path, y->path);
}

int
vifspec_nodes(const struct vifspec *vs, const struct vifspec_ids *ids,
    struct vifspec_node *nodes, size_t max)
{
	char be[VIFSPEC_PATH_MAX], fe[VIFSPEC_PATH_MAX], mac[18];
	struct vifspec_nodelist ns = {
		.v = nodes, .n = 0, .max = max, .err = 0
	};
	const enum vifspec_perm B = VIFSPEC_PERM_BACKEND;
	const enum vifspec_perm F = VIFSPEC_PERM_FRONTEND;
	unsigned int i;

	if (ids->domid > VIFSPEC_DOMID_MAX ||
	    ids->backend_domid > VIFSPEC_DOMID_MAX ||
	    ids->devid > VIFSPEC_DEVID_MAX)
		return -EINVAL;
	if (vifspec_backend_dir(ids, be, sizeof(be)) < 0 ||
	    vifspec_frontend_dir(ids, fe, sizeof(fe)) < 0)
		return -ENOSPC;
	vifspec_format_mac(vs->mac, mac);

	/* libxl__device_add_async */
	vifspec_node_fmt(&ns, be, "frontend", B, "%s", fe);
	vifspec_node_fmt(&ns, be, "frontend-id", B, "%u", ids->domid);
	vifspec_node_ref(&ns, be, "online", B, "1");
	vifspec_node_fmt(&ns, be, "state", B, "%d", XenbusStateInitialising);
	vifspec_node_fmt(&ns, fe, "backend", F, "%s", be);
	vifspec_node_fmt(&ns, fe, "backend-id", F, "%u", ids->backend_domid);
	vifspec_node_fmt(&ns, fe, "state", F, "%d", XenbusStateInitialising);

	/* libxl__set_xenstore_nic */
	vifspec_node_ref(&ns, be, "script", B, vs->script);
	if (vs->vifname != NULL)
		vifspec_node_ref(&ns, be, "vifname", B, vs->vifname);
	for (i = 0; i < vs->n_extra; i++)
		vifspec_node_ref(&ns, be, vs->extra[i].key, B,
		    vs->extra[i].value);
	vifspec_node_fmt(&ns, be, "mac", B, "%s", mac);
	if (vs->ip != NULL)
		vifspec_node_ref(&ns, be, "ip", B, vs->ip);
	if (vs->gatewaydev != NULL)
		vifspec_node_ref(&ns, be, "gatewaydev", B, vs->gatewaydev);
	if (vs->rate_given)
		vifspec_node_fmt(&ns, be, "rate", B, "%llu,%u",
		    (unsigned long long)vs->rate.bytes_per_interval,
		    vs->rate.interval_usecs);
	if (vs->mtu != VIFSPEC_MTU_DEFAULT)
		vifspec_node_fmt(&ns, be, "mtu", B, "%u", vs->mtu);
	if (vs->vlan != NULL)
		vifspec_node_ref(&ns, be, "vlan", B, vs->vlan);
	vifspec_node_ref(&ns, be, "bridge", B, vs->bridge);
	vifspec_node_fmt(&ns, be, "handle", B, "%u", ids->devid);
	vifspec_node_ref(&ns, be, "type", B,
	    vs->type == VIFSPEC_TYPE_IOEMU ? "vif_ioemu" : "vif");
	vifspec_node_fmt(&ns, fe, "handle", F, "%u", ids->devid);
	vifspec_node_fmt(&ns, fe, "mac", F, "%s", mac);
	vifspec_node_fmt(&ns, fe, "mtu", VIFSPEC_PERM_FRONTEND_RO, "%u",
	    vs->mtu);
	/* Empty, so that the backend waits for the hotplug script before it
	 * goes Connected. */
	vifspec_node_ref(&ns, be, "hotplug-status", B, "");
	vifspec_node_ref(&ns, fe, "trusted", F, vs->trusted ? "1" : "0");

	if (ns.err != 0)
		return ns.err;
	qsort(nodes, ns.n, sizeof(nodes[0]), vifspec_node_cmp);
	return (int)ns.n;
}
