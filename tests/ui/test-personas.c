/* test-personas.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "tandem-icp-editor.h"
#include "tandem-persona-card.h"
#include "tandem-persona-editor.h"
#include "tandem-personas-view.h"
#include "ui-test-utils.h"

#define TIMEOUT_MS 10000

typedef struct
{
  char               *dir;
  TandemStore        *store;
  GtkWindow          *window;
  TandemPersonasView *view;
} Fixture;

static gboolean
widget_is_unmapped (gpointer data)
{
  return !gtk_widget_get_mapped (GTK_WIDGET (data));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  guint n_leads = GPOINTER_TO_UINT (data);

  fixture->dir = tandem_test_make_temp_dir ();
  path = g_build_filename (fixture->dir, "personas.db", NULL);
  fixture->store = tandem_store_open (path, &error);
  g_assert_no_error (error);

  if (n_leads > 0)
    {
      tandem_sample_generate (fixture->store, n_leads, 1, 0, NULL, NULL, &error);
      g_assert_no_error (error);
    }

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 1280, 900);
  fixture->view = TANDEM_PERSONAS_VIEW (tandem_personas_view_new ());
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->view));
  tandem_personas_view_set_store (fixture->view, fixture->store);

  gtk_window_present (fixture->window);
  g_assert_true (tandem_test_wait_until (tandem_test_widget_is_mapped, fixture->view, TIMEOUT_MS));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  tandem_test_flush ();
  g_clear_object (&fixture->store);
  tandem_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
}

static guint
n_personas_shown (Fixture *fixture)
{
  return g_list_model_get_n_items (tandem_personas_view_get_persona_model (fixture->view));
}

static guint
n_icps_shown (Fixture *fixture)
{
  return g_list_model_get_n_items (tandem_personas_view_get_icp_model (fixture->view));
}

static void
collect_cards (GtkWidget *widget,
               GPtrArray *cards)
{
  if (TANDEM_IS_PERSONA_CARD (widget))
    {
      if (gtk_widget_get_mapped (widget) &&
          tandem_persona_card_get_persona (TANDEM_PERSONA_CARD (widget)) != NULL)
        g_ptr_array_add (cards, widget);
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_cards (child, cards);
}

static GPtrArray *
visible_cards (Fixture *fixture)
{
  GPtrArray *cards = g_ptr_array_new ();

  collect_cards (GTK_WIDGET (fixture->view), cards);

  return cards;
}

static TandemRecord *
get_record (Fixture    *fixture,
            GType       type,
            const char *id)
{
  return tandem_store_get (fixture->store, type, id, NULL);
}

static char *
dup_list_joined (TandemRecord *record,
                 const char   *field)
{
  g_auto(GStrv) items = tandem_record_dup_list (record, field);

  return items != NULL ? g_strjoinv ("|", items) : g_strdup ("");
}

static void
set_combo (GtkWidget *widget,
           guint      position)
{
  g_assert_true (ADW_IS_COMBO_ROW (widget));
  adw_combo_row_set_selected (ADW_COMBO_ROW (widget), position);
}

static void
set_text_view (GtkWidget  *widget,
               const char *text)
{
  g_assert_true (GTK_IS_TEXT_VIEW (widget));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget)), text, -1);
}

/* A workspace without personas or ICPs explains what a persona is instead
 * of showing two empty lists, and offers to create both. */
static void
test_empty_state (Fixture       *fixture,
                  gconstpointer  data)
{
  GtkWidget *status;

  status = tandem_test_find_widget (GTK_WIDGET (fixture->view), ADW_TYPE_STATUS_PAGE,
                                    "No Personas Yet");
  g_assert_nonnull (status);
  g_assert_true (tandem_test_wait_until (tandem_test_widget_is_mapped, status, TIMEOUT_MS));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "personas.new", NULL));
  g_assert_nonnull (tandem_personas_view_get_selected_id (fixture->view));
  g_assert_true (tandem_test_wait_until (tandem_test_widget_is_mapped,
                                         tandem_personas_view_get_persona_editor (fixture->view),
                                         TIMEOUT_MS));
  /* After the crossfade. */
  g_assert_true (tandem_test_wait_until (widget_is_unmapped, status, TIMEOUT_MS));
}

