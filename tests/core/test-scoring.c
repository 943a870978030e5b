/* test-scoring.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "core-test-utils.h"

#define DAY_MS (G_GINT64_CONSTANT (24) * 60 * 60 * 1000)

/* A workspace with the pipeline's stages, one sales member to route to,
 * an ICP and a persona, and no scoring rules: each test adds its own. */
typedef struct
{
  char        *dir;
  char        *path;
  TandemStore *store;
  char        *icp_id;
  char        *persona_id;
  char        *company_id;
  gint64       now;
} Fixture;

static void
save (TandemStore  *store,
      TandemRecord *record)
{
  g_autoptr(GError) error = NULL;

  tandem_store_save (store, record, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(TandemMember) member = tandem_member_new ();
  g_autoptr(TandemIcp) icp = tandem_icp_new ();
  g_autoptr(TandemPersona) persona = tandem_persona_new ();
  g_autoptr(TandemCompany) company = tandem_company_new ();
  g_autoptr(GError) error = NULL;
  const char *industries[] = { "Logistics", "Freight", NULL };
  const char *regions[] = { "DACH", NULL };
  const char *excluded_industries[] = { "Public sector", NULL };
  const char *excluded_domains[] = { "gmail.com", NULL };
  const char *competitors[] = { "Flowstack", NULL };

  f->dir = tandem_test_make_dir ();
  f->path = g_build_filename (f->dir, "workspace.db", NULL);
  f->store = tandem_test_open_store (f->dir);
  f->now = g_get_real_time () / 1000;

  tandem_pipeline_install_defaults (f->store, &error);
  g_assert_no_error (error);

  g_object_set (member, "name", "Sofia Lindqvist", "team", "sales", "role", "sdr",
                "active", TRUE, NULL);
  save (f->store, TANDEM_RECORD (member));

  g_object_set (icp, "name", "Mid-size logistics providers", "rank", (gint64) 1,
                "employees-min", (gint64) 100, "employees-max", (gint64) 2000, NULL);
  tandem_record_set_list (TANDEM_RECORD (icp), "industries", industries);
  tandem_record_set_list (TANDEM_RECORD (icp), "regions", regions);
  tandem_record_set_list (TANDEM_RECORD (icp), "excluded_industries", excluded_industries);
  tandem_record_set_list (TANDEM_RECORD (icp), "excluded_domains", excluded_domains);
  tandem_record_set_list (TANDEM_RECORD (icp), "competitors", competitors);
  save (f->store, TANDEM_RECORD (icp));
  f->icp_id = g_strdup (tandem_record_get_id (TANDEM_RECORD (icp)));

  g_object_set (persona, "name", "Operations Olivia", "job-title", "Head of Operations",
                "seniority", "director", "icp-id", f->icp_id, NULL);
  save (f->store, TANDEM_RECORD (persona));
  f->persona_id = g_strdup (tandem_record_get_id (TANDEM_RECORD (persona)));

  g_object_set (company, "name", "Hafenkontor Logistik", "industry", "Logistics",
                "employees", (gint64) 600, "region", "DACH", "country", "Germany", NULL);
  save (f->store, TANDEM_RECORD (company));
  f->company_id = g_strdup (tandem_record_get_id (TANDEM_RECORD (company)));

  /* Thresholds the tests reason about. */
  tandem_store_set_setting (f->store, "mql_threshold", "60", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  tandem_test_remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->path);
  g_free (f->icp_id);
  g_free (f->persona_id);
  g_free (f->company_id);
}

static TandemRecord *
rule_new (const char *kind,
          const char *name,
          const char *attribute,
          const char *operator,
          const char *value,
          int         points,
          int         cap,
          int         half_life_days,
          const char *action)
{
  TandemRecord *rule = tandem_record_new_for_table ("scoring_rules", NULL);

  tandem_record_set_text (rule, "kind", kind);
  tandem_record_set_text (rule, "name", name);
  tandem_record_set_text (rule, "attribute", attribute);
  tandem_record_set_text (rule, "operator", operator);
  if (value != NULL)
    tandem_record_set_text (rule, "value", value);
  tandem_record_set_int (rule, "points", points);
  tandem_record_set_int (rule, "cap", cap);
  tandem_record_set_int (rule, "half_life_days", half_life_days);
  if (action != NULL)
    tandem_record_set_text (rule, "action", action);
  tandem_record_set_bool (rule, "enabled", TRUE);

  return rule;
}

static void
add_rule (Fixture    *f,
          const char *kind,
          const char *name,
          const char *attribute,
          const char *operator,
          const char *value,
          int         points,
          int         cap,
          int         half_life_days,
          const char *action)
{
  g_autoptr(TandemRecord) rule = rule_new (kind, name, attribute, operator, value, points, cap,
                                           half_life_days, action);

  save (f->store, rule);
}

static TandemLead *
add_lead (Fixture    *f,
          const char *email,
          const char *title,
          const char *seniority,
          const char *company_id)
{
  TandemLead *lead = tandem_lead_new ();

  g_object_set (lead, "first-name", "Olivia", "last-name", "Brandt", "email", email,
                "job-title", title, "seniority", seniority, "company-id", company_id,
                "phone", "+49 40 1234567", NULL);
  save (f->store, TANDEM_RECORD (lead));
  return lead;
}

static void
add_activity (Fixture    *f,
              TandemLead *lead,
              const char *kind,
              const char *url,
              gint64      age_ms)
{
  g_autoptr(TandemRecord) activity = tandem_record_new_for_table ("activities", NULL);

  tandem_record_set_text (activity, "lead_id", tandem_record_get_id (TANDEM_RECORD (lead)));
  tandem_record_set_text (activity, "kind", kind);
  if (url != NULL)
    tandem_record_set_text (activity, "url", url);
  tandem_record_set_int (activity, "occurred_at", f->now - age_ms);
  save (f->store, activity);
}

static TandemScore *
evaluate (Fixture    *f,
          TandemLead *lead)
{
  g_autoptr(TandemScoringRules) rules = NULL;
  g_autoptr(GError) error = NULL;
  TandemScore *score;

  rules = tandem_scoring_rules_load (f->store, &error);
  g_assert_no_error (error);
  score = tandem_scoring_evaluate (rules, f->store, lead, f->now, &error);
  g_assert_no_error (error);
  g_assert_nonnull (score);
  return score;
}

static gboolean
has_hit (TandemScore *score,
         const char  *text)
{
  for (guint i = 0; i < score->hits->len; i++)
    {
      TandemScoreHit *hit = g_ptr_array_index (score->hits, i);

      if (g_str_equal (hit->text, text))
        return TRUE;
    }

  return FALSE;
}

static void
assert_hit (TandemScore *score,
            const char  *text)
{
  if (!has_hit (score, text))
    {
      for (guint i = 0; i < score->hits->len; i++)
        g_test_message ("hit: %s", ((TandemScoreHit *) g_ptr_array_index (score->hits, i))->text);
      g_error ("No hit “%s”", text);
    }
}

static TandemLead *
reload (Fixture    *f,
        TandemLead *lead)
{
  g_autoptr(GError) error = NULL;
  TandemLead *fresh = tandem_store_get (f->store, TANDEM_TYPE_LEAD,
                                       tandem_record_get_id (TANDEM_RECORD (lead)), &error);

  g_assert_no_error (error);
  return fresh;
}

static const char *
stage_of (TandemLead *lead)
{
  return tandem_record_get_text (TANDEM_RECORD (lead), "stage");
}

/* Every fit attribute, each on its own rule. */
static void
test_fit (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(TandemLead) lead = NULL;
  g_autoptr(TandemScore) score = NULL;

  add_rule (f, "fit", "Operations", "job_title", "contains", "operations", 20, 0, 0, NULL);
  add_rule (f, "fit", "Finance", "job_title", "contains", "Finance", 50, 0, 0, NULL);
  add_rule (f, "fit", "Directors", "seniority", "is", "director, executive", 10, 0, 0, NULL);
  add_rule (f, "fit", "ICP industry", "industry", "in_icp", NULL, 15, 0, 0, NULL);
  add_rule (f, "fit", "Logistics", "industry", "is", "Logistics", 5, 0, 0, NULL);
  add_rule (f, "fit", "Size", "employees", "between", "100-1000", 12, 0, 0, NULL);
  add_rule (f, "fit", "Too large", "employees", "between", "5000-0", 40, 0, 0, NULL);
  add_rule (f, "fit", "DACH", "region", "is", "DACH", 3, 0, 0, NULL);
  add_rule (f, "fit", "ICP region", "region", "in_icp", NULL, 7, 0, 0, NULL);
  add_rule (f, "fit", "Customer domain", "email_domain", "is", "hafenkontor.de", 8, 0, 0, NULL);

  lead = add_lead (f, "olivia@hafenkontor.de", "Head of Operations", "director", f->company_id);
  score = evaluate (f, lead);

  g_assert_cmpint (score->fit_score, ==, 20 + 10 + 15 + 5 + 12 + 3 + 7 + 8);
  g_assert_cmpint (score->engagement_score, ==, 0);
  g_assert_cmpint (score->score, ==, score->fit_score);
  g_assert_cmpuint (score->hits->len, ==, 8);
  assert_hit (score, "+20 job title contains “operations”");
  assert_hit (score, "+10 seniority is “director”");
  assert_hit (score, "+15 industry Logistics is in ICP “Mid-size logistics providers”");
  assert_hit (score, "+7 region DACH is in ICP “Mid-size logistics providers”");
  assert_hit (score, "+8 email domain is hafenkontor.de");
  g_assert_false (score->disqualified);
  g_assert_false (score->fast_track);
}

/* Engagement rules on kind, URL, asset and channel; decay; negatives. */
static void
test_engagement (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(TandemLead) lead = NULL;
  g_autoptr(TandemScore) score = NULL;
  g_autoptr(TandemRecord) asset_activity = tandem_record_new_for_table ("activities", NULL);
  g_autoptr(TandemRecord) asset = tandem_record_new_for_table ("assets", NULL);
  TandemScoreHit *pricing = NULL;

  add_rule (f, "engagement", "Pricing", "url", "contains", "/pricing", 30, 0, 30, NULL);
  add_rule (f, "engagement", "Careers", "url", "contains", "/careers", -10, 0, 0, NULL);
  add_rule (f, "engagement", "Webinars", "kind", "is", "webinar", 12, 0, 0, NULL);
  add_rule (f, "engagement", "Case study", "asset", "is", NULL, 9, 0, 0, NULL);
  add_rule (f, "engagement", "Partners", "channel", "is", "partner", 4, 0, 0, NULL);

  tandem_record_set_text (asset, "title", "Case study");
  save (f->store, asset);
  {
    /* The asset rule names the asset by id. */
    sqlite3 *db = NULL;
    g_autofree char *sql = g_strdup_printf ("UPDATE scoring_rules SET value = '%s'"
                                            " WHERE name = 'Case study'",
                                            tandem_record_get_id (asset));

    g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }

  lead = add_lead (f, "olivia@hafenkontor.de", "Dispatcher", "individual", f->company_id);
  add_activity (f, lead, "page_visit", "https://example.com/pricing", 30 * DAY_MS);
  add_activity (f, lead, "page_visit", "https://example.com/careers", 2 * 60 * 60 * 1000);
  add_activity (f, lead, "webinar", NULL, 3 * DAY_MS);
  add_activity (f, lead, "email_open", NULL, DAY_MS);

  tandem_record_set_text (asset_activity, "lead_id", tandem_record_get_id (TANDEM_RECORD (lead)));
  tandem_record_set_text (asset_activity, "kind", "content");
  tandem_record_set_text (asset_activity, "asset_id", tandem_record_get_id (asset));
  tandem_record_set_text (asset_activity, "channel", "partner");
  tandem_record_set_int (asset_activity, "occurred_at", f->now - 2 * DAY_MS - 1000);
  save (f->store, asset_activity);

  score = evaluate (f, lead);

  /* A 30-point hit one half-life old counts 15. */
  for (guint i = 0; i < score->hits->len; i++)
    {
      TandemScoreHit *hit = g_ptr_array_index (score->hits, i);

      if (g_str_has_suffix (hit->text, "decayed from 30"))
        pricing = hit;
    }
  g_assert_nonnull (pricing);
  g_assert_cmpint (pricing->points, ==, 15);
  g_assert_cmpint (pricing->full_points, ==, 30);
  g_assert_cmpstr (pricing->kind, ==, "engagement");
  g_assert_cmpint (pricing->occurred_at, ==, f->now - 30 * DAY_MS);

  assert_hit (score, "+15 visited /pricing, 30 days ago, decayed from 30");
  assert_hit (score, "\xe2\x88\x92" "10 visited /careers, today");
  assert_hit (score, "+12 attended a webinar, 3 days ago");
  assert_hit (score, "+9 Case study, 2 days ago");
  assert_hit (score, "+4 came through partner, 2 days ago");
  g_assert_cmpint (score->engagement_score, ==, 15 - 10 + 12 + 9 + 4);
  g_assert_cmpint (score->score, ==, score->fit_score + score->engagement_score);

  /* A pass over every lead, which remembers the rules each kind, asset
   * and channel satisfies, stores the same score. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(TandemLead) stored = NULL;

    g_assert_true (tandem_scoring_update_all (f->store, f->now, NULL, &error));
    g_assert_no_error (error);
    stored = tandem_store_get (f->store, TANDEM_TYPE_LEAD,
                               tandem_record_get_id (TANDEM_RECORD (lead)), &error);
    g_assert_no_error (error);
    g_assert_cmpint (tandem_record_get_int (TANDEM_RECORD (stored), "engagement_score"), ==,
                     15 - 10 + 12 + 9 + 4);
  }
}

/* A cap limits what one rule may add, and a negative rule what it may take. */
static void
test_caps (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(TandemLead) lead = NULL;
  g_autoptr(TandemScore) score = NULL;

  add_rule (f, "engagement", "email opens", "kind", "is", "email_open", 2, 5, 0, NULL);
  add_rule (f, "engagement", "careers visits", "url", "contains", "/careers", -4, 6, 0, NULL);
  add_rule (f, "engagement", "webinars", "kind", "is", "webinar", 20, 0, 0, NULL);

  lead = add_lead (f, "olivia@hafenkontor.de", "Dispatcher", "individual", f->company_id);
  for (int i = 0; i < 5; i++)
    add_activity (f, lead, "email_open", NULL, i * DAY_MS + 1000);
  for (int i = 0; i < 3; i++)
    add_activity (f, lead, "page_visit", "/careers", i * DAY_MS + 2000);
  add_activity (f, lead, "webinar", NULL, DAY_MS);

  score = evaluate (f, lead);

  /* 2 + 2 + 1 of the opens, −4 − 2 of the careers visits, and the webinar. */
  g_assert_cmpint (score->engagement_score, ==, 5 - 6 + 20);
  assert_hit (score, "capped at 5: email opens");
  assert_hit (score, "capped at 6: careers visits");
  assert_hit (score, "+1 opened an email, 2 days ago");
  assert_hit (score, "\xe2\x88\x92" "2 visited /careers, 1 day ago");
}

static void
test_negative_floor (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(TandemLead) lead = NULL;
  g_autoptr(TandemScore) score = NULL;

  add_rule (f, "engagement", "Unsubscribed", "kind", "is", "unsubscribe", -20, 0, 0, NULL);
  lead = add_lead (f, "olivia@hafenkontor.de", "Dispatcher", "individual", f->company_id);
  add_activity (f, lead, "unsubscribe", NULL, DAY_MS);

  score = evaluate (f, lead);
  assert_hit (score, "\xe2\x88\x92" "20 unsubscribed from emails, 1 day ago");
  g_assert_cmpint (score->engagement_score, ==, 0);
}

static void
test_exclusions (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(TandemCompany) rival = tandem_company_new ();
  g_autoptr(TandemCompany) agency = tandem_company_new ();
  g_autoptr(TandemLead) free_mail = NULL;
  g_autoptr(TandemLead) competitor = NULL;
  g_autoptr(TandemLead) public_sector = NULL;
  g_autoptr(TandemScore) score = NULL;
  g_autoptr(GError) error = NULL;

  add_rule (f, "fit", "ICP industry", "industry", "in_icp", NULL, 40, 0, 0, NULL);
  add_rule (f, "fit", "Directors", "seniority", "is", "director", 40, 0, 0, NULL);
  add_rule (f, "exclusion", "Free mail", "free_mail", "in_icp", NULL, 0, 0, 0, "cap:C");
  add_rule (f, "exclusion", "Competitors", "competitor", "in_icp", NULL, 0, 0, 0, "disqualify");
  add_rule (f, "exclusion", "Public", "excluded_industry", "in_icp", NULL, -10, 0, 0, "cap:30");

  g_object_set (rival, "name", "Flowstack", "industry", "Logistics", "employees", (gint64) 300,
                "region", "DACH", NULL);
  save (f->store, TANDEM_RECORD (rival));
  g_object_set (agency, "name", "Port Authority", "industry", "Public sector",
                "employees", (gint64) 300, "region", "DACH", NULL);
  save (f->store, TANDEM_RECORD (agency));

  free_mail = add_lead (f, "olivia@gmail.com", "Head of Operations", "director", f->company_id);
  score = evaluate (f, free_mail);
  g_assert_cmpint (score->fit_score, ==, 80);
  g_assert_cmpstr (score->grade, ==, "C");
  g_assert_false (score->disqualified);
  /* A free-mail address hides the company from the ICP. */
  g_assert_null (score->icp_id);
  assert_hit (score, "free-mail address (gmail.com): grade capped at C");
  g_clear_pointer (&score, tandem_score_free);

  competitor = add_lead (f, "jan@flowstack.io", "Head of Operations", "director",
                         tandem_record_get_id (TANDEM_RECORD (rival)));
  score = evaluate (f, competitor);
  g_assert_true (score->disqualified);
  g_assert_null (score->icp_id);
  assert_hit (score, "competitor Flowstack: disqualifies");
  g_clear_pointer (&score, tandem_score_free);

  public_sector = add_lead (f, "eva@port.example", "Head of Operations", "director",
                            tandem_record_get_id (TANDEM_RECORD (agency)));
  score = evaluate (f, public_sector);
  g_assert_cmpint (score->fit_score, ==, 30);
  g_assert_cmpint (score->score, ==, 30);
  assert_hit (score, "\xe2\x88\x92" "10 excluded industry Public sector: score capped at 30");
  g_clear_pointer (&score, tandem_score_free);

  /* Applying a disqualifying exclusion moves the lead out, with a reason
   * that joins the team's list. */
  tandem_scoring_apply (f->store, competitor, &error);
  g_assert_no_error (error);
  g_clear_object (&competitor);
  {
    g_autoptr(GPtrArray) reasons = NULL;
    gboolean listed = FALSE;

    reasons = tandem_pipeline_list_reasons (f->store, "disqualified", &error);
    g_assert_no_error (error);
    for (guint i = 0; i < reasons->len; i++)
      listed |= g_str_equal (g_ptr_array_index (reasons, i), "Excluded: competitor");
    g_assert_true (listed);
  }
  g_assert_cmpint (tandem_test_query_int (f->path,
                                          "SELECT count(*) FROM stage_history"
                                          " WHERE to_stage = 'disqualified'"
                                          " AND reason = 'Excluded: competitor'"), ==, 1);
  g_assert_cmpint (tandem_test_query_int (f->path,
                                          "SELECT count(*) FROM leads"
                                          " WHERE stage = 'disqualified'"), ==, 1);
}

static void
test_grades (Fixture       *f,
             gconstpointer  data)
{
  static const struct
  {
    const char *title;
    const char *grade;
  } cases[] = {
    { "Alpha Beta Gamma", "A" },   /* 30 + 25 + 20 = 75 */
    { "Alpha Beta", "B" },         /* 55 */
    { "Alpha", "C" },              /* 30 */
    { "Gamma", "D" },              /* 20 */
  };
  g_autoptr(GError) error = NULL;

  add_rule (f, "fit", "a", "job_title", "contains", "alpha", 30, 0, 0, NULL);
  add_rule (f, "fit", "b", "job_title", "contains", "beta", 25, 0, 0, NULL);
  add_rule (f, "fit", "c", "job_title", "contains", "gamma", 20, 0, 0, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TandemLead) lead = add_lead (f, "x@example.com", cases[i].title, "individual",
                                             NULL);
      g_autoptr(TandemScore) score = evaluate (f, lead);

      g_assert_cmpstr (score->grade, ==, cases[i].grade);
    }

  /* The floors are settings. */
  tandem_store_set_setting (f->store, "grade_a", "50", &error);
  g_assert_no_error (error);
  {
    g_autoptr(TandemLead) lead = add_lead (f, "x@example.com", "Alpha Beta", "individual", NULL);
    g_autoptr(TandemScore) score = evaluate (f, lead);

    g_assert_cmpstr (score->grade, ==, "A");
  }
}

static void
test_icp_and_persona (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(TandemIcp) broad = tandem_icp_new ();
  g_autoptr(TandemPersona) generic = tandem_persona_new ();
  g_autoptr(TandemCompany) small = tandem_company_new ();
  g_autoptr(TandemLead) lead = NULL;
  g_autoptr(TandemLead) small_lead = NULL;
  g_autoptr(TandemLead) analyst = NULL;
  g_autoptr(TandemScore) score = NULL;

  /* A second, lower-ranked ICP that every company fits, and a persona
   * listed first alphabetically that belongs to it. */
  g_object_set (broad, "name", "Anyone", "rank", (gint64) 2, NULL);
  save (f->store, TANDEM_RECORD (broad));
  g_object_set (generic, "name", "A generic ops director", "job-title", "Operations Director",
                "seniority", "director", "icp-id", tandem_record_get_id (TANDEM_RECORD (broad)),
                NULL);
  save (f->store, TANDEM_RECORD (generic));

  g_object_set (small, "name", "Tiny Freight", "industry", "Freight", "employees", (gint64) 12,
                "region", "DACH", NULL);
  save (f->store, TANDEM_RECORD (small));

  lead = add_lead (f, "olivia@hafenkontor.de", "VP Operations", "director", f->company_id);
  score = evaluate (f, lead);
  g_assert_cmpstr (score->icp_id, ==, f->icp_id);
  g_assert_cmpstr (score->persona_id, ==, f->persona_id);
  g_clear_pointer (&score, tandem_score_free);

  small_lead = add_lead (f, "ben@tiny.example", "Head of Operations", "director",
                         tandem_record_get_id (TANDEM_RECORD (small)));
  score = evaluate (f, small_lead);
  g_assert_cmpstr (score->icp_id, ==, tandem_record_get_id (TANDEM_RECORD (broad)));
  g_assert_cmpstr (score->persona_id, ==, tandem_record_get_id (TANDEM_RECORD (generic)));
  g_clear_pointer (&score, tandem_score_free);

  analyst = add_lead (f, "al@hafenkontor.de", "Business Analyst", "individual", f->company_id);
  score = evaluate (f, analyst);
  g_assert_cmpstr (score->icp_id, ==, f->icp_id);
  g_assert_null (score->persona_id);
}

/* Scoring rules that take any complete lead over the threshold. */
static void
add_threshold_rules (Fixture *f)
{
  add_rule (f, "fit", "ICP industry", "industry", "in_icp", NULL, 40, 0, 0, NULL);
  add_rule (f, "engagement", "Webinars", "kind", "is", "webinar", 30, 0, 0, NULL);
  add_rule (f, "engagement", "Demo", "kind", "is", "demo_request", 10, 0, 0, NULL);
  add_rule (f, "fast_track", "Demo request", "kind", "is", "demo_request", 0, 0, 0, NULL);
}

static TandemRecord *
activity_new (Fixture    *f,
              const char *kind)
{
  TandemRecord *activity = tandem_record_new_for_table ("activities", NULL);

  tandem_record_set_text (activity, "kind", kind);
  tandem_record_set_int (activity, "occurred_at", f->now);
  return activity;
}

static void
test_threshold (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(TandemLead) complete = NULL;
  g_autoptr(TandemLead) incomplete = NULL;
  g_autoptr(TandemRecord) webinar = activity_new (f, "webinar");
  g_autoptr(TandemRecord) webinar2 = activity_new (f, "webinar");
  g_autoptr(GError) error = NULL;

  add_threshold_rules (f);

  /* The score is high but the lead has no first name: entry criteria fail. */
  incomplete = add_lead (f, "olivia@hafenkontor.de", "Dispatcher", "individual", f->company_id);
  g_object_set (incomplete, "first-name", NULL, NULL);
  save (f->store, TANDEM_RECORD (incomplete));
  tandem_scoring_add_activity (f->store, incomplete, webinar, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tandem_record_get_int (TANDEM_RECORD (incomplete), "score"), ==, 70);
  {
    g_autoptr(TandemLead) stored = reload (f, incomplete);

    g_assert_cmpstr (stage_of (stored), ==, "lead");
    g_assert_cmpint (tandem_record_get_int (TANDEM_RECORD (stored), "score"), ==, 70);
    g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (stored), "grade"), ==, "C");
  }

  complete = add_lead (f, "jan@hafenkontor.de", "Dispatcher", "individual", f->company_id);
  tandem_scoring_add_activity (f->store, complete, webinar2, &error);
  g_assert_no_error (error);
  {
    g_autoptr(TandemLead) stored = reload (f, complete);

    g_assert_cmpstr (stage_of (stored), ==, "mql");
    g_assert_nonnull (tandem_record_get_text (TANDEM_RECORD (stored), "owner_id"));
    g_assert_cmpint (tandem_record_get_int (TANDEM_RECORD (stored), "handoff_at"), >, 0);
  }
}

