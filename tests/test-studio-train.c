/* The training view on the small experiment's metrics.jsonl, and following the file as a trainer
 * appends to it. */
#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "app/studio/ftc-chart-series.h"
#include "app/studio/ftc-train-page.h"
#include "tests/ftc-test-studio.h"
#include "tests/ftc-test-util.h"

/* Lines of a method with the given field, from the file itself. */
static guint
count_lines (const char *path, const char *method, const char *field)
{
  g_autoptr (GPtrArray) lines = ftc_test_studio_read_jsonl (path);
  guint n = 0;

  for (guint i = 0; i < lines->len; i++)
    n += g_strcmp0 (json_object_get_string_member (lines->pdata[i], "method"), method) == 0 &&
         json_object_has_member (lines->pdata[i], field);
  return n;
}

static guint
n_points (FtcTrainPage *page, guint series)
{
  g_autoptr (FtcChartSeries) s = g_list_model_get_item (ftc_train_page_get_loss_model (page), series);
  guint n;

  if (s == NULL)
    return 0;
  ftc_chart_series_get_points (s, &n);
  return n;
}

typedef struct {
  FtcTrainPage *page;
  guint want;
} Grow;

static gboolean
grown (gpointer data)
{
  Grow *g = data;
  return n_points (g->page, 0) >= g->want;
}

