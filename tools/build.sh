#!/bin/sh
# build.sh - bootstraps autotools, configures and builds vifd out of tree.
#   tools/build.sh [BUILDDIR [CONFIGURE-ARGS...]]
# BUILDDIR defaults to _build at the top of the tree. Re-running it only
# redoes what changed. Installs missing Debian packages first (tools/deps.sh).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${1:-$top/_build}
[ $# -gt 0 ] && shift
"$top/tools/deps.sh"

# autoreconf when configure is missing or older than its inputs. Several
# builds may share the tree, so this is serialised.
(
	cd "$top"
	stale=no
	[ -x configure ] && [ -f Makefile.in ] || stale=yes
	if [ $stale = no ]; then
		for f in configure.ac Makefile.am $(find . -name '*.mk' -not -path './_build*' -not -path './.git/*'); do
			[ "$f" -nt Makefile.in ] && stale=yes && break
		done
	fi
	if [ $stale = yes ]; then
		flock /tmp/vifd-autoreconf.lock autoreconf -fi >/dev/null 2>&1 ||
			flock /tmp/vifd-autoreconf.lock autoreconf -fi
	fi
)

mkdir -p "$builddir"
cd "$builddir"
args="$*"
if [ ! -f config.status ] || [ "$(cat .vifd-configure-args 2>/dev/null)" != "$args" ] ||
    [ "$top/configure" -nt config.status ]; then
	# shellcheck disable=SC2086
	"$top/configure" -q $args
	printf '%s' "$args" > .vifd-configure-args
fi
make -s -j"$(nproc)" >/dev/null 2>build.err || { cat build.err >&2; exit 1; }
