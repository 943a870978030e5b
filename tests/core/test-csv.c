/* test-csv.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "core-test-utils.h"
#include "tandem-csv.h"
#include "tandem-store-private.h"
#include "tandem-lead-query.h"
#include "tandem-scoring.h"

typedef TandemTestWorkspace Fixture;

static TandemCsvTable *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  TandemCsvTable *table = tandem_csv_table_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (table);
  return table;
}

static TandemCsvImport *
make_import (const char          *text,
             TandemCsvDuplicates  duplicates)
{
  TandemCsvImport *import = tandem_csv_import_new (parse (text));

  tandem_csv_import_set_duplicates (import, duplicates);
  return import;
}

static void
import_ok (TandemStore           *store,
           const char            *text,
           TandemCsvDuplicates    duplicates,
           TandemCsvImportResult *result)
{
  g_autoptr(TandemCsvImport) import = make_import (text, duplicates);
  g_autoptr(GError) error = NULL;

  g_assert_true (tandem_csv_import_run (import, store, "test.csv", result, &error));
  g_assert_no_error (error);
}

static TandemLead *
lead_by_email (TandemStore *store,
               const char  *email)
{
  g_autoptr(GPtrArray) leads = tandem_store_list (store, TANDEM_TYPE_LEAD, NULL);

  for (guint i = 0; i < leads->len; i++)
    {
      TandemRecord *lead = g_ptr_array_index (leads, i);

      if (g_ascii_strcasecmp (tandem_record_get_text (lead, "email"), email) == 0)
        return g_object_ref (TANDEM_LEAD (lead));
    }

  return NULL;
}

static void
test_parse_basic (void)
{
  g_autoptr(TandemCsvTable) table =
    parse ("\xEF\xBB\xBF" "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n"
           "2,\"two\nlines\",3\n,,\n  \n4,5");

  g_assert_cmpint (tandem_csv_table_get_separator (table), ==, ',');
  g_assert_cmpuint (tandem_csv_table_get_n_columns (table), ==, 3);
  g_assert_cmpstr (tandem_csv_table_get_header (table, 0), ==, "a");
  g_assert_cmpuint (tandem_csv_table_get_n_rows (table), ==, 3);
  g_assert_cmpstr (tandem_csv_table_get_cell (table, 0, 1), ==, "x, y");
  g_assert_cmpstr (tandem_csv_table_get_cell (table, 0, 2), ==, "say \"hi\"");
  g_assert_cmpstr (tandem_csv_table_get_cell (table, 1, 1), ==, "two\nlines");
  g_assert_cmpuint (tandem_csv_table_get_line (table, 0), ==, 2);
  g_assert_cmpuint (tandem_csv_table_get_line (table, 1), ==, 4);
  /* After a value spanning two lines and two blank lines. */
  g_assert_cmpuint (tandem_csv_table_get_line (table, 2), ==, 8);
  g_assert_cmpuint (tandem_csv_table_get_row_length (table, 2), ==, 2);
  g_assert_cmpstr (tandem_csv_table_get_cell (table, 2, 2), ==, "");
}

static void
test_parse_semicolon (void)
{
  g_autoptr(TandemCsvTable) table = parse ("Name;Email;Note\nA;a@x.io;\"1,5; or 2\"\n");

  g_assert_cmpint (tandem_csv_table_get_separator (table), ==, ';');
  g_assert_cmpuint (tandem_csv_table_get_n_rows (table), ==, 1);
  g_assert_cmpstr (tandem_csv_table_get_cell (table, 0, 2), ==, "1,5; or 2");
}

static void
test_parse_errors (void)
{
  g_autoptr(GError) error = NULL;
  const char unterminated[] = "a,b\n1,2\n3,\"open\nstill\n";
  const char invalid[] = "a,b\n1,2\n3,\xff\xfe\n";

  g_assert_null (tandem_csv_table_parse (unterminated, strlen (unterminated), &error));
  g_assert_error (error, TANDEM_CSV_ERROR, TANDEM_CSV_ERROR_SYNTAX);
  g_assert_nonnull (strstr (error->message, "line 3"));
  g_clear_error (&error);

  g_assert_null (tandem_csv_table_parse (invalid, strlen (invalid), &error));
  g_assert_error (error, TANDEM_CSV_ERROR, TANDEM_CSV_ERROR_ENCODING);
  g_assert_nonnull (strstr (error->message, "Line 3"));
  g_clear_error (&error);

  g_assert_null (tandem_csv_table_parse ("\n\n", 2, &error));
  g_assert_error (error, TANDEM_CSV_ERROR, TANDEM_CSV_ERROR_EMPTY);
}

