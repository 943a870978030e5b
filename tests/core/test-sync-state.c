/* test-sync-state.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <sqlite3.h>

#include "core-test-utils.h"

/* Two desktops, A and B, without a server: what one pushes is handed to
 * the other as if pulled, which is all the client side needs. */
typedef struct
{
  char        *dir_a;
  char        *dir_b;
  char        *path_b;
  TandemStore *a;
  TandemStore *b;
  gint64       cursor;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir_a = tandem_test_make_dir ();
  fixture->dir_b = tandem_test_make_dir ();
  fixture->path_b = g_build_filename (fixture->dir_b, "workspace.db", NULL);
  fixture->a = tandem_test_open_store (fixture->dir_a);
  fixture->b = tandem_test_open_store (fixture->dir_b);
  fixture->cursor = 0;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->a);
  g_clear_object (&fixture->b);
  tandem_test_remove_dir (fixture->dir_a);
  tandem_test_remove_dir (fixture->dir_b);
  g_free (fixture->dir_a);
  g_free (fixture->dir_b);
  g_free (fixture->path_b);
}

static gint64
query_b (Fixture    *fixture,
         const char *sql)
{
  return tandem_test_query_int (fixture->path_b, sql);
}

/* Hands A's outbox to B and marks it pushed. Returns the page. */
static GPtrArray *
relay (Fixture              *fixture,
       TandemStore          *from,
       TandemStore          *to,
       TandemSyncApplyStats *stats)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = tandem_sync_read_outbox (from, 0, &error);
  gint64 last_seq = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < page->len; i++)
    last_seq = ((TandemChange *) g_ptr_array_index (page, i))->seq;

  fixture->cursor++;
  g_assert_true (tandem_sync_apply (to, page, fixture->cursor, stats, &error));
  g_assert_no_error (error);
  g_assert_true (tandem_sync_mark_pushed (from, last_seq, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&page);
}

static TandemLead *
new_lead (TandemStore *store,
          const char  *email)
{
  g_autoptr(GError) error = NULL;
  TandemLead *lead = TANDEM_LEAD (tandem_record_new (TANDEM_TYPE_LEAD));

  tandem_record_set_text (TANDEM_RECORD (lead), "first_name", "Ann");
  tandem_record_set_text (TANDEM_RECORD (lead), "email", email);
  g_assert_true (tandem_store_save (store, TANDEM_RECORD (lead), &error));
  g_assert_no_error (error);

  return lead;
}

static TandemLead *
get_lead (TandemStore *store,
          const char  *id)
{
  g_autoptr(GError) error = NULL;
  TandemLead *lead = tandem_store_get (store, TANDEM_TYPE_LEAD, id, &error);

  g_assert_no_error (error);
  return lead;
}

static void
set_email (TandemStore *store,
           const char  *id,
           const char  *email)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemLead) lead = get_lead (store, id);

  g_assert_nonnull (lead);
  tandem_record_set_text (TANDEM_RECORD (lead), "email", email);
  g_assert_true (tandem_store_save (store, TANDEM_RECORD (lead), &error));
  g_assert_no_error (error);
}

static TandemChange *
make_change (const char *table,
             const char *row_id,
             const char *field,
             const char *value_json,
             gint64      hlc,
             const char *site,
             gint64      base_hlc)
{
  TandemChange *change = tandem_change_new ();

  change->table = g_strdup (table);
  change->row_id = g_strdup (row_id);
  change->field = g_strdup (field);
  change->value_json = g_strdup (value_json);
  change->hlc = hlc;
  change->site = g_strdup (site);
  change->base_hlc = base_hlc;

  return change;
}

static GPtrArray *
page_of (TandemChange *first,
         ...)
{
  GPtrArray *page = g_ptr_array_new_with_free_func ((GDestroyNotify) tandem_change_free);
  va_list args;

  va_start (args, first);
  for (TandemChange *change = first; change != NULL; change = va_arg (args, TandemChange *))
    g_ptr_array_add (page, change);
  va_end (args);

  return page;
}

/* The clock of the newest entry for @field of @row_id in B's change log. */
static gint64
last_hlc (const char *db_path,
          const char *row_id,
          const char *field)
{
  g_autofree char *sql = g_strdup_printf ("SELECT hlc FROM change_log WHERE row_id = '%s'"
                                          " AND field = '%s' ORDER BY seq DESC LIMIT 1",
                                          row_id, field);

  return tandem_test_query_int (db_path, sql);
}

static void
test_outbox (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemLead) lead = new_lead (fixture->a, "ann@acme.example");
  g_autofree char *id = g_strdup (tandem_record_get_id (TANDEM_RECORD (lead)));
  g_autoptr(GPtrArray) outbox = NULL;
  TandemChange *change;
  gint64 created_hlc;

  outbox = tandem_sync_read_outbox (fixture->a, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 1);
  change = g_ptr_array_index (outbox, 0);
  g_assert_cmpstr (change->table, ==, "leads");
  g_assert_cmpstr (change->row_id, ==, id);
  g_assert_cmpstr (change->field, ==, "*");
  g_assert_cmpstr (change->site, ==, tandem_store_get_site_id (fixture->a));
  g_assert_cmpint (change->base_hlc, ==, 0);
  g_assert_nonnull (strstr (change->value_json, "\"email\":\"ann@acme.example\""));
  g_assert_nonnull (strstr (change->value_json, "\"deleted\":0"));
  g_assert_nonnull (strstr (change->value_json, "\"stage\":\"lead\""));
  /* Derived fields are computed on each desktop and never travel. */
  g_assert_null (strstr (change->value_json, "\"score\""));
  created_hlc = change->hlc;
  g_clear_pointer (&outbox, g_ptr_array_unref);

  set_email (fixture->a, id, "ann@other.example");
  g_clear_object (&lead);
  lead = get_lead (fixture->a, id);
  tandem_record_set_int (TANDEM_RECORD (lead), "created_at", 1700000000000);
  g_assert_true (tandem_store_save (fixture->a, TANDEM_RECORD (lead), &error));
  g_assert_true (tandem_store_delete (fixture->a, TANDEM_RECORD (lead), &error));
  g_assert_no_error (error);

  g_assert_cmpint (tandem_sync_count_outbox (fixture->a), ==, 4);
  outbox = tandem_sync_read_outbox (fixture->a, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outbox->len, ==, 4);

  change = g_ptr_array_index (outbox, 1);
  g_assert_cmpstr (change->field, ==, "email");
  g_assert_cmpstr (change->value_json, ==, "\"ann@other.example\"");
  g_assert_cmpint (change->base_hlc, ==, created_hlc);
  g_assert_cmpint (change->hlc, >, created_hlc);

  change = g_ptr_array_index (outbox, 2);
  g_assert_cmpstr (change->field, ==, "created_at");
  g_assert_cmpstr (change->value_json, ==, "1700000000000");

  change = g_ptr_array_index (outbox, 3);
  g_assert_cmpstr (change->field, ==, "deleted");
  g_assert_cmpstr (change->value_json, ==, "1");

  /* Oldest first, and a limit takes the oldest. */
  g_clear_pointer (&outbox, g_ptr_array_unref);
  outbox = tandem_sync_read_outbox (fixture->a, 2, &error);
  g_assert_cmpuint (outbox->len, ==, 2);
  g_assert_cmpstr (((TandemChange *) g_ptr_array_index (outbox, 0))->field, ==, "*");

  g_assert_true (tandem_sync_mark_pushed (fixture->a,
                                          ((TandemChange *) g_ptr_array_index (outbox, 1))->seq,
                                          &error));
  g_assert_cmpint (tandem_sync_count_outbox (fixture->a), ==, 2);
  g_clear_pointer (&outbox, g_ptr_array_unref);
  outbox = tandem_sync_read_outbox (fixture->a, 0, &error);
  g_assert_cmpuint (outbox->len, ==, 2);
  g_assert_cmpstr (((TandemChange *) g_ptr_array_index (outbox, 0))->field, ==, "created_at");

  g_assert_true (tandem_sync_mark_pushed (fixture->a, G_MAXINT64, &error));
  g_assert_cmpint (tandem_sync_count_outbox (fixture->a), ==, 0);
}

