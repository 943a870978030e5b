/* tandem-lead-board.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "tandem-lead-board.h"
#include "tandem-lead-card.h"
#include "tandem-lead-query.h"
#include "tandem-move-dialog.h"

/* One sum of the open deals per column after a burst of changes (an import,
 * a rescore) is enough. */
#define VALUE_DELAY_MS 500

typedef struct
{
  TandemLeadBoard    *board;
  char               *stage;
  char               *name;
  GtkWidget          *widget;
  GtkLabel           *count_label;
  GtkLabel           *value_label;
  GtkGridView        *grid_view;
  GtkSingleSelection *selection;
  TandemRecordList   *leads;
  guint               scroll_tick_id;
} Column;

struct _TandemLeadBoard
{
  AdwBin            parent_instance;

  TandemStore      *store;
  gulong            changed_handler;
  GPtrArray        *columns;
  GMenu            *card_menu;
  /* Company and member id → name; cards on screen ask for them on every
   * bind, and a board holds few distinct owners. */
  GHashTable       *company_names;
  GHashTable       *owner_names;
  /* Stage key → its stalled_days (a gint64), read from the stage
   * definitions the first time a card of that stage is bound: every bind
   * asks whether its lead has stalled, and reading the definition each
   * time was a query per card. Emptied whenever a stage definition changes
   * (on_store_changed()), which also rebuilds the columns and so binds
   * every card again with the new thresholds. */
  GHashTable       *stalled_days;
  /* The list items with a card bound (not owned), and the idle that binds
   * them again after a company or member changed: a rename binds no card
   * by itself, so the cards on screen would keep the old name. */
  GHashTable       *bound_items;
  guint             names_id;
  char             *selected_id;
  gboolean          syncing_selection;
  guint             rebuild_id;
  /* The rebuild waits for a stage definition to change, or for a setting
   * to change which stages the board shows. */
  gboolean          rebuild_always;
  guint             value_id;
  GCancellable     *value_cancellable;

  GtkScrolledWindow *scrolled_window;
  GtkBox           *columns_box;
};

G_DEFINE_FINAL_TYPE (TandemLeadBoard, tandem_lead_board, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SELECTED_ID,
  N_PROPS
};

enum {
  LEAD_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
column_free (Column *column)
{
  g_clear_object (&column->leads);
  g_free (column->stage);
  g_free (column->name);
  g_free (column);
}

static Column *
find_column (TandemLeadBoard *self,
             const char      *stage)
{
  if (self->columns == NULL || stage == NULL)
    return NULL;

  for (guint i = 0; i < self->columns->len; i++)
    {
      Column *column = g_ptr_array_index (self->columns, i);

      if (g_strcmp0 (column->stage, stage) == 0)
        return column;
    }

  return NULL;
}

static char *
format_money (TandemStore *store,
              gint64       amount_minor)
{
  g_autofree char *currency = tandem_store_get_setting (store, "currency", "USD");
  static const struct
  {
    const char *code;
    const char *symbol;
  } symbols[] = {
    { "USD", "$" }, { "EUR", "€" }, { "GBP", "£" }, { "JPY", "¥" }, { "INR", "₹" },
  };
  double amount = amount_minor / 100.0;

  for (guint i = 0; i < G_N_ELEMENTS (symbols); i++)
    {
      if (g_ascii_strcasecmp (currency, symbols[i].code) == 0)
        return g_strdup_printf ("%s%'.0f", symbols[i].symbol, amount);
    }

  /* Translators: an amount and an ISO currency code, "12,500 CHF". */
  return g_strdup_printf (_("%'.0f %s"), amount, currency);
}

static void
update_count (Column *column)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (column->leads));
  g_autofree char *text = g_strdup_printf ("%'u", n_items);
  g_autofree char *description = NULL;

  gtk_label_set_label (column->count_label, text);

  description = g_strdup_printf (ngettext ("%u lead", "%u leads", n_items), n_items);
  gtk_widget_set_tooltip_text (GTK_WIDGET (column->count_label), description);

  /* The cards are a grid to a screen reader; its name says which stage
   * and how long the column is. */
  if (column->grid_view != NULL)
    {
      g_autofree char *label = NULL;

      /* Translators: a board column's accessible name, "MQL, 67,705 leads". */
      label = g_strdup_printf (ngettext ("%s, %'u lead", "%s, %'u leads", n_items),
                               column->name, n_items);
      gtk_accessible_update_property (GTK_ACCESSIBLE (column->grid_view),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      -1);
    }
}

/* Deal values. */

typedef struct
{
  char      *path;
  GPtrArray *stages;
  /* -1 where the column was too long to sum. */
  GArray    *sums;
} ValueTask;

static void
value_task_free (ValueTask *task)
{
  g_free (task->path);
  g_ptr_array_unref (task->stages);
  g_clear_pointer (&task->sums, g_array_unref);
  g_free (task);
}

