#!/usr/bin/env bash
# The kdive lab's host side: everything before QEMU boots. kdive-lab (Java) calls
#   samples/lab.sh release             -> prints the ABI of Debian's current amd64 kernel
#   samples/lab.sh prepare DIR         -> DIR/{vmlinuz,System.map,config,initramfs.cpio.gz,kdive_lab.ko,release,suite}
#   samples/lab.sh debuginfo DIR       -> DIR/vmlinux (from the -dbg package, vmlinux only)
# KDIVE_LAB_KERNEL picks the kernel: empty (this machine's suite), a suite name (bookworm,
# trixie, sid, bullseye: its current linux-image-amd64) or an ABI (6.1.0-57-amd64). Another
# suite's packages come through a private apt configuration under $KDIVE_LAB_ROOT/apt
# (samples/apt-suite.sh); the machine's apt setup is never changed.
# Every failure ends with one line "lab.sh: STEP: WHY" on stderr and a non-zero exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=apt-suite.sh
source "$here/apt-suite.sh"
selection=${KDIVE_LAB_KERNEL:-}
lab_root=${KDIVE_LAB_ROOT:-${HOME}/.cache/kdive/lab}
own_suite=$(machine_codename)

die() { echo "lab.sh: $1" >&2; exit 1; }

need_root_for() {
	[ "$(id -u)" = 0 ] || die "$1: needs root for apt-get (run as root, or install: $2)"
}

# Packages the lab needs on the host; installed only when missing.
host_packages=(qemu-system-x86 busybox-static makedumpfile cpio kmod gcc make libc6-dev libzydis4.0
	python3 bpftool zstd xz-utils file binutils)

ensure_packages() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	need_root_for "install packages" "${missing[*]}"
	echo "lab.sh: installing ${missing[*]}" >&2
	apt_updated_once
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 \
		|| die "install packages: apt-get install ${missing[*]} failed"
}

apt_updated_once() {
	local stamp=/var/lib/apt/periodic/kdive-lab-update
	if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +720 2>/dev/null)" ]; then
		apt-get update -q >&2 || die "apt-get update failed (no route to Debian's archive?)"
		mkdir -p "$(dirname "$stamp")" && touch "$stamp"
	fi
}

# apt-get/apt-cache for SUITE: the machine's own configuration for its own suite, else a private one.
apt_in() {
	local suite=$1 conf
	shift
	if [ "$suite" = "$own_suite" ]; then
		"$@"
	else
		conf=$(apt_suite "$suite" "$lab_root/apt/$suite") || die "apt for $suite: cannot derive its sources from this machine's"
		apt_suite_update "$conf" || die "apt for $suite: apt-get update failed (does Debian's archive serve $suite?)"
		APT_CONFIG=$conf "$@"
	fi
}

# The suite the selection's kernel comes from.
suite() {
	case "$selection" in
	"") echo "$own_suite" ;;
	[0-9]*)
		local s
		for s in "$own_suite" trixie sid bullseye; do
			[ "$s" = "$own_suite" ] && [ "$(id -u)" = 0 ] && apt_updated_once
			if apt_in "$s" apt-cache show "linux-image-$selection" >/dev/null 2>&1; then
				echo "$s"
				return 0
			fi
		done
		die "find kernel $selection: no suite (${own_suite}, trixie, sid, bullseye) has linux-image-$selection"
		;;
	*) echo "$selection" ;;
	esac
}

# The ABI (uname -r) of the selected kernel: for a suite, the dependency of apt's candidate
# linux-image-amd64 (after a fresh enough apt-get update), not the first "Depends" line of
# apt-cache depends, which may belong to an older version in another suite.
release() {
	local suite cand dep
	case "$selection" in [0-9]*) suite >/dev/null; echo "$selection"; return 0 ;; esac
	suite=$(suite)
	[ "$suite" = "$own_suite" ] && [ "$(id -u)" = 0 ] && apt_updated_once
	cand=$(apt_in "$suite" apt-cache policy linux-image-amd64 2>/dev/null | awk '/Candidate:/{print $2; exit}')
	[ -n "$cand" ] && [ "$cand" != "(none)" ] || die "find Debian's kernel: apt knows no linux-image-amd64 in $suite (apt-get update as root)"
	dep=$(apt_in "$suite" apt-cache show "linux-image-amd64=$cand" | sed -n 's/^Depends: //p' | head -n1 | tr ',|' '\n\n' \
		| sed -n 's/^ *\(linux-image-[0-9][^ (]*\).*/\1/p' | head -n1)
	[ -n "$dep" ] || die "find Debian's kernel: linux-image-amd64 $cand depends on no linux-image-ABI"
	echo "${dep#linux-image-}"
}

