/* tandem-cli.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "tandem-core.h"
#include "tandem-csv.h"
#include "tandem-lead-query.h"
#include "tandem-sync-client.h"

/* Exit statuses: 0 for success, 1 when the work failed, 2 when the command
 * line was wrong, so scripts can tell a typo from a broken workspace. */
enum
{
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
};

/* The tables `info` counts, in the order it prints them. Their names are
 * printed as they are, untranslated, because scripts read the output. */
static const char *const info_tables[] = {
  "members", "icps", "personas", "companies", "leads", "activities", "deals", "assets",
  "agreements", "goals",
};

#define MAX_SAMPLE_LEADS 5000000

typedef int (*CommandFunc) (int    argc,
                            char **argv);

typedef struct
{
  const char  *name;
  const char  *summary;
  CommandFunc  run;
} Command;

static int
fail (const char *message)
{
  g_printerr ("tandem-cli: %s\n", message);
  return EXIT_FAILED;
}

static int
usage_error (const char *command,
             const char *message)
{
  g_printerr ("tandem-cli: %s\n", message);
  g_printerr (_("Run “tandem-cli %s --help” to see the options.\n"), command ? command : "");
  return EXIT_USAGE;
}

/* Parses the options of a command. The program name shown in --help is
 * "tandem-cli COMMAND", which GOption takes from the first argument. */
static int
parse_options (const char    *command,
               const char    *summary,
               GOptionEntry  *entries,
               int           *argc,
               char        ***argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *program = g_strdup_printf ("tandem-cli %s", command);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);

  g_free ((*argv)[0]);
  (*argv)[0] = g_steal_pointer (&program);

  if (!g_option_context_parse_strv (context, argv, &error))
    return usage_error (command, error->message);

  *argc = g_strv_length (*argv);
  if (*argc > 1)
    {
      g_autofree char *message = g_strdup_printf (_("Unexpected argument “%s”."), (*argv)[1]);
      return usage_error (command, message);
    }

  return EXIT_OK;
}

static gboolean
parse_count (const char  *option,
             const char  *text,
             guint64      min,
             guint64      max,
             guint64     *value,
             char       **message)
{
  g_autoptr(GError) error = NULL;

  if (!g_ascii_string_to_unsigned (text, 10, min, max, value, &error))
    {
      *message = g_strdup_printf (_("%s expects a whole number from %" G_GUINT64_FORMAT
                                    " to %" G_GUINT64_FORMAT ", not “%s”."),
                                  option, min, max, text);
      return FALSE;
    }

  return TRUE;
}

/* Removes a workspace file and its write-ahead log, for a file this run
 * created and then could not fill. */
static void
remove_workspace_files (const char *path)
{
  static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_unlink (file);
    }
}

/* demo */

typedef struct
{
  int last_percent;
} DemoProgress;

static void
demo_progress (double   fraction,
               gpointer user_data)
{
  DemoProgress *progress = user_data;
  int percent = (int) (fraction * 100);

  if (percent == progress->last_percent)
    return;

  progress->last_percent = percent;
  /* TRANSLATORS: progress of "tandem-cli demo"; %d is a percentage. */
  g_printerr (_("\rGenerating the sample workspace… %3d %%"), percent);
}

static void
print_count (TandemStore *store,
             const char  *table,
             const char  *singular,
             const char  *plural)
{
  gint64 count = tandem_store_count (store, table);
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, count);
  const char *format = g_dngettext (GETTEXT_PACKAGE, singular, plural, (gulong) count);
  g_autoptr(GString) line = g_string_new (format);

  /* The formats hold one %s, for the number: the plural form is chosen by
   * count but the number itself is not a printf argument of a translated
   * format. */
  g_string_replace (line, "%s", number, 1);
  g_print ("  %s\n", line->str);
}

