/* The training view on the small experiment's metrics.jsonl, and following the file as a trainer
 * appends to it. */
#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "app/studio/ftc-series.h"
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
  g_autoptr (FtcSeries) s = g_list_model_get_item (ftc_train_page_get_loss_model (page), series);
  guint n;

  if (s == NULL)
    return 0;
  ftc_series_get_points (s, &n);
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
  /* training loss and learning rate: ftcot writes no validation loss, and the view reads none */
  g_assert_cmpuint (g_list_model_get_n_items (ftc_train_page_get_loss_model (tp)), ==, 2);
  g_assert_cmpuint (n_points (tp, 0), ==, count_lines (path, "vanilla", "loss"));
  g_assert_cmpuint (n_points (tp, 1), ==, count_lines (path, "vanilla", "lr"));

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
  /* nothing runs: Stop is off, Resume (run the pipeline) on */
  {
    GtkWidget *stop = ftc_test_studio_find_action (page, "train.stop");
    GtkWidget *resume = ftc_test_studio_find_action (page, "train.resume");
    g_assert_nonnull (stop);
    g_assert_nonnull (resume);
    g_assert_false (gtk_widget_is_sensitive (stop));
    g_assert_true (gtk_widget_is_sensitive (resume));
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

/* A tiny experiment (tests/data/experiment-tiny.json: 40 synthetic coin flips, 16 to train on, 6 to
 * test, the tiny student, one epoch, 32 new tokens, cpu) copied into a fresh folder. */
static char *
tiny_experiment (void)
{
  g_autofree char *src = g_build_filename (g_getenv ("FTCOT_SOURCE_ROOT"), "tests", "data", "experiment-tiny.json", NULL);
  g_autofree char *tmp = ftc_test_tmpdir ();
  char *dir = g_build_filename (tmp, "tiny", NULL);
  g_autofree char *dst = g_build_filename (dir, "experiment.json", NULL);
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (dst, contents, (gssize) len, NULL));
  return dir;
}

static gboolean
not_running (gpointer page)
{
  return !ftc_train_page_get_running (page);
}

static gboolean
has_stage (gpointer page)
{
  return ftc_train_page_get_stage (page) != NULL && *ftc_train_page_get_stage (page) != '\0';
}

static void
count_stage (FtcTrainPage *page, GParamSpec *pspec, GPtrArray *stages)
{
  const char *stage = ftc_train_page_get_stage (page);

  if (stage != NULL && (stages->len == 0 || g_strcmp0 (stages->pdata[stages->len - 1], stage) != 0))
    g_ptr_array_add (stages, g_strdup (stage));
}

static gboolean
has_runs (gpointer page)
{
  return ftc_train_page_get_runs (page)[0] != NULL && ftc_train_page_get_runs (page)[1] != NULL;
}

/* Resume runs the pipeline on the open experiment; Stop cancels it; Resume again goes on from what is on
 * disk to the report, and the curves come from the metrics.jsonl it writes. */
