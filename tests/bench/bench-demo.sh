#!/usr/bin/env bash
# bench-demo.sh - time the large sample workspace against raw SQLite.
#
# Copyright 2026 Tandem developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: bench-demo.sh TANDEM_CLI [LEADS]
#
# Generates the sample workspace with LEADS leads (default 100000) and, as
# the baseline, has the sqlite3 shell insert the same number of lead and
# activity rows into bare tables in one transaction. The ratio says what
# the mutation path (per-field clocks, change log, search index) and the
# generator cost over SQLite writing rows and nothing else.
set -euo pipefail

cli=${1:?usage: bench-demo.sh TANDEM_CLI [LEADS]}
leads=${2:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now_ms () { date +%s%3N; }

start=$(now_ms)
"$cli" demo --db "$work/large.db" --leads "$leads" >/dev/null
tandem_ms=$(( $(now_ms) - start ))

"$cli" info --db "$work/large.db" > "$work/info.txt"
activities=$(sed -n 's/^activities: //p' "$work/info.txt")
size_mb=$(( $(stat -c %s "$work/large.db") / 1048576 ))

start=$(now_ms)
sqlite3 "$work/baseline.db" >/dev/null <<SQL
PRAGMA journal_mode = WAL;
CREATE TABLE leads (id TEXT PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT,
                    company_id TEXT, stage TEXT, score INTEGER, created_at INTEGER);
CREATE TABLE activities (id TEXT PRIMARY KEY, lead_id TEXT, kind TEXT, url TEXT,
                         occurred_at INTEGER);
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $leads)
INSERT INTO leads SELECT lower(hex(randomblob(16))), 'First' || i, 'Last' || i,
  'person' || i || '@example.com', lower(hex(randomblob(16))), 'lead', i % 100, i FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $activities)
INSERT INTO activities SELECT lower(hex(randomblob(16))), lower(hex(randomblob(16))),
  'page_visit', 'https://example.com/pricing', i FROM n;
COMMIT;
SQL
baseline_ms=$(( $(now_ms) - start ))

cat "$work/info.txt"
echo "database size: ${size_mb} MB"
echo "tandem-cli demo --leads $leads: ${tandem_ms} ms"
echo "baseline (sqlite3 inserting $leads leads and $activities activities): ${baseline_ms} ms"
awk -v t="$tandem_ms" -v b="$baseline_ms" 'BEGIN { printf "ratio: %.1f x the baseline\n", t / b }'
