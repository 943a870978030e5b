/* tandem-snapshot-format.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tandem-snapshot-format.h"
#include "tandem-sync-protocol.h"

/* The columns of each table, made once. */

G_LOCK_DEFINE_STATIC (columns);
static GHashTable *columns_by_spec;

const char * const *
tandem_snapshot_columns (const TandemTableSpec *spec,
                         guint                 *n_columns)
{
  GStrv columns;

  g_return_val_if_fail (spec != NULL, NULL);

  G_LOCK (columns);
  if (columns_by_spec == NULL)
    columns_by_spec = g_hash_table_new (NULL, NULL);

  columns = g_hash_table_lookup (columns_by_spec, spec);
  if (columns == NULL)
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new ();

      for (guint i = 0; i < spec->n_fields; i++)
        if (!spec->fields[i].derived)
          g_ptr_array_add (names, g_strdup (spec->fields[i].name));
      g_ptr_array_add (names, g_strdup ("deleted"));
      g_ptr_array_add (names, NULL);

      columns = (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
      g_hash_table_insert (columns_by_spec, (gpointer) spec, columns);
    }
  G_UNLOCK (columns);

  if (n_columns != NULL)
    *n_columns = g_strv_length (columns);

  return (const char * const *) columns;
}

/* Writing. */

void
tandem_snapshot_append_header (GString *out,
                               int      schema,
                               gint64   cursor)
{
  g_return_if_fail (out != NULL);

  g_string_append_printf (out, "{\"format\":\"tandem-snapshot\",\"version\":%d,\"schema\":%d,"
                          "\"cursor\":%" G_GINT64_FORMAT "}\n",
                          TANDEM_SNAPSHOT_VERSION, schema, cursor);
}

void
tandem_snapshot_append_table (GString            *out,
                              const char         *table,
                              const char * const *columns,
                              guint               n_columns)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (table != NULL);

  g_string_append (out, "{\"table\":");
  tandem_protocol_append_string (out, table);
  g_string_append (out, ",\"columns\":[");
  for (guint i = 0; i < n_columns; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      tandem_protocol_append_string (out, columns[i]);
    }
  g_string_append (out, "]}\n");
}

void
tandem_snapshot_append_row (GString            *out,
                            const char         *row_id,
                            gint64              hlc,
                            const char         *site,
                            const char * const *columns,
                            const char * const *values,
                            guint               n_columns,
                            const gint64       *clock_hlcs,
                            const char * const *clock_sites)
{
  gboolean any_clock = FALSE;

  g_return_if_fail (out != NULL);
  g_return_if_fail (row_id != NULL && site != NULL);

  g_string_append_c (out, '[');
  tandem_protocol_append_string (out, row_id);
  g_string_append_printf (out, ",%" G_GINT64_FORMAT ",", hlc);
  tandem_protocol_append_string (out, site);
  g_string_append (out, ",[");
  for (guint i = 0; i < n_columns; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, values[i] != NULL ? values[i] : "null");
    }
  g_string_append_c (out, ']');

  /* Most rows were never edited after they were made: they carry no
   * clocks of their own, and the object is left out. */
  for (guint i = 0; clock_sites != NULL && i < n_columns; i++)
    {
      if (clock_sites[i] == NULL)
        continue;

      g_string_append (out, any_clock ? "," : ",{");
      any_clock = TRUE;
      tandem_protocol_append_string (out, columns[i]);
      g_string_append_printf (out, ":[%" G_GINT64_FORMAT ",", clock_hlcs[i]);
      tandem_protocol_append_string (out, clock_sites[i]);
      g_string_append_c (out, ']');
    }
  if (any_clock)
    g_string_append_c (out, '}');

  g_string_append (out, "]\n");
}

void
tandem_snapshot_append_end (GString *out,
                            guint64  n_rows)
{
  g_return_if_fail (out != NULL);

  g_string_append_printf (out, "{\"end\":true,\"rows\":%" G_GUINT64_FORMAT "}\n", n_rows);
}

void
tandem_snapshot_append_value (GString               *out,
                              const TandemSyncValue *value)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (value != NULL);

  switch (value->kind)
    {
    case TANDEM_SYNC_VALUE_INT:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, value->number);
      break;
    case TANDEM_SYNC_VALUE_TEXT:
      tandem_protocol_append_string (out, value->text);
      break;
    case TANDEM_SYNC_VALUE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

