/* tandem-sync-protocol.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tandem-schema.h"
#include "tandem-snapshot-format.h"
#include "tandem-sync-private.h"
#include "tandem-sync-protocol.h"

G_DEFINE_QUARK (tandem-protocol-error-quark, tandem_protocol_error)

/* Answers from the server can be larger than a push: a page of 5,000 whole
 * rows. They still get a bound, so a broken server cannot exhaust the
 * client's memory. */
#define MAX_ANSWER_BODY (256 * 1024 * 1024)
/* The longest number token worth looking at: INT64_MIN has 20 characters. */
#define MAX_NUMBER_TOKEN 24

static gboolean
check_text_full (const char  *data,
                 gsize        length,
                 gsize        max_length,
                 GError     **error)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  g_assert (data != NULL || length == 0);

  if (length > max_length)
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_TOO_LARGE,
                   _("The body is %" G_GSIZE_FORMAT " bytes, over the limit of %"
                     G_GSIZE_FORMAT " bytes"), length, max_length);
      return FALSE;
    }

  if (length == 0)
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("The body is empty"));
      return FALSE;
    }

  /* g_utf8_validate_len() also refuses NUL bytes, which json-glib would
   * take as the end of the text. */
  if (!g_utf8_validate_len (data, length, NULL))
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("The body is not valid UTF-8"));
      return FALSE;
    }

  /* json-glib has no nesting limit and parses numbers too large for 64
   * bits as doubles, so both are checked here with one flat scan that
   * cannot recurse, before the parser sees the text. */
  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;

        case '[':
        case '{':
          if (++depth > TANDEM_PROTOCOL_MAX_DEPTH)
            {
              g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("The JSON is nested more than %d levels deep"),
                           TANDEM_PROTOCOL_MAX_DEPTH);
              return FALSE;
            }
          break;

        case ']':
        case '}':
          if (depth > 0)
            depth--;
          break;

        case '-':
        case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9':
          {
            gsize end = i;
            gboolean integral = TRUE;
            char token[MAX_NUMBER_TOKEN + 1];

            while (end < length && strchr ("0123456789+-.eE", data[end]) != NULL)
              {
                if (data[end] == '.' || data[end] == 'e' || data[end] == 'E')
                  integral = FALSE;
                end++;
              }

            if (!integral)
              {
                g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                             _("The number at byte %" G_GSIZE_FORMAT " is not an integer"), i);
                return FALSE;
              }

            if (end - i > MAX_NUMBER_TOKEN)
              {
                g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                             _("The number at byte %" G_GSIZE_FORMAT " does not fit in 64 bits"),
                             i);
                return FALSE;
              }

            memcpy (token, data + i, end - i);
            token[end - i] = '\0';

            /* INT64_MIN itself is refused too: json-glib reads it as the
             * negation of a positive number that overflows. */
            if (!g_ascii_string_to_signed (token, 10, -G_MAXINT64, G_MAXINT64, NULL, NULL))
              {
                g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                             _("The number at byte %" G_GSIZE_FORMAT
                               " is not an integer that fits in 64 bits"), i);
                return FALSE;
              }

            i = end - 1;
          }
          break;

        default:
          break;
        }
    }

  return TRUE;
}

gboolean
tandem_protocol_check_text (const char  *data,
                            gsize        length,
                            GError     **error)
{
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return check_text_full (data, length, TANDEM_PROTOCOL_MAX_BODY, error);
}

static gboolean
check_string (const char  *text,
              GError     **error)
{
  if (strlen (text) > TANDEM_PROTOCOL_MAX_STRING)
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                   _("A string is longer than %d bytes"), TANDEM_PROTOCOL_MAX_STRING);
      return FALSE;
    }

  /* An escape such as \ud800 decodes to something that is not UTF-8. */
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("A string is not valid UTF-8"));
      return FALSE;
    }

  return TRUE;
}

/* The depth of the tree is bounded by check_text_full(), so this recursion
 * is too. */
static gboolean
check_tree (JsonNode  *node,
            GError   **error)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          if (!check_string (name, error) || !check_tree (member, error))
            return FALSE;
      }
      return TRUE;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        for (guint i = 0; i < n; i++)
          if (!check_tree (json_array_get_element (array, i), error))
            return FALSE;
      }
      return TRUE;

    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return check_string (json_node_get_string (node), error);
      if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
        {
          g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                               _("Numbers must be integers"));
          return FALSE;
        }
      return TRUE;

    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
}

