/* tandem-move-dialog.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "tandem-move-dialog.h"
#include "tandem-window.h"

/* A refusal names every lead that stayed put up to this many; a longer list
 * would not fit a dialog, and the count says the rest. */
#define MAX_EXPLAINED 5

struct _TandemMoveDialog
{
  AdwMessageDialog  parent_instance;

  TandemStore      *store;
  GPtrArray        *leads;
  /* Where the toast and the explanation of a refusal go: the window the
   * move was asked from, which outlives the dialog. */
  GtkWidget        *parent_window;
  char             *stage;
  gboolean          reject;
  /* Stage keys behind the entries of stage_dropdown. */
  GPtrArray        *stage_keys;

  GtkLabel         *stage_label;
  GtkDropDown      *stage_dropdown;
  GtkStringList    *stage_names;
  GtkDropDown      *reason_dropdown;
  GtkStringList    *reasons;
  GtkEntry         *note_entry;
};

G_DEFINE_FINAL_TYPE (TandemMoveDialog, tandem_move_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  PROP_0,
  PROP_STAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
dup_stage_name (TandemStore *store,
                const char  *stage)
{
  g_autoptr(TandemRecord) definition = tandem_pipeline_get_stage (store, stage, NULL);
  const char *name = NULL;

  if (definition != NULL)
    name = tandem_record_get_text (definition, "name");

  /* The key is still better than nothing when the definition is missing. */
  return g_strdup (name != NULL && *name != '\0' ? name : stage);
}

static char *
dup_lead_name (TandemLead *lead)
{
  g_autofree char *name = tandem_lead_dup_display_name (lead);

  if (name == NULL || *name == '\0')
    return g_strdup (_("Unnamed lead"));

  return g_steal_pointer (&name);
}

static void
show_refusal (GtkWidget  *parent,
              const char *heading,
              const char *body)
{
  GtkRoot *root = parent != NULL ? gtk_widget_get_root (parent) : NULL;
  GtkWidget *dialog;

  /* Without a window the person would never learn that nothing moved;
   * this only happens while the window is going away. */
  if (!GTK_IS_WINDOW (root))
    {
      g_message ("%s: %s", heading, body);
      return;
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (root), heading, body);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_widget_add_css_class (dialog, "move-refusal");
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Moves (or rejects) each lead and tells the person what happened: a toast
 * for what moved and a dialog naming what did not, and why. */
static void
perform_moves (GtkWidget   *parent,
               TandemStore *store,
               GPtrArray   *leads,
               const char  *stage,
               const char  *reason,
               const char  *note,
               gboolean     reject)
{
  g_autoptr(GString) refusals = g_string_new (NULL);
  g_autofree char *stage_name = NULL;
  g_autofree char *last_refused = NULL;
  guint n_moved = 0;
  guint n_refused = 0;

  for (guint i = 0; i < leads->len; i++)
    {
      TandemLead *given = g_ptr_array_index (leads, i);
      const char *id = tandem_record_get_id (TANDEM_RECORD (given));
      g_autoptr(TandemLead) lead = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok;

      /* The caller's copy may predate an edit made since (a list keeps rows
       * it already handed out); moving a fresh copy cannot undo that edit. */
      lead = tandem_store_get (store, TANDEM_TYPE_LEAD, id, &error);
      if (lead != NULL)
        {
          if (reject)
            ok = tandem_pipeline_reject (store, lead, stage, reason, note, &error);
          else
            ok = tandem_pipeline_move (store, lead, stage, reason, note, &error);
        }
      else
        ok = FALSE;

      if (ok)
        {
          n_moved++;
          continue;
        }

      n_refused++;
      g_clear_pointer (&last_refused, g_free);
      last_refused = dup_lead_name (lead != NULL ? lead : given);

      if (n_refused <= MAX_EXPLAINED)
        {
          if (refusals->len > 0)
            g_string_append (refusals, "\n\n");
          if (leads->len > 1)
            g_string_append_printf (refusals, "%s: ", last_refused);
          g_string_append (refusals, error->message);
        }
    }

  stage_name = dup_stage_name (store, stage);

  if (n_moved > 0)
    {
      g_autofree char *title = NULL;

      if (n_moved == 1 && leads->len == 1)
        {
          g_autofree char *name = dup_lead_name (g_ptr_array_index (leads, 0));

          /* Translators: "Moved Ada Lovelace to SAL". */
          title = g_strdup_printf (_("Moved %s to %s"), name, stage_name);
        }
      else
        {
          /* Translators: "Moved 3 leads to SAL". */
          title = g_strdup_printf (ngettext ("Moved %u lead to %s", "Moved %u leads to %s",
                                             n_moved),
                                   n_moved, stage_name);
        }

      tandem_window_show_toast (parent, adw_toast_new (title));
    }

  if (n_refused > 0)
    {
      g_autofree char *heading = NULL;

      if (n_refused > MAX_EXPLAINED)
        g_string_append_printf (refusals,
                                ngettext ("\n\n…and %u more lead.", "\n\n…and %u more leads.",
                                          n_refused - MAX_EXPLAINED),
                                n_refused - MAX_EXPLAINED);

      if (n_refused == 1)
        heading = g_strdup_printf (_("%s Was Not Moved to %s"), last_refused, stage_name);
      else
        heading = g_strdup_printf (ngettext ("%u Lead Was Not Moved to %s",
                                             "%u Leads Were Not Moved to %s", n_refused),
                                   n_refused, stage_name);

      show_refusal (parent, heading, refusals->str);
    }
}

static void
fill_reasons (TandemMoveDialog *self)
{
  g_autoptr(GPtrArray) labels = NULL;
  g_autoptr(GError) error = NULL;
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->reasons));

  labels = tandem_pipeline_list_reasons (self->store, self->stage, &error);
  if (labels == NULL)
    {
      g_warning ("Could not list the reasons for %s: %s", self->stage, error->message);
      labels = g_ptr_array_new_with_free_func (g_free);
    }

  g_ptr_array_add (labels, NULL);
  gtk_string_list_splice (self->reasons, 0, n_old, (const char * const *)labels->pdata);
  gtk_drop_down_set_selected (self->reason_dropdown, 0);

  /* A stage without a list of reasons cannot be entered from here. */
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "move",
                                           labels->len > 1);
}

