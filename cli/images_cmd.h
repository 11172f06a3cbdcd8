/* `hyperloupe images`: list the workloads of images/, show one, install
 * their Debian packages, check that their tests pass (images/README.md). */
#ifndef HL_IMAGES_CMD_H
#define HL_IMAGES_CMD_H

int cmd_images(int argc, char **argv);

#endif
