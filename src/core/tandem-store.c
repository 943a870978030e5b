/* tandem-store.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>

#include "tandem-company.h"
#include "tandem-hlc.h"
#include "tandem-icp.h"
#include "tandem-lead.h"
#include "tandem-member.h"
#include "tandem-persona.h"
#include "tandem-record-private.h"
#include "tandem-store-private.h"

/* Past this many changed rows of one table in one transaction, listeners
 * are told to reload the table instead of hearing about every row. */
#define MAX_NAMED_CHANGES 256

struct _TandemStore
{
  GObject      parent_instance;

  sqlite3     *db;
  char        *path;
  char        *site_id;
  char        *current_member;
  TandemHlc    hlc;
  gint64       persisted_hlc;
  guint        transaction_depth;
  GHashTable  *statements;
  /* Table name (static) -> GHashTable of row id -> TandemChangeKind, or
   * NULL when too many rows changed; flushed after each commit. */
  GHashTable  *pending_changes;
  /* TandemTableSpec -> InsertStatements. */
  GHashTable  *insert_sql;
  guint        bulk_depth;
};

G_DEFINE_FINAL_TYPE (TandemStore, tandem_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (tandem-store-error-quark, tandem_store_error)

enum {
  PROP_0,
  PROP_PATH,
  PROP_CURRENT_MEMBER,
  N_PROPS
};

enum {
  CHANGED,
  COMMITTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

gboolean
tandem_store_set_sql_error (TandemStore  *self,
                            GError      **error)
{
  g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_SQL,
               _("The workspace database reported an error: %s"), sqlite3_errmsg (self->db));
  return FALSE;
}

static gboolean
exec_sql (TandemStore  *self,
          const char   *sql,
          GError      **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return tandem_store_set_sql_error (self, error);

  return TRUE;
}

sqlite3 *
tandem_store_get_db (TandemStore *self)
{
  g_return_val_if_fail (TANDEM_IS_STORE (self), NULL);

  return self->db;
}

sqlite3_stmt *
tandem_store_prepare_cached (TandemStore  *self,
                             const char   *sql,
                             GError      **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (TANDEM_IS_STORE (self), NULL);

  stmt = g_hash_table_lookup (self->statements, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      tandem_store_set_sql_error (self, error);
      return NULL;
    }

  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

GType
tandem_store_record_type_for (const TandemTableSpec *spec)
{
  static const struct { const char *table; GType (*get_type) (void); } typed[] = {
    { "members", tandem_member_get_type },
    { "icps", tandem_icp_get_type },
    { "personas", tandem_persona_get_type },
    { "companies", tandem_company_get_type },
    { "leads", tandem_lead_get_type },
  };

  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    if (g_str_equal (typed[i].table, spec->name))
      return typed[i].get_type ();

  return TANDEM_TYPE_RECORD;
}

static const TandemTableSpec *
spec_for_type (GType record_type)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (record_type);

  return TANDEM_RECORD_CLASS (klass)->spec;
}

static gboolean
table_has_search (const TandemTableSpec *spec)
{
  return g_str_equal (spec->name, "leads") || g_str_equal (spec->name, "companies") ||
         g_str_equal (spec->name, "personas") || g_str_equal (spec->name, "assets");
}

/* Change notifications. */

static void
unref_pending_rows (gpointer rows)
{
  if (rows != NULL)
    g_hash_table_unref (rows);
}

static void
queue_change (TandemStore           *self,
              const TandemTableSpec *spec,
              const char            *row_id,
              TandemChangeKind       kind)
{
  GHashTable *rows;
  gpointer previous;

  if (!g_hash_table_lookup_extended (self->pending_changes, spec->name, NULL, (gpointer *) &rows))
    {
      rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (self->pending_changes, (gpointer) spec->name, rows);
    }

  if (rows == NULL)
    return;

  /* A row added and then edited in one transaction is still new to the
   * listeners; one added and removed again never existed for them. */
  if (g_hash_table_lookup_extended (rows, row_id, NULL, &previous) &&
      GPOINTER_TO_INT (previous) == TANDEM_CHANGE_ADDED)
    {
      if (kind == TANDEM_CHANGE_REMOVED)
        g_hash_table_remove (rows, row_id);
      return;
    }

  if (g_hash_table_size (rows) >= MAX_NAMED_CHANGES)
    {
      g_hash_table_insert (self->pending_changes, (gpointer) spec->name, NULL);
      return;
    }

  g_hash_table_insert (rows, g_strdup (row_id), GINT_TO_POINTER (kind));
}

static void
flush_changes (TandemStore *self)
{
  g_autoptr(GHashTable) pending = NULL;
  const TandemTableSpec **tables;
  guint n_tables;

  if (g_hash_table_size (self->pending_changes) == 0)
    return;

  pending = g_steal_pointer (&self->pending_changes);
  self->pending_changes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                 unref_pending_rows);
  tables = tandem_schema_tables (&n_tables);

  /* Tables are announced in schema order so that, e.g., a company is known
   * before the leads that point at it. */
  for (guint i = 0; i < n_tables; i++)
    {
      GHashTable *rows;
      GHashTableIter iter;
      gpointer row_id, kind;

      if (!g_hash_table_lookup_extended (pending, tables[i]->name, NULL, (gpointer *) &rows))
        continue;

      if (rows == NULL)
        {
          g_signal_emit (self, signals[CHANGED], 0, tables[i]->name, NULL, TANDEM_CHANGE_RELOAD);
          continue;
        }

      g_hash_table_iter_init (&iter, rows);
      while (g_hash_table_iter_next (&iter, &row_id, &kind))
        g_signal_emit (self, signals[CHANGED], 0, tables[i]->name, row_id, GPOINTER_TO_INT (kind));
    }

  g_signal_emit (self, signals[COMMITTED], 0);
}

void
tandem_store_note_change (TandemStore      *self,
                          const char       *table,
                          const char       *row_id,
                          TandemChangeKind  kind)
{
  const TandemTableSpec *spec;

  g_return_if_fail (TANDEM_IS_STORE (self));
  g_return_if_fail (table != NULL && row_id != NULL);

  /* The pending table keys are the schema's static names. */
  spec = tandem_schema_lookup (table);
  g_return_if_fail (spec != NULL);

  queue_change (self, spec, row_id, kind);
  if (self->transaction_depth == 0)
    flush_changes (self);
}

void
tandem_store_receive_hlc (TandemStore *self,
                          gint64       remote)
{
  g_return_if_fail (TANDEM_IS_STORE (self));

  tandem_hlc_receive (&self->hlc, remote);
}

