/* test-store.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "core-test-utils.h"
#include "tandem-store-private.h"

typedef TandemTestWorkspace Fixture;

static void
reopen (Fixture *fixture)
{
  g_clear_object (&fixture->store);
  fixture->store = tandem_test_open_store (fixture->dir);
}

static void
exec_on_file (const char *path,
              const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static TandemPersona *
save_persona (TandemStore *store,
              const char  *name)
{
  g_autoptr(GError) error = NULL;
  TandemPersona *persona = tandem_persona_new ();

  tandem_record_set_text (TANDEM_RECORD (persona), "name", name);
  tandem_record_set_text (TANDEM_RECORD (persona), "job_title", "Head of Operations");
  g_assert_true (tandem_store_save (store, TANDEM_RECORD (persona), &error));
  g_assert_no_error (error);

  return persona;
}

/* Opening. */

static void
test_open_creates (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *site_id = tandem_store_get_site_id (fixture->store);
  g_autofree char *site_id_before = g_strdup (site_id);

  g_assert_cmpint (tandem_store_get_schema_version (fixture->store), ==, TANDEM_SCHEMA_VERSION);
  g_assert_cmpint (tandem_test_query_int (fixture->path, "PRAGMA user_version"), ==,
                   TANDEM_SCHEMA_VERSION);
  g_assert_cmpuint (strlen (site_id), ==, 32);
  for (const char *p = site_id; *p; p++)
    g_assert_true (g_ascii_isxdigit (*p));

  g_assert_cmpint (tandem_test_query_int (fixture->path,
                                          "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"),
                   ==, 1);

  /* The site id belongs to the file, not to the process. */
  reopen (fixture);
  g_assert_cmpstr (tandem_store_get_site_id (fixture->store), ==, site_id_before);
}

static void
test_refuses_newer (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(TandemPersona) persona = save_persona (fixture->store, "Kept Karl");

  g_clear_object (&fixture->store);
  exec_on_file (fixture->path, "PRAGMA user_version = 99");

  store = tandem_store_open (fixture->path, &error);
  g_assert_null (store);
  g_assert_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_NEWER_SCHEMA);
  g_assert_nonnull (strstr (error->message, "newer version of Tandem"));

  /* Nothing was changed: same version, same data. */
  g_assert_cmpint (tandem_test_query_int (fixture->path, "PRAGMA user_version"), ==, 99);
  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT count(*) FROM personas"), ==, 1);
}

static void
test_refuses_foreign (void)
{
  g_autofree char *dir = tandem_test_make_dir ();
  g_autofree char *other_db = g_build_filename (dir, "other.db", NULL);
  g_autofree char *text_file = g_build_filename (dir, "notes.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemStore) store = NULL;
  g_autofree char *contents = NULL;

  exec_on_file (other_db, "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup')");
  store = tandem_store_open (other_db, &error);
  g_assert_null (store);
  g_assert_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_OPEN);
  g_assert_cmpint (tandem_test_query_int (other_db, "SELECT count(*) FROM sqlite_schema"), ==, 1);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (text_file, "These are not the leads you are looking for.\n"
                                      "Just a plain text file, long enough to have a header.\n",
                                      -1, NULL));
  store = tandem_store_open (text_file, &error);
  g_assert_null (store);
  g_assert_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_OPEN);
  g_assert_true (g_file_get_contents (text_file, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "These are not"));

  tandem_test_remove_dir (dir);
}

static void
test_migrates_with_backup (void)
{
  g_autofree char *dir = tandem_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "workspace.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GDir) listing = NULL;
  g_autofree char *backup = NULL;
  const char *name;
  sqlite3 *db = NULL;

  /* A workspace as the first release wrote it: schema 1, no search index. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_true (tandem_schema_migrate_step (db, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO personas (id, name, job_title) VALUES"
                                     " ('p1', 'Finance Fiona', 'CFO')", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = tandem_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tandem_store_get_schema_version (store), ==, TANDEM_SCHEMA_VERSION);

  /* The migration indexed the rows that were already there. */
  found = tandem_store_search (store, TANDEM_TYPE_PERSONA, "fiona", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);

  /* And a copy of the old file was taken first. */
  listing = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, "workspace.db.schema1-"))
      backup = g_build_filename (dir, name, NULL);
  g_assert_nonnull (backup);
  g_assert_cmpint (tandem_test_query_int (backup, "PRAGMA user_version"), ==, 1);
  g_assert_cmpint (tandem_test_query_int (backup, "SELECT count(*) FROM personas"), ==, 1);

  g_clear_object (&store);
  tandem_test_remove_dir (dir);
}

static guint
count_leads_found (TandemStore *store,
                   const char  *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = tandem_store_search (store, TANDEM_TYPE_LEAD, text, &error);

  g_assert_no_error (error);
  return found->len;
}

/* Schema 4 keeps the search index from being rewritten by updates of
 * columns it does not hold, such as the scores a rescore writes. */
