# The manual pages.
dist_man_MANS += man/vifd.8 man/vifctl.8 man/vif-guest.1 man/xensim.1 \
	man/vifd-hotplug.7
