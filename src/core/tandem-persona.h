/* tandem-persona.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tandem-record.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_PERSONA (tandem_persona_get_type ())

/* A row of the `personas` table; its fields are the properties listed in
 * tandem-schema.c. */
G_DECLARE_FINAL_TYPE (TandemPersona, tandem_persona, TANDEM, PERSONA, TandemRecord)

TandemPersona *tandem_persona_new (void);
const char *tandem_persona_get_name (TandemPersona *self);

G_END_DECLS
