/*
 * hotplug_run.c - the hotplug script runner of vifd's control thread.
 *
 * Owns each running script: its process (a new session, so the script and
 * everything it starts form one process group), the pipe carrying its
 * stdout and stderr, its pidfd and its timeout timerfd, all watched by the
 * caller's struct loop. It logs the script's output under the vif's name,
 * kills the group at the timeout and reports how the script ended. It does
 * not touch xenstore: reading hotplug-status / hotplug-error and deciding
 * what a failure means for the vif is the control plane's job.
 *
 * What it runs, with which arguments and environment, is built by the
 * pure half, hotplug_cmd.c (libxl's contract).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctrl/hotplug.h"
#include "ctrl/hotplug_int.h"
#include "util/log.h"
#include "util/loop.h"
#include "util/privsep.h"
#include "util/spawn.h"

/* Bytes read from a script's pipe per wakeup, so that one chatty script
 * cannot starve the rest of the loop (epoll is level-triggered: the rest
 * comes on the next round). */
#define HOTPLUG_READ_BUDGET	(64u * 1024u)
/* Bytes read after the script exited: whatever it left in the pipe (at
 * most the pipe's size, which a script can raise to 1 MiB, the default
 * /proc/sys/fs/pipe-max-size). Background processes that keep writing
 * after that are not waited for. */
#define HOTPLUG_DRAIN_MAX	(1024u * 1024u + 64u * 1024u)

struct hotplug_run {
	struct loop *loop;
	hotplug_done_fn done;		/* NULL once cancelled */
	void *arg;
	enum hotplug_action action;
	char vif[IFNAMSIZ];
	char path[PATH_MAX];
	unsigned int timeout_ms;
	uint64_t start_ns;

	pid_t pid;			/* -1: never started */
	int pidfd;
	int outfd;
	int timerfd;
	struct loop_watch pid_w;
	struct loop_watch out_w;
	struct loop_watch timer_w;
	bool timed_out;

	/* Set when the script could not start: reported from the loop. */
	int not_run_err;
	char reason[HOTPLUG_REASON_MAX];

	/* The output line being assembled, and the caps. */
	char line[HOTPLUG_LINE_MAX];
	size_t linelen;
	size_t lineraw;			/* bytes of output it stands for */
	uint64_t output_bytes;
	uint64_t logged_bytes;
	unsigned int logged_lines;
	bool capped;

	struct hotplug_run *next_orphan;
};

