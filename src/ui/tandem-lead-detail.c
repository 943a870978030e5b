/* tandem-lead-detail.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "tandem-committee-dialog.h"
#include "tandem-core.h"
#include "tandem-lead-detail.h"
#include "tandem-move-dialog.h"
#include "tandem-window.h"

#define DAY_MS (24 * 3600 * (gint64) 1000)

/* Bursts of changes (a rescore, an import) would otherwise rebuild the
 * detail once per row. */
#define RELOAD_DELAY_MS 100

static const char * const contact_fields[] = {
  "first_name", "last_name", "email", "phone", "job_title", "seniority", "company_id", NULL
};

static const char * const form_kinds[] = { "note", "call", "email_sent", "meeting", NULL };

struct _TandemLeadDetail
{
  AdwBin          parent_instance;

  TandemStore    *store;
  TandemLead     *lead;
  gulong          changed_handler;
  guint           reload_id;

  GtkLabel       *title_label;
  GtkMenuButton  *move_button;
  GMenu          *move_menu;
  GtkListBox     *contact_list;
  GtkListBox     *company_list;
  GtkListBox     *stage_list;
  GtkListBox     *history_list;
  GtkListBox     *score_list;
  GtkListBox     *activity_list;
  GtkListBox     *deal_list;
  GtkWidget      *committee_group;
  GtkListBox     *committee_list;
  GtkRevealer    *form_revealer;
  GtkDropDown    *form_kind;
  GtkEntry       *form_subject;
  GtkTextView    *form_body;
};

G_DEFINE_FINAL_TYPE (TandemLeadDetail, tandem_lead_detail, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_LEAD,
  N_PROPS
};