static int
run_demo (int    argc,
          char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *leads_text = NULL;
  g_autofree char *seed_text = NULL;
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimer) timer = NULL;
  guint64 n_leads = TANDEM_SAMPLE_DEFAULT_LEADS;
  guint64 seed = TANDEM_SAMPLE_DEFAULT_SEED;
  DemoProgress progress = { -1 };
  gboolean existed;
  gboolean show_progress;
  gboolean ok;
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path,
      N_("The workspace file to create (default: your Tandem workspace)"), N_("PATH") },
    { "leads", 0, 0, G_OPTION_ARG_STRING, &leads_text,
      N_("How many leads to make (default: 2000)"), N_("N") },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text,
      N_("The random seed; the same seed on the same day gives the same workspace (default: 1)"),
      N_("S") },
    { NULL }
  };

  status = parse_options ("demo", _("Fills a new, empty workspace with a sample company: team, "
                                    "ICPs, personas, a year of leads and their activities, deals, "
                                    "content and a signed SLA."),
                          entries, &argc, &argv);
  if (status != EXIT_OK)
    return status;

  if (leads_text != NULL)
    {
      g_autofree char *message = NULL;

      if (!parse_count ("--leads", leads_text, 1, MAX_SAMPLE_LEADS, &n_leads, &message))
        return usage_error ("demo", message);
    }

  if (seed_text != NULL)
    {
      g_autofree char *message = NULL;

      if (!parse_count ("--seed", seed_text, 0, G_MAXUINT64, &seed, &message))
        return usage_error ("demo", message);
    }

  if (db_path == NULL)
    {
      g_autofree char *dir = NULL;

      db_path = tandem_store_default_path ();
      dir = g_path_get_dirname (db_path);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved_errno = errno;
          g_autofree char *message = g_strdup_printf (_("Could not create the folder “%s”: %s"),
                                                      dir, g_strerror (saved_errno));
          return fail (message);
        }
    }

  existed = g_file_test (db_path, G_FILE_TEST_EXISTS);
  timer = g_timer_new ();

  store = tandem_store_open (db_path, &error);
  if (store == NULL)
    return fail (error->message);

  show_progress = isatty (STDERR_FILENO);
  ok = tandem_sample_generate (store, (guint) n_leads, seed, 0,
                               show_progress ? demo_progress : NULL, &progress, &error);
  if (show_progress && progress.last_percent >= 0)
    g_printerr ("\n");

  if (!ok)
    {
      g_clear_object (&store);
      if (!existed)
        remove_workspace_files (db_path);
      return fail (error->message);
    }

  g_timer_stop (timer);

  g_print (_("Made a sample workspace in %.1f s: %s\n"), g_timer_elapsed (timer, NULL), db_path);
  /* TRANSLATORS: in these lines %s is a number. */
  print_count (store, "members", N_("%s team member"), N_("%s team members"));
  print_count (store, "icps", N_("%s ideal customer profile"), N_("%s ideal customer profiles"));
  print_count (store, "personas", N_("%s persona"), N_("%s personas"));
  print_count (store, "companies", N_("%s company"), N_("%s companies"));
  print_count (store, "leads", N_("%s lead"), N_("%s leads"));
  print_count (store, "activities", N_("%s activity"), N_("%s activities"));
  print_count (store, "stage_history", N_("%s stage change"), N_("%s stage changes"));
  print_count (store, "deals", N_("%s deal"), N_("%s deals"));
  print_count (store, "assets", N_("%s content asset"), N_("%s content assets"));
  print_count (store, "agreements", N_("%s SLA agreement"), N_("%s SLA agreements"));
  print_count (store, "goals", N_("%s goal"), N_("%s goals"));

  return EXIT_OK;
}

/* info */

static int
run_info (int    argc,
          char **argv)
{
  g_autofree char *db_path = NULL;
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(GError) error = NULL;
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path,
      N_("The workspace file to read (default: your Tandem workspace)"), N_("PATH") },
    { NULL }
  };

  status = parse_options ("info", _("Prints the schema version of a workspace and how many "
                                    "items of each kind it holds."),
                          entries, &argc, &argv);
  if (status != EXIT_OK)
    return status;

  if (db_path == NULL)
    db_path = tandem_store_default_path ();

  /* Opening would create an empty workspace, which is not what someone who
   * mistyped a path wants. */
  if (!g_file_test (db_path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *message = g_strdup_printf (_("There is no workspace at “%s”."), db_path);
      return fail (message);
    }

  store = tandem_store_open (db_path, &error);
  if (store == NULL)
    return fail (error->message);

  g_print ("schema: %d\n", tandem_store_get_schema_version (store));
  for (guint i = 0; i < G_N_ELEMENTS (info_tables); i++)
    g_print ("%s: %" G_GINT64_FORMAT "\n", info_tables[i],
             tandem_store_count (store, info_tables[i]));

  return EXIT_OK;
}

/* Opens an existing workspace for export and rescore: opening would create
 * an empty one, which is not what someone who mistyped a path wants. An
 * import may create it (@create): filling a new workspace from a file is
 * what people moving from another tool do first. */
