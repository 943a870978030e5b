/* tandem-pipeline.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tandem-persona.h"
#include "tandem-pipeline.h"
#include "tandem-record-private.h"
#include "tandem-routing.h"
#include "tandem-store-private.h"

#define DAY_MS (G_GINT64_CONSTANT (24) * 60 * 60 * 1000)

#define SAL_SETTING              "sal_enabled"
#define PROBABILITY_SETTING      "deal_probability_opportunity"
#define DEFAULT_PROBABILITY      20
#define EXPECTED_CLOSE_DAYS      30

G_DEFINE_QUARK (tandem-pipeline-error-quark, tandem_pipeline_error)

/* The defaults agree with the sample workspace (tandem-sample.c), so that a
 * new workspace and the sample speak the same language: same keys, same
 * entry criteria, same thresholds. */
typedef struct
{
  const char *key;
  const char *name;
  const char *team;
  const char *definition;
  const char *required_fields[7];
  gint64      stalled_days;
} StageDefault;

static const StageDefault stage_defaults[] = {
  { TANDEM_STAGE_LEAD, N_("Lead"), "marketing",
    N_("Anyone who gave us their contact details or was prospected, before marketing has "
       "qualified them. Marketing nurtures leads until their score reaches the MQL threshold."),
    { "email", NULL }, 60 },
  { TANDEM_STAGE_MQL, N_("Marketing-qualified lead"), "marketing",
    N_("A lead at a company that fits an ICP and whose score reached the threshold (60 points), "
       "or who asked for a demo or started a trial. Routed to a sales owner at once; that moment "
       "is the handoff."),
    { "first_name", "last_name", "email", "company_id", "employees", NULL }, 2 },
  { TANDEM_STAGE_SAL, N_("Sales-accepted lead"), "sales",
    N_("Sales reviewed the handed-off lead within two business days and agreed it is worth "
       "working. Accepted leads without activity for 14 days go back to marketing."),
    { "first_name", "last_name", "email", "company_id", "employees", "phone", NULL }, 14 },
  { TANDEM_STAGE_SQL, N_("Sales-qualified lead"), "sales",
    N_("A discovery call confirmed a project, a budget range, the decision maker and a time "
       "frame within two quarters."),
    { "first_name", "last_name", "email", "company_id", "employees", "phone", NULL }, 21 },
  { TANDEM_STAGE_OPPORTUNITY, N_("Opportunity"), "sales",
    N_("A deal is open: the buying committee saw a tailored demo and expects a proposal."),
    { "company_id", "owner_id", NULL }, 30 },
  { TANDEM_STAGE_CUSTOMER, N_("Customer"), "success",
    N_("The order form is signed. Success takes over onboarding from the account executive."),
    { "company_id", "owner_id", NULL }, 0 },
  { TANDEM_STAGE_LOST, N_("Lost"), "sales",
    N_("The opportunity closed without a deal; the reason is recorded for the win/loss review."),
    { NULL }, 0 },
  { TANDEM_STAGE_NURTURE, N_("Nurture"), "marketing",
    N_("Returned to marketing with a reason: a real prospect, but not now. Marketing keeps them "
       "engaged until they qualify again."),
    { NULL }, 0 },
  { TANDEM_STAGE_DISQUALIFIED, N_("Disqualified"), "marketing",
    N_("Not a prospect: outside every ICP, a student or job seeker, a competitor, or a "
       "duplicate."),
    { NULL }, 0 },
};

/* Index of the first exit in stage_defaults: the funnel comes before it. */
#define FIRST_EXIT 6

static const char *const stage_keys[] = {
  TANDEM_STAGE_LEAD, TANDEM_STAGE_MQL, TANDEM_STAGE_SAL, TANDEM_STAGE_SQL,
  TANDEM_STAGE_OPPORTUNITY, TANDEM_STAGE_CUSTOMER, TANDEM_STAGE_LOST, TANDEM_STAGE_NURTURE,
  TANDEM_STAGE_DISQUALIFIED, NULL,
};

static const char *const nurture_reasons[] = {
  N_("No budget this year"), N_("Timing — not before next quarter"),
  N_("Not the decision maker"), N_("Early research, no project yet"),
  N_("No response after several attempts"), NULL,
};

static const char *const disqualified_reasons[] = {
  N_("Student/job seeker"), N_("Competitor"), N_("Outside our ICP"),
  N_("Free-mail address, no company"), N_("Duplicate"), NULL,
};

static const char *const lost_reasons[] = {
  N_("Chose a competitor"), N_("Price"), N_("No decision"), N_("Timing"),
  N_("Missing integration"), N_("Built it in-house"), NULL,
};

static const struct
{
  const char         *kind;
  const char * const *labels;
} reason_defaults[] = {
  { TANDEM_STAGE_NURTURE, nurture_reasons },
  { TANDEM_STAGE_DISQUALIFIED, disqualified_reasons },
  { TANDEM_STAGE_LOST, lost_reasons },
};

/* Activities that count as a first touch by sales (DESIGN.md §8). */
static const char *const touch_kinds[] = {
  "call", "email_sent", "meeting_booked", "meeting_held", NULL,
};

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static int
stage_index (const char *stage)
{
  if (stage == NULL)
    return -1;

  for (int i = 0; stage_keys[i] != NULL; i++)
    if (g_str_equal (stage_keys[i], stage))
      return i;

  return -1;
}

static gboolean
is_funnel_stage (const char *stage)
{
  int index = stage_index (stage);

  return index >= 0 && index < FIRST_EXIT;
}

static gboolean
is_empty (const char *text)
{
  if (text == NULL)
    return TRUE;

  while (g_ascii_isspace (*text))
    text++;

  return *text == '\0';
}

/* Plain records of @table matching @where (a condition from this file,
 * never from input) with @params bound in order, sorted by @order_by. */
static GPtrArray *
load_rows (TandemStore         *store,
           const char          *table,
           const char          *where,
           const char * const  *params,
           const char          *order_by,
           GError             **error)
{
  const TandemTableSpec *spec = tandem_schema_lookup (table);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) sql = g_string_new ("SELECT id, hlc");
  GType type;
  sqlite3_stmt *stmt;
  int rc;

  g_assert (spec != NULL);

  type = tandem_store_record_type_for (spec);
  for (guint i = 0; i < spec->n_fields; i++)
    g_string_append_printf (sql, ", %s", spec->fields[i].name);
  g_string_append_printf (sql, " FROM %s WHERE deleted = 0", spec->name);
  if (where != NULL)
    g_string_append_printf (sql, " AND (%s)", where);
  g_string_append_printf (sql, " ORDER BY %s", order_by ? order_by : spec->order_by);

  stmt = tandem_store_prepare_cached (store, sql->str, error);
  if (stmt == NULL)
    return NULL;

  for (guint i = 0; params != NULL && params[i] != NULL; i++)
    sqlite3_bind_text (stmt, (int) i + 1, params[i], -1, SQLITE_TRANSIENT);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      TandemRecord *record;

      if (type == TANDEM_TYPE_RECORD)
        record = tandem_record_new_for_table (spec->name, id);
      else
        record = tandem_record_new_with_id (type, id);

      for (guint i = 0; i < spec->n_fields; i++)
        tandem_record_load_column (record, i, stmt, (int) i + 2);
      tandem_record_mark_stored (record, sqlite3_column_int64 (stmt, 1));
      g_ptr_array_add (rows, record);
    }

  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (store, error);
      sqlite3_reset (stmt);
      return NULL;
    }

  sqlite3_reset (stmt);
  return g_steal_pointer (&rows);
}

