/* tandem-sync-client.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>
#include <string.h>

#include "tandem-schema.h"
#include "tandem-store-private.h"
#include "tandem-sync-client-private.h"
#include "tandem-sync-client.h"
#include "tandem-snapshot-format.h"
#include "tandem-snapshot-reader.h"
#include "tandem-sync-protocol.h"

/* A round is: a snapshot when the workspace has never synced, the outbox
 * pushed in batches, then pull pages until the server has nothing more.
 *
 * The one hard rule is that no edit is lost or doubled whatever moment the
 * process dies at. A batch's id and the last outbox entry it covers are
 * written to the meta table before the batch is sent, and the entries
 * leave the outbox only once the answer is read; a round that finds a
 * pending batch sends it again under the same id, which the server answers
 * from its batches table without applying anything twice. Pulled pages are
 * applied together with the cursor in one transaction by the core. */

/* A batch is at most this many changes, the protocol's limit, and about
 * this many bytes, half the limit of a body: a large first push then takes
 * a few hundred round trips (and the server's waits for the disk) rather
 * than over a thousand. */
#define PUSH_BATCH_SIZE  5000
#define PUSH_BATCH_BYTES (4 * 1024 * 1024)
#define PULL_PAGE_SIZE   1000
#define REQUEST_TIMEOUT  30  /* seconds without progress before giving up */

#define META_SERVER        "sync_server"
#define META_TOKEN         "sync_token"
#define META_LAST_OK       "sync_last_ok"
#define META_PENDING_BATCH "sync_pending_batch"
#define META_PENDING_LAST  "sync_pending_last"
#define META_CURSOR_STAMP  "sync_cursor_stamp"

G_DEFINE_QUARK (tandem-sync-client-error-quark, tandem_sync_client_error)

typedef struct
{
  TandemStore *store;
  SoupSession *session;
  char        *server;  /* without a trailing slash */
  char        *token;
} Client;

static void
client_clear (Client *client)
{
  g_clear_object (&client->session);
  g_clear_pointer (&client->server, g_free);
  g_clear_pointer (&client->token, g_free);
}

static SoupSession *
session_new (void)
{
  return soup_session_new_with_options ("timeout", REQUEST_TIMEOUT,
                                        "idle-timeout", REQUEST_TIMEOUT,
                                        "user-agent", "Tandem/" PACKAGE_VERSION " ",
                                        NULL);
}

static char *
normalize_server (const char  *server_url,
                  GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *text = NULL;
  const char *scheme;
  gsize length;

  uri = g_uri_parse (server_url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0))
    {
      g_set_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_NOT_CONFIGURED,
                   _("“%s” is not a server address. Use one like http://host:8765 or "
                     "https://host."), server_url);
      return NULL;
    }

  /* Paths are appended to the address, so a trailing slash would double. */
  text = g_strdup (server_url);
  length = strlen (text);
  while (length > 0 && text[length - 1] == '/')
    text[--length] = '\0';

  return g_steal_pointer (&text);
}

static gboolean
client_init (Client       *client,
             TandemStore  *store,
             GError      **error)
{
  memset (client, 0, sizeof *client);
  client->store = store;
  client->server = tandem_sync_get_meta (store, META_SERVER);
  client->token = tandem_sync_get_meta (store, META_TOKEN);

  if (client->server == NULL || client->token == NULL)
    {
      g_set_error_literal (error, TANDEM_SYNC_CLIENT_ERROR,
                           TANDEM_SYNC_CLIENT_ERROR_NOT_CONFIGURED,
                           _("This workspace is not set up to sync. Add a server address and "
                             "a token in Preferences, or pass --server and --token-file."));
      return FALSE;
    }

  client->session = session_new ();
  return TRUE;
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* The code and message of an error answer, when it has the protocol's
 * form; anything else gives NULLs. */
static void
parse_error_answer (GBytes  *body,
                    char   **code,
                    char   **message)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;

  *code = NULL;
  *message = NULL;
  if (body == NULL || g_bytes_get_size (body) == 0)
    return;

  root = tandem_protocol_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;

  object = json_node_get_object (root);
  if (json_object_has_member (object, "error"))
    *code = g_strdup (json_object_get_string_member_with_default (object, "error", NULL));
  if (json_object_has_member (object, "message"))
    *message = g_strdup (json_object_get_string_member_with_default (object, "message", NULL));
}

