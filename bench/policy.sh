#!/usr/bin/env bash
# Policy apply benchmark: the host-side time to re-apply a changed limits policy
# (memory and task limits) to N running busybox guests through the host VM's
# guest service and the real limits element. Writes docs/benchmarks-policy.md.
#
#   bash bench/policy.sh [--guests N] [--rounds N] [--output FILE]
#
# Run as root after building the bench module (mvn -o -q -pl bench -am install
# -DskipTests). Everything it creates (a temporary directory, the cgroups
# vserver-bench-PID-policy in every hierarchy, the guests' processes) is removed
# on exit, also on failure or interruption. It is a measurement, not a test.
set -euo pipefail

bench_dir=$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname -- "$bench_dir")
guests=500
rounds=40
output=$repo_dir/docs/benchmarks-policy.md
command_line="bash bench/policy.sh${*:+ $*}"

usage() {
    echo "usage: bash bench/policy.sh [--guests N] [--rounds N] [--output FILE]" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
        --guests) [ $# -ge 2 ] || usage; guests=$2; shift 2 ;;
        --rounds) [ $# -ge 2 ] || usage; rounds=$2; shift 2 ;;
        --output) [ $# -ge 2 ] || usage; output=$2; shift 2 ;;
        *) usage ;;
    esac
done
if ! [[ $guests =~ ^[0-9]+$ ]] || [ "$guests" -lt 1 ]; then
    echo "policy.sh: invalid --guests $guests, expected a positive integer" >&2
    exit 2
fi
if ! [[ $rounds =~ ^[0-9]+$ ]] || [ "$rounds" -lt 10 ]; then
    echo "policy.sh: invalid --rounds $rounds, expected an integer of at least 10" >&2
    exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "policy.sh: run as root, because the benchmark makes cgroups and namespaces" >&2
    exit 1
fi
[ -d "$bench_dir/target/lib" ] && [ -x "$repo_dir/kmod/target/native/vcontext" ] || {
    echo "policy.sh: build first: mvn -o -q -pl bench -am install -DskipTests" >&2
    exit 1
}

work_dir=$(mktemp -d /tmp/vserver-policy-bench.XXXXXX)
cgroup_parent="vserver-bench-$$-policy"
java_pid=""
clean_up() {
    if [ -n "$java_pid" ] && kill -0 "$java_pid" 2>/dev/null; then
        kill "$java_pid" 2>/dev/null || true
        wait "$java_pid" 2>/dev/null || true
    fi
    # The Java side kills its guests and removes its cgroups on exit; this catches a crash.
    for directory in /sys/fs/cgroup/*/"$cgroup_parent" /sys/fs/cgroup/"$cgroup_parent"; do
        [ -d "$directory" ] || continue
        find "$directory" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
    rm -rf --one-file-system "$work_dir"
}
trap clean_up EXIT
trap 'exit 130' INT TERM

load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Xss512k \
    -cp "$bench_dir/target/classes:$bench_dir/target/lib/*" io.vserver.host.internal.PolicyApplyBench \
    --work "$work_dir/host" --vcontext "$repo_dir/kmod/target/native/vcontext" --cgroup-parent "$cgroup_parent" \
    --guests "$guests" --rounds "$rounds" --summary "$work_dir/summary.tsv" --samples "$work_dir/samples.tsv" &
java_pid=$!
wait "$java_pid"
java_pid=""
load_after=$(cut -d ' ' -f 1-3 /proc/loadavg)

IFS=$'\t' read -r name count median p90 min max q1 q3 mean < "$work_dir/summary.tsv"
verdict=met
awk -v m="$median" 'BEGIN { exit !(m < 200) }' || verdict="missed by $(awk -v m="$median" 'BEGIN { printf "%.0f %%", (m / 200 - 1) * 100 }')"
{
    echo "# Benchmark: policy apply"
    echo
    echo "The host-side time to re-apply a changed limits policy to $guests running"
    echo "guests. Each guest is a busybox guest with \`policies=bench-limits\` and an idle"
    echo "init, started through the host VM's guest service with the real isolation"
    echo "elements, outside OSGi. Each round changes the policy's \`limits.memory\`"
    echo "(192M and 256M in turn) and \`limits.pids\`, then times"
    echo "\`applyPolicy\`: resolving every guest again and writing both limits into its"
    echo "cgroup through the limits element, on the guests' own executors. The"
    echo "round checks that every guest reports both keys applied and reads the"
    echo "memory limit back from the first and the last guest's cgroup."
    echo
    echo "Command (as root, from the repository root):"
    echo
    echo "    $command_line"
    echo
    echo "| item | value |"
    echo "|---|---|"
    echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
    echo "| cores (nproc) | $(nproc) |"
    echo "| kernel | $(uname -r) |"
    echo "| java | $(java -version 2>&1 | head -n 1) |"
    echo "| load average before / after | $load_before / $load_after |"
    echo
    echo "| figure | rounds | median | p90 | min | max | target | result |"
    echo "|---|---|---|---|---|---|---|---|"
    echo "| re-apply to $guests guests (ms) | $count | $median | $p90 | $min | $max | under 200 | $verdict |"
    echo
    echo "The target is the median. The time covers the host side only: resolving"
    echo "the guests' configurations and the cgroup writes. A round's changes are"
    echo "then in the kernel, so nothing of the guests' own reaction is in it."
    echo "When a policy file or bundle changes, the host starts the same"
    echo "re-application 150 ms after the change, so that the stop and start of a"
    echo "bundle update count as one change."
} > "$output"
echo "policy.sh: wrote $output"
