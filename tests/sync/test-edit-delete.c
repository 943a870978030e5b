/* test-edit-delete.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "core-test-utils.h"
#include "tandem-hlc.h"
#include "sync-test-server.h"
#include "tandem-sync-client.h"

/* Edit against delete (DESIGN.md §6) through the real tandem-sync binary:
 * one desktop deletes a lead while another, apart, changes one of its
 * fields. Both desktops list the conflict, and either side can settle it
 * for everyone. The blocking client is safe here: the server is another
 * process. */

static struct
{
  TestServer server;
  char      *token;
} t;

typedef struct
{
  char        *dir;
  TandemStore *store;
} Desk;

static void
desk_open (Desk *desk)
{
  g_autoptr(GError) error = NULL;

  desk->dir = tandem_test_make_dir ();
  desk->store = tandem_test_open_store (desk->dir);
  tandem_sync_client_configure (desk->store, t.server.url, t.token, &error);
  g_assert_no_error (error);
}

static void
desk_close (Desk *desk)
{
  g_clear_object (&desk->store);
  tandem_test_remove_dir (desk->dir);
  g_clear_pointer (&desk->dir, g_free);
}

static void
desk_sync (Desk *desk)
{
  g_autoptr(GError) error = NULL;

  tandem_sync_client_run (desk->store, NULL, NULL, &error);
  g_assert_no_error (error);
}

static TandemRecord *
get_lead (Desk       *desk,
          const char *id)
{
  g_autoptr(GError) error = NULL;
  TandemRecord *lead = tandem_store_get_row (desk->store, "leads", id, &error);

  g_assert_no_error (error);
  return lead;
}

static char *
new_lead (Desk *desk)
{
  g_autoptr(TandemRecord) lead = tandem_record_new_for_table ("leads", NULL);
  g_autoptr(GError) error = NULL;

  tandem_record_set_text (lead, "first_name", "Edda");
  tandem_record_set_text (lead, "last_name", "Delete");
  tandem_store_save (desk->store, lead, &error);
  g_assert_no_error (error);

  return g_strdup (tandem_record_get_id (lead));
}

static void
delete_lead (Desk       *desk,
             const char *id)
{
  g_autoptr(TandemRecord) lead = get_lead (desk, id);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (lead);
  tandem_store_delete (desk->store, lead, &error);
  g_assert_no_error (error);
}

/* Waits until the wall clock is past the newest stamp @desk has made, so
 * that an edit made next on another desktop is stamped after it, as each
 * scenario has it: within one millisecond both desktops' clocks can give
 * the same stamp, and then their site ids decide which came first. */
static void
wait_past_last_edit (Desk *desk)
{
  gint64 newest = tandem_test_query_int (tandem_store_get_path (desk->store),
                                         "SELECT max(hlc) FROM change_log WHERE origin = 'local'");

  while (g_get_real_time () / 1000 <= tandem_hlc_get_millis (newest))
    g_usleep (100);
}

static void
set_phone (Desk       *desk,
           const char *id,
           const char *phone)
{
  g_autoptr(TandemRecord) lead = get_lead (desk, id);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (lead);
  tandem_record_set_text (lead, "phone", phone);
  tandem_store_save (desk->store, lead, &error);
  g_assert_no_error (error);
}

/* The one open conflict of @desk: the delete of @id kept, the row alive
 * (with the edit) the other side. */
static gint64
listed_conflict (Desk       *desk,
                 const char *id,
                 Desk       *deleter,
                 Desk       *editor)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conflicts = tandem_sync_list_conflicts (desk->store, &error);
  TandemConflict *conflict;

  g_assert_no_error (error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  conflict = g_ptr_array_index (conflicts, 0);
  g_assert_cmpstr (conflict->row_id, ==, id);
  g_assert_cmpstr (conflict->field, ==, "deleted");
  g_assert_cmpstr (conflict->kept_value_json, ==, "1");
  g_assert_cmpstr (conflict->other_value_json, ==, "0");
  g_assert_cmpstr (conflict->kept_site, ==, tandem_store_get_site_id (deleter->store));
  g_assert_cmpstr (conflict->other_site, ==, tandem_store_get_site_id (editor->store));

  return conflict->id;
}

/* The deleting desktop syncs first; the editor learns of the delete in
 * the round that sends its edit. Resolved by restoring, on the editor. */
