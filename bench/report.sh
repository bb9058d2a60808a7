#!/usr/bin/env bash
# Writes the results page of the start-latency benchmark to standard output,
# from the files bench/run.sh leaves in its work directory: facts (KEY=VALUE),
# summary.tsv (the timer's summary in milliseconds), commands.tsv, load and
# hyperfine.csv (seconds).
#
#   bash bench/report.sh WORK_DIR > docs/benchmarks.md
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1/facts" ] || [ ! -f "$1/summary.tsv" ]; then
    echo "usage: bash bench/report.sh WORK_DIR (a work directory of bench/run.sh, with facts and summary.tsv)" >&2
    exit 2
fi
work_dir=$1

fact() {
    sed -n "s/^$1=//p" "$work_dir/facts" | head -n 1
}

# Prints column COLUMN of variant NAME in summary.tsv: 3 median, 4 p90, 5 min, 6 max, 7 q1, 8 q3, 9 mean.
summary_value() {
    awk -F '\t' -v name="$1" -v column="$2" '$1 == name { print $column }' "$work_dir/summary.tsv"
}

has_variant() {
    [ -n "$(summary_value "$1" 3)" ]
}

# calc FORMAT EXPRESSION: evaluates the awk expression EXPRESSION and prints the result with the printf FORMAT.
calc() {
    awk "BEGIN { printf \"$1\", $2 }"
}

describe() {
    case $1 in
        baseline) echo "bench/src/main/c/baseline.c: clone into new pid, mount, UTS, IPC and network namespaces, make mounts private, bind the root onto itself, mount proc, pivot_root, detach the old root, exec" ;;
        baseline-overlay) echo "the same launcher with an overlay root (lower = the busybox root, upper and work reused across runs): the root setup vcontext uses" ;;
        vcontext) echo "vcontext create in --foreground mode: all namespaces, overlay root, pivot_root, placement in the cgroup vserver-bench-PID (--cgroup)" ;;
        vcontext-no-cgroup) echo "the same vcontext command without --cgroup, to isolate the cost of the cgroup placement" ;;
        unshare) echo "util-linux unshare with a new proc mount, then chroot (no pivot_root, no overlay)" ;;
        crun) echo "crun run of a bundle with the same root, the same five namespaces and the mounts and masks vcontext makes (/proc, read-only /sys, /dev with devpts, shm and mqueue, masked and read-only /proc paths), --cgroup-manager=disabled, a new container id per run" ;;
        lxc-execute) echo "lxc-execute of a container with the same root, an empty network namespace, proc and read-only sys, a new container name per run" ;;
    esac
}