static void
test_apply_insert_update_delete (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(TandemLead) lead = new_lead (fixture->a, "ann@acme.example");
  const char *id = tandem_record_get_id (TANDEM_RECORD (lead));
  g_autoptr(TandemLead) copy = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *clock_sql = NULL;
  TandemSyncApplyStats stats;

  page = relay (fixture, fixture->a, fixture->b, &stats);
  g_assert_cmpuint (stats.applied, ==, 1);
  g_assert_cmpuint (stats.superseded + stats.conflicts + stats.skipped, ==, 0);

  copy = get_lead (fixture->b, id);
  g_assert_nonnull (copy);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (copy), "email"), ==, "ann@acme.example");
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (copy), "stage"), ==, "lead");
  /* The creator's clock, so later comparisons are exact, kept in the row
   * rather than one clock row per field. */
  clock_sql = g_strdup_printf ("SELECT count(*) FROM leads WHERE id = '%s' AND"
                               " created_site = '%s' AND created_hlc = %" G_GINT64_FORMAT,
                               id, tandem_store_get_site_id (fixture->a),
                               ((TandemChange *) g_ptr_array_index (page, 0))->hlc);
  g_assert_cmpint (query_b (fixture, clock_sql), ==, 1);
  g_assert_cmpint (query_b (fixture, "SELECT count(*) FROM field_clocks"), ==, 0);
  g_assert_cmpint (query_b (fixture, "SELECT count(*) FROM change_log WHERE origin = 'remote'"
                                     " AND pushed = 1 AND field = '*'"), ==, 1);
  g_assert_cmpint (tandem_sync_count_outbox (fixture->b), ==, 0);
  g_assert_cmpint (tandem_sync_get_cursor (fixture->b), ==, fixture->cursor);

  set_email (fixture->a, id, "ann@new.example");
  g_clear_pointer (&page, g_ptr_array_unref);
  page = relay (fixture, fixture->a, fixture->b, &stats);
  g_assert_cmpuint (stats.applied, ==, 1);
  g_clear_object (&copy);
  copy = get_lead (fixture->b, id);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (copy), "email"), ==, "ann@new.example");
  g_clear_pointer (&clock_sql, g_free);
  clock_sql = g_strdup_printf ("SELECT hlc FROM field_clocks WHERE row_id = '%s' AND field = 'email'",
                               id);
  g_assert_cmpint (query_b (fixture, clock_sql), ==,
                   ((TandemChange *) g_ptr_array_index (page, 0))->hlc);

  /* An edit made on B afterwards saw A's value. */
  set_email (fixture->b, id, "ann@b.example");
  {
    g_autoptr(GPtrArray) outbox = tandem_sync_read_outbox (fixture->b, 0, &error);

    g_assert_cmpuint (outbox->len, ==, 1);
    g_assert_cmpint (((TandemChange *) g_ptr_array_index (outbox, 0))->base_hlc, ==,
                     ((TandemChange *) g_ptr_array_index (page, 0))->hlc);
  }

  g_assert_true (tandem_store_delete (fixture->a, TANDEM_RECORD (lead), &error));
  g_assert_no_error (error);
  g_clear_pointer (&page, g_ptr_array_unref);
  page = relay (fixture, fixture->a, fixture->b, &stats);
  g_assert_cmpuint (stats.applied, ==, 1);
  g_clear_object (&copy);
  copy = get_lead (fixture->b, id);
  g_assert_null (copy);
  g_assert_cmpint (tandem_store_count (fixture->b, "leads"), ==, 0);
}

