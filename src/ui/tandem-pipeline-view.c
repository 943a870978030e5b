/* tandem-pipeline-view.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

/* The import dialog's header uses the CSV import type without including
 * it. */
#include "tandem-csv.h"
#include "tandem-handoff-queue.h"
#include "tandem-import-dialog.h"
#include "tandem-lead-board.h"
#include "tandem-lead-detail.h"
#include "tandem-lead-table.h"
#include "tandem-pipeline-view.h"
#include "tandem-scoring-page.h"

struct _TandemPipelineView
{
  AdwBin              parent_instance;

  TandemStore        *store;

  AdwFlap            *flap;
  AdwViewStack       *view_stack;
  AdwViewStackPage   *queue_page;
  TandemLeadBoard    *board;
  TandemLeadTable    *table;
  TandemHandoffQueue *queue;
  TandemScoringPage  *scoring_page;
  TandemLeadDetail   *detail;
};

G_DEFINE_FINAL_TYPE (TandemPipelineView, tandem_pipeline_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_VISIBLE_PAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_actions (TandemPipelineView *self)
{
  gboolean has_store = self->store != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.import", has_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.export", has_store);
  /* Escape belongs to whatever has focus (a search entry, a popover)
   * unless the detail is open to be closed. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.close-detail",
                                 adw_flap_get_reveal_flap (self->flap));
}

static void
on_lead_activated (TandemPipelineView *self,
                   TandemLead         *lead)
{
  tandem_pipeline_view_show_lead (self, lead);
}

static void
on_close_requested (TandemPipelineView *self)
{
  tandem_pipeline_view_show_lead (self, NULL);
}

static void
on_reveal_flap_changed (TandemPipelineView *self)
{
  /* Closed by a click outside while folded: the detail lets go of its
   * lead so it stops following its changes. */
  if (!adw_flap_get_reveal_flap (self->flap) && tandem_lead_detail_get_lead (self->detail) != NULL)
    tandem_lead_detail_set_lead (self->detail, self->store, NULL);

  update_actions (self);
}

static void
on_n_waiting_changed (TandemPipelineView *self)
{
  guint n_waiting = tandem_handoff_queue_get_n_waiting (self->queue);

  adw_view_stack_page_set_badge_number (self->queue_page, n_waiting);
  adw_view_stack_page_set_needs_attention (self->queue_page, n_waiting > 0);
}

static void
on_visible_page_changed (TandemPipelineView *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE_PAGE]);
}

static void
show_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TandemPipelineView *self = TANDEM_PIPELINE_VIEW (widget);
  const char *page = action_name + strlen ("pipeline.show-");

  adw_view_stack_set_visible_child_name (self->view_stack, page);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TandemPipelineView *self = TANDEM_PIPELINE_VIEW (widget);

  if (self->store != NULL)
    tandem_import_dialog_present (widget, self->store);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TandemPipelineView *self = TANDEM_PIPELINE_VIEW (widget);

  /* What the table shows, filters applied, is what a person expects to
   * get, whichever page they export from. */
  if (self->store != NULL)
    tandem_export_leads_present (widget, self->store, tandem_lead_table_get_query (self->table));
}

static void
close_detail_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  tandem_pipeline_view_show_lead (TANDEM_PIPELINE_VIEW (widget), NULL);
}

static void
tandem_pipeline_view_dispose (GObject *object)
{
  TandemPipelineView *self = TANDEM_PIPELINE_VIEW (object);

  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TANDEM_TYPE_PIPELINE_VIEW);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (tandem_pipeline_view_parent_class)->dispose (object);
}

