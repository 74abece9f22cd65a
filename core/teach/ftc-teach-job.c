#include "core/teach/ftc-teach-job.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"

#include <string.h>

#include "core/ftc-error.h"

struct _FtcTeachJob {
  GObject parent;

  FtcTeacher *teacher;
  FtcTask *task;
  char *split;
  FtcTeachPlan plan;
  char *records_path;
  char *manifest_path;
  char *summary_path;
  FtcCompletionStore *records;
  FtcCompletionStore *requests;
  FtcDirLock *dir_lock;       /* the output folder's, when the job holds it; else NULL */

  /* written by the worker, under lock */
  GMutex lock;
  guint live_done;
  FtcTeachUsage live_usage;
  gboolean update_pending;
  gboolean same_thread;
  GMainContext *context;
  gboolean running;

  /* what the properties show (main context) */
  guint done;
  guint total;
  FtcTeachUsage usage;
};

enum {
  PROP_0,
  PROP_DONE,
  PROP_TOTAL,
  PROP_IN_FLIGHT,
  PROP_TOKENS,
  PROP_COST,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE (FtcTeachJob, ftc_teach_job, G_TYPE_OBJECT)

char *
ftc_teach_job_path (const char *out_dir, const char *task_key, const char *split, const char *suffix)
{
  g_autofree char *name = g_strconcat (task_key, ".", split, suffix, NULL);

  /* an imported task may be named by a path: keep only its last part */
  g_strdelimit (name, "/\\:", '_');
  return g_build_filename (out_dir, "teacher", name, NULL);
}

static char *
record_key (const char *task_key, const FtcSample *sample, guint k)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "task");
  json_builder_add_string_value (b, task_key);
  json_builder_set_member_name (b, "sample_id");
  json_builder_add_string_value (b, sample->id);
  json_builder_set_member_name (b, "completion_index");
  json_builder_add_int_value (b, k);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return ftc_completion_key (root);
}

