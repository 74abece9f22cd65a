#include "app/studio/ftc-train-page.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "app/studio/ftc-series.h"
#include "app/studio/ftc-chart-view.h"
#include "app/studio/ftc-studio-util.h"
#include "core/method/ftc-pipeline.h"
#include "core/results/ftc-metrics-log.h"

#define COALESCE_MS 100   /* at most about ten updates a second, however fast the trainer writes */

/* One metrics.jsonl line as core reads it (core/results/ftc-metrics-log.h), NAN/-1 where absent. */
typedef struct {
  char *run;
  char *device;
  gint64 step, epoch, total_steps;
  double loss, lr, tokens_per_s, elapsed_s, test_accuracy;
} Metric;

static void
metric_clear (Metric *m)
{
  g_free (m->run);
  g_free (m->device);
}

typedef struct {
  FtcSeries *train_loss, *lr, *test_accuracy;
  Metric last;          /* latest value of each field (run/device owned) */
  gint64 epoch1_steps;  /* steps of the first epoch, once the second one started */
  gint64 timed_step0;   /* for the rate from the lines' elapsed_s: the first line of this training session */
  double timed_elapsed0;   /* its elapsed_s; NAN: none yet */
  gint64 live_step0;    /* for the rate when lines carry no elapsed time: first step seen live */
  gint64 live_time0;    /* and when (monotonic microseconds); 0: not yet */
  double live_rate;     /* steps per second seen live, NAN before two reads */
} Run;

static void
run_free (Run *r)
{
  g_object_unref (r->train_loss);
  g_object_unref (r->lr);
  g_object_unref (r->test_accuracy);
  metric_clear (&r->last);
  g_free (r);
}

static const char *const stat_names[] = { "step", "epoch", "loss", "accuracy", "lr", "tokens_per_s", "eta",
                                          "device" };

struct _FtcTrainPage
{
  GtkWidget parent_instance;

  GtkDropDown *run_dropdown;
  GtkStringList *run_list;
  GtkLabel *status_label;
  FtcChartView *loss_chart;
  FtcChartView *accuracy_chart;
  GtkGrid *stats_grid;
  GtkLabel *stat_labels[G_N_ELEMENTS (stat_names)];
  char *stat_texts[G_N_ELEMENTS (stat_names)];

  GListStore *loss_series;
  GListStore *accuracy_series;
  GHashTable *runs;        /* name -> Run */
  GPtrArray *run_names;    /* NULL-terminated */
  char *run;
  char *directory;
  char *metrics_path;
  goffset offset;          /* bytes of metrics.jsonl already read */
  guint lines;             /* and its lines */
  char *device;            /* experiment.json "device" */
  gint64 epochs;           /* experiment.json "training.epochs", 0 unknown */
  GFileMonitor *monitor;
  guint coalesce_id;
  gboolean reading, reread, reading_live;
  GCancellable *cancellable;
  gboolean loading;
  char *error;

  GtkLabel *pipeline_label;
  GtkProgressBar *pipeline_progress;
  FtcPipeline *pipeline;          /* the running (or last) pipeline on directory */
  GCancellable *run_cancellable;  /* Stop */
  gboolean running;
  char *pipeline_error;
  char *stage;                    /* the pipeline's stage, "" before one ran */
  gint64 stage_time0;             /* monotonic microseconds when the stage (task, method) began */
  double stage_fraction0;         /* its fraction then */
  char *stage_key;                /* "stage\ttask\tmethod" of stage_time0 */
  char *blocked;                  /* why Resume is off (the Teacher view's job writes the records), or NULL */
};

G_DEFINE_FINAL_TYPE (FtcTrainPage, ftc_train_page, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_LOADING, PROP_RUNNING, PROP_STAGE, N_PROPS };
static GParamSpec *props[N_PROPS];

typedef struct {
  char *path;
  char *experiment_path;
  goffset offset;
  guint lines;
  GArray *metrics;   /* Metric */
  char *device;      /* from experiment.json, on the first read */
  gint64 epochs;
} ReadJob;

static void
read_job_free (ReadJob *job)
{
  g_free (job->path);
  g_free (job->experiment_path);
  g_free (job->device);
  if (job->metrics != NULL)
    g_array_unref (job->metrics);
  g_free (job);
}

