/*
 * sandbox.c - the seccomp allowlist of vifd's data plane (libseccomp).
 *
 * Owns the filter the queue and control-ring workers load at their start,
 * built once by sandbox_init, and the SIGSYS reporter of the kill mode.
 * These threads parse what guests write (ring slots, grant-copied frames,
 * control requests) and what the host sends to the guest; a bug there is
 * the likeliest door into vifd. The list is what they do and nothing
 * more: move bytes between the TAP, eventfds and the event channels,
 * grant copies, waits and timers, memory without PROT_EXEC, and the
 * steering map's update. No open, no socket, no execve, no ptrace: a
 * compromised worker cannot reach a file, the network or another process. Each ioctl is allowed by its request
 * number only.
 *
 * A call outside the list, in the kill mode, is trapped rather than
 * killed by the kernel outright so that the admin reads which thread
 * made which call (one line on stderr, the journal under systemd), after
 * which the thread sends itself SIGSYS with its default action: the
 * process ends with a core, systemd restarts it (Restart=on-failure) and
 * restart adoption keeps the guests connected. The log mode allows the
 * call and has the kernel log it (audit type 1326), for sanitizer builds:
 * their reports open files and map memory, and a finding must be read,
 * not cut short by SIGSYS.
 *
 * Before the filter, a worker drops root's capabilities, all of them but
 * CAP_BPF for the control-ring worker: what the list allows works on
 * descriptors the worker already holds, which need none.
 *
 * The control thread is not filtered: the hotplug scripts it starts
 * would inherit its filter across execve (see vifd.8, SANDBOX).
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/if_tun.h>
#include <seccomp.h>
#include <sys/capability.h>
#include <xenctrl.h>
#include <xen/sys/evtchn.h>
#include <xen/sys/gntdev.h>

#include "util/sandbox.h"

static enum sandbox_mode sandbox_cur = SANDBOX_OFF;
static scmp_filter_ctx sandbox_data;
static pthread_mutex_t sandbox_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread char sandbox_who[32];
#ifdef VIFD_TEST_HOOKS
static void sandbox_test_violate(const char *who);
#endif

/* What the workers call, by name (libseccomp maps each to this
 * architecture's number, and skips one this architecture lacks). */
static const char *const sandbox_data_calls[] = {
	/* the TAP, eventfds, timerfds, the event channel's fd */
	"read", "readv", "write", "writev",
	/* a queue's TAP writes in one call (tapio.c): its ring does only
	 * vectored reads and writes on the TAP registered with it */
	"io_uring_enter",
	/* the simulated Xen's event channels are datagram sockets; the
	 * log's syslog socket */
	"sendto", "sendmsg", "recvfrom", "recvmsg",
	/* the worker's loop and timers */
	"epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl",
	"timerfd_settime", "timerfd_gettime",
	"clock_gettime", "clock_nanosleep", "nanosleep", "gettimeofday",
	/* what the vDSO answers in userspace on bare metal is a real call
	 * in a Xen PV domain without a vDSO clock */
	"time", "getcpu",
	/* a sleep interrupted by a signal carries on through this */
	"restart_syscall",
	/* locks (the vif's, the shaper's, malloc's), yields */
	"futex", "sched_yield",
	/* malloc, and the thread's end (its stack is given back) */
	"brk", "munmap", "madvise", "mremap",
	/* glibc's syslog(3), when its socket broke (the log daemon
	 * restarted), closes it before it tries to connect again (see the
	 * socket rule below) */
	"close",
	/* signals: the masks glibc sets around some calls, the return
	 * from the SIGSYS reporter, and its ids */
	"rt_sigprocmask", "rt_sigreturn", "getpid", "gettid",
	"exit", "exit_group",
};

/* The ioctls: grant copies, event-channel notifies, the TAP's carrier,
 * and the TAP's steering program (attached or detached as the guest's
 * hash settings turn on or off, by the control-ring worker). */
static const unsigned long sandbox_data_ioctls[] = {
	IOCTL_GNTDEV_GRANT_COPY,
	IOCTL_EVTCHN_NOTIFY,
	TUNSETCARRIER,
	TUNSETSTEERINGEBPF,
};

/*
 * The control thread's wider list, once the privileged part does what
 * needs privilege (privsep.h): besides the workers' calls, files (its
 * view is read-only), sockets (xenstore, the control socket, sd_notify,
 * the part's channel), new threads, dropping a worker's capabilities and
 * loading its filter, any ioctl (grant maps, event channels, the TAP),
 * the steering map's updates. Not in it: execve, fork, ptrace, signals
 * to others (kill only probes, with signal 0: the privileged part
 * signals the scripts), mount and namespaces, modules, keyrings, perf,
 * clocks and reboot. io_uring: the control thread makes a queue's ring
 * (tapio.c: set up disabled, restricted, then enabled); workers only
 * enter it.
 */