/* Sets an integer field (or clears it with @is_null) as if it had been
 * read from the store: derived fields are written by
 * tandem_store_write_derived() and must not look like a pending edit of
 * the caller's record. */
static void
load_int (TandemStore  *store,
          TandemRecord *record,
          const char   *field,
          gboolean      is_null,
          gint64        value)
{
  const TandemTableSpec *spec = tandem_record_get_spec (record);
  int index = tandem_table_spec_field_index (spec, field);
  sqlite3_stmt *stmt;

  g_assert (index >= 0);

  stmt = tandem_store_prepare_cached (store, "SELECT ?", NULL);
  if (stmt == NULL)
    return;

  if (is_null)
    sqlite3_bind_null (stmt, 1);
  else
    sqlite3_bind_int64 (stmt, 1, value);

  if (sqlite3_step (stmt) == SQLITE_ROW)
    tandem_record_load_column (record, (guint) index, stmt, 0);
  sqlite3_reset (stmt);
}

static gboolean
field_is_null (TandemRecord *record,
               const char   *field)
{
  int index = tandem_table_spec_field_index (tandem_record_get_spec (record), field);

  g_assert (index >= 0);
  return tandem_record_field_is_null (record, (guint) index);
}

/* Stages and definitions. */

const char * const *
tandem_pipeline_stage_keys (void)
{
  return stage_keys;
}

gboolean
tandem_stage_is_exit (const char *stage)
{
  return stage_index (stage) >= FIRST_EXIT;
}

gboolean
tandem_stage_needs_reason (const char *stage)
{
  /* Every exit is feedback for the other team, so each needs a reason. */
  return tandem_stage_is_exit (stage);
}

gboolean
tandem_pipeline_get_sal_enabled (TandemStore *store)
{
  g_autofree char *value = NULL;

  g_return_val_if_fail (TANDEM_IS_STORE (store), TRUE);

  value = tandem_store_get_setting (store, SAL_SETTING, "true");
  if (value == NULL)
    return TRUE;

  g_strstrip (value);
  return !(g_ascii_strcasecmp (value, "false") == 0 || g_str_equal (value, "0") ||
           g_ascii_strcasecmp (value, "no") == 0 || g_ascii_strcasecmp (value, "off") == 0);
}

gboolean
tandem_pipeline_set_sal_enabled (TandemStore  *store,
                                 gboolean      enabled,
                                 GError      **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return tandem_store_set_setting (store, SAL_SETTING, enabled ? "true" : "false", error);
}

static TandemRecord *
stage_default_record (const StageDefault *spec,
                      guint               position)
{
  TandemRecord *record = tandem_record_new_for_table ("stage_definitions", NULL);

  tandem_record_set_text (record, "key", spec->key);
  tandem_record_set_text (record, "name", _(spec->name));
  tandem_record_set_int (record, "position", position);
  tandem_record_set_text (record, "team", spec->team);
  tandem_record_set_text (record, "definition", _(spec->definition));
  tandem_record_set_list (record, "required_fields", spec->required_fields);
  tandem_record_set_int (record, "stalled_days", spec->stalled_days);
  tandem_record_set_bool (record, "enabled", TRUE);

  return record;
}

gboolean
tandem_pipeline_install_defaults (TandemStore  *store,
                                  GError      **error)
{
  gint64 n_stages, n_reasons;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Tombstones count: a team that deleted a definition or a reason meant
   * it, and must not see it come back. */
  n_stages = tandem_store_query_int64 (store, "SELECT count(*) FROM stage_definitions");
  n_reasons = tandem_store_query_int64 (store, "SELECT count(*) FROM reasons");
  if (n_stages < 0 || n_reasons < 0)
    return tandem_store_set_sql_error (store, error);

  if (n_stages > 0 && n_reasons > 0)
    return TRUE;

  if (!tandem_store_begin (store, error))
    return FALSE;

  if (n_stages == 0)
    for (guint i = 0; i < G_N_ELEMENTS (stage_defaults); i++)
      {
        g_autoptr(TandemRecord) record = stage_default_record (&stage_defaults[i], i);

        if (!tandem_store_save (store, record, error))
          goto failed;
      }

  if (n_reasons == 0)
    for (guint kind = 0; kind < G_N_ELEMENTS (reason_defaults); kind++)
      for (guint i = 0; reason_defaults[kind].labels[i] != NULL; i++)
        {
          g_autoptr(TandemRecord) record = tandem_record_new_for_table ("reasons", NULL);

          tandem_record_set_text (record, "kind", reason_defaults[kind].kind);
          tandem_record_set_text (record, "label", _(reason_defaults[kind].labels[i]));
          tandem_record_set_int (record, "position", i);
          if (!tandem_store_save (store, record, error))
            goto failed;
        }

  return tandem_store_commit (store, error);

failed:
  tandem_store_rollback (store);
  return FALSE;
}

static gboolean
unknown_stage (const char  *stage,
               GError     **error)
{
  g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_UNKNOWN_STAGE,
               _("There is no stage “%s” in this workspace."), stage);
  return FALSE;
}

static gint64
stage_order (TandemRecord *record)
{
  return stage_index (tandem_record_get_text (record, "key"));
}

static gint
compare_stages (gconstpointer a,
                gconstpointer b)
{
  TandemRecord *x = *(TandemRecord **) a;
  TandemRecord *y = *(TandemRecord **) b;
  gint64 ox = stage_order (x), oy = stage_order (y);

  if (ox != oy)
    return ox < oy ? -1 : 1;

  return (int) (tandem_record_get_int (x, "position") - tandem_record_get_int (y, "position"));
}

GPtrArray *
tandem_pipeline_list_stages (TandemStore  *store,
                             gboolean      active_only,
                             GError      **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) stages = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean sal_enabled;

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rows = load_rows (store, "stage_definitions", NULL, NULL, NULL, error);
  if (rows == NULL)
    return NULL;

  sal_enabled = tandem_pipeline_get_sal_enabled (store);

  for (guint i = 0; i < rows->len; i++)
    {
      TandemRecord *record = g_ptr_array_index (rows, i);
      const char *key = tandem_record_get_text (record, "key");
      gboolean seen = FALSE;

      /* Rows with a key this version does not know stay out of the funnel,
       * and sync may briefly deliver two rows for one key: the first wins. */
      if (stage_index (key) < 0)
        continue;
      for (guint j = 0; j < stages->len && !seen; j++)
        seen = g_strcmp0 (tandem_record_get_text (g_ptr_array_index (stages, j), "key"), key) == 0;
      if (seen)
        continue;

      if (active_only && (!tandem_record_get_bool (record, "enabled") ||
                          (!sal_enabled && g_str_equal (key, TANDEM_STAGE_SAL))))
        continue;

      g_ptr_array_add (stages, g_object_ref (record));
    }

  g_ptr_array_sort (stages, compare_stages);
  return g_steal_pointer (&stages);
}

