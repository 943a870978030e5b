/* test-sample.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <sqlite3.h>
#include <string.h>

#include "core-test-utils.h"

/* 2026-03-15 00:00 UTC: a fixed end of history, so runs on different days
 * compare equal. */
#define TEST_NOW G_GINT64_CONSTANT (1773532800000)
#define TEST_SEED 42

typedef struct
{
  guint  calls;
  double last;
} ProgressLog;

static void
record_progress (double   fraction,
                 gpointer user_data)
{
  ProgressLog *log = user_data;

  g_assert_cmpfloat (fraction, >=, log->last);
  g_assert_cmpfloat (fraction, <=, 1.0);
  log->last = fraction;
  log->calls++;
}

static char *
generate_into (const char *dir,
               const char *name,
               guint       n_leads,
               guint64     seed)
{
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  store = tandem_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (tandem_sample_generate (store, n_leads, seed, TEST_NOW, NULL, NULL, &error));
  g_assert_no_error (error);

  return path;
}

/* A digest of every live and deleted row of @table with its fields, leaving
 * out the clock and the time of writing, which differ between runs. */
static char *
table_digest (sqlite3               *db,
              const TandemTableSpec *spec)
{
  g_autoptr(GString) sql = g_string_new ("SELECT id, deleted");
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  sqlite3_stmt *stmt = NULL;
  guint rows = 0;
  int rc;

  for (guint i = 0; i < spec->n_fields; i++)
    g_string_append_printf (sql, ", %s", spec->fields[i].name);
  g_string_append_printf (sql, " FROM %s ORDER BY id", spec->name);

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql->str, -1, &stmt, NULL), ==, SQLITE_OK);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (int column = 0; column < sqlite3_column_count (stmt); column++)
        {
          const char *text = (const char *) sqlite3_column_text (stmt, column);

          g_checksum_update (checksum, (const guchar *) (text ? text : "\x01"), -1);
          g_checksum_update (checksum, (const guchar *) "\x1f", 1);
        }
      g_checksum_update (checksum, (const guchar *) "\x1e", 1);
      rows++;
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  return g_strdup_printf ("%s %u %s", spec->name, rows, g_checksum_get_string (checksum));
}

static GStrv
workspace_digests (const char *path)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const TandemTableSpec **tables;
  sqlite3 *db = NULL;
  guint n_tables;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);

  tables = tandem_schema_tables (&n_tables);
  for (guint i = 0; i < n_tables; i++)
    {
      g_autofree char *digest = table_digest (db, tables[i]);
      g_strv_builder_add (builder, digest);
    }

  sqlite3_close (db);
  return g_strv_builder_end (builder);
}

