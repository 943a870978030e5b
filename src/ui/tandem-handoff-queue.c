/* tandem-handoff-queue.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "tandem-handoff-queue.h"
#include "tandem-move-dialog.h"
#include "tandem-window.h"

/* A burst of changes (an import, a rescore) refreshes the queue once. */
#define REFRESH_DELAY_MS 200
/* The waiting times count in minutes, so once a minute is often enough. */
#define TICK_SECONDS 60

#define ROW_NAME_KEY "tandem-name-label"
#define ROW_DETAIL_KEY "tandem-detail-label"
#define ROW_WAITING_KEY "tandem-waiting-label"
#define ROW_ACCEPT_KEY "tandem-accept-button"
#define ROW_REJECT_KEY "tandem-reject-button"

struct _TandemHandoffQueue
{
  AdwBin       parent_instance;

  TandemStore *store;
  gulong       changed_handler;
  guint        refresh_id;
  guint        tick_id;
  GHashTable  *names;

  GtkStack    *stack;
  GtkLabel    *summary_label;
  GtkListView *list_view;
  GListStore  *leads;
};

G_DEFINE_FINAL_TYPE (TandemHandoffQueue, tandem_handoff_queue, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_N_WAITING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
tandem_format_waiting_time (gint64 then_ms,
                            gint64 now_ms)
{
  gint64 minutes = MAX (0, now_ms - then_ms) / (60 * 1000);
  gint64 hours = minutes / 60;
  gint64 days = hours / 24;

  if (minutes < 1)
    return g_strdup (_("just now"));
  if (hours < 1)
    /* Translators: time waiting, "14 min". */
    return g_strdup_printf (_("%d min"), (int)minutes);
  if (days < 1)
    /* Translators: time waiting, "2 h 14 min". */
    return g_strdup_printf (_("%d h %d min"), (int)hours, (int)(minutes % 60));

  /* Translators: time waiting, "3 d 5 h". */
  return g_strdup_printf (_("%d d %d h"), (int)days, (int)(hours % 24));
}

static const char *
lookup_name (TandemHandoffQueue *self,
             GType               type,
             const char         *id)
{
  g_autoptr(TandemRecord) record = NULL;
  g_autofree char *key = NULL;
  const char *name;

  if (id == NULL || *id == '\0')
    return NULL;

  key = g_strdup_printf ("%s:%s", g_type_name (type), id);
  if (g_hash_table_lookup_extended (self->names, key, NULL, (gpointer *)&name))
    return name;

  record = tandem_store_get (self->store, type, id, NULL);
  name = record != NULL ? tandem_record_get_text (record, "name") : NULL;
  g_hash_table_insert (self->names, g_strdup (key), g_strdup (name));

  return g_hash_table_lookup (self->names, key);
}

static void
on_row_setup (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              TandemHandoffQueue       *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *detail = gtk_label_new (NULL);
  GtkWidget *waiting = gtk_label_new (NULL);
  GtkWidget *accept = gtk_button_new_with_mnemonic (_("_Accept"));
  GtkWidget *reject = gtk_button_new_with_mnemonic (_("_Reject…"));

  gtk_widget_add_css_class (row, "handoff-row");

  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (text, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name, "heading");
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_label_set_ellipsize (GTK_LABEL (detail), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_widget_add_css_class (detail, "caption");
  gtk_box_append (GTK_BOX (text), name);
  gtk_box_append (GTK_BOX (text), detail);
  gtk_box_append (GTK_BOX (row), text);

  gtk_widget_set_valign (waiting, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (waiting, "numeric");
  gtk_widget_add_css_class (waiting, "handoff-waiting");
  gtk_box_append (GTK_BOX (row), waiting);

  gtk_widget_set_valign (accept, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (accept, "suggested-action");
  /* A parameterised action needs its target before its name. */
  gtk_actionable_set_detailed_action_name (GTK_ACTIONABLE (accept), "queue.accept('')");
  gtk_box_append (GTK_BOX (row), accept);

  gtk_widget_set_valign (reject, GTK_ALIGN_CENTER);
  gtk_actionable_set_detailed_action_name (GTK_ACTIONABLE (reject), "queue.reject('')");
  gtk_box_append (GTK_BOX (row), reject);

  g_object_set_data (G_OBJECT (row), ROW_NAME_KEY, name);
  g_object_set_data (G_OBJECT (row), ROW_DETAIL_KEY, detail);
  g_object_set_data (G_OBJECT (row), ROW_WAITING_KEY, waiting);
  g_object_set_data (G_OBJECT (row), ROW_ACCEPT_KEY, accept);
  g_object_set_data (G_OBJECT (row), ROW_REJECT_KEY, reject);

  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_child (item, row);
}

static void
on_row_bind (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             TandemHandoffQueue       *self)
{
  GtkWidget *row = gtk_list_item_get_child (item);
  TandemRecord *lead = gtk_list_item_get_item (item);
  const char *id = tandem_record_get_id (lead);
  const char *company;
  const char *owner;
  g_autofree char *name = tandem_lead_dup_display_name (TANDEM_LEAD (lead));
  g_autofree char *detail = NULL;
  g_autofree char *waiting = NULL;
  g_autofree char *waiting_tip = NULL;
  g_autofree char *accept_tip = NULL;
  g_autofree char *reject_tip = NULL;

  company = lookup_name (self, TANDEM_TYPE_COMPANY, tandem_record_get_text (lead, "company_id"));
  owner = lookup_name (self, TANDEM_TYPE_MEMBER, tandem_record_get_text (lead, "owner_id"));

  if (company != NULL && owner != NULL)
    /* Translators: "Initech · owner Sam Sales". */
    detail = g_strdup_printf (_("%s · owner %s"), company, owner);
  else if (owner != NULL)
    detail = g_strdup_printf (_("Owner %s"), owner);
  else
    detail = g_strdup (company != NULL ? company : _("No company, no owner"));

  waiting = tandem_format_waiting_time (tandem_record_get_int (lead, "handoff_at"),
                                        g_get_real_time () / 1000);
  /* Translators: "Waiting for 2 h 14 min since handoff". */
  waiting_tip = g_strdup_printf (_("Waiting for %s since handoff"), waiting);

  gtk_label_set_label (g_object_get_data (G_OBJECT (row), ROW_NAME_KEY),
                       name != NULL && *name != '\0' ? name : _("Unnamed lead"));
  gtk_label_set_label (g_object_get_data (G_OBJECT (row), ROW_DETAIL_KEY), detail);
  gtk_label_set_label (g_object_get_data (G_OBJECT (row), ROW_WAITING_KEY), waiting);
  gtk_widget_set_tooltip_text (g_object_get_data (G_OBJECT (row), ROW_WAITING_KEY), waiting_tip);

  /* The buttons say which lead they act on, for a screen reader's list of
   * buttons that otherwise reads "Accept, Accept, Accept". */
  accept_tip = g_strdup_printf (_("Accept %s"), name);
  reject_tip = g_strdup_printf (_("Reject %s with a reason"), name);
  gtk_actionable_set_action_target (g_object_get_data (G_OBJECT (row), ROW_ACCEPT_KEY), "s", id);
  gtk_actionable_set_action_target (g_object_get_data (G_OBJECT (row), ROW_REJECT_KEY), "s", id);
  gtk_widget_set_tooltip_text (g_object_get_data (G_OBJECT (row), ROW_ACCEPT_KEY), accept_tip);
  gtk_widget_set_tooltip_text (g_object_get_data (G_OBJECT (row), ROW_REJECT_KEY), reject_tip);
}

static void
refresh (TandemHandoffQueue *self)
{
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(GError) error = NULL;
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->leads));
  g_autofree char *summary = NULL;

  g_clear_handle_id (&self->refresh_id, g_source_remove);

  if (self->store != NULL)
    {
      waiting = tandem_pipeline_list_handoff_queue (self->store, &error);
      if (waiting == NULL)
        g_warning ("Could not list the handoff queue: %s", error->message);
    }

  if (waiting == NULL)
    waiting = g_ptr_array_new ();

  g_list_store_splice (self->leads, 0, n_old, waiting->pdata, waiting->len);

  summary = g_strdup_printf (ngettext ("%u lead is waiting for a sales decision, oldest "
                                       "handoff first.",
                                       "%u leads are waiting for a sales decision, oldest "
                                       "handoff first.",
                                       waiting->len),
                             waiting->len);
  gtk_label_set_label (self->summary_label, summary);
  gtk_stack_set_visible_child_name (self->stack, waiting->len > 0 ? "list" : "empty");

  if (n_old != waiting->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_WAITING]);
}

static gboolean
on_refresh_timeout (gpointer user_data)
{
  TandemHandoffQueue *self = user_data;

  self->refresh_id = 0;
  refresh (self);

  return G_SOURCE_REMOVE;
}

static gboolean
on_tick (gpointer user_data)
{
  TandemHandoffQueue *self = user_data;
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->leads));

  /* Rebinding the rows on screen updates their waiting times. */
  if (n_items > 0)
    g_list_model_items_changed (G_LIST_MODEL (self->leads), 0, n_items, n_items);

  return G_SOURCE_CONTINUE;
}