static void
read_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReadJob *job = task_data;
  g_autoptr (FtcMetricsLog) log = NULL;
  GError *error = NULL;
  FtcMetricsLine line;

  job->metrics = g_array_new (FALSE, TRUE, sizeof (Metric));
  g_array_set_clear_func (job->metrics, (GDestroyNotify) metric_clear);
  if (job->experiment_path != NULL)
    {
      g_autoptr (FtcExperiment) exp = ftc_experiment_read (job->experiment_path, NULL);
      job->device = exp != NULL ? g_strdup (exp->device) : NULL;
      job->epochs = exp != NULL ? exp->training.epochs : 0;
    }
  if (!g_file_test (job->path, G_FILE_TEST_EXISTS))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  /* core's one reader of metrics.jsonl; the trainer may be writing its last line */
  log = ftc_metrics_log_open_at (job->path, (guint64) job->offset, job->lines, &error);
  if (log == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  ftc_metrics_log_set_follow (log, TRUE);
  ftc_metrics_line_init (&line);
  while (ftc_metrics_log_next (log, &line, &error))
    {
      /* a run is one task's training of one method (docs/experiment.md, metrics.jsonl) */
      Metric m = { g_strdup_printf ("%s · %s", line.task, line.method), g_strdup (line.device), line.step, line.epoch,
                   line.total_steps, line.loss, line.lr, line.tokens_per_s, line.elapsed_s, line.test_accuracy };
      g_array_append_val (job->metrics, m);
      if (g_cancellable_is_cancelled (cancellable))
        break;
    }
  ftc_metrics_line_clear (&line);
  job->offset = (goffset) ftc_metrics_log_get_offset (log);
  job->lines = ftc_metrics_log_get_line_count (log);
  if (error != NULL)
    g_task_return_error (task, error);
  else if (g_task_return_error_if_cancelled (task))
    ;
  else
    g_task_return_boolean (task, TRUE);
}

static Run *
ensure_run (FtcTrainPage *self, const char *name)
{
  Run *r = g_hash_table_lookup (self->runs, name);

  if (r != NULL)
    return r;
  r = g_new0 (Run, 1);
  r->train_loss = ftc_series_new (_("training loss"), 0);
  /* as in the report's training curves: the learning rate on the right axis, in grey */
  r->lr = ftc_series_new (_("learning rate"), FTC_CHART_COLOR_NEUTRAL);
  ftc_series_set_axis (r->lr, FTC_CHART_Y2);
  r->test_accuracy = ftc_series_new (_("test accuracy"), 3);
  r->live_rate = NAN;
  r->timed_elapsed0 = NAN;
  r->last.step = r->last.epoch = r->last.total_steps = -1;
  r->last.loss = r->last.lr = r->last.tokens_per_s = r->last.elapsed_s = r->last.test_accuracy = NAN;
  g_hash_table_insert (self->runs, g_strdup (name), r);
  g_ptr_array_insert (self->run_names, (int) self->run_names->len - 1, g_strdup (name));
  {
    const char *items[] = { name, NULL };
    gtk_string_list_splice (self->run_list, g_list_model_get_n_items (G_LIST_MODEL (self->run_list)), 0, items);
  }
  return r;
}

static void
set_stat (FtcTrainPage *self, guint i, char *text)
{
  g_free (self->stat_texts[i]);
  self->stat_texts[i] = text;
  gtk_label_set_text (self->stat_labels[i], text);
}

static char *
format_duration (double seconds)
{
  if (seconds >= 3600)
    return g_strdup_printf ("%d h %02d min", (int) (seconds / 3600), (int) fmod (seconds / 60, 60));
  return g_strdup_printf ("%d min %02d s", (int) (seconds / 60), (int) fmod (seconds, 60));
}

/* Steps the run will take: as the trainer says, else the first epoch's steps times the epochs. */
static gint64
run_total_steps (FtcTrainPage *self, Run *r)
{
  if (r->last.total_steps > 0)
    return r->last.total_steps;
  if (r->epoch1_steps > 0 && self->epochs > 0)
    return r->epoch1_steps * self->epochs;
  return -1;
}

/* Time left in the pipeline's current stage, from its fraction and the time since the stage began;
 * NULL before there is a rate. */
