/* tandem-sync-indicator.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "tandem-sync-client.h"
#include "tandem-sync-indicator.h"

/* A minute keeps a team's desktops close without waking the server for
 * nothing; three seconds after an edit lets a burst of edits (typing in
 * several fields) travel in one round. */
#define SYNC_INTERVAL_SECONDS 60
#define COMMIT_DELAY_SECONDS  3

#define INDICATOR_KEY "tandem-sync-indicator"

struct _TandemSyncIndicator
{
  AdwBin        parent_instance;

  TandemStore  *store;
  GCancellable *cancellable;
  char         *server;
  char         *last_error;
  const char   *state;
  gint64        last_synced;
  gint64        pending;
  gint64        conflicts;
  guint         timer_id;
  guint         commit_id;
  gboolean      running;
  /* A round was asked for while one was running: it starts right after, so
   * that the edits it was asked for are not left for the timer. */
  gboolean      again;

  /* Template widgets */
  GtkMenuButton *button;
  GtkSpinner    *spinner;
  GtkImage      *icon;
  GtkLabel      *label;
  GtkPopover    *popover;
  GtkLabel      *state_label;
  GtkLabel      *last_synced_label;
  GtkLabel      *pending_label;
  GtkLabel      *error_label;
  GtkWidget     *conflicts_box;
  GtkListBox    *conflicts_list;
};

G_DEFINE_FINAL_TYPE (TandemSyncIndicator, tandem_sync_indicator, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_STATE,
  PROP_BUSY,
  N_PROPS
};

enum {
  ROUND_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_round (TandemSyncIndicator *self);

char *
tandem_sync_format_time (gint64 millis)
{
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GDateTime) now = NULL;

  if (millis <= 0)
    return g_strdup (_("Never"));

  time = g_date_time_new_from_unix_local (millis / 1000);
  now = g_date_time_new_now_local ();
  if (time == NULL || now == NULL)
    return g_strdup ("");

  /* The hour is enough for today; older times need their day too. */
  if (g_date_time_get_year (time) == g_date_time_get_year (now)
      && g_date_time_get_day_of_year (time) == g_date_time_get_day_of_year (now))
    return g_date_time_format (time, "%H:%M");

  /* Translators: a date and time, see the GDateTime format documentation. */
  return g_date_time_format (time, _("%b %e, %H:%M"));
}

/* Conflicts */

