/*
 * ctl.c - the control socket: answers vifctl's questions about vifs and
 * their queues.
 *
 * Owns the listening socket and the text protocol described in ctl.h.
 * A client's request line is read on the control thread's loop, without
 * blocking: up to CTL_CONN_MAX clients may be sending theirs at once, each
 * closed if it has not within a second; a newcomer beyond that closes
 * the oldest. The answer is then written at once, given two seconds at
 * most (a client that does not read it). So no client, nor hundreds of them, holds up the control
 * thread (the vifs' handshakes, hotplug, xenstore) for longer than that,
 * and only while it answers one.
 * Only root can connect (the socket is 0600 in a 0700 directory when we
 * create one); what it gets wrong is said in the log, rate-limited.
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
#include "data/vswitch.h"
#include "ctrl/vifd.h"
#include "core/ctl_cmd.h"
#include "core/xenbus_state.h"

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
/* The switch lines of a vif that is, or was, a port of a switch or peer
 * link: its counters, like the queues', outlive a reconnect. */
static void
ctl_switch_stats(struct ctl_out *o, const struct backend *be)
{
	struct vsw_port_stats ps;
	struct vsw_xsk_stats xs;
	char xname[SWSPEC_NAME_MAX + 16];
	bool peer;
	const char *sw = backend_switch_total(be, &ps, &peer);

	if (sw == NULL)
		return;
	ctl_printf(o, "%s %s %s\n", be->name, peer ? "peer_link" : "switch",
	    sw);
#define CTL_SW(n) \
	ctl_printf(o, "%s switch_%s %llu\n", be->name, #n, \
	    (unsigned long long)ps.n);
	VSW_PORT_STATS(CTL_SW)
#undef CTL_SW
	/* The switch's AF_XDP uplink, seen from each of its live ports: a
	 * switch has no line of its own in this answer. */
	if (be->vif != NULL && vif_switch_xsk(be->vif, xname, sizeof(xname),
	    &xs)) {
		ctl_printf(o, "%s switch_uplink_xsk %s\n", be->name, xname);
#define CTL_XSK(n) \
	ctl_printf(o, "%s switch_xsk_%s %llu\n", be->name, #n, \
	    (unsigned long long)xs.n);
		VSW_XSK_STATS(CTL_XSK)
#undef CTL_XSK
	}
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
	ctl_switch_stats(o, be);
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
/* Clients whose request line is still coming in, at once: a newcomer
 * beyond that closes the oldest. vifctl sends its line as it connects. */
#define CTL_CONN_MAX 32u
/* A client has this long to send its line, and to take its answer. */
#define CTL_CLIENT_NS 1000000000ull

/* A client whose request line is still coming in: on the loop, with a
 * deadline, so that a client that sends nothing (or one byte a second)
 * costs a slot, never the control thread's time. */
struct ctl_conn {
	struct ctl *c;
	int fd;				/* -1: the slot is free */
	struct loop_watch watch;
	uint64_t deadline_ns;
	size_t n;
	char cmd[CTL_CMD_MAX + 2];	/* the line, its newline, a NUL */
};

struct ctl {
	struct vifd *vd;
	int fd;
	char path[108];
	struct loop_watch watch;
	int timerfd;			/* the clients' deadlines */
	struct loop_watch timer;
	bool timer_on;
	struct ctl_conn conns[CTL_CONN_MAX];
	/* Silent clients closed to make room since the timer last said so:
	 * said once a tick, not once an accept burst (a slow machine splits
	 * a flood into many bursts, whose lines used up the rate limit and
	 * hid the expiries' line). */
	unsigned int evicted;
	/* Local root's mistakes, said in the log but not a flood of it. */
	struct log_ratelimit rl;
};

static void
ctl_logx(struct ctl *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
ctl_logx(struct ctl *c, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	if (!log_ratelimit_ok(&c->rl))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("control socket: %s", msg);
}

/* Writes the whole of buf to the client (blocking, each write bounded by
 * SO_SNDTIMEO), starting no write after the deadline: a client that does
 * not read its answer costs at most the deadline plus one timeout. */
static void
ctl_write_all(int fd, const char *buf, size_t n, uint64_t deadline_ns)
{
	size_t off = 0;
	ssize_t r;

	while (off < n && loop_now_ns() < deadline_ns) {
		r = write(fd, buf + off, n - off);
		if (r <= 0)
			break;
		off += (size_t)r;
	}
}

/* Answers the request line in cmd (NUL-terminated) on fd. */
static void
ctl_serve(struct ctl *c, int fd, const char *cmd)
{
	struct timeval tv = { .tv_sec = 1 };
	char *out = NULL, *p;
	size_t n, outlen = 4096;
	int fl;

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
	if (strncmp(out, "error: ", 7) == 0)
		ctl_logx(c, "refused a request: %.*s", (int)strcspn(out + 7,
		    "\n"), out + 7);
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ctl_write_all(fd, out, n, loop_now_ns() + CTL_CLIENT_NS);
out:
	free(out);
}

static void
ctl_conn_close(struct ctl_conn *k)
{
	loop_del(&k->c->vd->loop, &k->watch);
	close(k->fd);
	k->fd = -1;
}

static void
ctl_on_conn(struct loop_watch *w, uint32_t events)
{
	struct ctl_conn *k = w->arg;
	char msg[80];
	ssize_t r;
	int len;

	(void)events;
	r = read(k->fd, k->cmd + k->n, sizeof(k->cmd) - 1 - k->n);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r < 0) {
		ctl_conn_close(k);
		return;
	}
	k->n += (size_t)r;
	k->cmd[k->n] = '\0';
	if (r > 0 && memchr(k->cmd, '\n', k->n) == NULL) {
		if (k->n < sizeof(k->cmd) - 1)
			return;		/* more to come */
		/* No newline within CTL_CMD_MAX + 1 bytes: what came is
		 * not a request of ours, whatever follows. */
		len = snprintf(msg, sizeof(msg), "error: the request is "
		    "longer than %u bytes\n", CTL_CMD_MAX);
		ctl_logx(k->c, "refused a request longer than %u bytes",
		    CTL_CMD_MAX);
		ctl_write_all(k->fd, msg, (size_t)len, loop_now_ns() +
		    CTL_CLIENT_NS);
		ctl_conn_close(k);
		return;
	}
	/* A line, or what came before EOF: answer it. */
	if (k->n > 0)
		ctl_serve(k->c, k->fd, k->cmd);
	ctl_conn_close(k);
}

/* Closes the clients whose time is up, says what was closed since the last
 * tick (here and to make room); re-arms for the next deadline. */
static void
ctl_on_timer(struct loop_watch *w, uint32_t events)
{
	struct ctl *c = w->arg;
	uint64_t now = loop_now_ns(), next = 0;
	unsigned int i, late = 0;

	(void)events;
	loop_timer_ack(c->timerfd);
	for (i = 0; i < CTL_CONN_MAX; i++) {
		struct ctl_conn *k = &c->conns[i];

		if (k->fd < 0)
			continue;
		if (k->deadline_ns <= now) {
			ctl_conn_close(k);
			late++;
		} else if (next == 0 || k->deadline_ns < next) {
			next = k->deadline_ns;
		}
	}
	if (c->evicted > 0)
		ctl_logx(c, "%u clients at once had not sent their request; "
		    "closed the %u oldest to make room", CTL_CONN_MAX,
		    c->evicted);
	c->evicted = 0;
	if (late > 0)
		ctl_logx(c, "closed %u client%s that sent no request within "
		    "1 s", late, late == 1 ? "" : "s");
	c->timer_on = next != 0;
	(void)loop_timer_arm(c->timerfd, next == 0 ? 0 : next - now);
}

static void
ctl_on_accept(struct loop_watch *w, uint32_t events)
{
	struct ctl *c = w->arg;
	struct ctl_conn *k;
	unsigned int i, j;
	int fd;

	(void)events;
	while ((fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC |
	    SOCK_NONBLOCK)) >= 0) {
		for (i = 0, j = 0; i < CTL_CONN_MAX && c->conns[i].fd >= 0;
		    i++)
			if (c->conns[i].deadline_ns < c->conns[j].deadline_ns)
				j = i;
		if (i == CTL_CONN_MAX) {
			/* Every slot holds a client that has not sent its
			 * line: the one that had the longest makes room, so
			 * that a flood of silent clients cannot lock vifctl
			 * out (vifctl's line comes with its connect, and is
			 * read below before the next accept). */
			ctl_conn_close(&c->conns[j]);
			c->evicted++;
			i = j;
		}
		k = &c->conns[i];
		k->fd = fd;
		k->n = 0;
		k->deadline_ns = loop_now_ns() + CTL_CLIENT_NS;
		loop_watch_init(&k->watch, fd, EPOLLIN, ctl_on_conn, k);
		if (loop_add(&c->vd->loop, &k->watch) < 0) {
			close(fd);
			k->fd = -1;
			continue;
		}
		if (!c->timer_on &&
		    loop_timer_arm(c->timerfd, CTL_CLIENT_NS) == 0)
			c->timer_on = true;
		/* Its line is often there already. */
		ctl_on_conn(&k->watch, EPOLLIN);
	}
}

