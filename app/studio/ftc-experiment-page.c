#include "app/studio/ftc-experiment-page.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "app/studio/ftc-application.h"
#include "app/studio/ftc-studio-util.h"
#include "core/ftc-devices.h"
#include "core/ftc-error.h"
#include "core/method/ftc-experiment.h"
#include "core/students/ftc-model-dir.h"
#include "core/tasks/ftc-task-open.h"
#include "core/tasks/ftc-task-registry.h"

/* From-scratch presets take their vocabulary from a character tokenizer: counted as 256 entries. */
#define SCRATCH_VOCAB 256

gint64
ftc_experiment_student_params (const char *preset)
{
  const FtcModelPreset *p = preset != NULL ? ftc_model_preset_lookup (preset) : NULL;
  gint64 C, L, V;

  if (p == NULL)
    return -1;
  C = p->config.channels;
  L = p->config.num_layers;
  V = p->config.vocab_size > 0 ? p->config.vocab_size : SCRATCH_VOCAB;
  /* token and position embeddings (the output layer shares the token one), per layer: attention
   * 4 C^2 + 4 C, MLP 8 C^2 + 5 C, two layer norms 4 C; the final layer norm 2 C */
  return V * C + (gint64) p->config.max_seq_len * C + L * (12 * C * C + 13 * C) + 2 * C;
}

gint64
ftc_experiment_estimate_memory (const char *preset, int batch_size, int context)
{
  const FtcModelPreset *p = preset != NULL ? ftc_model_preset_lookup (preset) : NULL;
  gint64 T, C, L, V, B, acts;

  if (p == NULL)
    return -1;
  T = context > 0 ? MIN (context, p->config.max_seq_len) : p->config.max_seq_len;
  C = p->config.channels;
  L = p->config.num_layers;
  V = p->config.vocab_size > 0 ? p->config.vocab_size : SCRATCH_VOCAB;
  B = MAX (batch_size, 1);
  /* llm.c's activation count: per layer about 16 BTC plus the attention scores before and after the
   * softmax (B NH T T each), plus the logits and their probabilities */
  acts = L * (16 * B * T * C + 2 * B * p->config.num_heads * T * T) + 2 * B * T * V;
  return ftc_experiment_student_params (preset) * 16 + acts * 4;
}

struct _FtcExperimentPage
{
  GtkWidget parent_instance;

  GtkLabel *status_label;
  GtkEntry *name_entry;
  GtkLabel *folder_label;
  GtkDropDown *task_dropdown;
  GtkStringList *task_dropdown_list;
  GtkLabel *task_preview;
  GtkDropDown *teacher_dropdown;
  GtkEntry *endpoint_entry, *model_entry, *key_env_entry, *replay_entry;
  GtkSpinButton *samples_spin, *temperature_spin;
  GtkDropDown *student_dropdown;
  GtkStringList *student_dropdown_list;
  GtkEntry *model_dir_entry;
  GtkCheckButton *pretrained_check;
  GtkCheckButton *zero_shot_check, *vanilla_check, *ft_cot_check, *diverse_check;
  GtkSpinButton *lr_spin, *batch_spin, *epochs_spin, *seed_spin;
  GtkDropDown *device_dropdown;
  GtkStringList *device_dropdown_list;
  GtkLabel *memory_label;

  FtcExperiment *exp;          /* as read (core/method/ftc-experiment.h); the form's values go over a copy on
                                * save, so every setting the form does not show is written back unchanged */
  GHashTable *previews;        /* task -> first recorded questions */
  GPtrArray *task_keys;        /* dropdown position -> key */
  GPtrArray *student_keys;     /* dropdown position -> preset */
  GPtrArray *device_specs;     /* dropdown position -> spec */
  GArray *device_memory;       /* gint64 bytes, -1 unknown */
  GCancellable *devices_cancellable;
  GCancellable *preview_cancellable;
  char *preview_key;           /* the task the preview is (being) loaded for */
  char *loaded_preview;        /* what loading it said */
  gboolean previewing;
  gboolean devices_listed;
  char *directory;
  GCancellable *cancellable;
  gboolean loading;
  gboolean creating;           /* no experiment.json yet: the form shows core's defaults */
  GHashTable *shown;           /* widget -> double: what fill_form showed, so that a value the user did not
                                * touch is written back exactly as read, not as the widget rounds or clamps it */
  char *error;
};

G_DEFINE_FINAL_TYPE (FtcExperimentPage, ftc_experiment_page, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_LOADING, N_PROPS };
static GParamSpec *props[N_PROPS];

gboolean
ftc_experiment_page_create (const char *dir, GError **error)
{
  g_autofree char *path = ftc_experiment_dir_config (dir);
  g_autoptr (FtcExperiment) exp = NULL;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: %s", dir, g_strerror (e));
      return FALSE;
    }
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  /* core's defaults, named after the folder */
  exp = ftc_experiment_new ();
  exp->name = g_path_get_basename (dir);
  return ftc_experiment_save (exp, path, error);
}

