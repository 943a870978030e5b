/* tandem-csv.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tandem-company.h"
#include "tandem-csv.h"
#include "tandem-lead.h"
#include "tandem-pipeline.h"
#include "tandem-record-private.h"
#include "tandem-store-private.h"

G_DEFINE_QUARK (tandem-csv-error-quark, tandem_csv_error)

/* At most this many line numbers are named per kind of problem in the
 * summary; the full list is in the problems themselves. */
#define MAX_LINES_IN_SUMMARY 20

/* Fields. */

typedef struct
{
  TandemCsvField  field;
  const char     *header;    /* what export writes */
  const char     *aliases;   /* normalised headers, separated by '|' */
} FieldInfo;

/* Aliases are written the way normalize_header() leaves a header: lower
 * case ASCII letters and digits only, so "E-mail Address" is
 * "emailaddress". */
static const FieldInfo field_infos[] = {
  { TANDEM_CSV_FIELD_NONE, NULL, "" },
  { TANDEM_CSV_FIELD_FIRST_NAME, "First Name", "firstname|first|givenname|forename" },
  { TANDEM_CSV_FIELD_LAST_NAME, "Last Name", "lastname|last|surname|familyname" },
  { TANDEM_CSV_FIELD_EMAIL, "Email",
    "email|emailaddress|email1|workemail|businessemail|primaryemail|mail" },
  { TANDEM_CSV_FIELD_COMPANY, "Company",
    "company|companyname|organization|organisation|organizationname|account|accountname" },
  { TANDEM_CSV_FIELD_JOB_TITLE, "Job Title", "jobtitle|title|position|role" },
  { TANDEM_CSV_FIELD_PHONE, "Phone",
    "phone|phonenumber|telephone|telephonenumber|mobile|mobilephone|mobilephonenumber|"
    "workphone" },
  { TANDEM_CSV_FIELD_LIFECYCLE_STAGE, "Lifecycle Stage", "lifecyclestage|stage|lifecycle" },
  { TANDEM_CSV_FIELD_LEAD_STATUS, "Lead Status", "leadstatus|status" },
  { TANDEM_CSV_FIELD_INDUSTRY, "Industry", "industry|companyindustry" },
  { TANDEM_CSV_FIELD_EMPLOYEES, "Number of Employees",
    "numberofemployees|employees|companysize|employeecount|noofemployees|headcount" },
  { TANDEM_CSV_FIELD_COUNTRY, "Country", "country|countryregion" },
  { TANDEM_CSV_FIELD_REGION, "Region", "region|stateregion|state|province" },
  { TANDEM_CSV_FIELD_WEBSITE, "Website",
    "website|websiteurl|companywebsite|companydomainname|domain|companydomain|url" },
  { TANDEM_CSV_FIELD_SOURCE, "Lead Source",
    "leadsource|source|originalsource|sourcechannel" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (field_infos) == TANDEM_CSV_N_FIELDS);

const char *
tandem_csv_field_get_header (TandemCsvField field)
{
  g_return_val_if_fail ((guint) field < TANDEM_CSV_N_FIELDS, NULL);

  return field_infos[field].header;
}

static char *
normalize_header (const char *header)
{
  GString *key = g_string_new (NULL);

  for (const char *p = header; *p != '\0'; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (key, g_ascii_tolower (*p));

  return g_string_free (key, FALSE);
}

TandemCsvField
tandem_csv_field_for_header (const char *header)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (header != NULL, TANDEM_CSV_FIELD_NONE);

  key = normalize_header (header);
  if (*key == '\0')
    return TANDEM_CSV_FIELD_NONE;

  for (guint i = 1; i < G_N_ELEMENTS (field_infos); i++)
    {
      g_auto(GStrv) aliases = g_strsplit (field_infos[i].aliases, "|", -1);

      if (g_strv_contains ((const char * const *) aliases, key))
        return field_infos[i].field;
    }

  return TANDEM_CSV_FIELD_NONE;
}

const char *
tandem_csv_map_lifecycle_stage (const char *value)
{
  static const struct { const char *key; const char *stage; } stages[] = {
    /* Tandem's own keys, which export writes. */
    { "lead", TANDEM_STAGE_LEAD }, { "mql", TANDEM_STAGE_MQL }, { "sal", TANDEM_STAGE_SAL },
    { "sql", TANDEM_STAGE_SQL }, { "opportunity", TANDEM_STAGE_OPPORTUNITY },
    { "customer", TANDEM_STAGE_CUSTOMER }, { "lost", TANDEM_STAGE_LOST },
    { "nurture", TANDEM_STAGE_NURTURE }, { "disqualified", TANDEM_STAGE_DISQUALIFIED },
    /* What CRMs such as HubSpot export, written out or as internal values.
     * A subscriber has not become a lead anywhere yet: it starts here as
     * one, and "other" is the closest to nothing. */
    { "subscriber", TANDEM_STAGE_LEAD }, { "other", TANDEM_STAGE_LEAD },
    { "marketingqualifiedlead", TANDEM_STAGE_MQL },
    { "salesacceptedlead", TANDEM_STAGE_SAL },
    { "salesqualifiedlead", TANDEM_STAGE_SQL },
    { "evangelist", TANDEM_STAGE_CUSTOMER },
    { "closedwon", TANDEM_STAGE_CUSTOMER }, { "closedlost", TANDEM_STAGE_LOST },
    { "unqualified", TANDEM_STAGE_DISQUALIFIED },
  };
  g_autofree char *key = NULL;

  g_return_val_if_fail (value != NULL, NULL);

  key = normalize_header (value);
  for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
    if (g_str_equal (stages[i].key, key))
      return stages[i].stage;

  return NULL;
}

/* What a "Lead Status" says about the stage, for files without a lifecycle
 * stage; the other statuses (new, open, in progress...) say nothing Tandem
 * tracks as a field and are not imported. */
static const char *
stage_for_lead_status (const char *value)
{
  g_autofree char *key = normalize_header (value);

  if (g_str_equal (key, "unqualified") || g_str_equal (key, "disqualified"))
    return TANDEM_STAGE_DISQUALIFIED;
  if (g_str_equal (key, "badtiming") || g_str_equal (key, "nurture"))
    return TANDEM_STAGE_NURTURE;

  return NULL;
}

/* Parsing. */

typedef struct
{
  guint first_cell;
  guint n_cells;
  guint line;
} CsvRow;

struct _TandemCsvTable
{
  char     separator;
  GString *text;     /* every cell, each ending in a NUL */
  GArray  *cells;    /* gsize offsets of the cells into text */
  GArray  *rows;     /* CsvRow; the first is the header */
};

void
tandem_csv_table_free (TandemCsvTable *table)
{
  if (table == NULL)
    return;

  g_string_free (table->text, TRUE);
  g_array_unref (table->cells);
  g_array_unref (table->rows);
  g_free (table);
}

static guint
count_lines (const char *data,
             gsize       length)
{
  guint line = 1;

  for (gsize i = 0; i < length; i++)
    if (data[i] == '\n' || (data[i] == '\r' && (i + 1 == length || data[i + 1] != '\n')))
      line++;

  return line;
}

/* The separator is the one the header line uses most, outside quotes:
 * exports from spreadsheets in many European locales use ';' because ','
 * is their decimal mark. */
static char
detect_separator (const char *data,
                  gsize       length)
{
  gboolean quoted = FALSE;
  guint commas = 0;
  guint semicolons = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (c == '"')
        quoted = !quoted;
      else if (quoted)
        continue;
      else if (c == '\n' || c == '\r')
        break;
      else if (c == ',')
        commas++;
      else if (c == ';')
        semicolons++;
    }

  return semicolons > commas ? ';' : ',';
}

/* Ends a row; a row whose cells are all blank (an empty line, or only
 * separators as spreadsheets write them) is dropped. */
static void
end_row (TandemCsvTable *table,
         guint           first_cell,
         guint           line)
{
  CsvRow row = { first_cell, table->cells->len - first_cell, line };

  for (guint i = first_cell; i < table->cells->len; i++)
    {
      const char *cell = table->text->str + g_array_index (table->cells, gsize, i);

      for (const char *p = cell; *p != '\0'; p++)
        if (!g_ascii_isspace (*p))
          {
            g_array_append_val (table->rows, row);
            return;
          }
    }

  /* Blank: forget its cells. */
  if (first_cell < table->cells->len)
    {
      g_string_truncate (table->text, g_array_index (table->cells, gsize, first_cell));
      g_array_set_size (table->cells, first_cell);
    }
}

