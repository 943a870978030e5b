/* tandem-lead-table.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "tandem-core.h"
#include "tandem-lead-cell.h"
#include "tandem-lead-query.h"
#include "tandem-lead-table.h"
#include "tandem-move-dialog.h"
#include "tandem-window.h"

/* Typing runs a query per keystroke otherwise; a short pause lets a person
 * finish a word while still feeling instant (DESIGN.md §9: < 50 ms). */
#define SEARCH_DELAY_MS 150

/* What each column shows, and the query sort it stands for. */
typedef enum
{
  COLUMN_NAME,
  COLUMN_COMPANY,
  COLUMN_STAGE,
  COLUMN_GRADE,
  COLUMN_SCORE,
  COLUMN_OWNER,
  COLUMN_SOURCE,
  COLUMN_LAST_ACTIVITY,
  COLUMN_DAYS_IN_STAGE,
  N_COLUMNS
} Column;

static const struct
{
  const char     *title;
  TandemLeadSort  sort;
  gboolean        expand;
  gboolean        numeric;
  /* Fixed widths keep columns readable and let narrow windows scroll
   * sideways instead of cutting every name down to a few letters. */
  int             width;
} columns[N_COLUMNS] = {
  { N_("Name"), TANDEM_LEAD_SORT_NAME, TRUE, FALSE, 190 },
  { N_("Company"), TANDEM_LEAD_SORT_COMPANY, TRUE, FALSE, 190 },
  { N_("Stage"), TANDEM_LEAD_SORT_STAGE, FALSE, FALSE, 120 },
  { N_("Grade"), TANDEM_LEAD_SORT_GRADE, FALSE, FALSE, 70 },
  { N_("Score"), TANDEM_LEAD_SORT_SCORE, FALSE, TRUE, 80 },
  { N_("Owner"), TANDEM_LEAD_SORT_OWNER, TRUE, FALSE, 150 },
  { N_("Source"), TANDEM_LEAD_SORT_SOURCE, FALSE, FALSE, 140 },
  { N_("Last Activity"), TANDEM_LEAD_SORT_LAST_ACTIVITY, FALSE, TRUE, 130 },
  { N_("Days in Stage"), TANDEM_LEAD_SORT_DAYS_IN_STAGE, FALSE, TRUE, 120 },
};

/* The sources the sample workspace and the common CRM exports use. The
 * store has no list of the sources in use, so these are offered. */
static const char * const known_sources[] = {
  "website", "content download", "paid search", "linkedin", "webinar", "event",
  "referral", "outbound", "import", NULL
};

static const char * const grades[] = { "A", "B", "C", "D", NULL };

#define COLUMN_KEY "tandem-lead-table-column"

/* The rows GTK 4.8's column view binds around where it looks, however few
 * are on screen (GTK_LIST_VIEW_MAX_LIST_ITEMS): a jump of the scrollbar
 * asks for all of them, which the list reads in one query. */
#define COLUMN_VIEW_ROWS 200

struct _TandemLeadTable
{
  AdwBin              parent_instance;

  TandemStore        *store;
  TandemLeadQuery    *query;
  TandemRecordList   *leads;
  GtkMultiSelection  *selection;
  gulong              changed_handler;
  gulong              committed_handler;
  /* A company or a member changed while the table is sorted by their
   * names: the order is read again after the commit. */
  gboolean            resort_pending;

  /* Id → name, filled as rows are shown; dropped when the table changes.
   * The company names are read all at once on the first miss (a jump binds
   * some 200 rows of as many companies; one query each was 6% of a jump),
   * after which a company that changes loses its entry and is read alone
   * the next time it is shown; a reload of the companies empties the
   * table and reads them all again (on_store_changed()). */
  GHashTable         *company_names;
  gboolean            company_names_read;
  GHashTable         *member_names;
  /* Stage key → name, from the stage definitions. */
  GHashTable         *stage_names;
  /* The idle that has the cells make their text again after a company,
   * member or stage changed: a rename binds no row by itself, so the rows
   * on screen would keep the old name. */
  guint               names_id;
  /* The keys behind the entries of each dropdown; index 0 is "any". */
  GPtrArray          *stage_keys;
  GPtrArray          *owner_ids;
  GPtrArray          *persona_ids;
  gboolean            filling_dropdowns;

  /* Which column the probe comparison reached, to read the sort state of
   * the column view (GTK 4.8 has no getter for it). */
  int                 probed_column;
  GtkColumnViewColumn *column_objects[N_COLUMNS];

  guint               search_timeout_id;
  gint64              now_ms;
  /* Taking the column view apart changes its sorter; nothing to do then. */
  gboolean            disposing;

  GtkSearchEntry     *search_entry;
  GtkDropDown        *stage_dropdown;
  GtkDropDown        *owner_dropdown;
  GtkDropDown        *grade_dropdown;
  GtkDropDown        *persona_dropdown;
  GtkDropDown        *source_dropdown;
  GtkToggleButton    *stalled_toggle;
  GtkLabel           *count_label;
  GtkStack           *content_stack;
  GtkColumnView      *column_view;
  GtkRevealer        *bulk_revealer;
  GtkLabel           *selection_label;
  GtkMenuButton      *assign_button;
  GtkMenuButton      *move_button;
};

