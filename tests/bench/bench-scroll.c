/* bench-scroll.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <time.h>

#include "bench-utils.h"
#include "tandem-core.h"
#include "tandem-lead-board.h"
#include "tandem-lead-query.h"
#include "tandem-lead-table.h"

/* Scrolls the largest column of the pipeline board and the leads table of
 * a large workspace in a 1400×900 window and records, through the window's
 * GdkFrameClock, how long each frame's work took (from before-paint to the
 * end of after-paint: the scroll, the new rows' binding, layout and
 * drawing), the main thread's processor time in it (which the other
 * programs on a busy machine do not inflate), and the time between frames (DESIGN.md, section 9: no
 * frame over 16 ms). Two ways of scrolling each: a fast wheel, 120 pixels a
 * frame, and jumps to a random place every frame, as dragging the
 * scrollbar does, which binds a screenful of new rows each time. The
 * baseline, in the same run and window, is a bare GtkListView of 100,000
 * one-label rows scrolled the same ways.
 *
 * Usage: bench-scroll WORKSPACE.db [FRAMES [baseline|board|table [wheel|jumps]]]
 * Needs a display: `xvfb-run -a -s '-screen 0 1400x900x24'` with
 * GDK_BACKEND=x11 and GSK_RENDERER=cairo, as the UI tests run. It opens the
 * workspace read-write (the store may migrate it): give it a copy. */

#define FRAME_MS 16.0
#define WARM_UP_FRAMES 10

typedef enum
{
  SCROLL_WHEEL,
  SCROLL_JUMP,
} ScrollKind;

typedef struct
{
  GtkAdjustment *adjustment;
  ScrollKind     kind;
  guint          frames_wanted;
  guint          frames;
  GRand         *rand;
  gint64         frame_start;
  gint64         frame_cpu_start;
  gint64         last_start;
  GArray        *work_ms;
  GArray        *cpu_ms;
  GArray        *interval_ms;
  gboolean       done;
} Run;

/* The main thread's processor time, in µs: what the frame cost the app
 * itself, whatever else the machine was busy with. */
static gint64
thread_cpu_time (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec * G_GINT64_CONSTANT (1000000) + now.tv_nsec / 1000;
}

static void
on_before_paint (GdkFrameClock *clock,
                 Run           *run)
{
  gint64 now = g_get_monotonic_time ();

  if (run->frame_start != 0 && run->frames > WARM_UP_FRAMES)
    {
      double interval = (now - run->last_start) / 1000.0;

      g_array_append_val (run->interval_ms, interval);
    }
  run->last_start = now;
  run->frame_start = now;
  run->frame_cpu_start = thread_cpu_time ();
}

static void
on_after_paint (GdkFrameClock *clock,
                Run           *run)
{
  double work, cpu;

  if (run->frame_start == 0)
    return;

  work = (g_get_monotonic_time () - run->frame_start) / 1000.0;
  cpu = (thread_cpu_time () - run->frame_cpu_start) / 1000.0;
  if (run->frames > WARM_UP_FRAMES)
    {
      g_array_append_val (run->work_ms, work);
      g_array_append_val (run->cpu_ms, cpu);
    }
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  Run *run = user_data;
  double upper = gtk_adjustment_get_upper (run->adjustment);
  double page = gtk_adjustment_get_page_size (run->adjustment);
  double value = gtk_adjustment_get_value (run->adjustment);

  if (run->frames++ >= run->frames_wanted + WARM_UP_FRAMES)
    {
      run->done = TRUE;
      return G_SOURCE_REMOVE;
    }

  if (run->kind == SCROLL_WHEEL)
    value = value + 120 < upper - page ? value + 120 : 0;
  else
    value = g_rand_double (run->rand) * MAX (upper - page, 0);

  gtk_adjustment_set_value (run->adjustment, value);
  return G_SOURCE_CONTINUE;
}

