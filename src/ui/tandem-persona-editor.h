/* tandem-persona-editor.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_PERSONA_EDITOR (tandem_persona_editor_get_type ())

G_DECLARE_FINAL_TYPE (TandemPersonaEditor, tandem_persona_editor, TANDEM, PERSONA_EDITOR, AdwBin)

GtkWidget     *tandem_persona_editor_new              (void);
/* Edits @persona, an instance the editor may change and save on its own
 * (take it from tandem_store_get(), not from a shared list). Pending changes
 * of the previous persona are saved first. */
void           tandem_persona_editor_set_record       (TandemPersonaEditor *self,
                                                       TandemPersona       *persona,
                                                       TandemStore         *store);
TandemPersona *tandem_persona_editor_get_record       (TandemPersonaEditor *self);
/* Saves pending changes now instead of after the typing pause. Returns
 * FALSE when something could not be saved (an empty name, a store error). */
gboolean       tandem_persona_editor_save_now         (TandemPersonaEditor *self);
/* -1 while the number of matching leads is not known. */
void           tandem_persona_editor_set_match_count  (TandemPersonaEditor *self,
                                                       int                  match_count);
int            tandem_persona_editor_get_match_count  (TandemPersonaEditor *self);
/* Moves the keyboard focus to the name, with the text selected, so a new
 * persona can be named by typing. */
void           tandem_persona_editor_focus_name       (TandemPersonaEditor *self);
/* The widget that edits @field (an AdwEntryRow, an AdwComboRow or a
 * GtkTextView), for tests and for moving the focus. */
GtkWidget     *tandem_persona_editor_get_field_widget (TandemPersonaEditor *self,
                                                       const char          *field);

G_END_DECLS
