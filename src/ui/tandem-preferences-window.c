/* tandem-preferences-window.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "tandem-preferences-window.h"
#include "tandem-sync-client.h"
#include "tandem-sync-indicator.h"
#include "tandem-window.h"

typedef struct
{
  const char *key;
  const char *label;
  const char *short_label;
} Choice;

/* The keys are what the store and the sample workspace write; the labels are
 * what people read. */
static const Choice teams[] = {
  { "marketing", N_("Marketing"), N_("Marketing") },
  { "sales", N_("Sales"), N_("Sales") },
  { "success", N_("Customer Success"), N_("Customer Success") },
  { "leadership", N_("Leadership"), N_("Leadership") },
};

static const Choice roles[] = {
  { "founder", N_("Founder"), N_("Founder") },
  { "marketer", N_("Marketer"), N_("Marketer") },
  { "mdr", N_("Marketing Development Rep (MDR)"), N_("MDR") },
  { "sdr", N_("Sales Development Rep (SDR)"), N_("SDR") },
  { "ae", N_("Account Executive (AE)"), N_("AE") },
  { "onboarding", N_("Onboarding"), N_("Onboarding") },
  { "csm", N_("Customer Success Manager (CSM)"), N_("CSM") },
  { "am", N_("Account Manager (AM)"), N_("AM") },
};

static const char * const currencies[] = {
  "EUR", "USD", "GBP", "CHF", "SEK", "DKK", "NOK", "PLN",
  "AUD", "CAD", "JPY", "IDR", "CNY", "TWD", "RUB",
};

#define DEFAULT_CURRENCY      "EUR"
#define DEFAULT_HOURS_START   "09:00"
#define DEFAULT_HOURS_END     "17:00"
#define DEFAULT_BUSINESS_DAYS "1,2,3,4,5"
#define N_WEEKDAYS            7

struct _TandemPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  TandemStore          *store;
  TandemRecordList     *members;
  /* The member the form edits, or NULL while it adds a new one. */
  char                 *editing_id;
  /* The team and role positions the form opened with, so that a value this
   * version does not know is kept unless the person picks another one. */
  guint                 initial_team;
  guint                 initial_role;
  /* Set while widgets are filled from the store, so that filling them is
   * not taken for an edit and written back. */
  gboolean              loading;

  GtkToggleButton      *day_buttons[N_WEEKDAYS];

  /* Sync: the check of a server being connected, cancelled with the
   * window; and whether the next round is the first one after it. */
  GCancellable         *sync_cancellable;
  gboolean              first_round;
  char                 *checked_server;
  char                 *checked_token;

  /* Template widgets */
  GtkListBox           *members_list;
  AdwComboRow          *currency_row;
  AdwActionRow         *hours_start_row;
  AdwActionRow         *hours_end_row;
  GtkSpinButton        *hours_start_spin;
  GtkSpinButton        *hours_end_spin;
  GtkWidget            *days_box;
  AdwEntryRow          *time_zone_row;
  AdwActionRow         *database_row;
  GtkWidget            *member_page;
  AdwWindowTitle       *member_page_title;
  GtkButton            *member_save_button;
  AdwEntryRow          *server_row;
  AdwEntryRow          *token_row;
  GtkLabel             *sync_error_label;
  GtkSpinner           *connect_spinner;
  GtkButton            *connect_button;
  GtkButton            *disconnect_button;
  GtkWidget            *sync_status_group;
  GtkLabel             *last_synced_label;
  GtkLabel             *pending_label;
  GtkLabel             *conflicts_label;
  AdwEntryRow          *member_name_row;
  AdwEntryRow          *member_email_row;
  AdwComboRow          *member_team_row;
  AdwComboRow          *member_role_row;
};

G_DEFINE_FINAL_TYPE (TandemPreferencesWindow, tandem_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint
choice_index (const Choice *choices,
              guint         n_choices,
              const char   *key)
{
  for (guint i = 0; i < n_choices; i++)
    if (g_strcmp0 (choices[i].key, key) == 0)
      return i;

  return GTK_INVALID_LIST_POSITION;
}

static const char *
choice_short_label (const Choice *choices,
                    guint         n_choices,
                    const char   *key)
{
  guint i = choice_index (choices, n_choices, key);

  if (i == GTK_INVALID_LIST_POSITION)
    return key;

  return _(choices[i].short_label);
}

static GListModel *
choice_model (const Choice *choices,
              guint         n_choices)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (guint i = 0; i < n_choices; i++)
    gtk_string_list_append (list, _(choices[i].label));

  return G_LIST_MODEL (list);
}

static void
show_toast (TandemPreferencesWindow *self,
            const char              *title)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (title));
}

static void
show_error (TandemPreferencesWindow *self,
            const GError            *error)
{
  tandem_window_show_error (GTK_WIDGET (self), error->message);
}

