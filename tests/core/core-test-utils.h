/* core-test-utils.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tandem-core.h"

G_BEGIN_DECLS

/* A fresh directory under the temporary folder, removed with its files by
 * tandem_test_remove_dir(). */
char        *tandem_test_make_dir   (void);
void         tandem_test_remove_dir (const char  *dir);
/* Opens (creating) the workspace "workspace.db" in @dir; fails the test on
 * error. */
TandemStore *tandem_test_open_store (const char  *dir);
/* The single integer a query returns, read with a separate connection so
 * that tests check what really is in the file. */
gint64       tandem_test_query_int  (const char  *db_path,
                                     const char  *sql);
/* The same, reading the database file alone, without its write-ahead
 * log: what a checkpoint has copied back. */
gint64       tandem_test_query_int_without_log (const char  *db_path,
                                                const char  *sql);

/* A fresh workspace in its own directory, for g_test_add() fixtures. */
typedef struct
{
  char        *dir;
  char        *path;
  TandemStore *store;
} TandemTestWorkspace;

void         tandem_test_workspace_set_up    (TandemTestWorkspace *fixture,
                                              gconstpointer        data);
void         tandem_test_workspace_tear_down (TandemTestWorkspace *fixture,
                                              gconstpointer        data);

G_END_DECLS
