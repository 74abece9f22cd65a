/* ftc-answer.h: answer extraction and comparison per answer type.
 *
 * The rules reproduce the reference evaluators: the answer cleansing of Zero-shot-CoT (Kojima et al.,
 * `answer_cleansing` for the zero_shot_cot method) for the teacher's step-2 answer text, and the
 * Fine-tune-CoT evaluator (Ho et al., `Evaluator.cleanse_prediction`) for one-step completions with an
 * answer prefix ("-->", "The answer is", "Therefore, the answer is").
 *
 * Every rule works from an answer format (answer type + choice count), so imported tasks use it too.
 *
 * Beyond the references, for reasoning models and today's benchmarks:
 * - An answer in \boxed{} (or \fbox{}), as these models are asked to give it, is the answer whatever the
 *   type: the last box's content is read by the type's rule.
 * - math answers (FTC_ANSWER_MATH, core/tasks/ftc-math-answer.h): the last box, else after the mode's
 *   prefix the rest of its sentence, else "final answer is ...", else (the text after an answer trigger,
 *   or a vanilla completion, a few words on one line) that sentence, else the last number; compared as the
 *   MATH evaluators compare.
 * - choice answers outside the teacher's step-2 text (where Kojima's first-letter rule stays as it is)
 *   read labels first: "Answer: C" and "the answer is (C)", a text that is one label, "(C)" and "C)"; a
 *   number n is the n-th choice ("2" is B: ARC numbers some items' choices). */
#pragma once

#include <glib.h>

#include "core/tasks/ftc-task-registry.h"
#include "core/tasks/ftc-task.h"

G_BEGIN_DECLS

typedef struct {
  FtcAnswerType type;
  int n_choices;     /* CHOICE: letters A.. up to this many (1..26); 0: any capital letter A..Z */
  double tolerance;  /* NUMBER: |prediction - gold| allowed; 0 (the default): equal values only */
} FtcAnswerFormat;

/* The Fine-tune-CoT evaluator's tolerance for addsub, svamp and single_eq. */
#define FTC_ANSWER_TOLERANCE_REFERENCE 1e-6

typedef enum {
  /* The teacher's step-2 completion, which follows the answer trigger
   * ("Therefore, the answer (arabic numerals) is"): the first candidate in the whole text. */
  FTC_EXTRACT_ANSWER_TEXT,
  /* A Fine-tune-CoT student completion " {rationale} --> {answer} END": the text is cut at the stop phrase
   * "END", then the first candidate after "-->"; the last candidate of the whole text when "-->" is absent. */
  FTC_EXTRACT_ARROW,
  /* Few-shot-CoT style "... The answer is 42.": first candidate after the prefix, else the last one. */
  FTC_EXTRACT_THE_ANSWER_IS,
  /* "... Therefore, the answer is 42": first candidate after the prefix, else the last one. */
  FTC_EXTRACT_THEREFORE,
  /* A vanilla fine-tuned student completion " {answer} END": cut at "END", first candidate. */
  FTC_EXTRACT_DIRECT,
  /* Any one-step completion: cut at "END", then the first prefix present among "-->",
   * "Therefore, the answer is" and "The answer is" decides as above; the last candidate when none is. */
  FTC_EXTRACT_COMPLETION,
} FtcExtractMode;

/* "answer-text", "arrow", ...; NULL for an unknown mode. */
const char *ftc_extract_mode_to_string (FtcExtractMode mode);
gboolean ftc_extract_mode_from_string (const char *s, FtcExtractMode *out);

/* The format of a built-in task, or of a loaded or imported one (no number tolerance). */
FtcAnswerFormat ftc_answer_format_for_task_info (const FtcTaskInfo *info);
FtcAnswerFormat ftc_answer_format_for_task (const FtcTask *task);

/* Parses "number", "choice", "choice:5", "yesno", "text" or "math" (the --answer-type syntax). */
gboolean ftc_answer_format_parse (const char *s, FtcAnswerFormat *out, GError **error);
/* "number", "choice:5", "choice", "yesno", "text". */
char *ftc_answer_format_to_string (const FtcAnswerFormat *format);
/* The name of a type alone: "number", "choice", "yesno", "text". */
const char *ftc_answer_format_type_name (FtcAnswerType type);

/* The canonical prediction found in text ("42", "-3.5", "C", "yes", "ntoe"), newly allocated, or NULL when
 * the text holds no candidate. Text may be any bytes (invalid UTF-8 is repaired first). */
char *ftc_answer_extract (const FtcAnswerFormat *format, const char *text, FtcExtractMode mode);
/* Every candidate of the type in text, in order (what the reference's findall returns), cleansed. */
GPtrArray *ftc_answer_candidates (const FtcAnswerFormat *format, const char *text);

/* Whether prediction equals gold under the type's comparison: numbers by value after removing commas
 * ("3.50" equals "3.5"; strings compared when either is not a plain decimal), choice letters and yes/no
 * ignoring case, text after the same cleansing as the prediction. NULL or empty prediction never matches.
 * ftc_answer_match uses the default format of the type (no number tolerance). */
gboolean ftc_answer_match (FtcAnswerType type, const char *prediction, const char *gold);
gboolean ftc_answer_match_format (const FtcAnswerFormat *format, const char *prediction, const char *gold);

/* The answers of a question's samples as votes: each the first earlier answer it matches (so equivalent
 * answers, "0.5" and "\frac{1}{2}", vote together), else itself; NULL stays NULL. n strings, newly
 * allocated (the array and each string). */
char **ftc_answer_votes (const FtcAnswerFormat *format, const char *const *answers, guint n);

/* The number of consecutive choice labels "(A)", "(B)", ... in a question (Kojima formatting); 0 if none.
 * For tasks whose choice count varies per sample. */
int ftc_answer_count_choices (const char *question);

G_END_DECLS
