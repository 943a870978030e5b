/* tandem-snapshot-reader.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tandem-sync-state.h"

G_BEGIN_DECLS

/* Applies a streamed snapshot (doc/sync-protocol.md) to a workspace as it
 * is read: line by line from @stream into one transaction of @store
 * (tandem_sync_snapshot_begin()), so that neither side ever holds the
 * whole snapshot. Anything wrong with the stream (a malformed or too long
 * line, a row that does not fit the schema, an end that never comes)
 * rolls everything back and fails with a message naming the line. */

/* Called for each row, after it was applied. */
typedef gboolean (*TandemSnapshotRowFunc)    (const char           *table,
                                              const char * const   *columns,
                                              const TandemSyncRow  *row,
                                              gpointer              user_data,
                                              GError              **error);
/* Called after the last row, inside the transaction, before the commit. */
typedef gboolean (*TandemSnapshotFinishFunc) (TandemStore          *store,
                                              gpointer              user_data,
                                              GError              **error);

/* Stops at the header without writing anything when its schema is not
 * @store's (TANDEM_PROTOCOL_ERROR_UPGRADE_REQUIRED). Sets @cursor to the
 * snapshot's cursor and @n_rows to the rows it held. */
gboolean tandem_snapshot_read_stream (TandemStore               *store,
                                      GInputStream              *stream,
                                      TandemSnapshotRowFunc      row_func,
                                      TandemSnapshotFinishFunc   finish_func,
                                      gpointer                   user_data,
                                      gint64                    *cursor,
                                      guint64                   *n_rows,
                                      GCancellable              *cancellable,
                                      GError                   **error);

G_END_DECLS
