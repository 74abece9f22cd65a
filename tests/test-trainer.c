/* test-trainer.c: the completion-only loss, gradient accumulation, determinism, resuming from a checkpoint,
 * bad configurations and a checkpoint write that fails (a full disk), on the cpu backend with the "tiny"
 * student. */
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "core/students/ftc-char-tokenizer.h"
#include "core/ftc-error.h"
#include "core/method/ftc-finetune.h"
#include "core/students/ftc-student.h"
#include "tests/ftc-test-util.h"

#define N_EXAMPLES 16

static FtcBackend *backend;

/* Fine-tuning samples of a little arithmetic task: prompts and completions of varied lengths. */
static GPtrArray *
make_samples (void)
{
  GPtrArray *samples = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_finetune_sample_free);

  for (int i = 0; i < N_EXAMPLES; i++)
    {
      int a = (i * 7) % 13 + 1, b = (i * 5) % 11 + 2;
      g_autofree char *id = g_strdup_printf ("s-%d", i);
      g_autofree char *q = g_strdup_printf ("Tom has %d apples and buys %d more%s. How many?", a, b,
                                            i % 3 == 0 ? " at the market" : "");
      g_autofree char *r = g_strdup_printf ("%d plus %d is %d.", a, b, a + b);
      g_autofree char *ans = g_strdup_printf ("%d", a + b);
      g_ptr_array_add (samples, ftc_finetune_sample_new (FTC_FINETUNE_COT, id, 0, q, r, ans));
    }
  return samples;
}

static FtcStudent *
make_student (GPtrArray *samples, guint64 seed)
{
  g_autoptr (GPtrArray) texts = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  FtcCharTokenizer *ct;
  FtcStudent *student;

  for (guint i = 0; i < samples->len; i++)
    {
      FtcFinetuneSample *s = samples->pdata[i];
      g_ptr_array_add (texts, s->prompt);
      g_ptr_array_add (texts, s->completion);
    }
  ct = ftc_char_tokenizer_build ((const char *const *) texts->pdata, texts->len, &error);
  g_assert_no_error (error);
  student = ftc_student_new_scratch (backend, "tiny", ftc_tokenizer_new_char (ct), seed, &error);
  g_assert_no_error (error);
  g_assert_nonnull (student);
  return student;
}

static GPtrArray *
tokenize (FtcStudent *student, GPtrArray *samples)
{
  g_autoptr (GError) error = NULL;
  guint n_cut = 0;
  GPtrArray *examples = ftc_student_tokenize (student, samples, 256, &n_cut, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (n_cut, ==, 0);
  g_assert_cmpuint (examples->len, ==, samples->len);
  return examples;
}

static void
small_config (FtcTrainConfig *config)
{
  ftc_train_config_init (config);
  config->epochs = 2;
  config->batch_size = 8;
  config->lr = 1e-3f;
  config->seed = 7;
}

typedef struct {
  GArray *losses;      /* float per step */
  int stop_after_epoch;
  const char *ckpt_dir;
  FtcStudent *student;
} Recorder;

static gboolean
record_step (const FtcTrainProgress *p, gpointer data)
{
  Recorder *rec = data;

  g_assert_cmpint (p->step, >=, 1);
  g_assert_cmpint (p->step, <=, p->total_steps);
  g_array_append_val (rec->losses, p->loss);
  g_assert_true (isfinite (p->loss) && p->loss > 0.0f);
  return TRUE;
}

static gboolean
record_epoch (int epoch, FtcModel *model, gpointer data, GError **error)
{
  Recorder *rec = data;

  if (epoch != rec->stop_after_epoch)
    return TRUE;
  if (!ftc_student_save_checkpoint (rec->student, rec->ckpt_dir, (gint64) rec->losses->len, NULL, error))
    return FALSE;
  g_set_error (error, FTC_ERROR, FTC_ERROR_CANCELLED, "stopped after epoch %d", epoch);
  return FALSE;
}

static GArray *
train (FtcStudent *student, GPtrArray *examples, const FtcTrainConfig *config, int start_step, Recorder *rec_in)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTrainer) trainer = ftc_trainer_new (student->model, config, examples, &error);
  Recorder local = { 0 };
  Recorder *rec = rec_in != NULL ? rec_in : &local;
  gboolean ok;

  g_assert_no_error (error);
  rec->losses = g_array_new (FALSE, FALSE, sizeof (float));
  rec->student = student;
  ftc_trainer_set_start_step (trainer, start_step);
  ok = ftc_trainer_run (trainer, record_step, record_epoch, rec, NULL, &error);
  if (rec->stop_after_epoch > 0)
    {
      g_assert_false (ok);
      g_assert_error (error, FTC_ERROR, FTC_ERROR_CANCELLED);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  return rec->losses;
}

