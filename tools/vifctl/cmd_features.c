/*
 * cmd_features.c - `vifctl features`: show or set a vif's feature mask.
 *
 * Owns the toolstack side of vifd's per-vif feature mask, the backend key
 * VIFD_FEATURES_OFF_KEY (src/core/featmask.h): --off=LIST checks LIST
 * with vifd's own parser and refuses a bad one before anything is
 * written, then writes the canonical form (or removes the key for none);
 * without --off it reads the key and says what it masks. vifd reads the
 * key when it next advertises the vif's features, i.e. at the vif's next
 * connect; a running connection keeps what it negotiated.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/featmask.h"
#include "vifctl.h"

enum { OPT_OFF = 256 };

struct features_args {
	const char *off;		/* --off, or NULL: show */
	uint32_t mask;			/* parsed --off */
	char value[200];		/* its canonical form, "" for none */
	const char *be;
	struct xen_xs_perm perms[2];
};

int
vifctl_parse_featmask(const char *what, const char *s, uint32_t *mask,
    char *canon, size_t len)
{
	char err[256];

	if (strcmp(s, "none") == 0) {
		*mask = 0;
	} else if (featmask_parse(s, mask, err, sizeof(err)) < 0) {
		vifctl_err("%s '%s': %s", what, s, err);
		return VIFCTL_USAGE;
	}
	if (featmask_format(*mask, canon, len) < 0) {
		vifctl_err("%s: no room for the mask", what);
		return VIFCTL_USAGE;	/* a caller's buffer under 200 */
	}
	return 0;
}

static int
features_opt(struct vifctl *c, void *arg, int val, const char *optarg)
{
	struct features_args *a = arg;

	(void)c;
	if (val != OPT_OFF)
		return VIFCTL_USAGE;
	a->off = optarg;
	return vifctl_parse_featmask("features: --off", optarg, &a->mask,
	    a->value, sizeof(a->value));
}

/* Writes (or, for none, removes) the key inside the transaction. */
static int
features_apply(struct vifctl *c, xen_txn_t t, void *arg)
{
	struct features_args *a = arg;
	char path[VIFSPEC_PATH_MAX + 32];
	int r;

	snprintf(path, sizeof(path), "%s/%s", a->be, VIFD_FEATURES_OFF_KEY);
	if (a->mask == 0) {
		r = c->ops->xs_rm(c->xs, t, path);
		return r == -ENOENT ? 0 : r;
	}
	r = c->ops->xs_write(c->xs, t, path, a->value,
	    (unsigned int)strlen(a->value));
	return r < 0 ? r : c->ops->xs_set_perms(c->xs, t, path, a->perms, 2);
}

/* The lines both forms print: what is off, implied, and not offered. */
static void
features_say(uint32_t mask)
{
	uint32_t all = featmask_closure(mask);
	char buf[200];

	(void)featmask_format(mask, buf, sizeof(buf));
	printf("off: %s\n", mask ? buf : "none");
	if (all != mask) {
		(void)featmask_format(all & ~mask, buf, sizeof(buf));
		printf("implied: %s\n", buf);
	}
	if (all & FEATMASK_NOT_OFFERED) {
		(void)featmask_format(all & FEATMASK_NOT_OFFERED, buf,
		    sizeof(buf));
		printf("not offered by vifd yet (no effect): %s\n", buf);
	}
}

/* Without --off: the key as it is. */
static int
features_show(struct vifctl *c, const struct features_args *a,
    const struct vifspec_ids *ids)
{
	char path[VIFSPEC_PATH_MAX + 32], err[256];
	uint32_t mask;
	char *v;
	int r;

	r = vifctl_exists(c, XEN_TXN_NULL, a->be);
	if (r <= 0) {
		vifctl_err("features: no vif %u/%u (no %s)", ids->domid,
		    ids->devid, a->be);
		return VIFCTL_FAIL;
	}
	snprintf(path, sizeof(path), "%s/%s", a->be, VIFD_FEATURES_OFF_KEY);
	v = vifctl_read(c, XEN_TXN_NULL, path);
	if (v == NULL && errno != ENOENT) {
		vifctl_err("features: reading %s: %s", path, strerror(errno));
		return VIFCTL_FAIL;
	}
	if (featmask_parse(v, &mask, err, sizeof(err)) < 0) {
		printf("%s: ", VIFD_FEATURES_OFF_KEY);
		vifctl_print_quoted(stdout, v);
		printf("\n");
		vifctl_err("features: %s: %s (vifd refuses to connect this "
		    "vif)", VIFD_FEATURES_OFF_KEY, err);
		free(v);
		return VIFCTL_FAIL;
	}
	free(v);
	features_say(mask);
	return VIFCTL_OK;
}

static int
features_run(struct vifctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "off", required_argument, NULL, OPT_OFF },
		{ NULL, 0, NULL, 0 },
	};
	struct features_args a;
	struct vifspec_ids ids = { 0 };
	char be[VIFSPEC_PATH_MAX];
	int r;

	memset(&a, 0, sizeof(a));
	r = vifctl_vif_start(c, &vifctl_cmd_features, argc, argv, opts,
	    features_opt, &a, &ids, be, sizeof(be));
	if (r != 0)
		return r == VIFCTL_DONE ? VIFCTL_OK : r;
	a.be = be;
	if (a.off == NULL)
		return features_show(c, &a, &ids);

	vifctl_node_perms(VIFSPEC_PERM_BACKEND, &ids, a.perms);
	r = vifctl_backend_txn(c, be, features_apply, &a);
	if (r == -ENODEV) {
		vifctl_err("features: no vif %u/%u (no %s)", ids.domid,
		    ids.devid, be);
		return VIFCTL_FAIL;
	}
	if (r < 0) {
		vifctl_err("features: vif %u/%u: %s", ids.domid, ids.devid,
		    r == -EAGAIN ? "the transaction kept conflicting" :
		    strerror(-r));
		return VIFCTL_FAIL;
	}
	features_say(a.mask);
	printf("takes effect at the vif's next connect\n");
	return VIFCTL_OK;
}

const struct vifctl_cmd vifctl_cmd_features = {
	.name = "features",
	.synopsis = "[--off=LIST] DOMID DEVID",
	.summary = "show or set the netif features vifd leaves off for a vif",
	.options =
	    "  --off=LIST   switch these features off (from the vif's next "
	    "connect), or\n"
	    "               none to switch none off: writes or removes the "
	    "backend key\n"
	    "               " VIFD_FEATURES_OFF_KEY "\n"
	    "  LIST is comma-separated names: sg, gso-tcpv4, gso-tcpv6, "
	    "ipv4-csum,\n"
	    "  ipv6-csum, multi-queue, split-event-channels, ctrl-ring,\n"
	    "  multicast-control, xdp-headroom. Without --off: show the "
	    "vif's mask.\n",
	.run = features_run,
};
