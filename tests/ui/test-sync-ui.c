/* test-sync-ui.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tandem-preferences-window.h"
#include "tandem-sync-client.h"
#include "tandem-sync-indicator.h"
#include "tandem-sync-server.h"
#include "tandem-window.h"
#include "ui-test-utils.h"

/* A round pushes or pulls a 50-lead workspace over loopback; sanitizer
 * builds on a loaded machine need far longer than a frame. */
#define TIMEOUT_MS 60000

/* One desktop: its workspace file, its store and the window showing it. */
typedef struct
{
  char                *dir;
  char                *path;
  TandemStore         *store;
  TandemWindow        *window;
  TandemSyncIndicator *indicator;
  guint                rounds;
  char                *last_error;
} Desktop;

static void
on_round_finished (TandemSyncIndicator *indicator,
                   const GError        *error,
                   Desktop             *desktop)
{
  desktop->rounds++;
  g_clear_pointer (&desktop->last_error, g_free);
  if (error != NULL)
    desktop->last_error = g_strdup (error->message);
}

static void
desktop_open (Desktop  *desktop,
              gboolean  sample)
{
  g_autoptr(GError) error = NULL;

  desktop->dir = tandem_test_make_temp_dir ();
  desktop->path = g_build_filename (desktop->dir, "workspace.db", NULL);
  desktop->store = tandem_store_open (desktop->path, &error);
  g_assert_no_error (error);

  if (sample)
    {
      tandem_sample_generate (desktop->store, 50, 1, 0, NULL, NULL, &error);
      g_assert_no_error (error);
    }

  desktop->window = tandem_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (desktop->window), 1100, 720);
  tandem_window_set_store (desktop->window, desktop->store);
  gtk_window_present (GTK_WINDOW (desktop->window));
  g_assert_true (tandem_test_wait_until (tandem_test_widget_is_mapped, desktop->window, TIMEOUT_MS));

  desktop->indicator = TANDEM_SYNC_INDICATOR (
    tandem_test_find_widget (GTK_WIDGET (desktop->window), TANDEM_TYPE_SYNC_INDICATOR, NULL));
  g_assert_nonnull (desktop->indicator);
  g_signal_connect (desktop->indicator, "round-finished", G_CALLBACK (on_round_finished), desktop);

  /* Nothing is configured yet: the indicator stays out of the way. */
  g_assert_cmpstr (tandem_sync_indicator_get_state (desktop->indicator), ==, "not-shared");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (desktop->indicator)));
}

static void
desktop_close (Desktop *desktop)
{
  g_signal_handlers_disconnect_by_func (desktop->indicator, on_round_finished, desktop);
  gtk_window_destroy (GTK_WINDOW (desktop->window));
  g_clear_object (&desktop->store);
  tandem_test_remove_tree (desktop->dir);
  g_clear_pointer (&desktop->dir, g_free);
  g_clear_pointer (&desktop->path, g_free);
  g_clear_pointer (&desktop->last_error, g_free);
}

typedef struct
{
  Desktop *desktop;
  guint    rounds;
} RoundWait;

static gboolean
round_done (gpointer data)
{
  RoundWait *wait = data;

  /* A round asked for during another one starts as soon as that one ends,
   * so "done" is: a round ended after the request and none runs now. */
  return wait->desktop->rounds > wait->rounds
         && !tandem_sync_indicator_get_busy (wait->desktop->indicator);
}

static void
wait_for_round (Desktop *desktop,
                guint    rounds_before)
{
  RoundWait wait = { desktop, rounds_before };

  g_assert_true (tandem_test_wait_until (round_done, &wait, TIMEOUT_MS));
}

