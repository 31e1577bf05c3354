/*
 * test_xensim_xs.c - the simulated machine's xenstore and toolstack: the
 * real xenstored behind the seam (a watch in one process fires on a write
 * by another, transactions conflict), the nodes and permissions of an
 * added domain, @introduceDomain/@releaseDomain, machine error paths, and
 * the xensim command's error lines.
 */
#include "config.h"

#include <sys/stat.h>

#include "test_xensim_fix.h"

#define GUEST	1u

static const struct xen_ops *o;
static struct xen_xs *xs;

static void
xs_setup(void)
{
	static const uint32_t doms[] = { GUEST };

	xs = NULL;
	fx_setup_domains(doms, 1);
	if (!fx_up)
		return;
	o = fx_env->ops;
	xs = o->xs_open(fx_env);
}

static void
xs_teardown(void)
{
	if (xs != NULL)
		o->xs_close(xs);
	xs = NULL;
	fx_teardown();
}

#define XS_READY() do {							\
	CU_ASSERT_FATAL(fx_up);						\
	CU_ASSERT_PTR_NOT_NULL_FATAL(xs);				\
} while (0)

/* The next watch event on `h` within timeout_ms, or NULL. */
static struct xen_watch_event *
xs_next_event(struct xen_xs *h, int timeout_ms)
{
	struct xen_watch_event *ev = NULL;

	if (o->xs_read_watch(h, &ev) == 0)
		return ev;
	if (!fx_readable(o->xs_fileno(h), timeout_ms))
		return NULL;
	return o->xs_read_watch(h, &ev) == 0 ? ev : NULL;
}

/* Consumes events until one for `path` arrives: true if it did. */
static bool
xs_expect(struct xen_xs *h, const char *path, const char *token)
{
	struct xen_watch_event *ev;
	bool found = false;
	int i;

	for (i = 0; i < 20 && !found; i++) {
		ev = xs_next_event(h, 2000);
		if (ev == NULL)
			break;
		found = strcmp(ev->path, path) == 0 &&
		    strcmp(ev->token, token) == 0;
		free(ev);
	}
	return found;
}

static char *
xs_get(const char *path)
{
	return o->xs_read(xs, XEN_TXN_NULL, path, NULL);
}

static void
test_watch_across_processes(void)
{
	pid_t pid;

	XS_READY();
	CU_ASSERT_EQUAL_FATAL(o->xs_watch(xs, "/local/domain/1/data", "tok"), 0);
	/* A new watch fires once at once. */
	CU_ASSERT(xs_expect(xs, "/local/domain/1/data", "tok"));
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		struct xen_env *env;
		struct xen_xs *h;
		char err[256];
		int rc;

		if (xensim_env_open(fx_dir, &env, err, sizeof(err)) != 0)
			_exit(2);
		h = env->ops->xs_open(env);
		if (h == NULL)
			_exit(3);
		rc = env->ops->xs_write(h, XEN_TXN_NULL,
		    "/local/domain/1/data/key", "v", 1);
		env->ops->xs_close(h);
		xen_env_close(env);
		_exit(rc == 0 ? 0 : 4);
	}
	CU_ASSERT_EQUAL(fx_wait(pid), 0);
	CU_ASSERT(xs_expect(xs, "/local/domain/1/data/key", "tok"));
	CU_ASSERT_EQUAL(o->xs_unwatch(xs, "/local/domain/1/data", "tok"), 0);
}

static void
test_transaction_conflict(void)
{
	xen_txn_t t1, t2;
	struct xen_xs *h2;

	XS_READY();
	h2 = o->xs_open(fx_env);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h2);
	CU_ASSERT_EQUAL(o->xs_write(xs, XEN_TXN_NULL, "/t/a", "0", 1), 0);
	CU_ASSERT_EQUAL_FATAL(o->xs_txn_start(xs, &t1), 0);
	CU_ASSERT_EQUAL_FATAL(o->xs_txn_start(h2, &t2), 0);
	free(o->xs_read(xs, t1, "/t/a", NULL));
	free(o->xs_read(h2, t2, "/t/a", NULL));
	CU_ASSERT_EQUAL(o->xs_write(xs, t1, "/t/a", "1", 1), 0);
	CU_ASSERT_EQUAL(o->xs_write(h2, t2, "/t/a", "2", 1), 0);
	CU_ASSERT_EQUAL(o->xs_txn_end(xs, t1, false), 0);
	CU_ASSERT_EQUAL(o->xs_txn_end(h2, t2, false), -EAGAIN);
	o->xs_close(h2);
}

