/*
 * cmd_list.c - `vifctl list`: every vif under every domain's backend/vif,
 * with the backend's and the frontend's XenbusState, the guest's MAC and
 * the host-side interface name.
 *
 * Owns only the walk and the table. Everything is read without a
 * transaction: a listing is a snapshot of moving parts, and a vif that
 * vanishes mid-walk simply shows "-" where its nodes were.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vifctl.h"

/* Bounds on what one listing walks: xenstored bounds directories too, but
 * a listing must not trust a hostile guest's number of entries. */
#define LIST_MAX_VIFS	16384u

struct list_vif {
	uint32_t backend, domid, devid;
};

/* A directory's numeric entries (domids or devids) in [0, max]. Returns
 * the count (entries stored up to cap) or -errno; ENOENT is 0. */
static int
list_ids(struct vifctl *c, const char *path, uint32_t max, uint32_t *ids,
    unsigned int cap)
{
	char **dir;
	unsigned int num, i, n = 0;
	uint64_t v;

	dir = c->ops->xs_directory(c->xs, XEN_TXN_NULL, path, &num);
	if (dir == NULL)
		return errno == ENOENT ? 0 : -errno;
	for (i = 0; i < num && n < cap; i++) {
		if (strparse_uint(dir[i], max, &v) != 0)
			continue;
		ids[n++] = (uint32_t)v;
	}
	free(dir);
	return (int)n;
}

static int
list_cmp(const void *a, const void *b)
{
	const struct list_vif *x = a, *y = b;

	if (x->backend != y->backend)
		return x->backend < y->backend ? -1 : 1;
	if (x->domid != y->domid)
		return x->domid < y->domid ? -1 : 1;
	if (x->devid != y->devid)
		return x->devid < y->devid ? -1 : 1;
	return 0;
}

/* "4 Connected", or "-" if the node is missing or garbage; the number
 * in *num (-1: none). */
static void
list_state(struct vifctl *c, const char *dir, char *buf, size_t len,
    int *num)
{
	char path[VIFSPEC_PATH_MAX * 2];
	int s;

	snprintf(path, sizeof(path), "%s/state", dir);
	*num = -1;
	if (vifctl_read_state(c, XEN_TXN_NULL, path, &s) == 0) {
		snprintf(buf, len, "%d %s", s, xenbus_state_str(s, "?"));
		*num = s;
	} else {
		snprintf(buf, len, "-");
	}
}

/* '"' and '\\' as '?', so that a value goes into a JSON string as is. */
static void
list_json_clean(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '"' || *s == '\\')
			*s = '?';
}

/* A state as JSON: {"state":4,"name":"Connected"}, or null. */
static void
list_json_state(const char *key, int s)
{
	if (s < 0)
		printf(",\"%s\":null", key);
	else
		printf(",\"%s\":{\"state\":%d,\"name\":\"%s\"}", key, s,
		    xenbus_state_str(s, "?"));
}

/* A short value for the table, "-" if missing; never longer than len. */
static void
list_value(struct vifctl *c, const char *dir, const char *key, char *buf,
    size_t len)
{
	char path[VIFSPEC_PATH_MAX * 2], *v;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	v = vifctl_read(c, XEN_TXN_NULL, path);
	if (v == NULL || v[0] == '\0') {
		snprintf(buf, len, "-");
	} else {
		snprintf(buf, len, "%s", v);
		/* Keep the table one line per vif. */
		for (i = 0; buf[i] != '\0'; i++)
			if ((unsigned char)buf[i] <= ' ' ||
			    (unsigned char)buf[i] >= 0x7f)
				buf[i] = '?';
	}
	free(v);
}

static int
list_opt(struct vifctl *c, void *arg, int val, const char *optarg)
{
	(void)c;
	(void)optarg;
	if (val != 'j')
		return VIFCTL_USAGE;
	*(bool *)arg = true;
	return 0;
}

