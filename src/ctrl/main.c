/*
 * main.c - vifd's entry point: options, the Xen environment, signals, and
 * the control thread's loop.
 *
 * Owns the process: parses the command line, opens the hypervisor seam
 * (--xen=, real or simulated), finds our own domid, connects to xenstore,
 * watches our backend/vif directory and @releaseDomain, and runs the
 * control loop until SIGTERM or SIGINT. Devices are the backend module's;
 * packets are the workers'. A clean exit leaves every TAP and every
 * connected frontend as it is, so that a restarted vifd carries on.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include "ctrl/backend.h"
#include "ctrl/ctl.h"
#include "ctrl/daemon.h"
#include "core/frontend.h"
#include "ctrl/hotplug.h"
#include "ctrl/netback.h"
#include "ctrl/privpart.h"
#include "ctrl/ready.h"
#include "util/log.h"
#include "util/privdrop.h"
#include "util/privsep.h"
#include "util/sandbox.h"
#include "util/loop.h"
#include "core/strparse.h"
#include "ctrl/vifd.h"
#include "data/tap.h"
#include "data/tap_steer.h"
#include "data/tapio.h"
#include "data/vswitch.h"
#include "core/swspec.h"
#include "util/spawn.h"
#include "seam/xen_ops.h"
#include "ctrl/xswatch.h"
#include "util/watchdog.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: vifd [options]\n"
	    "  --xen=%-18s the hypervisor: real Xen (default) or the\n"
	    "                           simulated machine in DIR (see xensim(1))\n"
	    "  --domid=N                our own domain id (default: xenstore 'domid')\n"
	    "  --max-queues=N           multi-queue-max-queues to offer (1..%u;\n"
	    "                           default min(%u, CPUs))\n"
	    "  --no-split-event-channels  offer a single event channel per queue\n"
	    "  --hotplug=auto|vifd|toolstack  who runs the hotplug scripts: vifd,\n"
	    "                           the toolstack (libxl in dom0, xl devd in a\n"
	    "                           driver domain), or auto (default): the\n"
	    "                           toolstack where it does, else vifd\n"
	    "  --toolstack-hotplug      the same as --hotplug=toolstack\n"
	    "  --script-dir=DIR         where relative 'script' names live\n"
	    "                           (default %s)\n"
	    "  --hotplug-timeout=SECS   kill a hotplug script after SECS (default %u)\n"
	    "  --steering=auto|software  who steers frames to the guest's RSS\n"
	    "                           queues: the kernel, by a BPF program on\n"
	    "                           the TAP, where it can (auto, default), or\n"
	    "                           vifd's queue workers alone (software)\n"
	    "  --tap-io=auto|plain      guest frames to the TAP many per system\n"
	    "                           call through io_uring where the kernel\n"
	    "                           allows (auto, default), or one writev\n"
	    "                           each (plain)\n"
	    "  --ctl-socket=PATH        control socket (default %s, or\n"
	    "                           DIR/vifd-<domid>.sock on a simulated machine)\n"
	    "  --start-timeout=SECS     exit 1 if xenstore has not answered and been\n"
	    "                           watched within SECS (default %u)\n"
	    "  --sysfs=DIR              where sysfs is mounted, to see the kernel's\n"
	    "                           xen-netback (default %s)\n"
	    "  --sandbox=kill|log|off   the seccomp allowlists (the data plane's;\n"
	    "                           with --privsep, the control thread's): a\n"
	    "                           call outside them kills vifd, is logged\n"
	    "                           by the kernel, or no filter (default %s)\n"
	    "  --privsep=on|off         fork a privileged part that keeps root's\n"
	    "                           capabilities for TAPs, bridge ports and\n"
	    "                           hotplug scripts while vifd drops them\n"
	    "                           and sees a read-only file system (on,\n"
	    "                           default), or keep them in vifd (off)\n"
	    "  --switch-uplink=SWITCH=IFNAME[@QUEUE]  give vifd switch SWITCH\n"
	    "                           an AF_XDP uplink on queue QUEUE (default\n"
	    "                           0) of the host's interface IFNAME, beside\n"
	    "                           its TAP; repeatable, one a switch\n"
	    "  -f, --foreground         stay in the foreground, log to stderr\n"
	    "  -v, --verbose            more messages (repeat for debug)\n"
	    "  -d, --debug              foreground with debug messages\n"
	    "  -h, --help               this text\n"
	    "  -V, --version            the version\n",
	    xen_env_syntax(), FRONTEND_MAX_QUEUES, VIFD_MAX_QUEUES_CAP,
	    VIFD_HOTPLUG_DIR,
	    VIFD_HOTPLUG_TIMEOUT_S, CTL_DEFAULT_PATH, VIFD_START_TIMEOUT_S,
	    NETBACK_SYSFS_DEFAULT, sandbox_mode_name(sandbox_default_mode()));
}

/* True if ARG, the value of --OPT, is an absolute path; else says so. */
static bool
opt_abs_path(const char *opt, const char *arg)
{
	if (arg[0] == '/')
		return true;
	fprintf(stderr, "vifd: --%s: '%s' is not an absolute path\n", opt,
	    arg);
	return false;
}