static void
tandem_pipeline_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TandemPipelineView *self = TANDEM_PIPELINE_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_VISIBLE_PAGE:
      g_value_set_string (value, tandem_pipeline_view_get_visible_page (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_pipeline_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TandemPipelineView *self = TANDEM_PIPELINE_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      tandem_pipeline_view_set_store (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_pipeline_view_class_init (TandemPipelineViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  static const char *pages[] = { "board", "table", "queue", "scoring" };

  object_class->dispose = tandem_pipeline_view_dispose;
  object_class->get_property = tandem_pipeline_view_get_property;
  object_class->set_property = tandem_pipeline_view_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         TANDEM_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_VISIBLE_PAGE] =
    g_param_spec_string ("visible-page", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TANDEM_TYPE_HANDOFF_QUEUE);
  g_type_ensure (TANDEM_TYPE_LEAD_BOARD);
  g_type_ensure (TANDEM_TYPE_LEAD_DETAIL);
  g_type_ensure (TANDEM_TYPE_LEAD_TABLE);
  g_type_ensure (TANDEM_TYPE_SCORING_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tandemdesk/Tandem/"
                                               "tandem-pipeline-view.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemPipelineView, flap);
  gtk_widget_class_bind_template_child (widget_class, TandemPipelineView, view_stack);
  gtk_widget_class_bind_template_child (widget_class, TandemPipelineView, queue_page);
  gtk_widget_class_bind_template_child (widget_class, TandemPipelineView, board);
  gtk_widget_class_bind_template_child (widget_class, TandemPipelineView, table);
  gtk_widget_class_bind_template_child (widget_class, TandemPipelineView, queue);
  gtk_widget_class_bind_template_child (widget_class, TandemPipelineView, scoring_page);
  gtk_widget_class_bind_template_child (widget_class, TandemPipelineView, detail);
  gtk_widget_class_bind_template_callback (widget_class, on_lead_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_close_requested);
  gtk_widget_class_bind_template_callback (widget_class, on_reveal_flap_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_n_waiting_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_visible_page_changed);

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *name = g_strdup_printf ("pipeline.show-%s", pages[i]);

      gtk_widget_class_install_action (widget_class, name, NULL, show_page_action);
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_CONTROL_MASK,
                                           name, NULL);
    }

  gtk_widget_class_install_action (widget_class, "pipeline.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "pipeline.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "pipeline.close-detail", NULL,
                                   close_detail_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK,
                                       "pipeline.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "pipeline.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "pipeline.close-detail", NULL);
}

static void
tandem_pipeline_view_init (TandemPipelineView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  on_n_waiting_changed (self);
  update_actions (self);
}

GtkWidget *
tandem_pipeline_view_new (void)
{
  return g_object_new (TANDEM_TYPE_PIPELINE_VIEW, NULL);
}

TandemStore *
tandem_pipeline_view_get_store (TandemPipelineView *self)
{
  g_return_val_if_fail (TANDEM_IS_PIPELINE_VIEW (self), NULL);

  return self->store;
}

typedef void (*StoreSetter) (gpointer     widget,
                             TandemStore *store);

#define STORE_SETTER_KEY "tandem-store-setter"

static void
on_child_map (GtkWidget          *child,
              TandemPipelineView *self)
{
  StoreSetter setter = g_object_get_data (G_OBJECT (child), STORE_SETTER_KEY);

  g_signal_handlers_disconnect_by_func (child, on_child_map, self);
  setter (child, self->store);
}

/* A page loads its data when it is first shown: on a workspace of 100,000
 * leads the board and the table would otherwise cost seconds at start-up,
 * while the window shows another view. */
static void
set_store_when_mapped (TandemPipelineView *self,
                       GtkWidget          *child,
                       StoreSetter         setter)
{
  g_signal_handlers_disconnect_by_func (child, on_child_map, self);

  if (gtk_widget_get_mapped (child))
    {
      setter (child, self->store);
      return;
    }

  g_object_set_data (G_OBJECT (child), STORE_SETTER_KEY, setter);
  g_signal_connect_object (child, "map", G_CALLBACK (on_child_map), self, 0);
}

void
tandem_pipeline_view_set_store (TandemPipelineView *self,
                                TandemStore        *store)
{
  g_return_if_fail (TANDEM_IS_PIPELINE_VIEW (self));
  g_return_if_fail (store == NULL || TANDEM_IS_STORE (store));

  if (self->store == store)
    return;

  tandem_pipeline_view_show_lead (self, NULL);
  g_set_object (&self->store, store);

  set_store_when_mapped (self, GTK_WIDGET (self->board),
                         (StoreSetter) tandem_lead_board_set_store);
  set_store_when_mapped (self, GTK_WIDGET (self->table),
                         (StoreSetter) tandem_lead_table_set_store);
  set_store_when_mapped (self, GTK_WIDGET (self->scoring_page),
                         (StoreSetter) tandem_scoring_page_set_store);
  /* The queue is cheap, and its count is shown while another page is. */
  tandem_handoff_queue_set_store (self->queue, store);

  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

const char *
tandem_pipeline_view_get_visible_page (TandemPipelineView *self)
{
  g_return_val_if_fail (TANDEM_IS_PIPELINE_VIEW (self), NULL);

  return adw_view_stack_get_visible_child_name (self->view_stack);
}

void
tandem_pipeline_view_show_lead (TandemPipelineView *self,
                                TandemLead         *lead)
{
  g_return_if_fail (TANDEM_IS_PIPELINE_VIEW (self));
  g_return_if_fail (lead == NULL || TANDEM_IS_LEAD (lead));

  if (lead != NULL && self->store == NULL)
    return;

  tandem_lead_detail_set_lead (self->detail, self->store, lead);
  adw_flap_set_reveal_flap (self->flap, lead != NULL);
  update_actions (self);
}

gboolean
tandem_pipeline_view_get_detail_revealed (TandemPipelineView *self)
{
  g_return_val_if_fail (TANDEM_IS_PIPELINE_VIEW (self), FALSE);

  return adw_flap_get_reveal_flap (self->flap);
}

TandemLeadBoard *
tandem_pipeline_view_get_board (TandemPipelineView *self)
{
  g_return_val_if_fail (TANDEM_IS_PIPELINE_VIEW (self), NULL);

  return self->board;
}

TandemLeadTable *
tandem_pipeline_view_get_table (TandemPipelineView *self)
{
  g_return_val_if_fail (TANDEM_IS_PIPELINE_VIEW (self), NULL);

  return self->table;
}

TandemHandoffQueue *
tandem_pipeline_view_get_queue (TandemPipelineView *self)
{
  g_return_val_if_fail (TANDEM_IS_PIPELINE_VIEW (self), NULL);

  return self->queue;
}

TandemLeadDetail *
tandem_pipeline_view_get_detail (TandemPipelineView *self)
{
  g_return_val_if_fail (TANDEM_IS_PIPELINE_VIEW (self), NULL);

  return self->detail;
}
