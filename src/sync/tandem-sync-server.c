/* tandem-sync-server.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "tandem-schema.h"
#include "tandem-server-snapshot.h"
#include "tandem-snapshot-format.h"
#include "tandem-sync-protocol.h"
#include "tandem-sync-server.h"

struct _TandemSyncServer
{
  GObject            parent_instance;

  TandemServerStore *store;
  SoupServer        *server;
  gboolean           tls;
  char              *host;
  guint              port;
};

G_DEFINE_FINAL_TYPE (TandemSyncServer, tandem_sync_server, G_TYPE_OBJECT)

G_DEFINE_QUARK (tandem-sync-server-error-quark, tandem_sync_server_error)

/* Connections the kernel queues until the server accepts them. */
#define LISTEN_BACKLOG 256

/* What the server knows of one request while it is read. */
typedef struct
{
  gint64      started;     /* monotonic µs */
  char       *device;      /* NULL until the token is checked */
  GByteArray *body;        /* the body read so far, up to the limit */
  gsize       body_bytes;  /* every byte received, for the log */
  gboolean    refused;     /* answered at the headers or while reading */
} RequestInfo;

#define REQUEST_INFO_KEY "tandem-sync-request"

static void
request_info_free (RequestInfo *info)
{
  g_free (info->device);
  g_clear_pointer (&info->body, g_byte_array_unref);
  g_free (info);
}

static RequestInfo *
get_info (SoupServerMessage *msg)
{
  return g_object_get_data (G_OBJECT (msg), REQUEST_INFO_KEY);
}

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              char              *body,
              gsize              length)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, length);
}

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *code,
               const char        *message,
               const char        *extra_key,
               gint64             extra_value)
{
  gsize length;
  char *body = tandem_protocol_error_build (code, message, extra_key, extra_value, &length);

  respond_json (msg, status, body, length);
}

/* An answer written on a connection taken over from libsoup, which would
 * otherwise read the whole body before answering. */
typedef struct
{
  GIOStream    *stream;
  GBytes       *answer;
  GCancellable *cancellable;
  guint         timeout_id;
  gsize         drained;
  guint8        buffer[16 * 1024];
} EarlyAnswer;

/* After the answer, the client's unread body is drained for a moment
 * before closing: closing with unread data makes the kernel reset the
 * connection, and the client could lose the answer. */
#define DRAIN_MAX_BYTES   (1024 * 1024)
#define DRAIN_MAX_SECONDS 2

static void
early_answer_free (EarlyAnswer *answer)
{
  g_clear_handle_id (&answer->timeout_id, g_source_remove);
  g_clear_object (&answer->stream);
  g_clear_pointer (&answer->answer, g_bytes_unref);
  g_clear_object (&answer->cancellable);
  g_free (answer);
}

static void
on_early_closed (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_io_stream_close_finish (G_IO_STREAM (object), result, NULL);
  early_answer_free (user_data);
}

static void
early_close (EarlyAnswer *answer)
{
  g_clear_handle_id (&answer->timeout_id, g_source_remove);
  g_io_stream_close_async (answer->stream, G_PRIORITY_DEFAULT, NULL, on_early_closed, answer);
}

static gboolean
on_drain_timeout (gpointer user_data)
{
  EarlyAnswer *answer = user_data;

  answer->timeout_id = 0;
  g_cancellable_cancel (answer->cancellable);

  return G_SOURCE_REMOVE;
}

static void
on_drained (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  EarlyAnswer *answer = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);

  if (n > 0 && (answer->drained += n) < DRAIN_MAX_BYTES)
    {
      g_input_stream_read_async (G_INPUT_STREAM (object), answer->buffer, sizeof answer->buffer,
                                 G_PRIORITY_DEFAULT, answer->cancellable, on_drained, answer);
      return;
    }

  early_close (answer);
}

static void
on_early_written (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  EarlyAnswer *answer = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, NULL))
    {
      early_close (answer);
      return;
    }

  answer->timeout_id = g_timeout_add_seconds (DRAIN_MAX_SECONDS, on_drain_timeout, answer);
  g_input_stream_read_async (g_io_stream_get_input_stream (answer->stream),
                             answer->buffer, sizeof answer->buffer, G_PRIORITY_DEFAULT,
                             answer->cancellable, on_drained, answer);
}

static void log_request (SoupServerMessage *msg,
                         gboolean           aborted);

/* Answers before the body is read, so that a client without a token or
 * with too large a body cannot make the server take it in. */
