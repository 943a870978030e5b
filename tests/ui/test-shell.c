/* test-shell.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>

#include "tandem-member-switcher.h"
#include "tandem-personas-view.h"
#include "tandem-pipeline-view.h"
#include "tandem-preferences-window.h"
#include "tandem-welcome-page.h"
#include "tandem-window.h"
#include "ui-test-utils.h"

#define TIMEOUT_MS 10000
/* Generating the 2,000-lead sample runs on a thread; slow machines and
 * sanitizer builds need far longer than a frame. */
#define SAMPLE_TIMEOUT_MS 90000

static const char * const view_names[] = {
  "overview", "personas", "pipeline", "content", "agreements",
};

static gboolean
window_has_store (gpointer data)
{
  return tandem_window_get_store (TANDEM_WINDOW (data)) != NULL;
}

static TandemWindow *
present_window (void)
{
  TandemWindow *window = tandem_window_new (NULL);

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (tandem_test_wait_until (tandem_test_widget_is_mapped, window, TIMEOUT_MS));

  return window;
}

static char *
create_sample_database (const char *dir,
                        guint       n_leads)
{
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "sample.db", NULL);

  store = tandem_store_open (path, &error);
  g_assert_no_error (error);
  tandem_sample_generate (store, n_leads, TANDEM_SAMPLE_DEFAULT_SEED, 0, NULL, NULL, &error);
  g_assert_no_error (error);

  return path;
}

static TandemRecord *
find_member_by_name (TandemStore *store,
                     const char  *name)
{
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GError) error = NULL;

  members = tandem_store_list (store, TANDEM_TYPE_MEMBER, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < members->len; i++)
    if (g_strcmp0 (tandem_record_get_text (members->pdata[i], "name"), name) == 0)
      return g_object_ref (members->pdata[i]);

  return NULL;
}

static void
assert_views (TandemWindow *window)
{
  AdwViewStack *stack;
  g_autoptr(GtkSelectionModel) pages = NULL;

  stack = ADW_VIEW_STACK (tandem_test_find_widget (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK, NULL));
  g_assert_nonnull (stack);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (stack)));

  pages = adw_view_stack_get_pages (stack);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pages)), ==, G_N_ELEMENTS (view_names));

  for (guint i = 0; i < G_N_ELEMENTS (view_names); i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (G_LIST_MODEL (pages), i);

      g_assert_cmpstr (adw_view_stack_page_get_name (page), ==, view_names[i]);
      g_assert_nonnull (adw_view_stack_page_get_title (page));
      g_assert_nonnull (adw_view_stack_page_get_icon_name (page));

      /* The Alt+number shortcuts and the switcher reach every view. */
      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", view_names[i]);
      g_assert_cmpstr (tandem_window_get_visible_page (window), ==, view_names[i]);
      g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, view_names[i]);
    }

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "overview");
}

/* A missing database shows the welcome page; an empty workspace needs a
 * name, then holds its creator as the one active member. */
