#include "core/results/ftc-report.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "core/ftc-error.h"
#include "core/method/ftc-experiment.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"
#include "core/results/ftc-metrics-log.h"
#include "core/tasks/ftc-task-registry.h"

/* ---- model ------------------------------------------------------------------------------------ */

static const FtcPercent unknown = { NAN, NAN, NAN };

FtcResult *
ftc_result_new (const char *task, const char *method)
{
  FtcResult *r = g_new0 (FtcResult, 1);

  r->task = g_strdup (task);
  r->method = g_strdup (method);
  r->accuracy = r->pass_at_k = r->avg_at_k = r->maj_at_k = unknown;
  r->best_epoch_accuracy = NAN;
  r->sampled_temperature = NAN;
  return r;
}

void
ftc_result_free (FtcResult *result)
{
  if (result == NULL)
    return;
  g_free (result->task);
  g_free (result->method);
  g_free (result);
}

static FtcPercent
percent (FtcEstimate e)
{
  FtcPercent p = { 100.0 * e.value, 100.0 * e.lo, 100.0 * e.hi };
  return p;
}

void
ftc_result_set_accuracy (FtcResult *result, int correct, int n)
{
  result->accuracy = percent (ftc_metric_accuracy (correct, n));
  result->correct = correct;
  result->n = n;
}

void
ftc_result_set_sampled (FtcResult *result, const FtcSampledMetrics *metrics, int n_samples, double temperature)
{
  result->sampled_k = metrics->k;
  result->sampled_n = n_samples;
  result->sampled_temperature = temperature;
  result->pass_at_k = percent (metrics->pass_at_k);
  result->avg_at_k = percent (metrics->avg_at_k);
  result->maj_at_k = percent (metrics->maj_at_k);
}

static void
scaling_free (FtcScalingPoint *p)
{
  g_free (p->task);
  g_free (p->method);
  g_free (p);
}

FtcReport *
ftc_report_new (const char *name)
{
  FtcReport *report = g_new0 (FtcReport, 1);

  report->name = g_strdup (name);
  report->tasks = g_ptr_array_new_with_free_func (g_free);
  report->titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  report->trained_on = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  report->results = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_result_free);
  report->scaling = g_ptr_array_new_with_free_func ((GDestroyNotify) scaling_free);
  return report;
}

void
ftc_report_free (FtcReport *report)
{
  if (report == NULL)
    return;
  g_free (report->name);
  g_ptr_array_unref (report->tasks);
  g_hash_table_unref (report->titles);
  g_hash_table_unref (report->trained_on);
  g_ptr_array_unref (report->results);
  g_ptr_array_unref (report->scaling);
  g_free (report);
}

static void
note_task (FtcReport *report, const char *task)
{
  for (guint i = 0; i < report->tasks->len; i++)
    if (strcmp (g_ptr_array_index (report->tasks, i), task) == 0)
      return;
  g_ptr_array_add (report->tasks, g_strdup (task));
}

void
ftc_report_add_result (FtcReport *report, FtcResult *result)
{
  g_return_if_fail (result->task != NULL && result->method != NULL);
  note_task (report, result->task);
  for (guint i = 0; i < report->results->len; i++)
    {
      FtcResult *other = g_ptr_array_index (report->results, i);
      if (strcmp (other->task, result->task) == 0 && strcmp (other->method, result->method) == 0)
        {
          ftc_result_free (other);
          report->results->pdata[i] = result;
          return;
        }
    }
  g_ptr_array_add (report->results, result);
}

void
ftc_report_set_title (FtcReport *report, const char *task, const char *title)
{
  g_hash_table_replace (report->titles, g_strdup (task), g_strdup (title));
}

void
ftc_report_set_trained_on (FtcReport *report, const char *benchmark, const char *task)
{
  g_hash_table_replace (report->trained_on, g_strdup (benchmark), g_strdup (task));
}

const char *
ftc_report_get_trained_on (const FtcReport *report, const char *task)
{
  return g_hash_table_lookup (report->trained_on, task);
}

const char *
ftc_report_get_title (const FtcReport *report, const char *task)
{
  const char *title = g_hash_table_lookup (report->titles, task);
  const FtcTaskInfo *info;

  if (title != NULL)
    return title;
  info = ftc_task_info_lookup (task);
  return info != NULL ? info->title : task;
}

const FtcResult *
ftc_report_lookup (const FtcReport *report, const char *task, const char *method)
{
  for (guint i = 0; i < report->results->len; i++)
    {
      const FtcResult *r = g_ptr_array_index (report->results, i);
      if (strcmp (r->task, task) == 0 && strcmp (r->method, method) == 0)
        return r;
    }
  return NULL;
}

void
ftc_report_add_scaling_point (FtcReport *report, const char *task, const char *method, int train_size,
                              FtcPercent accuracy)
{
  FtcScalingPoint *p = g_new0 (FtcScalingPoint, 1);

  note_task (report, task);
  p->task = g_strdup (task);
  p->method = g_strdup (method);
  p->train_size = train_size;
  p->accuracy = accuracy;
  g_ptr_array_add (report->scaling, p);
}

/* sort key of a method name: known kinds in the paper's order, then D; unknown names last */
static int
method_rank (const char *name, int *diversity)
{
  FtcMethod m;

  *diversity = 0;
  if (!ftc_method_parse (name, &m))
    return 100;
  *diversity = m.diversity;
  return (int) m.kind;
}

static int
compare_methods (gconstpointer a, gconstpointer b)
{
  const char *x = *(const char *const *) a, *y = *(const char *const *) b;
  int dx, dy, rx = method_rank (x, &dx), ry = method_rank (y, &dy);

  if (rx != ry)
    return rx - ry;
  if (dx != dy)
    return dx - dy;
  return strcmp (x, y);
}

char **
ftc_report_methods (const FtcReport *report)
{
  GPtrArray *methods = g_ptr_array_new ();

  for (guint i = 0; i < report->results->len; i++)
    {
      const FtcResult *r = g_ptr_array_index (report->results, i);
      gboolean seen = FALSE;
      for (guint j = 0; j < methods->len && !seen; j++)
        seen = strcmp (g_ptr_array_index (methods, j), r->method) == 0;
      if (!seen)
        g_ptr_array_add (methods, g_strdup (r->method));
    }
  g_ptr_array_sort (methods, compare_methods);
  g_ptr_array_add (methods, NULL);
  return (char **) g_ptr_array_free (methods, FALSE);
}

char *
ftc_method_display_name (const char *method)
{
  FtcMethod m;

  if (!ftc_method_parse (method, &m))
    return g_strdup (method);
  switch (m.kind)
    {
    case FTC_METHOD_TEACHER: return g_strdup ("Teacher");
    case FTC_METHOD_RANDOM: return g_strdup ("Random");
    case FTC_METHOD_ZERO_SHOT: return g_strdup ("Zero-shot");
    case FTC_METHOD_VANILLA: return g_strdup ("Vanilla fine-tuning");
    case FTC_METHOD_FT_COT:
      return m.diversity <= 1 ? g_strdup ("Fine-tune-CoT") : g_strdup_printf ("Fine-tune-CoT D=%d", m.diversity);
    }
  return g_strdup (method);
}

