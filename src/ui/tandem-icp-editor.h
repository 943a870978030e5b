/* tandem-icp-editor.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_ICP_EDITOR (tandem_icp_editor_get_type ())

G_DECLARE_FINAL_TYPE (TandemIcpEditor, tandem_icp_editor, TANDEM, ICP_EDITOR, AdwBin)

GtkWidget *tandem_icp_editor_new              (void);
/* Edits @icp, an instance the editor may change and save on its own (take
 * it from tandem_store_get(), not from a shared list). Pending changes of
 * the previous ICP are saved first. */
void       tandem_icp_editor_set_record       (TandemIcpEditor *self,
                                               TandemIcp       *icp,
                                               TandemStore     *store);
TandemIcp *tandem_icp_editor_get_record       (TandemIcpEditor *self);
/* Saves pending changes now instead of after the typing pause. Returns
 * FALSE when something could not be saved (an empty name, a revenue that
 * is not a number, a store error). */
gboolean   tandem_icp_editor_save_now         (TandemIcpEditor *self);
/* -1 while the number of matching leads is not known. */
void       tandem_icp_editor_set_match_count  (TandemIcpEditor *self,
                                               int              match_count);
int        tandem_icp_editor_get_match_count  (TandemIcpEditor *self);
void       tandem_icp_editor_focus_name       (TandemIcpEditor *self);
/* The widget that edits @field (an AdwEntryRow, a GtkSpinButton or a
 * GtkTextView), for tests and for moving the focus. */
GtkWidget *tandem_icp_editor_get_field_widget (TandemIcpEditor *self,
                                               const char      *field);

G_END_DECLS
