/* tandem-hlc.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A hybrid logical clock packs 48 bits of UTC milliseconds and a 16-bit
 * counter into one integer, so that comparing two clocks is comparing two
 * integers, and (hlc, site id) orders every change of every desktop. */
typedef gint64 TandemHlcStamp;

#define TANDEM_HLC_COUNTER_BITS 16
#define TANDEM_HLC_COUNTER_MAX  0xffff

typedef gint64 (*TandemWallClock) (gpointer user_data);

typedef struct
{
  TandemHlcStamp  last;
  TandemWallClock wall_clock;
  gpointer        wall_clock_data;
} TandemHlc;

void            tandem_hlc_init            (TandemHlc       *hlc,
                                            TandemHlcStamp   last);
void            tandem_hlc_set_wall_clock  (TandemHlc       *hlc,
                                            TandemWallClock  wall_clock,
                                            gpointer         user_data);
TandemHlcStamp  tandem_hlc_now             (TandemHlc       *hlc);
TandemHlcStamp  tandem_hlc_receive         (TandemHlc       *hlc,
                                            TandemHlcStamp   remote);
TandemHlcStamp  tandem_hlc_pack            (gint64           millis,
                                            guint            counter);
gint64          tandem_hlc_get_millis      (TandemHlcStamp   stamp);
guint           tandem_hlc_get_counter     (TandemHlcStamp   stamp);

G_END_DECLS
