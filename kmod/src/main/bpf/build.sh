#!/usr/bin/env bash
# Builds the chbind BPF object: bash build.sh OUTDIR produces OUTDIR/chbind.bpf.o.
# Needs clang with the BPF target, the kernel uapi headers and the libbpf headers
# (<bpf/bpf_helpers.h>); no vmlinux.h, because sock_addr programs use only uapi types.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: bash build.sh OUTDIR" >&2
    exit 2
fi
out_dir=$1
source_dir=$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
clang=${CLANG:-clang}

if ! command -v "$clang" >/dev/null 2>&1; then
    echo "build.sh: clang not found: install the Debian packages clang and llvm" >&2
    exit 1
fi
if ! "$clang" -print-targets 2>/dev/null | grep -qw bpf; then
    echo "build.sh: $clang has no BPF target: install the Debian packages clang and llvm" >&2
    exit 1
fi

# The uapi headers include <asm/types.h>, which Debian keeps in the multiarch directory.
multiarch=$(gcc -dumpmachine 2>/dev/null || "$clang" -dumpmachine)
include_flags=(-I"/usr/include/$multiarch")

# Every header the program includes, with the Debian package that provides it.
headers=(
    "linux/bpf.h linux-libc-dev"
    "linux/in6.h linux-libc-dev"
    "bpf/bpf_helpers.h libbpf-dev"
    "bpf/bpf_endian.h libbpf-dev"
)
for entry in "${headers[@]}"; do
    header=${entry%% *}
    package=${entry##* }
    if ! printf '#include <%s>\n' "$header" \
            | "$clang" -target bpf "${include_flags[@]}" -E -x c - -o /dev/null 2>/dev/null; then
        echo "build.sh: header <$header> not found: install the Debian package $package" >&2
        exit 1
    fi
done

mkdir -p "$out_dir"
"$clang" -O2 -g -Wall -Werror -target bpf "${include_flags[@]}" \
    -c "$source_dir/chbind.bpf.c" -o "$out_dir/chbind.bpf.o"
