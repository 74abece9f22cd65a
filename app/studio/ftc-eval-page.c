#include "app/studio/ftc-eval-page.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "app/studio/ftc-chart-view.h"
#include "app/studio/ftc-eval-row.h"
#include "app/studio/ftc-sample-grid.h"
#include "app/studio/ftc-studio-util.h"
#include "core/ftc-error.h"
#include "core/results/ftc-report.h"

/* What one task's eval records hold: per method, per sample, the record. */
typedef struct {
  GPtrArray *methods;      /* char*, in method order */
  GPtrArray *samples;      /* char* sample ids, by index */
  GHashTable *index_of;    /* sample id -> GINT index for sorting */
  GHashTable *records;     /* "method\tsample" -> JsonObject */
} TaskSamples;

typedef struct {
  FtcReport *report;       /* report/summary.json, or NULL before there is one */
  GPtrArray *rows;         /* FtcEvalRow */
  GPtrArray *tasks;        /* char* */
  GHashTable *samples;     /* task -> TaskSamples */
} EvalData;

static void
task_samples_free (TaskSamples *t)
{
  g_ptr_array_unref (t->methods);
  g_ptr_array_unref (t->samples);
  g_hash_table_unref (t->index_of);
  g_hash_table_unref (t->records);
  g_free (t);
}

static void
eval_data_free (EvalData *d)
{
  g_clear_pointer (&d->report, ftc_report_free);
  g_ptr_array_unref (d->rows);
  g_ptr_array_unref (d->tasks);
  g_hash_table_unref (d->samples);
  g_free (d);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvalData, eval_data_free)

struct _FtcEvalPage
{
  GtkWidget parent_instance;

  GtkDropDown *task_dropdown;
  GtkStringList *task_list;
  GtkToggleButton *bars_button;
  GtkToggleButton *diversity_button;
  GtkLabel *status_label;
  FtcChartView *chart;
  GtkColumnView *table;
  FtcSampleGrid *grid;
  GtkGrid *benchmark_grid;

  GListStore *rows;          /* FtcEvalRow shown in the table */
  EvalData *data;
  char **task_keys;
  char *task;                /* selected task, NULL: all */
  char *grid_task;           /* the task the grid shows */
  FtcEvalChart chart_kind;
  char *directory;
  GCancellable *cancellable;
  gboolean loading;
  char *error;
  GtkWidget *sample_window;
  GtkFileChooserNative *chooser;
  gboolean updating;
};

G_DEFINE_FINAL_TYPE (FtcEvalPage, ftc_eval_page, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_LOADING, N_PROPS };
static GParamSpec *props[N_PROPS];

static int
compare_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static int
compare_method (gconstpointer a, gconstpointer b)
{
  return ftc_studio_method_compare (*(const char *const *) a, *(const char *const *) b);
}

static void
add_task (EvalData *d, const char *task)
{
  for (guint i = 0; i < d->tasks->len; i++)
    if (strcmp (d->tasks->pdata[i], task) == 0)
      return;
  g_ptr_array_add (d->tasks, g_strdup (task));
}

typedef struct {
  EvalData *data;
  const char *path;
  char *file_task, *file_method;
} RecordState;

static gboolean
add_eval_record (JsonObject *obj, guint line_no, gpointer user_data, GError **error)
{
  RecordState *st = user_data;
  const char *task = ftc_json_string (obj, "task", st->file_task);
  const char *method = ftc_json_string (obj, "method", st->file_method);
  int index = (int) ftc_json_int (obj, "sample_index", ftc_json_int (obj, "index", -1));
  g_autofree char *fallback = g_strdup_printf ("%s-%d", task, index);
  const char *sample = ftc_json_string (obj, "sample_id", ftc_json_string (obj, "id", fallback));
  TaskSamples *t;
  g_autofree char *key = NULL;

  if (!ftc_json_bool (obj, "correct", FALSE) && json_object_get_member (obj, "correct") == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s:%u: an evaluation record needs \"correct\"",
                   st->path, line_no);
      return FALSE;
    }
  add_task (st->data, task);
  t = g_hash_table_lookup (st->data->samples, task);
  if (t == NULL)
    {
      t = g_new0 (TaskSamples, 1);
      t->methods = g_ptr_array_new_with_free_func (g_free);
      t->samples = g_ptr_array_new_with_free_func (g_free);
      t->index_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      t->records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);
      g_hash_table_insert (st->data->samples, g_strdup (task), t);
    }
  if (!g_ptr_array_find_with_equal_func (t->methods, method, g_str_equal, NULL))
    g_ptr_array_add (t->methods, g_strdup (method));
  if (!g_hash_table_contains (t->index_of, sample))
    {
      g_ptr_array_add (t->samples, g_strdup (sample));
      g_hash_table_insert (t->index_of, g_strdup (sample), GINT_TO_POINTER (index));
    }
  key = g_strdup_printf ("%s\t%s", method, sample);
  g_hash_table_replace (t->records, g_steal_pointer (&key), json_object_ref (obj));
  return TRUE;
}

