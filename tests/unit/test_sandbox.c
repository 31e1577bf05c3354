/*
 * test_sandbox.c - the data plane's seccomp filter (src/util/sandbox.c)
 * on its own: each case forks a child that enters the sandbox in one
 * mode, makes one call, and reports by its exit status; the parent reads
 * how the child ended (and, for the kill mode, the line it wrote).
 * tests/rig/sandbox.sh checks the same filter inside the real vifd.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cu_tap.h"
#include "util/sandbox.h"

enum { CALL_OPEN, CALL_SOCKET, CALL_ALLOWED };

/*
 * Forks a child that enters the sandbox in `mode` and makes `call`. The
 * child exits 0 if the call succeeded, 3 if it failed with EACCES, 4 for
 * any other failure, 5 if it could not enter the sandbox. Returns the
 * wait status; the child's stderr goes to `errbuf`.
 */
static int
sandbox_child(enum sandbox_mode mode, int call, char *errbuf, size_t len)
{
	char err[160];
	int pfd[2], st = -1, fd, rc;
	ssize_t n;
	pid_t pid;

	errbuf[0] = '\0';
	if (pipe(pfd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		dup2(pfd[1], STDERR_FILENO);
		if (sandbox_init(mode, err, sizeof(err)) < 0 ||
		    sandbox_enter_data("test q0", SANDBOX_NO_CAPS) < 0)
			_exit(5);
		switch (call) {
		case CALL_OPEN:
			fd = open("/dev/null", O_RDONLY);
			rc = fd >= 0 ? 0 : 4;
			break;
		case CALL_SOCKET:
			fd = socket(AF_UNIX, SOCK_DGRAM, 0);
			rc = fd >= 0 ? 0 : errno == EACCES ? 3 : 4;
			break;
		default:
			rc = write(STDERR_FILENO, "", 0) == 0 ? 0 : 4;
			break;
		}
		_exit(rc);
	}
	close(pfd[1]);
	n = read(pfd[0], errbuf, len - 1);
	errbuf[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static void
test_modes(void)
{
	enum sandbox_mode m = SANDBOX_OFF;

	CU_ASSERT_EQUAL(sandbox_mode_parse("kill", &m), 0);
	CU_ASSERT_EQUAL(m, SANDBOX_KILL);
	CU_ASSERT_EQUAL(sandbox_mode_parse("log", &m), 0);
	CU_ASSERT_EQUAL(m, SANDBOX_LOG);
	CU_ASSERT_EQUAL(sandbox_mode_parse("off", &m), 0);
	CU_ASSERT_EQUAL(m, SANDBOX_OFF);
	CU_ASSERT_EQUAL(sandbox_mode_parse("Kill", &m), -EINVAL);
	CU_ASSERT_EQUAL(sandbox_mode_parse("", &m), -EINVAL);
	CU_ASSERT_STRING_EQUAL(sandbox_mode_name(SANDBOX_KILL), "kill");
	CU_ASSERT_STRING_EQUAL(sandbox_mode_name(SANDBOX_LOG), "log");
	CU_ASSERT_STRING_EQUAL(sandbox_mode_name(SANDBOX_OFF), "off");
#ifdef VIFD_SANITIZED_BUILD
	CU_ASSERT_EQUAL(sandbox_default_mode(), SANDBOX_LOG);
#else
	CU_ASSERT_EQUAL(sandbox_default_mode(), SANDBOX_KILL);
#endif
}

/* Kill: a call outside the list ends the process by SIGSYS, after one
 * line naming the thread and the call; a listed call goes through. */
static void __attribute__((unused))
test_kill(void)
{
	char out[256];
	int st;

	st = sandbox_child(SANDBOX_KILL, CALL_OPEN, out, sizeof(out));
	CU_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "vifd: sandbox: test q0 made "
	    "system call "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "killing vifd"));
	st = sandbox_child(SANDBOX_KILL, CALL_ALLOWED, out, sizeof(out));
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* socket(2) is refused with EACCES, not a kill: glibc's syslog tries it
 * when the log daemon restarted. */
static void __attribute__((unused))
test_socket_refused(void)
{
	char out[256];
	int st;

	st = sandbox_child(SANDBOX_KILL, CALL_SOCKET, out, sizeof(out));
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	CU_ASSERT_STRING_EQUAL(out, "");
}

/* Log: the call is allowed (the kernel logs it); off: no filter. */
static void
test_log_and_off(void)
{
	char out[256];
	int st;

	st = sandbox_child(SANDBOX_LOG, CALL_OPEN, out, sizeof(out));
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	st = sandbox_child(SANDBOX_OFF, CALL_OPEN, out, sizeof(out));
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static CU_TestInfo sandbox_tests[] = {
	{ "modes: parse, names, default", test_modes },
#ifndef VIFD_SANITIZED_BUILD
	/* Not with sanitizers: their runtimes make calls of their own (the
	 * leak check at exit starts a tracer), which is why such a build
	 * runs the log mode (sandbox.h); the plain build runs these. */
	{ "kill: SIGSYS after a line naming the call", test_kill },
	{ "socket(2) refused with EACCES, not killed", test_socket_refused },
#endif
	{ "log and off let the call through", test_log_and_off },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "sandbox", NULL, NULL, NULL, NULL, sandbox_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
