/*
 * xensim.c - the xensim command: create, inspect and destroy simulated
 * Xen machines, their domains and their fault knobs, and run programs
 * against a machine's xenstored (see xensim(1)).
 *
 * Owns only the command line: parsing, one clear line per error, exit
 * codes (0 done, 1 failed, 2 usage). The work is libxensim's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strparse.h"
#include <unistd.h>

#include "sim_priv.h"
#include "xensim.h"

#define XENSIM_EXIT_FAIL	1
#define XENSIM_EXIT_USAGE	2

static const char xensim_usage_text[] =
	"usage: xensim create DIR\n"
	"       xensim destroy DIR\n"
	"       xensim status DIR\n"
	"       xensim domain DIR add DOMID [--pages N]\n"
	"       xensim domain DIR destroy DOMID\n"
	"       xensim fault DIR copy|map N [STATUS]\n"
	"       xensim exec DIR -- CMD [ARG...]\n";

static int
xensim_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "xensim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try 'xensim --help')\n");
	return XENSIM_EXIT_USAGE;
}

static int
xensim_fail(const char *msg)
{
	fprintf(stderr, "xensim: %s\n", msg);
	return XENSIM_EXIT_FAIL;
}

static const char *const xensim_gntst_names[] = {
	"okay", "general_error", "bad_domain", "bad_gntref", "bad_handle",
	"bad_virt_addr", "bad_dev_addr", "no_device_space", "permission_denied",
	"bad_page", "bad_copy_arg", "address_too_big", "eagain", "no_space",
};

/* "-3", "bad_gntref" or "GNTST_bad_gntref": a GNTST_* error code. */
static int
xensim_parse_gntst(const char *s, int16_t *out)
{
	uint64_t v;
	size_t i;

	if (strncmp(s, "GNTST_", 6) == 0)
		s += 6;
	for (i = 1; i < sizeof(xensim_gntst_names) / sizeof(*xensim_gntst_names);
	    i++) {
		if (strcmp(s, xensim_gntst_names[i]) == 0) {
			*out = (int16_t)-(int)i;
			return 0;
		}
	}
	if (s[0] == '-' && strparse_uint(s + 1, -(GNTST_no_space), &v) == 0 &&
	    v >= 1) {
		*out = (int16_t)-(int)v;
		return 0;
	}
	return -EINVAL;
}

static const char *
xensim_gntst_name(int32_t st)
{
	if (st <= 0 && st >= GNTST_no_space)
		return xensim_gntst_names[-st];
	return "?";
}

static int
xensim_cmd_status(const char *dir)
{
	char err[512], abs[SIM_DIR_MAX + 1];
	uint32_t ids[256];
	struct sim_machine *m;
	struct sim_dom *d;
	unsigned int unbound, inter, mapped;
	int n, i, rc, pid;
	uint32_t p, r;

	rc = sim_dir_resolve(dir, abs, err, sizeof(err));
	if (rc == 0)
		rc = sim_marker_check(abs, err, sizeof(err));
	if (rc != 0)
		return xensim_fail(err);
	rc = sim_machine_map(abs, &m);
	if (rc != 0) {
		snprintf(err, sizeof(err), "%s: bad machine file: %s", abs,
		    strerror(-rc));
		return xensim_fail(err);
	}
	pid = xensim_xenstored_pid(abs);
	printf("machine %s\n", abs);
	if (pid > 0)
		printf("xenstored pid %d, socket %s/%s\n", pid, abs,
		    SIM_XS_SOCKET);
	else
		printf("xenstored not running\n");
	printf("fault copy: ");
	if (atomic_load(&m->fault_copy_nth) != 0)
		printf("segment %llu fails with GNTST_%s (%llu counted)\n",
		    (unsigned long long)atomic_load(&m->fault_copy_nth),
		    xensim_gntst_name(atomic_load(&m->fault_copy_status)),
		    (unsigned long long)atomic_load(&m->fault_copy_seen));
	else
		printf("off\n");
	printf("fault map: ");
	if (atomic_load(&m->fault_map_nth) != 0)
		printf("map %llu fails with GNTST_%s (%llu counted)\n",
		    (unsigned long long)atomic_load(&m->fault_map_nth),
		    xensim_gntst_name(atomic_load(&m->fault_map_status)),
		    (unsigned long long)atomic_load(&m->fault_map_seen));
	else
		printf("off\n");
	sim_machine_unmap(m);
	n = sim_dom_list(abs, ids, (int)(sizeof(ids) / sizeof(ids[0])));
	for (i = 0; i < n; i++) {
		if (sim_dom_map(abs, ids[i], &d) != 0)
			continue;
		unbound = inter = 0;
		for (p = 1; p < d->hdr->nr_ports; p++) {
			uint32_t k = atomic_load(&d->ports[p].kind);

			unbound += k == SIM_PORT_UNBOUND;
			inter += k == SIM_PORT_INTERDOMAIN;
		}
		/* Entries some domain has mapped (pinned): what a backend
		 * still holds of this guest; 0 once it let go of it all. */
		mapped = 0;
		for (r = 0; r < d->hdr->nr_grants; r++) {
			uint64_t act = atomic_load(&d->active[r]);

			mapped += (SIM_ACT_RPINS(act) | SIM_ACT_WPINS(act)) != 0;
		}
		printf("domain %u: %u pages, %u unbound and %u interdomain "
		    "event channel ports, %u grants mapped%s\n", ids[i],
		    d->npages, unbound, inter, mapped,
		    atomic_load(&d->hdr->dying) ? ", dying" : "");
		sim_dom_unmap(d);
	}
	return pid > 0 ? 0 : XENSIM_EXIT_FAIL;
}

