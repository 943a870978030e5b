/* tandem-schema.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tandem-schema.h"
#include "tandem-store.h"

#define T TANDEM_FIELD_TEXT
#define L TANDEM_FIELD_LIST
#define R TANDEM_FIELD_REF
#define I TANDEM_FIELD_INT
#define B TANDEM_FIELD_BOOL

#define SPEC(table, insert_only, order_by) \
  { #table, table##_fields, G_N_ELEMENTS (table##_fields), insert_only, order_by }

static const TandemFieldSpec members_fields[] = {
  { "name", T }, { "email", T }, { "team", T }, { "role", T }, { "active", B, "1" },
  { "created_at", I },
};

static const TandemFieldSpec icps_fields[] = {
  { "name", T }, { "description", T }, { "rank", I }, { "industries", L },
  { "employees_min", I }, { "employees_max", I }, { "revenue_min", I }, { "revenue_max", I },
  { "regions", L }, { "attributes", L }, { "excluded_industries", L },
  { "excluded_domains", L }, { "competitors", L }, { "created_at", I },
};

static const TandemFieldSpec personas_fields[] = {
  { "name", T }, { "job_title", T }, { "seniority", T }, { "location", T }, { "bio", T },
  { "icp_id", R }, { "behaviour", T }, { "interests", L }, { "goals", L },
  { "pain_points", L }, { "objections", L }, { "channels", L }, { "committee_role", T },
  { "created_at", I },
};

static const TandemFieldSpec companies_fields[] = {
  { "name", T }, { "domain", T }, { "industry", T }, { "employees", I }, { "revenue", I },
  { "region", T }, { "country", T }, { "website", T }, { "created_at", I },
};

static const TandemFieldSpec leads_fields[] = {
  { "first_name", T }, { "last_name", T }, { "email", T }, { "phone", T },
  { "job_title", T }, { "seniority", T }, { "company_id", R }, { "source", T },
  { "channel", T }, { "owner_id", R }, { "stage", T, "lead" }, { "stage_entered_at", I },
  { "fit_score", I, NULL, TRUE }, { "engagement_score", I, NULL, TRUE },
  { "score", I, NULL, TRUE }, { "grade", T, NULL, TRUE }, { "icp_id", R, NULL, TRUE },
  { "persona_id", R, NULL, TRUE }, { "handoff_at", I }, { "accepted_at", I },
  { "first_touch_at", I, NULL, TRUE }, { "last_activity_at", I, NULL, TRUE },
  { "created_at", I },
};

static const TandemFieldSpec activities_fields[] = {
  { "lead_id", R }, { "kind", T }, { "occurred_at", I }, { "url", T }, { "asset_id", R },
  { "channel", T }, { "member_id", R }, { "subject", T }, { "body", T },
};

static const TandemFieldSpec stage_definitions_fields[] = {
  { "key", T }, { "name", T }, { "position", I }, { "team", T }, { "definition", T },
  { "required_fields", L }, { "stalled_days", I }, { "enabled", B, "1" },
};

static const TandemFieldSpec stage_history_fields[] = {
  { "lead_id", R }, { "from_stage", T }, { "to_stage", T }, { "occurred_at", I },
  { "member_id", R }, { "reason", T }, { "note", T },
};

static const TandemFieldSpec reasons_fields[] = {
  { "kind", T }, { "label", T }, { "position", I },
};

static const TandemFieldSpec deals_fields[] = {
  { "lead_id", R }, { "company_id", R }, { "name", T }, { "amount", I },
  { "expected_close", I }, { "probability", I }, { "status", T, "open" }, { "closed_at", I },
  { "lost_reason", T }, { "owner_id", R }, { "created_at", I },
};

static const TandemFieldSpec deal_contacts_fields[] = {
  { "deal_id", R }, { "lead_id", R }, { "persona_id", R }, { "role", T },
  { "attitude", T }, { "influence", I },
};

static const TandemFieldSpec assets_fields[] = {
  { "title", T }, { "kind", T }, { "url", T }, { "description", T }, { "owner_id", R },
  { "buying_stages", L }, { "review_by", I }, { "published_at", I }, { "created_at", I },
};

static const TandemFieldSpec asset_personas_fields[] = {
  { "asset_id", R }, { "persona_id", R },
};

static const TandemFieldSpec asset_feedback_fields[] = {
  { "asset_id", R }, { "member_id", R }, { "rating", I }, { "comment", T },
  { "occurred_at", I },
};

static const TandemFieldSpec agreements_fields[] = {
  { "title", T }, { "period", T }, { "starts_at", I }, { "ends_at", I }, { "version", I },
  { "status", T }, { "supersedes_id", R }, { "notes", T }, { "created_at", I },
};

static const TandemFieldSpec agreement_terms_fields[] = {
  { "agreement_id", R }, { "kind", T }, { "description", T }, { "target", I },
  { "unit", T }, { "owner_team", T }, { "position", I },
};

static const TandemFieldSpec agreement_signatures_fields[] = {
  { "agreement_id", R }, { "member_id", R }, { "version", I }, { "signed_at", I },
};

static const TandemFieldSpec agreement_periods_fields[] = {
  { "agreement_id", R }, { "starts_at", I }, { "ends_at", I }, { "label", T },
};

static const TandemFieldSpec goals_fields[] = {
  { "metric", T }, { "target", I }, { "period_start", I }, { "period_end", I },
  { "team", T }, { "notes", T },
};

static const TandemFieldSpec reviews_fields[] = {
  { "kind", T }, { "title", T }, { "period_start", I }, { "period_end", I }, { "notes", T },
  { "decisions", L }, { "action_items", L }, { "created_at", I },
};

static const TandemFieldSpec scoring_rules_fields[] = {
  { "kind", T }, { "name", T }, { "attribute", T }, { "operator", T }, { "value", T },
  { "points", I }, { "cap", I }, { "half_life_days", I }, { "action", T },
  { "enabled", B, "1" }, { "position", I },
};

static const TandemFieldSpec routing_rules_fields[] = {
  { "attribute", T }, { "operator", T }, { "value", T }, { "member_id", R },
  { "position", I }, { "enabled", B, "1" },
};

static const TandemFieldSpec settings_fields[] = {
  { "value", T },
};

static const TandemTableSpec table_specs[] = {
  SPEC (members, FALSE, "name COLLATE NOCASE"),
  SPEC (icps, FALSE, "rank, name COLLATE NOCASE"),
  SPEC (personas, FALSE, "name COLLATE NOCASE"),
  SPEC (companies, FALSE, "name COLLATE NOCASE"),
  SPEC (leads, FALSE, "last_name COLLATE NOCASE, first_name COLLATE NOCASE"),
  SPEC (activities, TRUE, "occurred_at DESC"),
  SPEC (stage_definitions, FALSE, "position"),
  SPEC (stage_history, TRUE, "occurred_at"),
  SPEC (reasons, FALSE, "kind, position"),
  SPEC (deals, FALSE, "created_at DESC"),
  SPEC (deal_contacts, FALSE, "influence DESC"),
  SPEC (assets, FALSE, "title COLLATE NOCASE"),
  SPEC (asset_personas, FALSE, "asset_id"),
  SPEC (asset_feedback, TRUE, "occurred_at DESC"),
  SPEC (agreements, FALSE, "starts_at DESC"),
  SPEC (agreement_terms, FALSE, "position"),
  SPEC (agreement_signatures, TRUE, "signed_at"),
  SPEC (agreement_periods, FALSE, "starts_at"),
  SPEC (goals, FALSE, "period_start DESC"),
  SPEC (reviews, FALSE, "period_start DESC"),
  SPEC (scoring_rules, FALSE, "kind, position"),
  SPEC (routing_rules, FALSE, "position"),
  SPEC (settings, FALSE, "id"),
};

const TandemTableSpec *
tandem_schema_lookup (const char *table)
{
  g_return_val_if_fail (table != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (table_specs); i++)
    if (g_str_equal (table_specs[i].name, table))
      return &table_specs[i];

  return NULL;
}

const TandemTableSpec **
tandem_schema_tables (guint *n_tables)
{
  static const TandemTableSpec *all[G_N_ELEMENTS (table_specs) + 1];

  if (all[0] == NULL)
    for (guint i = 0; i < G_N_ELEMENTS (table_specs); i++)
      all[i] = &table_specs[i];

  if (n_tables)
    *n_tables = G_N_ELEMENTS (table_specs);

  return all;
}

int
tandem_table_spec_field_index (const TandemTableSpec *spec,
                               const char            *field)
{
  g_return_val_if_fail (spec != NULL, -1);
  g_return_val_if_fail (field != NULL, -1);

  for (guint i = 0; i < spec->n_fields; i++)
    if (g_str_equal (spec->fields[i].name, field))
      return (int) i;

  return -1;
}

/* Version 1: every table of the design. The bookkeeping columns of synced
 * tables are: deleted (the tombstone), hlc (the newest field clock of the
 * row, so an editor knows which version the user saw), created_hlc (the
 * clock of every field not changed since the row was created, which have
 * no row in field_clocks), updated_at and updated_by (the team member who
 * made the last local change). Foreign
 * keys are deferred because sync may deliver a row before the row it
 * points to, within one transaction. */
