/* tandem-sync-client-private.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tandem-sync-client.h"

G_BEGIN_DECLS

/* The steps of one round, for the recovery tests that need to stop a round
 * half-way, as a crash would. */

/* Sends the next batch of the outbox (or the batch that is still pending
 * from an interrupted round, under the same batch id). When
 * @acknowledge is FALSE the answer is dropped as if the process had died
 * before reading it: the entries stay in the outbox and the batch stays
 * pending. Sets *@n_sent to the number of changes sent (0: nothing to send). */
gboolean tandem_sync_client_push_batch (TandemStore   *store,
                                        gboolean       acknowledge,
                                        GCancellable  *cancellable,
                                        guint         *n_sent,
                                        GError       **error);

G_END_DECLS
