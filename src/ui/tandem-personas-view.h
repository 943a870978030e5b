/* tandem-personas-view.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"
#include "tandem-icp-editor.h"
#include "tandem-persona-editor.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_PERSONAS_VIEW (tandem_personas_view_get_type ())

G_DECLARE_FINAL_TYPE (TandemPersonasView, tandem_personas_view, TANDEM, PERSONAS_VIEW, AdwBin)

GtkWidget           *tandem_personas_view_new                (void);
TandemStore         *tandem_personas_view_get_store          (TandemPersonasView *self);
void                 tandem_personas_view_set_store          (TandemPersonasView *self,
                                                              TandemStore        *store);
void                 tandem_personas_view_focus_search       (TandemPersonasView *self);

/* Shows the persona or ICP with @id in the editor and selects it in the
 * list; NULL selects nothing. Returns FALSE when no such row exists. */
gboolean             tandem_personas_view_select             (TandemPersonasView *self,
                                                              const char         *id);
const char          *tandem_personas_view_get_selected_id    (TandemPersonasView *self);

TandemPersonaEditor *tandem_personas_view_get_persona_editor (TandemPersonasView *self);
TandemIcpEditor     *tandem_personas_view_get_icp_editor     (TandemPersonasView *self);
/* The lists as shown, narrowed by the search; for tests. */
GListModel          *tandem_personas_view_get_persona_model  (TandemPersonasView *self);
GListModel          *tandem_personas_view_get_icp_model      (TandemPersonasView *self);
GtkEditable         *tandem_personas_view_get_search_entry   (TandemPersonasView *self);

G_END_DECLS