G_DEFINE_FINAL_TYPE (TandemLeadTable, tandem_lead_table, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_N_LEADS,
  N_PROPS
};

enum {
  LEAD_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* Name caches. */

static const char *
lookup_company_name (TandemLeadTable *self,
                     const char      *company_id)
{
  const char *name;

  if (company_id == NULL || self->store == NULL)
    return "";

  name = g_hash_table_lookup (self->company_names, company_id);
  if (name == NULL && !self->company_names_read)
    {
      g_autoptr(GError) error = NULL;

      self->company_names_read = TRUE;
      if (!tandem_lead_query_read_company_names (self->store, self->company_names, &error))
        g_warning ("Could not read the company names: %s", error->message);
      name = g_hash_table_lookup (self->company_names, company_id);
    }
  if (name == NULL)
    {
      g_autoptr(TandemCompany) company = tandem_store_get (self->store, TANDEM_TYPE_COMPANY,
                                                           company_id, NULL);

      name = company != NULL ? tandem_company_get_name (company) : NULL;
      g_hash_table_insert (self->company_names, g_strdup (company_id),
                           g_strdup (name != NULL ? name : ""));
      name = g_hash_table_lookup (self->company_names, company_id);
    }

  return name;
}

static const char *
lookup_member_name (TandemLeadTable *self,
                    const char      *member_id)
{
  const char *name;

  if (member_id == NULL || self->store == NULL)
    return "";

  name = g_hash_table_lookup (self->member_names, member_id);
  if (name == NULL)
    {
      g_autoptr(TandemMember) member = tandem_store_get (self->store, TANDEM_TYPE_MEMBER,
                                                         member_id, NULL);

      name = member != NULL ? tandem_member_get_name (member) : NULL;
      g_hash_table_insert (self->member_names, g_strdup (member_id),
                           g_strdup (name != NULL ? name : ""));
      name = g_hash_table_lookup (self->member_names, member_id);
    }

  return name;
}

static const char *
lookup_stage_name (TandemLeadTable *self,
                   const char      *stage)
{
  const char *name;

  if (stage == NULL)
    return "";

  name = g_hash_table_lookup (self->stage_names, stage);
  return name != NULL ? name : stage;
}

/* Cells. */

static char *
format_relative_days (gint64 then_ms,
                      gint64 now)
{
  gint64 days;

  if (then_ms <= 0)
    return g_strdup ("—");

  days = MAX (now - then_ms, 0) / (24 * 3600 * 1000);
  if (days == 0)
    return g_strdup (_("Today"));

  return g_strdup_printf (ngettext ("%" G_GINT64_FORMAT " day ago",
                                    "%" G_GINT64_FORMAT " days ago", days), days);
}

/* The text of @column for @lead. Texts made for the cell are returned in
 * @made, which the caller frees; names and stored texts are not copied
 * (a jump of the table binds some 1,800 cells). */
static const char *
cell_text (TandemLeadTable  *self,
           TandemLead       *lead,
           Column            column,
           char            **made)
{
  TandemRecord *record = TANDEM_RECORD (lead);

  switch (column)
    {
    case COLUMN_NAME:
      return *made = tandem_lead_dup_display_name (lead);
    case COLUMN_COMPANY:
      return lookup_company_name (self, tandem_record_get_text (record, "company_id"));
    case COLUMN_STAGE:
      return lookup_stage_name (self, tandem_record_get_text (record, "stage"));
    case COLUMN_GRADE:
      return tandem_record_get_text (record, "grade");
    case COLUMN_SCORE:
      return *made = g_strdup_printf ("%" G_GINT64_FORMAT, tandem_record_get_int (record, "score"));
    case COLUMN_OWNER:
      return lookup_member_name (self, tandem_record_get_text (record, "owner_id"));
    case COLUMN_SOURCE:
      return tandem_record_get_text (record, "source");
    case COLUMN_LAST_ACTIVITY:
      return *made = format_relative_days (tandem_record_get_int (record, "last_activity_at"),
                                           self->now_ms);
    case COLUMN_DAYS_IN_STAGE:
      {
        gint64 entered = tandem_record_get_int (record, "stage_entered_at");

        if (entered <= 0)
          return "—";
        return *made = g_strdup_printf ("%" G_GINT64_FORMAT,
                                        MAX (self->now_ms - entered, 0) / (24 * 3600 * 1000));
      }
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

/* A column's handlers' data: the column is known without looking it up in
 * the factory's data for each cell. */
typedef struct
{
  TandemLeadTable *table;
  Column           column;
} CellBinding;

static char *
dup_cell_text (TandemLead  *lead,
               gpointer     user_data,
               const char **tint)
{
  CellBinding *binding = user_data;
  g_autofree char *made = NULL;
  const char *text = cell_text (binding->table, lead, binding->column, &made);

  if (binding->column == COLUMN_GRADE)
    *tint = tandem_lead_cell_grade_tint (text);

  return made != NULL ? g_steal_pointer (&made) : g_strdup (text);
}

/* Cells are TandemLeadCells: binding a row hands each cell its lead, and
 * the cell makes its text only when it is drawn. GTK 4.8's column view
 * binds some 200 rows when the table jumps, of which some twenty are on
 * screen; making and setting the text of all nine cells of all of them
 * was an eighth of the work of a jump (DESIGN.md §9: no frame over 16 ms).
 * Like a GtkInscription, the cell's size does not depend on its text, so
 * a bound row is drawn again without being measured and laid out again. */
static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            CellBinding              *binding)
{
  Column column = binding->column;
  GtkWidget *cell = tandem_lead_cell_new (dup_cell_text, binding,
                                          columns[column].numeric ? 1.0 : 0.0);

  if (columns[column].numeric)
    gtk_widget_add_css_class (cell, "numeric");
  if (column == COLUMN_GRADE)
    gtk_widget_add_css_class (cell, "lead-grade");
  gtk_list_item_set_child (item, cell);
}

/* A grade shows in colours the cell draws, not in classes: changing a
 * cell's classes restyles it, and a jump changed those of some 150 grade
 * cells, most of them off screen (a twelfth of the jump). */
static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           CellBinding              *binding)
{
  tandem_lead_cell_set_lead (TANDEM_LEAD_CELL (gtk_list_item_get_child (item)),
                             gtk_list_item_get_item (item));
}

static void
update_cells (GtkWidget *widget)
{
  if (TANDEM_IS_LEAD_CELL (widget))
    {
      tandem_lead_cell_update (TANDEM_LEAD_CELL (widget));
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    update_cells (child);
}

/* The cells are looked for only when a name changes, which is rare, so that
 * binding a row keeps no list of them. Cells off screen make their text
 * when they are next drawn, as always. */
static gboolean
on_names_idle (gpointer user_data)
{
  TandemLeadTable *self = user_data;

  self->names_id = 0;
  update_cells (GTK_WIDGET (self->column_view));

  return G_SOURCE_REMOVE;
}

/* Sorting: the column view only shows the state; SQL sorts. */

static int
probe_compare (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  TandemLeadTable *self = g_object_get_data (G_OBJECT (user_data), "tandem-table");

  self->probed_column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (user_data), COLUMN_KEY));
  return -1;
}

