/* tandem-personas-view.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "tandem-icp-editor.h"
#include "tandem-persona-card.h"
#include "tandem-persona-editor.h"
#include "tandem-personas-view.h"
#include "tandem-window.h"

/* Imports and sync deliver changes in bursts; one count after the burst is
 * enough, and counting is a scan over every lead. */
#define MATCH_COUNT_DELAY_MS 300

#define ROW_ID_KEY "tandem-record-id"

struct _TandemPersonasView
{
  AdwBin               parent_instance;

  TandemStore         *store;
  TandemRecordList    *personas;
  TandemRecordList    *icps;
  /* ICP id → name, for the persona cards. */
  GHashTable          *icp_names;
  /* Record id → number of matching leads; NULL until the first count. */
  GHashTable          *match_counts;
  GCancellable        *match_cancellable;
  guint                match_timeout_id;
  guint                verify_selection_id;

  /* What the editor shows. The lists only mirror it: a rename can reorder
   * a list and drop its selection, which must not close the editor. */
  char                *selected_id;
  const char          *selected_table;
  gboolean             syncing_selection;
  gboolean             disposing;

  GtkStack            *main_stack;
  AdwLeaflet          *leaflet;
  GtkWidget           *sidebar;
  GtkSearchEntry      *search_entry;
  GtkStack            *sidebar_stack;
  GtkListBox          *icp_list_box;
  GtkFilterListModel  *icp_filter_model;
  GtkStringFilter     *icp_name_filter;
  GtkStringFilter     *icp_description_filter;
  GtkStack            *persona_stack;
  GtkGridView         *persona_grid;
  GtkSingleSelection  *persona_selection;
  GtkLabel            *personas_placeholder;
  GtkStack            *content_stack;
  TandemPersonaEditor *persona_editor;
  TandemIcpEditor     *icp_editor;
};

G_DEFINE_FINAL_TYPE (TandemPersonasView, tandem_personas_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SELECTED_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void select_record (TandemPersonasView *self,
                           const char         *table,
                           const char         *id,
                           gboolean            navigate);

static GType
table_record_type (const char *table)
{
  if (g_strcmp0 (table, "personas") == 0)
    return TANDEM_TYPE_PERSONA;
  if (g_strcmp0 (table, "icps") == 0)
    return TANDEM_TYPE_ICP;

  return G_TYPE_INVALID;
}

static const char *
intern_table (const char *table)
{
  if (g_strcmp0 (table, "personas") == 0)
    return "personas";
  if (g_strcmp0 (table, "icps") == 0)
    return "icps";

  return NULL;
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static int
lookup_match_count (TandemPersonasView *self,
                    const char         *id)
{
  gpointer value;

  if (self->match_counts == NULL || id == NULL)
    return -1;

  /* Rows that match no lead may be left out of the result. */
  if (!g_hash_table_lookup_extended (self->match_counts, id, NULL, &value))
    return 0;

  return (int)MIN (GPOINTER_TO_UINT (value), (guint)G_MAXINT);
}

static int
lookup_record_match_count (TandemPersonasView *self,
                           TandemRecord       *record)
{
  return lookup_match_count (self, tandem_record_get_id (record));
}

static char *
format_match_count (int count)
{
  if (count < 0)
    return g_strdup ("…");

  return g_strdup_printf (ngettext ("%d matching lead", "%d matching leads", count), count);
}

static void
flush_editors (TandemPersonasView *self)
{
  tandem_persona_editor_save_now (self->persona_editor);
  tandem_icp_editor_save_now (self->icp_editor);
}

static void
update_actions (TandemPersonasView *self)
{
  gboolean has_store = self->store != NULL;
  gboolean has_selection = has_store && self->selected_id != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "personas.new", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "personas.new-icp", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "personas.duplicate", has_selection);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "personas.delete", has_selection);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "personas.undo-delete", has_store);
}

static gboolean
is_searching (TandemPersonasView *self)
{
  return *gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) != '\0';
}