static char *
stage_eta (FtcTrainPage *self)
{
  double f = self->pipeline != NULL ? ftc_pipeline_get_fraction (self->pipeline) : 0;
  double dt = (g_get_monotonic_time () - self->stage_time0) / 1e6;

  if (self->stage_time0 == 0 || f <= self->stage_fraction0 || dt <= 0.5)
    return NULL;
  return format_duration ((1 - f) * dt / (f - self->stage_fraction0));
}

static void
update_stats (FtcTrainPage *self)
{
  Run *r = self->run != NULL ? g_hash_table_lookup (self->runs, self->run) : NULL;
  Metric none = { NULL, NULL, -1, -1, -1, NAN, NAN, NAN, NAN, NAN };
  const Metric *m = r != NULL ? &r->last : &none;
  gint64 total = r != NULL ? run_total_steps (self, r) : -1;
  double acc = m->test_accuracy;
  const char *device = m->device != NULL ? m->device : self->device;
  char *eta;

  set_stat (self, 0, m->step < 0 ? g_strdup ("—") : total > 0
            ? g_strdup_printf ("%" G_GINT64_FORMAT " / %" G_GINT64_FORMAT, m->step, total)
            : g_strdup_printf ("%" G_GINT64_FORMAT, m->step));
  set_stat (self, 1, m->epoch < 0 ? g_strdup ("—") : self->epochs > 0
            ? g_strdup_printf ("%" G_GINT64_FORMAT " / %" G_GINT64_FORMAT, m->epoch, self->epochs)
            : g_strdup_printf ("%" G_GINT64_FORMAT, m->epoch));
  set_stat (self, 2, isnan (m->loss) ? g_strdup ("—") : g_strdup_printf ("%.4f", m->loss));
  set_stat (self, 3, isnan (acc) ? g_strdup ("—") : g_strdup_printf ("%.1f %%", acc));
  set_stat (self, 4, isnan (m->lr) ? g_strdup ("—") : g_strdup_printf ("%.2e", m->lr));
  set_stat (self, 5, isnan (m->tokens_per_s) ? g_strdup ("—") : g_strdup_printf ("%.0f", m->tokens_per_s));
  /* while the pipeline runs: the time left in its stage, from its fraction */
  if (self->running && (eta = stage_eta (self)) != NULL)
    ;
  else if (m->step > 0 && total > 0 && m->step >= total)
    eta = g_strdup (_("done"));
  else if (m->step > 0 && total > 0 && r != NULL && !isnan (r->timed_elapsed0) && m->step > r->timed_step0
           && m->elapsed_s > r->timed_elapsed0)
    /* the rate of this training session (a resumed run's elapsed_s starts again from 0) */
    eta = format_duration ((total - m->step) * (m->elapsed_s - r->timed_elapsed0) / (m->step - r->timed_step0));
  else if (m->step > 0 && total > 0 && r != NULL && r->live_rate > 0)
    eta = format_duration ((total - m->step) / r->live_rate);
  else
    eta = g_strdup ("—");
  set_stat (self, 6, eta);
  set_stat (self, 7, g_strdup (device != NULL ? device : "—"));
}

static void
show_run (FtcTrainPage *self)
{
  Run *r = self->run != NULL ? g_hash_table_lookup (self->runs, self->run) : NULL;
  g_autofree char *title = NULL;

  g_list_store_remove_all (self->loss_series);
  g_list_store_remove_all (self->accuracy_series);
  if (r != NULL)
    {
      g_list_store_append (self->loss_series, r->train_loss);
      g_list_store_append (self->loss_series, r->lr);
      g_list_store_append (self->accuracy_series, r->test_accuracy);
    }
  title = self->run != NULL ? g_strdup_printf (_("Loss · %s"), self->run) : g_strdup (_("Loss"));
  ftc_chart_view_set_title (self->loss_chart, title);
  update_stats (self);
}

static void schedule_read (FtcTrainPage *self);
static void update_actions (FtcTrainPage *self);
static void update_pipeline_status (FtcTrainPage *self);
static void set_running (FtcTrainPage *self, gboolean running);
static void clear_pipeline (FtcTrainPage *self);

