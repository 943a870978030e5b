/* tandem-scoring-page.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "tandem-scoring-page.h"
#include "tandem-ui-utils.h"
#include "tandem-window.h"

/* Long enough that typing a number is one preview, short enough that the
 * preview still feels live. */
#define WHAT_IF_DELAY_MS 400
/* The preview names this many leads; more would be a report, not a hint. */
#define MAX_CHANGES_SHOWN 50

struct _TandemScoringPage
{
  AdwBin                parent_instance;

  TandemStore          *store;

  /* The staged state: records edited in place but not saved, rules added
   * or deleted, reasons per exit and pending settings. */
  GPtrArray            *stages;          /* TandemRecord */
  GPtrArray            *rules;           /* TandemRecord */
  GPtrArray            *deleted_rules;   /* TandemRecord, stored ones only */
  GHashTable           *reasons;         /* stage key -> GPtrArray of char * */
  int                   thresholds[4];   /* mql, grade a, b, c */
  int                   saved_thresholds[4];
  gboolean              sal_enabled;
  gboolean              saved_sal_enabled;
  gboolean              loading;
  gboolean              valid;
  gboolean              notified_has_changes;

  /* Rows this page created, so a reload can take them away again. */
  GPtrArray            *dynamic_rows;    /* (widget, group) pairs */

  TandemWhatIf         *what_if;
  GCancellable         *what_if_cancellable;
  guint                 what_if_timeout_id;
  GCancellable         *rescore_cancellable;
  gboolean              rescoring;

  GtkRevealer          *changes_revealer;
  GtkLabel             *changes_title;
  GtkLabel             *validation_label;
  GtkProgressBar       *rescore_progress;
  GtkBox               *what_if_box;
  GtkLabel             *what_if_title;
  GtkSpinner           *what_if_spinner;
  GtkFlowBox           *counts_box;
  GtkLabel             *changes_label;
  GtkScrolledWindow    *changes_scroller;
  GtkListBox           *changes_list;
  AdwPreferencesGroup  *stages_group;
  AdwActionRow         *sal_row;
  GtkSwitch            *sal_switch;
  AdwPreferencesGroup  *reasons_group;
  AdwPreferencesGroup  *fit_group;
  AdwPreferencesGroup  *engagement_group;
  AdwPreferencesGroup  *fast_track_group;
  AdwPreferencesGroup  *exclusions_group;
  AdwActionRow         *mql_row;
  AdwActionRow         *grade_a_row;
  AdwActionRow         *grade_b_row;
  AdwActionRow         *grade_c_row;
  GtkSpinButton        *mql_spin;
  GtkSpinButton        *grade_a_spin;
  GtkSpinButton        *grade_b_spin;
  GtkSpinButton        *grade_c_spin;
};

G_DEFINE_FINAL_TYPE (TandemScoringPage, tandem_scoring_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_HAS_CHANGES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Setting keys of the thresholds, in the order of the thresholds array. */
static const char * const threshold_keys[] = {
  "mql_threshold", "grade_a", "grade_b", "grade_c",
};

/* Used only when a workspace has no value yet, so the spin buttons start
 * somewhere sensible. */
static const int threshold_fallbacks[] = { 50, 60, 40, 20 };

static const char * const rule_kinds[] = {
  "fit", "engagement", "fast_track", "exclusion",
};

static const char * const exit_stages[] = {
  TANDEM_STAGE_NURTURE, TANDEM_STAGE_DISQUALIFIED, TANDEM_STAGE_LOST,
};

/* The stored keys are shared with core and never translated. */
static const struct
{
  const char *key;
  const char *label;
} teams[] = {
  { "marketing", N_("Marketing") },
  { "sales", N_("Sales") },
  { "success", N_("Customer success") },
};

static const struct
{
  const char *field;
  const char *label;
} criteria_fields[] = {
  { "first_name", N_("First name") },
  { "last_name", N_("Last name") },
  { "email", N_("Email") },
  { "phone", N_("Phone") },
  { "company_id", N_("Company") },
  { "employees", N_("Company size (employees)") },
  { "job_title", N_("Job title") },
};

typedef struct
{
  const char *kind;
  const char *attribute;
  const char *label;
  const char *operators[3];
} AttributeInfo;

static const AttributeInfo attributes[] = {
  { "fit", "job_title", N_("Job title"), { "contains", NULL } },
  { "fit", "seniority", N_("Seniority"), { "is", NULL } },
  { "fit", "industry", N_("Industry"), { "in_icp", "is", NULL } },
  { "fit", "employees", N_("Employees"), { "between", NULL } },
  { "fit", "region", N_("Region"), { "is", "in_icp", NULL } },
  { "fit", "email_domain", N_("Email domain"), { "is", NULL } },
  { "engagement", "kind", N_("Activity kind"), { "is", NULL } },
  { "engagement", "url", N_("Page address"), { "contains", NULL } },
  { "engagement", "asset", N_("Content asset"), { "is", NULL } },
  { "engagement", "channel", N_("Channel"), { "is", NULL } },
  { "fast_track", "kind", N_("Activity kind"), { "is", NULL } },
  { "exclusion", "free_mail", N_("Free-mail domain"), { "in_icp", NULL } },
  { "exclusion", "excluded_industry", N_("Excluded industry"), { "in_icp", NULL } },
  { "exclusion", "competitor", N_("Competitor"), { "in_icp", NULL } },
};

static const struct
{
  const char *key;
  const char *label;
} operators[] = {
  { "contains", N_("contains") },
  { "is", N_("is") },
  { "in_icp", N_("is listed in an ICP") },
  { "between", N_("is between") },
};

static const struct
{
  const char *key;
  const char *label;
} exclusion_actions[] = {
  { "disqualify", N_("Disqualify the lead") },
  { "cap:B", N_("Cap the grade at B") },
  { "cap:C", N_("Cap the grade at C") },
  { "cap:D", N_("Cap the grade at D") },
};

typedef struct
{
  TandemScoringPage *page;
  TandemRecord      *record;
  AdwExpanderRow    *expander;
  AdwEntryRow       *name_row;
  AdwComboRow       *attribute_row;
  AdwComboRow       *operator_row;
  AdwEntryRow       *value_row;
  AdwActionRow      *points_row;
  GtkSpinButton     *points_spin;
  AdwActionRow      *cap_row;
  GtkSpinButton     *cap_spin;
  AdwActionRow      *half_life_row;
  GtkSpinButton     *half_life_spin;
  AdwComboRow       *action_row;
  GtkSwitch         *enabled_switch;
  /* The attribute keys behind the items of attribute_row and operator_row. */
  GPtrArray         *attribute_keys;
  GPtrArray         *operator_keys;
} RuleRow;

typedef struct
{
  TandemScoringPage *page;
  TandemRecord      *record;
  AdwExpanderRow    *expander;
  AdwEntryRow       *name_row;
  AdwComboRow       *team_row;
  GtkTextView       *definition_view;
  AdwActionRow      *stalled_row;
} StageRow;

static void schedule_update (TandemScoringPage *self);
static void rebuild_rules   (TandemScoringPage *self);
static void rebuild_reasons (TandemScoringPage *self);

static char *
format_count (guint64 count)
{
  /* The ' flag groups digits the way the person's locale does (1,234). */
  return g_strdup_printf ("%'" G_GUINT64_FORMAT, count);
}

static const char *
record_text (TandemRecord *record,
             const char   *field)
{
  const char *text = tandem_record_get_text (record, field);

  return text != NULL ? text : "";
}

static void
set_text_if_changed (TandemRecord *record,
                     const char   *field,
                     const char   *value)
{
  /* Setting a field marks it changed even to the same value, which would
   * show "Unsaved changes" for nothing. */
  if (g_strcmp0 (record_text (record, field), value != NULL ? value : "") != 0)
    tandem_record_set_text (record, field, value != NULL && *value != '\0' ? value : NULL);
}

static void
set_int_if_changed (TandemRecord *record,
                    const char   *field,
                    gint64        value)
{
  if (tandem_record_get_int (record, field) != value)
    tandem_record_set_int (record, field, value);
}

static const char *
stage_display_name (TandemScoringPage *self,
                    const char        *key)
{
  for (guint i = 0; self->stages != NULL && i < self->stages->len; i++)
    {
      TandemRecord *stage = g_ptr_array_index (self->stages, i);

      if (g_strcmp0 (tandem_record_get_text (stage, "key"), key) == 0)
        {
          const char *name = tandem_record_get_text (stage, "name");

          return name != NULL && *name != '\0' ? name : key;
        }
    }

  return key;
}

static const char *
operator_label (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (operators); i++)
    if (g_strcmp0 (operators[i].key, key) == 0)
      return _(operators[i].label);

  return key;
}

static const AttributeInfo *
find_attribute (const char *kind,
                const char *attribute)
{
  for (guint i = 0; i < G_N_ELEMENTS (attributes); i++)
    if (g_str_equal (attributes[i].kind, kind) &&
        g_strcmp0 (attributes[i].attribute, attribute) == 0)
      return &attributes[i];

  return NULL;
}

static const AttributeInfo *
first_attribute (const char *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (attributes); i++)
    if (g_str_equal (attributes[i].kind, kind))
      return &attributes[i];

  return NULL;
}

static GtkSpinButton *
new_spin (double lower,
          double upper)
{
  GtkSpinButton *spin;

  spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (lower, upper, 1));
  gtk_spin_button_set_numeric (spin, TRUE);
  gtk_widget_set_valign (GTK_WIDGET (spin), GTK_ALIGN_CENTER);

  return spin;
}

