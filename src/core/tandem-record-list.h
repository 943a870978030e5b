/* tandem-record-list.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tandem-store.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_RECORD_LIST (tandem_record_list_get_type ())

/* A GListModel of the live (not deleted) rows of one table, in the table's
 * order, optionally narrowed by a full-text search. It holds only the ids
 * and loads rows when asked for them, so it stays cheap for 100,000 leads.
 * It follows the store's change notifications and emits items-changed for
 * the rows that changed. */
G_DECLARE_FINAL_TYPE (TandemRecordList, tandem_record_list, TANDEM, RECORD_LIST, GObject)

/* Lists the ids of the rows to show, in order; NULL with @error set on
 * failure. Used for lists narrowed and sorted by a query (a board column,
 * the lead table), which SQL sorts far faster than a sort model could. */
typedef GPtrArray *(*TandemRecordIdsFunc) (TandemStore  *store,
                                           gpointer      user_data,
                                           GError      **error);

/* Where the row @id goes in @ids, the current listing from which @id has
 * been taken out: TRUE with its @position, TRUE with G_MAXUINT when the
 * row is not listed any more, FALSE with @error when that cannot be told.
 * Called with the user data of the ids function. */
typedef gboolean (*TandemRecordLocateFunc) (TandemStore  *store,
                                            const char   *id,
                                            GPtrArray    *ids,
                                            guint        *position,
                                            gpointer      user_data,
                                            GError      **error);

TandemRecordList *tandem_record_list_new        (TandemStore      *store,
                                                 GType             record_type);
TandemRecordList *tandem_record_list_new_with_ids_func (TandemStore         *store,
                                                       GType                record_type,
                                                       TandemRecordIdsFunc  func,
                                                       gpointer             user_data,
                                                       GDestroyNotify       destroy);
/* Takes its ids from @func instead of the whole table; the search text is
 * then ignored (the query has its own). Call tandem_record_list_refresh()
 * after the query's parameters change. */
void              tandem_record_list_set_ids_func (TandemRecordList    *self,
                                                   TandemRecordIdsFunc  func,
                                                   gpointer             user_data,
                                                   GDestroyNotify       destroy);
/* With a locate function, a commit that changed a few rows moves, adds or
 * removes just those rows instead of running the ids function again: a
 * lookup or two per changed row instead of a query over the whole table.
 * The rows the function places must be in the order of the ids
 * function's listing. */
void              tandem_record_list_set_locate_func (TandemRecordList       *self,
                                                      TandemRecordLocateFunc  func);
/* How many rows the view shows the list with binds around where it looks,
 * which the list reads in one query when the view jumps to a far place: 200
 * for GTK 4.8's list and column views, whatever their height; by default
 * 32, a screenful of a board column's grid view. At most 200. */
void              tandem_record_list_set_jump_rows (TandemRecordList *self,
                                                    guint             rows);
void              tandem_record_list_refresh    (TandemRecordList *self);
TandemStore      *tandem_record_list_get_store  (TandemRecordList *self);
GType             tandem_record_list_get_record_type (TandemRecordList *self);
const char       *tandem_record_list_get_search (TandemRecordList *self);
void              tandem_record_list_set_search (TandemRecordList *self,
                                                 const char       *text);
/* The position of the row with @id, or G_MAXUINT when it is not listed. */
guint             tandem_record_list_find       (TandemRecordList *self,
                                                 const char       *id);

G_END_DECLS
