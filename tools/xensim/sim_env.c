/* Placeholder until the simulated Xen lands (issue 2). */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include "xensim.h"
int
xensim_env_open(const char *dir, struct xen_env **out, char *err, size_t errlen)
{
	(void)dir; (void)out;
	snprintf(err, errlen, "simulated Xen not built yet");
	return -ENOSYS;
}
