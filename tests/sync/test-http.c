/* test-http.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>

#include "core-test-utils.h"
#include "tandem-schema.h"
#include "tandem-sync-protocol.h"

/* These tests run the real tandem-sync binary, as a separate process, on
 * 127.0.0.1 and talk to it over HTTP the way a desktop would. */

static struct
{
  char        *dir;
  char        *db;
  const char  *bin;
  char        *token;
  char        *revoked_token;
  GSubprocess *server;
  guint        port;
  gboolean     stopped;
  SoupSession *session;
} t;

static char *
run_tool (const char *first,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) t.bin);
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, (char *) "--db");
  g_ptr_array_add (argv, t.db);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));

  return g_strstrip (g_steal_pointer (&out));
}

static void
start_server (void)
{
  const char *argv[] = { t.bin, "serve", "--db", t.db, "--listen", "127.0.0.1:0", NULL };
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *colon;

  t.server = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);

  /* The server prints its address once it listens; a pipe, so reading it
   * synchronously cannot block on the server's own loop. */
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (t.server));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Listening on http://127.0.0.1:"));

  colon = strrchr (line, ':');
  t.port = (guint) g_ascii_strtoull (colon + 1, NULL, 10);
  g_assert_cmpuint (t.port, >, 0);
}

typedef struct
{
  GBytes   *body;
  GError   *error;
  gboolean  done;
} Reply;

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Reply *reply = user_data;

  reply->body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &reply->error);
  reply->done = TRUE;
}

/* Sends a request with the async API and spins the main context until it
 * is answered. @body may be sent chunked, with no length given. */
static guint
request (const char  *method,
         const char  *path_and_query,
         const char  *token,
         const char  *body,
         gsize        length,
         gboolean     chunked,
         char       **answer)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", t.port, path_and_query);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  Reply reply = { 0, };
  guint status;

  g_assert_nonnull (msg);

  if (token != NULL)
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    value);
    }

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, length);

      if (chunked)
        {
          g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);

          soup_message_set_request_body (msg, "application/json", stream, -1);
        }
      else
        soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  soup_session_send_and_read_async (t.session, msg, G_PRIORITY_DEFAULT, NULL, on_sent, &reply);
  while (!reply.done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_no_error (reply.error);
  status = soup_message_get_status (msg);

  if (answer != NULL)
    *answer = g_strndup (g_bytes_get_data (reply.body, NULL), g_bytes_get_size (reply.body));
  g_bytes_unref (reply.body);

  return status;
}

static void
assert_contains (const char *text,
                 const char *part)
{
  if (strstr (text, part) == NULL)
    g_error ("“%s” does not contain “%s”", text, part);
}

static void
expect (const char *method,
        const char *path,
        const char *token,
        const char *body,
        guint       status,
        const char *part)
{
  g_autofree char *answer = NULL;

  g_assert_cmpuint (request (method, path, token, body, body ? strlen (body) : 0, FALSE, &answer),
                    ==, status);
  if (part != NULL)
    assert_contains (answer, part);
}

static char *
push_body (const char *batch_id,
           int         schema,
           gint64      sent_at,
           const char *changes)
{
  return g_strdup_printf ("{\"batch_id\":\"%s\",\"schema\":%d,\"site\":\"s1\",\"sent_at\":%"
                          G_GINT64_FORMAT ",\"changes\":[%s]}",
                          batch_id, schema, sent_at, changes);
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

#define GOOD_CHANGE(row, value) \
  "{\"table\":\"leads\",\"row\":\"" row "\",\"field\":\"email\",\"value\":\"" value "\"," \
  "\"hlc\":111386983071662080,\"site\":\"s1\",\"base_hlc\":0}"

static void
test_health (void)
{
  g_autofree char *expected = g_strdup_printf ("\"schema\":%d", TANDEM_SYNC_SCHEMA_VERSION);

  expect ("GET", "/v1/health", NULL, NULL, 200, "\"status\":\"ok\"");
  expect ("GET", "/v1/health", NULL, NULL, 200, expected);
  expect ("GET", "/v1/health", NULL, NULL, 200, "\"protocol\":2");
}

static void
test_unauthorized (void)
{
  g_autofree char *body = push_body ("auth", TANDEM_SYNC_SCHEMA_VERSION, now_ms (),
                                     GOOD_CHANGE ("L9", "a@b"));
  const char *wrong = "0000000000000000000000000000000000000000000000000000000000000000";

  expect ("GET", "/v1/pull", NULL, NULL, 401, "\"error\":\"unauthorized\"");
  expect ("GET", "/v1/pull", wrong, NULL, 401, "unauthorized");
  expect ("GET", "/v1/pull", "short", NULL, 401, "unauthorized");
  expect ("GET", "/v1/snapshot", t.revoked_token, NULL, 401, "unauthorized");
  expect ("POST", "/v1/push", wrong, body, 401, "unauthorized");
  expect ("POST", "/v1/push", t.revoked_token, body, 401, "unauthorized");

  /* Nothing of those pushes was stored. */
  expect ("GET", "/v1/pull?since=0", t.token, NULL, 200, "{\"changes\":[],");
}

/* Writes @headers on a plain socket and returns the status line, without
 * ever sending a body. */
static char *
raw_status_line (const char *headers)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  char *line;

  /* The server is another process, so blocking calls are safe here. */
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", t.port, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             headers, strlen (headers), NULL, NULL, &error);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);

  return g_strchomp (line);
}

