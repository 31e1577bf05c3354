/*
 * vifspec.h - xl's vif= syntax: parse a vif spec, parse xl's rate= values,
 * and list the xenstore nodes libxl writes for a vif.
 *
 * A pure module (libc only: no fd, no clock, no global state), shared by
 * vifd and vifctl. Randomness for a generated MAC is passed in.
 *
 * The syntax (xl-network-configuration(5), tools/xl/xl_parse.c):
 *   - a spec is a comma-separated list of `key=value` items and flags;
 *     empty items (",,", a leading or trailing comma) are skipped, so the
 *     empty string is a valid spec that asks for every default;
 *   - leading spaces (only ' ', as xl) of each item are skipped; nothing
 *     else is trimmed, so "bridge=br0 " names a bridge "br0 " (which the
 *     name check then rejects with a message);
 *   - keys: mac, bridge, gatewaydev (netdev: its deprecated alias), type
 *     (vif|ioemu), model, vifname, script, ip, backend, rate, mtu, devid,
 *     vlan, forwarddev and the colo_* keys (passed through to the backend
 *     as libxl does), accel (ignored with a warning, as xl);
 *   - flags: trusted, untrusted;
 *   - a key given twice: the last one wins (as xl), with a warning.
 *
 * Where xl is strict we are too; where xl only warns or silently accepts
 * garbage (an unknown key inside a domain config, trailing junk after a
 * number, a MAC with any separator, an interface name that cannot exist),
 * we reject the spec with a message naming the key and the value: we are
 * the stricter tool. Known-harmless leniency is kept (see accel).
 *
 * Error messages have the form "KEY='VALUE': reason" (the value escaped
 * and cut to a readable length), or "'ITEM': reason" for an unknown key or
 * flag, written to the caller's buffer.
 */
#ifndef VIFD_VIFSPEC_H
#define VIFD_VIFSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest spec we accept (bytes, without the NUL). xl has no limit; a
 * real spec is well under 1 KiB. */
#define VIFSPEC_MAX_LEN		4096u
/* Longest interface name: IFNAMSIZ (16) - 1. */
#define VIFSPEC_IFNAME_MAX	15u
/* Longest absolute script path we write. */
#define VIFSPEC_SCRIPT_MAX	512u
/* Pass-through keys (forwarddev, colo_*) kept per spec. */
#define VIFSPEC_MAX_EXTRA	64u
/* Warnings kept per spec, and their length. */
#define VIFSPEC_MAX_WARN	8u
#define VIFSPEC_WARN_LEN	160u

/* Defaults, as libxl (tools/libs/light/libxl_nic.c). */
#define VIFSPEC_BRIDGE_DEFAULT	"xenbr0"
#define VIFSPEC_SCRIPT_DEFAULT	"vif-bridge"
/* libxl__xen_script_dir_path(): XEN_SCRIPT_DIR of a default Xen build. */
#define VIFSPEC_SCRIPT_DIR_DEFAULT "/etc/xen/scripts"
/* LIBXL_DEVICE_NIC_MTU_DEFAULT. */
#define VIFSPEC_MTU_DEFAULT	1500u
/* The range we accept for mtu=: IPv4's minimum (RFC 791: 68) to the
 * largest value the 16-bit netif size field can describe. */
#define VIFSPEC_MTU_MIN		68u
#define VIFSPEC_MTU_MAX		65535u
/* Largest domid: DOMID_FIRST_RESERVED - 1 (xen/include/public/xen.h). */
#define VIFSPEC_DOMID_MAX	0x7fefu
/* Largest devid: libxl keeps it in an int and writes it with %d. */
#define VIFSPEC_DEVID_MAX	0x7fffffffu
/* xlu_vif_parse_rate's default replenishment interval: 50 ms. */
#define VIFSPEC_RATE_INTERVAL_DEFAULT 50000u

/* ---- rate= ------------------------------------------------------------ */

/* What libxl writes to the backend `rate` node as "%llu,%u". */
struct vifspec_rate {
	uint64_t bytes_per_interval;
	uint32_t interval_usecs;	/* never 0 after a successful parse */
};

