/* tandem-lead-query.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "tandem-lead-query.h"
#include "tandem-pipeline.h"
#include "tandem-store-private.h"

typedef struct _LeadOrder LeadOrder;

static void lead_order_free (LeadOrder *order);


struct _TandemLeadQuery
{
  GObject         parent_instance;

  GStrv           stages;
  char           *owner_id;
  GStrv           grades;
  char           *persona_id;
  char           *source;
  char           *search;
  gboolean        stalled_only;
  TandemLeadSort  sort;
  gboolean        descending;

  /* See tandem_lead_query_set_keep_order(). */
  gboolean        keep_order;
  LeadOrder      *order;
};

G_DEFINE_FINAL_TYPE (TandemLeadQuery, tandem_lead_query, G_TYPE_OBJECT)

/* One ORDER BY key of a sort column. The keys are fixed strings: the SQL
 * of a query is only ever assembled from this table and the filter
 * fragments below, and every value a person chose is bound as a
 * parameter. */
typedef struct
{
  const char *expression;
  guint       flags;
} SortKey;

enum
{
  /* Sorts the same way whichever the direction: the "IS NULL" keys that
   * put empty values last. */
  KEY_FIXED = 1 << 0,
  KEY_NOCASE = 1 << 1,
};

#define MAX_KEYS 3

/* Each sort sorts empty values last whichever the direction, and the
 * rowid, appended to every sort, keeps the order stable between runs and
 * makes it total, so that a row's place can be found again by comparing
 * keys (see compare_keys()). */
static const SortKey sort_keys[][MAX_KEYS] = {
  [TANDEM_LEAD_SORT_NAME] = {
    { "l.last_name IS NULL", KEY_FIXED },
    { "l.last_name", KEY_NOCASE },
    { "l.first_name", KEY_NOCASE },
  },
  [TANDEM_LEAD_SORT_COMPANY] = {
    { "c.name IS NULL", KEY_FIXED },
    { "c.name", KEY_NOCASE },
  },
  [TANDEM_LEAD_SORT_STAGE] = {
    /* Funnel order, then the exits. */
    { "CASE l.stage WHEN '" TANDEM_STAGE_LEAD "' THEN 0"
      " WHEN '" TANDEM_STAGE_MQL "' THEN 1"
      " WHEN '" TANDEM_STAGE_SAL "' THEN 2"
      " WHEN '" TANDEM_STAGE_SQL "' THEN 3"
      " WHEN '" TANDEM_STAGE_OPPORTUNITY "' THEN 4"
      " WHEN '" TANDEM_STAGE_CUSTOMER "' THEN 5"
      " WHEN '" TANDEM_STAGE_NURTURE "' THEN 6"
      " WHEN '" TANDEM_STAGE_DISQUALIFIED "' THEN 7"
      " WHEN '" TANDEM_STAGE_LOST "' THEN 8 ELSE 9 END", 0 },
  },
  [TANDEM_LEAD_SORT_GRADE] = {
    { "l.grade IS NULL", KEY_FIXED },
    { "l.grade", 0 },
  },
  [TANDEM_LEAD_SORT_SCORE] = {
    { "l.score IS NULL", KEY_FIXED },
    { "l.score", 0 },
  },
  [TANDEM_LEAD_SORT_OWNER] = {
    { "m.name IS NULL", KEY_FIXED },
    { "m.name", KEY_NOCASE },
  },
  [TANDEM_LEAD_SORT_SOURCE] = {
    { "l.source IS NULL", KEY_FIXED },
    { "l.source", KEY_NOCASE },
  },
  [TANDEM_LEAD_SORT_LAST_ACTIVITY] = {
    { "l.last_activity_at IS NULL", KEY_FIXED },
    { "l.last_activity_at", 0 },
  },
  /* More days in the stage means an earlier entry, so this sort runs the
   * other way: see sorts_descending(). */
  [TANDEM_LEAD_SORT_DAYS_IN_STAGE] = {
    { "l.stage_entered_at IS NULL", KEY_FIXED },
    { "l.stage_entered_at", 0 },
  },
};

static void
tandem_lead_query_finalize (GObject *object)
{
  TandemLeadQuery *self = TANDEM_LEAD_QUERY (object);

  g_clear_pointer (&self->stages, g_strfreev);
  g_clear_pointer (&self->grades, g_strfreev);
  g_clear_pointer (&self->owner_id, g_free);
  g_clear_pointer (&self->persona_id, g_free);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->search, g_free);
  g_clear_pointer (&self->order, lead_order_free);

  G_OBJECT_CLASS (tandem_lead_query_parent_class)->finalize (object);
}

static void
tandem_lead_query_class_init (TandemLeadQueryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tandem_lead_query_finalize;
}

static void
tandem_lead_query_init (TandemLeadQuery *self)
{
  self->sort = TANDEM_LEAD_SORT_NAME;
}

TandemLeadQuery *
tandem_lead_query_new (void)
{
  return g_object_new (TANDEM_TYPE_LEAD_QUERY, NULL);
}

static GStrv
dup_non_empty (const char * const *items)
{
  if (items == NULL || items[0] == NULL)
    return NULL;

  return g_strdupv ((char **) items);
}

