/*
 * ready.c - vifd says when it is ready: to systemd and in xenstore.
 *
 * Owns vifd's two readiness signals and their withdrawal. Ready means
 * vifd is watching its backend/vif directory: from then on a backend
 * libxl writes is seen (existing ones are adopted by the watch's first
 * scan), so a toolstack may start guests and libxl's 10 s InitWait window
 * is safe. systemd hears READY=1 through sd_notify (Type=notify; nothing
 * when NOTIFY_SOCKET is unset); dom0 hears it through the key
 * /local/domain/<our domid>/data/vifd/ready = "1", under the data/
 * directory a domain may write in its own xenstore home, which dom0's
 * toolstack can wait on before it starts guests with backend=<us>. On a
 * clean exit systemd hears STOPPING=1 and the key goes; a crash leaves the
 * key, which the next vifd removes at once and writes again when ready.
 * Only vifd's main links this file (and libsystemd).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include <systemd/sd-daemon.h>

#include "ctrl/ready.h"
#include "ctrl/vifd.h"
#include "ctrl/xsutil.h"
#include "util/log.h"

static void
ready_dir(const struct vifd *v, char *buf, size_t len)
{
	snprintf(buf, len, "/local/domain/%u/data", v->domid);
}

void
ready_clear_stale(struct vifd *v)
{
	char dir[64];
	int r;

	ready_dir(v, dir, sizeof(dir));
	r = xsu_rm_key(v->env, v->xs, XEN_TXN_NULL, dir, READY_XS_DIR);
	if (r < 0 && r != -ENOENT) {
		errno = -r;
		log_warn("cannot remove %s/" READY_XS_DIR " left by an earlier "
		    "vifd", dir);
	}
}

void
ready_announce(struct vifd *v)
{
	char dir[64];
	int r;

	ready_dir(v, dir, sizeof(dir));
	r = xsu_write_key(v->env, v->xs, XEN_TXN_NULL, dir,
	    READY_XS_DIR "/" READY_XS_KEY, "1");
	if (r < 0) {
		/* Still serve vifs: the key is for dom0's scripts, and a
		 * domain without write access to its own data/ has a
		 * toolstack that did not make it (xenstore-ls -p shows). */
		errno = -r;
		log_warn("cannot write the readiness key %s/" READY_XS_DIR "/"
		    READY_XS_KEY "; a dom0 script waiting on it will wait",
		    dir);
	} else {
		log_info("ready: %s/" READY_XS_DIR "/" READY_XS_KEY " = 1",
		    dir);
	}
	r = sd_notifyf(0, "READY=1\nSTATUS=watching %s", v->root);
	if (r < 0) {
		errno = -r;
		log_warn("cannot tell systemd that vifd is ready (sd_notify)");
	}
}

void
ready_withdraw(struct vifd *v)
{
	char dir[64];
	int r;

	(void)sd_notify(0, "STOPPING=1");
	ready_dir(v, dir, sizeof(dir));
	r = xsu_rm_key(v->env, v->xs, XEN_TXN_NULL, dir, READY_XS_DIR);
	if (r < 0 && r != -ENOENT) {
		errno = -r;
		log_warn("cannot remove the readiness key %s/" READY_XS_DIR,
		    dir);
	}
}
