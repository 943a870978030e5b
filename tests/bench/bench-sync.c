/* bench-sync.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "bench-utils.h"
#include "tandem-schema.h"

/* Usage: bench-sync TANDEM_SYNC [SECONDS] [DEVICES]
 *                   [--large WORKSPACE --cli TANDEM_CLI [--dump]]
 *
 * Runs the real server on 127.0.0.1 with a fresh database and measures
 * (1) 10,000 changes pushed in batches of 1,000 and pulled back in pages
 * of 5,000, and (2) DEVICES devices (default 50), each pushing a batch of
 * 10 changes and pulling from its cursor in a loop for SECONDS (default
 * 60; 0 leaves it out): requests per second, median and 99th percentile
 * latency, errors. Every request is asynchronous on one main loop, as many
 * in flight as there are devices.
 *
 * With --large, then (3) a copy of WORKSPACE (the 100,000-lead sample is
 * made there first if the file does not exist) pushed whole to another fresh server
 * by `tandem-cli sync`, the first push of a workspace that never synced,
 * and (4) a snapshot of that server to a new desktop by `tandem-cli sync`
 * into an empty workspace, end to end: the server streaming, the client
 * applying, both processes on loopback. Baselines in the same run: the
 * `cp` of the workspace file, and with --dump `sqlite3 WORKSPACE .dump |
 * sqlite3 NEW` (a minute or more). The new desktop's row counts are
 * checked against the workspace's. */

static const char *bin;
static char *db_path;
static guint port;
static SoupSession *session;

static char *
run_tool (const char * const *argv)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));

  return g_strstrip (out);
}

static char *
add_token_to (const char *name,
              const char *path)
{
  const char *argv[] = { bin, "token", "add", name, "--db", path, NULL };

  return run_tool (argv);
}

static char *
add_token (const char *name)
{
  return add_token_to (name, db_path);
}

