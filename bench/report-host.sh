#!/usr/bin/env bash
# Writes the host API sections of the results page to standard output, from the
# work directory of bench/run-all.sh: launchers/ (bench/run.sh's facts and
# summary.tsv) and api/ (facts, load, start-summary.tsv, exec-summary.tsv and
# density/ with ramp.tsv, probes.tsv, stop.tsv and memory.tsv). Times are in
# milliseconds, memory in KiB (1024 bytes).
#
#   bash bench/report-host.sh WORK_DIR >> docs/benchmarks.md
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1/api/facts" ] || [ ! -f "$1/api/start-summary.tsv" ]; then
    echo "usage: bash bench/report-host.sh WORK_DIR (a work directory of bench/run-all.sh)" >&2
    exit 2
fi
work_dir=$1
api=$work_dir/api

fact() {
    sed -n "s/^$1=//p" "$api/facts" | head -n 1
}

# value FILE NAME COLUMN: prints column COLUMN (3 median, 4 p90, 5 min, 6 max, 7 q1, 8 q3, 9 mean) of row NAME.
value() {
    [ -f "$1" ] || return 0
    awk -F '\t' -v name="$2" -v column="$3" '$1 == name { print $column; exit }' "$1"
}

# rounded FILE NAME: prints the median of row NAME with two decimals, or nothing when the row is missing.
rounded() {
    local median
    median=$(value "$1" "$2" 3)
    [ -z "$median" ] || calc '%.2f' "$median"
}

# calc FORMAT EXPRESSION: evaluates the awk expression EXPRESSION and prints the result with the printf FORMAT.
calc() {
    awk "BEGIN { printf \"$1\", $2 }"
}

# round EXPRESSION: prints the awk expression EXPRESSION rounded to an integer; adding 0 turns "-0" into "0".
round() {
    awk "BEGIN { printf \"%d\", sprintf(\"%.0f\", $1) + 0 }"
}

# The memory.tsv that memory() reads: the main density run, or the run in the host's network namespace.
memory_file=$api/density/memory.tsv

# memory N FIGURE: prints figure FIGURE of count N from $memory_file, or nothing.
memory() {
    awk -F '\t' -v n="$1" -v key="$2" '$1 == n && $2 == key { print $3; exit }' "$memory_file"
}

# summary_rows FILE NAME...: prints a table row per named variant of a summary file.
summary_rows() {
    local file=$1 name
    shift
    echo "| variant | median | p90 | IQR (q1 to q3) | min | max | mean |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for name in "$@"; do
        awk -F '\t' -v name="$name" '$1 == name {
            printf "| %s | %.2f | %.2f | %.2f to %.2f | %.2f | %.2f | %.2f |\n", $1, $3, $4, $7, $8, $5, $6, $9 }' "$file"
    done
    echo
}

# verdict_max VALUE LIMIT UNIT: "met", or by how much VALUE exceeds LIMIT.
verdict_max() {
    awk -v v="$1" -v t="$2" -v unit="$3" 'BEGIN {
        if (v <= t) print "met"; else printf "missed by %.2f %s (%.0f %%)", v - t, unit, (v / t - 1) * 100 }'
}

