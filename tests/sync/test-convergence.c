/* test-convergence.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "core-test-utils.h"
#include "tandem-server-snapshot.h"
#include "tandem-server-store.h"
#include "tandem-snapshot-reader.h"
#include "tandem-store-private.h"

/* The convergence property of DESIGN.md §10: random edits on 2–5 replicas,
 * synced through one server store in a random order with duplicated,
 * reordered, dropped and retried pushes and pulls (and now and then a
 * compacted server that sends a replica to a snapshot). At the end, after
 * syncing until quiet, every replica and the server hold the same state,
 * and every value ever written is the final value of its field, was seen
 * by a later edit of it, or is in some conflicts list.
 *
 * TANDEM_SEED=N reruns from seed N (each case prints its seed when it
 * fails); TANDEM_CONVERGENCE_CASES=N sets the number of cases. */

#define DEFAULT_CASES 1000
#define MAX_REPLICAS  5

static const char *const edited_tables[] = { "leads", "personas", "assets" };

/* Small pools, so that desktops often write the same value. */
static const char *const text_values[] = { "red", "green", "blue", "Ann", "Bob", NULL };
static const char *const list_values[] = { "a\nb", "b", "c\na", NULL };

typedef struct
{
  char        *path;
  TandemStore *store;
  char        *device;
  /* The batch sent and not acknowledged: retried with the same id. */
  GPtrArray   *batch;
  char        *batch_id;
  gint64       batch_last_seq;
} Replica;

typedef struct
{
  GPtrArray *changes;
  char      *batch_id;
  char      *device;
} SentBatch;

typedef struct
{
  guint32            seed;
  GRand             *rand;
  char              *dir;
  TandemServerStore *server;
  Replica            replicas[MAX_REPLICAS];
  guint              n_replicas;
  /* Batches delivered before, to deliver again later. */
  GPtrArray         *sent;
} Case;

/* Totals over all cases, to show what the run exercised. */
static struct
{
  guint writes;
  guint conflicts;
  guint snapshots;
  guint pushes;
  guint pulls;
  guint skips;
  guint rows;
  guint unseen_edits;
} totals;

static char *template_dir;
static char *replica_template;
static char *server_template;

#define CHECK(c, cond, ...)                                                          \
  G_STMT_START {                                                                     \
    if (!(cond))                                                                     \
      {                                                                              \
        g_autofree char *_message = g_strdup_printf (__VA_ARGS__);                   \
        g_printerr ("convergence failed (rerun with TANDEM_SEED=%u "                \
                    "TANDEM_CONVERGENCE_CASES=1): %s\n", (c)->seed, _message);      \
        g_test_message ("seed %u: %s", (c)->seed, _message);                         \
        g_assert_not_reached ();                                                     \
      }                                                                              \
  } G_STMT_END

#define CHECK_NO_ERROR(c, error) \
  CHECK (c, (error) == NULL, "unexpected error: %s", (error) ? (error)->message : "")

static void
sent_batch_free (SentBatch *sent)
{
  g_ptr_array_unref (sent->changes);
  g_free (sent->batch_id);
  g_free (sent->device);
  g_free (sent);
}

static GPtrArray *
copy_changes (GPtrArray *changes)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) tandem_change_free);

  for (guint i = 0; i < changes->len; i++)
    g_ptr_array_add (copy, tandem_change_copy (g_ptr_array_index (changes, i)));

  return copy;
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  if (!g_file_test (from, G_FILE_TEST_EXISTS))
    return;

  g_file_get_contents (from, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, contents, length, &error);
  g_assert_no_error (error);
}

/* Migrating a workspace takes longer than a whole case, so every replica
 * starts as a copy of one empty workspace, without its site id (each copy
 * makes its own when opened). The server store likewise. */
