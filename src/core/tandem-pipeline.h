/* tandem-pipeline.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tandem-lead.h"
#include "tandem-store.h"

G_BEGIN_DECLS

/* The one funnel both teams work in (DESIGN.md §2, §3, §8). Stage keys are
 * fixed; their names, definitions, owning teams, entry criteria and stalled
 * thresholds are rows of stage_definitions that the teams edit. */
#define TANDEM_STAGE_LEAD         "lead"
#define TANDEM_STAGE_MQL          "mql"
#define TANDEM_STAGE_SAL          "sal"
#define TANDEM_STAGE_SQL          "sql"
#define TANDEM_STAGE_OPPORTUNITY  "opportunity"
#define TANDEM_STAGE_CUSTOMER     "customer"
#define TANDEM_STAGE_LOST         "lost"
#define TANDEM_STAGE_NURTURE      "nurture"
#define TANDEM_STAGE_DISQUALIFIED "disqualified"

#define TANDEM_PIPELINE_ERROR (tandem_pipeline_error_quark ())

typedef enum
{
  TANDEM_PIPELINE_ERROR_UNKNOWN_STAGE,    /* no such stage, or SAL while it is off */
  TANDEM_PIPELINE_ERROR_ENTRY_CRITERIA,   /* required fields missing; the message names them */
  TANDEM_PIPELINE_ERROR_REASON_REQUIRED,  /* exits need a reason from the list */
  TANDEM_PIPELINE_ERROR_NOT_WAITING,      /* accept/reject of a lead not in the handoff queue */
  TANDEM_PIPELINE_ERROR_NO_OWNER,         /* no active sales member to route to */
  TANDEM_PIPELINE_ERROR_INVALID,          /* anything else a person could fix, explained */
} TandemPipelineError;

GQuark        tandem_pipeline_error_quark         (void);

/* The nine stage definitions and the default reasons, written once into a
 * workspace that has none (a new empty workspace). Idempotent. */
gboolean      tandem_pipeline_install_defaults    (TandemStore   *store,
                                                   GError       **error);

/* Stage keys in funnel order, then the exits. */
const char * const *tandem_pipeline_stage_keys    (void);
gboolean      tandem_stage_is_exit                (const char    *stage);
gboolean      tandem_stage_needs_reason           (const char    *stage);

/* Setting "sal_enabled" ("true"/"false"); when off, MQL goes straight to SQL. */
gboolean      tandem_pipeline_get_sal_enabled     (TandemStore   *store);
gboolean      tandem_pipeline_set_sal_enabled     (TandemStore   *store,
                                                   gboolean       enabled,
                                                   GError       **error);

/* stage_definitions rows (TandemRecord) in funnel order then exits; with
 * @active_only, SAL is left out while it is switched off. */
GPtrArray    *tandem_pipeline_list_stages         (TandemStore   *store,
                                                   gboolean       active_only,
                                                   GError       **error);
TandemRecord *tandem_pipeline_get_stage           (TandemStore   *store,
                                                   const char    *stage,
                                                   GError       **error);
/* The labels (char *) of the editable reasons for moving into @stage
 * (nurture, disqualified or lost), in their order. */
GPtrArray    *tandem_pipeline_list_reasons        (TandemStore   *store,
                                                   const char    *stage,
                                                   GError       **error);

/* Makes @labels, in their order, the reasons for moving into @stage: labels
 * no longer listed are deleted, new ones added, the rest reordered. Joins
 * the caller's transaction. */
gboolean      tandem_pipeline_set_reasons         (TandemStore        *store,
                                                   const char         *stage,
                                                   const char * const *labels,
                                                   GError            **error);

/* The entry criteria of @stage that @lead does not meet, as field names
 * (e.g. "email", "company_id", "employees"); empty when it may enter. */
char        **tandem_pipeline_missing_fields      (TandemStore   *store,
                                                   TandemLead    *lead,
                                                   const char    *stage);

/* Moves @lead to @stage in one transaction: checks the stage exists and is
 * on, the entry criteria (forward moves only), and the reason (exits), then
 * writes the lead's stage and stage_entered_at and a stage_history row
 * (who, when, from, to, reason, note). Entering MQL hands the lead off
 * (routing picks the owner, handoff_at is stored); entering opportunity
 * opens a deal; entering customer wins the open deal and lost loses it with
 * the reason. Moves back (SQL → nurture) are allowed and kept in history.
 * A lead that skips MQL into a sales stage (fast track) is handed off and
 * accepted by the same move. A new deal has amount 0, expected close in 30
 * days and the probability of setting "deal_probability_opportunity" (20
 * when unset). Refusals (every error but a failing write) are found before
 * anything is written, so they never roll back a caller's transaction. */
gboolean      tandem_pipeline_move                (TandemStore   *store,
                                                   TandemLead    *lead,
                                                   const char    *stage,
                                                   const char    *reason,
                                                   const char    *note,
                                                   GError       **error);