static const char *const sandbox_control_calls[] = {
	"open", "openat", "lseek", "pread64", "pwrite64",
	"fstat", "newfstatat", "stat", "lstat", "statx", "statfs", "fstatfs",
	"access", "faccessat", "faccessat2", "readlink", "readlinkat",
	"getdents64", "getcwd", "fcntl", "dup", "dup2", "dup3", "pipe",
	"pipe2", "unlink", "unlinkat", "fsync", "fdatasync",
	/* the control socket's directory and mode, at start-up */
	"mkdir", "mkdirat", "chmod", "fchmod", "fchmodat",
	/* the simulated machine's lock (xensim) */
	"flock",
	"socket", "socketpair", "connect", "bind", "listen", "accept",
	"accept4", "getsockname", "getpeername", "getsockopt", "setsockopt",
	"shutdown", "sendmmsg", "recvmmsg",
	"epoll_create", "epoll_create1", "poll", "ppoll", "select",
	"pselect6", "timerfd_create", "eventfd", "eventfd2", "signalfd",
	"signalfd4", "clock_getres",
	/* the start-up deadline (watchdog.c) */
	"alarm", "setitimer", "getitimer",
	"sched_getaffinity", "set_robust_list", "get_robust_list", "rseq",
	"set_tid_address", "rt_sigaction", "sigaltstack", "rt_sigtimedwait",
	"getppid", "getuid", "geteuid", "getgid", "getegid", "getresuid",
	"getresgid", "getgroups",
	"pidfd_open",
	/* a queue's TAP ring (tapio.c) */
	"io_uring_setup", "io_uring_register",
	/* a worker's start: its capabilities and its filter */
	"prctl", "seccomp", "capget", "capset",
	"ioctl",
	"uname", "sysinfo", "getrandom", "prlimit64", "getrlimit",
};

enum sandbox_mode
sandbox_default_mode(void)
{
#ifdef VIFD_SANITIZED_BUILD
	return SANDBOX_LOG;
#else
	return SANDBOX_KILL;
#endif
}

int
sandbox_mode_parse(const char *s, enum sandbox_mode *out)
{
	if (strcmp(s, "kill") == 0)
		*out = SANDBOX_KILL;
	else if (strcmp(s, "log") == 0)
		*out = SANDBOX_LOG;
	else if (strcmp(s, "off") == 0)
		*out = SANDBOX_OFF;
	else
		return -EINVAL;
	return 0;
}

const char *
sandbox_mode_name(enum sandbox_mode m)
{
	switch (m) {
	case SANDBOX_KILL:
		return "kill";
	case SANDBOX_LOG:
		return "log";
	case SANDBOX_OFF:
		break;
	}
	return "off";
}

enum sandbox_mode
sandbox_mode(void)
{
	return sandbox_cur;
}

/* Appends decimal `v` to buf at *len (async-signal-safe). */
static void
sandbox_put_num(char *buf, size_t size, size_t *len, unsigned long v)
{
	char tmp[24];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0 && n < sizeof(tmp));
	while (n > 0 && *len + 1 < size)
		buf[(*len)++] = tmp[--n];
}

static void
sandbox_put_str(char *buf, size_t size, size_t *len, const char *s)
{
	while (*s != '\0' && *len + 1 < size)
		buf[(*len)++] = *s++;
}

/*
 * SIGSYS from the kill mode's trap: one line, then the default action.
 * SA_RESETHAND has already put SIG_DFL back; the SIGSYS sent here stays
 * blocked until the handler returns, and then ends the process.
 */
static void
sandbox_on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char line[160];
	size_t len = 0;

	(void)sig;
	(void)uc;
	sandbox_put_str(line, sizeof(line), &len, "vifd: sandbox: ");
	sandbox_put_str(line, sizeof(line), &len,
	    sandbox_who[0] != '\0' ? sandbox_who : "a data-plane thread");
	sandbox_put_str(line, sizeof(line), &len,
	    " made system call ");
	sandbox_put_num(line, sizeof(line), &len, (unsigned long)si->si_syscall);
	sandbox_put_str(line, sizeof(line), &len,
	    ", outside its allowlist (scmp_sys_resolver names it); "
	    "killing vifd\n");
	(void)!write(STDERR_FILENO, line, len);
	(void)syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGSYS);
}

/* Allows each of the `n` calls by name (libseccomp maps each to this
 * architecture's number, and skips one this architecture lacks). */