static void
test_headers (void)
{
  static const struct { const char *header; TandemCsvField field; } cases[] = {
    { "First Name", TANDEM_CSV_FIELD_FIRST_NAME }, { "last name", TANDEM_CSV_FIELD_LAST_NAME },
    { "Email", TANDEM_CSV_FIELD_EMAIL }, { "E-mail Address", TANDEM_CSV_FIELD_EMAIL },
    { "Company Name", TANDEM_CSV_FIELD_COMPANY }, { "COMPANY", TANDEM_CSV_FIELD_COMPANY },
    { "Job Title", TANDEM_CSV_FIELD_JOB_TITLE }, { "Title", TANDEM_CSV_FIELD_JOB_TITLE },
    { "Phone Number", TANDEM_CSV_FIELD_PHONE }, { "Phone", TANDEM_CSV_FIELD_PHONE },
    { "Lifecycle Stage", TANDEM_CSV_FIELD_LIFECYCLE_STAGE },
    { "Lead Status", TANDEM_CSV_FIELD_LEAD_STATUS }, { "Industry", TANDEM_CSV_FIELD_INDUSTRY },
    { "Number of Employees", TANDEM_CSV_FIELD_EMPLOYEES },
    { "Company Size", TANDEM_CSV_FIELD_EMPLOYEES }, { "Employees", TANDEM_CSV_FIELD_EMPLOYEES },
    { "Country", TANDEM_CSV_FIELD_COUNTRY }, { "Region", TANDEM_CSV_FIELD_REGION },
    { "Website", TANDEM_CSV_FIELD_WEBSITE }, { "Lead Source", TANDEM_CSV_FIELD_SOURCE },
    { "Source", TANDEM_CSV_FIELD_SOURCE }, { "Favourite colour", TANDEM_CSV_FIELD_NONE },
  };
  g_autoptr(TandemCsvImport) import = NULL;
  g_autoptr(GPtrArray) preview = NULL;
  char **row;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (tandem_csv_field_for_header (cases[i].header), ==, cases[i].field);

  import = make_import ("Email Address,Email,Notes\n a@x.io ,b@x.io,hello\n",
                        TANDEM_CSV_DUPLICATES_UPDATE);
  /* The first email column wins; the mapping can be changed. */
  g_assert_cmpint (tandem_csv_import_get_mapping (import, 0), ==, TANDEM_CSV_FIELD_EMAIL);
  g_assert_cmpint (tandem_csv_import_get_mapping (import, 1), ==, TANDEM_CSV_FIELD_NONE);
  preview = tandem_csv_import_preview (import, 10);
  g_assert_cmpuint (preview->len, ==, 1);
  row = g_ptr_array_index (preview, 0);
  g_assert_cmpstr (row[TANDEM_CSV_FIELD_EMAIL], ==, "a@x.io");
  g_assert_null (row[TANDEM_CSV_FIELD_JOB_TITLE]);
  g_clear_pointer (&preview, g_ptr_array_unref);

  tandem_csv_import_set_mapping (import, 1, TANDEM_CSV_FIELD_EMAIL);
  tandem_csv_import_set_mapping (import, 2, TANDEM_CSV_FIELD_JOB_TITLE);
  g_assert_cmpint (tandem_csv_import_get_mapping (import, 0), ==, TANDEM_CSV_FIELD_NONE);
  preview = tandem_csv_import_preview (import, 10);
  row = g_ptr_array_index (preview, 0);
  g_assert_cmpstr (row[TANDEM_CSV_FIELD_EMAIL], ==, "b@x.io");
  g_assert_cmpstr (row[TANDEM_CSV_FIELD_JOB_TITLE], ==, "hello");
}

static void
test_stage_mapping (void)
{
  g_assert_cmpstr (tandem_csv_map_lifecycle_stage ("subscriber"), ==, "lead");
  g_assert_cmpstr (tandem_csv_map_lifecycle_stage ("marketingqualifiedlead"), ==, "mql");
  g_assert_cmpstr (tandem_csv_map_lifecycle_stage ("Sales Qualified Lead"), ==, "sql");
  g_assert_cmpstr (tandem_csv_map_lifecycle_stage ("Opportunity"), ==, "opportunity");
  g_assert_cmpstr (tandem_csv_map_lifecycle_stage ("customer"), ==, "customer");
  g_assert_cmpstr (tandem_csv_map_lifecycle_stage ("nurture"), ==, "nurture");
  g_assert_null (tandem_csv_map_lifecycle_stage ("friend"));
}

