/* tandem-server-store.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>

#include "tandem-schema.h"
#include "tandem-server-store.h"
#include "tandem-snapshot-format.h"
#include "tandem-sync-private.h"
#include "tandem-sync-protocol.h"

struct _TandemServerStore
{
  GObject  parent_instance;

  sqlite3 *db;
  char    *path;
};

G_DEFINE_FINAL_TYPE (TandemServerStore, tandem_server_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (tandem-server-error-quark, tandem_server_error)

/* Every statement is a constant: input only ever reaches SQLite as a bound
 * parameter. */
static const char schema_sql[] =
  "CREATE TABLE IF NOT EXISTS changes ("
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  tbl TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT,"
  "  hlc INTEGER NOT NULL, site TEXT NOT NULL, base_hlc INTEGER NOT NULL DEFAULT 0,"
  "  device TEXT);"
  /* The state: each row as the line a snapshot sends for it, newline
   * included (see "Rows" below). */
  "CREATE TABLE IF NOT EXISTS rows ("
  "  tbl TEXT NOT NULL, row_id TEXT NOT NULL, line TEXT NOT NULL,"
  "  PRIMARY KEY (tbl, row_id)) WITHOUT ROWID;"
  "CREATE TABLE IF NOT EXISTS conflicts ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  tbl TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL,"
  "  kept_value TEXT, kept_hlc INTEGER NOT NULL, kept_site TEXT NOT NULL,"
  "  other_value TEXT, other_hlc INTEGER NOT NULL, other_site TEXT NOT NULL,"
  "  device TEXT, detected_at INTEGER NOT NULL);"
  /* The same pair of values met again (a retried change in a new batch)
   * is one conflict, not two. */
  "CREATE UNIQUE INDEX IF NOT EXISTS conflicts_pair ON conflicts"
  "  (tbl, row_id, field, kept_hlc, kept_site, other_hlc, other_site);"
  "CREATE TABLE IF NOT EXISTS batches ("
  "  batch_id TEXT PRIMARY KEY, device TEXT, answer TEXT NOT NULL,"
  "  received_at INTEGER NOT NULL);"
  "CREATE TABLE IF NOT EXISTS devices ("
  "  name TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE,"
  "  created_at INTEGER NOT NULL, revoked_at INTEGER);"
  "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value);";

static gboolean
set_sqlite_error (TandemServerStore  *self,
                  GError            **error)
{
  g_set_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_STORAGE,
               _("The sync database %s failed: %s"), self->path, sqlite3_errmsg (self->db));
  return FALSE;
}

static gboolean
exec (TandemServerStore  *self,
      const char         *sql,
      GError            **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_sqlite_error (self, error);

  return TRUE;
}

static sqlite3_stmt *
prepare (TandemServerStore  *self,
         const char         *sql,
         GError            **error)
{
  sqlite3_stmt *stmt = NULL;

  /* Prepared statements are cached by SQLite's own page cache; preparing
   * them again per call keeps the code simple at a small cost. */
  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error);
      return NULL;
    }

  return stmt;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

static void
tandem_server_store_finalize (GObject *object)
{
  TandemServerStore *self = (TandemServerStore *) object;

  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (tandem_server_store_parent_class)->finalize (object);
}

static void
tandem_server_store_class_init (TandemServerStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tandem_server_store_finalize;
}

static void
tandem_server_store_init (TandemServerStore *self)
{
}

static gboolean upgrade_storage (TandemServerStore  *self,
                                 GError            **error);

TandemServerStore *
tandem_server_store_open (const char  *path,
                          GError     **error)
{
  g_autoptr(TandemServerStore) self = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (TANDEM_TYPE_SERVER_STORE, NULL);
  self->path = g_strdup (path);

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_STORAGE,
                   _("Could not open the sync database %s: %s"), path,
                   self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }

  /* Several processes may share the file (the server and `token add`):
   * wait for each other's short transactions rather than fail. */
  sqlite3_busy_timeout (self->db, 5000);

  /* WAL with synchronous=FULL: a push the server has answered survives a
   * power cut, which is what lets clients drop their outbox. */
  /* A team's first push of a large workspace writes a million rows in
   * random places of the state: with SQLite's 2 MiB cache, most of its
   * time went to reading pages back from the file, and with a checkpoint
   * after every batch, to copying the same pages again and again. Neither
   * changes what a commit guarantees. */
  if (!exec (self, "PRAGMA journal_mode=WAL", error) ||
      !exec (self, "PRAGMA synchronous=FULL", error) ||
      !exec (self, "PRAGMA cache_size=-131072", error) ||
      !exec (self, "PRAGMA wal_autocheckpoint=16384", error) ||
      !exec (self, "PRAGMA foreign_keys=ON", error) ||
      !exec (self, schema_sql, error) ||
      !upgrade_storage (self, error))
    {
      g_prefix_error (error, _("Could not set up the sync database: "));
      return NULL;
    }

  return g_steal_pointer (&self);
}

const char *
tandem_server_store_get_path (TandemServerStore *self)
{
  g_return_val_if_fail (TANDEM_IS_SERVER_STORE (self), NULL);

  return self->path;
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* Tokens. */

static char *
random_token (GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path ("/dev/urandom");
  g_autoptr(GFileInputStream) stream = NULL;
  guint8 bytes[32];
  gsize n_read = 0;
  GString *hex;

  /* GRand is not a cryptographic generator; the kernel's is. */
  stream = g_file_read (file, NULL, error);
  if (stream == NULL ||
      !g_input_stream_read_all (G_INPUT_STREAM (stream), bytes, sizeof bytes, &n_read, NULL, error))
    return NULL;

  if (n_read != sizeof bytes)
    {
      g_set_error_literal (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_STORAGE,
                           _("Could not read enough random bytes for a token"));
      return NULL;
    }

  hex = g_string_sized_new (2 * sizeof bytes);
  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (hex, "%02x", bytes[i]);
  memset (bytes, 0, sizeof bytes);

  return g_string_free (hex, FALSE);
}

static char *
hash_token (const char *token)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

char *
tandem_server_store_add_token (TandemServerStore  *self,
                               const char         *device,
                               GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *token = NULL;
  g_autofree char *hash = NULL;

  g_return_val_if_fail (TANDEM_IS_SERVER_STORE (self), NULL);
  g_return_val_if_fail (device != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (device[0] == '\0' || strlen (device) > 128 || !g_utf8_validate (device, -1, NULL))
    {
      g_set_error_literal (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_INVALID,
                           _("A device name must be 1 to 128 characters of text"));
      return NULL;
    }

  token = random_token (error);
  if (token == NULL)
    return NULL;
  hash = hash_token (token);

  /* A revoked name may be issued a new token; a live one may not, so that
   * adding a device never silently locks another one out. */
  stmt = prepare (self,
                  "INSERT INTO devices (name, token_hash, created_at) VALUES (?1, ?2, ?3) "
                  "ON CONFLICT (name) DO UPDATE SET token_hash = ?2, created_at = ?3, "
                  "revoked_at = NULL WHERE revoked_at IS NOT NULL",
                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, device, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, now_ms ());

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_sqlite_error (self, error);
      return NULL;
    }

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_INVALID,
                   _("A device named “%s” already has a token; revoke it first"), device);
      return NULL;
    }

  return g_steal_pointer (&token);
}