static void
test_welcome_create_empty (void)
{
  g_autofree char *dir = tandem_test_make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "nested", "folder", "workspace.db", NULL);
  g_autoptr(TandemRecord) member = NULL;
  TandemWindow *window;
  TandemStore *store;
  GtkWidget *page;
  GtkWidget *name_row;
  GtkWidget *switcher;

  window = present_window ();

  g_assert_false (tandem_window_open_database (window, path));
  g_assert_cmpstr (tandem_window_get_visible_page (window), ==, "welcome");
  g_assert_null (tandem_window_get_store (window));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  page = tandem_test_find_widget (GTK_WIDGET (window), TANDEM_TYPE_WELCOME_PAGE, NULL);
  g_assert_nonnull (page);
  g_assert_true (gtk_widget_get_mapped (page));
  g_assert_cmpstr (tandem_welcome_page_get_database_path (TANDEM_WELCOME_PAGE (page)), ==, path);

  /* Without a name nothing is created and the field says why. */
  name_row = tandem_test_find_widget (page, ADW_TYPE_ENTRY_ROW, "Your Name");
  g_assert_nonnull (name_row);
  gtk_editable_set_text (GTK_EDITABLE (name_row), "  ");
  gtk_widget_activate_action (page, "welcome.create-empty", NULL);
  tandem_test_flush ();
  g_assert_null (tandem_window_get_store (window));
  g_assert_true (gtk_widget_has_css_class (name_row, "error"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  gtk_editable_set_text (GTK_EDITABLE (name_row), "Ada Lovelace");
  g_assert_false (gtk_widget_has_css_class (name_row, "error"));
  g_assert_cmpstr (tandem_welcome_page_get_user_name (TANDEM_WELCOME_PAGE (page)), ==,
                   "Ada Lovelace");
  gtk_widget_activate_action (page, "welcome.create-empty", NULL);
  g_assert_true (tandem_test_wait_until (window_has_store, window, TIMEOUT_MS));

  store = tandem_window_get_store (window);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (tandem_store_get_path (store), ==, path);
  g_assert_cmpint (tandem_store_count (store, "members"), ==, 1);

  member = find_member_by_name (store, "Ada Lovelace");
  g_assert_nonnull (member);
  g_assert_cmpstr (tandem_record_get_text (member, "team"), ==, "leadership");
  g_assert_cmpstr (tandem_record_get_text (member, "role"), ==, "founder");
  g_assert_true (tandem_record_get_bool (member, "active"));
  g_assert_cmpstr (tandem_store_get_current_member (store), ==, tandem_record_get_id (member));

  g_assert_cmpstr (tandem_window_get_visible_page (window), ==, "overview");
  assert_views (window);

  switcher = tandem_test_find_widget (GTK_WIDGET (window), TANDEM_TYPE_MEMBER_SWITCHER, NULL);
  g_assert_true (gtk_widget_get_mapped (switcher));
  g_assert_cmpstr (tandem_member_switcher_get_member_name (TANDEM_MEMBER_SWITCHER (switcher)), ==,
                   "Ada Lovelace");

  gtk_window_destroy (GTK_WINDOW (window));
  tandem_test_flush ();
  tandem_test_remove_tree (dir);
}

static gboolean
welcome_page_idle (gpointer data)
{
  return !tandem_welcome_page_get_busy (TANDEM_WELCOME_PAGE (data));
}

/* "Explore a Sample Workspace" generates the sample on a thread, shows that
 * it is busy meanwhile, then opens the workspace. */
static void
test_welcome_create_sample (void)
{
  g_autofree char *dir = tandem_test_make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "sample", "workspace.db", NULL);
  TandemWindow *window;
  TandemStore *store;
  GtkWidget *page;
  GtkWidget *switcher;

  window = present_window ();
  tandem_window_open_database (window, path);

  page = tandem_test_find_widget (GTK_WIDGET (window), TANDEM_TYPE_WELCOME_PAGE, NULL);
  gtk_widget_activate_action (page, "welcome.create-sample", NULL);
  g_assert_true (tandem_welcome_page_get_busy (TANDEM_WELCOME_PAGE (page)));

  /* A second press while it works must not start a second generator. */
  gtk_widget_activate_action (page, "welcome.create-empty", NULL);
  gtk_widget_activate_action (page, "welcome.create-sample", NULL);

  g_assert_true (tandem_test_wait_until (window_has_store, window, SAMPLE_TIMEOUT_MS));
  g_assert_true (welcome_page_idle (page));

  store = tandem_window_get_store (window);
  g_assert_cmpint (tandem_store_count (store, "leads"), ==, TANDEM_SAMPLE_DEFAULT_LEADS);
  g_assert_cmpint (tandem_store_count (store, "members"), >, 1);
  g_assert_cmpstr (tandem_window_get_visible_page (window), ==, "overview");

  switcher = tandem_test_find_widget (GTK_WIDGET (window), TANDEM_TYPE_MEMBER_SWITCHER, NULL);
  g_assert_nonnull (tandem_member_switcher_get_member_id (TANDEM_MEMBER_SWITCHER (switcher)));
  g_assert_cmpstr (tandem_store_get_current_member (store), ==,
                   tandem_member_switcher_get_member_id (TANDEM_MEMBER_SWITCHER (switcher)));

  gtk_window_destroy (GTK_WINDOW (window));
  tandem_test_flush ();
  tandem_test_remove_tree (dir);
}