enum {
  CLOSE_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Formatting. */

static char *
format_time (gint64 ms)
{
  g_autoptr(GDateTime) time = NULL;

  if (ms <= 0)
    return g_strdup ("—");

  time = g_date_time_new_from_unix_local (ms / 1000);
  /* Translators: a date and time in the activity timeline and history. */
  return g_date_time_format (time, _("%e %b %Y, %H:%M"));
}

static char *
format_ago (gint64 ms)
{
  gint64 days;
  g_autofree char *when = NULL;

  if (ms <= 0)
    return g_strdup (_("Never"));

  days = MAX (g_get_real_time () / 1000 - ms, 0) / DAY_MS;
  when = format_time (ms);
  return g_strdup_printf (ngettext ("%s (%" G_GINT64_FORMAT " day ago)",
                                    "%s (%" G_GINT64_FORMAT " days ago)", days), when, days);
}

static const char *
or_dash (const char *text)
{
  return text != NULL && *text != '\0' ? text : "—";
}

static char *
dup_record_name (TandemStore *store,
                 GType        type,
                 const char  *id)
{
  g_autoptr(TandemRecord) record = NULL;

  if (id == NULL || store == NULL)
    return NULL;

  record = tandem_store_get (store, type, id, NULL);
  if (record == NULL)
    return NULL;
  if (type == TANDEM_TYPE_LEAD)
    return tandem_lead_dup_display_name (TANDEM_LEAD (record));

  return g_strdup (tandem_record_get_text (record, "name"));
}

static char *
dup_stage_name (TandemStore *store,
                const char  *stage)
{
  g_autoptr(TandemRecord) definition = NULL;

  if (stage == NULL)
    return g_strdup ("—");

  definition = tandem_pipeline_get_stage (store, stage, NULL);
  if (definition != NULL && tandem_record_get_text (definition, "name") != NULL)
    return g_strdup (tandem_record_get_text (definition, "name"));

  return g_strdup (stage);
}

static const char *
activity_icon (const char *kind)
{
  static const struct { const char *kind; const char *icon; } icons[] = {
    { "page_view", "web-browser-symbolic" },
    { "form_fill", "document-edit-symbolic" },
    { "email_open", "mail-read-symbolic" },
    { "email_click", "mail-unread-symbolic" },
    { "email_sent", "mail-send-symbolic" },
    { "call", "call-start-symbolic" },
    { "meeting", "x-office-calendar-symbolic" },
    { "note", "accessories-text-editor-symbolic" },
    { "demo_request", "starred-symbolic" },
    { "trial_start", "starred-symbolic" },
  };

  for (guint i = 0; kind != NULL && i < G_N_ELEMENTS (icons); i++)
    if (g_str_equal (kind, icons[i].kind))
      return icons[i].icon;

  return "emblem-system-symbolic";
}

static const char *
activity_kind_label (const char *kind)
{
  static const struct { const char *kind; const char *label; } labels[] = {
    { "page_view", N_("Visited") },
    { "form_fill", N_("Filled in a form") },
    { "email_open", N_("Opened an email") },
    { "email_click", N_("Clicked in an email") },
    { "email_sent", N_("Email sent") },
    { "call", N_("Call") },
    { "meeting", N_("Meeting") },
    { "note", N_("Note") },
    { "demo_request", N_("Requested a demo") },
    { "trial_start", N_("Started a trial") },
    { "webinar", N_("Webinar") },
  };

  for (guint i = 0; kind != NULL && i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (kind, labels[i].kind))
      return _(labels[i].label);

  return kind != NULL ? kind : "";
}

/* Rows. */

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static GtkWidget *
add_row (GtkListBox *list,
         const char *title,
         const char *value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (or_dash (value));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  /* Values take the room the field name leaves; long ones (a website, an
   * email) are shortened rather than wrapped to a column of fragments. */
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_tooltip_text (label, or_dash (value));
  gtk_widget_add_css_class (label, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  gtk_list_box_append (list, row);
  return row;
}

static GtkWidget *
add_subtitle_row (GtkListBox *list,
                  const char *icon_name,
                  const char *title,
                  const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 3);
  if (icon_name != NULL)
    adw_action_row_set_icon_name (ADW_ACTION_ROW (row), icon_name);
  gtk_list_box_append (list, row);
  return row;
}

static void
add_placeholder (GtkListBox *list,
                 const char *text)
{
  GtkWidget *row = add_subtitle_row (list, NULL, text, NULL);

  gtk_widget_add_css_class (row, "dim-label");
}

/* Sections. */

static gboolean
field_filled (TandemRecord *lead,
              const char   *field)
{
  const char *text;

  if (g_str_equal (field, "employees"))
    {
      /* Company size lives on the company; the lead has it when its
       * company has one. */
      return FALSE;
    }

  text = tandem_record_get_text (lead, field);
  return text != NULL && *text != '\0';
}

static void
fill_contact (TandemLeadDetail *self,
              TandemCompany    *company)
{
  TandemRecord *lead = TANDEM_RECORD (self->lead);
  g_autoptr(TandemRecord) mql = tandem_pipeline_get_stage (self->store, TANDEM_STAGE_MQL, NULL);
  g_auto(GStrv) required = mql != NULL ? tandem_record_dup_list (mql, "required_fields") : NULL;
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();
  g_autofree char *name = tandem_lead_dup_display_name (self->lead);
  g_autofree char *percent_text = NULL;
  GtkWidget *row;
  GtkWidget *bar;
  guint filled = 0;

  clear_list (self->contact_list);

  /* Completeness counts the contact fields and whatever MQL requires, each
   * once: the fields that decide whether marketing may hand the lead off. */
  for (guint i = 0; contact_fields[i] != NULL; i++)
    g_ptr_array_add (fields, (gpointer) contact_fields[i]);
  for (guint i = 0; required != NULL && required[i] != NULL; i++)
    if (!g_ptr_array_find_with_equal_func (fields, required[i], g_str_equal, NULL))
      g_ptr_array_add (fields, required[i]);

  for (guint i = 0; i < fields->len; i++)
    {
      const char *field = g_ptr_array_index (fields, i);
      gboolean ok;

      if (g_str_equal (field, "employees"))
        ok = company != NULL && tandem_record_get_int (TANDEM_RECORD (company), "employees") > 0;
      else if (g_str_equal (field, "company") || g_str_equal (field, "company_id"))
        ok = company != NULL;
      else
        ok = field_filled (lead, field);
      filled += ok;
    }

  add_row (self->contact_list, _("Name"), name);
  add_row (self->contact_list, _("Email"), tandem_record_get_text (lead, "email"));
  add_row (self->contact_list, _("Phone"), tandem_record_get_text (lead, "phone"));
  add_row (self->contact_list, _("Job Title"), tandem_record_get_text (lead, "job_title"));
  add_row (self->contact_list, _("Seniority"), tandem_record_get_text (lead, "seniority"));

  percent_text = g_strdup_printf (_("%u%%"), fields->len > 0 ? filled * 100 / fields->len : 100);
  row = add_row (self->contact_list, _("Completeness"), percent_text);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("Contact details and the fields an MQL needs"));
  bar = gtk_level_bar_new_for_interval (0, fields->len);
  gtk_level_bar_set_value (GTK_LEVEL_BAR (bar), filled);
  gtk_widget_set_size_request (bar, 120, -1);
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (bar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Completeness"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), bar);
}

static void
fill_company (TandemLeadDetail *self,
              TandemCompany    *company)
{
  TandemRecord *record = TANDEM_RECORD (company);
  g_autofree char *employees = NULL;

  clear_list (self->company_list);

  if (company == NULL)
    {
      add_placeholder (self->company_list, _("No company recorded"));
      return;
    }

  if (tandem_record_get_int (record, "employees") > 0)
    employees = g_strdup_printf ("%'" G_GINT64_FORMAT, tandem_record_get_int (record, "employees"));

  add_row (self->company_list, _("Name"), tandem_company_get_name (company));
  add_row (self->company_list, _("Industry"), tandem_record_get_text (record, "industry"));
  add_row (self->company_list, _("Employees"), employees);
  add_row (self->company_list, _("Region"), tandem_record_get_text (record, "region"));
  add_row (self->company_list, _("Website"), tandem_record_get_text (record, "website"));
}

static void
fill_stage (TandemLeadDetail *self)
{
  TandemRecord *lead = TANDEM_RECORD (self->lead);
  g_autofree char *stage_name = dup_stage_name (self->store,
                                                tandem_record_get_text (lead, "stage"));
  g_autofree char *owner = dup_record_name (self->store, TANDEM_TYPE_MEMBER,
                                            tandem_record_get_text (lead, "owner_id"));
  g_autofree char *handoff = format_ago (tandem_record_get_int (lead, "handoff_at"));
  g_autofree char *first_touch = format_ago (tandem_record_get_int (lead, "first_touch_at"));
  g_autofree char *stage_text = NULL;
  gint64 now_ms = g_get_real_time () / 1000;
  gint64 entered = tandem_record_get_int (lead, "stage_entered_at");
  gint64 days = entered > 0 ? MAX (now_ms - entered, 0) / DAY_MS : 0;
  GtkWidget *row;

  clear_list (self->stage_list);

  stage_text = g_strdup_printf (ngettext ("%s for %" G_GINT64_FORMAT " day",
                                          "%s for %" G_GINT64_FORMAT " days", days),
                                stage_name, days);
  row = add_row (self->stage_list, _("Stage"), stage_text);
  if (tandem_pipeline_is_stalled (self->store, self->lead, now_ms))
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Stalled: no activity for too long"));
  add_row (self->stage_list, _("Owner"), owner != NULL ? owner : _("Unassigned"));
  add_row (self->stage_list, _("Handed Off"), handoff);
  add_row (self->stage_list, _("First Touch"), first_touch);
}

static void
fill_history (TandemLeadDetail *self)
{
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;

  clear_list (self->history_list);

  history = tandem_pipeline_list_history (self->store, self->lead, &error);
  if (history == NULL)
    {
      add_placeholder (self->history_list, error->message);
      return;
    }
  if (history->len == 0)
    add_placeholder (self->history_list, _("No stage changes yet"));

  /* Newest first, like the timeline. */
  for (guint i = history->len; i > 0; i--)
    {
      TandemRecord *move = g_ptr_array_index (history, i - 1);
      g_autofree char *from = dup_stage_name (self->store,
                                              tandem_record_get_text (move, "from_stage"));
      g_autofree char *to = dup_stage_name (self->store, tandem_record_get_text (move, "to_stage"));
      g_autofree char *who = dup_record_name (self->store, TANDEM_TYPE_MEMBER,
                                              tandem_record_get_text (move, "member_id"));
      g_autofree char *when = format_time (tandem_record_get_int (move, "occurred_at"));
      g_autofree char *title = NULL;
      GString *subtitle = g_string_new (when);
      const char *reason = tandem_record_get_text (move, "reason");
      const char *note = tandem_record_get_text (move, "note");

      if (tandem_record_get_text (move, "from_stage") == NULL)
        title = g_strdup_printf (_("Entered %s"), to);
      else
        /* Translators: a stage move, "MQL → SAL". */
        title = g_strdup_printf (_("%s → %s"), from, to);

      g_string_append_printf (subtitle, " · %s", who != NULL ? who : _("Tandem"));
      if (reason != NULL && *reason != '\0')
        g_string_append_printf (subtitle, " · %s", reason);
      if (note != NULL && *note != '\0')
        g_string_append_printf (subtitle, "\n%s", note);

      add_subtitle_row (self->history_list, "go-next-symbolic", title, subtitle->str);
      g_string_free (subtitle, TRUE);
    }
}

static void
fill_score (TandemLeadDetail *self)
{
  TandemRecord *lead = TANDEM_RECORD (self->lead);
  g_autoptr(TandemScoringRules) rules = NULL;
  g_autoptr(TandemScore) score = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fit = g_strdup_printf ("%" G_GINT64_FORMAT,
                                          tandem_record_get_int (lead, "fit_score"));
  g_autofree char *engagement = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                 tandem_record_get_int (lead, "engagement_score"));
  g_autofree char *total = g_strdup_printf ("%" G_GINT64_FORMAT,
                                            tandem_record_get_int (lead, "score"));
  g_autofree char *icp = dup_record_name (self->store, TANDEM_TYPE_ICP,
                                          tandem_record_get_text (lead, "icp_id"));
  g_autofree char *persona = dup_record_name (self->store, TANDEM_TYPE_PERSONA,
                                              tandem_record_get_text (lead, "persona_id"));