static void
test_errors_write_nothing (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(TandemCsvImport) import = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  gint64 changes, leads;

  g_clear_object (&fixture->store);
  fixture->store = tandem_test_open_store (fixture->dir);
  changes = tandem_test_query_int (fixture->path, "SELECT count(*) FROM change_log");
  leads = tandem_test_query_int (fixture->path, "SELECT count(*) FROM leads");

  import = make_import ("Email,Lifecycle Stage,Employees\n"
                        "ok@x.io,lead,10\n"
                        "not-an-address,lead,\n"
                        ",mql,\n"
                        "c@x.io,friend,\n"
                        "d@x.io,,many\n"
                        ",,5\n", TANDEM_CSV_DUPLICATES_UPDATE);
  problems = tandem_csv_import_validate (import, fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 5);
  g_assert_cmpuint (((TandemCsvProblem *) g_ptr_array_index (problems, 0))->line, ==, 3);
  g_assert_cmpuint (((TandemCsvProblem *) g_ptr_array_index (problems, 4))->line, ==, 7);

  g_assert_false (tandem_csv_import_run (import, fixture->store, "bad.csv", NULL, &error));
  g_assert_error (error, TANDEM_CSV_ERROR, TANDEM_CSV_ERROR_ROWS);
  g_assert_nonnull (strstr (error->message, "2 rows without an email address: lines 4, 7"));
  g_clear_error (&error);

  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT count(*) FROM change_log"), ==,
                   changes);
  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT count(*) FROM leads"), ==, leads);
  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT count(*) FROM imports"), ==, 0);

  g_clear_object (&import);
  import = make_import ("Name,Phone\nA,1\n", TANDEM_CSV_DUPLICATES_UPDATE);
  g_assert_false (tandem_csv_import_run (import, fixture->store, "bad.csv", NULL, &error));
  g_assert_error (error, TANDEM_CSV_ERROR, TANDEM_CSV_ERROR_MAPPING);
}

static const char first_file[] =
  "First Name,Last Name,Email,Company Name,Job Title,Lifecycle Stage,Number of Employees,"
  "Website,Industry\n"
  "Ada,Lovelace,ada@engines.io,Analytical Engines,CTO,marketingqualifiedlead,\"1,000\","
  "https://www.engines.io,Software\n"
  "Grace,Hopper,grace@navy.mil,Navy,,salesqualifiedlead,51-200,,\n"
  "Alan,Turing,alan@bletchley.uk,analytical engines,,subscriber,,,\n";

static void
test_import_and_dedupe (Fixture       *fixture,
                        gconstpointer  data)
{
  TandemCsvImportResult result = { NULL };
  g_autoptr(TandemLead) ada = NULL;
  g_autoptr(TandemLead) grace = NULL;
  g_autoptr(TandemRecord) company = NULL;
  gint64 n_leads = tandem_store_count (fixture->store, "leads");

  import_ok (fixture->store, first_file, TANDEM_CSV_DUPLICATES_UPDATE, &result);
  g_assert_cmpuint (result.created, ==, 3);
  g_assert_cmpuint (result.updated, ==, 0);
  g_assert_cmpuint (result.companies_created, ==, 2);
  tandem_csv_import_result_clear (&result);

  ada = lead_by_email (fixture->store, "ada@engines.io");
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (ada), "stage"), ==, "mql");
  company = tandem_store_get (fixture->store, TANDEM_TYPE_COMPANY,
                              tandem_record_get_text (TANDEM_RECORD (ada), "company_id"), NULL);
  g_assert_cmpstr (tandem_record_get_text (company, "domain"), ==, "engines.io");
  g_assert_cmpint (tandem_record_get_int (company, "employees"), ==, 1000);
  g_clear_object (&ada);

  /* Skip leaves known leads alone; duplicates in the file count once. */
  import_ok (fixture->store,
             "Email,Job Title\nADA@engines.io,CEO\nnew@x.io,A\nnew@x.io,B\n",
             TANDEM_CSV_DUPLICATES_SKIP, &result);
  g_assert_cmpuint (result.created, ==, 1);
  g_assert_cmpuint (result.skipped, ==, 2);
  tandem_csv_import_result_clear (&result);
  ada = lead_by_email (fixture->store, "ada@engines.io");
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (ada), "job_title"), ==, "CTO");
  g_clear_object (&ada);
  g_assert_cmpint (tandem_store_count (fixture->store, "leads"), ==, n_leads + 4);

  /* Update overwrites with the file's values, the last row winning, and a
   * company found by its website's domain. */
  import_ok (fixture->store,
             "Email,Job Title,Lifecycle Stage,Website\n"
             "ada@engines.io,CEO,,\ngrace@navy.mil,Admiral,customer,engines.io\n"
             "ada@ENGINES.io,Chair,,\n",
             TANDEM_CSV_DUPLICATES_UPDATE, &result);
  g_assert_cmpuint (result.created, ==, 0);
  g_assert_cmpuint (result.updated, ==, 3);
  g_assert_cmpuint (result.companies_created, ==, 0);
  tandem_csv_import_result_clear (&result);

  ada = lead_by_email (fixture->store, "ada@engines.io");
  grace = lead_by_email (fixture->store, "grace@navy.mil");
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (ada), "job_title"), ==, "Chair");
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (grace), "stage"), ==, "customer");
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (grace), "company_id"), ==,
                   tandem_record_get_text (TANDEM_RECORD (ada), "company_id"));
  g_assert_cmpint (tandem_store_count (fixture->store, "leads"), ==, n_leads + 4);
}

