# tests/xen/images.sh - builds and caches the real-Xen lab's boot images.
# Sourced by check-xen.sh (bash). Owns everything that does not change when
# vifd changes: the Debian packages, the dom0 root tree, the dom0 base
# initramfs, the domU base initramfs and the Xen and Linux kernels. The
# per-run parts (vifd, vifctl, hotplug scripts, the lab's own scripts) are
# packed by check-xen.sh into a small overlay cpio at every boot, so a new
# vifd never rebuilds an image.
#
# Cache layout ($LAB_CACHE, default /var/cache/vifd-lab):
#   debs/           .debs fetched with apt-get download (Xen, kernel, the
#                   Xen userland's security updates)
#   debootstrap/    debootstrap's own package cache
#   dom0-root/      the dom0 root tree (debootstrap minbase + our packages)
#   kernel/         the unpacked kernel package (only while building)
#   images/         xen, vmlinuz, dom0-base.cpio, domu-base.cpio,
#                   vmlinux-domu.gz, KEY (what they were built from)
#   logs/           serial logs of the last runs
# The images are rebuilt when KEY changes: this file's text, the kernel
# package and the candidate versions of it and of Xen go into it.
# VIFD_LAB_REBUILD=1 forces a rebuild.

LAB_SUITE=bookworm
LAB_XENVER=4.17
# dom0: the toolstack, the daemons and what the scenarios measure with.
# tcpdump and strace are there for whoever debugs a scenario in the shell.
# net-tools: Xen's own vif-route runs ifconfig (netdd with xen-netback,
# BACKEND=kernel's routed guest in scenario 17; vifd's scripts use ip).
# systemd is not dom0's init (dom0-init is): it is there for the driver
# domain netdd, whose root is this same tree (netdd-base.cpio.zst below).
LAB_DOM0_PKGS="xen-utils-$LAB_XENVER xenstore-utils iproute2 iputils-ping kmod
procps busybox-static iperf3 ethtool tcpdump strace libxml2 libmnl0 libxdp1 liburing2
net-tools systemd systemd-sysv"
# Modules dom0 and netdd load (plus their dependencies, found with modprobe).
LAB_DOM0_MODS="xenfs xen-evtchn xen-gntdev xen-gntalloc xen-privcmd
xen-netback xen-netfront bridge tun veth"
# What the domU initramfs takes from the dom0 tree (with its libraries).
LAB_DOMU_BINS="/usr/bin/iperf3 /usr/sbin/ethtool /usr/bin/xenstore"

lab_log() { printf '[check-xen %s] %s\n' "$(date +%T)" "$*" >&2; }
lab_die() { lab_log "ERROR: $*"; exit 1; }

# Runs "$@" and logs how long it took.
lab_step() {
	local what=$1 t0 rc=0
	shift
	t0=$(date +%s)
	lab_log "== $what"
	"$@" || rc=$?
	lab_log "== $what: $(( $(date +%s) - t0 )) s$([ $rc = 0 ] || echo " (FAILED, rc $rc)")"
	return $rc
}

