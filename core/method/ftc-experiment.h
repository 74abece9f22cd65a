/* ftc-experiment.h: an experiment directory and its configuration, experiment.json.
 *
 * experiment.json holds the whole configuration of a run: the tasks and their splits, the teacher and its
 * parameters, the curation rule, the student, the methods compared, the training hyper-parameters, the
 * evaluation settings, the seeds and the device. docs/experiment.md documents every key with an example.
 *
 * Parsing is strict: an unknown key is an error that names its path and the nearest valid key, a value
 * of the wrong type or out of range names its field, and impossible combinations (ft_cot_d4 with fewer
 * than 4 teacher samples, a student model directory that does not exist, ...) are refused before any work
 * starts. Every key is optional; what is absent gets the default below, and the file written back holds
 * every key with its value, so a saved experiment says exactly what ran.
 *
 * Directory layout (ftc_experiment_dir_* build these paths):
 *   experiment.json
 *   teacher/TASK.SPLIT.jsonl      teacher completion records (train: all D samples of every training
 *                                 question; test: the teacher baseline), with a manifest TASK.SPLIT.json
 *   review.jsonl                  human review decisions (accept / reject / edit) of rationales
 *   finetune/TASK.METHOD.jsonl    fine-tuning samples of a method
 *   checkpoints/TASK.METHOD/      student checkpoints of a method
 *   metrics.jsonl                 one line per training step or evaluation (docs/experiment.md)
 *   eval/TASK.METHOD.jsonl        per-sample evaluation records
 *   report/                       summary.json, summary.csv, charts */
#pragma once

#include <json-glib/json-glib.h>

#include "compute/ftc-schedule.h"
#include "core/teach/ftc-teacher-settings.h"

G_BEGIN_DECLS

/* ---- methods ---------------------------------------------------------------------------------- */

typedef enum {
  FTC_METHOD_TEACHER,     /* baseline: the teacher's own Zero-shot-CoT accuracy on the test split */
  FTC_METHOD_RANDOM,      /* baseline: chance accuracy of the answer format */
  FTC_METHOD_ZERO_SHOT,   /* the student without fine-tuning, prompted like a fine-tuned one */
  FTC_METHOD_VANILLA,     /* student fine-tuned on answers only */
  FTC_METHOD_FT_COT,      /* student fine-tuned on teacher rationales, D of them per question */
} FtcMethodKind;

typedef struct {
  FtcMethodKind kind;
  int diversity;          /* FT_COT: rationales per question D (1 for "ft_cot"); 0 otherwise */
} FtcMethod;

/* "teacher", "random", "zero_shot", "vanilla", "ft_cot", "ft_cot_dN" (N >= 1; "ft_cot_d1" reads as
 * "ft_cot"). Returns FALSE for anything else. */
gboolean ftc_method_parse (const char *name, FtcMethod *out);
/* The canonical name: "ft_cot", "ft_cot_d4", ... */
char *ftc_method_to_string (const FtcMethod *method);
/* TRUE for methods that train a student (vanilla, ft_cot*). */
gboolean ftc_method_trains (const FtcMethod *method);

/* ---- configuration ---------------------------------------------------------------------------- */

typedef enum {
  FTC_CURATION_CORRECT,   /* keep rationales whose extracted answer is right (the paper) */
  FTC_CURATION_ALL,       /* keep every rationale (an ablation) */
  FTC_CURATION_ACCEPTED,  /* keep only rationales a person accepted (or edited) in review */
} FtcCurationRule;

typedef enum {
  FTC_STUDENT_SCRATCH,    /* random initialisation */
  FTC_STUDENT_PRETRAINED, /* weights from student.model_dir */
} FtcStudentInit;