/* Transactions. */

static gboolean
persist_hlc (TandemStore  *self,
             GError      **error)
{
  sqlite3_stmt *stmt;

  if (self->hlc.last == self->persisted_hlc)
    return TRUE;

  stmt = tandem_store_prepare_cached (self, "INSERT OR REPLACE INTO meta (key, value) VALUES ('hlc', ?)",
                                      error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, self->hlc.last);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return tandem_store_set_sql_error (self, error);

  self->persisted_hlc = self->hlc.last;
  return TRUE;
}

gboolean
tandem_store_begin (TandemStore  *self,
                    GError      **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (self), FALSE);

  if (self->transaction_depth == 0 && !exec_sql (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  self->transaction_depth++;
  return TRUE;
}

gboolean
tandem_store_commit (TandemStore  *self,
                     GError      **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->transaction_depth > 0, FALSE);

  if (self->transaction_depth > 1)
    {
      self->transaction_depth--;
      return TRUE;
    }

  if (!persist_hlc (self, error) || !exec_sql (self, "COMMIT", error))
    {
      tandem_store_rollback (self);
      return FALSE;
    }

  self->transaction_depth = 0;
  flush_changes (self);
  return TRUE;
}

void
tandem_store_rollback (TandemStore *self)
{
  g_return_if_fail (TANDEM_IS_STORE (self));

  if (self->transaction_depth == 0)
    return;

  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  self->transaction_depth = 0;
  g_hash_table_remove_all (self->pending_changes);

  /* The clock keeps its advance: stamps only have to grow, not be dense. */
  self->persisted_hlc = -1;
}

/* The mutation path. */

