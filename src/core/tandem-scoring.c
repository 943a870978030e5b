/* tandem-scoring.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "tandem-fit-private.h"
#include "tandem-folding-private.h"
#include "tandem-icp.h"
#include "tandem-persona.h"
#include "tandem-pipeline.h"
#include "tandem-routing.h"
#include "tandem-scoring.h"
#include "tandem-store-private.h"

#define DAY_MS (G_GINT64_CONSTANT (24) * 60 * 60 * 1000)

/* A bit per activity rule keeps the pass over every activity cheap, as a bit
 * per ICP does (TANDEM_MAX_ICPS); rules beyond this are ignored (and
 * reported once). */
#define MAX_ACTIVITY_RULES 64

/* How often a long pass looks at its cancellable and reports progress. */
#define PROGRESS_STEPS 100

/* The temporary table of the leads a partial rescore is for
 * (tandem_scoring_rescore_leads()). */
#define RESCORE_SUBSET "tandem_rescore_subset"

#define MINUS_SIGN "\xe2\x88\x92"

typedef enum
{
  RULE_FIT,
  RULE_EXCLUSION,
  RULE_ENGAGEMENT,
  RULE_FAST_TRACK,
} RuleKind;

typedef enum
{
  ATTR_JOB_TITLE,
  ATTR_SENIORITY,
  ATTR_INDUSTRY,
  ATTR_EMPLOYEES,
  ATTR_REGION,
  ATTR_EMAIL_DOMAIN,
  ATTR_FREE_MAIL,
  ATTR_EXCLUDED_INDUSTRY,
  ATTR_COMPETITOR,
  ATTR_KIND,
  ATTR_URL,
  ATTR_ASSET,
  ATTR_CHANNEL,
} Attribute;

typedef enum
{
  OP_IS,
  OP_CONTAINS,
  OP_IN_ICP,
  OP_BETWEEN,
} Operator;

typedef struct
{
  char       *id;
  char       *name;
  char       *value;
  char       *folded_value;
  GHashTable *values;        /* folded alternatives of an "is" value */
  RuleKind    kind;
  Attribute   attribute;
  Operator    op;
  gint64      min;
  gint64      max;
  int         points;
  int         cap;
  int         half_life_days;
  gboolean    disqualify;
  char        cap_grade;     /* 'A'…'D', or 0 */
  int         cap_score;     /* -1: none */
} Rule;

/* Scoring reads ICPs and personas as lead matching does. */
typedef TandemIcpFit Icp;
typedef TandemPersonaFit Persona;

struct _TandemScoringRules
{
  gatomicrefcount  ref_count;
  GPtrArray       *fit;
  GPtrArray       *exclusions;
  GPtrArray       *engagement;
  GPtrArray       *fast_track;
  GArray          *icps;
  GArray          *personas;
  int              mql_threshold;
  int              grade_a;
  int              grade_b;
  int              grade_c;
};

/* Which lists of the ICPs name a company's attributes. */
typedef enum
{
  LISTED_INDUSTRY           = 1 << 0,
  LISTED_REGION             = 1 << 1,   /* its region or its country */
  LISTED_EXCLUDED_INDUSTRY  = 1 << 2,
  LISTED_COMPETITOR         = 1 << 3,
} Listed;

/* What scoring needs of a company, matched against the ICPs once. */
typedef struct
{
  char    *name;
  char    *industry;
  char    *region;
  char    *country;
  gint64   employees;
  gint64   revenue;
  guint64  icp_mask;
  Listed   listed;
} Company;

typedef struct
{
  const char    *job_title;
  const char    *seniority;
  const char    *email;
  const Company *company;     /* NULL: no company, or an unknown one */
} LeadInput;

/* An activity reduced to the rules it matches. */
typedef struct
{
  gint64  occurred_at;
  guint64 engagement_mask;
  guint64 fast_track_mask;
} ActivityHits;

/* Results that are not part of TandemScore. */
typedef struct
{
  gint64      fast_track_at;
  const char *fast_track_kind;
  const char *disqualify_reason;
} ScoreExtra;

G_DEFINE_BOXED_TYPE (TandemScoringRules, tandem_scoring_rules,
                     tandem_scoring_rules_ref, tandem_scoring_rules_unref)

/* A rule's "is" value may list alternatives separated by commas. */
static void
folded_set_add_list (GHashTable *set,
                     const char *text)
{
  g_auto(GStrv) items = NULL;

  if (text == NULL)
    return;

  items = g_strsplit (text, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = g_strstrip (items[i]);

      if (*item != '\0')
        tandem_folded_set_add (set, item);
    }
}

static gboolean
has_text (const char *text)
{
  return text != NULL && *text != '\0';
}

/* Rules. */

static void
rule_free (Rule *rule)
{
  g_free (rule->id);
  g_free (rule->name);
  g_free (rule->value);
  g_free (rule->folded_value);
  g_clear_pointer (&rule->values, g_hash_table_unref);
  g_free (rule);
}

static void
company_free (Company *company)
{
  g_free (company->name);
  g_free (company->industry);
  g_free (company->region);
  g_free (company->country);
  g_free (company);
}

static gboolean
parse_attribute (RuleKind    kind,
                 const char *text,
                 Attribute  *attribute)
{
  static const struct
  {
    RuleKind    kind;
    const char *name;
    Attribute   attribute;
  } names[] = {
    { RULE_FIT, "job_title", ATTR_JOB_TITLE },
    { RULE_FIT, "seniority", ATTR_SENIORITY },
    { RULE_FIT, "industry", ATTR_INDUSTRY },
    { RULE_FIT, "employees", ATTR_EMPLOYEES },
    { RULE_FIT, "region", ATTR_REGION },
    { RULE_FIT, "email_domain", ATTR_EMAIL_DOMAIN },
    { RULE_EXCLUSION, "free_mail", ATTR_FREE_MAIL },
    { RULE_EXCLUSION, "excluded_industry", ATTR_EXCLUDED_INDUSTRY },
    { RULE_EXCLUSION, "competitor", ATTR_COMPETITOR },
    { RULE_ENGAGEMENT, "kind", ATTR_KIND },
    { RULE_ENGAGEMENT, "url", ATTR_URL },
    { RULE_ENGAGEMENT, "asset", ATTR_ASSET },
    { RULE_ENGAGEMENT, "channel", ATTR_CHANNEL },
    { RULE_FAST_TRACK, "kind", ATTR_KIND },
  };

  /* A fast-track rule names the activity kind in its value; its attribute
   * may be left empty. */
  if (kind == RULE_FAST_TRACK && !has_text (text))
    text = "kind";

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (names); i++)
    if (names[i].kind == kind && g_str_equal (names[i].name, text))
      {
        *attribute = names[i].attribute;
        return TRUE;
      }

  return FALSE;
}

static Operator
parse_operator (const char *text,
                Attribute   attribute)
{
  if (g_strcmp0 (text, "contains") == 0)
    return OP_CONTAINS;
  if (g_strcmp0 (text, "in_icp") == 0)
    return OP_IN_ICP;
  if (g_strcmp0 (text, "between") == 0 || attribute == ATTR_EMPLOYEES)
    return OP_BETWEEN;
  if (text == NULL && (attribute == ATTR_JOB_TITLE || attribute == ATTR_URL))
    return OP_CONTAINS;

  return OP_IS;
}

static void
rules_add (TandemScoringRules *self,
           const char         *id,
           const char         *kind_text,
           const char         *name,
           const char         *attribute_text,
           const char         *operator_text,
           const char         *value,
           gint64              points,
           gint64              cap,
           gint64              half_life_days,
           const char         *action)
{
  GPtrArray *list;
  RuleKind kind;
  Attribute attribute;
  Rule *rule;

  if (g_strcmp0 (kind_text, "fit") == 0)
    kind = RULE_FIT, list = self->fit;
  else if (g_strcmp0 (kind_text, "exclusion") == 0)
    kind = RULE_EXCLUSION, list = self->exclusions;
  else if (g_strcmp0 (kind_text, "engagement") == 0)
    kind = RULE_ENGAGEMENT, list = self->engagement;
  else if (g_strcmp0 (kind_text, "fast_track") == 0)
    kind = RULE_FAST_TRACK, list = self->fast_track;
  else
    {
      g_debug ("Scoring rule %s has an unknown kind “%s”; it is ignored", id, kind_text);
      return;
    }

  if (!parse_attribute (kind, attribute_text, &attribute))
    {
      g_debug ("Scoring rule %s has an unknown attribute “%s”; it is ignored", id,
               attribute_text);
      return;
    }

  if ((kind == RULE_ENGAGEMENT || kind == RULE_FAST_TRACK) && list->len >= MAX_ACTIVITY_RULES)
    {
      g_warning ("Only %d %s scoring rules are used; rule %s is ignored",
                 MAX_ACTIVITY_RULES, kind_text, id);
      return;
    }

  rule = g_new0 (Rule, 1);
  rule->id = g_strdup (id);
  rule->name = g_strdup (name ? name : "");
  rule->value = value ? g_strstrip (g_strdup (value)) : g_strdup ("");
  rule->folded_value = g_utf8_casefold (rule->value, -1);
  rule->values = tandem_folded_set_new ();
  folded_set_add_list (rule->values, rule->value);
  rule->kind = kind;
  rule->attribute = attribute;
  rule->op = parse_operator (operator_text, attribute);
  rule->points = (int) points;
  rule->cap = (int) ABS (cap);
  rule->half_life_days = (int) MAX (half_life_days, 0);
  rule->cap_score = -1;

  if (rule->op == OP_BETWEEN)
    {
      const char *dash = strchr (rule->value + (rule->value[0] == '-'), '-');

      rule->min = g_ascii_strtoll (rule->value, NULL, 10);
      rule->max = dash ? g_ascii_strtoll (dash + 1, NULL, 10) : 0;
    }

  if (kind == RULE_EXCLUSION)
    {
      if (action != NULL && g_str_has_prefix (action, "cap:"))
        {
          const char *limit = action + strlen ("cap:");
          char letter = g_ascii_toupper (limit[0]);

          if (letter >= 'A' && letter <= 'D' && limit[1] == '\0')
            rule->cap_grade = letter;
          else
            rule->cap_score = (int) CLAMP (g_ascii_strtoll (limit, NULL, 10), 0, G_MAXINT);
        }
      else
        rule->disqualify = TRUE;
    }

  g_ptr_array_add (list, rule);
}