gboolean
tandem_server_store_revoke_token (TandemServerStore  *self,
                                  const char         *device,
                                  GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (TANDEM_IS_SERVER_STORE (self), FALSE);
  g_return_val_if_fail (device != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = prepare (self,
                  "UPDATE devices SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
                  error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, device, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, now_ms ());

  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, error);

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_INVALID,
                   _("There is no device named “%s” with a valid token"), device);
      return FALSE;
    }

  return TRUE;
}

void
tandem_server_device_free (TandemServerDevice *device)
{
  if (device == NULL)
    return;

  g_free (device->name);
  g_free (device);
}

GPtrArray *
tandem_server_store_list_devices (TandemServerStore  *self,
                                  GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  int rc;

  g_return_val_if_fail (TANDEM_IS_SERVER_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = prepare (self,
                  "SELECT name, created_at, revoked_at FROM devices ORDER BY name",
                  error);
  if (stmt == NULL)
    return NULL;

  devices = g_ptr_array_new_with_free_func ((GDestroyNotify) tandem_server_device_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TandemServerDevice *device = g_new0 (TandemServerDevice, 1);

      device->name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      device->created_at = sqlite3_column_int64 (stmt, 1);
      device->revoked_at = sqlite3_column_int64 (stmt, 2);
      g_ptr_array_add (devices, device);
    }

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error);
      return NULL;
    }

  return g_steal_pointer (&devices);
}

char *
tandem_server_store_check_token (TandemServerStore *self,
                                 const char        *token)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *hash = NULL;

  g_return_val_if_fail (TANDEM_IS_SERVER_STORE (self), NULL);

  /* Tokens are exactly 64 hex digits; anything else cannot match and is
   * not worth hashing. */
  if (token == NULL || strlen (token) != 64)
    return NULL;

  hash = hash_token (token);
  stmt = prepare (self, "SELECT name FROM devices WHERE token_hash = ?1 AND revoked_at IS NULL",
                  NULL);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;

  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* The change log. */

gint64
tandem_server_store_get_cursor (TandemServerStore *self)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (TANDEM_IS_SERVER_STORE (self), 0);

  /* sqlite_sequence keeps the newest sequence even once compaction has
   * deleted the rows, and it only exists after the first insert. */
  stmt = prepare (self,
                  "SELECT COALESCE ((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)",
                  NULL);
  if (stmt == NULL)
    {
      /* Before the first change sqlite_sequence may not exist yet. */
      return 0;
    }

  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 0;

  return sqlite3_column_int64 (stmt, 0);
}

gint64
tandem_server_store_get_horizon (TandemServerStore *self)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (TANDEM_IS_SERVER_STORE (self), 0);

  stmt = prepare (self, "SELECT value FROM meta WHERE key = 'horizon'", NULL);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return 0;

  return sqlite3_column_int64 (stmt, 0);
}

/* Rows.
 *
 * The state is kept one row per line, as the snapshot sends it (see
 * tandem-snapshot-format.h): the values of the row's columns in order,
 * the row's creation clock, and a clock of its own for each column changed
 * since. A snapshot is then the rows read in order and written out as
 * they are, and a new row pushed whole is one write. A column nobody has
 * written yet (of a row known only from changes to other fields) holds its
 * default with the clock (0, ""), which any written value beats. */

typedef struct
{
  const TandemTableSpec *spec;
  const char * const    *columns;
  guint                  n_columns;
  gboolean               exists;
  gboolean               dirty;
  gint64                 hlc;
  char                  *site;
  GPtrArray             *values;       /* char *, each column's value as canonical JSON */
  GArray                *clock_hlcs;   /* gint64 */
  GPtrArray             *clock_sites;  /* char *, NULL: the row's own clock */
} ServerRow;

