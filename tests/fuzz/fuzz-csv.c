/* fuzz-csv.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib.h>

#include "tandem-csv.h"

/* Feeds arbitrary bytes to the CSV parser and, when they parse, to the
 * header recognition, preview and validation an import runs before it
 * writes anything. The store is left out: everything before the first
 * write must cope with any file on its own. */
int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemCsvImport) import = NULL;
  g_autoptr(GPtrArray) preview = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  TandemCsvTable *table;

  table = tandem_csv_table_parse ((const char *) data, size, &error);
  if (table == NULL)
    {
      g_assert (error != NULL && error->domain == TANDEM_CSV_ERROR);
      return 0;
    }

  g_assert (tandem_csv_table_get_n_columns (table) > 0);
  for (guint row = 0; row < tandem_csv_table_get_n_rows (table); row++)
    for (guint column = 0; column <= tandem_csv_table_get_row_length (table, row); column++)
      g_assert (tandem_csv_table_get_cell (table, row, column) != NULL);

  import = tandem_csv_import_new (table);
  preview = tandem_csv_import_preview (import, 5);
  problems = tandem_csv_import_validate (import, NULL, &error);
  g_assert ((problems == NULL) == (error != NULL));
  if (problems != NULL)
    g_assert ((problems->len == 0) == tandem_csv_import_check (import, NULL));

  return 0;
}
