#include "core/method/ftc-pipeline.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

#include <glib/gstdio.h>

#include "core/tasks/ftc-answer.h"
#include "core/method/ftc-curate.h"
#include "core/ftc-devices.h"
#include "core/ftc-dir-lock.h"
#include "core/ftc-error.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"
#include "core/ftc-read.h"
#include "core/results/ftc-metrics.h"
#include "core/results/ftc-metrics-log.h"
#include "core/tasks/ftc-record.h"
#include "core/students/ftc-checkpoint.h"
#include "core/tasks/ftc-score.h"
#include "core/students/ftc-student.h"
#include "core/tasks/ftc-task-open.h"
#include "core/tasks/ftc-task-registry.h"
#include "core/teach/ftc-teach-job.h"
#include "core/method/ftc-experiment-teach.h"
#include "core/students/ftc-tokenizer.h"

/* the vocabulary of from-scratch students: large enough that the words of a task are single tokens */
#define FTC_PIPELINE_BPE_VOCAB 1024

struct _FtcPipeline {
  GObject parent_instance;

  char *dir;
  FtcExperiment *exp;
  FtcBackend *be;
  FtcReport *report;
  FILE *metrics;                /* metrics.jsonl, appended */

  /* progress, written by the running thread under lock, read by anyone */
  GMutex lock;
  char *stage, *task, *method, *device;
  double fraction;

  /* updates waiting for the main context of run_async */
  GMainContext *context;        /* NULL: emit directly (run on the calling thread) */
  GPtrArray *pending_logs;
  GPtrArray *pending_metrics;
  gboolean notify_pending;
  gboolean flush_scheduled;
};

enum { PROP_0, PROP_STAGE, PROP_TASK, PROP_METHOD, PROP_FRACTION, PROP_DEVICE, N_PROPS };
static GParamSpec *props[N_PROPS];
enum { SIGNAL_LOG, SIGNAL_METRICS, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (FtcPipeline, ftc_pipeline, G_TYPE_OBJECT)

/* ---- progress and signals ---------------------------------------------------------------------- */

static void
replace_str (char **field, const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

static gboolean
flush_updates (gpointer data)
{
  FtcPipeline *self = data;
  g_autoptr (GPtrArray) logs = NULL;
  g_autoptr (GPtrArray) metrics = NULL;
  gboolean notify;

  g_mutex_lock (&self->lock);
  logs = g_steal_pointer (&self->pending_logs);
  metrics = g_steal_pointer (&self->pending_metrics);
  self->pending_logs = g_ptr_array_new_with_free_func (g_free);
  self->pending_metrics = g_ptr_array_new_with_free_func (g_free);
  notify = self->notify_pending;
  self->notify_pending = FALSE;
  self->flush_scheduled = FALSE;
  g_mutex_unlock (&self->lock);

  if (notify)
    for (int p = PROP_STAGE; p < N_PROPS; p++)
      g_object_notify_by_pspec (G_OBJECT (self), props[p]);
  for (guint i = 0; i < logs->len; i++)
    g_signal_emit (self, signals[SIGNAL_LOG], 0, g_ptr_array_index (logs, i));
  for (guint i = 0; i < metrics->len; i++)
    g_signal_emit (self, signals[SIGNAL_METRICS], 0, g_ptr_array_index (metrics, i));
  return G_SOURCE_REMOVE;
}

/* Called with the lock held: makes sure one flush is on its way. Updates are coalesced: however many
 * arrive, the main context sees them in one batch, at most about ten times a second. */
static void
schedule_flush_locked (FtcPipeline *self)
{
  if (self->context == NULL || self->flush_scheduled)
    return;
  self->flush_scheduled = TRUE;
  {
    GSource *source = g_timeout_source_new (100);
    g_source_set_callback (source, flush_updates, g_object_ref (self), g_object_unref);
    g_source_attach (source, self->context);
    g_source_unref (source);
  }
}

static void
post_line (FtcPipeline *self, gboolean is_metrics, const char *text)
{
  if (self->context == NULL)
    {
      g_signal_emit (self, signals[is_metrics ? SIGNAL_METRICS : SIGNAL_LOG], 0, text);
      return;
    }
  g_mutex_lock (&self->lock);
  g_ptr_array_add (is_metrics ? self->pending_metrics : self->pending_logs, g_strdup (text));
  schedule_flush_locked (self);
  g_mutex_unlock (&self->lock);
}

static void
log_line (FtcPipeline *self, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
log_line (FtcPipeline *self, const char *fmt, ...)
{
  va_list args;
  g_autofree char *line = NULL;

  va_start (args, fmt);
  line = g_strdup_vprintf (fmt, args);
  va_end (args);
  post_line (self, FALSE, line);
}

static void
set_progress (FtcPipeline *self, const char *stage, const char *task, const char *method, double fraction)
{
  gboolean direct;

  g_mutex_lock (&self->lock);
  if (stage != NULL)
    replace_str (&self->stage, stage);
  if (task != NULL)
    replace_str (&self->task, task);
  replace_str (&self->method, method);
  self->fraction = fraction;
  self->notify_pending = TRUE;
  direct = self->context == NULL;
  schedule_flush_locked (self);
  g_mutex_unlock (&self->lock);
  if (direct)
    flush_updates (self);
}

static void
set_fraction (FtcPipeline *self, double fraction)
{
  g_mutex_lock (&self->lock);
  self->fraction = fraction;
  self->notify_pending = TRUE;
  schedule_flush_locked (self);
  g_mutex_unlock (&self->lock);
}

/* Appends one line to metrics.jsonl (flushed, so a reader such as the GUI sees it at once) and posts it. */
static gboolean
append_metrics (FtcPipeline *self, const FtcMetricsLine *metrics, GError **error)
{
  g_autofree char *line = ftc_metrics_line_to_json (metrics);

  if (fprintf (self->metrics, "%s\n", line) < 0 || fflush (self->metrics) != 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s/metrics.jsonl: %s", self->dir, g_strerror (errno));
      return FALSE;
    }
  post_line (self, TRUE, line);
  return TRUE;
}

/* ---- what a stage's output was made from -------------------------------------------------------- */

/* Each stage's output records the configuration that produced it: a checkpoint its student's (training
 * settings, student, seed, data), an evaluation file its student's and the evaluation settings, a learnt
 * vocabulary its texts. A resumed run reuses an output only for the same; otherwise training is refused
 * with what changed, and an evaluation is done again. Nothing old is reported as new. */

static char *
texts_sha256 (GPtrArray *texts, guint n)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint i = 0; i < n; i++)
    {
      const char *t = g_ptr_array_index (texts, i);
      /* length-prefixed: no two lists of texts hash alike */
      g_autofree char *len = g_strdup_printf ("%zu:", strlen (t));
      g_checksum_update (sum, (const guchar *) len, -1);
      g_checksum_update (sum, (const guchar *) t, -1);
    }
  return g_strdup (g_checksum_get_string (sum));
}

static JsonObject *
object_copy (JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autoptr (JsonNode) copy = json_node_copy (node);

  return json_object_ref (json_node_get_object (copy));
}

/* The student of a method as it will come out of training: the training settings (but those that only
 * decide when to measure or save), the student, the training seed and the fine-tuning samples (NULL: an
 * untrained student, zero_shot). */
static JsonObject *
student_fingerprint (FtcPipeline *self, GPtrArray *samples)
{
  g_autoptr (JsonNode) exp = ftc_experiment_to_json (self->exp);
  JsonObject *root = json_node_get_object (exp);
  JsonObject *fp = json_object_new ();

  json_object_set_object_member (fp, "student", object_copy (json_object_get_object_member (root, "student")));
  json_object_set_int_member (fp, "seed", (gint64) self->exp->seeds.train);
  if (samples != NULL)
    {
      JsonObject *training = object_copy (json_object_get_object_member (root, "training"));
      g_autoptr (GPtrArray) texts = g_ptr_array_new ();
      g_autofree char *sha = NULL;

      json_object_remove_member (training, "eval_every_epoch");
      json_object_remove_member (training, "checkpoint_every_epochs");
      json_object_set_object_member (fp, "training", training);
      for (guint i = 0; i < samples->len; i++)
        {
          FtcFinetuneSample *sample = g_ptr_array_index (samples, i);
          g_ptr_array_add (texts, sample->prompt);
          g_ptr_array_add (texts, sample->completion);
        }
      sha = texts_sha256 (texts, texts->len);
      json_object_set_string_member (fp, "finetune_sha256", sha);
    }
  return fp;
}

/* "training.epochs: 2, now 3; seed: 1, now 2" for the members of old and now (flattened) that differ. */
static void
describe_changes (GString *out, const char *prefix, JsonObject *old, JsonObject *now)
{
  g_autoptr (GList) names = json_object_get_members (now);
  g_autoptr (GList) old_names = json_object_get_members (old);

  for (GList *l = old_names; l != NULL; l = l->next)
    if (!json_object_has_member (now, l->data))
      names = g_list_append (names, l->data);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *a = json_object_get_member (old, l->data), *b = json_object_get_member (now, l->data);
      g_autofree char *name = prefix != NULL ? g_strconcat (prefix, ".", l->data, NULL) : g_strdup (l->data);

      if (a != NULL && b != NULL && json_node_equal (a, b))
        continue;
      if (a != NULL && b != NULL && JSON_NODE_HOLDS_OBJECT (a) && JSON_NODE_HOLDS_OBJECT (b))
        {
          describe_changes (out, name, json_node_get_object (a), json_node_get_object (b));
          continue;
        }
      {
        g_autofree char *va = a != NULL ? ftc_json_to_line (a) : g_strdup ("(none)");
        g_autofree char *vb = b != NULL ? ftc_json_to_line (b) : g_strdup ("(none)");
        if (strcmp (name, "finetune_sha256") == 0)
          g_string_append_printf (out, "%sthe fine-tuning samples", out->len > 0 ? "; " : "");
        else
          g_string_append_printf (out, "%s%s: %s then, %s now", out->len > 0 ? "; " : "", name, va, vb);
      }
    }
}

