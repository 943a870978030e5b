/* tandem-record-list.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "tandem-record-list.h"
#include "tandem-store-private.h"

/* The rows read where nothing around was loaded, as when a view first
 * shows the list or jumps to a far place (dragging the scrollbar), unless
 * the view says how many it binds (tandem_record_list_set_jump_rows()): a
 * board column, a one-column GtkGridView, binds a screenful of cards. */
#define DEFAULT_JUMP_ROWS 32

/* The most rows one query reads: the 200 rows GTK 4.8's list and column
 * views bind around where they look (GTK_LIST_VIEW_MAX_LIST_ITEMS). */
#define MAX_PAGE_SIZE 200

/* The rows read when a view scrolls on from the rows loaded: a wheel or a
 * fling asks for a few rows a frame, and short pages spread the reads over
 * the frames instead of spending one frame on a couple of hundred. */
#define SCROLL_PAGE_SIZE 32

/* How many of the rows read last the list keeps alive by itself, whoever
 * else holds them: the rows around where the views are looking, a couple of
 * list views' worth. Past that, a row stays loaded only while someone holds
 * it, so scrolling through 100,000 leads does not keep 100,000 records in
 * memory. */
#define KEPT_RECORDS 512

struct _TandemRecordList
{
  GObject                parent_instance;

