#include "app/studio/ftc-teacher-page.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "app/studio/ftc-rationale-item.h"
#include "app/studio/ftc-studio-util.h"
#include "core/ftc-error.h"
#include "core/teach/ftc-price.h"
#include "core/tasks/ftc-task-open.h"
#include "core/tasks/ftc-task-registry.h"
#include "core/teach/ftc-teach-job.h"
#include "core/teach/ftc-teacher.h"
#include "core/method/ftc-experiment.h"
#include "core/method/ftc-experiment-teach.h"
#include "core/teach/ftc-teacher-openai.h"

#define COALESCE_MS 150
#define N_LATEST 12
#define DEFAULT_REASONING FTC_COT_TRIGGER
#define DEFAULT_ANSWER "Therefore, the answer is"

typedef struct {
  char *task;
  char *question;
  char *rationale;   /* the first recorded one, or NULL */
} Question;

static void
question_free (Question *q)
{
  g_free (q->task);
  g_free (q->question);
  g_free (q->rationale);
  g_free (q);
}

typedef struct {
  GPtrArray *questions;     /* Question */
  GHashTable *seen;         /* "task\tsample" */
  GPtrArray *latest;        /* FtcRationaleItem, newest last, at most N_LATEST */
  guint completions;
  gint64 prompt_tokens, completion_tokens;
  double cost;              /* from records that carry a "cost" */
  gboolean have_cost;
  FtcExperiment *exp;       /* experiment.json as written (not validated), or NULL */
  char *first_task;
  const char *path;
} TeachData;

static void
teach_data_free (TeachData *d)
{
  g_ptr_array_unref (d->questions);
  g_hash_table_unref (d->seen);
  g_ptr_array_unref (d->latest);
  g_clear_pointer (&d->exp, ftc_experiment_free);
  g_free (d->first_task);
  g_free (d);
}

struct _FtcTeacherPage
{
  GtkWidget parent_instance;

  GtkEntry *reasoning_entry;
  GtkEntry *answer_entry;
  GtkTextView *system_view;
  GtkSpinButton *question_spin;
  GtkLabel *question_count_label;
  GtkTextView *preview_view;
  GtkLabel *job_label;
  GtkProgressBar *progress_bar;
  GtkGrid *meter_grid;
  GtkLevelBar *budget_bar;
  GtkListView *latest_view;
  GtkLabel *meter_values[5];

  GListStore *latest;
  TeachData *data;
  char *directory;
  GCancellable *cancellable;
  GFileMonitor *monitor;
  guint coalesce_id;
  gboolean reading, reread;
  gboolean loading;
  gboolean templates_set;   /* the user's edits survive reloads */
  char *error;

  FtcTeachJob *job;         /* the running or paused teach job, or NULL */
  GCancellable *job_cancellable;
  gboolean job_preparing, job_running;
  char *job_status;
  gboolean job_busy_notified;     /* the "job-running" value last notified */
  char *blocked;                  /* why Start and Resume are off (another job writes the records), or NULL */
  guint job_step, n_job_steps;   /* Start teaches the experiment's teach steps in order (core/method/
                                  * ftc-experiment-teach.h): which one now, of how many */
  guint job_task, n_job_tasks;   /* the step's task (index in the experiment's tasks), of how many */
  char *job_task_key;
  char *job_split;
};

G_DEFINE_FINAL_TYPE (FtcTeacherPage, ftc_teacher_page, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_LOADING, PROP_JOB_RUNNING, N_PROPS };
static GParamSpec *props[N_PROPS];

char *
ftc_teacher_reasoning_prompt (const char *question, const char *reasoning_trigger)
{
  /* exactly the teacher's own step-1 prompt */
  return ftc_cot_reasoning_prompt_with (question, reasoning_trigger);
}

char *
ftc_teacher_answer_prompt (const char *question, const char *reasoning_trigger, const char *rationale,
                           const char *answer_trigger)
{
  g_autofree char *step1 = ftc_teacher_reasoning_prompt (question, reasoning_trigger);

  /* core/teach/ftc-teacher's step 2: Kojima et al.'s x + z + " " + "\nTherefore, ..." */
  return ftc_cot_answer_prompt (step1, rationale != NULL ? rationale : _(" {rationale from step 1}"), answer_trigger);
}

/* The chat form of both requests: the system message (if any), then the turns of ftc_cot_chat_messages. */
static char *
chat_preview (const char *system, const char *step1, const char *rationale, const char *answer_trigger)
{
  g_autoptr (JsonArray) messages = ftc_cot_chat_messages_with (system, step1,
                                                               rationale != NULL ? rationale : _(" {rationale from step 1}"),
                                                               answer_trigger);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *m = json_array_get_object_element (messages, i);
      if (g_strcmp0 (ftc_json_string (m, "role", NULL), "assistant") == 0)
        g_string_append (out, _("── request 2 repeats the turns above, then ──\n"));
      g_string_append_printf (out, "[%s]\n%s\n\n", ftc_json_string (m, "role", "?"), ftc_json_string (m, "content", ""));
    }
  g_strchomp (out->str);
  out->len = strlen (out->str);
  return g_string_free (out, FALSE);
}

