/* tandem-routing.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "tandem-pipeline.h"
#include "tandem-routing.h"
#include "tandem-store-private.h"

#define LAST_MEMBER_SETTING "routing_last_member"
#define LAST_RULE_KEY       "tandem-routing-last-rule"
#define PENDING_TURN_KEY    "tandem-routing-pending-turn"

/* The turns taken since tandem_routing_begin_turns(). */
typedef struct
{
  char *last_member;
} PendingTurn;

static void
pending_turn_free (gpointer data)
{
  PendingTurn *turn = data;

  g_free (turn->last_member);
  g_free (turn);
}

/* What the last routing decision of a store was, kept on the store so that
 * the lead's history can say why it went to whom. */
typedef struct
{
  char *lead_id;
  char *description;
} LastRule;

static void
last_rule_free (gpointer data)
{
  LastRule *last = data;

  g_free (last->lead_id);
  g_free (last->description);
  g_free (last);
}

static void
remember_rule (TandemStore *store,
               const char  *lead_id,
               char        *description)
{
  LastRule *last = g_new0 (LastRule, 1);

  last->lead_id = g_strdup (lead_id);
  last->description = description;
  g_object_set_data_full (G_OBJECT (store), LAST_RULE_KEY, last, last_rule_free);
}

/* The attributes of the lead that rules look at. */
typedef struct
{
  char   *region;
  char   *industry;
  gint64  employees;
  const char *persona_id;
} LeadFacts;

static void
lead_facts_clear (LeadFacts *facts)
{
  g_clear_pointer (&facts->region, g_free);
  g_clear_pointer (&facts->industry, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LeadFacts, lead_facts_clear)

static gboolean
load_facts (TandemStore  *store,
            TandemLead   *lead,
            LeadFacts    *facts,
            GError      **error)
{
  const char *company_id = tandem_record_get_text (TANDEM_RECORD (lead), "company_id");
  sqlite3_stmt *stmt;
  int rc;

  memset (facts, 0, sizeof *facts);
  facts->persona_id = tandem_record_get_text (TANDEM_RECORD (lead), "persona_id");

  if (company_id == NULL)
    return TRUE;

  stmt = tandem_store_prepare_cached (store,
                                      "SELECT region, industry, employees FROM companies"
                                      " WHERE id = ? AND deleted = 0",
                                      error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, company_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      facts->region = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      facts->industry = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      facts->employees = sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                   _("Could not read the lead’s company: %s"),
                   sqlite3_errmsg (tandem_store_get_db (store)));
      return FALSE;
    }

  return TRUE;
}

/* Text rules compare without regard to case, and "in" takes a list
 * separated by commas, so "DACH, Nordics" is what a person would type. */
static gboolean
text_matches (const char *actual,
              const char *operator,
              const char *value)
{
  g_auto(GStrv) items = NULL;
  gboolean negate;
  gboolean found = FALSE;

  if (actual == NULL || value == NULL)
    return FALSE;

  negate = g_strcmp0 (operator, "!=") == 0 || g_strcmp0 (operator, "is_not") == 0;

  if (g_strcmp0 (operator, "in") == 0)
    items = g_strsplit (value, ",", -1);
  else
    items = g_strsplit (value, "\n", 1);

  for (guint i = 0; items[i] != NULL && !found; i++)
    {
      g_strstrip (items[i]);
      found = g_ascii_strcasecmp (items[i], actual) == 0 ||
              g_utf8_collate (items[i], actual) == 0;
    }

  return negate ? !found : found;
}

static gboolean
parse_number (const char *text,
              gint64     *number)
{
  char *end = NULL;

  if (text == NULL)
    return FALSE;

  while (g_ascii_isspace (*text))
    text++;
  *number = g_ascii_strtoll (text, &end, 10);
  if (end == text)
    return FALSE;
  while (g_ascii_isspace (*end))
    end++;

  return *end == '\0';
}

static gboolean
employees_match (gint64      employees,
                 const char *operator,
                 const char *value)
{
  gint64 bound;

  /* An unknown company size matches no size rule. */
  if (employees <= 0 || value == NULL)
    return FALSE;

  if (g_strcmp0 (operator, "between") == 0)
    {
      const char *dash = strchr (value + (*value == '-' ? 1 : 0), '-');
      g_autofree char *low_text = NULL;
      gint64 low, high;

      if (dash == NULL)
        return FALSE;

      low_text = g_strndup (value, dash - value);
      if (!parse_number (low_text, &low) || !parse_number (dash + 1, &high))
        return FALSE;

      return employees >= low && employees <= high;
    }

  if (!parse_number (value, &bound))
    return FALSE;

  if (g_strcmp0 (operator, ">=") == 0)
    return employees >= bound;
  if (g_strcmp0 (operator, "<=") == 0)
    return employees <= bound;
  if (g_strcmp0 (operator, ">") == 0)
    return employees > bound;
  if (g_strcmp0 (operator, "<") == 0)
    return employees < bound;
  if (g_strcmp0 (operator, "=") == 0 || g_strcmp0 (operator, "is") == 0)
    return employees == bound;

  return FALSE;
}