static void
test_migrates_search_triggers (void)
{
  g_autofree char *dir = tandem_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "workspace.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(TandemRecord) lead = NULL;
  g_autoptr(TandemRecord) company = NULL;
  sqlite3 *db = NULL;

  /* A workspace as schema 3 left it, with a lead indexed by its triggers. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  for (int version = 1; version <= 3; version++)
    g_assert_true (tandem_schema_migrate_step (db, version, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO companies (id, name) VALUES ('c1', 'Acme');"
                                     "INSERT INTO leads (id, first_name, last_name, email,"
                                     " job_title, company_id) VALUES ('l1', 'Ada', 'Lovelace',"
                                     " 'ada@acme.example', 'Engineer', 'c1')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = tandem_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tandem_store_get_schema_version (store), ==, TANDEM_SCHEMA_VERSION);
  g_assert_cmpuint (count_leads_found (store, "engineer"), ==, 1);

  /* The index entry is changed behind the triggers' back, so that a
   * rewrite of it would show: writing the scores, as a rescore does,
   * leaves it alone... */
  exec_on_file (path, "UPDATE leads_fts SET job_title = 'Stale'"
                      " WHERE rowid = (SELECT rowid FROM leads WHERE id = 'l1')");
  exec_on_file (path, "UPDATE leads SET fit_score = 40, engagement_score = 30, score = 70,"
                      " grade = 'B', updated_at = 5 WHERE id = 'l1'");
  g_assert_cmpuint (count_leads_found (store, "stale"), ==, 1);
  g_assert_cmpuint (count_leads_found (store, "engineer"), ==, 0);

  /* ...while a change of a column it holds rewrites it. */
  lead = tandem_store_get (store, TANDEM_TYPE_LEAD, "l1", &error);
  g_assert_no_error (error);
  tandem_record_set_text (lead, "job_title", "Analyst");
  g_assert_true (tandem_store_save (store, lead, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_leads_found (store, "stale"), ==, 0);
  g_assert_cmpuint (count_leads_found (store, "analyst"), ==, 1);

  /* Companies likewise: a size change leaves the index, a new industry is
   * found, and a rename still reaches the leads' index. */
  company = tandem_store_get (store, TANDEM_TYPE_COMPANY, "c1", &error);
  g_assert_no_error (error);
  tandem_record_set_text (company, "industry", "Aerospace");
  tandem_record_set_int (company, "employees", 250);
  g_assert_true (tandem_store_save (store, company, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) found = tandem_store_search (store, TANDEM_TYPE_COMPANY, "aerospace",
                                                      &error);

    g_assert_no_error (error);
    g_assert_cmpuint (found->len, ==, 1);
  }
  tandem_record_set_text (company, "name", "Zenith");
  g_assert_true (tandem_store_save (store, company, &error));
  g_assert_cmpuint (count_leads_found (store, "zenith"), ==, 1);

  /* A tombstone still takes the lead out of the index. */
  g_assert_true (tandem_store_delete (store, lead, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_leads_found (store, "analyst"), ==, 0);
  g_assert_cmpint (tandem_test_query_int (path, "SELECT count(*) FROM leads_fts"), ==, 0);

  g_clear_object (&store);
  tandem_test_remove_dir (dir);
}

/* Round trips. */

/* The table a reference field points at, by the naming convention of the
 * schema. */
static const char *
referenced_table (const char *field)
{
  static const char *const map[][2] = {
    { "lead_id", "leads" }, { "company_id", "companies" }, { "owner_id", "members" },
    { "member_id", "members" }, { "icp_id", "icps" }, { "persona_id", "personas" },
    { "asset_id", "assets" }, { "deal_id", "deals" }, { "agreement_id", "agreements" },
    { "supersedes_id", "agreements" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (map[i][0], field))
      return map[i][1];

  g_error ("No table known for reference %s", field);
}

static char *
create_row (TandemStore *store,
            const char  *table,
            guint        depth)
{
  const TandemTableSpec *spec = tandem_schema_lookup (table);
  g_autoptr(TandemRecord) record = tandem_record_new_for_table (table, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (depth, <, 6);

  for (guint i = 0; i < spec->n_fields; i++)
    {
      const TandemFieldSpec *field = &spec->fields[i];
      g_autofree char *text = g_strdup_printf ("%s %s ✓", table, field->name);
      const char *items[] = { "first item", text, NULL };

      switch (field->type)
        {
        case TANDEM_FIELD_TEXT:
          tandem_record_set_text (record, field->name, text);
          break;
        case TANDEM_FIELD_LIST:
          tandem_record_set_list (record, field->name, items);
          break;
        case TANDEM_FIELD_REF:
          {
            g_autofree char *target = NULL;

            /* A row pointing at its own table (a superseded agreement) points
             * at itself, which keeps the recursion finite. */
            if (g_str_equal (referenced_table (field->name), table))
              target = g_strdup (tandem_record_get_id (record));
            else
              target = create_row (store, referenced_table (field->name), depth + 1);
            tandem_record_set_text (record, field->name, target);
          }
          break;
        case TANDEM_FIELD_INT:
          tandem_record_set_int (record, field->name, G_GINT64_CONSTANT (1) << 40 | i);
          break;
        case TANDEM_FIELD_BOOL:
          tandem_record_set_bool (record, field->name, TRUE);
          break;
        default:
          g_assert_not_reached ();
        }
    }

  g_assert_true (tandem_store_save (store, record, &error));
  g_assert_no_error (error);

  return g_strdup (tandem_record_get_id (record));
}

static void
test_round_trip_every_table (Fixture       *fixture,
                             gconstpointer  data)
{
  const TandemTableSpec **tables;
  guint n_tables;
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  tables = tandem_schema_tables (&n_tables);
  for (guint t = 0; t < n_tables; t++)
    g_hash_table_insert (ids, (gpointer) tables[t]->name, create_row (fixture->store, tables[t]->name, 0));

  reopen (fixture);

  /* Every table lists and reads back by name as plain records. */
  for (guint t = 0; t < n_tables; t++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) rows = tandem_store_list_rows (fixture->store, tables[t]->name, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (rows->len, >=, 1);
    }

  for (guint t = 0; t < n_tables; t++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TandemRecord) row = tandem_store_get_row (fixture->store, tables[t]->name,
                                                         g_hash_table_lookup (ids, tables[t]->name),
                                                         &error);

      g_assert_no_error (error);
      g_assert_nonnull (row);
      g_assert_true (tandem_record_get_spec (row) == tables[t]);
    }

  for (guint t = 0; t < n_tables; t++)
    {
      const TandemTableSpec *spec = tables[t];
      const char *id = g_hash_table_lookup (ids, spec->name);
      GType type = G_TYPE_INVALID;
      g_autoptr(GPtrArray) rows = NULL;
      g_autoptr(GError) error = NULL;
      TandemRecord *record = NULL;

      /* Typed tables are read through their type; the others through a list
       * of the generic record, which the store gives for any table. */
      if (g_str_equal (spec->name, "members")) type = TANDEM_TYPE_MEMBER;
      else if (g_str_equal (spec->name, "icps")) type = TANDEM_TYPE_ICP;
      else if (g_str_equal (spec->name, "personas")) type = TANDEM_TYPE_PERSONA;
      else if (g_str_equal (spec->name, "companies")) type = TANDEM_TYPE_COMPANY;
      else if (g_str_equal (spec->name, "leads")) type = TANDEM_TYPE_LEAD;

      if (type == G_TYPE_INVALID)
        {
          g_assert_cmpint (tandem_store_count (fixture->store, spec->name), >=, 1);
          continue;
        }

      record = tandem_store_get (fixture->store, type, id, &error);
      g_assert_no_error (error);
      g_assert_nonnull (record);
      g_assert_true (tandem_record_is_stored (record));
      g_assert_false (tandem_record_has_changes (record));

      for (guint i = 0; i < spec->n_fields; i++)
        {
          const TandemFieldSpec *field = &spec->fields[i];
          g_autofree char *text = g_strdup_printf ("%s %s ✓", spec->name, field->name);

          /* Saving never writes derived fields: their owners compute them. */
          if (field->derived)
            {
              if (field->type == TANDEM_FIELD_INT)
                g_assert_cmpint (tandem_record_get_int (record, field->name), ==, 0);
              else
                g_assert_null (tandem_record_get_text (record, field->name));
              continue;
            }

          switch (field->type)
            {
            case TANDEM_FIELD_TEXT:
              g_assert_cmpstr (tandem_record_get_text (record, field->name), ==, text);
              break;
            case TANDEM_FIELD_LIST:
              {
                g_auto(GStrv) items = tandem_record_dup_list (record, field->name);
                g_assert_cmpuint (g_strv_length (items), ==, 2);
                g_assert_cmpstr (items[0], ==, "first item");
                g_assert_cmpstr (items[1], ==, text);
              }
              break;
            case TANDEM_FIELD_REF:
              g_assert_nonnull (tandem_record_get_text (record, field->name));
              break;
            case TANDEM_FIELD_INT:
              g_assert_cmpint (tandem_record_get_int (record, field->name), ==,
                               G_GINT64_CONSTANT (1) << 40 | i);
              break;
            case TANDEM_FIELD_BOOL:
              g_assert_true (tandem_record_get_bool (record, field->name));
              break;
            default:
              g_assert_not_reached ();
            }
        }

      rows = tandem_store_list (fixture->store, type, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (rows->len, >=, 1);
      g_object_unref (record);
    }

  /* Every row of every table reached the change log: no write bypassed the
   * mutation path. */
  for (guint t = 0; t < n_tables; t++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s WHERE id NOT IN"
                                              " (SELECT row_id FROM change_log WHERE tbl = '%s')",
                                              tables[t]->name, tables[t]->name);
      g_assert_cmpint (tandem_test_query_int (fixture->path, sql), ==, 0);
    }
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_properties (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(TandemPersona) persona = tandem_persona_new ();
  g_autofree char *name = NULL;
  g_autofree char *pains = NULL;
  guint name_notifications = 0;

  g_signal_connect (persona, "notify::name", G_CALLBACK (count_notify), &name_notifications);

  g_object_set (persona, "name", "Ops Olivia", "pain_points", " late trucks \n\n manual data entry ", NULL);
  g_object_set (persona, "name", "Ops Olivia", NULL);
  g_assert_cmpuint (name_notifications, ==, 1);

  g_object_get (persona, "name", &name, "pain_points", &pains, NULL);
  g_assert_cmpstr (name, ==, "Ops Olivia");
  g_assert_cmpstr (pains, ==, "late trucks\nmanual data entry");
  g_assert_true (tandem_record_field_changed (TANDEM_RECORD (persona), "name"));
  g_assert_false (tandem_record_field_changed (TANDEM_RECORD (persona), "bio"));
}

static void
test_clear_field (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(TandemLead) lead = tandem_lead_new ();
  g_autoptr(TandemLead) back = NULL;
  g_autoptr(GError) error = NULL;
  const char *id = tandem_record_get_id (TANDEM_RECORD (lead));
  g_autofree char *sql = NULL;

  tandem_record_set_int (TANDEM_RECORD (lead), "accepted_at", 1700000000000);
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (lead), &error));

  /* An integer can be emptied again, and the empty value is what is logged. */
  tandem_record_clear (TANDEM_RECORD (lead), "accepted_at");
  g_assert_true (tandem_record_field_changed (TANDEM_RECORD (lead), "accepted_at"));
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (lead), &error));
  g_assert_no_error (error);

  back = tandem_store_get (fixture->store, TANDEM_TYPE_LEAD, id, &error);
  sql = g_strdup_printf ("SELECT count(*) FROM leads WHERE id = '%s' AND accepted_at IS NULL", id);
  g_assert_cmpint (tandem_test_query_int (fixture->path, sql), ==, 1);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count(*) FROM change_log WHERE row_id = '%s'"
                         " AND field = 'accepted_at' AND value IS NULL", id);
  g_assert_cmpint (tandem_test_query_int (fixture->path, sql), ==, 1);
}