#define SYNCED "id TEXT PRIMARY KEY NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, " \
               "hlc INTEGER NOT NULL DEFAULT 0, created_hlc INTEGER NOT NULL DEFAULT 0, " \
               "updated_at INTEGER, updated_by TEXT, "
#define REF(table) "TEXT REFERENCES " #table "(id) DEFERRABLE INITIALLY DEFERRED"

static const char schema_v1[] =
  "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value) WITHOUT ROWID;"
  "CREATE TABLE field_clocks ("
  "  tbl TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL,"
  "  hlc INTEGER NOT NULL, site TEXT NOT NULL,"
  "  PRIMARY KEY (tbl, row_id, field)) WITHOUT ROWID;"
  /* The change log doubles as the outbox: local changes not yet pushed. */
  "CREATE TABLE change_log ("
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, row_id TEXT NOT NULL,"
  "  field TEXT NOT NULL, value, hlc INTEGER NOT NULL, site TEXT NOT NULL,"
  "  base_hlc INTEGER NOT NULL DEFAULT 0, member_id TEXT,"
  "  origin TEXT NOT NULL DEFAULT 'local', pushed INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX change_log_outbox ON change_log (seq) WHERE origin = 'local' AND pushed = 0;"
  "CREATE TABLE conflicts ("
  "  id INTEGER PRIMARY KEY, tbl TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL,"
  "  kept_value, kept_hlc INTEGER, kept_site TEXT, other_value, other_hlc INTEGER,"
  "  other_site TEXT, detected_at INTEGER NOT NULL, resolved_at INTEGER);"

  "CREATE TABLE members (" SYNCED
  "  name TEXT, email TEXT, team TEXT, role TEXT, active INTEGER NOT NULL DEFAULT 1,"
  "  created_at INTEGER);"
  "CREATE TABLE icps (" SYNCED
  "  name TEXT, description TEXT, rank INTEGER, industries TEXT,"
  "  employees_min INTEGER, employees_max INTEGER, revenue_min INTEGER, revenue_max INTEGER,"
  "  regions TEXT, attributes TEXT, excluded_industries TEXT, excluded_domains TEXT,"
  "  competitors TEXT, created_at INTEGER);"
  "CREATE TABLE personas (" SYNCED
  "  name TEXT, job_title TEXT, seniority TEXT, location TEXT, bio TEXT,"
  "  icp_id " REF (icps) ", behaviour TEXT, interests TEXT, goals TEXT, pain_points TEXT,"
  "  objections TEXT, channels TEXT, committee_role TEXT, created_at INTEGER);"
  "CREATE TABLE companies (" SYNCED
  "  name TEXT, domain TEXT, industry TEXT, employees INTEGER, revenue INTEGER,"
  "  region TEXT, country TEXT, website TEXT, created_at INTEGER);"
  "CREATE TABLE leads (" SYNCED
  "  first_name TEXT, last_name TEXT, email TEXT, phone TEXT, job_title TEXT,"
  "  seniority TEXT, company_id " REF (companies) ", source TEXT, channel TEXT,"
  "  owner_id " REF (members) ", stage TEXT NOT NULL DEFAULT 'lead',"
  "  stage_entered_at INTEGER, fit_score INTEGER, engagement_score INTEGER, score INTEGER,"
  "  grade TEXT, icp_id " REF (icps) ", persona_id " REF (personas) ","
  "  handoff_at INTEGER, accepted_at INTEGER, first_touch_at INTEGER,"
  "  last_activity_at INTEGER, created_at INTEGER);"
  "CREATE INDEX leads_company ON leads (company_id);"
  "CREATE INDEX leads_stage ON leads (stage);"
  "CREATE INDEX leads_owner ON leads (owner_id);"
  "CREATE INDEX leads_email ON leads (email COLLATE NOCASE);"
  "CREATE TABLE activities (" SYNCED
  "  lead_id " REF (leads) " NOT NULL, kind TEXT NOT NULL, occurred_at INTEGER NOT NULL,"
  "  url TEXT, asset_id " REF (assets) ", channel TEXT, member_id " REF (members) ","
  "  subject TEXT, body TEXT);"
  "CREATE INDEX activities_lead ON activities (lead_id, occurred_at);"
  "CREATE TABLE stage_definitions (" SYNCED
  "  key TEXT NOT NULL, name TEXT, position INTEGER, team TEXT, definition TEXT,"
  "  required_fields TEXT, stalled_days INTEGER, enabled INTEGER NOT NULL DEFAULT 1);"
  "CREATE TABLE stage_history (" SYNCED
  "  lead_id " REF (leads) " NOT NULL, from_stage TEXT, to_stage TEXT NOT NULL,"
  "  occurred_at INTEGER NOT NULL, member_id " REF (members) ", reason TEXT, note TEXT);"
  "CREATE INDEX stage_history_lead ON stage_history (lead_id, occurred_at);"
  "CREATE TABLE reasons (" SYNCED
  "  kind TEXT NOT NULL, label TEXT NOT NULL, position INTEGER);"
  "CREATE TABLE deals (" SYNCED
  "  lead_id " REF (leads) ", company_id " REF (companies) ", name TEXT, amount INTEGER,"
  "  expected_close INTEGER, probability INTEGER, status TEXT NOT NULL DEFAULT 'open',"
  "  closed_at INTEGER, lost_reason TEXT, owner_id " REF (members) ", created_at INTEGER);"
  "CREATE INDEX deals_lead ON deals (lead_id);"
  "CREATE TABLE deal_contacts (" SYNCED
  "  deal_id " REF (deals) " NOT NULL, lead_id " REF (leads) ", persona_id " REF (personas) ","
  "  role TEXT, attitude TEXT, influence INTEGER);"
  "CREATE INDEX deal_contacts_deal ON deal_contacts (deal_id);"
  "CREATE TABLE assets (" SYNCED
  "  title TEXT, kind TEXT, url TEXT, description TEXT, owner_id " REF (members) ","
  "  buying_stages TEXT, review_by INTEGER, published_at INTEGER, created_at INTEGER);"
  "CREATE TABLE asset_personas (" SYNCED
  "  asset_id " REF (assets) " NOT NULL, persona_id " REF (personas) " NOT NULL);"
  "CREATE INDEX asset_personas_asset ON asset_personas (asset_id);"
  "CREATE TABLE asset_feedback (" SYNCED
  "  asset_id " REF (assets) " NOT NULL, member_id " REF (members) ", rating INTEGER,"
  "  comment TEXT, occurred_at INTEGER);"
  "CREATE TABLE agreements (" SYNCED
  "  title TEXT, period TEXT, starts_at INTEGER, ends_at INTEGER, version INTEGER,"
  "  status TEXT, supersedes_id " REF (agreements) ", notes TEXT, created_at INTEGER);"
  "CREATE TABLE agreement_terms (" SYNCED
  "  agreement_id " REF (agreements) " NOT NULL, kind TEXT, description TEXT,"
  "  target INTEGER, unit TEXT, owner_team TEXT, position INTEGER);"
  "CREATE TABLE agreement_signatures (" SYNCED
  "  agreement_id " REF (agreements) " NOT NULL, member_id " REF (members) ","
  "  version INTEGER, signed_at INTEGER);"
  "CREATE TABLE agreement_periods (" SYNCED
  "  agreement_id " REF (agreements) " NOT NULL, starts_at INTEGER, ends_at INTEGER,"
  "  label TEXT);"
  "CREATE TABLE goals (" SYNCED
  "  metric TEXT NOT NULL, target INTEGER, period_start INTEGER, period_end INTEGER,"
  "  team TEXT, notes TEXT);"
  "CREATE TABLE reviews (" SYNCED
  "  kind TEXT, title TEXT, period_start INTEGER, period_end INTEGER, notes TEXT,"
  "  decisions TEXT, action_items TEXT, created_at INTEGER);"
  "CREATE TABLE scoring_rules (" SYNCED
  "  kind TEXT NOT NULL, name TEXT, attribute TEXT, operator TEXT, value TEXT,"
  "  points INTEGER, cap INTEGER, half_life_days INTEGER, action TEXT,"
  "  enabled INTEGER NOT NULL DEFAULT 1, position INTEGER);"
  "CREATE TABLE routing_rules (" SYNCED
  "  attribute TEXT, operator TEXT, value TEXT, member_id " REF (members) ","
  "  position INTEGER, enabled INTEGER NOT NULL DEFAULT 1);"
  "CREATE TABLE settings (" SYNCED "  value TEXT);"
  /* Foreign keys are deferred, and while a violation is pending SQLite
   * looks up the children of every parent it inserts: without these
   * indexes that is a scan per row. The large tables index only what
   * is set. */
  "CREATE INDEX personas_icp ON personas (icp_id);"
  "CREATE INDEX leads_icp ON leads (icp_id) WHERE icp_id IS NOT NULL;"
  "CREATE INDEX leads_persona ON leads (persona_id) WHERE persona_id IS NOT NULL;"
  "CREATE INDEX activities_asset ON activities (asset_id) WHERE asset_id IS NOT NULL;"
  "CREATE INDEX activities_member ON activities (member_id) WHERE member_id IS NOT NULL;"
  "CREATE INDEX stage_history_member ON stage_history (member_id) WHERE member_id IS NOT NULL;"
  "CREATE INDEX deals_company ON deals (company_id);"
  "CREATE INDEX deals_owner ON deals (owner_id);"
  "CREATE INDEX deal_contacts_lead ON deal_contacts (lead_id);"
  "CREATE INDEX deal_contacts_persona ON deal_contacts (persona_id);"
  "CREATE INDEX assets_owner ON assets (owner_id);"
  "CREATE INDEX asset_personas_persona ON asset_personas (persona_id);"
  "CREATE INDEX asset_feedback_asset ON asset_feedback (asset_id);"
  "CREATE INDEX asset_feedback_member ON asset_feedback (member_id);"
  "CREATE INDEX agreements_supersedes ON agreements (supersedes_id);"
  "CREATE INDEX agreement_terms_agreement ON agreement_terms (agreement_id);"
  "CREATE INDEX agreement_signatures_agreement ON agreement_signatures (agreement_id);"
  "CREATE INDEX agreement_signatures_member ON agreement_signatures (member_id);"
  "CREATE INDEX agreement_periods_agreement ON agreement_periods (agreement_id);"
  "CREATE INDEX routing_rules_member ON routing_rules (member_id);";

