/* test-routing.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "core-test-utils.h"
#include "tandem-store-private.h"

typedef TandemTestWorkspace Fixture;

static char *
add_member (TandemStore *store,
            const char  *name,
            const char  *team,
            const char  *role,
            gboolean     active)
{
  g_autoptr(TandemRecord) member = tandem_record_new (TANDEM_TYPE_MEMBER);
  g_autoptr(GError) error = NULL;

  tandem_record_set_text (member, "name", name);
  tandem_record_set_text (member, "team", team);
  tandem_record_set_text (member, "role", role);
  tandem_record_set_bool (member, "active", active);
  g_assert_true (tandem_store_save (store, member, &error));
  g_assert_no_error (error);

  return g_strdup (tandem_record_get_id (member));
}

static char *
add_company (TandemStore *store,
             const char  *name,
             const char  *region,
             const char  *industry,
             gint64       employees)
{
  g_autoptr(TandemRecord) company = tandem_record_new (TANDEM_TYPE_COMPANY);
  g_autoptr(GError) error = NULL;

  tandem_record_set_text (company, "name", name);
  tandem_record_set_text (company, "region", region);
  tandem_record_set_text (company, "industry", industry);
  tandem_record_set_int (company, "employees", employees);
  g_assert_true (tandem_store_save (store, company, &error));
  g_assert_no_error (error);

  return g_strdup (tandem_record_get_id (company));
}

static void
add_rule (TandemStore *store,
          const char  *attribute,
          const char  *operator,
          const char  *value,
          const char  *member_id,
          gint64       position,
          gboolean     enabled)
{
  g_autoptr(TandemRecord) rule = tandem_record_new_for_table ("routing_rules", NULL);
  g_autoptr(GError) error = NULL;

  tandem_record_set_text (rule, "attribute", attribute);
  tandem_record_set_text (rule, "operator", operator);
  tandem_record_set_text (rule, "value", value);
  tandem_record_set_text (rule, "member_id", member_id);
  tandem_record_set_int (rule, "position", position);
  tandem_record_set_bool (rule, "enabled", enabled);
  g_assert_true (tandem_store_save (store, rule, &error));
  g_assert_no_error (error);
}

static TandemLead *
add_lead (TandemStore *store,
          const char  *company_id,
          const char  *persona_id)
{
  TandemLead *lead = tandem_lead_new ();
  g_autoptr(GError) error = NULL;

  tandem_record_set_text (TANDEM_RECORD (lead), "first_name", "Anna");
  tandem_record_set_text (TANDEM_RECORD (lead), "last_name", "Schmidt");
  tandem_record_set_text (TANDEM_RECORD (lead), "email", "anna@example.com");
  tandem_record_set_text (TANDEM_RECORD (lead), "company_id", company_id);
  g_assert_true (tandem_store_save (store, TANDEM_RECORD (lead), &error));
  g_assert_no_error (error);

  /* The best-matching persona is derived: scoring writes it. */
  if (persona_id != NULL)
    {
      tandem_record_set_text (TANDEM_RECORD (lead), "persona_id", persona_id);
      g_assert_true (tandem_store_write_derived (store, TANDEM_RECORD (lead), &error));
      g_assert_no_error (error);
    }

  return lead;
}

static char *
pick (TandemStore *store,
      TandemLead  *lead)
{
  g_autoptr(GError) error = NULL;
  char *owner = tandem_routing_pick_owner (store, lead, &error);

  g_assert_no_error (error);
  g_assert_nonnull (owner);
  return owner;
}

