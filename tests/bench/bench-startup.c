/* bench-startup.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-utils.h"
#include "tandem-application.h"
#include "tandem-lead-card.h"
#include "tandem-lead-table.h"
#include "tandem-pipeline-view.h"
#include "tandem-window.h"

/* The start-up and memory budgets of DESIGN.md §9 on a large workspace:
 *
 *   bench-startup [--runs N] TANDEM BASELINE WORKSPACE.db
 *
 * times the real app (TANDEM --db WORKSPACE.db) from the moment it is
 * spawned to its first painted frame, against BASELINE (a bare
 * AdwApplicationWindow with a header bar, bench-startup-baseline.c) and
 * against TANDEM on its welcome page (a workspace that does not exist
 * yet) in the same run, taking turns so that load from elsewhere on the
 * machine falls on all of them alike. Both print "tandem-bench: first-frame USEC" after
 * their first frame (Tandem when TANDEM_BENCH_FIRST_FRAME=1 is set), USEC
 * being CLOCK_MONOTONIC, which this process shares.
 *
 * It then runs itself as
 *
 *   bench-startup --memory WORKSPACE.db
 *
 * which runs Tandem's own application in-process, as src/app/main.c does,
 * walks it through the Pipeline view's board, the table and twenty pages
 * of scrolling with the same actions the keyboard shortcuts trigger, and
 * reads its resident memory (/proc/self/status) once each step has
 * settled.
 *
 * Under Xvfb GDK loads Mesa's software GL driver even with the cairo
 * renderer: about 50 MB of the files counted resident (libLLVM, swrast),
 * in the bare window as in Tandem.
 *
 * It needs a display and a session bus: bench-startup.sh provides both
 * with Xvfb. It opens the workspace for writing, as the app does, so give
 * it a copy of anything that matters. */

#define DEFAULT_RUNS 7
#define FIRST_FRAME_TIMEOUT_US (60 * G_USEC_PER_SEC)
#define SCROLL_PAGES 20
/* A step has settled when the process used less than SETTLE_CPU_US of
 * processor time in a SETTLE_INTERVAL_MS interval, SETTLE_MIN_MS at the
 * earliest (the board sums its columns' values after a delay) and
 * SETTLE_MAX_MS at the latest. */
#define SETTLE_INTERVAL_MS 250
#define SETTLE_CPU_US 10000
#define SETTLE_MIN_MS 1500
#define SETTLE_MAX_MS 20000

#define BUDGET_FIRST_FRAME_MS 1000.0
#define BUDGET_RATIO 2.0
#define BUDGET_RSS_MB 200.0

static const char first_frame_prefix[] = "tandem-bench: first-frame ";

/* Reads FIELD ("VmRSS", …) in kB from /proc/PID/status, PID 0 for this
 * process. */
static guint64
read_status_kb (GPid        pid,
                const char *field)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gsize field_len = strlen (field);

  path = pid != 0 ? g_strdup_printf ("/proc/%d/status", pid) : g_strdup ("/proc/self/status");
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strncmp (lines[i], field, field_len) == 0 && lines[i][field_len] == ':')
        return g_ascii_strtoull (lines[i] + field_len + 1, NULL, 10);
    }

  return 0;
}

/* Spawns ARGV and waits for its first-frame line. On success, *MS is the
 * time from just before the spawn to the frame, and *RSS_KB the child's
 * resident memory right after it. The child is killed either way. */