static JsonNode *
parse_full (const char  *data,
            gsize        length,
            gsize        max_length,
            GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!check_text_full (data, length, max_length, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error))
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                   _("The body is not valid JSON: %s"), local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("The body is empty"));
      return NULL;
    }

  if (!check_tree (root, error))
    return NULL;

  return json_node_ref (root);
}

JsonNode *
tandem_protocol_parse (const char  *data,
                       gsize        length,
                       GError     **error)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return parse_full (data, length, TANDEM_PROTOCOL_MAX_BODY, error);
}

/* Schema validation. */

static gboolean
is_integer (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

static gboolean
is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

/* What a value may be, for the checks below: JSON values as json-glib
 * parsed them and values read by the snapshot parser alike. */
typedef enum
{
  VALUE_NULL,
  VALUE_INT,
  VALUE_TEXT,
  VALUE_OTHER,
} ValueKind;

/* Whether a value of @kind (and @number, for integers) may be written to
 * @field of @spec by another desktop. */
static gboolean
validate_typed_value (const TandemTableSpec  *spec,
                      const char             *field,
                      ValueKind               kind,
                      gint64                  number,
                      GError                **error)
{
  const TandemFieldSpec *field_spec;
  int index;

  if (g_str_equal (field, "deleted"))
    {
      if (kind == VALUE_INT && (number == 0 || number == 1))
        return TRUE;

      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("\"deleted\" must be 0 or 1"));
      return FALSE;
    }

  index = tandem_table_spec_field_index (spec, field);
  if (index < 0)
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                   _("unknown field \"%s\" of table \"%s\""), field, spec->name);
      return FALSE;
    }

  field_spec = &spec->fields[index];
  if (field_spec->derived)
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                   _("field \"%s\" of table \"%s\" is computed on each desktop and never synced"),
                   field, spec->name);
      return FALSE;
    }

  /* Every column may be empty. */
  if (kind == VALUE_NULL)
    return TRUE;

  switch (field_spec->type)
    {
    case TANDEM_FIELD_TEXT:
    case TANDEM_FIELD_LIST:
    case TANDEM_FIELD_REF:
      if (kind == VALUE_TEXT)
        return TRUE;
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                   _("field \"%s\" of table \"%s\" takes a string or null"), field, spec->name);
      return FALSE;

    case TANDEM_FIELD_INT:
      if (kind == VALUE_INT)
        return TRUE;
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                   _("field \"%s\" of table \"%s\" takes an integer or null"), field, spec->name);
      return FALSE;

    case TANDEM_FIELD_BOOL:
      if (kind == VALUE_INT && (number == 0 || number == 1))
        return TRUE;
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                   _("field \"%s\" of table \"%s\" takes 0, 1 or null"), field, spec->name);
      return FALSE;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
validate_field_value (const TandemTableSpec  *spec,
                      const char             *field,
                      JsonNode               *value,
                      GError                **error)
{
  if (JSON_NODE_HOLDS_NULL (value))
    return validate_typed_value (spec, field, VALUE_NULL, 0, error);
  if (is_integer (value))
    return validate_typed_value (spec, field, VALUE_INT, json_node_get_int (value), error);
  if (is_string (value))
    return validate_typed_value (spec, field, VALUE_TEXT, 0, error);

  return validate_typed_value (spec, field, VALUE_OTHER, 0, error);
}

/* validate_field_value() for a value read by the snapshot parser. */
static gboolean
validate_value (const TandemTableSpec  *spec,
                const char             *field,
                const TandemSyncValue  *value,
                GError                **error)
{
  static const ValueKind kinds[] = {
    [TANDEM_SYNC_VALUE_NULL] = VALUE_NULL,
    [TANDEM_SYNC_VALUE_INT] = VALUE_INT,
    [TANDEM_SYNC_VALUE_TEXT] = VALUE_TEXT,
  };

  return validate_typed_value (spec, field, kinds[value->kind], value->number, error);
}

/* What every change must have, whatever its value. */
static const TandemTableSpec *
validate_change_head (const TandemChange  *change,
                      GError             **error)
{
  const TandemTableSpec *spec;

  if (change->table == NULL || (spec = tandem_schema_lookup (change->table)) == NULL)
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                   _("unknown table \"%s\""), change->table ? change->table : "");
      return NULL;
    }

  if (change->row_id == NULL || change->row_id[0] == '\0' || strlen (change->row_id) > 256)
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("the row id must be a string of 1 to 256 bytes"));
      return NULL;
    }

  if (change->site == NULL || change->site[0] == '\0' || strlen (change->site) > 256)
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("the site must be a string of 1 to 256 bytes"));
      return NULL;
    }

  if (change->hlc <= 0 || change->base_hlc < 0)
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("clocks must be positive integers"));
      return NULL;
    }

  if (change->field == NULL)
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("the change names no field"));
      return NULL;
    }

  return spec;
}