/* Tombstones. */

static void
test_tombstones_hidden (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(TandemPersona) persona = save_persona (fixture->store, "Gone Greta");
  g_autoptr(TandemPersona) other = save_persona (fixture->store, "Staying Stan");
  const char *id = tandem_record_get_id (TANDEM_RECORD (persona));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(TandemPersona) back = NULL;
  gpointer gone;

  g_assert_true (tandem_store_delete (fixture->store, TANDEM_RECORD (persona), &error));
  g_assert_no_error (error);

  gone = tandem_store_get (fixture->store, TANDEM_TYPE_PERSONA, id, &error);
  g_assert_no_error (error);
  g_assert_null (gone);
  all = tandem_store_list (fixture->store, TANDEM_TYPE_PERSONA, &error);
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_cmpint (tandem_store_count (fixture->store, "personas"), ==, 1);
  found = tandem_store_search (fixture->store, TANDEM_TYPE_PERSONA, "greta", &error);
  g_assert_cmpuint (found->len, ==, 0);

  /* The row is a tombstone, not gone: undo brings it back whole. */
  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT deleted FROM personas WHERE name = 'Gone Greta'"),
                   ==, 1);

  /* Saving an edit to a deleted row is refused rather than resurrecting it. */
  tandem_record_set_text (TANDEM_RECORD (persona), "bio", "edited after delete");
  g_assert_false (tandem_store_save (fixture->store, TANDEM_RECORD (persona), &error));
  g_assert_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (tandem_store_undelete (fixture->store, TANDEM_TYPE_PERSONA, id, &error));
  g_assert_no_error (error);
  back = tandem_store_get (fixture->store, TANDEM_TYPE_PERSONA, id, &error);
  g_assert_nonnull (back);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (back), "job_title"), ==, "Head of Operations");
  g_assert_null (tandem_record_get_text (TANDEM_RECORD (back), "bio"));
}

