/* bench-utils.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "bench-utils.h"

double
tandem_bench_elapsed_ms (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

double
tandem_bench_percentile (GArray *samples,
                         double  fraction)
{
  guint index;

  g_return_val_if_fail (samples != NULL, 0);

  if (samples->len == 0)
    return 0;

  g_array_sort (samples, compare_doubles);
  index = MIN ((guint) (fraction * samples->len), samples->len - 1);
  return g_array_index (samples, double, index);
}

TandemStore *
tandem_bench_open_workspace (const char  *path,
                             guint        n_leads,
                             GError     **error)
{
  gboolean exists;
  g_autoptr(TandemStore) store = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  exists = g_file_test (path, G_FILE_TEST_EXISTS);
  store = tandem_store_open (path, error);
  if (store == NULL)
    return NULL;

  if (!exists)
    {
      g_print ("making the %u-lead sample workspace %s\n", n_leads, path);
      if (!tandem_sample_generate (store, n_leads, 1, 0, NULL, NULL, error))
        return NULL;
    }

  return g_steal_pointer (&store);
}
