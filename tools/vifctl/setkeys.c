/*
 * setkeys.c - writing keys of an existing vif's backend directory, for
 * the commands that change a running vif (port; rate).
 *
 * Owns the one transaction such a change is: the directory must exist in
 * it (a vif being removed is not recreated in part), every key changes or
 * none does, and a conflict with another writer is retried.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vifctl.h"

/* The keys inside transaction t. 0 or -errno (-ENODEV: no directory). */
static int
setkeys_txn(struct vifctl *c, xen_txn_t t, const char *be,
    const struct vifctl_key *keys, unsigned int n,
    const struct xen_xs_perm perms[2])
{
	char path[VIFSPEC_PATH_MAX + 64];
	unsigned int i;
	int r;

	r = vifctl_exists(c, t, be);
	if (r <= 0)
		return r == 0 ? -ENODEV : r;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", be, keys[i].key);
		if (keys[i].value == NULL) {
			r = c->ops->xs_rm(c->xs, t, path);
			if (r == -ENOENT)
				r = 0;
		} else {
			r = c->ops->xs_write(c->xs, t, path, keys[i].value,
			    (unsigned int)strlen(keys[i].value));
			if (r == 0)
				r = c->ops->xs_set_perms(c->xs, t, path, perms,
				    2);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int
vifctl_set_keys(struct vifctl *c, const char *what, uint32_t domid,
    uint32_t devid, const struct vifctl_key *keys, unsigned int n)
{
	struct vifspec_ids ids = { .domid = domid, .devid = devid };
	struct xen_xs_perm perms[2];
	char be[VIFSPEC_PATH_MAX];
	xen_txn_t t;
	int r, tries;

	if ((r = vifctl_xs_open(c)) != 0)
		return r;
	if ((r = vifctl_find_backend(c, domid, devid,
	    &ids.backend_domid)) != 0)
		return r;
	vifspec_backend_dir(&ids, be, sizeof(be));
	vifctl_node_perms(VIFSPEC_PERM_BACKEND, &ids, perms);
	for (tries = 0; tries < VIFCTL_TXN_RETRIES; tries++) {
		r = c->ops->xs_txn_start(c->xs, &t);
		if (r < 0)
			break;
		r = setkeys_txn(c, t, be, keys, n, perms);
		if (r < 0) {
			c->ops->xs_txn_end(c->xs, t, true);
			break;
		}
		r = c->ops->xs_txn_end(c->xs, t, false);
		if (r != -EAGAIN)
			break;
	}
	if (r == -ENODEV) {
		vifctl_err("%s: no vif %u/%u (no %s)", what, domid, devid, be);
		return VIFCTL_FAIL;
	}
	if (r < 0) {
		vifctl_err("%s: vif %u/%u: %s", what, domid, devid,
		    r == -EAGAIN ? "the transaction kept conflicting" :
		    strerror(-r));
		return VIFCTL_FAIL;
	}
	return 0;
}