static inline void
start_cell (TandemCsvTable *table)
{
  gsize offset = table->text->len;

  g_array_append_val (table->cells, offset);
}

TandemCsvTable *
tandem_csv_table_parse (const char  *data,
                        gsize        length,
                        GError     **error)
{
  g_autoptr(TandemCsvTable) table = NULL;
  const char *invalid = NULL;
  gboolean quoted = FALSE;
  gboolean cell_open = FALSE;
  gboolean fresh = FALSE;
  guint quote_line = 0;
  guint line = 1;
  guint row_line = 1;
  guint row_first_cell = 0;
  char separator;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    {
      data += 3;
      length -= 3;
    }

  if (!g_utf8_validate_len (data, length, &invalid))
    {
      g_set_error (error, TANDEM_CSV_ERROR, TANDEM_CSV_ERROR_ENCODING,
                   _("Line %u of the file is not valid UTF-8 text. Save the file as "
                     "“CSV UTF-8” in your spreadsheet and import it again."),
                   count_lines (data, invalid - data));
      return NULL;
    }

  separator = detect_separator (data, length);

  table = g_new0 (TandemCsvTable, 1);
  table->separator = separator;
  table->text = g_string_sized_new (length + length / 4 + 16);
  table->cells = g_array_sized_new (FALSE, FALSE, sizeof (gsize), 1024);
  table->rows = g_array_sized_new (FALSE, FALSE, sizeof (CsvRow), 256);

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (quoted)
        {
          if (c == '"')
            {
              if (i + 1 < length && data[i + 1] == '"')
                {
                  g_string_append_c (table->text, '"');
                  i++;
                }
              else
                quoted = FALSE;
            }
          else if (c == '\r' && i + 1 < length && data[i + 1] == '\n')
            ;  /* CRLF inside a value is kept as LF, like a line end. */
          else
            {
              if (c == '\n' || c == '\r')
                line++;
              g_string_append_c (table->text, c);
            }
          continue;
        }

      if (c == '\r' || c == '\n')
        {
          if (c == '\r' && i + 1 < length && data[i + 1] == '\n')
            i++;
          if (cell_open)
            g_string_append_c (table->text, '\0');
          cell_open = FALSE;
          end_row (table, row_first_cell, row_line);
          line++;
          row_line = line;
          row_first_cell = table->cells->len;
          continue;
        }

      if (!cell_open)
        {
          start_cell (table);
          cell_open = TRUE;
          fresh = TRUE;
        }

      /* Only a quote that starts a value opens a quoted value. */
      if (c == '"' && fresh)
        {
          quoted = TRUE;
          quote_line = line;
          fresh = FALSE;
          continue;
        }

      if (c == separator)
        {
          g_string_append_c (table->text, '\0');
          start_cell (table);
          fresh = TRUE;
          continue;
        }

      fresh = FALSE;

      /* A quote inside an unquoted value, or after a closing quote, is
       * taken as written: spreadsheets read such files the same way. */
      g_string_append_c (table->text, c);
    }

  if (quoted)
    {
      g_set_error (error, TANDEM_CSV_ERROR, TANDEM_CSV_ERROR_SYNTAX,
                   _("The quoted value that starts on line %u is never closed: add the "
                     "missing quote (\") and import the file again."), quote_line);
      return NULL;
    }

  if (cell_open)
    g_string_append_c (table->text, '\0');
  end_row (table, row_first_cell, row_line);

  if (table->rows->len == 0)
    {
      g_set_error (error, TANDEM_CSV_ERROR, TANDEM_CSV_ERROR_EMPTY,
                   _("The file is empty: it needs a header line naming its columns, "
                     "then one line per lead."));
      return NULL;
    }

  return g_steal_pointer (&table);
}

TandemCsvTable *
tandem_csv_table_parse_file (const char  *path,
                             GError     **error)
{
  g_autoptr(GMappedFile) file = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  file = g_mapped_file_new (path, FALSE, error);
  if (file == NULL)
    return NULL;

  return tandem_csv_table_parse (g_mapped_file_get_contents (file),
                                 g_mapped_file_get_length (file), error);
}

char
tandem_csv_table_get_separator (TandemCsvTable *table)
{
  g_return_val_if_fail (table != NULL, ',');

  return table->separator;
}

static const CsvRow *
get_row (TandemCsvTable *table,
         guint           index)
{
  return &g_array_index (table->rows, CsvRow, index);
}

static const char *
row_cell (TandemCsvTable *table,
          const CsvRow   *row,
          guint           column)
{
  if (column >= row->n_cells)
    return "";

  return table->text->str + g_array_index (table->cells, gsize, row->first_cell + column);
}

guint
tandem_csv_table_get_n_columns (TandemCsvTable *table)
{
  g_return_val_if_fail (table != NULL, 0);

  return get_row (table, 0)->n_cells;
}

const char *
tandem_csv_table_get_header (TandemCsvTable *table,
                             guint           column)
{
  g_return_val_if_fail (table != NULL, NULL);
  g_return_val_if_fail (column < tandem_csv_table_get_n_columns (table), NULL);

  return row_cell (table, get_row (table, 0), column);
}

guint
tandem_csv_table_get_n_rows (TandemCsvTable *table)
{
  g_return_val_if_fail (table != NULL, 0);

  return table->rows->len - 1;
}

guint
tandem_csv_table_get_line (TandemCsvTable *table,
                           guint           row)
{
  g_return_val_if_fail (table != NULL, 0);
  g_return_val_if_fail (row < tandem_csv_table_get_n_rows (table), 0);

  return get_row (table, row + 1)->line;
}

guint
tandem_csv_table_get_row_length (TandemCsvTable *table,
                                 guint           row)
{
  g_return_val_if_fail (table != NULL, 0);
  g_return_val_if_fail (row < tandem_csv_table_get_n_rows (table), 0);

  return get_row (table, row + 1)->n_cells;
}

const char *
tandem_csv_table_get_cell (TandemCsvTable *table,
                           guint           row,
                           guint           column)
{
  g_return_val_if_fail (table != NULL, NULL);
  g_return_val_if_fail (row < tandem_csv_table_get_n_rows (table), NULL);

  return row_cell (table, get_row (table, row + 1), column);
}

void
tandem_csv_problem_free (TandemCsvProblem *problem)
{
  if (problem == NULL)
    return;

  g_free (problem->message);
  g_free (problem);
}

void
tandem_csv_import_result_clear (TandemCsvImportResult *result)
{
  g_return_if_fail (result != NULL);

  g_clear_pointer (&result->import_id, g_free);
  g_clear_pointer (&result->lead_ids, g_ptr_array_unref);
  memset (result, 0, sizeof *result);
}

/* The import. */

struct _TandemCsvImport
{
  GObject              parent_instance;

  TandemCsvTable      *table;
  TandemCsvField      *mapping;    /* per column */
  int                  columns[TANDEM_CSV_N_FIELDS];   /* per field, or -1 */
  TandemCsvDuplicates  duplicates;
};

G_DEFINE_FINAL_TYPE (TandemCsvImport, tandem_csv_import, G_TYPE_OBJECT)

static void
tandem_csv_import_finalize (GObject *object)
{
  TandemCsvImport *self = TANDEM_CSV_IMPORT (object);

  g_clear_pointer (&self->table, tandem_csv_table_free);
  g_clear_pointer (&self->mapping, g_free);

  G_OBJECT_CLASS (tandem_csv_import_parent_class)->finalize (object);
}

static void
tandem_csv_import_class_init (TandemCsvImportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tandem_csv_import_finalize;
}

static void
tandem_csv_import_init (TandemCsvImport *self)
{
  for (guint i = 0; i < TANDEM_CSV_N_FIELDS; i++)
    self->columns[i] = -1;
}