static void
update_states (TandemPersonasView *self)
{
  guint n_personas = g_list_model_get_n_items (G_LIST_MODEL (self->persona_selection));
  guint n_icps = g_list_model_get_n_items (G_LIST_MODEL (self->icp_filter_model));
  gboolean searching = is_searching (self);
  gboolean empty = n_personas == 0 && n_icps == 0;

  /* The big explanation is for a workspace without any persona or ICP,
   * not for a search that found nothing. */
  gtk_stack_set_visible_child_name (self->main_stack,
                                    empty && !searching ? "empty" : "main");
  gtk_stack_set_visible_child_name (self->sidebar_stack, empty ? "no-results" : "lists");
  gtk_stack_set_visible_child_name (self->persona_stack, n_personas == 0 ? "empty" : "grid");
  gtk_label_set_label (self->personas_placeholder,
                       searching ? _("No persona matches your search.")
                                 : _("No personas yet. Describe the people who buy from you "
                                     "with “New Persona”."));
}

static void
sync_list_selection (TandemPersonasView *self)
{
  guint position = GTK_INVALID_LIST_POSITION;
  GtkListBoxRow *icp_row = NULL;

  if (self->selected_id != NULL && self->selected_table != NULL)
    {
      if (g_strcmp0 (self->selected_table, "personas") == 0 && self->personas != NULL)
        {
          position = tandem_record_list_find (self->personas, self->selected_id);
          if (position == G_MAXUINT)
            position = GTK_INVALID_LIST_POSITION;
        }
      else if (g_strcmp0 (self->selected_table, "icps") == 0)
        {
          GtkListBoxRow *row;

          for (int i = 0; (row = gtk_list_box_get_row_at_index (self->icp_list_box, i)); i++)
            {
              const char *row_id = g_object_get_data (G_OBJECT (row), ROW_ID_KEY);

              if (g_strcmp0 (row_id, self->selected_id) == 0)
                {
                  icp_row = row;
                  break;
                }
            }
        }
    }

  self->syncing_selection = TRUE;

  if (gtk_single_selection_get_selected (self->persona_selection) != position)
    {
      gtk_single_selection_set_selected (self->persona_selection, position);

      /* A new, duplicated or restored persona may land outside the visible
       * part of the grid. GTK 4.8 has no gtk_grid_view_scroll_to(); the
       * list's own action is what keyboard navigation uses. */
      if (position != GTK_INVALID_LIST_POSITION)
        gtk_widget_activate_action (GTK_WIDGET (self->persona_grid),
                                    "list.scroll-to-item", "u", position);
    }

  if (icp_row != NULL)
    gtk_list_box_select_row (self->icp_list_box, icp_row);
  else
    gtk_list_box_unselect_all (self->icp_list_box);

  self->syncing_selection = FALSE;
}

static void
update_editor_counts (TandemPersonasView *self)
{
  TandemPersona *persona = tandem_persona_editor_get_record (self->persona_editor);
  TandemIcp *icp = tandem_icp_editor_get_record (self->icp_editor);

  if (persona != NULL)
    {
      int count = lookup_record_match_count (self, TANDEM_RECORD (persona));

      tandem_persona_editor_set_match_count (self->persona_editor, count);
    }
  if (icp != NULL)
    tandem_icp_editor_set_match_count (self->icp_editor,
                                       lookup_record_match_count (self, TANDEM_RECORD (icp)));
}

static void
update_icp_row (TandemPersonasView *self,
                GtkListBoxRow      *row)
{
  const char *id = g_object_get_data (G_OBJECT (row), ROW_ID_KEY);
  g_autofree char *subtitle = NULL;

  subtitle = format_match_count (lookup_match_count (self, id));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
}

static void
bind_card (TandemPersonasView *self,
           TandemPersonaCard  *card,
           TandemPersona      *persona)
{
  const char *icp_id = tandem_record_get_text (TANDEM_RECORD (persona), "icp_id");
  const char *icp_name = NULL;

  if (icp_id != NULL)
    icp_name = g_hash_table_lookup (self->icp_names, icp_id);

  tandem_persona_card_bind (card, persona, icp_name,
                            lookup_record_match_count (self, TANDEM_RECORD (persona)));
}

/* Only the cards on screen exist (the grid recycles them), so refreshing
 * them is cheap; the rest are bound with fresh data when they scroll in. */
static void
refresh_cards (TandemPersonasView *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->persona_grid));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *card = gtk_widget_get_first_child (child);
      TandemPersona *persona;

      if (!TANDEM_IS_PERSONA_CARD (card))
        continue;

      persona = tandem_persona_card_get_persona (TANDEM_PERSONA_CARD (card));
      if (persona != NULL)
        bind_card (self, TANDEM_PERSONA_CARD (card), persona);
    }
}

