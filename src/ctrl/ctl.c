/*
 * ctl.c - the control socket: answers vifctl's questions about vifs and
 * their queues.
 *
 * Owns the listening socket and the text protocol described in ctl.h.
 * Connections are served one at a time on the control thread with short
 * timeouts, so a stuck client costs at most a second; only root can
 * connect (the socket is 0600 in a 0700 directory when we create one).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctrl/backend.h"
#include "ctrl/ctl.h"
#include "util/log.h"
#include "data/queue_stats.h"
#include "data/vif.h"
#include "ctrl/vifd.h"
#include "core/ctl_cmd.h"
#include "core/xenbus_state.h"

struct ctl {
	struct vifd *vd;
	int fd;
	char path[108];
	struct loop_watch watch;
};

struct ctl_out {
	char *buf;
	size_t len, used;
	size_t need;		/* what the whole answer takes */
};

static void
ctl_printf(struct ctl_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends to the answer while it fits; once a piece does not fit, nothing
 * more is written (so the caller can tell a cut answer by `need`). */
static void
ctl_printf(struct ctl_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->need == o->used ?
	    o->len - o->used : 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (o->need == o->used && o->used + (size_t)n < o->len)
		o->used += (size_t)n;
	else
		o->buf[o->used] = '\0';
	o->need += (size_t)n;
}

/*
 * The features line: what the connect negotiated, then what the frontend
 * switches while connected, from its live value (multicast control, XDP
 * headroom while not 0); "-" for none.
 */
static void
ctl_features(const struct backend *be, char *buf, size_t len)
{
	const struct { const char *name; bool on; } live[] = {
		{ "multicast-control", be->vif != NULL && be->mcast_control },
		{ "xdp-headroom", be->vif != NULL && be->xdp_headroom != 0 },
	};
	size_t i, used;

	snprintf(buf, len, "%s", be->features);
	for (i = 0; i < sizeof(live) / sizeof(live[0]); i++) {
		if (!live[i].on)
			continue;
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", used > 0 ? "," : "",
		    live[i].name);
	}
	if (buf[0] == '\0')
		snprintf(buf, len, "-");
}

static void
ctl_stats_one(struct ctl_out *o, struct backend *be)
{
	char features[256];
	struct queue_stats st;
	unsigned int q, nq;

	ctl_printf(o, "%s domid %u\n", be->name, be->domid);
	ctl_printf(o, "%s devid %u\n", be->name, be->devid);
	ctl_printf(o, "%s ifname %s\n", be->name, be->ifname);
	ctl_printf(o, "%s state %s\n", be->name,
	    xenbus_state_str((int)be->fsm.state, "invalid"));
	ctl_printf(o, "%s frontend_state %s\n", be->name,
	    xenbus_state_str((int)be->fsm.fe, "invalid"));
	ctl_printf(o, "%s failed %d\n", be->name, be->fsm.failed ? 1 : 0);
	ctl_features(be, features, sizeof(features));
	ctl_printf(o, "%s features %s\n", be->name, features);
	ctl_printf(o, "%s link %s\n", be->name, be->link_down ? "down" :
	    "up");
	ctl_printf(o, "%s isolated %d\n", be->name, be->isolated ? 1 : 0);
	ctl_printf(o, "%s vlan %s\n", be->name, be->vlan_key ?
	    be->vlan_str : "-");
	ctl_printf(o, "%s rate_out %llu,%llu\n", be->name,
	    (unsigned long long)be->rate_out.bytes,
	    (unsigned long long)be->rate_out.usec);
	ctl_printf(o, "%s rate_in %llu,%llu\n", be->name,
	    (unsigned long long)be->rate_in.bytes,
	    (unsigned long long)be->rate_in.usec);
	ctl_printf(o, "%s shape_out %llu,%llu,%llu\n", be->name,
	    (unsigned long long)be->shape_out.average,
	    (unsigned long long)be->shape_out.peak,
	    (unsigned long long)be->shape_out.burst);
	ctl_printf(o, "%s shape_in %llu,%llu,%llu\n", be->name,
	    (unsigned long long)be->shape_in.average,
	    (unsigned long long)be->shape_in.peak,
	    (unsigned long long)be->shape_in.burst);
	nq = be->vif != NULL ? vif_nqueues(be->vif) : 0;
	ctl_printf(o, "%s queues %u\n", be->name, nq);
	ctl_printf(o, "%s steering %s\n", be->name, be->vif != NULL ?
	    vif_steering(be->vif) : "none");
	backend_stats_total(be, &st);
#define CTL_TOTAL(n) \
	ctl_printf(o, "%s total %s %llu\n", be->name, #n, \
	    (unsigned long long)st.n);
	QUEUE_STATS(CTL_TOTAL)
#undef CTL_TOTAL
	for (q = 0; q < nq; q++) {
		vif_queue_stats(be->vif, q, &st);
#define CTL_STAT(n) \
		ctl_printf(o, "%s q%u %s %llu\n", be->name, q, #n, \
		    (unsigned long long)st.n);
		QUEUE_STATS(CTL_STAT)
#undef CTL_STAT
	}
}

