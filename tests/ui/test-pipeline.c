/* test-pipeline.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>

#include "tandem-committee-dialog.h"
#include "tandem-handoff-queue.h"
#include "tandem-lead-board.h"
#include "tandem-lead-card.h"
#include "tandem-lead-cell.h"
#include "tandem-move-dialog.h"
#include "tandem-pipeline-view.h"
#include "tandem-window.h"
#include "ui-test-utils.h"

#define TIMEOUT_MS 10000

typedef struct
{
  char               *dir;
  char               *path;
  TandemStore        *store;
  GtkWindow          *window;
  TandemPipelineView *view;
  TandemLeadBoard    *board;
  TandemHandoffQueue *queue;
} Fixture;

typedef struct
{
  char *from_stage;
  char *to_stage;
  char *member_id;
  char *reason;
  char *note;
} HistoryRow;

static void
history_row_free (HistoryRow *row)
{
  g_free (row->from_stage);
  g_free (row->to_stage);
  g_free (row->member_id);
  g_free (row->reason);
  g_free (row->note);
  g_free (row);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HistoryRow, history_row_free)

static char *
dup_column (sqlite3_stmt *stmt,
            int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text != NULL ? g_strdup ((const char *)text) : NULL;
}

/* The newest stage_history row of @lead_id, read through a connection of
 * its own, the way another program would see what was committed. */
static HistoryRow *
last_history_row (Fixture    *fixture,
                  const char *lead_id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  HistoryRow *row = NULL;

  g_assert_cmpint (sqlite3_open_v2 (fixture->path, &db, SQLITE_OPEN_READONLY, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT from_stage, to_stage, member_id, reason, note "
                                       "FROM stage_history WHERE lead_id = ? "
                                       "ORDER BY occurred_at DESC, rowid DESC LIMIT 1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, lead_id, -1, SQLITE_TRANSIENT);

  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      row = g_new0 (HistoryRow, 1);
      row->from_stage = dup_column (stmt, 0);
      row->to_stage = dup_column (stmt, 1);
      row->member_id = dup_column (stmt, 2);
      row->reason = dup_column (stmt, 3);
      row->note = dup_column (stmt, 4);
    }

  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return row;
}

static gint64
count_history_rows (Fixture    *fixture,
                    const char *lead_id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 count;

  g_assert_cmpint (sqlite3_open_v2 (fixture->path, &db, SQLITE_OPEN_READONLY, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM stage_history WHERE lead_id = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, lead_id, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return count;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) members = NULL;

  fixture->dir = tandem_test_make_temp_dir ();
  fixture->path = g_build_filename (fixture->dir, "pipeline.db", NULL);
  fixture->store = tandem_store_open (fixture->path, &error);
  g_assert_no_error (error);

  tandem_sample_generate (fixture->store, 200, 1, 0, NULL, NULL, &error);
  g_assert_no_error (error);

  /* Moves are made by the member at the desk; the history names them. */
  if (tandem_store_get_current_member (fixture->store) == NULL)
    {
      members = tandem_store_list (fixture->store, TANDEM_TYPE_MEMBER, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (members->len, >, 0);
      tandem_store_set_current_member (fixture->store,
                                       tandem_record_get_id (g_ptr_array_index (members, 0)));
    }

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 1400, 900);
  fixture->view = TANDEM_PIPELINE_VIEW (tandem_pipeline_view_new ());
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->view));
  tandem_pipeline_view_set_store (fixture->view, fixture->store);
  fixture->board = tandem_pipeline_view_get_board (fixture->view);
  fixture->queue = tandem_pipeline_view_get_queue (fixture->view);

  gtk_window_present (fixture->window);
  g_assert_true (tandem_test_wait_until (tandem_test_widget_is_mapped, fixture->board, TIMEOUT_MS));
}

static void
close_other_windows (Fixture *fixture)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    {
      if (l->data != fixture->window)
        gtk_window_destroy (l->data);
    }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  close_other_windows (fixture);
  gtk_window_destroy (fixture->window);
  tandem_test_flush ();
  g_clear_object (&fixture->store);
  tandem_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->path, g_free);
  g_clear_pointer (&fixture->dir, g_free);
}

/* Helpers. */

static GPtrArray *
leads_in_stage (Fixture    *fixture,
                const char *stage)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *leads = g_ptr_array_new_with_free_func (g_object_unref);

  all = tandem_store_list (fixture->store, TANDEM_TYPE_LEAD, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < all->len; i++)
    {
      TandemRecord *lead = g_ptr_array_index (all, i);

      if (g_strcmp0 (tandem_record_get_text (lead, "stage"), stage) == 0)
        g_ptr_array_add (leads, g_object_ref (lead));
    }

  return leads;
}

/* A lead of @stage that meets the entry criteria of @to_stage. */
static TandemLead *
find_movable_lead (Fixture    *fixture,
                   const char *stage,
                   const char *to_stage,
                   const char *except_id)
{
  g_autoptr(GPtrArray) leads = leads_in_stage (fixture, stage);

  for (guint i = 0; i < leads->len; i++)
    {
      TandemLead *lead = g_ptr_array_index (leads, i);
      g_auto(GStrv) missing = tandem_pipeline_missing_fields (fixture->store, lead, to_stage);

      if (g_strcmp0 (tandem_record_get_id (TANDEM_RECORD (lead)), except_id) != 0 &&
          (missing == NULL || missing[0] == NULL))
        return g_object_ref (lead);
    }

  return NULL;
}

typedef struct
{
  Fixture    *fixture;
  const char *id;
  const char *stage;
} StageWait;

static gboolean
lead_has_stage (gpointer data)
{
  StageWait *wait = data;
  g_autoptr(TandemRecord) lead = NULL;

  lead = tandem_store_get (wait->fixture->store, TANDEM_TYPE_LEAD, wait->id, NULL);

  return lead != NULL && g_strcmp0 (tandem_record_get_text (lead, "stage"), wait->stage) == 0;
}

static gboolean
column_lists_lead (gpointer data)
{
  StageWait *wait = data;
  GListModel *model = tandem_lead_board_get_column_model (wait->fixture->board, wait->stage);

  return model != NULL && tandem_record_list_find (TANDEM_RECORD_LIST (model), wait->id) != G_MAXUINT;
}

static gpointer
find_toplevel (GType type)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    {
      if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
        return l->data;
    }

  return NULL;
}

static gboolean
move_dialog_shown (gpointer data)
{
  return find_toplevel (TANDEM_TYPE_MOVE_DIALOG) != NULL;
}

static gboolean
refusal_shown (gpointer data)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    {
      if (ADW_IS_MESSAGE_DIALOG (l->data) && !TANDEM_IS_MOVE_DIALOG (l->data) &&
          gtk_widget_has_css_class (l->data, "move-refusal"))
        return TRUE;
    }

  return FALSE;
}