static void
test_undo (Fixture       *fixture,
           gconstpointer  data)
{
  TandemCsvImportResult result = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemLead) ada = NULL;
  gint64 n_leads = tandem_store_count (fixture->store, "leads");
  gint64 n_companies = tandem_store_count (fixture->store, "companies");

  import_ok (fixture->store, first_file, TANDEM_CSV_DUPLICATES_UPDATE, &result);
  tandem_csv_import_result_clear (&result);
  import_ok (fixture->store,
             "Email,Job Title,Lifecycle Stage,Company\n"
             "ada@engines.io,CEO,customer,Navy\nnew@x.io,A,,New Co\n",
             TANDEM_CSV_DUPLICATES_UPDATE, &result);
  g_assert_cmpuint (result.created, ==, 1);
  g_assert_cmpuint (result.updated, ==, 1);
  tandem_csv_import_result_clear (&result);
  g_assert_cmpint (tandem_store_count (fixture->store, "leads"), ==, n_leads + 4);

  g_assert_true (tandem_csv_undo_last_import (fixture->store, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.created, ==, 1);
  g_assert_cmpuint (result.updated, ==, 1);
  tandem_csv_import_result_clear (&result);

  ada = lead_by_email (fixture->store, "ada@engines.io");
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (ada), "job_title"), ==, "CTO");
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (ada), "stage"), ==, "mql");
  g_assert_null (lead_by_email (fixture->store, "new@x.io"));
  g_assert_cmpint (tandem_store_count (fixture->store, "leads"), ==, n_leads + 3);
  g_assert_cmpint (tandem_store_count (fixture->store, "companies"), ==, n_companies + 2);

  /* The first import is next, then nothing. */
  g_assert_true (tandem_csv_undo_last_import (fixture->store, NULL, &error));
  g_assert_cmpint (tandem_store_count (fixture->store, "leads"), ==, n_leads);
  g_assert_cmpint (tandem_store_count (fixture->store, "companies"), ==, n_companies);
  g_assert_false (tandem_csv_undo_last_import (fixture->store, NULL, &error));
  g_assert_error (error, TANDEM_CSV_ERROR, TANDEM_CSV_ERROR_NOTHING_TO_UNDO);
}

