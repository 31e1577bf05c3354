/*
 * vlanspec.h - the VLAN setting of a vif's bridge port, as our backend key
 * `vifd-vlan` states it (libvirt's <vlan> element).
 *
 * Grammar:
 *   ID                      an access port: frames untagged on the vif,
 *                           in VLAN ID on the bridge (libvirt: one <tag>)
 *   trunk:ELEM[,ELEM...]    a trunk: each ELEM's VLAN tagged on the vif
 *                           (libvirt: trunk='yes')
 *   ELEM = ID | ID=native-untagged | ID=native-tagged
 *                           the native VLAN takes the vif's untagged
 *                           frames; egress untagged or tagged (libvirt's
 *                           nativeMode); at most one
 * ID is a decimal 1..4094 (802.1Q; 0 and 4095 are reserved), at most
 * VLANSPEC_MAX of them, none twice. Pure: no fd, no allocation.
 */
#ifndef VIFD_VLANSPEC_H
#define VIFD_VLANSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* More VLANs than a vif's trunk reasonably carries; bounds the key. */
#define VLANSPEC_MAX 64u
#define VLANSPEC_VID_MAX 4094u
/* The longest value vifd keeps to show (a longer one still parses). */
#define VLANSPEC_STR_MAX 64u

struct vlanspec_vid {
	uint16_t vid;
	bool pvid;		/* takes the port's untagged ingress */
	bool untagged;		/* egresses untagged */
};

struct vlanspec {
	bool trunk;
	unsigned int n;
	struct vlanspec_vid v[VLANSPEC_MAX];
};

/*
 * Parses `s`. Returns 0 with *out filled, or -EINVAL with a message in
 * `err` naming the bad part (e.g. "trunk:10,5000": VLAN 5000 is not in
 * 1..4094).
 */
int vlanspec_parse(const char *s, struct vlanspec *out, char *err,
    size_t errlen);

/*
 * The same VLANs as Open vSwitch Port columns, for `ovs-vsctl set port`:
 * tag, trunks and vlan_mode values ("[]" clears one). `vs` NULL clears
 * all three (OVS's default: a trunk of every VLAN... as the port was).
 * An access port is tag=ID vlan_mode=access; a trunk is trunks=IDs
 * vlan_mode=trunk, with its native VLAN as tag and vlan_mode
 * native-untagged or native-tagged. Returns 0, or -ENOSPC if a buffer is
 * too small (trunks needs at most VLANSPEC_MAX * 5 bytes).
 */
int vlanspec_ovs(const struct vlanspec *vs, char *tag, size_t taglen,
    char *trunks, size_t trunkslen, const char **mode);

#endif
