/* tandem-sync-state.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "tandem-hlc.h"
#include "tandem-lead.h"
#include "tandem-record-private.h"
#include "tandem-scoring.h"
#include "tandem-store-private.h"
#include "tandem-sync-state.h"

/* The desktop half of doc/sync-protocol.md. Values travel as JSON text and
 * are turned into column values by SQLite's own JSON functions, so that a
 * value is parsed the same way whether it is checked, compared or written,
 * and core needs no JSON library.
 *
 * Every field of every row has a clock, (hlc, site): the row in
 * field_clocks for that field when it was changed after the row was
 * created; otherwise the creation clock, which the row holds itself:
 * created_hlc, and created_site for a row another desktop created (NULL
 * for this desktop's own). So comparisons with later changes are exact
 * without one clock row per field. */

G_DEFINE_QUARK (tandem-sync-error-quark, tandem_sync_error)

/* More touched leads than this in one snapshot are rescored in one pass
 * over the whole table rather than one by one. */
#define MAX_LEADS_ONE_BY_ONE 500

/* Activities that count as a first touch when a sales member logs them
 * after the handoff, as tandem_pipeline_add_activity() counts them. */
#define TOUCH_KINDS "('call', 'email_sent', 'meeting_booked', 'meeting_held')"

TandemChange *
tandem_change_new (void)
{
  return g_new0 (TandemChange, 1);
}

TandemChange *
tandem_change_copy (const TandemChange *change)
{
  TandemChange *copy;

  g_return_val_if_fail (change != NULL, NULL);

  copy = g_new0 (TandemChange, 1);
  copy->seq = change->seq;
  copy->table = g_strdup (change->table);
  copy->row_id = g_strdup (change->row_id);
  copy->field = g_strdup (change->field);
  copy->value_json = g_strdup (change->value_json);
  copy->hlc = change->hlc;
  copy->site = g_strdup (change->site);
  copy->base_hlc = change->base_hlc;

  return copy;
}

void
tandem_change_free (TandemChange *change)
{
  if (change == NULL)
    return;

  g_free (change->table);
  g_free (change->row_id);
  g_free (change->field);
  g_free (change->value_json);
  g_free (change->site);
  g_free (change);
}

void
tandem_conflict_free (TandemConflict *conflict)
{
  if (conflict == NULL)
    return;

  g_free (conflict->table);
  g_free (conflict->row_id);
  g_free (conflict->field);
  g_free (conflict->kept_value_json);
  g_free (conflict->kept_site);
  g_free (conflict->other_value_json);
  g_free (conflict->other_site);
  g_free (conflict);
}

gboolean
tandem_sync_wins (gint64      hlc_a,
                  const char *site_a,
                  gint64      hlc_b,
                  const char *site_b)
{
  if (hlc_a != hlc_b)
    return hlc_a > hlc_b;

  return g_strcmp0 (site_a, site_b) > 0;
}

static gboolean
step_done (TandemStore   *store,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return tandem_store_set_sql_error (store, error);

  return TRUE;
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;

  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* The outbox. */

GPtrArray *
tandem_sync_read_outbox (TandemStore  *store,
                         guint         limit,
                         GError      **error)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) tandem_change_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Field values are stored as column values and leave as JSON; a whole
   * new row is stored as the JSON object it travels as. */
  stmt = tandem_store_prepare_cached (store,
                                      "SELECT seq, tbl, row_id, field,"
                                      " CASE WHEN field = '*' THEN value ELSE json_quote(value) END,"
                                      " hlc, site, base_hlc FROM change_log"
                                      " WHERE origin = 'local' AND pushed = 0 ORDER BY seq LIMIT ?",
                                      error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, limit > 0 ? (gint64) limit : -1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TandemChange *change = tandem_change_new ();

      change->seq = sqlite3_column_int64 (stmt, 0);
      change->table = column_dup (stmt, 1);
      change->row_id = column_dup (stmt, 2);
      change->field = column_dup (stmt, 3);
      change->value_json = column_dup (stmt, 4);
      if (change->value_json == NULL)
        change->value_json = g_strdup ("null");
      change->hlc = sqlite3_column_int64 (stmt, 5);
      change->site = column_dup (stmt, 6);
      change->base_hlc = sqlite3_column_int64 (stmt, 7);
      g_ptr_array_add (changes, change);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (store, error);
      return NULL;
    }

  return g_steal_pointer (&changes);
}

gint64
tandem_sync_count_outbox (TandemStore *store)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), -1);

  return tandem_store_query_int64 (store, "SELECT count(*) FROM change_log"
                                          " WHERE origin = 'local' AND pushed = 0");
}

gboolean
tandem_sync_mark_pushed (TandemStore  *store,
                         gint64        last_seq,
                         GError      **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = tandem_store_prepare_cached (store,
                                      "UPDATE change_log SET pushed = 1"
                                      " WHERE origin = 'local' AND pushed = 0 AND seq <= ?", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, last_seq);
  return step_done (store, stmt, error);
}

/* Client state in the meta table. */

char *
tandem_sync_get_meta (TandemStore *store,
                      const char  *key)
{
  sqlite3_stmt *stmt;
  char *value = NULL;

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  stmt = tandem_store_prepare_cached (store, "SELECT value FROM meta WHERE key = ?", NULL);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = column_dup (stmt, 0);
  sqlite3_reset (stmt);

  return value;
}

gboolean
tandem_sync_set_meta (TandemStore  *store,
                      const char   *key,
                      const char   *value,
                      GError      **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (value == NULL)
    stmt = tandem_store_prepare_cached (store, "DELETE FROM meta WHERE key = ?1", error);
  else
    stmt = tandem_store_prepare_cached (store,
                                        "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                                        error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (value != NULL)
    sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);

  return step_done (store, stmt, error);
}

gint64
tandem_sync_get_cursor (TandemStore *store)
{
  sqlite3_stmt *stmt;
  gint64 cursor = 0;

  g_return_val_if_fail (TANDEM_IS_STORE (store), 0);

  stmt = tandem_store_prepare_cached (store, "SELECT value FROM meta WHERE key = 'sync_cursor'",
                                      NULL);
  if (stmt == NULL)
    return 0;

  if (sqlite3_step (stmt) == SQLITE_ROW)
    cursor = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  return cursor;
}

/* A page only ever moves the cursor forward: applying an old page again
 * (a retried pull) must not make the next pull start over. A snapshot sets
 * it exactly, since it may come from a server restored from a backup. */
static gboolean
store_cursor (TandemStore  *store,
              gint64        cursor,
              gboolean      forward_only,
              GError      **error)
{
  sqlite3_stmt *stmt;

  if (forward_only)
    stmt = tandem_store_prepare_cached (store,
                                        "INSERT INTO meta (key, value) VALUES ('sync_cursor', ?1)"
                                        " ON CONFLICT (key) DO UPDATE"
                                        " SET value = max(CAST (value AS INTEGER), excluded.value)",
                                        error);
  else
    stmt = tandem_store_prepare_cached (store,
                                        "INSERT OR REPLACE INTO meta (key, value)"
                                        " VALUES ('sync_cursor', ?1)", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, cursor);
  return step_done (store, stmt, error);
}

gboolean
tandem_sync_skip_own_changes (TandemStore  *store,
                              gint64        from,
                              gint64        to,
                              gboolean     *moved,
                              GError      **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (moved != NULL)
    *moved = FALSE;

  /* A cursor that moved since the push was sent (a pull in between, or a
   * snapshot) stands elsewhere in the history: the skip says nothing
   * about the changes between it and @to. */
  if (to <= from || tandem_sync_get_cursor (store) != from)
    return TRUE;

  if (!store_cursor (store, to, TRUE, error))
    return FALSE;

  if (moved != NULL)
    *moved = TRUE;
  return TRUE;
}

/* Validation: a page is checked whole before anything is written. */

static gboolean
invalid (GError     **error,
         guint        index,
         const char  *format,
         ...) G_GNUC_PRINTF (3, 4);

static gboolean
invalid (GError     **error,
         guint        index,
         const char  *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, TANDEM_SYNC_ERROR, TANDEM_SYNC_ERROR_INVALID,
               _("The server sent a change this version of Tandem cannot apply (change %u: %s); "
                 "nothing was changed."), index, message);
  return FALSE;
}

/* Whether a JSON value of @json_type (as json_type() names it) whose SQL
 * value has @sql_type and, for integers, @number fits a field of @type.
 * The tombstone is a flag that cannot be empty. */
static gboolean
value_fits (TandemFieldType  type,
            gboolean         is_tombstone,
            const char      *json_type,
            int              sql_type,
            gint64           number)
{
  if (g_strcmp0 (json_type, "null") == 0)
    return !is_tombstone && type != TANDEM_FIELD_BOOL;

  switch (type)
    {
    case TANDEM_FIELD_TEXT:
    case TANDEM_FIELD_LIST:
    case TANDEM_FIELD_REF:
      return g_strcmp0 (json_type, "text") == 0;

    case TANDEM_FIELD_INT:
      return g_strcmp0 (json_type, "integer") == 0 && sql_type == SQLITE_INTEGER;

    case TANDEM_FIELD_BOOL:
      return g_strcmp0 (json_type, "integer") == 0 && sql_type == SQLITE_INTEGER &&
             (number == 0 || number == 1);

    default:
      return FALSE;
    }
}

/* The type of a field of @spec, or of the tombstone; FALSE when @field is
 * neither or is derived (computed on each desktop, never synced). */
static gboolean
lookup_field (const TandemTableSpec *spec,
              const char            *field,
              TandemFieldType       *type,
              gboolean              *is_tombstone,
              const char           **static_name)
{
  int index;

  if (g_str_equal (field, "deleted"))
    {
      *type = TANDEM_FIELD_BOOL;
      *is_tombstone = TRUE;
      *static_name = "deleted";
      return TRUE;
    }

  index = tandem_table_spec_field_index (spec, field);
  if (index < 0 || spec->fields[index].derived)
    return FALSE;

  *type = spec->fields[index].type;
  *is_tombstone = FALSE;
  *static_name = spec->fields[index].name;
  return TRUE;
}

