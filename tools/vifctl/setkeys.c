/*
 * setkeys.c - writing keys of an existing vif's backend directory, for
 * the commands that change a running vif (port; rate).
 *
 * Owns the keys' writing and permissions; the transaction around them
 * (the directory must exist in it, every key changes or none does, a
 * conflict is retried) is vifctl_backend_txn's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vifctl.h"

struct setkeys {
	const char *be;
	const struct vifctl_key *keys;
	unsigned int n;
	struct xen_xs_perm perms[2];
};

/* The keys inside transaction t (vifctl_backend_txn's apply). */
static int
setkeys_apply(struct vifctl *c, xen_txn_t t, void *arg)
{
	const struct setkeys *a = arg;
	char path[VIFSPEC_PATH_MAX + 64];
	unsigned int i;
	int r;

	for (i = 0; i < a->n; i++) {
		snprintf(path, sizeof(path), "%s/%s", a->be, a->keys[i].key);
		if (a->keys[i].value == NULL) {
			r = c->ops->xs_rm(c->xs, t, path);
			if (r == -ENOENT)
				r = 0;
		} else {
			r = c->ops->xs_write(c->xs, t, path, a->keys[i].value,
			    (unsigned int)strlen(a->keys[i].value));
			if (r == 0)
				r = c->ops->xs_set_perms(c->xs, t, path,
				    a->perms, 2);
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
	struct setkeys a = { NULL, keys, n, { { 0 } } };
	char be[VIFSPEC_PATH_MAX];
	int r;

	if ((r = vifctl_xs_open(c)) != 0)
		return r;
	if ((r = vifctl_find_backend(c, domid, devid,
	    &ids.backend_domid)) != 0)
		return r;
	vifspec_backend_dir(&ids, be, sizeof(be));
	vifctl_node_perms(VIFSPEC_PERM_BACKEND, &ids, a.perms);
	a.be = be;
	r = vifctl_backend_txn(c, be, setkeys_apply, &a);
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