/* Turns an answer other than 200 into the error the caller reports. */
static void
set_status_error (Client      *client,
                  guint        status,
                  GBytes      *body,
                  GError     **error)
{
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;

  parse_error_answer (body, &code, &message);

  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      g_set_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_UNAUTHORIZED,
                   _("The sync server at %s refused the token. Ask its administrator for a "
                     "new one (tandem-sync token add NAME)."), client->server);
      return;

    case SOUP_STATUS_CONFLICT:
      if (g_strcmp0 (code, "clock_skew") == 0)
        g_set_error_literal (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_CLOCK_SKEW,
                             _("This computer’s clock is ahead of the sync server’s by more "
                               "than a minute. Correct the date and time, then sync again."));
      else
        g_set_error_literal (error, TANDEM_SYNC_CLIENT_ERROR,
                             TANDEM_SYNC_CLIENT_ERROR_UPGRADE_REQUIRED,
                             _("The sync server uses another version of the workspace format. "
                               "Update Tandem or the server so that both match."));
      return;

    case SOUP_STATUS_BAD_GATEWAY:
    case SOUP_STATUS_SERVICE_UNAVAILABLE:
    case SOUP_STATUS_GATEWAY_TIMEOUT:
      /* A proxy in front of a server that is down: the same as no answer. */
      g_set_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_OFFLINE,
                   _("The sync server at %s is not answering (HTTP %u)."), client->server,
                   status);
      return;

    default:
      g_set_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_PROTOCOL,
                   _("The sync server at %s answered HTTP %u: %s"), client->server, status,
                   message != NULL ? message : (code != NULL ? code : _("no explanation")));
      return;
    }
}

/* A request to @path with the token. */
static SoupMessage *
client_message (Client      *client,
                const char  *method,
                const char  *path,
                GError     **error)
{
  g_autofree char *url = g_strconcat (client->server, path, NULL);
  g_autofree char *authorization = NULL;
  SoupMessage *msg;

  msg = soup_message_new (method, url);
  if (msg == NULL)
    {
      g_set_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_NOT_CONFIGURED,
                   _("“%s” is not a server address."), client->server);
      return NULL;
    }

  authorization = g_strdup_printf ("Bearer %s", client->token);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                authorization);
  return msg;
}

/* A request that got no answer, or whose answer broke off. */
static void
set_send_error (Client  *client,
                GError  *send_error,
                GError **error)
{
  if (g_error_matches (send_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, send_error);
  else
    {
      g_set_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_OFFLINE,
                   _("Could not reach the sync server at %s: %s"), client->server,
                   send_error->message);
      g_error_free (send_error);
    }
}

/* The body of an error answer, which is small; more is not read. */
static GBytes *
read_error_body (GInputStream *stream,
                 GCancellable *cancellable)
{
  g_autofree char *buffer = g_malloc (64 * 1024);
  gsize n_read = 0;

  if (!g_input_stream_read_all (stream, buffer, 64 * 1024, &n_read, cancellable, NULL))
    return NULL;

  return g_bytes_new (buffer, n_read);
}

/* One request, blocking. Returns the body, whatever the status; a request
 * that got no answer at all is an OFFLINE error. */
static GBytes *
client_send (Client        *client,
             const char    *method,
             const char    *path,
             const char    *body,
             gsize          length,
             guint         *status,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) local_error = NULL;
  GBytes *answer;

  msg = client_message (client, method, path, error);
  if (msg == NULL)
    return NULL;

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, length);

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  answer = soup_session_send_and_read (client->session, msg, cancellable, &local_error);
  if (answer == NULL)
    {
      set_send_error (client, g_steal_pointer (&local_error), error);
      return NULL;
    }

  *status = soup_message_get_status (msg);
  return answer;
}

static gboolean
in_transaction (TandemStore  *store,
                gboolean    (*func) (TandemStore *store, gpointer data, GError **error),
                gpointer      data,
                GError      **error)
{
  if (!tandem_store_begin (store, error))
    return FALSE;

  if (!func (store, data, error))
    {
      tandem_store_rollback (store);
      return FALSE;
    }

  return tandem_store_commit (store, error);
}

/* Snapshots. */

typedef struct
{
  GArray *seqs;
} Requeue;

static gboolean
requeue_entries (TandemStore  *store,
                 gpointer      data,
                 GError      **error)
{
  Requeue *requeue = data;
  sqlite3_stmt *stmt;

  stmt = tandem_store_prepare_cached (store, "UPDATE change_log SET pushed = 0 WHERE seq = ?",
                                      error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < requeue->seqs->len; i++)
    {
      int rc;

      sqlite3_bind_int64 (stmt, 1, g_array_index (requeue->seqs, gint64, i));
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          g_set_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_PROTOCOL,
                       _("Could not put changes back in the outbox: %s"),
                       sqlite3_errmsg (tandem_store_get_db (store)));
          return FALSE;
        }
    }

  return TRUE;
}

/* After a 410 the server may have been restored from a backup and lost
 * edits it had acknowledged. Every local edit that is still the newest
 * value of its field here, but that the snapshot does not hold (nor
 * anything newer), goes back to the outbox, so that the next push gives
 * it to the server again. When the 410 only meant an old cursor, the
 * snapshot holds everything and nothing moves.
 *
 * The acknowledged edits are gathered per row before the snapshot
 * streams in, each row is looked at as it passes, and the edits of rows
 * it never held are requeued at the end, in the snapshot's transaction. */

