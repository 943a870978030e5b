/* tandem-matching.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tandem-fit-private.h"
#include "tandem-folding-private.h"
#include "tandem-matching.h"
#include "tandem-store-private.h"

GHashTable *
tandem_match_count_leads (TandemStore  *store,
                          GError      **error)
{
  g_autoptr(GArray) icp_rules = tandem_icp_fit_array_new ();
  g_autoptr(GArray) persona_rules = tandem_persona_fit_array_new ();
  g_autoptr(GHashTable) company_masks = NULL;
  g_autofree guint *icp_counts = NULL;
  g_autofree guint *persona_counts = NULL;
  GHashTable *counts;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);

  if (!tandem_fit_load (store, icp_rules, persona_rules, error))
    return NULL;

  /* Firmographics belong to the company, so each company is matched once. */
  company_masks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  stmt = tandem_store_prepare_cached (store,
                                      "SELECT id, industry, employees, revenue, region, country, name"
                                      " FROM companies WHERE deleted = 0", error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *industry = (const char *) sqlite3_column_text (stmt, 1);
      gint64 employees = sqlite3_column_int64 (stmt, 2);
      gint64 revenue = sqlite3_column_int64 (stmt, 3);
      const char *region = (const char *) sqlite3_column_text (stmt, 4);
      const char *country = (const char *) sqlite3_column_text (stmt, 5);
      const char *name = (const char *) sqlite3_column_text (stmt, 6);
      guint64 mask = 0;

      for (guint j = 0; j < icp_rules->len; j++)
        {
          if (tandem_icp_fit_company (&g_array_index (icp_rules, TandemIcpFit, j), industry, region,
                                      country, employees, revenue, name))
            mask |= G_GUINT64_CONSTANT (1) << j;
        }

      g_hash_table_insert (company_masks, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                           g_memdup2 (&mask, sizeof mask));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (store, error);
      return NULL;
    }

  icp_counts = g_new0 (guint, MAX (icp_rules->len, 1));
  persona_counts = g_new0 (guint, MAX (persona_rules->len, 1));

  stmt = tandem_store_prepare_cached (store,
                                      "SELECT company_id, email, seniority, job_title FROM leads"
                                      " WHERE deleted = 0", error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *company_id = (const char *) sqlite3_column_text (stmt, 0);
      const char *domain = tandem_email_domain ((const char *) sqlite3_column_text (stmt, 1));
      const char *seniority = (const char *) sqlite3_column_text (stmt, 2);
      const char *title = (const char *) sqlite3_column_text (stmt, 3);
      guint64 *company_mask = company_id ? g_hash_table_lookup (company_masks, company_id) : NULL;
      guint64 mask = company_mask ? *company_mask : 0;
      g_autofree char *folded_seniority = seniority ? g_utf8_casefold (seniority, -1) : NULL;
      g_autoptr(GHashTable) title_words = NULL;

      for (guint j = 0; j < icp_rules->len; j++)
        {
          TandemIcpFit *rule = &g_array_index (icp_rules, TandemIcpFit, j);

          if ((mask & (G_GUINT64_CONSTANT (1) << j)) && tandem_folded_set_contains (rule->excluded_domains, domain))
            mask &= ~(G_GUINT64_CONSTANT (1) << j);
          if (mask & (G_GUINT64_CONSTANT (1) << j))
            icp_counts[j]++;
        }

      for (guint j = 0; j < persona_rules->len; j++)
        {
          TandemPersonaFit *rule = &g_array_index (persona_rules, TandemPersonaFit, j);

          if (rule->icp_index >= 0 && !(mask & (G_GUINT64_CONSTANT (1) << rule->icp_index)))
            continue;
          if (rule->icp_index < 0 && company_mask == NULL)
            continue;
          if (g_strcmp0 (rule->seniority, folded_seniority) != 0)
            continue;
          if (title_words == NULL)
            {
              title_words = tandem_folded_set_new ();
              tandem_title_words_add (title_words, title);
            }
          if (tandem_words_shared (rule->title_words, title_words))
            persona_counts[j]++;
        }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (store, error);
      return NULL;
    }

  counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint j = 0; j < icp_rules->len; j++)
    g_hash_table_insert (counts, g_strdup (g_array_index (icp_rules, TandemIcpFit, j).id),
                         GUINT_TO_POINTER (icp_counts[j]));
  for (guint j = 0; j < persona_rules->len; j++)
    g_hash_table_insert (counts, g_strdup (g_array_index (persona_rules, TandemPersonaFit, j).id),
                         GUINT_TO_POINTER (persona_counts[j]));

  return counts;
}

static void
count_leads_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  g_autoptr(TandemStore) store = NULL;
  GError *error = NULL;
  GHashTable *counts;

  store = tandem_store_open (task_data, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  counts = tandem_match_count_leads (store, &error);
  if (counts == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, counts, (GDestroyNotify) g_hash_table_unref);
}

void
tandem_match_count_leads_async (const char          *db_path,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (db_path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tandem_match_count_leads_async);
  g_task_set_task_data (task, g_strdup (db_path), g_free);
  g_task_run_in_thread (task, count_leads_thread);
}

GHashTable *
tandem_match_count_leads_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
