/*
 * common.c - what vifctl's subcommands share: messages, option and
 * number parsing, the xenstore connection, waiting for a XenbusState,
 * libxl's path clean-up, and finding a vif's backend.
 *
 * Owns the process-wide struct vifctl's xenstore handle. Knows nothing of
 * any one subcommand.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <xen/io/xenbus.h>

#include "vifctl.h"

/* ---- messages ----------------------------------------------------------- */

void
vifctl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("vifctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
vifctl_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("vifctl: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- arguments ---------------------------------------------------------- */

int
vifctl_parse_u32(const char *what, const char *s, uint32_t max,
    uint32_t *out)
{
	uint64_t v;

	if (strparse_uint(s, max, &v) != 0) {
		vifctl_err("%s '%s' is not a number in 0..%u", what, s, max);
		return VIFCTL_USAGE;
	}
	*out = (uint32_t)v;
	return 0;
}

int
vifctl_ids_args(const struct vifctl_cmd *cmd, int argc, char **argv,
    int first, bool optional, struct vifspec_ids *ids, bool *given)
{
	int n = argc - first, r;

	*given = n == 2;
	if (n == 0 && optional)
		return 0;
	if (n != 2) {
		if (optional)
			vifctl_err("%s: give both DOMID and DEVID, or neither",
			    cmd->name);
		else
			vifctl_err("%s: expected DOMID and DEVID, got %d "
			    "arguments (see vifctl %s --help)", cmd->name, n,
			    cmd->name);
		return VIFCTL_USAGE;
	}
	if ((r = vifctl_parse_u32("DOMID", argv[first], VIFSPEC_DOMID_MAX,
	    &ids->domid)) != 0 ||
	    (r = vifctl_parse_u32("DEVID", argv[first + 1], VIFSPEC_DEVID_MAX,
	    &ids->devid)) != 0)
		return r;
	return 0;
}

int
vifctl_parse_seconds(const char *opt, const char *s, unsigned int *ms)
{
	uint64_t v = 0, frac = 0, scale = 1000;
	const char *p = s;

	/* Whole seconds, then an optional fraction. */
	if (strparse_digits(&p, &v) != 0 ||
	    v > VIFCTL_TIMEOUT_MS_MAX / 1000u)
		goto bad;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			/* Milliseconds: digits past the third are ignored. */
			if (scale > 1) {
				scale /= 10u;
				frac += (uint64_t)(*p - '0') * scale;
			}
		}
	}
	if (*p != '\0')
		goto bad;
	v = v * 1000u + frac;
	if (v == 0 || v > VIFCTL_TIMEOUT_MS_MAX)
		goto bad;
	*ms = (unsigned int)v;
	return 0;
bad:
	vifctl_err("%s '%s' is not a number of seconds in 0.001..%u",
	    opt, s, VIFCTL_TIMEOUT_MS_MAX / 1000u);
	return VIFCTL_USAGE;
}

int
vifctl_parse_timeout(const char *s, unsigned int *ms)
{
	return vifctl_parse_seconds("--timeout", s, ms);
}

int
vifctl_global_opt(struct vifctl *c, int val, const char *optarg)
{
	char why[64];
	uint32_t d;

	switch (val) {
	case 'X':
		/* xen_env_open() checks this too, but only once xenstore is
		 * needed: a typo is a usage error, found first. */
		if (xen_env_check(optarg, why, sizeof(why)) < 0) {
			vifctl_err("--xen '%s': %s", optarg, why);
			return VIFCTL_USAGE;
		}
		c->xen = optarg;
		return 0;
	case 'B':
		if (vifctl_parse_u32("--backend-domid", optarg,
		    VIFSPEC_DOMID_MAX, &d) != 0)
			return VIFCTL_USAGE;
		c->backend_domid = (long)d;
		return 0;
	default:
		return 1;
	}
}

static void
vifctl_cmd_usage(const struct vifctl_cmd *cmd, FILE *f)
{
	fprintf(f, "usage: vifctl [--xen=%s] [--backend-domid=N] "
	    "%s %s\n  %s\n", xen_env_syntax(), cmd->name, cmd->synopsis,
	    cmd->summary);
	if (cmd->options != NULL)
		fputs(cmd->options, f);
}

/* Room for a command's options plus the globals. */
#define VIFCTL_MAX_OPTS 32

