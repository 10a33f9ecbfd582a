// vlmdiff devices [--json] [--device N|NAME]: every Vulkan device, which one is chosen and why, and the
// feature policy the engine applies to it.
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/cli.h"
#include "apps/verbs.h"
#include "runtime/device_select.h"
#include "runtime/instance.h"
#include "runtime/shader_registry.h"

static const char *vd_component_name(uint32_t t) {
  static const char *names[] = {"f16", "f32", "f64", "s8", "s16", "s32", "s64", "u8", "u16", "u32", "u64"};
  return t < sizeof(names) / sizeof(*names) ? names[t] : "?";
}

static void vd_print_version(char *buf, size_t cap, uint32_t v) {
  snprintf(buf, cap, "%u.%u.%u", VK_API_VERSION_MAJOR(v), VK_API_VERSION_MINOR(v), VK_API_VERSION_PATCH(v));
}

static void vd_print_device_text(const vd_instance *inst, uint32_t i, bool chosen, const char *reason) {
  const vd_device_info *d = inst->infos[i];
  const vd_policy *p = &inst->policies[i];
  char api[32];
  vd_print_version(api, sizeof(api), d->api_version);
  printf("%s %u: %s\n", chosen ? "*" : " ", i, d->name);
  printf("    type %s, vendor %s (0x%04x), device 0x%04x, Vulkan %s, driver %s (%s)\n", vd_device_type_name(d->type),
         vd_vendor_name(d->vendor_id), d->vendor_id, d->device_id, api, d->driver_name, d->driver_info);
  if (chosen) printf("    chosen: %s\n", reason);
  printf("    family: %s; device-local memory %.1f GiB\n", vd_gpu_family_name(vd_gpu_family_of(d)),
         (double)vd_device_info_local_heap(d) / (1024.0 * 1024.0 * 1024.0));
  printf("    policy: %s; default precision %s; fp16 storage %s, fp16 arithmetic %s; subgroup size %u, "
         "subgroup reductions %s; fp64 %s\n",
         p->supported ? "supported" : "NOT supported", vd_precision_name(p->default_precision),
         p->fp16_storage ? "yes" : "no", p->fp16_arith ? "yes" : "no", p->subgroup_size,
         p->subgroup_arith ? "yes" : "no", p->fp64 ? "yes" : "no (double-float)");
  if (p->coopmat)
    printf("    cooperative matrix: yes, %ux%ux%u f16*f16->f32%s\n", p->coopmat_m, p->coopmat_n, p->coopmat_k,
           p->coopmat_f16_acc ? " (f16 accumulation also available)" : "");
  else
    printf("    cooperative matrix: no\n");
  for (uint32_t k = 0; k < d->coopmat_shape_count; ++k) {
    const vd_coopmat_shape *s = &d->coopmat_shapes[k];
    printf("      advertised: %ux%ux%u %s*%s+%s->%s%s\n", s->m, s->n, s->k, vd_component_name(s->a_type),
           vd_component_name(s->b_type), vd_component_name(s->c_type), vd_component_name(s->r_type),
           s->subgroup_scope ? "" : " (not subgroup scope)");
  }
  printf("    limits: shared memory %u B, workgroup %u invocations, storage-buffer range %llu B, allocation %llu B, "
         "push constants %u B\n",
         d->max_compute_shared_memory, d->max_workgroup_invocations, (unsigned long long)d->max_storage_buffer_range,
         (unsigned long long)d->max_memory_allocation_size, d->max_push_constants_size);
  for (uint32_t k = 0; k < p->note_count; ++k) printf("    note: %s\n", p->notes[k]);
}