static void
refuse_early (SoupServerMessage *msg,
              guint              status,
              const char        *code,
              const char        *message,
              const char        *extra_header)
{
  RequestInfo *info = get_info (msg);
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  g_autofree char *body = NULL;
  EarlyAnswer *answer;
  GString *text;
  gsize length;

  info->refused = TRUE;
  g_clear_pointer (&info->body, g_byte_array_unref);
  body = tandem_protocol_error_build (code, message, NULL, 0, &length);

  /* A client that asked "Expect: 100-continue" has not sent its body:
   * libsoup answers such a request without reading it, and closes the
   * connection after it as after every answer (on_request_started()). */
  if (soup_message_headers_get_expectations (request_headers) & SOUP_EXPECTATION_CONTINUE)
    {
      if (extra_header != NULL)
        soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                      "WWW-Authenticate", extra_header);
      respond_json (msg, status, g_steal_pointer (&body), length);
      return;
    }

  /* libsoup 3.2 reads every body before answering, so the connection is
   * taken over and the answer written on it directly. */
  soup_server_message_set_status (msg, status, NULL);
  log_request (msg, FALSE);

  text = g_string_new (NULL);
  g_string_append_printf (text,
                          "HTTP/1.1 %u %s\r\n"
                          "Content-Type: application/json\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "Cache-Control: no-store\r\n"
                          "Connection: close\r\n",
                          status, soup_status_get_phrase (status), length);
  if (extra_header != NULL)
    g_string_append_printf (text, "WWW-Authenticate: %s\r\n", extra_header);
  g_string_append (text, "\r\n");
  g_string_append_len (text, body, length);

  answer = g_new0 (EarlyAnswer, 1);
  answer->stream = soup_server_message_steal_connection (msg);
  answer->cancellable = g_cancellable_new ();
  answer->answer = g_string_free_to_bytes (text);

  g_output_stream_write_all_async (g_io_stream_get_output_stream (answer->stream),
                                   g_bytes_get_data (answer->answer, NULL),
                                   g_bytes_get_size (answer->answer),
                                   G_PRIORITY_DEFAULT, NULL, on_early_written, answer);
}

static gboolean
needs_token (const char *path)
{
  return !g_str_equal (path, "/v1/health");
}

static void
on_got_headers (SoupServerMessage *msg,
                TandemSyncServer  *self)
{
  RequestInfo *info = get_info (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  const char *authorization;
  goffset length;

  /* The body is collected by on_got_chunk(), which counts it against the
   * limit, rather than by libsoup, which would keep any amount. */
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);

  if (soup_server_message_get_status (msg) != 0)
    return;

  if (needs_token (path))
    {
      authorization = soup_message_headers_get_one (headers, "Authorization");
      if (authorization != NULL && g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0)
        info->device = tandem_server_store_check_token (self->store, authorization + 7);

      if (info->device == NULL)
        {
          refuse_early (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                        _("A valid token is needed: ask the server's administrator for one "
                          "(tandem-sync token add NAME)"),
                        "Bearer realm=\"tandem-sync\"");
          return;
        }
    }

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      (length = soup_message_headers_get_content_length (headers)) > TANDEM_PROTOCOL_MAX_BODY)
    {
      g_autofree char *message =
        g_strdup_printf (_("The body is %" G_GINT64_FORMAT " bytes, over the limit of %d bytes"),
                         (gint64) length, TANDEM_PROTOCOL_MAX_BODY);

      refuse_early (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large", message, NULL);
      return;
    }

  info->body = g_byte_array_new ();
}

