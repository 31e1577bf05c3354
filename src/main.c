/*
 * main.c - vifd's entry point: options, the Xen environment, signals, and
 * the control thread's loop.
 *
 * Owns the process: parses the command line, opens the hypervisor seam
 * (--xen=real or sim:DIR), finds our own domid, connects to xenstore and
 * watches our backend/vif directory, then runs the control loop until
 * SIGTERM or SIGINT. Device handling lives in the modules it wires up.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "xen_ops.h"
#include "xswatch.h"

struct vifd {
	struct xen_env *env;
	struct xen_xs *xs;
	uint32_t domid;
	char root[128];			/* .../backend/vif */
	struct loop loop;
	struct loop_watch xs_watch;
	struct loop_watch sig_watch;
	int sigfd;
	struct xswatch xsw;
	int exit_code;
};

struct vifd_opts {
	const char *xen;
	long domid;		/* -1: read "domid" from xenstore */
	bool foreground;
	int verbosity;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: vifd [options]\n"
	    "  --xen=real|sim:DIR  the hypervisor: real Xen (default) or the\n"
	    "                      simulated machine in DIR (see xensim(1))\n"
	    "  --domid=N           our own domain id (default: xenstore 'domid')\n"
	    "  -f, --foreground    stay in the foreground, log to stderr\n"
	    "  -v, --verbose       more messages (repeat for debug)\n"
	    "  -d, --debug         foreground with debug messages\n"
	    "  -h, --help          this text\n"
	    "  -V, --version       the version\n");
}

/* Parses a whole decimal number in [0, max]; -EINVAL otherwise. */
static int
parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Returns 0, or the exit code to leave with (after printing why). */
static int
parse_opts(int argc, char **argv, struct vifd_opts *o)
{
	static const struct option longopts[] = {
		{ "xen", required_argument, NULL, 'x' },
		{ "domid", required_argument, NULL, 'D' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->xen = "real";
	o->domid = -1;
	o->verbosity = LOG_LEVEL_INFO;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fvdhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'x':
			o->xen = optarg;
			break;
		case 'D':
			if (parse_ulong(optarg, 0x7fef, &v) < 0) {
				fprintf(stderr, "vifd: --domid: '%s' is not a "
				    "domain id (0..32751)\n", optarg);
				return 2;
			}
			o->domid = (long)v;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'v':
			o->verbosity++;
			break;
		case 'd':
			o->foreground = true;
			o->verbosity = LOG_LEVEL_DEBUG;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("vifd %s\n", PACKAGE_VERSION);
			exit(0);
		case ':':
			fprintf(stderr, "vifd: option '%s' needs a value\n",
			    argv[optind - 1]);
			return 2;
		default:
			fprintf(stderr, "vifd: unknown option '%s' (see vifd "
			    "--help)\n", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vifd: unexpected argument '%s' (see vifd "
		    "--help)\n", argv[optind]);
		return 2;
	}
	return 0;
}

/* Finds our domid: the option, else xenstore's relative key "domid". */
static int
vifd_find_domid(struct vifd *v, long opt)
{
	unsigned long d;
	unsigned int len;
	char *s;
	int r;

	if (opt >= 0) {
		v->domid = (uint32_t)opt;
		return 0;
	}
	s = v->env->ops->xs_read(v->xs, XEN_TXN_NULL, "domid", &len);
	if (s == NULL) {
		log_warn("cannot read our domid from xenstore (use --domid)");
		return -errno;
	}
	r = parse_ulong(s, 0x7fef, &d);
	if (r < 0)
		log_warnx("xenstore 'domid' is '%s', not a domain id", s);
	else
		v->domid = (uint32_t)d;
	free(s);
	return r;
}

static void
vifd_dev_added(void *arg, uint32_t domid, uint32_t devid)
{
	(void)arg;
	log_info("vif%u.%u: backend directory appeared", domid, devid);
}

static void
vifd_dev_removed(void *arg, uint32_t domid, uint32_t devid)
{
	(void)arg;
	log_info("vif%u.%u: backend directory removed", domid, devid);
}

static void
vifd_dev_changed(void *arg, uint32_t domid, uint32_t devid, const char *key)
{
	(void)arg;
	log_debug("vif%u.%u: %s changed", domid, devid, key);
}

static const struct xswatch_ops vifd_xswatch_ops = {
	.added = vifd_dev_added,
	.removed = vifd_dev_removed,
	.changed = vifd_dev_changed,
};

/* The xenstore fd is readable: drain every queued watch event. */
static void
vifd_xs_ready(struct loop_watch *w, uint32_t events)
{
	struct vifd *v = w->arg;
	struct xen_watch_event *ev;
	int r;

	(void)events;
	for (;;) {
		r = v->env->ops->xs_read_watch(v->xs, &ev);
		if (r == -EAGAIN)
			return;
		if (r < 0) {
			errno = -r;
			log_warn("lost the connection to xenstored");
			v->exit_code = 1;
			loop_stop(&v->loop);
			return;
		}
		if (xswatch_event(&v->xsw, ev->path, ev->token) < 0)
			log_warnx("cannot rescan %s", v->root);
		free(ev);
	}
}

static void
vifd_signal(struct loop_watch *w, uint32_t events)
{
	struct vifd *v = w->arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(v->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			log_info("signal %u: shutting down", si.ssi_signo);
			loop_stop(&v->loop);
		}
	}
}

static int
vifd_setup_signals(struct vifd *v)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	v->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (v->sigfd < 0)
		return -errno;
	loop_watch_init(&v->sig_watch, v->sigfd, EPOLLIN, vifd_signal, v);
	return loop_add(&v->loop, &v->sig_watch);
}