static void
server_row_clear (ServerRow *row)
{
  g_clear_pointer (&row->site, g_free);
  g_clear_pointer (&row->values, g_ptr_array_unref);
  g_clear_pointer (&row->clock_hlcs, g_array_unref);
  g_clear_pointer (&row->clock_sites, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ServerRow, server_row_clear)

/* The value a column of a new row takes when nobody gave one, as the
 * desktops' insert_row() fills it in. */
static char *
default_json (const TandemTableSpec *spec,
              const char            *column)
{
  int index = tandem_table_spec_field_index (spec, column);
  const TandemFieldSpec *field;
  GString *out;

  if (index < 0)
    return g_strdup ("0");  /* "deleted" */

  field = &spec->fields[index];
  if (field->default_value == NULL)
    return g_strdup ("null");

  if (field->type == TANDEM_FIELD_INT || field->type == TANDEM_FIELD_BOOL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, g_ascii_strtoll (field->default_value, NULL, 10));

  out = g_string_new (NULL);
  tandem_protocol_append_string (out, field->default_value);
  return g_string_free (out, FALSE);
}

static void
server_row_init (ServerRow             *row,
                 const TandemTableSpec *spec)
{
  memset (row, 0, sizeof *row);
  row->spec = spec;
  row->columns = tandem_snapshot_columns (spec, &row->n_columns);
  row->site = g_strdup ("");
  row->values = g_ptr_array_new_full (row->n_columns, g_free);
  row->clock_hlcs = g_array_sized_new (FALSE, TRUE, sizeof (gint64), row->n_columns);
  g_array_set_size (row->clock_hlcs, row->n_columns);
  row->clock_sites = g_ptr_array_new_full (row->n_columns, g_free);
  for (guint i = 0; i < row->n_columns; i++)
    {
      g_ptr_array_add (row->values, default_json (spec, row->columns[i]));
      g_ptr_array_add (row->clock_sites, NULL);
    }
}

/* Reads the stored @line (of @columns) into @row, whose columns may be
 * others: a column the line lacks keeps its default, unwritten. */
static gboolean
server_row_read_line (ServerRow             *row,
                      TandemSnapshotParser  *parser,
                      const char * const    *columns,
                      guint                  n_columns,
                      const char            *line,
                      gsize                  length,
                      GError               **error)
{
  const TandemSyncRow *scanned;
  g_autofree int *map = g_new (int, n_columns);

  if (!tandem_snapshot_parser_scan_row (parser, row->spec->name, columns, n_columns, line, length,
                                        error))
    return FALSE;

  scanned = tandem_snapshot_parser_get_row (parser);
  row->exists = TRUE;
  row->hlc = scanned->hlc;
  g_free (row->site);
  row->site = g_strdup (scanned->site);

  for (guint i = 0; i < n_columns; i++)
    {
      map[i] = -1;
      for (guint j = 0; j < row->n_columns; j++)
        if (g_str_equal (columns[i], row->columns[j]))
          map[i] = (int) j;
    }

  /* Columns the line lacks were never written under its layout. */
  for (guint j = 0; j < row->n_columns; j++)
    {
      gboolean present = FALSE;

      for (guint i = 0; i < n_columns; i++)
        present |= map[i] == (int) j;

      if (!present && (row->hlc != 0 || *row->site != '\0'))
        {
          g_array_index (row->clock_hlcs, gint64, j) = 0;
          g_free (g_ptr_array_index (row->clock_sites, j));
          g_ptr_array_index (row->clock_sites, j) = g_strdup ("");
        }
    }

  for (guint i = 0; i < n_columns; i++)
    {
      gsize value_length;
      const char *value = tandem_snapshot_parser_get_value_json (parser, i, &value_length);

      if (map[i] < 0)
        continue;

      g_free (g_ptr_array_index (row->values, map[i]));
      g_ptr_array_index (row->values, map[i]) = g_strndup (value, value_length);
    }

  for (guint i = 0; i < scanned->n_clocks; i++)
    {
      const TandemSyncClock *clock = &scanned->clocks[i];
      int column = map[clock->column];

      if (column < 0)
        continue;

      g_array_index (row->clock_hlcs, gint64, column) = clock->hlc;
      g_free (g_ptr_array_index (row->clock_sites, column));
      g_ptr_array_index (row->clock_sites, column) = g_strdup (clock->site);
    }

  return TRUE;
}

static void
server_row_clock (ServerRow    *row,
                  guint         column,
                  gint64       *hlc,
                  const char  **site)
{
  const char *own = g_ptr_array_index (row->clock_sites, column);

  if (own != NULL)
    {
      *hlc = g_array_index (row->clock_hlcs, gint64, column);
      *site = own;
    }
  else
    {
      *hlc = row->hlc;
      *site = row->site;
    }
}

static void
server_row_set_clock (ServerRow  *row,
                      guint       column,
                      gint64      hlc,
                      const char *site)
{
  g_array_index (row->clock_hlcs, gint64, column) = hlc;
  g_free (g_ptr_array_index (row->clock_sites, column));
  g_ptr_array_index (row->clock_sites, column) = g_strdup (site);
}

/* The row as its line: a column whose clock is the row's carries none. */
static char *
server_row_to_line (ServerRow  *row,
                    const char *row_id,
                    gsize      *length)
{
  GString *out = g_string_sized_new (256);

  for (guint i = 0; i < row->n_columns; i++)
    {
      const char *site = g_ptr_array_index (row->clock_sites, i);

      if (site != NULL && g_array_index (row->clock_hlcs, gint64, i) == row->hlc &&
          g_str_equal (site, row->site))
        g_clear_pointer (&g_ptr_array_index (row->clock_sites, i), g_free);
    }

  tandem_snapshot_append_row (out, row_id, row->hlc, row->site, row->columns,
                              (const char * const *) row->values->pdata, row->n_columns,
                              (const gint64 *) (gpointer) row->clock_hlcs->data,
                              (const char * const *) row->clock_sites->pdata);
  *length = out->len;
  return g_string_free (out, FALSE);
}

static int
server_row_column (ServerRow  *row,
                   const char *name)
{
  for (guint i = 0; i < row->n_columns; i++)
    if (g_str_equal (row->columns[i], name))
      return (int) i;

  return -1;
}

typedef struct
{
  TandemServerStore    *self;
  const char           *device;
  TandemSnapshotParser *parser;
  GString              *text;
  sqlite3_stmt         *get_row;
  sqlite3_stmt         *put_row;
  sqlite3_stmt         *put_conflict;
  sqlite3_stmt         *put_change;
  gint64                now;
} PushContext;

static void
push_context_clear (PushContext *ctx)
{
  g_clear_pointer (&ctx->parser, tandem_snapshot_parser_free);
  if (ctx->text != NULL)
    g_string_free (g_steal_pointer (&ctx->text), TRUE);
  g_clear_pointer (&ctx->get_row, sqlite3_finalize);
  g_clear_pointer (&ctx->put_row, sqlite3_finalize);
  g_clear_pointer (&ctx->put_conflict, sqlite3_finalize);
  g_clear_pointer (&ctx->put_change, sqlite3_finalize);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PushContext, push_context_clear)

static gboolean
step_done (PushContext   *ctx,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (ctx->self, error);

  return TRUE;
}

/* The row of @change as stored, or a new one with every column unwritten. */
static gboolean
load_row (PushContext         *ctx,
          const TandemChange  *change,
          ServerRow           *row,
          GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  const char * const *columns;
  guint n_columns;
  int rc;

  server_row_init (row, tandem_schema_lookup (change->table));

  sqlite3_bind_text (ctx->get_row, 1, change->table, -1, SQLITE_STATIC);
  sqlite3_bind_text (ctx->get_row, 2, change->row_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (ctx->get_row);
  if (rc == SQLITE_DONE)
    {
      sqlite3_reset (ctx->get_row);
      return TRUE;
    }
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (ctx->get_row);
      return set_sqlite_error (ctx->self, error);
    }

  columns = tandem_snapshot_columns (row->spec, &n_columns);
  if (!server_row_read_line (row, ctx->parser, columns, n_columns,
                             (const char *) sqlite3_column_text (ctx->get_row, 0),
                             sqlite3_column_bytes (ctx->get_row, 0), &local_error))
    {
      sqlite3_reset (ctx->get_row);
      g_set_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_STORAGE,
                   _("The stored row %s of %s is damaged: %s"), change->row_id, change->table,
                   local_error->message);
      return FALSE;
    }
  sqlite3_reset (ctx->get_row);

  return TRUE;
}