static void
sum_values_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ValueTask *data = task_data;
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(GError) error = NULL;

  /* Its own connection: the main thread's store is not thread safe. */
  store = tandem_store_open (data->path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->sums = g_array_new (FALSE, TRUE, sizeof (gint64));

  for (guint i = 0; i < data->stages->len; i++)
    {
      gint64 sum = tandem_pipeline_sum_open_deals (store, g_ptr_array_index (data->stages, i));

      g_array_append_val (data->sums, sum);
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  g_task_return_boolean (task, TRUE);
}

static void
on_values_ready (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TandemLeadBoard *self = TANDEM_LEAD_BOARD (object);
  ValueTask *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not sum the open deals: %s", error->message);
      return;
    }

  for (guint i = 0; i < data->stages->len && i < data->sums->len; i++)
    {
      Column *column = find_column (self, g_ptr_array_index (data->stages, i));
      gint64 sum = g_array_index (data->sums, gint64, i);
      g_autofree char *text = NULL;

      if (column == NULL)
        continue;

      /* Stages without open deals (most of them) show nothing rather than
       * a row of zeroes. */
      if (sum > 0)
        text = format_money (self->store, sum);

      gtk_label_set_label (column->value_label, text != NULL ? text : "");
      gtk_widget_set_visible (GTK_WIDGET (column->value_label), text != NULL);
    }
}

static void
start_value_sum (TandemLeadBoard *self)
{
  g_autoptr(GTask) task = NULL;
  ValueTask *data;
  const char *path;

  g_clear_handle_id (&self->value_id, g_source_remove);
  g_cancellable_cancel (self->value_cancellable);
  g_clear_object (&self->value_cancellable);

  if (self->store == NULL || self->columns == NULL ||
      (path = tandem_store_get_path (self->store)) == NULL)
    return;

  data = g_new0 (ValueTask, 1);
  data->path = g_strdup (path);
  data->stages = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->columns->len; i++)
    {
      Column *column = g_ptr_array_index (self->columns, i);

      g_ptr_array_add (data->stages, g_strdup (column->stage));
    }

  self->value_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->value_cancellable, on_values_ready, NULL);
  g_task_set_source_tag (task, start_value_sum);
  g_task_set_task_data (task, data, (GDestroyNotify) value_task_free);
  g_task_run_in_thread (task, sum_values_thread);
}