static void
make_templates (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(TandemServerStore) server = NULL;
  const char *base = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir ();
  g_autofree char *pattern = g_build_filename (base, "tandem-convergence-XXXXXX", NULL);

  template_dir = g_mkdtemp (g_steal_pointer (&pattern));
  g_assert_nonnull (template_dir);
  replica_template = g_build_filename (template_dir, "replica.db", NULL);
  server_template = g_build_filename (template_dir, "server.db", NULL);

  store = tandem_store_open (replica_template, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (tandem_store_get_db (store),
                                 "DELETE FROM meta WHERE key IN ('site_id', 'hlc')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_clear_object (&store);

  server = tandem_server_store_open (server_template, &error);
  g_assert_no_error (error);
  g_clear_object (&server);
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return;

  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_remove (path);
    }
  g_rmdir (dir);
}

static void
case_init (Case    *c,
           guint32  seed)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *server_path = NULL;
  g_autofree char *name = g_strdup_printf ("case-%u", seed);

  memset (c, 0, sizeof *c);
  c->seed = seed;
  c->rand = g_rand_new_with_seed (seed);
  c->dir = g_build_filename (template_dir, name, NULL);
  g_assert_cmpint (g_mkdir (c->dir, 0700), ==, 0);
  c->sent = g_ptr_array_new_with_free_func ((GDestroyNotify) sent_batch_free);

  server_path = g_build_filename (c->dir, "server.db", NULL);
  copy_file (server_template, server_path);
  {
    g_autofree char *wal = g_strconcat (server_template, "-wal", NULL);
    g_autofree char *to = g_strconcat (server_path, "-wal", NULL);
    copy_file (wal, to);
  }
  c->server = tandem_server_store_open (server_path, &error);
  CHECK_NO_ERROR (c, error);

  c->n_replicas = g_rand_int_range (c->rand, 2, MAX_REPLICAS + 1);
  for (guint i = 0; i < c->n_replicas; i++)
    {
      Replica *replica = &c->replicas[i];
      g_autofree char *file = g_strdup_printf ("replica-%u.db", i);

      replica->path = g_build_filename (c->dir, file, NULL);
      replica->device = g_strdup_printf ("desktop-%u", i);
      copy_file (replica_template, replica->path);
      replica->store = tandem_store_open (replica->path, &error);
      CHECK_NO_ERROR (c, error);
    }
}

static void
case_clear (Case *c)
{
  for (guint i = 0; i < c->n_replicas; i++)
    {
      Replica *replica = &c->replicas[i];

      g_clear_object (&replica->store);
      g_clear_pointer (&replica->path, g_free);
      g_clear_pointer (&replica->device, g_free);
      g_clear_pointer (&replica->batch, g_ptr_array_unref);
      g_clear_pointer (&replica->batch_id, g_free);
    }
  g_clear_object (&c->server);
  g_clear_pointer (&c->sent, g_ptr_array_unref);
  g_clear_pointer (&c->rand, g_rand_free);
  remove_dir (c->dir);
  g_clear_pointer (&c->dir, g_free);
}

static gboolean
chance (Case   *c,
        double  p)
{
  return g_rand_double (c->rand) < p;
}

static const char *
pick (Case               *c,
      const char * const *values,
      guint               n_values)
{
  return values[g_rand_int_range (c->rand, 0, n_values)];
}