static void
test_last_writer_wins (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(TandemLead) lead = new_lead (fixture->b, "local@b.example");
  const char *id = tandem_record_get_id (TANDEM_RECORD (lead));
  const char *site_b = tandem_store_get_site_id (fixture->b);
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemLead) copy = NULL;
  TandemSyncApplyStats stats;
  gint64 clock;

  set_email (fixture->b, id, "newer@b.example");
  clock = last_hlc (fixture->path_b, id, "email");

  /* Older than B's value: B keeps its own. */
  {
    g_autoptr(GPtrArray) page = page_of (make_change ("leads", id, "email", "\"old@x.example\"",
                                                      clock - 5, "aaaa", clock), NULL);

    g_assert_true (tandem_sync_apply (fixture->b, page, 1, &stats, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (stats.superseded, ==, 1);
    g_assert_cmpuint (stats.applied, ==, 0);
    copy = get_lead (fixture->b, id);
    g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (copy), "email"), ==, "newer@b.example");
    g_clear_object (&copy);
  }

  /* The same clock: the larger site wins. "0" sorts before any 32-digit
   * hex site, "g" after. */
  {
    g_autoptr(GPtrArray) page = page_of (make_change ("leads", id, "email", "\"tie@low.example\"",
                                                      clock, "0", clock), NULL);

    g_assert_cmpint (strcmp ("0", site_b), <, 0);
    g_assert_true (tandem_sync_apply (fixture->b, page, 2, &stats, &error));
    g_assert_cmpuint (stats.superseded, ==, 1);
    copy = get_lead (fixture->b, id);
    g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (copy), "email"), ==, "newer@b.example");
    g_clear_object (&copy);
  }
  {
    g_autoptr(GPtrArray) page = page_of (make_change ("leads", id, "email", "\"tie@high.example\"",
                                                      clock, "g", clock), NULL);

    g_assert_true (tandem_sync_apply (fixture->b, page, 3, &stats, &error));
    g_assert_cmpuint (stats.applied, ==, 1);
    /* It saw B's value (its base is B's clock): an edit, not a conflict. */
    g_assert_cmpuint (stats.conflicts, ==, 0);
    copy = get_lead (fixture->b, id);
    g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (copy), "email"), ==, "tie@high.example");
    g_clear_object (&copy);
  }

  /* Newer than anything: it wins, and the tombstone follows the same rule. */
  {
    g_autoptr(GPtrArray) page = page_of (make_change ("leads", id, "email", "\"newest@x.example\"",
                                                      clock + 10, "aaaa", clock),
                                         make_change ("leads", id, "deleted", "1", clock + 11,
                                                      "aaaa", clock), NULL);

    g_assert_true (tandem_sync_apply (fixture->b, page, 4, &stats, &error));
    g_assert_cmpuint (stats.applied, ==, 2);
    g_assert_null (get_lead (fixture->b, id));
  }
  {
    g_autoptr(GPtrArray) page = page_of (make_change ("leads", id, "deleted", "0", clock + 9,
                                                      "zzzz", clock), NULL);

    g_assert_true (tandem_sync_apply (fixture->b, page, 5, &stats, &error));
    g_assert_cmpuint (stats.superseded, ==, 1);
    g_assert_null (get_lead (fixture->b, id));
  }

  g_assert_true (tandem_sync_wins (10, "a", 9, "z"));
  g_assert_false (tandem_sync_wins (9, "z", 10, "a"));
  g_assert_true (tandem_sync_wins (10, "b", 10, "a"));
  g_assert_false (tandem_sync_wins (10, "a", 10, "a"));
}

static void
test_own_site_and_idempotent (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(TandemLead) lead = new_lead (fixture->a, "ann@acme.example");
  const char *id = tandem_record_get_id (TANDEM_RECORD (lead));
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GPtrArray) own = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemRecord) activity = NULL;
  TandemSyncApplyStats stats;
  gint64 log_rows, clock_rows;

  set_email (fixture->a, id, "ann@two.example");
  activity = tandem_record_new_for_table ("activities", NULL);
  tandem_record_set_text (activity, "lead_id", id);
  tandem_record_set_text (activity, "kind", "page_visit");
  tandem_record_set_int (activity, "occurred_at", 1700000000000);
  g_assert_true (tandem_store_save (fixture->a, activity, &error));
  g_assert_no_error (error);

  page = relay (fixture, fixture->a, fixture->b, &stats);
  g_assert_cmpuint (stats.applied, ==, 3);
  log_rows = query_b (fixture, "SELECT count(*) FROM change_log");
  clock_rows = query_b (fixture, "SELECT count(*) FROM field_clocks");

  /* The same page again (a retried pull) changes nothing. */
  g_assert_true (tandem_sync_apply (fixture->b, page, 1, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.applied, ==, 0);
  g_assert_cmpuint (stats.superseded, ==, 3);
  g_assert_cmpuint (stats.conflicts, ==, 0);
  g_assert_cmpint (query_b (fixture, "SELECT count(*) FROM change_log"), ==, log_rows);
  g_assert_cmpint (query_b (fixture, "SELECT count(*) FROM field_clocks"), ==, clock_rows);
  g_assert_cmpint (query_b (fixture, "SELECT count(*) FROM activities"), ==, 1);
  g_assert_cmpint (query_b (fixture, "SELECT count(*) FROM conflicts"), ==, 0);
  /* A page never moves the cursor back. */
  g_assert_cmpint (tandem_sync_get_cursor (fixture->b), ==, fixture->cursor);

  /* B's own changes coming back from the server are skipped. */
  set_email (fixture->b, id, "ann@b.example");
  own = tandem_sync_read_outbox (fixture->b, 0, &error);
  g_assert_true (tandem_sync_mark_pushed (fixture->b, G_MAXINT64, &error));
  log_rows = query_b (fixture, "SELECT count(*) FROM change_log");
  g_assert_true (tandem_sync_apply (fixture->b, own, 7, &stats, &error));
  g_assert_cmpuint (stats.skipped, ==, 1);
  g_assert_cmpuint (stats.applied + stats.superseded, ==, 0);
  g_assert_cmpint (query_b (fixture, "SELECT count(*) FROM change_log"), ==, log_rows);
  g_assert_cmpint (tandem_sync_get_cursor (fixture->b), ==, 7);
}

static void
assert_rejected (Fixture   *fixture,
                 GPtrArray *page)
{
  g_autoptr(GError) error = NULL;
  TandemSyncApplyStats stats;
  gint64 leads = query_b (fixture, "SELECT count(*) FROM leads");
  gint64 log_rows = query_b (fixture, "SELECT count(*) FROM change_log");
  gint64 cursor = tandem_sync_get_cursor (fixture->b);

  g_assert_false (tandem_sync_apply (fixture->b, page, cursor + 100, &stats, &error));
  g_assert_error (error, TANDEM_SYNC_ERROR, TANDEM_SYNC_ERROR_INVALID);
  g_assert_cmpint (query_b (fixture, "SELECT count(*) FROM leads"), ==, leads);
  g_assert_cmpint (query_b (fixture, "SELECT count(*) FROM change_log"), ==, log_rows);
  g_assert_cmpint (tandem_sync_get_cursor (fixture->b), ==, cursor);
}