static gboolean
on_value_timeout (gpointer user_data)
{
  TandemLeadBoard *self = user_data;

  self->value_id = 0;
  start_value_sum (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_value_sum (TandemLeadBoard *self)
{
  g_clear_handle_id (&self->value_id, g_source_remove);
  self->value_id = g_timeout_add (VALUE_DELAY_MS, on_value_timeout, self);
}

/* Cards. */

static const char *
lookup_name (TandemLeadBoard *self,
             GHashTable      *cache,
             GType            type,
             const char      *id)
{
  g_autoptr(TandemRecord) record = NULL;
  const char *name;

  if (id == NULL || *id == '\0')
    return NULL;

  if (g_hash_table_lookup_extended (cache, id, NULL, (gpointer *)&name))
    return name;

  record = tandem_store_get (self->store, type, id, NULL);
  name = record != NULL ? tandem_record_get_text (record, "name") : NULL;
  g_hash_table_insert (cache, g_strdup (id), g_strdup (name));

  return g_hash_table_lookup (cache, id);
}

/* Whether @lead has waited longer than its stage allows
 * (tandem_pipeline_is_stalled()), with each stage's threshold read once. */
static gboolean
is_stalled (TandemLeadBoard *self,
            TandemLead      *lead,
            gint64           now_ms)
{
  const char *stage = tandem_record_get_text (TANDEM_RECORD (lead), "stage");
  gint64 *days;

  if (stage == NULL)
    stage = TANDEM_STAGE_LEAD;

  days = g_hash_table_lookup (self->stalled_days, stage);
  if (days == NULL)
    {
      g_autoptr(TandemRecord) definition = tandem_pipeline_get_stage (self->store, stage, NULL);

      days = g_new (gint64, 1);
      *days = definition != NULL ? tandem_record_get_int (definition, "stalled_days") : 0;
      g_hash_table_insert (self->stalled_days, g_strdup (stage), days);
    }

  return tandem_pipeline_is_stalled_after (lead, *days, now_ms);
}

static void
on_card_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               TandemLeadBoard          *self)
{
  GtkWidget *card = tandem_lead_card_new ();

  tandem_lead_card_set_menu_model (TANDEM_LEAD_CARD (card), G_MENU_MODEL (self->card_menu));
  gtk_list_item_set_child (item, card);
}

static void
on_card_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              TandemLeadBoard          *self)
{
  TandemLeadCard *card = TANDEM_LEAD_CARD (gtk_list_item_get_child (item));
  TandemLead *lead = gtk_list_item_get_item (item);
  TandemRecord *record = TANDEM_RECORD (lead);
  g_autofree char *label = NULL;
  g_autofree char *name = NULL;
  const char *company;
  const char *owner;
  const char *grade;
  gboolean stalled;

  company = lookup_name (self, self->company_names, TANDEM_TYPE_COMPANY,
                         tandem_record_get_text (record, "company_id"));
  owner = lookup_name (self, self->owner_names, TANDEM_TYPE_MEMBER,
                       tandem_record_get_text (record, "owner_id"));
  stalled = is_stalled (self, lead, g_get_real_time () / 1000);

  tandem_lead_card_bind (card, lead, company, owner, stalled);
  g_hash_table_add (self->bound_items, item);

  /* The list item, not the card, is what keyboard focus lands on. The
   * card draws its grade as a letter in a coloured pill, which says
   * nothing to a screen reader: the label says what it is. */
  name = tandem_lead_dup_display_name (lead);
  grade = tandem_record_get_text (record, "grade");
  if (grade != NULL)
    /* Translators: what a screen reader says of a card on the board: the
     * lead's name, company, fit grade (A to D) and score. */
    label = g_strdup_printf (_("%s, %s, fit grade %s, score %d"),
                             name != NULL ? name : "", company != NULL ? company : "", grade,
                             (int) tandem_record_get_int (record, "score"));
  else
    /* Translators: the same for a lead without a grade. */
    label = g_strdup_printf (_("%s, %s, score %d"),
                             name != NULL ? name : "", company != NULL ? company : "",
                             (int) tandem_record_get_int (record, "score"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (card),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
on_card_unbind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                TandemLeadBoard          *self)
{
  g_hash_table_remove (self->bound_items, item);
  tandem_lead_card_unbind (TANDEM_LEAD_CARD (gtk_list_item_get_child (item)));
}

static gboolean
on_names_idle (gpointer user_data)
{
  TandemLeadBoard *self = user_data;
  g_autoptr(GList) items = g_hash_table_get_keys (self->bound_items);

  self->names_id = 0;
  for (GList *l = items; l != NULL; l = l->next)
    on_card_bind (NULL, l->data, self);

  return G_SOURCE_REMOVE;
}

/* Selection: one card on the whole board, like a single list. */

static void
set_selected_id (TandemLeadBoard *self,
                 const char      *id)
{
  if (g_strcmp0 (self->selected_id, id) == 0)
    return;

  g_free (self->selected_id);
  self->selected_id = g_strdup (id);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "board.move-to", id != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_ID]);
}

static void
on_column_selected (GtkSingleSelection *selection,
                    GParamSpec         *pspec,
                    Column             *column)
{
  TandemLeadBoard *self = column->board;
  g_autoptr(TandemRecord) lead = NULL;

  if (self->syncing_selection)
    return;

  lead = g_list_model_get_item (G_LIST_MODEL (selection),
                                gtk_single_selection_get_selected (selection));
  if (lead == NULL)
    {
      /* A column losing its card to a reload keeps the board's choice; the
       * card shows up again in the column it moved to. */
      return;
    }

  self->syncing_selection = TRUE;
  for (guint i = 0; i < self->columns->len; i++)
    {
      Column *other = g_ptr_array_index (self->columns, i);

      if (other != column)
        gtk_single_selection_set_selected (other->selection, GTK_INVALID_LIST_POSITION);
    }
  self->syncing_selection = FALSE;

  set_selected_id (self, tandem_record_get_id (lead));
}

static void
on_column_items_changed (GListModel *model,
                         guint       position,
                         guint       removed,
                         guint       added,
                         Column     *column)
{
  TandemLeadBoard *self = column->board;
  guint found;

  update_count (column);

  /* A moved card arrives in its new column unselected; following it keeps
   * the keyboard user's place. */
  if (self->selected_id == NULL || self->syncing_selection)
    return;

  found = tandem_record_list_find (column->leads, self->selected_id);
  if (found != G_MAXUINT && gtk_single_selection_get_selected (column->selection) != found)
    {
      self->syncing_selection = TRUE;
      gtk_single_selection_set_selected (column->selection, found);
      self->syncing_selection = FALSE;
    }
}

static gboolean
on_scroll_tick (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  Column *column = user_data;
  guint selected;

  if (gtk_widget_get_height (widget) <= 0)
    return G_SOURCE_CONTINUE;

  column->scroll_tick_id = 0;
  selected = gtk_single_selection_get_selected (column->selection);
  if (selected != GTK_INVALID_LIST_POSITION)
    gtk_widget_activate_action (widget, "list.scroll-to-item", "u", selected);

  return G_SOURCE_REMOVE;
}

