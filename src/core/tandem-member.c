/* tandem-member.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tandem-member.h"

struct _TandemMember
{
  TandemRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (TandemMember, tandem_member, TANDEM_TYPE_RECORD)

static void
tandem_member_class_init (TandemMemberClass *klass)
{
  tandem_record_class_set_spec (TANDEM_RECORD_CLASS (klass), tandem_schema_lookup ("members"));
}

static void
tandem_member_init (TandemMember *self)
{
}

TandemMember *
tandem_member_new (void)
{
  return TANDEM_MEMBER (tandem_record_new (TANDEM_TYPE_MEMBER));
}

const char *
tandem_member_get_name (TandemMember *self)
{
  g_return_val_if_fail (TANDEM_IS_MEMBER (self), NULL);

  return tandem_record_get_text (TANDEM_RECORD (self), "name");
}