static gboolean
search_has_focus (gpointer data)
{
  TandemWindow *window = data;
  GtkWidget *view = tandem_test_find_widget (GTK_WIDGET (window), TANDEM_TYPE_PERSONAS_VIEW, NULL);
  GtkWidget *entry;

  entry = GTK_WIDGET (tandem_personas_view_get_search_entry (TANDEM_PERSONAS_VIEW (view)));
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (window));

  return focus != NULL && (focus == entry || gtk_widget_is_ancestor (focus, entry));
}

static gboolean
pipeline_has_focus (gpointer data)
{
  TandemWindow *window = data;
  GtkWidget *view = tandem_test_find_widget (GTK_WIDGET (window), TANDEM_TYPE_PIPELINE_VIEW, NULL);
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (window));

  return view != NULL && focus != NULL && gtk_widget_is_ancestor (focus, view);
}

/* An existing workspace opens straight on the views, and the member
 * switcher decides who is working, remembered for the next start. */
static void
test_sample_workspace (void)
{
  g_autofree char *dir = tandem_test_make_temp_dir ();
  g_autofree char *path = create_sample_database (dir, 200);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *remembered = NULL;
  TandemMemberSwitcher *switcher;
  TandemWindow *window;
  TandemWindow *second;
  TandemStore *store;
  const char *first_id;
  const char *other_id = NULL;
  const char *inactive_id = NULL;

  g_settings_set_string (settings, "current-member", "");

  window = present_window ();
  g_assert_true (tandem_window_open_database (window, path));
  g_assert_cmpstr (tandem_window_get_visible_page (window), ==, "overview");
  store = tandem_window_get_store (window);
  g_assert_nonnull (store);
  g_assert_cmpint (tandem_store_count (store, "leads"), ==, 200);
  assert_views (window);

  /* Ctrl+F searches the view that is shown. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "personas");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL);
  g_assert_true (tandem_test_wait_until (search_has_focus, window, TIMEOUT_MS));

  /* A view chosen from the keyboard takes the focus, so that its own
   * shortcuts (the Pipeline's Ctrl+1…4) work without a click first. The
   * Overview has nothing to focus, which is where Alt+3 starts from. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "overview");
  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "pipeline");
  g_assert_true (tandem_test_wait_until (pipeline_has_focus, window, TIMEOUT_MS));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "overview");

  switcher = TANDEM_MEMBER_SWITCHER (tandem_test_find_widget (GTK_WIDGET (window),
                                                              TANDEM_TYPE_MEMBER_SWITCHER,
                                                              NULL));
  g_assert_nonnull (switcher);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (switcher)));
  first_id = tandem_member_switcher_get_member_id (switcher);
  g_assert_nonnull (first_id);
  g_assert_nonnull (tandem_member_switcher_get_member_name (switcher));
  g_assert_cmpstr (tandem_member_switcher_get_member_name (switcher), !=, "");
  g_assert_cmpstr (tandem_store_get_current_member (store), ==, first_id);

  /* The header shows the name of the member who is working. */
  g_assert_nonnull (tandem_test_find_widget (GTK_WIDGET (switcher), GTK_TYPE_LABEL,
                                             tandem_member_switcher_get_member_name (switcher)));

  members = tandem_store_list (store, TANDEM_TYPE_MEMBER, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < members->len; i++)
    {
      TandemRecord *member = members->pdata[i];

      if (!tandem_record_get_bool (member, "active"))
        inactive_id = tandem_record_get_id (member);
      else if (other_id == NULL && g_strcmp0 (tandem_record_get_id (member), first_id) != 0)
        other_id = tandem_record_get_id (member);
    }
  g_assert_nonnull (other_id);

  g_assert_true (tandem_member_switcher_select (switcher, other_id));
  g_assert_cmpstr (tandem_member_switcher_get_member_id (switcher), ==, other_id);
  g_assert_cmpstr (tandem_store_get_current_member (store), ==, other_id);
  remembered = g_settings_get_string (settings, "current-member");
  g_assert_cmpstr (remembered, ==, other_id);

  /* Nobody can work as a member who left, nor as one who does not exist. */
  if (inactive_id != NULL)
    g_assert_false (tandem_member_switcher_select (switcher, inactive_id));
  g_assert_false (tandem_member_switcher_select (switcher, "no-such-member"));
  g_assert_cmpstr (tandem_store_get_current_member (store), ==, other_id);

  /* The next start on this desktop picks the remembered member. */
  second = present_window ();
  g_assert_true (tandem_window_open_database (second, path));
  switcher = TANDEM_MEMBER_SWITCHER (tandem_test_find_widget (GTK_WIDGET (second),
                                                              TANDEM_TYPE_MEMBER_SWITCHER,
                                                              NULL));
  g_assert_cmpstr (tandem_member_switcher_get_member_id (switcher), ==, other_id);
  g_assert_cmpstr (tandem_store_get_current_member (tandem_window_get_store (second)), ==,
                   other_id);

  gtk_window_destroy (GTK_WINDOW (second));
  gtk_window_destroy (GTK_WINDOW (window));
  tandem_test_flush ();
  tandem_test_remove_tree (dir);
}

