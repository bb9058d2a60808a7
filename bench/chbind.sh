#!/usr/bin/env bash
# chbind hook overhead benchmark: the time of a socket + bind + close cycle
# in a cgroup under the chbind programs (the "hooked" variant) and in a
# sibling cgroup without programs (the "plain" variant), side by side.
# Writes docs/benchmarks-network.md.
#
#   bash bench/chbind.sh [--batches N] [--cycles N] [--warmup N] [--cpu N]
#                        [--object FILE] [--output FILE] [--results DIR]
#
# Run as root from anywhere in the repository. The script installs nothing:
# it stops with the Debian package to install when a tool is missing. It
# builds bench/src/main/c/bindloop.c with gcc, the chbind object from
# kmod/src/main/bpf with kmod's build script, and the Java main
# io.vserver.bench.network.ChbindBench against the bench module's classpath
# (Maven, offline, from the local repository: install the reactor first).
# ChbindBench creates the cgroups vserver-bench-chbind-PID and
# vserver-bench-chbind-PID-plain on the cgroup2 hierarchy and the pins
# /sys/fs/bpf/vserver-bench-chbind-PID. It removes them when this script
# closes its standard input, and the script removes what is left if
# ChbindBench dies. It is a measurement, not a test: no test command runs
# it.
set -euo pipefail

bench_dir=$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname -- "$bench_dir")
batches=200
cycles=10000
warmup=1000
cpu=""
object=""
output=$repo_dir/docs/benchmarks-network.md
results=""
command_line="bash bench/chbind.sh${*:+ $*}"

# The guest address of the hooked cgroup. Any 127.0.0.0/8 address can be bound without adding
# it to an interface, because the kernel's local routing table marks the whole range local.
guest_address=127.0.1.99
# The measured bind addresses, by case name. The programs rewrite the wildcard binds to the
# guest address and pass binds to the guest address unchanged, so the address cases show the
# programs' own cost and the wildcard cases the whole cost a daemon binding a wildcard pays.
case_names=(wildcard4 address4 wildcard6 mapped6)
case_addresses=(0.0.0.0 "$guest_address" :: "::ffff:$guest_address")

usage() {
    echo "usage: bash bench/chbind.sh [--batches N] [--cycles N] [--warmup N] [--cpu N] [--object FILE] [--output FILE] [--results DIR]" >&2
    echo "  --batches N  timed batches per case and variant, interleaved (default 200, at least 20)" >&2
    echo "  --cycles N   socket + bind + close cycles per batch (default 10000)" >&2
    echo "  --warmup N   untimed cycles before each batch (default 1000)" >&2
    echo "  --cpu N      pin every loop to CPU N with taskset (default: no pinning)" >&2
    echo "  --object F   measure this chbind object instead of one built from kmod/src/main/bpf" >&2
    echo "  --output F   the results page to write (default docs/benchmarks-network.md)" >&2
    echo "  --results D  also copy the raw per-batch times and the facts into directory D" >&2
    exit 2
}

die() {
    echo "chbind.sh: $*" >&2
    exit 1
}

require_count() {
    [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] || die "invalid $1 $2: expected an integer of at least $3"
}

while [ $# -gt 0 ]; do
    case $1 in
        --batches) [ $# -ge 2 ] || usage; batches=$2; shift 2 ;;
        --cycles) [ $# -ge 2 ] || usage; cycles=$2; shift 2 ;;
        --warmup) [ $# -ge 2 ] || usage; warmup=$2; shift 2 ;;
        --cpu) [ $# -ge 2 ] || usage; cpu=$2; shift 2 ;;
        --object) [ $# -ge 2 ] || usage; object=$(realpath -- "$2"); shift 2 ;;
        --output) [ $# -ge 2 ] || usage; output=$2; shift 2 ;;
        --results) [ $# -ge 2 ] || usage; results=$2; shift 2 ;;
        -h|--help) usage ;;
        *) echo "chbind.sh: unknown argument: $1" >&2; usage ;;
    esac