  TandemStore           *store;
  GType                  record_type;
  const TandemTableSpec *spec;
  char                  *search;
  GPtrArray             *ids;
  /* Rows already read, by id, each behind a GWeakRef, so that asking
   * twice for the same position gives the same object until the row
   * changes, for as long as anyone holds it. Entries of rows nobody holds
   * any more are swept out once the table grows past sweep_at. */
  GHashTable            *loaded;
  guint                  sweep_at;
  /* The last KEPT_RECORDS rows read, strong references in a ring, oldest
   * at kept_next once it is full. */
  GPtrArray             *kept;
  guint                  kept_next;
  /* The query that reads a page, made on first use. */
  char                  *page_sql;
  /* How many rows a jump reads in one query. */
  guint                  jump_rows;
  gulong                 changed_handler;
  gulong                 committed_handler;
  /* Rows the store reported changed since its last commit notice, and
   * whether it asked for a reload of the whole table. */
  GHashTable            *pending_ids;
  gboolean               pending_all;
  TandemRecordIdsFunc    ids_func;
  gpointer               ids_data;
  GDestroyNotify         ids_destroy;
  TandemRecordLocateFunc locate_func;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TandemRecordList, tandem_record_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_RECORD_TYPE,
  PROP_SEARCH,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GPtrArray *list_ids (TandemRecordList *self, GError **error);

/* Past this many rows changed by one commit, running the query once is
 * cheaper than placing each row. */
#define MAX_LOCATED_ROWS 64

/* The first listing waits for the first question, so that a list given
 * its ids function right after construction runs only that query. */
static void
ensure_ids (TandemRecordList *self)
{
  g_autoptr(GError) error = NULL;

  if (self->ids != NULL)
    return;

  self->ids = list_ids (self, &error);
  if (self->ids == NULL)
    {
      g_warning ("Could not list %s: %s", self->spec->name, error->message);
      self->ids = g_ptr_array_new_with_free_func (g_free);
    }
}

static GType
tandem_record_list_get_item_type (GListModel *model)
{
  return TANDEM_RECORD_LIST (model)->record_type;
}

static guint
tandem_record_list_get_n_items (GListModel *model)
{
  TandemRecordList *self = TANDEM_RECORD_LIST (model);

  ensure_ids (self);
  return self->ids->len;
}

static GWeakRef *
weak_ref_new (gpointer object)
{
  GWeakRef *ref = g_new (GWeakRef, 1);

  g_weak_ref_init (ref, object);
  return ref;
}

static void
weak_ref_free (gpointer data)
{
  GWeakRef *ref = data;

  g_weak_ref_clear (ref);
  g_free (ref);
}

/* The loaded row @id, a new reference, or NULL when it was not read or
 * nobody holds it any more. */
static TandemRecord *
lookup_loaded (TandemRecordList *self,
               const char       *id)
{
  GWeakRef *ref = g_hash_table_lookup (self->loaded, id);

  return ref != NULL ? g_weak_ref_get (ref) : NULL;
}

static gboolean
is_gone (gpointer key,
         gpointer value,
         gpointer user_data)
{
  g_autoptr(GObject) object = g_weak_ref_get (value);

  return object == NULL;
}

static void
keep (TandemRecordList *self,
      TandemRecord     *record)
{
  if (self->kept->len < KEPT_RECORDS)
    {
      g_ptr_array_add (self->kept, g_object_ref (record));
      return;
    }

  g_object_unref (g_ptr_array_index (self->kept, self->kept_next));
  g_ptr_array_index (self->kept, self->kept_next) = g_object_ref (record);
  self->kept_next = (self->kept_next + 1) % KEPT_RECORDS;
}

static void
forget_kept (TandemRecordList *self)
{
  g_ptr_array_set_size (self->kept, 0);
  self->kept_next = 0;
}

/* Records @record as the loaded row with its id, in place of an older one. */
static void
add_loaded (TandemRecordList *self,
            TandemRecord     *record)
{
  /* Rows dropped by everyone leave their entry behind; they are cleared
   * in one pass when the table has grown to twice what was live after the
   * previous pass, which costs next to nothing per row read. */
  if (g_hash_table_size (self->loaded) >= self->sweep_at)
    {
      g_hash_table_foreach_remove (self->loaded, is_gone, NULL);
      self->sweep_at = MAX (2 * g_hash_table_size (self->loaded), 2 * KEPT_RECORDS);
    }

  g_hash_table_replace (self->loaded, g_strdup (tandem_record_get_id (record)),
                        weak_ref_new (record));
  keep (self, record);
}

static gboolean
is_loaded (TandemRecordList *self,
           guint             position)
{
  g_autoptr(TandemRecord) record = lookup_loaded (self, g_ptr_array_index (self->ids, position));

  return record != NULL;
}

/* Reads the rows from @position on that are not loaded, in one query: a
 * short page when the row before it is loaded (the view scrolls down), the
 * rows up to @position when the row after it is (it scrolls up), and the
 * rows a view binds from @position on when neither is, as when a view
 * jumps there: a view asks for the rows it binds in order, from the first.
 * Rows another connection deleted meanwhile stay unread. */
static gboolean
load_page (TandemRecordList  *self,
           guint              position,
           GError           **error)
{
  guint first = position;
  guint last;
  sqlite3_stmt *stmt;
  int parameter = 1;
  int rc;

  if (position > 0 && is_loaded (self, position - 1))
    last = MIN (position + SCROLL_PAGE_SIZE, self->ids->len);
  else if (position + 1 < self->ids->len && is_loaded (self, position + 1))
    {
      first = position + 1 > SCROLL_PAGE_SIZE ? position + 1 - SCROLL_PAGE_SIZE : 0;
      last = position + 1;
    }
  else
    last = MIN (position + self->jump_rows, self->ids->len);

  if (self->page_sql == NULL)
    {
      GString *text = g_string_new ("SELECT id, hlc");

      for (guint i = 0; i < self->spec->n_fields; i++)
        g_string_append_printf (text, ", %s", self->spec->fields[i].name);
      g_string_append_printf (text, " FROM %s WHERE deleted = 0 AND id IN (?", self->spec->name);
      for (guint i = 1; i < MAX_PAGE_SIZE; i++)
        g_string_append (text, ", ?");
      g_string_append_c (text, ')');
      self->page_sql = g_string_free (text, FALSE);
    }

  stmt = tandem_store_prepare_cached (self->store, self->page_sql, error);
  if (stmt == NULL)
    return FALSE;

  /* Unused parameters stay NULL, which matches no id. */
  sqlite3_clear_bindings (stmt);
  for (guint i = first; i < last; i++)
    {
      const char *id = g_ptr_array_index (self->ids, i);
      g_autoptr(TandemRecord) record = lookup_loaded (self, id);

      if (record != NULL)
        {
          /* Read already and held elsewhere: kept with its page. */
          keep (self, record);
          continue;
        }
      sqlite3_bind_text (stmt, parameter++, id, -1, SQLITE_TRANSIENT);
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(TandemRecord) record = tandem_store_record_from_row (self->spec, stmt);

      add_loaded (self, record);
    }

  if (rc != SQLITE_DONE)
    tandem_store_set_sql_error (self->store, error);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

static gpointer
tandem_record_list_get_item (GListModel *model,
                             guint       position)
{
  TandemRecordList *self = TANDEM_RECORD_LIST (model);
  const char *id;
  TandemRecord *record;
  g_autoptr(GError) error = NULL;

  ensure_ids (self);
  if (position >= self->ids->len)
    return NULL;

  id = g_ptr_array_index (self->ids, position);
  record = lookup_loaded (self, id);
  if (record != NULL)
    return record;

  if (!load_page (self, position, &error))
    g_debug ("Could not load %s rows: %s", self->spec->name, error->message);

  record = lookup_loaded (self, id);
  if (record == NULL)
    {
      /* The row went away between the listing and this read (another
       * connection deleted it); an empty record keeps positions valid until
       * the change notification arrives. */
      record = tandem_record_new_with_id (self->record_type, id);
      add_loaded (self, record);
    }

  return record;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = tandem_record_list_get_item_type;
  iface->get_n_items = tandem_record_list_get_n_items;
  iface->get_item = tandem_record_list_get_item;
}

/* Replaces the id list and tells listeners the smallest range that
 * differs: the common head and tail of the old and new lists are kept.
 * Rows that changed in place (@changed_ids) are announced on their own. */
static void
replace_ids (TandemRecordList *self,
             GPtrArray        *ids,
             GHashTable       *changed_ids)
{
  g_autoptr(GPtrArray) old = g_steal_pointer (&self->ids);
  guint old_n = old->len;
  guint new_n = ids->len;
  guint head = 0;
  guint tail = 0;

  self->ids = ids;

  while (head < old_n && head < new_n &&
         g_str_equal (g_ptr_array_index (old, head), g_ptr_array_index (ids, head)))
    head++;

  while (tail < old_n - head && tail < new_n - head &&
         g_str_equal (g_ptr_array_index (old, old_n - 1 - tail),
                      g_ptr_array_index (ids, new_n - 1 - tail)))
    tail++;

  if (old_n != new_n)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);

  if (old_n - head - tail > 0 || new_n - head - tail > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), head, old_n - head - tail, new_n - head - tail);

