/* core-test-utils.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "core-test-utils.h"

char *
tandem_test_make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("tandem-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
tandem_test_remove_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }

  g_rmdir (dir);
}

TandemStore *
tandem_test_open_store (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "workspace.db", NULL);
  TandemStore *store = tandem_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static gint64
query_int (const char *filename,
           int         flags,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (filename, &db, SQLITE_OPEN_READONLY | flags, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return value;
}

gint64
tandem_test_query_int (const char *db_path,
                       const char *sql)
{
  return query_int (db_path, 0, sql);
}

gint64
tandem_test_query_int_without_log (const char *db_path,
                                   const char *sql)
{
  g_autofree char *uri = g_strconcat ("file:", db_path, "?immutable=1", NULL);

  return query_int (uri, SQLITE_OPEN_URI, sql);
}

void
tandem_test_workspace_set_up (TandemTestWorkspace *fixture,
                              gconstpointer        data)
{
  fixture->dir = tandem_test_make_dir ();
  fixture->path = g_build_filename (fixture->dir, "workspace.db", NULL);
  fixture->store = tandem_test_open_store (fixture->dir);
}

void
tandem_test_workspace_tear_down (TandemTestWorkspace *fixture,
                                 gconstpointer        data)
{
  g_clear_object (&fixture->store);
  tandem_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}