static gboolean
add_record (JsonObject *obj, guint line_no, gpointer user_data, GError **error)
{
  TeachData *d = user_data;
  const char *task = ftc_json_string (obj, "task", ftc_json_string (obj, "dataset", ""));
  const char *question = ftc_json_string (obj, "question", NULL);
  const char *rationale = ftc_json_string (obj, "rationale", ftc_json_string (obj, "completion", NULL));
  int index = (int) ftc_json_int (obj, "sample_index", ftc_json_int (obj, "index", -1));
  g_autofree char *fallback = g_strdup_printf ("%s-%d", task, index);
  const char *sample = ftc_json_string (obj, "sample_id", ftc_json_string (obj, "id", fallback));
  g_autofree char *key = g_strdup_printf ("%s\t%s", task, sample);
  JsonObject *usage = ftc_json_object (obj, "usage");
  FtcRationaleItem *item;

  if (question == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s:%u: a completion record needs \"question\"",
                   d->path, line_no);
      return FALSE;
    }
  if (d->first_task == NULL)
    d->first_task = g_strdup (task);
  if (!g_hash_table_contains (d->seen, key))
    {
      Question *q = g_new0 (Question, 1);
      q->task = g_strdup (task);
      q->question = g_strdup (question);
      q->rationale = g_strdup (rationale);
      g_ptr_array_add (d->questions, q);
      g_hash_table_add (d->seen, g_steal_pointer (&key));
    }
  d->completions++;
  d->prompt_tokens += ftc_json_int (usage, "prompt_tokens", 0);
  d->completion_tokens += ftc_json_int (usage, "completion_tokens", 0);
  if (ftc_json_has_number (obj, "cost"))
    {
      d->cost += ftc_json_double (obj, "cost", 0);
      d->have_cost = TRUE;
    }
  item = ftc_rationale_item_new (task, sample, index, (int) ftc_json_int (obj, "completion_index", 0));
  ftc_rationale_item_set_record (item, question, rationale, ftc_json_string (obj, "gold", ""),
                                 ftc_json_string (obj, "prediction", ""), ftc_json_bool (obj, "correct", FALSE),
                                 ftc_json_string (obj, "finish_reason", ""));
  g_ptr_array_add (d->latest, item);
  if (d->latest->len > N_LATEST)
    g_ptr_array_remove_index (d->latest, 0);
  return TRUE;
}

static gint64
mtime_of (const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_TIME_MODIFIED "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                                                  G_FILE_QUERY_INFO_NONE, NULL, NULL);

  if (info == NULL)
    return 0;
  return (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED) * G_USEC_PER_SEC +
         g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);
}

static int
compare_mtime (gconstpointer a, gconstpointer b)
{
  gint64 ta = mtime_of (*(const char *const *) a), tb = mtime_of (*(const char *const *) b);

  return ta < tb ? -1 : ta > tb ? 1 : strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *dir = task_data;
  TeachData *d = g_new0 (TeachData, 1);
  g_autofree char *teacher_dir = g_build_filename (dir, "teacher", NULL);
  g_autoptr (GPtrArray) files = ftc_studio_list_jsonl (teacher_dir);
  GError *error = NULL;

  d->questions = g_ptr_array_new_with_free_func ((GDestroyNotify) question_free);
  d->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  d->latest = g_ptr_array_new_with_free_func (g_object_unref);
  /* the view shows records even when experiment.json cannot be read; Start says what is wrong with it */
  d->exp = ftc_experiment_read (dir, NULL);
  /* the file written last holds the newest records, at its end */
  g_ptr_array_sort (files, compare_mtime);
  for (guint i = 0; i < files->len; i++)
    {
      d->path = files->pdata[i];
      /* a file being appended to may end in half a line: that one waits for the next read */
      if (!ftc_studio_read_jsonl (d->path, NULL, TRUE, add_record, d, cancellable, &error))
        {
          teach_data_free (d);
          g_task_return_error (task, error);
          return;
        }
    }
  d->path = NULL;
  g_task_return_pointer (task, d, (GDestroyNotify) teach_data_free);
}

static char *
get_system_text (FtcTeacherPage *self)
{
  GtkTextBuffer *buf = gtk_text_view_get_buffer (self->system_view);
  GtkTextIter a, b;

  gtk_text_buffer_get_bounds (buf, &a, &b);
  return gtk_text_buffer_get_text (buf, &a, &b, FALSE);
}

