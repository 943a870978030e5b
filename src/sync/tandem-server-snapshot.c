/* tandem-server-snapshot.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "tandem-schema.h"
#include "tandem-server-snapshot.h"
#include "tandem-snapshot-format.h"

struct _TandemServerSnapshot
{
  sqlite3                *db;
  char                   *path;
  sqlite3_stmt           *rows;
  const TandemTableSpec **tables;
  guint                   n_tables;
  guint                   table;        /* the table being read */
  gboolean                in_table;     /* its line is written, rows follow */
  gboolean                started;      /* the header is written */
  gboolean                done;
  gint64                  cursor;
  guint64                 n_rows;
};

static gboolean
snapshot_error (TandemServerSnapshot  *snapshot,
                GError               **error)
{
  g_set_error (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_STORAGE,
               _("The sync database %s could not be read for a snapshot: %s"), snapshot->path,
               snapshot->db ? sqlite3_errmsg (snapshot->db) : _("it could not be opened"));
  return FALSE;
}

void
tandem_server_snapshot_free (TandemServerSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;

  g_clear_pointer (&snapshot->rows, sqlite3_finalize);
  /* Closing ends the read transaction, if it is still open. */
  g_clear_pointer (&snapshot->db, sqlite3_close_v2);
  g_free (snapshot->path);
  g_free (snapshot);
}

TandemServerSnapshot *
tandem_server_snapshot_new (TandemServerStore  *store,
                            GError            **error)
{
  g_autoptr(TandemServerSnapshot) snapshot = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (TANDEM_IS_SERVER_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  snapshot = g_new0 (TandemServerSnapshot, 1);
  snapshot->path = g_strdup (tandem_server_store_get_path (store));
  snapshot->tables = tandem_schema_tables (&snapshot->n_tables);

  rc = sqlite3_open_v2 (snapshot->path, &snapshot->db,
                        SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      snapshot_error (snapshot, error);
      return NULL;
    }
  sqlite3_busy_timeout (snapshot->db, 5000);

  /* The first read fixes what the transaction sees: the newest sequence
   * and the rows then agree until it ends. */
  if (sqlite3_exec (snapshot->db, "BEGIN; SELECT count(*) FROM sqlite_master", NULL, NULL,
                    NULL) != SQLITE_OK)
    {
      snapshot_error (snapshot, error);
      return NULL;
    }

  /* sqlite_sequence exists only after the first change. */
  if (sqlite3_prepare_v2 (snapshot->db,
                          "SELECT seq FROM sqlite_sequence WHERE name = 'changes'",
                          -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    snapshot->cursor = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  if (sqlite3_prepare_v2 (snapshot->db, "SELECT line FROM rows WHERE tbl = ?1 ORDER BY row_id",
                          -1, &snapshot->rows, NULL) != SQLITE_OK)
    {
      snapshot_error (snapshot, error);
      return NULL;
    }

  return g_steal_pointer (&snapshot);
}

gint64
tandem_server_snapshot_get_cursor (TandemServerSnapshot *snapshot)
{
  g_return_val_if_fail (snapshot != NULL, 0);

  return snapshot->cursor;
}

gboolean
tandem_server_snapshot_read (TandemServerSnapshot  *snapshot,
                             GString               *out,
                             gsize                  max_bytes,
                             gboolean              *done,
                             GError               **error)
{
  g_return_val_if_fail (snapshot != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!snapshot->started)
    {
      tandem_snapshot_append_header (out, TANDEM_SYNC_SCHEMA_VERSION, snapshot->cursor);
      snapshot->started = TRUE;
    }

  while (!snapshot->done && out->len < max_bytes)
    {
      const TandemTableSpec *spec;
      int rc;

      if (snapshot->table == snapshot->n_tables)
        {
          tandem_snapshot_append_end (out, snapshot->n_rows);
          g_clear_pointer (&snapshot->rows, sqlite3_finalize);
          sqlite3_exec (snapshot->db, "COMMIT", NULL, NULL, NULL);
          snapshot->done = TRUE;
          break;
        }

      spec = snapshot->tables[snapshot->table];
      if (!snapshot->in_table)
        {
          const char * const *columns;
          guint n_columns;

          columns = tandem_snapshot_columns (spec, &n_columns);
          tandem_snapshot_append_table (out, spec->name, columns, n_columns);
          sqlite3_reset (snapshot->rows);
          sqlite3_bind_text (snapshot->rows, 1, spec->name, -1, SQLITE_STATIC);
          snapshot->in_table = TRUE;
        }

      /* Rows are kept as the lines sent, so they go out as they are. */
      while (out->len < max_bytes && (rc = sqlite3_step (snapshot->rows)) == SQLITE_ROW)
        {
          const char *line = (const char *) sqlite3_column_text (snapshot->rows, 0);
          int length = sqlite3_column_bytes (snapshot->rows, 0);

          g_string_append_len (out, line, length);
          if (length == 0 || line[length - 1] != '\n')
            g_string_append_c (out, '\n');
          snapshot->n_rows++;
        }

      if (out->len >= max_bytes)
        break;

      if (rc != SQLITE_DONE)
        return snapshot_error (snapshot, error);

      snapshot->table++;
      snapshot->in_table = FALSE;
    }

  if (done != NULL)
    *done = snapshot->done;

  return TRUE;
}

gboolean
tandem_server_snapshot_write_all (TandemServerStore  *store,
                                  GOutputStream      *stream,
                                  GCancellable       *cancellable,
                                  GError            **error)
{
  g_autoptr(TandemServerSnapshot) snapshot = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean done = FALSE;

  g_return_val_if_fail (TANDEM_IS_SERVER_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  snapshot = tandem_server_snapshot_new (store, error);
  if (snapshot == NULL)
    return FALSE;

  while (!done)
    {
      g_string_truncate (out, 0);
      if (!tandem_server_snapshot_read (snapshot, out, 256 * 1024, &done, error) ||
          !g_output_stream_write_all (stream, out->str, out->len, NULL, cancellable, error))
        return FALSE;
    }

  return TRUE;
}
