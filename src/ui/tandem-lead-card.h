/* tandem-lead-card.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_LEAD_CARD (tandem_lead_card_get_type ())

G_DECLARE_FINAL_TYPE (TandemLeadCard, tandem_lead_card, TANDEM, LEAD_CARD, AdwBin)

GtkWidget  *tandem_lead_card_new            (void);
/* Shows @lead; the names of its company and owner are looked up by the
 * caller, which can cache them across the cards of a board. */
void        tandem_lead_card_bind           (TandemLeadCard *self,
                                             TandemLead     *lead,
                                             const char     *company_name,
                                             const char     *owner_name,
                                             gboolean        stalled);
void        tandem_lead_card_unbind         (TandemLeadCard *self);
TandemLead *tandem_lead_card_get_lead       (TandemLeadCard *self);
/* The menu of the card's context menu (the board's "Move to" entries). */
void        tandem_lead_card_set_menu_model (TandemLeadCard *self,
                                             GMenuModel     *menu);
void        tandem_lead_card_popup_menu     (TandemLeadCard *self);

G_END_DECLS