static void
sync_now (Desktop *desktop)
{
  guint rounds = desktop->rounds;

  /* The "Sync Now" button of the popover is this action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->indicator), "sync.now", NULL));
  wait_for_round (desktop, rounds);
  g_assert_cmpstr (desktop->last_error, ==, NULL);
}

static char *
persona_name (Desktop    *desktop,
              const char *id)
{
  g_autoptr(TandemRecord) persona = NULL;
  g_autoptr(GError) error = NULL;

  persona = tandem_store_get (desktop->store, TANDEM_TYPE_PERSONA, id, &error);
  g_assert_no_error (error);

  return g_strdup (tandem_record_get_text (persona, "name"));
}

static void
rename_persona (Desktop    *desktop,
                const char *id,
                const char *name)
{
  g_autoptr(TandemRecord) persona = NULL;
  g_autoptr(GError) error = NULL;

  persona = tandem_store_get (desktop->store, TANDEM_TYPE_PERSONA, id, &error);
  g_assert_no_error (error);
  tandem_record_set_text (persona, "name", name);
  tandem_store_save (desktop->store, persona, &error);
  g_assert_no_error (error);
}

/* Waits until the wall clock is past the persona's last change here, so
 * that an edit made next on another desktop is clocked later, as the
 * scenario needs: within one millisecond both desktops' clocks can give
 * the same stamp, and then their site ids decide which came first. */
static void
wait_past_persona (Desktop    *desktop,
                   const char *id)
{
  g_autoptr(TandemRecord) persona = NULL;
  g_autoptr(GError) error = NULL;
  gint64 changed;

  persona = tandem_store_get (desktop->store, TANDEM_TYPE_PERSONA, id, &error);
  g_assert_no_error (error);
  changed = tandem_hlc_get_millis (tandem_record_get_loaded_hlc (persona));
  while (g_get_real_time () / 1000 <= changed)
    g_usleep (100);
}

/* What the header bar shows of the sync state: the indicator button's
 * words. */
static char *
header_text (Desktop *desktop)
{
  GtkWidget *button = tandem_test_find_widget (GTK_WIDGET (desktop->indicator),
                                               GTK_TYPE_MENU_BUTTON, NULL);
  g_autoptr(GString) text = g_string_new (NULL);

  g_assert_nonnull (button);
  tandem_test_collect_labels (gtk_menu_button_get_child (GTK_MENU_BUTTON (button)), text);

  return g_strstrip (g_string_free (g_steal_pointer (&text), FALSE));
}

/* At the default width (desktop_open()'s 1100 px) the view switcher stays
 * in the header bar whatever the sync state says: a longer state must not
 * fold it into the bottom bar. */
static void
assert_switcher_in_header (Desktop *desktop)
{
  GtkWidget *title = tandem_test_find_widget (GTK_WIDGET (desktop->window),
                                              ADW_TYPE_VIEW_SWITCHER_TITLE, NULL);

  g_assert_nonnull (title);
  tandem_test_flush ();
  g_assert_false (adw_view_switcher_title_get_title_visible (ADW_VIEW_SWITCHER_TITLE (title)));
}

#define assert_header(desktop, expected)                 \
  G_STMT_START {                                         \
    g_autofree char *_text = header_text (desktop);      \
    g_assert_cmpstr (_text, ==, expected);               \
    assert_switcher_in_header (desktop);                 \
  } G_STMT_END

/* With TANDEM_TEST_SCREENSHOT_DIR set, grabs the screen (the windows, and
 * any popover open on them) so that a person can look at the states. */
static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  const char *dir = g_getenv ("TANDEM_TEST_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autofree char *command = NULL;
  g_autoptr(GError) error = NULL;
  GdkFrameClock *clock;
  int status = 0;

  if (dir == NULL)
    return;

  /* Let the window draw what the test just changed: a few frames, since a
   * popover or a spinner settles over more than one. */
  clock = gtk_widget_get_frame_clock (widget);
  g_assert_nonnull (clock);
  for (guint i = 0; i < 6; i++)
    {
      gint64 start = gdk_frame_clock_get_frame_counter (clock);

      gtk_widget_queue_draw (widget);
      while (gdk_frame_clock_get_frame_counter (clock) <= start)
        g_main_context_iteration (NULL, TRUE);
    }

  path = g_build_filename (dir, name, NULL);
  command = g_strdup_printf ("import -window root %s", path);
  g_spawn_command_line_sync (command, NULL, NULL, &status, &error);
  g_assert_no_error (error);
}

static gboolean
has_error_style (gpointer data)
{
  return gtk_widget_has_css_class (GTK_WIDGET (data), "error");
}

static gboolean
state_is (TandemSyncIndicator *indicator,
          const char          *state)
{
  return g_strcmp0 (tandem_sync_indicator_get_state (indicator), state) == 0;
}

static gboolean
popover_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

/* The team's server, in this process on the main context, with a token
 * for each of the two desktops. The desktops' rounds run on worker
 * threads, so they never wait on it. */
typedef struct
{
  char              *dir;
  TandemServerStore *store;
  TandemSyncServer  *server;
  char              *url;
  char              *token_a;
  char              *token_b;
} TeamServer;

static void
team_server_start (TeamServer *team)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;

  team->dir = tandem_test_make_temp_dir ();
  db = g_build_filename (team->dir, "server.db", NULL);
  team->store = tandem_server_store_open (db, &error);
  g_assert_no_error (error);
  team->token_a = tandem_server_store_add_token (team->store, "alice-desktop", &error);
  g_assert_no_error (error);
  team->token_b = tandem_server_store_add_token (team->store, "bob-desktop", &error);
  g_assert_no_error (error);
  team->server = tandem_sync_server_new (team->store);
  tandem_sync_server_listen (team->server, "127.0.0.1:0", &error);
  g_assert_no_error (error);
  team->url = tandem_sync_server_get_url (team->server);
}

