/* bench-rescore.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <sqlite3.h>

#include "bench-utils.h"
#include "tandem-core.h"
#include "tandem-store-private.h"

/* Times rescoring every lead of a workspace (DESIGN.md §9: under 2 s for
 * the 100,000-lead sample) against the least any rescore must do: read
 * every activity in lead order and touch every lead, on the same file in
 * the same run. Then, on a copy of the workspace, the rescore after a rule
 * change that changes most scores and hands thousands of leads off: every
 * engagement rule's points and cap doubled. Usage: bench-rescore PATH
 * [LEADS]; PATH is made with the sample generator when it does not exist
 * yet. */

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

/* Doubles the points and cap of every engagement rule of @store that
 * adds points, through the store as the Scoring page saves them. */
static gboolean
double_engagement_points (TandemStore  *store,
                          GError      **error)
{
  g_autoptr(GPtrArray) rules = tandem_scoring_list_rules (store, error);

  if (rules == NULL)
    return FALSE;

  for (guint i = 0; i < rules->len; i++)
    {
      TandemRecord *rule = g_ptr_array_index (rules, i);
      gint64 points = tandem_record_get_int (rule, "points");
      gint64 cap = tandem_record_get_int (rule, "cap");

      if (g_strcmp0 (tandem_record_get_text (rule, "kind"), "engagement") != 0 ||
          points <= 0 || cap <= 0)
        continue;

      tandem_record_set_int (rule, "points", points * 2);
      tandem_record_set_int (rule, "cap", cap * 2);
      if (!tandem_store_save (store, rule, error))
        return FALSE;
    }

  return TRUE;
}

/* How many leads of the workspace at @path have another score, or
 * another stage, than in the one at @before. */
static gboolean
count_differences (const char *path,
                   const char *before,
                   gint64     *scores,
                   gint64     *stages)
{
  g_autofree char *attach = g_strdup_printf ("ATTACH %s AS before", before);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  ok = sqlite3_open (path, &db) == SQLITE_OK &&
       sqlite3_exec (db, attach, NULL, NULL, NULL) == SQLITE_OK &&
       sqlite3_prepare_v2 (db, "SELECT count(*) FILTER (WHERE a.score IS NOT b.score),"
                           " count(*) FILTER (WHERE a.stage IS NOT b.stage)"
                           " FROM leads AS a JOIN before.leads AS b USING (id)",
                           -1, &stmt, NULL) == SQLITE_OK &&
       sqlite3_step (stmt) == SQLITE_ROW;
  if (ok)
    {
      *scores = sqlite3_column_int64 (stmt, 0);
      *stages = sqlite3_column_int64 (stmt, 1);
    }

  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return ok;
}

static gboolean
flush_file (const char  *path,
            GError     **error)
{
  int fd = g_open (path, O_RDONLY, 0);
  gboolean ok = fd >= 0 && fsync (fd) == 0;
  int saved_errno = errno;

  if (fd >= 0)
    close (fd);
  if (!ok)
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                 "Could not flush %s: %s", path, g_strerror (saved_errno));
  return ok;
}

/* The files of a workspace in WAL mode. */
static const char * const sqlite_suffixes[] = { "", "-wal", "-shm" };

/* Rescores a copy of the workspace at @path after doubling its engagement
 * points, in @ms; the copy is removed again. */
static gboolean
rescore_after_rule_change (const char  *path,
                           double      *ms,
                           double      *checkpoint_ms,
                           gint64      *scores,
                           gint64      *stages,
                           GError     **error)
{
  g_autofree char *dir = g_dir_make_tmp ("bench-rescore-XXXXXX", error);
  g_autofree char *copy = NULL;
  char *quoted;
  g_autoptr(GFile) source = g_file_new_for_path (path);
  g_autoptr(GFile) target = NULL;
  g_autoptr(TandemStore) store = NULL;
  gboolean ok;
  gint64 start;

  if (dir == NULL)
    return FALSE;
  copy = g_build_filename (dir, "workspace.db", NULL);
  target = g_file_new_for_path (copy);

  /* The workspace was closed, so checkpointed: the file is all of it. The
   * copy is flushed to disk first, or the rescore's first checkpoint would
   * wait for the gigabyte the copy left to write. */
  ok = g_file_copy (source, target, G_FILE_COPY_NONE, NULL, NULL, NULL, error) &&
       flush_file (copy, error) &&
       (store = tandem_store_open (copy, error)) != NULL &&
       double_engagement_points (store, error);
  if (ok)
    {
      /* As the app's worker does (tandem_scoring_rescore_all_async()):
       * the checkpoint is left to the store closing, after the worker has
       * reported, and is timed apart. */
      tandem_store_defer_checkpoints (store);
      start = g_get_monotonic_time ();
      ok = tandem_scoring_rescore_all (store, NULL, NULL, NULL, error);
      *ms = tandem_bench_elapsed_ms (start);
    }

  start = g_get_monotonic_time ();
  g_clear_object (&store);
  *checkpoint_ms = tandem_bench_elapsed_ms (start);

  quoted = sqlite3_mprintf ("%Q", path);
  if (ok && !count_differences (copy, quoted, scores, stages))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "Could not compare %s with %s", copy, path);
      ok = FALSE;
    }
  sqlite3_free (quoted);

  for (guint i = 0; i < G_N_ELEMENTS (sqlite_suffixes); i++)
    {
      g_autofree char *file = g_strconcat (copy, sqlite_suffixes[i], NULL);

      g_unlink (file);
    }
  g_rmdir (dir);
  return ok;
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
  double rescore_ms, again_ms, base_ms = 0, changed_ms = 0, checkpoint_ms = 0;
  gint64 changed_scores = 0, moved_leads = 0;
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

  if (!rescore_after_rule_change (argv[1], &changed_ms, &checkpoint_ms, &changed_scores,
                                  &moved_leads, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_print ("rescore all: %.0f ms (%u progress reports); again, nothing changed: %.0f ms\n",
           rescore_ms, n_progress, again_ms);
  g_print ("baseline (read activities by lead + touch every lead): %.0f ms\n", base_ms);
  g_print ("ratio rescore / baseline: %.2f\n", rescore_ms / base_ms);
  g_print ("after a rule change (engagement points and caps doubled, on a copy): %.0f ms;"
           " %" G_GINT64_FORMAT " scores changed, %" G_GINT64_FORMAT " leads moved"
           " (budget: < 2000 ms)\n", changed_ms, changed_scores, moved_leads);
  g_print ("then its checkpoint, as the store closes: %.0f ms\n", checkpoint_ms);

  return 0;
}