static void
set_string (char       **field,
            const char  *value)
{
  g_free (*field);
  *field = value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

void
tandem_lead_query_set_stages (TandemLeadQuery    *self,
                              const char * const *stages)
{
  g_return_if_fail (TANDEM_IS_LEAD_QUERY (self));

  g_strfreev (self->stages);
  self->stages = dup_non_empty (stages);
}

void
tandem_lead_query_set_owner (TandemLeadQuery *self,
                             const char      *owner_id)
{
  g_return_if_fail (TANDEM_IS_LEAD_QUERY (self));

  set_string (&self->owner_id, owner_id);
}

void
tandem_lead_query_set_grades (TandemLeadQuery    *self,
                              const char * const *grades)
{
  g_return_if_fail (TANDEM_IS_LEAD_QUERY (self));

  g_strfreev (self->grades);
  self->grades = dup_non_empty (grades);
}

void
tandem_lead_query_set_persona (TandemLeadQuery *self,
                               const char      *persona_id)
{
  g_return_if_fail (TANDEM_IS_LEAD_QUERY (self));

  set_string (&self->persona_id, persona_id);
}

void
tandem_lead_query_set_source (TandemLeadQuery *self,
                              const char      *source)
{
  g_return_if_fail (TANDEM_IS_LEAD_QUERY (self));

  set_string (&self->source, source);
}

void
tandem_lead_query_set_stalled_only (TandemLeadQuery *self,
                                    gboolean         stalled_only)
{
  g_return_if_fail (TANDEM_IS_LEAD_QUERY (self));

  self->stalled_only = !!stalled_only;
}

void
tandem_lead_query_set_search (TandemLeadQuery *self,
                              const char      *text)
{
  g_return_if_fail (TANDEM_IS_LEAD_QUERY (self));

  set_string (&self->search, text);
}

void
tandem_lead_query_set_sort (TandemLeadQuery *self,
                            TandemLeadSort   sort,
                            gboolean         descending)
{
  g_return_if_fail (TANDEM_IS_LEAD_QUERY (self));
  g_return_if_fail ((guint) sort < G_N_ELEMENTS (sort_keys));

  self->sort = sort;
  self->descending = !!descending;
}

TandemLeadSort
tandem_lead_query_get_sort (TandemLeadQuery *self,
                            gboolean        *descending)
{
  g_return_val_if_fail (TANDEM_IS_LEAD_QUERY (self), TANDEM_LEAD_SORT_NAME);

  if (descending != NULL)
    *descending = self->descending;

  return self->sort;
}

void
tandem_lead_query_set_keep_order (TandemLeadQuery *self,
                                  gboolean         keep_order)
{
  g_return_if_fail (TANDEM_IS_LEAD_QUERY (self));

  self->keep_order = !!keep_order;
  if (!self->keep_order)
    g_clear_pointer (&self->order, lead_order_free);
}

/* Appends "column IN (?, ?, ...)" with one placeholder per item. */
static void
append_in_list (GString            *sql,
                const char         *column,
                const char * const *items)
{
  g_string_append_printf (sql, " AND %s IN (", column);
  for (guint i = 0; items[i] != NULL; i++)
    g_string_append (sql, i == 0 ? "?" : ", ?");
  g_string_append (sql, ")");
}

/* Whether the sort's keys run downwards. */
static gboolean
sorts_descending (TandemLeadSort sort,
                  gboolean       descending)
{
  return sort == TANDEM_LEAD_SORT_DAYS_IN_STAGE ? !descending : descending;
}

static void
append_joins (GString        *sql,
              TandemLeadSort  sort)
{
  /* Joins only for the sort columns that need them, so the common sorts
   * read the leads table alone. */
  if (sort == TANDEM_LEAD_SORT_COMPANY)
    g_string_append (sql, " LEFT JOIN companies AS c ON c.id = l.company_id");
  else if (sort == TANDEM_LEAD_SORT_OWNER)
    g_string_append (sql, " LEFT JOIN members AS m ON m.id = l.owner_id");
}

static void
append_order_by (GString        *sql,
                 TandemLeadSort  sort,
                 gboolean        descending)
{
  const char *direction = sorts_descending (sort, descending) ? "DESC" : "ASC";

  g_string_append (sql, " ORDER BY ");
  for (guint i = 0; i < MAX_KEYS && sort_keys[sort][i].expression != NULL; i++)
    {
      const SortKey *key = &sort_keys[sort][i];

      g_string_append (sql, key->expression);
      if (key->flags & KEY_NOCASE)
        g_string_append (sql, " COLLATE NOCASE");
      if (!(key->flags & KEY_FIXED))
        g_string_append_printf (sql, " %s", direction);
      g_string_append (sql, ", ");
    }
  g_string_append_printf (sql, "l.rowid %s", direction);
}

/* Appends the sort's keys and the rowid as the columns of a SELECT. */
static void
append_key_columns (GString        *sql,
                    TandemLeadSort  sort)
{
  for (guint i = 0; i < MAX_KEYS && sort_keys[sort][i].expression != NULL; i++)
    g_string_append_printf (sql, "%s, ", sort_keys[sort][i].expression);
  g_string_append (sql, "l.rowid");
}

/* Appends " AND ..." for every filter. The search is a list of rowids when
 * the query lists many leads, and a test of the one row when it checks a
 * single lead: listing every match of "a" to test one row would cost as
 * much as the whole query. */
static void
append_filters (TandemLeadQuery *self,
                GString         *sql,
                const char      *fts_query,
                gboolean         single_row)
{
  if (self->stages != NULL)
    append_in_list (sql, "l.stage", (const char * const *) self->stages);
  if (self->grades != NULL)
    append_in_list (sql, "l.grade", (const char * const *) self->grades);
  if (self->owner_id != NULL)
    g_string_append (sql, " AND l.owner_id = ?");
  if (self->persona_id != NULL)
    g_string_append (sql, " AND l.persona_id = ?");
  if (self->source != NULL)
    g_string_append (sql, " AND l.source = ? COLLATE NOCASE");
  if (self->stalled_only)
    g_string_append (sql, " AND EXISTS (SELECT 1 FROM stage_definitions AS s"
                          " WHERE s.key = l.stage AND s.deleted = 0 AND s.stalled_days > 0"
                          " AND coalesce(l.last_activity_at, l.stage_entered_at, l.created_at, 0)"
                          " < ? - s.stalled_days * " G_STRINGIFY (86400000) ")");
  if (fts_query != NULL && single_row)
    g_string_append (sql, " AND EXISTS (SELECT 1 FROM leads_fts"
                          " WHERE leads_fts MATCH ? AND leads_fts.rowid = l.rowid)");
  else if (fts_query != NULL)
    g_string_append (sql, " AND l.rowid IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH ?)");
}

/* Binds the values of append_filters() from @parameter on. */
static void
bind_filters (TandemLeadQuery *self,
              sqlite3_stmt    *stmt,
              int              parameter,
              gint64           now_ms,
              const char      *fts_query)
{
  for (guint i = 0; self->stages != NULL && self->stages[i] != NULL; i++)
    sqlite3_bind_text (stmt, parameter++, self->stages[i], -1, SQLITE_TRANSIENT);
  for (guint i = 0; self->grades != NULL && self->grades[i] != NULL; i++)
    sqlite3_bind_text (stmt, parameter++, self->grades[i], -1, SQLITE_TRANSIENT);
  if (self->owner_id != NULL)
    sqlite3_bind_text (stmt, parameter++, self->owner_id, -1, SQLITE_TRANSIENT);
  if (self->persona_id != NULL)
    sqlite3_bind_text (stmt, parameter++, self->persona_id, -1, SQLITE_TRANSIENT);
  if (self->source != NULL)
    sqlite3_bind_text (stmt, parameter++, self->source, -1, SQLITE_TRANSIENT);
  if (self->stalled_only)
    sqlite3_bind_int64 (stmt, parameter++, now_ms);
  if (fts_query != NULL)
    sqlite3_bind_text (stmt, parameter++, fts_query, -1, SQLITE_TRANSIENT);
}

/* Sort keys: a row's values of its sort's keys, read from SQLite and
 * compared the way SQLite's ORDER BY compares them, so that a changed
 * row can be put in its place in a listing without sorting it again. */

typedef struct
{
  int     type;
  gint64  integer;
  double  real;
  char   *bytes;
  int     n_bytes;
} KeyValue;

typedef struct
{
  KeyValue values[MAX_KEYS];
  guint    n_values;
  gint64   rowid;
} RowKeys;

static void
row_keys_clear (RowKeys *keys)
{
  for (guint i = 0; i < keys->n_values; i++)
    g_clear_pointer (&keys->values[i].bytes, g_free);
  keys->n_values = 0;
}

/* Reads the columns of append_key_columns() from the current row. */
static void
row_keys_read (RowKeys        *keys,
               sqlite3_stmt   *stmt,
               TandemLeadSort  sort)
{
  guint n = 0;

  while (n < MAX_KEYS && sort_keys[sort][n].expression != NULL)
    {
      KeyValue *value = &keys->values[n];

      value->type = sqlite3_column_type (stmt, n);
      value->bytes = NULL;
      value->n_bytes = 0;
      if (value->type == SQLITE_INTEGER)
        value->integer = sqlite3_column_int64 (stmt, n);
      else if (value->type == SQLITE_FLOAT)
        value->real = sqlite3_column_double (stmt, n);
      else if (value->type == SQLITE_TEXT || value->type == SQLITE_BLOB)
        {
          const void *data = value->type == SQLITE_TEXT
                             ? (const void *) sqlite3_column_text (stmt, n)
                             : sqlite3_column_blob (stmt, n);

          value->n_bytes = sqlite3_column_bytes (stmt, n);
          value->bytes = g_malloc (value->n_bytes + 1);
          if (value->n_bytes > 0)
            memcpy (value->bytes, data, value->n_bytes);
          value->bytes[value->n_bytes] = '\0';
        }
      n++;
    }

  keys->n_values = n;
  keys->rowid = sqlite3_column_int64 (stmt, n);
}

/* SQLite's order of storage classes: NULL, numbers, text, blobs. */
static int
type_rank (int type)
{
  switch (type)
    {
    case SQLITE_NULL:
      return 0;
    case SQLITE_INTEGER:
    case SQLITE_FLOAT:
      return 1;
    case SQLITE_TEXT:
      return 2;
    default:
      return 3;
    }
}

static int
compare_numbers (const KeyValue *a,
                 const KeyValue *b)
{
  double x, y;

  if (a->type == SQLITE_INTEGER && b->type == SQLITE_INTEGER)
    return a->integer < b->integer ? -1 : a->integer > b->integer;

  x = a->type == SQLITE_INTEGER ? (double) a->integer : a->real;
  y = b->type == SQLITE_INTEGER ? (double) b->integer : b->real;
  return x < y ? -1 : x > y;
}

/* The BINARY and NOCASE collations: NOCASE folds ASCII letters only, as
 * sqlite3_strnicmp() does, which SQLite uses for it. */
static int
compare_values (const KeyValue *a,
                const KeyValue *b,
                gboolean        nocase)
{
  int rank_a = type_rank (a->type);
  int rank_b = type_rank (b->type);
  int n = MIN (a->n_bytes, b->n_bytes);
  int result;

  if (rank_a != rank_b)
    return rank_a < rank_b ? -1 : 1;

  switch (rank_a)
    {
    case 0:
      return 0;
    case 1:
      return compare_numbers (a, b);
    default:
      if (rank_a == 2 && nocase)
        result = n > 0 ? sqlite3_strnicmp (a->bytes, b->bytes, n) : 0;
      else
        result = n > 0 ? memcmp (a->bytes, b->bytes, n) : 0;
      if (result == 0)
        result = a->n_bytes - b->n_bytes;
      return result < 0 ? -1 : result > 0;
    }
}

/* Negative when @a comes before @b in the order of @sort. */
static int
compare_keys (const RowKeys  *a,
              const RowKeys  *b,
              TandemLeadSort  sort,
              gboolean        descending)
{
  gboolean down = sorts_descending (sort, descending);

  for (guint i = 0; i < a->n_values && i < b->n_values; i++)
    {
      const SortKey *key = &sort_keys[sort][i];
      int result = compare_values (&a->values[i], &b->values[i], (key->flags & KEY_NOCASE) != 0);

      if (result != 0)
        return down && !(key->flags & KEY_FIXED) ? -result : result;
    }

  if (a->rowid == b->rowid)
    return 0;

  return (a->rowid < b->rowid) != down ? -1 : 1;
}

/* The keys of the lead whose @column ("id" or "rowid") is @value, live or
 * not; FALSE with @error set when there is no such row. */
static gboolean
fetch_keys (TandemStore     *store,
            TandemLeadSort   sort,
            const char      *column,
            const char      *id,
            gint64           rowid,
            RowKeys         *keys,
            GError         **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT ");
  sqlite3_stmt *stmt;
  int rc;

  append_key_columns (sql, sort);
  g_string_append (sql, " FROM leads AS l");
  append_joins (sql, sort);
  g_string_append_printf (sql, " WHERE l.%s = ?", column);

  stmt = tandem_store_prepare_cached (store, sql->str, error);
  if (stmt == NULL)
    return FALSE;

  if (id != NULL)
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, rowid);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    row_keys_read (keys, stmt, sort);
  sqlite3_reset (stmt);

  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc != SQLITE_DONE)
    return tandem_store_set_sql_error (store, error);

  g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_NOT_FOUND,
               "Lead %s is no longer in the workspace", id != NULL ? id : "");
  return FALSE;
}