static gboolean
time_first_frame (char    **argv,
                  double   *ms,
                  guint64  *rss_kb,
                  GError  **error)
{
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "TANDEM_BENCH_FIRST_FRAME", "1", TRUE);
  g_autoptr(GString) output = g_string_new (NULL);
  gint64 start, frame = -1, deadline;
  GPid pid;
  int out_fd;
  int status;

  start = g_get_monotonic_time ();
  if (!g_spawn_async_with_pipes (NULL, argv, envp, G_SPAWN_DO_NOT_REAP_CHILD,
                                 NULL, NULL, &pid, NULL, &out_fd, NULL, error))
    return FALSE;

  deadline = start + FIRST_FRAME_TIMEOUT_US;
  while (frame < 0)
    {
      struct pollfd pfd = { out_fd, POLLIN, 0 };
      gint64 now = g_get_monotonic_time ();
      const char *line;
      char buffer[4096];
      gssize n;

      if (now >= deadline || poll (&pfd, 1, (deadline - now) / 1000 + 1) == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "%s drew no frame within %d s", argv[0],
                       (int) (FIRST_FRAME_TIMEOUT_US / G_USEC_PER_SEC));
          break;
        }

      n = read (out_fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "%s exited before drawing a frame", argv[0]);
          break;
        }
      g_string_append_len (output, buffer, n);

      line = strstr (output->str, first_frame_prefix);
      if (line != NULL && strchr (line, '\n') != NULL)
        frame = g_ascii_strtoll (line + strlen (first_frame_prefix), NULL, 10);
    }

  if (frame >= 0)
    {
      *ms = (frame - start) / 1000.0;
      *rss_kb = read_status_kb (pid, "VmRSS");
    }

  kill (pid, SIGTERM);
  waitpid (pid, &status, 0);
  g_spawn_close_pid (pid);
  close (out_fd);

  return frame >= 0;
}

typedef struct {
  const char *name;
  char       *argv[4];
  GArray     *ms;
  double      first_ms;
  guint64     rss_kb;
} Program;

static int
run_startup (const char *self_path,
             const char *tandem,
             const char *baseline,
             const char *workspace,
             guint       runs)
{
  g_autofree char *empty_dir = NULL;
  g_autofree char *missing = NULL;
  Program programs[] = {
    { "bare libadwaita window", { (char *) baseline, NULL } },
    { "tandem, welcome page", { (char *) tandem, (char *) "--db", NULL, NULL } },
    { "tandem, the workspace", { (char *) tandem, (char *) "--db", (char *) workspace, NULL } },
  };
  Program *bare = &programs[0];
  Program *large = &programs[2];
  char *memory_argv[] = { (char *) self_path, (char *) "--memory", (char *) workspace, NULL };
  g_autoptr(GError) error = NULL;
  double ratio;
  double large_ms;
  int memory_status = 0;
  GStatBuf st;

  if (g_stat (workspace, &st) == 0)
    g_print ("workspace: %s (%.0f MB)\n", workspace, st.st_size / 1048576.0);

  /* Tandem on a workspace that does not exist yet shows its welcome page:
   * what the window costs without any data. */
  empty_dir = g_dir_make_tmp ("bench-startup-XXXXXX", &error);
  if (empty_dir == NULL)
    {
      g_printerr ("bench-startup: %s\n", error->message);
      return 1;
    }
  missing = g_build_filename (empty_dir, "none.db", NULL);
  programs[1].argv[2] = missing;

  /* The first start of each pays for caches (shared libraries, fonts, the
   * workspace's pages) that later ones find warm; it is shown apart. The
   * programs take turns, so that load from elsewhere on the machine falls
   * on all of them alike. */
  for (guint i = 0; i <= runs; i++)
    {
      for (guint p = 0; p < G_N_ELEMENTS (programs); p++)
        {
          double ms;

          if (programs[p].ms == NULL)
            programs[p].ms = g_array_new (FALSE, FALSE, sizeof (double));

          if (!time_first_frame (programs[p].argv, &ms, &programs[p].rss_kb, &error))
            {
              g_printerr ("bench-startup: %s: %s\n", programs[p].name, error->message);
              return 1;
            }

          if (i == 0)
            programs[p].first_ms = ms;
          else
            g_array_append_val (programs[p].ms, ms);
        }

      g_print ("%s %u: workspace %.0f ms, welcome %.0f ms, bare window %.0f ms\n",
               i == 0 ? "first start (not counted)," : "run", i,
               i == 0 ? large->first_ms : g_array_index (large->ms, double, i - 1),
               i == 0 ? programs[1].first_ms : g_array_index (programs[1].ms, double, i - 1),
               i == 0 ? bare->first_ms : g_array_index (bare->ms, double, i - 1));
    }

  g_rmdir (empty_dir);

  g_print ("start to first frame, median of %u (min-max), resident memory at it:\n", runs);
  for (guint p = 0; p < G_N_ELEMENTS (programs); p++)
    g_print ("  %-24s %5.0f ms (%.0f-%.0f)  %6.1f MB\n", programs[p].name,
             tandem_bench_percentile (programs[p].ms, 0.5),
             tandem_bench_percentile (programs[p].ms, 0.0),
             tandem_bench_percentile (programs[p].ms, 1.0),
             programs[p].rss_kb / 1024.0);

  large_ms = tandem_bench_percentile (large->ms, 0.5);
  ratio = large_ms / tandem_bench_percentile (bare->ms, 0.5);
  g_print ("first frame with the workspace: %s (budget: < %.0f ms); ratio to the bare window %.2f x: %s"
           " (budget: <= %.1f x)\n",
           large_ms < BUDGET_FIRST_FRAME_MS ? "within" : "OVER",
           BUDGET_FIRST_FRAME_MS, ratio,
           ratio <= BUDGET_RATIO ? "within" : "OVER", BUDGET_RATIO);

  for (guint p = 0; p < G_N_ELEMENTS (programs); p++)
    g_array_unref (programs[p].ms);

  /* Memory is measured in a process of its own, so that nothing this one
   * allocated counts. */
  if (!g_spawn_sync (NULL, memory_argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN,
                     NULL, NULL, NULL, NULL, &memory_status, &error) ||
      !g_spawn_check_wait_status (memory_status, &error))
    {
      g_printerr ("bench-startup: the memory run failed: %s\n", error->message);
      return 1;
    }

  return 0;
}

