/* tandem-import-dialog.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "tandem-csv.h"
#include "tandem-scoring.h"
#include "tandem-import-dialog.h"
#include "tandem-window.h"

/* Enough rows to judge a mapping by; the whole file is checked anyway. */
#define PREVIEW_ROWS 20
/* The progress bar pulses while core imports, since it reports no
 * fraction; this keeps the motion calm. */
#define PULSE_INTERVAL_MS 120

struct _TandemImportDialog
{
  AdwWindow             parent_instance;

  TandemStore          *store;
  TandemCsvImport      *import;
  char                 *file_name;
  GtkFileChooserNative *chooser;
  GCancellable         *cancellable;
  /* The rows of the preview (char ** of TANDEM_CSV_N_FIELDS values). */
  GPtrArray            *preview_rows;
  GtkStringList        *preview_model;
  GtkStringList        *problems;
  GPtrArray            *mapping_rows;
  guint                 pulse_id;
  gboolean              busy;
  gboolean              loading;

  GtkButton            *back_button;
  GtkButton            *next_button;
  GtkStack             *stack;
  AdwStatusPage        *choose_page;
  GtkSpinner           *loading_spinner;
  GtkLabel             *loading_label;
  AdwPreferencesGroup  *mapping_group;
  AdwComboRow          *duplicates_row;
  GtkColumnView        *preview_view;
  GtkLabel             *problems_title;
  GtkListView          *problems_view;
  AdwStatusPage        *ready_page;
  GtkButton            *run_button;
  GtkLabel             *importing_label;
  GtkProgressBar       *import_progress;
};

G_DEFINE_FINAL_TYPE (TandemImportDialog, tandem_import_dialog, ADW_TYPE_WINDOW)

enum {
  IMPORTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
format_count (guint64 count)
{
  /* The ' flag groups digits the way the person's locale does (1,234). */
  return g_strdup_printf ("%'" G_GUINT64_FORMAT, count);
}

static void
update_buttons (TandemImportDialog *self)
{
  const char *step = tandem_import_dialog_get_step (self);
  gboolean mapping = g_str_equal (step, "mapping");
  gboolean back = g_str_equal (step, "mapping") || g_str_equal (step, "problems") ||
                  g_str_equal (step, "ready");

  gtk_widget_set_visible (GTK_WIDGET (self->back_button), back);
  gtk_widget_set_visible (GTK_WIDGET (self->next_button), mapping);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.choose", !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.back", back && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.next",
                                 mapping && !self->busy && self->import != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.run",
                                 g_str_equal (step, "ready") && !self->busy);
}

static void
set_step (TandemImportDialog *self,
          const char         *step)
{
  gtk_stack_set_visible_child_name (self->stack, step);

  if (g_str_equal (step, "loading"))
    gtk_spinner_start (self->loading_spinner);
  else
    gtk_spinner_stop (self->loading_spinner);

  update_buttons (self);
}

static void show_failure (TandemImportDialog *self,
                          const char         *format,
                          ...) G_GNUC_PRINTF (2, 3);

static void
show_failure (TandemImportDialog *self,
              const char         *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  tandem_window_show_error (GTK_WIDGET (self), message);
}

/* The preview. */

static void
preview_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
  gtk_list_item_set_child (item, label);
}

static void
preview_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 TandemImportDialog       *self)
{
  TandemCsvField field = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "tandem-field"));
  GtkStringObject *object = gtk_list_item_get_item (item);
  guint64 index = g_ascii_strtoull (gtk_string_object_get_string (object), NULL, 10);
  const char *value = NULL;

  if (self->preview_rows != NULL && index < self->preview_rows->len)
    value = ((char **) g_ptr_array_index (self->preview_rows, index))[field];

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), value != NULL ? value : "");
}