/* Reading. */

typedef enum
{
  EXPECT_HEADER,
  EXPECT_TABLE,   /* after the header: a table, or the end */
  EXPECT_ANY,     /* a row, another table, or the end */
  AFTER_END,
} State;

typedef struct
{
  gsize offset;
  gsize length;
} Span;

struct _TandemSnapshotParser
{
  State          state;
  int            schema;
  gint64         cursor;
  guint64        n_rows;

  /* The table of the rows that follow. */
  char          *table;
  GPtrArray     *columns;   /* char *, NULL-terminated */

  /* The last value or row scanned, pointing into @scratch and @line. */
  const char    *line;
  TandemSyncRow  row;
  GArray        *values;    /* TandemSyncValue */
  GArray        *spans;     /* Span of each value in @line */
  GArray        *clocks;    /* TandemSyncClock */
  GPtrArray     *names;     /* const char *, member names of a scanned object */
  char          *scratch;   /* decoded strings */
  gsize          scratch_size;
};

TandemSnapshotParser *
tandem_snapshot_parser_new (void)
{
  TandemSnapshotParser *parser = g_new0 (TandemSnapshotParser, 1);

  parser->columns = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (parser->columns, NULL);
  parser->values = g_array_new (FALSE, TRUE, sizeof (TandemSyncValue));
  parser->spans = g_array_new (FALSE, TRUE, sizeof (Span));
  parser->clocks = g_array_new (FALSE, TRUE, sizeof (TandemSyncClock));
  parser->names = g_ptr_array_new ();

  return parser;
}

void
tandem_snapshot_parser_free (TandemSnapshotParser *parser)
{
  if (parser == NULL)
    return;

  g_free (parser->table);
  g_ptr_array_unref (parser->columns);
  g_array_unref (parser->values);
  g_array_unref (parser->spans);
  g_array_unref (parser->clocks);
  g_ptr_array_unref (parser->names);
  g_free (parser->scratch);
  g_free (parser);
}

typedef struct
{
  TandemSnapshotParser *parser;
  const char           *start;
  const char           *p;
  const char           *end;
  char                 *out;    /* where the next decoded string goes */
} Scan;

static gboolean
scan_error (Scan        *scan,
            GError     **error,
            const char  *what)
{
  g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
               _("%s at byte %" G_GSIZE_FORMAT), what, (gsize) (scan->p - scan->start));
  return FALSE;
}

/* Decoded strings are never longer than their spelling, so a scratch
 * buffer as large as the text holds all of them without moving. */
static gboolean
scan_init (Scan                 *scan,
           TandemSnapshotParser *parser,
           const char           *text,
           gsize                 length,
           GError              **error)
{
  scan->parser = parser;
  scan->start = text;
  scan->p = text;
  scan->end = text + length;

  /* g_utf8_validate_len() also refuses NUL bytes. */
  if (!g_utf8_validate_len (text, length, NULL))
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("The line is not valid UTF-8"));
      return FALSE;
    }

  if (parser->scratch_size < length + 1)
    {
      g_free (parser->scratch);
      parser->scratch_size = MAX (length + 1, 4096);
      parser->scratch = g_malloc (parser->scratch_size);
    }
  scan->out = parser->scratch;

  parser->line = text;
  g_array_set_size (parser->values, 0);
  g_array_set_size (parser->spans, 0);
  g_array_set_size (parser->clocks, 0);
  g_ptr_array_set_size (parser->names, 0);

  return TRUE;
}

static void
skip_space (Scan *scan)
{
  while (scan->p < scan->end &&
         (*scan->p == ' ' || *scan->p == '\t' || *scan->p == '\r' || *scan->p == '\n'))
    scan->p++;
}

/* Skips spaces and, if the next character is @c, takes it. */
static gboolean
take (Scan *scan,
      char  c)
{
  skip_space (scan);
  if (scan->p < scan->end && *scan->p == c)
    {
      scan->p++;
      return TRUE;
    }

  return FALSE;
}