static void
update_preview (FtcTeacherPage *self)
{
  const char *reasoning = gtk_editable_get_text (GTK_EDITABLE (self->reasoning_entry));
  const char *override = gtk_editable_get_text (GTK_EDITABLE (self->answer_entry));
  const char *answer;
  g_autofree char *system = get_system_text (self);
  guint n = self->data != NULL ? self->data->questions->len : 0;
  guint i = (guint) gtk_spin_button_get_value_as_int (self->question_spin) - 1;
  g_autoptr (GString) text = g_string_new (NULL);
  g_autofree char *count = NULL;

  if (n == 0)
    g_string_append (text, _("No questions yet: the preview shows the first question the teacher answers. "
                             "The prompts have this shape:\n\n"));
  {
    Question *q = n > 0 ? self->data->questions->pdata[MIN (i, n - 1)] : NULL;
    const char *question = q != NULL ? q->question : _("{question}");
    const FtcTaskInfo *info = ftc_task_info_lookup (q != NULL ? q->task : "");

    /* an empty answer trigger means each task's own (Kojima et al.'s per-dataset triggers) */
    answer = *override != '\0' ? override : info != NULL ? info->answer_trigger : DEFAULT_ANSWER;
    g_autofree char *step1 = ftc_teacher_reasoning_prompt (question, reasoning);
    g_autofree char *step2 = ftc_teacher_answer_prompt (question, reasoning, q != NULL ? q->rationale : NULL, answer);

    const FtcTeacherSettings *t = self->data != NULL && self->data->exp != NULL ? &self->data->exp->teacher : NULL;
    gboolean chat = t != NULL && t->kind == FTC_TEACHER_OPENAI &&
                    (t->api != NULL ? strcmp (t->api, "chat") == 0
                                    : ftc_teacher_openai_guess_api (t->model) == FTC_OPENAI_CHAT);

    if (chat)
      {
        /* chat endpoints get turns, not one text (core/teach/ftc-teacher.h, ftc_cot_chat_messages) */
        g_autofree char *turns = chat_preview (system, step1, q != NULL ? q->rationale : NULL, answer);
        g_string_append_printf (text, _("── chat request 1: reasoning ──\n%s"), turns);
      }
    else
      {
        g_string_append_printf (text, _("── request 1: reasoning ──\n%s\n\n"), step1);
        g_string_append_printf (text, _("── request 2: answer ──\n%s"), step2);
      }
  }
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->preview_view), text->str, (int) text->len);
  count = g_strdup_printf (_("of %u"), n);
  gtk_label_set_text (self->question_count_label, count);
}

static void
template_changed (FtcTeacherPage *self)
{
  self->templates_set = TRUE;
  update_preview (self);
}

static void update_meter_from_records (FtcTeacherPage *self);

static void
update_meter (FtcTeacherPage *self)
{
  if (self->job != NULL)
    return;   /* the job's own counters are shown */
  update_meter_from_records (self);
}

static void
update_meter_from_records (FtcTeacherPage *self)
{
  TeachData *d = self->data;
  const FtcTeacherSettings *t = d != NULL && d->exp != NULL ? &d->exp->teacher : NULL;
  guint samples = t != NULL ? (guint) t->samples : 1;
  double budget = t != NULL ? t->budget_usd : 0;
  double cost = NAN;   /* unknown without a price */
  guint expected = d != NULL ? d->questions->len * samples : 0;
  g_autofree char *progress = NULL;

  if (d != NULL && d->have_cost)
    cost = d->cost;
  else if (d != NULL)
    {
      /* USD per million tokens, when the experiment names them (docs/experiment.md) */
      double p_in = t != NULL ? t->price_prompt_per_mtok : 0;
      double p_out = t != NULL ? t->price_completion_per_mtok : 0;
      FtcPrice price;
      g_autoptr (FtcPriceTable) table = ftc_price_table_new ();

      if (p_in > 0 || p_out > 0)
        cost = (d->prompt_tokens * p_in + d->completion_tokens * p_out) / 1e6;
      else if (t != NULL && t->model != NULL && ftc_price_table_lookup (table, t->model, &price))
        /* the built-in price table, as the teach job's meter uses */
        cost = ftc_price_cost (&price, (guint64) d->prompt_tokens, (guint64) d->completion_tokens);
      else if (t == NULL || t->kind != FTC_TEACHER_OPENAI)
        cost = 0;   /* the scripted and replay teachers cost nothing */
    }
  if (d == NULL || d->completions == 0)
    {
      gtk_progress_bar_set_fraction (self->progress_bar, 0);
      gtk_progress_bar_set_text (self->progress_bar, _("No completions yet"));
    }
  else
    {
      gtk_progress_bar_set_fraction (self->progress_bar, expected > 0 ? MIN (1.0, (double) d->completions / expected) : 0);
      /* Translators: completions recorded, of questions seen times D */
      progress = g_strdup_printf (_("%u of %u completions (%u questions × D=%u seen so far)"), d->completions,
                                  expected, d->questions->len, samples);
      gtk_progress_bar_set_text (self->progress_bar, progress);
    }
  {
    char *values[5];
    values[0] = g_strdup ("0");   /* requests in flight: only a running job has any */
    values[1] = g_strdup_printf ("%" G_GINT64_FORMAT, d != NULL ? d->prompt_tokens : 0);
    values[2] = g_strdup_printf ("%" G_GINT64_FORMAT, d != NULL ? d->completion_tokens : 0);
    values[3] = isnan (cost) ? g_strdup (_("— (no price set)")) : g_strdup_printf ("$%.4f", cost);
    values[4] = !(budget > 0) ? g_strdup (_("none")) : g_strdup_printf ("$%.2f", budget);
    for (guint i = 0; i < 5; i++)
      {
        gtk_label_set_text (self->meter_values[i], values[i]);
        g_free (values[i]);
      }
  }
  gtk_level_bar_set_value (self->budget_bar, !isnan (cost) && budget > 0 ? MIN (1.0, cost / budget) : 0);
  gtk_widget_set_visible (GTK_WIDGET (self->budget_bar), budget > 0);
}