typedef struct
{
  Fixture    *fixture;
  GType       type;
  const char *id;
  const char *field;
  const char *value;
} StoreWait;

static gboolean
store_has_text (gpointer data)
{
  StoreWait *wait = data;
  g_autoptr(TandemRecord) record = get_record (wait->fixture, wait->type, wait->id);

  return record != NULL &&
         g_strcmp0 (tandem_record_get_text (record, wait->field), wait->value) == 0;
}

typedef struct
{
  Fixture *fixture;
  guint    n_personas;
  guint    n_icps;
} CountWait;

static gboolean
lists_have_counts (gpointer data)
{
  CountWait *wait = data;

  return n_personas_shown (wait->fixture) == wait->n_personas &&
         n_icps_shown (wait->fixture) == wait->n_icps;
}

static void
wait_for_counts (Fixture *fixture,
                 guint    n_personas,
                 guint    n_icps)
{
  CountWait wait = { fixture, n_personas, n_icps };

  g_assert_true (tandem_test_wait_until (lists_have_counts, &wait, TIMEOUT_MS));
}

/* The whole life of a persona and an ICP, through the widgets and the
 * view's actions, checked against what the store holds. */
static void
test_create_edit_delete (Fixture       *fixture,
                         gconstpointer  data)
{
  TandemPersonaEditor *persona_editor = tandem_personas_view_get_persona_editor (fixture->view);
  TandemIcpEditor *icp_editor = tandem_personas_view_get_icp_editor (fixture->view);
  GtkWidget *view = GTK_WIDGET (fixture->view);
  g_autoptr(TandemRecord) persona = NULL;
  g_autoptr(TandemRecord) icp = NULL;
  g_autoptr(TandemRecord) restored = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autofree char *persona_id = NULL;
  g_autofree char *icp_id = NULL;
  g_autofree char *target = NULL;
  g_autofree char *pain_points = NULL;
  g_autofree char *industries = NULL;
  g_autofree char *copy_id = NULL;
  GtkWidget *name_row;
  GtkWidget *employees_min;
  StoreWait wait;

  /* Create: the new persona is stored at once and named by typing. */
  g_assert_true (gtk_widget_activate_action (view, "personas.new", NULL));
  persona_id = g_strdup (tandem_personas_view_get_selected_id (fixture->view));
  g_assert_nonnull (persona_id);
  wait_for_counts (fixture, 1, 0);

  name_row = tandem_persona_editor_get_field_widget (persona_editor, "name");
  g_assert_true (ADW_IS_ENTRY_ROW (name_row));
  gtk_editable_set_text (GTK_EDITABLE (name_row), "Olivia Operations");
  gtk_editable_set_text (GTK_EDITABLE (tandem_persona_editor_get_field_widget (persona_editor,
                                                                                "job_title")),
                         "Head of Operations");

  /* Without a flush, the typing pause saves on its own. */
  wait = (StoreWait) { fixture, TANDEM_TYPE_PERSONA, persona_id, "name", "Olivia Operations" };
  g_assert_true (tandem_test_wait_until (store_has_text, &wait, TIMEOUT_MS));
  persona = get_record (fixture, TANDEM_TYPE_PERSONA, persona_id);
  g_assert_cmpstr (tandem_record_get_text (persona, "job_title"), ==, "Head of Operations");
  g_clear_object (&persona);

  /* Edit: bio, a list field and the choices. */
  set_text_view (tandem_persona_editor_get_field_widget (persona_editor, "bio"),
                 "Runs a 40-person warehouse team.");
  set_text_view (tandem_persona_editor_get_field_widget (persona_editor, "pain_points"),
                 "Manual picking lists\n\n  Spreadsheets  \n");
  /* "Not set" is the first row of both. */
  set_combo (tandem_persona_editor_get_field_widget (persona_editor, "seniority"), 3);
  set_combo (tandem_persona_editor_get_field_widget (persona_editor, "committee_role"), 2);
  g_assert_true (tandem_persona_editor_save_now (persona_editor));

  persona = get_record (fixture, TANDEM_TYPE_PERSONA, persona_id);
  g_assert_cmpstr (tandem_record_get_text (persona, "bio"), ==, "Runs a 40-person warehouse team.");
  pain_points = dup_list_joined (persona, "pain_points");
  g_assert_cmpstr (pain_points, ==, "Manual picking lists|Spreadsheets");
  g_assert_cmpstr (tandem_record_get_text (persona, "seniority"), ==, "manager");
  g_assert_cmpstr (tandem_record_get_text (persona, "committee_role"), ==, "champion");
  g_clear_object (&persona);

  /* An empty name is refused and explained, and the stored one kept. */
  gtk_editable_set_text (GTK_EDITABLE (name_row), "   ");
  g_assert_false (tandem_persona_editor_save_now (persona_editor));
  g_assert_true (gtk_widget_has_css_class (name_row, "error"));
  persona = get_record (fixture, TANDEM_TYPE_PERSONA, persona_id);
  g_assert_cmpstr (tandem_record_get_text (persona, "name"), ==, "Olivia Operations");
  g_clear_object (&persona);
  gtk_editable_set_text (GTK_EDITABLE (name_row), "Olivia Operations");
  g_assert_false (gtk_widget_has_css_class (name_row, "error"));
  g_assert_true (tandem_persona_editor_save_now (persona_editor));

  /* Create and edit an ICP. */
  g_assert_true (gtk_widget_activate_action (view, "personas.new-icp", NULL));
  icp_id = g_strdup (tandem_personas_view_get_selected_id (fixture->view));
  g_assert_nonnull (icp_id);
  g_assert_cmpstr (icp_id, !=, persona_id);
  wait_for_counts (fixture, 1, 1);

  gtk_editable_set_text (GTK_EDITABLE (tandem_icp_editor_get_field_widget (icp_editor, "name")),
                         "Mid-size logistics");
  set_text_view (tandem_icp_editor_get_field_widget (icp_editor, "industries"),
                 "Logistics\nWarehousing\n");
  set_text_view (tandem_icp_editor_get_field_widget (icp_editor, "excluded_domains"),
                 "gmail.com");
  employees_min = tandem_icp_editor_get_field_widget (icp_editor, "employees_min");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (employees_min), 50);
  gtk_editable_set_text (GTK_EDITABLE (tandem_icp_editor_get_field_widget (icp_editor,
                                                                            "revenue_min")),
                         "2,500,000");
  g_assert_true (tandem_icp_editor_save_now (icp_editor));

  icp = get_record (fixture, TANDEM_TYPE_ICP, icp_id);
  g_assert_cmpstr (tandem_record_get_text (icp, "name"), ==, "Mid-size logistics");
  industries = dup_list_joined (icp, "industries");
  g_assert_cmpstr (industries, ==, "Logistics|Warehousing");
  g_assert_cmpint (tandem_record_get_int (icp, "employees_min"), ==, 50);
  g_assert_cmpint (tandem_record_get_int (icp, "revenue_min"), ==, 250000000);
  g_assert_cmpint (tandem_record_get_int (icp, "rank"), ==, 1);
  g_clear_object (&icp);

  /* A revenue that is not an amount is refused, not stored as 0. */
  gtk_editable_set_text (GTK_EDITABLE (tandem_icp_editor_get_field_widget (icp_editor,
                                                                            "revenue_min")),
                         "lots");
  g_assert_false (tandem_icp_editor_save_now (icp_editor));
  g_assert_true (gtk_widget_has_css_class (tandem_icp_editor_get_field_widget (icp_editor,
                                                                               "revenue_min"),
                                           "error"));
  icp = get_record (fixture, TANDEM_TYPE_ICP, icp_id);
  g_assert_cmpint (tandem_record_get_int (icp, "revenue_min"), ==, 250000000);
  g_clear_object (&icp);

  /* The persona can now be linked to the ICP ("None" is the first row). */
  g_assert_true (tandem_personas_view_select (fixture->view, persona_id));
  g_assert_cmpstr (tandem_personas_view_get_selected_id (fixture->view), ==, persona_id);
  set_combo (tandem_persona_editor_get_field_widget (persona_editor, "icp_id"), 1);
  g_assert_true (tandem_persona_editor_save_now (persona_editor));
  persona = get_record (fixture, TANDEM_TYPE_PERSONA, persona_id);
  g_assert_cmpstr (tandem_record_get_text (persona, "icp_id"), ==, icp_id);
  g_clear_object (&persona);

  /* Delete, then undo from the toast's action. */
  g_assert_true (gtk_widget_activate_action (view, "personas.delete", NULL));
  persona = get_record (fixture, TANDEM_TYPE_PERSONA, persona_id);
  g_assert_null (persona);
  g_assert_null (tandem_personas_view_get_selected_id (fixture->view));
  wait_for_counts (fixture, 0, 1);

  target = g_strdup_printf ("personas:%s", persona_id);
  g_assert_true (gtk_widget_activate_action (view, "personas.undo-delete", "s", target));
  wait_for_counts (fixture, 1, 1);
  restored = get_record (fixture, TANDEM_TYPE_PERSONA, persona_id);
  g_assert_nonnull (restored);
  g_assert_cmpstr (tandem_record_get_text (restored, "name"), ==, "Olivia Operations");
  g_assert_cmpstr (tandem_record_get_text (restored, "bio"), ==,
                   "Runs a 40-person warehouse team.");
  g_assert_cmpstr (tandem_record_get_text (restored, "icp_id"), ==, icp_id);
  g_assert_cmpstr (tandem_personas_view_get_selected_id (fixture->view), ==, persona_id);

  /* Duplicate: a second, saved persona with the same content. */
  g_assert_true (gtk_widget_activate_action (view, "personas.duplicate", NULL));
  wait_for_counts (fixture, 2, 1);
  copy_id = g_strdup (tandem_personas_view_get_selected_id (fixture->view));
  g_assert_nonnull (copy_id);
  g_assert_cmpstr (copy_id, !=, persona_id);

  all = tandem_store_list (fixture->store, TANDEM_TYPE_PERSONA, NULL);
  g_assert_cmpuint (all->len, ==, 2);
  persona = get_record (fixture, TANDEM_TYPE_PERSONA, copy_id);
  g_assert_cmpstr (tandem_record_get_text (persona, "name"), ==, "Olivia Operations (copy)");
  g_assert_cmpstr (tandem_record_get_text (persona, "bio"), ==, "Runs a 40-person warehouse team.");
  g_clear_object (&persona);

  /* Deleting the ICP clears the editor too, and undo brings it back. */
  g_assert_true (tandem_personas_view_select (fixture->view, icp_id));
  g_assert_true (gtk_widget_activate_action (view, "personas.delete", NULL));
  g_assert_null (get_record (fixture, TANDEM_TYPE_ICP, icp_id));
  wait_for_counts (fixture, 2, 0);
  g_free (target);
  target = g_strdup_printf ("icps:%s", icp_id);
  g_assert_true (gtk_widget_activate_action (view, "personas.undo-delete", "s", target));
  wait_for_counts (fixture, 2, 1);
  icp = get_record (fixture, TANDEM_TYPE_ICP, icp_id);
  g_assert_nonnull (icp);
}