TandemCsvImport *
tandem_csv_import_new (TandemCsvTable *table)
{
  TandemCsvImport *self;
  guint n_columns;

  g_return_val_if_fail (table != NULL, NULL);

  self = g_object_new (TANDEM_TYPE_CSV_IMPORT, NULL);
  self->table = table;

  n_columns = tandem_csv_table_get_n_columns (table);
  self->mapping = g_new0 (TandemCsvField, MAX (n_columns, 1));

  /* The first column with a recognised header wins: exports sometimes
   * repeat a field ("Email", "Email 2"), and the first is the primary. */
  for (guint i = 0; i < n_columns; i++)
    {
      TandemCsvField field = tandem_csv_field_for_header (tandem_csv_table_get_header (table, i));

      if (field != TANDEM_CSV_FIELD_NONE && self->columns[field] < 0)
        {
          self->mapping[i] = field;
          self->columns[field] = (int) i;
        }
    }

  return self;
}

TandemCsvTable *
tandem_csv_import_get_table (TandemCsvImport *self)
{
  g_return_val_if_fail (TANDEM_IS_CSV_IMPORT (self), NULL);

  return self->table;
}

TandemCsvField
tandem_csv_import_get_mapping (TandemCsvImport *self,
                               guint            column)
{
  g_return_val_if_fail (TANDEM_IS_CSV_IMPORT (self), TANDEM_CSV_FIELD_NONE);
  g_return_val_if_fail (column < tandem_csv_table_get_n_columns (self->table),
                        TANDEM_CSV_FIELD_NONE);

  return self->mapping[column];
}

void
tandem_csv_import_set_mapping (TandemCsvImport *self,
                               guint            column,
                               TandemCsvField   field)
{
  TandemCsvField old;

  g_return_if_fail (TANDEM_IS_CSV_IMPORT (self));
  g_return_if_fail (column < tandem_csv_table_get_n_columns (self->table));
  g_return_if_fail ((guint) field < TANDEM_CSV_N_FIELDS);

  old = self->mapping[column];
  if (old != TANDEM_CSV_FIELD_NONE)
    self->columns[old] = -1;

  if (field != TANDEM_CSV_FIELD_NONE && self->columns[field] >= 0)
    self->mapping[self->columns[field]] = TANDEM_CSV_FIELD_NONE;

  self->mapping[column] = field;
  if (field != TANDEM_CSV_FIELD_NONE)
    self->columns[field] = (int) column;
}

TandemCsvDuplicates
tandem_csv_import_get_duplicates (TandemCsvImport *self)
{
  g_return_val_if_fail (TANDEM_IS_CSV_IMPORT (self), TANDEM_CSV_DUPLICATES_UPDATE);

  return self->duplicates;
}

void
tandem_csv_import_set_duplicates (TandemCsvImport     *self,
                                  TandemCsvDuplicates  duplicates)
{
  g_return_if_fail (TANDEM_IS_CSV_IMPORT (self));

  self->duplicates = duplicates;
}

/* The trimmed value of @field in data row @row, or NULL when no column is
 * mapped to it or the cell is blank. Returns a pointer into @buffer. */
static const char *
row_value (TandemCsvImport *self,
           guint            row,
           TandemCsvField   field,
           GString         *buffer)
{
  const char *cell;
  const char *end;

  if (self->columns[field] < 0)
    return NULL;

  cell = tandem_csv_table_get_cell (self->table, row, (guint) self->columns[field]);
  while (g_ascii_isspace (*cell))
    cell++;
  end = cell + strlen (cell);
  while (end > cell && g_ascii_isspace (end[-1]))
    end--;

  if (end == cell)
    return NULL;

  g_string_truncate (buffer, 0);
  g_string_append_len (buffer, cell, end - cell);
  return buffer->str;
}

/* Preview rows have NULL holes, so g_strfreev() would stop early. */
static void
preview_row_free (gpointer data)
{
  char **values = data;

  for (guint i = 0; i < TANDEM_CSV_N_FIELDS; i++)
    g_free (values[i]);
  g_free (values);
}

GPtrArray *
tandem_csv_import_preview (TandemCsvImport *self,
                           guint            n_rows)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (preview_row_free);
  g_autoptr(GString) buffer = g_string_new (NULL);
  guint total;

  g_return_val_if_fail (TANDEM_IS_CSV_IMPORT (self), rows);

  total = MIN (n_rows, tandem_csv_table_get_n_rows (self->table));
  for (guint row = 0; row < total; row++)
    {
      char **values = g_new0 (char *, TANDEM_CSV_N_FIELDS + 1);

      for (guint field = 1; field < TANDEM_CSV_N_FIELDS; field++)
        values[field] = g_strdup (row_value (self, row, field, buffer));

      g_ptr_array_add (rows, values);
    }

  return rows;
}

/* Validation. */

typedef enum
{
  PROBLEM_NO_EMAIL,
  PROBLEM_BAD_EMAIL,
  PROBLEM_UNKNOWN_STAGE,
  PROBLEM_BAD_EMPLOYEES,
  PROBLEM_EXTRA_VALUES,
  N_PROBLEM_KINDS,
} ProblemKind;

/* A deliberately plain check: one @, something before it, a dot in the
 * domain with something on both sides, and no spaces. Delivery is the only
 * real test of an address; this catches columns mapped wrongly and typos. */
static gboolean
is_email_address (const char *text)
{
  const char *at = strchr (text, '@');
  const char *dot;

  if (at == NULL || at == text || strchr (at + 1, '@') != NULL)
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || *p == ',' || *p == ';' || *p == '<' || *p == '>' || *p == '"')
      return FALSE;

  dot = strrchr (at + 1, '.');
  return dot != NULL && dot > at + 1 && dot[1] != '\0';
}

/* Reads "250", "1,000", "1 000", "1000+" or a range such as "51-200",
 * which company size columns often hold; a range counts as its lower
 * bound, the size the company is known to have. */
static gboolean
parse_employees (const char *text,
                 gint64     *value)
{
  gint64 number = 0;
  gboolean digits = FALSE;
  const char *p = text;

  for (; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        {
          if (number > G_GINT64_CONSTANT (100000000000))
            return FALSE;
          number = number * 10 + (*p - '0');
          digits = TRUE;
        }
      else if ((*p == ',' || *p == '.' || *p == ' ' || *p == '\'') && digits &&
               g_ascii_isdigit (p[1]))
        continue;
      else
        break;
    }

  if (!digits)
    return FALSE;

  while (*p == ' ')
    p++;

  if (*p == '+')
    p++;
  else if (*p == '-')
    {
      p++;
      while (*p == ' ')
        p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p) || *p == ',' || *p == '.')
        p++;
    }

  while (*p == ' ')
    p++;

  if (*p != '\0')
    return FALSE;

  *value = number;
  return TRUE;
}

static void
add_problem (GPtrArray   *problems,
             GArray      *kinds,
             ProblemKind  kind,
             guint        line,
             char        *message)
{
  TandemCsvProblem *problem = g_new0 (TandemCsvProblem, 1);

  problem->line = line;
  problem->message = message;
  g_ptr_array_add (problems, problem);
  if (kinds != NULL)
    g_array_append_val (kinds, kind);
}

static gboolean
check_mapping (TandemCsvImport  *self,
               GError          **error)
{
  if (self->columns[TANDEM_CSV_FIELD_EMAIL] >= 0)
    return TRUE;

  g_set_error (error, TANDEM_CSV_ERROR, TANDEM_CSV_ERROR_MAPPING,
               _("No column holds the email address, which Tandem needs to tell leads "
                 "apart. Choose the column for “%s” and import again."),
               field_infos[TANDEM_CSV_FIELD_EMAIL].header);
  return FALSE;
}