static void schedule_reload (FtcTeacherPage *self);
static void update_job_actions (FtcTeacherPage *self);

static void
loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FtcTeacherPage) self = user_data;
  g_autoptr (GError) error = NULL;
  TeachData *d = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->reading = FALSE;
  g_clear_pointer (&self->error, g_free);
  if (d == NULL)
    self->error = g_strdup (error->message);
  else
    {
      g_clear_pointer (&self->data, teach_data_free);
      self->data = d;
      if (!self->templates_set)
        {
          const FtcTeacherSettings *t = d->exp != NULL ? &d->exp->teacher : NULL;
          const char *answer = t != NULL && t->answer_trigger != NULL ? t->answer_trigger : "";
          g_signal_handlers_block_by_func (self->reasoning_entry, template_changed, self);
          g_signal_handlers_block_by_func (self->answer_entry, template_changed, self);
          g_signal_handlers_block_by_func (gtk_text_view_get_buffer (self->system_view), template_changed, self);
          gtk_editable_set_text (GTK_EDITABLE (self->reasoning_entry),
                                 t != NULL ? t->reasoning_trigger : DEFAULT_REASONING);
          gtk_editable_set_text (GTK_EDITABLE (self->answer_entry), answer);
          gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->system_view),
                                    t != NULL && t->system_prompt != NULL ? t->system_prompt : "", -1);
          g_signal_handlers_unblock_by_func (self->reasoning_entry, template_changed, self);
          g_signal_handlers_unblock_by_func (self->answer_entry, template_changed, self);
          g_signal_handlers_unblock_by_func (gtk_text_view_get_buffer (self->system_view), template_changed, self);
        }
      gtk_spin_button_set_range (self->question_spin, 1, MAX (1, d->questions->len));
      {
        g_autoptr (GPtrArray) newest_first = g_ptr_array_new ();
        for (guint i = d->latest->len; i > 0; i--)
          g_ptr_array_add (newest_first, d->latest->pdata[i - 1]);
        g_list_store_splice (self->latest, 0, g_list_model_get_n_items (G_LIST_MODEL (self->latest)),
                             newest_first->pdata, newest_first->len);
      }
    }
  if (self->error != NULL)
    gtk_label_set_text (self->job_label, self->error);
  else if (self->job_status != NULL)
    gtk_label_set_text (self->job_label, self->job_status);
  else
    gtk_label_set_text (self->job_label,
                        _("Start teaches the experiment's tasks in order; their records appear below as they arrive."));
  update_job_actions (self);
  update_preview (self);
  update_meter (self);
  if (self->loading)
    {
      self->loading = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
    }
  if (self->reread)
    schedule_reload (self);
}

static void
start_reload (FtcTeacherPage *self)
{
  g_autoptr (GTask) task = NULL;

  if (self->directory == NULL)
    return;
  if (self->reading)
    {
      self->reread = TRUE;
      return;
    }
  self->reading = TRUE;
  self->reread = FALSE;
  task = g_task_new (NULL, self->cancellable, loaded, g_object_ref (self));
  g_task_set_task_data (task, g_strdup (self->directory), g_free);
  g_task_run_in_thread (task, load_thread);
}

