#include "app/studio/ftc-sample-grid.h"

#include "app/studio/ftc-chart-draw.h"

#define CELL 13
#define GAP 1
#define LABEL_W 150
#define BAND_GAP 10

struct _FtcSampleGrid
{
  GtkWidget parent_instance;
  char **rows;
  guint n_rows;
  guint n_samples;
  guint8 *cells;
  int selected;
};

G_DEFINE_FINAL_TYPE (FtcSampleGrid, ftc_sample_grid, GTK_TYPE_WIDGET)

enum { SAMPLE_ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

static guint
columns_for_width (FtcSampleGrid *self, int width)
{
  int cols = (width - LABEL_W) / (CELL + GAP);

  return (guint) MAX (cols, 1);
}

static int
height_for_width (FtcSampleGrid *self, int width)
{
  guint cols = columns_for_width (self, width);
  guint bands = self->n_samples == 0 ? 1 : (self->n_samples + cols - 1) / cols;

  return (int) (bands * (self->n_rows * (CELL + GAP) + BAND_GAP)) + 4;
}

static void
ftc_sample_grid_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                         int *natural, int *minimum_baseline, int *natural_baseline)
{
  FtcSampleGrid *self = FTC_SAMPLE_GRID (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = LABEL_W + 10 * (CELL + GAP);
      *natural = LABEL_W + (int) MIN (MAX (self->n_samples, 10), 60) * (CELL + GAP);
    }
  else
    {
      int h = height_for_width (self, for_size > 0 ? for_size : LABEL_W + 60 * (CELL + GAP));
      *minimum = *natural = h;
    }
}

static GtkSizeRequestMode
ftc_sample_grid_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

gboolean
ftc_sample_grid_sample_position (FtcSampleGrid *self, guint sample, double *x, double *y)
{
  guint cols = columns_for_width (self, gtk_widget_get_width (GTK_WIDGET (self)));
  guint band, col;

  if (sample >= self->n_samples)
    return FALSE;
  band = sample / cols;
  col = sample % cols;
  *x = LABEL_W + col * (CELL + GAP) + CELL / 2.0;
  *y = 2 + band * (self->n_rows * (CELL + GAP) + BAND_GAP) + CELL / 2.0;
  return TRUE;
}

int
ftc_sample_grid_sample_at (FtcSampleGrid *self, double x, double y)
{
  guint cols = columns_for_width (self, gtk_widget_get_width (GTK_WIDGET (self)));
  double band_h = self->n_rows * (CELL + GAP) + BAND_GAP;
  int band, col, within;

  if (x < LABEL_W || y < 2 || self->n_rows == 0)
    return -1;
  col = (int) ((x - LABEL_W) / (CELL + GAP));
  band = (int) ((y - 2) / band_h);
  within = (int) (y - 2 - band * band_h);
  if (col >= (int) cols || within >= (int) (self->n_rows * (CELL + GAP)))
    return -1;
  if ((guint) (band * cols + col) >= self->n_samples)
    return -1;
  return band * (int) cols + col;
}

static void
ftc_sample_grid_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  FtcSampleGrid *self = FTC_SAMPLE_GRID (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  guint cols = columns_for_width (self, w);
  double band_h = self->n_rows * (CELL + GAP) + BAND_GAP;
  GdkRGBA fg;
  cairo_t *cr;
  double right[3], wrong[3];

  if (w <= 0 || h <= 0)
    return;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  ftc_chart_palette (2, right);   /* green */
  ftc_chart_palette (5, wrong);   /* vermillion */
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 11);
  for (guint s = 0; s < self->n_samples; s++)
    {
      guint band = s / cols, col = s % cols;
      double x = LABEL_W + col * (CELL + GAP), y0 = 2 + band * band_h;

      if (col == 0)
        for (guint r = 0; r < self->n_rows; r++)
          {
            cairo_text_extents_t ext;
            cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.85);
            cairo_text_extents (cr, self->rows[r], &ext);
            cairo_move_to (cr, LABEL_W - 8 - ext.x_advance, y0 + r * (CELL + GAP) + CELL / 2.0 + 4);
            cairo_show_text (cr, self->rows[r]);
          }
      for (guint r = 0; r < self->n_rows; r++)
        {
          guint8 st = self->cells[r * self->n_samples + s];
          if (st == FTC_CELL_RIGHT)
            cairo_set_source_rgb (cr, right[0], right[1], right[2]);
          else if (st == FTC_CELL_WRONG)
            cairo_set_source_rgb (cr, wrong[0], wrong[1], wrong[2]);
          else
            cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.15);
          cairo_rectangle (cr, x, y0 + r * (CELL + GAP), CELL, CELL);
          cairo_fill (cr);
        }
      if ((int) s == self->selected)
        {
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 1);
          cairo_set_line_width (cr, 2);
          cairo_rectangle (cr, x - 1, y0 - 1, CELL + 2, self->n_rows * (CELL + GAP) + 1);
          cairo_stroke (cr);
        }
    }
  cairo_destroy (cr);
}

static void
pressed (GtkGestureClick *gesture, int n_press, double x, double y, FtcSampleGrid *self)
{
  int s = ftc_sample_grid_sample_at (self, x, y);

  if (s < 0)
    return;
  ftc_sample_grid_set_selected (self, s);
  g_signal_emit (self, signals[SAMPLE_ACTIVATED], 0, s);
}

static void
ftc_sample_grid_finalize (GObject *object)
{
  FtcSampleGrid *self = FTC_SAMPLE_GRID (object);

  g_strfreev (self->rows);
  g_free (self->cells);
  G_OBJECT_CLASS (ftc_sample_grid_parent_class)->finalize (object);
}

static void
ftc_sample_grid_class_init (FtcSampleGridClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = ftc_sample_grid_finalize;
  widget_class->snapshot = ftc_sample_grid_snapshot;
  widget_class->measure = ftc_sample_grid_measure;
  widget_class->get_request_mode = ftc_sample_grid_get_request_mode;
  signals[SAMPLE_ACTIVATED] = g_signal_new ("sample-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
  gtk_widget_class_set_css_name (widget_class, "samplegrid");
}

static void
ftc_sample_grid_init (FtcSampleGrid *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  self->selected = -1;
  g_signal_connect (click, "pressed", G_CALLBACK (pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "pointer");
}

GtkWidget *
ftc_sample_grid_new (void)
{
  return g_object_new (FTC_TYPE_SAMPLE_GRID, NULL);
}

void
ftc_sample_grid_set_data (FtcSampleGrid *self, const char *const *rows, guint n_rows, guint n_samples,
                          const guint8 *cells)
{
  g_strfreev (self->rows);
  self->rows = g_new0 (char *, n_rows + 1);
  for (guint i = 0; i < n_rows; i++)
    self->rows[i] = g_strdup (rows[i]);
  self->n_rows = n_rows;
  self->n_samples = n_samples;
  g_free (self->cells);
  self->cells = g_memdup2 (cells, (gsize) n_rows * n_samples);
  self->selected = -1;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint ftc_sample_grid_get_n_samples (FtcSampleGrid *self) { return self->n_samples; }
int ftc_sample_grid_get_selected (FtcSampleGrid *self) { return self->selected; }

void
ftc_sample_grid_set_selected (FtcSampleGrid *self, int sample)
{
  self->selected = sample;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
