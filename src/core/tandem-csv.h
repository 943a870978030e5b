/* tandem-csv.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tandem-lead-query.h"
#include "tandem-store.h"

G_BEGIN_DECLS

#define TANDEM_CSV_ERROR (tandem_csv_error_quark ())

typedef enum
{
  TANDEM_CSV_ERROR_ENCODING,    /* not UTF-8; the message gives the line */
  TANDEM_CSV_ERROR_SYNTAX,      /* an unterminated quote; the message gives the line */
  TANDEM_CSV_ERROR_EMPTY,       /* no header line */
  TANDEM_CSV_ERROR_MAPPING,     /* no column is mapped to the email address */
  TANDEM_CSV_ERROR_ROWS,        /* rows with errors: see tandem_csv_import_validate() */
  TANDEM_CSV_ERROR_NOTHING_TO_UNDO,
} TandemCsvError;

/* The lead and company fields a column can be imported into. */
typedef enum
{
  TANDEM_CSV_FIELD_NONE,        /* the column is not imported */
  TANDEM_CSV_FIELD_FIRST_NAME,
  TANDEM_CSV_FIELD_LAST_NAME,
  TANDEM_CSV_FIELD_EMAIL,
  TANDEM_CSV_FIELD_COMPANY,
  TANDEM_CSV_FIELD_JOB_TITLE,
  TANDEM_CSV_FIELD_PHONE,
  TANDEM_CSV_FIELD_LIFECYCLE_STAGE,
  TANDEM_CSV_FIELD_LEAD_STATUS,
  TANDEM_CSV_FIELD_INDUSTRY,
  TANDEM_CSV_FIELD_EMPLOYEES,
  TANDEM_CSV_FIELD_COUNTRY,
  TANDEM_CSV_FIELD_REGION,
  TANDEM_CSV_FIELD_WEBSITE,
  TANDEM_CSV_FIELD_SOURCE,
  TANDEM_CSV_N_FIELDS,
} TandemCsvField;

typedef enum
{
  TANDEM_CSV_DUPLICATES_UPDATE,  /* a known email address updates that lead */
  TANDEM_CSV_DUPLICATES_SKIP,    /* a known email address leaves that lead alone */
} TandemCsvDuplicates;

/* The header Tandem writes for @field and shows in the mapping editor. */
const char     *tandem_csv_field_get_header      (TandemCsvField   field);
/* Recognises common export headers ("Email Address", "Company Name"...),
 * ignoring case and spacing; TANDEM_CSV_FIELD_NONE when unknown. */
TandemCsvField  tandem_csv_field_for_header      (const char      *header);
/* A lifecycle stage as other tools export it ("marketingqualifiedlead",
 * "Sales Qualified Lead") or a Tandem stage key, as a Tandem stage key;
 * NULL when unknown. */
const char     *tandem_csv_map_lifecycle_stage   (const char      *value);

/* A parsed file: RFC 4180, UTF-8 with or without a byte order mark,
 * separated by commas or semicolons (whichever the header line uses). */
typedef struct _TandemCsvTable TandemCsvTable;

GQuark          tandem_csv_error_quark           (void);

TandemCsvTable *tandem_csv_table_parse           (const char      *data,
                                                  gsize            length,
                                                  GError         **error);
TandemCsvTable *tandem_csv_table_parse_file      (const char      *path,
                                                  GError         **error);
void            tandem_csv_table_free            (TandemCsvTable  *table);
char            tandem_csv_table_get_separator   (TandemCsvTable  *table);
guint           tandem_csv_table_get_n_columns   (TandemCsvTable  *table);
const char     *tandem_csv_table_get_header      (TandemCsvTable  *table,
                                                  guint            column);
/* Data rows, without the header and empty lines. */
guint           tandem_csv_table_get_n_rows      (TandemCsvTable  *table);
/* The line of the file where @row starts (the header is line 1). */
guint           tandem_csv_table_get_line        (TandemCsvTable  *table,
                                                  guint            row);
/* The cells @row really has; may differ from the header's count. */
guint           tandem_csv_table_get_row_length  (TandemCsvTable  *table,
                                                  guint            row);
