/* test-client.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "core-test-utils.h"
#include "sync-test-server.h"
#include "tandem-snapshot-format.h"
#include "tandem-sync-client-private.h"
#include "tandem-sync-client.h"

/* The sync client against the real tandem-sync binary on 127.0.0.1: whole
 * rounds between workspaces, and the failures a round must survive. The
 * client's blocking calls are safe here because the server is another
 * process. */

static struct
{
  TestServer server;
  char      *token;
  GPtrArray *dirs;
} t;

typedef struct
{
  char        *dir;
  TandemStore *store;
} Desk;

static void
desk_open (Desk       *desk,
           const char *token)
{
  g_autoptr(GError) error = NULL;

  desk->dir = tandem_test_make_dir ();
  g_ptr_array_add (t.dirs, g_strdup (desk->dir));
  desk->store = tandem_test_open_store (desk->dir);
  tandem_sync_client_configure (desk->store, t.server.url, token ? token : t.token, &error);
  g_assert_no_error (error);
}

static void
desk_close (Desk *desk)
{
  g_clear_object (&desk->store);
  g_clear_pointer (&desk->dir, g_free);
}

/* Points a desktop at the server's current port without the reset of the
 * cursor that configuring another server brings: the same server came
 * back on another port. */
static void
desk_follow_server (Desk *desk)
{
  g_autoptr(GError) error = NULL;

  tandem_sync_set_meta (desk->store, "sync_server", t.server.url, &error);
  g_assert_no_error (error);
}

static TandemSyncReport
desk_sync (Desk *desk)
{
  g_autoptr(GError) error = NULL;
  TandemSyncReport report;

  tandem_sync_client_run (desk->store, NULL, &report, &error);
  g_assert_no_error (error);
  g_assert_cmpint (report.pending, ==, 0);
  tandem_store_notify_external_change (desk->store, "leads");
  return report;
}

static char *
new_lead (Desk       *desk,
          const char *first_name)
{
  g_autoptr(TandemRecord) record = tandem_record_new_for_table ("leads", NULL);
  g_autoptr(GError) error = NULL;

  tandem_record_set_text (record, "first_name", first_name);
  tandem_record_set_text (record, "last_name", "Test");
  tandem_store_save (desk->store, record, &error);
  g_assert_no_error (error);
  return g_strdup (tandem_record_get_id (record));
}

static void
set_field (Desk       *desk,
           const char *id,
           const char *field,
           const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemRecord) record = tandem_store_get_row (desk->store, "leads", id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (record);
  tandem_record_set_text (record, field, value);
  tandem_store_save (desk->store, record, &error);
  g_assert_no_error (error);
}

static char *
get_field (Desk       *desk,
           const char *id,
           const char *field)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemRecord) record = tandem_store_get_row (desk->store, "leads", id, &error);

  g_assert_no_error (error);
  if (record == NULL)
    return NULL;
  return g_strdup (tandem_record_get_text (record, field));
}

/* The server keeps each row as the line its snapshot sends: values in
 * the order of the table's columns. */
static char *
server_field (const char *id,
              const char *field)
{
  const char * const *columns = tandem_snapshot_columns (tandem_schema_lookup ("leads"), NULL);
  g_autofree char *sql = NULL;
  guint index = 0;

  while (!g_str_equal (columns[index], field))
    index++;

  sql = g_strdup_printf ("SELECT json_extract(line, '$[3][%u]') FROM rows WHERE tbl = 'leads'"
                         " AND row_id = '%s'", index, id);
  return test_query_text (t.server.db, sql);
}

static gint64
server_count (const char *sql)
{
  return tandem_test_query_int (t.server.db, sql);
}