static gboolean
validate_object (TandemStore            *store,
                 const TandemTableSpec  *spec,
                 const char             *json,
                 guint                   index,
                 GError                **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  sqlite3_stmt *stmt;
  gboolean is_object = FALSE;
  int rc;

  stmt = tandem_store_prepare_cached (store, "SELECT json_type(?1) = 'object' WHERE json_valid(?1)",
                                      error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, json, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    is_object = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);

  if (!is_object)
    return invalid (error, index, "a new row of “%s” is not a JSON object", spec->name);

  stmt = tandem_store_prepare_cached (store, "SELECT key, type, value FROM json_each(?1)", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, json, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *key = (const char *) sqlite3_column_text (stmt, 0);
      const char *json_type = (const char *) sqlite3_column_text (stmt, 1);
      const char *name = NULL;
      TandemFieldType type;
      gboolean is_tombstone;
      g_autofree char *key_copy = g_strdup (key);

      if (key == NULL || !lookup_field (spec, key, &type, &is_tombstone, &name))
        {
          sqlite3_reset (stmt);
          return invalid (error, index, "unknown field “%s” of “%s”", key_copy ? key_copy : "",
                          spec->name);
        }

      if (!g_hash_table_add (seen, (gpointer) name))
        {
          sqlite3_reset (stmt);
          return invalid (error, index, "field “%s” given twice", name);
        }

      if (!value_fits (type, is_tombstone, json_type, sqlite3_column_type (stmt, 2),
                       sqlite3_column_int64 (stmt, 2)))
        {
          sqlite3_reset (stmt);
          return invalid (error, index, "the value of “%s” has the wrong type", name);
        }
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return tandem_store_set_sql_error (store, error);

  return TRUE;
}

static gboolean
validate_change (TandemStore         *store,
                 const TandemChange  *change,
                 guint                index,
                 gboolean             is_snapshot,
                 GError             **error)
{
  const TandemTableSpec *spec;
  const char *name = NULL;
  TandemFieldType type;
  gboolean is_tombstone;
  sqlite3_stmt *stmt;
  g_autofree char *json_type = NULL;
  int sql_type = SQLITE_NULL;
  gint64 number = 0;

  if (change == NULL || change->table == NULL || change->row_id == NULL ||
      change->field == NULL || change->value_json == NULL)
    return invalid (error, index, "a part of the change is missing");

  if (*change->row_id == '\0' || change->site == NULL || *change->site == '\0')
    return invalid (error, index, "the change has no row or no site");

  if (change->hlc <= 0 || change->base_hlc < 0)
    return invalid (error, index, "the change has no valid clock");

  spec = tandem_schema_lookup (change->table);
  if (spec == NULL)
    return invalid (error, index, "unknown table “%s”", change->table);

  if (g_str_equal (change->field, "*"))
    return validate_object (store, spec, change->value_json, index, error);

  /* A snapshot spells every row field by field, insert-only ones too. */
  if (spec->insert_only && !is_snapshot)
    return invalid (error, index, "rows of “%s” cannot be changed", spec->name);

  if (!lookup_field (spec, change->field, &type, &is_tombstone, &name))
    return invalid (error, index, "unknown field “%s” of “%s”", change->field, spec->name);

  stmt = tandem_store_prepare_cached (store,
                                      "SELECT json_type(?1), json_extract(?1, '$')"
                                      " WHERE json_valid(?1)", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, change->value_json, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      json_type = column_dup (stmt, 0);
      sql_type = sqlite3_column_type (stmt, 1);
      number = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);

  if (json_type == NULL)
    return invalid (error, index, "the value of “%s” is not valid JSON", name);

  if (!value_fits (type, is_tombstone, json_type, sql_type, number))
    return invalid (error, index, "the value of “%s” has the wrong type", name);

  return TRUE;
}

static gboolean
validate_all (TandemStore  *store,
              GPtrArray    *changes,
              gboolean      is_snapshot,
              GError      **error)
{
  for (guint i = 0; i < changes->len; i++)
    if (!validate_change (store, g_ptr_array_index (changes, i), i, is_snapshot, error))
      return FALSE;

  return TRUE;
}

/* Merging. */

typedef enum
{
  OUTCOME_SAME,        /* this very change is here already */
  OUTCOME_APPLIED,
  OUTCOME_SUPERSEDED,
} Outcome;

typedef struct
{
  TandemStore          *store;
  const char           *local_site;
  TandemSyncApplyStats  stats;
  /* Lead ids whose derived fields must be computed again. */
  GHashTable           *touched_leads;
  /* A snapshot is state, not news: it writes neither the change log nor
   * conflicts (a local change that loses to it is still in the outbox and
   * the server records the conflict when it arrives there), except the
   * edits against deletes that this desktop can be sure of, which no
   * server records (note_edit_against_delete()). */
  gboolean              is_snapshot;
  /* The pulled page, in the server's order, and the change being applied:
   * this desktop's own changes later in the page reached the server after
   * it. NULL for a snapshot. */
  GPtrArray            *page;
  guint                 index;
} Merge;

static void
merge_clear (Merge *merge)
{
  g_clear_pointer (&merge->touched_leads, g_hash_table_unref);
}

/* Returns 1 when the row exists, setting @deleted, 0 when not, -1 on error. */
static int
row_state (Merge                  *merge,
           const TandemTableSpec  *spec,
           const char             *row_id,
           gboolean               *deleted,
           GError                **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT deleted FROM %s WHERE id = ?", spec->name);
  sqlite3_stmt *stmt = tandem_store_prepare_cached (merge->store, sql, error);
  int rc;

  if (stmt == NULL)
    return -1;

  sqlite3_bind_text (stmt, 1, row_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *deleted = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (merge->store, error);
      return -1;
    }

  return rc == SQLITE_ROW;
}

/* Binds the site that created a row as its created_site column keeps it:
 * NULL for this desktop, which creation_clock() reads back as its site. */
static void
bind_creator_site (Merge        *merge,
                   sqlite3_stmt *stmt,
                   int           parameter,
                   const char   *site)
{
  if (g_strcmp0 (site, merge->local_site) != 0)
    sqlite3_bind_text (stmt, parameter, site, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, parameter);
}

/* The clock of every field of the row that has none of its own: its
 * creator's. */
static gboolean
creation_clock (Merge                  *merge,
                const TandemTableSpec  *spec,
                const char             *row_id,
                gint64                 *hlc,
                char                  **site,
                GError                **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  int rc;

  sql = g_strdup_printf ("SELECT created_hlc, created_site FROM %s WHERE id = ?", spec->name);
  stmt = tandem_store_prepare_cached (merge->store, sql, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, row_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  *hlc = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  *site = rc == SQLITE_ROW && sqlite3_column_type (stmt, 1) != SQLITE_NULL
            ? column_dup (stmt, 1) : g_strdup (merge->local_site);
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return tandem_store_set_sql_error (merge->store, error);

  return TRUE;
}

/* The clock of the value of @field that this desktop holds. */
static gboolean
field_clock (Merge                  *merge,
             const TandemTableSpec  *spec,
             const char             *row_id,
             const char             *field,
             gint64                 *hlc,
             char                  **site,
             GError                **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = tandem_store_prepare_cached (merge->store,
                                      "SELECT hlc, site FROM field_clocks"
                                      " WHERE tbl = ?1 AND row_id = ?2 AND field = ?3", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, spec->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, row_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *hlc = sqlite3_column_int64 (stmt, 0);
      *site = column_dup (stmt, 1);
    }
  sqlite3_reset (stmt);

  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc != SQLITE_DONE)
    return tandem_store_set_sql_error (merge->store, error);

  /* No clock of its own: the field is as its creator made it. */
  return creation_clock (merge, spec, row_id, hlc, site, error);
}

static gboolean
write_clock (Merge                  *merge,
             const TandemTableSpec  *spec,
             const char             *row_id,
             const char             *field,
             gint64                  hlc,
             const char             *site,
             GError                **error)
{
  sqlite3_stmt *stmt;

  stmt = tandem_store_prepare_cached (merge->store,
                                      "INSERT OR REPLACE INTO field_clocks (tbl, row_id, field, hlc, site)"
                                      " VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, spec->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, row_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, hlc);
  sqlite3_bind_text (stmt, 5, site, -1, SQLITE_TRANSIENT);

  return step_done (merge->store, stmt, error);
}

/* Remote changes go to the change log as applied and already pushed, so
 * that the log tells what happened here and the outbox never sends them. */
static gboolean
log_remote (Merge                  *merge,
            const TandemTableSpec  *spec,
            const char             *row_id,
            const char             *field,
            const char             *value_json,
            gint64                  hlc,
            const char             *site,
            gint64                  base_hlc,
            GError                **error)
{
  sqlite3_stmt *stmt;

  if (merge->is_snapshot)
    return TRUE;

  stmt = tandem_store_prepare_cached (merge->store,
                                      "INSERT INTO change_log (tbl, row_id, field, value, hlc, site,"
                                      " base_hlc, member_id, origin, pushed) VALUES (?1, ?2, ?3,"
                                      " CASE WHEN ?3 = '*' THEN ?4 ELSE json_extract(?4, '$') END,"
                                      " ?5, ?6, ?7, NULL, 'remote', 1)", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, spec->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, row_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, value_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, hlc);
  sqlite3_bind_text (stmt, 6, site, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, base_hlc);

  return step_done (merge->store, stmt, error);
}

static gboolean
record_conflict (Merge                  *merge,
                 const TandemTableSpec  *spec,
                 const char             *row_id,
                 const char             *field,
                 const char             *kept_json,
                 gint64                  kept_hlc,
                 const char             *kept_site,
                 const char             *other_json,
                 gint64                  other_hlc,
                 const char             *other_site,
                 GError                **error)
{
  sqlite3_stmt *stmt;

  stmt = tandem_store_prepare_cached (merge->store,
                                      "INSERT INTO conflicts (tbl, row_id, field, kept_value, kept_hlc,"
                                      " kept_site, other_value, other_hlc, other_site, detected_at)"
                                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, spec->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, row_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, kept_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, kept_hlc);
  sqlite3_bind_text (stmt, 6, kept_site, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, other_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 8, other_hlc);
  sqlite3_bind_text (stmt, 9, other_site, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 10, now_ms ());

  return step_done (merge->store, stmt, error);
}

static void
touch_lead (Merge      *merge,
            const char *lead_id)
{
  if (lead_id != NULL)
    g_hash_table_add (merge->touched_leads, g_strdup (lead_id));
}

/* Activities change the derived fields of their lead. */
static gboolean
touch_rows (Merge                  *merge,
            const TandemTableSpec  *spec,
            const char             *row_id,
            GError                **error)
{
  sqlite3_stmt *stmt;

  if (g_str_equal (spec->name, "leads"))
    {
      touch_lead (merge, row_id);
      return TRUE;
    }

  if (!g_str_equal (spec->name, "activities"))
    return TRUE;

  stmt = tandem_store_prepare_cached (merge->store, "SELECT lead_id FROM activities WHERE id = ?",
                                      error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, row_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    touch_lead (merge, (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  return TRUE;
}

/* Merges one field with the rule of doc/sync-protocol.md. */
static gboolean
merge_field (Merge                  *merge,
             const TandemTableSpec  *spec,
             const char             *row_id,
             const char             *field,
             const char             *value_json,
             gint64                  hlc,
             const char             *site,
             gint64                  base_hlc,
             Outcome                *outcome,
             gboolean               *conflict,
             GError                **error)
{
  g_autofree char *sql = NULL;
  g_autofree char *current_site = NULL;
  g_autofree char *current_json = NULL;
  g_autofree char *remote_json = NULL;
  gint64 current_hlc = 0;
  gboolean was_deleted = FALSE;
  gboolean wins;
  gboolean differs;
  sqlite3_stmt *stmt;

  *conflict = FALSE;

  if (!field_clock (merge, spec, row_id, field, &current_hlc, &current_site, error))
    return FALSE;

  if (current_hlc == hlc && g_strcmp0 (current_site, site) == 0)
    {
      *outcome = OUTCOME_SAME;
      return TRUE;
    }

  /* Both values in the same JSON spelling, to compare and to keep. */
  sql = g_strdup_printf ("SELECT json_quote(%s), json_quote(json_extract(?2, '$')), deleted"
                         " FROM %s WHERE id = ?1", field, spec->name);
  stmt = tandem_store_prepare_cached (merge->store, sql, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, row_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, value_json, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return tandem_store_set_sql_error (merge->store, error);
    }
  current_json = column_dup (stmt, 0);
  remote_json = column_dup (stmt, 1);
  was_deleted = sqlite3_column_int (stmt, 2) != 0;
  sqlite3_reset (stmt);

  wins = tandem_sync_wins (hlc, site, current_hlc, current_site);
  differs = g_strcmp0 (current_json, remote_json) != 0;

  /* A change that did not see the value it meets, from another desktop,
   * with another value: both are kept so the user can choose. */
  if (!merge->is_snapshot && base_hlc != current_hlc && differs &&
      g_strcmp0 (site, current_site) != 0)
    {
      *conflict = TRUE;
      if (wins)
        {
          if (!record_conflict (merge, spec, row_id, field, remote_json, hlc, site,
                                current_json, current_hlc, current_site, error))
            return FALSE;
        }
      else if (!record_conflict (merge, spec, row_id, field, current_json, current_hlc,
                                 current_site, remote_json, hlc, site, error))
        return FALSE;
    }

  if (!wins)
    {
      *outcome = OUTCOME_SUPERSEDED;
      return TRUE;
    }

  /* The row's hlc is the newest clock of its fields: an editor that reads
   * the row afterwards has seen this value. */
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("UPDATE %s SET %s = json_extract(?2, '$'), hlc = max(hlc, ?3)"
                         " WHERE id = ?1", spec->name, field);
  stmt = tandem_store_prepare_cached (merge->store, sql, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, row_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, value_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, hlc);
  if (!step_done (merge->store, stmt, error))
    return FALSE;

  if (!write_clock (merge, spec, row_id, field, hlc, site, error) ||
      !log_remote (merge, spec, row_id, field, value_json, hlc, site, base_hlc, error) ||
      !touch_rows (merge, spec, row_id, error))
    return FALSE;

  if (g_str_equal (field, "deleted"))
    {
      gboolean deleted = g_strcmp0 (remote_json, "1") == 0;

      if (deleted != was_deleted)
        tandem_store_note_change (merge->store, spec->name, row_id,
                                  deleted ? TANDEM_CHANGE_REMOVED : TANDEM_CHANGE_ADDED);
    }
  else if (!was_deleted)
    {
      tandem_store_note_change (merge->store, spec->name, row_id, TANDEM_CHANGE_UPDATED);
    }

  *outcome = OUTCOME_APPLIED;
  return TRUE;
}

/* The fields of a new row (field name, static -> JSON text); fields the
 * change leaves out take the column's default. */
static gboolean
insert_row (Merge                  *merge,
            const TandemTableSpec  *spec,
            const char             *row_id,
            GHashTable             *values,
            gint64                  created_hlc,
            gint64                  row_hlc,
            const char             *creator_site,
            GError                **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  sqlite3_stmt *stmt;
  int parameter = 7;
  gboolean deleted;

  g_string_append_printf (sql, "INSERT INTO %s (id, hlc, created_hlc, updated_at, updated_by,"
                               " created_site, deleted", spec->name);
  for (guint i = 0; i < spec->n_fields; i++)
    if (!spec->fields[i].derived)
      g_string_append_printf (sql, ", %s", spec->fields[i].name);
  g_string_append (sql, ") VALUES (?1, ?2, ?3, ?4, NULL, ?5,"
                        " coalesce(json_extract(?6, '$'), 0)");
  for (guint i = 0; i < spec->n_fields; i++)
    {
      const TandemFieldSpec *field = &spec->fields[i];
      char *fallback;

      if (field->derived)
        continue;

      if (field->default_value == NULL)
        fallback = sqlite3_mprintf ("NULL");
      else if (field->type == TANDEM_FIELD_INT || field->type == TANDEM_FIELD_BOOL)
        fallback = sqlite3_mprintf ("%lld", (long long) g_ascii_strtoll (field->default_value,
                                                                         NULL, 10));
      else
        fallback = sqlite3_mprintf ("%Q", field->default_value);

      g_string_append_printf (sql, ", CASE WHEN ?%d IS NULL THEN %s ELSE json_extract(?%d, '$') END",
                              parameter, fallback, parameter);
      sqlite3_free (fallback);
      parameter++;
    }
  g_string_append (sql, ")");

  stmt = tandem_store_prepare_cached (merge->store, sql->str, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, row_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, row_hlc);
  sqlite3_bind_int64 (stmt, 3, created_hlc);
  sqlite3_bind_int64 (stmt, 4, tandem_hlc_get_millis (row_hlc));
  bind_creator_site (merge, stmt, 5, creator_site);
  sqlite3_bind_text (stmt, 6, g_hash_table_lookup (values, "deleted"), -1, SQLITE_TRANSIENT);
  parameter = 7;
  for (guint i = 0; i < spec->n_fields; i++)
    if (!spec->fields[i].derived)
      sqlite3_bind_text (stmt, parameter++, g_hash_table_lookup (values, spec->fields[i].name), -1,
                         SQLITE_TRANSIENT);

  if (!step_done (merge->store, stmt, error))
    return FALSE;

  if (!touch_rows (merge, spec, row_id, error))
    return FALSE;

  deleted = g_strcmp0 (g_hash_table_lookup (values, "deleted"), "1") == 0;
  if (!deleted)
    tandem_store_note_change (merge->store, spec->name, row_id, TANDEM_CHANGE_ADDED);

  return TRUE;
}

/* The members of a "*" object, keyed by the schema's static field names. */
static GHashTable *
parse_object (Merge                  *merge,
              const TandemTableSpec  *spec,
              const char             *json,
              GError                **error)
{
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = tandem_store_prepare_cached (merge->store,
                                      "SELECT key, json_quote(value) FROM json_each(?1)", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, json, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *key = (const char *) sqlite3_column_text (stmt, 0);
      const char *name = NULL;
      TandemFieldType type;
      gboolean is_tombstone;

      /* Validated already; an unknown key cannot reach this point. */
      if (lookup_field (spec, key, &type, &is_tombstone, &name))
        g_hash_table_insert (values, (gpointer) name, column_dup (stmt, 1));
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (merge->store, error);
      return NULL;
    }

  return g_steal_pointer (&values);
}

/* Edit against delete (DESIGN.md §6). One desktop deletes a row while
 * another, apart, changes a field of it. The per-field rule keeps both
 * changes, the tombstone and the edited value inside the tombstoned row,
 * so without more the edit would vanish with the row unnoticed. When
 * neither side had seen the other's change, the pair is recorded as a
 * conflict of the "deleted" field: kept the delete ("1", with its clock),
 * other the row alive ("0", with the edit's clock). Keeping the other
 * side restores the row, edit included (restore_other()). One conflict
 * stands for one delete, however many fields were edited against it.
 *
 * Who had seen what is known for sure in these cases only:
 * - an edit that reaches a row already deleted here: its desktop had the
 *   row alive (a deleted row cannot be edited), and pulls come in the
 *   server's order, so the delete was on the server before the edit and
 *   the deleting desktop cannot have had it. From a snapshot, which has no
 *   order, this holds only for a delete made on this desktop;
 * - a delete that reaches a row with an edit it did not see: an edit
 *   clocked after the delete (a desktop's clock passes every change it
 *   receives), an edit of this desktop still in the outbox, or one that
 *   comes back later in the same page (the server had it after the
 *   delete).
 * A delete that reached the server after an edit may or may not have
 * seen it; the deleting desktop tells, as in the first case. */

static gboolean
record_delete_conflict (Merge                  *merge,
                        const TandemTableSpec  *spec,
                        const char             *row_id,
                        gint64                  delete_hlc,
                        const char             *delete_site,
                        gint64                  edit_hlc,
                        const char             *edit_site,
                        gboolean               *recorded,
                        GError                **error)
{
  sqlite3_stmt *stmt;
  gboolean listed;

  stmt = tandem_store_prepare_cached (merge->store,
                                      "SELECT 1 FROM conflicts WHERE tbl = ? AND row_id = ?"
                                      " AND field = 'deleted' AND kept_hlc = ? AND kept_site = ?"
                                      " AND resolved_at IS NULL", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, spec->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, row_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, delete_hlc);
  sqlite3_bind_text (stmt, 4, delete_site, -1, SQLITE_TRANSIENT);
  listed = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);

  *recorded = !listed;
  if (listed)
    return TRUE;

  return record_conflict (merge, spec, row_id, "deleted", "1", delete_hlc, delete_site,
                          "0", edit_hlc, edit_site, error);
}

/* Whether this desktop's edit stamped @hlc of @field is still in the
 * outbox, or comes back after the change being applied. */
static gboolean
own_edit_unseen (Merge                  *merge,
                 const TandemTableSpec  *spec,
                 const char             *row_id,
                 const char             *field,
                 gint64                  hlc)
{
  sqlite3_stmt *stmt;
  gboolean queued;

  if (merge->page != NULL)
    for (guint i = merge->index + 1; i < merge->page->len; i++)
      {
        const TandemChange *later = g_ptr_array_index (merge->page, i);

        if (later->hlc == hlc && g_strcmp0 (later->site, merge->local_site) == 0 &&
            g_strcmp0 (later->row_id, row_id) == 0)
          return TRUE;
      }

  stmt = tandem_store_prepare_cached (merge->store,
                                      "SELECT 1 FROM change_log WHERE origin = 'local' AND pushed = 0"
                                      " AND tbl = ? AND row_id = ? AND field IN (?, '*') AND hlc = ?",
                                      NULL);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, spec->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, row_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, hlc);
  queued = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);

  return queued;
}

/* @change (a field other than the tombstone) was just written into the
 * row; @was_deleted tells whether the row is a tombstone. Or @change is a
 * delete just applied to a row that was alive. Records the conflict when
 * the other side had not seen it. */
static gboolean
note_edit_against_delete (Merge                  *merge,
                          const TandemTableSpec  *spec,
                          const TandemChange     *change,
                          gboolean                was_deleted,
                          gboolean               *conflict,
                          GError                **error)
{
  g_autofree char *delete_site = NULL;
  g_autofree char *edit_site = NULL;
  gint64 delete_hlc = 0;
  gint64 edit_hlc = 0;
  sqlite3_stmt *stmt;
  int rc;

  if (!g_str_equal (change->field, "deleted"))
    {
      /* An edit meeting a tombstone. */
      if (!was_deleted)
        return TRUE;

      if (!field_clock (merge, spec, change->row_id, "deleted", &delete_hlc, &delete_site, error))
        return FALSE;

      if (g_strcmp0 (delete_site, change->site) == 0 ||
          (merge->is_snapshot && g_strcmp0 (delete_site, merge->local_site) != 0))
        return TRUE;

      return record_delete_conflict (merge, spec, change->row_id, delete_hlc, delete_site,
                                     change->hlc, change->site, conflict, error);
    }

  /* A delete meeting edits: the newest one it did not see stands for
   * them all. */
  stmt = tandem_store_prepare_cached (merge->store,
                                      "SELECT field, hlc, site FROM field_clocks"
                                      " WHERE tbl = ? AND row_id = ? AND field <> 'deleted'",
                                      error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, spec->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, change->row_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *field = (const char *) sqlite3_column_text (stmt, 0);
      gint64 hlc = sqlite3_column_int64 (stmt, 1);
      const char *site = (const char *) sqlite3_column_text (stmt, 2);
      gboolean unseen;

      if (g_strcmp0 (site, change->site) == 0)
        continue;

      unseen = tandem_sync_wins (hlc, site, change->hlc, change->site) ||
               (g_strcmp0 (site, merge->local_site) == 0 &&
                own_edit_unseen (merge, spec, change->row_id, field, hlc));

      if (unseen && (edit_site == NULL || tandem_sync_wins (hlc, site, edit_hlc, edit_site)))
        {
          g_free (edit_site);
          edit_site = g_strdup (site);
          edit_hlc = hlc;
        }
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return tandem_store_set_sql_error (merge->store, error);

  if (edit_site == NULL)
    return TRUE;

  return record_delete_conflict (merge, spec, change->row_id, change->hlc, change->site,
                                 edit_hlc, edit_site, conflict, error);
}

/* @change was just applied to a row that existed, deleted or not as
 * @was_deleted says. An edit of a deleted row, or a delete of a live one,
 * is checked for an edit against a delete, as pulls and snapshots both
 * must (DESIGN.md §6). */
static gboolean
check_edit_against_delete (Merge                  *merge,
                           const TandemTableSpec  *spec,
                           const TandemChange     *change,
                           gboolean                is_tombstone,
                           gboolean                was_deleted,
                           gboolean               *conflict,
                           GError                **error)
{
  gboolean now_deleted = was_deleted;

  *conflict = FALSE;
  if (is_tombstone ? was_deleted : !was_deleted)
    return TRUE;

  if (is_tombstone && row_state (merge, spec, change->row_id, &now_deleted, error) < 0)
    return FALSE;

  return !now_deleted ||
         note_edit_against_delete (merge, spec, change, was_deleted, conflict, error);
}

static void
count (Merge   *merge,
       Outcome  outcome,
       gboolean conflict)
{
  if (outcome == OUTCOME_APPLIED)
    merge->stats.applied++;
  else
    merge->stats.superseded++;

  if (conflict)
    merge->stats.conflicts++;
}

static gboolean
apply_change (Merge               *merge,
              const TandemChange  *change,
              GError             **error)
{
  const TandemTableSpec *spec = tandem_schema_lookup (change->table);
  gboolean deleted = FALSE;
  gboolean conflict = FALSE;
  Outcome outcome = OUTCOME_SUPERSEDED;
  const char *name = NULL;
  TandemFieldType type;
  gboolean is_tombstone;
  int exists;

  exists = row_state (merge, spec, change->row_id, &deleted, error);
  if (exists < 0)
    return FALSE;

  if (g_str_equal (change->field, "*"))
    {
      g_autoptr(GHashTable) values = parse_object (merge, spec, change->value_json, error);

      if (values == NULL)
        return FALSE;

      if (!exists)
        {
          if (!insert_row (merge, spec, change->row_id, values, change->hlc, change->hlc,
                           change->site, error) ||
              !log_remote (merge, spec, change->row_id, "*", change->value_json, change->hlc,
                           change->site, change->base_hlc, error))
            return FALSE;

          count (merge, OUTCOME_APPLIED, FALSE);
          return TRUE;
        }

      /* Rows of insert-only tables never change: a "*" for one that
       * exists is a repeat. */
      if (spec->insert_only)
        {
          count (merge, OUTCOME_SUPERSEDED, FALSE);
          return TRUE;
        }

      /* A whole row meeting one that exists (a repeat, or a row that a
       * field change created first) merges field by field. */
      for (guint i = 0; i <= spec->n_fields; i++)
        {
          const char *name = i < spec->n_fields ? spec->fields[i].name : "deleted";
          const char *value = g_hash_table_lookup (values, name);
          Outcome field_outcome;
          gboolean field_conflict;

          if (value == NULL)
            continue;

          if (!merge_field (merge, spec, change->row_id, name, value, change->hlc, change->site,
                            change->base_hlc, &field_outcome, &field_conflict, error))
            return FALSE;

          if (field_outcome == OUTCOME_APPLIED)
            outcome = OUTCOME_APPLIED;
          conflict |= field_conflict;
        }

      count (merge, outcome, conflict);
      return TRUE;
    }

  /* A field of a row this desktop has not heard of: the row is created
   * empty, with a clock that loses to any real one, so that whichever of
   * its changes arrives later still fills it in. */
  if (!exists)
    {
      g_autoptr(GHashTable) empty = g_hash_table_new (g_str_hash, g_str_equal);

      if (!insert_row (merge, spec, change->row_id, empty, 0, change->hlc, "", error))
        return FALSE;
    }

  /* Only the schema's own names reach the SQL text. */
  if (!lookup_field (spec, change->field, &type, &is_tombstone, &name))
    g_assert_not_reached ();

  if (!merge_field (merge, spec, change->row_id, name, change->value_json, change->hlc,
                    change->site, change->base_hlc, &outcome, &conflict, error))
    return FALSE;

  if (outcome == OUTCOME_APPLIED && exists)
    {
      gboolean delete_conflict = FALSE;

      if (!check_edit_against_delete (merge, spec, change, is_tombstone, deleted,
                                      &delete_conflict, error))
        return FALSE;
      conflict |= delete_conflict;
    }

  count (merge, outcome, conflict);
  return TRUE;
}

/* Derived fields of the leads the changes touched: the activity times as
 * tandem_pipeline_add_activity() keeps them, then the scores. Leads are
 * not moved between stages: a move is an edit, synced from the desktop
 * that made it. */
static gboolean
update_activity_times (Merge       *merge,
                       const char  *lead_id,
                       GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = tandem_store_prepare_cached (merge->store,
                                      "UPDATE leads SET"
                                      " last_activity_at = coalesce((SELECT max(occurred_at)"
                                      "  FROM activities WHERE lead_id = ?1 AND deleted = 0),"
                                      "  last_activity_at),"
                                      " first_touch_at = (SELECT min(a.occurred_at)"
                                      "  FROM activities AS a JOIN members AS m ON m.id = a.member_id"
                                      "  WHERE a.lead_id = ?1 AND a.deleted = 0"
                                      "  AND a.kind IN " TOUCH_KINDS " AND lower(m.team) = 'sales'"
                                      "  AND coalesce(leads.handoff_at, 0) > 0"
                                      "  AND a.occurred_at >= leads.handoff_at)"
                                      " WHERE id = ?1 AND deleted = 0", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, lead_id, -1, SQLITE_TRANSIENT);
  return step_done (merge->store, stmt, error);
}

static gboolean
rescore_lead (Merge               *merge,
              TandemScoringRules  *rules,
              const char          *lead_id,
              gint64               now,
              GError             **error)
{
  g_autoptr(TandemLead) lead = NULL;
  g_autoptr(TandemScore) score = NULL;
  g_autoptr(GError) local_error = NULL;
  TandemRecord *record;

  lead = tandem_store_get (merge->store, TANDEM_TYPE_LEAD, lead_id, &local_error);
  if (lead == NULL)
    {
      /* A tombstoned lead has no scores to keep up to date. */
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      return TRUE;
    }

  score = tandem_scoring_evaluate (rules, merge->store, lead, now, error);
  if (score == NULL)
    return FALSE;

  record = TANDEM_RECORD (lead);
  tandem_record_set_int (record, "fit_score", score->fit_score);
  tandem_record_set_int (record, "engagement_score", score->engagement_score);
  tandem_record_set_int (record, "score", score->score);
  tandem_record_set_text (record, "grade", score->grade);
  tandem_record_set_text (record, "icp_id", score->icp_id);
  tandem_record_set_text (record, "persona_id", score->persona_id);

  return tandem_store_write_derived (merge->store, record, error);
}

static gboolean
update_derived (Merge   *merge,
                GError **error)
{
  g_autoptr(TandemScoringRules) rules = NULL;
  GHashTableIter iter;
  gpointer lead_id;
  guint n_leads = g_hash_table_size (merge->touched_leads);
  gint64 now = now_ms ();

  if (n_leads == 0)
    return TRUE;

  g_hash_table_iter_init (&iter, merge->touched_leads);
  while (g_hash_table_iter_next (&iter, &lead_id, NULL))
    if (!update_activity_times (merge, lead_id, error))
      return FALSE;

  if (n_leads > MAX_LEADS_ONE_BY_ONE)
    return tandem_scoring_update_all (merge->store, now, NULL, error);

  rules = tandem_scoring_rules_load (merge->store, error);
  if (rules == NULL)
    return FALSE;

  g_hash_table_iter_init (&iter, merge->touched_leads);
  while (g_hash_table_iter_next (&iter, &lead_id, NULL))
    if (!rescore_lead (merge, rules, lead_id, now, error))
      return FALSE;

  return TRUE;
}

static void
merge_init (Merge       *merge,
            TandemStore *store,
            gboolean     is_snapshot)
{
  memset (merge, 0, sizeof *merge);
  merge->store = store;
  merge->local_site = tandem_store_get_site_id (store);
  merge->touched_leads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  merge->is_snapshot = is_snapshot;
}

gboolean
tandem_sync_apply (TandemStore           *store,
                   GPtrArray             *changes,
                   gint64                 cursor,
                   TandemSyncApplyStats  *stats,
                   GError               **error)
{
  Merge merge;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (changes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (stats != NULL)
    memset (stats, 0, sizeof *stats);

  if (!validate_all (store, changes, FALSE, error))
    return FALSE;

  if (!tandem_store_begin (store, error))
    return FALSE;

  merge_init (&merge, store, FALSE);
  merge.page = changes;

  for (guint i = 0; i < changes->len; i++)
    {
      const TandemChange *change = g_ptr_array_index (changes, i);

      /* Every stamp seen moves the local clock past it, so that an edit
       * made here afterwards wins over everything this desktop has seen. */
      tandem_store_receive_hlc (store, change->hlc);
      merge.index = i;

      if (g_strcmp0 (change->site, merge.local_site) == 0)
        {
          merge.stats.skipped++;
          continue;
        }

      if (!apply_change (&merge, change, error))
        goto failed;
    }

  if (!update_derived (&merge, error) ||
      !store_cursor (store, cursor, TRUE, error))
    goto failed;

  if (!tandem_store_commit (store, error))
    {
      merge_clear (&merge);
      return FALSE;
    }

  if (stats != NULL)
    *stats = merge.stats;
  merge_clear (&merge);
  return TRUE;

failed:
  tandem_store_rollback (store);
  merge_clear (&merge);
  return FALSE;
}

/* Snapshots. */

typedef struct
{
  const TandemTableSpec *spec;
  const char            *row_id;
  GPtrArray             *changes;  /* borrowed TandemChange */
} SnapshotRow;

static void
snapshot_row_free (SnapshotRow *row)
{
  g_ptr_array_unref (row->changes);
  g_free (row);
}

static gboolean
apply_snapshot_row (Merge        *merge,
                    SnapshotRow  *row,
                    GError      **error)
{
  gboolean deleted = FALSE;
  int exists;

  exists = row_state (merge, row->spec, row->row_id, &deleted, error);
  if (exists < 0)
    return FALSE;

  if (!exists)
    {
      g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
      const TandemChange *oldest = NULL;
      gint64 newest_hlc = 0;

      /* The oldest clock stands for the row's creation; every field that
       * has another clock gets its own. */
      for (guint i = 0; i < row->changes->len; i++)
        {
          const TandemChange *change = g_ptr_array_index (row->changes, i);

          if (oldest == NULL || tandem_sync_wins (oldest->hlc, oldest->site,
                                                  change->hlc, change->site))
            oldest = change;
          newest_hlc = MAX (newest_hlc, change->hlc);

          if (g_str_equal (change->field, "*"))
            {
              g_autoptr(GHashTable) members = parse_object (merge, row->spec, change->value_json,
                                                            error);
              GHashTableIter iter;
              gpointer name, value;

              if (members == NULL)
                return FALSE;

              g_hash_table_iter_init (&iter, members);
              while (g_hash_table_iter_next (&iter, &name, &value))
                if (!g_hash_table_contains (values, name))
                  g_hash_table_insert (values, name, g_strdup (value));
            }
          else
            {
              const char *name = NULL;
              TandemFieldType type;
              gboolean is_tombstone;

              if (lookup_field (row->spec, change->field, &type, &is_tombstone, &name))
                g_hash_table_insert (values, (gpointer) name, g_strdup (change->value_json));
            }
        }

      if (!insert_row (merge, row->spec, row->row_id, values, oldest->hlc, newest_hlc,
                       oldest->site, error))
        return FALSE;

      for (guint i = 0; i < row->changes->len; i++)
        {
          const TandemChange *change = g_ptr_array_index (row->changes, i);

          if (g_str_equal (change->field, "*") ||
              (change->hlc == oldest->hlc && g_str_equal (change->site, oldest->site)))
            continue;

          if (!write_clock (merge, row->spec, row->row_id, change->field, change->hlc,
                            change->site, error))
            return FALSE;
        }

      return TRUE;
    }

  for (guint i = 0; i < row->changes->len; i++)
    if (!apply_change (merge, g_ptr_array_index (row->changes, i), error))
      return FALSE;

  return TRUE;
}

gboolean
tandem_sync_apply_snapshot (TandemStore  *store,
                            GPtrArray    *changes,
                            gint64        cursor,
                            GError      **error)
{
  g_autoptr(GHashTable) rows_by_key = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  Merge merge;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (changes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!validate_all (store, changes, TRUE, error))
    return FALSE;

  /* Fields arrive one by one; a row this desktop lacks is created whole. */
  rows_by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) snapshot_row_free);
  for (guint i = 0; i < changes->len; i++)
    {
      TandemChange *change = g_ptr_array_index (changes, i);
      g_autofree char *key = g_strconcat (change->table, "\x1f", change->row_id, NULL);
      SnapshotRow *row = g_hash_table_lookup (rows_by_key, key);

      if (row == NULL)
        {
          row = g_new0 (SnapshotRow, 1);
          row->spec = tandem_schema_lookup (change->table);
          row->row_id = change->row_id;
          row->changes = g_ptr_array_new ();
          g_ptr_array_add (rows, row);
          g_hash_table_insert (rows_by_key, g_steal_pointer (&key), row);
        }
      g_ptr_array_add (row->changes, change);
    }

  if (!tandem_store_begin (store, error))
    return FALSE;

  merge_init (&merge, store, TRUE);

  for (guint i = 0; i < changes->len; i++)
    tandem_store_receive_hlc (store, ((TandemChange *) g_ptr_array_index (changes, i))->hlc);

  for (guint i = 0; i < rows->len; i++)
    if (!apply_snapshot_row (&merge, g_ptr_array_index (rows, i), error))
      goto failed;

  if (!update_derived (&merge, error) ||
      !store_cursor (store, cursor, FALSE, error))
    goto failed;

  merge_clear (&merge);
  return tandem_store_commit (store, error);

failed:
  tandem_store_rollback (store);
  merge_clear (&merge);
  return FALSE;
}

/* Streamed snapshots. */

/* More columns than any table has; a header with more is refused. */
#define SNAPSHOT_MAX_COLUMNS 64
/* The page cache of a snapshot's transaction with a rollback journal, in
 * KiB. */
#define SNAPSHOT_CACHE_KIB   16384

typedef struct
{
  const TandemTableSpec *spec;
  guint                  n_columns;
  /* The schema's static names, types and tombstone flags, per column. */
  const char            *names[SNAPSHOT_MAX_COLUMNS];
  TandemFieldType        types[SNAPSHOT_MAX_COLUMNS];
  gboolean               tombstones[SNAPSHOT_MAX_COLUMNS];
  /* The columns the activity times of a lead are computed from (-1:
   * not given): an activity's lead, kind, time, member and tombstone, a
   * lead's handoff. */
  int                    lead_column;
  int                    kind_column;
  int                    time_column;
  int                    member_column;
  int                    handoff_column;
  int                    deleted_column;
  char                  *insert_sql;
  sqlite3_stmt          *insert;
  /* The indexes of a table that was empty, dropped while its rows go in
   * and made again at the end (their SQL), which sorts instead of
   * inserting into them one row at a time. */
  GStrv                  indexes;
} SnapshotTable;

/* The activity times of a lead the snapshot brought, computed from its
 * activities as they pass (update_activity_times() in one pass). */
typedef struct
{
  gint64   handoff_at;
  gint64   last_activity_at;
  gint64   first_touch_at;
} LeadTimes;

struct _TandemSyncSnapshot
{
  Merge          merge;
  TandemStore   *store;
  gboolean       foreign_keys_off;
  /* Set while the workspace uses a rollback journal instead of its log
   * (use_rollback_journal()). */
  gboolean       rollback_journal;
  /* The tables whose search index is paused (name -> where their new rows
   * start, tandem_schema_pause_search()). */
  GHashTable    *paused_search;
  SnapshotTable *table;
  /* Every table given so far (spec -> SnapshotTable), and the specs of
   * those that received rows: their references are checked at the end. */
  GHashTable    *tables;
  GHashTable    *written;
  /* Set once too many leads were touched to list them one by one. */
  gboolean       all_leads;
  /* New leads (id -> LeadTimes), and whether each member is on the sales
   * team (id -> 1 or 2). */
  GHashTable    *new_leads;
  GHashTable    *sales_members;
  int            cache_size;
  guint64        inserted;
  guint64        merged;
  GString       *json;
};

static void
snapshot_table_free (SnapshotTable *table)
{
  g_free (table->insert_sql);
  g_clear_pointer (&table->indexes, g_strfreev);
  g_free (table);
}

static gboolean
snapshot_invalid (GError     **error,
                  const char  *format,
                  ...) G_GNUC_PRINTF (2, 3);

static gboolean
snapshot_invalid (GError     **error,
                  const char  *format,
                  ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, TANDEM_SYNC_ERROR, TANDEM_SYNC_ERROR_INVALID,
               _("The server sent a snapshot this version of Tandem cannot apply (%s); "
                 "nothing was changed."), message);
  return FALSE;
}

static void
snapshot_free (TandemSyncSnapshot *snapshot)
{
  sqlite3 *db = tandem_store_get_db (snapshot->store);

  /* Only outside the transaction do the settings take effect. */
  if (snapshot->foreign_keys_off)
    tandem_store_restore_references (snapshot->store);
  if (snapshot->rollback_journal)
    sqlite3_exec (db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
  g_clear_pointer (&snapshot->paused_search, g_hash_table_unref);
  g_clear_pointer (&snapshot->new_leads, g_hash_table_unref);
  g_clear_pointer (&snapshot->sales_members, g_hash_table_unref);
  if (snapshot->cache_size != 0)
    {
      g_autofree char *sql = g_strdup_printf ("PRAGMA cache_size = %d", snapshot->cache_size);

      sqlite3_exec (db, sql, NULL, NULL, NULL);
    }
  tandem_store_leave_bulk (snapshot->store);

  merge_clear (&snapshot->merge);
  g_clear_pointer (&snapshot->tables, g_hash_table_unref);
  g_clear_pointer (&snapshot->written, g_hash_table_unref);
  g_string_free (snapshot->json, TRUE);
  g_object_unref (snapshot->store);
  g_free (snapshot);
}

/* Written row by row, in a transaction that goes on writing, the search
 * indexes cost more than the rows themselves: once a full-text table has
 * been written, every later statement syncs it at its end. So they are
 * paused for the snapshot (tandem_schema_pause_search()), and the rows it
 * adds or changes are indexed at the end in one pass. Every synced table
 * with a search index ("TABLE_fts") is paused. */
static gboolean
pause_search (TandemSyncSnapshot  *snapshot,
              GError             **error)
{
  sqlite3 *db = tandem_store_get_db (snapshot->store);
  const TandemTableSpec **tables;
  guint n_tables;

  tables = tandem_schema_tables (&n_tables);
  for (guint i = 0; i < n_tables; i++)
    {
      g_autofree char *fts = g_strconcat (tables[i]->name, "_fts", NULL);
      sqlite3_stmt *stmt = NULL;
      gboolean indexed;
      gint64 *mark;

      if (sqlite3_prepare_v2 (db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                              -1, &stmt, NULL) != SQLITE_OK)
        return tandem_store_set_sql_error (snapshot->store, error);
      sqlite3_bind_text (stmt, 1, fts, -1, SQLITE_STATIC);
      indexed = sqlite3_step (stmt) == SQLITE_ROW;
      sqlite3_finalize (stmt);
      if (!indexed)
        continue;

      mark = g_new0 (gint64, 1);
      if (!tandem_schema_pause_search (db, tables[i]->name, mark, error))
        {
          g_free (mark);
          return FALSE;
        }
      g_hash_table_insert (snapshot->paused_search, (gpointer) tables[i]->name, mark);
    }

  return TRUE;
}

static gboolean
resume_search (TandemSyncSnapshot  *snapshot,
               GError             **error)
{
  sqlite3 *db = tandem_store_get_db (snapshot->store);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, snapshot->paused_search);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (!tandem_schema_resume_search (db, key, *(gint64 *) value, error))
        return FALSE;
      g_hash_table_iter_remove (&iter);
    }

  return TRUE;
}

