#!/usr/bin/env bash
# Builds the vcontext launcher: bash build.sh OUTDIR produces OUTDIR/vcontext.
# Links statically (glibc's libc.a from libc6-dev), so the binary runs inside
# any guest root; falls back to dynamic linking with a warning when it cannot.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: bash build.sh OUTDIR" >&2
    exit 2
fi
out_dir=$1
source_dir=$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
cc=${CC:-gcc}

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "build.sh: gcc not found: install the Debian package gcc" >&2
    exit 1
fi

# Every system header the sources include, with the Debian package that provides it.
headers=(
    "linux/audit.h linux-libc-dev"
    "linux/capability.h linux-libc-dev"
    "linux/filter.h linux-libc-dev"
    "linux/landlock.h linux-libc-dev"
    "linux/mount.h linux-libc-dev"
    "linux/openat2.h linux-libc-dev"
    "linux/sched.h linux-libc-dev"
    "linux/seccomp.h linux-libc-dev"
    "sys/mount.h libc6-dev"
    "sys/prctl.h libc6-dev"
    "sys/syscall.h libc6-dev"
    "net/if.h libc6-dev"
)
probe=""
for entry in "${headers[@]}"; do
    probe+="#include <${entry%% *}>"$'\n'
done
if ! printf '%s' "$probe" | "$cc" -E -x c - -o /dev/null 2>/dev/null; then
    for entry in "${headers[@]}"; do
        header=${entry%% *}
        package=${entry##* }
        if ! printf '#include <%s>\n' "$header" | "$cc" -E -x c - -o /dev/null 2>/dev/null; then
            echo "build.sh: header <$header> not found: install the Debian package $package" >&2
            exit 1
        fi
    done
fi

# Nothing to do when the binary is newer than every source file and this script.
if [ -x "$out_dir/vcontext" ] &&
    [ -z "$(find "$source_dir" -maxdepth 1 \( -name '*.[ch]' -o -name build.sh \) -newer "$out_dir/vcontext")" ]; then
    exit 0
fi

# Objects go to a temporary directory, so OUTDIR (packaged into the bundle) holds only the binary.
mkdir -p "$out_dir"
object_dir=$(mktemp -d "${TMPDIR:-/tmp}/vcontext-build.XXXXXX")
trap 'rm -rf "$object_dir"' EXIT
cflags=(-std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE)
objects=()
for source in "$source_dir"/*.c; do
    object="$object_dir/$(basename "${source%.c}").o"
    "$cc" "${cflags[@]}" -c "$source" -o "$object"
    objects+=("$object")
done

if ! "$cc" -static -o "$out_dir/vcontext" "${objects[@]}" 2>"$object_dir/static-link.log"; then
    echo "build.sh: WARNING: static linking failed (is libc6-dev's libc.a installed?)," \
         "linking dynamically, so the binary needs the host's libc. Linker output:" >&2
    cat "$object_dir/static-link.log" >&2
    "$cc" -o "$out_dir/vcontext" "${objects[@]}"
fi