static AdwActionRow *
new_spin_row (const char    *title,
              const char    *subtitle,
              GtkSpinButton *spin)
{
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (row, subtitle);
  adw_action_row_add_suffix (row, GTK_WIDGET (spin));
  adw_action_row_set_activatable_widget (row, GTK_WIDGET (spin));
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);

  return row;
}

static void
add_dynamic_row (TandemScoringPage   *self,
                 AdwPreferencesGroup *group,
                 GtkWidget           *row)
{
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->dynamic_rows, row);
  g_ptr_array_add (self->dynamic_rows, group);
}

static void
remove_dynamic_rows (TandemScoringPage   *self,
                     AdwPreferencesGroup *only_group)
{
  for (guint i = 0; i + 1 < self->dynamic_rows->len;)
    {
      GtkWidget *row = g_ptr_array_index (self->dynamic_rows, i);
      AdwPreferencesGroup *group = g_ptr_array_index (self->dynamic_rows, i + 1);

      if (only_group != NULL && group != only_group)
        {
          i += 2;
          continue;
        }

      adw_preferences_group_remove (group, row);
      g_ptr_array_remove_range (self->dynamic_rows, i, 2);
    }
}

/* Staged state. */

static void
free_reasons (gpointer data)
{
  g_ptr_array_unref (data);
}

static gboolean
labels_equal (GPtrArray *a,
              GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;

  for (guint i = 0; i < a->len; i++)
    if (g_strcmp0 (g_ptr_array_index (a, i), g_ptr_array_index (b, i)) != 0)
      return FALSE;

  return TRUE;
}

static gboolean
stage_reasons_changed (TandemScoringPage *self,
                       const char        *stage)
{
  GPtrArray *edited = g_hash_table_lookup (self->reasons, stage);
  g_autoptr(GPtrArray) saved = NULL;

  if (edited == NULL || self->store == NULL)
    return FALSE;

  /* The saved lists are a handful of short labels, so reading them again
   * is cheaper than keeping a second copy in step with the store. */
  saved = tandem_pipeline_list_reasons (self->store, stage, NULL);
  if (saved == NULL)
    return TRUE;

  return !labels_equal (edited, saved);
}

static gboolean
save_reasons (TandemScoringPage  *self,
              const char         *stage,
              GError            **error)
{
  GPtrArray *edited = g_hash_table_lookup (self->reasons, stage);
  g_autoptr(GPtrArray) labels = NULL;

  g_assert (edited != NULL);

  /* Core takes a NULL-terminated array; the staged one owns its strings,
   * so the terminated view borrows them rather than copying the array with
   * its free function. */
  labels = g_ptr_array_sized_new (edited->len + 1);
  for (guint i = 0; i < edited->len; i++)
    g_ptr_array_add (labels, g_ptr_array_index (edited, i));
  g_ptr_array_add (labels, NULL);

  return tandem_pipeline_set_reasons (self->store, stage,
                                      (const char * const *) labels->pdata, error);
}

static void
update_actions (TandemScoringPage *self)
{
  gboolean has_changes = tandem_scoring_page_has_changes (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "scoring.save",
                                 has_changes && self->valid && !self->rescoring);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "scoring.discard",
                                 has_changes && !self->rescoring);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "scoring.add-rule",
                                 self->store != NULL && !self->rescoring);
}

/* Dynamic rows carry what they edit, so validation and the actions can
 * find it again without a second list to keep in step. */

static StageRow *
stage_row_from_widget (gpointer widget)
{
  return g_object_get_data (G_OBJECT (widget), "tandem-stage-row");
}

static RuleRow *
rule_row_from_widget (gpointer widget)
{
  return g_object_get_data (G_OBJECT (widget), "tandem-rule-row");
}

static GtkWidget *
find_expander (TandemScoringPage   *self,
               AdwPreferencesGroup *group,
               const char          *key)
{
  for (guint i = 0; i + 1 < self->dynamic_rows->len; i += 2)
    {
      GtkWidget *row = g_ptr_array_index (self->dynamic_rows, i);

      if (g_ptr_array_index (self->dynamic_rows, i + 1) == group &&
          g_strcmp0 (g_object_get_data (G_OBJECT (row), "tandem-key"), key) == 0)
        return row;
    }

  return NULL;
}

static GtkWidget *
find_rule_expander (TandemScoringPage *self,
                    TandemRecord      *rule)
{
  for (guint i = 0; i < self->dynamic_rows->len; i += 2)
    {
      RuleRow *row = rule_row_from_widget (g_ptr_array_index (self->dynamic_rows, i));

      if (row != NULL && row->record == rule)
        return GTK_WIDGET (row->expander);
    }

  return NULL;
}

/* The keys of the expanded rows of @groups, so a rebuild after adding or
 * deleting something leaves open what the person had open. */
static GHashTable *
collect_expanded (TandemScoringPage   *self,
                  AdwPreferencesGroup *group)
{
  GHashTable *expanded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i + 1 < self->dynamic_rows->len; i += 2)
    {
      GtkWidget *row = g_ptr_array_index (self->dynamic_rows, i);
      const char *key = g_object_get_data (G_OBJECT (row), "tandem-key");

      if ((group == NULL || g_ptr_array_index (self->dynamic_rows, i + 1) == group) &&
          key != NULL && ADW_IS_EXPANDER_ROW (row) &&
          adw_expander_row_get_expanded (ADW_EXPANDER_ROW (row)))
        g_hash_table_add (expanded, g_strdup (key));
    }

  return expanded;
}

static void
clear_box (GtkWidget *box)
{
  GtkWidget *child;

  /* GTK 4.8 has no remove_all() for flow boxes and list boxes yet. */
  while ((child = gtk_widget_get_first_child (box)) != NULL)
    {
      if (GTK_IS_FLOW_BOX (box))
        gtk_flow_box_remove (GTK_FLOW_BOX (box), child);
      else
        gtk_list_box_remove (GTK_LIST_BOX (box), child);
    }
}

/* Validation. */

static char *
rule_value_problem (TandemRecord *rule)
{
  const char *operator = record_text (rule, "operator");
  g_autofree char *value = g_strstrip (g_strdup (record_text (rule, "value")));
  g_auto(GStrv) bounds = NULL;
  guint64 min, max;

  /* "Listed in an ICP" compares with the ICPs' own lists. */
  if (g_str_equal (operator, "in_icp"))
    return NULL;

  if (*value == '\0')
    return g_strdup (_("Enter the value this rule compares with."));

  if (!g_str_equal (operator, "between"))
    return NULL;

  bounds = g_strsplit (value, "-", 2);
  if (g_strv_length (bounds) != 2 ||
      !g_ascii_string_to_unsigned (g_strstrip (bounds[0]), 10, 0, G_MAXINT, &min, NULL) ||
      !g_ascii_string_to_unsigned (g_strstrip (bounds[1]), 10, 0, G_MAXINT, &max, NULL))
    return g_strdup (_("Enter a range as MIN-MAX, for example 50-5000."));

  if (min > max)
    return g_strdup_printf (_("The range starts above its end: write it as %s-%s."),
                            bounds[1], bounds[0]);

  return NULL;
}

static void
add_problem (GPtrArray  *problems,
             GtkWidget  *row,
             const char *message)
{
  tandem_row_set_error (row, message);
  if (message != NULL)
    g_ptr_array_add (problems, g_strdup (message));
}

static void
validate (TandemScoringPage *self)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *grade_b_problem = NULL;
  g_autofree char *grade_c_problem = NULL;

  /* Each grade starts where the one above it ends, so the floors have to
   * go down from A to C; otherwise a grade could never be given. */
  if (self->thresholds[2] > self->thresholds[1])
    grade_b_problem = g_strdup_printf (_("Grade B has to start at or below grade A (%d)."),
                                       self->thresholds[1]);
  if (self->thresholds[3] > self->thresholds[2])
    grade_c_problem = g_strdup_printf (_("Grade C has to start at or below grade B (%d)."),
                                       self->thresholds[2]);
  add_problem (problems, GTK_WIDGET (self->grade_b_row), grade_b_problem);
  add_problem (problems, GTK_WIDGET (self->grade_c_row), grade_c_problem);

  for (guint i = 0; i + 1 < self->dynamic_rows->len; i += 2)
    {
      GtkWidget *widget = g_ptr_array_index (self->dynamic_rows, i);
      StageRow *stage = stage_row_from_widget (widget);
      RuleRow *rule = rule_row_from_widget (widget);
      const char *reasons_stage = g_object_get_data (G_OBJECT (widget), "tandem-reasons-stage");
      guint before = problems->len;

      if (stage != NULL)
        {
          g_autofree char *name = g_strstrip (g_strdup (record_text (stage->record, "name")));

          add_problem (problems, GTK_WIDGET (stage->name_row),
                       *name == '\0' ? _("Give the stage a name both teams recognize.") : NULL);
        }
      else if (rule != NULL)
        {
          g_autofree char *name = g_strstrip (g_strdup (record_text (rule->record, "name")));
          g_autofree char *value_problem = rule_value_problem (rule->record);

          add_problem (problems, GTK_WIDGET (rule->name_row),
                       *name == '\0' ? _("Give the rule a name; it explains the score.") : NULL);
          add_problem (problems, GTK_WIDGET (rule->value_row), value_problem);
        }
      else if (reasons_stage != NULL)
        {
          GPtrArray *labels = g_hash_table_lookup (self->reasons, reasons_stage);

          /* Moving a lead to an exit asks for a reason from this list. */
          add_problem (problems, widget,
                       labels == NULL || labels->len == 0
                         ? _("Add at least one reason: moving a lead here needs one.")
                         : NULL);
          continue;
        }
      else
        continue;

      /* A collapsed row has to show that something inside it is wrong. */
      tandem_row_set_error (widget,
                            problems->len > before
                              ? g_ptr_array_index (problems, before)
                              : NULL);
    }

  self->valid = problems->len == 0;

  if (self->valid)
    {
      gtk_label_set_label (self->validation_label, "");
    }
  else if (problems->len == 1)
    {
      gtk_label_set_label (self->validation_label, g_ptr_array_index (problems, 0));
    }
  else
    {
      g_autofree char *text = NULL;
      guint more = problems->len - 1;

      text = g_strdup_printf (ngettext ("%s One more problem is marked below.",
                                        "%s %u more problems are marked below.", more),
                              (const char *) g_ptr_array_index (problems, 0), more);
      gtk_label_set_label (self->validation_label, text);
    }
}

