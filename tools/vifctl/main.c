/*
 * main.c - vifctl's entry point: global options and the table of
 * subcommands.
 *
 * Owns the command line up to the subcommand's name: --xen, --backend-domid,
 * --help, --version, then dispatches to the subcommand, which parses the
 * rest (global options may also follow it). A new subcommand is a new
 * cmd_*.c defining a struct vifctl_cmd, declared in vifctl.h and listed in
 * vifctl_cmds below.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vifctl.h"

static const struct vifctl_cmd *const vifctl_cmds[] = {
	&vifctl_cmd_parse,
	&vifctl_cmd_attach,
	&vifctl_cmd_detach,
	&vifctl_cmd_list,
	&vifctl_cmd_rate,
	&vifctl_cmd_port,
	&vifctl_cmd_libvirt_hook,
	&vifctl_cmd_stats,
	&vifctl_cmd_top,
	&vifctl_cmd_features,
};

#define VIFCTL_NCMDS (sizeof(vifctl_cmds) / sizeof(vifctl_cmds[0]))

static void
vifctl_usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "usage: vifctl [global options] COMMAND [arguments]\n"
	    "Plays the toolstack for vifd's vifs: writes the xenstore nodes "
	    "libxl would\nwrite for an xl vif= spec, attaches, detaches, "
	    "lists and rate-limits vifs.\n\ncommands:\n");
	for (i = 0; i < VIFCTL_NCMDS; i++)
		fprintf(f, "  %s %s\n      %s\n", vifctl_cmds[i]->name,
		    vifctl_cmds[i]->synopsis, vifctl_cmds[i]->summary);
	fprintf(f,
	    "\nglobal options (before or after the command):\n"
	    "  --xen=%-14s real Xen (default) or the simulated "
	    "machine in DIR\n"
	    "  --backend-domid=N    the backend domain (default: the spec's "
	    "backend=,\n"
	    "                       the frontend's backend-id, or 0)\n"
	    "  -h, --help           this text (COMMAND --help: that "
	    "command's)\n"
	    "  -V, --version        the version\n"
	    "exit status: 0 ok, 1 failure, 2 bad arguments or spec\n",
	    xen_env_syntax());
}

const struct vifctl_cmd *
vifctl_find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < VIFCTL_NCMDS; i++)
		if (strcmp(vifctl_cmds[i]->name, name) == 0)
			return vifctl_cmds[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		VIFCTL_GLOBAL_OPTIONS,
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct vifctl c;
	const struct vifctl_cmd *cmd;
	size_t i;
	int ch, r;

	memset(&c, 0, sizeof(c));
	c.xen = XEN_REAL_SPEC;
	c.backend_domid = -1;

	/* "+": stop at the subcommand, whose options are its own. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			vifctl_usage(stdout);
			return VIFCTL_OK;
		case 'V':
			printf("vifctl %s\n", PACKAGE_VERSION);
			return VIFCTL_OK;
		case ':':
			vifctl_err("option '%s' needs a value",
			    argv[optind - 1]);
			return VIFCTL_USAGE;
		case '?':
			if (optopt != 0)
				vifctl_err("unknown option '-%c' (see vifctl "
				    "--help)", optopt);
			else
				vifctl_err("unknown option '%s' (see vifctl "
				    "--help)", argv[optind - 1]);
			return VIFCTL_USAGE;
		default:
			if (vifctl_global_opt(&c, ch, optarg) != 0)
				return VIFCTL_USAGE;
			break;
		}
	}
	if (optind >= argc) {
		vifctl_err("no command given (see vifctl --help)");
		return VIFCTL_USAGE;
	}
	cmd = vifctl_find_cmd(argv[optind]);
	if (cmd == NULL) {
		fprintf(stderr, "vifctl: unknown command '%s' (commands:",
		    argv[optind]);
		for (i = 0; i < VIFCTL_NCMDS; i++)
			fprintf(stderr, "%s %s", i > 0 ? "," : "",
			    vifctl_cmds[i]->name);
		fprintf(stderr, ")\n");
		return VIFCTL_USAGE;
	}
	r = cmd->run(&c, argc - optind, argv + optind);
	vifctl_close(&c);
	return r;
}
