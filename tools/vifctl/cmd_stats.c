/*
 * cmd_stats.c - `vifctl stats`: a running vifd's counters and states.
 *
 * Owns the client side of vifd's control socket (see src/ctrl/ctl.h): it sends
 * one command line and copies the answer to stdout. The socket is
 * --ctl-socket, else where the machine (--xen=) keeps the backend domain's
 * (src/ctrl/ctl.c, ctl_socket_path).
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

enum { OPT_CTL = 256 };

struct stats_args {
	const char *ctl;
};

static int
stats_opt(struct vifctl *c, void *arg, int val, const char *optarg)
{
	struct stats_args *a = arg;

	(void)c;
	if (val != OPT_CTL)
		return VIFCTL_USAGE;
	a->ctl = optarg;
	return 0;
}

/* The socket of the vifd serving the backend domain (--backend-domid,
 * else 0), where the machine keeps it (ctl_socket_path). */
static int
stats_default_path(struct vifctl *c, char *path, size_t len)
{
	struct xen_env *env;
	char err[256];
	int r;

	r = xen_env_open(c->xen, &env, err, sizeof(err));
	if (r < 0) {
		vifctl_err("stats: %s", err);
		return VIFCTL_FAIL;
	}
	r = ctl_socket_path(env, c->backend_domid >= 0 ?
	    (uint32_t)c->backend_domid : 0u, path, len);
	xen_env_close(env);
	if (r < 0) {
		vifctl_err("stats: control socket path too long (use "
		    "--ctl-socket)");
		return VIFCTL_USAGE;
	}
	return 0;
}

/* Sends `cmd` to vifd and copies its answer to stdout. */
static int
stats_ask(const char *path, const char *cmd)
{
	struct sockaddr_un sun;
	char buf[4096];
	ssize_t n;
	size_t off = 0, len = strlen(cmd);
	int fd, r = VIFCTL_OK, first = 1;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		vifctl_err("stats: control socket path too long: %s", path);
		return VIFCTL_USAGE;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		vifctl_err("stats: socket: %s", strerror(errno));
		return VIFCTL_FAIL;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		vifctl_err("stats: cannot reach vifd at %s: %s (is it "
		    "running?)", path, strerror(errno));
		close(fd);
		return VIFCTL_FAIL;
	}
	while (off < len) {
		n = write(fd, cmd + off, len - off);
		if (n <= 0) {
			vifctl_err("stats: writing to vifd: %s",
			    strerror(errno));
			close(fd);
			return VIFCTL_FAIL;
		}
		off += (size_t)n;
	}
	(void)shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (first && strncmp(buf, "error: ", 7) == 0)
			r = VIFCTL_FAIL;
		first = 0;
		fwrite(buf, 1, (size_t)n, r == VIFCTL_OK ? stdout : stderr);
	}
	close(fd);
	return r;
}

static int
stats_run(struct vifctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ctl-socket", required_argument, NULL, OPT_CTL },
		{ NULL, 0, NULL, 0 },
	};
	struct stats_args a = { NULL };
	char path[256], cmd[64];
	struct vifspec_ids ids = { 0 };
	int first, r;
	bool given;

	r = vifctl_getopt(c, &vifctl_cmd_stats, argc, argv, opts, stats_opt,
	    &a, &first);
	if (r != 0)
		return r == VIFCTL_DONE ? VIFCTL_OK : r;
	if ((r = vifctl_ids_args(&vifctl_cmd_stats, argc, argv, first, true,
	    &ids, &given)) != 0)
		return r;
	if (given)
		snprintf(cmd, sizeof(cmd), "stats %u %u\n", ids.domid,
		    ids.devid);
	else
		snprintf(cmd, sizeof(cmd), "stats\n");
	if (a.ctl != NULL)
		snprintf(path, sizeof(path), "%s", a.ctl);
	else if ((r = stats_default_path(c, path, sizeof(path))) != 0)
		return r;
	return stats_ask(path, cmd);
}

const struct vifctl_cmd vifctl_cmd_stats = {
	.name = "stats",
	.synopsis = "[DOMID DEVID]",
	.summary = "print a running vifd's per-queue counters",
	.options = "  --ctl-socket=PATH  vifd's control socket (default: "
	    CTL_DEFAULT_PATH ",\n                     or DIR/vifd-<backend>.sock "
	    "on a simulated machine)\n",
	.run = stats_run,
};