static void
read_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FtcTrainPage) self = user_data;
  ReadJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) batches = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_free (self->error);
      self->error = g_strdup (error->message);
      gtk_label_set_text (self->status_label, error->message);
    }
  else
    {
      /* points of a whole read go into each series at once: one redraw per read */
      batches = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) g_array_unref);
      self->offset = job->offset;
      self->lines = job->lines;
      if (job->experiment_path != NULL)
        {
          g_free (self->device);
          self->device = g_strdup (job->device);
          self->epochs = job->epochs;
        }
      for (guint i = 0; i < job->metrics->len; i++)
        {
          Metric *m = &g_array_index (job->metrics, Metric, i);
          Run *r = ensure_run (self, m->run);
          struct { FtcSeries *s; double y; } add[] = {
            { r->train_loss, m->loss }, { r->lr, m->lr }, { r->test_accuracy, m->test_accuracy } };

          for (guint k = 0; k < G_N_ELEMENTS (add); k++)
            if (m->step >= 0 && !isnan (add[k].y))
              {
                GArray *pts = g_hash_table_lookup (batches, add[k].s);
                FtcSeriesPoint p = { (double) m->step, add[k].y };
                if (pts == NULL)
                  {
                    pts = g_array_new (FALSE, FALSE, sizeof (FtcSeriesPoint));
                    g_hash_table_insert (batches, add[k].s, pts);
                  }
                g_array_append_val (pts, p);
              }
          if (m->epoch >= 2 && r->epoch1_steps == 0 && r->last.epoch == 1 && r->last.step > 0)
            r->epoch1_steps = r->last.step;
          if (m->step >= 0 && !self->loading && self->reading_live)
            {
              gint64 now = g_get_monotonic_time ();
              if (r->live_time0 == 0)
                {
                  r->live_time0 = now;
                  r->live_step0 = m->step;
                }
              else if (now > r->live_time0 && m->step > r->live_step0)
                r->live_rate = (m->step - r->live_step0) / ((now - r->live_time0) / 1e6);
            }
          if (m->step >= 0) r->last.step = m->step;
          if (m->epoch >= 0) r->last.epoch = m->epoch;
          if (m->total_steps > 0) r->last.total_steps = m->total_steps;
          if (!isnan (m->loss)) r->last.loss = m->loss;
          if (!isnan (m->lr)) r->last.lr = m->lr;
          if (!isnan (m->tokens_per_s)) r->last.tokens_per_s = m->tokens_per_s;
          if (!isnan (m->elapsed_s))
            {
              /* a new session when the clock went back (a resumed run): its first line is the reference */
              if (isnan (r->timed_elapsed0) || isnan (r->last.elapsed_s) || m->elapsed_s < r->last.elapsed_s)
                {
                  r->timed_step0 = m->step;
                  r->timed_elapsed0 = m->elapsed_s;
                }
              r->last.elapsed_s = m->elapsed_s;
            }
          if (!isnan (m->test_accuracy)) r->last.test_accuracy = m->test_accuracy;
          if (m->device != NULL)
            {
              g_free (r->last.device);
              r->last.device = g_strdup (m->device);
            }
        }
      {
        GHashTableIter iter;
        gpointer key, value;
        g_hash_table_iter_init (&iter, batches);
        while (g_hash_table_iter_next (&iter, &key, &value))
          ftc_series_add_points (key, (FtcSeriesPoint *) ((GArray *) value)->data, ((GArray *) value)->len);
      }
      if (self->run == NULL && self->run_names->len > 1)
        ftc_train_page_set_run (self, self->run_names->pdata[0]);
      else
        update_stats (self);
      gtk_label_set_text (self->status_label, self->run_names->len > 1 ? ""
                          : _("No training yet: metrics.jsonl appears when training starts."));
    }
  self->reading = FALSE;
  if (self->loading)
    {
      self->loading = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
    }
  if (self->reread)
    schedule_read (self);
}

