/* tandem-sync-server.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tandem-server-store.h"

G_BEGIN_DECLS

/* The HTTP side of tandem-sync: a SoupServer answering /v1/health,
 * /v1/push, /v1/pull and /v1/snapshot (doc/sync-protocol.md) from a
 * TandemServerStore, on the thread default main context. */

#define TANDEM_SYNC_SERVER_ERROR (tandem_sync_server_error_quark ())

typedef enum
{
  TANDEM_SYNC_SERVER_ERROR_ADDRESS, /* the listen address cannot be used */
  TANDEM_SYNC_SERVER_ERROR_TLS,     /* the certificate or key cannot be used */
} TandemSyncServerError;

#define TANDEM_TYPE_SYNC_SERVER (tandem_sync_server_get_type ())

G_DECLARE_FINAL_TYPE (TandemSyncServer, tandem_sync_server, TANDEM, SYNC_SERVER, GObject)

GQuark            tandem_sync_server_error_quark (void);

TandemSyncServer *tandem_sync_server_new         (TandemServerStore  *store);
/* Serves HTTPS with this certificate and key (PEM files). Call before
 * tandem_sync_server_listen(). */
gboolean          tandem_sync_server_set_tls     (TandemSyncServer   *self,
                                                  const char         *cert_file,
                                                  const char         *key_file,
                                                  GError            **error);
/* Listens on "ADDR:PORT" ("[ADDR]:PORT" for IPv6; PORT 0 picks a free
 * port). */
gboolean          tandem_sync_server_listen      (TandemSyncServer   *self,
                                                  const char         *address,
                                                  GError            **error);
/* The port listened on, once listening. */
guint             tandem_sync_server_get_port    (TandemSyncServer   *self);
/* "http://ADDR:PORT" or "https://ADDR:PORT". */
char             *tandem_sync_server_get_url     (TandemSyncServer   *self);

G_END_DECLS