done
require_count --batches "$batches" 20
require_count --cycles "$cycles" 1
require_count --warmup "$warmup" 0
[ -z "$object" ] || [ -f "$object" ] || die "invalid --object $object: not a file"
if [ -n "$cpu" ]; then
    require_count --cpu "$cpu" 0
    [ "$cpu" -lt "$(nproc)" ] || die "invalid --cpu $cpu: this machine has CPUs 0..$(($(nproc) - 1))"
fi

# Stops with the Debian package to install when COMMAND is not on the PATH.
require() {
    command -v "$1" >/dev/null 2>&1 || die "$1 not found: install the Debian package $2"
}

check_requirements() {
    [ "$(id -u)" -eq 0 ] || die "must run as root: it creates cgroups and attaches BPF programs"
    require gcc gcc
    [ -n "$object" ] || require clang "clang (and llvm)"
    require java openjdk-17-jre-headless
    require javac openjdk-17-jdk-headless
    require mvn maven
    require awk mawk
    require taskset util-linux
    [ -f "$repo_dir/kmod/src/main/bpf/build.sh" ] || die "kmod/src/main/bpf/build.sh not found: the chbind object cannot be built"
    unified=$(awk '{ for (i = 7; $i != "-"; i++) ; if ($(i + 1) == "cgroup2") { print $5; exit } }' /proc/self/mountinfo)
    [ -n "$unified" ] || die "no cgroup2 hierarchy in /proc/self/mountinfo: the programs attach only to cgroup2"
}

work_dir=""
setup_pid=""
setup_name=""
loop_pid=""

# Stops a running loop, which the script started and which ends with its batch anyway.
stop_loop() {
    if [ -n "$loop_pid" ] && kill -0 "$loop_pid" 2>/dev/null; then
        kill -TERM "$loop_pid" 2>/dev/null || true
        wait "$loop_pid" 2>/dev/null || true
    fi
}

# Ends ChbindBench: end of file on its input makes it remove its cgroups and pins and exit.
stop_setup() {
    local attempt status
    [ -n "$setup_pid" ] || return 0
    exec 3>&- || true
    for attempt in $(seq 1 100); do
        kill -0 "$setup_pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$setup_pid" 2>/dev/null; then
        echo "chbind.sh: ChbindBench (pid $setup_pid) did not exit within 10 s, sending SIGTERM" >&2
        kill -TERM "$setup_pid" 2>/dev/null || true
    fi
    status=0
    wait "$setup_pid" 2>/dev/null || status=$?
    setup_pid=""
    if [ "$status" -ne 0 ]; then
        echo "chbind.sh: ChbindBench exited with status $status: $(grep -v ' INFO ' "$work_dir/setup.log" | tail -n 3)" >&2
        return 1
    fi
}

# Removes the cgroups and pins of ChbindBench if it died without removing them. Removing the
# link pins detaches the programs, because no process has the links open any more.
remove_leftovers() {
    local top group
    [ -n "$setup_name" ] || return 0
    if [ -d "/sys/fs/bpf/$setup_name" ]; then
        echo "chbind.sh: removing the leftover pins /sys/fs/bpf/$setup_name" >&2
        rm -rf -- "/sys/fs/bpf/$setup_name"
    fi
    for top in "$unified/$setup_name" "$unified/$setup_name-plain"; do
        [ -d "$top" ] || continue
        echo "chbind.sh: removing the leftover cgroups $top" >&2
        for group in $(find "$top" -depth -type d); do
            rmdir "$group" || echo "chbind.sh: cannot remove cgroup $group" >&2
        done
    done
}

# Removes everything the benchmark created, on success, failure and interruption alike.
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_loop
    stop_setup || true
    remove_leftovers
    [ -z "$work_dir" ] || rm -rf -- "$work_dir"
    exit "$status"
}

