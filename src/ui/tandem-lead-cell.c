/* tandem-lead-cell.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "tandem-lead-cell.h"

/* The narrowest a cell asks to be, in characters; its column's width
 * decides the rest. */
#define MIN_CHARS 3

struct _TandemLeadCell
{
  GtkWidget               parent_instance;

  TandemLeadCellTextFunc  func;
  gpointer                func_data;
  float                   xalign;

  TandemLead             *lead;
  /* The text of @lead, made at the first draw or question after the lead
   * changed; valid only when text_made. */
  char                   *text;
  gboolean                text_made;
  /* Made at the first draw, when the cell has its style: the layout takes
   * its font attributes (such as tabular figures) from it. */
  PangoLayout            *layout;
  gboolean                layout_text_set;
};

G_DEFINE_FINAL_TYPE (TandemLeadCell, tandem_lead_cell, GTK_TYPE_WIDGET)

static void
make_text (TandemLeadCell *self)
{
  if (self->text_made)
    return;

  g_clear_pointer (&self->text, g_free);
  if (self->lead != NULL)
    self->text = self->func (self->lead, self->func_data);
  self->text_made = TRUE;
  self->layout_text_set = FALSE;

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  self->text != NULL ? self->text : "",
                                  -1);
}

static void
invalidate (TandemLeadCell *self)
{
  self->text_made = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
tandem_lead_cell_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  PangoContext *context = gtk_widget_get_pango_context (widget);
  PangoFontMetrics *metrics = pango_context_get_metrics (context, NULL, NULL);

  /* From the font alone, never from the text, as GtkInscription does: a
   * new text redraws the cell without measuring the row again. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural =
      PANGO_PIXELS_CEIL (MIN_CHARS * pango_font_metrics_get_approximate_char_width (metrics));
  else
    *minimum = *natural =
      PANGO_PIXELS_CEIL (pango_font_metrics_get_ascent (metrics) +
                         pango_font_metrics_get_descent (metrics));

  pango_font_metrics_unref (metrics);
}

static void
tandem_lead_cell_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  TandemLeadCell *self = TANDEM_LEAD_CELL (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  PangoRectangle logical;
  GdkRGBA color;

  make_text (self);
  if (self->text == NULL || *self->text == '\0' || width <= 0)
    return;

  if (self->layout == NULL)
    {
      self->layout = gtk_widget_create_pango_layout (widget, NULL);
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_single_paragraph_mode (self->layout, TRUE);
      self->layout_text_set = FALSE;
    }
  if (!self->layout_text_set)
    {
      pango_layout_set_text (self->layout, self->text, -1);
      self->layout_text_set = TRUE;
    }

  pango_layout_set_alignment (self->layout,
                              self->xalign >= 0.75 ? PANGO_ALIGN_RIGHT
                              : self->xalign >= 0.25 ? PANGO_ALIGN_CENTER
                              : PANGO_ALIGN_LEFT);
  pango_layout_set_width (self->layout, width * PANGO_SCALE);
  pango_layout_get_pixel_extents (self->layout, NULL, &logical);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (0, floor ((height - logical.height) / 2.0)));
  gtk_snapshot_append_layout (snapshot, self->layout, &color);
  gtk_snapshot_restore (snapshot);
}

static void
tandem_lead_cell_dispose (GObject *object)
{
  TandemLeadCell *self = TANDEM_LEAD_CELL (object);

  g_clear_object (&self->lead);
  g_clear_object (&self->layout);

  G_OBJECT_CLASS (tandem_lead_cell_parent_class)->dispose (object);
}

static void
tandem_lead_cell_finalize (GObject *object)
{
  TandemLeadCell *self = TANDEM_LEAD_CELL (object);

  g_clear_pointer (&self->text, g_free);

  G_OBJECT_CLASS (tandem_lead_cell_parent_class)->finalize (object);
}

static void
tandem_lead_cell_class_init (TandemLeadCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tandem_lead_cell_dispose;
  object_class->finalize = tandem_lead_cell_finalize;
  widget_class->measure = tandem_lead_cell_measure;
  widget_class->snapshot = tandem_lead_cell_snapshot;

  /* The node name of GtkInscription, which the cells were: the theme and
   * the table's style sheet style them as the labels they show. */
  gtk_widget_class_set_css_name (widget_class, "label");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
tandem_lead_cell_init (TandemLeadCell *self)
{
  self->text_made = TRUE;
}

GtkWidget *
tandem_lead_cell_new (TandemLeadCellTextFunc func,
                      gpointer               user_data,
                      float                  xalign)
{
  TandemLeadCell *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (TANDEM_TYPE_LEAD_CELL, NULL);
  self->func = func;
  self->func_data = user_data;
  self->xalign = CLAMP (xalign, 0.0, 1.0);

  return GTK_WIDGET (self);
}

TandemLead *
tandem_lead_cell_get_lead (TandemLeadCell *self)
{
  g_return_val_if_fail (TANDEM_IS_LEAD_CELL (self), NULL);

  return self->lead;
}

void
tandem_lead_cell_set_lead (TandemLeadCell *self,
                           TandemLead     *lead)
{
  g_return_if_fail (TANDEM_IS_LEAD_CELL (self));
  g_return_if_fail (lead == NULL || TANDEM_IS_LEAD (lead));

  /* The list model hands out a new object when a row changes, so the same
   * object means the same values. */
  if (g_set_object (&self->lead, lead))
    invalidate (self);
}

void
tandem_lead_cell_update (TandemLeadCell *self)
{
  g_return_if_fail (TANDEM_IS_LEAD_CELL (self));

  invalidate (self);
}

const char *
tandem_lead_cell_get_text (TandemLeadCell *self)
{
  g_return_val_if_fail (TANDEM_IS_LEAD_CELL (self), NULL);

  make_text (self);
  return self->text;
}
