/* tandem-persona.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tandem-persona.h"

struct _TandemPersona
{
  TandemRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (TandemPersona, tandem_persona, TANDEM_TYPE_RECORD)

static void
tandem_persona_class_init (TandemPersonaClass *klass)
{
  tandem_record_class_set_spec (TANDEM_RECORD_CLASS (klass), tandem_schema_lookup ("personas"));
}

static void
tandem_persona_init (TandemPersona *self)
{
}

TandemPersona *
tandem_persona_new (void)
{
  return TANDEM_PERSONA (tandem_record_new (TANDEM_TYPE_PERSONA));
}

const char *
tandem_persona_get_name (TandemPersona *self)
{
  g_return_val_if_fail (TANDEM_IS_PERSONA (self), NULL);

  return tandem_record_get_text (TANDEM_RECORD (self), "name");
}
