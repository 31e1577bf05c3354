/*
 * cmd_top.c - `vifctl top`: each vif's packets and bits per second, for a
 * person at a terminal.
 *
 * Owns the sampling loop and the table. It asks vifd for `stats` every
 * --interval, and prints each vif's rates over the time that really
 * passed between two answers (CLOCK_MONOTONIC; statsdoc_rate does the
 * arithmetic). On a terminal each table replaces the last; otherwise
 * tables follow each other, separated by a blank line, so the output can
 * be read by a script or a test. Directions are the guest's, as in netif:
 * TX is what the guest sends, RX what it receives.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctrl/ctl.h"
#include "statsdoc.h"
#include "vifctl.h"

enum { OPT_CTL = 256, OPT_INTERVAL, OPT_COUNT };

struct top_args {
	const char *ctl;
	unsigned int interval_ms;
	uint32_t count;			/* tables to print; 0: forever */
};

static int
top_opt(struct vifctl *c, void *arg, int val, const char *optarg)
{
	struct top_args *a = arg;

	(void)c;
	switch (val) {
	case OPT_CTL:
		a->ctl = optarg;
		return 0;
	case OPT_INTERVAL:
		return vifctl_parse_seconds("--interval", optarg,
		    &a->interval_ms);
	case OPT_COUNT:
		return vifctl_parse_u32("--count", optarg, UINT32_MAX,
		    &a->count);
	default:
		return VIFCTL_USAGE;
	}
}

static uint64_t
top_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
top_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000u, (long)(ms % 1000u) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* One table: the rates of every vif of `cur` since `prev`. */
static void
top_table(const struct statsdoc *prev, const struct statsdoc *cur,
    uint64_t elapsed_ns, bool tty)
{
	struct statsdoc_rate r;
	const struct statsdoc_vif *v;
	size_t i;

	if (tty)
		fputs("\033[H\033[J", stdout);
	printf("vifd: %zu vif%s, rates over %.2f s (TX: from the guest, "
	    "RX: to it)\n", cur->n, cur->n == 1 ? "" : "s",
	    (double)elapsed_ns / 1e9);
	printf("%-10s %-15s %-13s %2s %11s %10s %11s %10s %9s\n", "VIF", "TAP",
	    "STATE", "Q", "TX-PKT/S", "TX-MBIT/S", "RX-PKT/S", "RX-MBIT/S",
	    "DROP/S");
	for (i = 0; i < cur->n; i++) {
		v = &cur->vifs[i];
		statsdoc_rate(prev, cur, i, elapsed_ns, &r);
		printf("%-10s %-15s %-13s %2u %11.0f %10.2f %11.0f %10.2f "
		    "%9.0f\n", v->name, v->ifname, v->state, v->nqueues,
		    r.tx_pps, r.tx_bps / 1e6, r.rx_pps, r.rx_bps / 1e6,
		    r.drops_ps);
	}
	if (!tty)
		putchar('\n');
	fflush(stdout);
}

/* One sample: 0, or an exit code after printing why. */
static int
top_sample(const char *path, const char *cmd, struct statsdoc *doc)
{
	char *answer, err[256];
	int r;

	if ((r = vifctl_ctl_ask("top", path, cmd, &answer)) != 0)
		return r;
	r = statsdoc_parse(answer, doc, err, sizeof(err));
	free(answer);
	if (r < 0) {
		vifctl_err("top: %s", err);
		return VIFCTL_FAIL;
	}
	return 0;
}

static int
top_run(struct vifctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ctl-socket", required_argument, NULL, OPT_CTL },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ NULL, 0, NULL, 0 },
	};
	struct top_args a = { NULL, 1000, 0 };
	struct statsdoc prev, cur;
	char path[256], cmd[64];
	uint64_t t0, t1;
	uint32_t shown = 0;
	bool tty = isatty(STDOUT_FILENO) == 1;
	int r;

	r = vifctl_stats_start(c, &vifctl_cmd_top, argc, argv, opts, top_opt, &a,
	    &a.ctl, path, sizeof(path), cmd, sizeof(cmd));
	if (r != 0)
		return r == VIFCTL_DONE ? VIFCTL_OK : r;
	t0 = top_now_ns();
	if ((r = top_sample(path, cmd, &prev)) != 0)
		return r;
	while (a.count == 0 || shown < a.count) {
		top_sleep_ms(a.interval_ms);
		t1 = top_now_ns();
		if ((r = top_sample(path, cmd, &cur)) != 0)
			break;
		top_table(&prev, &cur, t1 - t0, tty);
		statsdoc_free(&prev);
		prev = cur;
		t0 = t1;
		shown++;
	}
	statsdoc_free(&prev);
	return r;
}

const struct vifctl_cmd vifctl_cmd_top = {
	.name = "top",
	.synopsis = "[--interval=S] [--count=N] [DOMID DEVID]",
	.summary = "show each vif's packets and bits per second, refreshed",
	.options =
	    "  --interval=S       seconds between tables (default 1)\n"
	    "  --count=N          print N tables and exit (default: until "
	    "interrupted)\n"
	    "  --ctl-socket=PATH  vifd's control socket (as for stats)\n",
	.run = top_run,
};