/* The change log. */

static gint64
count_log (Fixture    *fixture,
           const char *where)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM change_log WHERE %s", where);

  return tandem_test_query_int (fixture->path, sql);
}

/* A new row's change-log object is written by hand for speed; it must say
 * exactly what json_object() over the stored row says, escapes included. */
static void
test_new_row_json (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(TandemLead) lead = tandem_lead_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;

  tandem_record_set_text (TANDEM_RECORD (lead), "first_name", "Zoë \"Zed\" \\ Ünal");
  tandem_record_set_text (TANDEM_RECORD (lead), "last_name", "Tab\there\nnew line\r\x01\x1f\b\f");
  tandem_record_set_text (TANDEM_RECORD (lead), "email", "");
  tandem_record_set_int (TANDEM_RECORD (lead), "stage_entered_at", G_MININT64);
  tandem_record_set_int (TANDEM_RECORD (lead), "created_at", 0);
  tandem_record_set_int (TANDEM_RECORD (lead), "handoff_at", G_MAXINT64);
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (lead), &error));
  g_assert_no_error (error);

  sql = g_strdup_printf ("SELECT c.value = json_object('first_name', first_name,"
                         " 'last_name', last_name, 'email', email, 'phone', phone,"
                         " 'job_title', job_title, 'seniority', seniority,"
                         " 'company_id', company_id, 'source', source, 'channel', channel,"
                         " 'owner_id', owner_id, 'stage', stage,"
                         " 'stage_entered_at', stage_entered_at, 'handoff_at', handoff_at,"
                         " 'accepted_at', accepted_at, 'created_at', created_at,"
                         " 'deleted', deleted)"
                         " FROM change_log AS c JOIN leads AS l ON l.id = c.row_id"
                         " WHERE c.field = '*' AND l.id = '%s'",
                         tandem_record_get_id (TANDEM_RECORD (lead)));
  g_assert_cmpint (tandem_test_query_int (fixture->path, sql), ==, 1);
}

