/* test-snapshot.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "core-test-utils.h"
#include "tandem-hlc.h"
#include "tandem-schema.h"
#include "tandem-server-snapshot.h"
#include "tandem-server-store.h"
#include "tandem-snapshot-format.h"
#include "tandem-snapshot-reader.h"
#include "tandem-store-private.h"
#include "tandem-sync-private.h"
#include "tandem-sync-protocol.h"

/* The streamed snapshot end to end, in process: what the server writes,
 * read line by line into a workspace. What a desktop holds afterwards is
 * checked in its file; a snapshot that is wrong anywhere must leave the
 * workspace exactly as it was. */

#define SITE_A "5e7e00000000000000000000000000aa"
#define SITE_B "5e7e00000000000000000000000000bb"

typedef struct
{
  char              *dir;
  char              *server_path;
  TandemServerStore *server;
  char              *desk_path;
  TandemStore       *desk;
  guint              batch;
} Fixture;

static gint64
stamp (gint64 offset_ms)
{
  return tandem_hlc_pack (1763900000000 + offset_ms, 0);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = tandem_test_make_dir ();
  f->server_path = g_build_filename (f->dir, "sync.db", NULL);
  f->server = tandem_server_store_open (f->server_path, &error);
  g_assert_no_error (error);
  f->desk = tandem_test_open_store (f->dir);
  f->desk_path = g_strdup (tandem_store_get_path (f->desk));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->desk);
  g_clear_object (&f->server);
  tandem_test_remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->server_path);
  g_free (f->desk_path);
}

static TandemChange *
change_new (const char *table,
            const char *row,
            const char *field,
            const char *value_json,
            gint64      hlc,
            const char *site,
            gint64      base_hlc)
{
  TandemChange *change = tandem_sync_change_alloc ();

  change->table = g_strdup (table);
  change->row_id = g_strdup (row);
  change->field = g_strdup (field);
  change->value_json = g_strdup (value_json);
  change->hlc = hlc;
  change->site = g_strdup (site);
  change->base_hlc = base_hlc;
  return change;
}

