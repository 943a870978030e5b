/* tandem-hlc.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tandem-hlc.h"

static gint64
system_wall_clock (gpointer user_data)
{
  return g_get_real_time () / 1000;
}

void
tandem_hlc_init (TandemHlc      *hlc,
                 TandemHlcStamp  last)
{
  g_return_if_fail (hlc != NULL);

  hlc->last = last;
  hlc->wall_clock = system_wall_clock;
  hlc->wall_clock_data = NULL;
}

void
tandem_hlc_set_wall_clock (TandemHlc       *hlc,
                           TandemWallClock  wall_clock,
                           gpointer         user_data)
{
  g_return_if_fail (hlc != NULL);

  hlc->wall_clock = wall_clock ? wall_clock : system_wall_clock;
  hlc->wall_clock_data = user_data;
}

TandemHlcStamp
tandem_hlc_pack (gint64 millis,
                 guint  counter)
{
  return (millis << TANDEM_HLC_COUNTER_BITS) | (counter & TANDEM_HLC_COUNTER_MAX);
}

gint64
tandem_hlc_get_millis (TandemHlcStamp stamp)
{
  return stamp >> TANDEM_HLC_COUNTER_BITS;
}

guint
tandem_hlc_get_counter (TandemHlcStamp stamp)
{
  return stamp & TANDEM_HLC_COUNTER_MAX;
}

/* Returns the smallest stamp above both @floor and the wall clock. When the
 * counter would overflow, the clock borrows a millisecond from the future
 * rather than wrapping, so stamps stay strictly increasing. */
static TandemHlcStamp
advance_past (TandemHlc      *hlc,
              TandemHlcStamp  floor)
{
  gint64 wall = hlc->wall_clock (hlc->wall_clock_data);
  gint64 floor_millis = tandem_hlc_get_millis (floor);

  if (wall > floor_millis)
    return tandem_hlc_pack (wall, 0);

  if (tandem_hlc_get_counter (floor) == TANDEM_HLC_COUNTER_MAX)
    return tandem_hlc_pack (floor_millis + 1, 0);

  return floor + 1;
}

TandemHlcStamp
tandem_hlc_now (TandemHlc *hlc)
{
  g_return_val_if_fail (hlc != NULL, 0);

  hlc->last = advance_past (hlc, hlc->last);
  return hlc->last;
}

TandemHlcStamp
tandem_hlc_receive (TandemHlc      *hlc,
                    TandemHlcStamp  remote)
{
  g_return_val_if_fail (hlc != NULL, 0);

  hlc->last = advance_past (hlc, MAX (hlc->last, remote));
  return hlc->last;
}
