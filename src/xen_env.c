/*
 * xen_env.c - picks the hypervisor implementation from --xen=.
 *
 * Owns only the mapping from the option's text to an implementation:
 * "real" (the Xen libraries) or "sim:DIR" (the simulated machine in DIR).
 * It is compiled into each program rather than into a library, because
 * it depends on both libvifd (the real seam) and libxensim.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen_ops.h"
#include "xensim.h"

int
xen_env_open(const char *spec, struct xen_env **out, char *err,
    size_t errlen)
{
	if (spec == NULL || strcmp(spec, "real") == 0)
		return xen_real_env_open(out, err, errlen);
	if (strncmp(spec, "sim:", 4) == 0) {
		if (spec[4] == '\0') {
			snprintf(err, errlen, "--xen=sim: needs a directory "
			    "(--xen=sim:DIR)");
			return -EINVAL;
		}
		return xensim_env_open(spec + 4, out, err, errlen);
	}
	snprintf(err, errlen, "unknown --xen value '%s' (expected 'real' or "
	    "'sim:DIR')", spec);
	return -EINVAL;
}

void
xen_env_close(struct xen_env *env)
{
	if (env != NULL && env->destroy != NULL)
		env->destroy(env);
}
