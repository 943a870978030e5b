/* tandem-lead-cell.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "tandem-core.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_LEAD_CELL (tandem_lead_cell_get_type ())

/* One line of text about a lead, ellipsized at the end, as a cell of the
 * leads table or a line of a board card. Binding a row only hands the
 * cell its lead: the text is made when the cell is drawn, so the rows a
 * list view binds off screen (a couple of hundred when the table jumps, of
 * some twenty on screen) cost no formatting, name lookup or text layout. Its height is one line of its
 * font whatever the text, so a new lead never changes the row's size. */
G_DECLARE_FINAL_TYPE (TandemLeadCell, tandem_lead_cell, TANDEM, LEAD_CELL, GtkWidget)

/* The text the cell shows for @lead, newly allocated; NULL for none. It
 * may set @tint to the name of a pair of colours of the style sheet,
 * "NAME_fg" for the text and "NAME_bg" for a rounded pill behind it, as
 * the grades are shown: colours that come with the lead, and not classes
 * of the cell, change nothing of its style from one lead to the next. */
typedef char *(*TandemLeadCellTextFunc) (TandemLead  *lead,
                                         gpointer     user_data,
                                         const char **tint);

GtkWidget  *tandem_lead_cell_new      (TandemLeadCellTextFunc  func,
                                       gpointer                user_data,
                                       float                   xalign);
/* How many characters wide the cell asks to be (3 unless set): its text
 * is ellipsized past that unless its parent gives it more room. */
void        tandem_lead_cell_set_width_chars (TandemLeadCell   *self,
                                              int               width_chars);
TandemLead *tandem_lead_cell_get_lead (TandemLeadCell         *self);
void        tandem_lead_cell_set_lead (TandemLeadCell         *self,
                                       TandemLead             *lead);
/* The text changed without the lead changing (a company renamed): the
 * cell makes it again when it is next drawn. */
void        tandem_lead_cell_update   (TandemLeadCell         *self);
/* The text the cell shows, made now if it was not drawn since its lead
 * changed. */
const char *tandem_lead_cell_get_text (TandemLeadCell         *self);
/* The name of the colours the cell shows its text in, or NULL. */
const char *tandem_lead_cell_get_tint (TandemLeadCell         *self);
/* The tint of a fit grade, "A" to "D", for a text function to set; NULL
 * for any other text. */
const char *tandem_lead_cell_grade_tint (const char           *grade);

G_END_DECLS