static void
test_edit_reaches_other_desk (void)
{
  Desk a = { 0, }, b = { 0, };
  g_autofree char *id = NULL;
  g_autofree char *value = NULL;
  TandemSyncReport report;

  desk_open (&a, NULL);
  desk_open (&b, NULL);

  id = new_lead (&a, "Ann");
  report = desk_sync (&a);
  g_assert_cmpuint (report.pushed, >, 0);
  report = desk_sync (&b);
  g_assert_cmpuint (report.applied + (report.took_snapshot ? 1 : 0), >, 0);
  value = get_field (&b, id, "first_name");
  g_assert_cmpstr (value, ==, "Ann");

  /* And back the other way, by pulling rather than by snapshot. */
  set_field (&b, id, "email", "ann@b.example");
  report = desk_sync (&b);
  g_assert_cmpuint (report.pushed, ==, 1);
  report = desk_sync (&a);
  g_assert_false (report.took_snapshot);
  g_assert_cmpuint (report.pulled, ==, 1);
  g_assert_cmpuint (report.applied, ==, 1);
  g_clear_pointer (&value, g_free);
  value = get_field (&a, id, "email");
  g_assert_cmpstr (value, ==, "ann@b.example");

  desk_close (&a);
  desk_close (&b);
}

/* A push that nobody else's change came before: the server says so, and
 * the desktop does not pull its own changes back. */
static void
test_lone_push_skips_own (void)
{
  Desk a = { 0, };
  g_autofree char *id = NULL;
  g_autofree char *id2 = NULL;
  TandemSyncReport report;

  desk_open (&a, NULL);
  desk_sync (&a);

  id = new_lead (&a, "Lone");
  set_field (&a, id, "email", "lone@a.example");
  report = desk_sync (&a);
  g_assert_cmpuint (report.pushed, ==, 2);
  g_assert_cmpuint (report.received, ==, 0);
  g_assert_cmpuint (report.pulled, ==, 0);
  g_assert_cmpint (tandem_sync_get_cursor (a.store), ==,
                   server_count ("SELECT max(seq) FROM changes"));

  /* The next round, with nothing new, moves nothing either; and a pull
   * from the new cursor finds the stamp it was given (no snapshot). */
  report = desk_sync (&a);
  g_assert_cmpuint (report.received, ==, 0);
  g_assert_false (report.took_snapshot);

  /* Again after a round with a push and more edits in one go. */
  id2 = new_lead (&a, "Lone too");
  report = desk_sync (&a);
  g_assert_cmpuint (report.pushed, ==, 1);
  g_assert_cmpuint (report.received, ==, 0);
  g_assert_cmpint (tandem_sync_get_cursor (a.store), ==,
                   server_count ("SELECT max(seq) FROM changes"));

  desk_close (&a);
}

/* Another desktop's change stored between the cursor and the push: the
 * cursor does not jump past it, the pull brings it, nothing is lost. */
