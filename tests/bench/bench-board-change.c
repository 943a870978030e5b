/* bench-board-change.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>

#include "bench-utils.h"
#include "tandem-core.h"
#include "tandem-lead-query.h"

/* Times what one changed lead costs the pipeline board on a large
 * workspace: the board shows a column model per stage (a TandemRecordList
 * of the stage's leads, best score first), and every commit that touches a
 * lead reaches all of them on the main thread, where a frame has 16 ms
 * (DESIGN.md, section 9). Each change is made twice: with no column models
 * (the baseline: what the write itself costs) and with the nine models
 * loaded, in the same run; the difference is the board's share.
 *
 * Usage: bench-board-change WORKSPACE.db [ROUNDS]
 * It writes to the workspace (moves leads and moves them back, adds
 * activities), so give it a copy of the large sample. */

#define FRAME_MS 16.0

/* A column model, made the way the board makes its columns. */
static TandemRecordList *
make_column_list (TandemStore *store,
                  const char  *stage)
{
  g_autoptr(TandemLeadQuery) query = tandem_lead_query_new ();
  const char *stages[] = { stage, NULL };

  tandem_lead_query_set_stages (query, stages);
  tandem_lead_query_set_sort (query, TANDEM_LEAD_SORT_SCORE, TRUE);

  return tandem_lead_query_create_list (query, store);
}

/* The first live lead of @stage with a phone number, by rowid: the funnel
 * stages past the MQL want one. */
static TandemLead *
first_lead_in (TandemStore *store,
               const char  *path,
               const char  *stage,
               guint        skip)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *id = NULL;

  sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  if (sqlite3_prepare_v2 (db, "SELECT id FROM leads WHERE deleted = 0 AND stage = ?"
                          " AND coalesce(phone, '') <> '' ORDER BY rowid LIMIT 1 OFFSET ?",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, stage, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 2, skip);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  if (id == NULL)
    g_error ("The workspace has no lead in stage %s", stage);

  return tandem_store_get (store, TANDEM_TYPE_LEAD, id, NULL);
}

/* Moves @lead to @stage, with the first of the stage's reasons when it
 * asks for one (nurture, lost, disqualified). */
static void
move (TandemStore *store,
      TandemLead  *lead,
      const char  *stage)
{
  g_autoptr(GPtrArray) reasons = NULL;
  g_autoptr(GError) error = NULL;
  const char *reason = NULL;

  if (tandem_stage_needs_reason (stage))
    {
      reasons = tandem_pipeline_list_reasons (store, stage, &error);
      g_assert_no_error (error);
      if (reasons->len > 0)
        reason = g_ptr_array_index (reasons, 0);
    }

  if (!tandem_pipeline_move (store, lead, stage, reason, NULL, &error))
    g_error ("Could not move a lead to %s: %s", stage, error->message);
}

/* Moves a lead of @from to @to and back; each move is one sample. */
static void
time_moves (TandemStore *store,
            const char  *path,
            const char  *from,
            const char  *to,
            guint        rounds,
            GArray      *samples)
{
  for (guint round = 0; round < rounds; round++)
    {
      g_autoptr(TandemLead) lead = first_lead_in (store, path, from, round);
      gint64 start;
      double ms;

      start = g_get_monotonic_time ();
      move (store, lead, to);
      ms = tandem_bench_elapsed_ms (start);
      g_array_append_val (samples, ms);

      start = g_get_monotonic_time ();
      move (store, lead, from);
      ms = tandem_bench_elapsed_ms (start);
      g_array_append_val (samples, ms);
    }
}

/* Adds an activity to a lead of @stage, which rescores it: its score, and
 * with it its place in the column, changes. */
static void
time_activities (TandemStore *store,
                 const char  *path,
                 const char  *stage,
                 guint        rounds,
                 guint        skip,
                 GArray      *samples)
{
  for (guint round = 0; round < rounds; round++)
    {
      g_autoptr(TandemLead) lead = first_lead_in (store, path, stage, skip + round);
      g_autoptr(TandemRecord) activity = tandem_record_new_for_table ("activities", NULL);
      g_autoptr(GError) error = NULL;
      gint64 start;
      double ms;

      tandem_record_set_text (activity, "lead_id", tandem_record_get_id (TANDEM_RECORD (lead)));
      tandem_record_set_text (activity, "kind", "webinar");
      tandem_record_set_int (activity, "occurred_at", g_get_real_time () / 1000);

      start = g_get_monotonic_time ();
      if (!tandem_scoring_add_activity (store, lead, activity, &error))
        g_error ("Could not add an activity: %s", error->message);
      ms = tandem_bench_elapsed_ms (start);
      g_array_append_val (samples, ms);
    }
}