static gboolean
save_setting (TandemPreferencesWindow *self,
              const char              *key,
              const char              *value)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *old = NULL;

  if (self->loading || self->store == NULL)
    return FALSE;

  /* Every write is a change that is synced and logged, so an unchanged value
   * is not written again. */
  old = tandem_store_get_setting (self->store, key, NULL);
  if (g_strcmp0 (old, value) == 0)
    return TRUE;

  if (!tandem_store_set_setting (self->store, key, value, &error))
    {
      show_error (self, error);
      return FALSE;
    }

  return TRUE;
}

/* Team */

static guint
count_active_members (TandemPreferencesWindow *self)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->members));
  guint n_active = 0;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(TandemRecord) member = g_list_model_get_item (G_LIST_MODEL (self->members), i);

      if (tandem_record_get_bool (member, "active"))
        n_active++;
    }

  return n_active;
}

static gboolean
set_member_active (TandemPreferencesWindow *self,
                   const char              *member_id,
                   gboolean                 active)
{
  g_autoptr(TandemRecord) member = NULL;
  g_autoptr(GError) error = NULL;

  member = tandem_store_get (self->store, TANDEM_TYPE_MEMBER, member_id, &error);
  if (member == NULL)
    {
      show_error (self, error);
      return FALSE;
    }

  if (tandem_record_get_bool (member, "active") == active)
    return TRUE;

  /* Somebody has to be able to work in the workspace. */
  if (!active && count_active_members (self) <= 1)
    {
      show_toast (self, _("At least one member has to stay active"));
      return FALSE;
    }

  tandem_record_set_bool (member, "active", active);
  if (!tandem_store_save (self->store, member, &error))
    {
      show_error (self, error);
      return FALSE;
    }

  return TRUE;
}

typedef struct
{
  TandemPreferencesWindow *self;
  GtkSwitch               *toggle;
  char                    *member_id;
  gboolean                 active;
} ActiveChange;

static void
active_change_free (ActiveChange *change)
{
  g_clear_object (&change->self);
  g_clear_object (&change->toggle);
  g_free (change->member_id);
  g_free (change);
}

static gboolean
apply_active_change (gpointer data)
{
  ActiveChange *change = data;
  TandemPreferencesWindow *self = change->self;

  /* When the save fails the list keeps its row, so the switch is put back
   * by hand; "loading" keeps that from being taken for another edit. */
  if (self->store != NULL &&
      !set_member_active (self, change->member_id, change->active) &&
      gtk_widget_get_parent (GTK_WIDGET (change->toggle)) != NULL)
    {
      self->loading = TRUE;
      gtk_switch_set_active (change->toggle, !change->active);
      self->loading = FALSE;
    }

  return G_SOURCE_REMOVE;
}

static gboolean
on_member_switch_state_set (GtkSwitch *toggle,
                            gboolean   state,
                            gpointer   user_data)
{
  TandemPreferencesWindow *self = TANDEM_PREFERENCES_WINDOW (user_data);
  ActiveChange *change;

  if (self->loading)
    return FALSE;

  /* Saving makes the list rebuild this row, which destroys the switch; the
   * switch must finish handling its own signal first. */
  change = g_new0 (ActiveChange, 1);
  change->self = g_object_ref (self);
  change->toggle = g_object_ref (toggle);
  change->member_id = g_strdup (g_object_get_data (G_OBJECT (toggle), "tandem-member-id"));
  change->active = state;
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, apply_active_change, change,
                   (GDestroyNotify) active_change_free);

  return FALSE;
}

static GtkWidget *
create_member_row (gpointer item,
                   gpointer user_data)
{
  TandemPreferencesWindow *self = TANDEM_PREFERENCES_WINDOW (user_data);
  TandemRecord *member = item;
  const char *name = tandem_record_get_text (member, "name");
  const char *team = tandem_record_get_text (member, "team");
  const char *role = tandem_record_get_text (member, "role");
  const char *email = tandem_record_get_text (member, "email");
  gboolean active = tandem_record_get_bool (member, "active");
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *escaped_subtitle = NULL;
  g_autofree char *escaped_name = NULL;
  g_autofree char *switch_label = NULL;
  GtkWidget *row;
  GtkWidget *avatar;
  GtkWidget *toggle;

  if (team != NULL && team[0] != '\0')
    g_string_append (subtitle, choice_short_label (teams, G_N_ELEMENTS (teams), team));
  if (role != NULL && role[0] != '\0')
    {
      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      g_string_append (subtitle, choice_short_label (roles, G_N_ELEMENTS (roles), role));
    }
  if (email != NULL && email[0] != '\0')
    {
      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      g_string_append (subtitle, email);
    }

  /* Rows use markup, and names and addresses may hold ampersands. */
  escaped_name = g_markup_escape_text (name != NULL ? name : "", -1);
  escaped_subtitle = g_markup_escape_text (subtitle->str, -1);

  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped_name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped_subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "tandem-member-id",
                          g_strdup (tandem_record_get_id (member)), g_free);

  avatar = adw_avatar_new (32, name, TRUE);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), avatar);

  toggle = gtk_switch_new ();
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_switch_set_active (GTK_SWITCH (toggle), active);
  /* Translators: %s is a team member's name; the switch says whether the
   * member still works in the team. */
  switch_label = g_strdup_printf (_("%s is active"), name != NULL ? name : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, switch_label,
                                  -1);
  gtk_widget_set_tooltip_text (toggle, active ? _("Active") : _("Inactive"));
  g_object_set_data_full (G_OBJECT (toggle), "tandem-member-id",
                          g_strdup (tandem_record_get_id (member)), g_free);
  g_signal_connect_object (toggle, "state-set",
                           G_CALLBACK (on_member_switch_state_set), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);

  if (!active)
    gtk_widget_add_css_class (avatar, "dim-label");

  return row;
}

