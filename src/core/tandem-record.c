/* tandem-record.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tandem-record-private.h"

/* Field properties get ids above the base class's own, so the shared
 * get_property and set_property can tell them apart. */
#define FIELD_PROP_BASE 100

typedef struct
{
  gboolean is_null;
  gint64   number;
  char    *text;
} FieldValue;

typedef struct
{
  const TandemTableSpec *spec;
  char                  *id;
  FieldValue            *values;
  gboolean              *changed;
  gboolean               stored;
  gint64                 loaded_hlc;
} TandemRecordPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (TandemRecord, tandem_record, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_TABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
field_is_textual (TandemFieldType type)
{
  return type == TANDEM_FIELD_TEXT || type == TANDEM_FIELD_LIST || type == TANDEM_FIELD_REF;
}

static guint
lookup_field (TandemRecord    *self,
              const char      *field,
              TandemFieldType *type)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);
  int index = tandem_table_spec_field_index (priv->spec, field);

  if (index < 0)
    {
      g_critical ("Table %s has no field %s", priv->spec->name, field);
      return G_MAXUINT;
    }

  if (type)
    *type = priv->spec->fields[index].type;

  return (guint) index;
}

static void
field_changed (TandemRecord *self,
               guint         index)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);
  TandemRecordClass *klass = TANDEM_RECORD_GET_CLASS (self);

  priv->changed[index] = TRUE;

  if (klass->field_pspecs != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), klass->field_pspecs[index]);
}

/* Empty text is stored as NULL so that "cleared" has one representation. */
static void
set_text_at (TandemRecord *self,
             guint         index,
             const char   *value)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);
  FieldValue *field = &priv->values[index];

  if (value != NULL && *value == '\0')
    value = NULL;

  if (g_strcmp0 (field->text, value) == 0 && field->is_null == (value == NULL))
    return;

  g_free (field->text);
  field->text = g_strdup (value);
  field->is_null = (value == NULL);
  field_changed (self, index);
}

static void
set_number_at (TandemRecord *self,
               guint         index,
               gint64        value)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);
  FieldValue *field = &priv->values[index];

  if (!field->is_null && field->number == value)
    return;

  field->number = value;
  field->is_null = FALSE;
  field_changed (self, index);
}

/* Trims each line and drops empty ones, so "a\n\n b \n" is the list a, b. */
static char *
normalize_list_text (const char *text)
{
  g_auto(GStrv) lines = NULL;
  GString *joined;

  if (text == NULL)
    return NULL;

  lines = g_strsplit (text, "\n", -1);
  joined = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *item = g_strstrip (lines[i]);

      if (*item == '\0')
        continue;
      if (joined->len > 0)
        g_string_append_c (joined, '\n');
      g_string_append (joined, item);
    }

  if (joined->len == 0)
    {
      g_string_free (joined, TRUE);
      return NULL;
    }

  return g_string_free (joined, FALSE);
}