/* The what-if preview. */

typedef struct
{
  char      *path;
  GPtrArray *rules;   /* TandemRecord copies, owned by the worker */
  int        mql_threshold;
} WhatIfJob;

static void
what_if_job_free (WhatIfJob *job)
{
  g_free (job->path);
  g_ptr_array_unref (job->rules);
  g_free (job);
}

static void
what_if_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  WhatIfJob *job = task_data;
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(TandemScoringRules) rules = NULL;
  g_autoptr(GError) error = NULL;
  TandemWhatIf *what_if;

  /* Its own connection: the main thread's store is not thread safe. */
  if (!(store = tandem_store_open (job->path, &error)) ||
      !(rules = tandem_scoring_rules_new_edited (store, job->rules, job->mql_threshold,
                                                 &error)) ||
      !(what_if = tandem_scoring_what_if (store, rules, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, what_if, (GDestroyNotify) tandem_what_if_free);
}

static char *
format_stage_count (TandemScoringPage *self,
                    const char        *stage,
                    guint              now,
                    guint              after)
{
  g_autofree char *now_text = format_count (now);
  g_autofree char *after_text = format_count (after);

  if (now == after)
    /* Translators: a stage and how many leads it holds, e.g. "MQL 12". */
    return g_strdup_printf (C_("what-if", "%s %s"), stage_display_name (self, stage), now_text);

  /* Translators: a stage, how many leads it holds now and how many it would
   * hold after saving, e.g. "MQL 12 → 31". */
  return g_strdup_printf (C_("what-if", "%s %s → %s"), stage_display_name (self, stage),
                          now_text, after_text);
}

static void
show_what_if (TandemScoringPage *self)
{
  const TandemWhatIf *what_if = self->what_if;
  const char * const *keys = tandem_pipeline_stage_keys ();
  g_autofree char *n_text = NULL;
  g_autofree char *summary = NULL;

  gtk_spinner_stop (self->what_if_spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->what_if_spinner), FALSE);
  gtk_label_set_label (self->what_if_title, _("If you save, stages would hold"));
  clear_box (GTK_WIDGET (self->counts_box));
  clear_box (GTK_WIDGET (self->changes_list));

  for (guint i = 0; keys[i] != NULL; i++)
    {
      guint now = GPOINTER_TO_UINT (g_hash_table_lookup (what_if->current_counts, keys[i]));
      guint after = GPOINTER_TO_UINT (g_hash_table_lookup (what_if->edited_counts, keys[i]));
      g_autofree char *text = NULL;
      GtkWidget *label;

      /* Empty stages that stay empty are noise in a bar this small. */
      if (now == 0 && after == 0)
        continue;

      text = format_stage_count (self, keys[i], now, after);
      label = gtk_label_new (text);
      gtk_widget_add_css_class (label, "scoring-count");
      if (now != after)
        gtk_widget_add_css_class (label, "changed");
      gtk_flow_box_append (self->counts_box, label);
    }

  n_text = format_count (what_if->changes->len);
  if (what_if->changes->len == 0)
    summary = g_strdup (_("No lead would change stage"));
  else if (what_if->changes->len <= MAX_CHANGES_SHOWN)
    summary = g_strdup_printf (ngettext ("%s lead would change stage",
                                         "%s leads would change stage",
                                         what_if->changes->len),
                               n_text);
  else
    summary = g_strdup_printf (ngettext ("%s lead would change stage; the first %d are shown",
                                         "%s leads would change stage; the first %d are shown",
                                         what_if->changes->len),
                               n_text, MAX_CHANGES_SHOWN);
  gtk_label_set_label (self->changes_label, summary);

  for (guint i = 0; i < what_if->changes->len && i < MAX_CHANGES_SHOWN; i++)
    {
      const TandemWhatIfChange *change = g_ptr_array_index (what_if->changes, i);
      AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
      g_autofree char *subtitle = NULL;

      /* Translators: a lead's move and score, e.g. "Lead → MQL · score 40 → 72". */
      subtitle = g_strdup_printf (_("%s → %s · score %d → %d"),
                                  stage_display_name (self, change->from_stage),
                                  stage_display_name (self, change->to_stage),
                                  change->old_score, change->new_score);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     change->lead_name != NULL ? change->lead_name : "");
      adw_action_row_set_subtitle (row, subtitle);
      gtk_list_box_append (self->changes_list, GTK_WIDGET (row));
    }

  gtk_widget_set_visible (GTK_WIDGET (self->counts_box), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->changes_label), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->changes_scroller), what_if->changes->len > 0);
}

static void
what_if_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TandemScoringPage *self = TANDEM_SCORING_PAGE (object);
  g_autoptr(GError) error = NULL;
  TandemWhatIf *what_if;

  what_if = g_task_propagate_pointer (G_TASK (result), &error);

  /* A cancelled preview was replaced by a newer one, or the page went. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->what_if_cancellable);
  g_clear_pointer (&self->what_if, tandem_what_if_free);

  if (what_if == NULL)
    {
      g_autofree char *title = NULL;

      title = g_strdup_printf (_("The preview could not be computed: %s"), error->message);
      gtk_spinner_stop (self->what_if_spinner);
      gtk_widget_set_visible (GTK_WIDGET (self->what_if_spinner), FALSE);
      gtk_label_set_label (self->what_if_title, title);
      return;
    }

  self->what_if = what_if;
  show_what_if (self);
}

static gboolean
what_if_timeout_cb (gpointer user_data)
{
  TandemScoringPage *self = user_data;
  g_autoptr(GTask) task = NULL;
  WhatIfJob *job;
  const char *path;

  self->what_if_timeout_id = 0;

  if (self->store == NULL || (path = tandem_store_get_path (self->store)) == NULL)
    return G_SOURCE_REMOVE;

  /* The worker gets copies: the person may go on editing the staged
   * records while it runs. */
  job = g_new0 (WhatIfJob, 1);
  job->path = g_strdup (path);
  job->rules = g_ptr_array_new_with_free_func (g_object_unref);
  job->mql_threshold = self->thresholds[0];
  for (guint i = 0; i < self->rules->len; i++)
    g_ptr_array_add (job->rules, tandem_record_duplicate (g_ptr_array_index (self->rules, i)));

  self->what_if_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->what_if_cancellable, what_if_done_cb, NULL);
  g_task_set_source_tag (task, what_if_timeout_cb);
  g_task_set_task_data (task, job, (GDestroyNotify) what_if_job_free);
  g_task_run_in_thread (task, what_if_thread);

  return G_SOURCE_REMOVE;
}

static void
restart_what_if (TandemScoringPage *self,
                 gboolean           wanted)
{
  g_clear_handle_id (&self->what_if_timeout_id, g_source_remove);
  g_cancellable_cancel (self->what_if_cancellable);
  g_clear_object (&self->what_if_cancellable);
  g_clear_pointer (&self->what_if, tandem_what_if_free);

  if (!wanted)
    {
      gtk_spinner_stop (self->what_if_spinner);
      gtk_widget_set_visible (GTK_WIDGET (self->what_if_spinner), FALSE);
      clear_box (GTK_WIDGET (self->counts_box));
      clear_box (GTK_WIDGET (self->changes_list));
      gtk_widget_set_visible (GTK_WIDGET (self->counts_box), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->changes_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->changes_scroller), FALSE);
      gtk_label_set_label (self->what_if_title,
                           _("Fix the marked rows to see what saving would change"));
      return;
    }

  /* The previous preview stays on screen, with the spinner saying it is
   * being brought up to date, rather than flickering away at every key. */
  gtk_label_set_label (self->what_if_title, _("If you save, stages would hold"));
  gtk_widget_set_visible (GTK_WIDGET (self->what_if_spinner), TRUE);
  gtk_spinner_start (self->what_if_spinner);
  self->what_if_timeout_id = g_timeout_add (WHAT_IF_DELAY_MS, what_if_timeout_cb, self);
}

static void
update_state (TandemScoringPage *self)
{
  gboolean has_changes = tandem_scoring_page_has_changes (self);

  gtk_revealer_set_reveal_child (self->changes_revealer, has_changes || self->rescoring);
  gtk_widget_set_visible (GTK_WIDGET (self->validation_label),
                          !self->valid && !self->rescoring);
  gtk_widget_set_visible (GTK_WIDGET (self->what_if_box), has_changes && !self->rescoring);
  update_actions (self);

  if (has_changes && !self->rescoring)
    restart_what_if (self, self->valid);
  else
    restart_what_if (self, FALSE);

  if (has_changes != self->notified_has_changes)
    {
      self->notified_has_changes = has_changes;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_CHANGES]);
    }
}

/* After every edit: validation and the bar follow at once, so Save is never
 * enabled for something invalid even for a moment; update_state() delays
 * only the preview, which is the costly part. */