/* Sets run->reason, the one-line description of a failure. */
static void
hotplug_reason(struct hotplug_run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
hotplug_reason(struct hotplug_run *run, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(run->reason, sizeof(run->reason), fmt, ap);
	va_end(ap);
}

/* Cancelled runs waiting for their process to die (see hotplug_cancel). */
static struct hotplug_run *hotplug_orphan_list;

unsigned int
hotplug_orphans(void)
{
	const struct hotplug_run *r;
	unsigned int n = 0;

	for (r = hotplug_orphan_list; r != NULL; r = r->next_orphan)
		n++;
	return n;
}

pid_t
hotplug_run_pid(const struct hotplug_run *run)
{
	return run->pid;
}

static void
hotplug_close(struct hotplug_run *run, struct loop_watch *w, int *fd)
{
	loop_del(run->loop, w);
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void
hotplug_free(struct hotplug_run *run)
{
	hotplug_close(run, &run->pid_w, &run->pidfd);
	hotplug_close(run, &run->out_w, &run->outfd);
	hotplug_close(run, &run->timer_w, &run->timerfd);
	free(run);
}

/* Logs the line assembled so far, unless a cap has been reached. */
static void
hotplug_emit(struct hotplug_run *run)
{
	if (run->lineraw == 0)
		return;
	if (!run->capped && (run->logged_lines >= HOTPLUG_LOG_MAX_LINES ||
	    run->logged_bytes + run->lineraw > HOTPLUG_LOG_MAX_BYTES))
		run->capped = true;
	if (!run->capped) {
		run->line[run->linelen] = '\0';
		if (run->linelen > 0)
			log_info("%s: hotplug %s: %s", run->vif,
			    hotplug_action_name(run->action), run->line);
		run->logged_bytes += run->lineraw;
		run->logged_lines++;
	}
	run->linelen = 0;
	run->lineraw = 0;
}

static void
hotplug_output(struct hotplug_run *run, const char *p, size_t n)
{
	size_t i;

	run->output_bytes += n;
	for (i = 0; i < n && !run->capped; i++) {
		unsigned char c = (unsigned char)p[i];

		run->lineraw++;
		if (c == '\n') {
			hotplug_emit(run);
			continue;
		}
		if (c == '\r')
			continue;
		/* Keep the log readable: no control or escape bytes. */
		run->line[run->linelen++] = c == '\t' ? ' ' :
		    (c < 0x20 || c == 0x7f) ? '?' : (char)c;
		if (run->linelen == sizeof(run->line) - 1)
			hotplug_emit(run);
	}
	/* Once capped, the rest is only counted. */
}

/*
 * Reads up to `budget` bytes of output. Returns true at end of file (or a
 * read error), when the pipe has been closed.
 */
static bool
hotplug_read(struct hotplug_run *run, size_t budget)
{
	char buf[4096];
	size_t got = 0;
	ssize_t n;

	while (got < budget) {
		n = read(run->outfd, buf, sizeof(buf));
		if (n > 0) {
			hotplug_output(run, buf, (size_t)n);
			got += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return false;
		if (n < 0)
			log_warn("%s: hotplug %s: reading the script's output",
			    run->vif, hotplug_action_name(run->action));
		hotplug_emit(run);
		hotplug_close(run, &run->out_w, &run->outfd);
		return true;
	}
	return false;
}

static void
hotplug_out_cb(struct loop_watch *w, uint32_t events)
{
	struct hotplug_run *run = w->arg;

	(void)events;
	hotplug_read(run, HOTPLUG_READ_BUDGET);
}

static const char *
hotplug_signame(int sig)
{
	const char *s = sigabbrev_np(sig);

	return s != NULL ? s : "?";
}

/* Reports the end of a run and frees it. */
static void
hotplug_finish(struct hotplug_run *run, int wstatus)
{
	const char *act = hotplug_action_name(run->action);
	struct hotplug_result res;
	hotplug_done_fn done = run->done;
	void *arg = run->arg;

	memset(&res, 0, sizeof(res));
	if (run->pid < 0) {
		res.outcome = HOTPLUG_NOT_RUN;
		res.err = run->not_run_err;
	} else if (run->timed_out) {
		res.outcome = HOTPLUG_TIMEDOUT;
		res.status = SIGKILL;
		hotplug_reason(run, "%s %s: killed after the %u ms timeout",
		    run->path, act, run->timeout_ms);
	} else if (WIFSIGNALED(wstatus)) {
		res.outcome = HOTPLUG_SIGNALED;
		res.status = WTERMSIG(wstatus);
		hotplug_reason(run, "%s %s: killed by signal %d (SIG%s)",
		    run->path, act, res.status, hotplug_signame(res.status));
	} else {
		res.outcome = HOTPLUG_EXITED;
		res.status = WEXITSTATUS(wstatus);
		hotplug_reason(run, "%s %s: exited with status %d", run->path,
		    act, res.status);
	}
	memcpy(res.reason, run->reason, sizeof(res.reason));
	res.output_bytes = run->output_bytes;
	res.dropped_bytes = run->output_bytes - run->logged_bytes;
	res.elapsed_ms = (loop_now_ns() - run->start_ns) / 1000000u;

	if (res.dropped_bytes > 0)
		log_warnx("%s: hotplug %s: %llu bytes of output not logged "
		    "(the limit is %u bytes or %u lines per run)", run->vif,
		    act, (unsigned long long)res.dropped_bytes,
		    HOTPLUG_LOG_MAX_BYTES, HOTPLUG_LOG_MAX_LINES);
	if (hotplug_result_ok(&res))
		log_debug("%s: hotplug %s: %s done in %llu ms", run->vif, act,
		    run->path, (unsigned long long)res.elapsed_ms);
	else
		log_warnx("%s: hotplug: %s", run->vif, res.reason);

	hotplug_free(run);
	if (done != NULL)
		done(arg, &res);
}

static void
hotplug_orphan_remove(struct hotplug_run *run)
{
	struct hotplug_run **pp;

	for (pp = &hotplug_orphan_list; *pp != NULL; pp = &(*pp)->next_orphan)
		if (*pp == run) {
			*pp = run->next_orphan;
			return;
		}
}

/* The pidfd is readable: the script has exited. */
static void
hotplug_pid_cb(struct loop_watch *w, uint32_t events)
{
	struct hotplug_run *run = w->arg;
	int wstatus = 0;
	pid_t r;

	(void)events;
	do
		r = spawn_wait(run->pid, &wstatus, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return;		/* not yet (spurious wakeup) */
	if (r < 0) {
		/* Someone else reaped it (SIGCHLD ignored?): no status. */
		log_warn("%s: hotplug %s: waitpid %d", run->vif,
		    hotplug_action_name(run->action), (int)run->pid);
		wstatus = W_EXITCODE(127, 0);
	}
	if (run->done == NULL) {
		/* A cancelled run: it is reaped, that was all we waited for. */
		hotplug_orphan_remove(run);
		hotplug_free(run);
		return;
	}
	/* Whatever the script left in the pipe, then stop listening. */
	if (run->outfd >= 0 && !hotplug_read(run, HOTPLUG_DRAIN_MAX))
		hotplug_emit(run);
	hotplug_finish(run, wstatus);
}

static void
hotplug_timer_cb(struct loop_watch *w, uint32_t events)
{
	struct hotplug_run *run = w->arg;
	int r;

	(void)events;
	loop_timer_ack(run->timerfd);
	if (run->pid < 0) {
		hotplug_finish(run, 0);
		return;
	}
	if (run->timed_out)
		return;
	log_warnx("%s: hotplug %s: %s still running after %u ms: killing it",
	    run->vif, hotplug_action_name(run->action), run->path,
	    run->timeout_ms);
	run->timed_out = true;
	/* The group: the script and whatever it started (pgid == pid). */
	r = spawn_kill(run->pid, SIGKILL);
	if (r < 0 && r != -ESRCH)
		log_warnx("%s: hotplug: killing %d: %s", run->vif,
		    (int)run->pid, strerror(-r));
	loop_del(run->loop, &run->timer_w);
}

/* Arranges for NOT_RUN with errno `err` to be reported from the loop. */
static int
hotplug_not_run(struct hotplug_run *run, int err)
{
	run->pid = -1;
	run->not_run_err = err;
	/* 1 ns: fire on the loop's next round, never from hotplug_run. */
	return loop_timer_arm(run->timerfd, 1);
}

/* Checks the file before spawning it, for clearer errors than exec's. */
static int
hotplug_check_file(struct hotplug_run *run)
{
	const char *act = hotplug_action_name(run->action);
	struct stat st;

	if (stat(run->path, &st) < 0) {
		int err = errno;

		if (err == ENOENT)
			hotplug_reason(run, "%s %s: the "
			    "script does not exist", run->path, act);
		else
			hotplug_reason(run, "%s %s: %s",
			    run->path, act, strerror(err));
		return -err;
	}
	if (!S_ISREG(st.st_mode)) {
		hotplug_reason(run, "%s %s: the script "
		    "is not a regular file", run->path, act);
		return -EACCES;
	}
	if (access(run->path, X_OK) < 0) {
		hotplug_reason(run, "%s %s: the script "
		    "is not executable", run->path, act);
		return -EACCES;
	}
	return 0;
}

/* Why the script did not start, from spawn_clean's -errno. The
 * privileged part answers -ENOENT, -EISDIR and -EACCES for what
 * hotplug_check_file finds, and -ELIBBAD where exec found no
 * interpreter (an ENOENT of its own, once the script was there). */
static void
hotplug_spawn_failed(struct hotplug_run *run, int r)
{
	const char *act = hotplug_action_name(run->action);

	if (r == -ENOEXEC)
		hotplug_reason(run, "%s %s: not an executable the kernel can "
		    "run (no #! line?)", run->path, act);
	else if (r == -ELIBBAD)
		hotplug_reason(run, "%s %s: cannot execute: its #! "
		    "interpreter does not exist", run->path, act);
	else if (r == -ENOENT && privsep_active())
		hotplug_reason(run, "%s %s: the script does not exist",
		    run->path, act);
	else if (r == -EISDIR)
		hotplug_reason(run, "%s %s: the script is not a regular file",
		    run->path, act);
	else if (r == -EACCES)
		hotplug_reason(run, "%s %s: the script is not executable",
		    run->path, act);
	else
		hotplug_reason(run, "%s %s: cannot execute: %s", run->path,
		    act, strerror(-r));
}

/* Starts the script (spawn_clean: stdout and stderr the pipe's write
 * end `wfd`, a new session). Returns 0 or -errno. */
static int
hotplug_spawn(struct hotplug_run *run, struct hotplug_cmd *cmd, int wfd)
{
	return spawn_clean(&run->pid, cmd->path, 0, cmd->argv, cmd->envp, wfd);
}

static int
hotplug_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Kills and reaps a child we cannot watch (setup failed halfway). */
static void
hotplug_kill_now(pid_t pid)
{
	(void)spawn_kill(pid, SIGKILL);
	while (spawn_wait(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int
hotplug_run(struct loop *loop, const struct hotplug_req *req,
    hotplug_done_fn done, void *arg, struct hotplug_run **out)
{
	const char *act;
	struct hotplug_cmd *cmd = NULL;
	struct hotplug_run *run;
	int pfd[2] = { -1, -1 };
	int r;

	if (loop == NULL || req == NULL || done == NULL || out == NULL)
		return -EINVAL;
	run = calloc(1, sizeof(*run));
	if (run == NULL)
		return -ENOMEM;
	act = hotplug_action_name(req->action);
	run->loop = loop;
	run->done = done;
	run->arg = arg;
	run->action = req->action;
	run->pid = -1;
	run->pidfd = run->outfd = run->timerfd = -1;
	run->timeout_ms = req->timeout_ms != 0 ? req->timeout_ms :
	    HOTPLUG_TIMEOUT_DEFAULT_MS;
	run->start_ns = loop_now_ns();

	r = hotplug_check_req(req, run->reason, sizeof(run->reason));
	if (r < 0) {
		log_warnx("hotplug %s: %s", act, run->reason);
		goto fail;
	}
	snprintf(run->vif, sizeof(run->vif), "%s", req->vif);

	r = run->timerfd = loop_timer_new();
	if (r < 0)
		goto fail;
	loop_watch_init(&run->timer_w, run->timerfd, EPOLLIN, hotplug_timer_cb,
	    run);
	r = loop_add(loop, &run->timer_w);
	if (r < 0)
		goto fail;

	cmd = malloc(sizeof(*cmd));
	if (cmd == NULL) {
		r = -ENOMEM;
		goto fail;
	}
	r = hotplug_build_cmd(req, cmd, run->reason, sizeof(run->reason));
	if (r < 0) {
		/* A bad `script` key or a bad value: the script's error. */
		char why[HOTPLUG_REASON_MAX];
		const char *name = req->script;

		if (name == NULL || *name == '\0')
			name = HOTPLUG_SCRIPT_DEFAULT;
		else if (hotplug_has_ctl(name))
			name = "script";
		memcpy(why, run->reason, sizeof(why));
		hotplug_reason(run, "%s %s: %s",
		    name, act, why);
		goto not_run;
	}
	snprintf(run->path, sizeof(run->path), "%s", cmd->path);
	/* With a privileged part, vifd proper may not see the script
	 * (its /tmp is not the host's): the part checks, and says the same
	 * by its errno (hotplug_spawn_failed). */
	r = privsep_active() ? 0 : hotplug_check_file(run);
	if (r < 0)
		goto not_run;

	if (pipe2(pfd, O_CLOEXEC) < 0 ||
	    fcntl(pfd[0], F_SETFL, O_NONBLOCK) < 0) {
		r = -errno;
		goto fail;
	}
	r = hotplug_spawn(run, cmd, pfd[1]);
	close(pfd[1]);
	pfd[1] = -1;
	if (r < 0) {
		run->pid = -1;
		hotplug_spawn_failed(run, r);
		goto not_run;
	}
	run->outfd = pfd[0];
	pfd[0] = -1;

	run->pidfd = hotplug_pidfd_open(run->pid);
	if (run->pidfd < 0) {
		r = -errno;
		log_warn("%s: hotplug %s: pidfd_open", run->vif, act);
		goto fail_child;
	}
	loop_watch_init(&run->pid_w, run->pidfd, EPOLLIN, hotplug_pid_cb,
	    run);
	loop_watch_init(&run->out_w, run->outfd, EPOLLIN, hotplug_out_cb,
	    run);
	if ((r = loop_add(loop, &run->pid_w)) < 0 ||
	    (r = loop_add(loop, &run->out_w)) < 0 ||
	    (r = loop_timer_arm(run->timerfd,
	    (uint64_t)run->timeout_ms * 1000000u)) < 0)
		goto fail_child;
	log_debug("%s: hotplug %s: running %s (pid %d)", run->vif, act,
	    run->path, (int)run->pid);
	free(cmd);
	*out = run;
	return 0;

not_run:
	if (pfd[0] >= 0)
		close(pfd[0]);
	pfd[0] = -1;
	r = hotplug_not_run(run, -r);
	if (r < 0)
		goto fail;
	free(cmd);
	*out = run;
	return 0;

fail_child:
	hotplug_kill_now(run->pid);
fail:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	free(cmd);
	hotplug_free(run);
	return r;
}

void
hotplug_cancel(struct hotplug_run *run)
{
	int wstatus;
	pid_t r;

	if (run == NULL)
		return;
	run->done = NULL;
	if (run->pid < 0) {
		hotplug_free(run);
		return;
	}
	log_debug("%s: hotplug %s: cancelled, killing pid %d", run->vif,
	    hotplug_action_name(run->action), (int)run->pid);
	/* Before the leader is reaped, its pid is also the group's id. */
	(void)spawn_kill(run->pid, SIGKILL);
	hotplug_close(run, &run->out_w, &run->outfd);
	hotplug_close(run, &run->timer_w, &run->timerfd);
	do
		r = spawn_wait(run->pid, &wstatus, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r != 0) {
		hotplug_free(run);
		return;
	}
	/* Still dying: the pidfd watch reaps it when it is gone. */
	run->next_orphan = hotplug_orphan_list;
	hotplug_orphan_list = run;
}