static gboolean
expect (Scan    *scan,
        char     c,
        GError **error)
{
  g_autofree char *what = NULL;

  if (take (scan, c))
    return TRUE;

  what = g_strdup_printf (_("“%c” expected"), c);
  return scan_error (scan, error, what);
}

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
scan_hex4 (Scan     *scan,
           gunichar *value)
{
  *value = 0;
  if (scan->end - scan->p < 4)
    return FALSE;

  for (int i = 0; i < 4; i++)
    {
      int digit = hex_digit (scan->p[i]);

      if (digit < 0)
        return FALSE;
      *value = (*value << 4) | (gunichar) digit;
    }
  scan->p += 4;

  return TRUE;
}

static gboolean
scan_string (Scan         *scan,
             const char  **text,
             gsize        *length,
             GError      **error)
{
  char *start;

  skip_space (scan);
  if (scan->p >= scan->end || *scan->p != '"')
    return scan_error (scan, error, _("A string expected"));
  scan->p++;

  start = scan->out;
  while (scan->p < scan->end)
    {
      guchar c = (guchar) *scan->p;

      if (c == '"')
        {
          scan->p++;
          *length = scan->out - start;
          *scan->out++ = '\0';
          *text = start;

          if (*length > TANDEM_PROTOCOL_MAX_STRING)
            {
              g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("A string is longer than %d bytes"), TANDEM_PROTOCOL_MAX_STRING);
              return FALSE;
            }
          return TRUE;
        }

      if (c < 0x20)
        return scan_error (scan, error, _("A control character in a string"));

      if (c != '\\')
        {
          *scan->out++ = (char) c;
          scan->p++;
          continue;
        }

      scan->p++;
      if (scan->p >= scan->end)
        break;

      switch (*scan->p++)
        {
        case '"':  *scan->out++ = '"'; break;
        case '\\': *scan->out++ = '\\'; break;
        case '/':  *scan->out++ = '/'; break;
        case 'b':  *scan->out++ = '\b'; break;
        case 'f':  *scan->out++ = '\f'; break;
        case 'n':  *scan->out++ = '\n'; break;
        case 'r':  *scan->out++ = '\r'; break;
        case 't':  *scan->out++ = '\t'; break;
        case 'u':
          {
            gunichar unit, low;

            if (!scan_hex4 (scan, &unit))
              return scan_error (scan, error, _("A broken \\u escape"));

            /* A character beyond the first plane comes as two halves;
             * either half alone is not text. */
            if (unit >= 0xd800 && unit <= 0xdbff)
              {
                if (scan->end - scan->p < 2 || scan->p[0] != '\\' || scan->p[1] != 'u')
                  return scan_error (scan, error, _("A string is not valid UTF-8"));
                scan->p += 2;
                if (!scan_hex4 (scan, &low) || low < 0xdc00 || low > 0xdfff)
                  return scan_error (scan, error, _("A string is not valid UTF-8"));
                unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
              }
            else if (unit >= 0xdc00 && unit <= 0xdfff)
              return scan_error (scan, error, _("A string is not valid UTF-8"));

            /* A NUL would cut the text short wherever it goes next. */
            if (unit == 0)
              return scan_error (scan, error, _("A string holds a NUL character"));

            scan->out += g_unichar_to_utf8 (unit, scan->out);
          }
          break;

        default:
          scan->p--;
          return scan_error (scan, error, _("An unknown escape in a string"));
        }
    }

  return scan_error (scan, error, _("A string does not end"));
}

/* An integer that fits in 64 bits, INT64_MIN excepted as
 * tandem_protocol_check_text() does. */
static gboolean
scan_integer (Scan     *scan,
              gint64   *number,
              GError  **error)
{
  gboolean negative = FALSE;
  guint64 value = 0;
  const char *digits;

  skip_space (scan);
  if (scan->p < scan->end && *scan->p == '-')
    {
      negative = TRUE;
      scan->p++;
    }

  digits = scan->p;
  while (scan->p < scan->end && g_ascii_isdigit (*scan->p))
    {
      guint digit = (guint) (*scan->p - '0');

      if (value > ((guint64) G_MAXINT64 - digit) / 10)
        return scan_error (scan, error, _("A number does not fit in 64 bits"));
      value = value * 10 + digit;
      scan->p++;
    }

  if (scan->p == digits)
    return scan_error (scan, error, _("A number expected"));

  if (scan->p - digits > 1 && *digits == '0')
    return scan_error (scan, error, _("A number with a leading zero"));

  if (scan->p < scan->end && (*scan->p == '.' || *scan->p == 'e' || *scan->p == 'E'))
    return scan_error (scan, error, _("A number that is not an integer"));

  *number = negative ? -(gint64) value : (gint64) value;
  return TRUE;
}