/* In its log (WAL), SQLite writes every page of a transaction twice: into
 * the log, then, at the checkpoint that follows a large commit, into the
 * workspace file. A rollback journal instead keeps the old content of the
 * pages a transaction changes, and none for pages it adds, so a snapshot
 * into a new or small workspace writes its pages once, and a crash still
 * leaves the workspace as it was (SQLite rolls the journal back when the
 * file is next opened). The change needs the workspace to itself: when
 * another connection has it open, as the app's own does while a worker
 * syncs, SQLite keeps the log and so does the snapshot. */
static gboolean
use_rollback_journal (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  gboolean switched = FALSE;

  /* Another connection in the middle of a read would make SQLite wait
   * for it; the log does as well, so it is not waited for. */
  sqlite3_busy_timeout (db, 0);
  if (sqlite3_prepare_v2 (db, "PRAGMA journal_mode = DELETE", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    switched = g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), "delete") == 0;
  sqlite3_finalize (stmt);
  sqlite3_busy_timeout (db, TANDEM_STORE_BUSY_TIMEOUT_MS);

  return switched;
}

TandemSyncSnapshot *
tandem_sync_snapshot_begin (TandemStore  *store,
                            GError      **error)
{
  TandemSyncSnapshot *snapshot;
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  db = tandem_store_get_db (store);
  snapshot = g_new0 (TandemSyncSnapshot, 1);
  snapshot->store = g_object_ref (store);
  snapshot->tables = g_hash_table_new_full (NULL, NULL, NULL,
                                            (GDestroyNotify) snapshot_table_free);
  snapshot->written = g_hash_table_new (NULL, NULL);
  snapshot->json = g_string_new (NULL);
  snapshot->new_leads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  snapshot->sales_members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  tandem_store_enter_bulk (store);

  /* SQLite checks each reference as its row is written, which for the
   * activities of the large sample costs four times the writing itself.
   * The references of the tables that got rows are checked all at once
   * before the commit instead. */
  snapshot->foreign_keys_off = tandem_store_defer_references (store);

  if (sqlite3_get_autocommit (db))
    snapshot->rollback_journal = use_rollback_journal (db);

  /* The pages that do not fit in the cache are written out before the
   * commit. Into the log, they are read back from there by the indexes,
   * the derived fields and the search index, and the bulk cache (256 MiB)
   * balances that against memory best. Into the workspace file itself,
   * they are read back through its memory mapping, and a small cache is
   * fastest. With the large sample, after a push that left the disk busy
   * (tandem-cli sync into an empty workspace): with the log, 9.7-9.8 s at
   * 256 MiB, 10.1-10.6 s at 64 MiB, 11.0-12.4 s at 1 GiB; with a rollback
   * journal, 7.5-7.7 s at 16 MiB, 7.8-7.9 s at 64 MiB, 8.4-8.8 s at
   * 256 MiB. */
  if (snapshot->rollback_journal &&
      sqlite3_prepare_v2 (db, "PRAGMA cache_size", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    snapshot->cache_size = sqlite3_column_int (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (snapshot->cache_size != 0)
    sqlite3_exec (db, "PRAGMA cache_size = -" G_STRINGIFY (SNAPSHOT_CACHE_KIB), NULL, NULL, NULL);

  snapshot->paused_search = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  if (!tandem_store_begin (store, error))
    {
      snapshot_free (snapshot);
      return NULL;
    }

  if (!pause_search (snapshot, error))
    {
      tandem_store_rollback (store);
      snapshot_free (snapshot);
      return NULL;
    }

  merge_init (&snapshot->merge, store, TRUE);
  return snapshot;
}

/* A table that is still empty (a new desktop's) has its indexes dropped
 * until its rows are in (tandem_schema_pause_indexes()): making an index
 * afterwards sorts its entries, which is several times faster than
 * inserting them one row at a time. restore_indexes() makes them again
 * before the commit. */
static gboolean
drop_indexes (TandemSyncSnapshot  *snapshot,
              SnapshotTable       *table,
              GError             **error)
{
  sqlite3 *db = tandem_store_get_db (snapshot->store);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean empty;

  sql = g_strdup_printf ("SELECT NOT EXISTS (SELECT 1 FROM %s)", table->spec->name);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return tandem_store_set_sql_error (snapshot->store, error);
  empty = sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0) != 0;
  sqlite3_finalize (stmt);
  if (!empty)
    return TRUE;

  table->indexes = tandem_schema_pause_indexes (db, table->spec->name, error);
  return table->indexes != NULL;
}

static gboolean
restore_indexes (TandemSyncSnapshot  *snapshot,
                 GError             **error)
{
  sqlite3 *db = tandem_store_get_db (snapshot->store);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, snapshot->tables);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      SnapshotTable *table = value;

      if (table->indexes != NULL &&
          !tandem_schema_resume_indexes (db, (const char * const *) table->indexes, error))
        return FALSE;

      g_clear_pointer (&table->indexes, g_strfreev);
    }

  return TRUE;
}