static gboolean
rule_matches (const LeadFacts *facts,
              const char      *attribute,
              const char      *operator,
              const char      *value)
{
  if (g_strcmp0 (attribute, "region") == 0)
    return text_matches (facts->region, operator, value);
  if (g_strcmp0 (attribute, "industry") == 0)
    return text_matches (facts->industry, operator, value);
  if (g_strcmp0 (attribute, "employees") == 0)
    return employees_match (facts->employees, operator, value);
  if (g_strcmp0 (attribute, "persona") == 0)
    {
      g_autofree char *persona_id = g_strstrip (g_strdup (value ? value : ""));

      return facts->persona_id != NULL && g_str_equal (facts->persona_id, persona_id);
    }

  return FALSE;
}

static char *
describe (const char *attribute,
          const char *operator,
          const char *value)
{
  if (g_strcmp0 (attribute, "region") == 0)
    return g_strdup_printf (_("Routed by region %s"), value);
  if (g_strcmp0 (attribute, "industry") == 0)
    return g_strdup_printf (_("Routed by industry %s"), value);
  if (g_strcmp0 (attribute, "employees") == 0)
    return g_strdup_printf (_("Routed by company size %s %s"), operator ? operator : "", value);
  if (g_strcmp0 (attribute, "persona") == 0)
    return g_strdup (_("Routed by persona"));

  return g_strdup_printf (_("Routed by %s"), attribute);
}

/* The first enabled rule, in position order, that matches and names an
 * active member; NULL when none does. */
static char *
owner_by_rule (TandemStore      *store,
               const LeadFacts  *facts,
               char            **description,
               GError          **error)
{
  sqlite3_stmt *stmt;
  char *owner = NULL;
  int rc;

  stmt = tandem_store_prepare_cached (store,
                                      "SELECT r.attribute, r.operator, r.value, r.member_id"
                                      " FROM routing_rules AS r"
                                      " JOIN members AS m ON m.id = r.member_id"
                                      " WHERE r.deleted = 0 AND r.enabled = 1"
                                      "  AND m.deleted = 0 AND m.active = 1"
                                      " ORDER BY r.position, r.rowid",
                                      error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *attribute = (const char *) sqlite3_column_text (stmt, 0);
      const char *operator = (const char *) sqlite3_column_text (stmt, 1);
      const char *value = (const char *) sqlite3_column_text (stmt, 2);

      if (rule_matches (facts, attribute, operator, value))
        {
          owner = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
          *description = describe (attribute, operator, value);
          break;
        }
    }

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_INVALID,
                 _("Could not read the routing rules: %s"),
                 sqlite3_errmsg (tandem_store_get_db (store)));
  sqlite3_reset (stmt);

  return owner;
}

/* Compares members (@name, @id) and (@other_name, @other_id) in the order
 * of turns, as strcmp() does: by name without regard to case (as SQLite's
 * NOCASE), then by id. */
static int
compare_turn_order (const char *name,
                    const char *id,
                    const char *other_name,
                    const char *other_id)
{
  int by_name = sqlite3_stricmp (name, other_name);

  return by_name != 0 ? by_name : strcmp (id, other_id);
}

static void
set_member (char       **id_slot,
            char       **name_slot,
            const char  *id,
            const char  *name)
{
  g_free (*id_slot);
  *id_slot = g_strdup (id);
  g_free (*name_slot);
  *name_slot = g_strdup (name);
}

/* Who had the last turn: the one a rescore's pending turns name, or else
 * the stored setting. */
static char *
last_turn (TandemStore *store)
{
  PendingTurn *turn = g_object_get_data (G_OBJECT (store), PENDING_TURN_KEY);

  if (turn != NULL && turn->last_member != NULL)
    return g_strdup (turn->last_member);
  return tandem_store_get_setting (store, LAST_MEMBER_SETTING, NULL);
}

/* The active sales member after the one who had the last turn, in a stable
 * order (name, then id). The last one may have left since; the turn still
 * goes to whoever follows their place in that order. The order is found
 * here rather than by an ORDER BY: a rescore hands off thousands of leads,
 * and SQLite's sorting set up and tore down a temporary table for each
 * (a sixth of a handoff). */
