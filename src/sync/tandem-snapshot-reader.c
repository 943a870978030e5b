/* tandem-snapshot-reader.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tandem-snapshot-format.h"
#include "tandem-snapshot-reader.h"
#include "tandem-sync-protocol.h"

/* Reads are this large; a line may be longer, up to the parser's limit. */
#define READ_SIZE (256 * 1024)

typedef struct
{
  TandemStore              *store;
  TandemSnapshotParser     *parser;
  TandemSyncSnapshot       *snapshot;
  TandemSnapshotRowFunc     row_func;
  TandemSnapshotFinishFunc  finish_func;
  gpointer                  user_data;
  guint64                   line_number;
} Reader;

static gboolean
read_line (Reader      *reader,
           const char  *line,
           gsize        length,
           GError     **error)
{
  TandemSnapshotLineKind kind;
  const char * const *columns;
  guint n_columns;

  if (!tandem_snapshot_parser_feed (reader->parser, line, length, &kind, error))
    return FALSE;

  switch (kind)
    {
    case TANDEM_SNAPSHOT_LINE_HEADER:
      if (tandem_snapshot_parser_get_schema (reader->parser) != TANDEM_SYNC_SCHEMA_VERSION)
        {
          g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_UPGRADE_REQUIRED,
                       _("The snapshot is of schema %d and this workspace of schema %d"),
                       tandem_snapshot_parser_get_schema (reader->parser),
                       TANDEM_SYNC_SCHEMA_VERSION);
          return FALSE;
        }

      /* Only a snapshot that starts well opens the transaction. */
      reader->snapshot = tandem_sync_snapshot_begin (reader->store, error);
      return reader->snapshot != NULL;

    case TANDEM_SNAPSHOT_LINE_TABLE:
      columns = tandem_snapshot_parser_get_columns (reader->parser, &n_columns);
      return tandem_sync_snapshot_table (reader->snapshot,
                                         tandem_snapshot_parser_get_table (reader->parser),
                                         columns, n_columns, error);

    case TANDEM_SNAPSHOT_LINE_ROW:
      if (!tandem_sync_snapshot_row (reader->snapshot,
                                     tandem_snapshot_parser_get_row (reader->parser), error))
        return FALSE;

      if (reader->row_func == NULL)
        return TRUE;

      columns = tandem_snapshot_parser_get_columns (reader->parser, NULL);
      return reader->row_func (tandem_snapshot_parser_get_table (reader->parser), columns,
                               tandem_snapshot_parser_get_row (reader->parser),
                               reader->user_data, error);

    case TANDEM_SNAPSHOT_LINE_END:
    default:
      return TRUE;
    }
}

static gboolean
read_all (Reader        *reader,
          GInputStream  *stream,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autofree char *buffer = NULL;
  gsize size = 2 * READ_SIZE;
  gsize start = 0;
  gsize end = 0;

  buffer = g_malloc (size);

  for (;;)
    {
      gssize n;
      char *newline;

      /* Every complete line in the buffer. */
      while ((newline = memchr (buffer + start, '\n', end - start)) != NULL)
        {
          gsize length = newline - (buffer + start);
          g_autoptr(GError) local_error = NULL;

          reader->line_number++;
          if (!read_line (reader, buffer + start, length, &local_error))
            {
              g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                          _("Line %" G_GUINT64_FORMAT " of the snapshot: "),
                                          reader->line_number);
              return FALSE;
            }
          start += length + 1;
        }

      if (end - start > TANDEM_SNAPSHOT_MAX_LINE)
        {
          g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_TOO_LARGE,
                       _("Line %" G_GUINT64_FORMAT " of the snapshot is longer than %d bytes"),
                       reader->line_number + 1, TANDEM_SNAPSHOT_MAX_LINE);
          return FALSE;
        }

      /* Room for the next read: the partial line moves to the front, and
       * the buffer grows only for a line longer than it. */
      if (start > 0)
        {
          memmove (buffer, buffer + start, end - start);
          end -= start;
          start = 0;
        }
      if (size - end < READ_SIZE)
        {
          size = MAX (size * 2, end + READ_SIZE);
          buffer = g_realloc (buffer, size);
        }

      n = g_input_stream_read (stream, buffer + end, size - end, cancellable, error);
      if (n < 0)
        return FALSE;

      if (n == 0)
        {
          if (end > 0)
            {
              g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("Line %" G_GUINT64_FORMAT " of the snapshot is cut off"),
                           reader->line_number + 1);
              return FALSE;
            }
          return tandem_snapshot_parser_finish (reader->parser, error);
        }

      end += n;
    }
}

gboolean
tandem_snapshot_read_stream (TandemStore               *store,
                             GInputStream              *stream,
                             TandemSnapshotRowFunc      row_func,
                             TandemSnapshotFinishFunc   finish_func,
                             gpointer                   user_data,
                             gint64                    *cursor,
                             guint64                   *n_rows,
                             GCancellable              *cancellable,
                             GError                   **error)
{
  g_autoptr(TandemSnapshotParser) parser = tandem_snapshot_parser_new ();
  Reader reader = { 0, };
  gint64 snapshot_cursor;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  reader.store = store;
  reader.parser = parser;
  reader.row_func = row_func;
  reader.finish_func = finish_func;
  reader.user_data = user_data;

  if (!read_all (&reader, stream, cancellable, error) ||
      (finish_func != NULL && !finish_func (store, user_data, error)))
    {
      g_clear_pointer (&reader.snapshot, tandem_sync_snapshot_abort);
      return FALSE;
    }

  snapshot_cursor = tandem_snapshot_parser_get_cursor (parser);
  if (!tandem_sync_snapshot_commit (g_steal_pointer (&reader.snapshot), snapshot_cursor, error))
    return FALSE;

  if (cursor != NULL)
    *cursor = snapshot_cursor;
  if (n_rows != NULL)
    *n_rows = tandem_snapshot_parser_get_n_rows (parser);

  return TRUE;
}