static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              TandemSyncServer  *self)
{
  RequestInfo *info = get_info (msg);
  gsize size = g_bytes_get_size (chunk);

  info->body_bytes += size;

  /* A refused request's remaining body is read and dropped, never kept. */
  if (info->refused || info->body == NULL)
    return;

  if (info->body->len + size > TANDEM_PROTOCOL_MAX_BODY)
    {
      g_autofree char *message =
        g_strdup_printf (_("The body is over the limit of %d bytes"), TANDEM_PROTOCOL_MAX_BODY);

      refuse_early (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large", message, NULL);
      return;
    }

  g_byte_array_append (info->body, g_bytes_get_data (chunk, NULL), size);
}

static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    TandemSyncServer  *self)
{
  RequestInfo *info = g_new0 (RequestInfo, 1);

  info->started = g_get_monotonic_time ();
  g_object_set_data_full (G_OBJECT (msg), REQUEST_INFO_KEY, info,
                          (GDestroyNotify) request_info_free);

  /* libsoup 3.2 never closes a kept-alive connection that the client
   * closes while it is idle (fixed in 3.3): each one kept a socket open,
   * and after some 20,000 connections, days of syncing for a team, the
   * server reached its limit of open files and answered nobody. So every
   * answer closes its connection; a desktop syncs a few requests a round,
   * and a new connection costs far less than a round. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Connection", "close");

  g_signal_connect_object (msg, "got-headers", G_CALLBACK (on_got_headers), self, 0);
  g_signal_connect_object (msg, "got-chunk", G_CALLBACK (on_got_chunk), self, 0);
}

static void
log_request (SoupServerMessage *msg,
             gboolean           aborted)
{
  RequestInfo *info = get_info (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  SoupMessageBody *response = soup_server_message_get_response_body (msg);

  if (info == NULL)
    return;

  /* The query holds cursors only; the token is in a header and never
   * logged. */
  g_message ("%s %s %s%s%s %u%s in=%" G_GSIZE_FORMAT " out=%" G_GINT64_FORMAT " %.1f ms",
             info->device ? info->device : "-",
             soup_server_message_get_method (msg),
             uri ? g_uri_get_path (uri) : "?",
             uri && g_uri_get_query (uri) ? "?" : "",
             uri && g_uri_get_query (uri) ? g_uri_get_query (uri) : "",
             soup_server_message_get_status (msg),
             aborted ? " aborted" : "",
             info->body_bytes,
             response ? (gint64) response->length : 0,
             (g_get_monotonic_time () - info->started) / 1000.0);
}

static void
on_request_finished (SoupServer        *server,
                     SoupServerMessage *msg,
                     TandemSyncServer  *self)
{
  log_request (msg, FALSE);
}

static void
on_request_aborted (SoupServer        *server,
                    SoupServerMessage *msg,
                    TandemSyncServer  *self)
{
  log_request (msg, TRUE);
}

/* Handlers. */

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static void
handle_health (TandemSyncServer  *self,
               SoupServerMessage *msg)
{
  char *body = g_strdup_printf ("{\"status\":\"ok\",\"schema\":%d,\"time\":%" G_GINT64_FORMAT
                                ",\"protocol\":%d}",
                                TANDEM_SYNC_SCHEMA_VERSION, now_ms (), TANDEM_PROTOCOL_VERSION);

  respond_json (msg, SOUP_STATUS_OK, body, strlen (body));
}

static gboolean
parse_query_int (GHashTable *params,
                 const char *name,
                 gint64      fallback,
                 gint64      min,
                 gint64      max,
                 gint64     *out)
{
  const char *text = params ? g_hash_table_lookup (params, name) : NULL;

  if (text == NULL)
    {
      *out = fallback;
      return TRUE;
    }

  return g_ascii_string_to_signed (text, 10, min, max, (gint64 *) out, NULL);
}

static void
handle_push (TandemSyncServer  *self,
             SoupServerMessage *msg)
{
  RequestInfo *info = get_info (msg);
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(TandemPushRequest) request = NULL;
  g_autoptr(GArray) outcomes = NULL;
  g_autoptr(GError) error = NULL;
  TandemPushSkip skip = { 0, };
  gint64 server_now = now_ms ();
  gint64 cursor = 0;
  gint64 since = -1;
  gsize length;
  char *body;

  /* The client's cursor, when it sends it (doc/sync-protocol.md, "skip"). */
  if (query != NULL)
    params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if ((query != NULL && params == NULL) ||
      !parse_query_int (params, "since", -1, 0, G_MAXINT64, &since))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                     _("“since” must be a sequence number"), NULL, 0);
      return;
    }

  request = tandem_push_request_parse (info->body ? (const char *) info->body->data : "",
                                       info->body ? info->body->len : 0, &error);
  if (request == NULL)
    {
      if (g_error_matches (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_TOO_LARGE))
        respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large", error->message,
                       NULL, 0);
      else if (g_error_matches (error, TANDEM_PROTOCOL_ERROR,
                                TANDEM_PROTOCOL_ERROR_UPGRADE_REQUIRED))
        respond_error (msg, SOUP_STATUS_CONFLICT, "upgrade_required", error->message,
                       "schema", TANDEM_SYNC_SCHEMA_VERSION);
      else
        respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message, NULL, 0);
      return;
    }

  if (!tandem_server_store_push (self->store, info->device, request->batch_id, request->schema,
                                 request->sent_at, server_now, request->changes,
                                 &outcomes, &cursor, &error))
    {
      if (g_error_matches (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_UPGRADE_REQUIRED))
        respond_error (msg, SOUP_STATUS_CONFLICT, "upgrade_required", error->message,
                       "schema", TANDEM_SYNC_SCHEMA_VERSION);
      else if (g_error_matches (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_CLOCK_SKEW))
        respond_error (msg, SOUP_STATUS_CONFLICT, "clock_skew", error->message,
                       "server_time", server_now);
      else if (g_error_matches (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_INVALID))
        respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message, NULL, 0);
      else
        {
          g_warning ("Push of batch %s failed: %s", request->batch_id, error->message);
          respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "storage",
                         _("The server could not store the batch; try again later"), NULL, 0);
        }
      return;
    }

  /* Asked again for every retry too: the range (since, cursor] is fixed
   * once the batch is stored, whoever pushes after it. */
  if (since >= 0 &&
      tandem_server_store_own_changes (self->store, request->site, since, cursor, &skip.hlc))
    {
      skip.from = since;
      skip.to = cursor;
    }

  body = tandem_push_answer_build (request->batch_id, cursor, outcomes,
                                   skip.to > 0 ? &skip : NULL, &length);
  respond_json (msg, SOUP_STATUS_OK, body, length);
}