static void
validate_rows (TandemCsvImport *self,
               GPtrArray       *problems,
               GArray          *kinds)
{
  g_autoptr(GString) buffer = g_string_new (NULL);
  guint n_rows = tandem_csv_table_get_n_rows (self->table);
  guint n_columns = tandem_csv_table_get_n_columns (self->table);

  for (guint row = 0; row < n_rows; row++)
    {
      guint line = tandem_csv_table_get_line (self->table, row);
      guint length = tandem_csv_table_get_row_length (self->table, row);
      const char *value;

      /* Extra values usually mean an unquoted separator inside a value, so
       * every value after it sits in the wrong column. Blank extra cells
       * (a trailing separator) are harmless. */
      for (guint column = n_columns; column < length; column++)
        {
          const char *cell = tandem_csv_table_get_cell (self->table, row, column);

          while (g_ascii_isspace (*cell))
            cell++;
          if (*cell == '\0')
            continue;
          add_problem (problems, kinds, PROBLEM_EXTRA_VALUES, line,
                       g_strdup_printf (_("Line %u has %u values but the header has %u "
                                          "columns: put quotes around values that hold "
                                          "“%c”."),
                                        line, length, n_columns, self->table->separator));
          break;
        }

      value = row_value (self, row, TANDEM_CSV_FIELD_EMAIL, buffer);
      if (value == NULL)
        add_problem (problems, kinds, PROBLEM_NO_EMAIL, line,
                     g_strdup_printf (_("Line %u has no email address."), line));
      else if (!is_email_address (value))
        add_problem (problems, kinds, PROBLEM_BAD_EMAIL, line,
                     g_strdup_printf (_("Line %u: “%s” is not an email address."), line, value));

      value = row_value (self, row, TANDEM_CSV_FIELD_LIFECYCLE_STAGE, buffer);
      if (value != NULL && tandem_csv_map_lifecycle_stage (value) == NULL)
        add_problem (problems, kinds, PROBLEM_UNKNOWN_STAGE, line,
                     g_strdup_printf (_("Line %u: “%s” is not a lifecycle stage. Use one of "
                                        "lead, mql, sal, sql, opportunity, customer, nurture, "
                                        "lost, disqualified, or a stage name such as "
                                        "“Marketing Qualified Lead”."), line, value));

      value = row_value (self, row, TANDEM_CSV_FIELD_EMPLOYEES, buffer);
      if (value != NULL)
        {
          gint64 employees;

          if (!parse_employees (value, &employees))
            add_problem (problems, kinds, PROBLEM_BAD_EMPLOYEES, line,
                         g_strdup_printf (_("Line %u: the number of employees “%s” is not a "
                                            "number."), line, value));
        }
    }
}

GPtrArray *
tandem_csv_import_validate (TandemCsvImport  *self,
                            TandemStore      *store,
                            GError          **error)
{
  g_autoptr(GPtrArray) problems = NULL;

  g_return_val_if_fail (TANDEM_IS_CSV_IMPORT (self), NULL);
  g_return_val_if_fail (store == NULL || TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_mapping (self, error))
    return NULL;

  /* Every check is about the file itself: a known email address is not an
   * error but a duplicate, handled as the user chose. */
  problems = g_ptr_array_new_with_free_func ((GDestroyNotify) tandem_csv_problem_free);
  validate_rows (self, problems, NULL);

  return g_steal_pointer (&problems);
}

/* "The file has 3 rows without an email address: lines 4, 9, 17; ..." */
static char *
summarize_problems (GPtrArray *problems,
                    GArray    *kinds)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  for (guint kind = 0; kind < N_PROBLEM_KINDS; kind++)
    {
      g_autoptr(GString) lines = g_string_new (NULL);
      guint count = 0;
      const char *format;
      char *part;

      for (guint i = 0; i < problems->len; i++)
        {
          const TandemCsvProblem *problem = g_ptr_array_index (problems, i);

          if (g_array_index (kinds, ProblemKind, i) != kind)
            continue;
          if (count < MAX_LINES_IN_SUMMARY)
            g_string_append_printf (lines, "%s%u", count ? ", " : "", problem->line);
          else if (count == MAX_LINES_IN_SUMMARY)
            g_string_append (lines, ", …");
          count++;
        }

      if (count == 0)
        continue;

      switch ((ProblemKind) kind)
        {
        case PROBLEM_NO_EMAIL:
          format = g_dngettext (GETTEXT_PACKAGE, "%u row without an email address",
                                "%u rows without an email address", count);
          break;
        case PROBLEM_BAD_EMAIL:
          format = g_dngettext (GETTEXT_PACKAGE, "%u row with an invalid email address",
                                "%u rows with an invalid email address", count);
          break;
        case PROBLEM_UNKNOWN_STAGE:
          format = g_dngettext (GETTEXT_PACKAGE, "%u row with an unknown lifecycle stage",
                                "%u rows with an unknown lifecycle stage", count);
          break;
        case PROBLEM_BAD_EMPLOYEES:
          format = g_dngettext (GETTEXT_PACKAGE,
                                "%u row whose number of employees is not a number",
                                "%u rows whose number of employees is not a number", count);
          break;
        case PROBLEM_EXTRA_VALUES:
          format = g_dngettext (GETTEXT_PACKAGE, "%u row with more values than columns",
                                "%u rows with more values than columns", count);
          break;
        case N_PROBLEM_KINDS:
        default:
          g_assert_not_reached ();
        }

      {
        g_autoptr(GString) counted = g_string_new (format);
        g_autofree char *number = g_strdup_printf ("%u", count);

        /* The formats are chosen by count but hold it as %u only for the
         * translators: it is put in without printf, so a translation can
         * never break the format. */
        g_string_replace (counted, "%u", number, 1);
        part = g_string_free (g_steal_pointer (&counted), FALSE);
      }
      /* TRANSLATORS: "3 rows without an email address" and the lines. */
      g_ptr_array_add (parts, g_strdup_printf (_("%s: %s %s"), part,
                                               count == 1 ? _("line") : _("lines"), lines->str));
      g_free (part);
    }

  g_ptr_array_add (parts, NULL);
  {
    g_autofree char *joined = g_strjoinv ("; ", (char **) parts->pdata);

    /* TRANSLATORS: %s lists the problems, e.g. "3 rows without an email
     * address: lines 4, 9, 17". */
    g_string_printf (text, _("The file has %s. Nothing was imported: correct these lines "
                             "and import the file again."), joined);
  }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Importing. */

static void
json_append_string (GString    *json,
                    const char *text)
{
  g_string_append_c (json, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (json, "\\%c", c);
      else if (c < 0x20)
        g_string_append_printf (json, "\\u%04x", c);
      else
        g_string_append_c (json, (char) c);
    }
  g_string_append_c (json, '"');
}

/* Adds "field": previous value of @record to @json (an object being
 * built, without its closing brace). */
static void
json_append_previous (GString      *json,
                      TandemRecord *record,
                      const char   *field)
{
  const TandemTableSpec *spec = tandem_record_get_spec (record);
  int index = tandem_table_spec_field_index (spec, field);

  g_string_append_c (json, json->len == 0 ? '{' : ',');
  json_append_string (json, field);
  g_string_append_c (json, ':');

  if (tandem_record_field_is_null (record, (guint) index))
    g_string_append (json, "null");
  else if (spec->fields[index].type == TANDEM_FIELD_INT ||
           spec->fields[index].type == TANDEM_FIELD_BOOL)
    g_string_append_printf (json, "%" G_GINT64_FORMAT, tandem_record_get_int (record, field));
  else
    json_append_string (json, tandem_record_get_text (record, field));
}

/* At most this many ids of rows an import created share one row of
 * import_created. */
#define CREATED_IDS_PER_ROW 1000

/* The ids of the rows of one table an import created, not yet logged. */
typedef struct
{
  const char *table;
  GString    *ids;     /* separated by newlines */
  guint       n_ids;
} CreatedRows;

typedef struct
{
  TandemCsvImport       *self;
  TandemStore           *store;
  char                  *import_id;
  gint64                 now;
  /* Lower-cased company name or domain -> company id. */
  GHashTable            *companies_by_name;
  GHashTable            *companies_by_domain;
  /* Company id -> GString of the previous values of the fields this import
   * filled in on companies that existed before it. */
  GHashTable            *company_changes;
  /* The ids of the companies this import created or filled in. */
  GHashTable            *created_companies;
  CreatedRows            created_leads;
  CreatedRows            new_companies;
  TandemCsvImportResult *result;
  GString               *buffer;
} ImportRun;

static void
free_string (gpointer string)
{
  g_string_free (string, TRUE);
}