/* The headline evaluation of a student: the student's fingerprint and the settings that decide its
 * answers. */
static JsonObject *
eval_fingerprint (FtcPipeline *self, JsonObject *student)
{
  const FtcExperimentEvaluation *ev = &self->exp->evaluation;
  JsonObject *fp = json_object_new ();

  json_object_set_object_member (fp, "student", json_object_ref (student));
  json_object_set_boolean_member (fp, "greedy", ev->greedy);
  json_object_set_int_member (fp, "max_new_tokens", ev->max_new_tokens);
  json_object_set_int_member (fp, "batch_size", ev->batch_size);
  if (!ev->greedy)
    {
      json_object_set_double_member (fp, "temperature", ev->sampled_temperature);
      json_object_set_int_member (fp, "seed", (gint64) self->exp->seeds.eval);
    }
  return fp;
}

/* eval/TASK.METHOD.jsonl for records this student makes with these settings, its record beside it
 * (eval/TASK.METHOD.json); records made otherwise are dropped first and the student evaluated again. */
static FtcCompletionStore *
open_eval_store (FtcPipeline *self, const char *task_key, const char *method, JsonObject *fingerprint,
                 GError **error)
{
  g_autofree char *path = ftc_experiment_dir_eval (self->dir, task_key, method);
  g_autofree char *manifest = g_strdup_printf ("%.*s.json", (int) (strlen (path) - strlen (".jsonl")), path);
  g_autoptr (JsonNode) now = json_node_init_object (json_node_alloc (), fingerprint);

  if (g_file_test (manifest, G_FILE_TEST_EXISTS))
    {
      g_autoptr (JsonNode) recorded = ftc_json_read_file (manifest, FTC_INPUT_CONFIG, NULL);
      if (recorded == NULL || !json_node_equal (recorded, now))
        {
          g_autoptr (GString) changes = g_string_new (NULL);
          if (recorded != NULL && JSON_NODE_HOLDS_OBJECT (recorded))
            describe_changes (changes, NULL, json_node_get_object (recorded), fingerprint);
          log_line (self, "  %s: evaluating again, %s was made otherwise (%s)", method, path,
                    changes->len > 0 ? changes->str : "its record is not readable");
          if (g_unlink (path) != 0 && errno != ENOENT)
            {
              g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", path, g_strerror (errno));
              return NULL;
            }
        }
      else
        return ftc_completion_store_open (path, error);
    }
  /* written first: records that exist are then always this student's */
  if (!ftc_json_write_file (manifest, now, error))
    return NULL;
  return ftc_completion_store_open (path, error);
}

/* ---- the task ----------------------------------------------------------------------------------- */

static FtcTask *
load_task (FtcPipeline *self, const FtcExperimentTask *et, GError **error)
{
  return ftc_experiment_open_task (self->exp, et, error);
}

static GPtrArray *
split_samples (FtcTask *task, GArray *positions)
{
  GPtrArray *samples = g_ptr_array_new ();

  for (guint i = 0; i < positions->len; i++)
    g_ptr_array_add (samples, g_ptr_array_index (task->samples, g_array_index (positions, int, i)));
  return samples;
}

/* ---- teach -------------------------------------------------------------------------------------- */

static void
on_teach_progress (GObject *job, GParamSpec *pspec, gpointer data)
{
  FtcPipeline *self = data;
  guint total = ftc_teach_job_get_total (FTC_TEACH_JOB (job));

  if (total > 0)
    set_fraction (self, (double) ftc_teach_job_get_done (FTC_TEACH_JOB (job)) / total);
}

/* Question order (index in the task), then completion index. */
static int
compare_records (gconstpointer pa, gconstpointer pb)
{
  const FtcRecord *a = *(FtcRecord *const *) pa, *b = *(FtcRecord *const *) pb;
  int c;

  if (a->sample_index != b->sample_index)
    return a->sample_index < b->sample_index ? -1 : 1;
  if ((c = g_strcmp0 (a->sample_id, b->sample_id)) != 0)
    return c;
  return a->completion_index < b->completion_index ? -1 : a->completion_index > b->completion_index;
}

/* Teaches one step of the experiment (core/method/ftc-experiment-teach.h) into teacher/TASK.SPLIT.jsonl and
 * returns the records there. */