/* The kept index: every live lead's filtered values, by rowid, and the
 * order of one sort, so that the table's filters and search only have to
 * pick rows out of it in memory (a few milliseconds) instead of reading
 * the leads table and sorting what passes (up to a few hundred for
 * 100,000 leads). It follows the store's change notifications row by row
 * and is read again after another connection wrote to the file. */

/* A live lead of the index. The texts are indices into the index's table
 * of distinct texts, 0 standing for NULL. */
typedef struct
{
  char    *id;
  /* coalesce(last_activity_at, stage_entered_at, created_at, 0), what the
   * stalled filter compares; only meaningful when numeric. */
  double   stalled_since;
  guint32  stage;
  guint32  grade;
  guint32  source;
  guint32  owner;
  guint32  persona;
  guint8   live : 1;
  guint8   numeric_since : 1;
} LeadRow;

struct _LeadOrder
{
  TandemStore    *store;
  gulong          changed_handler;
  gint64          data_version;
  /* LeadRow by rowid. */
  GArray         *rows;
  GPtrArray      *texts;
  GHashTable     *text_indices;
  /* The rowids (guint32) of the live leads in the order of one sort. */
  TandemLeadSort  sort;
  gboolean        descending;
  GArray         *order;
  /* Leads changed since, and the companies or members whose names the
   * sort reads. */
  GHashTable     *pending;
  GHashTable     *pending_parents;
  gboolean        stale;
};

