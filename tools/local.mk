include tools/xensim/local.mk
include tools/vifctl/local.mk
include tools/vif-guest/local.mk
include tools/bench/local.mk

# The rig and the scripts around the build (the lead's).
dist_bin_SCRIPTS = tools/vif-rig
EXTRA_DIST += tools/deps.sh tools/build.sh tools/test.sh tools/run.sh tools/deb.sh

# libvirt's libxl hook (vifctl libvirt-hook), with vifctl's installed path.
libvirthookdir = $(pkgdatadir)/libvirt
libvirthook_SCRIPTS = tools/libvirt/libxl
CLEANFILES += tools/libvirt/libxl
EXTRA_DIST += tools/libvirt/libxl.in
tools/libvirt/libxl: $(top_srcdir)/tools/libvirt/libxl.in Makefile
	$(AM_V_GEN)$(MKDIR_P) tools/libvirt && \
	sed -e 's|@bindir[@]|$(bindir)|g' $(top_srcdir)/tools/libvirt/libxl.in > $@.tmp && \
	chmod 755 $@.tmp && mv $@.tmp $@
