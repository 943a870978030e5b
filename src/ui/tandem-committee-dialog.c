/* tandem-committee-dialog.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "tandem-committee-dialog.h"
#include "tandem-window.h"

struct _TandemCommitteeDialog
{
  AdwMessageDialog  parent_instance;

  TandemStore      *store;
  TandemRecord     *deal;
  /* The member edited, or NULL when adding one. */
  TandemRecord     *member;
  /* Where the toast and any error go: the window the dialog was opened
   * from, which outlives it. */
  GtkWidget        *parent_window;
  /* The people behind person_row after its first entry (a new contact),
   * and the persona ids behind persona_row after its first (none). */
  GPtrArray        *candidates;
  GPtrArray        *persona_ids;

  AdwComboRow      *person_row;
  GtkStringList    *person_names;
  AdwActionRow     *member_row;
  AdwEntryRow      *first_name_row;
  AdwEntryRow      *last_name_row;
  AdwEntryRow      *email_row;
  AdwComboRow      *persona_row;
  GtkStringList    *persona_names;
  AdwComboRow      *role_row;
  AdwComboRow      *attitude_row;
  GtkSpinButton    *influence_spin;
};

G_DEFINE_FINAL_TYPE (TandemCommitteeDialog, tandem_committee_dialog, ADW_TYPE_MESSAGE_DIALOG)

/* The entries of role_row and attitude_row are "Not known" and then the
 * core's lists, in their order. */

static const char *
key_at (const char * const *keys,
        guint               selected)
{
  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION)
    return NULL;

  for (guint i = 0; keys[i] != NULL; i++)
    if (i + 1 == selected)
      return keys[i];

  return NULL;
}

static guint
position_of (const char * const *keys,
             const char         *key)
{
  for (guint i = 0; key != NULL && keys[i] != NULL; i++)
    if (g_str_equal (keys[i], key))
      return i + 1;

  return 0;
}

static char *
dup_person_name (TandemLead *lead)
{
  g_autofree char *name = tandem_lead_dup_display_name (lead);

  if (name == NULL || *name == '\0')
    return g_strdup (_("Unnamed person"));

  return g_steal_pointer (&name);
}

static char *
entry_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static gboolean
adding_new_person (TandemCommitteeDialog *self)
{
  return self->member == NULL && adw_combo_row_get_selected (self->person_row) == 0;
}

static void
select_persona (TandemCommitteeDialog *self,
                const char            *persona_id)
{
  for (guint i = 1; persona_id != NULL && i < self->persona_ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->persona_ids, i), persona_id) == 0)
      {
        adw_combo_row_set_selected (self->persona_row, i);
        return;
      }
}

/* Saving needs someone: a person chosen, or a new contact with a name or
 * an email address that looks like one. */
static void
update_save (TandemCommitteeDialog *self)
{
  g_autofree char *first = entry_text (self->first_name_row);
  g_autofree char *last = entry_text (self->last_name_row);
  g_autofree char *email = entry_text (self->email_row);
  gboolean email_ok = *email == '\0' || (strchr (email, '@') != NULL && strchr (email, ' ') == NULL);
  gboolean ok = TRUE;

  if (adding_new_person (self))
    ok = (*first != '\0' || *last != '\0' || *email != '\0') && email_ok;

  if (email_ok)
    gtk_widget_remove_css_class (GTK_WIDGET (self->email_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->email_row), "error");

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "save", ok);
}

static void
on_new_person_changed (TandemCommitteeDialog *self)
{
  update_save (self);
}

static void
on_person_selected (TandemCommitteeDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->person_row);
  gboolean new_person = adding_new_person (self);
  TandemRecord *lead;

  gtk_widget_set_visible (GTK_WIDGET (self->first_name_row), new_person);
  gtk_widget_set_visible (GTK_WIDGET (self->last_name_row), new_person);
  gtk_widget_set_visible (GTK_WIDGET (self->email_row), new_person);
  update_save (self);

  if (new_person || self->candidates == NULL || selected > self->candidates->len)
    return;

  /* The persona scoring matched the person with is the likely one, and
   * the persona says which role such people usually play. */
  lead = g_ptr_array_index (self->candidates, selected - 1);
  select_persona (self, tandem_record_get_text (lead, "persona_id"));
  if (adw_combo_row_get_selected (self->role_row) == 0 &&
      tandem_record_get_text (lead, "persona_id") != NULL)
    {
      g_autoptr(TandemRecord) persona = tandem_store_get (self->store, TANDEM_TYPE_PERSONA,
                                                          tandem_record_get_text (lead, "persona_id"),
                                                          NULL);

      if (persona != NULL)
        adw_combo_row_set_selected (self->role_row,
                                    position_of (tandem_pipeline_committee_roles (),
                                                 tandem_record_get_text (persona, "committee_role")));
    }
}