  clear_list (self->score_list);

  add_row (self->score_list, _("Fit"), fit);
  add_row (self->score_list, _("Engagement"), engagement);
  add_row (self->score_list, _("Total"), total);
  add_row (self->score_list, _("Grade"), tandem_record_get_text (lead, "grade"));
  add_row (self->score_list, _("Best ICP"), icp);
  add_row (self->score_list, _("Best Persona"), persona);

  /* One lead is cheap to evaluate, and the explanation must match the
   * rules as they are now rather than when the score was last stored. */
  rules = tandem_scoring_rules_load (self->store, &error);
  if (rules != NULL)
    score = tandem_scoring_evaluate (rules, self->store, self->lead, 0, &error);
  if (score == NULL)
    {
      add_placeholder (self->score_list, error != NULL ? error->message : "");
      return;
    }

  if (score->hits->len == 0)
    add_placeholder (self->score_list, _("No scoring rule applies to this lead"));

  for (guint i = 0; i < score->hits->len; i++)
    {
      TandemScoreHit *hit = g_ptr_array_index (score->hits, i);
      GtkWidget *row = add_subtitle_row (self->score_list, NULL, hit->text, NULL);

      gtk_widget_add_css_class (row, "lead-score-hit");
      gtk_widget_add_css_class (row, hit->points < 0 ? "negative" : "positive");
    }
}

