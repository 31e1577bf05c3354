#!/bin/sh
# deb.sh - builds vifd's Debian package from a fresh clone of this tree's
# committed HEAD (uncommitted changes are not in it), out of the tree's way.
#   tools/deb.sh [OUTDIR]      default OUTDIR: _deb at the top of the tree
# Leaves OUTDIR/vifd_<version>_<arch>.deb (and .buildinfo, .changes) and
# OUTDIR/lintian.txt; exits non-zero if the build fails or lintian reports
# an error. Installs what it needs first (tools/deps.sh --deb).
# DEB_BUILD_OPTIONS passes through (default parallel=2; nocheck skips the
# unit tests the package build runs, `make check-noroot`).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/_deb}
"$top/tools/deps.sh" --deb
case $out in /*) ;; *) out=$(pwd)/$out ;; esac
rev=$(git -C "$top" rev-parse HEAD)
if [ -n "$(git -C "$top" status --porcelain --untracked-files=no)" ]; then
	echo "deb.sh: uncommitted changes in $top are not in the package (HEAD $rev)" >&2
fi
rm -rf "$out"
mkdir -p "$out"
git clone -q "$top" "$out/vifd"
git -C "$out/vifd" checkout -q "$rev"
start=$(date +%s)
(
	cd "$out/vifd"
	export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-parallel=2}"
	dpkg-buildpackage -b -us -uc >"$out/build.log" 2>&1
) || { tail -40 "$out/build.log" >&2; echo "deb.sh: the build failed ($out/build.log)" >&2; exit 1; }
echo "deb.sh: built in $(($(date +%s) - start)) s:" $(cd "$out" && ls ./*.deb)
# Errors fail; warnings and notes are listed (debian/README.packaging
# explains the expected ones).
lintian --fail-on error --info "$out"/*.changes >"$out/lintian.txt" 2>&1 && lrc=0 || lrc=$?
sed 's/^/lintian: /' "$out/lintian.txt"
[ "$lrc" = 0 ] || { echo "deb.sh: lintian reports errors" >&2; exit 1; }
echo "deb.sh: lintian: no errors"
