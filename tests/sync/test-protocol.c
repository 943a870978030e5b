/* test-protocol.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "core-test-utils.h"
#include "tandem-schema.h"
#include "tandem-sync-private.h"
#include "tandem-sync-protocol.h"

/* The schema this build speaks, inside a JSON literal. */
#define SCHEMA G_STRINGIFY (TANDEM_SYNC_SCHEMA_VERSION)

#define CHANGE(fields) \
  "{\"table\":\"leads\",\"row\":\"L1\",\"hlc\":100,\"site\":\"s1\",\"base_hlc\":0," fields "}"

/* A push of one change made of @fields (JSON members, without braces). */
static char *
push_with (const char *change)
{
  return g_strdup_printf ("{\"batch_id\":\"b1\",\"schema\":%d,\"site\":\"s1\","
                          "\"sent_at\":1763900000000,\"changes\":[%s]}",
                          TANDEM_SYNC_SCHEMA_VERSION, change);
}

static void
assert_refused (const char *body,
                gsize       length,
                int         code,
                const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemPushRequest) request = NULL;

  request = tandem_push_request_parse (body, length, &error);
  g_assert_null (request);
  g_assert_error (error, TANDEM_PROTOCOL_ERROR, code);
  if (message != NULL && strstr (error->message, message) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, message);
}

static void
assert_invalid (const char *body,
                const char *message)
{
  assert_refused (body, strlen (body), TANDEM_PROTOCOL_ERROR_INVALID, message);
}

static void
assert_invalid_change (const char *change,
                       const char *message)
{
  g_autofree char *body = push_with (change);

  assert_invalid (body, message);
}