typedef struct
{
  gint64  seq;
  gint64  hlc;
  char   *site;
} LostEntry;

typedef struct
{
  GArray     *wholes;  /* seqs of the row's "*" entries */
  GHashTable *newest;  /* field ("deleted" for "*") -> LostEntry, the newest */
} LostRow;

typedef struct
{
  GHashTable *rows;    /* "table\x1frow" -> LostRow */
  GHashTable *queued;  /* seqs requeued, as gint64 * */
  Requeue     requeue;
  TandemStore *store;
} Lost;

static void
lost_entry_free (LostEntry *entry)
{
  g_free (entry->site);
  g_free (entry);
}

static void
lost_row_free (LostRow *row)
{
  g_array_unref (row->wholes);
  g_hash_table_unref (row->newest);
  g_free (row);
}

static void
lost_clear (Lost *lost)
{
  g_clear_pointer (&lost->rows, g_hash_table_unref);
  g_clear_pointer (&lost->queued, g_hash_table_unref);
  g_clear_pointer (&lost->requeue.seqs, g_array_unref);
}

static void
lost_queue (Lost   *lost,
            gint64  seq)
{
  if (g_hash_table_contains (lost->queued, &seq))
    return;

  g_hash_table_add (lost->queued, g_memdup2 (&seq, sizeof seq));
  g_array_append_val (lost->requeue.seqs, seq);
}

static gboolean
lost_load (Lost         *lost,
           TandemStore  *store,
           GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  lost->store = store;
  lost->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) lost_row_free);
  lost->queued = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  lost->requeue.seqs = g_array_new (FALSE, FALSE, sizeof (gint64));

  stmt = tandem_store_prepare_cached (store,
                                      "SELECT seq, tbl, row_id, field, hlc, site FROM change_log"
                                      " WHERE origin = 'local' AND pushed = 1 ORDER BY seq",
                                      error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *field = (const char *) sqlite3_column_text (stmt, 3);
      g_autofree char *key = g_strjoin ("\x1f", (const char *) sqlite3_column_text (stmt, 1),
                                        (const char *) sqlite3_column_text (stmt, 2), NULL);
      LostRow *row = g_hash_table_lookup (lost->rows, key);
      LostEntry *entry = g_new0 (LostEntry, 1);
      gboolean whole = g_str_equal (field, "*");

      entry->seq = sqlite3_column_int64 (stmt, 0);
      entry->hlc = sqlite3_column_int64 (stmt, 4);
      entry->site = g_strdup ((const char *) sqlite3_column_text (stmt, 5));

      if (row == NULL)
        {
          row = g_new0 (LostRow, 1);
          row->wholes = g_array_new (FALSE, FALSE, sizeof (gint64));
          row->newest = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) lost_entry_free);
          g_hash_table_insert (lost->rows, g_steal_pointer (&key), row);
        }

      /* A row the server does not know at all needs its creation first,
       * whatever happened to its fields since; a whole row stands for its
       * tombstone field, which it carries. */
      if (whole)
        g_array_append_val (row->wholes, entry->seq);
      g_hash_table_replace (row->newest, g_strdup (whole ? "deleted" : field), entry);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      g_set_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_PROTOCOL,
                   _("Could not read the change log: %s"),
                   sqlite3_errmsg (tandem_store_get_db (store)));
      return FALSE;
    }

  return TRUE;
}

/* A row of the snapshot: each local edit newer than what it holds, or of
 * a field it never had written, goes back to the outbox. */
static gboolean
lost_check_row (const char           *table,
                const char * const   *columns,
                const TandemSyncRow  *row,
                gpointer              user_data,
                GError              **error)
{
  Lost *lost = user_data;
  g_autofree char *key = g_strjoin ("\x1f", table, row->row_id, NULL);
  LostRow *entries = g_hash_table_lookup (lost->rows, key);
  GHashTableIter iter;
  gpointer field, value;

  if (entries == NULL)
    return TRUE;

  g_hash_table_iter_init (&iter, entries->newest);
  while (g_hash_table_iter_next (&iter, &field, &value))
    {
      LostEntry *entry = value;
      gint64 hlc = 0;
      const char *site = "";

      for (guint c = 0; columns[c] != NULL; c++)
        if (g_str_equal (columns[c], field))
          {
            hlc = row->hlc;
            site = row->site;
            for (guint k = 0; k < row->n_clocks; k++)
              if (row->clocks[k].column == c)
                {
                  hlc = row->clocks[k].hlc;
                  site = row->clocks[k].site;
                }
          }

      if ((hlc == 0 && *site == '\0') || tandem_sync_wins (entry->hlc, entry->site, hlc, site))
        lost_queue (lost, entry->seq);
    }

  g_hash_table_remove (lost->rows, key);
  return TRUE;
}

/* After the last row, in its transaction: the edits of rows the snapshot
 * never held go back too, then all of them leave for the outbox. */
