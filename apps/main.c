// vlmdiff: the command-line front end. Dispatches to one verb per file.
#include <stdio.h>
#include <string.h>

#include "apps/verbs.h"

static const vd_verb vd_verbs[] = {
    {"devices", vd_verb_devices, "list Vulkan devices, the chosen one and its feature policy"},
    {"inspect", vd_verb_inspect, "list the tensors of a checkpoint or safetensors file"},
    {"convert", vd_verb_convert, "convert a checkpoint to safetensors (optionally f16, one network)"},
    {"forward", vd_verb_forward, "run one network (or the reconstruction) on tensors from a safetensors file"},
    {"bench", vd_verb_bench, "GPU timings of the ops (--ops)"},
    {"tokenize", vd_verb_tokenize, "encode a text to token ids or decode ids (Qwen2 or CLIP tokenizer files)"},
};
static const int vd_verb_count = (int)(sizeof(vd_verbs) / sizeof(vd_verbs[0]));

static void vd_print_usage(FILE *f) {
  fprintf(f,
          "vlmdiff %s: VLMDiff visual anomaly detection on Vulkan compute\n\n"
          "usage: vlmdiff VERB [options]     (vlmdiff VERB --help for a verb's options)\n\nverbs:\n",
          VLMD_VERSION_STRING);
  for (int i = 0; i < vd_verb_count; ++i) fprintf(f, "  %-10s %s\n", vd_verbs[i].name, vd_verbs[i].summary);
  fprintf(f,
          "\nenvironment:\n"
          "  VLMD_DEVICE=N|NAME        choose a device (same as --device)\n"
          "  VLMD_VALIDATION=1         enable the Khronos validation layer (+ synchronization)\n"
          "  VLMD_DISABLE_COOPMAT=1    never use cooperative-matrix kernels\n"
          "  VLMD_DISABLE_FP16=1       never use fp16 storage or arithmetic\n"
          "  VLMD_DISABLE_SUBGROUP=1   never use subgroup reductions\n"
          "  VLMD_DISABLE_SPLITK=1     never split a GEMM's K across workgroups\n"
          "  VLMD_CACHE_DIR=DIR        where the pipeline cache lives (default ~/.cache/vlmdiff)\n"
          "  VLMD_VULKAN_LIBRARY=FILE  the Vulkan loader to open (default libvulkan.so.1)\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    vd_print_usage(stderr);
    return 2;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
    vd_print_usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("vlmdiff %s\n", VLMD_VERSION_STRING);
    return 0;
  }
  for (int i = 0; i < vd_verb_count; ++i)
    if (strcmp(argv[1], vd_verbs[i].name) == 0) return vd_verbs[i].run(argc - 1, argv + 1);
  fprintf(stderr, "vlmdiff: unknown verb \"%s\" (see vlmdiff --help)\n", argv[1]);
  return 2;
}
