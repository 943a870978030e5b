/* tandem-handoff-queue.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_HANDOFF_QUEUE (tandem_handoff_queue_get_type ())

G_DECLARE_FINAL_TYPE (TandemHandoffQueue, tandem_handoff_queue, TANDEM, HANDOFF_QUEUE, AdwBin)

GtkWidget   *tandem_handoff_queue_new        (void);
TandemStore *tandem_handoff_queue_get_store  (TandemHandoffQueue *self);
void         tandem_handoff_queue_set_store  (TandemHandoffQueue *self,
                                              TandemStore        *store);
/* The leads waiting for sales (TandemLead), oldest handoff first. */
GListModel  *tandem_handoff_queue_get_model  (TandemHandoffQueue *self);
guint        tandem_handoff_queue_get_n_waiting (TandemHandoffQueue *self);

/* "2 h 14 min" since @then_ms, as the queue shows it. */
char        *tandem_format_waiting_time      (gint64              then_ms,
                                              gint64              now_ms);

G_END_DECLS