/* Version 2: full-text search. The indexes keep their own copy of the text
 * and share the rowid of the row they index, so a tombstone or an update
 * removes the old entry by rowid. Triggers keep them in step with every
 * write, local or synced. */
#define FTS_INSERT_TRIGGER(table, columns, values)                                       \
  "CREATE TRIGGER " #table "_fts_insert AFTER INSERT ON " #table " WHEN new.deleted = 0"  \
  " BEGIN INSERT INTO " #table "_fts (rowid, " columns ") VALUES (new.rowid, " values "); END;"
#define FTS_SYNC(table, columns, values)                                                 \
  FTS_INSERT_TRIGGER (table, columns, values)                                             \
  "CREATE TRIGGER " #table "_fts_update AFTER UPDATE ON " #table " BEGIN"                \
  "  DELETE FROM " #table "_fts WHERE rowid = old.rowid;"                                 \
  "  INSERT INTO " #table "_fts (rowid, " columns ") SELECT new.rowid, " values           \
  "   WHERE new.deleted = 0; END;"                                                         \
  "CREATE TRIGGER " #table "_fts_delete AFTER DELETE ON " #table " BEGIN"                \
  "  DELETE FROM " #table "_fts WHERE rowid = old.rowid; END;"                            \
  "INSERT INTO " #table "_fts (rowid, " columns ") SELECT rowid, " values                 \
  " FROM " #table " AS new WHERE deleted = 0;"