static gboolean
coalesced (gpointer data)
{
  FtcTeacherPage *self = data;

  self->coalesce_id = 0;
  start_reload (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reload (FtcTeacherPage *self)
{
  if (self->coalesce_id == 0)
    self->coalesce_id = g_timeout_add (COALESCE_MS, coalesced, self);
}

static void
dir_changed (GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event, FtcTeacherPage *self)
{
  g_autofree char *name = g_file_get_basename (file);

  if (name != NULL && g_str_has_suffix (name, ".jsonl"))
    schedule_reload (self);
}

static void
stop_monitor (FtcTeacherPage *self)
{
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->monitor, dir_changed, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
}

void
ftc_teacher_page_set_directory (FtcTeacherPage *self, const char *dir)
{
  /* a teach job belongs to its experiment */
  g_cancellable_cancel (self->job_cancellable);
  g_clear_object (&self->job);
  self->job_running = self->job_preparing = FALSE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->coalesce_id, g_source_remove);
  stop_monitor (self);
  g_free (self->directory);
  self->directory = g_strdup (dir);
  g_clear_pointer (&self->data, teach_data_free);
  g_list_store_remove_all (self->latest);
  self->templates_set = FALSE;
  self->reading = FALSE;
  update_preview (self);
  update_meter (self);
  self->loading = dir != NULL;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
  if (dir == NULL)
    return;
  self->cancellable = g_cancellable_new ();
  {
    g_autofree char *teacher_dir = g_build_filename (dir, "teacher", NULL);
    g_autoptr (GFile) file = g_file_new_for_path (teacher_dir);
    self->monitor = g_file_monitor_directory (file, G_FILE_MONITOR_NONE, NULL, NULL);
    if (self->monitor != NULL)
      g_signal_connect (self->monitor, "changed", G_CALLBACK (dir_changed), self);
  }
  start_reload (self);
}

gboolean
ftc_teacher_page_save_templates (FtcTeacherPage *self, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr (FtcExperiment) exp = NULL;
  g_autofree char *system = get_system_text (self);
  const char *answer = gtk_editable_get_text (GTK_EDITABLE (self->answer_entry));
  g_autoptr (GError) local = NULL;

  if (self->directory == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, _("No experiment is open"));
      return FALSE;
    }
  path = ftc_experiment_dir_config (self->directory);
  /* the experiment as written, with the teacher's templates replaced: every other setting stays */
  exp = ftc_experiment_read (path, &local);
  if (exp == NULL && g_error_matches (local, FTC_ERROR, FTC_ERROR_NOT_FOUND) && !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      exp = ftc_experiment_new ();
      exp->base_dir = g_strdup (self->directory);
    }
  else if (exp == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  g_free (exp->teacher.reasoning_trigger);
  exp->teacher.reasoning_trigger = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reasoning_entry)));
  g_free (exp->teacher.answer_trigger);
  exp->teacher.answer_trigger = *answer != '\0' ? g_strdup (answer) : NULL;
  g_free (exp->teacher.system_prompt);
  exp->teacher.system_prompt = system != NULL && *system != '\0' ? g_strdup (system) : NULL;
  if (!ftc_teacher_settings_check (&exp->teacher, "teacher", error))
    return FALSE;
  return ftc_experiment_save (exp, path, error);
}

static void
save_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FtcTeacherPage *self = FTC_TEACHER_PAGE (widget);
  g_autoptr (GError) error = NULL;

  gtk_label_set_text (self->job_label, ftc_teacher_page_save_templates (self, &error) ? _("Templates saved.")
                                                                                      : error->message);
}

/* ---- the teach job (core/teach/ftc-teach-job.h), the same object `ftcot teach` drives ---- */

static void
update_job_actions (FtcTeacherPage *self)
{
  gboolean busy = self->job_preparing || self->job_running;
  gboolean can = self->directory != NULL && self->data != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "teacher.start",
                                 can && !busy && self->job == NULL && self->blocked == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "teacher.pause", self->job_running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "teacher.resume",
                                 !busy && self->job != NULL && self->blocked == NULL);
  if (busy != self->job_busy_notified)
    {
      self->job_busy_notified = busy;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_JOB_RUNNING]);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "teacher.cancel", busy || self->job != NULL);
}

static void
set_job_status (FtcTeacherPage *self, const char *text)
{
  g_free (self->job_status);
  self->job_status = g_strdup (text);
  gtk_label_set_text (self->job_label, text);
}

static void
job_progress (FtcTeacherPage *self)
{
  guint done = ftc_teach_job_get_done (self->job), total = ftc_teach_job_get_total (self->job);
  double cost = ftc_teach_job_get_cost (self->job);
  g_autofree char *text = g_strdup_printf (_("%u of %u completions"), done, total);
  g_autofree char *in_flight = g_strdup_printf ("%u", ftc_teach_job_get_in_flight (self->job));
  g_autofree char *cost_text = cost < 0 ? g_strdup (_("— (no price set)")) : g_strdup_printf ("$%.4f", cost);

  /* the job coalesces its notifications; these are cheap label updates */
  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double) done / total : 0);
  gtk_progress_bar_set_text (self->progress_bar, text);
  gtk_label_set_text (self->meter_values[0], in_flight);
  gtk_label_set_text (self->meter_values[3], cost_text);
}

static void job_finished (GObject *source, GAsyncResult *result, gpointer user_data);
static void prepare_task (FtcTeacherPage *self);

