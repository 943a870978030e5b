/* test-lead-table.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "tandem-lead-cell.h"
#include "tandem-lead-detail.h"
#include "tandem-lead-table.h"
#include "ui-test-utils.h"

#define TIMEOUT_MS 10000

typedef struct
{
  char             *dir;
  TandemStore      *store;
  GtkWindow        *window;
  TandemLeadTable  *table;
  TandemLeadDetail *detail;
} Fixture;

typedef struct
{
  TandemLeadTable *table;
  guint            expected;
} CountCheck;

static guint
n_shown (TandemLeadTable *table)
{
  GListModel *model = tandem_lead_table_get_model (table);

  return model != NULL ? g_list_model_get_n_items (model) : 0;
}

static gboolean
count_is (gpointer data)
{
  CountCheck *check = data;

  return n_shown (check->table) == check->expected;
}

static void
wait_for_count (TandemLeadTable *table,
                guint            expected)
{
  CountCheck check = { table, expected };

  tandem_test_wait_until (count_is, &check, TIMEOUT_MS);
  g_assert_cmpuint (n_shown (table), ==, expected);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  GtkWidget *paned;

  fixture->dir = tandem_test_make_temp_dir ();
  path = g_build_filename (fixture->dir, "leads.db", NULL);
  fixture->store = tandem_store_open (path, &error);
  g_assert_no_error (error);
  tandem_sample_generate (fixture->store, 300, 1, 0, NULL, NULL, &error);
  g_assert_no_error (error);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 1400, 900);
  paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  fixture->table = TANDEM_LEAD_TABLE (tandem_lead_table_new ());
  fixture->detail = TANDEM_LEAD_DETAIL (tandem_lead_detail_new ());
  gtk_paned_set_start_child (GTK_PANED (paned), GTK_WIDGET (fixture->table));
  gtk_paned_set_end_child (GTK_PANED (paned), GTK_WIDGET (fixture->detail));
  gtk_paned_set_position (GTK_PANED (paned), 900);
  gtk_window_set_child (fixture->window, paned);
  tandem_lead_table_set_store (fixture->table, fixture->store);

  gtk_window_present (fixture->window);
  g_assert_true (tandem_test_wait_until (tandem_test_widget_is_mapped, fixture->table, TIMEOUT_MS));
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

static GtkDropDown *
find_dropdown (TandemLeadTable *table,
               const char      *tooltip)
{
  for (GtkWidget *widget = tandem_test_find_widget (GTK_WIDGET (table), GTK_TYPE_FLOW_BOX, NULL);
       widget != NULL;
       widget = NULL)
    {
      GtkWidget *child;

      for (child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        {
          GtkWidget *inner = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));

          if (GTK_IS_DROP_DOWN (inner) &&
              g_strcmp0 (gtk_widget_get_tooltip_text (inner), tooltip) == 0)
            return GTK_DROP_DOWN (inner);
        }
    }

  return NULL;
}

static TandemLead *
lead_at (TandemLeadTable *table,
         guint            position)
{
  return g_list_model_get_item (tandem_lead_table_get_model (table), position);
}

static void
test_count_and_search (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(TandemLead) first = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *entry;
  const char *last_name;

  wait_for_count (fixture->table, (guint) tandem_store_count (fixture->store, "leads"));
  g_assert_cmpuint (n_shown (fixture->table), ==, 300);

  first = lead_at (fixture->table, 0);
  last_name = tandem_record_get_text (TANDEM_RECORD (first), "last_name");
  g_assert_nonnull (last_name);
  found = tandem_store_search (fixture->store, TANDEM_TYPE_LEAD, last_name, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, <, 300);

  entry = tandem_test_find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_SEARCH_ENTRY, NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), last_name);
  wait_for_count (fixture->table, found->len);

  gtk_widget_activate_action (GTK_WIDGET (fixture->table), "table.clear-filters", NULL);
  wait_for_count (fixture->table, 300);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
}

static void
test_stage_filter (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) leads = tandem_store_list (fixture->store, TANDEM_TYPE_LEAD, NULL);
  g_autoptr(TandemRecord) mql = tandem_pipeline_get_stage (fixture->store, TANDEM_STAGE_MQL, NULL);
  GtkDropDown *stages = find_dropdown (fixture->table, "Stage");
  GListModel *names;
  guint expected = 0;
  guint position = G_MAXUINT;

  g_assert_nonnull (stages);
  g_assert_nonnull (mql);
  for (guint i = 0; i < leads->len; i++)
    expected += g_strcmp0 (tandem_record_get_text (g_ptr_array_index (leads, i), "stage"),
                           TANDEM_STAGE_MQL) == 0;

  names = gtk_drop_down_get_model (stages);
  for (guint i = 0; i < g_list_model_get_n_items (names); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (names), i),
                   tandem_record_get_text (mql, "name")) == 0)
      position = i;
  g_assert_cmpuint (position, !=, G_MAXUINT);

  gtk_drop_down_set_selected (stages, position);
  wait_for_count (fixture->table, expected);
  for (guint i = 0; i < expected; i++)
    {
      g_autoptr(TandemLead) lead = lead_at (fixture->table, i);

      g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (lead), "stage"), ==, TANDEM_STAGE_MQL);
    }
}

static void
test_sort_by_score (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) leads = tandem_store_list (fixture->store, TANDEM_TYPE_LEAD, NULL);
  g_autoptr(TandemLead) first = NULL;
  g_autoptr(TandemLead) last = NULL;
  GtkColumnView *view;
  GListModel *columns;
  GtkColumnViewColumn *score_column = NULL;
  gint64 best = G_MININT64;

  for (guint i = 0; i < leads->len; i++)
    best = MAX (best, tandem_record_get_int (g_ptr_array_index (leads, i), "score"));

  view = GTK_COLUMN_VIEW (tandem_test_find_widget (GTK_WIDGET (fixture->table),
                                                   GTK_TYPE_COLUMN_VIEW, NULL));
  columns = gtk_column_view_get_columns (view);
  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), "Score") == 0)
        score_column = column;
    }
  g_assert_nonnull (score_column);

  gtk_column_view_sort_by_column (view, score_column, GTK_SORT_DESCENDING);
  tandem_test_flush ();
  first = lead_at (fixture->table, 0);
  g_assert_cmpint (tandem_record_get_int (TANDEM_RECORD (first), "score"), ==, best);
  g_clear_object (&first);

  gtk_column_view_sort_by_column (view, score_column, GTK_SORT_ASCENDING);
  tandem_test_flush ();
  first = lead_at (fixture->table, 0);
  last = lead_at (fixture->table, 299);
  g_assert_cmpint (tandem_record_get_int (TANDEM_RECORD (first), "score"), <=, best);
  g_assert_cmpint (tandem_record_get_int (TANDEM_RECORD (first), "score"), <=,
                   tandem_record_get_int (TANDEM_RECORD (last), "score"));
}

static const char *
pick_member (TandemStore *store)
{
  static char id[64];
  g_autoptr(GPtrArray) members = tandem_store_list (store, TANDEM_TYPE_MEMBER, NULL);

  for (guint i = 0; i < members->len; i++)
    if (tandem_record_get_bool (g_ptr_array_index (members, i), "active"))
      {
        g_strlcpy (id, tandem_record_get_id (g_ptr_array_index (members, i)), sizeof id);
        return id;
      }

  g_assert_not_reached ();
}

/* The text of the cells of the row showing @name, in column order, or
 * NULL when no bound row shows it. */