/* GtkColumnViewSorter compares with its primary column first and inverts
 * the result when that column sorts descending; comparing two dummies with
 * sorters that always answer "smaller" tells which column and order lead. */
static gboolean
read_sort_state (TandemLeadTable *self,
                 TandemLeadSort  *sort,
                 gboolean        *descending)
{
  GtkSorter *sorter = gtk_column_view_get_sorter (self->column_view);
  g_autoptr(GObject) a = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GObject) b = g_object_new (G_TYPE_OBJECT, NULL);
  GtkOrdering ordering;

  self->probed_column = -1;
  ordering = gtk_sorter_compare (sorter, a, b);
  if (self->probed_column < 0 || ordering == GTK_ORDERING_EQUAL)
    return FALSE;

  *sort = columns[self->probed_column].sort;
  *descending = ordering == GTK_ORDERING_LARGER;
  return TRUE;
}

static void update_state (TandemLeadTable *self);

static void
refresh (TandemLeadTable *self)
{
  if (self->leads == NULL)
    return;

  self->now_ms = now_ms ();
  tandem_record_list_refresh (self->leads);
  update_state (self);
}

static void
on_sorter_changed (TandemLeadTable  *self,
                   GtkSorterChange   change,
                   GtkSorter        *sorter)
{
  TandemLeadSort sort = TANDEM_LEAD_SORT_NAME;
  gboolean descending = FALSE;

  if (self->disposing)
    return;

  if (!read_sort_state (self, &sort, &descending))
    {
      sort = TANDEM_LEAD_SORT_NAME;
      descending = FALSE;
    }

  tandem_lead_query_set_sort (self->query, sort, descending);
  refresh (self);
}

/* The list. */

static gboolean
filters_active (TandemLeadTable *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  return (text != NULL && *text != '\0') ||
         gtk_drop_down_get_selected (self->stage_dropdown) > 0 ||
         gtk_drop_down_get_selected (self->owner_dropdown) > 0 ||
         gtk_drop_down_get_selected (self->grade_dropdown) > 0 ||
         gtk_drop_down_get_selected (self->persona_dropdown) > 0 ||
         gtk_drop_down_get_selected (self->source_dropdown) > 0 ||
         gtk_toggle_button_get_active (self->stalled_toggle);
}

static void
update_selection_state (TandemLeadTable *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  guint64 n = 0;
  g_autofree char *text = NULL;

  if (self->selection != NULL)
    {
      selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
      n = gtk_bitset_get_size (selected);
    }

  text = g_strdup_printf (ngettext ("%'" G_GUINT64_FORMAT " lead selected",
                                    "%'" G_GUINT64_FORMAT " leads selected", n), n);
  gtk_label_set_text (self->selection_label, text);
  gtk_revealer_set_reveal_child (self->bulk_revealer, n > 0);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.assign", n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.move", n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.delete", n > 0);
}