static void
start_read (FtcTrainPage *self)
{
  g_autoptr (GTask) task = NULL;
  ReadJob *job;

  if (self->reading)
    {
      self->reread = TRUE;
      return;
    }
  self->reading = TRUE;
  self->reread = FALSE;
  job = g_new0 (ReadJob, 1);
  job->path = g_strdup (self->metrics_path);
  job->offset = self->offset;
  job->lines = self->lines;
  if (self->loading)
    job->experiment_path = g_build_filename (self->directory, "experiment.json", NULL);
  /* lines read after the first load arrive as the trainer writes them: they time the run */
  self->reading_live = !self->loading;
  task = g_task_new (NULL, self->cancellable, read_done, g_object_ref (self));
  g_task_set_task_data (task, job, (GDestroyNotify) read_job_free);
  g_task_run_in_thread (task, read_thread);
}

static gboolean
coalesced (gpointer data)
{
  FtcTrainPage *self = data;

  self->coalesce_id = 0;
  start_read (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_read (FtcTrainPage *self)
{
  if (self->coalesce_id == 0 && self->metrics_path != NULL)
    self->coalesce_id = g_timeout_add (COALESCE_MS, coalesced, self);
}

static void
file_changed (GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event, FtcTrainPage *self)
{
  if (event == G_FILE_MONITOR_EVENT_DELETED || event == G_FILE_MONITOR_EVENT_CREATED)
    {
      /* a new or rewritten file starts over (a restarted experiment) */
      ftc_train_page_set_directory (self, self->directory);
      return;
    }
  if (event == G_FILE_MONITOR_EVENT_CHANGED || event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT)
    schedule_read (self);
}

void
ftc_train_page_refresh (FtcTrainPage *self)
{
  g_clear_handle_id (&self->coalesce_id, g_source_remove);
  if (self->metrics_path != NULL)
    start_read (self);
}

static void
run_selected (FtcTrainPage *self)
{
  guint pos = gtk_drop_down_get_selected (self->run_dropdown);

  if (pos == GTK_INVALID_LIST_POSITION || pos + 1 >= self->run_names->len)
    return;
  if (g_strcmp0 (self->run, self->run_names->pdata[pos]) == 0)
    return;
  g_free (self->run);
  self->run = g_strdup (self->run_names->pdata[pos]);
  show_run (self);
}

void
ftc_train_page_set_directory (FtcTrainPage *self, const char *dir)
{
  g_autoptr (GFile) file = NULL;

  if (g_strcmp0 (dir, self->directory) != 0)
    {
      /* another experiment: the pipeline of this one stops (its checkpoints stay) */
      g_cancellable_cancel (self->run_cancellable);
      g_clear_object (&self->run_cancellable);
      clear_pipeline (self);
      g_clear_pointer (&self->pipeline_error, g_free);
      g_clear_pointer (&self->stage, g_free);
      if (self->running)
        set_running (self, FALSE);
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->coalesce_id, g_source_remove);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->monitor, file_changed, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
  if (dir != self->directory)
    {
      g_free (self->directory);
      self->directory = g_strdup (dir);
    }
  g_clear_pointer (&self->metrics_path, g_free);
  g_clear_pointer (&self->run, g_free);
  g_clear_pointer (&self->error, g_free);
  g_hash_table_remove_all (self->runs);
  g_ptr_array_set_size (self->run_names, 0);
  g_ptr_array_add (self->run_names, NULL);
  g_list_store_remove_all (self->loss_series);
  g_list_store_remove_all (self->accuracy_series);
  gtk_string_list_splice (self->run_list, 0, g_list_model_get_n_items (G_LIST_MODEL (self->run_list)), NULL);
  self->offset = 0;
  self->lines = 0;
  self->reading = FALSE;
  show_run (self);
  gtk_label_set_text (self->status_label, "");
  self->loading = dir != NULL;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
  update_actions (self);
  update_pipeline_status (self);
  if (dir == NULL)
    return;
  self->cancellable = g_cancellable_new ();
  self->metrics_path = g_build_filename (dir, "metrics.jsonl", NULL);
  file = g_file_new_for_path (self->metrics_path);
  self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, NULL);
  if (self->monitor != NULL)
    {
      g_file_monitor_set_rate_limit (self->monitor, COALESCE_MS);
      g_signal_connect (self->monitor, "changed", G_CALLBACK (file_changed), self);
    }
  start_read (self);
}

static void
update_actions (FtcTrainPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.stop", self->running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "train.resume",
                                 !self->running && self->directory != NULL && self->blocked == NULL);
}