/* ---- loading ---- */

typedef struct {
  FtcExperiment *exp;     /* NULL: no experiment.json yet */
  GHashTable *previews;   /* task -> GString of first questions */
} Loaded;

static void
loaded_free (Loaded *l)
{
  g_clear_pointer (&l->exp, ftc_experiment_free);
  g_hash_table_unref (l->previews);
  g_free (l);
}

typedef struct {
  GString *text;
  guint n;
} PreviewState;

static gboolean
preview_record (JsonObject *obj, guint line_no, gpointer user_data, GError **error)
{
  PreviewState *st = user_data;
  const char *q = ftc_json_string (obj, "question", NULL);

  if (q != NULL && st->n < 3 && ftc_json_int (obj, "completion_index", 0) == 0)
    {
      g_string_append_printf (st->text, "• %s\n", q);
      st->n++;
    }
  return st->n < 3;   /* FALSE without an error: enough, stop reading */
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *dir = task_data;
  Loaded *l = g_new0 (Loaded, 1);
  g_autofree char *path = ftc_experiment_dir_config (dir);
  g_autofree char *teacher_dir = g_build_filename (dir, "teacher", NULL);
  g_autoptr (GPtrArray) files = ftc_studio_list_jsonl (teacher_dir);
  GError *error = NULL;

  l->previews = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* as written, not validated: a file naming a folder that is gone still opens, to be fixed in the form */
  l->exp = ftc_experiment_read (path, &error);
  if (l->exp == NULL)
    {
      if (g_file_test (path, G_FILE_TEST_EXISTS) || !g_error_matches (error, FTC_ERROR, FTC_ERROR_NOT_FOUND))
        {
          loaded_free (l);
          g_task_return_error (task, error);
          return;
        }
      g_clear_error (&error);
    }
  for (guint i = 0; i < files->len; i++)
    {
      PreviewState st = { g_string_new (NULL), 0 };

      /* a preview is a nicety: a bad teacher file shows up in the review view instead */
      ftc_studio_read_jsonl (files->pdata[i], NULL, TRUE, preview_record, &st, cancellable, NULL);
      g_hash_table_insert (l->previews, ftc_studio_task_of_file (files->pdata[i]), g_string_free (st.text, FALSE));
    }
  g_task_return_pointer (task, l, (GDestroyNotify) loaded_free);
}

static guint
index_of (const char *const *values, guint n, const char *v, guint fallback)
{
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (values[i], v) == 0)
      return i;
  return fallback;
}

static gboolean
has_method_prefix (const FtcExperiment *exp, const char *prefix)
{
  for (guint i = 0; i < exp->methods->len; i++)
    {
      g_autofree char *name = ftc_method_to_string (&g_array_index (exp->methods, FtcMethod, i));
      if (g_str_has_prefix (name, prefix))
        return TRUE;
    }
  return FALSE;
}

static const char *
answer_type_name (FtcAnswerType t)
{
  switch (t)
    {
    case FTC_ANSWER_NUMBER: return _("a number");
    case FTC_ANSWER_CHOICE: return _("a choice letter");
    case FTC_ANSWER_YESNO: return _("yes or no");
    case FTC_ANSWER_MATH: return _("math (LaTeX)");
    case FTC_ANSWER_TEXT: default: return _("text");
    }
}

/* What loading the task says: split sizes and the first questions, or why it could not be loaded. */
typedef struct {
  char *key;
  char *text;
} TaskPreview;

static void
task_preview_free (TaskPreview *t)
{
  g_free (t->key);
  g_free (t->text);
  g_free (t);
}

static void
task_preview_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  TaskPreview *t = task_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTask) ftask = ftc_task_open (t->key, NULL, &error);
  GString *text = g_string_new (NULL);

  if (ftask == NULL)
    g_string_append_printf (text, _("The task's data is not here yet: %s\n"), error->message);
  else
    {
      g_string_append_printf (text, _("%u samples: %u for training, %u for testing. First training questions:\n"),
                              ftask->samples->len, ftask->train->len, ftask->test->len);
      for (guint i = 0; i < MIN (3u, ftask->train->len); i++)
        {
          FtcSample *sample = g_ptr_array_index (ftask->samples, g_array_index (ftask->train, int, i));
          g_string_append_printf (text, "• %s (%s)\n", sample->question, sample->answer);
        }
    }
  g_task_return_pointer (task, g_string_free (text, FALSE), g_free);
}

static void update_preview_text (FtcExperimentPage *self);

static void
task_previewed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FtcExperimentPage) self = user_data;
  TaskPreview *t = g_task_get_task_data (G_TASK (result));
  g_autofree char *text = g_task_propagate_pointer (G_TASK (result), NULL);

  if (text == NULL || g_strcmp0 (t->key, ftc_experiment_page_get_task (self)) != 0)
    return;   /* cancelled, or another task was chosen meanwhile */
  g_free (self->loaded_preview);
  self->loaded_preview = g_steal_pointer (&text);
  self->previewing = FALSE;
  update_preview_text (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
}