static void
exec_on_file (const char *path,
              const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static gint64
lead_int (TandemStore *store,
          const char  *email,
          const char  *field)
{
  g_autoptr(TandemLead) lead = lead_by_email (store, email);

  g_assert_nonnull (lead);
  return tandem_record_get_int (TANDEM_RECORD (lead), field);
}

/* An import lists the leads whose scores it may have changed, those it
 * wrote and those of the companies it filled in, and only they are
 * rescored; its undo lists the leads it gives their old values back. */
static void
test_rescore_written_leads (Fixture       *fixture,
                            gconstpointer  data)
{
  TandemCsvImportResult result = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemLead) ada = NULL;
  gint64 engineer_fit;

  g_assert_true (tandem_scoring_install_defaults (fixture->store, &error));
  g_assert_no_error (error);

  /* A rescore of at least half the leads rescores them all: two more
   * leads make one the few. */
  import_ok (fixture->store, "Email,Job Title,Company Name\n"
                             "ada@engines.io,Engineer,Engines\nbob@navy.mil,Engineer,Navy\n"
                             "cy@navy.mil,,Navy\ndee@navy.mil,,Navy\n",
             TANDEM_CSV_DUPLICATES_UPDATE, &result);
  g_assert_cmpuint (result.lead_ids->len, ==, 4);
  g_assert_true (tandem_scoring_rescore_leads (fixture->store, result.lead_ids, &error));
  g_assert_no_error (error);
  tandem_csv_import_result_clear (&result);
  engineer_fit = lead_int (fixture->store, "ada@engines.io", "fit_score");
  g_assert_cmpint (lead_int (fixture->store, "bob@navy.mil", "fit_score"), ==, engineer_fit);
  ada = lead_by_email (fixture->store, "ada@engines.io");

  /* A fit no rescore gives shows whether Bob was rescored. */
  exec_on_file (fixture->path, "UPDATE leads SET fit_score = -7 WHERE email = 'bob@navy.mil'");

  /* "Operations titles" is worth 20 points of fit. */
  import_ok (fixture->store, "Email,Job Title\nada@engines.io,Head of Operations\n",
             TANDEM_CSV_DUPLICATES_UPDATE, &result);
  g_assert_cmpuint (result.lead_ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (result.lead_ids, 0), ==,
                   tandem_record_get_id (TANDEM_RECORD (ada)));
  g_assert_true (tandem_scoring_rescore_leads (fixture->store, result.lead_ids, &error));
  g_assert_no_error (error);
  tandem_csv_import_result_clear (&result);
  g_assert_cmpint (lead_int (fixture->store, "ada@engines.io", "fit_score"), ==,
                   engineer_fit + 20);
  g_assert_cmpint (lead_int (fixture->store, "bob@navy.mil", "fit_score"), ==, -7);

  /* A new lead fills in the industry of Ada's company, which counts for
   * her too. */
  import_ok (fixture->store, "Email,Company Name,Industry\ncarol@engines.io,Engines,Software\n",
             TANDEM_CSV_DUPLICATES_UPDATE, &result);
  g_assert_cmpuint (result.created, ==, 1);
  g_assert_true (g_ptr_array_find_with_equal_func (result.lead_ids,
                                                   tandem_record_get_id (TANDEM_RECORD (ada)),
                                                   g_str_equal, NULL));
  tandem_csv_import_result_clear (&result);

  g_assert_true (tandem_csv_undo_last_import (fixture->store, &result, &error));
  g_assert_no_error (error);
  g_assert_true (g_ptr_array_find_with_equal_func (result.lead_ids,
                                                   tandem_record_get_id (TANDEM_RECORD (ada)),
                                                   g_str_equal, NULL));
  tandem_csv_import_result_clear (&result);

  /* Undoing the new title brings back the fit it had. */
  g_assert_true (tandem_csv_undo_last_import (fixture->store, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.lead_ids->len, ==, 1);
  g_assert_true (tandem_scoring_rescore_leads (fixture->store, result.lead_ids, &error));
  g_assert_no_error (error);
  tandem_csv_import_result_clear (&result);
  g_assert_cmpint (lead_int (fixture->store, "ada@engines.io", "fit_score"), ==, engineer_fit);
  g_assert_cmpint (lead_int (fixture->store, "bob@navy.mil", "fit_score"), ==, -7);
}

static guint
count_found (TandemStore *store,
             GType        type,
             const char  *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = tandem_store_search (store, type, text, &error);

  g_assert_no_error (error);
  return found->len;
}

/* Tables and triggers the store's own connection holds for itself. */
static gint64
count_temp_objects (TandemStore *store)
{
  sqlite3_stmt *stmt = NULL;
  gint64 count;

  g_assert_cmpint (sqlite3_prepare_v2 (tandem_store_get_db (store),
                                       "SELECT count(*) FROM sqlite_temp_schema", -1, &stmt,
                                       NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return count;
}

/* The indexes and triggers of the tables an import writes, as one text to
 * compare. */
static char *
dump_schema (const char *path)
{
  g_autoptr(GString) text = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT type, name, coalesce(sql, '') FROM sqlite_schema"
                                           " WHERE type IN ('index', 'trigger')"
                                           " AND tbl_name IN ('leads', 'companies')"
                                           " ORDER BY name",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (text, "%s %s %s\n", sqlite3_column_text (stmt, 0),
                            sqlite3_column_text (stmt, 1), sqlite3_column_text (stmt, 2));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Imports set the search index and, when they more than double the
 * leads, the other indexes aside while they write; what users see
 * afterwards is the same as if every row had been indexed as written. */
static void
test_import_indexes (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *schema = dump_schema (fixture->path);
  g_autoptr(TandemLead) erin = tandem_lead_new ();
  g_autoptr(TandemLead) later = tandem_lead_new ();
  g_autoptr(TandemLead) ada = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  TandemCsvImportResult result = { NULL };

  tandem_record_set_text (TANDEM_RECORD (erin), "first_name", "Erin");
  tandem_record_set_text (TANDEM_RECORD (erin), "email", "erin@old.example");
  tandem_record_set_text (TANDEM_RECORD (erin), "job_title", "Buyer");
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (erin), &error));
  g_assert_no_error (error);

  /* Three new leads for one that exists: the other indexes are rebuilt. */
  import_ok (fixture->store, first_file, TANDEM_CSV_DUPLICATES_UPDATE, &result);
  g_assert_cmpuint (result.created, ==, 3);
  tandem_csv_import_result_clear (&result);

  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_LEAD, "lovelace"), ==, 1);
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_LEAD, "grace@navy.mil"), ==, 1);
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_LEAD, "cto"), ==, 1);
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_LEAD, "analytical"), ==, 2);
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_COMPANY, "navy"), ==, 1);
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_COMPANY, "engines.io"), ==, 1);
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_LEAD, "buyer"), ==, 1);

  /* An update of a known lead and a new lead together, now fewer than
   * the leads there are: the known one is found by its new values only. */
  import_ok (fixture->store,
             "Email,Job Title,Company\nerin@OLD.example,Planner,Harbour Works\n"
             "bo@y.io,Welder,\nbo@y.io,Foreman,\n",
             TANDEM_CSV_DUPLICATES_UPDATE, &result);
  g_assert_cmpuint (result.created, ==, 1);
  g_assert_cmpuint (result.updated, ==, 2);
  tandem_csv_import_result_clear (&result);
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_LEAD, "buyer"), ==, 0);
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_LEAD, "planner harbour"), ==, 1);
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_LEAD, "foreman"), ==, 1);
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_LEAD, "welder"), ==, 0);

  /* Each lead is in the index once, and the index is sound. */
  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT count(*) FROM leads_fts"), ==,
                   tandem_test_query_int (fixture->path,
                                          "SELECT count(*) FROM leads WHERE deleted = 0"));
  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT count(*) FROM companies_fts"),
                   ==, tandem_test_query_int (fixture->path, "SELECT count(*) FROM companies"));
  exec_on_file (fixture->path, "INSERT INTO leads_fts (leads_fts) VALUES ('integrity-check');"
                               "INSERT INTO companies_fts (companies_fts)"
                               " VALUES ('integrity-check')");

  /* Every index and trigger is back as it was, and working. */
  after = dump_schema (fixture->path);
  g_assert_cmpstr (after, ==, schema);
  g_assert_cmpint (count_temp_objects (fixture->store), ==, 0);
  tandem_record_set_text (TANDEM_RECORD (later), "last_name", "Latecomer");
  tandem_record_set_text (TANDEM_RECORD (later), "email", "late@comer.example");
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (later), &error));
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_LEAD, "latecomer"), ==, 1);

  /* Undo takes the imported leads out of the search again, and finds the
   * lead it changed by its old values. */
  g_assert_true (tandem_csv_undo_last_import (fixture->store, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_LEAD, "foreman"), ==, 0);
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_LEAD, "planner"), ==, 0);
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_LEAD, "buyer"), ==, 1);
  g_free (after);
  after = dump_schema (fixture->path);
  g_assert_cmpstr (after, ==, schema);
  g_assert_cmpint (count_temp_objects (fixture->store), ==, 0);
  ada = lead_by_email (fixture->store, "ada@engines.io");
  g_assert_nonnull (ada);
}

