/* bench-lead-query.c
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

/* Times what the leads table asks of the core on a large workspace
 * (DESIGN.md, section 9: typed search and filters over all leads under 50 ms):
 * a search typed letter by letter, each filter on its own, opening the
 * table and sorting it by each column. Every figure goes through the
 * table's own model, a TandemRecordList fed by a TandemLeadQuery, and is
 * printed next to a baseline read by sqlite3 on a connection of its own
 * in the same run: `SELECT count(*) FROM leads` and
 * `SELECT id FROM leads WHERE deleted = 0`.
 *
 * Usage: bench-lead-query WORKSPACE.db [ROUNDS]
 * The workspace is opened read-write (the store may migrate it), so give
 * it a copy of the large sample, e.g. `cp /tmp/big.db /tmp/bench.db`. */

#define BUDGET_MS 50.0

typedef struct
{
  double first;
  double median;
  double max;
} Timing;

static Timing
summarize (GArray *samples)
{
  Timing timing = { 0, };

  timing.first = g_array_index (samples, double, 0);
  timing.median = tandem_bench_percentile (samples, 0.5);
  timing.max = tandem_bench_percentile (samples, 1.0);

  return timing;
}

/* The baseline: the least any listing of the leads costs, on a plain
 * connection, so that the figures below can be read against the machine's
 * speed at the moment. */
static void
measure_baseline (const char *path,
                  guint       rounds,
                  Timing     *count_timing,
                  Timing     *ids_timing)
{
  g_autoptr(GArray) count_samples = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ids_samples = g_array_new (FALSE, FALSE, sizeof (double));
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    g_error ("Could not open %s: %s", path, sqlite3_errmsg (db));

  for (guint round = 0; round < rounds; round++)
    {
      sqlite3_stmt *stmt = NULL;
      gint64 start;
      double ms;
      gsize bytes = 0;

      start = g_get_monotonic_time ();
      sqlite3_prepare_v2 (db, "SELECT count(*) FROM leads", -1, &stmt, NULL);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        bytes += sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
      ms = tandem_bench_elapsed_ms (start);
      g_array_append_val (count_samples, ms);

      start = g_get_monotonic_time ();
      sqlite3_prepare_v2 (db, "SELECT id FROM leads WHERE deleted = 0", -1, &stmt, NULL);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        bytes += sqlite3_column_bytes (stmt, 0);
      sqlite3_finalize (stmt);
      ms = tandem_bench_elapsed_ms (start);
      g_array_append_val (ids_samples, ms);

      g_assert (bytes > 0);
    }

  sqlite3_close (db);

  *count_timing = summarize (count_samples);
  *ids_timing = summarize (ids_samples);
}

static void
print_baseline (const char *when,
                const char *path,
                guint       rounds)
{
  Timing count_timing, ids_timing;

  measure_baseline (path, rounds, &count_timing, &ids_timing);
  g_print ("baseline %s (sqlite3, own connection, median of %u):"
           " SELECT count(*) FROM leads %.1f ms;"
           " SELECT id FROM leads WHERE deleted = 0 %.1f ms\n",
           when, rounds, count_timing.median, ids_timing.median);
}

/* The leads table's model, made the way the table makes it. */
static TandemRecordList *
make_table_list (TandemLeadQuery *query,
                 TandemStore     *store)
{
  tandem_lead_query_set_keep_order (query, TRUE);
  return tandem_lead_query_create_list (query, store);
}

/* What a person waits for after a change of filter: the model runs the
 * query and announces the new rows, and the view asks for the count and
 * the rows on screen. */
static guint
refresh_and_show (TandemRecordList *list)
{
  guint n_items;

  tandem_record_list_refresh (list);
  n_items = g_list_model_get_n_items (G_LIST_MODEL (list));
  for (guint i = 0; i < MIN (n_items, 30); i++)
    g_object_unref (g_list_model_get_item (G_LIST_MODEL (list), i));

  return n_items;
}

static gboolean any_over_budget;

static void
report (const char *what,
        guint       n_items,
        Timing     *timing,
        gboolean    budgeted)
{
  const char *verdict = "";

  if (budgeted)
    {
      verdict = timing->max < BUDGET_MS ? "  within budget" : "  OVER BUDGET";
      any_over_budget |= timing->max >= BUDGET_MS;
    }

  g_print ("  %-34s %7u leads  first %6.1f  median %6.1f  max %6.1f ms%s\n",
           what, n_items, timing->first, timing->median, timing->max, verdict);
}