static gboolean
store_row (PushContext         *ctx,
           const TandemChange  *change,
           ServerRow           *row,
           GError             **error)
{
  g_autofree char *line = NULL;
  gsize length;

  line = server_row_to_line (row, change->row_id, &length);
  sqlite3_bind_text (ctx->put_row, 1, change->table, -1, SQLITE_STATIC);
  sqlite3_bind_text (ctx->put_row, 2, change->row_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (ctx->put_row, 3, line, (int) length, SQLITE_STATIC);

  return step_done (ctx, ctx->put_row, error);
}

static gboolean
record_conflict (PushContext         *ctx,
                 const TandemChange  *change,
                 const char          *field,
                 const char          *kept_value,
                 gint64               kept_hlc,
                 const char          *kept_site,
                 const char          *other_value,
                 gint64               other_hlc,
                 const char          *other_site,
                 GError             **error)
{
  sqlite3_stmt *stmt = ctx->put_conflict;

  sqlite3_bind_text (stmt, 1, change->table, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, change->row_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, kept_value, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, kept_hlc);
  sqlite3_bind_text (stmt, 6, kept_site, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, other_value, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 8, other_hlc);
  sqlite3_bind_text (stmt, 9, other_site, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 10, ctx->device, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 11, ctx->now);

  return step_done (ctx, stmt, error);
}

typedef enum
{
  MERGE_WON,          /* the change's value is now the state */
  MERGE_SAME,         /* the very same (hlc, site) was already there */
  MERGE_LOST,         /* a newer value was already there */
} MergeResult;

/* Merges one column of @row with @value (canonical JSON) from @change
 * with the rule of doc/sync-protocol.md, and records a conflict when the
 * change met a value its editor did not see. */
static gboolean
merge_field (PushContext         *ctx,
             const TandemChange  *change,
             ServerRow           *row,
             guint                column,
             const char          *value,
             MergeResult         *result,
             gboolean            *conflict,
             GError             **error)
{
  const char *field = row->columns[column];
  const char *current = g_ptr_array_index (row->values, column);
  gint64 current_hlc;
  const char *current_site;
  gboolean found;

  *conflict = FALSE;

  server_row_clock (row, column, &current_hlc, &current_site);

  /* An unwritten column holds no value anyone saw. */
  found = current_hlc != 0 || *current_site != '\0';

  if (found && current_hlc == change->hlc && g_str_equal (current_site, change->site))
    {
      *result = MERGE_SAME;
      return TRUE;
    }

  if (found)
    *conflict = change->base_hlc != current_hlc &&
                g_strcmp0 (current, value) != 0 &&
                !g_str_equal (current_site, change->site);

  if (found && !tandem_sync_stamp_wins (change->hlc, change->site, current_hlc, current_site))
    {
      *result = MERGE_LOST;
      if (*conflict)
        return record_conflict (ctx, change, field,
                                current, current_hlc, current_site,
                                value, change->hlc, change->site, error);
      return TRUE;
    }

  *result = MERGE_WON;

  if (*conflict &&
      !record_conflict (ctx, change, field,
                        value, change->hlc, change->site,
                        current, current_hlc, current_site, error))
    return FALSE;

  g_free (g_ptr_array_index (row->values, column));
  g_ptr_array_index (row->values, column) = g_strdup (value);
  server_row_set_clock (row, column, change->hlc, change->site);
  row->dirty = TRUE;

  return TRUE;
}

static gboolean
log_change (PushContext         *ctx,
            const TandemChange  *change,
            const char          *value,
            GError             **error)
{
  sqlite3_stmt *stmt = ctx->put_change;

  sqlite3_bind_text (stmt, 1, change->table, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, change->row_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, change->field, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, value, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, change->hlc);
  sqlite3_bind_text (stmt, 6, change->site, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, change->base_hlc);
  sqlite3_bind_text (stmt, 8, ctx->device, -1, SQLITE_STATIC);

  return step_done (ctx, stmt, error);
}

/* Applies one validated change. */
static gboolean
apply_change (PushContext         *ctx,
              const TandemChange  *change,
              TandemPushOutcome   *outcome,
              GError             **error)
{
  g_auto(ServerRow) row = { 0, };
  const TandemSyncValue *values;
  const char * const *names;
  g_autoptr(GPtrArray) canonical = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) name_copy = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *logged = NULL;
  gboolean whole = g_str_equal (change->field, "*");
  gboolean any_won = FALSE;
  gboolean any_same = FALSE;
  gboolean any_conflict = FALSE;
  guint n_values;

  /* Validated before the transaction; scanned again for the values. */
  if (!tandem_snapshot_parser_scan_value (ctx->parser, change->value_json,
                                          strlen (change->value_json), whole, &names, &values,
                                          &n_values, error))
    return FALSE;

  /* Every value in the one spelling the state keeps, so that comparing
   * two values is comparing two strings. */
  g_string_truncate (ctx->text, 0);
  if (whole)
    g_string_append_c (ctx->text, '{');
  for (guint i = 0; i < n_values; i++)
    {
      GString *value = g_string_new (NULL);

      tandem_snapshot_append_value (value, &values[i]);
      if (whole)
        {
          if (i > 0)
            g_string_append_c (ctx->text, ',');
          tandem_protocol_append_string (ctx->text, names[i]);
          g_string_append_c (ctx->text, ':');
        }
      g_string_append_len (ctx->text, value->str, value->len);
      g_ptr_array_add (canonical, g_string_free (value, FALSE));
    }
  if (whole)
    g_string_append_c (ctx->text, '}');
  logged = g_strdup (ctx->text->str);
  /* The member names point into the parser, which reading the row
   * reuses. */
  for (guint i = 0; whole && i < n_values; i++)
    g_ptr_array_add (name_copy, g_strdup (names[i]));
  names = (const char * const *) name_copy->pdata;

  if (!load_row (ctx, change, &row, error))
    return FALSE;

  if (whole)
    {
      /* Rows of insert-only tables never change once created, so a second
       * "*" for one is the same row delivered again. */
      if (row.exists && row.spec->insert_only)
        {
          *outcome = TANDEM_PUSH_APPLIED;
          return TRUE;
        }

      if (!row.exists)
        {
          /* A new row: its clock stands for every column, and columns the
           * change leaves out keep their defaults under it. */
          row.hlc = change->hlc;
          g_free (row.site);
          row.site = g_strdup (change->site);
          for (guint i = 0; i < n_values; i++)
            {
              int column = server_row_column (&row, names[i]);

              g_free (g_ptr_array_index (row.values, column));
              g_ptr_array_index (row.values, column) = g_strdup (g_ptr_array_index (canonical, i));
            }
          row.dirty = TRUE;
          any_won = TRUE;
        }
      else
        {
          /* A row known so far only from changes to some fields is now
           * created: its clock becomes the row's, and the columns still
           * unwritten say so on their own. */
          if (row.hlc == 0 && *row.site == '\0')
            {
              for (guint i = 0; i < row.n_columns; i++)
                if (g_ptr_array_index (row.clock_sites, i) == NULL)
                  server_row_set_clock (&row, i, 0, "");
              row.hlc = change->hlc;
              g_free (row.site);
              row.site = g_strdup (change->site);
              row.dirty = TRUE;
            }

          for (guint i = 0; i < n_values; i++)
            {
              MergeResult result;
              gboolean conflict;
              int column = server_row_column (&row, names[i]);

              if (!merge_field (ctx, change, &row, column, g_ptr_array_index (canonical, i),
                                &result, &conflict, error))
                return FALSE;

              any_won |= result == MERGE_WON;
              any_same |= result == MERGE_SAME;
              any_conflict |= conflict;
            }
        }
    }
  else
    {
      MergeResult result;
      int column = server_row_column (&row, change->field);

      if (!merge_field (ctx, change, &row, column, g_ptr_array_index (canonical, 0), &result,
                        &any_conflict, error))
        return FALSE;

      any_won = result == MERGE_WON;
      any_same = result == MERGE_SAME;
    }

  if (row.dirty && !store_row (ctx, change, &row, error))
    return FALSE;

  /* Only a value that won goes to the log: a loser would only be
   * overwritten again by every desktop that pulled it. */
  if (any_won && !log_change (ctx, change, logged, error))
    return FALSE;

  if (any_conflict)
    *outcome = TANDEM_PUSH_CONFLICT;
  else if (any_won || any_same)
    *outcome = TANDEM_PUSH_APPLIED;
  else
    *outcome = TANDEM_PUSH_SUPERSEDED;

  return TRUE;
}

