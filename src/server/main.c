/* main.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>

#include "tandem-server-store.h"
#include "tandem-sync-server.h"

/* Exit codes: 0 done, 1 the work failed, 2 the command line is wrong. */
#define EXIT_FAILED 1
#define EXIT_USAGE  2

static const char usage_text[] =
  N_("Usage:\n"
     "  tandem-sync serve --db PATH --listen ADDR:PORT [--tls-cert FILE --tls-key FILE]\n"
     "  tandem-sync token add NAME --db PATH\n"
     "  tandem-sync token list --db PATH\n"
     "  tandem-sync token revoke NAME --db PATH\n");

static int
usage_error (const char *message)
{
  if (message != NULL)
    g_printerr ("tandem-sync: %s\n", message);
  g_printerr ("%s", _(usage_text));
  return EXIT_USAGE;
}

static gboolean
on_quit_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static int
run_serve (int    argc,
           char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("The server's database"), "PATH" },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, N_("Address and port, port 0 for any"),
      "ADDR:PORT" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, N_("TLS certificate (PEM)"), "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, N_("TLS private key (PEM)"), "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— serve the sync protocol"));
  g_autoptr(TandemServerStore) store = NULL;
  g_autoptr(TandemSyncServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);

  if (db_path == NULL || listen == NULL || argc > 1)
    return usage_error (_("serve needs --db and --listen"));

  if ((tls_cert == NULL) != (tls_key == NULL))
    return usage_error (_("--tls-cert and --tls-key go together"));

  store = tandem_server_store_open (db_path, &error);
  if (store == NULL)
    {
      g_printerr ("tandem-sync: %s\n", error->message);
      return EXIT_FAILED;
    }

  server = tandem_sync_server_new (store);
  if ((tls_cert != NULL && !tandem_sync_server_set_tls (server, tls_cert, tls_key, &error)) ||
      !tandem_sync_server_listen (server, listen, &error))
    {
      g_printerr ("tandem-sync: %s\n", error->message);
      return EXIT_FAILED;
    }

  url = tandem_sync_server_get_url (server);
  /* Tests and scripts read this line to learn the port picked for 0. */
  g_print ("Listening on %s\n", url);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_quit_signal, loop);
  g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_main_loop_run (loop);

  g_message ("Stopping");
  return EXIT_SUCCESS;
}

static int
run_token (int    argc,
           char **argv)
{
  g_autofree char *db_path = NULL;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("The server's database"), "PATH" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("add|list|revoke [NAME]"));
  g_autoptr(TandemServerStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char *action;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);

  if (db_path == NULL || argc < 2)
    return usage_error (_("token needs an action and --db"));

  action = argv[1];
  if (!((g_str_equal (action, "list") && argc == 2) ||
        ((g_str_equal (action, "add") || g_str_equal (action, "revoke")) && argc == 3)))
    return usage_error (_("token takes add NAME, list, or revoke NAME"));

  store = tandem_server_store_open (db_path, &error);
  if (store == NULL)
    {
      g_printerr ("tandem-sync: %s\n", error->message);
      return EXIT_FAILED;
    }

  if (g_str_equal (action, "add"))
    {
      g_autofree char *token = tandem_server_store_add_token (store, argv[2], &error);

      if (token == NULL)
        {
          g_printerr ("tandem-sync: %s\n", error->message);
          return EXIT_FAILED;
        }

      /* The only time the token is ever shown: the server keeps its hash. */
      g_print ("%s\n", token);
      return EXIT_SUCCESS;
    }

  if (g_str_equal (action, "revoke"))
    {
      if (!tandem_server_store_revoke_token (store, argv[2], &error))
        {
          g_printerr ("tandem-sync: %s\n", error->message);
          return EXIT_FAILED;
        }
      return EXIT_SUCCESS;
    }

  {
    g_autoptr(GPtrArray) devices = tandem_server_store_list_devices (store, &error);

    if (devices == NULL)
      {
        g_printerr ("tandem-sync: %s\n", error->message);
        return EXIT_FAILED;
      }

    for (guint i = 0; i < devices->len; i++)
      {
        TandemServerDevice *device = g_ptr_array_index (devices, i);
        g_autoptr(GDateTime) created =
          g_date_time_new_from_unix_utc (device->created_at / 1000);
        g_autofree char *created_text = g_date_time_format_iso8601 (created);
        g_autofree char *revoked_text = NULL;

        if (device->revoked_at != 0)
          {
            g_autoptr(GDateTime) revoked =
              g_date_time_new_from_unix_utc (device->revoked_at / 1000);

            revoked_text = g_date_time_format_iso8601 (revoked);
          }

        if (revoked_text != NULL)
          g_print (_("%s\tcreated %s\trevoked %s\n"), device->name, created_text, revoked_text);
        else
          g_print (_("%s\tcreated %s\tactive\n"), device->name, created_text);
      }
  }

  return EXIT_SUCCESS;
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_prgname ("tandem-sync");

  if (argc < 2)
    return usage_error (NULL);

  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      g_print ("%s", _(usage_text));
      return EXIT_SUCCESS;
    }

  /* Each command parses its own options, as if it were the program. */
  if (g_str_equal (argv[1], "serve"))
    return run_serve (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "token"))
    return run_token (argc - 1, argv + 1);

  return usage_error (_("unknown command"));
}
