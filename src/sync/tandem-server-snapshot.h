/* tandem-server-snapshot.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tandem-server-store.h"

G_BEGIN_DECLS

/* The server's side of GET /v1/snapshot: the state as of one moment, read
 * a piece at a time so that the HTTP handler can stream it while it keeps
 * answering other requests, and never holds it whole. It reads through its
 * own connection to the store's file, in one read transaction, so pushes
 * go on meanwhile without changing what it sends. */

typedef struct _TandemServerSnapshot TandemServerSnapshot;

TandemServerSnapshot *tandem_server_snapshot_new        (TandemServerStore     *store,
                                                         GError               **error);
void                  tandem_server_snapshot_free       (TandemServerSnapshot  *snapshot);
/* The newest sequence the snapshot holds. */
gint64                tandem_server_snapshot_get_cursor (TandemServerSnapshot  *snapshot);
/* Appends the next whole lines to @out, stopping once it holds @max_bytes
 * or more; sets @done once the end line is written. */
gboolean              tandem_server_snapshot_read       (TandemServerSnapshot  *snapshot,
                                                         GString               *out,
                                                         gsize                  max_bytes,
                                                         gboolean              *done,
                                                         GError               **error);
/* The whole snapshot of @store written to @stream: for tests and tools. */
gboolean              tandem_server_snapshot_write_all  (TandemServerStore     *store,
                                                         GOutputStream         *stream,
                                                         GCancellable          *cancellable,
                                                         GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TandemServerSnapshot, tandem_server_snapshot_free)

G_END_DECLS
