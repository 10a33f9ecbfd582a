// `vlmdiff forward --net dino|resnet50`: the anomaly map's feature extractors on an image tensor, and on
// the image with its reconstruction in one batched evaluation. Called by verb_forward.c.
#ifndef VD_APPS_FORWARD_FEATURES_H
#define VD_APPS_FORWARD_FEATURES_H

#include <stdbool.h>

// True for the nets this file runs ("dino", "resnet50").
bool vd_forward_is_feature_net(const char *net);
// The whole forward call for those nets (argv as vd_verb_forward's); returns the exit code.
int vd_forward_features(int argc, char **argv);
// The --help lines of these nets.
void vd_forward_features_help(void);

#endif