static int
xensim_cmd_domain(int argc, char **argv)
{
	char err[512];
	uint64_t domid, pages = 0;
	const char *dir, *op;
	int rc;

	if (argc < 4)
		return xensim_usage("%s", "domain: expected DIR add|destroy DOMID");
	dir = argv[1];
	op = argv[2];
	if (strparse_uint(argv[3], UINT32_MAX, &domid) != 0)
		return xensim_usage("bad domid '%s' (a number, 1..32751)",
		    argv[3]);
	if (strcmp(op, "add") == 0) {
		if (argc == 6 && strcmp(argv[4], "--pages") == 0) {
			if (strparse_uint(argv[5], UINT32_MAX, &pages) != 0 ||
			    pages == 0)
				return xensim_usage("bad page count '%s'",
				    argv[5]);
		} else if (argc != 4) {
			return xensim_usage("%s", "domain add: expected DIR add "
			    "DOMID [--pages N]");
		}
		rc = xensim_domain_add(dir, (uint32_t)domid, (uint32_t)pages,
		    err, sizeof(err));
	} else if (strcmp(op, "destroy") == 0) {
		if (argc != 4)
			return xensim_usage("%s", "domain destroy: expected DIR "
			    "destroy DOMID");
		rc = xensim_domain_destroy(dir, (uint32_t)domid, err,
		    sizeof(err));
	} else {
		return xensim_usage("unknown domain operation '%s' (add or "
		    "destroy)", op);
	}
	return rc == 0 ? 0 : xensim_fail(err);
}

static int
xensim_cmd_fault(int argc, char **argv)
{
	enum xensim_fault kind;
	int16_t status = GNTST_general_error;
	char err[512];
	uint64_t nth;

	if (argc != 4 && argc != 5)
		return xensim_usage("%s", "fault: expected DIR copy|map N "
		    "[STATUS]");
	if (strcmp(argv[2], "copy") == 0)
		kind = XENSIM_FAULT_COPY;
	else if (strcmp(argv[2], "map") == 0)
		kind = XENSIM_FAULT_MAP;
	else
		return xensim_usage("unknown fault kind '%s' (copy or map)",
		    argv[2]);
	if (strparse_uint(argv[3], UINT64_MAX, &nth) != 0)
		return xensim_usage("bad count '%s' (a number, 0 disarms)",
		    argv[3]);
	if (argc == 5 && xensim_parse_gntst(argv[4], &status) != 0)
		return xensim_usage("bad status '%s' (a GNTST_* name or -1..-13)",
		    argv[4]);
	if (xensim_fault_set(argv[1], kind, nth, status, err, sizeof(err)) != 0)
		return xensim_fail(err);
	return 0;
}

static int
xensim_cmd_exec(int argc, char **argv)
{
	char err[512], abs[SIM_DIR_MAX + 1], sock[PATH_MAX];

	if (argc < 4 || strcmp(argv[2], "--") != 0)
		return xensim_usage("%s", "exec: expected DIR -- CMD [ARG...]");
	if (xensim_check(argv[1], err, sizeof(err)) != 0 ||
	    sim_dir_resolve(argv[1], abs, err, sizeof(err)) != 0)
		return xensim_fail(err);
	if (sim_fmt(sock, sizeof(sock), "%s/%s", abs, SIM_XS_SOCKET) != 0 ||
	    setenv("XENSTORED_PATH", sock, 1) != 0)
		return xensim_fail("cannot set XENSTORED_PATH");
	setenv("XENSIM_MACHINE", abs, 1);
	execvp(argv[3], &argv[3]);
	fprintf(stderr, "xensim: %s: %s\n", argv[3], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

int
main(int argc, char **argv)
{
	char err[512];
	const char *cmd;

	if (argc < 2)
		return xensim_usage("%s", "missing command");
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		fputs(xensim_usage_text, stdout);
		return 0;
	}
	if (strcmp(cmd, "create") != 0 && strcmp(cmd, "destroy") != 0 &&
	    strcmp(cmd, "status") != 0 && strcmp(cmd, "domain") != 0 &&
	    strcmp(cmd, "fault") != 0 && strcmp(cmd, "exec") != 0)
		return xensim_usage("unknown command '%s'", cmd);
	if (argc < 3)
		return xensim_usage("%s: missing DIR", cmd);
	if (strcmp(cmd, "create") == 0 || strcmp(cmd, "destroy") == 0 ||
	    strcmp(cmd, "status") == 0) {
		if (argc != 3)
			return xensim_usage("%s: too many arguments", cmd);
		if (strcmp(cmd, "status") == 0)
			return xensim_cmd_status(argv[2]);
		if ((strcmp(cmd, "create") == 0 ? xensim_create(argv[2], err,
		    sizeof(err)) : xensim_destroy(argv[2], err, sizeof(err))) != 0)
			return xensim_fail(err);
		return 0;
	}
	if (strcmp(cmd, "domain") == 0)
		return xensim_cmd_domain(argc - 1, argv + 1);
	if (strcmp(cmd, "fault") == 0)
		return xensim_cmd_fault(argc - 1, argv + 1);
	return xensim_cmd_exec(argc - 1, argv + 1);
}
