/* ftc-curate.h: from teacher rationales to the fine-tuning data of each method.
 *
 * Curation keeps the rationales the experiment's rule allows: by default those whose extracted answer is
 * right (the paper's filter), with a person's review applied on top: a rejected rationale is dropped, an
 * edited one is used as edited, and under the "accepted" rule only accepted (or edited) ones stay.
 *
 * A reasoning model's record (a thinking trace as its rationale, the answer it wrote after it as its
 * completion) becomes the rationale curation.target asks for: the trace and the answer, the answer alone,
 * or the trace trimmed to curation.max_trace_chars at a paragraph's end and the answer. The length filter
 * (curation.min_chars, max_chars) then applies to every rationale to be learnt. */
#pragma once

#include "core/method/ftc-experiment.h"
#include "core/method/ftc-finetune.h"
#include "core/tasks/ftc-record.h"
#include "core/method/ftc-review.h"
#include "core/tasks/ftc-task.h"

G_BEGIN_DECLS

typedef struct {
  guint total;        /* rationales looked at */
  guint correct;      /* of which the teacher's answer was right */
  guint truncated;    /* cut by the token limit */
  guint rejected;     /* dropped by review */
  guint edited;       /* kept with an edited rationale */
  guint length;       /* dropped by the length filter */
  guint kept;
} FtcCurateStats;

/* records: FtcRecord* of the teacher on the training questions; review may be NULL. Returns the kept
 * records (new references are not taken: the array borrows from records) and fills stats. Edited
 * rationales, and the rationales a reasoning record's target makes, replace the record's rationale in
 * place. */
GPtrArray *ftc_curate (GPtrArray *records, const FtcExperimentCuration *curation, FtcReview *review,
                       FtcCurateStats *stats);

/* The fine-tuning samples of method for the training questions `train` (FtcSample*):
 * vanilla: one per question with its gold answer; ft_cot with D: the kept rationales whose completion index
 * is below D (so D = 1 uses each question's first sample, as in the paper). Other methods: an empty array. */
GPtrArray *ftc_curate_finetune_samples (const FtcMethod *method, GPtrArray *train, GPtrArray *kept);
/* The same in a prompt format (ftc-finetune.h). */
GPtrArray *ftc_curate_finetune_samples_as (FtcPromptFormat prompt_format, const FtcMethod *method, GPtrArray *train,
                                           GPtrArray *kept);

/* The rationale to learn from a reasoning model's trace and written answer under target (trimmed: the trace
 * cut to max_trace_chars, at the last paragraph break before it when there is one). */
char *ftc_curate_reasoning_rationale (const char *trace, const char *answer, FtcCurationTarget target,
                                      int max_trace_chars);

G_END_DECLS