static void
test_too_large_length (void)
{
  g_autofree char *with_token = g_strdup_printf ("POST /v1/push HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                 "Authorization: Bearer %s\r\n"
                                                 "Content-Type: application/json\r\n"
                                                 "Content-Length: 100000000\r\n\r\n",
                                                 t.token);
  g_autofree char *line = NULL;
  g_autofree char *line2 = NULL;

  /* The answer comes although the body never does: it was not read. */
  line = raw_status_line (with_token);
  g_assert_cmpstr (line, ==, "HTTP/1.1 413 Request Entity Too Large");

  /* The token is checked first. */
  line2 = raw_status_line ("POST /v1/push HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Content-Length: 100000000\r\n\r\n");
  g_assert_cmpstr (line2, ==, "HTTP/1.1 401 Unauthorized");
}

static void
test_too_large_chunked (void)
{
  gsize length = TANDEM_PROTOCOL_MAX_BODY + 256 * 1024;
  g_autofree char *body = g_malloc (length);
  g_autofree char *answer = NULL;

  memset (body, ' ', length);
  body[0] = '{';
  body[length - 1] = '}';

  g_assert_cmpuint (request ("POST", "/v1/push", t.token, body, length, TRUE, &answer), ==, 413);
  assert_contains (answer, "\"error\":\"too_large\"");

  /* Just under the limit is read, and refused for what it is. */
  length = TANDEM_PROTOCOL_MAX_BODY - 16;
  body[length - 1] = '}';
  g_clear_pointer (&answer, g_free);
  g_assert_cmpuint (request ("POST", "/v1/push", t.token, body, length, TRUE, &answer), ==, 400);
  assert_contains (answer, "\"error\":\"invalid\"");
}

static void
test_bad_json (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autofree char *bad_utf8 = push_body ("u", TANDEM_SYNC_SCHEMA_VERSION, now_ms (),
                                         GOOD_CHANGE ("L1", "a\xff@b"));
  g_autofree char *unknown = push_body ("t", TANDEM_SYNC_SCHEMA_VERSION, now_ms (),
                                        "{\"table\":\"nonsense\",\"row\":\"r\",\"field\":\"f\","
                                        "\"value\":1,\"hlc\":1,\"site\":\"s\"}");
  g_autofree char *unknown_field = push_body ("t", TANDEM_SYNC_SCHEMA_VERSION, now_ms (),
                                              "{\"table\":\"leads\",\"row\":\"r\","
                                              "\"field\":\"nonsense\",\"value\":1,\"hlc\":1,"
                                              "\"site\":\"s\"}");
  g_autofree char *huge = push_body ("h", TANDEM_SYNC_SCHEMA_VERSION, now_ms (),
                                     "{\"table\":\"leads\",\"row\":\"r\",\"field\":\"created_at\","
                                     "\"value\":123456789012345678901234567890,\"hlc\":1,"
                                     "\"site\":\"s\"}");

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, ']');

  expect ("POST", "/v1/push", t.token, "{\"batch_id\": ", 400, "not valid JSON");
  expect ("POST", "/v1/push", t.token, deep->str, 400, "nested more than 8 levels");
  expect ("POST", "/v1/push", t.token, bad_utf8, 400, "UTF-8");
  expect ("POST", "/v1/push", t.token, unknown, 400,
          "\"message\":\"change 0: unknown table \\\"nonsense\\\"\"");
  expect ("POST", "/v1/push", t.token, unknown_field, 400, "unknown field \\\"nonsense\\\"");
  expect ("POST", "/v1/push", t.token, huge, 400, "64 bits");
  expect ("POST", "/v1/push", t.token, NULL, 400, "empty");
}