static void
on_store_changed (TandemStore        *store,
                  const char         *table,
                  const char         *row_id,
                  TandemChangeKind    kind,
                  TandemHandoffQueue *self)
{
  if (g_strcmp0 (table, "companies") == 0 || g_strcmp0 (table, "members") == 0)
    g_hash_table_remove_all (self->names);

  if (g_strcmp0 (table, "leads") == 0 || g_strcmp0 (table, "companies") == 0 ||
      g_strcmp0 (table, "members") == 0)
    {
      if (self->refresh_id == 0)
        self->refresh_id = g_timeout_add (REFRESH_DELAY_MS, on_refresh_timeout, self);
    }
}

static TandemLead *
find_lead (TandemHandoffQueue *self,
           const char         *id)
{
  if (self->store == NULL)
    return NULL;

  return tandem_store_get (self->store, TANDEM_TYPE_LEAD, id, NULL);
}

static void
accept_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TandemHandoffQueue *self = TANDEM_HANDOFF_QUEUE (widget);
  g_autoptr(TandemLead) lead = find_lead (self, g_variant_get_string (parameter, NULL));
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;

  if (lead == NULL)
    return;

  name = tandem_lead_dup_display_name (lead);

  if (!tandem_pipeline_accept (self->store, lead, &error))
    {
      tandem_window_show_error (widget, error->message);
      return;
    }

  refresh (self);

  /* Translators: "Accepted Ada Lovelace". */
  title = g_strdup_printf (_("Accepted %s"), name);
  tandem_window_show_toast (widget, adw_toast_new (title));
}