static gboolean
log_import_row (ImportRun   *run,
                const char  *table,
                const char  *row_id,
                const char  *action,
                const char  *previous,
                GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = tandem_store_prepare_cached (run->store,
                                      "INSERT INTO import_rows (import_id, tbl, row_id, action,"
                                      " previous) VALUES (?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, run->import_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, table, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, row_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, action, -1, SQLITE_STATIC);
  if (previous != NULL)
    sqlite3_bind_text (stmt, 5, previous, -1, SQLITE_TRANSIENT);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      return tandem_store_set_sql_error (run->store, error);
    }

  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
flush_created_rows (ImportRun    *run,
                    CreatedRows  *rows,
                    GError      **error)
{
  sqlite3_stmt *stmt;

  if (rows->n_ids == 0)
    return TRUE;

  stmt = tandem_store_prepare_cached (run->store,
                                      "INSERT INTO import_created (import_id, tbl, row_ids)"
                                      " VALUES (?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, run->import_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, rows->table, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, rows->ids->str, rows->ids->len, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      return tandem_store_set_sql_error (run->store, error);
    }

  sqlite3_reset (stmt);
  g_string_truncate (rows->ids, 0);
  rows->n_ids = 0;
  return TRUE;
}

/* Notes a row the import created, for undo. */
static gboolean
log_created_row (ImportRun    *run,
                 CreatedRows  *rows,
                 const char   *row_id,
                 GError      **error)
{
  if (rows->n_ids > 0)
    g_string_append_c (rows->ids, '\n');
  g_string_append (rows->ids, row_id);

  if (++rows->n_ids < CREATED_IDS_PER_ROW)
    return TRUE;

  return flush_created_rows (run, rows, error);
}

static gboolean
load_companies (ImportRun  *run,
                GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = tandem_store_prepare_cached (run->store,
                                      "SELECT id, name, domain FROM companies WHERE deleted = 0"
                                      " ORDER BY rowid", error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      const char *name = (const char *) sqlite3_column_text (stmt, 1);
      const char *domain = (const char *) sqlite3_column_text (stmt, 2);

      /* The oldest company of a name wins, as it does for the user who
       * sees them listed. */
      if (name != NULL && *name != '\0')
        {
          char *key = g_utf8_casefold (name, -1);

          if (!g_hash_table_contains (run->companies_by_name, key))
            g_hash_table_insert (run->companies_by_name, key, g_strdup (id));
          else
            g_free (key);
        }
      if (domain != NULL && *domain != '\0')
        {
          char *key = g_ascii_strdown (domain, -1);

          if (!g_hash_table_contains (run->companies_by_domain, key))
            g_hash_table_insert (run->companies_by_domain, key, g_strdup (id));
          else
            g_free (key);
        }
    }

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return tandem_store_set_sql_error (run->store, error);

  return TRUE;
}

/* "https://www.Example.com/about" -> "example.com". */
static char *
domain_from_website (const char *website)
{
  const char *start = website;
  const char *end;
  g_autofree char *host = NULL;

  if (website == NULL)
    return NULL;

  if (strstr (start, "://") != NULL)
    start = strstr (start, "://") + 3;
  end = start + strcspn (start, "/?#:");
  host = g_ascii_strdown (start, end - start);
  if (g_str_has_prefix (host, "www."))
    return g_strdup (host + 4);

  return *host != '\0' && strchr (host, '.') != NULL ? g_steal_pointer (&host) : NULL;
}

/* The values of one row, trimmed; NULL where blank or not mapped. */
typedef struct
{
  char *values[TANDEM_CSV_N_FIELDS];
} RowValues;

static void
row_values_clear (RowValues *values)
{
  for (guint i = 0; i < TANDEM_CSV_N_FIELDS; i++)
    g_clear_pointer (&values->values[i], g_free);
}

/* Later rows of the same email address override the values they have. */
static void
row_values_overlay (ImportRun *run,
                    RowValues *values,
                    guint      row)
{
  for (guint field = 1; field < TANDEM_CSV_N_FIELDS; field++)
    {
      const char *value = row_value (run->self, row, field, run->buffer);

      /* The address a lead is known by stays as its first row wrote it. */
      if (value != NULL &&
          (field != TANDEM_CSV_FIELD_EMAIL || values->values[field] == NULL))
        {
          g_free (values->values[field]);
          values->values[field] = g_strdup (value);
        }
    }
}

/* Sets a company field the import knows, on a new company, or on an
 * existing one only where it is empty: an import adds what is missing but
 * does not overwrite what someone entered. An empty number of employees
 * stays empty on existing companies, because undo could not make it empty
 * again. */
static void
fill_company (ImportRun     *run,
              TandemCompany *company,
              gboolean       created,
              const char    *field,
              const char    *value)
{
  TandemRecord *record = TANDEM_RECORD (company);
  const char *id = tandem_record_get_id (record);
  GString *previous;

  if (value == NULL)
    return;

  if (g_str_equal (field, "employees"))
    {
      gint64 employees = 0;

      if (!created || !parse_employees (value, &employees))
        return;
      tandem_record_set_int (record, field, employees);
      return;
    }

  if (!created)
    {
      const char *current = tandem_record_get_text (record, field);

      if (current != NULL && *current != '\0')
        return;

      previous = g_hash_table_lookup (run->company_changes, id);
      if (previous == NULL)
        {
          previous = g_string_new (NULL);
          g_hash_table_insert (run->company_changes, g_strdup (id), previous);
        }
      json_append_previous (previous, record, field);
    }

  tandem_record_set_text (record, field, value);
}

/* Finds the company a row names (by name, then by its website's domain) or
 * creates it, and fills in what the row says about it. Returns its id, or
 * NULL when the row names no company. */
static char *
resolve_company (ImportRun  *run,
                 RowValues  *row,
                 GError    **error)
{
  const char *name = row->values[TANDEM_CSV_FIELD_COMPANY];
  g_autofree char *domain = domain_from_website (row->values[TANDEM_CSV_FIELD_WEBSITE]);
  g_autofree char *name_key = name != NULL ? g_utf8_casefold (name, -1) : NULL;
  g_autoptr(TandemCompany) company = NULL;
  const char *id = NULL;
  gboolean created = FALSE;

  if (name_key != NULL)
    id = g_hash_table_lookup (run->companies_by_name, name_key);
  if (id == NULL && domain != NULL)
    id = g_hash_table_lookup (run->companies_by_domain, domain);

  if (id == NULL && name == NULL && domain == NULL)
    return NULL;

  /* A company this import has met already was filled in by the first row
   * that named it: reading it again for every lead of a large company
   * would cost more than the rest of the import. */
  if (id != NULL && g_hash_table_contains (run->created_companies, id))
    return g_strdup (id);

  if (id != NULL)
    {
      company = tandem_store_get (run->store, TANDEM_TYPE_COMPANY, id, error);
      if (company == NULL)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_NOT_FOUND,
                         _("A company changed while the file was imported; import it again."));
          return NULL;
        }
      created = FALSE;
    }
  else
    {
      company = tandem_company_new ();
      created = TRUE;
      tandem_record_set_text (TANDEM_RECORD (company), "name", name != NULL ? name : domain);
      tandem_record_set_int (TANDEM_RECORD (company), "created_at", run->now);
    }

  fill_company (run, company, created, "domain", domain);
  fill_company (run, company, created, "website", row->values[TANDEM_CSV_FIELD_WEBSITE]);
  fill_company (run, company, created, "industry", row->values[TANDEM_CSV_FIELD_INDUSTRY]);
  fill_company (run, company, created, "employees", row->values[TANDEM_CSV_FIELD_EMPLOYEES]);
  fill_company (run, company, created, "country", row->values[TANDEM_CSV_FIELD_COUNTRY]);
  fill_company (run, company, created, "region", row->values[TANDEM_CSV_FIELD_REGION]);

  if (id == NULL)
    {
      const char *new_id = tandem_record_get_id (TANDEM_RECORD (company));

      if (!tandem_store_save (run->store, TANDEM_RECORD (company), error) ||
          !log_created_row (run, &run->new_companies, new_id, error))
        return NULL;

      run->result->companies_created++;
      g_hash_table_add (run->created_companies, g_strdup (new_id));
      if (name_key != NULL)
        g_hash_table_insert (run->companies_by_name, g_strdup (name_key), g_strdup (new_id));
      if (domain != NULL && !g_hash_table_contains (run->companies_by_domain, domain))
        g_hash_table_insert (run->companies_by_domain, g_strdup (domain), g_strdup (new_id));
      return g_strdup (new_id);
    }

  if (!tandem_store_save (run->store, TANDEM_RECORD (company), error))
    return NULL;

  g_hash_table_add (run->created_companies, g_strdup (id));
  return g_strdup (id);
}

/* Sets @field of @lead to @value, remembering the value it replaces when
 * the lead existed before the import. */
