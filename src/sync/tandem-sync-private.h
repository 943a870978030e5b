/* tandem-sync-private.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tandem-sync-state.h"

G_BEGIN_DECLS

/* Names the files of src/sync use for the core's change helpers and merge
 * rule (src/core/tandem-sync-state.c), so that the server applies exactly
 * the rule every desktop applies. */

static inline TandemChange *
tandem_sync_change_alloc (void)
{
  return tandem_change_new ();
}

static inline void
tandem_sync_change_release (gpointer data)
{
  tandem_change_free (data);
}

static inline gboolean
tandem_sync_stamp_wins (gint64      hlc_a,
                        const char *site_a,
                        gint64      hlc_b,
                        const char *site_b)
{
  return tandem_sync_wins (hlc_a, site_a, hlc_b, site_b);
}

G_END_DECLS