# The host's apt mirrors, so the lab downloads from where apt already does.
# Prints "MAIN SECURITY" URIs (deb822 .sources first, then one-line .list).
lab_host_mirrors() {
	local main="" sec=""
	if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
		main=$(awk '/^URIs:/{u=$2} /^Suites:/{ if ($0 !~ /-security/) { print u; exit } }' \
		    /etc/apt/sources.list.d/*.sources)
		sec=$(awk '/^URIs:/{u=$2} /^Suites:/{ if ($0 ~ /-security/) { print u; exit } }' \
		    /etc/apt/sources.list.d/*.sources)
	fi
	if [ -z "$main" ]; then
		main=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		    awk '$1=="deb" && $0 !~ /-security/ { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }')
	fi
	echo "${main:-http://deb.debian.org/debian} ${sec:-http://deb.debian.org/debian-security}"
}

# Makes sure the host has what the lab runs: QEMU, debootstrap, cpio, xz.
# Installs what is missing with apt-get unless VIFD_LAB_NO_INSTALL=1.
lab_host_tools() {
	local missing="" t
	for t in qemu-system-x86_64:qemu-system-x86 debootstrap:debootstrap \
	    cpio:cpio xz:xz-utils zstd:zstd flock:util-linux timeout:coreutils perl:perl-base; do
		command -v "${t%%:*}" >/dev/null 2>&1 || missing="$missing ${t#*:}"
	done
	[ -z "$missing" ] && return 0
	if [ "${VIFD_LAB_NO_INSTALL:-0}" = 1 ] || ! command -v apt-get >/dev/null; then
		lab_die "missing host packages:$missing (install them, or unset VIFD_LAB_NO_INSTALL)"
	fi
	lab_log "installing host packages:$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2 ||
	{ apt-get update -q >&2 &&
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2; } ||
	lab_die "could not install:$missing"
}

# The versioned kernel package linux-image-amd64 points at (e.g.
# linux-image-6.1.0-41-amd64); VIFD_LAB_KPKG overrides it.
lab_kernel_pkg() {
	local k=${VIFD_LAB_KPKG:-}
	[ -n "$k" ] || k=$(apt-cache depends linux-image-amd64 2>/dev/null |
	    awk '/Depends: linux-image-[0-9]/{print $2; exit}')
	if [ -z "$k" ]; then
		apt-get update -q >&2 || true
		k=$(apt-cache depends linux-image-amd64 2>/dev/null |
		    awk '/Depends: linux-image-[0-9]/{print $2; exit}')
	fi
	[ -n "$k" ] || lab_die "cannot find the Debian kernel package (apt-cache depends linux-image-amd64)"
	echo "$k"
}

# What the images are built from; a change rebuilds them.
lab_image_key() {
	{ cat "$LAB_SRC/images.sh" "$LAB_SRC/xdp-icmp-drop.c"; echo "$LAB_KPKG $LAB_MIRROR";
	  lab_candidate "$LAB_KPKG"; lab_candidate "xen-hypervisor-$LAB_XENVER-amd64"; } |
	    sha256sum | cut -c1-16
}

# The version apt would install of PKG on this host.
lab_candidate() {
	apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/{print $2; exit}'
}

# apt-get download, in one call, the host's candidate version of each PKG
# into DIR unless that .deb is already there. Prints the files' paths.
lab_fetch_debs() {
	local dir=$1 p v f want="" out=""
	shift
	mkdir -p "$dir"
	for p in "$@"; do
		v=$(lab_candidate "$p")
		if [ -z "$v" ] || [ "$v" = "(none)" ]; then
			apt-get update -q >&2 || true
			v=$(lab_candidate "$p")
		fi
		[ -n "$v" ] && [ "$v" != "(none)" ] || lab_die "no Debian package $p (apt-cache policy $p)"
		f=$(ls "$dir/${p}_${v/:/%3a}_"*.deb 2>/dev/null | head -n1)
		[ -n "$f" ] || want="$want $p=$v"
	done
	if [ -n "$want" ]; then
		# apt drops privileges to _apt for downloads: let it write here
		id _apt >/dev/null 2>&1 && chown _apt "$dir"
		(cd "$dir" && apt-get download -q $want >&2) || lab_die "apt-get download$want failed"
	fi
	for p in "$@"; do
		v=$(lab_candidate "$p")
		f=$(ls "$dir/${p}_${v/:/%3a}_"*.deb 2>/dev/null | head -n1)
		[ -n "$f" ] || lab_die "apt-get download $p=$v left no .deb"
		out="$out $f"
	done
	echo $out
}

# 1. Xen and the kernel: QEMU's multiboot loader wants the ELF32 xen, and
# xl create unpacks a bzImage's XZ payload in dom0 userspace (seconds under
# TCG), so the domU gets the ELF vmlinux, gzip'd (libxc gunzips it fast).
lab_build_kernels() {
	local img=$1 kv=${LAB_KPKG#linux-image-} off
	local xdeb kdeb
	read -r xdeb kdeb <<< "$(lab_fetch_debs "$LAB_CACHE/debs" "xen-hypervisor-$LAB_XENVER-amd64" "$LAB_KPKG")"
	[ -n "$kdeb" ] || exit 1
	rm -rf "$LAB_CACHE/kernel" "$LAB_CACHE/xen"
	dpkg-deb -x "$kdeb" "$LAB_CACHE/kernel"
	dpkg-deb -x "$xdeb" "$LAB_CACHE/xen"
	zcat "$LAB_CACHE/xen/boot/xen-$LAB_XENVER-amd64.gz" > "$img/xen"
	rm -rf "$LAB_CACHE/xen"
	cp "$LAB_CACHE/kernel/boot/vmlinuz-$kv" "$img/vmlinuz"
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$img/vmlinuz" | head -n1 | cut -d: -f1)
	[ -n "$off" ] || lab_die "no XZ payload in $img/vmlinuz"
	tail -c +"$((off + 1))" "$img/vmlinuz" | xz -dc --single-stream 2>/dev/null |
	    gzip -1 > "$img/vmlinux-domu.gz"
	[ "$(zcat "$img/vmlinux-domu.gz" | head -c4 | od -An -c | tr -d ' ')" = '177ELF' ] ||
	    lab_die "the kernel payload is not an ELF file"
}

# 2. The dom0 root: debootstrap minbase with our packages (debootstrap
# resolves their dependencies; no second apt pass), then the kernel's
# modules (copied, not dpkg -x'd: that would turn the usrmerge /lib symlink
# into a directory) and depmod run inside the tree.
lab_build_dom0_root() {
	local r=$LAB_CACHE/dom0-root kv=${LAB_KPKG#linux-image-} pkgs
	pkgs=$(echo $LAB_DOM0_PKGS | tr ' ' ',')
	rm -rf "$r"
	mkdir -p "$LAB_CACHE/debootstrap"
	debootstrap --variant=minbase --include="$pkgs" \
	    --cache-dir="$LAB_CACHE/debootstrap" "$LAB_SUITE" "$r" "$LAB_MIRROR" \
	    > "$LAB_CACHE/logs/debootstrap.log" 2>&1 ||
	    { tail -n 30 "$LAB_CACHE/logs/debootstrap.log" >&2; lab_die "debootstrap failed (log: $LAB_CACHE/logs/debootstrap.log)"; }
	lab_dom0_xen_userland "$r"
	rm -rf "$r/usr/lib/modules/$kv"
	mkdir -p "$r/usr/lib/modules"
	cp -a "$LAB_CACHE/kernel/lib/modules/$kv" "$r/usr/lib/modules/"
	chroot "$r" /sbin/depmod -a "$kv" || lab_die "depmod in the dom0 tree failed"
}

# debootstrap takes one suite: the Xen userland comes from the point
# release. Bring it to the version of the hypervisor (the host's candidate,
# security updates included), which is also what vifd is built against.
lab_dom0_xen_userland() {
	local r=$1 p want have pkgs="" debs
	for p in $(chroot "$r" dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' \
	    'libxen*' 'xen-utils*' 'xenstore-utils' | awk '$1=="ii"{print $2}' | sed 's/:.*//'); do
		want=$(lab_candidate "$p")
		have=$(chroot "$r" dpkg-query -W -f '${Version}' "$p")
		[ "$want" = "$have" ] || pkgs="$pkgs $p"
	done
	[ -n "$pkgs" ] || return 0
	debs=$(lab_fetch_debs "$LAB_CACHE/debs" $pkgs)
	[ -n "$debs" ] || exit 1
	rm -rf "$r/tmp/xen-debs"
	mkdir -p "$r/tmp/xen-debs"
	cp $debs "$r/tmp/xen-debs/"
	chroot "$r" sh -c 'dpkg -i /tmp/xen-debs/*.deb' > "$LAB_CACHE/logs/dom0-xen-update.log" 2>&1 ||
	    { tail -n 20 "$LAB_CACHE/logs/dom0-xen-update.log" >&2; lab_die "updating the dom0 Xen packages failed"; }
	rm -rf "$r/tmp/xen-debs"
}

# Copies FILE (a path inside the dom0 tree) and the shared libraries it
# needs into DIR, keeping paths; ldd runs inside the tree.
lab_copy_with_libs() {
	local r=$1 dir=$2 f=$3 lib
	mkdir -p "$dir$(dirname "$f")"
	cp -L "$r$f" "$dir$f"
	for lib in $(chroot "$r" ldd "$f" | awk '/=> \//{print $3} /^\t\/.*ld-linux/{print $1}'); do
		[ -e "$dir$lib" ] && continue
		mkdir -p "$dir$(dirname "$lib")"
		cp -L "$r$lib" "$dir$lib"
	done
}

# 3. The domU base initramfs: busybox, xen-netfront.ko, iperf3, ethtool and
# the xenstore client (its names are links to one binary) with their
# libraries. The guest's /init is added per run (see check-xen.sh).
lab_build_domu_base() {
	local img=$1 r=$LAB_CACHE/dom0-root kv=${LAB_KPKG#linux-image-} w b n
	w=$LAB_CACHE/domu-tree
	rm -rf "$w"
	mkdir -p "$w"/{bin,sbin,dev,proc,sys,tmp,etc,lib/modules,run,var/run}
	cp "$r/bin/busybox" "$w/bin/busybox"
	cp "$r/usr/lib/modules/$kv/kernel/drivers/net/xen-netfront.ko" "$w/lib/modules/"
	for b in $LAB_DOMU_BINS; do lab_copy_with_libs "$r" "$w" "$b"; done
	# iproute2's ip as ip-full: busybox's ip (the guest's own) cannot
	# attach an XDP program; and the program scenario 11 attaches, built
	# with clang's BPF target against the host's kernel headers.
	lab_copy_with_libs "$r" "$w" /usr/bin/ip
	mv "$w/usr/bin/ip" "$w/usr/bin/ip-full"
	mkdir -p "$w/lib/vifd-lab"
	clang -O2 -g -target bpf -D__x86_64__ -I/usr/include/x86_64-linux-gnu \
	    -c "$LAB_SRC/xdp-icmp-drop.c" -o "$w/lib/vifd-lab/xdp-icmp-drop.o" ||
	    lab_die "building the XDP program (clang -target bpf) failed"
	for n in read write rm exists list ls watch chmod; do ln -s xenstore "$w/usr/bin/xenstore-$n"; done
	# the usrmerge layout the libraries' paths assume
	[ -d "$w/lib64" ] || ln -s usr/lib64 "$w/lib64" 2>/dev/null || true
	if [ -d "$w/usr/lib/x86_64-linux-gnu" ] && [ ! -e "$w/lib/x86_64-linux-gnu" ]; then
		ln -s ../usr/lib/x86_64-linux-gnu "$w/lib/x86_64-linux-gnu"
	fi
	echo "root:x:0:0:root:/:/bin/sh" > "$w/etc/passwd"
	echo "root:x:0:" > "$w/etc/group"
	(cd "$w" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$img/domu-base.cpio"
	rm -rf "$w"
}

# 4. The dom0 base initramfs: the dom0 tree minus documentation, apt's
# state and all modules but the few dom0 loads, plus the domU kernel and
# the driver domain's root: the same tree and modules again, as one
# zstd-compressed cpio (netdd-base.cpio.zst; libxc passes a zstd ramdisk
# to the kernel as it is, where it would gunzip a gzip'd one in xl), to
# which check-xen.sh's netdd overlay is appended in dom0.
lab_build_dom0_base() {
	local img=$1 r=$LAB_CACHE/dom0-root kv=${LAB_KPKG#linux-image-} o mo m ko
	o=$LAB_CACHE/dom0-extra
	mo=$LAB_CACHE/dom0-mods
	rm -rf "$o" "$mo"
	mkdir -p "$mo/usr/lib/modules/$kv" "$o/var/lib/vifd-lab"
	cp "$r/usr/lib/modules/$kv"/modules.* "$mo/usr/lib/modules/$kv/"
	for m in $LAB_DOM0_MODS; do
		chroot "$r" modprobe -S "$kv" --show-depends "$m" ||
		    lab_die "module $m is not in $LAB_KPKG"
	done | awk '$1=="insmod"{print $2}' | sort -u | while read -r ko; do
		ko=/usr${ko#/usr}
		mkdir -p "$mo$(dirname "$ko")"
		cp "$r$ko" "$mo$ko"
	done
	cp "$img/vmlinux-domu.gz" "$o/var/lib/vifd-lab/vmlinux.gz"
	# minbase has no init system: reboot/poweroff are busybox's, immediate.
	mkdir -p "$o/usr/local/sbin"
	for m in poweroff reboot halt; do
		printf '#!/bin/sh\nsync\nexec busybox %s -f\n' "$m" > "$o/usr/local/sbin/$m"
		chmod 755 "$o/usr/local/sbin/$m"
	done
	(cd "$r" && find . \( -path ./usr/lib/modules -o -path ./usr/share/doc \
	    -o -path ./usr/share/man -o -path ./usr/share/locale -o -path ./usr/share/info \
	    -o -path ./usr/share/i18n -o -path ./usr/share/lintian -o -path ./var/lib/apt/lists \
	    -o -path ./var/cache/apt -o -path ./var/cache/debconf -o -path ./boot \
	    -o -path './usr/lib/python3*' -o -path './usr/lib/udev/hwdb*' -o -path ./etc/udev/hwdb.bin \
	    -o -path ./usr/lib/x86_64-linux-gnu/gconv \) -prune -o -print |
	    LC_ALL=C sort | cpio -o -H newc --quiet) > "$LAB_CACHE/tree.cpio"
	(cd "$mo" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$LAB_CACHE/mods.cpio"
	cat "$LAB_CACHE/tree.cpio" "$LAB_CACHE/mods.cpio" | zstd -q -T0 -6 > "$o/var/lib/vifd-lab/netdd-base.cpio.zst" ||
	    lab_die "compressing netdd's root failed"
	{
		cat "$LAB_CACHE/tree.cpio" "$LAB_CACHE/mods.cpio"
		(cd "$o" && find . | LC_ALL=C sort | cpio -o -H newc --quiet)
	} > "$img/dom0-base.cpio.tmp"
	mv "$img/dom0-base.cpio.tmp" "$img/dom0-base.cpio"
	rm -rf "$o" "$mo" "$LAB_CACHE/tree.cpio" "$LAB_CACHE/mods.cpio"
}

# Builds whatever is missing or stale; sets LAB_IMG to the image directory.
lab_images() {
	local key img=$LAB_CACHE/images
	read -r LAB_MIRROR _ <<< "$(lab_host_mirrors)"
	LAB_MIRROR=${VIFD_LAB_MIRROR:-$LAB_MIRROR}
	LAB_KPKG=$(lab_kernel_pkg)
	key=$(lab_image_key)
	LAB_IMG=$img
	if [ "${VIFD_LAB_REBUILD:-0}" != 1 ] && [ "$(cat "$img/KEY" 2>/dev/null)" = "$key" ]; then
		lab_log "images: cached in $img (key $key, $LAB_KPKG)"
		return 0
	fi
	lab_log "images: building in $img (key $key, $LAB_KPKG, mirror $LAB_MIRROR)"
	rm -rf "$img"
	mkdir -p "$img" "$LAB_CACHE/logs"
	lab_step "fetch Xen and kernel" lab_build_kernels "$img"
	lab_step "dom0 root (debootstrap)" lab_build_dom0_root
	lab_step "domU base initramfs" lab_build_domu_base "$img"
	lab_step "dom0 base initramfs" lab_build_dom0_base "$img"
	# the unpacked kernel is only needed while building
	rm -rf "$LAB_CACHE/kernel"
	echo "$LAB_KPKG" > "$img/KPKG"
	echo "$key" > "$img/KEY"
	lab_log "images: $(du -sh "$img" | cut -f1) ($(ls "$img" | tr '\n' ' '))"
}
