#!/usr/bin/env bash
# Start-latency benchmark: start-to-exit time of /bin/true in an isolated
# busybox root, launched by a minimal C launcher (the reference point), by
# vcontext, by unshare + chroot, by crun and by lxc-execute where installed.
# Writes docs/benchmarks.md; bench/run-all.sh runs it as the first part of
# the full benchmark.
#
#   bash bench/run.sh [--runs N] [--warmup N] [--output FILE] [--results DIR]
#
# Run as root. The script installs nothing: it stops with the Debian package
# to install when a tool is missing. Everything it creates (a temporary
# directory, the cgroup vserver-bench-PID under the pids hierarchy, crun
# containers in a private crun state directory) is removed on exit, also on
# failure or interruption. It is a measurement, not a test: no test command
# runs it.
set -euo pipefail

# Prints the mount point of the cgroup2 file system when the host is hybrid (cgroup v1
# hierarchies too) and that cgroup2 lists a controller.
hybrid_unified_with_controllers() {
    local unified
    unified=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
        /proc/self/mountinfo | head -n 1)
    [ -n "$unified" ] || return 0
    awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup") found = 1; break } }
         END { exit !found }' /proc/self/mountinfo || return 0
    # Kernel files report size 0, so read the list rather than test its size.
    [ -n "$(cat "$unified/cgroup.controllers" 2>/dev/null)" ] && echo "$unified"
    return 0
}

# crun 1.8 refuses to run on a hybrid host whose cgroup2 lists a controller. Then the
# whole benchmark, every variant alike, runs in a private mount namespace without that
# cgroup2 mount; the host's own mounts are not touched.
if [ -z "${VSERVER_BENCH_PRIVATE_MOUNTS:-}" ] && command -v crun >/dev/null 2>&1 \
        && [ -n "$(hybrid_unified_with_controllers)" ]; then
    exec unshare --mount --propagation private env VSERVER_BENCH_PRIVATE_MOUNTS="$(hybrid_unified_with_controllers)" \
        bash "$0" "$@"
fi
if [ -n "${VSERVER_BENCH_PRIVATE_MOUNTS:-}" ]; then
    umount -l "$VSERVER_BENCH_PRIVATE_MOUNTS"
fi

bench_dir=$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/cgroups.sh
. "$bench_dir/cgroups.sh"
repo_dir=$(dirname -- "$bench_dir")
runs=1000
warmup=30
output=$repo_dir/docs/benchmarks.md
results=""
hyperfine_runs=100
# bench/run-all.sh sets VSERVER_BENCH_COMMAND to its own command line, which the page then shows.
command_line=${VSERVER_BENCH_COMMAND:-"bash bench/run.sh${*:+ $*}"}

usage() {
    echo "usage: bash bench/run.sh [--runs N] [--warmup N] [--output FILE] [--results DIR]" >&2
    echo "  --runs N     recorded runs per variant (default 1000, at least 300)" >&2
    echo "  --warmup N   unrecorded warm-up runs per variant (default 30)" >&2
    echo "  --output F   the results page to write (default docs/benchmarks.md)" >&2
    echo "  --results D  also copy the raw results (facts, summary.tsv, commands.tsv, load) into directory D" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
        --runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
        --warmup) [ $# -ge 2 ] || usage; warmup=$2; shift 2 ;;
        --output) [ $# -ge 2 ] || usage; output=$2; shift 2 ;;
        --results) [ $# -ge 2 ] || usage; results=$2; shift 2 ;;
        -h|--help) usage ;;
        *) echo "run.sh: unknown argument: $1" >&2; usage ;;
    esac
done
if ! [[ $runs =~ ^[0-9]+$ ]] || [ "$runs" -lt 300 ]; then
    echo "run.sh: invalid --runs $runs, expected an integer of at least 300" >&2
    exit 2
fi
if ! [[ $warmup =~ ^[0-9]+$ ]]; then
    echo "run.sh: invalid --warmup $warmup, expected a non-negative integer" >&2
    exit 2
fi

die() {
    echo "run.sh: $*" >&2
    exit 1
}

# Stops with the Debian package to install when COMMAND is not on the PATH.
require() {
    command -v "$1" >/dev/null 2>&1 || die "$1 not found: install the Debian package $2"
}

