// `vlmdiff forward --net anomaly-map`: the anomaly map and image score of feature pairs from a safetensors
// file (anomaly/anomaly_map_runner.h), kept apart from the network paths of verb_forward.c.
#ifndef VD_APPS_FORWARD_ANOMALY_MAP_H
#define VD_APPS_FORWARD_ANOMALY_MAP_H

// inputs / out: safetensors paths; precision: "fp32" (default) or "fp16" feature storage, or NULL;
// device: as --device, or NULL. Returns the exit code (messages on stderr).
int vd_forward_anomaly_map(const char *inputs, const char *out, const char *precision, const char *device);

#endif
