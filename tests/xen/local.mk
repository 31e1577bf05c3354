# The real-Xen lab: Xen 4.17, a PV dom0 running vifd and PV domUs with
# Linux xen-netfront, from Debian packages under QEMU TCG. Needs root and
# apt; not part of "make check". See tests/xen/README.md.
#   make check-xen                  vifd serves the guests (and scenario 9
#                                   compares it with xen-netback)
#   make check-xen BACKEND=kernel   Linux xen-netback serves them
# Images are cached in $VIFD_LAB_CACHE (default /var/cache/vifd-lab).
dist_noinst_SCRIPTS += tests/xen/check-xen.sh tests/xen/run-scenarios \
	tests/xen/dom0-init tests/xen/domu-init tests/xen/lab-agent \
	tests/xen/netdd/init tests/xen/netdd/setup
EXTRA_DIST += tests/xen/README.md tests/xen/images.sh tests/xen/dom0-lib.sh \
	tests/xen/scenario-0-emulation.sh \
	tests/xen/scenario-1-connect.sh tests/xen/scenario-2-data.sh \
	tests/xen/scenario-3-multiqueue.sh tests/xen/scenario-4-rate.sh \
	tests/xen/scenario-5-detach-attach.sh tests/xen/scenario-6-reconnect.sh \
	tests/xen/scenario-7-vifd-restart.sh tests/xen/scenario-8-destroy.sh \
	tests/xen/scenario-9-side-by-side.sh tests/xen/scenario-10-vlan.sh \
	tests/xen/scenario-11-xdp.sh tests/xen/xdp-icmp-drop.c \
	tests/xen/move-lib.sh tests/xen/scenario-12-pause.sh \
	tests/xen/scenario-13-save-restore.sh tests/xen/scenario-14-migrate.sh \
	tests/xen/scenario-15-checkpoint.sh tests/xen/scenario-16-move-side-by-side.sh \
	tests/xen/dd-lib.sh tests/xen/netdd/vifd-lab-netdd.service \
	tests/xen/netdd/vifd-lab-agent.service \
	tests/xen/scenario-17-dd-connect.sh tests/xen/scenario-18-dd-data.sh \
	tests/xen/scenario-19-dd-lifecycle.sh tests/xen/scenario-20-dd-restart.sh \
	tests/xen/scenario-21-dd-side-by-side.sh \
	tests/xen/scenario-22-switch-over.sh tests/xen/scenario-23-switch.sh
# memstress counts the emulation's memory faults in dom0 and the guests; one
# source built static (it runs in the guest's busybox initramfs) and
# dynamic (the dynamic loader's and libc's start-up are part of what it
# checks). Never sanitized: it must run alone on the lab's machines.
noinst_PROGRAMS += tests/xen/memstress tests/xen/memstress-dyn
tests_xen_memstress_SOURCES = tests/xen/memstress.c
tests_xen_memstress_CFLAGS = $(WARN_CFLAGS)
tests_xen_memstress_LDFLAGS = -static
tests_xen_memstress_dyn_SOURCES = tests/xen/memstress.c
tests_xen_memstress_dyn_CFLAGS = $(WARN_CFLAGS)
tests_xen_memstress_dyn_LDFLAGS =
CLEANFILES += tests/xen/check-xen-vifd.log tests/xen/check-xen-kernel.log

check-xen: all
	VIFD_BUILDDIR='$(abs_top_builddir)' VIFD_SRCDIR='$(abs_top_srcdir)' \
	VIFD_HOTPLUGDIR='$(hotplugdir)' BACKEND='$(BACKEND)' \
	$(SHELL) '$(abs_top_srcdir)/tests/xen/check-xen.sh'
.PHONY: check-xen