/* A workspace from a newer Tandem is refused with a message and left as it
 * was; the welcome page stays. */
static void
test_newer_workspace (void)
{
  g_autofree char *dir = tandem_test_make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "newer.db", NULL);
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(GError) error = NULL;
  TandemWindow *window;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  store = tandem_store_open (path, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 999", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  window = present_window ();
  g_assert_false (tandem_window_open_database (window, path));
  g_assert_null (tandem_window_get_store (window));
  g_assert_cmpstr (tandem_window_get_visible_page (window), ==, "welcome");

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 999);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  gtk_window_destroy (GTK_WINDOW (window));
  tandem_test_flush ();
  tandem_test_remove_tree (dir);
}

typedef struct
{
  TandemStore *store;
  const char  *name;
  gboolean     active;
} MemberState;

static gboolean
member_has_state (gpointer data)
{
  MemberState *state = data;
  g_autoptr(TandemRecord) member = find_member_by_name (state->store, state->name);

  return member != NULL && tandem_record_get_bool (member, "active") == state->active;
}

static gboolean
subpage_is_shown (gpointer data)
{
  GtkWidget *row = tandem_test_find_widget (GTK_WIDGET (data), ADW_TYPE_ENTRY_ROW, "Name");

  return row != NULL && gtk_widget_get_mapped (row);
}

static gboolean
subpage_is_closed (gpointer data)
{
  return !subpage_is_shown (data);
}

static void
fill_member_form (GtkWidget  *preferences,
                  const char *name,
                  const char *email,
                  guint       team,
                  guint       role)
{
  GtkWidget *row;

  g_assert_true (tandem_test_wait_until (subpage_is_shown, preferences, TIMEOUT_MS));

  row = tandem_test_find_widget (preferences, ADW_TYPE_ENTRY_ROW, "Name");
  gtk_editable_set_text (GTK_EDITABLE (row), name);
  row = tandem_test_find_widget (preferences, ADW_TYPE_ENTRY_ROW, "Email");
  gtk_editable_set_text (GTK_EDITABLE (row), email);
  row = tandem_test_find_widget (preferences, ADW_TYPE_COMBO_ROW, "Team");
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), team);
  row = tandem_test_find_widget (preferences, ADW_TYPE_COMBO_ROW, "Role");
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), role);
}