/* Checks @change with @value, its value_json already parsed. A snapshot
 * carries insert-only rows field by field (@whole_rows_only FALSE); a push
 * may only create them whole. */
static gboolean
validate_change_node (const TandemChange  *change,
                      JsonNode            *value,
                      gboolean             whole_rows_only,
                      GError             **error)
{
  const TandemTableSpec *spec = validate_change_head (change, error);

  if (spec == NULL)
    return FALSE;

  if (g_str_equal (change->field, "*"))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      if (!JSON_NODE_HOLDS_OBJECT (value))
        {
          g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                               _("a whole row (\"*\") takes an object of fields"));
          return FALSE;
        }

      json_object_iter_init (&iter, json_node_get_object (value));
      while (json_object_iter_next (&iter, &name, &member))
        if (!validate_field_value (spec, name, member, error))
          return FALSE;

      return TRUE;
    }

  if (whole_rows_only && spec->insert_only)
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                   _("rows of table \"%s\" are only ever created whole (\"*\")"), spec->name);
      return FALSE;
    }

  return validate_field_value (spec, change->field, value, error);
}

gboolean
tandem_protocol_validate_change (const TandemChange  *change,
                                 GError             **error)
{
  g_autoptr(JsonNode) value = NULL;

  g_return_val_if_fail (change != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (change->value_json == NULL)
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("the change has no value"));
      return FALSE;
    }

  value = tandem_protocol_parse (change->value_json, strlen (change->value_json), error);
  if (value == NULL)
    return FALSE;

  return validate_change_node (change, value, TRUE, error);
}

gboolean
tandem_protocol_validate_change_with (TandemSnapshotParser  *parser,
                                      const TandemChange    *change,
                                      GError               **error)
{
  const TandemTableSpec *spec;
  const TandemSyncValue *values;
  const char * const *names;
  g_autoptr(GError) local_error = NULL;
  gboolean whole;
  guint n_values;

  g_return_val_if_fail (parser != NULL, FALSE);
  g_return_val_if_fail (change != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  spec = validate_change_head (change, error);
  if (spec == NULL)
    return FALSE;

  if (change->value_json == NULL)
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("the change has no value"));
      return FALSE;
    }

  whole = g_str_equal (change->field, "*");
  if (!tandem_snapshot_parser_scan_value (parser, change->value_json, strlen (change->value_json),
                                          whole, &names, &values, &n_values, &local_error))
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                   whole ? _("a whole row (\"*\") takes an object of fields: %s")
                         : _("the value is not a string, an integer or null: %s"),
                   local_error->message);
      return FALSE;
    }

  if (whole)
    {
      for (guint i = 0; i < n_values; i++)
        {
          if (!validate_value (spec, names[i], &values[i], error))
            return FALSE;

          /* json-glib would keep the last of two; a row is made of one. */
          for (guint j = 0; j < i; j++)
            if (g_str_equal (names[i], names[j]))
              {
                g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                             _("field \"%s\" is given twice"), names[i]);
                return FALSE;
              }
        }

      return TRUE;
    }

  if (spec->insert_only)
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                   _("rows of table \"%s\" are only ever created whole (\"*\")"), spec->name);
      return FALSE;
    }

  return validate_value (spec, change->field, &values[0], error);
}

const char *
tandem_push_outcome_to_string (TandemPushOutcome outcome)
{
  switch (outcome)
    {
    case TANDEM_PUSH_APPLIED:
      return "applied";
    case TANDEM_PUSH_SUPERSEDED:
      return "superseded";
    case TANDEM_PUSH_CONFLICT:
      return "conflict";
    case TANDEM_PUSH_REJECTED:
      return "rejected";
    default:
      g_return_val_if_reached ("rejected");
    }
}

gboolean
tandem_push_outcome_from_string (const char        *text,
                                 TandemPushOutcome *outcome)
{
  static const char *names[] = { "applied", "superseded", "conflict", "rejected" };

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (outcome != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (text, names[i]))
      {
        *outcome = (TandemPushOutcome) i;
        return TRUE;
      }

  return FALSE;
}

/* Reading documents. */

typedef enum
{
  KEY_STRING,
  KEY_INT,
  KEY_BOOL,
  KEY_ARRAY,
  KEY_OBJECT,
  KEY_ANY,
} KeyKind;