static gboolean
lost_finish (TandemStore  *store,
             gpointer      user_data,
             GError      **error)
{
  Lost *lost = user_data;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, lost->rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      LostRow *row = value;
      GHashTableIter fields;
      gpointer entry;

      for (guint i = 0; i < row->wholes->len; i++)
        lost_queue (lost, g_array_index (row->wholes, gint64, i));

      g_hash_table_iter_init (&fields, row->newest);
      while (g_hash_table_iter_next (&fields, NULL, &entry))
        lost_queue (lost, ((LostEntry *) entry)->seq);
    }

  if (lost->requeue.seqs->len > 0)
    g_debug ("The server lacks %u acknowledged edits; pushing them again",
             lost->requeue.seqs->len);

  return requeue_entries (store, &lost->requeue, error);
}

/* Before the commit of any snapshot: the stamp belongs to the history
 * before it. */
static gboolean
snapshot_finish (TandemStore  *store,
                 gpointer      user_data,
                 GError      **error)
{
  if (user_data != NULL && !lost_finish (store, user_data, error))
    return FALSE;

  return tandem_sync_set_meta (store, META_CURSOR_STAMP, NULL, error);
}

static gboolean
take_snapshot (Client            *client,
               gboolean           after_gone,
               TandemSyncReport  *report,
               GCancellable      *cancellable,
               GError           **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *content_type;
  Lost lost = { 0, };
  gint64 cursor = 0;
  guint64 n_rows = 0;
  guint status;
  gboolean ok;

  /* The version asks for the streamed form; a server that does not know
   * it answers in a form this client cannot read, and says so by its
   * content type. */
  msg = client_message (client, "GET",
                        "/v1/snapshot?version=" G_STRINGIFY (TANDEM_SNAPSHOT_VERSION), error);
  if (msg == NULL)
    return FALSE;

  stream = soup_session_send (client->session, msg, cancellable, &local_error);
  if (stream == NULL)
    {
      set_send_error (client, g_steal_pointer (&local_error), error);
      return FALSE;
    }

  status = soup_message_get_status (msg);
  if (status != SOUP_STATUS_OK)
    {
      g_autoptr(GBytes) body = read_error_body (stream, cancellable);

      set_status_error (client, status, body, error);
      return FALSE;
    }

  content_type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg),
                                                        NULL);
  if (g_strcmp0 (content_type, TANDEM_SNAPSHOT_CONTENT_TYPE) != 0)
    {
      g_set_error_literal (error, TANDEM_SYNC_CLIENT_ERROR,
                           TANDEM_SYNC_CLIENT_ERROR_UPGRADE_REQUIRED,
                           _("The sync server is older than this version of Tandem and sends "
                             "snapshots it cannot read. Update the server."));
      return FALSE;
    }

  /* Lost edits go back to the outbox in the snapshot's transaction: a
   * crash leaves both undone, and the next round looks again. */
  if (after_gone && !lost_load (&lost, client->store, error))
    {
      lost_clear (&lost);
      return FALSE;
    }

  ok = tandem_snapshot_read_stream (client->store, stream, after_gone ? lost_check_row : NULL,
                                    snapshot_finish, after_gone ? &lost : NULL, &cursor, &n_rows,
                                    cancellable, &local_error);
  lost_clear (&lost);
  g_input_stream_close (stream, NULL, NULL);

  if (!ok)
    {
      if (g_error_matches (local_error, TANDEM_PROTOCOL_ERROR,
                           TANDEM_PROTOCOL_ERROR_UPGRADE_REQUIRED))
        g_set_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_UPGRADE_REQUIRED,
                     _("The sync server uses another version of the workspace format (%s). "
                       "Update Tandem or the server so that both match."), local_error->message);
      else if (local_error->domain == G_IO_ERROR)
        set_send_error (client, g_steal_pointer (&local_error), error);
      else
        g_set_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_PROTOCOL,
                     _("The sync server sent a snapshot that cannot be applied, so nothing was "
                       "changed: %s"), local_error->message);
      return FALSE;
    }

  g_debug ("Snapshot: %" G_GUINT64_FORMAT " rows up to %" G_GINT64_FORMAT, n_rows, cursor);
  report->took_snapshot = TRUE;
  report->cursor = cursor;
  return TRUE;
}

/* Pushing. */

typedef struct
{
  const char     *batch_id;
  gint64          last_seq;
  TandemPushSkip  skip;
  const char     *site;
} PendingBatch;

static gboolean
remember_batch (TandemStore  *store,
                gpointer      data,
                GError      **error)
{
  PendingBatch *batch = data;
  g_autofree char *last = batch->last_seq > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT,
                                                                 batch->last_seq) : NULL;

  return tandem_sync_set_meta (store, META_PENDING_BATCH, batch->batch_id, error) &&
         tandem_sync_set_meta (store, META_PENDING_LAST, last, error);
}