/* Past this many changed rows, reading the index again is cheaper than
 * placing each one. */
#define MAX_PENDING 256

#define LEAD_ROW_COLUMNS "l.rowid, l.id, l.deleted, l.stage, l.grade, l.source, l.owner_id," \
                         " l.persona_id," \
                         " coalesce(l.last_activity_at, l.stage_entered_at, l.created_at, 0)"

static void
lead_row_clear (gpointer data)
{
  g_clear_pointer (&((LeadRow *) data)->id, g_free);
}

static void
lead_order_free (LeadOrder *order)
{
  g_clear_signal_handler (&order->changed_handler, order->store);
  g_clear_object (&order->store);
  g_clear_pointer (&order->rows, g_array_unref);
  g_clear_pointer (&order->text_indices, g_hash_table_unref);
  g_clear_pointer (&order->texts, g_ptr_array_unref);
  g_clear_pointer (&order->order, g_array_unref);
  g_clear_pointer (&order->pending, g_hash_table_unref);
  g_clear_pointer (&order->pending_parents, g_hash_table_unref);
  g_free (order);
}

static void
on_order_store_changed (TandemStore      *store,
                        const char       *table,
                        const char       *row_id,
                        TandemChangeKind  kind,
                        LeadOrder        *order)
{
  GHashTable *rows = NULL;

  if (g_str_equal (table, "leads"))
    rows = order->pending;
  else if ((order->sort == TANDEM_LEAD_SORT_COMPANY && g_str_equal (table, "companies")) ||
           (order->sort == TANDEM_LEAD_SORT_OWNER && g_str_equal (table, "members")))
    rows = order->pending_parents;
  else
    return;

  if (kind == TANDEM_CHANGE_RELOAD || row_id == NULL || g_hash_table_size (rows) >= MAX_PENDING)
    order->stale = TRUE;
  else
    g_hash_table_add (rows, g_strdup (row_id));
}

