/* tandem-welcome-page.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "tandem-welcome-page.h"
#include "tandem-window.h"

struct _TandemWelcomePage
{
  AdwBin          parent_instance;

  char           *database_path;
  GCancellable   *cancellable;
  guint           pulse_id;
  /* Whether the database file was there before sample generation started,
   * so that a failed attempt removes only what it created itself. */
  gboolean        sample_path_existed;
  gboolean        busy;

  /* Template widgets */
  AdwEntryRow    *name_row;
  GtkWidget      *progress_box;
  GtkProgressBar *progress_bar;
  GtkLabel       *progress_label;
};

G_DEFINE_FINAL_TYPE (TandemWelcomePage, tandem_welcome_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_DATABASE_PATH,
  PROP_USER_NAME,
  PROP_BUSY,
  N_PROPS
};

enum {
  WORKSPACE_READY,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_busy (TandemWelcomePage *self,
          gboolean           busy)
{
  g_assert (TANDEM_IS_WELCOME_PAGE (self));

  if (self->busy == busy)
    return;

  self->busy = busy;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "welcome.create-empty", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "welcome.create-sample", !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), !busy);
  gtk_widget_set_visible (self->progress_box, busy);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Creates the folder the workspace lives in; the default location under the
 * user's data directory does not exist on a fresh system. */
static gboolean
ensure_parent_directory (const char  *path,
                         GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the folder %s: %s"),
                   dir, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static void
remove_database_files (const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
}

static void
on_name_changed (TandemWelcomePage *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_NAME]);
}

static void
on_name_activated (TandemWelcomePage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "welcome.create-empty", NULL);
}

static void
create_empty_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  TandemWelcomePage *self = TANDEM_WELCOME_PAGE (widget);
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(TandemMember) member = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  gboolean existed;

  if (self->busy || self->database_path == NULL)
    return;

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  if (name[0] == '\0')
    {
      /* Every change is attributed to somebody, so the workspace cannot
       * start without its first member. */
      gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return;
    }

  existed = g_file_test (self->database_path, G_FILE_TEST_EXISTS);

  if (!ensure_parent_directory (self->database_path, &error) ||
      !(store = tandem_store_open (self->database_path, &error)))
    {
      tandem_window_show_error (widget, error->message);
      return;
    }

  member = tandem_member_new ();
  tandem_record_set_text (TANDEM_RECORD (member), "name", name);
  tandem_record_set_text (TANDEM_RECORD (member), "team", "leadership");
  tandem_record_set_text (TANDEM_RECORD (member), "role", "founder");
  tandem_record_set_bool (TANDEM_RECORD (member), "active", TRUE);
  tandem_record_set_int (TANDEM_RECORD (member), "created_at", g_get_real_time () / 1000);

  if (!tandem_store_save (store, TANDEM_RECORD (member), &error))
    {
      g_clear_object (&store);
      if (!existed)
        remove_database_files (self->database_path);
      tandem_window_show_error (widget, error->message);
      return;
    }

  tandem_store_set_current_member (store, tandem_record_get_id (TANDEM_RECORD (member)));

  g_signal_emit (self, signals[WORKSPACE_READY], 0, store);
}

static gboolean
pulse_progress (gpointer data)
{
  TandemWelcomePage *self = data;

  gtk_progress_bar_pulse (self->progress_bar);

  return G_SOURCE_CONTINUE;
}

static void
sample_generated_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(TandemWelcomePage) self = user_data;
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = tandem_sample_generate_finish (result, &error);

  /* The page was disposed while the generator ran: nobody is waiting for
   * the workspace any more. */
  if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;

  g_clear_handle_id (&self->pulse_id, g_source_remove);
  g_clear_object (&self->cancellable);

  if (!ok)
    {
      if (!self->sample_path_existed)
        remove_database_files (self->database_path);
      set_busy (self, FALSE);
      tandem_window_show_error (GTK_WIDGET (self), error->message);
      return;
    }

  store = tandem_store_open (self->database_path, &error);
  set_busy (self, FALSE);

  if (store == NULL)
    {
      tandem_window_show_error (GTK_WIDGET (self), error->message);
      return;
    }

  g_signal_emit (self, signals[WORKSPACE_READY], 0, store);
}

static void
create_sample_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  TandemWelcomePage *self = TANDEM_WELCOME_PAGE (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *count = NULL;
  g_autofree char *label = NULL;

  if (self->busy || self->database_path == NULL)
    return;

  if (!ensure_parent_directory (self->database_path, &error))
    {
      tandem_window_show_error (widget, error->message);
      return;
    }

  count = g_strdup_printf ("%'u", (guint) TANDEM_SAMPLE_DEFAULT_LEADS);
  /* Translators: %s is a number of leads, such as 2,000. */
  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "Creating a sample company with %s lead…",
                                        "Creating a sample company with %s leads…",
                                        TANDEM_SAMPLE_DEFAULT_LEADS),
                           count);
  gtk_label_set_label (self->progress_label, label);

  self->sample_path_existed = g_file_test (self->database_path, G_FILE_TEST_EXISTS);
  set_busy (self, TRUE);

  /* The generator does not say how far it is when it runs on a thread, so
   * the bar pulses to show that work is going on. */
  self->pulse_id = g_timeout_add (100, pulse_progress, self);

  self->cancellable = g_cancellable_new ();
  tandem_sample_generate_async (self->database_path,
                                TANDEM_SAMPLE_DEFAULT_LEADS,
                                TANDEM_SAMPLE_DEFAULT_SEED,
                                self->cancellable,
                                sample_generated_cb,
                                g_object_ref (self));
}

