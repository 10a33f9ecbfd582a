#include "vdtest_datasets.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static void vdt_die(const char *what, const char *path) {
  fprintf(stderr, "test fixture: %s %s: %s\n", what, path, strerror(errno));
  exit(1);
}

char *vdt_temp_dir(const char *tag) {
  const char *tmp = getenv("TMPDIR");
  char *dir = malloc(4096);
  if (!dir) exit(1);
  snprintf(dir, 4096, "%s/vlmd-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", tag);
  if (!mkdtemp(dir)) vdt_die("cannot create", dir);
  return dir;
}

void vdt_remove_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    unlink(dir);
    return;
  }
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    char *p = vdt_path(dir, e->d_name);
    struct stat sb;
    if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) vdt_remove_tree(p);
    else unlink(p);
    free(p);
  }
  closedir(d);
  rmdir(dir);
}

char *vdt_path(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (!p) exit(1);
  snprintf(p, n, "%s/%s", dir, name);
  return p;
}

static void vdt_mkdir_parents(const char *path) {
  char buf[4096];
  snprintf(buf, sizeof(buf), "%s", path);
  for (char *p = buf + 1; *p; ++p) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) vdt_die("cannot create", buf);
    *p = '/';
  }
}

void vdt_write_bytes(const char *path, const void *data, size_t len) {
  vdt_mkdir_parents(path);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) vdt_die("cannot write", path);
}

void vdt_write_text(const char *path, const char *text) { vdt_write_bytes(path, text, strlen(text)); }

void vdt_write_json(const char *path, const char *single_quoted) {
  char *s = strdup(single_quoted);
  if (!s) exit(1);
  for (char *p = s; *p; ++p)
    if (*p == '\'') *p = '"';
  vdt_write_text(path, s);
  free(s);
}

// ---- a tiny PNG ------------------------------------------------------------------------------------------

static size_t vdt_png_chunk(uint8_t *out, const char *type, const uint8_t *data, uint32_t len) {
  static const uint8_t none[1] = {0};
  if (!data) data = none;  // zlib's crc32 of a NULL buffer is its initial value, not the CRC
  uint8_t *p = out;
  *p++ = (uint8_t)(len >> 24), *p++ = (uint8_t)(len >> 16), *p++ = (uint8_t)(len >> 8), *p++ = (uint8_t)len;
  memcpy(p, type, 4);
  memcpy(p + 4, data, len);
  uint32_t crc = (uint32_t)crc32(crc32(0, p, 4), data, len);
  p += 4 + len;
  *p++ = (uint8_t)(crc >> 24), *p++ = (uint8_t)(crc >> 16), *p++ = (uint8_t)(crc >> 8), *p++ = (uint8_t)crc;
  return (size_t)(p - out);
}

void vdt_write_image(const char *path, int grey) {
  size_t n = strlen(path);
  if (n < 4 || strcmp(path + n - 4, ".png") != 0) {
    vdt_write_text(path, "placeholder image: the dataset readers only check that it exists\n");
    return;
  }
  enum { W = 8, H = 8 };
  uint8_t raw[H * (W + 1)], z[256], png[512];
  for (int y = 0; y < H; ++y) {
    raw[y * (W + 1)] = 0;  // filter: none
    memset(raw + y * (W + 1) + 1, grey, W);
  }
  uLongf zlen = sizeof(z);
  if (compress(z, &zlen, raw, sizeof(raw)) != Z_OK) vdt_die("cannot compress", path);
  const uint8_t ihdr[13] = {0, 0, 0, W, 0, 0, 0, H, 8, 0, 0, 0, 0};  // 8-bit greyscale
  size_t len = 8;
  memcpy(png, "\x89PNG\r\n\x1a\n", 8);
  len += vdt_png_chunk(png + len, "IHDR", ihdr, sizeof(ihdr));
  len += vdt_png_chunk(png + len, "IDAT", z, (uint32_t)zlen);
  len += vdt_png_chunk(png + len, "IEND", NULL, 0);
  vdt_write_bytes(path, png, len);
}

static void vdt_images(const char *root, const char *const *rels, int grey) {
  for (int i = 0; rels[i]; ++i) {
    char *p = vdt_path(root, rels[i]);
    vdt_write_image(p, grey);
    free(p);
  }
}

static void vdt_text_at(const char *root, const char *rel, const char *text) {
  char *p = vdt_path(root, rel);
  vdt_write_text(p, text);
  free(p);
}

static void vdt_json_at(const char *root, const char *rel, const char *text) {
  char *p = vdt_path(root, rel);
  vdt_write_json(p, text);
  free(p);
}