static void
update_preview_text (FtcExperimentPage *self)
{
  const char *key = ftc_experiment_page_get_task (self);
  const FtcTaskInfo *info = ftc_task_info_lookup (key != NULL ? key : "");
  const char *questions = key != NULL && self->previews != NULL ? g_hash_table_lookup (self->previews, key) : NULL;
  g_autoptr (GString) text = g_string_new (NULL);

  if (info != NULL)
    g_string_append_printf (text, _("%s · %s · answers: %s · trigger: “%s”\n"), info->title,
                            info->source == FTC_TASK_SYNTHETIC ? _("synthetic, generated from a seed")
                            : info->source == FTC_TASK_BENCHMARK ? _("benchmark from its published files")
                                                                 : _("dataset from its published files"),
                            answer_type_name (info->answer_type), info->answer_trigger);
  if (self->loaded_preview != NULL)
    g_string_append (text, self->loaded_preview);
  else
    g_string_append (text, _("Loading the task…\n"));
  if (questions != NULL && *questions != '\0')
    g_string_append_printf (text, _("Questions the teacher answered:\n%s"), questions);
  g_strchomp (text->str);
  gtk_label_set_text (self->task_preview, text->str);
}

/* Loads the chosen task on a worker thread (a dataset reads its files, a synthetic family generates). */
static void
update_preview (FtcExperimentPage *self)
{
  const char *key = ftc_experiment_page_get_task (self);
  g_autoptr (GTask) task = NULL;
  TaskPreview *t;

  if (key != NULL && g_strcmp0 (key, self->preview_key) == 0)
    {
      update_preview_text (self);
      return;
    }
  g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  g_clear_pointer (&self->loaded_preview, g_free);
  g_free (self->preview_key);
  self->preview_key = g_strdup (key);
  update_preview_text (self);
  if (key == NULL)
    return;
  self->previewing = TRUE;
  self->preview_cancellable = g_cancellable_new ();
  t = g_new0 (TaskPreview, 1);
  t->key = g_strdup (key);
  task = g_task_new (NULL, self->preview_cancellable, task_previewed, g_object_ref (self));
  g_task_set_task_data (task, t, (GDestroyNotify) task_preview_free);
  g_task_run_in_thread (task, task_preview_thread);
}

/* OpenCL platforms can take a moment to enumerate (PoCL compiles nothing, but loads its drivers): core
 * lists them on a worker thread (ftc_devices_enumerate_async); the newest list is kept for the process and
 * only ever touched on the GTK thread. */
static FtcDevices *device_cache;

static void
update_memory (FtcExperimentPage *self)
{
  guint s = gtk_drop_down_get_selected (self->student_dropdown);
  guint d = gtk_drop_down_get_selected (self->device_dropdown);
  gboolean folder = *gtk_editable_get_text (GTK_EDITABLE (self->model_dir_entry)) != '\0';
  gint64 need = ftc_experiment_estimate_memory (!folder && s < self->student_keys->len ? self->student_keys->pdata[s]
                                                                                     : NULL,
                                                gtk_spin_button_get_value_as_int (self->batch_spin), 0);
  gint64 have = d < self->device_memory->len ? g_array_index (self->device_memory, gint64, d) : -1;

  /* "auto" is the first OpenCL GPU, else cpu: the device listed under that spec */
  if (d < self->device_specs->len && strcmp (self->device_specs->pdata[d], "auto") == 0 && self->devices_listed)
    {
      const char *spec = device_cache != NULL ? device_cache->default_spec : "";
      for (guint i = 0; i < self->device_specs->len; i++)
        if (strcmp (self->device_specs->pdata[i], spec) == 0)
          have = g_array_index (self->device_memory, gint64, i);
    }
  g_autofree char *need_s = need > 0 ? g_format_size ((guint64) need) : NULL;
  g_autofree char *have_s = have > 0 ? g_format_size ((guint64) have) : NULL;
  g_autofree char *text = NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (self->memory_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->memory_label), "success");
  if (need < 0)
    text = g_strdup (_("Memory: a model folder's needs are known once it is loaded."));
  else if (have < 0)
    text = g_strdup_printf (_("Training needs about %s; the device's memory is unknown."), need_s);
  else
    {
      gboolean fits = need < have * 0.9;
      text = g_strdup_printf (fits ? _("Training needs about %s of %s: it fits.")
                                   : _("Training needs about %s but the device has %s: lower the batch size or "
                                       "choose a smaller student."), need_s, have_s);
      gtk_widget_add_css_class (GTK_WIDGET (self->memory_label), fits ? "success" : "error");
    }
  gtk_label_set_text (self->memory_label, text);
}

/* A model folder replaces the preset: the preset list is off while the folder entry holds a path. */
static void
student_folder_changed (FtcExperimentPage *self)
{
  gboolean folder = *gtk_editable_get_text (GTK_EDITABLE (self->model_dir_entry)) != '\0';

  gtk_widget_set_sensitive (GTK_WIDGET (self->student_dropdown), !folder);
  gtk_widget_set_sensitive (GTK_WIDGET (self->pretrained_check), folder);
  update_memory (self);
}

