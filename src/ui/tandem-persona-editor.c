/* tandem-persona-editor.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "tandem-persona-editor.h"
#include "tandem-ui-utils.h"
#include "tandem-window.h"

/* Long enough that a sentence typed at normal speed is one write (and one
 * change-log entry), short enough that nothing is lost on a crash. */
#define SAVE_DELAY_MS 500

#define BINDING_KEY "tandem-field-binding"

struct _TandemPersonaEditor
{
  AdwBin               parent_instance;

  TandemPersona       *record;
  TandemStore         *store;
  TandemRecordList    *icps;
  /* The ICP ids behind the rows of icp_names; row 0 is "None". */
  GPtrArray           *icp_ids;
  char                *saved_name;
  guint                save_timeout_id;
  int                  match_count;
  gboolean             loading;

  GtkScrolledWindow   *scrolled_window;
  AdwAvatar           *avatar;
  GtkLabel            *title_label;
  GtkLabel            *subtitle_label;
  AdwEntryRow         *name_row;
  AdwEntryRow         *job_title_row;
  AdwComboRow         *seniority_row;
  AdwEntryRow         *location_row;
  AdwComboRow         *icp_row;
  GtkStringList       *icp_names;
  AdwComboRow         *committee_role_row;
  AdwActionRow        *match_row;
  GtkTextView         *bio_view;
  GtkTextView         *behaviour_view;
  GtkTextView         *interests_view;
  GtkTextView         *goals_view;
  GtkTextView         *pain_points_view;
  GtkTextView         *objections_view;
  GtkTextView         *channels_view;
};

G_DEFINE_FINAL_TYPE (TandemPersonaEditor, tandem_persona_editor, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_RECORD,
  PROP_MATCH_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum
{
  FIELD_ENTRY,
  FIELD_TEXT,
  FIELD_LIST,
} FieldKind;

typedef struct
{
  const char *field;
  FieldKind   kind;
  gsize       offset;
} FieldBinding;

/* One table drives loading, change tracking and the test accessor, so a new
 * field cannot be shown without also being saved. */
static const FieldBinding field_bindings[] = {
  { "name", FIELD_ENTRY, G_STRUCT_OFFSET (TandemPersonaEditor, name_row) },
  { "job_title", FIELD_ENTRY, G_STRUCT_OFFSET (TandemPersonaEditor, job_title_row) },
  { "location", FIELD_ENTRY, G_STRUCT_OFFSET (TandemPersonaEditor, location_row) },
  { "bio", FIELD_TEXT, G_STRUCT_OFFSET (TandemPersonaEditor, bio_view) },
  { "behaviour", FIELD_TEXT, G_STRUCT_OFFSET (TandemPersonaEditor, behaviour_view) },
  { "interests", FIELD_LIST, G_STRUCT_OFFSET (TandemPersonaEditor, interests_view) },
  { "goals", FIELD_LIST, G_STRUCT_OFFSET (TandemPersonaEditor, goals_view) },
  { "pain_points", FIELD_LIST, G_STRUCT_OFFSET (TandemPersonaEditor, pain_points_view) },
  { "objections", FIELD_LIST, G_STRUCT_OFFSET (TandemPersonaEditor, objections_view) },
  { "channels", FIELD_LIST, G_STRUCT_OFFSET (TandemPersonaEditor, channels_view) },
};

/* Stored keys in the order of the combo rows' items; NULL is "Not set".
 * The keys are shared with the matching engine, so they are never
 * translated. */
static const char * const seniority_keys[] = {
  NULL, "executive", "director", "manager", "individual",
};

static const char * const committee_role_keys[] = {
  NULL, "decision maker", "champion", "influencer", "user", "blocker",
};

static GtkWidget *
binding_widget (TandemPersonaEditor *self,
                const FieldBinding  *binding)
{
  return *(GtkWidget **)G_STRUCT_MEMBER_P (self, binding->offset);
}

static guint
key_index (const char * const *keys,
           guint               n_keys,
           const char         *value)
{
  if (value == NULL || *value == '\0')
    return 0;

  for (guint i = 1; i < n_keys; i++)
    {
      if (g_ascii_strcasecmp (keys[i], value) == 0)
        return i;
    }

  return 0;
}

static const char *
record_text (TandemRecord *record,
             const char   *field)
{
  return record != NULL ? tandem_record_get_text (record, field) : NULL;
}

static char *
dup_name_text (TandemPersonaEditor *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
}

static void
update_header (TandemPersonaEditor *self)
{
  g_autofree char *name = dup_name_text (self);
  const char *job_title;
  const char *location;
  g_autofree char *subtitle = NULL;

  adw_avatar_set_text (self->avatar, name);
  gtk_label_set_label (self->title_label, *name != '\0' ? name : _("Unnamed Persona"));

  job_title = gtk_editable_get_text (GTK_EDITABLE (self->job_title_row));
  location = gtk_editable_get_text (GTK_EDITABLE (self->location_row));

  if (*job_title != '\0' && *location != '\0')
    /* Translators: a persona's job title and where they work, e.g.
     * "Head of Operations · Berlin". */
    subtitle = g_strdup_printf (_("%s · %s"), job_title, location);
  else
    subtitle = g_strdup (*job_title != '\0' ? job_title : location);

  gtk_label_set_label (self->subtitle_label, subtitle);
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), *subtitle != '\0');
}

