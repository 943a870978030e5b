/* tandem-lead-card.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "tandem-lead-card.h"

struct _TandemLeadCard
{
  AdwBin      parent_instance;

  TandemLead *lead;
  GMenuModel *menu_model;
  GtkWidget  *popover;

  GtkLabel   *name_label;
  GtkImage   *stalled_image;
  GtkLabel   *grade_label;
  GtkLabel   *company_label;
  AdwAvatar  *owner_avatar;
  GtkLabel   *owner_label;
  GtkLabel   *score_label;
};

G_DEFINE_FINAL_TYPE (TandemLeadCard, tandem_lead_card, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_LEAD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *grade_classes[] = { "grade-a", "grade-b", "grade-c", "grade-d" };

static void
set_grade (TandemLeadCard *self,
           const char     *grade)
{
  gboolean known = grade != NULL && grade[0] >= 'A' && grade[0] <= 'D' && grade[1] == '\0';
  g_autofree char *description = NULL;

  /* A card scrolled back into view often shows the grade it had: only the
   * class that changes is touched, since each change restyles the label,
   * and the label and its description only when the letter changes. */
  for (guint i = 0; i < G_N_ELEMENTS (grade_classes); i++)
    {
      gboolean wanted = known && i == (guint) (grade[0] - 'A');

      if (wanted == gtk_widget_has_css_class (GTK_WIDGET (self->grade_label), grade_classes[i]))
        continue;
      if (wanted)
        gtk_widget_add_css_class (GTK_WIDGET (self->grade_label), grade_classes[i]);
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self->grade_label), grade_classes[i]);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->grade_label), known);
  if (!known || g_strcmp0 (gtk_label_get_label (self->grade_label), grade) == 0)
    return;

  gtk_label_set_label (self->grade_label, grade);

  /* The letter alone says nothing to a screen reader. Not a tooltip set
   * here: setting one asks the display where the pointer is, a round trip
   * to the X server for every card bound while scrolling; the tooltip is
   * written when it is shown (on_grade_query_tooltip()). */
  description = g_strdup_printf (_("Fit grade %s"), grade);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->grade_label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static gboolean
on_grade_query_tooltip (GtkWidget      *label,
                        int             x,
                        int             y,
                        gboolean        keyboard_mode,
                        GtkTooltip     *tooltip,
                        TandemLeadCard *self)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf (_("Fit grade %s"), gtk_label_get_label (self->grade_label));
  gtk_tooltip_set_text (tooltip, text);

  return TRUE;
}

static GdkContentProvider *
on_drag_prepare (GtkDragSource  *source,
                 double          x,
                 double          y,
                 TandemLeadCard *self)
{
  if (self->lead == NULL)
    return NULL;

  /* The id, not the record: a drop target only needs to know which lead,
   * and reads it fresh from the store. */
  return gdk_content_provider_new_typed (G_TYPE_STRING,
                                         tandem_record_get_id (TANDEM_RECORD (self->lead)));
}

static void
on_drag_begin (GtkDragSource  *source,
               GdkDrag        *drag,
               TandemLeadCard *self)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (self));

  gtk_drag_source_set_icon (source, paintable, 20, 20);
}

static void
on_secondary_click (GtkGestureClick *gesture,
                    int              n_press,
                    double           x,
                    double           y,
                    TandemLeadCard  *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  tandem_lead_card_popup_menu (self);
}