static void
update_heading (TandemMoveDialog *self)
{
  g_autofree char *stage_name = dup_stage_name (self->store, self->stage);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;

  if (self->leads->len == 1)
    {
      g_autofree char *name = dup_lead_name (g_ptr_array_index (self->leads, 0));

      if (self->reject)
        heading = g_strdup_printf (_("Reject %s?"), name);
      else
        heading = g_strdup_printf (_("Move %s to %s?"), name, stage_name);
    }
  else if (self->reject)
    heading = g_strdup_printf (ngettext ("Reject %u Lead?", "Reject %u Leads?",
                                         self->leads->len),
                               self->leads->len);
  else
    heading = g_strdup_printf (ngettext ("Move %u Lead to %s?", "Move %u Leads to %s?",
                                         self->leads->len),
                               self->leads->len, stage_name);

  if (self->reject)
    body = g_strdup (_("Marketing sees the reason, so they can tell what a good lead looks "
                       "like. Nurture sends the lead back to marketing; disqualified takes "
                       "it out of the funnel."));
  else
    body = g_strdup_printf (_("Moving a lead to %s needs a reason, so both teams can learn "
                              "from it."),
                            stage_name);

  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), heading);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), body);
  adw_message_dialog_set_response_label (ADW_MESSAGE_DIALOG (self), "move",
                                         self->reject ? _("_Reject") : _("_Move"));
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (self), "move",
                                              self->reject ? ADW_RESPONSE_DESTRUCTIVE
                                                           : ADW_RESPONSE_SUGGESTED);
}

static void
on_stage_selected (TandemMoveDialog *self)
{
  guint selected = gtk_drop_down_get_selected (self->stage_dropdown);

  if (self->stage_keys == NULL || selected >= self->stage_keys->len)
    return;

  tandem_move_dialog_set_stage (self, g_ptr_array_index (self->stage_keys, selected));
}

static void
on_response (TandemMoveDialog *self,
             const char       *response)
{
  g_autofree char *note = NULL;
  const char *reason;

  if (g_strcmp0 (response, "move") != 0)
    return;

  reason = tandem_move_dialog_get_reason (self);
  note = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->note_entry))));

  perform_moves (self->parent_window, self->store, self->leads, self->stage, reason,
                 *note != '\0' ? note : NULL, self->reject);
}

static void
tandem_move_dialog_dispose (GObject *object)
{
  TandemMoveDialog *self = TANDEM_MOVE_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), TANDEM_TYPE_MOVE_DIALOG);
  g_clear_object (&self->store);
  g_clear_object (&self->parent_window);
  g_clear_pointer (&self->leads, g_ptr_array_unref);
  g_clear_pointer (&self->stage_keys, g_ptr_array_unref);

  G_OBJECT_CLASS (tandem_move_dialog_parent_class)->dispose (object);
}

static void
tandem_move_dialog_finalize (GObject *object)
{
  TandemMoveDialog *self = TANDEM_MOVE_DIALOG (object);

  g_free (self->stage);

  G_OBJECT_CLASS (tandem_move_dialog_parent_class)->finalize (object);
}

