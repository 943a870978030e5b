/* tandem-pipeline-view.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"
#include "tandem-handoff-queue.h"
#include "tandem-lead-board.h"
#include "tandem-lead-detail.h"
#include "tandem-lead-table.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_PIPELINE_VIEW (tandem_pipeline_view_get_type ())

G_DECLARE_FINAL_TYPE (TandemPipelineView, tandem_pipeline_view, TANDEM, PIPELINE_VIEW, AdwBin)

GtkWidget          *tandem_pipeline_view_new           (void);
TandemStore        *tandem_pipeline_view_get_store     (TandemPipelineView *self);
void                tandem_pipeline_view_set_store     (TandemPipelineView *self,
                                                        TandemStore        *store);
/* "board", "table", "queue" or "scoring". */
const char         *tandem_pipeline_view_get_visible_page (TandemPipelineView *self);
/* Shows @lead in the detail pane; NULL closes it. */
void                tandem_pipeline_view_show_lead     (TandemPipelineView *self,
                                                        TandemLead         *lead);
gboolean            tandem_pipeline_view_get_detail_revealed (TandemPipelineView *self);

TandemLeadBoard    *tandem_pipeline_view_get_board     (TandemPipelineView *self);
TandemLeadTable    *tandem_pipeline_view_get_table     (TandemPipelineView *self);
TandemHandoffQueue *tandem_pipeline_view_get_queue     (TandemPipelineView *self);
TandemLeadDetail   *tandem_pipeline_view_get_detail    (TandemPipelineView *self);

G_END_DECLS
