/* tandem-sync-state.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tandem-store.h"

G_BEGIN_DECLS

#define TANDEM_SYNC_ERROR (tandem_sync_error_quark ())

typedef enum
{
  TANDEM_SYNC_ERROR_INVALID,    /* a change that does not fit the schema */
  TANDEM_SYNC_ERROR_NOT_FOUND,  /* an unknown or already resolved conflict */
} TandemSyncError;

GQuark        tandem_sync_error_quark  (void);

/* The desktop side of sync (doc/sync-protocol.md), without any networking:
 * reading the outbox, applying remote changes with the merge rule, and the
 * conflicts list. src/sync moves these over HTTP. */

typedef struct
{
  gint64  seq;         /* the server's sequence (pulled), or the local change_log seq */
  char   *table;
  char   *row_id;
  char   *field;       /* a field, "deleted", or "*" for a whole new row */
  char   *value_json;  /* the value as JSON text: a string, number, null, or for "*" an object */
  gint64  hlc;
  char   *site;
  gint64  base_hlc;
} TandemChange;

TandemChange *tandem_change_new        (void);
TandemChange *tandem_change_copy       (const TandemChange *change);
void          tandem_change_free       (TandemChange       *change);

/* Whether (hlc_a, site_a) beats (hlc_b, site_b): the merge rule. */
gboolean      tandem_sync_wins         (gint64              hlc_a,
                                        const char         *site_a,
                                        gint64              hlc_b,
                                        const char         *site_b);

/* The outbox: local changes not yet acknowledged by the server, oldest
 * first, at most @limit (TandemChange, seq = local change_log seq). */
GPtrArray    *tandem_sync_read_outbox  (TandemStore        *store,
                                        guint               limit,
                                        GError            **error);
gint64        tandem_sync_count_outbox (TandemStore        *store);
/* After the server answered a batch: its entries up to @last_seq leave the
 * outbox. */
gboolean      tandem_sync_mark_pushed  (TandemStore        *store,
                                        gint64              last_seq,
                                        GError            **error);

/* The server sequence up to which this desktop has applied (0: never). */
gint64        tandem_sync_get_cursor   (TandemStore        *store);
/* After a push whose answer says that every change after @from up to @to
 * is this desktop's own: moves the cursor from @from to @to, as pulling
 * them would have (they would all be skipped). Only a cursor still at
 * @from moves; *@moved says whether it did. */
gboolean      tandem_sync_skip_own_changes (TandemStore    *store,
                                            gint64          from,
                                            gint64          to,
                                            gboolean       *moved,
                                            GError        **error);

/* The other client state of the meta table ("sync_server", "sync_last_ok"):
 * NULL when unset. */
char         *tandem_sync_get_meta     (TandemStore        *store,
                                        const char         *key);
gboolean      tandem_sync_set_meta     (TandemStore        *store,
                                        const char         *key,
                                        const char         *value,
                                        GError            **error);

typedef struct
{
  guint applied;      /* changes that won and were written */
  guint superseded;   /* changes that lost to a newer local value */
  guint conflicts;    /* of those, recorded as conflicts */
  guint skipped;      /* this desktop's own changes coming back */
} TandemSyncApplyStats;

/* Applies a page of pulled changes in one transaction with the merge rule
 * (per field, highest (hlc, site) wins; insert-only rows are idempotent),
 * records conflicts, advances the local clock past every remote stamp,
 * recomputes the derived fields of the leads touched, and stores @cursor as
 * the new cursor in the same transaction. Validates every change first
 * (known table and field, value of the right type); an invalid one rejects
 * the page with nothing written. Emits the store's change notifications. */
gboolean      tandem_sync_apply        (TandemStore          *store,
                                        GPtrArray            *changes,
                                        gint64                cursor,
                                        TandemSyncApplyStats *stats,
                                        GError              **error);

/* Replaces the replicated state with a snapshot: @changes holds one change
 * per field of every row (as the server keeps them), applied with the merge
 * rule so that local changes not yet pushed survive, then @cursor stored. */
gboolean      tandem_sync_apply_snapshot (TandemStore          *store,
                                          GPtrArray            *changes,
                                          gint64                cursor,
                                          GError              **error);

/* A snapshot applied row by row as it streams in (doc/sync-protocol.md,
 * "GET /v1/snapshot"): one transaction from begin to commit, so that a
 * snapshot that breaks off or holds a bad row leaves the workspace as it
 * was. Rows this desktop lacks are inserted with their clocks in bulk;
 * rows it has are merged field by field with the merge rule, so that
 * local changes not yet pushed survive. */