static gboolean
validate_name (TandemPersonaEditor *self)
{
  g_autofree char *name = dup_name_text (self);
  gboolean valid = *name != '\0';

  /* The row says why instead of silently keeping the old name. */
  if (valid)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_row), NULL);
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_row),
                                   _("A persona needs a name. The name is not saved "
                                     "until you enter one; your other changes are."));
    }

  return valid;
}

static void
update_match_row (TandemPersonaEditor *self)
{
  g_autofree char *title = NULL;

  if (self->match_count < 0)
    title = g_strdup ("…");
  else
    title = g_strdup_printf (ngettext ("%d lead matches this persona",
                                       "%d leads match this persona",
                                       self->match_count),
                             self->match_count);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->match_row), title);
}

gboolean
tandem_persona_editor_save_now (TandemPersonaEditor *self)
{
  g_autoptr(GError) error = NULL;
  TandemRecord *record;
  gboolean valid;

  g_return_val_if_fail (TANDEM_IS_PERSONA_EDITOR (self), FALSE);

  g_clear_handle_id (&self->save_timeout_id, g_source_remove);

  if (self->record == NULL || self->store == NULL)
    return TRUE;

  record = TANDEM_RECORD (self->record);
  valid = validate_name (self);

  if (!valid)
    {
      /* The other fields are still worth keeping: put the stored name back
       * into the record, but write only when something else changed so an
       * empty name does not add an entry to the change log. */
      if (!tandem_record_has_changes_besides (record, (const char *[]) { "name", NULL }))
        return FALSE;

      tandem_record_set_text (record, "name", self->saved_name);
    }

  if (!tandem_record_has_changes (record))
    return valid;

  if (!tandem_store_save (self->store, record, &error))
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("The persona could not be saved: %s"), error->message);
      tandem_window_show_error (GTK_WIDGET (self), message);

      return FALSE;
    }

  g_free (self->saved_name);
  self->saved_name = g_strdup (tandem_record_get_text (record, "name"));

  return valid;
}