/* An import that fails while writing, here stopped by a trigger planted in
 * the workspace, leaves nothing behind: no row, no change-log entry, and
 * the indexes and triggers it had set aside are all there again. */
static void
test_import_failure_restores (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *schema = NULL;
  g_autofree char *after = NULL;
  g_autoptr(TandemCsvImport) import = NULL;
  g_autoptr(TandemLead) later = tandem_lead_new ();
  g_autoptr(GError) error = NULL;
  gint64 changes, leads, companies;

  exec_on_file (fixture->path,
                "CREATE TRIGGER refuse_grace BEFORE INSERT ON leads"
                " WHEN new.email = 'grace@navy.mil'"
                " BEGIN SELECT RAISE (ABORT, 'no admirals today'); END");
  schema = dump_schema (fixture->path);
  changes = tandem_test_query_int (fixture->path, "SELECT count(*) FROM change_log");
  leads = tandem_test_query_int (fixture->path, "SELECT count(*) FROM leads");
  companies = tandem_test_query_int (fixture->path, "SELECT count(*) FROM companies");

  import = make_import (first_file, TANDEM_CSV_DUPLICATES_UPDATE);
  g_assert_false (tandem_csv_import_run (import, fixture->store, "first.csv", NULL, &error));
  g_assert_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_SQL);
  g_assert_nonnull (strstr (error->message, "no admirals today"));

  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT count(*) FROM change_log"), ==,
                   changes);
  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT count(*) FROM leads"), ==, leads);
  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT count(*) FROM companies"), ==,
                   companies);
  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT count(*) FROM imports"), ==, 0);
  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT count(*) FROM import_rows"), ==,
                   0);
  after = dump_schema (fixture->path);
  g_assert_cmpstr (after, ==, schema);
  g_assert_cmpint (count_temp_objects (fixture->store), ==, 0);

  g_clear_error (&error);
  tandem_record_set_text (TANDEM_RECORD (later), "last_name", "Latecomer");
  tandem_record_set_text (TANDEM_RECORD (later), "email", "late@comer.example");
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (later), &error));
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_LEAD, "latecomer"), ==, 1);
}

/* A file of @n_rows leads across @n_rows / 4 companies. */
static char *
make_big_file (guint n_rows)
{
  GString *text = g_string_new ("First Name,Last Name,Email,Company,Job Title\n");

  for (guint i = 0; i < n_rows; i++)
    g_string_append_printf (text, "Person%u,Family%u,p%u@bulk.example,Bulk %u,Role%u\n",
                            i, i, i, i % (n_rows / 4), i % 7);

  return g_string_free (text, FALSE);
}

/* A large import is logged compactly for undo, and undone whole. */
static void
test_large_import_undo (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *text = make_big_file (2500);
  TandemCsvImportResult result = { NULL };
  g_autoptr(GError) error = NULL;
  gint64 n_leads = tandem_store_count (fixture->store, "leads");
  gint64 n_companies = tandem_store_count (fixture->store, "companies");

  import_ok (fixture->store, text, TANDEM_CSV_DUPLICATES_UPDATE, &result);
  g_assert_cmpuint (result.created, ==, 2500);
  g_assert_cmpuint (result.companies_created, ==, 625);
  tandem_csv_import_result_clear (&result);
  g_assert_cmpint (tandem_store_count (fixture->store, "leads"), ==, n_leads + 2500);
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_LEAD, "person1234"), ==, 1);
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_LEAD, "role3"), ==, 357);
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_COMPANY, "bulk"), ==, 625);

  /* A few rows of ids, not one row per lead. */
  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT count(*) FROM import_created"),
                   ==, 4);
  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT count(*) FROM import_rows"),
                   ==, 0);

  /* Every new row also waits in the outbox, whole. */
  g_assert_cmpint (tandem_test_query_int (fixture->path,
                                          "SELECT count(*) FROM change_log"
                                          " WHERE tbl = 'leads' AND field = '*' AND pushed = 0"
                                          " AND json_extract(value, '$.email')"
                                          "  LIKE '%@bulk.example'"),
                   ==, 2500);
  g_assert_cmpint (tandem_test_query_int (fixture->path,
                                          "SELECT count(*) FROM change_log"
                                          " WHERE tbl = 'companies' AND field = '*'"
                                          " AND json_extract(value, '$.name') LIKE 'Bulk %'"),
                   ==, 625);

  g_assert_true (tandem_csv_undo_last_import (fixture->store, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.created, ==, 2500);
  tandem_csv_import_result_clear (&result);
  g_assert_cmpint (tandem_store_count (fixture->store, "leads"), ==, n_leads);
  g_assert_cmpint (tandem_store_count (fixture->store, "companies"), ==, n_companies);
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_LEAD, "person1234"), ==, 0);
  g_assert_cmpuint (count_found (fixture->store, TANDEM_TYPE_COMPANY, "bulk"), ==, 0);
}