TandemRecord *
tandem_pipeline_get_stage (TandemStore  *store,
                           const char   *stage,
                           GError      **error)
{
  const char *params[] = { stage, NULL };
  g_autoptr(GPtrArray) rows = NULL;
  int index;

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (stage != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  index = stage_index (stage);
  if (index < 0)
    {
      unknown_stage (stage, error);
      return NULL;
    }

  rows = load_rows (store, "stage_definitions", "key = ?", params, "position, rowid", error);
  if (rows == NULL)
    return NULL;

  if (rows->len > 0)
    return g_object_ref (g_ptr_array_index (rows, 0));

  /* A workspace without definitions still has the fixed funnel: the
   * default, not yet stored, so that saving it creates the row. */
  return stage_default_record (&stage_defaults[index], (guint) index);
}

GPtrArray *
tandem_pipeline_list_reasons (TandemStore  *store,
                              const char   *stage,
                              GError      **error)
{
  const char *params[] = { stage, NULL };
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (stage != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (stage_index (stage) < 0)
    {
      unknown_stage (stage, error);
      return NULL;
    }

  rows = load_rows (store, "reasons", "kind = ?", params, "position, rowid", error);
  if (rows == NULL)
    return NULL;

  for (guint i = 0; i < rows->len; i++)
    {
      const char *label = tandem_record_get_text (g_ptr_array_index (rows, i), "label");

      if (!is_empty (label))
        g_ptr_array_add (labels, g_strdup (label));
    }

  return g_steal_pointer (&labels);
}

/* Entry criteria. */

static gint64
company_employees (TandemStore *store,
                   const char  *company_id)
{
  sqlite3_stmt *stmt;
  gint64 employees = 0;

  if (company_id == NULL)
    return 0;

  stmt = tandem_store_prepare_cached (store,
                                      "SELECT employees FROM companies WHERE id = ? AND deleted = 0",
                                      NULL);
  if (stmt == NULL)
    return 0;

  sqlite3_bind_text (stmt, 1, company_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    employees = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  return employees;
}

static gboolean
lead_has_field (TandemStore *store,
                TandemLead  *lead,
                const char  *field)
{
  TandemRecord *record = TANDEM_RECORD (lead);
  const TandemTableSpec *spec = tandem_record_get_spec (record);
  int index;

  /* "employees" is the size of the lead's company: a lead's company must
   * be known and have a size before sales can judge it. */
  if (g_str_equal (field, "employees"))
    return company_employees (store, tandem_record_get_text (record, "company_id")) > 0;

  index = tandem_table_spec_field_index (spec, field);
  if (index < 0)
    {
      /* A criterion this version does not know cannot be checked; it must
       * not lock every lead out of the stage. */
      g_debug ("Ignoring unknown entry criterion “%s”", field);
      return TRUE;
    }

  switch (spec->fields[index].type)
    {
    case TANDEM_FIELD_TEXT:
    case TANDEM_FIELD_REF:
    case TANDEM_FIELD_LIST:
      return !is_empty (tandem_record_get_text (record, field));

    case TANDEM_FIELD_INT:
    case TANDEM_FIELD_BOOL:
    default:
      return tandem_record_get_int (record, field) != 0;
    }
}

/* The entry criteria of @definition (which may be NULL) that @lead misses. */
static char **
missing_fields_of (TandemStore  *store,
                   TandemLead   *lead,
                   TandemRecord *definition)
{
  g_autoptr(GStrvBuilder) missing = g_strv_builder_new ();
  g_auto(GStrv) required = NULL;

  if (definition != NULL)
    required = tandem_record_dup_list (definition, "required_fields");

  for (guint i = 0; required != NULL && required[i] != NULL; i++)
    if (!lead_has_field (store, lead, required[i]))
      g_strv_builder_add (missing, required[i]);

  return g_strv_builder_end (missing);
}

char **
tandem_pipeline_missing_fields (TandemStore *store,
                                TandemLead  *lead,
                                const char  *stage)
{
  g_autoptr(TandemRecord) definition = NULL;

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (TANDEM_IS_LEAD (lead), NULL);
  g_return_val_if_fail (stage != NULL, NULL);

  definition = tandem_pipeline_get_stage (store, stage, NULL);
  return missing_fields_of (store, lead, definition);
}

static const char *
field_in_words (const char *field)
{
  static const struct { const char *field; const char *words; } names[] = {
    { "first_name", N_("a first name") },
    { "last_name", N_("a last name") },
    { "email", N_("an email address") },
    { "phone", N_("a phone number") },
    { "job_title", N_("a job title") },
    { "seniority", N_("the seniority") },
    { "company_id", N_("the company") },
    { "employees", N_("the company size") },
    { "owner_id", N_("an owner") },
    { "source", N_("the source") },
    { "channel", N_("the channel") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (names[i].field, field))
      return _(names[i].words);

  return field;
}

static char *
join_in_words (char **fields)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint n = g_strv_length (fields);

  if (n == 1)
    return g_strdup (field_in_words (fields[0]));

  for (guint i = 0; i + 1 < n; i++)
    {
      if (i > 0)
        g_string_append (text, _(", "));
      g_string_append (text, field_in_words (fields[i]));
    }

  /* Translators: the end of a list, "an email address and the company size". */
  return g_strdup_printf (_("%s and %s"), text->str, field_in_words (fields[n - 1]));
}

static gboolean
criteria_error (const char  *stage,
                char       **missing,
                GError     **error)
{
  g_autofree char *fields = join_in_words (missing);

  switch (stage_index (stage))
    {
    case 0:
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_ENTRY_CRITERIA,
                   _("Add %s before this person can become a lead."), fields);
      break;
    case 1:
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_ENTRY_CRITERIA,
                   _("Add %s before this lead can become an MQL."), fields);
      break;
    case 2:
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_ENTRY_CRITERIA,
                   _("Add %s before this lead can become a SAL."), fields);
      break;
    case 3:
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_ENTRY_CRITERIA,
                   _("Add %s before this lead can become an SQL."), fields);
      break;
    case 4:
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_ENTRY_CRITERIA,
                   _("Add %s before this lead can become an opportunity."), fields);
      break;
    default:
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_ENTRY_CRITERIA,
                   _("Add %s before this lead can become a customer."), fields);
      break;
    }

  return FALSE;
}

/* The definition of @stage, when it exists and is switched on. */
static TandemRecord *
get_available_stage (TandemStore  *store,
                     const char   *stage,
                     GError      **error)
{
  g_autoptr(TandemRecord) definition = NULL;

  if (stage_index (stage) < 0)
    {
      unknown_stage (stage, error);
      return NULL;
    }

  if (g_str_equal (stage, TANDEM_STAGE_SAL) && !tandem_pipeline_get_sal_enabled (store))
    {
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_UNKNOWN_STAGE,
                   _("The sales-accepted stage is switched off in this workspace: "
                     "accepted leads go straight to SQL."));
      return NULL;
    }

  definition = tandem_pipeline_get_stage (store, stage, error);
  if (definition == NULL)
    return NULL;

  if (!tandem_record_get_bool (definition, "enabled"))
    {
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_UNKNOWN_STAGE,
                   _("The stage “%s” is switched off in this workspace."),
                   tandem_record_get_text (definition, "name"));
      return NULL;
    }

  return g_steal_pointer (&definition);
}

/* The reason for an exit must be one of the team's labels, so that reports
 * can count them; a workspace without labels for the stage takes any. */
