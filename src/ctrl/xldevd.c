/*
 * xldevd.c - is `xl devd` running in this domain? In a driver domain,
 * xl devd (xendriverdomain.service) is libxl's half of the backends it
 * serves: it runs their hotplug scripts and removes their xenstore entries
 * when dom0 lets go. With --hotplug=auto vifd runs the scripts itself only
 * where nobody else does, so it asks for each new backend. Two signs:
 * xl devd's pidfile names a live process (what Xen's unit writes), or a
 * process's command line is ".../xl [options] devd" in /proc. The second
 * is the one vifd proper sees under privilege separation: its mount
 * namespace has an empty /run, where the pidfile is, but the host's /proc
 * (the lab's driver domain showed vifd running the scripts beside xl devd
 * because of this).
 */
#include "config.h"

#include "ctrl/xldevd.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

bool
xldevd_cmdline_match(const char *buf, size_t len)
{
	const char *end = buf + len, *arg, *base;
	size_t n;

	if (len == 0 || memchr(buf, '\0', len) == NULL)
		return false;
	base = strrchr(buf, '/');
	base = base != NULL ? base + 1 : buf;
	if (strcmp(base, "xl") != 0)
		return false;
	for (arg = buf + strlen(buf) + 1; arg < end; arg += n + 1) {
		n = strnlen(arg, (size_t)(end - arg));
		if (n == (size_t)(end - arg))
			return false;	/* not NUL-terminated: cut off */
		if (arg[0] != '-')
			return strcmp(arg, "devd") == 0;
	}
	return false;
}

/* ROOT/PIDFILE names a live process. */
static bool
xldevd_pidfile_live(const char *root, const char *pidfile)
{
	char path[512];
	long pid = 0;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s%s", root, pidfile);
	f = fopen(path, "re");
	if (f == NULL)
		return false;
	n = fscanf(f, "%ld", &pid);
	fclose(f);
	return n == 1 && pid > 0 && kill((pid_t)pid, 0) == 0;
}

/* A process in ROOT/proc runs xl devd. */
static bool
xldevd_in_proc(const char *root)
{
	char path[512], buf[512];
	struct dirent *e;
	bool found = false;
	ssize_t n;
	DIR *d;
	int fd;

	snprintf(path, sizeof(path), "%s/proc", root);
	d = opendir(path);
	if (d == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/proc/%s/cmdline", root,
		    e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;	/* gone meanwhile, or hidden */
		n = read(fd, buf, sizeof(buf));
		close(fd);
		if (n > 0)
			found = xldevd_cmdline_match(buf, (size_t)n);
	}
	closedir(d);
	return found;
}

bool
xldevd_running(const char *root)
{
	if (root == NULL)
		root = "";
	return xldevd_pidfile_live(root, "/run/xldevd.pid") ||
	    xldevd_pidfile_live(root, "/var/run/xldevd.pid") ||
	    xldevd_in_proc(root);
}
