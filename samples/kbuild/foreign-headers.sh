#!/usr/bin/env bash
# foreign-headers.sh ROOT ABI: make another suite's headers, unpacked with dpkg -x into ROOT, usable here.
#  1. the headers' Makefile includes /usr/src/linux-headers-<ver>-common/Makefile (and on 7.x sets
#     KBUILD_OUTPUT to its own /usr/src path): point them at ROOT's copies;
#  2. kbuild host binaries built against glibc 2.38+ are moved to NAME.bin and replaced by a shell
#     wrapper that runs them under trixie's unpacked ld-linux-x86-64.so.2 (the ELF multiplexers
#     objtool/modpost exec NAME.real-ARCH by path, so the wrapper must sit at the real path).
set -euo pipefail
root=$(cd "$1" && pwd) abi=$2
hdr=$root/usr/src/linux-headers-$abi
common=$(sed -n 's|^include /usr/src/\(linux-headers-.*-common\)/Makefile$|\1|p' "$hdr/Makefile")
if [ -n "$common" ]; then
	sed -i "s|^include /usr/src/$common/Makefile|include $root/usr/src/$common/Makefile|" "$hdr/Makefile"
fi
# 7.x's headers also name their own directory as the build output (KBUILD_OUTPUT=/usr/src/linux-headers-ABI)
sed -i "s|^KBUILD_OUTPUT=/usr/src/linux-headers-$abi\$|KBUILD_OUTPUT=$hdr|" "$hdr/Makefile"
ldso=$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
libpath=$root/usr/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu
kbuild=$(readlink -f "$hdr/scripts/..")
host_glibc=$(ldd --version | awk 'NR==1{print $NF}')
find "$kbuild" -type f -perm -u+x ! -name '*.bin' | while read -r f; do
	file -b "$f" | grep -q '^ELF' || continue
	need=$(objdump -T "$f" 2>/dev/null | grep -o 'GLIBC_2\.[0-9]*' | sort -V | tail -n1 | sed 's/GLIBC_//')
	[ -n "$need" ] || continue
	if [ "$(printf '%s\n%s\n' "$need" "$host_glibc" | sort -V | tail -n1)" != "$host_glibc" ]; then
		mv "$f" "$f.bin"
		printf '#!/bin/sh\nexec %s --library-path %s %s "$@"\n' "$ldso" "$libpath" "$f.bin" >"$f"
		chmod +x "$f"
		echo "wrapped ${f#$root/} (needs GLIBC_$need)"
	fi
done