check_requirements() {
    [ "$(id -u)" -eq 0 ] || die "must run as root: it creates namespaces, mounts and a cgroup"
    require gcc gcc
    require busybox busybox-static
    require unshare util-linux
    require chroot coreutils
    require hyperfine hyperfine
    require awk mawk
    grep -qw overlay /proc/filesystems || die "the kernel has no overlay file system (CONFIG_OVERLAY_FS)"
    if ! echo 'int main(void) { return 0; }' | gcc -static -x c -o /dev/null - 2>/dev/null; then
        die "gcc -static cannot link: install the Debian package libc6-dev"
    fi
    [ -f "$repo_dir/kmod/src/main/c/build.sh" ] || die "kmod/src/main/c/build.sh not found: vcontext cannot be built"
}

# Prints the mount point of the cgroup v1 pids hierarchy, else of cgroup2, read from mountinfo.
find_pids_hierarchy() {
    awk '{
        for (i = 7; $i != "-"; i++) ;
        if ($(i + 1) == "cgroup" && index("," $(i + 3) ",", ",pids,") > 0) v1 = $5
        if ($(i + 1) == "cgroup2" && v2 == "") v2 = $5
    } END {
        if (v1 != "") print v1; else if (v2 != "") print v2
    }' /proc/self/mountinfo
}

work_dir=""
cgroup_dir=""
crun_state=""
lxc_path=""
child_pid=""

# Stops the timer or hyperfine, whichever runs: each runs one launch at a time and ends with it.
stop_child() {
    if [ -n "$child_pid" ] && kill -0 "$child_pid" 2>/dev/null; then
        kill -TERM "$child_pid" 2>/dev/null || true
        wait "$child_pid" 2>/dev/null || true
    fi
}

delete_crun_containers() {
    local id
    [ -n "$crun_state" ] && [ -d "$crun_state" ] || return 0
    for id in $(crun --root "$crun_state" list -q 2>/dev/null); do
        crun --root "$crun_state" delete -f "$id" >/dev/null 2>&1 || echo "run.sh: cannot delete crun container $id" >&2
    done
}

remove_cgroup() {
    local pid attempt
    [ -n "$cgroup_dir" ] && [ -d "$cgroup_dir" ] || return 0

    # Only this benchmark's runs join the cgroup, so any process left in it is one of them.
    for pid in $(cat "$cgroup_dir/cgroup.procs" 2>/dev/null); do
        kill -KILL "$pid" 2>/dev/null || true
    done
    for attempt in 1 2 3 4 5 6 7 8 9 10; do
        rmdir "$cgroup_dir" 2>/dev/null && break
        sleep 0.2
    done
    [ ! -d "$cgroup_dir" ] || echo "run.sh: cannot remove cgroup $cgroup_dir" >&2
}

remove_work_dir() {
    local mount_point
    [ -n "$work_dir" ] && [ -d "$work_dir" ] || return 0

    # Every launcher mounts in a private mount namespace, so this only catches a mount that leaked.
    awk -v prefix="$work_dir/" 'index($5, prefix) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
        while read -r mount_point; do
            umount -l "$mount_point" || echo "run.sh: cannot unmount $mount_point" >&2
        done
    rm -rf --one-file-system -- "$work_dir"
}

# Removes everything the benchmark created, on success, failure and interruption alike.
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_child
    delete_crun_containers
    remove_cgroup
    remove_bench_cgroup "vserver-bench-$$-lxc"
    remove_work_dir
    exit "$status"
}

# Builds vcontext, the baseline launcher and the timer into $work_dir/build.
build_programs() {
    local build=$work_dir/build
    mkdir -p "$build"
    bash "$repo_dir/kmod/src/main/c/build.sh" "$build" >"$work_dir/vcontext-build.log" 2>&1 ||
        { cat "$work_dir/vcontext-build.log" >&2; die "building vcontext failed"; }
    gcc -O2 -static -Wall -Wextra -o "$build/baseline" "$bench_dir/src/main/c/baseline.c"
    gcc -O2 -static -Wall -Wextra -o "$build/bench-timer" "$bench_dir/src/main/c/timer.c"
}