static void
add_activity_row (TandemLeadDetail *self,
                  TandemRecord     *activity)
{
  const char *kind = tandem_record_get_text (activity, "kind");
  const char *url = tandem_record_get_text (activity, "url");
  const char *subject = tandem_record_get_text (activity, "subject");
  const char *body = tandem_record_get_text (activity, "body");
  g_autofree char *who = dup_record_name (self->store, TANDEM_TYPE_MEMBER,
                                          tandem_record_get_text (activity, "member_id"));
  g_autofree char *when = format_time (tandem_record_get_int (activity, "occurred_at"));
  g_autofree char *title = NULL;
  GString *subtitle = g_string_new (when);
  const char *what = NULL;

  if (subject != NULL && *subject != '\0')
    what = subject;
  else if (url != NULL && *url != '\0')
    what = url;
  else if (body != NULL && *body != '\0')
    what = body;

  if (what != NULL)
    title = g_strdup_printf ("%s: %s", activity_kind_label (kind), what);
  else
    title = g_strdup (activity_kind_label (kind));

  if (who != NULL)
    g_string_append_printf (subtitle, " · %s", who);
  if (body != NULL && *body != '\0' && what != body)
    g_string_append_printf (subtitle, "\n%s", body);

  add_subtitle_row (self->activity_list, activity_icon (kind), title, subtitle->str);
  g_string_free (subtitle, TRUE);
}

static void
fill_activities (TandemLeadDetail *self)
{
  g_autoptr(GPtrArray) activities = NULL;
  g_autoptr(GError) error = NULL;
  gint64 handoff_at = tandem_record_get_int (TANDEM_RECORD (self->lead), "handoff_at");
  gboolean handoff_shown = handoff_at <= 0;

  clear_list (self->activity_list);

  activities = tandem_pipeline_list_activities (self->store, self->lead, &error);
  if (activities == NULL)
    {
      add_placeholder (self->activity_list, error->message);
      return;
    }
  if (activities->len == 0)
    add_placeholder (self->activity_list, _("No activity yet"));

  /* Newest first; the handoff is marked where it happened, so sales sees
   * what marketing saw before it. */
  for (guint i = 0; i < activities->len; i++)
    {
      TandemRecord *activity = g_ptr_array_index (activities, i);

      if (!handoff_shown && tandem_record_get_int (activity, "occurred_at") < handoff_at)
        {
          g_autofree char *when = format_time (handoff_at);
          GtkWidget *row = add_subtitle_row (self->activity_list, "send-to-symbolic",
                                             _("Handed off to sales"), when);

          gtk_widget_add_css_class (row, "lead-handoff-mark");
          handoff_shown = TRUE;
        }
      add_activity_row (self, activity);
    }

  if (!handoff_shown)
    {
      g_autofree char *when = format_time (handoff_at);
      GtkWidget *row = add_subtitle_row (self->activity_list, "send-to-symbolic",
                                         _("Handed off to sales"), when);

      gtk_widget_add_css_class (row, "lead-handoff-mark");
    }
}

static char *
format_amount (TandemStore *store,
               gint64       minor)
{
  g_autofree char *currency = tandem_store_get_setting (store, "currency", "EUR");

  /* Amounts are stored in minor units (cents). */
  return g_strdup_printf ("%s %'.2f", currency, minor / 100.0);
}