static void
teacher_kind_changed (FtcExperimentPage *self)
{
  guint k = gtk_drop_down_get_selected (self->teacher_dropdown);

  gtk_widget_set_sensitive (GTK_WIDGET (self->endpoint_entry), k == 2);
  gtk_widget_set_sensitive (GTK_WIDGET (self->model_entry), k == 2);
  gtk_widget_set_sensitive (GTK_WIDGET (self->key_env_entry), k == 2);
  gtk_widget_set_sensitive (GTK_WIDGET (self->replay_entry), k == 1);
}

static double
widget_value (gpointer widget)
{
  if (GTK_IS_SPIN_BUTTON (widget))
    return gtk_spin_button_get_value (widget);
  if (GTK_IS_DROP_DOWN (widget))
    return gtk_drop_down_get_selected (widget);
  return gtk_check_button_get_active (widget);
}

static void
remember_shown (FtcExperimentPage *self, gpointer widget)
{
  double *v = g_new (double, 1);

  *v = widget_value (widget);
  g_hash_table_insert (self->shown, widget, v);
}

/* Whether the user changed widget since fill_form. */
static gboolean
edited (FtcExperimentPage *self, gpointer widget)
{
  const double *v = g_hash_table_lookup (self->shown, widget);

  return v == NULL || *v != widget_value (widget);
}

static void
set_entry (GtkEntry *entry, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), text != NULL ? text : "");
}

static void
fill_form (FtcExperimentPage *self)
{
  const FtcExperiment *exp = self->exp;
  const FtcTeacherSettings *t = &exp->teacher;
  const FtcExperimentTask *task0 = g_ptr_array_index (exp->tasks, 0);
  GSettings *settings = ftc_application_get_settings ();
  g_autofree char *default_device = settings != NULL ? g_settings_get_string (settings, "default-device") : NULL;
  const char *device = exp->device;
  guint pos;

  set_entry (self->name_entry, exp->name);
  gtk_label_set_text (self->folder_label, self->directory != NULL ? self->directory : "");
  ftc_experiment_page_set_task (self, task0->key);
  gtk_drop_down_set_selected (self->teacher_dropdown, t->kind);
  set_entry (self->endpoint_entry, t->endpoint);
  set_entry (self->model_entry, t->model);
  set_entry (self->key_env_entry, t->key_env);
  set_entry (self->replay_entry, t->replay_path);
  gtk_spin_button_set_value (self->samples_spin, t->samples);
  gtk_spin_button_set_value (self->temperature_spin, t->temperature);
  if (exp->student.preset != NULL)
    gtk_drop_down_set_selected (self->student_dropdown,
                                index_of ((const char *const *) self->student_keys->pdata, self->student_keys->len,
                                          exp->student.preset, 0));
  set_entry (self->model_dir_entry, exp->student.model_dir);
  gtk_check_button_set_active (self->pretrained_check, exp->student.init == FTC_STUDENT_PRETRAINED);
  gtk_check_button_set_active (self->zero_shot_check, ftc_experiment_has_method (exp, "zero_shot"));
  gtk_check_button_set_active (self->vanilla_check, ftc_experiment_has_method (exp, "vanilla"));
  gtk_check_button_set_active (self->ft_cot_check, ftc_experiment_has_method (exp, "ft_cot"));
  gtk_check_button_set_active (self->diverse_check, has_method_prefix (exp, "ft_cot_d"));
  gtk_spin_button_set_value (self->lr_spin, exp->training.learning_rate);
  gtk_spin_button_set_value (self->batch_spin, exp->training.batch_size);
  gtk_spin_button_set_value (self->epochs_spin, exp->training.epochs);
  gtk_spin_button_set_value (self->seed_spin, (double) exp->seeds.train);
  /* a new experiment takes the preferred device of the settings */
  if (g_strcmp0 (device, "auto") == 0 && self->creating && default_device != NULL && *default_device != '\0')
    device = default_device;
  pos = 0;
  for (guint i = 0; i < self->device_specs->len; i++)
    if (g_strcmp0 (self->device_specs->pdata[i], device) == 0)
      pos = i;
  gtk_drop_down_set_selected (self->device_dropdown, pos);
  g_hash_table_remove_all (self->shown);
  {
    gpointer widgets[] = { self->samples_spin, self->temperature_spin, self->student_dropdown, self->zero_shot_check,
                           self->vanilla_check, self->ft_cot_check, self->diverse_check, self->lr_spin,
                           self->batch_spin, self->epochs_spin, self->seed_spin, self->device_dropdown };
    for (gsize i = 0; i < G_N_ELEMENTS (widgets); i++)
      remember_shown (self, widgets[i]);
  }
  teacher_kind_changed (self);
  student_folder_changed (self);
  update_preview (self);
  update_memory (self);
}

