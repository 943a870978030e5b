/* tandem-import-dialog.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_IMPORT_DIALOG (tandem_import_dialog_get_type ())

/* Imports leads from a CSV file (DESIGN.md §3 Pipeline, §10): choose a
 * file, map its columns, see every row with an error before anything is
 * written, then import in one transaction that a toast can undo. */
G_DECLARE_FINAL_TYPE (TandemImportDialog, tandem_import_dialog, TANDEM, IMPORT_DIALOG, AdwWindow)

TandemImportDialog *tandem_import_dialog_new          (GtkWindow          *parent,
                                                       TandemStore        *store);
/* Parses @file off the main thread and shows the column mapping. */
void                tandem_import_dialog_load_file    (TandemImportDialog *self,
                                                       GFile              *file);
/* "choose", "loading", "mapping", "problems", "ready", "importing". */
const char         *tandem_import_dialog_get_step     (TandemImportDialog *self);
/* The import being prepared, or NULL before a file is loaded. */
TandemCsvImport    *tandem_import_dialog_get_import   (TandemImportDialog *self);
/* The messages of the rows that cannot be imported, after validation. */
GListModel         *tandem_import_dialog_get_problems (TandemImportDialog *self);

void                tandem_import_dialog_present      (GtkWidget          *parent,
                                                       TandemStore        *store);
/* Asks where to save, then writes the leads @query selects (a
 * TandemLeadQuery, or NULL for all of them) as CSV. */
void                tandem_export_leads_present       (GtkWidget          *parent,
                                                       TandemStore        *store,
                                                       gpointer            query);

G_END_DECLS
