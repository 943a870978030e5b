/* test-pipeline.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "core-test-utils.h"

#define DAY_MS (G_GINT64_CONSTANT (24) * 60 * 60 * 1000)

typedef struct
{
  char        *dir;
  char        *path;
  TandemStore *store;
  char        *marketer;
  char        *sdr;
  char        *company;
  char        *tiny_company;
} Fixture;

static char *
add_member (TandemStore *store,
            const char  *name,
            const char  *team,
            const char  *role)
{
  g_autoptr(TandemRecord) member = tandem_record_new (TANDEM_TYPE_MEMBER);
  g_autoptr(GError) error = NULL;

  tandem_record_set_text (member, "name", name);
  tandem_record_set_text (member, "team", team);
  tandem_record_set_text (member, "role", role);
  g_assert_true (tandem_store_save (store, member, &error));
  g_assert_no_error (error);

  return g_strdup (tandem_record_get_id (member));
}

static char *
add_company (TandemStore *store,
             const char  *name,
             gint64       employees)
{
  g_autoptr(TandemRecord) company = tandem_record_new (TANDEM_TYPE_COMPANY);
  g_autoptr(GError) error = NULL;

  tandem_record_set_text (company, "name", name);
  tandem_record_set_text (company, "region", "DACH");
  tandem_record_set_text (company, "industry", "Logistics");
  tandem_record_set_int (company, "employees", employees);
  g_assert_true (tandem_store_save (store, company, &error));
  g_assert_no_error (error);

  return g_strdup (tandem_record_get_id (company));
}

/* A small workspace: the default stages, one marketer (who is working) and
 * one SDR, and a company of known size. */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = tandem_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "workspace.db", NULL);
  fixture->store = tandem_test_open_store (fixture->dir);

  g_assert_true (tandem_pipeline_install_defaults (fixture->store, &error));
  g_assert_no_error (error);

  fixture->marketer = add_member (fixture->store, "Jonas Weber", "marketing", "marketer");
  fixture->sdr = add_member (fixture->store, "Sofia Lindqvist", "sales", "sdr");
  fixture->company = add_company (fixture->store, "Alster Logistik", 300);
  fixture->tiny_company = add_company (fixture->store, "Unknown size", 0);
  tandem_store_set_current_member (fixture->store, fixture->marketer);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
  tandem_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->marketer);
  g_free (fixture->sdr);
  g_free (fixture->company);
  g_free (fixture->tiny_company);
}

static TandemLead *
add_lead (Fixture    *fixture,
          const char *email,
          const char *company_id,
          const char *phone)
{
  TandemLead *lead = tandem_lead_new ();
  g_autoptr(GError) error = NULL;

  tandem_record_set_text (TANDEM_RECORD (lead), "first_name", "Anna");
  tandem_record_set_text (TANDEM_RECORD (lead), "last_name", "Schmidt");
  tandem_record_set_text (TANDEM_RECORD (lead), "email", email);
  tandem_record_set_text (TANDEM_RECORD (lead), "company_id", company_id);
  tandem_record_set_text (TANDEM_RECORD (lead), "phone", phone);
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (lead), &error));
  g_assert_no_error (error);

  return lead;
}

static TandemLead *
add_good_lead (Fixture *fixture)
{
  return add_lead (fixture, "anna@alster.de", fixture->company, "+49 40 123");
}

static TandemLead *
reload (Fixture    *fixture,
        TandemLead *lead)
{
  g_autoptr(GError) error = NULL;
  TandemLead *stored = tandem_store_get (fixture->store, TANDEM_TYPE_LEAD,
                                         tandem_record_get_id (TANDEM_RECORD (lead)), &error);

  g_assert_no_error (error);
  g_assert_nonnull (stored);
  return stored;
}

static void
move_ok (Fixture    *fixture,
         TandemLead *lead,
         const char *stage,
         const char *reason)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tandem_pipeline_move (fixture->store, lead, stage, reason, NULL, &error));
  g_assert_no_error (error);
}

/* What a failed operation must leave as it was. */
typedef struct
{
  gint64 history;
  gint64 changes;
  gint64 deals;
  gint64 activities;
} Counts;

static Counts
counts (Fixture *fixture)
{
  Counts c;

  c.history = tandem_test_query_int (fixture->path, "SELECT count(*) FROM stage_history");
  c.changes = tandem_test_query_int (fixture->path, "SELECT count(*) FROM change_log");
  c.deals = tandem_test_query_int (fixture->path, "SELECT count(*) FROM deals");
  c.activities = tandem_test_query_int (fixture->path, "SELECT count(*) FROM activities");
  return c;
}

static void
assert_unchanged (Fixture      *fixture,
                  const Counts *before)
{
  Counts after = counts (fixture);

  g_assert_cmpint (after.history, ==, before->history);
  g_assert_cmpint (after.changes, ==, before->changes);
  g_assert_cmpint (after.deals, ==, before->deals);
  g_assert_cmpint (after.activities, ==, before->activities);
}

static gint64
lead_int (Fixture    *fixture,
          TandemLead *lead,
          const char *column)
{
  g_autofree char *sql = NULL;

  /* Column names come from the tests, never from data. */
  sql = g_strdup_printf ("SELECT coalesce(%s, -1) FROM leads WHERE id = '%s'", column,
                         tandem_record_get_id (TANDEM_RECORD (lead)));
  return tandem_test_query_int (fixture->path, sql);
}

static gint64
history_count (Fixture    *fixture,
               TandemLead *lead,
               const char *condition)
{
  g_autofree char *sql = NULL;

  sql = g_strdup_printf ("SELECT count(*) FROM stage_history WHERE lead_id = '%s' AND (%s)",
                         tandem_record_get_id (TANDEM_RECORD (lead)), condition);
  return tandem_test_query_int (fixture->path, sql);
}

