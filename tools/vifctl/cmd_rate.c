/*
 * cmd_rate.c - `vifctl rate`: set or remove a vif's rate limits while it
 * runs.
 *
 * Owns the backend keys of a limit, two per direction: the per-queue
 * credit "bytes,usec" (`rate`, guest -> host, the one libxl writes from
 * xl's rate= and Linux netback reads; our VIFCTL_INBOUND_RATE_KEY, host
 * -> guest, which no netback has) and the per-vif shape "average,peak,
 * burst" (our VIFCTL_*_SHAPE_KEY). A value is xl's RATE (it always has a
 * unit: vifspec_parse_rate), libvirt's AVERAGE[,PEAK[,BURST]] (plain
 * numbers in KiB/s, KiB/s, KiB: shape_parse), or none / unlimited. A
 * shape in force takes the place of its direction's rate in vifd, so
 * setting an xl RATE removes the shape and none removes both; a shape
 * leaves `rate` (libxl's) alone. Both values are checked before anything
 * is written, and every key changes in one transaction.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/shape.h"
#include "vifctl.h"

enum { OPT_OUTBOUND = 256, OPT_INBOUND };

/* One direction: not given, removed, or set. */
struct rate_dir {
	const char *arg;		/* NULL: leave it alone */
	bool remove;
	bool shape;			/* value is a shape, else a rate */
	char value[72];			/* "bytes,usec" or "avg,peak,burst" */
	struct shape_conf sc;		/* if shape */
};

/* libvirt's form: digits and commas only (xl's RATE always has a unit
 * and never a comma). */
static bool
rate_is_libvirt(const char *s)
{
	return s[strspn(s, "0123456789,")] == '\0' || strchr(s, ',') != NULL;
}

struct rate_args {
	struct rate_dir out, in;
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
	d->shape = rate_is_libvirt(s);
	if (d->shape) {
		if (shape_parse(s, 1024, "KiB/s", "KiB", &d->sc, err,
		    sizeof(err)) < 0) {
			vifctl_err("rate: %s %s (AVERAGE[,PEAK[,BURST]] in KiB/s, "
			    "KiB/s, KiB, as libvirt's <bandwidth>)", opt, err);
			return VIFCTL_USAGE;
		}
		if (shape_format(&d->sc, d->value, sizeof(d->value)) < 0)
			return VIFCTL_USAGE;	/* cannot happen: 72 suffice */
		return 0;
	}
	if (vifspec_parse_rate(s, &r, err, sizeof(err)) < 0) {
		vifctl_err("rate: %s '%s': %s (RATE is xl's: e.g. 10Mb/s, "
		    "1MB/s@20ms; or libvirt's AVERAGE[,PEAK[,BURST]] in KiB; "
		    "or none)", opt, s, err);
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

/* One direction's keys: a rate replaces the shape, a shape leaves the
 * rate, none removes both. Appends to keys[*n]. */
static void
rate_keys(const char *key, const char *shape_key, const struct rate_dir *d,
    struct vifctl_key *keys, unsigned int *n)
{
	if (d->arg == NULL)
		return;
	if (d->remove || !d->shape) {
		keys[(*n)++] = (struct vifctl_key){ key,
		    d->remove ? NULL : d->value };
		keys[(*n)++] = (struct vifctl_key){ shape_key, NULL };
	} else {
		keys[(*n)++] = (struct vifctl_key){ shape_key, d->value };
	}
}

static void
rate_say(const char *what, const struct rate_dir *d)
{
	if (d->arg == NULL)
		return;
	if (d->remove)
		printf("%s: unlimited\n", what);
	else if (d->shape)
		printf("%s: %s (average,peak,burst in bytes/s, bytes/s, bytes; "
		    "per vif)\n", what, d->value);
	else
		printf("%s: %s (bytes,usec; per queue)\n", what, d->value);
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
	struct vifctl_key keys[4];
	unsigned int n = 0;
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
	rate_keys("rate", VIFCTL_OUTBOUND_SHAPE_KEY, &a.out, keys, &n);
	rate_keys(VIFCTL_INBOUND_RATE_KEY, VIFCTL_INBOUND_SHAPE_KEY, &a.in,
	    keys, &n);
	if ((r = vifctl_set_keys(c, "rate", ids.domid, ids.devid, keys,
	    n)) != 0)
		return r;
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
	    "libxl writes it,\n"
	    "                     or " VIFCTL_OUTBOUND_SHAPE_KEY "\n"
	    "  --inbound=RATE     host -> guest: the backend key "
	    VIFCTL_INBOUND_RATE_KEY ",\n"
	    "                     or " VIFCTL_INBOUND_SHAPE_KEY "\n"
	    "  RATE is xl's: AMOUNT[K|M|G](B|b)/s[@INTERVAL] (10Mb/s, "
	    "1MB/s@20ms; the\n"
	    "  interval defaults to 50ms), per queue as netback's; or "
	    "libvirt's\n"
	    "  AVERAGE[,PEAK[,BURST]] in KiB/s, KiB/s, KiB (1000,4000,2048; "
	    "PEAK or\n"
	    "  BURST may be empty), per vif; or none / unlimited to remove "
	    "the limit\n",
	.run = rate_run,
};
