/* ftc-report.h: the results of an experiment and what is made from them.
 *
 * A report holds one result per (task, method): test accuracy (greedy decoding unless the report says
 * it sampled) with its 95% Wilson interval, the
 * count behind it, the last and the best epoch (the paper reported the best epoch's accuracy, selected on
 * the test split; "accuracy" here is always the last epoch's, and the best is labelled as such), the
 * training-set size and D, and the sampled metrics (pass@k, avg@k, maj@k with bootstrap intervals).
 * It may also hold accuracy against training-set size (data-size experiments).
 *
 * report/summary.json is the stable interface for scripts:
 *
 *   {"version": 1, "name": ..., "titles": {TASK: "Coin Flip", ...},
 *    "decoding": {"greedy": true},           (or {"greedy": false, "temperature": 0.7, "seed": 4})
 *    "tasks": {TASK: {METHOD: {"accuracy": 81.0, "ci95": [72.2, 87.5], "n": 100, "correct": 81,
 *                              "last_epoch": 20, "best_epoch": 17, "best_epoch_accuracy": 83.0,
 *                              "train_size": 500, "diversity": 4,
 *                              "sampled": {"k": 4, "n": 8, "temperature": 0.7,
 *                                          "pass_at_k": {"value": 90.0, "ci95": [..]},
 *                                          "avg_at_k": {...}, "maj_at_k": {...}}}}},
 *    "benchmarks": {BENCHMARK: {"trained_on": TASK}},    (evaluation tasks of a task's students)
 *    "data_size": {TASK: {METHOD: [{"train_size": 100, "accuracy": 40.0, "ci95": [..]}, ...]}}}
 *
 * Percentages throughout (0..100). METHOD is a method name (teacher, random, zero_shot, vanilla, ft_cot,
 * ft_cot_d2, ...); readers keep names they do not know. Keys other than "accuracy" are present when known;
 * unknown numbers are left out (never NaN, which JSON cannot hold). */
#pragma once

#include <json-glib/json-glib.h>

#include "core/results/ftc-chart.h"
#include "core/results/ftc-metrics.h"

G_BEGIN_DECLS

typedef struct {
  double value, lo, hi;     /* percent; NaN when unknown */
} FtcPercent;

typedef struct {
  char *task;
  char *method;
  FtcPercent accuracy;      /* test split, last epoch; students decode as the report's decoding says */
  int n;                    /* test questions scored (0: unknown) */
  int correct;
  int last_epoch;           /* 0: not trained */
  int best_epoch;           /* 0: not known */
  double best_epoch_accuracy;   /* percent; NaN when not known */
  int train_size;           /* training questions used (0: unknown or not trained) */
  int diversity;            /* D rationales per question (ft_cot methods), else 0 */
  int sampled_k;            /* 0: no sampled evaluation */
  int sampled_n;
  double sampled_temperature;
  FtcPercent pass_at_k, avg_at_k, maj_at_k;
} FtcResult;

typedef struct {
  char *task;
  char *method;
  int train_size;
  FtcPercent accuracy;
} FtcScalingPoint;

typedef struct {
  char *name;               /* the experiment's name (may be NULL) */
  GPtrArray *tasks;         /* char*: task keys in first-seen order */
  GHashTable *titles;       /* task key -> display title */
  GHashTable *trained_on;   /* benchmark key -> the task whose teacher records and students it tests */
  GPtrArray *results;       /* FtcResult* */
  GPtrArray *scaling;       /* FtcScalingPoint* */
  /* how the students' headline answers were decoded: greedily (temperature 0, the default), or sampled
   * at this temperature from this seed (evaluation.greedy false) */
  double decoding_temperature;
  guint64 decoding_seed;
} FtcReport;

FtcReport *ftc_report_new (const char *name);
void ftc_report_free (FtcReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcReport, ftc_report_free)

/* A result with everything unknown (NaN, 0) for task and method. */
FtcResult *ftc_result_new (const char *task, const char *method);
void ftc_result_free (FtcResult *result);
/* accuracy = correct / n as a percentage with its Wilson interval. */
void ftc_result_set_accuracy (FtcResult *result, int correct, int n);
/* pass@k, avg@k and maj@k (fractions, as computed by ftc_sampled_metrics_compute) as percentages. */
void ftc_result_set_sampled (FtcResult *result, const FtcSampledMetrics *metrics, int n_samples,
                             double temperature);

