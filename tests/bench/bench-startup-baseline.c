/* bench-startup-baseline.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

/* The least a libadwaita application can show: a window of Tandem's default
 * size with an empty header bar. bench-startup times it against Tandem
 * opening a workspace (DESIGN.md §9: within 2× of this). Like Tandem with
 * TANDEM_BENCH_FIRST_FRAME=1, it prints "tandem-bench: first-frame USEC"
 * once its first frame has been painted, USEC being g_get_monotonic_time(). */

static void
on_after_paint (GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  g_signal_handlers_disconnect_by_func (frame_clock, on_after_paint, user_data);

  g_print ("tandem-bench: first-frame %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  fflush (stdout);
}

static void
on_realize (GtkWidget *window)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_after_paint), NULL);
}

static void
on_activate (GtkApplication *app)
{
  GtkWidget *window = adw_application_window_new (app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_title (GTK_WINDOW (window), "Baseline");
  /* Tandem's default size, so both draw the same number of pixels. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);

  g_signal_connect (window, "realize", G_CALLBACK (on_realize), NULL);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;

  /* A registered, unique application, as Tandem is: it pays for the same
   * round trips to the session bus at start-up. */
  app = adw_application_new ("io.github.tandemdesk.Tandem.BenchBaseline",
                             G_APPLICATION_DEFAULT_FLAGS);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
