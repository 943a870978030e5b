/* tandem-company.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tandem-company.h"

struct _TandemCompany
{
  TandemRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (TandemCompany, tandem_company, TANDEM_TYPE_RECORD)

static void
tandem_company_class_init (TandemCompanyClass *klass)
{
  tandem_record_class_set_spec (TANDEM_RECORD_CLASS (klass), tandem_schema_lookup ("companies"));
}

static void
tandem_company_init (TandemCompany *self)
{
}

TandemCompany *
tandem_company_new (void)
{
  return TANDEM_COMPANY (tandem_record_new (TANDEM_TYPE_COMPANY));
}

const char *
tandem_company_get_name (TandemCompany *self)
{
  g_return_val_if_fail (TANDEM_IS_COMPANY (self), NULL);

  return tandem_record_get_text (TANDEM_RECORD (self), "name");
}
