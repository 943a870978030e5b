/* tandem-lead-table.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_LEAD_TABLE (tandem_lead_table_get_type ())

/* Every lead of the workspace in a sortable, filterable column view. The
 * rows come from a TandemLeadQuery so that SQL sorts and filters them;
 * only the visible rows are ever loaded. */
G_DECLARE_FINAL_TYPE (TandemLeadTable, tandem_lead_table, TANDEM, LEAD_TABLE, AdwBin)

GtkWidget   *tandem_lead_table_new        (void);
TandemStore *tandem_lead_table_get_store  (TandemLeadTable *self);
void         tandem_lead_table_set_store  (TandemLeadTable *self,
                                           TandemStore     *store);
/* The TandemLeadQuery currently applied (filters, sort and search), for
 * exporting what the table shows; owned by the table. */
gpointer     tandem_lead_table_get_query  (TandemLeadTable *self);
/* The list of leads shown, in order (a GListModel of TandemLead). */
GListModel  *tandem_lead_table_get_model  (TandemLeadTable *self);

G_END_DECLS