static void
on_member_row_activated (TandemPreferencesWindow *self,
                         GtkListBoxRow           *row)
{
  tandem_preferences_window_edit_member (self, g_object_get_data (G_OBJECT (row),
                                                                  "tandem-member-id"));
}

static gboolean
email_looks_valid (const char *email)
{
  const char *at;

  if (email[0] == '\0')
    return TRUE;

  at = strchr (email, '@');

  return at != NULL && at != email && strchr (at + 1, '.') != NULL &&
         strchr (email, ' ') == NULL && strchr (at + 1, '@') == NULL;
}

static void
on_member_field_changed (TandemPreferencesWindow *self,
                         GtkEditable             *editable)
{
  gtk_widget_remove_css_class (GTK_WIDGET (editable), "error");
}

static void
on_member_entry_activated (TandemPreferencesWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "member.save", NULL);
}

static void
member_save_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  TandemPreferencesWindow *self = TANDEM_PREFERENCES_WINDOW (widget);
  g_autoptr(TandemRecord) member = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *email = NULL;
  g_autofree char *message = NULL;
  guint team, role;

  if (self->store == NULL)
    return;

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->member_name_row))));
  email = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->member_email_row))));

  if (name[0] == '\0')
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->member_name_row), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->member_name_row));
      return;
    }

  if (!email_looks_valid (email))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->member_email_row), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->member_email_row));
      show_toast (self, _("This does not look like an email address"));
      return;
    }

  if (self->editing_id != NULL)
    {
      member = tandem_store_get (self->store, TANDEM_TYPE_MEMBER, self->editing_id, &error);
      if (member == NULL)
        {
          show_error (self, error);
          return;
        }
    }
  else
    {
      member = TANDEM_RECORD (tandem_member_new ());
      tandem_record_set_bool (member, "active", TRUE);
      tandem_record_set_int (member, "created_at", g_get_real_time () / 1000);
    }

  /* Only fields that really changed are set, so that a save writes and
   * syncs nothing the person did not touch. */
  if (g_strcmp0 (tandem_record_get_text (member, "name"), name) != 0)
    tandem_record_set_text (member, "name", name);
  if (g_strcmp0 (tandem_record_get_text (member, "email"), email[0] ? email : NULL) != 0)
    tandem_record_set_text (member, "email", email[0] ? email : NULL);

  team = adw_combo_row_get_selected (self->member_team_row);
  if (team < G_N_ELEMENTS (teams) && (team != self->initial_team || self->editing_id == NULL))
    tandem_record_set_text (member, "team", teams[team].key);

  role = adw_combo_row_get_selected (self->member_role_row);
  if (role < G_N_ELEMENTS (roles) && (role != self->initial_role || self->editing_id == NULL))
    tandem_record_set_text (member, "role", roles[role].key);

  if (tandem_record_has_changes (member) &&
      !tandem_store_save (self->store, member, &error))
    {
      show_error (self, error);
      return;
    }

  if (self->editing_id == NULL)
    /* Translators: %s is the name of the team member who was just added. */
    message = g_strdup_printf (_("%s was added to the team"), name);
  else
    message = g_strdup (_("Changes saved"));

  g_clear_pointer (&self->editing_id, g_free);
  g_clear_pointer (&self->checked_server, g_free);
  g_clear_pointer (&self->checked_token, g_free);
  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));
  show_toast (self, message);
}

static void
member_cancel_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  TandemPreferencesWindow *self = TANDEM_PREFERENCES_WINDOW (widget);

  g_clear_pointer (&self->editing_id, g_free);
  g_clear_pointer (&self->checked_server, g_free);
  g_clear_pointer (&self->checked_token, g_free);
  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));
}

static void
member_add_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  tandem_preferences_window_edit_member (TANDEM_PREFERENCES_WINDOW (widget), NULL);
}