static void
test_change_log (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(TandemMember) member = tandem_member_new ();
  g_autoptr(TandemPersona) persona = NULL;
  g_autoptr(TandemRecord) activity = NULL;
  g_autoptr(TandemLead) lead = tandem_lead_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *where = NULL;
  const char *member_id = tandem_record_get_id (TANDEM_RECORD (member));
  const char *id;
  gint64 first_hlc, second_hlc;

  tandem_record_set_text (TANDEM_RECORD (member), "name", "Ada");
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (member), &error));
  tandem_store_set_current_member (fixture->store, member_id);

  /* Insert: the whole row, tombstone included, in one entry. */
  persona = save_persona (fixture->store, "Logged Lisa");
  id = tandem_record_get_id (TANDEM_RECORD (persona));
  where = g_strdup_printf ("tbl = 'personas' AND row_id = '%s'", id);
  g_assert_cmpint (count_log (fixture, where), ==, 1);
  g_clear_pointer (&where, g_free);
  where = g_strdup_printf ("tbl = 'personas' AND row_id = '%s' AND member_id = '%s' AND field = '*'"
                           " AND json_extract(value, '$.name') = 'Logged Lisa'"
                           " AND json_extract(value, '$.deleted') = 0"
                           " AND json_type(value, '$.bio') = 'null'", id, member_id);
  g_assert_cmpint (count_log (fixture, where), ==, 1);
  g_clear_pointer (&where, g_free);
  first_hlc = tandem_test_query_int (fixture->path, "SELECT max(hlc) FROM change_log");

  /* Update: only the changed field, with the version the editor saw. */
  tandem_record_set_text (TANDEM_RECORD (persona), "bio", "Runs three depots.");
  tandem_record_set_text (TANDEM_RECORD (persona), "name", "Logged Lisa");
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (persona), &error));
  g_assert_no_error (error);
  /* A field never changed since creation carries the creation clock. */
  where = g_strdup_printf ("tbl = 'personas' AND row_id = '%s' AND field = 'bio'"
                           " AND value = 'Runs three depots.' AND base_hlc = %" G_GINT64_FORMAT,
                           id, first_hlc);
  g_assert_cmpint (count_log (fixture, where), ==, 1);
  g_clear_pointer (&where, g_free);
  second_hlc = tandem_test_query_int (fixture->path, "SELECT max(hlc) FROM change_log");
  g_assert_cmpint (second_hlc, >, first_hlc);

  tandem_record_set_text (TANDEM_RECORD (persona), "bio", "Runs four depots.");
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (persona), &error));
  where = g_strdup_printf ("field = 'bio' AND base_hlc = %" G_GINT64_FORMAT, second_hlc);
  g_assert_cmpint (count_log (fixture, where), ==, 1);
  g_clear_pointer (&where, g_free);

  /* The per-field clock follows the newest write. */
  where = g_strdup_printf ("SELECT hlc FROM field_clocks WHERE tbl = 'personas' AND row_id = '%s'"
                           " AND field = 'bio'", id);
  g_assert_cmpint (tandem_test_query_int (fixture->path, where), >, second_hlc);
  g_clear_pointer (&where, g_free);

  /* Delete and undelete write the tombstone field. */
  g_assert_true (tandem_store_delete (fixture->store, TANDEM_RECORD (persona), &error));
  g_assert_true (tandem_store_undelete (fixture->store, TANDEM_TYPE_PERSONA, id, &error));
  where = g_strdup_printf ("row_id = '%s' AND field = 'deleted'", id);
  g_assert_cmpint (count_log (fixture, where), ==, 2);
  g_clear_pointer (&where, g_free);

  /* Settings go through the same path. */
  g_assert_true (tandem_store_set_setting (fixture->store, "currency", "EUR", &error));
  g_assert_true (tandem_store_set_setting (fixture->store, "currency", "SEK", &error));
  g_assert_cmpint (count_log (fixture, "tbl = 'settings' AND row_id = 'currency' AND field = '*'"
                              " AND json_extract(value, '$.value') = 'EUR'"), ==, 1);
  g_assert_cmpint (count_log (fixture, "tbl = 'settings' AND row_id = 'currency' AND field = 'value'"
                              " AND value = 'SEK'"), ==, 1);

  /* Insert-only rows are logged whole, once. */
  tandem_record_set_text (TANDEM_RECORD (lead), "email", "ann@example.com");
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (lead), &error));
  activity = tandem_record_new_for_table ("activities", NULL);
  tandem_record_set_text (activity, "lead_id", tandem_record_get_id (TANDEM_RECORD (lead)));
  tandem_record_set_text (activity, "kind", "page_visit");
  tandem_record_set_text (activity, "url", "https://example.com/pricing");
  tandem_record_set_int (activity, "occurred_at", 1700000000000);
  g_assert_true (tandem_store_save (fixture->store, activity, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_log (fixture, "tbl = 'activities' AND field = '*' AND "
                              "json_extract(value, '$.url') = 'https://example.com/pricing'"), ==, 1);

  /* Activities are append-only. */
  tandem_record_set_text (activity, "url", "https://example.com/other");
  g_assert_false (tandem_store_save (fixture->store, activity, &error));
  g_assert_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (tandem_store_delete (fixture->store, activity, &error));
  g_assert_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_INVALID);

  /* Every local change is in the outbox, stamped with this desktop. */
  where = g_strdup_printf ("site != '%s' OR pushed != 0 OR origin != 'local'",
                           tandem_store_get_site_id (fixture->store));
  g_assert_cmpint (count_log (fixture, where), ==, 0);
}

