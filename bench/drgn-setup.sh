#!/usr/bin/env bash
# Build upstream drgn from source (with libkdumpfile) into a venv, so kdive can
# be benchmarked/compared against a current drgn on the same dumps.
#
# Usage (as root on Debian bookworm; no PyPI access needed):
#   bench/drgn-setup.sh DRGN_SRC
#   DRGN_SRC=... bench/drgn-setup.sh
#
# The source tree must be supplied by the caller (this script never downloads
# it), e.g. a `git archive v0.2.0` export of https://github.com/osandov/drgn.
# Tested with:
#   drgn  https://github.com/osandov/drgn  v0.2.0
#         (818b5a7e8a4db82a1e0326667e7afaec5bf5fd19)
# Debian's python3-drgn (0.0.22) is too old; bench/corelens-setup.sh pins
# drgn 0.1.0 for drgn-tools, this one is the plain newest release.
# A git-archive export has no .git and no drgn/internal/version.py, so
# drgn reports itself as "<version>+unknown"; that is expected.
#
# Env: PREFIX (default /opt/drgn-upstream); the venv is $PREFIX/venv.
# Result: prints the path of the drgn binary ($PREFIX/venv/bin/drgn); run it
#   $PREFIX/venv/bin/drgn -c VMCORE -s /path/to/vmlinux
# Re-running is cheap: an already-installed matching version is skipped.
set -euo pipefail

DRGN_SRC=$(realpath "${1:-${DRGN_SRC:?set DRGN_SRC or pass it as \$1}}")
PREFIX=${PREFIX:-/opt/drgn-upstream}
VENV=$PREFIX/venv

[[ -f $DRGN_SRC/setup.py && -f $DRGN_SRC/libdrgn/configure.ac ]] \
  || { echo "$DRGN_SRC does not look like a drgn source tree" >&2; exit 1; }

# Build deps. libkdumpfile-dev is mandatory: kdump-compressed (makedumpfile)
# vmcores are only readable by drgn through libkdumpfile. autoconf/automake/
# libtool because a git export ships no generated libdrgn/configure.
DEPS=(autoconf automake libtool pkg-config gcc make
      libelf-dev libdw-dev libkdumpfile-dev liblzma-dev libpcre2-dev
      python3-dev python3-setuptools python3-wheel python3-venv)
missing=()
for p in "${DEPS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
    || missing+=("$p")
done
if ((${#missing[@]})); then
  [[ $EUID -eq 0 ]] || { echo "need root to apt-get install: ${missing[*]}" >&2; exit 1; }
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Debian's interpreter (not pyenv etc.) so python3-setuptools/wheel from apt
# are visible; --system-site-packages because there is no PyPI to fetch them.
[[ -x $VENV/bin/python ]] || /usr/bin/python3 -m venv --system-site-packages "$VENV"
PIP=("$VENV/bin/pip" install --no-index --no-build-isolation --no-deps)

# True if $VENV's drgn is version $1 (any local "+..." suffix) with libkdumpfile.
# The version looks like (argparse wraps it at the terminal width, hence tr):
#   drgn 0.2.0+unknown (using Python 3.11.2, elfutils 0.188, ..., with libkdumpfile, ...)
have_drgn() {
  local v
  v=$("$VENV/bin/drgn" --version 2>/dev/null | tr -s '\n ' '  ') || return 1
  [[ $v == "drgn $1"[+\ ]* && $v == *" with libkdumpfile"* ]]
}

want_drgn=$(sed -n 's/^AC_INIT(\[libdrgn\], \[\([^]]*\)\].*/\1/p' "$DRGN_SRC/libdrgn/configure.ac")
[[ -n $want_drgn ]] || { echo "cannot read version from $DRGN_SRC/libdrgn/configure.ac" >&2; exit 1; }

if ! have_drgn "$want_drgn"; then
  # setup.py only runs libdrgn/configure when build/temp*/Makefile is missing,
  # so a tree configured earlier without libkdumpfile would silently ignore
  # CONFIGURE_FLAGS. Refuse rather than guess what to delete.
  for st in "$DRGN_SRC"/build/temp*/config.status; do
    [[ -e $st ]] || continue
    grep -q -- '--with-libkdumpfile' "$st" \
      || { echo "$st was configured without --with-libkdumpfile; rm -rf $DRGN_SRC/build and retry" >&2; exit 1; }
  done
  # --with-libkdumpfile (not the default "auto"): fail at configure time
  # instead of silently building without it.
  (cd "$DRGN_SRC" && CONFIGURE_FLAGS=--with-libkdumpfile nice -n 10 "${PIP[@]}" . >&2)
fi

have_drgn "$want_drgn" || {
  echo "drgn in $VENV is not $want_drgn with libkdumpfile:" >&2
  "$VENV/bin/drgn" --version >&2 || true
  echo "rm -rf $DRGN_SRC/build and retry" >&2
  exit 1
}

"$VENV/bin/drgn" --version >&2
echo "$VENV/bin/drgn"
