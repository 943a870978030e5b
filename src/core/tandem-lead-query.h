/* tandem-lead-query.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

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

/* The ids (char *) of the matching live leads, in order. @now_ms is the
 * time stalled leads are measured against (0: now). */
GPtrArray       *tandem_lead_query_run             (TandemLeadQuery    *self,
                                                    TandemStore        *store,
                                                    gint64              now_ms,
                                                    GError            **error);

/* The sources the live leads came from, sorted, for a filter's choices. */
GPtrArray       *tandem_lead_query_list_sources (TandemStore  *store,
                                                 GError      **error);

G_END_DECLS
