/* test-server-store.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "core-test-utils.h"
#include "tandem-schema.h"
#include "tandem-server-snapshot.h"
#include "tandem-server-store.h"
#include "tandem-snapshot-format.h"
#include "tandem-sync-protocol.h"
#include "tandem-sync-private.h"

#define NOW 1763900000000

typedef struct
{
  char              *dir;
  char              *path;
  TandemServerStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = tandem_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "sync.db", NULL);
  fixture->store = tandem_server_store_open (fixture->path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
  tandem_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static TandemChange *
make_change (const char *table,
             const char *row,
             const char *field,
             const char *value_json,
             gint64      hlc,
             const char *site,
             gint64      base_hlc)
{
  TandemChange *change = tandem_sync_change_alloc ();

  change->table = g_strdup (table);
  change->row_id = g_strdup (row);
  change->field = g_strdup (field);
  change->value_json = g_strdup (value_json);
  change->hlc = hlc;
  change->site = g_strdup (site);
  change->base_hlc = base_hlc;

  return change;
}

static GPtrArray *
batch_new (void)
{
  return g_ptr_array_new_with_free_func (tandem_sync_change_release);
}

/* Pushes @changes as batch @batch_id and checks the outcomes, given as a
 * string with one letter per change: a(pplied), s(uperseded), c(onflict). */
static gint64
push_expect (Fixture    *fixture,
             const char *batch_id,
             GPtrArray  *changes,
             const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) outcomes = NULL;
  g_autoptr(GString) got = g_string_new (NULL);
  gint64 cursor = -1;

  g_assert_true (tandem_server_store_push (fixture->store, "desk", batch_id, TANDEM_SYNC_SCHEMA_VERSION,
                                           NOW, NOW, changes, &outcomes, &cursor, &error));
  g_assert_no_error (error);
  g_assert_nonnull (outcomes);

  for (guint i = 0; i < outcomes->len; i++)
    g_string_append_c (got, "ascr"[g_array_index (outcomes, int, i)]);
  g_assert_cmpstr (got->str, ==, expected);

  return cursor;
}

/* The value of one field in the snapshot, or NULL. */
static char *
state_value (Fixture    *fixture,
             const char *table,
             const char *row,
             const char *field)
{
  g_autoptr(GPtrArray) snapshot = NULL;
  g_autoptr(GError) error = NULL;

  snapshot = tandem_server_store_snapshot (fixture->store, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < snapshot->len; i++)
    {
      TandemChange *change = g_ptr_array_index (snapshot, i);

      if (g_str_equal (change->table, table) && g_str_equal (change->row_id, row) &&
          g_str_equal (change->field, field))
        return g_strdup (change->value_json);
    }

  return NULL;
}

static gint64
count (Fixture    *fixture,
       const char *sql)
{
  return tandem_test_query_int (fixture->path, sql);
}

static void
test_merge (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) b1 = batch_new ();
  g_autoptr(GPtrArray) b2 = batch_new ();
  g_autoptr(GPtrArray) b3 = batch_new ();
  g_autofree char *email = NULL;
  g_autofree char *name = NULL;

  g_ptr_array_add (b1, make_change ("leads", "L1", "*",
                                    "{\"email\": \"ann@acme.example\", \"first_name\": \"Ann\", "
                                    "\"deleted\": 0}", 100, "siteA", 0));
  g_assert_cmpint (push_expect (fixture, "b1", b1, "a"), ==, 1);

  /* An older value loses; a newer edit of what its editor saw wins. */
  g_ptr_array_add (b2, make_change ("leads", "L1", "email", "\"old@acme.example\"", 50,
                                    "siteA", 0));
  g_ptr_array_add (b2, make_change ("leads", "L1", "first_name", "\"Anne\"", 200, "siteB", 100));
  g_assert_cmpint (push_expect (fixture, "b2", b2, "sa"), ==, 2);

  /* Equal clocks: the higher site wins. */
  g_ptr_array_add (b3, make_change ("leads", "L1", "email", "\"z@acme.example\"", 100,
                                    "siteZ", 100));
  push_expect (fixture, "b3", b3, "a");

  email = state_value (fixture, "leads", "L1", "email");
  name = state_value (fixture, "leads", "L1", "first_name");
  g_assert_cmpstr (email, ==, "\"z@acme.example\"");
  g_assert_cmpstr (name, ==, "\"Anne\"");

  /* Only winners are in the log. */
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM changes"), ==, 3);
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM conflicts"), ==, 0);
}

