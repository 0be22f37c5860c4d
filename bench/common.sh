# Sourced by the bench scripts: installs the reference tools they compare against and builds the
# lab scenario with its debug vmlinux.
#   bench_setup SCENARIO PACKAGE...   sets rel, dump (the makedumpfile -d 31 zlib dump: crash,
#                                     drgn and kdive all read it) and vmlinux
bench_setup() {
	local scenario=$1 p
	shift
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || {
			[ "$(id -u)" = 0 ] || { echo "bench: needs $p (apt-get install $p as root)" >&2; exit 1; }
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$p" >&2
		}
	done
	"$home/kdive" lab build --with-debuginfo "$scenario" >&2
	local lab=${KDIVE_LAB_DIR:-$HOME/.cache/kdive/lab}
	rel=$("$home/samples/lab.sh" release)
	dump=$lab/$rel/$scenario/vmcore.d31-zlib
	vmlinux=$lab/$rel/debug/vmlinux
}

# kdive_prime ARGS...: one kdive run (builds when stale, warms the page cache, records the JDK's
# AOT cache configuration), then waits for the launcher's background run that makes the cache, so
# every timed run starts from it.
kdive_prime() {
	"$home/kdive" "$@" >/dev/null
	local i
	for i in $(seq 120); do
		[ -n "$(ls -d "$home/kdive-cli/target/"aot*.lock 2>/dev/null)" ] || return 0
		sleep 0.5
	done
	echo "bench: the AOT cache is still being made after 60 s" >&2
}