static void
refresh_preview (TandemImportDialog *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->preview_view);
  g_autoptr(GtkNoSelection) selection = NULL;
  gboolean mapped[TANDEM_CSV_N_FIELDS] = { FALSE, };
  TandemCsvTable *table;

  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, 0);

      gtk_column_view_remove_column (self->preview_view, column);
    }

  g_clear_pointer (&self->preview_rows, g_ptr_array_unref);
  if (self->import == NULL)
    return;

  table = tandem_csv_import_get_table (self->import);
  for (guint i = 0; i < tandem_csv_table_get_n_columns (table); i++)
    mapped[tandem_csv_import_get_mapping (self->import, i)] = TRUE;

  /* Columns in Tandem's field order, so the preview reads the same
   * whatever order the file has. */
  for (guint field = TANDEM_CSV_FIELD_NONE + 1; field < TANDEM_CSV_N_FIELDS; field++)
    {
      g_autoptr(GtkListItemFactory) factory = NULL;
      g_autoptr(GtkColumnViewColumn) column = NULL;

      if (!mapped[field])
        continue;

      factory = gtk_signal_list_item_factory_new ();
      g_object_set_data (G_OBJECT (factory), "tandem-field", GUINT_TO_POINTER (field));
      g_signal_connect (factory, "setup", G_CALLBACK (preview_setup_cb), NULL);
      g_signal_connect (factory, "bind", G_CALLBACK (preview_bind_cb), self);
      column = gtk_column_view_column_new (tandem_csv_field_get_header (field),
                                           g_object_ref (factory));
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_append_column (self->preview_view, column);
    }

  self->preview_rows = tandem_csv_import_preview (self->import, PREVIEW_ROWS);

  g_clear_object (&self->preview_model);
  self->preview_model = gtk_string_list_new (NULL);
  for (guint i = 0; i < self->preview_rows->len; i++)
    {
      char index[16];

      g_snprintf (index, sizeof index, "%u", i);
      gtk_string_list_append (self->preview_model, index);
    }

  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->preview_model)));
  gtk_column_view_set_model (self->preview_view, GTK_SELECTION_MODEL (selection));
}

/* The mapping. */

static void
sync_mapping_rows (TandemImportDialog *self)
{
  self->loading = TRUE;

  for (guint i = 0; i < self->mapping_rows->len; i++)
    adw_combo_row_set_selected (g_ptr_array_index (self->mapping_rows, i),
                                tandem_csv_import_get_mapping (self->import, i));

  self->loading = FALSE;
}

static void
mapping_changed_cb (AdwComboRow        *row,
                    GParamSpec         *pspec,
                    TandemImportDialog *self)
{
  guint column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "tandem-column"));
  guint field = adw_combo_row_get_selected (row);

  if (self->loading || self->import == NULL || field >= TANDEM_CSV_N_FIELDS)
    return;

  tandem_csv_import_set_mapping (self->import, column, field);
  /* Each field comes from one column: another column that had this field
   * lost it, and its row has to say so. */
  sync_mapping_rows (self);
  refresh_preview (self);
}

static void
build_mapping (TandemImportDialog *self)
{
  TandemCsvTable *table = tandem_csv_import_get_table (self->import);
  guint n_columns = tandem_csv_table_get_n_columns (table);
  guint n_rows = tandem_csv_table_get_n_rows (table);
  g_autoptr(GtkStringList) fields = gtk_string_list_new (NULL);
  g_autofree char *count = format_count (n_rows);
  g_autofree char *description = NULL;

  for (guint i = 0; i < self->mapping_rows->len; i++)
    adw_preferences_group_remove (self->mapping_group, g_ptr_array_index (self->mapping_rows, i));
  g_ptr_array_set_size (self->mapping_rows, 0);

  gtk_string_list_append (fields, _("Don’t import"));
  for (guint field = TANDEM_CSV_FIELD_NONE + 1; field < TANDEM_CSV_N_FIELDS; field++)
    gtk_string_list_append (fields, tandem_csv_field_get_header (field));

  /* Translators: the file name and how many rows it has. */
  description = g_strdup_printf (ngettext ("%s · %s row. Choose the Tandem field each column "
                                           "goes into.",
                                           "%s · %s rows. Choose the Tandem field each column "
                                           "goes into.",
                                           n_rows),
                                 self->file_name, count);
  adw_preferences_group_set_description (self->mapping_group, description);

  self->loading = TRUE;

  for (guint column = 0; column < n_columns; column++)
    {
      AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());
      const char *header = tandem_csv_table_get_header (table, column);
      const char *sample = NULL;

      for (guint r = 0; r < MIN (n_rows, PREVIEW_ROWS) && (sample == NULL || *sample == '\0'); r++)
        sample = tandem_csv_table_get_cell (table, r, column);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     header != NULL && *header != '\0' ? header : _("Unnamed column"));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      if (sample != NULL && *sample != '\0')
        {
          /* Translators: an example value of a column of the file. */
          g_autofree char *subtitle = g_strdup_printf (_("e.g. %s"), sample);

          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
          adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
        }
      adw_combo_row_set_model (row, G_LIST_MODEL (fields));
      adw_combo_row_set_selected (row, tandem_csv_import_get_mapping (self->import, column));
      g_object_set_data (G_OBJECT (row), "tandem-column", GUINT_TO_POINTER (column));
      g_signal_connect (row, "notify::selected", G_CALLBACK (mapping_changed_cb), self);

      adw_preferences_group_add (self->mapping_group, GTK_WIDGET (row));
      g_ptr_array_add (self->mapping_rows, row);
    }

  adw_combo_row_set_selected (self->duplicates_row,
                              tandem_csv_import_get_duplicates (self->import) ==
                              TANDEM_CSV_DUPLICATES_SKIP ? 1 : 0);
  self->loading = FALSE;

  refresh_preview (self);
}

