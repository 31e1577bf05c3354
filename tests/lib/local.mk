# The shell tests' library: tap.sh (the TAP words every shell test uses)
# and rig.sh (the simulated machine of the rig tests).
EXTRA_DIST += tests/lib/tap.sh tests/lib/rig.sh