static const char *
table_label (const char *table)
{
  static const struct { const char *table; const char *label; } labels[] = {
    { "leads", N_("Lead") },
    { "companies", N_("Company") },
    { "personas", N_("Persona") },
    { "icps", N_("ICP") },
    { "members", N_("Member") },
    { "assets", N_("Asset") },
    { "deals", N_("Deal") },
    { "goals", N_("Goal") },
    { "settings", N_("Setting") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (labels[i].table, table) == 0)
      return _(labels[i].label);

  return table;
}

/* Values travel as JSON; people read them as text. */
static char *
value_label (const char *value_json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (value_json == NULL || !json_parser_load_from_data (parser, value_json, -1, NULL))
    return g_strdup (value_json != NULL ? value_json : "");

  root = json_parser_get_root (parser);
  if (root == NULL || JSON_NODE_HOLDS_NULL (root))
    return g_strdup (_("(empty)"));

  if (JSON_NODE_HOLDS_VALUE (root) && json_node_get_value_type (root) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (root));

  return g_strdup (value_json);
}

static char *
field_label (const char *field)
{
  if (g_strcmp0 (field, "deleted") == 0)
    return g_strdup (_("deleted"));

  return g_strdelimit (g_strdup (field), "_", ' ');
}

static char *
site_label (TandemSyncIndicator *self,
            const char          *site)
{
  if (g_strcmp0 (site, tandem_store_get_site_id (self->store)) == 0)
    return g_strdup (_("this desktop"));

  return g_strdup (_("another desktop"));
}

static GtkWidget *
create_conflict_row (TandemSyncIndicator  *self,
                     const TandemConflict *conflict)
{
  g_autofree char *row = tandem_sync_dup_conflict_row_name (self->store, conflict);
  g_autofree char *field = field_label (conflict->field);
  g_autofree char *kept = value_label (conflict->kept_value_json);
  g_autofree char *other = value_label (conflict->other_value_json);
  g_autofree char *kept_site = site_label (self, conflict->kept_site);
  g_autofree char *other_site = site_label (self, conflict->other_site);
  g_autofree char *kept_time = tandem_sync_format_time (tandem_hlc_get_millis (conflict->kept_hlc));
  g_autofree char *other_time = tandem_sync_format_time (tandem_hlc_get_millis (conflict->other_hlc));
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  GtkWidget *box, *label, *buttons, *button, *list_row;

  /* Translators: a conflict's row and field, as in Lead “Ann Smith” · email. */
  title = g_strdup_printf (_("%s “%s” · %s"), table_label (conflict->table),
                           row != NULL ? row : conflict->row_id, field);

  /* An edit against a delete, or a restore against one: the values are
   * just the tombstone flag, so say what happened instead. */
  if (g_strcmp0 (conflict->field, "deleted") == 0 &&
      g_strcmp0 (conflict->kept_value_json, "1") == 0)
    /* Translators: deleted on another desktop at 14:02, while this desktop
     * changed it at 13:58. */
    body = g_strdup_printf (_("Deleted on %s at %s, while %s changed it at %s. Restore it to keep "
                              "the change."),
                            kept_site, kept_time, other_site, other_time);
  else if (g_strcmp0 (conflict->field, "deleted") == 0)
    /* Translators: kept on this desktop at 14:02, though another desktop
     * deleted it at 13:58. */
    body = g_strdup_printf (_("Kept on %s at %s, though %s deleted it at %s."),
                            kept_site, kept_time, other_site, other_time);
  else
    /* Translators: kept “new value” (this desktop, 14:02); other value “old
     * value” (another desktop, 13:58). */
    body = g_strdup_printf (_("Kept “%s” (%s, %s); other value “%s” (%s, %s)"),
                            kept, kept_site, kept_time, other, other_site, other_time);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_add_css_class (box, "sync-conflict");
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 10);
  gtk_widget_set_margin_bottom (box, 10);

  label = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (box), label);

  label = gtk_label_new (body);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_box_append (GTK_BOX (box), label);

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_widget_set_margin_top (buttons, 4);

  button = gtk_button_new_with_mnemonic (_("_Keep"));
  gtk_widget_set_tooltip_text (button, _("Keep the value that won"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "sync.keep");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "x", conflict->id);
  gtk_box_append (GTK_BOX (buttons), button);

  button = gtk_button_new_with_mnemonic (_("_Restore Other"));
  if (g_strcmp0 (conflict->field, "deleted") == 0)
    gtk_widget_set_tooltip_text (button, g_strcmp0 (conflict->other_value_json, "0") == 0
                                         ? _("Bring the deleted item back, with the change")
                                         : _("Delete it after all"));
  else
    gtk_widget_set_tooltip_text (button, _("Write the other value back as a new edit"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "sync.restore-other");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "x", conflict->id);
  gtk_box_append (GTK_BOX (buttons), button);

  gtk_box_append (GTK_BOX (box), buttons);

  list_row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (list_row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (list_row), box);

  return list_row;
}

static void
update_conflicts_list (TandemSyncIndicator *self)
{
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->conflicts_list))) != NULL)
    gtk_list_box_remove (self->conflicts_list, child);

  if (self->store == NULL || self->conflicts == 0)
    {
      gtk_widget_set_visible (self->conflicts_box, FALSE);
      return;
    }

  conflicts = tandem_sync_list_conflicts (self->store, &error);
  if (conflicts == NULL)
    {
      g_warning ("Could not list the sync conflicts: %s", error->message);
      gtk_widget_set_visible (self->conflicts_box, FALSE);
      return;
    }

  /* A conflicts list is short: a few fields two people touched at once, so
   * a widget per conflict is fine here. */
  for (guint i = 0; i < conflicts->len; i++)
    gtk_list_box_append (self->conflicts_list, create_conflict_row (self, conflicts->pdata[i]));

  gtk_widget_set_visible (self->conflicts_box, conflicts->len > 0);
}

/* State */

