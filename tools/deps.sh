#!/bin/sh
# deps.sh - installs the Debian 12 packages vifd needs to build, test and run
# its demo, if any is missing. Idempotent; needs root for apt-get.
#   tools/deps.sh            build + tests + demo
#   tools/deps.sh --deb      also what building the Debian package needs
#                            (tools/deb.sh; debian/control's Build-Depends)
#   tools/deps.sh --lab      also what the real-Xen lab needs (and --deb's:
#                            the lab installs vifd from its package)
set -eu
pkgs="autoconf automake make gcc pkg-config libxen-dev libcunit1-dev libmnl-dev libseccomp-dev liburing-dev libcap-dev libxml2-dev
libsystemd-dev systemd python3
xen-utils-4.17 xenstore-utils iproute2 iputils-ping iperf3 ethtool nftables
iptables prometheus openvswitch-switch
cppcheck procps psmisc kmod util-linux clang libbpf-dev libxdp-dev libclang-rt-14-dev
linux-perf"
# libclang-rt-14-dev: libFuzzer's runtime, for tests/fuzz (make fuzz).
# linux-perf: make bench counts system calls per frame with perf stat on
# the raw_syscalls:sys_enter tracepoint (a kernel-side count; strace would
# stop vifd at every call), and bench.sh --perf profiles with it.
# dpkg-buildpackage (dpkg-dev), dh and dh_autoreconf (debhelper), lintian.
debpkgs="dpkg-dev debhelper fakeroot lintian"
case "${1:-}" in
--deb)	pkgs="$pkgs $debpkgs" ;;
--lab)	pkgs="$pkgs $debpkgs debootstrap cpio zstd qemu-system-x86 busybox-static perl clang llvm" ;;
esac
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq </dev/null
# --no-install-recommends: xen-utils would otherwise pull in the hypervisor
# and rewrite the boot loader's configuration.
# xen-utils prints "Can't find hypervisor information in sysfs" on a
# machine without Xen; that is harmless.
apt-get install -y -qq --no-install-recommends $missing </dev/null >/dev/null
# prometheus is here for its promtool, which checks `vifctl stats
# --prometheus`; the server it also installs is not ours to run.
case " $missing " in
*" prometheus "*)
	if command -v systemctl >/dev/null 2>&1; then
		systemctl disable --now prometheus >/dev/null 2>&1 || true
	fi ;;
esac
# openvswitch-switch is here for its ovsdb-server, ovs-vswitchd and
# ovs-vsctl: the OVS rig test starts its own daemons on private paths
# (userspace datapath, in its own namespaces); the system's would only be
# in the way, and without the kernel module they cannot forward anyway.
case " $missing " in
*" openvswitch-switch "*)
	if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
		systemctl disable --now openvswitch-switch ovs-vswitchd \
		    ovsdb-server >/dev/null 2>&1 || true
	elif [ -x /usr/share/openvswitch/scripts/ovs-ctl ]; then
		# No systemd (a container): the package's init script
		# may have started them; stop and do not start at boot.
		/usr/share/openvswitch/scripts/ovs-ctl stop >/dev/null 2>&1 || true
		update-rc.d openvswitch-switch disable >/dev/null 2>&1 || true
	fi ;;
esac