static void
duplicates_changed_cb (TandemImportDialog *self)
{
  if (self->loading || self->import == NULL)
    return;

  tandem_csv_import_set_duplicates (self->import,
                                    adw_combo_row_get_selected (self->duplicates_row) == 1
                                    ? TANDEM_CSV_DUPLICATES_SKIP
                                    : TANDEM_CSV_DUPLICATES_UPDATE);
}

/* Loading the file. */

static void
parse_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  TandemCsvTable *table;

  /* GFile rather than a path, so files from portals and remote locations
   * load too. */
  if (!g_file_load_contents (file, cancellable, &contents, &length, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  table = tandem_csv_table_parse (contents, length, &error);
  if (table == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, tandem_csv_import_new (table), g_object_unref);
}

static void
parse_done_cb (GObject      *source_object,
               GAsyncResult *result,
               gpointer      user_data)
{
  TandemImportDialog *self = TANDEM_IMPORT_DIALOG (source_object);
  g_autoptr(GError) error = NULL;
  TandemCsvImport *import;

  self->busy = FALSE;
  import = g_task_propagate_pointer (G_TASK (result), &error);

  if (import == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      set_step (self, "choose");
      show_failure (self, _("The file could not be read: %s"), error->message);
      return;
    }

  g_clear_object (&self->import);
  self->import = import;
  build_mapping (self);
  set_step (self, "mapping");
}

void
tandem_import_dialog_load_file (TandemImportDialog *self,
                                GFile              *file)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TANDEM_IS_IMPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  g_free (self->file_name);
  self->file_name = g_file_get_basename (file);
  g_clear_object (&self->import);

  self->busy = TRUE;
  gtk_label_set_label (self->loading_label, _("Reading the file…"));
  set_step (self, "loading");

  task = g_task_new (self, self->cancellable, parse_done_cb, NULL);
  g_task_set_source_tag (task, tandem_import_dialog_load_file);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, parse_thread);
}

static void
chooser_response_cb (GtkNativeDialog    *chooser,
                     int                 response,
                     TandemImportDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        tandem_import_dialog_load_file (self, file);
    }

  g_clear_object (&self->chooser);
}