static void
test_good_push (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemPushRequest) request = NULL;
  g_autofree char *body = push_with (
    CHANGE ("\"field\":\"email\",\"value\":\"ann@acme.example\"") ","
    CHANGE ("\"field\":\"*\",\"value\":{\"email\":\"b\\u00e9@x\",\"phone\":null,"
            "\"created_at\":1763900000000,\"deleted\":0}") ","
    "{\"table\":\"activities\",\"row\":\"A1\",\"field\":\"*\",\"value\":{\"kind\":\"call\"},"
    "\"hlc\":9007199254740993,\"site\":\"s1\"}");
  TandemChange *change;

  request = tandem_push_request_parse (body, strlen (body), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (request->batch_id, ==, "b1");
  g_assert_cmpint (request->schema, ==, TANDEM_SYNC_SCHEMA_VERSION);
  g_assert_cmpint (request->sent_at, ==, 1763900000000);
  g_assert_cmpuint (request->changes->len, ==, 3);

  change = g_ptr_array_index (request->changes, 0);
  g_assert_cmpstr (change->value_json, ==, "\"ann@acme.example\"");
  change = g_ptr_array_index (request->changes, 1);
  g_assert_true (g_str_has_prefix (change->value_json, "{\"email\":\"bé@x\""));
  /* Clocks beyond 2^53 stay exact: they are never read as doubles. */
  change = g_ptr_array_index (request->changes, 2);
  g_assert_cmpint (change->hlc, ==, G_GINT64_CONSTANT (9007199254740993));
  g_assert_cmpint (change->base_hlc, ==, 0);
}

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func (tandem_sync_change_release);
  g_autoptr(GPtrArray) pulled = NULL;
  g_autoptr(GPtrArray) snapshot = NULL;
  g_autoptr(TandemPushRequest) request = NULL;
  g_autoptr(GArray) outcomes = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GArray) outcomes_back = NULL;
  g_autofree char *push = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *pull = NULL;
  g_autofree char *snap = NULL;
  g_autofree char *batch_id = NULL;
  const char *values[] = { "\"line one\\nline \\\"two\\\"\\t\\u0001\"", "42", "null" };
  const char *fields[] = { "email", "created_at", "phone" };
  TandemPushSkip skip = { 0, };
  gint64 cursor = 0;
  gboolean more = FALSE;
  int schema = 0;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      TandemChange *change = tandem_sync_change_alloc ();

      change->seq = i + 7;
      change->table = g_strdup ("leads");
      change->row_id = g_strdup (i < 2 ? "L1" : "L2");
      change->field = g_strdup (fields[i]);
      change->value_json = g_strdup (values[i]);
      change->hlc = G_GINT64_CONSTANT (111386983071662080) + i;
      change->site = g_strdup ("a3f0\"site");
      change->base_hlc = i;
      g_ptr_array_add (changes, change);
    }

  push = tandem_push_request_build ("b-1", TANDEM_SYNC_SCHEMA_VERSION, "a3f0", 5, changes, NULL);
  request = tandem_push_request_parse (push, strlen (push), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (request->changes->len, ==, 3);
  g_assert_cmpstr (((TandemChange *) g_ptr_array_index (request->changes, 0))->value_json, ==,
                   "\"line one\\nline \\\"two\\\"\\t\\u0001\"");
  g_assert_cmpint (((TandemChange *) g_ptr_array_index (request->changes, 2))->base_hlc, ==, 2);

  for (int i = 0; i < 4; i++)
    g_array_append_val (outcomes, i);
  answer = tandem_push_answer_build ("b-1", 99, outcomes, NULL, NULL);
  g_assert_true (tandem_push_answer_parse (answer, strlen (answer), &batch_id, &cursor,
                                           &outcomes_back, &skip, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (batch_id, ==, "b-1");
  g_assert_cmpint (cursor, ==, 99);
  g_assert_cmpint (skip.to, ==, 0);
  g_assert_cmpmem (outcomes->data, outcomes->len * sizeof (int),
                   outcomes_back->data, outcomes_back->len * sizeof (int));

  /* An answer that lets the client skip its own changes. */
  g_clear_pointer (&answer, g_free);
  g_clear_pointer (&outcomes_back, g_array_unref);
  answer = tandem_push_answer_build ("b-1", 99, outcomes,
                                     &(TandemPushSkip) { .from = 95, .to = 99, .hlc = 7 }, NULL);
  g_assert_true (tandem_push_answer_parse (answer, strlen (answer), NULL, NULL, &outcomes_back,
                                           &skip, &error));
  g_assert_no_error (error);
  g_assert_cmpint (skip.from, ==, 95);
  g_assert_cmpint (skip.to, ==, 99);
  g_assert_cmpint (skip.hlc, ==, 7);
  g_assert_false (tandem_push_answer_parse ("{\"batch_id\":\"b\",\"cursor\":5,\"results\":[],"
                                            "\"skip\":{\"from\":1,\"to\":9,\"hlc\":3}}", 73,
                                            NULL, NULL, NULL, &skip, &error));
  g_assert_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID);
  g_clear_error (&error);

  pull = tandem_pull_answer_build (changes, 9, TRUE, NULL);
  pulled = tandem_pull_answer_parse (pull, strlen (pull), &cursor, &more, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pulled->len, ==, 3);
  g_assert_cmpint (cursor, ==, 9);
  g_assert_true (more);
  g_assert_cmpint (((TandemChange *) g_ptr_array_index (pulled, 1))->seq, ==, 8);
  g_assert_cmpstr (((TandemChange *) g_ptr_array_index (pulled, 1))->site, ==, "a3f0\"site");

  snap = tandem_snapshot_build (TANDEM_SYNC_SCHEMA_VERSION, 9, changes, NULL);
  snapshot = tandem_snapshot_parse (snap, strlen (snap), &schema, &cursor, &error);
  g_assert_no_error (error);
  g_assert_cmpint (schema, ==, TANDEM_SYNC_SCHEMA_VERSION);
  g_assert_cmpuint (snapshot->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      TandemChange *a = g_ptr_array_index (changes, i);
      TandemChange *b = g_ptr_array_index (snapshot, i);

      g_assert_cmpstr (a->row_id, ==, b->row_id);
      g_assert_cmpstr (a->field, ==, b->field);
      g_assert_cmpstr (a->value_json, ==, b->value_json);
      g_assert_cmpint (a->hlc, ==, b->hlc);
      g_assert_cmpstr (a->site, ==, b->site);
    }
}

static void
test_malformed (void)
{
  assert_invalid ("", "empty");
  assert_invalid ("{", "not valid JSON");
  assert_invalid ("{\"batch_id\": }", "not valid JSON");
  assert_invalid ("[1, 2]", "must be a JSON object");
  assert_invalid ("\"just a string\"", "must be a JSON object");
  assert_invalid ("{\"batch_id\":\"b\",\"schema\":" SCHEMA ",\"site\":\"s\",\"sent_at\":1}",
                  "\"changes\" is missing");
  assert_invalid ("{\"batch_id\":\"\",\"schema\":" SCHEMA ",\"site\":\"s\",\"sent_at\":1,"
                  "\"changes\":[]}",
                  "batch_id");
  assert_invalid ("{\"batch_id\":5,\"schema\":" SCHEMA ",\"site\":\"s\",\"sent_at\":1,"
                  "\"changes\":[]}",
                  "wrong type");
}

static void
test_deep_nesting (void)
{
  const gsize depth = 100000;
  g_autoptr(GString) arrays = g_string_sized_new (2 * depth);
  g_autoptr(GString) objects = g_string_sized_new (8 * depth);
  gint64 start;

  for (gsize i = 0; i < depth; i++)
    g_string_append_c (arrays, '[');
  for (gsize i = 0; i < depth; i++)
    g_string_append_c (arrays, ']');
  for (gsize i = 0; i < depth; i++)
    g_string_append (objects, "{\"a\":");
  g_string_append (objects, "1");
  for (gsize i = 0; i < depth; i++)
    g_string_append_c (objects, '}');

  /* Refused by the flat scan, before json-glib could recurse. */
  start = g_get_monotonic_time ();
  assert_invalid (arrays->str, "nested more than 8 levels");
  assert_invalid (objects->str, "nested more than 8 levels");
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 10);

  /* Brackets inside strings do not count. */
  assert_invalid_change (CHANGE ("\"field\":\"email\",\"value\":\"[[[[[[[[[[{{{{{{{{\","
                                 "\"bogus\":1"),
                         "unknown key \"bogus\"");
  /* Nine levels: one too many. */
  assert_invalid_change (CHANGE ("\"field\":\"*\",\"value\":{\"email\":[[[[[[1]]]]]]}"),
                         "nested more than 8 levels");
}