static void
fast_track (Fixture    *f,
            gboolean    sal_enabled,
            const char *expected)
{
  g_autoptr(TandemLead) lead = NULL;
  g_autoptr(TandemRecord) demo = activity_new (f, "demo_request");
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;

  add_threshold_rules (f);
  tandem_pipeline_set_sal_enabled (f->store, sal_enabled, &error);
  g_assert_no_error (error);

  lead = add_lead (f, "olivia@hafenkontor.de", "Dispatcher", "individual", f->company_id);
  tandem_scoring_add_activity (f->store, lead, demo, &error);
  g_assert_no_error (error);

  {
    g_autoptr(TandemLead) stored = reload (f, lead);

    /* 40 + 10 is below the threshold: the demo request alone moves it. */
    g_assert_cmpint (tandem_record_get_int (TANDEM_RECORD (stored), "score"), ==, 50);
    g_assert_cmpstr (stage_of (stored), ==, expected);
    g_assert_cmpint (tandem_record_get_int (TANDEM_RECORD (stored), "handoff_at"), >, 0);
  }

  /* Through MQL, so the handoff and routing happened: two moves. */
  sql = g_strdup_printf ("SELECT count(*) FROM stage_history WHERE lead_id = '%s'"
                         " AND to_stage IN ('mql', '%s')",
                         tandem_record_get_id (TANDEM_RECORD (lead)), expected);
  g_assert_cmpint (tandem_test_query_int (f->path, sql), ==, 2);
}