/* Starts the server on @path and returns it; @url receives its address. */
static GSubprocess *
start_server (const char  *path,
              char       **url)
{
  const char *serve[] = { bin, "serve", "--db", path, "--listen", "127.0.0.1:0", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  GSubprocess *server;

  /* The server's per-request log would cost more than the requests. */
  server = g_subprocess_newv (serve, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Listening on "));
  *url = g_strdup (line + strlen ("Listening on "));

  return server;
}

static void
stop_server (GSubprocess *server)
{
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
}

/* Runs @argv (NULL-terminated) and returns its wall time in seconds; its
 * output goes to ours. */
static double
timed_run (const char * const *argv)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("%s %s failed", argv[0], argv[1]);

  return (g_get_monotonic_time () - start) / 1e6;
}

static gint64
count_rows (const char *path,
            const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return n;
}

static void
remove_db (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_remove (path);
  g_remove (wal);
  g_remove (shm);
}

static void
bench_large (const char *workspace,
             const char *cli,
             gboolean    dump)
{
  static const char *const tables[] = { "leads", "companies", "activities", "stage_history",
                                        "deals", "members" };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GFile) source = NULL;
  g_autoptr(GFile) copy = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *server_db = NULL;
  g_autofree char *desk = NULL;
  g_autofree char *fresh = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *url = NULL;
  double seconds;

  /* Made the first time, as the other benchmarks on the large workspace
   * make it; this one only copies it. */
  {
    g_autoptr(TandemStore) store = tandem_bench_open_workspace (workspace, 100000, &error);

    g_assert_no_error (error);
  }

  dir = g_dir_make_tmp ("tandem-bench-large-XXXXXX", &error);
  g_assert_no_error (error);
  server_db = g_build_filename (dir, "sync.db", NULL);
  desk = g_build_filename (dir, "desk.db", NULL);
  fresh = g_build_filename (dir, "new.db", NULL);
  token_file = g_build_filename (dir, "token", NULL);

  /* Baseline: the file copied as it is, through the page cache. */
  source = g_file_new_for_path (workspace);
  copy = g_file_new_for_path (desk);
  {
    gint64 start = g_get_monotonic_time ();
    GStatBuf info;

    g_file_copy (source, copy, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (g_stat (desk, &info), ==, 0);
    g_print ("baseline: cp of the workspace file (%.0f MB): %.2f s\n", info.st_size / 1e6,
             (g_get_monotonic_time () - start) / 1e6);
  }

  token = add_token_to ("bench-large", server_db);
  g_file_set_contents (token_file, token, -1, &error);
  g_assert_no_error (error);
  server = start_server (server_db, &url);

  {
    const char *push[] = { cli, "sync", "--db", desk, "--server", url, "--token-file",
                           token_file, NULL };

    seconds = timed_run (push);
    g_print ("first push of the large workspace (%" G_GINT64_FORMAT " changes) to an empty "
             "server: %.1f s\n", count_rows (server_db, "changes"), seconds);
  }

  {
    const char *snapshot[] = { cli, "sync", "--db", fresh, "--server", url, "--token-file",
                               token_file, NULL };

    seconds = timed_run (snapshot);
    g_print ("snapshot of the large workspace to a new desktop (tandem-cli sync into an empty "
             "workspace, end to end): %.2f s\n", seconds);
  }

  stop_server (server);

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      gint64 want = count_rows (desk, tables[i]);
      gint64 got = count_rows (fresh, tables[i]);

      if (want != got)
        g_error ("The new desktop has %" G_GINT64_FORMAT " rows of %s, the workspace %"
                 G_GINT64_FORMAT, got, tables[i], want);
    }
  g_print ("the new desktop holds the workspace's rows (%" G_GINT64_FORMAT " leads, %"
           G_GINT64_FORMAT " activities)\n", count_rows (fresh, "leads"),
           count_rows (fresh, "activities"));

  if (dump)
    {
      g_autofree char *dumped = g_build_filename (dir, "dump.db", NULL);
      g_autofree char *quoted_in = g_shell_quote (workspace);
      g_autofree char *quoted_out = g_shell_quote (dumped);
      g_autofree char *script = g_strdup_printf ("sqlite3 %s .dump | sqlite3 %s", quoted_in,
                                                 quoted_out);
      const char *shell[] = { "/bin/sh", "-c", script, NULL };

      g_print ("baseline: sqlite3 WORKSPACE .dump | sqlite3 NEW: %.1f s\n", timed_run (shell));
      remove_db (dumped);
    }

  remove_db (server_db);
  remove_db (desk);
  remove_db (fresh);
  g_remove (token_file);
  g_rmdir (dir);
}

typedef struct
{
  GBytes   *body;
  guint     status;
  gboolean  done;
} Reply;

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Reply *reply = user_data;
  g_autoptr(GError) error = NULL;

  reply->body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  reply->done = TRUE;
}

static SoupMessage *
new_message (const char *method,
             const char *path,
             const char *token,
             const char *body)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", port, path);
  g_autofree char *auth = g_strdup_printf ("Bearer %s", token);
  SoupMessage *msg = soup_message_new (method, url);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  return msg;
}

static guint
request_wait (const char  *method,
              const char  *path,
              const char  *token,
              const char  *body,
              GBytes     **answer)
{
  g_autoptr(SoupMessage) msg = new_message (method, path, token, body);
  Reply reply = { 0, };

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_sent, &reply);
  while (!reply.done)
    g_main_context_iteration (NULL, TRUE);

  if (answer)
    *answer = reply.body;
  else
    g_clear_pointer (&reply.body, g_bytes_unref);

  return soup_message_get_status (msg);
}

static char *
make_batch (const char *batch_id,
            const char *site,
            guint       first,
            guint       n,
            gint64      hlc)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "{\"batch_id\":\"%s\",\"schema\":%d,\"site\":\"%s\","
                          "\"sent_at\":%" G_GINT64_FORMAT ",\"changes\":[",
                          batch_id, TANDEM_SYNC_SCHEMA_VERSION, site, g_get_real_time () / 1000);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "%s{\"table\":\"leads\",\"row\":\"%s-%u\",\"field\":\"*\","
                            "\"value\":{\"first_name\":\"Ann\",\"last_name\":\"Lee %u\","
                            "\"email\":\"ann%u@acme.example\",\"stage\":\"lead\",\"deleted\":0},"
                            "\"hlc\":%" G_GINT64_FORMAT ",\"site\":\"%s\",\"base_hlc\":0}",
                            i > 0 ? "," : "", site, first + i, first + i, first + i,
                            hlc + i, site);
  g_string_append (out, "]}");

  return g_string_free (out, FALSE);
}