static void
test_domain_nodes_and_perms(void)
{
	static const char *const ro[] = { "", "/cpu", "/memory", "/device",
	    "/control" };
	static const char *const rw[] = { "/data", "/drivers", "/feature",
	    "/attr", "/error", "/control/shutdown", "/control/sysrq",
	    "/control/feature-poweroff", "/device/suspend/event-channel" };
	struct xen_xs_perm *p;
	char path[128], *v;
	unsigned int n;
	size_t i;

	XS_READY();
	v = xs_get("/local/domain/1/domid");
	CU_ASSERT_PTR_NOT_NULL(v);
	CU_ASSERT_STRING_EQUAL(v ? v : "", "1");
	free(v);
	v = xs_get("/local/domain/1/name");
	CU_ASSERT_STRING_EQUAL(v ? v : "", "xensim-1");
	free(v);
	v = xs_get("/local/domain/0/domid");
	CU_ASSERT_STRING_EQUAL(v ? v : "", "0");
	free(v);
	v = xs_get("/local/domain/0/name");
	CU_ASSERT_STRING_EQUAL(v ? v : "", "Domain-0");
	free(v);
	for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		snprintf(path, sizeof(path), "/local/domain/1%s", ro[i]);
		p = o->xs_get_perms(xs, XEN_TXN_NULL, path, &n);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		/* Owned by dom0, readable by the domain. */
		CU_ASSERT_EQUAL(n, 2);
		CU_ASSERT(p[0].id == 0 && p[0].perms == XEN_XS_PERM_NONE);
		CU_ASSERT(n < 2 || (p[1].id == GUEST &&
		    p[1].perms == XEN_XS_PERM_READ));
		free(p);
	}
	for (i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
		snprintf(path, sizeof(path), "/local/domain/1%s", rw[i]);
		p = o->xs_get_perms(xs, XEN_TXN_NULL, path, &n);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		/* Owned by the domain (dom0 has every right anyway). */
		CU_ASSERT_EQUAL(n, 1);
		CU_ASSERT(p[0].id == GUEST && p[0].perms == XEN_XS_PERM_NONE);
		free(p);
	}
	p = o->xs_get_perms(xs, XEN_TXN_NULL, "/libxl/1", &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(n == 1 && p[0].id == 0 && p[0].perms == XEN_XS_PERM_NONE);
	free(p);
	v = o->xs_domain_path(xs, GUEST);
	CU_ASSERT_STRING_EQUAL(v ? v : "", "/local/domain/1");
	free(v);
	CU_ASSERT_EQUAL(o->xs_is_introduced(xs, GUEST), 1);
	CU_ASSERT_EQUAL(o->xs_is_introduced(xs, 7), 0);
}

