#include "app/studio/ftc-chart-view.h"

#include <math.h>

#include "app/studio/ftc-chart-series.h"

struct _FtcChartView
{
  GtkWidget parent_instance;
  GListModel *model;
  GPtrArray *watched;   /* series whose "changed" we listen to */
  FtcChartKind kind;
  char *title, *x_label, *y_label;
  double y_min, y_max;
  gboolean x_log2;
  guint draw_count;
};

G_DEFINE_FINAL_TYPE (FtcChartView, ftc_chart_view, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_MODEL, PROP_TITLE, N_PROPS };
static GParamSpec *props[N_PROPS];

static void
series_changed (FtcChartView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
unwatch_all (FtcChartView *self)
{
  for (guint i = 0; i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_func (self->watched->pdata[i], series_changed, self);
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
      g_signal_connect_swapped (s, "changed", G_CALLBACK (series_changed), self);
      g_ptr_array_add (self->watched, g_object_ref (s));
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ftc_chart_view_get_options (FtcChartView *self, FtcChartOptions *opt)
{
  GdkRGBA fg;

  ftc_chart_options_init (opt, self->kind);
  opt->title = self->title;
  opt->x_label = self->x_label;
  opt->y_label = self->y_label;
  opt->y_min = self->y_min;
  opt->y_max = self->y_max;
  opt->x_log2 = self->x_log2;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  /* a light text colour means a dark background */
  opt->dark = 0.2126 * fg.red + 0.7152 * fg.green + 0.0722 * fg.blue > 0.5;
}

static void
ftc_chart_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  FtcChartView *self = FTC_CHART_VIEW (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  FtcChartOptions opt;
  g_autoptr (GListStore) empty = NULL;
  cairo_t *cr;

  if (w <= 0 || h <= 0)
    return;
  ftc_chart_view_get_options (self, &opt);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (self->model == NULL)
    empty = g_list_store_new (FTC_TYPE_CHART_SERIES);
  ftc_chart_draw (cr, w, h, &opt, self->model != NULL ? self->model : G_LIST_MODEL (empty));
  cairo_destroy (cr);
  self->draw_count++;
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

  g_ptr_array_unref (self->watched);
  g_free (self->title);
  g_free (self->x_label);
  g_free (self->y_label);
  G_OBJECT_CLASS (ftc_chart_view_parent_class)->finalize (object);
}

static void
ftc_chart_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FtcChartView *self = FTC_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL: g_value_set_object (value, self->model); break;
    case PROP_TITLE: g_value_set_string (value, self->title); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ftc_chart_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  FtcChartView *self = FTC_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL: ftc_chart_view_set_model (self, g_value_get_object (value)); break;
    case PROP_TITLE: ftc_chart_view_set_title (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ftc_chart_view_class_init (FtcChartViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ftc_chart_view_dispose;
  object_class->finalize = ftc_chart_view_finalize;
  object_class->get_property = ftc_chart_view_get_property;
  object_class->set_property = ftc_chart_view_set_property;
  widget_class->snapshot = ftc_chart_view_snapshot;
  widget_class->measure = ftc_chart_view_measure;

  props[PROP_MODEL] = g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  props[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
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
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MODEL]);
}

GListModel *ftc_chart_view_get_model (FtcChartView *self) { return self->model; }
FtcChartKind ftc_chart_view_get_kind (FtcChartView *self) { return self->kind; }
guint ftc_chart_view_get_draw_count (FtcChartView *self) { return self->draw_count; }

void
ftc_chart_view_set_kind (FtcChartView *self, FtcChartKind kind)
{
  self->kind = kind;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ftc_chart_view_set_title (FtcChartView *self, const char *title)
{
  if (g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TITLE]);
}

void
ftc_chart_view_set_axis_labels (FtcChartView *self, const char *x_label, const char *y_label)
{
  g_free (self->x_label);
  self->x_label = g_strdup (x_label);
  g_free (self->y_label);
  self->y_label = g_strdup (y_label);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ftc_chart_view_set_y_range (FtcChartView *self, double y_min, double y_max)
{
  self->y_min = y_min;
  self->y_max = y_max;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ftc_chart_view_set_x_log2 (FtcChartView *self, gboolean x_log2)
{
  self->x_log2 = x_log2;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
ftc_chart_view_export (FtcChartView *self, const char *path, int width, int height, GError **error)
{
  FtcChartOptions opt;
  g_autoptr (GListStore) empty = g_list_store_new (FTC_TYPE_CHART_SERIES);

  ftc_chart_view_get_options (self, &opt);
  opt.dark = FALSE;   /* files go into papers and slides: always the light style */
  return ftc_chart_export (path, width, height, &opt, self->model != NULL ? self->model : G_LIST_MODEL (empty),
                           error);
}
