#!/usr/bin/env bash
# Debian packages the build, `make run` and `make test` need.
#
#   tools/deps.sh check PKG...     nothing to do when all are installed; otherwise
#                                  install the missing ones (as root) or print the
#                                  apt-get line that would (as anyone else, exit 1)
#   tools/deps.sh install PKG...   install them all (as root), or print the line
set -euo pipefail

usage() {
    echo "usage: tools/deps.sh install|check PKG..." >&2
    exit 2
}

[ $# -ge 2 ] || usage
mode=$1
shift
case $mode in
    install | check) ;;
    *) usage ;;
esac

missing=()
for pkg in "$@"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ] && [ "$mode" = check ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    if [ ${#missing[@]} -eq 0 ]; then
        echo "All needed packages are installed."
        exit 0
    fi
    echo "Missing Debian packages: ${missing[*]}" >&2
    echo "Install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

if [ "$mode" = install ]; then
    wanted=("$@")
else
    wanted=("${missing[@]}")
    echo "Installing missing Debian packages: ${wanted[*]}" >&2
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${wanted[@]}"