static GPtrArray *
teach (FtcPipeline *self, const FtcExperimentTask *et, const char *split, const char *benchmark,
       GCancellable *cancellable, GError **error)
{
  g_autoptr (GArray) steps = ftc_experiment_teach_steps (self->exp);
  const FtcExperimentTeachStep *step = NULL;
  g_autoptr (FtcTeachJob) job = NULL;
  g_autofree char *path = NULL;
  GPtrArray *records;

  for (guint i = 0; i < steps->len && step == NULL; i++)
    {
      const FtcExperimentTeachStep *s = &g_array_index (steps, FtcExperimentTeachStep, i);
      if (g_ptr_array_index (self->exp->tasks, s->task_index) == et && strcmp (s->split, split) == 0
          && g_strcmp0 (s->benchmark, benchmark) == 0)
        step = s;
    }
  g_assert (step != NULL);   /* the caller teaches only what the steps list */
  /* the pipeline holds the folder's lock for its whole run */
  job = ftc_experiment_teach_job_new (self->exp, self->dir, step, TRUE, error);
  if (job == NULL)
    return NULL;
  g_signal_connect (job, "notify::done", G_CALLBACK (on_teach_progress), self);
  if (!ftc_teach_job_run (job, cancellable, error))
    return NULL;
  path = g_strdup (ftc_teach_job_get_records_path (job));
  log_line (self, "  teacher: %u records in %s", ftc_teach_job_get_done (job), path);
  if (ftc_teach_job_get_done (job) == 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND,
                   "%s: the teacher gave no answer to any of the %u %s questions%s",
                   benchmark != NULL ? benchmark : et->key,
                   ftc_teach_job_get_total (job) / MAX (step->samples, 1), split,
                   self->exp->teacher.kind == FTC_TEACHER_REPLAY ? " (the replay files hold none of them)" : "");
      return NULL;
    }
  records = ftc_record_read_file (path, error);
  /* the file holds answers in the order they arrived (concurrent requests, resumed runs): the fine-tuning
   * data, the tokenizer learnt from it and so the whole training must not depend on that order */
  if (records != NULL)
    g_ptr_array_sort (records, compare_records);
  return records;
}

/* ---- the student's tokenizer -------------------------------------------------------------------- */

/* From-scratch students of a task share one vocabulary, learnt from its training texts (never from the
 * test split) and kept in checkpoints/TASK.tokenizer/ so a resumed run reuses it. */
static FtcTokenizer *
task_tokenizer (FtcPipeline *self, const char *task_key, GPtrArray *texts, GError **error)
{
  g_autofree char *dir = ftc_experiment_dir_checkpoints (self->dir, task_key, "tokenizer");
  const char *kind = self->exp->student.tokenizer;
  FtcTokenizer *tok;

  g_autofree char *sources_path = g_build_filename (dir, "sources.sha256", NULL);
  g_autofree char *sources = texts_sha256 (texts, texts->len);

  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *recorded = NULL;

      /* a vocabulary learnt from other texts (another teacher run, curation or review) is not this one */
      if (g_file_test (sources_path, G_FILE_TEST_EXISTS)
          && (!ftc_file_read (sources_path, FTC_INPUT_CONFIG, &recorded, NULL, NULL)
              || strcmp (g_strstrip (recorded), sources) != 0))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH,
                       "%s was learnt from other training texts (the teacher's records, the curation or the review "
                       "changed since); the students trained with it are not this experiment's: delete %s, the "
                       "task's checkpoints and eval files (checkpoints/%s.*, eval/%s.*) to start the task over, or "
                       "run in a new folder", dir, dir, task_key, task_key);
          return NULL;
        }
      return ftc_tokenizer_load (dir, error);
    }

  g_ptr_array_add (texts, NULL);
  if (g_strcmp0 (kind, "char") == 0)
    {
      FtcCharTokenizer *ct = ftc_char_tokenizer_build ((const char *const *) texts->pdata, texts->len - 1, error);
      tok = ct != NULL ? ftc_tokenizer_new_char (ct) : NULL;
    }
  else
    {
      /* "byte": bytes alone; otherwise merges learnt from the task's text */
      guint vocab = g_strcmp0 (kind, "byte") == 0 ? 257 : FTC_PIPELINE_BPE_VOCAB;
      tok = ftc_tokenizer_train_bpe ((const char *const *) texts->pdata, texts->len - 1, vocab, error);
    }
  g_ptr_array_remove_index (texts, texts->len - 1);
  if (tok == NULL)
    return NULL;
  /* saved beside and renamed: a run killed while saving leaves no half-written tokenizer that every later
   * run would fail to load */
  {
    g_autofree char *tmp = g_strconcat (dir, ".tmp", NULL);
    g_autoptr (GFile) tmp_file = g_file_new_for_path (tmp);
    g_autoptr (GFileEnumerator) old = g_file_enumerate_children (tmp_file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                                 G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
    GFileInfo *info;

    /* a leftover of an interrupted save */
    while (old != NULL && (info = g_file_enumerator_next_file (old, NULL, NULL)) != NULL)
      {
        g_autoptr (GFile) child = g_file_get_child (tmp_file, g_file_info_get_name (info));
        g_file_delete (child, NULL, NULL);
        g_object_unref (info);
      }
    g_rmdir (tmp);
    g_autofree char *tmp_sources = g_build_filename (tmp, "sources.sha256", NULL);
    g_autofree char *sources_line = g_strconcat (sources, "\n", NULL);

    if (g_mkdir_with_parents (tmp, 0755) != 0 || !ftc_tokenizer_save (tok, tmp, error)
        || !ftc_file_write_atomic (tmp_sources, sources_line, -1, error) || g_rename (tmp, dir) != 0)
      {
        if (error != NULL && *error == NULL)
          g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", dir, g_strerror (errno));
        ftc_tokenizer_free (tok);
        return NULL;
      }
  }
  log_line (self, "  tokenizer: %u tokens learnt from %u training texts", ftc_tokenizer_vocab_size (tok),
            texts->len);
  return tok;
}

/* experiment.json student.prompt_format (validated when the experiment was read) */
static FtcPromptFormat
prompt_format (FtcPipeline *self)
{
  FtcPromptFormat f = FTC_PROMPT_PAPER;
  ftc_prompt_format_parse (self->exp->student.prompt_format, &f);
  return f;
}

/* A fresh student: from scratch with the task's vocabulary, or the pretrained model directory. */
static FtcStudent *
new_student (FtcPipeline *self, const char *task_key, GError **error)
{
  const FtcExperimentStudent *st = &self->exp->student;

  if (st->init == FTC_STUDENT_PRETRAINED)
    {
      g_autofree char *dir = ftc_experiment_resolve_path (self->exp, st->model_dir);
      return ftc_student_new_pretrained (self->be, dir, error);
    }
  {
    g_autofree char *dir = ftc_experiment_dir_checkpoints (self->dir, task_key, "tokenizer");
    FtcTokenizer *tok = ftc_tokenizer_load (dir, error);
    if (tok == NULL)
      return NULL;
    return ftc_student_new_scratch (self->be, st->preset, tok, self->exp->seeds.train, error);
  }
}

/* ---- evaluate ----------------------------------------------------------------------------------- */

typedef struct {
  int n, correct;
} FtcTally;

/* The seed of a test question's own random stream (sampled decoding): its answer does not depend on the
 * batch it was decoded in, nor on what a resumed run had left to decode. */
static guint64
question_seed (FtcPipeline *self, const FtcSample *s)
{
  return self->exp->seeds.eval * 1000003u + (guint64) s->index;
}

/* The headline answers of student to the test samples: greedy, or with evaluation.greedy false sampled at
 * evaluation.sampled_temperature from seeds.eval. With store, every answer is kept there as a completion
 * record (sample id as key, with the temperature it was decoded at) and answers already there are not
 * asked again. */
