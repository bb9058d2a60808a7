#!/usr/bin/env bash
# Smoke test of the vcontext launcher against a busybox guest root.
#
#   bash kmod/src/test/native/smoke.sh [VCONTEXT]
#
# Without VCONTEXT it builds the binary into a temporary directory first.
# Needs root and /bin/busybox (Debian package busybox-static). It creates its
# own temporary directories and cgroups (vserver-test-smoke-PID), ends only
# the processes it started, by pid, and removes everything on exit. It stops
# at the first failed check. Without root it skips, unless CI is set.
set -uo pipefail

here=$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
source_dir=$here/../../main/c

if [ "$(id -u)" -ne 0 ]; then
    if [ -n "${CI:-}" ]; then
        echo "smoke.sh: FAILED: needs root, and CI is set" >&2
        exit 1
    fi
    echo "smoke.sh: SKIPPED: needs root (namespaces, mounts, cgroups)"
    exit 0
fi
if [ ! -x /bin/busybox ]; then
    echo "smoke.sh: FAILED: /bin/busybox not found: install the Debian package busybox-static" >&2
    exit 1
fi

base=$(mktemp -d /tmp/vcontext-smoke.XXXXXX)
guests=()
cgroup_dirs=()
passed=0

cleanup() {
    for pid in "${guests[@]}"; do
        kill -KILL "$pid" 2>/dev/null
    done
    for dir in "${cgroup_dirs[@]}"; do
        for child in "$dir"/*/; do
            [ -d "$child" ] || continue
            wait_until 5 cgroup_empty "$child" && rmdir "$child"
        done
        rmdir "$dir" 2>/dev/null
    done
    rm -rf "$base"
    # Exists only if a --bind target escaped the guest root.
    rmdir "/vserver-test-smoke-escape-$$" 2>/dev/null
}
trap cleanup EXIT

# ---- helpers ----

ok() {
    passed=$((passed + 1))
    echo "ok $passed - $1"
}

# Reports a failed check with its details and stops; the trap cleans up.
not_ok() {
    local name=$1
    shift
    echo "not ok - $name"
    for line in "$@"; do
        printf '    %s\n' "$line"
    done
    echo "$passed passed, 1 failed"
    exit 1
}

expect_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3"; fi
}

# expect_match NAME REGEX TEXT: TEXT has a line matching the extended REGEX.
expect_match() {
    if grep -Eq -- "$2" <<<"$3"; then ok "$1"; else not_ok "$1" "no line matches: $2" "in: $3"; fi
}

expect_no_match() {
    if grep -Eq -- "$2" <<<"$3"; then not_ok "$1" "a line matches: $2" "in: $3"; else ok "$1"; fi
}

# wait_until SECONDS COMMAND...: polls COMMAND every 50 ms until it succeeds or the time is up.
wait_until() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.05
    done
}

cgroup_empty() {
    [ -z "$(cat "$1/cgroup.procs" 2>/dev/null)" ]
}

# True when PID does not exist or is a zombie (a detached monitor waits for the machine's init to reap it).
process_gone() {
    [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# Lists the live processes that run the guest's busybox or vcontext. Compared by
# device and inode, since /proc/PID/exe of a guest process names a path inside the guest.
leftover_processes() {
    local pid wanted
    wanted=" $(stat -c %d:%i "$root/bin/busybox" "$vcontext" | tr '\n' ' ')"
    for pid in /proc/[0-9]*; do
        case "$wanted" in
        *" $(stat -L -c %d:%i "$pid/exe" 2>/dev/null) "*) echo "${pid#/proc/}" ;;
        esac
    done
}

# The pid from the {"event":"pid",...} line in the given status output.
pid_of() {
    sed -n 's/^{"event":"pid","pid":\([0-9]*\),.*/\1/p' <<<"$1"
}

monitor_of() {
    sed -n 's/^{"event":"pid","pid":[0-9]*,"monitor":\([0-9]*\)}$/\1/p' <<<"$1"
}

host_mounts_of_base() {
    grep -c -F "$base" /proc/self/mountinfo
}

