/*
 * cmd_parse.c - `vifctl parse`: the xenstore nodes libxl would write for a
 * vif spec, without touching xenstore.
 *
 * Owns the printing of a node list (`PATH = "VALUE"`, sorted, optionally
 * with xenstore-ls -p style permissions). The list itself comes from
 * vifspec_nodes(), the same one `vifctl attach` writes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vifctl.h"

struct parse_args {
	uint32_t domid;
	bool devid_given;
	uint32_t devid;
	enum vifspec_mac_mode mac_mode;
	const char *script_dir;
	bool perms;
};

enum { OPT_DOMID = 256, OPT_DEVID, OPT_MAC_MODE, OPT_SCRIPT_DIR, OPT_PERMS };

static int
parse_opt(struct vifctl *c, void *arg, int val, const char *optarg)
{
	struct parse_args *a = arg;

	(void)c;
	switch (val) {
	case OPT_DOMID:
		return vifctl_parse_u32("--domid", optarg, VIFSPEC_DOMID_MAX,
		    &a->domid);
	case OPT_DEVID:
		a->devid_given = true;
		return vifctl_parse_u32("--devid", optarg, VIFSPEC_DEVID_MAX,
		    &a->devid);
	case OPT_MAC_MODE:
		return vifctl_parse_mac_mode(optarg, &a->mac_mode);
	case OPT_SCRIPT_DIR:
		a->script_dir = optarg;
		return 0;
	case OPT_PERMS:
		a->perms = true;
		return 0;
	default:
		return VIFCTL_USAGE;
	}
}

static int
parse_run(struct vifctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "domid", required_argument, NULL, OPT_DOMID },
		{ "devid", required_argument, NULL, OPT_DEVID },
		{ "mac-mode", required_argument, NULL, OPT_MAC_MODE },
		{ "script-dir", required_argument, NULL, OPT_SCRIPT_DIR },
		{ "perms", no_argument, NULL, OPT_PERMS },
		{ NULL, 0, NULL, 0 },
	};
	static struct vifspec vs;
	static struct vifspec_node nodes[VIFSPEC_MAX_NODES];
	struct parse_args a = { .domid = 1 };
	struct vifspec_ids ids;
	struct xen_xs_perm perms[2];
	char pbuf[64];
	int first, r, n, i;

	r = vifctl_getopt(c, &vifctl_cmd_parse, argc, argv, opts, parse_opt,
	    &a, &first);
	if (r != 0)
		return r == VIFCTL_DONE ? VIFCTL_OK : r;
	if (argc - first != 1) {
		vifctl_err("parse: expected one vif spec, got %d arguments "
		    "(quote the spec; see vifctl parse --help)", argc - first);
		return VIFCTL_USAGE;
	}
	r = vifctl_spec_parse(argv[first], a.mac_mode, a.script_dir, &vs);
	if (r != 0)
		return r;

	ids.domid = a.domid;
	ids.devid = a.devid_given ? a.devid : vs.devid_given ? vs.devid : 0;
	if (c->backend_domid >= 0) {
		ids.backend_domid = (uint32_t)c->backend_domid;
	} else if (vs.backend == NULL) {
		ids.backend_domid = 0;
	} else if (vs.backend_is_domid) {
		ids.backend_domid = vs.backend_domid;
	} else {
		vifctl_err("parse: backend=%s is a domain name, which only "
		    "xenstore can resolve; give a domid or --backend-domid",
		    vs.backend);
		return VIFCTL_USAGE;
	}

	n = vifspec_nodes(&vs, &ids, nodes, VIFSPEC_MAX_NODES);
	if (n < 0) {
		vifctl_err("parse: cannot list the nodes: %s", strerror(-n));
		return VIFCTL_FAIL;
	}
	for (i = 0; i < n; i++) {
		printf("%s = \"", nodes[i].path);
		vifctl_print_quoted(stdout, vifspec_node_value(&nodes[i]));
		putchar('"');
		if (a.perms) {
			vifctl_node_perms(nodes[i].perm, &ids, perms);
			vifctl_format_perms(perms, 2, pbuf, sizeof(pbuf));
			printf("  (%s)", pbuf);
		}
		putchar('\n');
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		vifctl_err("parse: cannot write the output");
		return VIFCTL_FAIL;
	}
	return VIFCTL_OK;
}

const struct vifctl_cmd vifctl_cmd_parse = {
	.name = "parse",
	.synopsis = "[--domid=D] [--devid=N] [--perms] 'SPEC'",
	.summary = "print the xenstore nodes libxl would write for SPEC",
	.options =
	    "  --domid=D          the guest's domid (default 1)\n"
	    "  --devid=N          the device id (default: the spec's devid= "
	    "or 0)\n"
	    "  --perms            show each node's permissions (n0,r1: owner "
	    "0, 1 may read)\n"
	    "  --mac-mode=xen|local  how a missing mac= is made: Xen's OUI "
	    "00:16:3e\n"
	    "                     (default, as libxl) or a random locally "
	    "administered one\n"
	    "  --script-dir=DIR   where a relative script= lives (default "
	    "/etc/xen/scripts)\n",
	.run = parse_run,
};