static gboolean
evaluate_headline (FtcPipeline *self, FtcStudent *student, const char *task_key, const char *method,
                 FtcAnswerFormat *format, GPtrArray *test, FtcCompletionStore *store, FtcTally *tally,
                 GCancellable *cancellable, GError **error)
{
  const FtcExperimentEvaluation *ev = &self->exp->evaluation;
  int batch = MAX (ev->batch_size, 1);
  g_autoptr (GPtrArray) todo = g_ptr_array_new ();
  FtcGenerateOptions options;

  *tally = (FtcTally) { 0 };
  for (guint i = 0; i < test->len; i++)
    {
      FtcSample *s = g_ptr_array_index (test, i);
      JsonObject *done = store != NULL ? ftc_completion_store_lookup (store, s->id) : NULL;
      if (done != NULL)
        {
          tally->n++;
          tally->correct += json_object_get_boolean_member_with_default (done, "correct", FALSE);
        }
      else
        g_ptr_array_add (todo, s);
    }

  const char *stop[] = { ftc_prompt_format_stop (prompt_format (self)), NULL };

  ftc_generate_options_init (&options);
  options.max_new_tokens = ev->max_new_tokens;
  options.batch_size = batch;
  options.stop = stop;
  if (!ev->greedy)
    options.temperature = (float) ev->sampled_temperature;
  for (guint first = 0; first < todo->len; first += batch)
    {
      guint n = MIN ((guint) batch, todo->len - first);
      g_autoptr (GPtrArray) prompts = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GPtrArray) out = NULL;
      g_autofree guint64 *seeds = g_new (guint64, n);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      for (guint i = 0; i < n; i++)
        {
          g_ptr_array_add (prompts, ftc_finetune_prompt_as (prompt_format (self),
                                                            ((FtcSample *) todo->pdata[first + i])->question));
          seeds[i] = question_seed (self, todo->pdata[first + i]);
        }
      options.seeds = seeds;
      out = ftc_student_generate (student, (const char *const *) prompts->pdata, n, &options, error);
      if (out == NULL)
        return FALSE;
      for (guint i = 0; i < n; i++)
        {
          FtcSample *s = todo->pdata[first + i];
          FtcGeneration *g = out->pdata[i];
          g_autofree char *prediction = ftc_answer_extract (format, g->text, FTC_EXTRACT_COMPLETION);
          gboolean correct = prediction != NULL && ftc_answer_match_format (format, prediction, s->answer);

          tally->n++;
          tally->correct += correct;
          if (store != NULL)
            {
              g_autoptr (JsonObject) rec = json_object_new ();
              g_autofree char *model = g_strdup_printf ("student:%s", method);
              json_object_set_string_member (rec, "task", task_key);
              json_object_set_string_member (rec, "sample_id", s->id);
              json_object_set_int_member (rec, "sample_index", s->index);
              json_object_set_int_member (rec, "completion_index", 0);
              json_object_set_string_member (rec, "question", s->question);
              json_object_set_string_member (rec, "gold", s->answer);
              json_object_set_string_member (rec, "reasoning_prompt", prompts->pdata[i]);
              json_object_set_string_member (rec, "completion", g->text);
              json_object_set_string_member (rec, "prediction", prediction != NULL ? prediction : "");
              json_object_set_boolean_member (rec, "correct", correct);
              json_object_set_string_member (rec, "finish_reason", g->finish_reason);
              json_object_set_int_member (rec, "prompt_tokens", g->prompt_ids->len);
              json_object_set_int_member (rec, "completion_tokens", g->generated_ids->len);
              json_object_set_string_member (rec, "model", model);
              json_object_set_double_member (rec, "temperature", options.temperature);
              if (!ev->greedy)
                json_object_set_int_member (rec, "seed", (gint64) seeds[i]);
              if (!ftc_completion_store_append (store, s->id, rec, NULL, error))
                return FALSE;
            }
        }
      set_fraction (self, (double) (first + n) / todo->len);
    }
  return TRUE;
}

/* pass@k, avg@k and maj@k from n samples per test question at the experiment's temperature. */
static gboolean
evaluate_sampled (FtcPipeline *self, FtcStudent *student, FtcAnswerFormat *format, GPtrArray *test,
                  FtcResult *result, GCancellable *cancellable, GError **error)
{
  const FtcExperimentEvaluation *ev = &self->exp->evaluation;
  int k = ev->sampled_k, n = MAX (ev->sampled_n, ev->sampled_k);
  g_autofree FtcSampledQuestion *questions = g_new0 (FtcSampledQuestion, test->len);
  g_autoptr (GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);
  FtcSampledMetrics metrics;
  FtcGenerateOptions options;
  const char *stop[] = { ftc_prompt_format_stop (prompt_format (self)), NULL };

  ftc_generate_options_init (&options);
  options.stop = stop;
  options.max_new_tokens = ev->max_new_tokens;
  options.temperature = (float) ev->sampled_temperature;
  options.batch_size = MAX (ev->batch_size, 1);
  for (guint q = 0; q < test->len; q++)
    {
      FtcSample *s = g_ptr_array_index (test, q);
      g_autofree char *prompt = ftc_finetune_prompt_as (prompt_format (self), s->question);
      g_autoptr (GPtrArray) prompts = g_ptr_array_new ();
      g_autoptr (GPtrArray) out = NULL;
      gboolean *correct = g_new0 (gboolean, n);
      char **answers = g_new0 (char *, n + 1);

      g_ptr_array_add (keep, correct);
      g_ptr_array_add (keep, answers);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      for (int i = 0; i < n; i++)
        g_ptr_array_add (prompts, prompt);
      /* each question draws from its own stream: results do not depend on the batch */
      options.seed = question_seed (self, s);
      out = ftc_student_generate (student, (const char *const *) prompts->pdata, n, &options, error);
      if (out == NULL)
        return FALSE;
      for (int i = 0; i < n; i++)
        {
          FtcGeneration *g = out->pdata[i];
          answers[i] = ftc_answer_extract (format, g->text, FTC_EXTRACT_COMPLETION);
          correct[i] = answers[i] != NULL && ftc_answer_match_format (format, answers[i], s->answer);
          g_ptr_array_add (keep, answers[i]);
        }
      questions[q] = (FtcSampledQuestion) { n, correct, (const char *const *) answers };
      set_fraction (self, (double) (q + 1) / test->len);
    }
  ftc_sampled_metrics_compute (questions, (int) test->len, k, &metrics);
  ftc_result_set_sampled (result, &metrics, n, ev->sampled_temperature);
  return TRUE;
}

/* ---- train -------------------------------------------------------------------------------------- */

typedef struct {
  FtcPipeline *self;
  FtcStudent *student;
  const char *task_key;
  const char *method;
  const char *ckpt_dir;
  FtcAnswerFormat *format;
  GPtrArray *test;
  int epochs;
  int steps_per_epoch;
  int best_epoch;
  double best_accuracy;
  GCancellable *cancellable;
  JsonObject *fingerprint;   /* student_fingerprint: kept in every checkpoint's state as "config" */
} FtcTrainRun;

static JsonObject *
train_state (FtcTrainRun *run, int epoch, gboolean finished)
{
  JsonObject *state = json_object_new ();

  json_object_set_string_member (state, "task", run->task_key);
  json_object_set_string_member (state, "method", run->method);
  json_object_set_int_member (state, "epoch", epoch);
  json_object_set_int_member (state, "epochs", run->epochs);
  json_object_set_boolean_member (state, "finished", finished);
  json_object_set_int_member (state, "best_epoch", run->best_epoch);
  if (isfinite (run->best_accuracy))   /* JSON has no NaN */
    json_object_set_double_member (state, "best_accuracy", run->best_accuracy);
  json_object_set_object_member (state, "config", json_object_ref (run->fingerprint));
  return state;
}

