/* tandem-preferences-window.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_PREFERENCES_WINDOW (tandem_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (TandemPreferencesWindow, tandem_preferences_window,
                      TANDEM, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget   *tandem_preferences_window_new        (TandemStore             *store);
TandemStore *tandem_preferences_window_get_store  (TandemPreferencesWindow *self);
/* Opens the member form, empty for a new member when @member_id is NULL or
 * filled with the member's fields; the "member.add" and "member.edit"
 * actions do the same. */
void         tandem_preferences_window_edit_member (TandemPreferencesWindow *self,
                                                    const char              *member_id);

G_END_DECLS
