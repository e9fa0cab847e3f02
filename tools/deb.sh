#!/usr/bin/env bash
# tools/deb.sh  (make deb)
#
# Builds the Debian package libapache2-mod-sched from this checkout: copies its files
# (those git tracks and new ones it does not ignore; outside git, the tree without
# .git, .run, .san and dist) to .run/deb/src, runs `dpkg-buildpackage -us -uc -b`
# there (debian/rules: make, the unit tests, make install DESTDIR=...), checks the
# result with lintian (any error or warning fails; debian/*.lintian-overrides explains
# what is overridden), and puts the .deb files, the .changes and the .buildinfo in
# dist/, replacing older ones. The checkout's own build is left as it is. Prints the
# path of the .deb.
#
# Environment: DEB_BUILD_OPTIONS as dpkg-buildpackage reads it (nocheck: no unit
# tests); LINTIAN=0 skips lintian.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PROG=tools/deb.sh
WORK=$ROOT/.run/deb
DIST=$ROOT/dist

die() {
    echo "$PROG: $*" >&2
    exit 1
}

for tool in dpkg-buildpackage dh dh_apache2; do
    command -v "$tool" >/dev/null || die "$tool is missing: make deb installs it"
done

# The files of the checkout, NUL-separated, relative to ROOT.
source_files() {
    local file
    if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        # Deleted files git still tracks are left out.
        git -C "$ROOT" ls-files -z -c -o --exclude-standard |
            while IFS= read -r -d '' file; do
                [ -e "$ROOT/$file" ] && printf '%s\0' "$file"
            done
    else
        (cd "$ROOT" && find . \( -path ./.git -o -path ./.run -o -path ./.san \
            -o -path ./dist \) -prune -o \( -type f -o -type l \) -print0)
    fi
}

rm -rf -- "$WORK"
mkdir -p "$WORK/src"
source_files | tar -C "$ROOT" --null -T - -cf - | tar -C "$WORK/src" -xf -
[ -x "$WORK/src/debian/rules" ] || die "debian/rules is missing or not executable"

echo "$PROG: dpkg-buildpackage in $WORK/src (log: $WORK/build.log)"
if ! (cd "$WORK/src" && dpkg-buildpackage -us -uc -b) >"$WORK/build.log" 2>&1; then
    tail -n 40 "$WORK/build.log" >&2
    die "dpkg-buildpackage failed (the whole log: $WORK/build.log)"
fi

changes=$(find "$WORK" -maxdepth 1 -name '*.changes' | head -n 1)
[ -n "$changes" ] || die "dpkg-buildpackage made no .changes file"

if [ "${LINTIAN:-1}" != 0 ]; then
    command -v lintian >/dev/null || die "lintian is missing: make deb installs it"
    echo "$PROG: lintian $(basename "$changes")"
    # The .changes names the .deb files and the .buildinfo: all are checked.
    lintian --fail-on error,warning --display-info --show-overrides "$changes" ||
        die "lintian found errors or warnings"
fi

mkdir -p "$DIST"
rm -f -- "$DIST"/*.deb "$DIST"/*.changes "$DIST"/*.buildinfo
mv -- "$WORK"/*.deb "$WORK"/*.changes "$WORK"/*.buildinfo "$DIST"/
for deb in "$DIST"/libapache2-mod-sched_*.deb; do
    echo "$PROG: $deb"
done