gboolean
tandem_sync_snapshot_table (TandemSyncSnapshot  *snapshot,
                            const char          *table,
                            const char * const  *columns,
                            guint                n_columns,
                            GError             **error)
{
  g_autoptr(GString) sql = NULL;
  const TandemTableSpec *spec;
  SnapshotTable *entry;
  SnapshotTable *previous;

  g_return_val_if_fail (snapshot != NULL, FALSE);
  g_return_val_if_fail (table != NULL, FALSE);
  g_return_val_if_fail (columns != NULL || n_columns == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  spec = tandem_schema_lookup (table);
  if (spec == NULL)
    return snapshot_invalid (error, "unknown table “%s”", table);

  if (n_columns > SNAPSHOT_MAX_COLUMNS)
    return snapshot_invalid (error, "“%s” has %u columns", table, n_columns);

  entry = g_new0 (SnapshotTable, 1);
  entry->spec = spec;
  entry->n_columns = n_columns;
  entry->lead_column = -1;
  entry->kind_column = -1;
  entry->time_column = -1;
  entry->member_column = -1;
  entry->handoff_column = -1;
  entry->deleted_column = -1;

  sql = g_string_new (NULL);
  g_string_append_printf (sql, "INSERT INTO %s (id, hlc, created_hlc, updated_at, created_site",
                          spec->name);
  for (guint i = 0; i < n_columns; i++)
    {
      const char *name = NULL;

      if (columns[i] == NULL ||
          !lookup_field (spec, columns[i], &entry->types[i], &entry->tombstones[i], &name))
        {
          snapshot_table_free (entry);
          return snapshot_invalid (error, "unknown field “%s” of “%s”",
                                   columns[i] ? columns[i] : "", table);
        }

      for (guint j = 0; j < i; j++)
        if (entry->names[j] == name)
          {
            snapshot_table_free (entry);
            return snapshot_invalid (error, "field “%s” of “%s” given twice", name, table);
          }

      entry->names[i] = name;
      if (g_str_equal (name, "deleted"))
        entry->deleted_column = (int) i;
      if (g_str_equal (spec->name, "leads") && g_str_equal (name, "handoff_at"))
        entry->handoff_column = (int) i;
      if (g_str_equal (spec->name, "activities"))
        {
          if (g_str_equal (name, "lead_id"))
            entry->lead_column = (int) i;
          else if (g_str_equal (name, "kind"))
            entry->kind_column = (int) i;
          else if (g_str_equal (name, "occurred_at"))
            entry->time_column = (int) i;
          else if (g_str_equal (name, "member_id"))
            entry->member_column = (int) i;
        }

      /* Only the schema's own names reach the SQL text. */
      g_string_append_printf (sql, ", %s", name);
    }

  g_string_append (sql, ") VALUES (?, ?, ?, ?, ?");
  for (guint i = 0; i < n_columns; i++)
    g_string_append (sql, ", ?");
  /* A row this desktop has already is merged instead. */
  g_string_append (sql, ") ON CONFLICT (id) DO NOTHING");
  entry->insert_sql = g_string_free (g_steal_pointer (&sql), FALSE);

  previous = g_hash_table_lookup (snapshot->tables, spec);
  if (previous != NULL)
    entry->indexes = g_steal_pointer (&previous->indexes);

  if ((previous == NULL && !drop_indexes (snapshot, entry, error)) ||
      (entry->insert = tandem_store_prepare_cached (snapshot->store, entry->insert_sql,
                                                    error)) == NULL)
    {
      snapshot_table_free (entry);
      return FALSE;
    }

  g_hash_table_replace (snapshot->tables, (gpointer) spec, entry);
  snapshot->table = entry;
  return TRUE;
}

/* value_fits() for a value read already, without naming its JSON type:
 * it is asked for every value of every row. */
static gboolean
typed_value_fits (TandemFieldType        type,
                  gboolean               is_tombstone,
                  const TandemSyncValue *value)
{
  switch (value->kind)
    {
    case TANDEM_SYNC_VALUE_NULL:
      return !is_tombstone && type != TANDEM_FIELD_BOOL;

    case TANDEM_SYNC_VALUE_TEXT:
      return type == TANDEM_FIELD_TEXT || type == TANDEM_FIELD_LIST || type == TANDEM_FIELD_REF;

    case TANDEM_SYNC_VALUE_INT:
      return type == TANDEM_FIELD_INT ||
             (type == TANDEM_FIELD_BOOL && (value->number == 0 || value->number == 1));

    default:
      return FALSE;
    }
}

/* The value as JSON text, for the merge path, which compares and writes
 * values the way pulled changes carry them. */
static const char *
value_to_json (GString               *out,
               const TandemSyncValue *value)
{
  g_string_truncate (out, 0);

  switch (value->kind)
    {
    case TANDEM_SYNC_VALUE_INT:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, value->number);
      break;

    case TANDEM_SYNC_VALUE_TEXT:
      g_string_append_c (out, '"');
      for (gsize i = 0; i < value->length; i++)
        {
          guchar c = (guchar) value->text[i];

          if (c == '"' || c == '\\')
            {
              g_string_append_c (out, '\\');
              g_string_append_c (out, (char) c);
            }
          else if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
      g_string_append_c (out, '"');
      break;

    case TANDEM_SYNC_VALUE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }

  return out->str;
}

static gboolean
valid_clock (gint64      hlc,
             const char *site)
{
  /* (0, "") is the clock of a value nobody has written yet. */
  if (site == NULL || strlen (site) > 256)
    return FALSE;

  return (hlc > 0 && *site != '\0') || (hlc == 0 && *site == '\0');
}

static void
snapshot_touch_lead (TandemSyncSnapshot *snapshot,
                     const char         *lead_id)
{
  if (snapshot->all_leads || lead_id == NULL)
    return;

  /* Past this many, every lead is computed again in one pass, and the list
   * is not worth its memory. */
  if (g_hash_table_size (snapshot->merge.touched_leads) >= MAX_LEADS_ONE_BY_ONE)
    {
      snapshot->all_leads = TRUE;
      g_hash_table_remove_all (snapshot->merge.touched_leads);
      return;
    }

  touch_lead (&snapshot->merge, lead_id);
}

/* A row this desktop has: each column whose clock differs from the one
 * here is merged with the rule, as a pulled change would be. */
static gboolean
merge_snapshot_row (TandemSyncSnapshot   *snapshot,
                    const TandemSyncRow  *row,
                    GError              **error)
{
  SnapshotTable *table = snapshot->table;
  const TandemTableSpec *spec = table->spec;
  g_autoptr(GHashTable) clocks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *created_site = NULL;
  g_autofree char *created_clock = NULL;
  gint64 created_hlc = 0;
  gboolean deleted = FALSE;
  sqlite3_stmt *stmt;
  int rc;

  if (row_state (&snapshot->merge, spec, row->row_id, &deleted, error) < 0)
    return FALSE;

  /* The clocks of the row here, in two queries rather than one per
   * column: the field's own, else its creator's. */
  stmt = tandem_store_prepare_cached (snapshot->store,
                                      "SELECT field, hlc, site FROM field_clocks"
                                      " WHERE tbl = ?1 AND row_id = ?2", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, spec->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, row->row_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (clocks, column_dup (stmt, 0),
                         g_strdup_printf ("%" G_GINT64_FORMAT " %s",
                                          (gint64) sqlite3_column_int64 (stmt, 1),
                                          (const char *) sqlite3_column_text (stmt, 2)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return tandem_store_set_sql_error (snapshot->store, error);

  if (!creation_clock (&snapshot->merge, spec, row->row_id, &created_hlc, &created_site, error))
    return FALSE;
  created_clock = g_strdup_printf ("%" G_GINT64_FORMAT " %s", created_hlc, created_site);

  for (guint i = 0; i < table->n_columns; i++)
    {
      const char *name = table->names[i];
      const char *here = g_hash_table_lookup (clocks, name);
      g_autofree char *theirs = NULL;
      gint64 hlc = row->hlc;
      const char *site = row->site;
      const char *value_json;
      Outcome outcome;
      gboolean conflict;

      for (guint j = 0; j < row->n_clocks; j++)
        if (row->clocks[j].column == i)
          {
            hlc = row->clocks[j].hlc;
            site = row->clocks[j].site;
          }

      /* A value nobody wrote yet loses to any. */
      if (hlc == 0)
        continue;

      theirs = g_strdup_printf ("%" G_GINT64_FORMAT " %s", hlc, site);
      if (g_str_equal (here != NULL ? here : created_clock, theirs))
        continue;

      value_json = value_to_json (snapshot->json, &row->values[i]);
      if (!merge_field (&snapshot->merge, spec, row->row_id, name, value_json, hlc, site, 0,
                        &outcome, &conflict, error))
        return FALSE;

      if (outcome == OUTCOME_APPLIED)
        {
          TandemChange change = { 0, (char *) spec->name, (char *) row->row_id, (char *) name,
                                  (char *) value_json, hlc, (char *) site, 0 };

          if (!check_edit_against_delete (&snapshot->merge, spec, &change, table->tombstones[i],
                                          deleted, &conflict, error) ||
              (table->tombstones[i] &&
               row_state (&snapshot->merge, spec, row->row_id, &deleted, error) < 0))
            return FALSE;
        }
    }

  snapshot->merged++;
  return TRUE;
}

/* Whether the member is on the sales team, as update_activity_times()
 * tells: asked once per member. */
static gboolean
is_sales_member (TandemSyncSnapshot  *snapshot,
                 const char          *member_id,
                 gboolean            *sales,
                 GError             **error)
{
  gpointer known = g_hash_table_lookup (snapshot->sales_members, member_id);
  sqlite3_stmt *stmt;

  if (known == NULL)
    {
      stmt = tandem_store_prepare_cached (snapshot->store,
                                          "SELECT lower(team) = 'sales' FROM members WHERE id = ?",
                                          error);
      if (stmt == NULL)
        return FALSE;

      sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_TRANSIENT);
      known = GINT_TO_POINTER (sqlite3_step (stmt) == SQLITE_ROW &&
                               sqlite3_column_int (stmt, 0) != 0 ? 2 : 1);
      sqlite3_reset (stmt);
      g_hash_table_insert (snapshot->sales_members, g_strdup (member_id), known);
    }

  *sales = GPOINTER_TO_INT (known) == 2;
  return TRUE;
}

/* A new activity: the times of its lead, when the snapshot brought the
 * lead, are computed here as update_activity_times() would; any other
 * lead has them computed by that function at the end. Leads come before
 * their activities in a snapshot. */
static gboolean
add_activity_times (TandemSyncSnapshot   *snapshot,
                    SnapshotTable        *table,
                    const TandemSyncRow  *row,
                    GError              **error)
{
  const char *lead_id = row->values[table->lead_column].text;
  LeadTimes *times = g_hash_table_lookup (snapshot->new_leads, lead_id);
  const TandemSyncValue *kind, *member;
  gint64 occurred_at;
  gboolean sales = FALSE;

  if (times == NULL || table->time_column < 0 || table->kind_column < 0 ||
      table->member_column < 0 || table->deleted_column < 0)
    {
      snapshot_touch_lead (snapshot, lead_id);
      return TRUE;
    }

  if (row->values[table->deleted_column].number != 0 ||
      row->values[table->time_column].kind != TANDEM_SYNC_VALUE_INT)
    return TRUE;

  occurred_at = row->values[table->time_column].number;
  times->last_activity_at = MAX (times->last_activity_at, occurred_at);

  kind = &row->values[table->kind_column];
  member = &row->values[table->member_column];
  if (times->handoff_at <= 0 || occurred_at < times->handoff_at ||
      kind->kind != TANDEM_SYNC_VALUE_TEXT || member->kind != TANDEM_SYNC_VALUE_TEXT ||
      !(g_str_equal (kind->text, "call") || g_str_equal (kind->text, "email_sent") ||
        g_str_equal (kind->text, "meeting_booked") || g_str_equal (kind->text, "meeting_held")))
    return TRUE;

  if (!is_sales_member (snapshot, member->text, &sales, error))
    return FALSE;

  if (sales && (times->first_touch_at == 0 || occurred_at < times->first_touch_at))
    times->first_touch_at = occurred_at;

  return TRUE;
}

gboolean
tandem_sync_snapshot_row (TandemSyncSnapshot   *snapshot,
                          const TandemSyncRow  *row,
                          GError              **error)
{
  SnapshotTable *table;
  sqlite3 *db;
  sqlite3_stmt *stmt;
  guint64 seen = 0;
  gint64 newest;
  int parameter = 1;

  g_return_val_if_fail (snapshot != NULL, FALSE);
  g_return_val_if_fail (row != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  table = snapshot->table;
  if (table == NULL)
    return snapshot_invalid (error, "a row comes before the name of its table");

  if (row->row_id == NULL || *row->row_id == '\0' || strlen (row->row_id) > 256)
    return snapshot_invalid (error, "a row of “%s” has no valid id", table->spec->name);

  if (row->hlc < 0 || !valid_clock (row->hlc, row->site))
    return snapshot_invalid (error, "row “%s” of “%s” has no valid clock", row->row_id,
                             table->spec->name);

  if (row->n_values != table->n_columns)
    return snapshot_invalid (error, "row “%s” of “%s” has %u values for %u columns",
                             row->row_id, table->spec->name, row->n_values, table->n_columns);

  newest = row->hlc;
  for (guint i = 0; i < row->n_clocks; i++)
    {
      const TandemSyncClock *clock = &row->clocks[i];

      if (clock->column >= table->n_columns || (seen & (G_GUINT64_CONSTANT (1) << clock->column)) ||
          clock->hlc < 0 || !valid_clock (clock->hlc, clock->site))
        return snapshot_invalid (error, "row “%s” of “%s” has a clock that does not fit",
                                 row->row_id, table->spec->name);

      seen |= G_GUINT64_CONSTANT (1) << clock->column;
      newest = MAX (newest, clock->hlc);
    }

  for (guint i = 0; i < row->n_values; i++)
    {
      const TandemSyncValue *value = &row->values[i];

      /* g_utf8_validate_len() also refuses NUL bytes. */
      if ((value->kind == TANDEM_SYNC_VALUE_TEXT &&
           (value->text == NULL || !g_utf8_validate_len (value->text, value->length, NULL))) ||
          !typed_value_fits (table->types[i], table->tombstones[i], value))
        return snapshot_invalid (error, "the value of “%s” of row “%s” of “%s” has the wrong type",
                                 table->names[i], row->row_id, table->spec->name);
    }

  /* Every stamp seen moves the local clock past it. */
  tandem_store_receive_hlc (snapshot->store, newest);
  g_hash_table_add (snapshot->written, (gpointer) table->spec);

  /* Prepared once per table: preparing it again costs a hash of its text
   * per row. */
  stmt = table->insert;

  /* The row's hlc is its newest field clock, as merge_field() keeps it. */
  sqlite3_bind_text (stmt, parameter++, row->row_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, parameter++, newest);
  sqlite3_bind_int64 (stmt, parameter++, row->hlc);
  sqlite3_bind_int64 (stmt, parameter++, tandem_hlc_get_millis (newest));
  /* The creator's clock stands for every column without one of its own,
   * as insert_row() records it. */
  bind_creator_site (&snapshot->merge, stmt, parameter++, row->site);
  for (guint i = 0; i < row->n_values; i++, parameter++)
    {
      const TandemSyncValue *value = &row->values[i];

      if (value->kind == TANDEM_SYNC_VALUE_INT)
        sqlite3_bind_int64 (stmt, parameter, value->number);
      else if (value->kind == TANDEM_SYNC_VALUE_TEXT)
        sqlite3_bind_text (stmt, parameter, value->text, (int) value->length, SQLITE_STATIC);
      else
        sqlite3_bind_null (stmt, parameter);
    }

  db = tandem_store_get_db (snapshot->store);
  if (!step_done (snapshot->store, stmt, error))
    return FALSE;

  if (sqlite3_changes (db) == 0)
    {
      /* The merge reads the clocks of rows, which must all be written. */
      return merge_snapshot_row (snapshot, row, error);
    }

  for (guint i = 0; i < row->n_clocks; i++)
    {
      const TandemSyncClock *clock = &row->clocks[i];

      if (clock->hlc == row->hlc && g_strcmp0 (clock->site, row->site) == 0)
        continue;

      if (!write_clock (&snapshot->merge, table->spec, row->row_id, table->names[clock->column],
                        clock->hlc, clock->site, error))
        return FALSE;
    }

  if (table->handoff_column >= 0 || g_str_equal (table->spec->name, "leads"))
    {
      LeadTimes *times = g_new0 (LeadTimes, 1);

      if (table->handoff_column >= 0 &&
          row->values[table->handoff_column].kind == TANDEM_SYNC_VALUE_INT)
        times->handoff_at = row->values[table->handoff_column].number;
      g_hash_table_replace (snapshot->new_leads, g_strdup (row->row_id), times);
    }
  else if (table->lead_column >= 0 &&
           row->values[table->lead_column].kind == TANDEM_SYNC_VALUE_TEXT &&
           !add_activity_times (snapshot, table, row, error))
    return FALSE;

  snapshot->inserted++;
  return TRUE;
}

void
tandem_sync_snapshot_get_counts (TandemSyncSnapshot *snapshot,
                                 guint64            *inserted,
                                 guint64            *merged)
{
  g_return_if_fail (snapshot != NULL);

  if (inserted != NULL)
    *inserted = snapshot->inserted;
  if (merged != NULL)
    *merged = snapshot->merged;
}

/* The derived fields of the leads the snapshot brought or touched: the
 * activity times of new leads as computed on the way, those of other
 * touched leads one by one (or all at once when there are many), then the
 * scores, one by one or in one pass over every lead. */
static gboolean
update_snapshot_derived (TandemSyncSnapshot  *snapshot,
                         GError             **error)
{
  g_autoptr(TandemScoringRules) rules = NULL;
  GHashTable *touched = snapshot->merge.touched_leads;
  GHashTableIter iter;
  gpointer key, value;
  gint64 now = now_ms ();
  gint64 start = g_get_monotonic_time ();
  sqlite3_stmt *stmt;

  g_hash_table_iter_init (&iter, snapshot->new_leads);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const LeadTimes *times = value;

      if (times->last_activity_at == 0 && times->first_touch_at == 0)
        continue;

      stmt = tandem_store_prepare_cached (snapshot->store,
                                          "UPDATE leads SET last_activity_at = ?1,"
                                          " first_touch_at = ?2 WHERE id = ?3 AND deleted = 0",
                                          error);
      if (stmt == NULL)
        return FALSE;

      sqlite3_bind_int64 (stmt, 1, times->last_activity_at);
      if (times->first_touch_at != 0)
        sqlite3_bind_int64 (stmt, 2, times->first_touch_at);
      sqlite3_bind_text (stmt, 3, key, -1, SQLITE_STATIC);
      if (!step_done (snapshot->store, stmt, error))
        return FALSE;
    }

  if (snapshot->all_leads)
    {
      /* Every lead's times in one statement, as update_activity_times()
       * computes them one lead at a time. */
      stmt = tandem_store_prepare_cached (snapshot->store,
                                          "UPDATE leads SET"
                                          " last_activity_at = coalesce((SELECT max(occurred_at)"
                                          "  FROM activities WHERE lead_id = leads.id AND deleted = 0),"
                                          "  last_activity_at),"
                                          " first_touch_at = (SELECT min(a.occurred_at)"
                                          "  FROM activities AS a JOIN members AS m ON m.id = a.member_id"
                                          "  WHERE a.lead_id = leads.id AND a.deleted = 0"
                                          "  AND a.kind IN " TOUCH_KINDS " AND lower(m.team) = 'sales'"
                                          "  AND coalesce(leads.handoff_at, 0) > 0"
                                          "  AND a.occurred_at >= leads.handoff_at)"
                                          " WHERE deleted = 0", error);
      if (stmt == NULL || !step_done (snapshot->store, stmt, error))
        return FALSE;
    }
  else
    {
      g_hash_table_iter_init (&iter, touched);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (snapshot->new_leads, key) &&
            !update_activity_times (&snapshot->merge, key, error))
          return FALSE;
    }

  g_debug ("Snapshot: activity times of %u new and %u other leads in %.2f s",
           g_hash_table_size (snapshot->new_leads), g_hash_table_size (touched),
           (g_get_monotonic_time () - start) / 1e6);

  if (snapshot->all_leads ||
      g_hash_table_size (touched) + g_hash_table_size (snapshot->new_leads) > MAX_LEADS_ONE_BY_ONE)
    return tandem_scoring_update_all (snapshot->store, now, NULL, error);

  if (g_hash_table_size (touched) + g_hash_table_size (snapshot->new_leads) == 0)
    return TRUE;

  rules = tandem_scoring_rules_load (snapshot->store, error);
  if (rules == NULL)
    return FALSE;

  g_hash_table_iter_init (&iter, snapshot->new_leads);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!rescore_lead (&snapshot->merge, rules, key, now, error))
      return FALSE;

  g_hash_table_iter_init (&iter, touched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (snapshot->new_leads, key) &&
        !rescore_lead (&snapshot->merge, rules, key, now, error))
      return FALSE;

  return TRUE;
}

/* With the check of each write turned off, every reference of the tables
 * that got rows must point at a row before the commit, as SQLite would
 * have made sure at the commit. */
static gboolean
check_references (TandemSyncSnapshot  *snapshot,
                  GError             **error)
{
  GHashTableIter iter;
  gpointer key;

  if (!snapshot->foreign_keys_off)
    return TRUE;

  g_hash_table_iter_init (&iter, snapshot->written);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      const TandemTableSpec *spec = key;
      g_autofree char *column = NULL;
      g_autofree char *missing = NULL;

      if (!tandem_store_find_broken_reference (snapshot->store, spec->name, &column, &missing,
                                               error))
        return FALSE;

      if (missing != NULL)
        return snapshot_invalid (error, "a row of “%s” names “%s” as its %s, which neither "
                                 "the snapshot nor this workspace holds",
                                 spec->name, missing, column);
    }

  return TRUE;
}