static AdwMessageDialog *
find_refusal (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    {
      if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_has_css_class (l->data, "move-refusal"))
        return l->data;
    }

  return NULL;
}

static const char *
first_reason (Fixture    *fixture,
              const char *stage)
{
  static char *reason;
  g_autoptr(GPtrArray) reasons = NULL;
  g_autoptr(GError) error = NULL;

  reasons = tandem_pipeline_list_reasons (fixture->store, stage, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reasons->len, >, 0);

  g_free (reason);
  reason = g_strdup (g_ptr_array_index (reasons, reasons->len - 1));

  return reason;
}

/* Tests. */

static void
test_board_columns (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) stages = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) columns = tandem_lead_board_dup_column_stages (fixture->board);

  stages = tandem_pipeline_list_stages (fixture->store, TRUE, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (g_strv_length (columns), ==, stages->len);

  for (guint i = 0; i < stages->len; i++)
    {
      const char *stage = tandem_record_get_text (g_ptr_array_index (stages, i), "key");
      g_autoptr(GPtrArray) leads = leads_in_stage (fixture, stage);
      GListModel *model;

      g_assert_cmpstr (columns[i], ==, stage);
      model = tandem_lead_board_get_column_model (fixture->board, stage);
      g_assert_nonnull (model);
      g_assert_cmpuint (g_list_model_get_n_items (model), ==, leads->len);
      g_assert_nonnull (tandem_lead_board_get_column (fixture->board, stage));
    }

  /* A sample of 200 leads spreads over the funnel. */
  g_assert_cmpuint (g_list_model_get_n_items (tandem_lead_board_get_column_model (fixture->board,
                                                                                  "lead")), >, 0);
}

static void
assert_moved (Fixture    *fixture,
              const char *id,
              const char *from,
              const char *to,
              const char *reason)
{
  StageWait wait = { fixture, id, to };
  g_autoptr(HistoryRow) row = NULL;

  g_assert_true (tandem_test_wait_until (lead_has_stage, &wait, TIMEOUT_MS));
  g_assert_true (tandem_test_wait_until (column_lists_lead, &wait, TIMEOUT_MS));

  row = last_history_row (fixture, id);
  g_assert_nonnull (row);
  g_assert_cmpstr (row->from_stage, ==, from);
  g_assert_cmpstr (row->to_stage, ==, to);
  g_assert_cmpstr (row->member_id, ==, tandem_store_get_current_member (fixture->store));
  if (reason != NULL)
    g_assert_cmpstr (row->reason, ==, reason);
}

static void
test_move_by_action (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(TandemLead) lead = find_movable_lead (fixture, "mql", "sal", NULL);
  const char *id;

  g_assert_nonnull (lead);
  id = tandem_record_get_id (TANDEM_RECORD (lead));

  g_assert_true (tandem_lead_board_select_lead (fixture->board, id));
  g_assert_cmpstr (tandem_lead_board_get_selected_id (fixture->board), ==, id);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->board),
                                             "board.move-to", "s", "sal"));

  assert_moved (fixture, id, "mql", "sal", NULL);
  /* The card stays selected in its new column. */
  g_assert_cmpstr (tandem_lead_board_get_selected_id (fixture->board), ==, id);
  g_assert_false (move_dialog_shown (NULL));
}

static void
on_column_items_changed (GListModel *model,
                         guint       position,
                         guint       removed,
                         guint       added,
                         guint      *changes)
{
  (*changes)++;
}

/* The count a column's header shows. */
static const char *
column_count_text (Fixture    *fixture,
                   const char *stage)
{
  GtkWidget *column = tandem_lead_board_get_column (fixture->board, stage);
  GtkWidget *found = NULL;

  g_assert_nonnull (column);
  for (GtkWidget *header = gtk_widget_get_first_child (column);
       header != NULL && found == NULL;
       header = gtk_widget_get_next_sibling (header))
    for (GtkWidget *child = gtk_widget_get_first_child (header);
         child != NULL;
         child = gtk_widget_get_next_sibling (child))
      if (GTK_IS_LABEL (child) && gtk_widget_has_css_class (child, "board-count"))
        found = child;

  g_assert_nonnull (found);
  return gtk_label_get_label (GTK_LABEL (found));
}

/* A moved card leaves one column and enters another; the seven other
 * columns hear nothing of it, the two headers count it, and the card
 * lands where the column's order (best score first) puts it. */
static void
test_move_touches_two_columns (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(TandemLead) lead = find_movable_lead (fixture, "mql", "sal", NULL);
  g_auto(GStrv) stages = tandem_lead_board_dup_column_stages (fixture->board);
  guint n_stages = g_strv_length (stages);
  g_autofree guint *changes = g_new0 (guint, n_stages);
  g_autoptr(GPtrArray) mql_before = leads_in_stage (fixture, "mql");
  g_autoptr(GPtrArray) sal_before = leads_in_stage (fixture, "sal");
  g_autofree char *mql_count = NULL;
  g_autofree char *sal_count = NULL;
  GListModel *sal;
  const char *id;
  guint position;

  g_assert_nonnull (lead);
  id = tandem_record_get_id (TANDEM_RECORD (lead));

  for (guint i = 0; i < n_stages; i++)
    g_signal_connect (tandem_lead_board_get_column_model (fixture->board, stages[i]),
                      "items-changed", G_CALLBACK (on_column_items_changed), &changes[i]);

  g_assert_true (tandem_lead_board_select_lead (fixture->board, id));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->board),
                                             "board.move-to", "s", "sal"));
  assert_moved (fixture, id, "mql", "sal", NULL);

  for (guint i = 0; i < n_stages; i++)
    {
      g_signal_handlers_disconnect_by_func (tandem_lead_board_get_column_model (fixture->board,
                                                                                stages[i]),
                                            on_column_items_changed, &changes[i]);
      if (g_str_equal (stages[i], "mql") || g_str_equal (stages[i], "sal"))
        g_assert_cmpuint (changes[i], >, 0);
      else
        g_assert_cmpuint (changes[i], ==, 0);
    }

  mql_count = g_strdup_printf ("%'u", mql_before->len - 1);
  sal_count = g_strdup_printf ("%'u", sal_before->len + 1);
  g_assert_cmpstr (column_count_text (fixture, "mql"), ==, mql_count);
  g_assert_cmpstr (column_count_text (fixture, "sal"), ==, sal_count);

  /* Best score first: the cards around the moved one score no lower above
   * it and no higher below it. */
  sal = tandem_lead_board_get_column_model (fixture->board, "sal");
  position = tandem_record_list_find (TANDEM_RECORD_LIST (sal), id);
  g_assert_cmpuint (position, !=, G_MAXUINT);
  {
    gint64 score = tandem_record_get_int (TANDEM_RECORD (lead), "score");

    if (position > 0)
      {
        g_autoptr(TandemRecord) above = g_list_model_get_item (sal, position - 1);

        g_assert_cmpint (tandem_record_get_int (above, "score"), >=, score);
      }
    if (position + 1 < g_list_model_get_n_items (sal))
      {
        g_autoptr(TandemRecord) below = g_list_model_get_item (sal, position + 1);

        g_assert_cmpint (tandem_record_get_int (below, "score"), <=, score);
      }
  }
}