static void
test_invalid_page (Fixture       *fixture,
                   gconstpointer  data)
{
  static const struct { const char *table, *field, *value; } bad[] = {
    { "nope", "email", "\"x\"" },
    { "leads", "nope", "\"x\"" },
    { "leads", "score", "10" },             /* derived: never synced */
    { "leads", "email", "12" },             /* a number for a text */
    { "leads", "created_at", "\"soon\"" },  /* a text for a number */
    { "leads", "created_at", "1.5" },
    { "leads", "created_at", "99999999999999999999999" },
    { "leads", "email", "{\"a\": 1}" },
    { "leads", "email", "\"unterminated" },
    { "leads", "deleted", "2" },
    { "leads", "deleted", "null" },
    { "members", "active", "\"yes\"" },
    { "activities", "kind", "\"call\"" },   /* insert-only rows never change */
    { "leads", "*", "[1, 2]" },
    { "leads", "*", "{\"email\": \"a\", \"nope\": 1}" },
    { "leads", "*", "{\"email\": \"a\", \"email\": \"b\"}" },
    { "leads", "*", "{\"email\": 5}" },
  };
  g_autoptr(TandemLead) lead = new_lead (fixture->a, "ann@acme.example");
  g_autoptr(GPtrArray) page = NULL;

  page = relay (fixture, fixture->a, fixture->b, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      /* A good change first: it must not be written either. */
      g_autoptr(GPtrArray) bad_page =
        page_of (make_change ("leads", "9f1c0000-0000-4000-8000-000000000001", "*",
                              "{\"email\": \"good@x.example\", \"deleted\": 0}",
                              tandem_hlc_pack (1700000000000, 0), "aaaa", 0),
                 make_change (bad[i].table, tandem_record_get_id (TANDEM_RECORD (lead)),
                              bad[i].field, bad[i].value, tandem_hlc_pack (1800000000000, 0),
                              "aaaa", 0),
                 NULL);

      g_test_message ("bad change %u: %s.%s = %s", i, bad[i].table, bad[i].field, bad[i].value);
      assert_rejected (fixture, bad_page);
    }

  /* Missing parts and clocks. */
  {
    g_autoptr(GPtrArray) bad_page = page_of (make_change ("leads", "", "email", "\"x\"", 5, "a", 0),
                                             NULL);
    assert_rejected (fixture, bad_page);
  }
  {
    g_autoptr(GPtrArray) bad_page = page_of (make_change ("leads", "r", "email", "\"x\"", 0, "a", 0),
                                             NULL);
    assert_rejected (fixture, bad_page);
  }
}

static void
test_conflicts (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(TandemLead) lead = new_lead (fixture->a, "ann@acme.example");
  const char *id = tandem_record_get_id (TANDEM_RECORD (lead));
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemLead) copy = NULL;
  TandemConflict *conflict;
  TandemSyncApplyStats stats;
  gint64 hlc_a, hlc_b;
  gboolean a_wins;
  const char *winner, *loser;

  page = relay (fixture, fixture->a, fixture->b, NULL);
  g_clear_pointer (&page, g_ptr_array_unref);

  /* Both edit the same field while apart. */
  set_email (fixture->a, id, "a@edit.example");
  set_email (fixture->b, id, "b@edit.example");
  hlc_b = last_hlc (fixture->path_b, id, "email");
  page = relay (fixture, fixture->a, fixture->b, &stats);
  hlc_a = ((TandemChange *) g_ptr_array_index (page, 0))->hlc;
  a_wins = tandem_sync_wins (hlc_a, tandem_store_get_site_id (fixture->a),
                             hlc_b, tandem_store_get_site_id (fixture->b));
  winner = a_wins ? "\"a@edit.example\"" : "\"b@edit.example\"";
  loser = a_wins ? "\"b@edit.example\"" : "\"a@edit.example\"";

  g_assert_cmpuint (stats.conflicts, ==, 1);
  g_assert_cmpint (tandem_sync_count_conflicts (fixture->b), ==, 1);
  conflicts = tandem_sync_list_conflicts (fixture->b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  conflict = g_ptr_array_index (conflicts, 0);
  g_assert_cmpstr (conflict->table, ==, "leads");
  g_assert_cmpstr (conflict->row_id, ==, id);
  g_assert_cmpstr (conflict->field, ==, "email");
  g_assert_cmpstr (conflict->kept_value_json, ==, winner);
  g_assert_cmpstr (conflict->other_value_json, ==, loser);
  g_assert_cmpint (conflict->kept_hlc, ==, a_wins ? hlc_a : hlc_b);
  g_assert_cmpint (conflict->other_hlc, ==, a_wins ? hlc_b : hlc_a);
  g_assert_cmpstr (conflict->kept_site, ==,
                   tandem_store_get_site_id (a_wins ? fixture->a : fixture->b));
  g_assert_cmpint (conflict->detected_at, >, 0);

  /* "Keep theirs": the other value comes back as a new edit that syncs. */
  g_assert_cmpint (tandem_sync_count_outbox (fixture->b), ==, 1);
  g_assert_true (tandem_sync_resolve_conflict (fixture->b, conflict->id, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tandem_sync_count_conflicts (fixture->b), ==, 0);
  g_assert_cmpint (tandem_sync_count_outbox (fixture->b), ==, 2);
  copy = get_lead (fixture->b, id);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (copy), "email"), ==,
                   a_wins ? "b@edit.example" : "a@edit.example");
  g_clear_object (&copy);

  /* Resolved once only. */
  g_assert_false (tandem_sync_resolve_conflict (fixture->b, conflict->id, TRUE, &error));
  g_assert_error (error, TANDEM_SYNC_ERROR, TANDEM_SYNC_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Another conflict, on the phone, resolved by keeping the winner. */
  g_clear_pointer (&page, g_ptr_array_unref);
  g_clear_pointer (&conflicts, g_ptr_array_unref);
  g_assert_true (tandem_sync_mark_pushed (fixture->b, G_MAXINT64, &error));
  copy = get_lead (fixture->a, id);
  tandem_record_set_text (TANDEM_RECORD (copy), "phone", "+1 555 0100");
  g_assert_true (tandem_store_save (fixture->a, TANDEM_RECORD (copy), &error));
  g_clear_object (&copy);
  copy = get_lead (fixture->b, id);
  tandem_record_set_text (TANDEM_RECORD (copy), "phone", "+1 555 0199");
  g_assert_true (tandem_store_save (fixture->b, TANDEM_RECORD (copy), &error));
  g_clear_object (&copy);
  g_assert_no_error (error);

  page = relay (fixture, fixture->a, fixture->b, &stats);
  g_assert_cmpuint (stats.conflicts, ==, 1);
  conflicts = tandem_sync_list_conflicts (fixture->b, &error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  conflict = g_ptr_array_index (conflicts, 0);
  g_assert_cmpstr (conflict->field, ==, "phone");
  copy = get_lead (fixture->b, id);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (copy), "phone"), ==,
                   strstr (conflict->kept_value_json, "0100") ? "+1 555 0100" : "+1 555 0199");
  g_clear_object (&copy);

  g_assert_true (tandem_sync_resolve_conflict (fixture->b, conflict->id, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tandem_sync_count_conflicts (fixture->b), ==, 0);
  g_assert_cmpint (tandem_sync_count_outbox (fixture->b), ==, 1);
  g_assert_cmpint (query_b (fixture, "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL"),
                   ==, 0);

  /* The same value written on both sides is no conflict. */
  g_clear_pointer (&page, g_ptr_array_unref);
  g_assert_true (tandem_sync_mark_pushed (fixture->b, G_MAXINT64, &error));
  set_email (fixture->a, id, "same@x.example");
  set_email (fixture->b, id, "same@x.example");
  page = relay (fixture, fixture->a, fixture->b, &stats);
  g_assert_cmpuint (stats.conflicts, ==, 0);
}