static void
handle_pull (TandemSyncServer  *self,
             SoupServerMessage *msg)
{
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  gint64 since;
  gint64 limit;
  gint64 cursor = 0;
  gboolean more = FALSE;
  gsize length;
  char *body;

  if (query != NULL)
    {
      params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
      if (params == NULL)
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", _("The query is malformed"),
                         NULL, 0);
          return;
        }
    }

  if (!parse_query_int (params, "since", 0, 0, G_MAXINT64, &since) ||
      !parse_query_int (params, "limit", TANDEM_PROTOCOL_DEFAULT_PULL_LIMIT, 1, G_MAXINT32,
                        &limit))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                     _("“since” must be a sequence number and “limit” a positive number"),
                     NULL, 0);
      return;
    }

  changes = tandem_server_store_pull (self->store, since,
                                      (guint) MIN (limit, TANDEM_PROTOCOL_MAX_PULL_LIMIT),
                                      &cursor, &more, &error);
  if (changes == NULL)
    {
      if (g_error_matches (error, TANDEM_SERVER_ERROR, TANDEM_SERVER_ERROR_CURSOR_EXPIRED))
        respond_error (msg, SOUP_STATUS_GONE, "cursor_expired", error->message,
                       "cursor", tandem_server_store_get_cursor (self->store));
      else
        {
          g_warning ("Pull failed: %s", error->message);
          respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "storage",
                         _("The server could not read its log; try again later"), NULL, 0);
        }
      return;
    }

  body = tandem_pull_answer_build (changes, cursor, more, &length);
  respond_json (msg, SOUP_STATUS_OK, body, length);
}

/* A snapshot is sent in pieces of about this size: each is read from the
 * store when the one before has gone out, so the server keeps answering
 * other requests and never holds more than a piece. */
#define SNAPSHOT_CHUNK (256 * 1024)

#define SNAPSHOT_KEY "tandem-sync-snapshot"

static void
snapshot_next_chunk (SoupServerMessage *msg)
{
  TandemServerSnapshot *snapshot = g_object_get_data (G_OBJECT (msg), SNAPSHOT_KEY);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  g_autoptr(GError) error = NULL;
  GString *chunk;
  gboolean done = FALSE;

  if (snapshot == NULL)
    return;

  chunk = g_string_sized_new (SNAPSHOT_CHUNK + 64 * 1024);
  if (!tandem_server_snapshot_read (snapshot, chunk, SNAPSHOT_CHUNK, &done, &error))
    {
      /* The status went out with the first piece: the stream ends without
       * its end line, which the client takes as a failed snapshot. */
      g_warning ("Snapshot failed: %s", error->message);
      done = TRUE;
    }

  /* The body takes a reference of its own to each piece. */
  if (chunk->len > 0)
    {
      g_autoptr(GBytes) piece = g_string_free_to_bytes (chunk);

      soup_message_body_append_bytes (body, piece);
    }
  else
    g_string_free (chunk, TRUE);

  if (done)
    {
      soup_message_body_complete (body);
      g_object_set_data (G_OBJECT (msg), SNAPSHOT_KEY, NULL);
    }
}