static void
update_pipeline_status (FtcTrainPage *self)
{
  g_autofree char *text = NULL;

  if (self->pipeline == NULL)
    {
      gtk_label_set_text (self->pipeline_label, self->pipeline_error != NULL ? self->pipeline_error
                          : self->directory != NULL ? _("Resume runs the experiment's pipeline from where its files stop "
                                                        "(teach, curate, fine-tune, train, evaluate, report).")
                          : "");
      gtk_progress_bar_set_fraction (self->pipeline_progress, 0);
      gtk_widget_set_visible (GTK_WIDGET (self->pipeline_progress), FALSE);
      return;
    }
  {
    const char *stage = ftc_pipeline_get_stage (self->pipeline);
    const char *task = ftc_pipeline_get_task (self->pipeline);
    const char *method = ftc_pipeline_get_method (self->pipeline);
    double f = ftc_pipeline_get_fraction (self->pipeline);
    const char *device = ftc_pipeline_get_device (self->pipeline);
    GString *s = g_string_new (NULL);

    if (self->pipeline_error != NULL)
      g_string_append (s, self->pipeline_error);
    else if (!self->running && g_strcmp0 (stage, "done") == 0)
      g_string_append (s, _("Pipeline finished"));
    else
      {
        g_string_append_printf (s, self->running ? _("Running: %s") : _("Stopped at: %s"),
                                stage != NULL && *stage ? stage : "—");
        if (task != NULL && *task)
          g_string_append_printf (s, " · %s", task);
        if (method != NULL && *method)
          g_string_append_printf (s, " · %s", method);
        g_string_append_printf (s, " · %.0f %%", 100 * f);
        if (device != NULL && *device)
          g_string_append_printf (s, " · %s", device);
      }
    text = g_string_free (s, FALSE);
    gtk_label_set_text (self->pipeline_label, text);
    gtk_progress_bar_set_fraction (self->pipeline_progress, CLAMP (f, 0, 1));
    gtk_widget_set_visible (GTK_WIDGET (self->pipeline_progress), self->running);
  }
}

static void
pipeline_changed (FtcPipeline *pipeline, GParamSpec *pspec, FtcTrainPage *self)
{
  g_autofree char *key = g_strdup_printf ("%s\t%s\t%s", ftc_pipeline_get_stage (pipeline),
                                          ftc_pipeline_get_task (pipeline), ftc_pipeline_get_method (pipeline));

  if (g_strcmp0 (key, self->stage_key) != 0)
    {
      g_free (self->stage_key);
      self->stage_key = g_steal_pointer (&key);
      self->stage_time0 = g_get_monotonic_time ();
      self->stage_fraction0 = ftc_pipeline_get_fraction (pipeline);
    }
  if (g_strcmp0 (self->stage, ftc_pipeline_get_stage (pipeline)) != 0)
    {
      g_free (self->stage);
      self->stage = g_strdup (ftc_pipeline_get_stage (pipeline));
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STAGE]);
    }
  update_pipeline_status (self);
  update_stats (self);
}

static void
set_running (FtcTrainPage *self, gboolean running)
{
  self->running = running;
  update_actions (self);
  update_pipeline_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RUNNING]);
}

static void
clear_pipeline (FtcTrainPage *self)
{
  if (self->pipeline != NULL)
    g_signal_handlers_disconnect_by_func (self->pipeline, pipeline_changed, self);
  g_clear_object (&self->pipeline);
}

static void
run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FtcTrainPage) self = user_data;
  g_autoptr (GError) error = NULL;
  FtcPipeline *pipeline = FTC_PIPELINE (source);

  if (pipeline != self->pipeline)
    {
      /* a pipeline of a directory no longer shown: only its result is collected */
      ftc_pipeline_run_finish (pipeline, result, NULL);
      return;
    }
  g_clear_object (&self->run_cancellable);
  g_clear_pointer (&self->pipeline_error, g_free);
  if (!ftc_pipeline_run_finish (pipeline, result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        self->pipeline_error = g_strdup (error->message);
    }
  pipeline_changed (pipeline, NULL, self);
  set_running (self, FALSE);
  /* what the last lines of the run wrote */
  ftc_train_page_refresh (self);
}

