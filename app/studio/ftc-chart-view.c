#include "app/studio/ftc-chart-view.h"

#include <math.h>

#include "app/studio/ftc-series.h"

struct _FtcChartView
{
  GtkWidget parent_instance;
  FtcChart *set_chart;    /* given by the caller, or NULL */
  FtcChart *built;        /* built from the model; NULL when stale */
  GListModel *model;
  GPtrArray *watched;     /* series whose "changed" we listen to */
  char *title, *x_label, *y_label, *y2_label;
  double y_min, y_max;
  gboolean log_x;
  guint draw_count;
};

G_DEFINE_FINAL_TYPE (FtcChartView, ftc_chart_view, GTK_TYPE_WIDGET)

static void
invalidate (FtcChartView *self)
{
  g_clear_pointer (&self->built, ftc_chart_free);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
unwatch_all (FtcChartView *self)
{
  for (guint i = 0; i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_func (self->watched->pdata[i], invalidate, self);
  g_ptr_array_set_size (self->watched, 0);
}

static void
items_changed (GListModel *model, guint pos, guint removed, guint added, FtcChartView *self)
{
  guint n = g_list_model_get_n_items (model);

  unwatch_all (self);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GObject) s = g_list_model_get_item (model, i);
      g_signal_connect_swapped (s, "changed", G_CALLBACK (invalidate), self);
      g_ptr_array_add (self->watched, g_object_ref (s));
    }
  invalidate (self);
}

static FtcChart *
build_from_model (FtcChartView *self)
{
  FtcChart *chart = ftc_chart_new (FTC_CHART_LINES, self->title);
  guint n = self->model != NULL ? g_list_model_get_n_items (self->model) : 0;

  ftc_chart_set_x_label (chart, self->x_label);
  ftc_chart_set_y_label (chart, self->y_label);
  ftc_chart_set_y2_label (chart, self->y2_label);
  ftc_chart_set_y_range (chart, self->y_min, self->y_max);
  ftc_chart_set_log_x (chart, self->log_x);
  ftc_chart_set_transparent (chart, TRUE);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FtcSeries) s = g_list_model_get_item (self->model, i);
      guint np;
      const FtcSeriesPoint *p = ftc_series_get_points (s, &np);
      int index;

      /* an empty series would still take a legend entry */
      if (np == 0)
        continue;
      if (ftc_series_get_style (s) == FTC_SERIES_REFERENCE)
        index = ftc_chart_add_reference_line (chart, ftc_series_get_title (s), p[0].y);
      else
        {
          g_autofree double *x = g_new (double, np);
          g_autofree double *y = g_new (double, np);
          for (guint k = 0; k < np; k++)
            {
              x[k] = p[k].x;
              y[k] = p[k].y;
            }
          index = ftc_chart_add_line_series (chart, ftc_series_get_title (s), x, y, (int) np,
                                             ftc_series_get_axis (s));
          ftc_chart_series_set_markers (chart, index, np <= 40);
        }
      if (ftc_series_get_color (s) != FTC_CHART_COLOR_AUTO)
        ftc_chart_series_set_color (chart, index, ftc_series_get_color (s));
    }
  return chart;
}

FtcChart *
ftc_chart_view_get_chart (FtcChartView *self)
{
  if (self->set_chart != NULL)
    return self->set_chart;
  if (self->built == NULL)
    self->built = build_from_model (self);
  return self->built;
}

FtcChartTheme
ftc_chart_view_get_theme (FtcChartView *self)
{
  GdkRGBA fg;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  /* a light text colour means a dark background */
  return 0.2126 * fg.red + 0.7152 * fg.green + 0.0722 * fg.blue > 0.5 ? FTC_CHART_THEME_DARK : FTC_CHART_THEME_LIGHT;
}

static void
ftc_chart_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  FtcChartView *self = FTC_CHART_VIEW (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (w <= 0 || h <= 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  ftc_chart_render (ftc_chart_view_get_chart (self), cr, w, h, ftc_chart_view_get_theme (self), NULL);
  cairo_destroy (cr);
  self->draw_count++;
}

static void
ftc_chart_view_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (ftc_chart_view_parent_class)->css_changed (widget, change);
  /* light/dark switches change the text colour the theme is chosen by */
  gtk_widget_queue_draw (widget);
}