static void
on_snapshot_wrote_chunk (SoupServerMessage *msg,
                         gpointer           user_data)
{
  /* libsoup pauses the message when it runs out of body; one is always
   * queued ahead, so it only pauses at the very end. */
  snapshot_next_chunk (msg);
}

static void
handle_snapshot (TandemSyncServer  *self,
                 SoupServerMessage *msg)
{
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GError) error = NULL;
  TandemServerSnapshot *snapshot;
  SoupMessageHeaders *headers;
  SoupMessageBody *body;
  gint64 version = 0;

  /* Clients from before the streamed form ask without a version and
   * could not read it: they are told to upgrade. */
  if (query != NULL)
    params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if ((query != NULL && params == NULL) ||
      !parse_query_int (params, "version", 0, 0, G_MAXINT32, &version) ||
      version != TANDEM_SNAPSHOT_VERSION)
    {
      g_autofree char *message =
        g_strdup_printf (_("This server sends snapshots in format version %d: update Tandem"),
                         TANDEM_SNAPSHOT_VERSION);

      respond_error (msg, SOUP_STATUS_CONFLICT, "upgrade_required", message, "version",
                     TANDEM_SNAPSHOT_VERSION);
      return;
    }

  snapshot = tandem_server_snapshot_new (self->store, &error);
  if (snapshot == NULL)
    {
      g_warning ("Snapshot failed: %s", error->message);
      respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "storage",
                     _("The server could not read its state; try again later"), NULL, 0);
      return;
    }

  headers = soup_server_message_get_response_headers (msg);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, TANDEM_SNAPSHOT_CONTENT_TYPE, NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);

  /* Pieces that went out are dropped rather than kept for the log. */
  body = soup_server_message_get_response_body (msg);
  soup_message_body_set_accumulate (body, FALSE);

  /* The message owns the reader: a client that goes away mid-way ends
   * the read transaction with it. */
  g_object_set_data_full (G_OBJECT (msg), SNAPSHOT_KEY, snapshot,
                          (GDestroyNotify) tandem_server_snapshot_free);
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (on_snapshot_wrote_chunk), NULL);
  snapshot_next_chunk (msg);
}

static void
handle_request (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  TandemSyncServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  const char *expected = NULL;
  void (*handler) (TandemSyncServer *, SoupServerMessage *) = NULL;

  if (g_str_equal (path, "/v1/health"))
    expected = SOUP_METHOD_GET, handler = handle_health;
  else if (g_str_equal (path, "/v1/push"))
    expected = SOUP_METHOD_POST, handler = handle_push;
  else if (g_str_equal (path, "/v1/pull"))
    expected = SOUP_METHOD_GET, handler = handle_pull;
  else if (g_str_equal (path, "/v1/snapshot"))
    expected = SOUP_METHOD_GET, handler = handle_snapshot;

  if (handler == NULL)
    {
      respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", _("No such endpoint"), NULL, 0);
      return;
    }

  if (!g_str_equal (method, expected))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", expected);
      respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                     _("This endpoint takes another method"), NULL, 0);
      return;
    }

  handler (self, msg);
}

static void
tandem_sync_server_dispose (GObject *object)
{
  TandemSyncServer *self = (TandemSyncServer *) object;

  if (self->server != NULL)
    {
      soup_server_disconnect (self->server);
      g_signal_handlers_disconnect_by_data (self->server, self);
    }
  g_clear_object (&self->server);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (tandem_sync_server_parent_class)->dispose (object);
}

static void
tandem_sync_server_finalize (GObject *object)
{
  TandemSyncServer *self = (TandemSyncServer *) object;

  g_free (self->host);

  G_OBJECT_CLASS (tandem_sync_server_parent_class)->finalize (object);
}

static void
tandem_sync_server_class_init (TandemSyncServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tandem_sync_server_dispose;
  object_class->finalize = tandem_sync_server_finalize;
}

static void
tandem_sync_server_init (TandemSyncServer *self)
{
  self->server = soup_server_new ("server-header", "tandem-sync/" PACKAGE_VERSION " ", NULL);

  g_signal_connect (self->server, "request-started", G_CALLBACK (on_request_started), self);
  g_signal_connect (self->server, "request-finished", G_CALLBACK (on_request_finished), self);
  g_signal_connect (self->server, "request-aborted", G_CALLBACK (on_request_aborted), self);
  soup_server_add_handler (self->server, NULL, handle_request, self, NULL);
}