gboolean
ftc_train_page_start (FtcTrainPage *self, GError **error)
{
  g_autoptr (GError) local = NULL;

  if (self->running)
    return TRUE;
  if (self->blocked != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY, "%s", self->blocked);
      return FALSE;
    }
  if (self->directory == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s", _("No experiment is open"));
      return FALSE;
    }
  clear_pipeline (self);
  g_clear_pointer (&self->pipeline_error, g_free);
  /* a fresh pipeline each time: it reloads experiment.json and skips what is complete on disk, so
   * training goes on from the last checkpoint */
  self->pipeline = ftc_pipeline_new (self->directory, NULL, &local);
  if (self->pipeline == NULL)
    {
      self->pipeline_error = g_strdup (local->message);
      update_pipeline_status (self);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  g_signal_connect (self->pipeline, "notify", G_CALLBACK (pipeline_changed), self);
  g_clear_pointer (&self->stage_key, g_free);
  self->run_cancellable = g_cancellable_new ();
  ftc_pipeline_run_async (self->pipeline, self->run_cancellable, run_done, g_object_ref (self));
  pipeline_changed (self->pipeline, NULL, self);
  set_running (self, TRUE);
  return TRUE;
}

void
ftc_train_page_stop (FtcTrainPage *self)
{
  g_cancellable_cancel (self->run_cancellable);
}

static void
stop_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ftc_train_page_stop (FTC_TRAIN_PAGE (widget));
}

static void
resume_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ftc_train_page_start (FTC_TRAIN_PAGE (widget), NULL);
}

static void
ftc_train_page_dispose (GObject *object)
{
  FtcTrainPage *self = FTC_TRAIN_PAGE (object);

  g_cancellable_cancel (self->run_cancellable);
  g_clear_object (&self->run_cancellable);
  clear_pipeline (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->coalesce_id, g_source_remove);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->monitor, file_changed, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), FTC_TYPE_TRAIN_PAGE);
  /* the template's unbound top-level children too */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->loss_series);
  g_clear_object (&self->accuracy_series);
  G_OBJECT_CLASS (ftc_train_page_parent_class)->dispose (object);
}

static void
ftc_train_page_finalize (GObject *object)
{
  FtcTrainPage *self = FTC_TRAIN_PAGE (object);

  g_hash_table_unref (self->runs);
  g_ptr_array_unref (self->run_names);
  for (guint i = 0; i < G_N_ELEMENTS (stat_names); i++)
    g_free (self->stat_texts[i]);
  g_free (self->run);
  g_free (self->directory);
  g_free (self->metrics_path);
  g_free (self->device);
  g_free (self->error);
  g_free (self->pipeline_error);
  g_free (self->stage);
  g_free (self->stage_key);
  g_free (self->blocked);
  G_OBJECT_CLASS (ftc_train_page_parent_class)->finalize (object);
}