/* A scalar value, appended to the parser's values with its span. */
static gboolean
scan_scalar (Scan    *scan,
             GError **error)
{
  TandemSyncValue value = { 0, };
  Span span;

  skip_space (scan);
  span.offset = scan->p - scan->start;

  if (scan->p < scan->end && *scan->p == '"')
    {
      value.kind = TANDEM_SYNC_VALUE_TEXT;
      if (!scan_string (scan, &value.text, &value.length, error))
        return FALSE;
    }
  else if (scan->end - scan->p >= 4 && memcmp (scan->p, "null", 4) == 0)
    {
      value.kind = TANDEM_SYNC_VALUE_NULL;
      scan->p += 4;
    }
  else if (scan->p < scan->end && (*scan->p == '-' || g_ascii_isdigit (*scan->p)))
    {
      value.kind = TANDEM_SYNC_VALUE_INT;
      if (!scan_integer (scan, &value.number, error))
        return FALSE;
    }
  else
    return scan_error (scan, error, _("A string, an integer or null expected"));

  span.length = (scan->p - scan->start) - span.offset;
  g_array_append_val (scan->parser->values, value);
  g_array_append_val (scan->parser->spans, span);

  return TRUE;
}

static gboolean
scan_end (Scan    *scan,
          GError **error)
{
  skip_space (scan);
  if (scan->p != scan->end)
    return scan_error (scan, error, _("Text after the end of the value"));

  return TRUE;
}

static int
column_index (TandemSnapshotParser *parser,
              const char           *name)
{
  for (guint i = 0; i + 1 < parser->columns->len; i++)
    if (g_str_equal (g_ptr_array_index (parser->columns, i), name))
      return (int) i;

  return -1;
}

/* ["id", hlc, "site", [values…]] or ["id", hlc, "site", [values…],
 * {"column": [hlc, "site"], …}] */
static gboolean
scan_row (TandemSnapshotParser  *parser,
          const char            *line,
          gsize                  length,
          GError               **error)
{
  guint n_columns = parser->columns->len - 1;
  guint64 seen = 0;
  Scan scan;

  if (!scan_init (&scan, parser, line, length, error))
    return FALSE;

  if (!expect (&scan, '[', error) ||
      !scan_string (&scan, &parser->row.row_id, &(gsize) { 0 }, error) ||
      !expect (&scan, ',', error) ||
      !scan_integer (&scan, &parser->row.hlc, error) ||
      !expect (&scan, ',', error) ||
      !scan_string (&scan, &parser->row.site, &(gsize) { 0 }, error) ||
      !expect (&scan, ',', error) ||
      !expect (&scan, '[', error))
    return FALSE;

  if (!take (&scan, ']'))
    {
      do
        if (!scan_scalar (&scan, error))
          return FALSE;
      while (take (&scan, ','));

      if (!expect (&scan, ']', error))
        return FALSE;
    }

  if (parser->values->len != n_columns)
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                   _("The row has %u values for %u columns"), parser->values->len, n_columns);
      return FALSE;
    }

  if (take (&scan, ','))
    {
      if (!take (&scan, '{'))
        return scan_error (&scan, error, _("The clocks of the row expected"));

      if (!take (&scan, '}'))
        {
          do
            {
              TandemSyncClock clock = { 0, };
              const char *name;
              gsize name_length;
              int column;

              if (!scan_string (&scan, &name, &name_length, error) ||
                  !expect (&scan, ':', error) ||
                  !expect (&scan, '[', error) ||
                  !scan_integer (&scan, &clock.hlc, error) ||
                  !expect (&scan, ',', error) ||
                  !scan_string (&scan, &clock.site, &(gsize) { 0 }, error) ||
                  !expect (&scan, ']', error))
                return FALSE;

              column = column_index (parser, name);
              if (column < 0 || column >= 64 || (seen & (G_GUINT64_CONSTANT (1) << column)))
                {
                  g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                               _("The row has a clock for “%s”, which is not one of its "
                                 "columns or comes twice"), name);
                  return FALSE;
                }
              seen |= G_GUINT64_CONSTANT (1) << column;
              clock.column = (guint) column;
              g_array_append_val (parser->clocks, clock);
            }
          while (take (&scan, ','));

          if (!expect (&scan, '}', error))
            return FALSE;
        }
    }

  if (!expect (&scan, ']', error) || !scan_end (&scan, error))
    return FALSE;

  parser->row.values = (const TandemSyncValue *) parser->values->data;
  parser->row.n_values = parser->values->len;
  parser->row.clocks = (const TandemSyncClock *) parser->clocks->data;
  parser->row.n_clocks = parser->clocks->len;

  return TRUE;
}