# apt-get download PACKAGE once into the package cache ($KDIVE_DEB_CACHE, default
# ~/.cache/kdive/debs, a folder per suite), which every lab directory shares, so a fresh lab (CI's) downloads
# nothing twice; prints the .deb path. The package name holds the ABI: one file per kernel build.
download() {
	local pkg=$1 deb cache=${KDIVE_DEB_CACHE:-$HOME/.cache/kdive/debs}/$(suite)
	mkdir -p "$cache"
	deb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		local part
		part=$(mktemp -d "$cache/.download.XXXXXX")
		(cd "$part" && apt_in "$(suite)" apt-get download "$pkg" >&2) || { rm -rf "$part"; die "download $pkg: apt-get download failed"; }
		mv "$part"/*.deb "$cache/" && rmdir "$part"
		deb=$(ls "$cache/${pkg}_"*.deb | head -n1)
	fi
	echo "$deb"
}

# foreign_headers REL SUITE TMP: unpacks another suite's linux-headers-REL (with the -common and
# kbuild packages its Depends names) and that suite's libc6 into TMP/foreign, makes them usable
# with this machine's toolchain (samples/kbuild/foreign-headers.sh) and prints the headers' dir.
foreign_headers() {
	local rel=$1 suite=$2 tmp=$3 pkgs p deb
	pkgs=$(apt_in "$suite" apt-cache show "linux-headers-$rel" | sed -n 's/^Depends: //p' | head -n1 | tr ',|' '\n\n' \
		| sed -n 's/^ *\(linux-\(headers\|kbuild\)-[^ (]*\).*/\1/p' | sort -u)
	mkdir -p "$tmp/foreign"
	for p in "linux-headers-$rel" $pkgs libc6; do
		deb=$(download "$p")
		dpkg-deb -x "$deb" "$tmp/foreign" || die "extract $deb: dpkg-deb failed"
	done
	"$here/kbuild/foreign-headers.sh" "$tmp/foreign" "$rel" >&2 || die "prepare $suite's headers for this machine's toolchain failed"
	echo "$tmp/foreign/usr/src/linux-headers-$rel"
}