static int
sandbox_allow_names(scmp_filter_ctx ctx, const char *const names[], size_t n)
{
	size_t i;
	int r, nr;

	for (i = 0; i < n; i++) {
		nr = seccomp_syscall_resolve_name(names[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Memory, never executable: nothing of vifd loads code once started
 * (libgcc_s, which glibc loads for a thread's cancellation, is loaded
 * before the control thread's filter). */
static int
sandbox_allow_memory(scmp_filter_ctx ctx)
{
	int r;

	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0))) < 0)
		return r;
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
}

/* Adds the allowlist to ctx. Returns 0, or a negative libseccomp code. */
static int
sandbox_data_rules(scmp_filter_ctx ctx)
{
	size_t i;
	int r;

	r = sandbox_allow_names(ctx, sandbox_data_calls,
	    sizeof(sandbox_data_calls) / sizeof(*sandbox_data_calls));
	if (r < 0)
		return r;
	for (i = 0; i < sizeof(sandbox_data_ioctls) /
	    sizeof(sandbox_data_ioctls[0]); i++) {
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
		    SCMP_A1(SCMP_CMP_EQ, sandbox_data_ioctls[i]));
		if (r < 0)
			return r;
	}
	if ((r = sandbox_allow_memory(ctx)) < 0)
		return r;
	/* The control-ring worker writes the guest's hash settings into
	 * the steering program's map (tap_steer.c); no other bpf(2). */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(bpf), 1,
	    SCMP_A0(SCMP_CMP_EQ, BPF_MAP_UPDATE_ELEM))) < 0)
		return r;
	/* A worker's log line in syslog mode reconnects to the log daemon
	 * when it restarted: refused with an error, not a kill, so that the
	 * line is lost, not vifd; the control thread's next line reconnects
	 * the process's socket. Nothing else may open a socket. */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
	    SCMP_SYS(socket), 0)) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
	    SCMP_SYS(connect), 0)) < 0)
		return r;
	/* The reporter's own SIGSYS, and no other signal to anyone. */
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	    SCMP_A2(SCMP_CMP_EQ, SIGSYS));
}

/* Adds the control thread's list to ctx: its own calls, and the
 * workers' (a worker started later inherits this filter under its own).
 * Returns 0, or a negative libseccomp code. */
static int
sandbox_control_rules(scmp_filter_ctx ctx)
{
	int r;

	if ((r = sandbox_allow_names(ctx, sandbox_control_calls,
	    sizeof(sandbox_control_calls) / sizeof(*sandbox_control_calls))) < 0 ||
	    (r = sandbox_allow_names(ctx, sandbox_data_calls,
	    sizeof(sandbox_data_calls) / sizeof(*sandbox_data_calls))) < 0 ||
	    (r = sandbox_allow_memory(ctx)) < 0)
		return r;
	/* Signals: its own threads only (the SIGSYS reporter, raise), and
	 * kill(2) as a probe (signal 0: is xl devd alive?). */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()))) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1,
	    SCMP_A1(SCMP_CMP_EQ, 0))) < 0)
		return r;
	/* The steering map's updates; the privileged part loads the
	 * program. */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(bpf), 1,
	    SCMP_A0(SCMP_CMP_EQ, BPF_MAP_UPDATE_ELEM))) < 0)
		return r;
	/* Threads, not processes: clone with CLONE_THREAD. clone3 passes
	 * its flags in memory a filter cannot read, so it says ENOSYS and
	 * glibc's pthread_create falls back to clone. */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD))) < 0)
		return r;
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3),
	    0);
}

int
sandbox_enter_control(char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	int r;

	snprintf(sandbox_who, sizeof(sandbox_who), "the control thread");
	if (sandbox_cur == SANDBOX_OFF)
		return 0;
	/* glibc loads libgcc_s (mmap with PROT_EXEC) the first time a
	 * thread is cancelled: libxenstore cancels its reader thread in
	 * xs_close. Loaded now, and never unloaded, that is a no-op. */
	(void)dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_NODELETE);
	ctx = seccomp_init(sandbox_cur == SANDBOX_KILL ? SCMP_ACT_TRAP :
	    SCMP_ACT_LOG);
	if (ctx == NULL) {
		snprintf(err, errlen, "libseccomp cannot make a filter");
		return -ENOMEM;
	}
	r = sandbox_control_rules(ctx);
	if (r < 0) {
		snprintf(err, errlen, "libseccomp refused the control thread's "
		    "allowlist: %s", strerror(-r));
		goto out;
	}
	pthread_mutex_lock(&sandbox_lock);
	r = seccomp_load(ctx);
	pthread_mutex_unlock(&sandbox_lock);
	if (r < 0)
		snprintf(err, errlen, "seccomp_load: %s", strerror(-r));
#ifdef VIFD_TEST_HOOKS
	if (r == 0)
		sandbox_test_violate("control");
#endif
out:
	seccomp_release(ctx);
	return r;
}

