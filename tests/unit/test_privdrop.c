/*
 * test_privdrop.c - what vifd proper gives up (src/util/privdrop.c), in
 * a forked child each time, since none of it can be undone: afterwards
 * the child holds CAP_BPF alone in every set, the bounding set included,
 * has no_new_privs and locked securebits, cannot write to a root-owned
 * directory outside its writable list (EROFS, although it is uid 0) but
 * can inside it, can still open a device node for writing, cannot mount,
 * and sees in /dev only the nodes vifd uses and in /run only what it
 * keeps. A process with a second thread is refused. Needs root.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/securebits.h>
#include <sys/capability.h>

#include "cu_tap.h"
#include "util/privdrop.h"

static char rwdir[] = "/tmp/vifd-privdrop-XXXXXX";
static const char keepfile[] = "/run/vifd-privdrop-keep";

/* The names in directory `dir`, but those of `allowed` (NULL-ended):
 * how many. */
static int
others_in(const char *dir, const char *const allowed[])
{
	struct dirent *d;
	DIR *dp;
	int n = 0, i;

	dp = opendir(dir);
	if (dp == NULL)
		return -1;
	while ((d = readdir(dp)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(d->d_name, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			fprintf(stderr, "# %s/%s is visible\n", dir, d->d_name);
			n++;
		}
	}
	closedir(dp);
	return n;
}

/* Runs fn in a child; its exit status (0: every step held). */
static int
in_child(int (*fn)(void))
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* 0 if `path` can be created (then removed), else the errno. */
static int
try_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno;
	close(fd);
	unlink(path);
	return 0;
}

static int
drop_and_check(void)
{
	static const char *const devs[] = { "null", "zero", "full", "random",
	    "urandom", "log", "xen", NULL };
	static const char *const run[] = { "vifd-privdrop-keep", "systemd",
	    NULL };
	const char *rw[] = { rwdir }, *keep[] = { keepfile };
	char err[256], path[128];
	cap_flag_value_t v;
	cap_value_t c;
	cap_t caps;
	int fd;

	if (privdrop_apply(rw, 1, keep, 1, err, sizeof(err)) < 0) {
		fprintf(stderr, "# privdrop_apply: %s\n", err);
		return 10;
	}
	caps = cap_get_proc();
	if (caps == NULL)
		return 11;
	for (c = 0; c < (cap_value_t)cap_max_bits(); c++) {
		cap_flag_value_t want = c == CAP_BPF ? CAP_SET : CAP_CLEAR;

		if (cap_get_flag(caps, c, CAP_EFFECTIVE, &v) < 0 || v != want ||
		    cap_get_flag(caps, c, CAP_PERMITTED, &v) < 0 || v != want ||
		    cap_get_flag(caps, c, CAP_INHERITABLE, &v) < 0 ||
		    v != CAP_CLEAR)
			return 12;
		if (cap_get_bound(c) != (c == CAP_BPF))
			return 13;
	}
	cap_free(caps);
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 14;
	if (!(cap_get_secbits() & SECBIT_NOROOT_LOCKED))
		return 15;
	/* uid 0 still, but / is read-only here */
	if (getuid() != 0 || try_create("/var/tmp/vifd-privdrop-probe") !=
	    EROFS)
		return 16;
	snprintf(path, sizeof(path), "%s/probe", rwdir);
	if (try_create(path) != 0)
		return 17;
	/* a device node on a read-only mount opens for writing */
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return 18;
	close(fd);
	if (mount("none", rwdir, "tmpfs", 0, NULL) == 0 || errno != EPERM)
		return 19;
	/* /dev holds the few nodes vifd uses (no disk, no privcmd); /run
	 * the kept file (and, where /dev/log is journald's, its socket's
	 * directory); /tmp the writable directory alone */
	if (others_in("/dev", devs) != 0)
		return 20;
	if (others_in("/run", run) != 0 || access(keepfile, F_OK) != 0)
		return 21;
	if (access("/dev/xen/privcmd", F_OK) == 0)
		return 22;
	return 0;
}

static void
test_drop(void)
{
	CU_ASSERT_EQUAL(in_child(drop_and_check), 0);
	/* the parent, the test, is untouched */
	CU_ASSERT_EQUAL(try_create("/var/tmp/vifd-privdrop-probe"), 0);
}

static void *
idle(void *arg)
{
	pause();
	return arg;
}

static int
drop_with_a_thread(void)
{
	const char *rw[] = { rwdir };
	char err[256];
	pthread_t t;
	int r;

	if (pthread_create(&t, NULL, idle, NULL) != 0)
		return 20;
	r = privdrop_apply(rw, 1, NULL, 0, err, sizeof(err));
	if (r != -EBUSY || strstr(err, "2 threads") == NULL)
		return 21;
	return 0;
}

static void
test_threads_refused(void)
{
	CU_ASSERT_EQUAL(in_child(drop_with_a_thread), 0);
}

static int
setup(void)
{
	int fd;

	if (getuid() != 0 || mkdtemp(rwdir) == NULL)
		return -1;
	fd = open(keepfile, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int
teardown(void)
{
	unlink(keepfile);
	return rmdir(rwdir);
}

static CU_TestInfo privdrop_tests[] = {
	{ "CAP_BPF alone, no_new_privs, read-only but the rw list",
	    test_drop },
	{ "a second thread: refused (capabilities are per thread)",
	    test_threads_refused },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "privdrop", setup, teardown, NULL, NULL, privdrop_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
