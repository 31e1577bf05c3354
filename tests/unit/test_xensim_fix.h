/*
 * test_xensim_fix.h - fixtures shared by the xensim unit tests: a fresh
 * machine in a fresh temporary directory per test, helpers to wait on a
 * file descriptor and to talk to a forked child, and the final check that
 * no xenstored of ours is left running.
 *
 * Included once by each test_xensim_*.c program (everything is static).
 */
#ifndef VIFD_TEST_XENSIM_FIX_H
#define VIFD_TEST_XENSIM_FIX_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cu_tap.h"
#include "xensim.h"

/* Not every program uses every helper. */
#define FX_FN static __attribute__((unused))

/* Temporary machines are /tmp/xst-<pid>-XXXXXX: short enough for the
 * socket paths, and recognisable in /proc at the end. */
static char fx_dir[64];
static struct xen_env *fx_env;
static bool fx_up;

FX_FN void
fx_setup_domains(const uint32_t *domids, size_t n)
{
	char err[256];
	size_t i;

	fx_up = false;
	fx_env = NULL;
	snprintf(fx_dir, sizeof(fx_dir), "/tmp/xst-%d-XXXXXX", (int)getpid());
	if (mkdtemp(fx_dir) == NULL) {
		fprintf(stderr, "# mkdtemp: %s\n", strerror(errno));
		return;
	}
	if (xensim_create(fx_dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "# xensim_create: %s\n", err);
		rmdir(fx_dir);
		return;
	}
	for (i = 0; i < n; i++) {
		if (xensim_domain_add(fx_dir, domids[i], 64, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "# xensim_domain_add: %s\n", err);
			return;
		}
	}
	if (xensim_env_open(fx_dir, &fx_env, err, sizeof(err)) != 0) {
		fprintf(stderr, "# xensim_env_open: %s\n", err);
		fx_env = NULL;
		return;
	}
	fx_up = true;
}

FX_FN void
fx_teardown(void)
{
	char err[256];

	if (fx_env != NULL)
		xen_env_close(fx_env);
	fx_env = NULL;
	if (fx_dir[0] != '\0' && xensim_destroy(fx_dir, err, sizeof(err)) != 0)
		fprintf(stderr, "# xensim_destroy: %s\n", err);
	fx_dir[0] = '\0';
}

/* Waits until fd is readable: 1, or 0 on timeout. */
FX_FN int
fx_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int rc;

	do {
		rc = poll(&p, 1, timeout_ms);
	} while (rc < 0 && errno == EINTR);
	return rc > 0 && (p.revents & POLLIN);
}

/* One 32-bit value through a pipe (child <-> parent handshakes). */
FX_FN int
fx_put(int fd, uint32_t v)
{
	return write(fd, &v, sizeof(v)) == (ssize_t)sizeof(v) ? 0 : -1;
}

FX_FN int
fx_get(int fd, uint32_t *v)
{
	ssize_t n;

	if (!fx_readable(fd, 10000))
		return -1;
	do {
		n = read(fd, v, sizeof(*v));
	} while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(*v) ? 0 : -1;
}

/* Waits for a child; its exit code, 128+signal, or -1. */
FX_FN int
fx_wait(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -1;
}

/* Processes whose command line mentions one of our machines. */
FX_FN int
fx_leftovers(void)
{
	char prefix[32], path[300], buf[4096], *p;
	struct dirent *de;
	int found = 0, fd;
	ssize_t n;
	DIR *dp;

	snprintf(prefix, sizeof(prefix), "/tmp/xst-%d-", (int)getpid());
	dp = opendir("/proc");
	if (dp == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		for (p = buf; p < buf + n; p += strlen(p) + 1)
			if (strstr(p, prefix) != NULL)
				found++;
	}
	closedir(dp);
	return found;
}

/* The last test of each program: every machine is gone, and so is its
 * xenstored (no process names one of our directories). */
FX_FN void
fx_test_nothing_left(void)
{
	int i, n = 0;

	for (i = 0; i < 200; i++) {
		n = fx_leftovers();
		if (n == 0)
			break;
		usleep(10000);
	}
	CU_ASSERT_EQUAL(n, 0);
}

#endif
