/*
 * main.c - vifd-bench, the C half of vifd's benchmark (bench.sh is the
 * other): the command line, the three modes (tapwrite, tapread, inject),
 * signals and the result line, which is vif-guest's so that bench.sh
 * parses both programs alike.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include "bench.h"
#include "core/strparse.h"

/* The longest measurement we accept: a benchmark, not a soak test. */
#define MAIN_MAX_SECONDS	3600.0
/* A nap longer than this would starve any reader. */
#define MAIN_MAX_BACKOFF_US	100000ul

static volatile sig_atomic_t main_stop;

uint64_t
main_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
main_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return -EINVAL;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) < 0 ? -errno : 0;
}

double
main_cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

void
main_print_result(uint64_t frames, uint64_t bytes, double seconds)
{
	printf("frames %" PRIu64 " bytes %" PRIu64 " seconds %.3f "
	    "frames_per_s %.0f gbit_per_s %.3f\n", frames, bytes, seconds,
	    seconds > 0 ? (double)frames / seconds : 0,
	    seconds > 0 ? (double)bytes * 8 / seconds / 1e9 : 0);
	fflush(stdout);
}

static void
main_usage(FILE *f)
{
	fprintf(f,
	    "usage: vifd-bench MODE [options]\n"
	    "modes:\n"
	    "  tapwrite  --frame K --seconds S   writev({vnet hdr, frame}) to a\n"
	    "            TAP of our own (the guest TX baseline); the frames go\n"
	    "            to " BFRAME_OTHER_MAC_STR " (vif-guest gen --dst-mac)\n"
	    "  tapread   --frame K --seconds S   readv from a TAP of our own fed\n"
	    "            by a forked injector (the guest RX baseline)\n"
	    "  inject    --ifname IF --frame K --seconds S   push frames into\n"
	    "            a TAP from the host side (AF_PACKET, sendmmsg)\n"
	    "options:\n"
	    "  --frame udp64|f1514|gso64k   vif-guest's frames (required)\n"
	    "  --seconds S          how long (required; up to 3600)\n"
	    "  --ifname IF          inject: the device to push into\n"
	    "  --flows N            inject: spread over N UDP/TCP flows (1..%u,\n"
	    "                       default 1), e.g. for a multi-queue TAP\n"
	    "  --backoff-us N       inject, tapread: nap after the TAP's queue\n"
	    "                       was full (default 20; 0 = sched_yield)\n"
	    "  --tap NAME           tapwrite, tapread: TAP name (default vbench%%d)\n"
	    "  --txqueuelen N       tapwrite, tapread: the TAP's queue length\n"
	    "                       (default %u, vifd's)\n"
	    "  --cpu N              run on CPU N only (tapread: the reader)\n"
	    "  --inject-cpu N       tapread: run the injector on CPU N only\n"
	    "  -h, --help           this text\n"
	    "Result line (as vif-guest's): frames N bytes N seconds S\n"
	    "frames_per_s X gbit_per_s Y, after cpu_s S (the loop's CPU\n"
	    "time). inject prints inject_frames N inject_bytes N\n"
	    "inject_refused N inject_seconds S.\n",
	    BFRAME_MAX_FLOWS, BTAP_DEF_TXQLEN);
}

static void
main_onsig(int sig)
{
	(void)sig;
	main_stop = 1;
}

enum main_mode { MODE_NONE, MODE_TAPWRITE, MODE_TAPREAD, MODE_INJECT };

enum { OPT_FRAME = 256, OPT_SECONDS, OPT_IFNAME, OPT_FLOWS, OPT_BACKOFF,
	OPT_TAP, OPT_TXQLEN, OPT_CPU, OPT_INJECT_CPU };