typedef struct
{
  const char *name;
  KeyKind     kind;
  gboolean    required;
} KeySpec;

/* Refuses members not in @keys, missing required ones, and members of the
 * wrong JSON type. */
static gboolean
check_object (JsonNode       *node,
              const char     *what,
              const KeySpec  *keys,
              guint           n_keys,
              GError        **error)
{
  JsonObject *object;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                   _("%s must be a JSON object"), what);
      return FALSE;
    }

  object = json_node_get_object (node);
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &member))
    {
      const KeySpec *key = NULL;
      gboolean ok;

      for (guint i = 0; i < n_keys; i++)
        if (g_str_equal (keys[i].name, name))
          key = &keys[i];

      if (key == NULL)
        {
          g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                       _("unknown key \"%s\" in %s"), name, what);
          return FALSE;
        }

      switch (key->kind)
        {
        case KEY_STRING:
          ok = is_string (member);
          break;
        case KEY_INT:
          ok = is_integer (member);
          break;
        case KEY_BOOL:
          ok = JSON_NODE_HOLDS_VALUE (member) &&
               json_node_get_value_type (member) == G_TYPE_BOOLEAN;
          break;
        case KEY_ARRAY:
          ok = JSON_NODE_HOLDS_ARRAY (member);
          break;
        case KEY_OBJECT:
          ok = JSON_NODE_HOLDS_OBJECT (member);
          break;
        case KEY_ANY:
        default:
          ok = TRUE;
          break;
        }

      if (!ok)
        {
          g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                       _("\"%s\" in %s has the wrong type"), name, what);
          return FALSE;
        }
    }

  for (guint i = 0; i < n_keys; i++)
    if (keys[i].required && !json_object_has_member (object, keys[i].name))
      {
        g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                     _("\"%s\" is missing from %s"), keys[i].name, what);
        return FALSE;
      }

  return TRUE;
}

/* A value as JSON text, written directly: json_to_string() builds a
 * generator for each value, which a large first push pays a million
 * times. The tree's depth is bounded by check_text_full(). */
