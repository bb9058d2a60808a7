#!/bin/sh
# Installs the system packages, then builds the project and runs every test: unit
# tests, the real-kernel tests of kmod (as root) and the Pax Exam tests that boot
# the appliance. Run as root from a checkout.
set -eu
cd "$(dirname "$0")/.."

sh scripts/install-packages.sh
mvn -B -ntp -Dstyle.color=never install