static void
test_conflict_on_delete (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(TandemLead) lead = new_lead (fixture->a, "ann@acme.example");
  const char *id = tandem_record_get_id (TANDEM_RECORD (lead));
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemLead) copy = NULL;
  TandemConflict *conflict;
  gint64 when;

  page = relay (fixture, fixture->a, fixture->b, NULL);
  g_clear_pointer (&page, g_ptr_array_unref);

  /* B deletes; a remote restore that never saw the delete loses. */
  copy = get_lead (fixture->b, id);
  g_assert_true (tandem_store_delete (fixture->b, TANDEM_RECORD (copy), &error));
  g_clear_object (&copy);
  when = last_hlc (fixture->path_b, id, "deleted");
  page = page_of (make_change ("leads", id, "deleted", "1", when - 3, "aaaa", 0),
                  make_change ("leads", id, "deleted", "0", when - 2, "aaaa", when - 3), NULL);
  g_assert_true (tandem_sync_apply (fixture->b, page, 1, NULL, &error));
  g_assert_no_error (error);

  conflicts = tandem_sync_list_conflicts (fixture->b, &error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  conflict = g_ptr_array_index (conflicts, 0);
  g_assert_cmpstr (conflict->field, ==, "deleted");
  g_assert_cmpstr (conflict->kept_value_json, ==, "1");
  g_assert_cmpstr (conflict->other_value_json, ==, "0");
  g_assert_null (get_lead (fixture->b, id));

  /* Keeping the other side restores the row, as a local edit. */
  g_assert_true (tandem_sync_resolve_conflict (fixture->b, conflict->id, TRUE, &error));
  g_assert_no_error (error);
  copy = get_lead (fixture->b, id);
  g_assert_nonnull (copy);
  g_assert_cmpint (last_hlc (fixture->path_b, id, "deleted"), >, when);
}

