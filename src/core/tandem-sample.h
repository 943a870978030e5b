/* tandem-sample.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tandem-store.h"

G_BEGIN_DECLS

#define TANDEM_SAMPLE_DEFAULT_LEADS 2000
#define TANDEM_SAMPLE_DEFAULT_SEED  1

/* Called now and then with the share of the work done, from 0 to 1. */
typedef void (*TandemSampleProgress) (double   fraction,
                                      gpointer user_data);

/* Fills an empty workspace with a believable B2B company whose twelve months
 * of history end at @now_ms (UTC milliseconds; 0 for now): the same @seed and
 * @now_ms always give the same workspace. Refuses a workspace that already
 * holds members, personas or leads. */
gboolean tandem_sample_generate        (TandemStore          *store,
                                        guint                 n_leads,
                                        guint64               seed,
                                        gint64                now_ms,
                                        TandemSampleProgress  progress,
                                        gpointer              progress_data,
                                        GError              **error);

/* The same on a worker thread with its own connection to @db_path. */
void     tandem_sample_generate_async  (const char           *db_path,
                                        guint                 n_leads,
                                        guint64               seed,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean tandem_sample_generate_finish (GAsyncResult         *result,
                                        GError              **error);

G_END_DECLS