static void
test_defaults (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stages = NULL;
  g_autoptr(GPtrArray) reasons = NULL;
  g_autoptr(TandemRecord) mql = NULL;
  g_auto(GStrv) required = NULL;
  const char * const *keys = tandem_pipeline_stage_keys ();
  Counts before = counts (fixture);

  g_assert_cmpint (tandem_store_count (fixture->store, "stage_definitions"), ==, 9);
  g_assert_cmpint (tandem_store_count (fixture->store, "reasons"), ==, 16);

  /* A second run writes nothing. */
  g_assert_true (tandem_pipeline_install_defaults (fixture->store, &error));
  g_assert_no_error (error);
  assert_unchanged (fixture, &before);
  g_assert_cmpint (tandem_store_count (fixture->store, "stage_definitions"), ==, 9);

  stages = tandem_pipeline_list_stages (fixture->store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stages->len, ==, 9);
  for (guint i = 0; i < stages->len; i++)
    g_assert_cmpstr (tandem_record_get_text (g_ptr_array_index (stages, i), "key"), ==, keys[i]);
  g_assert_null (keys[9]);

  g_assert_true (tandem_stage_is_exit (TANDEM_STAGE_NURTURE));
  g_assert_false (tandem_stage_is_exit (TANDEM_STAGE_CUSTOMER));
  g_assert_true (tandem_stage_needs_reason (TANDEM_STAGE_LOST));
  g_assert_false (tandem_stage_needs_reason (TANDEM_STAGE_SQL));

  mql = tandem_pipeline_get_stage (fixture->store, TANDEM_STAGE_MQL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tandem_record_get_text (mql, "team"), ==, "marketing");
  g_assert_cmpint (tandem_record_get_int (mql, "stalled_days"), ==, 2);
  required = tandem_record_dup_list (mql, "required_fields");
  g_assert_cmpstrv (required, ((const char *[]) { "first_name", "last_name", "email",
                                                  "company_id", "employees", NULL }));

  reasons = tandem_pipeline_list_reasons (fixture->store, TANDEM_STAGE_NURTURE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reasons->len, ==, 5);
  g_assert_cmpstr (g_ptr_array_index (reasons, 0), ==, "No budget this year");

  g_assert_null (tandem_pipeline_get_stage (fixture->store, "won", &error));
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_UNKNOWN_STAGE);
}

static void
test_move_history (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(TandemLead) lead = add_good_lead (fixture);
  g_autoptr(TandemLead) stored = NULL;
  g_autofree char *sql = NULL;
  gint64 before = g_get_real_time () / 1000;

  move_ok (fixture, lead, TANDEM_STAGE_MQL, NULL);

  stored = reload (fixture, lead);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (stored), "stage"), ==, "mql");
  g_assert_cmpint (tandem_record_get_int (TANDEM_RECORD (stored), "stage_entered_at"), >=, before);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (stored), "owner_id"), ==, fixture->sdr);
  g_assert_cmpint (tandem_record_get_int (TANDEM_RECORD (stored), "handoff_at"), >=, before);

  /* Who, when, from and to, in the file. */
  sql = g_strdup_printf ("from_stage = 'lead' AND to_stage = 'mql' AND member_id = '%s'"
                         " AND occurred_at >= %" G_GINT64_FORMAT " AND reason IS NULL",
                         fixture->marketer, before);
  g_assert_cmpint (history_count (fixture, lead, sql), ==, 1);

  /* The caller's record says what the store says. */
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (lead), "stage"), ==, "mql");
  g_assert_false (tandem_record_has_changes (TANDEM_RECORD (lead)));

  {
    g_autoptr(GError) error = NULL;
    Counts c = counts (fixture);

    g_assert_false (tandem_pipeline_move (fixture->store, lead, TANDEM_STAGE_MQL, NULL, NULL,
                                          &error));
    g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID);
    g_clear_error (&error);

    g_assert_false (tandem_pipeline_move (fixture->store, lead, "won", NULL, NULL, &error));
    g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_UNKNOWN_STAGE);
    assert_unchanged (fixture, &c);
  }
}

static void
test_entry_criteria (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(TandemLead) lead = add_lead (fixture, NULL, fixture->tiny_company, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) missing = NULL;
  Counts before = counts (fixture);

  missing = tandem_pipeline_missing_fields (fixture->store, lead, TANDEM_STAGE_MQL);
  g_assert_cmpstrv (missing, ((const char *[]) { "email", "employees", NULL }));

  g_assert_false (tandem_pipeline_move (fixture->store, lead, TANDEM_STAGE_MQL, NULL, NULL,
                                        &error));
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_ENTRY_CRITERIA);
  g_assert_cmpstr (error->message, ==,
                   "Add an email address and the company size before this lead can become an MQL.");
  g_clear_error (&error);

  assert_unchanged (fixture, &before);
  g_assert_cmpint (lead_int (fixture, lead, "handoff_at"), ==, -1);
  g_assert_cmpint (tandem_test_query_int (fixture->path,
                                          "SELECT count(*) FROM leads WHERE stage != 'lead'"), ==, 0);

  /* Without a company at all, the company and its size are both missing. */
  tandem_record_set_text (TANDEM_RECORD (lead), "company_id", NULL);
  tandem_record_set_text (TANDEM_RECORD (lead), "email", "anna@example.com");
  g_assert_false (tandem_pipeline_move (fixture->store, lead, TANDEM_STAGE_MQL, NULL, NULL,
                                        &error));
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_ENTRY_CRITERIA);
  g_assert_nonnull (strstr (error->message, "the company and the company size"));
  g_clear_error (&error);

  /* Filled in, the move goes through. */
  tandem_record_set_text (TANDEM_RECORD (lead), "company_id", fixture->company);
  move_ok (fixture, lead, TANDEM_STAGE_MQL, NULL);

  /* SAL also needs a phone number. */
  g_assert_true (tandem_pipeline_accept (fixture->store, lead, &error) == FALSE);
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_ENTRY_CRITERIA);
  g_assert_nonnull (strstr (error->message, "a phone number"));
}

static void
test_reasons (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(TandemLead) lead = add_good_lead (fixture);
  g_autoptr(GError) error = NULL;
  Counts before = counts (fixture);

  g_assert_false (tandem_pipeline_move (fixture->store, lead, TANDEM_STAGE_NURTURE, NULL, NULL,
                                        &error));
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_REASON_REQUIRED);
  g_assert_nonnull (strstr (error->message, "No budget this year"));
  g_clear_error (&error);

  g_assert_false (tandem_pipeline_move (fixture->store, lead, TANDEM_STAGE_DISQUALIFIED,
                                        "No budget this year", NULL, &error));
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_REASON_REQUIRED);
  g_assert_nonnull (strstr (error->message, "Competitor"));
  g_clear_error (&error);

  g_assert_false (tandem_pipeline_move (fixture->store, lead, TANDEM_STAGE_LOST, "Because",
                                        NULL, &error));
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_REASON_REQUIRED);
  g_clear_error (&error);

  assert_unchanged (fixture, &before);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (lead), "stage"), ==, "lead");

  g_assert_true (tandem_pipeline_move (fixture->store, lead, TANDEM_STAGE_DISQUALIFIED,
                                       "Competitor", "Works at Flowstack", &error));
  g_assert_no_error (error);
  g_assert_cmpint (history_count (fixture, lead,
                                  "from_stage = 'lead' AND to_stage = 'disqualified'"
                                  " AND reason = 'Competitor' AND note = 'Works at Flowstack'"),
                   ==, 1);
}