static void
test_curves_and_stats (void)
{
  g_autofree char *dir = ftc_test_studio_copy_experiment ();
  g_autofree char *path = g_build_filename (dir, "metrics.jsonl", NULL);
  GtkWidget *page = ftc_train_page_new ();
  GtkWidget *window = ftc_test_studio_show (page, 1000, 700);
  FtcTrainPage *tp = FTC_TRAIN_PAGE (page);
  const char *const *runs;

  ftc_train_page_set_directory (tp, dir);
  ftc_test_studio_wait_loaded (page);
  g_assert_null (ftc_train_page_get_error (tp));
  runs = ftc_train_page_get_runs (tp);
  g_assert_cmpuint (g_strv_length ((char **) runs), ==, 2);
  g_assert_cmpstr (runs[0], ==, "coin_flip · vanilla");
  g_assert_cmpstr (runs[1], ==, "coin_flip · ft_cot");
  g_assert_cmpstr (ftc_train_page_get_run (tp), ==, "coin_flip · vanilla");
  g_assert_cmpuint (g_list_model_get_n_items (ftc_train_page_get_loss_model (tp)), ==, 2);
  g_assert_cmpuint (n_points (tp, 0), ==, count_lines (path, "vanilla", "loss"));
  g_assert_cmpuint (n_points (tp, 1), ==, count_lines (path, "vanilla", "val_loss"));

  ftc_train_page_set_run (tp, "coin_flip · ft_cot");
  g_assert_cmpstr (ftc_train_page_get_run (tp), ==, "coin_flip · ft_cot");
  g_assert_cmpuint (n_points (tp, 0), ==, count_lines (path, "ft_cot", "loss"));
  {
    g_autoptr (GPtrArray) lines = ftc_test_studio_read_jsonl (path);
    JsonObject *last_train = NULL, *last_eval = NULL;
    g_autofree char *loss = NULL, *step = NULL, *acc = NULL;
    gint64 epoch1_steps = 0;
    for (guint i = 0; i < lines->len; i++)
      if (g_strcmp0 (json_object_get_string_member (lines->pdata[i], "method"), "ft_cot") == 0)
        {
          if (json_object_has_member (lines->pdata[i], "loss"))
            {
              last_train = lines->pdata[i];
              if (json_object_get_int_member (last_train, "epoch") == 1)
                epoch1_steps = MAX (epoch1_steps, json_object_get_int_member (last_train, "step"));
            }
          else
            last_eval = lines->pdata[i];
        }
    loss = g_strdup_printf ("%.4f", json_object_get_double_member (last_train, "loss"));
    /* no total in the lines: the first epoch's steps times the experiment's 3 epochs */
    step = g_strdup_printf ("%" G_GINT64_FORMAT " / %" G_GINT64_FORMAT, json_object_get_int_member (last_train, "step"),
                            epoch1_steps * 3);
    acc = g_strdup_printf ("%.1f %%", json_object_get_double_member (last_eval, "test_accuracy"));
    g_assert_cmpstr (ftc_train_page_get_stat (tp, "loss"), ==, loss);
    g_assert_cmpstr (ftc_train_page_get_stat (tp, "step"), ==, step);
    g_assert_cmpstr (ftc_train_page_get_stat (tp, "accuracy"), ==, acc);
    g_assert_cmpstr (ftc_train_page_get_stat (tp, "epoch"), ==, "3 / 3");
    /* the device comes from experiment.json */
    g_assert_cmpstr (ftc_train_page_get_stat (tp, "device"), ==, "cpu");
    g_assert_cmpstr (ftc_train_page_get_stat (tp, "eta"), ==, "done");
  }
  /* stop/resume stay off until the training job exists in the build */
  {
    GtkWidget *stop = ftc_test_studio_find_action (page, "train.stop");
    GtkWidget *resume = ftc_test_studio_find_action (page, "train.resume");
    g_assert_nonnull (stop);
    g_assert_nonnull (resume);
    g_assert_false (gtk_widget_is_sensitive (stop));
    g_assert_false (gtk_widget_is_sensitive (resume));
    g_assert_nonnull (gtk_widget_get_tooltip_text (stop));
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_follows_the_file (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "metrics.jsonl", NULL);
  GtkWidget *page = ftc_train_page_new ();
  GtkWidget *window = ftc_test_studio_show (page, 1000, 700);
  FtcTrainPage *tp = FTC_TRAIN_PAGE (page);
  g_autoptr (GFileOutputStream) out = NULL;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  GRand *rand = g_rand_new_with_seed (11);
  Grow g = { tp, 0 };
  double loss = 3.0;

  /* a trainer that has not started: the view waits for the file */
  ftc_train_page_set_directory (tp, dir);
  ftc_test_studio_wait_loaded (page);
  g_assert_cmpuint (g_strv_length ((char **) ftc_train_page_get_runs (tp)), ==, 0);

  out = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, NULL);
  g_assert_nonnull (out);
  for (int step = 1; step <= 30; step++)
    {
      g_autofree char *line = NULL;
      char lbuf[G_ASCII_DTOSTR_BUF_SIZE];

      loss *= 0.9 + 0.05 * g_rand_double (rand);
      g_ascii_dtostr (lbuf, sizeof lbuf, loss);
      line = g_strdup_printf ("{\"task\": \"gsm8k\", \"method\": \"ft_cot\", \"step\": %d, \"total_steps\": 60, \"loss\": %s, "
                              "\"elapsed_s\": %d, \"lr\": 0.0003, \"device\": \"opencl:0\"}\n", step, lbuf, step);
      g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (out), line, strlen (line), NULL, NULL, NULL));
      if (step == 10 || step == 30)
        {
          g_assert_true (g_output_stream_flush (G_OUTPUT_STREAM (out), NULL, NULL));
          /* the file monitor tells the view; it re-reads at most ten times a second */
          g.want = (guint) step;
          ftc_test_studio_wait (grown, &g, 10000);
          g_assert_cmpuint (n_points (tp, 0), ==, (guint) step);
        }
    }
  /* half a line (the trainer is writing it): not read until it is complete */
  g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (out), "{\"task\": \"gsm8k\", \"method\": \"ft_cot\", \"st", 41, NULL, NULL, NULL));
  g_assert_true (g_output_stream_flush (G_OUTPUT_STREAM (out), NULL, NULL));
  ftc_train_page_refresh (tp);
  ftc_test_studio_spin (300);
  g_assert_cmpuint (n_points (tp, 0), ==, 30);
  g_assert_null (ftc_train_page_get_error (tp));
  g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (out), "ep\": 31, \"loss\": 0.5}\n", 23, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL));
  g.want = 31;
  ftc_test_studio_wait (grown, &g, 10000);
  g_assert_cmpstr (ftc_train_page_get_stat (tp, "loss"), ==, "0.5000");
  g_assert_cmpstr (ftc_train_page_get_stat (tp, "device"), ==, "opencl:0");
  /* 31 of 60 steps in 30 s: about 29 s left */
  g_assert_nonnull (strstr (ftc_train_page_get_stat (tp, "eta"), "0 min 2"));
  g_rand_free (rand);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ftc_test_studio_init ();
  g_test_add_func ("/studio/train/curves-and-stats", test_curves_and_stats);
  g_test_add_func ("/studio/train/follows-the-file", test_follows_the_file);
  return g_test_run ();
}