static void
tandem_record_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TandemRecord *self = TANDEM_RECORD (object);
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);

  if (prop_id >= FIELD_PROP_BASE)
    {
      guint index = prop_id - FIELD_PROP_BASE;
      const FieldValue *field = &priv->values[index];

      switch (priv->spec->fields[index].type)
        {
        case TANDEM_FIELD_TEXT:
        case TANDEM_FIELD_LIST:
        case TANDEM_FIELD_REF:
          g_value_set_string (value, field->text);
          break;
        case TANDEM_FIELD_INT:
          g_value_set_int64 (value, field->is_null ? 0 : field->number);
          break;
        case TANDEM_FIELD_BOOL:
          g_value_set_boolean (value, !field->is_null && field->number != 0);
          break;
        default:
          g_assert_not_reached ();
        }
      return;
    }

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, priv->id);
      break;
    case PROP_TABLE:
      g_value_set_string (value, priv->spec ? priv->spec->name : NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_record_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TandemRecord *self = TANDEM_RECORD (object);
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);

  if (prop_id >= FIELD_PROP_BASE)
    {
      guint index = prop_id - FIELD_PROP_BASE;

      switch (priv->spec->fields[index].type)
        {
        case TANDEM_FIELD_TEXT:
        case TANDEM_FIELD_REF:
          set_text_at (self, index, g_value_get_string (value));
          break;
        case TANDEM_FIELD_LIST:
          {
            g_autofree char *normalized = normalize_list_text (g_value_get_string (value));
            set_text_at (self, index, normalized);
          }
          break;
        case TANDEM_FIELD_INT:
          set_number_at (self, index, g_value_get_int64 (value));
          break;
        case TANDEM_FIELD_BOOL:
          set_number_at (self, index, g_value_get_boolean (value) ? 1 : 0);
          break;
        default:
          g_assert_not_reached ();
        }
      return;
    }

  switch (prop_id)
    {
    case PROP_ID:
      g_assert (priv->id == NULL);
      priv->id = g_value_dup_string (value);
      break;
    case PROP_TABLE:
      if (g_value_get_string (value) != NULL)
        {
          priv->spec = tandem_schema_lookup (g_value_get_string (value));
          if (priv->spec == NULL)
            g_critical ("No synced table is called %s", g_value_get_string (value));
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_record_constructed (GObject *object)
{
  TandemRecord *self = TANDEM_RECORD (object);
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);
  TandemRecordClass *klass = TANDEM_RECORD_GET_CLASS (self);

  G_OBJECT_CLASS (tandem_record_parent_class)->constructed (object);

  if (klass->spec != NULL)
    priv->spec = klass->spec;

  g_assert (priv->spec != NULL);

  if (priv->id == NULL)
    priv->id = g_uuid_string_random ();

  priv->values = g_new0 (FieldValue, priv->spec->n_fields);
  priv->changed = g_new0 (gboolean, priv->spec->n_fields);

  for (guint i = 0; i < priv->spec->n_fields; i++)
    {
      const TandemFieldSpec *field = &priv->spec->fields[i];

      priv->values[i].is_null = field->default_value == NULL;
      if (field->default_value == NULL)
        continue;

      if (field_is_textual (field->type))
        priv->values[i].text = g_strdup (field->default_value);
      else
        priv->values[i].number = g_ascii_strtoll (field->default_value, NULL, 10);
    }
}

static void
tandem_record_finalize (GObject *object)
{
  TandemRecord *self = TANDEM_RECORD (object);
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);

  if (priv->values != NULL)
    for (guint i = 0; i < priv->spec->n_fields; i++)
      g_free (priv->values[i].text);

  g_clear_pointer (&priv->values, g_free);
  g_clear_pointer (&priv->changed, g_free);
  g_clear_pointer (&priv->id, g_free);

  G_OBJECT_CLASS (tandem_record_parent_class)->finalize (object);
}

static void
tandem_record_class_init (TandemRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = tandem_record_constructed;
  object_class->finalize = tandem_record_finalize;
  object_class->get_property = tandem_record_get_property;
  object_class->set_property = tandem_record_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TABLE] =
    g_param_spec_string ("table", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tandem_record_init (TandemRecord *self)
{
}

void
tandem_record_class_set_spec (TandemRecordClass     *klass,
                              const TandemTableSpec *spec)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  g_return_if_fail (TANDEM_IS_RECORD_CLASS (klass));
  g_return_if_fail (spec != NULL);

  klass->spec = spec;
  klass->field_pspecs = g_new0 (GParamSpec *, spec->n_fields);

  /* GObject does not pass these two on to subclasses, and the field
   * properties are handled by the base class. */
  object_class->get_property = tandem_record_get_property;
  object_class->set_property = tandem_record_set_property;

  for (guint i = 0; i < spec->n_fields; i++)
    {
      const TandemFieldSpec *field = &spec->fields[i];
      /* Field names use underscores, which GLib turns into dashes, so the
       * name cannot be static. */
      GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_NICK |
                          G_PARAM_STATIC_BLURB;
      GParamSpec *pspec;

      switch (field->type)
        {
        case TANDEM_FIELD_TEXT:
        case TANDEM_FIELD_LIST:
        case TANDEM_FIELD_REF:
          pspec = g_param_spec_string (field->name, NULL, NULL, NULL, flags);
          break;
        case TANDEM_FIELD_INT:
          pspec = g_param_spec_int64 (field->name, NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
          break;
        case TANDEM_FIELD_BOOL:
          pspec = g_param_spec_boolean (field->name, NULL, NULL, FALSE, flags);
          break;
        default:
          g_assert_not_reached ();
        }

      g_object_class_install_property (object_class, FIELD_PROP_BASE + i, pspec);
      klass->field_pspecs[i] = pspec;
    }
}

TandemRecord *
tandem_record_new (GType record_type)
{
  g_return_val_if_fail (g_type_is_a (record_type, TANDEM_TYPE_RECORD), NULL);

  return g_object_new (record_type, NULL);
}

TandemRecord *
tandem_record_new_with_id (GType       record_type,
                           const char *id)
{
  g_return_val_if_fail (g_type_is_a (record_type, TANDEM_TYPE_RECORD), NULL);

  return g_object_new (record_type, "id", id, NULL);
}

TandemRecord *
tandem_record_new_for_table (const char *table,
                             const char *id)
{
  g_return_val_if_fail (table != NULL, NULL);
  g_return_val_if_fail (tandem_schema_lookup (table) != NULL, NULL);

  return g_object_new (TANDEM_TYPE_RECORD, "table", table, "id", id, NULL);
}

const TandemTableSpec *
tandem_record_get_spec (TandemRecord *self)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);

  g_return_val_if_fail (TANDEM_IS_RECORD (self), NULL);

  return priv->spec;
}