static void
test_fast_track_sal (Fixture       *f,
                     gconstpointer  data)
{
  fast_track (f, TRUE, "sal");
}

static void
test_fast_track_sql (Fixture       *f,
                     gconstpointer  data)
{
  fast_track (f, FALSE, "sql");
}

static void
assert_stored_stage (Fixture    *f,
                     TandemLead *lead,
                     const char *stage)
{
  g_autoptr(TandemLead) stored = reload (f, lead);

  g_assert_cmpstr (stage_of (stored), ==, stage);
}

/* A rescore moves only the leads that meet the entry criteria: a lead
 * without a first name stays a lead, without a warning, and a fast-tracked
 * lead without the phone number a SAL needs stops at MQL. */
static void
test_rescore_criteria (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(TandemLead) complete = NULL;
  g_autoptr(TandemLead) nameless = NULL;
  g_autoptr(TandemLead) demo_no_phone = NULL;
  g_autoptr(TandemLead) demo_nameless = NULL;
  g_autoptr(GError) error = NULL;

  add_threshold_rules (f);
  complete = add_lead (f, "jan@hafenkontor.de", "Dispatcher", "individual", f->company_id);
  nameless = add_lead (f, "olivia@hafenkontor.de", "Dispatcher", "individual", f->company_id);
  g_object_set (nameless, "first-name", NULL, NULL);
  save (f->store, TANDEM_RECORD (nameless));
  demo_no_phone = add_lead (f, "ida@hafenkontor.de", "Dispatcher", "individual", f->company_id);
  g_object_set (demo_no_phone, "phone", NULL, NULL);
  save (f->store, TANDEM_RECORD (demo_no_phone));
  demo_nameless = add_lead (f, "tom@hafenkontor.de", "Dispatcher", "individual", f->company_id);
  g_object_set (demo_nameless, "first-name", NULL, NULL);
  save (f->store, TANDEM_RECORD (demo_nameless));

  add_activity (f, complete, "webinar", NULL, 1000);
  add_activity (f, nameless, "webinar", NULL, 1000);
  add_activity (f, demo_no_phone, "demo_request", NULL, 1000);
  add_activity (f, demo_nameless, "demo_request", NULL, 1000);

  g_assert_true (tandem_scoring_rescore_all (f->store, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  assert_stored_stage (f, complete, "mql");
  assert_stored_stage (f, nameless, "lead");
  assert_stored_stage (f, demo_no_phone, "mql");
  assert_stored_stage (f, demo_nameless, "lead");
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM stage_history"
                                          " WHERE reason = 'Fast track: requested a demo'"
                                          " AND to_stage = 'mql'"), ==, 1);
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM stage_history"
                                          " WHERE to_stage <> 'lead'"), ==, 2);
}