static void
schedule_update (TandemScoringPage *self)
{
  if (self->loading)
    return;

  validate (self);
  update_state (self);
}

/* Stages. */

static void
stage_row_free (gpointer data)
{
  StageRow *row = data;

  g_clear_object (&row->record);
  g_free (row);
}

static const char *
team_label (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (teams); i++)
    if (g_strcmp0 (teams[i].key, key) == 0)
      return _(teams[i].label);

  return key;
}

static void
update_stage_summary (StageRow *row)
{
  const char *key = tandem_record_get_text (row->record, "key");
  const char *team = team_label (tandem_record_get_text (row->record, "team"));
  gint64 stalled_days = tandem_record_get_int (row->record, "stalled_days");
  g_autofree char *subtitle = NULL;

  if (stalled_days > 0)
    /* Translators: the owning team, then when a lead counts as stalled. */
    subtitle = g_strdup_printf (ngettext ("%s · stalled after %d day",
                                          "%s · stalled after %d days", stalled_days),
                                team != NULL ? team : "", (int) stalled_days);
  else
    subtitle = g_strdup (team != NULL ? team : "");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->expander),
                                 stage_display_name (row->page, key));
  adw_expander_row_set_subtitle (row->expander, subtitle);

  /* The reasons are grouped under the stage names too. */
  if (tandem_stage_is_exit (key))
    {
      GtkWidget *reasons = find_expander (row->page, row->page->reasons_group, key);

      if (reasons != NULL)
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (reasons),
                                       stage_display_name (row->page, key));
    }
}

static void
stage_name_changed_cb (GtkEditable *editable,
                       StageRow    *row)
{
  if (row->page->loading)
    return;

  set_text_if_changed (row->record, "name", gtk_editable_get_text (editable));
  update_stage_summary (row);
  schedule_update (row->page);
}

static void
stage_team_changed_cb (AdwComboRow *combo,
                       GParamSpec  *pspec,
                       StageRow    *row)
{
  guint selected = adw_combo_row_get_selected (combo);

  if (row->page->loading || selected >= G_N_ELEMENTS (teams))
    return;

  set_text_if_changed (row->record, "team", teams[selected].key);
  update_stage_summary (row);
  schedule_update (row->page);
}

static void
stage_definition_changed_cb (GtkTextBuffer *buffer,
                             StageRow      *row)
{
  g_autofree char *text = NULL;

  if (row->page->loading)
    return;

  /* Trailing blank lines are not worth a change. */
  text = g_strchomp (tandem_text_view_dup_text (row->definition_view));
  set_text_if_changed (row->record, "definition", text);
  schedule_update (row->page);
}

static void
stage_criteria_toggled_cb (GtkCheckButton *check,
                           StageRow       *row)
{
  const char *field = g_object_get_data (G_OBJECT (check), "tandem-field");
  gboolean active = gtk_check_button_get_active (check);
  g_auto(GStrv) current = NULL;
  g_auto(GStrv) fields = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;

  if (row->page->loading)
    return;

  current = tandem_record_dup_list (row->record, "required_fields");
  if ((current != NULL && g_strv_contains ((const char * const *) current, field)) == active)
    return;

  /* Fields this page does not offer are kept: another desktop may know
   * more of them. */
  builder = g_strv_builder_new ();
  for (guint i = 0; current != NULL && current[i] != NULL; i++)
    if (!g_str_equal (current[i], field))
      g_strv_builder_add (builder, current[i]);
  if (active)
    g_strv_builder_add (builder, field);
  fields = g_strv_builder_end (builder);

  tandem_record_set_list (row->record, "required_fields", (const char * const *) fields);
  schedule_update (row->page);
}

static void
stage_stalled_changed_cb (GtkSpinButton *spin,
                          StageRow      *row)
{
  if (row->page->loading)
    return;

  set_int_if_changed (row->record, "stalled_days", gtk_spin_button_get_value_as_int (spin));
  update_stage_summary (row);
  schedule_update (row->page);
}

static GtkWidget *
new_labelled_box (const char *title,
                  GtkWidget  *child)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (title);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  gtk_widget_add_css_class (box, "scoring-row-content");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "caption-heading");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), child);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  return row;
}

static GtkWidget *
create_stage_row (TandemScoringPage *self,
                  TandemRecord      *stage)
{
  StageRow *row = g_new0 (StageRow, 1);
  g_autoptr(GtkStringList) team_labels = gtk_string_list_new (NULL);
  g_auto(GStrv) required = tandem_record_dup_list (stage, "required_fields");
  const char *team = tandem_record_get_text (stage, "team");
  GtkSpinButton *stalled_spin;
  GtkTextBuffer *buffer;
  GtkWidget *frame;
  GtkWidget *criteria;
  guint selected = GTK_INVALID_LIST_POSITION;

  row->page = self;
  row->record = g_object_ref (stage);

  row->expander = ADW_EXPANDER_ROW (adw_expander_row_new ());
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row->expander), FALSE);
  g_object_set_data_full (G_OBJECT (row->expander), "tandem-key",
                          g_strdup (tandem_record_get_text (stage, "key")), g_free);
  g_object_set_data_full (G_OBJECT (row->expander), "tandem-stage-row", row, stage_row_free);

  row->name_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->name_row), _("Name"));
  gtk_editable_set_text (GTK_EDITABLE (row->name_row), record_text (stage, "name"));
  g_signal_connect (row->name_row, "changed", G_CALLBACK (stage_name_changed_cb), row);
  adw_expander_row_add_row (row->expander, GTK_WIDGET (row->name_row));

  for (guint i = 0; i < G_N_ELEMENTS (teams); i++)
    {
      gtk_string_list_append (team_labels, _(teams[i].label));
      if (g_strcmp0 (teams[i].key, team) == 0)
        selected = i;
    }
  /* A team this page does not know is shown as stored, not replaced. */
  if (selected == GTK_INVALID_LIST_POSITION && team != NULL)
    {
      gtk_string_list_append (team_labels, team);
      selected = G_N_ELEMENTS (teams);
    }
  row->team_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->team_row), _("Owning team"));
  adw_combo_row_set_model (row->team_row, G_LIST_MODEL (team_labels));
  adw_combo_row_set_selected (row->team_row, selected);
  g_signal_connect (row->team_row, "notify::selected", G_CALLBACK (stage_team_changed_cb), row);
  adw_expander_row_add_row (row->expander, GTK_WIDGET (row->team_row));

  row->definition_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (row->definition_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (row->definition_view, FALSE);
  gtk_text_view_set_top_margin (row->definition_view, 8);
  gtk_text_view_set_bottom_margin (row->definition_view, 8);
  gtk_text_view_set_left_margin (row->definition_view, 8);
  gtk_text_view_set_right_margin (row->definition_view, 8);
  gtk_widget_set_size_request (GTK_WIDGET (row->definition_view), -1, 72);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->definition_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Definition"),
                                  -1);
  buffer = gtk_text_view_get_buffer (row->definition_view);
  gtk_text_buffer_set_text (buffer, record_text (stage, "definition"), -1);
  g_signal_connect (buffer, "changed", G_CALLBACK (stage_definition_changed_cb), row);
  frame = gtk_frame_new (NULL);
  gtk_frame_set_child (GTK_FRAME (frame), GTK_WIDGET (row->definition_view));
  adw_expander_row_add_row (row->expander, new_labelled_box (_("Definition"), frame));

  criteria = gtk_flow_box_new ();
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (criteria), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (criteria), 4);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (criteria), 12);
  for (guint i = 0; i < G_N_ELEMENTS (criteria_fields); i++)
    {
      GtkWidget *check = gtk_check_button_new_with_label (_(criteria_fields[i].label));

      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   required != NULL &&
                                   g_strv_contains ((const char * const *) required,
                                                    criteria_fields[i].field));
      g_object_set_data (G_OBJECT (check), "tandem-field", (gpointer) criteria_fields[i].field);
      g_signal_connect (check, "toggled", G_CALLBACK (stage_criteria_toggled_cb), row);
      gtk_flow_box_append (GTK_FLOW_BOX (criteria), check);
    }
  adw_expander_row_add_row (row->expander,
                            new_labelled_box (_("Required to enter this stage"), criteria));

  stalled_spin = new_spin (0, 3650);
  gtk_spin_button_set_value (stalled_spin, tandem_record_get_int (stage, "stalled_days"));
  g_signal_connect (stalled_spin, "value-changed", G_CALLBACK (stage_stalled_changed_cb), row);
  row->stalled_row = new_spin_row (_("Stalled after (days)"),
                                   _("Days without activity; 0 means it never stalls"),
                                   stalled_spin);
  adw_expander_row_add_row (row->expander, GTK_WIDGET (row->stalled_row));

  update_stage_summary (row);

  return GTK_WIDGET (row->expander);
}

static void
rebuild_stages (TandemScoringPage *self)
{
  g_autoptr(GHashTable) expanded = collect_expanded (self, self->stages_group);

  remove_dynamic_rows (self, self->stages_group);

  for (guint i = 0; i < self->stages->len; i++)
    {
      TandemRecord *stage = g_ptr_array_index (self->stages, i);
      GtkWidget *row = create_stage_row (self, stage);

      if (g_hash_table_contains (expanded, tandem_record_get_text (stage, "key")))
        adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
      add_dynamic_row (self, self->stages_group, row);
    }
}

/* Reasons. */