static void
test_hlc_advances (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(TandemLead) lead = new_lead (fixture->b, "ann@acme.example");
  const char *id = tandem_record_get_id (TANDEM_RECORD (lead));
  /* A desktop whose clock runs a day ahead. */
  gint64 future = tandem_hlc_pack (g_get_real_time () / 1000 + 24 * 3600 * 1000, 7);
  g_autoptr(GPtrArray) page = page_of (make_change ("leads", id, "phone", "\"+1 555\"", future,
                                                    "aaaa", 0), NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (tandem_sync_apply (fixture->b, page, 1, NULL, &error));
  g_assert_no_error (error);

  set_email (fixture->b, id, "later@b.example");
  g_assert_cmpint (last_hlc (fixture->path_b, id, "email"), >, future);

  /* The advance is persisted with the commit. */
  g_clear_object (&fixture->b);
  fixture->b = tandem_test_open_store (fixture->dir_b);
  set_email (fixture->b, id, "reopened@b.example");
  g_assert_cmpint (last_hlc (fixture->path_b, id, "email"), >, future + 1);
}

static void
test_cursor_transaction (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) empty = g_ptr_array_new ();
  gint64 hlc = tandem_hlc_pack (1700000000000, 0);

  g_assert_cmpint (tandem_sync_get_cursor (fixture->b), ==, 0);
  g_assert_true (tandem_sync_apply (fixture->b, empty, 42, NULL, &error));
  g_assert_cmpint (tandem_sync_get_cursor (fixture->b), ==, 42);
  g_assert_cmpint (query_b (fixture, "SELECT value FROM meta WHERE key = 'sync_cursor'"), ==, 42);

  /* A well-formed page that fails while being applied (an activity of a
   * lead that does not exist breaks a foreign key at commit) leaves the
   * cursor and every row as they were. */
  {
    g_autoptr(GPtrArray) page =
      page_of (make_change ("leads", "lead-1", "*", "{\"email\": \"x@y.example\", \"deleted\": 0}",
                            hlc, "aaaa", 0),
               make_change ("activities", "act-1", "*",
                            "{\"lead_id\": \"no-such-lead\", \"kind\": \"call\","
                            " \"occurred_at\": 1700000000000, \"deleted\": 0}", hlc + 1, "aaaa", 0),
               NULL);

    g_assert_false (tandem_sync_apply (fixture->b, page, 50, NULL, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_assert_cmpint (tandem_sync_get_cursor (fixture->b), ==, 42);
    g_assert_cmpint (query_b (fixture, "SELECT count(*) FROM leads"), ==, 0);
    g_assert_cmpint (query_b (fixture, "SELECT count(*) FROM change_log"), ==, 0);
  }

  /* Client state in meta. */
  g_assert_true (tandem_sync_set_meta (fixture->b, "sync_server", "https://sync.example", &error));
  {
    g_autofree char *server = tandem_sync_get_meta (fixture->b, "sync_server");
    g_assert_cmpstr (server, ==, "https://sync.example");
  }
  g_assert_true (tandem_sync_set_meta (fixture->b, "sync_server", NULL, &error));
  g_assert_null (tandem_sync_get_meta (fixture->b, "sync_server"));
}

static void
test_derived_fields (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(TandemLead) lead = new_lead (fixture->a, "ann@acme.example");
  const char *id = tandem_record_get_id (TANDEM_RECORD (lead));
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemRecord) activity = NULL;
  g_autoptr(TandemLead) copy = NULL;
  gint64 occurred_at = g_get_real_time () / 1000 - 3600 * 1000;
  int score_before;

  g_assert_true (tandem_scoring_install_defaults (fixture->b, &error));
  g_assert_no_error (error);

  page = relay (fixture, fixture->a, fixture->b, NULL);
  copy = get_lead (fixture->b, id);
  score_before = tandem_record_get_int (TANDEM_RECORD (copy), "engagement_score");
  g_assert_cmpint (tandem_record_get_int (TANDEM_RECORD (copy), "last_activity_at"), ==, 0);
  g_clear_object (&copy);

  activity = tandem_record_new_for_table ("activities", NULL);
  tandem_record_set_text (activity, "kind", "form_fill");
  tandem_record_set_int (activity, "occurred_at", occurred_at);
  g_assert_true (tandem_pipeline_add_activity (fixture->a, lead, activity, &error));
  g_assert_no_error (error);

  g_clear_pointer (&page, g_ptr_array_unref);
  page = relay (fixture, fixture->a, fixture->b, NULL);
  copy = get_lead (fixture->b, id);
  g_assert_cmpint (tandem_record_get_int (TANDEM_RECORD (copy), "last_activity_at"), ==,
                   occurred_at);
  g_assert_cmpint (tandem_record_get_int (TANDEM_RECORD (copy), "engagement_score"), >,
                   score_before);
  g_assert_cmpint (tandem_record_get_int (TANDEM_RECORD (copy), "score"), >, 0);
}

typedef struct
{
  GPtrArray *heard;
} Listener;

static void
on_changed (TandemStore *store,
            const char  *table,
            const char  *row_id,
            int          kind,
            gpointer     user_data)
{
  Listener *listener = user_data;

  g_ptr_array_add (listener->heard, g_strdup_printf ("%s %s %d", table, row_id, kind));
}

static void
test_notifications (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(TandemLead) lead = new_lead (fixture->a, "ann@acme.example");
  const char *id = tandem_record_get_id (TANDEM_RECORD (lead));
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *added = g_strdup_printf ("leads %s %d", id, TANDEM_CHANGE_ADDED);
  g_autofree char *updated = g_strdup_printf ("leads %s %d", id, TANDEM_CHANGE_UPDATED);
  g_autofree char *removed = g_strdup_printf ("leads %s %d", id, TANDEM_CHANGE_REMOVED);
  Listener listener = { g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(TandemRecordList) list = NULL;

  list = tandem_record_list_new (fixture->b, TANDEM_TYPE_LEAD);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_signal_connect (fixture->b, "changed", G_CALLBACK (on_changed), &listener);

  page = relay (fixture, fixture->a, fixture->b, NULL);
  g_assert_true (g_ptr_array_find_with_equal_func (listener.heard, added, g_str_equal, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);

  g_ptr_array_set_size (listener.heard, 0);
  set_email (fixture->a, id, "ann@new.example");
  g_clear_pointer (&page, g_ptr_array_unref);
  page = relay (fixture, fixture->a, fixture->b, NULL);
  g_assert_true (g_ptr_array_find_with_equal_func (listener.heard, updated, g_str_equal, NULL));

  g_ptr_array_set_size (listener.heard, 0);
  g_assert_true (tandem_store_delete (fixture->a, TANDEM_RECORD (lead), &error));
  g_clear_pointer (&page, g_ptr_array_unref);
  page = relay (fixture, fixture->a, fixture->b, NULL);
  g_assert_true (g_ptr_array_find_with_equal_func (listener.heard, removed, g_str_equal, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);

  /* A rejected page says nothing. */
  g_ptr_array_set_size (listener.heard, 0);
  {
    g_autoptr(GPtrArray) bad = page_of (make_change ("leads", id, "nope", "1", 5, "aaaa", 0), NULL);

    g_assert_false (tandem_sync_apply (fixture->b, bad, 99, NULL, &error));
    g_clear_error (&error);
  }
  g_assert_cmpuint (listener.heard->len, ==, 0);

  g_signal_handlers_disconnect_by_data (fixture->b, &listener);
  g_ptr_array_unref (listener.heard);
}

static void
test_snapshot (Fixture       *fixture,
               gconstpointer  data)
{
  const char *site = "5e7e0000000000000000000000000001";
  gint64 base = tandem_hlc_pack (1700000000000, 0);
  g_autoptr(GPtrArray) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemLead) copy = NULL;
  g_autoptr(TandemLead) local = NULL;
  const char *local_id;
  g_autofree char *sql = NULL;

  /* A lead of the server's, one field edited after creation. */
  snapshot = page_of (make_change ("leads", "lead-s", "first_name", "\"Sam\"", base, site, 0),
                      make_change ("leads", "lead-s", "email", "\"sam@new.example\"", base + 5, site, 0),
                      make_change ("leads", "lead-s", "stage", "\"lead\"", base, site, 0),
                      make_change ("leads", "lead-s", "deleted", "0", base, site, 0),
                      make_change ("activities", "act-s", "lead_id", "\"lead-s\"", base + 1, site, 0),
                      make_change ("activities", "act-s", "kind", "\"call\"", base + 1, site, 0),
                      make_change ("activities", "act-s", "occurred_at", "1700000000000", base + 1,
                                   site, 0),
                      make_change ("activities", "act-s", "deleted", "0", base + 1, site, 0),
                      NULL);
  g_assert_true (tandem_sync_apply_snapshot (fixture->b, snapshot, 1300, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tandem_sync_get_cursor (fixture->b), ==, 1300);
  copy = get_lead (fixture->b, "lead-s");
  g_assert_nonnull (copy);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (copy), "email"), ==, "sam@new.example");
  g_assert_cmpint (tandem_record_get_int (TANDEM_RECORD (copy), "last_activity_at"), ==,
                   1700000000000);
  g_clear_object (&copy);
  g_assert_cmpint (query_b (fixture, "SELECT count(*) FROM activities"), ==, 1);
  sql = g_strdup_printf ("SELECT hlc FROM field_clocks WHERE row_id = 'lead-s' AND field = 'email'");
  g_assert_cmpint (query_b (fixture, sql), ==, base + 5);
  g_assert_cmpint (tandem_sync_count_outbox (fixture->b), ==, 0);

  /* A later edit here, not pushed yet, survives a snapshot of the same
   * state, and an older local value gives way to a newer one. */
  set_email (fixture->b, "lead-s", "mine@b.example");
  local = new_lead (fixture->b, "local@b.example");
  local_id = tandem_record_get_id (TANDEM_RECORD (local));
  g_ptr_array_add (snapshot, make_change ("leads", "lead-s", "phone", "\"+1 555\"",
                                          tandem_hlc_pack (g_get_real_time () / 1000 + 60000, 0),
                                          site, 0));
  g_assert_true (tandem_sync_apply_snapshot (fixture->b, snapshot, 1200, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tandem_sync_get_cursor (fixture->b), ==, 1200);
  copy = get_lead (fixture->b, "lead-s");
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (copy), "email"), ==, "mine@b.example");
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (copy), "phone"), ==, "+1 555");
  g_clear_object (&copy);
  copy = get_lead (fixture->b, local_id);
  g_assert_nonnull (copy);
  g_assert_cmpint (tandem_sync_count_outbox (fixture->b), ==, 2);
  g_assert_cmpint (query_b (fixture, "SELECT count(*) FROM activities"), ==, 1);
}

/* The one open conflict of @store, which must be an edit against a
 * delete made on @deleter and edited on @editor. */