int
sandbox_init(enum sandbox_mode mode, char *err, size_t errlen)
{
	struct sigaction sa;
	int r;

	sandbox_cur = SANDBOX_OFF;
	if (mode == SANDBOX_OFF)
		return 0;
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0) {
		r = -errno;
		snprintf(err, errlen, "this kernel has no seccomp (%s); run "
		    "with --sandbox=off", strerror(-r));
		return r;
	}
	sandbox_data = seccomp_init(mode == SANDBOX_KILL ? SCMP_ACT_TRAP :
	    SCMP_ACT_LOG);
	if (sandbox_data == NULL) {
		snprintf(err, errlen, "libseccomp cannot make a filter");
		return -ENOMEM;
	}
	r = sandbox_data_rules(sandbox_data);
	if (r < 0) {
		snprintf(err, errlen, "libseccomp refused the data plane's "
		    "allowlist: %s", strerror(-r));
		goto fail;
	}
	if (mode == SANDBOX_KILL) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = sandbox_on_sigsys;
		sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSYS, &sa, NULL) < 0) {
			r = -errno;
			snprintf(err, errlen, "sigaction SIGSYS: %s",
			    strerror(-r));
			goto fail;
		}
	}
	sandbox_cur = mode;
	return 0;
fail:
	seccomp_release(sandbox_data);
	sandbox_data = NULL;
	return r;
}

#ifdef VIFD_TEST_HOOKS
/*
 * The test hook of a --enable-test-hooks build: a worker whose name
 * starts with $VIFD_TEST_SANDBOX_VIOLATE opens a file once its filter
 * is on, as a compromised worker would; the control thread ("control"),
 * whose list has open, tries mount(2) instead (with no arguments: it
 * fails anyway where the log mode lets it through). tests/rig/sandbox.sh
 * sees vifd stopped (kill) or the call logged (log).
 */
static void
sandbox_test_violate(const char *who)
{
	const char *want = getenv("VIFD_TEST_SANDBOX_VIOLATE");
	int fd;

	if (want == NULL || *want == '\0' ||
	    strncmp(who, want, strlen(want)) != 0)
		return;
	if (strcmp(who, "control") == 0) {
		(void)syscall(SYS_mount, NULL, NULL, NULL, 0UL, NULL);
		return;
	}
	fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
}
#endif

/* True if the calling thread holds `v` in its permitted set. */
static bool
sandbox_cap_held(cap_t cur, cap_value_t v)
{
	cap_flag_value_t on = CAP_CLEAR;

	return cap_get_flag(cur, v, CAP_PERMITTED, &on) == 0 && on == CAP_SET;
}

int
sandbox_bpf_cap(void)
{
	cap_t cur = cap_get_proc();
	int v = -1;

	if (cur == NULL)
		return -1;
	if (sandbox_cap_held(cur, CAP_BPF))
		v = CAP_BPF;
	else if (sandbox_cap_held(cur, CAP_SYS_ADMIN))
		v = CAP_SYS_ADMIN;
	cap_free(cur);
	return v;
}

/*
 * Drops the calling thread's capabilities (they are per thread): all of
 * them, effective, permitted and inheritable alike, so that nothing can
 * raise them again, but for SANDBOX_KEEP_BPF the one bpf(2) accepts
 * (sandbox_bpf_cap). The bounding set is the process's: privdrop.c has
 * already cut it to that one capability, or with --privsep=off it stays
 * root's for the control thread's hotplug scripts.
 */
static int
sandbox_drop_caps(unsigned int keep)
{
	cap_value_t v;
	cap_t c;
	int r = 0;

	c = cap_init();
	if (c == NULL)
		return -errno;
	v = (keep & SANDBOX_KEEP_BPF) ? sandbox_bpf_cap() : -1;
	if (v >= 0 &&
	    (cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0 ||
	    cap_set_flag(c, CAP_PERMITTED, 1, &v, CAP_SET) < 0))
		r = -errno;
	else if (cap_set_proc(c) < 0)
		r = -errno;
	cap_free(c);
	return r;
}

int
sandbox_enter_data(const char *who, unsigned int keep)
{
	int r;

	snprintf(sandbox_who, sizeof(sandbox_who), "%s", who);
	if (sandbox_cur == SANDBOX_OFF || sandbox_data == NULL)
		return 0;
	r = sandbox_drop_caps(keep);
	if (r < 0)
		return r;
	/* seccomp_load builds the program from the shared context: one
	 * thread at a time. */
	pthread_mutex_lock(&sandbox_lock);
	r = seccomp_load(sandbox_data);
	pthread_mutex_unlock(&sandbox_lock);
#ifdef VIFD_TEST_HOOKS
	if (r == 0)
		sandbox_test_violate(who);
#endif
	return r;
}

void
sandbox_fini(void)
{
	if (sandbox_data != NULL)
		seccomp_release(sandbox_data);
	sandbox_data = NULL;
	sandbox_cur = SANDBOX_OFF;
}