static gboolean
on_train_step (const FtcTrainProgress *p, gpointer data)
{
  FtcTrainRun *run = data;
  FtcMetricsLine line;
  g_autoptr (GError) error = NULL;

  ftc_metrics_line_init (&line);
  line.task = (char *) run->task_key;
  line.method = (char *) run->method;
  line.step = p->step;
  line.epoch = p->epoch;
  line.loss = p->loss;
  line.lr = p->lr;
  line.grad_norm = p->grad_norm;
  line.tokens_per_s = round (p->tokens_per_s);
  line.elapsed_s = round (p->elapsed_s * 1000) / 1000;
  line.total_steps = p->total_steps;
  line.device = (char *) ftc_backend_device (run->self->be)->spec;
  if (!append_metrics (run->self, &line, &error))
    g_warning ("%s", error->message);
  set_fraction (run->self, (double) p->step / p->total_steps);
  return !g_cancellable_is_cancelled (run->cancellable);
}

static gboolean
on_train_epoch (int epoch, FtcModel *model, gpointer data, GError **error)
{
  FtcTrainRun *run = data;
  FtcPipeline *self = run->self;
  const FtcExperimentTraining *tr = &self->exp->training;
  g_autoptr (JsonObject) state = NULL;
  gboolean last = epoch == run->epochs;

  if (tr->eval_every_epoch && !last && run->test->len > 0)
    {
      FtcTally tally;
      FtcMetricsLine line;
      double accuracy;

      if (!evaluate_headline (self, run->student, run->task_key, run->method, run->format, run->test, NULL, &tally,
                            run->cancellable, error))
        return FALSE;
      accuracy = tally.n > 0 ? 100.0 * tally.correct / tally.n : NAN;
      ftc_metrics_line_init (&line);
      line.task = (char *) run->task_key;
      line.method = (char *) run->method;
      line.step = (gint64) epoch * run->steps_per_epoch;
      line.epoch = epoch;
      line.test_accuracy = accuracy;
      if (!append_metrics (self, &line, error))
        return FALSE;
      if (accuracy > run->best_accuracy || run->best_epoch == 0)
        {
          run->best_accuracy = accuracy;
          run->best_epoch = epoch;
        }
      log_line (self, "    epoch %d: test accuracy %.1f%%", epoch, accuracy);
    }
  if (last || (tr->checkpoint_every_epochs > 0 && epoch % tr->checkpoint_every_epochs == 0))
    {
      /* the last epoch's checkpoint is written by train_method once the final evaluation is in */
      if (last)
        return TRUE;
      state = train_state (run, epoch, FALSE);
      return ftc_student_save_checkpoint (run->student, run->ckpt_dir, (gint64) epoch * run->steps_per_epoch,
                                          state, error);
    }
  return TRUE;
}