static void
test_set_reasons (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *labels[] = { "Not the decision maker", "Moved on", "No budget this year", NULL };
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kept_id = NULL;
  g_autofree char *sql = NULL;

  kept_id = g_strdup_printf ("%" G_GINT64_FORMAT,
                             tandem_test_query_int (fixture->path,
                                                    "SELECT rowid FROM reasons WHERE kind = 'nurture'"
                                                    " AND label = 'Not the decision maker'"
                                                    " AND deleted = 0"));

  g_assert_true (tandem_pipeline_set_reasons (fixture->store, TANDEM_STAGE_NURTURE, labels, &error));
  g_assert_no_error (error);

  /* The list is exactly the labels, in their order. */
  listed = tandem_pipeline_list_reasons (fixture->store, TANDEM_STAGE_NURTURE, &error);
  g_assert_cmpuint (listed->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpstr (g_ptr_array_index (listed, i), ==, labels[i]);

  /* A kept label keeps its row, so other desktops see an edit, not a new row. */
  sql = g_strdup_printf ("SELECT count(*) FROM reasons WHERE rowid = %s AND deleted = 0"
                         " AND position = 0", kept_id);
  g_assert_cmpint (tandem_test_query_int (fixture->path, sql), ==, 1);

  /* The other exits are untouched, and stages without reasons refuse. */
  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = tandem_pipeline_list_reasons (fixture->store, TANDEM_STAGE_DISQUALIFIED, &error);
  g_assert_cmpuint (listed->len, >, 0);
  g_assert_false (tandem_pipeline_set_reasons (fixture->store, TANDEM_STAGE_SQL, labels, &error));
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID);
}

static void
test_sal_off (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(TandemLead) lead = add_good_lead (fixture);
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GError) error = NULL;
  Counts before;

  g_assert_true (tandem_pipeline_get_sal_enabled (fixture->store));
  g_assert_true (tandem_pipeline_set_sal_enabled (fixture->store, FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (tandem_pipeline_get_sal_enabled (fixture->store));

  active = tandem_pipeline_list_stages (fixture->store, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (active->len, ==, 8);
  for (guint i = 0; i < active->len; i++)
    g_assert_cmpstr (tandem_record_get_text (g_ptr_array_index (active, i), "key"), !=, "sal");

  move_ok (fixture, lead, TANDEM_STAGE_MQL, NULL);

  before = counts (fixture);
  g_assert_false (tandem_pipeline_move (fixture->store, lead, TANDEM_STAGE_SAL, NULL, NULL,
                                        &error));
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_UNKNOWN_STAGE);
  g_clear_error (&error);
  assert_unchanged (fixture, &before);

  g_assert_true (tandem_pipeline_accept (fixture->store, lead, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (lead), "stage"), ==, "sql");
  g_assert_cmpint (lead_int (fixture, lead, "accepted_at"), >, 0);
  g_assert_cmpint (history_count (fixture, lead, "from_stage = 'mql' AND to_stage = 'sql'"), ==, 1);
}

static void
test_move_back (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(TandemLead) lead = add_good_lead (fixture);
  g_autoptr(GError) error = NULL;

  move_ok (fixture, lead, TANDEM_STAGE_MQL, NULL);
  g_assert_true (tandem_pipeline_accept (fixture->store, lead, &error));
  g_assert_no_error (error);
  move_ok (fixture, lead, TANDEM_STAGE_SQL, NULL);
  move_ok (fixture, lead, TANDEM_STAGE_NURTURE, "Timing — not before next quarter");

  g_assert_cmpint (history_count (fixture, lead, "1"), ==, 4);
  g_assert_cmpint (history_count (fixture, lead,
                                  "from_stage = 'sql' AND to_stage = 'nurture'"
                                  " AND reason = 'Timing — not before next quarter'"), ==, 1);
  g_assert_cmpint (tandem_test_query_int (fixture->path,
                                          "SELECT count(*) FROM leads WHERE stage = 'nurture'"),
                   ==, 1);

  /* Back from nurture is a new handoff, and the lead waits again. */
  move_ok (fixture, lead, TANDEM_STAGE_MQL, NULL);
  {
    g_autoptr(GPtrArray) queue = tandem_pipeline_list_handoff_queue (fixture->store, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (queue->len, ==, 1);
  }
}

static void
test_handoff_queue (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(TandemLead) first = add_good_lead (fixture);
  g_autoptr(TandemLead) second = add_lead (fixture, "ben@alster.de", fixture->company, "+49 1");
  g_autoptr(TandemLead) idle = add_lead (fixture, "carl@alster.de", fixture->company, "+49 2");
  g_autoptr(GPtrArray) queue = NULL;
  g_autoptr(GError) error = NULL;
  Counts before;

  move_ok (fixture, first, TANDEM_STAGE_MQL, NULL);
  g_usleep (2000);
  move_ok (fixture, second, TANDEM_STAGE_MQL, NULL);

  queue = tandem_pipeline_list_handoff_queue (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queue->len, ==, 2);
  g_assert_true (TANDEM_IS_LEAD (g_ptr_array_index (queue, 0)));
  g_assert_cmpstr (tandem_record_get_id (g_ptr_array_index (queue, 0)), ==,
                   tandem_record_get_id (TANDEM_RECORD (first)));
  g_clear_pointer (&queue, g_ptr_array_unref);

  /* Refusals change nothing. */
  before = counts (fixture);
  g_assert_false (tandem_pipeline_accept (fixture->store, idle, &error));
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_NOT_WAITING);
  g_clear_error (&error);
  g_assert_false (tandem_pipeline_reject (fixture->store, second, TANDEM_STAGE_NURTURE, NULL,
                                          NULL, &error));
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_REASON_REQUIRED);
  g_clear_error (&error);
  g_assert_false (tandem_pipeline_reject (fixture->store, second, TANDEM_STAGE_LOST, "Price",
                                          NULL, &error));
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID);
  g_clear_error (&error);
  assert_unchanged (fixture, &before);

  g_assert_true (tandem_pipeline_accept (fixture->store, first, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (first), "stage"), ==, "sal");
  g_assert_cmpint (lead_int (fixture, first, "accepted_at"), >=,
                   lead_int (fixture, first, "handoff_at"));

  g_assert_true (tandem_pipeline_reject (fixture->store, second, TANDEM_STAGE_NURTURE,
                                         "Not the decision maker", "Talk to her boss", &error));
  g_assert_no_error (error);
  g_assert_cmpint (history_count (fixture, second,
                                  "from_stage = 'mql' AND to_stage = 'nurture'"
                                  " AND reason = 'Not the decision maker'"), ==, 1);

  queue = tandem_pipeline_list_handoff_queue (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queue->len, ==, 0);

  /* Accepted once is not waiting any more. */
  g_assert_false (tandem_pipeline_accept (fixture->store, first, &error));
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_NOT_WAITING);
}