static void
append_node (GString  *out,
             JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;

        g_string_append_c (out, '{');
        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          {
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            tandem_protocol_append_string (out, name);
            g_string_append_c (out, ':');
            append_node (out, member);
          }
        g_string_append_c (out, '}');
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        g_string_append_c (out, '[');
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            append_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      break;

    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_INT64)
        g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      else if (json_node_get_value_type (node) == G_TYPE_STRING)
        tandem_protocol_append_string (out, json_node_get_string (node));
      else if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      else
        {
          char buffer[G_ASCII_DTOSTR_BUF_SIZE];

          g_string_append (out, g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
        }
      break;

    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

static char *
node_to_text (JsonNode *node)
{
  GString *out = g_string_sized_new (64);

  append_node (out, node);
  return g_string_free (out, FALSE);
}

static TandemChange *
change_from_node (JsonNode  *node,
                  gboolean   with_seq,
                  GError   **error)
{
  static const KeySpec keys[] = {
    { "table", KEY_STRING, TRUE },
    { "row", KEY_STRING, TRUE },
    { "field", KEY_STRING, TRUE },
    { "value", KEY_ANY, TRUE },
    { "hlc", KEY_INT, TRUE },
    { "site", KEY_STRING, TRUE },
    { "base_hlc", KEY_INT, FALSE },
    { "seq", KEY_INT, TRUE },
  };
  TandemChange *change;
  JsonObject *object;
  JsonNode *value;

  /* "seq" is the last key: a push does not carry it, a pull must. */
  if (!check_object (node, _("a change"), keys, G_N_ELEMENTS (keys) - (with_seq ? 0 : 1), error))
    return NULL;

  object = json_node_get_object (node);
  value = json_object_get_member (object, "value");

  change = tandem_sync_change_alloc ();
  change->table = g_strdup (json_object_get_string_member (object, "table"));
  change->row_id = g_strdup (json_object_get_string_member (object, "row"));
  change->field = g_strdup (json_object_get_string_member (object, "field"));
  change->value_json = node_to_text (value);
  change->hlc = json_object_get_int_member (object, "hlc");
  change->site = g_strdup (json_object_get_string_member (object, "site"));
  change->base_hlc = json_object_get_int_member_with_default (object, "base_hlc", 0);
  change->seq = with_seq ? json_object_get_int_member (object, "seq") : 0;

  if (!validate_change_node (change, value, TRUE, error))
    {
      tandem_sync_change_release (change);
      return NULL;
    }

  return change;
}

void
tandem_push_request_free (TandemPushRequest *request)
{
  if (request == NULL)
    return;

  g_free (request->batch_id);
  g_free (request->site);
  g_clear_pointer (&request->changes, g_ptr_array_unref);
  g_free (request);
}

TandemPushRequest *
tandem_push_request_parse (const char  *data,
                           gsize        length,
                           GError     **error)
{
  static const KeySpec keys[] = {
    { "batch_id", KEY_STRING, TRUE },
    { "schema", KEY_INT, TRUE },
    { "site", KEY_STRING, TRUE },
    { "sent_at", KEY_INT, TRUE },
    { "changes", KEY_ARRAY, TRUE },
  };
  g_autoptr(TandemPushRequest) request = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonArray *changes;
  guint n_changes;
  gint64 schema;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = tandem_protocol_parse (data, length, error);
  if (root == NULL)
    return NULL;

  if (!check_object (root, _("the push request"), keys, G_N_ELEMENTS (keys), error))
    return NULL;

  object = json_node_get_object (root);
  changes = json_object_get_array_member (object, "changes");
  n_changes = json_array_get_length (changes);

  if (n_changes > TANDEM_PROTOCOL_MAX_CHANGES)
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                   _("The batch has %u changes, over the limit of %d"),
                   n_changes, TANDEM_PROTOCOL_MAX_CHANGES);
      return NULL;
    }

  schema = json_object_get_int_member (object, "schema");
  if (schema < 0 || schema > G_MAXINT)
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("\"schema\" is out of range"));
      return NULL;
    }

  if (schema != TANDEM_SYNC_SCHEMA_VERSION)
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_UPGRADE_REQUIRED,
                   _("The client uses schema %d and the server schema %d: upgrade Tandem"),
                   (int) schema, TANDEM_SYNC_SCHEMA_VERSION);
      return NULL;
    }

  request = g_new0 (TandemPushRequest, 1);
  request->batch_id = g_strdup (json_object_get_string_member (object, "batch_id"));
  request->schema = (int) schema;
  request->site = g_strdup (json_object_get_string_member (object, "site"));
  request->sent_at = json_object_get_int_member (object, "sent_at");
  request->changes = g_ptr_array_new_full (n_changes, tandem_sync_change_release);

  if (request->batch_id[0] == '\0' || strlen (request->batch_id) > 128)
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("\"batch_id\" must be a string of 1 to 128 bytes"));
      return NULL;
    }

  for (guint i = 0; i < n_changes; i++)
    {
      TandemChange *change = change_from_node (json_array_get_element (changes, i), FALSE, error);

      if (change == NULL)
        {
          g_prefix_error (error, _("change %u: "), i);
          return NULL;
        }

      g_ptr_array_add (request->changes, change);
    }

  return g_steal_pointer (&request);
}

/* Writing documents. They are written directly rather than through a
 * JsonNode tree, which for a snapshot would hold the whole workspace twice. */

void
tandem_protocol_append_string (GString    *out,
                               const char *text)
{
  g_return_if_fail (out != NULL);

  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
          break;
        }
    }
  g_string_append_c (out, '"');
}

static void
append_change (GString            *out,
               const TandemChange *change,
               gboolean            with_seq)
{
  g_string_append_c (out, '{');
  if (with_seq)
    g_string_append_printf (out, "\"seq\":%" G_GINT64_FORMAT ",", change->seq);
  g_string_append (out, "\"table\":");
  tandem_protocol_append_string (out, change->table);
  g_string_append (out, ",\"row\":");
  tandem_protocol_append_string (out, change->row_id);
  g_string_append (out, ",\"field\":");
  tandem_protocol_append_string (out, change->field);
  /* value_json is JSON already: the store and the parser only keep values
   * that json-glib produced or accepted. */
  g_string_append (out, ",\"value\":");
  g_string_append (out, change->value_json ? change->value_json : "null");
  g_string_append_printf (out, ",\"hlc\":%" G_GINT64_FORMAT ",\"site\":", change->hlc);
  tandem_protocol_append_string (out, change->site);
  g_string_append_printf (out, ",\"base_hlc\":%" G_GINT64_FORMAT "}", change->base_hlc);
}

static char *
finish (GString *out,
        gsize   *length)
{
  if (length)
    *length = out->len;

  return g_string_free (out, FALSE);
}