static GPtrArray *
row_texts (GtkWidget  *widget,
           const char *name)
{
  if (TANDEM_IS_LEAD_CELL (widget) &&
      g_strcmp0 (tandem_lead_cell_get_text (TANDEM_LEAD_CELL (widget)), name) == 0)
    {
      /* Lead cell, column view cell, row: the row's cells are in column
       * order. */
      GtkWidget *row = gtk_widget_get_parent (gtk_widget_get_parent (widget));
      GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

      for (GtkWidget *cell = gtk_widget_get_first_child (row);
           cell != NULL;
           cell = gtk_widget_get_next_sibling (cell))
        {
          GtkWidget *child = gtk_widget_get_first_child (cell);

          g_ptr_array_add (texts, g_strdup (TANDEM_IS_LEAD_CELL (child)
                                            ? tandem_lead_cell_get_text (TANDEM_LEAD_CELL (child))
                                            : NULL));
        }
      return texts;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GPtrArray *texts = row_texts (child, name);

      if (texts != NULL)
        return texts;
    }

  return NULL;
}

typedef struct
{
  GtkWidget  *view;
  const char *name;
  guint       column;
  const char *text;
} CellWait;

static gboolean
cell_shows (gpointer data)
{
  CellWait *wait = data;
  g_autoptr(GPtrArray) texts = row_texts (wait->view, wait->name);

  return texts != NULL && g_strcmp0 (g_ptr_array_index (texts, wait->column), wait->text) == 0;
}

