/* tandem-store-private.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "tandem-store.h"

G_BEGIN_DECLS

/* How long a statement waits for another connection's lock before it
 * fails with "database is locked". */
#define TANDEM_STORE_BUSY_TIMEOUT_MS 5000

/* For core modules that read with their own queries (matching, lists).
 * Nothing outside src/core may write through this handle. */
sqlite3      *tandem_store_get_db           (TandemStore            *self);
/* Sets @error to the database's last error, in words a user can pass on,
 * and returns FALSE, so that `return tandem_store_set_sql_error (...)`. */
gboolean      tandem_store_set_sql_error    (TandemStore            *self,
                                             GError                **error);
sqlite3_stmt *tandem_store_prepare_cached   (TandemStore            *self,
                                             const char             *sql,
                                             GError                **error);
GPtrArray    *tandem_store_list_ids         (TandemStore            *self,
                                             const TandemTableSpec  *spec,
                                             const char             *search,
                                             GError                **error);
GType         tandem_store_record_type_for  (const TandemTableSpec  *spec);
/* The first column of the first row of @sql, which takes no parameters
 * (a count, typically), or -1 when it cannot be read. */
gint64        tandem_store_query_int64      (TandemStore            *self,
                                             const char             *sql);
/* The record of a row read with the columns id, hlc, then every field of
 * @spec in order (the store's own SELECTs). */
TandemRecord *tandem_store_record_from_row  (const TandemTableSpec  *spec,
                                             sqlite3_stmt           *stmt);
/* Writes the derived fields of a stored @record as they are in it, without
 * a clock or a change-log entry: every desktop computes them itself. Only
 * the owners of derived data (scoring, pipeline, the sample generator)
 * call this. */
gboolean      tandem_store_write_derived    (TandemStore            *self,
                                             TandemRecord           *record,
                                             GError                **error);
/* Big one-off passes (the sample generator, an import, a rescore) run far
 * faster with a large page cache, so that a long transaction's dirty pages
 * do not spill and get read back, and with the file mapped into memory,
 * so that reading every activity costs no copy per page. The app keeps the
 * defaults the rest of the time, to stay within its memory budget. Calls
 * nest; the last leave restores the defaults. */
void          tandem_store_enter_bulk       (TandemStore            *self);
void          tandem_store_leave_bulk       (TandemStore            *self);
/* For a short-lived connection, such as a worker's: SQLite's
 * checkpoint after each large commit, which copies its pages from the
 * write-ahead log back into the database, is left to closing the store.
 * A worker closes it after it has reported, so its result shows without
 * waiting for the copy. */
void          tandem_store_defer_checkpoints (TandemStore           *self);
/* SQLite checks each written reference as its row is written, which in
 * bulk writes (a snapshot, an import) costs a lookup per row. Outside a
 * transaction, tandem_store_defer_references() turns that off when it is
 * on and says so; the writer then checks the references of the tables it
 * wrote all at once before its commit (tandem_store_find_broken_reference())
 * and, after the transaction, turns the check back on with
 * tandem_store_restore_references(). */
gboolean      tandem_store_defer_references (TandemStore            *self);
void          tandem_store_restore_references (TandemStore          *self);
/* Looks for a reference of @table that names no row, each distinct value
 * looked up once. Sets *@column and *@value to the first found, or leaves
 * them NULL; FALSE only when the workspace could not be read. */
gboolean      tandem_store_find_broken_reference (TandemStore       *self,
                                                  const char        *table,
                                                  char             **column,
                                                  char             **value,
                                                  GError           **error);
/* Turns what a person typed into an FTS5 query that matches rows holding
 * every word as a word prefix; NULL when nothing searchable was typed. */
char         *tandem_store_build_fts_query  (const char             *text);

/* For sync (tandem-sync-state.c), which writes remote changes with its own
 * statements inside a tandem_store_begin() transaction. */
/* Advances the store's clock past @remote (tandem_hlc_receive), so that
 * the next local edit is stamped after every change this desktop has seen;
 * persisted with the next commit. */
void          tandem_store_receive_hlc      (TandemStore            *self,
                                             gint64                  remote);
/* Queues a change notification for @row_id of @table, sent when the
 * outermost transaction commits (at once outside a transaction). */
void          tandem_store_note_change      (TandemStore            *self,
                                             const char             *table,
                                             const char             *row_id,
                                             TandemChangeKind        kind);
/* tandem_store_undelete() for any synced table by name, through the
 * mutation path: restoring a deleted row is how a conflict between an edit
 * and a delete is resolved in favour of the edit. */
gboolean      tandem_store_undelete_row     (TandemStore            *self,
                                             const char             *table,
                                             const char             *id,
                                             GError                **error);

G_END_DECLS
