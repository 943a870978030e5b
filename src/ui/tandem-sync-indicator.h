/* tandem-sync-indicator.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_SYNC_INDICATOR (tandem_sync_indicator_get_type ())

G_DECLARE_FINAL_TYPE (TandemSyncIndicator, tandem_sync_indicator, TANDEM, SYNC_INDICATOR, AdwBin)

/* The header bar button that shows how the workspace stands with its sync
 * server, and the scheduler of its background rounds: one on a timer, one
 * shortly after local edits, never two at once.
 *
 * The "state" property is one of "not-shared", "syncing", "synced",
 * "offline", "pending" or "conflicts". "round-finished" (a #GError or
 * %NULL) is sent after every round. */

GtkWidget           *tandem_sync_indicator_new          (void);
TandemStore         *tandem_sync_indicator_get_store    (TandemSyncIndicator *self);
void                 tandem_sync_indicator_set_store    (TandemSyncIndicator *self,
                                                         TandemStore         *store);
const char          *tandem_sync_indicator_get_state    (TandemSyncIndicator *self);
/* Whether a round is running now. */
gboolean             tandem_sync_indicator_get_busy     (TandemSyncIndicator *self);
/* Starts a round now, or right after the one that is running. */
void                 tandem_sync_indicator_sync_now     (TandemSyncIndicator *self);
/* Reads the configuration and the counts again, after the server was set
 * or forgotten elsewhere (preferences). */
void                 tandem_sync_indicator_reload       (TandemSyncIndicator *self);
/* The last successful round, in UTC milliseconds, or 0. */
gint64               tandem_sync_indicator_get_last_synced (TandemSyncIndicator *self);
/* The indicator that schedules the rounds of @store, or NULL: the
 * preferences run their first round through it. */
TandemSyncIndicator *tandem_sync_indicator_for_store    (TandemStore         *store);

/* A short local time ("14:02", or "Mar 3, 14:02" on another day). */
char                *tandem_sync_format_time            (gint64               millis);

G_END_DECLS