static void
run_job (FtcTeacherPage *self)
{
  g_clear_object (&self->job_cancellable);
  self->job_cancellable = g_cancellable_new ();
  self->job_running = TRUE;
  {
    g_autofree char *text = g_strcmp0 (self->job_split, "test") == 0
      ? g_strdup_printf (_("Teaching task %u of %u (%s): the test questions, for the teacher's own accuracy…"),
                         self->job_task + 1, MAX (self->n_job_tasks, 1), self->job_task_key)
      : g_strdup_printf (_("Teaching task %u of %u (%s)…"), self->job_task + 1, MAX (self->n_job_tasks, 1),
                         self->job_task_key);
    set_job_status (self, text);
  }
  update_job_actions (self);
  ftc_teach_job_run_async (self->job, self->job_cancellable, job_finished, g_object_ref (self));
}

static void
job_finished (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FtcTeacherPage) self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok = ftc_teach_job_run_finish (FTC_TEACH_JOB (source), result, &error);

  if (FTC_TEACH_JOB (source) != self->job)
    return;   /* a job given up (Cancel, another experiment) */
  self->job_running = FALSE;
  if (ok && self->job_step + 1 < self->n_job_steps)
    {
      /* the next step of the experiment, in order */
      g_clear_object (&self->job);
      self->job_step++;
      schedule_reload (self);
      prepare_task (self);
      return;
    }
  if (ok)
    {
      set_job_status (self, _("Done: every question of every task has its rationales."));
      g_clear_object (&self->job);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
           g_error_matches (error, FTC_ERROR, FTC_ERROR_CANCELLED))
    set_job_status (self, _("Paused: the records so far are saved; Resume goes on from there."));
  else
    {
      set_job_status (self, error->message);
      g_clear_object (&self->job);
    }
  update_job_actions (self);
  schedule_reload (self);
}

typedef struct {
  char *dir;
  FtcExperiment *exp;
  FtcExperimentTeachStep step;
} PrepareJob;

static void
prepare_job_free (PrepareJob *p)
{
  g_free (p->dir);
  g_clear_pointer (&p->exp, ftc_experiment_free);
  g_free (p);
}

/* One step of the experiment's teach stage as its job: the same construction as `ftcot run`'s. */
static void
prepare_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  PrepareJob *p = task_data;
  GError *error = NULL;
  FtcTeachJob *job = ftc_experiment_teach_job_new (p->exp, p->dir, &p->step, FALSE, &error);

  if (job == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, job, g_object_unref);
}

static void
prepared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FtcTeacherPage) self = user_data;
  g_autoptr (GError) error = NULL;
  FtcTeachJob *job = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->job_preparing = FALSE;
  if (job == NULL)
    {
      set_job_status (self, error->message);
      update_job_actions (self);
      return;
    }
  self->job = job;
  g_signal_connect_object (job, "notify", G_CALLBACK (job_progress), self, G_CONNECT_SWAPPED);
  job_progress (self);
  run_job (self);
}

static void
prepare_task (FtcTeacherPage *self)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) steps = NULL;
  g_autoptr (FtcExperiment) exp = NULL;
  const FtcExperimentTask *et;
  PrepareJob *p;

  /* read again for each step: the templates saved meanwhile apply to the steps still to come; what
   * `ftcot run` would refuse is refused here too */
  exp = ftc_experiment_load (self->directory, &error);
  if (exp == NULL)
    {
      set_job_status (self, error->message);
      update_job_actions (self);
      return;
    }
  steps = ftc_experiment_teach_steps (exp);
  self->n_job_steps = steps->len;
  self->n_job_tasks = exp->tasks->len;
  if (self->job_step >= steps->len)
    {
      set_job_status (self, steps->len == 0 ? _("Nothing to teach: no method of this experiment learns from "
                                                "rationales or compares with the teacher.")
                                            : _("Done: every question of every task has its rationales."));
      update_job_actions (self);
      return;
    }
  p = g_new0 (PrepareJob, 1);
  p->dir = g_strdup (self->directory);
  p->step = g_array_index (steps, FtcExperimentTeachStep, self->job_step);
  et = g_ptr_array_index (exp->tasks, p->step.task_index);
  self->job_task = p->step.task_index;
  g_free (self->job_task_key);
  self->job_task_key = g_strdup (et->key);
  g_free (self->job_split);
  self->job_split = g_strdup (p->step.split);
  p->exp = g_steal_pointer (&exp);
  self->job_preparing = TRUE;
  set_job_status (self, _("Preparing the task and the teacher…"));
  update_job_actions (self);
  g_clear_object (&self->job_cancellable);
  self->job_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->job_cancellable, prepared, g_object_ref (self));
  g_task_set_task_data (task, p, (GDestroyNotify) prepare_job_free);
  g_task_run_in_thread (task, prepare_thread);
}