/* Brings the column's selected card into view. GTK 4.8 has no
 * gtk_grid_view_scroll_to(): the view's own action does it, but asked
 * before the view has a size (a column just built, a board not yet shown)
 * it leaves the view blank until it is scrolled by hand; the scroll then
 * waits for a frame in which the view has its size. */
static void
scroll_to_selected (Column *column)
{
  GtkWidget *view = GTK_WIDGET (column->grid_view);
  guint selected = gtk_single_selection_get_selected (column->selection);

  if (selected == GTK_INVALID_LIST_POSITION)
    return;

  if (gtk_widget_get_mapped (view) && gtk_widget_get_height (view) > 0)
    {
      gtk_widget_activate_action (view, "list.scroll-to-item", "u", selected);
      return;
    }

  if (column->scroll_tick_id == 0)
    column->scroll_tick_id = gtk_widget_add_tick_callback (view, on_scroll_tick, column, NULL);
}

static void
on_grid_activate (GtkGridView *grid_view,
                  guint        position,
                  Column      *column)
{
  g_autoptr(TandemLead) lead = NULL;

  lead = g_list_model_get_item (G_LIST_MODEL (column->selection), position);
  if (lead != NULL)
    g_signal_emit (column->board, signals[LEAD_ACTIVATED], 0, lead);
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         Column        *column)
{
  const char *id;

  if (!G_VALUE_HOLDS_STRING (value) || (id = g_value_get_string (value)) == NULL)
    return FALSE;

  return tandem_lead_board_move_lead (column->board, id, column->stage);
}

/* The lists inside the columns take every scroll event, sideways ones too,
 * so a sideways scroll (or Shift and the wheel) over the cards is passed to
 * the board before they see it. */
static gboolean
on_column_scroll (GtkEventControllerScroll *controller,
                  double                    dx,
                  double                    dy,
                  TandemLeadBoard          *self)
{
  GdkModifierType state;
  GtkAdjustment *adjustment;
  double delta = dx;

  state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  if ((state & GDK_SHIFT_MASK) != 0 && dx == 0)
    delta = dy;

  if (delta == 0)
    return GDK_EVENT_PROPAGATE;

  if (gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_WHEEL)
    delta *= 60;

  adjustment = gtk_scrolled_window_get_hadjustment (self->scrolled_window);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + delta);

  return GDK_EVENT_STOP;
}

static char *
dup_stage_name (TandemRecord *definition)
{
  const char *name = tandem_record_get_text (definition, "name");
  const char *key = tandem_record_get_text (definition, "key");

  return g_strdup (name != NULL && *name != '\0' ? name : key);
}

static Column *
create_column (TandemLeadBoard *self,
               TandemRecord    *definition)
{
  const char *stage = tandem_record_get_text (definition, "key");
  const char *stages[] = { stage, NULL };
  g_autofree char *name = dup_stage_name (definition);
  g_autoptr(TandemLeadQuery) query = tandem_lead_query_new ();
  GtkListItemFactory *factory;
  GtkEventController *scroll;
  GtkDropTarget *target;
  GtkWidget *header;
  GtkWidget *title;
  GtkWidget *scrolled;
  const char *description;
  Column *column;

  column = g_new0 (Column, 1);
  column->board = self;
  column->stage = g_strdup (stage);
  column->name = g_strdup (name);

  /* Best first: the cards a person should work on next are on top. */
  tandem_lead_query_set_stages (query, stages);
  tandem_lead_query_set_sort (query, TANDEM_LEAD_SORT_SCORE, TRUE);

  /* A commit that changes a lead touches only the columns it leaves and
   * enters, and moves just its card there: the list places it with a
   * lookup or two instead of running the column's query again. */
  column->leads = tandem_lead_query_create_list (query, self->store);

  column->widget = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (column->widget, "board-column");
  if (tandem_stage_is_exit (stage))
    {
      /* Exits are where leads leave the funnel: they take less room than
       * the stages people work in. */
      gtk_widget_add_css_class (column->widget, "exit-column");
      gtk_widget_set_size_request (column->widget, 220, -1);
    }
  else
    gtk_widget_set_size_request (column->widget, 272, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (column->widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);

  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (header, "board-column-header");
  description = tandem_record_get_text (definition, "definition");
  if (description != NULL && *description != '\0')
    gtk_widget_set_tooltip_text (header, description);

  title = gtk_label_new (name);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (header), title);

  column->count_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (column->count_label), "board-count");
  gtk_widget_add_css_class (GTK_WIDGET (column->count_label), "numeric");
  gtk_widget_set_valign (GTK_WIDGET (column->count_label), GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (column->count_label));

  column->value_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (column->value_label, 1);
  gtk_widget_set_hexpand (GTK_WIDGET (column->value_label), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (column->value_label), FALSE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (column->value_label), _("Value of the open deals"));
  gtk_widget_add_css_class (GTK_WIDGET (column->value_label), "numeric");
  gtk_widget_add_css_class (GTK_WIDGET (column->value_label), "dim-label");
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (column->value_label));

  gtk_box_append (GTK_BOX (column->widget), header);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (on_card_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (on_card_bind), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_card_unbind), self);

  column->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (column->leads)));
  gtk_single_selection_set_autoselect (column->selection, FALSE);
  gtk_single_selection_set_can_unselect (column->selection, TRUE);
  gtk_single_selection_set_selected (column->selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect (column->selection, "notify::selected",
                    G_CALLBACK (on_column_selected), column);
  g_signal_connect (column->leads, "items-changed",
                    G_CALLBACK (on_column_items_changed), column);

  /* A grid of one column rather than a GtkListView: GTK 4.8's list view
   * keeps some 200 rows alive around its place however few are on screen,
   * a few hundred cards per column on a large workspace (tens of MB, and
   * a jump of the scrollbar binds them all again in one frame); the grid
   * view keeps little more than the cards it shows. */
  column->grid_view = GTK_GRID_VIEW (gtk_grid_view_new (GTK_SELECTION_MODEL (column->selection),
                                                        factory));
  gtk_grid_view_set_max_columns (column->grid_view, 1);
  gtk_grid_view_set_single_click_activate (column->grid_view, FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (column->grid_view), "board-list");
  g_signal_connect (column->grid_view, "activate", G_CALLBACK (on_grid_activate), column);

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (column->grid_view));
  gtk_box_append (GTK_BOX (column->widget), scrolled);

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_column_scroll), self);
  gtk_widget_add_controller (column->widget, scroll);

  target = gtk_drop_target_new (G_TYPE_STRING, GDK_ACTION_MOVE);
  g_signal_connect (target, "drop", G_CALLBACK (on_drop), column);
  gtk_widget_add_controller (column->widget, GTK_EVENT_CONTROLLER (target));

  update_count (column);

  return column;
}