/* An import made before schema 4 listed each created row in import_rows;
 * it can still be undone after the workspace is migrated. */
static void
test_undo_older_import (void)
{
  g_autofree char *dir = tandem_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "workspace.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemStore) store = NULL;
  TandemCsvImportResult result = { NULL };
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  for (int version = 1; version <= 3; version++)
    g_assert_true (tandem_schema_migrate_step (db, version, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO leads (id, email, job_title) VALUES"
                                 " ('l1', 'old@x.io', 'Imported'), ('l2', 'kept@x.io', 'Chief');"
                                 "INSERT INTO imports (id, file_name, imported_at)"
                                 " VALUES ('i1', 'old.csv', 1);"
                                 "INSERT INTO import_rows (import_id, tbl, row_id, action,"
                                 " previous) VALUES ('i1', 'leads', 'l1', 'created', NULL),"
                                 " ('i1', 'leads', 'l2', 'updated', '{\"job_title\":\"Clerk\"}')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = tandem_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (tandem_csv_undo_last_import (store, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.created, ==, 1);
  g_assert_cmpuint (result.updated, ==, 1);
  tandem_csv_import_result_clear (&result);

  g_assert_null (lead_by_email (store, "old@x.io"));
  {
    g_autoptr(TandemLead) kept = lead_by_email (store, "kept@x.io");

    g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (kept), "job_title"), ==, "Clerk");
  }

  g_clear_object (&store);
  tandem_test_remove_dir (dir);
}