/* Header, table and end lines are small objects, read with the checks of
 * tandem_protocol_parse(). */
static JsonObject *
parse_object (const char  *line,
              gsize        length,
              JsonNode   **root,
              GError     **error)
{
  *root = tandem_protocol_parse (line, length, error);
  if (*root == NULL)
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (*root))
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("A row or an object expected"));
      return NULL;
    }

  return json_node_get_object (*root);
}

static gboolean
member_is (JsonObject *object,
           const char *name,
           GType       type)
{
  JsonNode *member = json_object_get_member (object, name);

  return member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
         json_node_get_value_type (member) == type;
}

static gboolean
only_members (JsonObject          *object,
              const char * const  *names,
              GError             **error)
{
  JsonObjectIter iter;
  const char *name;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, NULL))
    if (!g_strv_contains (names, name))
      {
        g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                     _("Unknown key “%s”"), name);
        return FALSE;
      }

  return TRUE;
}

static gboolean
feed_header (TandemSnapshotParser  *parser,
             JsonObject            *object,
             GError               **error)
{
  static const char * const keys[] = { "format", "version", "schema", "cursor", NULL };
  gint64 version;
  gint64 schema;

  if (!member_is (object, "format", G_TYPE_STRING) ||
      !g_str_equal (json_object_get_string_member (object, "format"), "tandem-snapshot") ||
      !member_is (object, "version", G_TYPE_INT64))
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("The first line is not the header of a snapshot"));
      return FALSE;
    }

  /* Checked before anything else in it: another version may have other
   * keys. */
  version = json_object_get_int_member (object, "version");
  if (version != TANDEM_SNAPSHOT_VERSION)
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_UPGRADE_REQUIRED,
                   _("The snapshot has format version %" G_GINT64_FORMAT " and this version of "
                     "Tandem reads version %d"), version, TANDEM_SNAPSHOT_VERSION);
      return FALSE;
    }

  if (!only_members (object, keys, error))
    return FALSE;

  if (!member_is (object, "schema", G_TYPE_INT64) || !member_is (object, "cursor", G_TYPE_INT64))
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("The header lacks the schema or the cursor"));
      return FALSE;
    }

  schema = json_object_get_int_member (object, "schema");
  parser->cursor = json_object_get_int_member (object, "cursor");
  if (schema < 0 || schema > G_MAXINT || parser->cursor < 0)
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("The schema or the cursor of the header is out of range"));
      return FALSE;
    }
  parser->schema = (int) schema;

  return TRUE;
}

static gboolean
set_table (TandemSnapshotParser  *parser,
           const char            *table,
           const char * const    *columns,
           guint                  n_columns,
           GError               **error)
{
  if (tandem_schema_lookup (table) == NULL)
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                   _("Unknown table “%s”"), table);
      return FALSE;
    }

  if (n_columns > 64)
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                   _("The table “%s” has %u columns"), table, n_columns);
      return FALSE;
    }

  g_free (parser->table);
  parser->table = g_strdup (table);
  g_ptr_array_set_size (parser->columns, 0);
  for (guint i = 0; i < n_columns; i++)
    g_ptr_array_add (parser->columns, g_strdup (columns[i]));
  g_ptr_array_add (parser->columns, NULL);

  return TRUE;
}