static gboolean
acknowledge_batch (TandemStore  *store,
                   gpointer      data,
                   GError      **error)
{
  PendingBatch *batch = data;
  gboolean moved = FALSE;

  if (!tandem_sync_mark_pushed (store, batch->last_seq, error) ||
      !tandem_sync_set_meta (store, META_PENDING_BATCH, NULL, error) ||
      !tandem_sync_set_meta (store, META_PENDING_LAST, NULL, error))
    return FALSE;

  /* The server says nobody else wrote between the cursor and the end of
   * this batch: the next pull would only bring this desktop's own changes
   * back. The stamp of the change at the new cursor is what the next pull
   * checks the history by. */
  if (batch->skip.to > 0)
    {
      g_autofree char *stamp = NULL;

      if (!tandem_sync_skip_own_changes (store, batch->skip.from, batch->skip.to, &moved, error))
        return FALSE;

      stamp = g_strdup_printf ("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s", batch->skip.to,
                               batch->skip.hlc, batch->site);
      if (moved && !tandem_sync_set_meta (store, META_CURSOR_STAMP, stamp, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
client_push_batch (Client        *client,
                   gboolean       acknowledge,
                   guint         *n_sent,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GArray) outcomes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *batch_id = NULL;
  g_autofree char *last_text = NULL;
  g_autofree char *answer_id = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;
  TandemPushSkip skip = { 0, };
  PendingBatch batch = { 0, };
  gint64 answer_cursor = 0;
  gint64 last_seq = 0;
  gsize length = 0;
  guint status = 0;

  *n_sent = 0;

  changes = tandem_sync_read_outbox (client->store, PUSH_BATCH_SIZE, error);
  if (changes == NULL)
    return FALSE;

  batch_id = tandem_sync_get_meta (client->store, META_PENDING_BATCH);
  last_text = tandem_sync_get_meta (client->store, META_PENDING_LAST);
  if (batch_id != NULL && last_text != NULL)
    {
      /* The batch an interrupted round sent, or meant to: the same
       * entries under the same id, so the server can tell a retry. */
      last_seq = g_ascii_strtoll (last_text, NULL, 10);
      while (changes->len > 0 &&
             ((TandemChange *) g_ptr_array_index (changes, changes->len - 1))->seq > last_seq)
        g_ptr_array_set_size (changes, changes->len - 1);

      if (changes->len == 0)
        {
          batch.batch_id = NULL;
          batch.last_seq = 0;
          if (!in_transaction (client->store, remember_batch, &batch, error))
            return FALSE;
          g_clear_pointer (&batch_id, g_free);
        }
    }
  else
    g_clear_pointer (&batch_id, g_free);

  if (changes->len == 0)
    {
      g_clear_pointer (&changes, g_ptr_array_unref);
      changes = tandem_sync_read_outbox (client->store, PUSH_BATCH_SIZE, error);
      if (changes == NULL)
        return FALSE;
    }

  if (changes->len == 0)
    return TRUE;

  if (batch_id == NULL)
    {
      gsize bytes = 0;
      guint n = 0;

      /* The size a change takes in the request: its value is JSON
       * already, the rest a few keys and clocks. */
      while (n < changes->len)
        {
          const TandemChange *change = g_ptr_array_index (changes, n);

          bytes += strlen (change->value_json) + strlen (change->table) +
                   strlen (change->row_id) + strlen (change->field) + strlen (change->site) + 128;
          if (n > 0 && bytes > PUSH_BATCH_BYTES)
            break;
          n++;
        }
      g_ptr_array_set_size (changes, n);

      batch_id = g_uuid_string_random ();
      last_seq = ((TandemChange *) g_ptr_array_index (changes, changes->len - 1))->seq;
      batch.batch_id = batch_id;
      batch.last_seq = last_seq;
      if (!in_transaction (client->store, remember_batch, &batch, error))
        return FALSE;
    }

  body = tandem_push_request_build (batch_id, TANDEM_SYNC_SCHEMA_VERSION,
                                    tandem_store_get_site_id (client->store), now_ms (), changes,
                                    &length);
  /* With the cursor, the server can tell when everything after it is
   * this batch (doc/sync-protocol.md, "skip"). */
  path = g_strdup_printf ("/v1/push?since=%" G_GINT64_FORMAT, tandem_sync_get_cursor (client->store));
  answer = client_send (client, "POST", path, body, length, &status, cancellable, error);
  if (answer == NULL)
    return FALSE;

  if (status != SOUP_STATUS_OK)
    {
      set_status_error (client, status, answer, error);
      return FALSE;
    }

  if (!tandem_push_answer_parse (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer),
                                 &answer_id, &answer_cursor, &outcomes, &skip, &local_error))
    {
      g_set_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_PROTOCOL,
                   _("The sync server’s answer to a push cannot be read: %s"),
                   local_error->message);
      return FALSE;
    }

  if (g_strcmp0 (answer_id, batch_id) != 0 || outcomes->len != changes->len)
    {
      g_set_error_literal (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_PROTOCOL,
                           _("The sync server answered a push with results for another batch."));
      return FALSE;
    }

  *n_sent = changes->len;

  if (!acknowledge)
    return TRUE;

  batch.batch_id = batch_id;
  batch.last_seq = last_seq;
  batch.skip = skip;
  batch.site = tandem_store_get_site_id (client->store);
  return in_transaction (client->store, acknowledge_batch, &batch, error);
}

gboolean
tandem_sync_client_push_batch (TandemStore   *store,
                               gboolean       acknowledge,
                               GCancellable  *cancellable,
                               guint         *n_sent,
                               GError       **error)
{
  Client client;
  guint sent = 0;
  gboolean ok;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!client_init (&client, store, error))
    return FALSE;

  ok = client_push_batch (&client, acknowledge, &sent, cancellable, error);
  client_clear (&client);

  if (n_sent != NULL)
    *n_sent = sent;
  return ok;
}