static void
add_reason_from_entry (AdwEntryRow *entry)
{
  TandemScoringPage *self;
  /* A copy: the rebuild below takes the entry, and its data, away. */
  g_autofree char *stage = g_strdup (g_object_get_data (G_OBJECT (entry), "tandem-reasons-stage"));
  g_autofree char *label = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  GPtrArray *labels;
  GtkWidget *expander;

  self = TANDEM_SCORING_PAGE (gtk_widget_get_ancestor (GTK_WIDGET (entry),
                                                       TANDEM_TYPE_SCORING_PAGE));
  labels = g_hash_table_lookup (self->reasons, stage);
  if (*label == '\0' || labels == NULL)
    return;

  for (guint i = 0; i < labels->len; i++)
    if (g_utf8_collate (g_ptr_array_index (labels, i), label) == 0)
      {
        tandem_row_set_error (GTK_WIDGET (entry), _("This reason is listed already."));
        return;
      }

  g_ptr_array_add (labels, g_steal_pointer (&label));
  rebuild_reasons (self);
  schedule_update (self);

  /* Reasons are often added a few at a time. */
  expander = find_expander (self, self->reasons_group, stage);
  if (expander != NULL)
    gtk_widget_grab_focus (g_object_get_data (G_OBJECT (expander), "tandem-entry"));
}

static void
reason_entry_changed_cb (AdwEntryRow *entry)
{
  tandem_row_set_error (GTK_WIDGET (entry), NULL);
}

static void
rebuild_reasons (TandemScoringPage *self)
{
  g_autoptr(GHashTable) expanded = collect_expanded (self, self->reasons_group);

  remove_dynamic_rows (self, self->reasons_group);

  for (guint i = 0; i < G_N_ELEMENTS (exit_stages); i++)
    {
      const char *stage = exit_stages[i];
      GPtrArray *labels = g_hash_table_lookup (self->reasons, stage);
      AdwExpanderRow *expander = ADW_EXPANDER_ROW (adw_expander_row_new ());
      g_autofree char *subtitle = NULL;
      AdwEntryRow *entry;
      GtkWidget *add_button;

      if (labels == NULL)
        {
          labels = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (self->reasons, g_strdup (stage), labels);
        }

      subtitle = g_strdup_printf (ngettext ("%u reason", "%u reasons", labels->len),
                                  labels->len);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (expander), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander),
                                     stage_display_name (self, stage));
      adw_expander_row_set_subtitle (expander, subtitle);
      g_object_set_data_full (G_OBJECT (expander), "tandem-key", g_strdup (stage), g_free);
      g_object_set_data_full (G_OBJECT (expander), "tandem-reasons-stage",
                              g_strdup (stage), g_free);

      for (guint j = 0; j < labels->len; j++)
        {
          const char *label = g_ptr_array_index (labels, j);
          AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
          GtkWidget *remove_button = gtk_button_new_from_icon_name ("user-trash-symbolic");

          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), label);
          gtk_widget_set_valign (remove_button, GTK_ALIGN_CENTER);
          gtk_widget_add_css_class (remove_button, "flat");
          gtk_widget_set_tooltip_text (remove_button, _("Remove Reason"));
          gtk_actionable_set_action_name (GTK_ACTIONABLE (remove_button), "scoring.remove-reason");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (remove_button), "(ss)", stage, label);
          adw_action_row_add_suffix (row, remove_button);
          adw_expander_row_add_row (expander, GTK_WIDGET (row));
        }

      entry = ADW_ENTRY_ROW (adw_entry_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry), _("New reason"));
      g_object_set_data_full (G_OBJECT (entry), "tandem-reasons-stage", g_strdup (stage), g_free);
      g_signal_connect (entry, "entry-activated", G_CALLBACK (add_reason_from_entry), NULL);
      g_signal_connect (entry, "changed", G_CALLBACK (reason_entry_changed_cb), NULL);
      add_button = gtk_button_new_from_icon_name ("list-add-symbolic");
      gtk_widget_set_valign (add_button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (add_button, "flat");
      gtk_widget_set_tooltip_text (add_button, _("Add Reason"));
      g_signal_connect_swapped (add_button, "clicked", G_CALLBACK (add_reason_from_entry), entry);
      adw_entry_row_add_suffix (entry, add_button);
      adw_expander_row_add_row (expander, GTK_WIDGET (entry));
      g_object_set_data (G_OBJECT (expander), "tandem-entry", entry);

      if (g_hash_table_contains (expanded, stage))
        adw_expander_row_set_expanded (expander, TRUE);
      add_dynamic_row (self, self->reasons_group, GTK_WIDGET (expander));
    }
}

/* Rules. */

static void
rule_row_free (gpointer data)
{
  RuleRow *row = data;

  g_clear_object (&row->record);
  g_clear_pointer (&row->attribute_keys, g_ptr_array_unref);
  g_clear_pointer (&row->operator_keys, g_ptr_array_unref);
  g_free (row);
}

static AdwPreferencesGroup *
group_for_kind (TandemScoringPage *self,
                const char        *kind)
{
  if (g_strcmp0 (kind, "fit") == 0)
    return self->fit_group;
  if (g_strcmp0 (kind, "engagement") == 0)
    return self->engagement_group;
  if (g_strcmp0 (kind, "fast_track") == 0)
    return self->fast_track_group;
  if (g_strcmp0 (kind, "exclusion") == 0)
    return self->exclusions_group;

  return NULL;
}

static const char *
attribute_label (const char *kind,
                 const char *attribute)
{
  const AttributeInfo *info = find_attribute (kind, attribute);

  return info != NULL ? _(info->label) : attribute;
}

static const char *
exclusion_action_label (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (exclusion_actions); i++)
    if (g_strcmp0 (exclusion_actions[i].key, key) == 0)
      return _(exclusion_actions[i].label);

  /* Core treats anything that is not a cap as disqualifying. */
  return key != NULL ? key : _(exclusion_actions[0].label);
}

static char *
rule_summary (TandemRecord *rule)
{
  const char *kind = record_text (rule, "kind");
  const char *operator = record_text (rule, "operator");
  g_autoptr(GString) summary = g_string_new (NULL);
  gint64 points = tandem_record_get_int (rule, "points");

  g_string_append_printf (summary, "%s %s", attribute_label (kind, record_text (rule, "attribute")),
                          operator_label (operator));
  if (!g_str_equal (operator, "in_icp") && *record_text (rule, "value") != '\0')
    /* Translators: the value a rule compares with, quoted. */
    g_string_append_printf (summary, _(" “%s”"), record_text (rule, "value"));

  if (g_str_equal (kind, "exclusion"))
    g_string_append_printf (summary, " · %s",
                            exclusion_action_label (tandem_record_get_text (rule, "action")));
  else if (!g_str_equal (kind, "fast_track"))
    {
      g_autofree char *points_text = NULL;

      /* Translators: the points of a rule, with their sign. */
      points_text = g_strdup_printf (ngettext ("%+d point", "%+d points", ABS (points)),
                                     (int) points);
      g_string_append_printf (summary, " · %s", points_text);
    }

  if (!tandem_record_get_bool (rule, "enabled"))
    g_string_append_printf (summary, " · %s", _("off"));

  return g_string_free (g_steal_pointer (&summary), FALSE);
}

static void
update_rule_summary (RuleRow *row)
{
  const char *name = record_text (row->record, "name");
  g_autofree char *summary = rule_summary (row->record);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->expander),
                                 *name != '\0' ? name : _("Unnamed rule"));
  adw_expander_row_set_subtitle (row->expander, summary);
}

static void
update_rule_value_row (RuleRow *row)
{
  const char *operator = record_text (row->record, "operator");
  const char *title;

  if (g_str_equal (operator, "contains"))
    title = _("Contains");
  else if (g_str_equal (operator, "between"))
    title = _("Between (MIN-MAX)");
  else
    title = _("Is (several separated by commas)");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->value_row), title);
  gtk_widget_set_visible (GTK_WIDGET (row->value_row), !g_str_equal (operator, "in_icp"));
  gtk_widget_set_visible (GTK_WIDGET (row->operator_row), row->operator_keys->len > 1);
}

static void
fill_operators (RuleRow *row)
{
  const AttributeInfo *info = find_attribute (record_text (row->record, "kind"),
                                              record_text (row->record, "attribute"));
  const char *operator = record_text (row->record, "operator");
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  gboolean was_loading = row->page->loading;
  guint selected = GTK_INVALID_LIST_POSITION;

  g_ptr_array_set_size (row->operator_keys, 0);
  for (guint i = 0; info != NULL && i < G_N_ELEMENTS (info->operators) &&
                    info->operators[i] != NULL; i++)
    g_ptr_array_add (row->operator_keys, (gpointer) info->operators[i]);

  for (guint i = 0; i < row->operator_keys->len; i++)
    if (g_str_equal (g_ptr_array_index (row->operator_keys, i), operator))
      selected = i;
  if (selected == GTK_INVALID_LIST_POSITION)
    {
      selected = row->operator_keys->len;
      g_ptr_array_add (row->operator_keys, (gpointer) g_intern_string (operator));
    }

  for (guint i = 0; i < row->operator_keys->len; i++)
    gtk_string_list_append (labels, operator_label (g_ptr_array_index (row->operator_keys, i)));

  /* Replacing the model moves the selection, which is not an edit. */
  row->page->loading = TRUE;
  adw_combo_row_set_model (row->operator_row, G_LIST_MODEL (labels));
  adw_combo_row_set_selected (row->operator_row, selected);
  row->page->loading = was_loading;

  update_rule_value_row (row);
}

static void
rule_name_changed_cb (GtkEditable *editable,
                      RuleRow     *row)
{
  if (row->page->loading)
    return;

  set_text_if_changed (row->record, "name", gtk_editable_get_text (editable));
  update_rule_summary (row);
  schedule_update (row->page);
}

