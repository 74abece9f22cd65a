/* The experiment view: experiment.json into the form and back, unknown keys kept, a new experiment
 * created, the memory estimate. */
#include <string.h>

#include <json-glib/json-glib.h>

#ifdef G_OS_UNIX
#include <signal.h>
#endif

#include "app/studio/ftc-experiment-page.h"
#include "core/method/ftc-demo.h"
#include "core/method/ftc-experiment.h"
#include "core/method/ftc-pipeline.h"
#include "tests/ftc-test-studio.h"
#include "tests/ftc-test-util.h"

static JsonObject *
read_json (const char *path)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gboolean
array_has (JsonObject *o, const char *member, const char *value)
{
  JsonArray *a = json_object_get_array_member (o, member);

  for (guint i = 0; i < json_array_get_length (a); i++)
    if (g_strcmp0 (json_array_get_string_element (a, i), value) == 0)
      return TRUE;
  return FALSE;
}

static void
test_roundtrip (void)
{
  g_autofree char *dir = ftc_test_studio_copy_experiment ();
  g_autofree char *path = g_build_filename (dir, "experiment.json", NULL);
  g_autoptr (JsonObject) before = read_json (path);
  g_autoptr (JsonObject) after = NULL;
  g_autoptr (GError) error = NULL;
  GtkWidget *page = ftc_experiment_page_new ();
  GtkWidget *window = ftc_test_studio_show (page, 900, 700);
  FtcExperimentPage *ep = FTC_EXPERIMENT_PAGE (page);

  ftc_experiment_page_set_directory (ep, dir);
  ftc_test_studio_wait_loaded (page);
  g_assert_null (ftc_experiment_page_get_error (ep));
  g_assert_cmpstr (ftc_experiment_page_get_task (ep), ==, "coin_flip");
  /* the preview names the task and shows questions the teacher answered */
  g_assert_nonnull (strstr (ftc_experiment_page_get_task_preview (ep), "Coin Flip"));
  g_assert_nonnull (strstr (ftc_experiment_page_get_task_preview (ep), "A coin is heads up."));

  /* a synthetic task is generated for the preview: its split sizes and first questions */
  ftc_experiment_page_set_task (ep, "synthetic_arithmetic");
  ftc_test_studio_wait_loaded (page);
  g_assert_nonnull (strstr (ftc_experiment_page_get_task_preview (ep), "1000 samples"));
  g_assert_nonnull (strstr (ftc_experiment_page_get_task_preview (ep), "for training"));
  g_assert_nonnull (strstr (ftc_experiment_page_get_task_preview (ep), "• "));

  /* diverse reasoning with D = 8 asks for D = 2, 4, 8 */
  ftc_experiment_page_set_samples (ep, 8);
  ftc_experiment_page_set_task (ep, "multiarith");
  g_assert_true (gtk_widget_activate_action (page, "experiment.save", NULL));
  after = read_json (path);
  /* sections the form does not show are kept */
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (after, "curation"), "drop_truncated"));
  {
    /* the first task object keeps its other settings */
    JsonObject *t0 = json_array_get_object_element (json_object_get_array_member (after, "tasks"), 0);
    g_assert_cmpstr (json_object_get_string_member (t0, "key"), ==, "multiarith");
    g_assert_cmpint (json_object_get_int_member (t0, "train_size"), ==, 8);
  }
  /* the second task of the experiment stays */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (after, "tasks"), 1),
                                                  "key"), ==, "last_letter_concatenation");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (after, "teacher"), "samples"), ==, 8);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (after, "teacher"), "max_tokens"), ==, 128);
  g_assert_true (array_has (after, "methods", "teacher"));
  g_assert_true (array_has (after, "methods", "random"));
  g_assert_true (array_has (after, "methods", "vanilla"));
  g_assert_true (array_has (after, "methods", "ft_cot"));
  g_assert_true (array_has (after, "methods", "ft_cot_d2"));
  g_assert_true (array_has (after, "methods", "ft_cot_d4"));
  g_assert_true (array_has (after, "methods", "ft_cot_d8"));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_object_get_object_member (after, "training"),
                                                                  "learning_rate"), 3e-4, 1e-12);
  g_assert_cmpstr (json_object_get_string_member (after, "device"), ==, "cpu");
  g_assert_true (ftc_experiment_page_save (ep, &error));
  g_assert_no_error (error);

  /* an endpoint teacher without a model cannot run: the experiment reader says so and nothing is written */
  {
    g_autofree char *before_text = NULL, *after_text = NULL;
    g_assert_true (g_file_get_contents (path, &before_text, NULL, NULL));
    ftc_experiment_page_set_teacher (ep, "openai", NULL);
    g_assert_false (ftc_experiment_page_save (ep, &error));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "model"));
    g_clear_error (&error);
    g_assert_true (g_file_get_contents (path, &after_text, NULL, NULL));
    g_assert_cmpstr (before_text, ==, after_text);
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
devices_listed (gpointer page)
{
  return ftc_experiment_page_get_devices_listed (page);
}