/* Leads with a webinar each, one a week back: 30, 30×0.5, 30×0.25 with a
 * one-week half-life. */
static void
add_many_leads (Fixture *f,
                guint    n)
{
  g_autoptr(GError) error = NULL;

  tandem_store_begin (f->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *email = g_strdup_printf ("lead%u@hafenkontor.de", i);
      g_autoptr(TandemLead) lead = add_lead (f, email, "Dispatcher", "individual", f->company_id);

      add_activity (f, lead, "webinar", NULL, (i % 3) * 7 * DAY_MS + 1000);
    }
  tandem_store_commit (f->store, &error);
  g_assert_no_error (error);
}

static void
test_rescore_all (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(TandemRecord) rule = NULL;
  g_autoptr(GError) error = NULL;

  add_rule (f, "fit", "ICP industry", "industry", "in_icp", NULL, 40, 0, 0, NULL);
  rule = rule_new ("engagement", "Webinars", "kind", "is", "webinar", 30, 0, 7, NULL);
  save (f->store, rule);
  add_many_leads (f, 30);

  tandem_scoring_rescore_all (f->store, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  /* 70 and 55 and 47 (rounded from 47.5): only a third reach 60. */
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM leads"
                                          " WHERE stage = 'mql'"), ==, 10);
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM leads"
                                          " WHERE score IS NULL"), ==, 0);
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM leads"
                                          " WHERE icp_id IS NOT NULL AND grade = 'C'"), ==, 30);

  /* A slower decay takes the second third over the threshold too. */
  tandem_record_set_int (rule, "half_life_days", 14);
  save (f->store, rule);
  tandem_scoring_rescore_all (f->store, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM leads"
                                          " WHERE stage = 'mql'"), ==, 20);

  /* A company that leaves the ICP's industries takes its leads' ICP with
   * it: a rescore writes the match, not only the points. */
  {
    g_autoptr(TandemCompany) company = tandem_store_get (f->store, TANDEM_TYPE_COMPANY,
                                                         f->company_id, &error);

    g_assert_no_error (error);
    g_object_set (company, "industry", "Retail", NULL);
    save (f->store, TANDEM_RECORD (company));
  }
  tandem_scoring_rescore_all (f->store, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM leads"
                                          " WHERE icp_id IS NULL"), ==, 30);
}