static gboolean
check_reason (TandemStore  *store,
              const char   *stage,
              const char   *reason,
              GError      **error)
{
  g_autoptr(GPtrArray) labels = NULL;
  g_autoptr(GString) choices = g_string_new (NULL);
  g_autoptr(TandemRecord) definition = NULL;
  g_autofree char *wanted = NULL;

  labels = tandem_pipeline_list_reasons (store, stage, error);
  if (labels == NULL)
    return FALSE;

  if (!is_empty (reason))
    {
      if (labels->len == 0)
        return TRUE;

      wanted = g_strstrip (g_strdup (reason));
      for (guint i = 0; i < labels->len; i++)
        if (g_str_equal (g_ptr_array_index (labels, i), wanted))
          return TRUE;
    }

  definition = tandem_pipeline_get_stage (store, stage, NULL);

  for (guint i = 0; i < labels->len; i++)
    {
      if (i > 0)
        g_string_append (choices, "; ");
      g_string_append (choices, g_ptr_array_index (labels, i));
    }

  if (labels->len == 0)
    g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_REASON_REQUIRED,
                 _("Give a reason for moving this lead to %s."),
                 definition ? tandem_record_get_text (definition, "name") : stage);
  else if (is_empty (reason))
    g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_REASON_REQUIRED,
                 _("Choose a reason for moving this lead to %s: %s."),
                 definition ? tandem_record_get_text (definition, "name") : stage,
                 choices->str);
  else
    g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_REASON_REQUIRED,
                 _("“%s” is not one of the reasons for moving a lead to %s. Choose one of: %s."),
                 reason, definition ? tandem_record_get_text (definition, "name") : stage,
                 choices->str);

  return FALSE;
}

/* Deals. */

static TandemRecord *
find_deal (TandemStore  *store,
           const char   *lead_id,
           gboolean      open_only,
           GError      **error)
{
  const char *params[] = { lead_id, NULL };
  g_autoptr(GPtrArray) rows = NULL;

  rows = load_rows (store, "deals",
                    open_only ? "lead_id = ? AND status = 'open'" : "lead_id = ?",
                    params, "created_at DESC, rowid DESC", error);
  if (rows == NULL)
    return NULL;

  if (rows->len == 0)
    return NULL;

  return g_object_ref (g_ptr_array_index (rows, 0));
}

static char *
company_name (TandemStore *store,
              const char  *company_id)
{
  sqlite3_stmt *stmt;
  char *name = NULL;

  if (company_id == NULL)
    return NULL;

  stmt = tandem_store_prepare_cached (store,
                                      "SELECT name FROM companies WHERE id = ? AND deleted = 0",
                                      NULL);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, company_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  return name;
}

static TandemRecord *
new_deal (TandemStore *store,
          TandemLead  *lead,
          gint64       now)
{
  TandemRecord *lead_record = TANDEM_RECORD (lead);
  const char *company_id = tandem_record_get_text (lead_record, "company_id");
  g_autofree char *company = company_name (store, company_id);
  g_autofree char *person = tandem_lead_dup_display_name (lead);
  g_autofree char *probability_text = NULL;
  g_autofree char *name = NULL;
  TandemRecord *deal = tandem_record_new_for_table ("deals", NULL);
  gint64 probability = DEFAULT_PROBABILITY;

  probability_text = tandem_store_get_setting (store, PROBABILITY_SETTING, NULL);
  if (probability_text != NULL)
    {
      char *end = NULL;
      gint64 value = g_ascii_strtoll (probability_text, &end, 10);

      if (end != probability_text && value >= 0 && value <= 100)
        probability = value;
    }

  if (company != NULL && !is_empty (person))
    name = g_strdup_printf ("%s — %s", company, person);
  else if (company != NULL)
    name = g_strdup (company);
  else
    name = g_strdup (person ? person : _("New deal"));

  tandem_record_set_text (deal, "lead_id", tandem_record_get_id (lead_record));
  tandem_record_set_text (deal, "company_id", company_id);
  tandem_record_set_text (deal, "name", name);
  tandem_record_set_int (deal, "amount", 0);
  tandem_record_set_int (deal, "expected_close", now + EXPECTED_CLOSE_DAYS * DAY_MS);
  tandem_record_set_int (deal, "probability", probability);
  tandem_record_set_text (deal, "status", "open");
  tandem_record_set_text (deal, "owner_id", tandem_record_get_text (lead_record, "owner_id"));
  tandem_record_set_int (deal, "created_at", now);

  return deal;
}

static void
close_deal_record (TandemRecord *deal,
                   gboolean      won,
                   const char   *reason,
                   gint64        now)
{
  tandem_record_set_text (deal, "status", won ? "won" : "lost");
  tandem_record_set_int (deal, "closed_at", now);
  tandem_record_set_int (deal, "probability", won ? 100 : 0);
  if (!won)
    tandem_record_set_text (deal, "lost_reason", reason);
}

/* Moves. */

/* The fields of the lead a move writes, to put them back when it fails so
 * that the caller's record still says what the store holds. */
typedef struct
{
  char     *stage;
  char     *owner_id;
  gint64    stage_entered_at;
  gboolean  stage_entered_at_null;
  gint64    handoff_at;
  gboolean  handoff_at_null;
  gint64    accepted_at;
  gboolean  accepted_at_null;
  gint64    first_touch_at;
  gboolean  first_touch_at_null;
} LeadSnapshot;

static void
snapshot_take (LeadSnapshot *snapshot,
               TandemRecord *lead)
{
  snapshot->stage = g_strdup (tandem_record_get_text (lead, "stage"));
  snapshot->owner_id = g_strdup (tandem_record_get_text (lead, "owner_id"));
  snapshot->stage_entered_at = tandem_record_get_int (lead, "stage_entered_at");
  snapshot->stage_entered_at_null = field_is_null (lead, "stage_entered_at");
  snapshot->handoff_at = tandem_record_get_int (lead, "handoff_at");
  snapshot->handoff_at_null = field_is_null (lead, "handoff_at");
  snapshot->accepted_at = tandem_record_get_int (lead, "accepted_at");
  snapshot->accepted_at_null = field_is_null (lead, "accepted_at");
  snapshot->first_touch_at = tandem_record_get_int (lead, "first_touch_at");
  snapshot->first_touch_at_null = field_is_null (lead, "first_touch_at");
}

static void
snapshot_restore (LeadSnapshot *snapshot,
                  TandemStore  *store,
                  TandemRecord *lead)
{
  tandem_record_set_text (lead, "stage", snapshot->stage);
  tandem_record_set_text (lead, "owner_id", snapshot->owner_id);

  /* Integers that were empty cannot be emptied through the public setters;
   * they are reloaded as they were. */
  if (snapshot->stage_entered_at_null)
    load_int (store, lead, "stage_entered_at", TRUE, 0);
  else
    tandem_record_set_int (lead, "stage_entered_at", snapshot->stage_entered_at);
  if (snapshot->handoff_at_null)
    load_int (store, lead, "handoff_at", TRUE, 0);
  else
    tandem_record_set_int (lead, "handoff_at", snapshot->handoff_at);
  if (snapshot->accepted_at_null)
    load_int (store, lead, "accepted_at", TRUE, 0);
  else
    tandem_record_set_int (lead, "accepted_at", snapshot->accepted_at);
  load_int (store, lead, "first_touch_at", snapshot->first_touch_at_null,
            snapshot->first_touch_at);
}