static void
test_push_after_other_does_not_skip (void)
{
  Desk a = { 0, }, b = { 0, };
  g_autofree char *id_a = NULL;
  g_autofree char *id_b = NULL;
  g_autofree char *seen = NULL;
  TandemSyncReport report;
  gint64 before;

  desk_open (&a, NULL);
  desk_open (&b, NULL);
  desk_sync (&a);
  desk_sync (&b);
  before = tandem_sync_get_cursor (a.store);

  id_b = new_lead (&b, "From B");
  desk_sync (&b);
  id_a = new_lead (&a, "From A");

  /* Only the push: the answer may not move the cursor past B's change. */
  {
    g_autoptr(GError) error = NULL;
    guint n_sent = 0;

    tandem_sync_client_push_batch (a.store, TRUE, NULL, &n_sent, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (n_sent, ==, 1);
    g_assert_cmpint (tandem_sync_get_cursor (a.store), ==, before);
  }

  report = desk_sync (&a);
  g_assert_cmpuint (report.received, ==, 2);
  g_assert_cmpuint (report.pulled, ==, 1);
  seen = get_field (&a, id_b, "first_name");
  g_assert_cmpstr (seen, ==, "From B");
  g_assert_cmpint (tandem_sync_get_cursor (a.store), ==,
                   server_count ("SELECT max(seq) FROM changes"));

  desk_close (&a);
  desk_close (&b);
}

static void
test_new_desk_takes_snapshot (void)
{
  Desk a = { 0, }, c = { 0, };
  g_autofree char *id = NULL;
  g_autofree char *value = NULL;
  TandemSyncReport report;

  desk_open (&a, NULL);
  id = new_lead (&a, "Cleo");
  desk_sync (&a);

  desk_open (&c, NULL);
  g_assert_cmpint (tandem_sync_get_cursor (c.store), ==, 0);
  report = desk_sync (&c);
  g_assert_true (report.took_snapshot);
  g_assert_cmpint (report.cursor, ==, server_count ("SELECT max(seq) FROM changes"));
  value = get_field (&c, id, "first_name");
  g_assert_cmpstr (value, ==, "Cleo");
  g_assert_cmpint (tandem_store_count (c.store, "leads"), ==,
                   server_count ("SELECT count(*) FROM rows WHERE tbl = 'leads'"
                                 " AND json_extract(line, '$[3][#-1]') = 0"));

  desk_close (&a);
  desk_close (&c);
}

static void
test_conflict_listed (void)
{
  Desk a = { 0, }, b = { 0, };
  g_autofree char *id = NULL;
  g_autofree char *value_a = NULL;
  g_autofree char *value_b = NULL;
  g_autofree char *value_server = NULL;
  gint64 server_conflicts = server_count ("SELECT count(*) FROM conflicts");

  desk_open (&a, NULL);
  desk_open (&b, NULL);
  id = new_lead (&a, "Dora");
  desk_sync (&a);
  desk_sync (&b);

  /* Both edit the same field while apart. */
  set_field (&a, id, "job_title", "CEO");
  set_field (&b, id, "job_title", "CTO");
  desk_sync (&a);
  desk_sync (&b);
  desk_sync (&a);

  value_a = get_field (&a, id, "job_title");
  value_b = get_field (&b, id, "job_title");
  value_server = server_field (id, "job_title");
  g_assert_cmpstr (value_a, ==, value_b);
  g_assert_cmpstr (value_a, ==, value_server);

  /* The losing value is not lost: the server and the side that lost list
   * it. */
  g_assert_cmpint (server_count ("SELECT count(*) FROM conflicts"), >, server_conflicts);
  if (g_str_equal (value_a, "CTO"))
    g_assert_cmpint (tandem_sync_count_conflicts (a.store), ==, 1);
  else
    g_assert_cmpint (tandem_sync_count_conflicts (b.store), ==, 1);

  desk_close (&a);
  desk_close (&b);
}

static void
test_revoked_token (void)
{
  g_autofree char *token = test_server_tool (&t.server, "token", "add", "eve", NULL);
  g_autoptr(GError) error = NULL;
  Desk d = { 0, };
  g_autofree char *id = NULL;
  gint64 changes = server_count ("SELECT count(*) FROM changes");
  gint64 outbox;
  TandemSyncReport report;

  desk_open (&d, token);
  id = new_lead (&d, "Eve");
  desk_sync (&d);

  g_free (test_server_tool (&t.server, "token", "revoke", "eve", NULL));
  changes = server_count ("SELECT count(*) FROM changes");
  set_field (&d, id, "first_name", "Mallory");
  outbox = tandem_sync_count_outbox (d.store);

  g_assert_false (tandem_sync_client_run (d.store, NULL, &report, &error));
  g_assert_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_UNAUTHORIZED);
  g_assert_cmpint (tandem_sync_count_outbox (d.store), ==, outbox);
  g_assert_cmpint (server_count ("SELECT count(*) FROM changes"), ==, changes);

  desk_close (&d);
}

static void
test_offline_keeps_outbox (void)
{
  g_autoptr(GError) error = NULL;
  Desk a = { 0, };
  g_autofree char *id = NULL;
  TandemSyncReport report;
  gint64 outbox;

  desk_open (&a, NULL);
  id = new_lead (&a, "Otto");
  outbox = tandem_sync_count_outbox (a.store);
  g_assert_cmpint (outbox, >, 0);

  test_server_kill (&t.server);
  g_assert_false (tandem_sync_client_run (a.store, NULL, &report, &error));
  g_assert_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_OFFLINE);
  g_assert_cmpint (tandem_sync_count_outbox (a.store), ==, outbox);
  g_assert_cmpint (report.pending, ==, outbox);

  test_server_start (&t.server);
  desk_follow_server (&a);
  desk_sync (&a);
  g_clear_pointer (&id, g_free);

  desk_close (&a);
}