/* True if ARG, the value of --OPT, is a number of seconds (1..3600,
 * hotplug_parse_timeout's syntax), then in *secs; else says so. */
static bool
opt_secs(const char *opt, const char *arg, unsigned int *secs)
{
	unsigned int ms;

	if (hotplug_parse_timeout(arg, &ms) < 0) {
		fprintf(stderr, "vifd: --%s: '%s' is not a number of seconds "
		    "(1..3600)\n", opt, arg);
		return false;
	}
	*secs = ms / 1000u;
	return true;
}

/* Returns 0, or the exit code to leave with (after printing why). */
static int
parse_opts(int argc, char **argv, struct vifd_config *c)
{
	enum { O_XEN = 256, O_DOMID, O_MAXQ, O_NOSPLIT, O_TSHP, O_SDIR,
	    O_HPTO, O_CTL, O_HP, O_STO, O_SYSFS, O_STEER, O_SANDBOX,
	    O_PRIVSEP, O_SWUP, O_TAPIO };
	static const struct option longopts[] = {
		{ "xen", required_argument, NULL, O_XEN },
		{ "domid", required_argument, NULL, O_DOMID },
		{ "max-queues", required_argument, NULL, O_MAXQ },
		{ "no-split-event-channels", no_argument, NULL, O_NOSPLIT },
		{ "toolstack-hotplug", no_argument, NULL, O_TSHP },
		{ "hotplug", required_argument, NULL, O_HP },
		{ "script-dir", required_argument, NULL, O_SDIR },
		{ "hotplug-timeout", required_argument, NULL, O_HPTO },
		{ "ctl-socket", required_argument, NULL, O_CTL },
		{ "start-timeout", required_argument, NULL, O_STO },
		{ "sysfs", required_argument, NULL, O_SYSFS },
		{ "steering", required_argument, NULL, O_STEER },
		{ "tap-io", required_argument, NULL, O_TAPIO },
		{ "sandbox", required_argument, NULL, O_SANDBOX },
		{ "privsep", required_argument, NULL, O_PRIVSEP },
		{ "switch-uplink", required_argument, NULL, O_SWUP },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct swspec_uplink up[VSW_XSK_UPLINKS];
	unsigned int nup = 0;
	char perr[160];
	enum sandbox_mode sm;
	uint64_t v;
	long ncpu;
	int ch;

	memset(c, 0, sizeof(*c));
	c->xen = XEN_REAL_SPEC;
	c->domid = -1;
	c->verbosity = LOG_LEVEL_INFO;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	c->max_queues = ncpu > 0 && ncpu < VIFD_MAX_QUEUES_CAP ?
	    (unsigned int)ncpu : VIFD_MAX_QUEUES_CAP;
	c->split_evtchn = true;
	c->hotplug = VIFD_HOTPLUG_AUTO;
	c->script_dir = VIFD_HOTPLUG_DIR;
	c->hotplug_timeout_s = VIFD_HOTPLUG_TIMEOUT_S;
	c->start_timeout_s = VIFD_START_TIMEOUT_S;
	c->sysfs_root = NETBACK_SYSFS_DEFAULT;
	c->sandbox = (int)sandbox_default_mode();
	c->privsep = true;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":fvdhV", longopts, NULL)) != -1) {
		switch (ch) {
		case O_XEN:
			c->xen = optarg;
			break;
		case O_DOMID:
			if (strparse_range(optarg, 0, 0x7fef, &v) < 0) {
				fprintf(stderr, "vifd: --domid: '%s' is not a "
				    "domain id (0..32751)\n", optarg);
				return 2;
			}
			c->domid = (long)v;
			break;
		case O_MAXQ:
			if (strparse_range(optarg, 1, FRONTEND_MAX_QUEUES,
			    &v) < 0) {
				fprintf(stderr, "vifd: --max-queues: '%s' is not "
				    "a number of queues (1..%u)\n", optarg,
				    FRONTEND_MAX_QUEUES);
				return 2;
			}
			c->max_queues = (unsigned int)v;
			break;
		case O_NOSPLIT:
			c->split_evtchn = false;
			break;
		case O_TSHP:
			c->hotplug = VIFD_HOTPLUG_TOOLSTACK;
			break;
		case O_HP:
			if (strcmp(optarg, "auto") == 0)
				c->hotplug = VIFD_HOTPLUG_AUTO;
			else if (strcmp(optarg, "vifd") == 0)
				c->hotplug = VIFD_HOTPLUG_VIFD;
			else if (strcmp(optarg, "toolstack") == 0)
				c->hotplug = VIFD_HOTPLUG_TOOLSTACK;
			else {
				fprintf(stderr, "vifd: --hotplug: '%s' is not "
				    "auto, vifd or toolstack\n", optarg);
				return 2;
			}
			break;
		case O_SDIR:
			if (!opt_abs_path("script-dir", optarg))
				return 2;
			c->script_dir = optarg;
			break;
		case O_HPTO:
			if (!opt_secs("hotplug-timeout", optarg,
			    &c->hotplug_timeout_s))
				return 2;
			break;
		case O_CTL:
			c->ctl_path = optarg;
			break;
		case O_STO:
			if (!opt_secs("start-timeout", optarg,
			    &c->start_timeout_s))
				return 2;
			break;
		case O_SYSFS:
			if (!opt_abs_path("sysfs", optarg))
				return 2;
			c->sysfs_root = optarg;
			break;
		case O_STEER:
			if (strcmp(optarg, "auto") == 0)
				c->software_steering = false;
			else if (strcmp(optarg, "software") == 0)
				c->software_steering = true;
			else {
				fprintf(stderr, "vifd: --steering: '%s' is not "
				    "auto or software\n", optarg);
				return 2;
			}
			break;
		case O_TAPIO:
			if (strcmp(optarg, "auto") == 0)
				c->tap_io_plain = false;
			else if (strcmp(optarg, "plain") == 0)
				c->tap_io_plain = true;
			else {
				fprintf(stderr, "vifd: --tap-io: '%s' is not "
				    "auto or plain\n", optarg);
				return 2;
			}
			break;
		case O_SANDBOX:
			if (sandbox_mode_parse(optarg, &sm) < 0) {
				fprintf(stderr, "vifd: --sandbox: '%s' is not "
				    "kill, log or off\n", optarg);
				return 2;
			}
			c->sandbox = (int)sm;
			break;
		case O_PRIVSEP:
			if (strcmp(optarg, "on") == 0)
				c->privsep = true;
			else if (strcmp(optarg, "off") == 0)
				c->privsep = false;
			else {
				fprintf(stderr, "vifd: --privsep: '%s' is not "
				    "on or off\n", optarg);
				return 2;
			}
			break;
		case O_SWUP:
			if (nup == VSW_XSK_UPLINKS) {
				fprintf(stderr, "vifd: --switch-uplink: more "
				    "than %u\n", VSW_XSK_UPLINKS);
				return 2;
			}
			if (swspec_uplink_parse(optarg, &up[nup], perr,
			    sizeof(perr)) < 0) {
				fprintf(stderr, "vifd: --switch-uplink: %s\n",
				    perr);
				return 2;
			}
			nup++;
			break;
		case 'f':
			c->foreground = true;
			break;
		case 'v':
			c->verbosity++;
			break;
		case 'd':
			c->foreground = true;
			c->verbosity = LOG_LEVEL_DEBUG;
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
	/* Before the privileged part is forked: it allows these alone. */
	if (vsw_set_uplinks(up, nup, perr, sizeof(perr)) < 0) {
		fprintf(stderr, "vifd: --switch-uplink: %s\n", perr);
		return 2;
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
vifd_find_domid(struct vifd *v)
{
	unsigned int len;
	uint64_t d;
	char *s;
	int r;

	if (v->cfg.domid >= 0) {
		v->domid = (uint32_t)v->cfg.domid;
		return 0;
	}
	s = v->env->ops->xs_read(v->xs, XEN_TXN_NULL, "domid", &len);
	if (s == NULL) {
		fprintf(stderr, "vifd: cannot read our domid from xenstore: %s "
		    "(use --domid)\n", strerror(errno));
		return -errno;
	}
	r = strparse_range(s, 0, 0x7fef, &d);
	if (r < 0)
		fprintf(stderr, "vifd: xenstore 'domid' is '%s', not a domain "
		    "id\n", s);
	else
		v->domid = (uint32_t)d;
	free(s);
	return r;
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

/* The privileged part has hung up: it died, or was killed. Without it
 * no TAP, script or bridge port can be set up: stop, and let systemd
 * start a new pair, which adopts the live vifs. */
static void
vifd_priv_gone(struct loop_watch *w, uint32_t events)
{
	struct vifd *v = w->arg;

	(void)events;
	log_warnx("the privileged part (pid %d) has gone: stopping",
	    (int)privsep_client_pid());
	loop_del(&v->loop, &v->priv_watch);
	v->exit_code = 1;
	loop_stop(&v->loop);
}

/* Directories the control socket may not live in directly with a
 * privileged part: vifd proper could write all of them. */
static const char *const vifd_shared_dirs[] = { "/", "/run", "/tmp",
    "/var", "/var/tmp", "/etc", "/dev", "/usr" };

/* realpath of `path` into `out` (PATH_MAX), or "" if it has none. */
static void
vifd_canonical(const char *path, char *out)
{
	if (path == NULL || path[0] != '/' || realpath(path, out) == NULL)
		out[0] = '\0';
}

/*
 * Forks the privileged part and drops this process's privileges, before
 * any thread exists. vifd proper goes on writing the control socket's
 * directory (which must be its own) and, on a simulated machine, the
 * machine's directory (its event channels are sockets bound there); it
 * keeps reaching xenstored's socket and systemd's notify socket, and
 * reading --sysfs. 0, or
 * -errno after saying why.
 */
static int
vifd_privsep(struct vifd *v, char rw[2][PATH_MAX])
{
	static char keep[4][PATH_MAX];
	const char *rwp[2], *keepp[4];
	char dir[PATH_MAX], err[256], *slash;
	size_t nrw = 0, nkeep = 0, i;
	const char *ns;
	int r;

	snprintf(dir, sizeof(dir), "%s", v->cfg.ctl_path);
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	if (slash == NULL || (mkdir(dir, 0700) < 0 && errno != EEXIST) ||
	    realpath(dir, rw[0]) == NULL) {
		log_warnx("the control socket %s has no directory of its own: "
		    "use --ctl-socket=DIR/NAME (or --privsep=off)",
		    v->cfg.ctl_path);
		return -EINVAL;
	}
	for (i = 0; i < sizeof(vifd_shared_dirs) / sizeof(*vifd_shared_dirs);
	    i++)
		if (strcmp(rw[0], vifd_shared_dirs[i]) == 0) {
			log_warnx("the control socket's directory %s is shared "
			    "with others; vifd would write all of it: use a "
			    "directory of its own, such as /run/vifd "
			    "(--ctl-socket), or --privsep=off", rw[0]);
			return -EINVAL;
		}
	rwp[nrw++] = rw[0];
	vifd_canonical(v->env->run_dir, rw[1]);
	if (rw[1][0] != '\0' && strcmp(rw[1], rw[0]) != 0)
		rwp[nrw++] = rw[1];
	vifd_canonical(getenv("XENSTORED_PATH"), keep[0]);
	vifd_canonical("/var/run/xenstored/socket", keep[1]);
	ns = getenv("NOTIFY_SOCKET");
	vifd_canonical(ns, keep[2]);
	/* --sysfs (where vifd looks for the kernel's netback) */
	vifd_canonical(v->cfg.sysfs_root, keep[3]);
	for (i = 0; i < 4; i++)
		if (keep[i][0] != '\0')
			keepp[nkeep++] = keep[i];
	r = privpart_start(rwp, nrw, err, sizeof(err));
	if (r < 0) {
		log_warnx("cannot start the privileged part: %s", err);
		return r;
	}
	r = privdrop_apply(rwp, nrw, keepp, nkeep, err, sizeof(err));
	if (r < 0) {
		log_warnx("cannot drop privileges: %s (--privsep=off keeps "
		    "them)", err);
		return r;
	}
	/* Before any thread, so that every thread (libxenstore's reader,
	 * the workers) has it beneath its own. */
	r = sandbox_enter_control(err, sizeof(err));
	if (r < 0)
		log_warnx("sandbox: %s", err);
	return r;
}

#ifdef VIFD_TEST_HOOKS
/* The rig's hook (VIFD_TEST_PRIVSEP_ASK set): vifd proper, as if taken
 * over, asks the privileged part for what it must refuse, and logs each
 * answer; privsep.sh checks both sides' lines. */
static void
vifd_test_privsep_ask(const char *rundir)
{
	char *const sh_c[] = { (char *)"/bin/sh", (char *)"-c",
	    (char *)"touch /tmp/vifd-pwned", NULL };
	char *const sh_on[] = { (char *)"/bin/sh", (char *)"online",
	    (char *)"type_if=vif", NULL };
	char *const env[] = { (char *)"LD_PRELOAD=/tmp/x.so", NULL };
	char evil[PATH_MAX + 8];
	char *const evil_on[] = { evil, (char *)"online",
	    (char *)"type_if=vif", NULL };
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} del;
	struct ifreq ifr;
	int out[2], r;
	pid_t pid;

	if (getenv("VIFD_TEST_PRIVSEP_ASK") == NULL || !privsep_active())
		return;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_mtu = 1000;
	r = tap_ifreq("lo", SIOCSIFMTU, &ifr);
	log_info("test hook: mtu of lo: %s", strerror(-r));
	r = privsep_tap_open("lo", NULL);
	log_info("test hook: a queue of lo: %s", strerror(-r));
	r = privsep_tap_destroy("lo");
	log_info("test hook: destroying lo: %s", strerror(-r));
	memset(&del, 0, sizeof(del));
	del.h.nlmsg_len = sizeof(del);
	del.h.nlmsg_type = RTM_DELLINK;
	del.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	del.i.ifi_index = (int)if_nametoindex("lo");
	r = privsep_netlink(&del, sizeof(del));
	log_info("test hook: deleting lo: %s", strerror(-r));
	{
		int xfd = -1;

		r = privsep_xsk_open("lo", 0, &xfd);
		log_info("test hook: an AF_XDP socket on lo: %s",
		    strerror(-r));
		if (r == 0)
			close(xfd);
		/* Any fd: the interface is refused before it is looked
		 * at. */
		r = privsep_xsk_bind("lo", 0, STDERR_FILENO);
		log_info("test hook: binding an AF_XDP socket to lo: %s",
		    strerror(-r));
		r = privsep_xsk_close("lo", 0);
		log_info("test hook: XDP off lo: %s", strerror(-r));
		/* The part logs 10 refusals a second at most: the next
		 * four must not be the ones it leaves out. */
		sleep(1);
	}
	if (pipe2(out, O_CLOEXEC) < 0)
		return;
	r = spawn_clean(&pid, "sh", 1, sh_c, NULL, out[1]);
	log_info("test hook: sh from PATH: %s", strerror(-r));
	r = spawn_clean(&pid, "/bin/sh", 0, sh_c, env, out[1]);
	log_info("test hook: /bin/sh -c: %s", strerror(-r));
	r = spawn_clean(&pid, "/bin/sh", 0, sh_on, env, out[1]);
	log_info("test hook: /bin/sh with LD_PRELOAD: %s", strerror(-r));
	snprintf(evil, sizeof(evil), "%s/evil", rundir);
	r = spawn_clean(&pid, evil, 0, evil_on, NULL, out[1]);
	log_info("test hook: a script of vifd's own: %s", strerror(-r));
	close(out[0]);
	close(out[1]);
}
#endif

int
main(int argc, char **argv)
{
	struct vifd v;
	const char *xsp;
	char err[256], ctlpath[256], rwdirs[2][PATH_MAX];
	unsigned int left;
	int r;

	memset(&v, 0, sizeof(v));
	r = parse_opts(argc, argv, &v.cfg);
	if (r != 0)
		return r;
	v.sigfd = -1;
	tap_steer_force_software(v.cfg.software_steering);
	tapio_force_plain(v.cfg.tap_io_plain);
	log_init("vifd", v.cfg.foreground ? LOG_TO_STDERR : LOG_TO_SYSLOG,
	    v.cfg.verbosity);

	r = xen_env_open(v.cfg.xen, &v.env, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "vifd: %s\n", err);
		return 1;
	}
	/* libxenstore waits forever for a xenstored that is not there
	 * (dom0's /dev/xen/xenbus without xenstored): a deadline. */
	xsp = getenv("XENSTORED_PATH");
	if (watchdog_arm(v.cfg.start_timeout_s, "vifd: xenstore did not "
	    "answer within %u s (%s%s): is xenstored running, and is this "
	    "a Xen domain? (--start-timeout)", v.cfg.start_timeout_s,
	    xsp ? "xenstored at " : "xenstored or /dev/xen/xenbus",
	    xsp ? xsp : "") < 0) {
		perror("vifd: sigaction");
		r = 1;
		goto out_env;
	}
	v.xs = v.env->ops->xs_open(v.env);
	if (v.xs == NULL) {
		xsp = getenv("XENSTORED_PATH");
		fprintf(stderr, "vifd: cannot connect to xenstored%s%s: %s "
		    "(is xenstored running, and vifd root?)\n",
		    xsp ? " at " : "", xsp ? xsp : "", strerror(errno));
		r = 1;
		goto out_env;
	}
	if (vifd_find_domid(&v) < 0) {
		r = 1;
		goto out_xs;
	}
	v.env->domid = v.domid;
	v.env->domid_known = true;
	ready_clear_stale(&v);
	/* Hotplug scripts reach the simulated machine's xenstored through
	 * XENSTORED_PATH, the one variable of ours they inherit. */
	xsp = getenv("XENSTORED_PATH");
	if (xsp != NULL)
		snprintf(v.xenstored_path, sizeof(v.xenstored_path), "%s", xsp);

	if (v.cfg.ctl_path == NULL) {
		if (ctl_socket_path(v.env, v.domid, ctlpath,
		    sizeof(ctlpath)) < 0) {
			fprintf(stderr, "vifd: the control socket's path is "
			    "too long (use --ctl-socket)\n");
			r = 1;
			goto out_xs;
		}
		v.cfg.ctl_path = ctlpath;
	}

	left = watchdog_pause();
	if (!v.cfg.foreground && daemon(0, 0) < 0) {
		log_warn("daemon");
		r = 1;
		goto out_xs;
	}
	watchdog_resume(left);
	/* Before the first worker starts: each loads the filter built here. */
	r = sandbox_init((enum sandbox_mode)v.cfg.sandbox, err, sizeof(err));
	if (r < 0) {
		log_warnx("sandbox: %s", err);
		r = 1;
		goto out_xs;
	}
	if (v.cfg.privsep && vifd_privsep(&v, rwdirs) < 0) {
		r = 1;
		goto out_xs;
	}
#ifdef VIFD_TEST_HOOKS
	vifd_test_privsep_ask(rwdirs[0]);
#endif
	netback_report_start(v.cfg.sysfs_root);
	r = vifd_control_init(&v);
	if (r < 0) {
		errno = -r;
		log_warn("cannot set up the control loop");
		r = 1;
		goto out_xs;
	}
	r = vifd_setup_signals(&v);
	if (r < 0) {
		errno = -r;
		log_warn("cannot set up signals");
		r = 1;
		goto out_control;
	}
	if (privsep_active()) {
		loop_watch_init(&v.priv_watch, privsep_client_fd(),
		    EPOLLRDHUP, vifd_priv_gone, &v);
		r = loop_add(&v.loop, &v.priv_watch);
		if (r < 0) {
			errno = -r;
			log_warn("cannot watch the privileged part");
			r = 1;
			goto out_control;
		}
	}
	r = ctl_open(&v, v.cfg.ctl_path, &v.ctl);
	if (r < 0) {
		errno = -r;
		log_warn("cannot open the control socket %s", v.cfg.ctl_path);
		r = 1;
		goto out_control;
	}
	log_info("vifd %s: domain %u, watching %s (%s Xen), %u queues max, "
	    "hotplug scripts %s, data plane sandbox %s, %s", PACKAGE_VERSION,
	    v.domid, v.root, v.env->ops->name, v.cfg.max_queues,
	    v.cfg.hotplug == VIFD_HOTPLUG_VIFD ? "run by vifd" :
	    v.cfg.hotplug == VIFD_HOTPLUG_TOOLSTACK ? "left to the toolstack" :
	    "run by vifd unless the toolstack does",
	    sandbox_mode_name(sandbox_mode()), privsep_active() ?
	    "privileged part separate" : "no privilege separation");
	watchdog_disarm();
	ready_announce(&v);

	r = loop_run(&v.loop);
	if (r < 0) {
		errno = -r;
		log_warn("event loop");
		v.exit_code = 1;
	}
	r = v.exit_code;
	ready_withdraw(&v);
	ctl_close(v.ctl);
out_control:
	if (v.sigfd >= 0)
		close(v.sigfd);
	vifd_control_fini(&v);
out_xs:
	sandbox_fini();
	v.env->ops->xs_close(v.xs);
out_env:
	xen_env_close(v.env);
	return r;
}
