#!/usr/bin/env bash
# Runs lintian on the packages and fails on any error, and on any warning
# that packaging/lintian-accepted.txt does not list (each one listed there is
# justified in packaging/README.md, "lintian"). Info tags are printed, not judged.
#
#   bash packaging/lintian-check.sh dist/lighttouch_*.deb dist/lighttouch-emulator_*.deb
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
accepted="$here/lintian-accepted.txt"
[ $# -gt 0 ] || { echo "usage: $0 PACKAGE.deb..." >&2; exit 64; }

out=$(lintian --display-info --no-tag-display-limit "$@" 2>&1)
status=$?
printf '%s\n' "$out"

fail=0
# "E: pkg: tag ..." (lintian's own failure, exit status >= 2, is an error too)
if [ "$status" -ge 2 ] || printf '%s\n' "$out" | grep -q '^E: '; then
    echo "lintian-check: lintian reports errors" >&2
    fail=1
fi
# A warning is "W: PACKAGE: TAG [context]"; accepted lines are "PACKAGE TAG".
while read -r pkg tag; do
    if ! grep -v '^#' "$accepted" | grep -qx "$pkg $tag"; then
        echo "lintian-check: warning '$tag' on $pkg is not justified in packaging/README.md (packaging/lintian-accepted.txt)" >&2
        fail=1
    fi
done < <(printf '%s\n' "$out" | sed -n 's/^W: \([^:]*\): \([^ ]*\).*/\1 \2/p' | sed 's/ (\([a-z]*\))$//' | sort -u)

errors=$(printf '%s\n' "$out" | grep -c '^E: ' || true)
warnings=$(printf '%s\n' "$out" | grep -c '^W: ' || true)
echo "lintian-check: $errors errors, $warnings warnings$([ "$fail" = 0 ] && echo ', every warning justified')"
exit "$fail"
