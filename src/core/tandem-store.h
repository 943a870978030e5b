/* tandem-store.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tandem-record.h"

G_BEGIN_DECLS

#define TANDEM_STORE_ERROR (tandem_store_error_quark ())

typedef enum
{
  TANDEM_STORE_ERROR_OPEN,
  TANDEM_STORE_ERROR_NEWER_SCHEMA,
  TANDEM_STORE_ERROR_MIGRATION,
  TANDEM_STORE_ERROR_SQL,
  TANDEM_STORE_ERROR_NOT_FOUND,
  TANDEM_STORE_ERROR_INVALID,
} TandemStoreError;

typedef enum
{
  TANDEM_CHANGE_ADDED,
  TANDEM_CHANGE_UPDATED,
  TANDEM_CHANGE_REMOVED,
  /* Too many rows changed to name them: reload the whole table. */
  TANDEM_CHANGE_RELOAD,
} TandemChangeKind;

#define TANDEM_TYPE_STORE (tandem_store_get_type ())

G_DECLARE_FINAL_TYPE (TandemStore, tandem_store, TANDEM, STORE, GObject)

GQuark        tandem_store_error_quark         (void);
char         *tandem_store_default_path        (void);

TandemStore  *tandem_store_open                (const char     *path,
                                                GError        **error);
const char   *tandem_store_get_path            (TandemStore    *self);
int           tandem_store_get_schema_version  (TandemStore    *self);
const char   *tandem_store_get_site_id         (TandemStore    *self);
const char   *tandem_store_get_current_member  (TandemStore    *self);
void          tandem_store_set_current_member  (TandemStore    *self,
                                                const char     *member_id);

/* Groups many writes in one transaction. Change notifications are sent
 * after the commit; nothing is sent when the transaction rolls back. */
gboolean      tandem_store_begin               (TandemStore    *self,
                                                GError        **error);
gboolean      tandem_store_commit              (TandemStore    *self,
                                                GError        **error);
void          tandem_store_rollback            (TandemStore    *self);

/* The mutation path: every write to a synced table goes through these. */
gboolean      tandem_store_save                (TandemStore    *self,
                                                TandemRecord   *record,
                                                GError        **error);
gboolean      tandem_store_delete              (TandemStore    *self,
                                                TandemRecord   *record,
                                                GError        **error);
gboolean      tandem_store_undelete            (TandemStore    *self,
                                                GType           record_type,
                                                const char     *id,
                                                GError        **error);

/* Reads. Tombstoned rows are never returned. */
gpointer      tandem_store_get                 (TandemStore    *self,
                                                GType           record_type,
                                                const char     *id,
                                                GError        **error);
/* Any synced table by name (assets, deals, goals...), as a plain record. */
TandemRecord *tandem_store_get_row             (TandemStore    *self,
                                                const char     *table,
                                                const char     *id,
                                                GError        **error);
/* The live rows of any synced table by name, in the table's order. */
GPtrArray    *tandem_store_list_rows           (TandemStore    *self,
                                                const char     *table,
                                                GError        **error);
/* Another connection (a worker thread's, an import's) wrote to @table:
 * listeners of this store reload it. */
void          tandem_store_notify_external_change (TandemStore *self,
                                                   const char  *table);
/* The same for the rows another connection changed, when it knows them:
 * @changes maps a table name to a #GHashTable of row id → TandemChangeKind
 * (GINT_TO_POINTER), or to %NULL when the whole table changed. Listeners
 * hear of those rows only, then one #TandemStore::committed. */
void          tandem_store_notify_external_rows   (TandemStore *self,
                                                   GHashTable  *changes);
GPtrArray    *tandem_store_list                (TandemStore    *self,
                                                GType           record_type,
                                                GError        **error);
/* Full-text search over leads, companies, personas and assets: every word
 * of @text must match the start of a word in the row. */
GPtrArray    *tandem_store_search              (TandemStore    *self,
                                                GType           record_type,
                                                const char     *text,
                                                GError        **error);
gint64        tandem_store_count               (TandemStore    *self,
                                                const char     *table);

/* Workspace settings (currency, business hours, time zone...), synced. */
char         *tandem_store_get_setting         (TandemStore    *self,
                                                const char     *key,
                                                const char     *default_value);
gboolean      tandem_store_set_setting         (TandemStore    *self,
                                                const char     *key,
                                                const char     *value,
                                                GError        **error);

/* Backups: a consistent copy of the whole database (VACUUM INTO). */
gboolean      tandem_store_backup              (TandemStore    *self,
                                                const char     *destination,
                                                GError        **error);

G_END_DECLS