static void
update_state (TandemLeadTable *self)
{
  guint n = self->leads != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->leads)) : 0;
  g_autofree char *text = NULL;
  const char *page = "table";

  text = g_strdup_printf (ngettext ("%'u lead", "%'u leads", n), n);
  gtk_label_set_text (self->count_label, text);

  if (n == 0 && filters_active (self))
    page = "no-match";
  else if (n == 0)
    page = "empty";
  gtk_stack_set_visible_child_name (self->content_stack, page);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.clear-filters", filters_active (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.select-all", n > 0);
  update_selection_state (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LEADS]);
}

/* Filters. */

static const char *
selected_key (GtkDropDown *dropdown,
              GPtrArray   *keys)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (keys == NULL || selected == 0 || selected >= keys->len)
    return NULL;

  return g_ptr_array_index (keys, selected);
}

static void
apply_filters (TandemLeadTable *self)
{
  const char *stage = selected_key (self->stage_dropdown, self->stage_keys);
  const char *owner = selected_key (self->owner_dropdown, self->owner_ids);
  const char *persona = selected_key (self->persona_dropdown, self->persona_ids);
  guint grade = gtk_drop_down_get_selected (self->grade_dropdown);
  guint source = gtk_drop_down_get_selected (self->source_dropdown);
  const char *stages[] = { stage, NULL };
  const char *grade_list[] = { grade > 0 && grade <= 4 ? grades[grade - 1] : NULL, NULL };

  tandem_lead_query_set_stages (self->query, stage != NULL ? stages : NULL);
  tandem_lead_query_set_owner (self->query, owner);
  tandem_lead_query_set_grades (self->query, grade_list[0] != NULL ? grade_list : NULL);
  tandem_lead_query_set_persona (self->query, persona);
  tandem_lead_query_set_source (self->query,
                                source > 0 && source <= G_N_ELEMENTS (known_sources) - 1
                                ? known_sources[source - 1] : NULL);
  tandem_lead_query_set_stalled_only (self->query,
                                      gtk_toggle_button_get_active (self->stalled_toggle));
  tandem_lead_query_set_search (self->query,
                                gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
on_filter_changed (TandemLeadTable *self)
{
  if (self->filling_dropdowns)
    return;

  g_clear_handle_id (&self->search_timeout_id, g_source_remove);
  apply_filters (self);
  refresh (self);
}

static gboolean
search_timeout (gpointer data)
{
  TandemLeadTable *self = data;

  self->search_timeout_id = 0;
  on_filter_changed (self);
  return G_SOURCE_REMOVE;
}

static void
on_search_changed (TandemLeadTable *self)
{
  /* GtkSearchEntry already waits a little before "search-changed"; the rest
   * of the pause keeps fast typists from running a query per letter. */
  g_clear_handle_id (&self->search_timeout_id, g_source_remove);
  self->search_timeout_id = g_timeout_add (SEARCH_DELAY_MS, search_timeout, self);
}

static void
fill_dropdown (GtkDropDown        *dropdown,
               const char         *any_label,
               const char * const *labels,
               guint               n_labels)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  gtk_string_list_append (list, any_label);
  for (guint i = 0; i < n_labels; i++)
    gtk_string_list_append (list, labels[i]);

  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (list));
}

/* Menus of the bulk action bar, built from the same lists as the filters. */
static void
fill_bulk_menus (TandemLeadTable *self,
                 GPtrArray       *owner_names,
                 GPtrArray       *stage_labels)
{
  g_autoptr(GMenu) assign_menu = g_menu_new ();
  g_autoptr(GMenu) move_menu = g_menu_new ();

  for (guint i = 1; i < self->owner_ids->len; i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (g_ptr_array_index (owner_names, i - 1), NULL);

      g_menu_item_set_action_and_target (item, "table.assign", "s",
                                         (const char *) g_ptr_array_index (self->owner_ids, i));
      g_menu_append_item (assign_menu, item);
    }

  for (guint i = 1; i < self->stage_keys->len; i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (g_ptr_array_index (stage_labels, i - 1), NULL);

      g_menu_item_set_action_and_target (item, "table.move", "s",
                                         (const char *) g_ptr_array_index (self->stage_keys, i));
      g_menu_append_item (move_menu, item);
    }

  gtk_menu_button_set_menu_model (self->assign_button, G_MENU_MODEL (assign_menu));
  gtk_menu_button_set_menu_model (self->move_button, G_MENU_MODEL (move_menu));
}