/* The ids of @table on @replica, tombstoned ones too. */
static GPtrArray *
list_ids (Replica    *replica,
          const char *table,
          gboolean    live_only)
{
  g_autofree char *sql = g_strdup_printf ("SELECT id FROM %s%s ORDER BY id", table,
                                          live_only ? " WHERE deleted = 0" : "");
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (tandem_store_get_db (replica->store), sql, -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  return ids;
}

static void
set_random_field (Case         *c,
                  TandemRecord *record)
{
  const TandemTableSpec *spec = tandem_record_get_spec (record);
  const TandemFieldSpec *field;

  /* Mostly the first few fields, so that desktops often edit the same
   * field while apart. */
  do
    field = &spec->fields[g_rand_int_range (c->rand, 0, chance (c, 0.7) ? 3 : spec->n_fields)];
  while (field->derived || field->type == TANDEM_FIELD_REF || field->type == TANDEM_FIELD_BOOL);

  switch (field->type)
    {
    case TANDEM_FIELD_TEXT:
      {
        const char *value = pick (c, text_values, G_N_ELEMENTS (text_values));

        /* The stage of a lead is never empty. */
        if (value == NULL && g_str_equal (field->name, "stage"))
          value = "lead";
        tandem_record_set_text (record, field->name, value);
      }
      break;

    case TANDEM_FIELD_LIST:
      tandem_record_set_text (record, field->name, pick (c, list_values, G_N_ELEMENTS (list_values)));
      break;

    case TANDEM_FIELD_INT:
      if (chance (c, 0.2))
        tandem_record_clear (record, field->name);
      else
        tandem_record_set_int (record, field->name, g_rand_int_range (c->rand, 0, 4) * 1000);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
random_edit (Case    *c,
             Replica *replica)
{
  static const char *const members[] = { "member-1", "member-2", "member-3" };
  const char *table = pick (c, edited_tables, G_N_ELEMENTS (edited_tables));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = list_ids (replica, table, FALSE);
  double what = g_rand_double (c->rand);

  tandem_store_set_current_member (replica->store, pick (c, members, G_N_ELEMENTS (members)));

  if (ids->len == 0 || what < 0.12)
    {
      g_autoptr(TandemRecord) record = tandem_record_new_for_table (table, NULL);
      guint n = g_rand_int_range (c->rand, 1, 4);

      for (guint i = 0; i < n; i++)
        set_random_field (c, record);
      tandem_store_save (replica->store, record, &error);
      CHECK_NO_ERROR (c, error);
      return;
    }

  {
    const char *id = g_ptr_array_index (ids, g_rand_int_range (c->rand, 0, ids->len));
    g_autoptr(TandemRecord) record = tandem_store_get_row (replica->store, table, id, &error);

    CHECK_NO_ERROR (c, error);

    if (record == NULL)
      {
        /* Tombstoned here: now and then someone restores it. */
        if (chance (c, 0.3))
          tandem_store_undelete_row (replica->store, table, id, &error);
        CHECK_NO_ERROR (c, error);
        return;
      }

    if (what < 0.22)
      {
        tandem_store_delete (replica->store, record, &error);
      }
    else if (what < 0.4 && g_str_equal (table, "leads"))
      {
        g_autoptr(TandemRecord) activity = tandem_record_new_for_table ("activities", NULL);
        static const char *const kinds[] = { "call", "page_visit", "form_fill" };

        tandem_record_set_text (activity, "lead_id", id);
        tandem_record_set_text (activity, "kind", pick (c, kinds, G_N_ELEMENTS (kinds)));
        tandem_record_set_int (activity, "occurred_at",
                               1700000000000 + g_rand_int_range (c->rand, 0, 1000) * 60000);
        tandem_store_save (replica->store, activity, &error);
      }
    else
      {
        guint n = g_rand_int_range (c->rand, 1, 3);

        for (guint i = 0; i < n; i++)
          set_random_field (c, record);
        tandem_store_save (replica->store, record, &error);
      }
    CHECK_NO_ERROR (c, error);
  }
}

/* Sends the replica's batch (the pending one again, or a new one from the
 * outbox). With @faults, the request or its answer may be lost. Returns
 * FALSE when there was nothing to send. */
static gboolean
push (Case     *c,
      Replica  *replica,
      gboolean  faults)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) outcomes = NULL;
  gint64 cursor = 0;
  gint64 now = g_get_real_time () / 1000;
  gint64 since = tandem_sync_get_cursor (replica->store);
  gint64 hlc = 0;
  gboolean moved = FALSE;

  if (replica->batch == NULL)
    {
      guint limit = faults ? g_rand_int_range (c->rand, 1, 12) : 0;
      g_autoptr(GPtrArray) outbox = tandem_sync_read_outbox (replica->store, limit, &error);

      CHECK_NO_ERROR (c, error);
      if (outbox->len == 0)
        return FALSE;

      replica->batch = g_steal_pointer (&outbox);
      replica->batch_id = g_uuid_string_random ();
      replica->batch_last_seq =
        ((TandemChange *) g_ptr_array_index (replica->batch, replica->batch->len - 1))->seq;
    }

  /* The request is lost on the way: the batch stays pending. */
  if (faults && chance (c, 0.1))
    return TRUE;

  CHECK (c, tandem_server_store_push (c->server, replica->device, replica->batch_id,
                                      TANDEM_SYNC_SCHEMA_VERSION, now, now, replica->batch,
                                      &outcomes, &cursor, &error),
         "push refused: %s", error ? error->message : "?");
  CHECK (c, outcomes->len == replica->batch->len, "one outcome per change");
  totals.pushes++;

  if (faults && chance (c, 0.3))
    {
      SentBatch *sent = g_new0 (SentBatch, 1);

      sent->changes = copy_changes (replica->batch);
      sent->batch_id = g_strdup (replica->batch_id);
      sent->device = g_strdup (replica->device);
      g_ptr_array_add (c->sent, sent);
    }

  /* The answer is lost: the client retries the same batch later. */
  if (faults && chance (c, 0.2))
    return TRUE;

  tandem_sync_mark_pushed (replica->store, replica->batch_last_seq, &error);
  CHECK_NO_ERROR (c, error);
  g_clear_pointer (&replica->batch, g_ptr_array_unref);
  g_clear_pointer (&replica->batch_id, g_free);

  /* The answer may let the replica skip its own changes. Now and then the
   * request carried an older cursor than the replica now has (it was
   * built before a pull): that skip must not move the cursor. */
  if (faults && since > 0 && chance (c, 0.1))
    since = g_rand_int_range (c->rand, 0, since);
  if (tandem_server_store_own_changes (c->server, tandem_store_get_site_id (replica->store),
                                       since, cursor, &hlc))
    {
      CHECK (c, hlc > 0, "a skip without the clock of its last change");
      tandem_sync_skip_own_changes (replica->store, since, cursor, &moved, &error);
      CHECK_NO_ERROR (c, error);
      totals.skips += moved;
    }

  return TRUE;
}

/* A batch delivered once more, late and out of order. */
static void
push_duplicate (Case *c)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) outcomes = NULL;
  SentBatch *sent;
  gint64 cursor = 0;
  gint64 now = g_get_real_time () / 1000;

  if (c->sent->len == 0)
    return;

  sent = g_ptr_array_index (c->sent, g_rand_int_range (c->rand, 0, c->sent->len));
  CHECK (c, tandem_server_store_push (c->server, sent->device, sent->batch_id,
                                      TANDEM_SYNC_SCHEMA_VERSION, now, now, sent->changes,
                                      &outcomes, &cursor, &error),
         "repeated push refused: %s", error ? error->message : "?");
  CHECK (c, outcomes->len == sent->changes->len, "one outcome per repeated change");
}