static int
list_run(struct vifctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	static uint32_t doms[LIST_MAX_VIFS], guests[LIST_MAX_VIFS];
	static uint32_t devs[LIST_MAX_VIFS];
	static struct list_vif vifs[LIST_MAX_VIFS];
	char path[VIFSPEC_PATH_MAX], be[VIFSPEC_PATH_MAX], fe[VIFSPEC_PATH_MAX];
	char bstate[32], fstate[32], mac[32], tap[32];
	struct vifspec_ids ids;
	unsigned int nv = 0;
	int first, r, nd, ng, nn, i, j, k, bs, fs;
	bool json = false;

	r = vifctl_getopt(c, &vifctl_cmd_list, argc, argv, opts, list_opt,
	    &json, &first);
	if (r != 0)
		return r == VIFCTL_DONE ? VIFCTL_OK : r;
	if (first != argc) {
		vifctl_err("list: unexpected argument '%s'", argv[first]);
		return VIFCTL_USAGE;
	}
	if ((r = vifctl_xs_open(c)) != 0)
		return r;

	if (c->backend_domid >= 0) {
		doms[0] = (uint32_t)c->backend_domid;
		nd = 1;
	} else {
		nd = list_ids(c, "/local/domain", VIFSPEC_DOMID_MAX, doms,
		    LIST_MAX_VIFS);
		if (nd < 0) {
			vifctl_err("list: cannot read /local/domain: %s",
			    strerror(-nd));
			return VIFCTL_FAIL;
		}
	}
	for (i = 0; i < nd && nv < LIST_MAX_VIFS; i++) {
		snprintf(path, sizeof(path), "/local/domain/%u/backend/vif",
		    doms[i]);
		ng = list_ids(c, path, VIFSPEC_DOMID_MAX, guests,
		    LIST_MAX_VIFS);
		for (j = 0; j < ng && nv < LIST_MAX_VIFS; j++) {
			snprintf(path, sizeof(path),
			    "/local/domain/%u/backend/vif/%u", doms[i],
			    guests[j]);
			nn = list_ids(c, path, VIFSPEC_DEVID_MAX, devs,
			    LIST_MAX_VIFS - nv);
			for (k = 0; k < nn; k++) {
				vifs[nv].backend = doms[i];
				vifs[nv].domid = guests[j];
				vifs[nv].devid = devs[k];
				nv++;
			}
		}
	}
	qsort(vifs, nv, sizeof(vifs[0]), list_cmp);

	if (json)
		printf("{\"vifs\":[");
	else
		printf("%-7s %-6s %-6s %-16s %-16s %-17s %s\n", "BACKEND",
		    "DOMID", "DEVID", "BACKEND-STATE", "FRONTEND-STATE", "MAC",
		    "TAP");
	for (i = 0; i < (int)nv; i++) {
		ids.backend_domid = vifs[i].backend;
		ids.domid = vifs[i].domid;
		ids.devid = vifs[i].devid;
		vifspec_backend_dir(&ids, be, sizeof(be));
		vifspec_frontend_dir(&ids, fe, sizeof(fe));
		list_state(c, be, bstate, sizeof(bstate), &bs);
		list_state(c, fe, fstate, sizeof(fstate), &fs);
		list_value(c, be, "mac", mac, sizeof(mac));
		list_value(c, be, "vifname", tap, sizeof(tap));
		if (strcmp(tap, "-") == 0)
			snprintf(tap, sizeof(tap), "vif%u.%u", ids.domid,
			    ids.devid);
		if (!json) {
			printf("%-7u %-6u %-6u %-16s %-16s %-17s %s\n",
			    ids.backend_domid, ids.domid, ids.devid, bstate,
			    fstate, mac, tap);
			continue;
		}
		/* list_value made mac and tap printable ASCII without
		 * spaces; '"' and '\\' cannot be in a MAC or a netdev
		 * name vifd accepts, but a hand-written node may hold
		 * them: they become '?' here too. */
		list_json_clean(mac);
		list_json_clean(tap);
		printf("%s{\"backend\":%u,\"domid\":%u,\"devid\":%u",
		    i ? "," : "", ids.backend_domid, ids.domid, ids.devid);
		list_json_state("backend_state", bs);
		list_json_state("frontend_state", fs);
		printf(",\"mac\":%s%s%s,\"tap\":\"%s\"}",
		    strcmp(mac, "-") ? "\"" : "", strcmp(mac, "-") ? mac : "null",
		    strcmp(mac, "-") ? "\"" : "", tap);
	}
	if (json)
		printf("]}\n");
	if (fflush(stdout) != 0 || ferror(stdout)) {
		vifctl_err("list: cannot write the output");
		return VIFCTL_FAIL;
	}
	return VIFCTL_OK;
}

const struct vifctl_cmd vifctl_cmd_list = {
	.name = "list",
	.synopsis = "[--json]",
	.summary = "show every vif (of --backend-domid's, or of every "
	    "backend) with both states",
	.options = "  --json             one JSON object (schema: vifctl(8))\n",
	.run = list_run,
};