static char *
add_sales_member (Fixture    *f,
                  const char *name)
{
  g_autoptr(TandemMember) member = tandem_member_new ();

  g_object_set (member, "name", name, "team", "sales", "role", "ae", "active", TRUE, NULL);
  save (f->store, TANDEM_RECORD (member));
  return g_strdup (tandem_record_get_id (TANDEM_RECORD (member)));
}

static gint64
count_owned (Fixture    *f,
             const char *member_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM leads WHERE stage = 'mql'"
                                          " AND owner_id = '%s'", member_id);

  return tandem_test_query_int (f->path, sql);
}

/* The leads a rescore hands off take their round-robin turns in order
 * (Anna, Ben, then Sofia from the fixture), and the turn is written once:
 * the next handoff goes on from the last one. */
static void
test_rescore_round_robin (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *anna = NULL;
  g_autofree char *ben = NULL;
  g_autoptr(TandemLead) later = NULL;
  g_autoptr(TandemRecord) webinar = activity_new (f, "webinar");
  g_autoptr(GError) error = NULL;

  add_rule (f, "fit", "ICP industry", "industry", "in_icp", NULL, 40, 0, 0, NULL);
  add_rule (f, "engagement", "Webinars", "kind", "is", "webinar", 30, 0, 7, NULL);
  anna = add_sales_member (f, "Anna Berg");
  ben = add_sales_member (f, "ben Olsen");
  add_many_leads (f, 30);

  g_assert_true (tandem_scoring_rescore_all (f->store, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  /* Ten handoffs: Anna has the first, fourth, seventh and tenth. */
  g_assert_cmpint (count_owned (f, anna), ==, 4);
  g_assert_cmpint (count_owned (f, ben), ==, 3);
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM change_log"
                                          " WHERE tbl = 'settings'"
                                          " AND row_id = 'routing_last_member'"), ==, 1);

  later = add_lead (f, "later@hafenkontor.de", "Dispatcher", "individual", f->company_id);
  tandem_scoring_add_activity (f->store, later, webinar, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_owned (f, ben), ==, 4);
}

