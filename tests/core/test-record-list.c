/* test-record-list.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "core-test-utils.h"
#include "tandem-lead-query.h"
#include "tandem-store-private.h"

typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GArray     *changes)
{
  Change change = { position, removed, added };

  g_array_append_val (changes, change);
}

static TandemPersona *
add_persona (TandemStore *store,
             const char  *name)
{
  g_autoptr(GError) error = NULL;
  TandemPersona *persona = tandem_persona_new ();

  tandem_record_set_text (TANDEM_RECORD (persona), "name", name);
  g_assert_true (tandem_store_save (store, TANDEM_RECORD (persona), &error));
  g_assert_no_error (error);
  return persona;
}

static const char *
name_at (GListModel *model,
         guint       position)
{
  g_autoptr(TandemRecord) record = g_list_model_get_item (model, position);

  /* The list keeps the record alive, so the text outlives this reference. */
  return tandem_record_get_text (record, "name");
}

static void
test_follows_store (void)
{
  g_autofree char *dir = tandem_test_make_dir ();
  g_autoptr(TandemStore) store = tandem_test_open_store (dir);
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autoptr(TandemRecordList) list = NULL;
  g_autoptr(TandemPersona) bea = add_persona (store, "Bea");
  g_autoptr(TandemPersona) dan = add_persona (store, "Dan");
  g_autoptr(TandemPersona) cat = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *model;
  Change *change;

  list = tandem_record_list_new (store, TANDEM_TYPE_PERSONA);
  model = G_LIST_MODEL (list);
  g_signal_connect (list, "items-changed", G_CALLBACK (on_items_changed), changes);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_true (g_list_model_get_item_type (model) == TANDEM_TYPE_PERSONA);
  g_assert_cmpstr (name_at (model, 0), ==, "Bea");

  /* A new row appears at its place in the order. */
  cat = add_persona (store, "Cat");
  g_assert_cmpuint (changes->len, ==, 1);
  change = &g_array_index (changes, Change, 0);
  g_assert_cmpuint (change->position, ==, 1);
  g_assert_cmpuint (change->removed, ==, 0);
  g_assert_cmpuint (change->added, ==, 1);
  g_assert_cmpstr (name_at (model, 1), ==, "Cat");

  /* An edit that keeps the order is announced for that row only, and the
   * list hands out the new values. */
  tandem_record_set_text (TANDEM_RECORD (cat), "bio", "Now with a bio.");
  g_assert_true (tandem_store_save (store, TANDEM_RECORD (cat), &error));
  g_assert_cmpuint (changes->len, ==, 2);
  change = &g_array_index (changes, Change, 1);
  g_assert_cmpuint (change->position, ==, 1);
  g_assert_cmpuint (change->removed, ==, 1);
  g_assert_cmpuint (change->added, ==, 1);
  {
    g_autoptr(TandemRecord) item = g_list_model_get_item (model, 1);
    g_assert_cmpstr (tandem_record_get_text (item, "bio"), ==, "Now with a bio.");
  }

  /* A rename that moves the row. */
  tandem_record_set_text (TANDEM_RECORD (bea), "name", "Eve");
  g_assert_true (tandem_store_save (store, TANDEM_RECORD (bea), &error));
  g_assert_cmpstr (name_at (model, 0), ==, "Cat");
  g_assert_cmpstr (name_at (model, 2), ==, "Eve");

  /* Deleting removes it; undoing brings it back. */
  g_assert_true (tandem_store_delete (store, TANDEM_RECORD (dan), &error));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_cmpuint (tandem_record_list_find (list, tandem_record_get_id (TANDEM_RECORD (dan))), ==, G_MAXUINT);
  g_assert_true (tandem_store_undelete (store, TANDEM_TYPE_PERSONA,
                                        tandem_record_get_id (TANDEM_RECORD (dan)), &error));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
  g_assert_cmpuint (tandem_record_list_find (list, tandem_record_get_id (TANDEM_RECORD (dan))), ==, 1);

  /* Search narrows the list and clearing it restores everything. */
  tandem_record_list_set_search (list, "ev");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_cmpstr (name_at (model, 0), ==, "Eve");
  tandem_record_list_set_search (list, "");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);

  /* A bulk change reloads the whole list. */
  g_assert_true (tandem_store_begin (store, &error));
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *name = g_strdup_printf ("Zed %03u", i);
      g_object_unref (add_persona (store, name));
    }
  g_assert_true (tandem_store_commit (store, &error));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 303);
  g_assert_cmpstr (name_at (model, 302), ==, "Zed 299");

  g_clear_object (&list);
  g_clear_object (&store);
  tandem_test_remove_dir (dir);
}

/* Names starting with @user_data, newest name last: a stand-in for the
 * lead queries that drive board columns. */
