/*
 * privpart.h - starting vifd's privileged part (privsep.h): the process
 * that keeps root's capabilities and does, after checks, the few
 * privileged acts vifd proper asks of it.
 */
#ifndef VIFD_PRIVPART_H
#define VIFD_PRIVPART_H

#include <stddef.h>

/*
 * Forks the privileged part, from a process that has no thread yet, and
 * makes this process its client (privsep_client_init). `rw` (nrw paths,
 * copied) are the directories vifd proper will still write (privdrop.h):
 * the part runs no program from them. The part closes every other fd,
 * ignores SIGINT, SIGTERM and SIGHUP (vifd proper's to handle) and ends
 * when vifd proper closes its end or exits. Returns 0, or -errno with
 * what failed in `err`.
 */
int privpart_start(const char *const rw[], size_t nrw, char *err,
    size_t errlen);

#endif