/* Pulling. */

typedef enum
{
  PULL_DONE,
  PULL_MORE,
  PULL_GONE,
  PULL_FAILED,
} PullResult;

/* The change at the cursor, as "SEQ HLC SITE", or NULL. */
static char *
stamp_of (const TandemChange *change)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s", change->seq,
                          change->hlc, change->site);
}

typedef struct
{
  GPtrArray            *changes;
  gint64                cursor;
  TandemSyncApplyStats  stats;
} Page;

static gboolean
apply_page (TandemStore  *store,
            gpointer      data,
            GError      **error)
{
  Page *page = data;
  g_autofree char *stamp = NULL;

  if (!tandem_sync_apply (store, page->changes, page->cursor, &page->stats, error))
    return FALSE;

  if (page->changes->len == 0)
    return TRUE;

  stamp = stamp_of (g_ptr_array_index (page->changes, page->changes->len - 1));
  return tandem_sync_set_meta (store, META_CURSOR_STAMP, stamp, error);
}

/* One page from the cursor on.
 *
 * A server restored from a backup that has since taken new pushes can
 * reach this desktop's cursor again with other changes under the same
 * sequence numbers, and then no 410 warns of it. So each page starts one
 * change early, at the change the cursor stands on, and compares it with
 * the stamp kept when that change was applied: another change there means
 * the history was rewritten, which is handled like a 410. */
static PullResult
pull_page (Client            *client,
           TandemSyncReport  *report,
           GCancellable      *cancellable,
           GError           **error)
{
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *stamp = NULL;
  Page page = { 0, };
  gint64 since = tandem_sync_get_cursor (client->store);
  gint64 cursor = 0;
  gboolean more = FALSE;
  guint status = 0;

  path = g_strdup_printf ("/v1/pull?since=%" G_GINT64_FORMAT "&limit=%d", MAX (since - 1, 0),
                          PULL_PAGE_SIZE);
  answer = client_send (client, "GET", path, NULL, 0, &status, cancellable, error);
  if (answer == NULL)
    return PULL_FAILED;

  if (status == SOUP_STATUS_GONE)
    return PULL_GONE;

  if (status != SOUP_STATUS_OK)
    {
      set_status_error (client, status, answer, error);
      return PULL_FAILED;
    }

  changes = tandem_pull_answer_parse (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer),
                                      &cursor, &more, &local_error);
  if (changes == NULL)
    {
      g_set_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_PROTOCOL,
                   _("The sync server sent changes that cannot be read: %s"),
                   local_error->message);
      return PULL_FAILED;
    }

  if (since > 0)
    {
      const TandemChange *first = changes->len > 0 ? g_ptr_array_index (changes, 0) : NULL;
      g_autofree char *kept = tandem_sync_get_meta (client->store, META_CURSOR_STAMP);
      g_autofree char *prefix = g_strdup_printf ("%" G_GINT64_FORMAT " ", since);

      if (first == NULL || first->seq != since)
        return PULL_GONE;

      stamp = stamp_of (first);
      if (kept != NULL && g_str_has_prefix (kept, prefix) && !g_str_equal (kept, stamp))
        return PULL_GONE;

      g_ptr_array_remove_index (changes, 0);
    }

  /* A page that does not move the cursor would make the loop endless. */
  if (more && cursor <= since)
    {
      g_set_error_literal (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_PROTOCOL,
                           _("The sync server announced more changes without sending any."));
      return PULL_FAILED;
    }

  page.changes = changes;
  page.cursor = cursor;
  if (!in_transaction (client->store, apply_page, &page, error))
    return PULL_FAILED;

  /* This desktop's own changes come back too; they are not news. */
  report->received += changes->len;
  report->pulled += changes->len - page.stats.skipped;
  report->applied += page.stats.applied;
  report->conflicts += page.stats.conflicts;
  report->cursor = MAX (cursor, since);

  return more ? PULL_MORE : PULL_DONE;
}

/* A round. */