# Prints the mount point (field 5) of the first mount of type cgroup2, or of cgroup with option $1.
cgroup_mount() {
    awk -v want="$1" '{
        for (i = 7; $i != "-"; i++) ;
        if (want == "" && $(i + 1) == "cgroup2") { print $5; exit }
        if (want != "" && $(i + 1) == "cgroup" && ("," $(i + 3) ",") ~ ("," want ",")) { print $5; exit }
    }' /proc/self/mountinfo
}

# ---- setup ----

if [ $# -ge 1 ]; then
    vcontext=$1
else
    bash "$source_dir/build.sh" "$base/build" || not_ok "build.sh builds vcontext"
    vcontext=$base/build/vcontext
fi
[ -x "$vcontext" ] || not_ok "vcontext binary exists" "not executable: $vcontext"

root=$base/root
mkdir -p "$root/bin" "$base/run" "$base/layers/top" "$base/layers/upper" "$base/layers/work" \
    "$base/overlay-root" "$base/share" "$base/host-target"
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
echo "from the top layer" >"$base/layers/top/marker"
echo "shared data" >"$base/share/file"
# An absolute symlink that would lead to a host directory if it were resolved outside the guest root.
ln -s "$base/host-target" "$root/escape"
ln -s ../../../../../.. "$root/up"

for spec in pids ""; do
    mount_point=$(cgroup_mount "$spec")
    [ -n "$mount_point" ] || continue
    dir=$mount_point/vserver-test-smoke-$$
    mkdir "$dir/guest" -p && cgroup_dirs+=("$dir")
done
[ ${#cgroup_dirs[@]} -gt 0 ] || not_ok "a cgroup hierarchy is mounted" "$(grep cgroup /proc/self/mountinfo)"

own_bounding=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
mounts_before=$(host_mounts_of_base)

# ---- help ----

help=$("$vcontext" create --help)
expect_match "create --help documents --tmpfs size unit" '--tmpfs DST\[:SIZE\].*bytes' "$help"
expect_match "create --help documents --shm-size unit" '--shm-size SIZE .*bytes' "$help"
expect_match "create --help documents uid 0 capability rule" 'bounding\|inheritable' "$help"
expect_match "enter --help documents exit codes" '127' "$("$vcontext" enter --help)"

# ---- foreground guest ----

exec 7</etc/hostname
output=$("$vcontext" create --root "$root" --name smoke1 --foreground -- /bin/sh -c '
    echo "ps-begin"
    ps -o pid,comm
    echo "ps-end"
    echo "hostname: $(hostname)"
    grep -E "^Cap(Bnd|Prm|Eff|Inh|Amb):" /proc/self/status
    echo "fds: $(ls /proc/self/fd | tr "\n" " ")"
    echo smoke 2>/dev/null >/proc/sys/kernel/hostname && echo "proc-sys: writable" || echo "proc-sys: read-only"
    touch /sys/smoke 2>/dev/null && echo "sys: writable" || echo "sys: read-only"
    echo "env: $(env | grep -v -e ^PWD= -e ^SHLVL= | sort | tr "\n" " ")"
    cat /proc/self/mountinfo | awk "{print \"mount: \" \$5}"
    exit 3')
code=$?
expect_eq "foreground exit code is the guest's" 3 "$code"
processes=$(sed -n '/^ps-begin$/,/^ps-end$/p' <<<"$output" | tr -s ' ' | sed 's/^ //')
expect_eq "ps shows only pid 1 and ps itself" "$(printf 'ps-begin\nPID COMMAND\n1 sh\nN ps\nps-end')" \
    "$(sed 's/^[0-9]* ps$/N ps/' <<<"$processes")"
expect_match "hostname defaults to --name" '^hostname: smoke1$' "$output"
for set in Bnd Prm Eff; do
    expect_match "default Cap$set is the own bounding set" "^Cap$set:[[:space:]]+$own_bounding$" "$output"
done
expect_match "default CapInh is empty" '^CapInh:[[:space:]]+0000000000000000$' "$output"
expect_match "default CapAmb is empty" '^CapAmb:[[:space:]]+0000000000000000$' "$output"
expect_match "caller's fd 7 is closed in the guest" '^fds: 0 1 2 3 $' "$output"
expect_match "/proc/sys is read-only" '^proc-sys: read-only$' "$output"
expect_match "/sys is read-only" '^sys: read-only$' "$output"
expect_match "environment is only the default PATH" \
    '^env: PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin $' "$output"
expect_no_match "mountinfo has no host mounts" '^mount: /(work|tmp|home|run|usr|sys/fs/cgroup)' "$output"
expect_match "mountinfo has the guest's /dev/pts" '^mount: /dev/pts$' "$output"

output=$("$vcontext" create --root "$root" --foreground --hostname web \
    --cap-bounding chown,CAP_KILL,Net_Bind_Service --cap-inheritable kill --cap-ambient kill \
    --no-new-privs --rlimit nofile=100:200 --env FOO=bar --env PATH=/bin --chdir /bin -- /bin/sh -c '
    echo "hostname: $(hostname)"
    grep -E "^(Cap(Bnd|Prm|Eff|Inh|Amb)|NoNewPrivs):" /proc/self/status
    echo "nofile: $(ulimit -Sn) $(ulimit -Hn)"
    echo "env: $(env | grep -v -e ^PWD= -e ^SHLVL= | sort | tr "\n" " ")"
    echo "cwd: $(pwd)"')
expect_match "--hostname sets the UTS name" '^hostname: web$' "$output"
expect_match "--cap-bounding sets CapBnd" '^CapBnd:[[:space:]]+0000000000000421$' "$output"
expect_match "CapEff is bounding|inheritable" '^CapEff:[[:space:]]+0000000000000421$' "$output"
expect_match "--cap-inheritable sets CapInh" '^CapInh:[[:space:]]+0000000000000020$' "$output"
expect_match "--cap-ambient sets CapAmb" '^CapAmb:[[:space:]]+0000000000000020$' "$output"
expect_match "--no-new-privs sets NoNewPrivs" '^NoNewPrivs:[[:space:]]+1$' "$output"
expect_match "--rlimit sets soft and hard" '^nofile: 100 200$' "$output"
expect_match "--env replaces the default PATH" '^env: FOO=bar PATH=/bin $' "$output"
expect_match "--chdir sets the working directory" '^cwd: /bin$' "$output"

output=$("$vcontext" create --root "$root" --foreground -- /bin/ip -o link)
expect_match "--net new brings loopback up" '^1: lo: <LOOPBACK,UP' "$output"
expect_eq "--net new has only loopback" 1 "$(wc -l <<<"$output")"

# ---- reaper ----

output=$("$vcontext" create --root "$root" --foreground --reaper -- /bin/sh -c \
    'ps -o pid,comm | tr -s " " | tr "\n" " "; (sleep 5 &); exit 4')
code=$?
expect_eq "--reaper exits with INIT's exit code" 4 "$code"
expect_match "--reaper runs INIT as pid 2" 'PID +COMMAND +1 +vcontext +2 +sh ' "$output"

# ---- seccomp ----

# The probe makes each named syscall with arguments that change nothing and prints "NAME ERRNO" or "NAME ok".
gcc -static -O2 -o "$root/bin/seccomp-probe" "$here/../resources/io/vserver/kmod/vcontext/seccomp-probe.c" ||
    not_ok "gcc builds the seccomp probe (Debian packages gcc and libc6-dev)"
probed="keyctl add_key bpf perf_event_open open_by_handle_at swapon settimeofday clock_settime"
output=$("$vcontext" create --root "$root" --foreground -- /bin/sh -c "
    grep '^Seccomp:' /proc/self/status
    seccomp-probe $probed getpid")
expect_match "the default filter is in force" '^Seccomp:[[:space:]]+2$' "$output"
for syscall in $probed; do
    expect_match "the default filter rejects $syscall with EPERM" "^$syscall EPERM$" "$output"
done
expect_match "the default filter allows getpid" '^getpid ok$' "$output"
output=$("$vcontext" create --root "$root" --foreground --seccomp unconfined -- /bin/sh -c "
    grep '^Seccomp:' /proc/self/status
    seccomp-probe keyctl bpf")
# The host's own mode: 0, unless this script itself runs under a filter.
host_seccomp="^Seccomp:[[:space:]]+$(awk '/^Seccomp:/ {print $2}' /proc/self/status)$"
expect_match "--seccomp unconfined installs no filter" "$host_seccomp" "$output"
expect_match "--seccomp unconfined makes keyctl as the host does" "^$("$root/bin/seccomp-probe" keyctl)$" "$output"
expect_match "--seccomp unconfined gives bpf's own error" '^bpf EINVAL$' "$output"
"$vcontext" create --root "$root" --foreground --seccomp strict -- /bin/true 2>"$base/stderr"
expect_match "--seccomp rejects an unknown mode" \
    '^vcontext: parse strict: invalid --seccomp, expected default or unconfined \(EINVAL\)$' "$(cat "$base/stderr")"

# ---- file system options ----

output=$("$vcontext" create --root "$base/overlay-root" --lower "$base/layers/top" --lower "$root" \
    --upper "$base/layers/upper" --work "$base/layers/work" --foreground \
    --bind "$base/share:/mnt/share:ro" --bind "$base/share/file:/etc/file" --tmpfs /tmp:1m \
    -- /bin/sh -c '
    echo "marker: $(cat /marker)"
    echo "share: $(cat /mnt/share/file)"
    echo "file: $(cat /etc/file)"
    touch /mnt/share/new 2>/dev/null && echo "ro-bind: writable" || echo "ro-bind: read-only"
    touch /written && echo "root: writable"
    echo "tmpfs: $(df -k /tmp | awk "NR == 2 {print \$2}")"')
expect_match "overlay shows the top layer" '^marker: from the top layer$' "$output"
expect_match "--bind mounts a directory" '^share: shared data$' "$output"
expect_match "--bind mounts a file" '^file: shared data$' "$output"
expect_match "--bind :ro is read-only" '^ro-bind: read-only$' "$output"
expect_match "overlay with --upper is writable" '^root: writable$' "$output"
expect_eq "overlay writes go to --upper" yes "$([ -e "$base/layers/upper/written" ] && echo yes)"
expect_match "--tmpfs SIZE sets the size" '^tmpfs: 1024$' "$output"

output=$("$vcontext" create --root "$root" --foreground --shm-size 2m -- /bin/sh -c '
    echo "shm: $(df -k /dev/shm | awk "NR == 2 {print \$2}")"
    dd if=/dev/zero of=/dev/shm/fill bs=1M count=3 2>&1 | grep -o "No space left on device"')
expect_match "--shm-size sets the size of /dev/shm" '^shm: 2048$' "$output"
expect_match "a write beyond --shm-size fails with ENOSPC" '^No space left on device$' "$output"
output=$("$vcontext" create --root "$root" --foreground -- /bin/sh -c 'grep " /dev/shm " /proc/mounts')
expect_match "/dev/shm is a tmpfs" '^shm /dev/shm tmpfs ' "$output"
expect_no_match "/dev/shm has no size option without --shm-size" 'size=' "$output"
"$vcontext" create --root "$root" --foreground --shm-size 0 -- /bin/true 2>"$base/stderr"
expect_match "--shm-size rejects 0" '^vcontext: parse 0: invalid --shm-size, expected bytes greater than 0' \
    "$(cat "$base/stderr")"

escape_name=vserver-test-smoke-escape-$$
"$vcontext" create --root "$root" --foreground --bind "$base/share:/up/$escape_name" -- /bin/true
expect_eq "a --bind target below a .. symlink stays in the root" yes \
    "$([ -d "$root/$escape_name" ] && [ ! -e "/$escape_name" ] && echo yes)"
"$vcontext" create --root "$root" --foreground --bind "$base/share:/escape/inside" -- /bin/true 2>"$base/stderr"
expect_match "a --bind target below a dangling symlink fails" \
    "^vcontext: mkdir $root/escape/inside: No such file or directory \\(ENOENT\\)$" "$(cat "$base/stderr")"
expect_eq "a --bind target below an absolute symlink stays in the root" "" "$(ls -A "$base/host-target")"

output=$("$vcontext" create --root "$base/overlay-root" --lower "$root" --foreground -- /bin/sh -c \
    'touch /x 2>/dev/null && echo "root: writable" || echo "root: read-only"')
expect_match "one --lower without --upper is read-only" '^root: read-only$' "$output"

# ---- detached guest: status lines, cgroups, enter, exit.json ----

cgroup_options=()
for dir in "${cgroup_dirs[@]}"; do
    cgroup_options+=(--cgroup "$dir/guest")
done
status=$("$vcontext" create --root "$root" --name smoke2 --run-dir "$base/run" "${cgroup_options[@]}" \
    -- /bin/sh -c 'echo started; sleep 30')
guest=$(pid_of "$status")
[ -n "$guest" ] && guests+=("$guest")
expect_match "create writes the pid line" '^\{"event":"pid","pid":[0-9]+,"monitor":[0-9]+\}$' "$status"
expect_match "create writes the exec line" "^\\{\"event\":\"exec\",\"pid\":$guest\\}$" "$status"
for dir in "${cgroup_dirs[@]}"; do
    expect_match "--cgroup places the guest in $dir" "^$guest$" "$(cat "$dir/guest/cgroup.procs")"
done
wait_until 5 grep -q started "$base/run/console.log"
expect_eq "the console log gets the guest's output" started "$(cat "$base/run/console.log")"

"$vcontext" enter --pid "$guest" -- /bin/sleep 3 &
enter_pid=$!
wait_until 5 grep -qx "$enter_pid" "${cgroup_dirs[0]}/guest/cgroup.procs"
output=$("$vcontext" enter --pid "$guest" -- /bin/ps -o pid,comm)
expect_match "the guest init is pid 1 for an entered command" '^ +1 sleep$' "$output"
expect_match "an entered command shows in the guest's ps" '^ +2 sleep$' "$output"
procs=$(cat "${cgroup_dirs[0]}/guest/cgroup.procs")
expect_match "enter joins the guest's cgroup" "^$enter_pid$" "$procs"
expect_eq "the entered command is in the guest's cgroup too" 3 "$(wc -l <<<"$procs")"
kill -TERM "$enter_pid"
wait "$enter_pid"
expect_eq "enter forwards SIGTERM and exits 128+15" 143 "$?"

output=$("$vcontext" enter --pid "$guest" --env A=b -- /bin/sh -c '
    echo "fds: $(ls /proc/self/fd | tr "\n" " ")"
    echo "hostname: $(hostname)"
    echo "cgroup: $(grep -c ":/$" /proc/self/cgroup) of $(wc -l </proc/self/cgroup)"
    echo "env: $(env | grep -v -e ^PWD= -e ^SHLVL= | sort | tr "\n" " ")"
    grep -E "^(CapBnd|Seccomp):" /proc/self/status
    seccomp-probe keyctl
    exit 6')
code=$?
expect_eq "enter exits with the command's exit code" 6 "$code"
expect_match "caller's fd 7 is closed in an entered command" '^fds: 0 1 2 3 $' "$output"
expect_match "enter joins the UTS namespace" '^hostname: smoke2$' "$output"
expect_match "enter joins the cgroup namespace" '^cgroup: ([0-9]+) of \1$' "$output"
expect_match "enter gets only --env and PATH" \
    '^env: A=b PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin $' "$output"
expect_match "enter copies the guest's bounding set" "^CapBnd:[[:space:]]+$own_bounding$" "$output"
expect_match "enter copies the guest's seccomp filter" '^Seccomp:[[:space:]]+2$' "$output"
expect_match "the entered command's filter rejects keyctl" '^keyctl EPERM$' "$output"
output=$("$vcontext" enter --pid "$guest" --seccomp unconfined -- /bin/grep '^Seccomp:' /proc/self/status)
expect_match "enter --seccomp unconfined overrides the copy" "$host_seccomp" "$output"

"$vcontext" enter --pid "$guest" -- /bin/missing 2>/dev/null
expect_eq "enter of a missing command exits 127" 127 "$?"

# A pid 1 without a SIGTERM handler ignores SIGTERM, so the guest is killed.
kill -KILL "$guest"
wait_until 5 test -e "$base/run/exit.json" || not_ok "exit.json is written" "missing: $base/run/exit.json"
expect_match "exit.json records the signal" "^\\{\"pid\":$guest,\"signal\":9,\"exitedAt\":[0-9]{13}\\}$" \
    "$(cat "$base/run/exit.json")"

"$vcontext" create --root "$root" --run-dir "$base/run" -- /bin/sh -c 'exit 7' >/dev/null
wait_until 5 grep -qs exitCode "$base/run/exit.json"
expect_match "exit.json records the exit code" '^\{"pid":[0-9]+,"exitCode":7,"exitedAt":[0-9]{13}\}$' \
    "$(cat "$base/run/exit.json")"

# ---- sync ----

status=$(echo go | "$vcontext" create --root "$root" --sync --run-dir "$base/run" -- /bin/true)
expect_match "--sync continues after go" '^\{"event":"exec","pid":[0-9]+\}$' "$status"

status=$(echo stop | "$vcontext" create --root "$root" --sync -- /bin/true 2>"$base/stderr")
expect_match "--sync aborts on another line" \
    '^\{"event":"error","step":"abort","object":"stop","errno":125,"errname":"ECANCELED",' "$status"
child=$(pid_of "$status")
wait_until 5 process_gone "$child"
expect_eq "an aborted guest is gone" yes "$(process_gone "$child" && echo yes)"

status=$("$vcontext" create --root "$root" --sync -- /bin/true </dev/null 2>/dev/null)
expect_match "--sync aborts on end of file" '"step":"abort","object":"fd 0"' "$status"

# Starts "vcontext create --sync ARG..." whose sync fd stays open (the fifo's only
# writer is fd 8 of this shell) and whose status lines go to $base/sync-status.
start_held_sync() {
    rm -f "$base/sync" "$base/sync-status"
    mkfifo "$base/sync"
    exec 8<>"$base/sync"
    "$vcontext" create --sync "$@" <"$base/sync" >"$base/sync-status" 2>/dev/null
}

has_error_line() {
    grep -q '"event":"error"' "$base/sync-status"
}

process_state() {
    awk '{print $3}' "/proc/$1/stat" 2>/dev/null
}

start_held_sync --root "$base/missing" -- /bin/true
wait_until 5 has_error_line
status=$(cat "$base/sync-status")
expect_match "--sync reports a setup failure before go" \
    '^\{"event":"error","step":"mount","object":"[^"]*/missing","errno":2,"errname":"ENOENT",' "$status"
child=$(pid_of "$status")
# The init may still be exiting when its failure is reported.
wait_until 5 test "$(process_state "$child")" = Z
sleep 0.2
expect_eq "a failed init stays a zombie until the sync line" Z "$(process_state "$child")"
exec 8>&-
wait_until 5 test ! -e "/proc/$child"
expect_eq "the failed init is reaped at end of file" no "$(test -e "/proc/$child" && echo yes || echo no)"
expect_eq "a setup failure gives one error line" 1 "$(grep -c '"event":"error"' "$base/sync-status")"

start_held_sync --root "$root" -- /bin/true
wait_until 5 grep -q '"event":"pid"' "$base/sync-status"
child=$(pid_of "$(cat "$base/sync-status")")
kill -KILL "$child"
wait_until 5 has_error_line
expect_match "an init killed before exec is an exec error" \
    '^\{"event":"error","step":"exec","object":"/bin/true","errno":3,"errname":"ESRCH","message":"the guest init was killed by signal 9 before it executed INIT"\}$' \
    "$(cat "$base/sync-status")"
exec 8>&-
monitor=$(monitor_of "$(cat "$base/sync-status")")
wait_until 5 process_gone "$monitor"
expect_eq "the monitor of a killed init ends" yes "$(process_gone "$monitor" && echo yes)"

# ---- failures ----

check_failure() {
    local name=$1 expected_text=$2 expected_json=$3
    shift 3
    local status
    status=$("$vcontext" create "$@" 2>"$base/stderr")
    expect_match "$name: text on stderr" "$expected_text" "$(cat "$base/stderr")"
    expect_match "$name: JSON error line" "$expected_json" "$status"
    local child monitor
    child=$(pid_of "$status")
    monitor=$(monitor_of "$status")
    if [ -n "$child" ]; then
        wait_until 5 process_gone "$child"
        wait_until 5 process_gone "$monitor"
        expect_eq "$name: no guest or monitor left" yes \
            "$(process_gone "$child" && process_gone "$monitor" && echo yes)"
    fi
    expect_eq "$name: no guest or vcontext process left" "" "$(leftover_processes)"
    expect_eq "$name: no mount left" "$mounts_before" "$(host_mounts_of_base)"
    expect_eq "$name: cgroup left empty" "" "$(cat "${cgroup_dirs[0]}/guest/cgroup.procs")"
}

check_failure "missing root" \
    "^vcontext: mount $base/missing: No such file or directory \\(ENOENT\\)$" \
    "^\\{\"event\":\"error\",\"step\":\"mount\",\"object\":\"$base/missing\",\"errno\":2,\"errname\":\"ENOENT\",\"message\":\"No such file or directory\"\\}$" \
    --root "$base/missing" "${cgroup_options[@]}" -- /bin/true
check_failure "missing lower" \
    "^vcontext: mount $base/no-layer: No such file or directory \\(ENOENT\\)$" \
    '"step":"mount","object":"[^"]*/no-layer","errno":2,"errname":"ENOENT"' \
    --root "$base/overlay-root" --lower "$base/no-layer" "${cgroup_options[@]}" -- /bin/true
check_failure "unknown capability" \
    '^vcontext: parse cap_bogus: unknown capability in --cap-bounding.* \(EINVAL\)$' \
    '^\{"event":"error","step":"parse","object":"cap_bogus","errno":22,"errname":"EINVAL",' \
    --root "$root" --cap-bounding chown,cap_bogus -- /bin/true
check_failure "unknown option" \
    '^vcontext: parse --bogus: unknown option.* \(EINVAL\)$' \
    '^\{"event":"error","step":"parse","object":"--bogus","errno":22,' \
    --root "$root" --bogus -- /bin/true
check_failure "missing init" \
    '^vcontext: exec /bin/missing: No such file or directory \(ENOENT\)$' \
    '"step":"exec","object":"/bin/missing","errno":2,' \
    --root "$root" "${cgroup_options[@]}" -- /bin/missing

# A cgroup v1 cpuset without CPUs rejects every task, so the init's own move into it fails.
cpuset_mount=$(cgroup_mount cpuset)
if [ -n "$cpuset_mount" ]; then
    cpuset_dir=$cpuset_mount/vserver-test-smoke-$$
    mkdir -p "$cpuset_dir/empty" && cgroup_dirs+=("$cpuset_dir")
    check_failure "cgroup v1 move of the init" \
        "^vcontext: cgroup $cpuset_dir/empty/tasks: No space left on device \\(ENOSPC\\)$" \
        '^\{"event":"error","step":"cgroup","object":"[^"]*/empty/tasks","errno":28,"errname":"ENOSPC",' \
        --root "$root" "${cgroup_options[@]}" --cgroup "$cpuset_dir/empty" -- /bin/true
fi

"$vcontext" create --root "$base/missing" --foreground -- /bin/true 2>/dev/null
expect_eq "foreground failure exits 125" 125 "$?"
"$vcontext" create --root "$root" --foreground -- /bin/missing 2>/dev/null
expect_eq "foreground missing init exits 127" 127 "$?"
output=$("$vcontext" enter --pid 999999999 --status-fd 1 -- /bin/true 2>"$base/stderr")
expect_eq "enter of a missing pid exits 125" 125 "$?"
expect_match "enter failure text names setns and the errno" \
    '^vcontext: setns /proc/999999999: No such process \(ESRCH\)$' "$(cat "$base/stderr")"
expect_match "enter failure JSON on --status-fd" '^\{"event":"error","step":"setns",' "$output"

echo "$passed passed, 0 failed"