#define LEAD_FTS_COLUMNS "name, email, job_title, company"
#define LEAD_FTS_VALUES \
  "coalesce(new.first_name, '') || ' ' || coalesce(new.last_name, ''), new.email," \
  " new.job_title," \
  " (SELECT name FROM companies WHERE id = new.company_id)"
#define COMPANY_FTS_COLUMNS "name, domain, industry"
#define COMPANY_FTS_VALUES "new.name, new.domain, new.industry"
#define PERSONA_FTS_COLUMNS "name, job_title, bio, details"
#define PERSONA_FTS_VALUES \
  "new.name, new.job_title, new.bio," \
  " coalesce(new.seniority, '') || ' ' || coalesce(new.location, '') || ' ' ||" \
  " coalesce(new.behaviour, '') || ' ' || coalesce(new.interests, '') || ' ' ||" \
  " coalesce(new.goals, '') || ' ' || coalesce(new.pain_points, '') || ' ' ||" \
  " coalesce(new.objections, '') || ' ' || coalesce(new.channels, '') || ' ' ||" \
  " coalesce(new.committee_role, '')"
#define ASSET_FTS_COLUMNS "title, kind, description"
#define ASSET_FTS_VALUES "new.title, new.kind, new.description"

static const char schema_v2[] =
  "CREATE VIRTUAL TABLE leads_fts USING fts5 (name, email, job_title, company,"
  "  tokenize = 'unicode61 remove_diacritics 2');"
  "CREATE VIRTUAL TABLE companies_fts USING fts5 (name, domain, industry,"
  "  tokenize = 'unicode61 remove_diacritics 2');"
  "CREATE VIRTUAL TABLE personas_fts USING fts5 (name, job_title, bio, details,"
  "  tokenize = 'unicode61 remove_diacritics 2');"
  "CREATE VIRTUAL TABLE assets_fts USING fts5 (title, kind, description,"
  "  tokenize = 'unicode61 remove_diacritics 2');"
  FTS_SYNC (leads, LEAD_FTS_COLUMNS, LEAD_FTS_VALUES)
  FTS_SYNC (companies, COMPANY_FTS_COLUMNS, COMPANY_FTS_VALUES)
  FTS_SYNC (personas, PERSONA_FTS_COLUMNS, PERSONA_FTS_VALUES)
  FTS_SYNC (assets, ASSET_FTS_COLUMNS, ASSET_FTS_VALUES)
  /* A renamed company is found under its new name in its leads too. */
  "CREATE TRIGGER companies_rename_leads_fts AFTER UPDATE OF name ON companies BEGIN"
  "  UPDATE leads_fts SET company = new.name"
  "   WHERE rowid IN (SELECT rowid FROM leads WHERE company_id = new.id AND deleted = 0);"
  "  END;";

