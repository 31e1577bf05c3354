/*
 * mclist.h - the simulated guest's multicast setup (--mcast FILE): what
 * it asks the backend to filter, as a frontend with multicast control
 * (the Windows PV drivers, illumos xnf) keeps it.
 *
 * The file, read at connect and again on SIGUSR2, has one item a line:
 *   control on|off        request-multicast-control (default off)
 *   xx:xx:xx:xx:xx:xx     an address of the filter list
 * blank lines and '#' comments are ignored. Addresses are not checked for
 * the group bit: a guest may ask for anything, the backend judges.
 *
 * Pure: parsing text and diffing lists, no fd, no global state.
 */
#ifndef VIFD_MCLIST_H
#define VIFD_MCLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Addresses a file may list: more than a backend takes (Linux 64), so
 * that the refusal can be tested. */
#define MCLIST_MAX	128u

struct mclist {
	bool control;
	unsigned int n;
	uint8_t addr[MCLIST_MAX][6];
};

/* One request to send: an ADD or a DEL (XEN_NETIF_EXTRA_TYPE_MCAST_*). */
struct mclist_op {
	uint8_t type;
	uint8_t addr[6];
};

/*
 * Parses the text of a file (NUL-terminated). Returns 0, or -EINVAL with
 * "line N: ..." in err.
 */
int mclist_parse(const char *text, struct mclist *out, char *err,
    size_t errlen);

/*
 * The requests that turn the list `from` into `to`, as multisets: a DEL
 * for each entry of `from` that `to` does not have, then an ADD for each
 * entry of `to` that `from` does not have, in list order. Writes at most
 * max ops; returns how many there are (may exceed max: the rest are
 * left out).
 */
unsigned int mclist_diff(const struct mclist *from, const struct mclist *to,
    struct mclist_op *ops, unsigned int max);

#endif