static TandemStore *
open_existing (const char  *command,
               char       **db_path,
               gboolean     create,
               int         *status)
{
  g_autoptr(GError) error = NULL;
  TandemStore *store;

  if (*db_path == NULL)
    *db_path = tandem_store_default_path ();

  if (!create && !g_file_test (*db_path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *message = g_strdup_printf (_("There is no workspace at “%s”."), *db_path);
      *status = fail (message);
      return NULL;
    }

  store = tandem_store_open (*db_path, &error);
  if (store == NULL)
    *status = fail (error->message);

  return store;
}

/* import */

static int
run_import (int    argc,
            char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *on_duplicate = NULL;
  g_auto(GStrv) files = NULL;
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(TandemCsvImport) import = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimer) timer = NULL;
  g_autofree char *base_name = NULL;
  TandemCsvTable *table;
  TandemCsvImportResult result = { NULL };
  TandemCsvDuplicates duplicates = TANDEM_CSV_DUPLICATES_UPDATE;
  int status = EXIT_OK;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path,
      N_("The workspace to import into (default: your Tandem workspace)"), N_("PATH") },
    { "on-duplicate", 0, 0, G_OPTION_ARG_STRING, &on_duplicate,
      N_("What a row whose email address is known does: “update” the lead (default) or "
         "“skip” the row"), N_("update|skip") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE.csv") },
    { NULL }
  };

  status = parse_options ("import", _("Imports leads and their companies from a CSV file in one "
                                      "step that can be undone. When any row has errors, they "
                                      "are listed with their line numbers and nothing is "
                                      "imported."),
                          entries, &argc, &argv);
  if (status != EXIT_OK)
    return status;

  if (files == NULL || files[0] == NULL || files[1] != NULL)
    return usage_error ("import", _("Name one CSV file to import."));

  if (on_duplicate == NULL || g_str_equal (on_duplicate, "update"))
    duplicates = TANDEM_CSV_DUPLICATES_UPDATE;
  else if (g_str_equal (on_duplicate, "skip"))
    duplicates = TANDEM_CSV_DUPLICATES_SKIP;
  else
    {
      g_autofree char *message = g_strdup_printf (_("--on-duplicate expects “update” or “skip”, "
                                                    "not “%s”."), on_duplicate);
      return usage_error ("import", message);
    }

  timer = g_timer_new ();

  table = tandem_csv_table_parse_file (files[0], &error);
  if (table == NULL)
    {
      g_autofree char *message = g_strdup_printf ("%s: %s", files[0], error->message);
      return fail (message);
    }

  import = tandem_csv_import_new (table);
  tandem_csv_import_set_duplicates (import, duplicates);

  /* The file is checked before the workspace is even opened, so a file
   * with errors never touches it. */
  problems = tandem_csv_import_validate (import, NULL, &error);
  if (problems == NULL)
    return fail (error->message);

  if (problems->len > 0)
    {
      for (guint i = 0; i < problems->len; i++)
        {
          const TandemCsvProblem *problem = g_ptr_array_index (problems, i);

          g_printerr ("%s:%u: %s\n", files[0], problem->line, problem->message);
        }

      if (!tandem_csv_import_check (import, &error))
        return fail (error->message);
    }

  store = open_existing ("import", &db_path, TRUE, &status);
  if (store == NULL)
    return status;

  base_name = g_path_get_basename (files[0]);
  if (!tandem_csv_import_run (import, store, base_name, &result, &error))
    return fail (error->message);

  g_timer_stop (timer);

  /* TRANSLATORS: the summary of "tandem-cli import"; the numbers are
   * counts of rows. */
  g_print (g_dngettext (GETTEXT_PACKAGE,
                        "Imported %u lead: %u new, %u updated, %u skipped (%.2f s)\n",
                        "Imported %u leads: %u new, %u updated, %u skipped (%.2f s)\n",
                        result.created + result.updated + result.skipped),
           result.created + result.updated + result.skipped, result.created, result.updated,
           result.skipped, g_timer_elapsed (timer, NULL));
  if (result.companies_created > 0)
    g_print (g_dngettext (GETTEXT_PACKAGE, "Added %u company.\n", "Added %u companies.\n",
                          result.companies_created), result.companies_created);

  /* Scores are derived: the imported leads get theirs now, and those that
   * qualify are handed off, as the app does after an import. */
  if (result.lead_ids->len > 0)
    {
      g_timer_start (timer);
      if (!tandem_scoring_rescore_leads (store, result.lead_ids, &error))
        {
          tandem_csv_import_result_clear (&result);
          return fail (error->message);
        }
      g_print (_("Scored the leads (%.2f s).\n"), g_timer_elapsed (timer, NULL));
    }

  tandem_csv_import_result_clear (&result);
  return EXIT_OK;
}

