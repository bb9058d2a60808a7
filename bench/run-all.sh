#!/usr/bin/env bash
# The full benchmark: the launcher start latencies of bench/run.sh (vcontext,
# unshare + chroot, crun, lxc-execute), then guest start, exec and density
# through the host VM's Java API with the real isolation elements. Writes
# docs/benchmarks.md and the density plot docs/benchmarks-density.png.
#
#   bash bench/run-all.sh [--runs N] [--api-runs N] [--counts N,N,...] [--probes N]
#                         [--settle SECONDS] [--output FILE] [--results DIR]
#
# Run as root after building the bench module (mvn -o -q -pl bench -am install
# -DskipTests). The script installs nothing: it stops with the Debian package
# to install when a tool is missing. Everything it creates (a temporary
# directory, the cgroups vserver-bench-PID-* in every hierarchy, the guests'
# processes) is removed on exit, also on failure or interruption. It is a
# measurement, not a test: no test command runs it.
set -euo pipefail

bench_dir=$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname -- "$bench_dir")
# shellcheck source=bench/cgroups.sh
. "$bench_dir/cgroups.sh"

runs=1000
api_runs=300
api_warmup=50
counts=100,500,1000
probes=50
settle=35
output=$repo_dir/docs/benchmarks.md
results=""
command_line="bash bench/run-all.sh"
# The guest keys of every host API guest: each element of the start path takes part.
guest_keys=(limits.memory=256M limits.pids=256 capabilities.profile=default network.mode=none)

usage() {
    echo "usage: bash bench/run-all.sh [--runs N] [--api-runs N] [--counts N,N,...] [--probes N] [--settle SECONDS] [--output FILE] [--results DIR]" >&2
    echo "  --runs N        recorded runs per launcher variant of bench/run.sh (default 1000, at least 300)" >&2
    echo "  --api-runs N    recorded runs per host API start and exec variant (default 300, at least 200)" >&2
    echo "  --counts LIST   idle guest counts of the density benchmark (default 100,500,1000)" >&2
    echo "  --probes N      starts of one more guest measured at each count (default 50)" >&2
    echo "  --settle S      seconds between the last start and the memory reading (default 35)" >&2
    echo "  --output F      the results page to write (default docs/benchmarks.md); the plot goes beside it" >&2
    echo "  --results D     also copy the raw results into directory D, from which bench/report-host.sh D rewrites the host API part" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
        -h|--help) usage ;;
        --runs|--api-runs|--counts|--probes|--settle|--output|--results) [ $# -ge 2 ] || usage ;;
        *) echo "run-all.sh: unknown argument: $1" >&2; usage ;;
    esac
    case $1 in
        --runs) runs=$2 ;;
        --api-runs) api_runs=$2 ;;
        --counts) counts=$2 ;;
        --probes) probes=$2 ;;
        --settle) settle=$2 ;;
        --output) output=$2 ;;
        --results) results=$2 ;;
    esac
    # The page shows the command that produced it. --results only copies files, so the command leaves it out.
    [ "$1" = --results ] || command_line+=" $1 $2"
    shift 2
done
if ! [[ $api_runs =~ ^[0-9]+$ ]] || [ "$api_runs" -lt 200 ]; then
    echo "run-all.sh: invalid --api-runs $api_runs, expected an integer of at least 200" >&2
    exit 2
fi
if ! [[ $counts =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]]; then
    echo "run-all.sh: invalid --counts $counts, expected positive integers separated by commas" >&2
    exit 2
fi
if ! [[ $probes =~ ^[1-9][0-9]*$ ]] || ! [[ $settle =~ ^[0-9]+$ ]]; then
    echo "run-all.sh: invalid --probes $probes or --settle $settle, expected a positive and a non-negative integer" >&2
    exit 2
fi

die() {
    echo "run-all.sh: $*" >&2
    exit 1
}

check_requirements() {
    [ "$(id -u)" -eq 0 ] || die "must run as root: it creates namespaces, mounts and cgroups"
    command -v java >/dev/null 2>&1 || die "java not found: install the Debian package openjdk-17-jdk-headless"
    command -v gnuplot >/dev/null 2>&1 || die "gnuplot not found: install the Debian package gnuplot-nox"
    [ -d "$bench_dir/target/classes/io/vserver/host/internal" ] && [ -d "$bench_dir/target/lib" ] ||
        die "the bench module is not built: run mvn -o -q -pl bench -am install -DskipTests"
}

work_dir=""
child_pid=""
cgroup_prefix=vserver-bench-$$

# Stops the running JVM or run.sh: the JVM's shutdown hook stops its guests.
stop_child() {
    if [ -n "$child_pid" ] && kill -0 "$child_pid" 2>/dev/null; then
        kill -TERM "$child_pid" 2>/dev/null || true
        wait "$child_pid" 2>/dev/null || true
    fi
}