print_header() {
    cat <<EOF
# Benchmarks

Measured numbers of the project, each with the script that produced it and the
machine it ran on. \`bench/run-all.sh\` generates this page (\`bench/run.sh\`
alone writes only the first section), so rerun it rather than edit the figures.

## Guest start latency: start-to-exit of /bin/true

One sample is the wall-clock time from just before \`posix_spawn()\` of the
launcher to the return of \`waitpid()\` on it (CLOCK_MONOTONIC), taken by
\`bench/src/main/c/timer.c\`. The launched command is \`/bin/true\` (busybox)
in a busybox root on the local disk, so the sample is the launcher's own cost:
namespaces, mounts, exec, exit and reaping. Part of the teardown happens after
the launcher exits and is not in the sample: the kernel frees network
namespaces in a work queue.

Every round runs each variant once, in an order that rotates by one variant
per round, so drift on the shared machine hits all variants alike. The first
$(fact warmup) rounds are warm-up and not recorded. Then $(fact runs) rounds are recorded.

Command (as root, from the repository root):

    $(fact command)

EOF
}

print_machine() {
    local hypervisor
    hypervisor=$(fact hypervisor)
    cat <<EOF
### Machine and tools

| item | value |
|---|---|
| date | $(fact date) |
| CPU | $(fact cpu)$([ -n "$hypervisor" ] && echo " (virtual machine, $hypervisor)") |
| cores (nproc) | $(fact nproc) |
| memory | $(fact memory) |
| OS | $(fact os) |
| kernel | $(fact kernel) |
| cgroups | $(fact cgroup_layout) |
| cgroup of the vcontext variant | \`$(fact pids_hierarchy)/vserver-bench-PID\` |
| $(sed -n 1p "$work_dir/load" | sed 's/: / | /') |
| $(sed -n 2p "$work_dir/load" | sed 's/: / | /') |
| CPU busy during the timed runs (all CPUs, the benchmark included) | $(fact cpu_busy) |
| gcc | $(fact gcc) |
| crun | $(fact crun) |
| lxc-execute | $(fact lxc) |
| hyperfine | $(fact hyperfine) |
| unshare | $(fact unshare) |
| busybox | $(fact busybox) |

EOF
}

print_variants() {
    local name command
    echo "### Variants"
    echo
    echo "\$WORK is the temporary directory of the run; \`{run}\` is replaced by a number unique to each run."
    echo
    if [ -n "$(fact private_mounts)" ]; then
        echo "crun 1.8 refuses a hybrid cgroup host whose cgroup2 lists a controller, so every variant"
        echo "ran in a private mount namespace without the cgroup2 mount $(fact private_mounts);"
        echo "the variants use only the cgroup v1 hierarchies."
        echo
    fi
    echo "| variant | what it does |"
    echo "|---|---|"
    while IFS=$'\t' read -r name command; do
        echo "| $name | $(describe "$name") |"
    done <"$work_dir/commands.tsv"
    echo
    while IFS=$'\t' read -r name command; do
        echo "- $name: \`$command\`"
    done <"$work_dir/commands.tsv"
    echo
}

print_results() {
    echo "### Results (milliseconds, $(fact runs) runs per variant)"
    echo
    echo "| variant | median | p90 | IQR (q1 to q3) | min | max | mean |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    awk -F '\t' '{ printf "| %s | %.2f | %.2f | %.2f to %.2f | %.2f | %.2f | %.2f |\n", $1, $3, $4, $7, $8, $5, $6, $9 }' \
        "$work_dir/summary.tsv"
    echo
    echo "Percentiles interpolate linearly between the closest ranks."
    echo
}

# Prints a table row for the ratio NUMERATOR / DENOMINATOR with its target, or a "not measured" row when a variant is missing.
ratio_row() {
    local label=$1 numerator=$2 denominator=$3 target=$4 kind=$5
    if ! has_variant "$numerator" || ! has_variant "$denominator"; then
        echo "| $label | not measured | not measured | $target | not measured, see below |"
        return
    fi
    local median p90 verdict
    median=$(calc '%.2f' "$(summary_value "$numerator" 3) / $(summary_value "$denominator" 3)")
    p90=$(calc '%.2f' "$(summary_value "$numerator" 4) / $(summary_value "$denominator" 4)")
    case $kind in
        max) verdict=$(awk -v r="$median" -v t=2 'BEGIN { if (r <= t) print "met"; else printf "missed by %.0f %%", (r / t - 1) * 100 }') ;;
        min) verdict=$(awk -v r="$median" -v t=2 'BEGIN { if (r >= t) print "met"; else printf "missed by %.0f %%", (1 - r / t) * 100 }') ;;
        *) verdict="no target" ;;
    esac
    echo "| $label | $median | $p90 | $target | $verdict |"
}

print_ratios() {
    cat <<EOF
### Ratios against the targets

Ratios of medians (and of p90 values); the verdict uses the medians.

| ratio | median | p90 | target | result |
|---|---:|---:|---|---|
EOF
    ratio_row "vcontext / baseline" vcontext baseline "at most 2" max
    ratio_row "vcontext / baseline-overlay (same root setup)" vcontext baseline-overlay "none, for reference" none
    ratio_row "vcontext-no-cgroup / baseline-overlay" vcontext-no-cgroup baseline-overlay "none, for reference" none
    ratio_row "crun / vcontext" crun vcontext "at least 2" min
    echo
    echo "Ratios to the unshare baseline (\`unshare ... chroot\`), medians and p90 values:"
    echo
    echo "| variant | median / unshare | p90 / unshare |"
    echo "|---|---:|---:|"
    local name
    while IFS=$'\t' read -r name _; do
        [ "$name" != unshare ] || continue
        echo "| $name | $(calc '%.2f' "$(summary_value "$name" 3) / $(summary_value unshare 3)") |" \
            "$(calc '%.2f' "$(summary_value "$name" 4) / $(summary_value unshare 4)") |"
    done <"$work_dir/summary.tsv"
    echo
}

print_costs() {
    local overlay cgroup cgroup_p90 own
    overlay=$(calc '%.2f' "$(summary_value baseline-overlay 3) - $(summary_value baseline 3)")
    cgroup=$(calc '%.2f' "$(summary_value vcontext 3) - $(summary_value vcontext-no-cgroup 3)")
    cgroup_p90=$(calc '%.2f' "$(summary_value vcontext 4) - $(summary_value vcontext-no-cgroup 4)")
    own=$(calc '%.2f' "$(summary_value vcontext-no-cgroup 3) - $(summary_value baseline-overlay 3)")
    cat <<EOF
### Where the time goes

Differences of medians between pairs of variants:

- Overlay root in place of a bind mount: ${overlay} ms (baseline-overlay minus baseline).
- Placement in the cgroup: ${cgroup} ms at the median and ${cgroup_p90} ms at p90
  (vcontext minus vcontext-no-cgroup). On a cgroup v1 hierarchy the guest init
  moves itself by writing \`0\` to the group's \`tasks\` file before anything
  else, which moves only the calling thread and takes no global migration
  lock. Writing a pid to \`cgroup.procs\`, the only way on cgroup v2, takes the
  write side of the kernel's \`cgroup_threadgroup_rwsem\`, which since Linux 6.0
  waits for an RCU grace period unless the hierarchy is mounted with
  \`favordynmods\`; under load that wait reaches several milliseconds. The
  init also builds its mounts while its monitor finishes the placement, so
  only what is left of the placement shows here.
- The rest of vcontext's setup: ${own} ms (vcontext-no-cgroup minus
  baseline-overlay). A guest of the overlay baseline has
  $(fact mounts_baseline) mounts and a guest of vcontext $(fact mounts_vcontext). vcontext also mounts
  sysfs, a /dev tmpfs with device nodes, devpts and mqueue, and it masks parts
  of /proc and /sys. It adds a cgroup namespace, the loopback interface, the
  host name, capability sets and the handshake between its monitor and the
  guest init.

EOF
}

# Explains a vcontext / baseline ratio above 2, at the median or at p90, and what would shorten it.
print_vcontext_gap() {
    local median p90 rest
    median=$(calc '%.2f' "$(summary_value vcontext 3) / $(summary_value baseline 3)")
    p90=$(calc '%.2f' "$(summary_value vcontext 4) / $(summary_value baseline 4)")
    rest=$(calc '%.2f' "$(summary_value vcontext-no-cgroup 3) / $(summary_value baseline 3)")
    if awk -v r="$median" 'BEGIN { exit !(r > 2) }'; then
        echo "**vcontext / baseline = ${median} at the median, above 2.** Without the cgroup"
        echo "placement the ratio is ${rest} (vcontext-no-cgroup / baseline). What would close the gap:"
    elif awk -v r="$p90" 'BEGIN { exit !(r > 2) }'; then
        echo "**The target is met at the median, but at p90 vcontext / baseline = ${p90}.** Of the"
        echo "$(calc '%.2f' "$(summary_value vcontext 4) - $(summary_value baseline 4)") ms between their p90 values, the cgroup placement accounts for"
        echo "$(calc '%.2f' "$(summary_value vcontext 4) - $(summary_value vcontext-no-cgroup 4)") ms (see above). What would shorten the tail:"
    else
        return 0
    fi
    cat <<EOF

- On cgroup v2, create the guest init directly in its cgroup: \`clone3()\`
  with \`CLONE_INTO_CGROUP\` (Linux 5.7 and later) takes no migration lock.
  vcontext does not do this yet; the v1 hierarchies used here already take
  the self-move through \`tasks\`.
- On hosts the operator controls, mount the cgroup hierarchies with
  \`favordynmods\` (Linux 6.0 and later, v1 and v2) or boot with
  \`cgroup_favordynmods=y\` (Linux 6.7 and later). Moves then skip the grace
  period. The kernel documents that fork and exit become slower in exchange.
EOF
    if awk -v r="$rest" 'BEGIN { exit !(r > 2) }'; then
        echo "- Without the cgroup placement vcontext still takes ${rest} times the baseline: the"
        echo "  rest is its extra setup listed above, so it needs fewer mounts or steps per start."
    fi
    echo
}

print_missed_lxc() {
    local status
    status=$(fact lxc_status)
    [ -n "$status" ] && [ "$status" != ok ] || return 0
    echo "**lxc-execute is not measured:** $status."
    echo
}

print_missed_crun() {
    local status
    status=$(fact crun_status)
    if [ "$status" != ok ]; then
        echo "**crun / vcontext is not measured.** crun reported: \`${status}\`"
        echo
        case $status in
            *"hybrid mode not supported"*) cat <<EOF
This crun ($(fact crun)) rejects a hybrid cgroup layout (v1 hierarchies plus a cgroup2
mount) whenever the cgroup2 hierarchy lists a controller in
\`cgroup.controllers\`, and it checks this even with
\`--cgroup-manager=disabled\`. Here the layout is: $(fact cgroup_layout).
The benchmark does not hide the cgroup2 mount from crun. Running the script
on a host with pure cgroup v2, or with no controller on the cgroup2
hierarchy, measures this row.

EOF
            ;;
        esac
        return
    fi
    local ratio
    ratio=$(calc '%.2f' "$(summary_value crun 3) / $(summary_value vcontext 3)")
    awk -v r="$ratio" 'BEGIN { exit !(r < 2) }' || return 0
    cat <<EOF
**crun / vcontext = ${ratio}, below 2.** crun ran with \`--cgroup-manager=disabled\`,
so it did no cgroup work while vcontext did; against vcontext-no-cgroup the
ratio is $(calc '%.2f' "$(summary_value crun 3) / $(summary_value vcontext-no-cgroup 3)"). Shortening vcontext's cgroup placement, as
listed above, raises this ratio.

EOF
}

print_cross_check() {
    [ -f "$work_dir/hyperfine.csv" ] || return 0
    echo "### Cross-check with hyperfine"
    echo
    echo "The same commands timed by hyperfine (\`-N\`, no shell, 20 warm-up runs, $(fact hyperfine_runs) runs),"
    echo "one variant after the other rather than interleaved. crun is left out because"
    echo "hyperfine cannot give each run a new container id. Milliseconds."
    echo
    echo "| variant | bench-timer median | hyperfine median | hyperfine mean ± σ |"
    echo "|---|---:|---:|---:|"
    awk -F ',' -v summary="$work_dir/summary.tsv" '
        BEGIN { while ((getline line < summary) > 0) { split(line, f, "\t"); median[f[1]] = f[3] } }
        NR > 1 { printf "| %s | %.2f | %.2f | %.2f ± %.2f |\n", $1, median[$1], $4 * 1000, $2 * 1000, $3 * 1000 }
    ' "$work_dir/hyperfine.csv"
    echo
}

print_limits() {
    cat <<EOF
### Limits of these figures

- The machine is a shared virtual machine, and other jobs may run during the
  benchmark (see the load averages). The interleaving makes the ratios more
  stable than the absolute times; compare absolute times only within one run.
- \`/bin/true\` exits at once, so these are launcher costs, not a guest's boot.
- The overlay upper and work directories are reused across runs, as when a
  guest restarts; a guest's first start also creates them.
- crun uses the root directory as it is, without an overlay, and runs with
  \`--cgroup-manager=disabled\`, so it does less than vcontext.
  The benchmark creates a cgroup only under the pids hierarchy, and crun's
  cgroupfs manager does not limit itself to one hierarchy.
EOF
}

print_header
print_machine
print_variants
print_results
print_ratios
print_costs
print_vcontext_gap
print_missed_crun
print_missed_lxc
print_cross_check
print_limits
