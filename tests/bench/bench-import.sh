#!/usr/bin/env bash
# bench-import.sh - time a CSV import against sqlite3 .import of the same file.
#
# Copyright 2026 Tandem developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench-import.sh TANDEM_CLI [ROWS]
#
# Writes a deterministic CSV of ROWS leads (default 100000) across about
# ROWS/5 companies, imports it into a fresh workspace with tandem-cli, and
# in the same run has the sqlite3 shell import the same file into a bare
# table. DESIGN.md §9 asks for < 5 s and at least 1/3 of sqlite3's speed,
# i.e. a ratio of at most 3. Also in the same run, the floor: sqlite3 doing
# the writes of the import itself, set-based, in an empty workspace
# (import-floor.sql), without Tandem's checks, matching or scoring; and of
# that, the companies and leads with their indexes alone.
set -euo pipefail

cli=$(realpath "${1:?usage: bench-import.sh TANDEM_CLI [ROWS]}")
floor_sql=$(realpath "$(dirname "$0")/import-floor.sql")
rows=${2:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now_ms () { date +%s%3N; }

awk -v rows="$rows" 'BEGIN {
  split("lead,subscriber,marketingqualifiedlead,salesqualifiedlead,opportunity,customer", stages, ",")
  split("Software,Retail,Finance,Health,Logistics", industries, ",")
  print "First Name,Last Name,Email,Company Name,Job Title,Phone Number,Lifecycle Stage,Industry,Number of Employees,Country,Website,Lead Source"
  companies = int(rows / 5); if (companies < 1) companies = 1
  for (i = 1; i <= rows; i++) {
    c = (i * 7919) % companies
    printf "First%d,\"Last%d, Jr.\",person%d@company%d.example,Company %d,Engineer %d,+1 555 %07d,%s,%s,%d,DE,https://company%d.example,webinar\n",
      i, i, i, c, c, i % 50, i, stages[i % 6 + 1], industries[c % 5 + 1], 10 + c % 5000, c
  }
}' > "$work/leads.csv"

start=$(now_ms)
"$cli" import --db "$work/workspace.db" "$work/leads.csv"
tandem_ms=$(( $(now_ms) - start ))

start=$(now_ms)
sqlite3 "$work/baseline.db" ".import --csv $work/leads.csv leads_raw"
baseline_ms=$(( $(now_ms) - start ))

# An import of a file of headers only makes an empty workspace.
head -n 1 "$work/leads.csv" > "$work/headers.csv"
"$cli" import --db "$work/floor.db" "$work/headers.csv" > /dev/null
cp "$work/floor.db" "$work/rows.db"
start=$(now_ms)
(cd "$work" && sqlite3 floor.db < "$floor_sql")
floor_ms=$(( $(now_ms) - start ))
sed '/^-- journal and search:$/,/^-- end$/d' "$floor_sql" > "$work/rows.sql"
start=$(now_ms)
(cd "$work" && sqlite3 rows.db < rows.sql)
rows_ms=$(( $(now_ms) - start ))

echo "rows: $rows ($(( $(stat -c %s "$work/leads.csv") / 1024 )) KiB)"
echo "tandem-cli import: ${tandem_ms} ms"
echo "sqlite3 .import: ${baseline_ms} ms"
echo "floor, the import's writes by sqlite3 alone: ${floor_ms} ms"
echo "of which the companies and leads with their indexes alone: ${rows_ms} ms"
# The workspace is closed (and checkpointed) by now: its size is what the
# import left, which the time above mostly spends writing.
echo "workspace: $(( $(stat -c %s "$work/workspace.db") / 1048576 )) MiB," \
     "sqlite3's table: $(( $(stat -c %s "$work/baseline.db") / 1048576 )) MiB"
awk -v t="$tandem_ms" -v b="$baseline_ms" -v f="$floor_ms" -v r="$rows_ms" 'BEGIN {
  printf "ratio: %.1f x the time of sqlite3 .import (budget: 3.0 x, and < 5000 ms)\n", t / b
  printf "floor: %.1f x the time of sqlite3 .import; tandem-cli import: %.1f x the floor\n", f / b, t / f
  printf "rows alone: %.1f x the time of sqlite3 .import\n", r / b }'