static TandemRecord *
activity (const char *kind,
          gint64      at,
          const char *member_id)
{
  TandemRecord *record = tandem_record_new_for_table ("activities", NULL);

  tandem_record_set_text (record, "kind", kind);
  tandem_record_set_int (record, "occurred_at", at);
  tandem_record_set_text (record, "member_id", member_id);
  return record;
}

static void
add_activity_ok (Fixture      *fixture,
                 TandemLead   *lead,
                 TandemRecord *record)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tandem_pipeline_add_activity (fixture->store, lead, record, &error));
  g_assert_no_error (error);
  g_object_unref (record);
}

static void
test_first_touch (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(TandemLead) lead = add_good_lead (fixture);
  gint64 handoff;

  /* Before the handoff, a sales call is not the first touch. */
  add_activity_ok (fixture, lead, activity ("page_visit", 1000, NULL));
  g_assert_cmpint (lead_int (fixture, lead, "last_activity_at"), ==, 1000);
  g_assert_cmpint (tandem_test_query_int (fixture->path,
                                          "SELECT count(*) FROM activities WHERE lead_id IS NULL"),
                   ==, 0);

  move_ok (fixture, lead, TANDEM_STAGE_MQL, NULL);
  handoff = lead_int (fixture, lead, "handoff_at");

  add_activity_ok (fixture, lead, activity ("call", handoff - 1000, fixture->sdr));
  g_assert_cmpint (lead_int (fixture, lead, "first_touch_at"), ==, -1);
  g_assert_cmpint (lead_int (fixture, lead, "last_activity_at"), ==, handoff - 1000);

  /* Marketing's email and a page visit are not sales touches. */
  add_activity_ok (fixture, lead, activity ("email_sent", handoff + 1000, fixture->marketer));
  add_activity_ok (fixture, lead, activity ("page_visit", handoff + 2000, fixture->sdr));
  g_assert_cmpint (lead_int (fixture, lead, "first_touch_at"), ==, -1);
  g_assert_cmpint (lead_int (fixture, lead, "last_activity_at"), ==, handoff + 2000);

  add_activity_ok (fixture, lead, activity ("meeting_booked", handoff + 5000, fixture->sdr));
  g_assert_cmpint (lead_int (fixture, lead, "first_touch_at"), ==, handoff + 5000);

  /* An earlier call logged late becomes the first touch; a later one not;
   * an old activity does not move last_activity_at back. */
  add_activity_ok (fixture, lead, activity ("call", handoff + 3000, fixture->sdr));
  add_activity_ok (fixture, lead, activity ("email_sent", handoff + 9000, fixture->sdr));
  g_assert_cmpint (lead_int (fixture, lead, "first_touch_at"), ==, handoff + 3000);
  g_assert_cmpint (lead_int (fixture, lead, "last_activity_at"), ==, handoff + 9000);
  add_activity_ok (fixture, lead, activity ("note", 5, fixture->sdr));
  g_assert_cmpint (lead_int (fixture, lead, "last_activity_at"), ==, handoff + 9000);
  g_assert_cmpint (tandem_record_get_int (TANDEM_RECORD (lead), "first_touch_at"), ==,
                   handoff + 3000);

  /* The lead's activities list newest first, its history oldest first. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) activities = tandem_pipeline_list_activities (fixture->store, lead, &error);
    g_autoptr(GPtrArray) history = tandem_pipeline_list_history (fixture->store, lead, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (activities->len, ==, 8);
    g_assert_cmpint (tandem_record_get_int (g_ptr_array_index (activities, 0), "occurred_at"), ==,
                     handoff + 9000);
    g_assert_cmpint (tandem_record_get_int (g_ptr_array_index (activities, 7), "occurred_at"), ==, 5);
    g_assert_cmpuint (history->len, ==, 1);
    g_assert_cmpstr (tandem_record_get_text (g_ptr_array_index (history, 0), "to_stage"), ==, "mql");
  }

  /* An activity of another lead is refused and changes nothing. */
  {
    g_autoptr(TandemLead) other = add_lead (fixture, "x@alster.de", fixture->company, NULL);
    g_autoptr(TandemRecord) foreign = activity ("call", handoff, fixture->sdr);
    g_autoptr(GError) error = NULL;
    Counts before = counts (fixture);

    tandem_record_set_text (foreign, "lead_id", tandem_record_get_id (TANDEM_RECORD (other)));
    g_assert_false (tandem_pipeline_add_activity (fixture->store, lead, foreign, &error));
    g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID);
    assert_unchanged (fixture, &before);
  }
}

static void
test_stalled (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(TandemLead) lead = add_good_lead (fixture);
  g_autoptr(TandemRecord) definition = NULL;
  g_autoptr(GError) error = NULL;
  gint64 entered;

  move_ok (fixture, lead, TANDEM_STAGE_MQL, NULL);
  entered = tandem_record_get_int (TANDEM_RECORD (lead), "stage_entered_at");

  /* MQLs stall after two days without activity. */
  g_assert_false (tandem_pipeline_is_stalled (fixture->store, lead, entered + DAY_MS));
  g_assert_true (tandem_pipeline_is_stalled (fixture->store, lead, entered + 3 * DAY_MS));

  add_activity_ok (fixture, lead, activity ("page_visit", entered + 2 * DAY_MS, NULL));
  g_assert_false (tandem_pipeline_is_stalled (fixture->store, lead, entered + 3 * DAY_MS));
  g_assert_true (tandem_pipeline_is_stalled (fixture->store, lead, entered + 5 * DAY_MS));

  /* A threshold of 0 never stalls. */
  definition = tandem_pipeline_get_stage (fixture->store, TANDEM_STAGE_MQL, &error);
  g_assert_no_error (error);
  tandem_record_set_int (definition, "stalled_days", 0);
  g_assert_true (tandem_store_save (fixture->store, definition, &error));
  g_assert_no_error (error);
  g_assert_false (tandem_pipeline_is_stalled (fixture->store, lead, entered + 500 * DAY_MS));

  /* Exits never stall. */
  move_ok (fixture, lead, TANDEM_STAGE_NURTURE, "No budget this year");
  g_assert_false (tandem_pipeline_is_stalled (fixture->store, lead, entered + 500 * DAY_MS));
}