char *
tandem_push_request_build (const char *batch_id,
                           int         schema,
                           const char *site,
                           gint64      sent_at,
                           GPtrArray  *changes,
                           gsize      *length)
{
  GString *out;

  g_return_val_if_fail (batch_id != NULL, NULL);
  g_return_val_if_fail (site != NULL, NULL);
  g_return_val_if_fail (changes != NULL, NULL);

  out = g_string_sized_new (256 + changes->len * 160);
  g_string_append (out, "{\"batch_id\":");
  tandem_protocol_append_string (out, batch_id);
  g_string_append_printf (out, ",\"schema\":%d,\"site\":", schema);
  tandem_protocol_append_string (out, site);
  g_string_append_printf (out, ",\"sent_at\":%" G_GINT64_FORMAT ",\"changes\":[", sent_at);
  for (guint i = 0; i < changes->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_change (out, g_ptr_array_index (changes, i), FALSE);
    }
  g_string_append (out, "]}");

  return finish (out, length);
}

char *
tandem_push_answer_build (const char           *batch_id,
                          gint64                cursor,
                          GArray               *outcomes,
                          const TandemPushSkip *skip,
                          gsize                *length)
{
  GString *out;

  g_return_val_if_fail (batch_id != NULL, NULL);
  g_return_val_if_fail (outcomes != NULL, NULL);

  out = g_string_sized_new (64 + outcomes->len * 24);
  g_string_append (out, "{\"batch_id\":");
  tandem_protocol_append_string (out, batch_id);
  g_string_append_printf (out, ",\"cursor\":%" G_GINT64_FORMAT ",\"results\":[", cursor);
  for (guint i = 0; i < outcomes->len; i++)
    g_string_append_printf (out, "%s{\"outcome\":\"%s\"}", i > 0 ? "," : "",
                            tandem_push_outcome_to_string (g_array_index (outcomes, int, i)));
  g_string_append_c (out, ']');
  if (skip != NULL)
    g_string_append_printf (out, ",\"skip\":{\"from\":%" G_GINT64_FORMAT ",\"to\":%"
                            G_GINT64_FORMAT ",\"hlc\":%" G_GINT64_FORMAT "}",
                            skip->from, skip->to, skip->hlc);
  g_string_append_c (out, '}');

  return finish (out, length);
}

gboolean
tandem_push_answer_parse (const char      *data,
                          gsize            length,
                          char           **batch_id,
                          gint64          *cursor,
                          GArray         **outcomes,
                          TandemPushSkip  *skip,
                          GError         **error)
{
  static const KeySpec keys[] = {
    { "batch_id", KEY_STRING, TRUE },
    { "cursor", KEY_INT, TRUE },
    { "results", KEY_ARRAY, TRUE },
    { "skip", KEY_OBJECT, FALSE },
  };
  static const KeySpec result_keys[] = {
    { "outcome", KEY_STRING, TRUE },
  };
  static const KeySpec skip_keys[] = {
    { "from", KEY_INT, TRUE },
    { "to", KEY_INT, TRUE },
    { "hlc", KEY_INT, TRUE },
  };
  TandemPushSkip parsed_skip = { 0, };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GArray) result = NULL;
  JsonObject *object;
  JsonArray *results;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  root = parse_full (data, length, MAX_ANSWER_BODY, error);
  if (root == NULL)
    return FALSE;

  if (!check_object (root, _("the push answer"), keys, G_N_ELEMENTS (keys), error))
    return FALSE;

  object = json_node_get_object (root);
  results = json_object_get_array_member (object, "results");
  result = g_array_sized_new (FALSE, FALSE, sizeof (int), json_array_get_length (results));

  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonNode *node = json_array_get_element (results, i);
      TandemPushOutcome outcome;
      int value;

      if (!check_object (node, _("a result"), result_keys, G_N_ELEMENTS (result_keys), error))
        return FALSE;

      if (!tandem_push_outcome_from_string (json_object_get_string_member (json_node_get_object (node),
                                                                           "outcome"),
                                            &outcome))
        {
          g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                       _("result %u: unknown outcome"), i);
          return FALSE;
        }

      value = outcome;
      g_array_append_val (result, value);
    }

  if (json_object_has_member (object, "skip"))
    {
      JsonNode *node = json_object_get_member (object, "skip");
      JsonObject *skip_object;

      if (!check_object (node, _("the skip of the push answer"), skip_keys,
                         G_N_ELEMENTS (skip_keys), error))
        return FALSE;

      skip_object = json_node_get_object (node);
      parsed_skip.from = json_object_get_int_member (skip_object, "from");
      parsed_skip.to = json_object_get_int_member (skip_object, "to");
      parsed_skip.hlc = json_object_get_int_member (skip_object, "hlc");
      if (parsed_skip.from < 0 || parsed_skip.to <= parsed_skip.from || parsed_skip.hlc <= 0 ||
          parsed_skip.to > json_object_get_int_member (object, "cursor"))
        {
          g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                               _("the skip of the push answer is out of range"));
          return FALSE;
        }
    }

  if (skip)
    *skip = parsed_skip;
  if (batch_id)
    *batch_id = g_strdup (json_object_get_string_member (object, "batch_id"));
  if (cursor)
    *cursor = json_object_get_int_member (object, "cursor");
  if (outcomes)
    *outcomes = g_steal_pointer (&result);

  return TRUE;
}

