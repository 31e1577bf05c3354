/*
 * spawn.c - how vifd starts a helper program (hotplug scripts, ovs-vsctl):
 * one posix_spawn with a clean slate. See spawn.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/privsep.h"
#include "util/spawn.h"

extern char **environ;

int
spawn_clean(pid_t *pid, const char *path, int search, char *const argv[],
    char *const envp[], int outfd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int r;

	if (privsep_active())
		return privsep_spawn(pid, path, search, argv, envp, outfd);
	r = posix_spawn_file_actions_init(&fa);
	if (r != 0)
		return -r;
	r = posix_spawnattr_init(&attr);
	if (r != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -r;
	}
	sigemptyset(&none);
	sigfillset(&all);
	if ((r = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO,
	    "/dev/null", O_RDONLY, 0)) != 0 ||
	    (r = posix_spawn_file_actions_adddup2(&fa, outfd,
	    STDOUT_FILENO)) != 0 ||
	    (r = posix_spawn_file_actions_adddup2(&fa, outfd,
	    STDERR_FILENO)) != 0 ||
	    (r = posix_spawn_file_actions_addclosefrom_np(&fa,
	    STDERR_FILENO + 1)) != 0 ||
	    (r = posix_spawn_file_actions_addchdir_np(&fa, "/")) != 0 ||
	    (r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) != 0 ||
	    (r = posix_spawnattr_setsigmask(&attr, &none)) != 0 ||
	    (r = posix_spawnattr_setsigdefault(&attr, &all)) != 0)
		goto out;
	r = (search ? posix_spawnp : posix_spawn)(pid, path, &fa, &attr,
	    argv, envp != NULL ? envp : environ);
out:
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return -r;
}

pid_t
spawn_wait(pid_t pid, int *status, int flags)
{
	if (privsep_active())
		return privsep_wait(pid, status, flags);
	return waitpid(pid, status, flags);
}

int
spawn_kill(pid_t pid, int sig)
{
	if (privsep_active())
		return privsep_kill(pid, sig);
	return killpg(pid, sig) < 0 ? -errno : 0;
}
