# Cgroup helpers shared by bench/run.sh and bench/run-all.sh; source this file.

# Prints the mount point of every cgroup v1 hierarchy and of the cgroup2 hierarchy, read from mountinfo.
bench_cgroup_mounts() {
    awk '{ for (i = 7; $i != "-"; i++) ; if ($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") print $5 }' \
        /proc/self/mountinfo
}

# Kills every process in the cgroups named NAME directly below each hierarchy's root and in
# their child groups, then removes those groups, deepest first. NAME must start with
# vserver-bench-, so that no other group is touched. Reports what it cannot remove.
remove_bench_cgroup() {
    local name=$1 mount group pid attempt
    case $name in
        vserver-bench-*) ;;
        *) echo "remove_bench_cgroup: refusing to remove $name: not a vserver-bench-* group" >&2; return 1 ;;
    esac
    for mount in $(bench_cgroup_mounts); do
        [ -d "$mount/$name" ] || continue
        for group in $(find "$mount/$name" -depth -type d); do
            for pid in $(cat "$group/cgroup.procs" 2>/dev/null); do
                # A process of another pid namespace is listed as 0 and cannot be named here.
                [ "$pid" != 0 ] && kill -KILL "$pid" 2>/dev/null || true
            done
        done
        for attempt in 1 2 3 4 5 6 7 8 9 10; do
            find "$mount/$name" -depth -type d -exec rmdir {} + 2>/dev/null || true
            [ -d "$mount/$name" ] || break
            sleep 0.2
        done
        [ ! -d "$mount/$name" ] || echo "cannot remove cgroup $mount/$name" >&2
    done
    return 0
}
