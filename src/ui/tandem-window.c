/* tandem-window.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "tandem-member-switcher.h"
#include "tandem-personas-view.h"
#include "tandem-pipeline-view.h"
#include "tandem-preferences-window.h"
#include "tandem-sync-indicator.h"
#include "tandem-welcome-page.h"
#include "tandem-window.h"

struct _TandemWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  TandemStore          *store;
  char                 *database_path;
  /* Not owned: the window holds only the one it shows, and forgets it when
   * the person closes it. */
  GtkWindow            *preferences;
  /* The toasts added and not dismissed yet, shown or queued (see
   * tandem_window_show_toast ()). */
  GPtrArray            *live_toasts;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwHeaderBar         *header_bar;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar   *switcher_bar;
  TandemMemberSwitcher *member_switcher;
  TandemSyncIndicator  *sync_indicator;
  GtkStack             *main_stack;
  AdwViewStack         *view_stack;
  TandemWelcomePage    *welcome_page;
  AdwBin               *personas_bin;
  AdwBin               *pipeline_bin;

  /* Made the first time their page is shown (see ensure_visible_view ()),
   * NULL until then. */
  TandemPersonasView   *personas_view;
  TandemPipelineView   *pipeline_view;
};

G_DEFINE_FINAL_TYPE (TandemWindow, tandem_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_DATABASE_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const view_names[] = {
  "overview", "personas", "pipeline", "content", "agreements",
};

static void
show_message (GtkWidget  *widget,
              const char *heading,
              const char *body)
{
  GtkRoot *root;
  GtkWidget *dialog;

  root = widget != NULL ? gtk_widget_get_root (widget) : NULL;

  /* Without a window to attach to (tests, or a window being destroyed)
   * there is nobody to show it to. */
  if (!GTK_IS_WINDOW (root) || !gtk_widget_get_visible (GTK_WIDGET (root)))
    {
      g_message ("%s: %s", heading, body);
      return;
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (root), heading, body);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
update_chrome (TandemWindow *self)
{
  gboolean workspace = self->store != NULL;
  gboolean narrow = adw_view_switcher_title_get_title_visible (self->switcher_title);

  /* The welcome page is a single screen: the view switcher and the member
   * switcher would only offer things that do not exist yet. */
  gtk_widget_set_visible (GTK_WIDGET (self->switcher_title), workspace);
  gtk_widget_set_visible (GTK_WIDGET (self->member_switcher), workspace);
  adw_view_switcher_bar_set_reveal (self->switcher_bar, workspace && narrow);

  if (workspace)
    gtk_widget_remove_css_class (GTK_WIDGET (self->header_bar), "flat");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->header_bar), "flat");

  gtk_stack_set_visible_child_name (self->main_stack, workspace ? "workspace" : "welcome");
}

static void
on_title_visible_changed (TandemWindow *self)
{
  update_chrome (self);
}

/* The Personas and Pipeline views are made, and load their data, the first
 * time their page is shown. At start-up the window shows the Overview:
 * building, measuring and filling the others first (the handoff queue's
 * rows, the personas' lead counts on 100,000 leads) more than doubled the
 * time to the first frame (DESIGN.md §9). */
static void
ensure_visible_view (TandemWindow *self)
{
  GtkWidget *visible;

  if (self->store == NULL)
    return;

  visible = adw_view_stack_get_visible_child (self->view_stack);

  if (visible == GTK_WIDGET (self->personas_bin) && self->personas_view == NULL)
    {
      self->personas_view = TANDEM_PERSONAS_VIEW (tandem_personas_view_new ());
      tandem_personas_view_set_store (self->personas_view, self->store);
      adw_bin_set_child (self->personas_bin, GTK_WIDGET (self->personas_view));
    }
  else if (visible == GTK_WIDGET (self->pipeline_bin) && self->pipeline_view == NULL)
    {
      self->pipeline_view = TANDEM_PIPELINE_VIEW (tandem_pipeline_view_new ());
      tandem_pipeline_view_set_store (self->pipeline_view, self->store);
      adw_bin_set_child (self->pipeline_bin, GTK_WIDGET (self->pipeline_view));
    }
}

