/*
 * vifd.h - the daemon's context: configuration and the control thread's
 * state. Only the control thread reads or writes a struct vifd; workers
 * get what they need copied into their own structs.
 */
#ifndef VIFD_VIFD_H
#define VIFD_VIFD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "util/loop.h"
#include "seam/xen_ops.h"
#include "ctrl/xswatch.h"

/* Defaults, each with its source. */
#define VIFD_MAX_QUEUES_CAP	8u	/* Linux: min(8, online CPUs) */
#define VIFD_HOTPLUG_TIMEOUT_S	40u	/* libxl LIBXL_HOTPLUG_TIMEOUT */
#define VIFD_DEFAULT_SCRIPT	"vif-bridge"	/* libxl's default script */
/* Start-up deadline: xenstored answers in milliseconds; this is well
 * inside libxl's 10 s InitWait window and systemd's start timeout. */
#define VIFD_START_TIMEOUT_S	10u
/* XSA-349: a frontend that rewrites its state faster than this (events
 * per second) has its watch suspended for a second; a legitimate
 * handshake writes it a handful of times. */
#define VIFD_FE_EVENTS_PER_SEC	200

struct backend;
struct ctl;

struct vifd_config {
	const char *xen;		/* --xen= */
	long domid;			/* --domid, -1: ask xenstore */
	bool foreground;
	int verbosity;
	unsigned int max_queues;	/* multi-queue-max-queues we offer */
	bool split_evtchn;		/* feature-split-event-channels */
	bool software_steering;		/* --steering=software: no BPF */
	bool tap_io_plain;		/* --tap-io=plain: no io_uring */
	enum vifd_hotplug_mode {
		VIFD_HOTPLUG_AUTO,	/* vifd unless a toolstack does */
		VIFD_HOTPLUG_VIFD,	/* vifd runs every script */
		VIFD_HOTPLUG_TOOLSTACK,	/* libxl / xl devd run them */
	} hotplug;
	const char *script_dir;		/* relative `script` names live here */
	unsigned int hotplug_timeout_s;
	const char *ctl_path;		/* control socket; NULL: default */
	const char *sysfs_root;		/* where sysfs is (--sysfs); NULL: /sys */
	unsigned int start_timeout_s;	/* xenstore must answer by then */
	int sandbox;			/* --sandbox (enum sandbox_mode) */
	bool privsep;			/* --privsep: a privileged part */
};

TAILQ_HEAD(backend_list, backend);

struct vifd {
	struct vifd_config cfg;
	struct xen_env *env;
	struct xen_xs *xs;
	uint32_t domid;
	char root[128];			/* .../backend/vif */
	char xenstored_path[256];	/* XENSTORED_PATH for scripts, if any */
	struct loop loop;
	struct loop_watch xs_watch;
	struct loop_watch sig_watch;
	int sigfd;
	struct xswatch xsw;
	struct backend_list backends;
	unsigned int nbackends;
	/* Workers report fatal frontend errors through this eventfd. */
	int upcall_fd;
	struct loop_watch upcall_watch;
	/* One tick a second: watch caps, retries. */
	int tick_fd;
	struct loop_watch tick_watch;
	bool release_pending;		/* @releaseDomain fired */
	struct ctl *ctl;
	/* The privileged part's end of the channel hanging up. */
	struct loop_watch priv_watch;
	int exit_code;
};

#endif