static void
test_base_hlc_of_stale_editor (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(TandemPersona) mine = save_persona (fixture->store, "Shared Sam");
  const char *id = tandem_record_get_id (TANDEM_RECORD (mine));
  g_autoptr(TandemStore) other_store = NULL;
  g_autoptr(TandemPersona) theirs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *where = NULL;
  gint64 seen = tandem_record_get_loaded_hlc (TANDEM_RECORD (mine));

  /* Another window (another connection) edits the job title meanwhile. */
  other_store = tandem_store_open (fixture->path, &error);
  theirs = tandem_store_get (other_store, TANDEM_TYPE_PERSONA, id, &error);
  tandem_record_set_text (TANDEM_RECORD (theirs), "job_title", "COO");
  g_assert_true (tandem_store_save (other_store, TANDEM_RECORD (theirs), &error));

  /* My edit of the same field carries the version I saw, older than the
   * field's clock: sync can tell it was made without seeing "COO". */
  tandem_record_set_text (TANDEM_RECORD (mine), "job_title", "VP Operations");
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (mine), &error));
  where = g_strdup_printf ("field = 'job_title' AND value = 'VP Operations' AND base_hlc = %"
                           G_GINT64_FORMAT, seen);
  g_assert_cmpint (count_log (fixture, where), ==, 1);
}

/* Search. */

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(TandemCompany) company = tandem_company_new ();
  g_autoptr(TandemLead) lead = tandem_lead_new ();
  g_autoptr(TandemLead) other = tandem_lead_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;

  tandem_record_set_text (TANDEM_RECORD (company), "name", "Acme Logistics");
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (company), &error));
  tandem_record_set_text (TANDEM_RECORD (lead), "first_name", "Zoë");
  tandem_record_set_text (TANDEM_RECORD (lead), "last_name", "Müller");
  tandem_record_set_text (TANDEM_RECORD (lead), "email", "zoe@acme.example");
  tandem_record_set_text (TANDEM_RECORD (lead), "company_id", tandem_record_get_id (TANDEM_RECORD (company)));
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (lead), &error));
  tandem_record_set_text (TANDEM_RECORD (other), "first_name", "Bob");
  tandem_record_set_text (TANDEM_RECORD (other), "job_title", "Logistics Planner");
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (other), &error));
  g_assert_no_error (error);

#define SEARCH_COUNT(text, expected) G_STMT_START {                               \
    g_autoptr(GPtrArray) hits = tandem_store_search (fixture->store, TANDEM_TYPE_LEAD, text, &error); \
    g_assert_no_error (error);                                                      \
    g_assert_cmpuint (hits->len, ==, expected);                                     \
  } G_STMT_END

  SEARCH_COUNT ("zoe", 1);          /* without the diaeresis */
  SEARCH_COUNT ("MÜLL", 1);         /* a prefix, any case */
  SEARCH_COUNT ("acme", 1);         /* through the company */
  SEARCH_COUNT ("logist", 2);       /* company of one, job title of the other */
  SEARCH_COUNT ("acme zoe", 1);     /* every word must match */
  SEARCH_COUNT ("acme bob", 0);
  SEARCH_COUNT ("\"*(NEAR", 0);     /* FTS syntax is just text */
  SEARCH_COUNT ("  ", 2);           /* nothing to search: everything */

  /* Renaming the company renames it in the leads' index too. */
  tandem_record_set_text (TANDEM_RECORD (company), "name", "Zenith Freight");
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (company), &error));
  SEARCH_COUNT ("zenith", 1);
  SEARCH_COUNT ("acme", 1);         /* still in the email address */
  SEARCH_COUNT ("logistics", 1);

  g_assert_true (tandem_store_delete (fixture->store, TANDEM_RECORD (lead), &error));
  SEARCH_COUNT ("zenith", 0);

  found = tandem_store_search (fixture->store, TANDEM_TYPE_COMPANY, "freight", &error);
  g_assert_cmpuint (found->len, ==, 1);