gboolean
tandem_sync_snapshot_commit (TandemSyncSnapshot  *snapshot,
                             gint64               cursor,
                             GError             **error)
{
  TandemStore *store;
  GHashTableIter iter;
  gpointer key;
  gint64 start, restored, derived, indexed, checked;
  gboolean ok;

  g_return_val_if_fail (snapshot != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  store = snapshot->store;
  start = g_get_monotonic_time ();

  ok = update_snapshot_derived (snapshot, error);
  derived = g_get_monotonic_time ();

  ok = ok && resume_search (snapshot, error);
  indexed = g_get_monotonic_time ();
  ok = ok && restore_indexes (snapshot, error);
  restored = g_get_monotonic_time ();

  ok = ok && check_references (snapshot, error) && store_cursor (store, cursor, FALSE, error);
  checked = g_get_monotonic_time ();

  /* New rows are announced as a reload of their table rather than one by
   * one: a new desktop receives them all at once. */
  if (ok)
    {
      g_hash_table_iter_init (&iter, snapshot->written);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        tandem_store_notify_external_change (store, ((const TandemTableSpec *) key)->name);
    }

  if (ok)
    ok = tandem_store_commit (store, error);
  else
    tandem_store_rollback (store);

  g_debug ("Snapshot of %" G_GUINT64_FORMAT " new and %" G_GUINT64_FORMAT " merged rows: "
           "indexes %.2f s, derived fields %.2f s, full-text search %.2f s, "
           "references %.2f s, commit %.2f s",
           snapshot->inserted, snapshot->merged, (restored - indexed) / 1e6,
           (derived - start) / 1e6,
           (indexed - derived) / 1e6, (checked - restored) / 1e6,
           (g_get_monotonic_time () - checked) / 1e6);
  snapshot_free (snapshot);
  return ok;
}

void
tandem_sync_snapshot_abort (TandemSyncSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;

  tandem_store_rollback (snapshot->store);
  snapshot_free (snapshot);
}

/* Conflicts. */

static TandemConflict *
conflict_from_row (sqlite3_stmt *stmt)
{
  TandemConflict *conflict = g_new0 (TandemConflict, 1);

  conflict->id = sqlite3_column_int64 (stmt, 0);
  conflict->table = column_dup (stmt, 1);
  conflict->row_id = column_dup (stmt, 2);
  conflict->field = column_dup (stmt, 3);
  conflict->kept_value_json = column_dup (stmt, 4);
  conflict->kept_hlc = sqlite3_column_int64 (stmt, 5);
  conflict->kept_site = column_dup (stmt, 6);
  conflict->other_value_json = column_dup (stmt, 7);
  conflict->other_hlc = sqlite3_column_int64 (stmt, 8);
  conflict->other_site = column_dup (stmt, 9);
  conflict->detected_at = sqlite3_column_int64 (stmt, 10);

  return conflict;
}

#define CONFLICT_COLUMNS \
  "SELECT id, tbl, row_id, field, kept_value, kept_hlc, kept_site, other_value, other_hlc," \
  " other_site, detected_at FROM conflicts"

GPtrArray *
tandem_sync_list_conflicts (TandemStore  *store,
                            GError      **error)
{
  g_autoptr(GPtrArray) conflicts = g_ptr_array_new_with_free_func ((GDestroyNotify) tandem_conflict_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = tandem_store_prepare_cached (store, CONFLICT_COLUMNS " WHERE resolved_at IS NULL ORDER BY id",
                                      error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (conflicts, conflict_from_row (stmt));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (store, error);
      return NULL;
    }

  return g_steal_pointer (&conflicts);
}

gint64
tandem_sync_count_conflicts (TandemStore *store)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), -1);

  return tandem_store_query_int64 (store,
                                   "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL");
}