/* The streamed snapshot, as the server writes it and the client reads
 * it, through memory. */
static void
take_snapshot (Case    *c,
               Replica *replica)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gint64 cursor = -1;

  tandem_server_snapshot_write_all (c->server, out, NULL, &error);
  CHECK_NO_ERROR (c, error);
  g_output_stream_close (out, NULL, NULL);
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  in = g_memory_input_stream_new_from_bytes (bytes);

  totals.snapshots++;
  tandem_snapshot_read_stream (replica->store, in, NULL, NULL, NULL, &cursor, NULL, NULL, &error);
  CHECK_NO_ERROR (c, error);
  CHECK (c, cursor == tandem_sync_get_cursor (replica->store), "the snapshot's cursor is kept");
}

/* Pulls one page. Returns whether the server has more. */
static gboolean
pull (Case     *c,
      Replica  *replica,
      gboolean  faults)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  gint64 since = tandem_sync_get_cursor (replica->store);
  gint64 cursor = 0;
  gboolean more = FALSE;
  guint limit = faults ? g_rand_int_range (c->rand, 1, 9) : 1000;

  /* A pull retried from an older cursor (its first answer was lost after
   * the page was applied). */
  if (faults && since > 0 && chance (c, 0.15))
    since = g_rand_int_range (c->rand, 0, since);

  page = tandem_server_store_pull (c->server, since, limit, &cursor, &more, &error);
  if (g_error_matches (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_CURSOR_EXPIRED))
    {
      take_snapshot (c, replica);
      return FALSE;
    }
  CHECK_NO_ERROR (c, error);

  /* The answer is lost: nothing applied, the cursor stays. */
  if (faults && chance (c, 0.15))
    return more;

  tandem_sync_apply (replica->store, page, cursor, NULL, &error);
  CHECK_NO_ERROR (c, error);
  totals.pulls++;

  return more;
}

