#include "app/studio/ftc-rationale-item.h"

#include <glib/gi18n.h>

struct _FtcRationaleItem
{
  GObject parent_instance;

  char *task;
  char *sample_id;
  int index;
  int completion_index;
  char *question;
  char *rationale;
  char *edited_rationale;
  char *gold;
  char *prediction;
  gboolean correct;
  char *finish_reason;
  FtcReviewState state;
};

G_DEFINE_FINAL_TYPE (FtcRationaleItem, ftc_rationale_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TASK,
  PROP_SAMPLE_ID,
  PROP_INDEX,
  PROP_COMPLETION_INDEX,
  PROP_QUESTION,
  PROP_RATIONALE,
  PROP_EFFECTIVE_RATIONALE,
  PROP_GOLD,
  PROP_PREDICTION,
  PROP_CORRECT,
  PROP_CORRECT_LABEL,
  PROP_FINISH_REASON,
  PROP_EDITED,
  PROP_STATE,
  PROP_STATE_LABEL,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static const char *
state_label (FtcRationaleItem *self)
{
  switch (self->state)
    {
    case FTC_REVIEW_ACCEPTED: return self->edited_rationale != NULL ? _("Accepted (edited)") : _("Accepted");
    case FTC_REVIEW_REJECTED: return _("Rejected");
    case FTC_REVIEW_PENDING:
    default: return self->edited_rationale != NULL ? _("Edited") : _("Pending");
    }
}

/* One line of the rationale for the table: newlines would make rows uneven. */
static char *
one_line (const char *text)
{
  g_autofree char *copy = g_strdup (text != NULL ? text : "");

  g_strdelimit (copy, "\r\n\t", ' ');
  return g_strdup (g_strstrip (copy));
}

static void
ftc_rationale_item_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FtcRationaleItem *self = FTC_RATIONALE_ITEM (object);

  switch (prop_id)
    {
    case PROP_TASK: g_value_set_string (value, self->task); break;
    case PROP_SAMPLE_ID: g_value_set_string (value, self->sample_id); break;
    case PROP_INDEX: g_value_set_int (value, self->index); break;
    case PROP_COMPLETION_INDEX: g_value_set_int (value, self->completion_index); break;
    case PROP_QUESTION: g_value_take_string (value, one_line (self->question)); break;
    case PROP_RATIONALE: g_value_set_string (value, self->rationale); break;
    case PROP_EFFECTIVE_RATIONALE:
      g_value_take_string (value, one_line (ftc_rationale_item_get_effective_rationale (self)));
      break;
    case PROP_GOLD: g_value_set_string (value, self->gold); break;
    case PROP_PREDICTION: g_value_set_string (value, self->prediction); break;
    case PROP_CORRECT: g_value_set_boolean (value, self->correct); break;
    case PROP_CORRECT_LABEL: g_value_set_string (value, self->correct ? _("✓ correct") : _("✗ wrong")); break;
    case PROP_FINISH_REASON: g_value_set_string (value, self->finish_reason); break;
    case PROP_EDITED: g_value_set_boolean (value, self->edited_rationale != NULL); break;
    case PROP_STATE: g_value_set_int (value, self->state); break;
    case PROP_STATE_LABEL: g_value_set_string (value, state_label (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ftc_rationale_item_finalize (GObject *object)
{
  FtcRationaleItem *self = FTC_RATIONALE_ITEM (object);

  g_free (self->task);
  g_free (self->sample_id);
  g_free (self->question);
  g_free (self->rationale);
  g_free (self->edited_rationale);
  g_free (self->gold);
  g_free (self->prediction);
  g_free (self->finish_reason);
  G_OBJECT_CLASS (ftc_rationale_item_parent_class)->finalize (object);
}

static void
ftc_rationale_item_class_init (FtcRationaleItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = ftc_rationale_item_get_property;
  object_class->finalize = ftc_rationale_item_finalize;

  props[PROP_TASK] = g_param_spec_string ("task", NULL, NULL, NULL, ro);
  props[PROP_SAMPLE_ID] = g_param_spec_string ("sample-id", NULL, NULL, NULL, ro);
  props[PROP_INDEX] = g_param_spec_int ("index", NULL, NULL, -1, G_MAXINT, 0, ro);
  props[PROP_COMPLETION_INDEX] = g_param_spec_int ("completion-index", NULL, NULL, 0, G_MAXINT, 0, ro);
  props[PROP_QUESTION] = g_param_spec_string ("question", NULL, "The question on one line", NULL, ro);
  props[PROP_RATIONALE] = g_param_spec_string ("rationale", NULL, NULL, NULL, ro);
  props[PROP_EFFECTIVE_RATIONALE] = g_param_spec_string ("effective-rationale", NULL,
                                                         "The edited or else the teacher's rationale, on one line",
                                                         NULL, ro);
  props[PROP_GOLD] = g_param_spec_string ("gold", NULL, NULL, NULL, ro);
  props[PROP_PREDICTION] = g_param_spec_string ("prediction", NULL, NULL, NULL, ro);
  props[PROP_CORRECT] = g_param_spec_boolean ("correct", NULL, NULL, FALSE, ro);
  props[PROP_CORRECT_LABEL] = g_param_spec_string ("correct-label", NULL, NULL, NULL, ro);
  props[PROP_FINISH_REASON] = g_param_spec_string ("finish-reason", NULL, NULL, NULL, ro);
  props[PROP_EDITED] = g_param_spec_boolean ("edited", NULL, NULL, FALSE, ro);
  props[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, 0, FTC_REVIEW_REJECTED, 0, ro);
  props[PROP_STATE_LABEL] = g_param_spec_string ("state-label", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
ftc_rationale_item_init (FtcRationaleItem *self)
{
}

FtcRationaleItem *
ftc_rationale_item_new (const char *task, const char *sample_id, int index, int completion_index)
{
  FtcRationaleItem *self = g_object_new (FTC_TYPE_RATIONALE_ITEM, NULL);

  self->task = g_strdup (task != NULL ? task : "");
  self->sample_id = g_strdup (sample_id != NULL ? sample_id : "");
  self->index = index;
  self->completion_index = completion_index;
  return self;
}

const char *ftc_rationale_item_get_task (FtcRationaleItem *self) { return self->task; }
const char *ftc_rationale_item_get_sample_id (FtcRationaleItem *self) { return self->sample_id; }
int ftc_rationale_item_get_index (FtcRationaleItem *self) { return self->index; }
int ftc_rationale_item_get_completion_index (FtcRationaleItem *self) { return self->completion_index; }
const char *ftc_rationale_item_get_question (FtcRationaleItem *self) { return self->question; }
const char *ftc_rationale_item_get_rationale (FtcRationaleItem *self) { return self->rationale; }
const char *ftc_rationale_item_get_edited_rationale (FtcRationaleItem *self) { return self->edited_rationale; }
const char *ftc_rationale_item_get_gold (FtcRationaleItem *self) { return self->gold; }
const char *ftc_rationale_item_get_prediction (FtcRationaleItem *self) { return self->prediction; }
gboolean ftc_rationale_item_get_correct (FtcRationaleItem *self) { return self->correct; }
const char *ftc_rationale_item_get_finish_reason (FtcRationaleItem *self) { return self->finish_reason; }
gboolean ftc_rationale_item_get_edited (FtcRationaleItem *self) { return self->edited_rationale != NULL; }
FtcReviewState ftc_rationale_item_get_state (FtcRationaleItem *self) { return self->state; }

char *
ftc_rationale_item_dup_key (FtcRationaleItem *self)
{
  return g_strdup_printf ("%s\t%s\t%d", self->task, self->sample_id, self->completion_index);
}

const char *
ftc_rationale_item_get_effective_rationale (FtcRationaleItem *self)
{
  return self->edited_rationale != NULL ? self->edited_rationale : self->rationale;
}

gboolean
ftc_rationale_item_get_truncated (FtcRationaleItem *self)
{
  return g_strcmp0 (self->finish_reason, "length") == 0;
}

gboolean
ftc_rationale_item_get_kept (FtcRationaleItem *self)
{
  if (self->state == FTC_REVIEW_ACCEPTED)
    return TRUE;
  if (self->state == FTC_REVIEW_REJECTED)
    return FALSE;
  return self->correct;
}

void
ftc_rationale_item_set_record (FtcRationaleItem *self, const char *question, const char *rationale,
                               const char *gold, const char *prediction, gboolean correct,
                               const char *finish_reason)
{
  g_free (self->question);
  self->question = g_strdup (question != NULL ? question : "");
  g_free (self->rationale);
  self->rationale = g_strdup (rationale != NULL ? rationale : "");
  g_free (self->gold);
  self->gold = g_strdup (gold != NULL ? gold : "");
  g_free (self->prediction);
  self->prediction = g_strdup (prediction != NULL ? prediction : "");
  self->correct = correct;
  g_free (self->finish_reason);
  self->finish_reason = g_strdup (finish_reason != NULL ? finish_reason : "");
}

void
ftc_rationale_item_set_state (FtcRationaleItem *self, FtcReviewState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE_LABEL]);
}

void
ftc_rationale_item_set_edited_rationale (FtcRationaleItem *self, const char *text)
{
  if (text != NULL && g_strcmp0 (text, self->rationale) == 0)
    text = NULL;
  if (g_strcmp0 (text, self->edited_rationale) == 0)
    return;
  g_free (self->edited_rationale);
  self->edited_rationale = g_strdup (text);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_EDITED]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_EFFECTIVE_RATIONALE]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE_LABEL]);
}