static void
rule_value_changed_cb (GtkEditable *editable,
                       RuleRow     *row)
{
  if (row->page->loading)
    return;

  set_text_if_changed (row->record, "value", gtk_editable_get_text (editable));
  update_rule_summary (row);
  schedule_update (row->page);
}

static void
rule_attribute_changed_cb (AdwComboRow *combo,
                           GParamSpec  *pspec,
                           RuleRow     *row)
{
  guint selected = adw_combo_row_get_selected (combo);
  const AttributeInfo *info;
  const char *attribute;

  if (row->page->loading || selected >= row->attribute_keys->len)
    return;

  attribute = g_ptr_array_index (row->attribute_keys, selected);
  set_text_if_changed (row->record, "attribute", attribute);

  /* An operator the new attribute does not take would make the rule
   * meaningless, so it falls back to the attribute's first one. */
  info = find_attribute (record_text (row->record, "kind"), attribute);
  if (info != NULL)
    {
      gboolean allowed = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (info->operators) && info->operators[i] != NULL; i++)
        if (g_str_equal (info->operators[i], record_text (row->record, "operator")))
          allowed = TRUE;
      if (!allowed)
        set_text_if_changed (row->record, "operator", info->operators[0]);
    }

  fill_operators (row);
  update_rule_summary (row);
  schedule_update (row->page);
}

static void
rule_operator_changed_cb (AdwComboRow *combo,
                          GParamSpec  *pspec,
                          RuleRow     *row)
{
  guint selected = adw_combo_row_get_selected (combo);

  if (row->page->loading || selected >= row->operator_keys->len)
    return;

  set_text_if_changed (row->record, "operator", g_ptr_array_index (row->operator_keys, selected));
  update_rule_value_row (row);
  update_rule_summary (row);
  schedule_update (row->page);
}

static void
rule_action_changed_cb (AdwComboRow *combo,
                        GParamSpec  *pspec,
                        RuleRow     *row)
{
  guint selected = adw_combo_row_get_selected (combo);

  if (row->page->loading || selected >= G_N_ELEMENTS (exclusion_actions))
    return;

  set_text_if_changed (row->record, "action", exclusion_actions[selected].key);
  update_rule_summary (row);
  schedule_update (row->page);
}

static void
rule_spin_changed_cb (GtkSpinButton *spin,
                      RuleRow       *row)
{
  const char *field = g_object_get_data (G_OBJECT (spin), "tandem-field");

  if (row->page->loading)
    return;

  set_int_if_changed (row->record, field, gtk_spin_button_get_value_as_int (spin));
  update_rule_summary (row);
  schedule_update (row->page);
}

static void
rule_enabled_changed_cb (GtkSwitch  *enabled_switch,
                         GParamSpec *pspec,
                         RuleRow    *row)
{
  gboolean active = gtk_switch_get_active (enabled_switch);

  if (row->page->loading || tandem_record_get_bool (row->record, "enabled") == active)
    return;

  tandem_record_set_bool (row->record, "enabled", active);
  update_rule_summary (row);
  schedule_update (row->page);
}

static AdwActionRow *
new_rule_spin_row (RuleRow        *row,
                   const char     *field,
                   const char     *title,
                   const char     *subtitle,
                   double          lower,
                   double          upper,
                   GtkSpinButton **spin_out)
{
  GtkSpinButton *spin = new_spin (lower, upper);
  AdwActionRow *spin_row;

  gtk_spin_button_set_value (spin, tandem_record_get_int (row->record, field));
  g_object_set_data (G_OBJECT (spin), "tandem-field", (gpointer) field);
  g_signal_connect (spin, "value-changed", G_CALLBACK (rule_spin_changed_cb), row);
  spin_row = new_spin_row (title, subtitle, spin);
  adw_expander_row_add_row (row->expander, GTK_WIDGET (spin_row));
  *spin_out = spin;

  return spin_row;
}

static GtkWidget *
create_rule_row (TandemScoringPage *self,
                 TandemRecord      *rule)
{
  RuleRow *row = g_new0 (RuleRow, 1);
  const char *kind = record_text (rule, "kind");
  const char *attribute = record_text (rule, "attribute");
  g_autoptr(GtkStringList) attribute_labels = gtk_string_list_new (NULL);
  GtkWidget *delete_button;
  guint selected = GTK_INVALID_LIST_POSITION;

  row->page = self;
  row->record = g_object_ref (rule);
  row->attribute_keys = g_ptr_array_new ();
  row->operator_keys = g_ptr_array_new ();

  row->expander = ADW_EXPANDER_ROW (adw_expander_row_new ());
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row->expander), FALSE);
  g_object_set_data_full (G_OBJECT (row->expander), "tandem-key",
                          g_strdup (tandem_record_get_id (rule)), g_free);
  g_object_set_data_full (G_OBJECT (row->expander), "tandem-rule-row", row, rule_row_free);

  row->enabled_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (row->enabled_switch), GTK_ALIGN_CENTER);
  gtk_switch_set_active (row->enabled_switch, tandem_record_get_bool (rule, "enabled"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (row->enabled_switch), _("Use This Rule"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->enabled_switch),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Use This Rule"),
                                  -1);
  g_signal_connect (row->enabled_switch, "notify::active",
                    G_CALLBACK (rule_enabled_changed_cb), row);
  adw_expander_row_add_action (row->expander, GTK_WIDGET (row->enabled_switch));

  delete_button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (delete_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (delete_button, "flat");
  gtk_widget_set_tooltip_text (delete_button, _("Delete Rule"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (delete_button), "scoring.delete-rule");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (delete_button), "s",
                                    tandem_record_get_id (rule));
  adw_expander_row_add_action (row->expander, delete_button);

  row->name_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->name_row), _("Name"));
  gtk_editable_set_text (GTK_EDITABLE (row->name_row), record_text (rule, "name"));
  g_signal_connect (row->name_row, "changed", G_CALLBACK (rule_name_changed_cb), row);
  adw_expander_row_add_row (row->expander, GTK_WIDGET (row->name_row));

  for (guint i = 0; i < G_N_ELEMENTS (attributes); i++)
    {
      if (!g_str_equal (attributes[i].kind, kind))
        continue;

      if (g_str_equal (attributes[i].attribute, attribute))
        selected = row->attribute_keys->len;
      g_ptr_array_add (row->attribute_keys, (gpointer) attributes[i].attribute);
      gtk_string_list_append (attribute_labels, _(attributes[i].label));
    }
  /* An attribute this page does not know is shown as stored, not replaced. */
  if (selected == GTK_INVALID_LIST_POSITION)
    {
      selected = row->attribute_keys->len;
      g_ptr_array_add (row->attribute_keys, (gpointer) g_intern_string (attribute));
      gtk_string_list_append (attribute_labels, attribute);
    }
  row->attribute_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->attribute_row), _("Attribute"));
  adw_combo_row_set_model (row->attribute_row, G_LIST_MODEL (attribute_labels));
  adw_combo_row_set_selected (row->attribute_row, selected);
  g_signal_connect (row->attribute_row, "notify::selected",
                    G_CALLBACK (rule_attribute_changed_cb), row);
  adw_expander_row_add_row (row->expander, GTK_WIDGET (row->attribute_row));

  row->operator_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->operator_row), _("Condition"));
  g_signal_connect (row->operator_row, "notify::selected",
                    G_CALLBACK (rule_operator_changed_cb), row);
  adw_expander_row_add_row (row->expander, GTK_WIDGET (row->operator_row));

  row->value_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  gtk_editable_set_text (GTK_EDITABLE (row->value_row), record_text (rule, "value"));
  g_signal_connect (row->value_row, "changed", G_CALLBACK (rule_value_changed_cb), row);
  adw_expander_row_add_row (row->expander, GTK_WIDGET (row->value_row));

  fill_operators (row);

  if (!g_str_equal (kind, "fast_track"))
    row->points_row = new_rule_spin_row (row, "points", _("Points"),
                                         _("Negative points count against the lead"),
                                         -1000, 1000, &row->points_spin);

  if (g_str_equal (kind, "engagement"))
    {
      row->cap_row = new_rule_spin_row (row, "cap", _("Cap"),
                                        _("The most points this rule adds; 0 means no cap"),
                                        0, 10000, &row->cap_spin);
      row->half_life_row = new_rule_spin_row (row, "half_life_days", _("Half-life (days)"),
                                              _("Points halve every this many days; 0 means "
                                                "they never decay"),
                                              0, 3650, &row->half_life_spin);
    }

  if (g_str_equal (kind, "exclusion"))
    {
      g_autoptr(GtkStringList) action_labels = gtk_string_list_new (NULL);
      const char *action = tandem_record_get_text (rule, "action");
      guint action_selected = 0;

      for (guint i = 0; i < G_N_ELEMENTS (exclusion_actions); i++)
        {
          gtk_string_list_append (action_labels, _(exclusion_actions[i].label));
          if (g_strcmp0 (exclusion_actions[i].key, action) == 0)
            action_selected = i;
        }
      row->action_row = ADW_COMBO_ROW (adw_combo_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->action_row), _("Action"));
      adw_combo_row_set_model (row->action_row, G_LIST_MODEL (action_labels));
      adw_combo_row_set_selected (row->action_row, action_selected);
      g_signal_connect (row->action_row, "notify::selected",
                        G_CALLBACK (rule_action_changed_cb), row);
      adw_expander_row_add_row (row->expander, GTK_WIDGET (row->action_row));
    }

  update_rule_summary (row);

  return GTK_WIDGET (row->expander);
}