static void
sync_until_quiet (Case *c)
{
  for (guint round = 0; round < 2; round++)
    {
      for (guint i = 0; i < c->n_replicas; i++)
        while (push (c, &c->replicas[i], FALSE))
          ;
      for (guint i = 0; i < c->n_replicas; i++)
        while (pull (c, &c->replicas[i], FALSE))
          ;
    }

  for (guint i = 0; i < c->n_replicas; i++)
    CHECK (c, tandem_sync_count_outbox (c->replicas[i].store) == 0, "replica %u has an outbox", i);
}

/* The replicated state: "table\x1frow\x1ffield" -> the value as JSON. */
static GHashTable *
replica_state (Replica *replica)
{
  GHashTable *state = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const TandemTableSpec **tables;
  guint n_tables;

  tables = tandem_schema_tables (&n_tables);
  for (guint t = 0; t < n_tables; t++)
    {
      const TandemTableSpec *spec = tables[t];
      g_autoptr(GString) sql = g_string_new ("SELECT id, json_quote(deleted)");
      g_autoptr(GPtrArray) names = g_ptr_array_new ();
      sqlite3_stmt *stmt = NULL;

      g_ptr_array_add (names, (gpointer) "deleted");
      for (guint i = 0; i < spec->n_fields; i++)
        if (!spec->fields[i].derived)
          {
            g_string_append_printf (sql, ", json_quote(%s)", spec->fields[i].name);
            g_ptr_array_add (names, (gpointer) spec->fields[i].name);
          }
      g_string_append_printf (sql, " FROM %s", spec->name);

      g_assert_cmpint (sqlite3_prepare_v2 (tandem_store_get_db (replica->store), sql->str, -1,
                                           &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        for (guint i = 0; i < names->len; i++)
          g_hash_table_insert (state,
                               g_strdup_printf ("%s\x1f%s\x1f%s", spec->name,
                                                sqlite3_column_text (stmt, 0),
                                                (const char *) g_ptr_array_index (names, i)),
                               g_strdup ((const char *) sqlite3_column_text (stmt, i + 1)));
      sqlite3_finalize (stmt);
    }

  return state;
}

/* The same JSON value spelled as SQLite spells it. */
static char *
normalize_json (sqlite3    *db,
                const char *json)
{
  sqlite3_stmt *stmt = NULL;
  char *normal = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT json_quote(json_extract(?, '$'))", -1, &stmt,
                                       NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, json ? json : "null", -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    normal = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return normal;
}

static GHashTable *
server_state (Case *c,
              sqlite3 *db)
{
  GHashTable *state = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) snapshot = NULL;
  gint64 cursor;

  snapshot = tandem_server_store_snapshot (c->server, &cursor, &error);
  CHECK_NO_ERROR (c, error);

  for (guint i = 0; i < snapshot->len; i++)
    {
      TandemChange *change = g_ptr_array_index (snapshot, i);

      g_hash_table_insert (state,
                           g_strdup_printf ("%s\x1f%s\x1f%s", change->table, change->row_id,
                                            change->field),
                           normalize_json (db, change->value_json));
    }

  return state;
}

static void
assert_same_state (Case       *c,
                   GHashTable *expected,
                   GHashTable *actual,
                   const char *what)
{
  GHashTableIter iter;
  gpointer key, value;

  CHECK (c, g_hash_table_size (expected) == g_hash_table_size (actual),
         "%s holds %u values, replica 0 holds %u", what, g_hash_table_size (actual),
         g_hash_table_size (expected));

  g_hash_table_iter_init (&iter, expected);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *other = g_hash_table_lookup (actual, key);
      g_autofree char *printable = g_strdelimit (g_strdup (key), "\x1f", '.');

      CHECK (c, g_strcmp0 (value, other) == 0, "%s: %s is %s, replica 0 has %s", what, printable,
             other ? other : "(missing)", (const char *) value);
    }
}