/* Changes to the file by other connections (a worker thread's, another
 * program's), which send no notification to this store. */
static gint64
read_data_version (TandemStore *store)
{
  sqlite3_stmt *stmt = tandem_store_prepare_cached (store, "PRAGMA data_version", NULL);
  gint64 version = -1;

  if (stmt == NULL)
    return -1;

  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  return version;
}

static guint32
intern_text (LeadOrder    *order,
             sqlite3_stmt *stmt,
             int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);
  gpointer index;

  if (sqlite3_column_type (stmt, column) == SQLITE_NULL || text == NULL)
    return 0;

  if (g_hash_table_lookup_extended (order->text_indices, text, NULL, &index))
    return GPOINTER_TO_UINT (index);

  g_ptr_array_add (order->texts, g_strdup (text));
  g_hash_table_insert (order->text_indices, g_ptr_array_index (order->texts, order->texts->len - 1),
                       GUINT_TO_POINTER (order->texts->len - 1));
  return order->texts->len - 1;
}

/* Stores the row of a LEAD_ROW_COLUMNS statement; FALSE when its rowid is
 * out of the range the index takes. */
static gboolean
store_row (LeadOrder    *order,
           sqlite3_stmt *stmt)
{
  gint64 rowid = sqlite3_column_int64 (stmt, 0);
  LeadRow *row;
  int since_type = sqlite3_column_type (stmt, 8);

  if (rowid < 0 || rowid >= G_MAXUINT32)
    return FALSE;

  if ((guint) rowid >= order->rows->len)
    g_array_set_size (order->rows, rowid + 1);

  row = &g_array_index (order->rows, LeadRow, rowid);
  g_clear_pointer (&row->id, g_free);
  row->live = sqlite3_column_int (stmt, 2) == 0;
  if (!row->live)
    return TRUE;

  row->id = g_strndup ((const char *) sqlite3_column_text (stmt, 1),
                       sqlite3_column_bytes (stmt, 1));
  row->stage = intern_text (order, stmt, 3);
  row->grade = intern_text (order, stmt, 4);
  row->source = intern_text (order, stmt, 5);
  row->owner = intern_text (order, stmt, 6);
  row->persona = intern_text (order, stmt, 7);
  row->numeric_since = since_type == SQLITE_INTEGER || since_type == SQLITE_FLOAT;
  row->stalled_since = sqlite3_column_double (stmt, 8);

  return TRUE;
}

static gboolean
read_order (LeadOrder       *order,
            TandemLeadSort   sort,
            gboolean         descending,
            GError         **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT l.rowid FROM leads AS l");
  sqlite3_stmt *stmt;
  int rc;

  append_joins (sql, sort);
  g_string_append (sql, " WHERE l.deleted = 0");
  append_order_by (sql, sort, descending);

  stmt = tandem_store_prepare_cached (order->store, sql->str, error);
  if (stmt == NULL)
    return FALSE;

  order->sort = sort;
  order->descending = descending;
  g_array_set_size (order->order, 0);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 rowid = sqlite3_column_int64 (stmt, 0);
      guint32 value = (guint32) rowid;

      /* A row added by another connection since the rows were read. */
      if (rowid < 0 || (guint64) rowid >= order->rows->len)
        {
          order->stale = TRUE;
          continue;
        }
      g_array_append_val (order->order, value);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return tandem_store_set_sql_error (order->store, error);

  return TRUE;
}

/* NULL when the workspace's rowids are too sparse for an index by rowid;
 * the query then sorts in SQL every time. */
static LeadOrder *
lead_order_new (TandemStore     *store,
                TandemLeadSort   sort,
                gboolean         descending,
                GError         **error)
{
  LeadOrder *order;
  sqlite3_stmt *stmt;
  gint64 max_rowid = 0, count = 0;
  int rc;

  stmt = tandem_store_prepare_cached (store, "SELECT max(rowid), count(*) FROM leads", error);
  if (stmt == NULL)
    return NULL;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      max_rowid = sqlite3_column_int64 (stmt, 0);
      count = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);

  if (max_rowid >= G_MAXUINT32 / 2 || max_rowid > 4 * count + 65536)
    return NULL;

  order = g_new0 (LeadOrder, 1);
  order->store = g_object_ref (store);
  order->rows = g_array_sized_new (FALSE, TRUE, sizeof (LeadRow), max_rowid + 1);
  g_array_set_clear_func (order->rows, lead_row_clear);
  order->texts = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (order->texts, NULL);
  order->text_indices = g_hash_table_new (g_str_hash, g_str_equal);
  order->order = g_array_sized_new (FALSE, FALSE, sizeof (guint32), count);
  order->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  order->pending_parents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  order->data_version = read_data_version (store);
  order->changed_handler = g_signal_connect (store, "changed",
                                             G_CALLBACK (on_order_store_changed), order);

  stmt = tandem_store_prepare_cached (store, "SELECT " LEAD_ROW_COLUMNS " FROM leads AS l"
                                      " WHERE l.deleted = 0", error);
  if (stmt == NULL)
    {
      lead_order_free (order);
      return NULL;
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (!store_row (order, stmt))
      break;
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      if (rc != SQLITE_ROW)
        tandem_store_set_sql_error (store, error);
      lead_order_free (order);
      return NULL;
    }

  if (!read_order (order, sort, descending, error))
    {
      lead_order_free (order);
      return NULL;
    }

  return order;
}

/* The leads of the companies or members that changed, whose place in a
 * sort by company or owner may have changed with the name. */