typedef struct {
  char *key;              /* registry key ("coin_flip", "gsm8k") or an imported task's name */
  char *split;            /* "default": the reference split files (datasets), the published splits
                           * (benchmarks), the generator's or the importer's split otherwise; "template": the
                           * template-wise split of date_understanding and multiarith; "validation": a
                           * benchmark's validation set as the test split (arc_challenge); "random":
                           * train_fraction from seeds.split */
  double train_fraction;  /* random splits: share of the samples used for training (0.7) */
  int train_size;         /* use at most this many training questions (0: all) */
  int test_size;          /* evaluate on at most this many test questions (0: all) */
  int n;                  /* synthetic tasks: samples generated (0: the generator's default, 1000) */
  int size;               /* synthetic tasks: people, words, objects or steps (0: the family's default) */
  char *data_path;        /* raw files (directory) or an import (.jsonl/.csv); NULL: built-in source */
  JsonObject *options;    /* task-specific settings passed to the loader or generator (may be NULL) */
  char **benchmarks;      /* evaluation tasks (keys, NULL-terminated; NULL: none): the students trained on this
                           * task, and the teacher, are also tested on each one's test split ("math_train"
                           * taught, "aime_2024" and "math500" evaluated) */
} FtcExperimentTask;

/* What a student learns from a reasoning model's answer (a teacher record with a thinking trace as its
 * rationale and the written answer as its completion); Zero-shot-CoT rationales are used as they are. */
typedef enum {
  FTC_TARGET_TRACE_ANSWER,  /* the thinking, then the written answer */
  FTC_TARGET_ANSWER,        /* the written answer alone (the solution the model wrote after thinking) */
  FTC_TARGET_TRIMMED,       /* the thinking cut to max_trace_chars at a paragraph's end, then the answer */
} FtcCurationTarget;

typedef struct {
  FtcCurationRule rule;
  gboolean drop_truncated;  /* drop rationales cut by the token limit (finish reason "length") */
  int max_per_question;     /* keep at most this many rationales per question (0: all) */
  FtcCurationTarget target; /* reasoning-model records: what the rationale to learn is */
  int max_trace_chars;      /* FTC_TARGET_TRIMMED: the thinking's length at most (characters) */
  int min_chars;            /* length filter on the rationale learnt: drop shorter ones (0: none) */
  int max_chars;            /* and longer ones (0: none) */
} FtcExperimentCuration;

typedef struct {
  char *preset;           /* a preset of core/students/ftc-model-dir.h ("tiny", "gpt2", ...), or NULL with model_dir */
  char *model_dir;        /* a Hugging Face model directory (config.json, model.safetensors, tokenizer) */
  FtcStudentInit init;
  char *tokenizer;        /* "auto" (the model directory's, else by preset), "char", "gpt2" */
  char *prompt_format;    /* "paper" (default), "chatml" (Qwen), "llama3" (core/method/ftc-finetune.h) */
} FtcExperimentStudent;

typedef struct {
  char *optimizer;        /* "adamw" */
  double learning_rate;   /* 3e-4 */
  FtcScheduleKind schedule;  /* constant (compute/ftc-schedule.h) */
  int warmup_steps;       /* 0 */
  double weight_decay;    /* 0.01: PyTorch AdamW's default, which the reference code uses */
  double beta1, beta2, eps;
  double grad_clip;       /* global norm; 0: off (the reference does not clip) */
  int batch_size;         /* 8 */
  int grad_accumulation;  /* 1 */
  int epochs;             /* 20 */
  int max_seq_len;        /* 512; also cut at the student's context */
  gboolean completion_only_loss;  /* TRUE: the loss covers completion tokens only (the paper); FALSE:
                                   * prompt and completion tokens too (not padding) */
  gboolean eval_every_epoch;      /* test accuracy after every epoch (for the best-epoch figure) */
  int checkpoint_every_epochs;    /* 1 */
} FtcExperimentTraining;

typedef struct {
  gboolean greedy;        /* the headline accuracy decodes greedily; FALSE: one answer sampled per question
                           * at sampled_temperature, from a stream per question seeded by seeds.eval */
  int max_new_tokens;     /* 256 */
  int batch_size;         /* sequences decoded together */
  int sampled_k;          /* sampled evaluation: pass@k, avg@k, maj@k at this k (0: off) */
  int sampled_n;          /* samples drawn per question (>= k; 0: k) */
  double sampled_temperature;  /* 0.7 */
  int teacher_k;          /* the teacher's answers per test question (1: one greedy answer; k: k sampled at
                           * sampled_temperature, for its pass@1 = avg@k, pass@k and maj@k) */
} FtcExperimentEvaluation;

typedef struct {
  guint64 split;          /* task splits and synthetic generation */
  guint64 teacher;        /* teacher sampling (scripted teacher, request seeds) */
  guint64 train;          /* initialisation and shuffling */
  guint64 eval;           /* sampled evaluation, and the headline answers when not greedy */
} FtcExperimentSeeds;

