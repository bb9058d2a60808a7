#!/usr/bin/env bash
# Writes the results page of the chbind hook overhead benchmark to standard
# output, from the files bench/chbind.sh leaves in its work directory: facts
# (KEY=VALUE), bound-addresses.tsv and samples/CASE-VARIANT (one line per
# batch, in round order: mean wall-clock and mean CPU nanoseconds per cycle,
# tab-separated, as bench/src/main/c/bindloop.c prints them).
#
#   bash bench/chbind-report.sh WORK_DIR > docs/benchmarks-network.md
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1/facts" ] || [ ! -d "$1/samples" ]; then
    echo "usage: bash bench/chbind-report.sh WORK_DIR (a work directory of bench/chbind.sh, with facts and samples/)" >&2
    exit 2
fi
work_dir=$1

# The largest ratio hooked / plain the target allows.
target_ratio=1.10
# The metrics, by the column of the sample files they are read from.
declare -A metric_column=([cpu]=2 [wall]=1)
declare -A metric_title=([cpu]="CPU time" [wall]="wall-clock time")
# stats[METRIC/CASE/VARIANT/STATISTIC] and overhead[METRIC/CASE/STATISTIC], filled by compute.
declare -A stats overhead

fact() {
    sed -n "s/^$1=//p" "$work_dir/facts" | head -n 1
}

# Prints "COUNT MEDIAN P10 P90 MIN MAX" of column COLUMN of a sample file. Percentiles
# interpolate linearly between the closest ranks.
summarize() {
    cut -f "$2" "$1" | sort -g | awk '
        function quantile(p,    h, l) {
            h = (n - 1) * p + 1
            l = int(h)
            return l >= n ? v[n] : v[l] + (h - l) * (v[l + 1] - v[l])
        }
        { v[NR] = $1 }
        END {
            n = NR
            printf "%d %.1f %.1f %.1f %.1f %.1f\n", n, quantile(0.5), quantile(0.1), quantile(0.9), v[1], v[n]
        }'
}

# Prints "MEDIAN LOW HIGH" of the ratios hooked / plain of the two batches of each round, in
# column COLUMN, where LOW..HIGH is the distribution-free 95 % confidence interval of that
# median: the order statistics at ranks (n - 1.96 sqrt(n)) / 2 and 1 + (n + 1.96 sqrt(n)) / 2.
paired_ratios() {
    paste <(cut -f "$3" "$1") <(cut -f "$3" "$2") | awk '{ printf "%.6f\n", $1 / $2 }' | sort -g | awk '
        function ceiling(x) { return x == int(x) ? x : int(x) + 1 }
        { v[NR] = $1 }
        END {
            n = NR
            median = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
            low = int((n - 1.96 * sqrt(n)) / 2)
            high = ceiling(1 + (n + 1.96 * sqrt(n)) / 2)
            if (low < 1) low = 1
            if (high > n) high = n
            printf "%.4f %.4f %.4f\n", median, v[low], v[high]
        }'
}

# calc FORMAT EXPRESSION: evaluates the awk expression EXPRESSION and prints it with FORMAT.
calc() {
    awk "BEGIN { printf \"$1\", $2 }"
}

# Prints met, missed or undecided for a confidence interval LOW..HIGH of the ratio.
verdict() {
    if awk -v high="$2" -v target="$target_ratio" 'BEGIN { exit !(high <= target) }'; then
        echo met
    elif awk -v low="$1" -v target="$target_ratio" 'BEGIN { exit !(low > target) }'; then
        echo missed
    else
        echo undecided
    fi
}

describe_case() {
    case $1 in
        wildcard4) echo "IPv4 socket, bind to 0.0.0.0: the hooked bind is rewritten to the guest address" ;;
        address4) echo "IPv4 socket, bind to the guest address: the hooked bind passes unchanged, so both variants do the same kernel work apart from the programs" ;;
        wildcard6) echo "IPv6 socket, bind to [::]: the hooked bind is rewritten to the v4-mapped guest address, because the guest has no IPv6 address" ;;
        mapped6) echo "IPv6 socket, bind to the v4-mapped guest address: the hooked bind passes unchanged, the IPv6 counterpart of address4" ;;
        *) echo "bind to the address in the table below" ;;
    esac
}

# Returns success when the run measured case NAME.
has_case() {
    [ -n "${stats[cpu/$1/plain/median]:-}" ]
}