// ---- MVTec AD --------------------------------------------------------------------------------------------

const char *const vdt_mvtec_test_index[] = {
    "zipper/test/squeezed_teeth/001.png", "zipper/test/squeezed_teeth/000.png", "zipper/test/good/000.png",
    "bottle/test/broken_large/001.png",   "bottle/test/broken_large/000.png",   "bottle/test/good/001.png",
    "bottle/test/good/000.png",           "bottle/test/contamination/000.png",  NULL};
const char *const vdt_mvtec_test_scan[] = {
    "bottle/test/broken_large/000.png",   "bottle/test/broken_large/001.png",   "bottle/test/contamination/000.png",
    "bottle/test/good/000.png",           "bottle/test/good/001.png",           "zipper/test/good/000.png",
    "zipper/test/squeezed_teeth/000.png", "zipper/test/squeezed_teeth/001.png", NULL};
const char *const vdt_mvtec_train_scan[] = {"bottle/train/good/000.png", "bottle/train/good/001.png",
                                            "bottle/train/good/002.png", "zipper/train/good/000.png",
                                            "zipper/train/good/001.png", NULL};
static const char *const vdt_mvtec_masks[] = {
    "bottle/ground_truth/broken_large/000_mask.png",   "bottle/ground_truth/broken_large/001_mask.png",
    "bottle/ground_truth/contamination/000_mask.png",  "zipper/ground_truth/squeezed_teeth/000_mask.png",
    "zipper/ground_truth/squeezed_teeth/001_mask.png", NULL};

// The reference's index style: one object per line, keys in its order, defective records with a maskname
// (bottle/test/broken_large/000.png has none: the synthetic all-one mask), an extra key, a final blank line.
static const char vdt_mvtec_test_json[] =
    "{'filename': 'zipper/test/squeezed_teeth/001.png', 'label': 1, 'label_name': 'defective', 'maskname': "
    "'zipper/ground_truth/squeezed_teeth/001_mask.png', 'clsname': 'zipper'}\n"
    "{'filename': 'zipper/test/squeezed_teeth/000.png', 'label': 1, 'label_name': 'defective', 'maskname': "
    "'zipper/ground_truth/squeezed_teeth/000_mask.png', 'clsname': 'zipper'}\n"
    "{'filename': 'zipper/test/good/000.png', 'label': 0, 'label_name': 'good', 'clsname': 'zipper'}\n"
    "{'filename': 'bottle/test/broken_large/001.png', 'label': 1, 'label_name': 'defective', 'maskname': "
    "'bottle/ground_truth/broken_large/001_mask.png', 'clsname': 'bottle'}\n"
    "{'filename': 'bottle/test/broken_large/000.png', 'label': 1, 'label_name': 'defective', 'clsname': 'bottle'}\n"
    "{'filename': 'bottle/test/good/001.png', 'label': 0, 'label_name': 'good', 'clsname': 'bottle', 'extra': [1, "
    "{'x': null}]}\n"
    "{'filename': 'bottle/test/good/000.png', 'label': 0, 'label_name': 'good', 'clsname': 'bottle'}\n"
    "{'filename': 'bottle/test/contamination/000.png', 'label': 1, 'label_name': 'defective', 'maskname': "
    "'bottle/ground_truth/contamination/000_mask.png', 'clsname': 'bottle'}\n"
    "\n";
static const char vdt_mvtec_train_json[] =
    "{'filename': 'zipper/train/good/001.png', 'label': 0, 'label_name': 'good', 'clsname': 'zipper'}\n"
    "{'filename': 'zipper/train/good/000.png', 'label': 0, 'label_name': 'good', 'clsname': 'zipper'}\n"
    "{'filename': 'bottle/train/good/002.png', 'label': 0, 'label_name': 'good', 'clsname': 'bottle'}\n"
    "{'filename': 'bottle/train/good/000.png', 'label': 0, 'label_name': 'good', 'clsname': 'bottle'}\n"
    "{'filename': 'bottle/train/good/001.png', 'label': 0, 'label_name': 'good', 'clsname': 'bottle'}\n";

char *vdt_make_mvtec(const char *base) {
  char *root = vdt_path(base, "mvtec_anomaly_detection");
  vdt_images(root, vdt_mvtec_test_scan, 100);
  vdt_images(root, vdt_mvtec_train_scan, 90);
  vdt_images(root, vdt_mvtec_masks, 255);
  vdt_text_at(root, "license.txt", "CC BY-NC-SA 4.0\n");
  vdt_text_at(root, "bottle/test/broken_large/.DS_Store", "x");
  vdt_text_at(root, "bottle/test/broken_large/notes.txt", "not an image\n");
  vdt_text_at(root, "zipper/test/.cache/000.png", "a hidden folder: not a defect type\n");
  vdt_json_at(base, "MVTec-AD/test.json", vdt_mvtec_test_json);
  vdt_json_at(base, "MVTec-AD/train.json", vdt_mvtec_train_json);
  return root;
}