static const char *
committee_role_label (const char *role)
{
  static const struct { const char *key; const char *label; } labels[] = {
    { "decision maker", N_("Decision maker") },
    { "champion", N_("Champion") },
    { "influencer", N_("Influencer") },
    { "user", N_("User") },
    { "blocker", N_("Blocker") },
  };

  for (guint i = 0; role != NULL && i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (role, labels[i].key))
      return _(labels[i].label);

  return role;
}

static const char *
attitude_label (const char *attitude)
{
  static const struct { const char *key; const char *label; } labels[] = {
    /* Translators: an attitude towards a deal: for it. */
    { "champion", N_("For it") },
    { "neutral", N_("Neutral") },
    { "sceptic", N_("Sceptical") },
  };

  for (guint i = 0; attitude != NULL && i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (attitude, labels[i].key))
      return _(labels[i].label);

  return attitude;
}

static GtkWidget *
member_button (const char *icon_name,
               const char *tooltip,
               const char *action_name,
               const char *member_id)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", member_id);

  return button;
}

/* The buying committee, with a way to change each member; the group shows
 * once the lead has a deal. */
static void
fill_committee (TandemLeadDetail *self,
                TandemRecord     *deal)
{
  g_autoptr(GPtrArray) committee = NULL;
  g_autoptr(GError) error = NULL;

  clear_list (self->committee_list);
  gtk_widget_set_visible (self->committee_group, deal != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "detail.add-member", deal != NULL);
  if (deal == NULL)
    return;

  committee = tandem_pipeline_list_committee (self->store, deal, &error);
  if (committee == NULL)
    {
      add_placeholder (self->committee_list, error->message);
      return;
    }
  if (committee->len == 0)
    add_placeholder (self->committee_list, _("No one yet: add who decides, who will use it, "
                                             "and who could stand in the way"));

  for (guint i = 0; i < committee->len; i++)
    {
      TandemRecord *contact = g_ptr_array_index (committee, i);
      const char *id = tandem_record_get_id (contact);
      g_autofree char *person = dup_record_name (self->store, TANDEM_TYPE_LEAD,
                                                 tandem_record_get_text (contact, "lead_id"));
      g_autofree char *persona = dup_record_name (self->store, TANDEM_TYPE_PERSONA,
                                                  tandem_record_get_text (contact, "persona_id"));
      g_autofree char *subtitle = NULL;
      g_autofree char *edit_label = NULL;
      g_autofree char *remove_label = NULL;
      GtkWidget *row;

      if (person == NULL)
        person = g_strdup (_("Unknown person"));

      /* Translators: persona · role · attitude · influence, of a buying
       * committee member. */
      subtitle = g_strdup_printf (_("%s · %s · %s · influence %" G_GINT64_FORMAT),
                                  or_dash (persona),
                                  or_dash (committee_role_label (tandem_record_get_text (contact, "role"))),
                                  or_dash (attitude_label (tandem_record_get_text (contact, "attitude"))),
                                  tandem_record_get_int (contact, "influence"));
      row = add_subtitle_row (self->committee_list, "avatar-default-symbolic", person, subtitle);

      /* Translators: a button of a buying committee member, with their name. */
      edit_label = g_strdup_printf (_("Edit %s"), person);
      /* Translators: a button of a buying committee member, with their name. */
      remove_label = g_strdup_printf (_("Remove %s from the buying committee"), person);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 member_button ("document-edit-symbolic", edit_label,
                                                "detail.edit-member", id));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 member_button ("user-trash-symbolic", remove_label,
                                                "detail.remove-member", id));
    }
}

static void
fill_deal (TandemLeadDetail *self)
{
  g_autoptr(TandemRecord) deal = tandem_pipeline_get_deal (self->store, self->lead, NULL);
  g_autofree char *amount = NULL;
  g_autofree char *close = NULL;
  g_autofree char *probability = NULL;

  clear_list (self->deal_list);

  if (deal == NULL)
    {
      add_placeholder (self->deal_list, _("No deal yet: one opens when the lead becomes an opportunity"));
      fill_committee (self, NULL);
      return;
    }

  amount = format_amount (self->store, tandem_record_get_int (deal, "amount"));
  close = format_time (tandem_record_get_int (deal, "expected_close"));
  probability = g_strdup_printf (_("%" G_GINT64_FORMAT "%%"),
                                 tandem_record_get_int (deal, "probability"));

  add_row (self->deal_list, _("Amount"), amount);
  add_row (self->deal_list, _("Expected Close"), close);
  add_row (self->deal_list, _("Probability"), probability);
  add_row (self->deal_list, _("Status"), tandem_record_get_text (deal, "status"));
  if (tandem_record_get_text (deal, "lost_reason") != NULL)
    add_row (self->deal_list, _("Lost Because"), tandem_record_get_text (deal, "lost_reason"));

  fill_committee (self, deal);
}