static void
team_server_stop (TeamServer *team)
{
  g_clear_object (&team->server);
  g_clear_object (&team->store);
  tandem_test_remove_tree (team->dir);
  g_clear_pointer (&team->dir, g_free);
  g_clear_pointer (&team->url, g_free);
  g_clear_pointer (&team->token_a, g_free);
  g_clear_pointer (&team->token_b, g_free);
}

static void
test_two_desktops (void)
{
  g_autoptr(GError) error = NULL;
  TeamServer team = { NULL };
  g_autoptr(GPtrArray) personas = NULL;
  g_autoptr(TandemRecordList) b_personas = NULL;
  g_autofree char *persona_id = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GString) popover_text = NULL;
  Desktop a = { 0 }, b = { 0 };
  GtkWindow *preferences;
  GtkWidget *row, *button, *popover;
  guint rounds;

  team_server_start (&team);

  desktop_open (&a, TRUE);
  desktop_open (&b, FALSE);

  /* A connects the way a person does: address and token in the Sync page
   * of the preferences, then Connect. A wrong token first. */
  preferences = tandem_window_show_preferences (a.window);
  g_assert_nonnull (preferences);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), "sync");
  row = tandem_test_find_widget (GTK_WIDGET (preferences), ADW_TYPE_ENTRY_ROW, "Server Address");
  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), team.url);
  row = tandem_test_find_widget (GTK_WIDGET (preferences), ADW_TYPE_PASSWORD_ENTRY_ROW,
                                 "Device Token");
  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), "not-a-token");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (preferences), "sync.connect", NULL));
  g_assert_true (tandem_test_wait_until (has_error_style, row, TIMEOUT_MS));
  g_assert_cmpstr (tandem_sync_indicator_get_state (a.indicator), ==, "not-shared");
  g_assert_null (tandem_sync_client_dup_server (a.store));
  screenshot (GTK_WIDGET (preferences), "prefs-bad-token.png");

  /* Then the right one: the first round pushes A's whole workspace. */
  rounds = a.rounds;
  gtk_editable_set_text (GTK_EDITABLE (row), team.token_a);
  g_assert_false (has_error_style (row));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (preferences), "sync.connect", NULL));
  wait_for_round (&a, rounds);
  g_assert_cmpstr (a.last_error, ==, NULL);
  g_assert_true (state_is (a.indicator, "synced"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (a.indicator)));
  g_assert_cmpint (tandem_sync_count_outbox (a.store), ==, 0);
  name = tandem_sync_client_dup_server (a.store);
  g_assert_cmpstr (name, ==, team.url);
  g_clear_pointer (&name, g_free);
  screenshot (GTK_WIDGET (preferences), "prefs-connected.png");
  gtk_window_destroy (preferences);

  /* B is empty; its first round pulls a snapshot, and the lists already
   * open on it show what came. */
  b_personas = tandem_record_list_new (b.store, TANDEM_TYPE_PERSONA);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (b_personas)), ==, 0);
  tandem_sync_client_configure (b.store, team.url, team.token_b, &error);
  g_assert_no_error (error);
  rounds = b.rounds;
  tandem_sync_indicator_sync_now (b.indicator);
  wait_for_round (&b, rounds);
  g_assert_cmpstr (b.last_error, ==, NULL);
  g_assert_true (state_is (b.indicator, "synced"));
  assert_header (&b, "Synced");
  personas = tandem_store_list (b.store, TANDEM_TYPE_PERSONA, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (personas->len, ==, 6);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (b_personas)), ==, 6);
  persona_id = g_strdup (tandem_record_get_id (personas->pdata[0]));
  gtk_window_present (GTK_WINDOW (b.window));
  screenshot (GTK_WIDGET (b.window), "indicator-synced.png");

  /* An edit on A reaches B. */
  rename_persona (&a, persona_id, "Renamed on A");
  g_assert_true (state_is (a.indicator, "pending"));
  assert_header (&a, "1 pending");
  gtk_window_present (GTK_WINDOW (a.window));
  screenshot (GTK_WIDGET (a.window), "indicator-pending.png");
  rounds = a.rounds;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (a.indicator), "sync.now", NULL));
  g_assert_true (state_is (a.indicator, "syncing"));
  assert_header (&a, "Syncing…");
  screenshot (GTK_WIDGET (a.window), "indicator-syncing.png");
  wait_for_round (&a, rounds);
  g_assert_true (state_is (a.indicator, "synced"));
  sync_now (&b);
  name = persona_name (&b, persona_id);
  g_assert_cmpstr (name, ==, "Renamed on A");
  g_clear_pointer (&name, g_free);

  /* Both change the same field while apart; A's edit is the later one, so
   * it wins, and B, which syncs last, records the conflict. */
  rename_persona (&b, persona_id, "Bob's name");
  wait_past_persona (&b, persona_id);
  rename_persona (&a, persona_id, "Alice's name");
  sync_now (&a);
  rounds = b.rounds;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (b.indicator), "sync.now", NULL));
  wait_for_round (&b, rounds);
  g_assert_cmpstr (b.last_error, ==, NULL);
  g_assert_cmpint (tandem_sync_count_conflicts (b.store), ==, 1);
  g_assert_true (state_is (b.indicator, "conflicts"));
  assert_header (&b, "1 conflict");
  name = persona_name (&b, persona_id);
  g_assert_cmpstr (name, ==, "Alice's name");
  g_clear_pointer (&name, g_free);

  /* The popover lists the conflict with both values. */
  gtk_window_present (GTK_WINDOW (b.window));
  button = tandem_test_find_widget (GTK_WIDGET (b.indicator), GTK_TYPE_MENU_BUTTON, NULL);
  g_assert_nonnull (button);
  popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  g_assert_true (tandem_test_wait_until (popover_is_mapped, popover, TIMEOUT_MS));
  popover_text = g_string_new (NULL);
  tandem_test_collect_labels (popover, popover_text);
  g_test_message ("Popover: %s", popover_text->str);
  g_assert_nonnull (strstr (popover_text->str, "Persona “Alice's name” · name"));
  g_assert_nonnull (strstr (popover_text->str, "Kept “Alice's name” (another desktop"));
  g_assert_nonnull (strstr (popover_text->str, "other value “Bob's name” (this desktop"));
  screenshot (GTK_WIDGET (b.window), "indicator-conflict-popover.png");

  /* Restoring B's value is a new edit on B that wins everywhere. */
  button = tandem_test_find_widget (popover, GTK_TYPE_BUTTON, "_Restore Other");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpint (tandem_sync_count_conflicts (b.store), ==, 0);
  g_assert_false (state_is (b.indicator, "conflicts"));
  g_assert_null (tandem_test_find_widget (popover, GTK_TYPE_BUTTON, "_Restore Other"));
  name = persona_name (&b, persona_id);
  g_assert_cmpstr (name, ==, "Bob's name");
  g_clear_pointer (&name, g_free);
  gtk_popover_popdown (GTK_POPOVER (popover));

  sync_now (&b);
  g_assert_true (state_is (b.indicator, "synced"));
  sync_now (&a);
  name = persona_name (&a, persona_id);
  g_assert_cmpstr (name, ==, "Bob's name");
  g_clear_pointer (&name, g_free);
  g_assert_cmpint (tandem_sync_count_conflicts (a.store), ==, 0);

  /* Without its server, a desktop is offline and keeps its edits. */
  g_clear_object (&team.server);
  rename_persona (&b, persona_id, "Written offline");
  rounds = b.rounds;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (b.indicator), "sync.now", NULL));
  wait_for_round (&b, rounds);
  g_assert_nonnull (b.last_error);
  g_assert_true (state_is (b.indicator, "offline"));
  assert_header (&b, "Offline");
  g_assert_cmpint (tandem_sync_count_outbox (b.store), >, 0);
  gtk_window_present (GTK_WINDOW (b.window));
  screenshot (GTK_WIDGET (b.window), "indicator-offline.png");

  /* Disconnecting forgets the server and keeps the workspace. */
  preferences = tandem_window_show_preferences (a.window);
  g_assert_nonnull (preferences);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (preferences), "sync.disconnect", NULL));
  g_assert_null (tandem_sync_client_dup_server (a.store));
  g_assert_true (state_is (a.indicator, "not-shared"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (a.indicator)));
  g_assert_cmpint (tandem_store_count (a.store, "personas"), ==, 6);
  gtk_window_destroy (preferences);

  desktop_close (&a);
  desktop_close (&b);
  team_server_stop (&team);
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GString    *log)
{
  g_string_append_printf (log, "%u-%u+%u;", position, removed, added);
}