char *
tandem_sync_dup_conflict_row_name (TandemStore          *store,
                                   const TandemConflict *conflict)
{
  static const char * const names[] = { "name", "title", "key" };
  const TandemTableSpec *spec;
  g_autoptr(GString) sql = g_string_new ("SELECT coalesce(");
  sqlite3_stmt *stmt;
  char *name = NULL;

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (conflict != NULL, NULL);

  spec = conflict->table != NULL ? tandem_schema_lookup (conflict->table) : NULL;
  if (spec == NULL || conflict->row_id == NULL)
    return NULL;

  /* Read directly, tombstones too: the row of an edit against a delete is
   * deleted, and tandem_store_get_row() does not return it. */
  if (tandem_table_spec_field_index (spec, "first_name") >= 0 &&
      tandem_table_spec_field_index (spec, "last_name") >= 0)
    g_string_append (sql, "nullif(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')),"
                          " ''), ");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (tandem_table_spec_field_index (spec, names[i]) >= 0)
      g_string_append_printf (sql, "nullif(%s, ''), ", names[i]);
  g_string_append_printf (sql, "NULL) FROM %s WHERE id = ?", spec->name);

  stmt = tandem_store_prepare_cached (store, sql->str, NULL);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, conflict->row_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    name = column_dup (stmt, 0);
  sqlite3_reset (stmt);

  return name;
}

