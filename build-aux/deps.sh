# build-aux/deps.sh - shared package installation for build-aux/run and build-aux/test.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sourced, not executed. Debian 12 package names.

BUILD_PACKAGES="gcc pkg-config meson ninja-build libglib2.0-dev libglib2.0-dev-bin libgtk-4-dev libadwaita-1-dev libsqlite3-dev libsoup-3.0-dev libjson-glib-dev gettext desktop-file-utils appstream"

# dbus-run-session comes from dbus-daemon and xvfb-run from xvfb on Debian 12.
TEST_PACKAGES="xvfb xauth dbus dbus-daemon dbus-x11 sqlite3 python3"

# ensure_packages PKG... installs whichever of the packages are missing.
ensure_packages ()
{
  local missing=()
  local pkg status

  for pkg in "$@"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    if [ "$status" != "install ok installed" ]; then
      missing+=("$pkg")
    fi
  done

  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi

  echo "Installing missing packages: ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  else
    echo "These packages are missing and cannot be installed without root: ${missing[*]}" >&2
    exit 1
  fi
}