static gboolean
add_children_of_pending_parents (LeadOrder  *order,
                                 GError    **error)
{
  const char *sql = order->sort == TANDEM_LEAD_SORT_COMPANY
                    ? "SELECT id FROM leads WHERE company_id = ? AND deleted = 0"
                    : "SELECT id FROM leads WHERE owner_id = ? AND deleted = 0";
  GHashTableIter iter;
  gpointer parent;

  g_hash_table_iter_init (&iter, order->pending_parents);
  while (g_hash_table_iter_next (&iter, &parent, NULL) && !order->stale)
    {
      sqlite3_stmt *stmt = tandem_store_prepare_cached (order->store, sql, error);
      int rc;

      if (stmt == NULL)
        return FALSE;

      sqlite3_bind_text (stmt, 1, parent, -1, SQLITE_TRANSIENT);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          if (g_hash_table_size (order->pending) >= MAX_PENDING)
            {
              order->stale = TRUE;
              break;
            }
          g_hash_table_add (order->pending,
                            g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
        }
      sqlite3_reset (stmt);

      if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return tandem_store_set_sql_error (order->store, error);
    }

  g_hash_table_remove_all (order->pending_parents);
  return TRUE;
}

/* Reads the changed leads again and puts them in their places: all of them
 * out of the order first, so that the rest is in order, then each live one
 * back where its keys go. */
static gboolean
lead_order_apply_pending (LeadOrder  *order,
                          GError    **error)
{
  g_autoptr(GHashTable) changed_rowids = g_hash_table_new (g_direct_hash, g_direct_equal);
  GHashTableIter iter;
  gpointer id;
  guint kept = 0;

  if (g_hash_table_size (order->pending_parents) > 0 &&
      !add_children_of_pending_parents (order, error))
    return FALSE;

  if (order->stale || g_hash_table_size (order->pending) == 0)
    return TRUE;

  /* A changed lead may have been dropped from the order or not be in it
   * yet: its old rowid comes from the rows, its new one from the file. */
  for (guint rowid = 0; rowid < order->rows->len; rowid++)
    {
      LeadRow *row = &g_array_index (order->rows, LeadRow, rowid);

      if (row->id != NULL && g_hash_table_contains (order->pending, row->id))
        {
          g_hash_table_add (changed_rowids, GUINT_TO_POINTER (rowid));
          g_clear_pointer (&row->id, g_free);
          row->live = FALSE;
        }
    }

  g_hash_table_iter_init (&iter, order->pending);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    {
      sqlite3_stmt *stmt;
      int rc;

      stmt = tandem_store_prepare_cached (order->store,
                                          "SELECT " LEAD_ROW_COLUMNS " FROM leads AS l"
                                          " WHERE l.id = ?", error);
      if (stmt == NULL)
        return FALSE;

      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          g_hash_table_add (changed_rowids, GUINT_TO_POINTER (sqlite3_column_int64 (stmt, 0)));
          if (!store_row (order, stmt))
            order->stale = TRUE;
        }
      sqlite3_reset (stmt);

      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return tandem_store_set_sql_error (order->store, error);
    }

  if (order->stale)
    return TRUE;

  for (guint i = 0; i < order->order->len; i++)
    {
      guint32 rowid = g_array_index (order->order, guint32, i);

      if (!g_hash_table_contains (changed_rowids, GUINT_TO_POINTER (rowid)))
        g_array_index (order->order, guint32, kept++) = rowid;
    }
  g_array_set_size (order->order, kept);

  g_hash_table_iter_init (&iter, changed_rowids);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    {
      guint32 rowid = GPOINTER_TO_UINT (id);
      RowKeys keys = { 0, };
      guint low = 0;
      guint high = order->order->len;

      if (rowid >= order->rows->len || !g_array_index (order->rows, LeadRow, rowid).live)
        continue;

      if (!fetch_keys (order->store, order->sort, "rowid", NULL, rowid, &keys, error))
        return FALSE;

      while (low < high)
        {
          guint middle = low + (high - low) / 2;
          RowKeys other = { 0, };

          if (!fetch_keys (order->store, order->sort, "rowid", NULL,
                           g_array_index (order->order, guint32, middle), &other, error))
            {
              row_keys_clear (&keys);
              return FALSE;
            }

          if (compare_keys (&keys, &other, order->sort, order->descending) > 0)
            low = middle + 1;
          else
            high = middle;
          row_keys_clear (&other);
        }

      g_array_insert_val (order->order, low, rowid);
      row_keys_clear (&keys);
    }

  g_hash_table_remove_all (order->pending);
  return TRUE;
}

/* The kept index, brought up to date, in the order of the query's sort;
 * NULL without @error set when the workspace does not suit one. */
static LeadOrder *
ensure_order (TandemLeadQuery  *self,
              TandemStore      *store,
              GError          **error)
{
  LeadOrder *order = self->order;

  if (order != NULL &&
      (order->store != store || order->stale || read_data_version (store) != order->data_version))
    g_clear_pointer (&self->order, lead_order_free);

  if (self->order != NULL && !lead_order_apply_pending (self->order, error))
    {
      g_clear_pointer (&self->order, lead_order_free);
      return NULL;
    }

  if (self->order != NULL && self->order->stale)
    g_clear_pointer (&self->order, lead_order_free);

  /* A new sort needs only the new order; the rows stay. */
  if (self->order != NULL &&
      (self->order->sort != self->sort || self->order->descending != self->descending) &&
      !read_order (self->order, self->sort, self->descending, error))
    {
      g_clear_pointer (&self->order, lead_order_free);
      return NULL;
    }

  if (self->order != NULL && self->order->stale)
    g_clear_pointer (&self->order, lead_order_free);

  if (self->order == NULL)
    self->order = lead_order_new (store, self->sort, self->descending, error);

  return self->order;
}

