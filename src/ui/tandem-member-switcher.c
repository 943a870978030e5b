/* tandem-member-switcher.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "tandem-member-switcher.h"

#define MAX_NAME_CHARS 18

struct _TandemMemberSwitcher
{
  AdwBin              parent_instance;

  GSettings          *settings;
  TandemStore        *store;
  TandemRecordList   *members;
  /* The active members only: nobody can work as a member who left. */
  GtkFilterListModel *active_members;
  char               *member_id;
  char               *member_name;

  /* Template widgets */
  GtkMenuButton      *menu_button;
  AdwAvatar          *avatar;
  GtkLabel           *name_label;
  GtkPopover         *popover;
  GtkListBox         *list_box;
};

G_DEFINE_FINAL_TYPE (TandemMemberSwitcher, tandem_member_switcher, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_MEMBER_ID,
  PROP_MEMBER_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
row_member_id (GtkListBoxRow *row)
{
  return g_object_get_data (G_OBJECT (row), "tandem-member-id");
}

static void
update_checkmarks (TandemMemberSwitcher *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *check;

      if (!GTK_IS_LIST_BOX_ROW (child))
        continue;

      check = g_object_get_data (G_OBJECT (child), "tandem-check");
      gtk_widget_set_opacity (check,
                              g_strcmp0 (row_member_id (GTK_LIST_BOX_ROW (child)),
                                         self->member_id) == 0 ? 1.0 : 0.0);
    }
}

static void
update_label (TandemMemberSwitcher *self)
{
  const char *name = self->member_name;

  if (name == NULL || name[0] == '\0')
    name = _("Choose Who Is Working");

  gtk_label_set_label (self->name_label, name);
  adw_avatar_set_text (self->avatar, self->member_name);

  /* The view switcher in the middle of the header bar takes what it can,
   * which would leave the name only its ellipsis; a short name is asked for
   * in full, a long one is still cut. */
  gtk_label_set_width_chars (self->name_label,
                             MIN ((int) g_utf8_strlen (name, -1) + 1, MAX_NAME_CHARS));
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  TandemMemberSwitcher *self = user_data;
  TandemRecord *member = item;
  const char *name = tandem_record_get_text (member, "name");
  GtkWidget *row;
  GtkWidget *box;
  GtkWidget *avatar;
  GtkWidget *label;
  GtkWidget *check;

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  avatar = adw_avatar_new (32, name, TRUE);
  gtk_box_append (GTK_BOX (box), avatar);

  label = gtk_label_new (name);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 24);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);

  /* Hidden by opacity rather than visibility so that every row keeps the
   * same width whether or not it is the current member. */
  check = gtk_image_new_from_icon_name ("object-select-symbolic");
  gtk_box_append (GTK_BOX (box), check);

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);
  g_object_set_data_full (G_OBJECT (row), "tandem-member-id",
                          g_strdup (tandem_record_get_id (member)), g_free);
  g_object_set_data (G_OBJECT (row), "tandem-check", check);
  gtk_widget_set_opacity (check,
                          g_strcmp0 (tandem_record_get_id (member), self->member_id) == 0
                          ? 1.0 : 0.0);

  return row;
}

static gboolean
find_active_member (TandemMemberSwitcher  *self,
                    const char            *member_id,
                    TandemRecord         **member)
{
  guint n_items;

  if (member_id == NULL || member_id[0] == '\0' || self->active_members == NULL)
    return FALSE;

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->active_members));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(TandemRecord) record = NULL;

      record = g_list_model_get_item (G_LIST_MODEL (self->active_members), i);

      if (g_strcmp0 (tandem_record_get_id (record), member_id) == 0)
        {
          if (member != NULL)
            *member = g_steal_pointer (&record);
          return TRUE;
        }
    }

  return FALSE;
}

static void
set_member (TandemMemberSwitcher *self,
            TandemRecord         *member)
{
  const char *id = member != NULL ? tandem_record_get_id (member) : NULL;
  const char *name = member != NULL ? tandem_record_get_text (member, "name") : NULL;
  gboolean id_changed = g_strcmp0 (id, self->member_id) != 0;
  gboolean name_changed = g_strcmp0 (name, self->member_name) != 0;

  if (id_changed)
    {
      g_free (self->member_id);
      self->member_id = g_strdup (id);
    }

  if (name_changed)
    {
      g_free (self->member_name);
      self->member_name = g_strdup (name);
    }

  if (id != NULL && self->store != NULL &&
      g_strcmp0 (tandem_store_get_current_member (self->store), id) != 0)
    tandem_store_set_current_member (self->store, id);

  /* Remembered per desktop, since several people may share one computer
   * and whoever worked last is the best guess for the next start. */
  if (id != NULL)
    g_settings_set_string (self->settings, "current-member", id);

  update_label (self);
  update_checkmarks (self);

  if (id_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMBER_ID]);
  if (name_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMBER_NAME]);
}

/* Picks the member who is working: the one this desktop remembers, else the
 * one the store has (a new workspace names its creator), else the first
 * active member. */