static GPtrArray *
ids_starting_with (TandemStore  *store,
                   gpointer      user_data,
                   GError      **error)
{
  g_autoptr(GPtrArray) personas = tandem_store_list (store, TANDEM_TYPE_PERSONA, error);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  if (personas == NULL)
    return NULL;

  for (guint i = personas->len; i > 0; i--)
    {
      TandemRecord *persona = g_ptr_array_index (personas, i - 1);

      if (g_str_has_prefix (tandem_record_get_text (persona, "name"), user_data))
        g_ptr_array_add (ids, g_strdup (tandem_record_get_id (persona)));
    }

  return ids;
}

static GPtrArray *
count_queries (TandemStore  *store,
               gpointer      user_data,
               GError      **error)
{
  guint *queries = user_data;
  g_autoptr(GPtrArray) personas = tandem_store_list (store, TANDEM_TYPE_PERSONA, error);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  (*queries)++;
  for (guint i = 0; personas != NULL && i < personas->len; i++)
    g_ptr_array_add (ids, g_strdup (tandem_record_get_id (g_ptr_array_index (personas, i))));

  return ids;
}

static void
test_one_query_per_commit (void)
{
  g_autofree char *dir = tandem_test_make_dir ();
  g_autoptr(TandemStore) store = tandem_test_open_store (dir);
  g_autoptr(TandemRecordList) list = NULL;
  g_autoptr(GError) error = NULL;
  guint queries = 0;

  list = tandem_record_list_new_with_ids_func (store, TANDEM_TYPE_PERSONA, count_queries,
                                               &queries, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_cmpuint (queries, ==, 1);

  g_assert_true (tandem_store_begin (store, &error));
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("Batch %02u", i);
      g_object_unref (add_persona (store, name));
    }
  g_assert_true (tandem_store_commit (store, &error));

  g_assert_cmpuint (queries, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 20);

  g_clear_object (&list);
  g_clear_object (&store);
  tandem_test_remove_dir (dir);
}

/* Personas by name, a stand-in for a query that can place one row: the
 * position of the first listed persona whose name sorts after this one's. */
static gboolean
locate_by_name (TandemStore  *store,
                const char   *id,
                GPtrArray    *ids,
                guint        *position,
                gpointer      user_data,
                GError      **error)
{
  g_autoptr(TandemRecord) persona = tandem_store_get (store, TANDEM_TYPE_PERSONA, id, NULL);
  const char *name;

  if (persona == NULL)
    {
      *position = G_MAXUINT;
      return TRUE;
    }

  name = tandem_record_get_text (persona, "name");
  for (*position = 0; *position < ids->len; (*position)++)
    {
      g_autoptr(TandemRecord) other = tandem_store_get (store, TANDEM_TYPE_PERSONA,
                                                        g_ptr_array_index (ids, *position), NULL);

      if (g_strcmp0 (tandem_record_get_text (other, "name"), name) > 0)
        break;
    }

  return TRUE;
}

/* With a locate function, a commit of a few rows places them without
 * listing again; a bulk commit lists again, once. */
static void
test_locate_func (void)
{
  g_autofree char *dir = tandem_test_make_dir ();
  g_autoptr(TandemStore) store = tandem_test_open_store (dir);
  g_autoptr(TandemRecordList) list = NULL;
  g_autoptr(TandemPersona) bea = add_persona (store, "Bea");
  g_autoptr(TandemPersona) dan = add_persona (store, "Dan");
  g_autoptr(GError) error = NULL;
  GListModel *model;
  guint queries = 0;

  list = tandem_record_list_new_with_ids_func (store, TANDEM_TYPE_PERSONA, count_queries,
                                               &queries, NULL);
  tandem_record_list_set_locate_func (list, locate_by_name);
  model = G_LIST_MODEL (list);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_cmpuint (queries, ==, 1);

  g_object_unref (add_persona (store, "Cat"));
  tandem_record_set_text (TANDEM_RECORD (bea), "name", "Eve");
  g_assert_true (tandem_store_save (store, TANDEM_RECORD (bea), &error));
  g_assert_true (tandem_store_delete (store, TANDEM_RECORD (dan), &error));
  g_assert_cmpuint (queries, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_cmpstr (name_at (model, 0), ==, "Cat");
  g_assert_cmpstr (name_at (model, 1), ==, "Eve");

  g_assert_true (tandem_store_begin (store, &error));
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *name = g_strdup_printf ("Batch %03u", i);
      g_object_unref (add_persona (store, name));
    }
  g_assert_true (tandem_store_commit (store, &error));
  g_assert_cmpuint (queries, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 102);

  g_clear_object (&list);
  g_clear_object (&store);
  tandem_test_remove_dir (dir);
}

