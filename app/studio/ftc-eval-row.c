#include "app/studio/ftc-eval-row.h"

#include <math.h>

#include "app/studio/ftc-studio-util.h"

struct _FtcEvalRow
{
  GObject parent_instance;
  char *task, *method, *task_title;
  double accuracy, lo, hi;
  gint64 n;
};

G_DEFINE_FINAL_TYPE (FtcEvalRow, ftc_eval_row, G_TYPE_OBJECT)

enum { PROP_0, PROP_TASK, PROP_METHOD_TITLE, PROP_ACCURACY_TEXT, PROP_N_TEXT, PROP_INTERVAL_TEXT, N_PROPS };

static void
ftc_eval_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FtcEvalRow *self = FTC_EVAL_ROW (object);

  switch (prop_id)
    {
    case PROP_TASK: g_value_set_string (value, self->task_title != NULL ? self->task_title : self->task); break;
    case PROP_INTERVAL_TEXT:
      g_value_take_string (value, isnan (self->lo) ? g_strdup ("—") : g_strdup_printf ("%.1f – %.1f", self->lo, self->hi));
      break;
    case PROP_METHOD_TITLE: g_value_take_string (value, ftc_studio_method_title (self->method)); break;
    case PROP_ACCURACY_TEXT: g_value_take_string (value, g_strdup_printf ("%.1f %%", self->accuracy)); break;
    case PROP_N_TEXT:
      g_value_take_string (value, self->n >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, self->n) : g_strdup ("—"));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ftc_eval_row_finalize (GObject *object)
{
  FtcEvalRow *self = FTC_EVAL_ROW (object);

  g_free (self->task);
  g_free (self->task_title);
  g_free (self->method);
  G_OBJECT_CLASS (ftc_eval_row_parent_class)->finalize (object);
}

static void
ftc_eval_row_class_init (FtcEvalRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = ftc_eval_row_get_property;
  object_class->finalize = ftc_eval_row_finalize;
  g_object_class_install_property (object_class, PROP_TASK, g_param_spec_string ("task", NULL, NULL, NULL, ro));
  g_object_class_install_property (object_class, PROP_METHOD_TITLE,
                                   g_param_spec_string ("method-title", NULL, NULL, NULL, ro));
  g_object_class_install_property (object_class, PROP_ACCURACY_TEXT,
                                   g_param_spec_string ("accuracy-text", NULL, NULL, NULL, ro));
  g_object_class_install_property (object_class, PROP_N_TEXT, g_param_spec_string ("n-text", NULL, NULL, NULL, ro));
  g_object_class_install_property (object_class, PROP_INTERVAL_TEXT,
                                   g_param_spec_string ("interval-text", NULL, NULL, NULL, ro));
}

static void
ftc_eval_row_init (FtcEvalRow *self)
{
}

FtcEvalRow *
ftc_eval_row_new (const char *task, const char *method, double accuracy, gint64 n)
{
  FtcEvalRow *self = g_object_new (FTC_TYPE_EVAL_ROW, NULL);

  self->task = g_strdup (task);
  self->method = g_strdup (method);
  self->accuracy = accuracy;
  self->n = n;
  self->lo = self->hi = NAN;
  return self;
}

void
ftc_eval_row_set_interval (FtcEvalRow *self, double lo, double hi)
{
  self->lo = lo;
  self->hi = hi;
}

void
ftc_eval_row_set_task_title (FtcEvalRow *self, const char *title)
{
  g_free (self->task_title);
  self->task_title = g_strdup (title);
}

const char *ftc_eval_row_get_task (FtcEvalRow *self) { return self->task; }
const char *ftc_eval_row_get_method (FtcEvalRow *self) { return self->method; }
double ftc_eval_row_get_accuracy (FtcEvalRow *self) { return self->accuracy; }
gint64 ftc_eval_row_get_n (FtcEvalRow *self) { return self->n; }
