/*
 * vifctl.h - what vifctl's subcommands share.
 *
 * vifctl plays the toolstack where there is no libxl (the simulated Xen,
 * tests, standalone use): it turns an xl vif= spec into the xenstore
 * nodes libxl would write, attaches, detaches, lists and rate-limits
 * vifs. Each subcommand lives in its own cmd_*.c and is one entry of the
 * table in main.c; adding one is a new file plus one line there.
 *
 * Exit codes (every subcommand): VIFCTL_OK, VIFCTL_FAIL (a runtime
 * failure: xenstore, a timeout, no such device), VIFCTL_USAGE (bad
 * arguments or a bad spec or rate). Messages go to stderr as
 * "vifctl: ..." lines; results to stdout.
 */
#ifndef VIFD_VIFCTL_H
#define VIFD_VIFCTL_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/strparse.h"
#include "core/vifspec.h"
#include "core/xenbus_state.h"	/* xenbus_state_str: names with "?" */
#include "seam/xen_ops.h"

enum { VIFCTL_OK = 0, VIFCTL_FAIL = 1, VIFCTL_USAGE = 2 };
/* vifctl_getopt's "--help was printed: exit with VIFCTL_OK". */
#define VIFCTL_DONE (-1)

/* libxl's LIBXL_INIT_TIMEOUT and LIBXL_DESTROY_TIMEOUT: 10 s each. */
#define VIFCTL_TIMEOUT_MS_DEFAULT	10000u
/* The longest --timeout we take: an hour. */
#define VIFCTL_TIMEOUT_MS_MAX		3600000u
/* Bound on transaction retries after EAGAIN (libxl retries forever; a
 * thousand conflicts in a row means something else is wrong). */
#define VIFCTL_TXN_RETRIES		1000
/* Our backend key for the guest-inbound (host -> guest) limit, in the
 * format of `rate`: "bytes,usec". */
#define VIFCTL_INBOUND_RATE_KEY		"vifd-inbound-rate"
/* Our backend keys for the link state ("up"/"down") and the bridge port
 * isolation ("1"/"0"); vifd's VIF_LINK_KEY and VIF_ISOLATED_KEY. */
#define VIFCTL_LINK_KEY			"vifd-link"
#define VIFCTL_ISOLATED_KEY		"vifd-isolated"
#define VIFCTL_VLAN_KEY			"vifd-vlan"
/* Our backend keys for libvirt's average, peak and burst, per vif:
 * "average,peak,burst" in bytes/s and bytes (src/core/shape.h). */
#define VIFCTL_OUTBOUND_SHAPE_KEY	"vifd-outbound-shape"
#define VIFCTL_INBOUND_SHAPE_KEY	"vifd-inbound-shape"

/* The state of one vifctl run. */
struct vifctl {
	const char *xen;		/* --xen= (xen_env_syntax()) */
	long backend_domid;		/* --backend-domid, or -1 */
	struct xen_env *env;		/* NULL until vifctl_xs_open() */
	struct xen_xs *xs;
	const struct xen_ops *ops;
};

/* One subcommand. run() gets argv with argv[0] the subcommand's name and
 * returns an exit code. */
struct vifctl_cmd {
	const char *name;
	const char *synopsis;		/* arguments, for the usage text */
	const char *summary;		/* one line */
	const char *options;		/* its options, for --help; or NULL */
	int (*run)(struct vifctl *c, int argc, char **argv);
};

extern const struct vifctl_cmd vifctl_cmd_parse;
extern const struct vifctl_cmd vifctl_cmd_attach;
extern const struct vifctl_cmd vifctl_cmd_detach;
extern const struct vifctl_cmd vifctl_cmd_list;
extern const struct vifctl_cmd vifctl_cmd_rate;
extern const struct vifctl_cmd vifctl_cmd_stats;
extern const struct vifctl_cmd vifctl_cmd_top;
extern const struct vifctl_cmd vifctl_cmd_port;
extern const struct vifctl_cmd vifctl_cmd_libvirt_hook;

/* The subcommand called `name`, or NULL (main.c). */
const struct vifctl_cmd *vifctl_find_cmd(const char *name);
extern const struct vifctl_cmd vifctl_cmd_features;

/* ---- messages and arguments (common.c) ---------------------------------- */

void vifctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vifctl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * getopt_long over a subcommand's argv with its own options plus the
 * global ones (--xen, --backend-domid, --help), which are handled here.
 * Options may come before, between or after the operands. Calls
 * opt(c, arg, val, optarg) for each of the command's options; opt returns
 * 0 or an exit code. On success, *first is the index of the first operand
 * (getopt permutes them to the end). Returns 0, VIFCTL_DONE after
 * printing --help, or an exit code after printing why.
 */