static void
on_workspace_ready (TandemWindow      *self,
                    TandemStore       *store,
                    TandemWelcomePage *page)
{
  g_assert (TANDEM_IS_WINDOW (self));
  g_assert (TANDEM_IS_STORE (store));

  tandem_window_set_store (self, store);
}

static void
show_view_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  TandemWindow *self = TANDEM_WINDOW (widget);
  const char *name = g_variant_get_string (param, NULL);
  GtkWidget *visible;
  GtkWidget *focus;

  if (self->store == NULL)
    return;

  if (adw_view_stack_get_child_by_name (self->view_stack, name) == NULL)
    {
      g_debug ("No view named “%s”", name);
      return;
    }

  adw_view_stack_set_visible_child_name (self->view_stack, name);

  /* A view's own shortcuts (the Pipeline's Ctrl+1…4 and Ctrl+I) act only
   * while the focus is inside it, so a view chosen from the keyboard takes
   * the focus, as a page of a stack the user moved to should. */
  focus = gtk_root_get_focus (GTK_ROOT (self));
  visible = adw_view_stack_get_visible_child (self->view_stack);
  if (visible != NULL && (focus == NULL || !gtk_widget_is_ancestor (focus, visible)))
    gtk_widget_child_focus (visible, GTK_DIR_TAB_FORWARD);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  TandemWindow *self = TANDEM_WINDOW (widget);
  GtkWidget *visible;

  if (self->store == NULL)
    return;

  /* Only views that have a search get the shortcut; the others are status
   * pages that have nothing to search yet. */
  visible = adw_view_stack_get_visible_child (self->view_stack);
  if (visible == GTK_WIDGET (self->personas_bin) && self->personas_view != NULL)
    tandem_personas_view_focus_search (self->personas_view);
}

/* Benchmarks (tests/bench/bench-startup) time start-up to the first frame
 * the window has drawn, which only the window knows. With
 * TANDEM_BENCH_FIRST_FRAME=1 in the environment it prints
 * "tandem-bench: first-frame USEC" on standard output once, USEC being
 * g_get_monotonic_time() (CLOCK_MONOTONIC, shared with the process that
 * started it) right after that frame was painted. */
static void
on_bench_after_paint (GdkFrameClock *frame_clock,
                      TandemWindow  *self)
{
  g_signal_handlers_disconnect_by_func (frame_clock, on_bench_after_paint, self);

  g_print ("tandem-bench: first-frame %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  fflush (stdout);
}

static void
on_bench_realize (TandemWindow *self)
{
  GdkFrameClock *frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  g_signal_connect_object (frame_clock, "after-paint",
                           G_CALLBACK (on_bench_after_paint), self, 0);
}

static gboolean
tandem_window_close_request (GtkWindow *window)
{
  TandemWindow *self = TANDEM_WINDOW (window);
  int width, height;
  gboolean maximized;

  /* The default size tracks the unmaximized size, which is what should come
   * back when the window is restored and unmaximized later. */
  gtk_window_get_default_size (window, &width, &height);
  maximized = gtk_window_is_maximized (window);

  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized", maximized);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_apply (self->settings);

  if (self->preferences != NULL)
    gtk_window_destroy (self->preferences);

  return GTK_WINDOW_CLASS (tandem_window_parent_class)->close_request (window);
}

static void
tandem_window_dispose (GObject *object)
{
  TandemWindow *self = TANDEM_WINDOW (object);

  if (self->preferences != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->preferences),
                                    (gpointer *) &self->preferences);
      gtk_window_destroy (self->preferences);
      self->preferences = NULL;
    }

  g_clear_pointer (&self->live_toasts, g_ptr_array_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tandem_window_parent_class)->dispose (object);
}

static void
tandem_window_finalize (GObject *object)
{
  TandemWindow *self = TANDEM_WINDOW (object);

  g_clear_pointer (&self->database_path, g_free);

  G_OBJECT_CLASS (tandem_window_parent_class)->finalize (object);
}