typedef enum
{
  TANDEM_SYNC_VALUE_NULL,
  TANDEM_SYNC_VALUE_INT,
  TANDEM_SYNC_VALUE_TEXT,
} TandemSyncValueKind;

typedef struct
{
  TandemSyncValueKind  kind;
  gint64               number;  /* INT */
  const char          *text;    /* TEXT: UTF-8 without NUL bytes, NUL-terminated */
  gsize                length;  /* TEXT: bytes of @text */
} TandemSyncValue;

/* The clock of one column whose clock is not the row's creation clock. */
typedef struct
{
  guint       column;
  gint64      hlc;
  const char *site;
} TandemSyncClock;

/* One row, its values in the order of the columns given to
 * tandem_sync_snapshot_table(). (hlc, site) is the clock of every column
 * not listed in @clocks; (0, "") stands for a row the server only knows
 * from changes to some of its fields. */
typedef struct
{
  const char            *row_id;
  gint64                 hlc;
  const char            *site;
  const TandemSyncValue *values;
  guint                  n_values;
  const TandemSyncClock *clocks;
  guint                  n_clocks;
} TandemSyncRow;

typedef struct _TandemSyncSnapshot TandemSyncSnapshot;

/* Opens the transaction. Call it outside any transaction of @store: it
 * checks references once at the end rather than row by row, which needs
 * the foreign key setting of the connection changed. */
TandemSyncSnapshot *tandem_sync_snapshot_begin  (TandemStore          *store,
                                                 GError              **error);
/* The table the following rows belong to, and their columns: fields of
 * the table that are synced, and "deleted". */
gboolean      tandem_sync_snapshot_table   (TandemSyncSnapshot   *snapshot,
                                            const char           *table,
                                            const char * const   *columns,
                                            guint                 n_columns,
                                            GError              **error);
/* Checks one row against the schema and applies it. A row that does not
 * fit fails with TANDEM_SYNC_ERROR_INVALID; the caller then aborts. */
gboolean      tandem_sync_snapshot_row     (TandemSyncSnapshot   *snapshot,
                                            const TandemSyncRow  *row,
                                            GError              **error);
/* Rows inserted so far, and rows that were here already and merged. */
void          tandem_sync_snapshot_get_counts (TandemSyncSnapshot *snapshot,
                                               guint64            *inserted,
                                               guint64            *merged);
/* Fills in what every desktop computes for itself (activity times, scores),
 * checks that every reference points at a row, stores @cursor and commits;
 * on failure everything is rolled back. Frees @snapshot either way. The
 * caller may write through @store (tandem_sync_set_meta...) between the
 * last row and this call: it is the same transaction. */
gboolean      tandem_sync_snapshot_commit  (TandemSyncSnapshot   *snapshot,
                                            gint64                cursor,
                                            GError              **error);
/* Rolls everything back and frees @snapshot. */
void          tandem_sync_snapshot_abort   (TandemSyncSnapshot   *snapshot);

/* Conflicts: rows of the local conflicts table not yet resolved. */
typedef struct
{
  gint64  id;
  char   *table;
  char   *row_id;
  char   *field;
  char   *kept_value_json;
  gint64  kept_hlc;
  char   *kept_site;
  char   *other_value_json;
  gint64  other_hlc;
  char   *other_site;
  gint64  detected_at;
} TandemConflict;

void          tandem_conflict_free          (TandemConflict  *conflict);
GPtrArray    *tandem_sync_list_conflicts    (TandemStore     *store,
                                             GError         **error);
gint64        tandem_sync_count_conflicts   (TandemStore     *store);
/* The name a person knows the conflict's row by (a lead's full name,
 * otherwise its name, title or key), deleted rows too; NULL when this
 * desktop lacks the row or it has no name. */
char         *tandem_sync_dup_conflict_row_name (TandemStore          *store,
                                                 const TandemConflict *conflict);
/* Keeps the value that won (marks resolved) or restores the other one as
 * a new local edit through the mutation path. An edit against a delete is
 * a conflict of the "deleted" field (kept "1", other "0"): keeping the
 * other side restores the row, with the edit. */
gboolean      tandem_sync_resolve_conflict  (TandemStore     *store,
                                             gint64           conflict_id,
                                             gboolean         keep_other,
                                             GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TandemChange, tandem_change_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TandemConflict, tandem_conflict_free)

G_END_DECLS
