/* tandem-lead-card.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "tandem-lead-card.h"
#include "tandem-lead-cell.h"

struct _TandemLeadCard
{
  AdwBin          parent_instance;

  TandemLead     *lead;
  /* Looked up by the board, which caches them across its cards. */
  char           *company_name;
  char           *owner_name;
  GMenuModel     *menu_model;
  GtkWidget      *popover;

  GtkBox         *lines_box;
  GtkBox         *title_box;
  GtkBox         *owner_box;
  GtkImage       *stalled_image;
  AdwAvatar      *owner_avatar;

  /* The texts are TandemLeadCells, which make them when they are drawn. A
   * board column's grid view binds some thirty cards when it jumps, of
   * which about eight are on screen; measuring the labels of all of them
   * was a third of the work of a jump (DESIGN.md §9: no frame over 16 ms),
   * and a cell's size comes from its font alone. */
  TandemLeadCell *name_cell;
  TandemLeadCell *grade_cell;
  TandemLeadCell *company_cell;
  TandemLeadCell *owner_cell;
  TandemLeadCell *score_cell;
};

G_DEFINE_FINAL_TYPE (TandemLeadCard, tandem_lead_card, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_LEAD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
dup_name_text (TandemLead  *lead,
               gpointer     user_data,
               const char **tint)
{
  g_autofree char *name = tandem_lead_dup_display_name (lead);

  if (name == NULL || *name == '\0')
    return g_strdup (_("Unnamed lead"));
  return g_steal_pointer (&name);
}

static char *
dup_grade_text (TandemLead  *lead,
                gpointer     user_data,
                const char **tint)
{
  const char *grade = tandem_record_get_text (TANDEM_RECORD (lead), "grade");

  *tint = tandem_lead_cell_grade_tint (grade);
  return *tint != NULL ? g_strdup (grade) : NULL;
}

static char *
dup_company_text (TandemLead  *lead,
                  gpointer     user_data,
                  const char **tint)
{
  TandemLeadCard *self = user_data;

  return g_strdup (self->company_name);
}

static char *
dup_owner_text (TandemLead  *lead,
                gpointer     user_data,
                const char **tint)
{
  TandemLeadCard *self = user_data;

  return g_strdup (self->owner_name != NULL ? self->owner_name : _("Unassigned"));
}

static char *
dup_score_text (TandemLead  *lead,
                gpointer     user_data,
                const char **tint)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT,
                          tandem_record_get_int (TANDEM_RECORD (lead), "score"));
}

static gboolean
on_grade_query_tooltip (GtkWidget      *cell,
                        int             x,
                        int             y,
                        gboolean        keyboard_mode,
                        GtkTooltip     *tooltip,
                        TandemLeadCard *self)
{
  const char *grade = tandem_lead_cell_get_text (self->grade_cell);
  g_autofree char *text = NULL;

  if (grade == NULL)
    return FALSE;

  text = g_strdup_printf (_("Fit grade %s"), grade);
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
  g_clear_pointer (&self->company_name, g_free);
  g_clear_pointer (&self->owner_name, g_free);

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
  gtk_widget_class_bind_template_child (widget_class, TandemLeadCard, lines_box);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadCard, title_box);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadCard, owner_box);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadCard, stalled_image);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadCard, owner_avatar);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

/* Adds a cell showing what @func makes of the card's lead to @box, after
 * @sibling (first when NULL), in the style of @css_class. */
static TandemLeadCell *
add_cell (TandemLeadCard         *self,
          GtkBox                 *box,
          GtkWidget              *sibling,
          TandemLeadCellTextFunc  func,
          float                   xalign,
          const char             *css_class)
{
  GtkWidget *cell = tandem_lead_cell_new (func, self, xalign);

  gtk_widget_add_css_class (cell, css_class);
  gtk_box_insert_child_after (box, cell, sibling);

  return TANDEM_LEAD_CELL (cell);
}

static void
tandem_lead_card_init (TandemLeadCard *self)
{
  GtkDragSource *source;
  GtkGesture *click;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The first line: name, the stalled mark (from the template), grade. */
  self->name_cell = add_cell (self, self->title_box, NULL, dup_name_text, 0.0, "heading");
  gtk_widget_set_hexpand (GTK_WIDGET (self->name_cell), TRUE);
  self->grade_cell = add_cell (self, self->title_box, GTK_WIDGET (self->stalled_image),
                               dup_grade_text, 0.5, "caption-heading");
  gtk_widget_add_css_class (GTK_WIDGET (self->grade_cell), "lead-grade");
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->grade_cell), TRUE);
  g_signal_connect (self->grade_cell, "query-tooltip", G_CALLBACK (on_grade_query_tooltip), self);

  self->company_cell = add_cell (self, self->lines_box, GTK_WIDGET (self->title_box),
                                 dup_company_text, 0.0, "dim-label");

  /* The last line: the owner's avatar (from the template), name, score. */
  self->owner_cell = add_cell (self, self->owner_box, GTK_WIDGET (self->owner_avatar),
                               dup_owner_text, 0.0, "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->owner_cell), "dim-label");
  gtk_widget_set_hexpand (GTK_WIDGET (self->owner_cell), TRUE);
  self->score_cell = add_cell (self, self->owner_box, GTK_WIDGET (self->owner_cell),
                               dup_score_text, 1.0, "caption-heading");
  gtk_widget_add_css_class (GTK_WIDGET (self->score_cell), "numeric");
  /* Room for a score in the thousands, or a negative one in the hundreds. */
  tandem_lead_cell_set_width_chars (self->score_cell, 4);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->score_cell), _("Lead score"));

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

/* Stores @name in @slot; tells @cell to make its text again when the name
 * changed under the same lead (a renamed company). */
static void
set_name (char           **slot,
          const char      *name,
          TandemLeadCell  *cell)
{
  if (name != NULL && *name == '\0')
    name = NULL;
  if (g_strcmp0 (*slot, name) == 0)
    return;

  g_free (*slot);
  *slot = g_strdup (name);
  tandem_lead_cell_update (cell);
}

static void
set_cells_lead (TandemLeadCard *self,
                TandemLead     *lead)
{
  tandem_lead_cell_set_lead (self->name_cell, lead);
  tandem_lead_cell_set_lead (self->grade_cell, lead);
  tandem_lead_cell_set_lead (self->company_cell, lead);
  tandem_lead_cell_set_lead (self->owner_cell, lead);
  tandem_lead_cell_set_lead (self->score_cell, lead);
}

void
tandem_lead_card_bind (TandemLeadCard *self,
                       TandemLead     *lead,
                       const char     *company_name,
                       const char     *owner_name,
                       gboolean        stalled)
{
  g_return_if_fail (TANDEM_IS_LEAD_CARD (self));
  g_return_if_fail (TANDEM_IS_LEAD (lead));

  g_set_object (&self->lead, lead);
  set_name (&self->company_name, company_name, self->company_cell);
  set_name (&self->owner_name, owner_name, self->owner_cell);
  set_cells_lead (self, lead);

  /* A new text makes new initials and colour; cards of one owner come back
   * to the same widget often while scrolling. A coloured placeholder would
   * look like somebody: when nobody owns the lead yet, the name says so
   * and the avatar hides. */
  if (g_strcmp0 (adw_avatar_get_text (self->owner_avatar), self->owner_name) != 0)
    adw_avatar_set_text (self->owner_avatar, self->owner_name);
  gtk_widget_set_visible (GTK_WIDGET (self->owner_avatar), self->owner_name != NULL);

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
  set_cells_lead (self, NULL);
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
