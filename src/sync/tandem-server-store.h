/* tandem-server-store.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tandem-sync-state.h"

G_BEGIN_DECLS

/* The sync server's own store (doc/sync-protocol.md, "Server storage"):
 * GLib and SQLite only, so tests can drive it without HTTP. */

#define TANDEM_SERVER_ERROR (tandem_server_error_quark ())

typedef enum
{
  TANDEM_SERVER_ERROR_INVALID,          /* 400: the message says what */
  TANDEM_SERVER_ERROR_UPGRADE_REQUIRED, /* 409 */
  TANDEM_SERVER_ERROR_CLOCK_SKEW,       /* 409 */
  TANDEM_SERVER_ERROR_CURSOR_EXPIRED,   /* 410 */
  TANDEM_SERVER_ERROR_UNAUTHORIZED,     /* 401 */
  TANDEM_SERVER_ERROR_STORAGE,          /* 500 */
} TandemServerError;

typedef enum
{
  TANDEM_PUSH_APPLIED,
  TANDEM_PUSH_SUPERSEDED,
  TANDEM_PUSH_CONFLICT,
  TANDEM_PUSH_REJECTED,
} TandemPushOutcome;

/* A device of `token list`. Times are UTC milliseconds; revoked_at is 0
 * while the token is valid. */
typedef struct
{
  char   *name;
  gint64  created_at;
  gint64  revoked_at;
} TandemServerDevice;

void               tandem_server_device_free        (TandemServerDevice *device);

#define TANDEM_TYPE_SERVER_STORE (tandem_server_store_get_type ())

G_DECLARE_FINAL_TYPE (TandemServerStore, tandem_server_store, TANDEM, SERVER_STORE, GObject)

GQuark             tandem_server_error_quark        (void);

TandemServerStore *tandem_server_store_open         (const char         *path,
                                                     GError            **error);

/* Tokens: add returns the new token (shown once; only its hash is kept). */
char              *tandem_server_store_add_token    (TandemServerStore  *self,
                                                     const char         *device,
                                                     GError            **error);
gboolean           tandem_server_store_revoke_token (TandemServerStore  *self,
                                                     const char         *device,
                                                     GError            **error);
/* Device names with their creation and revocation times, for `token list`:
 * a GPtrArray of TandemServerDevice. */
GPtrArray         *tandem_server_store_list_devices (TandemServerStore  *self,
                                                     GError            **error);
/* The device a bearer token belongs to, or NULL (unknown or revoked). */
char              *tandem_server_store_check_token  (TandemServerStore  *self,
                                                     const char         *token);

/* Applies a batch whole in one transaction (or not at all). A repeated
 * @batch_id returns the outcomes stored the first time. @outcomes receives
 * one TandemPushOutcome per change (GArray of int). @server_now_ms and
 * @sent_at_ms let the caller test clock skew (more than 60 s ahead). */
gboolean           tandem_server_store_push         (TandemServerStore  *self,
                                                     const char         *device,
                                                     const char         *batch_id,
                                                     int                 schema,
                                                     gint64              sent_at_ms,
                                                     gint64              server_now_ms,
                                                     GPtrArray          *changes,
                                                     GArray            **outcomes,
                                                     gint64             *cursor,
                                                     GError            **error);
/* Whether every change after @since up to @cursor (the end of a batch
 * pushed from @site) is one of @site's own, so that a client whose cursor
 * is @since may move it to @cursor without pulling them back. FALSE when
 * the range is empty, reaches below the compaction horizon or past the
 * newest change. @hlc receives the clock of the change at @cursor. */
gboolean           tandem_server_store_own_changes  (TandemServerStore  *self,
                                                     const char         *site,
                                                     gint64              since,
                                                     gint64              cursor,
                                                     gint64             *hlc);
/* Changes after @since, at most @limit; @more says whether there are more.
 * TANDEM_SERVER_ERROR_CURSOR_EXPIRED for a cursor older than the horizon or
 * newer than the newest sequence. */
GPtrArray         *tandem_server_store_pull         (TandemServerStore  *self,
                                                     gint64              since,
                                                     guint               limit,
                                                     gint64             *cursor,
                                                     gboolean           *more,
                                                     GError            **error);
/* The full state, one change per written field of every row (sorted by
 * table, row and field), and the cursor: for tests and tools. Desktops
 * get the streamed form (tandem-server-snapshot.h). */
GPtrArray         *tandem_server_store_snapshot     (TandemServerStore  *self,
                                                     gint64             *cursor,
                                                     GError            **error);
/* Drops log entries up to @seq (they stay in the state); pulls from before
 * it get CURSOR_EXPIRED. */
gboolean           tandem_server_store_compact      (TandemServerStore  *self,
                                                     gint64              seq,
                                                     GError            **error);

/* The file the store was opened from. */
const char        *tandem_server_store_get_path     (TandemServerStore  *self);
/* The newest sequence number ever given (0 for an empty log). */
gint64             tandem_server_store_get_cursor   (TandemServerStore  *self);
/* The compaction horizon: pulls from before it get CURSOR_EXPIRED. */
gint64             tandem_server_store_get_horizon  (TandemServerStore  *self);
/* The conflicts the server recorded, oldest first (TandemConflict, freed
 * with tandem_server_conflict_free()). */
GPtrArray         *tandem_server_store_list_conflicts (TandemServerStore *self,
                                                       GError           **error);
void               tandem_server_conflict_free      (TandemConflict     *conflict);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TandemServerDevice, tandem_server_device_free)

G_END_DECLS
