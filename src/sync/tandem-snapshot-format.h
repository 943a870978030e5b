/* tandem-snapshot-format.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "tandem-schema.h"
#include "tandem-sync-state.h"

G_BEGIN_DECLS

/* The lines of a streamed snapshot (doc/sync-protocol.md, "GET
 * /v1/snapshot"): a header, then per table a line naming its columns and
 * one line per row, then an end line. The server keeps each row as the
 * very line it sends, so the parser here also reads the server's own
 * rows back.
 *
 * Row lines are read by a strict scanner rather than json-glib, which
 * takes about 3 µs a line: over 4 s of the 10 s a large workspace has. It
 * accepts only the shape a row has, so nesting is bounded by construction,
 * and it applies the limits of tandem_protocol_parse() to every line: valid
 * UTF-8, integers that fit in 64 bits, strings of at most
 * TANDEM_PROTOCOL_MAX_STRING bytes. */

#define TANDEM_SNAPSHOT_VERSION      2
#define TANDEM_SNAPSHOT_CONTENT_TYPE "application/x-ndjson"
/* A row has at most a few dozen columns of at most 64 KiB each; a line
 * longer than this is refused before it is parsed. */
#define TANDEM_SNAPSHOT_MAX_LINE     (16 * 1024 * 1024)

/* The columns rows of @spec list, in order: its synced fields, then
 * "deleted". The array lives as long as the program. */
const char * const *tandem_snapshot_columns       (const TandemTableSpec  *spec,
                                                   guint                  *n_columns);

/* Writing: each function appends one line with its newline. */
void                tandem_snapshot_append_header (GString                *out,
                                                   int                     schema,
                                                   gint64                  cursor);
void                tandem_snapshot_append_table  (GString                *out,
                                                   const char             *table,
                                                   const char * const     *columns,
                                                   guint                   n_columns);
/* @values are JSON texts in the order of @columns; a column whose
 * @clock_sites entry is NULL has the row's clock (@hlc, @site), the others
 * their @clock_hlcs and @clock_sites. Both arrays may be NULL. */
void                tandem_snapshot_append_row    (GString                *out,
                                                   const char             *row_id,
                                                   gint64                  hlc,
                                                   const char             *site,
                                                   const char * const     *columns,
                                                   const char * const     *values,
                                                   guint                   n_columns,
                                                   const gint64           *clock_hlcs,
                                                   const char * const     *clock_sites);
void                tandem_snapshot_append_end    (GString                *out,
                                                   guint64                 n_rows);
/* A value in the JSON spelling the server keeps and compares. */
void                tandem_snapshot_append_value  (GString                *out,
                                                   const TandemSyncValue  *value);

typedef enum
{
  TANDEM_SNAPSHOT_LINE_HEADER,
  TANDEM_SNAPSHOT_LINE_TABLE,
  TANDEM_SNAPSHOT_LINE_ROW,
  TANDEM_SNAPSHOT_LINE_END,
} TandemSnapshotLineKind;

typedef struct _TandemSnapshotParser TandemSnapshotParser;

TandemSnapshotParser *tandem_snapshot_parser_new   (void);
void                tandem_snapshot_parser_free   (TandemSnapshotParser   *parser);

/* Reads the next line of a snapshot (without its newline) and checks that
 * it comes in order: a header first, rows only after their table's line,
 * nothing after the end. A header of another format version fails with
 * TANDEM_PROTOCOL_ERROR_UPGRADE_REQUIRED, anything malformed with
 * TANDEM_PROTOCOL_ERROR_INVALID. What the line held stays readable until
 * the next call. */
gboolean            tandem_snapshot_parser_feed   (TandemSnapshotParser   *parser,
                                                   const char             *line,
                                                   gsize                   length,
                                                   TandemSnapshotLineKind *kind,
                                                   GError                **error);
/* Fails unless the end line was read and its count matched. */
gboolean            tandem_snapshot_parser_finish (TandemSnapshotParser   *parser,
                                                   GError                **error);

int                 tandem_snapshot_parser_get_schema  (TandemSnapshotParser *parser);
gint64              tandem_snapshot_parser_get_cursor  (TandemSnapshotParser *parser);
guint64             tandem_snapshot_parser_get_n_rows  (TandemSnapshotParser *parser);
/* The table of the rows that follow, and its columns. */
const char         *tandem_snapshot_parser_get_table   (TandemSnapshotParser *parser);
const char * const *tandem_snapshot_parser_get_columns (TandemSnapshotParser *parser,
                                                        guint                *n_columns);
/* The row just read: its values decoded, and their JSON spelling. */
const TandemSyncRow *tandem_snapshot_parser_get_row    (TandemSnapshotParser *parser);
const char         *tandem_snapshot_parser_get_value_json (TandemSnapshotParser *parser,
                                                           guint                 column,
                                                           gsize                *length);

/* For the server, which keeps rows as lines: reads one row line of
 * @table, whose columns are @columns, without a header before it. */
gboolean            tandem_snapshot_parser_scan_row    (TandemSnapshotParser *parser,
                                                        const char           *table,
                                                        const char * const   *columns,
                                                        guint                 n_columns,
                                                        const char           *line,
                                                        gsize                 length,
                                                        GError              **error);
/* Reads @json, the value of a pushed change: a scalar (null, an integer or
 * a string) or, with @object, a flat object of scalars, whose member names
 * and values land in @names and @values (valid until the next call). */
gboolean            tandem_snapshot_parser_scan_value  (TandemSnapshotParser  *parser,
                                                        const char            *json,
                                                        gsize                  length,
                                                        gboolean               object,
                                                        const char * const   **names,
                                                        const TandemSyncValue **values,
                                                        guint                 *n_values,
                                                        GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TandemSnapshotParser, tandem_snapshot_parser_free)

G_END_DECLS
