/* bench-rescore.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>

#include "bench-utils.h"
#include "tandem-core.h"

/* Times rescoring every lead of a workspace (DESIGN.md §9: under 2 s for
 * the 100,000-lead sample) against the least any rescore must do: read
 * every activity in lead order and touch every lead, on the same file in
 * the same run. Usage: bench-rescore PATH [LEADS]; PATH is made with the
 * sample generator when it does not exist yet. */

static gboolean
baseline (const char  *path,
          double      *ms)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 start, sum = 0;

  if (sqlite3_open (path, &db) != SQLITE_OK)
    return FALSE;

  start = g_get_monotonic_time ();
  sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  sqlite3_prepare_v2 (db, "SELECT lead_id, kind, url, occurred_at FROM activities"
                      " ORDER BY lead_id", -1, &stmt, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    sum += sqlite3_column_bytes (stmt, 0) + sqlite3_column_int64 (stmt, 3);
  sqlite3_finalize (stmt);
  sqlite3_exec (db, "UPDATE leads SET score = score", NULL, NULL, NULL);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  *ms = tandem_bench_elapsed_ms (start);

  sqlite3_close (db);
  return sum != 0;
}

static void
on_progress (double   fraction,
             gpointer user_data)
{
  (*(guint *) user_data)++;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(GError) error = NULL;
  guint n_leads = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 100000;
  guint n_progress = 0;
  double rescore_ms, again_ms, base_ms = 0;
  gint64 start;

  if (argc < 2)
    {
      g_printerr ("Usage: %s WORKSPACE.db [LEADS]\n", argv[0]);
      return 2;
    }

  store = tandem_bench_open_workspace (argv[1], n_leads, &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  /* The first pass writes what changed since the sample was scored and
   * moves the leads that now cross a threshold; the second finds nothing
   * to write, which is the pure scoring pass. */
  start = g_get_monotonic_time ();
  if (!tandem_scoring_rescore_all (store, on_progress, &n_progress, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  rescore_ms = tandem_bench_elapsed_ms (start);

  start = g_get_monotonic_time ();
  tandem_scoring_rescore_all (store, NULL, NULL, NULL, &error);
  again_ms = tandem_bench_elapsed_ms (start);
  g_clear_object (&store);

  if (!baseline (argv[1], &base_ms))
    {
      g_printerr ("The baseline could not read %s\n", argv[1]);
      return 1;
    }

  g_print ("rescore all: %.0f ms (%u progress reports); again, nothing changed: %.0f ms\n",
           rescore_ms, n_progress, again_ms);
  g_print ("baseline (read activities by lead + touch every lead): %.0f ms\n", base_ms);
  g_print ("ratio rescore / baseline: %.2f\n", rescore_ms / base_ms);

  return 0;
}