static gboolean
on_save_timeout (gpointer user_data)
{
  TandemPersonaEditor *self = user_data;

  self->save_timeout_id = 0;
  tandem_persona_editor_save_now (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_save (TandemPersonaEditor *self)
{
  g_clear_handle_id (&self->save_timeout_id, g_source_remove);
  self->save_timeout_id = g_timeout_add (SAVE_DELAY_MS, on_save_timeout, self);
}

static void
on_entry_changed (GtkEditable         *editable,
                  TandemPersonaEditor *self)
{
  const FieldBinding *binding = g_object_get_data (G_OBJECT (editable), BINDING_KEY);
  g_autofree char *text = NULL;

  if (self->loading || self->record == NULL)
    return;

  text = g_strstrip (g_strdup (gtk_editable_get_text (editable)));

  if (g_strcmp0 (binding->field, "name") == 0)
    {
      /* An empty name stays out of the record; see save_now(). */
      if (validate_name (self))
        tandem_record_set_text (TANDEM_RECORD (self->record), "name", text);
    }
  else
    {
      tandem_record_set_text (TANDEM_RECORD (self->record), binding->field,
                              *text != '\0' ? text : NULL);
    }

  update_header (self);
  schedule_save (self);
}

static void
on_buffer_changed (GtkTextBuffer       *buffer,
                   TandemPersonaEditor *self)
{
  const FieldBinding *binding = g_object_get_data (G_OBJECT (buffer), BINDING_KEY);

  if (self->loading || self->record == NULL)
    return;

  tandem_text_view_store_in_record (GTK_TEXT_VIEW (binding_widget (self, binding)),
                                    TANDEM_RECORD (self->record), binding->field);

  schedule_save (self);
}

static void
on_seniority_selected (TandemPersonaEditor *self)
{
  guint selected = adw_combo_row_get_selected (self->seniority_row);

  if (self->loading || self->record == NULL || selected >= G_N_ELEMENTS (seniority_keys))
    return;

  tandem_record_set_text (TANDEM_RECORD (self->record), "seniority", seniority_keys[selected]);
  schedule_save (self);
}

static void
on_committee_role_selected (TandemPersonaEditor *self)
{
  guint selected = adw_combo_row_get_selected (self->committee_role_row);

  if (self->loading || self->record == NULL || selected >= G_N_ELEMENTS (committee_role_keys))
    return;

  tandem_record_set_text (TANDEM_RECORD (self->record), "committee_role",
                          committee_role_keys[selected]);
  schedule_save (self);
}

static void
on_icp_selected (TandemPersonaEditor *self)
{
  guint selected = adw_combo_row_get_selected (self->icp_row);

  if (self->loading || self->record == NULL || selected >= self->icp_ids->len)
    return;

  tandem_record_set_text (TANDEM_RECORD (self->record), "icp_id",
                          g_ptr_array_index (self->icp_ids, selected));
  schedule_save (self);
}

static void
select_record_icp (TandemPersonaEditor *self)
{
  const char *icp_id = NULL;
  guint position = 0;

  if (self->record != NULL)
    icp_id = tandem_record_get_text (TANDEM_RECORD (self->record), "icp_id");

  /* An ICP that was deleted shows as "None" without clearing the field, so
   * undoing the deletion restores the link. */
  for (guint i = 1; icp_id != NULL && i < self->icp_ids->len; i++)
    {
      if (g_strcmp0 (g_ptr_array_index (self->icp_ids, i), icp_id) == 0)
        {
          position = i;
          break;
        }
    }

  adw_combo_row_set_selected (self->icp_row, position);
}

static void
rebuild_icp_names (TandemPersonaEditor *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  guint n_items;
  gboolean was_loading = self->loading;

  self->loading = TRUE;

  g_ptr_array_set_size (self->icp_ids, 0);
  g_ptr_array_add (self->icp_ids, NULL);
  g_ptr_array_add (names, g_strdup (_("None")));

  n_items = self->icps != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->icps)) : 0;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(TandemIcp) icp = g_list_model_get_item (G_LIST_MODEL (self->icps), i);
      const char *name = tandem_icp_get_name (icp);

      g_ptr_array_add (self->icp_ids, g_strdup (tandem_record_get_id (TANDEM_RECORD (icp))));
      g_ptr_array_add (names, g_strdup (name != NULL && *name != '\0' ? name : _("Unnamed ICP")));
    }

  g_ptr_array_add (names, NULL);
  gtk_string_list_splice (self->icp_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->icp_names)),
                          (const char * const *)names->pdata);
  select_record_icp (self);

  self->loading = was_loading;
}

static void
on_icps_changed (TandemPersonaEditor *self)
{
  rebuild_icp_names (self);
}

