/* tandem-record.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "tandem-schema.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_RECORD (tandem_record_get_type ())

G_DECLARE_DERIVABLE_TYPE (TandemRecord, tandem_record, TANDEM, RECORD, GObject)

/* A row of a synced table. Every field of the table's spec is a GObject
 * property of the same name (strings for text, list and reference fields,
 * gint64 for integers, gboolean for flags), so templates can bind to them.
 * GLib spells property names with dashes: g_object_get() and bindings accept
 * "job_title", but change notifications are "notify::job-title".
 * Setting a field marks it changed; tandem_store_save() writes only the
 * changed fields, each through the mutation path. */
struct _TandemRecordClass
{
  GObjectClass           parent_class;
  const TandemTableSpec *spec;
  /* The property of each field, in spec order; NULL for plain records. */
  GParamSpec           **field_pspecs;
};

void                   tandem_record_class_set_spec (TandemRecordClass     *klass,
                                                     const TandemTableSpec *spec);

TandemRecord          *tandem_record_new            (GType                  record_type);
/* A record with a chosen id, e.g. one the sample generator derives from its
 * seed so the same seed always gives the same workspace. */
TandemRecord          *tandem_record_new_with_id    (GType                  record_type,
                                                     const char            *id);
/* A plain TandemRecord of any synced table (activities, deals, goals...):
 * the same accessors, without typed properties. */
TandemRecord          *tandem_record_new_for_table  (const char            *table,
                                                     const char            *id);
const TandemTableSpec *tandem_record_get_spec       (TandemRecord          *self);
const char            *tandem_record_get_id         (TandemRecord          *self);
gboolean               tandem_record_is_stored      (TandemRecord          *self);
gboolean               tandem_record_has_changes    (TandemRecord          *self);
gboolean               tandem_record_field_changed  (TandemRecord          *self,
                                                     const char            *field);
/* Whether a field other than those in @fields changed (and would be saved). */
gboolean               tandem_record_has_changes_besides (TandemRecord       *self,
                                                          const char * const *fields);
gint64                 tandem_record_get_loaded_hlc (TandemRecord          *self);

const char            *tandem_record_get_text       (TandemRecord          *self,
                                                     const char            *field);
void                   tandem_record_set_text       (TandemRecord          *self,
                                                     const char            *field,
                                                     const char            *value);
gint64                 tandem_record_get_int        (TandemRecord          *self,
                                                     const char            *field);
void                   tandem_record_set_int        (TandemRecord          *self,
                                                     const char            *field,
                                                     gint64                 value);
gboolean               tandem_record_get_bool       (TandemRecord          *self,
                                                     const char            *field);
void                   tandem_record_set_bool       (TandemRecord          *self,
                                                     const char            *field,
                                                     gboolean               value);
/* Empties any field (an integer or flag too), as if it had never been set. */
void                   tandem_record_clear          (TandemRecord          *self,
                                                     const char            *field);
/* List fields: a NULL-terminated array of non-empty, trimmed items. */
char                 **tandem_record_dup_list       (TandemRecord          *self,
                                                     const char            *field);
void                   tandem_record_set_list       (TandemRecord          *self,
                                                     const char            *field,
                                                     const char * const    *items);

/* A copy with a new id, every field marked changed, never stored yet. */
TandemRecord          *tandem_record_duplicate      (TandemRecord          *self);

G_END_DECLS