/* ---- JSON ------------------------------------------------------------------------------------- */

static void
add_number (JsonBuilder *b, const char *name, double v)
{
  if (!isfinite (v))
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, v);
}

/* percentages rounded to 1e-6: enough for any count, and the file stays readable */
static double
tidy (double v)
{
  return isfinite (v) ? round (v * 1e6) / 1e6 : v;
}

static void
add_interval (JsonBuilder *b, FtcPercent p)
{
  if (!isfinite (p.lo) || !isfinite (p.hi))
    return;
  json_builder_set_member_name (b, "ci95");
  json_builder_begin_array (b);
  json_builder_add_double_value (b, tidy (p.lo));
  json_builder_add_double_value (b, tidy (p.hi));
  json_builder_end_array (b);
}

static void
add_int (JsonBuilder *b, const char *name, int v)
{
  if (v <= 0)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, v);
}

static void
add_metric (JsonBuilder *b, const char *name, FtcPercent p)
{
  if (!isfinite (p.value))
    return;
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "value");
  json_builder_add_double_value (b, tidy (p.value));
  add_interval (b, p);
  json_builder_end_object (b);
}

JsonNode *
ftc_report_to_json (const FtcReport *report)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_auto (GStrv) methods = ftc_report_methods (report);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  if (report->name != NULL)
    {
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, report->name);
    }
  json_builder_set_member_name (b, "decoding");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "greedy");
  json_builder_add_boolean_value (b, report->decoding_temperature <= 0.0);
  if (report->decoding_temperature > 0.0)
    {
      json_builder_set_member_name (b, "temperature");
      json_builder_add_double_value (b, report->decoding_temperature);
      json_builder_set_member_name (b, "seed");
      json_builder_add_int_value (b, (gint64) report->decoding_seed);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "titles");
  json_builder_begin_object (b);
  for (guint t = 0; t < report->tasks->len; t++)
    {
      const char *task = g_ptr_array_index (report->tasks, t);
      json_builder_set_member_name (b, task);
      json_builder_add_string_value (b, ftc_report_get_title (report, task));
    }
  json_builder_end_object (b);
  if (g_hash_table_size (report->trained_on) > 0)
    {
      json_builder_set_member_name (b, "benchmarks");
      json_builder_begin_object (b);
      for (guint t = 0; t < report->tasks->len; t++)
        {
          const char *task = g_ptr_array_index (report->tasks, t);
          const char *trained_on = ftc_report_get_trained_on (report, task);
          if (trained_on == NULL)
            continue;
          json_builder_set_member_name (b, task);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "trained_on");
          json_builder_add_string_value (b, trained_on);
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
    }

  json_builder_set_member_name (b, "tasks");
  json_builder_begin_object (b);
  for (guint t = 0; t < report->tasks->len; t++)
    {
      const char *task = g_ptr_array_index (report->tasks, t);
      json_builder_set_member_name (b, task);
      json_builder_begin_object (b);
      for (char **m = methods; *m != NULL; m++)
        {
          const FtcResult *r = ftc_report_lookup (report, task, *m);
          if (r == NULL)
            continue;
          json_builder_set_member_name (b, *m);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "accuracy");
          if (isfinite (r->accuracy.value))
            json_builder_add_double_value (b, tidy (r->accuracy.value));
          else
            json_builder_add_null_value (b);
          add_interval (b, r->accuracy);
          add_int (b, "n", r->n);
          if (r->n > 0)
            {
              json_builder_set_member_name (b, "correct");
              json_builder_add_int_value (b, r->correct);
            }
          add_int (b, "last_epoch", r->last_epoch);
          add_int (b, "best_epoch", r->best_epoch);
          add_number (b, "best_epoch_accuracy", tidy (r->best_epoch_accuracy));
          add_int (b, "train_size", r->train_size);
          add_int (b, "diversity", r->diversity);
          if (r->sampled_k > 0)
            {
              json_builder_set_member_name (b, "sampled");
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "k");
              json_builder_add_int_value (b, r->sampled_k);
              add_int (b, "n", r->sampled_n);
              add_number (b, "temperature", r->sampled_temperature);
              add_metric (b, "pass_at_k", r->pass_at_k);
              add_metric (b, "avg_at_k", r->avg_at_k);
              add_metric (b, "maj_at_k", r->maj_at_k);
              json_builder_end_object (b);
            }
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  if (report->scaling->len > 0)
    {
      json_builder_set_member_name (b, "data_size");
      json_builder_begin_object (b);
      for (guint t = 0; t < report->tasks->len; t++)
        {
          const char *task = g_ptr_array_index (report->tasks, t);
          g_autoptr (GPtrArray) task_methods = g_ptr_array_new ();
          gboolean any = FALSE;

          for (guint i = 0; i < report->scaling->len; i++)
            {
              FtcScalingPoint *p = g_ptr_array_index (report->scaling, i);
              gboolean seen = FALSE;
              if (strcmp (p->task, task) != 0)
                continue;
              any = TRUE;
              for (guint j = 0; j < task_methods->len && !seen; j++)
                seen = strcmp (g_ptr_array_index (task_methods, j), p->method) == 0;
              if (!seen)
                g_ptr_array_add (task_methods, p->method);
            }
          if (!any)
            continue;
          json_builder_set_member_name (b, task);
          json_builder_begin_object (b);
          for (guint j = 0; j < task_methods->len; j++)
            {
              const char *method = g_ptr_array_index (task_methods, j);
              json_builder_set_member_name (b, method);
              json_builder_begin_array (b);
              for (guint i = 0; i < report->scaling->len; i++)
                {
                  FtcScalingPoint *p = g_ptr_array_index (report->scaling, i);
                  if (strcmp (p->task, task) != 0 || strcmp (p->method, method) != 0)
                    continue;
                  json_builder_begin_object (b);
                  json_builder_set_member_name (b, "train_size");
                  json_builder_add_int_value (b, p->train_size);
                  json_builder_set_member_name (b, "accuracy");
                  if (isfinite (p->accuracy.value))
                    json_builder_add_double_value (b, tidy (p->accuracy.value));
                  else
                    json_builder_add_null_value (b);
                  add_interval (b, p->accuracy);
                  json_builder_end_object (b);
                }
              json_builder_end_array (b);
            }
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

typedef struct {
  const char *file;
  GError **error;
} Ctx;

static gboolean
fail (Ctx *ctx, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (Ctx *ctx, const char *fmt, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (ctx->error, FTC_ERROR, FTC_ERROR_INVALID, "%s: %s", ctx->file, message);
  return FALSE;
}

static gboolean
is_number (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && (json_node_get_value_type (node) == G_TYPE_DOUBLE || json_node_get_value_type (node) == G_TYPE_INT64);
}

/* a number, null (NaN) or absent (NaN); anything else is an error naming path */
static gboolean
read_number (Ctx *ctx, JsonObject *o, const char *key, const char *path, double *out)
{
  JsonNode *node = json_object_get_member (o, key);

  *out = NAN;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!is_number (node))
    return fail (ctx, "%s.%s must be a number", path, key);
  *out = json_node_get_double (node);
  return TRUE;
}

static gboolean
read_int (Ctx *ctx, JsonObject *o, const char *key, const char *path, int *out)
{
  double v;

  if (!read_number (ctx, o, key, path, &v))
    return FALSE;
  if (isfinite (v) && (v != floor (v) || v < 0 || v > G_MAXINT))
    return fail (ctx, "%s.%s must be a non-negative integer", path, key);
  *out = isfinite (v) ? (int) v : 0;
  return TRUE;
}

static gboolean
read_interval (Ctx *ctx, JsonObject *o, const char *path, FtcPercent *p)
{
  JsonNode *node = json_object_get_member (o, "ci95");
  JsonArray *a;

  p->lo = p->hi = NAN;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (a = json_node_get_array (node)) != 2
      || !is_number (json_array_get_element (a, 0)) || !is_number (json_array_get_element (a, 1)))
    return fail (ctx, "%s.ci95 must be [low, high]", path);
  p->lo = json_array_get_double_element (a, 0);
  p->hi = json_array_get_double_element (a, 1);
  return TRUE;
}

static gboolean
read_metric (Ctx *ctx, JsonObject *o, const char *key, const char *path, FtcPercent *p)
{
  JsonNode *node = json_object_get_member (o, key);
  g_autofree char *sub = g_strdup_printf ("%s.%s", path, key);

  *p = unknown;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (ctx, "%s must be an object", sub);
  return read_number (ctx, json_node_get_object (node), "value", sub, &p->value)
         && read_interval (ctx, json_node_get_object (node), sub, p);
}

static JsonObject *
get_object (Ctx *ctx, JsonObject *o, const char *key, const char *path, gboolean required, gboolean *ok)
{
  JsonNode *node = json_object_get_member (o, key);

  *ok = TRUE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        *ok = fail (ctx, "%s%s%s is missing", path, path[0] ? "." : "", key);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      *ok = fail (ctx, "%s%s%s must be an object", path, path[0] ? "." : "", key);
      return NULL;
    }
  return json_node_get_object (node);
}

