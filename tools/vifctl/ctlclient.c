/*
 * ctlclient.c - the client side of vifd's control socket (src/ctrl/ctl.h),
 * for `vifctl stats` and `vifctl top`.
 *
 * Owns finding the socket (--ctl-socket, else where the machine keeps the
 * backend domain's: ctl_socket_path) and one question-and-answer
 * exchange. The answer is read whole into memory (bounded: vifd's own
 * bound on an answer plus one line) before anything is printed, so a
 * command prints all of a consistent snapshot or nothing.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctrl/ctl.h"
#include "vifctl.h"

/* vifd's CTL_ANSWER_MAX (64 MiB) and its error line. */
#define CTLCLIENT_MAX ((64u << 20) + 4096u)

int
vifctl_ctl_path(struct vifctl *c, const char *what, const char *opt,
    char *path, size_t len)
{
	struct xen_env *env;
	char err[256];
	int r;

	if (opt != NULL) {
		if (strlen(opt) >= len ||
		    strlen(opt) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
			vifctl_err("%s: control socket path too long: %s",
			    what, opt);
			return VIFCTL_USAGE;
		}
		snprintf(path, len, "%s", opt);
		return 0;
	}
	r = xen_env_open(c->xen, &env, err, sizeof(err));
	if (r < 0) {
		vifctl_err("%s: %s", what, err);
		return VIFCTL_FAIL;
	}
	r = ctl_socket_path(env, c->backend_domid >= 0 ?
	    (uint32_t)c->backend_domid : 0u, path, len);
	xen_env_close(env);
	if (r < 0) {
		vifctl_err("%s: control socket path too long (use "
		    "--ctl-socket)", what);
		return VIFCTL_USAGE;
	}
	return 0;
}

int
vifctl_ctl_ask(const char *what, const char *path, const char *cmd,
    char **answer)
{
	struct sockaddr_un sun;
	char *buf = NULL, *p;
	size_t off = 0, len = strlen(cmd), cap = 0;
	ssize_t n;
	int fd, r = VIFCTL_FAIL;

	*answer = NULL;
	memset(&sun, 0, sizeof(sun));
	if (strlen(path) >= sizeof(sun.sun_path)) {
		vifctl_err("%s: control socket path too long: %s", what, path);
		return VIFCTL_USAGE;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		vifctl_err("%s: socket: %s", what, strerror(errno));
		return VIFCTL_FAIL;
	}
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		vifctl_err("%s: cannot reach vifd at %s: %s (is it "
		    "running?)", what, path, strerror(errno));
		goto out;
	}
	while (off < len) {
		n = write(fd, cmd + off, len - off);
		if (n <= 0) {
			vifctl_err("%s: writing to vifd: %s", what,
			    strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	(void)shutdown(fd, SHUT_WR);
	off = 0;
	for (;;) {
		if (cap - off < 4096) {
			cap = cap ? cap * 2 : 65536;
			if (cap > CTLCLIENT_MAX + 1)
				cap = CTLCLIENT_MAX + 1;
			if (cap - off <= 1) {
				vifctl_err("%s: vifd's answer exceeds %u "
				    "bytes", what, CTLCLIENT_MAX);
				goto out;
			}
			p = realloc(buf, cap);
			if (p == NULL) {
				vifctl_err("%s: out of memory", what);
				goto out;
			}
			buf = p;
		}
		n = read(fd, buf + off, cap - off - 1);
		if (n < 0) {
			vifctl_err("%s: reading from vifd: %s", what,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	if (buf == NULL && (buf = malloc(1)) == NULL) {
		vifctl_err("%s: out of memory", what);
		goto out;
	}
	buf[off] = '\0';
	if (strncmp(buf, "error: ", 7) == 0) {
		vifctl_err("%s: vifd: %.*s", what, (int)strcspn(buf + 7, "\n"),
		    buf + 7);
		goto out;
	}
	*answer = buf;
	buf = NULL;
	r = VIFCTL_OK;
out:
	free(buf);
	close(fd);
	return r;
}

int
vifctl_stats_start(struct vifctl *c, const struct vifctl_cmd *cmd, int argc,
    char **argv, const struct option *opts,
    int (*opt)(struct vifctl *c, void *arg, int val, const char *optarg),
    void *arg, const char *const *ctl, char *path, size_t plen, char *q,
    size_t qlen)
{
	struct vifspec_ids ids = { 0 };
	int first, r;
	bool given;

	r = vifctl_getopt(c, cmd, argc, argv, opts, opt, arg, &first);
	if (r != 0)
		return r;
	if ((r = vifctl_ids_args(cmd, argc, argv, first, true, &ids,
	    &given)) != 0)
		return r;
	if (given)
		snprintf(q, qlen, "stats %u %u\n", ids.domid, ids.devid);
	else
		snprintf(q, qlen, "stats\n");
	return vifctl_ctl_path(c, cmd->name, *ctl, path, plen);
}