static void
loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FtcExperimentPage) self = user_data;
  g_autoptr (GError) error = NULL;
  Loaded *l = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading = FALSE;
  g_clear_pointer (&self->error, g_free);
  if (l == NULL)
    {
      self->error = g_strdup (error->message);
      gtk_label_set_text (self->status_label, error->message);
    }
  else
    {
      g_clear_pointer (&self->exp, ftc_experiment_free);
      g_clear_pointer (&self->previews, g_hash_table_unref);
      self->exp = g_steal_pointer (&l->exp);
      self->previews = g_hash_table_ref (l->previews);
      loaded_free (l);
      self->creating = self->exp == NULL;
      if (self->exp == NULL)
        {
          self->exp = ftc_experiment_new ();
          self->exp->name = g_path_get_basename (self->directory);
          self->exp->base_dir = g_strdup (self->directory);
          gtk_label_set_text (self->status_label, _("No experiment.json yet: Save writes one with these settings."));
        }
      else
        gtk_label_set_text (self->status_label, "");
      fill_form (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
}

void
ftc_experiment_page_set_directory (FtcExperimentPage *self, const char *dir)
{
  g_autoptr (GTask) task = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_free (self->directory);
  self->directory = g_strdup (dir);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "experiment.save", dir != NULL);
  gtk_label_set_text (self->folder_label, dir != NULL ? dir : "");
  gtk_label_set_text (self->status_label, dir != NULL ? "" : _("Open an experiment folder or create a new one."));
  self->loading = dir != NULL;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
  if (dir == NULL)
    return;
  self->cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->cancellable, loaded, g_object_ref (self));
  g_task_set_task_data (task, g_strdup (dir), g_free);
  g_task_run_in_thread (task, load_thread);
}

/* ---- saving ---- */

static void
set_string (char **field, const char *text)
{
  g_free (*field);
  *field = text != NULL && *text != '\0' ? g_strdup (text) : NULL;
}

FtcExperiment *
ftc_experiment_page_dup_experiment (FtcExperimentPage *self)
{
  /* a copy, so that a failed save leaves the experiment as read */
  FtcExperiment *exp = ftc_experiment_copy (self->exp);
  FtcTeacherSettings *t = &exp->teacher;
  FtcExperimentTask *task0 = g_ptr_array_index (exp->tasks, 0);
  guint k = gtk_drop_down_get_selected (self->teacher_dropdown);
  guint s = gtk_drop_down_get_selected (self->student_dropdown);
  guint dev = gtk_drop_down_get_selected (self->device_dropdown);
  const char *task = ftc_experiment_page_get_task (self);
  const char *model_dir = gtk_editable_get_text (GTK_EDITABLE (self->model_dir_entry));
  int d = gtk_spin_button_get_value_as_int (self->samples_spin);

  set_string (&exp->name, gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));
  /* the form edits the first task's key; its other settings and further tasks stay */
  if (task != NULL)
    set_string (&task0->key, task);
  t->kind = k <= FTC_TEACHER_OPENAI ? (FtcTeacherKind) k : FTC_TEACHER_SCRIPTED;
  set_string (&t->endpoint, gtk_editable_get_text (GTK_EDITABLE (self->endpoint_entry)));
  set_string (&t->model, gtk_editable_get_text (GTK_EDITABLE (self->model_entry)));
  set_string (&t->key_env, gtk_editable_get_text (GTK_EDITABLE (self->key_env_entry)));
  set_string (&t->replay_path, gtk_editable_get_text (GTK_EDITABLE (self->replay_entry)));
  if (edited (self, self->samples_spin))
    t->samples = d;
  if (edited (self, self->temperature_spin))
    t->temperature = gtk_spin_button_get_value (self->temperature_spin);
  /* a model folder replaces the preset */
  if (*model_dir != '\0')
    {
      set_string (&exp->student.model_dir, model_dir);
      set_string (&exp->student.preset, NULL);
      exp->student.init = gtk_check_button_get_active (self->pretrained_check) ? FTC_STUDENT_PRETRAINED
                                                                               : FTC_STUDENT_SCRATCH;
    }
  else
    {
      set_string (&exp->student.model_dir, NULL);
      if (s < self->student_keys->len && (edited (self, self->student_dropdown) || exp->student.preset == NULL))
        set_string (&exp->student.preset, self->student_keys->pdata[s]);
      exp->student.init = FTC_STUDENT_SCRATCH;
    }
  /* the methods list is rebuilt only when a box or D changed; methods the form has no box for (the teacher
   * and random baselines) stay as they were */
  if (edited (self, self->zero_shot_check) || edited (self, self->vanilla_check) || edited (self, self->ft_cot_check)
      || edited (self, self->diverse_check) || edited (self, self->samples_spin))
    {
      GArray *methods = g_array_new (FALSE, FALSE, sizeof (FtcMethod));

      for (guint i = 0; i < exp->methods->len; i++)
        {
          FtcMethod m = g_array_index (exp->methods, FtcMethod, i);
          if (m.kind == FTC_METHOD_TEACHER || m.kind == FTC_METHOD_RANDOM)
            g_array_append_val (methods, m);
        }
      if (gtk_check_button_get_active (self->zero_shot_check))
        g_array_append_val (methods, ((FtcMethod) { FTC_METHOD_ZERO_SHOT, 0 }));
      if (gtk_check_button_get_active (self->vanilla_check))
        g_array_append_val (methods, ((FtcMethod) { FTC_METHOD_VANILLA, 0 }));
      if (gtk_check_button_get_active (self->ft_cot_check))
        g_array_append_val (methods, ((FtcMethod) { FTC_METHOD_FT_COT, 1 }));
      if (gtk_check_button_get_active (self->diverse_check))
        /* the paper's diverse reasoning: D = 2, 4, ... up to the samples drawn */
        for (int dd = 2; dd <= d; dd *= 2)
          g_array_append_val (methods, ((FtcMethod) { FTC_METHOD_FT_COT, dd }));
      g_array_unref (exp->methods);
      exp->methods = methods;
    }
  if (edited (self, self->lr_spin))
    exp->training.learning_rate = gtk_spin_button_get_value (self->lr_spin);
  if (edited (self, self->batch_spin))
    exp->training.batch_size = gtk_spin_button_get_value_as_int (self->batch_spin);
  if (edited (self, self->epochs_spin))
    exp->training.epochs = gtk_spin_button_get_value_as_int (self->epochs_spin);
  if (edited (self, self->seed_spin))
    exp->seeds.train = (guint64) gtk_spin_button_get_value (self->seed_spin);
  /* a device not (yet) listed shows as auto: kept unless another was chosen */
  if (edited (self, self->device_dropdown) && dev < self->device_specs->len)
    set_string (&exp->device, self->device_specs->pdata[dev]);
  return exp;
}