gboolean
tandem_sync_client_run (TandemStore       *store,
                        GCancellable      *cancellable,
                        TandemSyncReport  *report,
                        GError           **error)
{
  TandemSyncReport local_report = { 0, };
  g_autofree char *last_ok = NULL;
  gboolean snapshot_after_gone = FALSE;
  Client client;
  gboolean ok = FALSE;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!client_init (&client, store, error))
    return FALSE;

  local_report.cursor = tandem_sync_get_cursor (store);

  /* A workspace that never synced starts from the server's state rather
   * than from its whole history; its own rows survive the merge and are
   * pushed next. */
  if (local_report.cursor == 0 &&
      !take_snapshot (&client, FALSE, &local_report, cancellable, error))
    goto out;

  for (;;)
    {
      guint n_sent = 0;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      if (!client_push_batch (&client, TRUE, &n_sent, cancellable, error))
        goto out;
      if (n_sent == 0)
        break;
      local_report.pushed += n_sent;
    }

  for (;;)
    {
      PullResult result;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      result = pull_page (&client, &local_report, cancellable, error);
      if (result == PULL_FAILED)
        goto out;
      if (result == PULL_DONE)
        break;
      if (result == PULL_MORE)
        continue;

      /* 410: the cursor is older than the server keeps, or ahead of a
       * server restored from a backup. One snapshot per round; a second
       * 410 right after it means the server is not making sense. */
      if (snapshot_after_gone)
        {
          g_set_error_literal (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_PROTOCOL,
                               _("The sync server refused the cursor of its own snapshot."));
          goto out;
        }
      snapshot_after_gone = TRUE;
      if (!take_snapshot (&client, TRUE, &local_report, cancellable, error))
        goto out;

      /* Edits the restored server lost are back in the outbox. */
      for (;;)
        {
          guint n_sent = 0;

          if (!client_push_batch (&client, TRUE, &n_sent, cancellable, error))
            goto out;
          if (n_sent == 0)
            break;
          local_report.pushed += n_sent;
        }
    }

  last_ok = g_strdup_printf ("%" G_GINT64_FORMAT, now_ms ());
  if (!tandem_sync_set_meta (store, META_LAST_OK, last_ok, error))
    goto out;

  ok = TRUE;

out:
  local_report.pending = tandem_sync_count_outbox (store);
  local_report.cursor = tandem_sync_get_cursor (store);
  if (report != NULL)
    *report = local_report;
  client_clear (&client);
  return ok;
}

void
tandem_sync_report_clear (TandemSyncReport *report)
{
  g_return_if_fail (report != NULL);

  g_clear_pointer (&report->changed, g_hash_table_unref);
}

/* More rows of one table than this are reported as the whole table, as
 * the store itself does within one transaction. */
#define MAX_REPORTED_ROWS 256

static void
unref_rows (gpointer rows)
{
  if (rows != NULL)
    g_hash_table_unref (rows);
}

/* The worker's store announces what each applied page changed; the round
 * keeps it for the caller's store, which did not see those writes. */
static void
on_round_changed (TandemStore      *store,
                  const char       *table,
                  const char       *row_id,
                  TandemChangeKind  kind,
                  GHashTable      **changed)
{
  GHashTable *rows;
  gpointer previous;

  if (*changed == NULL)
    *changed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, unref_rows);

  if (!g_hash_table_lookup_extended (*changed, table, NULL, (gpointer *) &rows))
    {
      rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (*changed, g_strdup (table), rows);
    }

  if (rows == NULL)
    return;

  if (row_id == NULL || kind == TANDEM_CHANGE_RELOAD || g_hash_table_size (rows) >= MAX_REPORTED_ROWS)
    {
      g_hash_table_insert (*changed, g_strdup (table), NULL);
      return;
    }

  /* A row new to the caller stays new however often it changed since. */
  if (g_hash_table_lookup_extended (rows, row_id, NULL, &previous) &&
      GPOINTER_TO_INT (previous) == TANDEM_CHANGE_ADDED && kind == TANDEM_CHANGE_UPDATED)
    return;

  g_hash_table_insert (rows, g_strdup (row_id), GINT_TO_POINTER (kind));
}

typedef struct
{
  char             *db_path;
  TandemSyncReport  report;
} RunData;

static void
run_data_free (RunData *data)
{
  g_free (data->db_path);
  tandem_sync_report_clear (&data->report);
  g_free (data);
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RunData *data = task_data;
  g_autoptr(TandemStore) store = NULL;
  GHashTable *changed = NULL;
  GError *error = NULL;
  gboolean ok;

  /* The worker's own connection: SQLite connections are not shared
   * between threads here. */
  store = tandem_store_open (data->db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* The report is kept with the task, so that a round that failed after
   * applying some pages still tells what they changed. */
  g_signal_connect (store, "changed", G_CALLBACK (on_round_changed), &changed);
  ok = tandem_sync_client_run (store, cancellable, &data->report, &error);
  g_signal_handlers_disconnect_by_data (store, &changed);
  data->report.changed = g_steal_pointer (&changed);

  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
tandem_sync_client_run_async (const char          *db_path,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RunData *data;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (RunData, 1);
  data->db_path = g_strdup (db_path);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tandem_sync_client_run_async);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);
  g_task_run_in_thread (task, run_in_thread);
}