static void
fill_filters (TandemLeadTable *self)
{
  g_autoptr(GPtrArray) stages = NULL;
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GPtrArray) personas = NULL;
  g_autoptr(GPtrArray) stage_labels = g_ptr_array_new ();
  g_autoptr(GPtrArray) owner_names = g_ptr_array_new ();
  g_autoptr(GPtrArray) persona_names = g_ptr_array_new ();
  g_autoptr(GPtrArray) source_labels = g_ptr_array_new ();
  g_autofree char *old_stage = g_strdup (selected_key (self->stage_dropdown, self->stage_keys));
  g_autofree char *old_owner = g_strdup (selected_key (self->owner_dropdown, self->owner_ids));
  g_autofree char *old_persona = g_strdup (selected_key (self->persona_dropdown,
                                                        self->persona_ids));
  guint old_grade = gtk_drop_down_get_selected (self->grade_dropdown);
  guint old_source = gtk_drop_down_get_selected (self->source_dropdown);
  guint stage_pos = 0, owner_pos = 0, persona_pos = 0;

  self->filling_dropdowns = TRUE;

  g_clear_pointer (&self->stage_keys, g_ptr_array_unref);
  g_clear_pointer (&self->owner_ids, g_ptr_array_unref);
  g_clear_pointer (&self->persona_ids, g_ptr_array_unref);
  self->stage_keys = g_ptr_array_new_with_free_func (g_free);
  self->owner_ids = g_ptr_array_new_with_free_func (g_free);
  self->persona_ids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->stage_keys, NULL);
  g_ptr_array_add (self->owner_ids, NULL);
  g_ptr_array_add (self->persona_ids, NULL);
  g_hash_table_remove_all (self->stage_names);

  if (self->store != NULL)
    {
      stages = tandem_pipeline_list_stages (self->store, TRUE, NULL);
      members = tandem_store_list (self->store, TANDEM_TYPE_MEMBER, NULL);
      personas = tandem_store_list (self->store, TANDEM_TYPE_PERSONA, NULL);
    }

  for (guint i = 0; stages != NULL && i < stages->len; i++)
    {
      TandemRecord *stage = g_ptr_array_index (stages, i);
      const char *key = tandem_record_get_text (stage, "key");
      const char *name = tandem_record_get_text (stage, "name");

      if (key == NULL)
        continue;
      g_hash_table_insert (self->stage_names, g_strdup (key), g_strdup (name != NULL ? name : key));
      if (g_strcmp0 (key, old_stage) == 0)
        stage_pos = self->stage_keys->len;
      g_ptr_array_add (self->stage_keys, g_strdup (key));
      g_ptr_array_add (stage_labels, (gpointer) g_hash_table_lookup (self->stage_names, key));
    }

  /* Only active members get leads; the owner filter and Assign offer them. */
  for (guint i = 0; members != NULL && i < members->len; i++)
    {
      TandemRecord *member = g_ptr_array_index (members, i);

      if (!tandem_record_get_bool (member, "active"))
        continue;
      if (g_strcmp0 (tandem_record_get_id (member), old_owner) == 0)
        owner_pos = self->owner_ids->len;
      g_ptr_array_add (self->owner_ids, g_strdup (tandem_record_get_id (member)));
      g_ptr_array_add (owner_names, (gpointer) tandem_member_get_name (TANDEM_MEMBER (member)));
    }

  for (guint i = 0; personas != NULL && i < personas->len; i++)
    {
      TandemRecord *persona = g_ptr_array_index (personas, i);

      if (g_strcmp0 (tandem_record_get_id (persona), old_persona) == 0)
        persona_pos = self->persona_ids->len;
      g_ptr_array_add (self->persona_ids, g_strdup (tandem_record_get_id (persona)));
      g_ptr_array_add (persona_names, (gpointer) tandem_record_get_text (persona, "name"));
    }

  for (guint i = 0; known_sources[i] != NULL; i++)
    g_ptr_array_add (source_labels, (gpointer) known_sources[i]);

  fill_dropdown (self->stage_dropdown, _("All Stages"),
                 (const char * const *) stage_labels->pdata, stage_labels->len);
  fill_dropdown (self->owner_dropdown, _("Any Owner"),
                 (const char * const *) owner_names->pdata, owner_names->len);
  fill_dropdown (self->grade_dropdown, _("Any Grade"), grades, 4);
  fill_dropdown (self->persona_dropdown, _("Any Persona"),
                 (const char * const *) persona_names->pdata, persona_names->len);
  fill_dropdown (self->source_dropdown, _("Any Source"),
                 (const char * const *) source_labels->pdata, source_labels->len);

  gtk_drop_down_set_selected (self->stage_dropdown, stage_pos);
  gtk_drop_down_set_selected (self->owner_dropdown, owner_pos);
  /* Before the first fill the dropdowns have no model and no selection. */
  gtk_drop_down_set_selected (self->grade_dropdown, old_grade <= 4 ? old_grade : 0);
  gtk_drop_down_set_selected (self->persona_dropdown, persona_pos);
  gtk_drop_down_set_selected (self->source_dropdown,
                              old_source < G_N_ELEMENTS (known_sources) ? old_source : 0);

  fill_bulk_menus (self, owner_names, stage_labels);

  self->filling_dropdowns = FALSE;
}

static void
on_store_changed (TandemLeadTable  *self,
                  const char       *table,
                  const char       *row_id,
                  TandemChangeKind  kind,
                  TandemStore      *store)
{
  TandemLeadSort sort = tandem_lead_query_get_sort (self->query, NULL);

  /* Renames show at once: the rows on screen are bound again, once for
   * all the changes of a commit, and the caches refill from them. */
  if ((g_str_equal (table, "companies") || g_str_equal (table, "members") ||
       g_str_equal (table, "stage_definitions")) && self->names_id == 0)
    self->names_id = g_idle_add (on_names_idle, self);

  if (g_str_equal (table, "companies"))
    {
      if (row_id != NULL && kind != TANDEM_CHANGE_RELOAD)
        g_hash_table_remove (self->company_names, row_id);
      else
        {
          g_hash_table_remove_all (self->company_names);
          self->company_names_read = FALSE;
        }
      self->resort_pending |= sort == TANDEM_LEAD_SORT_COMPANY;
    }
  else if (g_str_equal (table, "members") || g_str_equal (table, "personas") ||
           g_str_equal (table, "stage_definitions"))
    {
      g_hash_table_remove_all (self->member_names);
      fill_filters (self);
      self->resort_pending |= g_str_equal (table, "members") && sort == TANDEM_LEAD_SORT_OWNER;
    }
}

