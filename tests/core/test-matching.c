/* test-matching.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "core-test-utils.h"

static void
save (TandemStore  *store,
      TandemRecord *record)
{
  g_autoptr(GError) error = NULL;

  tandem_store_save (store, record, &error);
  g_assert_no_error (error);
}

static char *
add_company (TandemStore *store,
             const char  *name,
             const char  *industry,
             gint64       employees,
             const char  *region)
{
  g_autoptr(TandemCompany) company = tandem_company_new ();

  g_object_set (company, "name", name, "industry", industry, "employees", employees,
                "region", region, NULL);
  save (store, TANDEM_RECORD (company));
  return g_strdup (tandem_record_get_id (TANDEM_RECORD (company)));
}

static void
add_lead (TandemStore *store,
          const char  *company_id,
          const char  *email,
          const char  *seniority,
          const char  *title)
{
  g_autoptr(TandemLead) lead = tandem_lead_new ();

  g_object_set (lead, "company_id", company_id, "email", email, "seniority", seniority,
                "job_title", title, NULL);
  save (store, TANDEM_RECORD (lead));
}

static void
test_counts (void)
{
  g_autofree char *dir = tandem_test_make_dir ();
  g_autoptr(TandemStore) store = tandem_test_open_store (dir);
  g_autoptr(TandemIcp) icp = tandem_icp_new ();
  g_autoptr(TandemIcp) open_icp = tandem_icp_new ();
  g_autoptr(TandemPersona) persona = tandem_persona_new ();
  g_autoptr(TandemPersona) anywhere = tandem_persona_new ();
  g_autoptr(GHashTable) counts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fit = NULL;
  g_autofree char *retail = NULL;
  g_autofree char *too_big = NULL;
  g_autofree char *rival = NULL;
  g_autofree char *nordic = NULL;

  g_object_set (icp, "name", "Mid-size logistics", "industries", "Logistics\nWarehousing",
                "employees_min", (gint64) 50, "employees_max", (gint64) 500,
                "regions", "DACH\nBenelux", "excluded_domains", "gmail.com",
                "competitors", "RivalCo", NULL);
  save (store, TANDEM_RECORD (icp));
  /* An ICP without conditions matches every lead with a company. */
  g_object_set (open_icp, "name", "Anyone", NULL);
  save (store, TANDEM_RECORD (open_icp));

  fit = add_company (store, "Fit GmbH", "logistics", 120, "DACH");
  retail = add_company (store, "Shop AG", "Retail", 120, "DACH");
  too_big = add_company (store, "Huge BV", "Logistics", 5000, "Benelux");
  rival = add_company (store, "RivalCo", "Logistics", 100, "DACH");
  nordic = add_company (store, "Nord AB", "Warehousing", 80, "Nordics");

  add_lead (store, fit, "ops@fit.example", "director", "Director of Operations");
  add_lead (store, fit, "cfo@fit.example", "director", "Finance Director");
  add_lead (store, fit, "someone@gmail.com", "director", "Operations Director");
  add_lead (store, retail, "ops@shop.example", "director", "Operations Director");
  add_lead (store, too_big, "ops@huge.example", "director", "Operations Director");
  add_lead (store, rival, "ops@rival.example", "director", "Operations Director");
  add_lead (store, nordic, "ops@nord.example", "director", "Operations Director");
  add_lead (store, NULL, "free@agent.example", "director", "Operations Director");

  g_object_set (persona, "name", "Operations Olivia", "job_title", "Head of Operations",
                "seniority", "Director", "icp_id", tandem_record_get_id (TANDEM_RECORD (icp)), NULL);
  save (store, TANDEM_RECORD (persona));
  g_object_set (anywhere, "name", "Any Ops", "job_title", "Operations lead", "seniority", "director", NULL);
  save (store, TANDEM_RECORD (anywhere));

  counts = tandem_match_count_leads (store, &error);
  g_assert_no_error (error);

  /* Only the two company-domain leads at Fit GmbH fit the ICP. */
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, tandem_record_get_id (TANDEM_RECORD (icp)))),
                    ==, 2);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, tandem_record_get_id (TANDEM_RECORD (open_icp)))),
                    ==, 7);
  /* Of those, the operations director. */
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, tandem_record_get_id (TANDEM_RECORD (persona)))),
                    ==, 1);
  /* Without an ICP, every operations director with a company. */
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, tandem_record_get_id (TANDEM_RECORD (anywhere)))),
                    ==, 6);

  g_clear_object (&store);
  tandem_test_remove_dir (dir);
}

static void
on_counted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GHashTable **counts = user_data;
  g_autoptr(GError) error = NULL;

  *counts = tandem_match_count_leads_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_async (void)
{
  g_autofree char *dir = tandem_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "workspace.db", NULL);
  g_autoptr(TandemStore) store = tandem_test_open_store (dir);
  g_autoptr(TandemIcp) icp = tandem_icp_new ();
  g_autoptr(GHashTable) counts = NULL;
  g_autofree char *company = NULL;

  g_object_set (icp, "name", "Anyone", NULL);
  save (store, TANDEM_RECORD (icp));
  company = add_company (store, "Fit GmbH", "Logistics", 120, "DACH");
  add_lead (store, company, "a@fit.example", "manager", "Planner");

  tandem_match_count_leads_async (path, NULL, on_counted, &counts);
  while (counts == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, tandem_record_get_id (TANDEM_RECORD (icp)))),
                    ==, 1);

  g_clear_object (&store);
  tandem_test_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/matching/counts", test_counts);
  g_test_add_func ("/core/matching/async", test_async);

  return g_test_run ();
}