const char *
tandem_record_get_id (TandemRecord *self)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);

  g_return_val_if_fail (TANDEM_IS_RECORD (self), NULL);

  return priv->id;
}

gboolean
tandem_record_is_stored (TandemRecord *self)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);

  g_return_val_if_fail (TANDEM_IS_RECORD (self), FALSE);

  return priv->stored;
}

gboolean
tandem_record_has_changes (TandemRecord *self)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);

  g_return_val_if_fail (TANDEM_IS_RECORD (self), FALSE);

  /* Derived fields are never saved, so changing them alone changes nothing
   * that saving would write. */
  for (guint i = 0; i < priv->spec->n_fields; i++)
    if (priv->changed[i] && !priv->spec->fields[i].derived)
      return TRUE;

  return FALSE;
}

gboolean
tandem_record_has_changes_besides (TandemRecord       *self,
                                   const char * const *fields)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);

  g_return_val_if_fail (TANDEM_IS_RECORD (self), FALSE);
  g_return_val_if_fail (fields != NULL, FALSE);

  for (guint i = 0; i < priv->spec->n_fields; i++)
    if (priv->changed[i] && !priv->spec->fields[i].derived &&
        !g_strv_contains (fields, priv->spec->fields[i].name))
      return TRUE;

  return FALSE;
}

gboolean
tandem_record_field_changed (TandemRecord *self,
                             const char   *field)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);
  guint index;

  g_return_val_if_fail (TANDEM_IS_RECORD (self), FALSE);

  index = lookup_field (self, field, NULL);
  return index != G_MAXUINT && priv->changed[index];
}

gint64
tandem_record_get_loaded_hlc (TandemRecord *self)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);

  g_return_val_if_fail (TANDEM_IS_RECORD (self), 0);

  return priv->loaded_hlc;
}

const char *
tandem_record_get_text (TandemRecord *self,
                        const char   *field)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);
  TandemFieldType type;
  guint index;

  g_return_val_if_fail (TANDEM_IS_RECORD (self), NULL);

  index = lookup_field (self, field, &type);
  g_return_val_if_fail (index != G_MAXUINT && field_is_textual (type), NULL);

  return priv->values[index].text;
}

void
tandem_record_set_text (TandemRecord *self,
                        const char   *field,
                        const char   *value)
{
  TandemFieldType type;
  guint index;

  g_return_if_fail (TANDEM_IS_RECORD (self));

  index = lookup_field (self, field, &type);
  g_return_if_fail (index != G_MAXUINT && field_is_textual (type));

  if (type == TANDEM_FIELD_LIST)
    {
      g_autofree char *normalized = normalize_list_text (value);
      set_text_at (self, index, normalized);
    }
  else
    set_text_at (self, index, value);
}

gint64
tandem_record_get_int (TandemRecord *self,
                       const char   *field)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);
  TandemFieldType type;
  guint index;

  g_return_val_if_fail (TANDEM_IS_RECORD (self), 0);

  index = lookup_field (self, field, &type);
  g_return_val_if_fail (index != G_MAXUINT && !field_is_textual (type), 0);

  return priv->values[index].is_null ? 0 : priv->values[index].number;
}

void
tandem_record_set_int (TandemRecord *self,
                       const char   *field,
                       gint64        value)
{
  TandemFieldType type;
  guint index;

  g_return_if_fail (TANDEM_IS_RECORD (self));

  index = lookup_field (self, field, &type);
  g_return_if_fail (index != G_MAXUINT && type == TANDEM_FIELD_INT);

  set_number_at (self, index, value);
}

gboolean
tandem_record_get_bool (TandemRecord *self,
                        const char   *field)
{
  return tandem_record_get_int (self, field) != 0;
}

