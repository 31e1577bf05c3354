/*
 * hotplug.h - running a vif's hotplug script (vif-bridge, vif-route, ...).
 *
 * vifd runs the script named by the backend key `script` the way libxl
 * does (tools/libs/light/libxl_linux.c: libxl__hotplug_nic,
 * get_hotplug_env; libxl_device.c: device_hotplug):
 *
 *	<script> online|offline type_if=vif
 *	<script> add|remove type_if=tap		(an emulated NIC's TAP)
 *
 * with stdin /dev/null and exactly this environment, nothing else of vifd's:
 *
 *	script=<the resolved script path>
 *	XENBUS_TYPE=vif
 *	XENBUS_PATH=backend/vif/<domid>/<devid>	(relative, as libxl)
 *	XENBUS_BASE_PATH=backend
 *	netdev=<the backend key gatewaydev, or empty>
 *	vif=<the TAP's name>
 *	INTERFACE=<the emulated NIC's TAP>	(add/remove only)
 *	PATH=HOTPLUG_PATH  LANG=POSIX
 *	XENSTORED_PATH=<vifd's>			(only if vifd has one)
 *
 * XENSTORED_PATH is the one variable of vifd's environment passed on: the
 * simulated Xen sets it so that xenstore-read/-write in the scripts reach
 * the machine's xenstored.
 *
 * The pure part (hotplug_resolve_script, hotplug_build_cmd) turns a request
 * into a path, argv and envp and touches nothing. The effects part
 * (hotplug_run, hotplug_cancel) starts the script in a new session and
 * process group, logs its output line by line under the vif's name, kills
 * the whole group with SIGKILL at the timeout and reports the outcome
 * through a callback, all from the caller's struct loop: nothing blocks.
 *
 * Requirements on the process: SIGCHLD must not be ignored and nothing may
 * reap children with wait(-1) / waitpid(-1), or the runner loses its
 * child's status. Everything here belongs to the thread that runs the
 * loop (vifd's control thread); none of it is thread-safe.
 */
#ifndef VIFD_HOTPLUG_H
#define VIFD_HOTPLUG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/loop.h"

/* libxl's LIBXL_HOTPLUG_TIMEOUT (40 s, libxl_internal.h); some
 * distributions raise it to 120-180 s, so callers may override it. */
#define HOTPLUG_TIMEOUT_DEFAULT_MS	40000u
/* The script run when the backend has no `script` key (libxl's default is
 * <scriptdir>/vif-bridge: libxl_nic.c, libxl__device_nic_setdefault). */
#define HOTPLUG_SCRIPT_DEFAULT		"vif-bridge"
/* The fixed PATH scripts get (Xen's xen-hotplug-common.sh prepends its own
 * directories to whatever it inherits). */
#define HOTPLUG_PATH \
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* Output logged per run: the first HOTPLUG_LOG_MAX_BYTES bytes or
 * HOTPLUG_LOG_MAX_LINES lines, whichever ends first; the rest is read (so
 * the script never blocks on a full pipe), counted and dropped. */
#define HOTPLUG_LOG_MAX_BYTES	(64u * 1024u)
#define HOTPLUG_LOG_MAX_LINES	1000u
/* Longest output line logged as one message; longer lines are split. */
#define HOTPLUG_LINE_MAX	512u

enum hotplug_action {
	HOTPLUG_ONLINE,		/* the vif is up: attach it (type_if=vif) */
	HOTPLUG_OFFLINE,	/* the vif goes away: detach it (type_if=vif) */
	HOTPLUG_ADD,		/* an emulated NIC's TAP came (type_if=tap) */
	HOTPLUG_REMOVE,		/* ... and goes (type_if=tap) */
};

/* "online", "offline", "add", "remove" ("?" for anything else). */
const char *hotplug_action_name(enum hotplug_action action);

/*
 * One script run. Strings are only read during hotplug_run() (or
 * hotplug_build_cmd()); the caller may free them afterwards.
 */
struct hotplug_req {
	enum hotplug_action action;
	/* The backend key `script`: absolute (used as is: libxl writes
	 * absolute paths) or relative to script_dir. NULL or "": the
	 * default HOTPLUG_SCRIPT_DEFAULT in script_dir. */
	const char *script;
	/* Directory of relative scripts, absolute. NULL: VIFD_HOTPLUG_DIR
	 * (configure --with-hotplug-dir). */
	const char *script_dir;
	uint32_t domid;		/* the guest (frontend) domain */
	uint32_t devid;		/* the vif's device id (`handle`) */
	/* XENBUS_PATH. NULL: "backend/vif/<domid>/<devid>", relative to our
	 * own domain's home as libxl passes it. Pass an absolute path where
	 * relative paths would not resolve to our backend directory. */
	const char *backend_path;
	const char *vif;	/* env vif: the TAP's name (required) */
	/* env INTERFACE: the emulated NIC's TAP, required for add/remove,
	 * ignored otherwise. */
	const char *interface;
	/* env netdev: the backend key `gatewaydev`. NULL: empty, as libxl. */
	const char *netdev;
	/* XENSTORED_PATH to pass on (getenv("XENSTORED_PATH")), or NULL. */
	const char *xenstored_path;
	/* Kill the script after this long. 0: HOTPLUG_TIMEOUT_DEFAULT_MS. */
	unsigned int timeout_ms;
};