static void
test_move_by_drop (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(TandemLead) lead = find_movable_lead (fixture, "mql", "sal", NULL);
  GtkWidget *column = tandem_lead_board_get_column (fixture->board, "sal");
  g_autoptr(GListModel) controllers = NULL;
  GtkDropTarget *target = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean accepted = FALSE;
  const char *id;

  g_assert_nonnull (lead);
  g_assert_nonnull (column);
  id = tandem_record_get_id (TANDEM_RECORD (lead));

  controllers = gtk_widget_observe_controllers (column);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        target = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (target);

  /* What GTK does when a card's drag ends over the column: the drag
   * source's content is the lead id. */
  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, id);
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_assert_true (accepted);

  assert_moved (fixture, id, "mql", "sal", NULL);
}

static void
test_move_with_reason (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(TandemLead) lead = find_movable_lead (fixture, "mql", "nurture", NULL);
  const char *reason = first_reason (fixture, "nurture");
  TandemMoveDialog *dialog;
  const char *id;

  g_assert_nonnull (lead);
  id = tandem_record_get_id (TANDEM_RECORD (lead));

  g_assert_true (tandem_lead_board_select_lead (fixture->board, id));
  gtk_widget_activate_action (GTK_WIDGET (fixture->board), "board.move-to", "s", "nurture");

  g_assert_true (tandem_test_wait_until (move_dialog_shown, NULL, TIMEOUT_MS));
  dialog = find_toplevel (TANDEM_TYPE_MOVE_DIALOG);
  g_assert_cmpstr (tandem_move_dialog_get_stage (dialog), ==, "nurture");

  /* Nothing moves before the person confirms. */
  {
    g_autoptr(TandemRecord) current = tandem_store_get (fixture->store, TANDEM_TYPE_LEAD, id, NULL);

    g_assert_cmpstr (tandem_record_get_text (current, "stage"), ==, "mql");
  }

  g_assert_true (tandem_move_dialog_set_reason (dialog, reason));
  tandem_move_dialog_set_note (dialog, "Budget next year");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "move");

  assert_moved (fixture, id, "mql", "nurture", reason);
  {
    g_autoptr(HistoryRow) row = last_history_row (fixture, id);

    g_assert_cmpstr (row->note, ==, "Budget next year");
  }
}

static void
test_entry_refusal (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(TandemLead) lead = find_movable_lead (fixture, "lead", "mql", NULL);
  g_autoptr(TandemLead) fresh = NULL;
  g_autoptr(GError) error = NULL;
  StageWait wait = { fixture, NULL, "lead" };
  AdwMessageDialog *refusal;
  const char *id;
  gint64 n_history;

  g_assert_nonnull (lead);
  id = tandem_record_get_id (TANDEM_RECORD (lead));
  wait.id = id;

  tandem_record_set_text (TANDEM_RECORD (lead), "email", NULL);
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (lead), &error));
  g_assert_no_error (error);
  n_history = count_history_rows (fixture, id);

  g_assert_true (tandem_test_wait_until (column_lists_lead, &wait, TIMEOUT_MS));
  g_assert_true (tandem_lead_board_select_lead (fixture->board, id));
  gtk_widget_activate_action (GTK_WIDGET (fixture->board), "board.move-to", "s", "mql");

  g_assert_true (tandem_test_wait_until (refusal_shown, NULL, TIMEOUT_MS));
  refusal = find_refusal ();
  g_assert_nonnull (strstr (adw_message_dialog_get_body (refusal), "email"));

  fresh = tandem_store_get (fixture->store, TANDEM_TYPE_LEAD, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (fresh), "stage"), ==, "lead");
  g_assert_cmpint (count_history_rows (fixture, id), ==, n_history);
  g_assert_true (column_lists_lead (&wait));
}

static gboolean
queue_has_items (gpointer data)
{
  Fixture *fixture = data;

  return g_list_model_get_n_items (tandem_handoff_queue_get_model (fixture->queue)) > 0;
}

static gboolean
queue_lacks (gpointer data)
{
  StageWait *wait = data;
  GListModel *model = tandem_handoff_queue_get_model (wait->fixture->queue);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(TandemRecord) lead = g_list_model_get_item (model, i);

      if (g_strcmp0 (tandem_record_get_id (lead), wait->id) == 0)
        return FALSE;
    }

  return TRUE;
}

/* The id of a lead waiting in the queue; hands one off if none is. */
static char *
dup_waiting_lead (Fixture *fixture)
{
  g_autoptr(TandemRecord) first = NULL;

  if (!queue_has_items (fixture))
    {
      g_autoptr(TandemLead) lead = find_movable_lead (fixture, "lead", "mql", NULL);
      g_autoptr(GError) error = NULL;

      g_assert_nonnull (lead);
      g_assert_true (tandem_pipeline_move (fixture->store, lead, "mql", NULL, NULL, &error));
      g_assert_no_error (error);
    }

  g_assert_true (tandem_test_wait_until (queue_has_items, fixture, TIMEOUT_MS));
  first = g_list_model_get_item (tandem_handoff_queue_get_model (fixture->queue), 0);

  return g_strdup (tandem_record_get_id (first));
}

static void
test_queue_reject (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *id = dup_waiting_lead (fixture);
  const char *reason = first_reason (fixture, "disqualified");
  StageWait wait = { fixture, id, "disqualified" };
  g_autoptr(HistoryRow) row = NULL;
  TandemMoveDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->queue),
                                             "queue.reject", "s", id));
  g_assert_true (tandem_test_wait_until (move_dialog_shown, NULL, TIMEOUT_MS));
  dialog = find_toplevel (TANDEM_TYPE_MOVE_DIALOG);

  /* The person picks which way back: nurture first, disqualified here. */
  g_assert_cmpstr (tandem_move_dialog_get_stage (dialog), ==, "nurture");
  tandem_move_dialog_set_stage (dialog, "disqualified");
  g_assert_true (tandem_move_dialog_set_reason (dialog, reason));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "move");

  g_assert_true (tandem_test_wait_until (lead_has_stage, &wait, TIMEOUT_MS));
  g_assert_true (tandem_test_wait_until (queue_lacks, &wait, TIMEOUT_MS));

  row = last_history_row (fixture, id);
  g_assert_cmpstr (row->from_stage, ==, "mql");
  g_assert_cmpstr (row->to_stage, ==, "disqualified");
  g_assert_cmpstr (row->reason, ==, reason);
}

