#!/bin/sh
# Installs the system packages, builds the appliance, unpacks it into ./appliance,
# starts the host VM, creates and boots two guests on the built-in "host" image,
# and shows them. The host VM and the guests keep running afterwards. Run as root
# from a checkout.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)

sh scripts/install-packages.sh
mvn -B -ntp -q -Dstyle.color=never install -DskipTests

ARCHIVE=$(ls "$ROOT"/karaf-distribution/target/vserver-distribution-*.tar.gz)
HOME_DIR="$ROOT/appliance/$(basename "$ARCHIVE" .tar.gz)"

if [ -x "$HOME_DIR/bin/status" ] && "$HOME_DIR/bin/status" >/dev/null 2>&1; then
    # Guests outlive the host VM, so remove the demo guests of the previous run first.
    echo "Destroying the demo guests and stopping the running appliance in $HOME_DIR"
    printf 'vserver:destroy --force web1\nvserver:destroy --force web2\n' \
        | timeout 120 "$HOME_DIR/bin/client" -u operator -k "$HOME_DIR/etc/operator.key" -b >/dev/null 2>&1 || true
    "$HOME_DIR/bin/stop"
    timeout 60 sh -c "while \"$HOME_DIR/bin/status\" >/dev/null 2>&1; do sleep 1; done"
fi
rm -rf "$HOME_DIR"
mkdir -p "$ROOT/appliance"
tar xzf "$ARCHIVE" -C "$ROOT/appliance"

# A new appliance folder gets a new key pair for the console user "operator".
"$HOME_DIR/bin/vserver-credentials" >/dev/null
"$HOME_DIR/bin/start"

CLIENT="$HOME_DIR/bin/client -u operator -k $HOME_DIR/etc/operator.key -b"
echo "Waiting for the host VM's console..."
if ! timeout 120 sh -c "until echo 'vserver:host' | timeout 20 $CLIENT 2>/dev/null | grep -q 'vcontext program'; do sleep 1; done"; then
    echo "run-appliance.sh: the host VM did not start within 120 s; see $HOME_DIR/data/log/karaf.log" >&2
    exit 1
fi

echo 'feature:list --installed | grep --color=never vserver' | timeout 30 $CLIENT 2>/dev/null
echo 'vserver:host' | timeout 30 $CLIENT 2>/dev/null

echo
echo "Creating and booting the guests web1 and web2 on the built-in 'host' image..."
timeout 120 $CLIENT <<'COMMANDS'
vserver:create --set init.style=command --set "init=/bin/sleep infinity" --set network.address=127.0.1.11 web1
vserver:create --set init.style=command --set "init=/bin/sleep infinity" --set network.address=127.0.1.12 web2
vserver:start web1 web2
vserver:list
vserver:exec web1 ps -ef
vserver:ps web1
COMMANDS

echo
echo "The host VM is running. Attach to its console with:"
echo "  $HOME_DIR/bin/client -u operator -k $HOME_DIR/etc/operator.key"
echo "or run commands from a script by piping them in:"
echo "  echo 'vserver:host' | $HOME_DIR/bin/client -u operator -k $HOME_DIR/etc/operator.key -b"
echo "Stop it with:"
echo "  $HOME_DIR/bin/stop"
