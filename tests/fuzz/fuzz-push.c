/* fuzz-push.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "tandem-sync-protocol.h"

/* Feeds arbitrary bytes to the push request parser and validator, the
 * first code on the server that outside input reaches, then to the other
 * document parsers a client runs on the server's answers. Whatever is
 * accepted must rebuild into a request that parses again the same way. */
int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TandemPushRequest) request = NULL;
  g_autoptr(TandemPushRequest) again = NULL;
  g_autoptr(GPtrArray) pulled = NULL;
  g_autoptr(GPtrArray) snapshot = NULL;
  g_autofree char *rebuilt = NULL;
  gsize length;

  request = tandem_push_request_parse ((const char *) data, size, &error);
  if (request == NULL)
    {
      g_assert (error != NULL && error->domain == TANDEM_PROTOCOL_ERROR);
      g_clear_error (&error);
    }
  else
    {
      g_assert (request->changes->len <= TANDEM_PROTOCOL_MAX_CHANGES);
      for (guint i = 0; i < request->changes->len; i++)
        g_assert (tandem_protocol_validate_change (g_ptr_array_index (request->changes, i), NULL));

      rebuilt = tandem_push_request_build (request->batch_id, request->schema, request->site,
                                           request->sent_at, request->changes, &length);
      again = tandem_push_request_parse (rebuilt, length, &error);
      g_assert_no_error (error);
      g_assert (again->changes->len == request->changes->len);
      g_assert (strcmp (again->batch_id, request->batch_id) == 0);
    }

  pulled = tandem_pull_answer_parse ((const char *) data, size, NULL, NULL, NULL);
  snapshot = tandem_snapshot_parse ((const char *) data, size, NULL, NULL, NULL);

  return 0;
}
