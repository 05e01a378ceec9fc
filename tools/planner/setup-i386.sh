#!/usr/bin/env bash
# The i386 builds of Debian's sqlite3 and lua5.4, for the planner's 32-bit traces
# (make planner-i386, as root): adds the i386 architecture to dpkg where missing, installs the
# i386 libraries they need and gcc-multilib (for the -m32 recorder) where missing, and unpacks
# the two programs into DIR/root (not installed: their amd64 builds stay the system's).
#
#   tools/planner/setup-i386.sh DIR
set -euo pipefail
dir=${1:?usage: tools/planner/setup-i386.sh DIR}
programs=(sqlite3 lua5.4)
libraries=(libsqlite3-0:i386 libreadline8:i386 zlib1g:i386 gcc-multilib)

if ! dpkg --print-foreign-architectures | grep -qx i386; then
    dpkg --add-architecture i386
    apt-get update -qq
fi
missing=()
for package in "${libraries[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
mkdir -p "$dir/debs" "$dir/root"
for program in "${programs[@]}"; do
    if [ ! -x "$dir/root/usr/bin/$program" ]; then
        (cd "$dir/debs" && apt-get download -q "$program:i386")
        dpkg-deb -x "$dir/debs/${program}_"*_i386.deb "$dir/root"
    fi
done
"$dir/root/usr/bin/sqlite3" --version
"$dir/root/usr/bin/lua5.4" -v