static gint64
cursor_of (GBytes *body)
{
  const char *text = g_bytes_get_data (body, NULL);
  const char *cursor = g_strstr_len (text, g_bytes_get_size (body), "\"cursor\":");

  return cursor ? g_ascii_strtoll (cursor + 9, NULL, 10) : 0;
}

static gboolean
has_more (GBytes *body)
{
  return g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                       "\"more\":true") != NULL;
}

static void
bench_bulk (const char *token)
{
  gint64 start, pushed, pulled;
  guint n_pulled = 0;
  gint64 since = 0;
  gboolean more = TRUE;

  start = g_get_monotonic_time ();
  for (guint b = 0; b < 10; b++)
    {
      g_autofree char *id = g_strdup_printf ("bulk-%u", b);
      g_autofree char *body = make_batch (id, "bulk", b * 1000, 1000,
                                          G_GINT64_CONSTANT (111386983071662080) + b * 1000);

      g_assert_cmpuint (request_wait ("POST", "/v1/push", token, body, NULL), ==, 200);
    }
  pushed = g_get_monotonic_time () - start;

  start = g_get_monotonic_time ();
  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/v1/pull?since=%" G_GINT64_FORMAT "&limit=5000",
                                               since);
      g_autoptr(GBytes) answer = NULL;
      const char *p;
      gsize left;

      g_assert_cmpuint (request_wait ("GET", path, token, NULL, &answer), ==, 200);
      since = cursor_of (answer);
      more = has_more (answer);

      p = g_bytes_get_data (answer, &left);
      for (const char *q = p; (q = g_strstr_len (q, left - (q - p), "\"seq\":")) != NULL; q++)
        n_pulled++;
    }
  pulled = g_get_monotonic_time () - start;

  g_assert_cmpuint (n_pulled, ==, 10000);
  g_print ("10,000 changes pushed (10 batches of 1,000): %.0f ms, %.0f changes/s\n",
           pushed / 1000.0, 10000.0 / (pushed / 1e6));
  g_print ("10,000 changes pulled (pages of 5,000):      %.0f ms, %.0f changes/s\n",
           pulled / 1000.0, 10000.0 / (pulled / 1e6));
}

typedef struct
{
  guint       index;
  char       *token;
  char       *site;
  gint64      cursor;
  guint       round;
  gboolean    pulling;
  gint64      sent;
} Device;

static GArray *latencies;  /* gint64 µs */
static guint errors;
static guint in_flight;
static gboolean stopping;

static void device_next (Device *device);

static void
on_device_sent (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Device *device = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (object), result,
                                                              &error);
  gint64 latency = g_get_monotonic_time () - device->sent;

  in_flight--;
  g_array_append_val (latencies, latency);

  if (body == NULL || soup_message_get_status (msg) != 200)
    {
      if (errors++ < 5)
        g_printerr ("Request failed: %u %s\n", soup_message_get_status (msg),
                    error ? error->message : "");
    }
  else if (device->pulling)
    device->cursor = cursor_of (body);

  device->pulling = !device->pulling;
  if (!device->pulling)
    device->round++;

  g_object_unref (msg);

  if (!stopping)
    device_next (device);
}

static void
device_next (Device *device)
{
  SoupMessage *msg;

  if (device->pulling)
    {
      g_autofree char *path = g_strdup_printf ("/v1/pull?since=%" G_GINT64_FORMAT "&limit=1000",
                                               device->cursor);

      msg = new_message ("GET", path, device->token, NULL);
    }
  else
    {
      g_autofree char *id = g_strdup_printf ("%s-%u", device->site, device->round);
      g_autofree char *body = make_batch (id, device->site, device->round * 10, 10,
                                          G_GINT64_CONSTANT (111386983071662080) +
                                          device->round * 10);

      msg = new_message ("POST", "/v1/push", device->token, body);
    }

  device->sent = g_get_monotonic_time ();
  in_flight++;
  /* The callback unrefs the message it gets back from the session. */
  g_object_ref (msg);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_device_sent,
                                    device);
  g_object_unref (msg);
}