static void
test_queue_accept (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *id = dup_waiting_lead (fixture);
  StageWait wait = { fixture, id, "sal" };
  g_autoptr(HistoryRow) row = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->queue),
                                             "queue.accept", "s", id));

  g_assert_true (tandem_test_wait_until (lead_has_stage, &wait, TIMEOUT_MS));
  g_assert_true (tandem_test_wait_until (queue_lacks, &wait, TIMEOUT_MS));
  g_assert_true (tandem_test_wait_until (column_lists_lead, &wait, TIMEOUT_MS));

  row = last_history_row (fixture, id);
  g_assert_cmpstr (row->from_stage, ==, "mql");
  g_assert_cmpstr (row->to_stage, ==, "sal");
}

/* The cards a column shows: cells of its grid that are on screen, with a
 * lead bound to their card. */
static guint
count_shown_cards (Fixture    *fixture,
                   const char *stage)
{
  GtkWidget *column = tandem_lead_board_get_column (fixture->board, stage);
  GtkWidget *scrolled = tandem_test_find_widget (column, GTK_TYPE_SCROLLED_WINDOW, NULL);
  GtkWidget *grid = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));
  graphene_rect_t bounds, visible;
  guint shown = 0;

  g_assert_nonnull (grid);
  if (!gtk_widget_get_mapped (grid) ||
      !gtk_widget_compute_bounds (scrolled, scrolled, &visible))
    return 0;

  for (GtkWidget *cell = gtk_widget_get_first_child (grid);
       cell != NULL;
       cell = gtk_widget_get_next_sibling (cell))
    {
      GtkWidget *card = tandem_test_find_widget (cell, TANDEM_TYPE_LEAD_CARD, NULL);

      if (card == NULL || !gtk_widget_get_child_visible (cell) || !gtk_widget_get_mapped (card) ||
          tandem_lead_card_get_lead (TANDEM_LEAD_CARD (card)) == NULL)
        continue;
      if (!gtk_widget_compute_bounds (cell, scrolled, &bounds) ||
          bounds.size.height <= 0 || !graphene_rect_intersection (&bounds, &visible, NULL))
        continue;
      shown++;
    }

  return shown;
}

typedef struct
{
  Fixture    *fixture;
  const char *stage;
} ShownWait;


static gboolean
column_shows_cards (gpointer data)
{
  ShownWait *wait = data;

  return count_shown_cards (wait->fixture, wait->stage) > 0;
}

/* Whether the column's card of the selected lead is on screen. */
static gboolean
selected_card_shown (gpointer data)
{
  ShownWait *wait = data;
  GtkWidget *column = tandem_lead_board_get_column (wait->fixture->board, wait->stage);
  GtkWidget *scrolled = tandem_test_find_widget (column, GTK_TYPE_SCROLLED_WINDOW, NULL);
  GtkWidget *grid = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));
  const char *id = tandem_lead_board_get_selected_id (wait->fixture->board);
  graphene_rect_t bounds, visible;

  if (id == NULL || !gtk_widget_get_mapped (grid) ||
      !gtk_widget_compute_bounds (scrolled, scrolled, &visible))
    return FALSE;

  for (GtkWidget *cell = gtk_widget_get_first_child (grid);
       cell != NULL;
       cell = gtk_widget_get_next_sibling (cell))
    {
      GtkWidget *card = tandem_test_find_widget (cell, TANDEM_TYPE_LEAD_CARD, NULL);
      TandemLead *lead = card != NULL ? tandem_lead_card_get_lead (TANDEM_LEAD_CARD (card)) : NULL;

      if (lead != NULL && g_strcmp0 (tandem_record_get_id (TANDEM_RECORD (lead)), id) == 0 &&
          gtk_widget_get_child_visible (cell) && gtk_widget_get_mapped (card) &&
          gtk_widget_compute_bounds (cell, scrolled, &bounds) &&
          graphene_rect_intersection (&bounds, &visible, NULL))
        return TRUE;
    }

  return FALSE;
}

/* Selects the last card of the Lead column, far below the first screen. */
static void
select_deep_card (Fixture   *fixture,
                  ShownWait *shown)
{
  GListModel *model = tandem_lead_board_get_column_model (fixture->board, "lead");
  guint n_items = g_list_model_get_n_items (model);
  g_autoptr(TandemRecord) last = NULL;

  g_assert_cmpuint (n_items, >, 30);
  last = g_list_model_get_item (model, n_items - 1);
  g_assert_true (tandem_test_wait_until (column_shows_cards, shown, TIMEOUT_MS));
  g_assert_true (tandem_lead_board_select_lead (fixture->board, tandem_record_get_id (last)));
  g_assert_true (tandem_test_wait_until (selected_card_shown, shown, TIMEOUT_MS));
}

/* A move, from the board or the lead detail, also writes a setting (who
 * was routed a lead last). The board once built all its columns again for
 * it, and the column of the selected card, scrolled to it before it had a
 * size, showed empty until scrolled by hand. */
static void
test_setting_keeps_column_shown (Fixture       *fixture,
                                 gconstpointer  data)
{
  ShownWait shown = { fixture, "lead" };
  g_autoptr(GError) error = NULL;

  select_deep_card (fixture, &shown);

  g_assert_true (tandem_store_set_setting (fixture->store, "routing_last_member",
                                           tandem_store_get_current_member (fixture->store),
                                           &error));
  g_assert_no_error (error);
  tandem_test_flush ();
  tandem_test_flush ();
  g_assert_true (tandem_test_wait_until (column_shows_cards, &shown, TIMEOUT_MS));
  g_assert_true (tandem_test_wait_until (selected_card_shown, &shown, TIMEOUT_MS));
}

/* A setting that changes the stages on the board (SAL turned off) builds
 * the columns again; the selected card's column scrolls to it once it has
 * a size, and shows it. */
static void
test_rebuild_shows_selected_card (Fixture       *fixture,
                                  gconstpointer  data)
{
  ShownWait shown = { fixture, "lead" };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) stages = NULL;

  select_deep_card (fixture, &shown);

  g_assert_true (tandem_pipeline_set_sal_enabled (fixture->store, FALSE, &error));
  g_assert_no_error (error);
  tandem_test_flush ();
  tandem_test_flush ();
  stages = tandem_lead_board_dup_column_stages (fixture->board);
  g_assert_false (g_strv_contains ((const char * const *)stages, "sal"));
  g_assert_true (tandem_test_wait_until (column_shows_cards, &shown, TIMEOUT_MS));
  g_assert_true (tandem_test_wait_until (selected_card_shown, &shown, TIMEOUT_MS));
}