static gboolean
read_result (Ctx *ctx, FtcReport *report, const char *task, const char *method, JsonNode *node)
{
  g_autofree char *path = g_strdup_printf ("tasks.%s.%s", task, method);
  g_autoptr (GError) unused = NULL;
  FtcResult *r;
  JsonObject *o, *sampled;
  gboolean ok;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (ctx, "%s must be an object", path);
  o = json_node_get_object (node);
  if (!json_object_has_member (o, "accuracy"))
    return fail (ctx, "%s.accuracy is missing", path);
  r = ftc_result_new (task, method);
  ftc_report_add_result (report, r);
  if (!read_number (ctx, o, "accuracy", path, &r->accuracy.value) || !read_interval (ctx, o, path, &r->accuracy)
      || !read_int (ctx, o, "n", path, &r->n) || !read_int (ctx, o, "correct", path, &r->correct)
      || !read_int (ctx, o, "last_epoch", path, &r->last_epoch) || !read_int (ctx, o, "best_epoch", path, &r->best_epoch)
      || !read_number (ctx, o, "best_epoch_accuracy", path, &r->best_epoch_accuracy)
      || !read_int (ctx, o, "train_size", path, &r->train_size) || !read_int (ctx, o, "diversity", path, &r->diversity))
    return FALSE;
  sampled = get_object (ctx, o, "sampled", path, FALSE, &ok);
  if (!ok)
    return FALSE;
  if (sampled != NULL)
    {
      g_autofree char *sub = g_strdup_printf ("%s.sampled", path);
      if (!read_int (ctx, sampled, "k", sub, &r->sampled_k) || !read_int (ctx, sampled, "n", sub, &r->sampled_n)
          || !read_number (ctx, sampled, "temperature", sub, &r->sampled_temperature)
          || !read_metric (ctx, sampled, "pass_at_k", sub, &r->pass_at_k)
          || !read_metric (ctx, sampled, "avg_at_k", sub, &r->avg_at_k)
          || !read_metric (ctx, sampled, "maj_at_k", sub, &r->maj_at_k))
        return FALSE;
    }
  return TRUE;
}

FtcReport *
ftc_report_from_json (JsonNode *root, const char *file_name, GError **error)
{
  Ctx ctx = { file_name != NULL ? file_name : "summary.json", error };
  g_autoptr (FtcReport) report = NULL;
  JsonObject *o, *tasks, *titles, *sizes;
  JsonNode *name;
  gboolean ok;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (&ctx, "the top level must be an object");
      return NULL;
    }
  o = json_node_get_object (root);
  name = json_object_get_member (o, "name");
  report = ftc_report_new (name != NULL && JSON_NODE_HOLDS_VALUE (name)
                           && json_node_get_value_type (name) == G_TYPE_STRING ? json_node_get_string (name) : NULL);
  tasks = get_object (&ctx, o, "tasks", "", TRUE, &ok);
  if (!ok)
    return NULL;
  {
    g_autoptr (GList) task_names = json_object_get_members (tasks);
    for (GList *t = task_names; t != NULL; t = t->next)
      {
        JsonObject *methods;
        g_autoptr (GList) method_names = NULL;
        g_autofree char *path = g_strdup_printf ("tasks.%s", (char *) t->data);

        note_task (report, t->data);
        methods = get_object (&ctx, tasks, t->data, "tasks", TRUE, &ok);
        if (!ok)
          return NULL;
        method_names = json_object_get_members (methods);
        for (GList *m = method_names; m != NULL; m = m->next)
          if (!read_result (&ctx, report, t->data, m->data, json_object_get_member (methods, m->data)))
            return NULL;
      }
  }
  {
    /* absent in reports written before it existed: greedy */
    JsonObject *decoding = get_object (&ctx, o, "decoding", "", FALSE, &ok);
    JsonNode *greedy = decoding != NULL ? json_object_get_member (decoding, "greedy") : NULL;
    if (!ok)
      return NULL;
    if (greedy != NULL && (!JSON_NODE_HOLDS_VALUE (greedy) || json_node_get_value_type (greedy) != G_TYPE_BOOLEAN))
      {
        fail (&ctx, "decoding.greedy must be true or false");
        return NULL;
      }
    if (greedy != NULL && !json_node_get_boolean (greedy))
      {
        JsonNode *t = json_object_get_member (decoding, "temperature");
        if (t == NULL || !JSON_NODE_HOLDS_VALUE (t) || json_node_get_value_type (t) == G_TYPE_STRING
            || !(json_node_get_double (t) > 0.0))
          {
            fail (&ctx, "decoding.temperature must be a number above 0 when decoding.greedy is false");
            return NULL;
          }
        report->decoding_temperature = json_node_get_double (t);
        report->decoding_seed = (guint64) json_object_get_int_member_with_default (decoding, "seed", 0);
      }
  }
  titles = get_object (&ctx, o, "titles", "", FALSE, &ok);
  if (!ok)
    return NULL;
  if (titles != NULL)
    {
      g_autoptr (GList) keys = json_object_get_members (titles);
      for (GList *k = keys; k != NULL; k = k->next)
        {
          JsonNode *v = json_object_get_member (titles, k->data);
          if (!JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_STRING)
            {
              fail (&ctx, "titles.%s must be a string", (char *) k->data);
              return NULL;
            }
          ftc_report_set_title (report, k->data, json_node_get_string (v));
        }
    }
  {
    JsonObject *benchmarks = get_object (&ctx, o, "benchmarks", "", FALSE, &ok);
    if (!ok)
      return NULL;
    if (benchmarks != NULL)
      {
        g_autoptr (GList) keys = json_object_get_members (benchmarks);
        for (GList *k = keys; k != NULL; k = k->next)
          {
            JsonNode *v = json_object_get_member (benchmarks, k->data);
            JsonNode *t = JSON_NODE_HOLDS_OBJECT (v) ? json_object_get_member (json_node_get_object (v), "trained_on") : NULL;
            if (t == NULL || !JSON_NODE_HOLDS_VALUE (t) || json_node_get_value_type (t) != G_TYPE_STRING)
              {
                fail (&ctx, "benchmarks.%s.trained_on must be a string", (char *) k->data);
                return NULL;
              }
            ftc_report_set_trained_on (report, k->data, json_node_get_string (t));
          }
      }
  }
  sizes = get_object (&ctx, o, "data_size", "", FALSE, &ok);
  if (!ok)
    return NULL;
  if (sizes != NULL)
    {
      g_autoptr (GList) task_names = json_object_get_members (sizes);
      for (GList *t = task_names; t != NULL; t = t->next)
        {
          g_autofree char *path = g_strdup_printf ("data_size.%s", (char *) t->data);
          JsonObject *methods = get_object (&ctx, sizes, t->data, "data_size", TRUE, &ok);
          g_autoptr (GList) method_names = NULL;

          if (!ok)
            return NULL;
          method_names = json_object_get_members (methods);
          for (GList *m = method_names; m != NULL; m = m->next)
            {
              JsonNode *points = json_object_get_member (methods, m->data);
              g_autofree char *sub = g_strdup_printf ("%s.%s", path, (char *) m->data);
              if (!JSON_NODE_HOLDS_ARRAY (points))
                {
                  fail (&ctx, "%s must be an array", sub);
                  return NULL;
                }
              for (guint i = 0; i < json_array_get_length (json_node_get_array (points)); i++)
                {
                  JsonNode *p = json_array_get_element (json_node_get_array (points), i);
                  g_autofree char *item = g_strdup_printf ("%s[%u]", sub, i);
                  FtcPercent acc = unknown;
                  int size = 0;
                  if (!JSON_NODE_HOLDS_OBJECT (p))
                    {
                      fail (&ctx, "%s must be an object", item);
                      return NULL;
                    }
                  if (!read_int (&ctx, json_node_get_object (p), "train_size", item, &size)
                      || !read_number (&ctx, json_node_get_object (p), "accuracy", item, &acc.value)
                      || !read_interval (&ctx, json_node_get_object (p), item, &acc))
                    return NULL;
                  ftc_report_add_scaling_point (report, t->data, m->data, size, acc);
                }
            }
        }
    }
  return g_steal_pointer (&report);
}