/*
 * Parses an xl rate: RATE[@INTERVAL], exactly as xlu_vif_parse_rate
 * (tools/libs/util/libxlu_vif.c) does, quirks included:
 *   - RATE is digits, an optional K, M or G (powers of 1000), then B/s
 *     (bytes) or b/s (bits: the byte count is divided by 8, truncating);
 *     INTERVAL is digits then an optional "m" or "u" then an optional "s":
 *     "s", "ms", "us", "m", "u" or nothing (a bare number is seconds).
 *   - Numbers are read as C's strtoull(base 0) reads them: a leading 0
 *     means octal ("010B/s" is 8 B/s) and the number stops at the first
 *     8 or 9, whose unit letters are then looked for at the wrong place
 *     ("018KB/s" is 1 B/s; "018b/s" is 1/8 = 0 B/s; "1B/s@018ms" is 1 us).
 *   - RATE's number (before its K/M/G) must be in 1..2^32-1, INTERVAL's
 *     number too, and INTERVAL in microseconds must fit in 32 bits.
 *   - bytes/s × interval must fit in 64 bits; the result is
 *     bytes/s × interval / 1000000, truncated, and may be 0 (accepted).
 *   - Only the first '@' splits; nothing else (no space, no sign) is
 *     accepted anywhere.
 * xl's parser reads errno after strtoull without clearing it first, so a
 * stale ERANGE from earlier code can make it reject a good value; that is
 * not reproduced (it cannot be, deterministically).
 * Returns 0, or -EINVAL / -EOVERFLOW with a reason in err.
 */
int vifspec_parse_rate(const char *s, struct vifspec_rate *out, char *err,
    size_t errlen);

/* Formats a rate as the backend node holds it: "bytes,usec". Returns the
 * length, or -ENOSPC if it does not fit. */
int vifspec_rate_format(const struct vifspec_rate *r, char *buf, size_t len);

/* ---- MAC addresses ------------------------------------------------------ */

/* How a MAC is generated when the spec gives none. */
enum vifspec_mac_mode {
	/* libxl's way: Xen's OUI 00:16:3e, then random & 0x7f, random,
	 * random (libxl__device_nic_setdefault). The default. */
	VIFSPEC_MAC_XEN_OUI = 0,
	/* Six random bytes with the locally administered bit set and the
	 * multicast bit clear (first byte xxxxxx10), which
	 * xl-network-configuration(5) recommends: 46 random bits. */
	VIFSPEC_MAC_LOCAL,
};

/* Builds a MAC from six random bytes (only the first three are used in
 * VIFSPEC_MAC_XEN_OUI mode). */
void vifspec_mac_generate(enum vifspec_mac_mode mode, const uint8_t rnd[6],
    uint8_t mac[6]);

/* mac= is parsed by strparse_mac(STRPARSE_MAC_DASH): six groups of one
 * or two hex digits, all separated by ':' or all by '-'. (xl takes any
 * separator and ignores what follows the sixth group; we do not.) */

/* "xx:xx:xx:xx:xx:xx", lower case (LIBXL_MAC_FMT); buf holds 18 bytes. */
void vifspec_format_mac(const uint8_t mac[6], char buf[18]);

/* ---- the spec ----------------------------------------------------------- */

enum vifspec_type {
	VIFSPEC_TYPE_VIF = 0,	/* written as "vif" */
	VIFSPEC_TYPE_IOEMU,	/* written as "vif_ioemu" */
};

struct vifspec_opts {
	/* Directory a relative script= is resolved against; NULL means
	 * VIFSPEC_SCRIPT_DIR_DEFAULT (libxl's /etc/xen/scripts). */
	const char *script_dir;
	enum vifspec_mac_mode mac_mode;
	/* Random bytes for a generated MAC, from the caller. */
	uint8_t random[6];
};

/* A pass-through backend key (forwarddev, colo_*). */
struct vifspec_extra {
	const char *key;
	const char *value;
};

/*
 * A parsed spec. String fields point into `buf` (the struct owns its
 * strings: no allocation, nothing to free) and are NULL when not given,
 * except bridge and script, which always hold a value.
 */