static char *
get_setting (TandemStore *store,
             const char  *key)
{
  return tandem_store_get_setting (store, key, NULL);
}

/* Team members and workspace settings edited in the preferences end up in
 * the store. */
static void
test_preferences (void)
{
  g_autofree char *dir = tandem_test_make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "prefs.db", NULL);
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(TandemMember) founder = NULL;
  g_autoptr(TandemRecord) grace = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  MemberState state;
  TandemWindow *window;
  GtkWindow *preferences;
  GtkWidget *prefs;
  GtkWidget *row;
  GtkWidget *widget;
  GtkWidget *switcher;
  char *grace_id;

  store = tandem_store_open (path, &error);
  g_assert_no_error (error);
  founder = tandem_member_new ();
  tandem_record_set_text (TANDEM_RECORD (founder), "name", "Ada Lovelace");
  tandem_record_set_text (TANDEM_RECORD (founder), "team", "leadership");
  tandem_record_set_text (TANDEM_RECORD (founder), "role", "founder");
  tandem_record_set_bool (TANDEM_RECORD (founder), "active", TRUE);
  tandem_store_save (store, TANDEM_RECORD (founder), &error);
  g_assert_no_error (error);

  window = present_window ();
  g_assert_null (tandem_window_show_preferences (window));
  tandem_window_set_store (window, store);
  g_assert_cmpstr (tandem_window_get_database_path (window), ==, path);

  preferences = tandem_window_show_preferences (window);
  g_assert_true (TANDEM_IS_PREFERENCES_WINDOW (preferences));
  g_assert_true (tandem_window_show_preferences (window) == preferences);
  g_assert_true (tandem_test_wait_until (tandem_test_widget_is_mapped, preferences, TIMEOUT_MS));
  prefs = GTK_WIDGET (preferences);

  /* The team page lists the founder. */
  g_assert_nonnull (tandem_test_find_widget (prefs, ADW_TYPE_ACTION_ROW, "Ada Lovelace"));

  /* A member needs a name; the form stays open until it has one. */
  gtk_widget_activate_action (prefs, "member.add", NULL);
  fill_member_form (prefs, "", "", 0, 0);
  gtk_widget_activate_action (prefs, "member.save", NULL);
  tandem_test_flush ();
  g_assert_cmpint (tandem_store_count (store, "members"), ==, 1);
  g_assert_true (subpage_is_shown (prefs));

  /* Add: Sales (1), Account Executive (4). */
  fill_member_form (prefs, "Grace Hopper", "grace@example.com", 1, 4);
  gtk_widget_activate_action (prefs, "member.save", NULL);
  g_assert_true (tandem_test_wait_until (subpage_is_closed, prefs, TIMEOUT_MS));
  g_assert_cmpint (tandem_store_count (store, "members"), ==, 2);

  grace = find_member_by_name (store, "Grace Hopper");
  g_assert_nonnull (grace);
  grace_id = g_strdup (tandem_record_get_id (grace));
  g_assert_cmpstr (tandem_record_get_text (grace, "email"), ==, "grace@example.com");
  g_assert_cmpstr (tandem_record_get_text (grace, "team"), ==, "sales");
  g_assert_cmpstr (tandem_record_get_text (grace, "role"), ==, "ae");
  g_assert_true (tandem_record_get_bool (grace, "active"));
  g_clear_object (&grace);

  /* Edit: the form opens filled in; Customer Success (2), CSM (6). */
  gtk_widget_activate_action (prefs, "member.edit", "s", grace_id);
  g_assert_true (tandem_test_wait_until (subpage_is_shown, prefs, TIMEOUT_MS));
  row = tandem_test_find_widget (prefs, ADW_TYPE_ENTRY_ROW, "Email");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "grace@example.com");
  row = tandem_test_find_widget (prefs, ADW_TYPE_COMBO_ROW, "Team");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row)), ==, 1);
  fill_member_form (prefs, "Grace B. Hopper", "not an address", 2, 6);
  gtk_widget_activate_action (prefs, "member.save", NULL);
  tandem_test_flush ();
  g_assert_true (subpage_is_shown (prefs));
  row = tandem_test_find_widget (prefs, ADW_TYPE_ENTRY_ROW, "Email");
  gtk_editable_set_text (GTK_EDITABLE (row), "grace@example.org");
  gtk_widget_activate_action (prefs, "member.save", NULL);
  g_assert_true (tandem_test_wait_until (subpage_is_closed, prefs, TIMEOUT_MS));

  grace = find_member_by_name (store, "Grace B. Hopper");
  g_assert_nonnull (grace);
  g_assert_cmpstr (tandem_record_get_id (grace), ==, grace_id);
  g_assert_cmpstr (tandem_record_get_text (grace, "email"), ==, "grace@example.org");
  g_assert_cmpstr (tandem_record_get_text (grace, "team"), ==, "success");
  g_assert_cmpstr (tandem_record_get_text (grace, "role"), ==, "csm");
  g_clear_object (&grace);
  g_assert_cmpint (tandem_store_count (store, "members"), ==, 2);

  /* Deactivate with the switch in Grace's row, as a person would. */
  row = tandem_test_find_widget (prefs, ADW_TYPE_ACTION_ROW, "Grace B. Hopper");
  g_assert_nonnull (row);
  widget = tandem_test_find_widget (row, GTK_TYPE_SWITCH, NULL);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (widget)));
  gtk_switch_set_active (GTK_SWITCH (widget), FALSE);
  state = (MemberState) { store, "Grace B. Hopper", FALSE };
  g_assert_true (tandem_test_wait_until (member_has_state, &state, TIMEOUT_MS));

  /* The member switcher offers only active members. */
  switcher = tandem_test_find_widget (GTK_WIDGET (window), TANDEM_TYPE_MEMBER_SWITCHER, NULL);
  g_assert_false (tandem_member_switcher_select (TANDEM_MEMBER_SWITCHER (switcher), grace_id));

  /* The last active member cannot be deactivated. */
  gtk_widget_activate_action (prefs, "member.set-active", "(sb)",
                              tandem_record_get_id (TANDEM_RECORD (founder)), FALSE);
  tandem_test_flush ();
  state = (MemberState) { store, "Ada Lovelace", TRUE };
  g_assert_true (member_has_state (&state));

  /* Reactivate through the action. */
  gtk_widget_activate_action (prefs, "member.set-active", "(sb)", grace_id, TRUE);
  state = (MemberState) { store, "Grace B. Hopper", TRUE };
  g_assert_true (tandem_test_wait_until (member_has_state, &state, TIMEOUT_MS));
  g_assert_true (tandem_member_switcher_select (TANDEM_MEMBER_SWITCHER (switcher), grace_id));

  /* Currency. */
  row = tandem_test_find_widget (prefs, ADW_TYPE_COMBO_ROW, "Currency");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row)), ==, 0);
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), 1);
  value = get_setting (store, "currency");
  g_assert_cmpstr (value, ==, "USD");
  g_clear_pointer (&value, g_free);

  /* Business hours: written as HH:MM, and refused while the day would end
   * before it starts. */
  row = tandem_test_find_widget (prefs, ADW_TYPE_ACTION_ROW, "Opens At");
  widget = tandem_test_find_widget (row, GTK_TYPE_SPIN_BUTTON, NULL);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (widget), 8 * 60 + 30);
  value = get_setting (store, "business_hours_start");
  g_assert_cmpstr (value, ==, "08:30");
  g_clear_pointer (&value, g_free);
  value = get_setting (store, "business_hours_end");
  g_assert_cmpstr (value, ==, "17:00");
  g_clear_pointer (&value, g_free);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (widget), 18 * 60);
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  value = get_setting (store, "business_hours_start");
  g_assert_cmpstr (value, ==, "08:30");
  g_clear_pointer (&value, g_free);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (widget), 8 * 60);
  g_assert_false (gtk_widget_has_css_class (row, "error"));

  /* Business days: Saturday joins the week. */
  widget = tandem_test_find_widget (prefs, GTK_TYPE_TOGGLE_BUTTON, "Sat");
  g_assert_nonnull (widget);
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (widget)));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (widget), TRUE);
  value = get_setting (store, "business_days");
  g_assert_cmpstr (value, ==, "1,2,3,4,5,6");
  g_clear_pointer (&value, g_free);

  /* Time zone: a made-up zone is refused, a real one is kept. */
  row = tandem_test_find_widget (prefs, ADW_TYPE_ENTRY_ROW, "Time Zone");
  gtk_editable_set_text (GTK_EDITABLE (row), "Mars/Olympus_Mons");
  g_signal_emit_by_name (row, "apply");
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  value = get_setting (store, "time_zone");
  g_assert_cmpstr (value, !=, "Mars/Olympus_Mons");
  g_clear_pointer (&value, g_free);
  gtk_editable_set_text (GTK_EDITABLE (row), "Europe/Berlin");
  g_signal_emit_by_name (row, "apply");
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  value = get_setting (store, "time_zone");
  g_assert_cmpstr (value, ==, "Europe/Berlin");
  g_clear_pointer (&value, g_free);

  /* The database location is shown. */
  row = tandem_test_find_widget (prefs, ADW_TYPE_ACTION_ROW, "Database File");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, path);

  /* Reopened preferences read the settings back. */
  gtk_window_destroy (preferences);
  tandem_test_flush ();
  preferences = tandem_window_show_preferences (window);
  row = tandem_test_find_widget (GTK_WIDGET (preferences), ADW_TYPE_COMBO_ROW, "Currency");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (row)), ==, 1);
  widget = tandem_test_find_widget (GTK_WIDGET (preferences), GTK_TYPE_TOGGLE_BUTTON, "Sat");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (widget)));
  g_assert_cmpint (tandem_store_count (store, "members"), ==, 2);

  g_free (grace_id);
  gtk_window_destroy (GTK_WINDOW (window));
  tandem_test_flush ();
  tandem_test_remove_tree (dir);
}