static void
test_counts (void)
{
  g_autofree char *dir = tandem_test_make_dir ();
  g_autoptr(TandemStore) store = tandem_test_open_store (dir);
  g_autoptr(GPtrArray) personas = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *currency = NULL;
  ProgressLog log = { 0, 0.0 };
  gint64 members;

  g_assert_true (tandem_sample_generate (store, 300, TEST_SEED, TEST_NOW, record_progress, &log,
                                         &error));
  g_assert_no_error (error);

  /* About a hundred progress reports, ending with the whole. */
  g_assert_cmpuint (log.calls, >=, 50);
  g_assert_cmpuint (log.calls, <=, 150);
  g_assert_cmpfloat (log.last, ==, 1.0);

  members = tandem_store_count (store, "members");
  g_assert_cmpint (members, >=, 8);
  g_assert_cmpint (members, <=, 12);
  g_assert_cmpint (tandem_store_count (store, "icps"), ==, 3);
  g_assert_cmpint (tandem_store_count (store, "personas"), ==, 6);
  g_assert_cmpint (tandem_store_count (store, "leads"), ==, 300);
  g_assert_cmpint (tandem_store_count (store, "companies"), >=, 20);
  g_assert_cmpint (tandem_store_count (store, "activities"), >, 300 * 5);
  g_assert_cmpint (tandem_store_count (store, "stage_history"), >=, 300);
  g_assert_cmpint (tandem_store_count (store, "deals"), >, 0);
  g_assert_cmpint (tandem_store_count (store, "deal_contacts"), >, 0);
  g_assert_cmpint (tandem_store_count (store, "assets"), ==, 40);
  g_assert_cmpint (tandem_store_count (store, "asset_personas"), >=, 40);
  g_assert_cmpint (tandem_store_count (store, "agreements"), ==, 1);
  g_assert_cmpint (tandem_store_count (store, "agreement_terms"), ==, 8);
  g_assert_cmpint (tandem_store_count (store, "agreement_periods"), ==, 4);
  g_assert_cmpint (tandem_store_count (store, "goals"), >, 0);
  g_assert_cmpint (tandem_store_count (store, "stage_definitions"), ==, 9);
  g_assert_cmpint (tandem_store_count (store, "reasons"), >=, 9);

  personas = tandem_store_list (store, TANDEM_TYPE_PERSONA, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (personas->len, ==, 6);
  for (guint i = 0; i < personas->len; i++)
    {
      TandemRecord *persona = g_ptr_array_index (personas, i);
      g_auto(GStrv) pain_points = tandem_record_dup_list (persona, "pain_points");
      g_auto(GStrv) channels = tandem_record_dup_list (persona, "channels");
      const char *bio = tandem_record_get_text (persona, "bio");

      g_assert_nonnull (bio);
      g_assert_cmpuint (strlen (bio), >, 100);
      g_assert_nonnull (tandem_record_get_text (persona, "job_title"));
      g_assert_nonnull (tandem_record_get_text (persona, "icp_id"));
      g_assert_nonnull (pain_points);
      g_assert_cmpuint (g_strv_length (pain_points), >=, 3);
      g_assert_nonnull (channels);
      g_assert_cmpuint (g_strv_length (channels), >=, 3);
    }

  currency = tandem_store_get_setting (store, "currency", NULL);
  g_assert_cmpstr (currency, ==, "EUR");

  g_clear_object (&store);
  tandem_test_remove_dir (dir);
}

static void
test_deterministic (void)
{
  g_autofree char *dir = tandem_test_make_dir ();
  g_autofree char *first = generate_into (dir, "first.db", 200, TEST_SEED);
  g_autofree char *second = generate_into (dir, "second.db", 200, TEST_SEED);
  g_autofree char *other = generate_into (dir, "other.db", 200, TEST_SEED + 1);
  g_auto(GStrv) first_digests = workspace_digests (first);
  g_auto(GStrv) second_digests = workspace_digests (second);
  g_auto(GStrv) other_digests = workspace_digests (other);
  guint differing = 0;

  for (guint i = 0; first_digests[i] != NULL; i++)
    g_assert_cmpstr (first_digests[i], ==, second_digests[i]);

  for (guint i = 0; first_digests[i] != NULL; i++)
    differing += g_strcmp0 (first_digests[i], other_digests[i]) != 0;

  /* Everything with a generated id differs; only the settings, whose ids
   * are their keys, may agree. */
  g_assert_cmpuint (differing, >=, 10);

  tandem_test_remove_dir (dir);
}

static void
test_refuses_non_empty (void)
{
  g_autofree char *dir = tandem_test_make_dir ();
  g_autoptr(TandemStore) store = tandem_test_open_store (dir);
  g_autoptr(GError) error = NULL;
  gint64 activities;

  g_assert_true (tandem_sample_generate (store, 50, TEST_SEED, TEST_NOW, NULL, NULL, &error));
  g_assert_no_error (error);
  activities = tandem_store_count (store, "activities");

  g_assert_false (tandem_sample_generate (store, 50, TEST_SEED + 1, TEST_NOW, NULL, NULL, &error));
  g_assert_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Nothing was added by the refused run. */
  g_assert_cmpint (tandem_store_count (store, "leads"), ==, 50);
  g_assert_cmpint (tandem_store_count (store, "activities"), ==, activities);
  g_assert_cmpint (tandem_store_count (store, "members"), ==, 11);

  /* A workspace with only a person in it is not empty either. */
  g_clear_object (&store);
  tandem_test_remove_dir (dir);
  g_free (dir);

  dir = tandem_test_make_dir ();
  store = tandem_test_open_store (dir);
  {
    g_autoptr(TandemRecord) member = tandem_record_new (TANDEM_TYPE_MEMBER);

    tandem_record_set_text (member, "name", "Someone Real");
    g_assert_true (tandem_store_save (store, member, &error));
    g_assert_no_error (error);
  }
  g_assert_false (tandem_sample_generate (store, 50, TEST_SEED, TEST_NOW, NULL, NULL, &error));
  g_assert_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_INVALID);
  g_assert_cmpint (tandem_store_count (store, "leads"), ==, 0);

  g_clear_object (&store);
  tandem_test_remove_dir (dir);
}