static void
clear_columns (TandemLeadBoard *self)
{
  GtkWidget *child;

  if (self->columns != NULL)
    {
      for (guint i = 0; i < self->columns->len; i++)
        {
          Column *column = g_ptr_array_index (self->columns, i);

          g_signal_handlers_disconnect_by_data (column->leads, column);
          if (column->scroll_tick_id != 0)
            gtk_widget_remove_tick_callback (GTK_WIDGET (column->grid_view),
                                             column->scroll_tick_id);
          column->scroll_tick_id = 0;
        }
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->columns_box))) != NULL)
    gtk_box_remove (self->columns_box, child);

  g_clear_pointer (&self->columns, g_ptr_array_unref);
  g_menu_remove_all (self->card_menu);
}

static void
rebuild_columns (TandemLeadBoard *self)
{
  g_autoptr(GPtrArray) stages = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMenu) move_section = g_menu_new ();
  g_autoptr(GMenu) open_section = g_menu_new ();
  g_autofree char *selected = g_strdup (self->selected_id);

  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  clear_columns (self);

  if (self->store == NULL)
    return;

  stages = tandem_pipeline_list_stages (self->store, TRUE, &error);
  if (stages == NULL)
    {
      g_warning ("Could not list the stages: %s", error->message);
      return;
    }

  self->columns = g_ptr_array_new_with_free_func ((GDestroyNotify) column_free);

  for (guint i = 0; i < stages->len; i++)
    {
      TandemRecord *definition = g_ptr_array_index (stages, i);
      g_autofree char *name = dup_stage_name (definition);
      g_autofree char *action = NULL;
      Column *column;

      column = create_column (self, definition);
      g_ptr_array_add (self->columns, column);
      gtk_box_append (self->columns_box, column->widget);

      action = g_strdup_printf ("board.move-to('%s')", column->stage);
      g_menu_append (move_section, name, action);
    }

  g_menu_append (open_section, _("_Open"), "board.open-selected");
  g_menu_append_section (self->card_menu, NULL, G_MENU_MODEL (open_section));
  g_menu_append_section (self->card_menu, _("Move To"), G_MENU_MODEL (move_section));

  if (selected != NULL)
    tandem_lead_board_select_lead (self, selected);

  schedule_value_sum (self);
}

/* Whether the board's columns are still the stages it would show. */
static gboolean
columns_match_stages (TandemLeadBoard *self)
{
  g_autoptr(GPtrArray) stages = NULL;
  g_autoptr(GError) error = NULL;

  if (self->columns == NULL || self->store == NULL)
    return FALSE;

  stages = tandem_pipeline_list_stages (self->store, TRUE, &error);
  if (stages == NULL || stages->len != self->columns->len)
    return FALSE;

  for (guint i = 0; i < stages->len; i++)
    {
      Column *column = g_ptr_array_index (self->columns, i);

      if (g_strcmp0 (tandem_record_get_text (g_ptr_array_index (stages, i), "key"),
                     column->stage) != 0)
        return FALSE;
    }

  return TRUE;
}