/* For each distinct text of the index, whether it is one of @values:
 * compared as SQLite's = compares them, NOCASE folding ASCII letters. */
static guint8 *
match_texts (LeadOrder          *order,
             const char * const *values,
             gboolean            nocase)
{
  guint8 *matches = g_malloc0 (order->texts->len);

  for (guint i = 1; i < order->texts->len; i++)
    for (guint j = 0; values[j] != NULL; j++)
      {
        const char *text = g_ptr_array_index (order->texts, i);

        if (nocase ? g_ascii_strcasecmp (text, values[j]) == 0 : strcmp (text, values[j]) == 0)
          matches[i] = 1;
      }

  return matches;
}

/* For each distinct text of the index that names a stage, the time before
 * which a lead in that stage is stalled, from the stage definitions as the
 * SQL filter reads them (any definition of the key may make it stalled). */
static gboolean
read_stalled_before (LeadOrder  *order,
                     gint64      now_ms,
                     double    **before,
                     guint8    **has_before,
                     GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = tandem_store_prepare_cached (order->store,
                                      "SELECT key, max(? - stalled_days * "
                                      G_STRINGIFY (86400000) ") FROM stage_definitions"
                                      " WHERE deleted = 0 AND stalled_days > 0 GROUP BY key",
                                      error);
  if (stmt == NULL)
    return FALSE;

  *before = g_new0 (double, order->texts->len);
  *has_before = g_malloc0 (order->texts->len);

  sqlite3_bind_int64 (stmt, 1, now_ms);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gpointer index;
      int type = sqlite3_column_type (stmt, 1);

      if (sqlite3_column_text (stmt, 0) != NULL &&
          (type == SQLITE_INTEGER || type == SQLITE_FLOAT) &&
          g_hash_table_lookup_extended (order->text_indices, sqlite3_column_text (stmt, 0),
                                        NULL, &index))
        {
          (*before)[GPOINTER_TO_UINT (index)] = sqlite3_column_double (stmt, 1);
          (*has_before)[GPOINTER_TO_UINT (index)] = 1;
        }
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      g_clear_pointer (before, g_free);
      g_clear_pointer (has_before, g_free);
      return tandem_store_set_sql_error (order->store, error);
    }

  return TRUE;
}

static guint32
find_text (LeadOrder  *order,
           const char *text)
{
  gpointer index;

  if (g_hash_table_lookup_extended (order->text_indices, text, NULL, &index))
    return GPOINTER_TO_UINT (index);

  /* No lead has it: nothing matches. */
  return G_MAXUINT32;
}

/* Picks the leads that pass the filters out of the kept index: the same
 * leads, in the same order, as the SQL of tandem_lead_query_run() selects
 * without it (tests/core/test-record-list.c holds them to that). */
static GPtrArray *
run_on_order (TandemLeadQuery  *self,
              LeadOrder        *order,
              gint64            now_ms,
              const char       *fts_query,
              GError          **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_full (order->order->len, g_free);
  g_autofree guint8 *stages = NULL;
  g_autofree guint8 *grades = NULL;
  g_autofree guint8 *sources = NULL;
  g_autofree guint8 *found = NULL;
  g_autofree double *stalled_before = NULL;
  g_autofree guint8 *has_stalled_before = NULL;
  guint32 owner = 0, persona = 0;

  if (self->stages != NULL)
    stages = match_texts (order, (const char * const *) self->stages, FALSE);
  if (self->grades != NULL)
    grades = match_texts (order, (const char * const *) self->grades, FALSE);
  if (self->source != NULL)
    sources = match_texts (order, (const char * const[]) { self->source, NULL }, TRUE);
  if (self->owner_id != NULL)
    owner = find_text (order, self->owner_id);
  if (self->persona_id != NULL)
    persona = find_text (order, self->persona_id);
  if (self->stalled_only &&
      !read_stalled_before (order, now_ms, &stalled_before, &has_stalled_before, error))
    return NULL;

  if (fts_query != NULL)
    {
      sqlite3_stmt *stmt = tandem_store_prepare_cached (order->store,
                                                        "SELECT rowid FROM leads_fts"
                                                        " WHERE leads_fts MATCH ?", error);
      int rc;

      if (stmt == NULL)
        return NULL;

      found = g_malloc0 (order->rows->len);
      sqlite3_bind_text (stmt, 1, fts_query, -1, SQLITE_TRANSIENT);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 rowid = sqlite3_column_int64 (stmt, 0);

          if (rowid >= 0 && (guint64) rowid < order->rows->len)
            found[rowid] = 1;
        }
      sqlite3_reset (stmt);

      if (rc != SQLITE_DONE)
        {
          tandem_store_set_sql_error (order->store, error);
          return NULL;
        }
    }

  for (guint i = 0; i < order->order->len; i++)
    {
      guint32 rowid = g_array_index (order->order, guint32, i);
      const LeadRow *row = &g_array_index (order->rows, LeadRow, rowid);

      /* Restored by another connection since the rows were read; the
       * next run reads them again (see read_data_version()). */
      if (row->id == NULL)
        continue;

      if ((stages != NULL && !stages[row->stage]) ||
          (grades != NULL && !grades[row->grade]) ||
          (sources != NULL && !sources[row->source]) ||
          (self->owner_id != NULL && row->owner != owner) ||
          (self->persona_id != NULL && row->persona != persona) ||
          (found != NULL && !found[rowid]))
        continue;

      if (self->stalled_only &&
          !(has_stalled_before[row->stage] && row->numeric_since &&
            row->stalled_since < stalled_before[row->stage]))
        continue;

      g_ptr_array_add (ids, g_strdup (row->id));
    }

  return g_steal_pointer (&ids);
}

