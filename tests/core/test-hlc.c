/* test-hlc.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tandem-hlc.h"

typedef struct
{
  gint64 now;
} FakeClock;

static gint64
fake_wall_clock (gpointer user_data)
{
  return ((FakeClock *) user_data)->now;
}

static void
test_pack (void)
{
  TandemHlcStamp stamp = tandem_hlc_pack (1700000000123, 42);

  g_assert_cmpint (tandem_hlc_get_millis (stamp), ==, 1700000000123);
  g_assert_cmpuint (tandem_hlc_get_counter (stamp), ==, 42);
  /* Later wall time orders after any counter of an earlier millisecond. */
  g_assert_cmpint (tandem_hlc_pack (1000, TANDEM_HLC_COUNTER_MAX), <, tandem_hlc_pack (1001, 0));
}

static void
test_follows_wall_clock (void)
{
  FakeClock clock = { 5000 };
  TandemHlc hlc;

  tandem_hlc_init (&hlc, 0);
  tandem_hlc_set_wall_clock (&hlc, fake_wall_clock, &clock);

  g_assert_cmpint (tandem_hlc_now (&hlc), ==, tandem_hlc_pack (5000, 0));
  g_assert_cmpint (tandem_hlc_now (&hlc), ==, tandem_hlc_pack (5000, 1));
  clock.now = 6000;
  g_assert_cmpint (tandem_hlc_now (&hlc), ==, tandem_hlc_pack (6000, 0));
}

static void
test_monotonic_when_clock_goes_back (void)
{
  FakeClock clock = { 10000 };
  TandemHlc hlc;
  TandemHlcStamp previous;

  tandem_hlc_init (&hlc, 0);
  tandem_hlc_set_wall_clock (&hlc, fake_wall_clock, &clock);
  previous = tandem_hlc_now (&hlc);

  /* An NTP step of an hour backwards must not reorder later edits. */
  clock.now = 10000 - 3600 * 1000;
  for (int i = 0; i < 1000; i++)
    {
      TandemHlcStamp next = tandem_hlc_now (&hlc);

      g_assert_cmpint (next, >, previous);
      g_assert_cmpint (tandem_hlc_get_millis (next), ==, 10000);
      previous = next;
    }
}

static void
test_counter_overflow (void)
{
  FakeClock clock = { 700 };
  TandemHlc hlc;
  TandemHlcStamp stamp;

  tandem_hlc_init (&hlc, tandem_hlc_pack (700, TANDEM_HLC_COUNTER_MAX));
  tandem_hlc_set_wall_clock (&hlc, fake_wall_clock, &clock);

  stamp = tandem_hlc_now (&hlc);
  g_assert_cmpint (stamp, ==, tandem_hlc_pack (701, 0));
}

static void
test_receive (void)
{
  FakeClock clock = { 1000 };
  TandemHlc hlc;
  TandemHlcStamp remote = tandem_hlc_pack (9000, 7);
  TandemHlcStamp stamp;

  tandem_hlc_init (&hlc, 0);
  tandem_hlc_set_wall_clock (&hlc, fake_wall_clock, &clock);

  /* A stamp from a desktop whose clock runs ahead pulls ours past it. */
  stamp = tandem_hlc_receive (&hlc, remote);
  g_assert_cmpint (stamp, >, remote);
  g_assert_cmpint (stamp, ==, tandem_hlc_pack (9000, 8));
  g_assert_cmpint (tandem_hlc_now (&hlc), ==, tandem_hlc_pack (9000, 9));

  /* An older remote stamp does not move us back. */
  stamp = tandem_hlc_receive (&hlc, tandem_hlc_pack (10, 0));
  g_assert_cmpint (stamp, ==, tandem_hlc_pack (9000, 10));

  /* Once the wall clock passes every stamp seen, it leads again. */
  clock.now = 20000;
  g_assert_cmpint (tandem_hlc_receive (&hlc, remote), ==, tandem_hlc_pack (20000, 0));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/hlc/pack", test_pack);
  g_test_add_func ("/core/hlc/follows-wall-clock", test_follows_wall_clock);
  g_test_add_func ("/core/hlc/monotonic-when-clock-goes-back", test_monotonic_when_clock_goes_back);
  g_test_add_func ("/core/hlc/counter-overflow", test_counter_overflow);
  g_test_add_func ("/core/hlc/receive", test_receive);

  return g_test_run ();
}