static void
fill_move_menu (TandemLeadDetail *self)
{
  g_autoptr(GPtrArray) stages = tandem_pipeline_list_stages (self->store, TRUE, NULL);
  const char *current = tandem_record_get_text (TANDEM_RECORD (self->lead), "stage");

  g_menu_remove_all (self->move_menu);
  for (guint i = 0; stages != NULL && i < stages->len; i++)
    {
      TandemRecord *stage = g_ptr_array_index (stages, i);
      const char *key = tandem_record_get_text (stage, "key");
      g_autoptr(GMenuItem) item = NULL;

      if (key == NULL || g_strcmp0 (key, current) == 0)
        continue;
      item = g_menu_item_new (tandem_record_get_text (stage, "name"), NULL);
      g_menu_item_set_action_and_target (item, "detail.move", "s", key);
      g_menu_append_item (self->move_menu, item);
    }
}

static void
reload (TandemLeadDetail *self)
{
  g_autoptr(TandemCompany) company = NULL;
  g_autoptr(TandemLead) fresh = NULL;
  g_autofree char *name = NULL;
  const char *company_id;

  g_clear_handle_id (&self->reload_id, g_source_remove);

  if (self->lead == NULL || self->store == NULL)
    {
      gtk_label_set_text (self->title_label, "");
      clear_list (self->contact_list);
      clear_list (self->company_list);
      clear_list (self->stage_list);
      clear_list (self->history_list);
      clear_list (self->score_list);
      clear_list (self->activity_list);
      clear_list (self->deal_list);
      fill_committee (self, NULL);
      return;
    }

  /* The lead object may be a row of a list that was loaded earlier. */
  fresh = tandem_store_get (self->store, TANDEM_TYPE_LEAD,
                            tandem_record_get_id (TANDEM_RECORD (self->lead)), NULL);
  if (fresh == NULL)
    {
      /* Deleted meanwhile: nothing left to show. */
      g_signal_emit (self, signals[CLOSE_REQUESTED], 0);
      return;
    }
  g_set_object (&self->lead, fresh);

  company_id = tandem_record_get_text (TANDEM_RECORD (self->lead), "company_id");
  if (company_id != NULL)
    company = tandem_store_get (self->store, TANDEM_TYPE_COMPANY, company_id, NULL);

  name = tandem_lead_dup_display_name (self->lead);
  gtk_label_set_text (self->title_label, name);

  fill_contact (self, company);
  fill_company (self, company);
  fill_stage (self);
  fill_history (self);
  fill_score (self);
  fill_activities (self);
  fill_deal (self);
  fill_move_menu (self);
}

static gboolean
reload_timeout (gpointer data)
{
  TandemLeadDetail *self = data;

  self->reload_id = 0;
  reload (self);
  return G_SOURCE_REMOVE;
}

static void
on_store_changed (TandemLeadDetail *self,
                  const char       *table,
                  const char       *row_id,
                  TandemChangeKind  kind,
                  TandemStore      *store)
{
  const char *lead_id;

  if (self->lead == NULL)
    return;

  lead_id = tandem_record_get_id (TANDEM_RECORD (self->lead));

  /* The lead's own row names itself; rows of the other tables do not say
   * which lead they belong to, so any change there reloads. */
  if (g_str_equal (table, "leads"))
    {
      if (kind != TANDEM_CHANGE_RELOAD && g_strcmp0 (row_id, lead_id) != 0)
        return;
    }
  else if (!g_str_equal (table, "activities") && !g_str_equal (table, "stage_history") &&
           !g_str_equal (table, "deals") && !g_str_equal (table, "deal_contacts") &&
           !g_str_equal (table, "companies") && !g_str_equal (table, "members"))
    return;

  if (self->reload_id == 0)
    self->reload_id = g_timeout_add (RELOAD_DELAY_MS, reload_timeout, self);
}

/* Actions. */

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  g_signal_emit (widget, signals[CLOSE_REQUESTED], 0);
}

static void
move_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TandemLeadDetail *self = TANDEM_LEAD_DETAIL (widget);
  g_autoptr(GPtrArray) leads = g_ptr_array_new_with_free_func (g_object_unref);

  if (self->lead == NULL)
    return;

  g_ptr_array_add (leads, g_object_ref (self->lead));
  tandem_move_dialog_present (widget, self->store, leads,
                              g_variant_get_string (parameter, NULL), FALSE);
}