static void
refresh_match_counts (TandemPersonasView *self)
{
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->icp_list_box, i)) != NULL; i++)
    update_icp_row (self, row);

  refresh_cards (self);
  update_editor_counts (self);
}

static void
on_match_counts_ready (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(TandemPersonasView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) counts = NULL;

  counts = tandem_match_count_leads_finish (result, &error);

  if (counts == NULL)
    {
      /* A newer count replaced this one, or the view went away. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* The counts are a hint next to the lists, not something the person
       * asked for, so a failure keeps the last known numbers. */
      g_debug ("Could not count matching leads: %s", error->message);
      return;
    }

  if (self->disposing)
    return;

  g_clear_pointer (&self->match_counts, g_hash_table_unref);
  self->match_counts = g_steal_pointer (&counts);

  refresh_match_counts (self);
}

static void
start_match_count (TandemPersonasView *self)
{
  const char *path;

  g_clear_handle_id (&self->match_timeout_id, g_source_remove);

  if (self->match_cancellable != NULL)
    g_cancellable_cancel (self->match_cancellable);
  g_clear_object (&self->match_cancellable);

  if (self->store == NULL || (path = tandem_store_get_path (self->store)) == NULL)
    return;

  self->match_cancellable = g_cancellable_new ();
  tandem_match_count_leads_async (path, self->match_cancellable,
                                  on_match_counts_ready, g_object_ref (self));
}

static gboolean
on_match_count_timeout (gpointer user_data)
{
  TandemPersonasView *self = user_data;

  self->match_timeout_id = 0;
  start_match_count (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_match_count (TandemPersonasView *self)
{
  g_clear_handle_id (&self->match_timeout_id, g_source_remove);
  self->match_timeout_id = g_timeout_add (MATCH_COUNT_DELAY_MS, on_match_count_timeout, self);
}

static gboolean
on_verify_selection (gpointer user_data)
{
  TandemPersonasView *self = user_data;
  g_autoptr(GObject) record = NULL;
  GType type;

  self->verify_selection_id = 0;

  if (self->store == NULL || self->selected_id == NULL)
    return G_SOURCE_REMOVE;

  type = table_record_type (self->selected_table);
  record = tandem_store_get (self->store, type, self->selected_id, NULL);

  /* Deleted elsewhere (another desktop through sync, the CLI): the editor
   * must not keep showing, and saving into, a tombstone. */
  if (record == NULL)
    select_record (self, NULL, NULL, FALSE);

  return G_SOURCE_REMOVE;
}

static void
on_store_changed (TandemStore        *store,
                  const char         *table,
                  const char         *row_id,
                  TandemChangeKind    kind,
                  TandemPersonasView *self)
{
  if (g_strcmp0 (table, "leads") == 0 ||
      g_strcmp0 (table, "companies") == 0 ||
      g_strcmp0 (table, "icps") == 0 ||
      g_strcmp0 (table, "personas") == 0)
    schedule_match_count (self);

  /* Checked from an idle: changing the selection saves the editor, and
   * saving from inside the store's own notification is asking for
   * trouble. */
  if (self->selected_id != NULL &&
      g_strcmp0 (table, self->selected_table) == 0 &&
      (kind == TANDEM_CHANGE_RELOAD ||
       (kind == TANDEM_CHANGE_REMOVED && g_strcmp0 (row_id, self->selected_id) == 0)) &&
      self->verify_selection_id == 0)
    self->verify_selection_id = g_idle_add (on_verify_selection, self);
}

static void
rebuild_icp_names (TandemPersonasView *self)
{
  guint n_items;

  g_hash_table_remove_all (self->icp_names);

  if (self->icps == NULL)
    return;

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->icps));

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(TandemIcp) icp = g_list_model_get_item (G_LIST_MODEL (self->icps), i);
      const char *name = tandem_icp_get_name (icp);

      g_hash_table_insert (self->icp_names,
                           g_strdup (tandem_record_get_id (TANDEM_RECORD (icp))),
                           g_strdup (name != NULL ? name : ""));
    }
}

static void
on_icps_changed (TandemPersonasView *self)
{
  if (self->disposing)
    return;

  rebuild_icp_names (self);
  refresh_cards (self);
}

static void
on_icp_items_changed (TandemPersonasView *self)
{
  if (self->disposing)
    return;

  sync_list_selection (self);
  update_states (self);
}

static void
on_persona_items_changed (TandemPersonasView *self)
{
  if (self->disposing)
    return;

  sync_list_selection (self);
  update_states (self);
}