static gboolean
feed_table (TandemSnapshotParser  *parser,
            JsonObject            *object,
            GError               **error)
{
  static const char * const keys[] = { "table", "columns", NULL };
  g_autoptr(GPtrArray) columns = g_ptr_array_new ();
  JsonNode *member = json_object_get_member (object, "columns");
  JsonArray *array;

  if (!only_members (object, keys, error))
    return FALSE;

  if (!member_is (object, "table", G_TYPE_STRING) || member == NULL ||
      !JSON_NODE_HOLDS_ARRAY (member))
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("A table line needs “table” and “columns”"));
      return FALSE;
    }

  array = json_node_get_array (member);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *column = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (column) || json_node_get_value_type (column) != G_TYPE_STRING)
        {
          g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                               _("Columns are named by strings"));
          return FALSE;
        }
      g_ptr_array_add (columns, (gpointer) json_node_get_string (column));
    }

  return set_table (parser, json_object_get_string_member (object, "table"),
                    (const char * const *) columns->pdata, columns->len, error);
}

static gboolean
feed_end (TandemSnapshotParser  *parser,
          JsonObject            *object,
          GError               **error)
{
  static const char * const keys[] = { "end", "rows", NULL };
  gint64 rows;

  if (!only_members (object, keys, error))
    return FALSE;

  if (!member_is (object, "end", G_TYPE_BOOLEAN) || !json_object_get_boolean_member (object, "end") ||
      !member_is (object, "rows", G_TYPE_INT64))
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("A line is neither a table nor the end"));
      return FALSE;
    }

  /* A count that does not match means lines went missing on the way. */
  rows = json_object_get_int_member (object, "rows");
  if (rows < 0 || (guint64) rows != parser->n_rows)
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                   _("The snapshot announces %" G_GINT64_FORMAT " rows and holds %" G_GUINT64_FORMAT),
                   rows, parser->n_rows);
      return FALSE;
    }

  return TRUE;
}

gboolean
tandem_snapshot_parser_feed (TandemSnapshotParser    *parser,
                             const char              *line,
                             gsize                    length,
                             TandemSnapshotLineKind  *kind,
                             GError                 **error)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  gsize i = 0;

  g_return_val_if_fail (parser != NULL, FALSE);
  g_return_val_if_fail (line != NULL || length == 0, FALSE);
  g_return_val_if_fail (kind != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (parser->state == AFTER_END)
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("Text after the end of the snapshot"));
      return FALSE;
    }

  if (length > TANDEM_SNAPSHOT_MAX_LINE)
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_TOO_LARGE,
                   _("The line is longer than %d bytes"), TANDEM_SNAPSHOT_MAX_LINE);
      return FALSE;
    }

  while (i < length && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
    i++;

  if (i < length && line[i] == '[')
    {
      if (parser->state != EXPECT_ANY)
        {
          g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                               _("A row before the line naming its table"));
          return FALSE;
        }

      if (!scan_row (parser, line, length, error))
        return FALSE;

      parser->n_rows++;
      *kind = TANDEM_SNAPSHOT_LINE_ROW;
      return TRUE;
    }

  if (i == length)
    {
      g_set_error_literal (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                           _("The line is empty"));
      return FALSE;
    }

  object = parse_object (line, length, &root, error);
  if (object == NULL)
    return FALSE;

  if (parser->state == EXPECT_HEADER)
    {
      if (!feed_header (parser, object, error))
        return FALSE;

      parser->state = EXPECT_TABLE;
      *kind = TANDEM_SNAPSHOT_LINE_HEADER;
      return TRUE;
    }

  if (json_object_has_member (object, "table"))
    {
      if (!feed_table (parser, object, error))
        return FALSE;

      parser->state = EXPECT_ANY;
      *kind = TANDEM_SNAPSHOT_LINE_TABLE;
      return TRUE;
    }

  if (!feed_end (parser, object, error))
    return FALSE;

  parser->state = AFTER_END;
  *kind = TANDEM_SNAPSHOT_LINE_END;
  return TRUE;
}

