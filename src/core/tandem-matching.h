/* tandem-matching.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tandem-store.h"

G_BEGIN_DECLS

/* How many live leads match each ICP and each persona, by a simple rule that
 * the scoring engine refines later:
 *
 *  - a lead matches an ICP when its company's industry, employee count,
 *    revenue and region fall inside the ICP (an empty list or a zero bound
 *    does not restrict), and neither its industry, its email domain nor its
 *    company name is excluded;
 *  - a lead matches a persona when it matches the persona's ICP (if the
 *    persona has one), has the same seniority, and its job title shares a
 *    word of four letters or more with the persona's job title.
 *
 * The result maps ICP and persona ids to counts (GUINT_TO_POINTER). */
GHashTable *tandem_match_count_leads        (TandemStore          *store,
                                             GError              **error);

/* The same, computed on a thread with its own connection to @db_path. */
void        tandem_match_count_leads_async  (const char           *db_path,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GHashTable *tandem_match_count_leads_finish (GAsyncResult         *result,
                                             GError              **error);

G_END_DECLS