static GHashTable *sort_index;   /* only used under sort_samples' lock */
G_LOCK_DEFINE_STATIC (sort_index);

static int
compare_sample (gconstpointer a, gconstpointer b)
{
  const char *sa = *(const char *const *) a, *sb = *(const char *const *) b;
  int ia = GPOINTER_TO_INT (g_hash_table_lookup (sort_index, sa));
  int ib = GPOINTER_TO_INT (g_hash_table_lookup (sort_index, sb));

  return ia != ib ? (ia < ib ? -1 : 1) : strcmp (sa, sb);
}

static void
sort_samples (TaskSamples *t)
{
  G_LOCK (sort_index);
  sort_index = t->index_of;
  g_ptr_array_sort (t->samples, compare_sample);
  sort_index = NULL;
  G_UNLOCK (sort_index);
  g_ptr_array_sort (t->methods, compare_method);
}

static EvalData *
load_eval (const char *dir, GCancellable *cancellable, GError **error)
{
  g_autoptr (EvalData) d = g_new0 (EvalData, 1);
  g_autofree char *summary_path = g_build_filename (dir, "report", "summary.json", NULL);
  g_autofree char *eval_dir = g_build_filename (dir, "eval", NULL);
  g_autoptr (GPtrArray) files = ftc_studio_list_jsonl (eval_dir);
  GHashTableIter iter;
  gpointer value;

  d->rows = g_ptr_array_new_with_free_func (g_object_unref);
  d->tasks = g_ptr_array_new_with_free_func (g_free);
  d->samples = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) task_samples_free);

  if (g_file_test (summary_path, G_FILE_TEST_EXISTS))
    {
      /* the report's own reader: the numbers and titles exactly as ftcot report wrote them */
      d->report = ftc_report_load_json (summary_path, error);
      if (d->report == NULL)
        return NULL;
      for (guint t = 0; t < d->report->tasks->len; t++)
        {
          const char *task = g_ptr_array_index (d->report->tasks, t);
          g_auto (GStrv) methods = ftc_report_methods (d->report);

          add_task (d, task);
          for (char **m = methods; *m != NULL; m++)
            {
              const FtcResult *r = ftc_report_lookup (d->report, task, *m);
              FtcEvalRow *row;

              if (r == NULL)
                continue;
              row = ftc_eval_row_new (task, *m, r->accuracy.value, r->n > 0 ? r->n : -1);
              ftc_eval_row_set_interval (row, r->accuracy.lo, r->accuracy.hi);
              ftc_eval_row_set_task_title (row, ftc_report_get_title (d->report, task));
              g_ptr_array_add (d->rows, row);
            }
        }
    }
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *base = g_path_get_basename (files->pdata[i]);
      char *dot;
      RecordState st = { d, files->pdata[i], NULL, NULL };
      gboolean ok;

      /* eval/TASK.METHOD.jsonl: completion records do not name their method, the file does (task keys
       * and method names hold no dots) */
      base[strlen (base) - strlen (".jsonl")] = '\0';
      dot = strrchr (base, '.');
      if (dot == NULL)
        continue;
      st.file_task = g_strndup (base, (gsize) (dot - base));
      st.file_method = g_strdup (dot + 1);
      ok = ftc_studio_read_jsonl (st.path, NULL, FALSE, add_eval_record, &st, cancellable, error);
      g_free (st.file_task);
      g_free (st.file_method);
      if (!ok)
        return NULL;
    }
  g_hash_table_iter_init (&iter, d->samples);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    sort_samples (value);
  /* the report's task order (first seen), then tasks that only have records, by name */
  g_ptr_array_sort (d->tasks, compare_str);
  if (d->report != NULL)
    for (guint t = d->report->tasks->len; t > 0; t--)
      {
        guint at;
        const char *task = g_ptr_array_index (d->report->tasks, t - 1);
        if (g_ptr_array_find_with_equal_func (d->tasks, task, g_str_equal, &at))
          g_ptr_array_insert (d->tasks, 0, g_ptr_array_steal_index (d->tasks, at));
      }
  return g_steal_pointer (&d);
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  EvalData *d = load_eval (task_data, cancellable, &error);

  if (d == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, d, (GDestroyNotify) eval_data_free);
}