/* Runs the query of @list @rounds times through its model and reports it. */
static void
time_refresh (const char       *what,
              TandemRecordList *list,
              guint             rounds,
              gboolean          budgeted)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
  guint n_items = 0;
  Timing timing;

  for (guint round = 0; round < rounds; round++)
    {
      gint64 start = g_get_monotonic_time ();
      double ms;

      n_items = refresh_and_show (list);
      ms = tandem_bench_elapsed_ms (start);
      g_array_append_val (samples, ms);
    }

  timing = summarize (samples);
  report (what, n_items, &timing, budgeted);
}

/* The most common non-empty value of @column among the live leads. */
static char *
most_common (const char *path,
             const char *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM leads WHERE deleted = 0"
                                          " AND %s IS NOT NULL GROUP BY 1"
                                          " ORDER BY count(*) DESC, 1 LIMIT 1",
                                          column, column);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return value;
}

/* A name to type: the first and last name of the first lead whose first
 * name has at least four letters. */
static char *
name_to_type (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *name = NULL;

  sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  if (sqlite3_prepare_v2 (db, "SELECT lower(first_name || ' ' || last_name) FROM leads"
                          " WHERE deleted = 0 AND length(first_name) >= 4"
                          " AND last_name IS NOT NULL ORDER BY rowid LIMIT 1",
                          -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return name != NULL ? name : g_strdup ("anna");
}

static const struct
{
  const char     *name;
  TandemLeadSort  sort;
} sorts[] = {
  { "name", TANDEM_LEAD_SORT_NAME },
  { "company", TANDEM_LEAD_SORT_COMPANY },
  { "stage", TANDEM_LEAD_SORT_STAGE },
  { "grade", TANDEM_LEAD_SORT_GRADE },
  { "score", TANDEM_LEAD_SORT_SCORE },
  { "owner", TANDEM_LEAD_SORT_OWNER },
  { "source", TANDEM_LEAD_SORT_SOURCE },
  { "last activity", TANDEM_LEAD_SORT_LAST_ACTIVITY },
  { "days in stage", TANDEM_LEAD_SORT_DAYS_IN_STAGE },
};

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(TandemLeadQuery) query = NULL;
  g_autoptr(TandemRecordList) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *typed = NULL;
  g_autofree char *big_stage = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *persona = NULL;
  g_autofree char *source = NULL;
  g_autoptr(GPtrArray) stages = NULL;
  guint rounds = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 5;
  gint64 start;
  guint n_items;
  Timing timing;

  if (argc < 2)
    {
      g_printerr ("Usage: %s WORKSPACE.db [ROUNDS]\n"
                  "Give it a copy of a large workspace: it is opened read-write.\n",
                  argv[0]);
      return 2;
    }
  rounds = MAX (rounds, 1);

  store = tandem_bench_open_workspace (argv[1], 100000, &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_print ("workspace %s: %" G_GINT64_FORMAT " live leads; budget: typed search and filters"
           " < %.0f ms (DESIGN.md, section 9); %u rounds each\n",
           argv[1], tandem_store_count (store, "leads"), BUDGET_MS, rounds);
  print_baseline ("before", argv[1], rounds);

  /* Opening the table: the first listing, sorted by name, as the table
   * shows it without filters. */
  query = tandem_lead_query_new ();
  start = g_get_monotonic_time ();
  list = make_table_list (query, store);
  n_items = g_list_model_get_n_items (G_LIST_MODEL (list));
  for (guint i = 0; i < MIN (n_items, 30); i++)
    g_object_unref (g_list_model_get_item (G_LIST_MODEL (list), i));
  timing.first = timing.median = timing.max = tandem_bench_elapsed_ms (start);
  g_print ("table open (model made, count and first rows read):\n");
  report ("all leads, by name", n_items, &timing, FALSE);

  g_print ("sort by each column (all leads):\n");
  for (guint i = 0; i < G_N_ELEMENTS (sorts); i++)
    for (int descending = 0; descending <= 1; descending++)
      {
        g_autofree char *what = g_strdup_printf ("by %s, %s", sorts[i].name,
                                                 descending ? "descending" : "ascending");

        tandem_lead_query_set_sort (query, sorts[i].sort, descending);
        time_refresh (what, list, rounds, FALSE);
      }
  tandem_lead_query_set_sort (query, TANDEM_LEAD_SORT_NAME, FALSE);
  refresh_and_show (list);

  /* Typing: GtkSearchEntry and the table wait for a pause, but a slow
   * typist runs one query per letter. */
  typed = name_to_type (argv[1]);
  g_print ("typed search \"%s\", letter by letter (sorted by name):\n", typed);
  for (gsize length = 1; typed[length - 1] != '\0'; length++)
    {
      g_autofree char *prefix = g_strndup (typed, length);
      g_autofree char *what = g_strdup_printf ("\"%s\"", prefix);

      if (typed[length - 1] == ' ')
        continue;
      tandem_lead_query_set_search (query, prefix);
      time_refresh (what, list, rounds, TRUE);
    }
  tandem_lead_query_set_search (query, NULL);

  g_print ("filters over all leads (sorted by name):\n");
  stages = tandem_pipeline_list_stages (store, TRUE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < stages->len; i++)
    {
      const char *stage = tandem_record_get_text (g_ptr_array_index (stages, i), "key");
      const char *stage_list[] = { stage, NULL };
      g_autofree char *what = g_strdup_printf ("stage %s", stage);

      tandem_lead_query_set_stages (query, stage_list);
      time_refresh (what, list, rounds, TRUE);
    }
  tandem_lead_query_set_stages (query, NULL);

  big_stage = most_common (argv[1], "stage");
  owner = most_common (argv[1], "owner_id");
  persona = most_common (argv[1], "persona_id");
  source = most_common (argv[1], "source");

  tandem_lead_query_set_owner (query, owner);
  time_refresh ("owner (most leads)", list, rounds, TRUE);
  tandem_lead_query_set_owner (query, NULL);

  for (guint i = 0; i < 4; i++)
    {
      const char *grade[] = { (const char *[]) { "A", "B", "C", "D" }[i], NULL };
      g_autofree char *what = g_strdup_printf ("grade %s", grade[0]);

      tandem_lead_query_set_grades (query, grade);
      time_refresh (what, list, rounds, TRUE);
    }
  tandem_lead_query_set_grades (query, NULL);

  tandem_lead_query_set_persona (query, persona);
  time_refresh ("persona (most leads)", list, rounds, TRUE);
  tandem_lead_query_set_persona (query, NULL);

  {
    g_autofree char *what = g_strdup_printf ("source %s", source);

    tandem_lead_query_set_source (query, source);
    time_refresh (what, list, rounds, TRUE);
    tandem_lead_query_set_source (query, NULL);
  }

  tandem_lead_query_set_stalled_only (query, TRUE);
  time_refresh ("stalled", list, rounds, TRUE);
  tandem_lead_query_set_stalled_only (query, FALSE);

  {
    const char *stage_list[] = { big_stage, NULL };
    g_autofree char *what = g_strdup_printf ("stage %s", big_stage);
    g_autoptr(TandemLeadQuery) column_query = tandem_lead_query_new ();
    g_autoptr(TandemRecordList) column = NULL;

    /* A sort reads the order once; the filters after it pick from it. */
    tandem_lead_query_set_sort (query, TANDEM_LEAD_SORT_SCORE, TRUE);
    refresh_and_show (list);
    tandem_lead_query_set_stages (query, stage_list);
    g_print ("filter after a change of sort (by score, descending):\n");
    time_refresh (what, list, rounds, TRUE);
    tandem_lead_query_set_stages (query, NULL);
    tandem_lead_query_set_sort (query, TANDEM_LEAD_SORT_NAME, FALSE);
    refresh_and_show (list);

    /* A board column's query keeps no index: it runs once, when the board
     * is first shown, and follows changes row by row after that. */
    g_print ("board column (its own query, SQL sorts, by score descending):\n");
    tandem_lead_query_set_stages (column_query, stage_list);
    tandem_lead_query_set_sort (column_query, TANDEM_LEAD_SORT_SCORE, TRUE);
    column = tandem_lead_query_create_list (column_query, store);
    time_refresh (what, column, rounds, FALSE);
  }

  g_print ("back to no filter:\n");
  time_refresh ("filters cleared", list, rounds, TRUE);

  print_baseline ("after", argv[1], rounds);
  g_print ("%s\n", any_over_budget ? "some figures are over the budget"
                                    : "every search and filter is within the budget");

  return 0;
}
