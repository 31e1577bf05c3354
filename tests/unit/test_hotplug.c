/*
 * test_hotplug.c - the hotplug runner: the pure path/argv/envp builders
 * exactly, then real runs of throwaway scripts on a real struct loop:
 * exit codes, the exact environment, the timeout killing a whole process
 * group, capped output from a flood, scripts that cannot run, and cancel.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cu_tap.h"
#include "ctrl/hotplug.h"
#include "ctrl/xldevd.h"
#include "util/log.h"
#include "util/loop.h"

/* ---- the pure part ---------------------------------------------------- */

static void
test_action_names(void)
{
	CU_ASSERT_STRING_EQUAL(hotplug_action_name(HOTPLUG_ONLINE), "online");
	CU_ASSERT_STRING_EQUAL(hotplug_action_name(HOTPLUG_OFFLINE),
	    "offline");
	CU_ASSERT_STRING_EQUAL(hotplug_action_name(HOTPLUG_ADD), "add");
	CU_ASSERT_STRING_EQUAL(hotplug_action_name(HOTPLUG_REMOVE), "remove");
	CU_ASSERT_STRING_EQUAL(hotplug_action_name((enum hotplug_action)42),
	    "?");
}

static void
test_resolve_accept(void)
{
	char out[PATH_MAX], why[256];

	CU_ASSERT_EQUAL(hotplug_resolve_script(NULL, "/lib/vifd", out,
	    sizeof(out), why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/lib/vifd/vif-bridge");
	CU_ASSERT_EQUAL(hotplug_resolve_script("", "/lib/vifd/", out,
	    sizeof(out), why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/lib/vifd/vif-bridge");
	CU_ASSERT_EQUAL(hotplug_resolve_script("vif-route", "/s", out,
	    sizeof(out), why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/s/vif-route");
	CU_ASSERT_EQUAL(hotplug_resolve_script("sub/my-vif", "/s", out,
	    sizeof(out), why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/s/sub/my-vif");
	/* Names that merely contain dots are not "..". */
	CU_ASSERT_EQUAL(hotplug_resolve_script("..vif", "/s", out,
	    sizeof(out), why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/s/..vif");
	CU_ASSERT_EQUAL(hotplug_resolve_script("a../vif..", "/s", out,
	    sizeof(out), why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/s/a../vif..");
	CU_ASSERT_EQUAL(hotplug_resolve_script("./vif-nat", "/s", out,
	    sizeof(out), why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/s/./vif-nat");
	/* Absolute names (what libxl writes) are taken as they are, even
	 * with a relative or no script directory. */
	CU_ASSERT_EQUAL(hotplug_resolve_script("/etc/xen/scripts/vif-bridge",
	    "/s", out, sizeof(out), why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/etc/xen/scripts/vif-bridge");
	CU_ASSERT_EQUAL(hotplug_resolve_script("/x/../y", "relative", out,
	    sizeof(out), why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/x/../y");
	/* NULL directory: the configured one. */
	CU_ASSERT_EQUAL(hotplug_resolve_script("vif-bridge", NULL, out,
	    sizeof(out), why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(out, VIFD_HOTPLUG_DIR "/vif-bridge");
}

static void
test_resolve_reject(void)
{
	static const char *const escapes[] = {
		"..", "../vif-bridge", "../../bin/sh", "a/../../x", "a/..",
		"sub/../vif-bridge", "./../x", "a//../b",
	};
	char out[PATH_MAX], why[256];
	char *big;
	size_t i;

	for (i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		why[0] = '\0';
		CU_ASSERT_EQUAL(hotplug_resolve_script(escapes[i], "/s", out,
		    sizeof(out), why, sizeof(why)), -EPERM);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "leaves the script "
		    "directory"));
	}
	CU_ASSERT_EQUAL(hotplug_resolve_script("vif-bridge", "rel/dir", out,
	    sizeof(out), why, sizeof(why)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "not an absolute path"));
	CU_ASSERT_EQUAL(hotplug_resolve_script("vif\nbridge", "/s", out,
	    sizeof(out), why, sizeof(why)), -EINVAL);
	CU_ASSERT_EQUAL(hotplug_resolve_script("/bin/x\x7f", "/s", out,
	    sizeof(out), why, sizeof(why)), -EINVAL);
	/* Too long for the buffer, and too long for any buffer. */
	CU_ASSERT_EQUAL(hotplug_resolve_script("vif-bridge", "/s", out, 8,
	    why, sizeof(why)), -ENAMETOOLONG);
	big = malloc(PATH_MAX + 10);
	CU_ASSERT_FATAL(big != NULL);
	memset(big, 'a', PATH_MAX + 9);
	big[PATH_MAX + 9] = '\0';
	CU_ASSERT_EQUAL(hotplug_resolve_script(big, "/s", out, sizeof(out),
	    why, sizeof(why)), -ENAMETOOLONG);
	big[0] = '/';
	CU_ASSERT_EQUAL(hotplug_resolve_script(big, "/s", out, sizeof(out),
	    NULL, 0), -ENAMETOOLONG);
	free(big);
}

/* Checks a NULL-terminated vector against an expected list, in order. */
static void
check_vec(char *const *got, const char *const *want, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(got[i]);
		if (strcmp(got[i], want[i]) != 0) {
			printf("# [%zu] got '%s', want '%s'\n", i, got[i],
			    want[i]);
			CU_FAIL("vector entry differs");
		}
	}
	CU_ASSERT_PTR_NULL(got[n]);
}

static void
test_build_online(void)
{
	static const char *const argv[] = {
		"/s/vif-bridge", "online", "type_if=vif",
	};
	static const char *const envp[] = {
		"script=/s/vif-bridge",
		"XENBUS_TYPE=vif",
		"XENBUS_PATH=backend/vif/7/1",
		"XENBUS_BASE_PATH=backend",
		"netdev=",
		"vif=vif7.1",
		"PATH=" HOTPLUG_PATH,
		"LANG=POSIX",
	};
	struct hotplug_req req = {
		.action = HOTPLUG_ONLINE,
		.script = NULL,
		.script_dir = "/s",
		.domid = 7,
		.devid = 1,
		.vif = "vif7.1",
	};
	static struct hotplug_cmd cmd;
	char why[256];

	/* Whatever vifd's own environment holds must not leak. */
	setenv("LEAK_ME", "1", 1);
	setenv("XENSTORED_PATH", "/leak/socket", 1);
	CU_ASSERT_EQUAL_FATAL(hotplug_build_cmd(&req, &cmd, why, sizeof(why)),
	    0);
	CU_ASSERT_STRING_EQUAL(cmd.path, "/s/vif-bridge");
	check_vec(cmd.argv, argv, 3);
	check_vec(cmd.envp, envp, 8);
	unsetenv("LEAK_ME");
	unsetenv("XENSTORED_PATH");
}

static void
test_build_offline_full(void)
{
	static const char *const argv[] = {
		"/etc/xen/scripts/vif-route", "offline", "type_if=vif",
	};
	static const char *const envp[] = {
		"script=/etc/xen/scripts/vif-route",
		"XENBUS_TYPE=vif",
		"XENBUS_PATH=/local/domain/3/backend/vif/12/0",
		"XENBUS_BASE_PATH=backend",
		"netdev=eth1",
		"vif=web0",
		"PATH=" HOTPLUG_PATH,
		"LANG=POSIX",
		"XENSTORED_PATH=/tmp/sim/xenstored.sock",
	};
	struct hotplug_req req = {
		.action = HOTPLUG_OFFLINE,
		.script = "/etc/xen/scripts/vif-route",
		.script_dir = "/s",
		.domid = 12,
		.devid = 0,
		.backend_path = "/local/domain/3/backend/vif/12/0",
		.vif = "web0",
		.interface = "ignored-here",
		.netdev = "eth1",
		.xenstored_path = "/tmp/sim/xenstored.sock",
	};
	static struct hotplug_cmd cmd;
	char why[256];

	CU_ASSERT_EQUAL_FATAL(hotplug_build_cmd(&req, &cmd, why, sizeof(why)),
	    0);
	check_vec(cmd.argv, argv, 3);
	check_vec(cmd.envp, envp, 9);
}

static void
test_build_tap(void)
{
	static const char *const argv[] = {
		"/s/vif-bridge", "remove", "type_if=tap",
	};
	static const char *const envp[] = {
		"script=/s/vif-bridge",
		"XENBUS_TYPE=vif",
		"XENBUS_PATH=backend/vif/4/2",
		"XENBUS_BASE_PATH=backend",
		"netdev=",
		"INTERFACE=vif4.2-emu",
		"vif=vif4.2",
		"PATH=" HOTPLUG_PATH,
		"LANG=POSIX",
	};
	struct hotplug_req req = {
		.action = HOTPLUG_REMOVE,
		.script = "vif-bridge",
		.script_dir = "/s",
		.domid = 4,
		.devid = 2,
		.vif = "vif4.2",
		.interface = "vif4.2-emu",
	};
	static struct hotplug_cmd cmd;
	char why[256];

	CU_ASSERT_EQUAL_FATAL(hotplug_build_cmd(&req, &cmd, why, sizeof(why)),
	    0);
	check_vec(cmd.argv, argv, 3);
	check_vec(cmd.envp, envp, 9);
	req.action = HOTPLUG_ADD;
	CU_ASSERT_EQUAL_FATAL(hotplug_build_cmd(&req, &cmd, why, sizeof(why)),
	    0);
	CU_ASSERT_STRING_EQUAL(cmd.argv[1], "add");
}

static void
test_build_reject(void)
{
	static const char *const bad_names[] = {
		"", "vif1.0-name-too-long", "a/b", "a b", "a:b", ".", "..",
		"tab\tx",
	};
	struct hotplug_req req = {
		.action = HOTPLUG_ONLINE,
		.script_dir = "/s",
		.vif = "vif1.0",
	};
	static struct hotplug_cmd cmd;
	char why[256];
	char *big;
	size_t i;

	req.vif = NULL;
	CU_ASSERT_EQUAL(hotplug_build_cmd(&req, &cmd, why, sizeof(why)),
	    -EINVAL);
	for (i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		req.vif = bad_names[i];
		CU_ASSERT_EQUAL(hotplug_build_cmd(&req, &cmd, why,
		    sizeof(why)), -EINVAL);
	}
	/* 15 characters is the longest Linux name: accepted. */
	req.vif = "abcdefghijklmno";
	CU_ASSERT_EQUAL(hotplug_build_cmd(&req, &cmd, why, sizeof(why)), 0);
	req.vif = "vif1.0";
	req.action = HOTPLUG_ADD;	/* without an interface */
	CU_ASSERT_EQUAL(hotplug_build_cmd(&req, &cmd, why, sizeof(why)),
	    -EINVAL);
	req.action = (enum hotplug_action)99;
	CU_ASSERT_EQUAL(hotplug_build_cmd(&req, &cmd, why, sizeof(why)),
	    -EINVAL);
	req.action = HOTPLUG_ONLINE;
	req.netdev = "eth0\nPATH=/tmp";
	CU_ASSERT_EQUAL(hotplug_build_cmd(&req, &cmd, why, sizeof(why)),
	    -EINVAL);
	req.netdev = NULL;
	req.backend_path = "";
	CU_ASSERT_EQUAL(hotplug_build_cmd(&req, &cmd, why, sizeof(why)),
	    -EINVAL);
	req.backend_path = NULL;
	req.script = "../../bin/sh";
	CU_ASSERT_EQUAL(hotplug_build_cmd(&req, &cmd, why, sizeof(why)),
	    -EPERM);
	req.script = NULL;
	/* Absurdly long values do not overflow the buffer. */
	big = malloc(3 * PATH_MAX);
	CU_ASSERT_FATAL(big != NULL);
	memset(big, 'n', 3 * PATH_MAX - 1);
	big[3 * PATH_MAX - 1] = '\0';
	req.netdev = big;
	req.backend_path = big;
	CU_ASSERT_EQUAL(hotplug_build_cmd(&req, &cmd, why, sizeof(why)),
	    -E2BIG);
	free(big);
}

static void
test_parse_timeout(void)
{
	unsigned int ms = 0;

	CU_ASSERT_EQUAL(hotplug_parse_timeout("40", &ms), 0);
	CU_ASSERT_EQUAL(ms, 40000);
	CU_ASSERT_EQUAL(hotplug_parse_timeout("1", &ms), 0);
	CU_ASSERT_EQUAL(ms, 1000);
	CU_ASSERT_EQUAL(hotplug_parse_timeout("3600", &ms), 0);
	CU_ASSERT_EQUAL(ms, 3600000);
	CU_ASSERT_EQUAL(hotplug_parse_timeout("0", &ms), -EINVAL);
	CU_ASSERT_EQUAL(hotplug_parse_timeout("3601", &ms), -EINVAL);
	CU_ASSERT_EQUAL(hotplug_parse_timeout("-1", &ms), -EINVAL);
	CU_ASSERT_EQUAL(hotplug_parse_timeout("10s", &ms), -EINVAL);
	CU_ASSERT_EQUAL(hotplug_parse_timeout("", &ms), -EINVAL);
	CU_ASSERT_EQUAL(hotplug_parse_timeout(NULL, &ms), -EINVAL);
	CU_ASSERT_EQUAL(hotplug_parse_timeout("99999999999999999999", &ms),
	    -EINVAL);
}

/* ---- running scripts -------------------------------------------------- */

static char tdir[64];

struct done_rec {
	int calls;
	struct hotplug_result res;
};

static void
done_cb(void *arg, const struct hotplug_result *res)
{
	struct done_rec *d = arg;

	d->calls++;
	d->res = *res;
}

/* Writes an executable script `name` with `body` after a #!/bin/sh line. */
static void
write_script(const char *name, mode_t mode, const char *body)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tdir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	CU_ASSERT_EQUAL(chmod(path, mode), 0);
}

static struct hotplug_req
mkreq(const char *script)
{
	struct hotplug_req req = {
		.action = HOTPLUG_ONLINE,
		.script = script,
		.script_dir = tdir,
		.domid = 5,
		.devid = 0,
		.vif = "vif5.0",
	};

	return req;
}

/* Runs the loop until *flag != 0; false after `secs` seconds. */
static bool
run_until(struct loop *l, const int *flag, unsigned int secs)
{
	uint64_t end = loop_now_ns() + (uint64_t)secs * 1000000000u;

	while (*flag == 0) {
		if (loop_now_ns() > end)
			return false;
		if (loop_run_once(l, 100) < 0)
			return false;
	}
	return true;
}

/* Runs one script to completion and returns its result in *d. */
static void
run_one(const struct hotplug_req *req, struct done_rec *d)
{
	struct hotplug_run *run = NULL;
	struct loop l;

	memset(d, 0, sizeof(*d));
	CU_ASSERT_EQUAL_FATAL(loop_open(&l), 0);
	CU_ASSERT_EQUAL_FATAL(hotplug_run(&l, req, done_cb, d, &run), 0);
	CU_ASSERT_PTR_NOT_NULL(run);
	/* Never from inside hotplug_run. */
	CU_ASSERT_EQUAL(d->calls, 0);
	CU_ASSERT(run_until(&l, &d->calls, 30));
	CU_ASSERT_EQUAL(d->calls, 1);
	/* Nothing is left registered with the loop. */
	CU_ASSERT_EQUAL(loop_run_once(&l, 0), 0);
	loop_close(&l);
}

static char *
slurp(const char *path, size_t *len)
{
	static char buf[1 << 20];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

/*
 * Waits up to `secs` seconds for `pid`, a background child of a script, to
 * be gone. As the subreaper we may inherit it and reap it (then it must
 * have died of SIGKILL), or the script's shell reaped it before dying
 * itself (then it simply no longer exists). False if it is still alive.
 */
static bool
gone_within(pid_t pid, unsigned int secs)
{
	uint64_t end = loop_now_ns() + (uint64_t)secs * 1000000000u;
	int st;

	while (loop_now_ns() < end) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
		if (r < 0 && kill(pid, 0) < 0 && errno == ESRCH)
			return true;
		usleep(10000);
	}
	return false;
}

static pid_t
read_pid(const char *name)
{
	char path[256];
	char *s;

	snprintf(path, sizeof(path), "%s/%s", tdir, name);
	s = slurp(path, NULL);
	return s != NULL ? (pid_t)atoi(s) : -1;
}

/* Redirects our stderr (where log.c writes) into a file while it runs. */
struct capture {
	int saved;
	char path[256];
};

static void
capture_start(struct capture *c)
{
	int fd;

	snprintf(c->path, sizeof(c->path), "%s/stderr.log", tdir);
	fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	c->saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
}

static void
capture_stop(struct capture *c)
{
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
}

static int
suite_init(void)
{
	snprintf(tdir, sizeof(tdir), "/tmp/test_hotplug.XXXXXX");
	if (mkdtemp(tdir) == NULL)
		return -1;
	/* Orphaned grandchildren of the scripts become our children, so the
	 * tests can check how they died. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return -1;
	return 0;
}

static int
suite_clean(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_exit_codes(void)
{
	struct hotplug_req req;
	struct done_rec d;

	write_script("ok", 0755, "echo hello");
	write_script("fails", 0755, "echo 'it went wrong' >&2; exit 3");
	req = mkreq("ok");
	run_one(&req, &d);
	CU_ASSERT_EQUAL(d.res.outcome, HOTPLUG_EXITED);
	CU_ASSERT_EQUAL(d.res.status, 0);
	CU_ASSERT(hotplug_result_ok(&d.res));
	CU_ASSERT_EQUAL(d.res.output_bytes, 6);
	CU_ASSERT_EQUAL(d.res.dropped_bytes, 0);

	req = mkreq("fails");
	run_one(&req, &d);
	CU_ASSERT_EQUAL(d.res.outcome, HOTPLUG_EXITED);
	CU_ASSERT_EQUAL(d.res.status, 3);
	CU_ASSERT(!hotplug_result_ok(&d.res));
	CU_ASSERT_PTR_NOT_NULL(strstr(d.res.reason, "exited with status 3"));
	CU_ASSERT_PTR_NOT_NULL(strstr(d.res.reason, "/fails online"));
	/* stderr goes to the log as well. */
	CU_ASSERT_EQUAL(d.res.output_bytes, strlen("it went wrong\n"));

	/* Killed by a signal that was not ours. */
	write_script("selfkill", 0755, "kill -USR1 $$");
	req = mkreq("selfkill");
	run_one(&req, &d);
	CU_ASSERT_EQUAL(d.res.outcome, HOTPLUG_SIGNALED);
	CU_ASSERT_EQUAL(d.res.status, SIGUSR1);
	CU_ASSERT_PTR_NOT_NULL(strstr(d.res.reason, "SIGUSR1"));
}

static void
test_output_logged(void)
{
	struct hotplug_req req;
	struct done_rec d;
	struct capture c = { 0 };
	char *log;

	write_script("talk", 0755,
	    "echo 'first line'; printf 'esc\\033[31m\\ttab\\n' >&2; "
	    "printf 'no newline at end'");
	req = mkreq("talk");
	capture_start(&c);
	run_one(&req, &d);
	capture_stop(&c);
	CU_ASSERT(hotplug_result_ok(&d.res));
	log = slurp(c.path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "vif5.0: hotplug online: "
	    "first line\n"));
	/* Control bytes are neutralised, tabs become spaces. */
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "vif5.0: hotplug online: "
	    "esc?[31m tab\n"));
	/* A last line without a newline is not lost. */
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "vif5.0: hotplug online: "
	    "no newline at end\n"));
}

static void
test_environment(void)
{
	static const char *const want[] = {
		"script=%s/envdump", "XENBUS_TYPE=vif",
		"XENBUS_PATH=backend/vif/5/0", "XENBUS_BASE_PATH=backend",
		"netdev=eth9", "vif=vif5.0", "PATH=" HOTPLUG_PATH,
		"LANG=POSIX", "XENSTORED_PATH=/run/sim/socket",
	};
	struct hotplug_req req;
	struct done_rec d;
	struct sigaction sa, old_pipe;
	sigset_t block, old_mask;
	char body[1024], path[256], expect[1024];
	char *got;
	size_t len, i, off = 0;

	snprintf(body, sizeof(body),
	    "cat /proc/$$/environ > %s/env.out\n"
	    "grep -E '^Sig(Blk|Ign)' /proc/self/status > %s/sig.out\n"
	    "ls /proc/$$/fd > %s/fd.out\n"
	    "pwd > %s/cwd.out\n"
	    "echo \"$0|$1|$2|$3\" > %s/args.out\n"
	    "read x && echo \"stdin: $x\" > %s/stdin.out || true",
	    tdir, tdir, tdir, tdir, tdir, tdir);
	write_script("envdump", 0755, body);
	req = mkreq("envdump");
	req.netdev = "eth9";
	req.xenstored_path = "/run/sim/socket";

	/* What vifd does to itself, and must not pass on: signals blocked
	 * for its signalfd, SIGPIPE ignored, an fd without CLOEXEC, extra
	 * environment. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, &old_pipe);
	CU_ASSERT_EQUAL(dup2(STDIN_FILENO, 77), 77);
	setenv("LEAK_ME", "1", 1);

	run_one(&req, &d);

	unsetenv("LEAK_ME");
	close(77);
	sigaction(SIGPIPE, &old_pipe, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	CU_ASSERT(hotplug_result_ok(&d.res));

	/* Exactly this environment, in this order. */
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int n = snprintf(expect + off, sizeof(expect) - off, want[i],
		    tdir);

		CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof(expect) - off);
		/* Keep the NUL: /proc/PID/environ separates with NULs. */
		off += (size_t)n + 1;
	}
	snprintf(path, sizeof(path), "%s/env.out", tdir);
	got = slurp(path, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_EQUAL(len, off);
	CU_ASSERT(len == off && memcmp(got, expect, off) == 0);

	snprintf(path, sizeof(path), "%s/sig.out", tdir);
	got = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	/* Nothing blocked; none of the classic signals (1-31, SIGPIPE among
	 * them) ignored. glibc's posix_spawn leaves its two internal
	 * real-time signals (32, 33) ignored, which no script uses. */
	{
		unsigned long long blk = ~0ull, ign = ~0ull;

		CU_ASSERT_EQUAL(sscanf(got, "SigBlk: %llx SigIgn: %llx", &blk,
		    &ign), 2);
		if (blk != 0 || (ign & 0x7fffffffull) != 0) {
			printf("# signals: %s", got);
			CU_FAIL("the script inherited blocked or ignored "
			    "signals");
		}
	}

	snprintf(path, sizeof(path), "%s/fd.out", tdir);
	got = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_PTR_NULL(strstr(got, "77\n"));
	CU_ASSERT(strncmp(got, "0\n1\n", 4) == 0 && strstr(got, "\n2\n"));

	snprintf(path, sizeof(path), "%s/cwd.out", tdir);
	got = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, "/\n");

	snprintf(path, sizeof(path), "%s/args.out", tdir);
	got = slurp(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	snprintf(expect, sizeof(expect), "%s/envdump|online|type_if=vif|\n",
	    tdir);
	CU_ASSERT_STRING_EQUAL(got, expect);

	/* stdin is /dev/null: read gets end of file at once. */
	snprintf(path, sizeof(path), "%s/stdin.out", tdir);
	CU_ASSERT_PTR_NULL(slurp(path, NULL));
}

static void
test_timeout_kills_group(void)
{
	struct hotplug_req req;
	struct done_rec d;
	char body[256];
	pid_t bg;

	snprintf(body, sizeof(body), "sleep 1000 &\necho $! > %s/bg.pid\n"
	    "echo waiting\nsleep 1000", tdir);
	write_script("hang", 0755, body);
	req = mkreq("hang");
	req.timeout_ms = 1000;
	run_one(&req, &d);
	CU_ASSERT_EQUAL(d.res.outcome, HOTPLUG_TIMEDOUT);
	CU_ASSERT_EQUAL(d.res.status, SIGKILL);
	CU_ASSERT(!hotplug_result_ok(&d.res));
	CU_ASSERT_PTR_NOT_NULL(strstr(d.res.reason, "timeout"));
	CU_ASSERT(d.res.elapsed_ms >= 1000);
	CU_ASSERT_EQUAL(d.res.output_bytes, strlen("waiting\n"));
	/* The script's background child went with it. */
	bg = read_pid("bg.pid");
	CU_ASSERT_FATAL(bg > 0);
	CU_ASSERT(gone_within(bg, 10));
}

static int
count_lines(const char *log, const char *prefix, size_t *longest)
{
	const char *p = log;
	int n = 0;

	*longest = 0;
	while ((p = strstr(p, prefix)) != NULL) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) - strlen(prefix) :
		    strlen(p);

		if (len > *longest)
			*longest = len;
		n++;
		p += strlen(prefix);
	}
	return n;
}

static void
test_flood_capped(void)
{
	struct hotplug_req req_flood, req_quick;
	struct hotplug_run *r1 = NULL, *r2 = NULL;
	struct done_rec flood = { 0 }, quick = { 0 }, longline = { 0 };
	struct capture c = { 0 };
	struct loop l;
	size_t longest;
	char *log;
	int lines;

	/* 3 MB of short lines, then exit 4; and one 200 KB line. */
	write_script("flood", 0755,
	    "yes 'some hotplug output' | head -c 3000000; exit 4");
	write_script("longline", 0755,
	    "head -c 200000 /dev/zero | tr '\\0' y");
	write_script("quick", 0755, "exit 0");
	req_flood = mkreq("flood");
	req_quick = mkreq("quick");
	req_quick.vif = "vif6.0";

	CU_ASSERT_EQUAL_FATAL(loop_open(&l), 0);
	capture_start(&c);
	CU_ASSERT_EQUAL(hotplug_run(&l, &req_flood, done_cb, &flood, &r1), 0);
	CU_ASSERT_EQUAL(hotplug_run(&l, &req_quick, done_cb, &quick, &r2), 0);
	CU_ASSERT(run_until(&l, &flood.calls, 60));
	CU_ASSERT(run_until(&l, &quick.calls, 60));
	capture_stop(&c);
	loop_close(&l);

	/* Everything was read (the script never blocked), little logged. */
	CU_ASSERT_EQUAL(flood.res.outcome, HOTPLUG_EXITED);
	CU_ASSERT_EQUAL(flood.res.status, 4);
	CU_ASSERT_EQUAL(flood.res.output_bytes, 3000000);
	CU_ASSERT(flood.res.dropped_bytes >= 3000000 - HOTPLUG_LOG_MAX_BYTES);
	CU_ASSERT(hotplug_result_ok(&quick.res));
	log = slurp(c.path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	lines = count_lines(log, "vif5.0: hotplug online: some hotplug "
	    "output\n", &longest);
	CU_ASSERT(lines > 0 && lines <= (int)HOTPLUG_LOG_MAX_LINES);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "bytes of output not logged"));

	/* A line longer than HOTPLUG_LINE_MAX is split, and capped too. */
	req_flood = mkreq("longline");
	capture_start(&c);
	run_one(&req_flood, &longline);
	capture_stop(&c);
	CU_ASSERT(hotplug_result_ok(&longline.res));
	CU_ASSERT_EQUAL(longline.res.output_bytes, 200000);
	CU_ASSERT_EQUAL(longline.res.dropped_bytes, 200000 -
	    (HOTPLUG_LOG_MAX_BYTES / (HOTPLUG_LINE_MAX - 1)) *
	    (HOTPLUG_LINE_MAX - 1));
	log = slurp(c.path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	lines = count_lines(log, "vif5.0: hotplug online: ", &longest);
	CU_ASSERT_EQUAL(longest, HOTPLUG_LINE_MAX - 1);
	CU_ASSERT(lines >= (int)(HOTPLUG_LOG_MAX_BYTES / HOTPLUG_LINE_MAX));
}

/* A script that exits leaving background processes that hold its output
 * pipe open (one silent, one writing without end) is done when it exits. */
static void
test_background_leftovers(void)
{
	struct hotplug_req req;
	struct done_rec d;
	char body[512];
	pid_t quiet, spam;

	snprintf(body, sizeof(body),
	    "sleep 1000 &\necho $! > %s/quiet.pid\n"
	    "(while :; do echo spam; done) &\necho $! > %s/spam.pid\n"
	    "sleep 0.2\nexit 0", tdir, tdir);
	write_script("leftovers", 0755, body);
	req = mkreq("leftovers");
	req.timeout_ms = 20000;
	run_one(&req, &d);
	CU_ASSERT(hotplug_result_ok(&d.res));
	/* Everything written while it ran, and the drain after, was read. */
	CU_ASSERT(d.res.output_bytes > 0);
	quiet = read_pid("quiet.pid");
	spam = read_pid("spam.pid");
	CU_ASSERT(quiet > 0 && spam > 0);
	/* With the pipe closed, the writer dies of SIGPIPE (the script got
	 * the default disposition); the silent one is left alone. */
	if (spam > 0) {
		uint64_t end = loop_now_ns() + 10000000000u;
		int st = 0;
		pid_t r;

		while ((r = waitpid(spam, &st, WNOHANG)) == 0 &&
		    loop_now_ns() < end)
			usleep(10000);
		CU_ASSERT(r == spam && WIFSIGNALED(st) &&
		    WTERMSIG(st) == SIGPIPE);
	}
	if (quiet > 0) {
		CU_ASSERT_EQUAL(kill(quiet, 0), 0);
		kill(quiet, SIGKILL);
		CU_ASSERT(gone_within(quiet, 10));
	}
}

static void
check_not_run(const char *script, int err, const char *why)
{
	struct hotplug_req req = mkreq(script);
	struct done_rec d;

	run_one(&req, &d);
	CU_ASSERT_EQUAL(d.res.outcome, HOTPLUG_NOT_RUN);
	CU_ASSERT_EQUAL(d.res.err, err);
	CU_ASSERT(!hotplug_result_ok(&d.res));
	if (strstr(d.res.reason, why) == NULL) {
		printf("# reason '%s' lacks '%s'\n", d.res.reason, why);
		CU_FAIL("unclear reason");
	}
}

static void
test_cannot_run(void)
{
	char path[256];
	FILE *f;

	check_not_run("missing", ENOENT, "does not exist");
	write_script("noexec", 0644, "exit 0");
	check_not_run("noexec", EACCES, "not executable");
	snprintf(path, sizeof(path), "%s/adir", tdir);
	CU_ASSERT_EQUAL(mkdir(path, 0755), 0);
	check_not_run("adir", EACCES, "not a regular file");
	check_not_run("../../bin/true", EPERM, "leaves the script directory");
	/* Executable, but not something the kernel can exec. */
	snprintf(path, sizeof(path), "%s/noshebang", tdir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("exit 0\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(chmod(path, 0755), 0);
	check_not_run("noshebang", ENOEXEC, "no #! line");
	/* An interpreter that does not exist. */
	snprintf(path, sizeof(path), "%s/badinterp", tdir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("#!/nonexistent/sh\nexit 0\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(chmod(path, 0755), 0);
	check_not_run("badinterp", ENOENT, "cannot execute");
}

static void
test_bad_request(void)
{
	struct hotplug_req req = mkreq("ok");
	struct hotplug_run *run = NULL;
	struct done_rec d = { 0 };
	struct loop l;

	CU_ASSERT_EQUAL_FATAL(loop_open(&l), 0);
	req.vif = NULL;
	CU_ASSERT_EQUAL(hotplug_run(&l, &req, done_cb, &d, &run), -EINVAL);
	req.vif = "has space";
	CU_ASSERT_EQUAL(hotplug_run(&l, &req, done_cb, &d, &run), -EINVAL);
	req.vif = "vif5.0";
	CU_ASSERT_EQUAL(hotplug_run(&l, &req, NULL, &d, &run), -EINVAL);
	CU_ASSERT_EQUAL(hotplug_run(NULL, &req, done_cb, &d, &run), -EINVAL);
	CU_ASSERT_PTR_NULL(run);
	/* Nothing was registered, nothing gets called. */
	CU_ASSERT_EQUAL(loop_run_once(&l, 50), 0);
	CU_ASSERT_EQUAL(d.calls, 0);
	loop_close(&l);
}

static void
test_cancel_running(void)
{
	struct hotplug_req req;
	struct hotplug_run *run = NULL;
	struct done_rec d = { 0 };
	struct loop l;
	char body[256], path[256];
	struct stat st;
	uint64_t end;
	pid_t pid, bg;
	int ws;

	snprintf(body, sizeof(body), "sleep 1000 &\necho $! > %s/cbg.pid\n"
	    "touch %s/started\nsleep 1000", tdir, tdir);
	write_script("cancelme", 0755, body);
	snprintf(path, sizeof(path), "%s/started", tdir);
	req = mkreq("cancelme");
	CU_ASSERT_EQUAL_FATAL(loop_open(&l), 0);
	CU_ASSERT_EQUAL_FATAL(hotplug_run(&l, &req, done_cb, &d, &run), 0);
	pid = hotplug_run_pid(run);
	CU_ASSERT(pid > 0);
	/* Let it get going. */
	end = loop_now_ns() + 10000000000u;
	while (stat(path, &st) < 0 && loop_now_ns() < end)
		loop_run_once(&l, 20);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	bg = read_pid("cbg.pid");
	CU_ASSERT(bg > 0);

	hotplug_cancel(run);
	/* Run the loop until the cancelled run is reaped. */
	end = loop_now_ns() + 10000000000u;
	while (hotplug_orphans() > 0 && loop_now_ns() < end)
		loop_run_once(&l, 50);
	CU_ASSERT_EQUAL(hotplug_orphans(), 0);
	CU_ASSERT_EQUAL(loop_run_once(&l, 100), 0);
	CU_ASSERT_EQUAL(d.calls, 0);
	/* The runner reaped the script: it is not ours to wait for. */
	CU_ASSERT_EQUAL(waitpid(pid, &ws, WNOHANG), -1);
	CU_ASSERT_EQUAL(errno, ECHILD);
	/* ... and its background child was killed with it. */
	if (bg > 0) {
		CU_ASSERT(gone_within(bg, 10));
	}
	loop_close(&l);
}

static void
test_cancel_not_run(void)
{
	struct hotplug_req req = mkreq("missing-too");
	struct hotplug_run *run = NULL;
	struct done_rec d = { 0 };
	struct loop l;
	int i;

	CU_ASSERT_EQUAL_FATAL(loop_open(&l), 0);
	CU_ASSERT_EQUAL_FATAL(hotplug_run(&l, &req, done_cb, &d, &run), 0);
	CU_ASSERT_EQUAL(hotplug_run_pid(run), -1);
	hotplug_cancel(run);
	hotplug_cancel(NULL);
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(loop_run_once(&l, 20), 0);
	CU_ASSERT_EQUAL(d.calls, 0);
	CU_ASSERT_EQUAL(hotplug_orphans(), 0);
	loop_close(&l);
}

#define NRUNS 24

struct chain {
	struct loop *l;
	int calls;
	int chained;
	struct done_rec second;
};

static void
chain_cb(void *arg, const struct hotplug_result *res)
{
	struct chain *c = arg;
	struct hotplug_req req = mkreq("exit2");
	struct hotplug_run *run;

	(void)res;
	c->calls++;
	/* Starting the next run from a completion is allowed. */
	if (hotplug_run(c->l, &req, done_cb, &c->second, &run) == 0)
		c->chained = 1;
}

static void
test_many_concurrent(void)
{
	struct hotplug_run *runs[NRUNS];
	struct done_rec d[NRUNS];
	struct hotplug_req req;
	struct chain ch = { 0 };
	struct hotplug_run *crun;
	char vif[NRUNS][IFNAMSIZ];
	struct loop l;
	int i, total;
	uint64_t end;

	write_script("exit0", 0755, "sleep 0.2; exit 0");
	write_script("exit1", 0755, "echo one; sleep 0.1; exit 1");
	write_script("exit2", 0755, "exit 2");
	memset(d, 0, sizeof(d));
	CU_ASSERT_EQUAL_FATAL(loop_open(&l), 0);
	for (i = 0; i < NRUNS; i++) {
		static const char *const names[] = { "exit0", "exit1", "exit2",
		    "missing" };

		req = mkreq(names[i % 4]);
		snprintf(vif[i], sizeof(vif[i]), "vif%d.0", i);
		req.vif = vif[i];
		req.domid = (uint32_t)i;
		CU_ASSERT_EQUAL_FATAL(hotplug_run(&l, &req, done_cb, &d[i],
		    &runs[i]), 0);
	}
	ch.l = &l;
	req = mkreq("exit0");
	CU_ASSERT_EQUAL_FATAL(hotplug_run(&l, &req, chain_cb, &ch, &crun), 0);
	/* Cancel two of them halfway. */
	hotplug_cancel(runs[0]);
	hotplug_cancel(runs[3]);
	end = loop_now_ns() + 30000000000u;
	do {
		loop_run_once(&l, 100);
		for (total = 0, i = 0; i < NRUNS; i++)
			total += d[i].calls;
	} while ((total < NRUNS - 2 || ch.second.calls == 0 ||
	    hotplug_orphans() > 0) && loop_now_ns() < end);
	for (i = 0; i < NRUNS; i++) {
		if (i == 0 || i == 3) {
			CU_ASSERT_EQUAL(d[i].calls, 0);
			continue;
		}
		CU_ASSERT_EQUAL(d[i].calls, 1);
		switch (i % 4) {
		case 0:
		case 1:
		case 2:
			CU_ASSERT_EQUAL(d[i].res.outcome, HOTPLUG_EXITED);
			CU_ASSERT_EQUAL(d[i].res.status, i % 4);
			break;
		default:
			CU_ASSERT_EQUAL(d[i].res.outcome, HOTPLUG_NOT_RUN);
			CU_ASSERT_EQUAL(d[i].res.err, ENOENT);
		}
	}
	CU_ASSERT_EQUAL(ch.calls, 1);
	CU_ASSERT_EQUAL(ch.chained, 1);
	CU_ASSERT_EQUAL(ch.second.calls, 1);
	CU_ASSERT_EQUAL(ch.second.res.status, 2);
	CU_ASSERT_EQUAL(hotplug_orphans(), 0);
	CU_ASSERT_EQUAL(loop_run_once(&l, 0), 0);
	loop_close(&l);
}

static CU_TestInfo build_tests[] = {
	{ "action names", test_action_names },
	{ "resolve: accepted names", test_resolve_accept },
	{ "resolve: rejected names", test_resolve_reject },
	{ "online: exact argv and envp", test_build_online },
	{ "offline: netdev, XENSTORED_PATH, absolute paths",
	    test_build_offline_full },
	{ "add/remove: type_if=tap and INTERFACE", test_build_tap },
	{ "malformed requests", test_build_reject },
	{ "timeout option", test_parse_timeout },
	CU_TEST_INFO_NULL,
};

/* ---- is xl devd running (xldevd.c) ------------------------------------ */

#define XL_ARGV(s) (s), sizeof(s) - 1	/* a cmdline's bytes, NULs and all */

static void
test_xldevd_cmdline(void)
{
	CU_ASSERT_TRUE(xldevd_cmdline_match(XL_ARGV(
	    "/usr/lib/xen-4.17/bin/xl\0devd\0--pidfile=/run/xldevd.pid\0")));
	CU_ASSERT_TRUE(xldevd_cmdline_match(XL_ARGV("xl\0devd\0")));
	/* xl's global options come before the command */
	CU_ASSERT_TRUE(xldevd_cmdline_match(XL_ARGV("xl\0-v\0-f\0devd\0")));
	CU_ASSERT_FALSE(xldevd_cmdline_match(XL_ARGV("xl\0create\0devd\0")));
	CU_ASSERT_FALSE(xldevd_cmdline_match(XL_ARGV("xl\0devd.cfg\0")));
	CU_ASSERT_FALSE(xldevd_cmdline_match(XL_ARGV("/bin/xld\0devd\0")));
	CU_ASSERT_FALSE(xldevd_cmdline_match(XL_ARGV("bash\0xl\0devd\0")));
	CU_ASSERT_FALSE(xldevd_cmdline_match(XL_ARGV("xl\0")));
	/* cut off (no final NUL), empty, or no NUL at all */
	CU_ASSERT_FALSE(xldevd_cmdline_match(XL_ARGV("xl\0devd")));
	CU_ASSERT_FALSE(xldevd_cmdline_match("", 0));
	CU_ASSERT_FALSE(xldevd_cmdline_match("xl", 2));
}

/* Writes LEN bytes of DATA to ROOT/REL, making its directory. */
static void
xldevd_put(const char *root, const char *dir, const char *rel,
    const char *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, dir);
	(void)mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", root, dir, rel);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void
test_xldevd_running(void)
{
	char root[] = "/tmp/test_xldevd.XXXXXX", pid[32], cmd[128];

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(root));
	(void)mkdir(strcat(strcpy(cmd, root), "/proc"), 0755);
	/* nothing: no pidfile, no such process */
	CU_ASSERT_FALSE(xldevd_running(root));
	xldevd_put(root, "proc", "1", "", 0);	/* a file, not a process */
	snprintf(cmd, sizeof(cmd), "proc/%d", 4321);
	xldevd_put(root, cmd, "cmdline", XL_ARGV("/usr/sbin/xl\0list\0"));
	CU_ASSERT_FALSE(xldevd_running(root));
	/* a pidfile naming a process that does not exist */
	xldevd_put(root, "run", "xldevd.pid", "2147483646\n", 11);
	CU_ASSERT_FALSE(xldevd_running(root));
	/* ... and one naming a live one (this test) */
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	xldevd_put(root, "run", "xldevd.pid", pid, strlen(pid));
	CU_ASSERT_TRUE(xldevd_running(root));
	/* no pidfile (vifd proper's /run), xl devd in /proc */
	snprintf(cmd, sizeof(cmd), "%s/run/xldevd.pid", root);
	CU_ASSERT_EQUAL(unlink(cmd), 0);
	CU_ASSERT_FALSE(xldevd_running(root));
	xldevd_put(root, "proc/4321", "cmdline",
	    XL_ARGV("/usr/lib/xen-4.17/bin/xl\0devd\0"));
	CU_ASSERT_TRUE(xldevd_running(root));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static CU_TestInfo run_tests[] = {
	{ "exit codes and signals", test_exit_codes },
	{ "output logged line by line", test_output_logged },
	{ "exact environment, signals, fds, cwd, stdin",
	    test_environment },
	{ "timeout kills the process group", test_timeout_kills_group },
	{ "megabytes of output: capped, never blocking", test_flood_capped },
	{ "background processes left holding the output pipe",
	    test_background_leftovers },
	{ "scripts that cannot run", test_cannot_run },
	{ "malformed run requests", test_bad_request },
	{ "cancel a running script", test_cancel_running },
	{ "cancel before a failure is reported", test_cancel_not_run },
	{ "many concurrent runs", test_many_concurrent },
	{ "xl devd: its command line", test_xldevd_cmdline },
	{ "xl devd: pidfile or /proc", test_xldevd_running },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "hotplug build", NULL, NULL, NULL, NULL, build_tests },
	{ "hotplug run", suite_init, suite_clean, NULL, NULL, run_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	log_init("test_hotplug", LOG_TO_STDERR, LOG_LEVEL_INFO);
	return cu_tap_run(suites);
}
