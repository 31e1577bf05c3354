/*
 * vlanspec.c - parses `vifd-vlan` (see vlanspec.h for the grammar).
 *
 * Owns the grammar only; applying it to a bridge port is brport.c's and
 * writing it vifctl's. Strict, as every parser of an admin's value here:
 * anything outside the grammar is refused with the part quoted.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/strparse.h"
#include "core/vlanspec.h"

/* One VLAN id, digits only, in 1..4094. */
static int
vlanspec_vid(const char *s, size_t len, uint16_t *vid, char *err,
    size_t errlen)
{
	char buf[8];
	uint64_t v;

	if (len == 0)
		return strparse_fail(err, errlen, "an empty VLAN id");
	if (len >= sizeof(buf))
		return strparse_fail(err, errlen, "VLAN '%.*s' is not in 1..%u",
		    (int)(len > 16 ? 16 : len), s, VLANSPEC_VID_MAX);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (strparse_uint(buf, VLANSPEC_VID_MAX, &v) != 0 || v == 0)
		return strparse_fail(err, errlen, "VLAN '%s' is not in 1..%u",
		    buf, VLANSPEC_VID_MAX);
	*vid = (uint16_t)v;
	return 0;
}

/* One trunk element: ID, ID=native-untagged or ID=native-tagged. */
static int
vlanspec_elem(const char *s, size_t len, struct vlanspec_vid *e, char *err,
    size_t errlen)
{
	const char *eq = memchr(s, '=', len);
	size_t idlen = eq != NULL ? (size_t)(eq - s) : len;
	size_t mlen;
	int r;

	memset(e, 0, sizeof(*e));
	if ((r = vlanspec_vid(s, idlen, &e->vid, err, errlen)) != 0)
		return r;
	if (eq == NULL)
		return 0;
	mlen = len - idlen - 1;
	if (mlen == strlen("native-untagged") &&
	    memcmp(eq + 1, "native-untagged", mlen) == 0)
		e->pvid = e->untagged = true;
	else if (mlen == strlen("native-tagged") &&
	    memcmp(eq + 1, "native-tagged", mlen) == 0)
		e->pvid = true;
	else
		return strparse_fail(err, errlen, "'%.*s': not native-untagged "
		    "or native-tagged", (int)(mlen > 32 ? 32 : mlen), eq + 1);
	return 0;
}

int
vlanspec_parse(const char *s, struct vlanspec *out, char *err,
    size_t errlen)
{
	struct vlanspec vs;
	const char *p;
	size_t n;
	unsigned int i;
	bool native = false;
	int r;

	memset(&vs, 0, sizeof(vs));
	if (strncmp(s, "trunk:", 6) != 0) {
		vs.n = 1;
		if ((r = vlanspec_vid(s, strlen(s), &vs.v[0].vid, err,
		    errlen)) != 0)
			return r;
		vs.v[0].pvid = vs.v[0].untagged = true;
		*out = vs;
		return 0;
	}
	vs.trunk = true;
	for (p = s + 6;; p += n + 1) {
		n = strcspn(p, ",");
		if (vs.n == VLANSPEC_MAX)
			return strparse_fail(err, errlen, "more than %u VLANs",
			    VLANSPEC_MAX);
		if ((r = vlanspec_elem(p, n, &vs.v[vs.n], err, errlen)) != 0)
			return r;
		for (i = 0; i < vs.n; i++)
			if (vs.v[i].vid == vs.v[vs.n].vid)
				return strparse_fail(err, errlen, "VLAN %u twice",
				    vs.v[i].vid);
		if (vs.v[vs.n].pvid) {
			if (native)
				return strparse_fail(err, errlen, "more than "
				    "one native VLAN");
			native = true;
		}
		vs.n++;
		if (p[n] == '\0')
			break;
	}
	*out = vs;
	return 0;
}

int
vlanspec_ovs(const struct vlanspec *vs, char *tag, size_t taglen,
    char *trunks, size_t trunkslen, const char **mode)
{
	const struct vlanspec_vid *native = NULL;
	size_t used = 0;
	unsigned int i;
	int n;

	if (taglen < 5 || trunkslen < 3)
		return -ENOSPC;
	snprintf(tag, taglen, "[]");
	snprintf(trunks, trunkslen, "[]");
	*mode = "[]";
	if (vs == NULL)
		return 0;
	if (!vs->trunk) {
		snprintf(tag, taglen, "%u", vs->v[0].vid);
		*mode = "access";
		return 0;
	}
	for (i = 0; i < vs->n; i++) {
		n = snprintf(trunks + used, trunkslen - used, "%s%u",
		    i ? "," : "", vs->v[i].vid);
		if (n < 0 || (size_t)n >= trunkslen - used)
			return -ENOSPC;
		used += (size_t)n;
		if (vs->v[i].pvid)
			native = &vs->v[i];
	}
	*mode = "trunk";
	if (native != NULL) {
		snprintf(tag, taglen, "%u", native->vid);
		*mode = native->untagged ? "native-untagged" : "native-tagged";
	}
	return 0;
}
