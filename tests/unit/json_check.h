/* Whether text is one JSON value and nothing else: the unit tests check
 * that every report the VMM writes parses. */
#ifndef HL_TEST_JSON_CHECK_H
#define HL_TEST_JSON_CHECK_H

#include <stdbool.h>

bool is_json(const char *text);

#endif
