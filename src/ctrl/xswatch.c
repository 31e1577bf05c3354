/*
 * xswatch.c - turns watch events under backend/vif into device arrivals,
 * departures and key changes.
 *
 * Owns the sorted set of known <domid>/<devid> directories. A watch event
 * on the root, a domid directory or a device directory triggers a bounded
 * rescan; an event on a key below a known device is passed on as a change.
 * xenstored may coalesce or reorder nothing it has promised, but a rescan
 * is always correct, so we rescan rather than trust event paths for
 * existence.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "core/strparse.h"
#include "ctrl/xswatch.h"

int
xswatch_parse_id(const char *s, uint32_t *out)
{
	/* Keys a toolstack writes are canonical: no sign, space or
	 * leading zero. */
	return strparse_id(s, out);
}

static int
xswatch_cmp(const void *a, const void *b)
{
	const struct xswatch_dev *x = a, *y = b;

	if (x->domid != y->domid)
		return x->domid < y->domid ? -1 : 1;
	if (x->devid != y->devid)
		return x->devid < y->devid ? -1 : 1;
	return 0;
}

static bool
xswatch_known(const struct xswatch *w, uint32_t domid, uint32_t devid)
{
	struct xswatch_dev key = { domid, devid };

	return w->ndevs > 0 && bsearch(&key, w->devs, w->ndevs,
	    sizeof(key), xswatch_cmp) != NULL;
}

int
xswatch_init(struct xswatch *w, struct xen_env *env, struct xen_xs *xs,
    const char *root, const struct xswatch_ops *ops, void *arg)
{
	int r;

	memset(w, 0, sizeof(*w));
	w->env = env;
	w->xs = xs;
	w->ops = ops;
	w->arg = arg;
	w->root = strdup(root);
	if (w->root == NULL)
		return -ENOMEM;
	w->rootlen = strlen(root);
	r = env->ops->xs_watch(xs, root, XSWATCH_TOKEN);
	if (r < 0) {
		free(w->root);
		w->root = NULL;
	}
	return r;
}

void
xswatch_fini(struct xswatch *w)
{
	if (w->root != NULL)
		(void)w->env->ops->xs_unwatch(w->xs, w->root, XSWATCH_TOKEN);
	free(w->root);
	free(w->devs);
	memset(w, 0, sizeof(*w));
}

/* Appends the devices under root/<domid> to `out`. */
static int
xswatch_scan_domain(struct xswatch *w, uint32_t domid,
    struct xswatch_dev *out, size_t *n)
{
	char path[256];
	char **ents;
	unsigned int i, num = 0;

	snprintf(path, sizeof(path), "%s/%u", w->root, domid);
	ents = w->env->ops->xs_directory(w->xs, XEN_TXN_NULL, path, &num);
	if (ents == NULL)
		return errno == ENOENT ? 0 : -errno;
	for (i = 0; i < num; i++) {
		uint32_t devid;

		if (xswatch_parse_id(ents[i], &devid) < 0) {
			log_warnx("ignoring %s/%s: not a device id", path,
			    ents[i]);
			continue;
		}
		if (*n >= XSWATCH_MAX_DEVICES) {
			log_warnx("more than %d vif backends; ignoring the rest",
			    XSWATCH_MAX_DEVICES);
			break;
		}
		out[*n].domid = domid;
		out[*n].devid = devid;
		(*n)++;
	}
	free(ents);
	return 0;
}

int
xswatch_rescan(struct xswatch *w)
{
	struct xswatch_dev *now;
	size_t n = 0, i, j;
	char **doms;
	unsigned int k, ndoms = 0;
	int r = 0;

	now = calloc(XSWATCH_MAX_DEVICES, sizeof(*now));
	if (now == NULL)
		return -ENOMEM;
	doms = w->env->ops->xs_directory(w->xs, XEN_TXN_NULL, w->root, &ndoms);
	if (doms == NULL && errno != ENOENT) {
		r = -errno;
		free(now);
		return r;
	}
	for (k = 0; doms != NULL && k < ndoms; k++) {
		uint32_t domid;

		if (xswatch_parse_id(doms[k], &domid) < 0) {
			log_warnx("ignoring %s/%s: not a domain id", w->root,
			    doms[k]);
			continue;
		}
		r = xswatch_scan_domain(w, domid, now, &n);
		if (r < 0)
			break;
	}
	free(doms);
	if (r < 0) {
		free(now);
		return r;
	}
	qsort(now, n, sizeof(*now), xswatch_cmp);

	/* Merge the old and new sorted sets; swap in the new set before the
	 * callbacks run, so that a callback may look us up. */
	{
		struct xswatch_dev *old = w->devs;
		size_t nold = w->ndevs;

		w->devs = now;
		w->ndevs = n;
		for (i = 0, j = 0; i < nold || j < n; ) {
			int c;

			if (i == nold)
				c = 1;
			else if (j == n)
				c = -1;
			else
				c = xswatch_cmp(&old[i], &now[j]);
			if (c < 0) {
				w->ops->removed(w->arg, old[i].domid,
				    old[i].devid);
				i++;
			} else if (c > 0) {
				w->ops->added(w->arg, now[j].domid,
				    now[j].devid);
				j++;
			} else {
				i++;
				j++;
			}
		}
		free(old);
	}
	return 0;
}

int
xswatch_event(struct xswatch *w, const char *path, const char *token)
{
	const char *rest;
	char comp[2][16];
	int ncomp = 0;

	if (strcmp(token, XSWATCH_TOKEN) != 0)
		return 0;
	if (strncmp(path, w->root, w->rootlen) != 0 ||
	    (path[w->rootlen] != '\0' && path[w->rootlen] != '/'))
		return 1;	/* not below our root: nothing to do */
	rest = path + w->rootlen;

	/* Split off up to two components: <domid>/<devid>. */
	while (*rest == '/' && ncomp < 2) {
		size_t len;

		rest++;
		len = strcspn(rest, "/");
		if (len == 0 || len >= sizeof(comp[0]))
			return xswatch_rescan(w) < 0 ? -EIO : 1;
		memcpy(comp[ncomp], rest, len);
		comp[ncomp][len] = '\0';
		ncomp++;
		rest += len;
	}
	if (ncomp == 2 && *rest == '/') {
		uint32_t domid, devid;

		if (xswatch_parse_id(comp[0], &domid) == 0 &&
		    xswatch_parse_id(comp[1], &devid) == 0 &&
		    xswatch_known(w, domid, devid)) {
			w->ops->changed(w->arg, domid, devid, rest + 1);
			return 1;
		}
	}
	/* The root, a domain dir, a device dir, or a key of a device we do
	 * not know yet: the set may have changed. */
	{
		int r = xswatch_rescan(w);
		uint32_t domid, devid;

		if (r < 0)
			return r;
		/* An event on a device dir that is still there after the
		 * rescan: it may have been removed and made again between
		 * two scans (xl network-detach then -attach). Tell the owner,
		 * who can tell a new directory from its old one. */
		if (ncomp == 2 && *rest == '\0' &&
		    xswatch_parse_id(comp[0], &domid) == 0 &&
		    xswatch_parse_id(comp[1], &devid) == 0 &&
		    xswatch_known(w, domid, devid))
			w->ops->changed(w->arg, domid, devid, "");
	}
	return 1;
}