/* The record list follows the leads itself, row by row; only the names a
 * sort by company or owner reads are not leads. */
static void
on_store_committed (TandemLeadTable *self,
                    TandemStore     *store)
{
  if (!self->resort_pending)
    return;

  self->resort_pending = FALSE;
  refresh (self);
}

/* The count and the empty state follow the list. */
static void
on_leads_changed (TandemLeadTable *self,
                  guint            position,
                  guint            removed,
                  guint            added,
                  GListModel      *model)
{
  if (removed != added)
    update_state (self);
}

/* Actions. */

static GPtrArray *
dup_selected_leads (TandemLeadTable *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  GPtrArray *leads = g_ptr_array_new_with_free_func (g_object_unref);
  guint position;

  if (self->selection == NULL)
    return leads;

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position);
       ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      TandemLead *lead = g_list_model_get_item (G_LIST_MODEL (self->leads), position);

      if (lead != NULL)
        g_ptr_array_add (leads, lead);
    }

  return leads;
}

static void
clear_filters_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TandemLeadTable *self = TANDEM_LEAD_TABLE (widget);

  self->filling_dropdowns = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_drop_down_set_selected (self->stage_dropdown, 0);
  gtk_drop_down_set_selected (self->owner_dropdown, 0);
  gtk_drop_down_set_selected (self->grade_dropdown, 0);
  gtk_drop_down_set_selected (self->persona_dropdown, 0);
  gtk_drop_down_set_selected (self->source_dropdown, 0);
  gtk_toggle_button_set_active (self->stalled_toggle, FALSE);
  self->filling_dropdowns = FALSE;

  on_filter_changed (self);
}

static void
select_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  TandemLeadTable *self = TANDEM_LEAD_TABLE (widget);

  if (self->selection != NULL)
    gtk_selection_model_select_all (GTK_SELECTION_MODEL (self->selection));
}

static void
assign_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TandemLeadTable *self = TANDEM_LEAD_TABLE (widget);
  g_autoptr(GPtrArray) leads = dup_selected_leads (self);
  g_autoptr(GError) error = NULL;
  const char *owner_id = g_variant_get_string (parameter, NULL);
  g_autofree char *message = NULL;

  if (self->store == NULL || leads->len == 0)
    return;

  /* One transaction: all of them get the new owner, or none does. */
  if (!tandem_store_begin (self->store, &error))
    goto failed;

  for (guint i = 0; i < leads->len; i++)
    {
      TandemRecord *lead = g_ptr_array_index (leads, i);

      tandem_record_set_text (lead, "owner_id", owner_id);
      if (!tandem_store_save (self->store, lead, &error))
        {
          tandem_store_rollback (self->store);
          goto failed;
        }
    }

  if (!tandem_store_commit (self->store, &error))
    goto failed;

  message = g_strdup_printf (ngettext ("%u lead assigned to %s", "%u leads assigned to %s",
                                       leads->len),
                             leads->len, lookup_member_name (self, owner_id));
  tandem_window_show_toast (widget, adw_toast_new (message));
  return;

failed:
  message = g_strdup_printf (_("The leads could not be assigned: %s"), error->message);
  tandem_window_show_error (widget, message);
}

static void
move_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TandemLeadTable *self = TANDEM_LEAD_TABLE (widget);
  g_autoptr(GPtrArray) leads = dup_selected_leads (self);
  const char *stage = g_variant_get_string (parameter, NULL);

  if (self->store == NULL || leads->len == 0)
    return;

  tandem_move_dialog_present (widget, self->store, leads, stage, FALSE);
}

typedef struct
{
  TandemStore *store;
  GPtrArray   *ids;
} UndoDelete;

static void
undo_delete_free (gpointer data)
{
  UndoDelete *undo = data;

  g_clear_object (&undo->store);
  g_clear_pointer (&undo->ids, g_ptr_array_unref);
  g_free (undo);
}