static void
test_ids_func (void)
{
  g_autofree char *dir = tandem_test_make_dir ();
  g_autoptr(TandemStore) store = tandem_test_open_store (dir);
  g_autoptr(TandemRecordList) list = tandem_record_list_new (store, TANDEM_TYPE_PERSONA);
  g_autoptr(TandemPersona) ann = add_persona (store, "Ann");
  g_autoptr(TandemPersona) abe = add_persona (store, "Abe");
  g_autoptr(TandemPersona) bob = add_persona (store, "Bob");
  g_autoptr(GError) error = NULL;
  GListModel *model = G_LIST_MODEL (list);

  tandem_record_list_set_ids_func (list, ids_starting_with, g_strdup ("A"), g_free);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_cmpstr (name_at (model, 0), ==, "Ann");
  g_assert_cmpstr (name_at (model, 1), ==, "Abe");

  /* The list follows the store through the function too. */
  tandem_record_set_text (TANDEM_RECORD (bob), "name", "Al");
  g_assert_true (tandem_store_save (store, TANDEM_RECORD (bob), &error));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
  g_assert_cmpstr (name_at (model, 0), ==, "Ann");
  g_assert_cmpstr (name_at (model, 2), ==, "Abe");

  g_clear_object (&list);
  g_clear_object (&store);
  tandem_test_remove_dir (dir);
}

/* Lead queries: the kept index and the row-by-row updates of their lists
 * must give exactly what a fresh SQL query gives, in the same order. */

static GPtrArray *
run_query (TandemLeadQuery *query,
           TandemStore     *store)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *ids = tandem_lead_query_run (query, store, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ids);
  return ids;
}

/* The filters and sort of a lead query. */
typedef struct
{
  const char     *stage;
  const char     *grade;
  const char     *source;
  const char     *owner_id;
  const char     *persona_id;
  const char     *search;
  gboolean        stalled;
  TandemLeadSort  sort;
  gboolean        descending;
} Filters;

/* A query of @filters; one that keeps no index sorts and filters in SQL. */
static TandemLeadQuery *
make_query (const Filters *filters,
            gboolean       keep_order)
{
  TandemLeadQuery *query = tandem_lead_query_new ();
  const char *stages[] = { filters->stage, NULL };
  const char *grades[] = { filters->grade, NULL };

  tandem_lead_query_set_keep_order (query, keep_order);
  tandem_lead_query_set_stages (query, filters->stage != NULL ? stages : NULL);
  tandem_lead_query_set_grades (query, filters->grade != NULL ? grades : NULL);
  tandem_lead_query_set_source (query, filters->source);
  tandem_lead_query_set_owner (query, filters->owner_id);
  tandem_lead_query_set_persona (query, filters->persona_id);
  tandem_lead_query_set_search (query, filters->search);
  tandem_lead_query_set_stalled_only (query, filters->stalled);
  tandem_lead_query_set_sort (query, filters->sort, filters->descending);

  return query;
}

static void
assert_same_ids (GPtrArray  *expected,
                 GPtrArray  *actual,
                 const char *what)
{
  if (expected->len != actual->len)
    g_error ("%s: %u leads instead of %u", what, actual->len, expected->len);

  for (guint i = 0; i < expected->len; i++)
    if (!g_str_equal (g_ptr_array_index (expected, i), g_ptr_array_index (actual, i)))
      g_error ("%s: lead %u is %s instead of %s", what, i,
               (const char *) g_ptr_array_index (actual, i),
               (const char *) g_ptr_array_index (expected, i));
}

static GPtrArray *
model_ids (GListModel *model)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(TandemRecord) record = g_list_model_get_item (model, i);

      g_ptr_array_add (ids, g_strdup (tandem_record_get_id (record)));
    }

  return ids;
}

static char *
first_value (const char *path,
             const char *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM leads WHERE deleted = 0"
                                          " AND %s IS NOT NULL"
                                          " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
                                          column, column);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  g_assert_nonnull (value);
  return value;
}

/* Every filter of the leads table, alone and together, under every sort:
 * the kept index picks the same leads in the same order as SQL. */