/* Lead → MQL → SAL → SQL → opportunity. */
static TandemLead *
opportunity_lead (Fixture    *fixture,
                  const char *email)
{
  TandemLead *lead = add_lead (fixture, email, fixture->company, "+49 40 1");
  g_autoptr(GError) error = NULL;

  move_ok (fixture, lead, TANDEM_STAGE_MQL, NULL);
  g_assert_true (tandem_pipeline_accept (fixture->store, lead, &error));
  g_assert_no_error (error);
  move_ok (fixture, lead, TANDEM_STAGE_SQL, NULL);
  move_ok (fixture, lead, TANDEM_STAGE_OPPORTUNITY, NULL);

  return lead;
}

static void
test_deals (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(TandemLead) winner = NULL;
  g_autoptr(TandemLead) loser = NULL;
  g_autoptr(TandemRecord) deal = NULL;
  g_autoptr(TandemRecord) lost_deal = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / 1000;
  Counts before;

  winner = opportunity_lead (fixture, "anna@alster.de");
  deal = tandem_pipeline_get_deal (fixture->store, winner, &error);
  g_assert_no_error (error);
  g_assert_nonnull (deal);
  g_assert_cmpstr (tandem_record_get_text (deal, "name"), ==, "Alster Logistik — Anna Schmidt");
  g_assert_cmpstr (tandem_record_get_text (deal, "status"), ==, "open");
  g_assert_cmpstr (tandem_record_get_text (deal, "owner_id"), ==, fixture->sdr);
  g_assert_cmpstr (tandem_record_get_text (deal, "company_id"), ==, fixture->company);
  g_assert_cmpint (tandem_record_get_int (deal, "amount"), ==, 0);
  g_assert_cmpint (tandem_record_get_int (deal, "probability"), ==, 20);
  g_assert_cmpint (tandem_record_get_int (deal, "expected_close"), >=, now + 29 * DAY_MS);

  /* Back to SQL and forward again: still one deal. */
  move_ok (fixture, winner, TANDEM_STAGE_SQL, NULL);
  move_ok (fixture, winner, TANDEM_STAGE_OPPORTUNITY, NULL);
  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT count(*) FROM deals"), ==, 1);

  /* The column's open value follows the deal's amount. */
  tandem_record_set_int (deal, "amount", 1250000);
  g_assert_true (tandem_store_save (fixture->store, deal, &error));
  g_assert_cmpint (tandem_pipeline_sum_open_deals (fixture->store, TANDEM_STAGE_OPPORTUNITY), ==, 1250000);
  g_assert_cmpint (tandem_pipeline_sum_open_deals (fixture->store, TANDEM_STAGE_SQL), ==, 0);

  g_assert_true (tandem_pipeline_close_deal (fixture->store, deal, TRUE, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&deal);
  deal = tandem_pipeline_get_deal (fixture->store, winner, &error);
  g_assert_cmpstr (tandem_record_get_text (deal, "status"), ==, "won");
  g_assert_cmpint (tandem_record_get_int (deal, "closed_at"), >=, now);
  g_assert_cmpint (tandem_record_get_int (deal, "probability"), ==, 100);
  g_assert_cmpint (tandem_test_query_int (fixture->path,
                                          "SELECT count(*) FROM leads WHERE stage = 'customer'"),
                   ==, 1);
  g_assert_cmpint (history_count (fixture, winner,
                                  "from_stage = 'opportunity' AND to_stage = 'customer'"), ==, 1);

  /* A closed deal stays closed. */
  before = counts (fixture);
  g_assert_false (tandem_pipeline_close_deal (fixture->store, deal, FALSE, "Price", &error));
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID);
  g_clear_error (&error);
  assert_unchanged (fixture, &before);

  loser = opportunity_lead (fixture, "ben@alster.de");
  lost_deal = tandem_pipeline_get_deal (fixture->store, loser, &error);
  g_assert_no_error (error);

  before = counts (fixture);
  g_assert_false (tandem_pipeline_close_deal (fixture->store, lost_deal, FALSE, NULL, &error));
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_REASON_REQUIRED);
  g_clear_error (&error);
  g_assert_false (tandem_pipeline_close_deal (fixture->store, lost_deal, FALSE,
                                              "No budget this year", &error));
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_REASON_REQUIRED);
  g_clear_error (&error);
  assert_unchanged (fixture, &before);

  g_assert_true (tandem_pipeline_close_deal (fixture->store, lost_deal, FALSE, "Price", &error));
  g_assert_no_error (error);
  g_clear_object (&lost_deal);
  lost_deal = tandem_pipeline_get_deal (fixture->store, loser, &error);
  g_assert_cmpstr (tandem_record_get_text (lost_deal, "status"), ==, "lost");
  g_assert_cmpstr (tandem_record_get_text (lost_deal, "lost_reason"), ==, "Price");
  g_assert_cmpint (history_count (fixture, loser,
                                  "from_stage = 'opportunity' AND to_stage = 'lost'"
                                  " AND reason = 'Price'"), ==, 1);
  g_assert_cmpint (lead_int (fixture, loser, "stage = 'lost'"), ==, 1);
}

static void
test_lost_move_closes_deal (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(TandemLead) lead = opportunity_lead (fixture, "anna@alster.de");
  g_autoptr(TandemRecord) deal = NULL;
  g_autoptr(GError) error = NULL;

  move_ok (fixture, lead, TANDEM_STAGE_LOST, "Chose a competitor");
  deal = tandem_pipeline_get_deal (fixture->store, lead, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tandem_record_get_text (deal, "status"), ==, "lost");
  g_assert_cmpstr (tandem_record_get_text (deal, "lost_reason"), ==, "Chose a competitor");
}

