#!/usr/bin/env bash
# tools/dist.sh VERSION OUT.tar.gz: `make dist`. Packs the files git tracks, as they are in the
# working tree (a tracked file deleted there is left out), under trimlab-VERSION/, with
# .tarball-version holding VERSION for tools/version.sh (a tarball has no git history): nothing
# the build writes, no node_modules. Owner, order and times are fixed (the last commit's), so the
# same tree gives the same bytes. Written beside OUT and renamed when complete.
set -euo pipefail
version=$1 out=$2
cd "$(dirname "$0")/.."
if [ "$(git rev-parse --show-toplevel 2>/dev/null)" != "$(pwd -P)" ]; then
    echo "make dist: $(pwd -P) is not a git checkout (a tarball is made from one)" >&2
    exit 2
fi
files=()
while IFS= read -r -d '' file; do
    if [ -e "$file" ] || [ -L "$file" ]; then files+=("$file"); fi
done < <(git ls-files -z)
stage=$(mktemp -d)
tmp=
trap 'rm -rf "$stage" ${tmp:+"$tmp"}' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
printf '%s\n' "$version" > "$stage/.tarball-version"
mkdir -p "$(dirname "$out")"
tmp=$(mktemp "$(dirname "$out")/.$(basename "$out").XXXXXX")
# Names come NUL-separated on stdin, taken verbatim (one starting with - is no option); the
# prefix goes on every member's name and hard link, not on what a symbolic link points to.
printf '%s\0' "${files[@]}" |
    tar --create --format=gnu --sort=name --owner=0 --group=0 --numeric-owner \
        --mtime="@$(git log -1 --format=%ct)" --transform="flags=rh;s,^,trimlab-$version/," \
        --null --verbatim-files-from --files-from=- -C "$stage" .tarball-version |
    gzip -9n > "$tmp"
mv -f "$tmp" "$out"
tmp=
echo "wrote $out (${#files[@]} files and .tarball-version)"