# Makes the busybox root shared by all variants, and the overlay directories of the two overlay variants.
make_rootfs() {
    local rootfs=$work_dir/rootfs
    mkdir -p "$rootfs"/{bin,dev,etc,proc,sys,tmp}
    cp "$(command -v busybox)" "$rootfs/bin/busybox"
    ln -s busybox "$rootfs/bin/true"
    ln -s busybox "$rootfs/bin/cat"
    chroot "$rootfs" /bin/true 2>/dev/null ||
        die "$(command -v busybox) does not run in an empty root (not statically linked): install the Debian package busybox-static"
    mkdir -p "$work_dir"/vcontext/{root,upper,work} "$work_dir"/baseline/{root,upper,work}
}

# Writes the crun bundle: the shared root, the same namespaces, mounts and masks as vcontext, no cgroup work.
make_crun_bundle() {
    local bundle=$work_dir/crun/bundle
    mkdir -p "$bundle" "$crun_state"
    cat >"$bundle/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": [ "/bin/true" ],
    "env": [ "PATH=/bin" ],
    "cwd": "/"
  },
  "root": { "path": "$work_dir/rootfs", "readonly": false },
  "hostname": "bench",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": [ "nosuid", "noexec", "nodev", "ro" ] },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "strictatime", "mode=755", "size=1m" ] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
      "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620" ] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": [ "nosuid", "noexec", "nodev" ] },
    { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": [ "nosuid", "noexec", "nodev" ] }
  ],
  "linux": {
    "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "uts" }, { "type": "ipc" }, { "type": "network" } ],
    "maskedPaths": [ "/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug", "/proc/latency_stats",
      "/proc/kallsyms", "/proc/acpi", "/proc/scsi", "/sys/firmware" ],
    "readonlyPaths": [ "/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs" ]
  }
}
EOF
}

# Defines the measured commands: variant_names[i] and its command line in variant_commands[i].
define_variants() {
    local w=$work_dir b=$work_dir/build
    local vcontext_common="$b/vcontext create --root $w/vcontext/root --lower $w/rootfs --upper $w/vcontext/upper --work $w/vcontext/work --hostname bench --net new"
    variant_names=(baseline baseline-overlay vcontext vcontext-no-cgroup unshare)
    variant_commands=(
        "$b/baseline --root $w/rootfs -- /bin/true"
        "$b/baseline --root $w/baseline/root --lower $w/rootfs --upper $w/baseline/upper --work $w/baseline/work -- /bin/true"
        "$vcontext_common --cgroup $cgroup_dir --foreground -- /bin/true"
        "$vcontext_common --foreground -- /bin/true"
        "$(command -v unshare) --fork --pid --mount --uts --ipc --net --mount-proc=$w/rootfs/proc $(command -v chroot) $w/rootfs /bin/true"
    )
    if [ "$crun_status" = ok ]; then
        variant_names+=(crun)
        variant_commands+=("$(command -v crun) --root $crun_state --cgroup-manager=disabled run --bundle $w/crun/bundle vserver-bench-{run}")
    fi
    if [ "$lxc_status" = ok ]; then
        variant_names+=(lxc-execute)
        variant_commands+=("$(lxc_execute_command "vserver-bench-{run}")")
    fi
}

# Prints the lxc-execute command of container NAME: the shared root, the same namespaces, /bin/true.
lxc_execute_command() {
    echo "$(command -v lxc-execute) --lxcpath $lxc_path --rcfile $work_dir/lxc/config --name $1 -- /bin/true"
}

# Tries lxc-execute once and sets lxc_status to ok, or to the reason it cannot be measured.
# NOTE: written against lxc.container.conf(5) of LXC 5 and never run here, because the
# benchmark machines have no LXC; a failed probe only leaves the row out, with the reason.
probe_lxc() {
    if ! command -v lxc-execute >/dev/null 2>&1; then
        lxc_status="not installed (Debian package lxc)"
        return
    fi
    lxc_path=$work_dir/lxc/containers
    mkdir -p "$lxc_path"
    cat >"$work_dir/lxc/config" <<EOF
lxc.rootfs.path = dir:$work_dir/rootfs
lxc.uts.name = bench
lxc.net.0.type = empty
lxc.mount.auto = proc:mixed sys:ro
lxc.autodev = 1
lxc.cgroup.dir = vserver-bench-$$-lxc
EOF
    if lxc-execute --lxcpath "$lxc_path" --rcfile "$work_dir/lxc/config" --name vserver-bench-probe -- /bin/true \
        >/dev/null 2>"$work_dir/lxc-probe.log"; then
        lxc_status=ok
    else
        lxc_status="lxc-execute failed: $(tr '\n' ' ' <"$work_dir/lxc-probe.log" | sed 's/ *$//')"
        echo "run.sh: lxc-execute is not measured: $lxc_status" >&2
    fi
}

