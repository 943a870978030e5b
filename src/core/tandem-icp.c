/* tandem-icp.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tandem-icp.h"

struct _TandemIcp
{
  TandemRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (TandemIcp, tandem_icp, TANDEM_TYPE_RECORD)

static void
tandem_icp_class_init (TandemIcpClass *klass)
{
  tandem_record_class_set_spec (TANDEM_RECORD_CLASS (klass), tandem_schema_lookup ("icps"));
}

static void
tandem_icp_init (TandemIcp *self)
{
}

TandemIcp *
tandem_icp_new (void)
{
  return TANDEM_ICP (tandem_record_new (TANDEM_TYPE_ICP));
}

const char *
tandem_icp_get_name (TandemIcp *self)
{
  g_return_val_if_fail (TANDEM_IS_ICP (self), NULL);

  return tandem_record_get_text (TANDEM_RECORD (self), "name");
}