/* g_test_expect_message() does not see structured logging: the warnings a
 * rescore gives for a lead it could not move are counted here instead, and
 * every other message goes on to GLib's writer, which aborts the test on
 * a warning as usual. */
static guint move_warnings;

static GLogWriterOutput
count_move_warnings (GLogLevelFlags   level,
                     const GLogField *fields,
                     gsize            n_fields,
                     gpointer         user_data)
{
  if (level & G_LOG_LEVEL_WARNING)
    for (gsize i = 0; i < n_fields; i++)
      if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0 &&
          strstr (fields[i].value, "could not move after rescoring: ") != NULL &&
          strstr (fields[i].value, "refused by the test") != NULL)
        {
          move_warnings++;
          return G_LOG_WRITER_HANDLED;
        }

  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* A move that fails in the database rolls back the rescore's transaction:
 * the scores are written again, the moves made one by one, and only the
 * lead that cannot move keeps its stage, with a warning. */
static void
test_rescore_move_fails_alone (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  gint64 history;

  add_rule (f, "fit", "ICP industry", "industry", "in_icp", NULL, 40, 0, 0, NULL);
  add_rule (f, "engagement", "Webinars", "kind", "is", "webinar", 30, 0, 7, NULL);
  add_many_leads (f, 30);
  history = tandem_test_query_int (f->path, "SELECT count(*) FROM stage_history");

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TRIGGER refuse_lead0 BEFORE INSERT ON stage_history"
                                 " WHEN NEW.lead_id = (SELECT id FROM leads"
                                 "                     WHERE email = 'lead0@hafenkontor.de')"
                                 " BEGIN SELECT RAISE (ABORT, 'refused by the test'); END",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  move_warnings = 0;
  g_assert_true (tandem_scoring_rescore_all (f->store, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (move_warnings, ==, 1);

  /* Ten reach the threshold (as in test_rescore_all); nine move, each once. */
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM leads"
                                          " WHERE stage = 'mql'"), ==, 9);
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM leads"
                                          " WHERE email = 'lead0@hafenkontor.de'"
                                          " AND stage = 'lead' AND score >= 60"), ==, 1);
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM stage_history"),
                   ==, history + 9);
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM leads"
                                          " WHERE score IS NULL"), ==, 0);
}