static void
test_devices (void)
{
  GtkWidget *page = ftc_experiment_page_new ();
  GtkWidget *window = ftc_test_studio_show (page, 900, 700);
  g_auto (GStrv) devices = NULL;

  /* listed by the compute engine on a worker thread: auto first, then cpu and any OpenCL device */
  ftc_test_studio_wait (devices_listed, page, 30000);
  devices = ftc_experiment_page_dup_devices (FTC_EXPERIMENT_PAGE (page));
  g_assert_cmpstr (devices[0], ==, "auto");
  g_assert_cmpstr (devices[1], ==, "cpu");
  for (guint i = 2; devices[i] != NULL; i++)
    g_assert_true (g_str_has_prefix (devices[i], "opencl:"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_create (void)
{
  g_autofree char *tmp = ftc_test_tmpdir ();
  g_autofree char *dir = g_build_filename (tmp, "new", "classroom", NULL);
  g_autofree char *path = g_build_filename (dir, "experiment.json", NULL);
  g_autoptr (JsonObject) o = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (ftc_experiment_page_create (dir, &error));
  g_assert_no_error (error);
  o = read_json (path);
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "classroom");
  /* a new experiment is one `ftcot run` accepts */
  {
    g_autoptr (FtcExperiment) exp = ftc_experiment_load (path, &error);
    g_assert_no_error (error);
    g_assert_nonnull (exp);
  }
  /* the reference training defaults */
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "training"), "batch_size"), ==, 8);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "training"), "epochs"), ==, 20);
  /* creating again keeps what is there */
  {
    g_autofree char *text = NULL;
    g_auto (GStrv) parts = NULL;
    g_autofree char *renamed = NULL;
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    parts = g_strsplit (text, "\"name\": \"classroom\"", 2);
    g_assert_cmpuint (g_strv_length (parts), ==, 2);
    renamed = g_strjoinv ("\"name\": \"renamed\"", parts);
    g_assert_true (g_file_set_contents (path, renamed, -1, NULL));
  }
  g_assert_true (ftc_experiment_page_create (dir, &error));
  g_clear_pointer (&o, json_object_unref);
  o = read_json (path);
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "renamed");
}