static void
set_lead_text (TandemLead  *lead,
               GString     *previous,
               const char  *field,
               const char  *value)
{
  TandemRecord *record = TANDEM_RECORD (lead);

  if (value == NULL || g_strcmp0 (tandem_record_get_text (record, field), value) == 0)
    return;

  if (previous != NULL)
    json_append_previous (previous, record, field);
  tandem_record_set_text (record, field, value);
}

static const char *
row_stage (RowValues *row)
{
  const char *value = row->values[TANDEM_CSV_FIELD_LIFECYCLE_STAGE];

  if (value != NULL)
    return tandem_csv_map_lifecycle_stage (value);

  value = row->values[TANDEM_CSV_FIELD_LEAD_STATUS];
  if (value != NULL)
    return stage_for_lead_status (value);

  return NULL;
}

static gboolean
import_lead (ImportRun   *run,
             RowValues   *row,
             const char  *existing_id,
             GError     **error)
{
  g_autoptr(TandemLead) lead = NULL;
  g_autoptr(GString) previous = NULL;
  g_autofree char *company_id = NULL;
  const char *stage = row_stage (row);
  GError *local_error = NULL;
  TandemRecord *record;

  if (existing_id != NULL)
    {
      lead = tandem_store_get (run->store, TANDEM_TYPE_LEAD, existing_id, &local_error);
      if (lead == NULL)
        {
          if (local_error == NULL)
            local_error = g_error_new (TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_NOT_FOUND,
                                       _("A lead changed while the file was imported; "
                                         "import it again."));
          g_propagate_error (error, local_error);
          return FALSE;
        }
      previous = g_string_new (NULL);
    }
  else
    {
      lead = tandem_lead_new ();
      tandem_record_set_text (TANDEM_RECORD (lead), "email", row->values[TANDEM_CSV_FIELD_EMAIL]);
      tandem_record_set_int (TANDEM_RECORD (lead), "created_at", run->now);
      tandem_record_set_int (TANDEM_RECORD (lead), "stage_entered_at", run->now);
    }
  record = TANDEM_RECORD (lead);

  company_id = resolve_company (run, row, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  set_lead_text (lead, previous, "first_name", row->values[TANDEM_CSV_FIELD_FIRST_NAME]);
  set_lead_text (lead, previous, "last_name", row->values[TANDEM_CSV_FIELD_LAST_NAME]);
  set_lead_text (lead, previous, "job_title", row->values[TANDEM_CSV_FIELD_JOB_TITLE]);
  set_lead_text (lead, previous, "phone", row->values[TANDEM_CSV_FIELD_PHONE]);
  set_lead_text (lead, previous, "source", row->values[TANDEM_CSV_FIELD_SOURCE]);
  set_lead_text (lead, previous, "company_id", company_id);

  if (stage != NULL && g_strcmp0 (tandem_record_get_text (record, "stage"), stage) != 0)
    {
      if (previous != NULL)
        json_append_previous (previous, record, "stage_entered_at");
      set_lead_text (lead, previous, "stage", stage);
      tandem_record_set_int (record, "stage_entered_at", run->now);
    }

  if (existing_id != NULL && !tandem_record_has_changes (record))
    return TRUE;

  if (!tandem_store_save (run->store, record, error))
    return FALSE;

  g_ptr_array_add (run->result->lead_ids, g_strdup (tandem_record_get_id (record)));

  if (previous != NULL)
    {
      g_string_append_c (previous, '}');
      return log_import_row (run, "leads", existing_id, "updated", previous->str, error);
    }

  return log_created_row (run, &run->created_leads, tandem_record_get_id (record), error);
}

static char *
find_lead_by_email (ImportRun   *run,
                    const char  *email,
                    GError     **error)
{
  sqlite3_stmt *stmt;
  char *id = NULL;
  int rc;

  stmt = tandem_store_prepare_cached (run->store,
                                      "SELECT id FROM leads WHERE email = ? COLLATE NOCASE"
                                      " AND deleted = 0 ORDER BY rowid LIMIT 1", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, email, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    tandem_store_set_sql_error (run->store, error);
  sqlite3_reset (stmt);

  return id;
}

/* Rows of one email address are grouped, so that the lead is written once
 * with the rows applied in file order. @next_row links each row to the
 * next of its address (G_MAXUINT after the last); @follower marks the rows
 * that are not the first of theirs. Returns the number of groups. */
static guint
group_rows (ImportRun *run,
            guint     *next_row,
            gboolean  *follower)
{
  TandemCsvImport *self = run->self;
  guint n_rows = tandem_csv_table_get_n_rows (self->table);
  g_autoptr(GHashTable) first_row = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree guint *last_row = g_new (guint, MAX (n_rows, 1));

  for (guint row = 0; row < n_rows; row++)
    {
      const char *email = row_value (self, row, TANDEM_CSV_FIELD_EMAIL, run->buffer);
      char *email_key = g_ascii_strdown (email, -1);
      gpointer head;

      next_row[row] = G_MAXUINT;
      if (g_hash_table_lookup_extended (first_row, email_key, NULL, &head))
        {
          guint first = GPOINTER_TO_UINT (head);

          next_row[last_row[first]] = row;
          last_row[first] = row;
          follower[row] = TRUE;
          g_free (email_key);
        }
      else
        {
          last_row[row] = row;
          g_hash_table_insert (first_row, email_key, GUINT_TO_POINTER (row));
        }
    }

  return g_hash_table_size (first_row);
}

static void
free_existing_ids (char  **ids,
                   guint   n_rows)
{
  for (guint row = 0; row < n_rows; row++)
    g_free (ids[row]);
  g_free (ids);
}

/* Adds the live leads of @company_id to @lead_ids: what is known about a
 * company counts towards its leads' fit. */
static gboolean
add_company_leads (TandemStore  *store,
                   const char   *company_id,
                   GPtrArray    *lead_ids,
                   GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = tandem_store_prepare_cached (store, "SELECT id FROM leads WHERE company_id = ?"
                                             " AND deleted = 0", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, company_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (lead_ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return tandem_store_set_sql_error (store, error);

  return TRUE;
}

static gboolean
import_all (ImportRun  *run,
            GError    **error)
{
  TandemCsvImport *self = run->self;
  sqlite3 *db = tandem_store_get_db (run->store);
  guint n_rows = tandem_csv_table_get_n_rows (self->table);
  g_autofree guint *next_row = g_new (guint, MAX (n_rows, 1));
  g_autofree gboolean *follower = g_new0 (gboolean, MAX (n_rows, 1));
  /* The lead each group's address already belongs to, by its first row. */
  char **existing_ids = g_new0 (char *, MAX (n_rows, 1));
  g_auto(GStrv) index_creates = NULL;
  gint64 leads_mark = 0;
  gint64 companies_mark = 0;
  guint n_groups;
  guint n_known = 0;
  GHashTableIter iter;
  gpointer key, value;
  gboolean ok = FALSE;

  n_groups = group_rows (run, next_row, follower);

  /* Every address is looked up before anything is written: the leads the
   * import creates have addresses no other group has, so they could never
   * be found, and the lookups are done while the email index exists. */
  for (guint row = 0; row < n_rows; row++)
    {
      GError *local_error = NULL;

      if (follower[row])
        continue;

      existing_ids[row] = find_lead_by_email (run, row_value (self, row, TANDEM_CSV_FIELD_EMAIL,
                                                                run->buffer), &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          goto out;
        }
      if (existing_ids[row] != NULL)
        n_known++;
    }

  /* The search indexes are filled once for all new rows at the end rather
   * than by a trigger per row, which for a large file takes longer than
   * everything else together; an import that more than doubles the leads
   * also builds their other indexes again rather than updating them. */
  if (!tandem_schema_pause_search (db, "leads", &leads_mark, error) ||
      !tandem_schema_pause_search (db, "companies", &companies_mark, error))
    goto out;
  if (n_groups - n_known > leads_mark &&
      (index_creates = tandem_schema_pause_indexes (db, "leads", error)) == NULL)
    goto out;

  for (guint row = 0; row < n_rows; row++)
    {
      const char *existing_id = existing_ids[row];
      RowValues values = { { NULL } };
      guint n_group = 1;
      gboolean written;

      if (follower[row])
        continue;

      row_values_overlay (run, &values, row);
      for (guint other = next_row[row]; other != G_MAXUINT; other = next_row[other])
        {
          n_group++;
          if (self->duplicates == TANDEM_CSV_DUPLICATES_UPDATE)
            row_values_overlay (run, &values, other);
        }

      if (existing_id != NULL && self->duplicates == TANDEM_CSV_DUPLICATES_SKIP)
        {
          run->result->skipped += n_group;
          row_values_clear (&values);
          continue;
        }

      written = import_lead (run, &values, existing_id, error);
      row_values_clear (&values);
      if (!written)
        goto out;

      if (existing_id != NULL)
        run->result->updated += n_group;
      else if (self->duplicates == TANDEM_CSV_DUPLICATES_UPDATE)
        {
          run->result->created++;
          run->result->updated += n_group - 1;
        }
      else
        {
          run->result->created++;
          run->result->skipped += n_group - 1;
        }
    }

  g_hash_table_iter_init (&iter, run->company_changes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GString *previous = value;

      g_string_append_c (previous, '}');
      if (!log_import_row (run, "companies", key, "updated", previous->str, error) ||
          !add_company_leads (run->store, key, run->result->lead_ids, error))
        goto out;
    }

  if (!flush_created_rows (run, &run->created_leads, error) ||
      !flush_created_rows (run, &run->new_companies, error))
    goto out;

  /* On failure the caller rolls back, which brings back what was set
   * aside as it was. */
  ok = (index_creates == NULL ||
        tandem_schema_resume_indexes (db, (const char * const *) index_creates, error)) &&
       tandem_schema_resume_search (db, "companies", companies_mark, error) &&
       tandem_schema_resume_search (db, "leads", leads_mark, error);

out:
  free_existing_ids (existing_ids, n_rows);
  return ok;
}

/* With the check of each write turned off for the import (see
 * tandem_store_defer_references()), its leads' references are checked
 * once before the commit: an import only ever names companies it found
 * or created. */
static gboolean
check_references (ImportRun  *run,
                  GError    **error)
{
  g_autofree char *column = NULL;
  g_autofree char *missing = NULL;

  if (!tandem_store_find_broken_reference (run->store, "leads", &column, &missing, error))
    return FALSE;

  if (missing != NULL)
    {
      g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_INVALID,
                   _("Nothing was imported: a lead would name a record that does not exist "
                     "(%s “%s”)."), column, missing);
      return FALSE;
    }

  return TRUE;
}

static gboolean
write_import_log (ImportRun   *run,
                  const char  *file_name,
                  gboolean     finished,
                  GError     **error)
{
  sqlite3_stmt *stmt;
  const char *sql;

  sql = finished
    ? "UPDATE imports SET created = ?2, updated = ?3, skipped = ?4 WHERE id = ?1"
    : "INSERT INTO imports (id, file_name, imported_at, member_id) VALUES (?1, ?5, ?6, ?7)";
  stmt = tandem_store_prepare_cached (run->store, sql, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, run->import_id, -1, SQLITE_STATIC);
  if (finished)
    {
      sqlite3_bind_int (stmt, 2, run->result->created);
      sqlite3_bind_int (stmt, 3, run->result->updated);
      sqlite3_bind_int (stmt, 4, run->result->skipped);
    }
  else
    {
      sqlite3_bind_text (stmt, 5, file_name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 6, run->now);
      sqlite3_bind_text (stmt, 7, tandem_store_get_current_member (run->store), -1,
                         SQLITE_TRANSIENT);
    }

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      return tandem_store_set_sql_error (run->store, error);
    }

  sqlite3_reset (stmt);
  return TRUE;
}

gboolean
tandem_csv_import_check (TandemCsvImport  *self,
                         GError          **error)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GArray) kinds = NULL;

  g_return_val_if_fail (TANDEM_IS_CSV_IMPORT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_mapping (self, error))
    return FALSE;

  problems = g_ptr_array_new_with_free_func ((GDestroyNotify) tandem_csv_problem_free);
  kinds = g_array_new (FALSE, FALSE, sizeof (ProblemKind));
  validate_rows (self, problems, kinds);
  if (problems->len > 0)
    {
      g_autofree char *summary = summarize_problems (problems, kinds);

      g_set_error_literal (error, TANDEM_CSV_ERROR, TANDEM_CSV_ERROR_ROWS, summary);
      return FALSE;
    }

  return TRUE;
}

