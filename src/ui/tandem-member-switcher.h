/* tandem-member-switcher.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tandem-core.h"

G_BEGIN_DECLS

#define TANDEM_TYPE_MEMBER_SWITCHER (tandem_member_switcher_get_type ())

G_DECLARE_FINAL_TYPE (TandemMemberSwitcher, tandem_member_switcher, TANDEM, MEMBER_SWITCHER, AdwBin)

GtkWidget   *tandem_member_switcher_new               (void);
TandemStore *tandem_member_switcher_get_store         (TandemMemberSwitcher *self);
void         tandem_member_switcher_set_store         (TandemMemberSwitcher *self,
                                                       TandemStore          *store);
/* The id and name of the member who is working, or NULL. */
const char  *tandem_member_switcher_get_member_id     (TandemMemberSwitcher *self);
const char  *tandem_member_switcher_get_member_name   (TandemMemberSwitcher *self);
/* Makes the active member @member_id the one who is working, in the store
 * and in GSettings; returns FALSE when there is no such active member. */
gboolean     tandem_member_switcher_select            (TandemMemberSwitcher *self,
                                                       const char           *member_id);

G_END_DECLS