  /* The unchanged head and tail may hold rows whose values changed. */
  if (changed_ids != NULL && g_hash_table_size (changed_ids) > 0)
    for (guint position = 0; position < new_n; position++)
      {
        if (position == head)
          position = new_n - tail;
        if (position < new_n && g_hash_table_contains (changed_ids, g_ptr_array_index (ids, position)))
          g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
      }
}

static GPtrArray *
list_ids (TandemRecordList  *self,
          GError           **error)
{
  if (self->ids_func != NULL)
    return self->ids_func (self->store, self->ids_data, error);

  return tandem_store_list_ids (self->store, self->spec, self->search, error);
}

static void
reload (TandemRecordList *self,
        GHashTable       *changed_ids,
        gboolean          forget_all)
{
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer id;
  GPtrArray *ids;

  /* Nobody has seen the rows yet: the first question lists them. */
  if (self->ids == NULL)
    return;

  ids = list_ids (self, &error);
  if (ids == NULL)
    {
      g_warning ("Could not list %s: %s", self->spec->name, error->message);
      return;
    }

  if (forget_all)
    {
      /* Without knowing which rows changed, every position is announced. */
      g_autoptr(GPtrArray) old = g_steal_pointer (&self->ids);

      g_hash_table_remove_all (self->loaded);
      forget_kept (self);
      self->ids = ids;
      if (old->len != ids->len)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, old->len, ids->len);
      return;
    }

  if (changed_ids != NULL)
    {
      g_hash_table_iter_init (&iter, changed_ids);
      while (g_hash_table_iter_next (&iter, &id, NULL))
        g_hash_table_remove (self->loaded, id);
    }

  replace_ids (self, ids, changed_ids);
}