static void
rebuild_rules (TandemScoringPage *self)
{
  g_autoptr(GHashTable) expanded = collect_expanded (self, NULL);
  gboolean was_loading = self->loading;

  /* Building rows sets their widgets, which is not an edit. */
  self->loading = TRUE;

  for (guint k = 0; k < G_N_ELEMENTS (rule_kinds); k++)
    {
      AdwPreferencesGroup *group = group_for_kind (self, rule_kinds[k]);
      guint n_rules = 0;

      remove_dynamic_rows (self, group);

      for (guint i = 0; i < self->rules->len; i++)
        {
          TandemRecord *rule = g_ptr_array_index (self->rules, i);
          GtkWidget *row;

          if (g_strcmp0 (tandem_record_get_text (rule, "kind"), rule_kinds[k]) != 0)
            continue;

          row = create_rule_row (self, rule);
          if (g_hash_table_contains (expanded, tandem_record_get_id (rule)))
            adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
          add_dynamic_row (self, group, row);
          n_rules++;
        }

      if (n_rules == 0)
        {
          GtkWidget *empty = adw_action_row_new ();

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (empty), _("No rules yet"));
          gtk_widget_add_css_class (empty, "dim-label");
          add_dynamic_row (self, group, empty);
        }
    }

  self->loading = was_loading;
}

static int
read_threshold (TandemScoringPage *self,
                guint              index)
{
  g_autofree char *text = tandem_store_get_setting (self->store, threshold_keys[index], NULL);
  gint64 value;

  if (text == NULL ||
      !g_ascii_string_to_signed (text, 10, 0, G_MAXINT, &value, NULL))
    return threshold_fallbacks[index];

  return (int) value;
}

static void
rebuild (TandemScoringPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stages = NULL;
  g_autoptr(GPtrArray) rules = NULL;
  GtkSpinButton *spins[] = {
    self->mql_spin, self->grade_a_spin, self->grade_b_spin, self->grade_c_spin,
  };

  /* Setting the widgets to the stored values below is not an edit. */
  self->loading = TRUE;

  g_ptr_array_set_size (self->stages, 0);
  g_ptr_array_set_size (self->rules, 0);
  g_ptr_array_set_size (self->deleted_rules, 0);
  g_hash_table_remove_all (self->reasons);

  if (self->store != NULL)
    {
      stages = tandem_pipeline_list_stages (self->store, FALSE, &error);
      if (stages != NULL)
        rules = tandem_scoring_list_rules (self->store, error == NULL ? &error : NULL);

      if (stages != NULL)
        g_ptr_array_extend_and_steal (self->stages, g_steal_pointer (&stages));
      if (rules != NULL)
        g_ptr_array_extend_and_steal (self->rules, g_steal_pointer (&rules));

      for (guint i = 0; i < G_N_ELEMENTS (exit_stages); i++)
        {
          GPtrArray *labels = tandem_pipeline_list_reasons (self->store, exit_stages[i],
                                                            error == NULL ? &error : NULL);

          if (labels == NULL)
            labels = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (self->reasons, g_strdup (exit_stages[i]), labels);
        }

      for (guint i = 0; i < G_N_ELEMENTS (threshold_keys); i++)
        self->thresholds[i] = self->saved_thresholds[i] = read_threshold (self, i);

      self->sal_enabled = self->saved_sal_enabled = tandem_pipeline_get_sal_enabled (self->store);
    }
  else
    {
      for (guint i = 0; i < G_N_ELEMENTS (threshold_keys); i++)
        self->thresholds[i] = self->saved_thresholds[i] = threshold_fallbacks[i];
      self->sal_enabled = self->saved_sal_enabled = TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    gtk_spin_button_set_value (spins[i], self->thresholds[i]);
  gtk_switch_set_active (self->sal_switch, self->sal_enabled);

  rebuild_stages (self);
  rebuild_reasons (self);
  rebuild_rules (self);

  self->loading = FALSE;

  validate (self);
  update_state (self);

  if (error != NULL)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("The scoring rules and definitions could not be read, so "
                                   "some may be missing here: %s"), error->message);
      tandem_window_show_error (GTK_WIDGET (self), message);
    }
}

/* Template callbacks. */

static void
sal_switch_changed_cb (TandemScoringPage *self,
                       GParamSpec        *pspec,
                       GtkSwitch         *sal_switch)
{
  if (self->loading)
    return;

  self->sal_enabled = gtk_switch_get_active (sal_switch);
  schedule_update (self);
}

static void
threshold_changed_cb (TandemScoringPage *self,
                      GtkSpinButton     *spin)
{
  GtkSpinButton *spins[] = {
    self->mql_spin, self->grade_a_spin, self->grade_b_spin, self->grade_c_spin,
  };

  if (self->loading)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    self->thresholds[i] = gtk_spin_button_get_value_as_int (spins[i]);

  schedule_update (self);
}

/* Actions on dynamic rows. */

static void
scoring_delete_rule_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  TandemScoringPage *self = TANDEM_SCORING_PAGE (widget);
  const char *id = g_variant_get_string (parameter, NULL);

  if (self->rescoring)
    return;

  for (guint i = 0; i < self->rules->len; i++)
    {
      TandemRecord *rule = g_ptr_array_index (self->rules, i);

      if (g_strcmp0 (tandem_record_get_id (rule), id) != 0)
        continue;

      /* Only a stored rule has anything to delete on Save. */
      rule = g_ptr_array_steal_index (self->rules, i);
      if (tandem_record_is_stored (rule))
        g_ptr_array_add (self->deleted_rules, rule);
      else
        g_object_unref (rule);
      break;
    }

  rebuild_rules (self);
  schedule_update (self);
}

static void
scoring_remove_reason_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  TandemScoringPage *self = TANDEM_SCORING_PAGE (widget);
  const char *stage;
  const char *label;
  GPtrArray *labels;

  g_variant_get (parameter, "(&s&s)", &stage, &label);
  labels = g_hash_table_lookup (self->reasons, stage);
  if (labels == NULL || self->rescoring)
    return;

  for (guint i = 0; i < labels->len; i++)
    if (g_strcmp0 (g_ptr_array_index (labels, i), label) == 0)
      {
        g_ptr_array_remove_index (labels, i);
        break;
      }

  rebuild_reasons (self);
  schedule_update (self);
}

static gboolean
save_staged (TandemScoringPage  *self,
             GError            **error)
{
  if (!tandem_store_begin (self->store, error))
    return FALSE;

  for (guint i = 0; i < self->stages->len; i++)
    {
      TandemRecord *stage = g_ptr_array_index (self->stages, i);

      if (tandem_record_has_changes (stage) && !tandem_store_save (self->store, stage, error))
        goto failed;
    }

  for (guint i = 0; i < self->rules->len; i++)
    {
      TandemRecord *rule = g_ptr_array_index (self->rules, i);

      if ((!tandem_record_is_stored (rule) || tandem_record_has_changes (rule)) &&
          !tandem_store_save (self->store, rule, error))
        goto failed;
    }

  for (guint i = 0; i < self->deleted_rules->len; i++)
    if (!tandem_store_delete (self->store, g_ptr_array_index (self->deleted_rules, i), error))
      goto failed;

  for (guint i = 0; i < G_N_ELEMENTS (threshold_keys); i++)
    {
      g_autofree char *value = NULL;

      if (self->thresholds[i] == self->saved_thresholds[i])
        continue;

      value = g_strdup_printf ("%d", self->thresholds[i]);
      if (!tandem_store_set_setting (self->store, threshold_keys[i], value, error))
        goto failed;
    }

  if (self->sal_enabled != self->saved_sal_enabled &&
      !tandem_pipeline_set_sal_enabled (self->store, self->sal_enabled, error))
    goto failed;

  for (guint i = 0; i < G_N_ELEMENTS (exit_stages); i++)
    if (stage_reasons_changed (self, exit_stages[i]) &&
        !save_reasons (self, exit_stages[i], error))
      goto failed;

  if (!tandem_store_commit (self->store, error))
    return FALSE;

  return TRUE;

failed:
  tandem_store_rollback (self->store);
  return FALSE;
}

static void
rescore_progress_cb (double   fraction,
                     gpointer user_data)
{
  TandemScoringPage *self = user_data;

  gtk_progress_bar_set_fraction (self->rescore_progress, CLAMP (fraction, 0.0, 1.0));
}

static void
rescore_done_cb (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TandemScoringPage) self = user_data;
  g_autoptr(GError) error = NULL;

  self->rescoring = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->rescore_progress), FALSE);
  gtk_label_set_label (self->changes_title, _("Unsaved changes"));
  g_clear_object (&self->rescore_cancellable);

  if (!tandem_scoring_rescore_all_finish (result, &error))
    {
      g_autofree char *message = NULL;

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          message = g_strdup_printf (_("The rules are saved, but the leads could not be "
                                       "rescored: %s"), error->message);
          tandem_window_show_error (GTK_WIDGET (self), message);
        }
    }
  else if (self->store != NULL)
    {
      g_autofree char *count = format_count (MAX (0, tandem_store_count (self->store, "leads")));
      g_autofree char *title = NULL;

      /* The worker wrote through its own connection, so the lists showing
       * leads here have to be told to read them again. */
      tandem_store_notify_external_change (self->store, "leads");

      title = g_strdup_printf (_("Rules saved and %s leads rescored"), count);
      tandem_window_show_toast (GTK_WIDGET (self), adw_toast_new (title));
    }

  update_state (self);
}

