/* ftc-experiment-page.h: the experiment view: create or open an experiment folder and edit its
 * experiment.json: task (with a preview), teacher, D and temperature, student (a preset or a model folder),
 * methods, training hyper-parameters and the device with a memory check. experiment.json is read and
 * written by core (core/method/ftc-experiment.h): the settings the form does not show are kept. */
#pragma once

#include <gtk/gtk.h>

#include "core/method/ftc-experiment.h"

G_BEGIN_DECLS

#define FTC_TYPE_EXPERIMENT_PAGE (ftc_experiment_page_get_type ())
G_DECLARE_FINAL_TYPE (FtcExperimentPage, ftc_experiment_page, FTC, EXPERIMENT_PAGE, GtkWidget)

GtkWidget *ftc_experiment_page_new (void);
void ftc_experiment_page_set_directory (FtcExperimentPage *self, const char *dir);
gboolean ftc_experiment_page_get_loading (FtcExperimentPage *self);
const char *ftc_experiment_page_get_error (FtcExperimentPage *self);

/* Creates dir (and parents) with core's default experiment.json unless one exists. */
gboolean ftc_experiment_page_create (const char *dir, GError **error);
/* Checks the form's experiment as `ftcot run` would (ftc_experiment_validate), then writes it to
 * dir/experiment.json atomically; nothing is written when the check fails. */
gboolean ftc_experiment_page_save (FtcExperimentPage *self, GError **error);
/* The experiment as the form shows it now (a copy to free; not validated). */
FtcExperiment *ftc_experiment_page_dup_experiment (FtcExperimentPage *self);

/* Form access for scripts and tests. */
void ftc_experiment_page_set_task (FtcExperimentPage *self, const char *key);
const char *ftc_experiment_page_get_task (FtcExperimentPage *self);
void ftc_experiment_page_set_samples (FtcExperimentPage *self, int d);
const char *ftc_experiment_page_get_task_preview (FtcExperimentPage *self);
/* TRUE while the chosen task loads for its preview (split sizes, first questions). */
gboolean ftc_experiment_page_get_previewing (FtcExperimentPage *self);
const char *ftc_experiment_page_get_memory_text (FtcExperimentPage *self);
void ftc_experiment_page_set_teacher (FtcExperimentPage *self, const char *kind, const char *model);
/* A Hugging Face model folder as the student (NULL or "": the preset list again), from its weights when
 * pretrained. */
void ftc_experiment_page_set_student_folder (FtcExperimentPage *self, const char *model_dir, gboolean pretrained);
/* The device specs offered ("auto", "cpu", "opencl:0", ...), from ftc_devices_enumerate_async. */
gboolean ftc_experiment_page_get_devices_listed (FtcExperimentPage *self);
char **ftc_experiment_page_dup_devices (FtcExperimentPage *self);

/* Bytes a training run needs, roughly: weights, gradients and AdamW state (16 bytes per parameter) plus
 * activations for one batch. -1 for an unknown preset. */
/* Parameters of a student preset (GPT-2 small: 124439808), -1 for an unknown preset. */
gint64 ftc_experiment_student_params (const char *student_preset);
gint64 ftc_experiment_estimate_memory (const char *student_preset, int batch_size, int context);

G_END_DECLS