// ---- VisA ----------------------------------------------------------------------------------------------------

const char *const vdt_visa_test[] = {"candle/Data/Images/Anomaly/000.JPG", "candle/Data/Images/Normal/0002.JPG",
                                     "pcb1/Data/Images/Anomaly/000.JPG",   "candle/Data/Images/Anomaly/001.JPG",
                                     "pcb1/Data/Images/Normal/0001.JPG",   NULL};
const char *const vdt_visa_train[] = {"candle/Data/Images/Normal/0000.JPG", "pcb1/Data/Images/Normal/0000.JPG",
                                      "candle/Data/Images/Normal/0001.JPG", NULL};
static const char *const vdt_visa_masks[] = {"candle/Data/Masks/Anomaly/000.png", "pcb1/Data/Masks/Anomaly/000.png",
                                             NULL};

static const char vdt_visa_csv[] =
    "object,split,label,image,mask\r\n"
    "candle,train,normal,candle/Data/Images/Normal/0000.JPG,\r\n"
    "candle,test,anomaly,candle/Data/Images/Anomaly/000.JPG,candle/Data/Masks/Anomaly/000.png\r\n"
    "pcb1,train,normal,\"pcb1/Data/Images/Normal/0000.JPG\",\r\n"
    "candle,test,normal,candle/Data/Images/Normal/0002.JPG,\r\n"
    "\r\n"
    "candle,train,normal,candle/Data/Images/Normal/0001.JPG,\r\n"
    "pcb1,test,anomaly,pcb1/Data/Images/Anomaly/000.JPG,pcb1/Data/Masks/Anomaly/000.png\r\n"
    "candle,test,anomaly,candle/Data/Images/Anomaly/001.JPG,\r\n"
    "pcb1,val,normal,pcb1/Data/Images/Normal/0009.JPG,\r\n"
    "pcb1,test,normal,pcb1/Data/Images/Normal/0001.JPG,";

char *vdt_make_visa(const char *base) {
  char *root = vdt_path(base, "visa");
  vdt_images(root, vdt_visa_test, 0);
  vdt_images(root, vdt_visa_train, 0);
  vdt_images(root, vdt_visa_masks, 255);
  vdt_text_at(root, "split_csv/1cls.csv", vdt_visa_csv);
  return root;
}

// ---- Real-IAD ------------------------------------------------------------------------------------------------

const char *const vdt_realiad_test[] = {"audiojack/OK/S0001/audiojack_0001_OK_C1_20231021.jpg",
                                        "audiojack/NG/AK/S0102/audiojack_0102_NG_AK_C2_20231021.jpg",
                                        "audiojack/OK/S0001/audiojack_0001_OK_C2_20231021.jpg",
                                        "bottle_cap/NG/HS/S0201/bottle_cap_0201_NG_HS_C1_20231022.jpg",
                                        "bottle_cap/OK/S0003/bottle_cap_0003_OK_C5_20231022.jpg",
                                        NULL};
static const char *const vdt_realiad_files[] = {"audiojack/OK/S0000/audiojack_0000_OK_C1_20231021.jpg",
                                                "audiojack/NG/AK/S0102/audiojack_0102_NG_AK_C2_20231021.png",
                                                "bottle_cap/OK/S0004/bottle_cap_0004_OK_C1_20231022.jpg",
                                                "bottle_cap/NG/HS/S0201/bottle_cap_0201_NG_HS_C1_20231022.png", NULL};

static const char vdt_realiad_audiojack[] =
    "{'meta': {'prefix': '', 'normal_class': 'OK'},\n"
    " 'train': [{'category': 'audiojack', 'anomaly_class': 'OK', 'image_path': "
    "'OK/S0000/audiojack_0000_OK_C1_20231021.jpg', 'mask_path': null}],\n"
    " 'test': [\n"
    "  {'category': 'audiojack', 'anomaly_class': 'OK', 'image_path': 'OK/S0001/audiojack_0001_OK_C1_20231021.jpg', "
    "'mask_path': null},\n"
    "  {'category': 'audiojack', 'anomaly_class': 'AK', 'image_path': "
    "'NG/AK/S0102/audiojack_0102_NG_AK_C2_20231021.jpg', 'mask_path': "
    "'NG/AK/S0102/audiojack_0102_NG_AK_C2_20231021.png'},\n"
    "  {'category': 'audiojack', 'anomaly_class': 'OK', 'image_path': 'OK/S0001/audiojack_0001_OK_C2_20231021.jpg'}\n"
    " ]}\n";