void
tandem_record_set_bool (TandemRecord *self,
                        const char   *field,
                        gboolean      value)
{
  TandemFieldType type;
  guint index;

  g_return_if_fail (TANDEM_IS_RECORD (self));

  index = lookup_field (self, field, &type);
  g_return_if_fail (index != G_MAXUINT && type == TANDEM_FIELD_BOOL);

  set_number_at (self, index, value ? 1 : 0);
}

void
tandem_record_clear (TandemRecord *self,
                     const char   *field)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);
  FieldValue *value;
  guint index;

  g_return_if_fail (TANDEM_IS_RECORD (self));

  index = lookup_field (self, field, NULL);
  g_return_if_fail (index != G_MAXUINT);

  value = &priv->values[index];
  if (value->is_null)
    return;

  g_clear_pointer (&value->text, g_free);
  value->number = 0;
  value->is_null = TRUE;
  field_changed (self, index);
}

char **
tandem_record_dup_list (TandemRecord *self,
                        const char   *field)
{
  const char *text = tandem_record_get_text (self, field);

  if (text == NULL)
    return g_new0 (char *, 1);

  return g_strsplit (text, "\n", -1);
}

void
tandem_record_set_list (TandemRecord       *self,
                        const char         *field,
                        const char * const *items)
{
  g_autofree char *joined = NULL;

  g_return_if_fail (TANDEM_IS_RECORD (self));

  if (items != NULL)
    {
      /* Items may not contain the separator; a newline inside one item would
       * silently split it in two on the next read. */
      g_auto(GStrv) cleaned = g_strdupv ((char **) items);

      for (guint i = 0; cleaned[i] != NULL; i++)
        g_strdelimit (cleaned[i], "\r\n", ' ');

      joined = g_strjoinv ("\n", cleaned);
    }

  tandem_record_set_text (self, field, joined);
}

TandemRecord *
tandem_record_duplicate (TandemRecord *self)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);
  TandemRecordPrivate *copy_priv;
  TandemRecord *copy;

  g_return_val_if_fail (TANDEM_IS_RECORD (self), NULL);

  copy = g_object_new (G_OBJECT_TYPE (self), "table", priv->spec->name, NULL);
  copy_priv = tandem_record_get_instance_private (copy);

  for (guint i = 0; i < priv->spec->n_fields; i++)
    {
      copy_priv->values[i].is_null = priv->values[i].is_null;
      copy_priv->values[i].number = priv->values[i].number;
      g_free (copy_priv->values[i].text);
      copy_priv->values[i].text = g_strdup (priv->values[i].text);
      copy_priv->changed[i] = !priv->values[i].is_null;
    }

  return copy;
}

void
tandem_record_load_column (TandemRecord *self,
                           guint         field_index,
                           sqlite3_stmt *stmt,
                           int           column)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);
  FieldValue *field = &priv->values[field_index];

  g_assert (field_index < priv->spec->n_fields);

  g_clear_pointer (&field->text, g_free);
  field->is_null = sqlite3_column_type (stmt, column) == SQLITE_NULL;
  field->number = 0;
  priv->changed[field_index] = FALSE;

  if (field->is_null)
    return;

  if (field_is_textual (priv->spec->fields[field_index].type))
    field->text = g_strdup ((const char *) sqlite3_column_text (stmt, column));
  else
    field->number = sqlite3_column_int64 (stmt, column);
}

int
tandem_record_bind_field (TandemRecord *self,
                          guint         field_index,
                          sqlite3_stmt *stmt,
                          int           parameter)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);
  const FieldValue *field = &priv->values[field_index];

  g_assert (field_index < priv->spec->n_fields);

  if (field->is_null)
    return sqlite3_bind_null (stmt, parameter);

  if (field_is_textual (priv->spec->fields[field_index].type))
    return sqlite3_bind_text (stmt, parameter, field->text, -1, SQLITE_TRANSIENT);

  return sqlite3_bind_int64 (stmt, parameter, field->number);
}

gboolean
tandem_record_field_is_null (TandemRecord *self,
                             guint         field_index)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);

  g_assert (field_index < priv->spec->n_fields);

  return priv->values[field_index].is_null;
}

gboolean
tandem_record_index_changed (TandemRecord *self,
                             guint         field_index)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);

  g_assert (field_index < priv->spec->n_fields);

  return priv->changed[field_index];
}

void
tandem_record_mark_stored (TandemRecord *self,
                           gint64        hlc)
{
  TandemRecordPrivate *priv = tandem_record_get_instance_private (self);

  priv->stored = TRUE;
  priv->loaded_hlc = hlc;
  memset (priv->changed, 0, sizeof (gboolean) * priv->spec->n_fields);
}
