/*
 * fuzz_vifspec.c - libFuzzer target: xl's vif= strings (vifspec.c), as
 * vifctl attach takes them from an admin, and the xenstore nodes libxl
 * would write for them (vifspec_nodes.c).
 *
 * The input is the MAC mode, six random bytes, the ids, then the spec
 * (to a NUL or the end). Invariants beyond "no crash":
 *  - a refused spec gets -EINVAL or -E2BIG and a message;
 *  - an accepted one has a bridge, an absolute script path, an MTU in
 *    range, a non-zero rate interval, a unicast MAC, at most
 *    VIFSPEC_MAX_WARN warnings; and its nodes are at most
 *    VIFSPEC_MAX_NODES, sorted by path, each under the backend or the
 *    frontend directory, with a value free of control characters.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "core/vifspec.h"
#include "fuzz.h"

static void
check_nodes(const struct vifspec *vs, const struct vifspec_ids *ids)
{
	static struct vifspec_node nodes[VIFSPEC_MAX_NODES];
	char be[VIFSPEC_PATH_MAX], fe[VIFSPEC_PATH_MAX];
	const char *v;
	int n, i;

	n = vifspec_nodes(vs, ids, nodes, VIFSPEC_MAX_NODES);
	if (n < 0) {
		/* An id out of range is the only reason (the array is
		 * always large enough). */
		FZ_CHECK(n == -EINVAL);
		return;
	}
	FZ_CHECK(n > 0 && (unsigned int)n <= VIFSPEC_MAX_NODES);
	FZ_CHECK(vifspec_backend_dir(ids, be, sizeof(be)) > 0);
	FZ_CHECK(vifspec_frontend_dir(ids, fe, sizeof(fe)) > 0);
	for (i = 0; i < n; i++) {
		FZ_CHECK(strncmp(nodes[i].path, be, strlen(be)) == 0 ||
		    strncmp(nodes[i].path, fe, strlen(fe)) == 0);
		if (i > 0)
			FZ_CHECK(strcmp(nodes[i - 1].path, nodes[i].path) < 0);
		for (v = vifspec_node_value(&nodes[i]); *v != '\0'; v++)
			FZ_CHECK((unsigned char)*v >= 0x20 && *v != 0x7f);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char spec[VIFSPEC_MAX_LEN + 64];
	static struct vifspec vs;
	struct fz in = { data, size };
	struct vifspec_opts opts = { .script_dir = NULL };
	struct vifspec_ids ids;
	char err[256];
	int r;

	opts.mac_mode = fz_u8(&in) & 1 ? VIFSPEC_MAC_LOCAL :
	    VIFSPEC_MAC_XEN_OUI;
	fz_bytes(&in, opts.random, sizeof(opts.random));
	ids.domid = fz_u16(&in);
	ids.devid = fz_u16(&in);
	ids.backend_domid = fz_u8(&in);
	fz_str(&in, spec, sizeof(spec));
	err[0] = '\0';
	r = vifspec_parse(spec, &opts, &vs, err, sizeof(err));
	if (r != 0) {
		FZ_CHECK(r == -EINVAL || r == -E2BIG);
		FZ_CHECK(err[0] != '\0' && strlen(err) < sizeof(err));
		return 0;
	}
	FZ_CHECK(vs.bridge != NULL && vs.bridge[0] != '\0');
	FZ_CHECK(vs.script[0] == '/');
	FZ_CHECK(vs.mtu >= VIFSPEC_MTU_MIN && vs.mtu <= VIFSPEC_MTU_MAX);
	FZ_CHECK(!vs.rate_given || vs.rate.interval_usecs != 0);
	FZ_CHECK((vs.mac[0] & 1) == 0);
	FZ_CHECK(vs.n_warn <= VIFSPEC_MAX_WARN);
	FZ_CHECK(vs.n_extra <= VIFSPEC_MAX_EXTRA);
	check_nodes(&vs, &ids);
	return 0;
}