static void
test_committee (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(TandemLead) lead = opportunity_lead (fixture, "anna@alster.de");
  g_autoptr(TandemLead) colleague = add_lead (fixture, "it@alster.de", fixture->company, NULL);
  g_autoptr(TandemLead) boss = add_lead (fixture, "boss@alster.de", fixture->company, NULL);
  g_autoptr(TandemRecord) deal = NULL;
  g_autoptr(GPtrArray) committee = NULL;
  g_autoptr(GError) error = NULL;
  TandemLead *people[] = { colleague, boss };
  const char *roles[] = { "blocker", "decision maker" };

  deal = tandem_pipeline_get_deal (fixture->store, lead, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (people); i++)
    {
      g_autoptr(TandemRecord) contact = tandem_record_new_for_table ("deal_contacts", NULL);

      tandem_record_set_text (contact, "deal_id", tandem_record_get_id (deal));
      tandem_record_set_text (contact, "lead_id", tandem_record_get_id (TANDEM_RECORD (people[i])));
      tandem_record_set_text (contact, "role", roles[i]);
      tandem_record_set_text (contact, "attitude", "neutral");
      tandem_record_set_int (contact, "influence", i + 3);
      g_assert_true (tandem_store_save (fixture->store, contact, &error));
      g_assert_no_error (error);
    }

  committee = tandem_pipeline_list_committee (fixture->store, deal, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (committee->len, ==, 2);
  g_assert_cmpstr (tandem_record_get_text (g_ptr_array_index (committee, 0), "role"), ==,
                   "decision maker");
  g_assert_cmpstr (tandem_record_get_text (g_ptr_array_index (committee, 1), "lead_id"), ==,
                   tandem_record_get_id (TANDEM_RECORD (colleague)));
}

static TandemRecord *
new_committee_member (const char *lead_id,
                      const char *role,
                      const char *attitude,
                      gint64      influence)
{
  TandemRecord *member = tandem_record_new_for_table ("deal_contacts", NULL);

  if (lead_id != NULL)
    tandem_record_set_text (member, "lead_id", lead_id);
  tandem_record_set_text (member, "role", role);
  tandem_record_set_text (member, "attitude", attitude);
  tandem_record_set_int (member, "influence", influence);

  return member;
}

/* A committee entry that must be refused, with nothing written. */
static void
assert_member_refused (Fixture      *fixture,
                       TandemRecord *deal,
                       TandemRecord *member,
                       TandemLead   *new_person,
                       const char   *words)
{
  g_autoptr(GError) error = NULL;
  Counts before = counts (fixture);
  gint64 leads = tandem_test_query_int (fixture->path, "SELECT count(*) FROM leads");

  g_assert_false (tandem_pipeline_save_committee_member (fixture->store, deal, member, new_person,
                                                         &error));
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, words));
  assert_unchanged (fixture, &before);
  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT count(*) FROM leads"), ==, leads);
}

