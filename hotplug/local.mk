# Our own vif-* hotplug scripts (Xen's contract: see man/vifd-hotplug.7)
# and the helpers they source from their own directory, in $(hotplugdir)
# (configure --with-hotplug-dir, default $(libexecdir)/vifd). vifd's
# runner of them is src/ctrl/hotplug_*. vif-openvswitch is vif-bridge
# restricted to Open vSwitch bridges (vifd-hotplug-ovs.sh).
hotplug_SCRIPTS += hotplug/vif-bridge hotplug/vif-route hotplug/vif-nat \
	hotplug/vif-openvswitch
hotplug_DATA = hotplug/vifd-hotplug-common.sh hotplug/vifd-hotplug-ovs.sh
EXTRA_DIST += hotplug/vif-bridge hotplug/vif-route hotplug/vif-nat \
	hotplug/vif-openvswitch hotplug/vifd-hotplug-common.sh \
	hotplug/vifd-hotplug-ovs.sh