static gboolean
row_not_shown (gpointer data)
{
  CellWait *wait = data;
  g_autoptr(GPtrArray) texts = row_texts (wait->view, wait->name);

  return texts == NULL;
}

/* A row shows its lead's values in every column: the name, the company's
 * and the owner's names, the grade, score and source; a row bound after
 * its company was renamed shows the new name (the table keeps the names
 * it read). */
static void
test_cells_show_lead (Fixture       *fixture,
                      gconstpointer  data)
{
  GListModel *model;
  g_autoptr(TandemLead) lead = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  g_autoptr(TandemCompany) company = NULL;
  g_autoptr(TandemMember) owner = NULL;
  g_autofree char *name = NULL;
  g_autofree char *score = NULL;
  g_autoptr(GError) error = NULL;
  CellWait wait = { 0, };
  CellWait gone = { 0, };
  GtkAdjustment *adjustment;
  GtkWidget *view;

  wait_for_count (fixture->table, 300);
  model = tandem_lead_table_get_model (fixture->table);

  /* A lead near the top whose name no other lead has, with a company and
   * an owner, so that its row is bound and found by its name alone. */
  for (guint i = 0; i < 30 && lead == NULL; i++)
    {
      g_autoptr(TandemLead) candidate = g_list_model_get_item (model, i);
      g_autofree char *candidate_name = tandem_lead_dup_display_name (candidate);
      guint same = 0;

      if (tandem_record_get_text (TANDEM_RECORD (candidate), "company_id") == NULL ||
          tandem_record_get_text (TANDEM_RECORD (candidate), "owner_id") == NULL)
        continue;

      for (guint j = 0; j < g_list_model_get_n_items (model); j++)
        {
          g_autoptr(TandemLead) other = g_list_model_get_item (model, j);
          g_autofree char *other_name = tandem_lead_dup_display_name (other);

          same += g_strcmp0 (other_name, candidate_name) == 0;
        }
      if (same == 1)
        lead = g_steal_pointer (&candidate);
    }
  g_assert_nonnull (lead);

  name = tandem_lead_dup_display_name (lead);
  company = tandem_store_get (fixture->store, TANDEM_TYPE_COMPANY,
                              tandem_record_get_text (TANDEM_RECORD (lead), "company_id"), NULL);
  owner = tandem_store_get (fixture->store, TANDEM_TYPE_MEMBER,
                            tandem_record_get_text (TANDEM_RECORD (lead), "owner_id"), NULL);
  g_assert_nonnull (company);
  g_assert_nonnull (owner);
  score = g_strdup_printf ("%" G_GINT64_FORMAT, tandem_record_get_int (TANDEM_RECORD (lead), "score"));

  view = tandem_test_find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_COLUMN_VIEW, NULL);
  tandem_test_flush ();
  texts = row_texts (view, name);
  g_assert_nonnull (texts);
  g_assert_cmpuint (texts->len, ==, 9);
  g_assert_cmpstr (g_ptr_array_index (texts, 0), ==, name);
  g_assert_cmpstr (g_ptr_array_index (texts, 1), ==, tandem_company_get_name (company));
  g_assert_cmpstr (g_ptr_array_index (texts, 3), ==,
                   tandem_record_get_text (TANDEM_RECORD (lead), "grade"));
  g_assert_cmpstr (g_ptr_array_index (texts, 4), ==, score);
  g_assert_cmpstr (g_ptr_array_index (texts, 5), ==, tandem_member_get_name (owner));
  g_assert_cmpstr (g_ptr_array_index (texts, 6), ==,
                   tandem_record_get_text (TANDEM_RECORD (lead), "source"));

  /* A rename shows in the row on screen without scrolling... */
  tandem_record_set_text (TANDEM_RECORD (company), "name", "Quillfeather Renamed GmbH");
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (company), &error));
  g_assert_no_error (error);
  wait.view = view;
  wait.name = name;
  wait.column = 1;
  wait.text = "Quillfeather Renamed GmbH";
  g_assert_true (tandem_test_wait_until (cell_shows, &wait, TIMEOUT_MS));

  tandem_record_set_text (TANDEM_RECORD (owner), "name", "Ottilie Renamed");
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (owner), &error));
  g_assert_no_error (error);
  wait.column = 5;
  wait.text = "Ottilie Renamed";
  g_assert_true (tandem_test_wait_until (cell_shows, &wait, TIMEOUT_MS));

  /* ...and scrolled away, the row is let go; scrolled back, bound anew. */
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  gone.view = view;
  gone.name = name;
  g_assert_true (tandem_test_wait_until (row_not_shown, &gone, TIMEOUT_MS));
  gtk_adjustment_set_value (adjustment, 0);
  wait.column = 1;
  wait.text = "Quillfeather Renamed GmbH";
  g_assert_true (tandem_test_wait_until (cell_shows, &wait, TIMEOUT_MS));
}

