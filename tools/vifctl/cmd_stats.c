/*
 * cmd_stats.c - `vifctl stats`: a running vifd's counters and states, as
 * vifd prints them, as JSON or in Prometheus' text format.
 *
 * Owns the command's options and the writing of its output: to standard
 * output, or with --output to a file replaced atomically (written beside
 * it, then renamed), which is what node_exporter's textfile collector
 * asks of its *.prom files so that it never reads half a file.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrl/ctl.h"
#include "statsdoc.h"
#include "vifctl.h"

enum { OPT_CTL = 256, OPT_JSON, OPT_PROM, OPT_OUTPUT };
enum stats_format { STATS_TEXT, STATS_JSON, STATS_PROM };

struct stats_args {
	const char *ctl;
	const char *output;
	enum stats_format format;
	bool format_set;
};

static int
stats_opt(struct vifctl *c, void *arg, int val, const char *optarg)
{
	struct stats_args *a = arg;
	enum stats_format f;

	(void)c;
	switch (val) {
	case OPT_CTL:
		a->ctl = optarg;
		return 0;
	case OPT_OUTPUT:
		if (optarg[0] == '\0') {
			vifctl_err("stats: --output: an empty path");
			return VIFCTL_USAGE;
		}
		a->output = optarg;
		return 0;
	case OPT_JSON:
	case OPT_PROM:
		f = val == OPT_JSON ? STATS_JSON : STATS_PROM;
		if (a->format_set && a->format != f) {
			vifctl_err("stats: --json and --prometheus exclude "
			    "each other");
			return VIFCTL_USAGE;
		}
		a->format = f;
		a->format_set = true;
		return 0;
	default:
		return VIFCTL_USAGE;
	}
}

/* The answer in the format asked for. 0 or -errno (-EINVAL: a parse
 * error, printed). */
static int
stats_write(FILE *f, const char *answer, enum stats_format format)
{
	struct statsdoc doc;
	char err[256];
	int r;

	if (format == STATS_TEXT) {
		fputs(answer, f);
		return ferror(f) ? -EIO : 0;
	}
	r = statsdoc_parse(answer, &doc, err, sizeof(err));
	if (r < 0) {
		vifctl_err("stats: %s", err);
		return r;
	}
	r = format == STATS_JSON ? statsdoc_json(f, &doc) :
	    statsdoc_prom(f, &doc);
	statsdoc_free(&doc);
	return r;
}

/* Writes `path` whole or not at all: PATH.tmp.PID, then rename. */
static int
stats_write_file(const char *path, const char *answer,
    enum stats_format format)
{
	char tmp[4096];
	FILE *f;
	int r, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		vifctl_err("stats: --output path too long");
		return VIFCTL_USAGE;
	}
	f = fopen(tmp, "we");
	if (f == NULL) {
		vifctl_err("stats: cannot create %s: %s", tmp, strerror(errno));
		return VIFCTL_FAIL;
	}
	r = stats_write(f, answer, format);
	if (fchmod(fileno(f), 0644) < 0 && r == 0)
		r = -errno;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		if (r != -EINVAL)
			vifctl_err("stats: writing %s: %s", path, strerror(-r));
		(void)unlink(tmp);
		return VIFCTL_FAIL;
	}
	return VIFCTL_OK;
}

static int
stats_run(struct vifctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ctl-socket", required_argument, NULL, OPT_CTL },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "prometheus", no_argument, NULL, OPT_PROM },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ NULL, 0, NULL, 0 },
	};
	struct stats_args a = { NULL, NULL, STATS_TEXT, false };
	char path[256], cmd[64], *answer;
	int r;

	r = vifctl_stats_start(c, &vifctl_cmd_stats, argc, argv, opts, stats_opt, &a,
	    &a.ctl, path, sizeof(path), cmd, sizeof(cmd));
	if (r != 0)
		return r == VIFCTL_DONE ? VIFCTL_OK : r;
	if ((r = vifctl_ctl_ask("stats", path, cmd, &answer)) != 0)
		return r;
	if (a.output != NULL) {
		r = stats_write_file(a.output, answer, a.format);
	} else {
		r = stats_write(stdout, answer, a.format);
		if (r == 0 && fflush(stdout) != 0)
			r = -errno;
		if (r < 0 && r != -EINVAL)
			vifctl_err("stats: cannot write the output");
		r = r < 0 ? VIFCTL_FAIL : VIFCTL_OK;
	}
	free(answer);
	return r;
}

const struct vifctl_cmd vifctl_cmd_stats = {
	.name = "stats",
	.synopsis = "[--json|--prometheus] [--output=FILE] [DOMID DEVID]",
	.summary = "print a running vifd's states and per-queue counters",
	.options =
	    "  --json             one JSON object (schema: vifctl(8))\n"
	    "  --prometheus       Prometheus' text exposition format\n"
	    "  --output=FILE      write FILE atomically instead of stdout\n"
	    "                     (node_exporter's textfile collector)\n"
	    "  --ctl-socket=PATH  vifd's control socket (default: "
	    CTL_DEFAULT_PATH ",\n                     or DIR/vifd-<backend>.sock "
	    "on a simulated machine)\n",
	.run = stats_run,
};