/* Version 3: the import log, so the last CSV import can be undone. These
 * tables are local to one desktop and never synced: an import is undone on
 * the desktop that made it, through the mutation path, and the other
 * desktops receive the undo as ordinary changes. import_rows keeps, for
 * each row an import changed, the values it replaced as a JSON object of
 * those fields only. */
static const char schema_v3[] =
  "CREATE TABLE imports ("
  "  id TEXT PRIMARY KEY NOT NULL, file_name TEXT, imported_at INTEGER NOT NULL,"
  "  member_id TEXT, created INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL DEFAULT 0,"
  "  skipped INTEGER NOT NULL DEFAULT 0, undone_at INTEGER);"
  "CREATE INDEX imports_time ON imports (imported_at);"
  "CREATE TABLE import_rows ("
  "  import_id TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,"
  "  tbl TEXT NOT NULL, row_id TEXT NOT NULL,"
  "  action TEXT NOT NULL CHECK (action IN ('created', 'updated')), previous TEXT);"
  "CREATE INDEX import_rows_import ON import_rows (import_id);";

/* Version 4: the search indexes follow only the columns they hold. Version 2
 * rewrote a row's index entry on any update, so rescoring, which writes
 * the derived scores of every lead, rewrote the whole leads index too.
 * And the rows an import creates are listed many to a row of
 * import_created (ids separated by newlines), where one import_rows row
 * each made the undo log of a large import an eighth of the workspace;
 * import_rows keeps the rows an import changed, with their old values. */