/* Puts the JSON value @json into @field of @record as an edit. */
static gboolean
set_from_json (TandemStore   *store,
               TandemRecord  *record,
               const char    *field,
               const char    *json,
               GError       **error)
{
  const TandemTableSpec *spec = tandem_record_get_spec (record);
  int index = tandem_table_spec_field_index (spec, field);
  sqlite3_stmt *stmt;
  g_autofree char *text = NULL;
  gboolean is_null;
  gint64 number;

  g_assert (index >= 0);

  stmt = tandem_store_prepare_cached (store, "SELECT json_extract(?1, '$') WHERE json_valid(?1)",
                                      error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, json, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      g_set_error (error, TANDEM_SYNC_ERROR, TANDEM_SYNC_ERROR_INVALID,
                   _("The other value of this conflict cannot be read."));
      return FALSE;
    }
  is_null = sqlite3_column_type (stmt, 0) == SQLITE_NULL;
  number = sqlite3_column_int64 (stmt, 0);
  text = column_dup (stmt, 0);
  sqlite3_reset (stmt);

  if (is_null)
    tandem_record_clear (record, field);
  else if (spec->fields[index].type == TANDEM_FIELD_INT)
    tandem_record_set_int (record, field, number);
  else if (spec->fields[index].type == TANDEM_FIELD_BOOL)
    tandem_record_set_bool (record, field, number != 0);
  else
    tandem_record_set_text (record, field, text);

  return TRUE;
}

