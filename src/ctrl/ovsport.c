/*
 * ovsport.c - a TAP's settings as an Open vSwitch port, through ovs-vsctl.
 *
 * Owns running ovs-vsctl for vifd's port keys (vifd-vlan, vifd-isolated)
 * when the TAP is a port of an OVS bridge rather than a Linux one: OVS
 * keeps a port's VLANs in its database (the tag, trunks and vlan_mode
 * columns), not in the kernel, and its protected ports are Linux's
 * isolated ones. ovs-vsctl runs on the control thread and is waited for:
 * its --timeout bounds the wait for ovsdb-server, and this happens only
 * when an admin changes a key or a hotplug script has finished.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctrl/ovsport.h"
#include "util/spawn.h"

/* ovs-vsctl's own bound on waiting for ovsdb-server, in seconds. */
#define OVSPORT_TIMEOUT "--timeout=5"
#define OVSPORT_MAX_ARGS 16

/* Runs ovs-vsctl with argv; its exit status, or -errno. Its output's
 * first line goes to err (may be NULL). */
static int
ovsport_run(char *const argv[], char *err, size_t errlen)
{
	char buf[512];
	size_t used = 0;
	ssize_t n;
	pid_t pid;
	int fds[2], st, r;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	r = spawn_clean(&pid, "ovs-vsctl", 1, argv, NULL, fds[1]);
	close(fds[1]);
	if (r < 0) {
		close(fds[0]);
		return r;
	}
	while ((n = read(fds[0], buf + used, sizeof(buf) - 1 - used)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		used += (size_t)n;
		if (used == sizeof(buf) - 1)
			used = 0;	/* keep reading; the start is gone */
	}
	close(fds[0]);
	buf[used] = '\0';
	while (spawn_wait(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%.*s", (int)strcspn(buf, "\n"), buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* posix_spawn takes char *const argv[]: our arguments, writable. */
static char ovsport_arg0[] = "ovs-vsctl", ovsport_timeout[] = OVSPORT_TIMEOUT;
static char ovsport_port_to_br[] = "port-to-br", ovsport_set_[] = "set";
static char ovsport_port[] = "port";

int
ovsport_is_port(const char *ifname)
{
	char name[64];
	char *argv[] = { ovsport_arg0, ovsport_timeout, ovsport_port_to_br,
	    name, NULL };

	snprintf(name, sizeof(name), "%s", ifname);
	return ovsport_run(argv, NULL, 0) == 0;
}

int
ovsport_set(const char *ifname, char *const cols[], char *err,
    size_t errlen)
{
	char *argv[OVSPORT_MAX_ARGS], name[64];
	unsigned int n = 0, i;
	int r;

	snprintf(name, sizeof(name), "%s", ifname);
	argv[n++] = ovsport_arg0;
	argv[n++] = ovsport_timeout;
	argv[n++] = ovsport_set_;
	argv[n++] = ovsport_port;
	argv[n++] = name;
	for (i = 0; cols[i] != NULL && n < OVSPORT_MAX_ARGS - 1; i++)
		argv[n++] = cols[i];
	argv[n] = NULL;
	r = ovsport_run(argv, err, errlen);
	return r > 0 ? -EIO : r;
}