static gboolean
find_batch (TandemServerStore  *self,
            const char         *batch_id,
            gboolean           *found,
            GArray            **outcomes,
            gint64             *cursor,
            GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const char *answer;
  int rc;

  *found = FALSE;

  stmt = prepare (self, "SELECT answer FROM batches WHERE batch_id = ?1", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, batch_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    return set_sqlite_error (self, error);

  answer = (const char *) sqlite3_column_text (stmt, 0);
  if (!tandem_push_answer_parse (answer, strlen (answer), NULL, cursor, outcomes, NULL, error))
    {
      g_prefix_error (error, _("The stored answer of batch %s is damaged: "), batch_id);
      return FALSE;
    }

  *found = TRUE;
  return TRUE;
}

gboolean
tandem_server_store_push (TandemServerStore  *self,
                          const char         *device,
                          const char         *batch_id,
                          int                 schema,
                          gint64              sent_at_ms,
                          gint64              server_now_ms,
                          GPtrArray          *changes,
                          GArray            **outcomes,
                          gint64             *cursor,
                          GError            **error)
{
  g_auto(PushContext) ctx = { 0, };
  g_autoptr(GArray) result = NULL;
  g_autoptr(sqlite3_stmt) put_batch = NULL;
  g_autofree char *answer = NULL;
  gboolean found;
  gint64 new_cursor;

  g_return_val_if_fail (TANDEM_IS_SERVER_STORE (self), FALSE);
  g_return_val_if_fail (batch_id != NULL, FALSE);
  g_return_val_if_fail (changes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (schema != TANDEM_SYNC_SCHEMA_VERSION)
    {
      g_set_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_UPGRADE_REQUIRED,
                   _("The client uses schema %d and the server schema %d: upgrade Tandem"),
                   schema, TANDEM_SYNC_SCHEMA_VERSION);
      return FALSE;
    }

  if (sent_at_ms - server_now_ms > TANDEM_PROTOCOL_MAX_CLOCK_SKEW_MS)
    {
      g_set_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_CLOCK_SKEW,
                   _("The client clock is %" G_GINT64_FORMAT " s ahead of the server's: "
                     "set the computer's clock"),
                   (sent_at_ms - server_now_ms) / 1000);
      return FALSE;
    }

  if (batch_id[0] == '\0')
    {
      g_set_error_literal (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_INVALID,
                           _("The batch has no id"));
      return FALSE;
    }

  if (changes->len > TANDEM_PROTOCOL_MAX_CHANGES)
    {
      g_set_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_INVALID,
                   _("The batch has %u changes, over the limit of %d"),
                   changes->len, TANDEM_PROTOCOL_MAX_CHANGES);
      return FALSE;
    }

  ctx.self = self;
  ctx.device = device;
  ctx.parser = tandem_snapshot_parser_new ();
  ctx.text = g_string_new (NULL);

  /* Everything is validated before anything is written, so that one bad
   * change rejects the batch with the database untouched. */
  for (guint i = 0; i < changes->len; i++)
    {
      const TandemChange *change = g_ptr_array_index (changes, i);
      g_autoptr(GError) local_error = NULL;

      if (change == NULL || change->value_json == NULL)
        {
          g_set_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_INVALID,
                       _("change %u: the change has no value"), i);
          return FALSE;
        }

      if (!tandem_protocol_validate_change_with (ctx.parser, change, &local_error))
        {
          g_set_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_INVALID,
                       _("change %u: %s"), i, local_error->message);
          return FALSE;
        }
    }

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  /* Looked up inside the transaction: two retries of one batch arriving
   * together must not both apply it. */
  if (!find_batch (self, batch_id, &found, outcomes, cursor, error))
    goto rollback;

  if (found)
    {
      exec (self, "ROLLBACK", NULL);
      return TRUE;
    }

  ctx.now = now_ms ();
  if (!(ctx.get_row = prepare (self, "SELECT line FROM rows WHERE tbl = ?1 AND row_id = ?2",
                               error)) ||
      !(ctx.put_row = prepare (self, "INSERT OR REPLACE INTO rows (tbl, row_id, line) "
                                     "VALUES (?1, ?2, ?3)", error)) ||
      !(ctx.put_conflict = prepare (self,
                                    "INSERT OR IGNORE INTO conflicts (tbl, row_id, field, "
                                    "kept_value, kept_hlc, kept_site, other_value, other_hlc, "
                                    "other_site, device, detected_at) "
                                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                                    error)) ||
      !(ctx.put_change = prepare (self,
                                  "INSERT INTO changes (tbl, row_id, field, value, hlc, site, "
                                  "base_hlc, device) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                  error)))
    goto rollback;

  result = g_array_sized_new (FALSE, FALSE, sizeof (int), changes->len);
  for (guint i = 0; i < changes->len; i++)
    {
      TandemPushOutcome outcome;
      int value;

      if (!apply_change (&ctx, g_ptr_array_index (changes, i), &outcome, error))
        goto rollback;

      value = outcome;
      g_array_append_val (result, value);
    }

  new_cursor = tandem_server_store_get_cursor (self);
  answer = tandem_push_answer_build (batch_id, new_cursor, result, NULL, NULL);

  put_batch = prepare (self,
                       "INSERT INTO batches (batch_id, device, answer, received_at) "
                       "VALUES (?1, ?2, ?3, ?4)", error);
  if (put_batch == NULL)
    goto rollback;

  sqlite3_bind_text (put_batch, 1, batch_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (put_batch, 2, device, -1, SQLITE_STATIC);
  sqlite3_bind_text (put_batch, 3, answer, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (put_batch, 4, ctx.now);
  if (sqlite3_step (put_batch) != SQLITE_DONE)
    {
      set_sqlite_error (self, error);
      goto rollback;
    }

  /* Statements are finished before the commit, which they would hold up. */
  g_clear_pointer (&put_batch, sqlite3_finalize);
  push_context_clear (&ctx);
  if (!exec (self, "COMMIT", error))
    goto rollback;

  if (outcomes)
    *outcomes = g_steal_pointer (&result);
  if (cursor)
    *cursor = new_cursor;

  return TRUE;

rollback:
  push_context_clear (&ctx);
  g_clear_pointer (&put_batch, sqlite3_finalize);
  exec (self, "ROLLBACK", NULL);
  return FALSE;
}

gboolean
tandem_server_store_own_changes (TandemServerStore *self,
                                 const char        *site,
                                 gint64             since,
                                 gint64             cursor,
                                 gint64            *hlc)
{
  g_autoptr(sqlite3_stmt) other = NULL;
  g_autoptr(sqlite3_stmt) last = NULL;
  gboolean own = FALSE;

  g_return_val_if_fail (TANDEM_IS_SERVER_STORE (self), FALSE);
  g_return_val_if_fail (site != NULL, FALSE);

  if (since < 0 || since >= cursor)
    return FALSE;

  /* One read transaction, so that the horizon and the log agree: below
   * the horizon, changes of other sites may have been compacted away. */
  if (!exec (self, "BEGIN", NULL))
    return FALSE;

  if (since >= tandem_server_store_get_horizon (self) &&
      cursor <= tandem_server_store_get_cursor (self) &&
      (other = prepare (self, "SELECT 1 FROM changes WHERE seq > ?1 AND seq <= ?2 "
                              "AND site != ?3 LIMIT 1", NULL)) != NULL &&
      (last = prepare (self, "SELECT hlc FROM changes WHERE seq = ?1 AND site = ?2", NULL)) != NULL)
    {
      sqlite3_bind_int64 (other, 1, since);
      sqlite3_bind_int64 (other, 2, cursor);
      sqlite3_bind_text (other, 3, site, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (last, 1, cursor);
      sqlite3_bind_text (last, 2, site, -1, SQLITE_STATIC);

      if (sqlite3_step (other) == SQLITE_DONE && sqlite3_step (last) == SQLITE_ROW)
        {
          if (hlc != NULL)
            *hlc = sqlite3_column_int64 (last, 0);
          own = TRUE;
        }
    }

  g_clear_pointer (&other, sqlite3_finalize);
  g_clear_pointer (&last, sqlite3_finalize);
  exec (self, "COMMIT", NULL);

  return own;
}

/* The layout of the stored rows: each table's columns, in order. A
 * build whose schema lists other columns lays the rows out again when it
 * opens the file. */
static char *
current_layout (void)
{
  const TandemTableSpec **tables;
  guint n_tables;
  GString *out = g_string_new (NULL);

  tables = tandem_schema_tables (&n_tables);
  for (guint t = 0; t < n_tables; t++)
    {
      const char * const *columns = tandem_snapshot_columns (tables[t], NULL);
      g_autofree char *joined = g_strjoinv (",", (char **) columns);

      g_string_append_printf (out, "%s%s:%s", t > 0 ? ";" : "", tables[t]->name, joined);
    }

  return g_string_free (out, FALSE);
}

static char *
get_meta (TandemServerStore *self,
          const char        *key)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT value FROM meta WHERE key = ?1", NULL);

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW || sqlite3_column_type (stmt, 0) == SQLITE_NULL)
    return NULL;

  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static gboolean
set_meta (TandemServerStore  *self,
          const char         *key,
          const char         *value,
          GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "INSERT OR REPLACE INTO meta (key, value) "
                                                "VALUES (?1, ?2)", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_sqlite_error (self, error);

  return TRUE;
}

static gboolean
put_row_line (TandemServerStore  *self,
              sqlite3_stmt       *put,
              const char         *table,
              const char         *row_id,
              ServerRow          *row,
              GError            **error)
{
  g_autofree char *line = NULL;
  gsize length;
  int rc;

  line = server_row_to_line (row, row_id, &length);
  sqlite3_bind_text (put, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text (put, 2, row_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (put, 3, line, (int) length, SQLITE_STATIC);
  rc = sqlite3_step (put);
  sqlite3_reset (put);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, error);

  return TRUE;
}

/* Lays out again the rows written under @stored (a layout string of
 * another build): columns are matched by name, and a column new to this
 * build starts unwritten. */
static gboolean
relayout (TandemServerStore  *self,
          const char         *stored,
          GError            **error)
{
  g_auto(GStrv) tables = g_strsplit (stored, ";", -1);
  g_autoptr(TandemSnapshotParser) parser = tandem_snapshot_parser_new ();
  g_autoptr(sqlite3_stmt) get = NULL;
  g_autoptr(sqlite3_stmt) put = NULL;

  if (!(get = prepare (self, "SELECT row_id, line FROM rows WHERE tbl = ?1", error)) ||
      !(put = prepare (self, "INSERT OR REPLACE INTO rows (tbl, row_id, line) VALUES (?1, ?2, ?3)",
                       error)))
    return FALSE;

  for (guint t = 0; tables[t] != NULL; t++)
    {
      const char *colon = strchr (tables[t], ':');
      g_autofree char *table = NULL;
      g_auto(GStrv) columns = NULL;
      const TandemTableSpec *spec;
      g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
      int rc;

      if (colon == NULL)
        continue;

      table = g_strndup (tables[t], colon - tables[t]);
      columns = g_strsplit (colon + 1, ",", -1);
      spec = tandem_schema_lookup (table);
      if (spec == NULL)
        continue;

      sqlite3_bind_text (get, 1, table, -1, SQLITE_STATIC);
      while ((rc = sqlite3_step (get)) == SQLITE_ROW)
        {
          g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (get, 0)));
          g_ptr_array_add (lines, g_strdup ((const char *) sqlite3_column_text (get, 1)));
        }
      sqlite3_reset (get);
      if (rc != SQLITE_DONE)
        return set_sqlite_error (self, error);

      for (guint i = 0; i < ids->len; i++)
        {
          g_auto(ServerRow) row = { 0, };
          const char *line = g_ptr_array_index (lines, i);

          server_row_init (&row, spec);
          if (!server_row_read_line (&row, parser, (const char * const *) columns,
                                     g_strv_length (columns), line, strlen (line), error) ||
              !put_row_line (self, put, table, g_ptr_array_index (ids, i), &row, error))
            return FALSE;
        }
    }

  return TRUE;
}

/* Moves a state kept one row per field (the layout before rows) into
 * rows. The oldest clock of a row stands for its creation. */
static gboolean
convert_field_state (TandemServerStore  *self,
                     GError            **error)
{
  g_autoptr(TandemSnapshotParser) parser = tandem_snapshot_parser_new ();
  g_autoptr(sqlite3_stmt) get = NULL;
  g_autoptr(sqlite3_stmt) put = NULL;
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (tandem_sync_change_release);
  g_autoptr(GString) value = g_string_new (NULL);
  int rc;

  if (!(get = prepare (self, "SELECT tbl, row_id, field, value, hlc, site FROM state "
                             "ORDER BY tbl, row_id", error)) ||
      !(put = prepare (self, "INSERT OR REPLACE INTO rows (tbl, row_id, line) VALUES (?1, ?2, ?3)",
                       error)))
    return FALSE;

  do
    {
      TandemChange *first = fields->len > 0 ? g_ptr_array_index (fields, 0) : NULL;
      TandemChange *next = NULL;

      rc = sqlite3_step (get);
      if (rc == SQLITE_ROW)
        {
          next = tandem_sync_change_alloc ();
          next->table = g_strdup ((const char *) sqlite3_column_text (get, 0));
          next->row_id = g_strdup ((const char *) sqlite3_column_text (get, 1));
          next->field = g_strdup ((const char *) sqlite3_column_text (get, 2));
          next->value_json = g_strdup ((const char *) sqlite3_column_text (get, 3));
          next->hlc = sqlite3_column_int64 (get, 4);
          next->site = g_strdup ((const char *) sqlite3_column_text (get, 5));
        }
      else if (rc != SQLITE_DONE)
        return set_sqlite_error (self, error);

      /* A row is complete when the next field belongs to another. */
      if (first != NULL && (next == NULL || !g_str_equal (first->table, next->table) ||
                            !g_str_equal (first->row_id, next->row_id)))
        {
          const TandemTableSpec *spec = tandem_schema_lookup (first->table);
          const TandemChange *oldest = NULL;
          g_auto(ServerRow) row = { 0, };

          if (spec != NULL)
            {
              server_row_init (&row, spec);
              for (guint i = 0; i < row.n_columns; i++)
                server_row_set_clock (&row, i, 0, "");

              for (guint i = 0; i < fields->len; i++)
                {
                  const TandemChange *field = g_ptr_array_index (fields, i);
                  int column = server_row_column (&row, field->field);
                  const TandemSyncValue *values;
                  guint n_values;

                  if (column < 0 ||
                      !tandem_snapshot_parser_scan_value (parser, field->value_json,
                                                          strlen (field->value_json), FALSE,
                                                          NULL, &values, &n_values, error))
                    {
                      if (column < 0)
                        continue;
                      g_prefix_error (error, _("The stored field %s of row %s of %s is damaged: "),
                                      field->field, field->row_id, field->table);
                      return FALSE;
                    }

                  g_string_truncate (value, 0);
                  tandem_snapshot_append_value (value, &values[0]);
                  g_free (g_ptr_array_index (row.values, column));
                  g_ptr_array_index (row.values, column) = g_strdup (value->str);
                  server_row_set_clock (&row, column, field->hlc, field->site);

                  if (oldest == NULL || tandem_sync_stamp_wins (oldest->hlc, oldest->site,
                                                                field->hlc, field->site))
                    oldest = field;
                }

              if (oldest != NULL)
                {
                  row.hlc = oldest->hlc;
                  g_free (row.site);
                  row.site = g_strdup (oldest->site);
                }

              if (!put_row_line (self, put, first->table, first->row_id, &row, error))
                return FALSE;
            }

          g_ptr_array_set_size (fields, 0);
        }

      if (next != NULL)
        g_ptr_array_add (fields, next);
    }
  while (rc == SQLITE_ROW);

  g_clear_pointer (&get, sqlite3_finalize);
  g_clear_pointer (&put, sqlite3_finalize);

  return exec (self, "DROP TABLE state", error);
}

static gboolean
table_exists (TandemServerStore *self,
              const char        *name)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                                "AND name = ?1", NULL);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

static gboolean
upgrade_storage (TandemServerStore  *self,
                 GError            **error)
{
  g_autofree char *layout = current_layout ();
  g_autofree char *stored = NULL;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  stored = get_meta (self, "row_layout");
  if (g_strcmp0 (stored, layout) == 0 && !table_exists (self, "state"))
    {
      exec (self, "ROLLBACK", NULL);
      return TRUE;
    }

  if ((table_exists (self, "state") && !convert_field_state (self, error)) ||
      (stored != NULL && !g_str_equal (stored, layout) && !relayout (self, stored, error)) ||
      !set_meta (self, "row_layout", layout, error) ||
      !exec (self, "COMMIT", error))
    {
      exec (self, "ROLLBACK", NULL);
      return FALSE;
    }

  return TRUE;
}

static TandemChange *
change_from_row (sqlite3_stmt *stmt,
                 int           first)
{
  TandemChange *change = tandem_sync_change_alloc ();

  change->table = g_strdup ((const char *) sqlite3_column_text (stmt, first));
  change->row_id = g_strdup ((const char *) sqlite3_column_text (stmt, first + 1));
  change->field = g_strdup ((const char *) sqlite3_column_text (stmt, first + 2));
  change->value_json = g_strdup ((const char *) sqlite3_column_text (stmt, first + 3));
  change->hlc = sqlite3_column_int64 (stmt, first + 4);
  change->site = g_strdup ((const char *) sqlite3_column_text (stmt, first + 5));

  return change;
}

GPtrArray *
tandem_server_store_pull (TandemServerStore  *self,
                          gint64              since,
                          guint               limit,
                          gint64             *cursor,
                          gboolean           *more,
                          GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  gint64 newest;
  gint64 horizon;
  gint64 last = since;
  gboolean has_more = FALSE;
  int rc;

  g_return_val_if_fail (TANDEM_IS_SERVER_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (limit == 0 || limit > TANDEM_PROTOCOL_MAX_PULL_LIMIT)
    limit = limit == 0 ? TANDEM_PROTOCOL_DEFAULT_PULL_LIMIT : TANDEM_PROTOCOL_MAX_PULL_LIMIT;

  /* One read transaction, so that the page, the horizon and the newest
   * sequence agree with each other. */
  if (!exec (self, "BEGIN", error))
    return NULL;

  newest = tandem_server_store_get_cursor (self);
  horizon = tandem_server_store_get_horizon (self);

  if (since < horizon || since > newest || since < 0)
    {
      exec (self, "COMMIT", NULL);
      g_set_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_CURSOR_EXPIRED,
                   since > newest
                     ? _("The cursor %" G_GINT64_FORMAT " is ahead of the server (newest %"
                         G_GINT64_FORMAT "): the server was restored; take a snapshot")
                     : _("The cursor %" G_GINT64_FORMAT " is older than the server keeps (%"
                         G_GINT64_FORMAT "): take a snapshot"),
                   since, since > newest ? newest : horizon);
      if (cursor)
        *cursor = newest;
      return NULL;
    }

  stmt = prepare (self,
                  "SELECT seq, base_hlc, tbl, row_id, field, value, hlc, site FROM changes "
                  "WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                  error);
  if (stmt == NULL)
    {
      exec (self, "COMMIT", NULL);
      return NULL;
    }

  sqlite3_bind_int64 (stmt, 1, since);
  sqlite3_bind_int64 (stmt, 2, (gint64) limit + 1);

  changes = g_ptr_array_new_with_free_func (tandem_sync_change_release);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TandemChange *change;

      if (changes->len == limit)
        {
          has_more = TRUE;
          break;
        }

      change = change_from_row (stmt, 2);
      change->seq = sqlite3_column_int64 (stmt, 0);
      change->base_hlc = sqlite3_column_int64 (stmt, 1);
      last = change->seq;
      g_ptr_array_add (changes, change);
    }

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error);
      exec (self, "COMMIT", NULL);
      return NULL;
    }

  g_clear_pointer (&stmt, sqlite3_finalize);
  exec (self, "COMMIT", NULL);

  /* A page that reaches the end moves the cursor to the newest sequence,
   * past changes later compacted away or never logged. */
  if (cursor)
    *cursor = has_more ? last : newest;
  if (more)
    *more = has_more;

  return g_steal_pointer (&changes);
}