static void
add_accounted (GHashTable *accounted,
               const char *key,
               const char *value)
{
  g_hash_table_add (accounted, g_strdup_printf ("%s\x1e%s", key, value ? value : "null"));
}

/* Every local write of every replica, "*" rows expanded to their fields:
 * each as key, value, hlc, base_hlc. */
typedef struct
{
  char   *key;
  char   *value;
  gint64  hlc;
  gint64  base_hlc;
} Write;

static void
write_free (Write *write)
{
  g_free (write->key);
  g_free (write->value);
  g_free (write);
}

static void
collect_writes (Replica   *replica,
                GPtrArray *writes)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (tandem_store_get_db (replica->store),
                                       "SELECT c.tbl, c.row_id, c.field, json_quote(c.value), c.hlc,"
                                       " c.base_hlc FROM change_log AS c WHERE c.origin = 'local'"
                                       " AND c.field != '*'"
                                       " UNION ALL"
                                       " SELECT c.tbl, c.row_id, e.key, json_quote(e.value), c.hlc,"
                                       " 0 FROM change_log AS c, json_each(c.value) AS e"
                                       " WHERE c.origin = 'local' AND c.field = '*'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      Write *write = g_new0 (Write, 1);

      write->key = g_strdup_printf ("%s\x1f%s\x1f%s", sqlite3_column_text (stmt, 0),
                                    sqlite3_column_text (stmt, 1), sqlite3_column_text (stmt, 2));
      write->value = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      write->hlc = sqlite3_column_int64 (stmt, 4);
      write->base_hlc = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (writes, write);
    }
  sqlite3_finalize (stmt);
}

static void
collect_conflicts (sqlite3    *db,
                   GHashTable *accounted,
                   const char *tbl,
                   const char *row_id,
                   const char *field,
                   const char *kept,
                   const char *other)
{
  g_autofree char *key = g_strdup_printf ("%s\x1f%s\x1f%s", tbl, row_id, field);
  g_autofree char *kept_normal = normalize_json (db, kept);
  g_autofree char *other_normal = normalize_json (db, other);

  add_accounted (accounted, key, kept_normal);
  add_accounted (accounted, key, other_normal);
}

