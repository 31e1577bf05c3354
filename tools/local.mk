include tools/xensim/local.mk