typedef struct {
  int version;                     /* schema version: 1 */
  char *name;                      /* free text */
  GPtrArray *tasks;                /* FtcExperimentTask*, at least one */
  FtcTeacherSettings teacher;      /* core/teach/ftc-teacher-settings.h */
  FtcExperimentCuration curation;
  FtcExperimentStudent student;
  GArray *methods;                 /* FtcMethod, in the order given, no duplicates */
  FtcExperimentTraining training;
  FtcExperimentEvaluation evaluation;
  FtcExperimentSeeds seeds;
  char *device;                    /* "auto" (the default device), "cpu", "cpu:naive", "opencl", "opencl:N" */
  char *base_dir;                  /* where relative paths are resolved (the file's directory); not saved */
} FtcExperiment;

/* The defaults: one task (synthetic_coin_flip), scripted teacher, tiny student from scratch, methods teacher,
 * random, zero_shot, vanilla, ft_cot. */
FtcExperiment *ftc_experiment_new (void);
void ftc_experiment_free (FtcExperiment *exp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcExperiment, ftc_experiment_free)

/* Parses and validates. file_name names the source in messages; base_dir resolves relative paths (NULL:
 * the current directory). */
FtcExperiment *ftc_experiment_load_from_data (const char *data, gssize len, const char *file_name,
                                              const char *base_dir, GError **error);
/* Loads a file, or DIR/experiment.json when path is a directory. */
FtcExperiment *ftc_experiment_load (const char *path, GError **error);
/* The same, checked for keys, types and ranges only, not for combinations or the files it names: what a
 * form edits before ftc_experiment_validate decides whether it can run. */
FtcExperiment *ftc_experiment_read (const char *path, GError **error);
/* A deep copy (base_dir too). */
FtcExperiment *ftc_experiment_copy (const FtcExperiment *exp);
/* The checks on combinations that ftc_experiment_load runs; call it after editing a struct by hand. */
gboolean ftc_experiment_validate (const FtcExperiment *exp, GError **error);

JsonNode *ftc_experiment_to_json (const FtcExperiment *exp);
/* Pretty JSON, written atomically. */
gboolean ftc_experiment_save (const FtcExperiment *exp, const char *path, GError **error);

/* A path from the configuration made absolute against base_dir (NULL stays NULL). */
char *ftc_experiment_resolve_path (const FtcExperiment *exp, const char *path);
/* The task with this key, or NULL. */
const FtcExperimentTask *ftc_experiment_task (const FtcExperiment *exp, const char *key);
/* Appends a task with the defaults (split "default", train_fraction 0.7) and returns it for editing. */
FtcExperimentTask *ftc_experiment_add_task (FtcExperiment *exp, const char *key);
gboolean ftc_experiment_has_method (const FtcExperiment *exp, const char *name);
/* The largest D among ft_cot methods (0 if none). */
int ftc_experiment_max_diversity (const FtcExperiment *exp);

const char *ftc_curation_rule_to_string (FtcCurationRule rule);

/* ---- directory layout ------------------------------------------------------------------------- */

/* Creates dir and its subfolders (teacher/, finetune/, checkpoints/, eval/, report/). */
gboolean ftc_experiment_dir_create (const char *dir, GError **error);
char *ftc_experiment_dir_config (const char *dir);                 /* experiment.json */
char *ftc_experiment_dir_teacher (const char *dir, const char *task, const char *split); /* teacher/TASK.SPLIT.jsonl */
char *ftc_experiment_dir_review (const char *dir);                 /* review.jsonl */
char *ftc_experiment_dir_finetune (const char *dir, const char *task, const char *method);
char *ftc_experiment_dir_checkpoints (const char *dir, const char *task, const char *method);
char *ftc_experiment_dir_metrics (const char *dir);                /* metrics.jsonl */
char *ftc_experiment_dir_eval (const char *dir, const char *task, const char *method);
char *ftc_experiment_dir_report (const char *dir);                 /* report/ */

/* Edit distance (Levenshtein) and the nearest of candidates[0..n) to word, NULL when none is plausibly
 * a typo of it. Shared by "did you mean" errors. */
guint ftc_edit_distance (const char *a, const char *b);
const char *ftc_nearest_word (const char *word, const char *const *candidates, gsize n);

G_END_DECLS