static void
test_kept_order (TandemTestWorkspace *fixture,
                 gconstpointer        data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;
  g_autofree char *upper_source = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *persona = NULL;
  g_autoptr(TandemLeadQuery) kept = tandem_lead_query_new ();
  const char *stages[] = { TANDEM_STAGE_LEAD, TANDEM_STAGE_MQL, TANDEM_STAGE_SAL, NULL };

  g_assert_true (tandem_sample_generate (fixture->store, 300, 7, 0, NULL, NULL, &error));
  g_assert_no_error (error);

  source = first_value (fixture->path, "source");
  upper_source = g_ascii_strup (source, -1);
  owner = first_value (fixture->path, "owner_id");
  persona = first_value (fixture->path, "persona_id");

  {
    const Filters cases[] = {
      { NULL },
      { .stage = TANDEM_STAGE_LEAD },
      { .stage = TANDEM_STAGE_NURTURE },
      { .grade = "A" },
      { .grade = "C" },
      { .source = source },
      /* The source filter ignores case, as SQL's NOCASE does. */
      { .source = upper_source },
      { .source = "nowhere" },
      { .owner_id = owner },
      { .owner_id = "nobody" },
      { .persona_id = persona },
      { .stalled = TRUE },
      { .search = "a" },
      { .search = "an" },
      { .search = "zzzz" },
      { .stage = TANDEM_STAGE_LEAD, .grade = "B", .search = "a" },
      { .stage = TANDEM_STAGE_SAL, .stalled = TRUE, .owner_id = owner },
    };

    tandem_lead_query_set_keep_order (kept, TRUE);

    for (guint sort = TANDEM_LEAD_SORT_NAME; sort <= TANDEM_LEAD_SORT_DAYS_IN_STAGE; sort++)
      for (int descending = 0; descending <= 1; descending++)
        for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
          {
            Filters filters = cases[i];
            g_autoptr(TandemLeadQuery) plain = NULL;
            g_autoptr(GPtrArray) expected = NULL;
            g_autoptr(GPtrArray) actual = NULL;
            g_autofree char *what = g_strdup_printf ("sort %u%s, case %u", sort,
                                                     descending ? " descending" : "", i);
            const char *stage_list[] = { filters.stage, NULL };
            const char *grade_list[] = { filters.grade, NULL };

            filters.sort = sort;
            filters.descending = descending;
            plain = make_query (&filters, FALSE);
            expected = run_query (plain, fixture->store);

            /* The same query object changes filters and sort, as the
             * table's does. */
            tandem_lead_query_set_stages (kept, filters.stage != NULL ? stage_list : NULL);
            tandem_lead_query_set_grades (kept, filters.grade != NULL ? grade_list : NULL);
            tandem_lead_query_set_source (kept, filters.source);
            tandem_lead_query_set_owner (kept, filters.owner_id);
            tandem_lead_query_set_persona (kept, filters.persona_id);
            tandem_lead_query_set_search (kept, filters.search);
            tandem_lead_query_set_stalled_only (kept, filters.stalled);
            tandem_lead_query_set_sort (kept, sort, descending);
            actual = run_query (kept, fixture->store);

            assert_same_ids (expected, actual, what);
          }
  }

  /* Several stages at once. */
  {
    g_autoptr(TandemLeadQuery) plain = tandem_lead_query_new ();
    g_autoptr(GPtrArray) expected = NULL;
    g_autoptr(GPtrArray) actual = NULL;

    tandem_lead_query_set_stages (plain, stages);
    tandem_lead_query_set_search (kept, NULL);
    tandem_lead_query_set_grades (kept, NULL);
    tandem_lead_query_set_source (kept, NULL);
    tandem_lead_query_set_owner (kept, NULL);
    tandem_lead_query_set_persona (kept, NULL);
    tandem_lead_query_set_stalled_only (kept, FALSE);
    tandem_lead_query_set_stages (kept, stages);
    tandem_lead_query_set_sort (kept, TANDEM_LEAD_SORT_NAME, FALSE);
    expected = run_query (plain, fixture->store);
    actual = run_query (kept, fixture->store);
    g_assert_cmpuint (expected->len, >, 0);
    assert_same_ids (expected, actual, "three stages");
  }
}

typedef struct
{
  Filters           filters;
  TandemLeadQuery  *query;
  TandemRecordList *list;
  guint             changes;
} FollowedList;

static void
on_followed_changed (GListModel   *model,
                     guint         position,
                     guint         removed,
                     guint         added,
                     FollowedList *followed)
{
  followed->changes++;
}

static void
check_followed (FollowedList *lists,
                guint         n_lists,
                TandemStore  *store,
                const char   *what)
{
  for (guint i = 0; i < n_lists; i++)
    {
      g_autoptr(TandemLeadQuery) plain = make_query (&lists[i].filters, FALSE);
      g_autoptr(GPtrArray) expected = run_query (plain, store);
      g_autoptr(GPtrArray) listed = model_ids (G_LIST_MODEL (lists[i].list));
      g_autoptr(GPtrArray) kept = run_query (lists[i].query, store);
      g_autofree char *list_what = g_strdup_printf ("%s, list %u", what, i);
      g_autofree char *kept_what = g_strdup_printf ("%s, kept index of list %u", what, i);

      assert_same_ids (expected, listed, list_what);
      assert_same_ids (expected, kept, kept_what);
    }
}

static TandemRecord *
random_lead (TandemStore *store,
             const char  *path,
             GRand       *rand)
{
  g_autofree char *sql = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *id = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id FROM leads WHERE deleted = 0"
                                       " ORDER BY rowid LIMIT 1 OFFSET ?", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_int (stmt, 1, g_rand_int_range (rand, 0, 250));
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  g_assert_nonnull (id);
  return tandem_store_get (store, TANDEM_TYPE_LEAD, id, NULL);
}

/* One random edit of @lead, as a person, an import or scoring makes them:
 * values that tie, differ only in case, or are empty included. */