/* Ctrl+Shift+Right on a card that has keyboard focus but is not selected
 * (Tab moves focus without selecting) moves that card. */
static void
test_move_focused_card (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GtkShortcutTrigger) next = gtk_keyval_trigger_new (GDK_KEY_Right,
                                                               GDK_CONTROL_MASK | GDK_SHIFT_MASK);
  g_autoptr(GListModel) controllers = NULL;
  GtkWidget *column = tandem_lead_board_get_column (fixture->board, "mql");
  GtkWidget *grid = tandem_test_find_widget (column, GTK_TYPE_GRID_VIEW, NULL);
  ShownWait shown = { fixture, "mql" };
  StageWait wait = { fixture, NULL, "sal" };
  GtkWidget *card = NULL;
  TandemLead *lead = NULL;
  gboolean heard_first = FALSE;

  /* The grid binds Ctrl+Shift+arrows itself: the board must hear them
   * before the event reaches it, in the capture phase. */
  controllers = gtk_widget_observe_controllers (GTK_WIDGET (fixture->board));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller) ||
          gtk_event_controller_get_propagation_phase (controller) != GTK_PHASE_CAPTURE)
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), next) &&
              GTK_IS_NAMED_ACTION (action) &&
              g_strcmp0 (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)),
                         "board.move-next") == 0)
            heard_first = TRUE;
        }
    }
  g_assert_true (heard_first);

  g_assert_true (tandem_test_wait_until (column_shows_cards, &shown, TIMEOUT_MS));
  for (GtkWidget *cell = gtk_widget_get_first_child (grid);
       cell != NULL && lead == NULL;
       cell = gtk_widget_get_next_sibling (cell))
    {
      card = tandem_test_find_widget (cell, TANDEM_TYPE_LEAD_CARD, NULL);
      if (card != NULL && gtk_widget_get_mapped (card) &&
          (lead = tandem_lead_card_get_lead (TANDEM_LEAD_CARD (card))) != NULL)
        {
          g_auto(GStrv) missing = tandem_pipeline_missing_fields (fixture->store, lead, "sal");

          if (missing != NULL && missing[0] != NULL)
            lead = NULL;
          else
            g_assert_true (gtk_widget_grab_focus (cell));
        }
    }
  g_assert_nonnull (lead);
  wait.id = g_strdup (tandem_record_get_id (TANDEM_RECORD (lead)));
  g_assert_null (tandem_lead_board_get_selected_id (fixture->board));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->board), "board.move-next", NULL));
  assert_moved (fixture, wait.id, "mql", "sal", NULL);
  g_assert_cmpstr (tandem_lead_board_get_selected_id (fixture->board), ==, wait.id);
  g_free ((char *)wait.id);
}

typedef struct
{
  Fixture    *fixture;
  const char *stage;
  const char *id;
  gboolean    stalled;
} StalledWait;

/* The card of lead @id bound in @stage's column, or NULL. */
static GtkWidget *
find_bound_card (Fixture    *fixture,
                 const char *stage,
                 const char *id)
{
  GtkWidget *column = tandem_lead_board_get_column (fixture->board, stage);
  GtkWidget *grid = column != NULL ? tandem_test_find_widget (column, GTK_TYPE_GRID_VIEW, NULL)
                                   : NULL;

  for (GtkWidget *cell = grid != NULL ? gtk_widget_get_first_child (grid) : NULL;
       cell != NULL;
       cell = gtk_widget_get_next_sibling (cell))
    {
      GtkWidget *card = tandem_test_find_widget (cell, TANDEM_TYPE_LEAD_CARD, NULL);
      TandemLead *lead = card != NULL ? tandem_lead_card_get_lead (TANDEM_LEAD_CARD (card)) : NULL;

      if (lead != NULL && g_strcmp0 (tandem_record_get_id (TANDEM_RECORD (lead)), id) == 0 &&
          gtk_widget_get_mapped (card))
        return card;
    }

  return NULL;
}

static gboolean
card_marked_stalled (gpointer data)
{
  StalledWait *wait = data;
  GtkWidget *card = find_bound_card (wait->fixture, wait->stage, wait->id);
  GtkWidget *image;

  if (card == NULL || gtk_widget_has_css_class (card, "stalled") != wait->stalled)
    return FALSE;

  /* The clock icon shows with the class. */
  image = tandem_test_find_widget (card, GTK_TYPE_IMAGE, NULL);
  return image != NULL && gtk_widget_get_visible (image) == wait->stalled;
}

/* Lead @id last active and moved at @when. Both are the pipeline's to
 * write (from the activities and the stage history), so the row is
 * changed through a connection of its own, as another program would. */
static void
quieten_lead (Fixture    *fixture,
              const char *id,
              gint64      when)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (fixture->path, &db, SQLITE_OPEN_READWRITE, NULL), ==,
                   SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "UPDATE leads SET last_activity_at = ?1, "
                                       "stage_entered_at = ?1 WHERE id = ?2",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, when);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
set_stalled_days (Fixture    *fixture,
                  const char *stage,
                  gint64      days)
{
  g_autoptr(TandemRecord) definition = NULL;
  g_autoptr(GError) error = NULL;

  definition = tandem_pipeline_get_stage (fixture->store, stage, &error);
  g_assert_no_error (error);
  tandem_record_set_int (definition, "stalled_days", days);
  g_assert_true (tandem_store_save (fixture->store, definition, &error));
  g_assert_no_error (error);
}

/* Cards mark the leads that waited longer than their stage allows; the
 * board reads each stage's threshold once, so a changed threshold must
 * show on the cards at once, both ways. */
static void
test_card_stalled_follows_stage (Fixture       *fixture,
                                 gconstpointer  data)
{
  ShownWait shown = { fixture, TANDEM_STAGE_MQL };
  StalledWait wait = { fixture, TANDEM_STAGE_MQL, NULL, TRUE };
  g_autoptr(TandemRecord) lead = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  GListModel *model;
  gint64 ten_days_ago = g_get_real_time () / 1000 - 10 * 24 * 3600 * 1000LL;

  g_assert_true (tandem_test_wait_until (column_shows_cards, &shown, TIMEOUT_MS));
  model = tandem_lead_board_get_column_model (fixture->board, TANDEM_STAGE_MQL);
  g_assert_cmpuint (g_list_model_get_n_items (model), >, 0);

  /* The top card of the column, quiet for ten days. */
  lead = g_list_model_get_item (model, 0);
  wait.id = id = g_strdup (tandem_record_get_id (lead));
  quieten_lead (fixture, wait.id, ten_days_ago);

  /* Not MQL's threshold of two days: a save that changes nothing would
   * tell nobody. */
  set_stalled_days (fixture, TANDEM_STAGE_MQL, 1);
  g_assert_true (tandem_test_wait_until (card_marked_stalled, &wait, TIMEOUT_MS));
  g_clear_object (&lead);
  lead = tandem_store_get (fixture->store, TANDEM_TYPE_LEAD, wait.id, &error);
  g_assert_no_error (error);
  g_assert_true (tandem_pipeline_is_stalled (fixture->store, TANDEM_LEAD (lead),
                                             g_get_real_time () / 1000));

  set_stalled_days (fixture, TANDEM_STAGE_MQL, 30);
  wait.stalled = FALSE;
  g_assert_true (tandem_test_wait_until (card_marked_stalled, &wait, TIMEOUT_MS));

  set_stalled_days (fixture, TANDEM_STAGE_MQL, 5);
  wait.stalled = TRUE;
  g_assert_true (tandem_test_wait_until (card_marked_stalled, &wait, TIMEOUT_MS));

  /* A threshold of 0 never stalls. */
  set_stalled_days (fixture, TANDEM_STAGE_MQL, 0);
  wait.stalled = FALSE;
  g_assert_true (tandem_test_wait_until (card_marked_stalled, &wait, TIMEOUT_MS));
}