static float *
read_params (FtcStudent *student, gsize *n)
{
  float *p;

  *n = ftc_model_num_params (student->model);
  p = g_new (float, *n);
  g_assert_cmpint (ftc_model_read_params (student->model, p, *n), ==, FTC_OK);
  return p;
}

/* The trainer's first loss is the mean token loss over the tokens its mask covers, computed by hand through
 * ftc_gpt2_forward with explicit weights, one example at a time: completion tokens only by default, every
 * token but the first (prompt and completion, no padding) with completion_only_loss FALSE. */
static void
check_loss_mask (gboolean completion_only)
{
  g_autoptr (GPtrArray) samples = make_samples ();
  g_autoptr (FtcStudent) student = make_student (samples, 3);
  g_autoptr (GPtrArray) examples = tokenize (student, samples);
  g_autoptr (GArray) losses = NULL;
  FtcTrainConfig config;
  double completion_tokens = 0.0, all_tokens = 0.0, expected, other;
  int n_completion = 0, n_all = 0;

  for (guint i = 0; i < examples->len; i++)
    {
      FtcTrainExample *ex = examples->pdata[i];
      n_completion += ex->n_ids - ex->n_prompt;
      n_all += ex->n_ids - 1;
    }
  for (guint i = 0; i < examples->len; i++)
    {
      FtcTrainExample *ex = examples->pdata[i];
      int T = ex->n_ids - 1;
      g_autofree int32_t *targets = g_new (int32_t, T);
      g_autofree float *w = g_new (float, T);
      g_autofree float *w_all = g_new (float, T);
      float loss = 0.0f, loss_all = 0.0f;

      g_assert_cmpint (ex->n_prompt, >, 1);
      for (int t = 0; t < T; t++)
        {
          targets[t] = ex->ids[t + 1];
          /* position t predicts token t + 1 */
          w[t] = t + 1 >= ex->n_prompt ? 1.0f / n_completion : 0.0f;
          w_all[t] = 1.0f / n_all;
        }
      g_assert_cmpint (ftc_model_forward (student->model, ex->ids, targets, w, 1, T, &loss), ==, FTC_OK);
      g_assert_cmpint (ftc_model_forward (student->model, ex->ids, targets, w_all, 1, T, &loss_all), ==, FTC_OK);
      completion_tokens += loss;
      all_tokens += loss_all;
    }
  expected = completion_only ? completion_tokens : all_tokens;
  other = completion_only ? all_tokens : completion_tokens;

  /* one step holds every example (padded to the longest: padding must carry no loss either) */
  small_config (&config);
  config.epochs = 1;
  config.batch_size = N_EXAMPLES;
  config.completion_only_loss = completion_only;
  losses = train (student, examples, &config, 0, NULL);
  g_assert_cmpuint (losses->len, ==, 1);
  g_test_message ("completion_only_loss %d: step 1 loss %.6f; by hand %.6f over completion tokens, %.6f over "
                  "all tokens", completion_only, g_array_index (losses, float, 0), completion_tokens, all_tokens);
  g_assert_cmpfloat_with_epsilon (g_array_index (losses, float, 0), expected, 1e-5 * expected);
  /* the other mask would differ by far more than the tolerance (at random initialisation every token
   * costs about log V, so the difference is small but clear) */
  g_assert_cmpfloat (fabs (g_array_index (losses, float, 0) - other), >, 20 * 1e-5 * expected);
}

static void
test_loss_mask (void)
{
  check_loss_mask (TRUE);
}