static void
load_record (TandemPersonaEditor *self)
{
  TandemRecord *record = TANDEM_RECORD (self->record);

  self->loading = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (field_bindings); i++)
    {
      const FieldBinding *binding = &field_bindings[i];
      GtkWidget *widget = binding_widget (self, binding);
      g_autofree char *text = NULL;

      if (record == NULL)
        text = g_strdup ("");
      else if (binding->kind == FIELD_LIST)
        {
          g_auto(GStrv) items = tandem_record_dup_list (record, binding->field);

          text = items != NULL ? g_strjoinv ("\n", items) : g_strdup ("");
        }
      else
        text = g_strdup (tandem_record_get_text (record, binding->field));

      if (binding->kind == FIELD_ENTRY)
        gtk_editable_set_text (GTK_EDITABLE (widget), text != NULL ? text : "");
      else
        gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget)),
                                  text != NULL ? text : "", -1);
    }

  adw_combo_row_set_selected (self->seniority_row,
                              key_index (seniority_keys, G_N_ELEMENTS (seniority_keys),
                                         record_text (record, "seniority")));
  adw_combo_row_set_selected (self->committee_role_row,
                              key_index (committee_role_keys, G_N_ELEMENTS (committee_role_keys),
                                         record_text (record, "committee_role")));
  select_record_icp (self);

  g_free (self->saved_name);
  self->saved_name = record != NULL ? g_strdup (tandem_record_get_text (record, "name")) : NULL;

  validate_name (self);
  update_header (self);

  self->loading = FALSE;
}

static void
tandem_persona_editor_unmap (GtkWidget *widget)
{
  /* Leaving the view (another view, a folded leaflet, closing the window)
   * must not wait for the typing pause. */
  tandem_persona_editor_save_now (TANDEM_PERSONA_EDITOR (widget));

  GTK_WIDGET_CLASS (tandem_persona_editor_parent_class)->unmap (widget);
}

static void
tandem_persona_editor_dispose (GObject *object)
{
  TandemPersonaEditor *self = (TandemPersonaEditor *)object;

  if (self->save_timeout_id != 0)
    tandem_persona_editor_save_now (self);

  if (self->icps != NULL)
    g_signal_handlers_disconnect_by_data (self->icps, self);

  g_clear_object (&self->icps);
  g_clear_object (&self->record);
  g_clear_object (&self->store);

  /* AdwBin would unparent its child again after the template did. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TANDEM_TYPE_PERSONA_EDITOR);

  G_OBJECT_CLASS (tandem_persona_editor_parent_class)->dispose (object);
}

static void
tandem_persona_editor_finalize (GObject *object)
{
  TandemPersonaEditor *self = (TandemPersonaEditor *)object;

  g_clear_pointer (&self->icp_ids, g_ptr_array_unref);
  g_clear_pointer (&self->saved_name, g_free);

  G_OBJECT_CLASS (tandem_persona_editor_parent_class)->finalize (object);
}

static void
tandem_persona_editor_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  TandemPersonaEditor *self = TANDEM_PERSONA_EDITOR (object);

  switch (prop_id)
    {
    case PROP_RECORD:
      g_value_set_object (value, self->record);
      break;

    case PROP_MATCH_COUNT:
      g_value_set_int (value, self->match_count);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_persona_editor_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  TandemPersonaEditor *self = TANDEM_PERSONA_EDITOR (object);

  switch (prop_id)
    {
    case PROP_MATCH_COUNT:
      tandem_persona_editor_set_match_count (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_persona_editor_class_init (TandemPersonaEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tandem_persona_editor_dispose;
  object_class->finalize = tandem_persona_editor_finalize;
  object_class->get_property = tandem_persona_editor_get_property;
  object_class->set_property = tandem_persona_editor_set_property;

  widget_class->unmap = tandem_persona_editor_unmap;

  properties[PROP_RECORD] =
    g_param_spec_object ("record", NULL, NULL,
                         TANDEM_TYPE_PERSONA,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_MATCH_COUNT] =
    g_param_spec_int ("match-count", NULL, NULL,
                      -1, G_MAXINT, -1,
                      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tandemdesk/Tandem/"
                                               "tandem-persona-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, avatar);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, title_label);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, job_title_row);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, seniority_row);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, location_row);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, icp_row);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, icp_names);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, committee_role_row);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, match_row);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, bio_view);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, behaviour_view);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, interests_view);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, goals_view);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, pain_points_view);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, objections_view);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaEditor, channels_view);
}

static void
tandem_persona_editor_init (TandemPersonaEditor *self)
{
  self->match_count = -1;
  self->icp_ids = g_ptr_array_new_with_free_func (g_free);

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (field_bindings); i++)
    {
      const FieldBinding *binding = &field_bindings[i];
      GtkWidget *widget = binding_widget (self, binding);
      GObject *source;

      if (binding->kind == FIELD_ENTRY)
        {
          source = G_OBJECT (widget);
          g_signal_connect (source, "changed", G_CALLBACK (on_entry_changed), self);
        }
      else
        {
          source = G_OBJECT (gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget)));
          g_signal_connect (source, "changed", G_CALLBACK (on_buffer_changed), self);
        }

      g_object_set_data (source, BINDING_KEY, (gpointer)binding);
    }

  g_signal_connect_swapped (self->seniority_row, "notify::selected",
                            G_CALLBACK (on_seniority_selected), self);
  g_signal_connect_swapped (self->committee_role_row, "notify::selected",
                            G_CALLBACK (on_committee_role_selected), self);
  g_signal_connect_swapped (self->icp_row, "notify::selected",
                            G_CALLBACK (on_icp_selected), self);

  rebuild_icp_names (self);
  update_match_row (self);
  load_record (self);
}

GtkWidget *
tandem_persona_editor_new (void)
{
  return g_object_new (TANDEM_TYPE_PERSONA_EDITOR, NULL);
}

void
tandem_persona_editor_set_record (TandemPersonaEditor *self,
                                  TandemPersona       *persona,
                                  TandemStore         *store)
{
  g_return_if_fail (TANDEM_IS_PERSONA_EDITOR (self));
  g_return_if_fail (persona == NULL || TANDEM_IS_PERSONA (persona));
  g_return_if_fail (store == NULL || TANDEM_IS_STORE (store));

  tandem_persona_editor_save_now (self);

  if (self->store != store)
    {
      if (self->icps != NULL)
        g_signal_handlers_disconnect_by_data (self->icps, self);
      g_clear_object (&self->icps);
      g_set_object (&self->store, store);

      if (store != NULL)
        {
          self->icps = tandem_record_list_new (store, TANDEM_TYPE_ICP);
          g_signal_connect_swapped (self->icps, "items-changed",
                                    G_CALLBACK (on_icps_changed), self);
        }
    }

  g_set_object (&self->record, persona);

  rebuild_icp_names (self);
  load_record (self);

  /* A different persona starts at the top, not where the last one was
   * scrolled to. */
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled_window), 0);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORD]);
}

