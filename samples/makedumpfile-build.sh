#!/usr/bin/env bash
# Builds makedumpfile with LZO, snappy (-p) and zstd (-z) page compression, which Debian's
# package (1.7.2, snappy and zstd disabled) lacks, and installs only the binary:
#   samples/makedumpfile-build.sh DIR    -> DIR/makedumpfile
# Does nothing when DIR/makedumpfile already reports snappy and zstd enabled.
# makedumpfile (GPL-2.0) is only built and run here as a tool; none of its code is kept.
# Source, first that works:
#   1. git: the pinned release tag, from $MAKEDUMPFILE_GIT (a URL, or a local clone) if set,
#      then from GitHub; the tag must resolve to the pinned commit.
#   2. Debian: the pinned .orig.tar.gz from deb.debian.org, checked against its sha256.
# Every failure ends with one line "makedumpfile-build.sh: WHY" on stderr and a non-zero exit.
set -euo pipefail

die() { echo "makedumpfile-build.sh: $1" >&2; exit 1; }

git_tag=1.7.9
git_commit=eb42d6330b275ba344ca170286480917450d7f73
git_upstream=https://github.com/makedumpfile/makedumpfile
deb_version=1.7.2
deb_orig_sha256=748583ea4c0b32346008aa53b313e9708f60a8481959c25c76e5c94740032d9b
deb_orig_url=https://deb.debian.org/debian/pool/main/m/makedumpfile/makedumpfile_${deb_version}.orig.tar.gz

build_packages=(gcc make libc6-dev libsnappy-dev libzstd-dev libelf-dev libdw-dev libbz2-dev liblzo2-dev zlib1g-dev)

dir=${1:?usage: makedumpfile-build.sh DIR}
bin=$dir/makedumpfile

# True when BINARY's -h says both snappy and zstd support are enabled.
has_snappy_and_zstd() {
	"$1" -h 2>&1 | awk '
		/^snappy support:/ { want = "snappy"; next }
		/^zstd support:/ { want = "zstd"; next }
		want != "" { if ($1 == "enabled") ok[want] = 1; want = "" }
		END { exit !(ok["snappy"] && ok["zstd"]) }'
}

[ -x "$bin" ] && has_snappy_and_zstd "$bin" && exit 0

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif sudo -n true 2>/dev/null; then
		sudo -n "$@"
	else
		return 126
	fi
}

apt_updated_once() {
	local stamp=/var/lib/apt/periodic/kdive-lab-update
	if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +720 2>/dev/null)" ]; then
		as_root apt-get update -q >/dev/null 2>&1 || die "apt-get update failed (not root and no sudo -n, or no route to Debian's archive)"
		as_root mkdir -p "$(dirname "$stamp")" && as_root touch "$stamp"
	fi
}

ensure_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null \
		|| die "install build dependencies: needs root or passwordless sudo (or install: ${missing[*]})"
	apt_updated_once
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
		|| die "install build dependencies: apt-get install ${missing[*]} failed"
}

command -v dpkg-query >/dev/null || die "needs a Debian-like system (dpkg-query not found)"
ensure_packages "${build_packages[@]}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Clones the pinned tag from URL into $tmp/src; fails quietly.
from_git() {
	local url=$1
	command -v git >/dev/null || return 1
	[ -d "$url" ] && url=file://$(cd "$url" && pwd)
	rm -rf "$tmp/src"
	GIT_TERMINAL_PROMPT=0 timeout 300 git clone -q -c advice.detachedHead=false --depth 1 \
		--branch "$git_tag" "$url" "$tmp/src" >/dev/null 2>&1 || return 1
	[ "$(git -C "$tmp/src" rev-parse HEAD)" = "$git_commit" ] \
		|| die "git: tag $git_tag at $url is not commit $git_commit"
	version=$git_tag
}

# Unpacks Debian's pinned upstream tarball into $tmp/src; fails quietly.
from_debian() {
	command -v curl >/dev/null || return 1
	curl -fsSL --retry 2 -m 300 -o "$tmp/orig.tar.gz" "$deb_orig_url" 2>/dev/null || return 1
	echo "$deb_orig_sha256  $tmp/orig.tar.gz" | sha256sum -c --quiet - >/dev/null 2>&1 \
		|| die "debian: $deb_orig_url does not match its pinned sha256"
	rm -rf "$tmp/src" && mkdir "$tmp/src"
	tar -xzf "$tmp/orig.tar.gz" -C "$tmp/src" --strip-components=1 || die "debian: cannot unpack $deb_orig_url"
	version=$deb_version
}

# Without network access to GitHub, a local clone works too; the development machines keep one
# in the tool library's mirror.
if [ -z "${MAKEDUMPFILE_GIT:-}" ] && [ -d /work/.mirror/makedumpfile+makedumpfile/repo ]; then
	MAKEDUMPFILE_GIT=/work/.mirror/makedumpfile+makedumpfile/repo
fi

version=
{ [ -n "${MAKEDUMPFILE_GIT:-}" ] && from_git "$MAKEDUMPFILE_GIT"; } \
	|| from_git "$git_upstream" \
	|| from_debian \
	|| die "no source: git clone of tag $git_tag failed${MAKEDUMPFILE_GIT:+ from $MAKEDUMPFILE_GIT and} from $git_upstream, and $deb_orig_url could not be downloaded (set MAKEDUMPFILE_GIT to a local clone)"

make -C "$tmp/src" -j"$(nproc)" LINKTYPE=dynamic USELZO=on USESNAPPY=on USEZSTD=on makedumpfile \
	>"$tmp/build.log" 2>&1 \
	|| { tail -n 20 "$tmp/build.log" >&2; die "make failed building makedumpfile $version"; }
has_snappy_and_zstd "$tmp/src/makedumpfile" || die "built makedumpfile $version does not report snappy and zstd enabled"

mkdir -p "$dir"
install -m 0755 "$tmp/src/makedumpfile" "$bin.tmp" && mv -f "$bin.tmp" "$bin" || die "cannot install $bin"
