#!/usr/bin/env bash
# Build Oracle's drgn-tools "corelens" (plus upstream drgn) from source into a
# venv, so kdive's `analyze` can be benchmarked against it on the same dump.
#
# Usage (as root on Debian bookworm; no PyPI access needed):
#   bench/corelens-setup.sh DRGN_SRC DRGN_TOOLS_SRC
#   DRGN_SRC=... DRGN_TOOLS_SRC=... bench/corelens-setup.sh
#
# The two source trees must be supplied by the caller (this script never
# downloads them). Tested with:
#   drgn        https://github.com/osandov/drgn              v0.1.0
#               (26dd4435315e6735cfa7f4ab0713bb1533a94750)
#   drgn-tools  https://github.com/oracle-samples/drgn-tools  v2.2.2
#               (4e05c1962d4cf65c93fe265db7a8491ea9303385)
# drgn-tools 2.2.2 requires drgn >=0.0.32,<0.1.1, so drgn 0.1.0 is the newest
# compatible release. Debian's python3-drgn (0.0.22) is too old.
#
# Env: PREFIX (default /opt/corelens); the venv is $PREFIX/venv.
# Result: $PREFIX/bin/corelens, a wrapper; run it like
#   CORELENS_DEBUGINFO_DIR=/dir/containing/vmlinux \
#     $PREFIX/bin/corelens VMCORE -a -o OUTDIR
# Re-running is cheap: already-installed matching versions are skipped.
set -euo pipefail

DRGN_SRC=$(realpath "${1:-${DRGN_SRC:?set DRGN_SRC or pass it as \$1}}")
DRGN_TOOLS_SRC=$(realpath "${2:-${DRGN_TOOLS_SRC:?set DRGN_TOOLS_SRC or pass it as \$2}}")
PREFIX=${PREFIX:-/opt/corelens}
VENV=$PREFIX/venv

# drgn itself, with its build dependencies, the venv (Debian's python3, system site packages: there
# is no PyPI) and libkdumpfile: bench/drgn-setup.sh, into this prefix's venv.
PREFIX=$PREFIX "$(dirname "$0")/drgn-setup.sh" "$DRGN_SRC" >/dev/null
PIP=("$VENV/bin/pip" install --no-index --no-build-isolation --no-deps)

# drgn-tools (pure Python).
want_dt=$(sed -n 's/^RELEASE_VERSION = "\(.*\)"/\1/p' "$DRGN_TOOLS_SRC/setup.py")
if ! "$VENV/bin/corelens" -V 2>/dev/null | grep -q "^drgn-tools $want_dt"; then
  (cd "$DRGN_TOOLS_SRC" && nice -n 10 "${PIP[@]}" . >&2)
fi

# corelens -d only feeds drgn-tools' Oracle Linux finder, which raises on any
# non-UEK release string (e.g. Debian "6.1.0-57-amd64"), so vmlinux is never
# found. This drgn plugin (loaded via DRGN_PLUGINS) adds
# $CORELENS_DEBUGINFO_DIR to drgn's own kernel/debug search paths instead.
mkdir -p "$PREFIX/bin"
cat > "$PREFIX/debuginfo_dir.py" <<'EOF'
import os
from drgn import DebugInfoOptions, ProgramFlags

def drgn_prog_set(prog):
    d = os.environ.get("CORELENS_DEBUGINFO_DIR")
    if not d or not (prog.flags & ProgramFlags.IS_LINUX_KERNEL):
        return
    d = os.path.abspath(d)
    o = prog.debug_info_options
    prog.debug_info_options = DebugInfoOptions(
        o, kernel_directories=(d,) + tuple(o.kernel_directories),
        directories=tuple(o.directories) + (d,))
EOF
cat > "$PREFIX/bin/corelens" <<EOF
#!/bin/sh
# corelens + debuginfo_dir plugin; set CORELENS_DEBUGINFO_DIR=<dir with vmlinux>
export DRGN_PLUGINS="\${DRGN_PLUGINS:+\$DRGN_PLUGINS,}debuginfo_dir=$PREFIX/debuginfo_dir.py"
exec "$VENV/bin/corelens" "\$@"
EOF
chmod +x "$PREFIX/bin/corelens"

"$PREFIX/bin/corelens" -V >&2
echo "$PREFIX/bin/corelens"
