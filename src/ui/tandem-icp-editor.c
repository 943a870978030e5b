/* tandem-icp-editor.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "tandem-icp-editor.h"
#include "tandem-ui-utils.h"
#include "tandem-window.h"

/* Long enough that a sentence typed at normal speed is one write (and one
 * change-log entry), short enough that nothing is lost on a crash. */
#define SAVE_DELAY_MS 500

#define BINDING_KEY "tandem-field-binding"

struct _TandemIcpEditor
{
  AdwBin             parent_instance;

  TandemIcp         *record;
  TandemStore       *store;
  char              *saved_name;
  gint64             saved_revenue_min;
  gint64             saved_revenue_max;
  guint              save_timeout_id;
  int                match_count;
  gboolean           loading;

  GtkScrolledWindow *scrolled_window;
  GtkLabel          *rank_badge;
  GtkLabel          *title_label;
  AdwEntryRow       *name_row;
  GtkSpinButton     *rank_spin;
  AdwActionRow      *match_row;
  GtkTextView       *description_view;
  GtkSpinButton     *employees_min_spin;
  GtkSpinButton     *employees_max_spin;
  AdwEntryRow       *revenue_min_row;
  GtkLabel          *revenue_min_currency;
  AdwEntryRow       *revenue_max_row;
  GtkLabel          *revenue_max_currency;
  GtkTextView       *industries_view;
  GtkTextView       *regions_view;
  GtkTextView       *attributes_view;
  GtkTextView       *excluded_industries_view;
  GtkTextView       *excluded_domains_view;
  GtkTextView       *competitors_view;
};

G_DEFINE_FINAL_TYPE (TandemIcpEditor, tandem_icp_editor, ADW_TYPE_BIN)

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
  FIELD_SPIN,
  /* Money in major units in an entry, stored as integer minor units. */
  FIELD_MONEY,
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
  { "name", FIELD_ENTRY, G_STRUCT_OFFSET (TandemIcpEditor, name_row) },
  { "rank", FIELD_SPIN, G_STRUCT_OFFSET (TandemIcpEditor, rank_spin) },
  { "description", FIELD_TEXT, G_STRUCT_OFFSET (TandemIcpEditor, description_view) },
  { "employees_min", FIELD_SPIN, G_STRUCT_OFFSET (TandemIcpEditor, employees_min_spin) },
  { "employees_max", FIELD_SPIN, G_STRUCT_OFFSET (TandemIcpEditor, employees_max_spin) },
  { "revenue_min", FIELD_MONEY, G_STRUCT_OFFSET (TandemIcpEditor, revenue_min_row) },
  { "revenue_max", FIELD_MONEY, G_STRUCT_OFFSET (TandemIcpEditor, revenue_max_row) },
  { "industries", FIELD_LIST, G_STRUCT_OFFSET (TandemIcpEditor, industries_view) },
  { "regions", FIELD_LIST, G_STRUCT_OFFSET (TandemIcpEditor, regions_view) },
  { "attributes", FIELD_LIST, G_STRUCT_OFFSET (TandemIcpEditor, attributes_view) },
  { "excluded_industries", FIELD_LIST,
    G_STRUCT_OFFSET (TandemIcpEditor, excluded_industries_view) },
  { "excluded_domains", FIELD_LIST, G_STRUCT_OFFSET (TandemIcpEditor, excluded_domains_view) },
  { "competitors", FIELD_LIST, G_STRUCT_OFFSET (TandemIcpEditor, competitors_view) },
};

static GtkWidget *
binding_widget (TandemIcpEditor    *self,
                const FieldBinding *binding)
{
  return *(GtkWidget **)G_STRUCT_MEMBER_P (self, binding->offset);
}

static gint64
record_int (TandemRecord *record,
            const char   *field)
{
  return record != NULL ? tandem_record_get_int (record, field) : 0;
}

/* Reads an amount in major units ("250000", "250,000", "1999.90") into
 * minor units. Grouping characters are skipped because people paste
 * amounts from spreadsheets; signs and anything else are refused, since a
 * revenue bound is never negative. An empty text is 0, "no limit". */