static void
test_whole_or_nothing (void)
{
  g_autofree char *body = push_body ("half", TANDEM_SYNC_SCHEMA_VERSION, now_ms (),
                                     GOOD_CHANGE ("L1", "a@b") ","
                                     "{\"table\":\"leads\",\"row\":\"L2\",\"field\":\"email\","
                                     "\"value\":7,\"hlc\":5,\"site\":\"s1\"}");

  expect ("POST", "/v1/push", t.token, body, 400, "change 1: field \\\"email\\\"");
  expect ("GET", "/v1/pull?since=0", t.token, NULL, 200, "{\"changes\":[],\"cursor\":0,");
  expect ("GET", "/v1/snapshot?version=2", t.token, NULL, 200, "{\"end\":true,\"rows\":0}\n");
}

static void
test_upgrade_required (void)
{
  g_autofree char *body = push_body ("old", TANDEM_SYNC_SCHEMA_VERSION - 1, now_ms (),
                                     GOOD_CHANGE ("L1", "a@b"));
  g_autofree char *expected = g_strdup_printf ("\"schema\":%d", TANDEM_SYNC_SCHEMA_VERSION);

  expect ("POST", "/v1/push", t.token, body, 409, "\"error\":\"upgrade_required\"");
  expect ("POST", "/v1/push", t.token, body, 409, expected);
  expect ("GET", "/v1/pull?since=0", t.token, NULL, 200, "{\"changes\":[],");
}

static void
test_clock_skew (void)
{
  g_autofree char *body = push_body ("skew", TANDEM_SYNC_SCHEMA_VERSION, now_ms () + 3600 * 1000,
                                     GOOD_CHANGE ("L1", "a@b"));

  expect ("POST", "/v1/push", t.token, body, 409, "\"error\":\"clock_skew\"");
  expect ("POST", "/v1/push", t.token, body, 409, "\"server_time\":");
  expect ("GET", "/v1/pull?since=0", t.token, NULL, 200, "{\"changes\":[],");
}

static void
test_push_pull_snapshot (void)
{
  g_autofree char *header = g_strdup_printf ("{\"format\":\"tandem-snapshot\",\"version\":2,"
                                             "\"schema\":%d,\"cursor\":2}\n",
                                             TANDEM_SYNC_SCHEMA_VERSION);
  g_autofree char *body = push_body ("good-1", TANDEM_SYNC_SCHEMA_VERSION, now_ms (),
                                     GOOD_CHANGE ("L1", "ann@acme.example") ","
                                     GOOD_CHANGE ("L2", "bob@acme.example"));
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  g_autofree char *pulled = NULL;

  g_assert_cmpuint (request ("POST", "/v1/push", t.token, body, strlen (body), FALSE, &first),
                    ==, 200);
  g_assert_cmpstr (first, ==, "{\"batch_id\":\"good-1\",\"cursor\":2,\"results\":["
                   "{\"outcome\":\"applied\"},{\"outcome\":\"applied\"}]}");

  /* A retry gets the same answer, and nothing is applied twice. */
  g_assert_cmpuint (request ("POST", "/v1/push", t.token, body, strlen (body), FALSE, &again),
                    ==, 200);
  g_assert_cmpstr (again, ==, first);

  g_assert_cmpuint (request ("GET", "/v1/pull?since=0&limit=10", t.token, NULL, 0, FALSE,
                             &pulled), ==, 200);
  assert_contains (pulled, "\"seq\":1,\"table\":\"leads\",\"row\":\"L1\"");
  assert_contains (pulled, "\"seq\":2,\"table\":\"leads\",\"row\":\"L2\"");
  assert_contains (pulled, "\"cursor\":2,\"more\":false}");

  expect ("GET", "/v1/pull?since=1&limit=1", t.token, NULL, 200,
          "\"cursor\":2,\"more\":false}");
  expect ("GET", "/v1/pull?since=0&limit=1", t.token, NULL, 200, "\"cursor\":1,\"more\":true}");
  expect ("GET", "/v1/pull?since=99", t.token, NULL, 410, "\"error\":\"cursor_expired\"");
  expect ("GET", "/v1/pull?since=99", t.token, NULL, 410, "\"cursor\":2");
  expect ("GET", "/v1/pull?since=abc", t.token, NULL, 400, "\"error\":\"invalid\"");
  expect ("GET", "/v1/pull?limit=0", t.token, NULL, 400, "\"error\":\"invalid\"");

  /* A row known from one field: created by nobody, that field with its
   * own clock. */
  expect ("GET", "/v1/snapshot?version=2", t.token, NULL, 200,
          "\n[\"L1\",0,\"\",[null,null,\"ann@acme.example\",null,");
  expect ("GET", "/v1/snapshot?version=2", t.token, NULL, 200,
          ",{\"email\":[111386983071662080,\"s1\"]}]\n");
  expect ("GET", "/v1/snapshot?version=2", t.token, NULL, 200, header);
  expect ("GET", "/v1/snapshot?version=2", t.token, NULL, 200, "{\"end\":true,\"rows\":2}\n");

  /* A client of the old form is told to upgrade rather than sent what it
   * cannot read. */
  expect ("GET", "/v1/snapshot", t.token, NULL, 409, "\"error\":\"upgrade_required\"");
  expect ("GET", "/v1/snapshot?version=1", t.token, NULL, 409, "\"version\":2");
}