static void
test_conflicts (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) b1 = batch_new ();
  g_autoptr(GPtrArray) b2 = batch_new ();
  g_autoptr(GPtrArray) b3 = batch_new ();
  g_autoptr(GPtrArray) b4 = batch_new ();
  g_autoptr(GPtrArray) b5 = batch_new ();
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *phone = NULL;
  TandemConflict *conflict;

  g_ptr_array_add (b1, make_change ("leads", "L1", "phone", "\"111\"", 100, "siteA", 0));
  push_expect (fixture, "b1", b1, "a");

  /* B edited the field without having seen A's value, and wins. */
  g_ptr_array_add (b2, make_change ("leads", "L1", "phone", "\"222\"", 200, "siteB", 0));
  push_expect (fixture, "b2", b2, "c");

  /* C also had not seen it, and loses: still a conflict, nothing lost. */
  g_ptr_array_add (b3, make_change ("leads", "L1", "phone", "\"333\"", 150, "siteC", 0));
  push_expect (fixture, "b3", b3, "c");

  /* A retried loser in a new batch is the same conflict, recorded once. */
  g_ptr_array_add (b5, make_change ("leads", "L1", "phone", "\"333\"", 150, "siteC", 0));
  push_expect (fixture, "b3-retry", b5, "c");

  /* The same value from another site is no conflict, nor is an edit of
   * the value seen, nor a site overwriting its own value. */
  g_ptr_array_add (b4, make_change ("leads", "L1", "phone", "\"222\"", 250, "siteD", 0));
  g_ptr_array_add (b4, make_change ("leads", "L1", "phone", "\"444\"", 300, "siteA", 250));
  g_ptr_array_add (b4, make_change ("leads", "L1", "phone", "\"555\"", 400, "siteA", 0));
  push_expect (fixture, "b4", b4, "aaa");

  phone = state_value (fixture, "leads", "L1", "phone");
  g_assert_cmpstr (phone, ==, "\"555\"");

  conflicts = tandem_server_store_list_conflicts (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conflicts->len, ==, 2);

  conflict = g_ptr_array_index (conflicts, 0);
  g_assert_cmpstr (conflict->kept_value_json, ==, "\"222\"");
  g_assert_cmpstr (conflict->kept_site, ==, "siteB");
  g_assert_cmpstr (conflict->other_value_json, ==, "\"111\"");
  g_assert_cmpint (conflict->other_hlc, ==, 100);

  conflict = g_ptr_array_index (conflicts, 1);
  g_assert_cmpstr (conflict->kept_value_json, ==, "\"222\"");
  g_assert_cmpstr (conflict->other_value_json, ==, "\"333\"");
  g_assert_cmpstr (conflict->other_site, ==, "siteC");
}