static gboolean
parse_money (const char *text,
             gint64     *minor_units)
{
  gint64 major = 0;
  gint64 cents = 0;
  int n_decimals = -1;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || c == ',' || c == '\'' || c == '_' || c == 0x202F)
        continue;

      if (c == '.')
        {
          if (n_decimals >= 0)
            return FALSE;
          n_decimals = 0;
          continue;
        }

      if (c < '0' || c > '9')
        return FALSE;

      if (n_decimals >= 0)
        {
          if (n_decimals == 2)
            return FALSE;
          cents = cents * 10 + (c - '0');
          n_decimals++;
        }
      else
        {
          if (major > (G_MAXINT64 / 100 - 9) / 10)
            return FALSE;
          major = major * 10 + (c - '0');
        }
    }

  if (n_decimals == 1)
    cents *= 10;

  *minor_units = major * 100 + cents;

  return TRUE;
}

/* Groups of three digits separated by narrow no-break spaces: readable in
 * every locale, unlike a comma or a dot, which mean the decimal separator in
 * half of them, and parse_money() skips them. */
static char *
format_money (gint64 minor_units)
{
  g_autofree char *digits = NULL;
  GString *text;
  gsize len;

  if (minor_units <= 0)
    return g_strdup ("");

  digits = g_strdup_printf ("%" G_GINT64_FORMAT, minor_units / 100);
  len = strlen (digits);
  text = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_unichar (text, 0x202F);
      g_string_append_c (text, digits[i]);
    }

  if (minor_units % 100 != 0)
    g_string_append_printf (text, ".%02d", (int)(minor_units % 100));

  return g_string_free (text, FALSE);
}

static char *
dup_name_text (TandemIcpEditor *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
}

static void
update_header (TandemIcpEditor *self)
{
  g_autofree char *name = dup_name_text (self);
  g_autofree char *rank = NULL;

  gtk_label_set_label (self->title_label, *name != '\0' ? name : _("Unnamed ICP"));

  rank = g_strdup_printf ("%d", gtk_spin_button_get_value_as_int (self->rank_spin));
  gtk_label_set_label (self->rank_badge, rank);
}

static gboolean
validate_name (TandemIcpEditor *self)
{
  g_autofree char *name = dup_name_text (self);
  gboolean valid = *name != '\0';

  /* The row says why instead of silently keeping the old name. */
  tandem_row_set_error (GTK_WIDGET (self->name_row),
                 valid ? NULL : _("A profile needs a name. The name is not saved until "
                                  "you enter one; your other changes are."));

  return valid;
}

static gboolean
validate_money (TandemIcpEditor    *self,
                const FieldBinding *binding,
                gint64             *minor_units)
{
  GtkWidget *row = binding_widget (self, binding);
  gint64 value = 0;
  gboolean valid;

  valid = parse_money (gtk_editable_get_text (GTK_EDITABLE (row)), &value);
  tandem_row_set_error (row, valid ? NULL : _("Enter an amount in whole currency units, such as "
                                       "250000, or leave it empty for no limit."));

  if (minor_units != NULL)
    *minor_units = value;

  return valid;
}

static void
update_match_row (TandemIcpEditor *self)
{
  g_autofree char *title = NULL;

  if (self->match_count < 0)
    title = g_strdup ("…");
  else
    title = g_strdup_printf (ngettext ("%d lead matches this ICP",
                                       "%d leads match this ICP",
                                       self->match_count),
                             self->match_count);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->match_row), title);
}

static void
update_currency (TandemIcpEditor *self)
{
  g_autofree char *currency = NULL;

  /* The workspace has one currency; amounts are typed in its major unit. */
  if (self->store != NULL)
    currency = tandem_store_get_setting (self->store, "currency", "USD");

  gtk_label_set_label (self->revenue_min_currency, currency != NULL ? currency : "");
  gtk_label_set_label (self->revenue_max_currency, currency != NULL ? currency : "");
}

/* The values last read from or written to the store, for the fields whose
 * text can be invalid. */