static TandemConflict *
only_delete_conflict (TandemStore *store,
                      const char  *row_id,
                      const char  *deleter,
                      const char  *editor)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conflicts = tandem_sync_list_conflicts (store, &error);
  TandemConflict *conflict;

  g_assert_no_error (error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  conflict = g_ptr_array_steal_index (conflicts, 0);
  g_assert_cmpstr (conflict->table, ==, "leads");
  g_assert_cmpstr (conflict->row_id, ==, row_id);
  g_assert_cmpstr (conflict->field, ==, "deleted");
  g_assert_cmpstr (conflict->kept_value_json, ==, "1");
  g_assert_cmpstr (conflict->other_value_json, ==, "0");
  g_assert_cmpstr (conflict->kept_site, ==, deleter);
  g_assert_cmpstr (conflict->other_site, ==, editor);

  return conflict;
}

static void
test_edit_against_delete (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(TandemLead) lead = new_lead (fixture->a, "ann@acme.example");
  g_autofree char *id = g_strdup (tandem_record_get_id (TANDEM_RECORD (lead)));
  const char *site_a = tandem_store_get_site_id (fixture->a);
  const char *site_b = tandem_store_get_site_id (fixture->b);
  g_autoptr(TandemConflict) conflict_a = NULL;
  g_autoptr(TandemConflict) conflict_b = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemLead) copy = NULL;
  TandemSyncApplyStats stats;

  page = relay (fixture, fixture->a, fixture->b, NULL);
  g_clear_pointer (&page, g_ptr_array_unref);

  /* While apart, A deletes the lead and B changes its phone. */
  g_assert_true (tandem_store_delete (fixture->a, TANDEM_RECORD (lead), &error));
  g_assert_no_error (error);
  copy = get_lead (fixture->b, id);
  tandem_record_set_text (TANDEM_RECORD (copy), "phone", "+1 555 0142");
  g_assert_true (tandem_store_save (fixture->b, TANDEM_RECORD (copy), &error));
  g_assert_no_error (error);
  g_clear_object (&copy);

  /* The delete reaches B, whose edit it never saw. */
  page = relay (fixture, fixture->a, fixture->b, &stats);
  g_clear_pointer (&page, g_ptr_array_unref);
  g_assert_cmpuint (stats.conflicts, ==, 1);
  g_assert_null (get_lead (fixture->b, id));
  conflict_b = only_delete_conflict (fixture->b, id, site_a, site_b);
  g_assert_cmpint (conflict_b->other_hlc, ==, last_hlc (fixture->path_b, id, "phone"));

  /* The edit reaches A's tombstone. */
  page = relay (fixture, fixture->b, fixture->a, &stats);
  g_clear_pointer (&page, g_ptr_array_unref);
  g_assert_cmpuint (stats.conflicts, ==, 1);
  g_assert_null (get_lead (fixture->a, id));
  conflict_a = only_delete_conflict (fixture->a, id, site_a, site_b);
  g_assert_cmpint (conflict_a->kept_hlc, ==, conflict_b->kept_hlc);
  g_assert_cmpint (conflict_a->other_hlc, ==, conflict_b->other_hlc);

  /* A keeps the delete: only the list changes. */
  g_assert_true (tandem_sync_resolve_conflict (fixture->a, conflict_a->id, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tandem_sync_count_conflicts (fixture->a), ==, 0);
  g_assert_cmpint (tandem_sync_count_outbox (fixture->a), ==, 0);
  g_assert_null (get_lead (fixture->a, id));

  /* B restores the row, which comes back with the edit, on both sides. */
  g_assert_true (tandem_sync_resolve_conflict (fixture->b, conflict_b->id, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tandem_sync_count_conflicts (fixture->b), ==, 0);
  copy = get_lead (fixture->b, id);
  g_assert_nonnull (copy);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (copy), "phone"), ==, "+1 555 0142");
  g_clear_object (&copy);

  page = relay (fixture, fixture->b, fixture->a, &stats);
  g_assert_cmpuint (stats.conflicts, ==, 0);
  copy = get_lead (fixture->a, id);
  g_assert_nonnull (copy);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (copy), "phone"), ==, "+1 555 0142");
  g_assert_cmpint (tandem_sync_count_conflicts (fixture->a), ==, 0);
}

/* What a desktop can tell about who saw what, with pages as the server
 * would send them: "aaaa" deletes a lead of B's that B edited. */
