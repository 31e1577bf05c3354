/*
 * gopts.c - vif-guest's command line: every flag, its value's syntax and
 * range, and which combinations make sense. Owns the parse only; what the
 * options do is main.c's and the modes'.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gframe.h"
#include "gopts.h"
#include "core/strparse.h"
#include "xensim.h"

const char gopts_usage[] =
"usage: vif-guest --xen=" XENSIM_SPEC " --domid D [options]\n"
"  A userspace Linux netfront for the simulated Xen machine in DIR.\n"
"control:\n"
"  --devid N            vif device id (default 0)\n"
"  --backend-domid B    domain to grant to (default: the backend-id key)\n"
"  --queues N           queues to ask for (default: min(8, CPUs))\n"
"  --no-split           one event channel per queue even if offered split\n"
"  --no-sg --no-gso --no-csum-offload --no-ipv6-csum --no-rx-notify\n"
"                       leave that feature out of the frontend keys\n"
"  --timeout S          bound on every wait for the backend (default 30)\n"
"  --exit-on-close      exit when the backend closes (default: reconnect)\n"
"  --abandon            on exit, leave rings and keys as they are\n"
"  --mem-base PFN --ref-base REF   first page / grant ref to use\n"
"  -v, -q               more / fewer messages on stderr\n"
"modes (--mode tap|gen|sink|evil, default tap):\n"
"  tap:  --tap NAME (default eth0) --netns NAME --mtu N --no-up\n"
"  gen:  --frame udp64|f1514|gso64k (--count N | --seconds S) [--csum-blank]\n"
"        [--src-ip A --dst-ip A --dst-mac M]\n"
"  sink: --seconds S\n"
"  evil: --attack NAME [--wait S] [--seconds S]   (--attack list: names)\n"
"  --per-queue          print a result line per queue too\n"
"  --rx-bufs N          RX buffers kept posted per queue (default 256)\n"
"  --xdp-cycles N       once connected, N times: attach then remove an XDP\n"
"                       program as netfront does (Reconfiguring, xdp-headroom,\n"
"                       wait for Reconfigured within --timeout, Connected)\n"
"  --xdp-headroom H     the headroom an attach asks for (default 256)\n"
"  --xdp-interval S     seconds before each attach and remove (default 1)\n"
"  --mcast FILE         multicast control (tap, sink): 'control on|off' and\n"
"                       the addresses to filter for, one a line; read at\n"
"                       connect and again on USR2 (sent as MCAST_ADD/DEL)\n"
"  --rss                the Windows PV drivers' RSS: a control ring, Toeplitz\n"
"                       with our own key and mapping, HASH extras checked\n"
"signals: TERM/INT close and exit, HUP reconnect (guest reboot),\n"
"         USR1 print counters, USR2 re-read the --mcast file\n";

static const char *const gopts_modes[] = {
	[GMODE_TAP] = "tap",
	[GMODE_GEN] = "gen",
	[GMODE_SINK] = "sink",
	[GMODE_EVIL] = "evil",
};

const char *
gopts_mode_str(enum gmode m)
{
	if ((unsigned int)m >= sizeof(gopts_modes) / sizeof(gopts_modes[0]))
		return "unknown";
	return gopts_modes[m];
}

/* Seconds: a non-negative decimal number (fractions allowed), <= 1e6. */
static int
gopts_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (*s == '\0' || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < 0 || v > 1e6)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
gopts_ipv4(const char *s, uint8_t out[4])
{
	unsigned int i;

	for (i = 0; i < 4; i++) {
		uint64_t v = 0;
		unsigned int n = 0;

		while (*s >= '0' && *s <= '9' && n < 4) {
			v = v * 10 + (uint64_t)(*s - '0');
			s++;
			n++;
		}
		if (n == 0 || n > 3 || v > 255)
			return -EINVAL;
		out[i] = (uint8_t)v;
		if (i < 3) {
			if (*s != '.')
				return -EINVAL;
			s++;
		}
	}
	return *s == '\0' ? 0 : -EINVAL;
}