static void
member_edit_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  tandem_preferences_window_edit_member (TANDEM_PREFERENCES_WINDOW (widget),
                                         g_variant_get_string (param, NULL));
}

static void
member_set_active_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  TandemPreferencesWindow *self = TANDEM_PREFERENCES_WINDOW (widget);
  const char *member_id;
  gboolean active;

  if (self->store == NULL)
    return;

  g_variant_get (param, "(&sb)", &member_id, &active);
  set_member_active (self, member_id, active);
}

/* Workspace */

static void
on_currency_selected (TandemPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->currency_row);

  if (selected < G_N_ELEMENTS (currencies))
    save_setting (self, "currency", currencies[selected]);
}

static gboolean
parse_time (const char *text,
            int        *minutes)
{
  g_auto(GStrv) parts = NULL;
  guint64 hours = 0, mins = 0;

  parts = g_strsplit (text, ":", -1);
  if (g_strv_length (parts) < 1 || g_strv_length (parts) > 2)
    return FALSE;

  if (!g_ascii_string_to_unsigned (g_strstrip (parts[0]), 10, 0, 24, &hours, NULL))
    return FALSE;
  if (parts[1] != NULL && !g_ascii_string_to_unsigned (g_strstrip (parts[1]), 10, 0, 59, &mins,
                                                       NULL))
    return FALSE;
  if (hours == 24 && mins != 0)
    return FALSE;

  *minutes = (int) (hours * 60 + mins);

  return TRUE;
}

static char *
format_time (int minutes)
{
  return g_strdup_printf ("%02d:%02d", minutes / 60, minutes % 60);
}

static int
on_time_input (GtkSpinButton *spin,
               double        *new_value,
               gpointer       user_data)
{
  int minutes;

  if (!parse_time (gtk_editable_get_text (GTK_EDITABLE (spin)), &minutes))
    return GTK_INPUT_ERROR;

  *new_value = minutes;

  return TRUE;
}

static gboolean
on_time_output (GtkSpinButton *spin,
                gpointer       user_data)
{
  g_autofree char *text = format_time ((int) gtk_spin_button_get_value (spin));

  /* Setting the same text again would move the cursor while typing. */
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (spin)), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);

  return TRUE;
}

static void
on_business_hours_changed (TandemPreferencesWindow *self)
{
  int start = (int) gtk_spin_button_get_value (self->hours_start_spin);
  int end = (int) gtk_spin_button_get_value (self->hours_end_spin);
  g_autofree char *start_text = NULL;
  g_autofree char *end_text = NULL;

  if (self->loading)
    return;

  /* A day that closes before it opens would make every SLA clock stand
   * still; the rows say so and nothing is written until it is fixed. */
  if (end <= start)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->hours_start_row), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->hours_end_row), "error");
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->hours_start_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->hours_end_row), "error");

  start_text = format_time (start);
  end_text = format_time (end);
  save_setting (self, "business_hours_start", start_text);
  save_setting (self, "business_hours_end", end_text);
}

static void
on_day_toggled (GtkToggleButton         *button,
                TandemPreferencesWindow *self)
{
  g_autoptr(GString) days = g_string_new (NULL);

  if (self->loading)
    return;

  for (guint i = 0; i < N_WEEKDAYS; i++)
    {
      if (!gtk_toggle_button_get_active (self->day_buttons[i]))
        continue;

      if (days->len > 0)
        g_string_append_c (days, ',');
      g_string_append_printf (days, "%u", i + 1);
    }

  /* SLA clocks only run on business days; with none they would never run. */
  if (days->len == 0)
    {
      self->loading = TRUE;
      gtk_toggle_button_set_active (button, TRUE);
      self->loading = FALSE;
      show_toast (self, _("At least one day of the week has to be a business day"));
      return;
    }

  save_setting (self, "business_days", days->str);
}

static void
on_time_zone_changed (TandemPreferencesWindow *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->time_zone_row), "error");
}

static void
on_time_zone_apply (TandemPreferencesWindow *self)
{
  g_autofree char *text = NULL;
  g_autoptr(GTimeZone) zone = NULL;

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->time_zone_row))));
  zone = g_time_zone_new_identifier (text);

  if (text[0] == '\0' || zone == NULL)
    {
      g_autofree char *message = NULL;

      gtk_widget_add_css_class (GTK_WIDGET (self->time_zone_row), "error");
      /* Translators: %s is what the person typed as a time zone. */
      message = g_strdup_printf (_("“%s” is not a time zone; use a name such as Europe/Berlin"),
                                 text);
      show_toast (self, message);
      return;
    }

  if (save_setting (self, "time_zone", g_time_zone_get_identifier (zone)))
    show_toast (self, _("Time zone changed"));
}

static void
copy_path_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  TandemPreferencesWindow *self = TANDEM_PREFERENCES_WINDOW (widget);

  if (self->store == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), tandem_store_get_path (self->store));
  show_toast (self, _("Path copied"));
}