static void
set_state (TandemSyncIndicator *self,
           const char          *state)
{
  if (g_strcmp0 (self->state, state) == 0)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
update_state (TandemSyncIndicator *self)
{
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *time = NULL;
  g_autofree char *short_text = NULL;
  const char *state;
  const char *icon_name = NULL;

  time = tandem_sync_format_time (self->last_synced);

  /* Conflicts need a person, so they show even during a round; a round
   * shows over the outcome of the previous one. */
  if (self->store == NULL || self->server == NULL)
    state = "not-shared";
  else if (self->conflicts > 0)
    state = "conflicts";
  else if (self->running)
    state = "syncing";
  else if (self->last_error != NULL)
    state = "offline";
  else if (self->pending > 0)
    state = "pending";
  else
    state = "synced";

  gtk_widget_set_visible (GTK_WIDGET (self), !g_str_equal (state, "not-shared"));
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), g_str_equal (state, "syncing"));
  gtk_spinner_set_spinning (self->spinner, g_str_equal (state, "syncing"));

  if (g_str_equal (state, "not-shared"))
    {
      text = g_strdup (_("Not shared"));
    }
  else if (g_str_equal (state, "conflicts"))
    {
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u conflict", "%u conflicts",
                                           (gulong) self->conflicts),
                              (guint) self->conflicts);
      /* Translators: the sync state in the header bar, kept short. */
      short_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u conflict", "%u conflicts",
                                                 (gulong) self->conflicts),
                                    (guint) self->conflicts);
      tooltip = g_strdup_printf ("%s — %s", text,
                                 _("two desktops changed the same thing while apart: choose what to keep"));
      icon_name = "dialog-warning-symbolic";
    }
  else if (g_str_equal (state, "syncing"))
    {
      text = g_strdup (_("Syncing…"));
      short_text = g_strdup (text);
      tooltip = g_strdup_printf (_("Syncing with %s"), self->server);
    }
  else if (g_str_equal (state, "offline"))
    {
      text = g_strdup (_("Offline"));
      short_text = g_strdup (text);
      /* Translators: the error, then why the person need not act. */
      tooltip = g_strdup_printf (_("Offline: %s\nTandem tries again every minute; your edits are kept until then."),
                                 self->last_error);
      icon_name = "network-offline-symbolic";
    }
  else if (g_str_equal (state, "pending"))
    {
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u change pending", "%u changes pending",
                                           (gulong) self->pending),
                              (guint) self->pending);
      tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "%u change waits to be sent; last synced %s",
                                              "%u changes wait to be sent; last synced %s",
                                              (gulong) self->pending),
                                 (guint) self->pending, time);
      icon_name = "document-send-symbolic";
      /* Translators: the sync state in the header bar, kept short: the
       * number of changes waiting to be sent. */
      short_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u pending", "%u pending",
                                                 (gulong) self->pending),
                                    (guint) self->pending);
    }
  else
    {
      text = g_strdup (_("Synced"));
      short_text = g_strdup (text);
      tooltip = g_strdup_printf (_("Last synced %s"), time);
      icon_name = "emblem-ok-symbolic";
    }

  /* The state in a word or two beside the icon; the tooltip and the
   * popover say more. */
  gtk_label_set_label (self->label, short_text != NULL ? short_text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->label), short_text != NULL);
  gtk_label_set_label (self->state_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
  gtk_widget_set_visible (GTK_WIDGET (self->icon), icon_name != NULL);
  if (icon_name != NULL)
    gtk_image_set_from_icon_name (self->icon, icon_name);

  if (g_str_equal (state, "conflicts"))
    gtk_widget_add_css_class (GTK_WIDGET (self->button), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->button), "warning");

  if (g_str_equal (state, "offline"))
    gtk_widget_add_css_class (GTK_WIDGET (self->button), "sync-offline");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->button), "sync-offline");

  /* The popover */
  gtk_label_set_label (self->last_synced_label, time);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("%u", (guint) self->pending);
  gtk_label_set_label (self->pending_label, text);
  gtk_label_set_label (self->error_label, self->last_error != NULL ? self->last_error : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), self->last_error != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sync.now", self->server != NULL);

  set_state (self, state);
}

