/* tandem-lead-query.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tandem-lead-query.h"
#include "tandem-pipeline.h"
#include "tandem-store-private.h"


struct _TandemLeadQuery
{
  GObject         parent_instance;

  GStrv           stages;
  char           *owner_id;
  GStrv           grades;
  char           *persona_id;
  char           *source;
  char           *search;
  gboolean        stalled_only;
  TandemLeadSort  sort;
  gboolean        descending;
};

G_DEFINE_FINAL_TYPE (TandemLeadQuery, tandem_lead_query, G_TYPE_OBJECT)

/* The ORDER BY keys of each sort column. They are fixed strings: the SQL of
 * a query is only ever assembled from this table and the filter fragments
 * below, and every value a person chose is bound as a parameter. Each key
 * sorts empty values last whichever the direction, and the rowid keeps the
 * order stable between runs. */
static const char *const sort_keys[] = {
  [TANDEM_LEAD_SORT_NAME] = "l.last_name IS NULL, l.last_name COLLATE NOCASE @DIR@,"
                            " l.first_name COLLATE NOCASE @DIR@",
  [TANDEM_LEAD_SORT_COMPANY] = "c.name IS NULL, c.name COLLATE NOCASE @DIR@",
  [TANDEM_LEAD_SORT_STAGE] = "CASE l.stage WHEN '" TANDEM_STAGE_LEAD "' THEN 0"
                             " WHEN '" TANDEM_STAGE_MQL "' THEN 1"
                             " WHEN '" TANDEM_STAGE_SAL "' THEN 2"
                             " WHEN '" TANDEM_STAGE_SQL "' THEN 3"
                             " WHEN '" TANDEM_STAGE_OPPORTUNITY "' THEN 4"
                             " WHEN '" TANDEM_STAGE_CUSTOMER "' THEN 5"
                             " WHEN '" TANDEM_STAGE_NURTURE "' THEN 6"
                             " WHEN '" TANDEM_STAGE_DISQUALIFIED "' THEN 7"
                             " WHEN '" TANDEM_STAGE_LOST "' THEN 8 ELSE 9 END @DIR@",
  [TANDEM_LEAD_SORT_GRADE] = "l.grade IS NULL, l.grade @DIR@",
  [TANDEM_LEAD_SORT_SCORE] = "l.score IS NULL, l.score @DIR@",
  [TANDEM_LEAD_SORT_OWNER] = "m.name IS NULL, m.name COLLATE NOCASE @DIR@",
  [TANDEM_LEAD_SORT_SOURCE] = "l.source IS NULL, l.source COLLATE NOCASE @DIR@",
  [TANDEM_LEAD_SORT_LAST_ACTIVITY] = "l.last_activity_at IS NULL, l.last_activity_at @DIR@",
  /* More days in the stage means an earlier entry, so this key is
   * reversed: the direction is swapped below. */
  [TANDEM_LEAD_SORT_DAYS_IN_STAGE] = "l.stage_entered_at IS NULL, l.stage_entered_at @DIR@",
};

static void
tandem_lead_query_finalize (GObject *object)
{
  TandemLeadQuery *self = TANDEM_LEAD_QUERY (object);

  g_clear_pointer (&self->stages, g_strfreev);
  g_clear_pointer (&self->grades, g_strfreev);
  g_clear_pointer (&self->owner_id, g_free);
  g_clear_pointer (&self->persona_id, g_free);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->search, g_free);

  G_OBJECT_CLASS (tandem_lead_query_parent_class)->finalize (object);
}

static void
tandem_lead_query_class_init (TandemLeadQueryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tandem_lead_query_finalize;
}

static void
tandem_lead_query_init (TandemLeadQuery *self)
{
  self->sort = TANDEM_LEAD_SORT_NAME;
}

TandemLeadQuery *
tandem_lead_query_new (void)
{
  return g_object_new (TANDEM_TYPE_LEAD_QUERY, NULL);
}