GPtrArray *
tandem_lead_query_run (TandemLeadQuery  *self,
                       TandemStore      *store,
                       gint64            now_ms,
                       GError          **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT l.id FROM leads AS l");
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *fts_query = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (TANDEM_IS_LEAD_QUERY (self), NULL);
  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (now_ms <= 0)
    now_ms = g_get_real_time () / 1000;

  fts_query = tandem_store_build_fts_query (self->search);

  if (self->keep_order)
    {
      g_autoptr(GError) local_error = NULL;
      LeadOrder *order = ensure_order (self, store, &local_error);

      if (order != NULL)
        return run_on_order (self, order, now_ms, fts_query, error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  append_joins (sql, self->sort);
  g_string_append (sql, " WHERE l.deleted = 0");
  append_filters (self, sql, fts_query, FALSE);
  append_order_by (sql, self->sort, self->descending);

  stmt = tandem_store_prepare_cached (store, sql->str, error);
  if (stmt == NULL)
    return NULL;
  bind_filters (self, stmt, 1, now_ms, fts_query);

  ids = g_ptr_array_new_with_free_func (g_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strndup ((const char *) sqlite3_column_text (stmt, 0),
                                     sqlite3_column_bytes (stmt, 0)));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (store, error);
      return NULL;
    }

  return g_steal_pointer (&ids);
}

gboolean
tandem_lead_query_locate (TandemLeadQuery  *self,
                          TandemStore      *store,
                          gint64            now_ms,
                          const char       *id,
                          GPtrArray        *ids,
                          guint            *position,
                          GError          **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT ");
  g_autofree char *fts_query = NULL;
  RowKeys keys = { 0, };
  sqlite3_stmt *stmt;
  guint low = 0;
  guint high;
  int rc;

  g_return_val_if_fail (TANDEM_IS_LEAD_QUERY (self), FALSE);
  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (ids != NULL, FALSE);
  g_return_val_if_fail (position != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (now_ms <= 0)
    now_ms = g_get_real_time () / 1000;

  fts_query = tandem_store_build_fts_query (self->search);

  /* One statement tells whether the lead passes the filters and reads its
   * keys. */
  append_key_columns (sql, self->sort);
  g_string_append (sql, " FROM leads AS l");
  append_joins (sql, self->sort);
  g_string_append (sql, " WHERE l.id = ? AND l.deleted = 0");
  append_filters (self, sql, fts_query, TRUE);

  stmt = tandem_store_prepare_cached (store, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  bind_filters (self, stmt, 2, now_ms, fts_query);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    row_keys_read (&keys, stmt, self->sort);
  sqlite3_reset (stmt);

  if (rc == SQLITE_DONE)
    {
      *position = G_MAXUINT;
      return TRUE;
    }
  if (rc != SQLITE_ROW)
    return tandem_store_set_sql_error (store, error);

  /* The first listed lead that comes after it. */
  high = ids->len;
  while (low < high)
    {
      guint middle = low + (high - low) / 2;
      RowKeys other = { 0, };

      if (!fetch_keys (store, self->sort, "id", g_ptr_array_index (ids, middle), 0, &other, error))
        {
          row_keys_clear (&keys);
          return FALSE;
        }

      if (compare_keys (&keys, &other, self->sort, self->descending) > 0)
        low = middle + 1;
      else
        high = middle;
      row_keys_clear (&other);
    }

  row_keys_clear (&keys);
  *position = low;
  return TRUE;
}

static GPtrArray *
list_query_ids (TandemStore  *store,
                gpointer      user_data,
                GError      **error)
{
  return tandem_lead_query_run (user_data, store, 0, error);
}

static gboolean
locate_query_row (TandemStore  *store,
                  const char   *id,
                  GPtrArray    *ids,
                  guint        *position,
                  gpointer      user_data,
                  GError      **error)
{
  return tandem_lead_query_locate (user_data, store, 0, id, ids, position, error);
}

TandemRecordList *
tandem_lead_query_create_list (TandemLeadQuery *self,
                               TandemStore     *store)
{
  TandemRecordList *list;

  g_return_val_if_fail (TANDEM_IS_LEAD_QUERY (self), NULL);
  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);

  list = tandem_record_list_new (store, TANDEM_TYPE_LEAD);
  tandem_record_list_set_locate_func (list, locate_query_row);
  tandem_record_list_set_ids_func (list, list_query_ids, g_object_ref (self), g_object_unref);

  return list;
}

GPtrArray *
tandem_lead_query_list_sources (TandemStore  *store,
                                GError      **error)
{
  g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);

  stmt = tandem_store_prepare_cached (store,
                                      "SELECT DISTINCT source FROM leads WHERE deleted = 0"
                                      " AND source IS NOT NULL ORDER BY source COLLATE NOCASE",
                                      error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (sources, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      tandem_store_set_sql_error (store, error);
      return NULL;
    }

  return g_steal_pointer (&sources);
}

gboolean
tandem_lead_query_read_company_names (TandemStore  *store,
                                      GHashTable   *names,
                                      GError      **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (names != NULL, FALSE);

  stmt = tandem_store_prepare_cached (store,
                                      "SELECT id, name FROM companies WHERE deleted = 0",
                                      error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 1);

      g_hash_table_replace (names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                            g_strdup (name != NULL ? name : ""));
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return tandem_store_set_sql_error (store, error);

  return TRUE;
}