static gboolean
on_rebuild_idle (gpointer user_data)
{
  TandemLeadBoard *self = user_data;
  gboolean always = self->rebuild_always;

  self->rebuild_id = 0;
  self->rebuild_always = FALSE;

  /* Most settings are not the board's (a move writes who was routed a
   * lead last): building every column again would lose each column's
   * place and bind all its cards anew. */
  if (!always && columns_match_stages (self))
    return G_SOURCE_REMOVE;

  rebuild_columns (self);

  return G_SOURCE_REMOVE;
}

static void
on_store_changed (TandemStore      *store,
                  const char       *table,
                  const char       *row_id,
                  TandemChangeKind  kind,
                  TandemLeadBoard  *self)
{
  /* Rebuilt from an idle: the lists of the old columns are still handling
   * this very notification. */
  if (g_strcmp0 (table, "stage_definitions") == 0)
    {
      self->rebuild_always = TRUE;
      g_hash_table_remove_all (self->stalled_days);
    }

  if ((g_strcmp0 (table, "stage_definitions") == 0 || g_strcmp0 (table, "settings") == 0) &&
      self->rebuild_id == 0)
    self->rebuild_id = g_idle_add (on_rebuild_idle, self);

  if (g_strcmp0 (table, "companies") == 0)
    g_hash_table_remove_all (self->company_names);
  else if (g_strcmp0 (table, "members") == 0)
    g_hash_table_remove_all (self->owner_names);

  /* One pass over the cards on screen for all the changes of a commit. */
  if ((g_strcmp0 (table, "companies") == 0 || g_strcmp0 (table, "members") == 0) &&
      self->names_id == 0)
    self->names_id = g_idle_add (on_names_idle, self);

  if (g_strcmp0 (table, "deals") == 0 || g_strcmp0 (table, "leads") == 0 ||
      g_strcmp0 (table, "settings") == 0)
    schedule_value_sum (self);
}

/* Actions. */

static TandemLead *
get_selected_lead (TandemLeadBoard *self)
{
  if (self->store == NULL || self->selected_id == NULL)
    return NULL;

  return tandem_store_get (self->store, TANDEM_TYPE_LEAD, self->selected_id, NULL);
}

static void
move_to_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TandemLeadBoard *self = TANDEM_LEAD_BOARD (widget);

  if (self->selected_id != NULL)
    tandem_lead_board_move_lead (self, self->selected_id, g_variant_get_string (parameter, NULL));
}

/* The card keyboard focus is on, if it is on one of the board's: Tab
 * and the arrows with Ctrl move focus without selecting. */
static TandemLeadCard *
get_focused_card (TandemLeadBoard *self,
                  Column         **column_out)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (focus == NULL || self->columns == NULL)
    return NULL;

  for (guint i = 0; i < self->columns->len; i++)
    {
      Column *column = g_ptr_array_index (self->columns, i);

      if (!gtk_widget_is_ancestor (focus, GTK_WIDGET (column->grid_view)))
        continue;

      /* The grid's cell, or a widget inside the card. */
      for (GtkWidget *child = focus; child != NULL; child = gtk_widget_get_first_child (child))
        if (TANDEM_IS_LEAD_CARD (child))
          {
            *column_out = column;
            return TANDEM_LEAD_CARD (child);
          }
      for (GtkWidget *parent = focus; parent != NULL; parent = gtk_widget_get_parent (parent))
        if (TANDEM_IS_LEAD_CARD (parent))
          {
            *column_out = column;
            return TANDEM_LEAD_CARD (parent);
          }
    }

  return NULL;
}

/* A move by the keyboard is of the card focus is on; the selection follows
 * it there first, so the card stays selected in its new column. */
static void
select_focused_card (TandemLeadBoard *self)
{
  Column *column = NULL;
  TandemLeadCard *card = get_focused_card (self, &column);
  TandemLead *lead = card != NULL ? tandem_lead_card_get_lead (card) : NULL;
  guint position;

  if (lead == NULL)
    return;

  position = tandem_record_list_find (column->leads, tandem_record_get_id (TANDEM_RECORD (lead)));
  if (position != G_MAXUINT)
    gtk_single_selection_set_selected (column->selection, position);
}