/* ---- chart ---- */

static gboolean
task_shown (FtcEvalPage *self, const char *task)
{
  return self->task == NULL || strcmp (self->task, task) == 0;
}

/* The report narrowed to the selected task (the whole report for all tasks). */
static FtcReport *
shown_report (FtcEvalPage *self)
{
  FtcReport *sub;

  if (self->data == NULL || self->data->report == NULL)
    return NULL;
  sub = ftc_report_new (self->data->report->name);
  for (guint i = 0; i < self->data->report->results->len; i++)
    {
      const FtcResult *r = g_ptr_array_index (self->data->report->results, i);
      FtcResult *copy;
      char *task, *method;

      if (!task_shown (self, r->task))
        continue;
      copy = ftc_result_new (r->task, r->method);
      task = copy->task;
      method = copy->method;
      *copy = *r;
      copy->task = task;
      copy->method = method;
      ftc_report_add_result (sub, copy);
      ftc_report_set_title (sub, r->task, ftc_report_get_title (self->data->report, r->task));
    }
  return sub;
}

static void
rebuild_chart (FtcEvalPage *self)
{
  g_autoptr (FtcReport) report = shown_report (self);
  FtcChart *chart = NULL;

  /* the charts of ftcot report, made by the same functions */
  if (report != NULL)
    chart = self->chart_kind == FTC_EVAL_CHART_BARS ? ftc_report_chart_accuracy (report)
                                                    : ftc_report_chart_diversity (report);
  if (chart == NULL)
    chart = ftc_chart_new (self->chart_kind == FTC_EVAL_CHART_BARS ? FTC_CHART_BARS : FTC_CHART_LINES,
                           self->chart_kind == FTC_EVAL_CHART_BARS ? _("Accuracy per task")
                                                                   : _("Accuracy against diverse reasoning (D)"));
  ftc_chart_view_set_chart (self->chart, chart);
}

/* ---- table and grid ---- */

static void
rebuild_table (FtcEvalPage *self)
{
  g_autoptr (GPtrArray) shown = g_ptr_array_new ();

  if (self->data != NULL)
    for (guint i = 0; i < self->data->rows->len; i++)
      if (task_shown (self, ftc_eval_row_get_task (self->data->rows->pdata[i])))
        g_ptr_array_add (shown, self->data->rows->pdata[i]);
  g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)), shown->pdata,
                       shown->len);
}

static TaskSamples *
grid_samples (FtcEvalPage *self)
{
  return self->data != NULL && self->grid_task != NULL ? g_hash_table_lookup (self->data->samples, self->grid_task)
                                                       : NULL;
}