static void
ftc_teach_job_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FtcTeachJob *job = FTC_TEACH_JOB (object);

  switch (prop_id)
    {
    case PROP_DONE:
      g_value_set_uint (value, job->done);
      break;
    case PROP_TOTAL:
      g_value_set_uint (value, job->total);
      break;
    case PROP_IN_FLIGHT:
      g_value_set_uint (value, job->usage.in_flight);
      break;
    case PROP_TOKENS:
      g_value_set_uint64 (value, job->usage.prompt_tokens + job->usage.completion_tokens);
      break;
    case PROP_COST:
      g_value_set_double (value, job->usage.cost_usd);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ftc_teach_job_finalize (GObject *object)
{
  FtcTeachJob *job = FTC_TEACH_JOB (object);

  ftc_teacher_free (job->teacher);
  if (job->plan.positions != NULL)
    g_array_unref (job->plan.positions);
  ftc_task_free (job->task);
  g_free ((char *) job->plan.reasoning_trigger);
  g_free ((char *) job->plan.answer_trigger);
  g_free ((char *) job->plan.system_prompt);
  g_free (job->split);
  g_free (job->records_path);
  g_free (job->manifest_path);
  g_free (job->summary_path);
  ftc_completion_store_free (job->records);
  ftc_completion_store_free (job->requests);
  /* the files are closed: the folder is free for others */
  g_clear_pointer (&job->dir_lock, ftc_dir_lock_release);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_mutex_clear (&job->lock);
  G_OBJECT_CLASS (ftc_teach_job_parent_class)->finalize (object);
}

static void
ftc_teach_job_class_init (FtcTeachJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = ftc_teach_job_get_property;
  object_class->finalize = ftc_teach_job_finalize;
  props[PROP_DONE] = g_param_spec_uint ("done", NULL, "Records saved", 0, G_MAXUINT, 0,
                                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_TOTAL] = g_param_spec_uint ("total", NULL, "Records wanted", 0, G_MAXUINT, 0,
                                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_IN_FLIGHT] = g_param_spec_uint ("in-flight", NULL, "Requests in flight", 0, G_MAXUINT, 0,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_TOKENS] = g_param_spec_uint64 ("tokens", NULL, "Tokens used in this run", 0, G_MAXUINT64, 0,
                                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_COST] = g_param_spec_double ("cost", NULL, "USD spent in this run (< 0: unknown price)", -1,
                                          G_MAXDOUBLE, 0,
                                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
ftc_teach_job_init (FtcTeachJob *job)
{
  g_mutex_init (&job->lock);
  job->usage.cost_usd = 0;
}

/* ---- manifest ---- */

static JsonObject *
manifest_new (FtcTeachJob *job)
{
  JsonObject *m = json_object_new ();

  json_object_set_string_member (m, "task", job->task->key);
  json_object_set_string_member (m, "split", job->split);
  json_object_set_object_member (m, "teacher", ftc_teacher_describe (job->teacher));
  json_object_set_int_member (m, "samples", job->plan.samples);
  json_object_set_double_member (m, "temperature", job->plan.temperature);
  json_object_set_int_member (m, "max_tokens", job->plan.max_tokens);
  json_object_set_int_member (m, "answer_max_tokens", job->plan.answer_max_tokens);
  /* the prompts sent: records made with other templates must not be mixed in */
  if (job->plan.reasoning_trigger != NULL)
    json_object_set_string_member (m, "reasoning_trigger", job->plan.reasoning_trigger);
  if (job->plan.answer_trigger != NULL)
    json_object_set_string_member (m, "answer_trigger", job->plan.answer_trigger);
  if (job->plan.system_prompt != NULL)
    json_object_set_string_member (m, "system_prompt", job->plan.system_prompt);
  /* the Zero-shot-CoT manifests written before there were prompt styles stay as they were */
  if (job->plan.prompt_style != FTC_PROMPT_ZERO_SHOT_COT)
    {
      json_object_set_string_member (m, "prompt_style", ftc_prompt_style_to_string (job->plan.prompt_style));
      json_object_set_int_member (m, "max_completion_tokens", job->plan.max_completion_tokens);
    }
  return m;
}

static char *
member_text (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL)
    return g_strdup ("(none)");
  return ftc_json_to_compact (n);
}

static gboolean
write_json_atomic (const char *path, JsonObject *o, GError **error)
{
  return ftc_json_write_object_file (path, o, error);
}

/* The records in the folder must come from the same teacher with the same parameters (D may grow). */
static gboolean
check_manifest (FtcTeachJob *job, GError **error)
{
  g_autoptr (JsonObject) mine = manifest_new (job);
  static const char *const same[] = { "task", "split", "teacher", "temperature", "max_tokens", "answer_max_tokens",
                                      "reasoning_trigger", "answer_trigger", "system_prompt", "prompt_style",
                                      "max_completion_tokens" };

  /* no record yet (a dry run, a run stopped before its first answer): nothing can get mixed */
  if (ftc_completion_store_size (job->records) > 0 && ftc_path_exists (job->manifest_path))
    {
      g_autoptr (JsonObject) theirs = ftc_json_read_object_file (job->manifest_path, FTC_INPUT_CONFIG, error);

      if (theirs == NULL)
        return FALSE;
      for (gsize i = 0; i < G_N_ELEMENTS (same); i++)
        {
          g_autofree char *a = member_text (mine, same[i]);
          g_autofree char *b = member_text (theirs, same[i]);
          if (strcmp (a, b) != 0)
            {
              g_set_error (error, FTC_ERROR, FTC_ERROR_MISMATCH,
                           "%s: the records there come from %s = %s, not %s; use another output folder",
                           job->manifest_path, same[i], b, a);
              return FALSE;
            }
        }
    }
  return write_json_atomic (job->manifest_path, mine, error);
}

FtcTeachJob *
ftc_teach_job_new (FtcTeacher *teacher, FtcTask *task, const char *split, const FtcTeachPlan *plan,
                   const char *out_dir, GError **error)
{
  g_autoptr (FtcTeachJob) job = g_object_new (FTC_TYPE_TEACH_JOB, NULL);

  job->teacher = teacher;
  job->task = task;
  job->split = g_strdup (split);
  job->plan = *plan;
  job->plan.task = task;
  /* the defaults are kept as NULL, so a folder taught with them spelt out matches one taught without */
  job->plan.reasoning_trigger = g_strcmp0 (plan->reasoning_trigger, FTC_COT_TRIGGER) != 0
                                ? g_strdup (plan->reasoning_trigger) : NULL;
  job->plan.answer_trigger = g_strcmp0 (plan->answer_trigger, task->answer_trigger) != 0
                             ? g_strdup (plan->answer_trigger) : NULL;
  job->plan.system_prompt = plan->system_prompt != NULL && plan->system_prompt[0] != '\0'
                            ? g_strdup (plan->system_prompt) : NULL;
  job->records_path = ftc_teach_job_path (out_dir, task->key, split, ".jsonl");
  job->manifest_path = ftc_teach_job_path (out_dir, task->key, split, ".json");
  job->summary_path = ftc_teach_job_path (out_dir, task->key, split, ".summary.json");
  if (job->plan.samples == 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "samples per question must be at least 1");
      return NULL;
    }
  job->records = ftc_completion_store_open (job->records_path, error);
  if (job->records == NULL || !check_manifest (job, error))
    return NULL;
  /* a record is rebuilt for free from the teacher's fsync'ed answer cache (or the replay file, or the
   * scripted teacher's seed): group commits spare an fsync per record */
  ftc_completion_store_set_sync_interval (job->records, 0.2);
  job->total = plan->positions->len * plan->samples;
  for (guint i = 0; i < plan->positions->len; i++)
    {
      const FtcSample *sample = task->samples->pdata[g_array_index (plan->positions, int, i)];
      for (guint k = 0; k < plan->samples; k++)
        {
          g_autofree char *key = record_key (task->key, sample, k);
          job->done += ftc_completion_store_lookup (job->records, key) != NULL;
        }
    }
  job->live_done = job->done;
  job->usage.cost_usd = 0;
  return g_steal_pointer (&job);
}

void
ftc_teach_job_hold_lock (FtcTeachJob *job, FtcDirLock *lock)
{
  g_clear_pointer (&job->dir_lock, ftc_dir_lock_release);
  job->dir_lock = lock;
}

void
ftc_teach_job_set_request_store (FtcTeachJob *job, FtcCompletionStore *store)
{
  ftc_completion_store_free (job->requests);
  job->requests = store;
}

guint ftc_teach_job_get_done (FtcTeachJob *job) { return job->done; }
guint ftc_teach_job_get_total (FtcTeachJob *job) { return job->total; }
guint ftc_teach_job_get_in_flight (FtcTeachJob *job) { return job->usage.in_flight; }
guint64 ftc_teach_job_get_tokens (FtcTeachJob *job) { return job->usage.prompt_tokens + job->usage.completion_tokens; }
double ftc_teach_job_get_cost (FtcTeachJob *job) { return job->usage.cost_usd; }
const char *ftc_teach_job_get_records_path (FtcTeachJob *job) { return job->records_path; }
const char *ftc_teach_job_get_teacher_kind (FtcTeachJob *job) { return ftc_teacher_kind (job->teacher); }

void
ftc_teach_job_get_usage (FtcTeachJob *job, FtcTeachUsage *usage)
{
  *usage = job->usage;
}

/* ---- progress ---- */

static gboolean
publish (gpointer data)
{
  FtcTeachJob *job = data;
  FtcTeachUsage old = job->usage;
  guint old_done = job->done;

  g_mutex_lock (&job->lock);
  job->done = job->live_done;
  job->usage = job->live_usage;
  job->update_pending = FALSE;
  g_mutex_unlock (&job->lock);

  g_object_freeze_notify (G_OBJECT (job));
  if (job->done != old_done)
    g_object_notify_by_pspec (G_OBJECT (job), props[PROP_DONE]);
  if (job->usage.in_flight != old.in_flight)
    g_object_notify_by_pspec (G_OBJECT (job), props[PROP_IN_FLIGHT]);
  if (job->usage.prompt_tokens + job->usage.completion_tokens != old.prompt_tokens + old.completion_tokens)
    g_object_notify_by_pspec (G_OBJECT (job), props[PROP_TOKENS]);
  if (job->usage.cost_usd != old.cost_usd)
    g_object_notify_by_pspec (G_OBJECT (job), props[PROP_COST]);
  g_object_thaw_notify (G_OBJECT (job));
  return G_SOURCE_REMOVE;
}

/* From the worker: at most one update waits in the main context, carrying the latest numbers. */
static void
post_update (FtcTeachJob *job)
{
  gboolean schedule = FALSE;

  if (job->same_thread)
    {
      publish (job);
      return;
    }
  g_mutex_lock (&job->lock);
  if (!job->update_pending)
    schedule = job->update_pending = TRUE;
  g_mutex_unlock (&job->lock);
  if (schedule)
    {
      GSource *source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
      g_source_set_callback (source, publish, g_object_ref (job), g_object_unref);
      g_source_attach (source, job->context);
      g_source_unref (source);
    }
}

static gboolean
sink_is_done (gpointer user_data, const FtcSample *sample, guint k)
{
  FtcTeachJob *job = user_data;
  g_autofree char *key = record_key (job->task->key, sample, k);

  return ftc_completion_store_lookup (job->records, key) != NULL;
}

static gboolean
sink_emit (gpointer user_data, const FtcTeacherOutput *out, GError **error)
{
  FtcTeachJob *job = user_data;
  g_autofree char *key = record_key (job->task->key, out->sample, out->completion_index);
  g_autoptr (JsonObject) record = ftc_teacher_output_to_record (job->task, out);
  gboolean was_new = FALSE;

  if (!ftc_completion_store_append (job->records, key, record, &was_new, error))
    return FALSE;
  if (was_new)
    {
      g_mutex_lock (&job->lock);
      job->live_done++;
      g_mutex_unlock (&job->lock);
      post_update (job);
    }
  return TRUE;
}

static void
sink_progress (gpointer user_data, const FtcTeachUsage *usage)
{
  FtcTeachJob *job = user_data;

  g_mutex_lock (&job->lock);
  job->live_usage = *usage;
  g_mutex_unlock (&job->lock);
  post_update (job);
}

void
ftc_teach_job_estimate (FtcTeachJob *job, FtcTeachEstimate *out)
{
  FtcTeachSink sink = { sink_is_done, sink_emit, NULL, job };

  ftc_teacher_estimate (job->teacher, &job->plan, &sink, out);
}

static void
write_summary (FtcTeachJob *job, gboolean ok, const GError *error)
{
  g_autoptr (JsonObject) s = json_object_new ();
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format_iso8601 (now);
  g_autoptr (GError) local = NULL;
  JsonObject *u = json_object_new ();
  FtcTeachUsage usage;
  const char *status = "done";

  g_mutex_lock (&job->lock);
  usage = job->live_usage;
  json_object_set_int_member (s, "done", job->live_done);
  g_mutex_unlock (&job->lock);
  if (!ok)
    status = g_error_matches (error, FTC_ERROR, FTC_ERROR_CANCELLED) ? "cancelled"
             : g_error_matches (error, FTC_ERROR, FTC_ERROR_BUDGET) ? "budget" : "failed";
  json_object_set_string_member (s, "status", status);
  if (!ok)
    json_object_set_string_member (s, "message", error->message);
  json_object_set_int_member (s, "total", job->total);
  json_object_set_int_member (u, "requests", usage.requests);
  json_object_set_int_member (u, "cached", usage.cached);
  json_object_set_int_member (u, "prompt_tokens", usage.prompt_tokens);
  json_object_set_int_member (u, "completion_tokens", usage.completion_tokens);
  if (usage.reasoning_tokens > 0)
    json_object_set_int_member (u, "reasoning_tokens", usage.reasoning_tokens);
  if (usage.cost_usd >= 0)
    json_object_set_double_member (u, "cost_usd", usage.cost_usd);
  json_object_set_int_member (u, "missing", usage.missing);
  json_object_set_object_member (s, "usage", u);
  json_object_set_string_member (s, "finished", when);
  if (!write_json_atomic (job->summary_path, s, &local))
    g_warning ("%s", local->message);
}

static gboolean
run_here (FtcTeachJob *job, GCancellable *cancellable, GError **error)
{
  FtcTeachSink sink = { sink_is_done, sink_emit, sink_progress, job };
  g_autoptr (GError) local = NULL;
  gboolean ok;

  ok = ftc_teacher_run (job->teacher, &job->plan, &sink, cancellable, &local);
  if (!ftc_completion_store_flush (job->records, ok ? &local : NULL))
    ok = FALSE;
  write_summary (job, ok, local);
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local));
  return ok;
}

