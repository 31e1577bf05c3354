# The systemd unit, with vifd's installed path. tools/test.sh checks it
# with systemd-analyze verify. The Debian package adds xendriverdomain.service
# (debian/), which Debian 12's Xen packages lack.
systemdsystemunit_DATA = systemd/vifd.service
CLEANFILES += systemd/vifd.service
EXTRA_DIST += systemd/vifd.service.in
systemd/vifd.service: $(top_srcdir)/systemd/vifd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' $(top_srcdir)/systemd/vifd.service.in > $@.tmp && \
	mv $@.tmp $@