TandemSyncServer *
tandem_sync_server_new (TandemServerStore *store)
{
  TandemSyncServer *self;

  g_return_val_if_fail (TANDEM_IS_SERVER_STORE (store), NULL);

  self = g_object_new (TANDEM_TYPE_SYNC_SERVER, NULL);
  self->store = g_object_ref (store);

  return self;
}

gboolean
tandem_sync_server_set_tls (TandemSyncServer  *self,
                            const char        *cert_file,
                            const char        *key_file,
                            GError           **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (TANDEM_IS_SYNC_SERVER (self), FALSE);
  g_return_val_if_fail (cert_file != NULL, FALSE);
  g_return_val_if_fail (key_file != NULL, FALSE);

  certificate = g_tls_certificate_new_from_files (cert_file, key_file, &local_error);
  if (certificate == NULL)
    {
      g_set_error (error, TANDEM_SYNC_SERVER_ERROR, TANDEM_SYNC_SERVER_ERROR_TLS,
                   _("Could not load the TLS certificate %s and key %s: %s"),
                   cert_file, key_file, local_error->message);
      return FALSE;
    }

  soup_server_set_tls_certificate (self->server, certificate);
  self->tls = TRUE;

  return TRUE;
}

gboolean
tandem_sync_server_listen (TandemSyncServer  *self,
                           const char        *address,
                           GError           **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *host = NULL;
  const char *colon;
  guint64 port;
  GSList *uris;

  g_return_val_if_fail (TANDEM_IS_SYNC_SERVER (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  colon = strrchr (address, ':');
  if (colon == NULL ||
      !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
    {
      g_set_error (error, TANDEM_SYNC_SERVER_ERROR, TANDEM_SYNC_SERVER_ERROR_ADDRESS,
                   _("“%s” is not an address and port such as 127.0.0.1:8765"), address);
      return FALSE;
    }

  host = g_strndup (address, colon - address);
  if (host[0] == '[' && host[strlen (host) - 1] == ']')
    {
      char *inner = g_strndup (host + 1, strlen (host) - 2);

      g_free (host);
      host = inner;
    }

  if (g_str_equal (host, "localhost"))
    inet = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    inet = g_inet_address_new_from_string (host);

  if (inet == NULL)
    {
      g_set_error (error, TANDEM_SYNC_SERVER_ERROR, TANDEM_SYNC_SERVER_ERROR_ADDRESS,
                   _("“%s” is not an IP address"), host);
      return FALSE;
    }

  socket_address = g_inet_socket_address_new (inet, (guint16) port);

  /* The socket is made here rather than by soup_server_listen() for its
   * backlog: GLib's default of 10 makes a team's desktops connecting at
   * once wait a second for the kernel's SYN retry. */
  listener = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                           G_SOCKET_PROTOCOL_TCP, &local_error);
  if (listener != NULL)
    g_socket_set_listen_backlog (listener, LISTEN_BACKLOG);

  if (listener == NULL ||
      !g_socket_bind (listener, socket_address, TRUE, &local_error) ||
      !g_socket_listen (listener, &local_error) ||
      !soup_server_listen_socket (self->server, listener,
                                  self->tls ? SOUP_SERVER_LISTEN_HTTPS : 0, &local_error))
    {
      g_set_error (error, TANDEM_SYNC_SERVER_ERROR, TANDEM_SYNC_SERVER_ERROR_ADDRESS,
                   _("Could not listen on %s: %s"), address, local_error->message);
      return FALSE;
    }

  uris = soup_server_get_uris (self->server);
  if (uris != NULL)
    self->port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_free (self->host);
  self->host = g_inet_address_to_string (inet);

  return TRUE;
}

guint
tandem_sync_server_get_port (TandemSyncServer *self)
{
  g_return_val_if_fail (TANDEM_IS_SYNC_SERVER (self), 0);

  return self->port;
}

char *
tandem_sync_server_get_url (TandemSyncServer *self)
{
  gboolean ipv6;

  g_return_val_if_fail (TANDEM_IS_SYNC_SERVER (self), NULL);
  g_return_val_if_fail (self->host != NULL, NULL);

  ipv6 = strchr (self->host, ':') != NULL;

  return g_strdup_printf ("%s://%s%s%s:%u", self->tls ? "https" : "http",
                          ipv6 ? "[" : "", self->host, ipv6 ? "]" : "", self->port);
}
