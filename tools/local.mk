include tools/xensim/local.mk
include tools/vifctl/local.mk
include tools/vif-guest/local.mk