static void
tandem_welcome_page_dispose (GObject *object)
{
  TandemWelcomePage *self = TANDEM_WELCOME_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->pulse_id, g_source_remove);

  G_OBJECT_CLASS (tandem_welcome_page_parent_class)->dispose (object);
}

static void
tandem_welcome_page_finalize (GObject *object)
{
  TandemWelcomePage *self = TANDEM_WELCOME_PAGE (object);

  g_clear_pointer (&self->database_path, g_free);

  G_OBJECT_CLASS (tandem_welcome_page_parent_class)->finalize (object);
}

static void
tandem_welcome_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TandemWelcomePage *self = TANDEM_WELCOME_PAGE (object);

  switch (prop_id)
    {
    case PROP_DATABASE_PATH:
      g_value_set_string (value, self->database_path);
      break;

    case PROP_USER_NAME:
      g_value_set_string (value, tandem_welcome_page_get_user_name (self));
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_welcome_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  TandemWelcomePage *self = TANDEM_WELCOME_PAGE (object);

  switch (prop_id)
    {
    case PROP_DATABASE_PATH:
      tandem_welcome_page_set_database_path (self, g_value_get_string (value));
      break;

    case PROP_USER_NAME:
      tandem_welcome_page_set_user_name (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_welcome_page_class_init (TandemWelcomePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tandem_welcome_page_dispose;
  object_class->finalize = tandem_welcome_page_finalize;
  object_class->get_property = tandem_welcome_page_get_property;
  object_class->set_property = tandem_welcome_page_set_property;

  properties[PROP_DATABASE_PATH] =
    g_param_spec_string ("database-path", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_USER_NAME] =
    g_param_spec_string ("user-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TandemWelcomePage::workspace-ready:
   * @store: the workspace that was created
   *
   * Emitted when a new empty or sample workspace is open and ready to use.
   */
  signals[WORKSPACE_READY] =
    g_signal_new ("workspace-ready",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, TANDEM_TYPE_STORE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/tandem-welcome-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemWelcomePage, name_row);
  gtk_widget_class_bind_template_child (widget_class, TandemWelcomePage, progress_box);
  gtk_widget_class_bind_template_child (widget_class, TandemWelcomePage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, TandemWelcomePage, progress_label);
  gtk_widget_class_bind_template_callback (widget_class, on_name_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_name_activated);

  gtk_widget_class_install_action (widget_class, "welcome.create-empty", NULL, create_empty_action);
  gtk_widget_class_install_action (widget_class, "welcome.create-sample", NULL,
                                   create_sample_action);
}

static void
tandem_welcome_page_init (TandemWelcomePage *self)
{
  const char *real_name;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* g_get_real_name() answers "Unknown" when the system has no name for
   * the account; an empty field asks more honestly. */
  real_name = g_get_real_name ();
  if (real_name != NULL && g_strcmp0 (real_name, "Unknown") != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->name_row), real_name);
}

GtkWidget *
tandem_welcome_page_new (void)
{
  return g_object_new (TANDEM_TYPE_WELCOME_PAGE, NULL);
}

const char *
tandem_welcome_page_get_database_path (TandemWelcomePage *self)
{
  g_return_val_if_fail (TANDEM_IS_WELCOME_PAGE (self), NULL);

  return self->database_path;
}

void
tandem_welcome_page_set_database_path (TandemWelcomePage *self,
                                       const char        *path)
{
  g_return_if_fail (TANDEM_IS_WELCOME_PAGE (self));

  if (g_strcmp0 (self->database_path, path) == 0)
    return;

  g_free (self->database_path);
  self->database_path = g_strdup (path);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATABASE_PATH]);
}

const char *
tandem_welcome_page_get_user_name (TandemWelcomePage *self)
{
  g_return_val_if_fail (TANDEM_IS_WELCOME_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->name_row));
}

void
tandem_welcome_page_set_user_name (TandemWelcomePage *self,
                                   const char        *name)
{
  g_return_if_fail (TANDEM_IS_WELCOME_PAGE (self));

  /* The row's "changed" handler sends the notification. */
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name != NULL ? name : "");
}

gboolean
tandem_welcome_page_get_busy (TandemWelcomePage *self)
{
  g_return_val_if_fail (TANDEM_IS_WELCOME_PAGE (self), FALSE);

  return self->busy;
}
