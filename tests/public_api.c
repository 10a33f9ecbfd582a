// The library as an outside program sees it: built against vlmdiff_core alone (tests/CMakeLists.txt), it
// includes only vlmdiff.h, keeps the Vulkan prototypes (no VK_NO_PROTOTYPES leaks from the library) and
// cannot reach the engine's internal headers; at run time it creates and destroys a context with
// validation through the public API. Exit 0 only if all of that worked and validation stayed silent.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vlmdiff.h"

#ifdef VK_NO_PROTOTYPES
#error "VK_NO_PROTOTYPES reached a program that links vlmdiff_core: it must stay private to the library"
#endif
#if defined(__has_include)
#if __has_include("runtime/status.h") || __has_include("formats/weight_file.h")
#error "an internal header of the engine is on the include path of a program that links vlmdiff_core"
#endif
#else
#error "this check needs __has_include (GCC 5+, Clang)"
#endif

int main(void) {
  (void)sizeof(&vkCreateInstance);  // a Vulkan prototype is declared (unevaluated: no link dependency)
  const char *v = getenv("VLMD_TEST_VALIDATION");
  vd_context_options opts = {.validation = !(v && strcmp(v, "0") == 0)};
  vd_context *ctx = NULL;
  vd_status st = vd_context_create(&opts, &ctx);
  if (st) {
    fprintf(stderr, "public_api: vd_context_create failed: %s (%s)\n", vd_status_message(st),
            vd_status_code_name(vd_status_code_of(st)));
    vd_status_free(st);
    return 1;
  }
  printf("public_api: context on %s\n", vd_context_device_name(ctx));
  uint32_t messages = vd_context_validation_messages(ctx);
  vd_context_destroy(ctx);
  if (messages) {
    fprintf(stderr, "public_api: the validation layer reported %u message(s)\n", messages);
    return 1;
  }
  printf("public_api: passed\n");
  return 0;
}
