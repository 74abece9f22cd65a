/* ftc-teacher-scripted.h: the built-in teacher of the synthetic tasks, so that the whole method runs
 * offline (the default for demos and classrooms).
 *
 * It reads each sample's solution steps (sample->steps_json, ftc-synthetic.h) and writes a step-by-step
 * rationale in varied wording (several templates per sentence, drawn from a generator seeded by the seed,
 * the sample id and the completion index, so every run writes the same text), then an answer in one of a
 * few forms. With probability error_rate a rationale gets a wrong step whose consequences it carries to
 * a wrong final answer, as a real teacher's wrong rationales do. */
#pragma once

#include "core/teach/ftc-teacher.h"

G_BEGIN_DECLS

FtcTeacher *ftc_teacher_scripted_new (double error_rate, guint64 seed, GError **error);
/* Terse style: short notes ("Rachel: flip, tails.", "Tom: \"m\", \"lm\".", "12 x 3 = 36.") in two wordings
 * per step instead of full sentences in three; last letters give each letter and the letters so far.
 * Shorter rationales leave a small student fewer tokens to learn and write, and every step still shows
 * the state it reaches. */
void ftc_teacher_scripted_set_terse (FtcTeacher *teacher, gboolean terse);

G_END_DECLS