static void
scoring_save_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TandemScoringPage *self = TANDEM_SCORING_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->store == NULL || self->rescoring)
    return;

  validate (self);
  if (!self->valid)
    return;

  if (!save_staged (self, &error))
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("The changes could not be saved, and nothing was "
                                   "changed: %s"), error->message);
      tandem_window_show_error (widget, message);
      return;
    }

  /* What is on screen is now what is stored. */
  rebuild (self);

  self->rescoring = TRUE;
  self->rescore_cancellable = g_cancellable_new ();
  gtk_label_set_label (self->changes_title, _("Rescoring every lead…"));
  gtk_progress_bar_set_fraction (self->rescore_progress, 0.0);
  gtk_widget_set_visible (GTK_WIDGET (self->rescore_progress), TRUE);
  update_state (self);

  tandem_scoring_rescore_all_async (tandem_store_get_path (self->store),
                                    rescore_progress_cb, self,
                                    self->rescore_cancellable,
                                    rescore_done_cb, g_object_ref (self));
}

static void
scoring_discard_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  TandemScoringPage *self = TANDEM_SCORING_PAGE (widget);

  if (self->rescoring)
    return;

  rebuild (self);
}

static void
scoring_add_rule_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  TandemScoringPage *self = TANDEM_SCORING_PAGE (widget);
  const char *kind = g_variant_get_string (parameter, NULL);
  const AttributeInfo *info = first_attribute (kind);
  g_autoptr(TandemRecord) rule = NULL;
  gint64 position = 0;
  GtkWidget *row;

  if (self->store == NULL || info == NULL)
    return;

  for (guint i = 0; i < self->rules->len; i++)
    {
      TandemRecord *other = g_ptr_array_index (self->rules, i);

      if (g_strcmp0 (tandem_record_get_text (other, "kind"), kind) == 0)
        position = MAX (position, tandem_record_get_int (other, "position") + 1);
    }

  rule = tandem_record_new_for_table ("scoring_rules", NULL);
  tandem_record_set_text (rule, "kind", kind);
  tandem_record_set_text (rule, "attribute", info->attribute);
  tandem_record_set_text (rule, "operator", info->operators[0]);
  tandem_record_set_int (rule, "position", position);
  tandem_record_set_bool (rule, "enabled", TRUE);

  /* A new rule starts as a useful example rather than blank, so the what-if
   * has something to show and the person sees the shape of a rule. */
  if (g_str_equal (kind, "fit"))
    {
      tandem_record_set_text (rule, "name", _("Job title"));
      tandem_record_set_text (rule, "value", "Head");
      tandem_record_set_int (rule, "points", 10);
    }
  else if (g_str_equal (kind, "engagement"))
    {
      tandem_record_set_text (rule, "name", _("Activity"));
      tandem_record_set_text (rule, "value", "webinar");
      tandem_record_set_int (rule, "points", 10);
      tandem_record_set_int (rule, "cap", 30);
      tandem_record_set_int (rule, "half_life_days", 30);
    }
  else if (g_str_equal (kind, "fast_track"))
    {
      tandem_record_set_text (rule, "name", _("Demo request"));
      tandem_record_set_text (rule, "value", "demo_request");
    }
  else
    {
      tandem_record_set_text (rule, "name", _("Exclusion"));
      tandem_record_set_text (rule, "action", "disqualify");
    }

  g_ptr_array_add (self->rules, g_object_ref (rule));
  rebuild_rules (self);
  schedule_update (self);

  row = find_rule_expander (self, rule);
  if (row != NULL)
    {
      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
      gtk_widget_grab_focus (row);
    }
}

/* Public API. */

GtkWidget *
tandem_scoring_page_new (void)
{
  return g_object_new (TANDEM_TYPE_SCORING_PAGE, NULL);
}

TandemStore *
tandem_scoring_page_get_store (TandemScoringPage *self)
{
  g_return_val_if_fail (TANDEM_IS_SCORING_PAGE (self), NULL);

  return self->store;
}

void
tandem_scoring_page_set_store (TandemScoringPage *self,
                               TandemStore       *store)
{
  g_return_if_fail (TANDEM_IS_SCORING_PAGE (self));
  g_return_if_fail (store == NULL || TANDEM_IS_STORE (store));

  if (self->store == store)
    return;

  g_cancellable_cancel (self->rescore_cancellable);
  g_set_object (&self->store, store);

  if (self->stages == NULL)
    self->stages = g_ptr_array_new_with_free_func (g_object_unref);
  if (self->rules == NULL)
    self->rules = g_ptr_array_new_with_free_func (g_object_unref);

  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

gboolean
tandem_scoring_page_has_changes (TandemScoringPage *self)
{
  g_return_val_if_fail (TANDEM_IS_SCORING_PAGE (self), FALSE);

  if (self->store == NULL)
    return FALSE;

  if (self->deleted_rules->len > 0 || self->sal_enabled != self->saved_sal_enabled)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (threshold_keys); i++)
    if (self->thresholds[i] != self->saved_thresholds[i])
      return TRUE;

  for (guint i = 0; i < self->stages->len; i++)
    if (tandem_record_has_changes (g_ptr_array_index (self->stages, i)))
      return TRUE;

  for (guint i = 0; i < self->rules->len; i++)
    {
      TandemRecord *rule = g_ptr_array_index (self->rules, i);

      if (!tandem_record_is_stored (rule) || tandem_record_has_changes (rule))
        return TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (exit_stages); i++)
    if (stage_reasons_changed (self, exit_stages[i]))
      return TRUE;

  return FALSE;
}

const TandemWhatIf *
tandem_scoring_page_get_what_if (TandemScoringPage *self)
{
  g_return_val_if_fail (TANDEM_IS_SCORING_PAGE (self), NULL);

  return self->what_if;
}

gboolean
tandem_scoring_page_is_rescoring (TandemScoringPage *self)
{
  g_return_val_if_fail (TANDEM_IS_SCORING_PAGE (self), FALSE);

  return self->rescoring;
}

/* GObject. */

static void
tandem_scoring_page_dispose (GObject *object)
{
  TandemScoringPage *self = TANDEM_SCORING_PAGE (object);

  g_cancellable_cancel (self->what_if_cancellable);
  g_clear_object (&self->what_if_cancellable);
  g_cancellable_cancel (self->rescore_cancellable);
  g_clear_object (&self->rescore_cancellable);
  g_clear_handle_id (&self->what_if_timeout_id, g_source_remove);

  if (self->dynamic_rows != NULL)
    g_ptr_array_set_size (self->dynamic_rows, 0);

  gtk_widget_dispose_template (GTK_WIDGET (self), TANDEM_TYPE_SCORING_PAGE);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (tandem_scoring_page_parent_class)->dispose (object);
}

static void
tandem_scoring_page_finalize (GObject *object)
{
  TandemScoringPage *self = TANDEM_SCORING_PAGE (object);

  g_clear_pointer (&self->stages, g_ptr_array_unref);
  g_clear_pointer (&self->rules, g_ptr_array_unref);
  g_clear_pointer (&self->deleted_rules, g_ptr_array_unref);
  g_clear_pointer (&self->reasons, g_hash_table_unref);
  g_clear_pointer (&self->dynamic_rows, g_ptr_array_unref);
  g_clear_pointer (&self->what_if, tandem_what_if_free);

  G_OBJECT_CLASS (tandem_scoring_page_parent_class)->finalize (object);
}

static void
tandem_scoring_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TandemScoringPage *self = TANDEM_SCORING_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_HAS_CHANGES:
      g_value_set_boolean (value, tandem_scoring_page_has_changes (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_scoring_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  TandemScoringPage *self = TANDEM_SCORING_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      tandem_scoring_page_set_store (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_scoring_page_class_init (TandemScoringPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tandem_scoring_page_dispose;
  object_class->finalize = tandem_scoring_page_finalize;
  object_class->get_property = tandem_scoring_page_get_property;
  object_class->set_property = tandem_scoring_page_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TANDEM_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HAS_CHANGES] =
    g_param_spec_boolean ("has-changes", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tandemdesk/Tandem/tandem-scoring-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, changes_revealer);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, changes_title);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, validation_label);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, rescore_progress);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, what_if_box);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, what_if_title);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, what_if_spinner);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, counts_box);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, changes_label);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, changes_scroller);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, changes_list);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, stages_group);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, sal_row);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, sal_switch);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, reasons_group);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, fit_group);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, engagement_group);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, fast_track_group);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, exclusions_group);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, mql_row);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, grade_a_row);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, grade_b_row);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, grade_c_row);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, mql_spin);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, grade_a_spin);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, grade_b_spin);
  gtk_widget_class_bind_template_child (widget_class, TandemScoringPage, grade_c_spin);
  gtk_widget_class_bind_template_callback (widget_class, sal_switch_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, threshold_changed_cb);

  gtk_widget_class_install_action (widget_class, "scoring.save", NULL, scoring_save_action);
  gtk_widget_class_install_action (widget_class, "scoring.discard", NULL, scoring_discard_action);
  gtk_widget_class_install_action (widget_class, "scoring.add-rule", "s", scoring_add_rule_action);
  gtk_widget_class_install_action (widget_class, "scoring.delete-rule", "s",
                                   scoring_delete_rule_action);
  gtk_widget_class_install_action (widget_class, "scoring.remove-reason", "(ss)",
                                   scoring_remove_reason_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "scoring.save", NULL);
}

static void
tandem_scoring_page_init (TandemScoringPage *self)
{
  self->deleted_rules = g_ptr_array_new_with_free_func (g_object_unref);
  self->dynamic_rows = g_ptr_array_new ();
  self->reasons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_reasons);
  self->stages = g_ptr_array_new_with_free_func (g_object_unref);
  self->rules = g_ptr_array_new_with_free_func (g_object_unref);

  gtk_widget_init_template (GTK_WIDGET (self));
  update_actions (self);
}
