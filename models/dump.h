// VLMD_DUMP support: writes the tensors an executor kept for dumping (nodes whose names match the
// VLMD_DUMP pattern) to a safetensors file, as float32 (f16 tensors converted), named by tensor.
#ifndef VD_MODELS_DUMP_H
#define VD_MODELS_DUMP_H

#include "graph/exec.h"

// Path: $VLMD_DUMP_FILE, else "vlmdiff-dump-<tag>.safetensors" in the working directory. Does nothing when
// VLMD_DUMP is unset or nothing matched.
vd_status vd_dump_after_run(vd_exec *exec, const char *tag);

#endif