prepare() {
	local dir=$1 rel suite
	mkdir -p "$dir"
	rel=$(release)
	suite=$(suite)
	if [ "$suite" = "$own_suite" ]; then
		ensure_packages "${host_packages[@]}" "linux-headers-$rel"
	else
		ensure_packages "${host_packages[@]}"
	fi
	local deb tmp
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	# linux-image-ABI holds the kernel and its modules up to 6.x; sid's 7.x splits them into the
	# linux-binary-, linux-modules- and linux-base-ABI packages that linux-image-ABI depends on.
	local p parts
	parts=$(apt_in "$suite" apt-cache show "linux-image-$rel" | sed -n 's/^Depends: //p' | head -n1 | tr ',|' '\n\n' \
		| sed -n "s/^ *\(linux-\(binary\|modules\|base\)-$rel\)\( .*\)\{0,1\}\$/\1/p" | sort -u)
	for p in "linux-image-$rel" $parts; do
		deb=$(download "$p")
		dpkg-deb -x "$deb" "$tmp/kernel" || die "extract $deb: dpkg-deb failed"
	done
	# /boot/NAME-ABI up to 6.x; /usr/lib/modules/ABI/NAME in the split packages
	local f vmlinuz
	for f in vmlinuz System.map config; do
		local at=$tmp/kernel/boot/$f-$rel
		[ -f "$at" ] || at=$tmp/kernel/usr/lib/modules/$rel/$f
		[ -f "$at" ] || die "prepare: no $f of $rel in linux-image-$rel${parts:+ or }$(echo $parts | tr ' ' ',')"
		cp "$at" "$dir/$f"
	done
	vmlinuz=$dir/vmlinuz

	# The crash module, built against the matching headers (kbuild writes into its source dir).
	# The module reads private slab structures at the offsets of this kernel's own BTF
	# (samples/kbuild/layout-header.py): from the headers' BTF-only vmlinux where the package has
	# one (6.12), else from the vmlinux inside vmlinuz.
	cp -r "$here/crashmod" "$tmp/crashmod"
	local hdr btf kbuild_vars=()
	if [ "$suite" = "$own_suite" ]; then
		hdr=/usr/src/linux-headers-$rel
	else
		hdr=$(foreign_headers "$rel" "$suite" "$tmp")
		# the headers name their suite's compiler (CC = x86_64-linux-gnu-gcc-14); build with this
		# machine's, and let kbuild fall back where it lacks an option (docs/lab.md)
		kbuild_vars=(CC=gcc CONFIG_CC_HAS_MIN_FUNCTION_ALIGNMENT= CONFIG_DEBUG_INFO_BTF_MODULES=)
	fi
	if [ -s "$hdr/vmlinux" ]; then
		btf=$hdr/vmlinux
	else
		python3 "$here/kbuild/extract-vmlinux.py" "$vmlinuz" "$tmp/vmlinux" >/dev/null \
			|| die "build kdive_lab.ko: no vmlinux with BTF in linux-headers-$rel or inside vmlinuz-$rel"
		btf=$tmp/vmlinux
	fi
	python3 "$here/kbuild/layout-header.py" "$btf" >"$tmp/crashmod/kdive_layout.h" \
		|| die "build kdive_lab.ko: cannot read struct kmem_cache and struct slab from the BTF of $btf"
	make -s -C "$hdr" M="$tmp/crashmod" "${kbuild_vars[@]}" modules >"$tmp/kbuild.log" 2>&1 \
		|| { tail -n 20 "$tmp/kbuild.log" >&2; die "build kdive_lab.ko: kbuild failed against linux-headers-$rel"; }
	cp "$tmp/crashmod/kdive_lab.ko" "$dir/kdive_lab.ko"

	# initramfs: busybox, /init, lab-user, and the modules in dependency order.
	local root=$tmp/root mods=$tmp/kernel/lib/modules/$rel
	[ -d "$mods" ] || mods=$tmp/kernel/usr/lib/modules/$rel # merged /usr (trixie on)
	mkdir -p "$root"/{bin,proc,sys,dev,lib/modules,tmp}
	cp /bin/busybox "$root/bin/busybox"
	gcc -static -O2 -Wall -o "$root/bin/lab-user" "$here/userland/lab-user.c" || die "build lab-user: gcc -static failed (libc6-dev?)"
	install -m 0755 "$here/init.sh" "$root/init"
	: >"$root/lib/modules/load-order"
	add_module() {
		local name=$1 ko dep
		grep -qx "$name.ko" "$root/lib/modules/load-order" && return 0
		ko=$(find "$mods" -name "$name.ko" -o -name "$name.ko.xz" | head -n1)
		[ -n "$ko" ] || die "initramfs: module $name not in linux-image-$rel"
		for dep in $(modinfo -F depends "$ko" | tr ',' ' '); do add_module "$dep"; done
		case "$ko" in *.xz) xz -dc "$ko" >"$root/lib/modules/$name.ko" ;; *) cp "$ko" "$root/lib/modules/$name.ko" ;; esac
		echo "$name.ko" >>"$root/lib/modules/load-order"
	}
	add_module qemu_fw_cfg
	add_module pvpanic
	add_module pvpanic-mmio
	cp "$dir/kdive_lab.ko" "$root/lib/modules/kdive_lab.ko"
	echo kdive_lab.ko >>"$root/lib/modules/load-order"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) >"$dir/initramfs.cpio.gz.tmp"
	mv "$dir/initramfs.cpio.gz.tmp" "$dir/initramfs.cpio.gz"
	echo "$rel" >"$dir/release"
	echo "$suite" >"$dir/suite"
}

debuginfo() {
	local dir=$1 rel deb
	mkdir -p "$dir"
	rel=$(release)
	[ -s "$dir/vmlinux" ] && return 0
	deb=$(download "linux-image-$rel-dbg")
	dpkg-deb --fsys-tarfile "$deb" | tar -x -O "./usr/lib/debug/boot/vmlinux-$rel" >"$dir/vmlinux.tmp" \
		|| die "extract vmlinux-$rel from $deb failed"
	mv "$dir/vmlinux.tmp" "$dir/vmlinux"
}

case "${1:-}" in
release) release ;;
prepare) prepare "${2:?lab.sh prepare DIR}" ;;
debuginfo) debuginfo "${2:?lab.sh debuginfo DIR}" ;;
*) die "usage: lab.sh release | prepare DIR | debuginfo DIR" ;;
esac