typedef struct
{
  Fixture *fixture;
  guint    n_cards;
} CardWait;

static gboolean
cards_have_counts (gpointer data)
{
  CardWait *wait = data;
  g_autoptr(GPtrArray) cards = visible_cards (wait->fixture);

  if (cards->len != wait->n_cards)
    return FALSE;

  for (guint i = 0; i < cards->len; i++)
    {
      if (g_strcmp0 (tandem_persona_card_get_match_text (cards->pdata[i]), "…") == 0)
        return FALSE;
    }

  return TRUE;
}

static gboolean
persona_list_narrowed (gpointer data)
{
  Fixture *fixture = data;
  guint n = n_personas_shown (fixture);

  return n >= 1 && n < 6;
}

static gboolean
lists_are_empty (gpointer data)
{
  Fixture *fixture = data;

  return n_personas_shown (fixture) == 0 && n_icps_shown (fixture) == 0;
}

/* The sample workspace: its personas and ICPs appear with their names and
 * the number of leads that match each, and the search narrows the lists. */
static void
test_sample_workspace (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) personas = NULL;
  g_autoptr(GPtrArray) icps = NULL;
  g_autoptr(GPtrArray) cards = NULL;
  g_auto(GStrv) words = NULL;
  CardWait card_wait = { fixture, 6 };
  GtkEditable *search;
  GtkWidget *no_results;
  TandemPersonaEditor *editor;
  GtkWidget *name_row;
  gboolean some_match = FALSE;

  personas = tandem_store_list (fixture->store, TANDEM_TYPE_PERSONA, NULL);
  icps = tandem_store_list (fixture->store, TANDEM_TYPE_ICP, NULL);
  g_assert_cmpuint (personas->len, ==, 6);
  g_assert_cmpuint (icps->len, ==, 3);
  wait_for_counts (fixture, 6, 3);

  /* Every card is on screen, each with a real count once it arrives. */
  g_assert_true (tandem_test_wait_until (cards_have_counts, &card_wait, TIMEOUT_MS));
  cards = visible_cards (fixture);
  for (guint i = 0; i < cards->len; i++)
    {
      TandemPersona *persona = tandem_persona_card_get_persona (cards->pdata[i]);

      g_assert_nonnull (tandem_persona_get_name (persona));
      g_assert_cmpstr (tandem_persona_get_name (persona), !=, "");
      some_match |= tandem_persona_card_get_match_count (cards->pdata[i]) > 0;
    }
  g_assert_true (some_match);

  for (guint i = 0; i < icps->len; i++)
    {
      const char *name = tandem_record_get_text (icps->pdata[i], "name");
      GtkWidget *row;

      g_assert_nonnull (name);
      row = tandem_test_find_widget (GTK_WIDGET (fixture->view), ADW_TYPE_ACTION_ROW, name);
      g_assert_nonnull (row);
      g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), !=, "…");
    }

  /* Selecting a persona shows its editor with its count. */
  g_assert_true (tandem_personas_view_select (fixture->view,
                                              tandem_record_get_id (personas->pdata[0])));
  editor = tandem_personas_view_get_persona_editor (fixture->view);
  g_assert_true (tandem_test_wait_until (tandem_test_widget_is_mapped, editor, TIMEOUT_MS));
  g_assert_cmpint (tandem_persona_editor_get_match_count (editor), >=, 0);
  name_row = tandem_persona_editor_get_field_widget (editor, "name");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (name_row)), ==,
                   tandem_record_get_text (personas->pdata[0], "name"));

  /* The search narrows the lists, and says so when nothing matches. */
  search = tandem_personas_view_get_search_entry (fixture->view);
  words = g_strsplit (tandem_record_get_text (personas->pdata[0], "name"), " ", 2);
  gtk_editable_set_text (search, words[0]);
  g_assert_true (tandem_test_wait_until (persona_list_narrowed, fixture, TIMEOUT_MS));

  gtk_editable_set_text (search, "zzqxj");
  g_assert_true (tandem_test_wait_until (lists_are_empty, fixture, TIMEOUT_MS));
  no_results = tandem_test_find_widget (GTK_WIDGET (fixture->view), ADW_TYPE_STATUS_PAGE,
                                        "No Results");
  g_assert_nonnull (no_results);
  g_assert_true (tandem_test_wait_until (tandem_test_widget_is_mapped, no_results, TIMEOUT_MS));

  gtk_editable_set_text (search, "");
  wait_for_counts (fixture, 6, 3);
}

int
main (int   argc,
      char *argv[])
{
  tandem_test_init (&argc, &argv);

  g_test_add ("/ui/personas/empty", Fixture, GUINT_TO_POINTER (0),
              fixture_set_up, test_empty_state, fixture_tear_down);
  g_test_add ("/ui/personas/create-edit-delete", Fixture, GUINT_TO_POINTER (0),
              fixture_set_up, test_create_edit_delete, fixture_tear_down);
  g_test_add ("/ui/personas/sample", Fixture, GUINT_TO_POINTER (200),
              fixture_set_up, test_sample_workspace, fixture_tear_down);

  return g_test_run ();
}
