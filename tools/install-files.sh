#!/bin/sh
# tools/install-files.sh MODE DIR FILE...: `make install`'s copy. Each FILE goes into DIR (made
# when missing) with MODE, through a temporary file beside its final name that is then renamed
# over it, so an install that is interrupted or fails leaves every file whole, old or new, and no
# temporary file behind.
set -eu
mode=$1 dir=$2
shift 2
install -d "$dir"
tmp=
trap 'rm -f "$tmp"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
for file in "$@"; do
    name=$(basename "$file")
    tmp=$(mktemp "$dir/.$name.XXXXXX")
    install -m "$mode" "$file" "$tmp"
    mv -f "$tmp" "$dir/$name"
    tmp=
done
