/* tandem-move-dialog.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_MOVE_DIALOG (tandem_move_dialog_get_type ())

G_DECLARE_FINAL_TYPE (TandemMoveDialog, tandem_move_dialog, TANDEM, MOVE_DIALOG, AdwMessageDialog)

/* Moves @leads (TandemLead) to @to_stage, the way a person asked for it
 * from the board, the table or the handoff queue. Where the stage needs a
 * reason it first asks for one (and an optional note) in a dialog; with
 * @reject the leads are rejected from the handoff queue instead, and a NULL
 * @to_stage lets the person pick nurture or disqualified. Refusals (entry
 * criteria, a lead no longer waiting) are explained in a dialog, and a
 * successful move is confirmed with a toast. */
void        tandem_move_dialog_present       (GtkWidget        *anchor,
                                              TandemStore      *store,
                                              GPtrArray        *leads,
                                              const char       *to_stage,
                                              gboolean          reject);

/* The stage the dialog moves to, and the reason and note chosen; for tests. */
const char *tandem_move_dialog_get_stage     (TandemMoveDialog *self);
void        tandem_move_dialog_set_stage     (TandemMoveDialog *self,
                                              const char       *stage);
/* Selects @reason in the list; returns FALSE when the list does not have it. */
gboolean    tandem_move_dialog_set_reason    (TandemMoveDialog *self,
                                              const char       *reason);
const char *tandem_move_dialog_get_reason    (TandemMoveDialog *self);
void        tandem_move_dialog_set_note      (TandemMoveDialog *self,
                                              const char       *note);

G_END_DECLS
