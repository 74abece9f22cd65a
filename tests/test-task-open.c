/* test-task-open: one entry point for dataset keys, synthetic keys with parameters and files. */
#include "core/ftc-error.h"
#include "core/tasks/ftc-synthetic.h"
#include "core/tasks/ftc-task-open.h"
#include "tests/ftc-test-util.h"

#include <string.h>

static void
test_unknown (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTask) task = ftc_task_open ("gsm8kk", NULL, &error);

  g_assert_null (task);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "unknown task 'gsm8kk'; did you mean 'gsm8k'?");
  g_clear_error (&error);

  task = ftc_task_open ("zzzzzzzzzzzz", NULL, &error);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND);
  g_assert_null (strstr (error->message, "did you mean"));
  g_clear_error (&error);

  task = ftc_task_open ("", NULL, &error);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
}

static void
test_synthetic (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTask) a = ftc_task_open ("synthetic_last_letters:n=30,seed=5,size=6", NULL, &error);
  g_autoptr (FtcTask) b = ftc_synthetic_generate ("synthetic_last_letters", 30, 5, 6, &error);
  FtcTaskOpenOptions options = { .n = 12, .seed = 5 };
  g_autoptr (FtcTask) c = ftc_task_open ("synthetic_coin_flip", &options, &error);
  g_autoptr (FtcTask) d = ftc_task_open ("synthetic_arithmetic", NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (a->samples->len, ==, 30);
  for (guint i = 0; i < 30; i++)
    g_assert_cmpstr (((FtcSample *) a->samples->pdata[i])->question, ==, ((FtcSample *) b->samples->pdata[i])->question);
  g_assert_cmpuint (c->samples->len, ==, 12);
  g_assert_cmpuint (d->samples->len, ==, FTC_TASK_OPEN_DEFAULT_N);

  {
    static const char *const bad[] = { "synthetic_coin_flip:n", "synthetic_coin_flip:n=-3", "synthetic_coin_flip:x=1",
                                       "synthetic_coin_flip:size=99", "gsm8k:split=weird" };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr (FtcTask) t = ftc_task_open (bad[i], NULL, &error);
        g_assert_null (t);
        g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
        g_clear_error (&error);
      }
  }
}

static void
test_dataset (void)
{
  g_autofree char *data_dir = ftc_test_shared_path ("datasets", NULL);
  g_autoptr (GError) error = NULL;
  FtcTaskOpenOptions options = { 0 };
  g_autoptr (FtcTask) svamp = NULL;
  g_autoptr (FtcTask) templ = NULL;
  g_autoptr (FtcTask) env_task = NULL;
  g_autoptr (FtcTask) missing = NULL;

  if (data_dir == NULL)
    return;
  options.data_dir = data_dir;
  svamp = ftc_task_open ("svamp", &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (svamp->samples->len, ==, 1000);
  templ = ftc_task_open ("multiarith:split=template", &options, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (templ->split_name, ==, "template");
  g_assert_cmpuint (templ->train->len, ==, 413);

  g_setenv ("FTCOT_DATA_DIR", data_dir, TRUE);
  env_task = ftc_task_open ("coin_flip", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (env_task->samples->len, ==, 500);
  g_unsetenv ("FTCOT_DATA_DIR");

  /* not installed: the error says how to install it */
  options.data_dir = ftc_test_tmpdir ();
  missing = ftc_task_open ("svamp", &options, &error);
  g_assert_null (missing);
  g_assert_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "ftcot tasks fetch svamp"));
  g_free ((char *) options.data_dir);
}

static void
test_file (void)
{
  g_autofree char *path = ftc_test_write_tmp ("mine.csv", "question,answer,answer_type\nWhat is 1+1?,2,number\n", -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTask) task = ftc_task_open (path, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (task->key, ==, "mine");
  g_assert_cmpuint (task->samples->len, ==, 1);
  g_assert_true (ftc_task_spec_is_path ("x.jsonl"));
  g_assert_true (ftc_task_spec_is_path ("dir/x"));
  g_assert_false (ftc_task_spec_is_path ("gsm8k"));
  g_assert_false (ftc_task_spec_is_path ("synthetic_coin_flip:n=3"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/task-open/unknown", test_unknown);
  g_test_add_func ("/task-open/synthetic", test_synthetic);
  g_test_add_func ("/task-open/dataset", test_dataset);
  g_test_add_func ("/task-open/file", test_file);
  return g_test_run ();
}