static void
remember_saved_values (TandemIcpEditor *self)
{
  TandemRecord *record = TANDEM_RECORD (self->record);

  g_free (self->saved_name);
  self->saved_name = record != NULL ? g_strdup (tandem_record_get_text (record, "name")) : NULL;
  self->saved_revenue_min = record != NULL ? tandem_record_get_int (record, "revenue_min") : 0;
  self->saved_revenue_max = record != NULL ? tandem_record_get_int (record, "revenue_max") : 0;
}

gboolean
tandem_icp_editor_save_now (TandemIcpEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) invalid_builder = g_strv_builder_new ();
  g_auto(GStrv) invalid = NULL;
  TandemRecord *record;

  g_return_val_if_fail (TANDEM_IS_ICP_EDITOR (self), FALSE);

  g_clear_handle_id (&self->save_timeout_id, g_source_remove);

  if (self->record == NULL || self->store == NULL)
    return TRUE;

  record = TANDEM_RECORD (self->record);

  if (!validate_name (self))
    g_strv_builder_add (invalid_builder, "name");

  for (guint i = 0; i < G_N_ELEMENTS (field_bindings); i++)
    {
      if (field_bindings[i].kind == FIELD_MONEY && !validate_money (self, &field_bindings[i], NULL))
        g_strv_builder_add (invalid_builder, field_bindings[i].field);
    }

  invalid = g_strv_builder_end (invalid_builder);

  if (invalid[0] != NULL)
    {
      /* The other fields are still worth keeping: put the stored values of
       * the invalid ones back into the record (on the way to an invalid
       * text the record may have seen a valid one, such as the empty text
       * of a replaced amount), but write only when something else changed
       * so an invalid text does not add an entry to the change log. */
      if (!tandem_record_has_changes_besides (record, (const char * const *)invalid))
        return FALSE;

      if (g_strv_contains ((const char * const *)invalid, "name"))
        tandem_record_set_text (record, "name", self->saved_name);
      if (g_strv_contains ((const char * const *)invalid, "revenue_min"))
        tandem_record_set_int (record, "revenue_min", self->saved_revenue_min);
      if (g_strv_contains ((const char * const *)invalid, "revenue_max"))
        tandem_record_set_int (record, "revenue_max", self->saved_revenue_max);
    }

  if (!tandem_record_has_changes (record))
    return invalid[0] == NULL;

  if (!tandem_store_save (self->store, record, &error))
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("The ideal customer profile could not be saved: %s"),
                                 error->message);
      tandem_window_show_error (GTK_WIDGET (self), message);

      return FALSE;
    }

  remember_saved_values (self);

  return invalid[0] == NULL;
}