static void
test_idempotent_batch (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) b1 = batch_new ();
  g_autoptr(GPtrArray) other = batch_new ();
  gint64 first, again;

  g_ptr_array_add (b1, make_change ("leads", "L1", "phone", "\"111\"", 100, "siteA", 0));
  g_ptr_array_add (b1, make_change ("leads", "L1", "phone", "\"000\"", 90, "siteA", 0));
  first = push_expect (fixture, "batch-1", b1, "as");

  /* The retry answers what the first delivery did, even with different
   * content, and stores nothing again. */
  again = push_expect (fixture, "batch-1", b1, "as");
  g_assert_cmpint (again, ==, first);
  g_ptr_array_add (other, make_change ("leads", "L2", "phone", "\"999\"", 500, "siteA", 0));
  again = push_expect (fixture, "batch-1", other, "as");
  g_assert_cmpint (again, ==, first);

  g_assert_cmpint (count (fixture, "SELECT count(*) FROM changes"), ==, 1);
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM batches"), ==, 1);
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM rows WHERE row_id = 'L2'"), ==, 0);
}

static void
push_invalid (Fixture    *fixture,
              GPtrArray  *changes,
              const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) outcomes = NULL;
  gint64 cursor = -1;

  g_assert_false (tandem_server_store_push (fixture->store, "desk", "bad", TANDEM_SYNC_SCHEMA_VERSION,
                                            NOW, NOW, changes, &outcomes, &cursor, &error));
  g_assert_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_INVALID);
  if (strstr (error->message, message) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, message);
  g_assert_null (outcomes);
}

static void
test_whole_or_nothing (Fixture       *fixture,
                       gconstpointer  data)
{
  struct {
    const char *table, *field, *value, *message;
  } bad[] = {
    { "nonsense", "name", "\"x\"", "change 2: unknown table \"nonsense\"" },
    { "leads", "nonsense", "\"x\"", "change 2: unknown field \"nonsense\"" },
    { "leads", "score", "5", "change 2: field \"score\"" },
    { "leads", "email", "5", "change 2: field \"email\" of table \"leads\" takes a string" },
    { "leads", "created_at", "\"yesterday\"", "takes an integer" },
    { "leads", "created_at", "1.5", "change 2: the value is not a string, an integer or null: "
      "A number that is not an integer" },
    { "leads", "deleted", "2", "\"deleted\" must be 0 or 1" },
    { "leads", "*", "{\"bogus\": 1}", "unknown field \"bogus\"" },
    { "leads", "*", "\"x\"", "takes an object" },
    { "activities", "kind", "\"call\"", "only ever created whole" },
    { "leads", "email", "{\"a\":", "change 2: the value is not a string, an integer or null" },
    { "leads", "email", "\"a\\ud800\"", "not valid UTF-8" },
    { "leads", "*", "{\"email\": \"a\", \"email\": \"b\"}", "given twice" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GPtrArray) batch = batch_new ();

      g_ptr_array_add (batch, make_change ("leads", "L1", "phone", "\"111\"", 100, "siteA", 0));
      g_ptr_array_add (batch, make_change ("leads", "L2", "*", "{\"email\": \"b@x\"}", 100,
                                           "siteA", 0));
      g_ptr_array_add (batch, make_change (bad[i].table, "L3", bad[i].field, bad[i].value, 100,
                                           "siteA", 0));
      push_invalid (fixture, batch, bad[i].message);
    }

  g_assert_cmpint (count (fixture, "SELECT count(*) FROM changes"), ==, 0);
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM rows"), ==, 0);
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM batches"), ==, 0);
  g_assert_cmpint (tandem_server_store_get_cursor (fixture->store), ==, 0);
}