/* Checks every bound row of @view: its nine cells show one lead, in
 * column order its name and its score among them. Returns how many rows
 * show a lead, and sets @found when one of them shows @wanted. */
static guint
check_rows (GtkWidget  *widget,
            TandemLead *wanted,
            gboolean   *found)
{
  guint rows = 0;

  if (TANDEM_IS_LEAD_CELL (widget))
    {
      GtkWidget *row = gtk_widget_get_parent (gtk_widget_get_parent (widget));
      TandemLead *lead = tandem_lead_cell_get_lead (TANDEM_LEAD_CELL (widget));
      g_autofree char *name = NULL;
      g_autofree char *score = NULL;
      guint column = 0;

      /* Only the first cell of a row looks at the row. */
      if (gtk_widget_get_parent (widget) != gtk_widget_get_first_child (row) || lead == NULL)
        return 0;

      name = tandem_lead_dup_display_name (lead);
      score = g_strdup_printf ("%" G_GINT64_FORMAT,
                               tandem_record_get_int (TANDEM_RECORD (lead), "score"));
      for (GtkWidget *cell = gtk_widget_get_first_child (row);
           cell != NULL;
           cell = gtk_widget_get_next_sibling (cell), column++)
        {
          TandemLeadCell *child = TANDEM_LEAD_CELL (gtk_widget_get_first_child (cell));

          g_assert_true (tandem_lead_cell_get_lead (child) == lead);
          if (column == 0)
            g_assert_cmpstr (tandem_lead_cell_get_text (child), ==, name);
          else if (column == 3)
            {
              /* The grade in its own colours, those of the style sheet's
               * lead_grade_a_fg and _bg for an A. */
              const char *grade = tandem_record_get_text (TANDEM_RECORD (lead), "grade");
              g_autofree char *tint = NULL;

              if (grade != NULL)
                tint = g_strdup_printf ("lead_grade_%c", g_ascii_tolower (grade[0]));
              g_assert_cmpstr (tandem_lead_cell_get_text (child), ==, grade);
              g_assert_cmpstr (tandem_lead_cell_get_tint (child), ==, tint);
            }
          else if (column == 4)
            g_assert_cmpstr (tandem_lead_cell_get_text (child), ==, score);
        }
      g_assert_cmpuint (column, ==, 9);

      *found |= lead == wanted;
      return 1;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    rows += check_rows (child, wanted, found);

  return rows;
}

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       user_data)
{
  guint *frames = user_data;

  (*frames)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
frames_done (gpointer data)
{
  return *(guint *) data >= 3;
}

/* The cells make their text when they are drawn: after jumps through the
 * table, as dragging the scrollbar does, and a scroll on from each onto
 * rows the jump bound off screen, every row shows its own lead in each of
 * its cells, and back at the top the first lead is shown again. */
static void
test_cells_follow_jumps (Fixture       *fixture,
                         gconstpointer  data)
{
  const double places[] = { 0.5, 1.0, 0.1, 0.75, 0.3 };
  g_autoptr(TandemLead) first = NULL;
  GtkAdjustment *adjustment;
  GtkWidget *view;
  gboolean found = FALSE;
  guint frames = 0;
  guint tick_id;

  wait_for_count (fixture->table, 300);
  view = tandem_test_find_widget (GTK_WIDGET (fixture->table), GTK_TYPE_COLUMN_VIEW, NULL);
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  tick_id = gtk_widget_add_tick_callback (view, count_frame, &frames, NULL);
  first = lead_at (fixture->table, 0);

  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    {
      double upper = gtk_adjustment_get_upper (adjustment);
      double page = gtk_adjustment_get_page_size (adjustment);
      double value = places[i] * MAX (upper - page, 0);

      gtk_adjustment_set_value (adjustment, value);
      frames = 0;
      g_assert_true (tandem_test_wait_until (frames_done, &frames, TIMEOUT_MS));
      g_assert_cmpuint (check_rows (view, NULL, &found), >=, 20);

      gtk_adjustment_set_value (adjustment, value + page / 2);
      frames = 0;
      g_assert_true (tandem_test_wait_until (frames_done, &frames, TIMEOUT_MS));
      g_assert_cmpuint (check_rows (view, NULL, &found), >=, 20);
    }

  gtk_adjustment_set_value (adjustment, 0);
  frames = 0;
  g_assert_true (tandem_test_wait_until (frames_done, &frames, TIMEOUT_MS));
  check_rows (view, first, &found);
  g_assert_true (found);

  gtk_widget_remove_tick_callback (view, tick_id);
}

static void
test_assign_and_delete (Fixture       *fixture,
                        gconstpointer  data)
{
  GtkSelectionModel *selection;
  GtkColumnView *view;
  const char *member = pick_member (fixture->store);
  g_autofree char *id0 = NULL;
  g_autofree char *id1 = NULL;
  AdwToast *toast;

  view = GTK_COLUMN_VIEW (tandem_test_find_widget (GTK_WIDGET (fixture->table),
                                                   GTK_TYPE_COLUMN_VIEW, NULL));
  selection = gtk_column_view_get_model (view);
  wait_for_count (fixture->table, 300);

  {
    g_autoptr(TandemLead) a = lead_at (fixture->table, 0);
    g_autoptr(TandemLead) b = lead_at (fixture->table, 1);

    id0 = g_strdup (tandem_record_get_id (TANDEM_RECORD (a)));
    id1 = g_strdup (tandem_record_get_id (TANDEM_RECORD (b)));
  }

  gtk_selection_model_select_range (selection, 0, 2, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (fixture->table), "table.assign", "s", member);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(TandemRecord) lead = tandem_store_get (fixture->store, TANDEM_TYPE_LEAD,
                                                       i == 0 ? id0 : id1, NULL);

      g_assert_cmpstr (tandem_record_get_text (lead, "owner_id"), ==, member);
    }

  gtk_selection_model_unselect_all (selection);
  gtk_selection_model_select_range (selection, 0, 2, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (fixture->table), "table.delete", NULL);
  wait_for_count (fixture->table, 298);
  g_assert_null (tandem_store_get (fixture->store, TANDEM_TYPE_LEAD, id0, NULL));
  g_assert_cmpint (tandem_store_count (fixture->store, "leads"), ==, 298);

  toast = g_object_get_data (G_OBJECT (fixture->table), "tandem-last-toast");
  g_assert_nonnull (toast);
  g_signal_emit_by_name (toast, "button-clicked");
  wait_for_count (fixture->table, 300);
  {
    g_autoptr(TandemRecord) back = tandem_store_get (fixture->store, TANDEM_TYPE_LEAD, id0, NULL);

    g_assert_nonnull (back);
  }
}

