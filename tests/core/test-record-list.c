/* test-record-list.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "core-test-utils.h"

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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/record-list/follows-store", test_follows_store);
  g_test_add_func ("/core/record-list/ids-func", test_ids_func);
  g_test_add_func ("/core/record-list/one-query-per-commit", test_one_query_per_commit);

  return g_test_run ();
}
