/* ui-test-utils.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Does g_test_init(), gtk_init() and adw_init(). Without a display it prints
 * a TAP plan that skips everything and exits with 0, which meson counts as
 * skipped (for a TAP test it counts 77 as an error). */
void        tandem_test_init            (int          *argc,
                                         char       ***argv);

/* Runs the default main context until @condition returns TRUE or
 * @timeout_ms passed; returns the last result of @condition. */
gboolean    tandem_test_wait_until      (gboolean    (*condition) (gpointer data),
                                         gpointer      data,
                                         guint         timeout_ms);

/* Runs every pending event source of the default main context once. */
void        tandem_test_flush           (void);
/* A condition for tandem_test_wait_until(): @data, a GtkWidget, is mapped. */
gboolean    tandem_test_widget_is_mapped (gpointer     data);

/* A new empty directory under the temporary directory; remove it with
 * tandem_test_remove_tree(). */
char       *tandem_test_make_temp_dir   (void);
void        tandem_test_remove_tree     (const char   *path);

/* The first descendant of @root (depth first, @root included) of @type whose
 * visible text is @text: the title of an AdwPreferencesRow, an
 * AdwPreferencesGroup or an AdwStatusPage, the label of a GtkButton or a
 * GtkLabel. With @text NULL, the first widget of @type. */
GtkWidget  *tandem_test_find_widget     (GtkWidget    *root,
                                         GType         type,
                                         const char   *text);

/* Appends the text of every visible GtkLabel and TandemLeadCell in @widget
 * (itself included, depth first) to @text, one per line. */
void        tandem_test_collect_labels  (GtkWidget    *widget,
                                         GString      *text);

G_END_DECLS