static void
start_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FtcTeacherPage *self = FTC_TEACHER_PAGE (widget);

  if (self->directory == NULL || self->job != NULL || self->job_preparing)
    return;
  /* from the first step: the steps already taught are complete on disk and finish at once */
  self->job_step = 0;
  prepare_task (self);
}

static void
pause_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FtcTeacherPage *self = FTC_TEACHER_PAGE (widget);

  /* stopping keeps every record written; the job resumes from them */
  g_cancellable_cancel (self->job_cancellable);
}

static void
resume_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FtcTeacherPage *self = FTC_TEACHER_PAGE (widget);

  if (self->job != NULL && !self->job_running)
    run_job (self);
}

static void
cancel_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FtcTeacherPage *self = FTC_TEACHER_PAGE (widget);

  g_cancellable_cancel (self->job_cancellable);
  g_clear_object (&self->job);
  self->job_running = FALSE;
  self->job_preparing = FALSE;
  set_job_status (self, _("Cancelled. The records written so far stay; Start continues from them."));
  update_job_actions (self);
}

static void
latest_setup (GtkSignalListItemFactory *f, GtkListItem *li, gpointer data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_lines (GTK_LABEL (label), 3);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (li, label);
}

static void
latest_bind (GtkSignalListItemFactory *f, GtkListItem *li, gpointer data)
{
  FtcRationaleItem *item = gtk_list_item_get_item (li);
  g_autofree char *rationale = g_strstrip (g_strdup (ftc_rationale_item_get_rationale (item)));
  g_autofree char *markup = g_markup_printf_escaped ("<b>%s</b> · %s %s\n%s", ftc_rationale_item_get_sample_id (item),
                                                     ftc_rationale_item_get_prediction (item),
                                                     ftc_rationale_item_get_correct (item) ? "✓" : "✗", rationale);

  gtk_label_set_markup (GTK_LABEL (gtk_list_item_get_child (li)), markup);
}

static void
ftc_teacher_page_dispose (GObject *object)
{
  FtcTeacherPage *self = FTC_TEACHER_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->coalesce_id, g_source_remove);
  stop_monitor (self);
  g_cancellable_cancel (self->job_cancellable);
  g_clear_object (&self->job_cancellable);
  g_clear_object (&self->job);
  gtk_widget_dispose_template (GTK_WIDGET (self), FTC_TYPE_TEACHER_PAGE);
  /* the template's unbound top-level children too */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->latest);
  G_OBJECT_CLASS (ftc_teacher_page_parent_class)->dispose (object);
}

static void
ftc_teacher_page_finalize (GObject *object)
{
  FtcTeacherPage *self = FTC_TEACHER_PAGE (object);

  g_clear_pointer (&self->data, teach_data_free);
  g_free (self->directory);
  g_free (self->error);
  g_free (self->job_status);
  g_free (self->job_task_key);
  g_free (self->job_split);
  g_free (self->blocked);
  G_OBJECT_CLASS (ftc_teacher_page_parent_class)->finalize (object);
}

static void
ftc_teacher_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_LOADING: g_value_set_boolean (value, FTC_TEACHER_PAGE (object)->loading); break;
    case PROP_JOB_RUNNING: g_value_set_boolean (value, ftc_teacher_page_get_job_running (FTC_TEACHER_PAGE (object))); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ftc_teacher_page_class_init (FtcTeacherPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ftc_teacher_page_dispose;
  object_class->finalize = ftc_teacher_page_finalize;
  object_class->get_property = ftc_teacher_page_get_property;
  props[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_JOB_RUNNING] = g_param_spec_boolean ("job-running", NULL, NULL, FALSE,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ftcot/Studio/ftc-teacher-page.ui");
  gtk_widget_class_bind_template_child (widget_class, FtcTeacherPage, reasoning_entry);
  gtk_widget_class_bind_template_child (widget_class, FtcTeacherPage, answer_entry);
  gtk_widget_class_bind_template_child (widget_class, FtcTeacherPage, system_view);
  gtk_widget_class_bind_template_child (widget_class, FtcTeacherPage, question_spin);
  gtk_widget_class_bind_template_child (widget_class, FtcTeacherPage, question_count_label);
  gtk_widget_class_bind_template_child (widget_class, FtcTeacherPage, preview_view);
  gtk_widget_class_bind_template_child (widget_class, FtcTeacherPage, job_label);
  gtk_widget_class_bind_template_child (widget_class, FtcTeacherPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, FtcTeacherPage, meter_grid);
  gtk_widget_class_bind_template_child (widget_class, FtcTeacherPage, budget_bar);
  gtk_widget_class_bind_template_child (widget_class, FtcTeacherPage, latest_view);
  gtk_widget_class_install_action (widget_class, "teacher.save-templates", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "teacher.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "teacher.pause", NULL, pause_action);
  gtk_widget_class_install_action (widget_class, "teacher.resume", NULL, resume_action);
  gtk_widget_class_install_action (widget_class, "teacher.cancel", NULL, cancel_action);
}

static void
ftc_teacher_page_init (FtcTeacherPage *self)
{
  const char *names[5] = { _("Requests in flight"), _("Prompt tokens"), _("Completion tokens"), _("Cost"),
                           _("Budget") };
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));
  for (guint i = 0; i < 5; i++)
    {
      GtkWidget *name = gtk_label_new (names[i]);
      GtkWidget *value = gtk_label_new ("—");
      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_xalign (GTK_LABEL (value), 0);
      gtk_widget_add_css_class (name, "stat-name");
      gtk_widget_add_css_class (value, "heading");
      gtk_grid_attach (self->meter_grid, name, (int) i % 3, (int) (i / 3) * 2, 1, 1);
      gtk_grid_attach (self->meter_grid, value, (int) i % 3, (int) (i / 3) * 2 + 1, 1, 1);
      self->meter_values[i] = GTK_LABEL (value);
    }
  self->latest = g_list_store_new (FTC_TYPE_RATIONALE_ITEM);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (latest_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (latest_bind), NULL);
  gtk_list_view_set_factory (self->latest_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->latest_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->latest)))));
  update_job_actions (self);
  g_signal_connect_swapped (self->reasoning_entry, "changed", G_CALLBACK (template_changed), self);
  g_signal_connect_swapped (self->answer_entry, "changed", G_CALLBACK (template_changed), self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->system_view), "changed", G_CALLBACK (template_changed), self);
  g_signal_connect_swapped (self->question_spin, "value-changed", G_CALLBACK (update_preview), self);
  self->templates_set = FALSE;
  update_preview (self);
  update_meter (self);
}

