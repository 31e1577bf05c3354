# Golden files for `vifctl parse` (tests/golden/vifctl/*.spec against
# their .out and .err), and vifctl's command-line checks that need no
# xenstore: no root and no Xen, so a unit test (and it runs under the
# sanitizers too).
UNIT_TESTS += tests/golden/vifctl.sh
dist_noinst_SCRIPTS += tests/golden/vifctl.sh
EXTRA_DIST += tests/golden/vifctl
# Recorded libvirt domain XML for `vifctl libvirt-hook --dry-run`
# (tests/golden/libvirt/*.xml against their .out and .err).
UNIT_TESTS += tests/golden/libvirt-hook.sh
dist_noinst_SCRIPTS += tests/golden/libvirt-hook.sh
EXTRA_DIST += tests/golden/libvirt