static void
edit_lead (TandemStore  *store,
           TandemRecord *lead,
           GRand        *rand,
           const char   *owner)
{
  static const char *const last_names[] = { "Adams", "adams", "Berg", NULL, "Zhou", "Ølund" };
  static const char *const sources[] = { "website", "Website", "referral", NULL, "event" };
  static const char *const stages[] = {
    TANDEM_STAGE_LEAD, TANDEM_STAGE_MQL, TANDEM_STAGE_SAL, TANDEM_STAGE_NURTURE,
    TANDEM_STAGE_CUSTOMER,
  };
  static const char *const grades[] = { "A", "B", "C", "D", NULL };
  g_autoptr(GError) error = NULL;
  /* Half a day off the whole days the stalled filter counts, so that no
   * lead becomes stalled while the test runs. */
  gint64 days_ago = g_get_real_time () / 1000 - 43200000 -
                    g_rand_int_range (rand, 0, 90) * G_GINT64_CONSTANT (86400000);

  switch (g_rand_int_range (rand, 0, 6))
    {
    case 0:
      tandem_record_set_text (lead, "stage",
                              stages[g_rand_int_range (rand, 0, G_N_ELEMENTS (stages))]);
      tandem_record_set_int (lead, "stage_entered_at", days_ago);
      break;
    case 1:
      tandem_record_set_text (lead, "last_name",
                              last_names[g_rand_int_range (rand, 0, G_N_ELEMENTS (last_names))]);
      break;
    case 2:
      tandem_record_set_text (lead, "source",
                              sources[g_rand_int_range (rand, 0, G_N_ELEMENTS (sources))]);
      break;
    case 3:
      tandem_record_set_text (lead, "owner_id", g_rand_boolean (rand) ? owner : NULL);
      break;
    case 4:
      tandem_record_set_text (lead, "first_name", g_rand_boolean (rand) ? "Anna" : "Zoe");
      break;
    default:
      /* Derived fields: what rescoring writes. */
      tandem_record_set_int (lead, "score", g_rand_int_range (rand, 0, 4) * 10);
      tandem_record_set_text (lead, "grade",
                              grades[g_rand_int_range (rand, 0, G_N_ELEMENTS (grades))]);
      tandem_record_set_int (lead, "last_activity_at", days_ago);
      g_assert_true (tandem_store_write_derived (store, lead, &error));
      g_assert_no_error (error);
      return;
    }

  g_assert_true (tandem_store_save (store, lead, &error));
  g_assert_no_error (error);
}

/* Lists of lead queries (a board column, the table under several sorts and
 * filters) follow moves, edits, rescores, deletes, new leads and renamed
 * companies row by row, and end up as a fresh query would list them. */
static void
test_lead_lists_follow_changes (TandemTestWorkspace *fixture,
                                gconstpointer        data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autofree char *owner = NULL;
  g_autofree char *company_id = NULL;
  FollowedList lists[] = {
    { { .stage = TANDEM_STAGE_LEAD, .sort = TANDEM_LEAD_SORT_SCORE, .descending = TRUE } },
    { { .stage = TANDEM_STAGE_NURTURE, .sort = TANDEM_LEAD_SORT_SCORE, .descending = TRUE } },
    { { .sort = TANDEM_LEAD_SORT_NAME } },
    { { .sort = TANDEM_LEAD_SORT_COMPANY, .descending = TRUE, .search = "a" } },
    { { .sort = TANDEM_LEAD_SORT_SOURCE, .grade = "B" } },
    { { .sort = TANDEM_LEAD_SORT_DAYS_IN_STAGE, .stalled = TRUE } },
    { { .sort = TANDEM_LEAD_SORT_OWNER, .descending = TRUE } },
    { { .sort = TANDEM_LEAD_SORT_LAST_ACTIVITY, .source = "WEBSITE" } },
  };

  g_assert_true (tandem_sample_generate (fixture->store, 300, 3, 0, NULL, NULL, &error));
  g_assert_no_error (error);
  owner = first_value (fixture->path, "owner_id");
  company_id = first_value (fixture->path, "company_id");

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      /* Board columns keep no index; the table's query does. */
      lists[i].query = make_query (&lists[i].filters, lists[i].filters.stage == NULL);
      lists[i].list = tandem_lead_query_create_list (lists[i].query, fixture->store);
      g_signal_connect (lists[i].list, "items-changed",
                        G_CALLBACK (on_followed_changed), &lists[i]);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (lists[i].list)), >, 0);
    }
  check_followed (lists, G_N_ELEMENTS (lists), fixture->store, "at first");

  /* One lead per commit, the common case. */
  for (guint round = 0; round < 120; round++)
    {
      g_autoptr(TandemRecord) lead = random_lead (fixture->store, fixture->path, rand);
      g_autofree char *what = g_strdup_printf ("edit %u", round);

      edit_lead (fixture->store, lead, rand, owner);
      check_followed (lists, G_N_ELEMENTS (lists), fixture->store, what);
    }

  /* Several leads in one commit. */
  for (guint round = 0; round < 10; round++)
    {
      g_autofree char *what = g_strdup_printf ("commit of several, %u", round);

      g_assert_true (tandem_store_begin (fixture->store, &error));
      for (guint i = 0; i < 8; i++)
        {
          g_autoptr(TandemRecord) lead = random_lead (fixture->store, fixture->path, rand);

          edit_lead (fixture->store, lead, rand, owner);
        }
      g_assert_true (tandem_store_commit (fixture->store, &error));
      check_followed (lists, G_N_ELEMENTS (lists), fixture->store, what);
    }

  /* Deleted, restored and new leads. */
  {
    g_autoptr(TandemRecord) gone = random_lead (fixture->store, fixture->path, rand);
    g_autoptr(TandemLead) added = tandem_lead_new ();

    g_assert_true (tandem_store_delete (fixture->store, gone, &error));
    check_followed (lists, G_N_ELEMENTS (lists), fixture->store, "deleted");
    g_assert_true (tandem_store_undelete (fixture->store, TANDEM_TYPE_LEAD,
                                          tandem_record_get_id (gone), &error));
    check_followed (lists, G_N_ELEMENTS (lists), fixture->store, "restored");

    g_object_set (added, "first-name", "Anna", "last-name", "Adams", "source", "website",
                  "company-id", company_id, NULL);
    g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (added), &error));
    check_followed (lists, G_N_ELEMENTS (lists), fixture->store, "added");
  }

  /* A renamed company moves its leads in the sort by company. */
  {
    g_autoptr(TandemRecord) company = tandem_store_get (fixture->store, TANDEM_TYPE_COMPANY,
                                                        company_id, &error);

    g_assert_nonnull (company);
    tandem_record_set_text (company, "name", "aaa First Of All");
    g_assert_true (tandem_store_save (fixture->store, company, &error));
    /* The lists follow leads; a view sorted by company refreshes its list
     * when a company changes. */
    tandem_record_list_refresh (lists[3].list);
    check_followed (lists, G_N_ELEMENTS (lists), fixture->store, "company renamed");
  }

  /* Too many leads in one commit to place one by one: listed again. */
  g_assert_true (tandem_store_begin (fixture->store, &error));
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(TandemRecord) lead = random_lead (fixture->store, fixture->path, rand);

      edit_lead (fixture->store, lead, rand, owner);
    }
  g_assert_true (tandem_store_commit (fixture->store, &error));
  check_followed (lists, G_N_ELEMENTS (lists), fixture->store, "bulk commit");

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      g_assert_cmpuint (lists[i].changes, >, 0);
      g_clear_object (&lists[i].list);
      g_clear_object (&lists[i].query);
    }
}