# Tries crun once and sets crun_status to ok, or to the reason it cannot be measured.
probe_crun() {
    if ! command -v crun >/dev/null 2>&1; then
        crun_status="not installed (Debian package crun)"
        return
    fi
    make_crun_bundle
    if crun --root "$crun_state" --cgroup-manager=disabled run --bundle "$work_dir/crun/bundle" vserver-bench-probe \
        >/dev/null 2>"$work_dir/crun-probe.log"; then
        crun_status=ok
    else
        crun_status="crun run failed: $(tr '\n' ' ' <"$work_dir/crun-probe.log" | sed 's/ *$//')"
        echo "run.sh: crun is not measured: $crun_status" >&2
    fi
}

# Runs the interleaved timer over all variants; the summary goes to $work_dir/summary.tsv.
measure() {
    local args=() i
    for i in "${!variant_names[@]}"; do
        # shellcheck disable=SC2206 # the commands contain no spaces inside arguments
        args+=(--variant "${variant_names[$i]}" ${variant_commands[$i]})
    done
    echo "run.sh: timing ${#variant_names[@]} variants, $warmup warm-up and $runs recorded runs each, interleaved" >&2
    (cd "$work_dir" && exec "$work_dir/build/bench-timer" --runs "$runs" --warmup "$warmup" \
        --samples "$work_dir/samples.tsv" "${args[@]}") >"$work_dir/summary.tsv" &
    child_pid=$!
    wait "$child_pid" || die "the timer failed (its message is above)"
    child_pid=""
}

# Measures the same commands with hyperfine, one variant after the other, as a check of the timer.
cross_check() {
    local args=() i
    for i in "${!variant_names[@]}"; do
        case ${variant_names[$i]} in crun|lxc-execute) continue ;; esac    # each needs a new container name per run
        args+=(-n "${variant_names[$i]}" "${variant_commands[$i]}")
    done
    echo "run.sh: cross-checking with hyperfine, $hyperfine_runs runs per variant" >&2
    (cd "$work_dir" && exec hyperfine -N --style none --warmup 20 --runs "$hyperfine_runs" \
        --export-csv "$work_dir/hyperfine.csv" "${args[@]}") >/dev/null &
    child_pid=$!
    wait "$child_pid" || die "hyperfine failed (its message is above)"
    child_pid=""
}

# Counts the mounts visible to a guest of the overlay baseline and of vcontext, by running cat /proc/self/mountinfo.
count_mounts() {
    local w=$work_dir b=$work_dir/build
    mounts_baseline=$("$b/baseline" --root "$w/baseline/root" --lower "$w/rootfs" --upper "$w/baseline/upper" \
        --work "$w/baseline/work" -- /bin/cat /proc/self/mountinfo | wc -l)
    mounts_vcontext=$("$b/vcontext" create --root "$w/vcontext/root" --lower "$w/rootfs" --upper "$w/vcontext/upper" \
        --work "$w/vcontext/work" --hostname bench --net new --foreground -- /bin/cat /proc/self/mountinfo | wc -l)
}

# Prints the total and the idle CPU time since boot, summed over all CPUs, in clock ticks.
read_cpu_times() {
    awk '$1 == "cpu" { for (i = 2; i <= NF; i++) total += $i; print total, $5 + $6; exit }' /proc/stat
}

