/* tandem-persona-card.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_PERSONA_CARD (tandem_persona_card_get_type ())

G_DECLARE_FINAL_TYPE (TandemPersonaCard, tandem_persona_card, TANDEM, PERSONA_CARD, AdwBin)

GtkWidget     *tandem_persona_card_new             (void);
/* Shows @persona; @icp_name may be NULL and @match_count is -1 while the
 * number of matching leads is not known yet. */
void           tandem_persona_card_bind            (TandemPersonaCard *self,
                                                    TandemPersona     *persona,
                                                    const char        *icp_name,
                                                    int                match_count);
void           tandem_persona_card_unbind          (TandemPersonaCard *self);
TandemPersona *tandem_persona_card_get_persona     (TandemPersonaCard *self);
void           tandem_persona_card_set_match_count (TandemPersonaCard *self,
                                                    int                match_count);
int            tandem_persona_card_get_match_count (TandemPersonaCard *self);
/* The text of the "N matching leads" label, for tests. */
const char    *tandem_persona_card_get_match_text  (TandemPersonaCard *self);

G_END_DECLS