gboolean
ftc_experiment_page_save (FtcExperimentPage *self, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr (FtcExperiment) exp = NULL;

  if (self->directory == NULL || self->exp == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, _("No experiment is open"));
      return FALSE;
    }
  path = ftc_experiment_dir_config (self->directory);
  exp = ftc_experiment_page_dup_experiment (self);
  /* what is saved must run: the experiment's own checks (impossible combinations, missing folders) */
  if (!ftc_experiment_validate (exp, error) || !ftc_experiment_save (exp, path, error))
    return FALSE;
  g_clear_pointer (&self->exp, ftc_experiment_free);
  self->exp = g_steal_pointer (&exp);
  self->creating = FALSE;
  return TRUE;
}

static void
save_action (GtkWidget *widget, const char *name, GVariant *param)
{
  FtcExperimentPage *self = FTC_EXPERIMENT_PAGE (widget);
  g_autoptr (GError) error = NULL;

  gtk_label_set_text (self->status_label, ftc_experiment_page_save (self, &error) ? _("Saved experiment.json.")
                                                                                  : error->message);
}

static void
check_memory_action (GtkWidget *widget, const char *name, GVariant *param)
{
  update_memory (FTC_EXPERIMENT_PAGE (widget));
}

/* ---- devices ---- */

/* list_devices asks core for the devices on a worker thread; device_cache (above) keeps the newest list. */

static void
fill_devices (FtcExperimentPage *self)
{
  const char *auto_items[] = { _("auto (the first OpenCL GPU, else cpu)"), NULL };
  gint64 unknown = -1;
  guint old = g_list_model_get_n_items (G_LIST_MODEL (self->device_dropdown_list));
  g_autofree char *keep = NULL;
  guint sel = gtk_drop_down_get_selected (self->device_dropdown);

  if (sel < self->device_specs->len)
    keep = g_strdup (self->device_specs->pdata[sel]);
  g_ptr_array_set_size (self->device_specs, 0);
  g_array_set_size (self->device_memory, 0);
  gtk_string_list_splice (self->device_dropdown_list, 0, old, auto_items);
  g_ptr_array_add (self->device_specs, g_strdup ("auto"));
  g_array_append_val (self->device_memory, unknown);
  for (guint i = 0; device_cache != NULL && i < device_cache->n_devices; i++)
    {
      const FtcDeviceInfo *d = &device_cache->devices[i];
      gint64 mem = d->global_mem_bytes > 0 ? (gint64) d->global_mem_bytes : -1;
      g_autofree char *mem_s = mem > 0 ? g_format_size ((guint64) mem) : g_strdup ("?");
      g_autofree char *label = g_strdup_printf ("%s — %s (%s)", d->spec, d->name, mem_s);
      const char *items[] = { label, NULL };

      gtk_string_list_splice (self->device_dropdown_list, self->device_specs->len, 0, items);
      g_ptr_array_add (self->device_specs, g_strdup (d->spec));
      g_array_append_val (self->device_memory, mem);
    }
  for (guint i = 0; keep != NULL && i < self->device_specs->len; i++)
    if (strcmp (self->device_specs->pdata[i], keep) == 0)
      gtk_drop_down_set_selected (self->device_dropdown, i);
  update_memory (self);
}

