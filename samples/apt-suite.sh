#!/usr/bin/env bash
# A private apt configuration for one Debian suite, so the lab can fetch another release's
# kernel packages (or any suite's sources) without touching the machine's own apt setup.
#   source samples/apt-suite.sh; apt_suite SUITE DIR   -> prints DIR/apt.conf (use as APT_CONFIG)
# The sources are the machine's own Debian entries (deb822 .sources or one-line .list) with the
# machine's codename swapped for SUITE, deb-src added, Signed-By kept; SUITE-updates and
# SUITE-security follow their bookworm-updates/-security counterparts (sid has neither).
# apt checks every download against the suite's signed index, as for the machine's own packages.

# The machine's codename (VERSION_CODENAME of /etc/os-release).
machine_codename() {
	sed -n 's/^VERSION_CODENAME=//p' /etc/os-release 2>/dev/null | head -n1
}

# Prints one line "URI<TAB>SUITE<TAB>COMPONENTS<TAB>SIGNED-BY" per Debian entry of the machine.
machine_debian_entries() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && uris != "" && suites != "")
					for (i = split(suites, s, " "); i > 0; i--) print uris "\t" s[i] "\t" comps "\t" signed
				types = uris = suites = comps = signed = ""
			}
			/^#/ { next }
			/^[ \t]*$/ { flush(); next }
			{ key = $1; sub(/:$/, "", key); $1 = ""; sub(/^ +/, ""); val = $0 }
			key == "Types" { types = val } key == "URIs" { uris = val } key == "Suites" { suites = val }
			key == "Components" { comps = val } key == "Signed-By" { signed = val }
			END { flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" {
			signed = ""; i = 2
			if ($2 ~ /^\[/) { for (; i <= NF && $i !~ /\]$/; i++) if ($i ~ /signed-by=/) signed = $i; if ($i ~ /signed-by=/) signed = $i; i++ }
			sub(/.*signed-by=/, "", signed); sub(/\]$/, "", signed)
			comps = ""; for (j = i + 2; j <= NF; j++) comps = comps (comps == "" ? "" : " ") $j
			print $i "\t" $(i + 1) "\t" comps "\t" signed }' "$f"
	done
}

# apt_suite SUITE DIR: writes DIR/apt.conf and DIR/sources.list.d/SUITE.sources; prints the conf path.
apt_suite() {
	local suite=$1 dir=$2 own uri from comps signed to
	own=$(machine_codename)
	[ -n "$own" ] || { echo "apt-suite: /etc/os-release names no VERSION_CODENAME" >&2; return 1; }
	mkdir -p "$dir"/{lists/partial,cache/archives/partial,sources.list.d,preferences.d,state} || return 1
	[ -f "$dir/status" ] || : >"$dir/status"
	[ -f "$dir/sources.list" ] || : >"$dir/sources.list"
	# written aside and renamed into place: another lab process may be reading them with apt
	local tmp
	tmp=$(mktemp "$dir/.sources.XXXXXX") || return 1
	{
		while IFS=$'\t' read -r uri from comps signed; do
			case "$from" in
			"$own") to=$suite ;;
			"$own"-updates | "$own"-security | "$own"/updates)
				[ "$suite" = sid ] || [ "$suite" = unstable ] && continue
				to=$suite${from#"$own"}
				# bullseye and later name it SUITE-security; the path form is buster's and older
				[ "$to" = "$suite/updates" ] && to=$suite-security
				;;
			*) continue ;;
			esac
			echo "Types: deb deb-src"
			echo "URIs: $uri"
			echo "Suites: $to"
			echo "Components: ${comps:-main}"
			[ -n "$signed" ] && echo "Signed-By: $signed"
			echo
		done < <(machine_debian_entries)
	} >"$tmp"
	[ -s "$tmp" ] \
		|| { rm -f "$tmp"; echo "apt-suite: the machine's apt sources have no Debian entry for $own to derive $suite from" >&2; return 1; }
	mv -f "$tmp" "$dir/sources.list.d/$suite.sources"
	tmp=$(mktemp "$dir/.conf.XXXXXX") || return 1
	cat >"$tmp" <<EOF
Dir::State "$dir/state";
Dir::State::Lists "$dir/lists";
Dir::State::status "$dir/status";
Dir::Cache "$dir/cache";
Dir::Etc::SourceList "$dir/sources.list";
Dir::Etc::SourceParts "$dir/sources.list.d";
Dir::Etc::Preferences "$dir/preferences";
Dir::Etc::PreferencesParts "$dir/preferences.d";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
Acquire::Languages "none";
EOF
	mv -f "$tmp" "$dir/apt.conf"
	echo "$dir/apt.conf"
}

# apt_suite_update CONF: apt-get update for that configuration, at most every 12 hours; one
# process at a time (the lab's tests ask from several threads), the others wait for it.
apt_suite_update() {
	local conf=$1 stamp
	stamp=$(dirname "$conf")/updated
	(
		flock 9 || exit 1
		if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +720 2>/dev/null)" ]; then
			APT_CONFIG=$conf apt-get update -q >&2 || exit 1
			touch "$stamp"
		fi
	) 9>"$(dirname "$conf")/update.lock"
}