static void
test_pipeline_stop_resume (void)
{
  g_autofree char *dir = tiny_experiment ();
  g_autofree char *summary = g_build_filename (dir, "report", "summary.json", NULL);
  g_autofree char *metrics = g_build_filename (dir, "metrics.jsonl", NULL);
  g_autofree char *records = g_build_filename (dir, "teacher", "synthetic_coin_flip.train.jsonl", NULL);
  GtkWidget *page = ftc_train_page_new ();
  GtkWidget *window = ftc_test_studio_show (page, 1000, 700);
  FtcTrainPage *tp = FTC_TRAIN_PAGE (page);
  GtkWidget *stop, *resume;
  g_autoptr (GPtrArray) stages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) lines = NULL;
  const char *const *runs;

  ftc_train_page_set_directory (tp, dir);
  ftc_test_studio_wait_loaded (tp);
  stop = ftc_test_studio_find_action (page, "train.stop");
  resume = ftc_test_studio_find_action (page, "train.resume");
  g_assert_false (gtk_widget_is_sensitive (stop));
  g_assert_true (gtk_widget_is_sensitive (resume));
  g_signal_connect (tp, "notify::stage", G_CALLBACK (count_stage), stages);

  /* start, and stop as soon as the pipeline says where it is: long before it can be done */
  g_assert_true (gtk_widget_activate_action (page, "train.resume", NULL));
  g_assert_true (ftc_train_page_get_running (tp));
  g_assert_nonnull (ftc_train_page_get_pipeline (tp));
  ftc_test_studio_spin (20);
  g_assert_true (gtk_widget_is_sensitive (stop));
  g_assert_false (gtk_widget_is_sensitive (resume));
  ftc_test_studio_wait (has_stage, tp, 20000);
  /* what runs is shown: the stage, and the task it works on */
  g_assert_true (g_str_has_prefix (ftc_train_page_get_pipeline_status (tp), "Running: "));
  g_assert_nonnull (strstr (ftc_train_page_get_pipeline_status (tp), ftc_train_page_get_stage (tp)));
  g_assert_true (gtk_widget_activate_action (page, "train.stop", NULL));
  ftc_test_studio_wait (not_running, tp, 30000);
  g_assert_null (ftc_train_page_get_pipeline_error (tp));
  g_assert_false (g_file_test (summary, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (ftc_train_page_get_stage (tp), !=, "done");
  g_assert_true (g_str_has_prefix (ftc_train_page_get_pipeline_status (tp), "Stopped at: "));
  g_assert_true (gtk_widget_is_sensitive (resume));

  /* resume: to the end */
  g_assert_true (gtk_widget_activate_action (page, "train.resume", NULL));
  ftc_test_studio_wait (not_running, tp, 50000);
  g_assert_null (ftc_train_page_get_pipeline_error (tp));
  g_assert_cmpstr (ftc_train_page_get_stage (tp), ==, "done");
  g_assert_cmpstr (ftc_train_page_get_pipeline_status (tp), ==, "Pipeline finished");
  g_assert_true (g_file_test (summary, G_FILE_TEST_EXISTS));
  /* the stages went by in the pipeline's order, each seen */
  {
    static const char *const order[] = { "teach", "curate", "finetune", "train", "evaluate", "report", "done" };
    guint k = 0;
    for (guint i = 0; i < stages->len; i++)
      {
        guint j = 0;
        while (j < G_N_ELEMENTS (order) && g_strcmp0 (order[j], stages->pdata[i]) != 0)
          j++;
        g_assert_cmpuint (j, <, G_N_ELEMENTS (order));
        k = MAX (k, j);
      }
    g_assert_cmpuint (k, ==, G_N_ELEMENTS (order) - 1);
    g_assert_true (g_ptr_array_find_with_equal_func (stages, "train", g_str_equal, NULL));
  }
  /* every training question taught once per rationale, though the first run was cut short */
  lines = ftc_test_studio_read_jsonl (records);
  g_assert_cmpuint (lines->len, >=, 16);
  {
    g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < lines->len; i++)
      {
        g_autofree char *key = g_strdup_printf ("%s/%" G_GINT64_FORMAT,
                                                json_object_get_string_member (lines->pdata[i], "sample_id"),
                                                json_object_get_int_member (lines->pdata[i], "completion_index"));
        g_assert_false (g_hash_table_contains (seen, key));
        g_hash_table_add (seen, g_steal_pointer (&key));
      }
  }
  /* the curves: from metrics.jsonl, one run per trained method, as many loss points as lines */
  ftc_test_studio_wait (has_runs, tp, 10000);
  runs = ftc_train_page_get_runs (tp);
  g_assert_cmpstr (runs[0], ==, "synthetic_coin_flip · vanilla");
  g_assert_cmpstr (runs[1], ==, "synthetic_coin_flip · ft_cot");
  ftc_train_page_set_run (tp, runs[1]);
  {
    Grow g = { tp, count_lines (metrics, "ft_cot", "loss") };
    g_assert_cmpuint (g.want, >, 0);
    ftc_test_studio_wait (grown, &g, 10000);
    g_assert_cmpuint (n_points (tp, 0), ==, g.want);
  }
  g_assert_cmpstr (ftc_train_page_get_stat (tp, "device"), ==, "cpu");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ftc_test_studio_init ();
  g_test_add_func ("/studio/train/curves-and-stats", test_curves_and_stats);
  g_test_add_func ("/studio/train/follows-the-file", test_follows_the_file);
  g_test_add_func ("/studio/train/pipeline-stop-resume", test_pipeline_stop_resume);
  return g_test_run ();
}