static const char vdt_realiad_bottle_cap[] =
    "{'test': [{'anomaly_class': 'HS', 'image_path': 'NG/HS/S0201/bottle_cap_0201_NG_HS_C1_20231022.jpg', "
    "'mask_path': 'NG/HS/S0201/bottle_cap_0201_NG_HS_C1_20231022.png'},\n"
    "  {'anomaly_class': 'OK', 'image_path': 'OK/S0003/bottle_cap_0003_OK_C5_20231022.jpg', 'mask_path': ''}],\n"
    " 'train': [{'anomaly_class': 'OK', 'image_path': 'OK/S0004/bottle_cap_0004_OK_C1_20231022.jpg'}]}\n";

char *vdt_make_realiad(const char *base) {
  char *root = vdt_path(base, "real_iad");
  vdt_images(root, vdt_realiad_test, 0);
  vdt_images(root, vdt_realiad_files, 255);
  vdt_text_at(root, "audiojack.zip", "an archive beside the folder: the same class\n");
  vdt_text_at(root, ".DS_Store", "hidden\n");
  vdt_json_at(base, "real_iad_jsons/realiad_jsons/audiojack.json", vdt_realiad_audiojack);
  vdt_json_at(base, "real_iad_jsons/realiad_jsons/bottle_cap.json", vdt_realiad_bottle_cap);
  return root;
}

// ---- COCO-AD -------------------------------------------------------------------------------------------------

const char *const vdt_coco_test_part0[] = {"val2017/000000000139.jpg", "val2017/000000000285.jpg",
                                           "val2017/000000000632.jpg", NULL};
static const char *const vdt_coco_files[] = {"train2017/000000000009.jpg", "train2017/000000000025.jpg",
                                             "val2017_mask_ad_20_0/000000000285.png",
                                             "val2017_mask_ad_20_1/000000000632.png", NULL};

static const char vdt_coco_meta0[] =
    "{'train': {'coco': [{'img_path': 'train2017/000000000009.jpg', 'mask_path': '', 'cls_name': 'coco', "
    "'specie_name': '', 'anomaly': 0}, {'img_path': 'train2017/000000000025.jpg', 'mask_path': '', 'cls_name': "
    "'coco', 'specie_name': '', 'anomaly': 0}]},\n"
    " 'test': {'coco': [{'img_path': 'val2017/000000000139.jpg', 'mask_path': '', 'cls_name': 'coco', "
    "'specie_name': '', 'anomaly': 0}, {'img_path': 'val2017/000000000285.jpg', 'mask_path': "
    "'val2017_mask_ad_20_0/000000000285.png', 'cls_name': 'coco', 'specie_name': 'bear', 'anomaly': 1}, "
    "{'img_path': 'val2017/000000000632.jpg', 'mask_path': '', 'cls_name': 'coco', 'specie_name': '', "
    "'anomaly': 0}]}}";
static const char vdt_coco_meta1[] =
    "{'test': {'coco': [{'img_path': 'val2017/000000000632.jpg', 'mask_path': "
    "'val2017_mask_ad_20_1/000000000632.png', 'cls_name': 'coco', 'specie_name': 'bed', 'anomaly': 1}]}, "
    "'train': {'coco': []}}";
// Two captions of image 139 (joined without a separator), one with an integer id, one of an image the
// split does not hold.
static const char vdt_coco_captions[] =
    "{'info': {}, 'annotations': [{'id': 0, 'image_id': '139', 'caption': 'A living room'}, {'id': 1, "
    "'image_id': 285, 'caption': 'A brown bear.'}, {'id': 2, 'image_id': '139', 'caption': ' with a TV.'}, "
    "{'id': 3, 'image_id': '999', 'caption': 'not in the split'}]}";

char *vdt_make_coco(const char *base) {
  char *root = vdt_path(base, "COCO");
  vdt_images(root, vdt_coco_test_part0, 0);
  vdt_images(root, vdt_coco_files, 255);
  vdt_json_at(root, "meta_20_0.json", vdt_coco_meta0);
  vdt_json_at(root, "meta_20_1.json", vdt_coco_meta1);
  vdt_json_at(root, "annotations/captions_val2017_internvl.json", vdt_coco_captions);
  return root;
}