static gboolean
on_save_timeout (gpointer user_data)
{
  TandemIcpEditor *self = user_data;

  self->save_timeout_id = 0;
  tandem_icp_editor_save_now (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_save (TandemIcpEditor *self)
{
  g_clear_handle_id (&self->save_timeout_id, g_source_remove);
  self->save_timeout_id = g_timeout_add (SAVE_DELAY_MS, on_save_timeout, self);
}

static void
on_entry_changed (GtkEditable     *editable,
                  TandemIcpEditor *self)
{
  const FieldBinding *binding = g_object_get_data (G_OBJECT (editable), BINDING_KEY);
  TandemRecord *record;
  g_autofree char *text = NULL;

  if (self->loading || self->record == NULL)
    return;

  record = TANDEM_RECORD (self->record);
  text = g_strstrip (g_strdup (gtk_editable_get_text (editable)));

  if (binding->kind == FIELD_MONEY)
    {
      gint64 minor_units;

      if (!validate_money (self, binding, &minor_units))
        return;

      tandem_record_set_int (record, binding->field, minor_units);
    }
  else if (g_strcmp0 (binding->field, "name") == 0)
    {
      /* An empty name stays out of the record; see save_now(). */
      if (validate_name (self))
        tandem_record_set_text (record, "name", text);
    }
  else
    {
      tandem_record_set_text (record, binding->field, *text != '\0' ? text : NULL);
    }

  update_header (self);
  schedule_save (self);
}

static void
on_spin_value_changed (GtkSpinButton   *spin,
                       TandemIcpEditor *self)
{
  const FieldBinding *binding = g_object_get_data (G_OBJECT (spin), BINDING_KEY);

  if (self->loading || self->record == NULL)
    return;

  tandem_record_set_int (TANDEM_RECORD (self->record), binding->field,
                         gtk_spin_button_get_value_as_int (spin));

  update_header (self);
  schedule_save (self);
}

static void
on_buffer_changed (GtkTextBuffer   *buffer,
                   TandemIcpEditor *self)
{
  const FieldBinding *binding = g_object_get_data (G_OBJECT (buffer), BINDING_KEY);

  if (self->loading || self->record == NULL)
    return;

  tandem_text_view_store_in_record (GTK_TEXT_VIEW (binding_widget (self, binding)),
                                    TANDEM_RECORD (self->record), binding->field);

  schedule_save (self);
}

static void
load_record (TandemIcpEditor *self)
{
  TandemRecord *record = TANDEM_RECORD (self->record);

  self->loading = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (field_bindings); i++)
    {
      const FieldBinding *binding = &field_bindings[i];
      GtkWidget *widget = binding_widget (self, binding);
      g_autofree char *text = NULL;

      switch (binding->kind)
        {
        case FIELD_SPIN:
          gtk_spin_button_set_value (GTK_SPIN_BUTTON (widget),
                                     record_int (record, binding->field));
          break;

        case FIELD_MONEY:
          text = format_money (record_int (record, binding->field));
          gtk_editable_set_text (GTK_EDITABLE (widget), text);
          tandem_row_set_error (widget, NULL);
          break;

        case FIELD_ENTRY:
          text = g_strdup (record != NULL ? tandem_record_get_text (record, binding->field) : NULL);
          gtk_editable_set_text (GTK_EDITABLE (widget), text != NULL ? text : "");
          break;

        case FIELD_TEXT:
          text = g_strdup (record != NULL ? tandem_record_get_text (record, binding->field) : NULL);
          gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget)),
                                    text != NULL ? text : "", -1);
          break;

        case FIELD_LIST:
          {
            g_auto(GStrv) items = NULL;

            if (record != NULL)
              items = tandem_record_dup_list (record, binding->field);
            text = items != NULL ? g_strjoinv ("\n", items) : g_strdup ("");
            gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget)),
                                      text, -1);
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }

  remember_saved_values (self);

  validate_name (self);
  update_header (self);

  self->loading = FALSE;
}

static void
tandem_icp_editor_unmap (GtkWidget *widget)
{
  /* Leaving the view (another view, a folded leaflet, closing the window)
   * must not wait for the typing pause. */
  tandem_icp_editor_save_now (TANDEM_ICP_EDITOR (widget));

  GTK_WIDGET_CLASS (tandem_icp_editor_parent_class)->unmap (widget);
}