static void
add_activity_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TandemLeadDetail *self = TANDEM_LEAD_DETAIL (widget);
  const char *kind = g_variant_get_string (parameter, NULL);

  for (guint i = 0; form_kinds[i] != NULL; i++)
    if (g_str_equal (form_kinds[i], kind))
      gtk_drop_down_set_selected (self->form_kind, i);

  gtk_editable_set_text (GTK_EDITABLE (self->form_subject), "");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->form_body), "", -1);
  gtk_revealer_set_reveal_child (self->form_revealer, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->form_subject));
}

static void
cancel_activity_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  TandemLeadDetail *self = TANDEM_LEAD_DETAIL (widget);

  gtk_revealer_set_reveal_child (self->form_revealer, FALSE);
}

static void
save_activity_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TandemLeadDetail *self = TANDEM_LEAD_DETAIL (widget);
  g_autoptr(TandemRecord) activity = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->form_body);
  GtkTextIter start, end;
  guint kind = gtk_drop_down_get_selected (self->form_kind);
  const char *subject = gtk_editable_get_text (GTK_EDITABLE (self->form_subject));

  if (self->lead == NULL || self->store == NULL)
    return;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  body = g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));

  activity = tandem_record_new_for_table ("activities", NULL);
  tandem_record_set_text (activity, "lead_id", tandem_record_get_id (TANDEM_RECORD (self->lead)));
  tandem_record_set_text (activity, "kind", form_kinds[MIN (kind, G_N_ELEMENTS (form_kinds) - 2)]);
  tandem_record_set_int (activity, "occurred_at", g_get_real_time () / 1000);
  tandem_record_set_text (activity, "member_id", tandem_store_get_current_member (self->store));
  if (*subject != '\0')
    tandem_record_set_text (activity, "subject", subject);
  if (*body != '\0')
    tandem_record_set_text (activity, "body", body);

  /* Through scoring, so the score and the stage follow the new activity. */
  if (!tandem_scoring_add_activity (self->store, self->lead, activity, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The activity could not be added: %s"),
                                                  error->message);

      tandem_window_show_error (widget, message);
      return;
    }

  gtk_revealer_set_reveal_child (self->form_revealer, FALSE);
  tandem_window_show_toast (widget, adw_toast_new (_("Activity added")));
  reload (self);
}

static TandemRecord *
get_member (TandemLeadDetail *self,
            const char       *member_id)
{
  g_autoptr(GError) error = NULL;
  TandemRecord *member;

  member = tandem_store_get_row (self->store, "deal_contacts", member_id, &error);
  if (member == NULL && error != NULL)
    g_warning ("Could not read the committee member %s: %s", member_id, error->message);

  return member;
}

static void
add_member_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  TandemLeadDetail *self = TANDEM_LEAD_DETAIL (widget);
  g_autoptr(TandemRecord) deal = NULL;

  if (self->lead == NULL || self->store == NULL)
    return;

  deal = tandem_pipeline_get_deal (self->store, self->lead, NULL);
  if (deal != NULL)
    tandem_committee_dialog_present (widget, self->store, deal, NULL);
}

static void
edit_member_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TandemLeadDetail *self = TANDEM_LEAD_DETAIL (widget);
  g_autoptr(TandemRecord) deal = NULL;
  g_autoptr(TandemRecord) member = NULL;

  if (self->lead == NULL || self->store == NULL)
    return;

  deal = tandem_pipeline_get_deal (self->store, self->lead, NULL);
  member = get_member (self, g_variant_get_string (parameter, NULL));
  if (deal != NULL && member != NULL)
    tandem_committee_dialog_present (widget, self->store, deal, member);
}

typedef struct
{
  TandemStore *store;
  char        *member_id;
  GtkWidget   *toast_widget;
} UndoRemove;

static void
undo_remove_free (gpointer  data,
                  GClosure *closure)
{
  UndoRemove *undo = data;

  g_clear_object (&undo->store);
  g_clear_pointer (&undo->member_id, g_free);
  g_clear_weak_pointer (&undo->toast_widget);
  g_free (undo);
}

static void
undo_remove_cb (AdwToast   *toast,
                UndoRemove *undo)
{
  g_autoptr(GError) error = NULL;

  if (!tandem_pipeline_restore_committee_member (undo->store, undo->member_id, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The person could not be put back on the "
                                                    "buying committee: %s"), error->message);

      tandem_window_show_error (undo->toast_widget, message);
    }
}

