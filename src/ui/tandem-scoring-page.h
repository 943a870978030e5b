/* tandem-scoring-page.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_SCORING_PAGE (tandem_scoring_page_get_type ())

/* Scoring & definitions (DESIGN.md §3, view 6): stage definitions, entry
 * criteria, reasons, scoring rules and thresholds. Edits are staged in
 * memory with a live what-if preview until "Save & Rescore". */
G_DECLARE_FINAL_TYPE (TandemScoringPage, tandem_scoring_page, TANDEM, SCORING_PAGE, AdwBin)

GtkWidget          *tandem_scoring_page_new          (void);
void                tandem_scoring_page_set_store    (TandemScoringPage *self,
                                                      TandemStore       *store);
TandemStore        *tandem_scoring_page_get_store    (TandemScoringPage *self);
/* Whether there are edits not saved yet. */
gboolean            tandem_scoring_page_has_changes  (TandemScoringPage *self);
/* The preview of the staged edits, or NULL while it is being computed or
 * when nothing is staged. Owned by the page. */
const TandemWhatIf *tandem_scoring_page_get_what_if  (TandemScoringPage *self);
/* Whether a save is rescoring every lead right now. */
gboolean            tandem_scoring_page_is_rescoring (TandemScoringPage *self);

G_END_DECLS