/* The memory run: Tandem's application in this process, one step at a
 * time, each started by the previous one settling. */

typedef enum {
  STEP_FIRST_FRAME,
  STEP_BOARD,
  STEP_TABLE,
  STEP_SCROLL,
  STEP_DONE,
} Step;

static const char * const step_names[] = {
  "first frame",
  "pipeline: board",
  "pipeline: table",
  "table scrolled",
};

typedef struct {
  GApplication       *app;
  TandemWindow       *window;
  TandemPipelineView *pipeline;
  GtkAdjustment      *vadjustment;
  Step                step;
  gint64              step_start;
  gint64              step_start_cpu;
  gint64              frame_at;
  gint64              last_cpu;
  guint               settle_id;
  guint               scrolled_pages;
  gint64              scroll_set_at;
  double              slowest_scroll_ms;
  guint64             peak_kb;
  gboolean            failed;
} MemoryRun;

static gint64
cpu_time_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
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

static guint
count_widgets (GtkWidget *widget,
               GType      type)
{
  guint n = G_TYPE_CHECK_INSTANCE_TYPE (widget, type) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_widgets (child, type);

  return n;
}

static void
report_memory (MemoryRun  *run,
               const char *name)
{
  struct mallinfo2 heap = mallinfo2 ();
  guint64 rss_kb = read_status_kb (0, "VmRSS");
  guint64 hwm_kb = read_status_kb (0, "VmHWM");

  run->peak_kb = MAX (run->peak_kb, hwm_kb);

  g_print ("memory, %-16s VmRSS %6.1f MB  VmHWM %6.1f MB  (anonymous %6.1f MB, files %5.1f MB)\n",
           name, rss_kb / 1024.0, hwm_kb / 1024.0,
           read_status_kb (0, "RssAnon") / 1024.0, read_status_kb (0, "RssFile") / 1024.0);
  /* GTK 4.8's list views keep up to 200 rows each whatever their height:
   * the widgets alive say where much of the memory goes. */
  g_print ("        %-16s malloc in use %6.1f MB, free %5.1f MB; SQLite %5.1f MB;"
           " %u widgets, %u lead cards\n", "",
           (heap.uordblks + heap.hblkhd) / 1048576.0, heap.fordblks / 1048576.0,
           sqlite3_memory_used () / 1048576.0,
           count_widgets (GTK_WIDGET (run->window), GTK_TYPE_WIDGET),
           count_widgets (GTK_WIDGET (run->window), TANDEM_TYPE_LEAD_CARD));
}

static void start_step (MemoryRun *run);