/*
 * Resolves the script to run into `out` (pure: looks at no file).
 * - NULL or "": HOTPLUG_SCRIPT_DEFAULT under `dir`;
 * - absolute: as is (libxl and vifctl write absolute paths; the key lives
 *   in the backend directory, which the guest cannot write);
 * - relative: `dir`/`script`, where `script` must not contain a ".."
 *   component. The check is lexical: a symlink inside the directory is
 *   followed wherever it points, since only whoever owns the directory
 *   (root) can put one there.
 * `dir` (NULL: VIFD_HOTPLUG_DIR) must be absolute when it is used.
 * Returns 0, -EPERM (".." in a relative name), -EINVAL (relative script
 * directory, a control character in the name), -ENAMETOOLONG (the result
 * would not fit `outlen` or PATH_MAX). On error `why` (if not NULL) gets a
 * one-line reason.
 */
int hotplug_resolve_script(const char *script, const char *dir, char *out,
    size_t outlen, char *why, size_t whylen);

/* Arguments and environment: at most 4 argv and 11 envp entries + NULL. */
#define HOTPLUG_ARGV_MAX	4
#define HOTPLUG_ENVP_MAX	12

/*
 * What hotplug_build_cmd() produces. argv and envp point into `buf`, so
 * the struct may be copied only with its buffer (it is self-contained;
 * do not move it after building).
 */
struct hotplug_cmd {
	char *argv[HOTPLUG_ARGV_MAX];
	char *envp[HOTPLUG_ENVP_MAX];
	char path[PATH_MAX];
	char buf[4 * PATH_MAX];	/* the strings argv and envp point to */
	size_t used;
	bool overflow;		/* a string did not fit */
};

/*
 * Builds path, argv and envp for `req` (pure). Returns 0, -EINVAL (no or
 * bad vif name, add/remove without an interface, an unknown action),
 * -E2BIG (the strings do not fit `buf`: absurdly long keys) or the errors
 * of hotplug_resolve_script(), with a reason in `why`.
 */
int hotplug_build_cmd(const struct hotplug_req *req, struct hotplug_cmd *cmd,
    char *why, size_t whylen);

/* ---- running it ------------------------------------------------------ */

enum hotplug_outcome {
	HOTPLUG_EXITED,		/* exited: `status` is the exit code */
	HOTPLUG_SIGNALED,	/* killed by signal `status`, not by us */
	HOTPLUG_TIMEDOUT,	/* we killed it at the timeout */
	HOTPLUG_NOT_RUN,	/* never started: `err` says why */
};

#define HOTPLUG_REASON_MAX	320

struct hotplug_result {
	enum hotplug_outcome outcome;
	int status;		/* exit code (EXITED) or signal (SIGNALED) */
	int err;		/* NOT_RUN: a positive errno */
	/* One line for the log and for the backend's hotplug-error key:
	 * "/x/vif-bridge online: exited with status 1", ... */
	char reason[HOTPLUG_REASON_MAX];
	uint64_t output_bytes;	/* everything the script printed */
	uint64_t dropped_bytes;	/* ... of which not logged (the caps) */
	uint64_t elapsed_ms;
};

/* True if the script ran and exited with status 0. */
bool hotplug_result_ok(const struct hotplug_result *res);

struct hotplug_run;

/*
 * Called exactly once per hotplug_run() that returned 0, from the loop,
 * unless the run was cancelled first. The run is already freed: forget
 * the pointer. `res` is valid during the call only. The callback may start
 * new runs and cancel other ones.
 */
typedef void (*hotplug_done_fn)(void *arg, const struct hotplug_result *res);

/*
 * Starts `req`'s script on `loop`. At the timeout the script's process
 * group is SIGKILLed; `done` comes when the script is reaped (at once,
 * unless it is stuck in an uninterruptible sleep). The script is done when
 * it exits: background processes it leaves are not waited for, and their
 * output is no longer read. Its stdout and stderr are logged as
 * "<vif>: hotplug <action>: <line>" (log_info), within the caps above.
 * Returns 0 and sets *out; `done` comes later, never from inside this
 * call. A script that cannot run (missing, not executable, a relative name
 * leaving the script directory, posix_spawn failing) is still 0 here and
 * then HOTPLUG_NOT_RUN through `done`, so callers have one error path for
 * the script. Returns -EINVAL (a malformed request: no vif name, ...) or
 * -errno (no memory, out of fds: pipe, timerfd, pidfd); then `done` is
 * never called and *out is untouched.
 */
int hotplug_run(struct loop *loop, const struct hotplug_req *req,
    hotplug_done_fn done, void *arg, struct hotplug_run **out);

/*
 * Cancels a run whose `done` has not been called yet (e.g. its vif is being
 * removed): SIGKILLs the script's process group, and `done` is never
 * called. The child is reaped now if it is already dead, otherwise as soon
 * as it dies, by the loop (see hotplug_orphans()); nothing leaks. NULL is
 * a no-op.
 */
void hotplug_cancel(struct hotplug_run *run);

/* The script's process id (= its process group and session id), or -1 if
 * it never started. */
pid_t hotplug_run_pid(const struct hotplug_run *run);

/* Cancelled runs whose process is not reaped yet (they still hold a watch
 * on their loop, which must keep running for them to go away). */
unsigned int hotplug_orphans(void);

/*
 * Parses a timeout given in seconds (a whole number, 1..3600) into
 * milliseconds, for a command-line option. Returns 0 or -EINVAL.
 */
int hotplug_parse_timeout(const char *s, unsigned int *ms);

#endif