typedef struct
{
  const char *what;
  const char *from;
  const char *to;
} Change;

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stages = NULL;
  g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func (g_object_unref);
  guint rounds = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 5;
  const Change changes[] = {
    { "move sql -> sal, and back", TANDEM_STAGE_SQL, TANDEM_STAGE_SAL },
    { "move nurture -> lead, and back", TANDEM_STAGE_NURTURE, TANDEM_STAGE_LEAD },
    { "new activity, rescored (lead)", TANDEM_STAGE_LEAD, NULL },
    { "new activity, rescored (sal)", TANDEM_STAGE_SAL, NULL },
  };
  GArray *baseline[G_N_ELEMENTS (changes)];
  GArray *with_board[G_N_ELEMENTS (changes)];
  gint64 start;
  double open_ms;
  gboolean over = FALSE;

  if (argc < 2)
    {
      g_printerr ("Usage: %s WORKSPACE.db [ROUNDS]\n"
                  "It writes to the workspace: give it a copy of a large one.\n", argv[0]);
      return 2;
    }
  rounds = MAX (rounds, 1);

  store = tandem_bench_open_workspace (argv[1], 100000, &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    {
      baseline[i] = g_array_new (FALSE, FALSE, sizeof (double));
      with_board[i] = g_array_new (FALSE, FALSE, sizeof (double));
    }

  g_print ("workspace %s: %" G_GINT64_FORMAT " live leads; budget: a frame, %.0f ms"
           " (DESIGN.md, section 9); %u rounds each\n",
           argv[1], tandem_store_count (store, "leads"), FRAME_MS, rounds);

  /* Warm the caches the same way for both halves. */
  time_moves (store, argv[1], changes[0].from, changes[0].to, 1, baseline[0]);
  g_array_set_size (baseline[0], 0);

  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    if (changes[i].to != NULL)
      time_moves (store, argv[1], changes[i].from, changes[i].to, rounds, baseline[i]);
    else
      time_activities (store, argv[1], changes[i].from, rounds, 0, baseline[i]);

  stages = tandem_pipeline_list_stages (store, TRUE, &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < stages->len; i++)
    {
      const char *stage = tandem_record_get_text (g_ptr_array_index (stages, i), "key");
      TandemRecordList *list = make_column_list (store, stage);
      guint n_items = g_list_model_get_n_items (G_LIST_MODEL (list));

      /* The cards a person sees first. */
      for (guint j = 0; j < MIN (n_items, 12); j++)
        g_object_unref (g_list_model_get_item (G_LIST_MODEL (list), j));
      g_ptr_array_add (columns, list);
    }
  open_ms = tandem_bench_elapsed_ms (start);

  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    if (changes[i].to != NULL)
      time_moves (store, argv[1], changes[i].from, changes[i].to, rounds, with_board[i]);
    else
      time_activities (store, argv[1], changes[i].from, rounds, rounds, with_board[i]);

  /* The columns must still count what the store holds. */
  for (guint i = 0; i < stages->len; i++)
    {
      const char *stage = tandem_record_get_text (g_ptr_array_index (stages, i), "key");
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM leads"
                                              " WHERE deleted = 0 AND stage = '%s'", stage);
      sqlite3 *db = NULL;
      sqlite3_stmt *stmt = NULL;
      gint64 stored = -1;
      guint listed = g_list_model_get_n_items (g_ptr_array_index (columns, i));

      sqlite3_open_v2 (argv[1], &db, SQLITE_OPEN_READONLY, NULL);
      if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
          sqlite3_step (stmt) == SQLITE_ROW)
        stored = sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
      sqlite3_close (db);

      if (stored != listed)
        g_error ("Column %s lists %u leads, the store holds %" G_GINT64_FORMAT,
                 stage, listed, stored);
    }

  g_print ("board column models made and first cards read: %.1f ms for %u columns\n",
           open_ms, stages->len);
  g_print ("%-34s %22s %26s %18s\n", "one change (ms)", "no board: median, max",
           "nine columns: median, max", "board's share");
  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    {
      double base_median = tandem_bench_percentile (baseline[i], 0.5);
      double base_max = tandem_bench_percentile (baseline[i], 1.0);
      double board_median = tandem_bench_percentile (with_board[i], 0.5);
      double board_max = tandem_bench_percentile (with_board[i], 1.0);
      double share = board_median - base_median;

      g_print ("%-34s %10.1f %10.1f %12.1f %12.1f %14.1f%s\n", changes[i].what,
               base_median, base_max, board_median, board_max, share,
               share < FRAME_MS ? "" : "  OVER A FRAME");
      over |= share >= FRAME_MS;
      g_array_unref (baseline[i]);
      g_array_unref (with_board[i]);
    }

  g_print ("%s\n", over ? "the board's share of some changes is over a frame"
                        : "the board's share of every change fits in a frame");

  return 0;
}