static void
test_introduce_and_release(void)
{
	char err[256], *v;

	XS_READY();
	CU_ASSERT_EQUAL_FATAL(o->xs_watch(xs, "@introduceDomain", "in"), 0);
	CU_ASSERT_EQUAL_FATAL(o->xs_watch(xs, "@releaseDomain", "out"), 0);
	CU_ASSERT(xs_expect(xs, "@introduceDomain", "in"));
	CU_ASSERT(xs_expect(xs, "@releaseDomain", "out"));
	CU_ASSERT_EQUAL_FATAL(xensim_domain_add(fx_dir, 3, 16, err,
	    sizeof(err)), 0);
	CU_ASSERT(xs_expect(xs, "@introduceDomain", "in"));
	CU_ASSERT_EQUAL(o->xs_is_introduced(xs, 3), 1);
	CU_ASSERT_EQUAL(xensim_domain_add(fx_dir, 3, 16, err, sizeof(err)),
	    -EEXIST);
	CU_ASSERT_EQUAL_FATAL(xensim_domain_destroy(fx_dir, 3, err,
	    sizeof(err)), 0);
	CU_ASSERT(xs_expect(xs, "@releaseDomain", "out"));
	CU_ASSERT_EQUAL(o->xs_is_introduced(xs, 3), 0);
	v = xs_get("/local/domain/3");
	CU_ASSERT_PTR_NULL(v);
	free(v);
	v = xs_get("/libxl/3");
	CU_ASSERT_PTR_NULL(v);
	free(v);
	CU_ASSERT_EQUAL(xensim_domain_destroy(fx_dir, 3, err, sizeof(err)),
	    -ENOENT);
	/* The domid can be reused at once. */
	CU_ASSERT_EQUAL(xensim_domain_add(fx_dir, 3, 16, err, sizeof(err)), 0);
	CU_ASSERT(xs_expect(xs, "@introduceDomain", "in"));
	CU_ASSERT_EQUAL(o->xs_is_introduced(xs, 3), 1);
}

/* ---- machine error paths ------------------------------------------------- */

