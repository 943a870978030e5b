/* tandem-application.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "tandem-application.h"
#include "tandem-window.h"

struct _TandemApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (TandemApplication, tandem_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Use the workspace database at PATH"), N_("PATH") },
  { NULL }
};

/* The workspace to open when none is named on the command line: the one
 * opened last, as long as it is still there, else the default location. */
static char *
choose_database_path (TandemApplication *self)
{
  g_autofree char *last = g_settings_get_string (self->settings, "last-database");

  if (last[0] != '\0' && g_file_test (last, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&last);

  return tandem_store_default_path ();
}

static void
on_window_store_changed (TandemApplication *self,
                         GParamSpec        *pspec,
                         TandemWindow      *window)
{
  TandemStore *store = tandem_window_get_store (window);
  GAction *preferences;
  g_autofree char *default_path = NULL;
  const char *path;

  /* Preferences belong to a workspace, so there are none on the welcome
   * page. */
  preferences = g_action_map_lookup_action (G_ACTION_MAP (self), "preferences");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (preferences), store != NULL);

  if (store == NULL)
    return;

  /* The default location is remembered as an empty string, so that moving
   * the data directory does not leave a stale path behind. */
  path = tandem_store_get_path (store);
  default_path = tandem_store_default_path ();
  g_settings_set_string (self->settings, "last-database",
                         g_strcmp0 (path, default_path) == 0 ? "" : path);
}

static TandemWindow *
ensure_window (TandemApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (TANDEM_IS_WINDOW (window))
    return TANDEM_WINDOW (window);

  window = GTK_WINDOW (tandem_window_new (GTK_APPLICATION (self)));
  g_signal_connect_object (window, "notify::store",
                           G_CALLBACK (on_window_store_changed), self,
                           G_CONNECT_SWAPPED);
  on_window_store_changed (self, NULL, TANDEM_WINDOW (window));

  return TANDEM_WINDOW (window);
}

static void
open_workspace (TandemApplication *self,
                const char        *path)
{
  TandemWindow *window = ensure_window (self);

  /* Presented first, so that an error opening the workspace has a window
   * to show its dialog over. */
  gtk_window_present (GTK_WINDOW (window));

  if (tandem_window_get_store (window) == NULL ||
      g_strcmp0 (tandem_window_get_database_path (window), path) != 0)
    tandem_window_open_database (window, path);
}

static void
tandem_application_activate (GApplication *application)
{
  TandemApplication *self = TANDEM_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autofree char *path = NULL;

  if (window != NULL)
    {
      gtk_window_present (window);
      return;
    }

  path = choose_database_path (self);
  open_workspace (self, path);
}

static int
tandem_application_command_line (GApplication            *application,
                                 GApplicationCommandLine *command_line)
{
  TandemApplication *self = TANDEM_APPLICATION (application);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  const char *db = NULL;

  if (g_variant_dict_lookup (options, "db", "^&ay", &db) && db[0] != '\0')
    {
      /* Relative to the directory the command ran in, which need not be
       * this instance's when Tandem was already running. */
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line, db);
      g_autofree char *path = g_file_get_path (file);

      open_workspace (self, path);
      return 0;
    }

  g_application_activate (application);

  return 0;
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  g_autolist(GtkWindow) windows = NULL;

  /* Closing the windows rather than quitting outright lets each remember
   * its size the way it does when closed by hand. */
  windows = g_list_copy_deep (gtk_application_get_windows (application),
                              (GCopyFunc) g_object_ref, NULL);
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);

  g_application_quit (G_APPLICATION (application));
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  static const char *developers[] = { "Tandem developers", NULL };
  GtkWindow *window = gtk_application_get_active_window (application);

  adw_show_about_window (window,
                         "application-name", _("Tandem"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", _("Tandem developers"),
                         "developers", developers,
                         "copyright", "© 2026 Tandem developers",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "comments", _("Sales and marketing, working from one playbook"),
                         /* Translators: replace with your names, one per line. */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  if (TANDEM_IS_WINDOW (window))
    tandem_window_show_preferences (TANDEM_WINDOW (window));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
  { "preferences", preferences_action },
};

static void
tandem_application_startup (GApplication *application)
{
  TandemApplication *self = TANDEM_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (tandem_application_parent_class)->startup (application);

  self->settings = g_settings_new (APP_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);

  gtk_window_set_default_icon_name (APP_ID);
}

static void
tandem_application_dispose (GObject *object)
{
  TandemApplication *self = TANDEM_APPLICATION (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tandem_application_parent_class)->dispose (object);
}

static void
tandem_application_class_init (TandemApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = tandem_application_dispose;

  app_class->startup = tandem_application_startup;
  app_class->activate = tandem_application_activate;
  app_class->command_line = tandem_application_command_line;
}

static void
tandem_application_init (TandemApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}

TandemApplication *
tandem_application_new (void)
{
  return g_object_new (TANDEM_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/io/github/tandemdesk/Tandem",
                       NULL);
}
