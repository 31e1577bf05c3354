/*
 * lvplan.h - what a libvirt domain's <interface> elements ask of vifd, as
 * vifctl commands (for `vifctl libvirt-hook`).
 *
 * libvirt's libxl driver hands libxl only the outbound average of
 * <bandwidth> (as rate=); everything else of the element never reaches
 * xenstore. The hook reads the domain XML libvirt gives it and turns each
 * interface into the vifctl commands that apply the rest through vifd's
 * keys. This module is the translation only: XML in, a plan out, no
 * xenstore and no process.
 */
#ifndef VIFD_LVPLAN_H
#define VIFD_LVPLAN_H

#include <stddef.h>
#include <stdint.h>

/* The most interfaces a plan takes (libxl's devids are small integers;
 * a domain with more NICs than this is refused, not cut short). */
#define LVPLAN_MAX_IFACES 64u
/* The most arguments of one planned command. */
#define LVPLAN_MAX_ARGS 8u

/* One vifctl command: argv[0] is the subcommand ("rate", "port"), the
 * last two arguments are DOMID and DEVID. */
struct lvplan_cmd {
	unsigned int argc;
	char argv[LVPLAN_MAX_ARGS][96];
};

struct lvplan {
	uint32_t domid;
	unsigned int ncmds;
	struct lvplan_cmd cmds[LVPLAN_MAX_IFACES * 3];
	unsigned int nwarn;
	char warn[16][160];		/* what the plan leaves undone */
};

/*
 * Reads the domain XML `xml` (len bytes) and plans, for each <interface>
 * in document order (devid = its index among the interfaces libxl makes
 * vifs of: those whose type is not hostdev, as libvirt's libxlMakeNicList
 * numbers them), the vifctl commands for its <bandwidth> (rate
 * --outbound/--inbound AVERAGE[,PEAK[,BURST]] in libvirt's KiB/s and KiB),
 * <link state>, <port isolated> and <vlan> (port --link/--isolated/
 * --vlan) and <driver>'s host and guest offloads switched off (features
 * --off: vifd's feature mask, which applies at the vif's next connect). The domain id is <domain id='N'>, which libvirt sets once the
 * domain exists. What vifd does not do (<bandwidth floor>) is a warning.
 * Returns 0, or -EINVAL with `err` naming the element or attribute that
 * is malformed (a non-numeric rate, a VLAN tag out of range, two native
 * VLANs, no domain id...): then nothing is to be applied at all.
 */
int lvplan_build(const char *xml, size_t len, struct lvplan *plan,
    char *err, size_t errlen);

#endif