static void
test_edit_against_delete_order (Fixture       *fixture,
                                gconstpointer  data)
{
  const char *site_b = tandem_store_get_site_id (fixture->b);
  g_autoptr(TandemLead) lead = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemConflict) conflict = NULL;
  TandemSyncApplyStats stats;
  const char *id;
  gint64 created, edit;

  /* The edit reached the server before the delete, which is clocked
   * later: the deleting desktop may have seen it, so no conflict here. */
  lead = new_lead (fixture->b, "ann@acme.example");
  id = tandem_record_get_id (TANDEM_RECORD (lead));
  set_email (fixture->b, id, "ann@edit.example");
  created = last_hlc (fixture->path_b, id, "*");
  edit = last_hlc (fixture->path_b, id, "email");
  g_assert_true (tandem_sync_mark_pushed (fixture->b, G_MAXINT64, &error));
  page = page_of (make_change ("leads", id, "email", "\"ann@edit.example\"", edit, site_b, created),
                  make_change ("leads", id, "deleted", "1", edit + 10, "aaaa", created), NULL);
  g_assert_true (tandem_sync_apply (fixture->b, page, 2, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.conflicts, ==, 0);
  g_assert_cmpint (tandem_sync_count_conflicts (fixture->b), ==, 0);
  g_clear_pointer (&page, g_ptr_array_unref);
  g_clear_object (&lead);

  /* The delete reached the server first, though clocked after the edit:
   * it cannot have seen it. */
  lead = new_lead (fixture->b, "bob@acme.example");
  id = tandem_record_get_id (TANDEM_RECORD (lead));
  set_email (fixture->b, id, "bob@edit.example");
  created = last_hlc (fixture->path_b, id, "*");
  edit = last_hlc (fixture->path_b, id, "email");
  g_assert_true (tandem_sync_mark_pushed (fixture->b, G_MAXINT64, &error));
  page = page_of (make_change ("leads", id, "deleted", "1", edit + 10, "aaaa", created),
                  make_change ("leads", id, "email", "\"bob@edit.example\"", edit, site_b, created),
                  NULL);
  g_assert_true (tandem_sync_apply (fixture->b, page, 4, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.conflicts, ==, 1);
  conflict = only_delete_conflict (fixture->b, id, "aaaa", site_b);
  g_assert_cmpint (conflict->kept_hlc, ==, edit + 10);
  g_assert_cmpint (conflict->other_hlc, ==, edit);

  /* The same page again (a retried pull) lists nothing twice. */
  g_assert_true (tandem_sync_apply (fixture->b, page, 4, &stats, &error));
  g_assert_cmpint (tandem_sync_count_conflicts (fixture->b), ==, 1);
  g_assert_true (tandem_sync_resolve_conflict (fixture->b, conflict->id, FALSE, &error));
  g_clear_pointer (&page, g_ptr_array_unref);
  g_clear_pointer (&conflict, tandem_conflict_free);
  g_clear_object (&lead);

  /* An edit clocked after the delete was not seen by it, whatever the
   * order; two edits make one conflict. */
  lead = new_lead (fixture->b, "cleo@acme.example");
  id = tandem_record_get_id (TANDEM_RECORD (lead));
  g_assert_true (tandem_sync_mark_pushed (fixture->b, G_MAXINT64, &error));
  edit = last_hlc (fixture->path_b, id, "*");
  page = page_of (make_change ("leads", id, "deleted", "1", edit + 1, "aaaa", edit),
                  make_change ("leads", id, "phone", "\"+1 555\"", edit + 5, "cccc", edit),
                  make_change ("leads", id, "job_title", "\"CEO\"", edit + 6, "cccc", edit), NULL);
  g_assert_true (tandem_sync_apply (fixture->b, page, 7, &stats, &error));
  g_assert_no_error (error);
  conflict = only_delete_conflict (fixture->b, id, "aaaa", "cccc");
  g_assert_cmpint (conflict->other_hlc, ==, edit + 5);
  g_assert_true (tandem_sync_resolve_conflict (fixture->b, conflict->id, FALSE, &error));
  g_clear_pointer (&page, g_ptr_array_unref);
  g_clear_pointer (&conflict, tandem_conflict_free);
  g_clear_object (&lead);

  /* A delete and an edit from the same desktop are one person's doing. */
  lead = new_lead (fixture->b, "dan@acme.example");
  id = tandem_record_get_id (TANDEM_RECORD (lead));
  edit = last_hlc (fixture->path_b, id, "*");
  page = page_of (make_change ("leads", id, "phone", "\"+1 555\"", edit + 5, "aaaa", edit),
                  make_change ("leads", id, "deleted", "1", edit + 6, "aaaa", edit), NULL);
  g_assert_true (tandem_sync_apply (fixture->b, page, 9, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.conflicts, ==, 0);
  g_assert_cmpint (tandem_sync_count_conflicts (fixture->b), ==, 0);
}

/* A snapshot has no order: only a delete made here tells for sure that an
 * edit in it was not seen. */
static void
test_edit_against_delete_snapshot (Fixture       *fixture,
                                   gconstpointer  data)
{
  const char *site_b = tandem_store_get_site_id (fixture->b);
  g_autoptr(TandemLead) lead = new_lead (fixture->b, "ann@acme.example");
  const char *id = tandem_record_get_id (TANDEM_RECORD (lead));
  g_autoptr(GPtrArray) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemConflict) conflict = NULL;
  gint64 created = last_hlc (fixture->path_b, id, "*");
  gint64 deleted;

  /* The edit below is clocked just before the delete, so the delete must
   * come in a later millisecond than the creation: in the same one, that
   * clock would be the creation's own, which is no edit at all. */
  while (g_get_real_time () / 1000 <= tandem_hlc_get_millis (created))
    g_usleep (100);
  g_assert_true (tandem_store_delete (fixture->b, TANDEM_RECORD (lead), &error));
  deleted = last_hlc (fixture->path_b, id, "deleted");
  g_assert_cmpint (deleted - 1, >, created);

  snapshot = page_of (make_change ("leads", id, "email", "\"ann@acme.example\"", created, site_b, 0),
                      make_change ("leads", id, "phone", "\"+1 555\"", deleted - 1, "aaaa", 0),
                      make_change ("leads", id, "deleted", "0", created, site_b, 0), NULL);
  g_assert_true (tandem_sync_apply_snapshot (fixture->b, snapshot, 10, &error));
  g_assert_no_error (error);
  g_assert_null (get_lead (fixture->b, id));
  conflict = only_delete_conflict (fixture->b, id, site_b, "aaaa");
  g_assert_cmpint (conflict->kept_hlc, ==, deleted);
  g_assert_cmpint (conflict->other_hlc, ==, deleted - 1);
  g_clear_pointer (&snapshot, g_ptr_array_unref);

  /* Another desktop's delete and another's edit, both in a snapshot. */
  snapshot = page_of (make_change ("leads", "lead-s", "email", "\"s@x.example\"", created, "aaaa", 0),
                      make_change ("leads", "lead-s", "deleted", "0", created, "aaaa", 0), NULL);
  g_assert_true (tandem_sync_apply_snapshot (fixture->b, snapshot, 11, &error));
  g_clear_pointer (&snapshot, g_ptr_array_unref);
  snapshot = page_of (make_change ("leads", "lead-s", "deleted", "1", created + 5, "aaaa", 0),
                      make_change ("leads", "lead-s", "phone", "\"+1\"", created + 3, "cccc", 0), NULL);
  g_assert_true (tandem_sync_apply_snapshot (fixture->b, snapshot, 12, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tandem_sync_count_conflicts (fixture->b), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/core/sync-state/outbox", test_outbox);
  ADD ("/core/sync-state/apply", test_apply_insert_update_delete);
  ADD ("/core/sync-state/last-writer-wins", test_last_writer_wins);
  ADD ("/core/sync-state/own-site-and-idempotent", test_own_site_and_idempotent);
  ADD ("/core/sync-state/invalid-page", test_invalid_page);
  ADD ("/core/sync-state/conflicts", test_conflicts);
  ADD ("/core/sync-state/conflict-on-delete", test_conflict_on_delete);
  ADD ("/core/sync-state/hlc-advances", test_hlc_advances);
  ADD ("/core/sync-state/cursor-transaction", test_cursor_transaction);
  ADD ("/core/sync-state/derived-fields", test_derived_fields);
  ADD ("/core/sync-state/notifications", test_notifications);
  ADD ("/core/sync-state/snapshot", test_snapshot);
  ADD ("/core/sync-state/edit-against-delete", test_edit_against_delete);
  ADD ("/core/sync-state/edit-against-delete-order", test_edit_against_delete_order);
  ADD ("/core/sync-state/edit-against-delete-snapshot", test_edit_against_delete_snapshot);
#undef ADD

  return g_test_run ();
}
