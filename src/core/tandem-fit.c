/* tandem-fit.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "tandem-fit-private.h"
#include "tandem-folding-private.h"
#include "tandem-icp.h"
#include "tandem-persona.h"

static void
icp_fit_clear (TandemIcpFit *icp)
{
  g_free (icp->id);
  g_free (icp->name);
  g_hash_table_unref (icp->industries);
  g_hash_table_unref (icp->regions);
  g_hash_table_unref (icp->excluded_industries);
  g_hash_table_unref (icp->excluded_domains);
  g_hash_table_unref (icp->competitors);
}

static void
persona_fit_clear (TandemPersonaFit *persona)
{
  g_free (persona->id);
  g_free (persona->seniority);
  g_hash_table_unref (persona->title_words);
}

GArray *
tandem_icp_fit_array_new (void)
{
  GArray *icps = g_array_new (FALSE, TRUE, sizeof (TandemIcpFit));

  g_array_set_clear_func (icps, (GDestroyNotify) icp_fit_clear);
  return icps;
}

GArray *
tandem_persona_fit_array_new (void)
{
  GArray *personas = g_array_new (FALSE, TRUE, sizeof (TandemPersonaFit));

  g_array_set_clear_func (personas, (GDestroyNotify) persona_fit_clear);
  return personas;
}

gboolean
tandem_fit_load (TandemStore  *store,
                 GArray       *icps,
                 GArray       *personas,
                 GError      **error)
{
  g_autoptr(GPtrArray) icp_records = NULL;
  g_autoptr(GPtrArray) persona_records = NULL;
  guint first_icp = icps->len;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);

  icp_records = tandem_store_list (store, TANDEM_TYPE_ICP, error);
  if (icp_records == NULL)
    return FALSE;
  persona_records = tandem_store_list (store, TANDEM_TYPE_PERSONA, error);
  if (persona_records == NULL)
    return FALSE;

  for (guint i = 0; i < icp_records->len && i < TANDEM_MAX_ICPS; i++)
    {
      TandemRecord *record = g_ptr_array_index (icp_records, i);
      TandemIcpFit icp = {
        .id = g_strdup (tandem_record_get_id (record)),
        .name = g_strdup (tandem_record_get_text (record, "name")),
        .industries = tandem_folded_set_from_list (record, "industries"),
        .regions = tandem_folded_set_from_list (record, "regions"),
        .excluded_industries = tandem_folded_set_from_list (record, "excluded_industries"),
        .excluded_domains = tandem_folded_set_from_list (record, "excluded_domains"),
        .competitors = tandem_folded_set_from_list (record, "competitors"),
        .employees_min = tandem_record_get_int (record, "employees_min"),
        .employees_max = tandem_record_get_int (record, "employees_max"),
        .revenue_min = tandem_record_get_int (record, "revenue_min"),
        .revenue_max = tandem_record_get_int (record, "revenue_max"),
      };

      g_array_append_val (icps, icp);
    }

  for (guint i = 0; i < persona_records->len; i++)
    {
      TandemRecord *record = g_ptr_array_index (persona_records, i);
      const char *icp_id = tandem_record_get_text (record, "icp_id");
      const char *seniority = tandem_record_get_text (record, "seniority");
      TandemPersonaFit persona = {
        .id = g_strdup (tandem_record_get_id (record)),
        .icp_index = -1,
        .seniority = seniority ? g_utf8_casefold (seniority, -1) : NULL,
        .title_words = tandem_folded_set_new (),
      };

      tandem_title_words_add (persona.title_words, tandem_record_get_text (record, "job_title"));
      for (guint j = first_icp; icp_id != NULL && j < icps->len; j++)
        if (g_str_equal (g_array_index (icps, TandemIcpFit, j).id, icp_id))
          persona.icp_index = (int) (j - first_icp);

      g_array_append_val (personas, persona);
    }

  return TRUE;
}

gboolean
tandem_icp_fit_company (const TandemIcpFit *icp,
                        const char         *industry,
                        const char         *region,
                        const char         *country,
                        gint64              employees,
                        gint64              revenue,
                        const char         *name)
{
  g_return_val_if_fail (icp != NULL, FALSE);

  return tandem_folded_set_allows (icp->industries, industry) &&
         (tandem_folded_set_allows (icp->regions, region) ||
          tandem_folded_set_contains (icp->regions, country)) &&
         tandem_within_bounds (employees, icp->employees_min, icp->employees_max) &&
         tandem_within_bounds (revenue, icp->revenue_min, icp->revenue_max) &&
         !tandem_folded_set_contains (icp->excluded_industries, industry) &&
         !tandem_folded_set_contains (icp->competitors, name);
}
