#!/usr/bin/env bash
# Installs the system packages LightTouch builds and tests against.
# Idempotent: packages already present are left alone, and apt is only
# consulted when something is missing. Run as root (or via sudo).
set -euo pipefail

packages=(
  libusb-1.0-0-dev   # the driver (issue: libusb driver)
  libncurses-dev     # ncursesw, what libncursesw5-dev now installs
  umockdev           # emulated USB sensor: preload library and tools
  libumockdev-dev    # emulated USB sensor: testbed API
  pkg-config         # SwiftPM finds the C libraries through it
  tmux               # end-to-end tests drive the terminal UI in a real terminal
  python3            # regenerates protocol test vectors; reads CSV exports in the tests
  python3-pandas     # the export tests read a CSV export with pandas.read_csv, as users do
  python3-numpy      # the sound tests analyse `replay --sound-out` WAV files with a NumPy FFT
  make gcc           # builds and tests the C device reference
  librsvg2-bin       # rsvg-convert: renders `lighttouch report` SVGs to PNG (tests, README sample)
  gcc-avr avr-libc   # builds the sensor firmware (firmware-protocol/boards/pro-micro-hx711)
  libsimavr-dev      # runs that firmware on a simulated ATmega32U4 (lighttouch-emulator --firmware)
  libsqlite3-dev     # GRDB links the system SQLite
  dpkg-dev           # scripts/package-deb.sh: dpkg-shlibdeps, dpkg-gencontrol, dpkg-parsechangelog
  binutils           # scripts/package-deb.sh: strip, readelf
  lintian            # scripts/package-deb.sh checks both packages
  libasound2-dev     # ALSA: the feedback sound (practice/assess --sound)
  libasound2-plugins # ALSA's pulse plugin: scripts/sound-soak.sh routes the default device to PulseAudio
  pulseaudio         # scripts/sound-soak.sh: a null sink that consumes sound in real time, with no sound card
  pulseaudio-utils   # scripts/sound-soak.sh: pactl, and parec to record what the null sink played
  postgresql         # the class tests start a throwaway PostgreSQL 15 cluster (scripts/with-postgres.sh)
  postgresql-client  # psql: the class tests look inside the class database as each login
  openssl            # scripts/with-postgres.sh makes a throwaway CA and server certificate: the class's TLS tests
)
# Not installed here: avrdude. Only `make flash` (writing the firmware to a
# real board) needs it: apt-get install avrdude.
# scripts/test-deb-install.sh also needs debootstrap; CI does not run it.

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all system packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${missing[*]}; run this script as root (sudo $0)" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