static TandemScoringRules *
rules_new (void)
{
  TandemScoringRules *self = g_new0 (TandemScoringRules, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->fit = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_free);
  self->exclusions = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_free);
  self->engagement = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_free);
  self->fast_track = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_free);
  self->icps = tandem_icp_fit_array_new ();
  self->personas = tandem_persona_fit_array_new ();

  return self;
}

TandemScoringRules *
tandem_scoring_rules_ref (TandemScoringRules *rules)
{
  g_return_val_if_fail (rules != NULL, NULL);

  g_atomic_ref_count_inc (&rules->ref_count);
  return rules;
}

void
tandem_scoring_rules_unref (TandemScoringRules *rules)
{
  g_return_if_fail (rules != NULL);

  if (!g_atomic_ref_count_dec (&rules->ref_count))
    return;

  g_ptr_array_unref (rules->fit);
  g_ptr_array_unref (rules->exclusions);
  g_ptr_array_unref (rules->engagement);
  g_ptr_array_unref (rules->fast_track);
  g_array_unref (rules->icps);
  g_array_unref (rules->personas);
  g_free (rules);
}

static int
setting_int (TandemStore *store,
             const char  *key,
             int          default_value)
{
  g_autofree char *text = tandem_store_get_setting (store, key, NULL);
  char *end = NULL;
  gint64 value;

  if (text == NULL)
    return default_value;

  value = g_ascii_strtoll (text, &end, 10);
  if (end == text)
    return default_value;

  return (int) CLAMP (value, G_MININT, G_MAXINT);
}

/* ICPs in rank order, personas, and the grade floors. */
static gboolean
rules_load_context (TandemScoringRules  *self,
                    TandemStore         *store,
                    GError             **error)
{
  if (!tandem_fit_load (store, self->icps, self->personas, error))
    return FALSE;

  self->grade_a = setting_int (store, "grade_a", 70);
  self->grade_b = setting_int (store, "grade_b", 45);
  self->grade_c = setting_int (store, "grade_c", 25);

  return TRUE;
}

TandemScoringRules *
tandem_scoring_rules_load (TandemStore  *store,
                           GError      **error)
{
  g_autoptr(TandemScoringRules) self = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = rules_new ();
  if (!rules_load_context (self, store, error))
    return NULL;
  self->mql_threshold = setting_int (store, "mql_threshold", 100);

  stmt = tandem_store_prepare_cached (store,
                                      "SELECT id, kind, name, attribute, operator, value, points,"
                                      " cap, half_life_days, action FROM scoring_rules"
                                      " WHERE deleted = 0 AND enabled != 0"
                                      " ORDER BY kind, position, id", error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    rules_add (self,
               (const char *) sqlite3_column_text (stmt, 0),
               (const char *) sqlite3_column_text (stmt, 1),
               (const char *) sqlite3_column_text (stmt, 2),
               (const char *) sqlite3_column_text (stmt, 3),
               (const char *) sqlite3_column_text (stmt, 4),
               (const char *) sqlite3_column_text (stmt, 5),
               sqlite3_column_int64 (stmt, 6),
               sqlite3_column_int64 (stmt, 7),
               sqlite3_column_int64 (stmt, 8),
               (const char *) sqlite3_column_text (stmt, 9));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_SQL,
                   _("Could not read the scoring rules: %s"),
                   sqlite3_errmsg (tandem_store_get_db (store)));
      return NULL;
    }

  return g_steal_pointer (&self);
}

TandemScoringRules *
tandem_scoring_rules_new_edited (TandemStore  *store,
                                 GPtrArray    *rule_records,
                                 int           mql_threshold,
                                 GError      **error)
{
  g_autoptr(TandemScoringRules) self = NULL;

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (rule_records != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = rules_new ();
  if (!rules_load_context (self, store, error))
    return NULL;
  self->mql_threshold = mql_threshold;

  for (guint i = 0; i < rule_records->len; i++)
    {
      TandemRecord *record = g_ptr_array_index (rule_records, i);

      g_return_val_if_fail (TANDEM_IS_RECORD (record), NULL);

      if (!tandem_record_get_bool (record, "enabled"))
        continue;

      rules_add (self,
                 tandem_record_get_id (record),
                 tandem_record_get_text (record, "kind"),
                 tandem_record_get_text (record, "name"),
                 tandem_record_get_text (record, "attribute"),
                 tandem_record_get_text (record, "operator"),
                 tandem_record_get_text (record, "value"),
                 tandem_record_get_int (record, "points"),
                 tandem_record_get_int (record, "cap"),
                 tandem_record_get_int (record, "half_life_days"),
                 tandem_record_get_text (record, "action"));
    }

  return g_steal_pointer (&self);
}

/* Companies. */

static guint64
company_icp_mask (TandemScoringRules *rules,
                  const Company      *company)
{
  guint64 mask = 0;

  for (guint j = 0; j < rules->icps->len; j++)
    {
      if (tandem_icp_fit_company (&g_array_index (rules->icps, Icp, j), company->industry,
                                  company->region, company->country, company->employees,
                                  company->revenue, company->name))
        mask |= G_GUINT64_CONSTANT (1) << j;
    }

  return mask;
}

static gboolean
any_icp_lists (TandemScoringRules *rules,
               gsize               set_offset,
               const char         *value)
{
  for (guint j = 0; j < rules->icps->len; j++)
    {
      const Icp *icp = &g_array_index (rules->icps, Icp, j);

      if (tandem_folded_set_contains (G_STRUCT_MEMBER (GHashTable *, icp, set_offset), value))
        return TRUE;
    }

  return FALSE;
}

/* Looked up once per company rather than for each of its leads. */
static Listed
company_listed (TandemScoringRules *rules,
                const Company      *company)
{
  Listed listed = 0;

  if (any_icp_lists (rules, G_STRUCT_OFFSET (Icp, industries), company->industry))
    listed |= LISTED_INDUSTRY;
  if (any_icp_lists (rules, G_STRUCT_OFFSET (Icp, regions), company->region) ||
      any_icp_lists (rules, G_STRUCT_OFFSET (Icp, regions), company->country))
    listed |= LISTED_REGION;
  if (any_icp_lists (rules, G_STRUCT_OFFSET (Icp, excluded_industries), company->industry))
    listed |= LISTED_EXCLUDED_INDUSTRY;
  if (any_icp_lists (rules, G_STRUCT_OFFSET (Icp, competitors), company->name))
    listed |= LISTED_COMPETITOR;

  return listed;
}

#define COMPANY_COLUMNS "id, name, industry, employees, revenue, region, country"

static Company *
company_from_row (TandemScoringRules *rules,
                  sqlite3_stmt       *stmt)
{
  Company *company = g_new0 (Company, 1);

  company->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  company->industry = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  company->employees = sqlite3_column_int64 (stmt, 3);
  company->revenue = sqlite3_column_int64 (stmt, 4);
  company->region = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  company->country = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
  company->icp_mask = company_icp_mask (rules, company);
  company->listed = company_listed (rules, company);

  return company;
}

static gboolean
sql_failed (TandemStore  *store,
            GError      **error)
{
  g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_SQL,
               _("Scoring could not read the workspace: %s"),
               sqlite3_errmsg (tandem_store_get_db (store)));
  return FALSE;
}

/* Activities. */

/* Whether @rule holds for an activity whose value of the rule's attribute
 * is @subject. */
static gboolean
activity_rule_matches_value (const Rule *rule,
                             const char *subject)
{
  if (subject == NULL || *rule->value == '\0')
    return FALSE;

  /* Web addresses are compared as written: paths are case-sensitive. */
  if (rule->op == OP_CONTAINS)
    return strstr (subject, rule->value) != NULL;

  if (rule->attribute == ATTR_URL || rule->attribute == ATTR_ASSET)
    return strcmp (subject, rule->value) == 0;

  return tandem_folded_set_contains (rule->values, subject);
}

/* A pass over every activity tests the same few values again and again:
 * the large sample has a million activities but thirteen kinds, nineteen
 * channels and 500 assets. So such a pass remembers, for each kind, asset
 * and channel it has met, which rules that value satisfies; only the web
 * addresses, which are many and mostly tested with "contains", are tested
 * one by one. Each cache stops growing at HITS_CACHE_MAX values. */
#define HITS_CACHE_MAX 4096

typedef struct
{
  guint64 engagement_mask;
  guint64 fast_track_mask;
} RuleMasks;

typedef struct
{
  /* Per remembered attribute: value -> RuleMasks. */
  GHashTable *kinds;
  GHashTable *assets;
  GHashTable *channels;
} HitsCache;

