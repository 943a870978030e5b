/* tandem-committee-dialog.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_COMMITTEE_DIALOG (tandem_committee_dialog_get_type ())

/* Adds a person to a deal's buying committee (someone at the company, or a
 * new contact there) or edits a member: persona, role, attitude and
 * influence. Saving goes through tandem_pipeline_save_committee_member(),
 * and a toast confirms it. */
G_DECLARE_FINAL_TYPE (TandemCommitteeDialog, tandem_committee_dialog, TANDEM, COMMITTEE_DIALOG,
                      AdwMessageDialog)

/* Opens the dialog over @anchor's window for @deal; with @member NULL it
 * adds a person, else it edits @member (a deal_contacts record). */
void tandem_committee_dialog_present (GtkWidget    *anchor,
                                      TandemStore  *store,
                                      TandemRecord *deal,
                                      TandemRecord *member);

G_END_DECLS