static void
import_choose_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TandemImportDialog *self = TANDEM_IMPORT_DIALOG (widget);
  g_autoptr(GtkFileFilter) csv_filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all_filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Choose a CSV File"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);

  gtk_file_filter_set_name (csv_filter, _("CSV files"));
  gtk_file_filter_add_mime_type (csv_filter, "text/csv");
  gtk_file_filter_add_suffix (csv_filter, "csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), csv_filter);
  gtk_file_filter_set_name (all_filter, _("All files"));
  gtk_file_filter_add_pattern (all_filter, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all_filter);

  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* Validation. */

typedef struct
{
  char            *db_path;
  char            *member_id;
  char            *file_name;
  TandemCsvImport *import;
} Job;

static void
job_free (Job *job)
{
  g_free (job->db_path);
  g_free (job->member_id);
  g_free (job->file_name);
  g_clear_object (&job->import);
  g_free (job);
}

static Job *
job_new (TandemImportDialog *self)
{
  Job *job = g_new0 (Job, 1);

  job->db_path = g_strdup (tandem_store_get_path (self->store));
  job->member_id = g_strdup (tandem_store_get_current_member (self->store));
  job->file_name = g_strdup (self->file_name);
  job->import = g_object_ref (self->import);

  return job;
}

static TandemStore *
job_open_store (Job     *job,
                GError **error)
{
  TandemStore *store;

  /* A connection of its own, so the main thread's store is never used from
   * two threads; the import is still attributed to whoever is working. */
  store = tandem_store_open (job->db_path, error);
  if (store != NULL)
    tandem_store_set_current_member (store, job->member_id);

  return store;
}

static void
validate_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemStore) store = job_open_store (job, &error);
  GPtrArray *problems;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  problems = tandem_csv_import_validate (job->import, store, &error);
  if (problems == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, problems, (GDestroyNotify) g_ptr_array_unref);
}

static void
validate_done_cb (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  TandemImportDialog *self = TANDEM_IMPORT_DIALOG (source_object);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;

  self->busy = FALSE;
  problems = g_task_propagate_pointer (G_TASK (result), &error);

  if (problems == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      set_step (self, "mapping");
      /* A mapping without an email column is the person's to fix, so it
       * is explained rather than reported as a failure. */
      show_failure (self, _("The file cannot be imported yet: %s"), error->message);
      return;
    }

  gtk_string_list_splice (self->problems, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->problems)), NULL);

  if (problems->len > 0)
    {
      g_autofree char *count = format_count (problems->len);
      g_autofree char *title = NULL;

      for (guint i = 0; i < problems->len; i++)
        {
          TandemCsvProblem *problem = g_ptr_array_index (problems, i);

          gtk_string_list_append (self->problems, problem->message);
        }

      title = g_strdup_printf (ngettext ("%s row cannot be imported",
                                         "%s rows cannot be imported",
                                         problems->len),
                               count);
      gtk_label_set_label (self->problems_title, title);
      set_step (self, "problems");
    }
  else
    {
      TandemCsvTable *table = tandem_csv_import_get_table (self->import);
      guint n_rows = tandem_csv_table_get_n_rows (table);
      g_autofree char *count = format_count (n_rows);
      g_autofree char *label = NULL;
      g_autofree char *description = NULL;

      label = g_strdup_printf (ngettext ("_Import %s Lead", "_Import %s Leads", n_rows), count);
      gtk_button_set_label (self->run_button, label);
      gtk_button_set_use_underline (self->run_button, TRUE);

      description = g_strdup_printf (_("Every row of “%s” can be imported. The import can be "
                                       "undone afterwards."),
                                     self->file_name);
      adw_status_page_set_description (self->ready_page, description);
      set_step (self, "ready");
      gtk_widget_grab_focus (GTK_WIDGET (self->run_button));
    }
}

static void
import_next_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TandemImportDialog *self = TANDEM_IMPORT_DIALOG (widget);
  g_autoptr(GTask) task = NULL;

  if (self->import == NULL || self->busy)
    return;

  self->busy = TRUE;
  gtk_label_set_label (self->loading_label, _("Checking every row…"));
  set_step (self, "loading");

  task = g_task_new (self, self->cancellable, validate_done_cb, NULL);
  g_task_set_source_tag (task, import_next_action);
  g_task_set_task_data (task, job_new (self), (GDestroyNotify) job_free);
  g_task_run_in_thread (task, validate_thread);
}

static void
import_back_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TandemImportDialog *self = TANDEM_IMPORT_DIALOG (widget);
  const char *step = tandem_import_dialog_get_step (self);

  if (self->busy)
    return;

  if (g_str_equal (step, "mapping"))
    set_step (self, "choose");
  else if (self->import != NULL)
    set_step (self, "mapping");
}

/* Importing. */