static void
connect_desktop (Desktop    *desktop,
                 const char *url,
                 const char *token)
{
  g_autoptr(GError) error = NULL;

  tandem_sync_client_configure (desktop->store, url, token, &error);
  g_assert_no_error (error);
  tandem_sync_indicator_reload (desktop->indicator);
  sync_now (desktop);
}

static void
set_lead_text (Desktop    *desktop,
               const char *id,
               const char *field,
               const char *value)
{
  g_autoptr(TandemRecord) lead = NULL;
  g_autoptr(GError) error = NULL;

  lead = tandem_store_get (desktop->store, TANDEM_TYPE_LEAD, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lead);
  tandem_record_set_text (lead, field, value);
  tandem_store_save (desktop->store, lead, &error);
  g_assert_no_error (error);
}

/* After a round, the lists of the workspace hear of the rows it changed
 * and of nothing else; and a lead deleted on one desktop while another
 * edited it is a conflict on both, which restoring settles. */
static void
test_round_changes (void)
{
  g_autoptr(GError) error = NULL;
  TeamServer team = { NULL };
  g_autoptr(TandemRecordList) leads = NULL;
  g_autoptr(TandemRecordList) personas = NULL;
  g_autoptr(TandemRecord) lead = NULL;
  g_autoptr(GString) leads_log = g_string_new (NULL);
  g_autoptr(GString) personas_log = g_string_new (NULL);
  g_autoptr(GString) popover_text = g_string_new (NULL);
  g_autofree char *id = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *title = NULL;
  Desktop a = { 0 }, b = { 0 };
  GtkWidget *button, *popover;
  guint position, n_leads;

  team_server_start (&team);

  desktop_open (&a, TRUE);
  desktop_open (&b, FALSE);
  connect_desktop (&a, team.url, team.token_a);
  connect_desktop (&b, team.url, team.token_b);

  leads = tandem_record_list_new (b.store, TANDEM_TYPE_LEAD);
  personas = tandem_record_list_new (b.store, TANDEM_TYPE_PERSONA);
  n_leads = g_list_model_get_n_items (G_LIST_MODEL (leads));
  g_assert_cmpuint (n_leads, ==, 50);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (personas)), ==, 6);
  g_signal_connect (leads, "items-changed", G_CALLBACK (on_items_changed), leads_log);
  g_signal_connect (personas, "items-changed", G_CALLBACK (on_items_changed), personas_log);

  /* A changes one lead's title; B's round brings it. */
  lead = g_list_model_get_item (G_LIST_MODEL (leads), 17);
  id = g_strdup (tandem_record_get_id (lead));
  g_clear_object (&lead);
  set_lead_text (&a, id, "job_title", "Chief Synchronisation Officer");
  sync_now (&a);
  sync_now (&b);

  position = tandem_record_list_find (leads, id);
  expected = g_strdup_printf ("%u-1+1;", position);
  g_assert_cmpstr (leads_log->str, ==, expected);
  g_assert_cmpstr (personas_log->str, ==, "");
  lead = g_list_model_get_item (G_LIST_MODEL (leads), position);
  g_assert_cmpstr (tandem_record_get_text (lead, "job_title"), ==, "Chief Synchronisation Officer");
  title = g_strdup_printf ("Lead “%s %s” · deleted", tandem_record_get_text (lead, "first_name"),
                           tandem_record_get_text (lead, "last_name"));
  g_clear_object (&lead);

  /* While apart, A deletes the lead and B changes its phone. */
  lead = tandem_store_get (a.store, TANDEM_TYPE_LEAD, id, &error);
  g_assert_no_error (error);
  tandem_store_delete (a.store, lead, &error);
  g_assert_no_error (error);
  g_clear_object (&lead);
  set_lead_text (&b, id, "phone", "+1 555 0199");
  g_string_truncate (leads_log, 0);
  sync_now (&a);
  sync_now (&b);

  /* B lists the conflict, and its list lost the lead. */
  g_assert_true (state_is (b.indicator, "conflicts"));
  assert_header (&b, "1 conflict");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (leads)), ==, n_leads - 1);
  g_assert_cmpuint (tandem_record_list_find (leads, id), ==, G_MAXUINT);
  g_assert_cmpstr (personas_log->str, ==, "");

  /* So does A, once the edit reaches its tombstone. */
  sync_now (&a);
  g_assert_cmpint (tandem_sync_count_conflicts (a.store), ==, 1);
  g_assert_true (state_is (a.indicator, "conflicts"));

  gtk_window_present (GTK_WINDOW (b.window));
  button = tandem_test_find_widget (GTK_WIDGET (b.indicator), GTK_TYPE_MENU_BUTTON, NULL);
  popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  g_assert_true (tandem_test_wait_until (popover_is_mapped, popover, TIMEOUT_MS));
  tandem_test_collect_labels (popover, popover_text);
  g_test_message ("Popover: %s", popover_text->str);
  g_assert_nonnull (strstr (popover_text->str, title));
  g_assert_nonnull (strstr (popover_text->str, "Deleted on another desktop at "));
  g_assert_nonnull (strstr (popover_text->str, ", while this desktop changed it at "));
  screenshot (GTK_WIDGET (b.window), "indicator-delete-conflict.png");

  /* Restoring brings the lead back on B, with the phone... */
  button = tandem_test_find_widget (popover, GTK_TYPE_BUTTON, "_Restore Other");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  gtk_popover_popdown (GTK_POPOVER (popover));
  g_assert_cmpint (tandem_sync_count_conflicts (b.store), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (leads)), ==, n_leads);
  lead = tandem_store_get (b.store, TANDEM_TYPE_LEAD, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lead);
  g_assert_cmpstr (tandem_record_get_text (lead, "phone"), ==, "+1 555 0199");
  g_clear_object (&lead);

  /* ...and on A after the next rounds. */
  sync_now (&b);
  sync_now (&a);
  lead = tandem_store_get (a.store, TANDEM_TYPE_LEAD, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lead);
  g_assert_cmpstr (tandem_record_get_text (lead, "phone"), ==, "+1 555 0199");
  g_clear_object (&lead);

  g_signal_handlers_disconnect_by_data (leads, leads_log);
  g_signal_handlers_disconnect_by_data (personas, personas_log);
  g_clear_object (&leads);
  g_clear_object (&personas);
  desktop_close (&a);
  desktop_close (&b);
  team_server_stop (&team);
}

int
main (int   argc,
      char *argv[])
{
  tandem_test_init (&argc, &argv);

  g_test_add_func ("/ui/sync/two-desktops", test_two_desktops);
  g_test_add_func ("/ui/sync/round-changes", test_round_changes);

  return g_test_run ();
}
