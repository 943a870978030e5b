/* test-scoring-page.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>

#include "tandem-csv.h"
#include "tandem-import-dialog.h"
#include "tandem-scoring-page.h"
#include "ui-test-utils.h"

#define TIMEOUT_MS 30000

typedef struct
{
  char              *dir;
  TandemStore       *store;
  GtkWindow         *window;
  TandemScoringPage *page;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = tandem_test_make_temp_dir ();
  path = g_build_filename (fixture->dir, "scoring.db", NULL);
  fixture->store = tandem_store_open (path, &error);
  g_assert_no_error (error);

  tandem_sample_generate (fixture->store, 200, 1, 0, NULL, NULL, &error);
  g_assert_no_error (error);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 1400, 900);
  fixture->page = TANDEM_SCORING_PAGE (tandem_scoring_page_new ());
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->page));
  tandem_scoring_page_set_store (fixture->page, fixture->store);

  gtk_window_present (fixture->window);
  g_assert_true (tandem_test_wait_until (tandem_test_widget_is_mapped, fixture->page, TIMEOUT_MS));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  tandem_test_flush ();
  g_clear_object (&fixture->store);
  tandem_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
}

static GtkSpinButton *
find_spin (GtkWidget  *root,
           const char *row_title)
{
  GtkWidget *row = tandem_test_find_widget (root, ADW_TYPE_ACTION_ROW, row_title);

  g_assert_nonnull (row);
  return GTK_SPIN_BUTTON (tandem_test_find_widget (row, GTK_TYPE_SPIN_BUTTON, NULL));
}

/* The change log is not a synced table, so the store does not count it;
 * the test reads it directly to prove that nothing was written. */
static gint64
count_change_log (TandemStore *store)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 count = -1;

  g_assert_cmpint (sqlite3_open_v2 (tandem_store_get_path (store), &db,
                                    SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM change_log", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return count;
}

static gboolean
what_if_ready (gpointer data)
{
  return tandem_scoring_page_get_what_if (data) != NULL;
}

static gboolean
counts_differ (const TandemWhatIf *what_if)
{
  const char * const *keys = tandem_pipeline_stage_keys ();

  for (guint i = 0; keys[i] != NULL; i++)
    if (g_hash_table_lookup (what_if->current_counts, keys[i]) !=
        g_hash_table_lookup (what_if->edited_counts, keys[i]))
      return TRUE;

  return FALSE;
}

static gboolean
rescore_done (gpointer data)
{
  return !tandem_scoring_page_is_rescoring (data);
}

static guint
n_leads_in (TandemStore *store,
            const char  *stage)
{
  g_autoptr(GPtrArray) leads = tandem_store_list (store, TANDEM_TYPE_LEAD, NULL);
  guint n = 0;

  for (guint i = 0; i < leads->len; i++)
    if (g_strcmp0 (tandem_record_get_text (g_ptr_array_index (leads, i), "stage"), stage) == 0)
      n++;

  return n;
}

/* Editing the MQL threshold is staged: the what-if preview shows what would
 * change, the store stays as it is until Save, and Discard puts the saved
 * value back. */
static void
test_threshold_what_if (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *saved = tandem_store_get_setting (fixture->store, "mql_threshold", NULL);
  gint64 n_changes = count_change_log (fixture->store);
  GtkSpinButton *spin = find_spin (GTK_WIDGET (fixture->page), "MQL threshold");
  const TandemWhatIf *what_if;
  g_autofree char *after = NULL;
  int old_value;

  g_assert_nonnull (spin);
  g_assert_false (tandem_scoring_page_has_changes (fixture->page));
  old_value = gtk_spin_button_get_value_as_int (spin);

  /* Under the saved rules, a lower threshold turns more leads into MQLs. */
  gtk_spin_button_set_value (spin, 60);
  g_assert_true (tandem_scoring_page_has_changes (fixture->page));
  g_assert_true (tandem_test_wait_until (what_if_ready, fixture->page, TIMEOUT_MS));
  what_if = tandem_scoring_page_get_what_if (fixture->page);
  g_assert_true (counts_differ (what_if));
  g_assert_cmpuint (what_if->changes->len, >, 0);

  after = tandem_store_get_setting (fixture->store, "mql_threshold", NULL);
  g_assert_cmpstr (after, ==, saved);
  g_assert_cmpint (count_change_log (fixture->store), ==, n_changes);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "scoring.discard", NULL));
  g_assert_false (tandem_scoring_page_has_changes (fixture->page));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin), ==, old_value);
  g_assert_cmpint (count_change_log (fixture->store), ==, n_changes);
}