/* Toasts reach the window's overlay from any widget inside it, and are
 * dropped without a window. */
static void
test_toasts (void)
{
  TandemWindow *window = present_window ();
  GtkWidget *overlay;
  GtkWidget *label;

  overlay = tandem_test_find_widget (GTK_WIDGET (window), ADW_TYPE_TOAST_OVERLAY, NULL);
  g_assert_nonnull (overlay);

  tandem_window_show_toast (overlay, adw_toast_new ("Persona deleted"));
  label = tandem_test_find_widget (overlay, GTK_TYPE_LABEL, "Persona deleted");
  g_assert_nonnull (label);

  label = gtk_label_new ("orphan");
  g_object_ref_sink (label);
  tandem_window_show_toast (label, adw_toast_new ("Nobody sees this"));
  g_object_unref (label);

  gtk_window_destroy (GTK_WINDOW (window));
  tandem_test_flush ();
}

int
main (int   argc,
      char *argv[])
{
  tandem_test_init (&argc, &argv);

  g_test_add_func ("/ui/shell/welcome-create-empty", test_welcome_create_empty);
  g_test_add_func ("/ui/shell/welcome-create-sample", test_welcome_create_sample);
  g_test_add_func ("/ui/shell/sample-workspace", test_sample_workspace);
  g_test_add_func ("/ui/shell/newer-workspace", test_newer_workspace);
  g_test_add_func ("/ui/shell/preferences", test_preferences);
  g_test_add_func ("/ui/shell/toasts", test_toasts);

  return g_test_run ();
}
