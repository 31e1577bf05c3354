/*
 * cmd_rate.c - `vifctl rate`: set or remove a vif's rate limits while it
 * runs.
 *
 * Owns the two backend keys of a limit: `rate` (guest -> host, the one
 * libxl writes from xl's rate= and Linux netback reads) and our
 * VIFCTL_INBOUND_RATE_KEY (host -> guest, no netback has it), both
 * "bytes,usec". RATE is xl's syntax (vifspec_parse_rate), or none /
 * unlimited to remove the key. Both values are checked before anything
 * is written, and both keys change in one transaction.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vifctl.h"

enum { OPT_OUTBOUND = 256, OPT_INBOUND };

/* One direction: not given, removed, or set. */
struct rate_dir {
	const char *arg;		/* NULL: leave it alone */
	bool remove;
	char value[48];			/* "bytes,usec" */
};

struct rate_args {
	struct rate_dir out, in;
	const char *be;			/* the backend dir */
	struct xen_xs_perm perms[2];
};

static int
rate_parse(const char *opt, const char *s, struct rate_dir *d)
{
	struct vifspec_rate r;
	char err[256];

	d->arg = s;
	if (strcmp(s, "none") == 0 || strcmp(s, "unlimited") == 0) {
		d->remove = true;
		return 0;
	}
	d->remove = false;
	if (vifspec_parse_rate(s, &r, err, sizeof(err)) < 0) {
		vifctl_err("rate: %s '%s': %s (RATE is xl's: e.g. 10Mb/s, "
		    "1MB/s@20ms, or none)", opt, s, err);
		return VIFCTL_USAGE;
	}
	if (vifspec_rate_format(&r, d->value, sizeof(d->value)) < 0)
		return VIFCTL_USAGE;	/* cannot happen: 48 bytes suffice */
	return 0;
}

static int
rate_opt(struct vifctl *c, void *arg, int val, const char *optarg)
{
	struct rate_args *a = arg;

	(void)c;
	switch (val) {
	case OPT_OUTBOUND:
		return rate_parse("--outbound", optarg, &a->out);
	case OPT_INBOUND:
		return rate_parse("--inbound", optarg, &a->in);
	default:
		return VIFCTL_USAGE;
	}
}

/* Writes or removes one key inside transaction t. */
static int
rate_apply(struct vifctl *c, xen_txn_t t, const char *be, const char *key,
    const struct rate_dir *d, const struct xen_xs_perm perms[2])
{
	char path[VIFSPEC_PATH_MAX + 32];
	int r;

	if (d->arg == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", be, key);
	if (d->remove) {
		r = c->ops->xs_rm(c->xs, t, path);
		return r == -ENOENT ? 0 : r;
	}
	r = c->ops->xs_write(c->xs, t, path, d->value,
	    (unsigned int)strlen(d->value));
	return r < 0 ? r : c->ops->xs_set_perms(c->xs, t, path, perms, 2);
}

/* Both keys, inside the transaction vifctl_backend_txn runs. */
static int
rate_apply_both(struct vifctl *c, xen_txn_t t, void *arg)
{
	struct rate_args *a = arg;
	int r;

	r = rate_apply(c, t, a->be, "rate", &a->out, a->perms);
	if (r == 0)
		r = rate_apply(c, t, a->be, VIFCTL_INBOUND_RATE_KEY, &a->in,
		    a->perms);
	return r;
}

static void
rate_say(const char *what, const struct rate_dir *d)
{
	if (d->arg == NULL)
		return;
	if (d->remove)
		printf("%s: unlimited\n", what);
	else
		printf("%s: %s (bytes,usec)\n", what, d->value);
}

static int
rate_run(struct vifctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "outbound", required_argument, NULL, OPT_OUTBOUND },
		{ "inbound", required_argument, NULL, OPT_INBOUND },
		{ NULL, 0, NULL, 0 },
	};
	struct rate_args a;
	struct vifspec_ids ids = { 0 };
	char be[VIFSPEC_PATH_MAX];
	int first, r;
	bool given;

	memset(&a, 0, sizeof(a));
	r = vifctl_getopt(c, &vifctl_cmd_rate, argc, argv, opts, rate_opt, &a,
	    &first);
	if (r != 0)
		return r == VIFCTL_DONE ? VIFCTL_OK : r;
	if ((r = vifctl_ids_args(&vifctl_cmd_rate, argc, argv, first, false,
	    &ids, &given)) != 0)
		return r;
	if (a.out.arg == NULL && a.in.arg == NULL) {
		vifctl_err("rate: nothing to do: give --outbound=RATE and/or "
		    "--inbound=RATE");
		return VIFCTL_USAGE;
	}
	if ((r = vifctl_xs_open(c)) != 0)
		return r;
	if ((r = vifctl_find_backend(c, ids.domid, ids.devid,
	    &ids.backend_domid)) != 0)
		return r;
	vifspec_backend_dir(&ids, be, sizeof(be));
	a.be = be;
	vifctl_node_perms(VIFSPEC_PERM_BACKEND, &ids, a.perms);
	r = vifctl_backend_txn(c, be, rate_apply_both, &a);
	if (r == -ENODEV) {
		vifctl_err("rate: no vif %u/%u (no %s)", ids.domid, ids.devid,
		    be);
		return VIFCTL_FAIL;
	}
	if (r < 0) {
		vifctl_err("rate: vif %u/%u: %s", ids.domid, ids.devid,
		    r == -EAGAIN ? "the transaction kept conflicting" :
		    strerror(-r));
		return VIFCTL_FAIL;
	}
	rate_say("outbound", &a.out);
	rate_say("inbound", &a.in);
	return VIFCTL_OK;
}

const struct vifctl_cmd vifctl_cmd_rate = {
	.name = "rate",
	.synopsis = "[--outbound=RATE] [--inbound=RATE] DOMID DEVID",
	.summary = "set (or remove, with none) a vif's rate limits, live",
	.options =
	    "  --outbound=RATE    guest -> host: the backend key rate, as "
	    "libxl writes it\n"
	    "  --inbound=RATE     host -> guest: the backend key "
	    VIFCTL_INBOUND_RATE_KEY "\n"
	    "  RATE is xl's: AMOUNT[K|M|G](B|b)/s[@INTERVAL] (10Mb/s, "
	    "1MB/s@20ms; the\n"
	    "  interval defaults to 50ms), or none / unlimited to remove the "
	    "limit\n",
	.run = rate_run,
};