static void
on_undo_delete (AdwToast   *toast,
                UndoDelete *undo)
{
  g_autoptr(GError) error = NULL;

  if (!tandem_store_begin (undo->store, &error))
    goto failed;

  for (guint i = 0; i < undo->ids->len; i++)
    if (!tandem_store_undelete (undo->store, TANDEM_TYPE_LEAD,
                                g_ptr_array_index (undo->ids, i), &error))
      {
        tandem_store_rollback (undo->store);
        goto failed;
      }

  if (tandem_store_commit (undo->store, &error))
    return;

failed:
  g_warning ("Could not restore the deleted leads: %s", error->message);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TandemLeadTable *self = TANDEM_LEAD_TABLE (widget);
  g_autoptr(GPtrArray) leads = dup_selected_leads (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  UndoDelete *undo;
  AdwToast *toast;

  if (self->store == NULL || leads->len == 0)
    return;

  undo = g_new0 (UndoDelete, 1);
  undo->store = g_object_ref (self->store);
  undo->ids = g_ptr_array_new_with_free_func (g_free);

  if (!tandem_store_begin (self->store, &error))
    goto failed;

  for (guint i = 0; i < leads->len; i++)
    {
      TandemRecord *lead = g_ptr_array_index (leads, i);

      if (!tandem_store_delete (self->store, lead, &error))
        {
          tandem_store_rollback (self->store);
          goto failed;
        }
      g_ptr_array_add (undo->ids, g_strdup (tandem_record_get_id (lead)));
    }

  if (!tandem_store_commit (self->store, &error))
    goto failed;

  title = g_strdup_printf (ngettext ("%u lead deleted", "%u leads deleted", leads->len),
                           leads->len);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (on_undo_delete), undo,
                         (GClosureNotify) (void (*) (void)) undo_delete_free, 0);
  /* Tests and other views find the toast of the last delete here. */
  g_object_set_data_full (G_OBJECT (self), "tandem-last-toast", g_object_ref (toast),
                          g_object_unref);
  tandem_window_show_toast (widget, toast);
  return;

failed:
  undo_delete_free (undo);
  title = g_strdup_printf (_("The leads could not be deleted: %s"), error->message);
  tandem_window_show_error (widget, title);
}

/* Signals of the template. */

static void
on_row_activated (TandemLeadTable *self,
                  guint            position)
{
  g_autoptr(TandemLead) lead = NULL;

  if (self->leads == NULL)
    return;

  lead = g_list_model_get_item (G_LIST_MODEL (self->leads), position);
  if (lead != NULL)
    g_signal_emit (self, signals[LEAD_ACTIVATED], 0, lead);
}

static void
on_selection_changed (TandemLeadTable *self)
{
  update_selection_state (self);
}

/* Columns are made in code: each needs its own factory and sorter. */
static void
create_columns (TandemLeadTable *self)
{
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkSorter) sorter = NULL;
      GtkColumnViewColumn *column;
      CellBinding *binding;

      binding = g_new (CellBinding, 1);
      binding->table = self;
      binding->column = i;
      /* The cells keep @binding for their text: it lives as long as the
       * factory, which the column view holds as long as its cells. */
      g_signal_connect_data (factory, "setup", G_CALLBACK (setup_cell), binding,
                             (GClosureNotify) g_free, 0);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), binding);

      column = gtk_column_view_column_new (_(columns[i].title), g_object_ref (factory));
      sorter = GTK_SORTER (gtk_custom_sorter_new (probe_compare, NULL, NULL));
      /* The probe reads these back; the sorter never sees a real row. */
      g_object_set_data (G_OBJECT (sorter), COLUMN_KEY, GINT_TO_POINTER (i));
      g_object_set_data (G_OBJECT (sorter), "tandem-table", self);
      gtk_custom_sorter_set_sort_func (GTK_CUSTOM_SORTER (sorter), probe_compare,
                                       sorter, NULL);
      gtk_column_view_column_set_sorter (column, sorter);
      gtk_column_view_column_set_expand (column, columns[i].expand);
      gtk_column_view_column_set_fixed_width (column, columns[i].width);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_append_column (self->column_view, column);
      self->column_objects[i] = column;
      g_object_unref (column);
    }

  g_signal_connect_object (gtk_column_view_get_sorter (self->column_view), "changed",
                           G_CALLBACK (on_sorter_changed), self, G_CONNECT_SWAPPED);
}

/* GObject. */

static void
tandem_lead_table_dispose (GObject *object)
{
  TandemLeadTable *self = TANDEM_LEAD_TABLE (object);

  self->disposing = TRUE;
  g_clear_handle_id (&self->search_timeout_id, g_source_remove);
  g_clear_handle_id (&self->names_id, g_source_remove);
  if (self->store != NULL)
    {
      g_clear_signal_handler (&self->changed_handler, self->store);
      g_clear_signal_handler (&self->committed_handler, self->store);
    }
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->leads);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), TANDEM_TYPE_LEAD_TABLE);

  G_OBJECT_CLASS (tandem_lead_table_parent_class)->dispose (object);
}

static void
tandem_lead_table_finalize (GObject *object)
{
  TandemLeadTable *self = TANDEM_LEAD_TABLE (object);

  g_clear_object (&self->query);
  g_clear_pointer (&self->company_names, g_hash_table_unref);
  g_clear_pointer (&self->member_names, g_hash_table_unref);
  g_clear_pointer (&self->stage_names, g_hash_table_unref);
  g_clear_pointer (&self->stage_keys, g_ptr_array_unref);
  g_clear_pointer (&self->owner_ids, g_ptr_array_unref);
  g_clear_pointer (&self->persona_ids, g_ptr_array_unref);

  G_OBJECT_CLASS (tandem_lead_table_parent_class)->finalize (object);
}