static void
test_rules (Fixture       *fixture,
            gconstpointer  data)
{
  TandemStore *store = fixture->store;
  g_autofree char *north = add_member (store, "Sofia North", "sales", "sdr", TRUE);
  g_autofree char *big = add_member (store, "Lukas Big", "sales", "ae", TRUE);
  g_autofree char *industry = add_member (store, "Priya Industry", "sales", "ae", TRUE);
  g_autofree char *persona_owner = add_member (store, "Kwame Persona", "sales", "sdr", TRUE);
  g_autofree char *fallback = add_member (store, "Aaron Fallback", "sales", "sdr", TRUE);
  g_autoptr(TandemRecord) persona = tandem_record_new (TANDEM_TYPE_PERSONA);
  g_autofree char *dach = add_company (store, "Alster GmbH", "DACH", "Logistics", 300);
  g_autofree char *large = add_company (store, "Thames Ltd", "UK & Ireland", "Retail", 2500);
  g_autofree char *consult = add_company (store, "Seine SAS", "France", "Management consulting",
                                          80);
  g_autofree char *other = add_company (store, "Ontario Inc.", "North America", "Retail", 40);
  g_autoptr(GError) error = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *description = NULL;

  tandem_record_set_text (persona, "name", "Operations Olivia");
  g_assert_true (tandem_store_save (store, persona, &error));
  g_assert_no_error (error);

  /* A disabled rule that would match everything comes first and must be
   * ignored; the persona rule comes before the region rule. */
  add_rule (store, "region", "in", "DACH, Nordics, UK & Ireland, France, North America",
            fallback, 0, FALSE);
  add_rule (store, "persona", "is", tandem_record_get_id (persona), persona_owner, 1, TRUE);
  add_rule (store, "region", "in", "dach, Nordics", north, 2, TRUE);
  add_rule (store, "employees", "between", "1000-5000", big, 3, TRUE);
  add_rule (store, "industry", "is", "Management consulting", industry, 4, TRUE);

  {
    g_autoptr(TandemLead) lead = add_lead (store, dach, NULL);

    owner = pick (store, lead);
    g_assert_cmpstr (owner, ==, north);
    description = tandem_routing_describe_rule (store, lead);
    g_assert_nonnull (description);
    g_assert_nonnull (strstr (description, "region"));
    g_clear_pointer (&owner, g_free);
    g_clear_pointer (&description, g_free);
  }

  {
    g_autoptr(TandemLead) lead = add_lead (store, large, NULL);

    owner = pick (store, lead);
    g_assert_cmpstr (owner, ==, big);
    g_clear_pointer (&owner, g_free);
  }

  {
    g_autoptr(TandemLead) lead = add_lead (store, consult, NULL);

    owner = pick (store, lead);
    g_assert_cmpstr (owner, ==, industry);
    g_clear_pointer (&owner, g_free);
  }

  {
    /* The persona rule wins over the region rule after it. */
    g_autoptr(TandemLead) lead = add_lead (store, dach, tandem_record_get_id (persona));

    owner = pick (store, lead);
    g_assert_cmpstr (owner, ==, persona_owner);
    g_clear_pointer (&owner, g_free);
  }

  {
    /* Nothing matches: round-robin from the top of the sales team, and
     * the description says no rule picked the owner. */
    g_autoptr(TandemLead) lead = add_lead (store, other, NULL);

    owner = pick (store, lead);
    g_assert_cmpstr (owner, ==, fallback);
    description = tandem_routing_describe_rule (store, lead);
    g_assert_null (description);
    g_clear_pointer (&owner, g_free);
  }

  {
    /* A lead without a company matches no attribute rule: the next turn,
     * after Aaron, is Kwame's. */
    g_autoptr(TandemLead) lead = add_lead (store, NULL, NULL);

    owner = pick (store, lead);
    g_assert_cmpstr (owner, ==, persona_owner);
    g_clear_pointer (&owner, g_free);
  }
}

