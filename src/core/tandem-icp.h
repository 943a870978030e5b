/* tandem-icp.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tandem-record.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_ICP (tandem_icp_get_type ())

/* A row of the `icps` table; its fields are the properties listed in
 * tandem-schema.c. */
G_DECLARE_FINAL_TYPE (TandemIcp, tandem_icp, TANDEM, ICP, TandemRecord)

TandemIcp *tandem_icp_new (void);
const char *tandem_icp_get_name (TandemIcp *self);

G_END_DECLS