static gint64
parse_time (const char *text)
{
  g_autoptr(GDateTime) time = NULL;
  gint64 value;
  char *end = NULL;

  if (text == NULL || *text == '\0')
    return 0;

  /* The client may keep either UTC milliseconds or an ISO 8601 date. */
  value = g_ascii_strtoll (text, &end, 10);
  if (end != NULL && *end == '\0')
    return value;

  time = g_date_time_new_from_iso8601 (text, NULL);
  if (time != NULL)
    return g_date_time_to_unix (time) * 1000;

  return 0;
}

static void
read_counts (TandemSyncIndicator *self)
{
  gint64 conflicts = self->conflicts;

  /* A workspace that is not shared shows no indicator. Its outbox holds
   * every change ever made (1.27 million rows on the large sample), and
   * counting it after each commit cost 40–50 ms of the main thread. */
  if (self->store == NULL || self->server == NULL)
    {
      self->pending = self->conflicts = 0;
      return;
    }

  self->pending = tandem_sync_count_outbox (self->store);
  self->conflicts = tandem_sync_count_conflicts (self->store);

  if (conflicts != self->conflicts || gtk_widget_get_visible (GTK_WIDGET (self->popover)))
    update_conflicts_list (self);
}

void
tandem_sync_indicator_reload (TandemSyncIndicator *self)
{
  g_autofree char *last_ok = NULL;

  g_return_if_fail (TANDEM_IS_SYNC_INDICATOR (self));

  g_clear_pointer (&self->server, g_free);
  if (self->store != NULL)
    {
      self->server = tandem_sync_client_dup_server (self->store);
      last_ok = tandem_sync_get_meta (self->store, "sync_last_ok");
      self->last_synced = MAX (self->last_synced, parse_time (last_ok));
    }

  if (self->server == NULL)
    {
      g_clear_pointer (&self->last_error, g_free);
      self->last_synced = 0;
    }

  read_counts (self);
  update_conflicts_list (self);
  update_state (self);
}

/* Rounds */

static char *
describe_error (const GError *error)
{
  if (g_error_matches (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_UNAUTHORIZED))
    return g_strdup (_("The server did not accept this desktop’s token; ask for a new one with tandem-sync token add and enter it in Preferences"));
  if (g_error_matches (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_UPGRADE_REQUIRED))
    return g_strdup (_("The server expects another version of Tandem; update Tandem on this desktop"));

  return g_strdup (error->message);
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(TandemSyncIndicator) self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(TandemSyncReport) report = { 0 };

  /* A round of a workspace this indicator no longer shows (or of a
   * disposed one) has nobody to report to. */
  if (!tandem_sync_client_run_finish (result, &report, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (G_IS_TASK (result) && g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;

  self->running = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);

  /* The store may have been replaced while the round ran. */
  if (self->store == NULL)
    return;

  /* The round wrote through its own connection: the lists of this
   * workspace hear of the rows it changed, and only of those. A failed
   * round can still have applied pages before it stopped. */
  if (report.changed != NULL)
    tandem_store_notify_external_rows (self->store, report.changed);

  g_clear_pointer (&self->last_error, g_free);
  if (error == NULL)
    self->last_synced = g_get_real_time () / 1000;
  else if (g_error_matches (error, TANDEM_SYNC_CLIENT_ERROR,
                            TANDEM_SYNC_CLIENT_ERROR_NOT_CONFIGURED))
    g_clear_pointer (&self->server, g_free);
  else
    self->last_error = describe_error (error);

  read_counts (self);
  update_state (self);

  g_signal_emit (self, signals[ROUND_FINISHED], 0, error);

  if (self->again && self->server != NULL && !self->running)
    start_round (self);
}

static void
start_round (TandemSyncIndicator *self)
{
  g_assert (TANDEM_IS_SYNC_INDICATOR (self));

  if (self->store == NULL || self->server == NULL)
    return;

  if (self->running)
    {
      self->again = TRUE;
      return;
    }

  self->again = FALSE;
  g_clear_handle_id (&self->commit_id, g_source_remove);

  self->running = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  update_state (self);

  tandem_sync_client_run_async (tandem_store_get_path (self->store),
                                self->cancellable,
                                run_cb,
                                g_object_ref (self));
}

static gboolean
on_timer (gpointer user_data)
{
  TandemSyncIndicator *self = user_data;

  /* The timer is also how an offline desktop tries again. */
  start_round (self);

  return G_SOURCE_CONTINUE;
}

static gboolean
on_commit_delay (gpointer user_data)
{
  TandemSyncIndicator *self = user_data;

  self->commit_id = 0;
  start_round (self);

  return G_SOURCE_REMOVE;
}

static void
on_store_committed (TandemSyncIndicator *self,
                    TandemStore         *store)
{
  /* The outbox count changes with every edit; show it at once. */
  read_counts (self);
  update_state (self);

  /* Only a commit that left something to push wants a round: not the
   * reloads a round itself announces, nor derived data such as scores. */
  if (self->server == NULL || self->pending <= 0)
    return;

  g_clear_handle_id (&self->commit_id, g_source_remove);
  self->commit_id = g_timeout_add_seconds (COMMIT_DELAY_SECONDS, on_commit_delay, self);
}

/* Actions */

static void
sync_now_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  tandem_sync_indicator_sync_now (TANDEM_SYNC_INDICATOR (widget));
}

static void
resolve (TandemSyncIndicator *self,
         gint64               conflict_id,
         gboolean             keep_other)
{
  g_autoptr(GError) error = NULL;

  if (self->store == NULL)
    return;

  if (!tandem_sync_resolve_conflict (self->store, conflict_id, keep_other, &error))
    {
      /* Another window may have resolved it already: the list is just
       * out of date. */
      if (!g_error_matches (error, TANDEM_SYNC_ERROR, TANDEM_SYNC_ERROR_NOT_FOUND))
        {
          g_free (self->last_error);
          self->last_error = g_strdup (error->message);
        }
    }

  /* Restoring the other value is an edit, which the "committed" handler
   * schedules for the next round; keeping one only changes this list. */
  read_counts (self);
  update_conflicts_list (self);
  update_state (self);
}

static void
keep_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  resolve (TANDEM_SYNC_INDICATOR (widget), g_variant_get_int64 (parameter), FALSE);
}

