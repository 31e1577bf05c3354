/*
 * hotplug_cmd.c - what a vif hotplug script is run with: the pure half
 * of the hotplug runner.
 *
 * Owns libxl's contract for a script's command line and environment
 * (libxl_linux.c: libxl__hotplug_nic, get_hotplug_env): which file runs
 * (a relative `script` under the script directory, never out of it),
 * its arguments, exactly the environment it gets, and the checks on
 * every value that comes from xenstore. It touches nothing: no file, no
 * process, no clock; hotplug_run.c runs what this builds, and the unit
 * tests check it on its own.
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctrl/hotplug.h"
#include "ctrl/hotplug_int.h"
#include "core/strparse.h"

#ifndef VIFD_HOTPLUG_DIR
#define VIFD_HOTPLUG_DIR "/usr/local/libexec/vifd"
#endif

const char *
hotplug_action_name(enum hotplug_action action)
{
	switch (action) {
	case HOTPLUG_ONLINE:
		return "online";
	case HOTPLUG_OFFLINE:
		return "offline";
	case HOTPLUG_ADD:
		return "add";
	case HOTPLUG_REMOVE:
		return "remove";
	}
	return "?";
}

bool
hotplug_result_ok(const struct hotplug_result *res)
{
	return res->outcome == HOTPLUG_EXITED && res->status == 0;
}

bool
hotplug_has_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* True if some '/'-separated component of `s` is "..". */
static bool
hotplug_has_dotdot(const char *s)
{
	const char *p = s;

	while (*p != '\0') {
		const char *end = strchr(p, '/');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return true;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return false;
}

static void
hotplug_why(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
hotplug_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

int
hotplug_resolve_script(const char *script, const char *dir, char *out,
    size_t outlen, char *why, size_t whylen)
{
	size_t dlen;
	int n;

	if (dir == NULL)
		dir = VIFD_HOTPLUG_DIR;
	if (script == NULL || *script == '\0')
		script = HOTPLUG_SCRIPT_DEFAULT;
	if (hotplug_has_ctl(script)) {
		hotplug_why(why, whylen, "the script name contains a control "
		    "character");
		return -EINVAL;
	}
	if (script[0] == '/') {
		n = snprintf(out, outlen, "%s", script);
	} else {
		if (hotplug_has_dotdot(script)) {
			hotplug_why(why, whylen, "script '%s' leaves the "
			    "script directory %s", script, dir);
			return -EPERM;
		}
		if (dir[0] != '/') {
			hotplug_why(why, whylen, "the script directory '%s' "
			    "is not an absolute path", dir);
			return -EINVAL;
		}
		dlen = strlen(dir);
		n = snprintf(out, outlen, "%s%s%s", dir,
		    dir[dlen - 1] == '/' ? "" : "/", script);
	}
	if (n < 0 || (size_t)n >= outlen || n >= PATH_MAX) {
		hotplug_why(why, whylen, "the script path is too long");
		return -ENAMETOOLONG;
	}
	return 0;
}

/* An interface name as Linux accepts it (dev_valid_name), printable. */
static bool
hotplug_valid_ifname(const char *s)
{
	size_t len;

	if (s == NULL)
		return false;
	len = strlen(s);
	if (len == 0 || len >= IFNAMSIZ || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == '/' || *s == ':' ||
		    *s == 0x7f)
			return false;
	return true;
}

/* The shape of a request, independent of what xenstore said. */
int
hotplug_check_req(const struct hotplug_req *req, char *why, size_t whylen)
{
	switch (req->action) {
	case HOTPLUG_ONLINE:
	case HOTPLUG_OFFLINE:
		break;
	case HOTPLUG_ADD:
	case HOTPLUG_REMOVE:
		if (!hotplug_valid_ifname(req->interface)) {
			hotplug_why(why, whylen, "%s needs the emulated "
			    "NIC's interface name",
			    hotplug_action_name(req->action));
			return -EINVAL;
		}
		break;
	default:
		hotplug_why(why, whylen, "unknown hotplug action %d",
		    (int)req->action);
		return -EINVAL;
	}
	if (!hotplug_valid_ifname(req->vif)) {
		hotplug_why(why, whylen, "'%s' is not an interface name",
		    req->vif != NULL ? req->vif : "(null)");
		return -EINVAL;
	}
	return 0;
}

/* Appends a formatted string to cmd->buf; NULL (and cmd->overflow) if it
 * does not fit. */
static char *
hotplug_cmd_str(struct hotplug_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static char *
hotplug_cmd_str(struct hotplug_cmd *cmd, const char *fmt, ...)
{
	size_t room = sizeof(cmd->buf) - cmd->used;
	char *s = cmd->buf + cmd->used;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		cmd->overflow = true;
		return NULL;
	}
	cmd->used += (size_t)n + 1;
	return s;
}

int
hotplug_build_cmd(const struct hotplug_req *req, struct hotplug_cmd *cmd,
    char *why, size_t whylen)
{
	const char *verb = hotplug_action_name(req->action);
	bool tap = req->action == HOTPLUG_ADD || req->action == HOTPLUG_REMOVE;
	const char *netdev = req->netdev != NULL ? req->netdev : "";
	char **a = cmd->argv, **e = cmd->envp;
	int r;

	cmd->used = 0;
	cmd->overflow = false;
	r = hotplug_check_req(req, why, whylen);
	if (r < 0)
		return r;
	if (hotplug_has_ctl(netdev) || (req->backend_path != NULL &&
	    (hotplug_has_ctl(req->backend_path) || *req->backend_path == '\0'))
	    || (req->xenstored_path != NULL &&
	    hotplug_has_ctl(req->xenstored_path))) {
		hotplug_why(why, whylen, "gatewaydev, the backend path or "
		    "XENSTORED_PATH contains a control character");
		return -EINVAL;
	}
	r = hotplug_resolve_script(req->script, req->script_dir, cmd->path,
	    sizeof(cmd->path), why, whylen);
	if (r < 0)
		return r;

	/* argv: libxl_linux.c libxl__hotplug_nic. */
	*a++ = cmd->path;
	*a++ = hotplug_cmd_str(cmd, "%s", verb);
	*a++ = hotplug_cmd_str(cmd, "type_if=%s", tap ? "tap" : "vif");
	*a = NULL;

	/* envp: libxl_linux.c get_hotplug_env, then our fixed PATH/LANG. */
	*e++ = hotplug_cmd_str(cmd, "script=%s", cmd->path);
	*e++ = hotplug_cmd_str(cmd, "XENBUS_TYPE=vif");
	if (req->backend_path != NULL)
		*e++ = hotplug_cmd_str(cmd, "XENBUS_PATH=%s",
		    req->backend_path);
	else
		*e++ = hotplug_cmd_str(cmd, "XENBUS_PATH=backend/vif/%u/%u",
		    req->domid, req->devid);
	*e++ = hotplug_cmd_str(cmd, "XENBUS_BASE_PATH=backend");
	*e++ = hotplug_cmd_str(cmd, "netdev=%s", netdev);
	if (tap)
		*e++ = hotplug_cmd_str(cmd, "INTERFACE=%s", req->interface);
	*e++ = hotplug_cmd_str(cmd, "vif=%s", req->vif);
	*e++ = hotplug_cmd_str(cmd, "PATH=%s", HOTPLUG_PATH);
	*e++ = hotplug_cmd_str(cmd, "LANG=POSIX");
	if (req->xenstored_path != NULL)
		*e++ = hotplug_cmd_str(cmd, "XENSTORED_PATH=%s",
		    req->xenstored_path);
	*e = NULL;

	if (cmd->overflow) {
		hotplug_why(why, whylen, "the hotplug environment is too "
		    "long");
		return -E2BIG;
	}
	return 0;
}

int
hotplug_parse_timeout(const char *s, unsigned int *ms)
{
	uint64_t v;

	if (s == NULL || strparse_range(s, 1, 3600, &v) < 0)
		return -EINVAL;
	*ms = (unsigned int)v * 1000u;
	return 0;
}