int
ctl_open(struct vifd *vd, const char *path, struct ctl **out)
{
	struct sockaddr_un sun;
	struct ctl *c;
	char dir[108], *slash;
	unsigned int i;
	int r;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->vd = vd;
	c->fd = -1;
	c->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(1000, 5);
	for (i = 0; i < CTL_CONN_MAX; i++) {
		c->conns[i].c = c;
		c->conns[i].fd = -1;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		(void)mkdir(dir, 0700);	/* e.g. /run/vifd */
	}
	c->timerfd = loop_timer_new();
	if (c->timerfd < 0) {
		r = c->timerfd;
		goto fail;
	}
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		r = -errno;
		goto fail;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	(void)unlink(path);	/* a previous vifd's, if it crashed */
	if (bind(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, 0600) < 0 || listen(c->fd, 16) < 0) {
		r = -errno;
		goto fail;
	}
	loop_watch_init(&c->timer, c->timerfd, EPOLLIN, ctl_on_timer, c);
	loop_watch_init(&c->watch, c->fd, EPOLLIN, ctl_on_accept, c);
	if ((r = loop_add(&vd->loop, &c->timer)) < 0 ||
	    (r = loop_add(&vd->loop, &c->watch)) < 0)
		goto fail_unlink;
	*out = c;
	return 0;

fail_unlink:
	loop_del(&vd->loop, &c->timer);
	(void)unlink(path);
fail:
	if (c->fd >= 0)
		close(c->fd);
	if (c->timerfd >= 0)
		close(c->timerfd);
	free(c);
	return r;
}

void
ctl_close(struct ctl *c)
{
	unsigned int i;

	if (c == NULL)
		return;
	for (i = 0; i < CTL_CONN_MAX; i++)
		if (c->conns[i].fd >= 0)
			ctl_conn_close(&c->conns[i]);
	loop_del(&c->vd->loop, &c->watch);
	loop_del(&c->vd->loop, &c->timer);
	close(c->fd);
	close(c->timerfd);
	(void)unlink(c->path);
	free(c);
}