static void
test_rescore_cancelled (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 history;

  add_rule (f, "fit", "ICP industry", "industry", "in_icp", NULL, 40, 0, 0, NULL);
  add_rule (f, "engagement", "Webinars", "kind", "is", "webinar", 30, 0, 0, NULL);
  add_many_leads (f, 20);
  history = tandem_test_query_int (f->path, "SELECT count(*) FROM stage_history");

  g_cancellable_cancel (cancellable);
  g_assert_false (tandem_scoring_rescore_all (f->store, NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM leads"
                                          " WHERE score IS NOT NULL"), ==, 0);
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM stage_history"),
                   ==, history);
}

typedef struct
{
  GMainLoop *loop;
  guint      n_progress;
  double     last;
  gboolean   in_main_thread;
  gboolean   ok;
  GError    *error;
} AsyncState;

static void
on_progress (double   fraction,
             gpointer user_data)
{
  AsyncState *state = user_data;

  g_assert_cmpfloat (fraction, >=, state->last);
  state->last = fraction;
  state->n_progress++;
  state->in_main_thread &= g_main_context_is_owner (g_main_context_default ());
}

static void
on_rescored (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncState *state = user_data;

  state->ok = tandem_scoring_rescore_all_finish (result, &state->error);
  g_main_loop_quit (state->loop);
}

static void
test_rescore_async (Fixture       *f,
                    gconstpointer  data)
{
  AsyncState state = { NULL, 0, 0.0, TRUE, FALSE, NULL };

  add_rule (f, "fit", "ICP industry", "industry", "in_icp", NULL, 40, 0, 0, NULL);
  add_rule (f, "engagement", "Webinars", "kind", "is", "webinar", 30, 0, 7, NULL);
  add_many_leads (f, 300);

  state.loop = g_main_loop_new (NULL, FALSE);
  tandem_scoring_rescore_all_async (f->path, on_progress, &state, NULL, on_rescored, &state);
  g_main_loop_run (state.loop);
  g_main_loop_unref (state.loop);

  g_assert_no_error (state.error);
  g_assert_true (state.ok);
  g_assert_cmpuint (state.n_progress, >=, 10);
  g_assert_cmpfloat (state.last, ==, 1.0);
  g_assert_true (state.in_main_thread);
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM leads"
                                          " WHERE stage = 'mql'"), ==, 100);
}

