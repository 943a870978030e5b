/* test-faults.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "core-test-utils.h"
#include "sync-test-server.h"
#include "tandem-schema.h"
#include "tandem-sync-client.h"

/* kill -9 of the server and of the client at random points across many
 * sync rounds between a few workspaces. Afterwards every database must be
 * intact, every edit a desktop holds as acknowledged must be on the
 * server, and clean rounds must bring every replica to the same state.
 * Reproducible by seed: TANDEM_FAULTS_SEED; TANDEM_FAULTS_ROUNDS for a
 * longer run. */

#define N_DESKS 3

static struct
{
  TestServer  server;
  const char *cli;
  char       *dir;
  char       *token_file;
  char       *desks[N_DESKS];
  GRand      *rand;
  guint       server_kills;
  guint       client_kills;
} t;

static TandemStore *
open_desk (guint i)
{
  g_autoptr(GError) error = NULL;
  TandemStore *store = tandem_store_open (t.desks[i], &error);

  g_assert_no_error (error);
  return store;
}

/* The same server on its new port; the cursor stays, as it is the same
 * history. */
static void
follow_server (guint i)
{
  g_autoptr(TandemStore) store = open_desk (i);
  g_autoptr(GError) error = NULL;

  tandem_sync_set_meta (store, "sync_server", t.server.url, &error);
  g_assert_no_error (error);
}

static void
random_edits (guint i)
{
  static const char *const names[] = { "Ann", "Bob", "Cleo", "Dan", "Eve" };
  static const char *const fields[] = { "first_name", "job_title", "email", "phone" };
  g_autoptr(TandemStore) store = open_desk (i);
  g_autoptr(GPtrArray) leads = NULL;
  g_autoptr(GError) error = NULL;
  guint n = g_rand_int_range (t.rand, 1, 4);

  leads = tandem_store_list_rows (store, "leads", &error);
  g_assert_no_error (error);

  for (guint k = 0; k < n; k++)
    {
      g_autoptr(TandemRecord) record = NULL;
      const char *field = fields[g_rand_int_range (t.rand, 0, G_N_ELEMENTS (fields))];
      g_autofree char *value = g_strdup_printf ("%s %u", names[g_rand_int_range (t.rand, 0, 5)],
                                                g_rand_int_range (t.rand, 0, 100));

      if (leads->len == 0 || g_rand_double (t.rand) < 0.25)
        {
          record = tandem_record_new_for_table ("leads", NULL);
          tandem_record_set_text (record, "last_name", "Fault");
        }
      else
        record = g_object_ref (g_ptr_array_index (leads,
                                                  g_rand_int_range (t.rand, 0, leads->len)));

      tandem_record_set_text (record, field, value);
      tandem_store_save (store, record, &error);
      g_assert_no_error (error);
    }
}

static GSubprocess *
spawn_cli (guint i)
{
  const char *argv[] = { t.cli, "sync", "--db", t.desks[i], NULL };
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                     G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  return process;
}

static void
wait_cli (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
}

static void
one_round (guint round)
{
  guint desk = g_rand_int_range (t.rand, 0, N_DESKS);
  double what = g_rand_double (t.rand);
  g_autoptr(GSubprocess) cli = NULL;

  for (guint i = 0; i < N_DESKS; i++)
    if (g_rand_double (t.rand) < 0.5)
      random_edits (i);

  follow_server (desk);
  cli = spawn_cli (desk);

  if (what < 0.3)
    {
      /* The server dies while the client talks to it. */
      g_usleep (g_rand_int_range (t.rand, 0, 40000));
      test_server_kill (&t.server);
      t.server_kills++;
      wait_cli (cli);
      test_server_start (&t.server);
    }
  else if (what < 0.6)
    {
      /* The client dies, perhaps in the middle of a transaction. */
      g_usleep (g_rand_int_range (t.rand, 0, 40000));
      g_subprocess_force_exit (cli);
      t.client_kills++;
      wait_cli (cli);
    }
  else
    wait_cli (cli);
}

static void
assert_integrity (const char *path)
{
  g_autofree char *result = test_query_text (path, "PRAGMA integrity_check");

  g_assert_cmpstr (result, ==, "ok");
}

/* The acknowledged edits of desk @i that the server neither holds nor
 * holds something newer than. */
