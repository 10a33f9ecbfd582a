// DINO's plan-only memory report (vd_dino_plan_report, declared in models/dino_runner.h).
#include <stdio.h>

#include "models/dino.h"
#include "models/dino_runner.h"

vd_status vd_dino_plan_report(vd_context *ctx, const vd_dino_config *config, vd_precision precision, uint32_t h,
                              uint32_t w, uint32_t batch, FILE *out) {
  vd_graph *g = NULL;
  vd_exec *e = NULL;
  vd_exec_options po = {.plan_only = true};
  vd_status st = vd_graph_create(precision, &g);
  if (!st) st = vd_dino_build_graph(g, config, batch, h, w);
  if (!st) st = vd_exec_create(ctx, NULL, g, NULL, NULL, &po, &e);
  if (!st) {
    char title[96];
    snprintf(title, sizeof(title), "DINO ViT (D %d, patch %d) %ux%u (batch %u, %s)", config->embed_dim,
             config->patch_size, h, w, batch, vd_precision_name(precision));
    vd_exec_print_plan(e, title, out);
  }
  vd_exec_destroy(e);
  vd_graph_destroy(g);
  return st;
}