TandemPersona *
tandem_persona_editor_get_record (TandemPersonaEditor *self)
{
  g_return_val_if_fail (TANDEM_IS_PERSONA_EDITOR (self), NULL);

  return self->record;
}

void
tandem_persona_editor_set_match_count (TandemPersonaEditor *self,
                                       int                  match_count)
{
  g_return_if_fail (TANDEM_IS_PERSONA_EDITOR (self));

  match_count = MAX (match_count, -1);

  if (self->match_count == match_count)
    return;

  self->match_count = match_count;
  update_match_row (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MATCH_COUNT]);
}

int
tandem_persona_editor_get_match_count (TandemPersonaEditor *self)
{
  g_return_val_if_fail (TANDEM_IS_PERSONA_EDITOR (self), -1);

  return self->match_count;
}

void
tandem_persona_editor_focus_name (TandemPersonaEditor *self)
{
  g_return_if_fail (TANDEM_IS_PERSONA_EDITOR (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  gtk_editable_select_region (GTK_EDITABLE (self->name_row), 0, -1);
}

GtkWidget *
tandem_persona_editor_get_field_widget (TandemPersonaEditor *self,
                                        const char          *field)
{
  g_return_val_if_fail (TANDEM_IS_PERSONA_EDITOR (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (field_bindings); i++)
    {
      if (g_strcmp0 (field_bindings[i].field, field) == 0)
        return binding_widget (self, &field_bindings[i]);
    }

  if (g_strcmp0 (field, "seniority") == 0)
    return GTK_WIDGET (self->seniority_row);
  if (g_strcmp0 (field, "icp_id") == 0)
    return GTK_WIDGET (self->icp_row);
  if (g_strcmp0 (field, "committee_role") == 0)
    return GTK_WIDGET (self->committee_role_row);

  return NULL;
}