/* Trains (or resumes, or finds finished) the student of one method; returns it, trained. */
static FtcStudent *
train_method (FtcPipeline *self, const char *task_key, const char *method, GPtrArray *samples,
              FtcAnswerFormat *format, GPtrArray *test, FtcResult *result, gint64 *total_steps,
              GCancellable *cancellable, GError **error)
{
  const FtcExperimentTraining *tr = &self->exp->training;
  g_autofree char *ckpt_dir = ftc_experiment_dir_checkpoints (self->dir, task_key, method);
  g_autofree char *ckpt_config = g_build_filename (ckpt_dir, "config.json", NULL);
  g_autofree char *ckpt_old = g_strconcat (ckpt_dir, ".old", NULL);
  g_autofree char *ckpt_old_config = g_build_filename (ckpt_old, "config.json", NULL);
  g_autoptr (FtcStudent) student = NULL;
  g_autoptr (JsonObject) state = NULL;
  g_autoptr (GPtrArray) examples = NULL;
  g_autoptr (FtcTrainer) trainer = NULL;
  FtcTrainConfig config;
  g_autoptr (JsonObject) fingerprint = student_fingerprint (self, samples);
  FtcTrainRun run = { self, NULL, task_key, method, ckpt_dir, format, test, tr->epochs, 0, 0, NAN, cancellable,
                      fingerprint };
  gint64 step = 0;
  guint n_cut = 0;

  /* a run killed between the two renames of a checkpoint save leaves it whole under .old: its name back */
  if (!g_file_test (ckpt_dir, G_FILE_TEST_EXISTS) && g_file_test (ckpt_old_config, G_FILE_TEST_EXISTS)
      && g_rename (ckpt_old, ckpt_dir) != 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", ckpt_old, g_strerror (errno));
      return NULL;
    }
  if (g_file_test (ckpt_config, G_FILE_TEST_EXISTS))
    {
      JsonNode *recorded;

      student = ftc_student_load_checkpoint (self->be, ckpt_dir, &step, &state, error);
      if (student == NULL)
        return NULL;
      /* checkpoints of ftcot versions before the record was kept have none: taken as they are */
      recorded = state != NULL ? json_object_get_member (state, "config") : NULL;
      if (recorded != NULL)
        {
          g_autoptr (JsonNode) now = json_node_init_object (json_node_alloc (), fingerprint);
          if (!JSON_NODE_HOLDS_OBJECT (recorded) || !json_node_equal (recorded, now))
            {
              g_autoptr (GString) changes = g_string_new (NULL);
              g_autofree char *eval_path = ftc_experiment_dir_eval (self->dir, task_key, method);
              if (JSON_NODE_HOLDS_OBJECT (recorded))
                describe_changes (changes, NULL, json_node_get_object (recorded), fingerprint);
              g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH,
                           "%s %s: %s was trained with other settings (%s); its results would not be this "
                           "experiment's. Delete %s and %s to train it again with these settings, or run the "
                           "experiment in a new folder", task_key, method, ckpt_dir,
                           changes->len > 0 ? changes->str : "its record is not readable", ckpt_dir, eval_path);
              return NULL;
            }
        }
      run.best_epoch = state != NULL ? (int) json_object_get_int_member_with_default (state, "best_epoch", 0) : 0;
      run.best_accuracy = state != NULL ? json_object_get_double_member_with_default (state, "best_accuracy", NAN)
                                        : NAN;
      if (state != NULL && json_object_get_boolean_member_with_default (state, "finished", FALSE))
        {
          log_line (self, "  %s: trained already (%" G_GINT64_FORMAT " steps)", method, step);
          *total_steps = step;
          result->last_epoch = tr->epochs;
          result->best_epoch = run.best_epoch;
          result->best_epoch_accuracy = run.best_accuracy;
          return g_steal_pointer (&student);
        }
      log_line (self, "  %s: resuming after step %" G_GINT64_FORMAT, method, step);
    }
  else
    {
      student = new_student (self, task_key, error);
      if (student == NULL)
        return NULL;
    }
  run.student = student;

  examples = ftc_student_tokenize (student, samples, MIN (tr->max_seq_len, ftc_model_max_seq_len (student->model)), &n_cut,
                                   error);
  if (examples == NULL)
    return NULL;
  if (n_cut > 0)
    log_line (self, "  %s: %u examples longer than %d tokens were cut", method, n_cut,
              MIN (tr->max_seq_len, ftc_model_max_seq_len (student->model)));
  if (examples->len == 0 && n_cut > 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
                   "%s %s: every one of the %u examples leaves no completion token within %d tokens; raise "
                   "training.max_seq_len (the student's context is %d)", task_key, method, n_cut,
                   MIN (tr->max_seq_len, ftc_model_max_seq_len (student->model)), ftc_model_max_seq_len (student->model));
      return NULL;
    }
  ftc_train_config_from_experiment (tr, self->exp->seeds.train, &config);
  trainer = ftc_trainer_new (student->model, &config, examples, error);
  if (trainer == NULL)
    return NULL;
  run.steps_per_epoch = ftc_trainer_steps_per_epoch (trainer);
  ftc_trainer_set_start_step (trainer, (int) step);
  log_line (self, "  %s: training on %u examples, %d epochs of %d steps (%s)", method, examples->len, tr->epochs,
            run.steps_per_epoch, ftc_backend_device (self->be)->spec);
  if (!ftc_trainer_run (trainer, on_train_step, on_train_epoch, &run, cancellable, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  result->last_epoch = tr->epochs;
  result->best_epoch = run.best_epoch;
  result->best_epoch_accuracy = run.best_accuracy;
  state = train_state (&run, tr->epochs, TRUE);
  *total_steps = (gint64) tr->epochs * run.steps_per_epoch;
  if (!ftc_student_save_checkpoint (student, ckpt_dir, *total_steps, state, error))
    return NULL;
  return g_steal_pointer (&student);
}

/* ---- one task ----------------------------------------------------------------------------------- */

/* Chance accuracy (percent) of the answer format on the test samples. */
static double
random_accuracy (GPtrArray *test)
{
  double sum = 0.0;

  for (guint i = 0; i < test->len; i++)
    {
      FtcSample *s = g_ptr_array_index (test, i);
      if (s->answer_type == FTC_ANSWER_YESNO)
        sum += 0.5;
      else if (s->answer_type == FTC_ANSWER_CHOICE)
        {
          guint n = s->choices != NULL ? g_strv_length (s->choices) : 0;
          if (n == 0)
            n = MAX (ftc_answer_count_choices (s->question), 1);
          sum += 1.0 / n;
        }
    }
  return test->len > 0 ? 100.0 * sum / test->len : NAN;
}

/* A test set the students of a task are evaluated on: the task's own test split or a benchmark's. */
typedef struct {
  const char *key;          /* the results' task key */
  const char *benchmark;    /* NULL: the task's own test split */
  FtcTask *task;            /* a benchmark's (owned); NULL for the task's own */
  GPtrArray *test;          /* FtcSample* */
  FtcAnswerFormat format;
} Evaluation;

static void
evaluation_free (gpointer p)
{
  Evaluation *e = p;
  g_clear_pointer (&e->test, g_ptr_array_unref);
  g_clear_pointer (&e->task, ftc_task_free);
  g_free (e);
}

/* The teacher on a test set: its first answer to each question is the headline; with evaluation.teacher_k
 * answers, pass@1 (avg@k), pass@k and maj@k too. */
static gboolean
evaluate_teacher (FtcPipeline *self, const FtcExperimentTask *et, const char *benchmark, const FtcAnswerFormat *format,
                  FtcResult *result, FtcTally *tally, GCancellable *cancellable, GError **error)
{
  const FtcExperimentEvaluation *ev = &self->exp->evaluation;
  g_autoptr (GPtrArray) records = teach (self, et, "test", benchmark, cancellable, error);
  g_autoptr (FtcScoreSamples) samples = NULL;

  if (records == NULL)
    return FALSE;
  samples = ftc_score_samples_new (format);
  for (guint r = 0; r < records->len; r++)
    {
      FtcRecord *record = records->pdata[r];
      if (record->completion_index == 0)
        {
          tally->n++;
          tally->correct += record->correct;
        }
      ftc_score_samples_add (samples, record, record->prediction, record->correct);
    }
  if (ev->teacher_k > 1)
    {
      FtcSampledMetrics metrics;
      ftc_score_samples_metrics (samples, ev->teacher_k, &metrics);
      ftc_result_set_sampled (result, &metrics, ev->teacher_k, ev->sampled_temperature);
    }
  return TRUE;
}

static gboolean
run_task (FtcPipeline *self, const FtcExperimentTask *et, GCancellable *cancellable, GError **error)
{
  const FtcExperiment *exp = self->exp;
  g_autoptr (FtcTask) task = NULL;
  g_autoptr (GPtrArray) train = NULL;
  g_autoptr (GPtrArray) test = NULL;
  g_autoptr (GPtrArray) train_records = NULL;
  g_autoptr (GPtrArray) kept = NULL;
  g_autoptr (GPtrArray) texts = g_ptr_array_new ();
  g_autoptr (GPtrArray) method_samples = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr (GPtrArray) vocab_samples = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr (FtcReview) review = NULL;
  g_autofree char *review_path = ftc_experiment_dir_review (self->dir);
  const FtcTaskInfo *info;
  FtcAnswerFormat format;
  FtcCurateStats stats = { 0 };
  int max_d = ftc_experiment_max_diversity (exp);
  gboolean trains = FALSE;
  g_autoptr (GPtrArray) evaluations = g_ptr_array_new_with_free_func (evaluation_free);

  task = load_task (self, et, error);
  if (task == NULL)
    return FALSE;
  info = ftc_task_info_lookup (task->key);
  ftc_report_set_title (self->report, et->key, info != NULL ? info->title : task->title);
  format = ftc_answer_format_for_task (task);
  train = split_samples (task, task->train);
  test = split_samples (task, task->test);
  log_line (self, "%s: %u training and %u test questions", et->key, train->len, test->len);
  {
    /* the task's own test split first (borrowed: the task outlives the evaluations) */
    Evaluation *own = g_new0 (Evaluation, 1);
    own->key = et->key;
    own->test = g_ptr_array_ref (test);
    own->format = format;
    g_ptr_array_add (evaluations, own);
  }
  for (guint i = 0; i < exp->methods->len; i++)
    trains |= ftc_method_trains (&g_array_index (exp->methods, FtcMethod, i));

  /* teach: the training questions, D samples each */
  if (max_d > 0)
    {
      set_progress (self, "teach", et->key, NULL, 0.0);
      log_line (self, "  teaching %u questions, %d rationales each", train->len, exp->teacher.samples);
      train_records = teach (self, et, "train", NULL, cancellable, error);
      if (train_records == NULL)
        return FALSE;

      set_progress (self, "curate", et->key, NULL, 0.0);
      review = ftc_review_load (review_path, error);
      if (review == NULL)
        return FALSE;
      kept = ftc_curate (train_records, &exp->curation, review, &stats);
      log_line (self, "  curated: %u of %u rationales kept (%u correct, %u rejected in review, %u edited)",
                stats.kept, stats.total, stats.correct, stats.rejected, stats.edited);
      if (stats.kept == 0)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
                       "%s: the teacher answered none of the %u training questions correctly; there is nothing to "
                       "fine-tune on (check the teacher, its answer trigger and the task)", et->key, train->len);
          return FALSE;
        }
    }

  /* fine-tuning data of every method, written for inspection and for other tools */
  set_progress (self, "finetune", et->key, NULL, 0.0);
  for (guint i = 0; i < exp->methods->len; i++)
    {
      const FtcMethod *m = &g_array_index (exp->methods, FtcMethod, i);
      g_autofree char *name = ftc_method_to_string (m);
      GPtrArray *samples = ftc_curate_finetune_samples_as (prompt_format (self), m, train, kept);

      g_ptr_array_add (method_samples, samples);
      if (!ftc_method_trains (m))
        continue;
      {
        g_autofree char *path = ftc_experiment_dir_finetune (self->dir, et->key, name);
        if (!ftc_finetune_save (samples, path, error))
          return FALSE;
      }
    }
  if (exp->student.init == FTC_STUDENT_SCRATCH && (trains || ftc_experiment_has_method (exp, "zero_shot")))
    {
      /* The vocabulary is learnt from the vanilla and D = 1 fine-tuning texts whatever the methods are, so
       * that adding or dropping a method (ft_cot_d4, say) never changes another method's student. */
      static const FtcMethod vocab_methods[] = { { FTC_METHOD_VANILLA, 0 }, { FTC_METHOD_FT_COT, 1 } };
      g_autoptr (FtcTokenizer) tok = NULL;

      for (guint i = 0; i < (kept != NULL ? G_N_ELEMENTS (vocab_methods) : 1); i++)
        {
          GPtrArray *samples = ftc_curate_finetune_samples_as (prompt_format (self), &vocab_methods[i], train, kept);
          g_ptr_array_add (vocab_samples, samples);
          for (guint k = 0; k < samples->len; k++)
            {
              FtcFinetuneSample *s = g_ptr_array_index (samples, k);
              g_ptr_array_add (texts, s->prompt);
              g_ptr_array_add (texts, s->completion);
            }
        }
      tok = task_tokenizer (self, et->key, texts, error);
      if (tok == NULL)
        return FALSE;
    }

  /* the benchmarks this task's students (and the teacher) are tested on besides its own test split */
  for (guint b = 0; et->benchmarks != NULL && et->benchmarks[b] != NULL; b++)
    {
      Evaluation *e = g_new0 (Evaluation, 1);
      const FtcTaskInfo *binfo;

      g_ptr_array_add (evaluations, e);
      e->key = et->benchmarks[b];
      e->benchmark = et->benchmarks[b];
      e->task = ftc_experiment_open_benchmark (exp, e->key, error);
      if (e->task == NULL)
        return FALSE;
      e->test = split_samples (e->task, e->task->test);
      e->format = ftc_answer_format_for_task (e->task);
      binfo = ftc_task_info_lookup (e->key);
      ftc_report_set_title (self->report, e->key, binfo != NULL ? binfo->title : e->task->title);
      ftc_report_set_trained_on (self->report, e->key, et->key);
      log_line (self, "%s: a benchmark of %s, %u test questions", e->key, et->key, e->test->len);
    }

  for (guint i = 0; i < exp->methods->len; i++)
    {
      const FtcMethod *m = &g_array_index (exp->methods, FtcMethod, i);
      g_autofree char *name = ftc_method_to_string (m);
      g_autoptr (FtcStudent) student = NULL;
      FtcResult *trained = NULL;
      gint64 total_steps = 0;

      switch (m->kind)
        {
        case FTC_METHOD_ZERO_SHOT:
          student = new_student (self, et->key, error);
          if (student == NULL)
            return FALSE;
          break;

        case FTC_METHOD_VANILLA:
        case FTC_METHOD_FT_COT:
          {
            GPtrArray *samples = g_ptr_array_index (method_samples, i);
            if (samples->len == 0)
              {
                g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
                             "%s %s: no fine-tuning samples (no correct rationale among the first %d)", et->key,
                             name, m->diversity);
                return FALSE;
              }
            /* the training curve's figures belong to the task trained on, whether or not it has test questions */
            trained = ftc_result_new (et->key, name);
            set_progress (self, "train", et->key, name, 0.0);
            student = train_method (self, et->key, name, samples, &format, test, trained, &total_steps,
                                    cancellable, error);
            if (student == NULL)
              {
                ftc_result_free (trained);
                return FALSE;
              }
            break;
          }
        default:
          break;
        }

      for (guint v = 0; v < evaluations->len; v++)
        {
          Evaluation *e = evaluations->pdata[v];
          FtcResult *result = ftc_result_new (e->key, name);
          FtcTally tally = { 0 };

          if (e->test->len == 0)
            {
              /* a task without test questions (math_train): its students are tested on its benchmarks */
              ftc_result_free (result);
              continue;
            }
          ftc_report_add_result (self->report, result);
          result->train_size = (int) train->len;
          result->diversity = m->kind == FTC_METHOD_FT_COT ? m->diversity : 0;
          if (trained != NULL)
            {
              result->last_epoch = trained->last_epoch;
              if (e->benchmark == NULL)
                {
                  result->best_epoch = trained->best_epoch;
                  result->best_epoch_accuracy = trained->best_epoch_accuracy;
                }
            }
          if (m->kind == FTC_METHOD_RANDOM)
            {
              result->accuracy.value = random_accuracy (e->test);
              result->n = (int) e->test->len;
              log_line (self, "  %s random: %.1f%%", e->key, result->accuracy.value);
              continue;
            }
          if (m->kind == FTC_METHOD_TEACHER)
            {
              set_progress (self, "teach", e->key, name, 0.0);
              log_line (self, "  teaching the %u test questions of %s for the teacher's own accuracy", e->test->len,
                        e->key);
              if (!evaluate_teacher (self, et, e->benchmark, &e->format, result, &tally, cancellable, error))
                return FALSE;
            }
          else if (student != NULL)
            {
              g_autoptr (JsonObject) student_fp = student_fingerprint (self, ftc_method_trains (m)
                                                                             ? g_ptr_array_index (method_samples, i)
                                                                             : NULL);
              g_autoptr (JsonObject) eval_fp = eval_fingerprint (self, student_fp);
              g_autoptr (FtcCompletionStore) store = open_eval_store (self, e->key, name, eval_fp, error);

              if (store == NULL)
                return FALSE;
              set_progress (self, "evaluate", e->key, name, 0.0);
              if (!evaluate_headline (self, student, e->key, name, &e->format, e->test, store, &tally, cancellable,
                                      error))
                return FALSE;
              if (exp->evaluation.sampled_k > 0 && ftc_method_trains (m)
                  && !evaluate_sampled (self, student, &e->format, e->test, result, cancellable, error))
                return FALSE;
            }
          ftc_result_set_accuracy (result, tally.correct, tally.n);
          if (e->benchmark == NULL && ftc_method_trains (m) && isnan (result->best_epoch_accuracy) == FALSE
              && result->accuracy.value >= result->best_epoch_accuracy)
            {
              result->best_epoch = result->last_epoch;
              result->best_epoch_accuracy = result->accuracy.value;
            }
          if (ftc_method_trains (m) && e->benchmark == NULL)
            {
              FtcMetricsLine line;
              ftc_metrics_line_init (&line);
              line.task = (char *) et->key;
              line.method = (char *) name;
              line.step = total_steps;
              line.epoch = result->last_epoch;
              line.test_accuracy = result->accuracy.value;
              if (!append_metrics (self, &line, error))
                return FALSE;
            }
          log_line (self, "  %s %s: %.1f%% (%d of %d)", e->key, name, result->accuracy.value, tally.correct, tally.n);
        }
      g_clear_pointer (&trained, ftc_result_free);
    }
  return TRUE;
}

