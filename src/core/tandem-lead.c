/* tandem-lead.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tandem-lead.h"

struct _TandemLead
{
  TandemRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (TandemLead, tandem_lead, TANDEM_TYPE_RECORD)

static void
tandem_lead_class_init (TandemLeadClass *klass)
{
  tandem_record_class_set_spec (TANDEM_RECORD_CLASS (klass), tandem_schema_lookup ("leads"));
}

static void
tandem_lead_init (TandemLead *self)
{
}

TandemLead *
tandem_lead_new (void)
{
  return TANDEM_LEAD (tandem_record_new (TANDEM_TYPE_LEAD));
}

char *
tandem_lead_dup_display_name (TandemLead *self)
{
  const char *first;
  const char *last;

  g_return_val_if_fail (TANDEM_IS_LEAD (self), NULL);

  first = tandem_record_get_text (TANDEM_RECORD (self), "first_name");
  last = tandem_record_get_text (TANDEM_RECORD (self), "last_name");

  if ((first == NULL || *first == '\0') && (last == NULL || *last == '\0'))
    return g_strdup (tandem_record_get_text (TANDEM_RECORD (self), "email"));

  return g_strstrip (g_strdup_printf ("%s %s", first ? first : "", last ? last : ""));
}
