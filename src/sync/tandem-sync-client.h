/* tandem-sync-client.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tandem-sync-state.h"

G_BEGIN_DECLS

/* One sync round of a desktop against a tandem-sync server
 * (doc/sync-protocol.md): push the outbox in batches, then pull until the
 * server has nothing more, taking a snapshot when the workspace has never
 * synced or the server answers 410. It runs on a worker thread with its
 * own connection to the workspace file, so it never blocks the UI; the
 * caller tells its own store what the round changed afterwards
 * (tandem_store_notify_external_rows() with the report's changed rows).
 *
 * The server address and token are kept in the workspace's local meta
 * table (never synced): tandem_sync_client_configure(). */

#define TANDEM_SYNC_CLIENT_ERROR (tandem_sync_client_error_quark ())

typedef enum
{
  TANDEM_SYNC_CLIENT_ERROR_NOT_CONFIGURED,
  TANDEM_SYNC_CLIENT_ERROR_OFFLINE,          /* no answer: network or server down */
  TANDEM_SYNC_CLIENT_ERROR_UNAUTHORIZED,     /* 401: token unknown or revoked */
  TANDEM_SYNC_CLIENT_ERROR_UPGRADE_REQUIRED, /* 409 upgrade_required */
  TANDEM_SYNC_CLIENT_ERROR_CLOCK_SKEW,       /* 409 clock_skew */
  TANDEM_SYNC_CLIENT_ERROR_PROTOCOL,         /* an answer that breaks the protocol */
} TandemSyncClientError;

typedef struct
{
  guint    pushed;          /* changes the server acknowledged */
  guint    received;        /* changes pulls carried, this desktop's own included */
  guint    pulled;          /* changes received from other desktops */
  guint    applied;         /* of those, written here */
  guint    conflicts;       /* new conflicts recorded here */
  gboolean took_snapshot;
  gint64   pending;         /* outbox entries left after the round */
  gint64   cursor;
  /* What the round changed in the workspace, as
   * tandem_store_notify_external_rows() takes it; NULL when nothing. Only
   * tandem_sync_client_run_finish() fills it in: the blocking run's own
   * store announces its changes itself. */
  GHashTable *changed;
} TandemSyncReport;

/* Frees what a report holds (not the report). */
void     tandem_sync_report_clear        (TandemSyncReport     *report);

GQuark   tandem_sync_client_error_quark  (void);

/* Stores the server URL ("http://host:8765" or https) and token of the
 * workspace at @store; NULL @server_url forgets them. */
gboolean tandem_sync_client_configure    (TandemStore          *store,
                                          const char           *server_url,
                                          const char           *token,
                                          GError              **error);
/* The stored URL, or NULL when sync is not set up. */
char    *tandem_sync_client_dup_server   (TandemStore          *store);

/* GET /v1/health of @server_url with @token: checks both before saving. */
void     tandem_sync_client_check_async  (const char           *server_url,
                                          const char           *token,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean tandem_sync_client_check_finish (GAsyncResult         *result,
                                          GError              **error);

/* One round for the workspace file at @db_path, on a worker thread. */
void     tandem_sync_client_run_async    (const char           *db_path,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
/* Fills @report in even when the round failed: it may have applied pages
 * before it stopped. Clear it with tandem_sync_report_clear(). */
gboolean tandem_sync_client_run_finish   (GAsyncResult         *result,
                                          TandemSyncReport     *report,
                                          GError              **error);
/* The same, blocking, for tandem-cli and the worker thread. Never call it
 * on a thread that runs a SoupServer. */
gboolean tandem_sync_client_run          (TandemStore          *store,
                                          GCancellable         *cancellable,
                                          TandemSyncReport     *report,
                                          GError              **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TandemSyncReport, tandem_sync_report_clear)

G_END_DECLS
