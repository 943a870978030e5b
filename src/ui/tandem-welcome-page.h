/* tandem-welcome-page.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_WELCOME_PAGE (tandem_welcome_page_get_type ())

G_DECLARE_FINAL_TYPE (TandemWelcomePage, tandem_welcome_page, TANDEM, WELCOME_PAGE, AdwBin)

GtkWidget  *tandem_welcome_page_new               (void);
const char *tandem_welcome_page_get_database_path (TandemWelcomePage *self);
void        tandem_welcome_page_set_database_path (TandemWelcomePage *self,
                                                   const char        *path);
const char *tandem_welcome_page_get_user_name     (TandemWelcomePage *self);
void        tandem_welcome_page_set_user_name     (TandemWelcomePage *self,
                                                   const char        *name);
gboolean    tandem_welcome_page_get_busy          (TandemWelcomePage *self);

G_END_DECLS
