/*
 * xswatch.h - which vif backend directories exist.
 *
 * Watches /local/domain/<self>/backend/vif and turns xenstore watch events
 * into three callbacks: a device directory <domid>/<devid> appeared, went
 * away, or a key below it changed. It owns the set of known devices and
 * nothing else; it never interprets keys.
 */
#ifndef VIFD_XSWATCH_H
#define VIFD_XSWATCH_H

#include <stdint.h>

#include "seam/xen_ops.h"

/* Bounds on what a scan accepts: more is a misconfiguration, not a crash. */
#define XSWATCH_MAX_DEVICES	4096

struct xswatch_ops {
	void (*added)(void *arg, uint32_t domid, uint32_t devid);
	void (*removed)(void *arg, uint32_t domid, uint32_t devid);
	/* `key` is the path below the device directory ("state", ...), or
	 * "" for an event on the directory itself. */
	void (*changed)(void *arg, uint32_t domid, uint32_t devid,
	    const char *key);
};

struct xswatch_dev {
	uint32_t domid;
	uint32_t devid;
};

struct xswatch {
	struct xen_env *env;
	struct xen_xs *xs;
	char *root;		/* ".../backend/vif" */
	size_t rootlen;
	const struct xswatch_ops *ops;
	void *arg;
	struct xswatch_dev *devs;	/* sorted by (domid, devid) */
	size_t ndevs;
};

#define XSWATCH_TOKEN "vifd:backend"

/* Starts watching `root`; the initial watch event triggers the first scan. */
int xswatch_init(struct xswatch *w, struct xen_env *env, struct xen_xs *xs,
    const char *root, const struct xswatch_ops *ops, void *arg);
void xswatch_fini(struct xswatch *w);

/*
 * Feeds one watch event. Returns 1 if it was ours (token matched), 0 if
 * not, -errno if a rescan failed.
 */
int xswatch_event(struct xswatch *w, const char *path, const char *token);

/* Rescans the whole tree now and reports differences. */
int xswatch_rescan(struct xswatch *w);

/* Parses a decimal domid/devid path component strictly. */
int xswatch_parse_id(const char *s, uint32_t *out);

#endif
