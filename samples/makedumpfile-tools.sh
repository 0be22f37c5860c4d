#!/usr/bin/env bash
# The makedumpfiles the lab needs beside Debian's own (bookworm's 1.7.2 has neither zstd nor
# snappy compiled in):
#   samples/makedumpfile-tools.sh DIR [SUITE]
#     -> DIR/makedumpfile-zstd:   the first Debian suite's makedumpfile (this machine's, then
#        newer ones) whose own -h says zstd is enabled and that runs here, unpacked from its
#        package with a private apt configuration (samples/apt-suite.sh)
#     -> DIR/makedumpfile-snappy: built from a local makedumpfile clone named by
#        $MAKEDUMPFILE_GIT, when set (no Debian build enables snappy, and this archive serves
#        no source tarballs)
#     -> DIR/makedumpfile-SUITE:  with SUITE other than this machine's, that suite's own
#        makedumpfile, for the -d 31 dumps of its kernels: a kdump user of that release has it,
#        and bookworm's 1.7.2 drops slab pages in use on 6.12 (it predates 6.12's page types)
# Prints one line per tool, "zstd OK PATH", "snappy MISSING WHY", "suite OK PATH"; exits 0 when
# the zstd one is there. makedumpfile (GPL-2.0) is only run here as a tool; none of its code is kept.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=apt-suite.sh
source "$here/apt-suite.sh"

dir=${1:?usage: makedumpfile-tools.sh DIR}
mkdir -p "$dir"

# True when BINARY runs here and its -h says COMPRESSION (zstd, snappy) support is enabled.
supports() {
	"$1" -h 2>&1 | awk -v want="$2" '
		tolower($0) ~ "^" want " support:" { next_is = 1; next }
		next_is { ok = ($1 == "enabled"); next_is = 0 }
		END { exit !ok }'
}

# Unpacks SUITE's makedumpfile package into TMP/SUITE/root; prints the binary's path.
suite_package() {
	local suite=$1 tmp=$2 conf deb
	conf=$(apt_suite "$suite" "$dir/apt/$suite" 2>/dev/null) || return 1
	apt_suite_update "$conf" 2>/dev/null || return 1
	rm -rf "${tmp:?}/$suite" && mkdir -p "$tmp/$suite"
	(cd "$tmp/$suite" && APT_CONFIG=$conf apt-get download -q makedumpfile >/dev/null 2>&1) || return 1
	deb=$(ls "$tmp/$suite"/makedumpfile_*.deb 2>/dev/null | head -n1)
	[ -n "$deb" ] && dpkg-deb -x "$deb" "$tmp/$suite/root" 2>/dev/null || return 1
	echo "$suite $(basename "$deb")" >"$tmp/$suite/from"
	echo "$tmp/$suite/root/usr/bin/makedumpfile"
}

suite_tool() {
	local suite=$1 bin=$dir/makedumpfile-$1 tmp m
	[ -x "$bin" ] && "$bin" -v >/dev/null 2>&1 && { echo "suite OK $bin"; return 0; }
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	m=$(suite_package "$suite" "$tmp") || { echo "suite MISSING $suite's makedumpfile package cannot be fetched"; return 1; }
	"$m" -v >/dev/null 2>&1 || { echo "suite MISSING $suite's makedumpfile does not run here (a newer glibc?)"; return 1; }
	install -m 0755 "$m" "$bin.tmp" && mv -f "$bin.tmp" "$bin" && cp "$tmp/$suite/from" "$bin.from"
	echo "suite OK $bin"
}

zstd_tool() {
	local bin=$dir/makedumpfile-zstd suite tmp m
	[ -x "$bin" ] && supports "$bin" zstd && { echo "zstd OK $bin"; return 0; }
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	for suite in "$(machine_codename)" trixie sid; do
		m=$(suite_package "$suite" "$tmp") || continue
		if supports "$m" zstd; then
			install -m 0755 "$m" "$bin.tmp" && mv -f "$bin.tmp" "$bin"
			cp "$tmp/$suite/from" "$bin.from"
			echo "zstd OK $bin"
			return 0
		fi
	done
	echo "zstd MISSING no Debian suite's makedumpfile package (bookworm, trixie, sid) runs here with zstd enabled"
	return 1
}

snappy_tool() {
	local bin=$dir/makedumpfile-snappy src
	[ -x "$bin" ] && supports "$bin" snappy && { echo "snappy OK $bin"; return 0; }
	[ -n "${MAKEDUMPFILE_GIT:-}" ] && [ -d "$MAKEDUMPFILE_GIT" ] \
		|| { echo "snappy MISSING no Debian build of makedumpfile enables snappy; set MAKEDUMPFILE_GIT to a local makedumpfile clone to build one"; return 1; }
	for p in gcc make libc6-dev libsnappy-dev libzstd-dev libelf-dev libdw-dev libbz2-dev liblzo2-dev zlib1g-dev; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' && continue
		[ "$(id -u)" = 0 ] || { echo "snappy MISSING build dependency $p is not installed (needs root)"; return 1; }
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$p" >/dev/null 2>&1 \
			|| { echo "snappy MISSING apt-get install $p failed"; return 1; }
	done
	src=$(mktemp -d)
	trap 'rm -rf "$src"' RETURN
	git clone -q "$MAKEDUMPFILE_GIT" "$src/m" >/dev/null 2>&1 || { echo "snappy MISSING git clone of $MAKEDUMPFILE_GIT failed"; return 1; }
	make -C "$src/m" -j"$(nproc)" LINKTYPE=dynamic USELZO=on USESNAPPY=on USEZSTD=on makedumpfile >"$src/build.log" 2>&1 \
		|| { echo "snappy MISSING make failed in $MAKEDUMPFILE_GIT: $(tail -n1 "$src/build.log")"; return 1; }
	supports "$src/m/makedumpfile" snappy || { echo "snappy MISSING the build from $MAKEDUMPFILE_GIT has snappy disabled"; return 1; }
	install -m 0755 "$src/m/makedumpfile" "$bin.tmp" && mv -f "$bin.tmp" "$bin"
	echo "snappy OK $bin"
}

status=0
zstd_tool || status=1
snappy_tool || true
if [ -n "${2:-}" ] && [ "$2" != "$(machine_codename)" ]; then
	suite_tool "$2" || true
fi
exit $status