static void
open_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  TandemPreferencesWindow *self = TANDEM_PREFERENCES_WINDOW (widget);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *uri = NULL;

  if (self->store == NULL)
    return;

  file = g_file_new_for_path (tandem_store_get_path (self->store));
  folder = g_file_get_parent (file);
  uri = g_file_get_uri (folder);

  gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
}

static void
load_settings (TandemPreferencesWindow *self)
{
  g_autofree char *currency = NULL;
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  g_autofree char *days = NULL;
  g_autofree char *zone = NULL;
  g_auto(GStrv) day_list = NULL;
  int minutes;

  self->loading = TRUE;

  currency = tandem_store_get_setting (self->store, "currency", DEFAULT_CURRENCY);
  for (guint i = 0; i < G_N_ELEMENTS (currencies); i++)
    if (g_strcmp0 (currencies[i], currency) == 0)
      adw_combo_row_set_selected (self->currency_row, i);

  start = tandem_store_get_setting (self->store, "business_hours_start", DEFAULT_HOURS_START);
  if (parse_time (start, &minutes))
    gtk_spin_button_set_value (self->hours_start_spin, minutes);

  end = tandem_store_get_setting (self->store, "business_hours_end", DEFAULT_HOURS_END);
  if (parse_time (end, &minutes))
    gtk_spin_button_set_value (self->hours_end_spin, minutes);

  days = tandem_store_get_setting (self->store, "business_days", DEFAULT_BUSINESS_DAYS);
  day_list = g_strsplit (days, ",", -1);
  for (guint i = 0; i < N_WEEKDAYS; i++)
    {
      g_autofree char *day = g_strdup_printf ("%u", i + 1);

      gtk_toggle_button_set_active (self->day_buttons[i],
                                    g_strv_contains ((const char * const *) day_list, day));
    }

  /* Without a stored zone the workspace follows this computer's. */
  zone = tandem_store_get_setting (self->store, "time_zone", NULL);
  if (zone == NULL || zone[0] == '\0')
    {
      g_autoptr(GTimeZone) local = g_time_zone_new_local ();

      g_free (zone);
      zone = g_strdup (g_time_zone_get_identifier (local));
    }
  gtk_editable_set_text (GTK_EDITABLE (self->time_zone_row), zone);

  adw_action_row_set_subtitle (self->database_row, tandem_store_get_path (self->store));

  self->loading = FALSE;
}

static void
create_day_buttons (TandemPreferencesWindow *self)
{
  /* 1 January 2024 was a Monday; the names come from the locale. */
  g_autoptr(GDateTime) monday = g_date_time_new_utc (2024, 1, 1, 12, 0, 0);

  for (guint i = 0; i < N_WEEKDAYS; i++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (monday, i);
      g_autofree char *short_name = g_date_time_format (day, "%a");
      g_autofree char *long_name = g_date_time_format (day, "%A");
      GtkWidget *button = gtk_toggle_button_new_with_label (short_name);

      gtk_widget_set_tooltip_text (button, long_name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, long_name,
                                      -1);
      g_signal_connect (button, "toggled", G_CALLBACK (on_day_toggled), self);
      gtk_box_append (GTK_BOX (self->days_box), button);
      self->day_buttons[i] = GTK_TOGGLE_BUTTON (button);
    }
}

/* Sync */

static void
update_sync_status (TandemPreferencesWindow *self)
{
  g_autofree char *server = NULL;
  g_autofree char *time = NULL;
  g_autofree char *pending = NULL;
  g_autofree char *conflicts = NULL;
  TandemSyncIndicator *indicator;
  gint64 last_synced = 0;

  if (self->store == NULL)
    return;

  server = tandem_sync_client_dup_server (self->store);
  indicator = tandem_sync_indicator_for_store (self->store);
  if (indicator != NULL)
    last_synced = tandem_sync_indicator_get_last_synced (indicator);

  time = tandem_sync_format_time (last_synced);
  pending = g_strdup_printf ("%" G_GINT64_FORMAT, tandem_sync_count_outbox (self->store));
  conflicts = g_strdup_printf ("%" G_GINT64_FORMAT, tandem_sync_count_conflicts (self->store));

  gtk_label_set_label (self->last_synced_label, time);
  gtk_label_set_label (self->pending_label, pending);
  gtk_label_set_label (self->conflicts_label, conflicts);
  gtk_widget_set_visible (self->sync_status_group, server != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sync.disconnect", server != NULL);
  /* Connected, the same button takes a new address or token. */
  gtk_widget_set_visible (GTK_WIDGET (self->disconnect_button), server != NULL);
  gtk_button_set_label (self->connect_button, server != NULL ? _("_Reconnect") : _("_Connect"));
}

static void
set_sync_error (TandemPreferencesWindow *self,
                AdwEntryRow             *row,
                const char              *message)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->server_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->token_row), "error");

  if (row != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");

  gtk_label_set_label (self->sync_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->sync_error_label), message != NULL);
}