static GStrv
dup_non_empty (const char * const *items)
{
  if (items == NULL || items[0] == NULL)
    return NULL;

  return g_strdupv ((char **) items);
}

static void
set_string (char       **field,
            const char  *value)
{
  g_free (*field);
  *field = value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

void
tandem_lead_query_set_stages (TandemLeadQuery    *self,
                              const char * const *stages)
{
  g_return_if_fail (TANDEM_IS_LEAD_QUERY (self));

  g_strfreev (self->stages);
  self->stages = dup_non_empty (stages);
}

void
tandem_lead_query_set_owner (TandemLeadQuery *self,
                             const char      *owner_id)
{
  g_return_if_fail (TANDEM_IS_LEAD_QUERY (self));

  set_string (&self->owner_id, owner_id);
}

void
tandem_lead_query_set_grades (TandemLeadQuery    *self,
                              const char * const *grades)
{
  g_return_if_fail (TANDEM_IS_LEAD_QUERY (self));

  g_strfreev (self->grades);
  self->grades = dup_non_empty (grades);
}

void
tandem_lead_query_set_persona (TandemLeadQuery *self,
                               const char      *persona_id)
{
  g_return_if_fail (TANDEM_IS_LEAD_QUERY (self));

  set_string (&self->persona_id, persona_id);
}

void
tandem_lead_query_set_source (TandemLeadQuery *self,
                              const char      *source)
{
  g_return_if_fail (TANDEM_IS_LEAD_QUERY (self));

  set_string (&self->source, source);
}

void
tandem_lead_query_set_stalled_only (TandemLeadQuery *self,
                                    gboolean         stalled_only)
{
  g_return_if_fail (TANDEM_IS_LEAD_QUERY (self));

  self->stalled_only = !!stalled_only;
}

void
tandem_lead_query_set_search (TandemLeadQuery *self,
                              const char      *text)
{
  g_return_if_fail (TANDEM_IS_LEAD_QUERY (self));

  set_string (&self->search, text);
}

void
tandem_lead_query_set_sort (TandemLeadQuery *self,
                            TandemLeadSort   sort,
                            gboolean         descending)
{
  g_return_if_fail (TANDEM_IS_LEAD_QUERY (self));
  g_return_if_fail ((guint) sort < G_N_ELEMENTS (sort_keys));

  self->sort = sort;
  self->descending = !!descending;
}

TandemLeadSort
tandem_lead_query_get_sort (TandemLeadQuery *self,
                            gboolean        *descending)
{
  g_return_val_if_fail (TANDEM_IS_LEAD_QUERY (self), TANDEM_LEAD_SORT_NAME);

  if (descending != NULL)
    *descending = self->descending;

  return self->sort;
}

/* Appends "column IN (?, ?, ...)" with one placeholder per item. */
static void
append_in_list (GString            *sql,
                const char         *column,
                const char * const *items)
{
  g_string_append_printf (sql, " AND %s IN (", column);
  for (guint i = 0; items[i] != NULL; i++)
    g_string_append (sql, i == 0 ? "?" : ", ?");
  g_string_append (sql, ")");
}

GPtrArray *
tandem_lead_query_run (TandemLeadQuery  *self,
                       TandemStore      *store,
                       gint64            now_ms,
                       GError          **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT l.id FROM leads AS l");
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *fts_query = NULL;
  const char *direction;
  const char *key;
  sqlite3_stmt *stmt;
  int parameter = 1;
  int rc;

  g_return_val_if_fail (TANDEM_IS_LEAD_QUERY (self), NULL);
  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (now_ms <= 0)
    now_ms = g_get_real_time () / 1000;

  fts_query = tandem_store_build_fts_query (self->search);

  /* Joins only for the sort columns that need them, so the common sorts
   * read the leads table alone. */
  if (self->sort == TANDEM_LEAD_SORT_COMPANY)
    g_string_append (sql, " LEFT JOIN companies AS c ON c.id = l.company_id");
  else if (self->sort == TANDEM_LEAD_SORT_OWNER)
    g_string_append (sql, " LEFT JOIN members AS m ON m.id = l.owner_id");

  g_string_append (sql, " WHERE l.deleted = 0");
  if (self->stages != NULL)
    append_in_list (sql, "l.stage", (const char * const *) self->stages);
  if (self->grades != NULL)
    append_in_list (sql, "l.grade", (const char * const *) self->grades);
  if (self->owner_id != NULL)
    g_string_append (sql, " AND l.owner_id = ?");
  if (self->persona_id != NULL)
    g_string_append (sql, " AND l.persona_id = ?");
  if (self->source != NULL)
    g_string_append (sql, " AND l.source = ? COLLATE NOCASE");
  if (self->stalled_only)
    g_string_append (sql, " AND EXISTS (SELECT 1 FROM stage_definitions AS s"
                          " WHERE s.key = l.stage AND s.deleted = 0 AND s.stalled_days > 0"
                          " AND coalesce(l.last_activity_at, l.stage_entered_at, l.created_at, 0)"
                          " < ? - s.stalled_days * " G_STRINGIFY (86400000) ")");
  if (fts_query != NULL)
    g_string_append (sql, " AND l.rowid IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH ?)");

  direction = self->descending ? "DESC" : "ASC";
  if (self->sort == TANDEM_LEAD_SORT_DAYS_IN_STAGE)
    direction = self->descending ? "ASC" : "DESC";

  key = sort_keys[self->sort];
  g_string_append (sql, " ORDER BY ");
  /* The keys hold @DIR@ where the direction goes. */
  {
    g_autoptr(GString) order = g_string_new (key);

    g_string_replace (order, "@DIR@", direction, 0);
    g_string_append_printf (sql, "%s, l.rowid %s", order->str, direction);
  }

  stmt = tandem_store_prepare_cached (store, sql->str, error);
  if (stmt == NULL)
    return NULL;

  for (guint i = 0; self->stages != NULL && self->stages[i] != NULL; i++)
    sqlite3_bind_text (stmt, parameter++, self->stages[i], -1, SQLITE_TRANSIENT);
  for (guint i = 0; self->grades != NULL && self->grades[i] != NULL; i++)
    sqlite3_bind_text (stmt, parameter++, self->grades[i], -1, SQLITE_TRANSIENT);
  if (self->owner_id != NULL)
    sqlite3_bind_text (stmt, parameter++, self->owner_id, -1, SQLITE_TRANSIENT);
  if (self->persona_id != NULL)
    sqlite3_bind_text (stmt, parameter++, self->persona_id, -1, SQLITE_TRANSIENT);
  if (self->source != NULL)
    sqlite3_bind_text (stmt, parameter++, self->source, -1, SQLITE_TRANSIENT);
  if (self->stalled_only)
    sqlite3_bind_int64 (stmt, parameter++, now_ms);
  if (fts_query != NULL)
    sqlite3_bind_text (stmt, parameter++, fts_query, -1, SQLITE_TRANSIENT);

  ids = g_ptr_array_new_with_free_func (g_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strndup ((const char *) sqlite3_column_text (stmt, 0),
                                     sqlite3_column_bytes (stmt, 0)));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (store, error);
      return NULL;
    }

  return g_steal_pointer (&ids);
}

GPtrArray *
tandem_lead_query_list_sources (TandemStore  *store,
                                GError      **error)
{
  g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);

  stmt = tandem_store_prepare_cached (store,
                                      "SELECT DISTINCT source FROM leads WHERE deleted = 0"
                                      " AND source IS NOT NULL ORDER BY source COLLATE NOCASE",
                                      error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (sources, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (store, error);
      return NULL;
    }

  return g_steal_pointer (&sources);
}
