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
 * posix_spawn reports them).
 */
int spawn_clean(pid_t *pid, const char *path, int search, char *const argv[],
    char *const envp[], int outfd);

#endif