static void
tandem_lead_table_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TandemLeadTable *self = TANDEM_LEAD_TABLE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_N_LEADS:
      g_value_set_uint (value, self->leads != NULL
                               ? g_list_model_get_n_items (G_LIST_MODEL (self->leads)) : 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_lead_table_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  TandemLeadTable *self = TANDEM_LEAD_TABLE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      tandem_lead_table_set_store (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_lead_table_class_init (TandemLeadTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tandem_lead_table_dispose;
  object_class->finalize = tandem_lead_table_finalize;
  object_class->get_property = tandem_lead_table_get_property;
  object_class->set_property = tandem_lead_table_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TANDEM_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_LEADS] =
    g_param_spec_uint ("n-leads", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TandemLeadTable::lead-activated:
   * @lead: the TandemLead of the activated row
   *
   * A person opened a row (double click or Enter).
   */
  signals[LEAD_ACTIVATED] =
    g_signal_new ("lead-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, TANDEM_TYPE_LEAD);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tandemdesk/Tandem/tandem-lead-table.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemLeadTable, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadTable, stage_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadTable, owner_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadTable, grade_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadTable, persona_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadTable, source_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadTable, stalled_toggle);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadTable, count_label);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadTable, content_stack);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadTable, column_view);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadTable, bulk_revealer);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadTable, selection_label);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadTable, assign_button);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadTable, move_button);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);

  gtk_widget_class_install_action (widget_class, "table.clear-filters", NULL,
                                   clear_filters_action);
  gtk_widget_class_install_action (widget_class, "table.select-all", NULL, select_all_action);
  gtk_widget_class_install_action (widget_class, "table.assign", "s", assign_action);
  gtk_widget_class_install_action (widget_class, "table.move", "s", move_action);
  gtk_widget_class_install_action (widget_class, "table.delete", NULL, delete_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_a, GDK_CONTROL_MASK,
                                       "table.select-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "table.delete", NULL);
}

static void
tandem_lead_table_init (TandemLeadTable *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->query = tandem_lead_query_new ();
  /* Filters and search change at every keystroke; sorts far less often. */
  tandem_lead_query_set_keep_order (self->query, TRUE);
  self->company_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->member_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->stage_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->now_ms = now_ms ();

  create_columns (self);
  fill_filters (self);

  g_signal_connect_swapped (self->stage_dropdown, "notify::selected",
                            G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->owner_dropdown, "notify::selected",
                            G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->grade_dropdown, "notify::selected",
                            G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->persona_dropdown, "notify::selected",
                            G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->source_dropdown, "notify::selected",
                            G_CALLBACK (on_filter_changed), self);

  update_state (self);
}

GtkWidget *
tandem_lead_table_new (void)
{
  return g_object_new (TANDEM_TYPE_LEAD_TABLE, NULL);
}

TandemStore *
tandem_lead_table_get_store (TandemLeadTable *self)
{
  g_return_val_if_fail (TANDEM_IS_LEAD_TABLE (self), NULL);

  return self->store;
}

void
tandem_lead_table_set_store (TandemLeadTable *self,
                             TandemStore     *store)
{
  g_return_if_fail (TANDEM_IS_LEAD_TABLE (self));
  g_return_if_fail (store == NULL || TANDEM_IS_STORE (store));

  if (self->store == store)
    return;

  if (self->store != NULL)
    {
      g_clear_signal_handler (&self->changed_handler, self->store);
      g_clear_signal_handler (&self->committed_handler, self->store);
    }
  gtk_column_view_set_model (self->column_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->leads);
  g_set_object (&self->store, store);
  /* The kept index holds the old workspace open: let it go now. */
  tandem_lead_query_set_keep_order (self->query, FALSE);
  tandem_lead_query_set_keep_order (self->query, TRUE);
  g_hash_table_remove_all (self->company_names);
  self->company_names_read = FALSE;
  g_hash_table_remove_all (self->member_names);

  fill_filters (self);
  apply_filters (self);

  if (store != NULL)
    {
      self->now_ms = now_ms ();
      self->leads = tandem_lead_query_create_list (self->query, store);
      tandem_record_list_set_jump_rows (self->leads, COLUMN_VIEW_ROWS);
      g_signal_connect_object (self->leads, "items-changed",
                               G_CALLBACK (on_leads_changed), self, G_CONNECT_SWAPPED);
      self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->leads)));
      g_signal_connect_object (self->selection, "selection-changed",
                               G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
      gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
      self->changed_handler = g_signal_connect_swapped (store, "changed",
                                                        G_CALLBACK (on_store_changed), self);
      self->committed_handler = g_signal_connect_swapped (store, "committed",
                                                          G_CALLBACK (on_store_committed), self);
    }

  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

gpointer
tandem_lead_table_get_query (TandemLeadTable *self)
{
  g_return_val_if_fail (TANDEM_IS_LEAD_TABLE (self), NULL);

  return self->query;
}

GListModel *
tandem_lead_table_get_model (TandemLeadTable *self)
{
  g_return_val_if_fail (TANDEM_IS_LEAD_TABLE (self), NULL);

  return self->leads != NULL ? G_LIST_MODEL (self->leads) : NULL;
}