/* Adds (takes ownership) or replaces the result of the same task and method. */
void ftc_report_add_result (FtcReport *report, FtcResult *result);
void ftc_report_set_title (FtcReport *report, const char *task, const char *title);
/* The task's title: set, else the registry's, else the key. */
const char *ftc_report_get_title (const FtcReport *report, const char *task);
const FtcResult *ftc_report_lookup (const FtcReport *report, const char *task, const char *method);
void ftc_report_add_scaling_point (FtcReport *report, const char *task, const char *method, int train_size,
                                   FtcPercent accuracy);
/* The methods that have results, in canonical order (teacher, random, zero_shot, vanilla, ft_cot,
 * ft_cot_d2, ...; unknown names last, alphabetically). Free with g_strfreev. */
char **ftc_report_methods (const FtcReport *report);

/* benchmark is an evaluation set of the students trained on task (experiment.json tasks[].benchmarks). */
void ftc_report_set_trained_on (FtcReport *report, const char *benchmark, const char *task);
/* The task a benchmark's students were trained on, or NULL when task is no benchmark. */
const char *ftc_report_get_trained_on (const FtcReport *report, const char *task);

/* Display name of a method: "Teacher", "Fine-tune-CoT", "Fine-tune-CoT D=4", ... */
char *ftc_method_display_name (const char *method);

JsonNode *ftc_report_to_json (const FtcReport *report);
FtcReport *ftc_report_from_json (JsonNode *root, const char *file_name, GError **error);
gboolean ftc_report_save_json (const FtcReport *report, const char *path, GError **error);
FtcReport *ftc_report_load_json (const char *path, GError **error);

/* One row per (task, method); header first. */
char *ftc_report_to_csv (const FtcReport *report);

/* A plain-text table for the terminal: one row per task, one column per method (accuracy %), then the
 * best-epoch figures where they differ from the last epoch's. */
char *ftc_report_format_table (const FtcReport *report);

/* The benchmark table, as published tables give it: one row per benchmark (or, without benchmarks, per task
 * with sampled results), one column per method: pass@1 in percent with its 95% interval, estimated as avg@k
 * over the k answers of each question where there are several (bootstrap interval), else from the headline
 * answer (Wilson interval). NULL when there is no benchmark and no sampled result. */
char *ftc_report_format_benchmarks (const FtcReport *report);
/* The same as a table of strings for a view: rows[0] the header ("benchmark", "trained on", then the methods'
 * display names with their k), then one row per benchmark; each row a NULL-terminated array. NULL as above. */
GPtrArray *ftc_report_benchmark_rows (const FtcReport *report);

/* Charts made from the report (NULL when there is nothing of that kind to draw). */
FtcChart *ftc_report_chart_accuracy (const FtcReport *report);       /* per-task bars with 95% intervals */
FtcChart *ftc_report_chart_diversity (const FtcReport *report);      /* accuracy against D */
FtcChart *ftc_report_chart_data_size (const FtcReport *report);      /* accuracy against training-set size */
FtcChart *ftc_report_chart_benchmarks (const FtcReport *report);     /* the benchmark table's pass@1 as bars */

/* Training curves read from metrics.jsonl through core/results/ftc-metrics-log.h. */
typedef struct {
  char *task, *method;
  GArray *step, *loss;          /* double: training loss per step */
  GArray *lr_step, *lr;         /* double: learning rate per step */
  GArray *acc_step, *acc;       /* double: test accuracy (percent) per evaluation */
  GArray *acc_epoch;            /* double: the epoch of each accuracy (NaN where the line had none) */
} FtcCurve;

void ftc_curve_free (FtcCurve *curve);
/* FtcCurve* per (task, method) in first-seen order. A torn last line (a write cut short) is skipped; any
 * other malformed line, or a value out of range, is an error naming file:line. A step seen again (lines a resumed run wrote
 * twice) keeps the values of its last line. */
GPtrArray *ftc_curves_load (const char *path, GError **error);
/* Training loss against step, the learning rate on the right axis. */
FtcChart *ftc_curve_chart (const FtcCurve *curve, const char *title);

/* Accuracy after each epoch of every method of one task (one line per method; x is the epoch, or the step
 * where lines have no epoch). NULL when no curve of the task has accuracies. */
FtcChart *ftc_curves_chart_accuracy (GPtrArray *curves, const char *task, const char *title);

/* Writes summary.json, summary.csv and the charts (accuracy, diversity, data-size, one curves-TASK.METHOD
 * per curve, one epochs-TASK per task with per-epoch accuracies; each .png and .svg at width x height) into report_dir (created if needed). metrics_path may be
 * NULL or missing (no curves). written (may be NULL) collects the paths. */
gboolean ftc_report_write (const FtcReport *report, const char *report_dir, const char *metrics_path,
                           int width, int height, FtcChartTheme theme, GPtrArray *written, GError **error);

G_END_DECLS