static void
tandem_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TandemWindow *self = TANDEM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_DATABASE_PATH:
      g_value_set_string (value, self->database_path);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TandemWindow *self = TANDEM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      tandem_window_set_store (self, g_value_get_object (value));
      break;

    case PROP_DATABASE_PATH:
      tandem_window_set_database_path (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_window_class_init (TandemWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = tandem_window_dispose;
  object_class->finalize = tandem_window_finalize;
  object_class->get_property = tandem_window_get_property;
  object_class->set_property = tandem_window_set_property;

  window_class->close_request = tandem_window_close_request;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         TANDEM_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_DATABASE_PATH] =
    g_param_spec_string ("database-path", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TANDEM_TYPE_MEMBER_SWITCHER);
  g_type_ensure (TANDEM_TYPE_SYNC_INDICATOR);
  g_type_ensure (TANDEM_TYPE_WELCOME_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/tandem-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TandemWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, TandemWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, TandemWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, TandemWindow, member_switcher);
  gtk_widget_class_bind_template_child (widget_class, TandemWindow, sync_indicator);
  gtk_widget_class_bind_template_child (widget_class, TandemWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, TandemWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, TandemWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, TandemWindow, personas_bin);
  gtk_widget_class_bind_template_child (widget_class, TandemWindow, pipeline_bin);
  gtk_widget_class_bind_template_callback (widget_class, on_workspace_ready);

  gtk_widget_class_install_action (widget_class, "win.show-view", "s", show_view_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);

  for (guint i = 0; i < G_N_ELEMENTS (view_names); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "win.show-view", "s", view_names[i]);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
}

