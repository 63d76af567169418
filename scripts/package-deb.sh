#!/usr/bin/env bash
# Builds the Debian 12 packages from this checkout (packaging/README.md):
#
#   dist/lighttouch_VERSION_amd64.deb           the trainer (lighttouch)
#   dist/lighttouch-emulator_VERSION_amd64.deb  the emulated USB sensor (umockdev)
#
# VERSION is packaging/debian/changelog's, whose upstream part must be
# LightTouchVersion.current (what `lighttouch --version` prints). The
# programs are built once with the Swift runtime linked in
# (--static-swift-stdlib), stripped, and their C library dependencies are
# computed from the binaries by dpkg-shlibdeps. Manual pages come from
# swift-argument-parser's generate-manual plugin and completions from
# `--generate-completion-script`: both from the command-line definitions.
# Then lintian checks both packages (scripts/package-deb.sh --no-lintian skips it).
#
# Needs: the Swift 6 toolchain, scripts/install-deps.sh's packages (dpkg-dev,
# lintian among them). Runs as any user: dpkg-deb --root-owner-group gives
# every file to root.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

run_lintian=1
for arg in "$@"; do
    case "$arg" in
        --no-lintian) run_lintian=0 ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "package-deb: unknown option $arg" >&2; exit 64 ;;
    esac
done

say() { printf '== %s\n' "$*"; }
die() { printf 'package-deb: %s\n' "$*" >&2; exit 1; }

# --- The version, from its one place ---------------------------------------
version_file=Sources/LightTouchCLI/LightTouchCommand.swift
version=$(sed -n 's/^ *public static let current = "\([^"]*\)".*/\1/p' "$version_file")
[ -n "$version" ] || die "no LightTouchVersion.current in $version_file"
changelog=packaging/debian/changelog
deb_version=$(dpkg-parsechangelog -l "$changelog" -S Version)
[ "${deb_version%-*}" = "$version" ] ||
    die "$changelog's top entry is $deb_version but LightTouchVersion.current is $version: add a changelog entry (packaging/README.md, 'Cutting a release')"
# Every date inside the packages (man pages, file times) is the changelog's.
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l "$changelog" -S Timestamp)
export SOURCE_DATE_EPOCH
release_date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
arch=$(dpkg --print-architecture)
say "LightTouch $version, Debian package version $deb_version ($arch)"

# --- Build once -------------------------------------------------------------
umask 022
build_flags=(-c release --static-swift-stdlib)
say "swift build ${build_flags[*]}"
swift build "${build_flags[@]}"
bin=$(swift build "${build_flags[@]}" --show-bin-path)
built_version=$("$bin/lighttouch" --version)
[ "$built_version" = "$version" ] || die "the built lighttouch says it is $built_version, the source says $version"
for program in lighttouch lighttouch-emulator; do
    if readelf -d "$bin/$program" | grep NEEDED | grep -qi swift; then
        die "$program links a Swift runtime library dynamically: $(readelf -d "$bin/$program" | grep NEEDED | grep -i swift)"
    fi
done

# Manual pages: swift-argument-parser's generate-manual, the tool behind its
# generate-manual plugin, run on the programs just built, as the plugin does.
# Not `swift package generate-manual` itself: its own release build cannot take
# --static-swift-stdlib, so it recompiles every module and relinks the programs
# against the shared Swift runtime (packaging/README.md, "Manual pages").
say "manual pages (swift-argument-parser's generate-manual)"
swift build "${build_flags[@]}" --product generate-manual
manual_root=.build/deb-manual
rm -rf "$manual_root"
for program in lighttouch lighttouch-emulator; do
    mkdir -p "$manual_root/$program"
    "$bin/generate-manual" "$bin/$program" --multi-page --date "$release_date" --section 1 \
        --authors "The LightTouch authors" --output-directory "$manual_root/$program"
done
[ -f "$manual_root/lighttouch/lighttouch.1" ] || die "generate-manual wrote no lighttouch.1"

# --- Stage the files --------------------------------------------------------
work=.build/deb
rm -rf "$work"
mkdir -p "$work/debian" dist
cp packaging/debian/control packaging/debian/changelog "$work/debian/"

# install_file MODE SRC DEST: one file, with its directories, owned by whoever builds (root in the .deb).
install_file() { install -D -m "$1" "$2" "$3"; }
install_dir_files() { # MODE DESTDIR FILES...
    local mode=$1 dest=$2; shift 2
    for f in "$@"; do install_file "$mode" "$f" "$dest/$(basename "$f")"; done
}
gz() { gzip -9nf "$1"; }

