// The denoiser: the SD UNet (ControlledUnetModel, "model.diffusion_model.") with the semantic-guided
// network (SemanticGuidedNetwork, "control_model.") joined as apply_model does (spec vlmdiff-pipeline
// §2.3-§2.4), for any config of the same structure (four levels, two ResBlocks per level).
#ifndef VD_MODELS_UNET_H
#define VD_MODELS_UNET_H

#include <stdbool.h>

#include "formats/config.h"
#include "graph/graph.h"

typedef struct vd_eps_inputs {
  vd_tensor_id x;        // noisy latent [N, in_channels, h, w]
  vd_tensor_id t;        // timesteps, f32 [N]
  vd_tensor_id context;  // text context [N, L, context_dim]
  vd_tensor_id hint;     // guidance image [N, hint_channels, 8h, 8w]
} vd_eps_inputs;

// eps = UNet(x, t, context, control = SGN(x, hint, t, context)). only_mid_control as the reference runs
// it at test time (true: the middle block and the three deepest skips get control) or as the YAML says
// (false: every skip gets its control).
vd_status vd_eps_build(vd_graph *g, const vd_unet_config *unet, const vd_unet_config *control, bool only_mid_control,
                       const vd_eps_inputs *in, vd_tensor_id *out_eps);

#endif