/* Interface names: 1..15 bytes, no '/', ':', whitespace (dev_valid_name). */
static bool
gopts_ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s != '\0'; s++)
		if (*s == '/' || *s == ':' || *s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

/* Flags taking a value. */
static const char *const gopts_with_value[] = {
	"--xen", "--domid", "--devid", "--backend-domid", "--queues",
	"--mode", "--timeout", "--seconds", "--count", "--frame",
	"--src-ip", "--dst-ip", "--dst-mac", "--tap", "--netns", "--mtu",
	"--attack", "--wait", "--rx-bufs", "--mem-base", "--ref-base",
	"--mcast", "--xdp-headroom", "--xdp-cycles", "--xdp-interval", NULL
};

static bool
gopts_takes_value(const char *name)
{
	unsigned int i;

	for (i = 0; gopts_with_value[i] != NULL; i++)
		if (strcmp(gopts_with_value[i], name) == 0)
			return true;
	return false;
}

int
gopts_parse(int argc, char *const argv[], struct gopts *o, char *err,
    size_t errlen)
{
	static const uint8_t def_src[4] = { 10, 0, 0, 2 };
	static const uint8_t def_dst[4] = { 10, 0, 0, 1 };
	/* Linux netback's vif MAC: the host end of the vif. */
	static const uint8_t def_mac[6] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff };
	bool have_domid = false, have_frame = false;
	int i;

	memset(o, 0, sizeof(*o));
	o->backend_domid = -1;
	o->mem_base = o->ref_base = -1;
	o->timeout_s = GOPTS_DEFAULT_TIMEOUT;
	o->wait_s = 3;
	o->rx_bufs = GOPTS_RX_BUFS;
	o->xdp_headroom = GOPTS_XDP_HEADROOM;
	o->xdp_interval = 1;
	o->tap = "eth0";
	o->verbosity = 1;
	memcpy(o->src_ip, def_src, 4);
	memcpy(o->dst_ip, def_dst, 4);
	memcpy(o->dst_mac, def_mac, 6);

	for (i = 1; i < argc; i++) {
		char name[32];
		const char *arg = argv[i], *val = NULL, *eq;
		uint64_t v;

		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
			return 1;
		if (strcmp(arg, "-v") == 0) {
			o->verbosity++;
			continue;
		}
		if (strcmp(arg, "-q") == 0) {
			o->verbosity = 0;
			continue;
		}
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
			return strparse_fail(err, errlen, "unexpected argument "
			    "'%.64s' (see --help)", arg);
		eq = strchr(arg, '=');
		if (eq != NULL) {
			if ((size_t)(eq - arg) >= sizeof(name))
				return strparse_fail(err, errlen, "unknown option "
				    "'%.64s'", arg);
			memcpy(name, arg, (size_t)(eq - arg));
			name[eq - arg] = '\0';
			val = eq + 1;
		} else {
			if (strlen(arg) >= sizeof(name))
				return strparse_fail(err, errlen, "unknown option "
				    "'%.64s'", arg);
			strcpy(name, arg);
		}
		if (gopts_takes_value(name)) {
			if (val == NULL) {
				if (i + 1 >= argc)
					return strparse_fail(err, errlen,
					    "%s needs a value", name);
				val = argv[++i];
			}
		} else if (val != NULL) {
			return strparse_fail(err, errlen, "%s takes no value",
			    name);
		}

		if (strcmp(name, "--xen") == 0) {
			/* A guest of ours grants its own pages through the
			 * simulated machine's guest API (xensim_dom_*). */
			const char *dir = xensim_spec_dir(val);

			if (dir == NULL || *dir == '\0')
				return strparse_fail(err, errlen, "--xen='%.64s': "
				    "vif-guest runs on a simulated machine "
				    "only (--xen=" XENSIM_SPEC ")", val);
			o->xen = val;
			o->simdir = dir;
		} else if (strcmp(name, "--domid") == 0) {
			/* 0 is dom0, 0x7ff0 and up are reserved domids. */
			if (strparse_range(val, 1, 0x7fef, &v) != 0)
				return strparse_fail(err, errlen, "--domid='%.64s':"
				    " expected a domain id 1..32751", val);
			o->domid = (uint32_t)v;
			have_domid = true;
		} else if (strcmp(name, "--devid") == 0) {
			if (strparse_range(val, 0, 0x7fffffff, &v) != 0)
				return strparse_fail(err, errlen, "--devid='%.64s':"
				    " expected a device id", val);
			o->devid = (uint32_t)v;
		} else if (strcmp(name, "--backend-domid") == 0) {
			if (strparse_range(val, 0, 0x7fef, &v) != 0)
				return strparse_fail(err, errlen, "--backend-domid="
				    "'%.64s': expected a domain id", val);
			o->backend_domid = (int64_t)v;
		} else if (strcmp(name, "--queues") == 0) {
			if (strparse_range(val, 1, 64, &v) != 0)
				return strparse_fail(err, errlen, "--queues='%.64s'"
				    ": expected 1..64", val);
			o->queues = (unsigned int)v;
		} else if (strcmp(name, "--no-split") == 0) {
			o->no_split = true;
		} else if (strcmp(name, "--mode") == 0) {
			unsigned int m;

			for (m = 0; m <= GMODE_EVIL; m++)
				if (strcmp(val, gopts_modes[m]) == 0)
					break;
			if (m > GMODE_EVIL)
				return strparse_fail(err, errlen, "--mode='%.64s': "
				    "expected tap, gen, sink or evil", val);
			o->mode = (enum gmode)m;
		} else if (strcmp(name, "--timeout") == 0) {
			if (strparse_range(val, 1, 86400, &v) != 0)
				return strparse_fail(err, errlen, "--timeout="
				    "'%.64s': expected 1..86400 seconds", val);
			o->timeout_s = (unsigned int)v;
		} else if (strcmp(name, "--seconds") == 0) {
			if (gopts_seconds(val, &o->seconds) != 0)
				return strparse_fail(err, errlen, "--seconds="
				    "'%.64s': expected a number of seconds",
				    val);
		} else if (strcmp(name, "--wait") == 0) {
			if (gopts_seconds(val, &o->wait_s) != 0)
				return strparse_fail(err, errlen, "--wait='%.64s': "
				    "expected a number of seconds", val);
		} else if (strcmp(name, "--count") == 0) {
			if (strparse_range(val, 1, UINT64_MAX / 2, &v) != 0)
				return strparse_fail(err, errlen, "--count='%.64s':"
				    " expected a positive number", val);
			o->count = v;
		} else if (strcmp(name, "--frame") == 0) {
			int k = gframe_parse_kind(val);

			if (k < 0)
				return strparse_fail(err, errlen, "--frame='%.64s':"
				    " expected udp64, f1514 or gso64k", val);
			o->frame = k;
			have_frame = true;
		} else if (strcmp(name, "--csum-blank") == 0) {
			o->csum_blank = true;
		} else if (strcmp(name, "--per-queue") == 0) {
			o->per_queue = true;
		} else if (strcmp(name, "--src-ip") == 0) {
			if (gopts_ipv4(val, o->src_ip) != 0)
				return strparse_fail(err, errlen, "--src-ip='%.64s'"
				    ": expected an IPv4 address", val);
		} else if (strcmp(name, "--dst-ip") == 0) {
			if (gopts_ipv4(val, o->dst_ip) != 0)
				return strparse_fail(err, errlen, "--dst-ip='%.64s'"
				    ": expected an IPv4 address", val);
		} else if (strcmp(name, "--dst-mac") == 0) {
			if (strparse_mac(val, STRPARSE_MAC_TWO_DIGITS,
			    o->dst_mac) != 0)
				return strparse_fail(err, errlen, "--dst-mac="
				    "'%.64s': expected xx:xx:xx:xx:xx:xx", val);
		} else if (strcmp(name, "--tap") == 0) {
			if (!gopts_ifname_ok(val))
				return strparse_fail(err, errlen, "--tap='%.64s': "
				    "not a valid interface name", val);
			o->tap = val;
		} else if (strcmp(name, "--netns") == 0) {
			if (*val == '\0' || strchr(val, '/') != NULL ||
			    strlen(val) > 200 || strcmp(val, ".") == 0 ||
			    strcmp(val, "..") == 0)
				return strparse_fail(err, errlen, "--netns='%.64s':"
				    " not a network namespace name", val);
			o->netns = val;
		} else if (strcmp(name, "--mtu") == 0) {
			/* 68: IPv4's minimum; 65535: netif's size field. */
			if (strparse_range(val, 68, 65535, &v) != 0)
				return strparse_fail(err, errlen, "--mtu='%.64s': "
				    "expected 68..65535", val);
			o->mtu = (unsigned int)v;
		} else if (strcmp(name, "--no-up") == 0) {
			o->no_up = true;
		} else if (strcmp(name, "--no-sg") == 0) {
			o->no_sg = true;
		} else if (strcmp(name, "--no-gso") == 0) {
			o->no_gso = true;
		} else if (strcmp(name, "--no-csum-offload") == 0) {
			o->no_csum = true;
		} else if (strcmp(name, "--no-ipv6-csum") == 0) {
			o->no_ipv6_csum = true;
		} else if (strcmp(name, "--no-rx-notify") == 0) {
			o->no_rx_notify = true;
		} else if (strcmp(name, "--attack") == 0) {
			o->attack = val;
		} else if (strcmp(name, "--rx-bufs") == 0) {
			if (strparse_range(val, 0, GOPTS_RX_BUFS, &v) != 0)
				return strparse_fail(err, errlen, "--rx-bufs="
				    "'%.64s': expected 0..256", val);
			o->rx_bufs = (unsigned int)v;
		} else if (strcmp(name, "--mcast") == 0) {
			if (*val == '\0')
				return strparse_fail(err, errlen, "--mcast needs a "
				    "file name");
			o->mcast_file = val;
		} else if (strcmp(name, "--rss") == 0) {
			o->rss = true;
		} else if (strcmp(name, "--xdp-headroom") == 0) {
			/* What leaves room for data in a page (vifd refuses
			 * more; evil mode tries it). */
			if (strparse_range(val, 1, 4095, &v) != 0)
				return strparse_fail(err, errlen, "--xdp-headroom="
				    "'%.64s': expected 1..4095 bytes", val);
			o->xdp_headroom = (unsigned int)v;
		} else if (strcmp(name, "--xdp-cycles") == 0) {
			if (strparse_range(val, 1, 100000, &v) != 0)
				return strparse_fail(err, errlen, "--xdp-cycles="
				    "'%.64s': expected 1..100000", val);
			o->xdp_cycles = (unsigned int)v;
		} else if (strcmp(name, "--xdp-interval") == 0) {
			if (gopts_seconds(val, &o->xdp_interval) != 0)
				return strparse_fail(err, errlen, "--xdp-interval="
				    "'%.64s': expected a number of seconds", val);
		} else if (strcmp(name, "--exit-on-close") == 0) {
			o->exit_on_close = true;
		} else if (strcmp(name, "--abandon") == 0) {
			o->abandon = true;
		} else if (strcmp(name, "--mem-base") == 0) {
			if (strparse_range(val, 0, (1u << 20) - 1, &v) != 0)
				return strparse_fail(err, errlen, "--mem-base="
				    "'%.64s': expected a page number", val);
			o->mem_base = (int64_t)v;
		} else if (strcmp(name, "--ref-base") == 0) {
			/* Refs 0..7 are reserved (GNTTAB_NR_RESERVED_ENTRIES). */
			if (strparse_range(val, 8, UINT32_MAX, &v) != 0)
				return strparse_fail(err, errlen, "--ref-base="
				    "'%.64s': expected a grant ref >= 8", val);
			o->ref_base = (int64_t)v;
		} else {
			return strparse_fail(err, errlen, "unknown option '%.64s'"
			    " (see --help)", name);
		}
	}

	if (o->xen == NULL)
		return strparse_fail(err, errlen, "--xen=" XENSIM_SPEC
		    " is required");
	if (!have_domid)
		return strparse_fail(err, errlen, "--domid is required");
	if (o->mode != GMODE_TAP && (o->netns != NULL || o->mtu != 0))
		return strparse_fail(err, errlen, "--netns and --mtu are for "
		    "--mode tap");
	if (o->mode != GMODE_GEN && (have_frame || o->count != 0))
		return strparse_fail(err, errlen, "--frame and --count are for "
		    "--mode gen");
	if (o->mode == GMODE_GEN) {
		if (!have_frame)
			return strparse_fail(err, errlen, "--mode gen needs "
			    "--frame udp64|f1514|gso64k");
		if (o->count == 0 && o->seconds <= 0)
			return strparse_fail(err, errlen, "--mode gen needs "
			    "--count N or --seconds S");
		if (o->count != 0 && o->seconds > 0)
			return strparse_fail(err, errlen, "--count and --seconds "
			    "exclude each other");
	}
	if (o->mode == GMODE_SINK && o->seconds <= 0)
		return strparse_fail(err, errlen, "--mode sink needs --seconds S");
	if (o->mode == GMODE_EVIL && o->attack == NULL)
		return strparse_fail(err, errlen, "--mode evil needs --attack "
		    "NAME (--attack list shows them)");
	/* gen's TX pool is laid out in frame groups: no room for the
	 * dummy requests; evil crafts its own. */
	if (o->mcast_file != NULL && o->mode != GMODE_TAP &&
	    o->mode != GMODE_SINK)
		return strparse_fail(err, errlen, "--mcast is for --mode tap or "
		    "sink");
	if (o->mode != GMODE_EVIL && o->attack != NULL)
		return strparse_fail(err, errlen, "--attack is for --mode evil");
	/* evil's xdp-* attacks do their own handshakes. */
	if (o->mode == GMODE_EVIL && o->xdp_cycles != 0)
		return strparse_fail(err, errlen, "--xdp-cycles is not for "
		    "--mode evil");
	return 0;
}