# Builds bindloop, the chbind object (unless --object names one) and ChbindBench into $work_dir.
build_programs() {
    gcc -O2 -Wall -Wextra -o "$work_dir/bindloop" "$bench_dir/src/main/c/bindloop.c"
    if [ -n "$object" ]; then
        mkdir -p "$work_dir/bpf"
        cp -- "$object" "$work_dir/bpf/chbind.bpf.o"
    else
        bash "$repo_dir/kmod/src/main/bpf/build.sh" "$work_dir/bpf" >"$work_dir/bpf-build.log" 2>&1 ||
            { cat "$work_dir/bpf-build.log" >&2; die "building the chbind object failed"; }
    fi
    (cd "$repo_dir" && mvn -B -q -o -pl bench dependency:build-classpath -Dmdep.includeScope=runtime \
        -Dmdep.outputFile="$work_dir/classpath") >"$work_dir/mvn.log" 2>&1 ||
        { cat "$work_dir/mvn.log" >&2; die "mvn could not resolve the bench classpath: run mvn -o -q -pl bench -am install -DskipTests first"; }
    javac -d "$work_dir/classes" -cp "$(cat "$work_dir/classpath")" \
        "$bench_dir"/src/main/java/io/vserver/bench/network/*.java
}

# Starts ChbindBench with a FIFO as its input, which fd 3 of this shell keeps open until
# stop_setup, and waits for its "ready" line.
start_setup() {
    local attempt
    mkfifo "$work_dir/control"
    java -Djna.tmpdir="$work_dir/jna" -cp "$work_dir/classes:$(cat "$work_dir/classpath")" \
        io.vserver.bench.network.ChbindBench --object "$work_dir/bpf/chbind.bpf.o" --address "$guest_address" \
        <"$work_dir/control" >"$work_dir/setup.out" 2>"$work_dir/setup.log" &
    setup_pid=$!
    setup_name=vserver-bench-chbind-$setup_pid
    exec 3>"$work_dir/control"
    for attempt in $(seq 1 600); do
        grep -qx ready "$work_dir/setup.out" && break
        kill -0 "$setup_pid" 2>/dev/null || { cat "$work_dir/setup.log" >&2; die "ChbindBench failed to set up"; }
        sleep 0.1
    done
    grep -qx ready "$work_dir/setup.out" || die "ChbindBench did not report ready within 60 s"
    hooked_cgroup=$(sed -n 's/^hooked=//p' "$work_dir/setup.out")
    plain_cgroup=$(sed -n 's/^plain=//p' "$work_dir/setup.out")
    programs=$(sed -n 's/^programs=//p' "$work_dir/setup.out")
    [ -d "$hooked_cgroup" ] && [ -d "$plain_cgroup" ] || die "ChbindBench reported no cgroup directories"
}

# run_in CGROUP BINDLOOP_ARGUMENT...: runs bindloop in CGROUP. The subshell joins the cgroup
# before exec, so every socket of the loop is created inside it: cgroup-BPF programs apply
# to a socket by the cgroup of its creator at socket() time.
run_in() {
    local cgroup=$1
    shift
    local pin=()
    [ -z "$cpu" ] || pin=(taskset -c "$cpu")
    (echo "$BASHPID" >"$cgroup/cgroup.procs" && exec "${pin[@]}" "$work_dir/bindloop" "$@") &
    loop_pid=$!
    wait "$loop_pid" || die "bindloop failed in $cgroup (its message is above)"
    loop_pid=""
}

# Checks that the programs act in the hooked cgroup and nowhere else: a wildcard bind there
# must end on the guest address, and in the plain cgroup stay the wildcard.
check_hooks() {
    local i name address hooked plain
    for i in "${!case_names[@]}"; do
        name=${case_names[$i]}
        address=${case_addresses[$i]}
        hooked=$(run_in "$hooked_cgroup" --address "$address" --show-address)
        plain=$(run_in "$plain_cgroup" --address "$address" --show-address)
        [ "$plain" = "$address" ] || die "case $name: a bind to $address in the plain cgroup ended on $plain: something else rewrites binds"
        case $address in
            0.0.0.0|$guest_address) [ "$hooked" = "$guest_address" ] ;;
            ::|::ffff:$guest_address) [ "$hooked" = "::ffff:$guest_address" ] ;;
        esac || die "case $name: a bind to $address in the hooked cgroup ended on $hooked: the programs are not in effect"
        printf '%s\t%s\t%s\t%s\n' "$name" "$address" "$hooked" "$plain" >>"$work_dir/bound-addresses.tsv"
    done
}

# Runs every case's batches, alternating the variants. The variant that goes first swaps
# from one round and case to the next, so neither always follows the other.
measure() {
    local round i first second variant
    echo "chbind.sh: timing ${#case_names[@]} cases x 2 variants, $batches batches of $cycles cycles each, interleaved" >&2
    for round in $(seq 1 "$batches"); do
        for i in "${!case_names[@]}"; do
            if [ $(((round + i) % 2)) -eq 0 ]; then first=hooked second=plain; else first=plain second=hooked; fi
            for variant in "$first" "$second"; do
                if [ "$variant" = hooked ]; then cgroup=$hooked_cgroup; else cgroup=$plain_cgroup; fi
                run_in "$cgroup" --address "${case_addresses[$i]}" --cycles "$cycles" --warmup "$warmup" \
                    --batches 1 >>"$work_dir/samples/${case_names[$i]}-$variant"
            done
        done
        [ $((round % 50)) -ne 0 ] || echo "chbind.sh: $round of $batches rounds done" >&2
    done
}

# Prints the total and the idle CPU time since boot, summed over all CPUs, in clock ticks.
read_cpu_times() {
    awk '$1 == "cpu" { for (i = 2; i <= NF; i++) total += $i; print total, $5 + $6; exit }' /proc/stat
}

# Prints "COMMIT" or "COMMIT, with local changes" for the files given, read-only.
source_version() {
    local commit
    commit=$(git -C "$repo_dir" rev-parse --short HEAD 2>/dev/null) || { echo "unknown (no git checkout)"; return; }
    if [ -n "$(git -C "$repo_dir" status --porcelain -- "$@" 2>/dev/null)" ]; then
        echo "$commit, with local changes"
    else
        echo "$commit"
    fi
}

# Records the machine, the tools and the run's parameters as KEY=VALUE lines in $work_dir/facts.
record_facts() {
    {
        echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
        echo "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
        echo "hypervisor=$(lscpu 2>/dev/null | awk -F': *' '/^Hypervisor vendor/ { print $2 }')"
        echo "nproc=$(nproc)"
        echo "memory=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
        echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
        echo "kernel=$(uname -r)"
        echo "gcc=$(gcc --version | head -n 1)"
        echo "clang=$(command -v clang >/dev/null && clang --version | head -n 1 || echo 'not installed')"
        echo "java=$(java -version 2>&1 | head -n 1)"
        echo "unified=$unified"
        echo "source=$(source_version kmod/src/main/bpf bench/src/main/c/bindloop.c)"
        if [ -n "$object" ]; then
            echo "object=\`$object\` (sha256 $(sha256sum "$object" | cut -c 1-12)), given with --object"
        else
            echo "object=the object built from \`kmod/src/main/bpf/chbind.bpf.c\` by kmod's build script"
        fi
        echo "programs=$programs"
        echo "cases=$(IFS=,; echo "${case_names[*]}")"
        echo "guest_address=$guest_address"
        echo "batches=$batches"
        echo "cycles=$cycles"
        echo "warmup=$warmup"
        echo "cpu_pin=${cpu:-none}"
        echo "load_before=$load_before"
        echo "load_after=$load_after"
        echo "cpu_busy=$(awk -v before="$cpu_before" -v after="$cpu_after" 'BEGIN {
            split(before, b); split(after, a)
            printf "%.0f %%", 100 * (1 - (a[2] - b[2]) / (a[1] - b[1]))
        }')"
        echo "command=$command_line"
    } >"$work_dir/facts"
}

check_requirements

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

work_dir=$(mktemp -d "${TMPDIR:-/tmp}/vserver-bench-chbind.XXXXXX")
mkdir "$work_dir/samples"
build_programs
start_setup
check_hooks
load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)
cpu_before=$(read_cpu_times)
measure
cpu_after=$(read_cpu_times)
load_after=$(cut -d ' ' -f 1-3 /proc/loadavg)
stop_setup || die "ChbindBench did not end cleanly (see above), so the results are not written"
record_facts
bash "$bench_dir/chbind-report.sh" "$work_dir" >"$work_dir/benchmarks-network.md"
mkdir -p "$(dirname -- "$output")"
mv "$work_dir/benchmarks-network.md" "$output"
if [ -n "$results" ]; then
    mkdir -p "$results"
    cp -r "$work_dir/facts" "$work_dir/bound-addresses.tsv" "$work_dir/samples" "$results/"
fi
echo "chbind.sh: wrote $output" >&2