static void
test_bad_experiment_file (void)
{
  g_autofree char *dir = ftc_test_studio_copy_experiment ();
  g_autofree char *path = g_build_filename (dir, "experiment.json", NULL);
  GtkWidget *page = ftc_experiment_page_new ();
  GtkWidget *window = ftc_test_studio_show (page, 900, 700);

  g_assert_true (g_file_set_contents (path, "{\"name\": \"x\",", -1, NULL));
  ftc_experiment_page_set_directory (FTC_EXPERIMENT_PAGE (page), dir);
  ftc_test_studio_wait_loaded (page);
  g_assert_nonnull (ftc_experiment_page_get_error (FTC_EXPERIMENT_PAGE (page)));
  g_assert_nonnull (strstr (ftc_experiment_page_get_error (FTC_EXPERIMENT_PAGE (page)), "experiment.json"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_memory_estimate (void)
{
  /* GPT-2 small has 124,439,808 parameters (Hugging Face's count, tied output layer) */
  g_assert_cmpint (ftc_experiment_student_params ("gpt2"), ==, 124439808);
  g_assert_cmpint (ftc_experiment_student_params ("gpt2-medium"), ==, 354823168);
  g_assert_cmpint (ftc_experiment_student_params ("nonsense"), ==, -1);
  /* weights, gradients and AdamW state alone are 16 bytes a parameter; activations grow with the batch */
  g_assert_cmpint (ftc_experiment_estimate_memory ("gpt2", 1, 0), >, 124439808LL * 16);
  g_assert_cmpint (ftc_experiment_estimate_memory ("gpt2", 8, 0), >, ftc_experiment_estimate_memory ("gpt2", 4, 0));
  g_assert_cmpint (ftc_experiment_estimate_memory ("gpt2", 8, 128), <, ftc_experiment_estimate_memory ("gpt2", 8, 1024));
  g_assert_cmpint (ftc_experiment_estimate_memory ("tiny", 8, 0), <, ftc_experiment_estimate_memory ("gpt2", 8, 0));
  /* tiny: 2 layers of width 128, 256 positions, a 256-entry character vocabulary */
  g_assert_cmpint (ftc_experiment_student_params ("tiny"), ==, 256 * 128 + 256 * 128 + 2 * (12 * 128 * 128 + 13 * 128) + 2 * 128);
}

static FtcExperimentPage *
open_page (const char *dir, GtkWidget **window)
{
  GtkWidget *page = ftc_experiment_page_new ();

  *window = ftc_test_studio_show (page, 900, 700);
  ftc_experiment_page_set_directory (FTC_EXPERIMENT_PAGE (page), dir);
  ftc_test_studio_wait_loaded (page);
  g_assert_null (ftc_experiment_page_get_error (FTC_EXPERIMENT_PAGE (page)));
  return FTC_EXPERIMENT_PAGE (page);
}

static char *
ftcot_path (void)
{
  return g_test_build_filename (G_TEST_BUILT, "..", "app", "ftcot", NULL);
}

/* Runs `ftcot run PATH` until its output has a line containing want, then interrupts it as Ctrl-C does. */
static void
run_until_line (const char *path, const char *want)
{
  g_autofree char *exe = ftcot_path ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                                                   &error, exe, "run", path, NULL);
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GString) seen = g_string_new (NULL);
  gboolean found = FALSE;

  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  while (!found)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
      g_assert_no_error (error);
      if (line == NULL)
        break;
      g_string_append_printf (seen, "%s\n", line);
      found = strstr (line, want) != NULL;
    }
  if (!found)
    g_error ("ftcot run %s stopped before printing \"%s\":\n%s", path, want, seen->str);
#ifdef G_OS_UNIX
  g_subprocess_send_signal (proc, SIGINT);
#else
  g_subprocess_force_exit (proc);
#endif
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
}

/* The demo experiment, opened and saved without a change, is the same file to the byte, and `ftcot run`
 * takes it. */