/* ---- the whole run ------------------------------------------------------------------------------ */

static gboolean run_locked (FtcPipeline *self, GCancellable *cancellable, GError **error);

gboolean
ftc_pipeline_run (FtcPipeline *self, GCancellable *cancellable, GError **error)
{
  /* one process at a time per experiment: two would append to the same files and save over each other's
   * checkpoints */
  g_autoptr (FtcDirLock) lock = ftc_dir_lock_acquire (self->dir, "experiment", error);

  if (lock == NULL)
    return FALSE;
  return run_locked (self, cancellable, error);
}

static gboolean
run_locked (FtcPipeline *self, GCancellable *cancellable, GError **error)
{
  g_autofree char *metrics_path = ftc_experiment_dir_metrics (self->dir);
  g_autofree char *report_dir = ftc_experiment_dir_report (self->dir);
  g_autofree char *summary_path = g_build_filename (report_dir, "summary.json", NULL);

  if (self->be == NULL)
    {
      self->be = ftc_device_open (self->exp->device, error);
      if (self->be == NULL)
        return FALSE;
      g_mutex_lock (&self->lock);
      replace_str (&self->device, ftc_backend_device (self->be)->spec);
      g_mutex_unlock (&self->lock);
      log_line (self, "device: %s (%s)", ftc_backend_device (self->be)->spec, ftc_backend_device (self->be)->name);
    }
  {
    /* a checkpoint save killed midway leaves a temporary folder; no save runs now (the lock is ours) */
    g_autofree char *checkpoints = g_build_filename (self->dir, "checkpoints", NULL);
    guint removed = ftc_checkpoint_remove_leftovers (checkpoints);
    if (removed > 0)
      log_line (self, "removed %u unfinished checkpoint save%s", removed, removed == 1 ? "" : "s");
  }
  self->metrics = fopen (metrics_path, "a");
  if (self->metrics == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", metrics_path, g_strerror (errno));
      return FALSE;
    }
  g_clear_pointer (&self->report, ftc_report_free);
  self->report = ftc_report_new (self->exp->name);
  if (!self->exp->evaluation.greedy)
    {
      self->report->decoding_temperature = self->exp->evaluation.sampled_temperature;
      self->report->decoding_seed = self->exp->seeds.eval;
    }

  for (guint i = 0; i < self->exp->tasks->len; i++)
    if (!run_task (self, g_ptr_array_index (self->exp->tasks, i), cancellable, error))
      {
        g_clear_pointer (&self->metrics, fclose);
        return FALSE;
      }
  if (g_fsync (fileno (self->metrics)) != 0 && errno != EINVAL)
    g_debug ("fsync %s: %s", metrics_path, g_strerror (errno));
  g_clear_pointer (&self->metrics, fclose);

  set_progress (self, "report", NULL, NULL, 0.0);
  if (g_mkdir_with_parents (report_dir, 0755) != 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", report_dir, g_strerror (errno));
      return FALSE;
    }
  if (!ftc_report_write (self->report, report_dir, metrics_path, 960, 600, FTC_CHART_THEME_LIGHT, NULL, error))
    return FALSE;
  log_line (self, "report: %s", summary_path);
  set_progress (self, "done", NULL, NULL, 1.0);
  return TRUE;
}

