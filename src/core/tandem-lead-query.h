/* tandem-lead-query.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tandem-record-list.h"
#include "tandem-store.h"

G_BEGIN_DECLS

typedef enum
{
  TANDEM_LEAD_SORT_NAME,
  TANDEM_LEAD_SORT_COMPANY,
  TANDEM_LEAD_SORT_STAGE,          /* funnel order, then the exits */
  TANDEM_LEAD_SORT_GRADE,
  TANDEM_LEAD_SORT_SCORE,
  TANDEM_LEAD_SORT_OWNER,
  TANDEM_LEAD_SORT_SOURCE,
  TANDEM_LEAD_SORT_LAST_ACTIVITY,
  TANDEM_LEAD_SORT_DAYS_IN_STAGE,
} TandemLeadSort;

#define TANDEM_TYPE_LEAD_QUERY (tandem_lead_query_get_type ())

/* Which leads the table shows and in which order: the filters of the leads
 * table (stages, owner, grades, persona, source, stalled, typed search) and
 * its sort column. Running it returns the ids of the live leads that pass
 * every filter, in order. Empty filters select everything. */
G_DECLARE_FINAL_TYPE (TandemLeadQuery, tandem_lead_query, TANDEM, LEAD_QUERY, GObject)

TandemLeadQuery *tandem_lead_query_new             (void);
/* Stage keys; NULL or empty for every stage. */
void             tandem_lead_query_set_stages      (TandemLeadQuery    *self,
                                                    const char * const *stages);
void             tandem_lead_query_set_owner       (TandemLeadQuery    *self,
                                                    const char         *owner_id);
/* Grades "A" to "D"; NULL or empty for every grade. */
void             tandem_lead_query_set_grades      (TandemLeadQuery    *self,
                                                    const char * const *grades);
void             tandem_lead_query_set_persona     (TandemLeadQuery    *self,
                                                    const char         *persona_id);
void             tandem_lead_query_set_source      (TandemLeadQuery    *self,
                                                    const char         *source);
/* Only leads without activity for longer than their stage's stalled_days. */
void             tandem_lead_query_set_stalled_only (TandemLeadQuery   *self,
                                                    gboolean            stalled_only);
/* What a person typed in the search field: every word must start a word of
 * the lead's name, email, job title or company. */
void             tandem_lead_query_set_search      (TandemLeadQuery    *self,
                                                    const char         *text);
void             tandem_lead_query_set_sort        (TandemLeadQuery    *self,
                                                    TandemLeadSort      sort,
                                                    gboolean            descending);
TandemLeadSort   tandem_lead_query_get_sort        (TandemLeadQuery    *self,
                                                    gboolean           *descending);

/* Keeps the order of every live lead for the current sort in memory
 * (about 6 MB for 100,000 leads), following the store's changes, so that
 * a change of filter or search only has to pick rows out of it instead of
 * sorting them again: for a view whose filters change often, like the
 * leads table. A change of sort reads the new order; a run with another
 * store reads the index again. Like the rest of the query, the index is
 * for the thread that made it. */
void             tandem_lead_query_set_keep_order  (TandemLeadQuery    *self,
                                                    gboolean            keep_order);

/* The ids (char *) of the matching live leads, in order. @now_ms is the
 * time stalled leads are measured against (0: now). */
GPtrArray       *tandem_lead_query_run             (TandemLeadQuery    *self,
                                                    TandemStore        *store,
                                                    gint64              now_ms,
                                                    GError            **error);
/* Where the lead @id goes in @ids, an earlier result of this query with
 * the same filters and sort from which @id has been taken out: its
 * position, or G_MAXUINT when the lead no longer passes the filters.
 * Costs a lookup per halving of @ids instead of a whole query. */
gboolean         tandem_lead_query_locate          (TandemLeadQuery    *self,
                                                    TandemStore        *store,
                                                    gint64              now_ms,
                                                    const char         *id,
                                                    GPtrArray          *ids,
                                                    guint              *position,
                                                    GError            **error);
/* A list model of the leads the query selects, in its order (the leads
 * table, a board column). It follows the store: a commit that changed a
 * few leads moves, adds or removes just those rows (see
 * tandem_lead_query_locate()). It keeps a reference to the query; call
 * tandem_record_list_refresh() after changing the query. */
TandemRecordList *tandem_lead_query_create_list    (TandemLeadQuery    *self,
                                                    TandemStore        *store);

/* The sources the live leads came from, sorted, for a filter's choices. */
GPtrArray       *tandem_lead_query_list_sources (TandemStore  *store,
                                                 GError      **error);

/* Fills @names (company id → name, both strings the table frees) with
 * every live company's name, in one pass over the companies: what the
 * leads table shows in its Company column, read at once rather than one
 * query for each row a jump of the table binds. */
gboolean         tandem_lead_query_read_company_names (TandemStore  *store,
                                                       GHashTable   *names,
                                                       GError      **error);

G_END_DECLS