int vifctl_getopt(struct vifctl *c, const struct vifctl_cmd *cmd, int argc,
    char **argv, const struct option *opts,
    int (*opt)(struct vifctl *c, void *arg, int val, const char *optarg),
    void *arg, int *first);

/* Handles one global option (val 'X' --xen, 'B' --backend-domid). Returns
 * 0, or VIFCTL_USAGE after printing why; 1 if `val` is not global. */
int vifctl_global_opt(struct vifctl *c, int val, const char *optarg);

/* The global options' table entries, for main.c and vifctl_getopt. */
#define VIFCTL_GLOBAL_OPTIONS \
	{ "xen", required_argument, NULL, 'X' }, \
	{ "backend-domid", required_argument, NULL, 'B' }, \
	{ "help", no_argument, NULL, 'h' }

/* A decimal number (digits only) in [0, max], named `what` in the message.
 * Returns 0 or VIFCTL_USAGE after printing why. */
int vifctl_parse_u32(const char *what, const char *s, uint32_t max,
    uint32_t *out);

/*
 * The DOMID DEVID operands of a command (detach, rate, stats), from
 * argv[first] on: exactly these two, or with `optional` also none at all
 * (*given then says which). DOMID is 0..VIFSPEC_DOMID_MAX, DEVID
 * 0..VIFSPEC_DEVID_MAX. Returns 0 with ids->domid and ids->devid set,
 * or VIFCTL_USAGE after printing why.
 */
int vifctl_ids_args(const struct vifctl_cmd *cmd, int argc, char **argv,
    int first, bool optional, struct vifspec_ids *ids, bool *given);

/*
 * The start of a command on one vif (detach, features): its options
 * (vifctl_getopt), exactly the DOMID DEVID operands, xenstore open, the
 * backend domain found (vifctl_find_backend) and `be` (len bytes, at
 * least VIFSPEC_PATH_MAX) its backend directory, with *ids filled.
 * Returns 0, VIFCTL_DONE after --help, or an exit code after printing why.
 */
int vifctl_vif_start(struct vifctl *c, const struct vifctl_cmd *cmd,
    int argc, char **argv, const struct option *opts,
    int (*opt)(struct vifctl *c, void *arg, int val, const char *optarg),
    void *arg, struct vifspec_ids *ids, char *be, size_t len);

/* --timeout SECONDS: digits with an optional fraction ("0.5"), at most
 * VIFCTL_TIMEOUT_MS_MAX. Returns 0 or VIFCTL_USAGE after printing why. */
int vifctl_parse_timeout(const char *s, unsigned int *ms);
/* The same for any option named `opt` (--interval). */
int vifctl_parse_seconds(const char *opt, const char *s, unsigned int *ms);

/* Fills buf with random bytes (getrandom). 0 or -errno. */
int vifctl_random(uint8_t *buf, size_t n);

/* Writes a value for a `PATH = "VALUE"` line: '"' and '\' escaped,
 * non-printable bytes as \xNN. */
void vifctl_print_quoted(FILE *f, const char *s);

/* xenstore-ls -p style perms: "n0,r1". */
void vifctl_format_perms(const struct xen_xs_perm *p, unsigned int n,
    char *buf, size_t len);

/* The two-entry permission list of a node kind for this vif. */
void vifctl_node_perms(enum vifspec_perm kind, const struct vifspec_ids *ids,
    struct xen_xs_perm perms[2]);

/* --mac-mode xen|local. Returns 0 or VIFCTL_USAGE after printing why. */
int vifctl_parse_mac_mode(const char *s, enum vifspec_mac_mode *mode);

/* Parses a spec with fresh random bytes for its MAC, printing the
 * warnings. Returns 0, or VIFCTL_USAGE after "bad vif spec: KEY=VALUE:
 * reason" (VIFCTL_FAIL if no random bytes could be had). */
int vifctl_spec_parse(const char *spec, enum vifspec_mac_mode mode,
    const char *script_dir, struct vifspec *vs);

/* One backend key a command sets: `value` NULL removes it. */
struct vifctl_key {
	const char *key;
	const char *value;
};

/*
 * Sets (or removes) keys of vif DOMID/DEVID's backend directory in one
 * transaction, retried on conflicts, with the backend's node permissions;
 * only in an existing directory (never a half backend dir). `what`
 * prefixes messages. Returns 0, or an exit code after printing why
 * (VIFCTL_FAIL: no such vif, xenstore).
 */
int vifctl_set_keys(struct vifctl *c, const char *what, uint32_t domid,
    uint32_t devid, const struct vifctl_key *keys, unsigned int n);

/* ---- vifd's control socket (ctlclient.c) ------------------------------- */