static void
restore_other_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  resolve (TANDEM_SYNC_INDICATOR (widget), g_variant_get_int64 (parameter), TRUE);
}

static void
on_popover_show (TandemSyncIndicator *self)
{
  /* Conflicts may have been resolved in another window of this workspace. */
  read_counts (self);
  update_conflicts_list (self);
  update_state (self);
}

/* GObject */

static void
tandem_sync_indicator_dispose (GObject *object)
{
  TandemSyncIndicator *self = (TandemSyncIndicator *)object;

  tandem_sync_indicator_set_store (self, NULL);
  g_cancellable_cancel (self->cancellable);

  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TANDEM_TYPE_SYNC_INDICATOR);

  G_OBJECT_CLASS (tandem_sync_indicator_parent_class)->dispose (object);
}

static void
tandem_sync_indicator_finalize (GObject *object)
{
  TandemSyncIndicator *self = (TandemSyncIndicator *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->server, g_free);
  g_clear_pointer (&self->last_error, g_free);

  G_OBJECT_CLASS (tandem_sync_indicator_parent_class)->finalize (object);
}

static void
tandem_sync_indicator_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  TandemSyncIndicator *self = TANDEM_SYNC_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_STATE:
      g_value_set_string (value, self->state);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->running);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_sync_indicator_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  TandemSyncIndicator *self = TANDEM_SYNC_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      tandem_sync_indicator_set_store (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_sync_indicator_class_init (TandemSyncIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tandem_sync_indicator_dispose;
  object_class->finalize = tandem_sync_indicator_finalize;
  object_class->get_property = tandem_sync_indicator_get_property;
  object_class->set_property = tandem_sync_indicator_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         TANDEM_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STATE] =
    g_param_spec_string ("state", NULL, NULL,
                         "not-shared",
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TandemSyncIndicator::round-finished:
   * @error: (nullable): why the round failed, or %NULL
   *
   * Sent after each round, once the lists were told what it changed.
   */
  signals[ROUND_FINISHED] =
    g_signal_new ("round-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/tandem-sync-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemSyncIndicator, button);
  gtk_widget_class_bind_template_child (widget_class, TandemSyncIndicator, spinner);
  gtk_widget_class_bind_template_child (widget_class, TandemSyncIndicator, icon);
  gtk_widget_class_bind_template_child (widget_class, TandemSyncIndicator, label);
  gtk_widget_class_bind_template_child (widget_class, TandemSyncIndicator, popover);
  gtk_widget_class_bind_template_child (widget_class, TandemSyncIndicator, state_label);
  gtk_widget_class_bind_template_child (widget_class, TandemSyncIndicator, last_synced_label);
  gtk_widget_class_bind_template_child (widget_class, TandemSyncIndicator, pending_label);
  gtk_widget_class_bind_template_child (widget_class, TandemSyncIndicator, error_label);
  gtk_widget_class_bind_template_child (widget_class, TandemSyncIndicator, conflicts_box);
  gtk_widget_class_bind_template_child (widget_class, TandemSyncIndicator, conflicts_list);
  gtk_widget_class_bind_template_callback (widget_class, on_popover_show);

  gtk_widget_class_install_action (widget_class, "sync.now", NULL, sync_now_action);
  gtk_widget_class_install_action (widget_class, "sync.keep", "x", keep_action);
  gtk_widget_class_install_action (widget_class, "sync.restore-other", "x",
                                   restore_other_action);
}

static void
tandem_sync_indicator_init (TandemSyncIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->state = "not-shared";
  update_state (self);
}

GtkWidget *
tandem_sync_indicator_new (void)
{
  return g_object_new (TANDEM_TYPE_SYNC_INDICATOR, NULL);
}

TandemStore *
tandem_sync_indicator_get_store (TandemSyncIndicator *self)
{
  g_return_val_if_fail (TANDEM_IS_SYNC_INDICATOR (self), NULL);

  return self->store;
}

void
tandem_sync_indicator_set_store (TandemSyncIndicator *self,
                                 TandemStore         *store)
{
  g_return_if_fail (TANDEM_IS_SYNC_INDICATOR (self));
  g_return_if_fail (store == NULL || TANDEM_IS_STORE (store));

  if (self->store == store)
    return;

  if (self->store != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->store, on_store_committed, self);
      if (g_object_get_data (G_OBJECT (self->store), INDICATOR_KEY) == self)
        g_object_set_data (G_OBJECT (self->store), INDICATOR_KEY, NULL);
    }

  /* A round of the previous workspace must not report into this one. */
  if (self->running)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
      self->running = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }

  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_handle_id (&self->commit_id, g_source_remove);
  g_clear_pointer (&self->last_error, g_free);
  self->last_synced = 0;
  self->again = FALSE;

  g_set_object (&self->store, store);

  if (store != NULL)
    {
      g_signal_connect_object (store, "committed", G_CALLBACK (on_store_committed), self,
                               G_CONNECT_SWAPPED);
      g_object_set_data (G_OBJECT (store), INDICATOR_KEY, self);
      self->timer_id = g_timeout_add_seconds (SYNC_INTERVAL_SECONDS, on_timer, self);
    }

  tandem_sync_indicator_reload (self);

  /* Opening a shared workspace brings it up to date at once rather than a
   * minute later. */
  if (self->server != NULL)
    start_round (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

const char *
tandem_sync_indicator_get_state (TandemSyncIndicator *self)
{
  g_return_val_if_fail (TANDEM_IS_SYNC_INDICATOR (self), NULL);

  return self->state;
}

gboolean
tandem_sync_indicator_get_busy (TandemSyncIndicator *self)
{
  g_return_val_if_fail (TANDEM_IS_SYNC_INDICATOR (self), FALSE);

  return self->running;
}

gint64
tandem_sync_indicator_get_last_synced (TandemSyncIndicator *self)
{
  g_return_val_if_fail (TANDEM_IS_SYNC_INDICATOR (self), 0);

  return self->last_synced;
}

void
tandem_sync_indicator_sync_now (TandemSyncIndicator *self)
{
  g_return_if_fail (TANDEM_IS_SYNC_INDICATOR (self));

  /* The server may have been set or forgotten since the last round. */
  if (!self->running)
    tandem_sync_indicator_reload (self);

  start_round (self);
}

TandemSyncIndicator *
tandem_sync_indicator_for_store (TandemStore *store)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);

  return g_object_get_data (G_OBJECT (store), INDICATOR_KEY);
}