static void
test_invalid_utf8 (void)
{
  g_autofree char *body = push_with (CHANGE ("\"field\":\"email\",\"value\":\"ann\xff\xfe\""));
  g_autofree char *with_nul = push_with (CHANGE ("\"field\":\"email\",\"value\":\"annX\""));
  g_autofree char *surrogate = push_with (CHANGE ("\"field\":\"email\",\"value\":\"\\ud800\""));
  g_autoptr(TandemPushRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  char *x;

  assert_invalid (body, "UTF-8");

  x = strchr (with_nul, 'X');
  *x = '\0';
  assert_refused (with_nul, strlen (with_nul) + 1 + strlen (x + 1), TANDEM_PROTOCOL_ERROR_INVALID,
                  "UTF-8");

  /* A lone surrogate escape decodes to no valid text: refused, or read as
   * the replacement character, never stored as invalid UTF-8. */
  request = tandem_push_request_parse (surrogate, strlen (surrogate), &error);
  if (request != NULL)
    g_assert_true (g_utf8_validate (((TandemChange *) g_ptr_array_index (request->changes, 0))->value_json,
                                    -1, NULL));
}

static void
test_unknown (void)
{
  assert_invalid_change ("{\"table\":\"nonsense\",\"row\":\"L1\",\"field\":\"a\",\"value\":1,"
                         "\"hlc\":1,\"site\":\"s\"}",
                         "change 0: unknown table \"nonsense\"");
  assert_invalid_change (CHANGE ("\"field\":\"nonsense\",\"value\":1"),
                         "change 0: unknown field \"nonsense\" of table \"leads\"");
  assert_invalid_change (CHANGE ("\"field\":\"grade\",\"value\":\"A\""), "never synced");
  assert_invalid_change (CHANGE ("\"field\":\"email\",\"value\":\"a\",\"extra\":1"),
                         "unknown key \"extra\"");
  assert_invalid_change (CHANGE ("\"field\":\"*\",\"value\":{\"nonsense\":1}"),
                         "unknown field \"nonsense\"");
  assert_invalid_change (CHANGE ("\"field\":\"*\",\"value\":{\"score\":1}"), "never synced");
  assert_invalid_change (CHANGE ("\"field\":\"email\",\"value\":5"), "takes a string");
  assert_invalid_change (CHANGE ("\"field\":\"created_at\",\"value\":\"5\""), "takes an integer");
  assert_invalid_change (CHANGE ("\"field\":\"email\",\"value\":true"), "takes a string");
  assert_invalid_change (CHANGE ("\"field\":\"deleted\",\"value\":3"), "0 or 1");
  assert_invalid_change ("{\"table\":\"activities\",\"row\":\"A1\",\"field\":\"kind\","
                         "\"value\":\"call\",\"hlc\":1,\"site\":\"s\"}",
                         "only ever created whole");
  assert_invalid ("{\"batch_id\":\"b\",\"schema\":" SCHEMA ",\"site\":\"s\",\"sent_at\":1,"
                  "\"changes\":[],\"more\":1}",
                  "unknown key \"more\"");

  /* The position of the bad change is named. */
  {
    g_autofree char *body = push_with (CHANGE ("\"field\":\"email\",\"value\":\"a\"") ","
                                       CHANGE ("\"field\":\"email\",\"value\":\"b\"") ","
                                       CHANGE ("\"field\":\"nonsense\",\"value\":\"c\""));
    assert_invalid (body, "change 2: unknown field");
  }
}

static void
test_numbers (void)
{
  assert_invalid_change (CHANGE ("\"field\":\"created_at\",\"value\":99999999999999999999"),
                         "64 bits");
  assert_invalid_change (CHANGE ("\"field\":\"created_at\",\"value\":-9223372036854775808"),
                         "64 bits");
  assert_invalid_change (CHANGE ("\"field\":\"created_at\",\"value\":1e400"), "not an integer");
  assert_invalid_change (CHANGE ("\"field\":\"created_at\",\"value\":1.5"), "not an integer");
  assert_invalid_change (CHANGE ("\"field\":\"created_at\",\"value\":"
                                 "1000000000000000000000000000000000000000000000000000000"),
                         "64 bits");
  assert_invalid ("{\"batch_id\":\"b\",\"schema\":" SCHEMA ",\"site\":\"s\",\"sent_at\":1e3,"
                  "\"changes\":[]}", "not an integer");
  assert_invalid_change ("{\"table\":\"leads\",\"row\":\"L1\",\"field\":\"email\",\"value\":\"a\","
                         "\"hlc\":-5,\"site\":\"s\"}", "positive");

  /* The largest value is fine. */
  {
    g_autofree char *body = push_with (
      CHANGE ("\"field\":\"created_at\",\"value\":9223372036854775807"));
    g_autoptr(GError) error = NULL;
    g_autoptr(TandemPushRequest) request = tandem_push_request_parse (body, strlen (body), &error);

    g_assert_no_error (error);
    g_assert_cmpstr (((TandemChange *) g_ptr_array_index (request->changes, 0))->value_json, ==,
                     "9223372036854775807");
  }
}

static void
test_limits (void)
{
  g_autoptr(GString) many = g_string_new (NULL);
  g_autoptr(GString) long_string = g_string_new (NULL);
  g_autoptr(GString) large = g_string_new (NULL);
  g_autofree char *body = NULL;
  g_autofree char *long_body = NULL;

  for (guint i = 0; i < TANDEM_PROTOCOL_MAX_CHANGES + 1; i++)
    g_string_append_printf (many, "%s" CHANGE ("\"field\":\"email\",\"value\":\"a\""),
                            i > 0 ? "," : "");
  body = push_with (many->str);
  assert_invalid (body, "5001 changes, over the limit of 5000");

  g_string_append (long_string, CHANGE ("\"field\":\"email\",\"value\":\""));
  for (guint i = 0; i < TANDEM_PROTOCOL_MAX_STRING + 1; i++)
    g_string_append_c (long_string, 'x');
  g_string_append (long_string, "\"}");
  long_body = push_with (long_string->str);
  assert_invalid (long_body, "longer than 65536 bytes");

  g_string_append_c (large, '"');
  while (large->len <= TANDEM_PROTOCOL_MAX_BODY)
    g_string_append (large, "xxxxxxxxxxxxxxxx");
  g_string_append_c (large, '"');
  assert_refused (large->str, large->len, TANDEM_PROTOCOL_ERROR_TOO_LARGE, "over the limit");
}

static void
test_schema (void)
{
  g_autofree char *body = g_strdup_printf ("{\"batch_id\":\"b1\",\"schema\":%d,\"site\":\"s1\","
                                           "\"sent_at\":1,\"changes\":[{\"table\":\"future\","
                                           "\"row\":\"r\",\"field\":\"f\",\"value\":1,"
                                           "\"hlc\":1,\"site\":\"s\"}]}",
                                           TANDEM_SYNC_SCHEMA_VERSION + 1);

  /* Another schema is reported as such, not as the unknown table it
   * brings. */
  assert_refused (body, strlen (body), TANDEM_PROTOCOL_ERROR_UPGRADE_REQUIRED, "schema");
}

static void
test_validate_change (void)
{
  g_autoptr(GError) error = NULL;
  TandemChange change = {
    .table = (char *) "leads", .row_id = (char *) "L1", .field = (char *) "email",
    .value_json = (char *) "\"a@b\"", .hlc = 5, .site = (char *) "s",
  };

  g_assert_true (tandem_protocol_validate_change (&change, &error));
  g_assert_no_error (error);

  change.value_json = (char *) "[[[[[[[[[[[[1]]]]]]]]]]]]";
  g_assert_false (tandem_protocol_validate_change (&change, &error));
  g_assert_error (error, TANDEM_PROTOCOL_ERROR, TANDEM_PROTOCOL_ERROR_INVALID);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync/protocol/good-push", test_good_push);
  g_test_add_func ("/sync/protocol/round-trip", test_round_trip);
  g_test_add_func ("/sync/protocol/malformed", test_malformed);
  g_test_add_func ("/sync/protocol/deep-nesting", test_deep_nesting);
  g_test_add_func ("/sync/protocol/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/sync/protocol/unknown", test_unknown);
  g_test_add_func ("/sync/protocol/numbers", test_numbers);
  g_test_add_func ("/sync/protocol/limits", test_limits);
  g_test_add_func ("/sync/protocol/schema", test_schema);
  g_test_add_func ("/sync/protocol/validate-change", test_validate_change);

  return g_test_run ();
}