static void
snapshot_clear (LeadSnapshot *snapshot)
{
  g_clear_pointer (&snapshot->stage, g_free);
  g_clear_pointer (&snapshot->owner_id, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LeadSnapshot, snapshot_clear)

typedef enum
{
  MOVE_PLAIN,
  MOVE_ACCEPT,
} MoveKind;

static const char *
current_stage (TandemLead *lead)
{
  const char *stage = tandem_record_get_text (TANDEM_RECORD (lead), "stage");

  return stage != NULL ? stage : TANDEM_STAGE_LEAD;
}

/* Every move goes through here. Everything that can be refused is checked
 * before the transaction starts, because a rollback would also undo the
 * work of a caller that wraps this in its own transaction (rescoring). */
static gboolean
move_lead (TandemStore   *store,
           TandemLead    *lead,
           const char    *stage,
           const char    *reason,
           const char    *note,
           MoveKind       kind,
           TandemRecord  *deal_to_close,
           GError       **error)
{
  TandemRecord *record = TANDEM_RECORD (lead);
  const char *lead_id = tandem_record_get_id (record);
  g_autofree char *from = g_strdup (current_stage (lead));
  g_auto(LeadSnapshot) snapshot = { 0 };
  g_autoptr(TandemRecord) definition = NULL;
  g_autoptr(TandemRecord) deal = NULL;
  g_autoptr(TandemRecord) history = NULL;
  g_autoptr(TandemLead) stored = NULL;
  g_autofree char *owner = NULL;
  gboolean take_turn = FALSE;
  gboolean handoff = FALSE;
  gboolean forward;
  gboolean deal_won = FALSE;
  gint64 now = now_ms ();
  int to_index, from_index;

  if (!tandem_record_is_stored (record))
    {
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                   _("Save the lead before moving it to another stage."));
      return FALSE;
    }

  definition = get_available_stage (store, stage, error);
  if (definition == NULL)
    return FALSE;

  if (g_str_equal (from, stage))
    {
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                   _("The lead is already in this stage."));
      return FALSE;
    }

  to_index = stage_index (stage);
  from_index = stage_index (from);

  /* Forward means further down the funnel; coming back from an exit
   * (nurture → MQL) is forward too, and must meet the criteria again. */
  forward = is_funnel_stage (stage) &&
            (from_index < 0 || !is_funnel_stage (from) || from_index < to_index);

  if (forward)
    {
      g_auto(GStrv) missing = missing_fields_of (store, lead, definition);

      if (missing != NULL && missing[0] != NULL)
        return criteria_error (stage, missing, error);
    }

  if (tandem_stage_needs_reason (stage) && !check_reason (store, stage, reason, error))
    return FALSE;

  /* Entering MQL is the handoff. A lead that skips MQL into a sales stage
   * (a fast-tracked demo request) is handed off on the way. */
  if (g_str_equal (stage, TANDEM_STAGE_MQL))
    handoff = TRUE;
  else if (forward && to_index > stage_index (TANDEM_STAGE_MQL) &&
           tandem_record_get_int (record, "handoff_at") == 0)
    handoff = TRUE;

  if (handoff)
    {
      if (g_str_equal (stage, TANDEM_STAGE_MQL) ||
          is_empty (tandem_record_get_text (record, "owner_id")))
        {
          owner = tandem_routing_choose_owner (store, lead, &take_turn, error);
          if (owner == NULL)
            return FALSE;
        }
    }

  if (g_str_equal (stage, TANDEM_STAGE_OPPORTUNITY))
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(TandemRecord) open_deal = find_deal (store, lead_id, TRUE, &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (open_deal == NULL)
        deal = new_deal (store, lead, now);
    }
  else if (g_str_equal (stage, TANDEM_STAGE_CUSTOMER) || g_str_equal (stage, TANDEM_STAGE_LOST))
    {
      g_autoptr(GError) local_error = NULL;

      deal_won = g_str_equal (stage, TANDEM_STAGE_CUSTOMER);
      if (deal_to_close != NULL)
        deal = g_object_ref (deal_to_close);
      else
        deal = find_deal (store, lead_id, TRUE, &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (deal != NULL)
        close_deal_record (deal, deal_won, reason, now);
    }

  snapshot_take (&snapshot, record);

  if (!tandem_store_begin (store, error))
    return FALSE;

  if (take_turn && !tandem_routing_take_turn (store, owner, error))
    goto failed;

  tandem_record_set_text (record, "stage", stage);
  tandem_record_set_int (record, "stage_entered_at", now);
  if (owner != NULL)
    tandem_record_set_text (record, "owner_id", owner);
  if (handoff)
    tandem_record_set_int (record, "handoff_at", now);
  /* Accepting is the answer to the handoff; a lead fast-tracked past the
   * queue was accepted by the same move. */
  if (kind == MOVE_ACCEPT || (handoff && !g_str_equal (stage, TANDEM_STAGE_MQL)))
    tandem_record_set_int (record, "accepted_at", now);

  if (!tandem_store_save (store, record, error))
    goto failed;

  /* A new handoff starts a new wait for the first touch. The derived
   * fields are written from a fresh copy so that stale scores in the
   * caller's record never overwrite newer ones. */
  if (handoff && tandem_record_get_int (record, "first_touch_at") != 0)
    {
      stored = tandem_store_get (store, TANDEM_TYPE_LEAD, lead_id, error);
      if (stored == NULL)
        goto failed;
      load_int (store, TANDEM_RECORD (stored), "first_touch_at", TRUE, 0);
      if (!tandem_store_write_derived (store, TANDEM_RECORD (stored), error))
        goto failed;
      load_int (store, record, "first_touch_at", TRUE, 0);
    }

  history = tandem_record_new_for_table ("stage_history", NULL);
  tandem_record_set_text (history, "lead_id", lead_id);
  tandem_record_set_text (history, "from_stage", from);
  tandem_record_set_text (history, "to_stage", stage);
  tandem_record_set_int (history, "occurred_at", now);
  tandem_record_set_text (history, "member_id", tandem_store_get_current_member (store));
  if (!is_empty (reason))
    tandem_record_set_text (history, "reason", reason);
  if (!is_empty (note))
    tandem_record_set_text (history, "note", note);
  if (!tandem_store_save (store, history, error))
    goto failed;

  if (deal != NULL)
    {
      /* A deal opened by this move belongs to whoever owns the lead now. */
      if (!tandem_record_is_stored (deal))
        tandem_record_set_text (deal, "owner_id", tandem_record_get_text (record, "owner_id"));
      if (!tandem_store_save (store, deal, error))
        goto failed;
    }

  return tandem_store_commit (store, error);

failed:
  tandem_store_rollback (store);
  snapshot_restore (&snapshot, store, record);
  return FALSE;
}

gboolean
tandem_pipeline_move (TandemStore   *store,
                      TandemLead    *lead,
                      const char    *stage,
                      const char    *reason,
                      const char    *note,
                      GError       **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (TANDEM_IS_LEAD (lead), FALSE);
  g_return_val_if_fail (stage != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return move_lead (store, lead, stage, reason, note, MOVE_PLAIN, NULL, error);
}

/* Handoff. */

/* A lead waits while it is an MQL handed off after its last acceptance:
 * a lead recycled through nurture keeps the accepted_at of its earlier
 * turn, which predates the new handoff. */
#define WAITING_CONDITION \
  "stage = 'mql' AND coalesce(handoff_at, 0) > 0 AND coalesce(accepted_at, 0) < handoff_at"

static gboolean
is_waiting (TandemLead *lead)
{
  TandemRecord *record = TANDEM_RECORD (lead);
  gint64 handoff_at = tandem_record_get_int (record, "handoff_at");

  return g_strcmp0 (tandem_record_get_text (record, "stage"), TANDEM_STAGE_MQL) == 0 &&
         handoff_at > 0 && tandem_record_get_int (record, "accepted_at") < handoff_at;
}

GPtrArray *
tandem_pipeline_list_handoff_queue (TandemStore  *store,
                                    GError      **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load_rows (store, "leads", WAITING_CONDITION, NULL, "handoff_at, rowid", error);
}

static gboolean
not_waiting (GError **error)
{
  g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_NOT_WAITING,
               _("This lead is not waiting for a sales decision: only handed-off MQLs "
                 "can be accepted or rejected."));
  return FALSE;
}

