/* tandem-lead.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tandem-record.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_LEAD (tandem_lead_get_type ())

/* A row of the `leads` table; its fields are the properties listed in
 * tandem-schema.c. */
G_DECLARE_FINAL_TYPE (TandemLead, tandem_lead, TANDEM, LEAD, TandemRecord)

TandemLead *tandem_lead_new (void);
/* "First Last", or the email address when the name is missing. */
char *tandem_lead_dup_display_name (TandemLead *self);

G_END_DECLS