static void
set_connecting (TandemPreferencesWindow *self,
                gboolean                 connecting)
{
  gtk_widget_set_visible (GTK_WIDGET (self->connect_spinner), connecting);
  gtk_spinner_set_spinning (self->connect_spinner, connecting);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sync.connect", !connecting);
}

static void
on_sync_field_changed (TandemPreferencesWindow *self)
{
  /* The person is fixing what the message was about. */
  set_sync_error (self, NULL, NULL);
}

static void
on_sync_entry_activated (TandemPreferencesWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "sync.connect", NULL);
}

static void
finish_first_round (TandemPreferencesWindow *self,
                    const GError            *error)
{
  self->first_round = FALSE;
  set_connecting (self, FALSE);
  update_sync_status (self);

  if (error == NULL)
    show_toast (self, _("Connected: this workspace is now shared"));
  else
    set_sync_error (self, NULL, error->message);
}

static void
on_round_finished (TandemPreferencesWindow *self,
                   const GError            *error)
{
  if (self->first_round)
    finish_first_round (self, error);
  else
    update_sync_status (self);
}

static void
first_round_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(TandemPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  const TandemTableSpec **tables;
  guint n_tables = 0;

  tandem_sync_client_run_finish (result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->store == NULL)
    return;

  /* The round wrote through its own connection. */
  tables = tandem_schema_tables (&n_tables);
  for (guint i = 0; i < n_tables; i++)
    tandem_store_notify_external_change (self->store, tables[i]->name);

  finish_first_round (self, error);
}

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(TandemPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *server = NULL;
  g_autofree char *token = NULL;
  TandemSyncIndicator *indicator;

  if (!tandem_sync_client_check_finish (result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      set_connecting (self, FALSE);

      if (g_error_matches (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_UNAUTHORIZED))
        set_sync_error (self, self->token_row,
                        _("The server did not accept this token; ask for a new one with tandem-sync token add"));
      else if (g_error_matches (error, TANDEM_SYNC_CLIENT_ERROR, TANDEM_SYNC_CLIENT_ERROR_OFFLINE))
        {
          /* Translators: %s is why the connection failed. */
          message = g_strdup_printf (_("No answer from this address (%s). Check it, and that tandem-sync is running there."),
                                     error->message);
          set_sync_error (self, self->server_row, message);
        }
      else if (g_error_matches (error, TANDEM_SYNC_CLIENT_ERROR,
                                TANDEM_SYNC_CLIENT_ERROR_UPGRADE_REQUIRED))
        set_sync_error (self, NULL,
                        _("The server expects another version of Tandem; update Tandem on this desktop"));
      else
        set_sync_error (self, NULL, error->message);

      return;
    }

  if (self->store == NULL)
    return;

  server = g_steal_pointer (&self->checked_server);
  token = g_steal_pointer (&self->checked_token);

  if (!tandem_sync_client_configure (self->store, server, token, &error))
    {
      set_connecting (self, FALSE);
      set_sync_error (self, NULL, error->message);
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
  set_sync_error (self, NULL, NULL);

  /* The first round pulls the server's snapshot into this workspace. The
   * window's indicator runs it, so that it never overlaps a background
   * round; without a window, it runs here. */
  self->first_round = TRUE;
  indicator = tandem_sync_indicator_for_store (self->store);
  if (indicator != NULL)
    tandem_sync_indicator_sync_now (indicator);
  else
    tandem_sync_client_run_async (tandem_store_get_path (self->store),
                                  self->sync_cancellable,
                                  first_round_cb,
                                  g_object_ref (self));
}

static void
sync_connect_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TandemPreferencesWindow *self = TANDEM_PREFERENCES_WINDOW (widget);
  g_autofree char *server = NULL;
  g_autofree char *token = NULL;
  gsize len;

  server = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
  token = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->token_row))));

  /* People type "192.168.1.20:8765"; the server speaks plain HTTP unless
   * it was given a certificate. */
  if (*server != '\0' && strstr (server, "://") == NULL)
    {
      char *with_scheme = g_strconcat ("http://", server, NULL);

      g_free (server);
      server = with_scheme;
    }
  len = strlen (server);
  while (len > 0 && server[len - 1] == '/')
    server[--len] = '\0';

  if (*server == '\0' || !g_uri_is_valid (server, G_URI_FLAGS_NONE, NULL)
      || !(g_str_has_prefix (server, "http://") || g_str_has_prefix (server, "https://")))
    {
      set_sync_error (self, self->server_row,
                      _("Enter the server’s address, such as http://192.168.1.20:8765"));
      return;
    }

  if (*token == '\0')
    {
      set_sync_error (self, self->token_row,
                      _("Enter the token that “tandem-sync token add” printed for this desktop"));
      return;
    }

  set_sync_error (self, NULL, NULL);
  set_connecting (self, TRUE);

  g_cancellable_cancel (self->sync_cancellable);
  g_clear_object (&self->sync_cancellable);
  self->sync_cancellable = g_cancellable_new ();
  g_free (self->checked_server);
  self->checked_server = g_strdup (server);
  g_free (self->checked_token);
  self->checked_token = g_strdup (token);

  tandem_sync_client_check_async (server, token, self->sync_cancellable, check_cb,
                                  g_object_ref (self));
}