gboolean
tandem_pipeline_accept (TandemStore  *store,
                        TandemLead   *lead,
                        GError      **error)
{
  const char *stage;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (TANDEM_IS_LEAD (lead), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!is_waiting (lead))
    return not_waiting (error);

  stage = tandem_pipeline_get_sal_enabled (store) ? TANDEM_STAGE_SAL : TANDEM_STAGE_SQL;
  return move_lead (store, lead, stage, NULL, NULL, MOVE_ACCEPT, NULL, error);
}

gboolean
tandem_pipeline_reject (TandemStore   *store,
                        TandemLead    *lead,
                        const char    *stage,
                        const char    *reason,
                        const char    *note,
                        GError       **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (TANDEM_IS_LEAD (lead), FALSE);
  g_return_val_if_fail (stage != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!is_waiting (lead))
    return not_waiting (error);

  if (!g_str_equal (stage, TANDEM_STAGE_NURTURE) && !g_str_equal (stage, TANDEM_STAGE_DISQUALIFIED))
    {
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                   _("A rejected lead goes back to marketing for nurturing or is disqualified."));
      return FALSE;
    }

  return move_lead (store, lead, stage, reason, note, MOVE_PLAIN, NULL, error);
}

/* Activities. */

static gboolean
member_is_sales (TandemStore *store,
                 const char  *member_id)
{
  sqlite3_stmt *stmt;
  gboolean sales = FALSE;

  if (member_id == NULL)
    return FALSE;

  stmt = tandem_store_prepare_cached (store,
                                      "SELECT lower(team) = 'sales' FROM members WHERE id = ?",
                                      NULL);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, member_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    sales = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);

  return sales;
}

gboolean
tandem_pipeline_add_activity (TandemStore   *store,
                              TandemLead    *lead,
                              TandemRecord  *activity,
                              GError       **error)
{
  TandemRecord *record = TANDEM_RECORD (lead);
  const char *lead_id;
  const char *activity_lead;
  const char *kind;
  g_autoptr(TandemLead) stored = NULL;
  gint64 occurred_at, last_activity, first_touch, handoff_at;
  gboolean first_touch_null;
  gboolean is_touch;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (TANDEM_IS_LEAD (lead), FALSE);
  g_return_val_if_fail (TANDEM_IS_RECORD (activity), FALSE);
  g_return_val_if_fail (g_str_equal (tandem_record_get_spec (activity)->name, "activities"), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  lead_id = tandem_record_get_id (record);
  if (!tandem_record_is_stored (record))
    {
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                   _("Save the lead before adding activities to it."));
      return FALSE;
    }

  activity_lead = tandem_record_get_text (activity, "lead_id");
  if (activity_lead != NULL && !g_str_equal (activity_lead, lead_id))
    {
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                   _("This activity belongs to another lead."));
      return FALSE;
    }

  kind = tandem_record_get_text (activity, "kind");
  if (is_empty (kind))
    {
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                   _("Choose what kind of activity this is."));
      return FALSE;
    }

  /* The stored lead is the truth for derived fields: the caller's record
   * may have been read before a rescore. */
  stored = tandem_store_get (store, TANDEM_TYPE_LEAD, lead_id, error);
  if (stored == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                     _("The lead was deleted, so the activity was not added."));
      return FALSE;
    }

  if (activity_lead == NULL)
    tandem_record_set_text (activity, "lead_id", lead_id);
  if (tandem_record_get_int (activity, "occurred_at") == 0)
    tandem_record_set_int (activity, "occurred_at", now_ms ());
  occurred_at = tandem_record_get_int (activity, "occurred_at");

  last_activity = MAX (tandem_record_get_int (TANDEM_RECORD (stored), "last_activity_at"),
                       occurred_at);

  first_touch = tandem_record_get_int (TANDEM_RECORD (stored), "first_touch_at");
  first_touch_null = field_is_null (TANDEM_RECORD (stored), "first_touch_at");
  handoff_at = tandem_record_get_int (TANDEM_RECORD (stored), "handoff_at");
  is_touch = g_strv_contains (touch_kinds, kind) &&
             member_is_sales (store, tandem_record_get_text (activity, "member_id"));
  if (is_touch && handoff_at > 0 && occurred_at >= handoff_at &&
      (first_touch == 0 || occurred_at < first_touch))
    {
      first_touch = occurred_at;
      first_touch_null = FALSE;
    }

  if (!tandem_store_begin (store, error))
    return FALSE;

  if (!tandem_store_save (store, activity, error))
    goto failed;

  load_int (store, TANDEM_RECORD (stored), "last_activity_at", FALSE, last_activity);
  load_int (store, TANDEM_RECORD (stored), "first_touch_at", first_touch_null, first_touch);
  if (!tandem_store_write_derived (store, TANDEM_RECORD (stored), error))
    goto failed;

  if (!tandem_store_commit (store, error))
    return FALSE;

  load_int (store, record, "last_activity_at", FALSE, last_activity);
  load_int (store, record, "first_touch_at", first_touch_null, first_touch);
  return TRUE;

failed:
  tandem_store_rollback (store);
  return FALSE;
}

gboolean
tandem_pipeline_is_stalled (TandemStore *store,
                            TandemLead  *lead,
                            gint64       now_ms)
{
  g_autoptr(TandemRecord) definition = NULL;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (TANDEM_IS_LEAD (lead), FALSE);

  definition = tandem_pipeline_get_stage (store, current_stage (lead), NULL);
  if (definition == NULL)
    return FALSE;

  return tandem_pipeline_is_stalled_after (lead, tandem_record_get_int (definition, "stalled_days"),
                                           now_ms);
}

gboolean
tandem_pipeline_is_stalled_after (TandemLead *lead,
                                  gint64      stalled_days,
                                  gint64      now_ms)
{
  TandemRecord *record;
  const char *stage;
  gint64 since;

  g_return_val_if_fail (TANDEM_IS_LEAD (lead), FALSE);

  record = TANDEM_RECORD (lead);
  stage = current_stage (lead);

  /* Exits and customers are not waiting for anyone's work. */
  if (tandem_stage_is_exit (stage) || g_str_equal (stage, TANDEM_STAGE_CUSTOMER))
    return FALSE;

  if (stalled_days <= 0)
    return FALSE;

  since = MAX (tandem_record_get_int (record, "last_activity_at"),
               tandem_record_get_int (record, "stage_entered_at"));
  if (since <= 0)
    return FALSE;

  return now_ms - since > stalled_days * DAY_MS;
}

/* Deals. */

