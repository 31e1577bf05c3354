/*
 * hotplug_int.h - what the two halves of the hotplug runner share:
 * hotplug_cmd.c (pure: what to run) and hotplug_run.c (running it).
 * Nothing else includes it.
 */
#ifndef VIFD_HOTPLUG_INT_H
#define VIFD_HOTPLUG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "ctrl/hotplug.h"

/* True if `s` has a control character (below 0x20, or 0x7f). */
bool hotplug_has_ctl(const char *s);

/* The shape of a request, independent of what xenstore said: a known
 * action, a vif name (and an interface for add/remove). 0 or -EINVAL
 * with a reason in `why`. */
int hotplug_check_req(const struct hotplug_req *req, char *why,
    size_t whylen);

#endif