static void
test_export_round_trip (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *csv_path = g_build_filename (fixture->dir, "out.csv", NULL);
  g_autofree char *other_dir = tandem_test_make_dir ();
  g_autofree char *again_path = g_build_filename (other_dir, "again.csv", NULL);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(TandemStore) other = NULL;
  g_autoptr(TandemCsvTable) table = NULL;
  g_autoptr(TandemCsvImport) import = NULL;
  g_autoptr(GError) error = NULL;
  TandemCsvImportResult result = { NULL };
  guint n_written = 0;

  import_ok (fixture->store,
             "First Name,Last Name,Email,Company,Job Title,Lifecycle Stage\n"
             "Zoë,\"O'Neil, Jr.\",zoe@x.io,\"Quote \"\"Co\"\"\",\"two\nlines\",sql\n"
             "Bo,B,bo@y.io,,,\n", TANDEM_CSV_DUPLICATES_UPDATE, &result);
  tandem_csv_import_result_clear (&result);

  g_assert_true (tandem_csv_export_leads (fixture->store, NULL, csv_path, &n_written, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_written, ==, 2);

  other = tandem_test_open_store (other_dir);
  table = tandem_csv_table_parse_file (csv_path, &error);
  g_assert_no_error (error);
  import = tandem_csv_import_new (g_steal_pointer (&table));
  g_assert_true (tandem_csv_import_run (import, other, "out.csv", &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.created, ==, 2);
  tandem_csv_import_result_clear (&result);

  g_assert_true (tandem_csv_export_leads (other, NULL, again_path, NULL, &error));
  g_assert_true (g_file_get_contents (csv_path, &first, NULL, NULL));
  g_assert_true (g_file_get_contents (again_path, &second, NULL, NULL));
  g_assert_cmpstr (first, ==, second);
  g_assert_nonnull (strstr (first, "\"Quote \"\"Co\"\"\""));

  g_clear_object (&other);
  tandem_test_remove_dir (other_dir);
}

static void
test_lead_query (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(TandemLeadQuery) query = tandem_lead_query_new ();
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  TandemCsvImportResult result = { NULL };
  const char *mql[] = { "mql", NULL };
  const char *stages[] = { "mql", "sql", NULL };
  g_autoptr(TandemLead) ada = NULL;

  import_ok (fixture->store, first_file, TANDEM_CSV_DUPLICATES_UPDATE, &result);
  tandem_csv_import_result_clear (&result);
  ada = lead_by_email (fixture->store, "ada@engines.io");

  /* The sources in use are the filter's choices. */
  tandem_record_set_text (TANDEM_RECORD (ada), "source", "Webinar");
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (ada), &error));
  {
    g_autoptr(GPtrArray) sources = tandem_lead_query_list_sources (fixture->store, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (sources->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (sources, 0), ==, "Webinar");
  }

  ids = tandem_lead_query_run (query, fixture->store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 3);
  /* By last name: Hopper, Lovelace, Turing. */
  g_assert_cmpstr (g_ptr_array_index (ids, 1), ==, tandem_record_get_id (TANDEM_RECORD (ada)));
  g_clear_pointer (&ids, g_ptr_array_unref);

  tandem_lead_query_set_sort (query, TANDEM_LEAD_SORT_NAME, TRUE);
  ids = tandem_lead_query_run (query, fixture->store, 0, &error);
  g_assert_cmpuint (ids->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (ids, 1), ==, tandem_record_get_id (TANDEM_RECORD (ada)));
  g_clear_pointer (&ids, g_ptr_array_unref);

  tandem_lead_query_set_stages (query, mql);
  ids = tandem_lead_query_run (query, fixture->store, 0, &error);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, tandem_record_get_id (TANDEM_RECORD (ada)));
  g_clear_pointer (&ids, g_ptr_array_unref);

  tandem_lead_query_set_stages (query, stages);
  tandem_lead_query_set_sort (query, TANDEM_LEAD_SORT_STAGE, FALSE);
  ids = tandem_lead_query_run (query, fixture->store, 0, &error);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, tandem_record_get_id (TANDEM_RECORD (ada)));
  g_clear_pointer (&ids, g_ptr_array_unref);

  tandem_lead_query_set_stages (query, NULL);
  tandem_lead_query_set_search (query, "analyt");
  for (guint sort = TANDEM_LEAD_SORT_NAME; sort <= TANDEM_LEAD_SORT_DAYS_IN_STAGE; sort++)
    {
      tandem_lead_query_set_sort (query, sort, sort % 2);
      ids = tandem_lead_query_run (query, fixture->store, 0, &error);
      g_assert_no_error (error);
      /* Ada and Alan work at Analytical Engines. */
      g_assert_cmpuint (ids->len, ==, 2);
      g_clear_pointer (&ids, g_ptr_array_unref);
    }

  tandem_lead_query_set_search (query, NULL);
  tandem_lead_query_set_source (query, "nowhere");
  ids = tandem_lead_query_run (query, fixture->store, 0, &error);
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&ids, g_ptr_array_unref);

  tandem_lead_query_set_source (query, NULL);
  tandem_lead_query_set_stalled_only (query, TRUE);
  tandem_lead_query_set_owner (query, "nobody");
  tandem_lead_query_set_persona (query, "none");
  tandem_lead_query_set_grades (query, (const char *[]) { "A", "B", NULL });
  ids = tandem_lead_query_run (query, fixture->store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/csv/parse/basic", test_parse_basic);
  g_test_add_func ("/core/csv/parse/semicolon", test_parse_semicolon);
  g_test_add_func ("/core/csv/parse/errors", test_parse_errors);
  g_test_add_func ("/core/csv/headers", test_headers);
  g_test_add_func ("/core/csv/stage-mapping", test_stage_mapping);
  g_test_add ("/core/csv/errors-write-nothing", Fixture, NULL, tandem_test_workspace_set_up,
              test_errors_write_nothing, tandem_test_workspace_tear_down);
  g_test_add ("/core/csv/import-and-dedupe", Fixture, NULL, tandem_test_workspace_set_up,
              test_import_and_dedupe, tandem_test_workspace_tear_down);
  g_test_add ("/core/csv/undo", Fixture, NULL, tandem_test_workspace_set_up, test_undo, tandem_test_workspace_tear_down);
  g_test_add ("/core/csv/import-indexes", Fixture, NULL, tandem_test_workspace_set_up,
              test_import_indexes, tandem_test_workspace_tear_down);
  g_test_add ("/core/csv/import-failure-restores", Fixture, NULL, tandem_test_workspace_set_up,
              test_import_failure_restores, tandem_test_workspace_tear_down);
  g_test_add ("/core/csv/large-import-undo", Fixture, NULL, tandem_test_workspace_set_up,
              test_large_import_undo, tandem_test_workspace_tear_down);
  g_test_add_func ("/core/csv/undo-older-import", test_undo_older_import);
  g_test_add ("/core/csv/rescore-written-leads", Fixture, NULL, tandem_test_workspace_set_up,
              test_rescore_written_leads, tandem_test_workspace_tear_down);
  g_test_add ("/core/csv/export-round-trip", Fixture, NULL, tandem_test_workspace_set_up,
              test_export_round_trip, tandem_test_workspace_tear_down);
  g_test_add ("/core/csv/lead-query", Fixture, NULL, tandem_test_workspace_set_up, test_lead_query,
              tandem_test_workspace_tear_down);

  return g_test_run ();
}
