#!/usr/bin/env bash
# Installs the packages from dist/ into a clean Debian 12 (bookworm) root
# with no Swift toolchain, and uses them there as a user would
# (packaging/README.md, "The install test"):
#
#   bash scripts/package-deb.sh && bash scripts/test-deb-install.sh
#
# The root is made by debootstrap (variant minbase, plus man-db and
# bash-completion, which a Debian desktop has) from Debian's mirror, once:
# it is kept as a tarball in $LIGHTTOUCH_TEST_ROOT_CACHE (default
# /var/tmp/lighttouch-deb-test) and unpacked afresh for every run. Inside it,
# through chroot: apt install ./lighttouch_….deb, then lighttouch --version,
# a practice run on the demo sensor, a replay of the shipped example CSV,
# man -w, the bash completion, the emulator package, startup times, and
# removal and purge, which must leave the user's data directory alone.
# Prints one line per check and "N passed, N failed"; exit status 1 if any
# failed. Needs root (chroot, mount) and network access to the mirror.
# Not part of CI: it downloads a Debian root.
set -euo pipefail
cd "$(dirname "$0")/.."

cache=${LIGHTTOUCH_TEST_ROOT_CACHE:-/var/tmp/lighttouch-deb-test}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
base_tar="$cache/$suite-minbase.tar"

