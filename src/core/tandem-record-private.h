/* tandem-record-private.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "tandem-record.h"

G_BEGIN_DECLS

/* What TandemStore needs to move values between records and statements. */
void     tandem_record_load_column    (TandemRecord *self,
                                       guint         field_index,
                                       sqlite3_stmt *stmt,
                                       int           column);
int      tandem_record_bind_field     (TandemRecord *self,
                                       guint         field_index,
                                       sqlite3_stmt *stmt,
                                       int           parameter);
gboolean tandem_record_field_is_null  (TandemRecord *self,
                                       guint         field_index);
gboolean tandem_record_index_changed  (TandemRecord *self,
                                       guint         field_index);
void     tandem_record_mark_stored    (TandemRecord *self,
                                       gint64        hlc);

G_END_DECLS