static void
test_committee_editing (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(TandemLead) lead = opportunity_lead (fixture, "anna@alster.de");
  g_autoptr(TandemLead) colleague = add_lead (fixture, "it@alster.de", fixture->company, NULL);
  g_autoptr(TandemLead) outsider = add_lead (fixture, "x@elsewhere.de", fixture->tiny_company, NULL);
  g_autoptr(TandemRecord) persona = tandem_record_new (TANDEM_TYPE_PERSONA);
  g_autoptr(TandemRecord) deal = NULL;
  g_autoptr(TandemRecord) member = NULL;
  g_autoptr(TandemLead) person = NULL;
  g_autoptr(TandemLead) created = NULL;
  g_autoptr(GPtrArray) candidates = NULL;
  g_autoptr(GPtrArray) committee = NULL;
  g_autoptr(GError) error = NULL;
  const char *colleague_id = tandem_record_get_id (TANDEM_RECORD (colleague));
  g_autofree char *member_id = NULL;
  g_autofree char *sql = NULL;

  tandem_record_set_text (persona, "name", "Operations Olga");
  g_assert_true (tandem_store_save (fixture->store, persona, &error));
  deal = tandem_pipeline_get_deal (fixture->store, lead, &error);
  g_assert_no_error (error);

  /* Who may join: the people at the deal's company, not the outsider. */
  candidates = tandem_pipeline_list_committee_candidates (fixture->store, deal, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (candidates->len, ==, 2);
  for (guint i = 0; i < candidates->len; i++)
    g_assert_cmpstr (tandem_record_get_text (g_ptr_array_index (candidates, i), "company_id"), ==,
                     fixture->company);
  g_clear_pointer (&candidates, g_ptr_array_unref);

  /* A colleague joins, with a persona. */
  member = new_committee_member (colleague_id, "decision maker", "neutral", 4);
  tandem_record_set_text (member, "persona_id", tandem_record_get_id (persona));
  g_assert_true (tandem_pipeline_save_committee_member (fixture->store, deal, member, NULL, &error));
  g_assert_no_error (error);
  member_id = g_strdup (tandem_record_get_id (member));
  committee = tandem_pipeline_list_committee (fixture->store, deal, &error);
  g_assert_cmpuint (committee->len, ==, 1);
  g_assert_cmpstr (tandem_record_get_text (g_ptr_array_index (committee, 0), "deal_id"), ==,
                   tandem_record_get_id (deal));
  g_assert_cmpstr (tandem_record_get_text (g_ptr_array_index (committee, 0), "persona_id"), ==,
                   tandem_record_get_id (persona));
  g_clear_pointer (&committee, g_ptr_array_unref);
  sql = g_strdup_printf ("SELECT count(*) FROM change_log WHERE tbl = 'deal_contacts'"
                         " AND row_id = '%s' AND pushed = 0", member_id);
  g_assert_cmpint (tandem_test_query_int (fixture->path, sql), ==, 1);

  /* A member is no longer a candidate. */
  candidates = tandem_pipeline_list_committee_candidates (fixture->store, deal, &error);
  g_assert_cmpuint (candidates->len, ==, 1);
  g_assert_cmpstr (tandem_record_get_id (g_ptr_array_index (candidates, 0)), ==,
                   tandem_record_get_id (TANDEM_RECORD (lead)));
  g_clear_pointer (&candidates, g_ptr_array_unref);

  /* Refusals. */
  {
    g_autoptr(TandemRecord) again = new_committee_member (colleague_id, "user", "neutral", 2);
    g_autoptr(TandemRecord) stranger = new_committee_member (
      tandem_record_get_id (TANDEM_RECORD (outsider)), "user", "neutral", 2);
    g_autoptr(TandemRecord) bad_role = new_committee_member (
      tandem_record_get_id (TANDEM_RECORD (lead)), "boss", "neutral", 2);
    g_autoptr(TandemRecord) bad_attitude = new_committee_member (
      tandem_record_get_id (TANDEM_RECORD (lead)), "user", "grumpy", 2);
    g_autoptr(TandemRecord) too_strong = new_committee_member (
      tandem_record_get_id (TANDEM_RECORD (lead)), "user", "neutral", 6);
    g_autoptr(TandemRecord) nobody = new_committee_member (NULL, "user", "neutral", 2);
    g_autoptr(TandemRecord) bad_email = new_committee_member (NULL, "user", "neutral", 2);
    g_autoptr(TandemLead) unreachable = tandem_lead_new ();

    assert_member_refused (fixture, deal, again, NULL, "already");
    assert_member_refused (fixture, deal, stranger, NULL, "another company");
    assert_member_refused (fixture, deal, bad_role, NULL, "“boss”");
    assert_member_refused (fixture, deal, bad_attitude, NULL, "“grumpy”");
    assert_member_refused (fixture, deal, too_strong, NULL, "not 6");
    assert_member_refused (fixture, deal, nobody, NULL, "Choose who");
    tandem_record_set_text (TANDEM_RECORD (unreachable), "last_name", "Keller");
    tandem_record_set_text (TANDEM_RECORD (unreachable), "email", "keller at alster");
    assert_member_refused (fixture, deal, bad_email, unreachable, "not an email address");
  }

  /* A new contact at the company joins in the same step. */
  person = tandem_lead_new ();
  tandem_record_set_text (TANDEM_RECORD (person), "first_name", "Lena");
  tandem_record_set_text (TANDEM_RECORD (person), "last_name", "Keller");
  tandem_record_set_text (TANDEM_RECORD (person), "email", "lena.keller@alster.de");
  g_clear_object (&member);
  member = new_committee_member (NULL, "champion", "champion", 3);
  g_assert_true (tandem_pipeline_save_committee_member (fixture->store, deal, member, person,
                                                        &error));
  g_assert_no_error (error);
  created = tandem_store_get (fixture->store, TANDEM_TYPE_LEAD,
                              tandem_record_get_text (member, "lead_id"), &error);
  g_assert_nonnull (created);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (created), "email"), ==,
                   "lena.keller@alster.de");
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (created), "company_id"), ==,
                   fixture->company);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (created), "owner_id"), ==,
                   tandem_record_get_text (deal, "owner_id"));
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (created), "stage"), ==, "lead");
  committee = tandem_pipeline_list_committee (fixture->store, deal, &error);
  g_assert_cmpuint (committee->len, ==, 2);
  g_clear_pointer (&committee, g_ptr_array_unref);

  /* Editing the first member: attitude and influence change, in place. */
  committee = tandem_pipeline_list_committee (fixture->store, deal, &error);
  g_clear_object (&member);
  member = g_object_ref (g_ptr_array_index (committee, 0));
  g_assert_cmpstr (tandem_record_get_id (member), ==, member_id);
  tandem_record_set_text (member, "attitude", "sceptic");
  tandem_record_set_int (member, "influence", 5);
  g_assert_true (tandem_pipeline_save_committee_member (fixture->store, deal, member, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&committee, g_ptr_array_unref);
  committee = tandem_pipeline_list_committee (fixture->store, deal, &error);
  g_assert_cmpuint (committee->len, ==, 2);
  g_assert_cmpstr (tandem_record_get_text (g_ptr_array_index (committee, 0), "attitude"), ==,
                   "sceptic");
  g_assert_cmpint (tandem_record_get_int (g_ptr_array_index (committee, 0), "influence"), ==, 5);
  g_clear_pointer (&committee, g_ptr_array_unref);

  /* It cannot move to another deal. */
  {
    g_autoptr(TandemLead) other = opportunity_lead (fixture, "other@alster.de");
    g_autoptr(TandemRecord) other_deal = tandem_pipeline_get_deal (fixture->store, other, &error);

    g_assert_nonnull (other_deal);
    assert_member_refused (fixture, other_deal, member, NULL, "another deal");
  }

  /* Removed, and back with Undo. */
  g_assert_true (tandem_pipeline_remove_committee_member (fixture->store, member, &error));
  g_assert_no_error (error);
  committee = tandem_pipeline_list_committee (fixture->store, deal, &error);
  g_assert_cmpuint (committee->len, ==, 1);
  g_clear_pointer (&committee, g_ptr_array_unref);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT deleted FROM deal_contacts WHERE id = '%s'", member_id);
  g_assert_cmpint (tandem_test_query_int (fixture->path, sql), ==, 1);

  g_assert_true (tandem_pipeline_restore_committee_member (fixture->store, member_id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tandem_test_query_int (fixture->path, sql), ==, 0);
  committee = tandem_pipeline_list_committee (fixture->store, deal, &error);
  g_assert_cmpuint (committee->len, ==, 2);
}

static void
test_no_owner (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(TandemLead) lead = add_good_lead (fixture);
  g_autoptr(TandemMember) sdr = NULL;
  g_autoptr(GError) error = NULL;
  Counts before;

  sdr = tandem_store_get (fixture->store, TANDEM_TYPE_MEMBER, fixture->sdr, &error);
  tandem_record_set_bool (TANDEM_RECORD (sdr), "active", FALSE);
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (sdr), &error));
  g_assert_no_error (error);

  before = counts (fixture);
  g_assert_false (tandem_pipeline_move (fixture->store, lead, TANDEM_STAGE_MQL, NULL, NULL,
                                        &error));
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_NO_OWNER);
  assert_unchanged (fixture, &before);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (lead), "stage"), ==, "lead");
}

/* A refused move inside someone else's transaction (rescoring) must not
 * undo that transaction's work. */
static void
test_refusal_keeps_outer_transaction (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(TandemLead) lead = add_lead (fixture, NULL, fixture->company, NULL);
  g_autoptr(TandemLead) good = add_good_lead (fixture);
  g_autoptr(GError) error = NULL;

  g_assert_true (tandem_store_begin (fixture->store, &error));
  move_ok (fixture, good, TANDEM_STAGE_MQL, NULL);
  g_assert_false (tandem_pipeline_move (fixture->store, lead, TANDEM_STAGE_MQL, NULL, NULL,
                                        &error));
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_ENTRY_CRITERIA);
  g_clear_error (&error);
  g_assert_true (tandem_store_commit (fixture->store, &error));
  g_assert_no_error (error);

  g_assert_cmpint (history_count (fixture, good, "to_stage = 'mql'"), ==, 1);
}

