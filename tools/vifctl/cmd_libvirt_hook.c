/*
 * cmd_libvirt_hook.c - `vifctl libvirt-hook`: libvirt's libxl hook
 * (/etc/libvirt/hooks/libxl runs it), applying what a domain's
 * <interface> elements ask and libxl never sees.
 *
 * Owns the hook's contract with libvirt: arguments NAME OPERATION
 * SUB-OPERATION EXTRA, the domain XML on standard input, exit status 0
 * to let libvirt go on. It acts when the domain has started (operation
 * "started": the domain has its id and its vifs exist) and when libvirtd
 * reconnects to a running domain ("reconnect": the same again, which
 * changes nothing that is already so); every other operation is let
 * through untouched. The plan (lvplan.c) is built whole before anything
 * is applied, and each of its commands is one of vifctl's own (rate,
 * port), run in this process. A failure exits 1, which makes libvirt
 * destroy the domain it was starting: a guest on the wrong VLAN or
 * without its limits must not run as if it had them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lvplan.h"
#include "vifctl.h"

/* libvirt's domain XML is a few KiB; this bounds what we read. */
#define HOOK_XML_MAX (16u << 20)

enum { OPT_DRY_RUN = 256 };

static int
hook_opt(struct vifctl *c, void *arg, int val, const char *optarg)
{
	(void)c;
	(void)optarg;
	if (val != OPT_DRY_RUN)
		return VIFCTL_USAGE;
	*(bool *)arg = true;
	return 0;
}

/* Standard input whole (libvirt writes all of it whatever we do with
 * it: read it all so that its write never fails). NULL after saying
 * why. */
static char *
hook_read_stdin(size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap), *p;
	ssize_t r;

	while (buf != NULL) {
		if (n == cap) {
			if (cap >= HOOK_XML_MAX) {
				vifctl_err("libvirt-hook: the domain XML "
				    "exceeds %u MiB", HOOK_XML_MAX >> 20);
				free(buf);
				return NULL;
			}
			p = realloc(buf, cap * 2);
			if (p == NULL)
				break;
			buf = p;
			cap *= 2;
		}
		r = read(STDIN_FILENO, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			vifctl_err("libvirt-hook: reading the domain XML: %s",
			    strerror(errno));
			free(buf);
			return NULL;
		}
		if (r == 0) {
			*len = n;
			return buf;
		}
		n += (size_t)r;
	}
	vifctl_err("libvirt-hook: out of memory");
	free(buf);
	return NULL;
}

static int
hook_run(struct vifctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ NULL, 0, NULL, 0 },
	};
	static struct lvplan plan;
	const struct vifctl_cmd *cmd;
	char err[256], *xml, *av[LVPLAN_MAX_ARGS + 1];
	size_t len;
	unsigned int i, j;
	bool dry = false;
	int first, r;

	r = vifctl_getopt(c, &vifctl_cmd_libvirt_hook, argc, argv, opts,
	    hook_opt, &dry, &first);
	if (r != 0)
		return r == VIFCTL_DONE ? VIFCTL_OK : r;
	if (argc - first < 3 || argc - first > 4) {
		vifctl_err("libvirt-hook: expected NAME OPERATION SUB-OPERATION "
		    "[EXTRA], as libvirt passes them");
		return VIFCTL_USAGE;
	}
	xml = hook_read_stdin(&len);
	if (xml == NULL)
		return VIFCTL_FAIL;
	if (strcmp(argv[first + 1], "started") != 0 &&
	    strcmp(argv[first + 1], "reconnect") != 0) {
		free(xml);
		return VIFCTL_OK;
	}
	r = lvplan_build(xml, len, &plan, err, sizeof(err));
	free(xml);
	if (r < 0) {
		vifctl_err("libvirt-hook: domain %s: %s; nothing applied",
		    argv[first], err);
		return VIFCTL_FAIL;
	}
	for (i = 0; i < plan.nwarn; i++)
		vifctl_warn("libvirt-hook: domain %s: %s", argv[first],
		    plan.warn[i]);
	for (i = 0; i < plan.ncmds; i++) {
		for (j = 0; j < plan.cmds[i].argc; j++)
			av[j] = plan.cmds[i].argv[j];
		av[j] = NULL;
		if (dry) {
			printf("vifctl");
			for (j = 0; j < plan.cmds[i].argc; j++)
				printf(" %s", av[j]);
			printf("\n");
			continue;
		}
		cmd = vifctl_find_cmd(av[0]);
		if (cmd == NULL)
			abort();	/* lvplan plans only our commands */
		r = cmd->run(c, (int)plan.cmds[i].argc, av);
		if (r != VIFCTL_OK) {
			vifctl_err("libvirt-hook: domain %s: vifctl %s for "
			    "vif %s.%s failed", argv[first], av[0],
			    av[plan.cmds[i].argc - 2], av[plan.cmds[i].argc - 1]);
			return VIFCTL_FAIL;
		}
	}
	return fflush(stdout) == 0 ? VIFCTL_OK : VIFCTL_FAIL;
}

const struct vifctl_cmd vifctl_cmd_libvirt_hook = {
	.name = "libvirt-hook",
	.synopsis = "[--dry-run] NAME OPERATION SUB-OPERATION [EXTRA] "
	    "< DOMAIN-XML",
	.summary = "libvirt's libxl hook: apply a domain's <interface> "
	    "bandwidth, link, port and vlan",
	.options = "  --dry-run          print the vifctl commands instead of "
	    "running them\n",
	.run = hook_run,
};