static void
tandem_window_init (TandemWindow *self)
{
  int width, height;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->live_toasts = g_ptr_array_new ();
  self->settings = g_settings_new (APP_ID);

  width = g_settings_get_int (self->settings, "window-width");
  height = g_settings_get_int (self->settings, "window-height");
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_signal_connect_object (self->switcher_title, "notify::title-visible",
                           G_CALLBACK (on_title_visible_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view_stack, "notify::visible-child",
                           G_CALLBACK (ensure_visible_view), self,
                           G_CONNECT_SWAPPED);

  if (g_strcmp0 (g_getenv ("TANDEM_BENCH_FIRST_FRAME"), "1") == 0)
    g_signal_connect (self, "realize", G_CALLBACK (on_bench_realize), NULL);

  update_chrome (self);
}

TandemWindow *
tandem_window_new (GtkApplication *application)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (TANDEM_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

TandemStore *
tandem_window_get_store (TandemWindow *self)
{
  g_return_val_if_fail (TANDEM_IS_WINDOW (self), NULL);

  return self->store;
}

void
tandem_window_set_store (TandemWindow *self,
                         TandemStore  *store)
{
  g_return_if_fail (TANDEM_IS_WINDOW (self));
  g_return_if_fail (store == NULL || TANDEM_IS_STORE (store));

  if (self->store == store)
    return;

  /* Preferences edit one workspace; they must not outlive it. */
  if (self->preferences != NULL)
    gtk_window_destroy (self->preferences);

  g_set_object (&self->store, store);

  if (store != NULL)
    tandem_window_set_database_path (self, tandem_store_get_path (store));

  tandem_member_switcher_set_store (self->member_switcher, store);
  if (self->personas_view != NULL)
    tandem_personas_view_set_store (self->personas_view, store);
  if (self->pipeline_view != NULL)
    tandem_pipeline_view_set_store (self->pipeline_view, store);
  tandem_sync_indicator_set_store (self->sync_indicator, store);

  update_chrome (self);
  ensure_visible_view (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

const char *
tandem_window_get_database_path (TandemWindow *self)
{
  g_return_val_if_fail (TANDEM_IS_WINDOW (self), NULL);

  return self->database_path;
}

void
tandem_window_set_database_path (TandemWindow *self,
                                 const char   *path)
{
  g_return_if_fail (TANDEM_IS_WINDOW (self));

  if (g_strcmp0 (self->database_path, path) == 0)
    return;

  g_free (self->database_path);
  self->database_path = g_strdup (path);

  tandem_welcome_page_set_database_path (self->welcome_page, path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATABASE_PATH]);
}

gboolean
tandem_window_open_database (TandemWindow *self,
                             const char   *path)
{
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (TANDEM_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  tandem_window_set_store (self, NULL);
  tandem_window_set_database_path (self, path);

  /* A missing file is not an error: it is where the welcome page will
   * create the workspace the person chooses. */
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return FALSE;

  store = tandem_store_open (path, &error);
  if (store == NULL)
    {
      /* The store's message names the file and what to do about it. */
      show_message (GTK_WIDGET (self), _("Could Not Open the Workspace"), error->message);
      return FALSE;
    }

  tandem_window_set_store (self, store);

  return TRUE;
}

const char *
tandem_window_get_visible_page (TandemWindow *self)
{
  g_return_val_if_fail (TANDEM_IS_WINDOW (self), NULL);

  if (self->store == NULL)
    return "welcome";

  return adw_view_stack_get_visible_child_name (self->view_stack);
}

GtkWindow *
tandem_window_show_preferences (TandemWindow *self)
{
  g_return_val_if_fail (TANDEM_IS_WINDOW (self), NULL);

  if (self->store == NULL)
    return NULL;

  if (self->preferences == NULL)
    {
      self->preferences = GTK_WINDOW (tandem_preferences_window_new (self->store));
      g_object_add_weak_pointer (G_OBJECT (self->preferences),
                                 (gpointer *) &self->preferences);
      gtk_window_set_transient_for (self->preferences, GTK_WINDOW (self));
      gtk_window_set_modal (self->preferences, TRUE);
    }

  gtk_window_present (self->preferences);

  return self->preferences;
}

static TandemWindow *
find_window (GtkWidget *widget)
{
  GtkRoot *root;
  GtkWindow *window;

  if (widget == NULL)
    return NULL;

  if (TANDEM_IS_WINDOW (widget))
    return TANDEM_WINDOW (widget);

  root = gtk_widget_get_root (widget);
  if (!GTK_IS_WINDOW (root))
    return NULL;

  /* Dialogs and editors in their own window report to the window they
   * belong to. */
  for (window = GTK_WINDOW (root);
       window != NULL;
       window = gtk_window_get_transient_for (window))
    {
      if (TANDEM_IS_WINDOW (window))
        return TANDEM_WINDOW (window);
    }

  return NULL;
}

static void
on_toast_dismissed (TandemWindow *self,
                    AdwToast     *toast)
{
  if (self->live_toasts != NULL)
    g_ptr_array_remove (self->live_toasts, toast);
}

void
tandem_window_show_toast (GtkWidget *widget,
                          AdwToast  *toast)
{
  TandemWindow *window;
  GtkRoot *root;

  g_return_if_fail (widget == NULL || GTK_IS_WIDGET (widget));
  g_return_if_fail (ADW_IS_TOAST (toast));

  /* The preferences window is modal over the main window, so a toast there
   * would be hidden; it has its own overlay. */
  root = widget != NULL ? gtk_widget_get_root (widget) : NULL;
  if (ADW_IS_PREFERENCES_WINDOW (root))
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), toast);
      return;
    }

  window = find_window (widget);
  if (window == NULL)
    {
      g_object_unref (toast);
      return;
    }

  /* libadwaita 1.2 puts the shown toast back in the queue when one of high
   * priority arrives, and aborts if the newcomer is dismissed (say, its
   * Undo clicked) before the other has finished hiding. An Undo toast
   * replaces the older notices instead, which never takes that path. */
  if (adw_toast_get_priority (toast) == ADW_TOAST_PRIORITY_HIGH)
    {
      g_autoptr(GPtrArray) older = g_steal_pointer (&window->live_toasts);

      window->live_toasts = g_ptr_array_new ();
      for (guint i = 0; i < older->len; i++)
        adw_toast_dismiss (g_ptr_array_index (older, i));
    }

  g_ptr_array_add (window->live_toasts, toast);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (on_toast_dismissed), window,
                           G_CONNECT_SWAPPED);
  adw_toast_overlay_add_toast (window->toast_overlay, toast);
}

void
tandem_window_show_error (GtkWidget  *widget,
                          const char *message)
{
  g_return_if_fail (widget == NULL || GTK_IS_WIDGET (widget));
  g_return_if_fail (message != NULL);

  /* An error is shown in a dialog rather than a toast: a toast goes away on
   * its own, and the person has to know that their change did not happen. */
  show_message (widget, _("Something Went Wrong"), message);
}
