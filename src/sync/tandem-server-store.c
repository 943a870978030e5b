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
  "CREATE TABLE IF NOT EXISTS state ("
  "  tbl TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT,"
  "  hlc INTEGER NOT NULL, site TEXT NOT NULL,"
  "  PRIMARY KEY (tbl, row_id, field)) WITHOUT ROWID;"
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
  if (!exec (self, "PRAGMA journal_mode=WAL", error) ||
      !exec (self, "PRAGMA synchronous=FULL", error) ||
      !exec (self, "PRAGMA foreign_keys=ON", error) ||
      !exec (self, schema_sql, error))
    {
      g_prefix_error (error, _("Could not set up the sync database: "));
      return NULL;
    }

  return g_steal_pointer (&self);
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

typedef struct
{
  gboolean  found;
  char     *value;
  gint64    hlc;
  char     *site;
} FieldState;

static void
field_state_clear (FieldState *state)
{
  g_clear_pointer (&state->value, g_free);
  g_clear_pointer (&state->site, g_free);
  state->found = FALSE;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FieldState, field_state_clear)

typedef struct
{
  TandemServerStore *self;
  const char        *device;
  sqlite3_stmt      *get_state;
  sqlite3_stmt      *put_state;
  sqlite3_stmt      *put_conflict;
  sqlite3_stmt      *put_change;
  sqlite3_stmt      *row_exists;
  gint64             now;
} PushContext;

static void
push_context_clear (PushContext *ctx)
{
  g_clear_pointer (&ctx->get_state, sqlite3_finalize);
  g_clear_pointer (&ctx->put_state, sqlite3_finalize);
  g_clear_pointer (&ctx->put_conflict, sqlite3_finalize);
  g_clear_pointer (&ctx->put_change, sqlite3_finalize);
  g_clear_pointer (&ctx->row_exists, sqlite3_finalize);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PushContext, push_context_clear)

