/*
 * cmd_port.c - `vifctl port`: a running vif's link state, bridge port
 * isolation and VLANs (libvirt's <link state>, <port isolated>, <vlan>).
 *
 * Owns the command line of vifd's keys `vifd-link` ("up"/"down"),
 * `vifd-isolated` ("1"/"0") and `vifd-vlan` (src/core/vlanspec.h); vifd
 * applies them live (src/ctrl/backend_port.c). Every value is checked
 * before anything is written, and the keys change in one transaction.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/vlanspec.h"
#include "vifctl.h"

enum { OPT_LINK = 256, OPT_ISOLATED, OPT_VLAN };

struct port_args {
	const char *link;		/* "up", "down" or NULL */
	const char *isolated;		/* "1", "0" or NULL */
	const char *vlan;		/* a vlanspec, "none" or NULL */
};

static int
port_opt(struct vifctl *c, void *arg, int val, const char *optarg)
{
	static const char *const yes[] = { "yes", "on", "1", "true" };
	static const char *const no[] = { "no", "off", "0", "false" };
	struct port_args *a = arg;
	size_t i;

	(void)c;
	if (val == OPT_LINK) {
		if (strcmp(optarg, "up") != 0 && strcmp(optarg, "down") != 0) {
			vifctl_err("port: --link '%s': up or down", optarg);
			return VIFCTL_USAGE;
		}
		a->link = optarg;
		return 0;
	}
	if (val == OPT_VLAN) {
		struct vlanspec vs;
		char err[128];

		if (strcmp(optarg, "none") != 0 &&
		    vlanspec_parse(optarg, &vs, err, sizeof(err)) < 0) {
			vifctl_err("port: --vlan '%s': %s (VLAN is ID, "
			    "trunk:ID[,ID...] with one ID=native-untagged or "
			    "=native-tagged at most, or none)", optarg, err);
			return VIFCTL_USAGE;
		}
		a->vlan = optarg;
		return 0;
	}
	if (val != OPT_ISOLATED)
		return VIFCTL_USAGE;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(optarg, yes[i]) == 0)
			a->isolated = "1";
		if (strcmp(optarg, no[i]) == 0)
			a->isolated = "0";
	}
	if (a->isolated == NULL) {
		vifctl_err("port: --isolated '%s': yes or no", optarg);
		return VIFCTL_USAGE;
	}
	return 0;
}

static int
port_run(struct vifctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "link", required_argument, NULL, OPT_LINK },
		{ "isolated", required_argument, NULL, OPT_ISOLATED },
		{ "vlan", required_argument, NULL, OPT_VLAN },
		{ NULL, 0, NULL, 0 },
	};
	struct port_args a = { NULL, NULL, NULL };
	struct vifspec_ids ids = { 0 };
	struct vifctl_key keys[3];
	unsigned int n = 0;
	int first, r;
	bool given;

	r = vifctl_getopt(c, &vifctl_cmd_port, argc, argv, opts, port_opt, &a,
	    &first);
	if (r != 0)
		return r == VIFCTL_DONE ? VIFCTL_OK : r;
	if ((r = vifctl_ids_args(&vifctl_cmd_port, argc, argv, first, false,
	    &ids, &given)) != 0)
		return r;
	if (a.link == NULL && a.isolated == NULL && a.vlan == NULL) {
		vifctl_err("port: nothing to do: give --link, --isolated "
		    "and/or --vlan");
		return VIFCTL_USAGE;
	}
	if (a.link != NULL)
		keys[n++] = (struct vifctl_key){ VIFCTL_LINK_KEY, a.link };
	if (a.isolated != NULL)
		keys[n++] = (struct vifctl_key){ VIFCTL_ISOLATED_KEY,
		    a.isolated };
	if (a.vlan != NULL)
		keys[n++] = (struct vifctl_key){ VIFCTL_VLAN_KEY,
		    strcmp(a.vlan, "none") == 0 ? NULL : a.vlan };
	if ((r = vifctl_set_keys(c, "port", ids.domid, ids.devid, keys,
	    n)) != 0)
		return r;
	if (a.link != NULL)
		printf("link: %s\n", a.link);
	if (a.isolated != NULL)
		printf("isolated: %s\n", a.isolated[0] == '1' ? "yes" : "no");
	if (a.vlan != NULL)
		printf("vlan: %s\n", a.vlan);
	return VIFCTL_OK;
}

const struct vifctl_cmd vifctl_cmd_port = {
	.name = "port",
	.synopsis = "[--link=up|down] [--isolated=yes|no] [--vlan=VLAN] "
	    "DOMID DEVID",
	.summary = "set a vif's link state, bridge port isolation and VLANs, "
	    "live",
	.options =
	    "  --link=up|down     down: as if the cable were pulled (frames\n"
	    "                     dropped each way, the TAP's carrier off)\n"
	    "  --isolated=yes|no  the TAP's Linux bridge port forwards only\n"
	    "                     to ports that are not isolated\n"
	    "  --vlan=VLAN        ID (an access port), trunk:ID[,ID...] with\n"
	    "                     at most one ID=native-untagged or\n"
	    "                     ID=native-tagged, or none\n",
	.run = port_run,
};