static void
remove_member_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TandemLeadDetail *self = TANDEM_LEAD_DETAIL (widget);
  g_autoptr(TandemRecord) member = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *person = NULL;
  g_autofree char *title = NULL;
  UndoRemove *undo;
  AdwToast *toast;

  if (self->store == NULL)
    return;

  member = get_member (self, g_variant_get_string (parameter, NULL));
  if (member == NULL)
    return;

  if (!tandem_pipeline_remove_committee_member (self->store, member, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The person could not be removed from the "
                                                    "buying committee: %s"), error->message);

      tandem_window_show_error (widget, message);
      return;
    }

  person = dup_record_name (self->store, TANDEM_TYPE_LEAD,
                            tandem_record_get_text (member, "lead_id"));
  /* Translators: a person's name. */
  title = g_strdup_printf (_("%s left the buying committee"),
                           person != NULL ? person : _("Unknown person"));
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);

  /* The toast outlives the detail when another lead is opened, so it keeps
   * what the undo needs itself. */
  undo = g_new0 (UndoRemove, 1);
  undo->store = g_object_ref (self->store);
  undo->member_id = g_strdup (tandem_record_get_id (member));
  g_set_weak_pointer (&undo->toast_widget, widget);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (undo_remove_cb), undo,
                         undo_remove_free, 0);
  tandem_window_show_toast (widget, toast);
}

/* GObject. */

static void
tandem_lead_detail_dispose (GObject *object)
{
  TandemLeadDetail *self = TANDEM_LEAD_DETAIL (object);

  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_handler, self->store);
  g_clear_object (&self->store);
  g_clear_object (&self->lead);

  gtk_widget_dispose_template (GTK_WIDGET (self), TANDEM_TYPE_LEAD_DETAIL);

  G_OBJECT_CLASS (tandem_lead_detail_parent_class)->dispose (object);
}

static void
tandem_lead_detail_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TandemLeadDetail *self = TANDEM_LEAD_DETAIL (object);

  switch (prop_id)
    {
    case PROP_LEAD:
      g_value_set_object (value, self->lead);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_lead_detail_class_init (TandemLeadDetailClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tandem_lead_detail_dispose;
  object_class->get_property = tandem_lead_detail_get_property;

  properties[PROP_LEAD] =
    g_param_spec_object ("lead", NULL, NULL, TANDEM_TYPE_LEAD,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TandemLeadDetail::close-requested:
   *
   * The person asked to close the detail (or its lead was deleted).
   */
  signals[CLOSE_REQUESTED] =
    g_signal_new ("close-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tandemdesk/Tandem/tandem-lead-detail.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemLeadDetail, title_label);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadDetail, move_button);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadDetail, move_menu);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadDetail, contact_list);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadDetail, company_list);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadDetail, stage_list);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadDetail, history_list);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadDetail, score_list);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadDetail, activity_list);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadDetail, deal_list);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadDetail, committee_group);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadDetail, committee_list);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadDetail, form_revealer);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadDetail, form_kind);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadDetail, form_subject);
  gtk_widget_class_bind_template_child (widget_class, TandemLeadDetail, form_body);

  gtk_widget_class_install_action (widget_class, "detail.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "detail.move", "s", move_action);
  gtk_widget_class_install_action (widget_class, "detail.add-activity", "s", add_activity_action);
  gtk_widget_class_install_action (widget_class, "detail.cancel-activity", NULL,
                                   cancel_activity_action);
  gtk_widget_class_install_action (widget_class, "detail.save-activity", NULL,
                                   save_activity_action);
  gtk_widget_class_install_action (widget_class, "detail.add-member", NULL, add_member_action);
  gtk_widget_class_install_action (widget_class, "detail.edit-member", "s", edit_member_action);
  gtk_widget_class_install_action (widget_class, "detail.remove-member", "s",
                                   remove_member_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "detail.close", NULL);
}

static void
tandem_lead_detail_init (TandemLeadDetail *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
tandem_lead_detail_new (void)
{
  return g_object_new (TANDEM_TYPE_LEAD_DETAIL, NULL);
}

void
tandem_lead_detail_set_lead (TandemLeadDetail *self,
                             TandemStore      *store,
                             TandemLead       *lead)
{
  g_return_if_fail (TANDEM_IS_LEAD_DETAIL (self));
  g_return_if_fail (store == NULL || TANDEM_IS_STORE (store));
  g_return_if_fail (lead == NULL || TANDEM_IS_LEAD (lead));

  if (self->store != store)
    {
      if (self->store != NULL)
        g_clear_signal_handler (&self->changed_handler, self->store);
      g_set_object (&self->store, store);
      if (store != NULL)
        self->changed_handler = g_signal_connect_swapped (store, "changed",
                                                          G_CALLBACK (on_store_changed), self);
    }

  g_set_object (&self->lead, lead);
  gtk_revealer_set_reveal_child (self->form_revealer, FALSE);
  reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEAD]);
}

TandemLead *
tandem_lead_detail_get_lead (TandemLeadDetail *self)
{
  g_return_val_if_fail (TANDEM_IS_LEAD_DETAIL (self), NULL);

  return self->lead;
}
