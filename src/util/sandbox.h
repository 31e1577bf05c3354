/*
 * sandbox.h - the seccomp allowlist of vifd's data plane.
 *
 * The threads that read guest memory and the TAP (the queue workers and
 * the control-ring workers) run under a filter that allows the system
 * calls they need and nothing else. The control thread is not filtered:
 * it starts the hotplug scripts, which inherit any filter across execve
 * (see vifd.8, SANDBOX).
 */
#ifndef VIFD_SANDBOX_H
#define VIFD_SANDBOX_H

#include <stddef.h>

enum sandbox_mode {
	SANDBOX_OFF,	/* no filter */
	SANDBOX_LOG,	/* a syscall outside the list is allowed and logged
			 * by the kernel (audit type 1326): for sanitizer
			 * builds, whose reports make syscalls of their own */
	SANDBOX_KILL,	/* a syscall outside the list kills the process,
			 * after one line naming the thread and the call */
};

/* The default: kill, or log in a sanitizer build. */
enum sandbox_mode sandbox_default_mode(void);

/* Parses "kill", "log" or "off". Returns 0, or -EINVAL. */
int sandbox_mode_parse(const char *s, enum sandbox_mode *out);

const char *sandbox_mode_name(enum sandbox_mode m);

/*
 * Builds the data plane's filter once, for `mode`, and installs the
 * SIGSYS reporter of the kill mode. Call from the main thread before any
 * data-plane thread starts. Returns 0, or -errno with a message in err
 * (seccomp missing from the kernel, libseccomp failing).
 */
int sandbox_init(enum sandbox_mode mode, char *err, size_t errlen);

/* The mode sandbox_init was given (SANDBOX_OFF before it). */
enum sandbox_mode sandbox_mode(void);

/* The capability bpf(2) accepts that this thread holds: CAP_BPF, else
 * CAP_SYS_ADMIN (kernels before 5.8), else -1. */
int sandbox_bpf_cap(void);

/* What a worker keeps of root's capabilities: nothing, or CAP_BPF (the
 * control-ring worker updates the steering map; bpf(2) wants it where
 * unprivileged BPF is off, Debian's default). */
#define SANDBOX_NO_CAPS		0u
#define SANDBOX_KEEP_BPF	1u

/*
 * Puts the calling thread, and only it, in the data plane's sandbox
 * (nothing in SANDBOX_OFF): it drops every capability but those `keep`
 * names (SANDBOX_*), then loads the filter. `who` names the thread in the
 * kill mode's report (at most 31 bytes are kept). Neither can be undone:
 * call it at the top of the thread. Returns 0, or -errno.
 */
int sandbox_enter_data(const char *who, unsigned int keep);

/*
 * Puts the calling thread, the control thread, under its own wider
 * allowlist (nothing in SANDBOX_OFF): for a vifd whose privileged part
 * runs the hotplug scripts and makes the TAPs (privsep.h), so that it
 * needs no execve, fork or mount. Threads it starts later inherit the
 * filter beneath their own. Returns 0, or -errno with why in `err`.
 */
int sandbox_enter_control(char *err, size_t errlen);

/* Frees what sandbox_init built (the loaded filters stay). */
void sandbox_fini(void);

#endif
