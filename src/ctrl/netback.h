/*
 * netback.h - is Linux's xen-netback registered here, and bound to what.
 */
#ifndef VIFD_NETBACK_H
#define VIFD_NETBACK_H

#include <stdbool.h>
#include <stdint.h>

#define NETBACK_SYSFS_DEFAULT	"/sys"

struct netback_state {
	bool registered;	/* SYSFS/bus/xen-backend/drivers/vif exists */
	bool module;		/* SYSFS/module/xen_netback exists */
	unsigned int nbound;	/* devices bound to it */
	char bound[256];	/* their names, "vif1.0 vif2.0" */
	bool truncated;		/* more than bound[] holds */
};

/*
 * Reads the kernel's view under SYSFS (NULL: /sys) into *st. Returns 0
 * (st->registered false when the driver's directory does not exist), or
 * -errno when sysfs cannot be read.
 */
int netback_probe(const char *sysfs, struct netback_state *st);

/* True if the kernel's netback is bound to device DOMID/DEVID. */
bool netback_bound(const char *sysfs, uint32_t domid, uint32_t devid);

/* At start: logs whether the kernel's netback is loaded, and where. */
void netback_report_start(const char *sysfs);

/*
 * For a new backend directory: true (after one log line saying why) if
 * the kernel's netback is registered, so that vifd must leave the device
 * alone; false if vifd may serve it.
 */
bool netback_claims(const char *sysfs, uint32_t domid, uint32_t devid);

#endif
