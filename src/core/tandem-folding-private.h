/* tandem-folding-private.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tandem-record.h"

G_BEGIN_DECLS

/* Case-insensitive comparisons shared by lead matching and scoring: sets of
 * case-folded words, numeric ranges, job-title words and email domains. */

GHashTable *tandem_folded_set_new        (void);
void        tandem_folded_set_add        (GHashTable   *set,
                                          const char   *item);
/* The items of a list field of @record, case-folded. */
GHashTable *tandem_folded_set_from_list  (TandemRecord *record,
                                          const char   *field);
gboolean    tandem_folded_set_contains   (GHashTable   *set,
                                          const char   *value);
/* An empty set does not restrict; a non-empty one must hold @value. */
gboolean    tandem_folded_set_allows     (GHashTable   *set,
                                          const char   *value);
/* A bound of zero or less is no bound. */
gboolean    tandem_within_bounds         (gint64        value,
                                          gint64        min,
                                          gint64        max);
/* Adds the case-folded words of four letters or more of @title: "Head of
 * Operations" gives "head" and "operations", which "VP Operations" shares. */
void        tandem_title_words_add       (GHashTable   *words,
                                          const char   *title);
gboolean    tandem_words_shared          (GHashTable   *words,
                                          GHashTable   *other);
const char *tandem_email_domain          (const char   *email);

G_END_DECLS