/* The handoff queue: MQLs handed off and not yet accepted or rejected,
 * oldest handoff first (TandemLead). A lead recycled through nurture keeps
 * the accepted_at of its earlier turn; it waits again while that is older
 * than its new handoff_at. */
GPtrArray    *tandem_pipeline_list_handoff_queue  (TandemStore   *store,
                                                   GError       **error);
/* Sales accepts (→ SAL, or SQL when SAL is off; accepted_at stored) or
 * rejects with a reason (→ nurture or disqualified): marketing's answer. */
gboolean      tandem_pipeline_accept              (TandemStore   *store,
                                                   TandemLead    *lead,
                                                   GError       **error);
gboolean      tandem_pipeline_reject              (TandemStore   *store,
                                                   TandemLead    *lead,
                                                   const char    *stage,
                                                   const char    *reason,
                                                   const char    *note,
                                                   GError       **error);

/* Saves a new activity of @lead (kind, occurred_at and the rest set by the
 * caller) and updates the lead's derived last_activity_at and, for a call,
 * email sent or meeting by a sales member after handoff, first_touch_at.
 * Scoring wraps this to rescore the lead: see tandem_scoring_add_activity(). */
gboolean      tandem_pipeline_add_activity        (TandemStore   *store,
                                                   TandemLead    *lead,
                                                   TandemRecord  *activity,
                                                   GError       **error);

/* No activity for longer than the stage's stalled_days (0: never stalls). */
gboolean      tandem_pipeline_is_stalled          (TandemStore   *store,
                                                   TandemLead    *lead,
                                                   gint64         now_ms);
/* The same rule for a stage whose stalled_days is known already, as for a
 * view that binds many leads of few stages. */
gboolean      tandem_pipeline_is_stalled_after    (TandemLead    *lead,
                                                   gint64         stalled_days,
                                                   gint64         now_ms);

/* The lead's deal (the newest not deleted), or NULL. */
TandemRecord *tandem_pipeline_get_deal            (TandemStore   *store,
                                                   TandemLead    *lead,
                                                   GError       **error);
/* The summed amount (minor units) of the open deals of live leads in @stage. */
gint64        tandem_pipeline_sum_open_deals      (TandemStore   *store,
                                                   const char    *stage);
/* Won moves the lead to customer; lost to lost with @reason. */
gboolean      tandem_pipeline_close_deal          (TandemStore   *store,
                                                   TandemRecord  *deal,
                                                   gboolean       won,
                                                   const char    *reason,
                                                   GError       **error);
/* The activities of @lead, newest first, and its stage_history rows,
 * oldest first (TandemRecord). */
GPtrArray    *tandem_pipeline_list_activities     (TandemStore   *store,
                                                   TandemLead    *lead,
                                                   GError       **error);
GPtrArray    *tandem_pipeline_list_history        (TandemStore   *store,
                                                   TandemLead    *lead,
                                                   GError       **error);
/* The buying committee: deal_contacts rows (TandemRecord) of @deal. */
GPtrArray    *tandem_pipeline_list_committee      (TandemStore   *store,
                                                   TandemRecord  *deal,
                                                   GError       **error);

/* A committee member is a person at the deal's company (a lead), with the
 * persona they stand for, their role in the decision (one of
 * tandem_pipeline_committee_roles(): "decision maker", "champion",
 * "influencer", "user", "blocker"), their attitude to the deal (one of
 * tandem_pipeline_committee_attitudes(): "champion", "neutral",
 * "sceptic") and their influence, 1 (little say) to 5 (decides). */
const char * const *tandem_pipeline_committee_roles     (void);
const char * const *tandem_pipeline_committee_attitudes (void);

/* The people who may join @deal's committee (TandemLead), by name: the
 * leads of the deal's company (its own, else its lead's; without one, the
 * deal's lead) not on the committee yet. */
GPtrArray    *tandem_pipeline_list_committee_candidates (TandemStore   *store,
                                                         TandemRecord  *deal,
                                                         GError       **error);

/* Saves @member (a deal_contacts record, new or loaded and edited) on
 * @deal's committee in one transaction. With @new_person (a lead not yet
 * stored, with a name or an email), that person is first created at the
 * deal's company, owned by the deal's owner, and becomes the member.
 * Refused before anything is written: a person at another company, one
 * on the committee already, a role or attitude not in the lists, an
 * influence outside 1 to 5, a member of another deal. */
gboolean      tandem_pipeline_save_committee_member (TandemStore   *store,
                                                     TandemRecord  *deal,
                                                     TandemRecord  *member,
                                                     TandemLead    *new_person,
                                                     GError       **error);
/* Takes @member off its committee (a tombstone, so that it syncs);
 * restoring it by id is the undo. */
gboolean      tandem_pipeline_remove_committee_member  (TandemStore   *store,
                                                        TandemRecord  *member,
                                                        GError       **error);
gboolean      tandem_pipeline_restore_committee_member (TandemStore   *store,
                                                        const char    *member_id,
                                                        GError       **error);

G_END_DECLS