typedef struct
{
  TandemStore *store;
  GtkWidget   *toast_widget;
} UndoData;

static void
undo_data_free (gpointer data,
                GClosure *closure)
{
  UndoData *undo = data;

  g_clear_object (&undo->store);
  g_clear_weak_pointer (&undo->toast_widget);
  g_free (undo);
}

static void
undo_clicked_cb (AdwToast *toast,
                 UndoData *undo)
{
  g_autoptr(GError) error = NULL;
  TandemCsvImportResult undone = { NULL, };

  if (!tandem_csv_undo_last_import (undo->store, &undone, &error))
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("The import could not be undone: %s"), error->message);
      tandem_window_show_error (undo->toast_widget, message);
      return;
    }

  /* The leads the import had changed get back the scores of their old
   * values. The undo itself is committed, so a failure is only reported. */
  if (!tandem_scoring_rescore_leads (undo->store, undone.lead_ids, &error))
    g_warning ("The restored leads could not be scored: %s", error->message);

  if (undo->toast_widget != NULL)
    {
      g_autofree char *count = format_count (undone.created);
      g_autofree char *title = NULL;

      title = g_strdup_printf (ngettext ("Import undone: %s lead removed",
                                         "Import undone: %s leads removed",
                                         undone.created),
                               count);
      tandem_window_show_toast (undo->toast_widget, adw_toast_new (title));
    }

  tandem_csv_import_result_clear (&undone);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemStore) store = job_open_store (job, &error);
  TandemCsvImportResult *result;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  result = g_new0 (TandemCsvImportResult, 1);
  if (!tandem_csv_import_run (job->import, store, job->file_name, result, &error))
    {
      tandem_csv_import_result_clear (result);
      g_free (result);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Scores are derived: the imported leads get theirs now, and those that
   * qualify are handed off, as if they had been entered one by one. The
   * import itself is committed, so a failure here is only reported. */
  if (!tandem_scoring_rescore_leads (store, result->lead_ids, &error))
    g_warning ("The imported leads could not be scored: %s", error->message);

  g_task_return_pointer (task, result, NULL);
}

static gboolean
pulse_cb (gpointer user_data)
{
  TandemImportDialog *self = user_data;

  gtk_progress_bar_pulse (self->import_progress);

  return G_SOURCE_CONTINUE;
}

static void
import_done_cb (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  TandemImportDialog *self = TANDEM_IMPORT_DIALOG (source_object);
  g_autoptr(GError) error = NULL;
  TandemCsvImportResult *imported;
  g_autofree char *total = NULL;
  g_autofree char *created = NULL;
  g_autofree char *updated = NULL;
  g_autofree char *skipped = NULL;
  g_autofree char *title = NULL;
  GtkWidget *parent;
  UndoData *undo;
  AdwToast *toast;

  self->busy = FALSE;
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  imported = g_task_propagate_pointer (G_TASK (result), &error);

  if (imported == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      set_step (self, "mapping");
      show_failure (self, _("Nothing was imported: %s"), error->message);
      return;
    }

  /* The import wrote through its own connection, so the lists showing leads
   * and companies here have to be told to read them again. */
  tandem_store_notify_external_change (self->store, "companies");
  tandem_store_notify_external_change (self->store, "leads");

  total = format_count (imported->created + imported->updated + imported->skipped);
  created = format_count (imported->created);
  updated = format_count (imported->updated);
  skipped = format_count (imported->skipped);
  /* Translators: e.g. "Imported 1,234 leads: 1,200 new, 30 updated, 4 skipped". */
  title = g_strdup_printf (_("Imported %s leads: %s new, %s updated, %s skipped"),
                           total, created, updated, skipped);

  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 10);

  parent = GTK_WIDGET (gtk_window_get_transient_for (GTK_WINDOW (self)));
  undo = g_new0 (UndoData, 1);
  undo->store = g_object_ref (self->store);
  g_set_weak_pointer (&undo->toast_widget, parent);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (undo_clicked_cb), undo,
                         undo_data_free, 0);

  tandem_csv_import_result_clear (imported);
  g_free (imported);

  g_signal_emit (self, signals[IMPORTED], 0, toast);
  tandem_window_show_toast (parent, toast);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