static gboolean
on_settle_poll (gpointer data)
{
  MemoryRun *run = data;
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = cpu_time_us ();
  gboolean quiet = cpu - run->last_cpu < SETTLE_CPU_US;
  gint64 waited_ms = (now - run->step_start) / 1000;
  gboolean drawn = run->frame_at != 0 &&
                   (run->step != STEP_SCROLL || run->scrolled_pages == SCROLL_PAGES);

  run->last_cpu = cpu;

  if (!drawn)
    {
      if (waited_ms < SETTLE_MAX_MS)
        return G_SOURCE_CONTINUE;
      g_printerr ("bench-startup: %s drew nothing within %d s\n",
                  step_names[run->step], SETTLE_MAX_MS / 1000);
      run->failed = TRUE;
      run->settle_id = 0;
      g_application_quit (run->app);
      return G_SOURCE_REMOVE;
    }

  if ((!quiet || waited_ms < SETTLE_MIN_MS) && waited_ms < SETTLE_MAX_MS)
    return G_SOURCE_CONTINUE;

  run->settle_id = 0;
  report_memory (run, step_names[run->step]);
  run->step++;
  start_step (run);

  return G_SOURCE_REMOVE;
}

static void
scroll_one_page (MemoryRun *run)
{
  double value = gtk_adjustment_get_value (run->vadjustment);
  double page = gtk_adjustment_get_page_size (run->vadjustment);

  /* A short table ends before the last page: there is no frame to wait
   * for. */
  if (value + page >= gtk_adjustment_get_upper (run->vadjustment))
    {
      run->scrolled_pages = SCROLL_PAGES;
      if (run->frame_at == 0)
        run->frame_at = g_get_monotonic_time ();
      return;
    }

  run->scroll_set_at = g_get_monotonic_time ();
  gtk_adjustment_set_value (run->vadjustment, value + page);
}

static void
on_after_paint (GdkFrameClock *frame_clock,
                MemoryRun     *run)
{
  gint64 now = g_get_monotonic_time ();

  if (run->step == STEP_SCROLL && run->scroll_set_at != 0 && run->scrolled_pages < SCROLL_PAGES)
    {
      run->slowest_scroll_ms = MAX (run->slowest_scroll_ms, (now - run->scroll_set_at) / 1000.0);
      run->scroll_set_at = 0;
      if (++run->scrolled_pages < SCROLL_PAGES)
        scroll_one_page (run);
    }

  if (run->frame_at != 0)
    return;

  run->frame_at = now;
  /* The processor time, all threads, says more than the wall clock on a
   * busy machine. */
  if (run->step == STEP_FIRST_FRAME)
    g_print ("memory run: first frame %.0f ms after the application started (%.0f ms of CPU)\n",
             (now - run->step_start) / 1000.0, (cpu_time_us () - run->step_start_cpu) / 1000.0);
  else
    g_print ("memory run: %s drawn %.0f ms after it was asked for (%.0f ms of CPU)\n",
             step_names[run->step], (now - run->step_start) / 1000.0,
             (cpu_time_us () - run->step_start_cpu) / 1000.0);
}

