/* tandem-ui-utils.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "tandem-ui-utils.h"

char *
tandem_text_view_dup_text (GtkTextView *view)
{
  GtkTextBuffer *buffer;
  GtkTextIter start;
  GtkTextIter end;

  g_return_val_if_fail (GTK_IS_TEXT_VIEW (view), NULL);

  buffer = gtk_text_view_get_buffer (view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
tandem_text_view_store_in_record (GtkTextView  *view,
                                  TandemRecord *record,
                                  const char   *field)
{
  g_autofree char *text = NULL;

  g_return_if_fail (GTK_IS_TEXT_VIEW (view));
  g_return_if_fail (TANDEM_IS_RECORD (record));

  /* The record normalizes list fields itself, so both kinds of field take
   * the text as typed; trailing blanks of prose are not worth a change. */
  text = g_strchomp (tandem_text_view_dup_text (view));
  tandem_record_set_text (record, field, *text != '\0' ? text : NULL);
}

void
tandem_row_set_error (GtkWidget  *row,
                      const char *message)
{
  g_return_if_fail (GTK_IS_WIDGET (row));

  if (message == NULL)
    gtk_widget_remove_css_class (row, "error");
  else
    gtk_widget_add_css_class (row, "error");

  gtk_widget_set_tooltip_text (row, message);
}