static void
tandem_lead_card_dispose (GObject *object)
{
  TandemLeadCard *self = TANDEM_LEAD_CARD (object);

  g_clear_object (&self->lead);
  g_clear_object (&self->menu_model);
  g_clear_pointer (&self->popover, gtk_widget_unparent);

  /* AdwBin would unparent its child again after the template did. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TANDEM_TYPE_LEAD_CARD);

  G_OBJECT_CLASS (tandem_lead_card_parent_class)->dispose (object);
}

static void
tandem_lead_card_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TandemLeadCard *self = TANDEM_LEAD_CARD (object);

  switch (prop_id)
    {
    case PROP_LEAD:
      g_value_set_object (value, self->lead);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_lead_card_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  TandemLeadCard *self = TANDEM_LEAD_CARD (widget);

  GTK_WIDGET_CLASS (tandem_lead_card_parent_class)->size_allocate (widget, width, height,
                                                                   baseline);

  if (self->popover != NULL)
    gtk_popover_present (GTK_POPOVER (self->popover));
}

static void
tandem_lead_card_class_init (TandemLeadCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tandem_lead_card_dispose;
  object_class->get_property = tandem_lead_card_get_property;
  widget_class->size_allocate = tandem_lead_card_size_allocate;

  properties[PROP_LEAD] =
    g_param_spec_object ("lead", NULL, NULL,
                         TANDEM_TYPE_LEAD,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tandemdesk/Tandem/"
                                               "tandem-lead-card.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemLeadCard, name_label);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadCard, stalled_image);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadCard, grade_label);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadCard, company_label);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadCard, owner_avatar);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadCard, owner_label);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadCard, score_label);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tandem_lead_card_init (TandemLeadCard *self)
{
  GtkDragSource *source;
  GtkGesture *click;

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_widget_set_has_tooltip (GTK_WIDGET (self->grade_label), TRUE);
  g_signal_connect (self->grade_label, "query-tooltip", G_CALLBACK (on_grade_query_tooltip), self);

  source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
  g_signal_connect (source, "prepare", G_CALLBACK (on_drag_prepare), self);
  g_signal_connect (source, "drag-begin", G_CALLBACK (on_drag_begin), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (source));

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_secondary_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

GtkWidget *
tandem_lead_card_new (void)
{
  return g_object_new (TANDEM_TYPE_LEAD_CARD, NULL);
}

void
tandem_lead_card_bind (TandemLeadCard *self,
                       TandemLead     *lead,
                       const char     *company_name,
                       const char     *owner_name,
                       gboolean        stalled)
{
  TandemRecord *record;
  g_autofree char *name = NULL;
  g_autofree char *score = NULL;

  g_return_if_fail (TANDEM_IS_LEAD_CARD (self));
  g_return_if_fail (TANDEM_IS_LEAD (lead));

  g_set_object (&self->lead, lead);
  record = TANDEM_RECORD (lead);

  name = tandem_lead_dup_display_name (lead);
  gtk_label_set_label (self->name_label,
                       name != NULL && *name != '\0' ? name : _("Unnamed lead"));

  gtk_label_set_label (self->company_label, company_name != NULL ? company_name : "");
  gtk_widget_set_visible (GTK_WIDGET (self->company_label),
                          company_name != NULL && *company_name != '\0');

  if (owner_name != NULL && *owner_name != '\0')
    {
      gtk_label_set_label (self->owner_label, owner_name);
      /* A new text makes new initials and colour; cards of one owner come
       * back to the same widget often while scrolling. */
      if (g_strcmp0 (adw_avatar_get_text (self->owner_avatar), owner_name) != 0)
        adw_avatar_set_text (self->owner_avatar, owner_name);
      gtk_widget_set_visible (GTK_WIDGET (self->owner_avatar), TRUE);
      gtk_widget_remove_css_class (GTK_WIDGET (self->owner_label), "unassigned");
    }
  else
    {
      gtk_label_set_label (self->owner_label, _("Unassigned"));
      /* A coloured placeholder would look like somebody; nobody owns the
       * lead yet, and the label says so. */
      if (adw_avatar_get_text (self->owner_avatar) != NULL)
        adw_avatar_set_text (self->owner_avatar, NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->owner_avatar), FALSE);
      gtk_widget_add_css_class (GTK_WIDGET (self->owner_label), "unassigned");
    }

  set_grade (self, tandem_record_get_text (record, "grade"));

  score = g_strdup_printf ("%" G_GINT64_FORMAT, tandem_record_get_int (record, "score"));
  gtk_label_set_label (self->score_label, score);

  gtk_widget_set_visible (GTK_WIDGET (self->stalled_image), stalled);
  if (stalled)
    gtk_widget_add_css_class (GTK_WIDGET (self), "stalled");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "stalled");

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEAD]);
}

void
tandem_lead_card_unbind (TandemLeadCard *self)
{
  g_return_if_fail (TANDEM_IS_LEAD_CARD (self));

  if (self->lead == NULL)
    return;

  g_clear_object (&self->lead);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEAD]);
}

TandemLead *
tandem_lead_card_get_lead (TandemLeadCard *self)
{
  g_return_val_if_fail (TANDEM_IS_LEAD_CARD (self), NULL);

  return self->lead;
}

void
tandem_lead_card_set_menu_model (TandemLeadCard *self,
                                 GMenuModel     *menu)
{
  g_return_if_fail (TANDEM_IS_LEAD_CARD (self));
  g_return_if_fail (menu == NULL || G_IS_MENU_MODEL (menu));

  if (!g_set_object (&self->menu_model, menu))
    return;

  if (self->popover != NULL)
    gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->popover), menu);
}

void
tandem_lead_card_popup_menu (TandemLeadCard *self)
{
  g_return_if_fail (TANDEM_IS_LEAD_CARD (self));

  if (self->lead == NULL || self->menu_model == NULL)
    return;

  /* The menu's actions act on the board's selected lead, so this card's
   * lead becomes the selected one first. */
  gtk_widget_activate_action (GTK_WIDGET (self), "board.select-lead", "s",
                              tandem_record_get_id (TANDEM_RECORD (self->lead)));

  if (self->popover == NULL)
    {
      self->popover = gtk_popover_menu_new_from_model (self->menu_model);
      gtk_popover_set_has_arrow (GTK_POPOVER (self->popover), TRUE);
      gtk_widget_set_halign (self->popover, GTK_ALIGN_START);
      gtk_widget_set_parent (self->popover, GTK_WIDGET (self));
    }

  gtk_popover_popup (GTK_POPOVER (self->popover));
}