TandemRecord *
tandem_pipeline_get_deal (TandemStore  *store,
                          TandemLead   *lead,
                          GError      **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (TANDEM_IS_LEAD (lead), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return find_deal (store, tandem_record_get_id (TANDEM_RECORD (lead)), FALSE, error);
}

gboolean
tandem_pipeline_close_deal (TandemStore   *store,
                            TandemRecord  *deal,
                            gboolean       won,
                            const char    *reason,
                            GError       **error)
{
  g_autoptr(TandemLead) lead = NULL;
  const char *lead_id;
  const char *target;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (TANDEM_IS_RECORD (deal), FALSE);
  g_return_val_if_fail (g_str_equal (tandem_record_get_spec (deal)->name, "deals"), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!tandem_record_is_stored (deal))
    {
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                   _("Save the deal before closing it."));
      return FALSE;
    }

  if (g_strcmp0 (tandem_record_get_text (deal, "status"), "open") != 0)
    {
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                   _("This deal is already closed."));
      return FALSE;
    }

  if (!won && !check_reason (store, TANDEM_STAGE_LOST, reason, error))
    return FALSE;

  target = won ? TANDEM_STAGE_CUSTOMER : TANDEM_STAGE_LOST;
  lead_id = tandem_record_get_text (deal, "lead_id");
  if (lead_id != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      lead = tandem_store_get (store, TANDEM_TYPE_LEAD, lead_id, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  /* Closing the deal moves its lead, and the move closes the deal, in one
   * transaction. A deal without a lead, or whose lead already is where the
   * deal sends it, is only closed. */
  if (lead != NULL && g_strcmp0 (current_stage (lead), target) != 0)
    return move_lead (store, lead, target, won ? NULL : reason, NULL, MOVE_PLAIN, deal, error);

  close_deal_record (deal, won, reason, now_ms ());
  if (!tandem_store_save (store, deal, error))
    return FALSE;

  return TRUE;
}

GPtrArray *
tandem_pipeline_list_committee (TandemStore   *store,
                                TandemRecord  *deal,
                                GError       **error)
{
  const char *params[2] = { NULL, NULL };

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (TANDEM_IS_RECORD (deal), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  params[0] = tandem_record_get_id (deal);
  return load_rows (store, "deal_contacts", "deal_id = ?", params,
                    "influence DESC, rowid", error);
}

/* The buying committee. */

static const char *const committee_roles[] = {
  "decision maker", "champion", "influencer", "user", "blocker", NULL,
};

static const char *const committee_attitudes[] = {
  "champion", "neutral", "sceptic", NULL,
};

const char * const *
tandem_pipeline_committee_roles (void)
{
  return committee_roles;
}

const char * const *
tandem_pipeline_committee_attitudes (void)
{
  return committee_attitudes;
}

/* The company whose people may sit on @deal's committee: the deal's own,
 * or else its lead's. NULL when neither has one. */
static char *
dup_deal_company (TandemStore   *store,
                  TandemRecord  *deal,
                  GError       **error)
{
  const char *lead_id = tandem_record_get_text (deal, "lead_id");
  g_autoptr(TandemRecord) lead = NULL;
  g_autoptr(GError) local_error = NULL;

  if (tandem_record_get_text (deal, "company_id") != NULL)
    return g_strdup (tandem_record_get_text (deal, "company_id"));

  if (lead_id == NULL)
    return NULL;

  lead = tandem_store_get (store, TANDEM_TYPE_LEAD, lead_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return lead != NULL ? g_strdup (tandem_record_get_text (lead, "company_id")) : NULL;
}

GPtrArray *
tandem_pipeline_list_committee_candidates (TandemStore   *store,
                                           TandemRecord  *deal,
                                           GError       **error)
{
  g_autofree char *company_id = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *params[3] = { NULL, NULL, NULL };

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (TANDEM_IS_RECORD (deal), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  company_id = dup_deal_company (store, deal, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* Without a company, the deal's own lead is the only person known to be
   * there. */
  params[0] = tandem_record_get_id (deal);
  params[1] = company_id != NULL ? company_id : tandem_record_get_text (deal, "lead_id");
  if (params[1] == NULL)
    return g_ptr_array_new_with_free_func (g_object_unref);

  return load_rows (store, "leads",
                    company_id != NULL
                    ? "company_id = ?2 AND NOT EXISTS (SELECT 1 FROM deal_contacts AS c"
                      " WHERE c.deal_id = ?1 AND c.lead_id = leads.id AND c.deleted = 0)"
                    : "id = ?2 AND NOT EXISTS (SELECT 1 FROM deal_contacts AS c"
                      " WHERE c.deal_id = ?1 AND c.lead_id = leads.id AND c.deleted = 0)",
                    params,
                    "lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), email, id",
                    error);
}

static gboolean
in_list (const char * const *list,
         const char         *value)
{
  return value == NULL || g_strv_contains (list, value);
}

/* Everything that would make @member a wrong entry of @deal's committee,
 * checked before anything is written. @lead_id is NULL for a person still
 * to be created. */
static gboolean
check_committee_member (TandemStore   *store,
                        TandemRecord  *deal,
                        TandemRecord  *member,
                        const char    *company_id,
                        const char    *lead_id,
                        GError       **error)
{
  const char *persona_id = tandem_record_get_text (member, "persona_id");
  gint64 influence = tandem_record_get_int (member, "influence");
  g_autoptr(TandemRecord) persona = NULL;
  g_autoptr(TandemLead) lead = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) others = NULL;
  const char *params[3] = { NULL, NULL, NULL };

  if (!in_list (committee_roles, tandem_record_get_text (member, "role")))
    {
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                   _("“%s” is not a buying committee role; choose decision maker, champion, "
                     "influencer, user or blocker."), tandem_record_get_text (member, "role"));
      return FALSE;
    }

  if (!in_list (committee_attitudes, tandem_record_get_text (member, "attitude")))
    {
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                   _("“%s” is not an attitude to the deal; choose champion, neutral or "
                     "sceptic."), tandem_record_get_text (member, "attitude"));
      return FALSE;
    }

  if (influence < 1 || influence > 5)
    {
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                   _("Influence goes from 1 (little say) to 5 (decides), not %" G_GINT64_FORMAT "."),
                   influence);
      return FALSE;
    }

  if (persona_id != NULL)
    {
      persona = tandem_store_get (store, TANDEM_TYPE_PERSONA, persona_id, &local_error);
      if (persona == NULL)
        {
          if (local_error != NULL)
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                         _("The persona chosen was deleted; choose another."));
          return FALSE;
        }
    }

  if (lead_id == NULL)
    return TRUE;

  lead = tandem_store_get (store, TANDEM_TYPE_LEAD, lead_id, &local_error);
  if (lead == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                     _("The person chosen was deleted; choose another."));
      return FALSE;
    }

  /* The deal's own lead belongs whatever its company says. */
  if (company_id != NULL && g_strcmp0 (lead_id, tandem_record_get_text (deal, "lead_id")) != 0 &&
      g_strcmp0 (tandem_record_get_text (TANDEM_RECORD (lead), "company_id"), company_id) != 0)
    {
      g_autofree char *name = tandem_lead_dup_display_name (lead);

      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                   _("%s works at another company; the buying committee is people at the "
                     "deal’s company."), name);
      return FALSE;
    }

  params[0] = tandem_record_get_id (deal);
  params[1] = lead_id;
  others = load_rows (store, "deal_contacts", "deal_id = ? AND lead_id = ?", params, NULL, error);
  if (others == NULL)
    return FALSE;

  for (guint i = 0; i < others->len; i++)
    if (g_strcmp0 (tandem_record_get_id (g_ptr_array_index (others, i)),
                   tandem_record_get_id (member)) != 0)
      {
        g_autofree char *name = tandem_lead_dup_display_name (lead);

        g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                     _("%s is on this buying committee already."), name);
        return FALSE;
      }

  return TRUE;
}