/* export */

static int
run_export (int    argc,
            char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *output = NULL;
  g_auto(GStrv) stages = NULL;
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(TandemLeadQuery) query = NULL;
  g_autoptr(GError) error = NULL;
  guint n_written = 0;
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path,
      N_("The workspace to export from (default: your Tandem workspace)"), N_("PATH") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("The CSV file to write"), N_("FILE.csv") },
    { "stage", 0, 0, G_OPTION_ARG_STRING_ARRAY, &stages,
      N_("Only leads in this stage (lead, mql, sal, sql, opportunity, customer, nurture, lost, "
         "disqualified); repeat for several"), N_("S") },
    { NULL }
  };

  status = parse_options ("export", _("Writes the leads, with their company, to a CSV file "
                                      "that “tandem-cli import” and spreadsheets read."),
                          entries, &argc, &argv);
  if (status != EXIT_OK)
    return status;

  if (output == NULL)
    return usage_error ("export", _("Name the file to write with -o FILE.csv."));

  for (guint i = 0; stages != NULL && stages[i] != NULL; i++)
    {
      const char *stage = tandem_csv_map_lifecycle_stage (stages[i]);

      if (stage == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("“%s” is not a stage."), stages[i]);
          return usage_error ("export", message);
        }
      g_free (stages[i]);
      stages[i] = g_strdup (stage);
    }

  store = open_existing ("export", &db_path, FALSE, &status);
  if (store == NULL)
    return status;

  query = tandem_lead_query_new ();
  tandem_lead_query_set_stages (query, (const char * const *) stages);

  if (!tandem_csv_export_leads (store, query, output, &n_written, &error))
    return fail (error->message);

  g_print (g_dngettext (GETTEXT_PACKAGE, "Exported %u lead to %s\n", "Exported %u leads to %s\n",
                        n_written), n_written, output);
  return EXIT_OK;
}

/* rescore */

static int
run_rescore (int    argc,
             char **argv)
{
  g_autofree char *db_path = NULL;
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimer) timer = NULL;
  gint64 n_leads;
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path,
      N_("The workspace to rescore (default: your Tandem workspace)"), N_("PATH") },
    { NULL }
  };

  status = parse_options ("rescore", _("Recomputes the score, grade and best match of every "
                                       "lead with the saved rules, and moves leads that now "
                                       "reach a threshold."),
                          entries, &argc, &argv);
  if (status != EXIT_OK)
    return status;

  store = open_existing ("rescore", &db_path, FALSE, &status);
  if (store == NULL)
    return status;

  timer = g_timer_new ();
  if (!tandem_scoring_rescore_all (store, NULL, NULL, NULL, &error))
    return fail (error->message);
  g_timer_stop (timer);

  n_leads = tandem_store_count (store, "leads");
  g_print (g_dngettext (GETTEXT_PACKAGE, "Rescored %" G_GINT64_FORMAT " lead in %.2f s\n",
                        "Rescored %" G_GINT64_FORMAT " leads in %.2f s\n", (gulong) n_leads),
           n_leads, g_timer_elapsed (timer, NULL));
  return EXIT_OK;
}

/* sync */

/* Reads a token from a file, as `tandem-sync token add` printed it: the
 * token is kept out of the command line, where other users of the
 * computer could see it in the process list. */
static char *
read_token_file (const char  *path,
                 char       **message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &error))
    {
      *message = g_strdup_printf (_("Could not read the token file: %s"), error->message);
      return NULL;
    }

  g_strstrip (contents);
  if (*contents == '\0')
    {
      *message = g_strdup_printf (_("The token file “%s” is empty."), path);
      return NULL;
    }

  return g_steal_pointer (&contents);
}