static GtkWidget *
create_icp_row (gpointer item,
                gpointer user_data)
{
  TandemPersonasView *self = user_data;
  TandemIcp *icp = item;
  const char *name = tandem_icp_get_name (icp);
  GtkWidget *row;
  GtkWidget *badge;
  g_autofree char *rank = NULL;

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 name != NULL && *name != '\0' ? name : _("Unnamed ICP"));
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 2);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), ROW_ID_KEY,
                          g_strdup (tandem_record_get_id (TANDEM_RECORD (icp))), g_free);

  rank = g_strdup_printf ("%" G_GINT64_FORMAT, tandem_record_get_int (TANDEM_RECORD (icp), "rank"));
  badge = gtk_label_new (rank);
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (badge, "icp-rank-badge");
  gtk_widget_set_tooltip_text (badge, _("Rank"));
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), badge);

  update_icp_row (self, GTK_LIST_BOX_ROW (row));

  return row;
}

static void
on_card_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               TandemPersonasView       *self)
{
  gtk_list_item_set_child (list_item, tandem_persona_card_new ());
}

static void
on_card_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              TandemPersonasView       *self)
{
  bind_card (self,
             TANDEM_PERSONA_CARD (gtk_list_item_get_child (list_item)),
             TANDEM_PERSONA (gtk_list_item_get_item (list_item)));
}

static void
on_persona_selected (TandemPersonasView *self)
{
  TandemRecord *record;

  if (self->syncing_selection || self->disposing)
    return;

  /* An empty selection comes from the list changing under it (a rename that
   * reorders, a search); sync_list_selection() puts it back. */
  record = gtk_single_selection_get_selected_item (self->persona_selection);
  if (record == NULL)
    return;

  select_record (self, "personas", tandem_record_get_id (record), TRUE);
}

static void
on_persona_activated (TandemPersonasView *self)
{
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

static void
on_icp_row_selected (TandemPersonasView *self,
                     GtkListBoxRow      *row)
{
  if (self->syncing_selection || self->disposing || row == NULL)
    return;

  select_record (self, "icps", g_object_get_data (G_OBJECT (row), ROW_ID_KEY), TRUE);
}

/* Side by side with the editor, the sidebar is one card wide: a grid's
 * natural width is that of all its columns, and the leaflet would hand it
 * half the window. Folded, the sidebar has the whole width to fill. */
static void
on_folded_changed (TandemPersonasView *self)
{
  gtk_grid_view_set_max_columns (self->persona_grid,
                                 adw_leaflet_get_folded (self->leaflet) ? 3 : 1);
}

static void
on_icp_row_activated (TandemPersonasView *self)
{
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

static void
apply_search (TandemPersonasView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  if (self->personas != NULL &&
      g_strcmp0 (tandem_record_list_get_search (self->personas), text) != 0)
    tandem_record_list_set_search (self->personas, *text != '\0' ? text : NULL);

  gtk_string_filter_set_search (self->icp_name_filter, text);
  gtk_string_filter_set_search (self->icp_description_filter, text);

  sync_list_selection (self);
  update_states (self);
}

static void
on_search_changed (TandemPersonasView *self)
{
  if (self->disposing)
    return;

  apply_search (self);
}

static void
on_stop_search (TandemPersonasView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

/* Clears the search, when a new or restored row would otherwise be hidden
 * by it. */
static void
reset_search (TandemPersonasView *self)
{
  if (!is_searching (self))
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  apply_search (self);
}

static void
select_record (TandemPersonasView *self,
               const char         *table,
               const char         *id,
               gboolean            navigate)
{
  g_autoptr(GObject) record = NULL;

  table = intern_table (table);

  if (id != NULL && table != NULL && self->store != NULL)
    record = tandem_store_get (self->store, table_record_type (table), id, NULL);

  if (record == NULL)
    {
      table = NULL;
      id = NULL;
    }

  /* Same row again: keep the editor and its cursor where they are. */
  if (g_strcmp0 (id, self->selected_id) == 0 && table == self->selected_table)
    {
      sync_list_selection (self);
      if (navigate && id != NULL && adw_leaflet_get_folded (self->leaflet))
        adw_leaflet_set_visible_child_name (self->leaflet, "content");
      return;
    }

  flush_editors (self);

  g_free (self->selected_id);
  self->selected_id = g_strdup (id);
  self->selected_table = table;

  if (g_strcmp0 (table, "personas") == 0)
    {
      tandem_icp_editor_set_record (self->icp_editor, NULL, self->store);
      tandem_persona_editor_set_record (self->persona_editor, TANDEM_PERSONA (record), self->store);
      gtk_stack_set_visible_child_name (self->content_stack, "persona");
    }
  else if (g_strcmp0 (table, "icps") == 0)
    {
      tandem_persona_editor_set_record (self->persona_editor, NULL, self->store);
      tandem_icp_editor_set_record (self->icp_editor, TANDEM_ICP (record), self->store);
      gtk_stack_set_visible_child_name (self->content_stack, "icp");
    }
  else
    {
      tandem_persona_editor_set_record (self->persona_editor, NULL, self->store);
      tandem_icp_editor_set_record (self->icp_editor, NULL, self->store);
      gtk_stack_set_visible_child_name (self->content_stack, "none");
    }

  update_editor_counts (self);
  sync_list_selection (self);
  update_actions (self);

  if (adw_leaflet_get_folded (self->leaflet))
    {
      if (id == NULL)
        adw_leaflet_set_visible_child_name (self->leaflet, "sidebar");
      else if (navigate)
        adw_leaflet_set_visible_child_name (self->leaflet, "content");
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_ID]);
}

static gboolean
save_new_record (TandemPersonasView *self,
                 TandemRecord       *record)
{
  g_autoptr(GError) error = NULL;

  if (!tandem_store_save (self->store, record, &error))
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("Could not save: %s"), error->message);
      tandem_window_show_error (GTK_WIDGET (self), message);

      return FALSE;
    }

  return TRUE;
}