gboolean
tandem_snapshot_parser_finish (TandemSnapshotParser  *parser,
                               GError               **error)
{
  g_return_val_if_fail (parser != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (parser->state != AFTER_END)
    {
      g_set_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                   _("The snapshot ends early, after %" G_GUINT64_FORMAT " rows"), parser->n_rows);
      return FALSE;
    }

  return TRUE;
}

int
tandem_snapshot_parser_get_schema (TandemSnapshotParser *parser)
{
  g_return_val_if_fail (parser != NULL, 0);

  return parser->schema;
}

gint64
tandem_snapshot_parser_get_cursor (TandemSnapshotParser *parser)
{
  g_return_val_if_fail (parser != NULL, 0);

  return parser->cursor;
}

guint64
tandem_snapshot_parser_get_n_rows (TandemSnapshotParser *parser)
{
  g_return_val_if_fail (parser != NULL, 0);

  return parser->n_rows;
}

const char *
tandem_snapshot_parser_get_table (TandemSnapshotParser *parser)
{
  g_return_val_if_fail (parser != NULL, NULL);

  return parser->table;
}

const char * const *
tandem_snapshot_parser_get_columns (TandemSnapshotParser *parser,
                                    guint                *n_columns)
{
  g_return_val_if_fail (parser != NULL, NULL);

  if (n_columns != NULL)
    *n_columns = parser->columns->len - 1;

  return (const char * const *) parser->columns->pdata;
}

const TandemSyncRow *
tandem_snapshot_parser_get_row (TandemSnapshotParser *parser)
{
  g_return_val_if_fail (parser != NULL, NULL);

  return &parser->row;
}

const char *
tandem_snapshot_parser_get_value_json (TandemSnapshotParser *parser,
                                       guint                 column,
                                       gsize                *length)
{
  const Span *span;

  g_return_val_if_fail (parser != NULL, NULL);
  g_return_val_if_fail (column < parser->spans->len, NULL);

  span = &g_array_index (parser->spans, Span, column);
  if (length != NULL)
    *length = span->length;

  return parser->line + span->offset;
}

gboolean
tandem_snapshot_parser_scan_row (TandemSnapshotParser  *parser,
                                 const char            *table,
                                 const char * const    *columns,
                                 guint                  n_columns,
                                 const char            *line,
                                 gsize                  length,
                                 GError               **error)
{
  g_return_val_if_fail (parser != NULL, FALSE);
  g_return_val_if_fail (table != NULL, FALSE);
  g_return_val_if_fail (line != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (parser->table == NULL || !g_str_equal (parser->table, table) ||
      parser->columns->len != n_columns + 1)
    {
      if (!set_table (parser, table, columns, n_columns, error))
        return FALSE;
    }

  return scan_row (parser, line, length, error);
}

gboolean
tandem_snapshot_parser_scan_value (TandemSnapshotParser   *parser,
                                   const char             *json,
                                   gsize                   length,
                                   gboolean                object,
                                   const char * const    **names,
                                   const TandemSyncValue **values,
                                   guint                  *n_values,
                                   GError                **error)
{
  Scan scan;

  g_return_val_if_fail (parser != NULL, FALSE);
  g_return_val_if_fail (json != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!scan_init (&scan, parser, json, length, error))
    return FALSE;

  if (!object)
    {
      if (!scan_scalar (&scan, error) || !scan_end (&scan, error))
        return FALSE;
    }
  else
    {
      if (!expect (&scan, '{', error))
        return FALSE;

      if (!take (&scan, '}'))
        {
          do
            {
              const char *name;
              gsize name_length;

              if (!scan_string (&scan, &name, &name_length, error) ||
                  !expect (&scan, ':', error) ||
                  !scan_scalar (&scan, error))
                return FALSE;
              g_ptr_array_add (parser->names, (gpointer) name);
            }
          while (take (&scan, ','));

          if (!expect (&scan, '}', error))
            return FALSE;
        }

      if (!scan_end (&scan, error))
        return FALSE;
    }

  g_ptr_array_add (parser->names, NULL);
  if (names != NULL)
    *names = (const char * const *) parser->names->pdata;
  if (values != NULL)
    *values = (const TandemSyncValue *) parser->values->data;
  if (n_values != NULL)
    *n_values = parser->values->len;

  return TRUE;
}
