include tools/xensim/local.mk
include tools/vifctl/local.mk
include tools/vif-guest/local.mk
include tools/bench/local.mk

# The rig and the scripts around the build (the lead's).
dist_bin_SCRIPTS = tools/vif-rig
EXTRA_DIST += tools/deps.sh tools/build.sh tools/test.sh tools/run.sh
