#!/bin/sh
# Installs the Debian 12 packages that building, testing and running VServer on
# Karaf need. Run as root; safe to run again.
set -eu

if [ "$(id -u)" -ne 0 ]; then
    echo "install-packages.sh: run as root (it calls apt-get install)" >&2
    exit 1
fi

PACKAGES="
    openjdk-17-jdk-headless maven
    gcc libc6-dev linux-libc-dev make
    clang llvm libbpf-dev
    busybox-static
    iproute2 procps openssh-client util-linux
    socat
"

export DEBIAN_FRONTEND=noninteractive
LOG=$(mktemp)
# shellcheck disable=SC2086
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends $PACKAGES; } >"$LOG" 2>&1; then
    cat "$LOG" >&2
    rm -f "$LOG"
    echo "install-packages.sh: apt-get failed (output above)" >&2
    exit 1
fi
rm -f "$LOG"
echo "install-packages.sh: system packages installed"