static void
action_new (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  TandemPersonasView *self = TANDEM_PERSONAS_VIEW (widget);
  g_autoptr(TandemPersona) persona = NULL;

  if (self->store == NULL)
    return;

  flush_editors (self);

  /* The persona is written right away with a placeholder name, selected in
   * the editor, so the person only has to type over it. */
  persona = tandem_persona_new ();
  tandem_record_set_text (TANDEM_RECORD (persona), "name", _("New Persona"));
  tandem_record_set_int (TANDEM_RECORD (persona), "created_at", now_ms ());

  if (!save_new_record (self, TANDEM_RECORD (persona)))
    return;

  reset_search (self);
  select_record (self, "personas", tandem_record_get_id (TANDEM_RECORD (persona)), TRUE);
  tandem_persona_editor_focus_name (self->persona_editor);
}

static void
action_new_icp (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TandemPersonasView *self = TANDEM_PERSONAS_VIEW (widget);
  g_autoptr(TandemIcp) icp = NULL;
  gint64 rank = 0;
  guint n_items;

  if (self->store == NULL)
    return;

  flush_editors (self);

  /* A new profile goes to the end of the ranking rather than pushing the
   * existing ones down. */
  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->icps));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(TandemRecord) other = g_list_model_get_item (G_LIST_MODEL (self->icps), i);

      rank = MAX (rank, tandem_record_get_int (other, "rank"));
    }

  icp = tandem_icp_new ();
  tandem_record_set_text (TANDEM_RECORD (icp), "name", _("New ICP"));
  tandem_record_set_int (TANDEM_RECORD (icp), "rank", CLAMP (rank + 1, 1, 10));
  tandem_record_set_int (TANDEM_RECORD (icp), "created_at", now_ms ());

  if (!save_new_record (self, TANDEM_RECORD (icp)))
    return;

  reset_search (self);
  select_record (self, "icps", tandem_record_get_id (TANDEM_RECORD (icp)), TRUE);
  tandem_icp_editor_focus_name (self->icp_editor);
}

static void
action_duplicate (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TandemPersonasView *self = TANDEM_PERSONAS_VIEW (widget);
  g_autoptr(TandemRecord) record = NULL;
  g_autoptr(TandemRecord) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  const char *table;

  if (self->store == NULL || self->selected_id == NULL)
    return;

  /* The copy starts from what is on screen, including the last keystrokes. */
  flush_editors (self);

  table = self->selected_table;
  record = tandem_store_get (self->store, table_record_type (table), self->selected_id, &error);
  if (record == NULL)
    {
      tandem_window_show_error (GTK_WIDGET (self),
                                error != NULL ? error->message
                                              : _("It was deleted in the meantime."));
      return;
    }

  copy = tandem_record_duplicate (record);
  /* Translators: the name of a duplicated persona or ICP. */
  name = g_strdup_printf (_("%s (copy)"), tandem_record_get_text (record, "name"));
  tandem_record_set_text (copy, "name", name);
  tandem_record_set_int (copy, "created_at", now_ms ());

  if (!save_new_record (self, copy))
    return;

  reset_search (self);
  select_record (self, table, tandem_record_get_id (copy), TRUE);
}

