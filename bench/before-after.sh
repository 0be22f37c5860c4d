#!/usr/bin/env bash
# The same kdive commands on the same dump, this checkout against an earlier revision, alternated in
# one hyperfine run: did a change make any command slower?
#   bench/before-after.sh REV [SCENARIO] [RUNS]     (default: slab-uaf, 10 runs)
#   KDIVE_BENCH_COMMANDS: the kdive commands to time, one per line (default: sys, bt, ... task)
# REV is built (package only, nothing installed) in a temporary worktree; both builds run through
# the same java command line as the launcher's, each with its own AppCDS archive, warmed first.
set -euo pipefail
home=$(cd "$(dirname "$0")/.." && pwd)
rev=${1:?usage: bench/before-after.sh REV [SCENARIO] [RUNS]}
scenario=${2:-slab-uaf}
runs=${3:-10}
. "$home/bench/common.sh"
bench_setup "$scenario" hyperfine
old=$(mktemp -d "${TMPDIR:-/tmp}/kdive-before.XXXXXX")
md=$(mktemp)
trap 'git -C "$home" worktree remove --force "$old" >/dev/null 2>&1 || rm -rf "$old"; rm -f "$md"' EXIT
git -C "$home" worktree add --detach -q "$old" "$rev"
"$old/mvnw" -B -q -f "$old/pom.xml" -DskipTests package >&2
"$home/kdive" --version >/dev/null # builds this checkout when stale
java=$JAVA_HOME/bin/java
run() { # DIR: the launcher's java command line for that build
	echo "$java -XX:+UseSerialGC -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=$1/kdive-cli/target/kdive.jsa -Xlog:cds*=off --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp $1/kdive-cli/target/kdive-cli-0.1.0-SNAPSHOT.jar:$1/kdive-cli/target/lib/* dev.kdive.cli.Main"
}
# Each build's AppCDS archive is made by the same run, so neither side starts from a better one.
for dir in "$old" "$home"; do
	rm -f "$dir/kdive-cli/target/kdive.jsa"
	eval "$(run "$dir") $dump -c 'sys; bt; ps; kmem -s; task; mod'" >/dev/null
done
args=()
commands=${KDIVE_BENCH_COMMANDS:-$'sys\nbt\nbt -a; ps; log\nps -t\nforeach bt\nkmem -s\nkmem -V\nmod\ntask'}
while IFS= read -r c; do
	for side in before after; do
		dir=$old
		[ "$side" = after ] && dir=$home
		args+=(-n "$side: $c" "$(run "$dir") $dump -c '$c'")
	done
done <<<"$commands"
hyperfine -N -w 2 -r "$runs" --export-markdown "$md" "${args[@]}" >&2
echo "revision $rev ($(git -C "$home" log -1 --format=%h "$rev")) against $(git -C "$home" log -1 --format=%h HEAD), $scenario $(basename "$dump")"
cat "$md"