static void
test_what_if (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) edited = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TandemScoringRules) rules = NULL;
  g_autoptr(TandemWhatIf) what_if = NULL;
  g_autoptr(TandemLead) incomplete = NULL;
  g_autoptr(TandemLead) demo = NULL;
  g_autoptr(GError) error = NULL;
  gint64 log_before, history_before;

  add_rule (f, "fit", "ICP industry", "industry", "in_icp", NULL, 40, 0, 0, NULL);
  add_many_leads (f, 6);
  incomplete = add_lead (f, "x@hafenkontor.de", "Dispatcher", "individual", NULL);
  add_activity (f, incomplete, "webinar", NULL, 1000);
  demo = add_lead (f, "demo@hafenkontor.de", "Dispatcher", "individual", f->company_id);
  add_activity (f, demo, "demo_request", NULL, 1000);
  tandem_scoring_rescore_all (f->store, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM leads"
                                          " WHERE stage = 'lead'"), ==, 8);

  log_before = tandem_test_query_int (f->path, "SELECT count(*) FROM change_log");
  history_before = tandem_test_query_int (f->path, "SELECT count(*) FROM stage_history");

  g_ptr_array_add (edited, rule_new ("fit", "ICP industry", "industry", "in_icp", NULL, 40, 0, 0,
                                     NULL));
  g_ptr_array_add (edited, rule_new ("engagement", "Webinars", "kind", "is", "webinar", 30, 0, 7,
                                     NULL));
  g_ptr_array_add (edited, rule_new ("fast_track", "Demo", "kind", "is", "demo_request", 0, 0, 0,
                                     NULL));
  rules = tandem_scoring_rules_new_edited (f->store, edited, 50, &error);
  g_assert_no_error (error);

  what_if = tandem_scoring_what_if (f->store, rules, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (what_if->current_counts, "lead")),
                    ==, 8);
  /* 70 and 55 pass 50, 47 does not; the incomplete lead stays; the demo
   * request goes to SAL. */
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (what_if->edited_counts, "mql")),
                    ==, 4);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (what_if->edited_counts, "sal")),
                    ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (what_if->edited_counts, "lead")),
                    ==, 3);
  g_assert_cmpuint (what_if->changes->len, ==, 5);
  for (guint i = 0; i < what_if->changes->len; i++)
    {
      TandemWhatIfChange *change = g_ptr_array_index (what_if->changes, i);

      g_assert_cmpstr (change->from_stage, ==, "lead");
      g_assert_cmpstr (change->lead_name, ==, "Olivia Brandt");
      if (g_str_equal (change->lead_id, tandem_record_get_id (TANDEM_RECORD (demo))))
        g_assert_cmpstr (change->to_stage, ==, "sal");
      else
        {
          g_assert_cmpstr (change->to_stage, ==, "mql");
          g_assert_cmpint (change->old_score, ==, 40);
          g_assert_cmpint (change->new_score, >=, 50);
        }
    }

  /* Nothing was written. */
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM change_log"), ==,
                   log_before);
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM stage_history"), ==,
                   history_before);
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM leads"
                                          " WHERE stage = 'lead' AND score = 40"), ==, 7);
}

static void
test_defaults (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 n;

  tandem_scoring_install_defaults (f->store, &error);
  g_assert_no_error (error);
  n = tandem_test_query_int (f->path, "SELECT count(*) FROM scoring_rules");
  g_assert_cmpint (n, >, 10);
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM scoring_rules"
                                          " WHERE kind = 'fast_track'"), ==, 2);

  /* Idempotent. */
  tandem_scoring_install_defaults (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM scoring_rules"), ==, n);
  g_assert_cmpint (tandem_test_query_int (f->path, "SELECT count(*) FROM settings"
                                          " WHERE id IN ('grade_a', 'grade_b', 'grade_c')"),
                   ==, 3);
  /* The saved rules list by kind, then position. */
  {
    g_autoptr(GPtrArray) rules = tandem_scoring_list_rules (f->store, &error);

    g_assert_no_error (error);
    g_assert_cmpint (rules->len, ==, n);
    for (guint i = 1; i < rules->len; i++)
      {
        TandemRecord *before = g_ptr_array_index (rules, i - 1);
        TandemRecord *after = g_ptr_array_index (rules, i);
        int order = g_strcmp0 (tandem_record_get_text (before, "kind"),
                               tandem_record_get_text (after, "kind"));

        g_assert_cmpint (order, <=, 0);
        if (order == 0)
          g_assert_cmpint (tandem_record_get_int (before, "position"), <=,
                           tandem_record_get_int (after, "position"));
      }
  }
}

int
main (int   argc,
      char *argv[])
{
  g_log_set_writer_func (count_move_warnings, NULL, NULL);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/core/scoring/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("fit", test_fit);
  ADD ("engagement", test_engagement);
  ADD ("caps", test_caps);
  ADD ("negative-floor", test_negative_floor);
  ADD ("exclusions", test_exclusions);
  ADD ("grades", test_grades);
  ADD ("icp-and-persona", test_icp_and_persona);
  ADD ("threshold", test_threshold);
  ADD ("fast-track-sal", test_fast_track_sal);
  ADD ("fast-track-sql", test_fast_track_sql);
  ADD ("rescore-all", test_rescore_all);
  ADD ("rescore-criteria", test_rescore_criteria);
  ADD ("rescore-round-robin", test_rescore_round_robin);
  ADD ("rescore-move-fails-alone", test_rescore_move_fails_alone);
  ADD ("rescore-cancelled", test_rescore_cancelled);
  ADD ("rescore-async", test_rescore_async);
  ADD ("what-if", test_what_if);
  ADD ("defaults", test_defaults);

  return g_test_run ();
}