#undef SEARCH_COUNT
}

/* Transactions and notifications. */

typedef struct
{
  GPtrArray *events;
} Recorder;

static void
on_changed (TandemStore      *store,
            const char       *table,
            const char       *row_id,
            TandemChangeKind  kind,
            GPtrArray        *events)
{
  g_ptr_array_add (events, g_strdup_printf ("%s %s %d", table, row_id ? "row" : "all", kind));
}

static void
test_transactions (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemPersona) committed = NULL;
  gint64 log_rows;

  g_signal_connect (fixture->store, "changed", G_CALLBACK (on_changed), events);

  /* A rolled back transaction leaves no row, no log and no notification. */
  log_rows = tandem_test_query_int (fixture->path, "SELECT count(*) FROM change_log");
  g_assert_true (tandem_store_begin (fixture->store, &error));
  g_object_unref (save_persona (fixture->store, "Never Nora"));
  g_object_unref (save_persona (fixture->store, "Never Ned"));
  tandem_store_rollback (fixture->store);
  g_assert_cmpint (tandem_store_count (fixture->store, "personas"), ==, 0);
  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT count(*) FROM change_log"), ==, log_rows);
  g_assert_cmpuint (events->len, ==, 0);

  /* Notifications come after the commit, once per row. */
  g_assert_true (tandem_store_begin (fixture->store, &error));
  committed = save_persona (fixture->store, "Kept Kim");
  tandem_record_set_text (TANDEM_RECORD (committed), "bio", "Edited in the same transaction.");
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (committed), &error));
  g_assert_cmpuint (events->len, ==, 0);
  g_assert_true (tandem_store_commit (fixture->store, &error));
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (events, 0), ==, "personas row 0");

  g_assert_true (tandem_store_delete (fixture->store, TANDEM_RECORD (committed), &error));
  g_assert_cmpstr (g_ptr_array_index (events, 1), ==, "personas row 2");

  /* Bulk writes collapse into one reload notice. */
  g_assert_true (tandem_store_begin (fixture->store, &error));
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *name = g_strdup_printf ("Bulk %u", i);
      g_object_unref (save_persona (fixture->store, name));
    }
  g_assert_true (tandem_store_commit (fixture->store, &error));
  g_assert_cmpuint (events->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (events, 2), ==, "personas all 3");

  /* Writes of another connection are announced as a reload when asked. */
  tandem_store_notify_external_change (fixture->store, "leads");
  g_assert_cmpuint (events->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (events, 3), ==, "leads all 3");
}

/* A store that defers its checkpoints commits as usual, and what it wrote
 * reaches the database file when it closes. Other connections keep
 * SQLite's threshold (one page here, so that any commit passes it). */