gboolean
tandem_pipeline_save_committee_member (TandemStore   *store,
                                       TandemRecord  *deal,
                                       TandemRecord  *member,
                                       TandemLead    *new_person,
                                       GError       **error)
{
  g_autofree char *company_id = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *deal_id;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (TANDEM_IS_RECORD (deal), FALSE);
  g_return_val_if_fail (g_str_equal (tandem_record_get_spec (deal)->name, "deals"), FALSE);
  g_return_val_if_fail (TANDEM_IS_RECORD (member), FALSE);
  g_return_val_if_fail (g_str_equal (tandem_record_get_spec (member)->name, "deal_contacts"), FALSE);
  g_return_val_if_fail (new_person == NULL || TANDEM_IS_LEAD (new_person), FALSE);
  g_return_val_if_fail (new_person == NULL || !tandem_record_is_stored (TANDEM_RECORD (new_person)),
                        FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  deal_id = tandem_record_get_id (deal);
  if (!tandem_record_is_stored (deal))
    {
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                   _("Save the deal before adding people to its buying committee."));
      return FALSE;
    }

  /* A member stays on the deal it was added to. */
  if (tandem_record_is_stored (member) &&
      g_strcmp0 (tandem_record_get_text (member, "deal_id"), deal_id) != 0)
    {
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                   _("This person is on the buying committee of another deal."));
      return FALSE;
    }

  if (new_person != NULL)
    {
      TandemRecord *person = TANDEM_RECORD (new_person);
      const char *email = tandem_record_get_text (person, "email");

      if (tandem_record_get_text (person, "first_name") == NULL &&
          tandem_record_get_text (person, "last_name") == NULL && email == NULL)
        {
          g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                       _("Give the new person a name or an email address."));
          return FALSE;
        }

      if (email != NULL && (strchr (email, '@') == NULL || strchr (email, ' ') != NULL))
        {
          g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                       _("“%s” is not an email address."), email);
          return FALSE;
        }
    }
  else if (tandem_record_get_text (member, "lead_id") == NULL)
    {
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                   _("Choose who joins the buying committee."));
      return FALSE;
    }

  company_id = dup_deal_company (store, deal, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!check_committee_member (store, deal, member, company_id,
                               new_person != NULL ? NULL : tandem_record_get_text (member, "lead_id"),
                               error))
    return FALSE;

  if (!tandem_store_begin (store, error))
    return FALSE;

  /* A new contact is a lead at the deal's company, found by the deal's
   * owner. */
  if (new_person != NULL)
    {
      TandemRecord *person = TANDEM_RECORD (new_person);

      if (company_id != NULL)
        tandem_record_set_text (person, "company_id", company_id);
      if (tandem_record_get_text (person, "owner_id") == NULL &&
          tandem_record_get_text (deal, "owner_id") != NULL)
        tandem_record_set_text (person, "owner_id", tandem_record_get_text (deal, "owner_id"));
      if (tandem_record_get_text (person, "source") == NULL)
        tandem_record_set_text (person, "source", "sales");
      if (tandem_record_get_int (person, "created_at") == 0)
        tandem_record_set_int (person, "created_at", now_ms ());
      if (tandem_record_get_int (person, "stage_entered_at") == 0)
        tandem_record_set_int (person, "stage_entered_at", now_ms ());

      if (!tandem_store_save (store, person, error))
        goto failed;

      tandem_record_set_text (member, "lead_id", tandem_record_get_id (person));
    }

  tandem_record_set_text (member, "deal_id", deal_id);
  if (!tandem_store_save (store, member, error))
    goto failed;

  return tandem_store_commit (store, error);

failed:
  tandem_store_rollback (store);
  return FALSE;
}

gboolean
tandem_pipeline_remove_committee_member (TandemStore   *store,
                                         TandemRecord  *member,
                                         GError       **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (TANDEM_IS_RECORD (member), FALSE);
  g_return_val_if_fail (g_str_equal (tandem_record_get_spec (member)->name, "deal_contacts"), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return tandem_store_delete (store, member, error);
}

gboolean
tandem_pipeline_restore_committee_member (TandemStore  *store,
                                          const char   *member_id,
                                          GError      **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (member_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return tandem_store_undelete_row (store, "deal_contacts", member_id, error);
}

GPtrArray *
tandem_pipeline_list_activities (TandemStore  *store,
                                 TandemLead   *lead,
                                 GError      **error)
{
  const char *params[2] = { NULL, NULL };

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (TANDEM_IS_LEAD (lead), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  params[0] = tandem_record_get_id (TANDEM_RECORD (lead));
  return load_rows (store, "activities", "lead_id = ?", params,
                    "occurred_at DESC, rowid DESC", error);
}

GPtrArray *
tandem_pipeline_list_history (TandemStore  *store,
                              TandemLead   *lead,
                              GError      **error)
{
  const char *params[2] = { NULL, NULL };

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (TANDEM_IS_LEAD (lead), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  params[0] = tandem_record_get_id (TANDEM_RECORD (lead));
  return load_rows (store, "stage_history", "lead_id = ?", params,
                    "occurred_at, rowid", error);
}

gint64
tandem_pipeline_sum_open_deals (TandemStore *store,
                                const char  *stage)
{
  sqlite3_stmt *stmt;
  gint64 sum = 0;

  g_return_val_if_fail (TANDEM_IS_STORE (store), 0);
  g_return_val_if_fail (stage != NULL, 0);

  stmt = tandem_store_prepare_cached (store,
                                      "SELECT coalesce(sum(d.amount), 0) FROM deals AS d"
                                      " JOIN leads AS l ON l.id = d.lead_id"
                                      " WHERE d.deleted = 0 AND d.status = 'open'"
                                      " AND l.deleted = 0 AND l.stage = ?",
                                      NULL);
  if (stmt == NULL)
    return 0;

  sqlite3_bind_text (stmt, 1, stage, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    sum = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  return sum;
}

gboolean
tandem_pipeline_set_reasons (TandemStore         *store,
                             const char          *stage,
                             const char * const  *labels,
                             GError             **error)
{
  const char *params[] = { stage, NULL };
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (stage != NULL, FALSE);
  g_return_val_if_fail (labels != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!tandem_stage_needs_reason (stage))
    {
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                   _("Only moves to nurture, disqualified or lost take a reason."));
      return FALSE;
    }

  rows = load_rows (store, "reasons", "kind = ?", params, "position, rowid", error);
  if (rows == NULL || !tandem_store_begin (store, error))
    return FALSE;

  /* Existing rows keep their ids (and so their history on other desktops);
   * only what changed is written. */
  for (guint i = 0; i < rows->len; i++)
    {
      TandemRecord *row = g_ptr_array_index (rows, i);
      const char *label = tandem_record_get_text (row, "label");

      if (label == NULL || !g_strv_contains (labels, label))
        {
          if (!tandem_store_delete (store, row, error))
            return FALSE;
        }
    }

  for (guint position = 0; labels[position] != NULL; position++)
    {
      g_autoptr(TandemRecord) created = NULL;
      TandemRecord *row = NULL;

      if (is_empty (labels[position]))
        continue;

      for (guint i = 0; i < rows->len && row == NULL; i++)
        if (g_strcmp0 (tandem_record_get_text (g_ptr_array_index (rows, i), "label"),
                       labels[position]) == 0)
          row = g_ptr_array_index (rows, i);

      if (row == NULL)
        {
          row = created = tandem_record_new_for_table ("reasons", NULL);
          tandem_record_set_text (row, "kind", stage);
          tandem_record_set_text (row, "label", labels[position]);
        }

      tandem_record_set_int (row, "position", position);
      if (!tandem_store_save (store, row, error))
        return FALSE;
    }

  return tandem_store_commit (store, error);
}