/* The story the data tells holds together: what the UI, metrics and SLA
 * terms compute from it is believable. */
static void
test_consistent (void)
{
  g_autofree char *dir = tandem_test_make_dir ();
  g_autofree char *path = generate_into (dir, "workspace.db", 1500, TEST_SEED);

#define ASSERT_NONE(sql) g_assert_cmpint (tandem_test_query_int (path, sql), ==, 0)

  /* Each lead's stage is where its last stage change took it. */
  ASSERT_NONE ("SELECT count(*) FROM leads l WHERE l.stage IS NOT"
               " (SELECT to_stage FROM stage_history h WHERE h.lead_id = l.id"
               "  ORDER BY occurred_at DESC, rowid DESC LIMIT 1)");
  ASSERT_NONE ("SELECT count(*) FROM leads l WHERE l.stage_entered_at IS NOT"
               " (SELECT max(occurred_at) FROM stage_history h WHERE h.lead_id = l.id)");
  /* Every change starts where the previous one ended. */
  ASSERT_NONE ("SELECT count(*) FROM stage_history h WHERE h.from_stage IS NOT"
               " (SELECT to_stage FROM stage_history p WHERE p.lead_id = h.lead_id"
               "  AND p.occurred_at < h.occurred_at ORDER BY p.occurred_at DESC LIMIT 1)");
  /* Rejections and losses carry a reason from the agreed list. */
  ASSERT_NONE ("SELECT count(*) FROM stage_history WHERE to_stage IN ('nurture', 'lost')"
               " AND from_stage <> 'lead'"
               " AND reason NOT IN (SELECT label FROM reasons)");
  ASSERT_NONE ("SELECT count(*) FROM stage_history WHERE to_stage = 'disqualified'"
               " AND reason NOT IN (SELECT label FROM reasons WHERE kind = 'disqualified')");
  /* Timelines stay inside the year and before now, strictly ordered. */
  ASSERT_NONE ("SELECT count(*) FROM activities WHERE occurred_at >= 1773532800000"
               " OR occurred_at < 1773532800000 - 400 * 86400000");
  ASSERT_NONE ("SELECT count(*) FROM (SELECT occurred_at, lag(occurred_at) OVER"
               " (PARTITION BY lead_id ORDER BY occurred_at) AS previous FROM activities)"
               " WHERE occurred_at <= previous");
  ASSERT_NONE ("SELECT count(*) FROM leads l WHERE last_activity_at IS NOT"
               " (SELECT max(occurred_at) FROM activities a WHERE a.lead_id = l.id)");
  /* Sales touches only after the lead first became an MQL and was handed off. */
  ASSERT_NONE ("SELECT count(*) FROM activities a WHERE a.member_id IS NOT NULL AND"
               " a.occurred_at <= (SELECT min(occurred_at) FROM stage_history h"
               "  WHERE h.lead_id = a.lead_id AND h.to_stage = 'mql')");
  ASSERT_NONE ("SELECT count(*) FROM activities a WHERE a.member_id IS NOT NULL AND NOT EXISTS"
               " (SELECT 1 FROM stage_history h"
               "  WHERE h.lead_id = a.lead_id AND h.to_stage = 'mql')");
  /* Sales work happens on working days, in office hours (Berlin). */
  ASSERT_NONE ("SELECT count(*) FROM activities WHERE member_id IS NOT NULL AND"
               " (strftime('%w', occurred_at / 1000, 'unixepoch') IN ('0', '6')"
               "  OR strftime('%H', occurred_at / 1000, 'unixepoch') NOT BETWEEN '06' AND '16')");
  ASSERT_NONE ("SELECT count(*) FROM leads WHERE first_touch_at < handoff_at"
               " OR accepted_at < handoff_at");
  /* Leads past the handoff have a sales owner; fresh leads have none. */
  ASSERT_NONE ("SELECT count(*) FROM leads WHERE stage IN ('sal', 'sql', 'opportunity',"
               " 'customer', 'lost') AND owner_id NOT IN"
               " (SELECT id FROM members WHERE team = 'sales')");
  ASSERT_NONE ("SELECT count(*) FROM leads WHERE stage = 'lead' AND owner_id IS NOT NULL");
  /* Deals belong to leads that reached an opportunity, and their outcome is
   * the lead's. */
  ASSERT_NONE ("SELECT count(*) FROM deals d JOIN leads l ON l.id = d.lead_id WHERE"
               " (d.status = 'won') <> (l.stage = 'customer')"
               " OR (d.status = 'lost') <> (l.stage = 'lost')"
               " OR (d.status = 'open') <> (l.stage = 'opportunity')");
  ASSERT_NONE ("SELECT count(*) FROM deals WHERE amount < 800000 OR amount > 12000000");
  ASSERT_NONE ("SELECT count(*) FROM deals WHERE status = 'lost' AND lost_reason IS NULL");
  ASSERT_NONE ("SELECT count(*) FROM deal_contacts c JOIN deals d ON d.id = c.deal_id"
               " JOIN leads l ON l.id = c.lead_id WHERE l.company_id <> d.company_id");
  g_assert_cmpint (tandem_test_query_int (path, "SELECT count(*) FROM deals"), >, 20);
  g_assert_cmpint (tandem_test_query_int (path, "SELECT count(*) FROM deals WHERE status = 'won'"),
                   >, 0);
  /* A believable funnel: most leads are early, a few are customers. */
  g_assert_cmpint (tandem_test_query_int (path, "SELECT count(*) FROM leads WHERE stage = 'lead'"),
                   >, 500);
  g_assert_cmpint (tandem_test_query_int (path,
                                          "SELECT count(*) FROM leads WHERE stage = 'customer'"),
                   <, 100);
  /* Every reference points at a row that exists. */
  ASSERT_NONE ("SELECT count(*) FROM leads WHERE company_id NOT IN (SELECT id FROM companies)");
  ASSERT_NONE ("SELECT count(*) FROM activities WHERE asset_id NOT IN (SELECT id FROM assets)");
  ASSERT_NONE ("SELECT count(*) FROM activities WHERE lead_id NOT IN (SELECT id FROM leads)");
  ASSERT_NONE ("SELECT count(*) FROM personas WHERE icp_id NOT IN (SELECT id FROM icps)");
  /* Ids look like version-4 UUIDs. */
#define HEX4 "[0-9a-f][0-9a-f][0-9a-f][0-9a-f]"
  ASSERT_NONE ("SELECT count(*) FROM leads WHERE id NOT GLOB"
               " '" HEX4 HEX4 "-" HEX4 "-4[0-9a-f][0-9a-f][0-9a-f]-[89ab][0-9a-f][0-9a-f][0-9a-f]-"
               HEX4 HEX4 HEX4 "'");
#undef HEX4
  ASSERT_NONE ("SELECT count(*) - count(DISTINCT email) FROM leads");
  ASSERT_NONE ("SELECT count(*) - count(DISTINCT name) FROM companies");

#undef ASSERT_NONE

  tandem_test_remove_dir (dir);
}

static void
generate_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_async (void)
{
  g_autofree char *dir = tandem_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "workspace.db", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tandem_sample_generate_async (path, 100, TEST_SEED, NULL, generate_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (tandem_sample_generate_finish (result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tandem_test_query_int (path, "SELECT count(*) FROM leads"), ==, 100);

  tandem_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/sample/counts", test_counts);
  g_test_add_func ("/core/sample/deterministic", test_deterministic);
  g_test_add_func ("/core/sample/refuses-non-empty", test_refuses_non_empty);
  g_test_add_func ("/core/sample/consistent", test_consistent);
  g_test_add_func ("/core/sample/async", test_async);

  return g_test_run ();
}