#define LEAD_FTS_WATCHED "first_name, last_name, email, job_title, company_id, deleted"
#define COMPANY_FTS_WATCHED "name, domain, industry, deleted"
#define PERSONA_FTS_WATCHED \
  "name, job_title, bio, seniority, location, behaviour, interests," \
  " goals, pain_points, objections, channels, committee_role, deleted"
#define ASSET_FTS_WATCHED "title, kind, description, deleted"

#define FTS_UPDATE_TRIGGER(table, watched, columns, values)                               \
  "CREATE TRIGGER " #table "_fts_update AFTER UPDATE OF " watched " ON " #table          \
  " BEGIN"                                                                                \
  "  DELETE FROM " #table "_fts WHERE rowid = old.rowid;"                                 \
  "  INSERT INTO " #table "_fts (rowid, " columns ") SELECT new.rowid, " values           \
  "   WHERE new.deleted = 0; END;"
#define FTS_UPDATE(table, watched, columns, values)                                       \
  "DROP TRIGGER " #table "_fts_update;"                                                   \
  FTS_UPDATE_TRIGGER (table, watched, columns, values)

static const char schema_v4[] =
  FTS_UPDATE (leads, LEAD_FTS_WATCHED, LEAD_FTS_COLUMNS, LEAD_FTS_VALUES)
  FTS_UPDATE (companies, COMPANY_FTS_WATCHED, COMPANY_FTS_COLUMNS, COMPANY_FTS_VALUES)
  FTS_UPDATE (personas, PERSONA_FTS_WATCHED, PERSONA_FTS_COLUMNS, PERSONA_FTS_VALUES)
  FTS_UPDATE (assets, ASSET_FTS_WATCHED, ASSET_FTS_COLUMNS, ASSET_FTS_VALUES)
  "CREATE TABLE import_created ("
  "  import_id TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,"
  "  tbl TEXT NOT NULL, row_ids TEXT NOT NULL);"
  "CREATE INDEX import_created_import ON import_created (import_id);";

/* Version 5: the site that created a row, kept in the row (created_site;
 * NULL for a row created on this desktop) rather than as a "*" row of
 * field_clocks. A snapshot of the large sample wrote 1.27 million of
 * those, a fifth of the workspace. Local only: what sync sends is the
 * same (TANDEM_SYNC_SCHEMA_VERSION). */
#define CREATED_SITE(table)                                                                \
  "ALTER TABLE " #table " ADD COLUMN created_site TEXT;"                                  \
  "UPDATE " #table " SET created_site = (SELECT site FROM field_clocks AS c"              \
  "  WHERE c.tbl = '" #table "' AND c.row_id = " #table ".id AND c.field = '*')"          \
  " WHERE id IN (SELECT row_id FROM field_clocks WHERE tbl = '" #table "' AND field = '*');"