GtkWidget *ftc_teacher_page_new (void) { return g_object_new (FTC_TYPE_TEACHER_PAGE, NULL); }
gboolean ftc_teacher_page_get_loading (FtcTeacherPage *self) { return self->loading; }
const char *ftc_teacher_page_get_error (FtcTeacherPage *self) { return self->error; }
guint ftc_teacher_page_get_n_questions (FtcTeacherPage *self) { return self->data != NULL ? self->data->questions->len : 0; }
GListModel *ftc_teacher_page_get_latest (FtcTeacherPage *self) { return G_LIST_MODEL (self->latest); }

void
ftc_teacher_page_set_templates (FtcTeacherPage *self, const char *reasoning_trigger, const char *answer_trigger,
                                const char *system_text)
{
  if (reasoning_trigger != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->reasoning_entry), reasoning_trigger);
  if (answer_trigger != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->answer_entry), answer_trigger);
  if (system_text != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->system_view), system_text, -1);
}

void
ftc_teacher_page_set_question (FtcTeacherPage *self, guint question)
{
  gtk_spin_button_set_value (self->question_spin, question + 1);
  update_preview (self);
}

char *
ftc_teacher_page_dup_preview (FtcTeacherPage *self)
{
  GtkTextBuffer *buf = gtk_text_view_get_buffer (self->preview_view);
  GtkTextIter a, b;

  gtk_text_buffer_get_bounds (buf, &a, &b);
  return gtk_text_buffer_get_text (buf, &a, &b, FALSE);
}

void
ftc_teacher_page_get_usage (FtcTeacherPage *self, guint *completions, gint64 *prompt_tokens, gint64 *completion_tokens)
{
  *completions = self->data != NULL ? self->data->completions : 0;
  *prompt_tokens = self->data != NULL ? self->data->prompt_tokens : 0;
  *completion_tokens = self->data != NULL ? self->data->completion_tokens : 0;
}

gboolean
ftc_teacher_page_get_job_running (FtcTeacherPage *self)
{
  return self->job_preparing || self->job_running;
}

FtcTeachJob *
ftc_teacher_page_get_job (FtcTeacherPage *self)
{
  return self->job;
}

const char *
ftc_teacher_page_get_cost_text (FtcTeacherPage *self)
{
  return gtk_label_get_text (self->meter_values[3]);
}

const char *
ftc_teacher_page_get_job_status (FtcTeacherPage *self)
{
  return self->job_status;
}

/* Which task of the experiment the job teaches (0-based) and how many there are. */
guint
ftc_teacher_page_get_job_task (FtcTeacherPage *self, guint *n_tasks)
{
  if (n_tasks != NULL)
    *n_tasks = self->n_job_tasks;
  return self->job_task;
}

void
ftc_teacher_page_set_blocked (FtcTeacherPage *self, const char *reason)
{
  if (g_strcmp0 (reason, self->blocked) == 0)
    return;
  if (reason != NULL)
    set_job_status (self, reason);
  else if (g_strcmp0 (self->job_status, self->blocked) == 0)
    set_job_status (self, "");
  g_free (self->blocked);
  self->blocked = g_strdup (reason);
  update_job_actions (self);
}