static void
devices_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FtcExperimentPage) self = user_data;
  FtcDevices *devices = ftc_devices_enumerate_finish (result, NULL);

  if (devices == NULL)
    return;   /* cancelled: the page is going away */
  g_clear_pointer (&device_cache, ftc_devices_free);
  device_cache = devices;
  fill_devices (self);
  if (self->exp != NULL)
    {
      /* the experiment's device may be one just listed */
      const char *device = self->exp->device;
      gboolean untouched = !edited (self, self->device_dropdown);
      for (guint i = 0; device != NULL && i < self->device_specs->len; i++)
        if (strcmp (self->device_specs->pdata[i], device) == 0)
          gtk_drop_down_set_selected (self->device_dropdown, i);
      if (untouched)
        remember_shown (self, self->device_dropdown);
    }
  self->devices_listed = TRUE;
}

static void
list_devices (FtcExperimentPage *self)
{
  fill_devices (self);
  self->devices_cancellable = g_cancellable_new ();
  ftc_devices_enumerate_async (self->devices_cancellable, devices_listed, g_object_ref (self));
}

static void
ftc_experiment_page_dispose (GObject *object)
{
  FtcExperimentPage *self = FTC_EXPERIMENT_PAGE (object);

  g_cancellable_cancel (self->devices_cancellable);
  g_clear_object (&self->devices_cancellable);
  g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), FTC_TYPE_EXPERIMENT_PAGE);
  /* the template's unbound top-level children too */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (ftc_experiment_page_parent_class)->dispose (object);
}

static void
ftc_experiment_page_finalize (GObject *object)
{
  FtcExperimentPage *self = FTC_EXPERIMENT_PAGE (object);

  g_clear_pointer (&self->exp, ftc_experiment_free);
  g_clear_pointer (&self->previews, g_hash_table_unref);
  g_ptr_array_unref (self->task_keys);
  g_hash_table_unref (self->shown);
  g_ptr_array_unref (self->student_keys);
  g_ptr_array_unref (self->device_specs);
  g_array_unref (self->device_memory);
  g_free (self->directory);
  g_free (self->error);
  g_free (self->preview_key);
  g_free (self->loaded_preview);
  G_OBJECT_CLASS (ftc_experiment_page_parent_class)->finalize (object);
}

static void
ftc_experiment_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_LOADING: g_value_set_boolean (value, ftc_experiment_page_get_loading (FTC_EXPERIMENT_PAGE (object))); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ftc_experiment_page_class_init (FtcExperimentPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ftc_experiment_page_dispose;
  object_class->finalize = ftc_experiment_page_finalize;
  object_class->get_property = ftc_experiment_page_get_property;
  props[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/ftcot/Studio/ftc-experiment-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, FtcExperimentPage, name)
  BIND (status_label); BIND (name_entry); BIND (folder_label); BIND (task_dropdown); BIND (task_dropdown_list);
  BIND (task_preview); BIND (teacher_dropdown); BIND (endpoint_entry); BIND (model_entry);
  BIND (key_env_entry); BIND (replay_entry); BIND (samples_spin); BIND (temperature_spin); BIND (student_dropdown); BIND (student_dropdown_list);
  BIND (model_dir_entry); BIND (pretrained_check); BIND (zero_shot_check); BIND (vanilla_check); BIND (ft_cot_check); BIND (diverse_check);
  BIND (lr_spin); BIND (batch_spin); BIND (epochs_spin); BIND (seed_spin); BIND (device_dropdown);
  BIND (device_dropdown_list); BIND (memory_label);
#undef BIND
  gtk_widget_class_install_action (widget_class, "experiment.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "experiment.check-memory", NULL, check_memory_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "experiment.save", NULL);
}

static void
ftc_experiment_page_init (FtcExperimentPage *self)
{
  guint n;
  const FtcTaskInfo *tasks = ftc_task_registry (&n);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->task_keys = g_ptr_array_new_with_free_func (g_free);
  self->shown = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->device_specs = g_ptr_array_new_with_free_func (g_free);
  self->device_memory = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *label = g_strdup_printf ("%s (%s)", tasks[i].title, tasks[i].key);
      const char *items[] = { label, NULL };
      gtk_string_list_splice (self->task_dropdown_list, i, 0, items);
      g_ptr_array_add (self->task_keys, g_strdup (tasks[i].key));
    }
  self->student_keys = g_ptr_array_new_with_free_func (g_free);
  {
    guint np;
    const FtcModelPreset *presets = ftc_model_presets (&np);
    /* from-scratch sizes first: the offline default */
    for (int pass = 0; pass < 2; pass++)
      for (guint i = 0; i < np; i++)
        if ((presets[i].config.vocab_size == 0) == (pass == 0))
          {
            g_autofree char *label = g_strdup_printf ("%s — %s", presets[i].name, presets[i].summary);
            const char *items[] = { label, NULL };
            gtk_string_list_splice (self->student_dropdown_list, self->student_keys->len, 0, items);
            g_ptr_array_add (self->student_keys, g_strdup (presets[i].name));
          }
  }
  {
    /* before an experiment is open, the form shows core's defaults (the one table) */
    g_autoptr (FtcExperiment) defaults = ftc_experiment_new ();
    gtk_spin_button_set_value (self->samples_spin, defaults->teacher.samples);
    gtk_spin_button_set_value (self->temperature_spin, defaults->teacher.temperature);
    gtk_spin_button_set_value (self->lr_spin, defaults->training.learning_rate);
    gtk_spin_button_set_value (self->batch_spin, defaults->training.batch_size);
    gtk_spin_button_set_value (self->epochs_spin, defaults->training.epochs);
    gtk_spin_button_set_value (self->seed_spin, (double) defaults->seeds.train);
  }
  list_devices (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "experiment.save", FALSE);
  gtk_label_set_text (self->status_label, _("Open an experiment folder or create a new one."));
  g_signal_connect_swapped (self->task_dropdown, "notify::selected", G_CALLBACK (update_preview), self);
  g_signal_connect_swapped (self->teacher_dropdown, "notify::selected", G_CALLBACK (teacher_kind_changed), self);
  g_signal_connect_swapped (self->student_dropdown, "notify::selected", G_CALLBACK (update_memory), self);
  g_signal_connect_swapped (self->device_dropdown, "notify::selected", G_CALLBACK (update_memory), self);
  g_signal_connect_swapped (self->batch_spin, "value-changed", G_CALLBACK (update_memory), self);
  g_signal_connect_swapped (self->model_dir_entry, "changed", G_CALLBACK (student_folder_changed), self);
  teacher_kind_changed (self);
  update_preview (self);
  update_memory (self);
}