static void
test_employee_operators (Fixture       *fixture,
                         gconstpointer  data)
{
  TandemStore *store = fixture->store;
  g_autofree char *small_owner = add_member (store, "Small Owner", "sales", "sdr", TRUE);
  g_autofree char *large_owner = add_member (store, "Large Owner", "sales", "ae", TRUE);
  g_autofree char *small = add_company (store, "Tiny", "DACH", "Retail", 49);
  g_autofree char *large = add_company (store, "Huge", "DACH", "Retail", 5000);
  g_autofree char *unknown = add_company (store, "Unknown size", "DACH", "Retail", 0);
  g_autoptr(TandemLead) small_lead = NULL;
  g_autoptr(TandemLead) large_lead = NULL;
  g_autoptr(TandemLead) unknown_lead = NULL;
  g_autofree char *owner = NULL;

  add_rule (store, "employees", "<=", "49", small_owner, 1, TRUE);
  add_rule (store, "employees", ">=", "1000", large_owner, 2, TRUE);

  small_lead = add_lead (store, small, NULL);
  large_lead = add_lead (store, large, NULL);
  unknown_lead = add_lead (store, unknown, NULL);

  owner = pick (store, small_lead);
  g_assert_cmpstr (owner, ==, small_owner);
  g_clear_pointer (&owner, g_free);

  owner = pick (store, large_lead);
  g_assert_cmpstr (owner, ==, large_owner);
  g_clear_pointer (&owner, g_free);

  /* An unknown size is not "at most 49": it goes round-robin, to the first
   * of the sales team by name. */
  owner = pick (store, unknown_lead);
  g_assert_cmpstr (owner, ==, large_owner);
}

static void
test_inactive_rule_member (Fixture       *fixture,
                           gconstpointer  data)
{
  TandemStore *store = fixture->store;
  g_autofree char *away = add_member (store, "Away Member", "sales", "sdr", FALSE);
  g_autofree char *present = add_member (store, "Present Member", "sales", "sdr", TRUE);
  g_autofree char *company = add_company (store, "Alster GmbH", "DACH", "Logistics", 300);
  g_autoptr(TandemLead) lead = NULL;
  g_autofree char *owner = NULL;

  add_rule (store, "region", "is", "DACH", away, 1, TRUE);
  lead = add_lead (store, company, NULL);

  owner = pick (store, lead);
  g_assert_cmpstr (owner, ==, present);
}

static void
test_round_robin (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *carla = add_member (fixture->store, "Carla", "sales", "ae", TRUE);
  g_autofree char *anna = add_member (fixture->store, "anna", "sales", "sdr", TRUE);
  g_autofree char *bert = add_member (fixture->store, "Bert", "sales", "sdr", TRUE);
  g_autofree char *inactive = add_member (fixture->store, "Beatrix", "sales", "sdr", FALSE);
  g_autofree char *marketer = add_member (fixture->store, "Amélie", "marketing", "mdr", TRUE);
  g_autofree char *founder = add_member (fixture->store, "Aaron", "leadership", "founder", TRUE);
  g_autoptr(TandemLead) lead = add_lead (fixture->store, NULL, NULL);
  g_autoptr(TandemMember) member = NULL;
  g_autoptr(GError) error = NULL;
  const char *expected[] = { anna, bert, carla, anna, bert };
  g_autofree char *last = NULL;
  g_autofree char *lead_id = g_strdup (tandem_record_get_id (TANDEM_RECORD (lead)));

  /* Only active members of the sales team take turns, in name order
   * without regard to case. */
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *owner = pick (fixture->store, lead);

      g_assert_cmpstr (owner, ==, expected[i]);
    }

  last = tandem_store_get_setting (fixture->store, "routing_last_member", NULL);
  g_assert_cmpstr (last, ==, bert);

  /* The turn survives closing and reopening the workspace. */
  g_clear_object (&lead);
  g_clear_object (&fixture->store);
  fixture->store = tandem_test_open_store (fixture->dir);
  lead = tandem_store_get (fixture->store, TANDEM_TYPE_LEAD, lead_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lead);

  {
    g_autofree char *owner = pick (fixture->store, lead);

    g_assert_cmpstr (owner, ==, carla);
  }

  /* When the one whose turn it was leaves, the next after their place in
   * the order gets the lead. */
  member = tandem_store_get (fixture->store, TANDEM_TYPE_MEMBER, carla, &error);
  g_assert_no_error (error);
  tandem_record_set_bool (TANDEM_RECORD (member), "active", FALSE);
  g_assert_true (tandem_store_save (fixture->store, TANDEM_RECORD (member), &error));
  g_assert_no_error (error);

  {
    g_autofree char *owner = pick (fixture->store, lead);

    g_assert_cmpstr (owner, ==, anna);
  }

  {
    /* Choosing alone does not take the turn. */
    gboolean round_robin = FALSE;
    g_autofree char *first = tandem_routing_choose_owner (fixture->store, lead, &round_robin,
                                                         &error);
    g_autofree char *second = tandem_routing_choose_owner (fixture->store, lead, NULL, &error);

    g_assert_no_error (error);
    g_assert_true (round_robin);
    g_assert_cmpstr (first, ==, bert);
    g_assert_cmpstr (second, ==, bert);
  }

  (void) inactive;
  (void) marketer;
  (void) founder;
}