static TandemLead *
find_lead_with_history (TandemStore *store)
{
  g_autoptr(GPtrArray) leads = tandem_store_list (store, TANDEM_TYPE_LEAD, NULL);

  for (guint i = 0; i < leads->len; i++)
    {
      TandemRecord *lead = g_ptr_array_index (leads, i);

      /* A lead past MQL has been moved at least once and has activity. */
      if (tandem_record_get_int (lead, "handoff_at") > 0 &&
          tandem_record_get_int (lead, "score") > 0)
        return g_object_ref (TANDEM_LEAD (lead));
    }

  return NULL;
}

static void
test_detail (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(TandemLead) lead = find_lead_with_history (fixture->store);
  g_autoptr(TandemScoringRules) rules = NULL;
  g_autoptr(TandemScore) score = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *row_title = NULL;
  GtkWidget *root = GTK_WIDGET (fixture->detail);
  TandemScoreHit *hit;
  GtkWidget *entry;
  gint64 n_activities;

  g_assert_nonnull (lead);
  tandem_lead_detail_set_lead (fixture->detail, fixture->store, lead);
  name = tandem_lead_dup_display_name (lead);
  g_assert_nonnull (tandem_test_find_widget (root, GTK_TYPE_LABEL, name));

  rules = tandem_scoring_rules_load (fixture->store, &error);
  g_assert_no_error (error);
  score = tandem_scoring_evaluate (rules, fixture->store, lead, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (score->hits->len, >, 0);
  hit = g_ptr_array_index (score->hits, 0);
  g_assert_nonnull (tandem_test_find_widget (root, ADW_TYPE_ACTION_ROW, hit->text));

  {
    g_autoptr(GPtrArray) history = tandem_pipeline_list_history (fixture->store, lead, &error);
    TandemRecord *move;
    g_autofree char *from = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (history->len, >, 0);
    move = g_ptr_array_index (history, history->len - 1);
    g_assert_nonnull (tandem_record_get_text (move, "to_stage"));
    (void) from;
  }

  n_activities = tandem_store_count (fixture->store, "activities");
  gtk_widget_activate_action (root, "detail.add-activity", "s", "note");
  entry = tandem_test_find_widget (root, GTK_TYPE_ENTRY, NULL);
  g_assert_nonnull (entry);
  subject = g_strdup ("Asked for the pricing sheet");
  gtk_editable_set_text (GTK_EDITABLE (entry), subject);
  gtk_widget_activate_action (root, "detail.save-activity", NULL);

  g_assert_cmpint (tandem_store_count (fixture->store, "activities"), ==, n_activities + 1);
  row_title = g_strdup_printf ("Note: %s", subject);
  g_assert_nonnull (tandem_test_find_widget (root, ADW_TYPE_ACTION_ROW, row_title));
}

/* A lead quiet for longer than its stage allows says so in the detail,
 * as its card does on the board. */
static void
test_detail_stalled (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) leads = tandem_store_list (fixture->store, TANDEM_TYPE_LEAD, NULL);
  gint64 now = g_get_real_time () / 1000;
  TandemLead *stalled = NULL;
  TandemLead *moving = NULL;
  GtkWidget *root = GTK_WIDGET (fixture->detail);
  const char *note = "Stalled: no activity for too long";

  for (guint i = 0; i < leads->len && (stalled == NULL || moving == NULL); i++)
    {
      TandemLead *lead = g_ptr_array_index (leads, i);

      if (tandem_pipeline_is_stalled (fixture->store, lead, now))
        stalled = stalled != NULL ? stalled : lead;
      else
        moving = moving != NULL ? moving : lead;
    }
  g_assert_nonnull (stalled);
  g_assert_nonnull (moving);

  tandem_lead_detail_set_lead (fixture->detail, fixture->store, stalled);
  g_assert_nonnull (tandem_test_find_widget (root, GTK_TYPE_LABEL, note));

  tandem_lead_detail_set_lead (fixture->detail, fixture->store, moving);
  g_assert_null (tandem_test_find_widget (root, GTK_TYPE_LABEL, note));
}