static const char schema_v5[] =
  CREATED_SITE (members)
  CREATED_SITE (icps)
  CREATED_SITE (personas)
  CREATED_SITE (companies)
  CREATED_SITE (leads)
  CREATED_SITE (activities)
  CREATED_SITE (stage_definitions)
  CREATED_SITE (stage_history)
  CREATED_SITE (reasons)
  CREATED_SITE (deals)
  CREATED_SITE (deal_contacts)
  CREATED_SITE (assets)
  CREATED_SITE (asset_personas)
  CREATED_SITE (asset_feedback)
  CREATED_SITE (agreements)
  CREATED_SITE (agreement_terms)
  CREATED_SITE (agreement_signatures)
  CREATED_SITE (agreement_periods)
  CREATED_SITE (goals)
  CREATED_SITE (reviews)
  CREATED_SITE (scoring_rules)
  CREATED_SITE (routing_rules)
  CREATED_SITE (settings)
  "DELETE FROM field_clocks WHERE field = '*';";

static const char *const migrations[] = {
  NULL,
  schema_v1,
  schema_v2,
  schema_v3,
  schema_v4,
  schema_v5,
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == TANDEM_SCHEMA_VERSION + 1);

/* Bulk writes. FTS5 writes a new index segment for every statement that
 * changes it, and merges segments as they pile up, so indexing 100,000
 * inserted or changed rows one trigger at a time costs several times what
 * one INSERT ... SELECT over them costs. While paused, a table's search
 * triggers are dropped; a temporary trigger notes the rows whose indexed
 * columns change in temp.tandem_touched_TABLE, and the rows inserted are
 * those after the largest rowid there was. */

#define FTS_REINDEX(table, columns, values)                                              \
  "DELETE FROM " #table "_fts WHERE rowid > ?1;",                                         \
  "DELETE FROM " #table "_fts WHERE rowid IN (SELECT r FROM temp.tandem_touched_" #table ");", \
  "INSERT INTO " #table "_fts (rowid, " columns ") SELECT rowid, " values               \
  " FROM " #table " AS new WHERE rowid > ?1 AND deleted = 0;",                              \
  "INSERT INTO " #table "_fts (rowid, " columns ") SELECT rowid, " values               \
  " FROM " #table " AS new WHERE rowid <= ?1 AND deleted = 0"                             \
  " AND rowid IN (SELECT r FROM temp.tandem_touched_" #table ");"

#define SEARCH_INDEX(table, watched, columns, values)                                     \
  { #table, watched,                                                                      \
    { FTS_INSERT_TRIGGER (table, columns, values),                                        \
      FTS_UPDATE_TRIGGER (table, watched, columns, values) },                             \
    { FTS_REINDEX (table, columns, values) } }

typedef struct
{
  const char *table;
  const char *watched;          /* the columns whose updates reindex a row */
  const char *triggers[2];      /* as the newest migration created them */
  const char *reindex[4];       /* brings the rows written while paused up to date */
} SearchIndex;

static const SearchIndex search_indexes[] = {
  SEARCH_INDEX (leads, LEAD_FTS_WATCHED, LEAD_FTS_COLUMNS, LEAD_FTS_VALUES),
  SEARCH_INDEX (companies, COMPANY_FTS_WATCHED, COMPANY_FTS_COLUMNS, COMPANY_FTS_VALUES),
  SEARCH_INDEX (personas, PERSONA_FTS_WATCHED, PERSONA_FTS_COLUMNS, PERSONA_FTS_VALUES),
  SEARCH_INDEX (assets, ASSET_FTS_WATCHED, ASSET_FTS_COLUMNS, ASSET_FTS_VALUES),
};

static const SearchIndex *
lookup_search_index (const char *table)
{
  for (guint i = 0; i < G_N_ELEMENTS (search_indexes); i++)
    if (g_str_equal (search_indexes[i].table, table))
      return &search_indexes[i];

  return NULL;
}

static gboolean
set_sql_error (sqlite3  *db,
               GError  **error)
{
  g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_SQL,
               _("The workspace database reported an error: %s"), sqlite3_errmsg (db));
  return FALSE;
}

/* Runs @sql, whose only parameter, if any, is @mark. */
static gboolean
run_with_mark (sqlite3     *db,
               const char  *sql,
               gint64       mark,
               GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return set_sql_error (db, error);

  if (sqlite3_bind_parameter_count (stmt) > 0)
    sqlite3_bind_int64 (stmt, 1, mark);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    return set_sql_error (db, error);

  return TRUE;
}