static void
test_refusals (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) batch = batch_new ();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (batch, make_change ("leads", "L1", "phone", "\"111\"", 100, "siteA", 0));

  g_assert_false (tandem_server_store_push (fixture->store, "desk", "b", TANDEM_SYNC_SCHEMA_VERSION - 1,
                                            NOW, NOW, batch, NULL, NULL, &error));
  g_assert_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_UPGRADE_REQUIRED);
  g_clear_error (&error);

  g_assert_false (tandem_server_store_push (fixture->store, "desk", "b", TANDEM_SYNC_SCHEMA_VERSION,
                                            NOW + 3600 * 1000, NOW, batch, NULL, NULL, &error));
  g_assert_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_CLOCK_SKEW);
  g_clear_error (&error);

  /* 60 s ahead is still fine; behind is always fine. */
  g_assert_true (tandem_server_store_push (fixture->store, "desk", "b", TANDEM_SYNC_SCHEMA_VERSION,
                                           NOW + 60 * 1000, NOW, batch, NULL, NULL, &error));
  g_assert_true (tandem_server_store_push (fixture->store, "desk", "c", TANDEM_SYNC_SCHEMA_VERSION,
                                           NOW - 86400 * 1000, NOW, batch, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_insert_only (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) b1 = batch_new ();
  g_autoptr(GPtrArray) b2 = batch_new ();
  const char *row = "{\"lead_id\": \"L1\", \"kind\": \"call\", \"occurred_at\": 5, \"deleted\": 0}";
  g_autofree char *kind = NULL;

  g_ptr_array_add (b1, make_change ("activities", "A1", "*", row, 100, "siteA", 0));
  push_expect (fixture, "b1", b1, "a");

  /* Delivered again, or with other content under the same id: no-op. */
  g_ptr_array_add (b2, make_change ("activities", "A1", "*", row, 100, "siteA", 0));
  g_ptr_array_add (b2, make_change ("activities", "A1", "*",
                                    "{\"kind\": \"email\"}", 300, "siteB", 0));
  push_expect (fixture, "b2", b2, "aa");

  g_assert_cmpint (count (fixture, "SELECT count(*) FROM changes"), ==, 1);
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM rows WHERE row_id = 'A1'"), ==, 1);
  kind = state_value (fixture, "activities", "A1", "kind");
  g_assert_cmpstr (kind, ==, "\"call\"");
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM conflicts"), ==, 0);
}

static void
push_many (Fixture *fixture,
           guint    n)
{
  g_autoptr(GPtrArray) batch = batch_new ();
  g_autoptr(GString) expected = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *row = g_strdup_printf ("L%u", i);

      g_ptr_array_add (batch, make_change ("leads", row, "phone", "\"1\"", 100 + i, "siteA", 0));
      g_string_append_c (expected, 'a');
    }

  push_expect (fixture, "many", batch, expected->str);
}

static void
test_pull (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 since = 0;
  gint64 cursor = -1;
  gboolean more = TRUE;
  guint pages = 0;
  guint total = 0;

  push_many (fixture, 25);

  while (more)
    {
      g_autoptr(GPtrArray) page = tandem_server_store_pull (fixture->store, since, 10, &cursor,
                                                            &more, &error);
      g_assert_no_error (error);

      for (guint i = 0; i < page->len; i++)
        {
          TandemChange *change = g_ptr_array_index (page, i);

          g_assert_cmpint (change->seq, ==, since + i + 1);
          g_assert_cmpstr (change->table, ==, "leads");
          g_assert_cmpint (change->hlc, ==, 100 + change->seq - 1);
        }

      total += page->len;
      since = cursor;
      pages++;
    }

  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpuint (total, ==, 25);
  g_assert_cmpint (cursor, ==, 25);

  /* At the end: nothing, same cursor. */
  {
    g_autoptr(GPtrArray) page = tandem_server_store_pull (fixture->store, 25, 10, &cursor, &more,
                                                          &error);
    g_assert_no_error (error);
    g_assert_cmpuint (page->len, ==, 0);
    g_assert_false (more);
    g_assert_cmpint (cursor, ==, 25);
  }
}