static void
on_toast_undo_clicked (AdwToast           *toast,
                       TandemPersonasView *self)
{
  const char *target = g_object_get_data (G_OBJECT (toast), "tandem-undo-target");

  /* The toast lives in the window's overlay, outside this view, where the
   * view's actions cannot be looked up; so the button goes through this
   * handler to the same action the tests use. */
  gtk_widget_activate_action (GTK_WIDGET (self), "personas.undo-delete", "s", target);
}

static void
action_delete (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TandemPersonasView *self = TANDEM_PERSONAS_VIEW (widget);
  g_autoptr(TandemRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;
  AdwToast *toast;
  const char *table;

  if (self->store == NULL || self->selected_id == NULL)
    return;

  /* Pending edits are saved first so that undo brings back the latest. */
  flush_editors (self);

  table = self->selected_table;
  record = tandem_store_get (self->store, table_record_type (table), self->selected_id, NULL);
  if (record == NULL)
    {
      select_record (self, NULL, NULL, FALSE);
      return;
    }

  name = g_strdup (tandem_record_get_text (record, "name"));
  select_record (self, NULL, NULL, FALSE);

  if (!tandem_store_delete (self->store, record, &error))
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("Could not delete “%s”: %s"), name, error->message);
      tandem_window_show_error (GTK_WIDGET (self), message);
      return;
    }

  /* Translators: shown after deleting a persona or an ICP, with an Undo
   * button. */
  title = g_strdup_printf (_("“%s” deleted"), name != NULL ? name : "");
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data_full (G_OBJECT (toast), "tandem-undo-target",
                          g_strdup_printf ("%s:%s", table, tandem_record_get_id (record)),
                          g_free);
  g_signal_connect_object (toast, "button-clicked",
                           G_CALLBACK (on_toast_undo_clicked), self, 0);

  tandem_window_show_toast (GTK_WIDGET (self), toast);
}

static void
action_undo_delete (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TandemPersonasView *self = TANDEM_PERSONAS_VIEW (widget);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) parts = NULL;
  GType type;

  if (self->store == NULL)
    return;

  /* The target is "table:id", so one action restores either kind. */
  parts = g_strsplit (g_variant_get_string (parameter, NULL), ":", 2);
  if (g_strv_length (parts) != 2 || (type = table_record_type (parts[0])) == G_TYPE_INVALID)
    {
      g_critical ("Invalid undo target “%s”", g_variant_get_string (parameter, NULL));
      return;
    }

  if (!tandem_store_undelete (self->store, type, parts[1], &error))
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("Could not undo the deletion: %s"), error->message);
      tandem_window_show_error (GTK_WIDGET (self), message);
      return;
    }

  reset_search (self);
  select_record (self, parts[0], parts[1], FALSE);
}

static void
action_back (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TandemPersonasView *self = TANDEM_PERSONAS_VIEW (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "sidebar");
}

