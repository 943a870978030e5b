/* tandem-lead-board.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_LEAD_BOARD (tandem_lead_board_get_type ())

G_DECLARE_FINAL_TYPE (TandemLeadBoard, tandem_lead_board, TANDEM, LEAD_BOARD, AdwBin)

GtkWidget   *tandem_lead_board_new               (void);
TandemStore *tandem_lead_board_get_store         (TandemLeadBoard *self);
void         tandem_lead_board_set_store         (TandemLeadBoard *self,
                                                  TandemStore     *store);

/* The stage keys of the columns, left to right. */
char       **tandem_lead_board_dup_column_stages (TandemLeadBoard *self);
/* The column of @stage (its drop target is on this widget), and the leads
 * it lists; NULL when the board has no such column. */
GtkWidget   *tandem_lead_board_get_column        (TandemLeadBoard *self,
                                                  const char      *stage);
GListModel  *tandem_lead_board_get_column_model  (TandemLeadBoard *self,
                                                  const char      *stage);

/* Selects the card of the lead with @id (what "board.move-to" acts on) and
 * scrolls it into view; FALSE when no column lists it. */
gboolean     tandem_lead_board_select_lead       (TandemLeadBoard *self,
                                                  const char      *id);
const char  *tandem_lead_board_get_selected_id   (TandemLeadBoard *self);

/* What dropping the card of lead @id on the column of @stage does: moves
 * it, asking for a reason or explaining a refusal where needed. */
gboolean     tandem_lead_board_move_lead         (TandemLeadBoard *self,
                                                  const char      *id,
                                                  const char      *stage);

G_END_DECLS
