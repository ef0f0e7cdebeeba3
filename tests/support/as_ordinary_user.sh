#!/bin/sh
# Runs a test executable as an ordinary user: as root, as the user nobody (setpriv), with a
# cache folder of its own; otherwise as the user running it. The sandbox must hold for both.
set -eu
if [ "$(id -u)" -ne 0 ]; then exec "$@"; fi
cache=$(mktemp -d /tmp/grader-as-user-XXXXXX)
chown 65534:65534 "$cache"
trap 'rm -rf "$cache"' EXIT
setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env \
  env HOME="$cache" XDG_CACHE_HOME="$cache" "$@"