static void
tandem_personas_view_dispose (GObject *object)
{
  TandemPersonasView *self = (TandemPersonasView *)object;

  self->disposing = TRUE;

  g_clear_handle_id (&self->match_timeout_id, g_source_remove);
  g_clear_handle_id (&self->verify_selection_id, g_source_remove);

  if (self->match_cancellable != NULL)
    g_cancellable_cancel (self->match_cancellable);
  g_clear_object (&self->match_cancellable);

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  if (self->icps != NULL)
    g_signal_handlers_disconnect_by_data (self->icps, self);

  /* AdwBin would unparent its child again after the template did. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TANDEM_TYPE_PERSONAS_VIEW);

  g_clear_object (&self->personas);
  g_clear_object (&self->icps);
  g_clear_object (&self->store);
  g_clear_pointer (&self->match_counts, g_hash_table_unref);

  G_OBJECT_CLASS (tandem_personas_view_parent_class)->dispose (object);
}

static void
tandem_personas_view_finalize (GObject *object)
{
  TandemPersonasView *self = (TandemPersonasView *)object;

  g_clear_pointer (&self->icp_names, g_hash_table_unref);
  g_clear_pointer (&self->selected_id, g_free);

  G_OBJECT_CLASS (tandem_personas_view_parent_class)->finalize (object);
}

static void
tandem_personas_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TandemPersonasView *self = TANDEM_PERSONAS_VIEW (object);

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
tandem_personas_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TandemPersonasView *self = TANDEM_PERSONAS_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      tandem_personas_view_set_store (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_personas_view_class_init (TandemPersonasViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tandem_personas_view_dispose;
  object_class->finalize = tandem_personas_view_finalize;
  object_class->get_property = tandem_personas_view_get_property;
  object_class->set_property = tandem_personas_view_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         TANDEM_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SELECTED_ID] =
    g_param_spec_string ("selected-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The template looks these types up by name. */
  g_type_ensure (TANDEM_TYPE_ICP);
  g_type_ensure (TANDEM_TYPE_ICP_EDITOR);
  g_type_ensure (TANDEM_TYPE_PERSONA_EDITOR);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tandemdesk/Tandem/"
                                               "tandem-personas-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemPersonasView, main_stack);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonasView, leaflet);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonasView, sidebar);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonasView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonasView, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonasView, icp_list_box);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonasView, icp_filter_model);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonasView, icp_name_filter);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonasView, icp_description_filter);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonasView, persona_stack);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonasView, persona_grid);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonasView, persona_selection);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonasView, personas_placeholder);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonasView, content_stack);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonasView, persona_editor);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonasView, icp_editor);
  gtk_widget_class_bind_template_callback (widget_class, on_card_setup);
  gtk_widget_class_bind_template_callback (widget_class, on_card_bind);

  gtk_widget_class_install_action (widget_class, "personas.new", NULL, action_new);
  gtk_widget_class_install_action (widget_class, "personas.new-icp", NULL, action_new_icp);
  gtk_widget_class_install_action (widget_class, "personas.duplicate", NULL, action_duplicate);
  gtk_widget_class_install_action (widget_class, "personas.delete", NULL, action_delete);
  gtk_widget_class_install_action (widget_class, "personas.undo-delete", "s", action_undo_delete);
  gtk_widget_class_install_action (widget_class, "personas.back", NULL, action_back);

  /* Delete is bound on the two lists only (see the template): in the
   * editor the key belongs to the text being edited. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "personas.new", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "personas.new-icp", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK,
                                       "personas.duplicate", NULL);
}

static void
tandem_personas_view_init (TandemPersonasView *self)
{
  self->icp_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_list_box_bind_model (self->icp_list_box, G_LIST_MODEL (self->icp_filter_model),
                           create_icp_row, self, NULL);

  /* Connected after the list box and the selection model so that the rows
   * already follow the change when the selection is put back. */
  g_signal_connect_swapped (self->icp_filter_model, "items-changed",
                            G_CALLBACK (on_icp_items_changed), self);
  g_signal_connect_swapped (self->persona_selection, "items-changed",
                            G_CALLBACK (on_persona_items_changed), self);
  g_signal_connect_swapped (self->persona_selection, "notify::selected",
                            G_CALLBACK (on_persona_selected), self);
  g_signal_connect_swapped (self->persona_grid, "activate",
                            G_CALLBACK (on_persona_activated), self);
  g_signal_connect_swapped (self->icp_list_box, "row-selected",
                            G_CALLBACK (on_icp_row_selected), self);
  g_signal_connect_swapped (self->icp_list_box, "row-activated",
                            G_CALLBACK (on_icp_row_activated), self);
  g_signal_connect_swapped (self->search_entry, "search-changed",
                            G_CALLBACK (on_search_changed), self);
  g_signal_connect_swapped (self->search_entry, "stop-search",
                            G_CALLBACK (on_stop_search), self);

  g_signal_connect_swapped (self->leaflet, "notify::folded",
                            G_CALLBACK (on_folded_changed), self);
  on_folded_changed (self);

  /* Typing while the lists have the focus starts a search. */
  gtk_search_entry_set_key_capture_widget (self->search_entry, self->sidebar);

  update_states (self);
  update_actions (self);
}

GtkWidget *
tandem_personas_view_new (void)
{
  return g_object_new (TANDEM_TYPE_PERSONAS_VIEW, NULL);
}

TandemStore *
tandem_personas_view_get_store (TandemPersonasView *self)
{
  g_return_val_if_fail (TANDEM_IS_PERSONAS_VIEW (self), NULL);

  return self->store;
}