gboolean
tandem_sync_client_run_finish (GAsyncResult      *result,
                               TandemSyncReport  *report,
                               GError           **error)
{
  RunData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (report != NULL)
    {
      *report = data->report;
      data->report.changed = NULL;
    }

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Configuration. */

gboolean
tandem_sync_client_configure (TandemStore  *store,
                              const char   *server_url,
                              const char   *token,
                              GError      **error)
{
  g_autofree char *server = NULL;
  g_autofree char *previous = NULL;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (server_url == NULL || token != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (server_url != NULL)
    {
      server = normalize_server (server_url, error);
      if (server == NULL)
        return FALSE;

      if (*token == '\0' || strpbrk (token, " \t\r\n") != NULL)
        {
          g_set_error_literal (error, TANDEM_SYNC_CLIENT_ERROR,
                               TANDEM_SYNC_CLIENT_ERROR_NOT_CONFIGURED,
                               _("The token is empty or has spaces in it. Paste the token "
                                 "tandem-sync printed, on its own."));
          return FALSE;
        }
    }

  previous = tandem_sync_get_meta (store, META_SERVER);

  if (!tandem_store_begin (store, error))
    return FALSE;

  if (!tandem_sync_set_meta (store, META_SERVER, server, error) ||
      !tandem_sync_set_meta (store, META_TOKEN, server != NULL ? token : NULL, error))
    goto failed;

  /* Another server has another sequence: start over from its snapshot.
   * A pending batch id belongs to the old server. */
  if (server != NULL && previous != NULL && g_strcmp0 (previous, server) != 0)
    {
      if (!tandem_sync_set_meta (store, "sync_cursor", NULL, error) ||
          !tandem_sync_set_meta (store, META_PENDING_BATCH, NULL, error) ||
          !tandem_sync_set_meta (store, META_PENDING_LAST, NULL, error))
        goto failed;
    }

  return tandem_store_commit (store, error);

failed:
  tandem_store_rollback (store);
  return FALSE;
}

char *
tandem_sync_client_dup_server (TandemStore *store)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);

  return tandem_sync_get_meta (store, META_SERVER);
}

/* Checking a server before saving it. */

typedef struct
{
  char *server;
  char *token;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_free (data->server);
  g_free (data->token);
  g_free (data);
}

static gboolean
check_server (const char    *server_url,
              const char    *token,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GBytes) health = NULL;
  g_autoptr(GBytes) pull = NULL;
  g_autoptr(JsonNode) root = NULL;
  Client client = { 0, };
  guint status = 0;
  gboolean ok = FALSE;

  client.server = normalize_server (server_url, error);
  if (client.server == NULL)
    return FALSE;
  client.token = g_strdup (token);
  client.session = session_new ();

  health = client_send (&client, "GET", "/v1/health", NULL, 0, &status, cancellable, error);
  if (health == NULL)
    goto out;

  if (status == SOUP_STATUS_OK)
    root = tandem_protocol_parse (g_bytes_get_data (health, NULL), g_bytes_get_size (health),
                                  NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (root),
                                                             "status", NULL), "ok") != 0)
    {
      g_set_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_PROTOCOL,
                   _("%s does not answer like a Tandem sync server."), client.server);
      goto out;
    }

  if (json_object_get_int_member_with_default (json_node_get_object (root), "schema", 0) !=
      TANDEM_SYNC_SCHEMA_VERSION)
    {
      set_status_error (&client, SOUP_STATUS_CONFLICT, NULL, error);
      goto out;
    }

  /* The cheapest request that needs the token. A 410 (history already
   * compacted) still proves the token is good. */
  pull = client_send (&client, "GET", "/v1/pull?since=0&limit=1", NULL, 0, &status, cancellable,
                      error);
  if (pull == NULL)
    goto out;

  if (status != SOUP_STATUS_OK && status != SOUP_STATUS_GONE)
    {
      set_status_error (&client, status, pull, error);
      goto out;
    }

  ok = TRUE;

out:
  client_clear (&client);
  return ok;
}

static void
check_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  CheckData *data = task_data;
  GError *error = NULL;

  if (check_server (data->server, data->token, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
tandem_sync_client_check_async (const char          *server_url,
                                const char          *token,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CheckData *data;

  g_return_if_fail (server_url != NULL);
  g_return_if_fail (token != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* A worker thread with a blocking session: the caller's main context
   * may be running a SoupServer (the UI tests do), which a blocking call
   * on that thread would deadlock. */
  data = g_new0 (CheckData, 1);
  data->server = g_strdup (server_url);
  data->token = g_strdup (token);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tandem_sync_client_check_async);
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);
  g_task_run_in_thread (task, check_in_thread);
}

gboolean
tandem_sync_client_check_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