static guint
find_position (TandemRecordList *self,
               const char       *id)
{
  guint position;

  if (g_ptr_array_find_with_equal_func (self->ids, id, g_str_equal, &position))
    return position;

  return G_MAXUINT;
}

static void
remove_row (TandemRecordList *self,
            guint             position)
{
  g_ptr_array_remove_index (self->ids, position);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
}

static void
insert_row (TandemRecordList *self,
            const char       *id,
            guint             position)
{
  g_ptr_array_insert (self->ids, position, g_strdup (id));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
}

/* Follows a commit that changed the rows @changed_ids row by row through
 * the locate function; FALSE when a row could not be placed, and the list
 * is then to be listed again. */
static gboolean
update_rows (TandemRecordList *self,
             GHashTable       *changed_ids)
{
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer id;

  g_hash_table_iter_init (&iter, changed_ids);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    g_hash_table_remove (self->loaded, id);

  /* One row, the common case (a move, a rescore): a row that keeps its
   * place is announced as changed where it is, so that the view keeps its
   * widget and the selection. */
  if (g_hash_table_size (changed_ids) == 1)
    {
      guint old_position, new_position;
      char *row_id = NULL;

      g_hash_table_iter_init (&iter, changed_ids);
      g_hash_table_iter_next (&iter, &id, NULL);

      old_position = find_position (self, id);
      if (old_position != G_MAXUINT)
        row_id = g_ptr_array_steal_index (self->ids, old_position);

      if (!self->locate_func (self->store, id, self->ids, &new_position, self->ids_data, &error))
        {
          g_debug ("Could not place %s %s: %s", self->spec->name, (const char *) id,
                   error->message);
          if (row_id != NULL)
            g_ptr_array_insert (self->ids, old_position, row_id);
          return FALSE;
        }

      if (old_position != G_MAXUINT && old_position == new_position)
        {
          g_ptr_array_insert (self->ids, old_position, row_id);
          g_list_model_items_changed (G_LIST_MODEL (self), old_position, 1, 1);
          return TRUE;
        }

      if (old_position != G_MAXUINT)
        {
          /* Taken out above; put back for a moment so that listeners of
           * the removal see the list as it is after it. */
          g_ptr_array_insert (self->ids, old_position, row_id);
          remove_row (self, old_position);
        }
      if (new_position != G_MAXUINT)
        insert_row (self, id, new_position);

      return TRUE;
    }

  /* Several rows: all of them out first, so that the rest of the list is
   * in order when each is placed. */
  g_hash_table_iter_init (&iter, changed_ids);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    {
      guint position = find_position (self, id);

      if (position != G_MAXUINT)
        remove_row (self, position);
    }

  g_hash_table_iter_init (&iter, changed_ids);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    {
      guint position;

      if (!self->locate_func (self->store, id, self->ids, &position, self->ids_data, &error))
        {
          g_debug ("Could not place %s %s: %s", self->spec->name, (const char *) id,
                   error->message);
          return FALSE;
        }

      if (position != G_MAXUINT)
        insert_row (self, id, position);
    }

  return TRUE;
}

static void
on_store_changed (TandemStore      *store,
                  const char       *table,
                  const char       *row_id,
                  TandemChangeKind  kind,
                  TandemRecordList *self)
{
  if (!g_str_equal (table, self->spec->name))
    return;

  if (kind == TANDEM_CHANGE_RELOAD || row_id == NULL)
    self->pending_all = TRUE;
  else
    g_hash_table_add (self->pending_ids, g_strdup (row_id));
}

