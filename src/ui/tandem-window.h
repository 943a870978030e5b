/* tandem-window.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_WINDOW (tandem_window_get_type ())

G_DECLARE_FINAL_TYPE (TandemWindow, tandem_window, TANDEM, WINDOW, AdwApplicationWindow)

TandemWindow *tandem_window_new               (GtkApplication *application);
TandemStore  *tandem_window_get_store         (TandemWindow   *self);
void          tandem_window_set_store         (TandemWindow   *self,
                                               TandemStore    *store);
const char   *tandem_window_get_database_path (TandemWindow   *self);
void          tandem_window_set_database_path (TandemWindow   *self,
                                               const char     *path);
/* Opens the workspace at @path when the file exists and shows it; otherwise,
 * or when it cannot be opened, shows the welcome page that creates one there.
 * Returns whether a workspace is shown. */
gboolean      tandem_window_open_database     (TandemWindow   *self,
                                               const char     *path);
/* The name of the visible page: "welcome", or the name of the visible view
 * ("overview", "personas", "pipeline", "content", "agreements"). */
const char   *tandem_window_get_visible_page  (TandemWindow   *self);
/* Shows the preferences of the window's workspace; NULL without one. */
GtkWindow    *tandem_window_show_preferences  (TandemWindow   *self);

/* Shows @toast in the window that holds @widget (or, for a dialog, in the
 * window it belongs to); takes ownership of @toast. */
void          tandem_window_show_toast        (GtkWidget      *widget,
                                               AdwToast       *toast);
/* Tells the person about an error they cannot fix by retrying blindly. */
void          tandem_window_show_error        (GtkWidget      *widget,
                                               const char     *message);

G_END_DECLS