typedef struct
{
  Fixture    *fixture;
  const char *stage;
  const char *id;
  const char *text;
} CardTextWait;

static gboolean
card_shows_text (gpointer data)
{
  CardTextWait *wait = data;
  GtkWidget *card = find_bound_card (wait->fixture, wait->stage, wait->id);
  g_autoptr(GString) text = g_string_new (NULL);

  if (card == NULL)
    return FALSE;

  tandem_test_collect_labels (card, text);
  return strstr (text->str, wait->text) != NULL;
}

/* A renamed company or owner shows on the cards on screen at once: a
 * rename changes no lead, so nothing else would bind them again. */
static void
test_card_follows_renames (Fixture       *fixture,
                           gconstpointer  data)
{
  ShownWait shown = { fixture, TANDEM_STAGE_MQL };
  CardTextWait wait = { fixture, TANDEM_STAGE_MQL, NULL, NULL };
  g_autoptr(TandemRecord) lead = NULL;
  g_autoptr(TandemRecord) company = NULL;
  g_autoptr(TandemRecord) owner = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *model;

  g_assert_true (tandem_test_wait_until (column_shows_cards, &shown, TIMEOUT_MS));
  model = tandem_lead_board_get_column_model (fixture->board, TANDEM_STAGE_MQL);

  /* The first card near the top with both a company and an owner. */
  for (guint i = 0; i < g_list_model_get_n_items (model) && i < 5 && lead == NULL; i++)
    {
      g_autoptr(TandemRecord) candidate = g_list_model_get_item (model, i);

      if (tandem_record_get_text (candidate, "company_id") != NULL &&
          tandem_record_get_text (candidate, "owner_id") != NULL)
        lead = g_steal_pointer (&candidate);
    }
  g_assert_nonnull (lead);
  wait.id = tandem_record_get_id (lead);

  company = tandem_store_get (fixture->store, TANDEM_TYPE_COMPANY,
                              tandem_record_get_text (lead, "company_id"), &error);
  g_assert_no_error (error);
  tandem_record_set_text (company, "name", "Quillfeather Renamed GmbH");
  g_assert_true (tandem_store_save (fixture->store, company, &error));
  g_assert_no_error (error);
  wait.text = "Quillfeather Renamed GmbH";
  g_assert_true (tandem_test_wait_until (card_shows_text, &wait, TIMEOUT_MS));

  owner = tandem_store_get (fixture->store, TANDEM_TYPE_MEMBER,
                            tandem_record_get_text (lead, "owner_id"), &error);
  g_assert_no_error (error);
  tandem_record_set_text (owner, "name", "Ottilie Renamed");
  g_assert_true (tandem_store_save (fixture->store, owner, &error));
  g_assert_no_error (error);
  wait.text = "Ottilie Renamed";
  g_assert_true (tandem_test_wait_until (card_shows_text, &wait, TIMEOUT_MS));
}