static void
test_loss_mask_whole_text (void)
{
  check_loss_mask (FALSE);
}

static void
test_grad_accumulation (void)
{
  g_autoptr (GPtrArray) samples = make_samples ();
  g_autoptr (FtcStudent) a = make_student (samples, 5);
  g_autoptr (FtcStudent) b = make_student (samples, 5);
  g_autoptr (GPtrArray) ex_a = tokenize (a, samples);
  g_autoptr (GPtrArray) ex_b = tokenize (b, samples);
  g_autoptr (GArray) la = NULL;
  g_autoptr (GArray) lb = NULL;
  g_autofree float *pa = NULL, *pb = NULL, *p0 = NULL;
  FtcTrainConfig config;
  gsize n, n0;
  double max_diff = 0.0, max_move = 0.0;

  p0 = read_params (a, &n0);
  small_config (&config);
  config.epochs = 1;
  la = train (a, ex_a, &config, 0, NULL);
  config.batch_size = 4;
  config.grad_accum = 2;
  lb = train (b, ex_b, &config, 0, NULL);
  g_assert_cmpuint (la->len, ==, 2);
  g_assert_cmpuint (lb->len, ==, 2);
  g_assert_cmpfloat_with_epsilon (g_array_index (la, float, 0), g_array_index (lb, float, 0), 1e-5);
  g_assert_cmpfloat_with_epsilon (g_array_index (la, float, 1), g_array_index (lb, float, 1), 1e-3);
  pa = read_params (a, &n);
  pb = read_params (b, &n);
  for (gsize i = 0; i < n; i++)
    {
      max_diff = MAX (max_diff, fabs (pa[i] - pb[i]));
      max_move = MAX (max_move, fabs (pa[i] - p0[i]));
    }
  g_test_message ("accumulation: max parameter difference %.3g, max move %.3g", max_diff, max_move);
  g_assert_cmpfloat (max_move, >, 1e-4);     /* the models did learn */
  g_assert_cmpfloat (max_diff, <, 1e-4);
}

static void
test_deterministic (void)
{
  g_autoptr (GPtrArray) samples = make_samples ();
  g_autoptr (FtcStudent) a = make_student (samples, 11);
  g_autoptr (FtcStudent) b = make_student (samples, 11);
  g_autoptr (GPtrArray) ex_a = tokenize (a, samples);
  g_autoptr (GPtrArray) ex_b = tokenize (b, samples);
  g_autoptr (GArray) la = NULL;
  g_autoptr (GArray) lb = NULL;
  FtcTrainConfig config;

  small_config (&config);
  la = train (a, ex_a, &config, 0, NULL);
  lb = train (b, ex_b, &config, 0, NULL);
  g_assert_cmpuint (la->len, ==, 4);
  g_assert_cmpmem (la->data, la->len * sizeof (float), lb->data, lb->len * sizeof (float));
  /* it learns: the last loss is below the first */
  g_assert_cmpfloat (g_array_index (la, float, 3), <, g_array_index (la, float, 0));
}