static void
scroll (const char    *what,
        GtkWidget     *window,
        GtkAdjustment *adjustment,
        ScrollKind     kind,
        guint          frames)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  Run run = { 0, };
  gulong paint_start_handler, paint_handler;
  double p50, p99, max, cpu_p50, cpu_p99, cpu_max, interval_p99, interval_max;
  guint over = 0;

  run.adjustment = adjustment;
  run.kind = kind;
  run.frames_wanted = frames;
  run.rand = g_rand_new_with_seed (42);
  run.work_ms = g_array_new (FALSE, FALSE, sizeof (double));
  run.cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));
  run.interval_ms = g_array_new (FALSE, FALSE, sizeof (double));

  gtk_adjustment_set_value (adjustment, 0);
  paint_start_handler = g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint),
                                          &run);
  paint_handler = g_signal_connect_after (clock, "after-paint", G_CALLBACK (on_after_paint), &run);
  gtk_widget_add_tick_callback (window, on_tick, &run, NULL);

  while (!run.done)
    g_main_context_iteration (NULL, TRUE);

  g_signal_handler_disconnect (clock, paint_start_handler);
  g_signal_handler_disconnect (clock, paint_handler);

  p50 = tandem_bench_percentile (run.work_ms, 0.5);
  p99 = tandem_bench_percentile (run.work_ms, 0.99);
  max = tandem_bench_percentile (run.work_ms, 1.0);
  cpu_p50 = tandem_bench_percentile (run.cpu_ms, 0.5);
  cpu_p99 = tandem_bench_percentile (run.cpu_ms, 0.99);
  cpu_max = tandem_bench_percentile (run.cpu_ms, 1.0);
  interval_p99 = tandem_bench_percentile (run.interval_ms, 0.99);
  interval_max = tandem_bench_percentile (run.interval_ms, 1.0);

  for (guint i = 0; i < run.work_ms->len; i++)
    if (g_array_index (run.work_ms, double, i) > FRAME_MS)
      over++;

  g_print ("  %-40s %4u frames; work p50 %5.1f p99 %5.1f max %5.1f ms;"
           " main thread cpu p50 %5.1f p99 %5.1f max %5.1f ms;"
           " between frames p99 %5.1f max %5.1f ms\n",
           what, run.work_ms->len, p50, p99, max, cpu_p50, cpu_p99, cpu_max, interval_p99,
           interval_max);
  if (over > 0)
    g_print ("  %-40s OVER A FRAME: %u of %u frames took over %.0f ms\n", "", over,
             run.work_ms->len, FRAME_MS);

  g_array_unref (run.work_ms);
  g_array_unref (run.cpu_ms);
  g_array_unref (run.interval_ms);
  g_rand_free (run.rand);
}

/* Runs the main loop for @ms, so that what a widget started (its first
 * listing, the deal sums of the board) is over before the timing. */
static void
settle (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

static GtkWidget *
new_window (GtkWidget *child)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));

  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);
  settle (500);

  return window;
}

/* Which ways to scroll: both, or only "wheel" or "jumps" (to profile one). */
static const char *only_way;

static void
scroll_both_ways (const char    *what,
                  GtkWidget     *window,
                  GtkAdjustment *adjustment,
                  guint          frames)
{
  g_autofree char *wheel = g_strdup_printf ("%s, wheel", what);
  g_autofree char *jump = g_strdup_printf ("%s, jumps", what);

  if (only_way == NULL || g_str_equal (only_way, "wheel"))
    scroll (wheel, window, adjustment, SCROLL_WHEEL, frames);
  if (only_way == NULL || g_str_equal (only_way, "jumps"))
    scroll (jump, window, adjustment, SCROLL_JUMP, frames);
}

static void
setup_label (GtkSignalListItemFactory *factory,
             GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
bind_label (GtkSignalListItemFactory *factory,
            GtkListItem              *item)
{
  GtkStringObject *string = gtk_list_item_get_item (item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)),
                       gtk_string_object_get_string (string));
}

static void
run_baseline (guint frames)
{
  g_autoptr(GtkStringList) strings = gtk_string_list_new (NULL);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *list_view;
  GtkWidget *window;

  for (guint i = 0; i < 100000; i++)
    {
      g_autofree char *text = g_strdup_printf ("Lead %u", i);

      gtk_string_list_append (strings, text);
    }

  g_signal_connect (factory, "setup", G_CALLBACK (setup_label), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_label), NULL);
  list_view = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (
                                   G_LIST_MODEL (g_object_ref (strings)))), factory);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list_view);

  window = new_window (scrolled);
  g_print ("baseline: a bare GtkListView of 100,000 labels:\n");
  scroll_both_ways ("labels", window,
                    gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)),
                    frames);
  gtk_window_destroy (GTK_WINDOW (window));
  settle (200);
}

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static char *
largest_stage (TandemStore *store)
{
  g_autoptr(GPtrArray) stages = tandem_pipeline_list_stages (store, TRUE, NULL);
  g_autoptr(TandemLeadQuery) query = tandem_lead_query_new ();
  char *largest = NULL;
  guint most = 0;

  for (guint i = 0; stages != NULL && i < stages->len; i++)
    {
      const char *stage = tandem_record_get_text (g_ptr_array_index (stages, i), "key");
      const char *stage_list[] = { stage, NULL };
      g_autoptr(GPtrArray) ids = NULL;

      tandem_lead_query_set_stages (query, stage_list);
      ids = tandem_lead_query_run (query, store, 0, NULL);
      if (ids != NULL && ids->len > most)
        {
          most = ids->len;
          g_free (largest);
          largest = g_strdup (stage);
        }
    }

  return largest;
}

