/* ftc-sample-grid.h: the per-sample grid of the evaluation view: one column of cells per test sample, one
 * row per method (teacher, students, baselines), green where the method got the sample right, red where
 * wrong. Columns wrap into bands to fit the width. A click on a cell emits "sample-activated". */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum {
  FTC_CELL_MISSING = 0,
  FTC_CELL_WRONG = 1,
  FTC_CELL_RIGHT = 2,
} FtcCellState;

#define FTC_TYPE_SAMPLE_GRID (ftc_sample_grid_get_type ())
G_DECLARE_FINAL_TYPE (FtcSampleGrid, ftc_sample_grid, FTC, SAMPLE_GRID, GtkWidget)

GtkWidget *ftc_sample_grid_new (void);

/* rows: row titles (n_rows); cells: n_rows * n_samples states, row-major. */
void ftc_sample_grid_set_data (FtcSampleGrid *self, const char *const *rows, guint n_rows, guint n_samples,
                               const guint8 *cells);
guint ftc_sample_grid_get_n_samples (FtcSampleGrid *self);
/* The sample under widget coordinates (x, y), or -1. */
int ftc_sample_grid_sample_at (FtcSampleGrid *self, double x, double y);
/* Where the centre of a sample's first cell is drawn (for tests and keyboard use). */
gboolean ftc_sample_grid_sample_position (FtcSampleGrid *self, guint sample, double *x, double *y);
void ftc_sample_grid_set_selected (FtcSampleGrid *self, int sample);
int ftc_sample_grid_get_selected (FtcSampleGrid *self);

G_END_DECLS