int
vifctl_getopt(struct vifctl *c, const struct vifctl_cmd *cmd, int argc,
    char **argv, const struct option *opts,
    int (*opt)(struct vifctl *c, void *arg, int val, const char *optarg),
    void *arg, int *first)
{
	static const struct option globals[] = { VIFCTL_GLOBAL_OPTIONS };
	struct option all[VIFCTL_MAX_OPTS];
	size_t n = 0, i;
	int ch, r;

	for (i = 0; opts != NULL && opts[i].name != NULL; i++) {
		if (n + 4 >= VIFCTL_MAX_OPTS)
			abort();	/* our own table is too big */
		all[n++] = opts[i];
	}
	for (i = 0; i < sizeof(globals) / sizeof(globals[0]); i++)
		all[n++] = globals[i];
	memset(&all[n], 0, sizeof(all[n]));

	/* 0, not 1: getopt must forget main's "+" scan of the globals. */
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", all, NULL)) != -1) {
		switch (ch) {
		case 'h':
			vifctl_cmd_usage(cmd, stdout);
			return VIFCTL_DONE;
		case ':':
			vifctl_err("%s: option '%s' needs a value", cmd->name,
			    argv[optind - 1]);
			return VIFCTL_USAGE;
		case '?':
			if (optopt != 0)
				vifctl_err("%s: unknown option '-%c' (see "
				    "vifctl %s --help)", cmd->name, optopt,
				    cmd->name);
			else
				vifctl_err("%s: unknown option '%s' (see "
				    "vifctl %s --help)", cmd->name,
				    argv[optind - 1], cmd->name);
			return VIFCTL_USAGE;
		default:
			r = vifctl_global_opt(c, ch, optarg);
			if (r == 1)
				r = opt != NULL ? opt(c, arg, ch, optarg) :
				    VIFCTL_USAGE;
			if (r != 0)
				return r;
			break;
		}
	}
	*first = optind;
	return 0;
}

int
vifctl_random(uint8_t *buf, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = getrandom(buf, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += r;
		n -= (size_t)r;
	}
	return 0;
}

void
vifctl_print_quoted(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
}

void
vifctl_format_perms(const struct xen_xs_perm *p, unsigned int n, char *buf,
    size_t len)
{
	size_t o = 0;
	unsigned int i;
	char ch;
	int w;

	buf[0] = '\0';
	for (i = 0; i < n && o < len; i++) {
		switch (p[i].perms & (XEN_XS_PERM_READ | XEN_XS_PERM_WRITE)) {
		case XEN_XS_PERM_READ:
			ch = 'r';
			break;
		case XEN_XS_PERM_WRITE:
			ch = 'w';
			break;
		case XEN_XS_PERM_READ | XEN_XS_PERM_WRITE:
			ch = 'b';
			break;
		default:
			ch = 'n';
			break;
		}
		w = snprintf(buf + o, len - o, "%s%c%u", i > 0 ? "," : "", ch,
		    p[i].id);
		if (w < 0)
			return;
		o += (size_t)w;
	}
}

void
vifctl_node_perms(enum vifspec_perm kind, const struct vifspec_ids *ids,
    struct xen_xs_perm perms[2])
{
	/* libxl__device_generic_add: the first entry is the owner (and what
	 * everyone else may do: nothing), the second the peer's read. */
	if (kind == VIFSPEC_PERM_FRONTEND) {
		perms[0].id = ids->domid;
		perms[1].id = ids->backend_domid;
	} else {
		perms[0].id = ids->backend_domid;
		perms[1].id = ids->domid;
	}
	perms[0].perms = XEN_XS_PERM_NONE;
	perms[1].perms = XEN_XS_PERM_READ;
}

/* ---- xenstore ----------------------------------------------------------- */

int
vifctl_xs_open(struct vifctl *c)
{
	char err[256];
	int r;

	if (c->xs != NULL)
		return 0;	/* one connection for a run's commands */
	r = xen_env_open(c->xen, &c->env, err, sizeof(err));
	if (r < 0) {
		vifctl_err("%s", err);
		c->env = NULL;
		return VIFCTL_FAIL;
	}
	c->ops = c->env->ops;
	c->xs = c->ops->xs_open(c->env);
	if (c->xs == NULL) {
		vifctl_err("cannot connect to xenstored (%s Xen): %s",
		    c->ops->name, strerror(errno));
		xen_env_close(c->env);
		c->env = NULL;
		return VIFCTL_FAIL;
	}
	return 0;
}

void
vifctl_close(struct vifctl *c)
{
	if (c->xs != NULL)
		c->ops->xs_close(c->xs);
	if (c->env != NULL)
		xen_env_close(c->env);
	c->xs = NULL;
	c->env = NULL;
}

char *
vifctl_read(struct vifctl *c, xen_txn_t t, const char *path)
{
	unsigned int len;

	/* cppcheck takes the returned value for &len (it is only an out
	 * parameter of a function pointer it cannot see). */
	/* cppcheck-suppress returnDanglingLifetime */
	return c->ops->xs_read(c->xs, t, path, &len);
}