static const struct option main_longopts[] = {
	{ "frame", required_argument, NULL, OPT_FRAME },
	{ "seconds", required_argument, NULL, OPT_SECONDS },
	{ "ifname", required_argument, NULL, OPT_IFNAME },
	{ "flows", required_argument, NULL, OPT_FLOWS },
	{ "backoff-us", required_argument, NULL, OPT_BACKOFF },
	{ "tap", required_argument, NULL, OPT_TAP },
	{ "txqueuelen", required_argument, NULL, OPT_TXQLEN },
	{ "cpu", required_argument, NULL, OPT_CPU },
	{ "inject-cpu", required_argument, NULL, OPT_INJECT_CPU },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
main_bad(const char *what, const char *val)
{
	fprintf(stderr, "vifd-bench: %s: '%.64s' is not valid (see --help)\n",
	    what, val);
	return 2;
}

int
main(int argc, char **argv)
{
	enum main_mode mode = MODE_NONE;
	struct btap_opts to;
	struct binject_opts io;
	struct binject_result res;
	struct sigaction sa;
	const char *ifname = NULL;
	uint64_t v;
	double secs = 0;
	char *end;
	int c, kind = -1, rc, cpu = -1;

	memset(&to, 0, sizeof(to));
	to.name = "vbench%d";
	to.txqlen = BTAP_DEF_TXQLEN;
	to.backoff_us = 20;
	to.inject_cpu = -1;
	memset(&io, 0, sizeof(io));
	io.flows = 1;
	io.backoff_us = 20;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		main_usage(stdout);
		return 0;
	}
	if (argc < 2) {
		main_usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "tapwrite") == 0)
		mode = MODE_TAPWRITE;
	else if (strcmp(argv[1], "tapread") == 0)
		mode = MODE_TAPREAD;
	else if (strcmp(argv[1], "inject") == 0)
		mode = MODE_INJECT;
	else
		return main_bad("mode", argv[1]);

	optind = 2;
	while ((c = getopt_long(argc, argv, "h", main_longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FRAME:
			kind = bframe_kind(optarg);
			if (kind < 0)
				return main_bad("--frame", optarg);
			break;
		case OPT_SECONDS:
			errno = 0;
			secs = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    !(secs > 0 && secs <= MAIN_MAX_SECONDS))
				return main_bad("--seconds", optarg);
			break;
		case OPT_IFNAME:
			if (strlen(optarg) == 0 || strlen(optarg) >= IFNAMSIZ)
				return main_bad("--ifname", optarg);
			ifname = optarg;
			break;
		case OPT_FLOWS:
			if (strparse_range(optarg, 1, BFRAME_MAX_FLOWS, &v) < 0)
				return main_bad("--flows", optarg);
			io.flows = (unsigned int)v;
			break;
		case OPT_BACKOFF:
			if (strparse_range(optarg, 0, MAIN_MAX_BACKOFF_US, &v) < 0)
				return main_bad("--backoff-us", optarg);
			io.backoff_us = to.backoff_us = (unsigned int)v;
			break;
		case OPT_TAP:
			if (strlen(optarg) == 0 || strlen(optarg) >= IFNAMSIZ)
				return main_bad("--tap", optarg);
			to.name = optarg;
			break;
		case OPT_TXQLEN:
			/* Linux caps a tun ring at 64 Ki entries anyway. */
			if (strparse_range(optarg, 1, 65536, &v) < 0)
				return main_bad("--txqueuelen", optarg);
			to.txqlen = (unsigned int)v;
			break;
		case OPT_CPU:
		case OPT_INJECT_CPU:
			if (strparse_range(optarg, 0, CPU_SETSIZE - 1, &v) < 0)
				return main_bad(c == OPT_CPU ? "--cpu" :
				    "--inject-cpu", optarg);
			if (c == OPT_CPU)
				cpu = (int)v;
			else
				to.inject_cpu = (int)v;
			break;
		case 'h':
			main_usage(stdout);
			return 0;
		default:
			main_usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		return main_bad("argument", argv[optind]);
	if (kind < 0 || secs <= 0) {
		fprintf(stderr, "vifd-bench: --frame and --seconds are "
		    "required\n");
		return 2;
	}
	if (mode == MODE_INJECT && ifname == NULL) {
		fprintf(stderr, "vifd-bench: inject needs --ifname\n");
		return 2;
	}

	if (cpu >= 0 && (rc = main_pin(cpu)) < 0) {
		fprintf(stderr, "vifd-bench: --cpu %d: %s\n", cpu,
		    strerror(-rc));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_onsig;	/* no SA_RESTART: EINTR ends waits */
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	/* A reader of our output that went away must not kill us with half
	 * a line written; the write fails instead. */
	signal(SIGPIPE, SIG_IGN);

	to.kind = io.kind = kind;
	to.seconds = io.seconds = secs;
	switch (mode) {
	case MODE_TAPWRITE:
		rc = btap_write_run(&to);
		break;
	case MODE_TAPREAD:
		rc = btap_read_run(&to);
		break;
	default:
		rc = binject_run(ifname, &io, &main_stop, &res);
		printf("inject_frames %" PRIu64 " inject_bytes %" PRIu64
		    " inject_refused %" PRIu64 " inject_seconds %.3f\n",
		    res.frames, res.bytes, res.refused, res.seconds);
		fflush(stdout);
		break;
	}
	if (rc < 0) {
		fprintf(stderr, "vifd-bench: %s: %s\n", argv[1],
		    rc == -ETIMEDOUT ? "no frame arrived" :
		    rc == -ECHILD ? "the injector failed" : strerror(-rc));
		return 1;
	}
	return 0;
}