print_start() {
    local start=$api/start-summary.tsv launchers=$work_dir/launchers/summary.tsv
    local busybox host_image call vcontext unshare crun spawn move
    busybox=$(rounded "$start" host-api-busybox)
    host_image=$(rounded "$start" host-api-host-image)
    call=$(rounded "$start" host-api-busybox-start-call)
    vcontext=$(rounded "$launchers" vcontext)
    unshare=$(rounded "$launchers" unshare)
    crun=$(rounded "$launchers" crun)
    spawn=$(rounded "$start" jvm-spawn)
    move=$(rounded "$start" cgroup2-move)
    cat <<TEXT
## Guest start through the host API

The host VM's own start path, without OSGi: \`GuestService\` (the service behind
\`vserver:start\`) with the real fs, context, limits, capabilities and network
elements, guest definitions in memory, run by
\`bench/src/main/java/io/vserver/host/internal/HostApiBench.java\` in one JVM
($(fact java)). A sample runs from the call of \`start(name)\` until the host has
seen the init end and released the run (the guest is STOPPED again): spec
resolution, the guest's cgroup in every hierarchy, each element's prepare,
vcontext create, the attach to cgroup2, the pidfd watch, the end of the init,
its exit record, each element's release and the removal of the cgroup. The
host offers no listener for state changes, so the benchmark looks at the state
every 20 µs, and the end is seen that much late at most.

The guest's init is \`/bin/true\`, on the busybox root (\`image=dir:\`) and on
the \`host\` image (the host's /usr shared read-only with a generated /etc).
Both guests set \`$(fact guest_keys)\`, so every element takes part.
The \`-start-call\` rows are the part until \`start()\` returns, when the init
executes. \`jvm-spawn\` is the JVM starting \`/bin/true\` on the host, the
cost of starting the vcontext process. The three variants run interleaved,
$(fact api_warmup) warm-up rounds and $(fact api_runs) recorded rounds. \`cgroup2-move\` is
then timed alone: one write of a pid to \`cgroup.procs\` of the cgroup2
hierarchy after 50 ms of idle time, the step with which the host attaches the
init to cgroup2. It runs alone because back-to-back moves skip the wait this
section is about, and so would speed up the other variants.

$(summary_rows "$start" host-api-busybox host-api-busybox-start-call host-api-host-image \
    host-api-host-image-start-call jvm-spawn cgroup2-move)

### Targets of the host API start

The crun and unshare medians come from the launcher section above, measured
in the same run of the script but some minutes earlier.

| figure | value | target | result |
|---|---:|---|---|
| median start to exit, busybox root | ${busybox} ms | at most 5 ms | $(verdict_max "$busybox" 5 ms) |
| median start to exit, host image | ${host_image} ms | at most 5 ms | $(verdict_max "$host_image" 5 ms) |
TEXT
    if [ -n "$crun" ]; then
        local ratio
        ratio=$(calc '%.2f' "$crun / $busybox")
        echo "| crun / host API (busybox), medians | $ratio | at least 2 | $(awk -v r="$ratio" 'BEGIN {
            if (r >= 2) print "met"; else printf "missed: the host API is %.2f times as slow as crun", 1 / r }') |"
    else
        echo "| crun / host API (busybox), medians | not measured | at least 2 | crun did not run, see above |"
    fi
    echo "| host API (busybox) / unshare, medians | $(calc '%.2f' "$busybox / $unshare") | none, for reference | no target |"
    echo
    print_start_gap "$busybox" "$call" "$vcontext" "$spawn" "$move"
}

# java_work CALL VCONTEXT SPAWN MOVE: prints the sentence on the start call's time left for the host's Java work.
java_work() {
    local rest
    rest=$(calc '%.1f' "$1 - $2 - $3 - $4")
    if awk -v r="$rest" 'BEGIN { exit !(r > 0) }'; then
        echo "That leaves about $rest ms (an estimate from medians) for the host's Java work: the cgroup in every"
        echo "  hierarchy with its device rules and limits, the elements' prepare and the status channel."
    else
        echo "These parts add up to more than the start call's median (medians of separate variants do"
        echo "  not add up exactly), so the host's Java work (the cgroup in every hierarchy with its device"
        echo "  rules and limits, the elements' prepare, the status channel) is too small to show here."
    fi
}

# Explains where the host API's start time goes beyond vcontext's own, and what would shorten it.
print_start_gap() {
    local busybox=$1 call=$2 vcontext=$3 spawn=$4 move=$5
    awk -v v="$busybox" 'BEGIN { exit !(v > 5) }' || return 0
    cat <<TEXT
### Where the host API's start time goes

vcontext alone starts and ends the same kind of guest in ${vcontext} ms (launcher
section, median), so the host's own path adds about
$(calc '%.1f' "$busybox - $vcontext") ms. Medians of the parts measured above:

- The start call until the init executes: ${call} ms. Of it, about ${vcontext} ms
  is vcontext's own work (the \`vcontext\` launcher variant, which includes the
  exit), and ${spawn} ms is the JVM's fork and exec of a program (\`jvm-spawn\`).
  $(java_work "$call" "$vcontext" "$spawn" 0) vcontext clones the init straight
  into its cgroup2 group (\`clone3()\` with \`CLONE_INTO_CGROUP\`), and the init
  joins its v1 groups through their \`tasks\` files. Neither takes the write
  side of the kernel's \`cgroup_threadgroup_rwsem\`, which a write of the pid to
  \`cgroup.procs\` takes: such a write waits for an RCU grace period, as the
  \`cgroup2-move\` variant shows (${move:-(not measured)} ms for an isolated move).
- From the exec to the released run: $(calc '%.2f' "$busybox - $call") ms: the exit of
  the init and its monitor, the exit record, the supervisor's wake-up, each
  element's release and the removal of the guest's cgroup from every hierarchy.

What would close the gap (estimates from the parts above, not measured as a whole):

- Profile the host's Java work on the start path (cgroup creation in every
  hierarchy, device rules, the elements' prepare, the run state file): it is
  the largest part left that the host controls.
- Start vcontext without a fork and exec of the JVM, for example from a small
  resident launcher that the host talks to over a Unix socket: about
  ${spawn} ms.
- Release asynchronously: the host could report the guest STOPPED before it
  removes the cgroup, which shortens the time to a next start but not the
  work.

TEXT
}

print_exec() {
    local exec=$api/exec-summary.tsv busybox host_image
    [ -f "$exec" ] || return 0
    busybox=$(rounded "$exec" exec-busybox)
    host_image=$(rounded "$exec" exec-host-image)
    cat <<TEXT
## Exec into a running guest

\`GuestService.exec(name, ["/bin/true"])\` (the path of \`vserver:exec\`: vcontext
enter joins the guest's cgroups and namespaces, applies its capability set and
rlimits, and executes the command), timed until the JVM has seen the process
exit with code 0. The guests run \`/bin/sleep\` as init on the busybox root
and on the host image, with the same keys as above. The \`-spawn\` rows are the
part until \`exec()\` returns the started process. Interleaved with
\`jvm-spawn\`, $(fact api_warmup) warm-up and $(fact api_runs) recorded rounds.

$(summary_rows "$exec" exec-busybox exec-busybox-spawn exec-host-image exec-host-image-spawn jvm-spawn)

| figure | value | target | result |
|---|---:|---|---|
| median exec, busybox root | ${busybox} ms | at most 5 ms | $(verdict_max "$busybox" 5 ms) |
| median exec, host image | ${host_image} ms | at most 5 ms | $(verdict_max "$host_image" 5 ms) |

TEXT
}

print_limits() {
    cat <<TEXT
## Measured on their own pages

- Policy apply to 500 running guests: [benchmarks-policy.md](benchmarks-policy.md),
  written by \`bash bench/policy.sh\`.
- The overhead of bind mode's chbind hooks on a socket, bind and close cycle:
  [benchmarks-network.md](benchmarks-network.md), written by \`bash bench/chbind.sh\`.

The host API guests here use \`network.mode=none\`.

### Machine during the host API part

| item | value |
|---|---|
| $(sed -n 1p "$api/load" | sed 's/: / | /') |
| $(sed -n 2p "$api/load" | sed 's/: / | /') |
| Java | $(fact java) |
| gnuplot | $(fact gnuplot) |
TEXT
}

# shellcheck source=bench/report-density.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/report-density.sh"

print_start
print_exec
if [ -f "$api/density/memory.tsv" ]; then
    print_density_method
    print_density_memory
    print_density_latency
    print_density_targets
fi
print_limits