int
vifctl_exists(struct vifctl *c, xen_txn_t t, const char *path)
{
	char *v = vifctl_read(c, t, path);

	if (v != NULL) {
		free(v);
		return 1;
	}
	return errno == ENOENT ? 0 : -errno;
}

int
vifctl_read_state(struct vifctl *c, xen_txn_t t, const char *path,
    int *state)
{
	char *v = vifctl_read(c, t, path);
	uint32_t s = 0;
	const char *p;
	int r = 0;

	if (v == NULL)
		return errno != 0 ? -errno : -EIO;
	for (p = v; *p >= '0' && *p <= '9' && p - v < 3; p++)
		s = s * 10u + (uint32_t)(*p - '0');
	if (p == v || *p != '\0' || s > 255)
		r = -EINVAL;
	else
		*state = (int)s;
	free(v);
	return r;
}

int
vifctl_vif_start(struct vifctl *c, const struct vifctl_cmd *cmd,
    int argc, char **argv, const struct option *opts,
    int (*opt)(struct vifctl *c, void *arg, int val, const char *optarg),
    void *arg, struct vifspec_ids *ids, char *be, size_t len)
{
	int first, r;
	bool given;

	r = vifctl_getopt(c, cmd, argc, argv, opts, opt, arg, &first);
	if (r != 0)
		return r;
	if ((r = vifctl_ids_args(cmd, argc, argv, first, false, ids,
	    &given)) != 0)
		return r;
	if ((r = vifctl_xs_open(c)) != 0)
		return r;
	if ((r = vifctl_find_backend(c, ids->domid, ids->devid,
	    &ids->backend_domid)) != 0)
		return r;
	vifspec_backend_dir(ids, be, len);
	return 0;
}

int
vifctl_backend_txn(struct vifctl *c, const char *be,
    int (*apply)(struct vifctl *c, xen_txn_t t, void *arg), void *arg)
{
	xen_txn_t t;
	int r = -EAGAIN, tries;

	for (tries = 0; tries < VIFCTL_TXN_RETRIES; tries++) {
		r = c->ops->xs_txn_start(c->xs, &t);
		if (r < 0)
			break;
		r = vifctl_exists(c, t, be);
		if (r == 0)
			r = -ENODEV;
		if (r > 0)
			r = apply(c, t, arg);
		if (r < 0) {
			c->ops->xs_txn_end(c->xs, t, true);
			break;
		}
		r = c->ops->xs_txn_end(c->xs, t, false);
		if (r != -EAGAIN)
			break;
	}
	return r;
}

int
vifctl_rm_cleanup(struct vifctl *c, xen_txn_t t, const char *path)
{
	char buf[VIFSPEC_PATH_MAX], **dir, *v, *slash;
	unsigned int num;
	size_t n = strlen(path);
	bool empty;
	int r;

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	r = c->ops->xs_rm(c->xs, t, path);
	if (r < 0 && r != -ENOENT)
		return r;
	memcpy(buf, path, n + 1);
	/* Walk up while the parent is an empty directory with no value. The
	 * walk is bounded by the path's depth. */
	while ((slash = strrchr(buf, '/')) != NULL && slash != buf) {
		*slash = '\0';
		v = vifctl_read(c, t, buf);
		if (v == NULL)
			break;
		empty = v[0] == '\0';
		free(v);
		if (!empty)
			break;
		dir = c->ops->xs_directory(c->xs, t, buf, &num);
		if (dir == NULL)
			break;
		free(dir);
		if (num != 0)
			break;
		r = c->ops->xs_rm(c->xs, t, buf);
		if (r < 0 && r != -ENOENT)
			return r;
	}
	return 0;
}

static uint64_t
vifctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

#define VIFCTL_WAIT_TOKEN "vifctl-wait"