GtkWidget *ftc_experiment_page_new (void) { return g_object_new (FTC_TYPE_EXPERIMENT_PAGE, NULL); }
gboolean ftc_experiment_page_get_loading (FtcExperimentPage *self) { return self->loading || self->previewing; }
const char *ftc_experiment_page_get_error (FtcExperimentPage *self) { return self->error; }
const char *ftc_experiment_page_get_task_preview (FtcExperimentPage *self) { return gtk_label_get_text (self->task_preview); }
const char *ftc_experiment_page_get_memory_text (FtcExperimentPage *self) { return gtk_label_get_text (self->memory_label); }

void
ftc_experiment_page_set_task (FtcExperimentPage *self, const char *key)
{
  guint i;

  if (key == NULL)
    return;
  for (i = 0; i < self->task_keys->len; i++)
    if (g_strcmp0 (self->task_keys->pdata[i], key) == 0)
      break;
  if (i == self->task_keys->len)
    {
      /* an imported task (data_path): offered under its own key */
      g_autofree char *label = g_strdup_printf (_("%s (imported)"), key);
      const char *items[] = { label, NULL };
      gtk_string_list_splice (self->task_dropdown_list, i, 0, items);
      g_ptr_array_add (self->task_keys, g_strdup (key));
    }
  gtk_drop_down_set_selected (self->task_dropdown, i);
  update_preview (self);
}

const char *
ftc_experiment_page_get_task (FtcExperimentPage *self)
{
  guint pos = gtk_drop_down_get_selected (self->task_dropdown);

  return pos < self->task_keys->len ? self->task_keys->pdata[pos] : NULL;
}

void
ftc_experiment_page_set_samples (FtcExperimentPage *self, int d)
{
  gtk_spin_button_set_value (self->samples_spin, d);
}

void
ftc_experiment_page_set_teacher (FtcExperimentPage *self, const char *kind, const char *model)
{
  gtk_drop_down_set_selected (self->teacher_dropdown,
                              index_of (ftc_teacher_kind_names, g_strv_length ((char **) ftc_teacher_kind_names), kind, 0));
  gtk_editable_set_text (GTK_EDITABLE (self->model_entry), model != NULL ? model : "");
}

void
ftc_experiment_page_set_student_folder (FtcExperimentPage *self, const char *model_dir, gboolean pretrained)
{
  gtk_editable_set_text (GTK_EDITABLE (self->model_dir_entry), model_dir != NULL ? model_dir : "");
  gtk_check_button_set_active (self->pretrained_check, pretrained);
}

gboolean
ftc_experiment_page_get_devices_listed (FtcExperimentPage *self)
{
  return self->devices_listed;
}

char **
ftc_experiment_page_dup_devices (FtcExperimentPage *self)
{
  char **out = g_new0 (char *, self->device_specs->len + 1);

  for (guint i = 0; i < self->device_specs->len; i++)
    out[i] = g_strdup (self->device_specs->pdata[i]);
  return out;
}

gboolean
ftc_experiment_page_get_previewing (FtcExperimentPage *self)
{
  return self->previewing;
}