static void
test_machine_errors(void)
{
	char err[256], dir[64], path[200];
	struct xen_env *env;
	int pid, i;

	XS_READY();
	/* Not a machine. */
	err[0] = '\0';
	CU_ASSERT_EQUAL(xensim_check("/tmp", err, sizeof(err)), -ENOENT);
	CU_ASSERT(strstr(err, "not a simulated Xen machine") != NULL);
	CU_ASSERT(strchr(err, '\n') == NULL);
	CU_ASSERT_EQUAL(xensim_env_open("/tmp", &env, err, sizeof(err)), -ENOENT);
	CU_ASSERT_EQUAL(xensim_destroy("/tmp", err, sizeof(err)), -ENOENT);
	CU_ASSERT_EQUAL(xensim_check("/nonexistent/x", err, sizeof(err)),
	    -ENOENT);
	/* Not empty. */
	CU_ASSERT_EQUAL(xensim_create(fx_dir, err, sizeof(err)), -EEXIST);
	CU_ASSERT(strstr(err, "not empty") != NULL);
	/* Socket paths that would not fit in sun_path: nothing left. */
	snprintf(dir, sizeof(dir), "/tmp/xst-%d-long", (int)getpid());
	snprintf(path, sizeof(path), "%s/", dir);
	for (i = (int)strlen(path); i < 100; i++)
		path[i] = 'x';
	path[100] = '\0';
	CU_ASSERT_EQUAL(mkdir(dir, 0700), 0);
	CU_ASSERT_EQUAL(xensim_create(path, err, sizeof(err)), -ENAMETOOLONG);
	CU_ASSERT(strstr(err, "too long") != NULL);
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
	CU_ASSERT_EQUAL(rmdir(dir), 0);
	/* Bad domids. */
	CU_ASSERT_EQUAL(xensim_domain_add(fx_dir, 0, 0, err, sizeof(err)),
	    -EINVAL);
	CU_ASSERT_EQUAL(xensim_domain_add(fx_dir, DOMID_FIRST_RESERVED, 0, err,
	    sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(xensim_domain_add(fx_dir, 5, 1u << 21, err,
	    sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(xensim_domain_destroy(fx_dir, 0, err, sizeof(err)),
	    -EINVAL);
	/* A dead xenstored is reported, and the machine still destroyable. */
	pid = xensim_xenstored_pid(fx_dir);
	CU_ASSERT_FATAL(pid > 0);
	o->xs_close(xs);
	xs = NULL;
	kill(pid, SIGKILL);
	for (i = 0; i < 200 && xensim_xenstored_pid(fx_dir) > 0; i++)
		usleep(10000);
	CU_ASSERT_EQUAL(xensim_check(fx_dir, err, sizeof(err)), -ESRCH);
	CU_ASSERT(strstr(err, "xenstored") != NULL);
	CU_ASSERT_EQUAL(xensim_domain_add(fx_dir, 4, 0, err, sizeof(err)),
	    -ESRCH);
	/* xenstored missing at create: one line, nothing left behind. */
	snprintf(dir, sizeof(dir), "/tmp/xst-%d-noxsd", (int)getpid());
	setenv("XENSIM_XENSTORED", "/nonexistent/xenstored", 1);
	CU_ASSERT_EQUAL(xensim_create(dir, err, sizeof(err)), -ENOENT);
	unsetenv("XENSIM_XENSTORED");
	CU_ASSERT(strstr(err, "/nonexistent/xenstored") != NULL);
	CU_ASSERT_EQUAL(access(dir, F_OK), -1);
	/* A stand-in that is not there. */
	setenv("XENSIM_PRELOAD", "/nonexistent/xensim-xsd.so", 1);
	CU_ASSERT_EQUAL(xensim_create(dir, err, sizeof(err)), -ENOENT);
	unsetenv("XENSIM_PRELOAD");
	CU_ASSERT(strstr(err, "XENSIM_PRELOAD") != NULL);
	CU_ASSERT_EQUAL(access(dir, F_OK), -1);
}

/* ---- the command ------------------------------------------------------------ */

/* Runs the xensim command; its exit code, stderr in `out`. */
static int
cli_run(char *out, size_t outlen, const char *a1, const char *a2,
    const char *a3, const char *a4, const char *a5, const char *a6)
{
	const char *argv[] = { XENSIM_TEST_BIN, a1, a2, a3, a4, a5, a6, NULL };
	int p[2], st;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(p) != 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(p[1], 2);
		dup2(p[1], 1);
		close(p[0]);
		execv(XENSIM_TEST_BIN, (char *const *)argv);
		_exit(126);
	}
	close(p[1]);
	while (got + 1 < outlen &&
	    (n = read(p[0], out + got, outlen - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(p[0]);
	st = fx_wait(pid);
	return st;
}

/* One line, naming the problem, and a failure exit code. */
static void
cli_expect_error(const char *what, int rc, const char *out)
{
	const char *nl = strchr(out, '\n');

	CU_ASSERT(rc != 0);
	CU_ASSERT(strncmp(out, "xensim: ", 8) == 0);
	CU_ASSERT(nl != NULL && nl[1] == '\0');
	CU_ASSERT(strstr(out, what) != NULL);
	if (rc == 0 || nl == NULL || nl[1] != '\0' || strstr(out, what) == NULL)
		fprintf(stderr, "# expected one line with '%s', got (%d): %s",
		    what, rc, out);
}

static void
test_cli_errors(void)
{
	char out[1024], dir[64], longdir[160];
	int rc, i;

	XS_READY();
	rc = cli_run(out, sizeof(out), "status", "/tmp", NULL, NULL, NULL, NULL);
	cli_expect_error("not a simulated Xen machine", rc, out);
	rc = cli_run(out, sizeof(out), "domain", "/tmp", "add", "3", NULL, NULL);
	cli_expect_error("not a simulated Xen machine", rc, out);
	rc = cli_run(out, sizeof(out), "frobnicate", fx_dir, NULL, NULL, NULL,
	    NULL);
	cli_expect_error("unknown command 'frobnicate'", rc, out);
	rc = cli_run(out, sizeof(out), "domain", fx_dir, "add", "x3", NULL,
	    NULL);
	cli_expect_error("bad domid 'x3'", rc, out);
	rc = cli_run(out, sizeof(out), "domain", fx_dir, "add", "32752", NULL,
	    NULL);
	cli_expect_error("bad domid 32752", rc, out);
	rc = cli_run(out, sizeof(out), "domain", fx_dir, "add", "1", NULL, NULL);
	cli_expect_error("domain 1 exists", rc, out);
	rc = cli_run(out, sizeof(out), "domain", fx_dir, "destroy", "9", NULL,
	    NULL);
	cli_expect_error("no domain 9", rc, out);
	rc = cli_run(out, sizeof(out), "domain", fx_dir, "rename", "1", NULL,
	    NULL);
	cli_expect_error("unknown domain operation", rc, out);
	rc = cli_run(out, sizeof(out), "fault", fx_dir, "copy", "2", "-20",
	    NULL);
	cli_expect_error("bad status '-20'", rc, out);
	rc = cli_run(out, sizeof(out), "fault", fx_dir, "swap", "2", NULL,
	    NULL);
	cli_expect_error("unknown fault kind", rc, out);
	rc = cli_run(out, sizeof(out), "exec", fx_dir, "--",
	    "/nonexistent/cmd", NULL, NULL);
	cli_expect_error("/nonexistent/cmd", rc, out);
	/* Path too long: nothing left behind. */
	snprintf(dir, sizeof(dir), "/tmp/xst-%d-cli", (int)getpid());
	snprintf(longdir, sizeof(longdir), "%s/", dir);
	for (i = (int)strlen(longdir); i < 110; i++)
		longdir[i] = 'y';
	longdir[110] = '\0';
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
	rc = cli_run(out, sizeof(out), "create", longdir, NULL, NULL, NULL,
	    NULL);
	cli_expect_error("too long", rc, out);
	CU_ASSERT_EQUAL(access(longdir, F_OK), -1);
	CU_ASSERT_EQUAL(rmdir(dir), 0);
	/* And the good paths. */
	rc = cli_run(out, sizeof(out), "fault", fx_dir, "map", "3",
	    "GNTST_bad_page", NULL);
	CU_ASSERT_EQUAL(rc, 0);
	rc = cli_run(out, sizeof(out), "status", fx_dir, NULL, NULL, NULL, NULL);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT(strstr(out, "map 3 fails with GNTST_bad_page") != NULL);
	CU_ASSERT(strstr(out, "domain 1: 64 pages") != NULL);
	rc = cli_run(out, sizeof(out), "domain", fx_dir, "add", "6", "--pages",
	    "32");
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(o->xs_is_introduced(xs, 6), 1);
	rc = cli_run(out, sizeof(out), "domain", fx_dir, "destroy", "6", NULL,
	    NULL);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(o->xs_is_introduced(xs, 6), 0);
}

static void
test_cli_exec(void)
{
	char out[1024], *v;
	int rc;

	XS_READY();
	if (access("/usr/bin/xenstore-read", X_OK) != 0) {
		fprintf(stderr, "# no xenstore-read: xensim exec checked with "
		    "env only\n");
		rc = cli_run(out, sizeof(out), "exec", fx_dir, "--", "sh", "-c",
		    "echo $XENSTORED_PATH");
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT(strstr(out, "/xs") != NULL);
		return;
	}
	rc = cli_run(out, sizeof(out), "exec", fx_dir, "--", "xenstore-read",
	    "/local/domain/0/name", NULL);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(out, "Domain-0\n");
	rc = cli_run(out, sizeof(out), "exec", fx_dir, "--", "xenstore-write",
	    "/local/domain/1/data/x", "42");
	CU_ASSERT_EQUAL(rc, 0);
	v = xs_get("/local/domain/1/data/x");
	CU_ASSERT_STRING_EQUAL(v ? v : "", "42");
	free(v);
}

static CU_TestInfo xs_tests[] = {
	{ "watch fires on a write by another process", test_watch_across_processes },
	{ "transactions conflict with EAGAIN", test_transaction_conflict },
	{ "domain nodes and permissions (libxl's)", test_domain_nodes_and_perms },
	{ "@introduceDomain, @releaseDomain, nodes removed",
	    test_introduce_and_release },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo machine_tests[] = {
	{ "error paths: one line, nothing left", test_machine_errors },
	{ "xensim command errors and status", test_cli_errors },
	{ "xensim exec reaches the machine's xenstored", test_cli_exec },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo end_tests[] = {
	{ "no xenstored left running", fx_test_nothing_left },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "xensim xenstore", NULL, NULL, xs_setup, xs_teardown, xs_tests },
	{ "xensim machine", NULL, NULL, xs_setup, xs_teardown, machine_tests },
	{ "xensim cleanup", NULL, NULL, NULL, NULL, end_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