[ "$(id -u)" -eq 0 ] || { echo "test-deb-install: needs root (chroot, mount)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "test-deb-install: needs debootstrap (apt-get install debootstrap)" >&2; exit 1; }

deb_version=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
version=${deb_version%-*}
arch=$(dpkg --print-architecture)
trainer_deb="dist/lighttouch_${deb_version}_${arch}.deb"
emulator_deb="dist/lighttouch-emulator_${deb_version}_${arch}.deb"
for f in "$trainer_deb" "$emulator_deb"; do
    [ -f "$f" ] || { echo "test-deb-install: no $f: run bash scripts/package-deb.sh first" >&2; exit 1; }
done

# --- The clean root ----------------------------------------------------------
if [ ! -f "$base_tar" ]; then
    echo "== debootstrap --variant=minbase $suite from $mirror (once; kept in $base_tar)"
    mkdir -p "$cache"
    rm -rf "$cache/base"
    debootstrap --variant=minbase --include=man-db,bash-completion "$suite" "$cache/base" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
        { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
    tar -C "$cache/base" -cf "$base_tar.tmp" . && mv "$base_tar.tmp" "$base_tar"
    rm -rf "$cache/base"
fi

root=$(mktemp -d /var/tmp/lighttouch-root.XXXXXX)
cleanup() {
    # Unmount what we mounted, then delete the root only if nothing is mounted below it.
    for m in dev/pts proc; do
        if mountpoint -q "$root/$m"; then umount "$root/$m" || umount -l "$root/$m" || true; fi
    done
    if findmnt -rn -o TARGET | grep -q "^$root"; then
        echo "test-deb-install: something is still mounted under $root; left it in place" >&2
    else
        rm -rf --one-file-system "$root"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tar -C "$root" -xf "$base_tar"
mount -t proc proc "$root/proc"
# A private devpts instance (not the host's) for apt's and dpkg's terminal log.
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
cp /etc/resolv.conf "$root/etc/resolv.conf"
install -m 0644 "$trainer_deb" "$emulator_deb" "$root/tmp/"

# in_root COMMAND: runs a bash command inside the root as root, with a clean environment.
in_root() {
    chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
        LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive /bin/bash -c "$1"
}

passed=0
failed=0
check() { # DESCRIPTION COMMAND [EXPECTED-OUTPUT-REGEX]
    local description=$1 command=$2 expect=${3:-} output status=0
    output=$(in_root "$command" 2>&1) || status=$?
    if [ "$status" -eq 0 ] && { [ -z "$expect" ] || printf '%s\n' "$output" | grep -Eq -- "$expect"; }; then
        passed=$((passed + 1))
        printf 'ok     %s\n' "$description"
    else
        failed=$((failed + 1))
        printf 'FAILED %s (exit %s)\n' "$description" "$status"
    fi
    printf '%s\n' "$output" | head -n "${SHOW_LINES:-4}" | sed 's/^/         | /'
}

echo "== clean root: Debian $(cat "$root/etc/debian_version") ($suite, debootstrap minbase), $(in_root 'dpkg-query -W | wc -l') packages"
check "no Swift toolchain or runtime in the root" \
    '! command -v swift && ! command -v swiftc && [ -z "$(find / -xdev -name "libswiftCore*" -print -quit)" ] && echo "no swift, no libswiftCore"'

echo "== apt install ./$(basename "$trainer_deb")"
in_root 'apt-get update -qq' >/dev/null
SHOW_LINES=2 check "apt install ./$(basename "$trainer_deb") (postinst with no udev running)" \
    "apt-get install -y -q --no-install-recommends /tmp/$(basename "$trainer_deb") > /tmp/apt.log 2>&1; s=\$?; grep -E '^(Setting up|E:)' /tmp/apt.log | sed -n '\$p'; grep -A3 'NEW packages' /tmp/apt.log | tr -s ' \n' ' '; exit \$s" \
    "Setting up lighttouch"
check "the trainer pulled in neither umockdev nor simavr" \
    "! dpkg-query -W -f='\${Package}\n' | grep -E 'umockdev|simavr'; echo \"installed: \$(dpkg-query -W -f='\${Package} ' | wc -w) packages\""
check "lighttouch --version prints $version" \
    'lighttouch --version' "^${version//./\\.}\$"
check "every library lighttouch needs is found (ldd)" \
    '! ldd /usr/bin/lighttouch | grep "not found"; ldd /usr/bin/lighttouch | awk "{print \$1}" | tr "\n" " "' 'libc\.so'
SHOW_LINES=3 check "lighttouch practice --sensor demo --plain --duration 2" \
    'lighttouch practice --sensor demo --plain --duration 2 > /tmp/practice.out; s=$?; echo "$(wc -l < /tmp/practice.out) lines; first and last:"; head -1 /tmp/practice.out; tail -1 /tmp/practice.out; exit $s'
SHOW_LINES=8 check "lighttouch replay /usr/share/lighttouch/examples/demo-steady.csv" \
    'lighttouch replay /usr/share/lighttouch/examples/demo-steady.csv' 'trial'
check "the example protocol file is the built-in one" \
    'lighttouch protocols --show /usr/share/lighttouch/protocols/basic-5g.toml | tail -1; lighttouch protocols --show basic-5g | tail -1' ''
check "a shipped drill file plays (light-ladder.toml, 1 s)" \
    'lighttouch practice --sensor demo --plain --duration 1 --data-dir /tmp/lt-scratch --drill /usr/share/lighttouch/drills/light-ladder.toml | tail -1' ''
check "man -w lighttouch" \
    'man -w lighttouch' '^/usr/share/man/man1/lighttouch\.1\.gz$'
check "a manual page for each subcommand (man -w lighttouch.SUBCOMMAND)" \
    'for c in $(lighttouch --help | sed -n "/^SUBCOMMANDS:/,/^\$/p" | grep -E "^  [a-z]" | awk "{print \$1}"); do man -w "lighttouch.$c" >/dev/null || exit 1; echo -n "$c "; done'
check "man lighttouch renders" \
    'MANWIDTH=80 man lighttouch 2>/dev/null | col -b | grep -A2 "^NAME"' 'lighttouch'
check "bash completion: sourcing it defines the completion, and lighttouch pr<TAB> completes" \
    'f=/usr/share/bash-completion/completions/lighttouch; [ -f $f ] || exit 1; source /usr/share/bash-completion/bash_completion; source $f; complete -p lighttouch; fn=$(complete -p lighttouch | sed -n "s/.*-F \([^ ]*\).*/\1/p"); COMP_WORDS=(lighttouch pr); COMP_CWORD=1; COMP_LINE="lighttouch pr"; COMP_POINT=${#COMP_LINE}; $fn lighttouch pr lighttouch; echo "lighttouch pr<TAB>: ${COMPREPLY[*]}"' \
    'practice'
check "zsh and fish completions in their Debian places" \
    'ls /usr/share/zsh/vendor-completions/_lighttouch /usr/share/fish/vendor_completions.d/lighttouch.fish'
check "udev rule installed" \
    'ls /usr/lib/udev/rules.d/70-lighttouch.rules && grep -c "1209" /usr/lib/udev/rules.d/70-lighttouch.rules'
check "shared files under /usr/share/lighttouch and docs under /usr/share/doc/lighttouch" \
    'cd /usr/share/lighttouch && find . -type f | sort | tr "\n" " "; ls /usr/share/doc/lighttouch/copyright /usr/share/doc/lighttouch/changelog.Debian.gz'

echo "== startup, from the installed package"
SHOW_LINES=6 check "startup: lighttouch --version and the first status line of practice --sensor demo --plain" '
    ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
    lighttouch --version >/dev/null   # page cache warm, as on a second start
    v=(); for i in $(seq 1 21); do t=$(date +%s%N); lighttouch --version >/dev/null; v+=($(( ($(date +%s%N) - t) / 100000 ))); done
    sorted=($(printf "%s\n" "${v[@]}" | sort -n))
    echo "lighttouch --version: median $(( sorted[10] / 10 )).$(( sorted[10] % 10 )) ms, min $(( sorted[0] / 10 )).$(( sorted[0] % 10 )) ms, max $(( sorted[20] / 10 )).$(( sorted[20] % 10 )) ms (21 runs)"
    f=()
    for i in 1 2 3 4 5; do
        t=$(date +%s%N)
        first=$(lighttouch practice --sensor demo --plain --duration 1 --data-dir /tmp/lt-scratch | { IFS= read -r line; echo "$(ms $t) $line"; cat >/dev/null; })
        f+=("${first%% *}")
    done
    echo "first status line of practice --sensor demo --plain: ${f[*]} ms (5 runs)"
    echo "the line: ${first#* }"'

echo "== the emulator package"
SHOW_LINES=2 check "apt install ./$(basename "$emulator_deb") brings umockdev" \
    "apt-get install -y -q --no-install-recommends /tmp/$(basename "$emulator_deb") > /tmp/apt2.log 2>&1; s=\$?; grep -A3 'NEW packages' /tmp/apt2.log | tr -s ' \n' ' '; exit \$s" \
    'umockdev'
check "lighttouch-emulator --help runs (the emulator has no --version)" \
    'lighttouch-emulator --help | head -1' 'emulated LightTouch USB sensor'
SHOW_LINES=3 check "lighttouch devices through the emulated sensor (lighttouch-emulator -- lighttouch devices)" \
    'timeout 60 lighttouch-emulator --quiet -- lighttouch devices' 'LT-EMU-.*usb'

echo "== removal"
check "user data exists before removal (practice recorded a session)" \
    'n=$(lighttouch sessions | tail -n +2 | wc -l); echo "$n session(s) in /root/.local/share/lighttouch: $(ls -A /root/.local/share/lighttouch | tr "\n" " ")"; [ "$n" -ge 1 ]'
in_root 'cd /root/.local/share/lighttouch && find . -type f -print0 | sort -z | xargs -0 md5sum > /tmp/data.before'
SHOW_LINES=2 check "apt-get remove lighttouch lighttouch-emulator" \
    'apt-get remove -y -q lighttouch lighttouch-emulator > /tmp/rm.log 2>&1; s=$?; grep "^Removing" /tmp/rm.log; ! command -v lighttouch && ! command -v lighttouch-emulator && ! [ -e /usr/lib/udev/rules.d/70-lighttouch.rules ] && ! [ -e /usr/share/lighttouch ] && exit $s'
check "remove left the user's data directory alone" \
    'cd /root/.local/share/lighttouch && find . -type f -print0 | sort -z | xargs -0 md5sum | cmp - /tmp/data.before && echo "unchanged (md5): $(awk "{print \$2}" /tmp/data.before | tr "\n" " ")"'
SHOW_LINES=2 check "apt install lighttouch again, then apt-get purge lighttouch" \
    'apt-get install -y -q --no-install-recommends /tmp/lighttouch_*.deb > /tmp/apt3.log 2>&1 || exit 1; command -v lighttouch >/dev/null || exit 1; apt-get purge -y -q lighttouch > /tmp/purge.log 2>&1; s=$?; grep -E "^(Purging|E:)" /tmp/purge.log; ! command -v lighttouch && [ -z "$(dpkg -l "lighttouch*" 2>/dev/null | grep -E "^(ii|rc)")" ] && exit $s' \
    'Purging configuration files for lighttouch|Removing lighttouch'
check "purge left the user's data directory alone" \
    'cd /root/.local/share/lighttouch && find . -type f -print0 | sort -z | xargs -0 md5sum | cmp - /tmp/data.before && echo "unchanged (md5): $(awk "{print \$2}" /tmp/data.before | tr "\n" " ")"'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