static void
test_save_unchanged (void)
{
  g_autofree char *tmp = ftc_test_tmpdir ();
  g_autofree char *dir = g_build_filename (tmp, "demo", NULL);
  g_autofree char *path = g_build_filename (dir, "experiment.json", NULL);
  g_autofree char *before = NULL, *after = NULL;
  g_autoptr (GError) error = NULL;
  GtkWidget *window;
  FtcExperimentPage *page;

  /* experiment.json as `ftcot demo` writes it */
  {
    g_autoptr (FtcPipeline) pipeline = ftc_pipeline_new (dir, ftc_demo_experiment (FALSE), &error);
    g_assert_no_error (error);
  }
  g_assert_true (g_file_get_contents (path, &before, NULL, NULL));
  page = open_page (dir, &window);
  /* the device list arrives later and must not change the experiment's device either */
  ftc_test_studio_wait (devices_listed, page, 30000);
  g_assert_true (ftc_experiment_page_save (page, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);
  gtk_window_destroy (GTK_WINDOW (window));
  /* ftcot run reads it and starts on the first task */
  run_until_line (path, "training and");
}

/* A pretrained model folder chosen as the student is saved as such, and the experiment runs on it. */
static void
test_pretrained_student (void)
{
  g_autofree char *tmp = ftc_test_tmpdir ();
  g_autofree char *dir = g_build_filename (tmp, "pretrained", NULL);
  g_autofree char *path = g_build_filename (dir, "experiment.json", NULL);
  g_autofree char *model = g_build_filename (g_getenv ("FTCOT_SOURCE_ROOT"), "tests", "data", "hf-gpt2-tiny", NULL);
  g_autofree char *exe = ftcot_path ();
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcExperiment) saved = NULL;
  g_autoptr (JsonObject) config = NULL, model_config = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *eval = g_build_filename (dir, "eval", "synthetic_coin_flip.vanilla.jsonl", NULL);
  g_autofree char *ckpt = g_build_filename (dir, "checkpoints", "synthetic_coin_flip.vanilla", "config.json", NULL);
  g_autofree char *model_json = g_build_filename (model, "config.json", NULL);
  g_autoptr (GSubprocess) proc = NULL;
  GtkWidget *window;
  FtcExperimentPage *page;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path,
      "{\"version\": 1, \"tasks\": [{\"key\": \"synthetic_coin_flip\", \"n\": 30, \"size\": 1, \"train_size\": 8, "
      "\"test_size\": 4}], \"methods\": [\"zero_shot\", \"vanilla\"], "
      "\"training\": {\"epochs\": 1, \"batch_size\": 4, \"max_seq_len\": 64}, "
      "\"evaluation\": {\"max_new_tokens\": 8}, \"device\": \"cpu\"}\n", -1, NULL));
  page = open_page (dir, &window);
  ftc_experiment_page_set_student_folder (page, model, TRUE);
  g_assert_true (ftc_experiment_page_save (page, &error));
  g_assert_no_error (error);
  gtk_window_destroy (GTK_WINDOW (window));

  saved = ftc_experiment_load (path, &error);
  g_assert_no_error (error);
  g_assert_null (saved->student.preset);
  g_assert_cmpstr (saved->student.model_dir, ==, model);
  g_assert_cmpint (saved->student.init, ==, FTC_STUDENT_PRETRAINED);

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error, exe, "run",
                           path, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error));
  if (g_subprocess_get_exit_status (proc) != 0)
    g_error ("ftcot run failed:\n%s\n%s", out, err);
  /* the fine-tuned student has the folder's architecture, and answered every test question */
  config = read_json (ckpt);
  model_config = read_json (model_json);
  g_assert_cmpint (json_object_get_int_member (config, "n_embd"), ==, json_object_get_int_member (model_config, "n_embd"));
  g_assert_cmpint (json_object_get_int_member (config, "n_layer"), ==, json_object_get_int_member (model_config, "n_layer"));
  {
    g_autoptr (GPtrArray) records = ftc_test_studio_read_jsonl (eval);
    g_assert_cmpuint (records->len, ==, 4);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/studio/experiment/save-unchanged", test_save_unchanged);
  g_test_add_func ("/studio/experiment/pretrained-student", test_pretrained_student);
  ftc_test_studio_init ();
  g_test_add_func ("/studio/experiment/roundtrip", test_roundtrip);
  g_test_add_func ("/studio/experiment/create", test_create);
  g_test_add_func ("/studio/experiment/bad-file", test_bad_experiment_file);
  g_test_add_func ("/studio/experiment/memory-estimate", test_memory_estimate);
  g_test_add_func ("/studio/experiment/devices", test_devices);
  return g_test_run ();
}