static GtkWidget *
find_with_class (GtkWidget  *root,
                 const char *css_class)
{
  if (gtk_widget_has_css_class (root, css_class))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_with_class (child, css_class);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The grade letter and its colour follow each lead a card is bound to, as
 * cards are reused while scrolling: the same grade again, another, none. */
static void
test_card_grade (void)
{
  static const char * const sequence[] = { "A", "A", "C", NULL, "B", "B", "D", "A" };
  static const char * const tints[] = {
    "lead_grade_a", "lead_grade_b", "lead_grade_c", "lead_grade_d"
  };
  GtkWidget *card = g_object_ref_sink (tandem_lead_card_new ());
  TandemLeadCell *cell;

  cell = TANDEM_LEAD_CELL (find_with_class (card, "lead-grade"));
  g_assert_nonnull (cell);
  for (guint i = 0; i < G_N_ELEMENTS (sequence); i++)
    {
      g_autofree char *id = g_strdup_printf ("lead-%u", i);
      g_autoptr(TandemRecord) lead = tandem_record_new_with_id (TANDEM_TYPE_LEAD, id);

      tandem_record_set_text (lead, "first_name", "Ada");
      tandem_record_set_text (lead, "grade", sequence[i]);
      tandem_lead_card_bind (TANDEM_LEAD_CARD (card), TANDEM_LEAD (lead), "Acme", "Bo", FALSE);

      g_assert_cmpstr (tandem_lead_cell_get_text (cell), ==, sequence[i]);
      g_assert_cmpstr (tandem_lead_cell_get_tint (cell), ==,
                       sequence[i] != NULL ? tints[sequence[i][0] - 'A'] : NULL);
      tandem_lead_card_unbind (TANDEM_LEAD_CARD (card));
    }

  g_object_unref (card);
}

/* What a card shows, and that a card reused for a lead with less to show
 * keeps nothing of the lead before: no company, "Unassigned" and no avatar
 * without an owner, "Unnamed lead" without a name. */
static void
test_card_texts (void)
{
  GtkWidget *card = g_object_ref_sink (tandem_lead_card_new ());
  g_autoptr(TandemRecord) known = tandem_record_new_with_id (TANDEM_TYPE_LEAD, "known");
  g_autoptr(TandemRecord) bare = tandem_record_new_with_id (TANDEM_TYPE_LEAD, "bare");
  GtkWidget *avatar;
  g_autoptr(GString) text = g_string_new (NULL);

  tandem_record_set_text (known, "first_name", "Ada");
  tandem_record_set_text (known, "last_name", "Lovelace");
  tandem_record_set_int (known, "score", 1042);
  tandem_lead_card_bind (TANDEM_LEAD_CARD (card), TANDEM_LEAD (known), "Acme", "Bo Berg", FALSE);
  avatar = tandem_test_find_widget (card, ADW_TYPE_AVATAR, NULL);
  g_assert_nonnull (avatar);

  tandem_test_collect_labels (card, text);
  g_assert_nonnull (strstr (text->str, "Ada Lovelace\n"));
  g_assert_nonnull (strstr (text->str, "Acme\n"));
  g_assert_nonnull (strstr (text->str, "Bo Berg\n"));
  g_assert_nonnull (strstr (text->str, "1042\n"));
  g_assert_true (gtk_widget_get_visible (avatar));
  g_assert_cmpstr (adw_avatar_get_text (ADW_AVATAR (avatar)), ==, "Bo Berg");

  tandem_lead_card_unbind (TANDEM_LEAD_CARD (card));
  tandem_lead_card_bind (TANDEM_LEAD_CARD (card), TANDEM_LEAD (bare), NULL, NULL, FALSE);
  g_string_truncate (text, 0);
  tandem_test_collect_labels (card, text);
  g_assert_nonnull (strstr (text->str, "Unnamed lead\n"));
  g_assert_nonnull (strstr (text->str, "Unassigned\n"));
  g_assert_nonnull (strstr (text->str, "0\n"));
  g_assert_null (strstr (text->str, "Acme"));
  g_assert_null (strstr (text->str, "Bo Berg"));
  g_assert_false (gtk_widget_get_visible (avatar));

  g_object_unref (card);
}

static void
test_waiting_time (void)
{
  g_autofree char *minutes = tandem_format_waiting_time (0, 14 * 60 * 1000);
  g_autofree char *hours = tandem_format_waiting_time (0, (2 * 60 + 14) * 60 * 1000);
  g_autofree char *days = tandem_format_waiting_time (0, (3 * 24 + 5) * 3600 * 1000LL);

  g_assert_cmpstr (minutes, ==, "14 min");
  g_assert_cmpstr (hours, ==, "2 h 14 min");
  g_assert_cmpstr (days, ==, "3 d 5 h");
}

/* The buying committee, edited from the lead detail of the app's window
 * (whose toasts carry the Undo). */

typedef struct
{
  TandemStore *store;
  GtkWidget   *root;
  const char  *deal_id;
  const char  *text;
  gint64       count;
} CommitteeWait;

static gint64
committee_size (TandemStore *store,
                const char  *deal_id)
{
  g_autoptr(TandemRecord) deal = tandem_store_get_row (store, "deals", deal_id, NULL);
  g_autoptr(GPtrArray) committee = NULL;

  g_assert_nonnull (deal);
  committee = tandem_pipeline_list_committee (store, deal, NULL);
  g_assert_nonnull (committee);

  return committee->len;
}

static gboolean
committee_has_size (gpointer data)
{
  CommitteeWait *wait = data;

  return committee_size (wait->store, wait->deal_id) == wait->count;
}

static gboolean
row_shown (gpointer data)
{
  CommitteeWait *wait = data;

  return tandem_test_find_widget (wait->root, ADW_TYPE_ACTION_ROW, wait->text) != NULL;
}

static gboolean
row_gone (gpointer data)
{
  return !row_shown (data);
}

static gboolean
committee_dialog_shown (gpointer data)
{
  return find_toplevel (TANDEM_TYPE_COMMITTEE_DIALOG) != NULL;
}

/* A lead with a deal whose company has someone not on its committee. */
static TandemLead *
find_lead_with_deal (TandemStore   *store,
                     TandemRecord **deal_out)
{
  g_autoptr(GPtrArray) leads = tandem_store_list (store, TANDEM_TYPE_LEAD, NULL);

  for (guint i = 0; leads != NULL && i < leads->len; i++)
    {
      TandemLead *lead = g_ptr_array_index (leads, i);
      g_autoptr(TandemRecord) deal = tandem_pipeline_get_deal (store, lead, NULL);
      g_autoptr(GPtrArray) candidates = NULL;

      if (deal == NULL)
        continue;

      candidates = tandem_pipeline_list_committee_candidates (store, deal, NULL);
      if (candidates != NULL && candidates->len > 0)
        {
          *deal_out = g_steal_pointer (&deal);
          return g_object_ref (lead);
        }
    }

  return NULL;
}

static void
choose (GtkWidget  *dialog,
        const char *row_title,
        guint       position)
{
  GtkWidget *row = tandem_test_find_widget (dialog, ADW_TYPE_COMBO_ROW, row_title);

  g_assert_nonnull (row);
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), position);
}

static void
type_into (GtkWidget  *dialog,
           const char *row_title,
           const char *text)
{
  GtkWidget *row = tandem_test_find_widget (dialog, ADW_TYPE_ENTRY_ROW, row_title);

  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_visible (row));
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

/* What the dialog's Add or Save button does: answer, then close. */
static void
press_save (GtkWidget *dialog)
{
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "save");
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_false (committee_dialog_shown (NULL));
}