static void
reject_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TandemHandoffQueue *self = TANDEM_HANDOFF_QUEUE (widget);
  g_autoptr(TandemLead) lead = find_lead (self, g_variant_get_string (parameter, NULL));
  g_autoptr(GPtrArray) leads = NULL;

  if (lead == NULL)
    return;

  leads = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (leads, g_steal_pointer (&lead));
  tandem_move_dialog_present (widget, self->store, leads, NULL, TRUE);
}

static void
tandem_handoff_queue_dispose (GObject *object)
{
  TandemHandoffQueue *self = TANDEM_HANDOFF_QUEUE (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_signal_handler (&self->changed_handler, self->store);
  g_clear_object (&self->store);

  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TANDEM_TYPE_HANDOFF_QUEUE);

  G_OBJECT_CLASS (tandem_handoff_queue_parent_class)->dispose (object);
}

static void
tandem_handoff_queue_finalize (GObject *object)
{
  TandemHandoffQueue *self = TANDEM_HANDOFF_QUEUE (object);

  g_clear_pointer (&self->names, g_hash_table_unref);

  G_OBJECT_CLASS (tandem_handoff_queue_parent_class)->finalize (object);
}

static void
tandem_handoff_queue_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TandemHandoffQueue *self = TANDEM_HANDOFF_QUEUE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_N_WAITING:
      g_value_set_uint (value, tandem_handoff_queue_get_n_waiting (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_handoff_queue_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TandemHandoffQueue *self = TANDEM_HANDOFF_QUEUE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      tandem_handoff_queue_set_store (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_handoff_queue_class_init (TandemHandoffQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tandem_handoff_queue_dispose;
  object_class->finalize = tandem_handoff_queue_finalize;
  object_class->get_property = tandem_handoff_queue_get_property;
  object_class->set_property = tandem_handoff_queue_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         TANDEM_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_N_WAITING] =
    g_param_spec_uint ("n-waiting", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TANDEM_TYPE_LEAD);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tandemdesk/Tandem/"
                                               "tandem-handoff-queue.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemHandoffQueue, stack);
  gtk_widget_class_bind_template_child (widget_class, TandemHandoffQueue, summary_label);
  gtk_widget_class_bind_template_child (widget_class, TandemHandoffQueue, list_view);
  gtk_widget_class_bind_template_child (widget_class, TandemHandoffQueue, leads);
  gtk_widget_class_bind_template_callback (widget_class, on_row_setup);
  gtk_widget_class_bind_template_callback (widget_class, on_row_bind);

  gtk_widget_class_install_action (widget_class, "queue.accept", "s", accept_action);
  gtk_widget_class_install_action (widget_class, "queue.reject", "s", reject_action);
}

static void
tandem_handoff_queue_init (TandemHandoffQueue *self)
{
  self->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->tick_id = g_timeout_add_seconds (TICK_SECONDS, on_tick, self);
  refresh (self);
}

GtkWidget *
tandem_handoff_queue_new (void)
{
  return g_object_new (TANDEM_TYPE_HANDOFF_QUEUE, NULL);
}

TandemStore *
tandem_handoff_queue_get_store (TandemHandoffQueue *self)
{
  g_return_val_if_fail (TANDEM_IS_HANDOFF_QUEUE (self), NULL);

  return self->store;
}

void
tandem_handoff_queue_set_store (TandemHandoffQueue *self,
                                TandemStore        *store)
{
  g_return_if_fail (TANDEM_IS_HANDOFF_QUEUE (self));
  g_return_if_fail (store == NULL || TANDEM_IS_STORE (store));

  if (self->store == store)
    return;

  g_clear_signal_handler (&self->changed_handler, self->store);
  g_hash_table_remove_all (self->names);
  g_set_object (&self->store, store);

  if (store != NULL)
    self->changed_handler = g_signal_connect (store, "changed",
                                              G_CALLBACK (on_store_changed), self);

  refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

GListModel *
tandem_handoff_queue_get_model (TandemHandoffQueue *self)
{
  g_return_val_if_fail (TANDEM_IS_HANDOFF_QUEUE (self), NULL);

  return G_LIST_MODEL (self->leads);
}

guint
tandem_handoff_queue_get_n_waiting (TandemHandoffQueue *self)
{
  g_return_val_if_fail (TANDEM_IS_HANDOFF_QUEUE (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->leads));
}