size_t
ctl_answer(struct vifd *vd, const char *line, char *buf, size_t len)
{
	struct ctl_out o = { buf, len, 0, 0 };
	struct backend *be;
	struct ctl_cmd cmd;
	char err[160];

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (ctl_cmd_parse(line, &cmd, err, sizeof(err)) != 0) {
		ctl_printf(&o, "error: %s\n", err);
		return o.need;
	}
	switch (cmd.kind) {
	case CTL_CMD_LIST:
		for (be = TAILQ_FIRST(&vd->backends); be != NULL; be = TAILQ_NEXT(be, link))
			ctl_printf(&o, "%s %s backend=%s frontend=%s "
			    "queues=%u%s\n", be->name, be->ifname,
			    xenbus_state_str((int)be->fsm.state, "invalid"),
			    xenbus_state_str((int)be->fsm.fe, "invalid"),
			    be->vif ? vif_nqueues(be->vif) : 0,
			    be->fsm.failed ? " failed" : "");
		break;
	case CTL_CMD_STATS_ALL:
		for (be = TAILQ_FIRST(&vd->backends); be != NULL; be = TAILQ_NEXT(be, link))
			ctl_stats_one(&o, be);
		break;
	case CTL_CMD_STATS_ONE:
		be = backend_find(vd, cmd.domid, cmd.devid);
		if (be == NULL)
			ctl_printf(&o, "error: no vif%u.%u\n", cmd.domid,
			    cmd.devid);
		else
			ctl_stats_one(&o, be);
		break;
	case CTL_CMD_VERBOSE:
		log_setverbose((int)cmd.verbose);
		ctl_printf(&o, "verbose %u\n", cmd.verbose);
		break;
	}
	return o.need;
}

int
ctl_socket_path(const struct xen_env *env, uint32_t domid, char *buf,
    size_t len)
{
	int n;

	if (env->run_dir != NULL)
		n = snprintf(buf, len, "%s/vifd-%u.sock", env->run_dir, domid);
	else
		n = snprintf(buf, len, "%s", CTL_DEFAULT_PATH);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The largest answer we build: 1 MiB holds about a hundred 8-queue vifs
 * (33 counters a queue); 64 MiB bounds a client's cost to us. We start at
 * 4 KiB, less than one 2-queue vif's stats, so that every rig test that
 * reads stats also goes through the growing. */
#define CTL_ANSWER_MAX (64u << 20)

static void
ctl_serve(struct ctl *c, int fd)
{
	struct timeval tv = { .tv_sec = 1 };
	char cmd[CTL_CMD_MAX + 1], *out = NULL, *p;
	size_t n = 0, outlen = 4096, off = 0;
	ssize_t r;

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (n < sizeof(cmd) - 1) {
		r = read(fd, cmd + n, sizeof(cmd) - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		if (memchr(cmd, '\n', n) != NULL)
			break;
	}
	cmd[n] = '\0';
	/* Grow until the whole answer fits: a cut answer would be read as
	 * fewer vifs or counters than there are. */
	for (;;) {
		p = realloc(out, outlen);
		if (p == NULL)
			goto out;
		out = p;
		n = ctl_answer(c->vd, cmd, out, outlen);
		if (n < outlen)
			break;
		if (outlen >= CTL_ANSWER_MAX) {
			n = (size_t)snprintf(out, outlen, "error: the answer "
			    "exceeds %u MiB\n", CTL_ANSWER_MAX >> 20);
			break;
		}
		outlen = n + 1 > outlen * 2 ? n + 1 : outlen * 2;
		if (outlen > CTL_ANSWER_MAX)
			outlen = CTL_ANSWER_MAX;
	}
	while (off < n) {
		r = write(fd, out + off, n - off);
		if (r <= 0)
			break;
		off += (size_t)r;
	}
out:
	free(out);
}

static void
ctl_on_accept(struct loop_watch *w, uint32_t events)
{
	struct ctl *c = w->arg;
	int fd;

	(void)events;
	while ((fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		ctl_serve(c, fd);
		close(fd);
	}
}

int
ctl_open(struct vifd *vd, const char *path, struct ctl **out)
{
	struct sockaddr_un sun;
	struct ctl *c;
	char dir[108], *slash;
	int r;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->vd = vd;
	snprintf(c->path, sizeof(c->path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		(void)mkdir(dir, 0700);	/* e.g. /run/vifd */
	}
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		r = -errno;
		free(c);
		return r;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	(void)unlink(path);	/* a previous vifd's, if it crashed */
	if (bind(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, 0600) < 0 || listen(c->fd, 16) < 0) {
		r = -errno;
		close(c->fd);
		free(c);
		return r;
	}
	loop_watch_init(&c->watch, c->fd, EPOLLIN, ctl_on_accept, c);
	r = loop_add(&vd->loop, &c->watch);
	if (r < 0) {
		close(c->fd);
		(void)unlink(path);
		free(c);
		return r;
	}
	*out = c;
	return 0;
}

void
ctl_close(struct ctl *c)
{
	if (c == NULL)
		return;
	loop_del(&c->vd->loop, &c->watch);
	close(c->fd);
	(void)unlink(c->path);
	free(c);
}
