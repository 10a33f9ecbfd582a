// Sanitizer test runs only (LD_PRELOAD): dlclose keeps libraries mapped, so LeakSanitizer can name the
// Vulkan driver and layer modules that own process-lifetime allocations (tests/lsan.supp suppresses
// those by module name) instead of reporting them as "<unknown module>".
int dlclose(void *handle);
int dlclose(void *handle) {
  (void)handle;
  return 0;
}