static void
ftc_train_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_LOADING: g_value_set_boolean (value, FTC_TRAIN_PAGE (object)->loading); break;
    case PROP_RUNNING: g_value_set_boolean (value, FTC_TRAIN_PAGE (object)->running); break;
    case PROP_STAGE: g_value_set_string (value, FTC_TRAIN_PAGE (object)->stage); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ftc_train_page_class_init (FtcTrainPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ftc_train_page_dispose;
  object_class->finalize = ftc_train_page_finalize;
  object_class->get_property = ftc_train_page_get_property;
  props[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_STAGE] = g_param_spec_string ("stage", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  g_type_ensure (FTC_TYPE_CHART_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ftcot/Studio/ftc-train-page.ui");
  gtk_widget_class_bind_template_child (widget_class, FtcTrainPage, run_dropdown);
  gtk_widget_class_bind_template_child (widget_class, FtcTrainPage, run_list);
  gtk_widget_class_bind_template_child (widget_class, FtcTrainPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, FtcTrainPage, loss_chart);
  gtk_widget_class_bind_template_child (widget_class, FtcTrainPage, accuracy_chart);
  gtk_widget_class_bind_template_child (widget_class, FtcTrainPage, stats_grid);
  gtk_widget_class_bind_template_child (widget_class, FtcTrainPage, pipeline_label);
  gtk_widget_class_bind_template_child (widget_class, FtcTrainPage, pipeline_progress);
  gtk_widget_class_install_action (widget_class, "train.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "train.resume", NULL, resume_action);
}

static void
ftc_train_page_init (FtcTrainPage *self)
{
  const char *titles[G_N_ELEMENTS (stat_names)] = {
    _("Step"), _("Epoch"), _("Training loss"), _("Accuracy (latest evaluation)"),
    _("Learning rate"), _("Tokens per second"), _("Time left"), _("Device") };

  gtk_widget_init_template (GTK_WIDGET (self));
  self->runs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) run_free);
  self->run_names = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->run_names, NULL);
  self->loss_series = g_list_store_new (FTC_TYPE_SERIES);
  self->accuracy_series = g_list_store_new (FTC_TYPE_SERIES);
  ftc_chart_view_set_model (self->loss_chart, G_LIST_MODEL (self->loss_series));
  ftc_chart_view_set_axis_labels (self->loss_chart, _("step"), _("loss"), _("learning rate"));
  ftc_chart_view_set_model (self->accuracy_chart, G_LIST_MODEL (self->accuracy_series));
  ftc_chart_view_set_title (self->accuracy_chart, _("Accuracy during training"));
  ftc_chart_view_set_axis_labels (self->accuracy_chart, _("step"), _("accuracy (%)"), NULL);
  ftc_chart_view_set_y_range (self->accuracy_chart, 0, 100);
  for (guint i = 0; i < G_N_ELEMENTS (stat_names); i++)
    {
      GtkWidget *name = gtk_label_new (titles[i]);
      GtkWidget *value = gtk_label_new ("—");

      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_xalign (GTK_LABEL (value), 0);
      gtk_widget_add_css_class (name, "stat-name");
      gtk_widget_add_css_class (value, "stat-value");
      gtk_grid_attach (self->stats_grid, name, 0, (int) i * 2, 1, 1);
      gtk_grid_attach (self->stats_grid, value, 0, (int) i * 2 + 1, 1, 1);
      self->stat_labels[i] = GTK_LABEL (value);
    }
  update_actions (self);
  g_signal_connect_swapped (self->run_dropdown, "notify::selected", G_CALLBACK (run_selected), self);
  show_run (self);
}

GtkWidget *ftc_train_page_new (void) { return g_object_new (FTC_TYPE_TRAIN_PAGE, NULL); }
gboolean ftc_train_page_get_loading (FtcTrainPage *self) { return self->loading; }
const char *ftc_train_page_get_error (FtcTrainPage *self) { return self->error; }
const char *const *ftc_train_page_get_runs (FtcTrainPage *self) { return (const char *const *) self->run_names->pdata; }
const char *ftc_train_page_get_run (FtcTrainPage *self) { return self->run; }
GListModel *ftc_train_page_get_loss_model (FtcTrainPage *self) { return G_LIST_MODEL (self->loss_series); }
gboolean ftc_train_page_get_running (FtcTrainPage *self) { return self->running; }
const char *ftc_train_page_get_stage (FtcTrainPage *self) { return self->stage; }
const char *ftc_train_page_get_pipeline_error (FtcTrainPage *self) { return self->pipeline_error; }
FtcPipeline *ftc_train_page_get_pipeline (FtcTrainPage *self) { return self->pipeline; }
const char *ftc_train_page_get_pipeline_status (FtcTrainPage *self) { return gtk_label_get_text (self->pipeline_label); }

void
ftc_train_page_set_run (FtcTrainPage *self, const char *run)
{
  for (guint i = 0; i + 1 < self->run_names->len; i++)
    if (g_strcmp0 (self->run_names->pdata[i], run) == 0)
      {
        gtk_drop_down_set_selected (self->run_dropdown, i);
        /* selecting the position already selected emits nothing */
        run_selected (self);
        return;
      }
}

const char *
ftc_train_page_get_stat (FtcTrainPage *self, const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (stat_names); i++)
    if (strcmp (stat_names[i], name) == 0)
      return self->stat_texts[i];
  return NULL;
}

void
ftc_train_page_set_blocked (FtcTrainPage *self, const char *reason)
{
  if (g_strcmp0 (reason, self->blocked) == 0)
    return;
  g_free (self->blocked);
  self->blocked = g_strdup (reason);
  update_actions (self);
}
