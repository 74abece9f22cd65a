/* ftc-task.c: samples, tasks, answer type names and the seeded split every task source shares. */
#include "core/tasks/ftc-task.h"

#include <string.h>

static const char *const answer_type_names[] = {
  [FTC_ANSWER_NUMBER] = "number",
  [FTC_ANSWER_CHOICE] = "choice",
  [FTC_ANSWER_YESNO] = "yesno",
  [FTC_ANSWER_TEXT] = "text",
  [FTC_ANSWER_MATH] = "math",
};

const char *
ftc_answer_type_to_string (FtcAnswerType type)
{
  if ((guint) type >= G_N_ELEMENTS (answer_type_names))
    return "unknown";
  return answer_type_names[type];
}

gboolean
ftc_answer_type_from_string (const char *s, FtcAnswerType *out)
{
  for (guint i = 0; s != NULL && i < G_N_ELEMENTS (answer_type_names); i++)
    if (strcmp (s, answer_type_names[i]) == 0)
      {
        *out = (FtcAnswerType) i;
        return TRUE;
      }
  return FALSE;
}

FtcSample *
ftc_sample_new (void)
{
  FtcSample *sample = g_new0 (FtcSample, 1);

  sample->index = -1;
  return sample;
}

void
ftc_sample_free (FtcSample *sample)
{
  if (sample == NULL)
    return;
  g_free (sample->id);
  g_free (sample->question);
  g_free (sample->answer);
  g_strfreev (sample->choices);
  g_free (sample->steps_json);
  g_free (sample);
}

FtcTask *
ftc_task_new (const char *key, const char *title, FtcAnswerType answer_type)
{
  FtcTask *task = g_new0 (FtcTask, 1);

  task->key = g_strdup (key);
  task->title = g_strdup (title != NULL ? title : key);
  task->answer_type = answer_type;
  task->samples = g_ptr_array_new_with_free_func ((GDestroyNotify) ftc_sample_free);
  task->train = g_array_new (FALSE, FALSE, sizeof (int));
  task->test = g_array_new (FALSE, FALSE, sizeof (int));
  return task;
}

void
ftc_task_free (FtcTask *task)
{
  if (task == NULL)
    return;
  g_free (task->key);
  g_free (task->title);
  g_free (task->answer_trigger);
  g_ptr_array_unref (task->samples);
  g_array_unref (task->train);
  g_array_unref (task->test);
  g_free (task->split_name);
  g_free (task->note);
  g_free (task);
}

void
ftc_task_add_sample (FtcTask *task, FtcSample *sample)
{
  g_ptr_array_add (task->samples, sample);
}

FtcSample *
ftc_task_train_sample (FtcTask *task, guint i)
{
  if (i >= task->train->len)
    return NULL;
  return g_ptr_array_index (task->samples, g_array_index (task->train, int, i));
}

FtcSample *
ftc_task_test_sample (FtcTask *task, guint i)
{
  if (i >= task->test->len)
    return NULL;
  return g_ptr_array_index (task->samples, g_array_index (task->test, int, i));
}

int
ftc_task_find_index (FtcTask *task, int index)
{
  guint lo = 0, hi = task->samples->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      int at = ((FtcSample *) g_ptr_array_index (task->samples, mid))->index;
      if (at == index)
        return mid;
      if (at < index)
        lo = mid + 1;
      else
        hi = mid;
    }
  return -1;
}

guint64
ftc_splitmix64 (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

guint64
ftc_rand_below (guint64 *state, guint64 n)
{
  guint64 limit, r;

  if (n <= 1)
    return 0;
  /* reject the top partial bucket so every value is equally likely */
  limit = G_MAXUINT64 - G_MAXUINT64 % n;
  do
    r = ftc_splitmix64 (state);
  while (r >= limit);
  return r % n;
}

static int
compare_int (gconstpointer a, gconstpointer b)
{
  int x = *(const int *) a, y = *(const int *) b;

  return (x > y) - (x < y);
}

void
ftc_task_split_seeded (FtcTask *task, double train_fraction, guint64 seed)
{
  guint n = task->samples->len;
  g_autofree int *order = g_new (int, MAX (n, 1));
  guint64 state = seed ^ G_GUINT64_CONSTANT (0x5eed5eed5eed5eed);
  guint n_train;

  for (guint i = 0; i < n; i++)
    order[i] = i;
  /* Fisher-Yates */
  for (guint i = n; i > 1; i--)
    {
      guint j = ftc_rand_below (&state, i);
      int t = order[i - 1];
      order[i - 1] = order[j];
      order[j] = t;
    }
  n_train = (guint) (CLAMP (train_fraction, 0.0, 1.0) * n + 0.5);
  g_array_set_size (task->train, 0);
  g_array_set_size (task->test, 0);
  g_array_append_vals (task->train, order, n_train);
  g_array_append_vals (task->test, order + n_train, n - n_train);
  g_array_sort (task->train, compare_int);
  g_array_sort (task->test, compare_int);
  g_free (task->split_name);
  task->split_name = g_strdup ("seed");
}
