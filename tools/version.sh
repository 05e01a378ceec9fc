#!/bin/sh
# Prints trimlab's version, kept in one place: package.json's "version", plus `git describe` of
# the commit when built from a git checkout (0.1.0+g6259fef; .dirty when tracked files have
# uncommitted changes). A tarball from `make dist` has no history: it carries the version it
# was made at in .tarball-version.
set -eu
cd "$(dirname "$0")/.."
if [ -f .tarball-version ]; then
    version=$(cat .tarball-version)
else
    version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' package.json)
    # Only this folder's own checkout counts, not one it happens to be unpacked inside.
    if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$(pwd -P)" ]; then
        version="$version+g$(git describe --always --abbrev=7 --dirty=.dirty --exclude='*')"
    fi
fi
# It goes into C string literals, file names and man pages unquoted.
case $version in
'' | *[!0-9A-Za-z.+-]*)
    echo "tools/version.sh: '$version' is not a version (allowed: 0-9 A-Z a-z . + -)" >&2
    exit 1
    ;;
esac
echo "$version"