static gboolean
get_field_state (PushContext  *ctx,
                 const char   *table,
                 const char   *row_id,
                 const char   *field,
                 FieldState   *state,
                 GError      **error)
{
  int rc;

  sqlite3_reset (ctx->get_state);
  sqlite3_bind_text (ctx->get_state, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text (ctx->get_state, 2, row_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (ctx->get_state, 3, field, -1, SQLITE_STATIC);

  rc = sqlite3_step (ctx->get_state);
  if (rc == SQLITE_ROW)
    {
      state->found = TRUE;
      state->value = g_strdup ((const char *) sqlite3_column_text (ctx->get_state, 0));
      state->hlc = sqlite3_column_int64 (ctx->get_state, 1);
      state->site = g_strdup ((const char *) sqlite3_column_text (ctx->get_state, 2));
    }
  sqlite3_reset (ctx->get_state);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (ctx->self, error);

  return TRUE;
}

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

/* Merges one field of @change, carrying @value (canonical JSON), into the
 * state with the rule of doc/sync-protocol.md, and records a conflict when
 * the change met a value its editor did not see. */
static gboolean
merge_field (PushContext         *ctx,
             const TandemChange  *change,
             const char          *field,
             const char          *value,
             MergeResult         *result,
             gboolean            *conflict,
             GError             **error)
{
  g_auto(FieldState) state = { 0, };

  *conflict = FALSE;

  if (!get_field_state (ctx, change->table, change->row_id, field, &state, error))
    return FALSE;

  if (state.found && state.hlc == change->hlc && g_str_equal (state.site, change->site))
    {
      *result = MERGE_SAME;
      return TRUE;
    }

  if (state.found)
    *conflict = change->base_hlc != state.hlc &&
                g_strcmp0 (state.value, value) != 0 &&
                !g_str_equal (state.site, change->site);

  if (state.found && !tandem_sync_stamp_wins (change->hlc, change->site, state.hlc, state.site))
    {
      *result = MERGE_LOST;
      if (*conflict)
        return record_conflict (ctx, change, field,
                                state.value, state.hlc, state.site,
                                value, change->hlc, change->site, error);
      return TRUE;
    }

  *result = MERGE_WON;

  if (*conflict &&
      !record_conflict (ctx, change, field,
                        value, change->hlc, change->site,
                        state.value, state.hlc, state.site, error))
    return FALSE;

  sqlite3_bind_text (ctx->put_state, 1, change->table, -1, SQLITE_STATIC);
  sqlite3_bind_text (ctx->put_state, 2, change->row_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (ctx->put_state, 3, field, -1, SQLITE_STATIC);
  sqlite3_bind_text (ctx->put_state, 4, value, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (ctx->put_state, 5, change->hlc);
  sqlite3_bind_text (ctx->put_state, 6, change->site, -1, SQLITE_STATIC);

  return step_done (ctx, ctx->put_state, error);
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

static gboolean
row_exists (PushContext        *ctx,
            const TandemChange *change,
            gboolean           *exists,
            GError            **error)
{
  int rc;

  sqlite3_bind_text (ctx->row_exists, 1, change->table, -1, SQLITE_STATIC);
  sqlite3_bind_text (ctx->row_exists, 2, change->row_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (ctx->row_exists);
  sqlite3_reset (ctx->row_exists);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (ctx->self, error);

  *exists = rc == SQLITE_ROW;
  return TRUE;
}

/* Applies one validated change; @value is its value parsed. */
static gboolean
apply_change (PushContext         *ctx,
              const TandemChange  *change,
              JsonNode            *value,
              TandemPushOutcome   *outcome,
              GError             **error)
{
  const TandemTableSpec *spec = tandem_schema_lookup (change->table);
  g_autofree char *canonical = json_to_string (value, FALSE);
  gboolean any_won = FALSE;
  gboolean any_same = FALSE;
  gboolean any_conflict = FALSE;

  g_assert (spec != NULL);

  if (g_str_equal (change->field, "*"))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      /* Rows of insert-only tables never change once created, so a second
       * "*" for one is the same row delivered again. */
      if (spec->insert_only)
        {
          gboolean exists;

          if (!row_exists (ctx, change, &exists, error))
            return FALSE;

          if (exists)
            {
              *outcome = TANDEM_PUSH_APPLIED;
              return TRUE;
            }
        }

      json_object_iter_init (&iter, json_node_get_object (value));
      while (json_object_iter_next (&iter, &name, &member))
        {
          g_autofree char *field_value = json_to_string (member, FALSE);
          MergeResult result;
          gboolean conflict;

          if (!merge_field (ctx, change, name, field_value, &result, &conflict, error))
            return FALSE;

          any_won |= result == MERGE_WON;
          any_same |= result == MERGE_SAME;
          any_conflict |= conflict;
        }
    }
  else
    {
      MergeResult result;

      if (!merge_field (ctx, change, change->field, canonical, &result, &any_conflict, error))
        return FALSE;

      any_won = result == MERGE_WON;
      any_same = result == MERGE_SAME;
    }

  /* Only a value that won goes to the log: a loser would only be
   * overwritten again by every desktop that pulled it. */
  if (any_won && !log_change (ctx, change, canonical, error))
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
  if (!tandem_push_answer_parse (answer, strlen (answer), NULL, cursor, outcomes, error))
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
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GArray) result = NULL;
  g_autoptr(sqlite3_stmt) put_batch = NULL;
  g_autofree char *answer = NULL;
  gboolean found;
  gint64 new_cursor;

  g_return_val_if_fail (TANDEM_IS_SERVER_STORE (self), FALSE);
  g_return_val_if_fail (batch_id != NULL, FALSE);
  g_return_val_if_fail (changes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (schema != TANDEM_SCHEMA_VERSION)
    {
      g_set_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_UPGRADE_REQUIRED,
                   _("The client uses schema %d and the server schema %d: upgrade Tandem"),
                   schema, TANDEM_SCHEMA_VERSION);
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

  /* Everything is validated before anything is written, so that one bad
   * change rejects the batch with the database untouched. */
  values = g_ptr_array_new_full (changes->len, (GDestroyNotify) json_node_unref);
  for (guint i = 0; i < changes->len; i++)
    {
      const TandemChange *change = g_ptr_array_index (changes, i);
      g_autoptr(GError) local_error = NULL;
      JsonNode *value = NULL;

      if (change == NULL || change->value_json == NULL)
        {
          g_set_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_INVALID,
                       _("change %u: the change has no value"), i);
          return FALSE;
        }

      value = tandem_protocol_parse (change->value_json, strlen (change->value_json), &local_error);
      if (value == NULL || !tandem_protocol_validate_change (change, &local_error))
        {
          g_clear_pointer (&value, json_node_unref);
          g_set_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_INVALID,
                       _("change %u: %s"), i, local_error->message);
          return FALSE;
        }

      g_ptr_array_add (values, value);
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

  ctx.self = self;
  ctx.device = device;
  ctx.now = now_ms ();
  if (!(ctx.get_state = prepare (self,
                                 "SELECT value, hlc, site FROM state "
                                 "WHERE tbl = ?1 AND row_id = ?2 AND field = ?3", error)) ||
      !(ctx.put_state = prepare (self,
                                 "INSERT OR REPLACE INTO state (tbl, row_id, field, value, hlc, site) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error)) ||
      !(ctx.put_conflict = prepare (self,
                                    "INSERT OR IGNORE INTO conflicts (tbl, row_id, field, "
                                    "kept_value, kept_hlc, kept_site, other_value, other_hlc, "
                                    "other_site, device, detected_at) "
                                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                                    error)) ||
      !(ctx.put_change = prepare (self,
                                  "INSERT INTO changes (tbl, row_id, field, value, hlc, site, "
                                  "base_hlc, device) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                  error)) ||
      !(ctx.row_exists = prepare (self,
                                  "SELECT 1 FROM state WHERE tbl = ?1 AND row_id = ?2 LIMIT 1",
                                  error)))
    goto rollback;

  result = g_array_sized_new (FALSE, FALSE, sizeof (int), changes->len);
  for (guint i = 0; i < changes->len; i++)
    {
      TandemPushOutcome outcome;
      int value;

      if (!apply_change (&ctx, g_ptr_array_index (changes, i), g_ptr_array_index (values, i),
                         &outcome, error))
        goto rollback;

      value = outcome;
      g_array_append_val (result, value);
    }

  new_cursor = tandem_server_store_get_cursor (self);
  answer = tandem_push_answer_build (batch_id, new_cursor, result, NULL);

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

  if (!exec (self, "COMMIT", error))
    goto rollback;

  if (outcomes)
    *outcomes = g_steal_pointer (&result);
  if (cursor)
    *cursor = new_cursor;

  return TRUE;

rollback:
  exec (self, "ROLLBACK", NULL);
  return FALSE;
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

GPtrArray *
tandem_server_store_snapshot (TandemServerStore  *self,
                              gint64             *cursor,
                              GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  gint64 newest;
  int rc;

  g_return_val_if_fail (TANDEM_IS_SERVER_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!exec (self, "BEGIN", error))
    return NULL;

  newest = tandem_server_store_get_cursor (self);
  stmt = prepare (self,
                  "SELECT tbl, row_id, field, value, hlc, site FROM state "
                  "ORDER BY tbl, row_id, field",
                  error);
  if (stmt == NULL)
    {
      exec (self, "COMMIT", NULL);
      return NULL;
    }

  changes = g_ptr_array_new_with_free_func (tandem_sync_change_release);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (changes, change_from_row (stmt, 0));

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