/* A change that keeps a lead in its place is announced there, as one
 * changed row, and a move is a removal and an insertion: the board keeps
 * its cards and its selection. */
static void
test_lead_list_announces_rows (TandemTestWorkspace *fixture,
                               gconstpointer        data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autoptr(TandemLeadQuery) query = tandem_lead_query_new ();
  g_autoptr(TandemRecordList) list = NULL;
  g_autoptr(TandemLead) a = tandem_lead_new ();
  g_autoptr(TandemLead) b = tandem_lead_new ();
  g_autoptr(TandemLead) c = tandem_lead_new ();
  GListModel *model;
  Change *change;

  g_object_set (a, "last-name", "Adams", NULL);
  g_object_set (b, "last-name", "Berg", NULL);
  g_object_set (c, "last-name", "Chen", NULL);
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (a), &error));
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (b), &error));
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (c), &error));

  list = tandem_lead_query_create_list (query, fixture->store);
  model = G_LIST_MODEL (list);
  g_signal_connect (list, "items-changed", G_CALLBACK (on_items_changed), changes);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);

  /* An edit that keeps the order. */
  g_object_set (b, "first-name", "Bo", NULL);
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (b), &error));
  g_assert_cmpuint (changes->len, ==, 1);
  change = &g_array_index (changes, Change, 0);
  g_assert_cmpuint (change->position, ==, 1);
  g_assert_cmpuint (change->removed, ==, 1);
  g_assert_cmpuint (change->added, ==, 1);
  {
    g_autoptr(TandemRecord) item = g_list_model_get_item (model, 1);
    g_assert_cmpstr (tandem_record_get_text (item, "first_name"), ==, "Bo");
  }

  /* A rename that moves Adams to the end. */
  g_object_set (a, "last-name", "Zeller", NULL);
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (a), &error));
  g_assert_cmpuint (changes->len, ==, 3);
  change = &g_array_index (changes, Change, 1);
  g_assert_cmpuint (change->position, ==, 0);
  g_assert_cmpuint (change->removed, ==, 1);
  g_assert_cmpuint (change->added, ==, 0);
  change = &g_array_index (changes, Change, 2);
  g_assert_cmpuint (change->position, ==, 2);
  g_assert_cmpuint (change->removed, ==, 0);
  g_assert_cmpuint (change->added, ==, 1);
  g_assert_cmpuint (tandem_record_list_find (list, tandem_record_get_id (TANDEM_RECORD (a))),
                    ==, 2);

  /* Leaving the filter removes the row. */
  {
    const char *stages[] = { TANDEM_STAGE_LEAD, NULL };

    tandem_lead_query_set_stages (query, stages);
    tandem_record_list_refresh (list);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
    g_array_set_size (changes, 0);
    g_object_set (c, "stage", TANDEM_STAGE_MQL, NULL);
    g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (c), &error));
    g_assert_cmpuint (changes->len, ==, 1);
    change = &g_array_index (changes, Change, 0);
    g_assert_cmpuint (change->position, ==, 1);
    g_assert_cmpuint (change->removed, ==, 1);
    g_assert_cmpuint (change->added, ==, 0);
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  }
}