struct vifspec {
	uint8_t mac[6];
	bool mac_generated;		/* no mac= (or the all-zero MAC) */
	const char *bridge;		/* default "xenbr0" */
	const char *gatewaydev;		/* gatewaydev= or netdev= */
	enum vifspec_type type;
	bool type_given;
	const char *model;		/* kept, not written (QEMU's) */
	const char *vifname;
	const char *ip;			/* space-separated addresses */
	const char *backend;		/* as given: a domid or a name */
	bool backend_is_domid;
	uint32_t backend_domid;		/* valid if backend_is_domid */
	bool rate_given;
	struct vifspec_rate rate;
	uint32_t mtu;			/* VIFSPEC_MTU_DEFAULT if not given */
	bool mtu_given;
	bool devid_given;
	uint32_t devid;
	bool trusted;			/* default true, as libxl */
	const char *vlan;
	unsigned int n_extra;
	struct vifspec_extra extra[VIFSPEC_MAX_EXTRA];
	unsigned int n_warn;
	char warn[VIFSPEC_MAX_WARN][VIFSPEC_WARN_LEN];
	char script[VIFSPEC_SCRIPT_MAX];	/* absolute */
	char buf[VIFSPEC_MAX_LEN + 1];
};

/*
 * Parses `spec` into `vs`, filling in libxl's defaults. opts may be NULL
 * (defaults, and a generated MAC of 00:16:3e:00:00:00). Returns 0, or
 * -EINVAL (a malformed spec) / -E2BIG (longer than VIFSPEC_MAX_LEN) with
 * "KEY='VALUE': reason" in err. Warnings (deprecated or ignored keys, keys
 * given twice) are in vs->warn[0..n_warn).
 */
int vifspec_parse(const char *spec, const struct vifspec_opts *opts,
    struct vifspec *vs, char *err, size_t errlen);

/* ---- the xenstore nodes libxl writes ------------------------------------ */

/* Who owns a node (libxl_device.c: libxl__device_generic_add). */
enum vifspec_perm {
	/* backend dir: owned by the backend domain, the guest may read */
	VIFSPEC_PERM_BACKEND = 0,
	/* frontend dir: owned by the guest, the backend domain may read */
	VIFSPEC_PERM_FRONTEND,
	/* libxl's ro_frontend_perms: in the frontend dir but owned by the
	 * backend domain, the guest may only read (the frontend `mtu`) */
	VIFSPEC_PERM_FRONTEND_RO,
};

#define VIFSPEC_PATH_MAX	160u	/* one node's path */
#define VIFSPEC_VBUF_LEN	96u	/* a formatted value */
/* Upper bound of the nodes of one vif: fixed keys plus the extras. */
#define VIFSPEC_MAX_NODES	(32u + VIFSPEC_MAX_EXTRA)

struct vifspec_node {
	char path[VIFSPEC_PATH_MAX];
	const char *ext;		/* the value, if it lives in the spec */
	char vbuf[VIFSPEC_VBUF_LEN];	/* the value otherwise */
	enum vifspec_perm perm;
};

/* A node's value (ext or vbuf). */
static inline const char *
vifspec_node_value(const struct vifspec_node *n)
{
	return n->ext != NULL ? n->ext : n->vbuf;
}

/* Where a vif lives. */
struct vifspec_ids {
	uint32_t domid;		/* the guest */
	uint32_t devid;
	uint32_t backend_domid;
};

/* "/local/domain/B/backend/vif/D/N" and "/local/domain/D/device/vif/N".
 * Return the length, or -ENOSPC. */
int vifspec_backend_dir(const struct vifspec_ids *ids, char *buf, size_t len);
int vifspec_frontend_dir(const struct vifspec_ids *ids, char *buf, size_t len);

/*
 * Lists the nodes libxl writes for this vif (libxl__device_add_async +
 * libxl__set_xenstore_nic + libxl__device_generic_add), sorted by path:
 *   backend:  frontend, frontend-id, online=1, state=1, script, mac,
 *             bridge, handle, type, hotplug-status="" (so the backend
 *             waits for the script before Connected), and when given:
 *             vifname, ip, gatewaydev, rate, mtu (if not 1500), vlan,
 *             forwarddev, colo_*;
 *   frontend: backend, backend-id, state=1, handle, mac, trusted,
 *             mtu (always; VIFSPEC_PERM_FRONTEND_RO).
 * Nodes may point at strings inside `vs`: use them while `vs` lives.
 * The values of ids win over the spec's devid= and backend=. `nodes` has
 * room for `max` entries (VIFSPEC_MAX_NODES is always enough). Returns the
 * count, or -ENOSPC (a path or the array too small) / -EINVAL (an id out
 * of range).
 */
int vifspec_nodes(const struct vifspec *vs, const struct vifspec_ids *ids,
    struct vifspec_node *nodes, size_t max);

#endif