static void
start_step (MemoryRun *run)
{
  GtkWidget *table;
  GtkWidget *column_view;

  run->step_start = g_get_monotonic_time ();
  run->step_start_cpu = cpu_time_us ();
  run->frame_at = 0;
  run->last_cpu = cpu_time_us ();

  switch (run->step)
    {
    case STEP_FIRST_FRAME:
      break;

    case STEP_BOARD:
      /* What Alt+3 does. */
      gtk_widget_activate_action (GTK_WIDGET (run->window), "win.show-view", "s", "pipeline");
      run->pipeline = TANDEM_PIPELINE_VIEW (find_descendant (GTK_WIDGET (run->window),
                                                             TANDEM_TYPE_PIPELINE_VIEW));
      if (g_strcmp0 (tandem_window_get_visible_page (run->window), "pipeline") != 0 ||
          g_strcmp0 (tandem_pipeline_view_get_visible_page (run->pipeline), "board") != 0)
        {
          g_printerr ("bench-startup: the Pipeline view did not open on its board\n");
          run->failed = TRUE;
          g_application_quit (run->app);
          return;
        }
      break;

    case STEP_TABLE:
      /* What Ctrl+2 does in the Pipeline view. */
      gtk_widget_activate_action (GTK_WIDGET (run->pipeline), "pipeline.show-table", NULL);
      if (g_strcmp0 (tandem_pipeline_view_get_visible_page (run->pipeline), "table") != 0)
        {
          g_printerr ("bench-startup: the Pipeline view did not show its table\n");
          run->failed = TRUE;
          g_application_quit (run->app);
          return;
        }
      break;

    case STEP_SCROLL:
      table = GTK_WIDGET (tandem_pipeline_view_get_table (run->pipeline));
      column_view = find_descendant (table, GTK_TYPE_COLUMN_VIEW);
      run->vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (column_view));
      g_print ("memory run: the table lists %u leads; scrolling %u pages of %.0f px\n",
               g_list_model_get_n_items (tandem_lead_table_get_model (TANDEM_LEAD_TABLE (table))),
               SCROLL_PAGES, gtk_adjustment_get_page_size (run->vadjustment));
      /* A frame is drawn for each page before the next is asked for. */
      run->scrolled_pages = 0;
      scroll_one_page (run);
      break;

    case STEP_DONE:
    default:
      g_print ("memory run: the slowest page of scrolling took %.1f ms to draw\n",
               run->slowest_scroll_ms);
      g_print ("memory: peak %.1f MB resident: %s (budget: < %.0f MB)\n",
               run->peak_kb / 1024.0,
               run->peak_kb / 1024.0 < BUDGET_RSS_MB ? "within" : "OVER", BUDGET_RSS_MB);
      g_application_quit (run->app);
      return;
    }

  run->settle_id = g_timeout_add (SETTLE_INTERVAL_MS, on_settle_poll, run);
}

static void
on_window_realize (GtkWidget *widget,
                   MemoryRun *run)
{
  g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint",
                    G_CALLBACK (on_after_paint), run);
}

static void
on_window_added (GtkApplication *app,
                 GtkWindow      *window,
                 MemoryRun      *run)
{
  if (!TANDEM_IS_WINDOW (window) || run->window != NULL)
    return;

  run->window = TANDEM_WINDOW (window);
  g_signal_connect (window, "realize", G_CALLBACK (on_window_realize), run);
}

static int
run_memory (const char *argv0,
            const char *workspace)
{
  g_autoptr(TandemApplication) app = NULL;
  char *app_argv[] = { (char *) argv0, (char *) "--db", (char *) workspace, NULL };
  MemoryRun run = { NULL };
  int status;

  app = tandem_application_new ();
  run.app = G_APPLICATION (app);
  run.step = STEP_FIRST_FRAME;
  g_signal_connect (app, "window-added", G_CALLBACK (on_window_added), &run);

  start_step (&run);
  status = g_application_run (G_APPLICATION (app), G_N_ELEMENTS (app_argv) - 1, app_argv);

  g_clear_handle_id (&run.settle_id, g_source_remove);

  if (run.failed || run.step != STEP_DONE)
    return 1;

  return status;
}

int
main (int   argc,
      char *argv[])
{
  guint runs = DEFAULT_RUNS;
  g_autofree char *self_path = NULL;
  int first = 1;

  if (argc == 3 && g_str_equal (argv[1], "--memory"))
    return run_memory (argv[0], argv[2]);

  if (argc > 2 && g_str_equal (argv[1], "--runs"))
    {
      runs = MAX (1, (guint) g_ascii_strtoull (argv[2], NULL, 10));
      first = 3;
    }

  if (argc - first != 3)
    {
      g_printerr ("Usage: %s [--runs N] TANDEM BASELINE WORKSPACE.db\n"
                  "       %s --memory WORKSPACE.db\n", argv[0], argv[0]);
      return 2;
    }

  if (!g_file_test (argv[first + 2], G_FILE_TEST_IS_REGULAR))
    {
      g_printerr ("bench-startup: there is no workspace at %s\n", argv[first + 2]);
      return 2;
    }

  self_path = g_file_read_link ("/proc/self/exe", NULL);

  return run_startup (self_path != NULL ? self_path : argv[0],
                      argv[first], argv[first + 1], argv[first + 2], runs);
}