static void
on_response (TandemCommitteeDialog *self,
             const char            *response)
{
  g_autoptr(TandemRecord) member = NULL;
  g_autoptr(TandemLead) new_person = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;
  guint persona = adw_combo_row_get_selected (self->persona_row);

  if (g_strcmp0 (response, "save") != 0)
    return;

  if (self->member != NULL)
    {
      member = g_object_ref (self->member);
    }
  else
    {
      guint selected = adw_combo_row_get_selected (self->person_row);

      member = tandem_record_new_for_table ("deal_contacts", NULL);
      if (selected == 0)
        {
          g_autofree char *first = entry_text (self->first_name_row);
          g_autofree char *last = entry_text (self->last_name_row);
          g_autofree char *email = entry_text (self->email_row);

          new_person = tandem_lead_new ();
          if (*first != '\0')
            tandem_record_set_text (TANDEM_RECORD (new_person), "first_name", first);
          if (*last != '\0')
            tandem_record_set_text (TANDEM_RECORD (new_person), "last_name", last);
          if (*email != '\0')
            tandem_record_set_text (TANDEM_RECORD (new_person), "email", email);
          name = dup_person_name (new_person);
        }
      else if (selected <= self->candidates->len)
        {
          TandemLead *lead = g_ptr_array_index (self->candidates, selected - 1);

          tandem_record_set_text (member, "lead_id", tandem_record_get_id (TANDEM_RECORD (lead)));
          name = dup_person_name (lead);
        }
    }

  if (persona > 0 && persona < self->persona_ids->len)
    tandem_record_set_text (member, "persona_id", g_ptr_array_index (self->persona_ids, persona));
  else
    tandem_record_clear (member, "persona_id");
  tandem_record_set_text (member, "role",
                          key_at (tandem_pipeline_committee_roles (),
                                  adw_combo_row_get_selected (self->role_row)));
  tandem_record_set_text (member, "attitude",
                          key_at (tandem_pipeline_committee_attitudes (),
                                  adw_combo_row_get_selected (self->attitude_row)));
  tandem_record_set_int (member, "influence", gtk_spin_button_get_value_as_int (self->influence_spin));

  if (!tandem_pipeline_save_committee_member (self->store, self->deal, member, new_person, &error))
    {
      g_autofree char *message = NULL;

      if (self->member != NULL)
        message = g_strdup_printf (_("The buying committee member could not be saved: %s"),
                                   error->message);
      else
        message = g_strdup_printf (_("The person could not be added to the buying committee: %s"),
                                   error->message);
      tandem_window_show_error (self->parent_window, message);
      return;
    }

  if (self->member != NULL)
    title = g_strdup (_("Buying committee member saved"));
  else
    /* Translators: a person's name. */
    title = g_strdup_printf (_("%s joined the buying committee"), name);
  tandem_window_show_toast (self->parent_window, adw_toast_new (title));
}

static void
tandem_committee_dialog_dispose (GObject *object)
{
  TandemCommitteeDialog *self = TANDEM_COMMITTEE_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), TANDEM_TYPE_COMMITTEE_DIALOG);
  g_clear_object (&self->store);
  g_clear_object (&self->deal);
  g_clear_object (&self->member);
  g_clear_object (&self->parent_window);
  g_clear_pointer (&self->candidates, g_ptr_array_unref);
  g_clear_pointer (&self->persona_ids, g_ptr_array_unref);

  G_OBJECT_CLASS (tandem_committee_dialog_parent_class)->dispose (object);
}

static void
tandem_committee_dialog_class_init (TandemCommitteeDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tandem_committee_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tandemdesk/Tandem/"
                                               "tandem-committee-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemCommitteeDialog, person_row);
  gtk_widget_class_bind_template_child (widget_class, TandemCommitteeDialog, person_names);
  gtk_widget_class_bind_template_child (widget_class, TandemCommitteeDialog, member_row);
  gtk_widget_class_bind_template_child (widget_class, TandemCommitteeDialog, first_name_row);
  gtk_widget_class_bind_template_child (widget_class, TandemCommitteeDialog, last_name_row);
  gtk_widget_class_bind_template_child (widget_class, TandemCommitteeDialog, email_row);
  gtk_widget_class_bind_template_child (widget_class, TandemCommitteeDialog, persona_row);
  gtk_widget_class_bind_template_child (widget_class, TandemCommitteeDialog, persona_names);
  gtk_widget_class_bind_template_child (widget_class, TandemCommitteeDialog, role_row);
  gtk_widget_class_bind_template_child (widget_class, TandemCommitteeDialog, attitude_row);
  gtk_widget_class_bind_template_child (widget_class, TandemCommitteeDialog, influence_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_person_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_new_person_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_response);
}