static void
choose_member (TandemMemberSwitcher *self)
{
  g_autoptr(TandemRecord) member = NULL;
  g_autofree char *remembered = NULL;

  if (self->store == NULL)
    {
      set_member (self, NULL);
      return;
    }

  remembered = g_settings_get_string (self->settings, "current-member");

  if (!find_active_member (self, self->member_id, &member) &&
      !find_active_member (self, remembered, &member) &&
      !find_active_member (self, tandem_store_get_current_member (self->store), &member) &&
      g_list_model_get_n_items (G_LIST_MODEL (self->active_members)) > 0)
    member = g_list_model_get_item (G_LIST_MODEL (self->active_members), 0);

  set_member (self, member);
}

static void
on_active_members_changed (TandemMemberSwitcher *self)
{
  /* The current member may have been renamed or deactivated. */
  choose_member (self);
  update_checkmarks (self);
}

static void
on_row_activated (TandemMemberSwitcher *self,
                  GtkListBoxRow        *row)
{
  tandem_member_switcher_select (self, row_member_id (row));
  gtk_popover_popdown (self->popover);
}

static void
tandem_member_switcher_dispose (GObject *object)
{
  TandemMemberSwitcher *self = TANDEM_MEMBER_SWITCHER (object);

  if (self->list_box != NULL)
    gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);

  g_clear_object (&self->active_members);
  g_clear_object (&self->members);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tandem_member_switcher_parent_class)->dispose (object);
}

static void
tandem_member_switcher_finalize (GObject *object)
{
  TandemMemberSwitcher *self = TANDEM_MEMBER_SWITCHER (object);

  g_clear_pointer (&self->member_id, g_free);
  g_clear_pointer (&self->member_name, g_free);

  G_OBJECT_CLASS (tandem_member_switcher_parent_class)->finalize (object);
}

static void
tandem_member_switcher_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  TandemMemberSwitcher *self = TANDEM_MEMBER_SWITCHER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_MEMBER_ID:
      g_value_set_string (value, self->member_id);
      break;

    case PROP_MEMBER_NAME:
      g_value_set_string (value, self->member_name);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_member_switcher_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  TandemMemberSwitcher *self = TANDEM_MEMBER_SWITCHER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      tandem_member_switcher_set_store (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_member_switcher_class_init (TandemMemberSwitcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tandem_member_switcher_dispose;
  object_class->finalize = tandem_member_switcher_finalize;
  object_class->get_property = tandem_member_switcher_get_property;
  object_class->set_property = tandem_member_switcher_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         TANDEM_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_MEMBER_ID] =
    g_param_spec_string ("member-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_MEMBER_NAME] =
    g_param_spec_string ("member-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/tandem-member-switcher.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemMemberSwitcher, menu_button);
  gtk_widget_class_bind_template_child (widget_class, TandemMemberSwitcher, avatar);
  gtk_widget_class_bind_template_child (widget_class, TandemMemberSwitcher, name_label);
  gtk_widget_class_bind_template_child (widget_class, TandemMemberSwitcher, popover);
  gtk_widget_class_bind_template_child (widget_class, TandemMemberSwitcher, list_box);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
}

static void
tandem_member_switcher_init (TandemMemberSwitcher *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);

  update_label (self);
}

GtkWidget *
tandem_member_switcher_new (void)
{
  return g_object_new (TANDEM_TYPE_MEMBER_SWITCHER, NULL);
}

TandemStore *
tandem_member_switcher_get_store (TandemMemberSwitcher *self)
{
  g_return_val_if_fail (TANDEM_IS_MEMBER_SWITCHER (self), NULL);

  return self->store;
}

void
tandem_member_switcher_set_store (TandemMemberSwitcher *self,
                                  TandemStore          *store)
{
  g_return_if_fail (TANDEM_IS_MEMBER_SWITCHER (self));
  g_return_if_fail (store == NULL || TANDEM_IS_STORE (store));

  if (self->store == store)
    return;

  gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
  if (self->active_members != NULL)
    g_signal_handlers_disconnect_by_data (self->active_members, self);
  g_clear_object (&self->active_members);
  g_clear_object (&self->members);
  g_clear_pointer (&self->member_id, g_free);

  g_set_object (&self->store, store);

  if (store != NULL)
    {
      GtkExpression *expression;
      GtkFilter *filter;

      self->members = tandem_record_list_new (store, TANDEM_TYPE_MEMBER);

      expression = gtk_property_expression_new (TANDEM_TYPE_MEMBER, NULL, "active");
      filter = GTK_FILTER (gtk_bool_filter_new (expression));
      self->active_members = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->members)),
                                                        filter);

      g_signal_connect_object (self->active_members, "items-changed",
                               G_CALLBACK (on_active_members_changed), self,
                               G_CONNECT_SWAPPED);

      gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->active_members),
                               create_row, self, NULL);
    }

  choose_member (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

const char *
tandem_member_switcher_get_member_id (TandemMemberSwitcher *self)
{
  g_return_val_if_fail (TANDEM_IS_MEMBER_SWITCHER (self), NULL);

  return self->member_id;
}

const char *
tandem_member_switcher_get_member_name (TandemMemberSwitcher *self)
{
  g_return_val_if_fail (TANDEM_IS_MEMBER_SWITCHER (self), NULL);

  return self->member_name;
}

gboolean
tandem_member_switcher_select (TandemMemberSwitcher *self,
                               const char           *member_id)
{
  g_autoptr(TandemRecord) member = NULL;

  g_return_val_if_fail (TANDEM_IS_MEMBER_SWITCHER (self), FALSE);

  if (!find_active_member (self, member_id, &member))
    return FALSE;

  set_member (self, member);

  return TRUE;
}