static void
assert_nothing_lost (Case       *c,
                     GHashTable *final_state)
{
  g_autoptr(GHashTable) accounted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) seen_clocks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) writes = g_ptr_array_new_with_free_func ((GDestroyNotify) write_free);
  g_autoptr(GPtrArray) server_conflicts = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = tandem_store_get_db (c->replicas[0].store);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, final_state);
  while (g_hash_table_iter_next (&iter, &key, &value))
    add_accounted (accounted, key, value);

  for (guint i = 0; i < c->n_replicas; i++)
    {
      sqlite3_stmt *stmt = NULL;

      collect_writes (&c->replicas[i], writes);

      g_assert_cmpint (sqlite3_prepare_v2 (tandem_store_get_db (c->replicas[i].store),
                                           "SELECT tbl, row_id, field, kept_value, other_value"
                                           " FROM conflicts", -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        collect_conflicts (db, accounted, (const char *) sqlite3_column_text (stmt, 0),
                           (const char *) sqlite3_column_text (stmt, 1),
                           (const char *) sqlite3_column_text (stmt, 2),
                           (const char *) sqlite3_column_text (stmt, 3),
                           (const char *) sqlite3_column_text (stmt, 4));
      sqlite3_finalize (stmt);
    }

  server_conflicts = tandem_server_store_list_conflicts (c->server, &error);
  CHECK_NO_ERROR (c, error);
  totals.conflicts += server_conflicts->len;
  totals.writes += writes->len;
  for (guint i = 0; i < server_conflicts->len; i++)
    {
      TandemConflict *conflict = g_ptr_array_index (server_conflicts, i);

      collect_conflicts (db, accounted, conflict->table, conflict->row_id, conflict->field,
                         conflict->kept_value_json, conflict->other_value_json);
    }

  /* A value a later edit of the same field saw was replaced knowingly. */
  for (guint i = 0; i < writes->len; i++)
    {
      Write *write = g_ptr_array_index (writes, i);

      if (write->base_hlc != 0)
        g_hash_table_add (seen_clocks, g_strdup_printf ("%s\x1e%" G_GINT64_FORMAT, write->key,
                                                        write->base_hlc));
    }
  for (guint i = 0; i < writes->len; i++)
    {
      Write *write = g_ptr_array_index (writes, i);
      g_autofree char *clock = g_strdup_printf ("%s\x1e%" G_GINT64_FORMAT, write->key, write->hlc);

      if (g_hash_table_contains (seen_clocks, clock))
        add_accounted (accounted, write->key, write->value);
    }

  for (guint i = 0; i < writes->len; i++)
    {
      Write *write = g_ptr_array_index (writes, i);
      g_autofree char *entry = g_strdup_printf ("%s\x1e%s", write->key, write->value);

      if (!g_hash_table_contains (accounted, entry))
        {
          g_autofree char *printable = g_strdelimit (g_strdup (write->key), "\x1f", '.');

          CHECK (c, FALSE, "the value %s written to %s at %" G_GINT64_FORMAT " was lost silently",
                 write->value, printable, write->hlc);
        }
    }
}

/* A row deleted in the end keeps its last values in the tombstone, where
 * nobody sees them. A value written after the delete by the clock cannot
 * have been seen by the desktop that deleted, so it is no more final than
 * a value that lost: an edit against the delete must be listed. */
static void
assert_tombstones_accounted (Case *c)
{
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt = NULL;

  for (guint i = 0; i < c->n_replicas; i++)
    {
      g_assert_cmpint (sqlite3_prepare_v2 (tandem_store_get_db (c->replicas[i].store),
                                           "SELECT tbl, row_id FROM conflicts"
                                           " WHERE field = 'deleted'", -1, &stmt, NULL),
                       ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_hash_table_add (listed, g_strdup_printf ("%s\x1f%s", sqlite3_column_text (stmt, 0),
                                                   sqlite3_column_text (stmt, 1)));
      sqlite3_finalize (stmt);
    }

  for (guint t = 0; t < G_N_ELEMENTS (edited_tables); t++)
    {
      g_autofree char *sql = NULL;

      sql = g_strdup_printf ("SELECT f.row_id, f.field, f.hlc, f.site, d.hlc, d.site"
                             " FROM %s AS r JOIN field_clocks AS d ON d.tbl = '%s'"
                             " AND d.row_id = r.id AND d.field = 'deleted'"
                             " JOIN field_clocks AS f ON f.tbl = d.tbl AND f.row_id = d.row_id"
                             " AND f.field <> 'deleted' WHERE r.deleted = 1",
                             edited_tables[t], edited_tables[t]);
      g_assert_cmpint (sqlite3_prepare_v2 (tandem_store_get_db (c->replicas[0].store), sql, -1,
                                           &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *row_id = (const char *) sqlite3_column_text (stmt, 0);
          const char *site = (const char *) sqlite3_column_text (stmt, 3);
          const char *delete_site = (const char *) sqlite3_column_text (stmt, 5);
          g_autofree char *key = g_strdup_printf ("%s\x1f%s", edited_tables[t], row_id);

          if (g_strcmp0 (site, delete_site) == 0 ||
              !tandem_sync_wins (sqlite3_column_int64 (stmt, 2), site,
                                 sqlite3_column_int64 (stmt, 4), delete_site))
            continue;

          totals.unseen_edits++;
          CHECK (c, g_hash_table_contains (listed, key),
                 "%s.%s.%s, written after the row was deleted, is in no conflicts list",
                 edited_tables[t], row_id, (const char *) sqlite3_column_text (stmt, 1));
        }
      sqlite3_finalize (stmt);
    }
}

static void
run_case (guint32 seed)
{
  Case c;
  guint n_steps;
  g_autoptr(GHashTable) expected = NULL;
  g_autoptr(GHashTable) server = NULL;

  case_init (&c, seed);
  n_steps = g_rand_int_range (c.rand, 5, 31);

  for (guint step = 0; step < n_steps; step++)
    {
      Replica *replica = &c.replicas[g_rand_int_range (c.rand, 0, c.n_replicas)];
      double what = g_rand_double (c.rand);

      if (what < 0.5)
        random_edit (&c, replica);
      else if (what < 0.7)
        push (&c, replica, TRUE);
      else if (what < 0.9)
        pull (&c, replica, TRUE);
      else if (what < 0.97)
        push_duplicate (&c);
      else
        {
          /* The server drops old log entries: whoever is behind gets a
           * snapshot. */
          gint64 newest = tandem_server_store_get_cursor (c.server);
          g_autoptr(GError) error = NULL;

          if (newest > 0)
            tandem_server_store_compact (c.server, g_rand_int_range (c.rand, 0, newest + 1), &error);
          CHECK_NO_ERROR (&c, error);
        }
    }

  sync_until_quiet (&c);

  expected = replica_state (&c.replicas[0]);
  for (guint i = 1; i < c.n_replicas; i++)
    {
      g_autoptr(GHashTable) actual = replica_state (&c.replicas[i]);
      g_autofree char *what = g_strdup_printf ("replica %u", i);

      assert_same_state (&c, expected, actual, what);
    }
  server = server_state (&c, tandem_store_get_db (c.replicas[0].store));
  assert_same_state (&c, expected, server, "the server");

  assert_nothing_lost (&c, expected);
  assert_tombstones_accounted (&c);
  totals.rows += g_hash_table_size (expected);
  case_clear (&c);
}

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *text = g_getenv (name);

  return text != NULL && *text != '\0' ? (guint) g_ascii_strtoull (text, NULL, 10) : fallback;
}

static void
test_convergence (void)
{
  guint n_cases = env_uint ("TANDEM_CONVERGENCE_CASES", DEFAULT_CASES);
  guint32 first_seed = env_uint ("TANDEM_SEED", g_test_rand_int ());
  gint64 start = g_get_monotonic_time ();

  g_test_message ("first seed %u, %u cases", first_seed, n_cases);

  make_templates ();
  for (guint i = 0; i < n_cases; i++)
    run_case (first_seed + i);

  g_test_message ("%u cases in %.1f s: %u field writes, %u values compared, %u pushes "
                  "(%u let the cursor skip them), %u pulls applied, %u snapshots, "
                  "%u conflicts on the server, %u edits after a delete",
                  n_cases, (g_get_monotonic_time () - start) / 1e6, totals.writes, totals.rows,
                  totals.pushes, totals.skips, totals.pulls, totals.snapshots, totals.conflicts,
                  totals.unseen_edits);

  remove_dir (template_dir);
  g_clear_pointer (&template_dir, g_free);
  g_clear_pointer (&replica_template, g_free);
  g_clear_pointer (&server_template, g_free);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync/convergence/random", test_convergence);

  return g_test_run ();
}