import_run_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  TandemImportDialog *self = TANDEM_IMPORT_DIALOG (widget);
  g_autoptr(GTask) task = NULL;

  if (self->import == NULL || self->busy)
    return;

  self->busy = TRUE;
  gtk_progress_bar_set_fraction (self->import_progress, 0.0);
  self->pulse_id = g_timeout_add (PULSE_INTERVAL_MS, pulse_cb, self);
  set_step (self, "importing");

  task = g_task_new (self, NULL, import_done_cb, NULL);
  g_task_set_source_tag (task, import_run_action);
  g_task_set_task_data (task, job_new (self), (GDestroyNotify) job_free);
  g_task_run_in_thread (task, import_thread);
}

/* Public API. */

TandemImportDialog *
tandem_import_dialog_new (GtkWindow   *parent,
                          TandemStore *store)
{
  TandemImportDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);

  self = g_object_new (TANDEM_TYPE_IMPORT_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->store = g_object_ref (store);

  return self;
}

const char *
tandem_import_dialog_get_step (TandemImportDialog *self)
{
  const char *name;

  g_return_val_if_fail (TANDEM_IS_IMPORT_DIALOG (self), NULL);

  name = gtk_stack_get_visible_child_name (self->stack);

  return name != NULL ? name : "choose";
}

TandemCsvImport *
tandem_import_dialog_get_import (TandemImportDialog *self)
{
  g_return_val_if_fail (TANDEM_IS_IMPORT_DIALOG (self), NULL);

  return self->import;
}

GListModel *
tandem_import_dialog_get_problems (TandemImportDialog *self)
{
  g_return_val_if_fail (TANDEM_IS_IMPORT_DIALOG (self), NULL);

  return G_LIST_MODEL (self->problems);
}

void
tandem_import_dialog_present (GtkWidget   *parent,
                              TandemStore *store)
{
  GtkRoot *root;
  TandemImportDialog *dialog;

  g_return_if_fail (parent == NULL || GTK_IS_WIDGET (parent));
  g_return_if_fail (TANDEM_IS_STORE (store));

  root = parent != NULL ? gtk_widget_get_root (parent) : NULL;
  dialog = tandem_import_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, store);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Export. */

typedef struct
{
  GtkWidget       *parent;
  TandemStore     *store;
  TandemLeadQuery *query;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_clear_weak_pointer (&data->parent);
  g_clear_object (&data->store);
  g_clear_object (&data->query);
  g_free (data);
}

static void
export_response_cb (GtkNativeDialog *chooser,
                    int              response,
                    ExportData      *data)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  guint n_written = 0;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  if (file != NULL)
    path = g_file_get_path (file);

  if (file != NULL && path == NULL)
    {
      tandem_window_show_error (data->parent,
                                _("Tandem can only export to a file on this computer. "
                                  "Choose a folder in your home folder."));
    }
  else if (path != NULL)
    {
      if (!tandem_csv_export_leads (data->store, data->query, path, &n_written, &error))
        {
          g_autofree char *message = NULL;

          message = g_strdup_printf (_("The leads could not be exported: %s"), error->message);
          tandem_window_show_error (data->parent, message);
        }
      else
        {
          g_autofree char *count = format_count (n_written);
          g_autofree char *title = NULL;

          title = g_strdup_printf (ngettext ("Exported %s lead", "Exported %s leads", n_written),
                                   count);
          tandem_window_show_toast (data->parent, adw_toast_new (title));
        }
    }

  export_data_free (data);
  g_object_unref (chooser);
}