int
main (int   argc,
      char *argv[])
{
  tandem_test_init (&argc, &argv);

  g_test_add ("/ui/lead-table/count-and-search", Fixture, NULL,
              fixture_set_up, test_count_and_search, fixture_tear_down);
  g_test_add ("/ui/lead-table/stage-filter", Fixture, NULL,
              fixture_set_up, test_stage_filter, fixture_tear_down);
  g_test_add ("/ui/lead-table/cells-show-lead", Fixture, NULL,
              fixture_set_up, test_cells_show_lead, fixture_tear_down);
  g_test_add ("/ui/lead-table/cells-follow-jumps", Fixture, NULL,
              fixture_set_up, test_cells_follow_jumps, fixture_tear_down);
  g_test_add ("/ui/lead-table/sort-by-score", Fixture, NULL,
              fixture_set_up, test_sort_by_score, fixture_tear_down);
  g_test_add ("/ui/lead-table/assign-and-delete", Fixture, NULL,
              fixture_set_up, test_assign_and_delete, fixture_tear_down);
  g_test_add ("/ui/lead-table/detail", Fixture, NULL,
              fixture_set_up, test_detail, fixture_tear_down);
  g_test_add ("/ui/lead-table/detail-stalled", Fixture, NULL,
              fixture_set_up, test_detail_stalled, fixture_tear_down);

  return g_test_run ();
}
