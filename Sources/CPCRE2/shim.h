#ifndef TAILOR_CPCRE2_SHIM_H
#define TAILOR_CPCRE2_SHIM_H

// Swift cannot import PCRE2's function-like macros (pcre2_compile is a macro
// that expands to pcre2_compile_8) nor PCRE2_ZERO_TERMINATED, so this shim
// fixes the code unit width and wraps every call Tailor makes in a small
// inline function that takes explicit lengths.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stddef.h>

typedef pcre2_code_8 tailor_pcre2_code;
typedef pcre2_match_data_8 tailor_pcre2_match_data;
typedef pcre2_match_context_8 tailor_pcre2_match_context;
typedef pcre2_compile_context_8 tailor_pcre2_compile_context;

static const uint32_t TAILOR_PCRE2_CASELESS = PCRE2_CASELESS;
static const uint32_t TAILOR_PCRE2_UTF = PCRE2_UTF;
static const uint32_t TAILOR_PCRE2_DOLLAR_ENDONLY = PCRE2_DOLLAR_ENDONLY;
static const uint32_t TAILOR_PCRE2_NO_UTF_CHECK = PCRE2_NO_UTF_CHECK;
static const uint32_t TAILOR_PCRE2_ALT_BSUX = PCRE2_ALT_BSUX;
static const uint32_t TAILOR_PCRE2_MATCH_UNSET_BACKREF = PCRE2_MATCH_UNSET_BACKREF;
static const uint32_t TAILOR_PCRE2_EXTRA_ALT_BSUX = PCRE2_EXTRA_ALT_BSUX;
static const uint32_t TAILOR_PCRE2_JIT_COMPLETE = PCRE2_JIT_COMPLETE;
static const int TAILOR_PCRE2_ERROR_NOMATCH = PCRE2_ERROR_NOMATCH;
static const int TAILOR_PCRE2_ERROR_MATCHLIMIT = PCRE2_ERROR_MATCHLIMIT;
static const int TAILOR_PCRE2_ERROR_DEPTHLIMIT = PCRE2_ERROR_DEPTHLIMIT;
static const int TAILOR_PCRE2_ERROR_HEAPLIMIT = PCRE2_ERROR_HEAPLIMIT;
static const int TAILOR_PCRE2_ERROR_JIT_STACKLIMIT = PCRE2_ERROR_JIT_STACKLIMIT;

static inline tailor_pcre2_compile_context *tailor_pcre2_compile_context_create(void) {
  return pcre2_compile_context_create_8(NULL);
}

static inline void tailor_pcre2_compile_context_free(tailor_pcre2_compile_context *context) {
  pcre2_compile_context_free_8(context);
}

static inline int tailor_pcre2_set_compile_extra_options(
    tailor_pcre2_compile_context *context, uint32_t options) {
  return pcre2_set_compile_extra_options_8(context, options);
}

/// Compiles `length` bytes of `pattern`; on failure returns NULL and sets the
/// error code and the byte offset of the error within the pattern.
static inline tailor_pcre2_code *tailor_pcre2_compile(
    const uint8_t *pattern, size_t length, uint32_t options,
    tailor_pcre2_compile_context *context, int *error_code, size_t *error_offset) {
  PCRE2_SIZE offset = 0;
  pcre2_code_8 *code =
      pcre2_compile_8((PCRE2_SPTR8)pattern, (PCRE2_SIZE)length, options, error_code, &offset, context);
  *error_offset = (size_t)offset;
  return code;
}

static inline int tailor_pcre2_jit_compile(tailor_pcre2_code *code) {
  return pcre2_jit_compile_8(code, PCRE2_JIT_COMPLETE);
}

static inline void tailor_pcre2_code_free(tailor_pcre2_code *code) { pcre2_code_free_8(code); }

/// Writes PCRE2's message for `error_code` into `buffer`; returns its length or a negative error.
static inline int tailor_pcre2_error_message(int error_code, uint8_t *buffer, size_t length) {
  return pcre2_get_error_message_8(error_code, (PCRE2_UCHAR8 *)buffer, (PCRE2_SIZE)length);
}

static inline tailor_pcre2_match_context *tailor_pcre2_match_context_create(
    uint32_t match_limit, uint32_t depth_limit) {
  pcre2_match_context_8 *context = pcre2_match_context_create_8(NULL);
  if (context != NULL) {
    pcre2_set_match_limit_8(context, match_limit);
    pcre2_set_depth_limit_8(context, depth_limit);
  }
  return context;
}

static inline void tailor_pcre2_match_context_free(tailor_pcre2_match_context *context) {
  pcre2_match_context_free_8(context);
}

static inline tailor_pcre2_match_data *tailor_pcre2_match_data_create(void) {
  return pcre2_match_data_create_8(1, NULL);
}

static inline void tailor_pcre2_match_data_free(tailor_pcre2_match_data *data) {
  pcre2_match_data_free_8(data);
}

/// Searches `length` bytes of `subject`; returns PCRE2's result code (>= 0: a match).
static inline int tailor_pcre2_match(
    const tailor_pcre2_code *code, const uint8_t *subject, size_t length, uint32_t options,
    tailor_pcre2_match_data *data, tailor_pcre2_match_context *context) {
  return pcre2_match_8(code, (PCRE2_SPTR8)subject, (PCRE2_SIZE)length, 0, options, data, context);
}

/// Searches with the JIT-compiled code directly, skipping pcre2_match's checks;
/// only for patterns whose JIT compilation succeeded.
static inline int tailor_pcre2_jit_match(
    const tailor_pcre2_code *code, const uint8_t *subject, size_t length, uint32_t options,
    tailor_pcre2_match_data *data, tailor_pcre2_match_context *context) {
  return pcre2_jit_match_8(code, (PCRE2_SPTR8)subject, (PCRE2_SIZE)length, 0, options, data, context);
}

#endif