static void
hits_cache_init (HitsCache *cache)
{
  cache->kinds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  cache->assets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  cache->channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
hits_cache_clear (HitsCache *cache)
{
  g_clear_pointer (&cache->kinds, g_hash_table_unref);
  g_clear_pointer (&cache->assets, g_hash_table_unref);
  g_clear_pointer (&cache->channels, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HitsCache, hits_cache_clear)

static void
masks_for_value (TandemScoringRules *rules,
                 Attribute           attribute,
                 const char         *value,
                 RuleMasks          *masks)
{
  masks->engagement_mask = 0;
  masks->fast_track_mask = 0;

  for (guint r = 0; r < rules->engagement->len; r++)
    {
      const Rule *rule = g_ptr_array_index (rules->engagement, r);

      if (rule->attribute == attribute && activity_rule_matches_value (rule, value))
        masks->engagement_mask |= G_GUINT64_CONSTANT (1) << r;
    }

  for (guint r = 0; r < rules->fast_track->len; r++)
    {
      const Rule *rule = g_ptr_array_index (rules->fast_track, r);

      if (rule->attribute == attribute && activity_rule_matches_value (rule, value))
        masks->fast_track_mask |= G_GUINT64_CONSTANT (1) << r;
    }
}

/* Adds to @hits the rules on @attribute that @value meets, looked up in
 * @remembered (value -> RuleMasks) when given. */
static void
add_masks (TandemScoringRules *rules,
           GHashTable         *remembered,
           Attribute           attribute,
           const char         *value,
           ActivityHits       *hits)
{
  RuleMasks *masks = NULL;
  RuleMasks computed;

  /* No rule holds for a missing value. */
  if (value == NULL)
    return;

  if (remembered != NULL)
    masks = g_hash_table_lookup (remembered, value);
  if (masks == NULL)
    {
      masks_for_value (rules, attribute, value, &computed);
      if (remembered != NULL && g_hash_table_size (remembered) < HITS_CACHE_MAX)
        g_hash_table_insert (remembered, g_strdup (value),
                             g_memdup2 (&computed, sizeof computed));
      masks = &computed;
    }

  hits->engagement_mask |= masks->engagement_mask;
  hits->fast_track_mask |= masks->fast_track_mask;
}

/* Reduces an activity to the rules it meets; @cache, when given, is a
 * pass's memory of them. */
static void
activity_hits_fill (TandemScoringRules *rules,
                    HitsCache          *cache,
                    ActivityHits       *hits,
                    const char         *kind,
                    const char         *url,
                    const char         *asset_id,
                    const char         *channel,
                    gint64              occurred_at)
{
  hits->occurred_at = occurred_at;
  hits->engagement_mask = 0;
  hits->fast_track_mask = 0;

  add_masks (rules, cache ? cache->kinds : NULL, ATTR_KIND, kind, hits);
  add_masks (rules, NULL, ATTR_URL, url, hits);
  add_masks (rules, cache ? cache->assets : NULL, ATTR_ASSET, asset_id, hits);
  add_masks (rules, cache ? cache->channels : NULL, ATTR_CHANNEL, channel, hits);
}

/* Explanations. */

static void
hit_free (TandemScoreHit *hit)
{
  g_free (hit->rule_id);
  g_free (hit->kind);
  g_free (hit->text);
  g_free (hit);
}

void
tandem_score_free (TandemScore *score)
{
  if (score == NULL)
    return;

  g_free (score->grade);
  g_free (score->icp_id);
  g_free (score->persona_id);
  g_clear_pointer (&score->hits, g_ptr_array_unref);
  g_free (score);
}

/* "+25", "−10" (a real minus sign) or "0". */
static char *
format_points (int points)
{
  if (points > 0)
    return g_strdup_printf ("+%d", points);
  if (points < 0)
    return g_strdup_printf (MINUS_SIGN "%d", -points);
  return g_strdup ("0");
}

static void
add_hit (TandemScore *score,
         const Rule  *rule,
         const char  *kind,
         int          points,
         int          full_points,
         gint64       occurred_at,
         char        *description)
{
  TandemScoreHit *hit;
  g_autofree char *prefix = NULL;

  if (score->hits == NULL)
    {
      g_free (description);
      return;
    }

  hit = g_new0 (TandemScoreHit, 1);
  hit->rule_id = g_strdup (rule->id);
  hit->kind = g_strdup (kind);
  hit->points = points;
  hit->full_points = full_points;
  hit->occurred_at = occurred_at;

  if (g_str_equal (kind, "fit") || g_str_equal (kind, "engagement") ||
      (g_str_equal (kind, "exclusion") && points != 0))
    {
      prefix = format_points (points);
      hit->text = g_strdup_printf ("%s %s", prefix, description);
      g_free (description);
    }
  else
    hit->text = description;

  g_ptr_array_add (score->hits, hit);
}

static const char *
kind_phrase (const char *kind)
{
  static const struct
  {
    const char *kind;
    const char *phrase;
  } phrases[] = {
    { "page_visit", N_("visited a page") },
    { "content", N_("read content") },
    { "form_fill", N_("filled in a form") },
    { "webinar", N_("attended a webinar") },
    { "email_open", N_("opened an email") },
    { "email_click", N_("clicked a link in an email") },
    { "unsubscribe", N_("unsubscribed from emails") },
    { "demo_request", N_("requested a demo") },
    { "trial_start", N_("started a trial") },
    { "call", N_("had a call") },
    { "email_sent", N_("was sent an email") },
    { "meeting", N_("had a meeting") },
  };

  for (guint i = 0; kind != NULL && i < G_N_ELEMENTS (phrases); i++)
    if (g_str_equal (phrases[i].kind, kind))
      return _(phrases[i].phrase);

  return NULL;
}

static char *
describe_activity_rule (const Rule *rule)
{
  const char *phrase;

  switch (rule->attribute)
    {
    case ATTR_URL:
      return g_strdup_printf (_("visited %s"), rule->value);
    case ATTR_KIND:
      phrase = kind_phrase (rule->value);
      if (phrase != NULL)
        return g_strdup (phrase);
      break;
    case ATTR_CHANNEL:
      return g_strdup_printf (_("came through %s"), rule->value);
    default:
      break;
    }

  if (*rule->name != '\0')
    return g_strdup (rule->name);

  return g_strdup (rule->value);
}

static char *
describe_age (gint64 age_ms)
{
  int days = (int) (MAX (age_ms, 0) / DAY_MS);

  if (days == 0)
    return g_strdup (_("today"));

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago", days), days);
}

/* The score itself. */

static int
decayed_points (const Rule *rule,
                gint64      age_ms)
{
  double age_days = (double) MAX (age_ms, 0) / DAY_MS;

  if (rule->half_life_days <= 0)
    return rule->points;

  return (int) lround (rule->points * pow (0.5, age_days / rule->half_life_days));
}

static const Icp *
icp_at (TandemScoringRules *rules,
        int                 index)
{
  return index >= 0 ? &g_array_index (rules->icps, Icp, index) : NULL;
}

/* The ICP that lists @value in its @field, the matched one first. */
static const Icp *
icp_listing (TandemScoringRules *rules,
             int                 best,
             gsize               set_offset,
             const char         *value,
             const char         *other_value)
{
  for (int j = -1; j < (int) rules->icps->len; j++)
    {
      const Icp *icp = icp_at (rules, j < 0 ? best : j);
      GHashTable *set;

      if (icp == NULL)
        continue;

      set = G_STRUCT_MEMBER (GHashTable *, icp, set_offset);
      if (tandem_folded_set_contains (set, value) || tandem_folded_set_contains (set, other_value))
        return icp;
    }

  return NULL;
}

static const char *
exclusion_reason (Attribute attribute)
{
  switch (attribute)
    {
    case ATTR_FREE_MAIL:
      return _("Excluded: free-mail address");
    case ATTR_EXCLUDED_INDUSTRY:
      return _("Excluded: excluded industry");
    case ATTR_COMPETITOR:
      return _("Excluded: competitor");
    default:
      return _("Excluded");
    }
}

static char *
describe_exclusion (const Rule *rule,
                    const char *what)
{
  g_autofree char *subject = NULL;

  switch (rule->attribute)
    {
    case ATTR_FREE_MAIL:
      subject = g_strdup_printf (_("free-mail address (%s)"), what);
      break;
    case ATTR_EXCLUDED_INDUSTRY:
      subject = g_strdup_printf (_("excluded industry %s"), what);
      break;
    default:
      subject = g_strdup_printf (_("competitor %s"), what);
      break;
    }

  if (rule->disqualify)
    return g_strdup_printf (_("%s: disqualifies"), subject);
  if (rule->cap_grade != 0)
    return g_strdup_printf (_("%s: grade capped at %c"), subject, rule->cap_grade);
  return g_strdup_printf (_("%s: score capped at %d"), subject, rule->cap_score);
}

static void
score_fit (TandemScoringRules *rules,
           const LeadInput    *lead,
           int                 best_icp,
           TandemScore        *score,
           ScoreExtra         *extra,
           char               *cap_grade,
           int                *cap_score)
{
  const Company *company = lead->company;
  const char *domain = tandem_email_domain (lead->email);
  g_autofree char *folded_title = lead->job_title ? g_utf8_casefold (lead->job_title, -1) : NULL;
  gboolean explain = score->hits != NULL;
  int fit = 0;

  for (guint r = 0; r < rules->fit->len; r++)
    {
      const Rule *rule = g_ptr_array_index (rules->fit, r);
      char *text = NULL;
      gboolean hit = FALSE;

      switch (rule->attribute)
        {
        case ATTR_JOB_TITLE:
          if (folded_title == NULL || *rule->folded_value == '\0')
            break;
          if (rule->op == OP_IS)
            hit = g_hash_table_contains (rule->values, folded_title);
          else
            hit = strstr (folded_title, rule->folded_value) != NULL;
          if (hit && explain)
            text = g_strdup_printf (rule->op == OP_IS ? _("job title is “%s”")
                                                      : _("job title contains “%s”"),
                                    rule->value);
          break;

        case ATTR_SENIORITY:
          hit = tandem_folded_set_contains (rule->values, lead->seniority);
          if (hit && explain)
            text = g_strdup_printf (_("seniority is “%s”"), lead->seniority);
          break;

        case ATTR_INDUSTRY:
          if (company == NULL || company->industry == NULL)
            break;
          if (rule->op == OP_IN_ICP)
            {
              hit = (company->listed & LISTED_INDUSTRY) != 0;
              if (hit && explain)
                text = g_strdup_printf (_("industry %s is in ICP “%s”"), company->industry,
                                        icp_listing (rules, best_icp,
                                                     G_STRUCT_OFFSET (Icp, industries),
                                                     company->industry, NULL)->name);
            }
          else
            {
              hit = tandem_folded_set_contains (rule->values, company->industry);
              if (hit && explain)
                text = g_strdup_printf (_("industry is %s"), company->industry);
            }
          break;

        case ATTR_EMPLOYEES:
          if (company == NULL || company->employees <= 0)
            break;
          hit = tandem_within_bounds (company->employees, rule->min, rule->max);
          if (hit && explain)
            text = g_strdup_printf (_("%" G_GINT64_FORMAT " employees, within %s"),
                                    company->employees, rule->value);
          break;

        case ATTR_REGION:
          if (company == NULL)
            break;
          if (rule->op == OP_IN_ICP)
            {
              hit = (company->listed & LISTED_REGION) != 0;
              if (hit && explain)
                {
                  const Icp *icp = icp_listing (rules, best_icp, G_STRUCT_OFFSET (Icp, regions),
                                                company->region, company->country);

                  text = g_strdup_printf (_("region %s is in ICP “%s”"),
                                          tandem_folded_set_contains (icp->regions,
                                                                      company->region)
                                            ? company->region : company->country,
                                          icp->name);
                }
            }
          else
            {
              hit = tandem_folded_set_contains (rule->values, company->region) ||
                    tandem_folded_set_contains (rule->values, company->country);
              if (hit && explain)
                text = g_strdup_printf (_("region is %s"),
                                        tandem_folded_set_contains (rule->values, company->region)
                                          ? company->region : company->country);
            }
          break;

        case ATTR_EMAIL_DOMAIN:
          if (domain == NULL)
            break;
          if (rule->op == OP_CONTAINS)
            {
              g_autofree char *folded = g_utf8_casefold (domain, -1);

              hit = *rule->folded_value != '\0' && strstr (folded, rule->folded_value) != NULL;
            }
          else
            hit = tandem_folded_set_contains (rule->values, domain);
          if (hit && explain)
            text = g_strdup_printf (_("email domain is %s"), domain);
          break;

        default:
          break;
        }

      if (hit)
        {
          fit += rule->points;
          add_hit (score, rule, "fit", rule->points, rule->points, 0, text);
        }
    }

  for (guint r = 0; r < rules->exclusions->len; r++)
    {
      const Rule *rule = g_ptr_array_index (rules->exclusions, r);
      const char *what = NULL;

      switch (rule->attribute)
        {
        case ATTR_FREE_MAIL:
          if (domain != NULL &&
              (tandem_folded_set_contains (rule->values, domain) ||
               any_icp_lists (rules, G_STRUCT_OFFSET (Icp, excluded_domains), domain)))
            what = domain;
          break;
        case ATTR_EXCLUDED_INDUSTRY:
          if (company != NULL && company->industry != NULL &&
              (tandem_folded_set_contains (rule->values, company->industry) ||
               (company->listed & LISTED_EXCLUDED_INDUSTRY)))
            what = company->industry;
          break;
        case ATTR_COMPETITOR:
          if (company != NULL && company->name != NULL &&
              (tandem_folded_set_contains (rule->values, company->name) ||
               (company->listed & LISTED_COMPETITOR)))
            what = company->name;
          break;
        default:
          break;
        }

      if (what == NULL)
        continue;

      fit += rule->points;
      if (rule->disqualify)
        {
          if (!score->disqualified)
            extra->disqualify_reason = exclusion_reason (rule->attribute);
          score->disqualified = TRUE;
        }
      if (rule->cap_grade > *cap_grade)
        *cap_grade = rule->cap_grade;
      if (rule->cap_score >= 0 && (*cap_score < 0 || rule->cap_score < *cap_score))
        *cap_score = rule->cap_score;

      add_hit (score, rule, "exclusion", rule->points, rule->points, 0,
               explain ? describe_exclusion (rule, what) : NULL);
    }

  score->fit_score = CLAMP (fit, 0, 100);
}

static void
score_engagement (TandemScoringRules *rules,
                  const ActivityHits *activities,
                  guint               n_activities,
                  gint64              now_ms,
                  TandemScore        *score,
                  ScoreExtra         *extra)
{
  int used[MAX_ACTIVITY_RULES] = { 0 };
  int dropped[MAX_ACTIVITY_RULES] = { 0 };
  gboolean capped[MAX_ACTIVITY_RULES] = { FALSE };
  guint64 fast_track_seen = 0;
  gboolean explain = score->hits != NULL;
  int engagement = 0;

  /* Newest first: when a cap is reached, recent behaviour is what counts. */
  for (guint i = n_activities; i-- > 0;)
    {
      const ActivityHits *activity = &activities[i];
      gint64 age_ms = now_ms - activity->occurred_at;
      guint64 mask = activity->engagement_mask;

      while (mask != 0)
        {
          guint r = (guint) g_bit_nth_lsf (mask, -1);
          const Rule *rule = g_ptr_array_index (rules->engagement, r);
          int points = decayed_points (rule, age_ms);
          int counted = points;

          mask &= ~(G_GUINT64_CONSTANT (1) << r);

          if (points == 0)
            continue;

          if (rule->cap > 0)
            {
              int left = rule->cap - used[r];

              if (left <= 0)
                {
                  capped[r] = TRUE;
                  dropped[r] += points;
                  continue;
                }
              if (ABS (points) > left)
                {
                  capped[r] = TRUE;
                  counted = points > 0 ? left : -left;
                }
              used[r] += ABS (counted);
            }

          engagement += counted;

          if (explain)
            {
              g_autofree char *what = describe_activity_rule (rule);
              g_autofree char *age = describe_age (age_ms);
              char *text;

              if (points != rule->points)
                text = g_strdup_printf (_("%s, %s, decayed from %d"), what, age, rule->points);
              else
                text = g_strdup_printf (_("%s, %s"), what, age);

              add_hit (score, rule, "engagement", counted, rule->points, activity->occurred_at,
                       text);
            }
        }

      mask = activity->fast_track_mask;
      while (mask != 0)
        {
          guint r = (guint) g_bit_nth_lsf (mask, -1);
          const Rule *rule = g_ptr_array_index (rules->fast_track, r);

          mask &= ~(G_GUINT64_CONSTANT (1) << r);
          score->fast_track = TRUE;
          if (activity->occurred_at > extra->fast_track_at || extra->fast_track_kind == NULL)
            {
              extra->fast_track_at = activity->occurred_at;
              extra->fast_track_kind = rule->value;
            }

          if (explain && !(fast_track_seen & (G_GUINT64_CONSTANT (1) << r)))
            {
              g_autofree char *what = describe_activity_rule (rule);

              add_hit (score, rule, "fast_track", 0, 0, activity->occurred_at,
                       g_strdup_printf (_("fast track: %s"), what));
            }
          fast_track_seen |= G_GUINT64_CONSTANT (1) << r;
        }
    }

  for (guint r = 0; explain && r < rules->engagement->len; r++)
    if (capped[r])
      {
        const Rule *rule = g_ptr_array_index (rules->engagement, r);
        g_autofree char *what = *rule->name != '\0' ? g_strdup (rule->name)
                                                    : describe_activity_rule (rule);

        add_hit (score, rule, "cap", 0, dropped[r], 0,
                 g_strdup_printf (_("capped at %d: %s"), rule->cap, what));
      }

  score->engagement_score = MAX (engagement, 0);
}

static void
match_icp_and_persona (TandemScoringRules *rules,
                       const LeadInput    *lead,
                       int                *best_icp,
                       int                *best_persona)
{
  const char *domain = tandem_email_domain (lead->email);
  guint64 mask = lead->company ? lead->company->icp_mask : 0;
  g_autofree char *seniority = NULL;
  g_autoptr(GHashTable) words = NULL;
  int fallback = -1;

  for (guint j = 0; mask != 0 && j < rules->icps->len; j++)
    {
      const Icp *icp = &g_array_index (rules->icps, Icp, j);

      if ((mask & (G_GUINT64_CONSTANT (1) << j)) && tandem_folded_set_contains (icp->excluded_domains, domain))
        mask &= ~(G_GUINT64_CONSTANT (1) << j);
    }

  *best_icp = mask != 0 ? g_bit_nth_lsf (mask, -1) : -1;
  *best_persona = -1;

  if (lead->company == NULL || lead->seniority == NULL || lead->job_title == NULL)
    return;

  seniority = g_utf8_casefold (lead->seniority, -1);
  for (guint j = 0; j < rules->personas->len; j++)
    {
      const Persona *persona = &g_array_index (rules->personas, Persona, j);

      if (persona->icp_index >= 0 && !(mask & (G_GUINT64_CONSTANT (1) << persona->icp_index)))
        continue;
      if (g_strcmp0 (persona->seniority, seniority) != 0)
        continue;
      if (words == NULL)
        {
          words = tandem_folded_set_new ();
          tandem_title_words_add (words, lead->job_title);
        }
      if (!tandem_words_shared (persona->title_words, words))
        continue;

      /* A persona of the ICP the company fits best beats any other. */
      if (persona->icp_index == *best_icp)
        {
          *best_persona = (int) j;
          return;
        }
      if (fallback < 0)
        fallback = (int) j;
    }

  *best_persona = fallback;
}

static TandemScore *
score_compute (TandemScoringRules *rules,
               const LeadInput    *lead,
               const ActivityHits *activities,
               guint               n_activities,
               gint64              now_ms,
               gboolean            explain,
               ScoreExtra         *extra)
{
  static const char grades[] = "ABCD";
  TandemScore *score = g_new0 (TandemScore, 1);
  char cap_grade = 0;
  int cap_score = -1;
  int best_icp, best_persona;
  char grade;

  memset (extra, 0, sizeof *extra);
  if (explain)
    score->hits = g_ptr_array_new_with_free_func ((GDestroyNotify) hit_free);

  match_icp_and_persona (rules, lead, &best_icp, &best_persona);
  score_fit (rules, lead, best_icp, score, extra, &cap_grade, &cap_score);
  score_engagement (rules, activities, n_activities, now_ms, score, extra);

  score->score = score->fit_score + score->engagement_score;
  if (cap_score >= 0)
    score->score = MIN (score->score, cap_score);

  if (score->fit_score >= rules->grade_a)
    grade = 'A';
  else if (score->fit_score >= rules->grade_b)
    grade = 'B';
  else if (score->fit_score >= rules->grade_c)
    grade = 'C';
  else
    grade = 'D';
  grade = MAX (grade, cap_grade);
  score->grade = g_strndup (&grades[grade - 'A'], 1);

  if (best_icp >= 0)
    score->icp_id = g_strdup (g_array_index (rules->icps, Icp, best_icp).id);
  if (best_persona >= 0)
    score->persona_id = g_strdup (g_array_index (rules->personas, Persona, best_persona).id);

  return score;
}

/* Evaluating one lead. */

static gboolean
load_company (TandemScoringRules  *rules,
              TandemStore         *store,
              const char          *company_id,
              Company            **company,
              GError             **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *company = NULL;
  if (company_id == NULL)
    return TRUE;

  stmt = tandem_store_prepare_cached (store,
                                      "SELECT " COMPANY_COLUMNS " FROM companies"
                                      " WHERE id = ? AND deleted = 0", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, company_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *company = company_from_row (rules, stmt);
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return sql_failed (store, error);

  return TRUE;
}

static GArray *
load_activities (TandemScoringRules  *rules,
                 TandemStore         *store,
                 const char          *lead_id,
                 GError             **error)
{
  g_autoptr(GArray) activities = g_array_new (FALSE, FALSE, sizeof (ActivityHits));
  sqlite3_stmt *stmt;
  int rc;

  stmt = tandem_store_prepare_cached (store,
                                      "SELECT kind, url, asset_id, channel, occurred_at"
                                      " FROM activities WHERE lead_id = ? AND deleted = 0"
                                      " ORDER BY occurred_at", error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, lead_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ActivityHits hits;

      activity_hits_fill (rules, NULL, &hits,
                          (const char *) sqlite3_column_text (stmt, 0),
                          (const char *) sqlite3_column_text (stmt, 1),
                          (const char *) sqlite3_column_text (stmt, 2),
                          (const char *) sqlite3_column_text (stmt, 3),
                          sqlite3_column_int64 (stmt, 4));
      g_array_append_val (activities, hits);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      sql_failed (store, error);
      return NULL;
    }

  return g_steal_pointer (&activities);
}

static TandemScore *
evaluate_full (TandemScoringRules  *rules,
               TandemStore         *store,
               TandemLead          *lead,
               gint64               now_ms,
               ScoreExtra          *extra,
               GError             **error)
{
  TandemRecord *record = TANDEM_RECORD (lead);
  g_autoptr(GArray) activities = NULL;
  Company *company = NULL;
  TandemScore *score;
  LeadInput input;

  if (!load_company (rules, store, tandem_record_get_text (record, "company_id"), &company, error))
    return NULL;

  activities = load_activities (rules, store, tandem_record_get_id (record), error);
  if (activities == NULL)
    {
      g_clear_pointer (&company, company_free);
      return NULL;
    }

  input.job_title = tandem_record_get_text (record, "job_title");
  input.seniority = tandem_record_get_text (record, "seniority");
  input.email = tandem_record_get_text (record, "email");
  input.company = company;

  score = score_compute (rules, &input, (ActivityHits *) (gpointer) activities->data,
                         activities->len, now_ms, TRUE, extra);
  g_clear_pointer (&company, company_free);

  return score;
}

TandemScore *
tandem_scoring_evaluate (TandemScoringRules  *rules,
                         TandemStore         *store,
                         TandemLead          *lead,
                         gint64               now_ms,
                         GError             **error)
{
  ScoreExtra extra;

  g_return_val_if_fail (rules != NULL, NULL);
  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (TANDEM_IS_LEAD (lead), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return evaluate_full (rules, store, lead, now_ms, &extra, error);
}

/* Stage decisions, shared by apply, rescore and what-if. */

typedef enum
{
  MOVE_NONE,
  MOVE_DISQUALIFY,
  MOVE_FAST_TRACK,
  MOVE_MQL,
} MoveKind;

static gboolean
stage_may_move (const char *stage)
{
  return stage == NULL || g_str_equal (stage, TANDEM_STAGE_LEAD) ||
         g_str_equal (stage, TANDEM_STAGE_NURTURE);
}

/* What the score asks for, before the entry criteria are looked at. A
 * recycled lead in nurture is fast-tracked again only by a new signal, not
 * by the demo request that sent it to sales the first time. */
static MoveKind
decide_move (TandemScoringRules *rules,
             const char         *stage,
             gint64              stage_entered_at,
             const TandemScore  *score,
             const ScoreExtra   *extra)
{
  if (!stage_may_move (stage))
    return MOVE_NONE;
  if (score->disqualified)
    return MOVE_DISQUALIFY;
  if (score->fast_track &&
      (g_strcmp0 (stage, TANDEM_STAGE_NURTURE) != 0 || extra->fast_track_at >= stage_entered_at))
    return MOVE_FAST_TRACK;
  if (score->score >= rules->mql_threshold)
    return MOVE_MQL;
  return MOVE_NONE;
}

static gboolean
meets_criteria (TandemStore *store,
                TandemLead  *lead,
                const char  *stage)
{
  g_auto(GStrv) missing = tandem_pipeline_missing_fields (store, lead, stage);

  return missing == NULL || missing[0] == NULL;
}

/* The stage the score asks for, before the entry criteria are looked at:
 * NULL when the lead stays. */
static const char *
wanted_stage (MoveKind move,
              gboolean sal_enabled)
{
  switch (move)
    {
    case MOVE_DISQUALIFY:
      return TANDEM_STAGE_DISQUALIFIED;
    case MOVE_FAST_TRACK:
      return sal_enabled ? TANDEM_STAGE_SAL : TANDEM_STAGE_SQL;
    case MOVE_MQL:
      return TANDEM_STAGE_MQL;
    case MOVE_NONE:
    default:
      return NULL;
    }
}

/* The stage the lead ends in: NULL when it stays. A fast-tracked lead that
 * misses the criteria of the stage after MQL stops at MQL. */
static const char *
target_stage (TandemStore *store,
              TandemLead  *lead,
              MoveKind     move,
              gboolean     sal_enabled)
{
  const char *wanted = wanted_stage (move, sal_enabled);

  if (move == MOVE_DISQUALIFY || wanted == NULL)
    return wanted;
  if (!meets_criteria (store, lead, TANDEM_STAGE_MQL))
    return NULL;
  if (move == MOVE_MQL || meets_criteria (store, lead, wanted))
    return wanted;
  return TANDEM_STAGE_MQL;
}

static gboolean
ensure_reason (TandemStore  *store,
               const char   *stage,
               const char   *label,
               GError      **error)
{
  g_autoptr(GPtrArray) reasons = NULL;
  g_autoptr(TandemRecord) record = NULL;

  reasons = tandem_pipeline_list_reasons (store, stage, error);
  if (reasons == NULL)
    return FALSE;

  for (guint i = 0; i < reasons->len; i++)
    if (g_strcmp0 (g_ptr_array_index (reasons, i), label) == 0)
      return TRUE;

  record = tandem_record_new_for_table ("reasons", NULL);
  tandem_record_set_text (record, "kind", stage);
  tandem_record_set_text (record, "label", label);
  tandem_record_set_int (record, "position", reasons->len + 1);
  return tandem_store_save (store, record, error);
}

static const char *
fast_track_reason (const char *kind)
{
  if (g_strcmp0 (kind, "trial_start") == 0)
    return _("Fast track: started a trial");
  return _("Fast track: requested a demo");
}

/* Moves a lead the way the score says; through MQL so that a fast-tracked
 * lead is handed off and routed like any other. */
static gboolean
move_lead (TandemStore       *store,
           TandemLead        *lead,
           const char        *target,
           const ScoreExtra  *extra,
           GError           **error)
{
  if (target == NULL)
    return TRUE;

  if (g_str_equal (target, TANDEM_STAGE_DISQUALIFIED))
    {
      const char *reason = extra->disqualify_reason ? extra->disqualify_reason : _("Excluded");

      return ensure_reason (store, TANDEM_STAGE_DISQUALIFIED, reason, error) &&
             tandem_pipeline_move (store, lead, TANDEM_STAGE_DISQUALIFIED, reason, NULL, error);
    }

  if (extra->fast_track_kind != NULL && !g_str_equal (target, TANDEM_STAGE_MQL))
    {
      const char *reason = fast_track_reason (extra->fast_track_kind);

      return tandem_pipeline_move (store, lead, TANDEM_STAGE_MQL, reason, NULL, error) &&
             tandem_pipeline_move (store, lead, target, reason, NULL, error);
    }

  return tandem_pipeline_move (store, lead, TANDEM_STAGE_MQL,
                               extra->fast_track_kind ? fast_track_reason (extra->fast_track_kind)
                                                      : _("The score passed the MQL threshold"),
                               NULL, error);
}

static void
set_derived (TandemRecord      *record,
             const TandemScore *score)
{
  tandem_record_set_int (record, "fit_score", score->fit_score);
  tandem_record_set_int (record, "engagement_score", score->engagement_score);
  tandem_record_set_int (record, "score", score->score);
  tandem_record_set_text (record, "grade", score->grade);
  tandem_record_set_text (record, "icp_id", score->icp_id);
  tandem_record_set_text (record, "persona_id", score->persona_id);
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

gboolean
tandem_scoring_apply (TandemStore  *store,
                      TandemLead   *lead,
                      GError      **error)
{
  g_autoptr(TandemScoringRules) rules = NULL;
  g_autoptr(TandemScore) score = NULL;
  TandemRecord *record = TANDEM_RECORD (lead);
  ScoreExtra extra;
  MoveKind move;
  const char *target = NULL;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (TANDEM_IS_LEAD (lead), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  rules = tandem_scoring_rules_load (store, error);
  if (rules == NULL)
    return FALSE;

  score = evaluate_full (rules, store, lead, now_ms (), &extra, error);
  if (score == NULL)
    return FALSE;

  set_derived (record, score);
  if (!tandem_store_write_derived (store, record, error))
    return FALSE;

  move = decide_move (rules, tandem_record_get_text (record, "stage"),
                      tandem_record_get_int (record, "stage_entered_at"), score, &extra);
  if (move != MOVE_NONE)
    target = target_stage (store, lead, move, tandem_pipeline_get_sal_enabled (store));

  return move_lead (store, lead, target, &extra, error);
}

gboolean
tandem_scoring_add_activity (TandemStore   *store,
                             TandemLead    *lead,
                             TandemRecord  *activity,
                             GError       **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (TANDEM_IS_LEAD (lead), FALSE);
  g_return_val_if_fail (TANDEM_IS_RECORD (activity), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!tandem_pipeline_add_activity (store, lead, activity, error))
    return FALSE;

  return tandem_scoring_apply (store, lead, error);
}

/* The pass over every lead. */

typedef struct
{
  const char  *id;
  const char  *stage;
  gint64       stage_entered_at;
  /* The derived fields as stored, to write only what changed. */
  gboolean     has_scores;
  int          fit_score;
  int          engagement_score;
  int          score;
  const char  *grade;
  const char  *icp_id;
  const char  *persona_id;
  /* Where the new scores are written: no lookup of the id. */
  gint64       rowid;
} LeadRow;

typedef void (*LeadVisitor) (const LeadRow     *row,
                             const TandemScore *score,
                             const ScoreExtra  *extra,
                             gpointer           user_data);

static int
column_int_or (sqlite3_stmt *stmt,
               int           column,
               int           fallback)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return fallback;
  return sqlite3_column_int (stmt, column);
}

/* An activity's hits with the position of its lead in the scan. */
typedef struct
{
  guint        lead;
  ActivityHits hits;
} LeadHits;

static int
compare_lead_hits (gconstpointer a,
                   gconstpointer b)
{
  const LeadHits *first = a;
  const LeadHits *second = b;

  if (first->lead != second->lead)
    return first->lead < second->lead ? -1 : 1;

  return (first->hits.occurred_at > second->hits.occurred_at) -
         (first->hits.occurred_at < second->hits.occurred_at);
}

/* The hits of every activity that matches a rule, sorted by the position
 * of its lead in @lead_positions (id -> position + 1), then by time. The
 * activities are read in the order they are stored and sorted here:
 * reading them lead by lead through their index visits the table in no
 * order at all, and without the index (a snapshot builds it last) SQLite
 * sorts whole rows. */
static GArray *
collect_hits (TandemStore         *store,
              TandemScoringRules *rules,
              HitsCache          *cache,
              GHashTable         *lead_positions,
              gboolean            subset,
              GError            **error)
{
  g_autoptr(GArray) collected = g_array_new (FALSE, FALSE, sizeof (LeadHits));
  sqlite3_stmt *stmt;
  int rc;

  /* A few leads' activities are found through their index instead. */
#define ACTIVITY_COLUMNS "SELECT lead_id, kind, url, asset_id, channel, occurred_at" \
                         " FROM activities WHERE deleted = 0"
  stmt = tandem_store_prepare_cached (store,
                                      subset
                                      ? ACTIVITY_COLUMNS " AND lead_id IN"
                                        " (SELECT id FROM temp." RESCORE_SUBSET ")"
                                      : ACTIVITY_COLUMNS, error);
#undef ACTIVITY_COLUMNS
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *lead_id = (const char *) sqlite3_column_text (stmt, 0);
      guint position = lead_id ? GPOINTER_TO_UINT (g_hash_table_lookup (lead_positions, lead_id))
                               : 0;
      LeadHits entry;

      /* The activity of a deleted lead counts for nobody. */
      if (position == 0)
        continue;

      activity_hits_fill (rules, cache, &entry.hits,
                          (const char *) sqlite3_column_text (stmt, 1),
                          (const char *) sqlite3_column_text (stmt, 2),
                          (const char *) sqlite3_column_text (stmt, 3),
                          (const char *) sqlite3_column_text (stmt, 4),
                          sqlite3_column_int64 (stmt, 5));
      if (entry.hits.engagement_mask == 0 && entry.hits.fast_track_mask == 0)
        continue;

      entry.lead = position - 1;
      g_array_append_val (collected, entry);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      sql_failed (store, error);
      return NULL;
    }

  g_array_sort (collected, compare_lead_hits);
  return g_steal_pointer (&collected);
}

/* Reads the companies once, the ids of the leads, and the hits of every
 * activity (collect_hits()); then walks the leads in the same order with
 * their hits. With @subset, only the leads listed in the temporary table
 * RESCORE_SUBSET. The leads are read in the order they are stored: any
 * order works while both passes agree, and this one reads the table
 * straight through, where the order of their ids costs a seek per lead. */
static gboolean
scan_leads (TandemStore            *store,
            TandemScoringRules     *rules,
            gint64                  now,
            gboolean                subset,
            LeadVisitor             visitor,
            gpointer                user_data,
            TandemScoringProgress   progress,
            gpointer                progress_data,
            GCancellable           *cancellable,
            GError                **error)
{
  g_autoptr(GHashTable) companies = NULL;
  g_autoptr(GHashTable) lead_positions = NULL;
  g_autoptr(GArray) all_hits = NULL;
  g_autoptr(GArray) activities = NULL;
  g_auto(HitsCache) cache = { NULL };
  GStringChunk *ids;
  sqlite3_stmt *stmt, *leads;
  gint64 n_leads, done = 0, step;
  guint next_hit = 0;
  guint position = 0;
  int rc;

  hits_cache_init (&cache);

  companies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) company_free);
  stmt = tandem_store_prepare_cached (store,
                                      "SELECT " COMPANY_COLUMNS " FROM companies"
                                      " WHERE deleted = 0", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (companies, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                         company_from_row (rules, stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return sql_failed (store, error);

#define LEAD_COLUMNS "SELECT id, job_title, seniority, email, company_id, stage," \
                     " stage_entered_at, fit_score, engagement_score, score, grade, icp_id," \
                     " persona_id, rowid FROM leads WHERE deleted = 0"
  leads = tandem_store_prepare_cached (store,
                                       subset
                                       ? LEAD_COLUMNS " AND id IN (SELECT id FROM temp."
                                         RESCORE_SUBSET ")"
                                       : LEAD_COLUMNS, error);
#undef LEAD_COLUMNS
  if (leads == NULL)
    return FALSE;

  /* The positions the leads will be walked in; the ids live in one chunk
   * rather than one allocation each. */
  ids = g_string_chunk_new (64 * 1024);
  lead_positions = g_hash_table_new (g_str_hash, g_str_equal);
  while ((rc = sqlite3_step (leads)) == SQLITE_ROW)
    g_hash_table_insert (lead_positions,
                         g_string_chunk_insert (ids, (const char *) sqlite3_column_text (leads, 0)),
                         GUINT_TO_POINTER (++position));
  sqlite3_reset (leads);
  if (rc != SQLITE_DONE)
    {
      g_string_chunk_free (ids);
      return sql_failed (store, error);
    }

  n_leads = MAX (position, 1);
  step = MAX (n_leads / PROGRESS_STEPS, 1);

  all_hits = collect_hits (store, rules, &cache, lead_positions, subset, error);
  g_clear_pointer (&lead_positions, g_hash_table_unref);
  g_string_chunk_free (ids);
  if (all_hits == NULL)
    return FALSE;

  activities = g_array_new (FALSE, FALSE, sizeof (ActivityHits));
  position = 0;
  while ((rc = sqlite3_step (leads)) == SQLITE_ROW)
    {
      const char *lead_id = (const char *) sqlite3_column_text (leads, 0);
      const char *company_id = (const char *) sqlite3_column_text (leads, 4);
      g_autoptr(TandemScore) score = NULL;
      ScoreExtra extra;
      LeadInput input;
      LeadRow row;

      g_array_set_size (activities, 0);
      for (; next_hit < all_hits->len; next_hit++)
        {
          const LeadHits *entry = &g_array_index (all_hits, LeadHits, next_hit);

          if (entry->lead != position)
            break;
          g_array_append_val (activities, entry->hits);
        }
      position++;

      input.job_title = (const char *) sqlite3_column_text (leads, 1);
      input.seniority = (const char *) sqlite3_column_text (leads, 2);
      input.email = (const char *) sqlite3_column_text (leads, 3);
      input.company = company_id ? g_hash_table_lookup (companies, company_id) : NULL;

      score = score_compute (rules, &input, (ActivityHits *) (gpointer) activities->data,
                             activities->len, now, FALSE, &extra);

      row.id = lead_id;
      row.stage = (const char *) sqlite3_column_text (leads, 5);
      row.stage_entered_at = sqlite3_column_int64 (leads, 6);
      row.has_scores = sqlite3_column_type (leads, 9) != SQLITE_NULL;
      row.fit_score = column_int_or (leads, 7, -1);
      row.engagement_score = column_int_or (leads, 8, -1);
      row.score = column_int_or (leads, 9, -1);
      row.grade = (const char *) sqlite3_column_text (leads, 10);
      row.icp_id = (const char *) sqlite3_column_text (leads, 11);
      row.persona_id = (const char *) sqlite3_column_text (leads, 12);
      row.rowid = sqlite3_column_int64 (leads, 13);

      visitor (&row, score, &extra, user_data);

      if (++done % step == 0)
        {
          if (g_cancellable_is_cancelled (cancellable))
            break;
          if (progress != NULL)
            progress (MIN ((double) done / n_leads, 1.0), progress_data);
        }
    }

  sqlite3_reset (leads);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (rc != SQLITE_DONE)
    return sql_failed (store, error);

  return TRUE;
}

typedef struct
{
  gint64       rowid;
  gboolean     matches_changed;   /* the ICP or persona */
  int          fit_score;
  int          engagement_score;
  int          score;
  char        *grade;
  char        *icp_id;
  char        *persona_id;
} DerivedUpdate;

typedef struct
{
  char       *id;
  MoveKind    move;
  ScoreExtra  extra;
} PendingMove;

typedef struct
{
  TandemScoringRules *rules;
  gboolean            move_leads;
  GArray             *updates;     /* DerivedUpdate */
  GArray             *moves;       /* PendingMove */
  GStringChunk       *strings;
} RescoreData;

static void
rescore_visit (const LeadRow     *row,
               const TandemScore *score,
               const ScoreExtra  *extra,
               gpointer           user_data)
{
  RescoreData *data = user_data;
  MoveKind move;

  if (!row->has_scores ||
      row->fit_score != score->fit_score ||
      row->engagement_score != score->engagement_score ||
      row->score != score->score ||
      g_strcmp0 (row->grade, score->grade) != 0 ||
      g_strcmp0 (row->icp_id, score->icp_id) != 0 ||
      g_strcmp0 (row->persona_id, score->persona_id) != 0)
    {
      DerivedUpdate update = {
        .rowid = row->rowid,
        .matches_changed = !row->has_scores ||
                           g_strcmp0 (row->icp_id, score->icp_id) != 0 ||
                           g_strcmp0 (row->persona_id, score->persona_id) != 0,
        .fit_score = score->fit_score,
        .engagement_score = score->engagement_score,
        .score = score->score,
        .grade = g_string_chunk_insert_const (data->strings, score->grade),
        .icp_id = score->icp_id ? g_string_chunk_insert_const (data->strings, score->icp_id) : NULL,
        .persona_id = score->persona_id
                        ? g_string_chunk_insert_const (data->strings, score->persona_id) : NULL,
      };

      g_array_append_val (data->updates, update);
    }

  if (!data->move_leads)
    return;

  move = decide_move (data->rules, row->stage, row->stage_entered_at, score, extra);
  if (move != MOVE_NONE)
    {
      PendingMove pending = {
        .id = g_string_chunk_insert_const (data->strings, row->id),
        .move = move,
        .extra = *extra,
      };

      g_array_append_val (data->moves, pending);
    }
}

static gboolean
write_updates (TandemStore  *store,
               GArray       *updates,
               GError      **error)
{
  sqlite3_stmt *with_matches, *scores_only;

  /* SQLite rewrites the index entries of every indexed column an UPDATE
   * assigns, even to the same value: the ICP and persona, which most rule
   * changes leave alone, are assigned only when they changed. */
  with_matches = tandem_store_prepare_cached (store,
                                              "UPDATE leads SET fit_score = ?1,"
                                              " engagement_score = ?2, score = ?3, grade = ?4,"
                                              " icp_id = ?5, persona_id = ?6 WHERE rowid = ?7",
                                              error);
  if (with_matches == NULL)
    return FALSE;
  scores_only = tandem_store_prepare_cached (store,
                                             "UPDATE leads SET fit_score = ?1,"
                                             " engagement_score = ?2, score = ?3, grade = ?4"
                                             " WHERE rowid = ?7", error);
  if (scores_only == NULL)
    return FALSE;

  for (guint i = 0; i < updates->len; i++)
    {
      const DerivedUpdate *update = &g_array_index (updates, DerivedUpdate, i);
      sqlite3_stmt *stmt = update->matches_changed ? with_matches : scores_only;
      int rc;

      sqlite3_bind_int (stmt, 1, update->fit_score);
      sqlite3_bind_int (stmt, 2, update->engagement_score);
      sqlite3_bind_int (stmt, 3, update->score);
      sqlite3_bind_text (stmt, 4, update->grade, -1, SQLITE_STATIC);
      if (update->matches_changed)
        {
          sqlite3_bind_text (stmt, 5, update->icp_id, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 6, update->persona_id, -1, SQLITE_STATIC);
        }
      sqlite3_bind_int64 (stmt, 7, update->rowid);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);

      if (rc != SQLITE_DONE)
        {
          g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_SQL,
                       _("Could not save the new scores: %s"),
                       sqlite3_errmsg (tandem_store_get_db (store)));
          return FALSE;
        }
    }

  sqlite3_clear_bindings (with_matches);
  sqlite3_clear_bindings (scores_only);
  return TRUE;
}

/* Moves the leads of @moves from @first to before @last in one
 * transaction, or in the one already open. A lead the pipeline refuses
 * (criteria, nobody to route it to) is checked before anything is written:
 * it keeps its stage, with a warning, and the others still move. FALSE
 * when a move failed in the database, which rolled the whole transaction
 * back. */
static gboolean
move_batch (TandemStore  *store,
            GArray       *moves,
            guint         first,
            guint         last,
            gboolean      sal_enabled,
            GError      **error)
{
  if (!tandem_store_begin (store, error))
    return FALSE;

  for (guint i = first; i < last; i++)
    {
      const PendingMove *pending = &g_array_index (moves, PendingMove, i);
      g_autoptr(TandemLead) lead = NULL;
      g_autoptr(GError) move_error = NULL;
      const char *target;

      lead = tandem_store_get (store, TANDEM_TYPE_LEAD, pending->id, NULL);
      if (lead == NULL)
        continue;

      /* The pipeline checks the entry criteria before it writes anything,
       * so they are not looked up twice: a lead that misses them stays
       * where target_stage() would have left it. */
      target = wanted_stage (pending->move, sal_enabled);
      if (move_lead (store, lead, target, &pending->extra, &move_error) ||
          g_error_matches (move_error, TANDEM_PIPELINE_ERROR,
                           TANDEM_PIPELINE_ERROR_ENTRY_CRITERIA))
        continue;

      if (sqlite3_get_autocommit (tandem_store_get_db (store)))
        {
          g_propagate_error (error, g_steal_pointer (&move_error));
          return FALSE;
        }
      g_warning ("Lead %s could not move to %s after rescoring: %s",
                 pending->id, target, move_error->message);
    }

  return tandem_store_commit (store, error);
}

static gboolean
rescore (TandemStore            *store,
         gint64                  now,
         gboolean                move_leads,
         gboolean                subset,
         TandemScoringProgress   progress,
         gpointer                progress_data,
         GCancellable           *cancellable,
         GError                **error)
{
  g_autoptr(TandemScoringRules) rules = NULL;
  g_autoptr(GArray) updates = g_array_new (FALSE, FALSE, sizeof (DerivedUpdate));
  g_autoptr(GArray) moves = g_array_new (FALSE, FALSE, sizeof (PendingMove));
  GStringChunk *strings = g_string_chunk_new (64 * 1024);
  RescoreData data = { NULL, move_leads, updates, moves, strings };
  gboolean ok;

  if (!tandem_store_begin (store, error))
    {
      g_string_chunk_free (strings);
      return FALSE;
    }

  /* Rules are read inside the transaction, so the scores written match
   * the rules that were saved when the pass began. */
  rules = tandem_scoring_rules_load (store, error);
  data.rules = rules;
  ok = rules != NULL &&
       scan_leads (store, rules, now, subset, rescore_visit, &data, progress, progress_data,
                   cancellable, error) &&
       !g_cancellable_set_error_if_cancelled (cancellable, error) &&
       write_updates (store, updates, error) &&
       !g_cancellable_set_error_if_cancelled (cancellable, error);

  /* The leads that cross a threshold move through the pipeline, like a
   * person moving them would, in the transaction of the scores: one commit
   * writes them all, with the last round-robin turn. A move that fails in
   * the database, or a failed commit, rolls everything back; the scores
   * are then written alone, and the leads moved one to a transaction, so
   * that one bad move costs only itself. */
  if (ok)
    {
      gboolean sal_enabled = moves->len > 0 && tandem_pipeline_get_sal_enabled (store);
      gboolean moved;

      tandem_routing_begin_turns (store);
      moved = move_batch (store, moves, 0, moves->len, sal_enabled, NULL);
      moved = tandem_routing_end_turns (store, moved, NULL) && moved;

      if (!moved || !tandem_store_commit (store, NULL))
        {
          tandem_store_rollback (store);
          ok = tandem_store_begin (store, error) &&
               write_updates (store, updates, error) &&
               tandem_store_commit (store, error);

          for (guint i = 0; ok && i < moves->len; i++)
            {
              g_autoptr(GError) move_error = NULL;

              if (!move_batch (store, moves, i, i + 1, sal_enabled, &move_error))
                g_warning ("Lead %s could not move after rescoring: %s",
                           g_array_index (moves, PendingMove, i).id, move_error->message);
            }
        }
    }

  if (!ok)
    {
      tandem_store_rollback (store);
      g_string_chunk_free (strings);
      return FALSE;
    }

  /* Too many rows to name one by one: views reload the leads. */
  if (updates->len > 0)
    g_signal_emit_by_name (store, "changed", "leads", NULL, TANDEM_CHANGE_RELOAD);

  g_string_chunk_free (strings);

  if (progress != NULL)
    progress (1.0, progress_data);

  return TRUE;
}

gboolean
tandem_scoring_rescore_all (TandemStore            *store,
                            TandemScoringProgress   progress,
                            gpointer                progress_data,
                            GCancellable           *cancellable,
                            GError                **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  gboolean ok;

  tandem_store_enter_bulk (store);
  ok = rescore (store, now_ms (), TRUE, FALSE, progress, progress_data, cancellable, error);
  tandem_store_leave_bulk (store);

  return ok;
}

gboolean
tandem_scoring_update_all (TandemStore   *store,
                           gint64         now,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return rescore (store, now > 0 ? now : now_ms (), FALSE, FALSE, NULL, NULL, cancellable, error);
}

/* Lists @lead_ids in the temporary table RESCORE_SUBSET, emptied first. */
static gboolean
fill_subset (TandemStore  *store,
             GPtrArray    *lead_ids,
             GError      **error)
{
  sqlite3_stmt *stmt;

  if (sqlite3_exec (tandem_store_get_db (store),
                    "CREATE TEMP TABLE IF NOT EXISTS " RESCORE_SUBSET
                    " (id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;"
                    "DELETE FROM temp." RESCORE_SUBSET, NULL, NULL, NULL) != SQLITE_OK)
    return sql_failed (store, error);

  stmt = tandem_store_prepare_cached (store, "INSERT OR IGNORE INTO temp." RESCORE_SUBSET
                                             " (id) VALUES (?)", error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < lead_ids->len; i++)
    {
      int rc;

      sqlite3_bind_text (stmt, 1, g_ptr_array_index (lead_ids, i), -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return sql_failed (store, error);
    }
  sqlite3_clear_bindings (stmt);

  return TRUE;
}

gboolean
tandem_scoring_rescore_leads (TandemStore   *store,
                              GPtrArray     *lead_ids,
                              GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (lead_ids != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (lead_ids->len == 0)
    return TRUE;

  /* Past half the leads, reading them all in stored order costs less
   * than finding the listed ones; scores do not depend on which pass
   * computed them. */
  if ((gint64) lead_ids->len * 2 >= tandem_store_count (store, "leads"))
    return tandem_scoring_rescore_all (store, NULL, NULL, NULL, error);

  tandem_store_enter_bulk (store);
  ok = fill_subset (store, lead_ids, error) &&
       rescore (store, now_ms (), TRUE, TRUE, NULL, NULL, NULL, error);
  sqlite3_exec (tandem_store_get_db (store), "DELETE FROM temp." RESCORE_SUBSET,
                NULL, NULL, NULL);
  tandem_store_leave_bulk (store);

  return ok;
}

/* The same on a worker thread. */

typedef struct
{
  char                 *db_path;
  TandemScoringProgress progress;
  gpointer              progress_data;
  GMainContext         *context;
} RescoreTask;

typedef struct
{
  TandemScoringProgress progress;
  gpointer              progress_data;
  double                fraction;
} ProgressCall;

static void
rescore_task_free (RescoreTask *task)
{
  g_free (task->db_path);
  g_main_context_unref (task->context);
  g_free (task);
}

static gboolean
progress_invoke (gpointer user_data)
{
  ProgressCall *call = user_data;

  call->progress (call->fraction, call->progress_data);
  return G_SOURCE_REMOVE;
}

static void
progress_marshal (double   fraction,
                  gpointer user_data)
{
  RescoreTask *task = user_data;
  ProgressCall *call;

  if (task->progress == NULL)
    return;

  call = g_new0 (ProgressCall, 1);
  call->progress = task->progress;
  call->progress_data = task->progress_data;
  call->fraction = fraction;
  g_main_context_invoke_full (task->context, G_PRIORITY_DEFAULT, progress_invoke, call, g_free);
}

static void
rescore_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RescoreTask *data = task_data;
  g_autoptr(TandemStore) store = NULL;
  GError *error = NULL;

  store = tandem_store_open (data->db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* The checkpoint of a large rescore (a third of a second after a big
   * rule change) happens as this store closes, after the views have their
   * new scores. */
  tandem_store_defer_checkpoints (store);

  if (tandem_scoring_rescore_all (store, progress_marshal, data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
tandem_scoring_rescore_all_async (const char            *db_path,
                                  TandemScoringProgress  progress,
                                  gpointer               progress_data,
                                  GCancellable          *cancellable,
                                  GAsyncReadyCallback    callback,
                                  gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  RescoreTask *data;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (RescoreTask, 1);
  data->db_path = g_strdup (db_path);
  data->progress = progress;
  data->progress_data = progress_data;
  data->context = g_main_context_ref_thread_default ();

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tandem_scoring_rescore_all_async);
  g_task_set_task_data (task, data, (GDestroyNotify) rescore_task_free);
  g_task_run_in_thread (task, rescore_thread);
}

gboolean
tandem_scoring_rescore_all_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* What-if. */

typedef struct
{
  TandemStore        *store;
  TandemScoringRules *rules;
  gboolean            sal_enabled;
  GHashTable         *current_counts;
  GHashTable         *edited_counts;
  GPtrArray          *changes;
  GError             *error;
} WhatIfData;

static void
count_stage (GHashTable *counts,
             const char *stage)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, stage));

  /* Inserting an existing key frees the key passed in, so it is a copy. */
  g_hash_table_insert (counts, g_strdup (stage), GUINT_TO_POINTER (count + 1));
}

static void
what_if_change_free (TandemWhatIfChange *change)
{
  g_free (change->lead_id);
  g_free (change->lead_name);
  g_free (change->from_stage);
  g_free (change->to_stage);
  g_free (change);
}

static void
what_if_visit (const LeadRow     *row,
               const TandemScore *score,
               const ScoreExtra  *extra,
               gpointer           user_data)
{
  WhatIfData *data = user_data;
  const char *stage = row->stage ? row->stage : TANDEM_STAGE_LEAD;
  const char *target = NULL;
  MoveKind move;

  count_stage (data->current_counts, stage);

  move = decide_move (data->rules, stage, row->stage_entered_at, score, extra);
  if (move != MOVE_NONE && data->error == NULL)
    {
      g_autoptr(TandemLead) lead = tandem_store_get (data->store, TANDEM_TYPE_LEAD, row->id,
                                                     &data->error);

      if (lead != NULL)
        target = target_stage (data->store, lead, move, data->sal_enabled);

      if (target != NULL)
        {
          TandemWhatIfChange *change = g_new0 (TandemWhatIfChange, 1);

          change->lead_id = g_strdup (row->id);
          change->lead_name = tandem_lead_dup_display_name (lead);
          change->from_stage = g_strdup (stage);
          change->to_stage = g_strdup (target);
          change->old_score = MAX (row->score, 0);
          change->new_score = score->score;
          g_ptr_array_add (data->changes, change);
        }
    }

  count_stage (data->edited_counts, target ? target : stage);
}

void
tandem_what_if_free (TandemWhatIf *what_if)
{
  if (what_if == NULL)
    return;

  g_clear_pointer (&what_if->current_counts, g_hash_table_unref);
  g_clear_pointer (&what_if->edited_counts, g_hash_table_unref);
  g_clear_pointer (&what_if->changes, g_ptr_array_unref);
  g_free (what_if);
}

TandemWhatIf *
tandem_scoring_what_if (TandemStore         *store,
                        TandemScoringRules  *rules,
                        GError             **error)
{
  g_autoptr(TandemWhatIf) what_if = NULL;
  WhatIfData data = { 0 };

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (rules != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  what_if = g_new0 (TandemWhatIf, 1);
  what_if->current_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  what_if->edited_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  what_if->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) what_if_change_free);

  data.store = store;
  data.rules = rules;
  data.sal_enabled = tandem_pipeline_get_sal_enabled (store);
  data.current_counts = what_if->current_counts;
  data.edited_counts = what_if->edited_counts;
  data.changes = what_if->changes;

  if (!scan_leads (store, rules, now_ms (), FALSE, what_if_visit, &data, NULL, NULL, NULL,
                   error))
    {
      g_clear_error (&data.error);
      return NULL;
    }
  if (data.error != NULL)
    {
      g_propagate_error (error, data.error);
      return NULL;
    }

  return g_steal_pointer (&what_if);
}

/* Defaults. */

typedef struct
{
  const char *kind;
  const char *name;
  const char *attribute;
  const char *operator;
  const char *value;
  int         points;
  int         cap;
  int         half_life_days;
  const char *action;
} DefaultRule;

static const DefaultRule default_rules[] = {
  { "fit", N_("Operations titles"), "job_title", "contains", "Operations", 20, 0, 0, NULL },
  { "fit", N_("Improvement titles"), "job_title", "contains", "Improvement", 15, 0, 0, NULL },
  { "fit", N_("Transport titles"), "job_title", "contains", "Transport", 15, 0, 0, NULL },
  { "fit", N_("Students"), "job_title", "contains", "Student", -40, 0, 0, NULL },
  { "fit", N_("Decision makers"), "seniority", "is", "executive, director", 15, 0, 0, NULL },
  { "fit", N_("Managers"), "seniority", "is", "manager", 8, 0, 0, NULL },
  { "fit", N_("Target industry"), "industry", "in_icp", NULL, 25, 0, 0, NULL },
  { "fit", N_("Company size"), "employees", "between", "50-5000", 15, 0, 0, NULL },
  { "fit", N_("Target region"), "region", "in_icp", NULL, 10, 0, 0, NULL },
  { "exclusion", N_("Free-mail address"), "free_mail", "in_icp", NULL, -30, 0, 0, "cap:C" },
  { "exclusion", N_("Excluded industry"), "excluded_industry", "in_icp", NULL, -20, 0, 0,
    "cap:D" },
  { "exclusion", N_("Competitor"), "competitor", "in_icp", NULL, 0, 0, 0, "disqualify" },
  { "engagement", N_("Pricing page"), "url", "contains", "/pricing", 30, 60, 30, NULL },
  { "engagement", N_("Careers page"), "url", "contains", "/careers", -10, 20, 60, NULL },
  { "engagement", N_("page visits"), "kind", "is", "page_visit", 2, 10, 30, NULL },
  { "engagement", N_("content read"), "kind", "is", "content", 8, 24, 45, NULL },
  { "engagement", N_("form fills"), "kind", "is", "form_fill", 10, 20, 45, NULL },
  { "engagement", N_("webinars"), "kind", "is", "webinar", 12, 24, 60, NULL },
  { "engagement", N_("email opens"), "kind", "is", "email_open", 1, 5, 30, NULL },
  { "engagement", N_("email clicks"), "kind", "is", "email_click", 3, 12, 30, NULL },
  { "engagement", N_("Unsubscribed"), "kind", "is", "unsubscribe", -20, 0, 0, NULL },
  { "engagement", N_("Demo request"), "kind", "is", "demo_request", 30, 0, 60, NULL },
  { "engagement", N_("Trial start"), "kind", "is", "trial_start", 25, 0, 60, NULL },
  { "fast_track", N_("Demo request"), "kind", "is", "demo_request", 0, 0, 0, NULL },
  { "fast_track", N_("Trial start"), "kind", "is", "trial_start", 0, 0, 0, NULL },
};

/* The same ids on every desktop: two desktops that both install the
 * defaults before their first sync end up with one set of rules. */
static char *
default_rule_id (guint index)
{
  g_autofree char *seed = g_strdup_printf ("tandem-default-scoring-rule-%u", index);
  g_autofree char *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);

  return g_strdup_printf ("%.8s-%.4s-4%.3s-8%.3s-%.12s", hex, hex + 8, hex + 12, hex + 16,
                          hex + 20);
}

gboolean
tandem_scoring_install_defaults (TandemStore  *store,
                                 GError      **error)
{
  static const char *const thresholds[][2] = {
    { "mql_threshold", "100" },
    { "grade_a", "70" },
    { "grade_b", "45" },
    { "grade_c", "25" },
  };
  gboolean has_rules;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Deleted rules count too: a team that removed every rule meant it. */
  stmt = tandem_store_prepare_cached (store, "SELECT EXISTS (SELECT 1 FROM scoring_rules)", error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return sql_failed (store, error);
    }
  has_rules = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);

  if (!tandem_store_begin (store, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (thresholds); i++)
    {
      g_autofree char *value = tandem_store_get_setting (store, thresholds[i][0], NULL);

      if (value == NULL &&
          !tandem_store_set_setting (store, thresholds[i][0], thresholds[i][1], error))
        goto failed;
    }

  for (guint i = 0; !has_rules && i < G_N_ELEMENTS (default_rules); i++)
    {
      const DefaultRule *spec = &default_rules[i];
      g_autofree char *id = default_rule_id (i);
      g_autoptr(TandemRecord) record = tandem_record_new_for_table ("scoring_rules", id);

      tandem_record_set_text (record, "kind", spec->kind);
      tandem_record_set_text (record, "name", _(spec->name));
      tandem_record_set_text (record, "attribute", spec->attribute);
      tandem_record_set_text (record, "operator", spec->operator);
      if (spec->value != NULL)
        tandem_record_set_text (record, "value", spec->value);
      tandem_record_set_int (record, "points", spec->points);
      tandem_record_set_int (record, "cap", spec->cap);
      tandem_record_set_int (record, "half_life_days", spec->half_life_days);
      if (spec->action != NULL)
        tandem_record_set_text (record, "action", spec->action);
      tandem_record_set_bool (record, "enabled", TRUE);
      tandem_record_set_int (record, "position", i);

      if (!tandem_store_save (store, record, error))
        goto failed;
    }

  return tandem_store_commit (store, error);

failed:
  tandem_store_rollback (store);
  return FALSE;
}

GPtrArray *
tandem_scoring_list_rules (TandemStore  *store,
                           GError      **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);

  return tandem_store_list_rows (store, "scoring_rules", error);
}
