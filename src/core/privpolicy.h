/*
 * privpolicy.h - what the privileged part agrees to do for vifd proper
 * (privsep.h), as pure checks of a request's contents. The privileged
 * part adds the checks that need the system (is this interface one of
 * our TAPs, is that one a bridge, who owns this script) in privpart.c.
 */
#ifndef VIFD_PRIVPOLICY_H
#define VIFD_PRIVPOLICY_H

#include <stdbool.h>
#include <stddef.h>

/* An interface ioctl the privileged part makes on one of our TAPs for
 * vifd proper: SIOCSIFMTU alone. 0, or -EPERM with the reason. */
int privpolicy_ifreq(unsigned long req, char *why, size_t whylen);

/* What a netlink request, once allowed, acts on. */
struct privpolicy_nl {
	unsigned int port;	/* the interface (one of our TAPs) */
	unsigned int master;	/* IFLA_MASTER's bridge (0: none, or detach) */
	bool has_master;
};

/*
 * Checks one rtnetlink request as brport.c sends them (len bytes at
 * msg): a single RTM_SETLINK or RTM_DELLINK, flags REQUEST|ACK, on one
 * interface, with
 *  - AF_UNSPEC, RTM_SETLINK: IFLA_MASTER alone, and no flag change;
 *  - AF_BRIDGE, RTM_SETLINK: IFLA_PROTINFO holding IFLA_BRPORT_ISOLATED
 *    alone, and/or IFLA_AF_SPEC holding the port's own VLAN entries
 *    (flags PVID, UNTAGGED, RANGE_BEGIN/END: no BRIDGE_VLAN_INFO_MASTER);
 *  - AF_BRIDGE, RTM_DELLINK: IFLA_AF_SPEC alone, likewise (an AF_UNSPEC
 *    RTM_DELLINK would delete the interface).
 * 0 with *nl filled, or -EPERM / -EINVAL with the reason in `why`.
 */
int privpolicy_netlink(const void *msg, size_t len, struct privpolicy_nl *nl,
    char *why, size_t whylen);

/*
 * Checks a program to start: with `search`, only "ovs-vsctl" (looked up
 * in PATH, as ovsport.c runs it); else an absolute path with no "." or
 * ".." component and outside each of the `nrw` directories vifd proper
 * can write (`rw`): it cannot plant a script there and have it run as
 * root. The privileged part calls it again on the resolved path. 0, or
 * -EPERM with the reason in `why`.
 */
int privpolicy_program(const char *path, bool search, const char *const rw[],
    size_t nrw, char *why, size_t whylen);

/* What a program request must be besides its path. */
struct privpolicy_env {
	const char *path;	/* the one PATH= scripts get (HOTPLUG_PATH) */
	const char *xenstored;	/* XENSTORED_PATH, or NULL: none allowed */
};

/*
 * Checks a program's arguments and environment (argc strings in argv,
 * envc in envp, `has_env`: envp given at all), the two shapes vifd
 * starts:
 *  - ovs-vsctl (`search`), in the privileged part's own environment:
 *    `--timeout=N port-to-br PORT` or `--timeout=N set port PORT COL=V...`
 *    with COL one of protected, tag, trunks, vlan_mode;
 *  - a hotplug script, as libxl runs it (hotplug_cmd.c): argv `path
 *    online|offline|add|remove type_if=vif|tap`, and an environment of
 *    the contract's variables only: XENBUS_TYPE=vif,
 *    XENBUS_BASE_PATH=backend, XENBUS_PATH a vif backend's directory,
 *    script= the program, PATH, LANG and XENSTORED_PATH exactly what `e`
 *    says (a variable of vifd proper's choosing, PATH, LD_PRELOAD,
 *    BASH_ENV, IFS..., could make a script run its code), netdev (the
 *    admin's gateway device) free.
 * The interfaces it would act on (PORT; vif= and INTERFACE=) land in
 * ifs[] (NULL-padded), for the caller to check that each is one of
 * vifd's TAPs or does not exist: `vif-bridge offline` with vif=eth0
 * would take the uplink off its bridge. 0, or -EPERM with the reason.
 */
#define PRIVPOLICY_IFS 2
int privpolicy_args(const char *path, bool search, char *const argv[],
    unsigned int argc, bool has_env, char *const envp[], unsigned int envc,
    const struct privpolicy_env *e, const char *ifs[PRIVPOLICY_IFS],
    char *why, size_t whylen);

#endif