static void
test_skip (void)
{
  g_autofree char *own = push_body ("skip-1", TANDEM_SYNC_SCHEMA_VERSION, now_ms (),
                                    GOOD_CHANGE ("S1", "a@b") "," GOOD_CHANGE ("S2", "b@b"));
  g_autofree char *other = g_strdup_printf ("{\"batch_id\":\"skip-2\",\"schema\":%d,"
                                            "\"site\":\"s2\",\"sent_at\":%" G_GINT64_FORMAT
                                            ",\"changes\":[{\"table\":\"leads\",\"row\":\"S3\","
                                            "\"field\":\"email\",\"value\":\"c@b\","
                                            "\"hlc\":111386983071662090,\"site\":\"s2\"}]}",
                                            TANDEM_SYNC_SCHEMA_VERSION, now_ms ());
  g_autofree char *mine = push_body ("skip-3", TANDEM_SYNC_SCHEMA_VERSION, now_ms (),
                                     GOOD_CHANGE ("S4", "d@b"));
  g_autofree char *answer = NULL;
  g_autofree char *retried = NULL;
  g_autofree char *path = NULL;
  g_autofree char *expected = NULL;
  gint64 start;

  g_assert_cmpuint (request ("GET", "/v1/pull?since=0&limit=5000", t.token, NULL, 0, FALSE,
                             &answer),
                    ==, 200);
  start = g_ascii_strtoll (strstr (answer, "\"cursor\":") + 9, NULL, 10);
  g_clear_pointer (&answer, g_free);

  /* Nothing but this batch after the cursor: the client may skip it. */
  path = g_strdup_printf ("/v1/push?since=%" G_GINT64_FORMAT, start);
  g_assert_cmpuint (request ("POST", path, t.token, own, strlen (own), FALSE, &answer), ==, 200);
  expected = g_strdup_printf ("\"skip\":{\"from\":%" G_GINT64_FORMAT ",\"to\":%" G_GINT64_FORMAT
                              ",\"hlc\":111386983071662080}}", start, start + 2);
  assert_contains (answer, expected);

  /* A retry from the same cursor is told the same. */
  g_assert_cmpuint (request ("POST", path, t.token, own, strlen (own), FALSE, &retried), ==, 200);
  g_assert_cmpstr (retried, ==, answer);

  /* Another site's change in between: no skip past it. */
  expect ("POST", "/v1/push", t.token, other, 200, "\"results\":[{\"outcome\":\"applied\"}]}");
  g_clear_pointer (&answer, g_free);
  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/v1/push?since=%" G_GINT64_FORMAT, start + 2);
  g_assert_cmpuint (request ("POST", path, t.token, mine, strlen (mine), FALSE, &answer), ==, 200);
  g_assert_null (strstr (answer, "\"skip\":"));

  /* Without a cursor, or with a malformed one. */
  expect ("POST", "/v1/push?since=x", t.token, mine, 400, "\"error\":\"invalid\"");
}