static void
rebuild_grid (FtcEvalPage *self)
{
  TaskSamples *t;
  g_autofree guint8 *cells = NULL;
  g_autoptr (GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);

  g_clear_pointer (&self->grid_task, g_free);
  if (self->data != NULL)
    {
      if (self->task != NULL)
        self->grid_task = g_strdup (self->task);
      else
        for (guint i = 0; i < self->data->tasks->len && self->grid_task == NULL; i++)
          if (g_hash_table_contains (self->data->samples, self->data->tasks->pdata[i]))
            self->grid_task = g_strdup (self->data->tasks->pdata[i]);
    }
  t = grid_samples (self);
  if (t == NULL)
    {
      ftc_sample_grid_set_data (self->grid, NULL, 0, 0, NULL);
      return;
    }
  cells = g_new0 (guint8, t->methods->len * t->samples->len);
  for (guint m = 0; m < t->methods->len; m++)
    {
      g_ptr_array_add (titles, ftc_studio_method_title (t->methods->pdata[m]));
      for (guint s = 0; s < t->samples->len; s++)
        {
          g_autofree char *key = g_strdup_printf ("%s\t%s", (char *) t->methods->pdata[m], (char *) t->samples->pdata[s]);
          JsonObject *rec = g_hash_table_lookup (t->records, key);
          cells[m * t->samples->len + s] = rec == NULL ? FTC_CELL_MISSING
                                         : ftc_json_bool (rec, "correct", FALSE) ? FTC_CELL_RIGHT : FTC_CELL_WRONG;
        }
    }
  ftc_sample_grid_set_data (self->grid, (const char *const *) titles->pdata, t->methods->len, t->samples->len, cells);
}

static void
update_status (FtcEvalPage *self)
{
  g_autofree char *text = NULL;
  TaskSamples *t = grid_samples (self);

  if (self->error != NULL)
    text = g_strdup (self->error);
  else if (self->data == NULL || (self->data->rows->len == 0 && self->data->tasks->len == 0))
    text = g_strdup (_("No evaluation yet"));
  else if (t != NULL)
    text = g_strdup_printf (_("%s: %u test samples, %u methods"), self->grid_task, t->samples->len, t->methods->len);
  else
    text = g_strdup ("");
  gtk_label_set_text (self->status_label, text);
}

/* The benchmark table of ftcot report (core's rows): pass@1 per benchmark and method, with intervals. */
static void
rebuild_benchmarks (FtcEvalPage *self)
{
  g_autoptr (GPtrArray) rows = self->data != NULL && self->data->report != NULL
                               ? ftc_report_benchmark_rows (self->data->report) : NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->benchmark_grid))) != NULL)
    gtk_grid_remove (self->benchmark_grid, child);
  gtk_widget_set_visible (GTK_WIDGET (self->benchmark_grid), rows != NULL);
  for (guint r = 0; rows != NULL && r < rows->len; r++)
    {
      char **cells = rows->pdata[r];
      for (guint c = 0; cells[c] != NULL; c++)
        {
          GtkWidget *label = gtk_label_new (cells[c]);
          gtk_label_set_xalign (GTK_LABEL (label), c >= 2 ? 1.0 : 0.0);
          if (r == 0)
            gtk_widget_add_css_class (label, "heading");
          else if (c >= 2)
            gtk_widget_add_css_class (label, "numeric");
          gtk_grid_attach (self->benchmark_grid, label, (int) c, (int) r, 1, 1);
        }
    }
}

static void
rebuild (FtcEvalPage *self)
{
  rebuild_benchmarks (self);
  rebuild_chart (self);
  rebuild_table (self);
  rebuild_grid (self);
  update_status (self);
}

static void
loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FtcEvalPage) self = user_data;
  g_autoptr (GError) error = NULL;
  EvalData *d = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading = FALSE;
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->data, eval_data_free);
  g_clear_pointer (&self->task_keys, g_strfreev);
  self->data = d;
  if (d == NULL)
    self->error = g_strdup (error->message);
  self->updating = TRUE;
  {
    g_autoptr (GPtrArray) names = g_ptr_array_new ();
    g_ptr_array_add (names, (gpointer) _("All tasks"));
    if (d != NULL)
      for (guint i = 0; i < d->tasks->len; i++)
        g_ptr_array_add (names, d->tasks->pdata[i]);
    g_ptr_array_add (names, NULL);
    gtk_string_list_splice (self->task_list, 0, g_list_model_get_n_items (G_LIST_MODEL (self->task_list)),
                            (const char *const *) names->pdata);
    if (d != NULL)
      {
        self->task_keys = g_new0 (char *, d->tasks->len + 1);
        for (guint i = 0; i < d->tasks->len; i++)
          self->task_keys[i] = g_strdup (d->tasks->pdata[i]);
      }
    gtk_drop_down_set_selected (self->task_dropdown, 0);
    g_clear_pointer (&self->task, g_free);
  }
  self->updating = FALSE;
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
}