typedef struct
{
  guint handed_out;
  guint finalized;
} RecordCount;

static void
on_record_finalized (gpointer  data,
                     GObject  *where_the_object_was)
{
  RecordCount *count = data;

  count->finalized++;
}

/* Asks for every row once, as scrolling through the whole list does, and
 * counts the records it hands out that are still alive afterwards. */
static guint
walk_list (GListModel  *model,
           GPtrArray   *ids,
           RecordCount *count)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TandemRecord) record = g_list_model_get_item (model, i);

      g_assert_cmpstr (tandem_record_get_id (record), ==, g_ptr_array_index (ids, i));
      if (g_object_get_data (G_OBJECT (record), "test-counted") == NULL)
        {
          g_object_set_data (G_OBJECT (record), "test-counted", GINT_TO_POINTER (TRUE));
          g_object_weak_ref (G_OBJECT (record), on_record_finalized, count);
          count->handed_out++;
        }
    }

  return count->handed_out - count->finalized;
}

typedef struct
{
  guint reads;
  guint rows;
} PageReads;

static int
count_page_reads (unsigned  event,
                  void     *data,
                  void     *statement,
                  void     *sql)
{
  PageReads *count = data;

  if (strstr (sqlite3_sql (statement), "FROM leads WHERE deleted = 0 AND id IN (") == NULL)
    return 0;

  if (event == SQLITE_TRACE_STMT)
    count->reads++;
  else if (event == SQLITE_TRACE_ROW)
    count->rows++;
  return 0;
}

/* Rows are read a page at a time, scrolling down as well as up, not one
 * query per row. A jump to a far place reads a short page, a board
 * column's screenful, or in one query the 200 rows a GTK 4.8 column view
 * binds there when the list was told so; scrolling on from loaded rows
 * reads short pages, so that no frame of a scroll reads a couple of
 * hundred. */
static void
test_reads_pages (TandemTestWorkspace *fixture,
                  gconstpointer        data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemRecordList) list = NULL;
  g_autoptr(GPtrArray) window = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model;
  PageReads count = { 0, };
  guint n, start;

  g_assert_true (tandem_sample_generate (fixture->store, 1000, 9, 0, NULL, NULL, &error));
  g_assert_no_error (error);
  list = tandem_record_list_new (fixture->store, TANDEM_TYPE_LEAD);
  model = G_LIST_MODEL (list);
  n = g_list_model_get_n_items (model);
  g_assert_cmpuint (n, ==, 1000);

  sqlite3_trace_v2 (tandem_store_get_db (fixture->store), SQLITE_TRACE_STMT | SQLITE_TRACE_ROW,
                    count_page_reads, &count);

  /* One row far down, as a board column that jumps there shows a dozen:
   * a short page, not 200 rows. */
  g_object_unref (g_list_model_get_item (model, n - 50));
  g_assert_cmpuint (count.reads, ==, 1);
  g_assert_cmpuint (count.rows, ==, 32);

  /* A jump to the middle, as a column view binds it: the 200 rows from
   * there on, held as its list items hold them, in one query. */
  tandem_record_list_set_jump_rows (list, 200);
  count.reads = 0;
  count.rows = 0;
  start = n / 2 - 100;
  for (guint i = start; i < start + 200; i++)
    {
      TandemRecord *record = g_list_model_get_item (model, i);

      g_assert_cmpstr (tandem_record_get_text (record, "last_name"), !=, NULL);
      g_ptr_array_add (window, record);
    }
  g_assert_cmpuint (count.reads, ==, 1);
  g_assert_cmpuint (count.rows, ==, 200);

  /* Scrolling down from there to the end, a row at a time: short pages. */
  count.reads = 0;
  count.rows = 0;
  for (guint i = start + 200; i < n; i++)
    {
      g_autoptr(TandemRecord) record = g_list_model_get_item (model, i);

      g_assert_cmpstr (tandem_record_get_text (record, "last_name"), !=, NULL);
    }
  g_assert_cmpuint (count.rows, ==, n - start - 200);
  g_assert_cmpuint (count.reads, ==, (n - start - 200 + 31) / 32);

  /* Then up from the window to the top. */
  count.reads = 0;
  count.rows = 0;
  for (guint i = start; i-- > 0;)
    {
      g_autoptr(TandemRecord) record = g_list_model_get_item (model, i);

      g_assert_cmpstr (tandem_record_get_text (record, "last_name"), !=, NULL);
    }
  g_assert_cmpuint (count.rows, ==, start);
  g_assert_cmpuint (count.reads, ==, (start + 31) / 32);

  sqlite3_trace_v2 (tandem_store_get_db (fixture->store), 0, NULL, NULL);
}