static void
test_compact (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GPtrArray) snapshot = NULL;
  gint64 cursor = -1;
  gboolean more;

  push_many (fixture, 20);
  g_assert_true (tandem_server_store_compact (fixture->store, 15, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tandem_server_store_get_horizon (fixture->store), ==, 15);
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM changes"), ==, 5);

  page = tandem_server_store_pull (fixture->store, 5, 10, &cursor, &more, &error);
  g_assert_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_CURSOR_EXPIRED);
  g_assert_null (page);
  g_clear_error (&error);

  /* A cursor ahead of the server: a server restored from a backup. */
  page = tandem_server_store_pull (fixture->store, 21, 10, &cursor, &more, &error);
  g_assert_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_CURSOR_EXPIRED);
  g_clear_error (&error);

  page = tandem_server_store_pull (fixture->store, 15, 10, &cursor, &more, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 5);
  g_assert_cmpint (cursor, ==, 20);

  /* The state keeps everything, and the snapshot's cursor is the newest. */
  snapshot = tandem_server_store_snapshot (fixture->store, &cursor, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (snapshot->len, ==, 20);
  g_assert_cmpint (cursor, ==, 20);

  /* The horizon never moves back, nor past the newest change. */
  g_assert_true (tandem_server_store_compact (fixture->store, 3, &error));
  g_assert_cmpint (tandem_server_store_get_horizon (fixture->store), ==, 15);
  g_assert_true (tandem_server_store_compact (fixture->store, 1000, &error));
  g_assert_cmpint (tandem_server_store_get_horizon (fixture->store), ==, 20);
  g_assert_cmpint (tandem_server_store_get_cursor (fixture->store), ==, 20);
}

static char *
get_layout (Fixture *fixture)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *layout = NULL;

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT value FROM meta WHERE key = 'row_layout'", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  layout = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return layout;
}

/* Sets the columns of @table in a layout string ("table:a,b;…"). */
static void
replace_layout_of (GString    *layout,
                   const char *table,
                   const char *columns)
{
  g_autofree char *prefix = g_strconcat (table, ":", NULL);
  const char *start = strstr (layout->str, prefix);
  const char *end;

  g_assert_nonnull (start);
  end = strchr (start, ';');
  if (end == NULL)
    end = layout->str + layout->len;
  start += strlen (prefix);
  g_string_erase (layout, start - layout->str, end - start);
  g_string_insert (layout, start - layout->str, columns);
}

static const TandemChange *
find_field (GPtrArray  *changes,
            const char *row,
            const char *field)
{
  for (guint i = 0; i < changes->len; i++)
    {
      const TandemChange *change = g_ptr_array_index (changes, i);

      if (g_str_equal (change->row_id, row) && g_str_equal (change->field, field))
        return change;
    }

  return NULL;
}