void
ftc_eval_page_set_directory (FtcEvalPage *self, const char *dir)
{
  g_autoptr (GTask) task = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_free (self->directory);
  self->directory = g_strdup (dir);
  g_clear_pointer (&self->data, eval_data_free);
  g_clear_pointer (&self->error, g_free);
  rebuild (self);
  self->loading = dir != NULL;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
  if (dir == NULL)
    return;
  self->cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->cancellable, loaded, g_object_ref (self));
  g_task_set_task_data (task, g_strdup (dir), g_free);
  g_task_run_in_thread (task, load_thread);
}

/* ---- the sample window ---- */

static GtkWidget *
label_new (const char *text, const char *css)
{
  GtkWidget *l = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (l), 0);
  gtk_label_set_wrap (GTK_LABEL (l), TRUE);
  gtk_label_set_selectable (GTK_LABEL (l), TRUE);
  if (css != NULL)
    gtk_widget_add_css_class (l, css);
  return l;
}

GtkWidget *
ftc_eval_page_open_sample (FtcEvalPage *self, guint sample)
{
  TaskSamples *t = grid_samples (self);
  const char *sample_id;
  GtkWidget *box, *scroll;
  g_autofree char *title = NULL;
  gboolean header_done = FALSE;
  GtkRoot *root;

  if (t == NULL || sample >= t->samples->len)
    return NULL;
  sample_id = t->samples->pdata[sample];
  if (self->sample_window != NULL)
    gtk_window_destroy (GTK_WINDOW (self->sample_window));
  self->sample_window = gtk_window_new ();
  g_object_add_weak_pointer (G_OBJECT (self->sample_window), (gpointer *) &self->sample_window);
  title = g_strdup_printf (_("Sample %s"), sample_id);
  gtk_window_set_title (GTK_WINDOW (self->sample_window), title);
  gtk_window_set_default_size (GTK_WINDOW (self->sample_window), 640, 520);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (self->sample_window), GTK_WINDOW (root));
  gtk_window_set_destroy_with_parent (GTK_WINDOW (self->sample_window), TRUE);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  gtk_widget_add_css_class (box, "form-page");
  for (guint m = 0; m < t->methods->len; m++)
    {
      g_autofree char *key = g_strdup_printf ("%s\t%s", (char *) t->methods->pdata[m], sample_id);
      JsonObject *rec = g_hash_table_lookup (t->records, key);
      g_autofree char *method = ftc_studio_method_title (t->methods->pdata[m]);
      g_autofree char *line = NULL;
      gboolean ok;

      if (rec == NULL)
        continue;
      if (!header_done)
        {
          g_autofree char *gold = g_strdup_printf (_("Gold answer: %s"), ftc_json_string (rec, "gold", "?"));
          gtk_box_append (GTK_BOX (box), label_new (ftc_json_string (rec, "question", ""), NULL));
          gtk_box_append (GTK_BOX (box), label_new (gold, "heading"));
          header_done = TRUE;
        }
      ok = ftc_json_bool (rec, "correct", FALSE);
      line = g_strdup_printf ("%s: %s %s", method, ftc_json_string (rec, "prediction", ""), ok ? "✓" : "✗");
      gtk_box_append (GTK_BOX (box), label_new (line, ok ? "success" : "error"));
      {
        const char *text = ftc_json_string (rec, "completion", ftc_json_string (rec, "rationale", NULL));
        if (text != NULL)
          {
            g_autofree char *stripped = g_strstrip (g_strdup (text));
            gtk_box_append (GTK_BOX (box), label_new (stripped, "preview"));
          }
      }
    }
  scroll = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), box);
  gtk_window_set_child (GTK_WINDOW (self->sample_window), scroll);
  ftc_sample_grid_set_selected (self->grid, (int) sample);
  gtk_window_present (GTK_WINDOW (self->sample_window));
  return self->sample_window;
}

