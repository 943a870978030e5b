/* tandem-lead-detail.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_LEAD_DETAIL (tandem_lead_detail_get_type ())

/* Everything known about one lead: contact, company, stage and its history,
 * the score with its explanation, the activity timeline and the deal. */
G_DECLARE_FINAL_TYPE (TandemLeadDetail, tandem_lead_detail, TANDEM, LEAD_DETAIL, AdwBin)

GtkWidget  *tandem_lead_detail_new      (void);
/* Shows @lead of @store; NULL clears. */
void        tandem_lead_detail_set_lead (TandemLeadDetail *self,
                                         TandemStore      *store,
                                         TandemLead       *lead);
TandemLead *tandem_lead_detail_get_lead (TandemLeadDetail *self);

G_END_DECLS