static void
test_crash_between_push_and_answer (void)
{
  g_autoptr(GError) error = NULL;
  Desk a = { 0, }, b = { 0, };
  g_autofree char *id = NULL;
  g_autofree char *batch = NULL;
  g_autofree char *value = NULL;
  TandemSyncReport report;
  gint64 changes, batches;
  guint n_sent = 0;

  desk_open (&a, NULL);
  desk_open (&b, NULL);
  id = new_lead (&a, "Pia");
  desk_sync (&a);
  desk_sync (&b);

  set_field (&a, id, "email", "pia@a.example");
  set_field (&a, id, "phone", "555-0100");
  changes = server_count ("SELECT count(*) FROM changes");
  batches = server_count ("SELECT count(*) FROM batches");

  /* The server stores the batch, and the answer never arrives. */
  tandem_sync_client_push_batch (a.store, FALSE, NULL, &n_sent, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_sent, ==, 2);
  g_assert_cmpint (server_count ("SELECT count(*) FROM changes"), ==, changes + 2);
  g_assert_cmpint (tandem_sync_count_outbox (a.store), ==, 2);
  batch = tandem_sync_get_meta (a.store, "sync_pending_batch");
  g_assert_nonnull (batch);

  /* An edit made after the crash goes in a later batch. */
  set_field (&a, id, "job_title", "CFO");

  report = desk_sync (&a);
  g_assert_cmpuint (report.pushed, ==, 3);
  g_assert_null (tandem_sync_get_meta (a.store, "sync_pending_batch"));
  g_assert_cmpint (server_count ("SELECT count(*) FROM changes"), ==, changes + 3);
  g_assert_cmpint (server_count ("SELECT count(*) FROM batches"), ==, batches + 2);

  desk_sync (&b);
  value = get_field (&b, id, "email");
  g_assert_cmpstr (value, ==, "pia@a.example");
  g_assert_cmpint (tandem_test_query_int (tandem_store_get_path (b.store),
                                          "SELECT count(*) FROM change_log WHERE field = 'email'"
                                          " AND value = 'pia@a.example'"), ==, 1);

  desk_close (&a);
  desk_close (&b);
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autoptr(GFile) source = g_file_new_for_path (from);
  g_autoptr(GFile) destination = g_file_new_for_path (to);
  g_autoptr(GError) error = NULL;

  g_file_copy (source, destination, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
test_server_restored_from_backup (void)
{
  g_autofree char *backup = g_strconcat (t.server.db, ".backup", NULL);
  g_autofree char *wal = g_strconcat (t.server.db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (t.server.db, "-shm", NULL);
  Desk a = { 0, }, b = { 0, };
  g_autofree char *id = NULL;
  g_autofree char *id2 = NULL;
  TandemSyncReport report;

  desk_open (&a, NULL);
  desk_open (&b, NULL);
  id = new_lead (&a, "Rita");
  desk_sync (&a);
  desk_sync (&b);

  /* A consistent copy: the server is stopped while it is taken. */
  test_server_kill (&t.server);
  copy_file (t.server.db, backup);
  if (g_file_test (wal, G_FILE_TEST_EXISTS))
    {
      g_autofree char *backup_wal = g_strconcat (backup, "-wal", NULL);

      copy_file (wal, backup_wal);
    }
  test_server_start (&t.server);
  desk_follow_server (&a);
  desk_follow_server (&b);

  /* Acknowledged after the backup, so lost by the restore. */
  set_field (&a, id, "email", "rita@a.example");
  set_field (&a, id, "phone", "555-0199");
  id2 = new_lead (&a, "Sam");
  desk_sync (&a);
  desk_sync (&b);
  set_field (&a, id, "job_title", "Buyer");  /* never pushed before the restore */

  test_server_kill (&t.server);
  g_unlink (wal);
  g_unlink (shm);
  copy_file (backup, t.server.db);
  {
    g_autofree char *backup_wal = g_strconcat (backup, "-wal", NULL);

    if (g_file_test (backup_wal, G_FILE_TEST_EXISTS))
      copy_file (backup_wal, wal);
  }
  test_server_start (&t.server);
  desk_follow_server (&a);
  desk_follow_server (&b);

  report = desk_sync (&a);
  g_assert_true (report.took_snapshot);
  desk_sync (&b);
  desk_sync (&a);

  for (guint i = 0; i < 2; i++)
    {
      Desk *desk = i == 0 ? &a : &b;
      g_autofree char *email = get_field (desk, id, "email");
      g_autofree char *job = get_field (desk, id, "job_title");
      g_autofree char *sam = get_field (desk, id2, "first_name");

      g_assert_cmpstr (email, ==, "rita@a.example");
      g_assert_cmpstr (job, ==, "Buyer");
      g_assert_cmpstr (sam, ==, "Sam");
    }

  {
    g_autofree char *email = server_field (id, "email");
    g_autofree char *phone = server_field (id, "phone");
    g_autofree char *job = server_field (id, "job_title");

    g_assert_cmpstr (email, ==, "rita@a.example");
    g_assert_cmpstr (phone, ==, "555-0199");
    g_assert_cmpstr (job, ==, "Buyer");
  }

  desk_close (&a);
  desk_close (&b);
}

static void
test_not_configured (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = tandem_test_make_dir ();
  g_autoptr(TandemStore) store = tandem_test_open_store (dir);

  g_ptr_array_add (t.dirs, g_strdup (dir));
  g_assert_false (tandem_sync_client_run (store, NULL, NULL, &error));
  g_assert_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_NOT_CONFIGURED);
  g_clear_error (&error);

  g_assert_false (tandem_sync_client_configure (store, "ftp://example.org", "x", &error));
  g_assert_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_NOT_CONFIGURED);
  g_assert_null (tandem_sync_client_dup_server (store));
}

typedef struct
{
  GError   *error;
  gboolean  done;
} Check;

static void
on_checked (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Check *check = user_data;

  tandem_sync_client_check_finish (result, &check->error);
  check->done = TRUE;
}

/* The UI's way: the async call, with the main context spinning. */
static gboolean
check (const char  *url,
       const char  *token,
       GError     **error)
{
  Check state = { NULL, FALSE };

  tandem_sync_client_check_async (url, token, NULL, on_checked, &state);
  while (!state.done)
    g_main_context_iteration (NULL, TRUE);

  if (state.error != NULL)
    {
      g_propagate_error (error, state.error);
      return FALSE;
    }
  return TRUE;
}

static void
test_check (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (check (t.server.url, t.token, &error));
  g_assert_no_error (error);

  g_assert_false (check (t.server.url, "0123456789abcdef", &error));
  g_assert_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  g_assert_false (check ("http://127.0.0.1:1", t.token, &error));
  g_assert_error (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_OFFLINE);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *dir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  t.server.bin = g_getenv ("TANDEM_SYNC_BIN");
  if (t.server.bin == NULL)
    {
      g_test_skip ("TANDEM_SYNC_BIN is not set: run through meson test");
      return g_test_run ();
    }

  t.dirs = g_ptr_array_new_with_free_func (g_free);
  dir = tandem_test_make_dir ();
  t.server.db = g_build_filename (dir, "sync.db", NULL);
  t.token = test_server_tool (&t.server, "token", "add", "alice", NULL);
  test_server_start (&t.server);

  g_test_add_func ("/sync/client/not-configured", test_not_configured);
  g_test_add_func ("/sync/client/check", test_check);
  g_test_add_func ("/sync/client/edit-reaches-other-desk", test_edit_reaches_other_desk);
  g_test_add_func ("/sync/client/new-desk-takes-snapshot", test_new_desk_takes_snapshot);
  g_test_add_func ("/sync/client/lone-push-skips-own", test_lone_push_skips_own);
  g_test_add_func ("/sync/client/push-after-other-does-not-skip",
                   test_push_after_other_does_not_skip);
  g_test_add_func ("/sync/client/conflict-listed", test_conflict_listed);
  g_test_add_func ("/sync/client/revoked-token", test_revoked_token);
  g_test_add_func ("/sync/client/offline-keeps-outbox", test_offline_keeps_outbox);
  g_test_add_func ("/sync/client/crash-between-push-and-answer",
                   test_crash_between_push_and_answer);
  g_test_add_func ("/sync/client/server-restored-from-backup", test_server_restored_from_backup);

  status = g_test_run ();

  test_server_clear (&t.server);
  for (guint i = 0; i < t.dirs->len; i++)
    tandem_test_remove_dir (g_ptr_array_index (t.dirs, i));
  g_ptr_array_unref (t.dirs);
  tandem_test_remove_dir (dir);
  g_free (t.token);

  return status;
}