# Fills stats and overhead for every metric and case.
compute() {
    local metric name variant column n median p10 p90 min max ratio low high
    for metric in cpu wall; do
        column=${metric_column[$metric]}
        for name in "${case_names[@]}"; do
            for variant in hooked plain; do
                read -r n median p10 p90 min max < <(summarize "$work_dir/samples/$name-$variant" "$column")
                stats[$metric/$name/$variant/n]=$n
                stats[$metric/$name/$variant/median]=$median
                stats[$metric/$name/$variant/p10]=$p10
                stats[$metric/$name/$variant/p90]=$p90
                stats[$metric/$name/$variant/min]=$min
                stats[$metric/$name/$variant/max]=$max
            done
            read -r ratio low high < <(paired_ratios "$work_dir/samples/$name-hooked" \
                "$work_dir/samples/$name-plain" "$column")
            overhead[$metric/$name/ratio]=$ratio
            overhead[$metric/$name/low]=$low
            overhead[$metric/$name/high]=$high
            overhead[$metric/$name/result]=$(verdict "$low" "$high")
        done
    done
}

# Prints the median difference hooked - plain of METRIC and CASE in nanoseconds.
added_ns() {
    calc '%.0f' "${stats[$1/$2/hooked/median]} - ${stats[$1/$2/plain/median]}"
}

# Prints the ratio of METRIC and CASE as a signed percentage.
added_percent() {
    calc '%+.1f %%' "(${overhead[$1/$2/ratio]} - 1) * 100"
}