static void
sync_disconnect_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  TandemPreferencesWindow *self = TANDEM_PREFERENCES_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  TandemSyncIndicator *indicator;

  if (self->store == NULL)
    return;

  /* Only the address and token are forgotten: the workspace keeps every
   * row, and its pending changes go out if it connects again. */
  if (!tandem_sync_client_configure (self->store, NULL, NULL, &error))
    {
      show_error (self, error);
      return;
    }

  indicator = tandem_sync_indicator_for_store (self->store);
  if (indicator != NULL)
    tandem_sync_indicator_reload (indicator);

  gtk_editable_set_text (GTK_EDITABLE (self->server_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
  set_sync_error (self, NULL, NULL);
  update_sync_status (self);
  show_toast (self, _("This workspace is no longer shared"));
}

static void
load_sync (TandemPreferencesWindow *self)
{
  g_autofree char *server = tandem_sync_client_dup_server (self->store);
  TandemSyncIndicator *indicator = tandem_sync_indicator_for_store (self->store);

  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server != NULL ? server : "");
  set_sync_error (self, NULL, NULL);

  if (indicator != NULL)
    {
      g_signal_connect_object (indicator, "round-finished", G_CALLBACK (on_round_finished),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (indicator, "notify::state", G_CALLBACK (update_sync_status),
                               self, G_CONNECT_SWAPPED);
    }

  update_sync_status (self);
}

static void
set_store (TandemPreferencesWindow *self,
           TandemStore             *store)
{
  g_assert (self->store == NULL);

  if (store == NULL)
    return;

  self->store = g_object_ref (store);
  self->members = tandem_record_list_new (store, TANDEM_TYPE_MEMBER);
  gtk_list_box_bind_model (self->members_list, G_LIST_MODEL (self->members),
                           create_member_row, self, NULL);

  load_settings (self);
  load_sync (self);
}

static void
tandem_preferences_window_dispose (GObject *object)
{
  TandemPreferencesWindow *self = TANDEM_PREFERENCES_WINDOW (object);

  if (self->members_list != NULL)
    gtk_list_box_bind_model (self->members_list, NULL, NULL, NULL, NULL);

  g_cancellable_cancel (self->sync_cancellable);
  g_clear_object (&self->sync_cancellable);
  g_clear_object (&self->members);
  g_clear_object (&self->store);
  g_clear_object (&self->member_page);

  G_OBJECT_CLASS (tandem_preferences_window_parent_class)->dispose (object);
}

static void
tandem_preferences_window_finalize (GObject *object)
{
  TandemPreferencesWindow *self = TANDEM_PREFERENCES_WINDOW (object);

  g_clear_pointer (&self->editing_id, g_free);
  g_clear_pointer (&self->checked_server, g_free);
  g_clear_pointer (&self->checked_token, g_free);

  G_OBJECT_CLASS (tandem_preferences_window_parent_class)->finalize (object);
}

static void
tandem_preferences_window_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  TandemPreferencesWindow *self = TANDEM_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_preferences_window_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  TandemPreferencesWindow *self = TANDEM_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      set_store (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_preferences_window_class_init (TandemPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tandem_preferences_window_dispose;
  object_class->finalize = tandem_preferences_window_finalize;
  object_class->get_property = tandem_preferences_window_get_property;
  object_class->set_property = tandem_preferences_window_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         TANDEM_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/tandem-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, members_list);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, currency_row);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, hours_start_row);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, hours_end_row);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, hours_start_spin);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, hours_end_spin);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, days_box);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, time_zone_row);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, database_row);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, member_page);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, member_page_title);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, member_save_button);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, token_row);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, sync_error_label);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, connect_spinner);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, connect_button);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, disconnect_button);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, sync_status_group);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, last_synced_label);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, pending_label);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, conflicts_label);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, member_name_row);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, member_email_row);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, member_team_row);
  gtk_widget_class_bind_template_child (widget_class, TandemPreferencesWindow, member_role_row);
  gtk_widget_class_bind_template_callback (widget_class, on_member_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_member_field_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_member_entry_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_currency_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_time_input);
  gtk_widget_class_bind_template_callback (widget_class, on_time_output);
  gtk_widget_class_bind_template_callback (widget_class, on_business_hours_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_time_zone_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_time_zone_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_sync_field_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_sync_entry_activated);

  gtk_widget_class_install_action (widget_class, "member.add", NULL, member_add_action);
  gtk_widget_class_install_action (widget_class, "member.edit", "s", member_edit_action);
  gtk_widget_class_install_action (widget_class, "member.save", NULL, member_save_action);
  gtk_widget_class_install_action (widget_class, "member.cancel", NULL, member_cancel_action);
  gtk_widget_class_install_action (widget_class, "member.set-active", "(sb)",
                                   member_set_active_action);
  gtk_widget_class_install_action (widget_class, "prefs.copy-path", NULL, copy_path_action);
  gtk_widget_class_install_action (widget_class, "prefs.open-folder", NULL, open_folder_action);
  gtk_widget_class_install_action (widget_class, "sync.connect", NULL, sync_connect_action);
  gtk_widget_class_install_action (widget_class, "sync.disconnect", NULL,
                                   sync_disconnect_action);
}