static void
test_resume (void)
{
  g_autoptr (GPtrArray) samples = make_samples ();
  g_autoptr (FtcStudent) a = make_student (samples, 13);
  g_autoptr (FtcStudent) b = make_student (samples, 13);
  g_autoptr (FtcStudent) c = NULL;
  g_autoptr (GPtrArray) ex_a = tokenize (a, samples);
  g_autoptr (GPtrArray) ex_b = tokenize (b, samples);
  g_autoptr (GPtrArray) ex_c = NULL;
  g_autoptr (GArray) straight = NULL;
  g_autoptr (GArray) first = NULL;
  g_autoptr (GArray) second = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *ckpt = g_build_filename (dir, "t.ft_cot", NULL);
  g_autofree float *pa = NULL, *pc = NULL;
  Recorder stop = { 0 };
  FtcTrainConfig config;
  gint64 step = -1;
  gsize n;

  small_config (&config);
  straight = train (a, ex_a, &config, 0, NULL);
  stop.stop_after_epoch = 1;
  stop.ckpt_dir = ckpt;
  first = train (b, ex_b, &config, 0, &stop);
  g_assert_cmpuint (first->len, ==, 2);
  g_clear_pointer (&b, ftc_student_free);

  c = ftc_student_load_checkpoint (backend, ckpt, &step, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (step, ==, 2);
  ex_c = tokenize (c, samples);
  second = train (c, ex_c, &config, (int) step, NULL);
  g_assert_cmpuint (second->len, ==, 2);
  g_array_append_vals (first, second->data, second->len);
  g_assert_cmpmem (straight->data, straight->len * sizeof (float), first->data, first->len * sizeof (float));
  pa = read_params (a, &n);
  pc = read_params (c, &n);
  g_assert_cmpmem (pa, n * sizeof (float), pc, n * sizeof (float));
}

static void
test_bad_config (void)
{
  g_autoptr (GPtrArray) samples = make_samples ();
  g_autoptr (FtcStudent) student = make_student (samples, 1);
  g_autoptr (GPtrArray) examples = tokenize (student, samples);
  g_autoptr (GPtrArray) empty = g_ptr_array_new ();
  g_autoptr (GPtrArray) bad = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_train_example_free);
  FtcTrainExample *ex;
  FtcTrainConfig config;
  struct { const char *what; FtcTrainConfig config; GPtrArray *examples; const char *message; } cases[9];
  guint n = 0;

  small_config (&config);
#define CASE(field, value, msg)                                                                               \
  do { cases[n].what = #field " = " #value; cases[n].config = config; cases[n].config.field = value;          \
       cases[n].examples = examples; cases[n].message = msg; n++; } while (0)
  CASE (epochs, 0, "epochs");
  CASE (batch_size, 0, "batch_size");
  CASE (grad_accum, 0, "grad_accum");
  CASE (max_seq_len, 1, "max_seq_len");
  CASE (lr, 0.0f, "learning_rate");
  CASE (lr, NAN, "learning_rate");
  CASE (lr, -1e-3f, "learning_rate");
#undef CASE
  cases[n] = (typeof (cases[0])) { "no examples", config, empty, "no examples" };
  n++;
  ex = g_new0 (FtcTrainExample, 1);
  ex->n_ids = 3;
  ex->n_prompt = 3;   /* no completion token */
  ex->ids = g_new0 (int32_t, 3);
  g_ptr_array_add (bad, ex);
  cases[n] = (typeof (cases[0])) { "no completion", config, bad, "completion" };
  n++;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FtcTrainer) trainer = ftc_trainer_new (student->model, &cases[i].config, cases[i].examples, &error);

      g_test_message ("%s: %s", cases[i].what, error != NULL ? error->message : "(accepted)");
      g_assert_null (trainer);
      g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }

  /* a token outside the vocabulary */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (FtcTrainer) trainer = NULL;
    ex->n_prompt = 1;
    ex->ids[2] = ftc_model_vocab_size (student->model);
    trainer = ftc_trainer_new (student->model, &config, bad, &error);
    g_assert_null (trainer);
    g_assert_error (error, FTC_ERROR, FTC_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "vocabulary"));
  }
}

/* A full disk while a checkpoint is written (RLIMIT_FSIZE makes writes past a size fail with EFBIG): a
 * clear error, the previous checkpoint whole, and training resumes from it. */