gboolean
tandem_csv_import_run (TandemCsvImport        *self,
                       TandemStore            *store,
                       const char             *file_name,
                       TandemCsvImportResult  *result,
                       GError                **error)
{
  TandemCsvImportResult local_result = { NULL };
  ImportRun run = { NULL };
  gboolean references_deferred;
  gboolean ok;

  g_return_val_if_fail (TANDEM_IS_CSV_IMPORT (self), FALSE);
  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (result == NULL)
    result = &local_result;
  memset (result, 0, sizeof *result);

  if (!tandem_csv_import_check (self, error))
    return FALSE;

  result->lead_ids = g_ptr_array_new_with_free_func (g_free);

  run.self = self;
  run.store = store;
  run.import_id = g_uuid_string_random ();
  run.now = g_get_real_time () / 1000;
  run.companies_by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  run.companies_by_domain = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  run.company_changes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               free_string);
  run.created_companies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run.created_leads.table = "leads";
  run.created_leads.ids = g_string_new (NULL);
  run.new_companies.table = "companies";
  run.new_companies.ids = g_string_new (NULL);
  run.result = result;
  run.buffer = g_string_new (NULL);

  /* A large import is one transaction, whose dirty pages would spill from
   * SQLite's default cache and be read back many times over. */
  tandem_store_enter_bulk (store);
  references_deferred = tandem_store_defer_references (store);

  ok = tandem_store_begin (store, error);
  if (ok)
    {
      ok = write_import_log (&run, file_name, FALSE, error) &&
           load_companies (&run, error) &&
           import_all (&run, error) &&
           (!references_deferred || check_references (&run, error)) &&
           write_import_log (&run, file_name, TRUE, error);

      if (ok)
        ok = tandem_store_commit (store, error);
      else
        tandem_store_rollback (store);
    }

  if (references_deferred)
    tandem_store_restore_references (store);
  tandem_store_leave_bulk (store);

  if (ok)
    result->import_id = g_strdup (run.import_id);
  else
    tandem_csv_import_result_clear (result);

  g_free (run.import_id);
  g_hash_table_unref (run.companies_by_name);
  g_hash_table_unref (run.companies_by_domain);
  g_hash_table_unref (run.company_changes);
  g_hash_table_unref (run.created_companies);
  g_string_free (run.created_leads.ids, TRUE);
  g_string_free (run.new_companies.ids, TRUE);
  g_string_free (run.buffer, TRUE);
  tandem_csv_import_result_clear (&local_result);

  return ok;
}

/* Undo. */