/* Unordered grade floors block Save with an explanation on the rows. */
static void
test_validation (Fixture       *fixture,
                 gconstpointer  data)
{
  GtkSpinButton *grade_c = find_spin (GTK_WIDGET (fixture->page), "Grade C from");
  GtkWidget *row = tandem_test_find_widget (GTK_WIDGET (fixture->page), ADW_TYPE_ACTION_ROW,
                                            "Grade C from");
  GtkSpinButton *grade_a = find_spin (GTK_WIDGET (fixture->page), "Grade A from");

  gtk_spin_button_set_value (grade_c, gtk_spin_button_get_value (grade_a) + 10);
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_nonnull (gtk_widget_get_tooltip_text (row));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "scoring.save", NULL) &&
                  !tandem_scoring_page_has_changes (fixture->page));
  g_assert_true (tandem_scoring_page_has_changes (fixture->page));

  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "scoring.discard", NULL);
  g_assert_false (gtk_widget_has_css_class (row, "error"));
}

/* Save & Rescore stores the threshold and rescoring moves leads. */
static void
test_save_and_rescore (Fixture       *fixture,
                       gconstpointer  data)
{
  GtkSpinButton *spin = find_spin (GTK_WIDGET (fixture->page), "MQL threshold");
  guint mqls_before = n_leads_in (fixture->store, TANDEM_STAGE_MQL);
  g_autofree char *stored = NULL;
  g_autoptr(TandemStore) reader = NULL;
  g_autoptr(GError) error = NULL;

  gtk_spin_button_set_value (spin, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "scoring.save", NULL));
  stored = tandem_store_get_setting (fixture->store, "mql_threshold", NULL);
  g_assert_cmpstr (stored, ==, "0");
  g_assert_false (tandem_scoring_page_has_changes (fixture->page));

  g_assert_true (tandem_test_wait_until (rescore_done, fixture->page, TIMEOUT_MS));

  /* The rescore wrote through its own connection; read with a fresh one. */
  reader = tandem_store_open (tandem_store_get_path (fixture->store), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_leads_in (reader, TANDEM_STAGE_MQL), >, mqls_before);
}

/* Import through the dialog. */

typedef struct
{
  char      *dir;
  TandemStore *store;
  GtkWindow *window;
  AdwToast  *toast;
} ImportFixture;

static void
import_set_up (ImportFixture *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = tandem_test_make_temp_dir ();
  path = g_build_filename (fixture->dir, "import.db", NULL);
  fixture->store = tandem_store_open (path, &error);
  g_assert_no_error (error);
  tandem_pipeline_install_defaults (fixture->store, &error);
  g_assert_no_error (error);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 1000, 800);
  gtk_window_present (fixture->window);
}

static void
import_tear_down (ImportFixture *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->toast);
  gtk_window_destroy (fixture->window);
  tandem_test_flush ();
  g_clear_object (&fixture->store);
  tandem_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
}

static GFile *
write_csv (ImportFixture *fixture,
           const char    *name,
           const char    *contents)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);

  return g_file_new_for_path (path);
}

typedef struct
{
  TandemImportDialog *dialog;
  const char         *step;
} StepWait;

static gboolean
dialog_at_step (gpointer data)
{
  StepWait *wait = data;

  return g_str_equal (tandem_import_dialog_get_step (wait->dialog), wait->step);
}

static void
wait_for_step (TandemImportDialog *dialog,
               const char         *step)
{
  StepWait wait = { dialog, step };

  tandem_test_wait_until (dialog_at_step, &wait, TIMEOUT_MS);
  g_assert_cmpstr (tandem_import_dialog_get_step (dialog), ==, step);
}

static void
imported_cb (TandemImportDialog *dialog,
             AdwToast           *toast,
             ImportFixture      *fixture)
{
  g_set_object (&fixture->toast, toast);
}

static gboolean
has_toast (gpointer data)
{
  return ((ImportFixture *) data)->toast != NULL;
}

typedef struct
{
  GListModel *model;
  guint       n_items;
} CountWait;

static gboolean
model_has_count (gpointer data)
{
  CountWait *wait = data;

  return g_list_model_get_n_items (wait->model) == wait->n_items;
}

static TandemLead *
find_lead (TandemStore *store,
           const char  *email)
{
  g_autoptr(GPtrArray) leads = tandem_store_list (store, TANDEM_TYPE_LEAD, NULL);

  for (guint i = 0; i < leads->len; i++)
    {
      TandemRecord *lead = g_ptr_array_index (leads, i);

      if (g_strcmp0 (tandem_record_get_text (lead, "email"), email) == 0)
        return g_object_ref (TANDEM_LEAD (lead));
    }

  return NULL;
}

