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
#define TANDEM_SCHEMA_VERSION 4

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

G_END_DECLS