static void
test_sample_queue (void)
{
  g_autofree char *dir = tandem_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "workspace.db", NULL);
  g_autoptr(TandemStore) store = tandem_test_open_store (dir);
  g_autoptr(TandemStore) fresh = NULL;
  g_autofree char *fresh_dir = tandem_test_make_dir ();
  g_autoptr(GPtrArray) queue = NULL;
  g_autoptr(GPtrArray) sample_stages = NULL;
  g_autoptr(GPtrArray) default_stages = NULL;
  g_autoptr(GError) error = NULL;
  TandemLead *accepted = NULL;
  TandemLead *rejected = NULL;

  g_assert_true (tandem_sample_generate (store, 200, 1, 0, NULL, NULL, &error));
  g_assert_no_error (error);

  /* The defaults of a new workspace agree with the sample's. */
  fresh = tandem_test_open_store (fresh_dir);
  g_assert_true (tandem_pipeline_install_defaults (fresh, &error));
  g_assert_no_error (error);
  sample_stages = tandem_pipeline_list_stages (store, FALSE, &error);
  g_assert_no_error (error);
  default_stages = tandem_pipeline_list_stages (fresh, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sample_stages->len, ==, default_stages->len);
  for (guint i = 0; i < sample_stages->len; i++)
    {
      TandemRecord *a = g_ptr_array_index (sample_stages, i);
      TandemRecord *b = g_ptr_array_index (default_stages, i);
      g_auto(GStrv) fields_a = tandem_record_dup_list (a, "required_fields");
      g_auto(GStrv) fields_b = tandem_record_dup_list (b, "required_fields");

      g_assert_cmpstr (tandem_record_get_text (a, "key"), ==, tandem_record_get_text (b, "key"));
      g_assert_cmpstr (tandem_record_get_text (a, "team"), ==, tandem_record_get_text (b, "team"));
      g_assert_cmpint (tandem_record_get_int (a, "stalled_days"), ==,
                       tandem_record_get_int (b, "stalled_days"));
      g_assert_true (g_strv_equal ((const char * const *) fields_a,
                                   (const char * const *) fields_b));
    }
  for (guint i = 0; i < 3; i++)
    {
      const char *kinds[] = { "nurture", "disqualified", "lost" };
      g_autoptr(GPtrArray) a = tandem_pipeline_list_reasons (store, kinds[i], &error);
      g_autoptr(GPtrArray) b = tandem_pipeline_list_reasons (fresh, kinds[i], &error);

      g_assert_no_error (error);
      g_assert_cmpuint (a->len, ==, b->len);
      for (guint j = 0; j < a->len; j++)
        g_assert_cmpstr (g_ptr_array_index (a, j), ==, g_ptr_array_index (b, j));
    }

  queue = tandem_pipeline_list_handoff_queue (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queue->len, >=, 1);

  /* SAL asks for a phone number, which not every sample lead has. */
  for (guint i = 0; i < queue->len; i++)
    {
      TandemLead *lead = g_ptr_array_index (queue, i);
      g_auto(GStrv) missing = tandem_pipeline_missing_fields (store, lead, TANDEM_STAGE_SAL);

      if (accepted == NULL && missing[0] == NULL)
        accepted = lead;
      else if (rejected == NULL)
        rejected = lead;
    }

  /* A small sample may have one lead waiting: hand off another of its
   * leads, routed round-robin among its sales team, to have both. */
  if (accepted == NULL || rejected == NULL)
    {
      g_autoptr(GPtrArray) leads = tandem_store_list (store, TANDEM_TYPE_LEAD, &error);
      TandemLead *extra = NULL;

      g_assert_no_error (error);
      for (guint i = 0; i < leads->len && extra == NULL; i++)
        {
          TandemLead *lead = g_ptr_array_index (leads, i);
          const char *stage = tandem_record_get_text (TANDEM_RECORD (lead), "stage");
          g_auto(GStrv) missing = tandem_pipeline_missing_fields (store, lead, TANDEM_STAGE_SAL);

          if ((g_str_equal (stage, "lead") || g_str_equal (stage, "nurture")) &&
              (accepted != NULL || missing[0] == NULL))
            extra = lead;
        }
      g_assert_nonnull (extra);
      g_assert_true (tandem_pipeline_move (store, extra, TANDEM_STAGE_MQL, NULL, NULL, &error));
      g_assert_no_error (error);
      g_ptr_array_add (queue, g_object_ref (extra));
      if (accepted == NULL)
        accepted = extra;
      else
        rejected = extra;
    }
  g_assert_nonnull (accepted);
  g_assert_nonnull (rejected);

  g_assert_true (tandem_pipeline_accept (store, accepted, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (accepted), "stage"), ==, "sal");

  g_assert_true (tandem_pipeline_reject (store, rejected, TANDEM_STAGE_DISQUALIFIED, "Duplicate",
                                         NULL, &error));
  g_assert_no_error (error);

  g_clear_pointer (&queue, g_ptr_array_unref);
  queue = tandem_pipeline_list_handoff_queue (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < queue->len; i++)
    {
      const char *id = tandem_record_get_id (g_ptr_array_index (queue, i));

      g_assert_cmpstr (id, !=, tandem_record_get_id (TANDEM_RECORD (accepted)));
      g_assert_cmpstr (id, !=, tandem_record_get_id (TANDEM_RECORD (rejected)));
    }

  g_clear_object (&store);
  g_clear_object (&fresh);
  g_clear_pointer (&queue, g_ptr_array_unref);
  g_clear_pointer (&sample_stages, g_ptr_array_unref);
  g_clear_pointer (&default_stages, g_ptr_array_unref);
  tandem_test_remove_dir (dir);
  tandem_test_remove_dir (fresh_dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/core/pipeline/defaults", test_defaults);
  ADD ("/core/pipeline/move-history", test_move_history);
  ADD ("/core/pipeline/entry-criteria", test_entry_criteria);
  ADD ("/core/pipeline/reasons", test_reasons);
  ADD ("/core/pipeline/sal-off", test_sal_off);
  ADD ("/core/pipeline/move-back", test_move_back);
  ADD ("/core/pipeline/handoff-queue", test_handoff_queue);
  ADD ("/core/pipeline/first-touch", test_first_touch);
  ADD ("/core/pipeline/stalled", test_stalled);
  ADD ("/core/pipeline/deals", test_deals);
  ADD ("/core/pipeline/lost-move-closes-deal", test_lost_move_closes_deal);
  ADD ("/core/pipeline/committee", test_committee);
  ADD ("/core/pipeline/committee-editing", test_committee_editing);
  ADD ("/core/pipeline/no-owner", test_no_owner);
  ADD ("/core/pipeline/refusal-keeps-outer-transaction", test_refusal_keeps_outer_transaction);
  g_test_add_func ("/core/pipeline/sample-queue", test_sample_queue);
  g_test_add ("/core/pipeline/set-reasons", Fixture, NULL, fixture_set_up, test_set_reasons,
              fixture_tear_down);

#undef ADD

  return g_test_run ();
}