static void
test_snapshot (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) b1 = batch_new ();
  g_autoptr(GPtrArray) b2 = batch_new ();
  g_autoptr(GPtrArray) snapshot = NULL;
  g_autoptr(GPtrArray) streamed = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  const TandemChange *change;
  const char *text;
  gint64 cursor = -1;
  int schema = 0;

  g_ptr_array_add (b1, make_change ("leads", "L2", "*", "{\"email\": \"b@x\", \"phone\": null}",
                                    100, "siteA", 0));
  g_ptr_array_add (b1, make_change ("companies", "C1", "name", "\"Acme\"", 120, "siteB", 0));
  push_expect (fixture, "b1", b1, "aa");
  g_ptr_array_add (b2, make_change ("leads", "L2", "phone", "\"555\"", 130, "siteB", 100));
  push_expect (fixture, "b2", b2, "a");

  snapshot = tandem_server_store_snapshot (fixture->store, &cursor, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cursor, ==, 3);

  /* Sorted by table, row and field, each with its own clock and site. */
  change = g_ptr_array_index (snapshot, 0);
  g_assert_cmpstr (change->table, ==, "companies");
  g_assert_cmpstr (change->field, ==, "name");
  g_assert_cmpstr (change->value_json, ==, "\"Acme\"");
  g_assert_cmpint (change->hlc, ==, 120);
  g_assert_cmpstr (change->site, ==, "siteB");
  /* A company known only from its name has no other field written. */
  g_assert_cmpstr (((TandemChange *) g_ptr_array_index (snapshot, 1))->table, ==, "leads");

  /* The fields a new row leaves out take their defaults under its clock,
   * as on the desktop that made it; a later edit has its own clock. */
  change = find_field (snapshot, "L2", "stage");
  g_assert_nonnull (change);
  g_assert_cmpstr (change->value_json, ==, "\"lead\"");
  g_assert_cmpint (change->hlc, ==, 100);
  change = find_field (snapshot, "L2", "email");
  g_assert_cmpstr (change->value_json, ==, "\"b@x\"");
  g_assert_cmpstr (change->site, ==, "siteA");
  change = find_field (snapshot, "L2", "phone");
  g_assert_cmpstr (change->value_json, ==, "\"555\"");
  g_assert_cmpint (change->hlc, ==, 130);
  g_assert_cmpstr (change->site, ==, "siteB");
  change = find_field (snapshot, "L2", "deleted");
  g_assert_cmpstr (change->value_json, ==, "0");

  /* The streamed form holds the same: one line per row, the clocks of
   * the edited fields only. */
  g_assert_true (tandem_server_snapshot_write_all (fixture->store, out, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, NULL);
  text = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out));
  g_assert_nonnull (strstr (text, "{\"format\":\"tandem-snapshot\",\"version\":2,"));
  g_assert_nonnull (strstr (text, "[\"L2\",100,\"siteA\",[null,null,\"b@x\",\"555\","));
  g_assert_nonnull (strstr (text, "],{\"phone\":[130,\"siteB\"]}]\n"));
  g_assert_nonnull (strstr (text, "{\"end\":true,\"rows\":2}\n"));

  streamed = tandem_snapshot_parse (text, g_memory_output_stream_get_data_size (
                                      G_MEMORY_OUTPUT_STREAM (out)), &schema, &cursor, &error);
  g_assert_no_error (error);
  g_assert_cmpint (schema, ==, TANDEM_SYNC_SCHEMA_VERSION);
  g_assert_cmpint (cursor, ==, 3);
  g_assert_cmpuint (streamed->len, ==, snapshot->len);
  for (guint i = 0; i < snapshot->len; i++)
    {
      TandemChange *a = g_ptr_array_index (snapshot, i);
      const TandemChange *b = find_field (streamed, a->row_id, a->field);

      g_assert_nonnull (b);
      g_assert_cmpstr (a->value_json, ==, b->value_json);
      g_assert_cmpint (a->hlc, ==, b->hlc);
      g_assert_cmpstr (a->site, ==, b->site);
    }
}

