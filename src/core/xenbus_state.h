/*
 * xenbus_state.h - the names of the XenbusStates (<xen/io/xenbus.h>), for
 * logs, the control socket, vifctl and vif-guest: one table for all.
 */
#ifndef VIFD_XENBUS_STATE_H
#define VIFD_XENBUS_STATE_H

#include <xen/io/xenbus.h>

/*
 * "Connected", "InitWait", ...: the name of XenbusState `s` as Linux's
 * xenbus_strstate spells it, or `other` if `s` is none (negative, or
 * past XenbusStateReconfigured: a value a peer wrote that means nothing).
 */
const char *xenbus_state_str(int s, const char *other);

#endif