static void
ftc_chart_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                        int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 240 : 180;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 520 : 300;
}

static void
ftc_chart_view_dispose (GObject *object)
{
  FtcChartView *self = FTC_CHART_VIEW (object);

  ftc_chart_view_set_model (self, NULL);
  G_OBJECT_CLASS (ftc_chart_view_parent_class)->dispose (object);
}

static void
ftc_chart_view_finalize (GObject *object)
{
  FtcChartView *self = FTC_CHART_VIEW (object);

  g_clear_pointer (&self->set_chart, ftc_chart_free);
  g_clear_pointer (&self->built, ftc_chart_free);
  g_ptr_array_unref (self->watched);
  g_free (self->title);
  g_free (self->x_label);
  g_free (self->y_label);
  g_free (self->y2_label);
  G_OBJECT_CLASS (ftc_chart_view_parent_class)->finalize (object);
}

static void
ftc_chart_view_class_init (FtcChartViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ftc_chart_view_dispose;
  object_class->finalize = ftc_chart_view_finalize;
  widget_class->snapshot = ftc_chart_view_snapshot;
  widget_class->measure = ftc_chart_view_measure;
  widget_class->css_changed = ftc_chart_view_css_changed;
  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ftc_chart_view_init (FtcChartView *self)
{
  self->watched = g_ptr_array_new_with_free_func (g_object_unref);
  self->y_min = NAN;
  self->y_max = NAN;
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
ftc_chart_view_new (void)
{
  return g_object_new (FTC_TYPE_CHART_VIEW, NULL);
}

void
ftc_chart_view_set_chart (FtcChartView *self, FtcChart *chart)
{
  g_clear_pointer (&self->set_chart, ftc_chart_free);
  self->set_chart = chart;
  if (chart != NULL)
    ftc_chart_set_transparent (chart, TRUE);
  invalidate (self);
}

void
ftc_chart_view_set_model (FtcChartView *self, GListModel *model)
{
  if (self->model == model)
    return;
  if (self->model != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->model, items_changed, self);
      unwatch_all (self);
    }
  g_set_object (&self->model, model);
  if (model != NULL)
    {
      g_signal_connect (model, "items-changed", G_CALLBACK (items_changed), self);
      items_changed (model, 0, 0, g_list_model_get_n_items (model), self);
    }
  invalidate (self);
}

GListModel *ftc_chart_view_get_model (FtcChartView *self) { return self->model; }
guint ftc_chart_view_get_draw_count (FtcChartView *self) { return self->draw_count; }
const char *ftc_chart_view_get_title (FtcChartView *self) { return self->title; }

void
ftc_chart_view_set_title (FtcChartView *self, const char *title)
{
  g_free (self->title);
  self->title = g_strdup (title);
  invalidate (self);
}

void
ftc_chart_view_set_axis_labels (FtcChartView *self, const char *x_label, const char *y_label, const char *y2_label)
{
  g_free (self->x_label);
  self->x_label = g_strdup (x_label);
  g_free (self->y_label);
  self->y_label = g_strdup (y_label);
  g_free (self->y2_label);
  self->y2_label = g_strdup (y2_label);
  invalidate (self);
}

void
ftc_chart_view_set_y_range (FtcChartView *self, double y_min, double y_max)
{
  self->y_min = y_min;
  self->y_max = y_max;
  invalidate (self);
}

void
ftc_chart_view_set_log_x (FtcChartView *self, gboolean log_x)
{
  self->log_x = log_x;
  invalidate (self);
}

gboolean
ftc_chart_view_export (FtcChartView *self, const char *path, int width, int height, GError **error)
{
  FtcChart *chart = ftc_chart_view_get_chart (self);
  gboolean ok;

  /* files go into papers and slides: an opaque, light picture */
  ftc_chart_set_transparent (chart, FALSE);
  ok = ftc_chart_save (chart, path, width, height, FTC_CHART_THEME_LIGHT, error);
  ftc_chart_set_transparent (chart, TRUE);
  return ok;
}
