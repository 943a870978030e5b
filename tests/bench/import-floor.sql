-- import-floor.sql - the writes of a CSV import, done by sqlite3 alone.
--
-- Copyright 2026 Tandem developers
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- bench-import.sh runs this in an empty workspace, on the same file, to
-- show what the rows an import must write cost without any of Tandem's
-- own work (checking rows, matching companies and addresses, scoring):
-- the companies and leads, their change-log entries (a new row travels
-- whole as one JSON object), the undo list, the table indexes and the
-- search index, in one transaction, set-based and with the indexes built
-- once at the end as the import does. Ids are random like Tandem's.
--
-- bench-import.sh also runs it without the blocks between the lines
-- "-- journal and search:" and "-- end", to show what the companies and
-- leads with their indexes cost alone, without the change log, the undo
-- list and the search index.
.import --csv --schema temp leads.csv raw
PRAGMA cache_size = -262144;
BEGIN;
DROP INDEX leads_company; DROP INDEX leads_stage; DROP INDEX leads_owner; DROP INDEX leads_email;
DROP TRIGGER leads_fts_insert; DROP TRIGGER companies_fts_insert;
CREATE TEMP TABLE new_companies AS
  SELECT lower(hex(randomblob(16))) AS id, "Company Name" AS name,
         substr(min(Website), 9) AS domain, min(Website) AS website, min(Industry) AS industry,
         min("Number of Employees") AS employees, min(Country) AS country
  FROM temp.raw GROUP BY "Company Name";
CREATE INDEX temp.new_companies_name ON new_companies (name);
INSERT INTO companies (id, hlc, created_hlc, updated_at, name, domain, industry, employees,
                       country, website, created_at)
  SELECT id, rowid, rowid, 0, name, domain, industry, employees, country, website, 0
  FROM temp.new_companies;
INSERT INTO leads (id, hlc, created_hlc, updated_at, first_name, last_name, email, phone, job_title,
                   company_id, source, stage, stage_entered_at, created_at)
  SELECT lower(hex(randomblob(16))), r.rowid, r.rowid, 0, "First Name", "Last Name", Email,
         "Phone Number", "Job Title", c.id, "Lead Source", 'lead', 0, 0
  FROM temp.raw AS r JOIN temp.new_companies AS c ON c.name = r."Company Name";
-- journal and search:
INSERT INTO change_log (tbl, row_id, field, value, hlc, site)
  SELECT 'companies', id, '*', json_object('name', name, 'domain', domain, 'industry', industry,
         'employees', employees, 'revenue', revenue, 'region', region, 'country', country,
         'website', website, 'created_at', created_at, 'deleted', deleted), hlc, 'site'
  FROM companies;
INSERT INTO change_log (tbl, row_id, field, value, hlc, site)
  SELECT 'leads', id, '*', json_object('first_name', first_name, 'last_name', last_name,
         'email', email, 'phone', phone, 'job_title', job_title, 'seniority', seniority,
         'company_id', company_id, 'source', source, 'channel', channel, 'owner_id', owner_id,
         'stage', stage, 'stage_entered_at', stage_entered_at, 'handoff_at', handoff_at,
         'accepted_at', accepted_at, 'created_at', created_at, 'deleted', deleted), hlc, 'site'
  FROM leads;
INSERT INTO imports (id, imported_at) VALUES ('floor', 0);
INSERT INTO import_created (import_id, tbl, row_ids)
  SELECT 'floor', 'leads', group_concat(id, char(10)) FROM leads GROUP BY rowid / 1000;
INSERT INTO import_created (import_id, tbl, row_ids)
  SELECT 'floor', 'companies', group_concat(id, char(10)) FROM companies GROUP BY rowid / 1000;
-- end
CREATE INDEX leads_company ON leads (company_id);
CREATE INDEX leads_stage ON leads (stage);
CREATE INDEX leads_owner ON leads (owner_id);
CREATE INDEX leads_email ON leads (email COLLATE NOCASE);
-- journal and search:
INSERT INTO companies_fts (rowid, name, domain, industry)
  SELECT rowid, name, domain, industry FROM companies;
INSERT INTO leads_fts (rowid, name, email, job_title, company)
  SELECT l.rowid, coalesce(first_name, '') || ' ' || coalesce(last_name, ''), email, job_title,
         c.name FROM leads AS l JOIN companies AS c ON c.id = l.company_id;
-- end
COMMIT;