int
main(int argc, char **argv)
{
	struct vifd_opts o;
	struct vifd v;
	char err[256];
	int r;

	r = parse_opts(argc, argv, &o);
	if (r != 0)
		return r;
	memset(&v, 0, sizeof(v));
	v.sigfd = -1;
	log_init("vifd", o.foreground ? LOG_TO_STDERR : LOG_TO_SYSLOG,
	    o.verbosity);

	r = xen_env_open(o.xen, &v.env, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "vifd: %s\n", err);
		return 1;
	}
	v.xs = v.env->ops->xs_open(v.env);
	if (v.xs == NULL) {
		fprintf(stderr, "vifd: cannot connect to xenstored: %s\n",
		    strerror(errno));
		r = 1;
		goto out_env;
	}
	if (vifd_find_domid(&v, o.domid) < 0) {
		r = 1;
		goto out_xs;
	}
	v.env->domid = v.domid;
	v.env->domid_known = true;
	snprintf(v.root, sizeof(v.root), "/local/domain/%u/backend/vif",
	    v.domid);

	if (!o.foreground && daemon(0, 0) < 0) {
		log_warn("daemon");
		r = 1;
		goto out_xs;
	}
	if (loop_open(&v.loop) < 0 || vifd_setup_signals(&v) < 0) {
		log_warn("cannot set up the event loop");
		r = 1;
		goto out_loop;
	}
	r = xswatch_init(&v.xsw, v.env, v.xs, v.root, &vifd_xswatch_ops, &v);
	if (r < 0) {
		errno = -r;
		log_warn("cannot watch %s", v.root);
		r = 1;
		goto out_loop;
	}
	loop_watch_init(&v.xs_watch, v.env->ops->xs_fileno(v.xs), EPOLLIN,
	    vifd_xs_ready, &v);
	if (loop_add(&v.loop, &v.xs_watch) < 0) {
		log_warn("cannot poll xenstore");
		r = 1;
		goto out_watch;
	}
	log_info("vifd %s: domain %u, watching %s (%s Xen)", PACKAGE_VERSION,
	    v.domid, v.root, v.env->ops->name);

	r = loop_run(&v.loop);
	if (r < 0) {
		errno = -r;
		log_warn("event loop");
		v.exit_code = 1;
	}
	r = v.exit_code;
out_watch:
	xswatch_fini(&v.xsw);
out_loop:
	if (v.sigfd >= 0)
		close(v.sigfd);
	loop_close(&v.loop);
out_xs:
	v.env->ops->xs_close(v.xs);
out_env:
	xen_env_close(v.env);
	return r;
}