gboolean
ftc_report_save_json (const FtcReport *report, const char *path, GError **error)
{
  g_autoptr (JsonNode) root = ftc_report_to_json (report);
  return ftc_json_write_file (path, root, error);
}

FtcReport *
ftc_report_load_json (const char *path, GError **error)
{
  g_autoptr (JsonNode) root = ftc_json_read_file (path, FTC_INPUT_CONFIG, error);

  if (root == NULL)
    return NULL;
  return ftc_report_from_json (root, path, error);
}

/* ---- CSV and text ----------------------------------------------------------------------------- */

static void
csv_field (GString *out, const char *s)
{
  if (strpbrk (s, ",\"\n\r") == NULL)
    {
      g_string_append (out, s);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = s; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
csv_number (GString *out, double v)
{
  char buf[40];

  g_string_append_c (out, ',');
  if (isfinite (v))
    g_string_append (out, ftc_json_format_double (tidy (v), buf, sizeof buf));
}

static void
csv_int (GString *out, int v)
{
  g_string_append_c (out, ',');
  if (v > 0)
    g_string_append_printf (out, "%d", v);
}

char *
ftc_report_to_csv (const FtcReport *report)
{
  GString *out = g_string_new ("task,title,method,accuracy,ci95_low,ci95_high,n,correct,last_epoch,best_epoch,"
                               "best_epoch_accuracy,train_size,diversity,sampled_k,sampled_n,"
                               "sampled_temperature,pass_at_k,pass_at_k_low,pass_at_k_high,avg_at_k,"
                               "avg_at_k_low,avg_at_k_high,maj_at_k,maj_at_k_low,maj_at_k_high\n");
  g_auto (GStrv) methods = ftc_report_methods (report);

  for (guint t = 0; t < report->tasks->len; t++)
    {
      const char *task = g_ptr_array_index (report->tasks, t);
      for (char **m = methods; *m != NULL; m++)
        {
          const FtcResult *r = ftc_report_lookup (report, task, *m);
          if (r == NULL)
            continue;
          csv_field (out, task);
          g_string_append_c (out, ',');
          csv_field (out, ftc_report_get_title (report, task));
          g_string_append_c (out, ',');
          csv_field (out, *m);
          csv_number (out, r->accuracy.value);
          csv_number (out, r->accuracy.lo);
          csv_number (out, r->accuracy.hi);
          g_string_append_printf (out, ",%d,%d", r->n, r->correct);
          csv_int (out, r->last_epoch);
          csv_int (out, r->best_epoch);
          csv_number (out, r->best_epoch_accuracy);
          csv_int (out, r->train_size);
          csv_int (out, r->diversity);
          csv_int (out, r->sampled_k);
          csv_int (out, r->sampled_n);
          csv_number (out, r->sampled_k > 0 ? r->sampled_temperature : NAN);
          csv_number (out, r->pass_at_k.value);
          csv_number (out, r->pass_at_k.lo);
          csv_number (out, r->pass_at_k.hi);
          csv_number (out, r->avg_at_k.value);
          csv_number (out, r->avg_at_k.lo);
          csv_number (out, r->avg_at_k.hi);
          csv_number (out, r->maj_at_k.value);
          csv_number (out, r->maj_at_k.lo);
          csv_number (out, r->maj_at_k.hi);
          g_string_append_c (out, '\n');
        }
    }
  return g_string_free (out, FALSE);
}

/* pads s to width display columns (UTF-8 aware), cutting with an ellipsis */
static void
append_cell (GString *out, const char *s, int width, gboolean right)
{
  glong len = g_utf8_strlen (s, -1);
  g_autofree char *cut = NULL;

  if (len > width)
    {
      g_autofree char *head = g_utf8_substring (s, 0, width - 1);
      cut = g_strconcat (head, "…", NULL);
      s = cut;
      len = width;
    }
  if (right)
    g_string_append_printf (out, "%*s", (int) (width - len), "");
  g_string_append (out, s);
  if (!right)
    g_string_append_printf (out, "%*s", (int) (width - len), "");
}

static char *
table_cell (const FtcReport *report, const char *task, const char *method, gboolean best)
{
  const FtcResult *r = ftc_report_lookup (report, task, method);
  double v = r == NULL ? NAN : best ? r->best_epoch_accuracy : r->accuracy.value;

  if (best && r != NULL && r->best_epoch > 0 && isfinite (v))
    return g_strdup_printf ("%.1f@%d", v, r->best_epoch);
  if (isfinite (v))
    return g_strdup_printf ("%.1f", v);
  return g_strdup ("-");
}

static void
append_table (GString *out, const FtcReport *report, char **methods, gboolean best)
{
  int task_w = 4;
  g_autofree int *widths = g_new0 (int, g_strv_length (methods) + 1);

  for (guint t = 0; t < report->tasks->len; t++)
    task_w = MAX (task_w, (int) g_utf8_strlen (ftc_report_get_title (report, g_ptr_array_index (report->tasks, t)), -1));
  task_w = MIN (task_w, 40);
  for (int i = 0; methods[i] != NULL; i++)
    {
      widths[i] = MAX (5, (int) strlen (methods[i]));
      for (guint t = 0; t < report->tasks->len; t++)
        {
          g_autofree char *cell = table_cell (report, g_ptr_array_index (report->tasks, t), methods[i], best);
          widths[i] = MAX (widths[i], (int) strlen (cell));
        }
    }

  append_cell (out, "task", task_w, FALSE);
  g_string_append (out, "      n");
  for (int i = 0; methods[i] != NULL; i++)
    {
      g_string_append (out, "  ");
      append_cell (out, methods[i], widths[i], TRUE);
    }
  g_string_append_c (out, '\n');
  for (guint t = 0; t < report->tasks->len; t++)
    {
      const char *task = g_ptr_array_index (report->tasks, t);
      int n = 0;

      for (int i = 0; methods[i] != NULL; i++)
        {
          const FtcResult *r = ftc_report_lookup (report, task, methods[i]);
          if (r != NULL)
            n = MAX (n, r->n);
        }
      append_cell (out, ftc_report_get_title (report, task), task_w, FALSE);
      if (n > 0)
        g_string_append_printf (out, "  %5d", n);
      else
        g_string_append (out, "      -");
      for (int i = 0; methods[i] != NULL; i++)
        {
          g_autofree char *cell = table_cell (report, task, methods[i], best);
          g_string_append (out, "  ");
          append_cell (out, cell, widths[i], TRUE);
        }
      g_string_append_c (out, '\n');
    }
}

/* The tasks of the benchmark table: the benchmarks, else the tasks with sampled results. */
static GPtrArray *
benchmark_tasks (const FtcReport *report)
{
  GPtrArray *tasks = g_ptr_array_new ();

  for (guint t = 0; t < report->tasks->len; t++)
    if (ftc_report_get_trained_on (report, g_ptr_array_index (report->tasks, t)) != NULL)
      g_ptr_array_add (tasks, g_ptr_array_index (report->tasks, t));
  if (tasks->len == 0)
    for (guint t = 0; t < report->tasks->len; t++)
      {
        gboolean sampled = FALSE;
        for (guint i = 0; i < report->results->len; i++)
          {
            const FtcResult *r = g_ptr_array_index (report->results, i);
            sampled |= r->sampled_k > 0 && strcmp (r->task, g_ptr_array_index (report->tasks, t)) == 0;
          }
        if (sampled)
          g_ptr_array_add (tasks, g_ptr_array_index (report->tasks, t));
      }
  return tasks;
}

/* pass@1 of a result: avg@k (bootstrap interval) with several answers a question, else the accuracy of the
 * one answer (Wilson interval); *k gets 1 or k. */
static FtcPercent
pass_at_1 (const FtcResult *r, int *k)
{
  if (r->sampled_k > 0 && isfinite (r->avg_at_k.value))
    {
      *k = r->sampled_k;
      return r->avg_at_k;
    }
  *k = 1;
  return r->accuracy;
}

GPtrArray *
ftc_report_benchmark_rows (const FtcReport *report)
{
  g_autoptr (GPtrArray) tasks = benchmark_tasks (report);
  g_auto (GStrv) methods = NULL;
  GPtrArray *rows;
  GPtrArray *header;

  if (tasks->len == 0)
    return NULL;
  methods = ftc_report_methods (report);
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  header = g_ptr_array_new ();
  g_ptr_array_add (header, g_strdup ("benchmark"));
  g_ptr_array_add (header, g_strdup ("trained on"));
  for (char **m = methods; *m != NULL; m++)
    {
      g_autofree char *display = ftc_method_display_name (*m);
      int k = 1;
      /* the k of the column: the first benchmark that has the method */
      for (guint t = 0; t < tasks->len; t++)
        {
          const FtcResult *r = ftc_report_lookup (report, g_ptr_array_index (tasks, t), *m);
          if (r != NULL)
            {
              pass_at_1 (r, &k);
              break;
            }
        }
      g_ptr_array_add (header, k > 1 ? g_strdup_printf ("%s (avg@%d)", display, k) : g_strdup (display));
    }
  g_ptr_array_add (header, NULL);
  g_ptr_array_add (rows, g_ptr_array_free (header, FALSE));
  for (guint t = 0; t < tasks->len; t++)
    {
      const char *task = g_ptr_array_index (tasks, t);
      const char *trained_on = ftc_report_get_trained_on (report, task);
      GPtrArray *row = g_ptr_array_new ();

      g_ptr_array_add (row, g_strdup (ftc_report_get_title (report, task)));
      g_ptr_array_add (row, g_strdup (trained_on != NULL ? ftc_report_get_title (report, trained_on) : "-"));
      for (char **m = methods; *m != NULL; m++)
        {
          const FtcResult *r = ftc_report_lookup (report, task, *m);
          int k;
          FtcPercent p;

          if (r == NULL || (p = pass_at_1 (r, &k), !isfinite (p.value)))
            g_ptr_array_add (row, g_strdup ("-"));
          else if (isfinite (p.lo) && isfinite (p.hi))
            g_ptr_array_add (row, g_strdup_printf ("%.1f [%.1f, %.1f]", p.value, p.lo, p.hi));
          else
            g_ptr_array_add (row, g_strdup_printf ("%.1f", p.value));
        }
      g_ptr_array_add (row, NULL);
      g_ptr_array_add (rows, g_ptr_array_free (row, FALSE));
    }
  return rows;
}

char *
ftc_report_format_benchmarks (const FtcReport *report)
{
  g_autoptr (GPtrArray) rows = ftc_report_benchmark_rows (report);
  g_autofree int *widths = NULL;
  GString *out;
  guint columns;

  if (rows == NULL)
    return NULL;
  columns = g_strv_length (rows->pdata[0]);
  widths = g_new0 (int, columns);
  for (guint r = 0; r < rows->len; r++)
    for (guint c = 0; c < columns; c++)
      widths[c] = MAX (widths[c], (int) g_utf8_strlen (((char **) rows->pdata[r])[c], -1));
  out = g_string_new ("Benchmarks: pass@1 (%) with its 95% interval: avg@k over the k answers drawn for each question "
                      "(bootstrap interval), else the headline answer (Wilson interval):\n");
  for (guint r = 0; r < rows->len; r++)
    {
      for (guint c = 0; c < columns; c++)
        {
          if (c > 0)
            g_string_append (out, "  ");
          append_cell (out, ((char **) rows->pdata[r])[c], widths[c], c >= 2);
        }
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

char *
ftc_report_format_table (const FtcReport *report)
{
  GString *out = g_string_new (NULL);
  g_auto (GStrv) methods = ftc_report_methods (report);
  gboolean any_best = FALSE;

  if (report->results->len == 0)
    {
      g_string_append (out, "No results yet.\n");
      return g_string_free (out, FALSE);
    }
  if (report->decoding_temperature > 0.0)
    g_string_append_printf (out, "Accuracy (%%) on the test split, students sampled at temperature %g (seed %"
                            G_GUINT64_FORMAT "), last epoch:\n", report->decoding_temperature,
                            report->decoding_seed);
  else
    g_string_append (out, "Accuracy (%) on the test split, greedy decoding, last epoch:\n");
  append_table (out, report, methods, FALSE);
  for (guint i = 0; i < report->results->len; i++)
    {
      const FtcResult *r = g_ptr_array_index (report->results, i);
      any_best |= isfinite (r->best_epoch_accuracy) && r->best_epoch_accuracy != r->accuracy.value;
    }
  if (any_best)
    {
      /* only the trained methods have epochs */
      g_autoptr (GPtrArray) trained = g_ptr_array_new ();
      for (char **m = methods; *m != NULL; m++)
        for (guint i = 0; i < report->results->len; i++)
          {
            const FtcResult *r = g_ptr_array_index (report->results, i);
            if (strcmp (r->method, *m) == 0 && isfinite (r->best_epoch_accuracy))
              {
                g_ptr_array_add (trained, *m);
                break;
              }
          }
      g_ptr_array_add (trained, NULL);
      g_string_append (out, "\nBest epoch (accuracy@epoch; chosen on the test split, as the paper reported):\n");
      append_table (out, report, (char **) trained->pdata, TRUE);
    }
  for (guint i = 0; i < report->results->len; i++)
    {
      const FtcResult *r = g_ptr_array_index (report->results, i);
      if (r->sampled_k > 0)
        {
          g_string_append (out, "\nSampled evaluation (percent, 95% bootstrap interval):\n");
          for (guint t = 0; t < report->tasks->len; t++)
            for (char **m = methods; *m != NULL; m++)
              {
                const FtcResult *s = ftc_report_lookup (report, g_ptr_array_index (report->tasks, t), *m);
                if (s == NULL || s->sampled_k <= 0)
                  continue;
                g_string_append_printf (out, "  %s %s: pass@%d %.1f [%.1f, %.1f]  avg@%d %.1f [%.1f, %.1f]",
                                        ftc_report_get_title (report, s->task), s->method,
                                        s->sampled_k, s->pass_at_k.value, s->pass_at_k.lo, s->pass_at_k.hi,
                                        s->sampled_k, s->avg_at_k.value, s->avg_at_k.lo, s->avg_at_k.hi);
                if (isfinite (s->maj_at_k.value))
                  g_string_append_printf (out, "  maj@%d %.1f [%.1f, %.1f]", s->sampled_k, s->maj_at_k.value,
                                          s->maj_at_k.lo, s->maj_at_k.hi);
                g_string_append_c (out, '\n');
              }
          break;
        }
    }
  {
    g_autofree char *benchmarks = ftc_report_format_benchmarks (report);
    if (benchmarks != NULL)
      g_string_append_printf (out, "\n%s", benchmarks);
  }
  return g_string_free (out, FALSE);
}

/* ---- charts ----------------------------------------------------------------------------------- */

static int
method_color (const char *method)
{
  FtcMethod m;

  if (!ftc_method_parse (method, &m))
    return 6;
  switch (m.kind)
    {
    case FTC_METHOD_TEACHER: return FTC_CHART_COLOR_NEUTRAL;
    case FTC_METHOD_RANDOM: return FTC_CHART_COLOR_NEUTRAL_LIGHT;
    case FTC_METHOD_ZERO_SHOT: return 5;
    case FTC_METHOD_VANILLA: return 1;
    case FTC_METHOD_FT_COT:
      switch (m.diversity)
        {
        case 1: return 0;
        case 2: return 4;
        case 4: return 2;
        case 8: return 3;
        default: return 6;
        }
    }
  return 6;
}

/* Bars of tasks x methods: headline accuracy, or (pass1) the benchmark table's pass@1. */
static FtcChart *
chart_bars (const FtcReport *report, GPtrArray *tasks, gboolean pass1, const char *title, const char *y_label)
{
  FtcChart *chart = ftc_chart_new (FTC_CHART_BARS, title);
  g_auto (GStrv) methods = ftc_report_methods (report);
  guint n_tasks = tasks->len;
  g_autofree const char **titles = g_new0 (const char *, n_tasks + 1);
  g_autofree double *v = g_new (double, n_tasks + 1);
  g_autofree double *lo = g_new (double, n_tasks + 1);
  g_autofree double *hi = g_new (double, n_tasks + 1);

  for (guint t = 0; t < n_tasks; t++)
    titles[t] = ftc_report_get_title (report, g_ptr_array_index (tasks, t));
  ftc_chart_set_groups (chart, titles, n_tasks);
  ftc_chart_set_y_label (chart, y_label);
  ftc_chart_set_y_range (chart, 0, 100);
  for (char **m = methods; *m != NULL; m++)
    {
      g_autofree char *name = ftc_method_display_name (*m);
      int s;
      for (guint t = 0; t < n_tasks; t++)
        {
          const FtcResult *r = ftc_report_lookup (report, g_ptr_array_index (tasks, t), *m);
          int k;
          FtcPercent p = r == NULL ? (FtcPercent) { NAN, NAN, NAN } : pass1 ? pass_at_1 (r, &k) : r->accuracy;
          v[t] = p.value;
          lo[t] = p.lo;
          hi[t] = p.hi;
        }
      s = ftc_chart_add_bar_series (chart, name, v, lo, hi);
      ftc_chart_series_set_color (chart, s, method_color (*m));
    }
  return chart;
}

FtcChart *
ftc_report_chart_benchmarks (const FtcReport *report)
{
  g_autoptr (GPtrArray) tasks = benchmark_tasks (report);

  if (tasks->len == 0)
    return NULL;
  return chart_bars (report, tasks, TRUE, "pass@1 per benchmark", "pass@1 (%), avg@k where sampled, 95% interval");
}

FtcChart *
ftc_report_chart_accuracy (const FtcReport *report)
{
  return chart_bars (report, report->tasks, FALSE, "Accuracy per task", "Accuracy (%), 95% interval");
}

FtcChart *
ftc_report_chart_diversity (const FtcReport *report)
{
  g_autoptr (FtcChart) chart = ftc_chart_new (FTC_CHART_LINES, "Accuracy against diverse reasoning (D)");
  gboolean any = FALSE;

  ftc_chart_set_x_label (chart, "Rationales per training question (D)");
  ftc_chart_set_y_label (chart, "Accuracy (%)");
  ftc_chart_set_log_x (chart, TRUE);
  ftc_chart_set_x_ticks_at_data (chart, TRUE);
  ftc_chart_set_y_range (chart, 0, 100);
  for (guint t = 0; t < report->tasks->len; t++)
    {
      const char *task = g_ptr_array_index (report->tasks, t);
      g_autoptr (GArray) xs = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr (GArray) ys = g_array_new (FALSE, FALSE, sizeof (double));
      g_auto (GStrv) methods = ftc_report_methods (report);

      for (char **m = methods; *m != NULL; m++)
        {
          const FtcResult *r = ftc_report_lookup (report, task, *m);
          FtcMethod method;
          double d;
          if (r == NULL || !ftc_method_parse (*m, &method) || method.kind != FTC_METHOD_FT_COT)
            continue;
          d = method.diversity;
          g_array_append_val (xs, d);
          g_array_append_val (ys, r->accuracy.value);
        }
      if (xs->len >= 2)
        {
          ftc_chart_add_line_series (chart, ftc_report_get_title (report, task), (double *) xs->data,
                                     (double *) ys->data, xs->len, FTC_CHART_Y1);
          any = TRUE;
        }
    }
  if (!any)
    return NULL;
  /* with one task, its baselines as reference lines */
  if (ftc_chart_get_n_series (chart) == 1)
    {
      const char *task = NULL;
      for (guint t = 0; t < report->tasks->len && task == NULL; t++)
        if (ftc_report_lookup (report, g_ptr_array_index (report->tasks, t), "ft_cot") != NULL
            || report->tasks->len == 1)
          task = g_ptr_array_index (report->tasks, t);
      if (task != NULL)
        {
          static const char *const baselines[] = { "teacher", "vanilla" };
          for (gsize i = 0; i < G_N_ELEMENTS (baselines); i++)
            {
              const FtcResult *r = ftc_report_lookup (report, task, baselines[i]);
              if (r != NULL && isfinite (r->accuracy.value))
                {
                  g_autofree char *name = ftc_method_display_name (baselines[i]);
                  int s = ftc_chart_add_reference_line (chart, name, r->accuracy.value);
                  ftc_chart_series_set_color (chart, s, method_color (baselines[i]));
                }
            }
        }
    }
  return g_steal_pointer (&chart);
}

FtcChart *
ftc_report_chart_data_size (const FtcReport *report)
{
  g_autoptr (FtcChart) chart = NULL;
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);

  if (report->scaling->len == 0)
    return NULL;
  chart = ftc_chart_new (FTC_CHART_LINES, "Accuracy against training-set size");
  ftc_chart_set_x_label (chart, "Training questions");
  ftc_chart_set_y_label (chart, "Accuracy (%)");
  ftc_chart_set_log_x (chart, TRUE);
  ftc_chart_set_y_range (chart, 0, 100);
  for (guint i = 0; i < report->scaling->len; i++)
    {
      FtcScalingPoint *p = g_ptr_array_index (report->scaling, i);
      g_autofree char *key = g_strdup_printf ("%s\n%s", p->task, p->method);
      gboolean seen = FALSE;
      for (guint j = 0; j < keys->len && !seen; j++)
        seen = strcmp (g_ptr_array_index (keys, j), key) == 0;
      if (!seen)
        g_ptr_array_add (keys, g_steal_pointer (&key));
    }
  for (guint j = 0; j < keys->len; j++)
    {
      g_auto (GStrv) parts = g_strsplit (g_ptr_array_index (keys, j), "\n", 2);
      g_autoptr (GArray) xs = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr (GArray) ys = g_array_new (FALSE, FALSE, sizeof (double));
      g_autofree char *method = ftc_method_display_name (parts[1]);
      g_autofree char *name = report->tasks->len > 1
                              ? g_strdup_printf ("%s, %s", ftc_report_get_title (report, parts[0]), method)
                              : g_strdup (method);
      int s;

      for (guint i = 0; i < report->scaling->len; i++)
        {
          FtcScalingPoint *p = g_ptr_array_index (report->scaling, i);
          double x = p->train_size;
          if (strcmp (p->task, parts[0]) != 0 || strcmp (p->method, parts[1]) != 0)
            continue;
          g_array_append_val (xs, x);
          g_array_append_val (ys, p->accuracy.value);
        }
      /* in order of size, so the line runs left to right */
      for (guint a = 1; a < xs->len; a++)
        for (guint b = a; b > 0 && g_array_index (xs, double, b - 1) > g_array_index (xs, double, b); b--)
          {
            double tx = g_array_index (xs, double, b), ty = g_array_index (ys, double, b);
            g_array_index (xs, double, b) = g_array_index (xs, double, b - 1);
            g_array_index (ys, double, b) = g_array_index (ys, double, b - 1);
            g_array_index (xs, double, b - 1) = tx;
            g_array_index (ys, double, b - 1) = ty;
          }
      s = ftc_chart_add_line_series (chart, name, (double *) xs->data, (double *) ys->data, xs->len, FTC_CHART_Y1);
      if (report->tasks->len == 1)
        ftc_chart_series_set_color (chart, s, method_color (parts[1]));
    }
  return g_steal_pointer (&chart);
}

/* ---- training curves -------------------------------------------------------------------------- */

void
ftc_curve_free (FtcCurve *curve)
{
  if (curve == NULL)
    return;
  g_free (curve->task);
  g_free (curve->method);
  g_array_unref (curve->step);
  g_array_unref (curve->loss);
  g_array_unref (curve->lr_step);
  g_array_unref (curve->lr);
  g_array_unref (curve->acc_step);
  g_array_unref (curve->acc_epoch);
  g_array_unref (curve->acc);
  g_free (curve);
}

static FtcCurve *
curve_get (GPtrArray *curves, const char *task, const char *method)
{
  FtcCurve *c;

  for (guint i = 0; i < curves->len; i++)
    {
      c = g_ptr_array_index (curves, i);
      if (strcmp (c->task, task) == 0 && strcmp (c->method, method) == 0)
        return c;
    }
  c = g_new0 (FtcCurve, 1);
  c->task = g_strdup (task);
  c->method = g_strdup (method);
  c->step = g_array_new (FALSE, FALSE, sizeof (double));
  c->loss = g_array_new (FALSE, FALSE, sizeof (double));
  c->lr_step = g_array_new (FALSE, FALSE, sizeof (double));
  c->lr = g_array_new (FALSE, FALSE, sizeof (double));
  c->acc_step = g_array_new (FALSE, FALSE, sizeof (double));
  c->acc_epoch = g_array_new (FALSE, FALSE, sizeof (double));
  c->acc = g_array_new (FALSE, FALSE, sizeof (double));
  g_ptr_array_add (curves, c);
  return c;
}

static guint
push2 (GArray *xs, GArray *ys, double x, double y)
{
  for (guint i = xs->len; i > 0; i--)
    if (g_array_index (xs, double, i - 1) == x)
      {
        g_array_index (ys, double, i - 1) = y;
        return i - 1;
      }
  g_array_append_val (xs, x);
  g_array_append_val (ys, y);
  return xs->len - 1;
}

GPtrArray *
ftc_curves_load (const char *path, GError **error)
{
  g_autoptr (GPtrArray) curves = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_curve_free);
  g_autoptr (FtcMetricsLog) log = ftc_metrics_log_open (path, error);
  g_autoptr (GError) local = NULL;
  FtcMetricsLine line;

  if (log == NULL)
    return NULL;
  ftc_metrics_line_init (&line);
  while (ftc_metrics_log_next (log, &line, &local))
    {
      FtcCurve *c = curve_get (curves, line.task, line.method);
      double step = (double) line.step;

      if (!isnan (line.loss))
        push2 (c->step, c->loss, step, line.loss);
      if (!isnan (line.lr))
        push2 (c->lr_step, c->lr, step, line.lr);
      if (!isnan (line.test_accuracy))
        {
          double epoch = line.epoch >= 0 ? (double) line.epoch : NAN;
          guint at = push2 (c->acc_step, c->acc, step, line.test_accuracy);
          if (at == c->acc_epoch->len)
            g_array_append_val (c->acc_epoch, epoch);
          else
            g_array_index (c->acc_epoch, double, at) = epoch;
        }
    }
  ftc_metrics_line_clear (&line);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return g_steal_pointer (&curves);
}

FtcChart *
ftc_curve_chart (const FtcCurve *curve, const char *title)
{
  FtcChart *chart = ftc_chart_new (FTC_CHART_LINES, title);
  int s;

  ftc_chart_set_x_label (chart, "Optimizer step");
  ftc_chart_set_y_label (chart, "Loss (completion tokens)");
  ftc_chart_add_line_series (chart, "Training loss", (double *) curve->step->data, (double *) curve->loss->data,
                             curve->step->len, FTC_CHART_Y1);
  if (curve->lr_step->len > 0)
    {
      ftc_chart_set_y2_label (chart, "Learning rate");
      s = ftc_chart_add_line_series (chart, "Learning rate", (double *) curve->lr_step->data,
                                     (double *) curve->lr->data, curve->lr_step->len, FTC_CHART_Y2);
      ftc_chart_series_set_color (chart, s, FTC_CHART_COLOR_NEUTRAL);
      ftc_chart_series_set_dashed (chart, s, TRUE);
      ftc_chart_series_set_markers (chart, s, FALSE);
    }
  return chart;
}

FtcChart *
ftc_curves_chart_accuracy (GPtrArray *curves, const char *task, const char *title)
{
  g_autoptr (FtcChart) chart = ftc_chart_new (FTC_CHART_LINES, title);
  gboolean any = FALSE, by_epoch = TRUE;

  for (guint i = 0; i < curves->len; i++)
    {
      const FtcCurve *c = g_ptr_array_index (curves, i);
      if (strcmp (c->task, task) != 0)
        continue;
      for (guint j = 0; j < c->acc_epoch->len; j++)
        by_epoch &= isfinite (g_array_index (c->acc_epoch, double, j));
    }
  ftc_chart_set_x_label (chart, by_epoch ? "Epoch" : "Optimizer step");
  ftc_chart_set_y_label (chart, "Accuracy (%)");
  ftc_chart_set_y_range (chart, 0, 100);
  for (guint i = 0; i < curves->len; i++)
    {
      const FtcCurve *c = g_ptr_array_index (curves, i);
      g_autofree char *name = NULL;
      int s;
      if (strcmp (c->task, task) != 0 || c->acc->len == 0)
        continue;
      name = ftc_method_display_name (c->method);
      s = ftc_chart_add_line_series (chart, name, (double *) (by_epoch ? c->acc_epoch : c->acc_step)->data,
                                     (double *) c->acc->data, c->acc->len, FTC_CHART_Y1);
      ftc_chart_series_set_color (chart, s, method_color (c->method));
      any = TRUE;
    }
  return any ? g_steal_pointer (&chart) : NULL;
}

/* ---- files ------------------------------------------------------------------------------------ */

static gboolean
save_chart (FtcChart *chart, const char *dir, const char *stem, int width, int height, FtcChartTheme theme,
            GPtrArray *written, GError **error)
{
  static const char *const extensions[] = { "png", "svg" };

  for (gsize i = 0; i < G_N_ELEMENTS (extensions); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.%s", stem, extensions[i]);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (!ftc_chart_save (chart, path, width, height, theme, error))
        return FALSE;
      if (written != NULL)
        g_ptr_array_add (written, g_steal_pointer (&path));
    }
  return TRUE;
}

gboolean
ftc_report_write (const FtcReport *report, const char *report_dir, const char *metrics_path, int width,
                  int height, FtcChartTheme theme, GPtrArray *written, GError **error)
{
  g_autofree char *json_path = g_build_filename (report_dir, "summary.json", NULL);
  g_autofree char *csv_path = g_build_filename (report_dir, "summary.csv", NULL);
  g_autofree char *csv = NULL;
  g_autoptr (FtcChart) accuracy = NULL, diversity = NULL, data_size = NULL;

  if (g_mkdir_with_parents (report_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: cannot create: %s", report_dir, g_strerror (saved));
      return FALSE;
    }
  if (!ftc_report_save_json (report, json_path, error))
    return FALSE;
  if (written != NULL)
    g_ptr_array_add (written, g_strdup (json_path));
  csv = ftc_report_to_csv (report);
  if (!ftc_file_write_atomic (csv_path, csv, -1, error))
    return FALSE;
  if (written != NULL)
    g_ptr_array_add (written, g_strdup (csv_path));

  accuracy = ftc_report_chart_accuracy (report);
  if (!save_chart (accuracy, report_dir, "accuracy", width, height, theme, written, error))
    return FALSE;
  diversity = ftc_report_chart_diversity (report);
  if (diversity != NULL && !save_chart (diversity, report_dir, "diversity", width, height, theme, written, error))
    return FALSE;
  {
    g_autoptr (FtcChart) benchmarks = ftc_report_chart_benchmarks (report);
    if (benchmarks != NULL && !save_chart (benchmarks, report_dir, "benchmarks", width, height, theme, written, error))
      return FALSE;
  }
  data_size = ftc_report_chart_data_size (report);
  if (data_size != NULL && !save_chart (data_size, report_dir, "data-size", width, height, theme, written, error))
    return FALSE;

  if (metrics_path != NULL && g_file_test (metrics_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr (GPtrArray) curves = ftc_curves_load (metrics_path, error);
      if (curves == NULL)
        return FALSE;
      for (guint i = 0; i < curves->len; i++)
        {
          const FtcCurve *c = g_ptr_array_index (curves, i);
          g_autofree char *method = ftc_method_display_name (c->method);
          g_autofree char *title = g_strdup_printf ("Training: %s, %s", ftc_report_get_title (report, c->task), method);
          g_autofree char *stem = g_strdup_printf ("curves-%s.%s", c->task, c->method);
          g_autoptr (FtcChart) chart = NULL;

          /* names come from the file: keep them to safe characters */
          g_strcanon (stem, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.", '_');
          if (c->step->len == 0)
            continue;
          chart = ftc_curve_chart (c, title);
          if (!save_chart (chart, report_dir, stem, width, height, theme, written, error))
            return FALSE;
        }
      for (guint t = 0; t < report->tasks->len; t++)
        {
          const char *task = g_ptr_array_index (report->tasks, t);
          g_autofree char *title = g_strdup_printf ("Accuracy per epoch: %s", ftc_report_get_title (report, task));
          g_autofree char *stem = g_strdup_printf ("epochs-%s", task);
          g_autoptr (FtcChart) chart = ftc_curves_chart_accuracy (curves, task, title);

          g_strcanon (stem, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.", '_');
          if (chart != NULL && !save_chart (chart, report_dir, stem, width, height, theme, written, error))
            return FALSE;
        }
    }
  return TRUE;
}