static void
tandem_committee_dialog_init (TandemCommitteeDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->persona_ids = g_ptr_array_new_with_free_func (g_free);
}

static void
fill_personas (TandemCommitteeDialog *self)
{
  g_autoptr(GPtrArray) personas = tandem_store_list (self->store, TANDEM_TYPE_PERSONA, NULL);

  g_ptr_array_add (self->persona_ids, NULL);
  gtk_string_list_append (self->persona_names, _("None"));

  for (guint i = 0; personas != NULL && i < personas->len; i++)
    {
      TandemRecord *persona = g_ptr_array_index (personas, i);
      const char *name = tandem_record_get_text (persona, "name");

      g_ptr_array_add (self->persona_ids, g_strdup (tandem_record_get_id (persona)));
      gtk_string_list_append (self->persona_names, name != NULL ? name : _("Unnamed persona"));
    }
}

void
tandem_committee_dialog_present (GtkWidget    *anchor,
                                 TandemStore  *store,
                                 TandemRecord *deal,
                                 TandemRecord *member)
{
  TandemCommitteeDialog *self;
  g_autoptr(GError) error = NULL;
  GtkRoot *root;

  g_return_if_fail (GTK_IS_WIDGET (anchor));
  g_return_if_fail (TANDEM_IS_STORE (store));
  g_return_if_fail (TANDEM_IS_RECORD (deal));
  g_return_if_fail (member == NULL || TANDEM_IS_RECORD (member));

  root = gtk_widget_get_root (anchor);
  self = g_object_new (TANDEM_TYPE_COMMITTEE_DIALOG,
                       "transient-for", GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                       NULL);
  self->store = g_object_ref (store);
  self->deal = g_object_ref (deal);
  self->member = member != NULL ? g_object_ref (member) : NULL;
  self->parent_window = GTK_IS_WINDOW (root) ? g_object_ref (GTK_WIDGET (root))
                                             : g_object_ref (anchor);

  fill_personas (self);
  if (tandem_record_get_text (deal, "name") != NULL)
    adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), tandem_record_get_text (deal, "name"));

  if (member != NULL)
    {
      g_autoptr(TandemLead) lead = NULL;
      g_autofree char *name = NULL;
      const char *lead_id = tandem_record_get_text (member, "lead_id");

      if (lead_id != NULL)
        lead = tandem_store_get (store, TANDEM_TYPE_LEAD, lead_id, NULL);
      name = lead != NULL ? dup_person_name (lead) : g_strdup (_("Unknown person"));

      adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), _("Edit Committee Member"));
      adw_message_dialog_set_response_label (ADW_MESSAGE_DIALOG (self), "save", _("_Save"));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->member_row), FALSE);
      adw_action_row_set_subtitle (self->member_row, name);
      gtk_widget_set_visible (GTK_WIDGET (self->member_row), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->person_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->first_name_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->last_name_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->email_row), FALSE);

      select_persona (self, tandem_record_get_text (member, "persona_id"));
      adw_combo_row_set_selected (self->role_row,
                                  position_of (tandem_pipeline_committee_roles (),
                                               tandem_record_get_text (member, "role")));
      adw_combo_row_set_selected (self->attitude_row,
                                  position_of (tandem_pipeline_committee_attitudes (),
                                               tandem_record_get_text (member, "attitude")));
      if (tandem_record_get_int (member, "influence") > 0)
        gtk_spin_button_set_value (self->influence_spin, tandem_record_get_int (member, "influence"));
    }
  else
    {
      self->candidates = tandem_pipeline_list_committee_candidates (store, deal, &error);
      if (self->candidates == NULL)
        {
          g_warning ("Could not list the people at the deal's company: %s", error->message);
          self->candidates = g_ptr_array_new_with_free_func (g_object_unref);
        }

      gtk_string_list_append (self->person_names, _("New contact…"));
      for (guint i = 0; i < self->candidates->len; i++)
        {
          g_autofree char *name = dup_person_name (g_ptr_array_index (self->candidates, i));

          gtk_string_list_append (self->person_names, name);
        }

      /* Someone already at the company is the usual case. */
      adw_combo_row_set_selected (self->person_row, self->candidates->len > 0 ? 1 : 0);
      on_person_selected (self);
    }

  update_save (self);
  gtk_window_present (GTK_WINDOW (self));
}