# Prints the number of cgroup v1 hierarchies and the cgroup2 mount with its controllers.
describe_cgroup_layout() {
    local v1 v2
    v1=$(awk '{ for (i = 7; $i != "-"; i++) ; if ($(i + 1) == "cgroup") n++ } END { print n + 0 }' /proc/self/mountinfo)
    v2=$(awk '{ for (i = 7; $i != "-"; i++) ; if ($(i + 1) == "cgroup2") { print $5; exit } }' /proc/self/mountinfo)
    printf '%s cgroup v1 hierarchies' "$v1"
    if [ -n "$v2" ]; then
        printf ', cgroup2 at %s with controllers: %s' "$v2" "$(tr '\n' ' ' <"$v2/cgroup.controllers" | sed 's/ *$//;s/^$/none/')"
    fi
}

# Records the machine and tool versions as KEY=VALUE lines in $work_dir/facts.
record_facts() {
    local facts=$work_dir/facts
    {
        echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
        echo "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
        echo "hypervisor=$(lscpu 2>/dev/null | awk -F': *' '/^Hypervisor vendor/ { print $2 }')"
        echo "nproc=$(nproc)"
        echo "memory=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
        echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
        echo "kernel=$(uname -r)"
        echo "gcc=$(gcc --version | head -n 1)"
        echo "crun=$(command -v crun >/dev/null && crun --version | head -n 1 || echo 'not installed')"
        echo "hyperfine=$(hyperfine --version)"
        echo "unshare=$(unshare --version)"
        echo "busybox=$(busybox | head -n 1 | sed 's/ multi-call binary.*//')"
        echo "pids_hierarchy=$pids_hierarchy"
        echo "cgroup_layout=$(describe_cgroup_layout)"
        echo "crun_status=$crun_status"
        echo "lxc=$(command -v lxc-execute >/dev/null && lxc-execute --version | head -n 1 || echo 'not installed')"
        echo "lxc_status=$lxc_status"
        echo "private_mounts=${VSERVER_BENCH_PRIVATE_MOUNTS:-}"
        echo "mounts_baseline=$mounts_baseline"
        echo "mounts_vcontext=$mounts_vcontext"
        echo "cpu_busy=$(awk -v before="$cpu_before" -v after="$cpu_after" 'BEGIN {
            split(before, b); split(after, a)
            printf "%.0f %%", 100 * (1 - (a[2] - b[2]) / (a[1] - b[1]))
        }')"
        echo "runs=$runs"
        echo "warmup=$warmup"
        echo "hyperfine_runs=$hyperfine_runs"
        echo "command=$command_line"
    } >"$facts"
    for i in "${!variant_names[@]}"; do
        printf '%s\t%s\n' "${variant_names[$i]}" "${variant_commands[$i]//$work_dir/\$WORK}"
    done >"$work_dir/commands.tsv"
}

check_requirements
pids_hierarchy=$(find_pids_hierarchy)
[ -n "$pids_hierarchy" ] || die "no cgroup v1 pids hierarchy and no cgroup2 mount found in /proc/self/mountinfo"

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

work_dir=$(mktemp -d "${TMPDIR:-/tmp}/vserver-bench.XXXXXX")
[[ $work_dir != *[[:space:]]* ]] || die "the temporary directory $work_dir contains white space; set TMPDIR"
crun_state=$work_dir/crun/state
cgroup_dir=$pids_hierarchy/vserver-bench-$$
mkdir "$cgroup_dir"

build_programs
make_rootfs
probe_crun
probe_lxc
define_variants
count_mounts
echo "load average before: $(cut -d ' ' -f 1-3 /proc/loadavg)" >"$work_dir/load"
cpu_before=$(read_cpu_times)
measure
cpu_after=$(read_cpu_times)
cross_check
echo "load average after: $(cut -d ' ' -f 1-3 /proc/loadavg)" >>"$work_dir/load"
record_facts
bash "$bench_dir/report.sh" "$work_dir" >"$work_dir/benchmarks.md"
mkdir -p "$(dirname -- "$output")"
mv "$work_dir/benchmarks.md" "$output"
if [ -n "$results" ]; then
    mkdir -p "$results"
    cp "$work_dir/facts" "$work_dir/summary.tsv" "$work_dir/commands.tsv" "$work_dir/load" "$results/"
fi
echo "run.sh: wrote $output" >&2
cat "$work_dir/summary.tsv" >&2