static void
test_committee_from_detail (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = tandem_test_make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "committee.db", NULL);
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(TandemLead) lead = NULL;
  g_autoptr(TandemRecord) deal = NULL;
  g_autoptr(TandemRecord) member = NULL;
  g_autoptr(GPtrArray) committee = NULL;
  g_autoptr(TandemLead) person = NULL;
  TandemWindow *window;
  TandemPipelineView *view;
  GtkWidget *stack, *dialog, *spin, *undo, *overlay;
  CommitteeWait wait = { 0 };
  gint64 before;

  store = tandem_store_open (path, &error);
  g_assert_no_error (error);
  tandem_sample_generate (store, 200, 1, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  lead = find_lead_with_deal (store, &deal);
  g_assert_nonnull (lead);
  before = committee_size (store, tandem_record_get_id (deal));

  window = tandem_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  tandem_window_set_store (window, store);
  gtk_window_present (GTK_WINDOW (window));
  stack = tandem_test_find_widget (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK, NULL);
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "pipeline");
  view = TANDEM_PIPELINE_VIEW (tandem_test_find_widget (GTK_WIDGET (window),
                                                        TANDEM_TYPE_PIPELINE_VIEW, NULL));
  g_assert_true (tandem_test_wait_until (tandem_test_widget_is_mapped, view, TIMEOUT_MS));
  tandem_pipeline_view_show_lead (view, lead);

  wait.store = store;
  wait.root = GTK_WIDGET (tandem_pipeline_view_get_detail (view));
  wait.deal_id = tandem_record_get_id (deal);

  /* A new contact at the company, as a sceptical blocker with a persona. */
  g_assert_true (gtk_widget_activate_action (wait.root, "detail.add-member", NULL));
  g_assert_true (tandem_test_wait_until (committee_dialog_shown, NULL, TIMEOUT_MS));
  dialog = find_toplevel (TANDEM_TYPE_COMMITTEE_DIALOG);
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "save"));
  choose (dialog, "Person", 0);
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "save"));
  type_into (dialog, "First Name", "Greta");
  type_into (dialog, "Last Name", "Committee");
  type_into (dialog, "Email", "greta.committee");
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "save"));
  type_into (dialog, "Email", "greta@committee.example");
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "save"));
  choose (dialog, "Persona", 1);
  choose (dialog, "Role", 5);
  choose (dialog, "Attitude", 3);
  spin = tandem_test_find_widget (dialog, GTK_TYPE_SPIN_BUTTON, NULL);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 2);
  press_save (dialog);

  /* Listed in the detail, and stored. */
  wait.text = "Greta Committee";
  g_assert_true (tandem_test_wait_until (row_shown, &wait, TIMEOUT_MS));
  wait.count = before + 1;
  g_assert_true (committee_has_size (&wait));
  committee = tandem_pipeline_list_committee (store, deal, &error);
  for (guint i = 0; i < committee->len && member == NULL; i++)
    {
      TandemRecord *row = g_ptr_array_index (committee, i);
      g_autoptr(TandemLead) who = tandem_store_get (store, TANDEM_TYPE_LEAD,
                                                    tandem_record_get_text (row, "lead_id"), NULL);

      if (who != NULL && g_strcmp0 (tandem_record_get_text (TANDEM_RECORD (who), "email"),
                                    "greta@committee.example") == 0)
        {
          member = g_object_ref (row);
          person = g_steal_pointer (&who);
        }
    }
  g_assert_nonnull (member);
  g_assert_cmpstr (tandem_record_get_text (member, "role"), ==, "blocker");
  g_assert_cmpstr (tandem_record_get_text (member, "attitude"), ==, "sceptic");
  g_assert_cmpint (tandem_record_get_int (member, "influence"), ==, 2);
  g_assert_nonnull (tandem_record_get_text (member, "persona_id"));
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (person), "company_id"), ==,
                   tandem_record_get_text (deal, "company_id"));

  /* Edited: now a champion. */
  g_assert_true (gtk_widget_activate_action (wait.root, "detail.edit-member", "s",
                                             tandem_record_get_id (member)));
  g_assert_true (tandem_test_wait_until (committee_dialog_shown, NULL, TIMEOUT_MS));
  dialog = find_toplevel (TANDEM_TYPE_COMMITTEE_DIALOG);
  g_assert_false (gtk_widget_get_visible (tandem_test_find_widget (dialog, ADW_TYPE_COMBO_ROW,
                                                                   "Person")));
  choose (dialog, "Attitude", 1);
  press_save (dialog);
  g_clear_object (&member);
  g_clear_pointer (&committee, g_ptr_array_unref);

  committee = tandem_pipeline_list_committee (store, deal, &error);
  for (guint i = 0; i < committee->len; i++)
    if (g_strcmp0 (tandem_record_get_text (g_ptr_array_index (committee, i), "lead_id"),
                   tandem_record_get_id (TANDEM_RECORD (person))) == 0)
      member = g_object_ref (g_ptr_array_index (committee, i));
  g_assert_nonnull (member);
  g_assert_cmpstr (tandem_record_get_text (member, "attitude"), ==, "champion");
  g_assert_cmpint (committee->len, ==, before + 1);

  /* Removed, and back from the toast's Undo. */
  g_assert_true (gtk_widget_activate_action (wait.root, "detail.remove-member", "s",
                                             tandem_record_get_id (member)));
  wait.count = before;
  g_assert_true (committee_has_size (&wait));
  g_assert_true (tandem_test_wait_until (row_gone, &wait, TIMEOUT_MS));
  overlay = tandem_test_find_widget (GTK_WIDGET (window), ADW_TYPE_TOAST_OVERLAY, NULL);
  undo = tandem_test_find_widget (overlay, GTK_TYPE_BUTTON, "_Undo");
  g_assert_nonnull (undo);
  g_signal_emit_by_name (undo, "clicked");
  wait.count = before + 1;
  g_assert_true (committee_has_size (&wait));
  g_assert_true (tandem_test_wait_until (row_shown, &wait, TIMEOUT_MS));

  gtk_window_destroy (GTK_WINDOW (window));
  tandem_test_flush ();
  g_clear_object (&store);
  tandem_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  tandem_test_init (&argc, &argv);

  g_test_add_func ("/ui/pipeline/waiting-time", test_waiting_time);
  g_test_add_func ("/ui/pipeline/card-grade", test_card_grade);
  g_test_add_func ("/ui/pipeline/card-texts", test_card_texts);
  g_test_add_func ("/ui/pipeline/committee-from-detail", test_committee_from_detail);
  g_test_add ("/ui/pipeline/board-columns", Fixture, NULL,
              fixture_set_up, test_board_columns, fixture_tear_down);
  g_test_add ("/ui/pipeline/move-by-action", Fixture, NULL,
              fixture_set_up, test_move_by_action, fixture_tear_down);
  g_test_add ("/ui/pipeline/move-touches-two-columns", Fixture, NULL,
              fixture_set_up, test_move_touches_two_columns, fixture_tear_down);
  g_test_add ("/ui/pipeline/move-by-drop", Fixture, NULL,
              fixture_set_up, test_move_by_drop, fixture_tear_down);
  g_test_add ("/ui/pipeline/move-with-reason", Fixture, NULL,
              fixture_set_up, test_move_with_reason, fixture_tear_down);
  g_test_add ("/ui/pipeline/entry-refusal", Fixture, NULL,
              fixture_set_up, test_entry_refusal, fixture_tear_down);
  g_test_add ("/ui/pipeline/queue-reject", Fixture, NULL,
              fixture_set_up, test_queue_reject, fixture_tear_down);
  g_test_add ("/ui/pipeline/queue-accept", Fixture, NULL,
              fixture_set_up, test_queue_accept, fixture_tear_down);
  g_test_add ("/ui/pipeline/setting-keeps-column-shown", Fixture, NULL,
              fixture_set_up, test_setting_keeps_column_shown, fixture_tear_down);
  g_test_add ("/ui/pipeline/card-follows-renames", Fixture, NULL,
              fixture_set_up, test_card_follows_renames, fixture_tear_down);
  g_test_add ("/ui/pipeline/card-stalled-follows-stage", Fixture, NULL,
              fixture_set_up, test_card_stalled_follows_stage, fixture_tear_down);
  g_test_add ("/ui/pipeline/rebuild-shows-selected-card", Fixture, NULL,
              fixture_set_up, test_rebuild_shows_selected_card, fixture_tear_down);
  g_test_add ("/ui/pipeline/move-focused-card", Fixture, NULL,
              fixture_set_up, test_move_focused_card, fixture_tear_down);

  return g_test_run ();
}