stage_common() { # PACKAGE PROGRAM
    local pkg=$1 program=$2 root="$work/$1"
    local doc="$root/usr/share/doc/$pkg"
    install_file 0755 "$bin/$program" "$root/usr/bin/$program"
    strip --remove-section=.comment --remove-section=.note "$root/usr/bin/$program"
    "$root/usr/bin/$program" --help >/dev/null || die "$program does not run once stripped"
    mkdir -p "$root/usr/share/man/man1"
    for page in "$manual_root/$program"/*.1; do
        # A blank line in a help text's discussion reaches the page as a blank
        # input line, which groff warns about; .Pp is the paragraph break meant.
        sed 's/^$/.Pp/' "$page" >"$root/usr/share/man/man1/$(basename "$page")"
        gz "$root/usr/share/man/man1/$(basename "$page")"
    done
    mkdir -p "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
        "$root/usr/share/fish/vendor_completions.d"
    # bash-completion sources the file: a #! line would only mislead (lintian: bash-completion-with-hashbang).
    "$root/usr/bin/$program" --generate-completion-script bash | sed '1{/^#!/d}' >"$root/usr/share/bash-completion/completions/$program"
    "$root/usr/bin/$program" --generate-completion-script zsh >"$root/usr/share/zsh/vendor-completions/_$program"
    "$root/usr/bin/$program" --generate-completion-script fish >"$root/usr/share/fish/vendor_completions.d/$program.fish"
    install_file 0644 packaging/debian/copyright "$doc/copyright"
    install_file 0644 "$changelog" "$doc/changelog.Debian"
    gz "$doc/changelog.Debian"
}

say "staging lighttouch"
root="$work/lighttouch"
stage_common lighttouch lighttouch
share="$root/usr/share/lighttouch"
install_file 0644 packaging/udev/70-lighttouch.rules "$root/usr/lib/udev/rules.d/70-lighttouch.rules"
install_dir_files 0644 "$share/drills" drills/*.toml
mkdir -p "$share/protocols"
for name in $("$bin/lighttouch" protocols | sed -n 's/^\([a-z0-9][a-z0-9._-]*\): .*/\1/p'); do
    "$bin/lighttouch" protocols --show "$name" >"$share/protocols/$name.toml"
done
install_dir_files 0644 "$share/calibration/masses" calibration/masses/*
install_file 0644 calibration/CALIBRATION.md "$share/calibration/CALIBRATION.md"
install_dir_files 0644 "$share/examples" packaging/examples/*
# The sensor firmware, when it can be had: built here where avr-gcc is (scripts/install-deps.sh
# installs it; make only rebuilds what changed), else whatever hex an earlier build left.
firmware=firmware-protocol/boards/pro-micro-hx711
hex=$firmware/build/lighttouch-pro-micro.hex
if [ -f "$firmware/Makefile" ] && command -v avr-gcc >/dev/null; then
    say "firmware: make -C $firmware"
    make -s -C "$firmware" >/dev/null
fi
if [ -f "$hex" ]; then
    install_file 0644 "$hex" "$share/firmware/$(basename "$hex")"
    say "firmware: $hex included"
else
    say "firmware: no $hex (no avr-gcc to build it); package without firmware"
fi
doc="$root/usr/share/doc/lighttouch"
install_file 0644 README.md "$doc/README.md"
install_dir_files 0644 "$doc/docs" $(find docs -maxdepth 1 -type f | LC_ALL=C sort)
install_dir_files 0644 "$doc/docs/design" docs/design/*.md
install_file 0644 firmware-protocol/PROTOCOL.md "$doc/PROTOCOL.md"
install_file 0644 packaging/README.md "$doc/packaging.md"

say "staging lighttouch-emulator"
stage_common lighttouch-emulator lighttouch-emulator

# --- Control files and the packages ----------------------------------------
build_deb() { # PACKAGE
    local pkg=$1 root="$work/$1"
    mkdir -p "$root/DEBIAN"
    for script in postinst postrm; do
        [ -f "packaging/debian/$pkg.$script" ] && install -m 0755 "packaging/debian/$pkg.$script" "$root/DEBIAN/$script"
    done
    # C library dependencies, from the binaries' NEEDED entries and Debian's shlibs/symbols files.
    (cd "$work" && dpkg-shlibdeps -T"debian/$pkg.substvars" "$pkg"/usr/bin/*)
    (cd "$work" && dpkg-gencontrol -p"$pkg" -P"$pkg" -T"debian/$pkg.substvars" -f"debian/files" -Vmisc:Depends=)
    (cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum >DEBIAN/md5sums)
    chmod 0644 "$root/DEBIAN/md5sums" "$root/DEBIAN/control"
    find "$root" -type d -exec chmod 0755 {} +
    local out="dist/${pkg}_${deb_version}_${arch}.deb"
    dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
    say "$out ($(du -h "$out" | cut -f1)): Depends: $(dpkg-deb -f "$out" Depends)"
}
rm -f "dist/lighttouch_"*.deb "dist/lighttouch-emulator_"*.deb
build_deb lighttouch
build_deb lighttouch-emulator

# The trainer must not pull in the emulator's libraries.
if dpkg-deb -f "dist/lighttouch_${deb_version}_${arch}.deb" Depends | grep -Eq 'umockdev|simavr'; then
    die "lighttouch depends on umockdev or simavr: $(dpkg-deb -f "dist/lighttouch_${deb_version}_${arch}.deb" Depends)"
fi

if [ "$run_lintian" = 1 ]; then
    say "lintian"
    bash packaging/lintian-check.sh "dist/lighttouch_${deb_version}_${arch}.deb" "dist/lighttouch-emulator_${deb_version}_${arch}.deb"
fi
say "done: dist/lighttouch_${deb_version}_${arch}.deb dist/lighttouch-emulator_${deb_version}_${arch}.deb"
