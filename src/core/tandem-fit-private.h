/* tandem-fit-private.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tandem-store.h"

G_BEGIN_DECLS

/* The firmographic fit of companies to ICPs, and the ICPs and personas as
 * lead matching and scoring both read them, so that the two can never
 * disagree about what fitting an ICP means. */

/* A bit per ICP keeps a pass over every lead cheap; no workspace ranks more
 * than a handful, and ICPs past this many are not matched. */
#define TANDEM_MAX_ICPS 64

typedef struct
{
  char       *id;
  char       *name;
  GHashTable *industries;
  GHashTable *regions;
  GHashTable *excluded_industries;
  GHashTable *excluded_domains;
  GHashTable *competitors;
  gint64      employees_min;
  gint64      employees_max;
  gint64      revenue_min;
  gint64      revenue_max;
} TandemIcpFit;

typedef struct
{
  char       *id;
  int         icp_index;     /* -1: any company that fits an ICP */
  char       *seniority;    /* case-folded */
  GHashTable *title_words;
} TandemPersonaFit;

/* Arrays of TandemIcpFit and TandemPersonaFit that free their items. */
GArray   *tandem_icp_fit_array_new     (void);
GArray   *tandem_persona_fit_array_new (void);

/* Appends the ICPs of @store in rank order (at most TANDEM_MAX_ICPS) and its
 * personas, each linked to the index of its ICP. */
gboolean  tandem_fit_load              (TandemStore        *store,
                                        GArray             *icps,
                                        GArray             *personas,
                                        GError            **error);

/* Whether a company's industry, region or country, employee count and
 * revenue fall inside @icp (an empty list or a zero bound does not
 * restrict), and neither its industry nor its name is excluded. */
gboolean  tandem_icp_fit_company       (const TandemIcpFit *icp,
                                        const char         *industry,
                                        const char         *region,
                                        const char         *country,
                                        gint64              employees,
                                        gint64              revenue,
                                        const char         *name);

G_END_DECLS