static void
tandem_move_dialog_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TandemMoveDialog *self = TANDEM_MOVE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STAGE:
      g_value_set_string (value, self->stage);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_move_dialog_class_init (TandemMoveDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tandem_move_dialog_dispose;
  object_class->finalize = tandem_move_dialog_finalize;
  object_class->get_property = tandem_move_dialog_get_property;

  properties[PROP_STAGE] =
    g_param_spec_string ("stage", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tandemdesk/Tandem/"
                                               "tandem-move-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemMoveDialog, stage_label);
  gtk_widget_class_bind_template_child (widget_class, TandemMoveDialog, stage_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TandemMoveDialog, stage_names);
  gtk_widget_class_bind_template_child (widget_class, TandemMoveDialog, reason_dropdown);
  gtk_widget_class_bind_template_child (widget_class, TandemMoveDialog, reasons);
  gtk_widget_class_bind_template_child (widget_class, TandemMoveDialog, note_entry);
  gtk_widget_class_bind_template_callback (widget_class, on_stage_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_response);
}

static void
tandem_move_dialog_init (TandemMoveDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
tandem_move_dialog_present (GtkWidget   *anchor,
                            TandemStore *store,
                            GPtrArray   *leads,
                            const char  *to_stage,
                            gboolean     reject)
{
  TandemMoveDialog *self;
  GtkRoot *root;

  g_return_if_fail (GTK_IS_WIDGET (anchor));
  g_return_if_fail (TANDEM_IS_STORE (store));
  g_return_if_fail (leads != NULL);
  g_return_if_fail (to_stage != NULL || reject);

  if (leads->len == 0)
    return;

  /* Moves that need no reason happen at once; asking to confirm each drag
   * would make the board tedious, and a wrong move is one drag back. */
  if (!reject && !tandem_stage_needs_reason (to_stage))
    {
      perform_moves (anchor, store, leads, to_stage, NULL, NULL, FALSE);
      return;
    }

  root = gtk_widget_get_root (anchor);

  self = g_object_new (TANDEM_TYPE_MOVE_DIALOG,
                       "transient-for", GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                       NULL);
  self->store = g_object_ref (store);
  self->leads = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < leads->len; i++)
    g_ptr_array_add (self->leads, g_object_ref (g_ptr_array_index (leads, i)));
  self->parent_window = GTK_IS_WINDOW (root) ? g_object_ref (GTK_WIDGET (root))
                                             : g_object_ref (anchor);
  self->reject = reject;

  /* Rejecting leaves the choice between the two ways back; a plain move
   * has its stage already, from where the card was dropped. */
  gtk_widget_set_visible (GTK_WIDGET (self->stage_label), reject && to_stage == NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->stage_dropdown), reject && to_stage == NULL);

  if (reject && to_stage == NULL)
    {
      const char *keys[] = { TANDEM_STAGE_NURTURE, TANDEM_STAGE_DISQUALIFIED };

      self->stage_keys = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        {
          g_autofree char *name = dup_stage_name (store, keys[i]);

          g_ptr_array_add (self->stage_keys, g_strdup (keys[i]));
          gtk_string_list_append (self->stage_names, name);
        }
      to_stage = TANDEM_STAGE_NURTURE;
    }

  tandem_move_dialog_set_stage (self, to_stage);
  gtk_window_present (GTK_WINDOW (self));
}

const char *
tandem_move_dialog_get_stage (TandemMoveDialog *self)
{
  g_return_val_if_fail (TANDEM_IS_MOVE_DIALOG (self), NULL);

  return self->stage;
}

void
tandem_move_dialog_set_stage (TandemMoveDialog *self,
                              const char       *stage)
{
  g_return_if_fail (TANDEM_IS_MOVE_DIALOG (self));
  g_return_if_fail (stage != NULL);

  if (g_strcmp0 (self->stage, stage) == 0)
    return;

  g_free (self->stage);
  self->stage = g_strdup (stage);

  if (self->stage_keys != NULL)
    {
      guint position;

      if (g_ptr_array_find_with_equal_func (self->stage_keys, stage, g_str_equal, &position) &&
          gtk_drop_down_get_selected (self->stage_dropdown) != position)
        gtk_drop_down_set_selected (self->stage_dropdown, position);
    }

  fill_reasons (self);
  update_heading (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAGE]);
}

gboolean
tandem_move_dialog_set_reason (TandemMoveDialog *self,
                               const char       *reason)
{
  guint n_items;

  g_return_val_if_fail (TANDEM_IS_MOVE_DIALOG (self), FALSE);
  g_return_val_if_fail (reason != NULL, FALSE);

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->reasons));
  for (guint i = 0; i < n_items; i++)
    {
      if (g_strcmp0 (gtk_string_list_get_string (self->reasons, i), reason) == 0)
        {
          gtk_drop_down_set_selected (self->reason_dropdown, i);
          return TRUE;
        }
    }

  return FALSE;
}

const char *
tandem_move_dialog_get_reason (TandemMoveDialog *self)
{
  guint selected;

  g_return_val_if_fail (TANDEM_IS_MOVE_DIALOG (self), NULL);

  selected = gtk_drop_down_get_selected (self->reason_dropdown);
  if (selected == GTK_INVALID_LIST_POSITION)
    return NULL;

  return gtk_string_list_get_string (self->reasons, selected);
}

void
tandem_move_dialog_set_note (TandemMoveDialog *self,
                             const char       *note)
{
  g_return_if_fail (TANDEM_IS_MOVE_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->note_entry), note != NULL ? note : "");
}
