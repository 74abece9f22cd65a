#include "app/studio/ftc-series.h"

struct _FtcSeries
{
  GObject parent_instance;
  char *title;
  int color;
  FtcSeriesStyle style;
  FtcChartAxis axis;
  GArray *points;
};

G_DEFINE_FINAL_TYPE (FtcSeries, ftc_series, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
ftc_series_finalize (GObject *object)
{
  FtcSeries *self = FTC_SERIES (object);

  g_free (self->title);
  g_array_unref (self->points);
  G_OBJECT_CLASS (ftc_series_parent_class)->finalize (object);
}

static void
ftc_series_class_init (FtcSeriesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ftc_series_finalize;
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ftc_series_init (FtcSeries *self)
{
  self->points = g_array_new (FALSE, FALSE, sizeof (FtcSeriesPoint));
  self->axis = FTC_CHART_Y1;
}

FtcSeries *
ftc_series_new (const char *title, int color)
{
  FtcSeries *self = g_object_new (FTC_TYPE_SERIES, NULL);

  self->title = g_strdup (title != NULL ? title : "");
  self->color = color;
  return self;
}

const char *ftc_series_get_title (FtcSeries *self) { return self->title; }
int ftc_series_get_color (FtcSeries *self) { return self->color; }
FtcSeriesStyle ftc_series_get_style (FtcSeries *self) { return self->style; }
FtcChartAxis ftc_series_get_axis (FtcSeries *self) { return self->axis; }

void
ftc_series_set_style (FtcSeries *self, FtcSeriesStyle style)
{
  self->style = style;
  g_signal_emit (self, signals[CHANGED], 0);
}

void
ftc_series_set_axis (FtcSeries *self, FtcChartAxis axis)
{
  self->axis = axis;
  g_signal_emit (self, signals[CHANGED], 0);
}

const FtcSeriesPoint *
ftc_series_get_points (FtcSeries *self, guint *n_points)
{
  *n_points = self->points->len;
  return (const FtcSeriesPoint *) self->points->data;
}

void
ftc_series_add_point (FtcSeries *self, double x, double y)
{
  FtcSeriesPoint p = { x, y };

  g_array_append_val (self->points, p);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
ftc_series_add_points (FtcSeries *self, const FtcSeriesPoint *points, guint n_points)
{
  if (n_points == 0)
    return;
  g_array_append_vals (self->points, points, n_points);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
ftc_series_clear (FtcSeries *self)
{
  g_array_set_size (self->points, 0);
  g_signal_emit (self, signals[CHANGED], 0);
}