static gboolean
restore_other (TandemStore            *store,
               const TandemConflict   *conflict,
               GError                **error)
{
  g_autoptr(TandemRecord) record = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean deleted;

  /* Edit against delete: keeping the other side deletes or restores. */
  if (g_str_equal (conflict->field, "deleted"))
    {
      deleted = g_strcmp0 (conflict->other_value_json, "1") == 0;

      if (!deleted)
        return tandem_store_undelete_row (store, conflict->table, conflict->row_id, error);

      record = tandem_store_get_row (store, conflict->table, conflict->row_id, &local_error);
      if (record == NULL)
        {
          /* Deleted already: nothing to do. */
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          return TRUE;
        }

      return tandem_store_delete (store, record, error);
    }

  record = tandem_store_get_row (store, conflict->table, conflict->row_id, &local_error);
  if (record == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, TANDEM_SYNC_ERROR, TANDEM_SYNC_ERROR_NOT_FOUND,
                     _("The item was deleted; restore it before keeping this value."));
      return FALSE;
    }

  if (!set_from_json (store, record, conflict->field, conflict->other_value_json, error))
    return FALSE;

  return tandem_store_save (store, record, error);
}

gboolean
tandem_sync_resolve_conflict (TandemStore  *store,
                              gint64        conflict_id,
                              gboolean      keep_other,
                              GError      **error)
{
  g_autoptr(TandemConflict) conflict = NULL;
  const TandemTableSpec *spec;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!tandem_store_begin (store, error))
    return FALSE;

  stmt = tandem_store_prepare_cached (store, CONFLICT_COLUMNS " WHERE id = ? AND resolved_at IS NULL",
                                      error);
  if (stmt == NULL)
    goto failed;

  sqlite3_bind_int64 (stmt, 1, conflict_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    conflict = conflict_from_row (stmt);
  sqlite3_reset (stmt);

  if (conflict == NULL)
    {
      g_set_error (error, TANDEM_SYNC_ERROR, TANDEM_SYNC_ERROR_NOT_FOUND,
                   _("This conflict was resolved already."));
      goto failed;
    }

  spec = conflict->table ? tandem_schema_lookup (conflict->table) : NULL;
  if (spec == NULL || conflict->field == NULL || conflict->row_id == NULL)
    {
      g_set_error (error, TANDEM_SYNC_ERROR, TANDEM_SYNC_ERROR_INVALID,
                   _("This conflict names data this version of Tandem does not know."));
      goto failed;
    }

  /* Keeping the other value is an ordinary new edit, so it reaches every
   * desktop the way any edit does. */
  if (keep_other && !restore_other (store, conflict, error))
    goto failed;

  stmt = tandem_store_prepare_cached (store, "UPDATE conflicts SET resolved_at = ? WHERE id = ?",
                                      error);
  if (stmt == NULL)
    goto failed;

  sqlite3_bind_int64 (stmt, 1, now_ms ());
  sqlite3_bind_int64 (stmt, 2, conflict_id);
  if (!step_done (store, stmt, error))
    goto failed;

  return tandem_store_commit (store, error);

failed:
  tandem_store_rollback (store);
  return FALSE;
}