static int
compare_fields (gconstpointer a,
                gconstpointer b)
{
  const TandemChange *x = *(TandemChange * const *) a;
  const TandemChange *y = *(TandemChange * const *) b;

  return strcmp (x->field, y->field);
}

/* The columns of a stored row as changes, sorted by field, leaving out
 * those nobody wrote. */
static void
expand_row (ServerRow  *row,
            const char *table,
            const char *row_id,
            GPtrArray  *changes)
{
  guint first = changes->len;

  for (guint i = 0; i < row->n_columns; i++)
    {
      TandemChange *change;
      const char *site;
      gint64 hlc;

      server_row_clock (row, i, &hlc, &site);
      if (hlc == 0 && *site == '\0')
        continue;

      change = tandem_sync_change_alloc ();
      change->table = g_strdup (table);
      change->row_id = g_strdup (row_id);
      change->field = g_strdup (row->columns[i]);
      change->value_json = g_strdup (g_ptr_array_index (row->values, i));
      change->hlc = hlc;
      change->site = g_strdup (site);
      g_ptr_array_add (changes, change);
    }

  if (changes->len - first > 1)
    qsort (changes->pdata + first, changes->len - first, sizeof (gpointer), compare_fields);
}

GPtrArray *
tandem_server_store_snapshot (TandemServerStore  *self,
                              gint64             *cursor,
                              GError            **error)
{
  g_autoptr(TandemSnapshotParser) parser = tandem_snapshot_parser_new ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  gint64 newest;
  int rc;

  g_return_val_if_fail (TANDEM_IS_SERVER_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!exec (self, "BEGIN", error))
    return NULL;

  newest = tandem_server_store_get_cursor (self);
  stmt = prepare (self, "SELECT tbl, row_id, line FROM rows ORDER BY tbl, row_id", error);
  if (stmt == NULL)
    {
      exec (self, "COMMIT", NULL);
      return NULL;
    }

  changes = g_ptr_array_new_with_free_func (tandem_sync_change_release);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *table = (const char *) sqlite3_column_text (stmt, 0);
      const char *row_id = (const char *) sqlite3_column_text (stmt, 1);
      const TandemTableSpec *spec = tandem_schema_lookup (table);
      g_auto(ServerRow) row = { 0, };
      const char * const *columns;
      guint n_columns;

      if (spec == NULL)
        continue;

      server_row_init (&row, spec);
      columns = tandem_snapshot_columns (spec, &n_columns);
      if (!server_row_read_line (&row, parser, columns, n_columns,
                                 (const char *) sqlite3_column_text (stmt, 2),
                                 sqlite3_column_bytes (stmt, 2), error))
        {
          g_prefix_error (error, _("The stored row %s of %s is damaged: "), row_id, table);
          g_clear_pointer (&stmt, sqlite3_finalize);
          exec (self, "COMMIT", NULL);
          return NULL;
        }

      expand_row (&row, table, row_id, changes);
    }

  g_clear_pointer (&stmt, sqlite3_finalize);
  exec (self, "COMMIT", NULL);

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error);
      return NULL;
    }

  if (cursor)
    *cursor = newest;

  return g_steal_pointer (&changes);
}

