# Density sections of the results page, for bench/report-host.sh, which sources this file
# after defining fact, value, calc, round, memory, memory_file and verdict_max.

print_density_method() {
    cat <<TEXT
## Density: idle guests

For each count N ($(fact counts)), the benchmark starts N guests one after
the other through \`GuestService.start\`, each with \`/bin/sleep 1000000\` as
its init (plain style) on the busybox root and the same keys as above, so
every guest has its own cgroup in every hierarchy, its namespaces (a new
network namespace with loopback among them), an overlay root and a vcontext
monitor. Each count starts from no running guest. $(fact settle) s after the
last start it reads the memory figures (the host's per-guest threads end
after 30 s without work, so a wait of 30 s or more leaves them out). Then it measures $(fact probes) starts of one more guest (each
stopped again) and compares them with $(fact probes) starts of that guest with no
other guest running, measured before. At last it stops the N guests one after
the other (\`stop(name, 0)\`: \`sleep\` as pid 1 has no handler for SIGTERM,
so each stop kills the guest's cgroup at once).

Host-side memory per guest is the sum of three figures divided by N: the
guests' vcontext monitors (PSS from \`/proc/PID/smaps_rollup\`, the monitor
being each init's parent), the kernel memory charged to the guests' cgroups
($(kernel_source)), and the growth of the JVM's heap after a full collection.
The kernel allocates the new namespaces while vcontext's monitor clones the init,
before the init enters its cgroup. That memory is charged to the cgroup of the
monitor, which is the JVM's, so it shows only in the machine-wide counters
below, which other jobs on the machine disturb.

TEXT
}

kernel_source() {
    if [ -n "$(memory "$(first_count)" cgroup.kernel.bytes)" ]; then
        echo "\`memory.kmem.usage_in_bytes\` on cgroup v1, the \`kernel\` line of \`memory.stat\` on v2"
    else
        echo "not available here: no memory controller, so this part counts as 0"
    fi
}

first_count() {
    fact counts | cut -d , -f 1
}

last_count() {
    fact counts | tr ',' '\n' | tail -n 1
}

# per_guest N FIGURE DIVISOR: prints FIGURE of count N divided by N and by DIVISOR, or "n/a".
per_guest() {
    local figure
    figure=$(memory "$1" "$2")
    if [ -z "$figure" ]; then
        echo "n/a"
    else
        round "$figure / $1 / $3"
    fi
}

# memory_row LABEL FIGURE DIVISOR [SIGN]: prints a table row of FIGURE per guest for every count.
memory_row() {
    local label=$1 figure=$2 divisor=$3 sign=${4:-1} cells="" n cell
    for n in $(fact counts | tr ',' ' '); do
        cell=$(per_guest "$n" "$figure" "$divisor")
        [ "$cell" = n/a ] || cell=$(round "$cell * $sign")
        cells+=" $cell |"
    done
    echo "| $label |$cells"
}

print_density_memory() {
    local n cells=""
    echo "### Memory per guest (KiB)"
    echo
    echo "| figure | $(fact counts | sed 's/,/ | /g') |"
    echo "|---|$(fact counts | sed 's/[0-9]*/---:/g; s/,/|/g')|"
    memory_row "vcontext monitor PSS" monitors.pss.kib 1
    memory_row "kernel memory of the guests' cgroups" cgroup.kernel.bytes 1024
    memory_row "JVM heap growth after GC" jvm.heap.bytes.growth 1024
    for n in $(fact counts | tr ',' ' '); do
        cells+=" **$(host_side "$n")** |"
    done
    echo "| **host-side total** |$cells"
    memory_row "machine-wide: MemAvailable drop" meminfo.MemAvailable.kib.growth 1 -1
    memory_row "machine-wide: Slab growth" meminfo.Slab.kib.growth 1
    memory_row "machine-wide: KernelStack growth" meminfo.KernelStack.kib.growth 1
    memory_row "machine-wide: PageTables growth" meminfo.PageTables.kib.growth 1
    memory_row "JVM PSS growth" jvm.pss.kib.growth 1
    memory_row "guest side: init PSS" inits.pss.kib 1
    memory_row "guest side: all memory of the guests' cgroups" cgroup.usage.bytes 1024
    echo
    print_host_network_memory
}

# Prints the memory of the run with network.mode=host beside that of the same count with a namespace per guest.
print_host_network_memory() {
    local n other=$api/density-host-network/memory.tsv
    n=$(last_count)
    [ -f "$other" ] || return 0
    echo "The same $n guests once more with \`network.mode=host\`, in the host's network"
    echo "namespace, so without a network namespace per guest (KiB per guest):"
    echo
    echo "| figure | network.mode=none | network.mode=host |"
    echo "|---|---:|---:|"
    host_network_row "host-side total" host_side
    host_network_row "machine-wide: MemAvailable drop" per_guest meminfo.MemAvailable.kib.growth 1 -1
    host_network_row "machine-wide: Slab growth" per_guest meminfo.Slab.kib.growth 1
    host_network_row "machine-wide: SUnreclaim growth" per_guest meminfo.SUnreclaim.kib.growth 1
    echo
    echo "Other jobs on the machine move the machine-wide counters too, so only a large"
    echo "difference between the two columns says something."
    echo
}

# host_network_row LABEL FUNCTION [FIGURE DIVISOR [SIGN]]: prints FUNCTION's value at the largest count for both runs.
host_network_row() {
    local label=$1 function=$2 figure=${3:-} divisor=${4:-} sign=${5:-1} n cells="" file value
    n=$(last_count)
    for file in "$api/density/memory.tsv" "$api/density-host-network/memory.tsv"; do
        memory_file=$file
        if [ -n "$figure" ]; then
            value=$("$function" "$n" "$figure" "$divisor")
            [ "$value" = n/a ] || value=$(round "$value * $sign")
        else
            value=$("$function" "$n")
        fi
        cells+=" $value |"
    done
    memory_file=$api/density/memory.tsv
    echo "| $label |$cells"
}

# Prints the host-side KiB per guest at count N: monitor PSS, cgroup kernel memory and heap growth.
host_side() {
    local n=$1 monitors kernel heap
    monitors=$(memory "$n" monitors.pss.kib)
    kernel=$(memory "$n" cgroup.kernel.bytes)
    heap=$(memory "$n" jvm.heap.bytes.growth)
    calc '%.0f' "($monitors + ${kernel:-0} / 1024 + ${heap:-0} / 1024) / $n"
}

print_density_latency() {
    local n first next
    echo "### Start latency against the number of running guests"
    echo
    echo "Start of one more idle guest (until \`start()\` returns), $(fact probes) starts each. Compare these"
    echo "starts with each other rather than with the \`-start-call\` rows above: they ran in another"
    echo "phase, each probe start right after the stop of the previous one, whose namespaces the kernel"
    echo "tears down in the background."
    echo
    echo "| guests running | median with none running | median with N running | ratio | p90 with none | p90 with N | first 25 starts of the ramp, median | last 25, median |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
    for n in $(fact counts | tr ',' ' '); do
        first=$(value "$api/density/probes.tsv" "probe-$n-first" 3)
        next=$(value "$api/density/probes.tsv" "probe-$n-next" 3)
        echo "| $n | $(calc '%.2f' "$first") | $(calc '%.2f' "$next") | $(calc '%.2f' "$next / $first") |" \
            "$(calc '%.2f' "$(value "$api/density/probes.tsv" "probe-$n-first" 4)") |" \
            "$(calc '%.2f' "$(value "$api/density/probes.tsv" "probe-$n-next" 4)") |" \
            "$(ramp_median "$n" head) | $(ramp_median "$n" tail) |"
    done
    echo
    if [ -n "$(value "$api/density/probes.tsv" "move-$(first_count)-first" 3)" ]; then
        echo "The isolated cgroup2 move (as \`cgroup2-move\` above, $(fact probes) moves each), timed right after"
        echo "each set of probe starts:"
        echo
        echo "| guests running | move median with none running | move median with N running | move p90 with none | move p90 with N |"
        echo "|---:|---:|---:|---:|---:|"
        for n in $(fact counts | tr ',' ' '); do
            echo "| $n | $(rounded "$api/density/probes.tsv" "move-$n-first") |" \
                "$(rounded "$api/density/probes.tsv" "move-$n-next") |" \
                "$(calc '%.2f' "$(value "$api/density/probes.tsv" "move-$n-first" 4)") |" \
                "$(calc '%.2f' "$(value "$api/density/probes.tsv" "move-$n-next" 4)") |"
        done
        echo
    fi
    echo "![Start latency of each idle guest against the guests already running]($(fact plot))"
    echo
    echo "Time to stop all guests, one after the other:"
    echo
    echo "| guests | total (s) | per guest, median (ms) | per guest, p90 (ms) |"
    echo "|---:|---:|---:|---:|"
    awk -F '\t' '{ printf "| %d | %.1f | %.2f | %.2f |\n", $1, $2 / 1000, $5, $6 }' "$api/density/stop.tsv"
    echo
}

# ramp_median N head|tail: prints the median start latency of the first or last 25 guests of count N.
ramp_median() {
    awk -F '\t' -v n="$1" '$1 == n { print $4 }' "$api/density/ramp.tsv" | "$2" -n 25 | sort -g |
        awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.2f", v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

print_density_targets() {
    local n first next host ratio ramp_ratio
    n=$(last_count)
    ramp_ratio=$(calc '%.2f' "$(ramp_median "$n" tail) / $(ramp_median "$n" head)")
    host=$(host_side "$n")
    first=$(value "$api/density/probes.tsv" "probe-$n-first" 3)
    next=$(value "$api/density/probes.tsv" "probe-$n-next" 3)
    ratio=$(calc '%.2f' "$next / $first")
    cat <<TEXT
### Targets of the density benchmark

| figure | value | target | result |
|---|---:|---|---|
| host-side memory per guest at $n guests | ${host} KiB | at most 300 KB (taken as KiB) | $(verdict_max "$host" 300 KiB) |
$(slab_estimate_row "$n")
| machine-wide MemAvailable drop per guest at $n guests (the guests' own memory and the namespaces included) | $(round "$(per_guest "$n" meminfo.MemAvailable.kib.growth 1) * -1") KiB | none, for reference | no target |
| start latency of guest $((n + 1)) / with none running (medians) | ${ratio} | at most 1.20 | $(verdict_max "$ratio" 1.2 times) |
| start latency of the last 25 / the first 25 guests of the ramp (medians) | ${ramp_ratio} | at most 1.20 | $(verdict_max "$ramp_ratio" 1.2 times) |

$(print_memory_caveat "$n")

The first ratio compares starts some minutes apart, and the second compares
neighbouring starts of one ramp. Other jobs on the shared machine move both,
so a run that meets one and misses the other is within the noise (see the
load averages below).

TEXT
    awk -v r="$ratio" -v q="$ramp_ratio" 'BEGIN { exit !(r > 1.2 || q > 1.2) }' || return 0
    print_density_gap "$n" "$first" "$next"
}

# Prints the target row of the host-side estimate at count N with the whole Slab growth, see print_memory_caveat.
slab_estimate_row() {
    local n=$1 slab estimate
    slab=$(per_guest "$n" meminfo.Slab.kib.growth 1)
    [ "$slab" != n/a ] || return 0
    estimate=$(round "$(per_guest "$n" monitors.pss.kib 1) + $slab + $(per_guest "$n" jvm.heap.bytes.growth 1024)")
    echo "| the same with the whole machine-wide Slab growth (estimate, see below) | ${estimate} KiB |" \
        "at most 300 KB (taken as KiB) | $(verdict_max "$estimate" 300 KiB) |"
}

# Prints what the host-side total leaves out at count N, from the machine-wide Slab growth.
print_memory_caveat() {
    local n=$1 slab monitors heap other=$api/density-host-network/memory.tsv host_slab
    slab=$(per_guest "$n" meminfo.Slab.kib.growth 1)
    [ "$slab" != n/a ] || return 0
    monitors=$(per_guest "$n" monitors.pss.kib 1)
    heap=$(per_guest "$n" jvm.heap.bytes.growth 1024)
    echo "The host-side total counts only the kernel memory charged to the guests' cgroups. Machine-wide,"
    echo "Slab grew by $slab KiB per guest, which includes that part and the namespaces the monitor's"
    echo "clone allocates. Counting the whole Slab growth in place of the cgroups' kernel memory gives"
    echo "about $(round "$monitors + $slab + $heap") KiB per guest (an estimate: other jobs also move Slab)."
    if [ -f "$other" ]; then
        memory_file=$other
        host_slab=$(per_guest "$n" meminfo.Slab.kib.growth 1)
        memory_file=$api/density/memory.tsv
        echo "With \`network.mode=host\` Slab grew by $host_slab KiB per guest, so a network namespace"
        echo "per guest is about $(round "$slab - $host_slab") KiB of it. Guests that share the host's network"
        echo "stack (the \`bind\` mode) would not pay that."
    fi
}

# Explains a start latency that grows with the number of running guests, as far as it was measured.
print_density_gap() {
    local n=$1 first=$2 next=$3 move_first move_next
    move_first=$(value "$api/density/probes.tsv" "move-$n-first" 3)
    move_next=$(value "$api/density/probes.tsv" "move-$n-next" 3)
    echo "**At $n running guests a start took $(calc '%.2f' "$next") ms against $(calc '%.2f' "$first") ms with none running, and"
    echo "the last 25 starts of the ramp $(ramp_median "$n" tail) ms against $(ramp_median "$n" head) ms for the first 25 (medians).**"
    if [ -n "$move_first" ]; then
        echo "The isolated cgroup2 move, timed next to these probes, took $(calc '%.2f' "$move_first") ms with none running"
        echo "and $(calc '%.2f' "$move_next") ms at $n running (medians)."
    fi
    cat <<TEXT
The benchmark does not split a change of the start latency further. Steps of a start
whose kernel cost can depend on the number of existing groups, namespaces and
mounts are the creation of the guest's cgroup in every hierarchy, the clone
into new namespaces (network namespaces among them) and the mounts of the new
root; they are candidates, not measured causes. What would narrow it down:
time \`vcontext create\` alone (the launcher variant) with N guests running,
and profile a start at N = $n with \`perf\`. Creating the init directly in
its cgroup2 group (\`CLONE_INTO_CGROUP\`) removes the cgroup2 move's share
whatever it is.

TEXT
}
