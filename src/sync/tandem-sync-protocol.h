/* tandem-sync-protocol.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "tandem-server-store.h"
#include "tandem-sync-state.h"

G_BEGIN_DECLS

/* The JSON documents of doc/sync-protocol.md, for the server handlers and
 * for the client. Every parser here takes outside input: it checks size,
 * nesting, UTF-8 and number ranges before json-glib sees the text, and
 * refuses unknown keys. */

#define TANDEM_PROTOCOL_VERSION            2
#define TANDEM_PROTOCOL_MAX_BODY           (8 * 1024 * 1024)
#define TANDEM_PROTOCOL_MAX_DEPTH          8
#define TANDEM_PROTOCOL_MAX_CHANGES        5000
#define TANDEM_PROTOCOL_MAX_STRING         (64 * 1024)
#define TANDEM_PROTOCOL_DEFAULT_PULL_LIMIT 1000
#define TANDEM_PROTOCOL_MAX_PULL_LIMIT     5000
/* A push dated further ahead of the server clock than this is refused. */
#define TANDEM_PROTOCOL_MAX_CLOCK_SKEW_MS  (60 * 1000)

#define TANDEM_PROTOCOL_ERROR (tandem_protocol_error_quark ())

typedef enum
{
  TANDEM_PROTOCOL_ERROR_INVALID,   /* 400: malformed, over a limit, unknown key */
  TANDEM_PROTOCOL_ERROR_TOO_LARGE, /* 413: the body is over TANDEM_PROTOCOL_MAX_BODY */
  TANDEM_PROTOCOL_ERROR_UPGRADE_REQUIRED, /* 409: a push of another schema */
} TandemProtocolError;

GQuark      tandem_protocol_error_quark      (void);

/* Checks the raw text of a document before any parsing: its size, that it
 * is UTF-8 without NUL bytes, its nesting depth (a byte scan, no
 * recursion), and that every number is an integer that fits in 64 bits. */
gboolean    tandem_protocol_check_text       (const char          *data,
                                              gsize                length,
                                              GError             **error);
/* tandem_protocol_check_text(), then json-glib, then the length and the
 * UTF-8 of every decoded string. Returns the root node. */
JsonNode   *tandem_protocol_parse            (const char          *data,
                                              gsize                length,
                                              GError             **error);

/* Checks one change against the schema: a synced table, a non-derived
 * field or "deleted" or "*", a value of the field's JSON type, clocks.
 * Also rewrites nothing: @change stays as it is. */
gboolean    tandem_protocol_validate_change  (const TandemChange  *change,
                                              GError             **error);

/* tandem_protocol_validate_change() without json-glib, for the server,
 * which validates every change of a large first push: the value is read by
 * @parser (tandem-snapshot-format.h). */
typedef struct _TandemSnapshotParser TandemSnapshotParser;
gboolean    tandem_protocol_validate_change_with (TandemSnapshotParser *parser,
                                                  const TandemChange   *change,
                                                  GError              **error);

const char *tandem_push_outcome_to_string    (TandemPushOutcome    outcome);
gboolean    tandem_push_outcome_from_string  (const char          *text,
                                              TandemPushOutcome   *outcome);

/* POST /v1/push request. */
typedef struct
{
  char      *batch_id;
  int        schema;
  char      *site;
  gint64     sent_at;
  GPtrArray *changes;  /* TandemChange, value_json in json-glib's canonical form */
} TandemPushRequest;

void               tandem_push_request_free    (TandemPushRequest  *request);
/* Parses and validates a push body: any invalid change fails the whole
 * request with a message "change N: …" (N counted from 0, as the results
 * are). A request of another schema than TANDEM_SYNC_SCHEMA_VERSION fails with
 * TANDEM_PROTOCOL_ERROR_UPGRADE_REQUIRED before its changes are looked at,
 * since they follow a schema this build does not know. */
TandemPushRequest *tandem_push_request_parse   (const char         *data,
                                                gsize               length,
                                                GError            **error);
char              *tandem_push_request_build   (const char         *batch_id,
                                                int                 schema,
                                                const char         *site,
                                                gint64              sent_at,
                                                GPtrArray          *changes,
                                                gsize              *length);

/* What a push answer tells a client that sent its cursor (@from): every
 * change after it up to @to is its own, the one at @to stamped @hlc. */
typedef struct
{
  gint64 from;
  gint64 to;
  gint64 hlc;
} TandemPushSkip;

/* The 200 answer to a push; @skip may be NULL. */
char              *tandem_push_answer_build    (const char           *batch_id,
                                                gint64                cursor,
                                                GArray               *outcomes,
                                                const TandemPushSkip *skip,
                                                gsize                *length);
/* @skip (may be NULL) is zeroed when the answer has none. */
gboolean           tandem_push_answer_parse    (const char           *data,
                                                gsize                 length,
                                                char                **batch_id,
                                                gint64               *cursor,
                                                GArray              **outcomes,
                                                TandemPushSkip       *skip,
                                                GError              **error);

/* The 200 answer to a pull: changes with their "seq". */
char              *tandem_pull_answer_build    (GPtrArray          *changes,
                                                gint64              cursor,
                                                gboolean            more,
                                                gsize              *length);
GPtrArray         *tandem_pull_answer_parse    (const char         *data,
                                                gsize               length,
                                                gint64             *cursor,
                                                gboolean           *more,
                                                GError            **error);

/* The streamed snapshot (tandem-snapshot-format.h) as one text, from and
 * to changes with one change per field, sorted by table and row (as
 * tandem_server_store_snapshot() returns them): for tests and fuzzing.
 * Fields nobody wrote are left out when parsing. */
char              *tandem_snapshot_build       (int                 schema,
                                                gint64              cursor,
                                                GPtrArray          *changes,
                                                gsize              *length);
GPtrArray         *tandem_snapshot_parse       (const char         *data,
                                                gsize               length,
                                                int                *schema,
                                                gint64             *cursor,
                                                GError            **error);

/* An error answer: {"error": CODE, "message": MESSAGE} plus, if
 * @extra_key is set, @extra_key: @extra_value. */
char              *tandem_protocol_error_build (const char         *code,
                                                const char         *message,
                                                const char         *extra_key,
                                                gint64              extra_value,
                                                gsize              *length);

/* Appends @text to @out as a JSON string literal. */
void               tandem_protocol_append_string (GString          *out,
                                                  const char       *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TandemPushRequest, tandem_push_request_free)

G_END_DECLS
