#!/bin/bash
# rss-software.sh - rss.sh's 16 flows over 4 queues with vifd forced to
# software steering (--steering=software): vifctl says so, every frame
# still arrives on the queue the guest's mapping names with a correct
# HASH extra, and the queue workers hand frames to one another (the
# counter rss.sh expects to stay at 0 under the kernel's steering).
RSS_STEERING=software
. "$(dirname "$0")/rss.sh"
