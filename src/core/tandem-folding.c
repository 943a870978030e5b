/* tandem-folding.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tandem-folding-private.h"

GHashTable *
tandem_folded_set_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

void
tandem_folded_set_add (GHashTable *set,
                       const char *item)
{
  g_return_if_fail (set != NULL);

  if (item != NULL && *item != '\0')
    g_hash_table_add (set, g_utf8_casefold (item, -1));
}

GHashTable *
tandem_folded_set_from_list (TandemRecord *record,
                             const char   *field)
{
  g_auto(GStrv) items = tandem_record_dup_list (record, field);
  GHashTable *set = tandem_folded_set_new ();

  for (guint i = 0; items[i] != NULL; i++)
    tandem_folded_set_add (set, items[i]);

  return set;
}

gboolean
tandem_folded_set_contains (GHashTable *set,
                            const char *value)
{
  g_autofree char *folded = NULL;
  char ascii[128];
  gsize i;

  if (value == NULL || set == NULL || g_hash_table_size (set) == 0)
    return FALSE;

  /* Rescoring asks this millions of times, mostly for short ASCII words
   * (activity kinds, domains, regions), where folding is lowering: that is
   * far cheaper than g_utf8_casefold(), which is kept for everything else. */
  for (i = 0; value[i] != '\0' && i < sizeof ascii - 1 && (guchar) value[i] < 0x80; i++)
    ascii[i] = g_ascii_tolower (value[i]);

  if (value[i] == '\0')
    {
      ascii[i] = '\0';
      return g_hash_table_contains (set, ascii);
    }

  folded = g_utf8_casefold (value, -1);
  return g_hash_table_contains (set, folded);
}

gboolean
tandem_folded_set_allows (GHashTable *set,
                          const char *value)
{
  return g_hash_table_size (set) == 0 || tandem_folded_set_contains (set, value);
}

gboolean
tandem_within_bounds (gint64 value,
                      gint64 min,
                      gint64 max)
{
  return (min <= 0 || value >= min) && (max <= 0 || value <= max);
}

void
tandem_title_words_add (GHashTable *words,
                        const char *title)
{
  g_autofree char *folded = NULL;
  g_auto(GStrv) parts = NULL;

  if (title == NULL)
    return;

  folded = g_utf8_casefold (title, -1);
  g_strdelimit (folded, " ,;/&-()", ' ');
  parts = g_strsplit (folded, " ", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (g_utf8_strlen (parts[i], -1) >= 4)
      g_hash_table_add (words, g_strdup (parts[i]));
}

gboolean
tandem_words_shared (GHashTable *words,
                     GHashTable *other)
{
  GHashTableIter iter;
  gpointer word;

  g_hash_table_iter_init (&iter, other);
  while (g_hash_table_iter_next (&iter, &word, NULL))
    if (g_hash_table_contains (words, word))
      return TRUE;

  return FALSE;
}

const char *
tandem_email_domain (const char *email)
{
  const char *at = email ? strrchr (email, '@') : NULL;

  return at ? at + 1 : NULL;
}
