#!/usr/bin/env bash
# bench-startup.sh - start-up time and memory of the app on a large workspace.
#
# Copyright 2026 Tandem developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench-startup.sh BENCH_STARTUP TANDEM BASELINE TANDEM_CLI WORKSPACE [LEADS]
#
# Runs BENCH_STARTUP (bench-startup.c says what it measures) on its own
# Xvfb display of 1400x900 and its own session bus, in the environment the
# UI tests use. WORKSPACE is made with LEADS sample leads (default 100000)
# when it does not exist yet; TANDEM_BENCH_WORKSPACE, when set, names the
# workspace to use instead. TANDEM_BENCH_RUNS sets the number of timed
# starts of each program (default 7).
set -euo pipefail

if [ "$#" -lt 5 ]; then
  echo "usage: bench-startup.sh BENCH_STARTUP TANDEM BASELINE TANDEM_CLI WORKSPACE [LEADS]" >&2
  exit 2
fi

# Everything below runs again inside the display and the bus.
if [ -z "${TANDEM_BENCH_IN_XVFB:-}" ]; then
  export TANDEM_BENCH_IN_XVFB=1
  exec dbus-run-session -- xvfb-run -a -s '-screen 0 1400x900x24' "$0" "$@"
fi

bench=$1
tandem=$2
baseline=$3
cli=$4
workspace=${TANDEM_BENCH_WORKSPACE:-$5}
leads=${6:-100000}

if [ ! -e "$workspace" ]; then
  echo "making a sample workspace of $leads leads at $workspace"
  "$cli" demo --db "$workspace" --leads "$leads" >/dev/null
fi

export GDK_BACKEND=x11 GSK_RENDERER=cairo GTK_A11Y=none NO_AT_BRIDGE=1
export GSETTINGS_BACKEND=memory

exec "$bench" --runs "${TANDEM_BENCH_RUNS:-7}" "$tandem" "$baseline" "$workspace"
