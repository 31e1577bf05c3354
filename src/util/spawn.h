/*
 * spawn.h - starting a helper program the way vifd starts every one:
 * stdin /dev/null, stdout and stderr to one fd, no other fd, cwd /,
 * default signal dispositions and an empty signal mask, in a new session.
 */
#ifndef VIFD_SPAWN_H
#define VIFD_SPAWN_H

#include <sys/types.h>

/*
 * posix_spawn()s `path` (a full path; with `search`, looked up in PATH)
 * with argv/envp (envp NULL: vifd's environment). vifd blocks the signals
 * it reads from a signalfd and ignores SIGPIPE; both would be inherited,
 * so the child gets an empty mask and default dispositions. It gets its
 * own session, so that its process group can be killed as a whole.
 * Returns 0 with *pid set, or -errno (exec failures included: glibc's
 * posix_spawn reports them). In vifd proper the privileged part spawns
 * it, as root, after its own checks (privsep.h).
 */
int spawn_clean(pid_t *pid, const char *path, int search, char *const argv[],
    char *const envp[], int outfd);

/*
 * waitpid() for a child spawn_clean started: vifd proper's children are
 * the privileged part's (privsep.h), which reaps them and passes the
 * status on. A pidfd of the child (pidfd_open needs no parenthood) says
 * when to call it.
 */
pid_t spawn_wait(pid_t pid, int *status, int flags);

/*
 * Sends `sig` to the process group of a child spawn_clean started (its
 * own session: pgid == pid), through the privileged part in vifd proper,
 * which signals its own children only. 0 or -errno.
 */
int spawn_kill(pid_t pid, int sig);

#endif