int
vifctl_wait_state(struct vifctl *c, const char *path, int lo, int hi,
    int fail_from, bool gone_ok, unsigned int timeout_ms, int *last)
{
	struct xen_watch_event *ev;
	struct pollfd pfd;
	uint64_t deadline, now;
	int r, state;

	*last = -1;
	r = c->ops->xs_watch(c->xs, path, VIFCTL_WAIT_TOKEN);
	if (r < 0)
		return r;
	pfd.fd = c->ops->xs_fileno(c->xs);
	pfd.events = POLLIN;
	deadline = vifctl_now_ms() + timeout_ms;
	for (;;) {
		/* Events only wake us up: the node itself is the truth. */
		while (c->ops->xs_read_watch(c->xs, &ev) == 0)
			free(ev);
		r = vifctl_read_state(c, XEN_TXN_NULL, path, &state);
		if (r == -ENOENT) {
			r = gone_ok ? 0 : -ENOENT;
			break;
		}
		if (r == 0) {
			*last = state;
			if (state >= lo && state <= hi)
				break;
			if (state >= fail_from) {
				r = -ECONNREFUSED;
				break;
			}
		} else if (r != -EINVAL) {
			break;	/* -EINVAL: garbage for now, keep waiting */
		}
		now = vifctl_now_ms();
		if (now >= deadline) {
			r = -ETIMEDOUT;
			break;
		}
		if (pfd.fd < 0) {
			r = -EBADF;
			break;
		}
		if (poll(&pfd, 1, (int)(deadline - now)) < 0 &&
		    errno != EINTR) {
			r = -errno;
			break;
		}
	}
	c->ops->xs_unwatch(c->xs, path, VIFCTL_WAIT_TOKEN);
	return r;
}

int
vifctl_domain_by_name(struct vifctl *c, const char *name, uint32_t *domid)
{
	char **dir, path[64], *v;
	unsigned int num, i;
	uint64_t d;
	int r = -ENOENT;

	dir = c->ops->xs_directory(c->xs, XEN_TXN_NULL, "/local/domain", &num);
	if (dir == NULL)
		return -errno;
	for (i = 0; i < num && r == -ENOENT; i++) {
		if (strparse_uint(dir[i], VIFSPEC_DOMID_MAX, &d) != 0)
			continue;
		snprintf(path, sizeof(path), "/local/domain/%u/name",
		    (uint32_t)d);
		v = vifctl_read(c, XEN_TXN_NULL, path);
		if (v == NULL)
			continue;
		if (strcmp(v, name) == 0) {
			*domid = (uint32_t)d;
			r = 0;
		}
		free(v);
	}
	free(dir);
	return r;
}

int
vifctl_find_backend(struct vifctl *c, uint32_t domid, uint32_t devid,
    uint32_t *backend)
{
	char path[VIFSPEC_PATH_MAX], *v;
	struct vifspec_ids ids = { .domid = domid, .devid = devid };
	uint64_t d = 0;

	if (c->backend_domid >= 0) {
		*backend = (uint32_t)c->backend_domid;
		return 0;
	}
	if (vifspec_frontend_dir(&ids, path, sizeof(path)) < 0 ||
	    strlen(path) + sizeof("/backend-id") > sizeof(path))
		return VIFCTL_USAGE;
	strcat(path, "/backend-id");
	v = vifctl_read(c, XEN_TXN_NULL, path);
	if (v == NULL) {
		if (errno != ENOENT) {
			vifctl_err("cannot read %s: %s", path, strerror(errno));
			return VIFCTL_FAIL;
		}
		*backend = 0;
		return 0;
	}
	if (strparse_uint(v, VIFSPEC_DOMID_MAX, &d) != 0) {
		vifctl_err("%s is '%s', not a domain id (use --backend-domid)",
		    path, v);
		free(v);
		return VIFCTL_FAIL;
	}
	free(v);
	*backend = (uint32_t)d;
	return 0;
}

/* ---- specs -------------------------------------------------------------- */

int
vifctl_parse_mac_mode(const char *s, enum vifspec_mac_mode *mode)
{
	if (strcmp(s, "xen") == 0) {
		*mode = VIFSPEC_MAC_XEN_OUI;
	} else if (strcmp(s, "local") == 0) {
		*mode = VIFSPEC_MAC_LOCAL;
	} else {
		vifctl_err("--mac-mode '%s': expected xen (00:16:3e:xx:xx:xx, "
		    "as libxl) or local (a random locally administered MAC)",
		    s);
		return VIFCTL_USAGE;
	}
	return 0;
}

int
vifctl_spec_parse(const char *spec, enum vifspec_mac_mode mode,
    const char *script_dir, struct vifspec *vs)
{
	struct vifspec_opts o;
	char err[512];
	unsigned int i;
	int r;

	memset(&o, 0, sizeof(o));
	o.script_dir = script_dir;
	o.mac_mode = mode;
	r = vifctl_random(o.random, sizeof(o.random));
	if (r < 0) {
		vifctl_err("cannot get random bytes for a MAC: %s",
		    strerror(-r));
		return VIFCTL_FAIL;
	}
	r = vifspec_parse(spec, &o, vs, err, sizeof(err));
	if (r < 0) {
		vifctl_err("bad vif spec: %s", err);
		return VIFCTL_USAGE;
	}
	for (i = 0; i < vs->n_warn; i++)
		vifctl_warn("%s", vs->warn[i]);
	return 0;
}