static void
run_in_thread (GTask *gtask, gpointer source, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (ftc_pipeline_run (source, cancellable, &error))
    g_task_return_boolean (gtask, TRUE);
  else
    g_task_return_error (gtask, error);
}

void
ftc_pipeline_run_async (FtcPipeline *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                        gpointer user_data)
{
  g_autoptr (GTask) gtask = g_task_new (self, cancellable, callback, user_data);

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  g_mutex_unlock (&self->lock);
  g_task_set_source_tag (gtask, ftc_pipeline_run_async);
  g_task_run_in_thread (gtask, run_in_thread);
}

gboolean
ftc_pipeline_run_finish (FtcPipeline *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  /* what the worker posted last reaches the main context before the caller hears of the end */
  flush_updates (self);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- object ------------------------------------------------------------------------------------- */

FtcPipeline *
ftc_pipeline_new (const char *dir, FtcExperiment *exp, GError **error)
{
  g_autoptr (FtcPipeline) self = g_object_new (FTC_TYPE_PIPELINE, NULL);
  g_autofree char *config_path = ftc_experiment_dir_config (dir);

  self->dir = g_strdup (dir);
  if (!ftc_experiment_dir_create (dir, error))
    {
      ftc_experiment_free (exp);
      return NULL;
    }
  if (exp == NULL)
    {
      self->exp = ftc_experiment_load (config_path, error);
      if (self->exp == NULL)
        return NULL;
      return g_steal_pointer (&self);
    }
  self->exp = exp;
  if (g_file_test (config_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr (FtcExperiment) saved = ftc_experiment_load (config_path, error);
      g_autoptr (JsonNode) a = NULL;
      g_autoptr (JsonNode) b = NULL;

      if (saved == NULL)
        return NULL;
      a = ftc_experiment_to_json (saved);
      b = ftc_experiment_to_json (exp);
      if (!json_node_equal (a, b))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH,
                       "%s holds another experiment; its finished stages would not match this configuration: "
                       "use another directory, or run `ftcot run %s` to continue it", config_path, dir);
          return NULL;
        }
      return g_steal_pointer (&self);
    }
  if (!ftc_experiment_save (exp, config_path, error))
    return NULL;
  return g_steal_pointer (&self);
}

const FtcExperiment *ftc_pipeline_get_experiment (FtcPipeline *self) { return self->exp; }
const char *ftc_pipeline_get_dir (FtcPipeline *self) { return self->dir; }
const FtcReport *ftc_pipeline_get_report (FtcPipeline *self) { return self->report; }

#define LOCKED_STRING_GETTER(name, field)                                                                     \
  const char *ftc_pipeline_get_##name (FtcPipeline *self)                                                     \
  {                                                                                                           \
    const char *value;                                                                                        \
    g_mutex_lock (&self->lock);                                                                               \
    value = g_intern_string (self->field);                                                                    \
    g_mutex_unlock (&self->lock);                                                                             \
    return value;                                                                                             \
  }

LOCKED_STRING_GETTER (stage, stage)
LOCKED_STRING_GETTER (task, task)
LOCKED_STRING_GETTER (method, method)
LOCKED_STRING_GETTER (device, device)

double
ftc_pipeline_get_fraction (FtcPipeline *self)
{
  double value;

  g_mutex_lock (&self->lock);
  value = self->fraction;
  g_mutex_unlock (&self->lock);
  return value;
}

static void
ftc_pipeline_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FtcPipeline *self = FTC_PIPELINE (object);

  switch (prop_id)
    {
    case PROP_STAGE: g_value_set_string (value, ftc_pipeline_get_stage (self)); break;
    case PROP_TASK: g_value_set_string (value, ftc_pipeline_get_task (self)); break;
    case PROP_METHOD: g_value_set_string (value, ftc_pipeline_get_method (self)); break;
    case PROP_DEVICE: g_value_set_string (value, ftc_pipeline_get_device (self)); break;
    case PROP_FRACTION: g_value_set_double (value, ftc_pipeline_get_fraction (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ftc_pipeline_finalize (GObject *object)
{
  FtcPipeline *self = FTC_PIPELINE (object);

  g_free (self->dir);
  ftc_experiment_free (self->exp);
  g_clear_pointer (&self->report, ftc_report_free);
  g_clear_pointer (&self->be, ftc_backend_free);
  g_clear_pointer (&self->metrics, fclose);
  g_free (self->stage);
  g_free (self->task);
  g_free (self->method);
  g_free (self->device);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_ptr_array_unref (self->pending_logs);
  g_ptr_array_unref (self->pending_metrics);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (ftc_pipeline_parent_class)->finalize (object);
}

static void
ftc_pipeline_class_init (FtcPipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = ftc_pipeline_get_property;
  object_class->finalize = ftc_pipeline_finalize;
  props[PROP_STAGE] = g_param_spec_string ("stage", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_TASK] = g_param_spec_string ("task", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_METHOD] = g_param_spec_string ("method", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_DEVICE] = g_param_spec_string ("device", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
  signals[SIGNAL_LOG] = g_signal_new ("log", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                      G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_METRICS] = g_signal_new ("metrics", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ftc_pipeline_init (FtcPipeline *self)
{
  g_mutex_init (&self->lock);
  self->stage = g_strdup ("teach");
  self->pending_logs = g_ptr_array_new_with_free_func (g_free);
  self->pending_metrics = g_ptr_array_new_with_free_func (g_free);
}