static void
exec_sql (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

/* A server file from before rows, with its state kept field by field, is
 * converted when opened: every field with its value and clock, fields it
 * never had unwritten. */
static void
test_field_state_converted (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) snapshot = NULL;
  g_autoptr(GPtrArray) b1 = batch_new ();
  g_autoptr(GError) error = NULL;
  const TandemChange *change;
  gint64 cursor = -1;

  g_clear_object (&fixture->store);
  g_remove (fixture->path);
  exec_sql (fixture->path,
            "CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL,"
            " row_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT, hlc INTEGER NOT NULL,"
            " site TEXT NOT NULL, base_hlc INTEGER NOT NULL DEFAULT 0, device TEXT);"
            "CREATE TABLE state (tbl TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL,"
            " value TEXT, hlc INTEGER NOT NULL, site TEXT NOT NULL,"
            " PRIMARY KEY (tbl, row_id, field)) WITHOUT ROWID;"
            "INSERT INTO changes (tbl, row_id, field, value, hlc, site) VALUES"
            " ('leads', 'L1', '*', '{}', 90, 'siteA'), ('leads', 'L1', 'email', '\"a@b\"', 100,"
            " 'siteA'), ('companies', 'C1', 'name', '\"X\\u00e9\"', 120, 'siteB');"
            "INSERT INTO state VALUES ('leads', 'L1', 'first_name', '\"Ann\"', 90, 'siteA'),"
            " ('leads', 'L1', 'deleted', '0', 90, 'siteA'),"
            " ('leads', 'L1', 'email', '\"a@b\"', 100, 'siteA'),"
            " ('leads', 'L1', 'score', '5', 90, 'siteA'),"
            " ('companies', 'C1', 'name', '\"X\\u00e9\"', 120, 'siteB');");

  fixture->store = tandem_server_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM sqlite_master WHERE name = 'state'"),
                   ==, 0);
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM rows"), ==, 2);

  snapshot = tandem_server_store_snapshot (fixture->store, &cursor, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cursor, ==, 3);
  /* name of C1; deleted, email, first_name of L1: a field the schema does
   * not sync (score) is dropped, and no other field was ever written. */
  g_assert_cmpuint (snapshot->len, ==, 4);
  change = find_field (snapshot, "C1", "name");
  g_assert_cmpstr (change->value_json, ==, "\"X\xc3\xa9\"");
  g_assert_cmpint (change->hlc, ==, 120);
  change = find_field (snapshot, "L1", "first_name");
  g_assert_cmpstr (change->value_json, ==, "\"Ann\"");
  g_assert_cmpint (change->hlc, ==, 90);
  change = find_field (snapshot, "L1", "email");
  g_assert_cmpint (change->hlc, ==, 100);
  g_assert_null (find_field (snapshot, "L1", "phone"));

  /* The converted state merges like any: an edit that saw the email. */
  g_ptr_array_add (b1, make_change ("leads", "L1", "email", "\"c@d\"", 130, "siteB", 100));
  g_ptr_array_add (b1, make_change ("leads", "L1", "phone", "\"1\"", 130, "siteB", 0));
  push_expect (fixture, "after", b1, "aa");
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM conflicts"), ==, 0);
}

/* Rows written by a build whose schema listed other columns, or the same
 * in another order, are laid out again when the file is opened. */
static void
test_relayout (Fixture       *fixture,
               gconstpointer  data)
{
  const TandemTableSpec *spec = tandem_schema_lookup ("leads");
  const char * const *columns;
  g_autoptr(GPtrArray) old_columns = g_ptr_array_new ();
  g_autoptr(GPtrArray) old_values = g_ptr_array_new ();
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GString) layout = g_string_new (NULL);
  g_autoptr(GPtrArray) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  char *sql;
  const TandemChange *change;
  guint n_columns;

  /* An older layout: the leads' columns reversed, without "phone". */
  columns = tandem_snapshot_columns (spec, &n_columns);
  for (guint i = n_columns; i-- > 0;)
    if (!g_str_equal (columns[i], "phone"))
      {
        g_ptr_array_add (old_columns, (gpointer) columns[i]);
        g_ptr_array_add (old_values, (gpointer) (g_str_equal (columns[i], "first_name") ? "\"Ann\""
                                                 : g_str_equal (columns[i], "deleted") ? "0"
                                                 : "null"));
      }
  tandem_snapshot_append_row (line, "L1", 100, "siteA", (const char * const *) old_columns->pdata,
                              (const char * const *) old_values->pdata, old_columns->len,
                              NULL, NULL);
  stored = get_layout (fixture);
  g_string_append (layout, stored);
  {
    g_autofree char *joined = NULL;

    g_ptr_array_add (old_columns, NULL);
    joined = g_strjoinv (",", (char **) old_columns->pdata);
    g_ptr_array_set_size (old_columns, old_columns->len - 1);
    replace_layout_of (layout, "leads", joined);
  }

  g_clear_object (&fixture->store);
  sql = sqlite3_mprintf ("INSERT INTO rows (tbl, row_id, line) VALUES ('leads', 'L1', %Q);"
                         "UPDATE meta SET value = %Q WHERE key = 'row_layout';",
                         line->str, layout->str);
  exec_sql (fixture->path, sql);
  sqlite3_free (sql);

  fixture->store = tandem_server_store_open (fixture->path, &error);
  g_assert_no_error (error);

  snapshot = tandem_server_store_snapshot (fixture->store, NULL, &error);
  g_assert_no_error (error);
  change = find_field (snapshot, "L1", "first_name");
  g_assert_cmpstr (change->value_json, ==, "\"Ann\"");
  change = find_field (snapshot, "L1", "last_name");
  g_assert_cmpstr (change->value_json, ==, "null");
  g_assert_cmpint (change->hlc, ==, 100);
  /* A column the old layout lacked was never written. */
  g_assert_null (find_field (snapshot, "L1", "phone"));
  g_assert_cmpuint (snapshot->len, ==, n_columns - 1);
}

