#!/usr/bin/env bash
# The reference crash for one Debian suite's kernels, the crash a kdump user of that release runs:
#   samples/crash-tools.sh DIR SUITE
#     -> this machine's suite: crash from PATH (Debian's package; ./kdive test installs it)
#     -> another suite: DIR/crash-SUITE, a wrapper running that suite's crash package under that
#        suite's own unpacked ld.so and libraries (bookworm's crash 8.0.2 predates 6.12 and stops
#        on trixie's kernel; trixie's 8.0.6 needs glibc 2.38), fetched with a private apt
#        configuration (samples/apt-suite.sh), the machine's apt setup untouched
# Prints "crash OK PATH" or "crash MISSING WHY". crash (GPL-3.0) is only run here as a tool.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=apt-suite.sh
source "$here/apt-suite.sh"

dir=${1:?usage: crash-tools.sh DIR SUITE}
suite=${2:?usage: crash-tools.sh DIR SUITE}
mkdir -p "$dir"

if [ "$suite" = "$(machine_codename)" ]; then
	command -v crash >/dev/null 2>&1 || { echo "crash MISSING crash is not installed (apt-get install crash)"; exit 1; }
	echo "crash OK $(command -v crash)"
	exit 0
fi

bin=$dir/crash-$suite
[ -x "$bin" ] && "$bin" --version >/dev/null 2>&1 && { echo "crash OK $bin"; exit 0; }
conf=$(apt_suite "$suite" "$dir/apt/$suite" 2>/dev/null) || { echo "crash MISSING no apt sources for $suite can be derived here"; exit 1; }
apt_suite_update "$conf" 2>/dev/null || { echo "crash MISSING apt-get update for $suite failed"; exit 1; }
tmp=$(mktemp -d "$dir/.crash-$suite.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# crash and the libraries it links (its Depends), libc6 for the ld.so they were built against
pkgs=$(APT_CONFIG=$conf apt-cache show crash 2>/dev/null | sed -n 's/^Depends: //p' | head -n1 | tr ',' '\n' \
	| sed -n 's/^ *\(lib[^ (|]*\).*/\1/p' | sort -u)
[ -n "$pkgs" ] || { echo "crash MISSING $suite has no crash package"; exit 1; }
(cd "$tmp" && APT_CONFIG=$conf apt-get download -q crash $pkgs >/dev/null 2>&1) \
	|| { echo "crash MISSING apt-get download of $suite's crash and its libraries failed"; exit 1; }
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$tmp/root" || { echo "crash MISSING dpkg-deb -x $deb failed"; exit 1; }
done
root=$bin.root
rm -rf "$root" && mv "$tmp/root" "$root"
lib=$root/usr/lib/x86_64-linux-gnu
printf '#!/bin/sh\nexec %s --library-path %s %s "$@"\n' "$lib/ld-linux-x86-64.so.2" "$lib" "$root/usr/bin/crash" >"$bin.tmp"
chmod +x "$bin.tmp" && mv -f "$bin.tmp" "$bin"
"$bin" --version >/dev/null 2>&1 || { echo "crash MISSING $suite's crash does not start here"; exit 1; }
(cd "$tmp" && ls crash_*.deb) >"$bin.from"
echo "crash OK $bin"