static void
move_step_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TandemLeadBoard *self = TANDEM_LEAD_BOARD (widget);
  g_autoptr(TandemLead) lead = NULL;
  int step = g_str_equal (action_name, "board.move-next") ? 1 : -1;
  const char *stage;
  int index = -1;

  select_focused_card (self);
  lead = get_selected_lead (self);
  if (lead == NULL || self->columns == NULL)
    return;

  stage = tandem_record_get_text (TANDEM_RECORD (lead), "stage");
  for (guint i = 0; i < self->columns->len; i++)
    {
      Column *column = g_ptr_array_index (self->columns, i);

      if (g_strcmp0 (column->stage, stage) == 0)
        index = i;
    }

  /* Next and previous walk the funnel; the exits are reached by name from
   * the card's menu, never by a stray key press. */
  if (index < 0 || tandem_stage_is_exit (stage))
    return;

  index += step;
  if (index < 0 || index >= (int)self->columns->len)
    return;

  stage = ((Column *)g_ptr_array_index (self->columns, index))->stage;
  if (tandem_stage_is_exit (stage))
    return;

  tandem_lead_board_move_lead (self, self->selected_id, stage);
}

static void
select_lead_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  tandem_lead_board_select_lead (TANDEM_LEAD_BOARD (widget),
                                 g_variant_get_string (parameter, NULL));
}

static void
open_selected_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TandemLeadBoard *self = TANDEM_LEAD_BOARD (widget);
  g_autoptr(TandemLead) lead = get_selected_lead (self);

  if (lead != NULL)
    g_signal_emit (self, signals[LEAD_ACTIVATED], 0, lead);
}

static void
open_menu_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  /* Focus is on the grid cell that holds the card. */
  for (GtkWidget *child = focus; child != NULL; child = gtk_widget_get_first_child (child))
    {
      if (TANDEM_IS_LEAD_CARD (child))
        {
          tandem_lead_card_popup_menu (TANDEM_LEAD_CARD (child));
          return;
        }
      if (GTK_IS_GRID_VIEW (child))
        break;
    }
}

static void
tandem_lead_board_dispose (GObject *object)
{
  TandemLeadBoard *self = TANDEM_LEAD_BOARD (object);

  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  g_clear_handle_id (&self->value_id, g_source_remove);
  g_clear_handle_id (&self->names_id, g_source_remove);
  g_cancellable_cancel (self->value_cancellable);
  g_clear_object (&self->value_cancellable);
  g_clear_signal_handler (&self->changed_handler, self->store);

  if (self->columns_box != NULL)
    clear_columns (self);

  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TANDEM_TYPE_LEAD_BOARD);

  g_clear_object (&self->store);
  g_clear_object (&self->card_menu);

  G_OBJECT_CLASS (tandem_lead_board_parent_class)->dispose (object);
}

static void
tandem_lead_board_finalize (GObject *object)
{
  TandemLeadBoard *self = TANDEM_LEAD_BOARD (object);

  g_clear_pointer (&self->company_names, g_hash_table_unref);
  g_clear_pointer (&self->owner_names, g_hash_table_unref);
  g_clear_pointer (&self->stalled_days, g_hash_table_unref);
  g_clear_pointer (&self->bound_items, g_hash_table_unref);
  g_free (self->selected_id);

  G_OBJECT_CLASS (tandem_lead_board_parent_class)->finalize (object);
}

static void
tandem_lead_board_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TandemLeadBoard *self = TANDEM_LEAD_BOARD (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SELECTED_ID:
      g_value_set_string (value, self->selected_id);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_lead_board_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  TandemLeadBoard *self = TANDEM_LEAD_BOARD (object);

  switch (prop_id)
    {
    case PROP_STORE:
      tandem_lead_board_set_store (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_lead_board_class_init (TandemLeadBoardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tandem_lead_board_dispose;
  object_class->finalize = tandem_lead_board_finalize;
  object_class->get_property = tandem_lead_board_get_property;
  object_class->set_property = tandem_lead_board_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         TANDEM_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SELECTED_ID] =
    g_param_spec_string ("selected-id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TandemLeadBoard::lead-activated:
   * @lead: the TandemLead whose card was activated
   */
  signals[LEAD_ACTIVATED] =
    g_signal_new ("lead-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, TANDEM_TYPE_LEAD);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tandemdesk/Tandem/"
                                               "tandem-lead-board.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemLeadBoard, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadBoard, columns_box);

  gtk_widget_class_install_action (widget_class, "board.move-to", "s", move_to_action);
  gtk_widget_class_install_action (widget_class, "board.move-next", NULL, move_step_action);
  gtk_widget_class_install_action (widget_class, "board.move-previous", NULL, move_step_action);
  gtk_widget_class_install_action (widget_class, "board.select-lead", "s", select_lead_action);
  gtk_widget_class_install_action (widget_class, "board.open-selected", NULL,
                                   open_selected_action);
  gtk_widget_class_install_action (widget_class, "board.open-menu", NULL, open_menu_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK,
                                       "board.open-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0,
                                       "board.open-menu", NULL);
}

static void
tandem_lead_board_init (TandemLeadBoard *self)
{
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Ctrl+Shift+Left and Right are also the cards' grids' own bindings
   * (extend the selection sideways), which take the key press on its way
   * up from a focused card before a binding of the board's class would
   * see it: the board's moves are heard on the way down. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Right,
                                                                                  GDK_CONTROL_MASK |
                                                                                  GDK_SHIFT_MASK),
                                                          gtk_named_action_new ("board.move-next")));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Left,
                                                                                  GDK_CONTROL_MASK |
                                                                                  GDK_SHIFT_MASK),
                                                          gtk_named_action_new ("board.move-previous")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  self->card_menu = g_menu_new ();
  self->company_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->owner_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->stalled_days = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->bound_items = g_hash_table_new (NULL, NULL);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "board.move-to", FALSE);
}