char *
tandem_pull_answer_build (GPtrArray *changes,
                          gint64     cursor,
                          gboolean   more,
                          gsize     *length)
{
  GString *out;

  g_return_val_if_fail (changes != NULL, NULL);

  out = g_string_sized_new (64 + changes->len * 200);
  g_string_append (out, "{\"changes\":[");
  for (guint i = 0; i < changes->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_change (out, g_ptr_array_index (changes, i), TRUE);
    }
  g_string_append_printf (out, "],\"cursor\":%" G_GINT64_FORMAT ",\"more\":%s}",
                          cursor, more ? "true" : "false");

  return finish (out, length);
}

GPtrArray *
tandem_pull_answer_parse (const char  *data,
                          gsize        length,
                          gint64      *cursor,
                          gboolean    *more,
                          GError     **error)
{
  static const KeySpec keys[] = {
    { "changes", KEY_ARRAY, TRUE },
    { "cursor", KEY_INT, TRUE },
    { "more", KEY_BOOL, TRUE },
  };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) result = NULL;
  JsonObject *object;
  JsonArray *changes;
  guint n;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = parse_full (data, length, MAX_ANSWER_BODY, error);
  if (root == NULL)
    return NULL;

  if (!check_object (root, _("the pull answer"), keys, G_N_ELEMENTS (keys), error))
    return NULL;

  object = json_node_get_object (root);
  changes = json_object_get_array_member (object, "changes");
  n = json_array_get_length (changes);
  result = g_ptr_array_new_full (n, tandem_sync_change_release);

  for (guint i = 0; i < n; i++)
    {
      TandemChange *change = change_from_node (json_array_get_element (changes, i), TRUE, error);

      if (change == NULL)
        {
          g_prefix_error (error, _("change %u: "), i);
          return NULL;
        }

      g_ptr_array_add (result, change);
    }

  if (cursor)
    *cursor = json_object_get_int_member (object, "cursor");
  if (more)
    *more = json_object_get_boolean_member (object, "more");

  return g_steal_pointer (&result);
}

char *
tandem_snapshot_build (int        schema,
                       gint64     cursor,
                       GPtrArray *changes,
                       gsize     *length)
{
  GString *out;
  guint64 n_rows = 0;
  guint i = 0;

  g_return_val_if_fail (changes != NULL, NULL);

  out = g_string_sized_new (64 + changes->len * 64);
  tandem_snapshot_append_header (out, schema, cursor);

  /* The changes come sorted by table and row: each run of one row becomes
   * one line, its oldest clock the row's, the fields it lacks unwritten. */
  while (i < changes->len)
    {
      const TandemChange *first = g_ptr_array_index (changes, i);
      const TandemTableSpec *spec = tandem_schema_lookup (first->table);
      const char * const *columns;
      const TandemChange *oldest = first;
      g_autofree const char **values = NULL;
      g_autofree gint64 *clock_hlcs = NULL;
      g_autofree const char **clock_sites = NULL;
      guint n_columns;
      guint end = i;

      while (end < changes->len &&
             g_str_equal (((TandemChange *) g_ptr_array_index (changes, end))->table, first->table) &&
             g_str_equal (((TandemChange *) g_ptr_array_index (changes, end))->row_id,
                          first->row_id))
        end++;

      if (spec == NULL)
        {
          i = end;
          continue;
        }

      columns = tandem_snapshot_columns (spec, &n_columns);
      if (i == 0 || !g_str_equal (((TandemChange *) g_ptr_array_index (changes, i - 1))->table,
                                  first->table))
        tandem_snapshot_append_table (out, spec->name, columns, n_columns);

      values = g_new0 (const char *, n_columns);
      clock_hlcs = g_new0 (gint64, n_columns);
      clock_sites = g_new0 (const char *, n_columns);
      for (guint c = 0; c < n_columns; c++)
        clock_sites[c] = "";

      for (guint j = i; j < end; j++)
        {
          const TandemChange *change = g_ptr_array_index (changes, j);

          if (tandem_sync_stamp_wins (oldest->hlc, oldest->site, change->hlc, change->site))
            oldest = change;
        }

      for (guint j = i; j < end; j++)
        {
          const TandemChange *change = g_ptr_array_index (changes, j);

          for (guint c = 0; c < n_columns; c++)
            if (g_str_equal (columns[c], change->field))
              {
                values[c] = change->value_json;
                clock_hlcs[c] = change->hlc;
                clock_sites[c] = change->site;
                if (change->hlc == oldest->hlc && g_str_equal (change->site, oldest->site))
                  clock_sites[c] = NULL;
              }
        }

      tandem_snapshot_append_row (out, first->row_id, oldest->hlc, oldest->site, columns,
                                  values, n_columns, clock_hlcs, clock_sites);
      n_rows++;
      i = end;
    }

  tandem_snapshot_append_end (out, n_rows);

  return finish (out, length);
}