static void
test_import (ImportFixture *fixture,
             gconstpointer  data)
{
  g_autoptr(GFile) file = write_csv (fixture, "leads.csv",
                                     "\xEF\xBB\xBF" "First Name,Last Name,Email,Company Name,Job Title\r\n"
                                     "Ada,Lovelace,ada@analytical.example,\"Engines, Ltd\",CTO\r\n"
                                     "Grace,Hopper,grace@navy.example,Navy,Rear Admiral\r\n");
  g_autoptr(TandemRecordList) leads = tandem_record_list_new (fixture->store, TANDEM_TYPE_LEAD);
  TandemImportDialog *dialog = tandem_import_dialog_new (fixture->window, fixture->store);
  g_autoptr(TandemLead) ada = NULL;
  g_autoptr(TandemRecord) company = NULL;
  TandemCsvImport *import;
  CountWait wait = { G_LIST_MODEL (leads), 2 };

  g_signal_connect (dialog, "imported", G_CALLBACK (imported_cb), fixture);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (leads)), ==, 0);

  tandem_import_dialog_load_file (dialog, file);
  wait_for_step (dialog, "mapping");

  import = tandem_import_dialog_get_import (dialog);
  g_assert_cmpint (tandem_csv_import_get_mapping (import, 0), ==, TANDEM_CSV_FIELD_FIRST_NAME);
  g_assert_cmpint (tandem_csv_import_get_mapping (import, 1), ==, TANDEM_CSV_FIELD_LAST_NAME);
  g_assert_cmpint (tandem_csv_import_get_mapping (import, 2), ==, TANDEM_CSV_FIELD_EMAIL);
  g_assert_cmpint (tandem_csv_import_get_mapping (import, 3), ==, TANDEM_CSV_FIELD_COMPANY);
  g_assert_cmpint (tandem_csv_import_get_mapping (import, 4), ==, TANDEM_CSV_FIELD_JOB_TITLE);
  /* The mapping rows are titled with the file's headers. */
  g_assert_nonnull (tandem_test_find_widget (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW,
                                             "Company Name"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.next", NULL));
  wait_for_step (dialog, "ready");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.run", NULL));
  g_assert_true (tandem_test_wait_until (has_toast, fixture, TIMEOUT_MS));

  ada = find_lead (fixture->store, "ada@analytical.example");
  g_assert_nonnull (ada);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (ada), "first_name"), ==, "Ada");
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (ada), "job_title"), ==, "CTO");
  /* The import scores what it brought in: the card shows a grade at once. */
  g_assert_nonnull (tandem_record_get_text (TANDEM_RECORD (ada), "grade"));
  company = tandem_store_get (fixture->store, TANDEM_TYPE_COMPANY,
                              tandem_record_get_text (TANDEM_RECORD (ada), "company_id"), NULL);
  g_assert_nonnull (company);
  g_assert_cmpstr (tandem_record_get_text (company, "name"), ==, "Engines, Ltd");
  g_assert_true (tandem_test_wait_until (model_has_count, &wait, TIMEOUT_MS));

  /* Undo from the toast takes the imported leads away again. */
  g_signal_emit_by_name (fixture->toast, "button-clicked");
  wait.n_items = 0;
  g_assert_true (tandem_test_wait_until (model_has_count, &wait, TIMEOUT_MS));
  g_clear_object (&ada);
  ada = find_lead (fixture->store, "ada@analytical.example");
  g_assert_null (ada);
}

static void
test_import_errors (ImportFixture *fixture,
                    gconstpointer  data)
{
  g_autoptr(GFile) file = write_csv (fixture, "bad.csv",
                                     "First Name,Last Name,Email\n"
                                     "Ada,Lovelace,ada@analytical.example\n"
                                     "Bob,Builder,bob@\n");
  TandemImportDialog *dialog = tandem_import_dialog_new (fixture->window, fixture->store);
  GListModel *problems;
  gint64 n_changes = count_change_log (fixture->store);
  g_autoptr(GtkStringObject) first = NULL;

  gtk_window_present (GTK_WINDOW (dialog));
  tandem_import_dialog_load_file (dialog, file);
  wait_for_step (dialog, "mapping");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.next", NULL));
  wait_for_step (dialog, "problems");

  problems = tandem_import_dialog_get_problems (dialog);
  g_assert_cmpuint (g_list_model_get_n_items (problems), ==, 1);
  first = g_list_model_get_item (problems, 0);
  g_assert_true (strstr (gtk_string_object_get_string (first), "3") != NULL);
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.run", NULL) &&
                  !g_str_equal (tandem_import_dialog_get_step (dialog), "problems"));

  g_assert_cmpint (tandem_store_count (fixture->store, "leads"), ==, 0);
  g_assert_cmpint (count_change_log (fixture->store), ==, n_changes);

  /* Back goes to the mapping, to fix it or cancel. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.back", NULL));
  g_assert_cmpstr (tandem_import_dialog_get_step (dialog), ==, "mapping");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int   argc,
      char *argv[])
{
  tandem_test_init (&argc, &argv);

  g_test_add ("/ui/scoring/threshold-what-if", Fixture, NULL,
              fixture_set_up, test_threshold_what_if, fixture_tear_down);
  g_test_add ("/ui/scoring/validation", Fixture, NULL,
              fixture_set_up, test_validation, fixture_tear_down);
  g_test_add ("/ui/scoring/save-and-rescore", Fixture, NULL,
              fixture_set_up, test_save_and_rescore, fixture_tear_down);
  g_test_add ("/ui/import/leads", ImportFixture, NULL,
              import_set_up, test_import, import_tear_down);
  g_test_add ("/ui/import/errors", ImportFixture, NULL,
              import_set_up, test_import_errors, import_tear_down);

  return g_test_run ();
}