static gboolean
restore_previous (TandemStore  *store,
                  GType         type,
                  const char   *id,
                  const char   *previous,
                  GError      **error)
{
  g_autoptr(TandemRecord) record = NULL;
  const TandemTableSpec *spec;
  sqlite3_stmt *stmt;
  int rc;

  record = tandem_store_get (store, type, id, error);
  if (record == NULL)
    /* Deleted since the import: there is nothing to give values back to. */
    return error == NULL || *error == NULL;

  spec = tandem_record_get_spec (record);
  stmt = tandem_store_prepare_cached (store, "SELECT key, value FROM json_each(?)", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, previous, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *field = (const char *) sqlite3_column_text (stmt, 0);
      int index = field != NULL ? tandem_table_spec_field_index (spec, field) : -1;
      gboolean is_null = sqlite3_column_type (stmt, 1) == SQLITE_NULL;

      if (index < 0 || spec->fields[index].derived)
        continue;

      switch (spec->fields[index].type)
        {
        case TANDEM_FIELD_INT:
        case TANDEM_FIELD_BOOL:
          /* A number cannot be made empty again through a record; such
           * fields keep the imported value (only stage_entered_at of a
           * lead that had none). */
          if (!is_null)
            tandem_record_set_int (record, field, sqlite3_column_int64 (stmt, 1));
          break;
        case TANDEM_FIELD_TEXT:
        case TANDEM_FIELD_REF:
        case TANDEM_FIELD_LIST:
        default:
          tandem_record_set_text (record, field,
                                  is_null ? NULL : (const char *) sqlite3_column_text (stmt, 1));
          break;
        }
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return tandem_store_set_sql_error (store, error);

  return tandem_store_save (store, record, error);
}

/* Undoes in one transaction, which a large import makes long: see
 * tandem_store_enter_bulk(). */
static gboolean
undo_last_import (TandemStore            *store,
                  TandemCsvImportResult  *undone,
                  GError                **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *import_id = NULL;
  gint64 leads_mark = 0;
  gint64 companies_mark = 0;
  sqlite3_stmt *stmt;
  int rc;

  if (!tandem_store_begin (store, error))
    return FALSE;

  stmt = tandem_store_prepare_cached (store,
                                      "SELECT id FROM imports WHERE undone_at IS NULL"
                                      " ORDER BY imported_at DESC, rowid DESC LIMIT 1", error);
  if (stmt == NULL)
    goto failed;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    import_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  if (import_id == NULL)
    {
      g_set_error (error, TANDEM_CSV_ERROR, TANDEM_CSV_ERROR_NOTHING_TO_UNDO,
                   _("There is no import to undo: the last import was undone already, or "
                     "nothing was imported into this workspace."));
      goto failed;
    }

  /* The rows are read first and changed after: first those the import
   * changed, newest first, then those it created. */
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  stmt = tandem_store_prepare_cached (store,
                                      "SELECT tbl, row_id, action, coalesce(previous, '{}')"
                                      " FROM import_rows WHERE import_id = ? ORDER BY rowid DESC",
                                      error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, import_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      char **row = g_new0 (char *, 5);

      for (int i = 0; i < 4; i++)
        row[i] = g_strdup ((const char *) sqlite3_column_text (stmt, i));
      g_ptr_array_add (rows, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (store, error);
      goto failed;
    }

  /* Then the rows it created, leads first, newest first; imports made
   * before schema 4 listed them in import_rows. */
  stmt = tandem_store_prepare_cached (store,
                                      "SELECT tbl, row_ids FROM import_created WHERE import_id = ?"
                                      " ORDER BY tbl = 'companies', rowid DESC", error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_text (stmt, 1, import_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *table = (const char *) sqlite3_column_text (stmt, 0);
      g_auto(GStrv) ids = g_strsplit ((const char *) sqlite3_column_text (stmt, 1), "\n", -1);

      for (guint j = g_strv_length (ids); j > 0; j--)
        {
          char **row = g_new0 (char *, 5);

          row[0] = g_strdup (table);
          row[1] = g_strdup (ids[j - 1]);
          row[2] = g_strdup ("created");
          row[3] = g_strdup ("{}");
          g_ptr_array_add (rows, row);
        }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (store, error);
      goto failed;
    }

  /* As for the import, the search index is brought up to date once at the
   * end rather than by a trigger per tombstone. */
  if (!tandem_schema_pause_search (tandem_store_get_db (store), "leads", &leads_mark, error) ||
      !tandem_schema_pause_search (tandem_store_get_db (store), "companies", &companies_mark,
                                   error))
    goto failed;

  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);
      gboolean is_lead = g_str_equal (row[0], "leads");
      GType type = is_lead ? TANDEM_TYPE_LEAD : TANDEM_TYPE_COMPANY;

      if (g_str_equal (row[2], "created"))
        {
          g_autoptr(TandemRecord) record = tandem_store_get (store, type, row[1], NULL);

          if (record != NULL && !tandem_store_delete (store, record, error))
            goto failed;
          if (is_lead)
            undone->created++;
        }
      else
        {
          if (!restore_previous (store, type, row[1], row[3], error))
            goto failed;
          if (is_lead)
            {
              undone->updated++;
              g_ptr_array_add (undone->lead_ids, g_strdup (row[1]));
            }
          else if (!add_company_leads (store, row[1], undone->lead_ids, error))
            goto failed;
        }
    }

  if (!tandem_schema_resume_search (tandem_store_get_db (store), "companies", companies_mark,
                                    error) ||
      !tandem_schema_resume_search (tandem_store_get_db (store), "leads", leads_mark, error))
    goto failed;

  stmt = tandem_store_prepare_cached (store, "UPDATE imports SET undone_at = ? WHERE id = ?",
                                      error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time () / 1000);
  sqlite3_bind_text (stmt, 2, import_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (store, error);
      goto failed;
    }

  if (!tandem_store_commit (store, error))
    return FALSE;

  undone->import_id = g_steal_pointer (&import_id);
  return TRUE;

failed:
  tandem_store_rollback (store);
  return FALSE;
}

gboolean
tandem_csv_undo_last_import (TandemStore            *store,
                             TandemCsvImportResult  *undone,
                             GError                **error)
{
  TandemCsvImportResult local_result = { NULL };
  gboolean ok;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (undone == NULL)
    undone = &local_result;
  memset (undone, 0, sizeof *undone);
  undone->lead_ids = g_ptr_array_new_with_free_func (g_free);

  tandem_store_enter_bulk (store);
  ok = undo_last_import (store, undone, error);
  tandem_store_leave_bulk (store);

  if (!ok)
    tandem_csv_import_result_clear (undone);
  tandem_csv_import_result_clear (&local_result);
  return ok;
}

/* Export. */

static void
append_csv_value (GString    *out,
                  const char *value)
{
  if (value == NULL)
    return;

  /* Quotes only where needed, so files stay readable; a value with
   * leading or trailing spaces is quoted too, since importers trim. */
  if (value[strcspn (value, ",;\"\r\n")] == '\0' && !g_ascii_isspace (value[0]) &&
      (value[0] == '\0' || !g_ascii_isspace (value[strlen (value) - 1])))
    {
      g_string_append (out, value);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

gboolean
tandem_csv_export_leads (TandemStore      *store,
                         TandemLeadQuery  *query,
                         const char       *path,
                         guint            *n_written,
                         GError          **error)
{
  /* The exported fields, in column order: the importer's fields, except
   * Lead Status, which Tandem does not keep apart from the stage. */
  static const TandemCsvField columns[] = {
    TANDEM_CSV_FIELD_FIRST_NAME, TANDEM_CSV_FIELD_LAST_NAME, TANDEM_CSV_FIELD_EMAIL,
    TANDEM_CSV_FIELD_COMPANY, TANDEM_CSV_FIELD_JOB_TITLE, TANDEM_CSV_FIELD_PHONE,
    TANDEM_CSV_FIELD_LIFECYCLE_STAGE, TANDEM_CSV_FIELD_INDUSTRY, TANDEM_CSV_FIELD_EMPLOYEES,
    TANDEM_CSV_FIELD_COUNTRY, TANDEM_CSV_FIELD_REGION, TANDEM_CSV_FIELD_WEBSITE,
    TANDEM_CSV_FIELD_SOURCE,
  };
  g_autoptr(TandemLeadQuery) default_query = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GString) out = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (query == NULL || TANDEM_IS_LEAD_QUERY (query), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (query == NULL)
    query = default_query = tandem_lead_query_new ();

  ids = tandem_lead_query_run (query, store, 0, error);
  if (ids == NULL)
    return FALSE;

  stmt = tandem_store_prepare_cached (store,
                                      "SELECT l.first_name, l.last_name, l.email, c.name,"
                                      " l.job_title, l.phone, l.stage, c.industry, c.employees,"
                                      " c.country, c.region, c.website, l.source"
                                      " FROM leads AS l LEFT JOIN companies AS c"
                                      " ON c.id = l.company_id AND c.deleted = 0"
                                      " WHERE l.id = ?", error);
  if (stmt == NULL)
    return FALSE;

  out = g_string_sized_new (128 + ids->len * 160);
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_csv_value (out, field_infos[columns[i]].header);
    }
  g_string_append (out, "\r\n");

  for (guint i = 0; i < ids->len; i++)
    {
      sqlite3_bind_text (stmt, 1, g_ptr_array_index (ids, i), -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          for (int column = 0; column < (int) G_N_ELEMENTS (columns); column++)
            {
              if (column > 0)
                g_string_append_c (out, ',');
              append_csv_value (out, (const char *) sqlite3_column_text (stmt, column));
            }
          g_string_append (out, "\r\n");
        }
      sqlite3_reset (stmt);
    }
  sqlite3_clear_bindings (stmt);

  if (!g_file_set_contents_full (path, out->str, out->len, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0644, error))
    return FALSE;

  if (n_written != NULL)
    *n_written = ids->len;

  return TRUE;
}