static void
run_board (TandemStore *store,
           guint        frames)
{
  GtkWidget *board = tandem_lead_board_new ();
  g_autofree char *stage = largest_stage (store);
  GtkWidget *window;
  GtkWidget *column;
  GtkWidget *scrolled;
  g_autofree char *what = NULL;

  tandem_lead_board_set_store (TANDEM_LEAD_BOARD (board), store);
  window = new_window (board);

  column = tandem_lead_board_get_column (TANDEM_LEAD_BOARD (board), stage);
  scrolled = column != NULL ? find_descendant (column, GTK_TYPE_SCROLLED_WINDOW) : NULL;
  if (scrolled == NULL)
    g_error ("The board has no column for stage %s", stage);

  what = g_strdup_printf ("board column %s (%u cards)", stage,
                          g_list_model_get_n_items (tandem_lead_board_get_column_model (
                                                      TANDEM_LEAD_BOARD (board), stage)));
  g_print ("pipeline board:\n");
  scroll_both_ways (what, window,
                    gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)),
                    frames);
  gtk_window_destroy (GTK_WINDOW (window));
  settle (200);
}

static void
run_table (TandemStore *store,
           guint        frames)
{
  GtkWidget *table = tandem_lead_table_new ();
  GtkWidget *window;
  GtkWidget *column_view;
  GtkWidget *scrolled;
  g_autofree char *what = NULL;

  tandem_lead_table_set_store (TANDEM_LEAD_TABLE (table), store);
  window = new_window (table);

  column_view = find_descendant (table, GTK_TYPE_COLUMN_VIEW);
  scrolled = column_view != NULL ? gtk_widget_get_ancestor (column_view, GTK_TYPE_SCROLLED_WINDOW)
                                 : NULL;
  if (scrolled == NULL)
    g_error ("The leads table has no scrolled column view");

  what = g_strdup_printf ("leads table (%u rows)",
                          g_list_model_get_n_items (tandem_lead_table_get_model (
                                                      TANDEM_LEAD_TABLE (table))));
  g_print ("leads table:\n");
  scroll_both_ways (what, window,
                    gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)),
                    frames);
  gtk_window_destroy (GTK_WINDOW (window));
  settle (200);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TandemStore) store = NULL;
  g_autoptr(GtkCssProvider) css = NULL;
  g_autoptr(GError) error = NULL;
  guint frames = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 240;
  const char *only = argc > 3 ? argv[3] : NULL;

  only_way = argc > 4 ? argv[4] : NULL;

  if (argc < 2)
    {
      g_printerr ("Usage: %s WORKSPACE.db [FRAMES [baseline|board|table [wheel|jumps]]]\n"
                  "Needs a display (xvfb-run); give it a copy of a large workspace.\n", argv[0]);
      return 2;
    }
  frames = MAX (frames, 10);

  /* 77: skipped, for meson, without a display. */
  if (!gtk_init_check ())
    {
      g_print ("no display: skipped\n");
      return 77;
    }
  adw_init ();

  /* The app's own style, as AdwApplication loads it. */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/tandemdesk/Tandem/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  store = tandem_bench_open_workspace (argv[1], 100000, &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_print ("workspace %s: %" G_GINT64_FORMAT " live leads; 1400x900 window, renderer %s;"
           " budget: no frame over %.0f ms (DESIGN.md, section 9); %u frames each\n",
           argv[1], tandem_store_count (store, "leads"),
           g_getenv ("GSK_RENDERER") != NULL ? g_getenv ("GSK_RENDERER") : "default",
           FRAME_MS, frames);

  if (only == NULL || g_str_equal (only, "baseline"))
    run_baseline (frames);
  if (only == NULL || g_str_equal (only, "board"))
    run_board (store, frames);
  if (only == NULL || g_str_equal (only, "table"))
    run_table (store, frames);

  return 0;
}
