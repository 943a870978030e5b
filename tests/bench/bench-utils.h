/* bench-utils.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tandem-core.h"

G_BEGIN_DECLS

/* Milliseconds since @start, a g_get_monotonic_time() reading. */
double       tandem_bench_elapsed_ms     (gint64       start);

/* The sample at @fraction (0.5: the median, 1.0: the largest) of @samples,
 * an array of doubles, which it sorts in place. */
double       tandem_bench_percentile     (GArray      *samples,
                                          double       fraction);

/* Opens the workspace at @path, first making the sample workspace of
 * @n_leads leads there when the file does not exist yet (about a minute
 * for 100,000), as `meson test --benchmark` needs on a fresh build. */
TandemStore *tandem_bench_open_workspace (const char  *path,
                                          guint        n_leads,
                                          GError     **error);

G_END_DECLS