static cJSON *vd_device_json(const vd_instance *inst, uint32_t i, bool chosen, const char *reason) {
  const vd_device_info *d = inst->infos[i];
  const vd_policy *p = &inst->policies[i];
  char api[32];
  vd_print_version(api, sizeof(api), d->api_version);
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "index", i);
  cJSON_AddStringToObject(o, "name", d->name);
  cJSON_AddStringToObject(o, "type", vd_device_type_name(d->type));
  cJSON_AddStringToObject(o, "vendor", vd_vendor_name(d->vendor_id));
  cJSON_AddNumberToObject(o, "vendor_id", d->vendor_id);
  cJSON_AddNumberToObject(o, "device_id", d->device_id);
  cJSON_AddStringToObject(o, "api_version", api);
  cJSON_AddStringToObject(o, "driver_name", d->driver_name);
  cJSON_AddStringToObject(o, "driver_info", d->driver_info);
  cJSON_AddStringToObject(o, "family", vd_gpu_family_name(vd_gpu_family_of(d)));
  cJSON_AddBoolToObject(o, "chosen", chosen);
  if (chosen) cJSON_AddStringToObject(o, "chosen_because", reason);
  cJSON_AddNumberToObject(o, "device_local_bytes", (double)vd_device_info_local_heap(d));
  cJSON *pol = cJSON_AddObjectToObject(o, "policy");
  cJSON_AddBoolToObject(pol, "supported", p->supported);
  cJSON_AddStringToObject(pol, "default_precision", vd_precision_name(p->default_precision));
  cJSON_AddBoolToObject(pol, "fp16_storage", p->fp16_storage);
  cJSON_AddBoolToObject(pol, "fp16_arithmetic", p->fp16_arith);
  cJSON_AddNumberToObject(pol, "subgroup_size", p->subgroup_size);
  cJSON_AddBoolToObject(pol, "subgroup_reductions", p->subgroup_arith);
  cJSON_AddBoolToObject(pol, "cooperative_matrix", p->coopmat);
  cJSON_AddBoolToObject(pol, "fp64", p->fp64);
  if (p->coopmat) {
    cJSON *shape = cJSON_AddArrayToObject(pol, "coopmat_shape");
    cJSON_AddItemToArray(shape, cJSON_CreateNumber(p->coopmat_m));
    cJSON_AddItemToArray(shape, cJSON_CreateNumber(p->coopmat_n));
    cJSON_AddItemToArray(shape, cJSON_CreateNumber(p->coopmat_k));
  }
  cJSON *notes = cJSON_AddArrayToObject(pol, "notes");
  for (uint32_t k = 0; k < p->note_count; ++k) cJSON_AddItemToArray(notes, cJSON_CreateString(p->notes[k]));
  cJSON *lim = cJSON_AddObjectToObject(o, "limits");
  cJSON_AddNumberToObject(lim, "max_compute_shared_memory", d->max_compute_shared_memory);
  cJSON_AddNumberToObject(lim, "max_workgroup_invocations", d->max_workgroup_invocations);
  cJSON_AddNumberToObject(lim, "max_storage_buffer_range", (double)d->max_storage_buffer_range);
  cJSON_AddNumberToObject(lim, "max_memory_allocation_size", (double)d->max_memory_allocation_size);
  cJSON_AddNumberToObject(lim, "max_push_constants_size", d->max_push_constants_size);
  cJSON *shapes = cJSON_AddArrayToObject(o, "coopmat_advertised");
  for (uint32_t k = 0; k < d->coopmat_shape_count; ++k) {
    const vd_coopmat_shape *s = &d->coopmat_shapes[k];
    char buf[96];
    snprintf(buf, sizeof(buf), "%ux%ux%u %s*%s+%s->%s%s", s->m, s->n, s->k, vd_component_name(s->a_type),
             vd_component_name(s->b_type), vd_component_name(s->c_type), vd_component_name(s->r_type),
             s->subgroup_scope ? "" : " (non-subgroup scope)");
    cJSON_AddItemToArray(shapes, cJSON_CreateString(buf));
  }
  cJSON *exts = cJSON_AddArrayToObject(o, "extensions");
  for (uint32_t k = 0; k < d->extension_count; ++k) cJSON_AddItemToArray(exts, cJSON_CreateString(d->extensions[k]));
  return o;
}

static void vd_devices_help(void) {
  printf("usage: vlmdiff devices [--json] [--device N|NAME]\n\n"
         "Lists every Vulkan device with its type, driver, memory, the feature policy the engine applies\n"
         "(fp16, subgroup reductions, cooperative matrix and its shape, fp64, key limits) and which device is\n"
         "chosen and why (discrete > integrated > virtual > CPU, then the most device-local memory).\n\n"
         "  --json           print a JSON document instead of text\n"
         "  --device N|NAME  show which device this request would choose (default: VLMD_DEVICE)\n");
}

int vd_verb_devices(int argc, char **argv) {
  bool json = false, missing = false;
  const char *request = getenv("VLMD_DEVICE");
  for (int i = 1; i < argc; ++i) {
    if (vd_cli_is_help(argv[i])) {
      vd_devices_help();
      return 0;
    } else if (strcmp(argv[i], "--json") == 0) {
      json = true;
    } else if (!vd_cli_value(argc, argv, &i, "--device", &request, &missing)) {
      return vd_cli_usage_error("devices", "unknown option %s", argv[i]);
    }
    if (missing) return vd_cli_usage_error("devices", "--device needs a value");
  }
  const char *v = getenv("VLMD_VALIDATION");
  vd_instance *inst = NULL;
  vd_status st = vd_instance_create(v && strcmp(v, "1") == 0, false, &inst);
  if (st) return vd_cli_fail("devices", st);
  uint32_t chosen = UINT32_MAX;
  char reason[VD_SELECT_REASON_LEN];
  st = vd_device_select((const vd_device_info *const *)inst->infos, inst->supported, inst->device_count, request,
                        &chosen, reason);
  if (json) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddBoolToObject(root, "coopmat_shaders_compiled", vd_shader_coopmat_compiled != 0);
    cJSON_AddBoolToObject(root, "spirv_validated", vd_shader_spirv_validated != 0);
    cJSON *arr = cJSON_AddArrayToObject(root, "devices");
    for (uint32_t i = 0; i < inst->device_count; ++i)
      cJSON_AddItemToArray(arr, vd_device_json(inst, i, i == chosen, reason));
    if (st) cJSON_AddStringToObject(root, "error", vd_status_message(st));
    char *text = cJSON_Print(root);
    if (text) puts(text);
    free(text);
    cJSON_Delete(root);
  } else {
    printf("Vulkan devices: %u (shaders: %zu built%s, cooperative-matrix shaders %s)\n", inst->device_count,
           vd_shader_blob_count, vd_shader_spirv_validated ? " and validated" : "",
           vd_shader_coopmat_compiled ? "built" : "not built by this glslc");
    for (uint32_t i = 0; i < inst->device_count; ++i) vd_print_device_text(inst, i, i == chosen, reason);
  }
  vd_instance_destroy(inst);
  if (st) return vd_cli_fail("devices", st);
  return 0;
}
