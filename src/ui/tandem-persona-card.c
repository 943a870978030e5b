/* tandem-persona-card.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "tandem-persona-card.h"

struct _TandemPersonaCard
{
  AdwBin         parent_instance;

  TandemPersona *persona;
  int            match_count;

  AdwAvatar     *avatar;
  GtkLabel      *name_label;
  GtkLabel      *job_title_label;
  GtkLabel      *icp_label;
  GtkLabel      *role_label;
  GtkLabel      *match_label;
};

G_DEFINE_FINAL_TYPE (TandemPersonaCard, tandem_persona_card, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_PERSONA,
  PROP_MATCH_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The stored values are stable keys shared with the matching engine and
 * the reports; only their labels are translated. */
static const struct
{
  const char *key;
  const char *label;
} committee_roles[] = {
  { "decision maker", N_("Decision maker") },
  { "champion", N_("Champion") },
  { "influencer", N_("Influencer") },
  { "user", N_("User") },
  { "blocker", N_("Blocker") },
};

static const char *
committee_role_label (const char *key)
{
  if (key == NULL || *key == '\0')
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (committee_roles); i++)
    {
      if (g_strcmp0 (committee_roles[i].key, key) == 0)
        return _(committee_roles[i].label);
    }

  /* A value written by a newer version or by hand is still worth showing. */
  return key;
}

static void
set_optional_label (GtkLabel   *label,
                    const char *text)
{
  gtk_label_set_label (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

static void
update_match_label (TandemPersonaCard *self)
{
  g_autofree char *text = NULL;

  /* An ellipsis rather than a spinner: the count usually arrives within a
   * frame or two, and a row of spinners would flicker. */
  if (self->match_count < 0)
    text = g_strdup ("…");
  else
    text = g_strdup_printf (ngettext ("%d matching lead", "%d matching leads",
                                      self->match_count),
                            self->match_count);

  gtk_label_set_label (self->match_label, text);
}

static void
tandem_persona_card_dispose (GObject *object)
{
  TandemPersonaCard *self = (TandemPersonaCard *)object;

  g_clear_object (&self->persona);

  /* AdwBin would unparent its child again after the template did. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TANDEM_TYPE_PERSONA_CARD);

  G_OBJECT_CLASS (tandem_persona_card_parent_class)->dispose (object);
}

static void
tandem_persona_card_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TandemPersonaCard *self = TANDEM_PERSONA_CARD (object);

  switch (prop_id)
    {
    case PROP_PERSONA:
      g_value_set_object (value, self->persona);
      break;

    case PROP_MATCH_COUNT:
      g_value_set_int (value, self->match_count);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_persona_card_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  TandemPersonaCard *self = TANDEM_PERSONA_CARD (object);

  switch (prop_id)
    {
    case PROP_MATCH_COUNT:
      tandem_persona_card_set_match_count (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tandem_persona_card_class_init (TandemPersonaCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tandem_persona_card_dispose;
  object_class->get_property = tandem_persona_card_get_property;
  object_class->set_property = tandem_persona_card_set_property;

  properties[PROP_PERSONA] =
    g_param_spec_object ("persona", NULL, NULL,
                         TANDEM_TYPE_PERSONA,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_MATCH_COUNT] =
    g_param_spec_int ("match-count", NULL, NULL,
                      -1, G_MAXINT, -1,
                      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tandemdesk/Tandem/"
                                               "tandem-persona-card.ui");
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaCard, avatar);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaCard, name_label);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaCard, job_title_label);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaCard, icp_label);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaCard, role_label);
  gtk_widget_class_bind_template_child (widget_class, TandemPersonaCard, match_label);
}

static void
tandem_persona_card_init (TandemPersonaCard *self)
{
  self->match_count = -1;

  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
tandem_persona_card_new (void)
{
  return g_object_new (TANDEM_TYPE_PERSONA_CARD, NULL);
}

void
tandem_persona_card_bind (TandemPersonaCard *self,
                          TandemPersona     *persona,
                          const char        *icp_name,
                          int                match_count)
{
  TandemRecord *record;
  const char *name;
  g_autofree char *icp_text = NULL;

  g_return_if_fail (TANDEM_IS_PERSONA_CARD (self));
  g_return_if_fail (TANDEM_IS_PERSONA (persona));

  if (g_set_object (&self->persona, persona))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERSONA]);

  record = TANDEM_RECORD (persona);
  name = tandem_persona_get_name (persona);

  adw_avatar_set_text (self->avatar, name);
  gtk_label_set_label (self->name_label, name != NULL ? name : "");
  set_optional_label (self->job_title_label, tandem_record_get_text (record, "job_title"));

  if (icp_name != NULL && *icp_name != '\0')
    /* Translators: the ideal customer profile a persona belongs to. */
    icp_text = g_strdup_printf (_("ICP: %s"), icp_name);
  set_optional_label (self->icp_label, icp_text);

  set_optional_label (self->role_label,
                      committee_role_label (tandem_record_get_text (record, "committee_role")));

  tandem_persona_card_set_match_count (self, match_count);
}

void
tandem_persona_card_unbind (TandemPersonaCard *self)
{
  g_return_if_fail (TANDEM_IS_PERSONA_CARD (self));

  if (self->persona != NULL)
    {
      g_clear_object (&self->persona);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERSONA]);
    }
}

TandemPersona *
tandem_persona_card_get_persona (TandemPersonaCard *self)
{
  g_return_val_if_fail (TANDEM_IS_PERSONA_CARD (self), NULL);

  return self->persona;
}

void
tandem_persona_card_set_match_count (TandemPersonaCard *self,
                                     int                match_count)
{
  g_return_if_fail (TANDEM_IS_PERSONA_CARD (self));

  match_count = MAX (match_count, -1);

  if (self->match_count != match_count)
    {
      self->match_count = match_count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MATCH_COUNT]);
    }

  update_match_label (self);
}

int
tandem_persona_card_get_match_count (TandemPersonaCard *self)
{
  g_return_val_if_fail (TANDEM_IS_PERSONA_CARD (self), -1);

  return self->match_count;
}

const char *
tandem_persona_card_get_match_text (TandemPersonaCard *self)
{
  g_return_val_if_fail (TANDEM_IS_PERSONA_CARD (self), NULL);

  return gtk_label_get_label (self->match_label);
}