gboolean
tandem_server_store_compact (TandemServerStore  *self,
                             gint64              seq,
                             GError            **error)
{
  g_autoptr(sqlite3_stmt) del = NULL;
  g_autoptr(sqlite3_stmt) meta = NULL;
  gint64 horizon;

  g_return_val_if_fail (TANDEM_IS_SERVER_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  /* The horizon only moves forward and never past the newest change. */
  horizon = MAX (tandem_server_store_get_horizon (self),
                 MIN (seq, tandem_server_store_get_cursor (self)));

  if (!(del = prepare (self, "DELETE FROM changes WHERE seq <= ?1", error)) ||
      !(meta = prepare (self,
                        "INSERT OR REPLACE INTO meta (key, value) VALUES ('horizon', ?1)",
                        error)))
    goto rollback;

  sqlite3_bind_int64 (del, 1, horizon);
  sqlite3_bind_int64 (meta, 1, horizon);
  if (sqlite3_step (del) != SQLITE_DONE || sqlite3_step (meta) != SQLITE_DONE)
    {
      set_sqlite_error (self, error);
      goto rollback;
    }

  g_clear_pointer (&del, sqlite3_finalize);
  g_clear_pointer (&meta, sqlite3_finalize);
  if (!exec (self, "COMMIT", error))
    goto rollback;

  return TRUE;

rollback:
  g_clear_pointer (&del, sqlite3_finalize);
  g_clear_pointer (&meta, sqlite3_finalize);
  exec (self, "ROLLBACK", NULL);
  return FALSE;
}

GPtrArray *
tandem_server_store_list_conflicts (TandemServerStore  *self,
                                    GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  int rc;

  g_return_val_if_fail (TANDEM_IS_SERVER_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = prepare (self,
                  "SELECT id, tbl, row_id, field, kept_value, kept_hlc, kept_site, other_value, "
                  "other_hlc, other_site, detected_at FROM conflicts ORDER BY id",
                  error);
  if (stmt == NULL)
    return NULL;

  conflicts = g_ptr_array_new_with_free_func ((GDestroyNotify) tandem_server_conflict_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TandemConflict *conflict = g_new0 (TandemConflict, 1);

      conflict->id = sqlite3_column_int64 (stmt, 0);
      conflict->table = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      conflict->row_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      conflict->field = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      conflict->kept_value_json = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      conflict->kept_hlc = sqlite3_column_int64 (stmt, 5);
      conflict->kept_site = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
      conflict->other_value_json = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
      conflict->other_hlc = sqlite3_column_int64 (stmt, 8);
      conflict->other_site = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
      conflict->detected_at = sqlite3_column_int64 (stmt, 10);
      g_ptr_array_add (conflicts, conflict);
    }

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error);
      return NULL;
    }

  return g_steal_pointer (&conflicts);
}

void
tandem_server_conflict_free (TandemConflict *conflict)
{
  tandem_conflict_free (conflict);
}
