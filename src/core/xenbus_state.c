/*
 * xenbus_state.c - the one table of XenbusState names.
 *
 * Owns the spelling of the states (the enumerators' names without
 * "XenbusState", as Linux's xenbus_strstate and xl print them); what a
 * value outside the table reads as is the caller's choice.
 */
#include "config.h"

#include <stddef.h>

#include "core/xenbus_state.h"

const char *
xenbus_state_str(int s, const char *other)
{
	static const char *const names[] = {
		[XenbusStateUnknown] = "Unknown",
		[XenbusStateInitialising] = "Initialising",
		[XenbusStateInitWait] = "InitWait",
		[XenbusStateInitialised] = "Initialised",
		[XenbusStateConnected] = "Connected",
		[XenbusStateClosing] = "Closing",
		[XenbusStateClosed] = "Closed",
		[XenbusStateReconfiguring] = "Reconfiguring",
		[XenbusStateReconfigured] = "Reconfigured",
	};

	if (s < 0 || (size_t)s >= sizeof(names) / sizeof(names[0]))
		return other;
	return names[s];
}