GPtrArray *
tandem_snapshot_parse (const char  *data,
                       gsize        length,
                       int         *schema,
                       gint64      *cursor,
                       GError     **error)
{
  g_autoptr(TandemSnapshotParser) parser = tandem_snapshot_parser_new ();
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GString) value = g_string_new (NULL);
  gsize start = 0;
  guint line_number = 0;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  result = g_ptr_array_new_with_free_func (tandem_sync_change_release);

  while (start < length)
    {
      const char *newline = memchr (data + start, '\n', length - start);
      gsize line_length = newline ? (gsize) (newline - (data + start)) : length - start;
      TandemSnapshotLineKind kind;
      const TandemSyncRow *row;
      const char * const *columns;
      guint n_columns;

      line_number++;
      if (!tandem_snapshot_parser_feed (parser, data + start, line_length, &kind, error))
        {
          g_prefix_error (error, _("line %u: "), line_number);
          return NULL;
        }
      start += line_length + 1;

      if (kind != TANDEM_SNAPSHOT_LINE_ROW)
        continue;

      row = tandem_snapshot_parser_get_row (parser);
      columns = tandem_snapshot_parser_get_columns (parser, &n_columns);
      for (guint c = 0; c < n_columns; c++)
        {
          TandemChange *change;
          gint64 hlc = row->hlc;
          const char *site = row->site;

          for (guint k = 0; k < row->n_clocks; k++)
            if (row->clocks[k].column == c)
              {
                hlc = row->clocks[k].hlc;
                site = row->clocks[k].site;
              }

          if (hlc == 0 && *site == '\0')
            continue;

          g_string_truncate (value, 0);
          tandem_snapshot_append_value (value, &row->values[c]);

          change = tandem_sync_change_alloc ();
          change->table = g_strdup (tandem_snapshot_parser_get_table (parser));
          change->row_id = g_strdup (row->row_id);
          change->field = g_strdup (columns[c]);
          change->value_json = g_strdup (value->str);
          change->hlc = hlc;
          change->site = g_strdup (site);
          g_ptr_array_add (result, change);

          /* A snapshot spells every row field by field, insert-only ones
           * too. */
          if (validate_change_head (change, error) == NULL ||
              !validate_value (tandem_schema_lookup (change->table), change->field,
                               &row->values[c], error))
            {
              g_prefix_error (error, _("line %u: "), line_number);
              return NULL;
            }
        }
    }

  if (!tandem_snapshot_parser_finish (parser, error))
    return NULL;

  if (schema)
    *schema = tandem_snapshot_parser_get_schema (parser);
  if (cursor)
    *cursor = tandem_snapshot_parser_get_cursor (parser);

  return g_steal_pointer (&result);
}

char *
tandem_protocol_error_build (const char *code,
                             const char *message,
                             const char *extra_key,
                             gint64      extra_value,
                             gsize      *length)
{
  GString *out;

  g_return_val_if_fail (code != NULL, NULL);

  out = g_string_new ("{\"error\":");
  tandem_protocol_append_string (out, code);
  if (message != NULL)
    {
      g_string_append (out, ",\"message\":");
      tandem_protocol_append_string (out, message);
    }
  if (extra_key != NULL)
    {
      g_string_append_c (out, ',');
      tandem_protocol_append_string (out, extra_key);
      g_string_append_printf (out, ":%" G_GINT64_FORMAT, extra_value);
    }
  g_string_append_c (out, '}');

  return finish (out, length);
}
