/* tandem-routing.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tandem-lead.h"
#include "tandem-store.h"

G_BEGIN_DECLS

/* Who receives a handed-off lead. Routing rules (routing_rules rows, in
 * position order, enabled only) match one attribute — "region", "employees"
 * (operator "between" with value "MIN-MAX", or ">=" / "<="), "industry" or
 * "persona" (the lead's best-matching persona id) — and name an active
 * member. When none matches, the lead goes round-robin to the next active
 * member of the sales team (setting "routing_last_member" remembers the last
 * one, so the turn survives restarts and is shared through sync).
 *
 * Returns the member id, or NULL with TANDEM_PIPELINE_ERROR_NO_OWNER. */
char     *tandem_routing_pick_owner        (TandemStore  *store,
                                            TandemLead   *lead,
                                            GError      **error);

/* The rule that picked the owner of the last call, for the lead's history
 * ("routed by region DACH"), or NULL after a round-robin turn. */
char     *tandem_routing_describe_rule     (TandemStore  *store,
                                            TandemLead   *lead);

/* The member who would receive @lead, without taking the round-robin turn:
 * nothing is written. @round_robin tells whether no rule matched, in which
 * case tandem_routing_take_turn() records the turn once the handoff is
 * written. tandem_routing_pick_owner() is the two together. */
char     *tandem_routing_choose_owner      (TandemStore  *store,
                                            TandemLead   *lead,
                                            gboolean     *round_robin,
                                            GError      **error);
gboolean  tandem_routing_take_turn         (TandemStore  *store,
                                            const char   *member_id,
                                            GError      **error);

/* Between these two calls, round-robin turns are kept in memory and the
 * last one is written by tandem_routing_end_turns() with @write, inside
 * the transaction that holds the handoffs: a rescore hands thousands of
 * leads off in one transaction, and only the last turn matters. Without
 * @write (the transaction was rolled back), the turns are forgotten. */
void      tandem_routing_begin_turns       (TandemStore  *store);
gboolean  tandem_routing_end_turns         (TandemStore  *store,
                                            gboolean      write,
                                            GError      **error);

G_END_DECLS