void
tandem_export_leads_present (GtkWidget   *parent,
                             TandemStore *store,
                             gpointer     query)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  GtkFileChooserNative *chooser;
  GtkRoot *root;
  ExportData *data;

  g_return_if_fail (parent == NULL || GTK_IS_WIDGET (parent));
  g_return_if_fail (TANDEM_IS_STORE (store));
  g_return_if_fail (query == NULL || TANDEM_IS_LEAD_QUERY (query));

  root = parent != NULL ? gtk_widget_get_root (parent) : NULL;
  chooser = gtk_file_chooser_native_new (_("Export Leads"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("leads.csv"));
  gtk_file_filter_set_name (filter, _("CSV files"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_suffix (filter, "csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);

  data = g_new0 (ExportData, 1);
  g_set_weak_pointer (&data->parent, parent);
  data->store = g_object_ref (store);
  data->query = query != NULL ? g_object_ref (query) : NULL;

  g_signal_connect (chooser, "response", G_CALLBACK (export_response_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* GObject. */

static void
problem_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "import-problem");
  gtk_list_item_set_child (item, label);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
problem_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  GtkStringObject *object = gtk_list_item_get_item (item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)),
                       gtk_string_object_get_string (object));
}

static void
tandem_import_dialog_dispose (GObject *object)
{
  TandemImportDialog *self = TANDEM_IMPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->pulse_id, g_source_remove);

  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), TANDEM_TYPE_IMPORT_DIALOG);

  g_clear_object (&self->import);
  g_clear_object (&self->store);
  g_clear_object (&self->preview_model);
  g_clear_object (&self->problems);

  G_OBJECT_CLASS (tandem_import_dialog_parent_class)->dispose (object);
}

static void
tandem_import_dialog_finalize (GObject *object)
{
  TandemImportDialog *self = TANDEM_IMPORT_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->preview_rows, g_ptr_array_unref);
  g_clear_pointer (&self->mapping_rows, g_ptr_array_unref);
  g_free (self->file_name);

  G_OBJECT_CLASS (tandem_import_dialog_parent_class)->finalize (object);
}

static void
tandem_import_dialog_class_init (TandemImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tandem_import_dialog_dispose;
  object_class->finalize = tandem_import_dialog_finalize;

  /**
   * TandemImportDialog::imported:
   * @toast: the toast that reports the import and offers to undo it
   *
   * Sent when an import finished, just before the toast is shown and the
   * dialog closes.
   */
  signals[IMPORTED] =
    g_signal_new ("imported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, ADW_TYPE_TOAST);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tandemdesk/Tandem/tandem-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemImportDialog, back_button);
  gtk_widget_class_bind_template_child (widget_class, TandemImportDialog, next_button);
  gtk_widget_class_bind_template_child (widget_class, TandemImportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, TandemImportDialog, choose_page);
  gtk_widget_class_bind_template_child (widget_class, TandemImportDialog, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, TandemImportDialog, loading_label);
  gtk_widget_class_bind_template_child (widget_class, TandemImportDialog, mapping_group);
  gtk_widget_class_bind_template_child (widget_class, TandemImportDialog, duplicates_row);
  gtk_widget_class_bind_template_child (widget_class, TandemImportDialog, preview_view);
  gtk_widget_class_bind_template_child (widget_class, TandemImportDialog, problems_title);
  gtk_widget_class_bind_template_child (widget_class, TandemImportDialog, problems_view);
  gtk_widget_class_bind_template_child (widget_class, TandemImportDialog, ready_page);
  gtk_widget_class_bind_template_child (widget_class, TandemImportDialog, run_button);
  gtk_widget_class_bind_template_child (widget_class, TandemImportDialog, importing_label);
  gtk_widget_class_bind_template_child (widget_class, TandemImportDialog, import_progress);
  gtk_widget_class_bind_template_callback (widget_class, duplicates_changed_cb);

  gtk_widget_class_install_action (widget_class, "import.choose", NULL, import_choose_action);
  gtk_widget_class_install_action (widget_class, "import.next", NULL, import_next_action);
  gtk_widget_class_install_action (widget_class, "import.back", NULL, import_back_action);
  gtk_widget_class_install_action (widget_class, "import.run", NULL, import_run_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tandem_import_dialog_init (TandemImportDialog *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkNoSelection) selection = NULL;

  self->cancellable = g_cancellable_new ();
  self->mapping_rows = g_ptr_array_new ();
  self->problems = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (factory, "setup", G_CALLBACK (problem_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (problem_bind_cb), NULL);
  gtk_list_view_set_factory (self->problems_view, factory);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->problems)));
  gtk_list_view_set_model (self->problems_view, GTK_SELECTION_MODEL (selection));

  set_step (self, "choose");
}