void
tandem_personas_view_set_store (TandemPersonasView *self,
                                TandemStore        *store)
{
  g_return_if_fail (TANDEM_IS_PERSONAS_VIEW (self));
  g_return_if_fail (store == NULL || TANDEM_IS_STORE (store));

  if (self->store == store)
    return;

  select_record (self, NULL, NULL, FALSE);
  tandem_persona_editor_set_record (self->persona_editor, NULL, store);
  tandem_icp_editor_set_record (self->icp_editor, NULL, store);

  g_clear_handle_id (&self->match_timeout_id, g_source_remove);
  g_clear_handle_id (&self->verify_selection_id, g_source_remove);
  if (self->match_cancellable != NULL)
    g_cancellable_cancel (self->match_cancellable);
  g_clear_object (&self->match_cancellable);
  g_clear_pointer (&self->match_counts, g_hash_table_unref);

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  if (self->icps != NULL)
    g_signal_handlers_disconnect_by_data (self->icps, self);

  gtk_single_selection_set_model (self->persona_selection, NULL);
  gtk_filter_list_model_set_model (self->icp_filter_model, NULL);
  g_clear_object (&self->personas);
  g_clear_object (&self->icps);

  g_set_object (&self->store, store);

  if (store != NULL)
    {
      self->personas = tandem_record_list_new (store, TANDEM_TYPE_PERSONA);
      self->icps = tandem_record_list_new (store, TANDEM_TYPE_ICP);

      g_signal_connect_swapped (self->icps, "items-changed",
                                G_CALLBACK (on_icps_changed), self);
      g_signal_connect (store, "changed", G_CALLBACK (on_store_changed), self);

      rebuild_icp_names (self);

      gtk_single_selection_set_model (self->persona_selection, G_LIST_MODEL (self->personas));
      gtk_filter_list_model_set_model (self->icp_filter_model, G_LIST_MODEL (self->icps));

      apply_search (self);
      start_match_count (self);
    }
  else
    {
      g_hash_table_remove_all (self->icp_names);
    }

  update_states (self);
  update_actions (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

void
tandem_personas_view_focus_search (TandemPersonasView *self)
{
  g_return_if_fail (TANDEM_IS_PERSONAS_VIEW (self));

  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "sidebar");

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

gboolean
tandem_personas_view_select (TandemPersonasView *self,
                             const char         *id)
{
  g_autoptr(GObject) persona = NULL;

  g_return_val_if_fail (TANDEM_IS_PERSONAS_VIEW (self), FALSE);

  if (id == NULL || self->store == NULL)
    {
      select_record (self, NULL, NULL, FALSE);
      return id == NULL;
    }

  persona = tandem_store_get (self->store, TANDEM_TYPE_PERSONA, id, NULL);
  select_record (self, persona != NULL ? "personas" : "icps", id, TRUE);

  return g_strcmp0 (self->selected_id, id) == 0;
}

const char *
tandem_personas_view_get_selected_id (TandemPersonasView *self)
{
  g_return_val_if_fail (TANDEM_IS_PERSONAS_VIEW (self), NULL);

  return self->selected_id;
}

TandemPersonaEditor *
tandem_personas_view_get_persona_editor (TandemPersonasView *self)
{
  g_return_val_if_fail (TANDEM_IS_PERSONAS_VIEW (self), NULL);

  return self->persona_editor;
}

TandemIcpEditor *
tandem_personas_view_get_icp_editor (TandemPersonasView *self)
{
  g_return_val_if_fail (TANDEM_IS_PERSONAS_VIEW (self), NULL);

  return self->icp_editor;
}

GListModel *
tandem_personas_view_get_persona_model (TandemPersonasView *self)
{
  g_return_val_if_fail (TANDEM_IS_PERSONAS_VIEW (self), NULL);

  return G_LIST_MODEL (self->persona_selection);
}

GListModel *
tandem_personas_view_get_icp_model (TandemPersonasView *self)
{
  g_return_val_if_fail (TANDEM_IS_PERSONAS_VIEW (self), NULL);

  return G_LIST_MODEL (self->icp_filter_model);
}

GtkEditable *
tandem_personas_view_get_search_entry (TandemPersonasView *self)
{
  g_return_val_if_fail (TANDEM_IS_PERSONAS_VIEW (self), NULL);

  return GTK_EDITABLE (self->search_entry);
}