static void
test_defer_checkpoints (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(TandemPersona) first = NULL;
  g_autoptr(TandemPersona) second = NULL;
  const char *count_first = "SELECT count(*) FROM personas WHERE name = 'Deferred Dora'";
  const char *count_second = "SELECT count(*) FROM personas WHERE name = 'Checkpointed Chris'";
  g_autoptr(TandemStore) other = tandem_store_open (fixture->path, NULL);

  g_assert_nonnull (other);
  g_assert_cmpint (sqlite3_exec (tandem_store_get_db (fixture->store),
                                 "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_wal_autocheckpoint (tandem_store_get_db (fixture->store), 1);
  sqlite3_wal_autocheckpoint (tandem_store_get_db (other), 1);

  tandem_store_defer_checkpoints (fixture->store);
  first = save_persona (fixture->store, "Deferred Dora");
  g_assert_cmpint (tandem_test_query_int (fixture->path, count_first), ==, 1);
  g_assert_cmpint (tandem_test_query_int_without_log (fixture->path, count_first), ==, 0);

  second = save_persona (other, "Checkpointed Chris");
  g_assert_cmpint (tandem_test_query_int_without_log (fixture->path, count_second), ==, 1);

  g_clear_object (&fixture->store);
  g_assert_cmpint (tandem_test_query_int_without_log (fixture->path, count_first), ==, 1);
}

static void
test_settings_and_backup (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  g_autofree char *fallback = NULL;
  g_autofree char *backup = g_build_filename (fixture->dir, "copy.db", NULL);

  g_assert_true (tandem_store_set_setting (fixture->store, "currency", "EUR", &error));
  g_assert_true (tandem_store_set_setting (fixture->store, "currency", "SEK", &error));
  g_assert_no_error (error);
  reopen (fixture);
  value = tandem_store_get_setting (fixture->store, "currency", "USD");
  g_assert_cmpstr (value, ==, "SEK");
  fallback = tandem_store_get_setting (fixture->store, "time_zone", "UTC");
  g_assert_cmpstr (fallback, ==, "UTC");

  g_assert_true (tandem_store_backup (fixture->store, backup, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tandem_test_query_int (backup, "SELECT count(*) FROM settings WHERE value = 'SEK'"), ==, 1);

  /* A backup never overwrites a file. */
  g_assert_false (tandem_store_backup (fixture->store, backup, &error));
  g_assert_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_INVALID);
}

static void
test_hlc_persisted (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(TandemPersona) first = save_persona (fixture->store, "First");
  g_autoptr(TandemPersona) second = NULL;
  gint64 first_hlc = tandem_record_get_loaded_hlc (TANDEM_RECORD (first));

  g_assert_cmpint (first_hlc, >, 0);
  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT value FROM meta WHERE key = 'hlc'"), ==,
                   first_hlc);

  /* Even if the wall clock went back while the app was closed, the next
   * stamp follows the persisted one. */
  reopen (fixture);
  g_clear_object (&fixture->store);
  exec_on_file (fixture->path, "UPDATE meta SET value = value + (3600000 << 16) WHERE key = 'hlc'");
  fixture->store = tandem_test_open_store (fixture->dir);
  second = save_persona (fixture->store, "Second");
  g_assert_cmpint (tandem_record_get_loaded_hlc (TANDEM_RECORD (second)), >,
                   first_hlc + (G_GINT64_CONSTANT (3600000) << 16));
}

/* Schema 5 keeps the creator of a row another desktop made in the row
 * itself: the "*" clocks of schema 4 move into created_site and leave
 * field_clocks, and field clocks of their own stay. */
static void
test_migrates_creator_sites (void)
{
  g_autofree char *dir = tandem_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "workspace.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemStore) store = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  for (int version = 1; version <= 4; version++)
    g_assert_true (tandem_schema_migrate_step (db, version, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO leads (id, created_hlc, email) VALUES"
                                     " ('remote', 70, 'r@acme.example'),"
                                     " ('local', 80, 'l@acme.example');"
                                     "INSERT INTO activities (id, created_hlc, lead_id, kind,"
                                     " occurred_at) VALUES ('a1', 90, 'remote', 'visit', 1);"
                                     "INSERT INTO field_clocks VALUES"
                                     " ('leads', 'remote', '*', 70, 'other-site'),"
                                     " ('leads', 'remote', 'email', 75, 'third-site'),"
                                     " ('activities', 'a1', '*', 90, 'other-site')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = tandem_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tandem_store_get_schema_version (store), ==, 5);
  g_clear_object (&store);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id, created_site FROM leads ORDER BY id",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "local");
  g_assert_cmpint (sqlite3_column_type (stmt, 1), ==, SQLITE_NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "other-site");
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_clear_pointer (&stmt, sqlite3_finalize);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT created_site FROM activities", -1, &stmt,
                                       NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "other-site");
  g_clear_pointer (&stmt, sqlite3_finalize);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT group_concat(tbl || ' ' || field || ' ' ||"
                                       " hlc || ' ' || site) FROM field_clocks", -1, &stmt,
                                       NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==,
                   "leads email 75 third-site");
  g_clear_pointer (&stmt, sqlite3_finalize);

  sqlite3_close (db);
  tandem_test_remove_dir (dir);
}

/* Sync reads a row's creator from created_site in every synced table, so
 * a table added later must have the column too. */
static void
test_synced_tables_keep_creator (Fixture       *fixture,
                                 gconstpointer  data)
{
  const TandemTableSpec **tables;
  guint n_tables;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  tables = tandem_schema_tables (&n_tables);
  g_assert_cmpuint (n_tables, >, 0);
  for (guint i = 0; i < n_tables; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT created_site FROM %s", tables[i]->name);
      sqlite3_stmt *stmt = NULL;

      if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
        g_error ("%s: %s", tables[i]->name, sqlite3_errmsg (db));
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, tandem_test_workspace_set_up, func, tandem_test_workspace_tear_down)
  ADD ("/core/store/open-creates", test_open_creates);
  ADD ("/core/store/refuses-newer", test_refuses_newer);
  g_test_add_func ("/core/store/refuses-foreign", test_refuses_foreign);
  g_test_add_func ("/core/store/migrates-with-backup", test_migrates_with_backup);
  g_test_add_func ("/core/store/migrates-search-triggers", test_migrates_search_triggers);
  g_test_add_func ("/core/store/migrates-creator-sites", test_migrates_creator_sites);
  ADD ("/core/store/synced-tables-keep-creator", test_synced_tables_keep_creator);
  ADD ("/core/store/round-trip-every-table", test_round_trip_every_table);
  ADD ("/core/store/properties", test_properties);
  ADD ("/core/store/clear-field", test_clear_field);
  ADD ("/core/store/tombstones-hidden", test_tombstones_hidden);
  ADD ("/core/store/change-log", test_change_log);
  ADD ("/core/store/new-row-json", test_new_row_json);
  ADD ("/core/store/base-hlc-of-stale-editor", test_base_hlc_of_stale_editor);
  ADD ("/core/store/search", test_search);
  ADD ("/core/store/transactions", test_transactions);
  ADD ("/core/store/defer-checkpoints", test_defer_checkpoints);
  ADD ("/core/store/settings-and-backup", test_settings_and_backup);
  ADD ("/core/store/hlc-persisted", test_hlc_persisted);
#undef ADD

  return g_test_run ();
}