static char *
owner_by_turn (TandemStore  *store,
               GError      **error)
{
  g_autofree char *last = last_turn (store);
  g_autofree char *last_name = NULL;
  g_autofree char *first_id = NULL;
  g_autofree char *first_name = NULL;
  g_autofree char *next_id = NULL;
  g_autofree char *next_name = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (last != NULL)
    {
      stmt = tandem_store_prepare_cached (store,
                                          "SELECT coalesce(name, '') FROM members WHERE id = ?",
                                          error);
      if (stmt == NULL)
        return NULL;

      sqlite3_bind_text (stmt, 1, last, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        last_name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_reset (stmt);
    }

  stmt = tandem_store_prepare_cached (store,
                                      "SELECT id, coalesce(name, '') FROM members"
                                      " WHERE deleted = 0 AND active = 1 AND lower(team) = 'sales'",
                                      error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      const char *name = (const char *) sqlite3_column_text (stmt, 1);

      if (first_id == NULL || compare_turn_order (name, id, first_name, first_id) < 0)
        set_member (&first_id, &first_name, id, name);
      if (last_name != NULL && compare_turn_order (name, id, last_name, last) > 0 &&
          (next_id == NULL || compare_turn_order (name, id, next_name, next_id) < 0))
        set_member (&next_id, &next_name, id, name);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (store, error);
      return NULL;
    }

  /* No turn yet, or the last one was at the end: start from the top. */
  if (next_id != NULL)
    return g_steal_pointer (&next_id);
  if (first_id != NULL)
    return g_steal_pointer (&first_id);

  g_set_error (error, TANDEM_PIPELINE_ERROR, TANDEM_PIPELINE_ERROR_NO_OWNER,
               _("There is no active member of the sales team to hand this lead to. "
                 "Add one, or mark one as active, in the team settings."));
  return NULL;
}

char *
tandem_routing_choose_owner (TandemStore  *store,
                             TandemLead   *lead,
                             gboolean     *round_robin,
                             GError      **error)
{
  g_auto(LeadFacts) facts = { 0 };
  g_autoptr(GError) local_error = NULL;
  g_autofree char *description = NULL;
  char *owner;

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (TANDEM_IS_LEAD (lead), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (round_robin != NULL)
    *round_robin = FALSE;

  if (!load_facts (store, lead, &facts, error))
    return NULL;

  owner = owner_by_rule (store, &facts, &description, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (owner == NULL)
    {
      owner = owner_by_turn (store, error);
      if (owner == NULL)
        return NULL;
      if (round_robin != NULL)
        *round_robin = TRUE;
    }

  remember_rule (store, tandem_record_get_id (TANDEM_RECORD (lead)),
                 g_steal_pointer (&description));

  return owner;
}

gboolean
tandem_routing_take_turn (TandemStore  *store,
                          const char   *member_id,
                          GError      **error)
{
  PendingTurn *turn;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (member_id != NULL, FALSE);

  turn = g_object_get_data (G_OBJECT (store), PENDING_TURN_KEY);
  if (turn == NULL)
    return tandem_store_set_setting (store, LAST_MEMBER_SETTING, member_id, error);

  g_free (turn->last_member);
  turn->last_member = g_strdup (member_id);
  return TRUE;
}

void
tandem_routing_begin_turns (TandemStore *store)
{
  g_return_if_fail (TANDEM_IS_STORE (store));
  g_return_if_fail (g_object_get_data (G_OBJECT (store), PENDING_TURN_KEY) == NULL);

  g_object_set_data_full (G_OBJECT (store), PENDING_TURN_KEY, g_new0 (PendingTurn, 1),
                          pending_turn_free);
}

gboolean
tandem_routing_end_turns (TandemStore  *store,
                          gboolean      write,
                          GError      **error)
{
  PendingTurn *turn;
  g_autofree char *last_member = NULL;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);

  turn = g_object_steal_data (G_OBJECT (store), PENDING_TURN_KEY);
  g_return_val_if_fail (turn != NULL, FALSE);
  last_member = g_steal_pointer (&turn->last_member);
  pending_turn_free (turn);

  if (!write || last_member == NULL)
    return TRUE;
  return tandem_store_set_setting (store, LAST_MEMBER_SETTING, last_member, error);
}

char *
tandem_routing_pick_owner (TandemStore  *store,
                           TandemLead   *lead,
                           GError      **error)
{
  g_autofree char *owner = NULL;
  gboolean round_robin = FALSE;

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (TANDEM_IS_LEAD (lead), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  owner = tandem_routing_choose_owner (store, lead, &round_robin, error);
  if (owner == NULL)
    return NULL;

  if (round_robin && !tandem_routing_take_turn (store, owner, error))
    return NULL;

  return g_steal_pointer (&owner);
}

char *
tandem_routing_describe_rule (TandemStore *store,
                              TandemLead  *lead)
{
  LastRule *last;

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (TANDEM_IS_LEAD (lead), NULL);

  last = g_object_get_data (G_OBJECT (store), LAST_RULE_KEY);
  if (last == NULL || g_strcmp0 (last->lead_id, tandem_record_get_id (TANDEM_RECORD (lead))) != 0)
    return NULL;

  return g_strdup (last->description);
}