/*
 * The socket to ask: `opt` (--ctl-socket) if given, else the one of the
 * vifd serving --backend-domid (default 0) on the machine --xen= names.
 * `what` prefixes messages. Returns 0 or an exit code after printing why.
 */
int vifctl_ctl_path(struct vifctl *c, const char *what, const char *opt,
    char *path, size_t len);

/*
 * Sends one command line to vifd and reads its whole answer into
 * *answer (malloc'd, NUL-terminated). An answer starting "error: " is
 * printed as a message and fails. Returns 0, or an exit code after
 * printing why (*answer NULL).
 */
int vifctl_ctl_ask(const char *what, const char *path, const char *cmd,
    char **answer);

/*
 * The start of a command that asks vifd for `stats` (stats, top): its
 * options (vifctl_getopt with opts/opt/arg), optional DOMID DEVID operands
 * making the question q, and the socket into path, from *ctl (the
 * command's --ctl-socket, read once the options are parsed) or where the
 * machine keeps it. Returns 0, VIFCTL_DONE after --help, or an exit code
 * after printing why.
 */
int vifctl_stats_start(struct vifctl *c, const struct vifctl_cmd *cmd,
    int argc, char **argv, const struct option *opts,
    int (*opt)(struct vifctl *c, void *arg, int val, const char *optarg),
    void *arg, const char *const *ctl, char *path, size_t plen, char *q,
    size_t qlen);
/*
 * A feature mask LIST for VIFD_FEATURES_OFF_KEY (cmd_features.c): the
 * names of src/core/featmask.h, or "none". Returns 0 with *mask and its
 * canonical form in canon (200 bytes suffice; "" for none), or
 * VIFCTL_USAGE after "WHAT 'LIST': the bad part".
 */
int vifctl_parse_featmask(const char *what, const char *s, uint32_t *mask,
    char *canon, size_t len);

/* ---- xenstore (common.c) ------------------------------------------------- */

/* Opens --xen's environment and connects to xenstored. Returns 0 or
 * VIFCTL_FAIL after printing why. vifctl_close() undoes it. */
int vifctl_xs_open(struct vifctl *c);
void vifctl_close(struct vifctl *c);

/* A node's value (malloc'd) or NULL with errno set (ENOENT if absent). */
char *vifctl_read(struct vifctl *c, xen_txn_t t, const char *path);

/* 1 if `path` exists, 0 if not, -errno. */
int vifctl_exists(struct vifctl *c, xen_txn_t t, const char *path);

/* Reads a XenbusState node: 0 and *state, -ENOENT if absent, -EINVAL if
 * it is not a number in 0..255, -errno. */
int vifctl_read_state(struct vifctl *c, xen_txn_t t, const char *path,
    int *state);

/*
 * Runs apply(c, t, arg) in a transaction, retried on EAGAIN (at most
 * VIFCTL_TXN_RETRIES times), if the backend directory `be` exists: a
 * command that changes an existing vif never creates a half backend
 * directory. apply returns 0 or -errno (which aborts the transaction).
 * Returns 0, -ENODEV if `be` does not exist, or -errno (-EAGAIN: kept
 * conflicting).
 */
int vifctl_backend_txn(struct vifctl *c, const char *be,
    int (*apply)(struct vifctl *c, xen_txn_t t, void *arg), void *arg);

/* Removes `path` and then each ancestor left empty (no value, no
 * children), as libxl__xs_path_cleanup / xenstore-rm -t do. A missing
 * path is not an error. Returns 0 or -errno. */
int vifctl_rm_cleanup(struct vifctl *c, xen_txn_t t, const char *path);

/*
 * Waits until the XenbusState node `path` holds a state in [lo, hi]
 * (returns 0), or a state >= fail_from (-ECONNREFUSED), or the node is
 * gone (0 if gone_ok, else -ENOENT), or timeout_ms passes (-ETIMEDOUT).
 * *last gets the last state seen (-1: none). Uses a xenstore watch.
 */
int vifctl_wait_state(struct vifctl *c, const char *path, int lo, int hi,
    int fail_from, bool gone_ok, unsigned int timeout_ms, int *last);

/* Resolves a domain name through /local/domain/<id>/name. 0, or -ENOENT
 * (no such name) / -errno. */
int vifctl_domain_by_name(struct vifctl *c, const char *name,
    uint32_t *domid);

/*
 * Finds the backend domain of vif DOMID/DEVID: --backend-domid if given,
 * else the frontend's backend-id node, else 0. Returns 0 or an exit code
 * after printing why.
 */
int vifctl_find_backend(struct vifctl *c, uint32_t domid, uint32_t devid,
    uint32_t *backend);

#endif