static void
test_no_owner (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *marketer = add_member (fixture->store, "Jonas", "marketing", "marketer", TRUE);
  g_autofree char *away = add_member (fixture->store, "Mei", "sales", "ae", FALSE);
  g_autoptr(TandemLead) lead = add_lead (fixture->store, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *owner = NULL;
  gint64 changes;

  changes = tandem_test_query_int (fixture->path, "SELECT count(*) FROM change_log");

  owner = tandem_routing_pick_owner (fixture->store, lead, &error);
  g_assert_null (owner);
  g_assert_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_NO_OWNER);

  g_assert_cmpint (tandem_test_query_int (fixture->path, "SELECT count(*) FROM change_log"), ==,
                   changes);
  (void) marketer;
  (void) away;
}

static void
test_handoff_uses_routing (Fixture       *fixture,
                           gconstpointer  data)
{
  TandemStore *store = fixture->store;
  g_autofree char *north = add_member (store, "Sofia North", "sales", "sdr", TRUE);
  g_autofree char *west = add_member (store, "Kwame West", "sales", "sdr", TRUE);
  g_autofree char *dach = add_company (store, "Alster GmbH", "DACH", "Logistics", 300);
  g_autoptr(TandemLead) lead = NULL;
  g_autoptr(TandemLead) stored = NULL;
  g_autoptr(GError) error = NULL;

  add_rule (store, "region", "is", "DACH", north, 1, TRUE);
  lead = add_lead (store, dach, NULL);

  g_assert_true (tandem_pipeline_move (store, lead, TANDEM_STAGE_MQL, NULL, NULL, &error));
  g_assert_no_error (error);

  stored = tandem_store_get (store, TANDEM_TYPE_LEAD, tandem_record_get_id (TANDEM_RECORD (lead)),
                             &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tandem_record_get_text (TANDEM_RECORD (stored), "owner_id"), ==, north);
  g_assert_cmpint (tandem_record_get_int (TANDEM_RECORD (stored), "handoff_at"), >, 0);

  /* A rule match is no round-robin turn. */
  g_assert_null (tandem_store_get_setting (store, "routing_last_member", NULL));
  (void) west;
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, tandem_test_workspace_set_up, func, tandem_test_workspace_tear_down)

  ADD ("/core/routing/rules", test_rules);
  ADD ("/core/routing/employee-operators", test_employee_operators);
  ADD ("/core/routing/inactive-rule-member", test_inactive_rule_member);
  ADD ("/core/routing/round-robin", test_round_robin);
  ADD ("/core/routing/no-owner", test_no_owner);
  ADD ("/core/routing/handoff", test_handoff_uses_routing);

#undef ADD

  return g_test_run ();
}