/* A finished or failed job lets the folder go (the next job, or another program, may take it); a paused
 * one keeps it, to resume. */
static void
let_go_unless_paused (FtcTeachJob *job, const GError *error)
{
  if (!g_error_matches (error, FTC_ERROR, FTC_ERROR_CANCELLED) && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_clear_pointer (&job->dir_lock, ftc_dir_lock_release);
}

gboolean
ftc_teach_job_run (FtcTeachJob *job, GCancellable *cancellable, GError **error)
{
  g_autoptr (GError) local = NULL;
  gboolean ok;

  g_return_val_if_fail (!job->running, FALSE);
  job->running = TRUE;
  job->same_thread = TRUE;
  ok = run_here (job, cancellable, &local);
  publish (job);
  job->running = FALSE;
  let_go_unless_paused (job, local);
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local));
  return ok;
}

static void
run_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  FtcTeachJob *job = source_object;
  GError *error = NULL;

  if (run_here (job, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ftc_teach_job_run_async (FtcTeachJob *job, GCancellable *cancellable, GAsyncReadyCallback callback,
                         gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (job, cancellable, callback, user_data);

  g_task_set_source_tag (task, ftc_teach_job_run_async);
  g_task_set_return_on_cancel (task, FALSE);   /* the worker saves what it has before it returns */
  g_task_set_check_cancellable (task, FALSE);  /* its own FTC_ERROR_CANCELLED, not G_IO_ERROR_CANCELLED */
  if (job->running)
    {
      g_task_return_new_error (task, FTC_ERROR, FTC_ERROR_FAILED, "the job is running already");
      return;
    }
  job->running = TRUE;
  job->same_thread = FALSE;
  g_clear_pointer (&job->context, g_main_context_unref);
  job->context = g_main_context_ref_thread_default ();
  g_task_run_in_thread (task, run_thread);
}

gboolean
ftc_teach_job_run_finish (FtcTeachJob *job, GAsyncResult *result, GError **error)
{
  g_autoptr (GError) local = NULL;
  gboolean ok;

  g_return_val_if_fail (g_task_is_valid (result, job), FALSE);
  job->running = FALSE;
  publish (job);   /* the final numbers, even if an update is still queued */
  ok = g_task_propagate_boolean (G_TASK (result), &local);
  let_go_unless_paused (job, local);
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local));
  return ok;
}
