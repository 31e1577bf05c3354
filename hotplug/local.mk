# Our own vif-* hotplug scripts (Xen's contract: see man/vifd-hotplug.7)
# and the helper they source from their own directory, in $(hotplugdir)
# (configure --with-hotplug-dir, default $(libexecdir)/vifd). vifd's
# runner of them is src/ctrl/hotplug_*.
hotplug_SCRIPTS += hotplug/vif-bridge hotplug/vif-route hotplug/vif-nat
hotplug_DATA = hotplug/vifd-hotplug-common.sh
EXTRA_DIST += hotplug/vif-bridge hotplug/vif-route hotplug/vif-nat \
	hotplug/vifd-hotplug-common.sh
