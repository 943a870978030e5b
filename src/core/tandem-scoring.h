/* tandem-scoring.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tandem-lead.h"
#include "tandem-store.h"

G_BEGIN_DECLS

/* Explainable lead scoring (DESIGN.md §2, §3 Scoring & definitions).
 *
 * Rules are scoring_rules rows:
 *  - kind "fit": attribute job_title (operator "contains"), seniority ("is"),
 *    industry ("in_icp" or "is"), employees ("between" "MIN-MAX"), region
 *    ("is"/"in_icp"), email_domain ("is"), with points;
 *  - kind "exclusion": free-mail domain, excluded industry, competitor
 *    (attribute "free_mail", "excluded_industry", "competitor", checked
 *    against the ICPs' exclusion lists), action "disqualify" or "cap:C";
 *  - kind "engagement": activity kind ("is"), url ("contains"), asset
 *    ("is"), channel ("is"); points (negative allowed), cap (0: none),
 *    half_life_days for decay (0: none);
 *  - kind "fast_track": an activity kind (demo_request, trial_start) that
 *    moves the lead straight to SAL (SQL when SAL is off).
 * Thresholds are settings: "mql_threshold" (total score), and
 * "grade_a", "grade_b", "grade_c" (fit score floors; below C is D).
 *
 * Scores and grade are derived lead fields: every desktop computes them. */

typedef struct _TandemScoringRules TandemScoringRules;

typedef struct
{
  char   *rule_id;
  char   *kind;         /* "fit", "engagement", "exclusion", "fast_track", or
                         * "cap" for the line saying a rule reached its cap */
  int     points;       /* as counted, after decay and caps */
  int     full_points;  /* before decay */
  gint64  occurred_at;  /* engagement hits: the activity's time; else 0 */
  char   *text;         /* "+25 visited /pricing, 2 days ago, decayed from 30" */
} TandemScoreHit;

typedef struct
{
  int        fit_score;
  int        engagement_score;
  int        score;
  char      *grade;          /* "A" … "D" */
  char      *icp_id;         /* best-matching ICP, or NULL */
  char      *persona_id;     /* best-matching persona, or NULL */
  gboolean   disqualified;   /* an exclusion with action "disqualify" hit */
  gboolean   fast_track;     /* a fast-track activity is present */
  GPtrArray *hits;           /* TandemScoreHit, in the order they count */
} TandemScore;

#define TANDEM_TYPE_SCORING_RULES (tandem_scoring_rules_get_type ())

GType               tandem_scoring_rules_get_type      (void) G_GNUC_CONST;
TandemScoringRules *tandem_scoring_rules_ref           (TandemScoringRules  *rules);
void                tandem_scoring_rules_unref         (TandemScoringRules  *rules);
/* The saved rules, thresholds, ICPs and personas of @store. */
TandemScoringRules *tandem_scoring_rules_load          (TandemStore         *store,
                                                        GError             **error);
/* Edited, unsaved rules (scoring_rules TandemRecords) and thresholds, for
 * the what-if preview; ICPs and personas come from @store. */
TandemScoringRules *tandem_scoring_rules_new_edited    (TandemStore         *store,
                                                        GPtrArray           *rule_records,
                                                        int                  mql_threshold,
                                                        GError             **error);

void                tandem_score_free                  (TandemScore         *score);
TandemScore        *tandem_scoring_evaluate            (TandemScoringRules  *rules,
                                                        TandemStore         *store,
                                                        TandemLead          *lead,
                                                        gint64               now_ms,
                                                        GError             **error);

/* Evaluates @lead now, writes its derived score fields, and moves it: to MQL
 * (handoff) when the score reaches the threshold and the MQL entry criteria
 * hold, to SAL/SQL when fast-tracked, to disqualified on a disqualifying
 * exclusion. Only leads in "lead" (or "nurture", for recycling) move. */
gboolean            tandem_scoring_apply               (TandemStore         *store,
                                                        TandemLead          *lead,
                                                        GError             **error);
/* tandem_pipeline_add_activity() followed by tandem_scoring_apply(). */
gboolean            tandem_scoring_add_activity        (TandemStore         *store,
                                                        TandemLead          *lead,
                                                        TandemRecord        *activity,
                                                        GError             **error);

typedef void (*TandemScoringProgress) (double   fraction,
                                       gpointer user_data);

/* Rescores every live lead with the saved rules in one transaction. */
gboolean            tandem_scoring_rescore_all         (TandemStore          *store,
                                                        TandemScoringProgress progress,
                                                        gpointer              progress_data,
                                                        GCancellable         *cancellable,
                                                        GError              **error);

/* Rescores the live leads among @lead_ids (strings) as
 * tandem_scoring_rescore_all() does every lead: after an import, only the
 * leads it wrote need new scores. */
gboolean            tandem_scoring_rescore_leads       (TandemStore          *store,
                                                        GPtrArray            *lead_ids,
                                                        GError              **error);
/* Writes the derived score fields of every live lead as scored at @now_ms
 * (0: now), in one transaction, without moving anyone: for the sample
 * generator, whose history already holds the moves. */
gboolean            tandem_scoring_update_all          (TandemStore          *store,
                                                        gint64                now_ms,
                                                        GCancellable         *cancellable,
                                                        GError              **error);
/* The same on a worker thread with its own connection; @progress is called
 * on the thread-default main context of the caller. */
void                tandem_scoring_rescore_all_async   (const char           *db_path,
                                                        TandemScoringProgress progress,
                                                        gpointer              progress_data,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean            tandem_scoring_rescore_all_finish  (GAsyncResult         *result,
                                                        GError              **error);

/* What-if: how many live leads each stage would hold under @rules, and
 * which leads would change stage, without writing anything. */
typedef struct
{
  GHashTable *current_counts;   /* stage key -> GUINT_TO_POINTER (count) */
  GHashTable *edited_counts;    /* the same under the edited rules */
  GPtrArray  *changes;          /* TandemWhatIfChange */
} TandemWhatIf;

typedef struct
{
  char *lead_id;
  char *lead_name;
  char *from_stage;
  char *to_stage;
  int   old_score;
  int   new_score;
} TandemWhatIfChange;

void                tandem_what_if_free                (TandemWhatIf        *what_if);
TandemWhatIf       *tandem_scoring_what_if             (TandemStore         *store,
                                                        TandemScoringRules  *rules,
                                                        GError             **error);

/* The saved rules (scoring_rules TandemRecords) by kind, then position. */
GPtrArray          *tandem_scoring_list_rules          (TandemStore         *store,
                                                        GError             **error);

/* Default rules and thresholds for a workspace that has none. */
gboolean            tandem_scoring_install_defaults    (TandemStore         *store,
                                                        GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TandemScoringRules, tandem_scoring_rules_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TandemScore, tandem_score_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TandemWhatIf, tandem_what_if_free)
G_END_DECLS