static void
test_deleter_first (void)
{
  Desk a = { 0, }, b = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemRecord) lead = NULL;
  g_autofree char *id = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *deleted = NULL;
  gint64 conflict_a, conflict_b;

  desk_open (&a);
  desk_open (&b);
  id = new_lead (&a);
  desk_sync (&a);
  desk_sync (&b);

  set_phone (&b, id, "+1 555 0100");
  wait_past_last_edit (&b);
  delete_lead (&a, id);
  desk_sync (&a);
  desk_sync (&b);
  desk_sync (&a);

  conflict_a = listed_conflict (&a, id, &a, &b);
  conflict_b = listed_conflict (&b, id, &a, &b);
  g_assert_null (get_lead (&a, id));
  g_assert_null (get_lead (&b, id));

  g_assert_true (tandem_sync_resolve_conflict (b.store, conflict_b, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (tandem_sync_resolve_conflict (a.store, conflict_a, FALSE, &error));
  g_assert_no_error (error);
  desk_sync (&b);
  desk_sync (&a);

  lead = get_lead (&a, id);
  g_assert_nonnull (lead);
  g_assert_cmpstr (tandem_record_get_text (lead, "phone"), ==, "+1 555 0100");
  /* The server keeps a row as its snapshot line: "deleted" is the last
   * of its values. */
  sql = g_strdup_printf ("SELECT json_extract(line, '$[3][#-1]') FROM rows WHERE tbl = 'leads'"
                         " AND row_id = '%s'", id);
  deleted = test_query_text (t.server.db, sql);
  g_assert_cmpstr (deleted, ==, "0");
  g_assert_cmpint (tandem_sync_count_conflicts (a.store), ==, 0);
  g_assert_cmpint (tandem_sync_count_conflicts (b.store), ==, 0);

  desk_close (&a);
  desk_close (&b);
}

/* The editor syncs first, its edit made after the delete: the deleting
 * desktop meets the edit with its tombstone, the editor meets a delete
 * older than its edit. Resolved by keeping the delete, on the deleter. */
static void
test_editor_first (void)
{
  Desk a = { 0, }, b = { 0, };
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  gint64 conflict_a, conflict_b;

  desk_open (&a);
  desk_open (&b);
  id = new_lead (&a);
  desk_sync (&a);
  desk_sync (&b);

  delete_lead (&a, id);
  wait_past_last_edit (&a);
  set_phone (&b, id, "+1 555 0111");
  desk_sync (&b);
  desk_sync (&a);
  desk_sync (&b);

  conflict_a = listed_conflict (&a, id, &a, &b);
  conflict_b = listed_conflict (&b, id, &a, &b);

  g_assert_true (tandem_sync_resolve_conflict (a.store, conflict_a, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (tandem_sync_resolve_conflict (b.store, conflict_b, FALSE, &error));
  g_assert_no_error (error);
  desk_sync (&a);
  desk_sync (&b);
  g_assert_null (get_lead (&a, id));
  g_assert_null (get_lead (&b, id));
  g_assert_cmpint (tandem_sync_count_outbox (a.store), ==, 0);
  g_assert_cmpint (tandem_sync_count_outbox (b.store), ==, 0);

  desk_close (&a);
  desk_close (&b);
}

/* A delete made after the edit had come in, by a desktop that saw it, is
 * no conflict anywhere. */
static void
test_delete_after_seeing_edit (void)
{
  Desk a = { 0, }, b = { 0, };
  g_autofree char *id = NULL;

  desk_open (&a);
  desk_open (&b);
  id = new_lead (&a);
  desk_sync (&a);
  desk_sync (&b);

  set_phone (&b, id, "+1 555 0122");
  desk_sync (&b);
  desk_sync (&a);
  delete_lead (&a, id);
  desk_sync (&a);
  desk_sync (&b);

  g_assert_cmpint (tandem_sync_count_conflicts (a.store), ==, 0);
  g_assert_cmpint (tandem_sync_count_conflicts (b.store), ==, 0);
  g_assert_null (get_lead (&b, id));

  desk_close (&a);
  desk_close (&b);
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

  dir = tandem_test_make_dir ();
  t.server.db = g_build_filename (dir, "sync.db", NULL);
  t.token = test_server_tool (&t.server, "token", "add", "alice", NULL);
  test_server_start (&t.server);

  g_test_add_func ("/sync/edit-delete/deleter-first", test_deleter_first);
  g_test_add_func ("/sync/edit-delete/editor-first", test_editor_first);
  g_test_add_func ("/sync/edit-delete/delete-after-seeing-edit", test_delete_after_seeing_edit);

  status = g_test_run ();

  test_server_clear (&t.server);
  tandem_test_remove_dir (dir);
  g_free (t.token);

  return status;
}