static void
tandem_icp_editor_dispose (GObject *object)
{
  TandemIcpEditor *self = (TandemIcpEditor *)object;

  if (self->save_timeout_id != 0)
    tandem_icp_editor_save_now (self);

  g_clear_object (&self->record);
  g_clear_object (&self->store);

  /* AdwBin would unparent its child again after the template did. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TANDEM_TYPE_ICP_EDITOR);

  G_OBJECT_CLASS (tandem_icp_editor_parent_class)->dispose (object);
}

static void
tandem_icp_editor_finalize (GObject *object)
{
  TandemIcpEditor *self = (TandemIcpEditor *)object;

  g_clear_pointer (&self->saved_name, g_free);

  G_OBJECT_CLASS (tandem_icp_editor_parent_class)->finalize (object);
}

static void
tandem_icp_editor_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TandemIcpEditor *self = TANDEM_ICP_EDITOR (object);

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
tandem_icp_editor_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  TandemIcpEditor *self = TANDEM_ICP_EDITOR (object);

  switch (prop_id)
    {
    case PROP_MATCH_COUNT:
      tandem_icp_editor_set_match_count (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_icp_editor_class_init (TandemIcpEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tandem_icp_editor_dispose;
  object_class->finalize = tandem_icp_editor_finalize;
  object_class->get_property = tandem_icp_editor_get_property;
  object_class->set_property = tandem_icp_editor_set_property;

  widget_class->unmap = tandem_icp_editor_unmap;

  properties[PROP_RECORD] =
    g_param_spec_object ("record", NULL, NULL,
                         TANDEM_TYPE_ICP,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_MATCH_COUNT] =
    g_param_spec_int ("match-count", NULL, NULL,
                      -1, G_MAXINT, -1,
                      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tandemdesk/Tandem/"
                                               "tandem-icp-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, rank_badge);
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, title_label);
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, rank_spin);
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, match_row);
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, description_view);
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, employees_min_spin);
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, employees_max_spin);
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, revenue_min_row);
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, revenue_min_currency);
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, revenue_max_row);
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, revenue_max_currency);
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, industries_view);
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, regions_view);
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, attributes_view);
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, excluded_industries_view);
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, excluded_domains_view);
  gtk_widget_class_bind_template_child (widget_class, TandemIcpEditor, competitors_view);
}

static void
tandem_icp_editor_init (TandemIcpEditor *self)
{
  self->match_count = -1;

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (field_bindings); i++)
    {
      const FieldBinding *binding = &field_bindings[i];
      GtkWidget *widget = binding_widget (self, binding);
      GObject *source = G_OBJECT (widget);

      switch (binding->kind)
        {
        case FIELD_ENTRY:
        case FIELD_MONEY:
          g_signal_connect (source, "changed", G_CALLBACK (on_entry_changed), self);
          break;

        case FIELD_SPIN:
          g_signal_connect (source, "value-changed", G_CALLBACK (on_spin_value_changed), self);
          break;

        case FIELD_TEXT:
        case FIELD_LIST:
          source = G_OBJECT (gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget)));
          g_signal_connect (source, "changed", G_CALLBACK (on_buffer_changed), self);
          break;

        default:
          g_assert_not_reached ();
        }

      g_object_set_data (source, BINDING_KEY, (gpointer)binding);
    }

  update_match_row (self);
  update_currency (self);
  load_record (self);
}

GtkWidget *
tandem_icp_editor_new (void)
{
  return g_object_new (TANDEM_TYPE_ICP_EDITOR, NULL);
}

void
tandem_icp_editor_set_record (TandemIcpEditor *self,
                              TandemIcp       *icp,
                              TandemStore     *store)
{
  g_return_if_fail (TANDEM_IS_ICP_EDITOR (self));
  g_return_if_fail (icp == NULL || TANDEM_IS_ICP (icp));
  g_return_if_fail (store == NULL || TANDEM_IS_STORE (store));

  tandem_icp_editor_save_now (self);

  g_set_object (&self->store, store);
  g_set_object (&self->record, icp);

  /* The currency can change in the preferences between two visits. */
  update_currency (self);
  load_record (self);

  /* A different profile starts at the top, not where the last one was
   * scrolled to. */
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled_window), 0);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORD]);
}

TandemIcp *
tandem_icp_editor_get_record (TandemIcpEditor *self)
{
  g_return_val_if_fail (TANDEM_IS_ICP_EDITOR (self), NULL);

  return self->record;
}

void
tandem_icp_editor_set_match_count (TandemIcpEditor *self,
                                   int              match_count)
{
  g_return_if_fail (TANDEM_IS_ICP_EDITOR (self));

  match_count = MAX (match_count, -1);

  if (self->match_count == match_count)
    return;

  self->match_count = match_count;
  update_match_row (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MATCH_COUNT]);
}

int
tandem_icp_editor_get_match_count (TandemIcpEditor *self)
{
  g_return_val_if_fail (TANDEM_IS_ICP_EDITOR (self), -1);

  return self->match_count;
}

void
tandem_icp_editor_focus_name (TandemIcpEditor *self)
{
  g_return_if_fail (TANDEM_IS_ICP_EDITOR (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  gtk_editable_select_region (GTK_EDITABLE (self->name_row), 0, -1);
}

GtkWidget *
tandem_icp_editor_get_field_widget (TandemIcpEditor *self,
                                    const char      *field)
{
  g_return_val_if_fail (TANDEM_IS_ICP_EDITOR (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (field_bindings); i++)
    {
      if (g_strcmp0 (field_bindings[i].field, field) == 0)
        return binding_widget (self, &field_bindings[i]);
    }

  return NULL;
}
