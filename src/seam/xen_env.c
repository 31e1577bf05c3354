/*
 * xen_env.c - picks the hypervisor implementation from --xen=.
 *
 * Owns only the mapping from the option's text to an implementation:
 * XEN_REAL_SPEC (the Xen libraries) or XENSIM_SPEC (the simulated machine
 * in a directory), and the syntax messages that name them. It is
 * compiled into each program rather than into a library, because it
 * depends on both libvifd (the real seam) and libxensim.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seam/xen_ops.h"
#include "xensim.h"

const char *
xen_env_syntax(void)
{
	return XEN_REAL_SPEC "|" XENSIM_SPEC;
}

int
xen_env_check(const char *spec, char *err, size_t errlen)
{
	const char *dir = xensim_spec_dir(spec);

	if (spec != NULL && strcmp(spec, XEN_REAL_SPEC) != 0 &&
	    (dir == NULL || *dir == '\0')) {
		snprintf(err, errlen, "expected " XEN_REAL_SPEC " or "
		    XENSIM_SPEC);
		return -EINVAL;
	}
	return 0;
}

int
xen_env_open(const char *spec, struct xen_env **out, char *err,
    size_t errlen)
{
	const char *dir;

	if (spec == NULL || strcmp(spec, XEN_REAL_SPEC) == 0)
		return xen_real_env_open(out, err, errlen);
	dir = xensim_spec_dir(spec);
	if (dir != NULL) {
		if (*dir == '\0') {
			snprintf(err, errlen, "--xen=%s needs a directory "
			    "(--xen=" XENSIM_SPEC ")", spec);
			return -EINVAL;
		}
		return xensim_env_open(dir, out, err, errlen);
	}
	snprintf(err, errlen, "unknown --xen value '%s' (expected '"
	    XEN_REAL_SPEC "' or '" XENSIM_SPEC "')", spec);
	return -EINVAL;
}

void
xen_env_close(struct xen_env *env)
{
	if (env != NULL && env->destroy != NULL)
		env->destroy(env);
}