# Removes everything the benchmark created, on success, failure and interruption alike.
cleanup() {
    local status=$? phase
    trap - EXIT INT TERM
    stop_child
    for phase in start exec density density-host-network; do
        remove_bench_cgroup "$cgroup_prefix-$phase"
    done
    if [ -n "$work_dir" ] && [ -d "$work_dir" ]; then
        rm -rf --one-file-system -- "$work_dir"
    fi
    exit "$status"
}

# Runs a command in the background and waits for it, so that cleanup can stop it.
run_child() {
    "$@" &
    child_pid=$!
    wait "$child_pid" || die "$1 failed (its message is above)"
    child_pid=""
}

# Runs the host API benchmark MODE as PHASE, in the phase's own cgroup parent and work directory,
# with the guest keys and then OPTIONS, whose --set options override the guest keys.
host_api() {
    local mode=$1 phase=$2 key keys=()
    shift 2
    for key in "${guest_keys[@]}"; do
        keys+=(--set "$key")
    done
    echo "run-all.sh: host API benchmark: $phase" >&2
    run_child java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
        -cp "$bench_dir/target/classes:$bench_dir/target/lib/*" io.vserver.host.internal.HostApiBench "$mode" \
        --work "$work_dir/$phase" --vcontext "$work_dir/build/vcontext" --cgroup-parent "$cgroup_prefix-$phase" \
        "${keys[@]}" "$@"
}

# Records the facts of the host API part as KEY=VALUE lines in $work_dir/api/facts.
record_facts() {
    {
        echo "java=$(java -version 2>&1 | head -n 1)"
        echo "api_runs=$api_runs"
        echo "api_warmup=$api_warmup"
        echo "counts=$counts"
        echo "probes=$probes"
        echo "settle=$settle"
        echo "guest_keys=${guest_keys[*]}"
        echo "plot=$(basename -- "$plot")"
        echo "gnuplot=$(gnuplot --version)"
    } >"$work_dir/api/facts"
}

# Draws the start latency of each idle guest against the guests already running.
draw_plot() {
    gnuplot <<GNUPLOT
set terminal pngcairo size 1000,600 noenhanced
set output "$work_dir/density.png"
set title "Idle guest start through the host API against guests already running"
set xlabel "guests running before the start"
set ylabel "start latency (ms)"
set logscale y
set key top left
set datafile separator "\t"
plot for [n in "$(echo "$counts" | tr ',' ' ')"] "$work_dir/api/density/ramp.tsv" \
         using (\$1 == n + 0 ? \$3 : NaN):4 with points pointtype 7 pointsize 0.4 title "each start, run of ".n." guests", \
     for [n in "$(echo "$counts" | tr ',' ' ')"] "$work_dir/api/density/ramp.tsv" \
         using (\$1 == n + 0 ? \$3 : NaN):5 with lines linewidth 2 title "moving median of 25, run of ".n." guests"
GNUPLOT
}

check_requirements
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

work_dir=$(mktemp -d "${TMPDIR:-/tmp}/vserver-bench-all.XXXXXX")
plot="${output%.md}-density.png"
mkdir -p "$work_dir/api/density" "$work_dir/api/density-host-network"

VSERVER_BENCH_COMMAND=$command_line run_child bash "$bench_dir/run.sh" --runs "$runs" \
    --output "$work_dir/launchers.md" --results "$work_dir/launchers"

bash "$repo_dir/kmod/src/main/c/build.sh" "$work_dir/build" >"$work_dir/vcontext-build.log" 2>&1 ||
    { cat "$work_dir/vcontext-build.log" >&2; die "building vcontext failed"; }
echo "load average before: $(cut -d ' ' -f 1-3 /proc/loadavg)" >"$work_dir/api/load"
host_api start start --runs "$api_runs" --warmup "$api_warmup" \
    --summary "$work_dir/api/start-summary.tsv" --samples "$work_dir/api/start-samples.tsv"
host_api exec exec --runs "$api_runs" --warmup "$api_warmup" \
    --summary "$work_dir/api/exec-summary.tsv" --samples "$work_dir/api/exec-samples.tsv"
host_api density density --counts "$counts" --probes "$probes" --settle "$settle" --output "$work_dir/api/density"
# The largest count once more in the host's network namespace, to show what a namespace per guest costs.
host_api density density-host-network --set network.mode=host --counts "${counts##*,}" --probes "$probes" \
    --settle "$settle" --output "$work_dir/api/density-host-network"
echo "load average after: $(cut -d ' ' -f 1-3 /proc/loadavg)" >>"$work_dir/api/load"

record_facts
draw_plot
bash "$bench_dir/report-host.sh" "$work_dir" >"$work_dir/host.md"
mkdir -p "$(dirname -- "$output")"
{ cat "$work_dir/launchers.md"; echo; cat "$work_dir/host.md"; } >"$output"
cp "$work_dir/density.png" "$plot"
if [ -n "$results" ]; then
    mkdir -p "$results"
    cp -r "$work_dir/launchers" "$work_dir/api" "$work_dir/density.png" "$results/"
fi
echo "run-all.sh: wrote $output and $plot" >&2