print_header() {
    local name result
    cat <<EOF
# Benchmark: chbind hook overhead

The chbind programs (\`kmod/src/main/bpf/chbind.bpf.c\`) lock a guest's sockets
to the guest's addresses with cgroup-BPF hooks. The target: they add at most
10 % to a socket + bind + close cycle, measured side by side with a cgroup
without the programs. \`bench/chbind.sh\` generates this page, so rerun it
rather than edit the figures.

Command (as root, from the repository root):

    $(fact command)

## Result

The verdict uses the CPU time of a cycle, because the machine is shared and
the wall-clock time also contains the time other processes held the CPU.

EOF
    for name in "${case_names[@]}"; do
        result=${overhead[cpu/$name/result]}
        printf -- '- **%s: target %s.** The programs add %s CPU time per cycle (%s ns to %s ns; 95 %% confidence interval of the ratio %s to %s)' \
            "$name" "$result" "$(added_percent cpu "$name")" "$(added_ns cpu "$name")" \
            "$(calc '%.0f' "${stats[cpu/$name/plain/median]}")" \
            "${overhead[cpu/$name/low]}" "${overhead[cpu/$name/high]}"
        if [ "$result" = missed ]; then
            printf ', %s percentage points over the target' \
                "$(calc '%.1f' "(${overhead[cpu/$name/ratio]} - $target_ratio) * 100")"
        fi
        printf '; wall-clock time: %s.\n' "$(added_percent wall "$name")"
    done
}

print_method() {
    local name
    cat <<EOF

## What is measured

\`bench/src/main/c/bindloop.c\` runs cycles of \`socket(SOCK_STREAM)\`,
\`bind(ADDRESS, port 0)\` and \`close()\`. One sample is a batch of
$(fact cycles) cycles after $(fact warmup) untimed ones in the same process: its mean
wall-clock time per cycle (CLOCK_MONOTONIC) and its mean CPU time per cycle
(CLOCK_PROCESS_CPUTIME_ID, user and system time of the loop). Each batch is a
new bindloop process, which joins its cgroup before exec, so every socket is
created inside that cgroup.

\`io.vserver.bench.network.ChbindBench\` loads the programs through the kmod
loader (\`io.vserver.kmod.bpf.Chbind\`) from $(fact object) and sets up two
cgroup2 trees:

| variant | cgroup | programs | map entry |
|---|---|---|---|
| hooked | \`$(fact unified)/vserver-bench-chbind-PID/hooked\` | all $(fact programs | tr ',' '\n' | wc -l) chbind programs, attached to the parent | guest address $(fact guest_address) |
| plain | \`$(fact unified)/vserver-bench-chbind-PID-plain/plain\` | none | none |

The hooked cgroup is one level below the cgroup the programs are attached to,
as a guest's \`vserver/NAME\` is on the host, so each program walks the same
cgroup ancestry as in a real guest. The plain variant still passes the
kernel's cgroup-BPF checks, which find no programs for its cgroup, because
programs are attached elsewhere on the machine: that is the unhooked cgroup
the target compares with, not a kernel without cgroup-BPF.

Cases (the bind address), each measured in both variants:

EOF
    for name in "${case_names[@]}"; do
        printf -- '- **%s**: %s.\n' "$name" "$(describe_case "$name")"
    done
    cat <<EOF

Before timing, the script checks that the programs act in the hooked cgroup
and nowhere else (the address \`getsockname()\` reports after one bind):

| case | bind address | hooked | plain |
|---|---|---|---|
EOF
    awk -F '\t' '{ printf "| %s | `%s` | `%s` | `%s` |\n", $1, $2, $3, $4 }' "$work_dir/bound-addresses.tsv"
    cat <<EOF

Every round runs one batch of each case in each variant. The variant that
goes first alternates from one round and case to the next, so slow drift of
the shared machine hits both alike. $(fact batches) rounds are recorded; CPU
pinning: $(fact cpu_pin).
EOF
}

print_machine() {
    local hypervisor
    hypervisor=$(fact hypervisor)
    cat <<EOF

## Machine and tools

| item | value |
|---|---|
| date | $(fact date) |
| CPU | $(fact cpu)${hypervisor:+ (virtual machine, $hypervisor)} |
| cores (nproc) | $(fact nproc) |
| memory | $(fact memory) |
| OS | $(fact os) |
| kernel | $(fact kernel) |
| cgroup2 mount | \`$(fact unified)\` |
| load average before / after | $(fact load_before) / $(fact load_after) |
| CPU busy during the timed runs (all CPUs, the benchmark included) | $(fact cpu_busy) |
| gcc | $(fact gcc) |
| clang (BPF object) | $(fact clang) |
| Java | $(fact java) |
| source (kmod/src/main/bpf, bindloop.c) | $(fact source) |
EOF
}

# Prints the table of one metric: the statistics of every case and variant.
print_metric_table() {
    local metric=$1 name variant key
    cat <<EOF

${metric_title[$metric]^} per cycle, in nanoseconds, over the batches. Spread is
(p90 - p10) / median.

| case | variant | batches | median | p10 | p90 | min | max | spread |
|---|---|---|---|---|---|---|---|---|
EOF
    for name in "${case_names[@]}"; do
        for variant in hooked plain; do
            key=$metric/$name/$variant
            printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s %% |\n' "$name" "$variant" "${stats[$key/n]}" \
                "${stats[$key/median]}" "${stats[$key/p10]}" "${stats[$key/p90]}" "${stats[$key/min]}" \
                "${stats[$key/max]}" "$(calc '%.1f' "(${stats[$key/p90]} - ${stats[$key/p10]}) / ${stats[$key/median]} * 100")"
        done
    done
}

print_results() {
    local metric name
    printf '\n## Results\n'
    print_metric_table cpu
    print_metric_table wall
    cat <<EOF

Overhead: the ratio hooked / plain of the two batches of each round, with the
distribution-free 95 % confidence interval of its median (order statistics).
The target is met when the whole interval lies at or below $target_ratio, missed
when it lies above, and undecided otherwise.

| case | metric | median hooked - plain (ns) | ratio of medians | median of paired ratios | 95 % interval | target |
|---|---|---|---|---|---|---|
EOF
    for name in "${case_names[@]}"; do
        for metric in cpu wall; do
            printf '| %s | %s | %s | %s | %s | %s to %s | %s |\n' "$name" "${metric_title[$metric]}" \
                "$(added_ns "$metric" "$name")" \
                "$(calc '%.4f' "${stats[$metric/$name/hooked/median]} / ${stats[$metric/$name/plain/median]}")" \
                "${overhead[$metric/$name/ratio]}" "${overhead[$metric/$name/low]}" \
                "${overhead[$metric/$name/high]}" "${overhead[$metric/$name/result]}"
        done
    done
}

# Prints one row of the breakdown, in CPU time: the programs' own cost from the address case
# ADDRESS and the cost of binding a specific address from the plain variants.
print_breakdown_row() {
    has_case "$1" && has_case "$2" || return 0
    printf '| %s vs %s | %s | %s | %s |\n' "$1" "$2" "$(added_ns cpu "$2")" \
        "$(calc '%.0f' "${stats[cpu/$2/plain/median]} - ${stats[cpu/$1/plain/median]}")" \
        "$(added_ns cpu "$1")"
}

print_breakdown() {
    cat <<EOF

## Where the time goes

A hooked cycle runs two programs: \`cgroup/sock_create\` in \`socket()\` and
\`cgroup/bind4\` or \`cgroup/bind6\` in \`bind()\`; \`close()\` runs none. \`sock_create\` checks the socket type first and looks
for the guest only for a raw socket, which it rejects. \`bind4\` and \`bind6\`
first look for the guest: they walk the ancestors of the caller's
cgroup from the top, with one \`bpf_get_current_ancestor_cgroup_id()\` call
and one hash map lookup per level, until an entry matches (at the second
level here, as for a guest in \`vserver/NAME\`), and then compare or rewrite
the address. The address cases
measure exactly this, because there the hooked and the plain bind end on the
same address.

In the wildcard cases the program also turns the bind into a bind to the
guest's own address, which is the purpose of chbind. A bind to a specific
address costs the kernel more than a wildcard bind, with or without programs.
For IPv4, Linux's \`__inet_bind()\` checks that the address is local with a
lookup in the local FIB table (\`inet_addr_type_table()\`), which returns at
once for 0.0.0.0. The plain variants of the two cases show the difference.
Medians of the CPU time, in nanoseconds per cycle:

| wildcard case vs address case | programs alone (address case, hooked - plain) | specific instead of wildcard bind (plain address case - plain wildcard case) | whole overhead of the wildcard case (hooked - plain) |
|---|---|---|---|
EOF
    print_breakdown_row wildcard4 address4
    print_breakdown_row wildcard6 mapped6
    cat <<EOF

The first two columns add up to the third only roughly, because each median
carries the noise of its own batches.
EOF
}

# Prints the verdict paragraph of the cost section: which cases did not meet the target and by
# how much, or the smallest margin when all did.
print_margin() {
    local name margin short="" smallest="" smallest_margin=""
    for name in "${case_names[@]}"; do
        margin=$(calc '%.1f' "($target_ratio - ${overhead[cpu/$name/ratio]}) * 100")
        if [ "${overhead[cpu/$name/result]}" != met ]; then
            short+="${short:+, }$name (${overhead[cpu/$name/result]}, median $(added_percent cpu "$name"))"
        fi
        if [ -z "$smallest" ] || awk -v a="$margin" -v b="$smallest_margin" 'BEGIN { exit !(a < b) }'; then
            smallest=$name
            smallest_margin=$margin
        fi
    done
    if [ -n "$short" ]; then
        echo "Cases that do not meet the target with 95 % confidence: $short."
    else
        echo "Every case meets the target. The smallest margin is $smallest_margin percentage points, in $smallest."
    fi
    short=""
    for name in "${case_names[@]}"; do
        if [ "${overhead[wall/$name/result]}" != met ]; then
            short+="${short:+, }$name (${overhead[wall/$name/result]}, median $(added_percent wall "$name"))"
        fi
    done
    if [ -n "$short" ]; then
        echo "In wall-clock time, which the other load on the machine makes noisier, these cases do not meet it with 95 % confidence: $short."
    fi
}

print_reductions() {
    cat <<EOF

## Ways to lower the cost

$(print_margin)

The cost has three parts (see above): running two programs at all, the work
inside them (mostly finding the guest), and the kernel's bind to a specific
address in the wildcard cases. This change to the programs would lower the
second part, and \`--object\` measures a modified object against the same
plain cgroup:

- Finding the guest walks the cgroup ancestry from the top. Trying the
  caller's own cgroup first (\`bpf_get_current_cgroup_id()\`) finds a process
  that sits in the guest's cgroup itself with one lookup instead of one per
  level; processes in child cgroups of the guest still need the walk.

The bind to the guest's own address in place of a wildcard is what chbind is
for, and its cost does not depend on the programs: a daemon that binds its
address itself pays it without chbind too.
EOF
}

IFS=, read -r -a case_names <<<"$(fact cases)"
[ "${#case_names[@]}" -gt 0 ] || { echo "chbind-report.sh: no cases= line in $work_dir/facts" >&2; exit 2; }
compute
print_header
print_method
print_machine
print_results
print_breakdown
print_reductions
