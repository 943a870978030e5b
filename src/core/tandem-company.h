/* tandem-company.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tandem-record.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_COMPANY (tandem_company_get_type ())

/* A row of the `companies` table; its fields are the properties listed in
 * tandem-schema.c. */
G_DECLARE_FINAL_TYPE (TandemCompany, tandem_company, TANDEM, COMPANY, TandemRecord)

TandemCompany *tandem_company_new (void);
const char *tandem_company_get_name (TandemCompany *self);

G_END_DECLS