gboolean
tandem_schema_pause_search (sqlite3     *db,
                            const char  *table,
                            gint64      *mark,
                            GError     **error)
{
  const SearchIndex *index = lookup_search_index (table);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (index != NULL, FALSE);
  g_return_val_if_fail (mark != NULL, FALSE);
  /* Outside a transaction the triggers would be gone for other writers. */
  g_return_val_if_fail (!sqlite3_get_autocommit (db), FALSE);

  /* Inside the transaction this connection is the only writer, so every row
   * inserted from now on gets a rowid above the largest one there is. */
  sql = g_strdup_printf ("SELECT coalesce(max(rowid), 0) FROM %s", table);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return set_sql_error (db, error);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *mark = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    return set_sql_error (db, error);

  /* The temporary table and trigger belong to this connection and to the
   * transaction: a rollback takes them away with the rest. */
  g_free (sql);
  sql = g_strdup_printf ("DROP TRIGGER %1$s_fts_insert;"
                         "DROP TRIGGER %1$s_fts_update;"
                         "CREATE TEMP TABLE tandem_touched_%1$s (r INTEGER PRIMARY KEY);"
                         "CREATE TEMP TRIGGER tandem_touch_%1$s AFTER UPDATE OF %2$s"
                         " ON main.%1$s BEGIN"
                         " INSERT OR IGNORE INTO tandem_touched_%1$s (r) VALUES (new.rowid);"
                         " END",
                         table, index->watched);
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_sql_error (db, error);

  return TRUE;
}

gboolean
tandem_schema_resume_search (sqlite3     *db,
                             const char  *table,
                             gint64       mark,
                             GError     **error)
{
  const SearchIndex *index = lookup_search_index (table);
  g_autofree char *drop = NULL;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (index != NULL, FALSE);
  g_return_val_if_fail (!sqlite3_get_autocommit (db), FALSE);

  /* The rows inserted and those changed, each from its current values; a
   * tombstoned one only leaves the index. */
  for (guint i = 0; i < G_N_ELEMENTS (index->reindex); i++)
    if (!run_with_mark (db, index->reindex[i], mark, error))
      return FALSE;

  drop = g_strdup_printf ("DROP TRIGGER temp.tandem_touch_%1$s;"
                          "DROP TABLE temp.tandem_touched_%1$s", table);
  if (sqlite3_exec (db, drop, NULL, NULL, NULL) != SQLITE_OK)
    return set_sql_error (db, error);

  for (guint i = 0; i < G_N_ELEMENTS (index->triggers); i++)
    if (!run_with_mark (db, index->triggers[i], mark, error))
      return FALSE;

  return TRUE;
}

GStrv
tandem_schema_pause_indexes (sqlite3     *db,
                             const char  *table,
                             GError     **error)
{
  g_autoptr(GStrvBuilder) creates = g_strv_builder_new ();
  g_autoptr(GPtrArray) drops = g_ptr_array_new_with_free_func (sqlite3_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (table != NULL, NULL);
  g_return_val_if_fail (!sqlite3_get_autocommit (db), NULL);

  /* Indexes SQLite made itself (primary keys) have no SQL; unique ones
   * stay, since without them the load could break their promise. */
  if (sqlite3_prepare_v2 (db, "SELECT name, sql FROM sqlite_schema WHERE type = 'index'"
                              " AND tbl_name = ?1 AND sql IS NOT NULL"
                              " AND sql NOT LIKE 'CREATE UNIQUE %' ORDER BY name",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sql_error (db, error);
      return NULL;
    }

  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (drops, sqlite3_mprintf ("DROP INDEX \"%w\"",
                                               (const char *) sqlite3_column_text (stmt, 0)));
      g_strv_builder_add (creates, (const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      set_sql_error (db, error);
      return NULL;
    }

  for (guint i = 0; i < drops->len; i++)
    if (!run_with_mark (db, g_ptr_array_index (drops, i), 0, error))
      return NULL;

  return g_strv_builder_end (creates);
}

gboolean
tandem_schema_resume_indexes (sqlite3            *db,
                              const char * const *creates,
                              GError            **error)
{
  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (creates != NULL, FALSE);
  g_return_val_if_fail (!sqlite3_get_autocommit (db), FALSE);

  for (guint i = 0; creates[i] != NULL; i++)
    if (!run_with_mark (db, creates[i], 0, error))
      return FALSE;

  return TRUE;
}

int
tandem_schema_get_version (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  g_return_val_if_fail (db != NULL, -1);

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);

  sqlite3_finalize (stmt);
  return version;
}

gboolean
tandem_schema_migrate_step (sqlite3  *db,
                            int       to_version,
                            GError  **error)
{
  g_autofree char *sql = NULL;
  char *message = NULL;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (to_version >= 1 && to_version <= TANDEM_SCHEMA_VERSION, FALSE);

  sql = g_strdup_printf ("BEGIN IMMEDIATE; %s PRAGMA user_version = %d; COMMIT;",
                         migrations[to_version], to_version);

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_MIGRATION,
                   _("Could not update the workspace to schema %d: %s"),
                   to_version, message ? message : sqlite3_errmsg (db));
      sqlite3_free (message);
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  return TRUE;
}
