/* tandem-ui-utils.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "tandem-core.h"

G_BEGIN_DECLS

/* Small pieces the editors share. */

char *tandem_text_view_dup_text         (GtkTextView  *view);
/* Copies the text of @view into @field of @record: a list field takes one
 * item per line (the record drops blank lines and spaces), a text field the
 * text without trailing blanks, and empty text clears the field. */
void  tandem_text_view_store_in_record  (GtkTextView  *view,
                                         TandemRecord *record,
                                         const char   *field);
/* Marks @row as invalid with @message as the explanation, or clears it
 * when @message is NULL. */
void  tandem_row_set_error              (GtkWidget    *row,
                                         const char   *message);

G_END_DECLS