static gboolean
on_stop (gpointer user_data)
{
  stopping = TRUE;
  return G_SOURCE_REMOVE;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
bench_devices (guint n_devices,
               guint seconds)
{
  g_autofree Device *devices = g_new0 (Device, n_devices);
  gint64 start, elapsed;

  for (guint i = 0; i < n_devices; i++)
    {
      devices[i].index = i;
      devices[i].site = g_strdup_printf ("device%02u", i);
      devices[i].token = add_token (devices[i].site);
      devices[i].cursor = 0;
    }

  latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  start = g_get_monotonic_time ();
  g_timeout_add_seconds (seconds, on_stop, NULL);
  for (guint i = 0; i < n_devices; i++)
    device_next (&devices[i]);

  while (!stopping || in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  elapsed = g_get_monotonic_time () - start;

  g_array_sort (latencies, compare_gint64);
  g_print ("%u devices for %u s: %u requests, %.0f requests/s, p50 %.1f ms, p99 %.1f ms, "
           "max %.1f ms, errors %u\n",
           n_devices, seconds, latencies->len, latencies->len / (elapsed / 1e6),
           g_array_index (latencies, gint64, latencies->len / 2) / 1000.0,
           g_array_index (latencies, gint64, (latencies->len * 99) / 100) / 1000.0,
           g_array_index (latencies, gint64, latencies->len - 1) / 1000.0,
           errors);

  for (guint i = 0; i < n_devices; i++)
    {
      g_free (devices[i].site);
      g_free (devices[i].token);
    }
  g_array_unref (latencies);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("TANDEM_SYNC [SECONDS] [DEVICES]");
  g_autofree char *url = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *bulk_token = NULL;
  g_autofree char *large = NULL;
  g_autofree char *cli = NULL;
  gboolean dump = FALSE;
  const GOptionEntry entries[] = {
    { "large", 0, 0, G_OPTION_ARG_FILENAME, &large, "The large workspace", "WORKSPACE" },
    { "cli", 0, 0, G_OPTION_ARG_FILENAME, &cli, "tandem-cli", "TANDEM_CLI" },
    { "dump", 0, 0, G_OPTION_ARG_NONE, &dump, "Time sqlite3 .dump | sqlite3 too", NULL },
    { NULL }
  };
  guint seconds;
  guint n_devices;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 2 ||
      (large != NULL) != (cli != NULL))
    {
      g_printerr ("Usage: bench-sync TANDEM_SYNC [SECONDS] [DEVICES] "
                  "[--large WORKSPACE --cli TANDEM_CLI [--dump]]\n");
      return 2;
    }
  seconds = argc > 2 ? (guint) atoi (argv[2]) : 60;
  n_devices = argc > 3 ? (guint) atoi (argv[3]) : 50;

  bin = argv[1];
  dir = g_dir_make_tmp ("tandem-bench-sync-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (dir, "sync.db", NULL);
  bulk_token = add_token ("bulk");

  server = start_server (db_path, &url);
  port = (guint) g_ascii_strtoull (strrchr (url, ':') + 1, NULL, 10);

  session = soup_session_new_with_options ("max-conns", n_devices + 10,
                                           "max-conns-per-host", n_devices + 10,
                                           "timeout", 30,
                                           NULL);

  bench_bulk (bulk_token);
  if (seconds > 0)
    bench_devices (n_devices, seconds);

  g_clear_object (&session);
  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);

  {
    g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);

    g_remove (db_path);
    g_remove (wal);
    g_remove (shm);
    g_rmdir (dir);
  }
  g_free (db_path);

  if (large != NULL)
    bench_large (large, cli, dump);

  return errors == 0 ? 0 : 1;
}
