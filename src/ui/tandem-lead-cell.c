/* tandem-lead-cell.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "tandem-lead-cell.h"

/* The narrowest a cell asks to be, in characters, unless told otherwise;
 * its column's width decides the rest. */
#define DEFAULT_WIDTH_CHARS 3

/* The corners of a tinted cell's pill, as .lead-grade's in style.css. */
#define PILL_RADIUS 6

struct _TandemLeadCell
{
  GtkWidget               parent_instance;

  TandemLeadCellTextFunc  func;
  gpointer                func_data;
  float                   xalign;
  int                     width_chars;

  TandemLead             *lead;
  /* The text of @lead, made at the first draw or question after the lead
   * changed; valid only when text_made. */
  char                   *text;
  const char             *tint;
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
  g_autofree char *text = NULL;

  if (self->text_made)
    return;

  self->tint = NULL;
  if (self->lead != NULL)
    text = self->func (self->lead, self->func_data, &self->tint);
  self->text_made = TRUE;

  /* Many leads share a stage, a grade, a source or an owner: a cell given
   * the same text keeps its laid out lines instead of shaping them again. */
  if (g_strcmp0 (text, self->text) == 0)
    return;

  g_free (self->text);
  self->text = g_steal_pointer (&text);
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
   * new text redraws the cell without measuring the row again. Digits are
   * wider than the average character in some fonts. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural =
      PANGO_PIXELS_CEIL (TANDEM_LEAD_CELL (widget)->width_chars *
                         MAX (pango_font_metrics_get_approximate_char_width (metrics),
                              pango_font_metrics_get_approximate_digit_width (metrics)));
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
  GtkStyleContext *context;
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

  /* GTK 4.8 has no other way to a widget's colours than its style
   * context, which later versions deprecate. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  context = gtk_widget_get_style_context (widget);
  gtk_style_context_get_color (context, &color);
  if (self->tint != NULL)
    {
      g_autofree char *fg_name = g_strconcat (self->tint, "_fg", NULL);
      g_autofree char *bg_name = g_strconcat (self->tint, "_bg", NULL);
      GdkRGBA background;
      GtkBorder padding;

      /* The pill covers the padding, as a CSS background would. */
      gtk_style_context_get_padding (context, &padding);
      if (gtk_style_context_lookup_color (context, bg_name, &background))
        {
          GskRoundedRect pill;

          gsk_rounded_rect_init_from_rect (&pill,
                                           &GRAPHENE_RECT_INIT (-padding.left, -padding.top,
                                                                width + padding.left + padding.right,
                                                                height + padding.top + padding.bottom),
                                           PILL_RADIUS);
          gtk_snapshot_push_rounded_clip (snapshot, &pill);
          gtk_snapshot_append_color (snapshot, &background, &pill.bounds);
          gtk_snapshot_pop (snapshot);
        }
      gtk_style_context_lookup_color (context, fg_name, &color);
    }
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
  self->width_chars = DEFAULT_WIDTH_CHARS;
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

void
tandem_lead_cell_set_width_chars (TandemLeadCell *self,
                                  int             width_chars)
{
  g_return_if_fail (TANDEM_IS_LEAD_CELL (self));
  g_return_if_fail (width_chars > 0);

  self->width_chars = width_chars;
  gtk_widget_queue_resize (GTK_WIDGET (self));
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

const char *
tandem_lead_cell_get_tint (TandemLeadCell *self)
{
  g_return_val_if_fail (TANDEM_IS_LEAD_CELL (self), NULL);

  make_text (self);
  return self->tint;
}

const char *
tandem_lead_cell_grade_tint (const char *grade)
{
  /* The colours of each grade, in style.css. */
  static const char * const tints[] = {
    "lead_grade_a", "lead_grade_b", "lead_grade_c", "lead_grade_d"
  };

  if (grade == NULL || grade[0] < 'A' || grade[0] > 'D' || grade[1] != '\0')
    return NULL;
  return tints[grade[0] - 'A'];
}