/* One reload per commit, however many rows it changed: a bulk delete of
 * fifty leads runs the list's query once, not fifty times. */
static void
on_store_committed (TandemStore      *store,
                    TandemRecordList *self)
{
  g_autoptr(GHashTable) changed = NULL;
  gboolean all = self->pending_all;

  if (!all && g_hash_table_size (self->pending_ids) == 0)
    return;

  changed = g_steal_pointer (&self->pending_ids);
  self->pending_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->pending_all = FALSE;

  /* Nobody has seen the rows yet: the first question lists them. */
  if (self->ids == NULL)
    return;

  if (!all && self->ids_func != NULL && self->locate_func != NULL &&
      g_hash_table_size (changed) <= MAX_LOCATED_ROWS && update_rows (self, changed))
    return;

  reload (self, changed, all);
}

static void
tandem_record_list_constructed (GObject *object)
{
  TandemRecordList *self = TANDEM_RECORD_LIST (object);
  g_autoptr(GTypeClass) klass = g_type_class_ref (self->record_type);

  G_OBJECT_CLASS (tandem_record_list_parent_class)->constructed (object);

  self->spec = TANDEM_RECORD_CLASS (klass)->spec;
  g_assert (self->spec != NULL);

  self->changed_handler = g_signal_connect (self->store, "changed",
                                            G_CALLBACK (on_store_changed), self);
  self->committed_handler = g_signal_connect (self->store, "committed",
                                              G_CALLBACK (on_store_committed), self);
}

static void
tandem_record_list_dispose (GObject *object)
{
  TandemRecordList *self = TANDEM_RECORD_LIST (object);

  g_clear_signal_handler (&self->changed_handler, self->store);
  g_clear_signal_handler (&self->committed_handler, self->store);
  g_clear_object (&self->store);
  g_hash_table_remove_all (self->loaded);
  forget_kept (self);

  G_OBJECT_CLASS (tandem_record_list_parent_class)->dispose (object);
}

static void
tandem_record_list_finalize (GObject *object)
{
  TandemRecordList *self = TANDEM_RECORD_LIST (object);

  g_clear_pointer (&self->ids, g_ptr_array_unref);
  g_clear_pointer (&self->loaded, g_hash_table_unref);
  g_clear_pointer (&self->kept, g_ptr_array_unref);
  g_clear_pointer (&self->page_sql, g_free);
  g_clear_pointer (&self->pending_ids, g_hash_table_unref);
  g_clear_pointer (&self->search, g_free);
  if (self->ids_destroy != NULL)
    g_clear_pointer (&self->ids_data, self->ids_destroy);

  G_OBJECT_CLASS (tandem_record_list_parent_class)->finalize (object);
}

static void
tandem_record_list_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TandemRecordList *self = TANDEM_RECORD_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_RECORD_TYPE:
      g_value_set_gtype (value, self->record_type);
      break;
    case PROP_SEARCH:
      g_value_set_string (value, self->search);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, g_list_model_get_n_items (G_LIST_MODEL (self)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_record_list_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  TandemRecordList *self = TANDEM_RECORD_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_RECORD_TYPE:
      self->record_type = g_value_get_gtype (value);
      break;
    case PROP_SEARCH:
      tandem_record_list_set_search (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_record_list_class_init (TandemRecordListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = tandem_record_list_constructed;
  object_class->dispose = tandem_record_list_dispose;
  object_class->finalize = tandem_record_list_finalize;
  object_class->get_property = tandem_record_list_get_property;
  object_class->set_property = tandem_record_list_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TANDEM_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECORD_TYPE] =
    g_param_spec_gtype ("record-type", NULL, NULL, TANDEM_TYPE_RECORD,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEARCH] =
    g_param_spec_string ("search", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tandem_record_list_init (TandemRecordList *self)
{
  self->loaded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, weak_ref_free);
  self->sweep_at = 2 * KEPT_RECORDS;
  self->kept = g_ptr_array_new_full (KEPT_RECORDS, g_object_unref);
  self->jump_rows = DEFAULT_JUMP_ROWS;
  self->pending_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

TandemRecordList *
tandem_record_list_new (TandemStore *store,
                        GType        record_type)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), NULL);
  g_return_val_if_fail (g_type_is_a (record_type, TANDEM_TYPE_RECORD), NULL);
  g_return_val_if_fail (record_type != TANDEM_TYPE_RECORD, NULL);

  return g_object_new (TANDEM_TYPE_RECORD_LIST,
                       "store", store,
                       "record-type", record_type,
                       NULL);
}