static void
test_routes (void)
{
  expect ("GET", "/v1/push", t.token, NULL, 405, "method_not_allowed");
  expect ("GET", "/v1/nothing", t.token, NULL, 404, "not_found");
  expect ("GET", "/v1/nothing", NULL, NULL, 401, NULL);

  /* After all of the above the server still answers. */
  expect ("GET", "/v1/health", NULL, NULL, 200, "ok");
}

static guint
count_server_files (void)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/fd", g_subprocess_get_identifier (t.server));
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

/* Desktops connect, sync and go away, for days on end: the server must
 * let go of each connection, or it runs out of files to open. Each
 * request here comes from a session of its own, which closes its
 * connection when it is dropped. */
static void
test_connections_closed (void)
{
  guint before = count_server_files ();
  gint64 deadline;

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/v1/health", t.port);
      g_autoptr(SoupSession) session = soup_session_new ();
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
      Reply reply = { 0, };

      soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_sent, &reply);
      while (!reply.done)
        g_main_context_iteration (NULL, TRUE);
      g_assert_no_error (reply.error);
      g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
      g_bytes_unref (reply.body);
    }

  /* The server closes them as it answers; a few may still be closing. */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (count_server_files () > before + 2 && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  g_assert_cmpuint (count_server_files (), <=, before + 2);
}

/* SIGTERM ends the server through its main loop, which frees what it
 * holds and exits with 0. Under the sanitize setup LeakSanitizer checks the
 * server's memory at that exit and fails it for anything leaked, such as
 * snapshot pieces that were never released. */
static void
test_clean_exit (void)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (t.server, SIGTERM);
  g_subprocess_wait_check (t.server, NULL, &error);
  g_assert_no_error (error);
  t.stopped = TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *revoked = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  t.bin = g_getenv ("TANDEM_SYNC_BIN");
  if (t.bin == NULL)
    {
      g_test_skip ("TANDEM_SYNC_BIN is not set: run through meson test");
      return g_test_run ();
    }

  t.dir = tandem_test_make_dir ();
  t.db = g_build_filename (t.dir, "sync.db", NULL);
  t.token = run_tool ("token", "add", "alice", NULL);
  t.revoked_token = run_tool ("token", "add", "mallory", NULL);
  g_assert_cmpuint (strlen (t.token), ==, 64);
  g_free (run_tool ("token", "revoke", "mallory", NULL));
  revoked = run_tool ("token", "list", NULL);
  assert_contains (revoked, "mallory");
  assert_contains (revoked, "revoked");

  start_server ();
  t.session = soup_session_new ();

  g_test_add_func ("/sync/http/health", test_health);
  g_test_add_func ("/sync/http/unauthorized", test_unauthorized);
  g_test_add_func ("/sync/http/too-large-length", test_too_large_length);
  g_test_add_func ("/sync/http/too-large-chunked", test_too_large_chunked);
  g_test_add_func ("/sync/http/bad-json", test_bad_json);
  g_test_add_func ("/sync/http/whole-or-nothing", test_whole_or_nothing);
  g_test_add_func ("/sync/http/upgrade-required", test_upgrade_required);
  g_test_add_func ("/sync/http/clock-skew", test_clock_skew);
  g_test_add_func ("/sync/http/push-pull-snapshot", test_push_pull_snapshot);
  g_test_add_func ("/sync/http/skip", test_skip);
  g_test_add_func ("/sync/http/routes", test_routes);
  g_test_add_func ("/sync/http/connections-closed", test_connections_closed);
  /* Last: it stops the server. */
  g_test_add_func ("/sync/http/clean-exit", test_clean_exit);

  status = g_test_run ();

  g_clear_object (&t.session);
  if (!t.stopped)
    {
      g_subprocess_force_exit (t.server);
      g_subprocess_wait (t.server, NULL, &error);
    }
  g_clear_object (&t.server);

  tandem_test_remove_dir (t.dir);
  g_free (t.dir);
  g_free (t.db);
  g_free (t.token);
  g_free (t.revoked_token);

  return status;
}