static void
sample_activated (FtcEvalPage *self, int sample)
{
  ftc_eval_page_open_sample (self, (guint) sample);
}

/* ---- export ---- */

static char *
csv_field (const char *s)
{
  GString *out;

  if (strpbrk (s, ",\"\n\r") == NULL)
    return g_strdup (s);
  out = g_string_new ("\"");
  for (const char *p = s; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

gboolean
ftc_eval_page_export (FtcEvalPage *self, const char *path, GError **error)
{
  if (g_str_has_suffix (path, ".csv"))
    {
      g_autoptr (GString) csv = g_string_new ("task,method,accuracy,n\n");
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));

      for (guint i = 0; i < n; i++)
        {
          g_autoptr (FtcEvalRow) row = g_list_model_get_item (G_LIST_MODEL (self->rows), i);
          g_autofree char *task = csv_field (ftc_eval_row_get_task (row));
          g_autofree char *method = csv_field (ftc_eval_row_get_method (row));
          char acc[G_ASCII_DTOSTR_BUF_SIZE];

          g_ascii_formatd (acc, sizeof acc, "%.2f", ftc_eval_row_get_accuracy (row));
          g_string_append_printf (csv, "%s,%s,%s,", task, method, acc);
          if (ftc_eval_row_get_n (row) >= 0)
            g_string_append_printf (csv, "%" G_GINT64_FORMAT, ftc_eval_row_get_n (row));
          g_string_append_c (csv, '\n');
        }
      return ftc_studio_write_atomic (path, csv->str, (gssize) csv->len, error);
    }
  if (g_str_has_suffix (path, ".png") || g_str_has_suffix (path, ".svg"))
    return ftc_chart_view_export (self->chart, path, 900, 540, error);
  g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: export writes .png, .svg or .csv files", path);
  return FALSE;
}

static void
export_response (GtkNativeDialog *dialog, int response, FtcEvalPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr (GError) error = NULL;

      if (path != NULL && !ftc_eval_page_export (self, path, &error))
        gtk_label_set_text (self->status_label, error->message);
      else if (path != NULL)
        {
          g_autofree char *text = g_strdup_printf (_("Saved %s"), path);
          gtk_label_set_text (self->status_label, text);
        }
    }
  g_clear_object (&self->chooser);
}

static void
export_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FtcEvalPage *self = FTC_EVAL_PAGE (widget);
  const char *format = g_variant_get_string (param, NULL);
  g_autofree char *suggested = g_strdup_printf ("%s.%s", g_str_equal (format, "csv") ? "summary" : "chart", format);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Export"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), suggested);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- controls ---- */

static void
task_selected (FtcEvalPage *self)
{
  guint pos = gtk_drop_down_get_selected (self->task_dropdown);

  if (self->updating)
    return;
  g_clear_pointer (&self->task, g_free);
  if (pos != GTK_INVALID_LIST_POSITION && pos > 0 && self->task_keys != NULL &&
      pos - 1 < g_strv_length (self->task_keys))
    self->task = g_strdup (self->task_keys[pos - 1]);
  rebuild (self);
}

static void
chart_toggled (FtcEvalPage *self)
{
  FtcEvalChart kind = gtk_toggle_button_get_active (self->diversity_button) ? FTC_EVAL_CHART_DIVERSITY
                                                                            : FTC_EVAL_CHART_BARS;
  if (kind == self->chart_kind)
    return;
  self->chart_kind = kind;
  rebuild_chart (self);
}

static void
ftc_eval_page_dispose (GObject *object)
{
  FtcEvalPage *self = FTC_EVAL_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->sample_window != NULL)
    gtk_window_destroy (GTK_WINDOW (self->sample_window));
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), FTC_TYPE_EVAL_PAGE);
  /* the template's unbound top-level children too */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->rows);
  G_OBJECT_CLASS (ftc_eval_page_parent_class)->dispose (object);
}