static void
tandem_preferences_window_init (TandemPreferencesWindow *self)
{
  g_autoptr(GtkStringList) currency_model = NULL;
  g_autoptr(GListModel) team_model = NULL;
  g_autoptr(GListModel) role_model = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->sync_cancellable = g_cancellable_new ();

  /* The form is shown as a subpage, which the window parents only while it
   * is open; this reference keeps it between uses. */
  g_object_ref_sink (self->member_page);

  currency_model = gtk_string_list_new ((const char * const *) currencies);
  G_STATIC_ASSERT (G_N_ELEMENTS (currencies) > 0);
  adw_combo_row_set_model (self->currency_row, G_LIST_MODEL (currency_model));

  team_model = choice_model (teams, G_N_ELEMENTS (teams));
  adw_combo_row_set_model (self->member_team_row, team_model);
  role_model = choice_model (roles, G_N_ELEMENTS (roles));
  adw_combo_row_set_model (self->member_role_row, role_model);

  create_day_buttons (self);
}

GtkWidget *
tandem_preferences_window_new (TandemStore *store)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);

  return g_object_new (TANDEM_TYPE_PREFERENCES_WINDOW,
                       "store", store,
                       NULL);
}

TandemStore *
tandem_preferences_window_get_store (TandemPreferencesWindow *self)
{
  g_return_val_if_fail (TANDEM_IS_PREFERENCES_WINDOW (self), NULL);

  return self->store;
}

void
tandem_preferences_window_edit_member (TandemPreferencesWindow *self,
                                       const char              *member_id)
{
  g_autoptr(TandemRecord) member = NULL;
  g_autoptr(GError) error = NULL;
  const char *name = "";
  const char *email = "";
  guint team = 0, role = 1;

  g_return_if_fail (TANDEM_IS_PREFERENCES_WINDOW (self));

  if (self->store == NULL)
    return;

  if (member_id != NULL)
    {
      member = tandem_store_get (self->store, TANDEM_TYPE_MEMBER, member_id, &error);
      if (member == NULL)
        {
          show_error (self, error);
          return;
        }

      name = tandem_record_get_text (member, "name");
      email = tandem_record_get_text (member, "email");
      team = choice_index (teams, G_N_ELEMENTS (teams),
                           tandem_record_get_text (member, "team"));
      role = choice_index (roles, G_N_ELEMENTS (roles),
                           tandem_record_get_text (member, "role"));
    }

  g_free (self->editing_id);
  self->editing_id = g_strdup (member_id);
  self->initial_team = team;
  self->initial_role = role;

  adw_window_title_set_title (self->member_page_title,
                              member_id != NULL ? _("Edit Member") : _("New Member"));
  gtk_button_set_label (self->member_save_button, member_id != NULL ? _("_Save") : _("_Add"));

  gtk_editable_set_text (GTK_EDITABLE (self->member_name_row), name != NULL ? name : "");
  gtk_editable_set_text (GTK_EDITABLE (self->member_email_row), email != NULL ? email : "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->member_name_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->member_email_row), "error");

  /* A team or role this version does not know shows as the first choice;
   * it is written only if the person picks one. */
  adw_combo_row_set_selected (self->member_team_row,
                              team != GTK_INVALID_LIST_POSITION ? team : 0);
  adw_combo_row_set_selected (self->member_role_row,
                              role != GTK_INVALID_LIST_POSITION ? role : 0);
  if (team == GTK_INVALID_LIST_POSITION)
    self->initial_team = 0;
  if (role == GTK_INVALID_LIST_POSITION)
    self->initial_role = 0;

  /* The subpage may still be shown when the form is reopened by an action. */
  if (gtk_widget_get_parent (self->member_page) == NULL)
    adw_preferences_window_present_subpage (ADW_PREFERENCES_WINDOW (self), self->member_page);

  gtk_widget_grab_focus (GTK_WIDGET (self->member_name_row));
}