/* Pushes the changes, NULL-terminated, as one batch. */
static void
push (Fixture      *f,
      TandemChange *first,
      ...)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func (tandem_sync_change_release);
  g_autoptr(GError) error = NULL;
  g_autofree char *batch_id = g_strdup_printf ("batch-%u", ++f->batch);
  gint64 now = 1763900000000 + 3600 * 1000;
  TandemChange *change;
  va_list args;

  va_start (args, first);
  for (change = first; change != NULL; change = va_arg (args, TandemChange *))
    g_ptr_array_add (changes, change);
  va_end (args);

  g_assert_true (tandem_server_store_push (f->server, "desk", batch_id, TANDEM_SYNC_SCHEMA_VERSION,
                                           now, now, changes, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* A company, a lead created by site A whose email site B changed later,
 * and an activity of the lead. */
static void
push_workspace (Fixture *f)
{
  push (f,
        change_new ("companies", "C1", "*", "{\"name\":\"Acme Tools\",\"domain\":\"acme.example\","
                    "\"deleted\":0}", stamp (0), SITE_A, 0),
        change_new ("leads", "L1", "*", "{\"first_name\":\"Ann\",\"last_name\":\"Lee\","
                    "\"email\":\"ann@acme.example\",\"company_id\":\"C1\",\"stage\":\"lead\","
                    "\"deleted\":0}", stamp (10), SITE_A, 0),
        change_new ("activities", "A1", "*", "{\"lead_id\":\"L1\",\"kind\":\"page_visit\","
                    "\"occurred_at\":1763800000000,\"deleted\":0}", stamp (20), SITE_A, 0),
        NULL);
  push (f,
        change_new ("leads", "L1", "email", "\"ann@lee.example\"", stamp (30), SITE_B, stamp (10)),
        NULL);
}

static GBytes *
server_snapshot (Fixture *f)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (tandem_server_snapshot_write_all (f->server, out, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, NULL);

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static gboolean
apply (Fixture     *f,
       const char  *text,
       gsize        length,
       gint64      *cursor,
       GError     **error)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (text, length, NULL);

  return tandem_snapshot_read_stream (f->desk, in, NULL, NULL, NULL, cursor, NULL, NULL, error);
}

static gint64
desk_int (Fixture    *f,
          const char *sql)
{
  return tandem_test_query_int (f->desk_path, sql);
}

static char *
desk_text (Fixture    *f,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (tandem_store_get_db (f->desk), sql, -1, &stmt, NULL), ==,
                   SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return value;
}

/* Enough activities of lead L1, each with a long body, that their
 * snapshot (about 24 MB) outgrows the 16 MiB cache of a snapshot written
 * with a rollback journal, so that pages reach the workspace file before
 * the commit. */
static void
push_many_activities (Fixture *f)
{
  g_autofree char *body = g_strnfill (500, 'x');

  for (guint batch = 0; batch < 10; batch++)
    {
      g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func (tandem_sync_change_release);
      g_autoptr(GError) error = NULL;
      g_autofree char *batch_id = g_strdup_printf ("many-%u", batch);
      gint64 now = 1763900000000 + 3600 * 1000;

      for (guint i = 0; i < 4000; i++)
        {
          guint n = batch * 4000 + i;
          g_autofree char *id = g_strdup_printf ("A-many-%06u", n);
          g_autofree char *value = g_strdup_printf ("{\"lead_id\":\"L1\",\"kind\":\"note\","
                                                    "\"occurred_at\":%u,\"body\":\"%s\","
                                                    "\"deleted\":0}", 1763800000 + n, body);

          g_ptr_array_add (changes, change_new ("activities", id, "*", value, stamp (100 + n),
                                                SITE_A, 0));
        }

      g_assert_true (tandem_server_store_push (f->server, "desk", batch_id,
                                               TANDEM_SYNC_SCHEMA_VERSION, now, now, changes,
                                               NULL, NULL, &error));
      g_assert_no_error (error);
    }
}

/* A stream of the given bytes that, asked for more once they are read,
 * ends the process as a crash would. */
typedef struct
{
  GInputStream  parent_instance;
  GBytes       *bytes;
  gsize         offset;
} DyingStream;

typedef struct
{
  GInputStreamClass parent_class;
} DyingStreamClass;

G_DEFINE_TYPE (DyingStream, dying_stream, G_TYPE_INPUT_STREAM)

static gssize
dying_stream_read (GInputStream  *stream,
                   void          *buffer,
                   gsize          count,
                   GCancellable  *cancellable,
                   GError       **error)
{
  DyingStream *self = (DyingStream *) stream;
  gsize length;
  const char *data = g_bytes_get_data (self->bytes, &length);

  if (self->offset == length)
    _exit (0);

  count = MIN (count, length - self->offset);
  memcpy (buffer, data + self->offset, count);
  self->offset += count;
  return count;
}

static void
dying_stream_class_init (DyingStreamClass *klass)
{
  G_INPUT_STREAM_CLASS (klass)->read_fn = dying_stream_read;
}

static void
dying_stream_init (DyingStream *self)
{
}

/* A desktop that dies in the middle of its first snapshot, which it
 * writes with a rollback journal since it has the workspace to itself:
 * opened again, the workspace is as it was, in its log (WAL) again. */
static void
test_crash_mid_snapshot (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *journal = NULL;

  if (g_test_subprocess ())
    {
      g_autoptr(TandemStore) store = NULL;
      g_autoptr(GBytes) all = NULL;
      g_autoptr(GFile) file = NULL;
      DyingStream *in;
      const char *text;
      const char *end;
      gsize length;

      file = g_file_new_for_path (g_getenv ("TANDEM_TEST_SNAPSHOT"));
      all = g_file_load_bytes (file, NULL, NULL, &error);
      g_assert_no_error (error);
      text = g_bytes_get_data (all, &length);
      /* The end line is the last; without it the snapshot never commits. */
      end = g_strrstr_len (text, length - 1, "\n");
      g_assert_nonnull (end);

      store = tandem_store_open (g_getenv ("TANDEM_TEST_DESK"), &error);
      g_assert_no_error (error);
      in = g_object_new (dying_stream_get_type (), NULL);
      in->bytes = g_bytes_new_from_bytes (all, 0, end + 1 - text);
      tandem_snapshot_read_stream (store, G_INPUT_STREAM (in), NULL, NULL, NULL, NULL, NULL, NULL,
                                   &error);
      g_assert_not_reached ();
    }

  push_workspace (f);
  push_many_activities (f);
  {
    g_autoptr(GBytes) bytes = server_snapshot (f);
    g_autofree char *snapshot_path = g_build_filename (f->dir, "snapshot.ndjson", NULL);

    g_assert_true (g_file_set_contents (snapshot_path, g_bytes_get_data (bytes, NULL),
                                        g_bytes_get_size (bytes), &error));
    g_assert_no_error (error);
    g_setenv ("TANDEM_TEST_SNAPSHOT", snapshot_path, TRUE);
    g_setenv ("TANDEM_TEST_DESK", f->desk_path, TRUE);
  }

  /* The child must have the workspace to itself. */
  g_clear_object (&f->desk);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();

  /* It died with pages of the snapshot in the file and their journal. */
  journal = g_strconcat (f->desk_path, "-journal", NULL);
  g_assert_true (g_file_test (journal, G_FILE_TEST_EXISTS));

  f->desk = tandem_store_open (f->desk_path, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
  g_assert_cmpint (desk_int (f, "SELECT count(*) FROM leads"), ==, 0);
  g_assert_cmpint (desk_int (f, "SELECT count(*) FROM activities"), ==, 0);
  {
    g_autofree char *mode = desk_text (f, "PRAGMA journal_mode");
    g_autofree char *check = desk_text (f, "PRAGMA integrity_check");

    g_assert_cmpstr (mode, ==, "wal");
    g_assert_cmpstr (check, ==, "ok");
  }

  /* And the snapshot taken again goes through. */
  {
    g_autoptr(GBytes) bytes = server_snapshot (f);
    g_autofree char *mode = NULL;
    gint64 cursor = -1;

    g_assert_true (apply (f, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &cursor,
                          &error));
    g_assert_no_error (error);
    g_assert_cmpint (desk_int (f, "SELECT count(*) FROM activities"), ==, 40001);
    mode = desk_text (f, "PRAGMA journal_mode");
    g_assert_cmpstr (mode, ==, "wal");
  }
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *email = NULL;
  g_autofree char *first_name = NULL;
  g_autofree char *clock = NULL;
  g_autofree char *email_clock = NULL;
  g_autofree char *expected_clock = g_strdup_printf ("%" G_GINT64_FORMAT " " SITE_A, stamp (10));
  g_autofree char *expected_email_clock = g_strdup_printf ("%" G_GINT64_FORMAT " " SITE_B,
                                                          stamp (30));
  gint64 cursor = -1;

  push_workspace (f);
  bytes = server_snapshot (f);
  g_assert_true (apply (f, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &cursor,
                        &error));
  g_assert_no_error (error);

  g_assert_cmpint (cursor, ==, tandem_server_store_get_cursor (f->server));
  g_assert_cmpint (tandem_sync_get_cursor (f->desk), ==, cursor);
  g_assert_cmpint (desk_int (f, "SELECT count(*) FROM leads"), ==, 1);
  g_assert_cmpint (desk_int (f, "SELECT count(*) FROM activities"), ==, 1);
  email = desk_text (f, "SELECT email FROM leads WHERE id = 'L1'");
  first_name = desk_text (f, "SELECT first_name FROM leads WHERE id = 'L1'");
  g_assert_cmpstr (email, ==, "ann@lee.example");
  g_assert_cmpstr (first_name, ==, "Ann");

  /* The fields keep the server's clocks: the creator's for those never
   * changed, its own for the one edited since. */
  clock = desk_text (f, "SELECT created_hlc || ' ' || created_site FROM leads WHERE id = 'L1'");
  email_clock = desk_text (f, "SELECT hlc || ' ' || site FROM field_clocks WHERE row_id = 'L1'"
                              " AND field = 'email'");
  g_assert_cmpstr (clock, ==, expected_clock);
  g_assert_cmpstr (email_clock, ==, expected_email_clock);
  g_assert_cmpint (desk_int (f, "SELECT count(*) FROM field_clocks WHERE row_id = 'L1'"), ==, 1);
  g_assert_cmpint (desk_int (f, "SELECT created_hlc FROM leads WHERE id = 'L1'"), ==, stamp (10));
  g_assert_cmpint (desk_int (f, "SELECT hlc FROM leads WHERE id = 'L1'"), ==, stamp (30));

  /* What each desktop computes for itself is there: activity times,
   * scores, and the full-text index (with the company's name). */
  g_assert_cmpint (desk_int (f, "SELECT last_activity_at FROM leads WHERE id = 'L1'"), ==,
                   1763800000000);
  g_assert_cmpint (desk_int (f, "SELECT score IS NOT NULL FROM leads WHERE id = 'L1'"), ==, 1);
  g_assert_cmpint (desk_int (f, "SELECT count(*) FROM leads_fts WHERE leads_fts MATCH 'acme'"), ==,
                   1);
  g_assert_cmpint (desk_int (f, "SELECT count(*) FROM companies_fts WHERE companies_fts MATCH "
                                "'tools'"), ==, 1);

  /* Nothing of it is news to push back, and the workspace is sound. */
  g_assert_cmpint (tandem_sync_count_outbox (f->desk), ==, 0);
  g_assert_cmpint (desk_int (f, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  g_assert_cmpint (desk_int (f, "SELECT count(*) FROM pragma_integrity_check WHERE "
                                "integrity_check != 'ok'"), ==, 0);
}

/* What must not change when a snapshot is refused. */
typedef struct
{
  gint64  leads;
  gint64  companies;
  gint64  clocks;
  gint64  indexes;
  gint64  outbox;
  gint64  cursor;
  gint64  fts;
} Shape;

static Shape
shape_of (Fixture *f)
{
  Shape shape;

  shape.leads = desk_int (f, "SELECT count(*) FROM leads");
  shape.companies = desk_int (f, "SELECT count(*) FROM companies");
  shape.clocks = desk_int (f, "SELECT count(*) FROM field_clocks");
  shape.indexes = desk_int (f, "SELECT count(*) FROM sqlite_master WHERE type = 'index'");
  shape.outbox = tandem_sync_count_outbox (f->desk);
  shape.cursor = tandem_sync_get_cursor (f->desk);
  shape.fts = desk_int (f, "SELECT count(*) FROM leads_fts");

  return shape;
}

/* A workspace with a lead of its own, not pushed yet, and a snapshot of
 * the server in @text. */
static GString *
refused_set_up (Fixture *f,
                Shape   *before)
{
  g_autoptr(TandemRecord) record = tandem_record_new_for_table ("leads", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  tandem_record_set_text (record, "first_name", "Local");
  tandem_store_save (f->desk, record, &error);
  g_assert_no_error (error);

  push_workspace (f);
  bytes = server_snapshot (f);
  *before = shape_of (f);
  g_assert_cmpint (before->leads, ==, 1);

  return g_string_new_len (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
assert_untouched (Fixture     *f,
                  const Shape *before)
{
  Shape after = shape_of (f);
  g_autofree char *foreign_keys = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (after.leads, ==, before->leads);
  g_assert_cmpint (after.companies, ==, before->companies);
  g_assert_cmpint (after.clocks, ==, before->clocks);
  g_assert_cmpint (after.indexes, ==, before->indexes);
  g_assert_cmpint (after.outbox, ==, before->outbox);
  g_assert_cmpint (after.cursor, ==, before->cursor);
  g_assert_cmpint (after.fts, ==, before->fts);

  /* And it still works as before: searching, and saving with every
   * reference and index in place. */
  found = tandem_store_search (f->desk, TANDEM_TYPE_LEAD, "Local", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  foreign_keys = desk_text (f, "PRAGMA foreign_keys");
  g_assert_cmpstr (foreign_keys, ==, "1");
}

/* Replaces the first occurrence of @from in @text; returns the number of
 * its line. */
static guint
replace_once (GString    *text,
              const char *from,
              const char *to)
{
  const char *at = strstr (text->str, from);
  gsize offset;
  guint line = 1;

  g_assert_nonnull (at);
  offset = at - text->str;
  for (gsize i = 0; i < offset; i++)
    line += text->str[i] == '\n';

  g_string_erase (text, offset, strlen (from));
  g_string_insert (text, offset, to);
  return line;
}

static guint
count_lines (GString *text)
{
  guint lines = 0;

  for (gsize i = 0; i < text->len; i++)
    lines += text->str[i] == '\n';
  return lines;
}

static void
expect_refused (Fixture      *f,
                const Shape  *before,
                GString      *text,
                GQuark        domain,
                int           code,
                const char   *message)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (apply (f, text->str, text->len, NULL, &error));
  g_assert_error (error, domain, code);
  if (strstr (error->message, message) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, message);
  assert_untouched (f, before);
}

static void
test_malformed_line (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GString) text = NULL;
  g_autofree char *expected = NULL;
  Shape before;
  guint line;

  text = refused_set_up (f, &before);

  /* The activity's row is broken: the lines before it were applied
   * already when it comes, and must go. */
  line = replace_once (text, "\"page_visit\",1763800000000,", "\"page_visit\",1763800000000,,");
  expected = g_strdup_printf ("Line %u of the snapshot: A string, an integer or null expected",
                              line);
  expect_refused (f, &before, text, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                  expected);
}

static void
test_bad_value (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GString) text = NULL;
  Shape before;

  text = refused_set_up (f, &before);
  replace_once (text, "\"ann@lee.example\"", "42");
  expect_refused (f, &before, text, TANDEM_SYNC_ERROR, TANDEM_SYNC_ERROR_INVALID,
                  "the value of “email” of row “L1” of “leads” has the wrong type");
}

static void
test_oversized_line (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GString) text = NULL;
  g_autoptr(GString) huge = g_string_new ("\"");
  Shape before;

  text = refused_set_up (f, &before);

  /* Longer than any row can be: refused before it is parsed. */
  for (gsize i = 0; i <= TANDEM_SNAPSHOT_MAX_LINE; i += 64)
    g_string_append (huge, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  g_string_append_c (huge, '"');
  replace_once (text, "\"Acme Tools\"", huge->str);
  expect_refused (f, &before, text, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_TOO_LARGE,
                  "is longer than 16777216 bytes");
}

static void
test_cut_off (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GString) text = NULL;
  g_autofree char *cut = NULL;
  const char *end;
  gsize offset;
  Shape before;

  text = refused_set_up (f, &before);

  /* The connection broke before the end line: every row came, and still
   * nothing may be kept, as the server's count was never seen. */
  end = strstr (text->str, "{\"end\":true");
  g_assert_nonnull (end);
  offset = end - text->str;
  g_string_truncate (text, offset);
  expect_refused (f, &before, text, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                  "The snapshot ends early, after 3 rows");

  /* A count that is not the rows' own. */
  g_string_append (text, "{\"end\":true,\"rows\":5}\n");
  expect_refused (f, &before, text, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID,
                  "announces 5 rows and holds 3");

  /* Half a line, then nothing. */
  g_string_truncate (text, offset);
  cut = g_strdup_printf ("Line %u of the snapshot is cut off", count_lines (text) + 1);
  g_string_append (text, "[\"L9\",");
  expect_refused (f, &before, text, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID, cut);
}

static void
test_dangling_reference (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GString) text = NULL;
  Shape before;

  text = refused_set_up (f, &before);
  replace_once (text, "[\"L1\",\"page_visit\"", "[\"L404\",\"page_visit\"");
  expect_refused (f, &before, text, TANDEM_SYNC_ERROR, TANDEM_SYNC_ERROR_INVALID,
                  "names “L404” as its lead_id, which neither the snapshot nor this workspace "
                  "holds");
}

static void
test_other_version (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GString) text = NULL;
  Shape before;

  text = refused_set_up (f, &before);
  replace_once (text, "\"version\":2,", "\"version\":3,");
  expect_refused (f, &before, text, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_UPGRADE_REQUIRED,
                  "format version 3");
}

/* A snapshot into a workspace that has rows of its own and rows it had
 * from the server before merges as the old per-field snapshot did: local
 * edits not pushed yet and newer than the server's survive, older ones give
 * way, and what changed is searchable under its new text. */
static void
test_into_existing (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  g_autoptr(TandemRecord) lead = NULL;
  g_autoptr(TandemRecord) local = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *email = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *job = NULL;

  push_workspace (f);
  first = server_snapshot (f);
  g_assert_true (apply (f, g_bytes_get_data (first, NULL), g_bytes_get_size (first), NULL,
                        &error));
  g_assert_no_error (error);

  /* Here: a new phone for the lead and a lead of this desktop's own, not
   * pushed; the clock runs past the server's, so this edit is newer. */
  lead = tandem_store_get_row (f->desk, "leads", "L1", &error);
  g_assert_no_error (error);
  tandem_record_set_text (lead, "phone", "+1 555 0100");
  tandem_record_set_text (lead, "job_title", "Buyer");
  tandem_store_save (f->desk, lead, &error);
  g_assert_no_error (error);
  local = tandem_record_new_for_table ("leads", NULL);
  tandem_record_set_text (local, "first_name", "Local");
  tandem_store_save (f->desk, local, &error);
  g_assert_no_error (error);

  /* There: a renamed company, an older job title, a new email and lead. */
  push (f,
        change_new ("companies", "C1", "name", "\"Acme Corporation\"", stamp (40), SITE_B,
                    stamp (0)),
        change_new ("leads", "L1", "job_title", "\"Intern\"", stamp (41), SITE_B, 0),
        change_new ("leads", "L1", "email", "\"ann@corp.example\"", stamp (42), SITE_B,
                    stamp (30)),
        change_new ("leads", "L2", "*", "{\"first_name\":\"Bo\",\"company_id\":\"C1\","
                    "\"stage\":\"lead\",\"deleted\":0}", stamp (43), SITE_B, 0),
        NULL);
  second = server_snapshot (f);
  g_assert_true (apply (f, g_bytes_get_data (second, NULL), g_bytes_get_size (second), NULL,
                        &error));
  g_assert_no_error (error);

  email = desk_text (f, "SELECT email FROM leads WHERE id = 'L1'");
  phone = desk_text (f, "SELECT phone FROM leads WHERE id = 'L1'");
  job = desk_text (f, "SELECT job_title FROM leads WHERE id = 'L1'");
  g_assert_cmpstr (email, ==, "ann@corp.example");
  g_assert_cmpstr (phone, ==, "+1 555 0100");
  g_assert_cmpstr (job, ==, "Buyer");
  g_assert_cmpint (tandem_store_count (f->desk, "leads"), ==, 3);
  g_assert_cmpint (desk_int (f, "SELECT count(*) FROM leads WHERE first_name = 'Local'"), ==, 1);

  /* The local edits are still to be pushed; the merged row has the
   * server's clock for the email, its own for the phone. */
  g_assert_cmpint (tandem_sync_count_outbox (f->desk), ==, 3);
  g_assert_cmpint (desk_int (f, "SELECT hlc FROM field_clocks WHERE row_id = 'L1'"
                                " AND field = 'email'"), ==, stamp (42));

  /* Searchable under the new email and the company's new name, the old
   * email no more. */
  g_assert_cmpint (desk_int (f, "SELECT count(*) FROM leads_fts WHERE leads_fts MATCH "
                                "'email:corp'"), ==, 1);
  g_assert_cmpint (desk_int (f, "SELECT count(*) FROM leads_fts WHERE leads_fts MATCH "
                                "'email:lee'"), ==, 0);
  g_assert_cmpint (desk_int (f, "SELECT count(*) FROM leads_fts WHERE leads_fts MATCH "
                                "'company:corporation'"), ==, 2);
  g_assert_cmpint (desk_int (f, "SELECT count(*) FROM companies_fts WHERE companies_fts MATCH "
                                "'corporation'"), ==, 1);
  g_assert_cmpint (desk_int (f, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
}

/* This desktop deleted a lead that another desktop edited afterwards
 * without having seen the delete: a snapshot that brings the edit lists
 * the edit against the delete, as a pulled page does (DESIGN.md §6). */
static void
test_edit_against_delete (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  g_autoptr(TandemRecord) lead = NULL;
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func (tandem_sync_change_release);
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / 1000;
  TandemConflict *conflict;

  push_workspace (f);
  first = server_snapshot (f);
  g_assert_true (apply (f, g_bytes_get_data (first, NULL), g_bytes_get_size (first), NULL,
                        &error));
  g_assert_no_error (error);

  lead = tandem_store_get_row (f->desk, "leads", "L1", &error);
  g_assert_no_error (error);
  g_assert_true (tandem_store_delete (f->desk, lead, &error));
  g_assert_no_error (error);

  /* Another desktop's edit, clocked a second after the delete. */
  g_ptr_array_add (changes, change_new ("leads", "L1", "phone", "\"+1 555 0199\"",
                                        tandem_hlc_pack (now + 1000, 0), SITE_B, stamp (10)));
  g_assert_true (tandem_server_store_push (f->server, "desk", "late-edit", TANDEM_SYNC_SCHEMA_VERSION,
                                           now + 1000, now + 1000, changes, NULL, NULL, &error));
  g_assert_no_error (error);

  second = server_snapshot (f);
  g_assert_true (apply (f, g_bytes_get_data (second, NULL), g_bytes_get_size (second), NULL,
                        &error));
  g_assert_no_error (error);

  /* The delete stands here, and the edit is listed against it. */
  g_assert_cmpint (desk_int (f, "SELECT deleted FROM leads WHERE id = 'L1'"), ==, 1);
  conflicts = tandem_sync_list_conflicts (f->desk, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  conflict = g_ptr_array_index (conflicts, 0);
  g_assert_cmpstr (conflict->row_id, ==, "L1");
  g_assert_cmpstr (conflict->field, ==, "deleted");
  g_assert_cmpstr (conflict->kept_site, ==, tandem_store_get_site_id (f->desk));
  g_assert_cmpstr (conflict->other_site, ==, SITE_B);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/sync/snapshot/round-trip", test_round_trip);
  ADD ("/sync/snapshot/malformed-line", test_malformed_line);
  ADD ("/sync/snapshot/bad-value", test_bad_value);
  ADD ("/sync/snapshot/oversized-line", test_oversized_line);
  ADD ("/sync/snapshot/cut-off", test_cut_off);
  ADD ("/sync/snapshot/dangling-reference", test_dangling_reference);
  ADD ("/sync/snapshot/other-version", test_other_version);
  ADD ("/sync/snapshot/into-existing", test_into_existing);
  ADD ("/sync/snapshot/edit-against-delete", test_edit_against_delete);
  ADD ("/sync/snapshot/crash-mid-snapshot", test_crash_mid_snapshot);

  return g_test_run ();
}