static void
ftc_eval_page_finalize (GObject *object)
{
  FtcEvalPage *self = FTC_EVAL_PAGE (object);

  g_clear_pointer (&self->data, eval_data_free);
  g_strfreev (self->task_keys);
  g_free (self->task);
  g_free (self->grid_task);
  g_free (self->directory);
  g_free (self->error);
  G_OBJECT_CLASS (ftc_eval_page_parent_class)->finalize (object);
}

static void
ftc_eval_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_LOADING: g_value_set_boolean (value, FTC_EVAL_PAGE (object)->loading); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ftc_eval_page_class_init (FtcEvalPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ftc_eval_page_dispose;
  object_class->finalize = ftc_eval_page_finalize;
  object_class->get_property = ftc_eval_page_get_property;
  props[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  g_type_ensure (FTC_TYPE_CHART_VIEW);
  g_type_ensure (FTC_TYPE_SAMPLE_GRID);
  g_type_ensure (FTC_TYPE_EVAL_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ftcot/Studio/ftc-eval-page.ui");
  gtk_widget_class_bind_template_child (widget_class, FtcEvalPage, task_dropdown);
  gtk_widget_class_bind_template_child (widget_class, FtcEvalPage, task_list);
  gtk_widget_class_bind_template_child (widget_class, FtcEvalPage, bars_button);
  gtk_widget_class_bind_template_child (widget_class, FtcEvalPage, diversity_button);
  gtk_widget_class_bind_template_child (widget_class, FtcEvalPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, FtcEvalPage, chart);
  gtk_widget_class_bind_template_child (widget_class, FtcEvalPage, table);
  gtk_widget_class_bind_template_child (widget_class, FtcEvalPage, grid);
  gtk_widget_class_bind_template_child (widget_class, FtcEvalPage, benchmark_grid);
  gtk_widget_class_install_action (widget_class, "eval.export", "s", export_action);
}

static void
ftc_eval_page_init (FtcEvalPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_list_store_new (FTC_TYPE_EVAL_ROW);
  gtk_column_view_set_model (self->table,
                             GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->rows)))));
  g_signal_connect_swapped (self->task_dropdown, "notify::selected", G_CALLBACK (task_selected), self);
  g_signal_connect_swapped (self->diversity_button, "toggled", G_CALLBACK (chart_toggled), self);
  g_signal_connect_swapped (self->grid, "sample-activated", G_CALLBACK (sample_activated), self);
  rebuild (self);
}

GtkWidget *ftc_eval_page_new (void) { return g_object_new (FTC_TYPE_EVAL_PAGE, NULL); }
gboolean ftc_eval_page_get_loading (FtcEvalPage *self) { return self->loading; }
const char *ftc_eval_page_get_error (FtcEvalPage *self) { return self->error; }
const char *const *ftc_eval_page_get_tasks (FtcEvalPage *self) { return (const char *const *) self->task_keys; }
FtcEvalChart ftc_eval_page_get_chart (FtcEvalPage *self) { return self->chart_kind; }
GtkWidget *ftc_eval_page_get_chart_view (FtcEvalPage *self) { return GTK_WIDGET (self->chart); }
GListModel *ftc_eval_page_get_table_model (FtcEvalPage *self) { return G_LIST_MODEL (self->rows); }
GtkWidget *ftc_eval_page_get_grid (FtcEvalPage *self) { return GTK_WIDGET (self->grid); }
GtkWidget *ftc_eval_page_get_benchmark_grid (FtcEvalPage *self) { return GTK_WIDGET (self->benchmark_grid); }

void
ftc_eval_page_set_task (FtcEvalPage *self, const char *task)
{
  guint pos = 0;

  if (task != NULL && self->task_keys != NULL)
    for (guint i = 0; self->task_keys[i] != NULL; i++)
      if (strcmp (self->task_keys[i], task) == 0)
        pos = i + 1;
  gtk_drop_down_set_selected (self->task_dropdown, pos);
}

void
ftc_eval_page_set_chart (FtcEvalPage *self, FtcEvalChart chart)
{
  gtk_toggle_button_set_active (chart == FTC_EVAL_CHART_DIVERSITY ? self->diversity_button : self->bars_button, TRUE);
}