TandemRecordList *
tandem_record_list_new_with_ids_func (TandemStore         *store,
                                      GType                record_type,
                                      TandemRecordIdsFunc  func,
                                      gpointer             user_data,
                                      GDestroyNotify       destroy)
{
  TandemRecordList *self = tandem_record_list_new (store, record_type);

  tandem_record_list_set_ids_func (self, func, user_data, destroy);
  return self;
}

TandemStore *
tandem_record_list_get_store (TandemRecordList *self)
{
  g_return_val_if_fail (TANDEM_IS_RECORD_LIST (self), NULL);

  return self->store;
}

GType
tandem_record_list_get_record_type (TandemRecordList *self)
{
  g_return_val_if_fail (TANDEM_IS_RECORD_LIST (self), G_TYPE_INVALID);

  return self->record_type;
}

const char *
tandem_record_list_get_search (TandemRecordList *self)
{
  g_return_val_if_fail (TANDEM_IS_RECORD_LIST (self), NULL);

  return self->search;
}

void
tandem_record_list_set_search (TandemRecordList *self,
                               const char       *text)
{
  g_autofree char *query = NULL;

  g_return_if_fail (TANDEM_IS_RECORD_LIST (self));

  /* Text without a searchable word lists everything, as an empty entry. */
  query = tandem_store_build_fts_query (text);
  if (query == NULL)
    text = NULL;

  if (g_strcmp0 (self->search, text) == 0)
    return;

  g_free (self->search);
  self->search = g_strdup (text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);

  reload (self, NULL, FALSE);
}

void
tandem_record_list_set_ids_func (TandemRecordList    *self,
                                 TandemRecordIdsFunc  func,
                                 gpointer             user_data,
                                 GDestroyNotify       destroy)
{
  g_return_if_fail (TANDEM_IS_RECORD_LIST (self));

  if (self->ids_destroy != NULL)
    g_clear_pointer (&self->ids_data, self->ids_destroy);

  self->ids_func = func;
  self->ids_data = user_data;
  self->ids_destroy = destroy;

  tandem_record_list_refresh (self);
}

void
tandem_record_list_set_locate_func (TandemRecordList       *self,
                                    TandemRecordLocateFunc  func)
{
  g_return_if_fail (TANDEM_IS_RECORD_LIST (self));

  self->locate_func = func;
}

void
tandem_record_list_set_jump_rows (TandemRecordList *self,
                                  guint             rows)
{
  g_return_if_fail (TANDEM_IS_RECORD_LIST (self));
  g_return_if_fail (rows > 0);

  self->jump_rows = MIN (rows, MAX_PAGE_SIZE);
}

void
tandem_record_list_refresh (TandemRecordList *self)
{
  g_return_if_fail (TANDEM_IS_RECORD_LIST (self));

  reload (self, NULL, FALSE);
}

guint
tandem_record_list_find (TandemRecordList *self,
                         const char       *id)
{
  guint position;

  g_return_val_if_fail (TANDEM_IS_RECORD_LIST (self), G_MAXUINT);
  g_return_val_if_fail (id != NULL, G_MAXUINT);

  ensure_ids (self);
  if (g_ptr_array_find_with_equal_func (self->ids, id, g_str_equal, &position))
    return position;

  return G_MAXUINT;
}