static gint64
count_lost (guint i)
{
  char *sql = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 lost;

  g_assert_cmpint (sqlite3_open_v2 (t.desks[i], &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  sql = sqlite3_mprintf ("ATTACH %Q AS server", t.server.db);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT count(*) FROM change_log l"
                                       " WHERE l.origin = 'local' AND l.pushed = 1"
                                       " AND NOT EXISTS (SELECT 1 FROM server.changes c"
                                       "  WHERE c.tbl = l.tbl AND c.row_id = l.row_id"
                                       "  AND c.field = l.field AND c.hlc = l.hlc"
                                       "  AND c.site = l.site)"
                                       /* A change that lost to a newer value
                                        * on the server is acknowledged as
                                        * superseded and not logged there. */
                                       " AND NOT EXISTS (SELECT 1 FROM (SELECT"
                                       /* The server keeps a row as the line
                                        * its snapshot sends: a field's clock
                                        * is its own, or else the row's. */
                                       "  coalesce (json_extract (s.line, '$[4].' || l.field"
                                       "   || '[0]'), json_extract (s.line, '$[1]')) AS hlc,"
                                       "  coalesce (json_extract (s.line, '$[4].' || l.field"
                                       "   || '[1]'), json_extract (s.line, '$[2]')) AS site"
                                       "  FROM server.rows s WHERE s.tbl = l.tbl"
                                       "  AND s.row_id = l.row_id AND l.field != '*') AS f"
                                       "  WHERE f.hlc > l.hlc OR (f.hlc = l.hlc AND f.site >= l.site))",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  lost = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  sqlite3_free (sql);

  return lost;
}

/* Every synced table's rows with their non-derived columns, as text. */
static char *
dump_state (guint i)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const TandemTableSpec **tables;
  guint n_tables = 0;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (t.desks[i], &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  tables = tandem_schema_tables (&n_tables);

  for (guint k = 0; k < n_tables; k++)
    {
      const TandemTableSpec *spec = tables[k];
      g_autoptr(GString) sql = g_string_new ("SELECT id, deleted");
      sqlite3_stmt *stmt = NULL;
      int columns;

      for (guint f = 0; f < spec->n_fields; f++)
        if (!spec->fields[f].derived)
          g_string_append_printf (sql, ", quote(%s)", spec->fields[f].name);
      g_string_append_printf (sql, " FROM %s ORDER BY id", spec->name);

      g_assert_cmpint (sqlite3_prepare_v2 (db, sql->str, -1, &stmt, NULL), ==, SQLITE_OK);
      columns = sqlite3_column_count (stmt);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_string_append_printf (out, "%s:", spec->name);
          for (int c = 0; c < columns; c++)
            g_string_append_printf (out, "|%s", (const char *) sqlite3_column_text (stmt, c));
          g_string_append_c (out, '\n');
        }
      sqlite3_finalize (stmt);
    }

  sqlite3_close (db);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
clean_round (guint i)
{
  g_autoptr(TandemStore) store = open_desk (i);
  g_autoptr(GError) error = NULL;
  TandemSyncReport report;

  tandem_sync_set_meta (store, "sync_server", t.server.url, &error);
  g_assert_no_error (error);
  tandem_sync_client_run (store, NULL, &report, &error);
  g_assert_no_error (error);
  g_assert_cmpint (report.pending, ==, 0);
}

static void
test_kill_rounds (void)
{
  const char *seed_text = g_getenv ("TANDEM_FAULTS_SEED");
  const char *rounds_text = g_getenv ("TANDEM_FAULTS_ROUNDS");
  guint32 seed = seed_text ? (guint32) g_ascii_strtoull (seed_text, NULL, 10)
                           : (guint32) g_test_rand_int ();
  guint rounds = rounds_text ? (guint) g_ascii_strtoull (rounds_text, NULL, 10) : 200;
  g_autofree char *first = NULL;
  g_autoptr(GTimer) timer = g_timer_new ();

  g_test_message ("seed %u (TANDEM_FAULTS_SEED=%u reproduces it)", seed, seed);
  t.rand = g_rand_new_with_seed (seed);

  for (guint i = 0; i < N_DESKS; i++)
    {
      g_autofree char *name = g_strdup_printf ("desk-%u.db", i);
      g_autoptr(TandemStore) store = NULL;
      g_autofree char *token = NULL;
      g_autoptr(GError) error = NULL;

      t.desks[i] = g_build_filename (t.dir, name, NULL);
      store = open_desk (i);
      g_file_get_contents (t.token_file, &token, NULL, &error);
      g_assert_no_error (error);
      tandem_sync_client_configure (store, t.server.url, g_strstrip (token), &error);
      g_assert_no_error (error);
    }

  for (guint round = 0; round < rounds; round++)
    one_round (round);

  g_test_message ("%u rounds, %u server kills, %u client kills, %.1f s", rounds, t.server_kills,
                  t.client_kills, g_timer_elapsed (timer, NULL));

  assert_integrity (t.server.db);
  for (guint i = 0; i < N_DESKS; i++)
    {
      assert_integrity (t.desks[i]);
      g_assert_cmpint (count_lost (i), ==, 0);
    }

  /* A change the server took twice would show up twice in its log. */
  g_assert_cmpint (tandem_test_query_int (t.server.db,
                                          "SELECT count(*) FROM (SELECT 1 FROM changes"
                                          " GROUP BY tbl, row_id, field, hlc, site"
                                          " HAVING count(*) > 1)"), ==, 0);

  /* Two clean passes: the first pushes everything, the second brings
   * every desk everything. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < N_DESKS; i++)
      clean_round (i);

  first = dump_state (0);
  g_assert_cmpuint (strlen (first), >, 0);
  for (guint i = 1; i < N_DESKS; i++)
    {
      g_autofree char *other = dump_state (i);

      g_assert_cmpstr (other, ==, first);
    }

  for (guint i = 0; i < N_DESKS; i++)
    g_clear_pointer (&t.desks[i], g_free);
  g_rand_free (t.rand);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *token = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  t.server.bin = g_getenv ("TANDEM_SYNC_BIN");
  t.cli = g_getenv ("TANDEM_CLI_BIN");
  if (t.server.bin == NULL || t.cli == NULL)
    {
      g_test_skip ("TANDEM_SYNC_BIN or TANDEM_CLI_BIN is not set: run through meson test");
      return g_test_run ();
    }

  t.dir = tandem_test_make_dir ();
  t.server.db = g_build_filename (t.dir, "sync.db", NULL);
  t.token_file = g_build_filename (t.dir, "token", NULL);
  token = test_server_tool (&t.server, "token", "add", "faults", NULL);
  g_file_set_contents (t.token_file, token, -1, &error);
  g_assert_no_error (error);
  test_server_start (&t.server);

  g_test_add_func ("/sync/faults/kill-rounds", test_kill_rounds);

  status = g_test_run ();

  test_server_clear (&t.server);
  tandem_test_remove_dir (t.dir);
  g_free (t.dir);
  g_free (t.token_file);

  return status;
}