static void
test_checkpoint_disk_full (void)
{
  g_autoptr (GPtrArray) samples = make_samples ();
  g_autoptr (FtcStudent) student = make_student (samples, 17);
  g_autoptr (FtcStudent) back = NULL;
  g_autoptr (GPtrArray) examples = tokenize (student, samples);
  g_autoptr (GArray) losses = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *ckpt = g_build_filename (dir, "checkpoints", "t.ft_cot", NULL);
  g_autofree float *saved = NULL, *loaded = NULL;
  g_autoptr (GDir) listing = NULL;
  struct rlimit old_limit, limit;
  FtcTrainConfig config;
  gint64 step = -1;
  gboolean ok;
  gsize n;
  const char *name;

  g_assert_true (ftc_student_save_checkpoint (student, ckpt, 0, NULL, &error));
  g_assert_no_error (error);
  saved = read_params (student, &n);

  small_config (&config);
  config.epochs = 1;
  losses = train (student, examples, &config, 0, NULL);

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &old_limit), ==, 0);
  limit = old_limit;
  limit.rlim_cur = 64 * 1024;   /* far below the model's size */
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  ok = ftc_student_save_checkpoint (student, ckpt, 2, NULL, &error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &old_limit), ==, 0);
  g_assert_false (ok);
  g_assert_nonnull (error);
  g_test_message ("full disk: %s", error->message);
  g_assert_true (error->domain == FTC_ERROR);
  g_assert_true (g_str_has_prefix (error->message, "saving checkpoint "));
  g_assert_nonnull (strstr (error->message, ckpt));
  g_assert_nonnull (strstr (error->message, "the previous one is kept"));
  g_assert_nonnull (strstr (error->message, g_strerror (EFBIG)));
  g_clear_error (&error);

  /* no temporary folders left behind, the previous checkpoint is whole */
  {
    g_autofree char *parent = g_path_get_dirname (ckpt);
    listing = g_dir_open (parent, 0, NULL);
  }
  while ((name = g_dir_read_name (listing)) != NULL)
    g_assert_cmpstr (name, ==, "t.ft_cot");
  back = ftc_student_load_checkpoint (backend, ckpt, &step, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (step, ==, 0);
  loaded = read_params (back, &n);
  g_assert_cmpmem (saved, n * sizeof (float), loaded, n * sizeof (float));

  /* and it trains on from there, as the first run did */
  {
    g_autoptr (GPtrArray) ex_back = tokenize (back, samples);
    g_autoptr (GArray) again = train (back, ex_back, &config, (int) step, NULL);
    g_assert_cmpmem (losses->data, losses->len * sizeof (float), again->data, again->len * sizeof (float));
  }
}

/* A question longer than the student's context is still answered: its prompt keeps its last tokens. */
static void
test_long_prompt (void)
{
  g_autoptr (GPtrArray) samples = make_samples ();
  g_autoptr (FtcStudent) student = make_student (samples, 3);
  g_autoptr (GString) question = g_string_new (NULL);
  g_autoptr (GPtrArray) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *prompt = NULL;
  FtcGenerateOptions options;
  const char *prompts[1];

  while ((int) question->len < 3 * ftc_model_max_seq_len (student->model))
    g_string_append (question, "Tom has 3 apples and buys 4 more. ");
  prompt = ftc_finetune_prompt (question->str);
  prompts[0] = prompt;
  ftc_generate_options_init (&options);
  options.max_new_tokens = 16;
  out = ftc_student_generate (student, prompts, 1, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (out->len, ==, 1);
  {
    FtcGeneration *g = out->pdata[0];
    g_autofree char *tail = ftc_tokenizer_decode_text (student->tokenizer, (gint32 *) g->prompt_ids->data,
                                                       g->prompt_ids->len, NULL);
    g_assert_cmpint ((int) g->prompt_ids->len, ==, ftc_model_max_seq_len (student->model) - 16);
    g_assert_true (g_str_has_suffix (tail, "more. ###"));
    g_assert_cmpuint (g->generated_ids->len, >=, 1);
  }
}

int
main (int argc, char **argv)
{
  char err[256] = "";
  int rc;

  g_test_init (&argc, &argv, NULL);
  if (ftc_backend_open ("cpu", &backend, err, sizeof err) != FTC_OK)
    g_error ("cpu backend: %s", err);
  g_test_add_func ("/trainer/loss-mask", test_loss_mask);
  g_test_add_func ("/trainer/loss-mask-whole-text", test_loss_mask_whole_text);
  g_test_add_func ("/trainer/grad-accumulation", test_grad_accumulation);
  g_test_add_func ("/trainer/deterministic", test_deterministic);
  g_test_add_func ("/trainer/resume", test_resume);
  g_test_add_func ("/trainer/bad-config", test_bad_config);
  g_test_add_func ("/trainer/checkpoint-disk-full", test_checkpoint_disk_full);
  g_test_add_func ("/trainer/long-prompt", test_long_prompt);
  rc = g_test_run ();
  ftc_backend_free (backend);
  return rc;
}