/* Scrolling through 100,000 leads must not keep 100,000 records: rows
 * nobody holds any more are let go past a small window, while a row still
 * held (by a list item, the detail pane) is handed out as the same object
 * with the values the store has. */
static void
test_loaded_rows_bounded (TandemTestWorkspace *fixture,
                          gconstpointer        data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemRecordList) list = NULL;
  g_autoptr(GPtrArray) leads = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(TandemRecord) first = NULL;
  g_autoptr(TandemRecord) middle = NULL;
  g_autoptr(TandemRecord) again = NULL;
  RecordCount count = { 0, };
  GListModel *model;
  guint n, alive;

  g_assert_true (tandem_sample_generate (fixture->store, 3000, 5, 0, NULL, NULL, &error));
  g_assert_no_error (error);
  leads = tandem_store_list (fixture->store, TANDEM_TYPE_LEAD, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < leads->len; i++)
    g_ptr_array_add (ids, (gpointer) tandem_record_get_id (g_ptr_array_index (leads, i)));

  list = tandem_record_list_new (fixture->store, TANDEM_TYPE_LEAD);
  model = G_LIST_MODEL (list);
  n = g_list_model_get_n_items (model);
  g_assert_cmpuint (n, ==, 3000);

  first = g_list_model_get_item (model, 0);
  middle = g_list_model_get_item (model, n / 2);

  alive = walk_list (model, ids, &count);
  g_assert_cmpuint (count.handed_out, ==, n);
  g_assert_cmpuint (alive, <=, 1000);

  /* Walking again and again keeps it there. */
  alive = walk_list (model, ids, &count);
  g_assert_cmpuint (alive, <=, 1000);
  alive = walk_list (model, ids, &count);
  g_assert_cmpuint (alive, <=, 1000);

  /* Rows held elsewhere keep their identity through all of it. */
  again = g_list_model_get_item (model, 0);
  g_assert_true (again == first);
  g_clear_object (&again);
  again = g_list_model_get_item (model, n / 2);
  g_assert_true (again == middle);
  g_clear_object (&again);

  /* Rows let go come back with the store's values. */
  for (guint i = 0; i < n; i += 97)
    {
      g_autoptr(TandemRecord) item = g_list_model_get_item (model, i);
      TandemRecord *stored = g_ptr_array_index (leads, i);

      g_assert_cmpstr (tandem_record_get_id (item), ==, tandem_record_get_id (stored));
      g_assert_cmpstr (tandem_record_get_text (item, "last_name"), ==,
                       tandem_record_get_text (stored, "last_name"));
      g_assert_cmpstr (tandem_record_get_text (item, "company_id"), ==,
                       tandem_record_get_text (stored, "company_id"));
      g_assert_cmpint (tandem_record_get_int (item, "score"), ==,
                       tandem_record_get_int (stored, "score"));
    }

  /* A change to a held row gives a new object with the new values. */
  tandem_record_set_text (first, "last_name", "Zyxwort");
  g_assert_true (tandem_store_save (fixture->store, first, &error));
  g_assert_no_error (error);
  again = g_list_model_get_item (model, tandem_record_list_find (list, tandem_record_get_id (first)));
  g_assert_true (again != first);
  g_assert_cmpstr (tandem_record_get_text (again, "last_name"), ==, "Zyxwort");

  /* Records still alive must not call back into the counter on the stack. */
  g_clear_object (&list);
  g_clear_object (&again);
  g_clear_object (&first);
  g_clear_object (&middle);
  g_clear_pointer (&leads, g_ptr_array_unref);
  g_assert_cmpuint (count.finalized, ==, count.handed_out);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/record-list/follows-store", test_follows_store);
  g_test_add_func ("/core/record-list/ids-func", test_ids_func);
  g_test_add_func ("/core/record-list/one-query-per-commit", test_one_query_per_commit);
  g_test_add_func ("/core/record-list/locate-func", test_locate_func);
  g_test_add ("/core/record-list/lead-query-kept-order", TandemTestWorkspace, NULL,
              tandem_test_workspace_set_up, test_kept_order, tandem_test_workspace_tear_down);
  g_test_add ("/core/record-list/lead-lists-follow-changes", TandemTestWorkspace, NULL,
              tandem_test_workspace_set_up, test_lead_lists_follow_changes,
              tandem_test_workspace_tear_down);
  g_test_add ("/core/record-list/lead-list-announces-rows", TandemTestWorkspace, NULL,
              tandem_test_workspace_set_up, test_lead_list_announces_rows,
              tandem_test_workspace_tear_down);
  g_test_add ("/core/record-list/reads-pages", TandemTestWorkspace, NULL,
              tandem_test_workspace_set_up, test_reads_pages,
              tandem_test_workspace_tear_down);
  g_test_add ("/core/record-list/loaded-rows-bounded", TandemTestWorkspace, NULL,
              tandem_test_workspace_set_up, test_loaded_rows_bounded,
              tandem_test_workspace_tear_down);

  return g_test_run ();
}