GtkWidget *
tandem_lead_board_new (void)
{
  return g_object_new (TANDEM_TYPE_LEAD_BOARD, NULL);
}

TandemStore *
tandem_lead_board_get_store (TandemLeadBoard *self)
{
  g_return_val_if_fail (TANDEM_IS_LEAD_BOARD (self), NULL);

  return self->store;
}

void
tandem_lead_board_set_store (TandemLeadBoard *self,
                             TandemStore     *store)
{
  g_return_if_fail (TANDEM_IS_LEAD_BOARD (self));
  g_return_if_fail (store == NULL || TANDEM_IS_STORE (store));

  if (self->store == store)
    return;

  g_clear_signal_handler (&self->changed_handler, self->store);
  g_hash_table_remove_all (self->company_names);
  g_hash_table_remove_all (self->owner_names);
  g_hash_table_remove_all (self->stalled_days);
  set_selected_id (self, NULL);
  clear_columns (self);
  g_set_object (&self->store, store);

  if (store != NULL)
    {
      self->changed_handler = g_signal_connect (store, "changed",
                                                G_CALLBACK (on_store_changed), self);
      rebuild_columns (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

char **
tandem_lead_board_dup_column_stages (TandemLeadBoard *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (TANDEM_IS_LEAD_BOARD (self), NULL);

  for (guint i = 0; self->columns != NULL && i < self->columns->len; i++)
    g_strv_builder_add (builder, ((Column *)g_ptr_array_index (self->columns, i))->stage);

  return g_strv_builder_end (builder);
}

GtkWidget *
tandem_lead_board_get_column (TandemLeadBoard *self,
                              const char      *stage)
{
  Column *column;

  g_return_val_if_fail (TANDEM_IS_LEAD_BOARD (self), NULL);

  column = find_column (self, stage);

  return column != NULL ? column->widget : NULL;
}

GListModel *
tandem_lead_board_get_column_model (TandemLeadBoard *self,
                                    const char      *stage)
{
  Column *column;

  g_return_val_if_fail (TANDEM_IS_LEAD_BOARD (self), NULL);

  column = find_column (self, stage);

  return column != NULL ? G_LIST_MODEL (column->leads) : NULL;
}

gboolean
tandem_lead_board_select_lead (TandemLeadBoard *self,
                               const char      *id)
{
  Column *found_column = NULL;
  guint found = G_MAXUINT;

  g_return_val_if_fail (TANDEM_IS_LEAD_BOARD (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  for (guint i = 0; self->columns != NULL && i < self->columns->len; i++)
    {
      Column *column = g_ptr_array_index (self->columns, i);

      found = tandem_record_list_find (column->leads, id);
      if (found != G_MAXUINT)
        {
          found_column = column;
          break;
        }
    }

  if (found_column == NULL)
    return FALSE;

  gtk_single_selection_set_selected (found_column->selection, found);
  scroll_to_selected (found_column);

  return TRUE;
}

const char *
tandem_lead_board_get_selected_id (TandemLeadBoard *self)
{
  g_return_val_if_fail (TANDEM_IS_LEAD_BOARD (self), NULL);

  return self->selected_id;
}

gboolean
tandem_lead_board_move_lead (TandemLeadBoard *self,
                             const char      *id,
                             const char      *stage)
{
  g_autoptr(TandemLead) lead = NULL;
  g_autoptr(GPtrArray) leads = NULL;
  g_autoptr(GError) error = NULL;
  Column *column;

  g_return_val_if_fail (TANDEM_IS_LEAD_BOARD (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (stage != NULL, FALSE);

  if (self->store == NULL)
    return FALSE;

  lead = tandem_store_get (self->store, TANDEM_TYPE_LEAD, id, &error);
  if (lead == NULL)
    {
      g_debug ("Could not load lead %s to move it: %s", id, error->message);
      return FALSE;
    }

  /* Dropping a card back where it came from is not a move. */
  if (g_strcmp0 (tandem_record_get_text (TANDEM_RECORD (lead), "stage"), stage) == 0)
    return FALSE;

  column = find_column (self, stage);
  leads = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (leads, g_steal_pointer (&lead));
  tandem_move_dialog_present (column != NULL ? column->widget : GTK_WIDGET (self),
                              self->store, leads, stage, FALSE);

  return TRUE;
}