static void
print_sync_report (const TandemSyncReport *report)
{
  g_autoptr(GString) line = g_string_new (NULL);

  g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, "Pushed %u change",
                                             "Pushed %u changes", report->pushed),
                          report->pushed);
  g_string_append (line, ", ");
  g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, "pulled %u", "pulled %u",
                                             report->pulled),
                          report->pulled);
  g_string_append (line, " (");
  g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, "applied %u", "applied %u",
                                             report->applied),
                          report->applied);
  g_string_append (line, ", ");
  g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, "%u conflict", "%u conflicts",
                                             report->conflicts),
                          report->conflicts);
  g_string_append (line, ")");
  if (report->took_snapshot)
    g_string_append (line, _("; took a snapshot"));
  if (report->pending > 0)
    {
      g_string_append (line, "; ");
      g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE,
                                                 "%" G_GINT64_FORMAT " change still to push",
                                                 "%" G_GINT64_FORMAT " changes still to push",
                                                 (gulong) report->pending),
                              report->pending);
    }

  g_print ("%s\n", line->str);
}

static int
run_sync (int    argc,
          char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *server = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *token = NULL;
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(GError) error = NULL;
  TandemSyncReport report = { 0, };
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path,
      N_("The workspace to sync (default: your Tandem workspace)"), N_("PATH") },
    { "server", 0, 0, G_OPTION_ARG_STRING, &server,
      N_("The sync server's address, saved in the workspace (http://host:8765)"), N_("URL") },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      N_("A file holding the token `tandem-sync token add` printed, saved in the workspace"),
      N_("FILE") },
    { NULL }
  };

  status = parse_options ("sync", _("Pushes this workspace's changes to its sync server and "
                                    "pulls everyone else's, once. A new, empty workspace is "
                                    "filled from the server."),
                          entries, &argc, &argv);
  if (status != EXIT_OK)
    return status;

  if ((server == NULL) != (token_file == NULL))
    return usage_error ("sync", _("--server and --token-file go together."));

  if (token_file != NULL)
    {
      g_autofree char *message = NULL;

      token = read_token_file (token_file, &message);
      if (token == NULL)
        return fail (message);
    }

  /* With a server given, a missing workspace is created and filled from
   * the server: that is how a new desktop joins. */
  store = open_existing ("sync", &db_path, server != NULL, &status);
  if (store == NULL)
    return status;

  if (server != NULL && !tandem_sync_client_configure (store, server, token, &error))
    return fail (error->message);

  if (!tandem_sync_client_run (store, NULL, &report, &error))
    return fail (error->message);

  print_sync_report (&report);
  return EXIT_OK;
}

/* Top level. */

static const Command commands[] = {
  { "demo", N_("Fill a new workspace with a sample company"), run_demo },
  { "info", N_("Show what a workspace holds"), run_info },
  { "import", N_("Import leads from a CSV file"), run_import },
  { "export", N_("Export leads to a CSV file"), run_export },
  { "rescore", N_("Recompute every lead's score"), run_rescore },
  { "sync", N_("Sync with the team's server once"), run_sync },
};

static void
print_usage (FILE *stream)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append_printf (text, "%s\n  tandem-cli %s\n\n", _("Usage:"), _("COMMAND [OPTION…]"));
  g_string_append_printf (text, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "  %-8s%s\n", commands[i].name, _(commands[i].summary));
  g_string_append_printf (text, "\n%s\n", _("Options:"));
  g_string_append_printf (text, "  -h, --help     %s\n", _("Show this help"));
  g_string_append_printf (text, "  --version      %s\n\n", _("Show the version"));
  g_string_append_printf (text, "%s\n",
                          _("Run “tandem-cli COMMAND --help” for the options of a command."));

  if (stream == stderr)
    g_printerr ("%s", text->str);
  else
    g_print ("%s", text->str);
}

int
main (int   argc,
      char *argv[])
{
  g_auto(GStrv) args = NULL;
  const char *name;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      print_usage (stderr);
      return EXIT_USAGE;
    }

  name = argv[1];
  if (g_str_equal (name, "--help") || g_str_equal (name, "-h") || g_str_equal (name, "help"))
    {
      print_usage (stdout);
      return EXIT_OK;
    }

  if (g_str_equal (name, "--version"))
    {
      g_print ("tandem-cli %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (name, commands[i].name))
      {
        /* The command sees its own name as argv[0] and its options after. */
        args = g_strdupv (argv + 1);
        return commands[i].run (argc - 1, args);
      }

  g_printerr (_("tandem-cli: “%s” is not a command.\n\n"), name);
  print_usage (stderr);
  return EXIT_USAGE;
}
