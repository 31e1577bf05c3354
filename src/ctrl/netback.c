/*
 * netback.c - whether Linux's xen-netback is here, beside vifd.
 *
 * Owns the one question vifd asks of sysfs: is the kernel's vif backend
 * driver registered (/sys/bus/xen-backend/drivers/vif), and which
 * devices is it bound to (its vif-<domid>-<devid> entries there). Once
 * registered, the kernel probes every vif backend directory of this
 * domain as it appears, so vifd would race it for the same directories
 * and the same vif<domid>.<devid> names: vifd says so and leaves those
 * devices to it instead. The sysfs root is a parameter (vifd --sysfs=)
 * so that a test can fake the kernel's view.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ctrl/netback.h"
#include "util/log.h"

#define NETBACK_DRIVER_DIR	"bus/xen-backend/drivers/vif"
#define NETBACK_MODULE_DIR	"module/xen_netback"

static const char *
netback_root(const char *sysfs)
{
	return sysfs != NULL ? sysfs : NETBACK_SYSFS_DEFAULT;
}

static bool
netback_is_dir(const char *sysfs, const char *rel)
{
	char p[512];
	struct stat st;

	if (snprintf(p, sizeof(p), "%s/%s", netback_root(sysfs), rel) >=
	    (int)sizeof(p))
		return false;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int
netback_probe(const char *sysfs, struct netback_state *st)
{
	char p[512];
	struct dirent *de;
	size_t used = 0;
	unsigned int d, n;
	char tail;
	DIR *dir;
	int w;

	memset(st, 0, sizeof(*st));
	st->module = netback_is_dir(sysfs, NETBACK_MODULE_DIR);
	if (snprintf(p, sizeof(p), "%s/" NETBACK_DRIVER_DIR,
	    netback_root(sysfs)) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	dir = opendir(p);
	if (dir == NULL)
		return errno == ENOENT ? 0 : -errno;
	st->registered = true;
	while ((de = readdir(dir)) != NULL) {
		/* The bus names a device "<type>-<frontend domid>-<devid>". */
		if (sscanf(de->d_name, "vif-%u-%u%c", &d, &n, &tail) != 2)
			continue;
		st->nbound++;
		w = snprintf(st->bound + used, sizeof(st->bound) - used,
		    "%svif%u.%u", used > 0 ? " " : "", d, n);
		if (w > 0 && (size_t)w < sizeof(st->bound) - used)
			used += (size_t)w;
		else
			st->truncated = true;
	}
	closedir(dir);
	return 0;
}

bool
netback_bound(const char *sysfs, uint32_t domid, uint32_t devid)
{
	char rel[128];

	snprintf(rel, sizeof(rel), NETBACK_DRIVER_DIR "/vif-%u-%u", domid,
	    devid);
	return netback_is_dir(sysfs, rel);
}

void
netback_report_start(const char *sysfs)
{
	struct netback_state st;
	int r;

	r = netback_probe(sysfs, &st);
	if (r < 0) {
		errno = -r;
		log_warn("cannot tell whether the kernel's xen-netback is "
		    "loaded (%s/" NETBACK_DRIVER_DIR ")", netback_root(sysfs));
		return;
	}
	if (!st.registered) {
		log_info("the kernel's xen-netback is not loaded: vifd serves "
		    "every vif backend here");
		return;
	}
	log_warnx("the kernel's xen-netback is loaded%s and bound to %u "
	    "vif%s%s%s%s%s: vifd leaves every vif backend to it while it is; "
	    "to switch, detach the vifs, 'modprobe -r xen-netback' and attach "
	    "them again (vifd(8), NETBACK)",
	    st.module ? " (module xen_netback)" : " (built in)", st.nbound,
	    st.nbound == 1 ? "" : "s", st.nbound > 0 ? " (" : "", st.bound,
	    st.truncated ? " ..." : "", st.nbound > 0 ? ")" : "");
}

bool
netback_claims(const char *sysfs, uint32_t domid, uint32_t devid)
{
	struct netback_state st;

	if (netback_probe(sysfs, &st) < 0 || !st.registered)
		return false;
	if (netback_bound(sysfs, domid, devid))
		log_warnx("vif%u.%u: served by the kernel's xen-netback (bound "
		    "in sysfs); vifd leaves it alone (vifd(8), NETBACK)",
		    domid, devid);
	else
		log_warnx("vif%u.%u: the kernel's xen-netback is loaded and "
		    "claims every vif backend; vifd leaves this one to it "
		    "rather than race it ('modprobe -r xen-netback' to switch, "
		    "vifd(8), NETBACK)", domid, devid);
	return true;
}