static void
test_tokens (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *other = NULL;
  g_autofree char *device = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GPtrArray) devices = NULL;

  token = tandem_server_store_add_token (fixture->store, "alice-laptop", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (token), ==, 64);
  for (const char *p = token; *p; p++)
    g_assert_true (g_ascii_isxdigit (*p));

  /* Only the hash is stored. */
  sql = g_strdup_printf ("SELECT count(*) FROM devices WHERE token_hash = '%s'", token);
  g_assert_cmpint (count (fixture, sql), ==, 0);
  g_assert_cmpint (count (fixture, "SELECT length(token_hash) FROM devices"), ==, 64);

  device = tandem_server_store_check_token (fixture->store, token);
  g_assert_cmpstr (device, ==, "alice-laptop");
  g_assert_null (tandem_server_store_check_token (fixture->store, "nonsense"));
  g_assert_null (tandem_server_store_check_token (fixture->store, NULL));

  /* A live name cannot be given a second token. */
  g_assert_null (tandem_server_store_add_token (fixture->store, "alice-laptop", &error));
  g_assert_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (tandem_server_store_revoke_token (fixture->store, "alice-laptop", &error));
  g_assert_null (tandem_server_store_check_token (fixture->store, token));
  g_assert_false (tandem_server_store_revoke_token (fixture->store, "alice-laptop", &error));
  g_assert_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_INVALID);
  g_clear_error (&error);

  /* A revoked name may get a new token; the old one stays refused. */
  other = tandem_server_store_add_token (fixture->store, "alice-laptop", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (other, !=, token);
  g_assert_null (tandem_server_store_check_token (fixture->store, token));
  g_clear_pointer (&device, g_free);
  device = tandem_server_store_check_token (fixture->store, other);
  g_assert_cmpstr (device, ==, "alice-laptop");

  devices = tandem_server_store_list_devices (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (devices->len, ==, 1);
  g_assert_cmpint (((TandemServerDevice *) g_ptr_array_index (devices, 0))->revoked_at, ==, 0);
}

static void
test_reopen (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  push_many (fixture, 3);
  g_clear_object (&fixture->store);

  fixture->store = tandem_server_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tandem_server_store_get_cursor (fixture->store), ==, 3);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/sync/server-store/merge", test_merge);
  ADD ("/sync/server-store/conflicts", test_conflicts);
  ADD ("/sync/server-store/idempotent-batch", test_idempotent_batch);
  ADD ("/sync/server-store/whole-or-nothing", test_whole_or_nothing);
  ADD ("/sync/server-store/refusals", test_refusals);
  ADD ("/sync/server-store/insert-only", test_insert_only);
  ADD ("/sync/server-store/pull", test_pull);
  ADD ("/sync/server-store/compact", test_compact);
  ADD ("/sync/server-store/snapshot", test_snapshot);
  ADD ("/sync/server-store/field-state-converted", test_field_state_converted);
  ADD ("/sync/server-store/relayout", test_relayout);
  ADD ("/sync/server-store/tokens", test_tokens);
  ADD ("/sync/server-store/reopen", test_reopen);

  return g_test_run ();
}