static gboolean
log_field (TandemStore  *self,
           const char   *table,
           const char   *row_id,
           const char   *field,
           TandemRecord *record,
           int           field_index,
           gint64        value,
           gint64        hlc,
           gint64        base_hlc,
           GError      **error)
{
  sqlite3_stmt *clock;
  sqlite3_stmt *log;

  clock = tandem_store_prepare_cached (self,
                                       "INSERT OR REPLACE INTO field_clocks (tbl, row_id, field, hlc, site)"
                                       " VALUES (?, ?, ?, ?, ?)", error);
  if (clock == NULL)
    return FALSE;

  sqlite3_bind_text (clock, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text (clock, 2, row_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (clock, 3, field, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (clock, 4, hlc);
  sqlite3_bind_text (clock, 5, self->site_id, -1, SQLITE_STATIC);
  if (sqlite3_step (clock) != SQLITE_DONE)
    return tandem_store_set_sql_error (self, error);

  log = tandem_store_prepare_cached (self,
                                     "INSERT INTO change_log (tbl, row_id, field, value, hlc, site,"
                                     " base_hlc, member_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (log == NULL)
    return FALSE;

  sqlite3_bind_text (log, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text (log, 2, row_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (log, 3, field, -1, SQLITE_STATIC);
  if (record != NULL)
    tandem_record_bind_field (record, field_index, log, 4);
  else
    sqlite3_bind_int64 (log, 4, value);
  sqlite3_bind_int64 (log, 5, hlc);
  sqlite3_bind_text (log, 6, self->site_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (log, 7, base_hlc);
  sqlite3_bind_text (log, 8, self->current_member, -1, SQLITE_STATIC);
  if (sqlite3_step (log) != SQLITE_DONE)
    return tandem_store_set_sql_error (self, error);

  return TRUE;
}

/* The version of @field the editor saw: its clock, unless the field changed
 * after the record was read, in which case the editor saw at most the row
 * as it was then. Sync uses it to tell an edit from a conflicting edit. A
 * field never written since the row was created has no clock of its own
 * and carries the row's creation clock. */
static gint64
base_hlc_for (TandemStore           *self,
              const TandemTableSpec *spec,
              const char            *row_id,
              const char            *field,
              gint64                 seen_hlc)
{
  g_autofree char *sql = g_strdup_printf ("SELECT coalesce((SELECT hlc FROM field_clocks"
                                          " WHERE tbl = ?1 AND row_id = ?2 AND field = ?3),"
                                          " created_hlc) FROM %s WHERE id = ?2", spec->name);
  sqlite3_stmt *stmt = tandem_store_prepare_cached (self, sql, NULL);
  gint64 field_hlc = 0;

  if (stmt == NULL)
    return 0;

  sqlite3_bind_text (stmt, 1, spec->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, row_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    field_hlc = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  return field_hlc <= seen_hlc ? field_hlc : seen_hlc;
}

/* base_hlc_for() of every field of @spec at once, into @base_hlcs: one
 * query for the row instead of one per field that an update writes. */
static void
base_hlcs_for_row (TandemStore           *self,
                   const TandemTableSpec *spec,
                   const char            *row_id,
                   gint64                 seen_hlc,
                   gint64                *base_hlcs)
{
  g_autofree char *sql = g_strdup_printf ("SELECT row.created_hlc, clock.field, clock.hlc"
                                          " FROM %s AS row LEFT JOIN field_clocks AS clock"
                                          " ON clock.tbl = ?1 AND clock.row_id = row.id"
                                          " WHERE row.id = ?2", spec->name);
  sqlite3_stmt *stmt = tandem_store_prepare_cached (self, sql, NULL);
  gboolean first = TRUE;

  for (guint i = 0; i < spec->n_fields; i++)
    base_hlcs[i] = 0;
  if (stmt == NULL)
    return;

  sqlite3_bind_text (stmt, 1, spec->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, row_id, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *field = (const char *) sqlite3_column_text (stmt, 1);
      int index = field != NULL ? tandem_table_spec_field_index (spec, field) : -1;

      if (first)
        for (guint i = 0; i < spec->n_fields; i++)
          base_hlcs[i] = sqlite3_column_int64 (stmt, 0);
      first = FALSE;

      if (index >= 0)
        base_hlcs[index] = sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_reset (stmt);

  for (guint i = 0; i < spec->n_fields; i++)
    base_hlcs[i] = MIN (base_hlcs[i], seen_hlc);
}

/* Returns 1 when the row exists (setting @deleted), 0 when it does not and
 * -1 on error. */
static int
row_state (TandemStore           *self,
           const TandemTableSpec *spec,
           const char            *row_id,
           gboolean              *deleted,
           GError               **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT deleted FROM %s WHERE id = ?", spec->name);
  sqlite3_stmt *stmt = tandem_store_prepare_cached (self, sql, error);
  int rc;

  if (stmt == NULL)
    return -1;

  sqlite3_bind_text (stmt, 1, row_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (deleted)
        *deleted = sqlite3_column_int (stmt, 0) != 0;
      sqlite3_reset (stmt);
      return 1;
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (self, error);
      return -1;
    }

  return 0;
}

/* The INSERT of a whole row and the change-log entry that records it, built
 * once per table: the sample generator and imports insert millions. The
 * statements are borrowed from the statement cache, which outlives this,
 * because looking their long texts up there for every row cost more than
 * some of the writes. */
typedef struct
{
  sqlite3_stmt *insert;
  sqlite3_stmt *log;
  GString      *row_json;
} InsertStatements;

static void
insert_statements_free (gpointer data)
{
  InsertStatements *statements = data;

  g_string_free (statements->row_json, TRUE);
  g_free (statements);
}

static const InsertStatements *
insert_statements_for (TandemStore            *self,
                       const TandemTableSpec  *spec,
                       GError                **error)
{
  InsertStatements *statements = g_hash_table_lookup (self->insert_sql, spec);
  g_autoptr(GString) sql = NULL;
  sqlite3_stmt *insert;
  sqlite3_stmt *log;

  if (statements != NULL)
    {
      sqlite3_reset (statements->insert);
      sqlite3_clear_bindings (statements->insert);
      sqlite3_reset (statements->log);
      sqlite3_clear_bindings (statements->log);
      return statements;
    }

  sql = g_string_new (NULL);
  g_string_append_printf (sql, "INSERT INTO %s (id, hlc, created_hlc, updated_at, updated_by",
                          spec->name);
  for (guint i = 0; i < spec->n_fields; i++)
    if (!spec->fields[i].derived)
      g_string_append_printf (sql, ", %s", spec->fields[i].name);
  g_string_append (sql, ") VALUES (?, ?, ?, ?, ?");
  for (guint i = 0; i < spec->n_fields; i++)
    if (!spec->fields[i].derived)
      g_string_append (sql, ", ?");
  g_string_append (sql, ")");
  insert = tandem_store_prepare_cached (self, sql->str, error);
  if (insert == NULL)
    return NULL;

  /* A new row travels whole, as one JSON object of its fields plus the
   * tombstone (see row_json_build()), so that a row whose fields are all
   * empty still exists for the other desktops. Its fields take their
   * clock from the row until they are changed. */
  log = tandem_store_prepare_cached (self, "INSERT INTO change_log (tbl, row_id, field, value,"
                                           " hlc, site, base_hlc, member_id)"
                                           " VALUES (?, ?, '*', ?, ?, ?, 0, ?)", error);
  if (log == NULL)
    return NULL;

  statements = g_new0 (InsertStatements, 1);
  statements->insert = insert;
  statements->log = log;
  statements->row_json = g_string_sized_new (512);
  g_hash_table_insert (self->insert_sql, (gpointer) spec, statements);
  return statements;
}

static void
json_append_string (GString    *json,
                    const char *text)
{
  const char *run = text;
  const char *p;

  g_string_append_c (json, '"');
  for (p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;

      g_string_append_len (json, run, p - run);
      g_string_append_c (json, '\\');
      /* Escaped as json_object() does, so the text is the same too. */
      if (c == '"' || c == '\\')
        g_string_append_c (json, (char) c);
      else if (c == '\b' || c == '\t' || c == '\n' || c == '\f' || c == '\r')
        g_string_append_c (json, "01234567btn0fr"[c]);
      else
        g_string_append_printf (json, "u%04x", c);
      run = p + 1;
    }
  g_string_append_len (json, run, p - run);
  g_string_append_c (json, '"');
}

/* Appends @value in decimal; printf costs more than the rest of a row's
 * JSON. */
static void
json_append_int (GString *json,
                 gint64   value)
{
  char digits[24];
  char *p = digits + sizeof digits;
  guint64 magnitude = value < 0 ? -(guint64) value : (guint64) value;

  do
    {
      *--p = (char) ('0' + magnitude % 10);
      magnitude /= 10;
    }
  while (magnitude > 0);

  if (value < 0)
    *--p = '-';

  g_string_append_len (json, p, digits + sizeof digits - p);
}

/* The JSON object a new row travels as: every non-derived field of
 * @record, then the tombstone, which a new row has unset. Built here
 * rather than by json_object() over the inserted row, which reads the
 * row back and costs twice as much. */
static void
row_json_build (TandemRecord *record,
                GString      *json)
{
  const TandemTableSpec *spec = tandem_record_get_spec (record);

  g_string_truncate (json, 0);
  g_string_append_c (json, '{');
  for (guint i = 0; i < spec->n_fields; i++)
    {
      const TandemFieldSpec *field = &spec->fields[i];

      if (field->derived)
        continue;

      g_string_append_c (json, '"');
      g_string_append (json, field->name);
      g_string_append (json, "\":");
      if (tandem_record_field_is_null (record, i))
        g_string_append (json, "null");
      else if (field->type == TANDEM_FIELD_INT || field->type == TANDEM_FIELD_BOOL)
        json_append_int (json, tandem_record_get_int (record, field->name));
      else
        json_append_string (json, tandem_record_get_text (record, field->name));
      g_string_append_c (json, ',');
    }
  g_string_append (json, "\"deleted\":0}");
}

/* Returns 1 when inserted, 0 when a row with this id exists already, and
 * -1 on error. */
static int
insert_record (TandemStore   *self,
               TandemRecord  *record,
               gint64         hlc,
               GError       **error)
{
  const TandemTableSpec *spec = tandem_record_get_spec (record);
  const InsertStatements *statements = insert_statements_for (self, spec, error);
  const char *row_id = tandem_record_get_id (record);
  sqlite3_stmt *stmt;
  int parameter = 1;
  int rc;

  if (statements == NULL)
    return -1;

  stmt = statements->insert;
  sqlite3_bind_text (stmt, parameter++, row_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, parameter++, hlc);
  sqlite3_bind_int64 (stmt, parameter++, hlc);
  sqlite3_bind_int64 (stmt, parameter++, tandem_hlc_get_millis (hlc));
  sqlite3_bind_text (stmt, parameter++, self->current_member, -1, SQLITE_STATIC);
  for (guint i = 0; i < spec->n_fields; i++)
    if (!spec->fields[i].derived)
      tandem_record_bind_field (record, i, stmt, parameter++);

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    return 0;
  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (self, error);
      return -1;
    }

  row_json_build (record, statements->row_json);
  stmt = statements->log;
  sqlite3_bind_text (stmt, 1, spec->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, row_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, statements->row_json->str, statements->row_json->len,
                     SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, hlc);
  sqlite3_bind_text (stmt, 5, self->site_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, self->current_member, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (self, error);
      return -1;
    }

  return 1;
}

static gboolean
update_record (TandemStore   *self,
               TandemRecord  *record,
               gint64         hlc,
               GError       **error)
{
  const TandemTableSpec *spec = tandem_record_get_spec (record);
  const char *row_id = tandem_record_get_id (record);
  gint64 seen_hlc = tandem_record_get_loaded_hlc (record);
  g_autoptr(GString) sql = g_string_new (NULL);
  gint64 *base_hlcs = g_newa (gint64, spec->n_fields);
  sqlite3_stmt *stmt;
  int parameter = 1;

  g_string_append_printf (sql, "UPDATE %s SET hlc = ?, updated_at = ?, updated_by = ?", spec->name);
  for (guint i = 0; i < spec->n_fields; i++)
    if (tandem_record_index_changed (record, i) && !spec->fields[i].derived)
      g_string_append_printf (sql, ", %s = ?", spec->fields[i].name);
  g_string_append (sql, " WHERE id = ?");

  stmt = tandem_store_prepare_cached (self, sql->str, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, parameter++, hlc);
  sqlite3_bind_int64 (stmt, parameter++, tandem_hlc_get_millis (hlc));
  sqlite3_bind_text (stmt, parameter++, self->current_member, -1, SQLITE_STATIC);
  for (guint i = 0; i < spec->n_fields; i++)
    if (tandem_record_index_changed (record, i) && !spec->fields[i].derived)
      tandem_record_bind_field (record, i, stmt, parameter++);
  sqlite3_bind_text (stmt, parameter, row_id, -1, SQLITE_TRANSIENT);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    return tandem_store_set_sql_error (self, error);

  base_hlcs_for_row (self, spec, row_id, seen_hlc, base_hlcs);
  for (guint i = 0; i < spec->n_fields; i++)
    {
      if (!tandem_record_index_changed (record, i) || spec->fields[i].derived)
        continue;

      if (!log_field (self, spec->name, row_id, spec->fields[i].name, record, i, 0, hlc,
                      base_hlcs[i], error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_tombstone (TandemStore           *self,
                 const TandemTableSpec *spec,
                 const char            *row_id,
                 gboolean               deleted,
                 GError               **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  gint64 hlc = tandem_hlc_now (&self->hlc);
  gint64 base_hlc = base_hlc_for (self, spec, row_id, "deleted", G_MAXINT64);

  sql = g_strdup_printf ("UPDATE %s SET deleted = ?, hlc = ?, updated_at = ?, updated_by = ?"
                         " WHERE id = ?", spec->name);
  stmt = tandem_store_prepare_cached (self, sql, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int (stmt, 1, deleted ? 1 : 0);
  sqlite3_bind_int64 (stmt, 2, hlc);
  sqlite3_bind_int64 (stmt, 3, tandem_hlc_get_millis (hlc));
  sqlite3_bind_text (stmt, 4, self->current_member, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, row_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return tandem_store_set_sql_error (self, error);

  if (!log_field (self, spec->name, row_id, "deleted", NULL, -1, deleted ? 1 : 0, hlc, base_hlc,
                  error))
    return FALSE;

  queue_change (self, spec, row_id, deleted ? TANDEM_CHANGE_REMOVED : TANDEM_CHANGE_ADDED);
  return TRUE;
}

gboolean
tandem_store_save (TandemStore   *self,
                   TandemRecord  *record,
                   GError       **error)
{
  const TandemTableSpec *spec;
  const char *row_id;
  gboolean deleted = FALSE;
  gboolean inserted = FALSE;
  gint64 hlc;

  g_return_val_if_fail (TANDEM_IS_STORE (self), FALSE);
  g_return_val_if_fail (TANDEM_IS_RECORD (record), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  spec = tandem_record_get_spec (record);
  row_id = tandem_record_get_id (record);

  if (tandem_record_is_stored (record) && !tandem_record_has_changes (record))
    return TRUE;

  if (!tandem_store_begin (self, error))
    return FALSE;

  hlc = tandem_hlc_now (&self->hlc);

  /* A record never stored is almost always new, so it is inserted without
   * asking first; one whose id exists already is saved as an update. */
  if (!tandem_record_is_stored (record))
    {
      int rc = insert_record (self, record, hlc, error);

      if (rc < 0)
        goto failed;
      inserted = rc == 1;
    }

  if (!inserted)
    {
      int exists = row_state (self, spec, row_id, &deleted, error);

      if (exists < 0)
        goto failed;

      g_assert (exists == 1);

      if (spec->insert_only)
        {
          g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_INVALID,
                       _("Entries of “%s” are a record of what happened and cannot be changed."),
                       spec->name);
          goto failed;
        }

      if (deleted)
        {
          g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_NOT_FOUND,
                       _("This item was deleted, so the change was not saved."));
          goto failed;
        }

      if (!update_record (self, record, hlc, error))
        goto failed;
    }

  /* Listeners hear of the change when the outermost transaction commits. */
  queue_change (self, spec, row_id, inserted ? TANDEM_CHANGE_ADDED : TANDEM_CHANGE_UPDATED);

  if (!tandem_store_commit (self, error))
    return FALSE;

  tandem_record_mark_stored (record, hlc);
  return TRUE;

failed:
  tandem_store_rollback (self);
  return FALSE;
}

void
tandem_store_enter_bulk (TandemStore *self)
{
  g_return_if_fail (TANDEM_IS_STORE (self));

  if (self->bulk_depth++ == 0)
    sqlite3_exec (self->db, "PRAGMA cache_size = -262144; PRAGMA mmap_size = 4294967296",
                  NULL, NULL, NULL);
}

void
tandem_store_defer_checkpoints (TandemStore *self)
{
  g_return_if_fail (TANDEM_IS_STORE (self));

  sqlite3_wal_autocheckpoint (self->db, 0);
}

void
tandem_store_leave_bulk (TandemStore *self)
{
  g_return_if_fail (TANDEM_IS_STORE (self));
  g_return_if_fail (self->bulk_depth > 0);

  /* SQLite's own defaults: a 2 MiB cache and no mapping. */
  if (--self->bulk_depth == 0)
    sqlite3_exec (self->db, "PRAGMA cache_size = -2000; PRAGMA mmap_size = 0", NULL, NULL, NULL);
}

gboolean
tandem_store_defer_references (TandemStore *self)
{
  g_return_val_if_fail (TANDEM_IS_STORE (self), FALSE);

  /* The setting only changes outside a transaction. */
  if (!sqlite3_get_autocommit (self->db) ||
      tandem_store_query_int64 (self, "PRAGMA foreign_keys") != 1)
    return FALSE;

  return sqlite3_exec (self->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL) == SQLITE_OK;
}

void
tandem_store_restore_references (TandemStore *self)
{
  g_return_if_fail (TANDEM_IS_STORE (self));

  sqlite3_exec (self->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
}

/* The first value of @column of @table that names no row of @parent, or
 * NULL: each distinct value looked up once, which costs a fraction of
 * checking every row (PRAGMA foreign_key_check) on the large tables. */
static gboolean
find_missing_parent (TandemStore  *self,
                     const char   *table,
                     const char   *column,
                     const char   *parent,
                     const char   *parent_column,
                     char        **missing,
                     GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  char *sql;
  int rc;

  sql = sqlite3_mprintf ("SELECT c.v FROM (SELECT DISTINCT \"%w\" AS v FROM \"%w\""
                         " WHERE \"%w\" IS NOT NULL) AS c WHERE NOT EXISTS"
                         " (SELECT 1 FROM \"%w\" WHERE \"%w\" = c.v) LIMIT 1",
                         column, table, column, parent, parent_column);
  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  sqlite3_free (sql);
  if (rc != SQLITE_OK)
    return tandem_store_set_sql_error (self, error);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *missing = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return tandem_store_set_sql_error (self, error);

  return TRUE;
}

gboolean
tandem_store_find_broken_reference (TandemStore  *self,
                                    const char   *table,
                                    char        **column,
                                    char        **value,
                                    GError      **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (TANDEM_IS_STORE (self), FALSE);
  g_return_val_if_fail (column != NULL && *column == NULL, FALSE);
  g_return_val_if_fail (value != NULL && *value == NULL, FALSE);

  sql = g_strdup_printf ("PRAGMA foreign_key_list(%s)", table);
  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return tandem_store_set_sql_error (self, error);

  /* Columns: id, seq, table, from, to, ...; every reference of the schema
   * is one column naming a row by its id. */
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW && *value == NULL)
    {
      const char *parent = (const char *) sqlite3_column_text (stmt, 2);
      const char *from = (const char *) sqlite3_column_text (stmt, 3);
      const char *to = (const char *) sqlite3_column_text (stmt, 4);

      g_assert (sqlite3_column_int (stmt, 1) == 0 && parent != NULL && from != NULL);

      if (!find_missing_parent (self, table, from, parent, to ? to : "id", value, error))
        {
          sqlite3_finalize (stmt);
          return FALSE;
        }
      if (*value != NULL)
        *column = g_strdup (from);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return tandem_store_set_sql_error (self, error);

  return TRUE;
}

gboolean
tandem_store_write_derived (TandemStore   *self,
                            TandemRecord  *record,
                            GError       **error)
{
  const TandemTableSpec *spec;
  g_autoptr(GString) sql = g_string_new (NULL);
  sqlite3_stmt *stmt;
  int parameter = 1;

  g_return_val_if_fail (TANDEM_IS_STORE (self), FALSE);
  g_return_val_if_fail (TANDEM_IS_RECORD (record), FALSE);

  spec = tandem_record_get_spec (record);

  g_string_append_printf (sql, "UPDATE %s SET id = id", spec->name);
  for (guint i = 0; i < spec->n_fields; i++)
    if (spec->fields[i].derived)
      g_string_append_printf (sql, ", %s = ?", spec->fields[i].name);
  g_string_append (sql, " WHERE id = ?");

  stmt = tandem_store_prepare_cached (self, sql->str, error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < spec->n_fields; i++)
    if (spec->fields[i].derived)
      tandem_record_bind_field (record, i, stmt, parameter++);
  sqlite3_bind_text (stmt, parameter, tandem_record_get_id (record), -1, SQLITE_TRANSIENT);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    return tandem_store_set_sql_error (self, error);

  queue_change (self, spec, tandem_record_get_id (record), TANDEM_CHANGE_UPDATED);
  if (self->transaction_depth == 0)
    flush_changes (self);

  return TRUE;
}

static gboolean
set_deleted (TandemStore            *self,
             const TandemTableSpec  *spec,
             const char             *row_id,
             gboolean                deleted,
             GError                **error)
{
  gboolean was_deleted = FALSE;
  int exists;

  if (spec->insert_only)
    {
      g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_INVALID,
                   _("Entries of “%s” are a record of what happened and cannot be deleted."),
                   spec->name);
      return FALSE;
    }

  if (!tandem_store_begin (self, error))
    return FALSE;

  exists = row_state (self, spec, row_id, &was_deleted, error);
  if (exists < 0)
    goto failed;

  if (exists == 0)
    {
      g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_NOT_FOUND,
                   _("The item to change no longer exists."));
      goto failed;
    }

  if (was_deleted != deleted && !write_tombstone (self, spec, row_id, deleted, error))
    goto failed;

  return tandem_store_commit (self, error);

failed:
  tandem_store_rollback (self);
  return FALSE;
}

gboolean
tandem_store_delete (TandemStore   *self,
                     TandemRecord  *record,
                     GError       **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (self), FALSE);
  g_return_val_if_fail (TANDEM_IS_RECORD (record), FALSE);

  return set_deleted (self, tandem_record_get_spec (record), tandem_record_get_id (record), TRUE,
                      error);
}

gboolean
tandem_store_undelete (TandemStore  *self,
                       GType         record_type,
                       const char   *id,
                       GError      **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_type_is_a (record_type, TANDEM_TYPE_RECORD), FALSE);
  g_return_val_if_fail (record_type != TANDEM_TYPE_RECORD, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  return set_deleted (self, spec_for_type (record_type), id, FALSE, error);
}

gboolean
tandem_store_undelete_row (TandemStore  *self,
                           const char   *table,
                           const char   *id,
                           GError      **error)
{
  const TandemTableSpec *spec;

  g_return_val_if_fail (TANDEM_IS_STORE (self), FALSE);
  g_return_val_if_fail (table != NULL && id != NULL, FALSE);

  spec = tandem_schema_lookup (table);
  g_return_val_if_fail (spec != NULL, FALSE);

  return set_deleted (self, spec, id, FALSE, error);
}

/* Reads. */

static char *
select_columns_sql (const TandemTableSpec *spec)
{
  GString *sql = g_string_new ("SELECT id, hlc");

  for (guint i = 0; i < spec->n_fields; i++)
    g_string_append_printf (sql, ", %s", spec->fields[i].name);
  g_string_append_printf (sql, " FROM %s", spec->name);

  return g_string_free (sql, FALSE);
}

TandemRecord *
tandem_store_record_from_row (const TandemTableSpec *spec,
                              sqlite3_stmt          *stmt)
{
  GType type = tandem_store_record_type_for (spec);
  const char *id = (const char *) sqlite3_column_text (stmt, 0);
  TandemRecord *record;

  if (type == TANDEM_TYPE_RECORD)
    record = tandem_record_new_for_table (spec->name, id);
  else
    record = tandem_record_new_with_id (type, id);

  for (guint i = 0; i < spec->n_fields; i++)
    tandem_record_load_column (record, i, stmt, (int) i + 2);

  tandem_record_mark_stored (record, sqlite3_column_int64 (stmt, 1));
  return record;
}

static GPtrArray *
collect_records (TandemStore            *self,
                 const TandemTableSpec  *spec,
                 sqlite3_stmt           *stmt,
                 GError                **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (records, tandem_store_record_from_row (spec, stmt));

  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (self, error);
      return NULL;
    }

  return g_steal_pointer (&records);
}

static const TandemTableSpec *
spec_for_record_type (GType record_type)
{
  g_return_val_if_fail (g_type_is_a (record_type, TANDEM_TYPE_RECORD), NULL);
  g_return_val_if_fail (record_type != TANDEM_TYPE_RECORD, NULL);

  return spec_for_type (record_type);
}

static TandemRecord *
get_by_spec (TandemStore            *self,
             const TandemTableSpec  *spec,
             const char             *id,
             GError                **error)
{
  g_autofree char *columns = select_columns_sql (spec);
  g_autofree char *sql = g_strdup_printf ("%s WHERE id = ? AND deleted = 0", columns);
  sqlite3_stmt *stmt;
  TandemRecord *record = NULL;
  int rc;

  stmt = tandem_store_prepare_cached (self, sql, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    record = tandem_store_record_from_row (spec, stmt);
  else if (rc != SQLITE_DONE)
    tandem_store_set_sql_error (self, error);
  sqlite3_reset (stmt);

  return record;
}

gpointer
tandem_store_get (TandemStore  *self,
                  GType         record_type,
                  const char   *id,
                  GError      **error)
{
  const TandemTableSpec *spec;

  g_return_val_if_fail (TANDEM_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  spec = spec_for_record_type (record_type);
  g_return_val_if_fail (spec != NULL, NULL);

  return get_by_spec (self, spec, id, error);
}

TandemRecord *
tandem_store_get_row (TandemStore  *self,
                      const char   *table,
                      const char   *id,
                      GError      **error)
{
  const TandemTableSpec *spec;

  g_return_val_if_fail (TANDEM_IS_STORE (self), NULL);
  g_return_val_if_fail (table != NULL && id != NULL, NULL);

  spec = tandem_schema_lookup (table);
  g_return_val_if_fail (spec != NULL, NULL);

  return get_by_spec (self, spec, id, error);
}

char *
tandem_store_build_fts_query (const char *text)
{
  g_autoptr(GString) query = g_string_new (NULL);
  g_autoptr(GString) word = g_string_new (NULL);

  if (text == NULL)
    return NULL;

  /* Anything that is not a letter or a digit separates words, so FTS5's
   * own syntax (quotes, stars, NEAR, column filters) can never be typed. */
  for (const char *p = text; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && g_unichar_isalnum (c))
        {
          g_string_append_unichar (word, c);
          continue;
        }

      if (word->len > 0)
        {
          g_string_append_printf (query, "%s\"%s\"*", query->len ? " " : "", word->str);
          g_string_truncate (word, 0);
        }

      if (c == 0)
        break;
    }

  return query->len ? g_strdup (query->str) : NULL;
}

static sqlite3_stmt *
prepare_listing (TandemStore            *self,
                 const TandemTableSpec  *spec,
                 const char             *columns,
                 const char             *search,
                 GError                **error)
{
  g_autofree char *fts_query = NULL;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;

  if (search != NULL)
    {
      if (!table_has_search (spec))
        {
          g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_INVALID,
                       "Table %s has no search index", spec->name);
          return NULL;
        }
      fts_query = tandem_store_build_fts_query (search);
    }

  if (fts_query != NULL)
    sql = g_strdup_printf ("%s WHERE deleted = 0 AND rowid IN"
                           " (SELECT rowid FROM %s_fts WHERE %s_fts MATCH ?) ORDER BY %s",
                           columns, spec->name, spec->name, spec->order_by);
  else
    sql = g_strdup_printf ("%s WHERE deleted = 0 ORDER BY %s", columns, spec->order_by);

  stmt = tandem_store_prepare_cached (self, sql, error);
  if (stmt != NULL && fts_query != NULL)
    sqlite3_bind_text (stmt, 1, fts_query, -1, SQLITE_TRANSIENT);

  return stmt;
}

static GPtrArray *
list_by_spec (TandemStore            *self,
              const TandemTableSpec  *spec,
              const char             *search,
              GError                **error)
{
  g_autofree char *columns = select_columns_sql (spec);
  sqlite3_stmt *stmt;
  GPtrArray *records;

  stmt = prepare_listing (self, spec, columns, search, error);
  if (stmt == NULL)
    return NULL;

  records = collect_records (self, spec, stmt, error);
  sqlite3_reset (stmt);
  return records;
}

static GPtrArray *
list_records (TandemStore  *self,
              GType         record_type,
              const char   *search,
              GError      **error)
{
  const TandemTableSpec *spec = spec_for_record_type (record_type);

  g_return_val_if_fail (spec != NULL, NULL);

  return list_by_spec (self, spec, search, error);
}

GPtrArray *
tandem_store_list_rows (TandemStore  *self,
                        const char   *table,
                        GError      **error)
{
  const TandemTableSpec *spec;

  g_return_val_if_fail (TANDEM_IS_STORE (self), NULL);
  g_return_val_if_fail (table != NULL, NULL);

  spec = tandem_schema_lookup (table);
  g_return_val_if_fail (spec != NULL, NULL);

  return list_by_spec (self, spec, NULL, error);
}

void
tandem_store_notify_external_change (TandemStore *self,
                                     const char  *table)
{
  const TandemTableSpec *spec;

  g_return_if_fail (TANDEM_IS_STORE (self));
  g_return_if_fail (table != NULL);

  spec = tandem_schema_lookup (table);
  g_return_if_fail (spec != NULL);

  /* Marking the table as overflowing is what asks for a reload. */
  g_hash_table_insert (self->pending_changes, (gpointer) spec->name, NULL);
  if (self->transaction_depth == 0)
    flush_changes (self);
}

void
tandem_store_notify_external_rows (TandemStore *self,
                                   GHashTable  *changes)
{
  GHashTableIter iter;
  gpointer table, rows;

  g_return_if_fail (TANDEM_IS_STORE (self));
  g_return_if_fail (changes != NULL);

  g_hash_table_iter_init (&iter, changes);
  while (g_hash_table_iter_next (&iter, &table, &rows))
    {
      const TandemTableSpec *spec = tandem_schema_lookup (table);
      GHashTableIter row_iter;
      gpointer row_id, kind;

      g_return_if_fail (spec != NULL);

      if (rows == NULL)
        {
          g_hash_table_insert (self->pending_changes, (gpointer) spec->name, NULL);
          continue;
        }

      /* Queued as this store's own changes are, so that the rules for a
       * row added and changed, or for too many rows to name, are the same. */
      g_hash_table_iter_init (&row_iter, rows);
      while (g_hash_table_iter_next (&row_iter, &row_id, &kind))
        queue_change (self, spec, row_id, GPOINTER_TO_INT (kind));
    }

  if (self->transaction_depth == 0)
    flush_changes (self);
}

GPtrArray *
tandem_store_list (TandemStore  *self,
                   GType         record_type,
                   GError      **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (self), NULL);

  return list_records (self, record_type, NULL, error);
}

GPtrArray *
tandem_store_search (TandemStore  *self,
                     GType         record_type,
                     const char   *text,
                     GError      **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  return list_records (self, record_type, text, error);
}

GPtrArray *
tandem_store_list_ids (TandemStore            *self,
                       const TandemTableSpec  *spec,
                       const char             *search,
                       GError                **error)
{
  g_autofree char *columns = g_strdup_printf ("SELECT id FROM %s", spec->name);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (TANDEM_IS_STORE (self), NULL);

  stmt = prepare_listing (self, spec, columns, search, error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (self, error);
      return NULL;
    }

  return g_steal_pointer (&ids);
}

gint64
tandem_store_count (TandemStore *self,
                    const char  *table)
{
  const TandemTableSpec *spec;
  g_autofree char *sql = NULL;

  g_return_val_if_fail (TANDEM_IS_STORE (self), -1);
  g_return_val_if_fail (table != NULL, -1);

  /* Only names from the schema reach the SQL text. */
  spec = tandem_schema_lookup (table);
  g_return_val_if_fail (spec != NULL, -1);

  sql = g_strdup_printf ("SELECT count(*) FROM %s WHERE deleted = 0", spec->name);
  return tandem_store_query_int64 (self, sql);
}

gint64
tandem_store_query_int64 (TandemStore *self,
                          const char  *sql)
{
  sqlite3_stmt *stmt = tandem_store_prepare_cached (self, sql, NULL);
  gint64 value = -1;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  if (stmt != NULL)
    sqlite3_reset (stmt);

  return value;
}

/* Settings. */

char *
tandem_store_get_setting (TandemStore *self,
                          const char  *key,
                          const char  *default_value)
{
  sqlite3_stmt *stmt;
  char *value = NULL;

  g_return_val_if_fail (TANDEM_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  stmt = tandem_store_prepare_cached (self, "SELECT value FROM settings WHERE id = ? AND deleted = 0",
                                      NULL);
  if (stmt == NULL)
    return g_strdup (default_value);

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  return value ? value : g_strdup (default_value);
}

gboolean
tandem_store_set_setting (TandemStore  *self,
                          const char   *key,
                          const char   *value,
                          GError      **error)
{
  const TandemTableSpec *spec = tandem_schema_lookup ("settings");
  g_autoptr(TandemRecord) record = NULL;
  g_autofree char *columns = NULL;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  gboolean was_deleted = FALSE;
  int exists;

  g_return_val_if_fail (TANDEM_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL && *key != '\0', FALSE);

  if (!tandem_store_begin (self, error))
    return FALSE;

  exists = row_state (self, spec, key, &was_deleted, error);
  if (exists < 0)
    goto failed;

  if (exists && was_deleted && !write_tombstone (self, spec, key, FALSE, error))
    goto failed;

  columns = select_columns_sql (spec);
  sql = g_strdup_printf ("%s WHERE id = ?", columns);
  stmt = tandem_store_prepare_cached (self, sql, error);
  if (stmt == NULL)
    goto failed;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    record = tandem_store_record_from_row (spec, stmt);
  else
    record = tandem_record_new_for_table ("settings", key);
  sqlite3_reset (stmt);

  tandem_record_set_text (record, "value", value);
  if (!tandem_store_save (self, record, error))
    return FALSE;

  return tandem_store_commit (self, error);

failed:
  tandem_store_rollback (self);
  return FALSE;
}

gboolean
tandem_store_backup (TandemStore  *self,
                     const char   *destination,
                     GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (TANDEM_IS_STORE (self), FALSE);
  g_return_val_if_fail (destination != NULL, FALSE);

  if (g_file_test (destination, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_INVALID,
                   _("A file named “%s” already exists; choose another name for the backup."),
                   destination);
      return FALSE;
    }

  if (sqlite3_prepare_v2 (self->db, "VACUUM INTO ?", -1, &stmt, NULL) != SQLITE_OK)
    return tandem_store_set_sql_error (self, error);

  sqlite3_bind_text (stmt, 1, destination, -1, SQLITE_TRANSIENT);
  ok = sqlite3_step (stmt) == SQLITE_DONE;
  if (!ok)
    g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_SQL,
                 _("Could not write the backup to “%s”: %s"), destination, sqlite3_errmsg (self->db));
  sqlite3_finalize (stmt);

  return ok;
}

/* Opening and migrating. */

char *
tandem_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "tandem", "workspace.db", NULL);
}

static gboolean
has_foreign_tables (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  if (sqlite3_prepare_v2 (db, "SELECT 1 FROM sqlite_schema LIMIT 1", -1, &stmt, NULL) == SQLITE_OK)
    found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);

  return found;
}

static gboolean
migrate (TandemStore  *self,
         int           version,
         GError      **error)
{
  if (version > TANDEM_SCHEMA_VERSION)
    {
      g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_NEWER_SCHEMA,
                   _("“%s” was saved by a newer version of Tandem (schema %d; this version "
                     "understands up to %d). Update Tandem to open it; the file was not changed."),
                   self->path, version, TANDEM_SCHEMA_VERSION);
      return FALSE;
    }

  if (version == 0 && has_foreign_tables (self->db))
    {
      g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_OPEN,
                   _("“%s” is a database, but not a Tandem workspace; it was not changed."),
                   self->path);
      return FALSE;
    }

  /* A workspace that holds data is copied before it is changed, so a failed
   * or regretted migration can always be undone by hand. */
  if (version > 0 && version < TANDEM_SCHEMA_VERSION)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
      g_autofree char *backup = g_strdup_printf ("%s.schema%d-%s.bak", self->path, version, stamp);

      if (!tandem_store_backup (self, backup, error))
        {
          g_prefix_error (error, _("The workspace was not updated because it could not be backed up first: "));
          return FALSE;
        }
    }

  for (int step = version + 1; step <= TANDEM_SCHEMA_VERSION; step++)
    if (!tandem_schema_migrate_step (self->db, step, error))
      return FALSE;

  return TRUE;
}

static gboolean
load_identity (TandemStore  *self,
               GError      **error)
{
  sqlite3_stmt *stmt;

  stmt = tandem_store_prepare_cached (self, "SELECT value FROM meta WHERE key = 'site_id'", error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    self->site_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  if (self->site_id == NULL)
    {
      /* 16 random bytes, as hex: a UUID without its dashes. */
      g_autofree char *uuid = g_uuid_string_random ();
      g_autoptr(GString) hex = g_string_new (uuid);

      g_string_replace (hex, "-", "", 0);
      self->site_id = g_strdup (hex->str);

      stmt = tandem_store_prepare_cached (self, "INSERT INTO meta (key, value) VALUES ('site_id', ?)",
                                          error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, self->site_id, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        return tandem_store_set_sql_error (self, error);
    }

  stmt = tandem_store_prepare_cached (self, "SELECT value FROM meta WHERE key = 'hlc'", error);
  if (stmt == NULL)
    return FALSE;
  tandem_hlc_init (&self->hlc, 0);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    self->hlc.last = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  self->persisted_hlc = self->hlc.last;

  return TRUE;
}

TandemStore *
tandem_store_open (const char  *path,
                   GError     **error)
{
  g_autoptr(TandemStore) self = NULL;
  int version;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (TANDEM_TYPE_STORE, "path", path, NULL);

  /* A store is used by one thread at a time (a worker opens a store of its
   * own), so its connection needs no lock of its own: SQLite's serialized
   * mode takes one around every bind and column call, several percent of
   * a large import or snapshot. */
  if (sqlite3_open_v2 (path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_OPEN,
                   _("Could not open the workspace “%s”: %s"), path,
                   self->db ? sqlite3_errmsg (self->db) : g_strerror (ENOMEM));
      return NULL;
    }

  sqlite3_busy_timeout (self->db, TANDEM_STORE_BUSY_TIMEOUT_MS);
  sqlite3_extended_result_codes (self->db, 1);

  version = tandem_schema_get_version (self->db);
  if (version < 0)
    {
      g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_OPEN,
                   _("“%s” is not a Tandem workspace (%s); it was not changed."),
                   path, sqlite3_errmsg (self->db));
      return NULL;
    }

  if (sqlite3_exec (self->db,
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                    "PRAGMA foreign_keys = ON;", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_OPEN,
                   _("Could not open the workspace “%s”: %s"), path, sqlite3_errmsg (self->db));
      return NULL;
    }

  if (!migrate (self, version, error) || !load_identity (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
tandem_store_get_path (TandemStore *self)
{
  g_return_val_if_fail (TANDEM_IS_STORE (self), NULL);

  return self->path;
}

int
tandem_store_get_schema_version (TandemStore *self)
{
  g_return_val_if_fail (TANDEM_IS_STORE (self), -1);

  return tandem_schema_get_version (self->db);
}

const char *
tandem_store_get_site_id (TandemStore *self)
{
  g_return_val_if_fail (TANDEM_IS_STORE (self), NULL);

  return self->site_id;
}

const char *
tandem_store_get_current_member (TandemStore *self)
{
  g_return_val_if_fail (TANDEM_IS_STORE (self), NULL);

  return self->current_member;
}

void
tandem_store_set_current_member (TandemStore *self,
                                 const char  *member_id)
{
  g_return_if_fail (TANDEM_IS_STORE (self));

  if (g_strcmp0 (self->current_member, member_id) == 0)
    return;

  g_free (self->current_member);
  self->current_member = g_strdup (member_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_MEMBER]);
}

static void
tandem_store_finalize (GObject *object)
{
  TandemStore *self = TANDEM_STORE (object);

  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->pending_changes, g_hash_table_unref);
  g_clear_pointer (&self->insert_sql, g_hash_table_unref);

  if (self->db != NULL)
    {
      if (self->transaction_depth > 0)
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      /* Folding the write-ahead log back keeps the workspace one file when
       * it is copied or mailed while the app is closed. While another
       * connection reads (a worker's store closing under the app's own),
       * the fold would wait for it; the last connection to close folds it
       * anyway, so then it is left to that one. */
      sqlite3_busy_timeout (self->db, 0);
      sqlite3_exec (self->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
      sqlite3_close (self->db);
      self->db = NULL;
    }

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->site_id, g_free);
  g_clear_pointer (&self->current_member, g_free);

  G_OBJECT_CLASS (tandem_store_parent_class)->finalize (object);
}

static void
tandem_store_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TandemStore *self = TANDEM_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_CURRENT_MEMBER:
      g_value_set_string (value, self->current_member);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_store_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  TandemStore *self = TANDEM_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    case PROP_CURRENT_MEMBER:
      tandem_store_set_current_member (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_store_class_init (TandemStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tandem_store_finalize;
  object_class->get_property = tandem_store_get_property;
  object_class->set_property = tandem_store_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURRENT_MEMBER] =
    g_param_spec_string ("current-member", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TandemStore::changed:
   * @table: the table that changed
   * @row_id: (nullable): the row, or %NULL with %TANDEM_CHANGE_RELOAD
   * @kind: a #TandemChangeKind
   *
   * Sent after a transaction commits, once for each row it changed.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT);

  /**
   * TandemStore::committed:
   *
   * Sent after the #TandemStore::changed notifications of one commit, so
   * that a listener can act once for all the rows it heard about.
   */
  signals[COMMITTED] =
    g_signal_new ("committed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
tandem_store_init (TandemStore *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) sqlite3_finalize);
  self->insert_sql = g_hash_table_new_full (NULL, NULL, NULL, insert_statements_free);
  self->pending_changes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                 unref_pending_rows);
}
