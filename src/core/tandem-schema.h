/* tandem-schema.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* The newest schema this build reads and writes. */
#define TANDEM_SCHEMA_VERSION 5

/* The schema of what sync sends: the synced tables and their fields. A
 * push or snapshot names it, and the server takes only its own. Versions
 * of the local schema that change no synced table or field leave it. */
#define TANDEM_SYNC_SCHEMA_VERSION 4

typedef enum
{
  TANDEM_FIELD_TEXT,   /* UTF-8 text, may be NULL */
  TANDEM_FIELD_LIST,   /* a list of short texts, stored one per line */
  TANDEM_FIELD_REF,    /* the id of a row in another table, may be NULL */
  TANDEM_FIELD_INT,    /* counts, money in minor units, UTC milliseconds */
  TANDEM_FIELD_BOOL,
} TandemFieldType;

typedef struct
{
  const char      *name;
  TandemFieldType  type;
  /* The value a new record starts with (text, or a number in decimal),
   * or NULL for none. */
  const char      *default_value;
  /* Derived fields (scores, grade, best match, last activity) are computed
   * on every desktop from synced data: records read them, but saving never
   * writes or logs them. Their owner (scoring, pipeline) updates them. */
  gboolean         derived;
} TandemFieldSpec;

/* Describes one synced table: the fields the mutation path writes. Every
 * synced table also has the bookkeeping columns id, deleted, hlc,
 * updated_at and updated_by, which are not listed here. */
typedef struct
{
  const char            *name;
  const TandemFieldSpec *fields;
  guint                  n_fields;
  /* Rows of insert-only tables (activities, stage history) never change,
   * so they are logged whole and never conflict. */
  gboolean               insert_only;
  /* ORDER BY clause used by lists, never built from input. */
  const char            *order_by;
} TandemTableSpec;

const TandemTableSpec  *tandem_schema_lookup        (const char            *table);
const TandemTableSpec **tandem_schema_tables        (guint                 *n_tables);
int                     tandem_table_spec_field_index (const TandemTableSpec *spec,
                                                      const char            *field);

/* Migrations, used by TandemStore. Each step runs in its own transaction. */
int                     tandem_schema_get_version   (sqlite3               *db);
gboolean                tandem_schema_migrate_step  (sqlite3               *db,
                                                     int                    to_version,
                                                     GError               **error);

/* For writing many rows of @table (leads, companies, personas or assets)
 * inside a transaction: its search index stops following each insert and
 * update, and tandem_schema_resume_search(), called before the transaction
 * commits, indexes every row inserted or changed since in one pass. @mark
 * remembers where the new rows start. A rolled back transaction undoes the
 * pause by itself. */
gboolean                tandem_schema_pause_search  (sqlite3               *db,
                                                     const char            *table,
                                                     gint64                *mark,
                                                     GError               **error);
gboolean                tandem_schema_resume_search (sqlite3               *db,
                                                     const char            *table,
                                                     gint64                 mark,
                                                     GError               **error);

/* For a load that adds more rows to @table than it holds: inside a
 * transaction, drops its secondary indexes (neither primary keys nor
 * unique ones), which are far cheaper to build again in one sorted pass
 * than to update row by row, and returns the statements that create them,
 * for tandem_schema_resume_indexes() before the transaction commits. */
GStrv                   tandem_schema_pause_indexes (sqlite3               *db,
                                                     const char            *table,
                                                     GError               **error);
gboolean                tandem_schema_resume_indexes (sqlite3              *db,
                                                      const char * const   *creates,
                                                      GError              **error);

G_END_DECLS
