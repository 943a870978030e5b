/* tandem-member.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tandem-record.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_MEMBER (tandem_member_get_type ())

/* A row of the `members` table; its fields are the properties listed in
 * tandem-schema.c. */
G_DECLARE_FINAL_TYPE (TandemMember, tandem_member, TANDEM, MEMBER, TandemRecord)

TandemMember *tandem_member_new (void);
const char *tandem_member_get_name (TandemMember *self);

G_END_DECLS
