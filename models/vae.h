// The KL-f8 autoencoder (spec vlmdiff-pipeline §2.2) as graph builders, for any config of the same
// structure. Weights are named under the current graph scope (the caller pushes "first_stage_model").
#ifndef VD_MODELS_VAE_H
#define VD_MODELS_VAE_H

#include "formats/config.h"
#include "graph/graph.h"

// image [N, in_channels, H, W] -> mean and logvar [N, embed_dim, H/f, W/f] (after quant_conv), f = 2^(levels-1).
vd_status vd_vae_encoder_build(vd_graph *g, const vd_vae_config *c, vd_tensor_id image, vd_tensor_id *out_mean,
                               vd_tensor_id *out_logvar);
// z: the scaled latent the sampler works in; decoded from z / scale_factor through post_quant_conv.
vd_status vd_vae_decoder_build(vd_graph *g, const vd_vae_config *c, float scale_factor, vd_tensor_id z,
                               vd_tensor_id *out_image);

#endif
