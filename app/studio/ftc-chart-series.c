#include "app/studio/ftc-chart-series.h"

struct _FtcChartSeries
{
  GObject parent_instance;
  char *title;
  int color;
  FtcChartSeriesStyle style;
  GArray *points;
  char **labels;
};

G_DEFINE_FINAL_TYPE (FtcChartSeries, ftc_chart_series, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
ftc_chart_series_finalize (GObject *object)
{
  FtcChartSeries *self = FTC_CHART_SERIES (object);

  g_free (self->title);
  g_array_unref (self->points);
  g_strfreev (self->labels);
  G_OBJECT_CLASS (ftc_chart_series_parent_class)->finalize (object);
}

static void
ftc_chart_series_class_init (FtcChartSeriesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ftc_chart_series_finalize;
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ftc_chart_series_init (FtcChartSeries *self)
{
  self->points = g_array_new (FALSE, FALSE, sizeof (FtcChartPoint));
}

FtcChartSeries *
ftc_chart_series_new (const char *title, int color)
{
  FtcChartSeries *self = g_object_new (FTC_TYPE_CHART_SERIES, NULL);

  self->title = g_strdup (title != NULL ? title : "");
  self->color = color;
  return self;
}

const char *ftc_chart_series_get_title (FtcChartSeries *self) { return self->title; }
int ftc_chart_series_get_color (FtcChartSeries *self) { return self->color; }
FtcChartSeriesStyle ftc_chart_series_get_style (FtcChartSeries *self) { return self->style; }
const char *const *ftc_chart_series_get_labels (FtcChartSeries *self) { return (const char *const *) self->labels; }

void
ftc_chart_series_set_style (FtcChartSeries *self, FtcChartSeriesStyle style)
{
  self->style = style;
  g_signal_emit (self, signals[CHANGED], 0);
}

const FtcChartPoint *
ftc_chart_series_get_points (FtcChartSeries *self, guint *n_points)
{
  *n_points = self->points->len;
  return (const FtcChartPoint *) self->points->data;
}

void
ftc_chart_series_add_point (FtcChartSeries *self, double x, double y)
{
  FtcChartPoint p = { x, y };

  g_array_append_val (self->points, p);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
ftc_chart_series_add_points (FtcChartSeries *self, const FtcChartPoint *points, guint n_points)
{
  if (n_points == 0)
    return;
  g_array_append_vals (self->points, points, n_points);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
ftc_chart_series_clear (FtcChartSeries *self)
{
  g_array_set_size (self->points, 0);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
ftc_chart_series_set_labels (FtcChartSeries *self, const char *const *labels)
{
  g_strfreev (self->labels);
  self->labels = g_strdupv ((char **) labels);
  g_signal_emit (self, signals[CHANGED], 0);
}