/* "" for a cell the row does not have. */
const char     *tandem_csv_table_get_cell        (TandemCsvTable  *table,
                                                  guint            row,
                                                  guint            column);

/* One row that cannot be imported, and why. */
typedef struct
{
  guint  line;
  char  *message;   /* "Line 4: there is no email address." */
} TandemCsvProblem;

void            tandem_csv_problem_free          (TandemCsvProblem *problem);

typedef struct
{
  char      *import_id;
  guint      created;
  guint      updated;
  guint      skipped;
  guint      companies_created;
  /* The ids of the leads whose scores the import, or its undo, may have
   * changed: those it wrote and those of the companies it filled in. For
   * tandem_scoring_rescore_leads(). */
  GPtrArray *lead_ids;
} TandemCsvImportResult;

void            tandem_csv_import_result_clear   (TandemCsvImportResult *result);

#define TANDEM_TYPE_CSV_IMPORT (tandem_csv_import_get_type ())

/* An import being prepared: the parsed file, the column mapping (guessed
 * from the headers, editable), and the choice for known email addresses. */
G_DECLARE_FINAL_TYPE (TandemCsvImport, tandem_csv_import, TANDEM, CSV_IMPORT, GObject)

/* Takes ownership of @table. */
TandemCsvImport     *tandem_csv_import_new            (TandemCsvTable       *table);
TandemCsvTable      *tandem_csv_import_get_table      (TandemCsvImport      *self);
TandemCsvField       tandem_csv_import_get_mapping    (TandemCsvImport      *self,
                                                       guint                 column);
/* Maps @column to @field; a column mapped to the same field before is
 * unmapped, since each field is read from one column. */
void                 tandem_csv_import_set_mapping    (TandemCsvImport      *self,
                                                       guint                 column,
                                                       TandemCsvField        field);
TandemCsvDuplicates  tandem_csv_import_get_duplicates (TandemCsvImport      *self);
void                 tandem_csv_import_set_duplicates (TandemCsvImport      *self,
                                                       TandemCsvDuplicates   duplicates);
/* The first @n_rows rows as they would be imported: each a char ** of
 * TANDEM_CSV_N_FIELDS values (NULL where no column maps to the field or
 * the cell is blank), indexed by TandemCsvField; the array frees them. */
GPtrArray           *tandem_csv_import_preview        (TandemCsvImport      *self,
                                                       guint                 n_rows);
/* Every row that cannot be imported (TandemCsvProblem), in file order;
 * empty when all can. Nothing is written. @store may be NULL to check the
 * file alone. */
GPtrArray           *tandem_csv_import_validate       (TandemCsvImport      *self,
                                                       TandemStore          *store,
                                                       GError              **error);
/* The same checks as a verdict: FALSE with TANDEM_CSV_ERROR_ROWS and a
 * summary ("The file has 3 rows without an email address: lines 4, 9,
 * 17. ...") when any row cannot be imported. */
gboolean             tandem_csv_import_check          (TandemCsvImport      *self,
                                                       GError              **error);
/* Validates, then imports every row in one transaction through the
 * mutation path and logs the import so it can be undone. When any row has
 * errors nothing is written and the error (TANDEM_CSV_ERROR_ROWS) lists
 * them with their line numbers. */
gboolean             tandem_csv_import_run            (TandemCsvImport      *self,
                                                       TandemStore          *store,
                                                       const char           *file_name,
                                                       TandemCsvImportResult *result,
                                                       GError              **error);

/* Undoes the newest import not undone yet, in one transaction: the leads
 * and companies it created are deleted (tombstones) and the fields it
 * changed get their previous values back. */
gboolean             tandem_csv_undo_last_import      (TandemStore          *store,
                                                       TandemCsvImportResult *undone,
                                                       GError              **error);

/* Writes the leads @query selects (all when NULL), in its order, with
 * their company, as CSV with the headers the importer recognises. */
gboolean             tandem_csv_export_leads          (TandemStore          *store,
                                                       TandemLeadQuery      *query,
                                                       const char           *path,
                                                       guint                *n_written,
                                                       GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TandemCsvTable, tandem_csv_table_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TandemCsvProblem, tandem_csv_problem_free)

G_END_DECLS
